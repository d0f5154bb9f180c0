"""Convolution and pooling: forward against plain loop references, conv_transpose as the adjoint of conv,
gradients against finite differences, float32 kept float32, and the error messages."""

import itertools
import math

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.ops.convolution import AveragePool, Conv, ConvTranspose, DepthwiseConv, MaxPool
from kerasnb.testing import check_gradients

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")

SPATIAL = {1: (9,), 2: (7, 8), 3: (6, 5, 7)}


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def to_first(x):
    return np.moveaxis(x, -1, 1)


def to_last(x):
    return np.moveaxis(np.asarray(x), 1, -1)


# ---------------------------------------------------------------------------------------------------------
# Loop references (channels last, float64): slow and obviously right
# ---------------------------------------------------------------------------------------------------------


def ref_geometry(spatial, size, strides, padding, dilation):
    """TF's rule: out = ceil(n/s) ('same') or floor((n - k_eff)/s) + 1 ('valid'); pad_before = pad_total // 2."""
    out, pad = [], []
    for n, k, s, r in zip(spatial, size, strides, dilation):
        k_eff = (k - 1) * r + 1
        o = math.ceil(n / s) if padding == "same" else (n - k_eff) // s + 1
        out.append(o)
        pad.append(max((o - 1) * s + k_eff - n, 0) // 2 if padding == "same" else 0)
    return out, pad


def ref_taps(spatial, out, size, strides, dilation, pad):
    """Yield (output position, kernel tap, input position) for every tap that lands inside the input."""
    for o in itertools.product(*map(range, out)):
        for t in itertools.product(*map(range, size)):
            p = tuple(oi * s - pi + ti * r for oi, s, pi, ti, r in zip(o, strides, pad, t, dilation))
            if all(0 <= pi < n for pi, n in zip(p, spatial)):
                yield o, t, p


def ref_conv(x, w, strides, padding, dilation, depthwise=False):
    d = x.ndim - 2
    out, pad = ref_geometry(x.shape[1:-1], w.shape[:d], strides, padding, dilation)
    f = w.shape[-2] * w.shape[-1] if depthwise else w.shape[-1]
    y = np.zeros((x.shape[0], *out, f))
    for o, t, p in ref_taps(x.shape[1:-1], out, w.shape[:d], strides, dilation, pad):
        xs = x[(slice(None), *p)]  # (N, C)
        if depthwise:
            y[(slice(None), *o)] += (xs[:, :, None] * w[t]).reshape(len(x), -1)
        else:
            y[(slice(None), *o)] += xs @ w[t]
    return y


def ref_conv_transpose(y, w, strides, padding, dilation, out_spatial):
    """Scatter: input position i adds y[i] @ W[t]ᵀ at output position i·s − pad_before + t·r."""
    d = y.ndim - 2
    pad = [0] * d
    if padding == "same":
        pad = [max((n - 1) * s + (k - 1) * r + 1 - L, 0) // 2
               for n, s, k, r, L in zip(y.shape[1:-1], strides, w.shape[:d], dilation, out_spatial)]
    z = np.zeros((y.shape[0], *out_spatial, w.shape[-2]))
    for i, t, p in ref_taps(out_spatial, y.shape[1:-1], w.shape[:d], strides, dilation, pad):
        z[(slice(None), *p)] += y[(slice(None), *i)] @ w[t].T
    return z


def ref_pool(x, size, strides, padding, reduce):
    out, pad = ref_geometry(x.shape[1:-1], size, strides, padding, [1] * len(size))
    windows = {}
    for o, _, p in ref_taps(x.shape[1:-1], out, size, strides, [1] * len(size), pad):
        windows.setdefault(o, []).append(x[(slice(None), *p)])
    y = np.zeros((x.shape[0], *out, x.shape[-1]))
    for o, values in windows.items():
        y[(slice(None), *o)] = reduce(np.stack(values), axis=0)
    return y


def keras_transpose_length(n, k, s, padding, output_padding, r):
    k = k + (k - 1) * (r - 1)
    if output_padding is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    return (n - 1) * s + k - 2 * (k // 2 if padding == "same" else 0) + output_padding


# ---------------------------------------------------------------------------------------------------------
# Forward values
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("d,k,strides,dilation,padding,data_format", [
    c for c in itertools.product((1, 2, 3), (2, 3), (1, 2), (1, 2), ("valid", "same"),
                                 ("channels_last", "channels_first"))
    if c[-1] == "channels_last" or c[1:4] == (3, 2, 1)  # channels_first on a few cases only
])
def test_conv_matches_loop_reference(d, k, strides, dilation, padding, data_format):
    x, w = rand(2, *SPATIAL[d], 3), rand(*(k,) * d, 3, 4, seed=1)
    want = ref_conv(x, w, (strides,) * d, padding, (dilation,) * d)
    xin = to_first(x) if data_format == "channels_first" else x
    got = ops.conv(xin, w, strides, padding.upper(), data_format, dilation).numpy()
    got = to_last(got) if data_format == "channels_first" else got
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_conv_matches_scipy():
    signal = pytest.importorskip("scipy.signal")  # tests only, and not in the Pyodide test run
    x, w = rand(7, 9), rand(3, 3, seed=1)
    for padding in ("valid", "same"):
        got = ops.conv(x[None, :, :, None], w[:, :, None, None], padding=padding)
        np.testing.assert_allclose(got.numpy()[0, :, :, 0], signal.correlate2d(x, w, mode=padding))


def test_conv_tuple_arguments():
    x, w = rand(1, 7, 9, 2), rand(2, 3, 2, 3, seed=1)
    got = ops.conv(x, w, strides=(2, 1), padding="same", dilation_rate=(1, 2))
    np.testing.assert_allclose(got.numpy(), ref_conv(x, w, (2, 1), "same", (1, 2)), atol=1e-10)


@pytest.mark.parametrize("d,multiplier,strides,dilation,padding", list(itertools.product(
    (1, 2, 3), (1, 2), (1, 2), (1, 2), ("valid", "same"))))
def test_depthwise_conv_matches_loop_reference(d, multiplier, strides, dilation, padding):
    x, w = rand(2, *SPATIAL[d], 3), rand(*(3,) * d, 3, multiplier, seed=1)
    want = ref_conv(x, w, (strides,) * d, padding, (dilation,) * d, depthwise=True)
    got = ops.depthwise_conv(x, w, strides, padding, dilation_rate=dilation)
    np.testing.assert_allclose(got.numpy(), want, atol=1e-10)
    got = ops.depthwise_conv(to_first(x), w, strides, padding, "channels_first", dilation)
    np.testing.assert_allclose(to_last(got), want, atol=1e-10)


@pytest.mark.parametrize("d,strides,padding", [(1, 2, "same"), (2, 1, "valid"), (2, 2, "same"), (3, 1, "same")])
def test_separable_conv_is_depthwise_then_pointwise(d, strides, padding):
    x, dw, pw = rand(2, *SPATIAL[d], 3), rand(*(3,) * d, 3, 2, seed=1), rand(*(1,) * d, 6, 4, seed=2)
    depth = ref_conv(x, dw, (strides,) * d, padding, (1,) * d, depthwise=True)
    want = ref_conv(depth, pw, (1,) * d, "valid", (1,) * d)
    np.testing.assert_allclose(ops.separable_conv(x, dw, pw, strides, padding).numpy(), want, atol=1e-10)
    got = ops.separable_conv(to_first(x), dw, pw, strides, padding, data_format="channels_first")
    np.testing.assert_allclose(to_last(got), want, atol=1e-10)


@pytest.mark.parametrize("d,k,strides,padding,output_padding,dilation", [
    c for c in itertools.product((1, 2), (2, 3), (1, 2, 3), ("valid", "same"), (None, 0, "max"), (1, 2))
] + [(3, 3, 2, "same", None, 1), (3, 2, 2, "valid", 1, 1), (3, 3, 1, "same", 0, 2)])
def test_conv_transpose_is_the_adjoint_of_conv(d, k, strides, padding, output_padding, dilation):
    output_padding = strides - 1 if output_padding == "max" else output_padding
    spatial = {1: (5,), 2: (4, 3), 3: (3, 4, 2)}[d]
    y, w = rand(2, *spatial, 3), rand(*(k,) * d, 4, 3, seed=1)  # kernel (*k, out_channels, in_channels)
    z = ops.conv_transpose(y, w, strides, padding, output_padding, dilation_rate=dilation).numpy()
    lengths = [keras_transpose_length(n, k, strides, padding, output_padding, dilation) for n in spatial]
    assert z.shape == (2, *lengths, 4)
    want = ref_conv_transpose(y, w, (strides,) * d, padding, (dilation,) * d, lengths)
    np.testing.assert_allclose(z, want, atol=1e-10)
    # <conv(x, W), y> == <x, conv_transpose(y, W)>, whenever conv maps z's shape back to y's.
    x = rand(*z.shape, seed=2)
    forward = ops.conv(x, w, strides, padding, dilation_rate=dilation).numpy()
    if forward.shape == y.shape:
        np.testing.assert_allclose(np.sum(forward * y), np.sum(x * z), rtol=1e-10)
    else:  # TF rejects this one too: an even kernel, 'same' and output_padding=0 lose one step
        assert (padding, k % 2, output_padding) == ("same", 0, 0)


def test_conv_transpose_channels_first_and_tuples():
    y, w = rand(2, 3, 4, 3), rand(3, 2, 2, 3, seed=1)
    lengths = [keras_transpose_length(3, 3, 2, "same", 1, 1), keras_transpose_length(4, 2, 1, "same", 0, 2)]
    want = ref_conv_transpose(y, w, (2, 1), "same", (1, 2), lengths)
    got = ops.conv_transpose(to_first(y), w, (2, 1), "same", (1, 0), "channels_first", (1, 2))
    np.testing.assert_allclose(to_last(got), want, atol=1e-10)


@pytest.mark.parametrize("d,size,strides,padding", list(itertools.product(
    (1, 2, 3), (2, 3), (None, 1, 2), ("valid", "same"))))
def test_pooling_matches_loop_reference(d, size, strides, padding):
    x = rand(2, *SPATIAL[d], 3)
    s = (size if strides is None else strides,) * d
    for fn, reduce in ((ops.max_pool, np.max), (ops.average_pool, np.mean)):
        want = ref_pool(x, (size,) * d, s, padding, reduce)
        np.testing.assert_allclose(fn(x, size, strides, padding).numpy(), want, atol=1e-12)
        got = fn(to_first(x), (size,) * d, strides, padding, data_format="channels_first")
        np.testing.assert_allclose(to_last(got), want, atol=1e-12)


def test_average_pool_same_counts_only_real_elements():
    x = np.arange(1.0, 6.0).reshape(1, 5, 1)  # windows [1 2 3] [4 5 pad] with TF's 'same' (pad 0 before, 1 after)
    np.testing.assert_allclose(ops.average_pool(x, 3, 3, "same").numpy().ravel(), [2.0, 4.5])
    np.testing.assert_allclose(ops.max_pool(-x, 3, 3, "same").numpy().ravel(), [-1.0, -4.0])


def test_max_pool_gradient_goes_to_the_first_max_on_ties():
    x = keras.Variable(np.zeros((1, 2, 4, 1)))
    with keras.GradientTape() as tape:
        y = ops.max_pool(x, 2)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy()[0, :, :, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])


# ---------------------------------------------------------------------------------------------------------
# Gradients (float64, finite differences)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("d,strides,dilation,padding,data_format", [
    (1, 1, 1, "valid", "channels_last"), (1, 2, 2, "same", "channels_last"), (2, 1, 2, "same", "channels_last"),
    (2, 2, 1, "same", "channels_first"), (2, 2, 1, "valid", "channels_last"), (3, 2, 1, "same", "channels_last"),
])
def test_conv_and_depthwise_gradients(d, strides, dilation, padding, data_format):
    spatial = {1: (7,), 2: (5, 4), 3: (4, 3, 4)}[d]
    x = rand(1, 2, *spatial) if data_format == "channels_first" else rand(1, *spatial, 2)
    args = (strides, padding, data_format, dilation)
    check_gradients(lambda x, w: ops.conv(x, w, *args), x, rand(*(2,) * d, 2, 3, seed=1))
    check_gradients(lambda x, w: ops.depthwise_conv(x, w, *args), x, rand(*(3,) * d, 2, 2, seed=1))


