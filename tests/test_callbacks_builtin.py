"""The built-in callbacks: EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, CSVLogger,
RemoteMonitor, LambdaCallback (every hook) and ProgbarLogger's ``stateful_metrics``.

The expected values marked "Keras:" were produced by real Keras 3.15.1 (TensorFlow backend) driving its own
callbacks on the same crafted inputs, with ``tests/reference/keras_callback_expectations.py`` (run in a separate
environment: Keras is never a dependency of these tests), and pasted here as literals.
"""

import contextlib
import io
import json
import math
import threading
import types
import warnings
from urllib.parse import parse_qs

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.callbacks import (
    CallbackList,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ProgbarLogger,
    ReduceLROnPlateau,
    RemoteMonitor,
    TerminateOnNaN,
)
from kerasnb.utils import progbar as progbar_module

NAN = float("nan")

# -- Keras: the crafted sequences and what Keras 3.15.1 did with them -------------------------------------------
# EarlyStopping: (name, kwargs, monitored value per epoch,
#                 epochs run, stopped_epoch, best, best_epoch, wait, restored-weights marker, printed lines).
# The weights are set to epoch + 1 before each on_epoch_end, so the marker names the epoch they come from.
EARLY_STOPPING_CASES = [
    ("patience_0", {}, [1.0, 0.8, 0.9, 0.7],
     3, 2, 0.8, 1, 1, 3.0,
     []),
    ("patience_2", {"patience": 2}, [1.0, 0.9, 0.95, 0.92, 0.85, 0.9, 0.91, 0.92, 0.5],
     4, 3, 0.9, 1, 2, 4.0,
     []),
    ("min_delta", {"patience": 1, "min_delta": 0.05}, [1.0, 0.97, 0.9, 0.88, 0.87, 0.8],
     2, 1, 1.0, 0, 1, 2.0,
     []),
    ("negative_min_delta", {"patience": 1, "min_delta": -0.05}, [1.0, 0.97, 0.9, 0.88, 0.87, 0.8],
     2, 1, 1.0, 0, 1, 2.0,
     []),
    ("baseline_never_beaten_but_improving", {"patience": 2, "baseline": 0.5}, [0.9, 0.8, 0.7, 0.65, 0.6, 0.55],
     6, 0, 0.55, 5, 6, 6.0,
     []),
    ("baseline_never_beaten", {"patience": 2, "baseline": 0.5}, [0.9, 0.8, 0.85, 0.95, 0.99, 0.7],
     3, 2, 0.8, 1, 3, 3.0,
     []),
    ("baseline_beaten", {"patience": 1, "baseline": 0.85}, [0.9, 0.8, 0.81, 0.82, 0.7],
     3, 2, 0.8, 1, 1, 3.0,
     []),
    ("restore_when_stopping", {"patience": 2, "restore_best_weights": True, "verbose": 1},
     [1.0, 0.6, 0.7, 0.65, 0.8, 0.1],
     4, 3, 0.6, 1, 2, 2.0,
     ["Epoch 4: early stopping",
      "Restoring model weights from the end of the best epoch: 2."]),
    ("restore_without_stopping", {"patience": 5, "restore_best_weights": True, "verbose": 1}, [1.0, 0.6, 0.7, 0.65],
     4, 0, 0.6, 1, 2, 2.0,
     ["Restoring model weights from the end of the best epoch: 2."]),
    ("restore_baseline", {"patience": 2, "baseline": 0.1, "restore_best_weights": True, "verbose": 1},
     [0.9, 0.8, 0.85, 0.95, 0.99],
     3, 2, 0.8, 1, 3, 2.0,
     ["Epoch 3: early stopping",
      "Restoring model weights from the end of the best epoch: 2."]),
    ("start_from_epoch", {"patience": 1, "start_from_epoch": 3, "restore_best_weights": True},
     [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
     5, 4, 4.0, 3, 1, 4.0,
     []),
    ("max_mode", {"monitor": "val_accuracy", "mode": "max", "patience": 1}, [0.5, 0.6, 0.6, 0.55, 0.7],
     3, 2, 0.6, 1, 1, 3.0,
     []),
    ("nan_later", {"patience": 1, "verbose": 1}, [1.0, NAN, 0.5, NAN, NAN, 0.1],
     2, 1, 1.0, 0, 1, 2.0,
     ["Epoch 2: early stopping"]),
    ("nan_first", {"patience": 1}, [NAN, 1.0, 0.5, 0.2],
     2, 1, NAN, 0, 1, 2.0,
     []),
    ("float32_tie", {"monitor": "loss", "patience": 0}, [1.0, 0.999999999, 0.9],
     2, 1, 1.0, 0, 1, 2.0,
     []),
    ("verbose_stop", {"monitor": "loss", "patience": 1, "verbose": 1}, [0.5, 0.6, 0.7],
     2, 1, 0.5, 0, 1, 2.0,
     ["Epoch 2: early stopping"]),
]
# ReduceLROnPlateau: (name, kwargs, initial learning rate, monitored values,
#                     learning rate after each epoch, logs["learning_rate"] each epoch, printed lines).
REDUCE_LR_CASES = [
    ("patience_2", {"patience": 2, "verbose": 1}, 0.1,
     [1.0, 0.9, 0.95, 0.92, 0.93, 0.94, 0.8, 0.85, 0.86],
     [0.10000000149011612, 0.10000000149011612, 0.10000000149011612, 0.009999999776482582, 0.009999999776482582,
      0.0009999999310821295, 0.0009999999310821295, 0.0009999999310821295, 9.99999901978299e-05],
     [0.10000000149011612, 0.10000000149011612, 0.10000000149011612, 0.10000000149011612, 0.009999999776482582,
      0.009999999776482582, 0.0009999999310821295, 0.0009999999310821295, 0.0009999999310821295],
     ["Epoch 4: ReduceLROnPlateau reducing learning rate to 0.010000000149011612.",
      "Epoch 6: ReduceLROnPlateau reducing learning rate to 0.0009999999776482583.",
      "Epoch 9: ReduceLROnPlateau reducing learning rate to 9.999999310821295e-05."]),
    ("cooldown_min_lr", {"patience": 1, "cooldown": 2, "factor": 0.5, "min_lr": 0.01, "verbose": 1}, 0.1,
     [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
     [0.10000000149011612, 0.05000000074505806, 0.05000000074505806, 0.02500000037252903, 0.02500000037252903,
      0.012500000186264515, 0.012500000186264515, 0.009999999776482582, 0.009999999776482582, 0.009999999776482582,
      0.009999999776482582, 0.009999999776482582],
     [0.10000000149011612, 0.10000000149011612, 0.05000000074505806, 0.05000000074505806, 0.02500000037252903,
      0.02500000037252903, 0.012500000186264515, 0.012500000186264515, 0.009999999776482582, 0.009999999776482582,
      0.009999999776482582, 0.009999999776482582],
     ["Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05000000074505806.",
      "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.02500000037252903.",
      "Epoch 6: ReduceLROnPlateau reducing learning rate to 0.012500000186264515.",
      "Epoch 8: ReduceLROnPlateau reducing learning rate to 0.01."]),
    ("patience_0", {"patience": 0, "factor": 0.5, "min_lr": 0.02}, 0.1,
     [1.0, 1.1, 0.9, 1.2, 1.3, 1.4],
     [0.10000000149011612, 0.05000000074505806, 0.05000000074505806, 0.02500000037252903, 0.019999999552965164,
      0.019999999552965164],
     [0.10000000149011612, 0.10000000149011612, 0.05000000074505806, 0.05000000074505806, 0.02500000037252903,
      0.019999999552965164],
     []),
    ("max_mode", {"monitor": "val_acc", "mode": "max", "patience": 1, "min_delta": 0.01}, 0.01,
     [0.5, 0.505, 0.52, 0.52, 0.6, 0.59],
     [0.009999999776482582, 0.0009999999310821295, 0.0009999999310821295, 9.99999901978299e-05, 9.99999901978299e-05,
      9.99999883788405e-06],
     [0.009999999776482582, 0.009999999776482582, 0.0009999999310821295, 0.0009999999310821295, 9.99999901978299e-05,
      9.99999901978299e-05],
     []),
    ("min_delta_zero", {"patience": 1, "min_delta": 0.0, "factor": 0.2}, 0.5,
     [1.0, 1.0, 0.99999, 1.0],
     [0.5, 0.10000000149011612, 0.10000000149011612, 0.019999999552965164],
     [0.5, 0.5, 0.10000000149011612, 0.10000000149011612],
     []),
]
# LearningRateScheduler(schedule, verbose=1) with SGD(learning_rate=0.2): (schedule,
#     learning rate in each of 4 epochs, logs["learning_rate"], printed lines).
SCHEDULER_CASES = [
    (lambda epoch, lr: lr * 0.5,
     [0.10000000149011612, 0.05000000074505806, 0.02500000037252903, 0.012500000186264515],
     [0.10000000149011612, 0.05000000074505806, 0.02500000037252903, 0.012500000186264515],
     ["Epoch 1: LearningRateScheduler setting learning rate to 0.10000000149011612.",
      "Epoch 2: LearningRateScheduler setting learning rate to 0.05000000074505806.",
      "Epoch 3: LearningRateScheduler setting learning rate to 0.02500000037252903.",
      "Epoch 4: LearningRateScheduler setting learning rate to 0.012500000186264515."]),
    (lambda epoch: 0.1 / (epoch + 1),
     [0.10000000149011612, 0.05000000074505806, 0.03333333507180214, 0.02500000037252903],
     [0.10000000149011612, 0.05000000074505806, 0.03333333507180214, 0.02500000037252903],
     ["Epoch 1: LearningRateScheduler setting learning rate to 0.1.",
      "Epoch 2: LearningRateScheduler setting learning rate to 0.05.",
      "Epoch 3: LearningRateScheduler setting learning rate to 0.03333333333333333.",
      "Epoch 4: LearningRateScheduler setting learning rate to 0.025."]),
    (lambda epoch, lr: lr if epoch < 2 else lr * 0.1,
     [0.20000000298023224, 0.20000000298023224, 0.019999999552965164, 0.001999999862164259],
     [0.20000000298023224, 0.20000000298023224, 0.019999999552965164, 0.001999999862164259],
     ["Epoch 1: LearningRateScheduler setting learning rate to 0.20000000298023224.",
      "Epoch 2: LearningRateScheduler setting learning rate to 0.20000000298023224.",
      "Epoch 3: LearningRateScheduler setting learning rate to 0.020000000298023225.",
      "Epoch 4: LearningRateScheduler setting learning rate to 0.0019999999552965165."]),
]
# mode='auto' on a model compiled with these metrics (None: Keras raises ValueError).
AUTO_MODE_METRICS = ["accuracy", "mae", "mse", "auc", "precision", "BinaryIoU", "cosine_similarity",
                     "binary_crossentropy", "RootMeanSquaredError", "kl_divergence", "hinge", "F1Score"]
AUTO_MODE = {
    "loss": "min",
    "val_loss": "min",
    "accuracy": "max",
    "val_accuracy": "max",
    "mae": "min",
    "val_mae": "min",
    "mse": "min",
    "auc": "max",
    "val_auc": "max",
    "precision": "max",
    "binary_io_u": "max",
    "cosine_similarity": "max",
    "binary_crossentropy": "min",
    "root_mean_squared_error": "min",
    "kl_divergence": "min",
    "hinge": "min",
    "f1_score": "max",
    "val_f1_score": "max",
    "unknown": None,
    "val_loss_2": None,
    "acc": None,
}
# CSVLogger files (read back as text; Keras writes \r\n line ends).
CSV_NO_VAL = [
    'epoch,acc,loss,lst,name,vec,zero_d,val_acc,val_loss,val_lst,val_name,val_vec,val_zero_d',
    '0,0.25,0.5,"""[1, 2]""","a,b","""[1.0, 2.5]""",3.0,NA,NA,NA,NA,NA,NA',
    '1,0.75,0.25,"""[]""",x,"""[3.0]""",NA,NA,NA,NA,NA,NA,NA',
    '',
]
CSV_APPENDED = [
    'epoch,acc,loss,lst,name,vec,zero_d,val_acc,val_loss,val_lst,val_name,val_vec,val_zero_d',
    '0,0.25,0.5,"""[1, 2]""","a,b","""[1.0, 2.5]""",3.0,NA,NA,NA,NA,NA,NA',
    '1,0.75,0.25,"""[]""",x,"""[3.0]""",NA,NA,NA,NA,NA,NA,NA',
    '0;0.2;0.1',
    '',
]
CSV_APPEND_EMPTY = [
    'epoch,loss,val_loss',
    '3,0.3333333333333333,0.6666666666666666',
    '4,nan,NA',
    '',
]

def small_model(learning_rate=0.01):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=learning_rate), "mse")
    return model


