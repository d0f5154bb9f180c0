"""Elementwise math: arithmetic, powers, exponentials, trigonometry, comparisons, ``where``, ``clip``, ``cast``.

Each op is a small class — ``forward`` on arrays, ``backward`` returning the gradient for each input — and a
public function with the math in its docstring. Gradients of broadcast inputs are summed back to the input's
shape by :class:`~kerasnb.engine.autograd.Op`, so the backwards here are written as if no broadcasting
happened.
"""

import math as _pymath

from kerasnb import config
from kerasnb.engine.arrays import array_module
from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import Tensor, convert_to_tensor, standardize_dtype
from kerasnb.ops._helpers import constant, operands

# ---------------------------------------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------------------------------------


class Add(Op):
    """y = a + b;  da = dy, db = dy"""

    def forward(self, a, b):
        return a + b

    def backward(self, dy):
        return dy, dy


class Subtract(Op):
    """y = a - b;  da = dy, db = -dy"""

    def forward(self, a, b):
        return a - b

    def backward(self, dy):
        return dy, -dy


class Multiply(Op):
    """y = a * b;  da = dy * b, db = dy * a"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, dy):
        return dy * self.b, dy * self.a


class Divide(Op):
    """y = a / b;  da = dy / b, db = -dy * a / b**2"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, dy):
        da = dy / self.b
        db = -da * self.a / self.b if self.needs_input_grad[1] else None
        return da, db


class Mod(Op):
    """y = a mod b (sign of b, like NumPy);  da = dy, db = -dy * floor(a / b)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return self.xp.mod(a, b)

    def backward(self, dy):
        return dy, -dy * self.xp.floor(self.a / self.b)


class Power(Op):
    """y = a ** b;  da = dy * b * a**(b-1), db = dy * y * log(a)  (taken as 0 where a <= 0)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = self.xp.power(a, b)
        return self.y

    def backward(self, dy):
        xp = self.xp
        da = None
        if self.needs_input_grad[0]:
            # b·a^(b−1) is 0 where b = 0, also at a = 0 (where 0·0^(−1) would give nan), as torch and JAX say.
            safe = xp.where(self.b == 0, 1, self.a)
            da = dy * xp.where(self.b == 0, 0, self.b * xp.power(safe, self.b - 1))
        db = None
        if self.needs_input_grad[1]:
            positive = self.a > 0
            log_a = xp.log(xp.where(positive, self.a, 1))
            db = dy * xp.where(positive, self.y * log_a, 0)
        return da, db


class Maximum(Op):
    """y = max(a, b);  the gradient goes to a where a >= b, otherwise to b"""

    def forward(self, a, b):
        self.a_wins = a >= b
        return self.xp.maximum(a, b)

    def backward(self, dy):
        return dy * self.a_wins, dy * ~self.a_wins


class Minimum(Op):
    """y = min(a, b);  the gradient goes to a where a <= b, otherwise to b"""

    def forward(self, a, b):
        self.a_wins = a <= b
        return self.xp.minimum(a, b)

    def backward(self, dy):
        return dy * self.a_wins, dy * ~self.a_wins


def add(x1, x2):
    """Elementwise ``x1 + x2`` with broadcasting.

    Example:
        >>> kerasnb.ops.add([1.0, 2.0], 10.0)
        <Tensor shape=(2,) dtype=float32 numpy=[11. 12.]>
    """
    return Add()(*operands(x1, x2))


def subtract(x1, x2):
    """Elementwise ``x1 - x2`` with broadcasting.

    Example:
        >>> kerasnb.ops.subtract([3.0, 2.0], 1.0)
        <Tensor shape=(2,) dtype=float32 numpy=[2. 1.]>
    """
    return Subtract()(*operands(x1, x2))


def multiply(x1, x2):
    """Elementwise ``x1 * x2`` with broadcasting.

    Example:
        >>> kerasnb.ops.multiply([1.0, 2.0], [3.0, 4.0])
        <Tensor shape=(2,) dtype=float32 numpy=[3. 8.]>
    """
    return Multiply()(*operands(x1, x2))


