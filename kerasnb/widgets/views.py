"""Live notebook views of the widgets' data: small anywidget models whose browser side is ``static/widgets.js``.

A view is what a data callback (``TrainingCurves``, ``EventTracer``, ``LayerInspector``) calls: ``update(data)``
after each throttled update and ``close(data)`` when training ends. Each view owns one widget and one IPython
display handle. ``update`` sends the new state in one comm message (``hold_sync``); per-batch curve points travel
as one float32 binary buffer. ``close`` replaces the curves and the tracer, through their display handle, by a
static HTML snapshot of their final state (so a saved notebook, GitHub, nbviewer and nbval show the result with
no widget state) and closes their widget; the inspector stays live, since it is most useful after training.

Outside a Jupyter kernel (a script, a test, a doctest) a view is inactive: it never imports anywidget and its
methods do nothing, so the data callbacks work everywhere. ``active=True`` forces it on (tests use that with a
recording comm).
"""

import math
from html import escape
from pathlib import Path

import numpy as np

from kerasnb.widgets import svgplot
from kerasnb.widgets.curves import _in_jupyter_kernel

_STATIC = Path(__file__).parent / "static"
_WIDGET_CLASSES = {}


def widget_classes():
    """The anywidget classes ``{"curves", "tracer", "inspector"}``, defined on first use (anywidget and traitlets
    are imported only then). They share one ES module and one stylesheet; a ``_kind`` trait picks the view."""
    if _WIDGET_CLASSES:
        return _WIDGET_CLASSES
    try:
        import anywidget
        import traitlets
    except ImportError as error:
        raise ImportError(
            "kerasnb's live widgets need anywidget and ipywidgets: `pip install kerasnb[widgets]` (or `pip install "
            "anywidget ipywidgets`). Without them the callbacks still collect their data."
        ) from error

    class KerasnbWidget(anywidget.AnyWidget):
        _esm = (_STATIC / "widgets.js").read_text(encoding="utf-8")
        _css = (_STATIC / "widgets.css").read_text(encoding="utf-8")
        _kind = traitlets.Unicode("").tag(sync=True)

        def __repr__(self):  # the text/plain of the output: nbval compares it, so no ids or addresses
            return f"<kerasnb {self._kind} widget>"

    class CurvesWidget(KerasnbWidget):
        _kind = traitlets.Unicode("curves").tag(sync=True)
        # not "layout": every ipywidget already has a `layout` trait (its CSS Layout widget)
        series_layout = traitlets.List().tag(sync=True)
        points = traitlets.Bytes(b"").tag(sync=True)
        previous = traitlets.List().tag(sync=True)
        status = traitlets.Unicode("").tag(sync=True)

    class TracerWidget(KerasnbWidget):
        _kind = traitlets.Unicode("tracer").tag(sync=True)
        rows = traitlets.List().tag(sync=True)
        omitted = traitlets.Int(0).tag(sync=True)

    class InspectorWidget(KerasnbWidget):
        _kind = traitlets.Unicode("inspector").tag(sync=True)
        layers = traitlets.List().tag(sync=True)
        snapshots = traitlets.List().tag(sync=True)
        activation_note = traitlets.Unicode("").tag(sync=True)
        norm_layout = traitlets.List().tag(sync=True)  # [{layer, offset, length}] into norm_points
        norm_points = traitlets.Bytes(b"").tag(sync=True)
        graph_svg = traitlets.Unicode("").tag(sync=True)

    _WIDGET_CLASSES.update(curves=CurvesWidget, tracer=TracerWidget, inspector=InspectorWidget)
    return _WIDGET_CLASSES


class _LiveView:
    """One widget shown through one display handle. Subclasses say how data becomes widget state (``_sync``) and,
    for views replaced at the end, the static snapshot (``snapshot_html``)."""

    kind = None
    replace_at_end = True

    def __init__(self, active=None):
        self.active = _in_jupyter_kernel() if active is None else bool(active)
        self.widget = None
        self.handle = None
        self.closed = False
        self.updates = 0

    def __repr__(self):
        return f"<{type(self).__name__}{'' if self.active else ' (inactive: no notebook)'}>"

    def show(self):
        """Create the widget and display it (once), so its place in the output is fixed from the start."""
        if not self.active or self.widget is not None:
            return
        from IPython.display import display

        self.widget = widget_classes()[self.kind]()
        self.handle = display(self.widget, display_id=True)

    def update(self, data):
        if not self.active:
            return
        if self.closed:  # e.g. evaluate after fit: the static snapshot follows the data
            self._show_static(data)
            return
        self.show()
        with self.widget.hold_sync():
            self._sync(data)
        self.updates += 1

    def close(self, data):
        """Bring the view up to date; views with ``replace_at_end`` then become a static snapshot."""
        if not self.active:
            return
        self.update(data)
        if self.replace_at_end and not self.closed:
            self._show_static(data)
            self.widget.close()
            self.closed = True

    def _show_static(self, data):
        snapshot = _Snapshot(self.snapshot_html(data), repr(data))
        if self.handle is None:
            from IPython.display import display

            self.handle = display(snapshot, display_id=True)
        else:
            self.handle.update(snapshot)


