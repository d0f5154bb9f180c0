"""ModelCheckpoint and BackupAndRestore: file names, save_best_only, atomic writes, and exact resumption.

The crash tests at the end start real child processes and kill them with SIGKILL at random moments (some of
them while a checkpoint is being written): the last checkpoint must still load, and a BackupAndRestore run
killed again and again must end with the same weights, bit for bit, as one that was never killed.
"""

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.callbacks import BackupAndRestore, Callback, ModelCheckpoint, TerminateOnNaN

h5py = pytest.importorskip("h5py")


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ rng.normal(size=(4, 1))).astype("float32")


def mlp(seed=0, dropout=0.25, optimizer="adam", metrics=("mae",)):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=optimizer, loss="mse", metrics=list(metrics))
    return model


class StopAt(Callback):
    """Interrupt the fit (as Ctrl-C would) after ``batches`` training batches in all."""

    def __init__(self, batches):
        super().__init__()
        self.batches, self.seen = batches, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.batches:
            raise KeyboardInterrupt


# -- ModelCheckpoint ---------------------------------------------------------------------------------------------
def test_filepath_template_is_filled_from_the_epoch_and_the_logs(tmp_path):
    x, y = data()
    model = mlp()
    template = str(tmp_path / "weights.{epoch:02d}-{val_loss:.2f}.weights.h5")
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[ModelCheckpoint(template, save_weights_only=True)])
    expected = [f"weights.{e + 1:02d}-{v:.2f}.weights.h5" for e, v in enumerate(history.history["val_loss"])]
    assert sorted(os.listdir(tmp_path)) == sorted(expected)
    # The last file holds the final weights.
    restored = mlp(seed=1)
    restored.load_weights(str(tmp_path / expected[-1]))
    for a, b in zip(restored.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_whole_model_checkpoint_loads_and_predicts_like_the_model(tmp_path):
    x, y = data()
    model = mlp()
    path = str(tmp_path / "model.keras")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[ModelCheckpoint(path)])
    restored = keras.models.load_model(path)
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    # With the optimizer state: one more epoch of each gives the same weights (no shuffling, no dropout).
    model2, restored2 = mlp(dropout=0.0), None
    model2.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0,
               callbacks=[ModelCheckpoint(str(tmp_path / "m2.keras"))])
    restored2 = keras.models.load_model(str(tmp_path / "m2.keras"))
    for m in (model2, restored2):
        m.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(model2.get_weights(), restored2.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_save_best_only_keeps_the_best_and_reports_like_keras(tmp_path, capsys):
    losses = [0.5, 0.4, 0.45, 0.3]
    model = mlp()
    model.fit(*data(8), epochs=1, verbose=0)  # builds the optimizer
    path = str(tmp_path / "best.weights.h5")
    checkpoint = ModelCheckpoint(path, monitor="val_loss", save_best_only=True, save_weights_only=True, verbose=1)
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    saved_weights = []
    for epoch, loss in enumerate(losses):
        model.layers[0].kernel.assign(np.full((4, 8), epoch + 1.0, "float32"))
        checkpoint.on_epoch_begin(epoch)
        checkpoint.on_epoch_end(epoch, {"loss": 1.0, "val_loss": loss})
        saved = mlp(seed=5)
        saved.load_weights(path)
        saved_weights.append(float(saved.layers[0].kernel.numpy()[0, 0]))
    assert saved_weights == [1.0, 2.0, 2.0, 4.0]
    assert checkpoint.best == 0.3
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert lines == [
        f"Epoch 1: val_loss improved from None to 0.50000, saving model to {path}",
        f"Epoch 1: finished saving model to {path}",
        f"Epoch 2: val_loss improved from 0.50000 to 0.40000, saving model to {path}",
        f"Epoch 2: finished saving model to {path}",
        "Epoch 3: val_loss did not improve from 0.40000",
        f"Epoch 4: val_loss improved from 0.40000 to 0.30000, saving model to {path}",
        f"Epoch 4: finished saving model to {path}",
    ]


@pytest.mark.parametrize("mode, monitor, values, saves", [
    ("auto", "val_mae", [0.5, 0.7, 0.4, 0.8], [True, False, True, False]),
    ("max", "val_loss", [0.5, 0.7, 0.6, 0.8], [True, True, False, True]),
    ("min", "val_accuracy", [0.5, 0.7, 0.4, 0.8], [True, False, True, False]),
    ("auto", "val_loss", [0.5, 0.5, 0.49, 0.6], [True, False, True, False]),
])
def test_save_best_only_modes(tmp_path, mode, monitor, values, saves):
    model = mlp()
    model.fit(*data(8), epochs=1, verbose=0)  # builds the compiled metrics, which mode='auto' looks at
    path = tmp_path / "best.keras"
    checkpoint = ModelCheckpoint(str(path), monitor=monitor, mode=mode, save_best_only=True)
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    made = []
    for epoch, value in enumerate(values):
        if path.exists():
            path.unlink()
        checkpoint.on_epoch_end(epoch, {monitor: value})
        made.append(path.exists())
    assert made == saves


def test_initial_value_threshold_must_be_beaten_first(tmp_path):
    model = mlp()
    path = tmp_path / "best.keras"
    checkpoint = ModelCheckpoint(str(path), save_best_only=True, initial_value_threshold=0.3)
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    checkpoint.on_epoch_end(0, {"val_loss": 0.4})
    assert not path.exists()
    checkpoint.on_epoch_end(1, {"val_loss": 0.2})
    assert path.exists()


def test_save_best_only_without_the_monitored_value_warns_and_saves(tmp_path):
    model = mlp()
    path = tmp_path / "m.keras"
    checkpoint = ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True)
    checkpoint.set_model(model)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        checkpoint.on_epoch_end(0, {"loss": 1.0})
    assert path.exists()


