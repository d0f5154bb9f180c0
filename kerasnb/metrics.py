"""Metrics: numbers to watch during training, accumulated over batches (``keras.metrics``).

A metric is an object with state. ``update_state(...)`` adds one batch, ``result()`` gives the value over
everything seen since the last ``reset_state()``, and calling the metric does both. ``fit`` and ``evaluate``
reset their metrics at the start of each epoch, so the numbers they print are epoch averages so far.

The state lives in non-trainable :class:`~kerasnb.Variable`\\ s made with :meth:`Metric.add_variable`. Most
metrics are a :class:`Mean` of a per-sample function (:class:`MeanMetricWrapper`): ``total`` sums the
per-sample values and ``count`` the samples (or their weights), so every sample counts once however the
data is split into batches — the same numbers Keras reports.

Example:
    >>> m = keras.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]])   # 1 of 2 right
    >>> m.update_state([0, 0], [[0.9, 0.1, 0.0], [0.8, 0.1, 0.1]])     # 2 of 2 right
    >>> float(m.result())
    0.75
"""

import abc

from kerasnb import _lookup, config, ops
from kerasnb.engine.tensor import Tensor, Variable, convert_to_tensor, standardize_dtype
from kerasnb.losses import (
    _apply_mask,
    _deserialize,
    _divide_no_nan,
    _get_mask,
    _looks_like_labels,
    _serialize,
    _to_snake_case,
    binary_crossentropy,
    categorical_crossentropy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
    squeeze_or_expand_to_same_rank,
)

_MODULE = "keras.metrics"


# ---------------------------------------------------------------------------------------------------------
# Base class
# ---------------------------------------------------------------------------------------------------------


class Metric(abc.ABC):
    """Base class of all metrics: state variables, ``update_state``, ``result`` and ``reset_state``.

    Subclasses create their state in ``__init__`` with :meth:`add_variable` and implement ``update_state``
    (change the variables with ``assign``/``assign_add``) and ``result`` (compute the value from them).

    Args:
        dtype: the dtype of the state and the result; ``None`` means ``keras.config.floatx()``.
        name: the metric's name (default: the class name in snake case).

    Note the argument order ``(dtype, name)``, as in Keras 3; the built-in metrics take ``name`` first.

    Example:
        >>> class CountPositives(keras.metrics.Metric):
        ...     def __init__(self, name="count_positives", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.positives = self.add_variable(shape=(), initializer="zeros", name="positives")
        ...     def update_state(self, values):
        ...         self.positives.assign_add(keras.ops.sum(keras.ops.cast(keras.ops.greater(values, 0), self.dtype)))
        ...     def result(self):
        ...         return self.positives.value
        >>> m = CountPositives()
        >>> m([1.0, -2.0, 3.0])
        <Tensor shape=() dtype=float32 numpy=2.0>
        >>> m.reset_state(); float(m.result())
        0.0
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or _to_snake_case(type(self).__name__)
        self._dtype = standardize_dtype(dtype).name
        self._variables = []
        self._initial_values = []
        self._metrics = []

    def __setattr__(self, name, value):
        # A metric built from other metrics (kept as attributes) owns their variables too: `variables` lists
        # them and `reset_state` resets them.
        if isinstance(value, Metric) and "_metrics" in self.__dict__ and value is not self:
            if not any(m is value for m in self._metrics):
                self._metrics.append(value)
        super().__setattr__(name, value)

    @property
    def dtype(self):
        """The dtype of the state and the result (a string such as ``'float32'``)."""
        return self._dtype

    @property
    def variables(self):
        """The state variables: this metric's, then those of the metrics it holds."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    def add_variable(self, shape=(), initializer="zeros", dtype=None, name=None):
        """Create a non-trainable state variable and track it (in ``variables``, and for ``reset_state``).

        Args:
            shape: the variable's shape (``()`` for a scalar).
            initializer: ``'zeros'``, ``'ones'``, a callable ``initializer(shape, dtype)`` or an initial value.
            dtype: its dtype; ``None`` means the metric's dtype.
            name: its name.
        """
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call `super().__init__(...)` at the start of `__init__` before "
                "`add_variable`."
            )
        dtype = standardize_dtype(dtype or self.dtype)
        shape = tuple(shape)
        if isinstance(initializer, str):
            makers = {"zeros": ops.zeros, "ones": ops.ones}
            if initializer not in makers:
                raise ValueError(
                    f"Unknown initializer {initializer!r} for a metric variable. Use 'zeros', 'ones', a callable "
                    "initializer(shape, dtype) or an initial value."
                )
            value = makers[initializer](shape, dtype=dtype)
        elif callable(initializer):
            value = initializer(shape, dtype=dtype)
        else:
            value = initializer
        variable = Variable(value, shape=shape, dtype=dtype, trainable=False, name=name)
        self._variables.append(variable)
        self._initial_values.append(variable.data.copy())
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Same as :meth:`add_variable` (the older Keras name); ``initializer=None`` means zeros."""
        return self.add_variable(shape=shape, initializer=initializer or "zeros", dtype=dtype, name=name)

    def reset_state(self):
        """Set every state variable back to its initial value (zeros for the built-in metrics)."""
        for variable, initial in zip(self._variables, self._initial_values):
            variable.assign(initial)
        for metric in self._metrics:
            metric.reset_state()

    @abc.abstractmethod
    def update_state(self, *args, **kwargs):
        """Add a batch to the state; subclasses implement this."""

    @abc.abstractmethod
    def result(self):
        """Return the metric's value from the state; subclasses implement this."""

    def __call__(self, *args, **kwargs):
        """``update_state(*args, **kwargs)``, then return ``result()`` (the value over all batches so far)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        """The arguments that rebuild this metric with ``from_config``."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """Make a metric from the dictionary ``get_config`` returned."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _detached(x):
    """``x`` cut off from any gradient tape: metrics are never differentiated, so recording them would only
    keep the graph (and its arrays) alive longer."""
    return Tensor(x.data) if isinstance(x, Tensor) else x


