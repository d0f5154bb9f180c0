"""IMDB movie reviews: 25,000 training and 25,000 test reviews labeled positive (1) or negative (0).

Each review is a list of word indices, words being ranked by how often they occur in the training set (index
1 is the most frequent word), then shifted by ``index_from`` to leave room for padding (0), start (1) and
out-of-vocabulary (2) marks.
"""

import json

import numpy as np

from kerasnb.datasets._common import fetch, load_npz, object_array
from kerasnb.datasets._sequences import limit_vocabulary, offset_words, remove_long


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Load IMDB, downloading it (17 MB) on first use, and encode it as Keras does.

    Args:
        path: the file name in the cache (``~/.keras/datasets``).
        num_words: keep the ``num_words`` most frequent words (indices below ``num_words`` after the shift);
            rarer words become ``oov_char``. ``None`` keeps all.
        skip_top: also turn words with an index below ``skip_top`` (after the shift) into ``oov_char``.
        maxlen: keep only the sequences shorter than ``maxlen`` (counting the start mark); ``None`` keeps all.
        seed: the seed that shuffles the training and the test set.
        start_char: the mark put at the start of each sequence (``None``: none).
        oov_char: the out-of-vocabulary mark; ``None`` drops those words instead.
        index_from: added to every word index.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` are 1-D object arrays of lists of ints (sequences of
        different lengths), ``y`` are ``int64`` arrays of 0/1 labels. Without ``maxlen``, 25,000 of each.

    Note: as in Keras, with ``num_words=None`` the single largest index also becomes ``oov_char``.

    Example:
        >>> (x_train, y_train), _ = keras.datasets.imdb.load_data(num_words=10000)  # doctest: +SKIP
        >>> x_train[0][:5], int(y_train[0])  # doctest: +SKIP
        ([1, 13, 586, 851, 14], 0)
    """
    arrays = load_npz(fetch("imdb.npz", fname=path))
    x_train, labels_train = arrays["x_train"], arrays["y_train"]
    x_test, labels_test = arrays["x_test"], arrays["y_test"]

    # One generator shuffles the training set, then (continuing) the test set: Keras's order, Keras's result.
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    x_train = offset_words(x_train, start_char, index_from)
    x_test = offset_words(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"No sequence is shorter than maxlen={maxlen}; pass a larger `maxlen`.")

    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    n = len(x_train)
    return (object_array(xs[:n]), labels[:n]), (object_array(xs[n:]), labels[n:])


def get_word_index(path="imdb_word_index.json"):
    """The dict ``{word: index}`` of IMDB (index 1 is the most frequent word; add ``index_from`` to match
    ``load_data``'s sequences).

    Example:
        >>> index = keras.datasets.imdb.get_word_index()  # doctest: +SKIP
        >>> words = {i + 3: w for w, i in index.items()}  # doctest: +SKIP
        >>> (x_train, _), _ = keras.datasets.imdb.load_data()  # doctest: +SKIP
        >>> " ".join(words.get(i, "?") for i in x_train[0][1:6])  # doctest: +SKIP
        'this film was just brilliant'
    """
    with open(fetch("imdb_word_index.json", fname=path), encoding="utf8") as f:
        return json.load(f)
