"""``Sequence``: a dataset that hands out whole batches by index, for data that does not fit in memory."""

import abc


class Sequence(abc.ABC):
    """Base class for a dataset of batches: ``model.fit`` asks for ``seq[i]`` for each batch ``i`` of an epoch.

    Subclass it and implement ``__len__`` (the number of batches) and ``__getitem__(index)`` (batch ``index``,
    as ``x``, ``(x, y)`` or ``(x, y, sample_weight)``). ``on_epoch_end`` runs after every epoch: reshuffle or
    augment there. Because batches are fetched by index, ``fit(shuffle=True)`` can visit them in a new order
    every epoch. This is Keras 2's ``keras.utils.Sequence``, which Keras 3 calls ``PyDataset``; kerasnb loads
    batches in the calling thread, so ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are accepted
    for compatibility and otherwise ignored.

    Example:
        >>> class Squares(keras.utils.Sequence):
        ...     def __len__(self):
        ...         return 3
        ...     def __getitem__(self, index):
        ...         x = np.arange(2 * index, 2 * index + 2, dtype="float32")
        ...         return x, x**2
        >>> seq = Squares()
        >>> len(seq), seq[1]
        (3, (array([2., 3.], dtype=float32), array([4., 9.], dtype=float32)))
        >>> [x.tolist() for x, y in seq]
        [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    @abc.abstractmethod
    def __getitem__(self, index):
        """Return batch number ``index`` (from 0 to ``len(self) - 1``)."""

    @abc.abstractmethod
    def __len__(self):
        """Return the number of batches in one epoch."""

    def on_epoch_end(self):  # noqa: B027 - an optional hook: doing nothing is the right default
        """Called after every epoch; override it to reshuffle or regenerate the data."""

    def __iter__(self):
        """Yield every batch in order, once."""
        for index in range(len(self)):
            yield self[index]


PyDataset = Sequence  # Keras 3's name for the same idea
