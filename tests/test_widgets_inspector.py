"""The layer inspector (weights, gradients and activations seen during fit) and the small SVG charts."""

import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import layers
from kerasnb.widgets.inspector import LayerInspector, histogram
from kerasnb.widgets.svgplot import PALETTE, histogram_svg, line_chart_svg, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def data(n=16, features=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = rng.normal(size=(n, 1)).astype("float32")
    return x, y


def mlp(optimizer="sgd", hidden_activation="relu", **hidden_kwargs):
    model = keras.Sequential([
        layers.Dense(4, activation=hidden_activation, input_shape=(3,), name="hidden", **hidden_kwargs),
        layers.Dense(1, name="out"),
    ])
    model.compile(optimizer=optimizer, loss="mse")
    return model


class RecordingView:
    def __init__(self):
        self.calls = []

    def update(self, inspector):
        self.calls.append(("update", len(inspector.snapshots), inspector.snapshots[-1]["label"]))

    def close(self, inspector):
        self.calls.append(("close", len(inspector.snapshots), inspector.snapshots[-1]["label"]))


def record_gradients(model):
    """An observer added before fit's: copies of every batch's gradients and of the weights they were taken at."""
    seen = []

    def observe(x, variables, grads):
        seen.append({
            "paths": [v.path for v in variables],
            "weights": [v.numpy() for v in variables],
            "grads": [None if g is None else g.numpy() for g in grads],
        })

    model._gradient_observers.append(observe)
    return seen


# ---------------------------------------------------------------------------------------------------------
# histogram
# ---------------------------------------------------------------------------------------------------------


def test_histogram_equals_numpy_histogram_in_float32():
    values = np.random.default_rng(1).normal(size=(50, 7)).astype("float32")
    h = histogram(values, bins=12)
    counts, edges = np.histogram(values, bins=12)
    assert h["counts"] == counts.tolist()
    assert h["edges"] == edges.tolist()
    assert edges.dtype == np.float32  # the edges are the float32 ones, not recomputed in float64
    assert (h["min"], h["max"]) == (float(values.min()), float(values.max()))
    assert h["mean"] == pytest.approx(float(values.astype("float64").mean()))
    assert h["std"] == pytest.approx(float(values.astype("float64").std()))
    assert h["nonfinite"] == 0
    assert all(type(c) is int for c in h["counts"]) and all(type(e) is float for e in h["edges"])


def test_histogram_counts_nan_and_inf_apart():
    values = np.array([1.0, np.nan, 2.0, np.inf, -np.inf, 4.0], dtype="float32")
    h = histogram(values, bins=3)
    counts, edges = np.histogram(np.array([1.0, 2.0, 4.0], dtype="float32"), bins=3)
    assert h["nonfinite"] == 3
    assert h["counts"] == counts.tolist() and h["edges"] == edges.tolist()
    assert (h["min"], h["max"], h["mean"]) == (1.0, 4.0, pytest.approx(7 / 3))


def test_histogram_of_constant_and_of_no_finite_values():
    h = histogram(np.full((3, 3), 2.0, dtype="float32"), bins=4)
    assert h["edges"] == [1.5, 1.75, 2.0, 2.25, 2.5] and sum(h["counts"]) == 9 and h["std"] == 0.0
    empty = histogram(np.array([np.nan, np.inf], dtype="float32"), bins=2)
    assert empty["counts"] == [0, 0] and empty["nonfinite"] == 2
    assert (empty["min"], empty["max"], empty["mean"], empty["std"]) == (None, None, None, None)
    json.dumps(empty, allow_nan=False)


def test_histogram_of_exploded_values_stays_finite():
    h = histogram(np.array([-3e38, 1.0, 3e38], dtype="float32"), bins=4)
    assert h["counts"] == [1, 0, 1, 1] and all(math.isfinite(e) for e in h["edges"])


def test_histogram_rejects_bad_bins():
    with pytest.raises(ValueError, match="bins=0"):
        histogram([1.0, 2.0], bins=0)


# ---------------------------------------------------------------------------------------------------------
# LayerInspector: layers, snapshots
# ---------------------------------------------------------------------------------------------------------


def test_layers_describe_every_model_layer():
    model = keras.Sequential([
        layers.Dense(4, activation="relu", input_shape=(3,), name="hidden"),
        layers.Flatten(name="flat"),
        layers.Dense(1, activation="sigmoid", name="out"),
    ])
    model.compile(optimizer="sgd", loss="mse")
    inspector = LayerInspector()
    model.fit(*data(), batch_size=8, epochs=1, verbose=0, callbacks=[inspector])
    assert [(d["name"], d["type"], d["params"], d["activation"]) for d in inspector.layers] == [
        ("hidden", "Dense", 16, "relu"), ("flat", "Flatten", 0, None), ("out", "Dense", 5, "sigmoid")]
    assert inspector.layers[0]["weights"] == [
        {"name": "kernel", "path": "hidden/kernel", "shape": [3, 4], "count": 12, "trainable": True},
        {"name": "bias", "path": "hidden/bias", "shape": [4], "count": 4, "trainable": True},
    ]
    assert inspector.layers[0]["config"]["units"] == 4
    json.dumps(inspector.layers, allow_nan=False)


def test_snapshots_at_start_and_each_epoch_end():
    model = mlp()
    inspector = LayerInspector()
    model.fit(*data(16), batch_size=4, epochs=3, verbose=0, callbacks=[inspector])
    shots = inspector.snapshots
    assert [(s["label"], s["epoch"], s["step"]) for s in shots] == [
        ("start", 0, 0), ("epoch 1", 1, 4), ("epoch 2", 2, 8), ("epoch 3", 3, 12)]
    assert shots[0]["gradients"] == {} and shots[0]["activations"] == {}  # no sample known at the start
    assert sorted(shots[1]["weights"]) == ["hidden", "out"] and sorted(shots[1]["weights"]["hidden"]) == [
        "bias", "kernel"]
    assert sorted(shots[1]["gradients"]["out"]) == ["bias", "kernel"]
    assert sorted(shots[1]["activations"]) == ["hidden", "out"]
    assert repr(inspector) == "<LayerInspector 2 layers, 4 snapshots, 12 steps>"


def test_snapshots_every_n_batches_replace_the_epoch_ones():
    model = mlp()
    inspector = LayerInspector(every_n_batches=3)
    model.fit(*data(16), batch_size=4, epochs=3, verbose=0, callbacks=[inspector])
    assert [(s["label"], s["epoch"], s["step"]) for s in inspector.snapshots] == [
        ("start", 0, 0), ("step 3", 0, 3), ("step 6", 1, 6), ("step 9", 2, 9), ("step 12", 2, 12)]


def test_snapshots_stay_bounded_keeping_the_first_and_the_newest():
    model = mlp()
    view = RecordingView()
    inspector = LayerInspector(max_snapshots=4, view=view)
    model.fit(*data(8), batch_size=8, epochs=20, verbose=0, callbacks=[inspector])
    labels = [s["label"] for s in inspector.snapshots]
    assert len(labels) <= 4 and labels[0] == "start" and labels[-1] == "epoch 20"
    assert all(count <= 4 for _, count, _ in view.calls)
    steps = [s["step"] for s in inspector.snapshots]
    assert steps == sorted(steps)


def test_weight_histograms_are_of_the_weights_at_snapshot_time():
    model = mlp(optimizer=keras.optimizers.SGD(learning_rate=0.5))
    inspector = LayerInspector(bins=7)
    model.fit(*data(8), batch_size=8, epochs=2, verbose=0, callbacks=[inspector])
    kernel = model.get_layer("hidden").kernel.numpy()
    assert kernel.dtype == np.float32
    assert inspector.snapshots[-1]["weights"]["hidden"]["kernel"] == histogram(kernel, bins=7)


def test_start_snapshot_of_a_model_built_by_its_first_batch_has_the_initial_weights():
    model = keras.Sequential([layers.Dense(4, activation="relu", name="hidden"), layers.Dense(1, name="out")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
    seen = record_gradients(model)
    inspector = LayerInspector(bins=5)
    model.fit(*data(8), batch_size=8, epochs=1, verbose=0, callbacks=[inspector])
    initial_kernel = seen[0]["weights"][seen[0]["paths"].index("hidden/kernel")]
    start, end = inspector.snapshots
    assert start["label"] == "start" and start["step"] == 0
    assert start["weights"]["hidden"]["kernel"] == histogram(initial_kernel, bins=5)
    assert end["weights"]["hidden"]["kernel"] != start["weights"]["hidden"]["kernel"]
    assert [d["name"] for d in inspector.layers] == ["hidden", "out"]


# ---------------------------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------------------------


def test_gradient_norms_equal_a_tape_computation_and_the_observed_gradients():
    keras.utils.set_random_seed(3)
    model = mlp(optimizer=keras.optimizers.SGD(learning_rate=0.1))
    x, y = data(12)
    # Independently: the first batch's gradients before any update.
    with keras.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y[:4], model(x[:4], training=True))
    grads = tape.gradient(loss, model.trainable_weights)
    first = {"hidden": math.sqrt(sum(float(np.sum(g.numpy().astype("float64") ** 2)) for g in grads[:2])),
             "out": math.sqrt(sum(float(np.sum(g.numpy().astype("float64") ** 2)) for g in grads[2:]))}

    seen = record_gradients(model)
    inspector = LayerInspector()
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[inspector])
    assert inspector.grad_norms["hidden"].xs == [1, 2, 3, 4, 5, 6]
    for name in ("hidden", "out"):
        assert inspector.grad_norms[name].ys[0] == pytest.approx(first[name], rel=1e-5)
        expected = [
            math.sqrt(sum(float(np.sum(g.astype("float64") ** 2))
                          for p, g in zip(step["paths"], step["grads"]) if p.startswith(name + "/")))
            for step in seen
        ]
        assert inspector.grad_norms[name].ys == pytest.approx(expected, rel=1e-5)
    # The snapshot's gradient histograms are of the last batch before it.
    last = seen[-1]
    kernel_grad = last["grads"][last["paths"].index("out/kernel")]
    assert inspector.snapshots[-1]["gradients"]["out"]["kernel"] == histogram(kernel_grad, bins=30)


def test_layers_without_trainable_weights_have_no_gradient_norms():
    model = keras.Sequential([
        layers.Dense(4, input_shape=(3,), name="hidden"),
        layers.Dropout(0.5, name="drop"),
        layers.Dense(1, name="out", trainable=False),
    ])
    model.compile(optimizer="sgd", loss="mse")
    inspector = LayerInspector()
    model.fit(*data(8), batch_size=4, epochs=1, verbose=0, callbacks=[inspector])
    assert sorted(inspector.grad_norms) == ["hidden"]
    assert [w["trainable"] for w in inspector.layers[2]["weights"]] == [False, False]


def test_exploding_values_are_counted_and_state_stays_json():
    model = mlp()
    x, y = data(8)
    x[0, 0] = np.nan
    inspector = LayerInspector()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[inspector])
    assert math.isnan(inspector.grad_norms["hidden"].ys[0])
    last = inspector.snapshots[-1]
    assert last["weights"]["hidden"]["kernel"]["nonfinite"] == 12
    assert last["gradients"]["hidden"]["kernel"]["nonfinite"] == 12
    state = json.loads(json.dumps(inspector.state(), allow_nan=False))
    assert state["grad_norms"]["hidden"]["ys"] == [None]