class _Snapshot:
    """A static output: HTML for notebooks, a stable text for everything else (nbval compares that)."""

    def __init__(self, html, text):
        self.html, self.text = html, text

    def _repr_html_(self):
        return self.html

    def __repr__(self):
        return self.text


# -- training curves ----------------------------------------------------------------------------------------
def pack_curves(curves):
    """``(layout, points)`` for the curves widget: ``layout`` lists ``{metric, series, offset, length}``; ``points``
    is one float32 buffer holding, for each entry in turn, its ``length`` x values then its ``length`` y values.

    Example:
        >>> curves = kerasnb.widgets.TrainingCurves()
        >>> curves.on_train_begin(); curves.on_train_batch_end(0, {"loss": 0.5}); curves.on_epoch_end(0, {"loss": 0.4})
        >>> layout, points = kerasnb.widgets.views.pack_curves(curves)
        >>> [(e["series"], e["offset"], e["length"]) for e in layout]
        [('batch', 0, 1), ('epoch', 2, 1)]
        >>> np.frombuffer(points, dtype=np.float32).tolist()
        [1.0, 0.5, 1.0, 0.4000000059604645]
    """
    return _pack(
        ({"metric": panel["name"], "series": series}, *panel[series])
        for panel in curves.panels()
        for series in ("batch", "epoch", "val_epoch")
        if panel[series][0]
    )


def _pack(entries):
    """``(layout, points)`` from ``(fields, xs, ys)`` entries: each layout item is ``fields`` plus the ``offset`` and
    ``length`` of its xs then ys in ``points``, one float32 buffer (NaN stays NaN: the browser draws a gap)."""
    layout, chunks, offset = [], [], 0
    for fields, xs, ys in entries:
        layout.append({**fields, "offset": offset, "length": len(xs)})
        chunks += [np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.float32)]
        offset += 2 * len(xs)
    return layout, (np.concatenate(chunks).tobytes() if chunks else b"")


def curves_html(curves):
    """The static snapshot of :class:`TrainingCurves`: its status line and one SVG chart per metric."""
    parts = [
        '<div class="kerasnb-widget kerasnb-curves kerasnb-static">',
        f'<div class="kerasnb-status"><b>{escape(curves.status)}</b></div>',
        '<div class="kerasnb-panels" style="display:flex;flex-wrap:wrap;gap:6px">',
    ]
    for k, panel in enumerate(curves.panels()):
        color = svgplot.PALETTE[k % len(svgplot.PALETTE)]
        series = []
        for run_k, run in enumerate(curves.previous_runs if curves.compare_runs else []):
            for kind in ("epoch", "val_epoch"):
                xs, ys = run["panels"].get(panel["name"], {}).get(kind, ([], []))
                if xs:
                    series.append({"name": f"{run['label']} ({kind})", "kind": f"previous_{kind}", "xs": xs,
                                   "ys": ys, "color": svgplot.PALETTE[(run_k + 5) % len(svgplot.PALETTE)],
                                   "opacity": 0.35, "dash": kind == "val_epoch", "width": 1.2})
        styles = {
            "batch": {"width": 0.9, "opacity": 0.55},
            "epoch": {"markers": True},
            "val_epoch": {"markers": True, "dash": True},
        }
        for kind, style in styles.items():
            xs, ys = panel[kind]
            if xs:
                name = {"batch": f"{panel['name']} (batch)", "epoch": panel["name"]}.get(kind, f"val_{panel['name']}")
                series.append({"name": name, "kind": kind, "xs": xs, "ys": ys, "color": color, **style})
        parts.append(
            svgplot.line_chart_svg(series, title=panel["name"], xlabel="step", attrs={"data-metric": panel["name"]})
        )
    parts.append("</div></div>")
    return "\n".join(parts)


