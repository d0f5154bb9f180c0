"""The fast paths of convolution and pooling, against plain NumPy references and the general ops:

* ``conv_bias_activation`` (the fused Conv op: bias and relu in place, forward in cache-sized chunks, the
  one-channel im2col copied tap by tap), forward and gradients, and what it keeps for backward;
* the Conv2D layer's use of it;
* max pooling as a loop over window taps (ties go to the first maximum, exact tilings write dx without zeros),
  and average pooling the same way.
"""

import itertools
import math

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.ops import convolution
from kerasnb.testing import check_gradients

pytestmark = pytest.mark.usefixtures("array_backend")


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def to_first(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, 1))  # contiguous: check_gradients perturbs it in place


def to_last(x):
    return np.moveaxis(np.asarray(x), 1, -1)


# ---------------------------------------------------------------------------------------------------------
# NumPy references (channels last): the geometry written out, a window at a time
# ---------------------------------------------------------------------------------------------------------


def geometry(spatial, size, strides, padding, dilation):
    """TF's rule: out = ceil(n/s) ('same') or floor((n - k_eff)/s) + 1 ('valid'); pad before = total // 2."""
    out, pad = [], []
    for n, k, s, r in zip(spatial, size, strides, dilation):
        extent = (k - 1) * r + 1
        o = -(-n // s) if padding == "same" else (n - extent) // s + 1
        out.append(o)
        pad.append(max((o - 1) * s + extent - n, 0) // 2 if padding == "same" else 0)
    return out, pad


def window_positions(o, size, strides, dilation, pad, spatial):
    """The input positions of window ``o``'s taps in row-major order (``None`` for a padded tap)."""
    for t in itertools.product(*map(range, size)):
        p = tuple(oi * s - pi + ti * r for oi, s, pi, ti, r in zip(o, strides, pad, t, dilation))
        yield p if all(0 <= q < n for q, n in zip(p, spatial)) else None


def ref_conv(x, w, b, strides, padding, dilation, relu):
    d = x.ndim - 2
    out, pad = geometry(x.shape[1:-1], w.shape[:d], strides, padding, dilation)
    y = np.zeros((x.shape[0], *out, w.shape[-1]))
    for o in itertools.product(*map(range, out)):
        taps = zip(itertools.product(*map(range, w.shape[:d])),
                   window_positions(o, w.shape[:d], strides, dilation, pad, x.shape[1:-1]))
        for t, p in taps:
            if p is not None:
                y[(slice(None), *o)] += x[(slice(None), *p)] @ w[t]
    if b is not None:
        y += b
    return np.maximum(y, 0) if relu else y


def ref_max_pool(x, size, strides, padding, dy=None):
    """Max pooling and, given ``dy``, its gradient: each window's dy goes to its first maximum (row-major)."""
    d = x.ndim - 2
    out, pad = geometry(x.shape[1:-1], size, strides, padding, (1,) * d)
    y = np.zeros((x.shape[0], *out, x.shape[-1]))
    dx = np.zeros_like(x)
    for o in itertools.product(*map(range, out)):
        positions = [p for p in window_positions(o, size, strides, (1,) * d, pad, x.shape[1:-1]) if p is not None]
        for n, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
            values = [x[(n, *p, c)] for p in positions]
            first = int(np.argmax(values))
            y[(n, *o, c)] = values[first]
            if dy is not None:
                dx[(n, *positions[first], c)] += dy[(n, *o, c)]
    return y, dx


# ---------------------------------------------------------------------------------------------------------
# The fused convolution
# ---------------------------------------------------------------------------------------------------------

CONV_CASES = [
    # d, channels, kernel, strides, padding, dilation
    (2, 1, 3, 1, "valid", 1),  # one input channel: im2col tap by tap
    (2, 3, 3, 1, "valid", 1),
    (2, 1, 3, 2, "same", 1),
    (2, 2, (2, 3), (2, 1), "same", 1),
    (2, 3, 3, 1, "same", 2),
    (2, 1, 2, 1, "valid", (1, 2)),
    (1, 1, 3, 2, "same", 1),
    (1, 4, 2, 1, "valid", 3),
    (3, 1, 2, 1, "same", 1),
    (3, 2, 2, (1, 2, 1), "valid", 1),
]


@pytest.mark.parametrize("d,channels,kernel,strides,padding,dilation", CONV_CASES)
@pytest.mark.parametrize("relu", [False, True])
def test_conv_bias_activation_matches_the_reference(d, channels, kernel, strides, padding, dilation, relu):
    spatial = {1: (9,), 2: (7, 6), 3: (5, 4, 5)}[d]
    size = (kernel,) * d if isinstance(kernel, int) else kernel
    x, w, b = rand(3, *spatial, channels), rand(*size, channels, 4, seed=1), rand(4, seed=2)
    s = (strides,) * d if isinstance(strides, int) else strides
    r = (dilation,) * d if isinstance(dilation, int) else dilation
    want = ref_conv(x, w, b, s, padding, r, relu)
    activation = "relu" if relu else None
    got = convolution.conv_bias_activation(x, w, b, strides, padding, "channels_last", dilation, activation)
    np.testing.assert_allclose(got.numpy(), want, atol=1e-12)
    got = convolution.conv_bias_activation(to_first(x), w, b, strides, padding, "channels_first", dilation,
                                           activation)
    np.testing.assert_allclose(to_last(got), want, atol=1e-12)
    # without a bias it is ops.conv (then the relu)
    plain = ops.conv(x, w, strides, padding, "channels_last", dilation)
    got = convolution.conv_bias_activation(x, w, None, strides, padding, "channels_last", dilation, activation)
    np.testing.assert_allclose(got.numpy(), np.maximum(plain.numpy(), 0) if relu else plain.numpy(), atol=1e-12)


@pytest.mark.parametrize("d,channels,kernel,strides,padding,dilation", CONV_CASES[::2])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv_bias_activation_gradients(d, channels, kernel, strides, padding, dilation, data_format):
    spatial = {1: (7,), 2: (5, 4), 3: (4, 3, 4)}[d]
    size = (kernel,) * d if isinstance(kernel, int) else kernel
    x = rand(2, *spatial, channels)
    if data_format == "channels_first":
        x = to_first(x)
    w, b = rand(*size, channels, 3, seed=1), rand(3, seed=2)

    def fn(activation):
        return lambda x, w, b: convolution.conv_bias_activation(x, w, b, strides, padding, data_format, dilation,
                                                                activation)

    check_gradients(fn(None), x, w, b)
    # relu: shift the bias so that no output sits at the kink
    y = convolution.conv_bias_activation(x, w, b, strides, padding, data_format, dilation).numpy()
    assert np.abs(y).min() > 1e-3
    check_gradients(fn("relu"), x, w, b)


def test_relu_gradient_matches_the_composed_ops():
    x = keras.Variable(rand(2, 6, 5, 1).astype(np.float32))
    w = keras.Variable(rand(3, 3, 1, 4, seed=1).astype(np.float32))
    b = keras.Variable(rand(4, seed=2).astype(np.float32))
    with keras.GradientTape(persistent=True) as tape:
        fused = convolution.conv_bias_activation(x, w, b, 1, "same", activation="relu")
        composed = ops.relu(ops.conv(x, w, 1, "same") + b)
        loss_fused = ops.sum(fused * fused)
        loss_composed = ops.sum(composed * composed)
    np.testing.assert_allclose(fused.numpy(), composed.numpy(), rtol=1e-6)
    for got, want in zip(tape.gradient(loss_fused, [x, w, b]), tape.gradient(loss_composed, [x, w, b])):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("chunk_bytes", [1, 3000, 10**9])
def test_chunked_forward_matches_one_chunk(monkeypatch, chunk_bytes):
    """However the batch is cut (one sample per chunk, uneven chunks, one chunk), the outputs and gradients
    are the same."""
    x, w, b = rand(7, 6, 5, 2), rand(3, 3, 2, 3, seed=1), rand(3, seed=2)
    want = ref_conv(x, w, b, (1, 1), "same", (1, 1), True)
    monkeypatch.setattr(convolution, "_CHUNK_BYTES", chunk_bytes)
    got = convolution.conv_bias_activation(x, w, b, 1, "same", activation="relu")
    np.testing.assert_allclose(got.numpy(), want, atol=1e-12)
    check_gradients(lambda x, w, b: convolution.conv_bias_activation(x, w, b, 1, "same"), x, w, b)


def test_buffers_for_backward_are_kept_only_when_recording():
    g = convolution._geometry("conv", (6, 5), (3, 3), (1, 1), "valid", (1, 1))
    x, w, b = (keras.ops.convert_to_tensor(a.astype(np.float32)) for a in (rand(2, 6, 5, 2), rand(3, 3, 2, 4),
                                                                             rand(4)))
    op = convolution.Conv(g, relu=True)
    op(x, w, b)  # no tape: nothing is kept for a backward pass that will not come
    assert op.cols is None and op.y is None
    pool = convolution.MaxPool(convolution._geometry("max_pool", (6, 5), (2, 2), (2, 2), "valid", (1, 1)))
    pool(x)
    assert pool.padded is None and pool.y is None

    kernel = keras.Variable(w)
    with keras.GradientTape():
        op = convolution.Conv(g, relu=True)
        op(x, kernel, b)  # only the kernel is watched: the window matrix is kept for dW, y for relu's mask
    assert op.cols is not None and op.y is not None
    with keras.GradientTape() as tape:
        tape.watch(x)
        op = convolution.Conv(g)
        op(x, w)  # only x is watched: dW is not wanted, so the window matrix is not kept
    assert op.cols is None and op.y is None


def test_conv_bias_activation_checks_its_arguments():
    x, w = np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 4))
    with pytest.raises(ValueError, match="`activation` must be None or 'relu'"):
        convolution.conv_bias_activation(x, w, np.ones(4), activation="tanh")
    with pytest.raises(ValueError, match=r"`bias` must have shape \(4,\)"):
        convolution.conv_bias_activation(x, w, np.ones(3))