# ---------------------------------------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------------------------------------


def test_activation_stats_count_dead_relus_exactly():
    kernel = np.array([[1.0, -1.0, 1.0, -1.0]] * 3, dtype="float32")  # on x = ones: outputs 3, 0, 3, 0
    model = mlp(optimizer=keras.optimizers.SGD(learning_rate=0.0), kernel_initializer=kernel)
    sample = np.ones((5, 3))
    inspector = LayerInspector(sample=sample)
    model.fit(*data(8), batch_size=4, epochs=1, verbose=0, callbacks=[inspector])
    assert inspector.sample.dtype == np.float32  # float inputs are used as training sees them
    for shot in inspector.snapshots:  # the start too, since a sample was given
        hidden = shot["activations"]["hidden"]
        assert hidden["zeros"] == 0.5 and hidden["saturated"] is None
        assert (hidden["mean"], hidden["std"], hidden["shape"]) == (1.5, 1.5, [5, 4])
        assert hidden["hist"]["counts"][0] == 10 and hidden["hist"]["counts"][-1] == 10


def test_activation_stats_report_saturated_sigmoid_and_tanh_units():
    x = np.ones((6, 2), dtype="float32")
    kernel = np.array([[10.0, 0.0], [10.0, 0.0]], dtype="float32")  # logits 20 (saturated) and 0 (not)
    inputs = keras.Input((2,), name="x")
    s = layers.Dense(2, activation="sigmoid", kernel_initializer=kernel, name="sig")(inputs)
    t = layers.Dense(2, activation="tanh", kernel_initializer=kernel, name="tanh")(inputs)
    out = layers.Dense(1, name="out")(layers.Concatenate(name="cat")([s, t]))
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    inspector = LayerInspector(sample=x)
    model.fit(x, np.ones((6, 1)), batch_size=6, epochs=1, verbose=0, callbacks=[inspector])
    stats = inspector.snapshots[-1]["activations"]
    assert list(stats) == ["sig", "tanh", "cat", "out"]  # a branch and its merge; the input layer left out
    assert stats["sig"]["saturated"] == 0.5 and stats["tanh"]["saturated"] == 0.5
    assert stats["cat"]["saturated"] is None and stats["cat"]["shape"] == [6, 4]
    assert [d["name"] for d in inspector.layers] == ["x", "sig", "tanh", "cat", "out"]
    expected = model.predict(x, verbose=0)
    assert stats["out"]["mean"] == pytest.approx(float(expected.mean()), rel=1e-6)


