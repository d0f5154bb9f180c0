"""Convolution and pooling: conv (1D/2D/3D), depthwise_conv, separable_conv, conv_transpose, max_pool,
average_pool — the ``keras.ops`` functions, with TensorFlow's padding rules.

Inside, everything is channels-last, ``(batch, *spatial, channels)`` (channels-first inputs are transposed in
and out), and every op rests on two helpers that are each other's adjoint:

* :func:`_windows` (im2col): pad the input and view every kernel-sized window of it, ``(N, *out, *size, C)``,
  with ``sliding_window_view`` — strides and dilation are just slices of that view, nothing is copied yet.
* :func:`_col2im`: add such windows back where they were read from, one kernel tap at a time.

A convolution is then one matrix product (GEMM) of the windows, reshaped to ``(N·out, K·C)``, with the kernel
reshaped to ``(K·C, F)``. Its input gradient is a GEMM followed by :func:`_col2im` — and that is exactly the
forward pass of ``conv_transpose``, whose backward is in turn the im2col GEMM. Pooling reduces the windows.
"""

import itertools
import math
from typing import NamedTuple

import numpy as np

from kerasnb import config
from kerasnb.engine.arrays import array_module
from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import convert_to_tensor
from kerasnb.ops.math import cast
from kerasnb.ops.shaping import transpose

# ---------------------------------------------------------------------------------------------------------
# Window geometry, im2col and col2im
# ---------------------------------------------------------------------------------------------------------


class Geometry(NamedTuple):
    """How the windows of a conv or pool tile the spatial axes (one entry per spatial axis)."""

    size: tuple  # kernel (or pool) size
    strides: tuple
    dilation: tuple
    pad: tuple  # zeros added before the input; after it, just enough for the last window
    out: tuple  # number of windows

    @property
    def extents(self):
        """The length one dilated window covers: (k - 1)·r + 1."""
        return tuple((k - 1) * r + 1 for k, r in zip(self.size, self.dilation))

    @property
    def spans(self):
        """The (padded) input length all the windows cover: (out - 1)·s + extent."""
        return tuple((o - 1) * s + e for o, s, e in zip(self.out, self.strides, self.extents))

    @property
    def window_axes(self):
        """The axes of the window taps in :func:`_windows`' ``(N, *out, *size, C)``."""
        return tuple(range(1 + len(self.size), 1 + 2 * len(self.size)))


def _windows(x, g, pad_value=0):
    """im2col as a view: the ``(N, *out, *size, C)`` windows of ``x`` ``(N, *spatial, C)``."""
    xp, d = array_module(x), len(g.size)
    after = [max(span - p - n, 0) for span, p, n in zip(g.spans, g.pad, x.shape[1:-1])]
    if any(g.pad) or any(after):
        x = xp.pad(x, [(0, 0), *zip(g.pad, after), (0, 0)], constant_values=pad_value)
    view = xp.lib.stride_tricks.sliding_window_view(x, g.extents, axis=tuple(range(1, d + 1)))  # (N, *, C, *ext)
    starts = tuple(slice(0, span - e + 1, s) for span, e, s in zip(g.spans, g.extents, g.strides))
    taps = tuple(slice(None, None, r) for r in g.dilation)
    return xp.moveaxis(view[(slice(None), *starts, slice(None), *taps)], 1 + d, -1)


def _col2im(cols, g, x_shape):
    """The adjoint of :func:`_windows`: add windows back where they were read from, into an array of
    ``x_shape``. ``cols`` comes tap first, ``(*size, N, *out, C)``, so that each tap is one contiguous block:
    the loop runs over the kernel taps only, each one strided slice-add over the whole batch."""
    xp = array_module(cols)
    padded = [max(p + n, span) for p, n, span in zip(g.pad, x_shape[1:-1], g.spans)]
    dx = xp.zeros((x_shape[0], *padded, x_shape[-1]), dtype=cols.dtype)
    for tap in itertools.product(*map(range, g.size)):
        starts = [t * r for t, r in zip(tap, g.dilation)]
        rows = tuple(slice(a, a + (o - 1) * s + 1, s) for a, o, s in zip(starts, g.out, g.strides))
        dx[(slice(None), *rows)] += cols[tap]
    return dx[(slice(None), *(slice(p, p + n) for p, n in zip(g.pad, x_shape[1:-1])))]


def _im2col_matmul(x, w, g):
    """Convolution as one GEMM: the ``(N·out, K·C)`` windows of ``x`` times ``w`` ``(K·C, F)``.
    Returns ``y`` ``(N, *out, F)`` and the window matrix."""
    cols = _windows(x, g).reshape(-1, w.shape[0])
    return (cols @ w).reshape(x.shape[0], *g.out, w.shape[1]), cols


