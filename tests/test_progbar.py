"""The progress bar: exact output with a fake clock, in place (terminal/notebook) and line by line (pipes/CI)."""

import io

import pytest

from kerasnb.utils import Progbar
from kerasnb.utils import progbar as progbar_module


class FakeClock:
    """Stands in for ``progbar._now``: time only moves when a test says so."""

    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "_now", fake)
    return fake


def make_bar(target, dynamic, **kwargs):
    out = io.StringIO()
    return Progbar(target, file=out, dynamic=dynamic, **kwargs), out


EMPTY_BAR = "[" + "." * 30 + "]"
FULL_BAR = "[" + "=" * 30 + "]"


def test_dynamic_display_redraws_in_place(clock):
    bar, out = make_bar(8, dynamic=True, stateful_metrics=["loss", "accuracy"])
    clock.t = 2.0
    bar.update(1, [("loss", 2.3017), ("accuracy", 0.1182)])
    first = "1/8 [==>...........................] - ETA: 14s - loss: 2.3017 - accuracy: 0.1182"
    assert out.getvalue() == "\r" + first

    clock.t = 9.0
    bar.update(8, [("loss", 2.2236), ("accuracy", 0.2927), ("val_loss", 1.8295), ("val_accuracy", 0.6315)])
    last = (
        f"8/8 {FULL_BAR} - 9s 1s/step - loss: 2.2236 - accuracy: 0.2927 - val_loss: 1.8295 - val_accuracy: 0.6315"
    )
    assert out.getvalue() == "\r" + first + "\r" + last + "\n"


def test_every_dynamic_update_starts_with_carriage_return_and_blanks_a_longer_line(clock):
    bar, out = make_bar(8, dynamic=True, stateful_metrics=["loss"])
    writes = []
    bar._write = writes.append  # one entry per redraw
    clock.t = 2.0
    bar.update(1, [("loss", 1.0)])  # ETA 7 steps * 2s = 14s
    clock.t = 2.5
    bar.update(2, [("loss", 1.0)])  # ETA 6 steps * 0.5s = 3s: one character shorter
    assert all(w.startswith("\r") for w in writes)
    assert writes[1] == "\r2/8 [======>.......................] - ETA: 3s - loss: 1.0000 "  # padded over the 14s line
    assert "\n" not in "".join(writes)


def test_redraws_are_throttled_by_interval_but_the_last_update_always_draws(clock):
    bar, out = make_bar(3, dynamic=True, interval=0.05)
    writes = []
    bar._write = writes.append
    clock.t = 1.0
    bar.update(1)
    clock.t = 1.01
    bar.update(2)  # 10 ms after the last redraw: skipped
    clock.t = 1.02
    bar.update(3)  # finishing: drawn anyway
    assert [w.split(" ")[0] for w in writes] == ["\r1/3", "\r3/3"]


def test_non_dynamic_prints_only_the_finished_line(clock):
    bar, out = make_bar(4, dynamic=False, stateful_metrics=["loss"])
    for step in range(1, 5):
        clock.t = 0.003 * step
        bar.update(step, [("loss", 0.5)])
    assert out.getvalue() == f"4/4 {FULL_BAR} - 0s 3ms/step - loss: 0.5000\n"


def test_verbose_2_prints_one_line_at_the_end(clock):
    bar, out = make_bar(5, dynamic=True, verbose=2, stateful_metrics=["loss", "accuracy"])
    for step in range(1, 5):
        bar.update(step, [("loss", 9.0)])
    assert out.getvalue() == ""
    clock.t = 1.2
    bar.update(5, [("loss", 0.4729), ("accuracy", 0.8462)])
    assert out.getvalue() == "5/5 - 1s - loss: 0.4729 - accuracy: 0.8462\n"


def test_verbose_0_is_silent(clock):
    bar, out = make_bar(2, dynamic=True, verbose=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 1.0)])
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    "value, text",
    [(0.0005, "5.0000e-04"), (0.0, "0.0000e+00"), (1e-3, "1.0000e-03"), (0.0011, "0.0011"), (-0.5, "-0.5000"),
     (-0.0002, "-2.0000e-04"), (123.456789, "123.4568")],
)
def test_metric_format_switches_to_scientific_below_1e_3(value, text, clock):
    for verbose in (1, 2):
        bar, out = make_bar(1, dynamic=False, verbose=verbose, stateful_metrics=["m"])
        bar.update(1, [("m", value)])
        assert out.getvalue().endswith(f" - m: {text}\n")


@pytest.mark.parametrize(
    "seconds, text", [(0, " 0s/step"), (2.4, " 2s/step"), (1.0, " 1s/step"), (0.003, " 3ms/step"),
                      (0.00012, " 120us/step")]
)
def test_time_per_step_units(seconds, text):
    assert progbar_module._format_time_per_unit(seconds, "step") == text


@pytest.mark.parametrize("seconds, text", [(14.9, "14s"), (65, "1:05"), (3661, "1:01:01")])
def test_eta_format(seconds, text):
    assert progbar_module._format_eta(seconds) == text


def test_values_not_in_stateful_metrics_are_averaged_over_steps(clock):
    bar, out = make_bar(3, dynamic=False)
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 4.0)])  # stands for steps 2 and 3: (1*1 + 4*2) / 3 = 3
    assert out.getvalue().endswith(" - loss: 3.0000\n")


def test_stateful_metrics_are_shown_as_given(clock):
    bar, out = make_bar(3, dynamic=False, stateful_metrics=["loss"])
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 4.0)])
    assert out.getvalue().endswith(" - loss: 4.0000\n")


def test_unknown_target(clock):
    bar, out = make_bar(None, dynamic=True)
    clock.t = 3.0
    bar.update(3, [("loss", 1.0)])
    assert out.getvalue() == "\r      3/Unknown - 3s 1s/step - loss: 1.0000"


def test_add_advances_the_bar(clock):
    bar, out = make_bar(5, dynamic=False, width=5)
    bar.add(2)
    bar.add(3)
    assert out.getvalue() == "5/5 [=====] - 0s 0s/step\n"


def test_first_step_is_left_out_of_the_time_per_step(clock):
    bar, out = make_bar(3, dynamic=False, width=3)
    clock.t = 10.0  # a slow first step (graph building, caches)
    bar.update(1)
    clock.t = 12.0
    bar.update(3)
    assert out.getvalue() == "3/3 [===] - 12s 1s/step\n"


def test_count_is_right_aligned_to_the_target_width(clock):
    bar, out = make_bar(10, dynamic=True, width=10)
    bar.update(2)
    assert out.getvalue().startswith("\r 2/10 [=>........]")


def test_dynamic_display_detection(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    monkeypatch.delitem(__import__("sys").modules, "ipykernel", raising=False)
    assert progbar_module._dynamic_display(Tty()) is True
    assert progbar_module._dynamic_display(io.StringIO()) is False  # a pipe or a file: CI logs
    monkeypatch.setitem(__import__("sys").modules, "ipykernel", object())
    assert progbar_module._dynamic_display(io.StringIO()) is False  # imported (as nbval does) but no kernel runs

    class Shell:
        kernel = object()

    class FakeIPython:
        @staticmethod
        def get_ipython():
            return Shell()

    monkeypatch.setitem(__import__("sys").modules, "IPython", FakeIPython)
    assert progbar_module._dynamic_display(io.StringIO()) is True  # a running Jupyter kernel handles \r


def test_default_stream_is_sys_stdout_at_write_time(capsys, clock):
    bar = Progbar(1, width=2, dynamic=False)
    bar.update(1)
    assert capsys.readouterr().out == "1/1 [==] - 0s 0s/step\n"