def test_default_sample_is_the_first_batch_of_a_multi_input_model():
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    h = layers.Dense(4, activation="relu", name="h")(layers.Concatenate(name="cat")([a, b]))
    model = keras.Model([a, b], layers.Dense(1, name="out")(h))
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(10, 2)), rng.normal(size=(10, 3))
    inspector = LayerInspector(sample_size=3)
    model.fit([xa, xb], np.ones((10, 1)), batch_size=5, epochs=2, shuffle=False, verbose=0, callbacks=[inspector])
    sample = inspector.sample
    assert [s.shape for s in sample] == [(3, 2), (3, 3)] and all(s.dtype == np.float32 for s in sample)
    np.testing.assert_array_equal(sample[0], xa[:3].astype("float32"))
    assert inspector.snapshots[-1]["activations"]["h"]["shape"] == [3, 4]


def test_nested_model_is_one_layer_with_its_weights_by_path():
    inner = keras.Sequential([layers.Dense(3, input_shape=(3,), name="i1"), layers.Dense(2, name="i2")],
                             name="inner")
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, layers.Dense(1, name="out")(inner(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    inspector = LayerInspector()
    model.fit(*data(8), batch_size=4, epochs=1, verbose=0, callbacks=[inspector])
    entry = inspector.layers[1]
    assert (entry["name"], entry["type"], entry["params"]) == ("inner", "Sequential", 20)
    assert [w["name"] for w in entry["weights"]] == ["i1/kernel", "i1/bias", "i2/kernel", "i2/bias"]
    assert sorted(inspector.snapshots[-1]["gradients"]["inner"]) == sorted(w["name"] for w in entry["weights"])
    assert inspector.snapshots[-1]["activations"]["inner"]["shape"] == [4, 2]


def test_subclassed_model_gets_a_note_instead_of_activations():
    class TwoLayers(keras.Model):
        def __init__(self):
            super().__init__(name="two_layers")
            self.hidden = layers.Dense(4, activation="relu", name="hidden")
            self.out = layers.Dense(1, name="out")

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = TwoLayers()
    model.compile(optimizer="sgd", loss="mse")
    inspector = LayerInspector(sample=np.ones((2, 3)))
    model.fit(*data(8), batch_size=4, epochs=2, verbose=0, callbacks=[inspector])
    assert "subclassed" in inspector.activation_note
    assert all(s["activations"] == {} for s in inspector.snapshots)
    assert [s["label"] for s in inspector.snapshots] == ["start", "epoch 1", "epoch 2"]
    assert sorted(inspector.grad_norms) == ["hidden", "out"]
    assert inspector.state()["activation_note"] == inspector.activation_note


# ---------------------------------------------------------------------------------------------------------
# observer lifecycle, state, view
# ---------------------------------------------------------------------------------------------------------


def test_observer_is_added_once_and_removed_after_fit():
    model = mlp()
    inspector = LayerInspector()
    counts = []
    probe = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: counts.append(len(model._gradient_observers)))
    model.fit(*data(8), batch_size=4, epochs=1, verbose=0, callbacks=[inspector, probe])
    assert counts == [1, 1] and model._gradient_observers == []
    model.fit(*data(8), batch_size=4, epochs=2, verbose=0, callbacks=[inspector, probe])
    assert counts[2:] == [1, 1, 1, 1] and model._gradient_observers == []
    assert inspector.step == 4 and len(inspector.snapshots) == 3  # each fit starts afresh
    inspector.set_model(model)
    inspector.on_train_begin()
    inspector.on_train_begin()
    assert len(model._gradient_observers) == 1
    inspector.on_train_end()
    assert model._gradient_observers == []


def test_state_is_json_ready():
    model = mlp()
    inspector = LayerInspector(bins=4)
    model.fit(*data(8), batch_size=4, epochs=2, verbose=0, callbacks=[inspector])
    state = inspector.state()
    assert sorted(state) == ["activation_note", "grad_norms", "layers", "snapshots"]
    assert state["grad_norms"]["out"]["xs"] == [1, 2, 3, 4] and len(state["snapshots"]) == 3
    assert json.loads(json.dumps(state, allow_nan=False)) == state


class FrozenClock:
    """A clock that never advances: after the first batch, the throttle lets no batch update through."""

    def __call__(self):
        return 0.0


def test_view_gets_an_update_per_snapshot_then_close():
    model = mlp()
    view = RecordingView()
    inspector = LayerInspector(view=view, clock=FrozenClock())
    model.fit(*data(8), batch_size=4, epochs=2, verbose=0, callbacks=[inspector])
    # the snapshots, plus one throttled batch update (the first batch; the frozen clock stops the others)
    assert view.calls == [("update", 1, "start"), ("update", 1, "start"), ("update", 2, "epoch 1"),
                          ("update", 3, "epoch 2"), ("close", 3, "epoch 2")]


def test_view_gets_throttled_batch_updates_for_the_gradient_norms():
    class Ticking:
        now = 0.0

        def __call__(self):
            self.now += 0.1  # 100 ms a batch: with 4 updates a second, every third batch updates
            return self.now

    model = mlp()
    view = RecordingView()
    model.fit(*data(48), batch_size=4, epochs=1, verbose=0,
              callbacks=[LayerInspector(view=view, clock=Ticking(), max_updates_per_second=4)])
    batch_updates = [c for c in view.calls if c[0] == "update" and c[2] == "start"][1:]
    assert len(batch_updates) == 4  # batches 1, 4, 7, 10 of 12 (0.1 s apart: 0.25 s needs three ticks)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"bins": 0}, "bins=0"), ({"max_snapshots": 1}, "max_snapshots=1"), ({"every_n_batches": 0}, "received 0"),
     ({"sample_size": -1}, "sample_size=-1")],
)
def test_constructor_names_the_bad_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LayerInspector(**kwargs)


