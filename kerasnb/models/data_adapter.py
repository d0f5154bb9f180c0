"""From what ``fit``/``evaluate``/``predict`` are given to batches: ``DataAdapter`` and ``train_validation_split``.

Four kinds of input are accepted, each turned into ``(x, y, sample_weight)`` batches:

* **arrays**: NumPy/CuPy arrays, kerasnb tensors or nested Python lists of numbers, alone or in lists, tuples and
  dicts (several inputs or outputs). Sliced into ``batch_size`` batches, shuffled each epoch if asked.
* **a Sequence**: anything with ``__len__``, ``__getitem__`` and ``on_epoch_end`` (``kerasnb.utils.Sequence``);
  ``seq[i]`` is batch ``i``.
* **a generator or iterator** yielding batches; a one-shot generator is consumed across epochs.
* **a** ``kerasnb.data.Dataset`` of batches: a pass over it is an epoch, and its ``cardinality()`` says how many
  batches that is (an endless one, after ``repeat()``, needs ``steps``). Never shuffled here: shuffle it yourself.

A batch from a Sequence or generator may be ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``. Batches hold
arrays (NumPy, or CuPy where the data already was), with floating-point data cast to ``config.floatx()`` as Keras
does, so float64 NumPy data trains in float32.
"""

import math
import numbers
import warnings

import numpy as np

from kerasnb import config
from kerasnb.engine.arrays import array_module, is_array, to_numpy
from kerasnb.engine.random import global_generator
from kerasnb.engine.tensor import Tensor

RAN_OUT_OF_DATA = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or generator can generate at "
    "least `steps_per_epoch * epochs` batches."
)


# -- nested structures of arrays ----------------------------------------------------------------------------
def _map(fn, data):
    """Apply ``fn`` to every array in a nest of lists, tuples and dicts (``None`` stays ``None``)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: _map(fn, value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(_map(fn, value) for value in data)
    return fn(data)


def _leaves(data):
    """The arrays in a nest, in order."""
    found = []
    _map(found.append, data)
    return found


def _holds_arrays(data):
    """True if ``data`` is, or contains, an array, tensor or dict: then a list or tuple is a structure of inputs,
    not one array written as nested Python lists."""
    if isinstance(data, (Tensor, dict)) or is_array(data):
        return True
    return isinstance(data, (list, tuple)) and any(_holds_arrays(value) for value in data)


def _standardize(data, name):
    """Tensors become their arrays, and nested lists of numbers become NumPy arrays; structures are kept."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: _standardize(value, f"{name}[{key!r}]") for key, value in data.items()}
    if isinstance(data, (list, tuple)) and _holds_arrays(data):
        return type(data)(_standardize(value, f"{name}[{i}]") for i, value in enumerate(data))
    if isinstance(data, Tensor):
        return data.data
    if is_array(data):
        return data
    array = np.asarray(data)
    if array.dtype == object or array.ndim == 0:
        raise ValueError(f"`{name}` must be an array (or a list, tuple or dict of arrays). Received: {data!r}")
    return array


