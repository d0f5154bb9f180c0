"""Shape and indexing ops (kerasnb.ops.shaping): forward against NumPy, float64 gradient checks, and the gradients
that must *accumulate* (repeated fancy indices, take, tile, repeat, the padding modes)."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")

# ---------------------------------------------------------------------------------------------------------
# getitem
# ---------------------------------------------------------------------------------------------------------

MASK_43 = np.array([[True, False, True], [False, False, True], [True, True, False], [False, True, False]])

GETITEM_CASES = [
    ((4, 3), 1),
    ((4, 3), -1),
    ((4, 3), slice(1, 3)),
    ((4, 3), (slice(None, None, -1), slice(None, None, -2))),
    ((5, 3), (slice(4, 0, -2), 2)),
    ((4, 3), (slice(-1, None), slice(None, -1))),
    ((2, 3, 4), (None, Ellipsis, 1)),
    ((2, 3), (Ellipsis, None)),
    ((2, 3, 4), (0, None, slice(1, None))),
    ((4, 3), np.array([0, 2, 0, -1])),
    ((4, 3), (slice(None), np.array([[1, 1], [0, 2]]))),
    ((4, 3), (np.array([0, 0, 1]), np.array([2, 2, -3]))),
    ((2, 3, 4), (Ellipsis, np.array([0, -1, 0]))),
    ((4, 3), np.array([True, False, True, True])),
    ((4, 3), MASK_43),
    ((4, 3), [1, 1, 3]),
    ((4, 3), np.array(2)),
]


def _ids(case):
    return repr(case[1]).replace("\n", "").replace(" ", "")[:40]


@pytest.mark.parametrize("shape, index", GETITEM_CASES, ids=[_ids(c) for c in GETITEM_CASES])
def test_getitem_matches_numpy_and_differentiates(shape, index, rng, assert_close, gradcheck):
    x = rng.normal(size=shape)
    assert_close(ops.getitem(x, index), x[index], rtol=0, atol=0)
    assert_close(ops.convert_to_tensor(x)[index], x[index], rtol=0, atol=0)
    gradcheck(lambda t: t[index], x)


def test_getitem_gradient_accumulates_over_repeated_indices(tape_grads):
    x = np.arange(4.0)
    _, (g,) = tape_grads(lambda t: t[np.array([0, 2, 0, -1, 0])], x)
    np.testing.assert_array_equal(g.numpy(), [3, 0, 1, 1])
    y = np.zeros((3, 2))
    _, (g,) = tape_grads(lambda t: t[np.array([1, 1]), np.array([0, 0])], y)
    np.testing.assert_array_equal(g.numpy(), [[0, 0], [2, 0], [0, 0]])
    # An integer tensor works as an index too.
    _, (g,) = tape_grads(lambda t: t[ops.convert_to_tensor([2, 2, 2])], x)
    np.testing.assert_array_equal(g.numpy(), [0, 0, 3, 0])


def test_getitem_boolean_mask_gradient(tape_grads):
    x = np.arange(12.0).reshape(4, 3)
    _, (g,) = tape_grads(lambda t: t[MASK_43] * 2.0, x)
    np.testing.assert_array_equal(g.numpy(), 2.0 * MASK_43)
    _, (g,) = tape_grads(lambda t: t[t > 5.0], x)  # a mask computed from the tensor itself
    np.testing.assert_array_equal(g.numpy(), (x > 5).astype(float))


# ---------------------------------------------------------------------------------------------------------
# take, take_along_axis
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "indices, axis",
    [([2, 0, 2, -1], 0), ([[1, -1], [1, 1]], 1), ([3, -4, 0], -1), ([5, 0, 5, -12], None), (2, 1), ([[0]], 0)],
    ids=str,
)
def test_take_matches_numpy_and_differentiates(indices, axis, rng, assert_close, gradcheck):
    x = rng.normal(size=(3, 4))
    assert_close(ops.take(x, indices, axis=axis), np.take(x, indices, axis=axis), rtol=0, atol=0)
    gradcheck(lambda t: ops.take(t, indices, axis=axis), x)


def test_take_gradient_accumulates_and_gather_is_take(tape_grads):
    _, (g,) = tape_grads(lambda t: ops.take(t, [2, 0, 2, -1, -3]), np.zeros(3))
    np.testing.assert_array_equal(g.numpy(), [2, 0, 3])
    _, (g,) = tape_grads(lambda t: ops.gather(t, ops.convert_to_tensor([[1, 1], [0, 1]]), axis=1), np.zeros((2, 3)))
    np.testing.assert_array_equal(g.numpy(), [[1, 3, 0], [1, 3, 0]])


def test_take_rejects_out_of_range_and_float_indices():
    with pytest.raises(IndexError, match=r"\[-3, 3\)"):
        ops.take([1.0, 2.0, 3.0], [3])
    with pytest.raises(IndexError):
        ops.take([1.0, 2.0, 3.0], [-4])
    with pytest.raises(TypeError, match="integers"):
        ops.take([1.0, 2.0, 3.0], [0.0])


@pytest.mark.parametrize(
    "x_shape, indices, axis",
    [
        ((3, 4), [[0, 3, 3], [1, 1, -1], [2, 0, 0]], 1),
        ((3, 4), [[2, 0, 1, -1], [0, 0, 0, 0]], 0),
        ((3, 4), [[1, 2, 0, 0]], 0),  # indices broadcast against x on the other axes
        ((2, 3, 4), np.zeros((2, 3, 2), dtype=int) + [1, -1], -1),
        ((3, 4), [11, 0, -1, 0], None),
    ],
    ids=["axis1", "axis0", "broadcast", "3d", "flat"],
)
def test_take_along_axis_matches_numpy_and_differentiates(x_shape, indices, axis, rng, assert_close, gradcheck):
    x = rng.normal(size=x_shape)
    idx = np.asarray(indices)
    assert_close(ops.take_along_axis(x, idx, axis=axis), np.take_along_axis(x, idx, axis=axis), rtol=0, atol=0)
    gradcheck(lambda t: ops.take_along_axis(t, idx, axis=axis), x)


def test_take_along_axis_gradient_accumulates(tape_grads):
    _, (g,) = tape_grads(lambda t: ops.take_along_axis(t, [[0, 0, 2], [1, 1, 1]], axis=1), np.zeros((2, 3)))
    np.testing.assert_array_equal(g.numpy(), [[2, 0, 1], [0, 3, 0]])
    with pytest.raises(IndexError):
        ops.take_along_axis(np.zeros((2, 3)), [[3], [0]], axis=1)


# ---------------------------------------------------------------------------------------------------------
# split, concatenate, stack
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, sections, axis",
    [((6, 2), 3, 0), ((2, 4), [1, 3], -1), ((2, 5), [2, 2, 4], 1), ((3, 2, 4), 2, 2), ((4,), 1, 0)],
    ids=str,
)
def test_split_matches_numpy_and_differentiates(shape, sections, axis, rng, assert_close, gradcheck):
    x = rng.normal(size=shape)
    got = ops.split(x, sections, axis=axis)
    want = np.split(x, sections, axis=axis)
    assert isinstance(got, list) and len(got) == len(want)
    for g, w in zip(got, want):
        assert_close(g, w, rtol=0, atol=0)
    gradcheck(lambda t: [p for p in ops.split(t, sections, axis=axis) if p.size], x)


def test_split_into_unequal_sections_raises():
    with pytest.raises(ValueError, match="equal sections"):
        ops.split(np.ones((5, 2)), 2)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_and_stack_match_numpy_and_differentiate(axis, rng, assert_close, gradcheck):
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    c = rng.normal(size=(2, 3))
    assert_close(ops.concatenate([a, b, c], axis=axis), np.concatenate([a, b, c], axis=axis), rtol=0, atol=0)
    assert_close(ops.stack([a, b, c], axis=axis), np.stack([a, b, c], axis=axis), rtol=0, atol=0)
    gradcheck(lambda *ts: ops.concatenate(ts, axis=axis), a, b, c)
    gradcheck(lambda *ts: ops.stack(ts, axis=axis), a, b, c)


def test_concatenate_uneven_sizes_and_errors(rng, assert_close, gradcheck):
    a, b = rng.normal(size=(2, 1)), rng.normal(size=(2, 3))
    assert_close(ops.concatenate([a, b], axis=1), np.concatenate([a, b], axis=1))
    gradcheck(lambda a, b: ops.concatenate([a, b], axis=-1), a, b)
    with pytest.raises(ValueError, match="must match on the other axes"):
        ops.concatenate([a, b], axis=0)


def test_joining_float32_with_integers_stays_float32(assert_close):
    f = ops.convert_to_tensor([1.5, 2.5])
    i = ops.convert_to_tensor([1, 2])
    assert_close(ops.concatenate([f, i]), [1.5, 2.5, 1.0, 2.0], dtype="float32")
    assert_close(ops.stack([i, f]), [[1.0, 2.0], [1.5, 2.5]], dtype="float32")
    assert ops.concatenate([i, i]).dtype == np.int32
    assert ops.concatenate([f, ops.ones(1, "float64")]).dtype == np.float64


# ---------------------------------------------------------------------------------------------------------
# tile, repeat
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reps", [2, (2, 1, 3), (3,), (1, 2), (2, 2, 1, 2), (0, 2)], ids=str)
def test_tile_matches_numpy_and_sums_gradients(reps, rng, assert_close, gradcheck, tape_grads):
    x = rng.normal(size=(2, 3))
    assert_close(ops.tile(x, reps), np.tile(x, reps), rtol=0, atol=0)
    _, (g,) = tape_grads(lambda t: ops.tile(t, reps), x)
    np.testing.assert_array_equal(g.numpy(), np.full(x.shape, float(np.prod(reps))))
    if np.prod(reps):
        gradcheck(lambda t: ops.tile(t, reps), x)


@pytest.mark.parametrize(
    "repeats, axis",
    [(2, None), (3, 0), ([2, 0, 3], 1), ([1, 0, 2], -1), (0, 1), ([0, 0], 0), ([2, 1, 0, 0, 3, 1], None)],
    ids=str,
)
def test_repeat_matches_numpy_and_sums_gradients(repeats, axis, rng, assert_close, gradcheck, tape_grads):
    x = rng.normal(size=(2, 3))
    assert_close(ops.repeat(x, repeats, axis=axis), np.repeat(x, repeats, axis=axis), rtol=0, atol=0)
    _, (g,) = tape_grads(lambda t: ops.repeat(t, repeats, axis=axis), x)
    # Each element's gradient is the number of copies made of it.
    if axis is None:
        counts = np.broadcast_to(repeats, (x.size,)).reshape(x.shape)
    else:
        along = [1] * x.ndim
        along[axis] = x.shape[axis]
        counts = np.broadcast_to(np.reshape(np.broadcast_to(repeats, (x.shape[axis],)), along), x.shape)
    np.testing.assert_array_equal(g.numpy(), counts)
    gradcheck(lambda t: ops.repeat(t, repeats, axis=axis), x)


# ---------------------------------------------------------------------------------------------------------
# pad
# ---------------------------------------------------------------------------------------------------------

PAD_WIDTHS = [((1, 2), (2, 1)), ((0, 0), (3, 0)), 1, ((4, 1), (2, 3))]


@pytest.mark.parametrize("pad_width", PAD_WIDTHS, ids=str)
@pytest.mark.parametrize("mode", ["constant", "reflect", "symmetric", "edge", "wrap"])
def test_pad_all_modes_match_numpy_and_differentiate(mode, pad_width, rng, assert_close, gradcheck):
    x = rng.normal(size=(3, 4))
    assert_close(ops.pad(x, pad_width, mode=mode), np.pad(x, pad_width, mode=mode), rtol=0, atol=0)
    gradcheck(lambda t: ops.pad(t, pad_width, mode=mode), x)


def test_pad_gradient_sums_onto_the_copied_elements(tape_grads):
    # reflect [a b c] by 2 on the left: c b | a b c  -> b and c are each read twice.
    _, (g,) = tape_grads(lambda t: ops.pad(t, ((2, 0),), mode="reflect"), np.zeros(3))
    np.testing.assert_array_equal(g.numpy(), [1, 2, 2])
    _, (g,) = tape_grads(lambda t: ops.pad(t, ((1, 3),), mode="edge"), np.zeros(3))
    np.testing.assert_array_equal(g.numpy(), [2, 1, 4])
    _, (g,) = tape_grads(lambda t: ops.pad(t, ((1, 1),), constant_values=5.0), np.zeros(3))
    np.testing.assert_array_equal(g.numpy(), [1, 1, 1])


def test_pad_constant_values(rng, assert_close, gradcheck):
    x = rng.normal(size=(2, 3))
    assert_close(ops.pad(x, ((1, 1), (0, 2)), constant_values=1.5),
                 np.pad(x, ((1, 1), (0, 2)), constant_values=1.5))
    per_axis = ((-1.0, 2.0), (3.0, 4.0))
    assert_close(ops.pad(x, ((1, 2), (2, 1)), mode="constant", constant_values=per_axis),
                 np.pad(x, ((1, 2), (2, 1)), mode="constant", constant_values=per_axis))
    gradcheck(lambda t: ops.pad(t, ((1, 2), (2, 1)), constant_values=per_axis), x)
    # A float32 input padded with a Python float stays float32.
    assert ops.pad(x.astype(np.float32), 1, constant_values=0.5).dtype == np.float32


def test_pad_rejects_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        ops.pad(np.ones(3), 1, mode="mirror")
    with pytest.raises(ValueError, match="constant_values"):
        ops.pad(np.ones(3), 1, mode="reflect", constant_values=1.0)


# ---------------------------------------------------------------------------------------------------------
# flip, roll, cumsum
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)], ids=str)
def test_flip(axis, rng, assert_close, gradcheck):
    x = rng.normal(size=(2, 3, 2))
    assert_close(ops.flip(x, axis=axis), np.flip(x, axis=axis), rtol=0, atol=0)
    gradcheck(lambda t: ops.flip(t, axis=axis), x)


@pytest.mark.parametrize("shift, axis", [(1, None), (-2, None), (2, 1), (-1, 0), ((1, -2), (0, 1)), (5, -1)], ids=str)
def test_roll(shift, axis, rng, assert_close, gradcheck):
    x = rng.normal(size=(3, 4))
    assert_close(ops.roll(x, shift, axis=axis), np.roll(x, shift, axis=axis), rtol=0, atol=0)
    gradcheck(lambda t: ops.roll(t, shift, axis=axis), x)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum(axis, rng, assert_close, gradcheck, tape_grads):
    x = rng.normal(size=(3, 4))
    assert_close(ops.cumsum(x, axis=axis), np.cumsum(x, axis=axis), rtol=1e-12)
    gradcheck(lambda t: ops.cumsum(t, axis=axis), x)
    # d/dx_i of the sum of all running sums is the number of running sums x_i takes part in.
    _, (g,) = tape_grads(lambda t: ops.cumsum(t), np.zeros(4))
    np.testing.assert_array_equal(g.numpy(), [4, 3, 2, 1])


def test_cumsum_dtypes(assert_close):
    assert_close(ops.cumsum(np.array([1, 2, 3], dtype=np.int32)), np.array([1, 3, 6], dtype=np.int32), dtype="int32")
    assert_close(ops.cumsum([1, 2, 3], dtype="float32"), [1.0, 3.0, 6.0], dtype="float32")


# ---------------------------------------------------------------------------------------------------------
# sort, argsort, top_k
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_and_argsort(axis, rng, assert_close, gradcheck):
    x = rng.normal(size=(3, 4))
    assert_close(ops.sort(x, axis=axis), np.sort(x, axis=axis), rtol=0, atol=0)
    assert_close(ops.argsort(x, axis=axis), np.argsort(x, axis=axis, kind="stable").astype(np.int32), dtype="int32")
    gradcheck(lambda t: ops.sort(t, axis=axis), x)


def test_sort_sends_gradients_back_to_the_original_positions(tape_grads):
    x = np.array([3.0, 1.0, 2.0])
    with keras.GradientTape() as tape:
        t = ops.convert_to_tensor(x)
        tape.watch(t)
        y = ops.sort(t) * np.array([1.0, 10.0, 100.0])
    np.testing.assert_array_equal(tape.gradient(y, t).numpy(), [100, 1, 10])
    # argsort is stable: equal values keep their order.
    np.testing.assert_array_equal(ops.argsort([2.0, 1.0, 2.0, 1.0]).numpy(), [1, 3, 0, 2])


def test_top_k_values_indices_and_gradients(rng, assert_close, gradcheck, tape_grads):
    x = rng.normal(size=(3, 5))
    values, indices = ops.top_k(x, 3)
    want_idx = np.argsort(-x, axis=-1, kind="stable")[:, :3]
    assert_close(indices, want_idx.astype(np.int32), dtype="int32")
    assert_close(values, np.take_along_axis(x, want_idx, axis=-1), rtol=0, atol=0)
    gradcheck(lambda t: ops.top_k(t, 3)[0], x)
    # Only the k selected positions get a gradient.
    _, (g,) = tape_grads(lambda t: ops.top_k(t, 2)[0], np.array([1.0, 4.0, 2.0, 3.0]))
    np.testing.assert_array_equal(g.numpy(), [0, 1, 0, 1])
    # Ties: the lower index comes first.
    _, idx = ops.top_k([1.0, 5.0, 5.0, 2.0, 5.0], 2)
    np.testing.assert_array_equal(idx.numpy(), [1, 2])
    with pytest.raises(ValueError, match="k"):
        ops.top_k([1.0, 2.0], 3)


# ---------------------------------------------------------------------------------------------------------
# one_hot
# ---------------------------------------------------------------------------------------------------------


def test_one_hot(assert_close):
    assert_close(ops.one_hot([0, 2, 1], 3), np.eye(3)[[0, 2, 1]], dtype="float32")
    # Labels outside [0, num_classes) give all-zero rows.
    assert_close(ops.one_hot([3, -1, 1], 3), [[0, 0, 0], [0, 0, 0], [0, 1, 0]])
    # axis puts the class axis elsewhere.
    assert_close(ops.one_hot([0, 2], 3, axis=0), [[1, 0], [0, 0], [0, 1]])
    labels = np.array([[0, 1], [2, 2]])
    assert_close(ops.one_hot(labels, 3, axis=1), np.moveaxis(np.eye(3)[labels], -1, 1))
    assert_close(ops.one_hot(labels, 3, axis=-1), np.eye(3)[labels])
    assert_close(ops.one_hot(ops.convert_to_tensor([1]), 2, dtype="int32"), np.array([[0, 1]], dtype=np.int32),
                 dtype="int32")


# ---------------------------------------------------------------------------------------------------------
# reshape, transpose, squeeze, expand_dims, broadcast_to, moveaxis, swapaxes
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("newshape", [(3, 4), (-1,), (2, -1, 3), (4, None), 12, (1, 12, 1)], ids=str)
def test_reshape(newshape, rng, assert_close, gradcheck):
    x = rng.normal(size=(2, 6))
    np_shape = tuple(-1 if n is None else n for n in np.atleast_1d(newshape))
    assert_close(ops.reshape(x, newshape), x.reshape(np_shape), rtol=0, atol=0)
    gradcheck(lambda t: ops.reshape(t, newshape), x)
    assert ops.convert_to_tensor(x).reshape(3, -1).shape == (3, 4)


def test_bad_reshape_says_what_went_wrong():
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor of shape \(2, 3\) \(6 elements\) to \(4, -1\)"):
        ops.reshape(np.ones((2, 3)), (4, -1))
    with pytest.raises(ValueError, match="same number of elements"):
        ops.reshape(np.ones((2, 3)), (7,))
    with pytest.raises(ValueError, match="at most one dimension may be -1"):
        ops.reshape(np.ones((2, 3)), (-1, -1))


@pytest.mark.parametrize("axes", [None, (1, 0, 2), (2, 0, 1), (-1, 0, 1)], ids=str)
def test_transpose(axes, rng, assert_close, gradcheck):
    x = rng.normal(size=(2, 3, 4))
    assert_close(ops.transpose(x, axes), np.transpose(x, axes), rtol=0, atol=0)
    gradcheck(lambda t: ops.transpose(t, axes), x)
    assert_close(ops.convert_to_tensor(x).T, x.T, rtol=0, atol=0)
    with pytest.raises(ValueError, match="permutation"):
        ops.transpose(x, (0, 0, 1))


@pytest.mark.parametrize("source, destination", [(0, -1), (-1, 0), ((0, 1), (2, 0))], ids=str)
def test_moveaxis(source, destination, rng, assert_close, gradcheck):
    x = rng.normal(size=(2, 3, 4))
    assert_close(ops.moveaxis(x, source, destination), np.moveaxis(x, source, destination), rtol=0, atol=0)
    gradcheck(lambda t: ops.moveaxis(t, source, destination), x)


@pytest.mark.parametrize("a1, a2", [(0, 1), (0, -1), (-2, 2)], ids=str)
def test_swapaxes(a1, a2, rng, assert_close, gradcheck):
    x = rng.normal(size=(2, 3, 4))
    assert_close(ops.swapaxes(x, a1, a2), np.swapaxes(x, a1, a2), rtol=0, atol=0)
    gradcheck(lambda t: ops.swapaxes(t, a1, a2), x)


def test_squeeze_and_expand_dims(rng, assert_close, gradcheck):
    x = rng.normal(size=(2, 1, 3, 1))
    assert_close(ops.squeeze(x), np.squeeze(x), rtol=0, atol=0)
    assert_close(ops.squeeze(x, axis=1), np.squeeze(x, axis=1), rtol=0, atol=0)
    assert_close(ops.squeeze(x, axis=(-1, 1)), np.squeeze(x, axis=(-1, 1)), rtol=0, atol=0)
    gradcheck(lambda t: ops.squeeze(t, axis=-1), x)
    with pytest.raises(ValueError, match="Cannot squeeze axis 0"):
        ops.squeeze(x, axis=0)
    y = rng.normal(size=(2, 3))
    for axis in (0, 1, -1, (0, 3), (-1, 1)):
        assert_close(ops.expand_dims(y, axis), np.expand_dims(y, axis), rtol=0, atol=0)
    gradcheck(lambda t: ops.expand_dims(t, (0, -1)), y)
    assert_close(ops.ravel(y), y.ravel(), rtol=0, atol=0)


@pytest.mark.parametrize("in_shape, out_shape", [((3,), (2, 3)), ((2, 1), (2, 4)), ((1, 3, 1), (2, 3, 4)), ((), (2,))],
                         ids=str)
def test_broadcast_to_sums_the_gradient_back(in_shape, out_shape, rng, assert_close, gradcheck, tape_grads):
    x = rng.normal(size=in_shape)
    assert_close(ops.broadcast_to(x, out_shape), np.broadcast_to(x, out_shape), rtol=0, atol=0)
    gradcheck(lambda t: ops.broadcast_to(t, out_shape), x)
    _, (g,) = tape_grads(lambda t: ops.broadcast_to(t, out_shape), x)
    np.testing.assert_array_equal(g.numpy(), np.full(in_shape, np.prod(out_shape) / max(1, np.prod(in_shape))))


# ---------------------------------------------------------------------------------------------------------
# float32 in, float32 out (values and gradients)
# ---------------------------------------------------------------------------------------------------------

FLOAT32_SHAPE_OPS = {
    "getitem_fancy": lambda t: t[np.array([0, 0, 2])],
    "getitem_slice": lambda t: t[::-1, 1:],
    "getitem_mask": lambda t: t[t > 0],
    "take": lambda t: ops.take(t, [[1, 1], [0, 2]], axis=1),
    "take_along_axis": lambda t: ops.take_along_axis(t, np.array([[0], [2], [1]]), axis=1),
    "split": lambda t: ops.split(t, [1], axis=1)[1],
    "concatenate": lambda t: ops.concatenate([t, t * 2], axis=0),
    "stack": lambda t: ops.stack([t, t], axis=-1),
    "tile": lambda t: ops.tile(t, (2, 1, 2)),
    "repeat": lambda t: ops.repeat(t, [1, 0, 2], axis=1),
    "pad_constant": lambda t: ops.pad(t, 1, constant_values=2.0),
    "pad_reflect": lambda t: ops.pad(t, 1, mode="reflect"),
    "pad_wrap": lambda t: ops.pad(t, 2, mode="wrap"),
    "flip": lambda t: ops.flip(t, 0),
    "roll": lambda t: ops.roll(t, 1, axis=1),
    "cumsum": lambda t: ops.cumsum(t, axis=0),
    "sort": lambda t: ops.sort(t),
    "top_k": lambda t: ops.top_k(t, 2)[0],
    "reshape": lambda t: ops.reshape(t, (-1,)),
    "transpose": lambda t: ops.transpose(t),
    "expand_squeeze": lambda t: ops.squeeze(ops.expand_dims(t, 1), 1),
    "broadcast_to": lambda t: ops.broadcast_to(t, (2, 3, 3)),
    "moveaxis": lambda t: ops.moveaxis(t, 0, 1),
}


@pytest.mark.parametrize("name", FLOAT32_SHAPE_OPS)
def test_float32_shape_ops_stay_float32(name, rng, tape_grads):
    x = rng.normal(size=(3, 3)).astype(np.float32)
    out, (g,) = tape_grads(FLOAT32_SHAPE_OPS[name], x)
    assert out.dtype == np.float32
    assert g.dtype == np.float32 and g.shape == x.shape


# ---------------------------------------------------------------------------------------------------------
# Making tensors (kerasnb.ops.core)
# ---------------------------------------------------------------------------------------------------------


def test_creation_ops_match_numpy(assert_close):
    assert_close(ops.zeros((2, 3)), np.zeros((2, 3)), dtype="float32")
    assert_close(ops.ones(3, "int32"), np.ones(3, np.int32), dtype="int32")
    assert_close(ops.full((2,), 7.0), [7.0, 7.0], dtype="float32")
    x = ops.convert_to_tensor([[1, 2]])
    assert_close(ops.zeros_like(x), np.zeros((1, 2), np.int32), dtype="int32")
    assert_close(ops.ones_like(x, dtype="float64"), np.ones((1, 2)), dtype="float64")
    assert_close(ops.full_like(x, 5), np.full((1, 2), 5, np.int32), dtype="int32")
    assert_close(ops.eye(2, 3, k=1), np.eye(2, 3, 1), dtype="float32")
    assert_close(ops.identity(3, dtype="float64"), np.eye(3), dtype="float64")
    assert_close(ops.arange(3), np.arange(3, dtype=np.int32), dtype="int32")
    assert_close(ops.arange(1, 2, 0.25), np.arange(1, 2, 0.25), dtype="float32")
    assert_close(ops.arange(5, 0, -2, dtype="float64"), [5.0, 3.0, 1.0], dtype="float64")
    assert_close(ops.linspace(0.0, 1.0, 5), np.linspace(0, 1, 5), dtype="float32")
    assert_close(ops.linspace(0.0, 1.0, 4, endpoint=False), [0, 0.25, 0.5, 0.75])
    assert ops.shape(np.ones((2, 0, 3))) == (2, 0, 3)
    assert ops.is_tensor(x) and ops.is_tensor(keras.Variable(1.0)) and not ops.is_tensor(np.ones(2))
    back = ops.convert_to_numpy(x)
    assert isinstance(back, np.ndarray) and back.dtype == np.int32 and back.tolist() == [[1, 2]]


def test_stop_gradient_is_treated_as_a_constant(tape_grads):
    _, (g,) = tape_grads(lambda t: t * ops.stop_gradient(t), np.array([2.0, -3.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, -3.0])  # d/dx (x · c) = c, not 2x
    _, (g,) = tape_grads(lambda t: ops.stop_gradient(t) * 2.0, np.array([1.0]))
    assert g is None


@pytest.mark.parametrize("limit", [None, 0], ids=["bincount", "add_at"])
@pytest.mark.parametrize("axis", [0, 1])
def test_take_gradient_accumulates_repeated_indices(axis, limit, monkeypatch, rng):
    """An Embedding's backward: gradient rows added back at their indices, repeats summed. Both CPU paths (one
    bincount over (row, column) pairs, and add.at for targets over the size limit) give the exact sums."""
    from kerasnb.ops import shaping

    if limit is not None:
        monkeypatch.setattr(shaping, "_BINCOUNT_LIMIT", limit)
    x = rng.normal(size=(7, 5, 3)).astype("float32")
    indices = np.array([[0, 3, 3], [6, 0, 3]]) if axis == 0 else np.array([[4, 4], [1, 0]])
    upstream = rng.normal(size=np.take(x, indices, axis=axis).shape).astype("float32")
    variable = keras.Variable(x)
    with keras.GradientTape() as tape:
        loss = ops.sum(ops.take(variable, indices, axis=axis) * upstream)
    want = np.zeros(x.shape)
    np.add.at(np.moveaxis(want, axis, 0), indices, np.moveaxis(upstream.astype("float64"), tuple(range(axis, axis + 2)),
                                                               (0, 1)))
    got = tape.gradient(loss, variable)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6, atol=1e-6)
