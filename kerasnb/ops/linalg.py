"""Products: matmul, dot, tensordot, einsum.

``matmul`` is the workhorse (dense layers, attention); its backward is two more matmuls. ``tensordot`` and
``dot`` are built from transpose, reshape and matmul, so they need no backward of their own. ``einsum``
differentiates by writing each operand's gradient as another einsum.
"""

import string

import numpy as np

from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import convert_to_tensor
from kerasnb.ops._helpers import operands, result_dtype
from kerasnb.ops.math import multiply
from kerasnb.ops.reduce import sum as _sum
from kerasnb.ops.shaping import reshape, transpose


class MatMul(Op):
    """y = a @ b (batched over leading axes);  da = dy @ bᵀ, db = aᵀ @ dy"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return self.xp.matmul(a, b)

    def backward(self, dy):
        xp, a, b = self.xp, self.a, self.b
        # Vectors act as a row (a) or a column (b) matrix; put the axis matmul removed back into dy. (b first:
        # for vector @ vector dy is a scalar, and the column axis must exist before the row axis goes in.)
        if b.ndim == 1:
            b, dy = b[:, None], xp.expand_dims(dy, -1)
        if a.ndim == 1:
            a, dy = a[None, :], xp.expand_dims(dy, -2)
        da = xp.matmul(dy, xp.swapaxes(b, -1, -2)) if self.needs_input_grad[0] else None
        db = xp.matmul(xp.swapaxes(a, -1, -2), dy) if self.needs_input_grad[1] else None
        if da is not None and self.a.ndim == 1:
            da = da.reshape(da.shape[:-2] + (-1,))
            da = da.sum(axis=tuple(range(da.ndim - 1))) if da.ndim > 1 else da
        if db is not None and self.b.ndim == 1:
            db = db.reshape(db.shape[:-2] + (-1,))
            db = db.sum(axis=tuple(range(db.ndim - 1))) if db.ndim > 1 else db
        return da, db


def matmul(x1, x2):
    """Matrix product with NumPy's rules: batched over leading axes, 1-D operands as vectors.

    Example:
        >>> kerasnb.ops.matmul(kerasnb.ops.ones((4, 2, 3)), kerasnb.ops.ones((3, 5))).shape
        (4, 2, 5)
    """
    a, b = operands(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul does not take scalars; use multiply. Received shapes {a.shape} and {b.shape}.")
    ka = a.shape[-1]
    kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if ka != kb:
        raise ValueError(
            f"matmul: the inner dimensions must match: {a.shape} @ {b.shape} has {ka} != {kb}."
        )
    return MatMul()(a, b)


def tensordot(x1, x2, axes=2):
    """Sum products over the given axes (as NumPy's ``tensordot``): ``axes`` is an int N (the last N axes of
    ``x1`` with the first N of ``x2``) or a pair of axis lists.

    Example:
        >>> kerasnb.ops.tensordot(kerasnb.ops.ones((2, 3, 4)), kerasnb.ops.ones((3, 4, 5)), axes=2).shape
        (2, 5)
    """
    a, b = operands(x1, x2)
    if isinstance(axes, (int, np.integer)):
        axes_a = list(range(a.ndim - axes, a.ndim))
        axes_b = list(range(axes))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, (int, np.integer)) else list(axes_b)
    axes_a = [ax % a.ndim for ax in axes_a]
    axes_b = [ax % b.ndim for ax in axes_b]
    for i, j in zip(axes_a, axes_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError(
                f"tensordot: axis {i} of x1 (size {a.shape[i]}) does not match axis {j} of x2 (size {b.shape[j]})."
            )
    free_a = [i for i in range(a.ndim) if i not in axes_a]
    free_b = [j for j in range(b.ndim) if j not in axes_b]
    k = int(np.prod([a.shape[i] for i in axes_a]))
    a2 = reshape(transpose(a, free_a + axes_a), (-1, k))
    b2 = reshape(transpose(b, axes_b + free_b), (k, -1))
    return reshape(matmul(a2, b2), [a.shape[i] for i in free_a] + [b.shape[j] for j in free_b])


def dot(x1, x2):
    """NumPy's ``dot``: scalars multiply, 1-D·1-D is the inner product, N-D·1-D sums over the last axis,
    N-D·M-D sums the last axis of ``x1`` with the second-to-last of ``x2``.

    Example:
        >>> kerasnb.ops.dot([1.0, 2.0], [3.0, 4.0])
        <Tensor shape=() dtype=float32 numpy=11.0>
    """
    a, b = operands(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    if b.ndim == 1:
        return tensordot(a, b, axes=([a.ndim - 1], [0]))
    return tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 2]))


class Einsum(Op):
    """y = einsum(spec, *xs);  dxi = einsum(dy with the other operands -> xi's subscripts)

    Subscripts that appear only in xi were summed away: the gradient is broadcast back along them. A
    subscript repeated inside xi (a diagonal) is handled by multiplying with an identity matrix.
    """

    def __init__(self, inputs, output):
        self.in_subs, self.out_sub = inputs, output

    def forward(self, *xs):
        self.xs = xs
        return self.xp.einsum(",".join(self.in_subs) + "->" + self.out_sub, *xs, optimize=True)

    def backward(self, dy):
        return tuple(
            self._grad(i, dy) if self.needs_input_grad[i] else None for i in range(len(self.xs))
        )

    def _grad(self, i, dy):
        xp = self.xp
        sub = self.in_subs[i]
        operand_subs = [self.out_sub] + [s for j, s in enumerate(self.in_subs) if j != i]
        operand_arrays = [dy] + [x for j, x in enumerate(self.xs) if j != i]
        # Rename repeated letters of this operand, tying each copy to the first with an identity matrix.
        spare = iter(c for c in string.ascii_letters if c not in "".join(self.in_subs) + self.out_sub)
        target = ""
        for pos, c in enumerate(sub):
            if c in target:
                fresh = next(spare)
                operand_subs.append(c + fresh)
                operand_arrays.append(xp.eye(self.xs[i].shape[pos], dtype=dy.dtype))
                target += fresh
            else:
                target += c
        known = set("".join(operand_subs))
        reduced = "".join(c for c in target if c in known)
        g = xp.einsum(",".join(operand_subs) + "->" + reduced, *operand_arrays, optimize=True)
        # Letters found nowhere else were summed out in forward: broadcast the gradient along them. (Axes
        # that broadcasting stretched are summed back by the Op base class.)
        shape = self.xs[i].shape
        if len(reduced) < len(target):
            g = g.reshape([n if c in known else 1 for c, n in zip(target, shape)])
        return xp.broadcast_to(g, np.broadcast_shapes(g.shape, shape))


def einsum(subscripts, *operands_):
    """Einstein summation, as NumPy's ``einsum`` (``...`` and implicit output supported).

    Example:
        >>> kerasnb.ops.einsum("ij,jk->ik", kerasnb.ops.ones((2, 3)), kerasnb.ops.ones((3, 4))).shape
        (2, 4)
    """
    xs = [convert_to_tensor(x) for x in operands_]
    if len({x.dtype for x in xs}) > 1:
        dtype = result_dtype(*[x.dtype for x in xs])
        from kerasnb.ops.math import cast

        xs = [cast(x, dtype) for x in xs]
    spec = subscripts.replace(" ", "")
    named = len(spec.split("->")[0].split(","))
    if named != len(xs):  # checked before parsing, which pairs subscripts with operands
        raise ValueError(f"einsum: {subscripts!r} names {named} operands but {len(xs)} were given.")
    inputs, output = _parse_einsum(spec, [x.ndim for x in xs])
    return Einsum(inputs, output)(*xs)


def _parse_einsum(spec, ndims):
    """Turn ``spec`` into explicit per-operand letter strings and an output string, expanding ``...``."""
    if "->" in spec:
        lhs, out = spec.split("->")
    else:
        lhs, out = spec, None
    ins = lhs.split(",")
    used = set(c for c in spec if c.isalpha())
    spare = [c for c in string.ascii_letters if c not in used]
    ell_len = 0
    for s, nd in zip(ins, ndims):
        if "..." in s:
            ell_len = max(ell_len, nd - (len(s) - 3))
    ell = "".join(spare[:ell_len])
    expanded = []
    for s, nd in zip(ins, ndims):
        if "..." in s:
            n = nd - (len(s) - 3)
            s = s.replace("...", ell[ell_len - n:] if n else "")
        if len(s) != nd:
            raise ValueError(f"einsum: operand subscripts {s!r} do not match an operand of rank {nd}.")
        expanded.append(s)
    if out is None:
        letters = "".join(expanded)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return expanded, out


def outer(x1, x2):
    """Outer product of two vectors (flattened first).

    Example:
        >>> kerasnb.ops.outer([1.0, 2.0], [1.0, 10.0, 100.0]).shape
        (2, 3)
    """
    a, b = operands(x1, x2)
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def vdot(x1, x2):
    """Inner product of the flattened inputs. Example: ``kerasnb.ops.vdot([1.0, 2.0], [3.0, 4.0])`` is 11."""
    a, b = operands(x1, x2)
    return _sum(multiply(reshape(a, (-1,)), reshape(b, (-1,))))
