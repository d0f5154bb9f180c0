"""Convolution and pooling: conv (1D/2D/3D), depthwise_conv, separable_conv, conv_transpose, max_pool,
average_pool — the ``keras.ops`` functions, with TensorFlow's padding rules.

Inside, everything is channels-last, ``(batch, *spatial, channels)`` (channels-first inputs are transposed in
and out), and every op rests on two helpers that are each other's adjoint:

* :func:`_windows` (im2col): pad the input and view every kernel-sized window of it, ``(N, *out, *size, C)``,
  with ``sliding_window_view`` — strides and dilation are just slices of that view, nothing is copied yet.
* :func:`_col2im`: add such windows back where they were read from, one kernel tap at a time.

A convolution is then one matrix product (GEMM) of the windows, copied once into a contiguous ``(N·out, K·C)``
matrix (:func:`_im2col`), with the kernel reshaped to ``(K·C, F)``. Its input gradient is a GEMM followed by
:func:`_col2im` — and that is exactly the forward pass of ``conv_transpose``, whose backward is in turn the
im2col GEMM.

Pooling loops over the window's taps instead: tap ``t`` of every window at once is one strided slice of the
input, shaped like the output (:func:`_tap`), so max pooling is ``K - 1`` elementwise maximums and its
gradient ``K`` masked copies — no window is ever materialized.

Speed, where it matters on a CPU: :class:`Conv` (also behind the Conv layers, with their bias and relu fused
in) and :class:`MaxPool` work through the batch in chunks of a few samples that fit in the cache
(:func:`_chunks`), and keep what their backward needs only when a tape is recording — inference keeps nothing.
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


def _padded(x, g, pad_value=0):
    """``x`` ``(N, *spatial, C)`` with ``g.pad`` added before each spatial axis and, after it, just enough for
    the last window; ``x`` itself when no padding is needed."""
    after = [max(span - p - n, 0) for span, p, n in zip(g.spans, g.pad, x.shape[1:-1])]
    if not any(g.pad) and not any(after):
        return x
    return array_module(x).pad(x, [(0, 0), *zip(g.pad, after), (0, 0)], constant_values=pad_value)


def _crop(padded, g, x_shape):
    """Undo :func:`_padded`: the part of ``padded`` where the input ``x_shape`` lies."""
    return padded[(slice(None), *(slice(p, p + n) for p, n in zip(g.pad, x_shape[1:-1])))]


def _taps(g):
    """Every kernel (or pool) tap, one index per spatial axis, in row-major order — a flattened window's order."""
    return itertools.product(*map(range, g.size))


def _tap(g, tap):
    """The slice of the padded input that kernel tap ``tap`` reads in every window: ``out`` positions starting
    at tap·dilation, ``strides`` apart. It has the output's shape: tap ``t`` of window ``p`` is its element ``p``."""
    rows = (slice(t * r, t * r + (o - 1) * s + 1, s) for t, r, o, s in zip(tap, g.dilation, g.out, g.strides))
    return (slice(None), *rows, slice(None))


def _windows(x, g, pad_value=0):
    """im2col as a view: the ``(N, *out, *size, C)`` windows of ``x`` ``(N, *spatial, C)``."""
    xp, d = array_module(x), len(g.size)
    x = _padded(x, g, pad_value)
    view = xp.lib.stride_tricks.sliding_window_view(x, g.extents, axis=tuple(range(1, d + 1)))  # (N, *, C, *ext)
    starts = tuple(slice(0, span - e + 1, s) for span, e, s in zip(g.spans, g.extents, g.strides))
    taps = tuple(slice(None, None, r) for r in g.dilation)
    return xp.moveaxis(view[(slice(None), *starts, slice(None), *taps)], 1 + d, -1)


def _im2col(x, g):
    """The window matrix ``(N·out, K·C)``: one row per window, its columns in the kernel's (tap, channel) order,
    one contiguous matrix — what a GEMM (``matmul`` of 2-D float32 arrays, handed to BLAS) wants."""
    cols = array_module(x).empty((x.shape[0] * math.prod(g.out), math.prod(g.size) * x.shape[-1]), dtype=x.dtype)
    _copy_windows(_windows(x, g), cols)
    return cols


