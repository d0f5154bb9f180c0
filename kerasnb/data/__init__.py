"""``kerasnb.data``: tf.data's ``Dataset`` input pipeline, for ``model.fit`` and friends.

Where a Keras guide writes ``tf.data.Dataset``, write ``keras.data.Dataset``::

    dataset = keras.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(1024).batch(32)
    model.fit(dataset, epochs=10)

Everything runs in the calling thread on NumPy arrays, one element at a time, so a pipeline can be read (and
stepped through) as plain Python: see :mod:`kerasnb.data.dataset`.

Example:
    >>> ds = keras.data.Dataset.from_tensor_slices((np.arange(4.0), np.array([0, 1, 0, 1]))).batch(2)
    >>> [(x.tolist(), y.tolist()) for x, y in ds]
    [([0.0, 1.0], [0, 1]), ([2.0, 3.0], [0, 1])]
    >>> keras.data.experimental.cardinality(ds.repeat()) == keras.data.INFINITE_CARDINALITY
    True
"""

from kerasnb.data import experimental
from kerasnb.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from kerasnb.data.structure import TensorSpec

__all__ = [
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "UNKNOWN_CARDINALITY",
    "Dataset",
    "TensorSpec",
    "experimental",
]