def divide(x1, x2):
    """Elementwise true division ``x1 / x2``; integers divide to ``floatx()``.

    Example:
        >>> kerasnb.ops.divide([1.0, 3.0], 2.0)
        <Tensor shape=(2,) dtype=float32 numpy=[0.5 1.5]>
    """
    a, b = operands(x1, x2)
    if a.dtype.kind != "f":
        a, b = cast(a, config.floatx()), cast(b, config.floatx())
    return Divide()(a, b)


true_divide = divide


def floor_divide(x1, x2):
    """Elementwise ``floor(x1 / x2)``; not differentiable (its gradient is zero almost everywhere).

    Example:
        >>> kerasnb.ops.floor_divide([7, -7], 2)
        <Tensor shape=(2,) dtype=int32 numpy=[ 3 -4]>
    """
    a, b = operands(x1, x2)
    return constant(a.data // b.data)


def mod(x1, x2):
    """Elementwise remainder with the sign of ``x2`` (as NumPy's ``mod``).

    Example:
        >>> kerasnb.ops.mod([5.0, -5.0], 3.0)
        <Tensor shape=(2,) dtype=float32 numpy=[2. 1.]>
    """
    return Mod()(*operands(x1, x2))


def power(x1, x2):
    """Elementwise ``x1 ** x2``; d/dx1 = x2·x1^(x2−1), d/dx2 = x1^x2·log(x1) (0 where x1 <= 0).

    Example:
        >>> kerasnb.ops.power([2.0, 3.0], 2)
        <Tensor shape=(2,) dtype=float32 numpy=[4. 9.]>
    """
    return Power()(*operands(x1, x2))


def maximum(x1, x2):
    """Elementwise maximum; on ties the gradient goes to ``x1``.

    Example:
        >>> kerasnb.ops.maximum([1.0, 5.0], 3.0)
        <Tensor shape=(2,) dtype=float32 numpy=[3. 5.]>
    """
    return Maximum()(*operands(x1, x2))


def minimum(x1, x2):
    """Elementwise minimum; on ties the gradient goes to ``x1``.

    Example:
        >>> kerasnb.ops.minimum([1.0, 5.0], 3.0)
        <Tensor shape=(2,) dtype=float32 numpy=[1. 3.]>
    """
    return Minimum()(*operands(x1, x2))


# ---------------------------------------------------------------------------------------------------------
# Unary elementwise
# ---------------------------------------------------------------------------------------------------------


class Negative(Op):
    """y = -x;  dx = -dy"""

    def forward(self, x):
        return -x

    def backward(self, dy):
        return -dy


class Abs(Op):
    """y = |x|;  dx = dy * sign(x)  (0 at x = 0)"""

    def forward(self, x):
        self.x = x
        return self.xp.abs(x)

    def backward(self, dy):
        return dy * self.xp.sign(self.x)


class Square(Op):
    """y = x**2;  dx = 2 x dy"""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, dy):
        return 2 * self.x * dy


class Sqrt(Op):
    """y = sqrt(x);  dx = dy / (2 y)"""

    def forward(self, x):
        self.y = self.xp.sqrt(x)
        return self.y

    def backward(self, dy):
        return dy / (2 * self.y)


class Exp(Op):
    """y = exp(x);  dx = dy * y"""

    def forward(self, x):
        self.y = self.xp.exp(x)
        return self.y

    def backward(self, dy):
        return dy * self.y


class Expm1(Op):
    """y = exp(x) - 1 (accurate near 0);  dx = dy * (y + 1)"""

    def forward(self, x):
        self.y = self.xp.expm1(x)
        return self.y

    def backward(self, dy):
        return dy * (self.y + 1)


class Log(Op):
    """y = log(x);  dx = dy / x"""

    def forward(self, x):
        self.x = x
        return self.xp.log(x)

    def backward(self, dy):
        return dy / self.x