def weights_marker(model):
    return float(model.get_weights()[0].reshape(-1)[0])


def drive(callback, model, values, monitor):
    """What the reference script does: on_train_begin, on_epoch_end per value (the weights set to epoch + 1 first)
    until the model is told to stop, on_train_end. Returns (epochs run, printed output, warnings)."""
    out, epochs = io.StringIO(), []
    model.stop_training = False
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        callback.on_train_begin()
        for epoch, value in enumerate(values):
            model.set_weights([w * 0 + (epoch + 1) for w in model.get_weights()])
            callback.on_epoch_end(epoch, {monitor: value})
            epochs.append(epoch)
            if model.stop_training:
                break
        callback.on_train_end()
    return epochs, out.getvalue(), [str(w.message) for w in caught]


def same(a, b):
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")).astype("float32")


def mlp(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=0.05), "mse", metrics=["mae"])
    return model


# -- EarlyStopping -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", EARLY_STOPPING_CASES, ids=[c[0] for c in EARLY_STOPPING_CASES])
def test_early_stopping_matches_keras_on_crafted_sequences(case):
    name, kwargs, values, n_epochs, stopped_epoch, best, best_epoch, wait, weights, printed = case
    model = small_model()
    stopper = EarlyStopping(**kwargs)
    stopper.set_model(model)
    epochs, out, caught = drive(stopper, model, values, kwargs.get("monitor", "val_loss"))
    assert epochs == list(range(n_epochs))
    assert (stopper.stopped_epoch, stopper.best_epoch, stopper.wait) == (stopped_epoch, best_epoch, wait)
    assert same(float(stopper.best), best)
    assert weights_marker(model) == weights  # restored (or not) exactly as Keras did
    assert out == "".join(line + "\n" for line in printed)
    assert caught == []


