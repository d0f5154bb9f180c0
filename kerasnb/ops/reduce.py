"""Reductions: sum, mean, max, min, prod, var, std, logsumexp, argmax, argmin, any, all.

Every reduction takes ``axis`` (an int, a tuple, or ``None`` for all axes) and ``keepdims``. The backwards
first put the reduced axes back as size-1 axes (:func:`_keep`), then broadcast against the input.
"""

import builtins

from kerasnb import config
from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import convert_to_tensor
from kerasnb.ops._helpers import accumulate_dtype, constant, normalize_axis
from kerasnb.ops.math import cast, sqrt


def _keep(g, axes, keepdims):
    """Reinsert the reduced ``axes`` as size 1 so ``g`` broadcasts against the input."""
    if keepdims or not axes:
        return g
    shape = list(g.shape)
    for a in axes:
        shape.insert(a, 1)
    return g.reshape(shape)


class _Reduction(Op):
    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims


class Sum(_Reduction):
    """y = Σ x over axes;  dx = dy broadcast back to x's shape"""

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims, dtype=accumulate_dtype(x.dtype))

    def backward(self, dy):
        return self.xp.broadcast_to(_keep(dy, self.axis, self.keepdims), self.shape)


class Mean(_Reduction):
    """y = Σ x / n over axes;  dx = dy / n broadcast back"""

    def forward(self, x):
        self.shape = x.shape
        self.count = builtins.max(1, int(_count(x.shape, self.axis)))
        return x.mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, dy):
        return self.xp.broadcast_to(_keep(dy, self.axis, self.keepdims) / self.count, self.shape)


class Max(_Reduction):
    """y = max x over axes;  dx = dy shared equally among the positions that reach the maximum"""

    def forward(self, x):
        self.x = x
        self.y = x.max(axis=self.axis, keepdims=True)
        return self.y if self.keepdims else self.y.reshape(_reduced_shape(x.shape, self.axis))

    def backward(self, dy):
        hits = self.x == self.y
        share = hits / hits.sum(axis=self.axis, keepdims=True)
        return share.astype(dy.dtype) * _keep(dy, self.axis, self.keepdims)


class Min(Max):
    """y = min x over axes;  dx = dy shared equally among the positions that reach the minimum"""

    def forward(self, x):
        self.x = x
        self.y = x.min(axis=self.axis, keepdims=True)
        return self.y if self.keepdims else self.y.reshape(_reduced_shape(x.shape, self.axis))


class Prod(_Reduction):
    """y = Π x over axes;  dx_i = dy · Π_{j≠i} x_j  (exclusive products from both sides, so zeros are fine)"""

    def forward(self, x):
        self.x = x
        return x.prod(axis=self.axis, keepdims=self.keepdims, dtype=accumulate_dtype(x.dtype))

    def backward(self, dy):
        xp, x = self.xp, self.x
        if x.size == 0:  # an empty input (e.g. a product over an axis of length 0) has an empty gradient
            return xp.zeros(x.shape, dtype=x.dtype)
        # Move the reduced axes to the end and flatten them into one axis of length n.
        kept = [a for a in range(x.ndim) if a not in self.axis]
        perm = kept + list(self.axis)
        flat = x.transpose(perm).reshape([x.shape[a] for a in kept] + [-1])
        ones = xp.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
        left = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
        others = (left * right).reshape([x.shape[a] for a in perm])
        inverse = [perm.index(a) for a in range(x.ndim)]
        return others.transpose(inverse) * _keep(dy, self.axis, self.keepdims)


class Var(_Reduction):
    """y = mean((x - mean(x))²) over axes;  dx = dy · 2 (x - mean(x)) / n"""

    def forward(self, x):
        self.centered = x - x.mean(axis=self.axis, keepdims=True)
        self.count = builtins.max(1, int(_count(x.shape, self.axis)))
        return (self.centered * self.centered).mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, dy):
        return _keep(dy, self.axis, self.keepdims) * (2 / self.count) * self.centered


