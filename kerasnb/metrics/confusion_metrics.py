"""Metrics made from counts of true/false positives/negatives: the counts themselves, precision and recall,
the area under the ROC or precision-recall curve (AUC), and one rate at a fixed value of another (e.g. the
sensitivity at 90 % specificity).

A prediction counts as positive at threshold ``t`` when it is *greater* than ``t`` (default 0.5); a label counts
as positive when it is non-zero. Predictions are probabilities: a model that outputs logits needs a sigmoid
first (``AUC`` has ``from_logits=True`` for that). The counts add up sample weights, so every metric here is the
value over all samples seen since the last ``reset_state()``, however they were split into batches.
"""

import numpy as np

from kerasnb import config, ops
from kerasnb.losses import _divide_no_nan
from kerasnb.metrics import metrics_utils
from kerasnb.metrics.base import Metric, as_tensor

# ---------------------------------------------------------------------------------------------------------
# The four counts
# ---------------------------------------------------------------------------------------------------------


class _ConfusionMatrixConditionCount(Metric):
    """One of the four counts, at one or more thresholds (the shared code of ``TruePositives`` and co.)."""

    _count = None  # 'tp', 'fp', 'tn' or 'fn', set by each subclass

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = metrics_utils.parse_thresholds(thresholds, default=0.5)
        self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), initializer="zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) count at every threshold."""
        metrics_utils.update_confusion_matrix_variables(
            {self._count: self.accumulator}, y_true, y_pred, self.thresholds, sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def result(self):
        """The count: a scalar for one threshold, else one count per threshold."""
        return self.accumulator[0] if len(self.thresholds) == 1 else self.accumulator.value

    def get_config(self):
        """Name, dtype and thresholds (as given)."""
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of positive labels predicted positive (prediction > threshold).

    Args:
        thresholds: a threshold in [0, 1] or a list of them (then the result has one count per threshold);
            default 0.5.
        name, dtype: the metric's name and dtype.

    Example:
        >>> m = keras.metrics.TruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())
        2.0
        >>> m.reset_state()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
        >>> float(m.result())
        1.0
    """

    _count = "tp"


class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of negative labels predicted positive (prediction > threshold).

    Args: as :class:`TruePositives`.

    Example:
        >>> m = keras.metrics.FalsePositives(thresholds=[0.25, 0.5, 0.75])
        >>> m.update_state([0, 1, 0, 0], [0.3, 0.0, 0.6, 0.9])
        >>> m.result()
        <Tensor shape=(3,) dtype=float32 numpy=[3. 2. 1.]>
    """

    _count = "fp"


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of negative labels predicted negative (prediction <= threshold).

    Args: as :class:`TruePositives`.

    Example:
        >>> m = keras.metrics.TrueNegatives()
        >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    _count = "tn"


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of positive labels predicted negative (prediction <= threshold).

    Args: as :class:`TruePositives`.

    Example:
        >>> m = keras.metrics.FalseNegatives()
        >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    _count = "fn"


# ---------------------------------------------------------------------------------------------------------
# Precision and recall
# ---------------------------------------------------------------------------------------------------------


