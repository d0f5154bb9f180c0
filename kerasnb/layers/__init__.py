"""``kerasnb.layers``: the building blocks of models, as in ``keras.layers``.

Example:
    >>> import kerasnb as keras
    >>> layer = keras.layers.Dense(3)
    >>> layer(np.ones((2, 4))).shape
    (2, 3)
"""

from kerasnb.layers.core import Activation, Dense
from kerasnb.layers.input_layer import Input, InputLayer
from kerasnb.layers.layer import InputSpec, Layer
from kerasnb.layers.regularization import Dropout
from kerasnb.layers.reshaping import Flatten

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "InputSpec", "Layer"]