def _copy_windows(windows, cols):
    """Copy a ``(n, *out, *size, C)`` window view into the rows of ``cols`` — the one copy im2col makes."""
    blocks = cols.reshape(windows.shape)  # a view of cols
    if windows.shape[-1] == 1:  # one channel: tap by tap, each a long strided run, is much faster
        d = (windows.ndim - 2) // 2
        for tap in itertools.product(*map(range, windows.shape[1 + d:-1])):
            taps = (slice(None),) * (1 + d) + tap
            blocks[taps] = windows[taps]
    else:
        blocks[...] = windows


def _col2im(cols, g, x_shape):
    """The adjoint of :func:`_windows`: add windows back where they were read from, into an array of
    ``x_shape``. ``cols`` comes tap first, ``(*size, N, *out, C)``, so that each tap is one contiguous block:
    the loop runs over the kernel taps only, each one strided slice-add over the whole batch."""
    xp = array_module(cols)
    padded = [max(p + n, span) for p, n, span in zip(g.pad, x_shape[1:-1], g.spans)]
    dx = xp.zeros((x_shape[0], *padded, x_shape[-1]), dtype=cols.dtype)
    for tap in _taps(g):
        dx[_tap(g, tap)] += cols[tap]
    return _crop(dx, g, x_shape)


def _matmul_col2im(y, w, g, x_shape):
    """The adjoint of ``_im2col(x) @ w`` in ``x``, for ``y`` ``(N·out, F)`` and ``w`` ``(K·C, F)``: for each
    tap k, ``y @ W[k]ᵀ``, added back onto x."""
    taps_t = array_module(w).ascontiguousarray(w.reshape(math.prod(g.size), -1, w.shape[1]).transpose(0, 2, 1))
    cols = y @ taps_t  # (K, N·out, C): one (N·out, F) @ (F, C) product per tap
    return _col2im(cols.reshape(*g.size, x_shape[0], *g.out, x_shape[-1]), g, x_shape)


# ---------------------------------------------------------------------------------------------------------
# Ops
# ---------------------------------------------------------------------------------------------------------


class Conv(Op):
    """y = act(cols(x) @ W + b), with cols(x) the (N·out, K·C) windows of x (im2col), W the kernel as (K·C, F),
    an optional bias b (F,) and act the identity or, with ``relu=True``, max(·, 0). With g = dy (times 1[y > 0]
    under relu):  dW = cols(x)ᵀ @ g,  db = Σ_rows g,  dx = col2im(g @ Wᵀ).

    The forward runs in chunks of a few samples (:func:`_chunks`), each small enough to stay in the CPU's
    cache from its im2col copy through the GEMM to the bias add and the relu, done in place on the output: one
    output array, written once to memory. cols(x) is kept whole only when a tape records the op and wants dW;
    in inference (``predict``) one chunk-sized buffer is reused and freed with the op."""

    def __init__(self, geometry, relu=False):
        self.g, self.relu = geometry, relu

    def forward(self, x, kernel, bias=None):
        xp, g = self.xp, self.g
        self.x_shape, self.kernel_shape = x.shape, kernel.shape
        self.w = kernel.reshape(-1, kernel.shape[-1])  # (K·C, F): rows in the windows' (tap, channel) order
        wants = self.needs_input_grad  # empty when no tape records this op
        keep = bool(wants) and wants[1]
        n, per, (kc, f) = x.shape[0], math.prod(g.out), self.w.shape  # per: windows per sample
        chunks = list(_chunks(xp, n, per * (kc + f) * x.dtype.itemsize))
        y = xp.empty((n, per * f), dtype=xp.result_type(x.dtype, kernel.dtype))  # one row per sample
        cols = xp.empty(((n if keep else chunks[0].stop) * per, kc), dtype=x.dtype)
        if bias is not None:
            bias = xp.tile(bias, per)  # one bias per window: the add runs as one long loop per sample
        windows = _windows(x, g)  # a view: nothing is copied yet
        for part in chunks:
            rows = cols[part.start * per:part.stop * per] if keep else cols[:(part.stop - part.start) * per]
            _copy_windows(windows[part], rows)
            out = y[part]
            xp.matmul(rows, self.w, out=out.reshape(-1, f))
            if bias is not None:
                out += bias
            if self.relu:
                xp.maximum(out, 0, out=out)
        self.cols = cols if keep else None
        self.y = y.reshape(-1, f) if wants and self.relu else None
        return y.reshape(n, *g.out, f)

    def backward(self, dy):
        g = dy.reshape(-1, dy.shape[-1])
        if self.relu:
            g = g * (self.y > 0)
        wants = self.needs_input_grad
        dx = _matmul_col2im(g, self.w, self.g, self.x_shape) if wants[0] else None
        dw = (self.cols.T @ g).reshape(self.kernel_shape) if wants[1] else None
        if len(wants) == 2:
            return dx, dw
        db = None
        if wants[2]:  # sum over the samples first (one long row each), then over a sample's windows
            f = g.shape[1]
            db = g.reshape(self.x_shape[0], math.prod(self.g.out) * f).sum(axis=0).reshape(-1, f).sum(axis=0)
        return dx, dw, db


