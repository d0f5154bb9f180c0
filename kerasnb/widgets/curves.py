"""Training curves: ``TrainingCurves`` collects loss and metric series during ``fit`` (bounded memory, throttled
updates); a view draws them. ``plot_history`` draws a finished ``History``.

Data and view are separate: the callback keeps plain lists and calls ``view.update(curves)`` at most
``max_updates_per_second`` times a second (and always at each epoch end), then ``view.close(curves)`` once at
train end. ``MatplotlibView`` draws with matplotlib's Agg renderer into a PNG shown through an IPython display
handle, replaced in place on each update; outside a Jupyter kernel it does nothing.
"""

import itertools
import math
import numbers
import sys
import time

import numpy as np

from kerasnb.callbacks.callback import Callback


class DecimatedSeries:
    """A series of ``(x, y)`` points that keeps at most ``max_points`` of them, whatever its length.

    It keeps every ``stride``-th point appended; when more than ``max_points`` are kept it drops every other one
    and doubles ``stride``. The kept points are thus the points numbered 0, stride, 2*stride, ... (counting
    from 0). ``last`` is the latest point, kept too so a view can show the current value.

    Example:
        >>> s = kerasnb.widgets.DecimatedSeries(max_points=4)
        >>> for i in range(10):
        ...     s.append(i, i * i)
        >>> s.xs, s.stride, s.count
        ([0, 4, 8], 4, 10)
        >>> s.points()
        ([0, 4, 8, 9], [0, 16, 64, 81])
    """

    def __init__(self, max_points=2000):
        if max_points < 2:
            raise ValueError(f"max_points must be at least 2; received {max_points}.")
        self.max_points = int(max_points)
        self.stride = 1
        self.count = 0
        self.xs = []
        self.ys = []
        self.last = None

    def append(self, x, y):
        if self.count % self.stride == 0:
            self.xs.append(x)
            self.ys.append(y)
            if len(self.xs) > self.max_points:
                self.xs = self.xs[::2]
                self.ys = self.ys[::2]
                self.stride *= 2
        self.count += 1
        self.last = (x, y)

    def points(self):
        """The kept points plus the latest one, as two lists ``(xs, ys)``."""
        xs, ys = list(self.xs), list(self.ys)
        if self.last is not None and (not xs or xs[-1] != self.last[0]):
            xs.append(self.last[0])
            ys.append(self.last[1])
        return xs, ys

    def __len__(self):
        return len(self.xs)

    def __repr__(self):
        return f"<DecimatedSeries {self.count} points, {len(self.xs)} kept (every {self.stride})>"


# Finished runs of this process (a notebook's kernel), newest last, for the "compare runs" mode: a label with the
# run's settings and its epoch series. Bounded, like everything the widgets keep.
_FINISHED_RUNS = []
_MAX_RUNS = 5
_RUN_NUMBERS = itertools.count(1)