def _matmul_col2im(y, w, g, x_shape):
    """The adjoint of :func:`_im2col_matmul` in ``x``: for each tap k, ``y @ W[k]ᵀ``, added back onto x."""
    taps_t = array_module(w).ascontiguousarray(w.reshape(math.prod(g.size), -1, w.shape[1]).transpose(0, 2, 1))
    cols = y.reshape(-1, w.shape[1]) @ taps_t  # (K, N·out, C): one (N·out, F) @ (F, C) product per tap
    return _col2im(cols.reshape(*g.size, y.shape[0], *g.out, -1), g, x_shape)


# ---------------------------------------------------------------------------------------------------------
# Ops
# ---------------------------------------------------------------------------------------------------------


class Conv(Op):
    """y = cols(x) @ W, with cols(x) the (N·out, K·C) windows of x and W the kernel as (K·C, F);
    dW = cols(x)ᵀ @ dy,  dx = col2im(dy @ Wᵀ)"""

    def __init__(self, geometry):
        self.g = geometry

    def forward(self, x, kernel):
        self.x_shape, self.kernel_shape = x.shape, kernel.shape
        self.w = kernel.reshape(-1, kernel.shape[-1])  # (K·C, F): rows in the windows' (tap, channel) order
        y, self.cols = _im2col_matmul(x, self.w, self.g)
        return y

    def backward(self, dy):
        dx = _matmul_col2im(dy, self.w, self.g, self.x_shape) if self.needs_input_grad[0] else None
        dw = None
        if self.needs_input_grad[1]:
            dw = (self.cols.T @ dy.reshape(-1, dy.shape[-1])).reshape(self.kernel_shape)
        return dx, dw


class ConvTranspose(Op):
    """The adjoint of Conv: y = col2im(x @ Wᵀ), every input position adding a kernel-weighted patch;
    dx = cols(dy) @ W,  dW = cols(dy)ᵀ @ x"""

    def __init__(self, geometry, out_shape):
        self.g, self.out_shape = geometry, out_shape

    def forward(self, x, kernel):
        self.x, self.kernel_shape = x, kernel.shape
        self.w = kernel.reshape(-1, kernel.shape[-1])  # (K·C_out, C_in)
        return _matmul_col2im(x, self.w, self.g, self.out_shape)

    def backward(self, dy):
        dx, cols = _im2col_matmul(dy, self.w, self.g)
        dw = None
        if self.needs_input_grad[1]:
            dw = (cols.T @ self.x.reshape(-1, self.x.shape[-1])).reshape(self.kernel_shape)
        return dx, dw


class DepthwiseConv(Op):
    """Each channel c has its own M filters: y[p, c·M + m] = Σ_k cols[p, k, c]·W[k, c, m];
    dW[k, c, m] = Σ_p cols[p, k, c]·dy[p, c, m],  dx = col2im(Σ_m dy[p, c, m]·W[k, c, m])"""

    # The einsums put m before c: NumPy's einsum is much faster with the channel axis innermost.

    def __init__(self, geometry):
        self.g = geometry

    def forward(self, x, kernel):
        self.x_shape, self.kernel_shape = x.shape, kernel.shape
        c, m = kernel.shape[-2:]
        self.cols = _windows(x, self.g).reshape(-1, math.prod(self.g.size), c)  # (N·out, K, C)
        self.w = self.xp.ascontiguousarray(kernel.reshape(-1, c, m).transpose(0, 2, 1))  # (K, M, C)
        y = self.xp.einsum("pkc,kmc->pmc", self.cols, self.w)
        return y.transpose(0, 2, 1).reshape(x.shape[0], *self.g.out, c * m)

    def backward(self, dy):
        xp, (c, m) = self.xp, self.kernel_shape[-2:]
        dy = xp.ascontiguousarray(dy.reshape(-1, c, m).transpose(0, 2, 1))  # (N·out, M, C)
        dx = dw = None
        if self.needs_input_grad[0]:
            dcols = xp.einsum("pmc,kmc->kpc", dy, self.w)
            dx = _col2im(dcols.reshape(*self.g.size, self.x_shape[0], *self.g.out, c), self.g, self.x_shape)
        if self.needs_input_grad[1]:
            dw = xp.einsum("pkc,pmc->kmc", self.cols, dy).transpose(0, 2, 1).reshape(self.kernel_shape)
        return dx, dw


