"""Regression metrics: the running mean of a per-sample error (most are a loss function averaged over all
samples seen), the root of the mean squared error, cosine similarity, and the R² score."""

import warnings

from kerasnb import losses, ops
from kerasnb.losses import (
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    squeeze_or_expand_to_same_rank,
)
from kerasnb.metrics.base import Metric, as_tensor
from kerasnb.metrics.reduction_metrics import Mean, MeanMetricWrapper, _LossMetric


class MeanSquaredError(_LossMetric):
    """The mean squared error over all samples seen (:func:`~kerasnb.losses.mean_squared_error`).

    Example:
        >>> m = keras.metrics.MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.25
    """

    _loss_fn = staticmethod(mean_squared_error)

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanAbsoluteError(_LossMetric):
    """The mean absolute error over all samples seen (:func:`~kerasnb.losses.mean_absolute_error`).

    Example:
        >>> m = keras.metrics.MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
        >>> float(m.result())
        0.5
    """

    _loss_fn = staticmethod(mean_absolute_error)

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanAbsolutePercentageError(_LossMetric):
    """The mean absolute percentage error over all samples seen
    (:func:`~kerasnb.losses.mean_absolute_percentage_error`). Targets of 0 give huge values (they are divided by
    ``epsilon()``), as in Keras.

    Example:
        >>> m = keras.metrics.MeanAbsolutePercentageError()
        >>> m.update_state([[100.0, 200.0]], [[90.0, 210.0]])   # 10 % and 5 % off
        >>> round(float(m.result()), 4)
        7.5
    """

    _loss_fn = staticmethod(mean_absolute_percentage_error)

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_LossMetric):
    """The mean squared logarithmic error over all samples seen
    (:func:`~kerasnb.losses.mean_squared_logarithmic_error`).

    Example:
        >>> m = keras.metrics.MeanSquaredLogarithmicError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        <Tensor shape=() dtype=float32 numpy=0.12011322>
    """

    _loss_fn = staticmethod(mean_squared_logarithmic_error)

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class LogCoshError(_LossMetric):
    """The mean of ``log(cosh(y_pred - y_true))`` over all samples seen (:func:`~kerasnb.losses.log_cosh`).

    Example:
        >>> m = keras.metrics.LogCoshError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        >>> m.result()   # log(cosh(1)) / 2 for the first sample, 0 for the second
        <Tensor shape=() dtype=float32 numpy=0.1084452>
    """

    _loss_fn = staticmethod(log_cosh)

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """The square root of the mean squared error over all samples seen: in the units of the targets.

    The root is taken of the mean over all samples, not averaged per batch (the mean of per-batch roots would
    be a different, smaller number).

    Example:
        >>> m = keras.metrics.RootMeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.5
        >>> m.reset_state()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
        >>> m.result()
        <Tensor shape=() dtype=float32 numpy=0.70710677>
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the squared errors of the batch to the running mean."""
        y_true, y_pred = as_tensor(y_true, self.dtype), as_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(ops.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        """``sqrt(mean of the squared errors)``."""
        return ops.sqrt(super().result())


def cosine_similarity(y_true, y_pred, axis=-1):
    """Cosine similarity along ``axis``: 1 when the vectors point the same way, 0 when orthogonal, -1 when
    opposite. The metric's sign; the loss :func:`keras.losses.cosine_similarity` is its negative.

    Formula:
        ``sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)``

    Example:
        >>> keras.metrics.cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.         0.99999994]>
    """
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between predictions and targets over all samples seen
    (:func:`cosine_similarity`; 1 is best).

    Args:
        name, dtype: the metric's name and dtype.
        axis: the axis of the vectors compared (default -1).

    Its config includes ``axis`` (Keras's leaves it out, so a Keras config rebuilds with ``axis=-1``).

    Example:
        >>> m = keras.metrics.CosineSimilarity(axis=1)
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> m.result()
        <Tensor shape=() dtype=float32 numpy=0.49999997>
        >>> m.reset_state()
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]], sample_weight=[0.3, 0.7])
        >>> m.result()
        <Tensor shape=() dtype=float32 numpy=0.6999999>
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        """Name, dtype and axis."""
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class R2Score(Metric):
    """The coefficient of determination R²: ``1 - (sum of squared errors) / (sum of squared deviations of the
    targets from their mean)``, over all samples seen. 1 is perfect; 0 is no better than predicting the mean.

    Inputs have shape ``(batch, outputs)``; each output gets its own R², then they are combined.

    Args:
        class_aggregation: ``'uniform_average'`` (default; the mean over outputs), ``'variance_weighted_average'``
            (weighted by each output's variance) or ``None`` (one R² per output).
        num_regressors: for the adjusted R², the number of independent variables of the model (0: plain R²).
        name, dtype: the metric's name and dtype.

    Example:
        >>> m = keras.metrics.R2Score()
        >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
        >>> float(m.result())   # 1 - 2 / (14/3)
        0.5714285373687744
    """

    _AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if class_aggregation not in self._AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of {self._AGGREGATIONS}. "
                             f"Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}.")
        n = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(n,), initializer="zeros", name="squared_sum")
        self.sum = self.add_variable(shape=(n,), initializer="zeros", name="sum")
        self.total_mse = self.add_variable(shape=(n,), initializer="zeros", name="residual")
        self.count = self.add_variable(shape=(n,), initializer="zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) sums of targets, squared targets and squared errors, per output."""
        y_true, y_pred = as_tensor(y_true, self.dtype), as_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        weights = as_tensor(1 if sample_weight is None else sample_weight, self.dtype)
        if weights.ndim == 1:
            weights = ops.expand_dims(weights, 1)  # one weight per sample, for every output
        weights = ops.broadcast_to(weights, y_true.shape)
        weighted_y_true = y_true * weights
        self.sum.assign_add(ops.sum(weighted_y_true, axis=0))
        self.squared_sum.assign_add(ops.sum(y_true * weighted_y_true, axis=0))
        self.total_mse.assign_add(ops.sum(ops.square(y_true - y_pred) * weights, axis=0))
        self.count.assign_add(ops.sum(weights, axis=0))
        self.num_samples.assign_add(y_true.size)

    def result(self):
        """The (adjusted) R² score: one number, or one per output with ``class_aggregation=None``."""
        total_sum, count = self.sum.value, self.count.value
        mean = total_sum / count
        total = self.squared_sum.value - total_sum * mean  # the weighted sum of squared deviations from the mean
        raw_scores = 1 - self.total_mse.value / total
        raw_scores = ops.where(ops.isinf(raw_scores), 0.0, raw_scores)  # constant targets: no variance to explain
        if self.class_aggregation == "uniform_average":
            score = ops.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = ops.sum(total * raw_scores) / ops.sum(total)
        else:
            score = raw_scores
        if self.num_regressors != 0:
            n, p = float(self.num_samples.numpy()), self.num_regressors
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            elif p == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                              stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return score

    def get_config(self):
        """Name, dtype, class_aggregation and num_regressors."""
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
