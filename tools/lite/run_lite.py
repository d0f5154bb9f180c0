"""Run a notebook in a built JupyterLite site, offline, in headless Chromium, and check what the page shows.

    python tools/lite/run_lite.py SITE_DIR NOTEBOOK [--expect TEXT ...] [--artifacts DIR] [--timeout SECONDS]

SITE_DIR is the output of ``jupyter lite build``; NOTEBOOK is a path inside its ``files/`` (e.g.
``01_quickstart.ipynb``). The site is served from a thread on 127.0.0.1 (an ephemeral port); Debian's
Chromium (``$KERASNB_CHROMIUM``, ``chromium`` on PATH or ``/usr/bin/chromium``) is driven by Playwright through
``executable_path`` (Playwright's own browser download is never used). The notebook is opened in the Lite
JupyterLab (``lab/index.html?path=NOTEBOOK``); once its Pyodide kernel is idle, Run All Cells runs it. Fails
(exit 1, with the reason on stderr) unless:

* every code cell ran (has an execution count) and none has an error output, nor a traceback on stderr;
* every ``--expect`` text is in the outputs;
* the kerasnb Dashboard of the cell that makes one RENDERED through anywidget: its live training curves (an
  ``svg.kerasnb-panel`` with a ``path.kerasnb-trace`` of batch points) and live event tracer (``.kerasnb-row``
  rows) were seen in that cell's output while it trained, the static snapshots replaced them at the end, and
  the layer inspector is still live there with its histograms (``svg.kerasnb-hist`` with ``rect.kerasnb-bar``);
  and no output says a widget failed ("Error displaying widget", "Failed to load model class", ...);
* the page raised no uncaught error;
* every request the browser made (pages, the kernel's Web Worker, the service worker: context-level tracking)
  went to the site's own origin on 127.0.0.1 (or data:/blob: URLs). The one exception is an image that the
  notebook's own Markdown links to (the course notebooks' Binder and Colab badges): it is reported, not
  fetched, and does not fail the run. Every request off 127.0.0.1 is aborted by the browser in any case, so
  nothing leaves the machine even where the run is not done without network.

Writes to ``--artifacts`` (default ``$KERASNB_ARTIFACTS/lite``, else ``test-artifacts/lite``):
``dashboard.png`` (the Dashboard's cell at the end), ``dashboard-live.png`` (the same cell while fit ran),
``page.png`` (the whole page at the end, or when it failed), ``console.log`` (browser console, page errors,
failed requests), ``requests.log`` (every request, as the server saw it) and ``result.json`` (the verdict,
timings, outputs).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
WIDGET_FAILURES = ("Error displaying widget", "Failed to load model class", "Failed to create view",
                   "Could not create a view", "Click to show javascript error", "Loading widget...",
                   "kerasnb: unknown view kind")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-first-run",
                 "--disable-features=MediaRouter,OptimizationHints,Translate", "--metrics-recording-only",
                 "--no-default-browser-check", "--password-store=basic", "--use-mock-keychain"]


def find_chromium() -> str | None:
    explicit = os.environ.get("KERASNB_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


# -------------------------------------------------------------------------------------------------------------
# the server: the site's files on 127.0.0.1, from a thread of this process
# -------------------------------------------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript",
        ".json": "application/json", ".whl": "application/octet-stream", ".zip": "application/zip",
        ".ipynb": "application/json", ".svg": "image/svg+xml",
    }
    log: list[str]  # set on the subclass made per server

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 (the base class's signature)
        self.log.append(f"{time.strftime('%H:%M:%S')} {format % args}")


class SiteServer:
    """``SITE_DIR`` served on ``http://127.0.0.1:PORT`` by a ThreadingHTTPServer in a daemon thread."""

    def __init__(self, site: Path):
        self.log: list[str] = []
        handler = type("Handler", (_Handler,), {"log": self.log})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="lite-site", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# -------------------------------------------------------------------------------------------------------------
# what runs in the page
# -------------------------------------------------------------------------------------------------------------

