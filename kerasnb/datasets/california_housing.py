"""California housing prices: 20,640 block groups of the 1990 census, 8 features, the median home value in $."""

import numpy as np

from kerasnb.datasets._common import check_test_split, fetch, load_npz, shuffled


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Load California housing, downloading it on first use.

    The features are median income, house age, average rooms, average bedrooms, population, average
    occupancy, latitude and longitude of a block group.

    Args:
        version: ``'large'`` for all 20,640 samples, ``'small'`` for the first 600 (a stand-in for Boston
            housing).
        path: the file name in the cache (``~/.keras/datasets``).
        test_split: the fraction of the shuffled samples kept for the test set.
        seed: the seed of the shuffle.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: features ``(n, 8)`` and targets ``(n,)`` (dollars, about
        15,000 to 500,000), with the dtypes of Keras's file; with the defaults 16,512 and 4,128 samples.

    Example:
        >>> (x_train, y_train), _ = keras.datasets.california_housing.load_data("small")  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (480, 8)
    """
    check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError(f"`version` must be 'small' or 'large'. Received: version={version!r}")
    arrays = load_npz(fetch("california_housing.npz", fname=path))
    x, y = arrays["x"], arrays["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    x, y = shuffled(seed, x, y)
    n = int(len(x) * (1 - test_split))
    return (np.array(x[:n]), np.array(y[:n])), (np.array(x[n:]), np.array(y[n:]))
