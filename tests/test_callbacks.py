"""Callbacks: hook order through CallbackList, the on_batch_* aliases, override detection, History,
LambdaCallback, logs turned into floats, and what ProgbarLogger prints."""

import types

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.callbacks import (
    HOOK_NAMES,
    Callback,
    CallbackList,
    History,
    LambdaCallback,
    ProgbarLogger,
    callback_overrides,
)
from kerasnb.callbacks.callback_list import pythonify_logs
from kerasnb.utils import progbar as progbar_module


class Recorder(Callback):
    """Records every hook it receives, with its arguments, into a shared list."""

    def __init__(self, name, events):
        super().__init__()
        self.name = name
        self.events = events


def _recording_hook(hook):
    def method(self, *args, **kwargs):
        self.events.append((self.name, hook, *args, *kwargs.values()))

    return method


for _hook in HOOK_NAMES:
    setattr(Recorder, _hook, _recording_hook(_hook))


def run_fit_like(callbacks, epochs=2, steps=2, validate=True):
    """Call the hooks in the order a trainer's fit does."""
    callbacks.on_train_begin()
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        for step in range(steps):
            callbacks.on_train_batch_begin(step)
            callbacks.on_train_batch_end(step, {"loss": 1.0 / (step + 1)})
        logs = {"loss": 0.5}
        if validate:
            callbacks.on_test_begin()
            callbacks.on_test_batch_begin(0)
            callbacks.on_test_batch_end(0, {"loss": 0.7})
            callbacks.on_test_end({"loss": 0.7})
            logs["val_loss"] = 0.7
        callbacks.on_epoch_end(epoch, logs)
    callbacks.on_train_end(logs)


# -- CallbackList ------------------------------------------------------------------------------------------
def test_callback_list_calls_each_callback_in_order_for_every_hook():
    events = []
    cbs = CallbackList([Recorder("a", events), Recorder("b", events)])
    run_fit_like(cbs, epochs=1, steps=1)
    hooks = [e[1] for e in events]
    assert hooks == [
        "on_train_begin", "on_train_begin",
        "on_epoch_begin", "on_epoch_begin",
        "on_train_batch_begin", "on_train_batch_begin",
        "on_train_batch_end", "on_train_batch_end",
        "on_test_begin", "on_test_begin",
        "on_test_batch_begin", "on_test_batch_begin",
        "on_test_batch_end", "on_test_batch_end",
        "on_test_end", "on_test_end",
        "on_epoch_end", "on_epoch_end",
        "on_train_end", "on_train_end",
    ]  # fmt: skip
    assert [e[0] for e in events] == ["a", "b"] * 10
    assert events[6] == ("a", "on_train_batch_end", 0, {"loss": 1.0})


def test_callback_list_has_every_hook_and_forwards_predict_and_alias_hooks():
    events = []
    cbs = CallbackList([Recorder("a", events)])
    for hook in HOOK_NAMES:
        args = (3,) if "batch" in hook or "epoch" in hook else ()
        getattr(cbs, hook)(*args, {"x": 1})
    assert [e[1] for e in events] == list(HOOK_NAMES)


def test_default_callbacks_progbar_first_history_last():
    user = Callback()
    cbs = CallbackList([user], add_history=True, add_progbar=True, verbose=1, epochs=1, steps=1)
    kinds = [type(cb) for cb in cbs.callbacks]
    assert kinds == [ProgbarLogger, Callback, History]


def test_default_callbacks_are_not_duplicated_and_only_added_when_asked():
    progbar, history = ProgbarLogger(), History()
    cbs = CallbackList([history, progbar], add_history=True, add_progbar=True)
    assert cbs.callbacks == [history, progbar]
    assert CallbackList([]).callbacks == []
    assert CallbackList(None, add_history=True).callbacks[0].__class__ is History


