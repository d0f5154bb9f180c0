"""Datasets from arrays: ``timeseries_dataset_from_array`` and ``split_dataset``, plus the file indexing that
``image_dataset_from_directory`` and ``text_dataset_from_directory`` share.

They return :class:`kerasnb.data.Dataset` objects (tf.data's ``Dataset``, in plain Python). ``kerasnb.data`` is
imported when one of these functions is first called, which keeps ``import kerasnb`` fast.

Example:
    >>> left, right = keras.utils.split_dataset(np.arange(10), left_size=0.8)
    >>> [int(x) for x in right]
    [8, 9]
"""

import os
import random

import numpy as np

from kerasnb.engine.tensor import Tensor


def _dataset_class():
    from kerasnb.data import Dataset

    return Dataset


def _as_array(x):
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


# ---------------------------------------------------------------------------------------------------------
# timeseries_dataset_from_array
# ---------------------------------------------------------------------------------------------------------


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """A dataset of sliding windows over a time series: each element is ``sequence_length`` timesteps of
    ``data`` (axis 0 is time), with their target if ``targets`` is given.

    Window ``k`` starts at timestep ``start_index + k * sequence_stride`` and takes every ``sampling_rate``-th
    timestep from there; only windows that end before ``end_index`` (default: the end of ``data``) are made.
    Its target is ``targets[start]``, the target at the window's *first* timestep: to predict the step after a
    window, pass ``data[:-n]`` and ``targets = data[n:]``. Windows are cut out lazily, as they are iterated.

    Args:
        data: an array (or tensor) whose first axis is time.
        targets: the targets, aligned with ``data`` (``targets[i]`` goes with the window starting at ``i``),
            or ``None`` for a dataset of windows only.
        sequence_length: timesteps per window.
        sequence_stride: timesteps between the starts of consecutive windows.
        sampling_rate: timesteps between the samples of one window.
        batch_size: windows per batch, or ``None`` for single windows.
        shuffle: shuffle the windows (a different order each epoch).
        seed: the seed for shuffling.
        start_index, end_index: use only ``data[start_index:end_index]``.

    Returns:
        A :class:`kerasnb.data.Dataset` of ``(windows, targets)`` batches, or of ``windows`` without targets.

    Example:
        >>> ds = keras.utils.timeseries_dataset_from_array(np.arange(10), None, sequence_length=3,
        ...                                                sequence_stride=3, batch_size=2)
        >>> [batch.tolist() for batch in ds]
        [[[0, 1, 2], [3, 4, 5]], [[6, 7, 8]]]
        >>> data = np.arange(100)
        >>> ds = keras.utils.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
        >>> x, y = next(iter(ds))
        >>> x[0].tolist(), int(y[0])  # the first 10 steps, and the step after them
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10)
    """
    data = _as_array(data)
    targets = None if targets is None else _as_array(targets)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= len(data):
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {len(data)}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index}")
        if end_index >= len(data):
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {len(data)}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= len(data):
            raise ValueError(f"`{name}` must be lower than the length of the data. Received: {name}={value}, for "
                             f"data of length {len(data)}")
    start_index = start_index or 0
    end_index = end_index or len(data)

    # Window k starts at offset starts[k] into data[start_index:end_index].
    num_windows = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_windows = min(num_windows, len(targets))
    starts = np.arange(0, max(num_windows, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = np.random.randint(10**6)
        np.random.RandomState(seed).shuffle(starts)
    steps = np.arange(sequence_length) * sampling_rate
    series = data[start_index:end_index]

    Dataset = _dataset_class()
    dataset = Dataset.from_tensor_slices(starts)
    if targets is None:
        dataset = dataset.map(lambda start: series[start + steps])
    else:
        aligned_targets = targets[start_index:]
        dataset = dataset.map(lambda start: (series[start + steps], aligned_targets[start]))
    if shuffle:
        # The starts are shuffled once above; this reshuffles nearby windows every epoch, as Keras does.
        dataset = dataset.shuffle(buffer_size=1024 if batch_size is None else batch_size * 8, seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset


# ---------------------------------------------------------------------------------------------------------
# split_dataset
# ---------------------------------------------------------------------------------------------------------


def _batch_size_of(dataset):
    """The batch size of the nearest ``batch`` step feeding ``dataset`` (``None`` if there is none)."""
    while dataset is not None:
        if hasattr(dataset, "_batch_size"):
            return dataset._batch_size
        inputs = getattr(dataset, "_inputs", ())
        dataset = inputs[0] if len(inputs) == 1 else None
    return None


def _samples_of(dataset):
    """``dataset`` as a list of samples, and how to build the halves: ``(samples, structure, batch_size)``."""
    Dataset = _dataset_class()
    if isinstance(dataset, Dataset):
        batched = dataset._batched()
        if batched is None:  # unknown, e.g. after a map: batched if a `batch` step feeds it
            batched = _batch_size_of(dataset) is not None
        batch_size = _batch_size_of(dataset) if batched else None
        samples = list(dataset.unbatch() if batched else dataset)
        if not samples:
            raise ValueError("Received an empty dataset: `split_dataset` needs at least one sample.")
        return samples, batch_size
    if isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError("Received an empty list/tuple: pass a non-empty list or tuple of NumPy arrays.")
        arrays = [_as_array(a) if isinstance(a, Tensor) else a for a in dataset]
        for i, array in enumerate(arrays):
            if not isinstance(array, np.ndarray):
                raise ValueError(f"Expected a list or tuple of NumPy arrays. Received {type(array).__name__} at "
                                 f"index {i}.")
            if len(array) != len(arrays[0]):
                raise ValueError(f"The arrays must have the same length (the number of samples). Array 0 has "
                                 f"{len(arrays[0])} and array {i} has {len(array)}.")
        return list(zip(*arrays)), None
    if isinstance(dataset, (np.ndarray, Tensor)):
        array = _as_array(dataset)
        if not len(array):
            raise ValueError("Received an empty array: `split_dataset` needs at least one sample.")
        return list(array), None
    raise TypeError(f"The `dataset` argument must be a kerasnb.data.Dataset, a NumPy array or a list/tuple of "
                    f"arrays. Received: dataset={dataset!r} of type {type(dataset).__name__}")


def _stack_samples(samples):
    """Samples (arrays, or tuples/dicts of them) stacked into one structure of arrays."""
    first = samples[0]
    if isinstance(first, dict):
        return {key: _stack_samples([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        return tuple(_stack_samples([s[i] for s in samples]) for i in range(len(first)))
    return np.stack([np.asarray(s) for s in samples])


def _split_sizes(left_size, right_size, total):
    """Keras's rules for ``left_size``/``right_size``: ints count samples, floats are fractions of ``total``."""
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"`{name}` must be an int (a number of samples), a float (a fraction) or None. "
                            f"Received: {name}={size!r} of type {type(size).__name__}")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero: at least one must be positive.")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and not 0 < size < total) or (type(size) is float and not 0 < size < 1):
            raise ValueError(f"`{name}` must be a positive integer smaller than {total} (the number of samples) "
                             f"or a float within the range (0, 1). Received: {name}={size}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError(f"`left_size` + `right_size` is greater than 1: they are fractions of the data. Received: "
                         f"left_size={left_size}, right_size={right_size}")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"`left_size` + `right_size` ({left} + {right} samples) is more than the {total} samples "
                         "of the dataset.")
    for side, size in (("left", left), ("right", right)):
        if size == 0:
            raise ValueError(f"With a dataset of {total} samples, left_size={left_size} and right_size={right_size}"
                             f", the {side} split would be empty. Adjust the sizes.")
    return int(left), int(right)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split a dataset into a left part and a right part (e.g. training and test data).

    Args:
        dataset: a :class:`kerasnb.data.Dataset` (a batched one is split by samples, and both parts are
            batched the same way), a NumPy array, or a list/tuple of arrays of the same length (split row-wise).
        left_size: an int (a number of samples) or a float in (0, 1) (a fraction of them, rounded) for the left
            part. ``None`` means "the rest" after ``right_size``.
        right_size: the same for the right part; the right part is taken from the end.
        shuffle: shuffle the samples before splitting.
        seed: the seed for shuffling.

    Returns:
        A tuple of two :class:`kerasnb.data.Dataset` objects: the left and right parts. (The whole dataset is
        read into memory, so keep this for small datasets.)

    Example:
        >>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
        >>> left, right = keras.utils.split_dataset((x, y), left_size=3)
        >>> len(left), len(right)
        (3, 2)
        >>> [(a.tolist(), int(b)) for a, b in right]
        [([6, 7], 3), ([8, 9], 4)]
    """
    if left_size is None and right_size is None:
        raise ValueError("At least one of `left_size` and `right_size` must be given. Received: left_size=None and "
                         "right_size=None")
    samples, batch_size = _samples_of(dataset)
    if shuffle:
        if seed is None:
            seed = random.randint(0, 10**6)
        random.Random(seed).shuffle(samples)
    left, right = _split_sizes(left_size, right_size, len(samples))
    Dataset = _dataset_class()
    parts = []
    for part in (samples[:left], samples[len(samples) - right:]):
        part = Dataset.from_tensor_slices(_stack_samples(part))
        parts.append(part.batch(batch_size) if batch_size else part)
    return tuple(parts)


# ---------------------------------------------------------------------------------------------------------
# Files in class folders: shared by image_dataset_from_directory and text_dataset_from_directory
# ---------------------------------------------------------------------------------------------------------


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Raise a ``ValueError`` for an invalid combination of ``validation_split``, ``subset``, ``shuffle`` and
    ``seed``."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1. Received: validation_split={validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"`subset` and `validation_split` go together: set both or neither. Received: "
                         f"validation_split={validation_split}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be "training", "validation" or "both". Received: subset={subset!r}')
    if validation_split and shuffle and seed is None:
        raise ValueError("When using `validation_split` and shuffling the data, pass a `seed`, so that the training "
                         "and validation subsets, made by separate calls, do not overlap.")


def _files_in(directory, follow_links, formats):
    """The files under ``directory`` (recursively) whose names end in one of ``formats``, in sorted order."""
    found = []
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda walked: walked[0]):
        found += [os.path.join(root, name) for name in sorted(files) if name.lower().endswith(formats)]
    return found


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False,
                    verbose=True):
    """List the files in ``directory`` with their labels: ``(file_paths, labels, class_names)``.

    With ``labels="inferred"``, each subdirectory is a class (in alphanumeric order, or the order of
    ``class_names``) and a file's label is its class's index; otherwise the files are read from the whole tree
    and ``labels`` is ``None`` or a list with one label per file (in sorted path order). ``shuffle`` shuffles
    files and labels together, with ``seed``.
    """
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` must be an existing directory. Received: directory={directory!r}")
    if labels == "inferred":
        subdirs = [name for name in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"The `class_names` passed did not match the names of the subdirectories of the "
                                 f"target directory. Expected: {subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = list(class_names)  # keep the order given
    else:
        subdirs = [""]
        if class_names is not None:
            raise ValueError("`class_names` can only be passed with `labels='inferred'`: with `labels=None` there "
                             "are no classes, and with a list of labels the class names are the sorted labels. "
                             f"Received: labels={labels!r}, class_names={class_names}")

    file_paths, file_classes = [], []
    for index, subdir in enumerate(subdirs):
        found = _files_in(os.path.join(directory, subdir), follow_links, formats)
        file_paths += found
        file_classes += [index] * len(found)

    if labels == "inferred":
        class_names = subdirs
        labels = np.array(file_classes, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(file_paths):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target "
                             f"directory. len(labels) is {len(labels)} while we found {len(file_paths)} files in "
                             f"directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(file_paths)} files.")
        else:
            print(f"Found {len(file_paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        # One permutation for both (a fresh generator with the same seed shuffles equal lengths alike).
        if seed is None:
            seed = np.random.randint(10**6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(samples, labels, validation_split, subset, verbose=True):
    """The training part (the first ``1 - validation_split``) or the validation part (the rest) of ``samples``
    and ``labels``; everything when ``validation_split`` is not set."""
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    cut = len(samples) - num_val
    if subset == "training":
        if verbose:
            print(f"Using {cut} files for training.")
        return samples[:cut], None if labels is None else labels[:cut]
    if subset == "validation":
        if verbose:
            print(f"Using {num_val} files for validation.")
        return samples[cut:], None if labels is None else labels[cut:]
    raise ValueError(f'`subset` must be "training" or "validation". Received: subset={subset!r}')


def encode_labels(labels, label_mode, num_classes):
    """Integer labels as Keras gives them: ``int`` int32 ``(n,)``, ``binary`` float32 ``(n, 1)``,
    ``categorical`` float32 one-hot ``(n, num_classes)``."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    return labels.astype("int32")


def check_label_args(labels, label_mode, class_names, what):
    """Validate ``labels`` and ``label_mode`` as Keras does; returns them, both ``None`` when either is."""
    if not (labels is None or isinstance(labels, str) and labels == "inferred"):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"`labels` argument should be a list/tuple of integer labels, of the same size as the "
                             f"number of {what} files in the target directory. If you wish to infer the labels "
                             "from the subdirectory names in the target directory, pass `labels='inferred'`. If "
                             f"you wish to get a dataset that only contains {what}s (no labels), pass "
                             f"`labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError(f"You can only pass `class_names` if `labels='inferred'`. Received: labels={labels}, "
                             f"and class_names={class_names}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode
