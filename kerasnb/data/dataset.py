"""``Dataset``: tf.data's input pipeline in plain Python, a recipe of steps that runs afresh on every pass.

A dataset starts from a source (``from_tensor_slices``, ``range``, ``from_generator``, ...) and each
transformation (``shuffle``, ``map``, ``batch``, ...) returns a new dataset that wraps the one before it. Nothing
runs until you iterate: every ``for element in dataset`` starts a new pass, in which each step pulls elements
from the step before it one at a time. Elements hold NumPy arrays (NumPy scalars for single values), alone or in
tuples and dicts, where tf.data gives tensors; floating-point data keeps its dtype (``fit`` casts batches to
``keras.config.floatx()``, as Keras does).

To read the code: every step is a small subclass of ``Dataset`` with an ``_elements()`` generator (one pass),
a ``_cardinality()`` (how many elements a pass gives, counted as tf.data counts them) and, where it changes the
elements' shapes, a ``_spec()`` (``element_spec``).

Example:
    >>> ds = keras.data.Dataset.range(10).filter(lambda i: i % 2 == 0).map(lambda i: i * 10).batch(2)
    >>> [batch.tolist() for batch in ds]
    [[0, 20], [40, 60], [80]]
"""

import itertools

import numpy as np

from kerasnb.data.structure import (
    TensorSpec,
    dtype_name,
    flatten,
    flatten_up_to,
    map_structure,
    numpy_dtype,
    pack_like,
    shape_fits,
    to_array,
    to_element,
)
from kerasnb.engine.arrays import to_numpy
from kerasnb.engine.random import global_generator
from kerasnb.engine.tensor import Tensor

INFINITE_CARDINALITY = -1  # tf.data.experimental.INFINITE_CARDINALITY: repeat() without a count
UNKNOWN_CARDINALITY = -2  # tf.data.experimental.UNKNOWN_CARDINALITY: filter(), from_generator(), ...
AUTOTUNE = -1  # tf.data.AUTOTUNE: accepted wherever tf.data takes it (everything runs in the calling thread)


