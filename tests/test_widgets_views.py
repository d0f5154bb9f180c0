"""The live views, without a browser: a recording comm stands in for the front end (as ipywidgets' own tests do),
so what the views send — their state, their binary buffers, how many messages — is asserted exactly."""

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import layers

pytest.importorskip("anywidget")
pytest.importorskip("IPython")

from kerasnb.widgets import Dashboard, EventTracer, TrainingCurves  # noqa: E402
from kerasnb.widgets import curves as curves_module  # noqa: E402
from kerasnb.widgets.views import CurvesView, InspectorView, TracerView, pack_curves  # noqa: E402


class RecordingComm:
    """A comm that keeps what the kernel would send: the open message's state, then each message."""

    def __init__(self, frontend, **kwargs):
        self.frontend = frontend
        self.comm_id = f"comm-{len(frontend.comms)}"
        self.kernel = "recording"
        self.open_data = kwargs.get("data")
        self.open_buffers = kwargs.get("buffers") or []
        self.messages = []
        self.closed = False

    def on_msg(self, callback):
        pass

    def send(self, data=None, metadata=None, buffers=None):
        self.messages.append((data, list(buffers or [])))

    def close(self, *args, **kwargs):
        self.closed = True

    def updates(self):
        return [data for data, _ in self.messages if data.get("method") == "update"]


class RecordingHandle:
    def __init__(self, frontend, obj):
        self.frontend, self.shown = frontend, [obj]

    def update(self, obj):
        self.shown.append(obj)


class RecordingFrontend:
    def __init__(self):
        self.comms, self.handles = [], []

    def widgets(self):
        """The comms of kerasnb's widgets (ipywidgets also opens one for each widget's Layout)."""
        return [c for c in self.comms if "_kind" in c.open_data["state"]]

    def create_comm(self, **kwargs):
        comm = RecordingComm(self, **kwargs)
        self.comms.append(comm)
        return comm

    def display(self, obj, display_id=None):
        handle = RecordingHandle(self, obj)
        self.handles.append(handle)
        return handle


@pytest.fixture
def frontend(monkeypatch):
    import comm
    import IPython.display

    recorder = RecordingFrontend()
    monkeypatch.setattr(comm, "create_comm", recorder.create_comm)
    monkeypatch.setattr(IPython.display, "display", recorder.display)
    monkeypatch.setattr(curves_module, "_FINISHED_RUNS", [])
    return recorder


class FakeClock:
    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def small_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [layers.Dense(8, activation="relu", input_shape=(4,), name="hidden"), layers.Dense(1, name="out")]
    )
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, x[:, :1] * 2.0


# ---------------------------------------------------------------------------------------------------------
# Curves
# ---------------------------------------------------------------------------------------------------------


def test_pack_curves_is_one_float32_buffer_of_every_series():
    curves = TrainingCurves()
    model = small_model()
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=3, validation_data=(x, y), verbose=0, callbacks=[curves])
    layout, points = pack_curves(curves)
    values = np.frombuffer(points, dtype=np.float32)
    assert [(e["metric"], e["series"]) for e in layout] == [
        ("loss", "batch"), ("loss", "epoch"), ("loss", "val_epoch"),
        ("mae", "batch"), ("mae", "epoch"), ("mae", "val_epoch"),
    ]
    assert values.size == sum(2 * e["length"] for e in layout)
    for entry in layout:
        xs = values[entry["offset"] : entry["offset"] + entry["length"]]
        ys = values[entry["offset"] + entry["length"] : entry["offset"] + 2 * entry["length"]]
        name = entry["metric"] if entry["series"] != "val_epoch" else f"val_{entry['metric']}"
        series = (curves.batch_series if entry["series"] == "batch" else curves.epoch_series)[name]
        np.testing.assert_array_equal(xs, np.float32(series.points()[0]))
        np.testing.assert_array_equal(ys, np.float32(series.points()[1]))
    assert layout[1]["length"] == 3 and values[layout[1]["offset"] :][:3].tolist() == [4.0, 8.0, 12.0]


