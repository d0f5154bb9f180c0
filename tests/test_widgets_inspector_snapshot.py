"""The layer inspector's static snapshot: what a saved notebook shows of a ``LayerInspector`` without a kernel."""

import xml.etree.ElementTree as ET

import numpy as np

import kerasnb as keras
from kerasnb import layers
from kerasnb.widgets import LayerInspector
from kerasnb.widgets.svgplot import line_chart_svg
from kerasnb.widgets.views import inspector_html


def trained(activation="relu", epochs=2, n=64):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation=activation, name="hidden"),
                              layers.Dropout(0.1, name="drop"), layers.Dense(1, name="out")])
    model.compile(optimizer="sgd", loss="mse")
    inspector = LayerInspector()
    x = np.random.default_rng(0).normal(size=(n, 3)).astype("float32")
    model.fit(x, x[:, :1], batch_size=8, epochs=epochs, verbose=0, callbacks=[inspector])
    return inspector


def charts(html):
    return {svg.get("data-chart"): svg for svg in (ET.fromstring(part[: part.index("</svg>") + 6])
                                                  for part in ("<svg" + p for p in html.split("<svg")[1:]))}


def test_snapshot_draws_every_layer_norm_and_the_norms_by_depth():
    inspector = trained()
    html = inspector._repr_html_()
    assert html == inspector_html(inspector)
    drawn = charts(html)
    traces = drawn["grad-norms"].findall("{http://www.w3.org/2000/svg}path[@class='kerasnb-trace']")
    assert [t.get("data-name") for t in traces] == ["hidden", "out"]  # Dropout has no weights, so no norm
    assert [int(t.get("data-points")) for t in traces] == [16, 16]
    depth = drawn["grad-depth"].find("{http://www.w3.org/2000/svg}path[@class='kerasnb-trace']")
    assert depth.get("data-points") == "2"
    assert "kerasnb-legend" not in html  # the table's colour swatches name the lines


def test_snapshot_table_has_a_row_per_layer_with_its_latest_numbers():
    inspector = trained()
    html = inspector_html(inspector)
    rows = [part.split("</tr>")[0] for part in html.split('<tr class="kerasnb-layer"')[1:]]
    assert [row.split('data-layer="')[1].split('"')[0] for row in rows] == ["hidden", "drop", "out"]
    last_norm = inspector.grad_norms["hidden"].points()[1][-1]
    assert f">{last_norm:.3g}<" in rows[0]
    zeros = inspector.snapshots[-1]["activations"]["hidden"]["zeros"]
    assert f">{zeros:.0%}<" in rows[0]
    assert ">–<" in rows[1]  # Dropout: no gradient norm
    assert "snapshot epoch 2" in html and repr(inspector) in html.replace("&lt;", "<").replace("&gt;", ">")


def test_long_runs_are_thinned_in_the_snapshot_but_keep_their_last_point():
    inspector = trained(epochs=40, n=64)  # 320 steps
    traces = charts(inspector_html(inspector))["grad-norms"].findall(
        "{http://www.w3.org/2000/svg}path[@class='kerasnb-trace']")
    assert all(int(t.get("data-points")) <= 151 for t in traces)


def test_an_inspector_before_any_fit_shows_an_empty_frame():
    html = inspector_html(LayerInspector())
    assert "grad-norms" in html and "grad-depth" not in html and 'class="kerasnb-layer"' not in html


def test_line_chart_without_legend():
    series = [{"name": "a", "xs": [1, 2], "ys": [1, 2]}]
    assert "kerasnb-legend" in line_chart_svg(series)
    assert "kerasnb-legend" not in line_chart_svg(series, legend=False)
