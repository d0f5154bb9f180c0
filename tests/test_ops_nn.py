"""Activations and softmax (kerasnb.ops.nn): each against its formula written in NumPy, float64 gradient checks
away from kinks, numerical stability at ±1000, float32 in/out, and a composite function of many ops."""

import math

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.testing import check_gradients

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
_erf = np.vectorize(math.erf, otypes=[float])


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _hard_sigmoid(x):
    return np.clip(x / 6 + 0.5, 0, 1)


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def _softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


# name -> (kerasnb activation, NumPy formula, kinks to keep probe points away from)
ACTIVATIONS = {
    "relu": (ops.relu, lambda x: np.maximum(x, 0), [0]),
    "relu6": (ops.relu6, lambda x: np.minimum(np.maximum(x, 0), 6), [0, 6]),
    "leaky_relu": (ops.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), [0]),
    "leaky_relu_0.05": (lambda x: ops.leaky_relu(x, negative_slope=0.05), lambda x: np.where(x > 0, x, 0.05 * x), [0]),
    "elu": (ops.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1), [0]),
    "elu_0.5": (lambda x: ops.elu(x, alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1)), [0]),
    "selu": (ops.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)), [0]),
    "gelu": (ops.gelu, _gelu_tanh, []),
    "gelu_exact": (lambda x: ops.gelu(x, approximate=False), lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))), []),
    "silu": (ops.silu, lambda x: x * _sigmoid(x), []),
    "swish": (ops.swish, lambda x: x / (1 + np.exp(-x)), []),
    "sigmoid": (ops.sigmoid, _sigmoid, []),
    "hard_sigmoid": (ops.hard_sigmoid, _hard_sigmoid, [-3, 3]),
    "hard_silu": (ops.hard_silu, lambda x: x * _hard_sigmoid(x), [-3, 3]),
    "hard_swish": (ops.hard_swish, lambda x: x * np.clip(x / 6 + 0.5, 0, 1), [-3, 3]),
    "softplus": (ops.softplus, lambda x: np.log1p(np.exp(x)), []),
    "softsign": (ops.softsign, lambda x: x / (1 + np.abs(x)), [0]),
    "exponential": (ops.exponential, np.exp, []),
    "tanh": (ops.tanh, np.tanh, []),
}


def kink_free(rng, shape, kinks, low=-8.0, high=8.0):
    """Uniform values, moved at least 0.25 away from every kink."""
    x = rng.uniform(low, high, size=shape)
    for k in kinks:
        near = np.abs(x - k) < 0.25
        x = np.where(near, k + 0.5 * np.sign(x - k + 1e-9), x)
    return x


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_numpy_formula(name, rng, assert_close):
    fn, ref, _ = ACTIVATIONS[name]
    x = np.concatenate([rng.uniform(-8, 8, size=40), [-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 7.5]])
    assert_close(fn(x), ref(x), rtol=1e-12, atol=1e-13, dtype="float64")


@pytest.mark.parametrize("shape", [(), (7,), (2, 1, 3)], ids=str)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradients(name, shape, rng, gradcheck):
    fn, _, kinks = ACTIVATIONS[name]
    gradcheck(fn, kink_free(rng, shape, kinks, -4.0, 4.0))
    if kinks:  # and across the wider range, where the piecewise parts are flat
        gradcheck(fn, kink_free(rng, (12,), kinks))


def test_activation_values_at_and_around_the_kinks(assert_close):
    x = np.array([-4.0, -3.0, 0.0, 3.0, 6.0, 8.0])
    assert_close(ops.relu(x), [0, 0, 0, 3, 6, 8])
    assert_close(ops.relu6(x), [0, 0, 0, 3, 6, 6])
    assert_close(ops.hard_sigmoid(x), [0, 0, 0.5, 1, 1, 1])
    assert_close(ops.leaky_relu(x), [-0.8, -0.6, 0, 3, 6, 8])
    # Integer input becomes floatx.
    assert_close(ops.relu(np.array([-1, 2], dtype=np.int32)), [0.0, 2.0], dtype="float32")
    assert_close(ops.softmax(np.array([0, 0], dtype=np.int32)), [0.5, 0.5], dtype="float32")


def test_kink_gradients_are_the_documented_one_sided_values(tape_grads):
    x = np.array([-1.0, 0.0, 1.0, 6.0, 7.0])
    _, (g,) = tape_grads(ops.relu, x)
    np.testing.assert_array_equal(g.numpy(), [0, 0, 1, 1, 1])
    _, (g,) = tape_grads(ops.relu6, x)
    np.testing.assert_array_equal(g.numpy(), [0, 0, 1, 0, 0])