def test_curves_view_sends_one_message_per_throttled_update_over_a_long_fit(frontend):
    # 50 epochs x 40 batches = 2,000 steps at 10 ms each (by the fake clock): 20 s of "training".
    curves = TrainingCurves(view=CurvesView(active=True), clock=FakeClock(0.01), max_points=500)
    model = small_model()
    x, y = data(640)
    model.fit(x, y, batch_size=16, epochs=50, verbose=0, callbacks=[curves], shuffle=False)
    (comm,) = frontend.widgets()
    assert comm.open_data["state"]["_kind"] == "curves"
    updates = comm.updates()
    # every update is one message (hold_sync batches the traits), and the throttle bounds them: at most 4 a
    # second of the fake clock plus one per epoch end and one at train end.
    assert len(updates) == curves.update_count
    assert curves.update_count <= 4 * 20 + 50 + 1
    assert curves.update_count >= 50
    # the points travel as a binary buffer, never as JSON numbers; unchanged traits are not re-sent
    with_points = [(data, buffers) for data, buffers in comm.messages if ["points"] in data.get("buffer_paths", [])]
    assert 50 <= len(with_points) <= len(updates) and all("points" not in data["state"] for data, _ in with_points)
    layouts = [data["state"]["series_layout"] for data, _ in comm.messages if "series_layout" in data["state"]]
    payload = bytes(with_points[-1][1][0])
    assert len(payload) == 4 * sum(2 * e["length"] for e in layouts[-1])
    # decimation bounds what is sent, whatever the length of training
    assert max(e["length"] for e in layouts[-1]) <= 501 and len(payload) < 20_000
    # at train end the live view becomes a static snapshot through the same display handle, and the widget closes
    (handle,) = frontend.handles
    assert len(handle.shown) == 2 and comm.closed and curves.view.closed
    snapshot = handle.shown[-1]
    assert repr(snapshot) == "<TrainingCurves loss, mae: 2000 steps, 50 epochs>"
    html = snapshot._repr_html_()
    assert 'class="kerasnb-widget kerasnb-curves kerasnb-static"' in html
    assert "done: 50 epochs, 2000 steps" in html


def test_curves_static_snapshot_has_a_panel_per_metric_with_point_counts(frontend):
    curves = TrainingCurves(view=CurvesView(active=True))
    model = small_model()
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=3, validation_data=(x, y), verbose=0, callbacks=[curves])
    html = frontend.handles[0].shown[-1]._repr_html_()
    root = ET.fromstring(html)
    panels = root.findall(".//{http://www.w3.org/2000/svg}svg")
    assert [p.get("data-metric") for p in panels] == ["loss", "mae"]
    traces = {t.get("data-series"): int(t.get("data-points")) for t in panels[0].iter("{http://www.w3.org/2000/svg}path")
              if t.get("class") == "kerasnb-trace"}
    assert traces == {"batch": 12, "epoch": 3, "val_epoch": 3}


def test_compare_runs_keeps_earlier_fits_as_labelled_runs(frontend):
    model = small_model()
    x, y = data()
    for epochs in (2, 3):
        curves = TrainingCurves(view=CurvesView(active=True), compare_runs=True)
        model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=[curves])
    (previous,) = curves.previous_runs
    assert re.fullmatch(r"run \d+: SGD lr=0.01, 2 epochs", previous["label"])
    assert curves.previous_runs[0]["panels"]["loss"]["epoch"][0] == [4, 8]
    opened = frontend.widgets()[-1]
    sent = [data["state"]["previous"] for data, _ in opened.messages if "previous" in data.get("state", {})]
    assert sent and sent[-1][0]["panels"]["loss"]["epoch"][0] == [4, 8]


# ---------------------------------------------------------------------------------------------------------
# Tracer
# ---------------------------------------------------------------------------------------------------------


def test_tracer_view_sends_collapsed_rows_and_ends_as_a_static_timeline(frontend):
    tracer = EventTracer(view=TracerView(active=True), clock=FakeClock(0.001))
    model = small_model()
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=2, validation_data=(x, y), verbose=0, callbacks=[tracer])
    (comm,) = frontend.widgets()
    rows = [data["state"]["rows"] for data, _ in comm.messages if "rows" in data.get("state", {})][-1]
    assert [(r["label"], r["depth"], r["count"]) for r in rows] == [
        ("train begin", 0, 1),
        ("epoch 0 begin", 1, 1), ("train batch", 2, 4), ("test begin", 2, 1), ("test batch", 3, 4),
        ("test end", 2, 1), ("epoch 0 end", 1, 1),
        ("epoch 1 begin", 1, 1), ("train batch", 2, 4), ("test begin", 2, 1), ("test batch", 3, 4),
        ("test end", 2, 1), ("epoch 1 end", 1, 1),
        ("train end", 0, 1),
    ]
    assert json.loads(json.dumps(rows)) == rows
    handle = frontend.handles[0]
    html = handle.shown[-1]._repr_html_()
    root = ET.fromstring(html)
    hooks = [div.get("data-hook") for div in root.iter("div") if div.get("class") == "kerasnb-row"]
    assert hooks.count("on_epoch_end") == 2 and hooks[0] == "on_train_begin" and hooks[-1] == "on_train_end"
    assert comm.closed
    # evaluate after fit: the static timeline follows the data through the same handle
    shown = len(handle.shown)
    model.evaluate(x, y, batch_size=32, verbose=0, callbacks=[tracer])
    assert len(handle.shown) > shown and "test batch ×2" in handle.shown[-1]._repr_html_()