def _cast_floats(array):
    """Floating-point arrays in ``config.floatx()`` (Keras does the same), everything else as it is."""
    floatx = config.floatx()
    if array.dtype.kind == "f" and array.dtype != np.dtype(floatx):
        return array.astype(floatx)
    return array


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """One batch as Keras hands it to ``train_step``: ``x`` alone (``(x,)`` when ``x`` is a list or tuple, so
    that it is not read as ``(x, y)``), ``(x, y)``, or ``(x, y, sample_weight)`` — the parts that are not ``None``.

    Example:
        >>> pack_x_y_sample_weight("x", "y")
        ('x', 'y')
        >>> pack_x_y_sample_weight(["a", "b"])
        (['a', 'b'],)
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """Split one batch as a generator or Sequence gives it (``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sw)``).

    Example:
        >>> unpack_x_y_sample_weight((np.ones(2), np.zeros(2)))
        (array([1., 1.]), array([0., 0.]), None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if 1 <= len(data) <= 3:
        return data + (None,) * (3 - len(data))
    raise ValueError(f"A batch must be `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`; got a tuple of {len(data)}.")


def check_data_cardinality(x, y=None, sample_weight=None):
    """Raise ``ValueError`` unless every array in ``x``, ``y`` and ``sample_weight`` has the same length.

    Example:
        >>> check_data_cardinality(np.zeros((100, 2)), np.zeros(99))
        Traceback (most recent call last):
        ...
        ValueError: Data cardinality is ambiguous: x sizes: 100, y sizes: 99. Make sure all arrays contain the same
        number of samples.
    """
    parts = [("x", x), ("y", y), ("sample_weight", sample_weight)]
    sizes = {label: [int(a.shape[0]) if a.ndim else 0 for a in _leaves(data)] for label, data in parts}
    if len({size for label_sizes in sizes.values() for size in label_sizes}) > 1:
        listed = ", ".join(f"{label} sizes: {', '.join(map(str, s))}" for label, s in sizes.items() if s)
        raise ValueError(
            f"Data cardinality is ambiguous: {listed}. Make sure all arrays contain the same number of samples."
        )


def class_weight_to_sample_weights(y, class_weight):
    """One weight per sample, ``class_weight[label]`` (1.0 for classes it does not name), from integer labels
    ``(N,)``/``(N, 1)`` or one-hot rows ``(N, C)``.

    Example:
        >>> class_weight_to_sample_weights(np.array([0, 1, 1]), {0: 1.0, 1: 3.0})
        array([1., 3., 3.], dtype=float32)
    """
    labels = to_numpy(y)
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] > 1 else labels[..., 0]
    labels = np.round(labels).astype("int64")
    weights = np.array([class_weight.get(int(c), 1.0) for c in labels.reshape(-1)], dtype=config.floatx())
    return array_module(y).asarray(weights.reshape(labels.shape))


# -- the adapter --------------------------------------------------------------------------------------------
def _is_sequence(x):
    """Duck typing as Keras: an object that hands out batches by index and hears about epoch ends."""
    return all(hasattr(x, name) for name in ("__len__", "__getitem__", "on_epoch_end"))


def _is_dataset(x):
    """A ``kerasnb.data.Dataset``, or anything with its ``cardinality()`` and ``element_spec`` (a tf.data one)."""
    return callable(getattr(x, "cardinality", None)) and hasattr(type(x), "element_spec")


def _dataset_batches(dataset, steps, steps_name):
    """The batches in one pass over a Dataset (None if unknown), after checking that fit can use it."""
    data_name = "validation_data" if steps_name == "validation_steps" else "x"
    if getattr(dataset, "_batched", lambda: None)() is False:
        # Keras would fail later with a shape error; the usual cause is a missing `.batch()`.
        raise ValueError(
            f"The Dataset passed as `{data_name}` yields single samples: it was never batched, so its elements "
            "have no batch dimension. Call `.batch(batch_size)` on it, e.g. "
            f"`Dataset.from_tensor_slices((x, y)).batch(32)`. Received: {data_name}={dataset!r}"
        )
    cardinality = int(dataset.cardinality())
    if cardinality == -1 and steps is None:  # INFINITE_CARDINALITY: it was repeat()ed
        raise ValueError(
            f"When passing an infinitely repeating dataset, please specify a `{steps_name}` value: the number of "
            "batches to take from it each time, without which the loop over it would never end. The value can be "
            "arbitrary, or a number that you think correctly defines the size of an epoch. (If you did not intend "
            f"to create an infinite dataset, make sure to not call `repeat()` on it.) Received: {steps_name}=None"
        )
    return cardinality if cardinality >= 0 else None


def _is_positive_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0