class Dataset:
    """A sequence of elements that can be transformed and iterated over, as ``tf.data.Dataset``.

    Build one with ``Dataset.from_tensor_slices``, ``from_tensors``, ``range``, ``from_generator`` or ``zip``,
    chain transformations, then iterate it (each ``for`` loop is a fresh pass) or pass it to ``model.fit``.

    Example:
        >>> x = np.arange(6.0).reshape(3, 2)
        >>> ds = keras.data.Dataset.from_tensor_slices((x, np.array([0, 1, 0], dtype="int64"))).batch(2)
        >>> for features, labels in ds:
        ...     print(features.shape, labels.tolist())
        (2, 2) [0, 1]
        (1, 2) [0]
        >>> len(ds), ds.element_spec
        (2, (TensorSpec(shape=(None, 2), dtype=float64, name=None), TensorSpec(shape=(None,), dtype=int64, name=None)))
    """

    def __init__(self, *inputs):
        self._inputs = inputs  # the datasets this step reads from (none for a source)

    # -- what each step implements ------------------------------------------------------------------------------
    def _elements(self):
        """Yield the elements of one pass."""
        raise TypeError(
            "A bare Dataset() has no elements. Build one with Dataset.from_tensor_slices, from_tensors, range, "
            "from_generator or zip."
        )

    def _cardinality(self):
        """The number of elements of a pass, or INFINITE_CARDINALITY / UNKNOWN_CARDINALITY."""
        return self._inputs[0]._cardinality()  # most steps pass every element on

    def _spec(self):
        """``element_spec``, worked out without running the pipeline where possible."""
        return self._inputs[0].element_spec  # most steps keep the elements' shapes

    def _batched(self):
        """True if the elements are batches, False if single samples, None if that cannot be told (a generator,
        ``from_tensors``, after a ``map``). ``fit`` uses it to say that a dataset needs ``.batch()``."""
        answers = [dataset._batched() for dataset in self._inputs]
        if True in answers:
            return True
        return False if answers and None not in answers else None

    # -- the Python protocol --------------------------------------------------------------------------------------
    def __iter__(self):
        """A fresh pass over the elements."""
        return self._elements()

    def __len__(self):
        """The number of elements; a ``TypeError`` (as in tf.data) if it is infinite or unknown."""
        length = self.cardinality()
        if length == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if length == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return length

    def __bool__(self):
        return True  # as tf.data: without this, `if dataset:` would ask __len__, which may raise

    def __repr__(self):
        try:
            spec = self.element_spec
        except (TypeError, ValueError):  # e.g. a map_func that fails: say so when iterating, not when printing
            spec = "unknown"
        return f"<{type(self).__name__} element_spec={spec}>"

    # -- looking at a dataset -----------------------------------------------------------------------------------
    def as_numpy_iterator(self):
        """An iterator over the elements as NumPy values (what iterating gives already; here for tf.data code).

        Example:
            >>> [x.tolist() for x in keras.data.Dataset.from_tensor_slices([[1, 2], [3, 4]]).as_numpy_iterator()]
            [[1, 2], [3, 4]]
        """
        return iter(self)

    def cardinality(self):
        """The number of elements, or ``INFINITE_CARDINALITY`` (-1) or ``UNKNOWN_CARDINALITY`` (-2), worked out
        from the steps without iterating, by tf.data's rules.

        Example:
            >>> ds = keras.data.Dataset.range(10)
            >>> ds.batch(4).cardinality(), ds.repeat().cardinality(), ds.filter(lambda i: i > 3).cardinality()
            (3, -1, -2)
        """
        return int(self._cardinality())

    @property
    def element_spec(self):
        """The structure of the elements with a :class:`TensorSpec` (shape and dtype) per component.

        For ``map`` (and ``from_generator`` without a signature) it comes from running the pipeline for the
        first element, where tf.data traces the function instead.

        Example:
            >>> keras.data.Dataset.from_tensor_slices({"a": np.zeros((4, 3))}).batch(2).element_spec
            {'a': TensorSpec(shape=(None, 3), dtype=float64, name=None)}
        """
        if not hasattr(self, "_element_spec"):
            self._element_spec = self._spec()
        return self._element_spec

    # -- sources --------------------------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """A dataset whose element ``i`` holds row ``i`` of every array in ``tensors``.

        ``tensors`` is an array, or a tuple or dict (nested as you like) of arrays with the same first
        dimension. A Python list is read as one array, as in tf.data: pass ``(x, y)``, not ``[x, y]``. The
        arrays are read in place, not copied (the elements are read-only views).

        Example:
            >>> ds = keras.data.Dataset.from_tensor_slices((np.array([[1, 2], [3, 4]]), np.array([0, 1])))
            >>> [(x.tolist(), int(y)) for x, y in ds]
            [([1, 2], 0), ([3, 4], 1)]
        """
        return _TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of one element: ``tensors`` as they are.

        Example:
            >>> ds = keras.data.Dataset.from_tensors(np.array([1, 2, 3]))
            >>> [x.tolist() for x in ds], len(ds)
            ([[1, 2, 3]], 1)
        """
        return _TensorDataset(tensors)

    @staticmethod
    def range(*args, output_type="int64", name=None):
        """The numbers of Python's ``range(stop)``, ``range(start, stop)`` or ``range(start, stop, step)``,
        as NumPy ``int64`` scalars.

        Example:
            >>> [int(i) for i in keras.data.Dataset.range(1, 8, 3)]
            [1, 4, 7]
        """
        return _RangeDataset(args, output_type)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None):
        """A dataset of what ``generator(*args)`` yields; the callable is called again for each pass.

        Args:
            generator: a callable returning an iterator, e.g. a generator function (not a generator object:
                that could be used for only one pass).
            output_signature: a :class:`TensorSpec`, or a tuple/dict of them, matching what is yielded. Values
                are converted to its dtypes and their shapes checked, as tf.data does. Without it (and without
                the older ``output_types``/``output_shapes``) the values are taken as they come.
            args: a tuple of arguments for ``generator``.

        Example:
            >>> def count(n):
            ...     for i in range(n):
            ...         yield i, [i] * 2
            >>> signature = (keras.data.TensorSpec((), "int32"), keras.data.TensorSpec((2,), "float32"))
            >>> ds = keras.data.Dataset.from_generator(count, args=(2,), output_signature=signature)
            >>> [(int(i), x.tolist(), x.dtype.name) for i, x in ds]
            [(0, [0.0, 0.0], 'float32'), (1, [1.0, 1.0], 'float32')]
            >>> ds.cardinality()  # unknown until the generator has run
            -2
        """
        if not callable(generator):
            raise TypeError(
                "`generator` must be a callable that returns an iterator, such as a generator function (not a "
                f"generator object, which could give only one pass). Received: generator={generator!r}"
            )
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError("Pass either `output_signature` or the older `output_types`/`output_shapes`.")
            if not all(isinstance(spec, TensorSpec) for spec in flatten(output_signature)):
                raise TypeError(
                    "`output_signature` must be a TensorSpec, or a tuple or dict of them. "
                    f"Received: output_signature={output_signature!r}"
                )
        elif output_types is not None:
            shapes = flatten_up_to(output_types, output_shapes)
            specs = [TensorSpec(shape, dtype) for shape, dtype in zip(shapes, flatten(output_types))]
            output_signature = pack_like(output_types, specs)
        elif output_shapes is not None:
            raise TypeError("`output_shapes` needs `output_types` (or pass `output_signature` instead).")
        return _GeneratorDataset(generator, output_signature, tuple(args) if args is not None else ())

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """A dataset whose element ``i`` combines element ``i`` of each dataset, in the structure given (a
        tuple or dict of datasets, or several datasets as arguments); it ends with the shortest.

        Example:
            >>> a, b = keras.data.Dataset.range(3), keras.data.Dataset.range(10, 12)
            >>> [(int(i), int(j)) for i, j in keras.data.Dataset.zip(a, b)]
            [(0, 10), (1, 11)]
            >>> [sorted(e) for e in keras.data.Dataset.zip({"x": a, "y": b})]
            [['x', 'y'], ['x', 'y']]
        """
        if datasets is not None and args:
            raise TypeError("Pass the datasets either as arguments or as `datasets`, not both.")
        if datasets is None:
            if not args:
                raise TypeError("`Dataset.zip` needs at least one dataset.")
            datasets = args[0] if len(args) == 1 else args
        return _ZipDataset(datasets)

    # -- transformations ------------------------------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Combine ``batch_size`` consecutive elements into one, stacking each component along a new first axis.

        The last batch is smaller when the elements do not divide evenly, unless ``drop_remainder=True`` drops
        it. ``num_parallel_calls`` and ``deterministic`` are accepted for tf.data code and ignored.

        Example:
            >>> [b.tolist() for b in keras.data.Dataset.range(5).batch(2)]
            [[0, 1], [2, 3], [4]]
            >>> [b.tolist() for b in keras.data.Dataset.range(5).batch(2, drop_remainder=True)]
            [[0, 1], [2, 3]]
        """
        return _BatchDataset(self, _positive_int("batch_size", batch_size), bool(drop_remainder))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False, name=None):
        """``batch`` for elements of different shapes: each component is padded to the largest in its batch
        (or to ``padded_shapes``, where a ``None`` size means "the largest") with ``padding_values`` (default 0,
        or ``''`` for strings).

        Example:
            >>> ds = keras.data.Dataset.from_generator(lambda: iter([[1], [2, 3], [4, 5, 6]]))
            >>> [b.tolist() for b in ds.padded_batch(2)]
            [[[1, 0], [2, 3]], [[4, 5, 6]]]
            >>> [b.tolist() for b in ds.padded_batch(2, padded_shapes=(4,), padding_values=-1)]
            [[[1, -1, -1, -1], [2, 3, -1, -1]], [[4, 5, 6, -1]]]
        """
        return _PaddedBatchDataset(self, _positive_int("batch_size", batch_size), bool(drop_remainder),
                                   padded_shapes, padding_values)

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """Batches of ``batch_size`` from a dataset that is already batched: ``unbatch()`` then ``batch()``.

        Example:
            >>> [b.tolist() for b in keras.data.Dataset.range(6).batch(4).rebatch(3)]
            [[0, 1, 2], [3, 4, 5]]
        """
        return self.unbatch().batch(batch_size, drop_remainder=drop_remainder)

    def unbatch(self, name=None):
        """Split each element along its first axis into elements of their own (``batch`` undone).

        Example:
            >>> [int(i) for i in keras.data.Dataset.range(5).batch(2).unbatch()]
            [0, 1, 2, 3, 4]
        """
        return _UnbatchDataset(self)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffle the elements with a buffer of ``buffer_size`` of them, as tf.data does.

        The buffer is filled with the first ``buffer_size`` elements; then a random element of the buffer is
        handed out and replaced with the next one. A buffer at least as large as the dataset gives a uniformly
        random order; a small one only mixes nearby elements (``buffer_size=1`` changes nothing).

        Args:
            buffer_size: the number of elements to pick from.
            seed: an integer seed. Without one, a seed is drawn from kerasnb's global generator when the
                dataset is made, so ``keras.utils.set_random_seed`` makes the orders repeatable.
            reshuffle_each_iteration: a new order for every pass (every epoch); ``False`` repeats the first
                pass's order.

        Example:
            >>> ds = keras.data.Dataset.range(6).shuffle(6, seed=1)
            >>> sorted(int(i) for i in ds)
            [0, 1, 2, 3, 4, 5]
            >>> fixed = keras.data.Dataset.range(6).shuffle(6, seed=1, reshuffle_each_iteration=False)
            >>> [int(i) for i in fixed] == [int(i) for i in fixed]
            True
        """
        _positive_int("buffer_size", buffer_size)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"`seed` must be an integer or None. Received: seed={seed!r}")
        return _ShuffleDataset(self, buffer_size, seed, bool(reshuffle_each_iteration))

    def repeat(self, count=None, name=None):
        """Repeat the dataset ``count`` times, or forever when ``count`` is None or -1.

        Each repetition is a fresh pass over the steps before it, so a ``shuffle`` before ``repeat`` gives a
        new order each time.

        Example:
            >>> [int(i) for i in keras.data.Dataset.range(2).repeat(3)]
            [0, 1, 0, 1, 0, 1]
            >>> keras.data.Dataset.range(2).repeat().cardinality()
            -1
        """
        count = -1 if count is None else _int("count", count)
        return _RepeatDataset(self, count)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Apply ``map_func`` to every element.

        As in tf.data, a tuple element is unpacked into arguments (``lambda x, y: ...``), while any other
        element (an array, a dict) is passed as one argument. ``map_func`` may return arrays, numbers or
        kerasnb tensors, alone or in a tuple or dict (a returned list becomes a tuple). ``num_parallel_calls``
        (e.g. ``AUTOTUNE``) and ``deterministic`` are accepted and ignored: kerasnb maps in the calling thread.

        Example:
            >>> ds = keras.data.Dataset.from_tensor_slices((np.array([1, 2]), np.array([10, 20])))
            >>> [(int(x), int(y)) for x, y in ds.map(lambda x, y: (x * 2, y + 1))]
            [(2, 11), (4, 21)]
        """
        if not callable(map_func):
            raise TypeError(f"`map_func` must be callable. Received: map_func={map_func!r}")
        return _MapDataset(self, map_func)

    def filter(self, predicate, name=None):
        """Keep the elements for which ``predicate`` (called like a ``map`` function) returns True.

        Example:
            >>> [int(i) for i in keras.data.Dataset.range(10).filter(lambda i: i % 3 == 0)]
            [0, 3, 6, 9]
        """
        if not callable(predicate):
            raise TypeError(f"`predicate` must be callable. Received: predicate={predicate!r}")
        return _FilterDataset(self, predicate)

    def take(self, count, name=None):
        """The first ``count`` elements (all of them if ``count`` is -1).

        Example:
            >>> [int(i) for i in keras.data.Dataset.range(10).take(3)]
            [0, 1, 2]
        """
        return _TakeDataset(self, _int("count", count))

    def skip(self, count, name=None):
        """All but the first ``count`` elements (none if ``count`` is -1).

        Example:
            >>> [int(i) for i in keras.data.Dataset.range(5).skip(3)]
            [3, 4]
        """
        return _SkipDataset(self, _int("count", count))

    def cache(self, filename="", name=None):
        """Keep the elements in memory after the first complete pass; later passes read them from there.

        The steps before ``cache`` (an expensive ``map``, say) then run only once. A pass that stops early does
        not fill the cache, as in tf.data. A ``filename`` is accepted, but kerasnb caches in memory only.

        Example:
            >>> calls = []
            >>> ds = keras.data.Dataset.range(3).map(lambda i: calls.append(i) or i).cache()
            >>> [int(i) for i in ds], [int(i) for i in ds], len(calls)
            ([0, 1, 2], [0, 1, 2], 3)
        """
        if not isinstance(filename, str):
            raise TypeError(f"`filename` must be a string. Received: filename={filename!r}")
        return _CacheDataset(self)

    def prefetch(self, buffer_size, name=None):
        """Prepare later elements while the current one is used, in tf.data. kerasnb runs the pipeline in the
        calling thread, so there is nothing to overlap: this returns the dataset itself. ``buffer_size`` may be
        ``AUTOTUNE``.

        Example:
            >>> ds = keras.data.Dataset.range(3)
            >>> ds.prefetch(keras.data.AUTOTUNE) is ds
            True
        """
        if isinstance(buffer_size, bool) or not isinstance(buffer_size, (int, np.integer)) or buffer_size < -1:
            raise ValueError(f"`buffer_size` must be a non-negative integer or AUTOTUNE. Received: {buffer_size!r}")
        return self

    def concatenate(self, dataset, name=None):
        """The elements of this dataset, then those of ``dataset``.

        Example:
            >>> a, b = keras.data.Dataset.range(2), keras.data.Dataset.range(5, 7)
            >>> [int(i) for i in a.concatenate(b)]
            [0, 1, 5, 6]
        """
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`dataset` must be a Dataset. Received: dataset={dataset!r}")
        return _ConcatenateDataset(self, dataset)

    def enumerate(self, start=0, name=None):
        """Pair each element with its position: ``(i, element)``, counting from ``start``.

        Example:
            >>> [(int(i), int(x)) for i, x in keras.data.Dataset.range(10, 13).enumerate(start=1)]
            [(1, 10), (2, 11), (3, 12)]
        """
        return _EnumerateDataset(self, _int("start", start))


# -- sources ----------------------------------------------------------------------------------------------------
class _TensorSliceDataset(Dataset):
    """``from_tensor_slices``: element ``i`` holds row ``i`` of every array."""

    def __init__(self, tensors):
        super().__init__()
        self._structure = map_structure(lambda value: _read_only(to_array(value, "`tensors`")), tensors)
        leaves = flatten(self._structure)
        if not leaves or any(np.ndim(leaf) == 0 for leaf in leaves):
            raise ValueError(
                "`from_tensor_slices` slices arrays along their first axis, so it needs arrays of at least one "
                f"dimension. Received: tensors={_short(tensors)}"
            )
        sizes = sorted({len(leaf) for leaf in leaves})
        if len(sizes) > 1:
            raise ValueError(
                "The arrays passed to `from_tensor_slices` must have the same first dimension (the number of "
                f"elements). Received first dimensions: {sizes}"
            )
        self._length = sizes[0]

    def _elements(self):
        leaves = flatten(self._structure)
        for i in range(self._length):
            yield pack_like(self._structure, [leaf[i] for leaf in leaves])

    def _cardinality(self):
        return self._length

    def _slices(self, size, drop_remainder):
        """What ``batch(size, drop_remainder)`` makes of these elements, as copies of consecutive rows."""
        leaves = flatten(self._structure)
        stop = self._length - self._length % size if drop_remainder else self._length
        for start in range(0, stop, size):
            yield pack_like(self._structure, [leaf[start:start + size].copy() for leaf in leaves])

    def _spec(self):
        return map_structure(lambda a: TensorSpec(a.shape[1:], a.dtype), self._structure)

    def _batched(self):
        return False


class _TensorDataset(Dataset):
    """``from_tensors``: one element, the input itself."""

    def __init__(self, tensors):
        super().__init__()
        self._element = map_structure(lambda value: _read_only(to_array(value, "`tensors`")), tensors)

    def _elements(self):
        yield self._element

    def _cardinality(self):
        return 1

    def _spec(self):
        return map_structure(TensorSpec.from_array, self._element)

    def _batched(self):
        return None  # often a whole dataset given as one batch


class _RangeDataset(Dataset):
    """``Dataset.range``: Python's ``range``, as NumPy scalars."""

    def __init__(self, args, output_type):
        super().__init__()
        if not 1 <= len(args) <= 3 or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                                                 for a in args):
            raise TypeError(
                "`Dataset.range` takes one to three integers, as Python's range: (stop), (start, stop) or "
                f"(start, stop, step). Received: {args}"
            )
        if len(args) == 3 and args[2] == 0:
            raise ValueError("The `step` of `Dataset.range` must not be zero. Received: step=0")
        self._range = range(*(int(a) for a in args))
        self._dtype = numpy_dtype(dtype_name(output_type))

    def _elements(self):
        for i in self._range:
            yield self._dtype.type(i)

    def _cardinality(self):
        return len(self._range)

    def _spec(self):
        return TensorSpec((), self._dtype)

    def _batched(self):
        return False