def test_float32_stays_float32():
    x = keras.Variable(rand(2, 6, 5, 1).astype(np.float32))
    w = keras.Variable(rand(3, 3, 1, 4, seed=1).astype(np.float32))
    b = keras.Variable(rand(4, seed=2).astype(np.float32))
    with keras.GradientTape() as tape:
        y = convolution.conv_bias_activation(x, w, b, 2, "same", activation="relu")
        loss = ops.sum(ops.max_pool(y, 2, padding="same")) + ops.sum(ops.average_pool(y, 2, 1))
    assert y.dtype == np.float32
    assert all(g.dtype == np.float32 for g in tape.gradient(loss, [x, w, b]))


# ---------------------------------------------------------------------------------------------------------
# The Conv layers use it
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    {"activation": "relu"}, {"activation": "tanh"}, {"activation": None, "use_bias": False},
    {"activation": "relu", "data_format": "channels_first", "strides": 2, "padding": "same"},
    {"activation": "relu", "groups": 2},
])
def test_conv2d_layer_equals_the_composed_ops(kwargs):
    layer = keras.layers.Conv2D(4, 3, **kwargs)
    x = rand(2, 2, 7, 6) if kwargs.get("data_format") == "channels_first" else rand(2, 7, 6, 2)
    x = x.astype(np.float32)
    got = layer(x).numpy()
    bias = layer.bias.numpy() if layer.bias is not None else 0
    if kwargs.get("data_format") == "channels_first":
        want = ops.conv(x, layer.kernel, layer.strides, layer.padding, "channels_first").numpy()
        want = want + np.reshape(bias, (-1, 1, 1))
    elif kwargs.get("groups"):
        xs, ks = np.split(x, 2, axis=-1), np.split(layer.kernel.numpy(), 2, axis=-1)
        want = np.concatenate([ops.conv(a, k).numpy() for a, k in zip(xs, ks)], axis=-1) + bias
    else:
        want = ops.conv(x, layer.kernel, layer.strides, layer.padding).numpy() + bias
    activation = keras.activations.get(kwargs["activation"])
    np.testing.assert_allclose(got, ops.convert_to_numpy(activation(want)), rtol=1e-5, atol=1e-6)