def test_early_stopping_warns_when_the_monitored_value_is_missing():
    model = small_model()
    stopper = EarlyStopping()
    stopper.set_model(model)
    epochs, out, caught = drive(stopper, model, [0.5, 0.4], "loss")
    # Keras: the same warning, once per epoch, and training goes on.
    message = "Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: loss"
    assert caught == [message, message] and epochs == [0, 1] and stopper.stopped_epoch == 0
    with pytest.warns(UserWarning, match="Available metrics are: loss,mae$"):
        stopper.on_epoch_end(2, {"loss": 1.0, "mae": 2.0})


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match=r"^EarlyStopping mode 'maximum' is unknown, fallback to auto mode\.$"):
        stopper = EarlyStopping(mode="maximum")
    assert stopper.mode == "auto"
    with pytest.warns(UserWarning, match="ReduceLROnPlateau mode 'up' is unknown"):
        ReduceLROnPlateau(mode="up")


def test_auto_mode_directions_match_keras():
    metrics = [getattr(keras.metrics, m)() if m[0].isupper() else m for m in AUTO_MODE_METRICS]
    metrics[-1] = keras.metrics.F1Score(average="micro")  # one class: a scalar in the logs
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=metrics)
    rng = np.random.default_rng(0)
    model.fit(rng.random((8, 2)), rng.integers(0, 2, (8, 1)).astype("float32"), epochs=1, verbose=0)
    for monitor, expected in AUTO_MODE.items():
        stopper = EarlyStopping(monitor=monitor)
        stopper.set_model(model)
        if expected is None:
            with pytest.raises(ValueError) as info:
                stopper._set_monitor_op()
            assert str(info.value) == (
                f"EarlyStopping callback received monitor={monitor}, but Keras isn't able to automatically determine "
                "whether that metric should be maximized or minimized. Pass `mode='max'` in order to monitor based "
                "on the highest metric value, or pass `mode='min'` in order to use the lowest value."
            )
        else:
            stopper._set_monitor_op()
            assert stopper.monitor_op is (np.greater if expected == "max" else np.less), monitor


