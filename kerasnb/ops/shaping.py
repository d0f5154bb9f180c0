"""Shape and indexing ops: reshape, transpose, slicing, concatenate, stack, split, tile, repeat, pad, flip,
roll, take, take_along_axis, cumsum, sort, top_k, one_hot, broadcast_to.

Most backwards are the inverse rearrangement (reshape back, transpose back, slice back). Ops that read one
input element several times (tile, repeat, take, indexing with repeated indices) *sum* the gradient back.
"""

import builtins

import numpy as np

from kerasnb import config
from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import Tensor, convert_to_tensor, standardize_dtype
from kerasnb.ops._helpers import accumulate_dtype, constant, normalize_axis, result_dtype


class Reshape(Op):
    """y = x with a new shape;  dx = dy reshaped back"""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, dy):
        return dy.reshape(self.in_shape)


def reshape(x, newshape):
    """Give ``x`` a new shape with the same number of elements; one dimension may be -1.

    Example:
        >>> kerasnb.ops.reshape(kerasnb.ops.arange(6), (2, 3)).shape
        (2, 3)
    """
    x = convert_to_tensor(x)
    if isinstance(newshape, (int, np.integer)):
        newshape = (int(newshape),)
    newshape = tuple(-1 if n is None else int(n) for n in newshape)
    if newshape == x.shape:
        return x
    _check_reshape(x.shape, newshape)
    return Reshape(newshape)(x)


def _check_reshape(shape, newshape):
    size = int(np.prod(shape))
    known = int(np.prod([n for n in newshape if n != -1]))
    unknown = newshape.count(-1)
    if unknown > 1 or (unknown == 0 and known != size) or (unknown == 1 and (known == 0 or size % known)):
        raise ValueError(
            f"Cannot reshape a tensor of shape {tuple(shape)} ({size} elements) to {newshape}. "
            "The new shape must have the same number of elements (at most one dimension may be -1)."
        )


class Transpose(Op):
    """y = x with axes permuted;  dx = dy with the inverse permutation"""

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, dy):
        return dy.transpose(np.argsort(self.axes))


def transpose(x, axes=None):
    """Permute the axes (reverse them when ``axes`` is ``None``).

    Example:
        >>> kerasnb.ops.transpose(kerasnb.ops.ones((2, 3, 4)), (2, 0, 1)).shape
        (4, 2, 3)
    """
    x = convert_to_tensor(x)
    axes = tuple(range(x.ndim))[::-1] if axes is None else tuple(int(a) % builtins.max(x.ndim, 1) for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"`axes` must be a permutation of 0..{x.ndim - 1}. Received: axes={axes}")
    if axes == tuple(range(x.ndim)):
        return x
    return Transpose(axes)(x)


def moveaxis(x, source, destination):
    """Move axes to new positions, keeping the order of the others.

    Example:
        >>> kerasnb.ops.moveaxis(kerasnb.ops.ones((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    x = convert_to_tensor(x)
    source = normalize_axis(source, x.ndim) if np.isscalar(source) else [int(a) % x.ndim for a in source]
    destination = (
        normalize_axis(destination, x.ndim) if np.isscalar(destination) else [int(a) % x.ndim for a in destination]
    )
    order = [a for a in range(x.ndim) if a not in source]
    for dst, src in sorted(zip(destination, source)):
        order.insert(dst, src)
    return transpose(x, order)


def swapaxes(x, axis1, axis2):
    """Swap two axes.

    Example:
        >>> kerasnb.ops.swapaxes(kerasnb.ops.ones((2, 3)), 0, 1).shape
        (3, 2)
    """
    x = convert_to_tensor(x)
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, axes)


def expand_dims(x, axis):
    """Insert a size-1 axis at ``axis`` (or several, for a tuple).

    Example:
        >>> kerasnb.ops.expand_dims(kerasnb.ops.ones((2, 3)), -1).shape
        (2, 3, 1)
    """
    x = convert_to_tensor(x)
    return reshape(x, np.expand_dims(np.empty(x.shape, dtype=bool), axis).shape)


def squeeze(x, axis=None):
    """Remove size-1 axes (all of them, or the ones in ``axis``).

    Example:
        >>> kerasnb.ops.squeeze(kerasnb.ops.ones((2, 1, 3))).shape
        (2, 3)
    """
    x = convert_to_tensor(x)
    axes = normalize_axis(axis, x.ndim) if axis is not None else tuple(i for i, n in enumerate(x.shape) if n == 1)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"Cannot squeeze axis {a}: it has size {x.shape[a]}, not 1 (shape {x.shape}).")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


def ravel(x):
    """Flatten to one dimension. Example: ``kerasnb.ops.ravel(kerasnb.ops.ones((2, 3))).shape == (6,)``."""
    return reshape(x, (-1,))


class BroadcastTo(Op):
    """y = x broadcast to a shape;  dx = dy summed over the broadcast axes (done by the Op base class)"""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return self.xp.broadcast_to(x, self.shape)

    def backward(self, dy):
        return dy


def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape``.

    Example:
        >>> kerasnb.ops.broadcast_to([1.0, 2.0], (3, 2)).shape
        (3, 2)
    """
    return BroadcastTo(tuple(shape))(convert_to_tensor(x))


