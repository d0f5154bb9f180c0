"""Core ops: converting to and from tensors, stopping gradients, making new tensors."""

from kerasnb import config
from kerasnb.engine import arrays
from kerasnb.engine.tensor import Tensor, convert_to_tensor, standardize_dtype


def convert_to_numpy(x):
    """Return ``x`` (a tensor, variable, array or Python value) as a NumPy array.

    Example:
        >>> kerasnb.ops.convert_to_numpy(kerasnb.ops.ones(2))
        array([1., 1.], dtype=float32)
    """
    return arrays.to_numpy(x.data if isinstance(x, Tensor) else x)


def is_tensor(x):
    """True for kerasnb tensors and variables. Example: ``kerasnb.ops.is_tensor(kerasnb.ops.ones(1))``."""
    return isinstance(x, Tensor)


def stop_gradient(x):
    """Return ``x`` as a tensor the tape does not differentiate through (its gradient is treated as 0).

    Example:
        >>> x = kerasnb.Variable(2.0)
        >>> with kerasnb.GradientTape() as tape:
        ...     y = x * kerasnb.ops.stop_gradient(x)
        >>> float(tape.gradient(y, x))
        2.0
    """
    return Tensor(convert_to_tensor(x).data)


def shape(x):
    """The shape of ``x`` as a tuple of ints. Example: ``kerasnb.ops.shape(kerasnb.ops.ones((2, 3)))``."""
    return convert_to_tensor(x).shape


def _new(fn, dtype, *args):
    xp = arrays.backend_module()
    return Tensor(getattr(xp, fn)(*args, dtype=standardize_dtype(dtype)))


def zeros(shape, dtype=None):
    """A tensor of zeros (``floatx()`` unless ``dtype`` says otherwise).

    Example:
        >>> kerasnb.ops.zeros((2,))
        <Tensor shape=(2,) dtype=float32 numpy=[0. 0.]>
    """
    return _new("zeros", dtype, shape)


def ones(shape, dtype=None):
    """A tensor of ones.

    Example:
        >>> kerasnb.ops.ones((2,))
        <Tensor shape=(2,) dtype=float32 numpy=[1. 1.]>
    """
    return _new("ones", dtype, shape)


def full(shape, fill_value, dtype=None):
    """A tensor filled with ``fill_value``.

    Example:
        >>> kerasnb.ops.full((2,), 7.0)
        <Tensor shape=(2,) dtype=float32 numpy=[7. 7.]>
    """
    return _new("full", dtype, shape, fill_value)


def zeros_like(x, dtype=None):
    """Zeros with the shape (and, by default, the dtype) of ``x``. Example: ``kerasnb.ops.zeros_like([1, 2])``."""
    x = convert_to_tensor(x)
    return zeros(x.shape, dtype or x.dtype)


def ones_like(x, dtype=None):
    """Ones with the shape (and, by default, the dtype) of ``x``. Example: ``kerasnb.ops.ones_like([1, 2])``."""
    x = convert_to_tensor(x)
    return ones(x.shape, dtype or x.dtype)


def full_like(x, fill_value, dtype=None):
    """``fill_value`` with the shape (and dtype) of ``x``. Example: ``kerasnb.ops.full_like([1, 2], 5)``."""
    x = convert_to_tensor(x)
    return full(x.shape, fill_value, dtype or x.dtype)


def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on the k-th diagonal.

    Example:
        >>> kerasnb.ops.eye(2)
        <Tensor shape=(2, 2) dtype=float32 numpy=
        [[1. 0.]
         [0. 1.]]>
    """
    xp = arrays.backend_module()
    return Tensor(xp.eye(N, M, k, dtype=standardize_dtype(dtype)))


def identity(n, dtype=None):
    """The ``n``×``n`` identity matrix. Example: ``kerasnb.ops.identity(3).shape == (3, 3)``."""
    return eye(n, dtype=dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in ``[start, stop)``; integers give int32, floats ``floatx()``.

    Example:
        >>> kerasnb.ops.arange(3)
        <Tensor shape=(3,) dtype=int32 numpy=[0 1 2]>
    """
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, stop, step))
        dtype = config.floatx() if is_float else "int32"
    xp = arrays.backend_module()
    return Tensor(xp.arange(start, stop, step, dtype=standardize_dtype(dtype)))


def linspace(start, stop, num=50, endpoint=True, dtype=None):
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Example:
        >>> kerasnb.ops.linspace(0.0, 1.0, 3)
        <Tensor shape=(3,) dtype=float32 numpy=[0.  0.5 1. ]>
    """
    xp = arrays.backend_module()
    return Tensor(xp.linspace(start, stop, num, endpoint=endpoint).astype(standardize_dtype(dtype)))
