"""Sum, Mean and MeanMetricWrapper: a running (weighted) total, a running mean, and the mean of a per-sample
function, which is how every loss becomes a metric."""

from kerasnb import ops
from kerasnb.engine.arrays import array_module
from kerasnb.engine.tensor import Tensor, convert_to_tensor
from kerasnb.losses import _apply_mask, _get_mask, squeeze_or_expand_to_same_rank
from kerasnb.metrics.base import Metric, detached


def _reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Per-sample values (shape ``(batch,)``) and weights, as Keras's ``reduce_to_samplewise_values``.

    Values with more axes than the weights are reduced (``reduce_fn``: mean or sum) down to the weights' rank,
    multiplied by the weights, and then reduced to one value per sample.
    """
    mask = _get_mask(values)
    values = convert_to_tensor(detached(values), dtype=dtype)
    if sample_weight is not None:
        sample_weight = convert_to_tensor(detached(sample_weight), dtype=dtype)
        if mask is not None:
            sample_weight = _apply_mask(sample_weight, mask, dtype=dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values.ndim)))
        # Broadcasting the weights does not change the product, but makes the sum of weights count every value.
        sample_weight = ops.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of all values seen.

    Example:
        >>> m = keras.metrics.Sum()
        >>> m.update_state([1, 3, 5, 7])
        >>> m.result()
        <Tensor shape=() dtype=float32 numpy=16.0>
        >>> m.reset_state()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        4.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        """Add ``values`` (times ``sample_weight``) to the total."""
        values, _ = _reduce_to_samplewise_values(values, sample_weight, ops.sum, self.dtype)
        self.total.assign_add(ops.sum(values))

    def result(self):
        """The total so far."""
        return self.total.value


class Mean(Metric):
    """The (weighted) mean of all values seen: ``total / count``.

    Values of shape ``(batch, ...)`` count as ``batch`` samples (each the mean of its row); with
    ``sample_weight``, ``count`` adds up the weights instead.

    Example:
        >>> m = keras.metrics.Mean()
        >>> m.update_state([1, 3, 5, 7])
        >>> m.result()
        <Tensor shape=() dtype=float32 numpy=4.0>
        >>> m.reset_state()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        """Add the values to ``total`` and the number of samples (or their total weight) to ``count``."""
        if (isinstance(values, Tensor) and values.ndim == 0 and _get_mask(values) is None
                and isinstance(sample_weight, (int, float)) and not isinstance(sample_weight, bool)):
            # A scalar weighted by a number: how `fit` tracks the loss, every batch. The general path below gives
            # the same total and count, through half a dozen ops.
            self.total.assign_add(values.data * sample_weight)
            self.count.assign_add(sample_weight)
            return
        values, sample_weight = _reduce_to_samplewise_values(values, sample_weight, ops.mean, self.dtype)
        self.total.assign_add(ops.sum(values))
        if sample_weight is not None:
            self.count.assign_add(ops.sum(sample_weight))
        else:
            self.count.assign_add(values.shape[0] if values.ndim else 1)

    def result(self):
        """``total / count`` (0 before any update)."""
        # Plain array arithmetic, not ops: a result is never differentiated, and `fit` asks for it every batch.
        total, count = self.total.data, self.count.data
        xp = array_module(total)
        return Tensor(xp.where(count == 0, xp.zeros_like(total), total / xp.where(count == 0, 1, count)))


class MeanMetricWrapper(Mean):
    """The mean over all samples of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Any loss function makes a metric this way; the accuracy metrics are built like this too.

    Args:
        fn: the function; it returns one value per sample (or more, which are averaged per sample).
        name: the metric's name; ``None`` means the function's name.
        dtype: the dtype of the state and the result.
        **kwargs: passed on to ``fn``.

    Example:
        >>> m = keras.metrics.MeanMetricWrapper(keras.losses.mean_absolute_error)
        >>> m.name
        'mean_absolute_error'
        >>> m.update_state([[0.0, 1.0]], [[1.0, 1.0]])          # 0.5 for one sample
        >>> m.update_state([[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]])  # 0 for two samples
        >>> round(float(m.result()), 4)
        0.1667
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        # Keras would name it 'mean_metric_wrapper'; the function's own name says more in logs.
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if getattr(fn, "__module__", None) == "kerasnb.losses":
            self._direction = "down"  # a loss: smaller is better (callbacks read this)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Compute ``fn(y_true, y_pred)`` per sample and add it to the mean (weighted by ``sample_weight``)."""
        mask = _get_mask(y_pred)
        values = self._fn(detached(y_true), detached(y_pred), **self._fn_kwargs)
        sample_weight = _apply_mask(detached(sample_weight), mask, dtype=self.dtype, reduction="sum")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        """Name, dtype, the serialized function and its keyword arguments."""
        from kerasnb.metrics import serialize  # the package's tables know every metric; imported late (a cycle)

        config = super().get_config()
        config["fn"] = serialize(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuild the metric; a serialized ``fn`` is looked up among the built-in metric and loss functions."""
        from kerasnb.metrics import deserialize

        config = dict(config)
        if isinstance(config.get("fn"), (dict, str)):
            config["fn"] = deserialize(config["fn"])
        return cls(**config)


class _LossMetric(MeanMetricWrapper):
    """A loss function averaged over all samples seen; its config is only name and dtype (as in Keras)."""

    _loss_fn = None  # each subclass names its loss function

    def __init__(self, name, dtype=None):
        super().__init__(type(self)._loss_fn, name=name, dtype=dtype)
        self._direction = "down"  # an error: smaller is better

    def get_config(self):
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}
