"""CIFAR-100: 50,000 training and 10,000 test color images, 32x32, in 100 classes grouped into 20."""

import os

import numpy as np

from kerasnb.datasets._cifar import batch_path, load_batch, to_data_format
from kerasnb.datasets._common import fetch


def load_data(label_mode="fine"):
    """Load CIFAR-100, downloading it (161 MB, from the CIFAR homepage as Keras does) on first use.

    Args:
        label_mode: ``'fine'`` for the 100 classes, ``'coarse'`` for the 20 superclasses.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape ``(50000, 32, 32, 3)`` and
        ``(10000, 32, 32, 3)`` (``(n, 3, 32, 32)`` under ``'channels_first'``) with values 0..255, and
        ``int64`` labels (0..99 fine, 0..19 coarse; the dtype Keras returns too) of shape ``(50000, 1)`` and
        ``(10000, 1)``.

    Example:
        >>> (x_train, y_train), _ = keras.datasets.cifar100.load_data("coarse")  # doctest: +SKIP
        >>> int(y_train.max())  # doctest: +SKIP
        19
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"`label_mode` must be 'fine' or 'coarse'. Received: label_mode={label_mode!r}")
    path = fetch("cifar-100-python.tar.gz", fname="cifar-100-python-target", extract=True)
    folder = os.path.join(path, "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = load_batch(batch_path(folder, "train"), label_key=key)
    x_test, y_test = load_batch(batch_path(folder, "test"), label_key=key)
    y_train = np.reshape(np.asarray(y_train, dtype=np.int64), (-1, 1))
    y_test = np.reshape(np.asarray(y_test, dtype=np.int64), (-1, 1))
    return (to_data_format(x_train), y_train), (to_data_format(x_test), y_test)
