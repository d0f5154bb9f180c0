"""Array helpers for preparing data: ``to_categorical``, ``normalize``."""

import numpy as np

from kerasnb.engine import arrays
from kerasnb.engine.tensor import Tensor


def normalize(x, axis=-1, order=2):
    """Scale ``x`` so that every slice along ``axis`` has norm 1 (``order=2``: the L2 norm, ``1``: the L1 norm).

    As in Keras, a NumPy array gives a NumPy array, where all-zero slices are left as they are; anything else
    (a tensor, a list) gives a tensor, computed with ops (so gradients flow) as ``x / max(norm, epsilon)``.

    Example:
        >>> keras.utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
        >>> keras.utils.normalize(np.array([[1.0, 3.0]]), order=1)
        array([[0.25, 0.75]])
        >>> keras.utils.normalize(keras.ops.convert_to_tensor([[3.0, 4.0]]))
        <Tensor shape=(1, 2) dtype=float32 numpy=[[0.6 0.8]]>
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"`order` must be an integer >= 1 (1 for the L1 norm, 2 for L2). Received: order={order}")
    if isinstance(x, np.ndarray):
        norm = np.linalg.norm(x, order, axis, keepdims=True)
        norm[norm == 0] = 1  # an all-zero slice has no direction: keep it rather than divide by zero
        return x / norm
    from kerasnb import config, ops

    x = ops.convert_to_tensor(x)
    if x.dtype.kind != "f":
        x = ops.cast(x, config.floatx())
    norm = ops.power(ops.sum(ops.power(ops.abs(x), order), axis=axis, keepdims=True), 1.0 / order)
    return ops.divide(x, ops.maximum(norm, config.epsilon()))


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
