"""Accuracy metrics: how often predictions match the labels (exactly, by threshold, by argmax, in the top k)."""

from kerasnb import config, ops
from kerasnb.engine.tensor import convert_to_tensor
from kerasnb.losses import _looks_like_labels, squeeze_or_expand_to_same_rank
from kerasnb.metrics.reduction_metrics import MeanMetricWrapper

# ---------------------------------------------------------------------------------------------------------
# Accuracy functions: one value (1.0 or 0.0) per sample
# ---------------------------------------------------------------------------------------------------------


def accuracy(y_true, y_pred):
    """1.0 where ``y_pred`` equals ``y_true`` exactly, else 0.0 (per element).

    Example:
        >>> keras.metrics.accuracy([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        <Tensor shape=(4, 1) dtype=float32 numpy=
        [[0.]
         [1.]
         [1.]
         [1.]]>
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true, dtype=y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.cast(ops.equal(y_true, y_pred), config.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``y_pred > threshold`` matches the 0/1 label ``y_true``, else 0.0 (per element).

    Example:
        >>> keras.metrics.binary_accuracy([[1], [1], [0], [0]], [[0.98], [1.0], [0.0], [0.6]])
        <Tensor shape=(4, 1) dtype=float32 numpy=
        [[1.]
         [1.]
         [1.]
         [0.]]>
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true, dtype=y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = ops.cast(ops.greater(y_pred, threshold), y_true.dtype)
    return ops.cast(ops.equal(y_true, y_pred), config.floatx())


def _check_one_hot(fn_name, y_true, y_pred, sparse_name):
    if _looks_like_labels(y_true.shape, y_pred.shape):
        raise ValueError(
            f"{fn_name} expects one-hot y_true with the shape of y_pred {y_pred.shape}; received y_true.shape="
            f"{y_true.shape}, which looks like integer class labels. Use '{sparse_name}' for integer labels."
        )


def _check_sparse(fn_name, y_true, y_pred, one_hot_name):
    """Squeeze a trailing size-1 label axis; check that one label per sample remains."""
    if y_true.ndim == y_pred.ndim and y_true.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if y_true.shape != y_pred.shape[:-1]:
        hint = ""
        if y_true.shape == y_pred.shape:
            hint = f" y_true looks one-hot encoded: use '{one_hot_name}' for one-hot labels."
        raise ValueError(
            f"{fn_name} expects y_true to hold one integer class index per sample: the shape of y_pred without its "
            f"last axis. Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}.{hint}"
        )
    return y_true


def categorical_accuracy(y_true, y_pred):
    """1.0 where the largest prediction is at the one-hot label's class, else 0.0 (per sample).

    Example:
        >>> keras.metrics.categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0. 1.]>
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    _check_one_hot("categorical_accuracy", y_true, y_pred, "sparse_categorical_accuracy")
    matches = ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1))
    return ops.cast(matches, config.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the largest prediction is at the integer label ``y_true``, else 0.0 (per sample).

    ``y_true`` has shape ``(batch,)`` or ``(batch, 1)``.

    Example:
        >>> keras.metrics.sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0. 1.]>
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    y_true = _check_sparse("sparse_categorical_accuracy", y_true, y_pred, "categorical_accuracy")
    # Compared in y_pred's dtype, as Keras does (exact for labels below 2**24 in float32).
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), y_pred.dtype)
    return ops.cast(ops.equal(ops.cast(y_true, y_pred.dtype), predicted), config.floatx())


def _in_top_k(targets, predictions, k):
    """Is each target class among the ``k`` highest predictions of its row? Ties at the boundary count as in
    (as TensorFlow's ``in_top_k``): the target is in when fewer than ``k`` classes score strictly higher."""
    target_scores = ops.take_along_axis(predictions, ops.expand_dims(targets, -1), axis=-1)
    higher = ops.sum(ops.cast(ops.greater(predictions, target_scores), "int32"), axis=-1)
    return ops.less(higher, k)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the ``k`` highest predictions, else 0.0 (per sample).

    Example:
        >>> keras.metrics.top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1)
        <Tensor shape=(2,) dtype=float32 numpy=[0. 1.]>
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    _check_one_hot("top_k_categorical_accuracy", y_true, y_pred, "sparse_top_k_categorical_accuracy")
    labels = ops.argmax(y_true, axis=-1)
    flat = _in_top_k(ops.reshape(labels, (-1,)), ops.reshape(y_pred, (-1, y_pred.shape[-1])), k)
    return ops.cast(ops.reshape(flat, labels.shape), config.floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the ``k`` highest predictions, else 0.0 (per sample).

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids already sorted best first (as a retrieval model
    returns them), and the label only has to appear among the first ``k`` of them.

    Example:
        >>> keras.metrics.sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=2)
        <Tensor shape=(2,) dtype=float32 numpy=[1. 1.]>
        >>> keras.metrics.sparse_top_k_categorical_accuracy([2, 1], [[0, 2, 1], [2, 0, 1]], k=2, from_sorted_ids=True)
        <Tensor shape=(2,) dtype=float32 numpy=[1. 0.]>
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if from_sorted_ids:
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = ops.squeeze(y_true, -1)
        ids = ops.cast(y_pred[..., :k], "int64")
        found = ops.any(ops.equal(ops.expand_dims(ops.cast(y_true, "int64"), -1), ids), axis=-1)
        return ops.cast(found, config.floatx())
    labels = ops.cast(_check_sparse("sparse_top_k_categorical_accuracy", y_true, y_pred,
                                    "top_k_categorical_accuracy"), "int32")
    flat = _in_top_k(ops.reshape(labels, (-1,)), ops.reshape(y_pred, (-1, y_pred.shape[-1])), k)
    return ops.cast(ops.reshape(flat, labels.shape), config.floatx())


# ---------------------------------------------------------------------------------------------------------
# Accuracy metrics: the running mean of those functions
# ---------------------------------------------------------------------------------------------------------


class Accuracy(MeanMetricWrapper):
    """How often predictions equal the labels exactly (:func:`accuracy`).

    In ``compile(metrics=["accuracy"])`` the model picks the binary, categorical or sparse accuracy that fits
    its loss and shapes; this class is the literal "equal values" accuracy.

    Example:
        >>> m = keras.metrics.Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the 0/1 labels (:func:`binary_accuracy`).

    Example:
        >>> m = keras.metrics.BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self):
        """Name, dtype and threshold."""
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the largest prediction is the one-hot label's class (:func:`categorical_accuracy`).

    Example:
        >>> m = keras.metrics.CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the largest prediction is the integer label (:func:`sparse_categorical_accuracy`).

    Example:
        >>> m = keras.metrics.SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
        >>> round(float(m.result()), 6)
        0.3
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest predictions.

    Example:
        >>> m = keras.metrics.TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self):
        """Name, dtype and k."""
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest predictions.

    ``from_sorted_ids=True``: ``y_pred`` holds class ids sorted best first, not scores
    (see :func:`sparse_top_k_categorical_accuracy`).

    Example:
        >>> m = keras.metrics.SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self):
        """Name, dtype, k (and from_sorted_ids when set, as Keras writes it)."""
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