def test_causal_conv1d_with_relu():
    layer = keras.layers.Conv1D(3, 3, padding="causal", activation="relu", dilation_rate=2)
    x = rand(2, 9, 2).astype(np.float32)
    got = layer(x).numpy()
    padded = np.pad(x, ((0, 0), (4, 0), (0, 0)))
    want = np.maximum(ops.conv(padded, layer.kernel, dilation_rate=2).numpy() + layer.bias.numpy(), 0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Pooling as a loop over taps
# ---------------------------------------------------------------------------------------------------------

POOL_CASES = [
    # d, spatial, size, strides, padding
    (2, (6, 4), 2, None, "valid"),  # tiles the input exactly
    (2, (7, 5), 2, None, "valid"),  # a row and a column left over
    (2, (7, 5), 3, 2, "same"),  # overlapping windows, padded
    (2, (5, 6), (2, 3), (1, 2), "valid"),
    (2, (5, 5), 2, None, "same"),
    (1, (9,), 3, None, "same"),
    (1, (8,), 2, 1, "valid"),
    (3, (4, 5, 4), 2, None, "valid"),
    (3, (3, 4, 3), 2, 1, "same"),
]


def pool_args(d, size, strides):
    size = (size,) * d if isinstance(size, int) else size
    strides = size if strides is None else ((strides,) * d if isinstance(strides, int) else strides)
    return size, strides


@pytest.mark.parametrize("d,spatial,size,strides,padding", POOL_CASES)
@pytest.mark.parametrize("chunk_bytes", [None, 1])  # one chunk; one sample per chunk
def test_max_pool_forward_and_gradient_with_ties(monkeypatch, d, spatial, size, strides, padding, chunk_bytes):
    if chunk_bytes is not None:
        monkeypatch.setattr(convolution, "_CHUNK_BYTES", chunk_bytes)
    # small integers: many windows hold their maximum more than once
    x = np.random.default_rng(0).integers(0, 3, size=(2, *spatial, 3)).astype(np.float64)
    dy_shape = ref_max_pool(x, *pool_args(d, size, strides), padding)[0].shape
    dy = rand(*dy_shape, seed=1)
    want_y, want_dx = ref_max_pool(x, *pool_args(d, size, strides), padding, dy)
    xv = keras.Variable(x, dtype="float64")
    with keras.GradientTape() as tape:
        y = ops.max_pool(xv, size, strides, padding)
    np.testing.assert_array_equal(y.numpy(), want_y)
    np.testing.assert_allclose(tape.gradient(y, xv, output_gradients=dy).numpy(), want_dx, atol=1e-12)

    xf = keras.Variable(to_first(x), dtype="float64")
    with keras.GradientTape() as tape:
        y = ops.max_pool(xf, size, strides, padding, data_format="channels_first")
    np.testing.assert_array_equal(to_last(y), want_y)
    np.testing.assert_allclose(to_last(tape.gradient(y, xf, output_gradients=to_first(dy))), want_dx, atol=1e-12)


def test_max_pool_ties_in_overlapping_windows_add_up():
    x = keras.Variable(np.zeros((1, 3, 3, 1)))
    with keras.GradientTape() as tape:
        y = ops.max_pool(x, 2, 1)  # four windows, all zero: each gives its gradient to its top-left tap
    np.testing.assert_array_equal(tape.gradient(y, x).numpy()[0, :, :, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_max_pool_negative_inputs_never_pick_the_padding():
    x = -np.arange(1.0, 6.0).reshape(1, 5, 1) - 10
    xv = keras.Variable(x, dtype="float64")
    with keras.GradientTape() as tape:
        y = ops.max_pool(xv, 2, padding="same")  # last window: one real element and the padding
    np.testing.assert_array_equal(y.numpy().ravel(), [-11, -13, -15])
    np.testing.assert_array_equal(tape.gradient(y, xv).numpy().ravel(), [1, 0, 1, 0, 1])


@pytest.mark.parametrize("d,spatial,size,strides,padding", POOL_CASES)
def test_average_pool_gradient(d, spatial, size, strides, padding):
    check_gradients(lambda x: ops.average_pool(x, size, strides, padding), rand(1, *spatial, 2))


@pytest.mark.parametrize("d,spatial,size,strides,padding", POOL_CASES[::2])
def test_max_pool_gradient_without_ties(d, spatial, size, strides, padding):
    n = 2 * math.prod(spatial)
    x = (np.random.default_rng(0).permutation(n) + 0.3 * rand(n)).reshape(1, *spatial, 2)
    check_gradients(lambda x: ops.max_pool(x, size, strides, padding), x)


def test_an_empty_batch_flows_through_forward_and_backward():
    x = keras.Variable(np.zeros((0, 6, 5, 2)), dtype="float32")
    w = keras.Variable(rand(3, 3, 2, 4).astype(np.float32))
    b = keras.Variable(np.zeros(4), dtype="float32")
    with keras.GradientTape() as tape:
        y = convolution.conv_bias_activation(x, w, b, activation="relu")
        pooled = ops.max_pool(y, 2)
        loss = ops.sum(pooled) + ops.sum(ops.average_pool(x, 2))
    assert y.shape == (0, 4, 3, 4) and pooled.shape == (0, 2, 1, 4)
    gx, gw, gb = tape.gradient(loss, [x, w, b])
    assert gx.shape == (0, 6, 5, 2)
    np.testing.assert_array_equal(gw.numpy(), 0)
    np.testing.assert_array_equal(gb.numpy(), 0)
