"""kerasnb.widgets without a front end: tracer events, curve data and throttling, the SVG graph, the HTML summary."""

import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import layers
from kerasnb.widgets import (
    DecimatedSeries,
    Event,
    EventTracer,
    MatplotlibView,
    TrainingCurves,
    model_graph,
    model_to_svg,
    plot_history,
    plot_model,
    summary_html,
)
from kerasnb.widgets import curves as curves_module

SVG_NS = "{http://www.w3.org/2000/svg}"

# ---------------------------------------------------------------------------------------------------------
# EventTracer
# ---------------------------------------------------------------------------------------------------------

# The seed's trace prints one line per hook; these are the hooks behind its words.
SEED_WORDS = {
    "on_train_begin": "train begin",
    "on_train_end": "train end",
    "on_epoch_begin": "epoch begin",
    "on_epoch_end": "epoch end",
    "on_train_batch_begin": "train batch begin",
    "on_train_batch_end": "train batch end",
    "on_test_begin": "test begin",
    "on_test_end": "test end",
    "on_test_batch_begin": "test batch begin",
    "on_test_batch_end": "test batch end",
}


def seed_run(tracer):
    x = np.random.default_rng(0).random((256, 8)).astype("float32")
    y = np.eye(10, dtype="float32")[np.arange(256) % 10]
    model = keras.Sequential([layers.Dense(10, activation="softmax", input_shape=(8,))])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=3, validation_data=(x[:64], y[:64]), callbacks=[tracer], verbose=0)
    model.evaluate(x[:160], y[:160], batch_size=32, callbacks=[tracer], verbose=0)
    return model


def test_tracer_events_equal_the_seed_trace():
    tracer = EventTracer()
    seed_run(tracer)
    epoch = (
        ["epoch begin"]
        + ["train batch begin", "train batch end"] * 8
        + ["test begin"]
        + ["test batch begin", "test batch end"] * 2
        + ["test end", "epoch end"]
    )
    expected = (
        ["train begin"]
        + epoch * 3
        + ["train end", "test begin"]
        + ["test batch begin", "test batch end"] * 5
        + ["test end"]
    )
    assert [SEED_WORDS[e.hook] for e in tracer.events] == expected
    assert repr(tracer) == f"<EventTracer {len(expected)} events>" == "<EventTracer 86 events>"


def test_tracer_records_epoch_batch_logs_and_time():
    tracer = EventTracer()
    seed_run(tracer)
    events = tracer.events
    assert all(isinstance(e, Event) for e in events)
    # epoch numbers: set from epoch begin to epoch end, None outside fit's epochs (train begin/end, evaluate)
    assert events[0].epoch is None and events[0].batch is None
    train_batches = tracer.filter(hooks="on_train_batch_end")
    assert [(e.epoch, e.batch) for e in train_batches] == [(ep, b) for ep in range(3) for b in range(8)]
    val_batches = [e for e in tracer.filter(hooks=["on_test_batch_end"]) if e.epoch is not None]
    assert [(e.epoch, e.batch) for e in val_batches] == [(ep, b) for ep in range(3) for b in range(2)]
    evaluate = events[events.index(tracer.filter("on_train_end")[0]) + 1 :]
    assert all(e.epoch is None for e in evaluate) and [e.batch for e in evaluate][1:3] == [0, 0]
    ends = tracer.filter(hooks="on_epoch_end")
    assert [e.epoch for e in ends] == [0, 1, 2]
    assert sorted(ends[0].logs) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(type(v) is float for e in events for v in e.logs.values())
    assert tracer.filter(hooks="on_epoch_end", epoch=1) == [ends[1]]
    times = [e.time for e in events]
    assert times[0] == 0.0 and times == sorted(times)
    with pytest.raises(ValueError, match="Unknown callback hook"):
        tracer.filter(hooks="on_epoch_ended")


