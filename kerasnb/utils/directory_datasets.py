"""Datasets from folders of files: ``image_dataset_from_directory`` and ``text_dataset_from_directory``.

Put each class's files in a subfolder named after the class::

    flowers/
        daisy/  img_1.jpg  img_2.png ...
        tulip/  img_7.jpg ...

and ``image_dataset_from_directory("flowers")`` gives a :class:`kerasnb.data.Dataset` of ``(images, labels)``
batches, labels 0 for ``daisy`` and 1 for ``tulip`` (classes in alphanumeric order). Only the file names are
read up front; each file is read when its batch is made (``paths -> shuffle -> map(load) -> batch``), so a
folder larger than memory works, one batch at a time.

Example:
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name, text in [("neg/a.txt", "awful"), ("neg/b.txt", "bad"), ("pos/c.txt", "good")]:
    ...     (root / name).parent.mkdir(exist_ok=True)
    ...     _ = (root / name).write_text(text)
    >>> ds = keras.utils.text_dataset_from_directory(root, batch_size=2, shuffle=False)
    Found 3 files belonging to 2 classes.
    >>> ds.class_names
    ['neg', 'pos']
    >>> [(texts.tolist(), labels.tolist()) for texts, labels in ds]
    [(['awful', 'bad'], [0, 0]), (['good'], [1])]
"""

import codecs

import numpy as np

from kerasnb import config
from kerasnb.utils import dataset_utils, image_utils

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")
# What Keras (on TensorFlow) accepts besides: named in the error, so that the message says what is missing here.
_TF_ONLY_INTERPOLATIONS = ("area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")


# ---------------------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------------------


def _read_image(path, color_mode):
    """One image file as a float32 ``(height, width, channels)`` array with 1, 3 or 4 channels."""
    with open(path, "rb") as f:
        img = image_utils._open(f.read())
    mode = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}[color_mode]
    if img.mode.startswith("I"):
        # 16-bit greyscale: keep the high byte, as TensorFlow decodes such a file to 8 bits (Keras's loader),
        # so that every image of a dataset is on the same 0-255 scale whatever its bit depth.
        img = image_utils.Image((np.asarray(img).astype(np.int64) >> 8).clip(0, 255).astype(np.uint8), "L")
    if img.mode != mode:
        img = img.convert(mode)
    pixels = np.asarray(img, dtype="float32")
    return pixels[..., None] if pixels.ndim == 2 else pixels


def _crop_to_aspect_ratio(x, size):
    """The largest centred window of ``x`` with the aspect ratio of ``size`` (Keras's ``smart_resize``)."""
    height, width = x.shape[:2]
    target_height, target_width = size
    crop_height = max(min(height, int(width * target_height / target_width)), 1)
    crop_width = max(min(width, int(height * target_width / target_height)), 1)
    top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
    return x[top:top + crop_height, left:left + crop_width]


def _resize(x, size, interpolation):
    """Resize a ``(height, width, channels)`` float array as ``tf.image.resize`` does (pixel centres aligned,
    no antialiasing): one weight matrix per axis, from the Resizing layer's code."""
    from kerasnb.layers.preprocessing.image import resize_weights

    weights_h = resize_weights(x.shape[0], size[0], interpolation)
    weights_w = resize_weights(x.shape[1], size[1], interpolation)
    return np.einsum("yh,hwc,xw->yxc", weights_h, x, weights_w, optimize=True).astype("float32")


def _resize_with_pad(x, size, interpolation):
    """Shrink or enlarge ``x`` to fit in ``size`` without distortion, then pad with zeros around it, centred
    (``tf.image.resize_with_pad``)."""
    height, width = x.shape[:2]
    target_height, target_width = size
    ratio = max(width / target_width, height / target_height)
    new_height, new_width = max(int(height / ratio), 1), max(int(width / ratio), 1)
    top = max(0, int((target_height - height / ratio) / 2))
    left = max(0, int((target_width - width / ratio) / 2))
    padded = np.zeros((target_height, target_width, x.shape[2]), dtype="float32")
    padded[top:top + new_height, left:left + new_width] = _resize(x, (new_height, new_width), interpolation)
    return padded


def load_image(path, image_size, color_mode="rgb", interpolation="bilinear", data_format="channels_last",
               crop_to_aspect_ratio=False, pad_to_aspect_ratio=False):
    """Read one image file and resize it to ``image_size = (height, width)``: a float32 array of shape
    ``(height, width, channels)`` (or ``(channels, height, width)`` for ``channels_first``), values 0-255.

    This is what ``image_dataset_from_directory`` maps over the file paths.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "a.png")
        >>> keras.utils.save_img(path, np.zeros((4, 6, 3)))
        >>> from kerasnb.utils.directory_datasets import load_image
        >>> load_image(path, (2, 3)).shape, load_image(path, (2, 3), "grayscale", data_format="channels_first").shape
        ((2, 3, 3), (1, 2, 3))
    """
    x = _read_image(path, color_mode)
    if crop_to_aspect_ratio:
        x = _resize(_crop_to_aspect_ratio(x, image_size), image_size, interpolation)
    elif pad_to_aspect_ratio:
        x = _resize_with_pad(x, image_size, interpolation)
    else:
        x = _resize(x, image_size, interpolation)
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x