class _GeneratorDataset(Dataset):
    """``from_generator``: what ``generator(*args)`` yields, the callable called afresh for each pass."""

    def __init__(self, generator, signature, args):
        super().__init__()
        self._generator, self._signature, self._args = generator, signature, args

    def _elements(self):
        for value in self._generator(*self._args):
            if self._signature is None:
                yield map_structure(lambda leaf: to_array(leaf, "`generator`"), value)  # a list is one array
            else:
                yield _conform(value, self._signature, value)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _spec(self):
        if self._signature is not None:
            return self._signature
        first = next(iter(self), None)  # no signature: the structure and dtypes of what comes first
        return None if first is None else map_structure(lambda v: TensorSpec(None, np.asarray(v).dtype), first)

    def _batched(self):
        return None


def _conform(value, spec, element):
    """``value`` converted to the dtypes of ``spec`` (a nest of TensorSpecs), its shapes checked (tf.data's
    ``from_generator`` checks)."""
    if isinstance(spec, TensorSpec):
        try:
            array = np.asarray(_unwrap(value), dtype=numpy_dtype(spec.dtype))
        except (TypeError, ValueError):
            raise TypeError(
                "`generator` yielded an element that could not be converted to the expected type. The expected "
                f"type was {spec.dtype}, but the yielded element was {value!r}."
            ) from None
        if not shape_fits(array.shape, spec.shape):
            raise ValueError(
                f"`generator` yielded an element of shape {array.shape} where an element of shape {spec.shape} "
                "was expected."
            )
        return array[()] if array.ndim == 0 else array
    if isinstance(spec, dict) and isinstance(value, dict) and set(spec) == set(value):
        return {key: _conform(value[key], spec[key], element) for key in spec}
    if isinstance(spec, tuple) and isinstance(value, (tuple, list)) and len(value) == len(spec):
        return tuple(_conform(v, s, element) for v, s in zip(value, spec))
    raise TypeError(
        "`generator` yielded an element that did not match the expected structure. The expected structure was "
        f"{spec}, but the yielded element was {element!r}."
    )