def _run_label(model, params, number):
    """``'run 2: Adam lr=0.001, 10 epochs'``: enough to tell runs apart in a legend."""
    text = f"run {number}"
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        text += f": {type(optimizer).__name__}"
        try:
            text += f" lr={float(np.asarray(optimizer.learning_rate.numpy())):.3g}"
        except (AttributeError, TypeError, ValueError):  # a schedule or a callable has no single value
            pass
    if params and params.get("epochs"):
        text += f", {params['epochs']} epochs"
    return text


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class TrainingCurves(Callback):
    """Live training curves: per-batch and per-epoch series of the loss and every metric, ``val_`` ones included.

    Per-batch series are indexed by the global training step (1, 2, ... across epochs); the epoch series by the
    step at which each epoch ended, so both share one x axis. Every series is a :class:`DecimatedSeries` of at
    most ``max_points`` points. After a training batch, ``on_update()`` runs only if ``1 / max_updates_per_second``
    seconds (by ``clock``) passed since the last one; it always runs at epoch end and train end. ``on_update``
    calls ``view.update(self)``; at train end ``view.close(self)`` leaves the final picture. ``view=None``
    collects only. No background thread is ever used. Each ``fit`` starts new series.

    Every finished fit is remembered (its epoch series and a label with its settings; the last five runs of the
    process); with ``compare_runs=True`` the views draw those earlier runs as faded traces behind this one.

    Example:
        >>> model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> curves = kerasnb.widgets.TrainingCurves()
        >>> x, y = np.ones((8, 2)), np.ones((8, 1))
        >>> _ = model.fit(x, y, batch_size=4, epochs=3, validation_data=(x, y), verbose=0, callbacks=[curves])
        >>> curves
        <TrainingCurves loss, mae: 6 steps, 3 epochs>
        >>> curves.batch_series["loss"].xs, curves.epoch_series["val_loss"].xs
        ([1, 2, 3, 4, 5, 6], [2, 4, 6])
    """

    def __init__(self, view=None, max_points=2000, max_updates_per_second=4, compare_runs=False, clock=time.monotonic):
        super().__init__()
        if max_updates_per_second <= 0:
            raise ValueError(f"max_updates_per_second must be positive; received {max_updates_per_second}.")
        self.view = view
        self.max_points = max_points
        self.max_updates_per_second = max_updates_per_second
        self.clock = clock
        self.compare_runs = bool(compare_runs)
        self.update_count = 0
        self.previous_runs = []
        self._reset()

    def _reset(self):
        self.batch_series = {}
        self.epoch_series = {}
        self.step = 0
        self.epochs = 0
        self.finished = False
        self._last_update = None

    @property
    def status(self):
        """One line for the view's header: ``'epoch 3/12 · step 450 · loss 0.3127'``, or ``'done: ...'`` at the end."""
        total = (self.params or {}).get("epochs")
        if self.finished:
            text = f"done: {self.epochs} epoch{'s' * (self.epochs != 1)}, {self.step} steps"
        else:
            # the epoch being trained, or the one just ended (between the last epoch's end and train end)
            current = min(self.epochs + 1, total) if total else self.epochs + 1
            text = f"epoch {current}/{total}" if total else f"epoch {current}"
            text += f" · step {self.step}"
        loss = self.batch_series.get("loss")
        if loss is not None and loss.last is not None and not self.finished:
            text += f" · loss {loss.last[1]:.4g}"
        last_epoch = {name: s.last[1] for name, s in self.epoch_series.items() if s.last is not None}
        if self.finished and last_epoch:
            text += " · " + ", ".join(f"{name} {value:.4g}" for name, value in last_epoch.items())
        return text

    def __repr__(self):
        names = ", ".join(self.metrics) or "no metrics yet"
        return f"<TrainingCurves {names}: {self.step} steps, {self.epochs} epochs>"

    @property
    def metrics(self):
        """The metric names, loss first, without the ``val_`` prefix, in the order they appeared."""
        names = []
        for name in [*self.batch_series, *self.epoch_series]:
            base = name[4:] if name.startswith("val_") else name
            if base not in names:
                names.append(base)
        return names

    def _add(self, series, x, logs):
        for name, value in (logs or {}).items():
            if _is_number(value):
                if name not in series:
                    series[name] = DecimatedSeries(self.max_points)
                series[name].append(x, float(value))

    # -- hooks -------------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._reset()
        self.previous_runs = list(_FINISHED_RUNS)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self._add(self.batch_series, self.step, logs)
        now = self.clock()
        if self._last_update is None or now - self._last_update >= 1.0 / self.max_updates_per_second:
            self._update(now)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1
        self._add(self.epoch_series, self.step, logs)
        self._update(self.clock())

    def on_train_end(self, logs=None):
        self.finished = True
        _FINISHED_RUNS.append(
            {
                "label": _run_label(self.model, self.params, next(_RUN_NUMBERS)),
                "panels": {p["name"]: {"epoch": p["epoch"], "val_epoch": p["val_epoch"]} for p in self.panels()},
            }
        )
        del _FINISHED_RUNS[:-_MAX_RUNS]
        self._update(self.clock())
        if self.view is not None:
            self.view.close(self)

    def _update(self, now):
        self._last_update = now
        self.update_count += 1
        self.on_update()

    def on_update(self):
        """Called at each (throttled) update: redraws the view. Override it to do something else."""
        if self.view is not None:
            self.view.update(self)

    # -- data for views ----------------------------------------------------------------------------------
    def panels(self):
        """One dict per metric: ``name``, and ``(xs, ys)`` lists for ``batch``, ``epoch`` and ``val_epoch``."""
        empty = ([], [])
        result = []
        for name in self.metrics:
            result.append(
                {
                    "name": name,
                    "batch": self.batch_series[name].points() if name in self.batch_series else empty,
                    "epoch": self.epoch_series[name].points() if name in self.epoch_series else empty,
                    "val_epoch": self.epoch_series[f"val_{name}"].points()
                    if f"val_{name}" in self.epoch_series
                    else empty,
                }
            )
        return result


# -- matplotlib ------------------------------------------------------------------------------------------
def _import_matplotlib(what):
    try:
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            f"{what} needs matplotlib, which is not installed. Install it with `pip install matplotlib`."
        ) from error
    return Figure, FigureCanvasAgg