def test_set_model_and_params_reach_every_callback_and_model_history_is_set():
    model = types.SimpleNamespace()
    user = Callback()
    cbs = CallbackList([user], add_history=True, model=model, verbose=0, epochs=3, steps=7)
    assert user.model is model
    assert user.params == {"verbose": 0, "epochs": 3, "steps": 7}
    assert model.history is cbs.callbacks[-1]
    cbs.set_params({})  # empty params do not wipe what the callbacks were given
    assert user.params == {"verbose": 0, "epochs": 3, "steps": 7}


def test_callback_list_rejects_non_callbacks_with_a_hint():
    with pytest.raises(TypeError, match="LambdaCallback"):
        CallbackList([lambda epoch, logs: None])


def test_a_single_callback_is_accepted():
    cb = Callback()
    assert CallbackList(cb).callbacks == [cb]


def test_all_callbacks_share_one_logs_dict_so_history_sees_additions():
    class AddsLearningRate(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["learning_rate"] = 0.01

    cbs = CallbackList([AddsLearningRate()], add_history=True)
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 1.0})
    assert cbs.callbacks[-1].history == {"loss": [1.0], "learning_rate": [0.01]}


# -- logs become plain floats --------------------------------------------------------------------------------
def test_logs_reach_callbacks_as_python_floats():
    seen = []
    cbs = CallbackList([LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs))])
    logs = {
        "tensor": keras.ops.convert_to_tensor(0.25),
        "np_scalar": np.float32(0.5),
        "array_0d": np.array(2.0),
        "array_1": np.array([3.0]),
        "int": 4,
        "np_int": np.int64(5),
    }
    cbs.on_epoch_end(0, logs)
    assert seen == [{"tensor": 0.25, "np_scalar": 0.5, "array_0d": 2.0, "array_1": 3.0, "int": 4.0, "np_int": 5.0}]
    assert all(type(v) is float for v in seen[0].values())


def test_pythonify_logs_keeps_what_is_not_a_number_and_flattens_dicts():
    big = np.zeros((2, 2))
    out = pythonify_logs({"outputs": big, "name": "x", "nested": {"a": np.float64(1.5)}})
    assert out["outputs"] is big and out["name"] == "x" and out["a"] == 1.5
    assert pythonify_logs(None) == {}


def test_callbacks_get_an_empty_dict_when_no_logs_are_passed():
    seen = []
    CallbackList([LambdaCallback(on_train_begin=seen.append)]).on_train_begin()
    assert seen == [{}]


# -- the on_batch_* aliases -------------------------------------------------------------------------------------
def test_overriding_on_batch_end_is_called_during_training():
    calls = []

    class OldStyle(Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, logs["loss"]))

    run_fit_like(CallbackList([OldStyle()]), epochs=1, steps=2)
    assert calls == [("begin", 0), ("end", 0, 1.0), ("begin", 1), ("end", 1, 0.5)]


def test_overriding_on_train_batch_end_replaces_the_alias_call():
    calls = []

    class Both(Callback):
        def on_train_batch_end(self, batch, logs=None):
            calls.append("train_batch_end")

        def on_batch_end(self, batch, logs=None):
            calls.append("batch_end")

    CallbackList([Both()]).on_train_batch_end(0, {})
    assert calls == ["train_batch_end"]


def test_test_and_predict_batches_do_not_call_the_training_aliases():
    calls = []

    class OldStyle(Callback):
        def on_batch_end(self, batch, logs=None):
            calls.append(batch)

    cbs = CallbackList([OldStyle()])
    cbs.on_test_batch_end(0, {})
    cbs.on_predict_batch_end(0, {})
    assert calls == []


# -- override detection ------------------------------------------------------------------------------------------
def test_base_callback_overrides_nothing():
    assert not any(callback_overrides(Callback(), hook) for hook in HOOK_NAMES)


