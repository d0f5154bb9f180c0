"""Products (kerasnb.ops.linalg): matmul with vectors and broadcast batches, tensordot, dot, einsum, outer, vdot —
against NumPy and finite differences."""

import numpy as np
import pytest

from kerasnb import ops

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")

MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 4, 3), (3,)),
    ((2, 3), (3, 4)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((3, 4), (2, 4, 5)),
    ((1, 3), (3, 1)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_numpy_and_differentiates(shapes, rng, assert_close, gradcheck):
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    assert_close(ops.matmul(a, b), np.matmul(a, b), rtol=1e-12, atol=1e-12, dtype="float64")
    assert_close(ops.convert_to_tensor(a) @ b, a @ b, rtol=1e-12, atol=1e-12)
    assert_close(a @ ops.convert_to_tensor(b), a @ b, rtol=1e-12, atol=1e-12)
    gradcheck(ops.matmul, a, b)


def test_matmul_vector_gradients_are_explicit(tape_grads):
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    out, (ga, gb) = tape_grads(ops.matmul, a, b)
    assert out.shape == () and float(out) == 32.0
    np.testing.assert_array_equal(ga.numpy(), b)
    np.testing.assert_array_equal(gb.numpy(), a)


def test_matmul_errors_and_dtypes(assert_close):
    with pytest.raises(ValueError, match="scalars"):
        ops.matmul(2.0, np.ones(3))
    with pytest.raises(ValueError, match=r"3 != 4"):
        ops.matmul(np.ones((2, 3)), np.ones((4, 2)))
    # An integer operand meets a float32 one as float32.
    assert_close(ops.matmul(np.array([[1, 2]], dtype=np.int32), ops.ones((2, 1))), [[3.0]], dtype="float32")


@pytest.mark.parametrize(
    "a_shape, b_shape, axes",
    [
        ((2, 3, 4), (3, 4, 5), 2),
        ((2, 3), (3, 4), 1),
        ((2,), (3,), 0),
        ((3, 2, 4), (4, 5, 3), ([0, 2], [2, 0])),
        ((2, 3), (3, 2), ([1, 0], [0, 1])),
        ((2, 3, 4), (4, 2), ([-1], [0])),
        ((3, 2), (2, 3), (1, 0)),
    ],
    ids=str,
)
def test_tensordot_matches_numpy_and_differentiates(a_shape, b_shape, axes, rng, assert_close, gradcheck):
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    assert_close(ops.tensordot(a, b, axes=axes), np.tensordot(a, b, axes=axes), rtol=1e-12, atol=1e-12)
    gradcheck(lambda x, y: ops.tensordot(x, y, axes=axes), a, b)


def test_tensordot_size_mismatch_raises():
    with pytest.raises(ValueError, match="does not match"):
        ops.tensordot(np.ones((2, 3)), np.ones((4, 2)), axes=([1], [0]))


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
     ((2, 3, 4), (5, 4, 2)), ((2, 3), (4, 3, 1))],
    ids=str,
)
def test_dot_matches_numpy_and_differentiates(a_shape, b_shape, rng, assert_close, gradcheck):
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    assert_close(ops.dot(a, b), np.dot(a, b), rtol=1e-12, atol=1e-12)
    gradcheck(ops.dot, a, b)


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ii->", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 3, 2), (2, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 2), (4, 2, 3)]),
    ("...ij,...jk", [(2, 3, 2), (2, 2, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,i", [(4,), (4,)]),
    ("ij->", [(3, 2)]),
    ("ij,j->", [(3, 2), (2,)]),
    ("ij,jk->i", [(2, 3), (3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]),
]


@pytest.mark.parametrize("spec, shapes", EINSUM_CASES, ids=[f"{s}|{shp}" for s, shp in EINSUM_CASES])
def test_einsum_matches_numpy_and_differentiates(spec, shapes, rng, assert_close, gradcheck):
    xs = [rng.normal(size=s) for s in shapes]
    assert_close(ops.einsum(spec, *xs), np.einsum(spec.replace(" ", ""), *xs), rtol=1e-12, atol=1e-12)
    gradcheck(lambda *ts: ops.einsum(spec, *ts), *xs)


def test_einsum_diagonal_gradients_are_explicit(tape_grads):
    _, (g,) = tape_grads(lambda t: ops.einsum("ii->", t), np.zeros((3, 3)))
    np.testing.assert_array_equal(g.numpy(), np.eye(3))
    _, (g,) = tape_grads(lambda t: ops.einsum("ij->", t), np.zeros((2, 3)))
    np.testing.assert_array_equal(g.numpy(), np.ones((2, 3)))


def test_einsum_errors_and_dtypes(assert_close):
    with pytest.raises(ValueError, match="2 operands but 1"):
        ops.einsum("ij,jk->ik", np.ones((2, 2)))
    with pytest.raises(ValueError, match="1 operands but 2"):
        ops.einsum("ij->i", np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="rank"):
        ops.einsum("ij->i", np.ones(3))
    # float32 with an integer operand stays float32.
    assert_close(ops.einsum("i,i->", ops.ones(2), np.array([1, 2], dtype=np.int32)), 3.0, dtype="float32")


def test_outer_and_vdot(rng, assert_close, gradcheck):
    a, b = rng.normal(size=(2, 2)), rng.normal(size=(3,))
    assert_close(ops.outer(a, b), np.outer(a, b), rtol=1e-12)
    gradcheck(ops.outer, a, b)
    c = rng.normal(size=(4,))
    assert_close(ops.vdot(a, c), np.vdot(a, c), rtol=1e-12)
    gradcheck(ops.vdot, a, c)


FLOAT32_LINALG = {
    "matmul": (ops.matmul, [(2, 3), (3, 4)]),
    "matmul_vectors": (ops.matmul, [(3,), (3,)]),
    "matmul_batched": (ops.matmul, [(2, 1, 3, 4), (5, 4, 2)]),
    "tensordot": (lambda a, b: ops.tensordot(a, b, axes=([0], [1])), [(3, 2), (4, 3)]),
    "dot": (ops.dot, [(2, 3), (3,)]),
    "einsum": (lambda a, b: ops.einsum("...ij,jk->...ik", a, b), [(2, 2, 3), (3, 2)]),
    "einsum_trace": (lambda a: ops.einsum("ii->", a), [(3, 3)]),
    "outer": (ops.outer, [(2,), (3,)]),
    "vdot": (ops.vdot, [(4,), (4,)]),
}


@pytest.mark.parametrize("name", FLOAT32_LINALG)
def test_float32_products_stay_float32(name, rng, tape_grads):
    fn, shapes = FLOAT32_LINALG[name]
    xs = [rng.normal(size=s).astype(np.float32) for s in shapes]
    out, grads = tape_grads(fn, *xs)
    assert out.dtype == np.float32
    for x, g in zip(xs, grads):
        assert g.dtype == np.float32 and g.shape == x.shape