def test_tracer_logs_are_copies():
    tracer = EventTracer()
    logs = {"loss": np.float32(0.5)}
    tracer.on_train_batch_end(0, logs)
    logs["loss"] = 9.0
    assert tracer.events[0].logs == {"loss": 0.5} and type(tracer.events[0].logs["loss"]) is float


def test_tracer_timeline_nests_and_collapses_batches():
    tracer = EventTracer()
    seed_run(tracer)
    epoch = lambda i: [  # noqa: E731
        f"  epoch {i} begin",
        "    train batch ×8",
        "    test begin",
        "      test batch ×2",
        "    test end",
        f"  epoch {i} end",
    ]
    expected = [
        "train begin",
        *epoch(0),
        *epoch(1),
        *epoch(2),
        "train end",
        "test begin",
        "  test batch ×5",
        "test end",
    ]
    assert tracer.timeline(logs=False) == expected
    with_logs = tracer.timeline()
    assert len(with_logs) == len(expected)
    assert with_logs[2].startswith("    train batch ×8  loss=") and "accuracy=" in with_logs[2]
    assert with_logs[6].startswith("  epoch 0 end  loss=") and "val_loss=" in with_logs[6]


def test_tracer_fake_clock_predict_and_clear():
    ticks = iter(range(100))
    tracer = EventTracer(clock=lambda: float(next(ticks)) + 10)
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.predict(np.zeros((4, 2)), batch_size=2, verbose=0, callbacks=[tracer])
    assert [e.hook for e in tracer.events] == [
        "on_predict_begin",
        "on_predict_batch_begin",
        "on_predict_batch_end",
        "on_predict_batch_begin",
        "on_predict_batch_end",
        "on_predict_end",
    ]
    assert [e.time for e in tracer.events] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert tracer.timeline(logs=False) == ["predict begin", "  predict batch ×2", "predict end"]
    assert tracer.timeline()[1] == "  predict batch ×2  outputs=<array shape=(2, 1) float32>"
    assert tracer.events[2].logs == {"outputs": "<array shape=(2, 1) float32>"}
    tracer.clear()
    assert tracer.events == [] and repr(tracer) == "<EventTracer 0 events>"


def test_event_repr_is_stable():
    e = Event("on_train_batch_end", 2, 5, {"loss": 0.25}, 123.456)
    assert repr(e) == "Event(hook='on_train_batch_end', epoch=2, batch=5, logs={'loss': 0.25})"
    assert e.time == 123.456 and e._asdict()["hook"] == "on_train_batch_end"


def test_tracer_to_dataframe(monkeypatch):
    tracer = EventTracer()
    tracer.on_epoch_begin(0)
    tracer.on_epoch_end(0, {"loss": 0.5})
    try:
        import pandas  # noqa: F401
    except ImportError:
        pass
    else:
        df = tracer.to_dataframe()
        assert list(df.columns[:4]) == ["hook", "epoch", "batch", "time"] and len(df) == 2
        assert df["loss"].iloc[1] == 0.5
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        tracer.to_dataframe()


# ---------------------------------------------------------------------------------------------------------
# Curves: decimation and throttling
# ---------------------------------------------------------------------------------------------------------


def test_decimated_series_keeps_every_stride_th_point_with_bounded_length():
    s = DecimatedSeries(max_points=2000)
    longest = 0
    for i in range(100_000):
        s.append(i, float(i) / 2)
        longest = max(longest, len(s.xs))
    assert longest == 2000 and s.count == 100_000
    assert s.stride == 64 and s.xs == list(range(0, 100_000, 64)) and len(s.xs) == 1563
    assert s.ys == [x / 2 for x in s.xs]
    xs, ys = s.points()
    assert xs[-1] == 99_999 and ys[-1] == 99_999 / 2 and len(xs) == 1564
    small = DecimatedSeries(max_points=5)
    for i in range(5):
        small.append(i, i)
    assert small.xs == [0, 1, 2, 3, 4] and small.stride == 1 and small.points() == ([0, 1, 2, 3, 4], [0, 1, 2, 3, 4])
    with pytest.raises(ValueError):
        DecimatedSeries(max_points=1)