class Log1p(Op):
    """y = log(1 + x) (accurate near 0);  dx = dy / (1 + x)"""

    def forward(self, x):
        self.x = x
        return self.xp.log1p(x)

    def backward(self, dy):
        return dy / (1 + self.x)


class Sin(Op):
    """y = sin(x);  dx = dy * cos(x)"""

    def forward(self, x):
        self.x = x
        return self.xp.sin(x)

    def backward(self, dy):
        return dy * self.xp.cos(self.x)


class Cos(Op):
    """y = cos(x);  dx = -dy * sin(x)"""

    def forward(self, x):
        self.x = x
        return self.xp.cos(x)

    def backward(self, dy):
        return -dy * self.xp.sin(self.x)


class Tan(Op):
    """y = tan(x);  dx = dy * (1 + y**2)"""

    def forward(self, x):
        self.y = self.xp.tan(x)
        return self.y

    def backward(self, dy):
        return dy * (1 + self.y * self.y)


class Arcsin(Op):
    """y = arcsin(x);  dx = dy / sqrt(1 - x**2)"""

    def forward(self, x):
        self.x = x
        return self.xp.arcsin(x)

    def backward(self, dy):
        return dy / self.xp.sqrt(1 - self.x * self.x)


class Arccos(Op):
    """y = arccos(x);  dx = -dy / sqrt(1 - x**2)"""

    def forward(self, x):
        self.x = x
        return self.xp.arccos(x)

    def backward(self, dy):
        return -dy / self.xp.sqrt(1 - self.x * self.x)


class Arctan(Op):
    """y = arctan(x);  dx = dy / (1 + x**2)"""

    def forward(self, x):
        self.x = x
        return self.xp.arctan(x)

    def backward(self, dy):
        return dy / (1 + self.x * self.x)


class Sinh(Op):
    """y = sinh(x);  dx = dy * cosh(x)"""

    def forward(self, x):
        self.x = x
        return self.xp.sinh(x)

    def backward(self, dy):
        return dy * self.xp.cosh(self.x)


class Cosh(Op):
    """y = cosh(x);  dx = dy * sinh(x)"""

    def forward(self, x):
        self.x = x
        return self.xp.cosh(x)

    def backward(self, dy):
        return dy * self.xp.sinh(self.x)


class Tanh(Op):
    """y = tanh(x);  dx = dy * (1 - y**2)"""

    def forward(self, x):
        self.y = self.xp.tanh(x)
        return self.y

    def backward(self, dy):
        return dy * (1 - self.y * self.y)


class Erf(Op):
    """y = erf(x);  dx = dy * 2/sqrt(pi) * exp(-x**2)"""

    def forward(self, x):
        self.x = x
        return erf_array(self.xp, x)

    def backward(self, dy):
        return dy * (2 / _pymath.sqrt(_pymath.pi)) * self.xp.exp(-self.x * self.x)


def erf_array(xp, x):
    """erf on a raw array, accurate to ~1e-15 in float64 (NumPy has no erf and SciPy is no dependency).

    For |x| < 2.5 the everywhere-positive series erf(x) = 2/sqrt(pi)·exp(-x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1))
    (no cancellation); beyond, the continued fraction of erfc(x) = exp(-x²)/sqrt(pi) / (x + ½/(x + 1/(x + …))).
    Both loops run over terms of the expansion, never over elements.
    """
    a = xp.abs(x)
    small = xp.minimum(a, 2.5)
    term = small.copy()
    total = small.copy()
    for n in range(1, 64):
        term = term * (2 * small * small) / (2 * n + 1)
        total = total + term
    series = (2 / _pymath.sqrt(_pymath.pi)) * xp.exp(-small * small) * total
    big = xp.maximum(a, 2.5)
    frac = big.copy()
    for k in range(80, 0, -1):
        frac = big + (k / 2) / frac
    tail = 1 - xp.exp(-big * big) / (_pymath.sqrt(_pymath.pi) * frac)
    return xp.sign(x) * xp.where(a < 2.5, series, tail)


