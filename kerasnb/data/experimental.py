"""``kerasnb.data.experimental``: the cardinality helpers of ``tf.data.experimental``."""

from kerasnb.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset


def cardinality(dataset):
    """The number of elements of ``dataset`` (``dataset.cardinality()``): ``INFINITE_CARDINALITY`` (-1) after
    ``repeat()``, ``UNKNOWN_CARDINALITY`` (-2) when it cannot be known without iterating (``filter``,
    ``from_generator``).

    Example:
        >>> ds = keras.data.Dataset.range(42)
        >>> keras.data.experimental.cardinality(ds), keras.data.experimental.cardinality(ds.repeat())
        (42, -1)
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"`dataset` must be a kerasnb.data.Dataset. Received: dataset={dataset!r}")
    return dataset.cardinality()


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality"]
