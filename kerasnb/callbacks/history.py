"""``History``: the object ``fit`` returns, holding every epoch's metrics."""

from kerasnb.callbacks.callback import Callback


class History(Callback):
    """Record each epoch's logs: ``history.history['loss']`` is the list of per-epoch losses.

    ``fit`` adds one automatically, runs it after every other callback (so it sees their changes to ``logs``),
    stores it as ``model.history`` and returns it.

    Example:
        >>> history = keras.callbacks.History()
        >>> history.on_train_begin()
        >>> history.on_epoch_end(0, {"loss": 0.9, "val_loss": 1.0})
        >>> history.on_epoch_end(1, {"loss": 0.5, "val_loss": 0.7})
        >>> history.history, history.epoch
        ({'loss': [0.9, 0.5], 'val_loss': [1.0, 0.7]}, [0, 1])
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self.model is not None:
            # As Keras: point the model at the newest record (a later fit replaces it with its own History).
            self.model.history = self