@pytest.mark.parametrize("axis", [-1, 0, 1, (0, 2)], ids=str)
@pytest.mark.parametrize("fn, ref", [(ops.softmax, _softmax),
                                     (ops.log_softmax, lambda x, axis: np.log(_softmax(x, axis)))],
                         ids=["softmax", "log_softmax"])
def test_softmax_and_log_softmax(fn, ref, axis, rng, assert_close, gradcheck):
    x = rng.normal(size=(2, 3, 4)) * 2
    out = fn(x, axis=axis)
    assert_close(out, ref(x, axis), rtol=1e-12, atol=1e-12)
    if fn is ops.softmax:
        np.testing.assert_allclose(np.sum(out.numpy(), axis=axis), 1.0, rtol=1e-12)
    gradcheck(lambda t: fn(t, axis=axis), x)


# ---------------------------------------------------------------------------------------------------------
# Numerical stability
# ---------------------------------------------------------------------------------------------------------

BIG = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 999.0]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_family_is_stable_at_plus_minus_1000(dtype, assert_close):
    x = BIG.astype(dtype)
    with np.errstate(over="raise", invalid="raise"):
        sm = ops.softmax(x)
        lsm = ops.log_softmax(x)
        lse = ops.logsumexp(x, axis=-1)
    e = np.exp(-1.0)
    assert_close(sm, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [1 / (2 + e), 1 / (2 + e), e / (2 + e)]],
                 rtol=1e-6, atol=1e-7, dtype=dtype)
    log3, l2e = np.log(3.0), np.log(2 + e)
    assert_close(lsm, [[0, -2000, -1000], [-log3, -log3, -log3], [-l2e, -l2e, -1 - l2e]], rtol=1e-6, dtype=dtype)
    assert_close(lse, [1000, -1000 + log3, 1000 + l2e], rtol=1e-6, dtype=dtype)
    for t in (sm, lsm, lse):
        assert np.all(np.isfinite(t.numpy()))


def test_log_softmax_gradient_is_finite_and_correct_at_plus_minus_1000(gradcheck, tape_grads):
    gradcheck(ops.log_softmax, BIG)
    gradcheck(ops.softmax, BIG)
    gradcheck(lambda t: ops.logsumexp(t, axis=1), BIG)
    _, (g,) = tape_grads(lambda t: ops.log_softmax(t)[:, 0], BIG.astype(np.float32))
    assert g.dtype == np.float32 and np.all(np.isfinite(g.numpy()))
    # d log_softmax(x)_0 / dx = onehot_0 - softmax(x).
    np.testing.assert_allclose(g.numpy(), np.eye(3)[[0, 0, 0]] - _softmax(BIG), atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_and_softplus_are_stable_at_plus_minus_1000(dtype, assert_close, tape_grads):
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype)
    with np.errstate(over="raise", invalid="raise"):
        s = ops.sigmoid(x)
        sp = ops.softplus(x)
        silu = ops.silu(x)
    assert_close(s, [0.0, _sigmoid(-50.0), 0.5, 1.0, 1.0], rtol=1e-6, atol=0, dtype=dtype)
    assert_close(sp, [0.0, np.log1p(np.exp(-50.0)), np.log(2.0), 50.0, 1000.0], rtol=1e-6, atol=0, dtype=dtype)
    assert_close(silu, [0.0, -50.0 * _sigmoid(-50.0), 0.0, 50.0, 1000.0], rtol=1e-6, atol=1e-30, dtype=dtype)
    for fn in (ops.sigmoid, ops.softplus, ops.silu, ops.gelu, ops.elu, ops.selu):
        _, (g,) = tape_grads(fn, x)
        assert np.all(np.isfinite(g.numpy())), fn
        assert g.dtype == np.dtype(dtype)
    _, (g,) = tape_grads(ops.softplus, x)
    np.testing.assert_allclose(g.numpy(), [0.0, _sigmoid(-50.0), 0.5, 1.0, 1.0], rtol=1e-6)


def test_sigmoid_keeps_full_relative_accuracy_for_negative_inputs(assert_close):
    x = np.array([-80.0, -40.0, -20.0, -10.0, -1.0, 10.0, 40.0])
    want = 1 / (1 + np.exp(-x))
    assert_close(ops.sigmoid(x), want, rtol=1e-13, atol=0)
    assert_close(ops.sigmoid(x.astype(np.float32)), want, rtol=1e-6, atol=0, dtype="float32")
    assert_close(ops.silu(x), x * want, rtol=1e-13, atol=0)


def test_nn_module_reexports_logsumexp(assert_close):
    assert_close(ops.nn.logsumexp(np.array([1000.0, -1000.0])), 1000.0)