def _draw_panels(panels, xlabel, what, figsize=None):
    """A Figure with one axes per panel: train batches as a thin line, train epochs as dots and validation
    epochs as hollow squares on a dashed line, in two shades of one colour."""
    Figure, FigureCanvasAgg = _import_matplotlib(what)
    import matplotlib

    n = max(len(panels), 1)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=figsize or (4.0 * ncols, 3.0 * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    # A Figure made without pyplot has no notebook display of its own; this one shows itself as a PNG.
    fig._repr_png_ = lambda: _figure_png(fig, 100)
    cmap = matplotlib.colormaps["tab20"]
    for i, panel in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        dark, light = cmap((2 * i) % 20), cmap((2 * i + 1) % 20)
        xs, ys = panel.get("batch", ([], []))
        if xs:
            ax.plot(xs, ys, color=dark, linewidth=0.8, alpha=0.6, label=f"{panel['name']} (batch)")
        xs, ys = panel.get("epoch", ([], []))
        if xs:
            ax.plot(xs, ys, color=dark, marker="o", linewidth=1.2, label=panel["name"])
        xs, ys = panel.get("val_epoch", ([], []))
        if xs:
            ax.plot(
                xs,
                ys,
                color=dark,
                marker="s",
                markerfacecolor=light,
                linestyle="--",
                linewidth=1.2,
                label=f"val_{panel['name']}",
            )
        ax.set_title(panel["name"])
        ax.set_xlabel(xlabel)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    return fig


def _figure_png(fig, dpi):
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _in_jupyter_kernel():
    """True inside a Jupyter kernel. Imports nothing: if IPython was never imported, this is no kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class MatplotlibView:
    """Draws :class:`TrainingCurves` with matplotlib (Agg) into a PNG shown through one IPython display handle.

    The first update displays the image with ``display(..., display_id=True)``; later ones replace it with
    ``handle.update(...)``, and ``close`` leaves the final static PNG in place, so a saved notebook shows it with
    no widget state. Outside a Jupyter kernel it draws nothing (``frames`` stays 0).

    Example:
        >>> curves = kerasnb.widgets.TrainingCurves(view=kerasnb.widgets.MatplotlibView())
        >>> curves.view
        <MatplotlibView>
    """

    def __init__(self, figsize=None, dpi=72):
        self.figsize = figsize
        self.dpi = dpi
        self.frames = 0
        self.handle = None
        self.active = _in_jupyter_kernel()
        if self.active:
            _import_matplotlib("MatplotlibView")

    def __repr__(self):
        return "<MatplotlibView>"

    def render(self, curves):
        """The curves as PNG bytes."""
        fig = _draw_panels(curves.panels(), "step", "MatplotlibView", self.figsize)
        return _figure_png(fig, self.dpi)

    def update(self, curves):
        if not self.active:
            return
        from IPython.display import Image, display

        image = Image(data=self.render(curves), format="png")
        if self.handle is None:
            self.handle = display(image, display_id=True)
        else:
            self.handle.update(image)
        self.frames += 1

    def close(self, curves):
        """Replace the live picture by the final one (through the same display handle)."""
        self.update(curves)


def plot_history(history, backend="matplotlib", figsize=None):
    """Draw a finished training history, one panel per metric with its validation values overlaid.

    ``history`` is what ``fit`` returns (a ``History``) or its ``.history`` dict. ``backend="matplotlib"`` (the
    default) returns a matplotlib ``Figure`` (shown as a PNG in notebooks); ``backend="plotly"`` returns a plotly
    ``Figure`` with hover values and zoom, which ``fig.write_html(path)`` exports as one HTML page. Each library
    is imported only here; without it this raises an ImportError saying what to install.

    Example:
        >>> fig = kerasnb.widgets.plot_history({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}, backend="plotly")
        >>> [(trace.name, list(trace.y)) for trace in fig.data]
        [('loss', [0.9, 0.5]), ('val_loss', [1.0, 0.7])]
    """
    if backend not in ("matplotlib", "plotly"):
        raise ValueError(f"plot_history draws with backend='matplotlib' or 'plotly'; received backend={backend!r}.")
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"plot_history expects a History (what fit returns) or a dict of lists; got {history!r}.")
    names = []
    for name in logs:
        base = name[4:] if name.startswith("val_") else name
        if base not in names:
            names.append(base)
    panels = []
    for name in names:
        train, val = logs.get(name, []), logs.get(f"val_{name}", [])
        panels.append(
            {
                "name": name,
                "epoch": (list(range(1, len(train) + 1)), list(train)),
                "val_epoch": (list(range(1, len(val) + 1)), list(val)),
            }
        )
    if backend == "plotly":
        return _plotly_panels(panels, "epoch", figsize)
    return _draw_panels(panels, "epoch", "plot_history", figsize)


def _plotly_panels(panels, xlabel, figsize):
    """The plotly version of ``_draw_panels``: a row of subplots, training solid, validation dashed."""
    try:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots
    except ImportError as error:
        raise ImportError(
            "plot_history(backend='plotly') needs plotly, which is not installed. Install it with `pip install "
            "plotly`, or use the default backend='matplotlib'."
        ) from error
    n = max(len(panels), 1)
    fig = make_subplots(rows=1, cols=n, subplot_titles=[p["name"] for p in panels] or None)
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    for i, panel in enumerate(panels):
        color = palette[i % len(palette)]
        for kind, dash in (("epoch", "solid"), ("val_epoch", "dash")):
            xs, ys = panel[kind]
            if xs:
                fig.add_trace(
                    go.Scatter(x=xs, y=ys, mode="lines+markers", line={"color": color, "dash": dash},
                               name=panel["name"] if kind == "epoch" else f"val_{panel['name']}"),
                    row=1, col=i + 1,
                )
        fig.update_xaxes(title_text=xlabel, row=1, col=i + 1)
    width, height = (figsize if figsize else (4.0 * n, 3.2))
    fig.update_layout(width=int(width * 100), height=int(height * 100), margin={"t": 40, "b": 40, "l": 40, "r": 10})
    return fig
