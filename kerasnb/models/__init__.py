"""``kerasnb.models``: ``Model``, ``Sequential`` and the functional API, as in ``keras.models``.

Example:
    >>> model = keras.models.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    >>> model.count_params()
    8
"""

from kerasnb.models.functional import Functional
from kerasnb.models.model import Model
from kerasnb.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential"]
