"""Counting true/false positives/negatives at thresholds, and confusion matrices: the machinery under the
confusion metrics (:mod:`~kerasnb.metrics.confusion_metrics`) and the IoU metrics, following Keras's
``metrics_utils`` step by step so that the counts (and every value made from them) are Keras's.

A prediction ``p`` counts as *positive* at threshold ``t`` when ``p > t``; a label counts as positive when it is
non-zero. Each count adds the sample's weight (1 without ``sample_weight``).
"""

import numpy as np

from kerasnb import config, ops
from kerasnb.engine.arrays import array_module
from kerasnb.engine.tensor import Tensor
from kerasnb.losses import squeeze_or_expand_to_same_rank
from kerasnb.metrics.base import as_tensor

# The threshold that makes every prediction kept by `top_k` positive: below any score a model can give.
NEG_INF = -1e10

COUNTS = ("tp", "fp", "tn", "fn")


def parse_thresholds(thresholds, default):
    """A list of thresholds from a number, a list or ``None`` (then ``[default]``); each must lie in [0, 1].

    Example:
        >>> from kerasnb.metrics.metrics_utils import parse_thresholds
        >>> parse_thresholds(None, 0.5), parse_thresholds(0.3, 0.5), parse_thresholds((0.2, 0.8), 0.5)
        ([0.5], [0.3], [0.2, 0.8])
    """
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    invalid = [t for t in values if t is None or t < 0 or t > 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return values


def is_evenly_distributed(thresholds):
    """Are the thresholds ``0, 1/(n-1), 2/(n-1), ..., 1`` (to within ``epsilon``), with at least three of them?

    Then every prediction can be put in its bucket between two thresholds in one pass (see
    :func:`update_confusion_matrix_variables`), instead of being compared with every threshold.

    Example:
        >>> from kerasnb.metrics.metrics_utils import is_evenly_distributed
        >>> is_evenly_distributed([0.0, 0.5, 1.0]), is_evenly_distributed([0.0, 0.4, 1.0])
        (True, False)
    """
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def segment_sum(values, segment_ids, num_segments):
    """The sum of ``values`` for each id in ``[0, num_segments)``; ids outside that range are dropped.

    This is Keras's ``ops.segment_sum``, written with ``bincount`` on the raw arrays: metrics are never
    differentiated, and the alternative with ops (a one-hot matrix) would need ``len(values) * num_segments``
    numbers. ``bincount`` adds in float64; the sums are then rounded to ``values``' dtype.

    Example:
        >>> from kerasnb.metrics.metrics_utils import segment_sum
        >>> values, ids = keras.ops.convert_to_tensor([1.0, 2.0, 4.0, 8.0]), keras.ops.convert_to_tensor([0, 2, 0, -1])
        >>> segment_sum(values, ids, 3)
        <Tensor shape=(3,) dtype=float32 numpy=[5. 0. 2.]>
    """
    ids, data = segment_ids.data.ravel(), values.data.ravel()
    xp = array_module(ids, data)
    keep = (ids >= 0) & (ids < num_segments)
    # np.intp: bincount takes the platform's index type (int32 in WebAssembly), not int64 there.
    sums = xp.bincount(ids[keep].astype(np.intp), weights=data[keep].astype(np.float64), minlength=num_segments)
    return Tensor(sums.astype(values.dtype))


def _filter_top_k(x, k):
    """``x`` with all but the ``k`` largest values of each row (last axis) replaced by :data:`NEG_INF`."""
    _, top_indices = ops.top_k(x, k)
    in_top_k = ops.sum(ops.one_hot(top_indices, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * in_top_k + NEG_INF * (1 - in_top_k)


def update_confusion_matrix_variables(variables, y_true, y_pred, thresholds, top_k=None, class_id=None,
                                      sample_weight=None, multi_label=False, label_weights=None,
                                      thresholds_distributed_evenly=False):
    """Add a batch's weighted counts of true/false positives/negatives, one per threshold, to ``variables``.

    Args:
        variables: a dict from ``'tp'``, ``'fp'``, ``'tn'``, ``'fn'`` (any of them) to the variables to update,
            of shape ``(num_thresholds,)``, or ``(num_thresholds, num_labels)`` with ``multi_label``.
        y_true: labels; non-zero means positive.
        y_pred: predictions (probabilities) of ``y_true``'s shape (a trailing size-1 axis may differ).
        thresholds: the thresholds (a list of floats).
        top_k: only the ``k`` largest predictions of each row may count as positive.
        class_id: count only that class (an index on the last axis).
        sample_weight: weights, one per sample or of ``y_true``'s shape.
        multi_label: keep the last axis as separate labels (counts per label) instead of flattening everything.
        label_weights: a weight per label (last axis), used when not ``multi_label``.
        thresholds_distributed_evenly: the thresholds are evenly spaced over [0, 1] (see
            :func:`is_evenly_distributed`), which allows the fast bucketed count.

    Example:
        >>> from kerasnb.metrics.metrics_utils import update_confusion_matrix_variables
        >>> tp, fn = keras.Variable([0.0, 0.0]), keras.Variable([0.0, 0.0])
        >>> update_confusion_matrix_variables({"tp": tp, "fn": fn}, [0, 1, 1, 1], [0.2, 0.4, 0.6, 0.9], [0.3, 0.7])
        >>> tp.numpy(), fn.numpy()
        (array([3., 1.], dtype=float32), array([0., 2.], dtype=float32))
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multi-label data are applied by the metric (AUC), not per count.")
    unknown = set(variables) - set(COUNTS)
    if unknown:
        raise ValueError(f"Unknown confusion matrix counts {sorted(unknown)}; the valid keys are {list(COUNTS)}.")
    dtype = next(iter(variables.values())).dtype
    y_true, y_pred = as_tensor(y_true, dtype), as_tensor(y_pred, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        # As Keras: one weight per sample, (batch,), becomes (batch, 1) and so weighs every label of its row;
        # against rank-1 labels the added axis is squeezed away again.
        sample_weight = ops.expand_dims(as_tensor(sample_weight, dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), "
                f"found shape: {y_pred.shape}"
            )
        # A slice, not an index, keeps the class axis (size 1), so per-sample weights still line up.
        y_true, y_pred = y_true[..., class_id:class_id + 1], y_pred[..., class_id:class_id + 1]

    positive = ops.cast(ops.not_equal(y_true, 0), dtype)  # Keras casts the labels to bool
    weights = ops.ones_like(y_pred) if sample_weight is None else ops.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None:
        weights = weights * ops.broadcast_to(ops.expand_dims(as_tensor(label_weights, dtype), 0), y_pred.shape)
    if not multi_label:  # one long list of predictions
        positive, y_pred, weights = (ops.reshape(t, (-1,)) for t in (positive, y_pred, weights))
    true_weights, false_weights = positive * weights, (1.0 - positive) * weights

    if thresholds_distributed_evenly:
        counts = _bucketed_counts(true_weights, false_weights, y_pred, thresholds, multi_label)
    else:
        counts = _thresholded_counts(true_weights, false_weights, y_pred, thresholds, dtype)
    for key, variable in variables.items():
        variable.assign_add(counts[key])


def _thresholded_counts(true_weights, false_weights, y_pred, thresholds, dtype):
    """The counts by comparing every prediction with every threshold: ``(num_thresholds, ...)`` booleans."""
    thresholds = as_tensor(np.asarray(thresholds), dtype)
    thresholds = ops.reshape(thresholds, (-1,) + (1,) * y_pred.ndim)  # thresholds on a new first axis
    predicted = ops.cast(ops.greater(ops.expand_dims(y_pred, 0), thresholds), y_pred.dtype)
    not_predicted = 1.0 - predicted
    return {
        "tp": ops.sum(predicted * true_weights, axis=1),
        "fp": ops.sum(predicted * false_weights, axis=1),
        "tn": ops.sum(not_predicted * false_weights, axis=1),
        "fn": ops.sum(not_predicted * true_weights, axis=1),
    }


def _bucketed_counts(true_weights, false_weights, y_pred, thresholds, multi_label):
    """The counts for evenly spaced thresholds in one pass over the predictions (Keras's optimized path).

    With ``n`` thresholds ``i / (n-1)``, a prediction ``p`` is above exactly the thresholds ``0 .. b`` where
    ``b = ceil(p (n-1)) - 1``, its bucket. Summing the weights per bucket and then cumulatively from the top
    bucket down gives, for each threshold, the weight of all predictions above it.
    """
    n = len(thresholds)
    # Keras's AUC adds a threshold just below 0 and just above 1 (for rounding); then p = 0 is above the first.
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    y_pred = ops.clip(y_pred, 0.0, 1.0)
    buckets = ops.ceil(y_pred * (n - 1)) - 1  # in y_pred's dtype, as Keras, so predictions land where Keras's do
    if with_epsilon:
        buckets = ops.maximum(buckets, 0)
    buckets = ops.cast(buckets, "int32")
    if multi_label:
        # One run of buckets per label: label j uses the ids j*n .. j*n + n-1.
        num_labels = y_pred.shape[-1]
        offsets = ops.arange(num_labels, dtype="int32") * n
        buckets = ops.where(ops.less(buckets, 0), -1, buckets + offsets)  # bucket -1 (below all) stays dropped
        per_bucket = [ops.transpose(ops.reshape(segment_sum(w, buckets, n * num_labels), (num_labels, n)))
                      for w in (true_weights, false_weights)]
    else:
        per_bucket = [segment_sum(w, buckets, n) for w in (true_weights, false_weights)]
    # tp[i] = the weight of positives in buckets i, i+1, ..., n-1: a cumulative sum from the top.
    tp, fp = (ops.flip(ops.cumsum(ops.flip(b, axis=0), axis=0), axis=0) for b in per_bucket)
    return {"tp": tp, "fp": fp, "fn": ops.sum(true_weights, axis=0) - tp, "tn": ops.sum(false_weights, axis=0) - fp}


def confusion_matrix(labels, predictions, num_classes, weights=None, dtype="int32"):
    """The ``(num_classes, num_classes)`` matrix whose entry ``[i, j]`` adds up the weights of the samples with
    label ``i`` predicted as ``j`` (rows: true classes; columns: predicted classes).

    Example:
        >>> from kerasnb.metrics.metrics_utils import confusion_matrix
        >>> confusion_matrix([1, 2, 2], [2, 2, 0], num_classes=3)
        <Tensor shape=(3, 3) dtype=int32 numpy=
        [[0 0 0]
         [0 0 1]
         [1 0 1]]>
    """
    labels = ops.reshape(as_tensor(labels, dtype), (-1,))
    predictions = ops.reshape(as_tensor(predictions, dtype), (-1,))
    weights = ops.ones_like(labels) if weights is None else ops.reshape(as_tensor(weights, dtype), (-1,))
    cells = ops.cast(labels, "int64") * num_classes + ops.cast(predictions, "int64")  # cell [i, j] as i*C + j
    return ops.reshape(segment_sum(weights, cells, num_classes * num_classes), (num_classes, num_classes))