def test_tracer_keeps_memory_bounded_but_rows_exact():
    tracer = EventTracer(max_events=50)
    model = small_model()
    x, y = data(320)
    model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[tracer])
    assert len(tracer.events) + tracer.dropped == 1 + 3 * (2 + 2 * 20) + 1
    assert not any(e.hook.startswith("on_train_batch") for e in tracer.events[50:])
    assert [e.hook for e in tracer.events[50:]] == ["on_epoch_end", "on_epoch_begin", "on_epoch_end", "on_train_end"]
    assert [r["count"] for r in tracer.rows if r["family"] == "train"] == [20, 20, 20]
    assert repr(tracer).endswith(f"({tracer.dropped} batch events not kept)>")


# ---------------------------------------------------------------------------------------------------------
# Inspector and Dashboard
# ---------------------------------------------------------------------------------------------------------


def test_dashboard_opens_three_views_in_order_and_leaves_the_inspector_live(frontend):
    model = small_model()
    x, y = data()
    dashboard = Dashboard(live=True)
    model.fit(x, y, batch_size=16, epochs=3, validation_data=(x, y), verbose=0, callbacks=[dashboard])
    kinds = [comm.open_data["state"]["_kind"] for comm in frontend.widgets()]
    assert kinds == ["curves", "tracer", "inspector"]
    curves_comm, tracer_comm, inspector_comm = frontend.widgets()
    assert curves_comm.closed and tracer_comm.closed and not inspector_comm.closed
    assert len(frontend.handles) == 3
    assert repr(frontend.handles[2].shown[0]) == "<kerasnb inspector widget>"
    def sent(trait):
        return [(data["state"][trait], buffers) for data, buffers in inspector_comm.messages
                if trait in data["state"] or [trait] in data.get("buffer_paths", [])]

    layers_sent, snapshots_sent = sent("layers"), sent("snapshots")
    assert [layer["name"] for layer in layers_sent[-1][0]] == ["hidden", "out"]
    # snapshots are sent when a new one exists (start, then each epoch end), not at every update
    assert [[snap["label"] for snap in sent_] for sent_, _ in snapshots_sent] == [
        ["start"], ["start", "epoch 1"], ["start", "epoch 1", "epoch 2"], ["start", "epoch 1", "epoch 2", "epoch 3"]
    ]
    assert sum(snapshots_sent[-1][0][-1]["weights"]["hidden"]["kernel"]["counts"]) == 32
    # the gradient norms: one float32 buffer, xs then ys per layer, equal to the inspector's series
    norms = [(data["state"]["norm_layout"], buffers) for data, buffers in inspector_comm.messages
             if "norm_layout" in data["state"]]
    layout, buffers = norms[-1]
    values = np.frombuffer(bytes([b for data, b in inspector_comm.messages if b][-1][0]), dtype=np.float32)
    assert [e["layer"] for e in layout] == ["hidden", "out"] and layout[0]["length"] == 12
    np.testing.assert_array_equal(values[12:24], np.float32(dashboard.inspector.grad_norms["hidden"].ys))
    graphs = [data["state"]["graph_svg"] for data, _ in inspector_comm.messages if "graph_svg" in data.get("state", {})]
    assert len(graphs) == 1 and graphs[0].count('class="node"') == 3  # sent once, not at each update
    states = [data["state"] for data, _ in inspector_comm.messages]
    json.dumps(states)  # JSON-safe all the way down
    # a second fit shows fresh live views again
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[dashboard])
    assert [comm.open_data["state"]["_kind"] for comm in frontend.widgets()[3:]] == ["curves", "tracer"]


def test_inspector_view_sends_nonfinite_values_as_null(frontend):
    view = InspectorView(active=True)
    model = small_model()
    x, y = data()
    y[0, 0] = np.nan  # a NaN target poisons the loss and the gradients
    from kerasnb.widgets import LayerInspector

    inspector = LayerInspector(view=view)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[inspector])
    messages = frontend.widgets()[0].messages
    snapshots = [data["state"]["snapshots"] for data, _ in messages if "snapshots" in data["state"]][-1]
    text = json.dumps(snapshots, allow_nan=False)  # would raise on NaN
    assert snapshots[-1]["gradients"]["out"]["kernel"]["nonfinite"] > 0
    assert "null" in text


@pytest.mark.needs_subprocess
def test_without_a_notebook_nothing_from_the_front_end_is_imported():
    code = (
        "import sys, numpy as np, kerasnb as keras\n"
        "m = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))]); m.compile('sgd', 'mse')\n"
        "d = keras.widgets.Dashboard()\n"
        "m.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[d])\n"
        "print(d.curves.epochs, [k for k in ('anywidget', 'ipywidgets', 'IPython', 'matplotlib') if k in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2 []" and out.stderr == ""