# ---------------------------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------------------------


def _raw_index(index):
    """Unwrap tensors inside an index so NumPy/CuPy can use it."""
    if isinstance(index, tuple):
        return tuple(_raw_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _is_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    return builtins.any(hasattr(i, "shape") and not np.isscalar(i) for i in items)


class GetItem(Op):
    """y = x[index];  dx = zeros with dy written (or, for repeated fancy indices, added) at index"""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.in_shape, self.in_dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, dy):
        dx = self.xp.zeros(self.in_shape, dtype=dy.dtype)
        if _is_advanced(self.index):
            self.xp.add.at(dx, self.index, dy)  # indices may repeat: add, don't overwrite
        else:
            dx[self.index] = dy
        return dx


def getitem(x, index):
    """``x[index]``: basic slicing, integer/boolean array indexing, ``None`` and ``...``, differentiable.

    Example:
        >>> x = kerasnb.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> kerasnb.ops.getitem(x, (slice(None), 1))
        <Tensor shape=(2,) dtype=float32 numpy=[2. 4.]>
    """
    x = convert_to_tensor(x)
    index = _raw_index(index)
    if x.data.__class__ is not np.ndarray:  # CuPy: index arrays must live on the GPU too
        index = _to_module(index, x.data)
    return GetItem(index)(x)


def _to_module(index, like):
    from kerasnb.engine.arrays import array_module

    xp = array_module(like)
    if isinstance(index, tuple):
        return tuple(_to_module(i, like) for i in index)
    if isinstance(index, np.ndarray):
        return xp.asarray(index)
    return index