# ---------------------------------------------------------------------------------------------------------
# SVG charts
# ---------------------------------------------------------------------------------------------------------


def traces(root):
    return root.findall(f"{SVG}path[@class='kerasnb-trace']")


def test_line_chart_is_well_formed_svg_with_one_trace_per_series():
    svg = line_chart_svg(
        [{"name": "loss", "xs": [1, 2, 3], "ys": [1.0, 0.5, 0.25], "markers": True, "kind": "batch"},
         {"name": "val <loss> & \"more\"", "xs": [3], "ys": [0.4], "color": "red", "dash": True}],
        title="loss & friends", xlabel="step", attrs={"data-metric": "loss"},
    )
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("class") == "kerasnb-panel" and root.get("data-metric") == "loss"
    paths = traces(root)
    assert [(p.get("data-series"), p.get("data-name"), p.get("data-points")) for p in paths] == [
        ("batch", "loss", "3"), ("val <loss> & \"more\"", "val <loss> & \"more\"", "1")]
    assert paths[0].get("stroke") == PALETTE[0] and paths[1].get("stroke") == "red"
    assert paths[1].get("stroke-dasharray") and paths[0].get("stroke-dasharray") is None
    assert len(root.findall(f"{SVG}circle")) == 3
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "loss & friends" in texts and "step" in texts and "val <loss> & \"more\"" in texts


