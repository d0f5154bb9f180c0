"""CIFAR-10: 50,000 training and 10,000 test color images, 32x32, in 10 classes."""

import os

import numpy as np

from kerasnb.datasets._cifar import batch_path, load_batch, to_data_format
from kerasnb.datasets._common import fetch

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_data():
    """Load CIFAR-10, downloading it (163 MB, from the CIFAR homepage as Keras does) on first use.

    The classes, in label order, are in ``CLASS_NAMES``: airplane, automobile, bird, cat, deer, dog, frog,
    horse, ship, truck.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape ``(50000, 32, 32, 3)`` and
        ``(10000, 32, 32, 3)`` (``(n, 3, 32, 32)`` when ``keras.config.image_data_format()`` is
        ``'channels_first'``) with values 0..255, and ``uint8`` labels 0..9 of shape ``(50000, 1)`` and
        ``(10000, 1)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape  # doctest: +SKIP
        ((50000, 32, 32, 3), (50000, 1))
    """
    # Keras 3's cache names: the archive is kept as cifar-10-batches-py-target_archive, extracted next to it.
    path = fetch("cifar-10-python.tar.gz", fname="cifar-10-batches-py-target", extract=True)
    folder = os.path.join(path, "cifar-10-batches-py")
    xs, ys = [], []
    for i in range(1, 6):
        data, labels = load_batch(batch_path(folder, f"data_batch_{i}"))
        xs.append(data)
        ys.append(np.asarray(labels, dtype=np.uint8))
    x_test, y_test = load_batch(batch_path(folder, "test_batch"))
    x_train = np.concatenate(xs)
    y_train = np.concatenate(ys).reshape(-1, 1)
    y_test = np.asarray(y_test, dtype=np.uint8).reshape(-1, 1)
    return (to_data_format(x_train), y_train), (to_data_format(x_test), y_test)
