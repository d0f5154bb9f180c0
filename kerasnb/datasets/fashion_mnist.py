"""Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28x28 grayscale, 10 classes."""

import gzip
import os

import numpy as np

from kerasnb.datasets._common import fetch

CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


def _read_idx(path, magic, item_shape):
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = 4 + 4 * (1 + len(item_shape))
    found = int.from_bytes(data[:4], "big")
    if found != magic or len(data) < header:
        raise ValueError(f"{path} is not an IDX file of the expected kind (magic number {found}, expected {magic}); "
                         "delete it so that it is downloaded again.")
    count = int.from_bytes(data[4:8], "big")
    # copy(): frombuffer over bytes is read-only, and in-place scaling (x /= 255 after astype) is common.
    return np.frombuffer(data, np.uint8, offset=header).reshape(count, *item_shape).copy()


def load_data():
    """Load Fashion-MNIST, downloading it (30 MB) on first use.

    The classes, in label order, are in ``CLASS_NAMES``: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal,
    Shirt, Sneaker, Bag, Ankle boot.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape ``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` with values 0..255, and ``uint8`` labels 0..9 of shape ``(60000,)`` and ``(10000,)``.

    License: the copyright of Fashion-MNIST is held by Zalando SE; it is available under the MIT license.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()  # doctest: +SKIP
        >>> keras.datasets.fashion_mnist.CLASS_NAMES[y_train[0]]  # doctest: +SKIP
        'Ankle boot'
    """
    # Keras keeps these four files in their own folder.
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [
        fetch(name, cache_subdir=subdir)
        for name in (
            "train-labels-idx1-ubyte.gz",
            "train-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
        )
    ]
    y_train = _read_idx(paths[0], 2049, ())
    x_train = _read_idx(paths[1], 2051, (28, 28))
    y_test = _read_idx(paths[2], 2049, ())
    x_test = _read_idx(paths[3], 2051, (28, 28))
    return (x_train, y_train), (x_test, y_test)
