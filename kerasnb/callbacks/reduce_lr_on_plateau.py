"""``ReduceLROnPlateau``: lower the learning rate when a watched value stops improving."""

import warnings

import numpy as np

from kerasnb.callbacks.learning_rate_scheduler import current_learning_rate
from kerasnb.callbacks.monitor_callback import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement of ``monitor``.

    Args:
        monitor: the value to watch in the epoch logs (default ``'val_loss'``).
        factor: the multiplier, ``new_lr = lr * factor`` (must be below 1).
        patience: how many epochs without improvement to wait before reducing.
        verbose: 1 prints ``Epoch N: ReduceLROnPlateau reducing learning rate to ...`` at each reduction.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (from the monitored name, as in
            :class:`~kerasnb.callbacks.EarlyStopping`).
        min_delta: an improvement must beat the best value so far by more than this.
        cooldown: epochs to wait after a reduction before counting epochs without improvement again.
        min_lr: the learning rate never goes below this.

    Every epoch it also adds the current rate to the logs as ``learning_rate`` (``History`` records it). When
    ``monitor`` is missing from the logs it warns and does nothing that epoch.

    Example:
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, verbose=1)
        >>> reduce_lr.set_model(model)
        >>> reduce_lr.on_train_begin()
        >>> for epoch, loss in enumerate([1.0, 0.8, 0.8, 0.9]):
        ...     reduce_lr.on_epoch_end(epoch, {"loss": loss})
        <BLANKLINE>
        Epoch 3: ReduceLROnPlateau reducing learning rate to 0.05000000074505806.
        <BLANKLINE>
        Epoch 4: ReduceLROnPlateau reducing learning rate to 0.02500000037252903.
        >>> round(float(model.optimizer.learning_rate), 4)
        0.025

        In training: ``model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.ReduceLROnPlateau()])``.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **kwargs):
        if "epsilon" in kwargs:  # Keras 2's name for min_delta
            min_delta = kwargs.pop("epsilon")
            warnings.warn("`epsilon` argument is deprecated and will be removed, use `min_delta` instead.",
                          stacklevel=2)
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected keyword argument(s): {sorted(kwargs)}")
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        """Forget the best value and the wait and cooldown counters."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # now, when the compiled metrics exist
        logs = logs or {}
        logs["learning_rate"] = current_learning_rate(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs.keys())}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce_optimizer_lr(self.model.optimizer, epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce_optimizer_lr(self, optimizer, epoch):
        """Lower the rate (not below ``min_lr``); False when it already is at ``min_lr``."""
        old_lr = current_learning_rate(optimizer)
        if not old_lr > np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.", flush=True)
        return True

    def in_cooldown(self):
        """Whether a reduction happened less than ``cooldown`` epochs ago."""
        return self.cooldown_counter > 0
