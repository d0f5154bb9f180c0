"""``kerasnb.utils``: helpers that are not layers or ops.

Example:
    >>> import kerasnb as keras
    >>> keras.utils.set_random_seed(0)
    >>> keras.utils.to_categorical([1, 0])
    array([[0., 1.],
           [1., 0.]], dtype=float32)
"""

from kerasnb.engine.random import set_random_seed
from kerasnb.utils.numerical_utils import to_categorical
from kerasnb.utils.progbar import Progbar
from kerasnb.utils.sequence import PyDataset, Sequence

__all__ = ["Progbar", "PyDataset", "Sequence", "set_random_seed", "to_categorical"]