def test_line_chart_skips_non_finite_values_leaving_a_gap():
    svg = line_chart_svg([{"name": "loss", "xs": [1, 2, 3, 4, 5], "ys": [1.0, float("nan"), 2.0, float("inf"), 3.0]}])
    (path,) = traces(ET.fromstring(svg))
    assert path.get("data-points") == "3" and path.get("d").count("M") == 3


def test_line_chart_log_scale_drops_non_positive_values():
    svg = line_chart_svg([{"name": "loss", "xs": [1, 2, 3, 4], "ys": [10.0, 0.0, -1.0, 0.01]}], log_y=True)
    root = ET.fromstring(svg)
    (path,) = traces(root)
    assert path.get("data-points") == "2"
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "kerasnb-ytick"]
    assert labels[0] == "0.01" and labels[-1] == "10"


def test_line_chart_without_data_draws_the_frame():
    root = ET.fromstring(line_chart_svg([]))
    assert traces(root) == [] and root.find(f"{SVG}g[@class='kerasnb-axes']") is not None
    (path,) = traces(ET.fromstring(line_chart_svg([{"name": "empty", "xs": [], "ys": []}])))
    assert path.get("data-points") == "0" and path.get("d") == ""


def test_line_chart_rejects_mismatched_series_and_bad_attributes():
    with pytest.raises(ValueError, match="2 xs but 1 ys"):
        line_chart_svg([{"name": "a", "xs": [1, 2], "ys": [1]}])
    with pytest.raises(ValueError, match="attribute names"):
        line_chart_svg([], attrs={"bad name": "x"})