class DataAdapter:
    """Batches of ``(x, y, sample_weight)`` for one epoch each time it is iterated.

    Args:
        x, y, sample_weight: arrays (or lists/tuples/dicts of them), or a Sequence or generator in ``x`` alone.
        batch_size: samples per batch for array data (the last batch may be smaller). ``None`` means 32, or
            enough to cover the data in ``steps`` batches.
        shuffle: draw a new order of the samples every epoch (arrays), or of the batches (Sequence), from
            ``kerasnb.engine.random.global_generator()``, so ``keras.utils.set_random_seed`` makes it repeatable.
            ``'batch'`` shuffles the order of contiguous batch-sized chunks instead. Generators are not shuffled.
        steps: batches per epoch. Without it an epoch is one pass over the data. With it, each epoch takes the
            next ``steps`` batches: array data, Sequences and Datasets start a fresh pass whenever one ends, a
            generator simply continues.
        class_weight: ``{class: weight}``; each sample's weight is multiplied by its class's weight.
        steps_name: the caller's name for ``steps`` (``'steps_per_epoch'``, ``'validation_steps'``), for errors.
        whole: one batch holding all the array data, as ``train_on_batch`` needs (``batch_size`` is ignored).

    Iterate it (or call :meth:`batches`) once per epoch, and call :meth:`on_epoch_end` after each epoch (early
    stops included): a Sequence hears about it there. After an epoch, ``exhausted`` is True if the data ran out
    before the epoch was complete (a generator used up, with a warning as in Keras): the trainer should stop
    there. ``num_batches`` is the number of batches per epoch (``None`` for a generator without ``steps`` until
    it has ended once); ``num_samples`` that of samples (``None`` unless arrays).

    Example:
        >>> data = DataAdapter(np.arange(10.0).reshape(5, 2), np.arange(5), batch_size=2)
        >>> data.num_batches, data.num_samples
        (3, 5)
        >>> [(x.shape, y.tolist()) for x, y, sw in data]
        [((2, 2), [0, 1]), ((2, 2), [2, 3]), ((1, 2), [4])]
    """

    def __init__(
        self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, steps=None, class_weight=None, whole=False,
        steps_name="steps",
    ):
        if x is None:
            raise ValueError("`fit`/`evaluate` got x=None. Pass your input data as `x`.")
        if batch_size is not None and not _is_positive_int(batch_size):
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
        if steps is not None and not _is_positive_int(steps):
            raise ValueError(f"`steps` must be a positive integer or None. Received: steps={steps!r}")
        if class_weight is not None and not isinstance(class_weight, dict):
            raise ValueError(f"`class_weight` must be a dict {{class: weight}}. Received: {class_weight!r}")
        self.shuffle = shuffle
        self.steps = steps
        self.class_weight = class_weight
        self.exhausted = False
        self.num_samples = None
        self.batch_size = None
        self._stream = None  # with `steps`: the batches not taken yet, carried from one epoch to the next
        # Where the current pass stands, for BackupAndRestore (see `state`): its order (None: unshuffled), the
        # batches taken from it, and the batches drawn from a one-shot generator in all.
        self._pass_order = None
        self._taken = 0
        self._consumed = 0
        self._resume = None
        self._done_in_epoch = 0  # after a restore with `steps`: the batches the interrupted epoch already took

        if isinstance(x, (Tensor, list, tuple, dict)) or is_array(x) or hasattr(x, "__array__"):
            self._kind = "arrays"
            self._x = _standardize(x, "x")
            self._y = _standardize(y, "y")
            self._sw = _standardize(sample_weight, "sample_weight")
            check_data_cardinality(self._x, self._y, self._sw)
            first = next(iter(_leaves(self._x)), None)
            if first is None or first.ndim == 0 or first.shape[0] == 0:
                raise ValueError(f"`x` holds no samples: there is nothing to make batches of. Received: x={x!r}")
            self.num_samples = int(first.shape[0])
            if whole:
                batch_size, steps, self.steps = self.num_samples, None, None
            self.batch_size = batch_size or (math.ceil(self.num_samples / steps) if steps else 32)
            self.num_batches = steps or math.ceil(self.num_samples / self.batch_size)
        else:
            self._kind = "sequence" if _is_sequence(x) else "iterator"
            if whole:
                raise ValueError(f"`x` must be arrays for a single-batch call; a {type(x).__name__} was passed.")
            if self._kind == "iterator" and (not hasattr(x, "__iter__") or isinstance(x, (str, bytes))):
                raise ValueError(f"Unrecognized data type: x={x!r} (of type {type(x).__name__})")
            source = "Sequence" if self._kind == "sequence" else "Dataset" if _is_dataset(x) else "generator"
            for name, value, what in (("y", y, "the targets"), ("sample_weight", sample_weight, "the sample weights")):
                if value is not None:
                    raise ValueError(
                        f"When providing `x` as a {source}, `{name}` should not be passed. Instead, {what} should "
                        f"be included as part of the {source}."
                    )
            self._source = x
            self.num_batches = steps or (len(x) if self._kind == "sequence" else None)
            if source == "Dataset":  # iterated like any re-iterable object, but its length is known up front
                per_pass = _dataset_batches(x, steps, steps_name)
                self.num_batches = steps or per_pass

    def batches(self):
        """Yield the ``(x, y, sample_weight)`` batches of one epoch. Call :meth:`on_epoch_end` after each epoch.

        Example:
            >>> data = DataAdapter(np.arange(4.0), batch_size=3)
            >>> [x.tolist() for x, _, _ in data.batches()]
            [[0.0, 1.0, 2.0], [3.0]]
        """
        if self._kind == "sequence" and hasattr(self._source, "on_epoch_begin"):
            self._source.on_epoch_begin()
        if self.steps is None:
            count = 0
            for batch in self._one_pass():
                count += 1
                yield self._finish(batch)
            if count == 0 and self._kind == "iterator":
                self._ran_out()
            elif self.num_batches is None:
                self.num_batches = count  # a generator's length, known now that it ended
        else:
            if self._stream is None:
                self._stream = self._endless()
            done, self._done_in_epoch = self._done_in_epoch, 0
            for _ in range(self.steps - done):
                batch = next(self._stream, None)
                if batch is None:
                    self._ran_out()
                    return
                yield self._finish(batch)

    def __iter__(self):
        return self.batches()

    def on_epoch_end(self):
        """Tell a Sequence that the epoch is over (Sequences reshuffle or regenerate their data there)."""
        if self._kind == "sequence":
            self._source.on_epoch_end()

    def _ran_out(self):
        self.exhausted = True
        warnings.warn(RAN_OUT_OF_DATA, stacklevel=3)

    def _endless(self):
        """Pass after pass over the data; stops only when a pass is empty (a used-up generator)."""
        while True:
            empty = True
            resumed = self._resume is not None  # a resumed pass may have nothing left: that is not the data's end
            for batch in self._one_pass():
                empty = False
                yield batch
            if empty and not resumed:
                return

    def _one_pass(self):
        """The raw batches of one pass over the data, as ``(x, y, sample_weight)``; a pass restored by
        :meth:`restore` keeps its saved order and skips the batches already taken."""
        resume, self._resume = self._resume, None
        skip = resume["taken"] if resume else 0
        self._taken = 0
        if self._kind == "iterator":
            # A generator or iterator continues where it stopped; a re-iterable object starts again.
            one_shot = hasattr(self._source, "__next__")
            source = self._source if one_shot else iter(self._source)
            if resume and one_shot:
                skip = resume["consumed"]  # a fresh generator, after a restart, from its first batch
            for batch in source:
                if one_shot:
                    self._consumed += 1
                if skip:
                    skip -= 1
                    self._taken += not one_shot
                    continue
                self._taken += 1
                yield unpack_x_y_sample_weight(batch)
        else:
            order, indices = self._plan(resume)
            self._pass_order = order
            for position in range(skip, len(indices)):
                index, self._taken = indices[position], position + 1
                if self._kind == "sequence":
                    yield unpack_x_y_sample_weight(self._source[int(index)])
                else:
                    yield tuple(_map(lambda a, i=index: _take(a, i), part) for part in (self._x, self._y, self._sw))
        # A finished pass: the next one starts afresh.
        self._pass_order, self._taken = None, 0

    def _plan(self, resume):
        """``(order, indices)`` for one pass: the shuffled order drawn for it (None when unshuffled) — or the one
        saved in ``resume`` — and one index per batch (a Sequence's batch number; for arrays a slice, or an array
        of positions when shuffled)."""
        saved = None if resume is None or resume["order"] is None else np.asarray(resume["order"], dtype=np.int64)
        if self._kind == "sequence":
            count = len(self._source)
            order = saved if saved is not None else global_generator().permutation(count) if self.shuffle else None
            if saved is not None and sorted(saved.tolist()) != list(range(count)):
                raise ValueError(self._changed(f"a Sequence of {count} batches"))
            return order, list(range(count)) if order is None else order
        n, size = self.num_samples, self.batch_size
        starts = np.arange(0, n, size)
        if self.shuffle == "batch":
            # Whole chunks in a new order (the last, partial one stays last): each batch is still a contiguous
            # slice, which is what data that is slow to index at random (HDF5) needs. As Keras 2's batch_shuffle.
            full = n // size
            order = saved if saved is not None else np.concatenate([global_generator().permutation(starts[:full]),
                                                                    starts[full:]])
            if saved is not None and sorted(saved.tolist()) != starts.tolist():
                raise ValueError(self._changed(f"{n} samples in batches of {size}"))
            return order, [slice(int(start), int(start) + size) for start in order]
        if self.shuffle:
            order = saved if saved is not None else global_generator().permutation(n)
            if saved is not None and saved.shape != (n,):
                raise ValueError(self._changed(f"{n} samples"))
            return order, [order[start : start + size] for start in starts]
        return None, [slice(int(start), int(start) + size) for start in starts]

    @staticmethod
    def _changed(now):
        return (f"The saved training position does not fit this data ({now}, shuffled differently or not at all): "
                "resume with the same data, batch_size and shuffle as the interrupted fit.")

    def state(self):
        """Where the current pass over the data stands, as JSON-able data: ``{"order", "taken", "consumed"}``.

        ``order`` is the pass's shuffled order (``None`` unshuffled), ``taken`` the batches handed out from it,
        ``consumed`` the batches drawn from a one-shot generator since the start. :meth:`restore` on an adapter
        over the same data continues from there, for an exact resume (``BackupAndRestore``).

        Example:
            >>> data = DataAdapter(np.arange(6.0), batch_size=2)
            >>> batches = data.batches()
            >>> _ = next(batches)
            >>> data.state()
            {'order': None, 'taken': 1, 'consumed': 0}
        """
        order = None if self._pass_order is None else np.asarray(self._pass_order).tolist()
        return {"order": order, "taken": int(self._taken), "consumed": int(self._consumed)}

    def first_batch(self):
        """The data's first batch, ready for the model, without moving the current pass; ``None`` for a
        generator or Dataset, which cannot be looked into without taking from it."""
        if self._kind == "iterator":
            return None
        if self._kind == "sequence":
            return self._finish(unpack_x_y_sample_weight(self._source[0]))
        first = slice(0, self.batch_size)
        return self._finish(tuple(_map(lambda a: _take(a, first), part) for part in (self._x, self._y, self._sw)))

    def restore(self, state, done_in_epoch=0):
        """Make the next pass continue the one :meth:`state` described: the same order, without the batches
        already taken (they are skipped without being gathered, or drawn and dropped from a generator). With
        ``steps``, the next epoch is shortened by ``done_in_epoch``, the batches the interrupted epoch had done.

        Example:
            >>> data = DataAdapter(np.arange(6.0), batch_size=2)
            >>> data.restore({"order": None, "taken": 2, "consumed": 0})
            >>> [x.tolist() for x, _, _ in data.batches()]
            [[4.0, 5.0]]
        """
        self._resume = {"order": state.get("order"), "taken": int(state.get("taken", 0)),
                        "consumed": int(state.get("consumed", 0))}
        self._stream = None
        self._done_in_epoch = int(done_in_epoch) if self.steps is not None else 0

    def _finish(self, batch):
        """Arrays in floatx, and the class weights folded into the sample weights."""
        names = ("x", "y", "sample_weight")
        x, y, sw = (_map(_cast_floats, _standardize(part, name)) for part, name in zip(batch, names))
        if self.class_weight is not None:
            if y is None or isinstance(y, (list, tuple, dict)):
                raise ValueError(
                    "`class_weight` is only supported for Models with a single output, and needs the targets `y`."
                )
            weights = class_weight_to_sample_weights(y, self.class_weight)
            if sw is None:
                sw = weights
            else:  # line up (N,) class weights with (N, 1, ...) sample weights before multiplying
                sw = sw * weights.reshape(weights.shape + (1,) * (sw.ndim - weights.ndim))
        return x, y, sw