def _chunks(xp, n, bytes_per_sample):
    """Slices that cut a batch of ``n`` samples into chunks of about ``_CHUNK_BYTES``, so that an op's steps on
    one chunk find it still in the CPU's cache. On a GPU, where one big launch is best, one chunk."""
    step = n if xp is not np else _CHUNK_BYTES // max(bytes_per_sample, 1)
    step = max(min(step, n), 1)
    return [slice(start, min(start + step, n)) for start in range(0, max(n, 1), step)]


_CHUNK_BYTES = 2 << 20  # 2 MB: measured best (1-4 MB) for the seed CNN on a 2-core CPU


class ConvTranspose(Op):
    """The adjoint of Conv: y = col2im(x @ Wᵀ), every input position adding a kernel-weighted patch;
    dx = cols(dy) @ W,  dW = cols(dy)ᵀ @ x"""

    def __init__(self, geometry, out_shape):
        self.g, self.out_shape = geometry, out_shape

    def forward(self, x, kernel):
        self.x, self.kernel_shape = x, kernel.shape
        self.w = kernel.reshape(-1, kernel.shape[-1])  # (K·C_out, C_in)
        return _matmul_col2im(x.reshape(-1, x.shape[-1]), self.w, self.g, self.out_shape)

    def backward(self, dy):
        cols = _im2col(dy, self.g)
        dx = (cols @ self.w).reshape(self.x.shape)
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
    """y[p] = max over the window's taps t of x[p·s + t] (padding is -inf);
    dx[p·s + t] += dy[p] for the first tap t (row-major) where x[p·s + t] = y[p], and 0 for the other taps.

    Both directions loop over the K taps of the window, each tap one strided slice of the input shaped like
    the output (:func:`_tap`): forward, y = maximum(y, tap); backward, each tap takes the gradient still
    unclaimed where it holds the max, leaving 0 there for the later taps — so on ties the gradient goes to the
    first maximum, as ``argmax`` would pick it. Only x and y are kept for backward, and only when a tape records
    the op."""

    def __init__(self, geometry):
        self.g = geometry

    def forward(self, x):
        xp, g = self.xp, self.g
        self.x_shape = x.shape
        padded = _padded(x, g, pad_value=-xp.inf)
        y = xp.empty((x.shape[0], *g.out, x.shape[-1]), dtype=x.dtype)
        first, *taps = [_tap(g, tap) for tap in _taps(g)]
        for part in _chunks(xp, x.shape[0], padded[:1].nbytes + y[:1].nbytes):  # a few samples at a time
            inputs, out = padded[part], y[part]
            out[...] = inputs[first]
            for tap in taps:
                xp.maximum(out, inputs[tap], out=out)
        self.padded, self.y = (padded, y) if self.needs_input_grad else (None, None)
        return y

    def backward(self, dy):
        xp, g = self.xp, self.g
        # Windows that tile the input exactly (strides = pool size, nothing left over) write every element of
        # dx once: no zeros needed, and each tap's share is written, not added
        tiles = g.strides == g.size and g.spans == self.padded.shape[1:-1]
        dx = (xp.empty if tiles else xp.zeros)(self.padded.shape, dtype=dy.dtype)
        taps = [_tap(g, tap) for tap in _taps(g)]
        for part in _chunks(xp, dy.shape[0], 2 * self.padded[:1].nbytes + 2 * dy[:1].nbytes):
            inputs, y, dx_part = self.padded[part], self.y[part], dx[part]
            rest = dy[part].copy()  # the gradient no earlier tap has claimed: 0 once a tap held the max
            won = xp.empty(y.shape, dtype=bool)
            for i, tap in enumerate(taps):
                xp.equal(inputs[tap], y, out=won)
                if tiles:
                    share = xp.multiply(rest, won, out=dx_part[tap])
                else:
                    share = rest * won
                    dx_part[tap] += share
                if i < len(taps) - 1:
                    rest -= share
        return _crop(dx, g, self.x_shape)