def test_histogram_svg_has_one_bar_per_bin():
    h = histogram(np.random.default_rng(0).normal(size=100).astype("float32"), bins=8)
    root = ET.fromstring(histogram_svg(h["counts"], h["edges"], title="kernel", attrs={"data-layer": "dense"}))
    bars = root.findall(f"{SVG}rect[@class='kerasnb-bar']")
    assert [int(b.get("data-count")) for b in bars] == h["counts"]
    assert root.get("class") == "kerasnb-hist" and root.get("data-layer") == "dense"
    tallest = max(bars, key=lambda b: int(b.get("data-count")))
    assert float(tallest.get("height")) == max(float(b.get("height")) for b in bars)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts == ["kernel", f"{h['edges'][0]:.4g}", f"{h['edges'][-1]:.4g}"]
    with pytest.raises(ValueError, match="one more entry"):
        histogram_svg([1, 2], [0.0, 1.0])


def test_nice_ticks_enclose_the_range_with_round_steps():
    assert nice_ticks(0.13, 0.92) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(-3, 7) == [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0]
    ticks = nice_ticks(2.0, 2.0)
    assert ticks[0] <= 1.5 and ticks[-1] >= 2.5
    with pytest.raises(ValueError, match="lo <= hi"):
        nice_ticks(2, 1)