def test_separable_conv_gradients():
    check_gradients(lambda x, dw, pw: ops.separable_conv(x, dw, pw, 2, "same"),
                    rand(1, 5, 4, 2), rand(3, 3, 2, 2, seed=1), rand(1, 1, 4, 3, seed=2))


@pytest.mark.parametrize("d,k,strides,padding,output_padding,dilation", [
    (1, 3, 2, "same", None, 1), (1, 2, 3, "valid", 1, 1), (2, 2, 2, "same", 1, 1), (2, 3, 1, "valid", None, 2),
    (3, 3, 2, "same", None, 1),
])
def test_conv_transpose_gradients(d, k, strides, padding, output_padding, dilation):
    x, w = rand(1, *(3,) * d, 2) if d < 3 else rand(1, 2, 3, 2, 2), rand(*(k,) * d, 3, 2, seed=1)
    check_gradients(lambda x, w: ops.conv_transpose(x, w, strides, padding, output_padding,
                                                    dilation_rate=dilation), x, w)


@pytest.mark.parametrize("d,size,strides,padding", [
    (1, 2, None, "valid"), (1, 3, 2, "same"), (2, 3, 2, "same"), (2, 2, 1, "valid"), (3, 2, 1, "same"),
])
def test_pooling_gradients(d, size, strides, padding):
    spatial = {1: (7,), 2: (5, 4), 3: (3, 4, 3)}[d]
    n = 2 * math.prod(spatial)
    x = (np.random.default_rng(0).permutation(n) + 0.3 * rand(n)).reshape(1, *spatial, 2)  # no ties
    check_gradients(lambda x: ops.max_pool(x, size, strides, padding), x)
    check_gradients(lambda x: ops.average_pool(x, size, strides, padding), x)