class RecordingView:
    def __init__(self, clock):
        self.clock = clock
        self.update_times = []
        self.closed = 0

    def update(self, curves):
        self.update_times.append(self.clock())

    def close(self, curves):
        self.closed += 1


class FakeClock:
    def __init__(self):
        self.ticks = 0

    def __call__(self):
        return self.ticks / 512  # exact binary fractions: 128 ticks are exactly 0.25 s


def test_curves_long_run_throttled_and_decimated():
    clock = FakeClock()
    view = RecordingView(clock)
    curves = TrainingCurves(view=view, clock=clock)
    epochs, steps = 10, 10_000
    curves.on_train_begin()
    for epoch in range(epochs):
        curves.on_epoch_begin(epoch)
        for batch in range(steps):
            clock.ticks += 1
            curves.on_train_batch_begin(batch)
            curves.on_train_batch_end(batch, {"loss": 1.0 / clock.ticks, "mae": 2.0})
            curves.on_test_batch_end(batch, {"loss": 5.0})  # ignored
        curves.on_epoch_end(epoch, {"loss": float(epoch), "mae": 1.0, "val_loss": epoch + 0.5, "val_mae": 1.5})
    curves.on_train_end({"loss": 9.0})
    # Updates: epoch 0 at steps 1, 129, ..., 9985 (79) and its end; each later epoch every 128 steps after the
    # previous epoch's end (78) and its end; one more at train end.
    assert curves.update_count == (79 + 1) + 9 * (78 + 1) + 1 == 792
    assert len(view.update_times) == 792 and view.closed == 1
    total_seconds = epochs * steps / 512
    assert curves.update_count <= 4 * total_seconds + epochs + 2
    gaps = np.diff(view.update_times)
    assert (gaps >= 0.25).sum() >= 780 and gaps.min() >= 0  # only flushes come sooner than 0.25 s
    loss = curves.batch_series["loss"]
    assert loss.count == 100_000 and len(loss.xs) <= 2000
    assert loss.xs == list(range(1, 100_001, 64)) and loss.ys[1] == 1.0 / 65
    assert curves.epoch_series["val_loss"].xs == [10_000 * (e + 1) for e in range(10)]
    assert curves.epoch_series["val_loss"].ys == [e + 0.5 for e in range(10)]
    assert curves.metrics == ["loss", "mae"]
    panels = curves.panels()
    assert [p["name"] for p in panels] == ["loss", "mae"]
    assert panels[0]["batch"][0][-1] == 100_000 and panels[1]["val_epoch"][1] == [1.5] * 10
    assert repr(curves) == "<TrainingCurves loss, mae: 100000 steps, 10 epochs>"


def test_curves_max_updates_per_second_and_no_view():
    clock = FakeClock()
    curves = TrainingCurves(clock=clock, max_updates_per_second=1, max_points=100)
    curves.on_train_begin()
    curves.on_epoch_begin(0)
    for batch in range(5120):  # 10 s
        clock.ticks += 1
        curves.on_train_batch_end(batch, {"loss": 1.0})
    assert curves.update_count == 10  # steps 1, 513, ..., 4609
    curves.on_epoch_end(0, {"loss": 1.0})
    curves.on_train_end()
    assert curves.update_count == 12 and len(curves.batch_series["loss"].xs) <= 100
    with pytest.raises(ValueError):
        TrainingCurves(max_updates_per_second=0)


