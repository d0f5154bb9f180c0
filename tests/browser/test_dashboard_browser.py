"""The notebook widgets in a real browser: JupyterLab 4 and Jupyter Notebook 7 on 127.0.0.1, Chromium driven by
Playwright.

Every test runs once per frontend (``[lab]``, then ``[notebook7]``; one server at a time, one browser for both):
``test_probe_widgets_render`` checks the harness itself with a stock ipywidgets slider and a two-line anywidget;
``test_harness_reports_problems`` checks that it catches what it is there to catch; ``test_dashboard_in_jupyter``
trains a small model with ``keras.widgets.Dashboard()`` as a callback and checks the DOM the dashboard's views
promise (see the selectors below), while training and after. They fail on any browser console error, page error or
"IOPub message rate exceeded".

Skipped when Chromium, Playwright, JupyterLab or (for ``[notebook7]``) Notebook 7 is missing, unless
``KERASNB_REQUIRE_BROWSER=1`` (CI), which turns the skip into a failure. Screenshots and logs go to
``$KERASNB_ARTIFACTS`` (default ``test-artifacts/browser``): ``<test>/`` for JupyterLab, ``notebook7/<test>/`` for
Notebook 7. The notebooks are written into a temporary folder at run time: a committed ``.ipynb`` under ``tests/``
would be collected by ``--nbval``.
"""

import importlib.util
import re
import sys
import time
from pathlib import Path

import pytest