def test_auto_mode_is_decided_when_the_first_epoch_ends():
    stopper = EarlyStopping(monitor="val_accuracy")  # no model yet: no error at construction
    stopper.set_model(types.SimpleNamespace(stop_training=False))
    with pytest.raises(ValueError, match="monitor=val_accuracy"):
        stopper.on_epoch_end(0, {"val_accuracy": 0.5})
    assert EarlyStopping(monitor="val_accuracy", mode="max").monitor_op is None


def test_early_stopping_in_fit_stops_and_restores_the_best_weights():
    x, y = data(32)
    # The validation targets are the wrong sign: validation loss rises while training loss falls.
    model = mlp()
    seen = []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((logs["val_loss"], model.get_weights())))
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=30, batch_size=8, verbose=0, validation_data=(x, -y),
                        callbacks=[recorder, stopper])
    losses = [loss for loss, _ in seen]
    best = int(np.argmin(losses))
    assert len(history.epoch) == best + 3 < 30 and stopper.stopped_epoch == best + 2
    for got, want in zip(model.get_weights(), seen[best][1]):
        np.testing.assert_array_equal(got, want)


def test_early_stopping_restores_the_best_weights_even_without_stopping():
    x, y = data(32)
    model = mlp()
    seen = []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((logs["val_loss"], model.get_weights())))
    stopper = EarlyStopping(patience=100, restore_best_weights=True, verbose=1)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        model.fit(x, y, epochs=4, batch_size=8, verbose=0, validation_data=(x, -y), callbacks=[recorder, stopper])
    best = int(np.argmin([loss for loss, _ in seen]))
    assert stopper.stopped_epoch == 0
    assert buffer.getvalue() == f"Restoring model weights from the end of the best epoch: {best + 1}.\n"
    for got, want in zip(model.get_weights(), seen[best][1]):
        np.testing.assert_array_equal(got, want)