# ---------------------------------------------------------------------------------------------------------
# Sum, Mean, MeanMetricWrapper
# ---------------------------------------------------------------------------------------------------------


def _reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Per-sample values (shape ``(batch,)``) and weights, as Keras's ``reduce_to_samplewise_values``.

    Values with more axes than the weights are reduced (``reduce_fn``: mean or sum) down to the weights' rank,
    multiplied by the weights, and then reduced to one value per sample.
    """
    mask = _get_mask(values)
    values = convert_to_tensor(_detached(values), dtype=dtype)
    if sample_weight is not None:
        sample_weight = convert_to_tensor(_detached(sample_weight), dtype=dtype)
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
        values, sample_weight = _reduce_to_samplewise_values(values, sample_weight, ops.mean, self.dtype)
        self.total.assign_add(ops.sum(values))
        if sample_weight is not None:
            self.count.assign_add(ops.sum(sample_weight))
        else:
            self.count.assign_add(values.shape[0] if values.ndim else 1)

    def result(self):
        """``total / count`` (0 before any update)."""
        return _divide_no_nan(self.total.value, self.count.value)


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
        values = self._fn(_detached(y_true), _detached(y_pred), **self._fn_kwargs)
        sample_weight = _apply_mask(_detached(sample_weight), mask, dtype=self.dtype, reduction="sum")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        """Name, dtype, the serialized function and its keyword arguments."""
        config = super().get_config()
        config["fn"] = serialize(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuild the metric; a serialized ``fn`` is looked up among the built-in metric and loss functions."""
        config = dict(config)
        if isinstance(config.get("fn"), (dict, str)):
            config["fn"] = deserialize(config["fn"])
        return cls(**config)


# ---------------------------------------------------------------------------------------------------------
# Accuracy functions
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


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the ``k`` highest predictions, else 0.0 (per sample).

    Example:
        >>> keras.metrics.sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=2)
        <Tensor shape=(2,) dtype=float32 numpy=[1. 1.]>
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    labels = ops.cast(_check_sparse("sparse_top_k_categorical_accuracy", y_true, y_pred,
                                    "top_k_categorical_accuracy"), "int32")
    flat = _in_top_k(ops.reshape(labels, (-1,)), ops.reshape(y_pred, (-1, y_pred.shape[-1])), k)
    return ops.cast(ops.reshape(flat, labels.shape), config.floatx())