# The notebook panel for PATH, its kernel and every cell's execution count and outputs (from the models).
STATE_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return {app: false};
  let panel = null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) { panel = w; break; }
  }
  if (!panel) return {app: true, panel: false};
  const sc = panel.sessionContext;
  const kernel = sc && sc.session && sc.session.kernel;
  const join = (t) => Array.isArray(t) ? t.join('') : (t || '');
  const cells = panel.content.widgets.map((cell, index) => {
    const m = cell.model;
    const info = {index, type: m.type, source: m.sharedModel.getSource(), executionCount: m.executionCount ?? null,
                  stdout: '', stderr: '', text: '', errors: [], mimes: []};
    if (m.type === 'code') {
      for (let i = 0; i < m.outputs.length; i++) {
        const o = m.outputs.get(i).toJSON();
        if (o.output_type === 'stream') info[o.name === 'stderr' ? 'stderr' : 'stdout'] += join(o.text);
        else if (o.output_type === 'error') info.errors.push({ename: o.ename, evalue: o.evalue,
                                                              traceback: (o.traceback || []).join('\\n')});
        else if (o.data) {
          info.mimes.push(...Object.keys(o.data));
          if (o.data['text/plain']) info.text += join(o.data['text/plain']) + '\\n';
        }
      }
    }
    return info;
  });
  return {app: true, panel: true, id: panel.id, contextReady: panel.context.isReady,
          sessionReady: !!(sc && sc.isReady), kernelName: kernel ? kernel.name : null,
          kernelStatus: kernel ? kernel.status : null, runAll: window.__liteRunAll ?? null, cells};
}
"""

RUN_ALL_JS = """
(id) => {
  window.jupyterapp.shell.activateById(id);
  window.__liteRunAll = null;
  window.jupyterapp.commands.execute('notebook:run-all-cells')
    .then((r) => { window.__liteRunAll = 'finished: ' + r; }, (e) => { window.__liteRunAll = 'failed: ' + e; });
}
"""

# What the Dashboard's views show in one cell's output, by the class names of kerasnb/widgets/static/widgets.js
# (live views) and kerasnb/widgets/views.py (the static snapshots, which carry the class kerasnb-static).
DASHBOARD_JS = """
([panelId, cellIndex]) => {
  const panel = document.getElementById(panelId);
  const cell = panel ? panel.querySelectorAll('.jp-Notebook .jp-Cell')[cellIndex] : null;
  if (!cell) return null;
  const out = cell.querySelector('.jp-OutputArea');
  if (!out) return {outputArea: false};
  const q = (sel) => out.querySelector(sel);
  const live = (kind) => q(`.kerasnb-widget.kerasnb-${kind}:not(.kerasnb-static)`);
  const curves = live('curves'), tracer = live('tracer'), inspector = live('inspector');
  const batchSel = 'svg.kerasnb-panel path.kerasnb-trace[data-series="batch"]';
  const traces = curves ? [...curves.querySelectorAll(batchSel)] : [];
  const batchPoints = Math.max(0, ...traces.map(p => Number(p.getAttribute('data-points'))));
  const status = curves ? curves.querySelector('.kerasnb-status') : null;
  return {
    outputArea: true,
    liveCurves: !!curves, liveCurvesPanels: curves ? curves.querySelectorAll('svg.kerasnb-panel').length : 0,
    liveBatchPoints: batchPoints,
    liveStatus: status ? status.textContent.trim() : null,
    liveTracer: !!tracer, liveTracerRows: tracer ? tracer.querySelectorAll('.kerasnb-row').length : 0,
    liveInspector: !!inspector,
    inspectorHists: inspector ? inspector.querySelectorAll('svg.kerasnb-hist').length : 0,
    inspectorBars: inspector ? inspector.querySelectorAll('svg.kerasnb-hist rect.kerasnb-bar').length : 0,
    inspectorLayers: inspector ? [...inspector.querySelectorAll('select.kerasnb-layer option')].map(o => o.value) : [],
    staticCurves: !!q('.kerasnb-curves.kerasnb-static'), staticTracer: !!q('.kerasnb-tracer.kerasnb-static'),
    widgetViews: out.querySelectorAll('.jp-OutputArea-output .kerasnb-widget').length,
    text: out.innerText.slice(0, 4000),
  };
}
"""

# Polls the Dashboard's cell from inside the page (every 100 ms, whatever Python is doing) and keeps the most it
# ever showed: the live curves and tracer exist only while fit runs, then become static snapshots.
MONITOR_JS = """
([panelId, cellIndex, probe]) => {
  const f = eval(probe);
  window.__liteSeen = {samples: 0, liveCurves: false, maxBatchPoints: 0, maxTracerRows: 0, liveInspector: false,
                       firstLiveMs: null, statuses: []};
  const t0 = performance.now();
  window.__liteMonitor = setInterval(() => {
    const d = f([panelId, cellIndex]);
    const s = window.__liteSeen;
    s.samples++;
    if (!d || !d.outputArea) return;
    if (d.liveCurves && s.firstLiveMs === null) s.firstLiveMs = Math.round(performance.now() - t0);
    s.liveCurves = s.liveCurves || d.liveCurves;
    s.maxBatchPoints = Math.max(s.maxBatchPoints, d.liveBatchPoints);
    s.maxTracerRows = Math.max(s.maxTracerRows, d.liveTracerRows);
    s.liveInspector = s.liveInspector || d.liveInspector;
    if (d.liveStatus && s.statuses[s.statuses.length - 1] !== d.liveStatus && s.statuses.length < 40)
      s.statuses.push(d.liveStatus);
  }, 100);
}
"""


# -------------------------------------------------------------------------------------------------------------
# the run
# -------------------------------------------------------------------------------------------------------------


class Failure(Exception):
    pass


def cell_problems(state: dict) -> list[str]:
    found = []
    for cell in state.get("cells", []):
        for err in cell["errors"]:
            tb = ANSI.sub("", err["traceback"])
            found.append(f"cell {cell['index']} raised {err['ename']}: {err['evalue']}\n{tb[-3000:]}")
        if "Traceback (most recent call last)" in cell["stderr"]:
            found.append(f"cell {cell['index']} printed a traceback on stderr:\n{ANSI.sub('', cell['stderr'])[-3000:]}")
    return found


def markdown_images(notebook: Path) -> set[str]:
    """The remote image URLs in the notebook's Markdown cells (``![alt](url)`` and ``<img src="url">``)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    urls = set()
    for cell in nb["cells"]:
        if cell.get("cell_type") != "markdown":
            continue
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        urls.update(re.findall(r"!\[[^\]]*\]\(\s*<?(https?://[^)\s>]+)", src))
        urls.update(re.findall(r"""<img\b[^>]*\bsrc\s*=\s*["'](https?://[^"']+)""", src))
    return urls