class MaxPool(Op):
    """y = the max of each window (padding is -inf);
    dx = col2im(dy put at each window's argmax — the first one, on ties — and zeros elsewhere)"""

    def __init__(self, geometry):
        self.g = geometry

    def forward(self, x):
        self.x_shape = x.shape
        self.windows = _windows(x, self.g, pad_value=-self.xp.inf)  # a view: the max reads it in place
        return self.windows.max(axis=self.g.window_axes)

    def backward(self, dy):
        g, k = self.g, math.prod(self.g.size)
        first = self.windows.reshape(*dy.shape[:-1], k, dy.shape[-1]).argmax(axis=-2)  # (N, *out, C)
        onehot = first == self.xp.arange(k).reshape(k, *(1,) * dy.ndim)  # (K, N, *out, C)
        return _col2im((onehot * dy).reshape(*g.size, *dy.shape), g, self.x_shape)


class AveragePool(Op):
    """y = the sum of each window / the number of real (unpadded) elements in it;
    dx = col2im(dy / count, spread over each window)"""

    def __init__(self, geometry):
        self.g = geometry

    def forward(self, x):
        self.x_shape = x.shape
        ones = self.xp.ones((1, *x.shape[1:-1], 1), dtype=x.dtype)
        self.count = _windows(ones, self.g).sum(axis=self.g.window_axes)  # (1, *out, 1), in x's dtype
        return _windows(x, self.g).sum(axis=self.g.window_axes) / self.count

    def backward(self, dy):
        share = self.xp.broadcast_to(dy / self.count, (*self.g.size, *dy.shape))
        return _col2im(share, self.g, self.x_shape)


# ---------------------------------------------------------------------------------------------------------
# Argument handling
# ---------------------------------------------------------------------------------------------------------


def _tuple(fname, name, value, d, minimum=1):
    """An int or a tuple of ``d`` ints (each ``>= minimum``), as a tuple of ``d`` ints."""
    values = (value,) * d if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != d or not all(isinstance(v, (int, np.integer)) and v >= minimum for v in values):
        raise ValueError(f"{fname}: `{name}` must be an int >= {minimum} or a tuple of {d} such ints for {d}D "
                         f"inputs. Received: {name}={value!r}")
    return tuple(int(v) for v in values)


