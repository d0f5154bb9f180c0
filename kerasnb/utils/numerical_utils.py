"""Array helpers for preparing data: ``to_categorical``."""

import numpy as np

from kerasnb.engine import arrays
from kerasnb.engine.tensor import Tensor


def to_categorical(x, num_classes=None, dtype="float32"):
    """Turn integer class labels into one-hot rows: labels of shape ``(N,)`` or ``(N, 1)`` give ``(N, C)``.

    ``num_classes`` defaults to ``max(x) + 1``. The result is a NumPy array (Keras 2 and Keras 3 also return a
    NumPy array for array input); labels must lie in ``[0, num_classes)``.

    Example:
        >>> keras.utils.to_categorical([0, 2, 1])
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
        >>> keras.utils.to_categorical(np.array([[1], [0]]), num_classes=3).shape
        (2, 3)
    """
    labels = x.numpy() if isinstance(x, Tensor) else arrays.to_numpy(x) if arrays.is_array(x) else np.asarray(x)
    not_integer = labels[labels != np.round(labels)] if labels.dtype.kind == "f" else labels[:0]
    if not_integer.size:
        raise ValueError(f"to_categorical expects integer class labels. Received {not_integer.flat[0]}.")
    labels = labels.astype("int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:  # (N, 1) column of labels: the class axis replaces that 1
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"to_categorical: labels must be in [0, num_classes={num_classes}). "
            f"Received labels from {labels.min()} to {labels.max()}."
        )
    out = np.zeros((labels.size, num_classes), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out.reshape(shape + (num_classes,))