def dashboard_cell(state: dict) -> int | None:
    for cell in state["cells"]:
        if cell["type"] == "code" and re.search(r"\bDashboard\s*\(", cell["source"]):
            return cell["index"]
    return None


def run(site: Path, notebook: str, expects: list[str], artifacts: Path, timeout: float,
        require_dashboard: bool = False) -> dict:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise Failure("Chromium not found ($KERASNB_CHROMIUM, chromium on PATH, /usr/bin/chromium); "
                      "on Debian: apt-get install chromium")
    if not (site / "files" / notebook).is_file():
        raise Failure(f"{site / 'files' / notebook} does not exist: was the notebook staged into the site?")
    artifacts.mkdir(parents=True, exist_ok=True)
    for name in ("dashboard.png", "dashboard-live.png", "page.png", "console.log", "requests.log", "result.json"):
        with contextlib.suppress(FileNotFoundError):
            (artifacts / name).unlink()

    result: dict = {"notebook": notebook, "chromium": chromium, "ok": False}
    content_images = markdown_images(site / "files" / notebook)
    console: list[str] = []
    foreign: list[str] = []
    external_images: list[str] = []
    failed_requests: list[str] = []
    page_errors: list[str] = []
    requests = 0
    t0 = time.monotonic()
    stamp = lambda: f"{time.monotonic() - t0:7.1f}s"  # noqa: E731

    with SiteServer(site) as server, sync_playwright() as p:
        origin = server.origin
        result["origin"] = origin

        def on_request(request):
            nonlocal requests
            requests += 1
            url = request.url
            if not is_local(url):
                # the image element's load, and the service worker's fetch it passes that load on to
                as_image = request.resource_type == "image" or (
                    request.resource_type == "fetch" and request.service_worker is not None)
                if as_image and url in content_images:
                    external_images.append(url)
                    console.append(f"{stamp()} [blocked: an image of the notebook's Markdown] {url}")
                else:
                    foreign.append(url)
                    console.append(f"{stamp()} [FOREIGN REQUEST] {request.method} {request.resource_type} {url}")

        def is_local(url):
            return url == origin or url.startswith((origin + "/", "data:", "blob:", "about:"))

        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1600}, service_workers="allow")
        # context level: also the kernel's Web Worker and the service worker
        context.on("request", on_request)
        context.route(lambda url: not is_local(url), lambda route: route.abort("blockedbyclient"))
        context.on("requestfailed", lambda r: failed_requests.append(f"{r.method} {r.url}: {r.failure}"))
        page = context.new_page()
        page.on("console", lambda m: console.append(f"{stamp()} [{m.type}] {m.text}"))

        def on_pageerror(error):
            text = f"{getattr(error, 'name', 'Error')}: {getattr(error, 'message', error)}"
            page_errors.append(text)
            console.append(f"{stamp()} [pageerror] {text}\n{getattr(error, 'stack', '') or ''}")

        page.on("pageerror", on_pageerror)
        page.on("websocket", lambda ws: foreign.append(f"websocket {ws.url}"))
        state: dict = {}

        def poll(predicate, limit, what, check_errors=True, every=0.25):
            nonlocal state
            deadline = time.monotonic() + limit
            while True:
                state = page.evaluate(STATE_JS, notebook)
                if check_errors and state.get("cells"):
                    problems = cell_problems(state)
                    if problems:
                        raise Failure("a cell failed:\n" + "\n".join(problems))
                if foreign:
                    raise Failure(f"requests that did not go to {origin}: {foreign[:10]}")
                if predicate(state):
                    return state
                if time.monotonic() > deadline:
                    brief = {k: state.get(k) for k in ("app", "panel", "kernelName", "kernelStatus", "runAll")}
                    raise Failure(f"timed out after {limit:.0f}s waiting for {what}; state {brief}")
                page.wait_for_timeout(every * 1000)

        try:
            url = f"{origin}/lab/index.html?path={urllib.parse.quote(notebook)}"
            result["url"] = url
            page.goto(url, wait_until="domcontentloaded", timeout=60_000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
            result["ui_s"] = round(time.monotonic() - t0, 1)
            poll(lambda s: s.get("panel") and s["contextReady"] and s["sessionReady"] and s["kernelStatus"] == "idle",
                 timeout, "the notebook to open with an idle Pyodide kernel")
            result["kernel_idle_s"] = round(time.monotonic() - t0, 1)
            result["kernel"] = state["kernelName"]
            panel_id = state["id"]
            fit_cell = dashboard_cell(state)
            if fit_cell is None and require_dashboard:
                raise Failure(f"no code cell of {notebook} makes a Dashboard(): nothing to check the widget with")
            result["dashboard_cell"] = fit_cell
            if fit_cell is not None:
                page.evaluate(MONITOR_JS, [panel_id, fit_cell, DASHBOARD_JS])

            t_run = time.monotonic()
            page.evaluate(RUN_ALL_JS, panel_id)
            code = lambda s: [c for c in s["cells"] if c["type"] == "code"]  # noqa: E731
            fit_locator = page.locator(f'[id="{panel_id}"] .jp-Notebook .jp-Cell').nth(fit_cell)
            live_shot = artifacts / "dashboard-live.png"

            def finished(s):
                # once, while fit runs: a picture of the live views (they are static snapshots at the end)
                if fit_cell is not None and "dashboard_live_png" not in result and page.evaluate(
                        "() => (window.__liteSeen || {}).maxBatchPoints") >= 100:
                    with contextlib.suppress(Exception):
                        fit_locator.screenshot(path=str(live_shot), timeout=5000)
                        result["dashboard_live_png"] = str(live_shot)
                return (s["runAll"] is not None and s["kernelStatus"] == "idle"
                        and all(c["executionCount"] is not None for c in code(s)))

            poll(finished, timeout, "Run All Cells to finish", every=0.5)
            result["run_all_s"] = round(time.monotonic() - t_run, 1)
            result["run_all"] = state["runAll"]
            # let the last comm messages and display updates land, then read the verdict from the DOM
            page.wait_for_timeout(1000)
            state = page.evaluate(STATE_JS, notebook)
            if fit_cell is not None:
                page.evaluate("() => clearInterval(window.__liteMonitor)")
                seen = page.evaluate("() => window.__liteSeen")
                dom = page.evaluate(DASHBOARD_JS, [panel_id, fit_cell])
                at_end = {k: v for k, v in dom.items() if k != "text"}
                result["dashboard"] = {"while_training": seen, "at_end": at_end}
            result["outputs"] = [{"cell": c["index"], "stdout": c["stdout"][-2000:], "stderr": c["stderr"][-2000:],
                                  "text": c["text"][-2000:], "mimes": c["mimes"]} for c in code(state)]
            with contextlib.suppress(Exception):
                if fit_cell is None:
                    raise LookupError("no Dashboard cell to photograph")
                fit_locator.scroll_into_view_if_needed(timeout=5000)
                fit_locator.screenshot(path=str(artifacts / "dashboard.png"), timeout=15_000)
                result["dashboard_png"] = str(artifacts / "dashboard.png")

            problems = cell_problems(state)
            if state["runAll"] != "finished: true":
                problems.append(f"Run All Cells did not succeed: {state['runAll']}")
            all_text = "\n".join(c["stdout"] + c["stderr"] + c["text"] for c in code(state))
            problems += [f"expected text not in the outputs: {e!r}" for e in expects if e not in all_text]
            page_text = page.locator(f'[id="{panel_id}"] .jp-Notebook').inner_text()
            problems += [f"an output says {w!r}" for w in WIDGET_FAILURES if w in page_text]
            problems += [f"uncaught error in the page: {e}" for e in page_errors]
            if fit_cell is not None:  # the Dashboard drew live, then left its snapshots and a live inspector
                if not seen["liveCurves"] or seen["maxBatchPoints"] <= 0:
                    problems.append("the Dashboard's live training curves never rendered with batch points while fit "
                                    f"ran (seen: {seen}): anywidget did not load kerasnb's widgets.js, or no update "
                                    "arrived")
                if seen["maxTracerRows"] <= 0:
                    problems.append(f"the Dashboard's live event tracer never rendered a row while fit ran "
                                    f"(seen: {seen})")
                if not (dom["staticCurves"] and dom["staticTracer"]):
                    problems.append(f"the curves and tracer did not become their static snapshots at the end: {at_end}")
                if not dom["liveInspector"] or dom["inspectorHists"] <= 0 or dom["inspectorBars"] <= 0:
                    problems.append(f"the Dashboard's layer inspector is not live with histograms at the end: {at_end}")
            if problems:
                raise Failure("\n".join(problems))
            result["ok"] = True
        except Failure as failure:
            result["failure"] = str(failure)
        except Exception as error:  # Playwright timeouts and the like: same report
            result["failure"] = f"{type(error).__name__}: {error}"
        finally:
            result["total_s"] = round(time.monotonic() - t0, 1)
            with contextlib.suppress(Exception):
                page.screenshot(path=str(artifacts / "page.png"))
                result["page_png"] = str(artifacts / "page.png")
            with contextlib.suppress(Exception):
                context.close()
                browser.close()
        result.update(requests=requests, foreign_requests=foreign, markdown_images_blocked=sorted(set(external_images)),
                      failed_requests=failed_requests,
                      page_errors=page_errors, server_log_lines=len(server.log))
        (artifacts / "requests.log").write_text("\n".join(server.log) + "\n", encoding="utf-8")
    if foreign:  # whatever else went wrong, say this too
        note = f"requests that did not go to {origin}: {foreign[:10]}"
        result["ok"] = False
        if note not in result.get("failure", ""):
            result["failure"] = f"{result.get('failure', '')}\n{note}".strip()
    (artifacts / "console.log").write_text(
        "\n".join(console + [f"[requestfailed] {r}" for r in failed_requests]) + "\n", encoding="utf-8")
    (artifacts / "result.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="the built JupyterLite site (jupyter lite build's output)")
    parser.add_argument("notebook", help="the notebook, as a path inside the site's files/")
    parser.add_argument("--expect", action="append", default=[], help="a text the outputs must contain (repeatable)")
    base = Path(os.environ.get("KERASNB_ARTIFACTS") or REPO / "test-artifacts")
    parser.add_argument("--artifacts", type=Path, default=base / "lite", help="where screenshots and logs go")
    parser.add_argument("--require-dashboard", action="store_true",
                        help="fail if no cell makes a keras.widgets.Dashboard() (whose rendering is then checked)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the kernel to start, and again "
                        "for the notebook to run")
    args = parser.parse_args(argv)
    try:
        result = run(args.site.resolve(), args.notebook, args.expect, args.artifacts.resolve(), args.timeout,
                     require_dashboard=args.require_dashboard)
    except Failure as failure:
        print(f"run_lite: FAILED: {failure}", file=sys.stderr)
        return 1
    summary = {k: result.get(k) for k in ("ok", "notebook", "kernel", "ui_s", "kernel_idle_s", "run_all_s", "total_s",
                                          "requests", "foreign_requests", "markdown_images_blocked",
                                          "page_errors")}
    summary["dashboard"] = result.get("dashboard")
    print(json.dumps(summary, indent=1))
    written = sorted(p.name for p in args.artifacts.iterdir() if p.is_file())
    print(f"artifacts: {args.artifacts.resolve()} ({', '.join(written)})")
    if not result["ok"]:
        print(f"run_lite: FAILED: {result.get('failure')}", file=sys.stderr)
        print(f"see {args.artifacts.resolve() / 'console.log'} and page.png", file=sys.stderr)
        return 1
    widget = "the Dashboard rendered" if result.get("dashboard") else "no Dashboard in it"
    print(f"run_lite: OK: {args.notebook} ran in JupyterLite (Pyodide) in {result['run_all_s']} s; {widget}; "
          f"{result['requests']} requests, all to {result['origin']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