class Concatenate(Op):
    """y = [x1, x2, ...] joined along axis;  dxi = the slice of dy that came from xi"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return self.xp.concatenate(xs, axis=self.axis)

    def backward(self, dy):
        cuts = np.cumsum(self.sizes)[:-1]
        return tuple(self.xp.split(dy, cuts, axis=self.axis))


def concatenate(xs, axis=0):
    """Join tensors along an existing axis.

    Example:
        >>> kerasnb.ops.concatenate([kerasnb.ops.ones((2, 3)), kerasnb.ops.zeros((2, 1))], axis=1).shape
        (2, 4)
    """
    xs = _same_dtype([convert_to_tensor(x) for x in xs])
    axis = normalize_axis(axis, xs[0].ndim)[0]
    for i, x in enumerate(xs):
        if x.ndim != xs[0].ndim or builtins.any(
            a != b for k, (a, b) in enumerate(zip(x.shape, xs[0].shape)) if k != axis
        ):
            raise ValueError(
                f"concatenate along axis {axis}: every tensor must match on the other axes. Tensor 0 has shape "
                f"{xs[0].shape}, tensor {i} has shape {x.shape}."
            )
    return Concatenate(axis)(*xs)


def _same_dtype(ts):
    dtype = result_dtype(*[t.dtype for t in ts])
    from kerasnb.ops.math import cast

    return [cast(t, dtype) for t in ts]


def stack(xs, axis=0):
    """Join tensors of the same shape along a new axis.

    Example:
        >>> kerasnb.ops.stack([kerasnb.ops.ones(3), kerasnb.ops.zeros(3)]).shape
        (2, 3)
    """
    xs = [convert_to_tensor(x) for x in xs]
    axis = axis % (xs[0].ndim + 1)
    return concatenate([expand_dims(x, axis) for x in xs], axis=axis)


def split(x, indices_or_sections, axis=0):
    """Split into equal sections (an int) or at the given indices (a list); returns a list of tensors.

    Example:
        >>> [t.shape for t in kerasnb.ops.split(kerasnb.ops.ones((6, 2)), 3)]
        [(2, 2), (2, 2), (2, 2)]
    """
    x = convert_to_tensor(x)
    axis = normalize_axis(axis, x.ndim)[0]
    n = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of length {n} does not divide into {indices_or_sections} equal sections."
            )
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    head = (slice(None),) * axis
    return [getitem(x, head + (slice(a, b),)) for a, b in zip(bounds[:-1], bounds[1:])]


class Tile(Op):
    """y = x repeated reps times along each axis;  dx = dy summed over the copies"""

    def __init__(self, reps):
        self.reps = reps

    def forward(self, x):
        self.in_shape = x.shape
        return self.xp.tile(x, self.reps)

    def backward(self, dy):
        # View dy as (r0, n0, r1, n1, ...) and sum the r axes.
        pairs = [d for r, n in zip(self.reps, self.in_shape) for d in (r, n)]
        return dy.reshape(pairs).sum(axis=tuple(range(0, len(pairs), 2)))


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times along each axis.

    Example:
        >>> kerasnb.ops.tile([1.0, 2.0], 2)
        <Tensor shape=(4,) dtype=float32 numpy=[1. 2. 1. 2.]>
    """
    x = convert_to_tensor(x)
    reps = (int(repeats),) if isinstance(repeats, (int, np.integer)) else tuple(int(r) for r in repeats)
    ndim = builtins.max(x.ndim, len(reps))
    x = reshape(x, (1,) * (ndim - x.ndim) + x.shape)
    reps = (1,) * (ndim - len(reps)) + reps
    return Tile(reps)(x)