def _take(array, index):
    """Rows ``index`` (a slice or NumPy positions) of a NumPy or CuPy array."""
    return array[index if isinstance(index, slice) else array_module(array).asarray(index)]


def train_validation_split(arrays, validation_split):
    """Split a nest of arrays such as ``(x, y, sample_weight)`` into ``(train, validation)``: the **last**
    ``validation_split`` of the samples, taken before any shuffling, are for validation (as in Keras). ``0`` gives
    ``(arrays, None)``.

    Example:
        >>> (x_train, y_train), (x_val, y_val) = train_validation_split((np.arange(10), np.arange(10) * 2), 0.2)
        >>> x_train.tolist(), x_val.tolist(), y_val.tolist()
        ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9], [16, 18])
    """
    is_number = isinstance(validation_split, (numbers.Real, np.number)) and not isinstance(validation_split, bool)
    if not is_number or not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be in [0, 1). Received: validation_split={validation_split}")
    unsplittable = _not_array_data(arrays)
    if unsplittable:
        raise ValueError(
            "Argument `validation_split` is only supported for tensors or NumPy arrays. "
            f"Found incompatible type in the input: {unsplittable}"
        )
    if isinstance(arrays, (list, tuple)):  # the parts (x, y, sample_weight) never merge into one array
        data = type(arrays)(_standardize(part, "data") for part in arrays)
    else:
        data = _standardize(arrays, "data")
    if validation_split == 0:
        return data, None
    leaves = _leaves(data)
    if not leaves:
        return data, data
    if isinstance(data, tuple) and len(data) <= 3:
        check_data_cardinality(*data)  # the usual (x, y, sample_weight): the message names each part
    else:
        check_data_cardinality(data)
    n = int(leaves[0].shape[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a validation and training "
            f"set as specified by `validation_split={validation_split}`. Either provide more data, or a different "
            "value for the `validation_split` argument."
        )
    return _map(lambda a: a[:split_at], data), _map(lambda a: a[split_at:], data)


def _not_array_data(data):
    """The types in a nest that are not array data (generators, Sequences, ...): those cannot be split."""
    if data is None or isinstance(data, (numbers.Number, np.generic, Tensor)) or is_array(data):
        return []
    if hasattr(data, "__array__"):
        return []
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, (list, tuple)):
        return [kind for value in data for kind in _not_array_data(value)]
    return [type(data)]