def _unary(op_class, x):
    x = convert_to_tensor(x)
    if x.dtype.kind != "f":
        x = cast(x, config.floatx())
    return op_class()(x)


def negative(x):
    """Elementwise ``-x``.

    Example:
        >>> kerasnb.ops.negative([1.0, -2.0])
        <Tensor shape=(2,) dtype=float32 numpy=[-1.  2.]>
    """
    return Negative()(convert_to_tensor(x))


def abs(x):
    """Elementwise ``|x|``; d/dx = sign(x), taken as 0 at 0.

    Example:
        >>> kerasnb.ops.abs([-1.5, 2.0])
        <Tensor shape=(2,) dtype=float32 numpy=[1.5 2. ]>
    """
    return Abs()(convert_to_tensor(x))


absolute = abs


def square(x):
    """Elementwise ``x**2``; d/dx = 2x.

    Example:
        >>> kerasnb.ops.square([3.0])
        <Tensor shape=(1,) dtype=float32 numpy=[9.]>
    """
    return Square()(convert_to_tensor(x))


def sqrt(x):
    """Elementwise square root; d/dx = 1 / (2 sqrt(x)).

    Example:
        >>> kerasnb.ops.sqrt([4.0, 9.0])
        <Tensor shape=(2,) dtype=float32 numpy=[2. 3.]>
    """
    return _unary(Sqrt, x)


def rsqrt(x):
    """Elementwise ``1 / sqrt(x)``.

    Example:
        >>> kerasnb.ops.rsqrt([4.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.5]>
    """
    return divide(1.0, sqrt(x))


def reciprocal(x):
    """Elementwise ``1 / x``.

    Example:
        >>> kerasnb.ops.reciprocal([4.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.25]>
    """
    return divide(1.0, x)


def exp(x):
    """Elementwise ``e**x``; d/dx = e**x.

    Example:
        >>> kerasnb.ops.exp([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[1.]>
    """
    return _unary(Exp, x)