class _PrecisionRecall(Metric):
    """Precision and recall share everything but the second count: false positives or false negatives."""

    _other = None  # ('fp', 'false_positives') for precision, ('fn', 'false_negatives') for recall

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        # With top_k, a prediction is positive when it is among the k largest of its row, whatever its value.
        default = 0.5 if top_k is None else metrics_utils.NEG_INF
        self.thresholds = metrics_utils.parse_thresholds(thresholds, default=default)
        self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), initializer="zeros", name="true_positives")
        other_name = self._other[1]
        setattr(self, other_name, self.add_variable(shape=(n,), initializer="zeros", name=other_name))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's true positives and false positives (precision) or false negatives (recall)."""
        key, other_name = self._other
        metrics_utils.update_confusion_matrix_variables(
            {"tp": self.true_positives, key: getattr(self, other_name)}, y_true, y_pred, self.thresholds,
            top_k=self.top_k, class_id=self.class_id, sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def result(self):
        """``tp / (tp + other)`` (0 where nothing was counted): a scalar for one threshold, else a vector."""
        tp, other = self.true_positives.value, getattr(self, self._other[1]).value
        value = _divide_no_nan(tp, tp + other)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        """Name, dtype, thresholds (as given), top_k and class_id."""
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """Of the samples predicted positive, the fraction that are positive: ``tp / (tp + fp)``.

    Args:
        thresholds: a threshold in [0, 1] or a list of them (then the result has one precision per threshold);
            default 0.5, or with ``top_k`` no threshold at all.
        top_k: count only the ``k`` highest predictions of each row as positive (multi-label data).
        class_id: the precision of that class only (an index on the last axis of ``y_pred``).
        name, dtype: the metric's name and dtype.

    Example:
        >>> m = keras.metrics.Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())
        0.6666666865348816
        >>> m = keras.metrics.Precision(top_k=2)   # only the 2 highest predictions count as positive
        >>> m.update_state([[0, 0, 1, 1]], [[0.9, 0.8, 0.3, 0.1]])
        >>> float(m.result())
        0.0
    """

    _other = ("fp", "false_positives")


class Recall(_PrecisionRecall):
    """Of the positive samples, the fraction predicted positive: ``tp / (tp + fn)``.

    Args: as :class:`Precision`.

    Example:
        >>> m = keras.metrics.Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())
        0.6666666865348816
        >>> m = keras.metrics.Recall(class_id=1)   # recall of class 1 in one-hot data
        >>> m.update_state([[0, 1], [0, 1], [1, 0]], [[0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])
        >>> float(m.result())
        0.5
    """

    _other = ("fn", "false_negatives")


# ---------------------------------------------------------------------------------------------------------
# One rate at a fixed value of another
# ---------------------------------------------------------------------------------------------------------


class SensitivitySpecificityBase(Metric):
    """Shared code of the "X at a given Y" metrics: all four counts at ``num_thresholds`` evenly spaced
    thresholds, and the best X among the thresholds where Y reaches the given value."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError(
                f"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds, self._thresholds_distributed_evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._thresholds_distributed_evenly = [0.0] + inner + [1.0], True
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), initializer="zeros", name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), initializer="zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape=(n,), initializer="zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape=(n,), initializer="zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's four counts at every threshold."""
        metrics_utils.update_confusion_matrix_variables(
            {"tp": self.true_positives, "tn": self.true_negatives, "fp": self.false_positives,
             "fn": self.false_negatives}, y_true, y_pred, self.thresholds, class_id=self.class_id,
            sample_weight=sample_weight, thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def _rates(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {"sensitivity": _divide_no_nan(tp, tp + fn), "specificity": _divide_no_nan(tn, tn + fp),
                "precision": _divide_no_nan(tp, tp + fp)}

    def _find_max_under_constraint(self, constrained, dependent):
        """The largest ``dependent`` value among the thresholds where ``constrained >= value`` (0 if none)."""
        feasible = ops.greater_equal(constrained, self.value)
        return ops.max(ops.where(feasible, dependent, 0.0), initial=0)

    def get_config(self):
        """Name, dtype and class_id (subclasses add their own arguments)."""
        return {**super().get_config(), "class_id": self.class_id}


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall, ``tp / (tp + fn)``) at any threshold where the specificity
    (``tn / (tn + fp)``) is at least ``specificity``.

    Args:
        specificity: the specificity to reach, in [0, 1].
        num_thresholds: how many evenly spaced thresholds in [0, 1] to try (default 200).
        class_id: the metric for that class only (an index on the last axis).
        name, dtype: the metric's name and dtype.

    Example:
        >>> m = keras.metrics.SensitivityAtSpecificity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit_interval("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        """The best sensitivity under the specificity constraint."""
        rates = self._rates()
        return self._find_max_under_constraint(rates["specificity"], rates["sensitivity"])

    def get_config(self):
        """Name, dtype, class_id, num_thresholds and specificity."""
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "specificity": self.specificity}


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity (``tn / (tn + fp)``) at any threshold where the sensitivity (recall) is at least
    ``sensitivity``.

    Args: ``sensitivity`` in [0, 1]; the others as :class:`SensitivityAtSpecificity`.

    Example:
        >>> m = keras.metrics.SpecificityAtSensitivity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(m.result()), 6)
        0.666667
    """

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit_interval("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        """The best specificity under the sensitivity constraint."""
        rates = self._rates()
        return self._find_max_under_constraint(rates["sensitivity"], rates["specificity"])

    def get_config(self):
        """Name, dtype, class_id, num_thresholds and sensitivity."""
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "sensitivity": self.sensitivity}


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision at any threshold where the recall is at least ``recall``.

    Args: ``recall`` in [0, 1]; the others as :class:`SensitivityAtSpecificity`.

    Example:
        >>> m = keras.metrics.PrecisionAtRecall(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit_interval("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        """The best precision under the recall constraint."""
        rates = self._rates()
        return self._find_max_under_constraint(rates["sensitivity"], rates["precision"])

    def get_config(self):
        """Name, dtype, class_id, num_thresholds and recall."""
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "recall": self.recall}


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall at any threshold where the precision is at least ``precision``.

    Args: ``precision`` in [0, 1]; the others as :class:`SensitivityAtSpecificity`.

    Example:
        >>> m = keras.metrics.RecallAtPrecision(0.8)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.5
    """

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit_interval("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        """The best recall under the precision constraint."""
        rates = self._rates()
        return self._find_max_under_constraint(rates["precision"], rates["sensitivity"])

    def get_config(self):
        """Name, dtype, class_id, num_thresholds and precision."""
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "precision": self.precision}


def _check_unit_interval(name, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: {name}={value}")


# ---------------------------------------------------------------------------------------------------------
# AUC
# ---------------------------------------------------------------------------------------------------------

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """The area under the ROC curve (or the precision-recall curve), from counts at ``num_thresholds``
    thresholds, as Keras computes it.

    The ROC curve plots the true-positive rate (recall) against the false-positive rate as the threshold goes
    from 0 to 1; its area is the probability that a random positive sample scores higher than a random negative
    one (0.5 = guessing, 1 = perfect). The counts are kept at thresholds ``-ε, 1/(n-1), ..., (n-2)/(n-1),
    1+ε`` (so every prediction in [0, 1] lies between the first and the last), and the area is a Riemann sum
    over them, so it approximates the exact AUC better with more thresholds.

    Args:
        num_thresholds: how many thresholds (default 200).
        curve: ``'ROC'`` (default), ``'PR'`` (precision-recall) or ``'PRGAIN'`` (precision-recall gain).
        summation_method: ``'interpolation'`` (default): trapezoids for ROC, and for PR the interpolation of
            Davis & Goadrich (2006), which interpolates the counts rather than precision itself;
            ``'minoring'``/``'majoring'``: rectangles under/over the curve.
        name, dtype: the metric's name and dtype.
        thresholds: explicit thresholds in [0, 1] to use instead of ``num_thresholds`` evenly spaced ones
            (``-ε`` and ``1+ε`` are still added).
        multi_label: treat each column of ``(batch, labels)`` data as its own binary problem and average the
            per-label AUCs (otherwise all predictions are pooled into one curve).
        num_labels: the number of labels with ``multi_label`` (else known from the first batch).
        label_weights: with ``multi_label``, the weights of the per-label average; otherwise the weight of each
            label's samples in the pooled counts.
        from_logits: ``y_pred`` holds logits; a sigmoid is applied first.

    Example:
        >>> m = keras.metrics.AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> # thresholds [-1e-7, 0.5, 1+1e-7]: recall [1, 0.5, 0], false-positive rate [1, 0, 0]
        >>> float(m.result())   # (1 + 0.5) / 2 * (1 - 0) + (0.5 + 0) / 2 * (0 - 0)
        0.75
        >>> m = keras.metrics.AUC()
        >>> m.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> round(float(m.result()), 4)   # exact AUC: 3 of the 4 (positive, negative) pairs are ordered right
        0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        self._direction = "up"
        if str(curve).lower() not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]')
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                             '["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed([0.0] + thresholds + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        # The end points just outside [0, 1] make sure that predictions of exactly 0 or 1 fall inside.
        eps = config.epsilon()
        self._thresholds = np.array([0.0 - eps] + list(thresholds) + [1.0 + eps])
        self.curve = _CURVES[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else as_tensor(np.asarray(label_weights), self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds, including the two end points just outside [0, 1]."""
        return list(self._thresholds)

    def _build(self, shape):
        """Create the four count variables: ``(num_thresholds,)``, or ``(num_thresholds, labels)`` per label."""
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                                 f"Full shape received for `y_pred`: {tuple(shape)}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(shape=variable_shape, initializer="zeros", name="true_positives")
        self.false_positives = self.add_variable(shape=variable_shape, initializer="zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape=variable_shape, initializer="zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape=variable_shape, initializer="zeros", name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's four counts at every threshold (per label with ``multi_label``)."""
        y_pred = as_tensor(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        metrics_utils.update_confusion_matrix_variables(
            {"tp": self.true_positives, "tn": self.true_negatives, "fp": self.false_positives,
             "fn": self.false_negatives}, y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label, label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def _average_over_labels(self, per_threshold_terms):
        """Sum the area terms over thresholds; with ``multi_label``, average the per-label areas."""
        if not self.multi_label:
            return ops.sum(per_threshold_terms)
        by_label = ops.sum(per_threshold_terms, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        return _divide_no_nan(ops.sum(by_label * self.label_weights), ops.sum(self.label_weights))

    def interpolate_pr_auc(self):
        """The PR-AUC by Davis & Goadrich's interpolation (2006), exactly as Keras computes it.

        Between two thresholds the true positives ``tp`` and the predicted positives ``p = tp + fp`` change
        linearly; precision ``tp / p`` is then ``slope + intercept / p``, which integrates over recall in closed
        form: ``slope * (dtp + intercept * log(p_i / p_{i+1})) / (tp + fn)``.
        """
        n = self.num_thresholds
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = _divide_no_nan(dtp, ops.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        both_positive = ops.logical_and(ops.greater(p[: n - 1], 0), ops.greater(p[1:], 0))
        safe_p_ratio = ops.where(both_positive, _divide_no_nan(p[: n - 1], ops.maximum(p[1:], 0)),
                                 ops.ones_like(p[1:]))
        increments = _divide_no_nan(prec_slope * (dtp + intercept * ops.log(safe_p_ratio)),
                                    ops.maximum(tp[1:] + fn[1:], 0))
        return self._average_over_labels(increments)

    def result(self):
        """The area under the curve (the mean of the per-label areas with ``multi_label``)."""
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall  # false-positive rate, true-positive rate
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:  # PRGAIN: precision and recall gain (Flach & Kull 2015), clamped as Keras does
            scaling = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * _divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * _divide_no_nan(fp, tp)
            no_tp = ops.equal(tp, 0.0)
            x = ops.maximum(ops.where(no_tp, 0.0, recall_gain), 0.0)
            y = ops.where(no_tp, 1.0, precision_gain)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[: n - 1], y[1:])
        else:
            heights = ops.maximum(y[: n - 1], y[1:])
        # Thresholds rise, so x falls: each term is (x_i - x_{i+1}) * height >= 0.
        return self._average_over_labels((x[: n - 1] - x[1:]) * heights)

    def get_config(self):
        """Name, dtype and every constructor argument (explicit thresholds only when given)."""
        label_weights = None if self.label_weights is None else self.label_weights.numpy().tolist()
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": label_weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return config