def test_save_freq_in_batches_counts_across_epochs_and_fills_the_batch_field(tmp_path):
    x, y = data(40)  # 5 batches of 8 per epoch
    model = mlp()
    template = str(tmp_path / "w-{epoch}-{batch}.weights.h5")
    model.fit(x, y, epochs=3, batch_size=8, verbose=0,
              callbacks=[ModelCheckpoint(template, save_weights_only=True, save_freq=4)])
    # Every 4th batch of 15: batch 4 of epoch 1, 3 of epoch 2, 2 of epoch 3.
    assert sorted(os.listdir(tmp_path)) == ["w-1-4.weights.h5", "w-2-3.weights.h5", "w-3-2.weights.h5"]


@pytest.mark.parametrize("filepath", ["ckpt", "ckpt.h5", "ckpt.{epoch:02d}", "ckpt.weights.h5"])
def test_weights_only_accepts_keras_3_and_tf_keras_paths(tmp_path, filepath):
    x, y = data()
    model = mlp()
    path = str(tmp_path / filepath)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0,
              callbacks=[ModelCheckpoint(path, save_weights_only=True)])
    restored = mlp(seed=3)
    restored.load_weights(path.format(epoch=1))
    for a, b in zip(restored.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_argument_errors_say_what_is_expected(tmp_path):
    with pytest.raises(ValueError, match="Unrecognized save_freq: 'often'|Unrecognized save_freq: often"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="often")
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        ModelCheckpoint(str(tmp_path / "m.txt"))
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_weights_only=True)
    model = mlp()
    missing = ModelCheckpoint(str(tmp_path / "m-{val_acc:.2f}.keras"))
    missing.set_model(model)
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        missing.on_epoch_end(0, {"loss": 1.0})
    (tmp_path / "folder.keras").mkdir()
    folder = ModelCheckpoint(str(tmp_path / "folder.keras"))
    folder.set_model(model)
    with pytest.raises(OSError, match="non-directory filepath"):
        folder.on_epoch_end(0, {"loss": 1.0})


# -- BackupAndRestore in one process -----------------------------------------------------------------------------
def _resumed_equals_uninterrupted(folder, stops, build=mlp, fit_kwargs=None, backup_kwargs=None, x_y=None):
    """Fit with a BackupAndRestore interrupted after each count of ``stops`` (restarting with a fresh model each
    time), then to the end; return (final weights, uninterrupted weights, the last History)."""
    x, y = x_y or data()
    fit_kwargs = {"epochs": 4, "batch_size": 8, "verbose": 0, **(fit_kwargs or {})}
    reference = build()
    reference.fit(x, y, **fit_kwargs)
    for stop in stops:
        model = build()
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, y, callbacks=[BackupAndRestore(folder, **(backup_kwargs or {})), StopAt(stop)],
                      **fit_kwargs)
        assert os.path.exists(os.path.join(folder, "latest.weights.h5"))
    model = build()
    history = model.fit(x, y, callbacks=[BackupAndRestore(folder, **(backup_kwargs or {}))], **fit_kwargs)
    return model.get_weights(), reference.get_weights(), history