class _ZipDataset(Dataset):
    """``Dataset.zip``: element ``i`` of every dataset, in the given structure; ends with the shortest."""

    def __init__(self, datasets):
        inputs = flatten(datasets)
        if not all(isinstance(d, Dataset) for d in inputs):
            raise TypeError(
                "`Dataset.zip` takes Datasets: several as arguments, or a tuple or dict of them (a list is not "
                f"a structure in tf.data). Received: {datasets!r}"
            )
        super().__init__(*inputs)
        self._structure = datasets

    def _elements(self):
        for parts in zip(*self._inputs):
            yield pack_like(self._structure, parts)

    def _cardinality(self):
        sizes = [d._cardinality() for d in self._inputs]
        if UNKNOWN_CARDINALITY in sizes:
            return UNKNOWN_CARDINALITY
        finite = [n for n in sizes if n != INFINITE_CARDINALITY]
        return min(finite) if finite else INFINITE_CARDINALITY

    def _spec(self):
        return pack_like(self._structure, [d.element_spec for d in self._inputs])


# -- batching -----------------------------------------------------------------------------------------------------
class _BatchDataset(Dataset):
    """``batch``: ``batch_size`` consecutive elements stacked into one."""

    def __init__(self, dataset, batch_size, drop_remainder):
        super().__init__(dataset)
        self._batch_size, self._drop_remainder = batch_size, drop_remainder

    def _elements(self):
        if type(self._inputs[0]) is _TensorSliceDataset:
            # Rows straight from the arrays: one slice per batch instead of stacking its rows one by one (an
            # MNIST-sized pass took 0.3 s that way). The same batches either way.
            yield from self._inputs[0]._slices(self._batch_size, self._drop_remainder)
            return
        batch = []
        for element in self._inputs[0]:
            batch.append(element)
            if len(batch) == self._batch_size:
                yield self._combine(batch)
                batch = []
        if batch and not self._drop_remainder:
            yield self._combine(batch)

    def _combine(self, elements):
        """One batch: component by component, the elements' values stacked along a new first axis."""
        columns = _columns(elements)
        return pack_like(elements[0], [_stack(values, i) for i, values in enumerate(columns)])

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n < 0:
            return n  # infinite or unknown stays so
        return n // self._batch_size if self._drop_remainder else -(-n // self._batch_size)

    def _spec(self):
        size = self._batch_size if self._drop_remainder else None  # a smaller last batch is possible
        return _map_spec(lambda s: TensorSpec(None if s.shape is None else (size,) + s.shape, s.dtype),
                         self._inputs[0].element_spec)

    def _batched(self):
        return True