class Repeat(Op):
    """y = each element along axis repeated;  dx = dy summed over each element's run of copies"""

    def __init__(self, repeats, axis):
        self.repeats, self.axis = repeats, axis

    def forward(self, x):
        return self.xp.repeat(x, self.repeats, axis=self.axis)

    def backward(self, dy):
        xp = self.xp
        # Sum each run with a cumulative sum: run i covers [ends[i] - repeats[i], ends[i]).
        zero = xp.zeros_like(xp.take(dy, [0], axis=self.axis)) if dy.shape[self.axis] else None
        if zero is None:
            shape = list(dy.shape)
            shape[self.axis] = len(self.repeats)
            return xp.zeros(shape, dy.dtype)
        csum = xp.concatenate([zero, xp.cumsum(dy, axis=self.axis)], axis=self.axis)
        ends = xp.asarray(np.cumsum(self.repeats))
        starts = ends - xp.asarray(self.repeats)
        return xp.take(csum, ends, axis=self.axis) - xp.take(csum, starts, axis=self.axis)


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times (an int, or one count per element) along ``axis``
    (the flattened tensor when ``None``).

    Example:
        >>> kerasnb.ops.repeat([1.0, 2.0], 2)
        <Tensor shape=(4,) dtype=float32 numpy=[1. 1. 2. 2.]>
    """
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    axis = normalize_axis(axis, x.ndim)[0]
    # np.intp, the index type np.repeat takes: int64 on 64-bit platforms, int32 in WebAssembly (Pyodide).
    counts = np.asarray(repeats.numpy() if isinstance(repeats, Tensor) else repeats, dtype=np.intp)
    counts = np.broadcast_to(counts, (x.shape[axis],)).copy()
    return Repeat(counts, axis)(x)


class Pad(Op):
    """y = x padded;  dx = the interior slice of dy (constant mode), or dy summed onto the elements each
    padded value was copied from (reflect, symmetric, edge, wrap)"""

    def __init__(self, pad_width, mode, constant_values):
        self.pad_width, self.mode, self.constant_values = pad_width, mode, constant_values

    def forward(self, x):
        self.in_shape = x.shape
        if self.mode == "constant":
            return self.xp.pad(x, self.pad_width, mode="constant", constant_values=self.constant_values)
        return self.xp.pad(x, self.pad_width, mode=self.mode)

    def backward(self, dy):
        xp = self.xp
        if self.mode == "constant":
            inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(self.pad_width, self.in_shape))
            return dy[inner]
        # Pad an array of element numbers the same way: it says where each output value came from.
        size = int(np.prod(self.in_shape))
        source = np.pad(np.arange(size).reshape(self.in_shape), self.pad_width, mode=self.mode)
        dx = xp.bincount(xp.asarray(source.ravel()), weights=dy.ravel(), minlength=size)
        return dx.reshape(self.in_shape).astype(dy.dtype)


_PAD_MODES = ("constant", "reflect", "symmetric", "edge", "wrap")


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad ``x``; ``pad_width`` is ``((before, after), ...)`` per axis (or one pair / one int for all).

    Modes: ``'constant'`` (with ``constant_values``, default 0), ``'reflect'``, ``'symmetric'``, ``'edge'``,
    ``'wrap'``.

    Example:
        >>> kerasnb.ops.pad([1.0, 2.0], ((1, 2),))
        <Tensor shape=(5,) dtype=float32 numpy=[0. 1. 2. 0. 0.]>
    """
    x = convert_to_tensor(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"`mode` must be one of {_PAD_MODES}. Received: mode={mode!r}")
    if mode != "constant" and constant_values is not None:
        raise ValueError(f"`constant_values` is only used with mode='constant'. Received: mode={mode!r}")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    widths = tuple((int(a), int(b)) for a, b in widths)
    return Pad(widths, mode, 0 if constant_values is None else constant_values)(x)


class Flip(Op):
    """y = x reversed along axes;  dx = dy reversed along the same axes"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return self.xp.flip(x, axis=self.axis)

    def backward(self, dy):
        return self.xp.flip(dy, axis=self.axis)


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when ``None``).

    Example:
        >>> kerasnb.ops.flip([1.0, 2.0, 3.0])
        <Tensor shape=(3,) dtype=float32 numpy=[3. 2. 1.]>
    """
    x = convert_to_tensor(x)
    return Flip(normalize_axis(axis, x.ndim))(x)


class Roll(Op):
    """y = x shifted cyclically;  dx = dy shifted back"""

    def __init__(self, shift, axis):
        self.shift, self.axis = shift, axis

    def forward(self, x):
        return self.xp.roll(x, self.shift, axis=self.axis)

    def backward(self, dy):
        back = -self.shift if np.isscalar(self.shift) else tuple(-s for s in self.shift)
        return self.xp.roll(dy, back, axis=self.axis)


def roll(x, shift, axis=None):
    """Shift elements cyclically by ``shift`` along ``axis`` (of the flattened tensor when ``None``).

    Example:
        >>> kerasnb.ops.roll([1.0, 2.0, 3.0], 1)
        <Tensor shape=(3,) dtype=float32 numpy=[3. 1. 2.]>
    """
    shift = int(shift) if np.isscalar(shift) else tuple(int(s) for s in shift)
    axis = axis if axis is None or np.isscalar(axis) else tuple(axis)
    return Roll(shift, axis)(convert_to_tensor(x))


class Take(Op):
    """y = x[..., indices, ...] along axis;  dx = dy added back at indices (repeats accumulate)"""

    def __init__(self, indices, axis):
        self.indices, self.axis = indices, axis

    def forward(self, x):
        self.in_shape = x.shape
        return self.xp.take(x, self.indices, axis=self.axis)

    def backward(self, dy):
        xp, axis = self.xp, self.axis
        dx = xp.zeros(self.in_shape, dtype=dy.dtype)
        moved = xp.moveaxis(dx, axis, 0)  # a view: writing into it writes into dx
        n = self.indices.ndim
        dy_moved = xp.moveaxis(dy, tuple(range(axis, axis + n)), tuple(range(n)))
        _add_at_rows(xp, moved, self.indices, dy_moved)
        return dx