class AveragePool(Op):
    """y[p] = Σ_t x[p·s + t] / count[p], count[p] the number of real (unpadded) elements in window p;
    dx[p·s + t] += dy[p] / count[p] for every tap t — both a loop over the window's taps, as in MaxPool."""

    def __init__(self, geometry):
        self.g = geometry

    def forward(self, x):
        self.x_shape = x.shape
        ones = self.xp.ones((1, *x.shape[1:-1], 1), dtype=x.dtype)
        self.count = _windows(ones, self.g).sum(axis=self.g.window_axes)  # (1, *out, 1), in x's dtype
        padded = _padded(x, self.g)
        taps = _taps(self.g)
        y = padded[_tap(self.g, next(taps))].copy()
        for tap in taps:
            y += padded[_tap(self.g, tap)]
        y /= self.count
        self.padded_shape = padded.shape
        return y

    def backward(self, dy):
        share = dy / self.count
        dx = self.xp.zeros(self.padded_shape, dtype=dy.dtype)
        for tap in _taps(self.g):
            dx[_tap(self.g, tap)] += share
        return _crop(dx, self.g, self.x_shape)


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
    return conv_bias_activation(inputs, kernel, None, strides, padding, data_format, dilation_rate)


def conv_bias_activation(inputs, kernel, bias=None, strides=1, padding="valid", data_format=None, dilation_rate=1,
                         activation=None):
    """``activation(conv(inputs, kernel, ...) + bias)`` as one op — what a ``Conv`` layer computes. Not a
    ``keras.ops`` function: the bias add and the relu run in place on the convolution's output, saving two
    passes over it and two arrays of its size (see :class:`Conv`).

    Args:
        inputs, kernel, strides, padding, data_format, dilation_rate: as in :func:`conv`.
        bias: ``None`` or one value per output channel, ``(out_channels,)``.
        activation: ``None`` (linear) or ``'relu'``.

    Example:
        >>> x = kerasnb.ops.ones((1, 3, 3, 1))
        >>> kerasnb.ops.convolution.conv_bias_activation(x, kerasnb.ops.ones((3, 3, 1, 2)), [-10.0, 1.0],
        ...                                               activation="relu").numpy().ravel()
        array([ 0., 10.], dtype=float32)
    """
    if activation not in (None, "relu"):
        raise ValueError(f"conv_bias_activation: `activation` must be None or 'relu'. Received: {activation!r}")
    extra = () if bias is None else (bias,)
    data_format, x, kernel, *extra = _channels_last("conv", inputs, data_format, kernel, *extra)
    _check_kernel("conv", x, kernel, -2, "(*kernel_size, in_channels, out_channels)")
    if extra and tuple(extra[0].shape) != (kernel.shape[-1],):
        raise ValueError(f"conv: `bias` must have shape ({kernel.shape[-1]},), one value per output channel. "
                         f"Received bias of shape {extra[0].shape}.")
    g = _conv_geometry("conv", x, kernel, strides, padding, dilation_rate)
    return _restore(Conv(g, relu=activation == "relu")(x, kernel, *extra), data_format)


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