def _columns(elements):
    """The elements' leaves, component by component; every element must have the same structure."""
    rows = [flatten(e) for e in elements]
    for i, row in enumerate(rows):
        if len(row) != len(rows[0]):
            raise ValueError(
                f"Cannot batch elements of different structures: element 0 has {len(rows[0])} components and "
                f"element {i} has {len(row)}."
            )
    return list(zip(*rows))


def _stack(values, component):
    try:
        return np.stack(values)
    except ValueError:
        shapes = [np.shape(v) for v in values]
        other = next(i for i, shape in enumerate(shapes) if shape != shapes[0])
        raise ValueError(
            f"Cannot batch tensors with different shapes in component {component}. First element had shape "
            f"{shapes[0]} and element {other} had shape {shapes[other]}. Use `padded_batch` to pad them to one "
            "shape, or `map` them to one shape before batching."
        ) from None


class _PaddedBatchDataset(_BatchDataset):
    """``padded_batch``: ``batch``, each component padded to the largest in the batch or to ``padded_shapes``."""

    def __init__(self, dataset, batch_size, drop_remainder, padded_shapes, padding_values):
        super().__init__(dataset, batch_size, drop_remainder)
        self._padded_shapes, self._padding_values = padded_shapes, padding_values

    def _combine(self, elements):
        columns = _columns(elements)
        shapes = flatten_up_to(elements[0], self._padded_shapes)
        fills = flatten_up_to(elements[0], self._padding_values)
        return pack_like(elements[0], [_pad_stack(*args) for args in zip(columns, shapes, fills, itertools.count())])

    def _spec(self):
        spec = self._inputs[0].element_spec
        if spec is None:
            return None
        size = self._batch_size if self._drop_remainder else None
        shapes = flatten_up_to(spec, self._padded_shapes)
        padded = [TensorSpec(None if s.shape is None else (size,) + tuple(
            None if p is None or p[d] in (None, -1) else p[d] for d in range(len(s.shape))), s.dtype)
            for s, p in zip(flatten(spec), shapes)]
        return pack_like(spec, padded)


