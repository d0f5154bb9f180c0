"""``ModelCheckpoint``: save the model (or its weights) as training goes, every epoch or every N batches."""

import os
import warnings

import numpy as np

from kerasnb.callbacks.callback import BatchCounter
from kerasnb.callbacks.monitor_callback import MonitorCallback
from kerasnb.distribute.strategy import is_chief


class ModelCheckpoint(MonitorCallback):
    """Save the model, or only its weights, at the end of every epoch or every ``save_freq`` batches.

    Args:
        filepath: where to save. It may hold format fields filled from the epoch (counted from 1), the batch
            (from 1, when saving by batch) and the logs: ``"weights.{epoch:02d}-{val_loss:.2f}.weights.h5"``.
            A whole model goes to ``.keras`` (or legacy ``.h5``); weights to ``.weights.h5`` (legacy ``.h5`` and
            paths without an extension are accepted too, as older tf.keras wrote them).
        monitor: the logged value that ``save_best_only`` watches (default ``'val_loss'``).
        verbose: 1 prints a line for every save (and every skipped one); 0 is silent.
        save_best_only: save only when ``monitor`` improves on the best value so far. Without format fields in
            ``filepath`` that keeps one file, always the best model.
        save_weights_only: ``model.save_weights(filepath)`` instead of ``model.save(filepath)``.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (from the monitor's name), for ``save_best_only``.
        save_freq: ``'epoch'``, or save after every this many batches (counted across epochs).
        initial_value_threshold: a "best" value to beat before the first save (``save_best_only`` only).

    Every write is atomic (see :mod:`kerasnb.saving.atomic`): the file is written under a temporary name in the
    same folder and renamed over the old one only once complete, so a process killed while saving leaves the
    previous checkpoint whole and loadable. Keras writes in place and can leave a truncated file.

    Example:
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> checkpoint = keras.callbacks.ModelCheckpoint(
        ...     os.path.join(folder, "weights.{epoch:02d}-{loss:.2f}.weights.h5"), save_weights_only=True)
        >>> _ = model.fit(np.zeros((4, 2)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[checkpoint])
        >>> sorted(os.listdir(folder))
        ['weights.01-1.00.weights.h5', 'weights.02-0.96.weights.h5']
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._current_epoch = 0

        integer = isinstance(save_freq, (int, np.integer)) and not isinstance(save_freq, bool)
        if save_freq != "epoch" and not integer:
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer values")
        self._counter = BatchCounter(save_freq) if save_freq != "epoch" else None
        if save_weights_only:
            extension = os.path.splitext(self.filepath)[1]
            # `.weights.h5` is Keras 3's; legacy `.h5` and extension-less paths are what tf.keras code writes.
            if not (self.filepath.endswith(".weights.h5") or extension in (".h5", "") or "{" in extension):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in "
                    f"`.weights.h5` (Keras weights format). Received: filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                f"The filepath provided must end in `.keras` (Keras model format). Received: filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._counter is not None and self._counter.tick(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # here, once the model's metrics exist, as in Keras
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _get_file_path(self, epoch, batch, logs):
        logs = logs or {}
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}') from None

    def _should_save_model(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if np.ndim(current) > 0:
            warnings.warn(f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                          "Falling back to `save_best_only=False`.", stacklevel=3)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()  # saving by batch, before the first epoch ended
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, saving model to "
                      f"{filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise OSError("Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing "
                          f"directory: {filepath}")
        if not is_chief(self.model):
            return  # kerasnb.distribute workers hold identical weights: worker 0 (the chief) writes them
        # model.save and save_weights create the folder and write atomically.
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")