@pytest.mark.parametrize("shuffle", [True, "batch", False])
@pytest.mark.parametrize("save_freq", ["epoch", 1, 3])
def test_interrupted_fits_resume_to_the_uninterrupted_weights(tmp_path, shuffle, save_freq):
    folder = str(tmp_path / "backup")
    final, expected, _ = _resumed_equals_uninterrupted(
        folder, [7, 4, 3], fit_kwargs={"shuffle": shuffle, "validation_split": 0.2},
        backup_kwargs={"save_freq": save_freq})
    for a, b in zip(final, expected):
        np.testing.assert_array_equal(a, b)
    assert not os.path.exists(folder)  # delete_checkpoint=True: gone after a normal end


def test_resumed_epoch_logs_equal_the_uninterrupted_ones(tmp_path):
    folder = str(tmp_path / "backup")
    x, y = data()
    reference = mlp()
    expected = reference.fit(x, y, epochs=3, batch_size=8, verbose=0).history
    model = mlp()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[BackupAndRestore(folder, save_freq=2),
                                                                        StopAt(7)])
    # 7 batches done, backup after the 6th: epoch 2 (index 1) resumes after its first batch.
    model = mlp()
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[BackupAndRestore(folder, save_freq=2)])
    assert history.epoch == [1, 2]
    for name in ("loss", "mae"):
        assert history.history[name] == expected[name][1:]


def test_resume_with_steps_per_epoch_crossing_passes(tmp_path):
    # 5 batches per pass, 3 per epoch: epochs straddle passes over the data.
    final, expected, _ = _resumed_equals_uninterrupted(
        str(tmp_path / "b"), [5, 8], fit_kwargs={"steps_per_epoch": 3, "epochs": 5},
        backup_kwargs={"save_freq": 2})
    for a, b in zip(final, expected):
        np.testing.assert_array_equal(a, b)


class Batches(keras.utils.Sequence):
    def __init__(self, x, y, size=8):
        super().__init__()
        self.x, self.y, self.size = x, y, size

    def __len__(self):
        return len(self.x) // self.size

    def __getitem__(self, i):
        part = slice(i * self.size, (i + 1) * self.size)
        return self.x[part], self.y[part]


def test_resume_over_a_shuffled_sequence(tmp_path):
    x, y = data()
    folder = str(tmp_path / "b")
    reference = mlp()
    reference.fit(Batches(x, y), epochs=3, verbose=0)
    for stop in (4, 9):
        model = mlp()
        with pytest.raises(KeyboardInterrupt):
            model.fit(Batches(x, y), epochs=3, verbose=0, callbacks=[BackupAndRestore(folder, save_freq=1),
                                                                    StopAt(stop)])
    model = mlp()
    model.fit(Batches(x, y), epochs=3, verbose=0, callbacks=[BackupAndRestore(folder, save_freq=1)])
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_resume_from_a_generator_drops_the_batches_already_drawn(tmp_path):
    x, y = data()

    def generator():
        while True:
            for i in range(0, len(x), 8):
                yield x[i:i + 8], y[i:i + 8]

    folder = str(tmp_path / "b")
    kwargs = {"steps_per_epoch": 4, "epochs": 3, "verbose": 0}
    reference = mlp()
    reference.fit(generator(), **kwargs)
    model = mlp()
    with pytest.raises(KeyboardInterrupt):
        model.fit(generator(), callbacks=[BackupAndRestore(folder, save_freq=3), StopAt(7)], **kwargs)
    model = mlp()
    model.fit(generator(), callbacks=[BackupAndRestore(folder, save_freq=3)], **kwargs)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_backup_argument_errors():
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        BackupAndRestore("")
    for bad in (0, -2, "batch", 1.5, True):
        with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
            BackupAndRestore("b", save_freq=bad)


def test_an_unbuilt_model_is_refused_with_what_to_do(tmp_path):
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="must be built before you call `fit\\(\\)`"):
        model.fit(*data(), epochs=1, verbose=0, callbacks=[BackupAndRestore(str(tmp_path / "b"))])


