"""Print what real Keras's built-in callbacks do on crafted inputs: the literals that
``tests/test_callbacks_builtin.py`` and ``tests/test_callbacks_tensorboard.py`` compare kerasnb with.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment (Keras 3.15.1, TensorFlow backend, plus ``tensorboard``), and its output is pasted into the tests::

    KERAS_BACKEND=tensorflow .venv-keras/bin/python tests/reference/keras_callback_expectations.py

It imports Keras only inside ``main()``, so pytest's ``--doctest-modules`` can import this file in the kerasnb
test environment (which has no Keras). Every callback is driven directly, hook by hook, on a small model whose
weights are set to ``epoch + 1`` before each ``on_epoch_end``: restored weights then name their epoch.
"""

import contextlib
import io
import warnings

NAN = float("nan")

EARLY_STOPPING = [
    # name, kwargs, monitored values (one per epoch), monitor key
    ("patience_0", {}, [1.0, 0.8, 0.9, 0.7]),
    ("patience_2", {"patience": 2}, [1.0, 0.9, 0.95, 0.92, 0.85, 0.9, 0.91, 0.92, 0.5]),
    ("min_delta", {"patience": 1, "min_delta": 0.05}, [1.0, 0.97, 0.9, 0.88, 0.87, 0.8]),
    ("negative_min_delta", {"patience": 1, "min_delta": -0.05}, [1.0, 0.97, 0.9, 0.88, 0.87, 0.8]),
    ("baseline_never_beaten_but_improving", {"patience": 2, "baseline": 0.5}, [0.9, 0.8, 0.7, 0.65, 0.6, 0.55]),
    ("baseline_never_beaten", {"patience": 2, "baseline": 0.5}, [0.9, 0.8, 0.85, 0.95, 0.99, 0.7]),
    ("baseline_beaten", {"patience": 1, "baseline": 0.85}, [0.9, 0.8, 0.81, 0.82, 0.7]),
    ("restore_when_stopping", {"patience": 2, "restore_best_weights": True, "verbose": 1},
     [1.0, 0.6, 0.7, 0.65, 0.8, 0.1]),
    ("restore_without_stopping", {"patience": 5, "restore_best_weights": True, "verbose": 1},
     [1.0, 0.6, 0.7, 0.65]),
    ("restore_baseline", {"patience": 2, "baseline": 0.1, "restore_best_weights": True, "verbose": 1},
     [0.9, 0.8, 0.85, 0.95, 0.99]),
    ("start_from_epoch", {"patience": 1, "start_from_epoch": 3, "restore_best_weights": True},
     [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
    ("max_mode", {"monitor": "val_accuracy", "mode": "max", "patience": 1}, [0.5, 0.6, 0.6, 0.55, 0.7]),
    ("nan_later", {"patience": 1, "verbose": 1}, [1.0, NAN, 0.5, NAN, NAN, 0.1]),
    ("nan_first", {"patience": 1}, [NAN, 1.0, 0.5, 0.2]),
    ("float32_tie", {"monitor": "loss", "patience": 0}, [1.0, 1.0 - 1e-9, 0.9]),
    ("verbose_stop", {"monitor": "loss", "patience": 1, "verbose": 1}, [0.5, 0.6, 0.7]),
]

REDUCE_LR = [
    # name, kwargs, initial learning rate, monitored values
    ("patience_2", {"patience": 2, "verbose": 1}, 0.1, [1.0, 0.9, 0.95, 0.92, 0.93, 0.94, 0.8, 0.85, 0.86]),
    ("cooldown_min_lr", {"patience": 1, "cooldown": 2, "factor": 0.5, "min_lr": 0.01, "verbose": 1}, 0.1,
     [1.0] * 12),
    ("patience_0", {"patience": 0, "factor": 0.5, "min_lr": 0.02}, 0.1, [1.0, 1.1, 0.9, 1.2, 1.3, 1.4]),
    ("max_mode", {"monitor": "val_acc", "mode": "max", "patience": 1, "min_delta": 0.01}, 0.01,
     [0.5, 0.505, 0.52, 0.52, 0.6, 0.59]),
    ("min_delta_zero", {"patience": 1, "min_delta": 0.0, "factor": 0.2}, 0.5, [1.0, 1.0, 0.99999, 1.0]),
]

SCHEDULES = {
    "halve": "lambda epoch, lr: lr * 0.5",
    "epoch_only": "lambda epoch: 0.1 / (epoch + 1)",
    "step": "lambda epoch, lr: lr if epoch < 2 else lr * 0.1",
}


def _weights_marker(model):
    return float(model.get_weights()[0].reshape(-1)[0])


def _drive(callback, model, values, monitor):
    """on_train_begin, then on_epoch_end per value until the model is told to stop, then on_train_end."""
    out, caught, epochs = io.StringIO(), [], []
    model.stop_training = False
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        callback.on_train_begin()
        for epoch, value in enumerate(values):
            model.set_weights([w_ * 0 + (epoch + 1) for w_ in model.get_weights()])
            callback.on_epoch_end(epoch, {monitor: value})
            epochs.append(epoch)
            if model.stop_training:
                break
        callback.on_train_end()
        caught = [str(x.message) for x in w]
    return epochs, out.getvalue(), caught


def main():
    import os

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import numpy as np

    print("KERAS", keras.__version__, keras.backend.backend())

    def small_model(lr=0.01):
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        model.compile(keras.optimizers.SGD(learning_rate=lr), "mse")
        return model

    # -- EarlyStopping ------------------------------------------------------------------------------------------
    print("EARLY_STOPPING = {")
    for name, kwargs, values in EARLY_STOPPING:
        monitor = kwargs.get("monitor", "val_loss")
        model = small_model()
        cb = keras.callbacks.EarlyStopping(**kwargs)
        cb.set_model(model)
        epochs, printed, caught = _drive(cb, model, values, monitor)
        best = None if cb.best is None else float(cb.best)
        print(f"    {name!r}: dict(epochs={epochs}, stopped_epoch={cb.stopped_epoch}, best={best!r}, "
              f"best_epoch={cb.best_epoch}, wait={cb.wait}, weights={_weights_marker(model)!r}, "
              f"printed={printed!r}, warnings={caught!r}),")
    print("}")

    # The warning when the monitored value is missing, and an unknown mode.
    model = small_model()
    cb = keras.callbacks.EarlyStopping()
    cb.set_model(model)
    epochs, printed, caught = _drive(cb, model, [0.5], "loss")
    print("EARLY_STOPPING_MISSING =", repr(caught))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        keras.callbacks.EarlyStopping(mode="maximum")
    print("UNKNOWN_MODE =", repr([str(x.message) for x in w]))

    # -- ReduceLROnPlateau ---------------------------------------------------------------------------------------
    print("REDUCE_LR = {")
    for name, kwargs, lr, values in REDUCE_LR:
        monitor = kwargs.get("monitor", "val_loss")
        model = small_model(lr)
        cb = keras.callbacks.ReduceLROnPlateau(**kwargs)
        cb.set_model(model)
        rates, logged, out = [], [], io.StringIO()
        with contextlib.redirect_stdout(out):
            cb.on_train_begin()
            for epoch, value in enumerate(values):
                logs = {monitor: value}
                cb.on_epoch_end(epoch, logs)
                logged.append(logs["learning_rate"])
                rates.append(float(np.asarray(model.optimizer.learning_rate)))
        print(f"    {name!r}: dict(rates={rates!r}, logged={logged!r}, printed={out.getvalue()!r}),")
    print("}")
    model = small_model()
    cb = keras.callbacks.ReduceLROnPlateau()
    cb.set_model(model)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        cb.on_train_begin()
        logs = {"loss": 1.0}
        cb.on_epoch_end(0, logs)
    caught = [str(x.message) for x in w if "conditioned" in str(x.message)]  # TF adds NumPy warnings of its own
    print("REDUCE_LR_MISSING =", repr((caught, logs)))
    try:
        keras.callbacks.ReduceLROnPlateau(factor=1.0)
    except ValueError as e:
        print("REDUCE_LR_FACTOR_ERROR =", repr(str(e)))

    # -- LearningRateScheduler -----------------------------------------------------------------------------------
    print("SCHEDULER = {")
    for name, source in SCHEDULES.items():
        model = small_model(0.2)
        cb = keras.callbacks.LearningRateScheduler(eval(source), verbose=1)
        cb.set_model(model)
        out, rates, logged = io.StringIO(), [], []
        with contextlib.redirect_stdout(out):
            for epoch in range(4):
                cb.on_epoch_begin(epoch)
                rates.append(float(np.asarray(model.optimizer.learning_rate)))
                logs = {"loss": 1.0}
                cb.on_epoch_end(epoch, logs)
                logged.append(logs["learning_rate"])
        print(f"    {name!r}: dict(rates={rates!r}, logged={logged!r}, printed={out.getvalue()!r}),")
    print("}")
    for label, schedule in (("int", lambda epoch, lr: 1), ("string", lambda epoch, lr: "0.1"),
                            ("float16", lambda epoch, lr: np.float16(0.1))):
        model = small_model()
        cb = keras.callbacks.LearningRateScheduler(schedule)
        cb.set_model(model)
        try:
            cb.on_epoch_begin(0)
            print("SCHEDULER_ERROR", label, "no error")
        except Exception as e:
            print("SCHEDULER_ERROR", label, type(e).__name__, repr(str(e)))

    # -- mode='auto': which direction each monitored name gets on a compiled, trained model ---------------------
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy",
                  metrics=["accuracy", "mae", "mse", "auc", "precision", keras.metrics.BinaryIoU(), "cosine_similarity",
                           "binary_crossentropy", keras.metrics.RootMeanSquaredError(), "kl_divergence", "hinge",
                           keras.metrics.F1Score()])
    model.fit(np.random.rand(8, 2), np.random.randint(0, 2, (8, 1)).astype("float32"), epochs=1, verbose=0)
    names = ["loss", "val_loss", "accuracy", "val_accuracy", "mae", "val_mae", "mse", "auc", "val_auc", "precision",
             "binary_io_u", "cosine_similarity", "binary_crossentropy", "root_mean_squared_error", "kl_divergence",
             "hinge", "f1_score", "val_f1_score", "unknown", "val_loss_2", "acc"]
    print("AUTO_MODE = {")
    for monitor in names:
        cb = keras.callbacks.EarlyStopping(monitor=monitor)
        cb.set_model(model)
        try:
            cb._set_monitor_op()
            direction = "max" if cb.monitor_op is keras.ops.greater else "min"
        except ValueError as e:
            direction = str(e)
        print(f"    {monitor!r}: {direction!r},")
    print("}")

    # -- TerminateOnNaN ------------------------------------------------------------------------------------------
    for raise_error in (False, True):
        model = small_model()
        cb = keras.callbacks.TerminateOnNaN(raise_error=raise_error)
        cb.set_model(model)
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                cb.on_batch_end(0, {"loss": 1.0})
                cb.on_batch_end(1, {"loss": float("inf")})
            print("TERMINATE", raise_error, repr(out.getvalue()), model.stop_training)
        except RuntimeError as e:
            print("TERMINATE", raise_error, "RuntimeError", repr(str(e)))

    # -- CSVLogger -----------------------------------------------------------------------------------------------
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "log.csv")
        cb = keras.callbacks.CSVLogger(path)
        cb.on_train_begin()
        cb.on_epoch_end(0, {"loss": 0.5, "acc": np.float32(0.25), "vec": np.array([1.0, 2.5]), "lst": [1, 2],
                            "name": "a,b", "zero_d": np.array(3.0)})
        cb.on_epoch_end(1, {"loss": 0.25, "acc": 0.75, "vec": np.array([3.0]), "lst": [], "name": "x"})
        cb.on_train_end()
        print("CSV_NO_VAL =", repr(open(path).read()))
        cb = keras.callbacks.CSVLogger(path, separator=";", append=True)
        cb.on_train_begin()
        cb.on_epoch_end(0, {"val_loss": 0.1, "loss": 0.2})
        cb.on_train_end()
        print("CSV_APPENDED =", repr(open(path).read()))
        empty = os.path.join(tmp, "empty.csv")
        open(empty, "w").close()
        cb = keras.callbacks.CSVLogger(empty, append=True)
        cb.on_train_begin()
        cb.on_epoch_end(3, {"loss": 1 / 3, "val_loss": 2 / 3})
        cb.on_epoch_end(4, {"loss": float("nan")})
        cb.on_train_end()
        print("CSV_APPEND_EMPTY =", repr(open(empty).read()))

    # -- TensorBoard: histogram buckets and weight images as tf.summary writes them -------------------------------
    import tensorflow as tf
    from tensorboard.plugins.histogram import summary_v2 as hist_summary

    for label, data in (("linear", np.linspace(-1.0, 2.0, 7, dtype="float32")), ("single", np.full((3, 2), 0.5)),
                        ("empty", np.zeros((0,), "float32")),
                        ("random", np.random.default_rng(0).normal(size=(5, 4)).astype("float32"))):
        buckets = hist_summary._buckets(tf.constant(data)).numpy()
        print(f"HISTOGRAM {label} shape={buckets.shape} values={buckets.tolist()!r}")

    # Weight images (write_images=True): which weights get one, its size and its pixels (weights are
    # 0.1 * arange, so pixels run from 0 to 255 and saturate).
    import tempfile

    model = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Conv2D(3, 2, name="conv_a"),
                              keras.layers.Conv2D(4, 2, name="conv_b"), keras.layers.Reshape((9, 4)),
                              keras.layers.Conv1D(2, 3, name="conv_c"), keras.layers.Flatten(),
                              keras.layers.Dense(3, name="dense_a"), keras.layers.Dense(1, name="dense_b")])
    model.set_weights([np.arange(w.size, dtype="float32").reshape(w.shape) * 0.1 for w in model.get_weights()])
    with tempfile.TemporaryDirectory() as tmp:
        tb = keras.callbacks.TensorBoard(tmp, write_images=True, histogram_freq=1, write_graph=False)
        tb.set_model(model)
        tb._log_weights(0)
        tb._close_writers()
        train = os.path.join(tmp, "train")
        for name in sorted(os.listdir(train)):
            for event in tf.compat.v1.train.summary_iterator(os.path.join(train, name)):
                for value in event.summary.value:
                    if value.tag.endswith("/image"):
                        parts = tf.make_ndarray(value.tensor)
                        images = [tf.io.decode_png(p).numpy().tolist() for p in parts[2:]]
                        print(f"IMAGE {value.tag} size={parts[0].decode()}x{parts[1].decode()} images={images!r}")


if __name__ == "__main__":
    main()
