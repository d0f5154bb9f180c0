"""``EventTracer``: a callback that records every hook call of ``fit``, ``evaluate`` and ``predict`` as plain data."""

import time as _time
from typing import NamedTuple

from kerasnb.callbacks.callback import HOOK_NAMES, Callback
from kerasnb.callbacks.callback_list import pythonify_logs

# Hooks that open and close a level of the timeline, and the batch hooks, by family.
_OPENERS = {"on_train_begin", "on_epoch_begin", "on_test_begin", "on_predict_begin"}
_CLOSERS = {"on_train_end", "on_epoch_end", "on_test_end", "on_predict_end"}
_BATCH_FAMILY = {
    "on_train_batch_begin": "train",
    "on_train_batch_end": "train",
    "on_batch_begin": "train",
    "on_batch_end": "train",
    "on_test_batch_begin": "test",
    "on_test_batch_end": "test",
    "on_predict_batch_begin": "predict",
    "on_predict_batch_end": "predict",
}


class Event(NamedTuple):
    """One hook call: its name, the epoch it happened in (``None`` outside ``fit``'s epochs), the batch index
    (``None`` for non-batch hooks), a copy of ``logs`` as plain floats (arrays, such as ``predict``'s batch
    outputs, are kept only as a description of their shape and dtype), and the seconds since the tracer's first
    event. The ``repr`` leaves the time out, so it is the same on every run.

    Example:
        >>> Event("on_epoch_end", 0, None, {"loss": 0.5}, 1.25)
        Event(hook='on_epoch_end', epoch=0, batch=None, logs={'loss': 0.5})
    """

    hook: str
    epoch: int | None
    batch: int | None
    logs: dict
    time: float

    def __repr__(self):
        return f"Event(hook={self.hook!r}, epoch={self.epoch!r}, batch={self.batch!r}, logs={self.logs!r})"


