"""Run notebooks in a real JupyterLab or Jupyter Notebook 7, in Chromium driven by Playwright: the harness of the
widgets' browser tests.

* :class:`Frontend` — what differs between the two frontends the widgets promise to work in: :data:`LAB`
  (JupyterLab 4) and :data:`NOTEBOOK7` (Notebook 7, built from JupyterLab's components: the same ``window.jupyterapp``
  API once exposed, the same notebook widgets and commands, one document per page at ``/notebooks/PATH``).
* :func:`require_browser_stack` / :func:`require_frontend` — the Chromium executable, or skip (fail when
  ``KERASNB_REQUIRE_BROWSER=1``, as CI sets it) when Chromium, Playwright, JupyterLab, Notebook 7 or a kernel package
  is missing.
* :class:`JupyterServer` — a Jupyter server from this interpreter (``python -m jupyterlab`` or ``python -m notebook``)
  on 127.0.0.1 (free port, random token), isolated from the user's Jupyter/IPython settings, with a kernel spec bound
  to this interpreter.
* :class:`Browser` / :class:`JupyterPage` — Chromium and one tab of that frontend: open a notebook, run all cells,
  wait for a marker printed by a cell, take screenshots, and collect every console error, page error and IOPub
  rate-limit notice (:meth:`JupyterPage.problems`).
* :func:`write_notebook` — a notebook of code cells for that kernel spec.

Nothing here imports Playwright, nbformat or JupyterLab at import time, so pytest can import this module (doctest
collection) on a machine without them. pytest runs with ``--import-mode=importlib``, so the tests load this file by
path rather than importing it as a package.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REQUIRE_ENV = "KERASNB_REQUIRE_BROWSER"
ARTIFACTS_ENV = "KERASNB_ARTIFACTS"
CHROMIUM_ENV = "KERASNB_CHROMIUM"

KERNEL_NAME = "kerasnb-browser-test"
# The prebuilt labextensions the widgets need; they must come from this interpreter's share/jupyter/labextensions.
REQUIRED_LABEXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "anywidget")
# What jupyter_server writes into a cell's output when it drops the kernel's messages (jupyter_server's
# services/kernels/connection/channels.py). Either one means the widgets sent more than a real user's server allows.
RATE_LIMIT_TEXTS = ("IOPub message rate exceeded", "IOPub data rate exceeded")

# Console errors that are the frontend's own noise, not ours: (regex, why it is not a widget problem). Empty on
# purpose: with this setup (news, update checks, extension manager and terminals off; see JupyterServer._argv and
# LAB_SETTINGS) neither JupyterLab 4.6 nor Notebook 7.6 in Chromium logs a console error for the probe notebook,
# only debug and warning lines. Add an entry only for an error seen with the probe notebook alone, with the reason.
# (Notebook 7's one page error at start-up is in NOTEBOOK7.startup_page_errors.)
CONSOLE_ERROR_WHITELIST: tuple[tuple[str, str], ...] = ()

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# -------------------------------------------------------------------------------------------------------------
# the frontends
# -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frontend:
    """One Jupyter frontend the widgets must work in, and what the harness does differently for it."""

    name: str  # the tests' parameter id
    title: str  # for messages
    module: str  # ``python -m MODULE`` serves it; also the package whose version is checked
    min_major: int  # the oldest major version of ``module`` meant
    requirement: str  # what to pip install
    app_class: str  # the server extension app whose ``expose_app_in_browser`` puts the app on ``window.jupyterapp``
    config_page: str  # a page served with the frontend's ``jupyter-config-data``
    open_url: str  # the page that opens a notebook: a format string of ``path`` (and ``workspace``)
    artifacts_subdir: str  # its tests' screenshots and logs go into this subfolder of the artifacts folder ('': none)
    # Page errors of the frontend itself, tolerated only while the app starts and the notebook opens (before the
    # kernel is idle, long before any widget is shown): (regex on "Name: message", regex on the stack, why).
    startup_page_errors: tuple[tuple[str, str, str], ...] = ()


LAB = Frontend(
    name="lab",
    title="JupyterLab",
    module="jupyterlab",
    min_major=4,
    requirement="jupyterlab>=4",
    app_class="LabApp",
    config_page="/lab",
    # a workspace of its own (and reset): the server would otherwise restore the tabs an earlier test left open
    open_url="/lab/workspaces/{workspace}/tree/{path}?reset",
    artifacts_subdir="",
)

NOTEBOOK7 = Frontend(
    name="notebook7",
    title="Jupyter Notebook 7",
    module="notebook",
    min_major=7,
    requirement="notebook>=7",
    app_class="JupyterNotebookApp",
    config_page="/tree",
    open_url="/notebooks/{path}",  # one document per page; nothing is restored from a workspace
    artifacts_subdir="notebook7",
    startup_page_errors=(
        (
            r"^TypeError: Cannot read properties of undefined \(reading 'schema'\)$",
            r"/static/notebook/notebook_core\.[0-9a-f]+\.js",
            # Seen on every page load with notebook 7.6.5, on /tree as on /notebooks, with no user settings and no
            # widget at all: the shortcuts plugin's pluginChanged handler reads registry.plugins[shortcuts.id].schema
            # when '@jupyterlab/docmanager-extension:plugin' finishes loading before the shortcuts' own settings did.
            "Notebook 7's own start-up race, https://github.com/jupyter/notebook/issues/7862 (open)",
        ),
    ),
)

FRONTENDS = {frontend.name: frontend for frontend in (LAB, NOTEBOOK7)}


# -------------------------------------------------------------------------------------------------------------
# prerequisites and artifacts
# -------------------------------------------------------------------------------------------------------------


def browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0", "false", "no")


def unavailable(reason: str):
    """Skip the test, or fail it when the environment says the browser tests must run (CI)."""
    if browser_required():
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1, so the browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def require_browser_stack() -> str:
    """The Chromium executable to drive; skips (or fails, see :func:`unavailable`) when anything is missing."""
    missing = []
    for module, package in [
        ("playwright", "playwright"),
        ("jupyterlab", "jupyterlab>=4"),
        ("jupyter_server", "jupyter_server"),
        ("ipykernel", "ipykernel"),
        ("nbformat", "nbformat"),
        ("ipywidgets", "ipywidgets"),
        ("anywidget", "anywidget"),
    ]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(package)
    if missing:
        unavailable(f"browser test needs {', '.join(missing)} (pip install -e '.[test]')")
    require_frontend(LAB)  # Notebook 7 is built on JupyterLab 4 too
    chromium = find_chromium()
    if chromium is None:
        unavailable(
            f"Chromium not found (${CHROMIUM_ENV}, chromium or chromium-browser on PATH, /usr/bin/chromium); "
            "on Debian: apt-get install chromium"
        )
    return chromium


def require_frontend(frontend: Frontend) -> None:
    """Skip (or fail, see :func:`unavailable`) unless ``frontend``'s package is installed, new enough."""
    try:
        found = importlib.util.find_spec(frontend.module) is not None
        installed = importlib.metadata.version(frontend.module)  # the distribution is named like the module
    except (ImportError, ValueError):  # PackageNotFoundError is an ImportError
        found = False
    if not found:
        unavailable(f"the {frontend.title} browser test needs {frontend.requirement} (pip install -e '.[test]')")
    if int(installed.split(".")[0]) < frontend.min_major:
        unavailable(f"the {frontend.title} browser test needs {frontend.requirement}, found {installed}")


