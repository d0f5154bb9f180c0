"""``BackupAndRestore``: back training up as it goes, so that a ``fit`` killed anywhere can be restarted and end
exactly where an uninterrupted one would have."""

import glob
import json
import os

import numpy as np

from kerasnb.callbacks.callback import BatchCounter, Callback
from kerasnb.distribute.strategy import is_chief

_FORMAT = 1  # of the `training_state` group; a file with another version is refused rather than misread


class BackupAndRestore(Callback):
    """Back up the model, the optimizer and the position in training to ``backup_dir`` as ``fit`` runs; when a
    ``fit`` with the same callback starts and finds a backup, it resumes from it.

    Args:
        backup_dir: the folder for the backup (``backup_dir/latest.weights.h5``). Use a different folder for each
            training job.
        save_freq: ``'epoch'`` (back up at the end of every epoch) or an integer: back up after every this many
            batches (counted across epochs), so that a crash loses at most that many batches of work.
        double_checkpoint: keep the previous backup as well (``latest.weights.h5.bkp``), and fall back to it when
            the latest cannot be read.
        delete_checkpoint: remove the backup when training ends normally. A ``fit`` that ends with an exception
            (a crash, ``TerminateOnNaN(raise_error=True)``, Ctrl-C) leaves it, to resume from.

    What a backup holds, in one file written atomically (complete or not there, never half-written; see
    :mod:`kerasnb.saving.atomic`): the weights and the optimizer state in Keras 3's ``.weights.h5`` layout, and a
    ``training_state`` group with the epoch, the batches done in it, the order of the data in the interrupted
    pass, the state of every random stream (the global generators, each Dropout's, ...) and the running metrics.
    So a resumed ``fit`` trains the remaining batches of the interrupted epoch — not the whole epoch again, in a
    new order, with other dropout masks, as Keras's BackupAndRestore does — and ends with the same weights, to
    the last bit, as one that was never interrupted.

    Exact for array data and ``Sequence`` objects. A Dataset or re-iterable resumes by skipping the batches
    already taken from the interrupted pass, a one-shot generator by dropping as many batches as were drawn in
    all: exact when the data comes out the same on every run (a Dataset that reshuffles every pass does not).
    State kept in other callbacks (an EarlyStopping's patience count) is not backed up, as in Keras.

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="adam", loss="mse")
        >>> backup = keras.callbacks.BackupAndRestore(folder, save_freq=2)
        >>> history = model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, epochs=3, verbose=0,
        ...                     callbacks=[backup])
        >>> history.epoch  # a restart after a crash in epoch 2 would show [1, 2]
        [0, 1, 2]
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        integer = isinstance(save_freq, (int, np.integer)) and not isinstance(save_freq, bool)
        if save_freq != "epoch" and not (integer and save_freq > 0):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. Expected "
                             "either 'epoch' or an integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._counter = BatchCounter(save_freq) if save_freq != "epoch" else None

    # -- hooks --------------------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, your model must be built before you call `fit()`. Model "
                f"'{self.model.name}' is unbuilt. You can build it beforehand by calling it on a batch of data, "
                "or by starting it with `keras.Input(shape)`."
            )
        if self._counter is not None:
            self._counter.reset()
        # A process killed while writing leaves its temporary file: never read, removed here.
        for stale in glob.glob(os.path.join(glob.escape(self.backup_dir), ".latest.weights.h5*.tmp")):
            os.remove(stale)
        candidates = [self._weights_path] + ([self._prev_weights_path] if self.double_checkpoint else [])
        errors = []
        for path in candidates:
            if not os.path.exists(path):
                continue
            try:
                self.model._fit_resume = self._read(path)
                return
            except (OSError, ValueError, KeyError) as error:
                errors.append(f"{path}: {error}")
        if errors:
            hint = "" if self.double_checkpoint else " (double_checkpoint=True keeps a second one to fall back on)"
            raise ValueError(f"BackupAndRestore could not read its backup{hint}. Delete {self.backup_dir} to start "
                             "afresh. " + " ".join(errors))

    def on_train_batch_end(self, batch, logs=None):
        if self._counter is not None and self._counter.tick(batch):
            self._save()

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save()

    def on_train_end(self, logs=None):
        if not self.delete_checkpoint or not is_chief(self.model):
            return  # under kerasnb.distribute the chief (worker 0) owns the backup: only it writes and deletes it
        for path in (self._weights_path, self._prev_weights_path):
            if os.path.exists(path):
                os.remove(path)
        # Only the files this callback wrote: the folder goes too if nothing else is in it.
        if os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)

    # -- the backup file ----------------------------------------------------------------------------------------
    def _save(self):
        from kerasnb.saving import h5io
        from kerasnb.saving.atomic import atomic_path
        from kerasnb.saving.weights import write_keras3_weights

        if not is_chief(self.model):
            return
        h5py = h5io.require_h5py()
        state = self.model._fit_state()
        order = state["data"].pop("order")
        metrics = state.pop("metrics")
        state["format"] = _FORMAT
        if self.double_checkpoint and os.path.exists(self._weights_path):
            # Until the new backup is complete, the previous one is the .bkp, which on_train_begin falls back on.
            os.replace(self._weights_path, self._prev_weights_path)
        with atomic_path(self._weights_path) as tmp, h5py.File(tmp, "w") as f:
            write_keras3_weights(self.model, f, optimizer=self.model.optimizer)
            group = f.create_group("training_state")
            # As bytes in a dataset: an attribute would be limited to 64 KiB.
            group.create_dataset("state", data=np.frombuffer(json.dumps(state).encode("utf-8"), dtype=np.uint8))
            if order is not None:
                group.create_dataset("order", data=np.asarray(order, dtype=np.int64))
            values = group.create_group("metrics")
            for i, value in enumerate(metrics):
                values.create_dataset(str(i), data=value)

    def _read(self, path):
        """Load the weights and optimizer state from ``path`` and return the position to resume from."""
        from kerasnb.saving import h5io
        from kerasnb.saving.keras_file import decode_json
        from kerasnb.saving.weights import read_keras3_weights

        with h5io.open_for_reading(path) as f:
            group = f.get("training_state")
            if group is None or "state" not in group:
                raise ValueError("the file has no training_state: it was not written by BackupAndRestore.")
            raw = h5io.read_dataset(group["state"])
            if raw.dtype != np.uint8 or raw.ndim != 1:
                raise ValueError(f"training_state/state must be bytes; received {raw.dtype} of shape {raw.shape}.")
            state = decode_json(raw.tobytes(), f"{path} (training_state)")
            if not isinstance(state, dict) or state.get("format") != _FORMAT:
                raise ValueError(f"training_state format {state.get('format') if isinstance(state, dict) else '?'} "
                                 f"is not the one this kerasnb writes ({_FORMAT}).")
            order = group.get("order")
            state["data"]["order"] = None if order is None else h5io.read_dataset(order).tolist()
            metrics = group["metrics"]
            state["metrics"] = [h5io.read_dataset(metrics[str(i)]) for i in range(len(metrics))]
            # Weights last: nothing in the model changes unless the whole backup could be read.
            read_keras3_weights(self.model, f, optimizer=self.model.optimizer)
        return state