def _make_dataset(paths, labels, label_mode, num_classes, load, shuffle, shuffle_buffer_size, seed, batch_size,
                  class_names):
    """``paths`` (and labels) -> shuffle -> map(load) -> batch: files are read only as batches are made."""
    from kerasnb.data import AUTOTUNE, Dataset

    paths = np.array(paths, dtype=str)
    if label_mode:
        dataset = Dataset.from_tensor_slices((paths, dataset_utils.encode_labels(labels, label_mode, num_classes)))
    else:
        dataset = Dataset.from_tensor_slices(paths)
    if shuffle:
        dataset = dataset.shuffle(buffer_size=shuffle_buffer_size, seed=seed)
    if label_mode:
        dataset = dataset.map(lambda path, label: (load(path), label))
    else:
        dataset = dataset.map(load)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    dataset = dataset.prefetch(AUTOTUNE)
    dataset.class_names = class_names  # as in Keras: users read the classes (and files) off the dataset
    dataset.file_paths = [str(p) for p in paths]
    return dataset


def _datasets_from_files(directory, what, formats, labels, label_mode, class_names, batch_size, shuffle, seed,
                         validation_split, subset, follow_links, verbose, load, before_building=None):
    """The part that image and text datasets share: index the files, pick the subset(s), build the dataset(s)."""
    labels, label_mode = dataset_utils.check_label_args(labels, label_mode, class_names, what)
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(10**6)
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=formats, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={class_names}")
    if before_building is not None:
        before_building(paths)
    common = dict(label_mode=label_mode, num_classes=len(class_names) if class_names else 0, load=load,
                  shuffle_buffer_size=1024 if batch_size is None else batch_size * 8, seed=seed,
                  batch_size=batch_size, class_names=class_names)
    allowed = f"Allowed formats: {formats}"
    if subset == "both":
        train = dataset_utils.get_training_or_validation_split(paths, labels, validation_split, "training", verbose)
        val = dataset_utils.get_training_or_validation_split(paths, labels, validation_split, "validation", verbose)
        if not len(train[0]):
            raise ValueError(f"No training {what} files found in directory {directory}. {allowed}")
        if not len(val[0]):
            raise ValueError(f"No validation {what} files found in directory {directory}. {allowed}")
        # The validation set is not shuffled (its order does not matter), as in Keras.
        return (_make_dataset(*train, shuffle=shuffle, **common), _make_dataset(*val, shuffle=False, **common))
    paths, labels = dataset_utils.get_training_or_validation_split(paths, labels, validation_split, subset, verbose)
    if not len(paths):
        raise ValueError(f"No {what} files found in directory {directory}. {allowed}")
    return _make_dataset(paths, labels, shuffle=shuffle, **common)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, data_format=None,
                                 verbose=True):
    """A :class:`kerasnb.data.Dataset` of images (and labels) from the image files in a folder.

    With ``labels="inferred"``, each subfolder of ``directory`` is a class, in alphanumeric order (or the
    order of ``class_names``), and holds that class's images (``.png``, ``.jpg``, ``.jpeg``, ``.bmp``, ``.gif``,
    in any depth of subfolders). Without Pillow only PNG files can be read (``pip install pillow`` for the
    rest). Images are read as their batch is made, converted to ``color_mode`` and resized to ``image_size``.

    Args:
        directory: the folder.
        labels: ``"inferred"`` (from the subfolders), ``None`` (images only) or a list of integer labels, one per
            file in sorted path order.
        label_mode: ``"int"`` (int32 labels, shape ``(batch,)``), ``"categorical"`` (float32 one-hot, shape
            ``(batch, num_classes)``), ``"binary"`` (float32 0/1, shape ``(batch, 1)``, for 2 classes) or
            ``None`` (no labels).
        class_names: the subfolders to use, in this order (only with ``labels="inferred"``).
        color_mode: ``"rgb"`` (3 channels), ``"rgba"`` (4) or ``"grayscale"`` (1).
        batch_size: images per batch, or ``None`` for single images.
        image_size: ``(height, width)`` every image is resized to (an int means a square).
        shuffle: shuffle the files (and, each epoch, nearby files again); ``False`` keeps the sorted order.
        seed: the seed for shuffling; needed with ``validation_split`` and ``shuffle``, so that the training
            and validation calls split the same shuffled list.
        validation_split: the fraction of the files to hold out for validation (the last ones).
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a ``(train, validation)`` tuple), with
            ``validation_split``.
        interpolation: how to resize: ``"bilinear"`` (default), ``"nearest"`` or ``"bicubic"``.
        follow_links: follow symbolic links to subfolders.
        crop_to_aspect_ratio: crop the largest centred window with the target's aspect ratio before resizing,
            instead of distorting the image.
        pad_to_aspect_ratio: resize without distortion to fit, and pad with zeros around it.
        data_format: ``"channels_last"`` (images ``(height, width, channels)``) or ``"channels_first"``;
            default ``keras.config.image_data_format()``.
        verbose: print how many files and classes were found.

    Returns:
        A dataset of ``(images, labels)`` batches (just images when ``label_mode`` or ``labels`` is None), with
        the images float32 with values 0-255, and ``class_names`` and ``file_paths`` attributes. With
        ``subset="both"``, a ``(training, validation)`` tuple of datasets.

    Example:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> for name in ["cat/1.png", "cat/2.png", "dog/3.png"]:
        ...     os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
        ...     keras.utils.save_img(os.path.join(root, name), np.random.random((8, 8, 3)))
        >>> ds = keras.utils.image_dataset_from_directory(root, image_size=(4, 4), batch_size=2, shuffle=False)
        Found 3 files belonging to 2 classes.
        >>> [(images.shape, labels.tolist()) for images, labels in ds]
        [((2, 4, 4, 3), [0, 0]), ((1, 4, 4, 3), [1])]
        >>> ds.class_names
        ['cat', 'dog']
    """
    if color_mode not in ("rgb", "rgba", "grayscale"):
        raise ValueError(f'`color_mode` must be one of "rgb", "rgba" or "grayscale". Received: color_mode={color_mode}')
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(f"Invalid `image_size` value. Expected a tuple of 2 integers (height, width). Received: "
                         f"image_size={image_size}")
    image_size = (int(image_size[0]), int(image_size[1]))
    interpolation = interpolation.lower()
    if interpolation in _TF_ONLY_INTERPOLATIONS:
        raise ValueError(f"kerasnb resizes with {_INTERPOLATIONS}; interpolation={interpolation!r} (a TensorFlow "
                         "resize method) is not available. Use one of those.")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_INTERPOLATIONS}. Received: "
                         f"interpolation={interpolation}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.")
    data_format = config.standardize_data_format(data_format)

    def load(path):
        return load_image(str(path), image_size, color_mode, interpolation, data_format, crop_to_aspect_ratio,
                          pad_to_aspect_ratio)

    def check_readable(paths):
        # Say now, rather than when the first batch is read, that these files need Pillow.
        if image_utils.pil_image() is None:
            others = [p for p in paths if not p.lower().endswith(".png")]
            if others:
                raise image_utils._needs_pillow(f"Reading {len(others)} non-PNG image files (such as {others[0]!r})")

    return _datasets_from_files(directory, "image", ALLOWLIST_FORMATS, labels, label_mode, class_names, batch_size,
                                shuffle, seed, validation_split, subset, follow_links, verbose, load,
                                before_building=check_readable)