def test_double_checkpoint_falls_back_on_the_previous_backup(tmp_path):
    folder = tmp_path / "b"
    x, y = data()
    model = mlp()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=4, batch_size=8, verbose=0,
                  callbacks=[BackupAndRestore(str(folder), double_checkpoint=True), StopAt(12)])
    assert sorted(os.listdir(folder)) == ["latest.weights.h5", "latest.weights.h5.bkp"]
    (folder / "latest.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n torn")
    model = mlp()
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0,
                        callbacks=[BackupAndRestore(str(folder), double_checkpoint=True)])
    assert history.epoch == [1, 2, 3]  # from the .bkp, written at the end of epoch 1


def test_a_corrupted_backup_without_a_second_one_raises(tmp_path):
    folder = tmp_path / "b"
    x, y = data()
    model = mlp()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[BackupAndRestore(str(folder)), StopAt(6)])
    raw = (folder / "latest.weights.h5").read_bytes()
    (folder / "latest.weights.h5").write_bytes(raw[: len(raw) // 2])
    before = [w.copy() for w in mlp().get_weights()]
    model = mlp()
    with pytest.raises(ValueError, match="could not read its backup.*double_checkpoint=True"):
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[BackupAndRestore(str(folder))])
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_a_weights_file_that_is_not_a_backup_is_refused(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    model = mlp()
    model.save_weights(str(folder / "latest.weights.h5"))
    with pytest.raises(ValueError, match="no training_state"):
        model.fit(*data(), epochs=1, verbose=0, callbacks=[BackupAndRestore(str(folder))])


def test_delete_checkpoint_false_keeps_the_backup_and_a_rerun_does_nothing_more(tmp_path):
    folder = str(tmp_path / "b")
    x, y = data()
    model = mlp()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[BackupAndRestore(folder, delete_checkpoint=False)])
    assert os.listdir(folder) == ["latest.weights.h5"]
    again = mlp()
    history = again.fit(x, y, epochs=2, batch_size=8, verbose=0,
                        callbacks=[BackupAndRestore(folder, delete_checkpoint=False)])
    assert history.epoch == []
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_only_its_own_files_are_deleted(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    mlp().fit(*data(), epochs=1, verbose=0, callbacks=[BackupAndRestore(str(folder))])
    assert os.listdir(folder) == ["notes.txt"]


def test_terminate_on_nan_with_raise_error_leaves_the_backup(tmp_path):
    folder = tmp_path / "b"
    x, y = data()
    y[20:] = np.nan  # the third batch (no shuffling) brings NaN
    model = mlp()
    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0,
                  callbacks=[TerminateOnNaN(raise_error=True), BackupAndRestore(str(folder), save_freq=1)])
    assert os.listdir(folder) == ["latest.weights.h5"]
    # The backup is from before the NaN batch (TerminateOnNaN comes first in the list): it resumes there.
    with h5py.File(folder / "latest.weights.h5", "r") as f:
        assert json.loads(f["training_state/state"][()].tobytes())["step"] == 2
        saved = []
        f["layers"].visititems(lambda name, item: saved.append(item[()]) if isinstance(item, h5py.Dataset) else None)
    assert len(saved) == 4 and all(np.isfinite(w).all() for w in saved)


# -- real processes killed with SIGKILL ----------------------------------------------------------------------------
CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import kerasnb as keras

    folder, mode, out = sys.argv[1], sys.argv[2], sys.argv[3]

    class Ready(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            resume = getattr(self.model, "_fit_resume", None)
            where = "fresh" if resume is None else f"{resume['epoch']} {resume['step']}"
            print("ready", where, flush=True)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 16)).astype("float32")
    y = (x @ rng.normal(size=(16, 1))).astype("float32")
    keras.utils.set_random_seed(1)
    width = 256 if mode == "checkpoint" else 32
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    if mode == "checkpoint":
        name = sys.argv[4]
        callbacks = [keras.callbacks.ModelCheckpoint(folder + "/" + name, save_freq=1,
                                                     save_weights_only=name.endswith(".weights.h5")), Ready()]
        epochs = 40
    elif mode == "reference":
        callbacks, epochs = [], 30
    else:
        save_freq = "epoch" if mode == "epoch" else int(mode)
        callbacks = [keras.callbacks.BackupAndRestore(folder, save_freq=save_freq), Ready()]
        epochs = 30
    model.fit(x, y, batch_size=8, epochs=epochs, shuffle=True, validation_split=0.25, verbose=0,
              callbacks=callbacks)
    np.savez(out, *model.get_weights())
    print("done", flush=True)