def test_early_stopping_is_reusable_across_fits():
    x, y = data(16)
    model = mlp()
    stopper = EarlyStopping(monitor="loss", patience=0, min_delta=1e9)  # nothing counts as an improvement
    assert len(model.fit(x, y, epochs=5, verbose=0, callbacks=[stopper]).epoch) == 2
    assert len(model.fit(x, y, epochs=5, verbose=0, callbacks=[stopper]).epoch) == 2
    assert stopper.stopped_epoch == 1 and stopper.wait == 1


# -- ReduceLROnPlateau ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", REDUCE_LR_CASES, ids=[c[0] for c in REDUCE_LR_CASES])
def test_reduce_lr_on_plateau_matches_keras_on_crafted_sequences(case):
    name, kwargs, learning_rate, values, rates, logged, printed = case
    monitor = kwargs.get("monitor", "val_loss")
    model = small_model(learning_rate)
    reduce_lr = ReduceLROnPlateau(**kwargs)
    reduce_lr.set_model(model)
    got_rates, got_logged, out = [], [], io.StringIO()
    with contextlib.redirect_stdout(out):
        reduce_lr.on_train_begin()
        for epoch, value in enumerate(values):
            logs = {monitor: value}
            reduce_lr.on_epoch_end(epoch, logs)
            got_logged.append(logs["learning_rate"])
            got_rates.append(float(model.optimizer.learning_rate))
    assert got_rates == rates
    assert got_logged == logged
    assert out.getvalue() == "".join(f"\n{line}\n" for line in printed)


def test_reduce_lr_on_plateau_warns_when_the_monitored_value_is_missing():
    model = small_model()
    reduce_lr = ReduceLROnPlateau()
    reduce_lr.set_model(model)
    reduce_lr.on_train_begin()
    logs = {"loss": 1.0}
    with pytest.warns(UserWarning) as caught:
        reduce_lr.on_epoch_end(0, logs)
    # Keras: the same message, and the learning rate is still added to the logs.
    assert [str(w.message) for w in caught] == [
        "Learning rate reduction is conditioned on metric `val_loss` which is not available. "
        "Available metrics are: loss,learning_rate."
    ]
    assert logs == {"loss": 1.0, "learning_rate": 0.009999999776482582}


def test_reduce_lr_on_plateau_arguments():
    with pytest.raises(ValueError, match=r"^ReduceLROnPlateau does not support a factor >= 1.0. Received factor=1.0$"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.warns(UserWarning, match="`epsilon` argument is deprecated"):
        assert ReduceLROnPlateau(epsilon=0.5).min_delta == 0.5
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        ReduceLROnPlateau(min_lr_delta=0.5)


def test_reduce_lr_on_plateau_in_fit_records_the_learning_rate():
    x, y = data(16)
    model = mlp()
    # Nothing is an improvement after the first epoch: the rate halves at the end of every later epoch. The logs
    # hold the rate the epoch trained with (read before reducing).
    reduce_lr = ReduceLROnPlateau(monitor="loss", min_delta=1e9, patience=1, factor=0.5)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[reduce_lr])
    assert [round(v, 6) for v in history.history["learning_rate"]] == [0.05, 0.05, 0.025]
    assert round(float(model.optimizer.learning_rate), 7) == 0.0125


# -- LearningRateScheduler ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", SCHEDULER_CASES, ids=["halve", "epoch_only", "step"])
def test_learning_rate_scheduler_matches_keras(case):
    schedule, rates, logged, printed = case
    model = small_model(0.2)
    scheduler = LearningRateScheduler(schedule, verbose=1)
    scheduler.set_model(model)
    got_rates, got_logged, out = [], [], io.StringIO()
    with contextlib.redirect_stdout(out):
        for epoch in range(4):
            scheduler.on_epoch_begin(epoch)
            got_rates.append(float(model.optimizer.learning_rate))
            logs = {"loss": 1.0}
            scheduler.on_epoch_end(epoch, logs)
            got_logged.append(logs["learning_rate"])
    assert got_rates == rates and got_logged == logged
    assert out.getvalue() == "".join(f"\n{line}\n" for line in printed)


@pytest.mark.parametrize(
    "output, shown",
    [(1, "1"), ("0.1", "0.1"), (None, "None")],  # Keras: the same ValueError and message for each
)
def test_learning_rate_scheduler_rejects_a_schedule_that_returns_no_float(output, shown):
    model = small_model()
    scheduler = LearningRateScheduler(lambda epoch, lr: output)
    scheduler.set_model(model)
    with pytest.raises(ValueError) as info:
        scheduler.on_epoch_begin(0)
    assert str(info.value) == f"The output of the `schedule` function should be a float. Got: {shown}"


