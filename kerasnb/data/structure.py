"""Elements as tf.data sees them: arrays alone or nested in tuples and dicts, and ``TensorSpec``.

tf.data reads tuples and dicts as structures and everything else as one value: a Python **list is one array**,
not a structure (``from_tensor_slices([x, y])`` stacks ``x`` and ``y``; pass the tuple ``(x, y)`` for two
components). A dict's values are flattened in sorted key order, as tf.nest does, so dicts whose keys were
inserted in different orders still line up.
"""

import numpy as np

from kerasnb.engine.arrays import to_numpy
from kerasnb.engine.tensor import Tensor


def flatten(element):
    """The leaves of an element, in order.

    Example:
        >>> flatten(({"b": 2, "a": 1}, 3))
        [1, 2, 3]
    """
    if isinstance(element, dict):
        return [leaf for key in sorted(element) for leaf in flatten(element[key])]
    if isinstance(element, tuple):
        return [leaf for part in element for leaf in flatten(part)]
    return [element]


def pack_like(structure, leaves):
    """Put ``leaves`` (in :func:`flatten` order) back into the nesting of ``structure``.

    Example:
        >>> pack_like(({"b": 0, "a": 0}, 0), [1, 2, 3])
        ({'b': 2, 'a': 1}, 3)
    """
    leaves = iter(leaves)
    return _pack(structure, leaves)


def _pack(structure, leaves):
    if isinstance(structure, dict):
        filled = {key: _pack(structure[key], leaves) for key in sorted(structure)}  # leaves come in sorted order
        return {key: filled[key] for key in structure}  # ...but the dict keeps its own order
    if isinstance(structure, tuple):
        parts = [_pack(part, leaves) for part in structure]
        return type(structure)(*parts) if hasattr(structure, "_fields") else tuple(parts)  # namedtuples too
    return next(leaves)


def map_structure(fn, element):
    """``fn`` applied to every leaf, in the same nesting.

    Example:
        >>> map_structure(lambda v: v * 10, (1, {"a": 2}))
        (10, {'a': 20})
    """
    return pack_like(element, [fn(leaf) for leaf in flatten(element)])


def flatten_up_to(structure, value):
    """The parts of ``value`` that line up with the leaves of ``structure``; a part may itself be a tuple (a
    shape, for ``padded_batch``). A value that is not nested is used for every leaf.

    Example:
        >>> flatten_up_to((0, {"a": 0}), ((2, 3), {"a": (4,)}))
        [(2, 3), (4,)]
    """
    if not isinstance(value, (tuple, dict)) or not isinstance(structure, (tuple, dict)):
        return [value] * len(flatten(structure))
    if isinstance(structure, dict):
        if not isinstance(value, dict) or set(value) != set(structure):
            raise ValueError(f"Expected a dict with the keys {sorted(structure)}. Received: {value!r}")
        return [part for key in sorted(structure) for part in flatten_up_to(structure[key], value[key])]
    if not isinstance(value, tuple) or len(value) != len(structure):
        raise ValueError(f"Expected a tuple of {len(structure)} entries. Received: {value!r}")
    return [part for sub, val in zip(structure, value) for part in flatten_up_to(sub, val)]


def to_array(value, what):
    """One component as NumPy: an array, or a NumPy scalar for a single value (what ``tensor.numpy()`` gives).
    ``what`` names the argument in errors.

    Example:
        >>> to_array([1.5, 2.5], "x")
        array([1.5, 2.5])
        >>> to_array(3, "x").dtype == np.asarray(3).dtype  # NumPy's default integer (int32 in WebAssembly)
        True
    """
    if isinstance(value, Tensor):
        value = value.data
    try:
        array = to_numpy(value)
    except ValueError as e:  # ragged nested lists
        raise ValueError(
            f"{what} gave a value that is not one array: {e}. Several arrays go in a tuple `(x, y)`: tf.data, "
            "like kerasnb, reads a list as one array."
        ) from None
    if array.dtype == object:
        raise TypeError(
            f"{what} must give arrays, numbers or strings (alone or in tuples and dicts). Received a value of "
            f"type {type(value).__name__}: {value!r}"
        )
    return array[()] if array.ndim == 0 else array


def to_element(value, what):
    """What a ``map`` function returned, as an element with NumPy leaves: a list at the top becomes a tuple (as
    tf.data does there), deeper lists become arrays.

    Example:
        >>> x, y = to_element([1, [2, 3]], "map_func")
        >>> isinstance(x, np.integer), y.tolist()
        (True, [2, 3])
    """
    if isinstance(value, list):
        value = tuple(value)
    return map_structure(lambda leaf: to_array(leaf, what), value)


def dtype_name(dtype):
    """A dtype as a name: ``'float32'``, ``'int64'``, ``'bool'``, ... and ``'string'`` for text (tf.string).

    Example:
        >>> dtype_name(np.float64), dtype_name(np.array(["a"]).dtype)
        ('float64', 'string')
    """
    if dtype in ("string", str, bytes):
        return "string"
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype!r}. Use a name such as 'float32', 'int64' or 'string'.") from None
    return "string" if dtype.kind in "US" else dtype.name


def numpy_dtype(name):
    """The NumPy dtype for a :func:`dtype_name`."""
    return np.dtype(np.str_) if name == "string" else np.dtype(name)


class TensorSpec:
    """The shape and dtype of one component of a dataset's elements, as in ``Dataset.element_spec``.

    ``None`` in ``shape`` marks a size that can vary from element to element (the batch dimension, unless
    ``drop_remainder=True``); ``shape=None`` means even the rank is unknown. Also what
    ``Dataset.from_generator(output_signature=...)`` takes.

    Example:
        >>> spec = keras.data.TensorSpec(shape=(None, 2), dtype="float32")
        >>> spec
        TensorSpec(shape=(None, 2), dtype=float32, name=None)
        >>> spec.is_compatible_with(np.zeros((5, 2), "float32")), spec.is_compatible_with(np.zeros(2, "float32"))
        (True, False)
    """

    def __init__(self, shape, dtype="float32", name=None):
        if shape is not None:
            try:
                shape = tuple(None if size is None or size == -1 else int(size) for size in shape)
            except TypeError:
                raise ValueError(
                    "`shape` must be a tuple of sizes (None for a size that varies), or None. "
                    f"Received: shape={shape!r}"
                ) from None
        self.shape = shape
        self.dtype = dtype_name(dtype)
        self.name = name

    @classmethod
    def from_array(cls, array):
        """The spec of a given array or scalar."""
        array = np.asarray(array)
        return cls(array.shape, array.dtype)

    def is_compatible_with(self, value):
        """True if ``value`` (an array, or a spec) has this dtype and a shape that fits this one."""
        other = value if isinstance(value, TensorSpec) else TensorSpec.from_array(value)
        return other.dtype == self.dtype and shape_fits(other.shape, self.shape)

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype}, name={self.name!r})"


def shape_fits(shape, expected):
    """True if ``shape`` fits ``expected``, where ``None`` (a size or the whole shape) matches anything."""
    if shape is None or expected is None:
        return True
    return len(shape) == len(expected) and all(e is None or s is None or s == e for s, e in zip(shape, expected))