# ---------------------------------------------------------------------------------------------------------
# dtypes and errors
# ---------------------------------------------------------------------------------------------------------


def test_float32_stays_float32_forward_and_backward(monkeypatch):
    seen = []
    for cls in (Conv, ConvTranspose, DepthwiseConv, MaxPool, AveragePool):
        def traced(self, dy, backward=cls.backward):
            grads = backward(self, dy)
            seen.extend(g.dtype for g in (grads if isinstance(grads, tuple) else (grads,)) if g is not None)
            return grads
        monkeypatch.setattr(cls, "backward", traced)
    x = keras.Variable(rand(2, 6, 5, 3).astype(np.float32))
    w = keras.Variable(rand(3, 3, 3, 4, seed=1).astype(np.float32))
    dw = keras.Variable(rand(3, 3, 3, 2, seed=2).astype(np.float32))
    pw = keras.Variable(rand(1, 1, 6, 4, seed=3).astype(np.float32))
    tw = keras.Variable(rand(3, 3, 4, 3, seed=4).astype(np.float32))
    with keras.GradientTape() as tape:
        outs = [ops.conv(x, w, 2, "same"), ops.separable_conv(x, dw, pw, padding="same"),
                ops.conv_transpose(x, tw, 2, "same"), ops.max_pool(x, 2, padding="same"),
                ops.average_pool(x, 3, 2, "same"), ops.conv(ops.max_pool(x, 2), w, padding="same")]
        loss = sum(ops.sum(o) for o in outs)
    assert all(o.dtype == np.float32 for o in outs)
    grads = tape.gradient(loss, [x, w, dw, pw, tw])
    assert all(g.dtype == np.float32 for g in grads)
    assert seen and all(dt == np.float32 for dt in seen)