""")


def _start(script, *args):
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.Popen([sys.executable, str(script), *map(str, args)], stdout=subprocess.PIPE, text=True,
                            env=env)


def _run_until_ready(script, *args):
    child = _start(script, *args)
    line = child.stdout.readline().split()
    assert line[:1] == ["ready"], f"child did not start: {line}"
    return child, line[1:]


def _finish(child):
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0 and out.strip().endswith("done"), out


@pytest.fixture()
def script(tmp_path):
    path = tmp_path / "child.py"
    path.write_text(CHILD)
    return path


@pytest.mark.needs_subprocess
@pytest.mark.parametrize("name", ["model.keras", "model.h5", "model.weights.h5"])
def test_a_checkpoint_killed_mid_training_and_mid_write_still_loads(tmp_path, script, name):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    rng = random.Random(0)
    x = np.random.default_rng(0).normal(size=(4, 16)).astype("float32")
    kills, torn = 0, 0
    while kills < 30 and not (kills >= 3 and torn):
        child, _ = _run_until_ready(script, folder, "checkpoint", tmp_path / "out.npz", name)
        time.sleep(rng.uniform(0.05, 0.6))
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        leftovers = [left for left in os.listdir(folder) if left.endswith(".tmp")]
        torn += bool(leftovers)
        for left in leftovers:  # what a kill during a write leaves: never the checkpoint itself
            os.remove(folder / left)
        if (folder / name).exists():
            if name.endswith(".weights.h5"):
                model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(256, activation="relu"),
                                          keras.layers.Dropout(0.3), keras.layers.Dense(256, activation="relu"),
                                          keras.layers.Dense(1)])
                model.load_weights(str(folder / name))
            else:
                model = keras.models.load_model(str(folder / name))
            assert np.isfinite(model.predict(x, verbose=0)).all()
    print(f"ModelCheckpoint({name}): {kills} kills, {torn} during a write")
    assert torn, f"none of {kills} kills landed during a write; the test could not show that writes are atomic"
    assert (folder / name).exists()


def _mid_epoch(where, save_freq):
    return where != ["fresh"] and (save_freq == "epoch" or int(where[1]) % 9 != 0)  # 9 batches per epoch


@pytest.mark.needs_subprocess
@pytest.mark.parametrize("save_freq", ["3", "epoch"])
def test_backup_and_restore_killed_repeatedly_ends_with_the_uninterrupted_weights(tmp_path, script, save_freq):
    reference = _start(script, tmp_path / "unused", "reference", tmp_path / "reference.npz")
    _finish(reference)
    expected = np.load(tmp_path / "reference.npz")
    folder = tmp_path / "backup"
    rng = random.Random(save_freq)
    resumed_from, kills, completed = [], 0, 0

    def check_final():
        final = np.load(tmp_path / "final.npz")
        for key in expected.files:
            np.testing.assert_array_equal(final[key], expected[key])
        os.remove(tmp_path / "final.npz")

    # Kill at random moments until there were enough kills and a resume from inside an epoch (or, for
    # save_freq='epoch', from a backup at all); a run that ends before its kill must be exact too.
    for _ in range(30):
        child, where = _run_until_ready(script, folder, save_freq, tmp_path / "final.npz")
        resumed_from.append(where)
        if kills >= 4 and any(_mid_epoch(w, save_freq) for w in resumed_from):
            break
        time.sleep(rng.uniform(0.01, 0.15))
        child.send_signal(signal.SIGKILL)
        if child.wait() == -signal.SIGKILL:
            kills += 1
            if os.path.isdir(folder):  # a backup-in-progress the kill left behind is removed on restart
                stale = [n for n in os.listdir(folder) if n.endswith(".tmp")]
                assert all(n.startswith(".latest.weights.h5") for n in stale)
        else:  # it had finished: exact as well, and the next run starts afresh
            _finish(child)
            check_final()
            completed += 1
    print(f"BackupAndRestore(save_freq={save_freq}): {kills} kills, {completed} runs ended before their kill, "
          f"runs started from {resumed_from}")
    assert any(_mid_epoch(w, save_freq) for w in resumed_from), f"no resume from a backup: {resumed_from}"
    _finish(child)
    check_final()
    assert not folder.exists()