# ---------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------


def _read_text(path, max_length):
    """A text file's contents as a string, cut to its first ``max_length`` bytes (as Keras, which counts bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if max_length is None:
        return data.decode("utf-8", errors="replace")
    # A cut may fall inside a multi-byte character: an incremental decoder that is not told the input is
    # complete leaves that partial character out instead of turning it into a replacement character.
    return codecs.getincrementaldecoder("utf-8")(errors="replace").decode(data[:max_length], final=False)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A :class:`kerasnb.data.Dataset` of texts (and labels) from the ``.txt`` files in a folder.

    The folder layout, labels, shuffling and splitting work as in :func:`image_dataset_from_directory`. Each
    element holds a file's whole contents as one string. Texts come as NumPy ``str`` arrays (TensorFlow
    gives bytes): they go straight into ``TextVectorization`` (which takes ``str`` and ``bytes`` alike), print
    readably and work with custom ``standardize`` functions that use ``str`` methods. Files are read as UTF-8,
    undecodable bytes becoming U+FFFD.

    Args:
        directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split, subset,
            follow_links, verbose: as for :func:`image_dataset_from_directory`.
        max_length: keep only the first ``max_length`` bytes of each file (a character cut in two is dropped).

    Returns:
        A dataset of ``(texts, labels)`` batches, texts a ``str`` array of shape ``(batch,)`` (just texts when
        ``label_mode`` or ``labels`` is None), with a ``class_names`` attribute. With ``subset="both"``, a
        ``(training, validation)`` tuple of datasets.

    Example:
        >>> import pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> for i in range(4):
        ...     (root / "ab"[i % 2]).mkdir(exist_ok=True)
        ...     _ = (root / "ab"[i % 2] / f"{i}.txt").write_text(f"text number {i}")
        >>> train, val = keras.utils.text_dataset_from_directory(root, validation_split=0.25, subset="both",
        ...                                                      seed=1, max_length=6)
        Found 4 files belonging to 2 classes.
        Using 3 files for training.
        Using 1 files for validation.
        >>> texts, labels = next(iter(val))
        >>> texts.tolist(), labels.dtype
        (['text n'], dtype('int32'))
    """
    return _datasets_from_files(directory, "text", (".txt",), labels, label_mode, class_names, batch_size, shuffle,
                                seed, validation_split, subset, follow_links, verbose,
                                load=lambda path: _read_text(str(path), max_length))