def test_curves_in_fit_reset_per_run():
    x = np.random.default_rng(0).random((40, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    curves = TrainingCurves()
    history = model.fit(x, y, batch_size=10, epochs=2, validation_split=0.25, verbose=0, callbacks=[curves])
    assert curves.step == 6 and curves.batch_series["loss"].xs == [1, 2, 3, 4, 5, 6]
    assert curves.epoch_series["loss"].xs == [3, 6]
    assert curves.epoch_series["val_mae"].ys == pytest.approx(history.history["val_mae"])
    assert sorted(curves.epoch_series) == ["loss", "mae", "val_loss", "val_mae"]
    model.fit(x, y, batch_size=20, epochs=1, verbose=0, callbacks=[curves])
    assert curves.step == 2 and curves.epochs == 1 and "val_loss" not in curves.epoch_series


# ---------------------------------------------------------------------------------------------------------
# matplotlib: optional
# ---------------------------------------------------------------------------------------------------------


def test_matplotlib_missing_gives_clear_errors(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_history({"loss": [1.0, 0.5]})
    monkeypatch.setattr(curves_module, "_in_jupyter_kernel", lambda: True)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        MatplotlibView()


def test_matplotlib_view_outside_a_kernel_does_nothing():
    view = MatplotlibView()
    curves = TrainingCurves(view=view)
    curves.on_train_begin()
    curves.on_train_batch_end(0, {"loss": 1.0})
    curves.on_epoch_end(0, {"loss": 1.0})
    curves.on_train_end()
    assert view.frames == 0 and view.handle is None and repr(view) == "<MatplotlibView>"


def test_plot_history_figure():
    pytest.importorskip("matplotlib")
    history = {
        "loss": [1.0, 0.5, 0.25],
        "accuracy": [0.1, 0.5, 0.9],
        "val_loss": [1.1, 0.6, 0.3],
        "val_accuracy": [0.1, 0.4, 0.8],
    }
    fig = plot_history(history)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["loss", "val_loss"]
    assert list(lines[1].get_xdata()) == [1, 2, 3] and list(lines[1].get_ydata()) == [1.1, 0.6, 0.3]
    with pytest.raises(ValueError, match="matplotlib"):
        plot_history(history, backend="bokeh")
    png = fig._repr_png_()  # shown as a picture in notebooks, without pyplot
    assert png.startswith(b"\x89PNG")


def test_plot_history_with_plotly(tmp_path, monkeypatch):
    pytest.importorskip("plotly")
    history = {"loss": [1.0, 0.5], "accuracy": [0.2, 0.6], "val_loss": [1.2, 0.7]}
    fig = plot_history(history, backend="plotly")
    assert [(t.name, list(t.x), list(t.y), t.line.dash) for t in fig.data] == [
        ("loss", [1, 2], [1.0, 0.5], "solid"),
        ("val_loss", [1, 2], [1.2, 0.7], "dash"),
        ("accuracy", [1, 2], [0.2, 0.6], "solid"),
    ]
    assert [a.text for a in fig.layout.annotations] == ["loss", "accuracy"]
    path = tmp_path / "history.html"
    fig.write_html(path, include_plotlyjs=False)
    assert "val_loss" in path.read_text()
    monkeypatch.setitem(sys.modules, "plotly", None)
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    with pytest.raises(ImportError, match="pip install plotly"):
        plot_history(history, backend="plotly")


def test_matplotlib_view_uses_one_display_handle(monkeypatch):
    pytest.importorskip("matplotlib")
    display_module = pytest.importorskip("IPython.display")
    calls = []

    class Handle:
        def update(self, obj):
            calls.append(("update", obj.data[:4]))

    def fake_display(obj, display_id=None):
        calls.append(("display", display_id, obj.data[:4]))
        return Handle()

    monkeypatch.setattr(curves_module, "_in_jupyter_kernel", lambda: True)
    monkeypatch.setattr(display_module, "display", fake_display)
    clock = FakeClock()
    view = MatplotlibView()
    curves = TrainingCurves(view=view, clock=clock)
    curves.on_train_begin()
    for batch in range(3):
        curves.on_train_batch_end(batch, {"loss": 1.0 / (batch + 1)})  # clock stands still: one update
    curves.on_epoch_end(0, {"loss": 0.3, "val_loss": 0.4})
    curves.on_train_end()
    png = b"\x89PNG"
    assert calls == [("display", True, png), ("update", png), ("update", png), ("update", png)]
    assert view.frames == 4


# ---------------------------------------------------------------------------------------------------------
# Model graph as SVG
# ---------------------------------------------------------------------------------------------------------


def parse_svg(svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    nodes = root.findall(f"{SVG_NS}g[@class='node']")
    edges = root.findall(f"{SVG_NS}path[@class='edge']")
    return root, nodes, edges


def node_texts(node):
    return [t.text for t in node.findall(f"{SVG_NS}text")]


def test_svg_sequential():
    model = keras.Sequential(
        [
            layers.Dense(16, activation="relu", input_shape=(8,), name="h1"),
            layers.Dense(16, name="h2"),
            layers.Dense(1, name="out"),
        ]
    )
    root, nodes, edges = parse_svg(model_to_svg(model))
    assert [n.get("data-layer") for n in nodes] == ["h1_input", "h1", "h2", "out"]
    assert node_texts(nodes[1]) == ["h1", "Dense", "(None, 16)"]
    assert [(e.get("data-source"), e.get("data-target")) for e in edges] == [
        ("h1_input", "h1"),
        ("h1", "h2"),
        ("h2", "out"),
    ]
    # boxes inside the drawing, one per row
    width, height = float(root.get("width")), float(root.get("height"))
    rects = [n.find(f"{SVG_NS}rect") for n in nodes]
    ys = [float(r.get("y")) for r in rects]
    assert ys == sorted(ys) and len(set(ys)) == 4
    for r in rects:
        assert 0 <= float(r.get("x")) and float(r.get("x")) + float(r.get("width")) <= width
        assert float(r.get("y")) + float(r.get("height")) <= height
    _, nodes, _ = parse_svg(model_to_svg(model, show_shapes=False, show_layer_names=False))
    assert node_texts(nodes[2]) == ["Dense"]


def branching_model():
    x = keras.Input(shape=(8,), name="x")
    h = layers.Dense(8, name="h")(x)
    shared = layers.Dense(8, name="shared")
    merged = layers.Add(name="merge")([shared(h), shared(x)])
    res = layers.Add(name="res")([merged, x])
    out = layers.Dense(2, name="out")(res)
    return keras.Model(x, out)


def test_svg_branching_functional_shared_layer_and_residual():
    model = branching_model()
    nodes, edges = model_graph(model)
    assert [(n["name"], n["depth"]) for n in nodes] == [
        ("x", 0),
        ("h", 1),
        ("shared", 2),
        ("merge", 3),
        ("res", 4),
        ("out", 5),
    ]
    assert nodes[2]["shape"] == "[(None, 8), (None, 8)]"
    _, svg_nodes, svg_edges = parse_svg(plot_model(model))
    assert len(svg_nodes) == 6 and len(svg_edges) == 7
    pairs = {(e.get("data-source"), e.get("data-target")) for e in svg_edges}
    assert pairs == {
        ("x", "h"),
        ("h", "shared"),
        ("x", "shared"),
        ("shared", "merge"),
        ("merge", "res"),
        ("x", "res"),
        ("res", "out"),
    }
    _, svg_nodes, svg_edges = parse_svg(model_to_svg(model, rankdir="LR"))
    assert len(svg_nodes) == 6 and len(svg_edges) == 7


def test_svg_side_by_side_branches_and_self_loop():
    x = keras.Input(shape=(4,), name="x")
    a, b = layers.Dense(3, name="a")(x), layers.Dense(3, name="b")(x)
    d = layers.Dense(3, name="d")
    out = layers.Concatenate(name="cat")([d(d(a)), b])
    nodes, edges = model_graph(keras.Model(x, out))
    assert [(n["name"], n["depth"]) for n in nodes] == [("x", 0), ("a", 1), ("d", 2), ("b", 1), ("cat", 4)]
    root, svg_nodes, svg_edges = parse_svg(model_to_svg(keras.Model(x, out)))
    ys = {n.get("data-layer"): float(n.find(f"{SVG_NS}rect").get("y")) for n in svg_nodes}
    assert ys["a"] == ys["b"] < ys["d"] < ys["cat"]
    assert ("d", "d") in {(e.get("data-source"), e.get("data-target")) for e in svg_edges}


def test_svg_nested_model_is_one_node():
    inner = keras.Sequential([layers.Dense(4, input_shape=(8,)), layers.Dense(4)], name="block")
    x = keras.Input(shape=(8,), name="x")
    out = layers.Dense(1, name="out")(inner(x))
    model = keras.Model(x, out)
    _, nodes, edges = parse_svg(model_to_svg(model))
    assert [n.get("data-layer") for n in nodes] == ["x", "block", "out"]
    assert node_texts(nodes[1]) == ["block", "Sequential", "(None, 4)"]
    assert len(edges) == 2


def test_plot_model_files(tmp_path):
    model = keras.Sequential([layers.Dense(2, input_shape=(3,))])
    path = tmp_path / "model.svg"
    svg = plot_model(model, to_file=str(path), show_shapes=True)
    assert path.read_text() == svg and svg._repr_svg_() == svg
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        plot_model(model, to_file=str(tmp_path / "model.pdf"))
    try:
        import cairosvg  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install cairosvg"):
            plot_model(model, to_file=str(tmp_path / "model.png"))
    with pytest.raises(ValueError, match="rankdir"):
        plot_model(model, rankdir="BT")


# ---------------------------------------------------------------------------------------------------------
# HTML summary
# ---------------------------------------------------------------------------------------------------------


def printed_rows(model):
    lines = []
    model.summary(print_fn=lines.append)
    body = lines[lines.index("=" * len(lines[1])) + 1 :]
    rows = [
        " ".join(line.split())
        for line in body
        if line and line[0] not in "_=" and not line.startswith(("Total", "Trainable", "Non-trainable"))
    ]
    totals = [line for line in lines if line.startswith(("Total", "Trainable", "Non-trainable"))]
    return rows, totals


def html_rows(model):
    table = ET.fromstring(summary_html(model))
    header = [th.text for th in table.find("thead").iter("th")]
    body = [[td.text or "" for td in tr.findall("td")] for tr in table.find("tbody").findall("tr")]
    foot = [td.text for td in table.find("tfoot").iter("td")]
    return table, header, body, foot


@pytest.mark.parametrize("make", ["sequential", "branching"])
def test_summary_html_has_the_summary_rows(make):
    if make == "sequential":
        model = keras.Sequential([layers.Dense(300, input_shape=(8,), name="h"), layers.Dense(2, name="o")])
    else:
        model = branching_model()
    table, header, body, foot = html_rows(model)
    assert table.find("caption").text == f'Model: "{model.name}"'
    rows, totals = printed_rows(model)
    assert [" ".join(" ".join(cell for cell in row if cell).split()) for row in body] == rows
    assert len(body) == len(rows) > 1
    assert foot == totals
    expected_header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if make == "branching" else [])
    assert header == expected_header


def test_summary_html_unbuilt_model():
    with pytest.raises(ValueError, match="not yet been built"):
        summary_html(keras.Sequential([layers.Dense(2)]))


# ---------------------------------------------------------------------------------------------------------
# Light imports
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.needs_subprocess
def test_importing_widgets_imports_no_plotting_or_notebook_library():
    code = (
        "import sys, kerasnb, kerasnb.widgets\n"
        "heavy = [m for m in ('matplotlib', 'IPython', 'pandas', 'plotly', 'ipywidgets') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.needs_subprocess
def test_widgets_are_reachable_lazily_and_models_render_as_html():
    import subprocess
    import sys

    code = ("import sys, kerasnb; assert 'kerasnb.widgets' not in sys.modules; "
            "t = kerasnb.widgets.EventTracer(); print(type(t).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "EventTracer"
    import kerasnb as keras

    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    assert model._repr_html_().startswith('<table class="kerasnb-summary">')
    assert keras.Sequential([keras.layers.Dense(2)])._repr_html_() is None  # not built yet: plain repr
    assert keras.utils.plot_model(model).startswith("<svg")