def test_callback_overrides_sees_subclass_methods_and_aliases():
    class EpochAndBatch(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

        def on_batch_begin(self, batch, logs=None):
            pass

    cb = EpochAndBatch()
    overridden = {hook for hook in HOOK_NAMES if callback_overrides(cb, hook)}
    assert overridden == {"on_epoch_end", "on_batch_begin", "on_train_batch_begin"}


def test_callback_overrides_sees_lambda_callback_functions():
    cb = LambdaCallback(on_epoch_end=lambda e, logs: None, on_test_end=lambda logs: None)
    overridden = {hook for hook in HOOK_NAMES if callback_overrides(cb, hook)}
    assert overridden == {"on_epoch_end", "on_test_end"}


def test_callback_overrides_for_the_built_in_callbacks():
    assert callback_overrides(History(), "on_epoch_end") and not callback_overrides(History(), "on_batch_end")
    assert callback_overrides(ProgbarLogger(), "on_train_batch_end")


def test_callback_overrides_rejects_unknown_hooks():
    with pytest.raises(ValueError, match="Unknown callback hook 'on_epoch_ends'"):
        callback_overrides(Callback(), "on_epoch_ends")


def test_subclass_without_super_init_still_has_the_attributes():
    class Lazy(Callback):
        def __init__(self):
            pass

    cb = Lazy()
    assert cb.model is None and cb.params is None and cb.validation_data is None
    cb.set_model("m")
    assert cb.model == "m"


# -- History -------------------------------------------------------------------------------------------------------
def test_history_records_every_epoch_and_becomes_model_history():
    model = types.SimpleNamespace()
    cbs = CallbackList(add_history=True, model=model)
    run_fit_like(cbs, epochs=3)
    history = cbs.callbacks[-1]
    assert history.epoch == [0, 1, 2]
    assert history.history == {"loss": [0.5, 0.5, 0.5], "val_loss": [0.7, 0.7, 0.7]}
    assert model.history is history


def test_history_epoch_restarts_with_each_training_run():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 1.0})
    history.on_train_begin()
    assert history.epoch == []


# -- LambdaCallback ------------------------------------------------------------------------------------------------
def test_lambda_callback_calls_the_functions_with_keras_arguments():
    calls = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_batch_end=lambda batch, logs: calls.append(("batch_end", batch, logs["loss"])),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["val_loss"])),
        on_train_end=lambda logs: calls.append(("train_end",)),
        on_test_end=lambda logs: calls.append(("test_end", logs["loss"])),
    )
    run_fit_like(CallbackList([cb]), epochs=1, steps=1)
    assert calls == [
        ("train_begin", {}),
        ("epoch_begin", 0),
        ("batch_end", 0, 1.0),
        ("test_end", 0.7),
        ("epoch_end", 0, 0.7),
        ("train_end",),
    ]


def test_lambda_callback_accepts_keras_3_names():
    calls = []
    cb = LambdaCallback(on_train_batch_begin=lambda batch, logs: calls.append(batch))
    CallbackList([cb]).on_train_batch_begin(4)
    assert calls == [4]


def test_lambda_callback_rejects_misspelt_hooks():
    with pytest.raises(ValueError, match="on_epoch_ends"):
        LambdaCallback(on_epoch_ends=print)


# -- ProgbarLogger ----------------------------------------------------------------------------------------------
@pytest.fixture
def quiet_clock(monkeypatch):
    """Output as in a CI log (no in-place redraws) and a clock that stands still at 0."""
    monkeypatch.setattr(progbar_module, "_dynamic_display", lambda stream: False)
    monkeypatch.setattr(progbar_module, "_now", lambda: 0.0)


def test_progbar_logger_in_fit_prints_epochs_and_final_lines_with_val_metrics(capsys, quiet_clock):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=2, steps=2)
    run_fit_like(cbs, epochs=2, steps=2)
    line = "2/2 [==============================] - 0s 0s/step - loss: 0.5000 - val_loss: 0.7000\n"
    assert capsys.readouterr().out == "Epoch 1/2\n" + line + "Epoch 2/2\n" + line