def _pad_stack(values, padded_shape, fill, component):
    """Stack ``values`` into one array, each padded at the end of every axis with ``fill``."""
    arrays = [np.asarray(v) for v in values]
    if len({a.ndim for a in arrays}) > 1:
        raise ValueError(f"`padded_batch` needs the same rank in each component; component {component} varies.")
    target = [max(a.shape[d] for a in arrays) for d in range(arrays[0].ndim)]
    if padded_shape is not None:
        if len(padded_shape) != len(target):
            raise ValueError(
                f"`padded_shapes` gives rank {len(padded_shape)} for component {component}, whose elements have "
                f"rank {len(target)}. Received: padded_shapes={padded_shape!r}"
            )
        for d, size in enumerate(padded_shape):
            if size is not None and size != -1:
                if size < target[d]:
                    raise ValueError(
                        f"`padded_shapes` asks for size {size} in dimension {d} of component {component}, but an "
                        f"element there has size {target[d]}: padding cannot shrink."
                    )
                target[d] = size
    dtype = np.result_type(*arrays)
    out = np.full([len(arrays)] + target, np.zeros((), dtype) if fill is None else fill, dtype=dtype)
    for i, a in enumerate(arrays):
        out[(i, *(slice(0, n) for n in a.shape))] = a
    return out


