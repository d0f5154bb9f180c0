"""Boston housing prices: 506 neighbourhoods of the 1970s, 13 features each, the median home value in k$.

Keras keeps this dataset for compatibility and so does kerasnb; one of its features ("B") encodes an
assumption about race and house prices, so use it only to discuss such problems, or use
:mod:`kerasnb.datasets.california_housing` (``version='small'``) instead.
"""

import numpy as np

from kerasnb.datasets._common import check_test_split, fetch, load_npz, shuffled


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Load Boston housing, downloading it (57 kB) on first use.

    Args:
        path: the file name in the cache (``~/.keras/datasets``).
        test_split: the fraction of the shuffled samples kept for the test set.
        seed: the seed of the shuffle.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``float64`` features ``(n, 13)`` and targets ``(n,)`` (median
        values in k$, about 5 to 50); with the defaults 404 training and 102 test samples.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data()  # doctest: +SKIP
        >>> x_train.shape, x_test.shape  # doctest: +SKIP
        ((404, 13), (102, 13))
    """
    check_test_split(test_split)
    arrays = load_npz(fetch("boston_housing.npz", fname=path))
    x, y = shuffled(seed, arrays["x"], arrays["y"])
    n = int(len(x) * (1 - test_split))
    return (np.array(x[:n]), np.array(y[:n])), (np.array(x[n:]), np.array(y[n:]))