# ---------------------------------------------------------------------------------------------------------
# float32 in, float32 out
# ---------------------------------------------------------------------------------------------------------

FLOAT32_NN = {
    **{name: entry[0] for name, entry in ACTIVATIONS.items()},
    "softmax": ops.softmax,
    "softmax_axis0": lambda t: ops.softmax(t, axis=0),
    "log_softmax": ops.log_softmax,
    "logsumexp": lambda t: ops.logsumexp(t, axis=-1),
}


@pytest.mark.parametrize("name", FLOAT32_NN)
def test_float32_activations_stay_float32(name, rng, tape_grads):
    x = kink_free(rng, (3, 4), [-3, 0, 3, 6]).astype(np.float32)
    out, (g,) = tape_grads(FLOAT32_NN[name], x)
    assert out.dtype == np.float32
    assert g.dtype == np.float32 and g.shape == x.shape
    assert np.all(np.isfinite(g.numpy()))


# ---------------------------------------------------------------------------------------------------------
# A composite function of many ops
# ---------------------------------------------------------------------------------------------------------


def _composite(x, w, b):
    h = ops.tanh(x @ w + b)  # (4, 3)
    p = ops.softmax(h, axis=-1) * ops.sigmoid(x[:, :1])
    gate = ops.exp(-ops.square(x[:, 1:2]))
    q = ops.concatenate([p, gate, ops.softplus(ops.transpose(w)[:1, :2] * 2.0)[:, ::-1] + 0 * gate], axis=1)
    mixed = ops.einsum("ij,jk->ik", q, ops.pad(w, ((1, 2), (0, 0)), mode="reflect"))  # (4, 3)
    r = ops.logsumexp(mixed * 3.0, axis=1) + ops.mean(ops.gelu(h), axis=1) - ops.var(h, axis=1)
    s = ops.log_softmax(ops.reshape(r, (2, 2)), axis=0) / ops.sqrt(1.0 + ops.max(ops.square(b)))
    t = ops.where(np.array([[True, False], [False, True]]), s, ops.leaky_relu(s, 0.1))
    return ops.sum(ops.take(t, [1, 1, 0], axis=1) * ops.cumsum(ops.flip(t, 0), axis=0)[:, :1]) + ops.prod(
        ops.stack([ops.min(x), ops.max(w)]))


def test_composite_function_matches_finite_differences_to_1e_6(rng):
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3,))
    variables = [keras.Variable(v, dtype="float64") for v in (x, w, b)]
    with keras.GradientTape() as tape:
        loss = _composite(*variables)
    assert loss.shape == () and loss.dtype == np.float64
    grads = tape.gradient(loss, variables)

    def value(*arrays):
        return float(_composite(*[ops.convert_to_tensor(a) for a in arrays]))

    eps = 1e-6
    points = [x, w, b]
    for i, g in enumerate(grads):
        numeric = np.zeros_like(points[i])
        for k in range(points[i].size):
            up = [p.copy() for p in points]
            down = [p.copy() for p in points]
            up[i].reshape(-1)[k] += eps
            down[i].reshape(-1)[k] -= eps
            numeric.reshape(-1)[k] = (value(*up) - value(*down)) / (2 * eps)
        np.testing.assert_allclose(g.numpy(), numeric, atol=1e-6, rtol=0)
    # The library's own checker agrees, at the same tolerance, with random output weights.
    report = check_gradients(_composite, x, w, b, atol=1e-6, rtol=0)
    assert report.ok and report.max_error < 1e-6


def test_approximate_gelu_gradient_keeps_float32_precision_in_the_tail():
    # 1 - tanh(u)² cancels to nothing in float32 where tanh(u) ≈ -1; the backward uses sech²(u) directly.
    x64 = np.array([-4.95, -3.0, 2.5])
    x = keras.Variable(x64.astype("float32"))
    with keras.GradientTape() as tape:
        y = ops.sum(ops.gelu(x, approximate=True))
    got = tape.gradient(y, x).numpy()
    c = np.sqrt(2 / np.pi)
    u = c * (x64 + 0.044715 * x64**3)
    want = 0.5 * (1 + np.tanh(u)) + 0.5 * x64 * (1 / np.cosh(u) ** 2) * c * (1 + 3 * 0.044715 * x64**2)
    np.testing.assert_allclose(got, want, rtol=1e-4)


def test_power_gradient_is_zero_for_exponent_zero_even_at_base_zero():
    a = keras.Variable([0.0, 2.0])
    with keras.GradientTape() as tape:
        y = ops.sum(ops.power(a, 0.0))
    np.testing.assert_array_equal(tape.gradient(y, a).numpy(), [0.0, 0.0])