def test_learning_rate_scheduler_accepts_numpy_floats_but_not_tensors():
    model = small_model()
    scheduler = LearningRateScheduler(lambda epoch, lr: np.float32(0.5))
    scheduler.set_model(model)
    scheduler.on_epoch_begin(0)
    assert float(model.optimizer.learning_rate) == 0.5
    # As in Keras, whose own docstring example (`lr * ops.exp(-0.1)`) raises this same error.
    scheduler = LearningRateScheduler(lambda epoch, lr: lr * keras.ops.exp(-0.1))
    scheduler.set_model(model)
    with pytest.raises(ValueError, match="should be a float"):
        scheduler.on_epoch_begin(1)
    with pytest.raises(TypeError, match="schedule"):
        LearningRateScheduler(0.1)


def test_learning_rate_scheduler_in_fit():
    def scheduler(epoch, lr):  # the Keras docs' example, with a float result
        if epoch < 2:
            return lr
        return lr * float(np.exp(-0.1))

    x, y = data(16)
    model = mlp()
    history = model.fit(x, y, epochs=4, verbose=0, callbacks=[LearningRateScheduler(scheduler)])
    expected = [0.05, 0.05, 0.05 * math.exp(-0.1), 0.05 * math.exp(-0.2)]
    np.testing.assert_allclose(history.history["learning_rate"], expected, rtol=1e-6)


# -- TerminateOnNaN ------------------------------------------------------------------------------------------------
def test_terminate_on_nan_matches_keras_on_a_crafted_batch():
    model = small_model()
    cb = TerminateOnNaN()
    cb.set_model(model)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cb.on_batch_end(0, {"loss": 1.0})
        cb.on_train_batch_end(1, {"loss": float("inf")})
    assert out.getvalue() == "Batch 1: Invalid loss, terminating training\n" and model.stop_training
    cb = TerminateOnNaN(raise_error=True)
    cb.set_model(small_model())
    with pytest.raises(RuntimeError) as info:
        cb.on_batch_end(1, {"loss": float("inf")})
    assert str(info.value) == (
        "NaN or Inf loss encountered at batch 1. Loss value: inf. Terminating training immediately."
    )


def test_terminate_on_nan_in_fit_stops_gracefully_or_raises(capsys):
    x, y = data(16)
    y[5] = np.nan  # the first batch of 8 has a NaN target, so a NaN loss
    ended = []
    tail = LambdaCallback(on_train_end=lambda logs: ended.append(True))
    model = mlp()
    history = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0, callbacks=[TerminateOnNaN(), tail])
    assert capsys.readouterr().out == "Batch 0: Invalid loss, terminating training\n"
    assert history.epoch == [0] and ended == [True]
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        mlp().fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0,
                  callbacks=[TerminateOnNaN(raise_error=True), tail])
    assert ended == [True]  # raise_error skips on_train_end


# -- CSVLogger -------------------------------------------------------------------------------------------------------
def test_csv_logger_matches_keras_files(tmp_path):
    path = tmp_path / "log.csv"
    cb = CSVLogger(path)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"loss": 0.5, "acc": np.float32(0.25), "vec": np.array([1.0, 2.5]), "lst": [1, 2],
                        "name": "a,b", "zero_d": np.array(3.0)})
    cb.on_epoch_end(1, {"loss": 0.25, "acc": 0.75, "vec": np.array([3.0]), "lst": [], "name": "x"})
    cb.on_train_end()
    assert path.read_text() == "\n".join(CSV_NO_VAL)
    assert path.read_bytes().count(b"\r\n") == 3  # the csv module's line ends, as Keras writes them
    cb = CSVLogger(path, separator=";", append=True)  # appended: no second header
    cb.on_train_begin()
    cb.on_epoch_end(0, {"val_loss": 0.1, "loss": 0.2})
    cb.on_train_end()
    assert path.read_text() == "\n".join(CSV_APPENDED)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    cb = CSVLogger(str(empty), append=True)  # an empty file gets its header
    cb.on_train_begin()
    cb.on_epoch_end(3, {"loss": 1 / 3, "val_loss": 2 / 3})
    cb.on_epoch_end(4, {"loss": float("nan")})
    cb.on_train_end()
    assert empty.read_text() == "\n".join(CSV_APPEND_EMPTY)


def test_csv_logger_overwrites_without_append_and_keeps_the_first_epochs_columns(tmp_path):
    path = tmp_path / "log.tsv"
    path.write_text("old contents\n")
    cb = CSVLogger(path, separator="\t")
    cb.on_train_begin()
    cb.on_epoch_end(0, {})
    cb.on_epoch_end(1, {"loss": 1.0})  # Keras: the columns are fixed by the first epoch
    cb.on_train_end()
    assert path.read_bytes() == b"epoch\r\n0\r\n1\r\n"
    with pytest.raises(ValueError, match="separator"):
        CSVLogger(path, separator=", ")


