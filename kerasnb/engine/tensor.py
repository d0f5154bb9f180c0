"""Tensors and variables.

A :class:`Tensor` wraps one NumPy or CuPy array (``.data``) and, when a :class:`~kerasnb.GradientTape` recorded
the op that made it, that op (``.node``). Tensors behave like arrays: Python operators, indexing and
``np.asarray(t)`` all work, and every operator is a differentiable op from :mod:`kerasnb.ops`.

A :class:`Variable` is a tensor whose value is state (layer weights, optimizer slots, metric totals): it is
changed with ``assign``/``assign_add``/``assign_sub``, and a trainable variable is watched automatically by
any tape it is read under.
"""

import numpy as np

from kerasnb import config
from kerasnb.engine import arrays


def standardize_dtype(dtype):
    """Return ``dtype`` as a NumPy dtype; ``None`` means ``floatx()``.

    Example:
        >>> standardize_dtype("float32")
        dtype('float32')
    """
    if dtype is None:
        return np.dtype(config.floatx())
    if hasattr(dtype, "dtype") and not isinstance(dtype, (type, np.dtype, str)):
        dtype = dtype.dtype  # a tensor or array was passed: use its dtype
    try:
        return np.dtype(dtype)
    except TypeError as e:
        raise ValueError(f"Invalid dtype: {dtype!r}. Use a name such as 'float32', 'int32' or 'bool'.") from e


def is_float_dtype(dtype):
    return np.dtype(dtype).kind == "f"


class Tensor:
    """An immutable n-dimensional array that remembers the op that made it when gradients are recorded.

    Tensors come out of ops (``kerasnb.ops``) and layers; make one yourself with
    :func:`kerasnb.ops.convert_to_tensor`.

    Example:
        >>> x = kerasnb.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> (x * 2 + 1)[0]
        <Tensor shape=(2,) dtype=float32 numpy=[3. 5.]>
        >>> np.asarray(x.T).tolist()
        [[1.0, 3.0], [2.0, 4.0]]
    """

    # Make NumPy hand mixed expressions (``ndarray + tensor``) to our reflected operators.
    __array_priority__ = 100

    def __init__(self, data, node=None):
        self.data = data
        self.node = node

    # -- array-like properties -------------------------------------------------------------------
    @property
    def shape(self):
        return tuple(self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return int(self.data.size)

    def numpy(self):
        """Return the value as a NumPy array (copied off the GPU under CuPy)."""
        return arrays.to_numpy(self.data)

    def __array__(self, dtype=None, copy=None):
        a = arrays.to_numpy(self.data)
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return np.array(a, copy=True) if copy else a

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a scalar) is undefined.")
        return self.data.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("Iterating over a 0-d tensor (a scalar) is not possible.")
        for i in range(self.data.shape[0]):
            yield self[i]

    def __bool__(self):
        return bool(self.data)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __index__(self):
        if self.dtype.kind not in "iu":
            raise TypeError(f"Only integer tensors can be used as an index; this one is {self.dtype}.")
        return int(self.data)

    __hash__ = object.__hash__  # identity: tensors can key dicts even though == is elementwise

    def __repr__(self):
        values = _format_values(self.numpy())
        return f"<Tensor shape={self.shape} dtype={self.dtype} numpy={values}>"

    # -- operators: each is a differentiable op from kerasnb.ops -----------------------------------
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.subtract(self, other)

    def __rsub__(self, other):
        return _ops.subtract(other, self)

    def __mul__(self, other):
        return _ops.multiply(self, other)

    def __rmul__(self, other):
        return _ops.multiply(other, self)

    def __truediv__(self, other):
        return _ops.divide(self, other)

    def __rtruediv__(self, other):
        return _ops.divide(other, self)

    def __floordiv__(self, other):
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops.floor_divide(other, self)

    def __mod__(self, other):
        return _ops.mod(self, other)

    def __rmod__(self, other):
        return _ops.mod(other, self)

    def __pow__(self, other):
        return _ops.power(self, other)

    def __rpow__(self, other):
        return _ops.power(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __invert__(self):
        return _ops.logical_not(self)

    def __and__(self, other):
        return _ops.logical_and(self, other)

    def __or__(self, other):
        return _ops.logical_or(self, other)

    def __eq__(self, other):
        return _ops.equal(self, other)

    def __ne__(self, other):
        return _ops.not_equal(self, other)

    def __lt__(self, other):
        return _ops.less(self, other)

    def __le__(self, other):
        return _ops.less_equal(self, other)

    def __gt__(self, other):
        return _ops.greater(self, other)

    def __ge__(self, other):
        return _ops.greater_equal(self, other)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    @property
    def T(self):
        return _ops.transpose(self)

    def astype(self, dtype):
        """Return this tensor cast to ``dtype`` (same as ``kerasnb.ops.cast``)."""
        return _ops.cast(self, dtype)

    def reshape(self, *shape):
        """Return this tensor reshaped (same as ``kerasnb.ops.reshape``)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return _ops.reshape(self, shape)


class Variable(Tensor):
    """A tensor whose value is state: layer weights, optimizer slots, metric accumulators.

    Args:
        initializer: the initial value (array-like), or a callable ``initializer(shape, dtype)``.
        shape: the shape, needed when ``initializer`` is a callable.
        dtype: the dtype; ``None`` means ``kerasnb.config.floatx()``.
        trainable: whether a :class:`~kerasnb.GradientTape` watches it automatically and optimizers train it.
        name: a name shown in ``repr`` and summaries (default ``'variable'``).

    Example:
        >>> v = kerasnb.Variable([1.0, 2.0], name="w")
        >>> v.assign_add([0.5, 0.5])
        <Variable path=w, shape=(2,), dtype=float32, value=[1.5 2.5]>
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None):
        dtype = standardize_dtype(dtype)
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from a callable initializer, pass its `shape`. "
                    f"Received: initializer={initializer!r}, shape=None"
                )
            value = initializer(tuple(shape), dtype=dtype)
        else:
            value = initializer
        data = _to_data(value, dtype)
        if data is value or (isinstance(value, Tensor) and data is value.data) or not _owns_writable(data):
            data = data.copy()  # a variable owns its array: never alias the caller's (or a read-only view)
        if shape is not None and tuple(data.shape) != tuple(shape):
            raise ValueError(
                f"Variable {name or 'variable'!r}: the initial value has shape {tuple(data.shape)}, "
                f"but shape={tuple(shape)} was passed."
            )
        super().__init__(data)
        self.name = name or "variable"
        self.path = self.name  # layers set "layer_name/weight_name"
        self.trainable = bool(trainable)
        self.regularizer = None  # set by Layer.add_weight
        self.constraint = None

    @property
    def value(self):
        """A snapshot of the current value as a plain (unrecorded) tensor."""
        return Tensor(self.data.copy())

    def numpy(self):
        """A copy of the current value as a NumPy array (later updates do not change it)."""
        return arrays.to_numpy(self.data).copy()

    def assign(self, value):
        """Set the value; it must have the variable's shape and is cast to its dtype. Returns the variable.

        Normally the array is replaced, so a gradient tape that recorded the old value still differentiates
        against it (a stateful layer may assign a variable it read earlier in the same forward pass).
        Optimizers, whose updates come after the backward pass, write in place instead
        (:func:`updating_in_place`): no new array per weight per step, and ``var.data`` keeps its identity.
        """
        data = _to_data(value, self.data.dtype)
        if data.shape != self.data.shape:
            raise ValueError(
                f"Cannot assign a value of shape {tuple(data.shape)} to variable {self.name!r} of shape "
                f"{self.shape}."
            )
        if _in_place[-1] and data is not self.data:
            self.data[...] = data
        else:
            self.data = data
        return self

    def assign_add(self, value):
        """Add ``value`` to the variable. Returns the variable."""
        return self.assign(self.data + _to_data(value, self.data.dtype))

    def assign_sub(self, value):
        """Subtract ``value`` from the variable. Returns the variable."""
        return self.assign(self.data - _to_data(value, self.data.dtype))

    def __repr__(self):
        values = _format_values(self.numpy())
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, value={values}>"