def _load_harness():
    # pytest runs with --import-mode=importlib: tests/browser is not on sys.path, so load the helpers by file path.
    name = "kerasnb_tests_jupyter_browser"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("jupyter_browser.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


jb = _load_harness()


# -------------------------------------------------------------------------------------------------------------
# fixtures: one browser for the module; one server per frontend (pytest runs every [lab] test, stops that server,
# then starts Notebook 7's); one tab per test
# -------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    return jb.require_browser_stack()


@pytest.fixture(scope="module", params=list(jb.FRONTENDS))
def server(request, chromium, tmp_path_factory):
    frontend = jb.FRONTENDS[request.param]
    jb.require_frontend(frontend)
    server = jb.JupyterServer(tmp_path_factory.mktemp(frontend.name), frontend)
    server.start()
    try:
        extensions = server.labextensions()
        missing = [name for name in jb.REQUIRED_LABEXTENSIONS if name not in extensions]
        assert not missing, f"{frontend.title} does not serve the labextensions {missing}; it has {extensions}"
        assert jb.KERNEL_NAME in server.kernelspecs(), f"no {jb.KERNEL_NAME} kernel spec: {server.kernelspecs()}"
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(chromium):
    b = jb.Browser(chromium)
    yield b
    b.close()


@pytest.fixture
def tab(server, browser, request):
    """One tab on ``server``'s frontend; its artifacts go to ``[notebook7/]<test name without the parameter>``."""
    page = browser.new_page(server, request.node.originalname)
    yield page
    page.close()


# -------------------------------------------------------------------------------------------------------------
# the harness on its own: a stock ipywidgets slider and an inline anywidget
# -------------------------------------------------------------------------------------------------------------

PROBE_CELLS = [
    """\
import anywidget
import ipywidgets
import traitlets


class Counter(anywidget.AnyWidget):
    _esm = (
        "export default { render({ model, el }) {"
        " el.classList.add('probe'); el.textContent = 'count ' + model.get('value'); } }"
    )
    value = traitlets.Int(3).tag(sync=True)


display(ipywidgets.IntSlider(value=7, description="probe"))
Counter()""",
    'print("PROBE-DONE")',
]


def test_probe_widgets_render(server, tab):
    jb.write_notebook(server.root_dir / "probe.ipynb", PROBE_CELLS)
    tab.open_notebook("probe.ipynb")
    tab.run_all()
    tab.wait_for_marker("PROBE-DONE", timeout=60)
    page = tab.page
    nb = tab.notebook

    slider = page.locator(f"{nb} .widget-slider")
    slider.first.wait_for(state="visible", timeout=20_000)
    assert slider.count() == 1
    assert page.locator(f"{nb} .widget-readout").first.inner_text().strip() == "7"
    probe = page.locator(f"{nb} .probe")
    probe.first.wait_for(state="visible", timeout=20_000)
    assert probe.count() == 1
    assert probe.inner_text().strip() == "count 3"
    tab.screenshot("probe-rendered", focus=probe)
    tab.assert_clean()


# The harness must see what it is there to catch: a console error, an uncaught exception and the server's IOPub
# rate limit (20000 widget messages in a tight loop: far over the stock 1000 messages/s averaged over 3 s).
BROKEN_CELLS = [
    """\
import anywidget


class Broken(anywidget.AnyWidget):
    _esm = (
        "export default { render({ el }) { el.classList.add('broken'); el.textContent = 'broken';"
        " console.error('kerasnb-probe console error');"
        " setTimeout(() => { throw new Error('kerasnb-probe page error'); }, 0); } }"
    )


Broken()""",
    """\
import ipywidgets

flood = ipywidgets.IntSlider()
for i in range(20000):
    flood.send({"i": i})  # a custom comm message each""",
]


def test_harness_reports_problems(server, tab):
    jb.write_notebook(server.root_dir / "broken.ipynb", BROKEN_CELLS)
    tab.open_notebook("broken.ipynb")
    tab.run_all()
    # Not waiting for Run All: a flood like this one also overflows the kernel's IOPub queue, which may drop the
    # "idle" status that ends the cell. Wait for the problems themselves.
    expected = ("kerasnb-probe console error", "kerasnb-probe page error", "IOPub message rate exceeded")
    deadline = time.monotonic() + 60
    while True:
        problems = tab.problems()
        missed = [e for e in expected if not any(e in p for p in problems)]
        if not missed:
            break
        assert time.monotonic() < deadline, f"the harness missed {missed}; it reported {problems}"
        tab.page.wait_for_timeout(200)
    assert tab.page.locator(f"{tab.notebook} .broken").inner_text() == "broken"


# -------------------------------------------------------------------------------------------------------------
# the Dashboard
# -------------------------------------------------------------------------------------------------------------

FIT_CELL = 1  # the notebook's cell whose output holds the dashboard
DONE_MARKER = "TRAINING-DONE"
LAYERS = ("hidden1", "hidden2", "out")


# How long training lasts. The live checks need a while-training phase of several seconds (they are done ~2 s
# after Run All); CI runs on 2 cores. Measured with the Dashboard, on 2 cores, under this test: batch_size 16 and
# 4000 samples (2400 steps) fit in ~4 s; batch_size 8 and 5000 samples (6000 steps) in ~8.5 s.
EPOCHS, BATCH_SIZE, SAMPLES = 12, 8, 5000


def dashboard_cells(epochs=EPOCHS, batch_size=BATCH_SIZE, samples=SAMPLES):
    """The dashboard notebook: set up the data and model, fit with ``Dashboard()`` as a callback, print a marker."""
    return [
        f"""\
import numpy as np
import kerasnb as keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=({samples}, 32)).astype("float32")
y = (x[:, :4].sum(axis=1) > 0).astype("float32")
model = keras.Sequential([
    keras.Input(shape=(32,)),
    keras.layers.Dense(64, activation="relu", name="hidden1"),
    keras.layers.Dense(32, activation="tanh", name="hidden2"),
    keras.layers.Dense(1, activation="sigmoid", name="out"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])""",
        f"""\
import time

dashboard = keras.widgets.Dashboard()
fit_start = time.perf_counter()
history = model.fit(x, y, epochs={epochs}, batch_size={batch_size}, validation_split=0.2, callbacks=[dashboard],
                    verbose=0)
fit_seconds = time.perf_counter() - fit_start""",
        f'print("{DONE_MARKER}", len(history.epoch), f"(fit took {{fit_seconds:.1f}} s)")',
    ]


# Runs in the page: what the dashboard's views show inside one cell's output, read from the DOM contract.
_DASHBOARD_JS = """
([nb, cellIndex]) => {
  const cell = document.querySelectorAll(nb + ' .jp-Cell')[cellIndex];
  const count = (sel) => document.querySelectorAll(nb + ' ' + sel).length;
  const curves = (root) => root && {
    static: root.classList.contains('kerasnb-static'),
    logChecked: root.querySelector('input.kerasnb-log') ? root.querySelector('input.kerasnb-log').checked : null,
    panels: Object.fromEntries([...root.querySelectorAll('svg.kerasnb-panel')].map(p => [
      p.getAttribute('data-metric'),
      Object.fromEntries([...p.querySelectorAll('path.kerasnb-trace')].map(t => [
        t.getAttribute('data-series'), Number(t.getAttribute('data-points'))])),
    ])),
  };
  const tracer = (root) => root && {
    static: root.classList.contains('kerasnb-static'),
    rows: [...root.querySelectorAll('.kerasnb-row')].map(r => ({
      hook: r.getAttribute('data-hook'), depth: r.getAttribute('data-depth'), count: r.getAttribute('data-count'),
      visible: r.getClientRects().length > 0,
    })),
  };
  const inCell = (sel) => cell ? cell.querySelector(sel) : null;
  return {
    cellFound: !!cell,
    liveCurves: curves(inCell('.kerasnb-curves:not(.kerasnb-static)')),
    staticCurves: curves(inCell('.kerasnb-curves.kerasnb-static')),
    liveTracer: tracer(inCell('.kerasnb-tracer:not(.kerasnb-static)')),
    staticTracer: tracer(inCell('.kerasnb-tracer.kerasnb-static')),
    inspector: !!inCell('.kerasnb-inspector'),
    status: [...document.querySelectorAll(nb + ' .kerasnb-status')].map(e => e.textContent.trim()),
    counts: {curves: count('.kerasnb-curves'), tracers: count('.kerasnb-tracer'),
             inspectors: count('.kerasnb-inspector')},
  };
}
"""

# Runs in the page: the inspector's histograms.
_HISTOGRAMS_JS = """
(nb) => [...document.querySelectorAll(nb + ' .kerasnb-inspector svg.kerasnb-hist')].map(h => ({
  layer: h.getAttribute('data-layer'), weight: h.getAttribute('data-weight'), kind: h.getAttribute('data-kind'),
  bars: h.querySelectorAll('rect.kerasnb-bar').length,
  total: [...h.querySelectorAll('rect.kerasnb-bar')].reduce((s, r) => s + Number(r.getAttribute('data-count')), 0),
}))
"""


def _dashboard(tab):
    return tab.page.evaluate(_DASHBOARD_JS, [tab.notebook, FIT_CELL])


def _wait_dashboard(tab, predicate, timeout, what, poll=0.1, training=True):
    """Poll the dashboard's DOM until ``predicate(dom)``; fail at once if a cell raised, or (``training``) if
    training ended before it held."""
    deadline = time.monotonic() + timeout
    while True:
        dom = _dashboard(tab)
        if predicate(dom):
            return dom
        errors = tab.cell_errors()
        if errors:
            raise AssertionError(f"a cell raised while waiting for {what}:\n" + "\n".join(errors))
        if tab.page_errors or tab.rate_limit_hits:
            raise AssertionError(f"while waiting for {what}: page errors {tab.page_errors}, rate limit "
                                 f"{tab.rate_limit_hits}; DOM: {_brief(dom)}")
        output = tab.output_text()
        if training and DONE_MARKER in output:
            done = output[output.index(DONE_MARKER):].splitlines()[0]
            raise AssertionError(f"training finished ({done!r}) before {what}; DOM: {_brief(dom)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; DOM: {_brief(dom)}")
        tab.page.wait_for_timeout(poll * 1000)


def _brief(dom):
    """The DOM summary with the tracers' rows counted by hook (for failure messages)."""
    brief = dict(dom)
    for key in ("liveTracer", "staticTracer"):
        if brief.get(key):
            hooks = {}
            for row in brief[key]["rows"]:
                hooks[row["hook"]] = hooks.get(row["hook"], 0) + 1
            brief[key] = {"static": brief[key]["static"], "rows by hook": hooks}
    return brief


def _batch_points(dom):
    curves = dom["liveCurves"]
    return (curves or {}).get("panels", {}).get("loss", {}).get("batch", 0)


def _wait_histograms_of(tab, layer, timeout=15):
    tab.page.wait_for_function(
        """([nb, layer]) => {
             const hs = [...document.querySelectorAll(nb + ' .kerasnb-inspector svg.kerasnb-hist')];
             return hs.length > 0 && hs.every(h => h.getAttribute('data-layer') === layer);
           }""",
        arg=[tab.notebook, layer], timeout=timeout * 1000,
    )


def _check_hidden2_histograms(tab):
    hists = tab.page.evaluate(_HISTOGRAMS_JS, tab.notebook)
    assert hists, "the inspector shows no svg.kerasnb-hist"
    assert {h["layer"] for h in hists} == {"hidden2"}, f"histograms not all of hidden2: {hists}"
    assert {h["kind"] for h in hists} <= {"weight", "gradient", "activation"}, hists
    expected = {"kernel": 64 * 32, "bias": 32}
    kernel_weights = [h for h in hists if h["kind"] == "weight" and (h["weight"] or "").endswith("kernel")]
    assert kernel_weights, f"no weight histogram of hidden2's kernel: {hists}"
    for h in hists:
        if h["kind"] in ("weight", "gradient"):
            suffix = next((s for s in expected if (h["weight"] or "").endswith(s)), None)
            assert suffix, f"histogram of an unknown weight {h['weight']!r}: {h}"
            assert h["bars"] > 0 and h["total"] == expected[suffix], (
                f"{h['kind']} histogram of {h['weight']}: bar counts sum to {h['total']}, expected {expected[suffix]}"
            )
    return hists


def test_dashboard_in_jupyter(server, tab):
    epochs = EPOCHS
    jb.write_notebook(server.root_dir / "dashboard.ipynb", dashboard_cells(epochs=epochs))
    tab.open_notebook("dashboard.ipynb")
    page = tab.page
    nb = tab.notebook
    tab.watch_texts(f"{nb} .kerasnb-status")  # every status text shown, however briefly
    tab.run_all()
    t_run = time.monotonic()

    # ---- while training: the live curves grow, the status counts epochs, the log toggle survives updates -----
    first = _wait_dashboard(tab, lambda d: _batch_points(d) > 0, 120,
                            "the live curves (.kerasnb-curves with a batch trace that has points)")
    t_live = time.monotonic()
    grown = _wait_dashboard(tab, lambda d: _batch_points(d) > _batch_points(first), 15,
                            "the batch trace's data-points to grow")
    curves = grown["liveCurves"]
    assert {"loss", "accuracy"} <= set(curves["panels"]), f"live panels: {curves['panels']}"
    assert "batch" in curves["panels"]["loss"], curves
    assert grown["liveTracer"] is not None, "no live .kerasnb-tracer in the fit cell's output while training"
    assert grown["inspector"], "no .kerasnb-inspector in the fit cell's output while training"
    status = _wait_dashboard(tab, lambda d: any(re.search(rf"epoch \d+/{epochs}", s) for s in d["status"]),
                             15, f"a .kerasnb-status reading 'epoch N/{epochs}'")["status"]
    tab.screenshot("while-training", focus=page.locator(f"{nb} .kerasnb-curves"))

    # the log-scale checkbox is a browser-side toggle: it must stay on while new points arrive
    log_box = page.locator(f"{nb} .kerasnb-curves:not(.kerasnb-static) input.kerasnb-log")
    log_box.first.check(timeout=5000)
    before = _batch_points(_dashboard(tab))
    after_toggle = _wait_dashboard(tab, lambda d: _batch_points(d) > before, 15,
                                   "more batch points after ticking the log-scale box")
    assert after_toggle["liveCurves"]["logChecked"] is True, "the log-scale box unticked itself on an update"

    # the tracer: filter by hook, click a row to see its logs
    _wait_dashboard(tab, lambda d: any(r["hook"] == "on_epoch_end" for r in (d["liveTracer"] or {}).get(
        "rows", [])), 15, "an on_epoch_end row in the live tracer")
    tracer = page.locator(f"{nb} .kerasnb-tracer:not(.kerasnb-static)")
    tracer.locator("select.kerasnb-filter").select_option("on_epoch_end", timeout=5000)
    rows = _dashboard(tab)["liveTracer"]["rows"]
    visible = [r["hook"] for r in rows if r["visible"]]
    assert visible and set(visible) == {"on_epoch_end"}, f"filtered on on_epoch_end, visible rows: {visible}"
    tracer.locator('.kerasnb-row[data-hook="on_epoch_end"]').first.click(timeout=5000)
    logs = tracer.locator("pre.kerasnb-logs")
    logs.first.wait_for(state="visible", timeout=5000)
    assert "loss" in logs.first.inner_text(), f"row logs: {logs.first.inner_text()!r}"
    tab.screenshot("while-training-tracer", focus=tracer)
    t_checks = time.monotonic()

    # ---- after training: the live curves and tracer were replaced, in place, by static snapshots -------------
    tab.wait_for_marker(f"{DONE_MARKER} {epochs}", timeout=180)
    t_done = time.monotonic()
    dom = _wait_dashboard(tab, lambda d: d["staticCurves"] and d["staticTracer"], 15,
                          "the static snapshots (.kerasnb-curves.kerasnb-static, .kerasnb-tracer.kerasnb-static)",
                          training=False)
    assert dom["liveCurves"] is None and dom["liveTracer"] is None, f"live views left after training: {dom}"
    assert dom["staticCurves"] is not None, "no .kerasnb-curves.kerasnb-static in the fit cell's output"
    assert dom["staticTracer"] is not None, "no .kerasnb-tracer.kerasnb-static in the fit cell's output"
    assert dom["counts"]["curves"] == 1 and dom["counts"]["tracers"] == 1, (
        f"the snapshots must replace the live views, not be added next to them: {dom['counts']}"
    )
    panels = dom["staticCurves"]["panels"]
    assert {"loss", "accuracy"} <= set(panels), f"static panels: {panels}"
    for metric in ("loss", "accuracy"):
        assert panels[metric].get("epoch") == epochs, f"{metric} epoch trace: {panels[metric]}"
        assert panels[metric].get("val_epoch") == epochs, f"{metric} val_epoch trace: {panels[metric]}"
        assert panels[metric].get("batch", 0) > 0, f"{metric} batch trace: {panels[metric]}"
    hooks = [r["hook"] for r in dom["staticTracer"]["rows"]]
    assert hooks.count("on_train_begin") == 1 and hooks.count("on_train_end") == 1, hooks
    assert hooks.count("on_epoch_begin") == epochs, hooks
    assert hooks.count("on_epoch_end") == epochs, hooks
    assert any("done" in s for s in dom["status"]), f".kerasnb-status after training: {dom['status']}"
    shown = tab.watched_texts(f"{nb} .kerasnb-status")
    counted = [(int(m[1]), int(m[2]), text) for text in shown for m in [re.search(r"epoch (\d+)/(\d+)", text)] if m]
    assert counted, f"no .kerasnb-status reading 'epoch N/{epochs}' was ever shown: {shown[:5]}"
    wrong = [text for n, total, text in counted if not (1 <= n <= total == epochs)]
    assert not wrong, f".kerasnb-status counted epochs wrongly (expected 1..{epochs} of {epochs}): {wrong}"
    tab.screenshot("after-training", focus=page.locator(f"{nb} .kerasnb-curves"))

    # ---- the inspector stays live: pick a layer, move the snapshot slider, click the graph ----------------------
    inspector = page.locator(f"{nb} .kerasnb-inspector")
    assert inspector.count() == 1
    layer_select = inspector.locator("select.kerasnb-layer")
    options = layer_select.locator("option").evaluate_all("(os) => os.map(o => o.value)")
    assert sorted(options) == sorted(LAYERS), f"layer options: {options}"
    layer_select.select_option("hidden2")
    _wait_histograms_of(tab, "hidden2")
    _check_hidden2_histograms(tab)
    gradnorms = inspector.locator("svg.kerasnb-gradnorms path.kerasnb-trace")
    assert gradnorms.count() == len(LAYERS), f"{gradnorms.count()} gradient-norm traces, expected {len(LAYERS)}"
    tab.screenshot("inspector-hidden2", focus=inspector)

    slider = inspector.locator("input.kerasnb-snapshot[type=range]")
    assert slider.count() == 1
    lo, hi, value = slider.evaluate("(s) => [Number(s.min), Number(s.max), Number(s.value)]")
    assert hi > lo, f"the snapshot slider has a single position: min {lo}, max {hi}"
    target = lo if value != lo else hi
    slider.fill(str(int(target)))
    page.wait_for_timeout(500)
    assert slider.evaluate("(s) => Number(s.value)") == target
    _check_hidden2_histograms(tab)  # still hidden2, still one count per parameter
    tab.screenshot("inspector-snapshot-moved", focus=inspector)

    graph = inspector.locator("svg.kerasnb-model-graph")
    for name in LAYERS:
        assert graph.locator(f'g.node[data-layer="{name}"]').count() == 1, f"no graph node for {name}"
    graph.locator('g.node[data-layer="out"]').click()
    page.wait_for_function(
        "(nb) => document.querySelector(nb + ' .kerasnb-inspector select.kerasnb-layer').value === 'out'",
        arg=nb, timeout=10_000,
    )
    _wait_histograms_of(tab, "out")
    tab.screenshot("inspector-out-from-graph", focus=inspector)

    print(f"\n{server.frontend.title} dashboard timings: live views after {t_live - t_run:.1f}s, live checks done "
          f"after {t_checks - t_run:.1f}s, training done after {t_done - t_run:.1f}s; first status seen: {status}")
    tab.assert_clean()