def test_progbar_logger_verbose_2_prints_one_line_per_epoch(capsys, quiet_clock):
    cbs = CallbackList([], add_progbar=True, verbose=2, epochs=2, steps=2)
    run_fit_like(cbs, epochs=2, steps=2)
    line = "2/2 - 0s - loss: 0.5000 - val_loss: 0.7000\n"
    assert capsys.readouterr().out == "Epoch 1/2\n" + line + "Epoch 2/2\n" + line


def test_progbar_logger_single_epoch_has_no_epoch_line(capsys, quiet_clock):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=2)
    run_fit_like(cbs, epochs=1, steps=2, validate=False)
    assert capsys.readouterr().out == "2/2 [==============================] - 0s 0s/step - loss: 0.5000\n"


def test_progbar_logger_batch_updates_show_the_running_values_as_given(capsys, monkeypatch):
    monkeypatch.setattr(progbar_module, "_dynamic_display", lambda stream: True)
    monkeypatch.setattr(progbar_module, "_now", lambda: 0.0)
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=4)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 2.0})
    cbs._progbar.progbar.interval = 0  # the frozen clock would otherwise throttle every redraw after the first
    cbs.on_train_batch_end(1, {"loss": 1.0})  # an epoch average from the trainer: shown, not averaged again
    out = capsys.readouterr().out
    assert out.split("\r")[1:] == [
        "1/4 [" + "=" * 6 + ">" + "." * 23 + "] - ETA: 0s - loss: 2.0000",
        "2/4 [" + "=" * 14 + ">" + "." * 15 + "] - ETA: 0s - loss: 1.0000",
    ]


def test_progbar_runs_before_user_callbacks(capsys, quiet_clock):
    cbs = CallbackList(
        [LambdaCallback(on_epoch_end=lambda epoch, logs: print("user epoch end"))],
        add_progbar=True,
        verbose=1,
        epochs=1,
        steps=1,
    )
    run_fit_like(cbs, epochs=1, steps=1, validate=False)
    assert capsys.readouterr().out.splitlines()[-1] == "user epoch end"


def test_progbar_logger_standalone_evaluate_and_predict_print_bars(capsys, quiet_clock):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=3)
    cbs.on_test_begin()
    for step in range(3):
        cbs.on_test_batch_begin(step)
        cbs.on_test_batch_end(step, {"loss": 0.25})
    cbs.on_test_end({"loss": 0.25})
    cbs.on_predict_begin()
    for step in range(3):
        cbs.on_predict_batch_end(step, {"outputs": np.zeros((2, 2))})
    cbs.on_predict_end()
    bar = "3/3 [==============================] - 0s 0s/step"
    assert capsys.readouterr().out == f"{bar} - loss: 0.2500\n{bar}\n"


def test_progbar_logger_learns_an_unknown_number_of_steps(capsys, quiet_clock):
    cbs = CallbackList([], add_progbar=True, verbose=1, epochs=2, steps=None)
    cbs.on_train_begin()
    for epoch in range(2):
        cbs.on_epoch_begin(epoch)
        for step in range(3):
            cbs.on_train_batch_end(step, {"loss": 1.0})
        cbs.on_epoch_end(epoch, {"loss": 1.0})
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == lines[3] == "3/3 [==============================] - 0s 0s/step - loss: 1.0000"


def test_progbar_logger_verbose_0_prints_nothing(capsys, quiet_clock):
    logger = ProgbarLogger()
    cbs = CallbackList([logger], verbose=0, epochs=2, steps=2)
    run_fit_like(cbs, epochs=2, steps=2)
    assert capsys.readouterr().out == ""


def test_progbar_logger_only_counts_steps():
    with pytest.raises(ValueError, match="count_mode"):
        ProgbarLogger(count_mode="samples")