class CurvesView(_LiveView):
    """The live view of :class:`TrainingCurves`: a panel per metric, with log scale, smoothing and series toggles
    handled in the browser. At the end of training it becomes a static SVG snapshot.

    Example:
        >>> curves = kerasnb.widgets.TrainingCurves(view=kerasnb.widgets.CurvesView())
        >>> curves.view  # outside a notebook the view does nothing
        <CurvesView (inactive: no notebook)>
    """

    kind = "curves"

    def _sync(self, curves):
        layout, points = pack_curves(curves)
        self.widget.series_layout = layout
        self.widget.points = points
        self.widget.status = curves.status
        previous = curves.previous_runs if curves.compare_runs else []
        if len(previous) != len(self.widget.previous):
            self.widget.previous = [
                {"label": run["label"], "panels": {m: {k: [list(v[0]), list(v[1])] for k, v in series.items()}
                                                   for m, series in run["panels"].items()}}
                for run in previous
            ]

    def snapshot_html(self, curves):
        return curves_html(curves)


# -- event tracer -------------------------------------------------------------------------------------------
_SHOWN_ROWS = 1000  # the live timeline shows the newest rows; the tracer itself keeps them all


def _row_state(row):
    return {k: row[k] for k in ("hook", "label", "family", "depth", "epoch", "batch", "count", "logs", "time")}


def tracer_html(tracer):
    """The static snapshot of :class:`EventTracer`: its collapsed, nested timeline, one ``div`` per row."""
    parts = [
        '<div class="kerasnb-widget kerasnb-tracer kerasnb-static" style="font-family:monospace;font-size:12px;'
        'max-height:320px;overflow-y:auto">'
    ]
    for row, line in zip(tracer.rows, tracer.timeline(logs=True, indent="")):
        parts.append(
            f'<div class="kerasnb-row" data-hook="{row["hook"]}" data-depth="{row["depth"]}" '
            f'data-count="{row["count"]}" style="padding-left:{0.3 + 1.2 * row["depth"]:.1f}em;white-space:pre">'
            f"{escape(line)}</div>"
        )
    parts.append("</div>")
    return "\n".join(parts)


class TracerView(_LiveView):
    """The live view of :class:`EventTracer`: the nested timeline (batch runs collapsed, with counts), a filter by
    hook and the logs of a clicked event, all in the browser. At the end of training it becomes static HTML."""

    kind = "tracer"

    def _sync(self, tracer):
        rows = tracer.rows[-_SHOWN_ROWS:]
        omitted = len(tracer.rows) - len(rows)
        self.widget.rows = [_row_state(row) for row in rows]
        self.widget.omitted = omitted

    def snapshot_html(self, tracer):
        return tracer_html(tracer)


# -- layer inspector ----------------------------------------------------------------------------------------
class InspectorView(_LiveView):
    """The live view of :class:`LayerInspector`: the model graph (click a layer) or a dropdown picks a layer; its
    weights, their gradients and its activations are shown as histograms at the snapshot chosen with the slider,
    beside every layer's gradient norm over training. It stays live after training.

    Snapshots (JSON, sent only when a new one exists) and gradient norms (one float32 buffer, NaN for a
    non-finite norm, sent at each throttled update) travel separately, so the frequent updates stay small."""

    kind = "inspector"
    replace_at_end = False

    def __init__(self, active=None):
        super().__init__(active)
        self._sent = None  # (number of snapshots, step of the newest) last sent

    def _sync(self, inspector):
        from kerasnb.widgets.graph import model_to_svg

        if not self.widget.graph_svg and inspector.model is not None:
            self.widget.graph_svg = str(model_to_svg(inspector.model))
        snapshots = inspector.snapshots
        key = (len(snapshots), snapshots[-1]["step"] if snapshots else None, len(inspector.layers))
        if key != self._sent:
            self._sent = key
            self.widget.layers = _nan_to_none(inspector.layers)
            self.widget.snapshots = _nan_to_none(list(snapshots))
            self.widget.activation_note = inspector.activation_note or ""
        layout, points = _pack(({"layer": name}, *series.points()) for name, series in inspector.grad_norms.items())
        self.widget.norm_layout = layout
        self.widget.norm_points = points


_STATIC_POINTS = 150  # the most points per gradient-norm line in a static snapshot (the data keeps more)


