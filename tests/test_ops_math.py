"""Elementwise math (kerasnb.ops.math): forward against NumPy, float64 gradient checks with broadcasting, dtype
rules (weak Python scalars, float32 stays float32), where, clip, cast, and the ops that are not differentiated."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kerasnb as keras
from kerasnb import ops
from kerasnb.testing import check_gradients

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")

# ---------------------------------------------------------------------------------------------------------
# Input makers: probe points chosen inside each op's smooth domain.
# ---------------------------------------------------------------------------------------------------------


def normal(rng, shape):
    return rng.normal(size=shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


def nonzero(rng, shape):
    return rng.uniform(0.3, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def unit(rng, shape):
    return rng.uniform(-0.9, 0.9, size=shape)


def mod_dividend(rng, shape):
    return rng.uniform(-3.0, 3.0, size=shape)


BINARY = {
    "add": (ops.add, np.add, normal, normal),
    "subtract": (ops.subtract, np.subtract, normal, normal),
    "multiply": (ops.multiply, np.multiply, normal, normal),
    "divide": (ops.divide, np.divide, normal, nonzero),
    "true_divide": (ops.true_divide, np.true_divide, normal, nonzero),
    "power": (ops.power, np.power, positive, normal),
    "maximum": (ops.maximum, np.maximum, normal, normal),
    "minimum": (ops.minimum, np.minimum, normal, normal),
    "mod": (ops.mod, np.mod, mod_dividend, nonzero),
}

BROADCAST_SHAPES = [
    ((3, 1, 4), (2, 4)),
    ((2, 3), (2, 3)),
    ((), (3, 2)),
    ((4, 1), (1,)),
    ((1, 3), (2, 1)),
]

UNARY = {
    "negative": (ops.negative, np.negative, normal),
    "abs": (ops.abs, np.abs, nonzero),
    "absolute": (ops.absolute, np.abs, nonzero),
    "square": (ops.square, np.square, normal),
    "sqrt": (ops.sqrt, np.sqrt, positive),
    "rsqrt": (ops.rsqrt, lambda x: 1 / np.sqrt(x), positive),
    "reciprocal": (ops.reciprocal, lambda x: 1 / x, nonzero),
    "exp": (ops.exp, np.exp, normal),
    "expm1": (ops.expm1, np.expm1, normal),
    "log": (ops.log, np.log, positive),
    "log1p": (ops.log1p, np.log1p, lambda rng, s: rng.uniform(-0.5, 2.0, size=s)),
    "log2": (ops.log2, np.log2, positive),
    "log10": (ops.log10, np.log10, positive),
    "sin": (ops.sin, np.sin, normal),
    "cos": (ops.cos, np.cos, normal),
    "tan": (ops.tan, np.tan, lambda rng, s: rng.uniform(-1.2, 1.2, size=s)),
    "arcsin": (ops.arcsin, np.arcsin, unit),
    "arccos": (ops.arccos, np.arccos, unit),
    "arctan": (ops.arctan, np.arctan, normal),
    "sinh": (ops.sinh, np.sinh, normal),
    "cosh": (ops.cosh, np.cosh, normal),
    "tanh": (ops.tanh, np.tanh, normal),
    "erf": (ops.erf, np.vectorize(math.erf, otypes=[float]), normal),
}

UNARY_SHAPES = [(), (5,), (2, 1, 3)]


# ---------------------------------------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_forward_matches_numpy(name, shapes, rng, assert_close):
    fn, ref, make_a, make_b = BINARY[name]
    a, b = make_a(rng, shapes[0]), make_b(rng, shapes[1])
    assert_close(fn(a, b), ref(a, b), rtol=1e-12, atol=1e-12, dtype="float64")
    # Tensors and a mix of tensor and array give the same answer.
    assert_close(fn(ops.convert_to_tensor(a), b), ref(a, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_gradients(name, shapes, rng, gradcheck):
    fn, _, make_a, make_b = BINARY[name]
    gradcheck(fn, make_a(rng, shapes[0]), make_b(rng, shapes[1]))


@pytest.mark.parametrize("op", [ops.add, ops.multiply, ops.subtract])
@settings(max_examples=12, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_broadcasting_gradients_for_random_shapes(op, shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=shapes.input_shapes[0]), rng.normal(size=shapes.input_shapes[1])
    assert op(a, b).shape == shapes.result_shape
    report = check_gradients(op, a, b)
    assert report.ok
    assert [g.shape for g in report.analytic] == [a.shape, b.shape]


def test_maximum_minimum_ties_send_the_gradient_to_x1(tape_grads):
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = np.array([1.0, 5.0, 3.0, 0.0])
    _, (ga, gb) = tape_grads(ops.maximum, a, b)
    np.testing.assert_array_equal(ga.numpy(), [1, 0, 1, 1])
    np.testing.assert_array_equal(gb.numpy(), [0, 1, 0, 0])
    _, (ga, gb) = tape_grads(ops.minimum, a, b)
    np.testing.assert_array_equal(ga.numpy(), [1, 1, 1, 0])
    np.testing.assert_array_equal(gb.numpy(), [0, 0, 0, 1])
    # With a broadcast scalar (relu written as maximum): the tie at 0 goes to x, the scalar gets the rest.
    _, (gx, gz) = tape_grads(ops.maximum, np.array([-1.0, 0.0, 2.0]), np.array(0.0))
    np.testing.assert_array_equal(gx.numpy(), [0, 1, 1])
    assert float(gz) == 1.0


def test_power_gradients_at_non_positive_bases(tape_grads):
    base = np.array([-2.0, 0.0, 3.0])
    exponent = np.array([2.0, 2.0, 2.0])
    out, (gb, ge) = tape_grads(ops.power, base, exponent)
    np.testing.assert_allclose(out.numpy(), [4.0, 0.0, 9.0])
    np.testing.assert_allclose(gb.numpy(), [-4.0, 0.0, 6.0])
    # d/de b**e = b**e log b, taken as 0 where b <= 0 (log undefined) instead of nan.
    np.testing.assert_allclose(ge.numpy(), [0.0, 0.0, 9.0 * np.log(3.0)])


def test_floor_divide_and_mod_follow_numpy_signs(assert_close):
    assert_close(ops.floor_divide([7, -7, 6], 2), np.array([3, -4, 3], dtype="int32"), dtype="int32")
    assert_close(ops.floor_divide([7.5, -7.5], 2.0), [3.0, -4.0], dtype="float32")
    a = np.array([5.0, -5.0, 5.0, -5.0])
    b = np.array([3.0, 3.0, -3.0, -3.0])
    assert_close(ops.mod(a, b), np.mod(a, b))  # sign of the divisor: [2, 1, -1, -2]
    assert_close(ops.mod([5, -5], 3), np.array([2, 1], dtype="int32"), dtype="int32")


# ---------------------------------------------------------------------------------------------------------
# Unary
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary_forward_matches_numpy(name, shape, rng, assert_close):
    fn, ref, make = UNARY[name]
    x = make(rng, shape)
    assert_close(fn(x), ref(x), rtol=1e-12, atol=1e-12, dtype="float64")


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary_gradients(name, shape, rng, gradcheck):
    fn, _, make = UNARY[name]
    gradcheck(fn, make(rng, shape))


def test_erf_matches_math_erf_elementwise():
    special = [0.0, -0.0, 1e-300, -1e-12, 1e-8, 2.5, np.nextafter(2.5, 0.0), np.nextafter(2.5, 3.0), -2.5,
               5.9, 26.0, -30.0, np.inf, -np.inf]
    xs = np.concatenate([np.linspace(-7.0, 7.0, 1401), special])
    got = ops.erf(xs)
    assert got.dtype == np.float64
    want = np.array([math.erf(v) for v in xs])
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-14)
    assert np.all(np.abs(got.numpy()) <= 1.0)


def test_integer_inputs_to_float_functions_give_floatx(assert_close):
    assert_close(ops.sqrt([4, 9]), [2.0, 3.0], dtype="float32")
    assert_close(ops.exp([0]), [1.0], dtype="float32")
    assert_close(ops.log([1, 1]), [0.0, 0.0], dtype="float32")
    assert_close(ops.erf([0]), [0.0], dtype="float32")
    # Ops that are closed over the integers keep them.
    assert_close(ops.abs([-3, 2]), np.array([3, 2], dtype="int32"), dtype="int32")
    assert_close(ops.negative([3]), np.array([-3], dtype="int32"), dtype="int32")
    assert_close(ops.square([3]), np.array([9], dtype="int32"), dtype="int32")


# ---------------------------------------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------------------------------------


def test_python_scalars_are_weak(assert_close):
    x = ops.convert_to_tensor([1.0, 2.0])
    assert x.dtype == np.float32
    for y in [x * 2, x * 2.0, 2 * x, 2.0 * x, x + 1, x - 0.5, 1.0 - x, x / 2, 3 / x, x**2, 2.0**x,
              ops.maximum(x, 0.5), ops.minimum(1, x), ops.where([True, False], x, 0.0), ops.mod(x, 2)]:
        assert y.dtype == np.float32, y
    assert ops.multiply(ops.ones(2, "float16"), 2.0).dtype == np.float16
    assert ops.add(ops.ones(2, "float64"), 1).dtype == np.float64

    i = ops.convert_to_tensor([1, 2])
    assert i.dtype == np.int32
    assert_close(i * 0.5, [0.5, 1.0], dtype="float32")
    assert_close(0.5 + i, [1.5, 2.5], dtype="float32")
    assert_close(i * 2, np.array([2, 4], dtype="int32"), dtype="int32")
    assert_close(i + True, np.array([2, 3], dtype="int32"), dtype="int32")
    # Integer (and bool) division is true division into floatx, never float64.
    assert_close(ops.divide(i, 2), [0.5, 1.0], dtype="float32")
    assert_close(i / i, [1.0, 1.0], dtype="float32")
    assert_close(ops.divide(7, 2), 3.5, dtype="float32")
    assert_close(ops.true_divide([True, False], 2), [0.5, 0.0], dtype="float32")
    # An integer tensor meeting a float tensor becomes that float.
    assert_close(ops.multiply(x, i), [1.0, 4.0], dtype="float32")
    assert_close(ops.add(i, ops.ones(2, "float16")), [2.0, 3.0], dtype="float16")


FLOAT32_OPS = {
    **{name: (entry[0], (entry[2], entry[3])) for name, entry in BINARY.items()},
    **{name: (entry[0], (entry[2],)) for name, entry in UNARY.items()},
    "times_python_scalar": (lambda x: x * 2.0 + 1, (normal,)),
    "power_python_scalar": (lambda x: x**2, (normal,)),
    "where": (lambda a, b: ops.where(np.array([True, False, True]), a, b), (normal, normal)),
    "clip": (lambda x: ops.clip(x, -0.5, 0.5), (normal,)),
    "cast_roundtrip": (lambda x: ops.cast(ops.cast(x, "float64") * 3.0, "float32"), (normal,)),
}


@pytest.mark.parametrize("name", FLOAT32_OPS)
def test_float32_inputs_give_float32_outputs_and_gradients(name, rng, tape_grads):
    fn, makers = FLOAT32_OPS[name]
    shapes = [(2, 3), (3,)][: len(makers)]  # a second operand is broadcast against the first
    xs = [make(rng, s).astype(np.float32) for make, s in zip(makers, shapes)]
    out, grads = tape_grads(fn, *xs)
    assert out.dtype == np.float32
    for x, g in zip(xs, grads):
        assert g is not None
        assert g.dtype == np.float32 and g.shape == x.shape
        assert np.all(np.isfinite(g.numpy()))


# ---------------------------------------------------------------------------------------------------------
# where, clip, cast
# ---------------------------------------------------------------------------------------------------------


def test_where_broadcasts_and_routes_gradients(rng, assert_close, gradcheck, tape_grads):
    cond = np.array([True, False, True, False, True, True, False, True, False, False, True, True]).reshape(3, 1, 4)
    a, b = rng.normal(size=(2, 4)), rng.normal(size=(1,))
    assert_close(ops.where(cond, a, b), np.where(cond, a, b))
    gradcheck(lambda a, b: ops.where(cond, a, b), a, b)
    _, (ga, gb) = tape_grads(lambda a, b: ops.where(cond, a, b), a, b)
    full = np.broadcast_to(cond, (3, 2, 4))
    np.testing.assert_array_equal(ga.numpy(), full.sum(axis=0))
    np.testing.assert_array_equal(gb.numpy(), [(~full).sum()])
    # The condition may be a tensor, e.g. a comparison; python scalars are accepted for the branches.
    x = ops.convert_to_tensor([-1.0, 2.0, -3.0])
    assert_close(ops.where(x > 0, x, 0.0), [0.0, 2.0, 0.0], dtype="float32")


def test_where_with_only_a_condition_returns_nonzero_indices():
    cond = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    got = ops.where(cond)
    want = np.nonzero(cond)
    assert isinstance(got, tuple) and len(got) == 2
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.numpy(), w)
    (only,) = ops.where(ops.convert_to_tensor([False, True, True]))
    np.testing.assert_array_equal(only.numpy(), [1, 2])


def test_where_needs_both_branches_or_neither():
    with pytest.raises(ValueError, match="both"):
        ops.where([True], [1.0])


def test_clip_values_and_gradients(rng, assert_close, gradcheck, tape_grads):
    x = np.array([-2.0, -0.5, 0.3, 0.9, 1.7])
    assert_close(ops.clip(x, -1.0, 1.0), np.clip(x, -1.0, 1.0))
    _, (g,) = tape_grads(lambda x: ops.clip(x, -1.0, 1.0), x)
    np.testing.assert_array_equal(g.numpy(), [0, 1, 1, 1, 0])
    # Probe points away from the bounds, where clip is smooth.
    gradcheck(lambda x: ops.clip(x, -1.0, 1.0), x)
    # Tensor bounds work, and float32 stays float32.
    lo, hi = ops.convert_to_tensor(0.0), ops.convert_to_tensor(1.0)
    assert_close(ops.clip(x.astype(np.float32), lo, hi), np.clip(x, 0.0, 1.0), dtype="float32")


def test_cast_between_floats_passes_gradients(tape_grads):
    x = ops.convert_to_tensor([1.5, -2.25])
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = ops.cast(x, "float64")
        z = ops.cast(y * y, "float32")
    assert y.dtype == np.float64 and z.dtype == np.float32
    g = tape.gradient(z, x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g.numpy(), [3.0, -4.5])
    assert ops.cast(x, "float32") is x  # no-op cast


def test_cast_to_int_truncates_and_has_no_gradient(assert_close):
    x = ops.convert_to_tensor([1.7, -1.7, 2.0])
    assert_close(ops.cast(x, "int32"), np.array([1, -1, 2], dtype="int32"), dtype="int32")
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = ops.cast(x, "int32")
    assert tape.gradient(y, x) is None


@pytest.mark.parametrize(
    "fn, ref",
    [(ops.floor, np.floor), (ops.ceil, np.ceil), (ops.round, np.round), (ops.sign, np.sign)],
    ids=["floor", "ceil", "round", "sign"],
)
def test_piecewise_constant_ops_match_numpy_and_have_no_gradient(fn, ref, assert_close):
    x = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 1.7, -1.2], dtype=np.float32)
    assert_close(fn(x), ref(x), dtype="float32")
    t = ops.convert_to_tensor(x)
    with keras.GradientTape(persistent=True) as tape:
        tape.watch(t)
        y = fn(t)
        z = t * fn(t)
    assert tape.gradient(y, t) is None
    # Through a product only the other factor carries a gradient: d(x·f(x))/dx = f(x).
    np.testing.assert_allclose(tape.gradient(z, t).numpy(), ref(x))


def test_round_half_to_even_and_decimals(assert_close):
    assert_close(ops.round([0.5, 1.5, 2.5, -0.5]), [0.0, 2.0, 2.0, -0.0])
    assert_close(ops.round(np.array([1.234, 5.678]), 1), [1.2, 5.7])


# ---------------------------------------------------------------------------------------------------------
# Comparisons and predicates
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, ref",
    [
        (ops.equal, np.equal), (ops.not_equal, np.not_equal), (ops.less, np.less),
        (ops.less_equal, np.less_equal), (ops.greater, np.greater), (ops.greater_equal, np.greater_equal),
        (ops.logical_and, np.logical_and), (ops.logical_or, np.logical_or),
    ],
    ids=lambda f: getattr(f, "__name__", ""),
)
def test_comparisons_and_logic_match_numpy(fn, ref, assert_close):
    a = np.array([[0.0, 1.0, 2.0], [2.0, 0.0, -1.0]])
    b = np.array([0.0, 2.0, 2.0])
    out = fn(a, b)
    assert out.dtype == np.bool_
    assert_close(out, ref(a, b))
    assert_close(fn(a, 2.0), ref(a, 2.0))


def test_logical_not_and_float_predicates(assert_close):
    assert_close(ops.logical_not([True, False]), [False, True])
    assert_close(ops.logical_not([0.0, 2.0]), [True, False])
    x = np.array([np.nan, np.inf, -np.inf, 1.0])
    assert_close(ops.isnan(x), np.isnan(x))
    assert_close(ops.isinf(x), np.isinf(x))
    assert_close(ops.isfinite(x), np.isfinite(x))
