"""Intersection-over-union metrics for (semantic) segmentation and classification.

For a class, IoU = ``tp / (tp + fp + fn)``: the overlap of the pixels labelled with it and the pixels predicted
as it, divided by their union. The metrics keep a running confusion matrix over all batches and average the
IoU of the chosen classes, leaving out classes that appear in neither labels nor predictions.

As in Keras, the confusion matrix has an integer dtype by default (``dtype='int32'``), so sample weights are
cut to integers: pass ``dtype='float32'`` to use fractional weights.
"""

import warnings

from kerasnb import config, ops
from kerasnb.metrics import metrics_utils
from kerasnb.metrics.base import Metric, as_tensor


class _IoUBase(Metric):
    """The running confusion matrix shared by the IoU metrics."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        # An integer matrix by default, as Keras: counts of pixels stay exact however many batches are added.
        super().__init__(name=name, dtype=dtype or "int32")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), initializer="zeros",
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch to the confusion matrix.

        ``y_true``/``y_pred`` hold class ids (any shape; flattened), or scores/one-hot vectors along ``axis``
        when ``sparse_y_true``/``sparse_y_pred`` is False. Ids outside ``[0, num_classes)`` and labels equal
        to ``ignore_class`` are left out.
        """
        if not self.sparse_y_true:
            y_true = ops.argmax(as_tensor(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(as_tensor(y_pred), axis=self.axis)
        y_true = ops.reshape(as_tensor(y_true, self.dtype), (-1,))
        y_pred = ops.reshape(as_tensor(y_pred, self.dtype), (-1,))
        sample_weight = as_tensor(1 if sample_weight is None else sample_weight)
        if "int" in self.dtype and sample_weight.dtype.kind == "f":
            cut = ops.cast(sample_weight, self.dtype)
            if bool(ops.any(ops.not_equal(ops.cast(cut, sample_weight.dtype), sample_weight)).numpy()):
                warnings.warn(f"{type(self).__name__}: fractional sample weights are cut to integers, because the "
                              f"metric's dtype is {self.dtype!r}. Pass dtype='float32' to use them as they are.",
                              stacklevel=2)
        sample_weight = as_tensor(sample_weight, self.dtype)
        if sample_weight.ndim > 1:
            sample_weight = ops.reshape(sample_weight, (-1,))
        sample_weight = ops.broadcast_to(sample_weight, y_true.shape)
        keep = ops.logical_and(
            ops.logical_and(ops.greater_equal(y_true, 0), ops.less(y_true, self.num_classes)),
            ops.logical_and(ops.greater_equal(y_pred, 0), ops.less(y_pred, self.num_classes)),
        )
        if self.ignore_class is not None:
            keep = ops.logical_and(keep, ops.not_equal(y_true, self.ignore_class))
        zero = ops.zeros_like(y_true)
        y_true, y_pred = ops.where(keep, y_true, zero), ops.where(keep, y_pred, zero)
        sample_weight = ops.where(keep, sample_weight, ops.zeros_like(sample_weight))
        self.total_cm.assign_add(metrics_utils.confusion_matrix(y_true, y_pred, self.num_classes,
                                                                weights=sample_weight, dtype=self.dtype))


class IoU(_IoUBase):
    """The mean IoU over the classes ``target_class_ids`` (a single class's IoU when given one).

    Args:
        num_classes: the number of classes (the confusion matrix is ``num_classes`` x ``num_classes``).
        target_class_ids: the classes whose IoU is averaged.
        name, dtype: the metric's name and the confusion matrix's dtype (default ``'int32'``).
        ignore_class: a label (e.g. 255 for "void") whose samples are left out.
        sparse_y_true, sparse_y_pred: whether labels/predictions are class ids (True) or vectors along ``axis``
            whose argmax is taken.
        axis: the class axis for non-sparse inputs.

    Example:
        >>> m = keras.metrics.IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])   # class 0: 1 pixel in both, 3 in either
        >>> m.result()   # 1/3, a hair less: epsilon() is added to the denominators, as in Keras
        <Tensor shape=() dtype=float32 numpy=0.3333333>
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        """The mean IoU of the target classes present in labels or predictions (a float32 scalar)."""
        cm = self.total_cm.value
        predicted_counts = ops.sum(cm, axis=0)  # per class: tp + fp
        true_counts = ops.sum(cm, axis=1)  # per class: tp + fn
        true_positives = ops.sum(cm * ops.eye(self.num_classes, dtype=cm.dtype), axis=0)  # the diagonal
        union = predicted_counts + true_counts - true_positives
        targets = ops.convert_to_tensor(self.target_class_ids, dtype="int32")
        true_positives = ops.cast(ops.take(true_positives, targets), "float32")
        union = ops.cast(ops.take(union, targets), "float32")
        present = ops.greater(union, 1e-9)  # a class in neither labels nor predictions does not count
        iou = ops.where(present, true_positives / (union + config.epsilon()), 0.0)
        return ops.sum(iou) / (ops.sum(ops.cast(present, "float32")) + config.epsilon())

    def get_config(self):
        """Name, dtype and every constructor argument."""
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """The IoU of binary segmentation: predictions ``>= threshold`` are class 1, the others class 0.

    Args:
        target_class_ids: the classes averaged: ``(0, 1)`` (default), ``[1]`` (the foreground only), ...
        threshold: the threshold on the predicted probability (default 0.5).
        name, dtype: the metric's name and the confusion matrix's dtype (default ``'int32'``).

    Example:
        >>> m = keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
        >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
        >>> float(m.result())
        0.3333333432674408
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Threshold the predictions, then add the batch to the confusion matrix."""
        predicted = ops.cast(ops.greater_equal(as_tensor(y_pred, "float32"), self.threshold), self.dtype)
        super().update_state(y_true, predicted, sample_weight)

    def get_config(self):
        """target_class_ids, threshold, name and dtype."""
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """The mean IoU over all ``num_classes`` classes (those present in labels or predictions).

    Args:
        num_classes: the number of classes.
        name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: as :class:`IoU`.

    Example:
        >>> m = keras.metrics.MeanIoU(num_classes=2)
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])   # each class: 1 pixel in both, 3 in either
        >>> float(m.result())
        0.3333333432674408
        >>> m = keras.metrics.MeanIoU(num_classes=2, dtype="float32")   # fractional weights need a float dtype
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
        >>> round(float(m.result()), 6)
        0.238095
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        """num_classes, name, dtype, ignore_class, sparse_y_true, sparse_y_pred and axis."""
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """:class:`IoU` for one-hot labels (and, by default, score vectors as predictions): the argmax along
    ``axis`` is taken first.

    Example:
        >>> y_true = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]])
        >>> y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
        >>> m = keras.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2], dtype="float32")
        >>> m.update_state(y_true, y_pred, sample_weight=[0.1, 0.2, 0.3, 0.4])
        >>> round(float(m.result()), 4)
        0.0714
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        """num_classes, target_class_ids, name, dtype, ignore_class, sparse_y_pred and axis."""
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """:class:`MeanIoU` for one-hot labels (and, by default, score vectors as predictions).

    Example:
        >>> m = keras.metrics.OneHotMeanIoU(num_classes=3)
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0]], [[0.2, 0.3, 0.5], [0.6, 0.2, 0.2], [0.5, 0.3, 0.2]])
        >>> round(float(m.result()), 4)   # IoU 1, 1/2 and 0 for classes 2, 0 and 1
        0.5
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        """num_classes, name, dtype, ignore_class, sparse_y_pred and axis."""
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
