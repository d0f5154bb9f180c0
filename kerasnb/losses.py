"""Losses: the number training minimises, with the Keras 3 API (``keras.losses``).

A loss comes in two forms:

* a **function** ``fn(y_true, y_pred) -> per-sample losses``: ``mean_squared_error``, ``binary_crossentropy``,
  ... Each reduces only the last axis, so ``(batch, features)`` inputs give losses of shape ``(batch,)``.
* a **Loss object** (``MeanSquaredError()``, ``SparseCategoricalCrossentropy(from_logits=True)``, ...) that
  calls such a function and then applies sample weights and a *reduction*, giving one number to minimise.

The vocabulary is Keras 3's, function / class (string aliases in brackets):

* regression: ``mean_squared_error`` / ``MeanSquaredError`` ('mse'), ``mean_absolute_error`` /
  ``MeanAbsoluteError`` ('mae'), ``mean_absolute_percentage_error`` / ``MeanAbsolutePercentageError``
  ('mape'), ``mean_squared_logarithmic_error`` / ``MeanSquaredLogarithmicError`` ('msle'), ``huber`` /
  ``Huber``, ``log_cosh`` / ``LogCosh`` ('logcosh'), ``cosine_similarity`` / ``CosineSimilarity``;
* hinge: ``hinge`` / ``Hinge``, ``squared_hinge`` / ``SquaredHinge``, ``categorical_hinge`` /
  ``CategoricalHinge``;
* probabilistic: ``binary_crossentropy`` / ``BinaryCrossentropy`` ('bce'), ``binary_focal_crossentropy`` /
  ``BinaryFocalCrossentropy``, ``categorical_crossentropy`` / ``CategoricalCrossentropy``,
  ``categorical_focal_crossentropy`` / ``CategoricalFocalCrossentropy``, ``sparse_categorical_crossentropy`` /
  ``SparseCategoricalCrossentropy``, ``kl_divergence`` / ``KLDivergence`` ('kld',
  'kullback_leibler_divergence'), ``poisson`` / ``Poisson``.

What ``loss(y_true, y_pred, sample_weight)`` does, step by step (:meth:`Loss.__call__`):

1. ``y_pred`` becomes a tensor of the loss's dtype (``floatx()``, i.e. float32, unless ``dtype=`` says
   otherwise); a floating ``y_true`` too. Integer labels stay integers, so class indices stay exact.
2. ``call(y_true, y_pred)`` computes the per-sample losses.
3. ``sample_weight`` (if given) multiplies them, one weight per sample (other shapes broadcast Keras style).
4. The reduction turns them into one number: ``'sum_over_batch_size'`` (the default; the sum divided by the
   number of per-sample losses, i.e. the batch mean), ``'sum'``, or ``'none'``/``None`` (no reduction).

Numerics follow Keras exactly: probabilities are clipped to ``[epsilon(), 1 - epsilon()]`` before their log
is taken (so a probability of 0 on the true class costs ``-log(1e-7) ≈ 16.118``, not infinity), and
``from_logits=True`` uses ``log_softmax`` or the stable form of the sigmoid cross-entropy instead (the two
focal losses excepted: Keras turns their logits into probabilities and clips those, and so does kerasnb).

Example:
    >>> loss_fn = keras.losses.SparseCategoricalCrossentropy()
    >>> loss_fn([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    <Tensor shape=() dtype=float32 numpy=1.1769392>
"""

import abc
import re
import warnings

import numpy as np

from kerasnb import _lookup, config, ops
from kerasnb.engine.tensor import convert_to_tensor, standardize_dtype

# Loss and metric configs name Keras's own modules, so that configs (and later saved files) read the same as
# the ones real Keras writes; deserializing ignores the module.
_MODULE = "keras.losses"

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---------------------------------------------------------------------------------------------------------
# Shared machinery: reductions, sample weights, masks
# ---------------------------------------------------------------------------------------------------------


def standardize_reduction(reduction):
    """Check a ``reduction`` argument and return it unchanged.

    Valid values: ``'sum_over_batch_size'`` and ``'mean'`` (sum / number of per-sample losses),
    ``'mean_with_sample_weight'`` (sum / sum of the sample weights), ``'sum'``, ``'none'`` and ``None``.

    Example:
        >>> keras.losses.standardize_reduction("sum")
        'sum'
    """
    if reduction is not None and (not isinstance(reduction, str) or reduction not in _REDUCTIONS):
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {list(_REDUCTIONS)}. "
            f"Received: reduction={reduction!r}"
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make two tensors whose ranks differ by one the same rank, when the longer one ends in a size-1 axis.

    This is how Keras lets ``y_true`` of shape ``(batch,)`` meet ``y_pred`` of shape ``(batch, 1)``: the
    rank-1 tensor gains a trailing axis (``expand_rank_1=True``), otherwise the size-1 axis is squeezed away.
    Tensors of equal rank, or whose longer one does not end in 1, are returned unchanged.

    Example:
        >>> a, b = keras.losses.squeeze_or_expand_to_same_rank(np.zeros(3), np.zeros((3, 1)))
        >>> a.shape, b.shape
        ((3, 1), (3, 1))
    """
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None):
    """Weight per-sample ``values`` by ``sample_weight`` (and an optional boolean ``mask``), then reduce them.

    This is steps 3 and 4 of :meth:`Loss.__call__`, usable on its own. A mask (``True`` = keep) acts as a 0/1
    weight; with the mean reductions the average is then taken over the kept entries only, as in Keras.

    Example:
        >>> keras.losses.reduce_weighted_values([1.0, 2.0, 3.0, 4.0], sample_weight=[1.0, 1.0, 0.0, 0.0])
        <Tensor shape=() dtype=float32 numpy=0.75>
    """
    reduction = standardize_reduction(reduction)
    values = convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = convert_to_tensor(sample_weight, dtype=values.dtype)
    sample_weight = _apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values = _weigh(values, sample_weight)
    return _reduce_values(values, sample_weight, reduction)


def _weigh(values, sample_weight):
    """``values * sample_weight``, with the weight's shape lined up with the values' leading (batch) axes."""
    given_shape = sample_weight.shape
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    # Keras 3 stops at squeeze_or_expand; then per-sample weights (batch,) against per-step losses
    # (batch, steps) fail to broadcast, or silently broadcast along the wrong axis when steps == batch.
    # Weights belong to the leading axes, so give them trailing size-1 axes (as Keras 2 did).
    if sample_weight.ndim < values.ndim:
        sample_weight = ops.reshape(sample_weight, sample_weight.shape + (1,) * (values.ndim - sample_weight.ndim))
    try:
        np.broadcast_shapes(values.shape, sample_weight.shape)
    except ValueError:
        raise ValueError(
            f"`sample_weight` of shape {given_shape} does not fit the per-sample losses of shape "
            f"{values.shape}. Pass one weight per sample, shape ({values.shape[0] if values.ndim else 1},), "
            "or an array of the losses' shape."
        ) from None
    return values * sample_weight


def _reduce_values(values, sample_weight, reduction):
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _divide_no_nan(total, ops.sum(sample_weight))
    # 'sum_over_batch_size' and 'mean': divide by the number of per-sample losses, weighted or not.
    return total / values.size if values.size else total


def _divide_no_nan(x, y):
    """``x / y``, but 0 where ``y == 0`` (with a finite gradient there too)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    zero = ops.equal(y, 0)
    return ops.where(zero, ops.zeros_like(x), x / ops.where(zero, ops.ones_like(y), y))