def _sig(value):
    """A number in 3 significant digits for a snapshot's table; '–' for a missing or non-finite one."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.3g}"


def inspector_html(inspector, snapshot=-1):
    """A static snapshot of :class:`LayerInspector` (what a saved notebook shows; the live view needs a kernel).

    Two charts — each layer's gradient norm over the training steps and, at the latest step, the gradient norm
    layer by layer from the input to the output (the picture of vanishing or exploding gradients), both on a log
    scale — and a table, one row per layer: its type, parameters and latest gradient norm, and from the snapshot
    ``snapshot`` (an index into ``inspector.snapshots``, default the newest) its output's mean, share of zeros and
    share of saturated units.

    Example:
        >>> from kerasnb.widgets.inspector import LayerInspector
        >>> from kerasnb.widgets.views import inspector_html
        >>> model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,), name="hidden"),
        ...                           keras.layers.Dense(1, name="out")])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> inspector = LayerInspector()
        >>> _ = model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=4, epochs=2, verbose=0, callbacks=[inspector])
        >>> html = inspector_html(inspector)
        >>> html.count('class="kerasnb-trace"'), html.count('<tr class="kerasnb-layer"')
        (3, 2)
    """
    shot = inspector.snapshots[snapshot] if inspector.snapshots else None
    names = [layer["name"] for layer in inspector.layers]
    colors = {name: svgplot.PALETTE[k % len(svgplot.PALETTE)] for k, name in enumerate(inspector.grad_norms)}
    lines, latest = [], {}
    for name, series in inspector.grad_norms.items():
        xs, ys = series.points()
        stride = max(1, math.ceil(len(xs) / _STATIC_POINTS))
        keep = list(range(0, len(xs), stride))
        if keep and keep[-1] != len(xs) - 1:
            keep.append(len(xs) - 1)
        lines.append({"name": name, "xs": [xs[i] for i in keep], "ys": [ys[i] for i in keep], "color": colors[name],
                      "width": 1.2})
        if ys:
            latest[name] = ys[-1]
    parts = [
        '<div class="kerasnb-widget kerasnb-inspector kerasnb-static">',
        f'<div class="kerasnb-status"><b>{escape(repr(inspector))}</b>'
        f'{"" if shot is None else " — snapshot " + escape(str(shot["label"]))}</div>',
        '<div class="kerasnb-panels" style="display:flex;flex-wrap:wrap;gap:6px">',
        svgplot.line_chart_svg(lines, width=360, height=220, title="gradient norm per layer", xlabel="step",
                               log_y=True, attrs={"data-chart": "grad-norms"}, legend=False),
    ]
    depth = [name for name in names if name in latest]
    if depth:
        parts.append(svgplot.line_chart_svg(
            [{"name": "latest step", "xs": list(range(1, len(depth) + 1)), "ys": [latest[n] for n in depth],
              "markers": True}],
            width=300, height=220, title="gradient norm by depth", xlabel="layer (1 = nearest the input)",
            log_y=True, attrs={"data-chart": "grad-depth"}, legend=False))
    parts.append("</div>")
    activations = shot["activations"] if shot is not None else {}
    cell = 'style="padding:1px 8px;text-align:right"'
    parts.append('<table class="kerasnb-inspector-table" style="border-collapse:collapse;font-size:12px">'
                 '<tr><th>#</th><th style="text-align:left">layer</th><th style="text-align:left">type</th>'
                 "<th>params</th><th>grad norm (last step)</th><th>output mean</th><th>zeros</th>"
                 "<th>saturated</th></tr>")
    position = {name: k for k, name in enumerate(depth, start=1)}
    for layer in inspector.layers:
        name = layer["name"]
        stats = activations.get(name, {})
        swatch = (f'<span style="color:{colors[name]}">■</span> ' if name in colors else "")
        shares = [stats.get("zeros"), stats.get("saturated")]
        shares = ["–" if v is None else f"{v:.0%}" for v in shares]
        parts.append(
            f'<tr class="kerasnb-layer" data-layer="{escape(name)}"><td {cell}>{position.get(name, "")}</td>'
            f'<td style="padding:1px 8px">{swatch}{escape(name)}</td><td style="padding:1px 8px">'
            f'{escape(layer["type"])}</td><td {cell}>{layer["params"]:,}</td><td {cell}>{_sig(latest.get(name))}</td>'
            f'<td {cell}>{_sig(stats.get("mean"))}</td><td {cell}>{shares[0]}</td><td {cell}>{shares[1]}</td></tr>'
        )
    parts.append("</table>")
    if inspector.activation_note:
        parts.append(f'<div class="kerasnb-note">{escape(inspector.activation_note)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _nan_to_none(value):
    """NaN and infinities become None (JSON has no such numbers; the browser draws a gap)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(v) for v in value]
    return value