def test_csv_logger_in_fit_writes_and_flushes_every_epoch(tmp_path):
    x, y = data(16)
    path = tmp_path / "training.log"
    rows_seen = []
    reader = LambdaCallback(on_epoch_end=lambda epoch, logs: rows_seen.append(len(path.read_text().splitlines())))
    model = mlp()
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[CSVLogger(path), reader])
    assert rows_seen == [2, 3, 4]  # header + one row per epoch, on disk as each epoch ends
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss,mae,val_loss,val_mae"
    for epoch, line in enumerate(lines[1:]):
        values = line.split(",")
        assert values[0] == str(epoch)
        assert [float(v) for v in values[1:]] == [history.history[k][epoch] for k in ("loss", "mae", "val_loss",
                                                                                      "val_mae")]


# -- RemoteMonitor -------------------------------------------------------------------------------------------------
class _PostRecorder:
    """A real HTTP server on 127.0.0.1 that records every POST (path, headers, body); 500 for /fail."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append((self.path, dict(self.headers), body))
                self.send_response(500 if self.path == "/fail" else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def post_server(local_sockets):  # tests/conftest.py: skips where there are no sockets (Pyodide)
    server = _PostRecorder()
    yield server
    server.close()


def test_remote_monitor_posts_a_form_field_by_default(post_server):
    monitor = RemoteMonitor(root=post_server.url, headers={"X-Run": "seed-1"})
    monitor.on_epoch_end(2, {"loss": 0.5, "acc": np.float32(0.25), "arr": np.array(3.0)})
    [(path, headers, body)] = post_server.requests
    assert path == "/publish/epoch/end/"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded" and headers["X-Run"] == "seed-1"
    form = parse_qs(body.decode())
    assert list(form) == ["data"]
    assert json.loads(form["data"][0]) == {"epoch": 2, "loss": 0.5, "acc": 0.25, "arr": 3.0}


def test_remote_monitor_sends_json_and_every_epoch_of_a_fit(post_server):
    x, y = data(16)
    monitor = RemoteMonitor(root=post_server.url, path="/events", send_as_json=True)
    history = mlp().fit(x, y, epochs=2, verbose=0, callbacks=[monitor])
    assert [p for p, _, _ in post_server.requests] == ["/events", "/events"]
    assert all(h["Content-Type"] == "application/json" for _, h, _ in post_server.requests)
    sent = [json.loads(body) for _, _, body in post_server.requests]
    assert sent == [{"epoch": e, "loss": history.history["loss"][e], "mae": history.history["mae"][e]}
                    for e in (0, 1)]


def test_remote_monitor_custom_field_and_server_errors_are_quiet(post_server):
    monitor = RemoteMonitor(root=post_server.url, path="/fail", field="payload")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a 500 answer is not a failure to reach the server (as with requests)
        monitor.on_epoch_end(0, {"loss": 1.0})
    assert list(parse_qs(post_server.requests[0][2].decode())) == ["payload"]


def test_remote_monitor_warns_when_the_server_cannot_be_reached(post_server):
    url = post_server.url
    post_server.close()  # nothing listens there any more
    with pytest.warns(UserWarning, match=f"^Could not reach RemoteMonitor root server at {url}$"):
        RemoteMonitor(root=url).on_epoch_end(0, {"loss": 1.0})


def test_remote_monitor_refuses_nan_in_strict_json(post_server):
    # requests (which Keras uses) will not encode NaN as JSON: Keras warns instead of sending.
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        RemoteMonitor(root=post_server.url, send_as_json=True).on_epoch_end(0, {"loss": float("nan")})
    assert post_server.requests == []
    RemoteMonitor(root=post_server.url).on_epoch_end(0, {"loss": float("nan")})  # a form field takes "NaN"
    assert math.isnan(json.loads(parse_qs(post_server.requests[0][2].decode())["data"][0])["loss"])


# -- LambdaCallback --------------------------------------------------------------------------------------------------
def test_lambda_callback_every_hook_in_fit_evaluate_and_predict():
    calls = []

    def record(name):
        # Positional logs show as "dict", logs passed by keyword (as Keras passes batch logs) as "logs=".
        def hook(*args, **kwargs):
            calls.append((name, *("dict" if isinstance(a, dict) else a for a in args), *(f"{k}=" for k in kwargs)))

        return hook

    hooks = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
             "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
             "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]
    cb = LambdaCallback(**{hook: record(hook) for hook in hooks})
    x, y = data(4)
    model = mlp()
    model.fit(x, y, batch_size=2, epochs=1, verbose=0, validation_data=(x[:2], y[:2]), callbacks=[cb])
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[cb])
    model.predict(x, batch_size=4, verbose=0, callbacks=[cb])
    assert calls == [
        ("on_train_begin", "dict"),
        ("on_epoch_begin", 0, "dict"),
        ("on_train_batch_begin", 0, "logs="), ("on_train_batch_end", 0, "logs="),
        ("on_train_batch_begin", 1, "logs="), ("on_train_batch_end", 1, "logs="),
        ("on_test_begin", "dict"),
        ("on_test_batch_begin", 0, "logs="), ("on_test_batch_end", 0, "logs="),
        ("on_test_end", "dict"),
        ("on_epoch_end", 0, "dict"),
        ("on_train_end", "dict"),
        ("on_test_begin", "dict"),
        ("on_test_batch_begin", 0, "logs="), ("on_test_batch_end", 0, "logs="),
        ("on_test_end", "dict"),
        ("on_predict_begin", "dict"),
        ("on_predict_batch_begin", 0, "logs="), ("on_predict_batch_end", 0, "logs="),
        ("on_predict_end", "dict"),
    ]  # fmt: skip


def test_lambda_callback_gets_keras_arguments():
    seen = {}

    def keep(name):
        def hook(*args, **kwargs):
            seen[name] = (args, kwargs)

        return hook

    cb = LambdaCallback(on_epoch_end=keep("epoch_end"), on_train_end=keep("train_end"),
                        on_batch_end=keep("batch_end"), on_test_end=keep("test_end"),
                        on_predict_batch_end=keep("predict_batch_end"))
    x, y = data(4)
    model = mlp()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=(x, y), callbacks=[cb])
    model.predict(x, batch_size=4, verbose=0, callbacks=[cb])
    assert seen["epoch_end"][0][0] == 0 and sorted(seen["epoch_end"][0][1]) == ["loss", "mae", "val_loss", "val_mae"]
    assert sorted(seen["train_end"][0][0]) == ["loss", "mae", "val_loss", "val_mae"]  # the last epoch's logs
    assert seen["batch_end"][0] == (0,) and sorted(seen["batch_end"][1]["logs"]) == ["loss", "mae"]
    assert sorted(seen["test_end"][0][0]) == ["loss", "mae"]
    assert seen["predict_batch_end"][1]["logs"]["outputs"].shape == (4, 1)


def test_lambda_callback_positional_arguments_follow_keras_3():
    functions = [lambda *a: None for _ in range(6)]
    cb = LambdaCallback(*functions)
    names = ["on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end", "on_train_batch_begin",
             "on_train_batch_end"]
    assert [getattr(cb, name) for name in names] == functions
    with pytest.raises(TypeError, match="on_epoch_end"):
        LambdaCallback(on_epoch_end="print")


def test_seed_lambda_callback_examples_print_batch_and_epoch_logs(capsys):
    from kerasnb import callbacks  # the seed: `from tensorflow.keras import callbacks`

    print_batch_callback = callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: print(batch, logs))
    print_epoch_callback = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: print(epoch, logs))
    x, y = data(8)
    model = mlp()
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0, validation_split=0.5,
                        callbacks=[print_batch_callback, print_epoch_callback])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["0", "0", "0", "1"]  # batch 0, epoch 0, batch 0, epoch 1
    assert lines[1] == "0 " + str({k: v[0] for k, v in history.history.items()})
    assert lines[0].startswith("0 {'loss': ") and "'mae': " in lines[0]


# -- ProgbarLogger: stateful_metrics ---------------------------------------------------------------------------------
def test_progbar_logger_stateful_metrics_averages_other_values(capsys, monkeypatch):
    monkeypatch.setattr(progbar_module, "_dynamic_display", lambda stream: True)
    monkeypatch.setattr(progbar_module, "_now", lambda: 0.0)
    model = types.SimpleNamespace(metrics=[types.SimpleNamespace(name="loss")])
    for logger, grad_shown in ((ProgbarLogger(), "3.0000"), (ProgbarLogger(stateful_metrics=["lr"]), "2.0000")):
        cbs = CallbackList([logger], model=model, verbose=1, epochs=1, steps=4)
        cbs.on_train_begin()
        cbs.on_epoch_begin(0)
        cbs.on_train_batch_end(0, {"loss": 2.0, "grad": 1.0, "lr": 0.5})
        logger.progbar.interval = 0
        cbs.on_train_batch_end(1, {"loss": 1.0, "grad": 3.0, "lr": 0.25})
        last = capsys.readouterr().out.split("\r")[-1]
        # The loss (a model metric) and lr (named) as given; grad averaged by the bar only with stateful_metrics.
        assert last.endswith(f"loss: 1.0000 - grad: {grad_shown} - lr: 0.2500")
    with pytest.raises(TypeError, match="stateful_metrics"):
        ProgbarLogger(stateful_metrics="loss")