# Up to this many elements in the gradient, a CPU scatter-add goes through one np.bincount (see _add_at_rows).
_BINCOUNT_LIMIT = 1 << 24


def _add_at_rows(xp, target, indices, values):
    """``target[indices[j]] += values[j]`` for every j, repeated rows accumulating: ``add.at``.

    On the CPU ``np.add.at`` is slow (several ms for an Embedding(10000, 16) batch of 64 x 200 tokens), so where
    the target is not huge the same sums come from one ``np.bincount`` over (row, column) pairs — summed in
    float64, then cast back. An Embedding's backward is exactly this scatter."""
    if xp is not np or values.dtype.kind != "f" or target.size > _BINCOUNT_LIMIT or target.ndim == 0:
        xp.add.at(target, indices, values)
        return
    width = int(np.prod(target.shape[1:], dtype=np.int64))
    flat = (np.asarray(indices, dtype=np.intp).reshape(-1, 1) * width + np.arange(width)).reshape(-1)
    sums = np.bincount(flat, weights=values.reshape(-1), minlength=target.size)
    target += sums.reshape(target.shape).astype(target.dtype, copy=False)


def take(x, indices, axis=None):
    """Gather elements at ``indices`` along ``axis`` (of the flattened tensor when ``None``). Negative
    indices count from the end.

    Example:
        >>> kerasnb.ops.take([10.0, 20.0, 30.0], [2, 0, 2])
        <Tensor shape=(3,) dtype=float32 numpy=[30. 10. 30.]>
    """
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    axis = normalize_axis(axis, x.ndim)[0]
    idx = convert_to_tensor(indices).data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"take: `indices` must be integers. Received dtype {idx.dtype}.")
    n = x.shape[axis]
    _check_indices("take", idx, n, axis)
    idx = idx % n if n else idx  # NumPy's take rejects negative indices in add.at paths; normalise once
    # np.intp, the index type np.take casts to "safely": int64 indices are refused where intp is int32 (Pyodide).
    return Take(idx.astype(np.intp, copy=False), axis)(x)


def _check_indices(name, idx, n, axis):
    """Raise ``IndexError`` for indices outside ``[-n, n)`` (wrapping them with ``% n`` would hide the bug)."""
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(
            f"{name}: indices must be in [-{n}, {n}) for axis {axis} of size {n}. "
            f"Received indices from {int(idx.min())} to {int(idx.max())}."
        )


class TakeAlongAxis(Op):
    """y[..., i, ...] = x[..., indices[..., i, ...], ...];  dx = dy added back at those positions"""

    def __init__(self, indices, axis):
        self.indices, self.axis = indices, axis

    def forward(self, x):
        self.in_shape = x.shape
        return self.xp.take_along_axis(x, self.indices, axis=self.axis)

    def backward(self, dy):
        xp = self.xp
        dx = xp.zeros(self.in_shape, dtype=dy.dtype)
        grid = list(xp.ix_(*[xp.arange(n) for n in self.indices.shape]))
        grid[self.axis] = self.indices
        xp.add.at(dx, tuple(grid), dy)
        return dx


def take_along_axis(x, indices, axis=None):
    """Pick values along ``axis`` with an index array of the same rank (as NumPy's ``take_along_axis``).

    Example:
        >>> kerasnb.ops.take_along_axis([[10.0, 20.0], [30.0, 40.0]], [[1], [0]], axis=1)
        <Tensor shape=(2, 1) dtype=float32 numpy=
        [[20.]
         [30.]]>
    """
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    axis = normalize_axis(axis, x.ndim)[0]
    idx = convert_to_tensor(indices).data
    _check_indices("take_along_axis", idx, x.shape[axis], axis)
    idx = idx % x.shape[axis] if x.shape[axis] else idx
    shape = list(np.broadcast_shapes(tuple(n for i, n in enumerate(x.shape) if i != axis),
                                     tuple(n for i, n in enumerate(idx.shape) if i != axis)))
    idx_shape, x_shape = list(shape), list(shape)
    idx_shape.insert(axis, idx.shape[axis])
    x_shape.insert(axis, x.shape[axis])
    if tuple(x_shape) != x.shape:
        x = broadcast_to(x, x_shape)
    xp_idx = idx if tuple(idx.shape) == tuple(idx_shape) else _xp(idx).broadcast_to(idx, idx_shape)
    return TakeAlongAxis(xp_idx, axis)(x)