def _plain(value):
    """A logs value as plain data: numbers and strings as they are, arrays as a short description (a tracer must
    not keep every batch's predictions alive)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None:
        return f"<array shape={tuple(shape)} {dtype}>"
    return f"<{type(value).__name__}>"


def _plain_logs(logs):
    return {name: _plain(value) for name, value in pythonify_logs(logs).items()}


def _format_logs(logs):
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in logs.items())


def _label(event):
    """The timeline text of a non-batch event: ``'epoch 0 end'``, ``'test begin'``."""
    name = event.hook[len("on_") :]
    if event.hook in ("on_epoch_begin", "on_epoch_end"):
        name = f"epoch {event.epoch} {name.split('_')[1]}"
    else:
        name = name.replace("_", " ")
    return name


class EventTracer(Callback):
    """Records every callback hook call as an :class:`Event`, in order: ``tracer.events`` is a plain list.

    Pass it to ``fit``, ``evaluate`` and ``predict``; it keeps recording across calls (``clear()`` empties it).
    Batch hooks are recorded under the names the training loop calls (``on_train_batch_begin``, not its alias
    ``on_batch_begin``). ``clock`` (default ``time.perf_counter``) gives the timestamps.

    Memory stays bounded however long training runs: ``tracer.rows`` is the collapsed timeline (a run of batch
    events is one row with a count), kept as events arrive; ``tracer.events`` keeps every event up to
    ``max_events``, and after that only the non-batch ones (``tracer.dropped`` counts the batch events left out).
    With a ``view``, ``view.update(tracer)`` runs at most ``max_updates_per_second`` times a second and always when
    an epoch, a training, a test or a prediction ends; ``view.close(tracer)`` runs when training ends.

    Example:
        >>> model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> tracer = kerasnb.widgets.EventTracer()
        >>> _ = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), batch_size=2, epochs=1, verbose=0, callbacks=[tracer])
        >>> tracer
        <EventTracer 8 events>
        >>> [e.hook for e in tracer.events][:3]
        ['on_train_begin', 'on_epoch_begin', 'on_train_batch_begin']
        >>> print("\\n".join(tracer.timeline(logs=False)))
        train begin
          epoch 0 begin
            train batch ×2
          epoch 0 end
        train end
    """

    def __init__(self, view=None, max_events=100_000, max_updates_per_second=4, clock=_time.perf_counter):
        super().__init__()
        if max_updates_per_second <= 0:
            raise ValueError(f"max_updates_per_second must be positive; received {max_updates_per_second}.")
        self.view = view
        self.max_events = int(max_events)
        self.max_updates_per_second = max_updates_per_second
        self.clock = clock
        self.update_count = 0
        self.clear()

    def clear(self):
        """Forget every recorded event."""
        self.events = []
        self.rows = []
        self.dropped = 0
        self._depth = 0
        self._epoch = None
        self._t0 = None
        self._last_update = None

    def __repr__(self):
        dropped = f" ({self.dropped} batch events not kept)" if self.dropped else ""
        return f"<EventTracer {len(self.events)} events{dropped}>"

    def __len__(self):
        return len(self.events)

    def _record(self, hook, batch=None, logs=None):
        now = self.clock()
        if self._t0 is None:
            self._t0 = now
        if hook == "on_epoch_begin":
            self._epoch = batch
            batch = None
        elif hook == "on_epoch_end":
            batch = None
        event = Event(hook, self._epoch, batch, _plain_logs(logs), now - self._t0)
        family = _BATCH_FAMILY.get(hook)
        if family is None or len(self.events) < self.max_events:
            self.events.append(event)
        else:
            self.dropped += 1
        self._add_row(event, family)
        if hook in ("on_epoch_end", "on_train_end"):
            self._epoch = None
        if self.view is not None:
            if hook in _CLOSERS or now - (self._last_update or -1e300) >= 1.0 / self.max_updates_per_second:
                self._last_update = now
                self.update_count += 1
                self.view.update(self)
            if hook == "on_train_end":
                self.view.close(self)

    def _add_row(self, event, family):
        """Extend the collapsed timeline by one event: a batch event joins the batch row before it if that row is
        of the same family, any other event is a row of its own (closers one level out, openers one level in)."""
        if family is not None:
            last = self.rows[-1] if self.rows else None
            if last is not None and last["family"] == family:
                ends = event.hook.endswith("_end")
                last["begins"] += not ends
                last["ends"] += ends
                last["count"] = max(last["begins"], last["ends"])
                if ends:
                    last["logs"], last["batch"] = event.logs, event.batch
                last["hook"] = event.hook if ends else last["hook"]
                return
            ends = event.hook.endswith("_end")
            self.rows.append(
                {"hook": event.hook, "label": f"{family} batch", "family": family, "depth": self._depth,
                 "epoch": event.epoch, "batch": event.batch, "count": 1, "begins": int(not ends), "ends": int(ends),
                 "logs": event.logs if ends else {}, "time": event.time}
            )
            return
        if event.hook in _CLOSERS:
            self._depth = max(self._depth - 1, 0)
        self.rows.append(
            {"hook": event.hook, "label": _label(event), "family": None, "depth": self._depth, "epoch": event.epoch,
             "batch": None, "count": 1, "begins": 0, "ends": 0, "logs": event.logs, "time": event.time}
        )
        if event.hook in _OPENERS:
            self._depth += 1

    # -- the hooks (each records itself; the training batch hooks do not call their aliases) ----------------
    def on_train_begin(self, logs=None):
        self._record("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._record("on_train_end", logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record("on_epoch_begin", epoch, logs)  # _record moves the epoch out of the batch slot

    def on_epoch_end(self, epoch, logs=None):
        self._epoch = epoch
        self._record("on_epoch_end", None, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record("on_train_batch_end", batch, logs)

    def on_batch_begin(self, batch, logs=None):
        self._record("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._record("on_batch_end", batch, logs)

    def on_test_begin(self, logs=None):
        self._record("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._record("on_test_end", logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._record("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._record("on_test_batch_end", batch, logs)

    def on_predict_begin(self, logs=None):
        self._record("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._record("on_predict_end", logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._record("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._record("on_predict_batch_end", batch, logs)

    # -- views of the data ---------------------------------------------------------------------------------
    def filter(self, hooks=None, epoch=None):
        """The events whose hook is in ``hooks`` (a name or a list of names; all when ``None``), optionally only
        those of one ``epoch``.

        Example:
            >>> tracer = kerasnb.widgets.EventTracer()
            >>> tracer.on_epoch_begin(0); tracer.on_epoch_end(0, {"loss": 0.5})
            >>> tracer.filter(hooks="on_epoch_end")
            [Event(hook='on_epoch_end', epoch=0, batch=None, logs={'loss': 0.5})]
        """
        if isinstance(hooks, str):
            hooks = [hooks]
        if hooks is not None:
            unknown = [h for h in hooks if h not in HOOK_NAMES]
            if unknown:
                raise ValueError(f"Unknown callback hook(s) {unknown}. The hooks are: {', '.join(HOOK_NAMES)}.")
            hooks = set(hooks)
        return [e for e in self.events if (hooks is None or e.hook in hooks) and (epoch is None or e.epoch == epoch)]

    def timeline(self, logs=True, indent="  "):
        """The events as text lines, nested (train > epoch > batches, test > batches), with each run of
        consecutive batch events of one kind collapsed to one row with its count (``'train batch ×8'``).

        With ``logs=True``, end rows show their logs (a collapsed batch row shows its last batch's).
        """
        lines = []
        for row in self.rows:
            text = f"{row['label']} ×{row['count']}" if row["family"] else row["label"]
            if logs and row["logs"] and (row["family"] or row["hook"] in _CLOSERS):
                text += f"  {_format_logs(row['logs'])}"
            lines.append(indent * row["depth"] + text)
        return lines

    def to_dataframe(self):
        """The events as a ``pandas.DataFrame``: columns hook, epoch, batch, time, then one column per logs key."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError(
                "EventTracer.to_dataframe() needs pandas, which is not installed. Install it with "
                "`pip install pandas`; `tracer.events` holds the same data as a plain list."
            ) from error
        rows = [{"hook": e.hook, "epoch": e.epoch, "batch": e.batch, "time": e.time, **e.logs} for e in self.events]
        return pd.DataFrame(rows, columns=None if rows else ["hook", "epoch", "batch", "time"])