def _padding(fname, padding):
    if str(padding).lower() not in ("valid", "same"):
        raise ValueError(f"{fname}: `padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    return str(padding).lower()


def _geometry(fname, spatial, size, strides, padding, dilation, out=None):
    """The windows over ``spatial`` with TF's padding rule. The window count ``out`` is ceil(n/s) for 'same',
    floor((n - extent)/s) + 1 for 'valid'; 'same' pads ``pad_total // 2`` before, where
    pad_total = max((out - 1)·s + extent - n, 0)."""
    g = Geometry(tuple(size), tuple(strides), tuple(dilation), pad=(0,) * len(size), out=out)
    if out is None:
        same = padding == "same"
        out = tuple(-(-n // s) if same else (n - e) // s + 1 for n, e, s in zip(spatial, g.extents, strides))
        if min(out) < 1:
            raise ValueError(f"{fname}: the window (size {g.size}, dilated to {g.extents}) is larger than the "
                             f"input's spatial shape {tuple(spatial)} with padding='valid'.")
        g = g._replace(out=out)
    if padding == "same":
        g = g._replace(pad=tuple(max(span - n, 0) // 2 for span, n in zip(g.spans, spatial)))
    return g


def _conv_transpose_length(n, extent, stride, padding, output_padding):
    """Keras's ``compute_conv_transpose_output_shape``, for one spatial axis."""
    if output_padding is None:
        return n * stride + (max(extent - stride, 0) if padding == "valid" else 0)
    return (n - 1) * stride + extent - 2 * (extent // 2 if padding == "same" else 0) + output_padding


def _channels_last(fname, inputs, data_format, *kernels):
    """Check ``inputs`` (rank 3-5), make it and ``kernels`` float tensors of one dtype, and move channels last."""
    data_format = config.standardize_data_format(data_format)
    x = convert_to_tensor(inputs)
    if not 3 <= x.ndim <= 5:
        raise ValueError(f"{fname}: `inputs` must have rank 3, 4 or 5 (batch, 1 to 3 spatial axes, channels). "
                         f"Received inputs of shape {x.shape}.")
    tensors = [x, *(convert_to_tensor(k) for k in kernels)]
    floats = [t.dtype for t in tensors if t.dtype.kind == "f"]
    dtype = np.result_type(*floats) if floats else config.floatx()
    x, *kernels = [cast(t, dtype) for t in tensors]
    if data_format == "channels_first":
        x = transpose(x, (0, *range(2, x.ndim), 1))
    return data_format, x, *kernels


def _restore(y, data_format):
    """Undo :func:`_channels_last` on the result."""
    return transpose(y, (0, y.ndim - 1, *range(1, y.ndim - 1))) if data_format == "channels_first" else y


def _check_kernel(fname, x, kernel, in_axis, layout):
    """The kernel must have the inputs' rank, and its ``in_axis`` must match the inputs' channels."""
    if kernel.ndim != x.ndim:
        raise ValueError(f"{fname}: `kernel` must have rank {x.ndim} for {x.ndim - 2}D inputs {layout}. "
                         f"Received kernel of shape {kernel.shape}.")
    if kernel.shape[in_axis] != x.shape[-1]:
        raise ValueError(f"{fname}: inputs have {x.shape[-1]} channels but kernel expects "
                         f"{kernel.shape[in_axis]} (kernel shape {kernel.shape}).")


def _conv_geometry(fname, x, kernel, strides, padding, dilation_rate):
    d = x.ndim - 2
    strides, dilation = _tuple(fname, "strides", strides, d), _tuple(fname, "dilation_rate", dilation_rate, d)
    return _geometry(fname, x.shape[1:-1], kernel.shape[:d], strides, _padding(fname, padding), dilation)


# ---------------------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------------------


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """General N-D convolution (1D, 2D or 3D, by the rank of ``inputs``) — cross-correlation, as in Keras.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or ``(batch, channels, *spatial)`` for channels_first).
        kernel: ``(*kernel_size, in_channels, out_channels)``.
        strides: an int or a tuple of one int per spatial axis.
        padding: ``'valid'`` (no padding) or ``'same'`` (output size ``ceil(n / stride)``, TF's padding).
        data_format: ``'channels_last'`` or ``'channels_first'``; ``None`` means
            :func:`kerasnb.config.image_data_format`.
        dilation_rate: an int or a tuple; the spacing between kernel taps.

    Example:
        >>> x = kerasnb.ops.ones((1, 4, 4, 1))
        >>> kerasnb.ops.conv(x, kerasnb.ops.ones((3, 3, 1, 2)), padding="same")[0, :, :, 0]
        <Tensor shape=(4, 4) dtype=float32 numpy=
        [[4. 6. 6. 4.]
         [6. 9. 9. 6.]
         [6. 9. 9. 6.]
         [4. 6. 6. 4.]]>
    """
    data_format, x, kernel = _channels_last("conv", inputs, data_format, kernel)
    _check_kernel("conv", x, kernel, -2, "(*kernel_size, in_channels, out_channels)")
    g = _conv_geometry("conv", x, kernel, strides, padding, dilation_rate)
    return _restore(Conv(g)(x, kernel), data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution: each input channel is convolved with its own ``channel_multiplier`` filters.
    Output channel ``c * channel_multiplier + m`` comes from input channel ``c`` and filter ``m``.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels_first).
        kernel: ``(*kernel_size, in_channels, channel_multiplier)``.
        strides, padding, data_format, dilation_rate: as in :func:`conv`.

    Example:
        >>> x = kerasnb.ops.ones((1, 5, 3))
        >>> kerasnb.ops.depthwise_conv(x, kerasnb.ops.ones((3, 3, 2))).shape
        (1, 3, 6)
    """
    data_format, x, kernel = _channels_last("depthwise_conv", inputs, data_format, kernel)
    _check_kernel("depthwise_conv", x, kernel, -2, "(*kernel_size, in_channels, channel_multiplier)")
    g = _conv_geometry("depthwise_conv", x, kernel, strides, padding, dilation_rate)
    return _restore(DepthwiseConv(g)(x, kernel), data_format)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution followed by a pointwise (1x1) convolution that mixes the channels.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels_first).
        depthwise_kernel: ``(*kernel_size, in_channels, channel_multiplier)``.
        pointwise_kernel: ``(*ones, in_channels * channel_multiplier, out_channels)``.
        strides, padding, data_format, dilation_rate: as in :func:`conv`, for the depthwise step.

    Example:
        >>> x = kerasnb.ops.ones((1, 5, 5, 3))
        >>> kerasnb.ops.separable_conv(x, kerasnb.ops.ones((3, 3, 3, 2)), kerasnb.ops.ones((1, 1, 6, 4))).shape
        (1, 3, 3, 4)
    """
    data_format, x, depthwise_kernel, pointwise_kernel = _channels_last(
        "separable_conv", inputs, data_format, depthwise_kernel, pointwise_kernel)
    y = depthwise_conv(x, depthwise_kernel, strides, padding, "channels_last", dilation_rate)
    return _restore(conv(y, pointwise_kernel, 1, "valid", "channels_last"), data_format)


def conv_transpose(inputs, kernel, strides, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """Transposed convolution: the gradient of :func:`conv` with respect to its input, as TF's
    ``conv_transpose``. Each spatial size becomes ``n·s + max(k - s, 0)`` ('valid') or ``n·s`` ('same'),
    or ``(n - 1)·s + k - 2·pad + output_padding`` when ``output_padding`` is given (``pad = k // 2`` for
    'same', else 0), with ``k`` the dilated kernel size.

    Args:
        inputs: ``(batch, *spatial, in_channels)`` (or channels_first).
        kernel: ``(*kernel_size, out_channels, in_channels)`` — note the order, as in Keras.
        strides: an int or a tuple of one int per spatial axis.
        padding: ``'valid'`` or ``'same'``.
        output_padding: ``None``, an int or a tuple: extra size added to the output's end.
        data_format, dilation_rate: as in :func:`conv`.

    Example:
        >>> x = kerasnb.ops.ones((1, 2, 2, 1))
        >>> kerasnb.ops.conv_transpose(x, kerasnb.ops.ones((3, 3, 1, 1)), 2, padding="same")[0, :, :, 0]
        <Tensor shape=(4, 4) dtype=float32 numpy=
        [[1. 1. 2. 1.]
         [1. 1. 2. 1.]
         [2. 2. 4. 2.]
         [1. 1. 2. 1.]]>
    """
    fname = "conv_transpose"
    data_format, x, kernel = _channels_last(fname, inputs, data_format, kernel)
    _check_kernel(fname, x, kernel, -1, "(*kernel_size, out_channels, in_channels)")
    d, padding = x.ndim - 2, _padding(fname, padding)
    strides, dilation = _tuple(fname, "strides", strides, d), _tuple(fname, "dilation_rate", dilation_rate, d)
    extra = [None] * d if output_padding is None else _tuple(fname, "output_padding", output_padding, d, 0)
    size, spatial = kernel.shape[:d], x.shape[1:-1]
    extents = [(k - 1) * r + 1 for k, r in zip(size, dilation)]
    out = tuple(map(_conv_transpose_length, spatial, extents, strides, [padding] * d, extra))
    if min(out) < 1:
        raise ValueError(f"{fname}: the output would have spatial shape {out}. "
                         f"Received: output_padding={output_padding!r}")
    # The geometry of the forward conv that this op is the gradient of: from `out` back to `spatial`.
    g = _geometry(fname, out, size, strides, padding, dilation, out=spatial)
    y = ConvTranspose(g, (x.shape[0], *out, kernel.shape[-2]))(x, kernel)
    return _restore(y, data_format)


def _pool(fname, op, inputs, pool_size, strides, padding, data_format):
    data_format, x = _channels_last(fname, inputs, data_format)
    d = x.ndim - 2
    size = _tuple(fname, "pool_size", pool_size, d)
    strides = size if strides is None else _tuple(fname, "strides", strides, d)
    g = _geometry(fname, x.shape[1:-1], size, strides, _padding(fname, padding), (1,) * d)
    return _restore(op(g)(x), data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling: the largest value in each window (padded windows ignore the padding).

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels_first), 1 to 3 spatial axes.
        pool_size: an int or a tuple of one int per spatial axis.
        strides: an int or a tuple; ``None`` means ``pool_size``.
        padding: ``'valid'`` or ``'same'`` (TF's padding).
        data_format: as in :func:`conv`.

    Example:
        >>> x = kerasnb.ops.reshape(kerasnb.ops.arange(16.0), (1, 4, 4, 1))
        >>> kerasnb.ops.max_pool(x, 2)[0, :, :, 0]
        <Tensor shape=(2, 2) dtype=float32 numpy=
        [[ 5.  7.]
         [13. 15.]]>
    """
    return _pool("max_pool", MaxPool, inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with ``'same'`` padding each window averages only its real (unpadded) elements, as TF.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels_first), 1 to 3 spatial axes.
        pool_size: an int or a tuple of one int per spatial axis.
        strides: an int or a tuple; ``None`` means ``pool_size``.
        padding: ``'valid'`` or ``'same'``.
        data_format: as in :func:`conv`.

    Example:
        >>> kerasnb.ops.average_pool(kerasnb.ops.reshape(kerasnb.ops.arange(3.0), (1, 3, 1)), 2, padding="same")
        <Tensor shape=(1, 2, 1) dtype=float32 numpy=
        [[[0.5]
          [2. ]]]>
    """
    return _pool("average_pool", AveragePool, inputs, pool_size, strides, padding, data_format)
