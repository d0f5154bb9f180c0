"""Small helpers the op modules share: operand conversion, axis normalisation, unrecorded results."""

import numpy as np

from kerasnb import config
from kerasnb.engine.tensor import Tensor, convert_to_tensor


def _scalar_kind(x):
    if isinstance(x, bool):
        return "b"
    if isinstance(x, int):
        return "i"
    if isinstance(x, float):
        return "f"
    return None


def operands(a, b):
    """Convert two operands, Keras style: Python scalars take the other operand's dtype ("weak" types), and an
    integer mixed with a float becomes that float, so ``float32_tensor * 2`` and ``int_tensor * 0.5`` never
    silently become float64."""
    ka, kb = _scalar_kind(a), _scalar_kind(b)
    if ka and not kb:
        b = convert_to_tensor(b)
        a = convert_to_tensor(a, _weak_dtype(ka, b.dtype))
    elif kb and not ka:
        a = convert_to_tensor(a)
        b = convert_to_tensor(b, _weak_dtype(kb, a.dtype))
    else:
        a, b = convert_to_tensor(a), convert_to_tensor(b)
    if a.dtype.kind == "f" and b.dtype.kind in "iub":
        b = cast_data(b, a.dtype)
    elif b.dtype.kind == "f" and a.dtype.kind in "iub":
        a = cast_data(a, b.dtype)
    return a, b


def _weak_dtype(kind, dtype):
    if dtype.kind == "f" or (kind in "ib" and dtype.kind in "iu") or (kind == "b" and dtype.kind == "b"):
        return dtype
    return config.floatx() if kind == "f" else ("int32" if kind == "i" else "bool")


def result_dtype(*dtypes):
    """The dtype several tensors are joined in, Keras style: a float wins over integers and bools without
    widening, so float32 with int32 stays float32 (NumPy's ``result_type`` would give float64)."""
    floats = [d for d in dtypes if np.dtype(d).kind == "f"]
    return np.result_type(*floats) if floats else np.result_type(*dtypes)


def accumulate_dtype(dtype):
    """The dtype sums and products accumulate in, Keras style: int32 stays int32 (NumPy would widen it to int64),
    bools and narrower integers accumulate in int32, and ``None`` (keep the dtype) for floats."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return None
    return dtype if dtype.kind in "iu" and dtype.itemsize >= 4 else np.dtype("int32")


def cast_data(t, dtype):
    """An unrecorded cast, for integer or bool operands, which never carry gradients."""
    return Tensor(t.data.astype(dtype))


def float_tensor(x):
    """``x`` as a tensor, floating point: integers and bools become ``floatx()`` (unrecorded: they carry no
    gradient), floats keep their dtype."""
    x = convert_to_tensor(x)
    return x if x.dtype.kind == "f" else cast_data(x, config.floatx())


def log_softmax_array(xp, z, axis):
    """``z − logsumexp(z)`` along ``axis`` on a raw array, after subtracting the max: finite for any logits."""
    shifted = z - z.max(axis=axis, keepdims=True)
    shifted -= xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def constant(data):
    """Wrap an array as a result that is never differentiated (comparisons, argmax, ...)."""
    return Tensor(data)


def normalize_axis(axis, ndim):
    """``axis`` (int, tuple or None) as a sorted tuple of non-negative ints; None means all axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of bounds for a tensor of rank {ndim}.")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def unwrap(x):
    """The raw array (or Python value) behind ``x``."""
    return x.data if isinstance(x, Tensor) else x
