"""Handwritten digits that ship with kerasnb: 1,797 images of 8x8 block counts, no download needed.

The UCI "Optical Recognition of Handwritten Digits" test set by E. Alpaydin and C. Kaynak (1998), CC BY 4.0,
https://doi.org/10.24432/C50P49, as packaged by scikit-learn (``load_digits``). Each pixel counts the "on"
pixels in a 4x4 block of a 32x32 bitmap, so values run from 0 to 16 (not 255): divide by 16 to scale to
[0, 1]. Small enough to train a classifier in seconds, in a notebook or in the browser. See
``data/DIGITS_LICENSE.txt`` for the attribution.
"""

import os

import numpy as np

from kerasnb.datasets._common import check_test_split, shuffled

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits.npz")


def load_data(test_split=0.2, seed=113):
    """Load the bundled digits, shuffled with ``seed`` and split as Keras's loaders split.

    Args:
        test_split: the fraction of the shuffled images kept for the test set.
        seed: the seed of the shuffle (``np.random.RandomState(seed)``); the same seed gives the same split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape ``(n, 8, 8)`` with values 0..16,
        and ``uint8`` labels 0..9 of shape ``(n,)``. With the defaults 1,437 training and 360 test images.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
        >>> x_train.shape, x_test.shape, x_train.dtype, int(x_train.max())
        ((1437, 8, 8), (360, 8, 8), dtype('uint8'), 16)
        >>> np.bincount(np.concatenate([y_train, y_test])).tolist()  # images per digit
        [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
        >>> model = keras.Sequential([keras.layers.Flatten(input_shape=(8, 8)),
        ...                           keras.layers.Dense(10, activation="softmax")])
        >>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> history = model.fit(x_train / 16, y_train, epochs=2, verbose=0)
    """
    check_test_split(test_split)
    with np.load(_PATH, allow_pickle=False) as f:
        x, y = f["images"], f["labels"]
    x, y = shuffled(seed, x, y)
    n = int(len(x) * (1 - test_split))
    return (x[:n], y[:n]), (x[n:], y[n:])
