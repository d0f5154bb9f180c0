"""Activation functions and softmax — the elementwise nonlinearities of neural networks.

Each is a fused op (one forward, one backward) rather than a chain of small ops: fewer temporaries, and the
numerically careful form (softplus through logaddexp, softmax after subtracting the max) lives in one place.
``dense_bias_activation`` is what a ``Dense`` layer computes, as one op. Convolution and pooling are in
:mod:`kerasnb.ops.convolution`.
"""

import math as _pymath

import numpy as np

from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import convert_to_tensor
from kerasnb.ops._helpers import float_tensor, log_softmax_array
from kerasnb.ops.crossentropy import (  # noqa: F401  (keras.ops.nn has them too)
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from kerasnb.ops.math import erf_array, exp, multiply, tanh
from kerasnb.ops.reduce import logsumexp  # noqa: F401  (re-exported: keras.ops.nn has it too)


def _sigmoid(xp, x, out=None):
    """1 / (1 + e⁻ˣ) in four passes over one array (``out``, which may be ``x`` itself, or a new one).

    Full relative accuracy down to x ≈ −88 in float32 (−709 in float64); below that e⁻ˣ overflows to inf and
    the result is 0, where the exact value is a denormal under 1e−38. (The form (1 + tanh(x/2))/2 would round
    everything below about −17 to 0.)"""
    with np.errstate(over="ignore"):
        y = xp.negative(x, out=xp.empty_like(x) if out is None else out)  # (out=: an array even for 0-d x)
        xp.exp(y, out=y)
    y += 1
    return xp.reciprocal(y, out=y)


class Relu(Op):
    """y = max(x, 0);  dx = dy where x > 0"""

    def forward(self, x):
        self.positive = x > 0
        return self.xp.maximum(x, 0)

    def backward(self, dy):
        return dy * self.positive


class Relu6(Op):
    """y = min(max(x, 0), 6);  dx = dy where 0 < x < 6"""

    def forward(self, x):
        self.inside = (x > 0) & (x < 6)
        return self.xp.clip(x, 0, 6)

    def backward(self, dy):
        return dy * self.inside


class LeakyRelu(Op):
    """y = x if x > 0 else slope·x;  dx = dy if x > 0 else slope·dy"""

    def __init__(self, negative_slope):
        self.slope = negative_slope

    def forward(self, x):
        self.factor = self.xp.where(x > 0, 1, self.slope).astype(x.dtype)
        return x * self.factor

    def backward(self, dy):
        return dy * self.factor


class Elu(Op):
    """y = x if x > 0 else α(eˣ − 1);  dx = dy if x > 0 else dy·(y + α)"""

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        self.positive = x > 0
        self.y = self.xp.where(self.positive, x, self.alpha * self.xp.expm1(self.xp.minimum(x, 0)))
        return self.y

    def backward(self, dy):
        return self.xp.where(self.positive, dy, dy * (self.y + self.alpha))


class Sigmoid(Op):
    """y = 1 / (1 + e⁻ˣ) (see ``_sigmoid``);  dx = dy·y(1 − y)"""

    def forward(self, x):
        self.y = _sigmoid(self.xp, x)
        return self.y

    def backward(self, dy):
        return dy * self.y * (1 - self.y)


class HardSigmoid(Op):
    """y = clip(x/6 + 1/2, 0, 1);  dx = dy/6 where −3 < x < 3"""

    def forward(self, x):
        self.inside = (x > -3) & (x < 3)
        return self.xp.clip(x / 6 + 0.5, 0, 1).astype(x.dtype)

    def backward(self, dy):
        return dy * self.inside / 6


class Softplus(Op):
    """y = log(1 + eˣ) = logaddexp(0, x);  dx = dy·sigmoid(x)"""

    def forward(self, x):
        self.x = x
        return self.xp.logaddexp(0, x).astype(x.dtype)

    def backward(self, dy):
        return dy * _sigmoid(self.xp, self.x)


class Softsign(Op):
    """y = x / (1 + |x|);  dx = dy / (1 + |x|)²"""

    def forward(self, x):
        self.denom = 1 + self.xp.abs(x)
        return x / self.denom

    def backward(self, dy):
        return dy / (self.denom * self.denom)


class Silu(Op):
    """y = x·sigmoid(x);  dx = dy·(s + x·s(1 − s)) with s = sigmoid(x)"""

    def forward(self, x):
        self.x = x
        self.s = _sigmoid(self.xp, x)
        return x * self.s

    def backward(self, dy):
        s = self.s
        return dy * (s + self.x * s * (1 - s))


class Gelu(Op):
    """Exact: y = x·Φ(x) = x/2·(1 + erf(x/√2));  dx = dy·(Φ(x) + x·φ(x)).
    Approximate: y = x/2·(1 + tanh(u)) = x·s with s = sigmoid(2u), u = √(2/π)(x + 0.044715x³);
    dx = dy·(s + 2x·s(1 − s)·√(2/π)(1 + 3·0.044715x²)).
    (Through z = e^(−2|u|), s and s(1 − s) = z/(1 + z)² keep their digits where tanh(u) ≈ ±1, where
    1 + tanh(u) and 1 − tanh(u)² would cancel to nothing in float32.)"""

    _C = _pymath.sqrt(2 / _pymath.pi)

    def __init__(self, approximate):
        self.approximate = approximate

    def forward(self, x):
        xp = self.xp
        self.x = x
        if self.approximate:
            u = self._C * (x + 0.044715 * x**3)
            z = xp.exp(-2 * xp.abs(u))
            self.s = xp.where(u >= 0, 1 / (1 + z), z / (1 + z))
            self.ds = z / ((1 + z) * (1 + z))
            return x * self.s
        self.cdf = 0.5 * (1 + erf_array(xp, x / _pymath.sqrt(2)))
        return x * self.cdf

    def backward(self, dy):
        x = self.x
        if self.approximate:
            du = self._C * (1 + 3 * 0.044715 * x * x)
            return dy * (self.s + 2 * x * self.ds * du)
        pdf = self.xp.exp(-0.5 * x * x) / _pymath.sqrt(2 * _pymath.pi)
        return dy * (self.cdf + x * pdf)


class Softmax(Op):
    """y = exp(x − max x) / Σ exp(x − max x) along axis;  dx = y·(dy − Σ dy·y)"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        e = self.xp.exp(x - x.max(axis=self.axis, keepdims=True))
        self.y = e / e.sum(axis=self.axis, keepdims=True)
        return self.y

    def backward(self, dy):
        y = self.y
        return y * (dy - (dy * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Op):
    """y = x − logsumexp(x) along axis;  dx = dy − softmax(x)·Σ dy"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        self.y = log_softmax_array(self.xp, x, self.axis)
        return self.y

    def backward(self, dy):
        return dy - self.xp.exp(self.y) * dy.sum(axis=self.axis, keepdims=True)


def relu(x):
    """Rectified linear unit, ``max(x, 0)``.

    Example:
        >>> kerasnb.ops.relu([-1.0, 0.0, 2.0])
        <Tensor shape=(3,) dtype=float32 numpy=[0. 0. 2.]>
    """
    return Relu()(float_tensor(x))


def relu6(x):
    """``min(max(x, 0), 6)``.

    Example:
        >>> kerasnb.ops.relu6([-1.0, 3.0, 8.0])
        <Tensor shape=(3,) dtype=float32 numpy=[0. 3. 6.]>
    """
    return Relu6()(float_tensor(x))


def leaky_relu(x, negative_slope=0.2):
    """``x`` for x > 0, ``negative_slope * x`` otherwise.

    Example:
        >>> kerasnb.ops.leaky_relu([-1.0, 2.0])
        <Tensor shape=(2,) dtype=float32 numpy=[-0.2  2. ]>
    """
    return LeakyRelu(negative_slope)(float_tensor(x))


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    Example:
        >>> kerasnb.ops.elu([0.0, 1.0])
        <Tensor shape=(2,) dtype=float32 numpy=[0. 1.]>
    """
    return Elu(alpha)(float_tensor(x))


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """Scaled ELU: ``scale * elu(x, alpha)`` with the self-normalising constants α≈1.6733, scale≈1.0507.

    Example:
        >>> kerasnb.ops.selu([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return multiply(elu(x, SELU_ALPHA), SELU_SCALE)


def gelu(x, approximate=True):
    """Gaussian error linear unit, ``x * Φ(x)``; ``approximate=True`` uses the tanh form (as ``keras.ops``).

    Example:
        >>> kerasnb.ops.gelu([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return Gelu(bool(approximate))(float_tensor(x))


def silu(x):
    """Sigmoid linear unit (swish), ``x * sigmoid(x)``.

    Example:
        >>> kerasnb.ops.silu([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return Silu()(float_tensor(x))


swish = silu


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, stable for any x.

    Example:
        >>> kerasnb.ops.sigmoid([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.5]>
    """
    return Sigmoid()(float_tensor(x))


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: ``0`` below -3, ``1`` above 3, ``x / 6 + 0.5`` between.

    Example:
        >>> kerasnb.ops.hard_sigmoid([-4.0, 0.0, 4.0])
        <Tensor shape=(3,) dtype=float32 numpy=[0.  0.5 1. ]>
    """
    return HardSigmoid()(float_tensor(x))


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (hard swish).

    Example:
        >>> kerasnb.ops.hard_silu([0.0, 4.0])
        <Tensor shape=(2,) dtype=float32 numpy=[0. 4.]>
    """
    x = float_tensor(x)
    return multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def softplus(x):
    """``log(1 + exp(x))``, stable for any x.

    Example:
        >>> kerasnb.ops.softplus([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.6931472]>
    """
    return Softplus()(float_tensor(x))


def softsign(x):
    """``x / (1 + |x|)``.

    Example:
        >>> kerasnb.ops.softsign([1.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.5]>
    """
    return Softsign()(float_tensor(x))


def exponential(x):
    """``exp(x)``, under its activation name.

    Example:
        >>> kerasnb.ops.exponential([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[1.]>
    """
    return exp(x)


def softmax(x, axis=-1):
    """Softmax along ``axis``: positive values that sum to 1, computed after subtracting the max.

    Example:
        >>> kerasnb.ops.softmax([1.0, 1.0])
        <Tensor shape=(2,) dtype=float32 numpy=[0.5 0.5]>
    """
    return Softmax(axis)(float_tensor(x))


def log_softmax(x, axis=-1):
    """``log(softmax(x))`` along ``axis``, computed as ``x - logsumexp(x)`` (finite for any logits).

    Example:
        >>> kerasnb.ops.log_softmax([0.0, 0.0])
        <Tensor shape=(2,) dtype=float32 numpy=[-0.6931472 -0.6931472]>
    """
    return LogSoftmax(axis)(float_tensor(x))


# -- a Dense layer's whole computation as one op ------------------------------------------------------------
def _activate_in_place(xp, name, z):
    """``activation(z)``, overwriting ``z`` (a fresh array only this op holds)."""
    if name == "relu":
        return xp.maximum(z, 0, out=z)
    if name == "sigmoid":
        return _sigmoid(xp, z, out=z)
    if name == "tanh":
        return xp.tanh(z, out=z)
    if name == "softmax":
        z -= z.max(axis=-1, keepdims=True)
        xp.exp(z, out=z)
        z /= z.sum(axis=-1, keepdims=True)
    return z


def _activation_backward(name, y, dy):
    """dz from dy and the activation's output y: each derivative is written in terms of y."""
    if name == "relu":
        return dy * (y > 0)
    if name == "sigmoid":
        dz = 1 - y
        dz *= y
        dz *= dy
        return dz
    if name == "tanh":
        dz = 1 - y * y
        dz *= dy
        return dz
    if name == "softmax":
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))
    return dy


class DenseBiasActivation(Op):
    """z = x @ kernel + bias;  y = activation(z)  (linear, relu, sigmoid, tanh or softmax over the last axis)

    dz = dy·activation′, from y: relu 1[y > 0], sigmoid y(1 − y), tanh 1 − y², softmax y(dy − Σ dy·y);
    dx = dz @ kernelᵀ;  dkernel = xᵀ @ dz and dbias = Σ dz, both summed over every leading (batch) axis.

    One node in the graph instead of three (matmul, add, activation): the bias and the activation run in place
    on the matmul's output, and backward keeps only x, kernel and y."""

    def __init__(self, activation):
        self.activation = activation

    def forward(self, x, kernel, bias=None):
        z = self.xp.matmul(x, kernel)
        if bias is not None:
            z += bias
        self.x, self.kernel = x, kernel
        self.y = _activate_in_place(self.xp, self.activation, z)
        return self.y

    def backward(self, dy):
        dz = _activation_backward(self.activation, self.y, dy)
        x, kernel, needs = self.x, self.kernel, self.needs_input_grad
        dx = self.xp.matmul(dz, kernel.T) if needs[0] else None
        rows = dz.reshape(-1, dz.shape[-1])
        dkernel = x.reshape(-1, x.shape[-1]).T @ rows if needs[1] else None
        if len(needs) == 2:
            return dx, dkernel
        return dx, dkernel, (rows.sum(axis=0) if needs[2] else None)


DENSE_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")


def dense_bias_activation(inputs, kernel, bias=None, activation=None):
    """``activation(inputs @ kernel + bias)`` as one op — what a ``Dense`` layer computes. Not a ``keras.ops``
    function: fusing the three steps saves two graph nodes, two arrays of the output's size and two passes over
    it, which is much of a small MLP's training step.

    Args:
        inputs: ``(..., in_features)``, floating point.
        kernel: ``(in_features, units)``.
        bias: ``None`` or ``(units,)``.
        activation: ``None``/``'linear'``, ``'relu'``, ``'sigmoid'``, ``'tanh'`` or ``'softmax'`` (last axis).

    Example:
        >>> x, kernel = np.ones((1, 2), "float32"), np.ones((2, 3), "float32")
        >>> kerasnb.ops.nn.dense_bias_activation(x, kernel, [-3.0, 0.0, 1.0], activation="relu")
        <Tensor shape=(1, 3) dtype=float32 numpy=[[0. 2. 3.]]>
    """
    name = activation or "linear"
    if name not in DENSE_ACTIVATIONS:
        raise ValueError(f"dense_bias_activation: `activation` must be one of {DENSE_ACTIVATIONS} or None. "
                         f"Received: activation={activation!r}")
    x, kernel = float_tensor(inputs), convert_to_tensor(kernel)
    if kernel.ndim != 2 or x.ndim < 1 or x.shape[-1] != kernel.shape[0]:
        raise ValueError(f"dense_bias_activation: `kernel` must have shape ({x.shape[-1] if x.ndim else '?'}, "
                         f"units) for inputs of shape {x.shape}. Received kernel of shape {kernel.shape}.")
    extra = ()
    if bias is not None:
        bias = convert_to_tensor(bias, dtype=kernel.dtype)
        if tuple(bias.shape) != (kernel.shape[1],):
            raise ValueError(f"dense_bias_activation: `bias` must have shape ({kernel.shape[1]},), one value per "
                             f"unit. Received bias of shape {bias.shape}.")
        extra = (bias,)
    return DenseBiasActivation(name)(x, kernel, *extra)


__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "sigmoid", "hard_sigmoid",
    "hard_silu", "hard_swish", "softplus", "softsign", "tanh", "exponential", "softmax", "log_softmax",
    "logsumexp", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "dense_bias_activation",
]