class _UnbatchDataset(Dataset):
    """``unbatch``: the rows of each element become elements of their own."""

    def _elements(self):
        for element in self._inputs[0]:
            leaves = flatten(element)
            sizes = {np.shape(leaf)[0] if np.ndim(leaf) else None for leaf in leaves}
            if None in sizes or len(sizes) != 1:
                raise ValueError(
                    "`unbatch` needs every component of an element to have the same first (batch) dimension. "
                    f"Received shapes: {[np.shape(leaf) for leaf in leaves]}"
                )
            for i in range(sizes.pop()):
                yield pack_like(element, [leaf[i] for leaf in leaves])

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n < 0 or n == 0:
            return n
        # tf.data: known only when every component has the same static batch size
        spec = self._inputs[0].element_spec
        sizes = {None if s.shape is None or not s.shape else s.shape[0] for s in flatten(spec)} if spec else {None}
        size = sizes.pop() if len(sizes) == 1 else None
        return UNKNOWN_CARDINALITY if size is None else n * size

    def _spec(self):
        return _map_spec(lambda s: TensorSpec(None if s.shape is None else s.shape[1:], s.dtype),
                         self._inputs[0].element_spec)

    def _batched(self):
        return False


# -- order and count ------------------------------------------------------------------------------------------------
class _ShuffleDataset(Dataset):
    """``shuffle``: hand out a random element of a buffer of ``buffer_size``, refilled from the input."""

    def __init__(self, dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(dataset)
        self._buffer_size = buffer_size
        # Without a seed, one is drawn now (as tf.data fixes its seed when the dataset is made): repeatable
        # after `keras.utils.set_random_seed`, a different one each run otherwise.
        self._seed = int(global_generator().integers(2**63 - 1)) if seed is None else int(seed) % 2**63
        self._reshuffle = reshuffle_each_iteration
        self._passes = 0

    def _elements(self):
        # Each pass has its own random stream: pass k's, or always the first one's without reshuffling.
        rng = np.random.default_rng([self._seed, self._passes if self._reshuffle else 0])
        self._passes += 1
        buffer = []
        for element in self._inputs[0]:
            if len(buffer) < self._buffer_size:
                buffer.append(element)
                continue
            i = rng.integers(len(buffer))
            yield buffer[i]
            buffer[i] = element
        while buffer:  # the input has ended: hand out the rest, still at random
            i = rng.integers(len(buffer))
            buffer[i], buffer[-1] = buffer[-1], buffer[i]
            yield buffer.pop()


class _RepeatDataset(Dataset):
    """``repeat``: pass after pass over the input (``count`` < 0: forever)."""

    def __init__(self, dataset, count):
        super().__init__(dataset)
        self._count = count

    def _elements(self):
        passes = 0
        while self._count < 0 or passes < self._count:
            empty = True
            for element in self._inputs[0]:
                empty = False
                yield element
            passes += 1
            if empty:
                return  # repeating nothing forever would never end

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY  # even an unknown count, as tf.data has it
        if self._count == 0:
            return 0
        return n if n < 0 else n * self._count


class _TakeDataset(Dataset):
    """``take``: the first ``count`` elements (``count`` < 0: all)."""

    def __init__(self, dataset, count):
        super().__init__(dataset)
        self._count = count

    def _elements(self):
        if self._count < 0:
            yield from self._inputs[0]
        else:
            yield from itertools.islice(self._inputs[0], self._count)

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n == UNKNOWN_CARDINALITY:
            return n
        if n == INFINITE_CARDINALITY:
            return INFINITE_CARDINALITY if self._count < 0 else self._count
        return n if self._count < 0 else min(n, self._count)


class _SkipDataset(Dataset):
    """``skip``: all but the first ``count`` elements (``count`` < 0: none)."""

    def __init__(self, dataset, count):
        super().__init__(dataset)
        self._count = count

    def _elements(self):
        if self._count >= 0:
            yield from itertools.islice(self._inputs[0], self._count, None)

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n < 0:
            return n
        return 0 if self._count < 0 else max(0, n - self._count)


class _ConcatenateDataset(Dataset):
    """``concatenate``: one dataset's elements, then the other's."""

    def _elements(self):
        for dataset in self._inputs:
            yield from dataset

    def _cardinality(self):
        sizes = [d._cardinality() for d in self._inputs]
        if INFINITE_CARDINALITY in sizes:
            return INFINITE_CARDINALITY
        return UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in sizes else sum(sizes)

    def _spec(self):
        first, second = (d.element_spec for d in self._inputs)
        if first is None or second is None:
            return first or second
        a, b = flatten(first), flatten(second)
        if len(a) != len(b) or any(x.dtype != y.dtype for x, y in zip(a, b)):
            raise TypeError(f"Incompatible dataset elements: {first} and {second} cannot be concatenated.")
        return pack_like(first, [TensorSpec(_common_shape(x.shape, y.shape), x.dtype) for x, y in zip(a, b)])


def _common_shape(a, b):
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b))