def expm1(x):
    """Elementwise ``e**x - 1``, accurate for small x.

    Example:
        >>> kerasnb.ops.expm1([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return _unary(Expm1, x)


def log(x):
    """Elementwise natural logarithm; d/dx = 1/x.

    Example:
        >>> kerasnb.ops.log([1.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return _unary(Log, x)


def log1p(x):
    """Elementwise ``log(1 + x)``, accurate for small x; d/dx = 1/(1+x).

    Example:
        >>> kerasnb.ops.log1p([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return _unary(Log1p, x)


def log2(x):
    """Elementwise base-2 logarithm.

    Example:
        >>> kerasnb.ops.log2([8.0])
        <Tensor shape=(1,) dtype=float32 numpy=[3.]>
    """
    return log(x) / _pymath.log(2.0)


def log10(x):
    """Elementwise base-10 logarithm.

    Example:
        >>> kerasnb.ops.log10([100.0])
        <Tensor shape=(1,) dtype=float32 numpy=[2.]>
    """
    return log(x) / _pymath.log(10.0)


def sin(x):
    """Elementwise sine. Example: ``kerasnb.ops.sin([0.0])`` gives ``[0.]``."""
    return _unary(Sin, x)


def cos(x):
    """Elementwise cosine. Example: ``kerasnb.ops.cos([0.0])`` gives ``[1.]``."""
    return _unary(Cos, x)


def tan(x):
    """Elementwise tangent. Example: ``kerasnb.ops.tan([0.0])`` gives ``[0.]``."""
    return _unary(Tan, x)


def arcsin(x):
    """Elementwise inverse sine. Example: ``kerasnb.ops.arcsin([0.0])`` gives ``[0.]``."""
    return _unary(Arcsin, x)


def arccos(x):
    """Elementwise inverse cosine. Example: ``kerasnb.ops.arccos([1.0])`` gives ``[0.]``."""
    return _unary(Arccos, x)


def arctan(x):
    """Elementwise inverse tangent. Example: ``kerasnb.ops.arctan([0.0])`` gives ``[0.]``."""
    return _unary(Arctan, x)


def sinh(x):
    """Elementwise hyperbolic sine. Example: ``kerasnb.ops.sinh([0.0])`` gives ``[0.]``."""
    return _unary(Sinh, x)


def cosh(x):
    """Elementwise hyperbolic cosine. Example: ``kerasnb.ops.cosh([0.0])`` gives ``[1.]``."""
    return _unary(Cosh, x)


def tanh(x):
    """Elementwise hyperbolic tangent; d/dx = 1 - tanh(x)**2.

    Example:
        >>> kerasnb.ops.tanh([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return _unary(Tanh, x)


def erf(x):
    """Elementwise error function; d/dx = 2/sqrt(pi)·exp(-x²).

    Example:
        >>> kerasnb.ops.erf([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return _unary(Erf, x)


# ---------------------------------------------------------------------------------------------------------
# Piecewise-constant functions: their gradient is zero almost everywhere, so nothing is recorded and the
# tape reports them as unconnected (None), as TensorFlow does.
# ---------------------------------------------------------------------------------------------------------


def _raw(x):
    return convert_to_tensor(x).data


def _xp_of(data):
    return array_module(data)


def sign(x):
    """Elementwise sign (-1, 0 or 1). Not differentiated.

    Example:
        >>> kerasnb.ops.sign([-2.0, 0.0, 3.0])
        <Tensor shape=(3,) dtype=float32 numpy=[-1.  0.  1.]>
    """
    d = _raw(x)
    return constant(_xp_of(d).sign(d))


def floor(x):
    """Elementwise floor. Not differentiated. Example: ``kerasnb.ops.floor([1.7])`` gives ``[1.]``."""
    d = _raw(x)
    return constant(_xp_of(d).floor(d))


def ceil(x):
    """Elementwise ceiling. Not differentiated. Example: ``kerasnb.ops.ceil([1.2])`` gives ``[2.]``."""
    d = _raw(x)
    return constant(_xp_of(d).ceil(d))


def round(x, decimals=0):
    """Round half to even, like NumPy. Not differentiated. Example: ``kerasnb.ops.round([2.5])`` gives ``[2.]``."""
    d = _raw(x)
    return constant(_xp_of(d).round(d, decimals))


def _compare(fn):
    def compare(x1, x2):
        a, b = operands(x1, x2)
        return constant(fn(a.data, b.data))

    return compare


equal = _compare(lambda a, b: a == b)
equal.__doc__ = "Elementwise ``x1 == x2`` as a bool tensor. Example: ``kerasnb.ops.equal([1, 2], 2)``."
not_equal = _compare(lambda a, b: a != b)
not_equal.__doc__ = "Elementwise ``x1 != x2`` as a bool tensor. Example: ``kerasnb.ops.not_equal([1, 2], 2)``."
less = _compare(lambda a, b: a < b)
less.__doc__ = "Elementwise ``x1 < x2`` as a bool tensor. Example: ``kerasnb.ops.less([1, 2], 2)``."
less_equal = _compare(lambda a, b: a <= b)
less_equal.__doc__ = "Elementwise ``x1 <= x2`` as a bool tensor. Example: ``kerasnb.ops.less_equal([1, 2], 2)``."
greater = _compare(lambda a, b: a > b)
greater.__doc__ = "Elementwise ``x1 > x2`` as a bool tensor. Example: ``kerasnb.ops.greater([1, 2], 1)``."
greater_equal = _compare(lambda a, b: a >= b)
greater_equal.__doc__ = (
    "Elementwise ``x1 >= x2`` as a bool tensor. Example: ``kerasnb.ops.greater_equal([1, 2], 2)``."
)
logical_and = _compare(lambda a, b: a.astype(bool) & b.astype(bool))
logical_and.__doc__ = "Elementwise logical and. Example: ``kerasnb.ops.logical_and([True, False], True)``."
logical_or = _compare(lambda a, b: a.astype(bool) | b.astype(bool))
logical_or.__doc__ = "Elementwise logical or. Example: ``kerasnb.ops.logical_or([True, False], False)``."
for _f, _n in [(equal, "equal"), (not_equal, "not_equal"), (less, "less"), (less_equal, "less_equal"),
               (greater, "greater"), (greater_equal, "greater_equal"), (logical_and, "logical_and"),
               (logical_or, "logical_or")]:
    _f.__name__ = _f.__qualname__ = _n


def logical_not(x):
    """Elementwise logical not. Example: ``kerasnb.ops.logical_not([True, False])`` gives ``[False True]``."""
    return constant(~_raw(x).astype(bool))


def isnan(x):
    """Elementwise test for NaN. Example: ``kerasnb.ops.isnan([float('nan'), 1.0])``."""
    d = _raw(x)
    return constant(_xp_of(d).isnan(d))


def isinf(x):
    """Elementwise test for ±inf. Example: ``kerasnb.ops.isinf([float('inf'), 1.0])``."""
    d = _raw(x)
    return constant(_xp_of(d).isinf(d))


def isfinite(x):
    """Elementwise test for finite values. Example: ``kerasnb.ops.isfinite([float('inf'), 1.0])``."""
    d = _raw(x)
    return constant(_xp_of(d).isfinite(d))


# ---------------------------------------------------------------------------------------------------------
# where, clip, cast
# ---------------------------------------------------------------------------------------------------------


class Where(Op):
    """y = a where condition else b;  da = dy * condition, db = dy * (not condition)"""

    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        return self.xp.where(self.condition, a, b)

    def backward(self, dy):
        zero = self.xp.zeros((), dy.dtype)
        return self.xp.where(self.condition, dy, zero), self.xp.where(self.condition, zero, dy)


def where(condition, x1=None, x2=None):
    """Choose elementwise from ``x1`` where ``condition`` is true, else from ``x2`` (broadcasting all three).

    With only ``condition``, returns the indices of its non-zero elements, as NumPy's ``nonzero``.

    Example:
        >>> kerasnb.ops.where([True, False], [1.0, 2.0], [10.0, 20.0])
        <Tensor shape=(2,) dtype=float32 numpy=[ 1. 20.]>
    """
    cond = _raw(condition)
    if x1 is None and x2 is None:
        return tuple(constant(i) for i in _xp_of(cond).nonzero(cond))
    if x1 is None or x2 is None:
        raise ValueError("where() takes both `x1` and `x2`, or neither. Received only one of them.")
    a, b = operands(x1, x2)
    return Where(cond.astype(bool))(a, b)


class Clip(Op):
    """y = min(max(x, low), high);  dx = dy where low <= x <= high, else 0"""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        self.inside = (x >= self.low) & (x <= self.high)
        return self.xp.clip(x, self.low, self.high)

    def backward(self, dy):
        return dy * self.inside


def clip(x, x_min, x_max):
    """Limit values to ``[x_min, x_max]``; the gradient passes only where x was inside.

    Example:
        >>> kerasnb.ops.clip([-2.0, 0.5, 3.0], 0.0, 1.0)
        <Tensor shape=(3,) dtype=float32 numpy=[0.  0.5 1. ]>
    """
    x = convert_to_tensor(x)
    low = _raw(x_min) if isinstance(x_min, Tensor) else x_min
    high = _raw(x_max) if isinstance(x_max, Tensor) else x_max
    return Clip(low, high)(x)


class Cast(Op):
    """y = x as another dtype;  dx = dy cast back (only between float types)"""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, dy):
        return dy.astype(self.in_dtype)


def cast(x, dtype):
    """Cast ``x`` to ``dtype``; float-to-float casts pass gradients, casts to integers do not.

    Example:
        >>> kerasnb.ops.cast([1.7, -1.7], "int32")
        <Tensor shape=(2,) dtype=int32 numpy=[ 1 -1]>
    """
    x = convert_to_tensor(x)
    dtype = standardize_dtype(dtype)
    if x.dtype == dtype:
        return x
    return Cast(dtype)(x)
