"""``EarlyStopping``: stop training when a watched value has stopped improving."""

import warnings

from kerasnb.callbacks.monitor_callback import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stop ``fit`` when ``monitor`` has not improved for ``patience`` epochs (sets ``model.stop_training``).

    Args:
        monitor: the value to watch in the epoch logs (default ``'val_loss'``).
        min_delta: an improvement must beat the best value so far by more than this.
        patience: how many epochs without improvement to allow before stopping (0: stop at the first).
        verbose: 1 prints ``Epoch N: early stopping`` when training ends early (and a line when weights are
            restored); 0 is silent.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (from the name: losses and errors are minimized, accuracies
            maximized; see :class:`~kerasnb.callbacks.monitor_callback.MonitorCallback`).
        baseline: a value to beat. The patience count restarts only for an epoch that beats both the best value
            so far and ``baseline``; an epoch that improves without beating it stops nothing either (as in Keras).
        restore_best_weights: when training ends — stopped early or not — put back the weights of the epoch with
            the best value.
        start_from_epoch: how many epochs to ignore first (a warm-up during which nothing is watched).

    After ``fit``: ``stopped_epoch`` (0 when it never stopped training), ``best``, ``best_epoch`` and ``wait``.
    When ``monitor`` is missing from the logs (no validation data for ``'val_loss'``, say), it warns and
    does nothing that epoch.

    Example:
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=1, verbose=1)
        >>> stopper.set_model(model)
        >>> stopper.on_train_begin()
        >>> for epoch, loss in enumerate([0.5, 0.4, 0.45, 0.46, 0.3]):
        ...     stopper.on_epoch_end(epoch, {"loss": loss})
        ...     if model.stop_training:
        ...         break
        >>> stopper.on_train_end()
        Epoch 3: early stopping
        >>> stopper.best, stopper.best_epoch
        (0.4, 1)

        In training: ``model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping(patience=2)])``.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        # Fresh counters, so one instance can serve several fit() calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # now, when the compiled metrics exist
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Nothing better seen yet: these weights are the best so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value in ``logs``, or ``None`` (with a warning naming the values there are)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs.keys())}",
                stacklevel=2,
            )
        return value
