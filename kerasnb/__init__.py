"""kerasnb: the Keras API on a small, readable autograd engine over NumPy (and CuPy on a GPU).

Use it as you would Keras::

    import kerasnb as keras

    model = keras.Sequential([
        keras.layers.Dense(64, activation="relu", input_shape=(32,)),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

and look inside whenever you like: ``keras.GradientTape`` records the ops of a forward pass, and every op in
``keras.ops`` is a forward and a hand-written backward a few lines long.
"""

from kerasnb import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    data,
    datasets,
    distribute,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    preprocessing,
    regularizers,
    saving,
    testing,
    utils,
)
from kerasnb.engine.autograd import GradientTape
from kerasnb.engine.tensor import Tensor, Variable
from kerasnb.layers.input_layer import Input
from kerasnb.layers.keras_tensor import KerasTensor
from kerasnb.models import Model, Sequential

__version__ = "0.1.0"


def __getattr__(name):
    # kerasnb.widgets is imported on first use: its views pull in notebook libraries, import kerasnb must not.
    # kerasnb.applications too: a dozen model modules most sessions never use.
    if name in ("widgets", "applications"):
        import importlib

        return importlib.import_module(f"kerasnb.{name}")
    raise AttributeError(f"module 'kerasnb' has no attribute {name!r}")


__all__ = [
    "GradientTape",
    "Input",
    "KerasTensor",
    "Model",
    "Sequential",
    "Tensor",
    "Variable",
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "data",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
    "regularizers",
    "testing",
    "utils",
    "widgets",
    "__version__",
]
