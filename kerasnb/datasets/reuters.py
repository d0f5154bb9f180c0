"""Reuters newswires: 11,228 short news stories labeled with one of 46 topics.

Each newswire is a list of word indices, encoded as in :mod:`kerasnb.datasets.imdb`.
"""

import json

import numpy as np

from kerasnb.datasets._common import check_test_split, fetch, load_npz, object_array
from kerasnb.datasets._sequences import limit_vocabulary, offset_words, remove_long


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Load Reuters, downloading it (2 MB) on first use, and encode it as Keras does.

    Args:
        path: the file name in the cache (``~/.keras/datasets``).
        num_words, skip_top, maxlen, start_char, oov_char, index_from: as in
            :func:`kerasnb.datasets.imdb.load_data`.
        test_split: the fraction of the (shuffled) newswires kept for the test set.
        seed: the seed of the shuffle.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` are 1-D object arrays of lists of ints, ``y`` are
        ``int64`` topic labels 0..45 (names in :func:`get_label_names`). With the defaults, 8,982 and 2,246.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.reuters.load_data(num_words=10000)  # doctest: +SKIP
        >>> len(x_train), len(x_test)  # doctest: +SKIP
        (8982, 2246)
    """
    check_test_split(test_split)
    arrays = load_npz(fetch("reuters.npz", fname=path))
    xs, labels = arrays["x"], arrays["y"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]

    xs = offset_words(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)

    idx = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return (object_array(xs[:idx]), np.array(labels[:idx])), (object_array(xs[idx:]), np.array(labels[idx:]))


def get_word_index(path="reuters_word_index.json"):
    """The dict ``{word: index}`` of Reuters (add ``index_from``, 3 by default, to match ``load_data``).

    Example:
        >>> keras.datasets.reuters.get_word_index()["the"]  # doctest: +SKIP
        1
    """
    with open(fetch("reuters_word_index.json", fname=path), encoding="utf8") as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, indexed by label.

    Example:
        >>> names = keras.datasets.reuters.get_label_names()
        >>> len(names), names[3]
        (46, 'earn')
    """
    return (
        "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
        "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
        "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
        "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
        "dlr", "gas", "silver", "wpi", "hog", "lead",
    )
