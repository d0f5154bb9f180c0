"""The classic Keras progress bar: ``8/8 [==============================] - 12s 1s/step - loss: 0.2236``.

In a terminal or a Jupyter notebook the bar is redrawn in place (each update starts with ``\\r``), so a cell's
output stays one line per epoch. Written to a pipe or a file (CI logs) it prints only the finished line, because
there every redraw would become a line of its own.
"""

import os
import sys
import time

import numpy as np


def _now():
    """The clock the bar reads (seconds); a module-level function so tests can replace it."""
    return time.time()


def _dynamic_display(stream):
    """Whether ``stream`` shows ``\\r`` redraws in place: a terminal, a Jupyter kernel, or PyCharm's console.

    Keras also answers yes whenever ``'posix' in sys.modules``, which is true on every Linux and macOS machine,
    so its bars flood CI logs; kerasnb leaves that test out.
    """
    isatty = getattr(stream, "isatty", None)
    try:
        if isatty is not None and isatty():
            return True
    except ValueError:  # a closed stream
        return False
    return in_notebook() or "PYCHARM_HOSTED" in os.environ


def in_notebook():
    """True inside a running Jupyter kernel (not merely when ipykernel was imported, as test tools do)."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _format_value(value):
    """``%.4f``, or ``%.4e`` for magnitudes at or below 1e-3 (so 0 prints as ``0.0000e+00``, as in Keras)."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_time_per_unit(seconds, unit_name):
    """``' 1s/step'``, ``' 3ms/step'`` or ``' 120us/step'``: the largest unit that keeps a whole number."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(seconds):
    seconds = int(seconds)  # whole seconds, truncated as Keras's %d does
    if seconds > 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds > 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


class Progbar:
    """A text progress bar with running metrics, as printed by ``model.fit``.

    Args:
        target: total number of steps, or ``None`` if unknown (the bar then shows ``17/Unknown``).
        width: characters between the brackets.
        verbose: 0 silent, 1 a bar updated as steps finish, 2 one line when the bar finishes.
        interval: the least number of seconds between two redraws (the last update always draws).
        stateful_metrics: names whose values are shown as given; every other value is averaged over the
            steps it was reported for.
        unit_name: what a step is called in ``1s/step``.
        file: where to write; ``None`` means ``sys.stdout`` at the time of writing (so notebooks and
            ``capsys`` see it).
        dynamic: redraw in place (``True``) or print only finished lines (``False``); ``None`` decides from the
            stream, as Keras does.

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> bar = keras.utils.Progbar(4, width=8, file=out, dynamic=False, stateful_metrics=["loss"])
        >>> for step in range(1, 5):
        ...     bar.update(step, [("loss", 1.0 / step)])
        >>> out.getvalue()  # doctest: +ELLIPSIS
        '4/4 [========] - ...s/step - loss: 0.2500\\n'
    """

    def __init__(
        self,
        target,
        width=30,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        unit_name="step",
        *,
        file=None,
        dynamic=None,
    ):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self.file = file
        self._dynamic_display = _dynamic_display(self._stream()) if dynamic is None else bool(dynamic)
        self._seen_so_far = 0
        self._values = {}  # name -> [weighted sum, weight]; stateful ones hold [value, 1]
        self._values_order = []  # names in the order they first appeared: the order they are shown in
        self._start = _now()
        self._last_update = float("-inf")  # the first update always draws
        self._time_after_first_step = None
        self._total_width = 0  # length of the line last drawn, to blank out what a shorter redraw leaves

    def update(self, current, values=None, finalize=None):
        """Move the bar to step ``current`` and record ``values``, a list of ``(name, value)`` pairs.

        ``finalize`` (default: ``current >= target``) draws the finished line and ends it with a newline.

        Example:
            >>> import io
            >>> bar = keras.utils.Progbar(2, width=4, file=io.StringIO(), dynamic=False)
            >>> bar.update(1, [("loss", 2.0)])
            >>> bar.update(2, [("loss", 4.0)])
            >>> bar.file.getvalue()  # loss averaged over the two steps
            '2/2 [====] - 0s ...s/step - loss: 3.0000\\n'
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            if name not in self._values_order:
                self._values_order.append(name)
            if name in self.stateful_metrics:
                self._values[name] = [value, 1]
            else:
                # A value stands for every step since the last update. At least 1, so that a finishing update
                # for a step that was already reported (an unknown target learned at the end) still counts.
                weight = max(current - self._seen_so_far, 1)
                total = self._values.setdefault(name, [0.0, 0])
                total[0] += value * weight
                total[1] += weight
        self._seen_so_far = current

        now = _now()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if not finalize and (now - self._last_update < self.interval or not self._dynamic_display):
                return
            self._write(self._bar_line(current, now, time_per_unit, finalize))
        elif self.verbose == 2 and finalize:
            self._write(f"{self._count(current)} - {now - self._start:.0f}s{self._metrics()}\n")
        self._last_update = now

    def add(self, n, values=None):
        """Advance the bar by ``n`` steps (see :meth:`update`).

        Example:
            >>> import io
            >>> bar = keras.utils.Progbar(3, width=3, file=io.StringIO(), dynamic=False)
            >>> bar.add(1)
            >>> bar.add(2)
            >>> bar.file.getvalue()
            '3/3 [===] - 0s ...s/step\\n'
        """
        self.update(self._seen_so_far + n, values)

    # -- drawing ------------------------------------------------------------------------------------
    def _bar_line(self, current, now, time_per_unit, finalize):
        if self.target is None:
            bar = f"{current:7d}/Unknown"
        else:
            done = 1.0 if self.target <= 0 else min(current / self.target, 1.0)
            filled = int(self.width * done)
            arrow = "" if filled == 0 else "=" * (filled - 1) + (">" if current < self.target else "=")
            bar = f"{self._count(current)} [{arrow}{'.' * (self.width - filled)}]"
        if self.target is None or finalize:
            info = f" - {now - self._start:.0f}s" + _format_time_per_unit(time_per_unit, self.unit_name)
        else:
            info = " - ETA: " + _format_eta(time_per_unit * (self.target - current))
        line = bar + info + self._metrics()

        if not self._dynamic_display:
            return line + "\n"
        # Redraw in place: back to the line's start, and blank out the tail of a longer previous line.
        padding = " " * max(self._total_width - len(line), 0)
        self._total_width = len(line)
        return "\r" + line + padding + ("\n" if finalize else "")

    def _count(self, current):
        if self.target is None:
            return f"{current}/Unknown"
        digits = len(str(self.target))
        return f"{current:{digits}d}/{self.target}"

    def _metrics(self):
        text = ""
        for name in self._values_order:
            total, weight = self._values[name]
            text += f" - {name}: {_format_value(float(np.mean(total)) / max(weight, 1))}"
        return text

    def _write(self, message):
        stream = self._stream()
        stream.write(message)
        stream.flush()  # show progress now, not when the stream's buffer happens to fill

    def _stream(self):
        return self.file if self.file is not None else sys.stdout

    def _estimate_step_duration(self, current, now):
        """Seconds per step, leaving out the first step (it includes one-off costs) once there are others."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step