def artifacts_dir(*parts: str) -> Path:
    """Where screenshots and logs go: ``$KERASNB_ARTIFACTS`` or ``<repo>/test-artifacts/browser``."""
    base = Path(os.environ.get(ARTIFACTS_ENV) or REPO / "test-artifacts" / "browser")
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "test"


# -------------------------------------------------------------------------------------------------------------
# notebooks
# -------------------------------------------------------------------------------------------------------------


def write_notebook(path: Path, cells: list[str]) -> Path:
    """Write a notebook of code cells (no outputs) that opens with this harness's kernel spec."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python (kerasnb browser test)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    path = Path(path)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


# -------------------------------------------------------------------------------------------------------------
# the server
# -------------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


# JupyterLab user settings for the test profile: keep every cell in the DOM (the default windowing mode may detach
# cells that are out of view), no autosave, and no toasts, news, update checks or extension-manager queries.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}


class JupyterServer:
    """A Jupyter server for one test session serving ``frontend`` (JupyterLab or Notebook 7), everything it writes
    under ``home``.

    ``JUPYTER_CONFIG_DIR``, ``JUPYTER_DATA_DIR``, ``JUPYTER_RUNTIME_DIR``, ``IPYTHONDIR``, the lab's user settings
    and workspaces all point into ``home`` (fresh), so nothing of the user's setup leaks in; ``JUPYTER_PATH`` and
    ``JUPYTER_CONFIG_PATH`` are dropped. The interpreter's own ``etc/jupyter`` and ``share/jupyter`` stay on the
    search paths (that is where the server extensions' config and the prebuilt labextensions live). Notebook 7 reads
    the same user settings (:data:`LAB_SETTINGS`) as JupyterLab: its plugins are JupyterLab's.
    """

    def __init__(self, home: Path, frontend: Frontend = LAB, root_dir: Path | None = None):
        self.home = Path(home)
        self.frontend = frontend
        self.root_dir = Path(root_dir) if root_dir else self.home / "notebooks"
        self.root_dir.mkdir(parents=True, exist_ok=True)
        self.token = secrets.token_hex(24)
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.log_path = self.home / f"{frontend.module}.log"
        self.startup_s: float | None = None

    # -- setup ---------------------------------------------------------------------------------------------------

    def _dirs(self) -> dict[str, Path]:
        d = {
            "JUPYTER_CONFIG_DIR": self.home / "config",
            "JUPYTER_DATA_DIR": self.home / "data",
            "JUPYTER_RUNTIME_DIR": self.home / "runtime",
            "IPYTHONDIR": self.home / "ipython",
            "JUPYTERLAB_SETTINGS_DIR": self.home / "lab-user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": self.home / "lab-workspaces",
            "MPLCONFIGDIR": self.home / "matplotlib",
        }
        for path in d.values():
            path.mkdir(parents=True, exist_ok=True)
        return d

    def _env(self, dirs: dict[str, Path]) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH", "JUPYTER_PLATFORM_DIRS",
                     "JUPYTER_NO_CONFIG", "JUPYTERLAB_DIR", "PYTHONSTARTUP"):
            env.pop(name, None)
        env.update({name: str(path) for name, path in dirs.items()})
        # the debugger's "frozen modules" warning goes to the kernel's stderr; keep the server log readable
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        return env

    def _write_kernelspec(self, data_dir: Path) -> None:
        """A kernel spec bound to this interpreter, and to the kerasnb checkout this test process imports."""
        env = {}
        spec = importlib.util.find_spec("kerasnb")
        if spec is not None and spec.origin:
            source_root = str(Path(spec.origin).resolve().parents[1])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, os.environ.get("PYTHONPATH")) if p)
        _write_json(
            data_dir / "kernels" / KERNEL_NAME / "kernel.json",
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python (kerasnb browser test)",
                "language": "python",
                "env": env,
                "metadata": {"debugger": False},
            },
        )

    def _write_settings(self, settings_dir: Path) -> None:
        for plugin, values in LAB_SETTINGS.items():
            _write_json(settings_dir / f"{plugin}.jupyterlab-settings", values)

    def _argv(self, dirs: dict[str, Path]) -> list[str]:
        # CI containers run as root; jupyter_server refuses that without --allow-root
        root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        app = self.frontend.app_class
        return [
            sys.executable, "-m", self.frontend.module,
            "--no-browser",
            *root,
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.terminals_enabled=False",
            # the stock rate limits, stated explicitly: the test must see what a default install would show
            "--ZMQChannelsWebsocketConnection.iopub_msg_rate_limit=1000",
            "--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1000000",
            "--ZMQChannelsWebsocketConnection.rate_limit_window=3",
            # a safety net if the test process dies without stopping us (pytest killed by a CI timeout)
            "--ServerApp.shutdown_no_activity_timeout=900",
            "--MappingKernelManager.cull_idle_timeout=900",
            "--MappingKernelManager.cull_interval=60",
            # the jupyterlab server extension runs under Notebook 7 too (it serves /lab/api/news and the like)
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # the settings and workspaces folders, for LabApp and (Notebook 7) JupyterNotebookApp alike
            *[f"--{cls}.{trait}={dirs[env]}" for cls in dict.fromkeys(("LabApp", app))
              for trait, env in (("user_settings_dir", "JUPYTERLAB_SETTINGS_DIR"),
                                 ("workspaces_dir", "JUPYTERLAB_WORKSPACES_DIR"))],
            f"--{app}.expose_app_in_browser=True",  # window.jupyterapp, which the harness drives
        ]

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def start(self, timeout: float = 120.0, attempts: int = 3) -> JupyterServer:
        dirs = self._dirs()
        self._write_kernelspec(dirs["JUPYTER_DATA_DIR"])
        self._write_settings(dirs["JUPYTERLAB_SETTINGS_DIR"])
        env = self._env(dirs)
        t0 = time.monotonic()
        for attempt in range(attempts):
            self.port = free_port()
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(f"\n===== start attempt {attempt + 1}: port {self.port}\n")
                log.flush()
                self.proc = subprocess.Popen(
                    self._argv(dirs), cwd=self.root_dir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True,
                )
            if self._wait_ready(timeout):
                self.startup_s = time.monotonic() - t0
                return self
            port_taken = "already in use" in self.log_tail(4000).lower()
            self.stop()
            if not port_taken:
                break
        raise RuntimeError(f"{self.frontend.title} did not start; its log ends with:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url("/api/status"), timeout=5) as r:
                    if r.status == 200:
                        json.load(r)
                        return True
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                pass
            time.sleep(0.25)
        return False

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the server to shut down (it stops its kernels), then terminate, then kill its process group."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(Exception):
                req = urllib.request.Request(self.url("/api/shutdown"), method="POST", data=b"")
                urllib.request.urlopen(req, timeout=5).close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout)
        if proc.poll() is None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout)
        # the kernels are in the server's session (start_new_session): kill whatever of it is left
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)

    def __enter__(self) -> JupyterServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- queries -------------------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}{path}{sep}token={self.token}"

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def page_config(self) -> dict:
        """The ``jupyter-config-data`` JSON that the frontend's pages are served with."""
        page = self.frontend.config_page
        with urllib.request.urlopen(self.url(page), timeout=30) as r:
            html = r.read().decode("utf-8")
        m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
        if not m:
            raise RuntimeError(f"the {page} page has no jupyter-config-data")
        return json.loads(m.group(1))

    def labextensions(self) -> list[str]:
        return sorted(ext["name"] for ext in self.page_config().get("federated_extensions", []))

    def kernelspecs(self) -> list[str]:
        with urllib.request.urlopen(self.url("/api/kernelspecs"), timeout=30) as r:
            return sorted(json.load(r)["kernelspecs"])


# -------------------------------------------------------------------------------------------------------------
# the browser
# -------------------------------------------------------------------------------------------------------------


class Browser:
    """Playwright's sync API driving a Chromium executable from the system (never Playwright's download)."""

    def __init__(self, executable: str, headless: bool = True):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(
                executable_path=executable,
                headless=headless,
                # root in CI containers needs --no-sandbox; small /dev/shm in containers needs the other one
                args=["--no-sandbox", "--disable-dev-shm-usage"],
            )
        except Exception:
            self._pw.stop()
            raise
        self.version = self.browser.version

    def new_page(self, server: JupyterServer, name: str, viewport=(1400, 1600)) -> JupyterPage:
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        context.set_default_timeout(30_000)
        return JupyterPage(context, server, name)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.browser.close()
        with contextlib.suppress(Exception):
            self._pw.stop()


# Runs in the page: the open notebook's state, read from the app's models (not the DOM). The same in JupyterLab
# and Notebook 7: both shells list their documents with widgets('main').
_STATE_JS = """
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
  const cells = [];
  for (const cell of panel.content.widgets) {
    const m = cell.model;
    const info = {type: m.type, executionCount: m.executionCount ?? null, text: '', errors: []};
    if (m.type === 'code') {
      for (let i = 0; i < m.outputs.length; i++) {
        const o = m.outputs.get(i).toJSON();
        if (o.output_type === 'stream') info.text += Array.isArray(o.text) ? o.text.join('') : o.text;
        else if (o.output_type === 'error') info.errors.push({ename: o.ename, evalue: o.evalue,
                                                              traceback: (o.traceback || []).join('\\n')});
        else if (o.data && o.data['text/plain']) {
          const t = o.data['text/plain']; info.text += (Array.isArray(t) ? t.join('') : t) + '\\n';
        }
      }
    }
    cells.push(info);
  }
  return {
    app: true, panel: true, id: panel.id,
    contextReady: panel.context.isReady,
    sessionReady: !!(sc && sc.isReady),
    kernelName: kernel ? kernel.name : null,
    kernelStatus: kernel ? kernel.status : (sc ? sc.kernelDisplayStatus : null),
    runAll: window.__kerasnbRunAll ?? null,
    cells,
  };
}
"""


_WATCH_JS = """
(selector) => {
  const watch = (window.__kerasnbWatch = window.__kerasnbWatch || {});
  if (watch[selector]) return;
  const entry = (watch[selector] = {texts: [], seen: new Set()});
  const grab = () => {
    for (const el of document.querySelectorAll(selector)) {
      const t = el.textContent.trim();
      if (t && !entry.seen.has(t)) { entry.seen.add(t); entry.texts.push(t); }
    }
  };
  grab();
  new MutationObserver(grab).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""

_OPEN_NOTEBOOKS_JS = """
() => [...window.jupyterapp.shell.widgets('main')].filter(w => w.context && w.content && w.content.widgets)
        .map(w => w.context.path)
"""


class NotebookError(AssertionError):
    pass


class JupyterPage:
    """One Chromium tab on the server's frontend, recording everything that could go wrong in it."""

    def __init__(self, context, server: JupyterServer, name: str):
        self.context = context
        self.server = server
        self.frontend = server.frontend
        self.name = _safe_name(name)
        self.artifacts = artifacts_dir(*filter(None, (self.frontend.artifacts_subdir, self.name)))
        self.page = context.new_page()
        self.path: str | None = None
        self.panel_id: str | None = None
        self.log: list[str] = []  # every console message and page error, for the artifacts
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.tolerated: list[str] = []  # the frontend's own start-up page errors (Frontend.startup_page_errors)
        self.rate_limit_hits: list[str] = []
        self._starting = True  # until open_notebook has the notebook open with an idle kernel
        self._shots = 0
        self._t0 = time.monotonic()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_pageerror)
        self.page.on("websocket", self._on_websocket)

    # -- recording -----------------------------------------------------------------------------------------------

    def _stamp(self) -> str:
        return f"{time.monotonic() - self._t0:8.2f}s"

    def _on_console(self, msg) -> None:
        loc = msg.location or {}
        where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
        line = f"[{msg.type}] {msg.text}{where}"
        self.log.append(f"{self._stamp()} {line}")
        if msg.type == "error":
            self.console_errors.append(line)

    def _on_pageerror(self, error) -> None:
        text = f"{getattr(error, 'name', 'Error')}: {getattr(error, 'message', error)}"
        stack = getattr(error, "stack", None) or ""
        why = self._starting and next((why for message, where, why in self.frontend.startup_page_errors
                                       if re.search(message, text) and re.search(where, stack)), None)
        self.log.append(f"{self._stamp()} [pageerror{f', tolerated: {why}' if why else ''}] {text}\n{stack}")
        (self.tolerated if why else self.page_errors).append(text)

    def _on_websocket(self, ws) -> None:
        def check(payload) -> None:
            data = payload.encode("utf-8", "replace") if isinstance(payload, str) else bytes(payload)
            for needle in RATE_LIMIT_TEXTS:
                if needle.encode() in data:
                    self.rate_limit_hits.append(f"{needle} (kernel websocket, at {self._stamp()})")

        ws.on("framereceived", check)

    # -- driving -------------------------------------------------------------------------------------------------

    def open_notebook(self, path: str, timeout: float = 90.0) -> dict:
        """Open ``path`` (relative to the server's root) and wait until its kernel is started and idle."""
        self.path = path
        workspace = f"{self.name}-{secrets.token_hex(4)}"
        url = self.server.url(self.frontend.open_url.format(path=urllib.parse.quote(path), workspace=workspace))
        self.page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=timeout * 1000)
        self.page.evaluate("() => window.jupyterapp.restored")
        state = self.wait_for(
            lambda s: s.get("panel") and s["contextReady"] and s["sessionReady"] and s["kernelStatus"] == "idle",
            timeout, "the notebook to open with an idle kernel",
        )
        if state["kernelName"] != KERNEL_NAME:
            raise NotebookError(f"notebook opened with kernel {state['kernelName']!r}, not {KERNEL_NAME!r}")
        self.page.evaluate("(id) => window.jupyterapp.shell.activateById(id)", state["id"])
        others = [p for p in self.page.evaluate(_OPEN_NOTEBOOKS_JS) if p != path]
        if others:
            raise NotebookError(f"other notebooks are open next to {path}: {others}")
        self.panel_id = state["id"]
        self._starting = False
        return state

    @property
    def notebook(self) -> str:
        """A CSS selector for the open notebook's panel: scope every DOM query with it."""
        return f'[id="{self.panel_id}"] .jp-Notebook'

    def shutdown_kernel(self, timeout: float = 30.0) -> None:
        """Shut the notebook's kernel down (frees the CPU for the next test)."""
        if self.path is None:
            return
        self.page.evaluate(
            """async (path) => {
                 for (const w of window.jupyterapp.shell.widgets('main')) {
                   if (w.context && w.context.path === path && w.sessionContext) await w.sessionContext.shutdown();
                 }
               }""",
            self.path,
        )

    def run_all(self) -> None:
        """Start running every cell (the notebook's Run > Run All Cells) and return at once: the command's promise
        settles only when the last cell is done, so it is deliberately not awaited."""
        self.page.evaluate(
            """(id) => {
                 window.jupyterapp.shell.activateById(id);
                 window.__kerasnbRunAll = null;
                 window.jupyterapp.commands.execute('notebook:run-all-cells')
                   .then((r) => { window.__kerasnbRunAll = 'finished: ' + r; },
                         (e) => { window.__kerasnbRunAll = 'failed: ' + e; });
               }""",
            self.panel_id,
        )

    def state(self) -> dict:
        return self.page.evaluate(_STATE_JS, self.path)

    def cell_errors(self, state: dict | None = None) -> list[str]:
        state = state or self.state()
        found = []
        for i, cell in enumerate(state.get("cells", [])):
            for err in cell["errors"]:
                tb = _ANSI.sub("", err["traceback"])
                found.append(f"cell {i}: {err['ename']}: {err['evalue']}\n{tb}")
        return found

    def wait_for(self, predicate, timeout: float, what: str, poll: float = 0.2, strict: bool = True) -> dict:
        """Poll the notebook state until ``predicate(state)`` holds. Fails at once when a cell raised and, when
        ``strict``, on a page error or an IOPub rate-limit notice (no point waiting: the test fails anyway)."""
        deadline = time.monotonic() + timeout
        state: dict = {}
        while True:
            state = self.state()
            errors = self.cell_errors(state)
            if errors:
                raise NotebookError(f"a cell raised while waiting for {what}:\n" + "\n".join(errors))
            if strict and (self.page_errors or self.rate_limit_hits):
                raise NotebookError(f"while waiting for {what}: page errors {self.page_errors}, "
                                    f"rate limit {self.rate_limit_hits}")
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                summary = {k: state.get(k) for k in ("app", "panel", "kernelStatus", "kernelName", "runAll")}
                raise NotebookError(f"timed out after {timeout:.0f}s waiting for {what}; state {summary}; "
                                    f"outputs: {self.output_text(state)[-2000:]!r}")
            self.page.wait_for_timeout(poll * 1000)

    def output_text(self, state: dict | None = None) -> str:
        state = state or self.state()
        return "".join(cell["text"] for cell in state.get("cells", []))

    def wait_for_run_all(self, timeout: float, strict: bool = True) -> dict:
        """Wait until Run All has finished (every cell replied) and the kernel is idle."""
        return self.wait_for(lambda s: s.get("runAll") is not None and s["kernelStatus"] == "idle", timeout,
                             "Run All to finish", strict=strict)

    def wait_for_marker(self, marker: str, timeout: float, strict: bool = True, grace: float = 5.0) -> dict:
        """Wait until ``marker`` is printed and the kernel is idle again; fail ``grace`` seconds after Run All
        finished without it."""
        finished_at = None

        def done(state):
            nonlocal finished_at
            if marker in self.output_text(state) and state["kernelStatus"] == "idle":
                return True
            if state.get("runAll") is not None and state["kernelStatus"] == "idle":
                finished_at = finished_at or time.monotonic()
                if time.monotonic() - finished_at > grace:
                    raise NotebookError(f"Run All finished ({state['runAll']}) but {marker!r} was never printed; "
                                        f"outputs: {self.output_text(state)[-2000:]!r}")
            return False

        return self.wait_for(done, timeout, f"the marker {marker!r} and an idle kernel", strict=strict)

    def watch_texts(self, selector: str) -> None:
        """Record, in the page, every distinct text that elements matching ``selector`` show from now on, however
        briefly (a MutationObserver): read them back with :meth:`watched_texts`."""
        self.page.evaluate(_WATCH_JS, selector)

    def watched_texts(self, selector: str) -> list[str]:
        return self.page.evaluate("(sel) => ((window.__kerasnbWatch || {})[sel] || {texts: []}).texts", selector)

    def screenshot(self, label: str, focus=None) -> Path:
        """A full-page screenshot ``NN-label.png`` in this test's artifacts folder; ``focus`` (a locator) is
        scrolled into view first (JupyterLab and Notebook 7 scroll inside the notebook, not the page)."""
        if focus is not None:
            with contextlib.suppress(Exception):
                focus.first.scroll_into_view_if_needed(timeout=5000)
        self._shots += 1
        path = self.artifacts / f"{self._shots:02d}-{_safe_name(label)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # -- verdict -------------------------------------------------------------------------------------------------

    def rate_limit_notices(self) -> list[str]:
        hits = list(self.rate_limit_hits)
        with contextlib.suppress(Exception):
            shown = self.page.locator(f"{self.notebook} .jp-OutputArea").all_inner_texts()
            text = self.output_text() + "\n" + "\n".join(shown)
            hits += [f"{needle} (notebook output)" for needle in RATE_LIMIT_TEXTS if needle in text]
        return hits

    def problems(self) -> list[str]:
        """Every console error (less the whitelist), page error and IOPub rate-limit notice so far."""
        found = []
        for line in self.console_errors:
            if not any(re.search(pattern, line) for pattern, _why in CONSOLE_ERROR_WHITELIST):
                found.append(f"console error: {line}")
        found += [f"page error: {e}" for e in self.page_errors]
        found += [f"rate limit: {h}" for h in self.rate_limit_notices()]
        return found

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the browser reported problems:\n" + "\n".join(problems)

    def close(self) -> None:
        """Save a last screenshot, the console log and the server log into the artifacts folder, close the tab."""
        out = self.artifacts
        with contextlib.suppress(Exception):
            self.screenshot("final")
        with contextlib.suppress(Exception):
            self.shutdown_kernel()
        with contextlib.suppress(Exception):
            (out / "console.log").write_text("\n".join(self.log) + "\n", encoding="utf-8")
        with contextlib.suppress(Exception):
            shutil.copyfile(self.server.log_path, out / self.server.log_path.name)
        with contextlib.suppress(Exception):
            self.context.close()