class _EnumerateDataset(Dataset):
    """``enumerate``: ``(i, element)`` pairs, ``i`` an int64 count from ``start``."""

    def __init__(self, dataset, start):
        super().__init__(dataset)
        self._start = start

    def _elements(self):
        for i, element in enumerate(self._inputs[0], self._start):
            yield np.int64(i), element

    def _spec(self):
        return TensorSpec((), "int64"), self._inputs[0].element_spec


# -- functions of the elements --------------------------------------------------------------------------------------
def _call(fn, element):
    """Call ``fn`` as tf.data does: a tuple element is unpacked into arguments, anything else passed whole."""
    return fn(*element) if type(element) is tuple else fn(element)


class _MapDataset(Dataset):
    """``map``: ``map_func`` applied to every element."""

    def __init__(self, dataset, map_func):
        super().__init__(dataset)
        self._map_func = map_func

    def _elements(self):
        for element in self._inputs[0]:
            yield to_element(_call(self._map_func, element), "`map_func`")

    def _spec(self):
        # tf.data traces map_func; here the first element is computed. A batch dimension that varies before the
        # map is taken to vary after it too (map functions nearly always keep it).
        first = next(iter(self), None)
        if first is None:
            return None
        before = self._inputs[0].element_spec
        varies = before is None or any(s.shape is None or (s.shape and s.shape[0] is None) for s in flatten(before))

        def spec(value):
            shape = np.shape(value)
            return TensorSpec((None,) + shape[1:] if varies and shape else shape, np.asarray(value).dtype)

        return map_structure(spec, first)

    def _batched(self):
        return None  # map_func may build whole batches (from an index, say): the elements could be anything


class _FilterDataset(Dataset):
    """``filter``: the elements for which ``predicate`` returns True."""

    def __init__(self, dataset, predicate):
        super().__init__(dataset)
        self._predicate = predicate

    def _elements(self):
        for element in self._inputs[0]:
            keep = _call(self._predicate, element)
            flag = np.asarray(_unwrap(keep))
            if flag.shape != () or flag.dtype != bool:
                raise ValueError(f"`predicate` must return a boolean scalar (True or False). Received: {keep!r}")
            if flag:
                yield element

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class _CacheDataset(Dataset):
    """``cache``: the first complete pass is kept in memory and replayed afterwards."""

    def __init__(self, dataset):
        super().__init__(dataset)
        self._cache = None

    def _elements(self):
        if self._cache is not None:
            yield from self._cache
            return
        seen = []
        for element in self._inputs[0]:
            seen.append(element)
            yield element
        self._cache = seen  # reached only when the pass ran to its end


# -- helpers --------------------------------------------------------------------------------------------------------
def _unwrap(value):
    """A kerasnb tensor's array in NumPy; anything else as it is."""
    return to_numpy(value.data) if isinstance(value, Tensor) else value


def _map_spec(fn, spec):
    return None if spec is None else map_structure(fn, spec)


def _read_only(array):
    """A read-only view of an array (elements are immutable in tf.data); scalars as they are."""
    if isinstance(array, np.ndarray):
        array = array.view()
        array.flags.writeable = False
    return array


def _short(value):
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"`{name}` must be an integer. Received: {name}={value!r}")
    return int(value)


def _positive_int(name, value):
    if _int(name, value) <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)