# ---------------------------------------------------------------------------------------------------------
# Metric classes
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

    Example:
        >>> m = keras.metrics.SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self):
        """Name, dtype and k."""
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class MeanSquaredError(MeanMetricWrapper):
    """The mean squared error over all samples seen (:func:`~kerasnb.losses.mean_squared_error`).

    Example:
        >>> m = keras.metrics.MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.25
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)

    def get_config(self):
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean absolute error over all samples seen (:func:`~kerasnb.losses.mean_absolute_error`).

    Example:
        >>> m = keras.metrics.MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)

    def get_config(self):
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class BinaryCrossentropy(MeanMetricWrapper):
    """The binary cross-entropy over all samples seen (:func:`~kerasnb.losses.binary_crossentropy`).

    Example:
        >>> m = keras.metrics.BinaryCrossentropy()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        0.8149
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self):
        """Name, dtype, from_logits and label_smoothing."""
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """The categorical cross-entropy over all samples seen (:func:`~kerasnb.losses.categorical_crossentropy`).

    Example:
        >>> m = keras.metrics.CategoricalCrossentropy()
        >>> m.update_state([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        >>> round(float(m.result()), 4)
        1.1769
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        """Name, dtype, from_logits, label_smoothing and axis."""
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The sparse categorical cross-entropy over all samples seen
    (:func:`~kerasnb.losses.sparse_categorical_crossentropy`).

    Example:
        >>> m = keras.metrics.SparseCategoricalCrossentropy()
        >>> m.update_state([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        >>> round(float(m.result()), 4)
        1.1769
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         axis=axis)
        self.from_logits = from_logits
        self.axis = axis

    def get_config(self):
        """Name, dtype, from_logits and axis."""
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits, "axis": self.axis}


# ---------------------------------------------------------------------------------------------------------
# Looking metrics up by name; serialization
# ---------------------------------------------------------------------------------------------------------

_CLASSES = {c.__name__: c for c in (
    Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)}
# As in Keras, a string names a metric *class* (its name or its snake_case name, which for most is also the
# name of the matching function), plus a few short aliases; get() returns an instance.
_BY_NAME = {**_CLASSES, **{_to_snake_case(name): cls for name, cls in _CLASSES.items()},
            "mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
            "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy}
_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, mean_squared_error, mean_absolute_error, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy,
)}


def get(identifier):
    """Return the metric an identifier names.

    * ``None`` -> ``None``; a :class:`Metric` instance or any callable -> itself; a Metric class -> an instance;
    * a name -> an instance of the metric class: ``'accuracy'``, ``'binary_accuracy'``,
      ``'categorical_accuracy'``, ``'sparse_categorical_accuracy'``, ``'top_k_categorical_accuracy'``,
      ``'mse'``/``'mean_squared_error'``, ``'mae'``, ``'categorical_crossentropy'``, class names, ...;
    * a config dict ``{'class_name': ..., 'config': ...}`` -> :func:`deserialize` of it.

    ``compile(metrics=["accuracy"])`` does not come here for ``'accuracy'``/``'acc'``: the model picks the
    accuracy that fits its loss and shapes first. Names are matched exactly, then ignoring case and underscores;
    an unknown name raises ``ValueError`` with the closest match.

    Example:
        >>> keras.metrics.get("mse")
        <MeanSquaredError name=mean_squared_error>
        >>> keras.metrics.get("categorical_acuracy")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret metric identifier: 'categorical_acuracy'. Did you mean 'categorical_accuracy'?
    """  # noqa: E501
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _lookup.find(identifier, _BY_NAME)
        if cls is None:
            raise _lookup.unknown_identifier("metric", identifier, _BY_NAME)
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise _lookup.unknown_identifier("metric", identifier, _BY_NAME)


def serialize(metric):
    """A JSON-friendly description of a metric (object or function), in the layout Keras writes.

    Example:
        >>> keras.metrics.serialize(keras.metrics.BinaryAccuracy(threshold=0.7))["config"]
        {'name': 'binary_accuracy', 'dtype': 'float32', 'threshold': 0.7}
    """
    return _serialize(metric, _MODULE, {**_CLASSES, "MeanMetricWrapper": MeanMetricWrapper}, _FUNCTIONS)


def deserialize(config, custom_objects=None):
    """Rebuild a metric from :func:`serialize`'s output (or a name); ``custom_objects`` maps names to your own
    metric classes and functions.

    Example:
        >>> keras.metrics.deserialize({"class_name": "TopKCategoricalAccuracy", "config": {"k": 3}}).k
        3
    """
    return _deserialize(config, custom_objects, "metric", _FUNCTIONS,
                        {**_BY_NAME, "Metric": Metric, "MeanMetricWrapper": MeanMetricWrapper})
