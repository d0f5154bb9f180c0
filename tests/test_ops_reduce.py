"""Reductions (kerasnb.ops.reduce): every axis form (None, int, negative, tuple) with keepdims both ways, against
NumPy and finite differences; ties in max/min, zeros in prod, empty reductions, index reductions, any/all."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")


def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


# name -> (kerasnb reduction, NumPy reference, input maker)
REDUCTIONS = {
    "sum": (ops.sum, np.sum, lambda rng, s: rng.normal(size=s)),
    "mean": (ops.mean, np.mean, lambda rng, s: rng.normal(size=s)),
    "max": (ops.max, np.max, lambda rng, s: rng.normal(size=s)),
    "min": (ops.min, np.min, lambda rng, s: rng.normal(size=s)),
    "amax": (ops.amax, np.amax, lambda rng, s: rng.normal(size=s)),
    "amin": (ops.amin, np.amin, lambda rng, s: rng.normal(size=s)),
    # Factors near ±1 keep the product well scaled.
    "prod": (ops.prod, np.prod, lambda rng, s: rng.uniform(0.6, 1.4, size=s) * rng.choice([-1.0, 1.0], size=s)),
    "var": (ops.var, np.var, lambda rng, s: rng.normal(size=s)),
    "std": (ops.std, np.std, lambda rng, s: rng.normal(size=s)),
    "logsumexp": (ops.logsumexp, _np_logsumexp, lambda rng, s: rng.normal(size=s) * 3),
}

# (shape, axis): None, int, negative int, tuple, negative tuple, size-1 axes, a rank-0 input.
AXES = [
    ((2, 3, 4), None),
    ((2, 3, 4), 0),
    ((2, 3, 4), -1),
    ((2, 3, 4), (0, 2)),
    ((2, 3, 4), (-1, -3)),
    ((2, 1, 3), 1),
    ((2, 1, 3), (0, 1)),
    ((1, 4), -2),
    ((5,), 0),
    ((), None),
]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("shape, axis", AXES, ids=str)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_forward_matches_numpy(name, shape, axis, keepdims, rng, assert_close):
    fn, ref, make = REDUCTIONS[name]
    x = make(rng, shape)
    assert_close(fn(x, axis=axis, keepdims=keepdims), ref(x, axis=axis, keepdims=keepdims),
                 rtol=1e-12, atol=1e-12, dtype="float64")


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("shape, axis", AXES, ids=str)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_gradients(name, shape, axis, keepdims, rng, gradcheck):
    fn, _, make = REDUCTIONS[name]
    reduced = shape if axis is None else [shape[a] for a in np.atleast_1d(axis)]
    if name == "std" and int(np.prod(reduced)) == 1:
        pytest.skip("the variance of one element is identically 0, where sqrt (so std) is not differentiable")
    gradcheck(lambda x: fn(x, axis=axis, keepdims=keepdims), make(rng, shape))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_float32_reductions_stay_float32(name, rng, tape_grads):
    fn, _, make = REDUCTIONS[name]
    x = make(rng, (3, 4)).astype(np.float32)
    for axis in (None, 1):
        out, (g,) = tape_grads(lambda t, axis=axis: fn(t, axis=axis), x)
        assert out.dtype == np.float32
        assert g.dtype == np.float32 and g.shape == x.shape


def test_integer_inputs_to_mean_var_std_logsumexp_give_floatx(assert_close):
    x = np.array([[1, 2], [3, 5]], dtype=np.int32)
    assert_close(ops.mean(x, axis=0), [2.0, 3.5], dtype="float32")
    assert_close(ops.var(x), np.var(x), dtype="float32")
    assert_close(ops.std(x, axis=1), np.std(x, axis=1), dtype="float32")
    assert_close(ops.logsumexp(x, axis=1), _np_logsumexp(x.astype(float), axis=1), dtype="float32")
    # sum/max/prod of int32 stay int32 (NumPy would widen sum and prod to int64); bools sum to int32.
    assert_close(ops.sum(x, axis=0), np.array([4, 7], dtype=np.int32), dtype="int32")
    assert_close(ops.max(x), np.int32(5), dtype="int32")
    assert_close(ops.prod(x, axis=1), np.array([2, 15], dtype=np.int32), dtype="int32")
    assert_close(ops.sum(np.array([True, True, False])), np.int32(2), dtype="int32")
    assert_close(ops.sum(np.array([2**40], dtype=np.int64)), np.int64(2**40), dtype="int64")


def test_reductions_over_an_axis_of_length_zero(tape_grads):
    x = np.zeros((3, 0, 2))
    out, (g,) = tape_grads(lambda t: ops.sum(t, axis=1), x)
    np.testing.assert_array_equal(out.numpy(), np.zeros((3, 2)))
    assert g.shape == (3, 0, 2)
    out, (g,) = tape_grads(lambda t: ops.prod(t, axis=1, keepdims=True), x)
    np.testing.assert_array_equal(out.numpy(), np.ones((3, 1, 2)))
    assert g.shape == (3, 0, 2)
    out, (g,) = tape_grads(lambda t: ops.sum(t), x)
    assert out.shape == () and float(out) == 0.0 and g.shape == (3, 0, 2)
    # Reducing the non-empty axes of an empty tensor gives an empty result.
    out, (g,) = tape_grads(lambda t: ops.sum(t, axis=(0, 2)), x)
    assert out.shape == (0,) and g.shape == (3, 0, 2)


@pytest.mark.parametrize("fn", [ops.max, ops.min, ops.argmax])
def test_reductions_without_identity_reject_an_empty_axis_like_numpy(fn):
    with pytest.raises(ValueError):
        fn(np.zeros((3, 0)), axis=1)


def test_max_and_min_share_the_gradient_equally_among_ties(tape_grads):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [0.0, 5.0, -1.0]])
    _, (g,) = tape_grads(lambda t: ops.max(t, axis=1), x)
    np.testing.assert_allclose(g.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3], [0, 1, 0]])
    _, (g,) = tape_grads(lambda t: ops.min(t, axis=1), x)
    np.testing.assert_allclose(g.numpy(), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0, 0, 1]])
    # Over all axes: the global maximum 5 is unique; the global minimum -1 is unique.
    _, (g,) = tape_grads(lambda t: ops.max(t), x)
    expected = np.zeros((3, 3))
    expected[2, 1] = 1
    np.testing.assert_array_equal(g.numpy(), expected)
    # Over a tuple of axes with keepdims, ties across rows share too.
    y = np.array([[4.0, 1.0], [4.0, 4.0]])
    _, (g,) = tape_grads(lambda t: ops.max(t, axis=(0, 1), keepdims=True), y)
    np.testing.assert_allclose(g.numpy(), [[1 / 3, 0], [1 / 3, 1 / 3]])


def test_max_min_with_initial(assert_close):
    x = np.array([[1.0, -2.0], [0.5, -3.0]])
    assert_close(ops.max(x, axis=0, initial=0.0), np.max(x, axis=0, initial=0.0))
    assert_close(ops.min(x, axis=1, initial=-2.5), np.min(x, axis=1, initial=-2.5))


def test_prod_gradient_with_zeros(gradcheck, tape_grads):
    # One zero: only the zero's gradient is non-zero (the product of the others).
    _, (g,) = tape_grads(lambda t: ops.prod(t), np.array([2.0, 0.0, 3.0, -1.5]))
    np.testing.assert_allclose(g.numpy(), [0.0, -9.0, 0.0, 0.0])
    # Two zeros: every partial derivative still contains a zero factor.
    _, (g,) = tape_grads(lambda t: ops.prod(t), np.array([2.0, 0.0, 3.0, 0.0]))
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0, 0.0, 0.0])
    # Along an axis, rows with no, one and two zeros, against finite differences too.
    x = np.array([[1.5, -2.0, 0.5], [0.0, 2.0, 3.0], [0.0, 0.0, 4.0]])
    _, (g,) = tape_grads(lambda t: ops.prod(t, axis=1), x)
    np.testing.assert_allclose(g.numpy(), [[-1.0, 0.75, -3.0], [6.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    gradcheck(lambda t: ops.prod(t, axis=1), x)
    gradcheck(lambda t: ops.prod(t, axis=0, keepdims=True), x)


def test_prod_with_dtype(assert_close):
    assert_close(ops.prod([2, 3, 4], dtype="float32"), 24.0, dtype="float32")


def test_var_and_std_are_population_statistics(assert_close):
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert_close(ops.var(x), 1.25)
    assert_close(ops.std(x), np.sqrt(1.25))


def test_logsumexp_is_stable_for_large_and_infinite_inputs(assert_close, gradcheck):
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0], [1000.0, -1000.0]])
    out = ops.logsumexp(x, axis=1)
    assert_close(out, [1000.0 + np.log(2.0), -1000.0 + np.log(2.0), 1000.0], rtol=1e-14)
    assert_close(ops.logsumexp(x.astype(np.float32), axis=1), [1000.6931, -999.3069, 1000.0],
                 rtol=1e-6, dtype="float32")
    gradcheck(lambda t: ops.logsumexp(t, axis=1), x)
    with np.errstate(divide="ignore"):  # log(0), as in NumPy
        assert_close(ops.logsumexp(np.array([-np.inf, -np.inf])), -np.inf)
    assert_close(ops.logsumexp(np.array([-np.inf, 0.0])), 0.0)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_argmax_argmin_match_numpy(name, axis, keepdims, rng, assert_close):
    x = rng.normal(size=(3, 4))
    ref = getattr(np, name)(x, axis=axis, keepdims=keepdims).astype(np.int32)
    assert_close(getattr(ops, name)(x, axis=axis, keepdims=keepdims), ref, dtype="int32")


def test_argmax_argmin_pick_the_first_of_ties():
    x = np.array([[1.0, 3.0, 3.0], [0.0, 0.0, -1.0]])
    np.testing.assert_array_equal(ops.argmax(x, axis=1).numpy(), [1, 0])
    np.testing.assert_array_equal(ops.argmin(x, axis=1).numpy(), [0, 2])
    assert int(ops.argmax(x)) == 1
    assert int(ops.argmin(x)) == 5


def test_argmax_has_no_gradient():
    x = ops.convert_to_tensor([1.0, 3.0, 2.0])
    with keras.GradientTape() as tape:
        tape.watch(x)
        i = ops.argmax(x)
    assert tape.gradient(i, x) is None


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_any_all_match_numpy(axis, keepdims, assert_close):
    x = np.array([[0.0, 0.0, 2.0], [0.0, 0.0, 0.0], [1.0, -1.0, 3.0]])
    for fn, ref in [(ops.any, np.any), (ops.all, np.all)]:
        out = fn(x, axis=axis, keepdims=keepdims)
        assert out.dtype == np.bool_
        assert_close(out, ref(x, axis=axis, keepdims=keepdims))
    assert_close(ops.any([[True, False], [False, False]], axis=1), [True, False])
    assert_close(ops.all(np.array([1, 2, 0], dtype=np.int32)), False)


@pytest.mark.parametrize("fn", [ops.sum, ops.mean, ops.max, ops.var, ops.logsumexp])
def test_out_of_range_axis_raises(fn):
    with pytest.raises(ValueError, match="out of bounds"):
        fn(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="out of bounds"):
        fn(np.ones((2, 3)), axis=(0, -3))
