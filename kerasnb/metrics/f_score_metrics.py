"""F-scores: the (weighted) harmonic mean of precision and recall, per class or averaged, for one-hot or
multi-label data of shape ``(batch, num_classes)``."""

from kerasnb import config, ops
from kerasnb.metrics.base import Metric, as_tensor

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """The F-beta score: ``(1 + beta²) * precision * recall / (beta² * precision + recall)``.

    ``beta > 1`` weighs recall more, ``beta < 1`` precision. Inputs have shape ``(batch, num_classes)``: one-hot
    (or multi-label 0/1) ``y_true`` and scores ``y_pred``.

    Args:
        average: ``None`` (default): one score per class; ``'micro'``: one score from the counts pooled over
            all classes; ``'macro'``: the mean of the per-class scores; ``'weighted'``: their mean weighted by
            each class's number of true samples.
        beta: a float > 0 (default 1.0).
        threshold: a float in (0, 1]: predictions above it are positive. ``None`` (default): the largest
            prediction of each row is positive (and only it, unless it ties), as for one-hot targets.
        name, dtype: the metric's name and dtype.

    As in Keras, ``epsilon()`` is added to every denominator, so a class never seen gives 0 and the values are a
    hair below the exact fractions.

    Example:
        >>> m = keras.metrics.FBetaScore(beta=2.0, threshold=0.5)
        >>> y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
        >>> y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
        >>> m.update_state(y_true, y_pred)
        >>> m.result()
        <Tensor shape=(3,) dtype=float32 numpy=[0.3846154  0.90909094 0.8333332 ]>
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in _AVERAGES:
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float (e.g. beta={float(beta)!r})."
                             f" Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. "
                                 f"Received: threshold={threshold} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(f"Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        # 'micro' pools all classes into scalars; the others keep one count per class (summed over axis 0).
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        """Create the per-class (or, for 'micro', scalar) counts once the number of classes is known."""
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). Received "
                             f"input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                             f"y_true.shape={tuple(y_true_shape)}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape=shape, initializer="zeros", name="true_positives")
        self.false_positives = self.add_variable(shape=shape, initializer="zeros", name="false_positives")
        self.false_negatives = self.add_variable(shape=shape, initializer="zeros", name="false_negatives")
        self.intermediate_weights = self.add_variable(shape=shape, initializer="zeros", name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the batch's (weighted) true positives, false positives, false negatives and true counts."""
        y_true, y_pred = as_tensor(y_true, self.dtype), as_tensor(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            # The row's maximum is the predicted class; |p| > 1e-9 keeps an all-zero row from predicting everything.
            row_max = ops.max(y_pred, axis=-1, keepdims=True)
            predicted = ops.logical_and(ops.greater_equal(y_pred, row_max), ops.greater(ops.abs(y_pred), 1e-9))
        else:
            predicted = ops.greater(y_pred, self.threshold)
        predicted = ops.cast(predicted, self.dtype)
        weights = None if sample_weight is None else ops.expand_dims(as_tensor(sample_weight, self.dtype), 1)

        def weighted_sum(values):
            return ops.sum(values if weights is None else values * weights, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(predicted * y_true))
        self.false_positives.assign_add(weighted_sum(predicted * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - predicted) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        """The score: one per class (``average=None``) or one number."""
        if not self._built:
            raise ValueError(f"{type(self).__name__}.result() needs a first update_state: the number of classes "
                             "comes from the data.")
        eps = config.epsilon()
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        beta2 = self.beta**2
        score = (1 + beta2) * (precision * recall / (beta2 * precision + recall + eps))
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            return ops.sum(score * (weights / (ops.sum(weights) + eps)))
        if self.average is not None:  # 'micro' (already a scalar) and 'macro'
            return ops.mean(score)
        return score

    def get_config(self):
        """Name, dtype, average, beta and threshold."""
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score: ``2 * precision * recall / (precision + recall)``, the :class:`FBetaScore` with beta = 1.

    Args: ``average``, ``threshold``, ``name``, ``dtype`` as :class:`FBetaScore`.

    Example:
        >>> m = keras.metrics.F1Score(threshold=0.5)
        >>> y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
        >>> y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
        >>> m.update_state(y_true, y_pred)
        >>> m.result()
        <Tensor shape=(3,) dtype=float32 numpy=[0.49999997 0.79999995 0.66666657]>
        >>> m = keras.metrics.F1Score(average="macro")   # no threshold: the argmax of each row is the prediction
        >>> m.update_state([[1, 0], [0, 1], [0, 1]], [[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]])
        >>> round(float(m.result()), 4)   # class 0: precision 1/2, recall 1; class 1: precision 1, recall 1/2
        0.6667
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        """Name, dtype, average and threshold."""
        config = super().get_config()
        del config["beta"]
        return config