def _apply_mask(sample_weight, mask, dtype, reduction):
    """Fold a boolean mask into the sample weights (Keras's ``apply_mask``)."""
    if mask is None:
        return sample_weight
    mask = ops.cast(mask, dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        # Kept entries get weight total/kept, masked ones 0: the reduction's division by `total` then averages
        # over the kept entries only.
        kept = ops.sum(mask)
        mask = mask * _divide_no_nan(ops.full_like(kept, mask.size), kept)
    if sample_weight is None:
        return mask
    return _weigh(mask, ops.cast(sample_weight, dtype))


def _get_mask(x):
    """The Keras mask attached to a tensor (``True`` = a real entry, ``False`` = padding), or ``None``."""
    return getattr(x, "_keras_mask", None)


# ---------------------------------------------------------------------------------------------------------
# Loss base classes
# ---------------------------------------------------------------------------------------------------------


def _to_snake_case(name):
    """``'MeanSquaredError'`` -> ``'mean_squared_error'`` (Keras's ``to_snake_case``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


class Loss(abc.ABC):
    """Base class of the loss objects: subclass it and implement ``call(y_true, y_pred)``.

    ``call`` returns the per-sample losses; calling the loss object applies ``sample_weight`` and the reduction
    (see the module docstring).

    Args:
        name: the loss's name (default: the class name in snake case).
        reduction: ``'sum_over_batch_size'`` (default), ``'sum'``, ``'mean'`` (the same as
            ``'sum_over_batch_size'``), ``'mean_with_sample_weight'`` (divide by the sum of the weights instead),
            or ``'none'``/``None`` (return the per-sample losses).
        dtype: the dtype the loss is computed in; ``None`` means ``keras.config.floatx()``.

    Example:
        >>> class MeanFourthPower(keras.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return keras.ops.mean((y_pred - y_true) ** 4, axis=-1)
        >>> loss_fn = MeanFourthPower()
        >>> loss_fn.name
        'mean_fourth_power'
        >>> loss_fn([[0.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 3.0]])
        <Tensor shape=() dtype=float32 numpy=4.5>
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = standardize_dtype(dtype).name

    @property
    def dtype(self):
        """The dtype the loss is computed in (a string such as ``'float32'``)."""
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = _get_mask(y_pred)
        y_pred = convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = convert_to_tensor(y_true)
        if y_true.dtype.kind == "f":
            # Keras casts every y_true to the loss dtype; integer labels are left exact here instead, and each
            # loss function casts them itself (to y_pred's dtype, or to int32 for sparse labels).
            y_true = ops.cast(y_true, self.dtype)
        losses = self.call(y_true, y_pred)
        out_mask = _get_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = ops.logical_and(in_mask, out_mask)
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction, self.dtype)

    @abc.abstractmethod
    def call(self, y_true, y_pred):
        """Return the per-sample losses; subclasses implement this."""

    def get_config(self):
        """The arguments that rebuild this loss with ``from_config`` (Keras saves only name and reduction)."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        """Make a loss from the dictionary ``get_config`` returned."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A :class:`Loss` made from a function ``fn(y_true, y_pred, **kwargs)`` that returns per-sample losses.

    Before calling ``fn`` it lines up the ranks of ``y_true`` and ``y_pred`` (``(batch,)`` against
    ``(batch, 1)``), as Keras does.

    Args:
        fn: the loss function.
        reduction, name, dtype: as for :class:`Loss`; ``name`` defaults to the function's name.
        **kwargs: passed on to ``fn`` on every call.

    Example:
        >>> def mean_cubed_error(y_true, y_pred):
        ...     return keras.ops.mean(keras.ops.abs(y_pred - y_true) ** 3, axis=-1)
        >>> loss_fn = keras.losses.LossFunctionWrapper(mean_cubed_error, reduction="sum")
        >>> loss_fn.name
        'mean_cubed_error'
        >>> loss_fn([1.0, 2.0], [[2.0], [4.0]])
        <Tensor shape=() dtype=float32 numpy=9.0>
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        # Keras would name it 'loss_function_wrapper'; the function's own name says more in logs.
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        """Line up the ranks of ``y_true`` and ``y_pred``, then return ``fn(y_true, y_pred, **kwargs)``."""
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        """Name, reduction, the serialized function and its keyword arguments."""
        config = super().get_config()
        config["fn"] = serialize(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuild the wrapper; a serialized ``fn`` is looked up among the built-in loss functions."""
        config = dict(config)
        if isinstance(config.get("fn"), (dict, str)):
            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self):
        if type(self) is not LossFunctionWrapper:
            return super().__repr__()  # the built-in classes show their own name
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


# ---------------------------------------------------------------------------------------------------------
# Shape checks with the fix in the message
# ---------------------------------------------------------------------------------------------------------


def _float_tensor(x):
    """``x`` as a floating tensor: floats keep their dtype, integers and bools become ``floatx()``."""
    x = convert_to_tensor(x)
    return x if x.dtype.kind == "f" else ops.cast(x, config.floatx())


def _looks_like_labels(true_shape, pred_shape):
    """Does ``y_true`` look like integer class indices for ``y_pred`` of shape ``(..., C)`` with ``C > 1``?"""
    return (
        len(pred_shape) >= 1
        and pred_shape[-1] > 1
        and tuple(true_shape) in (tuple(pred_shape[:-1]), tuple(pred_shape[:-1]) + (1,))
    )


def _check_same_shape(fn_name, y_true, y_pred):
    if y_true.shape == y_pred.shape:
        return
    if _looks_like_labels(y_true.shape, y_pred.shape):
        raise ValueError(
            f"{fn_name}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}. y_true looks like "
            f"integer class labels for {y_pred.shape[-1]} classes: use loss='sparse_categorical_crossentropy' "
            "(keras.losses.SparseCategoricalCrossentropy), which takes class indices, or one-hot encode the "
            f"labels with keras.utils.to_categorical(y, num_classes={y_pred.shape[-1]})."
        )
    raise ValueError(
        f"{fn_name}: y_true and y_pred must have the same shape. "
        f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
    )


def _check_broadcastable(fn_name, y_true, y_pred):
    try:
        np.broadcast_shapes(y_true.shape, y_pred.shape)
    except ValueError:
        raise ValueError(
            f"{fn_name}: the shapes of y_true and y_pred are incompatible. Received: y_true.shape={y_true.shape}, "
            f"y_pred.shape={y_pred.shape}. They must be equal (a trailing axis of size 1 is squeezed or added "
            "as needed): check that the model has one output per target value."
        ) from None


# ---------------------------------------------------------------------------------------------------------
# Loss functions: regression
# ---------------------------------------------------------------------------------------------------------


def _elementwise_inputs(fn_name, y_true, y_pred):
    """``y_true`` and ``y_pred`` for a loss that compares them element by element: ``y_pred`` floating,
    ``y_true`` in its dtype, ranks lined up (``(batch,)`` against ``(batch, 1)``), shapes checked."""
    y_pred = _float_tensor(y_pred)
    y_true = convert_to_tensor(y_true, dtype=y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcastable(fn_name, y_true, y_pred)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """Mean squared error over the last axis.

    Formula:
        ``loss = mean(square(y_true - y_pred), axis=-1)``

    Example:
        >>> keras.losses.mean_squared_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.5 0.5]>
    """
    y_true, y_pred = _elementwise_inputs("mean_squared_error", y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error over the last axis.

    Formula:
        ``loss = mean(abs(y_true - y_pred), axis=-1)``

    Example:
        >>> keras.losses.mean_absolute_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.5 0.5]>
    """
    y_true, y_pred = _elementwise_inputs("mean_absolute_error", y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """Mean absolute percentage error over the last axis (alias ``'mape'``).

    Formula:
        ``loss = 100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1)``

    The ``maximum`` with ``epsilon()`` (1e-7) keeps a target of 0 from dividing by zero; such a target then
    gives a huge percentage, as in Keras.

    Example:
        >>> keras.losses.mean_absolute_percentage_error([[100.0, 200.0, 300.0]], [[90.0, 210.0, 310.0]])
        <Tensor shape=(1,) dtype=float32 numpy=[6.111111]>
    """
    y_true, y_pred = _elementwise_inputs("mean_absolute_percentage_error", y_true, y_pred)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), config.epsilon()))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean squared logarithmic error over the last axis (alias ``'msle'``): the squared error of
    ``log(1 + y)``, so it measures ratios rather than differences.

    Formula:
        ``loss = mean(square(log(maximum(y_pred, epsilon) + 1) - log(maximum(y_true, epsilon) + 1)), axis=-1)``

    Values below ``epsilon()`` (negative ones included) count as ``epsilon()``, as in Keras.

    Example:
        >>> keras.losses.mean_squared_logarithmic_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.24022643 0.24022643]>
    """
    y_true, y_pred = _elementwise_inputs("mean_squared_logarithmic_error", y_true, y_pred)
    eps = config.epsilon()
    first_log = ops.log(ops.maximum(y_pred, eps) + 1.0)
    second_log = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(first_log - second_log), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss over the last axis: squared error for small errors, absolute error for large ones.

    Formula:
        ``error = y_pred - y_true``

        ``loss = mean(where(abs(error) <= delta, 0.5 * error**2, delta * abs(error) - 0.5 * delta**2), axis=-1)``

    The two pieces meet with the same value and slope at ``|error| = delta``, so the loss is smooth, yet an
    outlier's gradient is at most ``delta``.

    Args:
        y_true, y_pred: targets and predictions, of the same shape.
        delta: where the loss changes from quadratic to linear.

    Example:
        >>> keras.losses.huber([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.18       0.13000001]>
    """
    y_true, y_pred = _elementwise_inputs("huber", y_true, y_pred)
    # delta as a tensor of y_pred's dtype, so that 0.5 * delta**2 is rounded as Keras rounds it
    delta = convert_to_tensor(delta, dtype=y_pred.dtype)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = 0.5 * ops.square(error)
    linear = delta * abs_error - 0.5 * ops.square(delta)
    return ops.mean(ops.where(ops.less_equal(abs_error, delta), quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """Mean of the logarithm of the hyperbolic cosine of the error, over the last axis (alias ``'logcosh'``).

    Formula:
        ``loss = mean(log(cosh(y_pred - y_true)), axis=-1)``

    ``log(cosh(x))`` is about ``x**2 / 2`` for small ``x`` and ``|x| - log(2)`` for large ``x``: like the mean
    squared error, but less moved by an occasional wild prediction. It is computed as
    ``x + softplus(-2x) - log(2)``, which cannot overflow (``cosh`` would, beyond ``|x| ≈ 89``).

    Example:
        >>> keras.losses.log_cosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.2168904 0.       ]>
    """
    y_true, y_pred = _elementwise_inputs("log_cosh", y_true, y_pred)
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(x * -2.0) - np.log(2.0), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along ``axis``: -1 when the vectors point the same way, 0 when they are
    orthogonal, 1 when opposite. Minimising it aligns the predictions with the targets.

    Formula:
        ``loss = -sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)``

    A zero vector has similarity 0 with anything (its norm is taken as at least ``epsilon()``).

    Args:
        y_true, y_pred: targets and predictions, of the same shape.
        axis: the axis of the vectors compared.

    Example:
        >>> keras.losses.cosine_similarity([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]],
        ...                                [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
        <Tensor shape=(3,) dtype=float32 numpy=[-0.         -0.99999994  0.99999994]>
    """
    y_true, y_pred = _elementwise_inputs("cosine_similarity", y_true, y_pred)
    return -ops.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def _l2_normalize(x, axis):
    """``x / max(norm(x), epsilon)`` along ``axis``, computed as Keras does: ``x * rsqrt(sum(x**2))``.

    Keras bounds ``rsqrt(s)`` by ``1 / epsilon`` with ``minimum``; ``rsqrt(maximum(s, epsilon**2))`` is the same
    number (up to rounding, and only for vectors shorter than ``epsilon``), and at a zero vector its gradient
    is finite where Keras's (through ``rsqrt(0)``) is NaN.
    """
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(square_sum, config.epsilon() ** 2))


# ---------------------------------------------------------------------------------------------------------
# Loss functions: hinge (maximum-margin classification)
# ---------------------------------------------------------------------------------------------------------


def _convert_binary_labels_to_hinge(y_true):
    """Labels in {0, 1} become {-1, 1}; any other labels are returned unchanged (Keras's rule).

    The check looks at the values, so a batch whose labels happen to be all 0 or 1 is converted.
    """
    data = y_true.data
    if bool(((data == 0) | (data == 1)).all()):
        return 2.0 * y_true - 1.0
    return y_true


def _hinge_inputs(fn_name, y_true, y_pred):
    y_true, y_pred = _elementwise_inputs(fn_name, y_true, y_pred)
    return _convert_binary_labels_to_hinge(y_true), y_pred


def hinge(y_true, y_pred):
    """Hinge loss over the last axis, for labels -1 and 1 (labels 0 and 1 are converted to -1 and 1).

    Formula:
        ``loss = mean(maximum(1 - y_true * y_pred, 0), axis=-1)``

    ``y_pred`` is a score (no sigmoid): the loss is 0 once a score has the label's sign with margin 1.

    Example:
        >>> keras.losses.hinge([[0, 1], [1, 1]], [[-0.5, 0.3], [2.0, 0.0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.6 0.5]>
    """
    y_true, y_pred = _hinge_inputs("hinge", y_true, y_pred)
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """Squared hinge loss over the last axis, for labels -1 and 1 (labels 0 and 1 are converted).

    Formula:
        ``loss = mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``

    Example:
        >>> keras.losses.squared_hinge([[0, 1], [1, 1]], [[-0.5, 0.3], [2.0, 0.0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.37 0.5 ]>
    """
    y_true, y_pred = _hinge_inputs("squared_hinge", y_true, y_pred)
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Categorical (multi-class) hinge loss for one-hot labels: the best wrong class's score should trail
    the true class's score by a margin of 1.

    Formula:
        ``pos = sum(y_true * y_pred, axis=-1)``

        ``neg = max((1 - y_true) * y_pred, axis=-1)``

        ``loss = maximum(neg - pos + 1, 0)``

    Example:
        >>> keras.losses.categorical_hinge([[0, 1, 0], [1, 0, 0]], [[0.2, 1.5, 0.1], [0.3, 0.9, -0.4]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.        1.5999999]>
    """
    y_pred = _float_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape("categorical_hinge", y_true, y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Loss functions: probabilistic
# ---------------------------------------------------------------------------------------------------------


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence of ``y_pred`` from ``y_true`` (aliases ``'kld'``,
    ``'kullback_leibler_divergence'``), summed over the last axis: how much information is lost when the
    distribution ``y_pred`` stands in for ``y_true``.

    Formula:
        ``y_true = clip(y_true, epsilon, 1)``, ``y_pred = clip(y_pred, epsilon, 1)``

        ``loss = sum(y_true * log(y_true / y_pred), axis=-1)``

    Example:
        >>> keras.losses.kl_divergence([[0.5, 0.5], [1.0, 0.0]], [[0.5, 0.5], [0.8, 0.2]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.        0.2231421]>
    """
    y_true, y_pred = _elementwise_inputs("kl_divergence", y_true, y_pred)
    eps = config.epsilon()
    y_true = ops.clip(y_true, eps, 1.0)
    y_pred = ops.clip(y_pred, eps, 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Poisson loss over the last axis: the negative log-likelihood of counts ``y_true`` under Poisson
    distributions of means ``y_pred`` (without the term that does not depend on ``y_pred``).

    Formula:
        ``loss = mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``

    Example:
        >>> keras.losses.poisson([[1.0, 0.0], [2.0, 3.0]], [[1.0, 0.5], [2.0, 2.0]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.74999994 0.26713204]>
    """
    y_true, y_pred = _elementwise_inputs("poisson", y_true, y_pred)
    return ops.mean(y_pred - y_true * ops.log(y_pred + config.epsilon()), axis=-1)


def _binary_labels(fn_name, y_true, y_pred, label_smoothing):
    """``y_true`` and ``y_pred`` for a binary cross-entropy: same shape, labels cast and smoothed."""
    y_pred = _float_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape(fn_name, y_true, y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true, y_pred


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over ``axis``, for labels 0 and 1 and probabilities of label 1.

    Formula:
        ``p = clip(y_pred, epsilon, 1 - epsilon)``

        ``loss = mean(-(y_true * log(p) + (1 - y_true) * log(1 - p)), axis=axis)``

    With ``from_logits=True`` the same quantity for ``p = sigmoid(y_pred)`` is computed without forming ``p``:
    ``max(x, 0) - x * y_true + log(1 + exp(-|x|))`` (as TensorFlow's ``sigmoid_cross_entropy_with_logits``),
    which is exact for any logit and never clipped.

    Args:
        y_true: labels (0 or 1), the shape of ``y_pred``.
        y_pred: probabilities, or logits with ``from_logits=True``.
        from_logits: whether ``y_pred`` holds logits (more accurate: prefer a final layer without sigmoid).
        label_smoothing: squeeze the labels towards 0.5: ``y_true * (1 - s) + s / 2``.
        axis: the axis averaged over.

    Example:
        >>> keras.losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.91629076 0.7135582 ]>
    """
    y_true, y_pred = _binary_labels("binary_crossentropy", y_true, y_pred, label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary focal cross-entropy (Lin et al., 2018), averaged over ``axis``: binary cross-entropy scaled
    down for examples the model already gets right, so training focuses on the hard ones.

    Formula:
        ``p_t = y_true * p + (1 - y_true) * (1 - p)`` (the probability given to the true label)

        ``loss = mean(weight * (1 - p_t)**gamma * binary_crossentropy(y_true, p), axis=axis)``

    where ``p = y_pred`` (or ``sigmoid(y_pred)`` with ``from_logits=True``), the cross-entropy is the clipped
    one of :func:`binary_crossentropy`, and ``weight = alpha`` for label 1 and ``1 - alpha`` for label 0 with
    ``apply_class_balancing=True`` (else 1). ``gamma=0`` gives plain binary cross-entropy.

    With ``from_logits=True`` Keras takes the sigmoid first and then clips it like a probability (instead of the
    exact form :func:`binary_crossentropy` uses), so a logit beyond about ±16 costs at most ``-log(epsilon)``;
    kerasnb does the same, to give Keras's numbers.

    Args:
        y_true: labels (0 or 1), the shape of ``y_pred``.
        y_pred: probabilities, or logits with ``from_logits=True``.
        apply_class_balancing: weigh label 1 by ``alpha`` and label 0 by ``1 - alpha``.
        alpha: the weight of label 1 when balancing.
        gamma: the focusing exponent.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: squeeze the labels towards 0.5: ``y_true * (1 - s) + s / 2``.
        axis: the axis averaged over.

    Example:
        >>> keras.losses.binary_focal_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], gamma=2.0)
        <Tensor shape=(2,) dtype=float32 numpy=[0.32986468 0.20579839]>
    """
    y_true, y_pred = _binary_labels("binary_focal_crossentropy", y_true, y_pred, label_smoothing)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred)
    # p_t and the focal factor use the unclipped probability, as in Keras.
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    # (1 - p_t)**0 is 1: skipping the power then also keeps a probability of exactly 0 or 1 (p_t = 1) from
    # giving 0 * inf = NaN in the power's gradient (Keras's torch backend gives 0 there).
    focal_factor = ops.power(1.0 - p_t, gamma) if gamma != 0 else 1.0
    focal_bce = focal_factor * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal_bce
    return ops.mean(focal_bce, axis=axis)


def _categorical_inputs(fn_name, y_true, y_pred, label_smoothing, axis):
    """``y_true`` and ``y_pred`` for a categorical cross-entropy: same shape, labels cast and smoothed."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = _float_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape(fn_name, y_true, y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    num_classes = y_pred.shape[axis]
    if num_classes == 1:
        warnings.warn(
            f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) with num_classes > 1. "
            f"Received: y_pred.shape={y_pred.shape}. The loss is then constant: use 'binary_crossentropy' if "
            "you only have 2 classes.",
            UserWarning,
            stacklevel=3,
        )
    if label_smoothing:
        # num_classes is the size of `axis`, as documented; Keras divides by y_true.shape[-1], which differs
        # when the class axis is not the last one.
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy between one-hot (or soft) labels and class probabilities.

    Formula:
        ``p = clip(y_pred / sum(y_pred, axis), epsilon, 1 - epsilon)``

        ``loss = -sum(y_true * log(p), axis=axis)``

    ``y_pred`` is divided by its sum (so it sums to 1) and clipped before the log, as in Keras; with
    ``from_logits=True``, ``log(p)`` is ``log_softmax(y_pred)`` instead, exact and never clipped. Integer class
    labels need :func:`sparse_categorical_crossentropy`; a clear error says so.

    Args:
        y_true: one-hot (or soft) labels, the shape of ``y_pred``.
        y_pred: probabilities, or logits with ``from_logits=True``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: mix the labels with the uniform distribution: ``y_true * (1 - s) + s / num_classes``.
        axis: the class axis.

    Example:
        >>> keras.losses.categorical_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.05129331 2.3025851 ]>
    """
    y_true, y_pred = _categorical_inputs("categorical_crossentropy", y_true, y_pred, label_smoothing, axis)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def _normalized_probabilities(y_pred, axis):
    """``y_pred`` divided by its sum along ``axis``, clipped to ``[epsilon, 1 - epsilon]``."""
    eps = config.epsilon()
    return ops.clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """Categorical focal cross-entropy (Lin et al., 2018): categorical cross-entropy with each class's term
    scaled by ``alpha * (1 - p)**gamma``, so confidently right predictions count for little.

    Formula:
        ``p = clip(y_pred / sum(y_pred, axis), epsilon, 1 - epsilon)`` (after ``softmax`` with
        ``from_logits=True``)

        ``loss = sum(alpha * (1 - p)**gamma * -y_true * log(p), axis=axis)``

    As in Keras, logits go through ``softmax`` and are then clipped like probabilities. ``gamma=0`` and
    ``alpha=1`` give plain categorical cross-entropy.

    Args:
        y_true: one-hot (or soft) labels, the shape of ``y_pred``.
        y_pred: probabilities, or logits with ``from_logits=True``.
        alpha: a weight for all classes, or a list with one weight per class (e.g. inverse class frequencies).
        gamma: the focusing exponent.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: mix the labels with the uniform distribution: ``y_true * (1 - s) + s / num_classes``.
        axis: the class axis.

    Example:
        >>> keras.losses.categorical_focal_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        <Tensor shape=(2,) dtype=float32 numpy=[3.2058331e-05 4.6627346e-01]>
    """
    y_true, y_pred = _categorical_inputs("categorical_focal_crossentropy", y_true, y_pred, label_smoothing, axis)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    p = _normalized_probabilities(y_pred, axis)
    cce = -y_true * ops.log(p)
    # a list of per-class weights lines up with the last axis, as in Keras
    weighting = ops.power(1.0 - p, gamma) * convert_to_tensor(alpha, dtype=y_pred.dtype)
    return ops.sum(weighting * cce, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical cross-entropy with integer class labels: the same loss as :func:`categorical_crossentropy`
    with one-hot labels, without making them.

    Formula:
        ``p = clip(y_pred / sum(y_pred, axis), epsilon, 1 - epsilon)`` (or ``softmax(y_pred)`` with
        ``from_logits=True``)

        ``loss = -log(p[y_true])``, the log-probability of each sample's class

    Args:
        y_true: class indices in ``[0, num_classes)``, of shape ``(batch,)`` or ``(batch, 1)`` (generally
            ``y_pred``'s shape without the class axis, or with a size-1 axis there).
        y_pred: probabilities (normalised to sum to 1 and clipped to ``[epsilon, 1 - epsilon]``), or logits
            with ``from_logits=True``.
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label value (e.g. -1 or 255 for "void") whose samples get loss 0 and are masked out, so
            a Loss object averages over the other samples only.
        axis: the class axis of ``y_pred``.

    A label outside ``[0, num_classes)`` raises ``ValueError`` naming it (Keras would silently give loss 0).

    Example:
        >>> keras.losses.sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        <Tensor shape=(2,) dtype=float32 numpy=[0.05129331 2.3025851 ]>
    """
    y_pred = _float_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_pred.ndim == 0:
        raise ValueError("sparse_categorical_crossentropy: y_pred must have a class axis; received a scalar.")
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if axis != -1 and axis != y_pred.ndim - 1:
        y_pred = ops.moveaxis(y_pred, axis, -1)
    num_classes = y_pred.shape[-1]
    if y_true.shape != y_pred.shape[:-1]:
        hint = ""
        if y_true.shape == y_pred.shape and num_classes > 1:
            hint = (
                " y_true has the shape of y_pred, so it looks one-hot encoded: use loss='categorical_crossentropy' "
                "for one-hot labels, or pass the class indices (their argmax)."
            )
        raise ValueError(
            "sparse_categorical_crossentropy expects y_true to hold one class index per sample: the shape of "
            f"y_pred without its class axis. Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}.{hint}"
        )
    labels = ops.cast(y_true, "int32")
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(labels, int(ignore_class))
        labels = ops.where(valid, labels, ops.zeros_like(labels))  # any valid index; its loss is replaced by 0
    _check_labels(labels, num_classes)

    # One op (kerasnb.ops.crossentropy); with probabilities, only the true class's is clipped and logged (the same
    # value and gradient as Keras's sum over one-hot labels, without a log over every class).
    losses = ops.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits)
    if valid is not None:
        losses = ops.where(valid, losses, ops.zeros_like(losses))
        losses._keras_mask = valid  # Loss.__call__ then averages over the valid samples only, as Keras does
    return losses


def _check_labels(labels, num_classes):
    data = labels.data
    if data.size == 0:
        return
    low, high = int(data.min()), int(data.max())
    if low < 0 or high >= num_classes:
        bad = low if low < 0 else high
        raise ValueError(
            f"sparse_categorical_crossentropy: received label {bad}, but y_pred has {num_classes} classes, so "
            f"labels must be integers in [0, {num_classes}). If your labels start at 1, subtract 1; if there are "
            f"more classes, give the model's last layer one unit per class."
        )


# ---------------------------------------------------------------------------------------------------------
# Loss classes
# ---------------------------------------------------------------------------------------------------------


class _BuiltinLoss(LossFunctionWrapper):
    """The base of the built-in loss classes: one loss function with fixed options (``delta``,
    ``from_logits``, ...). The options become attributes and, with the name and reduction, the config.

    (Keras leaves some options out of its configs, such as ``Huber``'s ``delta`` and ``CosineSimilarity``'s
    ``axis``, so that ``from_config`` loses them; here every option is kept.)
    """

    def __init__(self, fn, reduction, name, dtype, **options):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self):
        """Name, reduction and the options."""
        config = Loss.get_config(self)
        config.update(self._fn_kwargs)
        return config


class MeanSquaredError(_BuiltinLoss):
    """Mean of the squared errors: :func:`mean_squared_error`, then the reduction.

    Formula:
        ``loss = mean(square(y_true - y_pred))``

    Example:
        >>> mse = keras.losses.MeanSquaredError()
        >>> mse([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        <Tensor shape=() dtype=float32 numpy=0.5>
        >>> mse([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]], sample_weight=[0.7, 0.3])
        <Tensor shape=() dtype=float32 numpy=0.25>
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """Mean of the absolute errors: :func:`mean_absolute_error`, then the reduction.

    Formula:
        ``loss = mean(abs(y_true - y_pred))``

    Example:
        >>> mae = keras.losses.MeanAbsoluteError(reduction="sum")
        >>> mae([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        <Tensor shape=() dtype=float32 numpy=1.0>
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    """Mean absolute percentage error: :func:`mean_absolute_percentage_error`, then the reduction.

    Formula:
        ``loss = 100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)))``

    Example:
        >>> mape = keras.losses.MeanAbsolutePercentageError()
        >>> mape([100.0, 200.0, 300.0], [90.0, 210.0, 310.0])
        <Tensor shape=() dtype=float32 numpy=6.111111>
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean squared logarithmic error: :func:`mean_squared_logarithmic_error`, then the reduction.

    Formula:
        ``loss = mean(square(log(y_true + 1) - log(y_pred + 1)))`` (values below ``epsilon`` count as ``epsilon``)

    Example:
        >>> msle = keras.losses.MeanSquaredLogarithmicError()
        >>> msle([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        <Tensor shape=() dtype=float32 numpy=0.24022643>
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class CosineSimilarity(_BuiltinLoss):
    """Negative cosine similarity: :func:`cosine_similarity` along ``axis``, then the reduction.

    Formula:
        ``loss = -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis=axis)``

    Between -1 (same direction, the best) and 1 (opposite); 0 for orthogonal vectors or a zero vector.

    Example:
        >>> cosine = keras.losses.CosineSimilarity(axis=1)
        >>> cosine([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        <Tensor shape=() dtype=float32 numpy=-0.49999997>
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


class Huber(_BuiltinLoss):
    """Huber loss: :func:`huber` (quadratic for errors up to ``delta``, linear beyond), then the reduction.

    Formula:
        ``loss = mean(where(abs(e) <= delta, 0.5 * e**2, delta * abs(e) - 0.5 * delta**2))``, ``e = y_pred - y_true``

    Example:
        >>> huber = keras.losses.Huber()
        >>> huber([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        <Tensor shape=() dtype=float32 numpy=0.155>
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction, name, dtype, delta=delta)


class LogCosh(_BuiltinLoss):
    """Log-cosh loss: :func:`log_cosh`, then the reduction.

    Formula:
        ``loss = mean(log(cosh(y_pred - y_true)))``

    Example:
        >>> logcosh = keras.losses.LogCosh()
        >>> logcosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        <Tensor shape=() dtype=float32 numpy=0.1084452>
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)


class Hinge(_BuiltinLoss):
    """Hinge loss: :func:`hinge` (labels -1 and 1; labels 0 and 1 are converted), then the reduction.

    Formula:
        ``loss = mean(maximum(1 - y_true * y_pred, 0))``

    Example:
        >>> hinge = keras.losses.Hinge()
        >>> hinge([[0, 1], [1, 1]], [[-0.5, 0.3], [2.0, 0.0]])
        <Tensor shape=() dtype=float32 numpy=0.55>
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(_BuiltinLoss):
    """Squared hinge loss: :func:`squared_hinge` (labels -1 and 1, or 0 and 1), then the reduction.

    Formula:
        ``loss = mean(square(maximum(1 - y_true * y_pred, 0)))``

    Example:
        >>> squared_hinge = keras.losses.SquaredHinge()
        >>> squared_hinge([[0, 1], [1, 1]], [[-0.5, 0.3], [2.0, 0.0]])
        <Tensor shape=() dtype=float32 numpy=0.435>
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(_BuiltinLoss):
    """Categorical hinge loss for one-hot labels: :func:`categorical_hinge`, then the reduction.

    Formula:
        ``loss = maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``

    Example:
        >>> categorical_hinge = keras.losses.CategoricalHinge()
        >>> categorical_hinge([[0, 1, 0], [1, 0, 0]], [[0.2, 1.5, 0.1], [0.3, 0.9, -0.4]])
        <Tensor shape=() dtype=float32 numpy=0.79999995>
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)


class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence: :func:`kl_divergence`, then the reduction.

    Formula:
        ``loss = sum(y_true * log(y_true / y_pred))`` (both clipped to ``[epsilon, 1]``)

    Example:
        >>> kld = keras.losses.KLDivergence()
        >>> kld([[0.5, 0.5], [1.0, 0.0]], [[0.5, 0.5], [0.8, 0.2]])
        <Tensor shape=() dtype=float32 numpy=0.11157105>
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Poisson(_BuiltinLoss):
    """Poisson loss for count targets: :func:`poisson`, then the reduction.

    Formula:
        ``loss = mean(y_pred - y_true * log(y_pred + epsilon))``

    Example:
        >>> poisson = keras.losses.Poisson()
        >>> poisson([[1.0, 0.0], [2.0, 3.0]], [[1.0, 0.5], [2.0, 2.0]])
        <Tensor shape=() dtype=float32 numpy=0.508566>
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


class BinaryCrossentropy(_BuiltinLoss):
    """Binary cross-entropy for 0/1 labels: :func:`binary_crossentropy`, then the reduction.

    Use ``from_logits=True`` when the model's last layer has no sigmoid: it is more accurate.

    Formula:
        ``loss = mean(-(y_true * log(p) + (1 - y_true) * log(1 - p)))``, ``p = y_pred`` (clipped) or
        ``sigmoid(y_pred)``

    Example:
        >>> bce = keras.losses.BinaryCrossentropy(from_logits=True)
        >>> bce([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]])
        <Tensor shape=() dtype=float32 numpy=0.865458>
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary focal cross-entropy: :func:`binary_focal_crossentropy`, then the reduction.

    Formula:
        ``loss = mean(weight * (1 - p_t)**gamma * binary_crossentropy(y_true, p))``, ``p_t`` the probability
        given to the true label, ``weight`` ``alpha`` / ``1 - alpha`` with ``apply_class_balancing=True``

    Example:
        >>> focal = keras.losses.BinaryFocalCrossentropy(gamma=2.0, from_logits=True)
        >>> focal([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])
        <Tensor shape=() dtype=float32 numpy=0.6912119>
        >>> balanced = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=2.0, from_logits=True)
        >>> balanced([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])
        <Tensor shape=() dtype=float32 numpy=0.51013315>
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction, name, dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(_BuiltinLoss):
    """Cross-entropy for one-hot labels: :func:`categorical_crossentropy`, then the reduction.

    For integer labels use :class:`SparseCategoricalCrossentropy`.

    Formula:
        ``loss = -sum(y_true * log(p), axis=axis)``, ``p = y_pred`` (normalised, clipped) or ``softmax(y_pred)``

    Example:
        >>> cce = keras.losses.CategoricalCrossentropy()
        >>> cce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        <Tensor shape=() dtype=float32 numpy=1.1769392>
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Categorical focal cross-entropy for one-hot labels: :func:`categorical_focal_crossentropy`, then the
    reduction.

    Formula:
        ``loss = sum(alpha * (1 - p)**gamma * -y_true * log(p), axis=axis)``

    Example:
        >>> focal = keras.losses.CategoricalFocalCrossentropy()
        >>> focal([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        <Tensor shape=() dtype=float32 numpy=0.23315276>
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction, name, dtype, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Cross-entropy for integer class labels: :func:`sparse_categorical_crossentropy`, then the reduction.

    Formula:
        ``loss = -log(p[y_true])``, ``p = y_pred`` (normalised, clipped) or ``softmax(y_pred)`` along ``axis``

    Example:
        >>> scce = keras.losses.SparseCategoricalCrossentropy()
        >>> scce([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        <Tensor shape=() dtype=float32 numpy=1.1769392>
        >>> scce = keras.losses.SparseCategoricalCrossentropy(ignore_class=-1)
        >>> scce([1, -1], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])  # the second sample is ignored
        <Tensor shape=() dtype=float32 numpy=0.051293306>
    """

    # Keras's argument order: `axis` comes after `reduction` here.
    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)


# ---------------------------------------------------------------------------------------------------------
# Looking losses up by name; serialization
# ---------------------------------------------------------------------------------------------------------

_FUNCTIONS = {f.__name__: f for f in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    cosine_similarity, huber, log_cosh, hinge, squared_hinge, categorical_hinge, kl_divergence, poisson,
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy, categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
)}
# Keras's short names (keras.losses.get knows these) and its legacy aliases (logcosh, kullback_leibler_divergence).
_ALIASES = {
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence, "kullback_leibler_divergence": kl_divergence,
    "logcosh": log_cosh,
}
_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    CosineSimilarity, Huber, LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy,
)}
# What get() accepts as a string: function names and aliases give the function, class names an instance.
_BY_NAME = {**_FUNCTIONS, **_ALIASES, **_CLASSES}


def get(identifier):
    """Return the loss an identifier names, as ``model.compile(loss=...)`` resolves it.

    * ``None`` -> ``None``; a :class:`Loss` instance or any callable -> itself; a Loss class -> an instance;
    * a function name or alias (``'mse'``, ``'mae'``, ``'mape'``, ``'msle'``, ``'bce'``, ``'kld'``, ``'logcosh'``,
      ``'categorical_crossentropy'``, ...) -> that function; a class name (``'MeanSquaredError'``) -> an
      instance of the class;
    * a config dict ``{'class_name': ..., 'config': ...}`` -> :func:`deserialize` of it.

    Names are matched exactly, then ignoring case and underscores (``'Categorical_Crossentropy'``), as every
    ``get()`` in kerasnb does; an unknown name raises ``ValueError`` suggesting the closest valid one.

    Example:
        >>> keras.losses.get("mse").__name__
        'mean_squared_error'
        >>> keras.losses.get("CategoricalCrossentropy")
        <CategoricalCrossentropy name='categorical_crossentropy' reduction='sum_over_batch_size'>
        >>> keras.losses.get("categorical_crossentropyy")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret loss identifier: 'categorical_crossentropyy'. Did you mean 'categorical_crossentropy'?
    """  # noqa: E501
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = _lookup.find(identifier, _BY_NAME)
        if obj is None:
            raise _lookup.unknown_identifier("loss", identifier, _BY_NAME)
        return obj() if isinstance(obj, type) else obj
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise _lookup.unknown_identifier("loss", identifier, _BY_NAME)


def serialize(loss):
    """A JSON-friendly description of a loss (object or function), in the layout Keras writes.

    Example:
        >>> keras.losses.serialize(keras.losses.MeanSquaredError())
        {'module': 'keras.losses', 'class_name': 'MeanSquaredError', 'config': {'name': 'mean_squared_error', 'reduction': 'sum_over_batch_size'}, 'registered_name': None}
        >>> keras.losses.serialize(keras.losses.binary_crossentropy)["config"]
        'binary_crossentropy'
    """  # noqa: E501
    return _serialize(loss, _MODULE, {**_CLASSES, "LossFunctionWrapper": LossFunctionWrapper}, _FUNCTIONS)


def _serialize(obj, module, classes, functions):
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, type):
        raise TypeError(f"Serialize an instance, not the class {obj.__name__}: pass {obj.__name__}().")
    from kerasnb.saving.object_registration import get_registered_name

    if hasattr(obj, "get_config"):
        name = type(obj).__name__
        builtin = classes.get(name) is type(obj)
        return {"module": module if builtin else type(obj).__module__, "class_name": name,
                "config": obj.get_config(), "registered_name": None if builtin else get_registered_name(type(obj))}
    if callable(obj):
        name = getattr(obj, "__name__", None)
        if name is None or name == "<lambda>":
            raise ValueError(f"Cannot serialize {obj!r}: give the function a name (use `def`, not lambda).")
        builtin = functions.get(name) is obj
        return {"module": module if builtin else obj.__module__, "class_name": "function",
                "config": name if builtin else get_registered_name(obj), "registered_name": "function"}
    raise ValueError(f"Cannot serialize {obj!r}: it is neither a loss object nor a function.")


def deserialize(config, custom_objects=None):
    """Rebuild a loss from :func:`serialize`'s output (or a name); ``custom_objects`` maps names to your own
    loss classes and functions.

    Example:
        >>> keras.losses.deserialize({"class_name": "BinaryCrossentropy", "config": {"from_logits": True}})
        <BinaryCrossentropy name='binary_crossentropy' reduction='sum_over_batch_size'>
    """
    return _deserialize(config, custom_objects, "loss", {**_FUNCTIONS, **_ALIASES},
                        {**_CLASSES, "Loss": Loss, "LossFunctionWrapper": LossFunctionWrapper})


def _deserialize(config, custom_objects, kind, functions, classes):
    custom_objects = custom_objects or {}
    if config is None:
        return None
    if isinstance(config, str):
        obj = _lookup.custom_object(config, custom_objects) or _lookup.find(config, {**functions, **classes})
        if obj is None:
            raise _lookup.unknown_identifier(kind, config, {**functions, **classes})
        return obj() if isinstance(obj, type) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Could not deserialize {kind} {config!r}: expected a name or a dict with 'class_name' and 'config'."
        )
    class_name, inner = config["class_name"], config.get("config")
    if class_name == "function":
        if not isinstance(inner, str):
            raise ValueError(f"A {kind} function's config is its name. Received: {inner!r}")
        fn = _lookup.custom_object(inner, custom_objects) or functions.get(inner)
        if fn is None:
            raise ValueError(
                f"Unknown {kind} function {inner!r}. For your own function, pass custom_objects={{{inner!r}: fn}}."
            )
        return fn
    registered_name = config.get("registered_name")
    cls = _lookup.custom_object(class_name, custom_objects, registered_name)
    if cls is None:
        cls = classes.get(class_name) if isinstance(class_name, str) else None
        if cls is not None and isinstance(registered_name, str) and registered_name not in ("", class_name):
            raise ValueError(
                f"The config's registered_name {registered_name!r} names none of your objects, but its class_name "
                f"{class_name!r} is kerasnb's built-in {kind}: the two disagree, so the config is refused."
            )
    if cls is None:
        raise ValueError(
            f"Unknown {kind} class {class_name!r}. For your own class, pass "
            f"custom_objects={{{class_name!r}: {class_name}}}."
        )
    if inner is not None and not isinstance(inner, dict):
        raise ValueError(f"The config of the {kind} {class_name!r} must be a dict. Received: {inner!r}")
    return cls.from_config(dict(inner or {}))