class LogSumExp(_Reduction):
    """y = log Σ exp(x) computed as m + log Σ exp(x - m) with m = max x;  dx = dy · exp(x - y) (a softmax)"""

    def forward(self, x):
        xp = self.xp
        m = x.max(axis=self.axis, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf rows: keep the result -inf, not nan
        y = xp.log(xp.exp(x - m).sum(axis=self.axis, keepdims=True)) + m
        self.x, self.y = x, y
        return y if self.keepdims else y.reshape(_reduced_shape(x.shape, self.axis))

    def backward(self, dy):
        return _keep(dy, self.axis, self.keepdims) * self.xp.exp(self.x - self.y)


def _count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _reduced_shape(shape, axes):
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _float_input(x):
    x = convert_to_tensor(x)
    return cast(x, config.floatx()) if x.dtype.kind in "iub" else x


def _reduce(op_class, x, axis, keepdims, float_only=False):
    x = _float_input(x) if float_only else convert_to_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    return op_class(axes, keepdims)(x)


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes when ``None``).

    Example:
        >>> kerasnb.ops.sum([[1.0, 2.0], [3.0, 4.0]], axis=0)
        <Tensor shape=(2,) dtype=float32 numpy=[4. 6.]>
    """
    return _reduce(Sum, x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis``; integer inputs give ``floatx()``.

    Example:
        >>> kerasnb.ops.mean([[1.0, 2.0], [3.0, 4.0]], axis=1)
        <Tensor shape=(2,) dtype=float32 numpy=[1.5 3.5]>
    """
    return _reduce(Mean, x, axis, keepdims, float_only=True)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over ``axis``; on ties the gradient is shared equally among the maxima.

    Example:
        >>> kerasnb.ops.max([[1.0, 5.0], [3.0, 4.0]], axis=1)
        <Tensor shape=(2,) dtype=float32 numpy=[5. 4.]>
    """
    y = _reduce(Max, x, axis, keepdims)
    return y if initial is None else _maximum(y, initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over ``axis``; on ties the gradient is shared equally among the minima.

    Example:
        >>> kerasnb.ops.min([[1.0, 5.0], [3.0, 4.0]], axis=1)
        <Tensor shape=(2,) dtype=float32 numpy=[1. 3.]>
    """
    y = _reduce(Min, x, axis, keepdims)
    return y if initial is None else _minimum(y, initial)


def _maximum(a, b):
    from kerasnb.ops.math import maximum

    return maximum(a, b)


def _minimum(a, b):
    from kerasnb.ops.math import minimum

    return minimum(a, b)


amax = max
amin = min


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis``.

    Example:
        >>> kerasnb.ops.prod([[1.0, 2.0], [3.0, 4.0]], axis=1)
        <Tensor shape=(2,) dtype=float32 numpy=[ 2. 12.]>
    """
    x = convert_to_tensor(x) if dtype is None else cast(x, dtype)
    return _reduce(Prod, x, axis, keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance (divides by n) over ``axis``.

    Example:
        >>> kerasnb.ops.var([1.0, 2.0, 3.0, 4.0])
        <Tensor shape=() dtype=float32 numpy=1.25>
    """
    return _reduce(Var, x, axis, keepdims, float_only=True)


def std(x, axis=None, keepdims=False):
    """Population standard deviation, ``sqrt(var(x))``.

    Example:
        >>> kerasnb.ops.std([1.0, 3.0])
        <Tensor shape=() dtype=float32 numpy=1.0>
    """
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed without overflow.

    Example:
        >>> kerasnb.ops.logsumexp([1000.0, 1000.0])
        <Tensor shape=() dtype=float32 numpy=1000.6932>
    """
    return _reduce(LogSumExp, x, axis, keepdims, float_only=True)


def _index_reduce(name, x, axis, keepdims):
    data = convert_to_tensor(x).data
    if axis is None:
        out = getattr(data.reshape(-1), name)()
        if keepdims:
            out = out.reshape((1,) * data.ndim)
        return constant(out.astype("int32"))
    out = getattr(data, name)(axis=axis, keepdims=keepdims)
    return constant(out.astype("int32"))


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along ``axis`` (of the flattened tensor when ``None``), as int32.

    Example:
        >>> kerasnb.ops.argmax([[1.0, 5.0], [7.0, 4.0]], axis=1)
        <Tensor shape=(2,) dtype=int32 numpy=[1 0]>
    """
    return _index_reduce("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along ``axis`` (of the flattened tensor when ``None``), as int32.

    Example:
        >>> kerasnb.ops.argmin([[1.0, 5.0], [7.0, 4.0]], axis=1)
        <Tensor shape=(2,) dtype=int32 numpy=[0 1]>
    """
    return _index_reduce("argmin", x, axis, keepdims)


def any(x, axis=None, keepdims=False):
    """True where any element along ``axis`` is non-zero.

    Example:
        >>> kerasnb.ops.any([[True, False], [False, False]], axis=1)
        <Tensor shape=(2,) dtype=bool numpy=[ True False]>
    """
    data = convert_to_tensor(x).data
    return constant(data.astype(bool).any(axis=axis, keepdims=keepdims))


def all(x, axis=None, keepdims=False):
    """True where every element along ``axis`` is non-zero.

    Example:
        >>> kerasnb.ops.all([[True, False], [True, True]], axis=1)
        <Tensor shape=(2,) dtype=bool numpy=[False  True]>
    """
    data = convert_to_tensor(x).data
    return constant(data.astype(bool).all(axis=axis, keepdims=keepdims))
