"""``MonitorCallback``: what EarlyStopping, ReduceLROnPlateau and ModelCheckpoint share — watching one logged
value and deciding whether a new value is an improvement."""

import warnings

import numpy as np

from kerasnb import config
from kerasnb.callbacks.callback import Callback


class MonitorCallback(Callback):
    """Base class for callbacks that watch one logged value (``monitor``) and act when it stops improving.

    Not exported as ``keras.callbacks.MonitorCallback`` (Keras keeps it internal too); subclass it from
    ``kerasnb.callbacks.monitor_callback``.

    Args:
        monitor: the name of the value in the epoch logs, e.g. ``'val_loss'`` or ``'val_accuracy'``.
        mode: ``'min'`` (smaller is better), ``'max'`` (larger is better) or ``'auto'``. ``'auto'`` decides when
            the first epoch ends, as Keras does: ``'loss'``/``'val_loss'`` are minimized, a compiled metric
            (``'accuracy'``, ``'val_auc'``, ``'val_mae'``, ...) goes its own way (accuracies, AUC, precision,
            IoU, R² are maximized; errors and cross-entropies minimized); any other name raises ``ValueError``
            asking for ``mode='min'`` or ``mode='max'``. An unknown ``mode`` warns and falls back to ``'auto'``.
        baseline: a starting "best" value (``None``: the first value seen).
        min_delta: how much a value must beat the best by to count as an improvement (its sign is ignored).

    Values are compared in the default float type (float32), as Keras compares them: ``1.0 - 1e-9`` is no
    improvement on ``1.0``. A NaN value is never an improvement (unless nothing was seen before).

    Example:
        >>> from kerasnb.callbacks.monitor_callback import MonitorCallback
        >>> watcher = MonitorCallback(monitor="val_loss", min_delta=0.1)
        >>> watcher._set_monitor_op()
        >>> watcher._is_improvement(0.85, 1.0), watcher._is_improvement(0.95, 1.0)
        (True, False)
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        """Choose ``self.monitor_op`` (``np.less`` or ``np.greater``) from ``mode``, and point ``min_delta`` the
        same way. Called when the first epoch ends, once the model's metrics exist."""
        if self.mode == "min":
            self.monitor_op = np.less
        elif self.mode == "max":
            self.monitor_op = np.greater
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = np.less
            for metric in _compiled_metrics(self.model):
                direction = getattr(metric, "_direction", None)
                if metric.name == name and direction is not None:
                    self.monitor_op = np.greater if direction == "up" else np.less
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but Keras isn't able to "
                    "automatically determine whether that metric should be maximized or minimized. Pass "
                    "`mode='max'` in order to monitor based on the highest metric value, or pass `mode='min'` in "
                    "order to use the lowest value."
                )
        if self.monitor_op is np.less:
            self.min_delta = -self.min_delta

    def _is_improvement(self, monitor_value, reference_value):
        """Whether ``monitor_value`` beats ``reference_value`` by more than ``min_delta`` (always, if there is no
        reference yet)."""
        if reference_value is None:
            return True
        floatx = config.floatx()
        candidate = np.asarray(monitor_value - self.min_delta, dtype=floatx)
        return bool(self.monitor_op(candidate, np.asarray(reference_value, dtype=floatx)))


def _compiled_metrics(model):
    """The metrics given to ``compile(metrics=...)`` (only these have a direction ``mode='auto'`` may use, as in
    Keras: loss trackers and metrics a model creates itself do not count)."""
    compiled = getattr(model, "_compile_metrics", None)
    return list(getattr(compiled, "metrics", None) or [])