def test_integer_inputs_become_floatx():
    y = ops.average_pool(np.arange(4).reshape(1, 4, 1), 2)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy().ravel(), [0.5, 2.5])


@pytest.mark.parametrize("call,message", [
    (lambda: ops.conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 4, 8))),
     "conv: inputs have 3 channels but kernel expects 4 (kernel shape (3, 3, 4, 8))."),
    (lambda: ops.conv(np.ones((5, 3)), np.ones((3, 3, 8))), "conv: `inputs` must have rank 3, 4 or 5"),
    (lambda: ops.conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 8))), "conv: `kernel` must have rank 4"),
    (lambda: ops.conv(np.ones((1, 5, 3)), np.ones((3, 3, 8)), padding="full"), "padding='full'"),
    (lambda: ops.conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 8)), strides=(1, 2, 1)),
     "conv: `strides` must be an int >= 1 or a tuple of 2 such ints"),
    (lambda: ops.conv(np.ones((1, 2, 3)), np.ones((3, 3, 8))), "larger than the input's spatial shape (2,)"),
    (lambda: ops.depthwise_conv(np.ones((1, 5, 3)), np.ones((3, 2, 1))),
     "depthwise_conv: inputs have 3 channels but kernel expects 2"),
    (lambda: ops.conv_transpose(np.ones((1, 5, 3)), np.ones((3, 3, 2)), 2),
     "conv_transpose: inputs have 3 channels but kernel expects 2 (kernel shape (3, 3, 2))."),
    (lambda: ops.max_pool(np.ones((1, 5, 5, 3)), (2, 2, 2)), "max_pool: `pool_size` must be"),
    (lambda: ops.average_pool(np.ones((1, 5, 5, 3)), 2, data_format="NHWC"), "data_format"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