_in_place = [False]


class updating_in_place:
    """Within this context, ``Variable.assign`` writes into the variable's existing array (used by optimizers).

    Example:
        >>> v = kerasnb.Variable([1.0, 2.0])
        >>> before = v.data
        >>> with updating_in_place():
        ...     _ = v.assign_sub([1.0, 1.0])
        >>> v.data is before
        True
    """

    def __enter__(self):
        _in_place.append(True)

    def __exit__(self, *exc):
        _in_place.pop()
        return False


def _owns_writable(a):
    flags = getattr(a, "flags", None)
    return flags is None or (getattr(flags, "writeable", True) and getattr(flags, "owndata", True))


def _format_values(a):
    """Values for a repr: a scalar as ``1.5``, arrays as NumPy prints them (long ones elided)."""
    if a.ndim == 0:
        return str(a[()])
    values = np.array2string(a, separator=" ", threshold=20, edgeitems=3)
    return "\n" + values if "\n" in values else values


def _to_data(value, dtype):
    """``value`` as a backend array of ``dtype`` (no copy when it already is one)."""
    if isinstance(value, Tensor):
        value = value.data
    if arrays.is_array(value):
        return value.astype(dtype, copy=False) if value.dtype != dtype else value
    return arrays.to_backend(value, dtype=dtype)


def convert_to_tensor(x, dtype=None):
    """Return ``x`` as a :class:`Tensor`.

    Python floats (and lists of them) become ``floatx()``, Python ints ``int32``, bools ``bool``; NumPy and
    CuPy arrays keep their dtype; a tensor is returned as it is unless ``dtype`` asks for a cast.

    Example:
        >>> kerasnb.ops.convert_to_tensor([1.5, 2.0]).dtype
        dtype('float32')
        >>> kerasnb.ops.convert_to_tensor(3).dtype
        dtype('int32')
    """
    if isinstance(x, Tensor):
        if dtype is None or np.dtype(dtype) == x.dtype:
            return x
        return _ops.cast(x, dtype)
    if dtype is not None:
        return Tensor(_to_data(x, standardize_dtype(dtype)))
    if arrays.is_array(x):
        if isinstance(x, np.ndarray):
            return Tensor(arrays.to_backend(x))
        return Tensor(x)
    if isinstance(x, np.generic):
        return Tensor(arrays.to_backend(np.asarray(x)))
    return Tensor(arrays.to_backend(x, dtype=_python_dtype(x)))


def _python_dtype(x):
    """The Keras dtype for a Python value: floats -> floatx, ints -> int32, bools -> bool."""
    a = np.asarray(x)
    if a.dtype.kind == "f":
        return np.dtype(config.floatx())
    if a.dtype.kind in "iu":
        return np.dtype("int32") if a.size == 0 or (-(2**31) <= a.min() and a.max() < 2**31) else a.dtype
    if a.dtype.kind == "O":
        raise TypeError(f"Cannot convert {type(x).__name__} to a tensor: {x!r}")
    return a.dtype


# The operators above call into kerasnb.ops, which itself builds on Tensor: import it last.
from kerasnb import ops as _ops  # noqa: E402
