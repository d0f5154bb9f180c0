"""kerasnb: the Keras API on a small, readable autograd engine over NumPy (and CuPy on a GPU).

Use it as you would Keras::

    import kerasnb as keras

    x = keras.Variable([1.0, 2.0, 3.0])
    with keras.GradientTape() as tape:
        y = keras.ops.sum(x ** 2)
    tape.gradient(y, x)   # [2. 4. 6.]
"""

from kerasnb import backend, config, ops, testing, utils
from kerasnb.engine.autograd import GradientTape
from kerasnb.engine.tensor import Tensor, Variable

__version__ = "0.1.0"

__all__ = [
    "GradientTape",
    "Tensor",
    "Variable",
    "backend",
    "config",
    "ops",
    "testing",
    "utils",
    "__version__",
]