def _xp(a):
    from kerasnb.engine.arrays import array_module

    return array_module(a)


class Cumsum(Op):
    """y = running sum along axis;  dx = reversed running sum of dy"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return self.xp.cumsum(x, axis=self.axis, dtype=accumulate_dtype(x.dtype))

    def backward(self, dy):
        xp = self.xp
        return xp.flip(xp.cumsum(xp.flip(dy, self.axis), axis=self.axis), self.axis)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened tensor when ``None``).

    Example:
        >>> kerasnb.ops.cumsum([1.0, 2.0, 3.0])
        <Tensor shape=(3,) dtype=float32 numpy=[1. 3. 6.]>
    """
    from kerasnb.ops.math import cast

    x = convert_to_tensor(x) if dtype is None else cast(x, dtype)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    return Cumsum(normalize_axis(axis, x.ndim)[0])(x)


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (stable), as int32.

    Example:
        >>> kerasnb.ops.argsort([3.0, 1.0, 2.0])
        <Tensor shape=(3,) dtype=int32 numpy=[1 2 0]>
    """
    data = convert_to_tensor(x).data
    if axis is None:
        data, axis = data.reshape(-1), 0
    return constant(_xp(data).argsort(data, axis=axis, kind="stable").astype("int32"))


def sort(x, axis=-1):
    """Sort along ``axis``; the gradient flows back to each value's original position.

    Example:
        >>> kerasnb.ops.sort([3.0, 1.0, 2.0])
        <Tensor shape=(3,) dtype=float32 numpy=[1. 2. 3.]>
    """
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    return take_along_axis(x, argsort(x, axis=axis), axis=axis)


def top_k(x, k, sorted=True):
    """The ``k`` largest values along the last axis and their indices (largest first).

    Returns:
        ``(values, indices)``; ``values`` is differentiable.

    Example:
        >>> values, indices = kerasnb.ops.top_k([1.0, 4.0, 2.0, 3.0], 2)
        >>> values, indices
        (<Tensor shape=(2,) dtype=float32 numpy=[4. 3.]>, <Tensor shape=(2,) dtype=int32 numpy=[1 3]>)
    """
    x = convert_to_tensor(x)
    k = int(k)
    if not 0 <= k <= x.shape[-1]:
        raise ValueError(f"top_k: `k` must be between 0 and {x.shape[-1]} (the last axis). Received: k={k}")
    # Sort descending, ties keeping the lower index first (as TensorFlow does), then keep k.
    order = _xp(x.data).argsort(-x.data, axis=-1, kind="stable")[..., :k].astype("int32")
    return take_along_axis(x, order, axis=-1), constant(order)


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encode integer labels: a new axis of length ``num_classes`` with a 1 at each label.

    Labels outside ``[0, num_classes)`` give all-zero rows, as in Keras.

    Example:
        >>> kerasnb.ops.one_hot([0, 2], 3)
        <Tensor shape=(2, 3) dtype=float32 numpy=
        [[1. 0. 0.]
         [0. 0. 1.]]>
    """
    labels = convert_to_tensor(x).data
    xp = _xp(labels)
    dtype = standardize_dtype(dtype or config.floatx())
    classes = xp.arange(int(num_classes)).reshape((1,) * labels.ndim + (-1,))
    out = (labels[..., None] == classes).astype(dtype)
    if axis != -1 and axis != labels.ndim:
        out = xp.moveaxis(out, -1, axis)
    return constant(out)
