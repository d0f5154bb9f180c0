"""Fixtures shared by the op tests.

* ``rng`` — a seeded NumPy generator, so every random test is reproducible.
* ``assert_close(actual, expected, ...)`` — compare a kerasnb tensor with a NumPy reference: type, shape, dtype
  (optionally) and values.
* ``gradcheck(fn, *inputs, ...)`` — :func:`kerasnb.testing.check_gradients` in float64 that also insists that
  something was actually checked (a check over no elements would pass vacuously).
* ``tape_grads(fn, *xs)`` — run ``fn`` under a :class:`kerasnb.GradientTape` watching ``xs`` and return
  ``(output, gradients)``; used for float32 dtype checks and explicit expected gradients.
* ``away_from_zero(shape)`` — random values with ``0.3 <= |x| <= 1.5``: safe probe points for ops with a kink
  or a pole at 0.
* ``http_server`` — a real HTTP server on 127.0.0.1 serving the files a download test writes.

In Pyodide (``sys.platform == "emscripten"``, the Python of JupyterLite, where CI also runs this suite:
``.ci/pyodide.sh``) there are no processes, no threads that start and no sockets. Tests that need them carry a
marker and are skipped there with the reason below; everything else runs there as it does here:

* ``@pytest.mark.needs_subprocess`` — the test starts a Python process (a fresh interpreter, a child killed
  mid-write).
* ``@pytest.mark.needs_sockets`` — the test opens a real socket. ``http_server`` skips by itself there; any other
  fixture that starts a local server requests ``local_sockets`` first, which does the same.

The helpers are fixtures (not an importable module) because pytest runs with ``--import-mode=importlib``.
"""

import sys
import threading

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.testing import check_gradients

EMSCRIPTEN = sys.platform == "emscripten"
# marker -> the reason a test carrying it is skipped under Pyodide
PLATFORM_NEEDS = {
    "needs_subprocess": "starts a Python process: Pyodide (JupyterLite) has no subprocesses",
    "needs_sockets": "needs a real socket and a server thread: Pyodide (JupyterLite) has neither",
}


def pytest_configure(config):
    for name in PLATFORM_NEEDS:
        config.addinivalue_line("markers", f"{name}: skipped under Pyodide (sys.platform == 'emscripten')")


def pytest_collection_modifyitems(config, items):
    if not EMSCRIPTEN:
        return
    for item in items:
        for name, reason in PLATFORM_NEEDS.items():
            if item.get_closest_marker(name):
                item.add_marker(pytest.mark.skip(reason=reason))
                break


@pytest.fixture
def local_sockets():
    """Skips the test where sockets cannot be used. Under Node, Pyodide does not raise on ``listen``/``connect``: it
    dies, taking the whole test run with it, so a fixture that starts a server must request this one first."""
    if EMSCRIPTEN:
        pytest.skip(PLATFORM_NEEDS["needs_sockets"])


@pytest.fixture
def rng():
    return np.random.default_rng(20240607)


def _assert_close(actual, expected, rtol=1e-6, atol=1e-6, dtype=None):
    assert isinstance(actual, keras.Tensor), f"expected a kerasnb Tensor, got {type(actual).__name__}"
    got = actual.numpy()
    want = np.asarray(expected)
    assert got.shape == want.shape, f"shape {got.shape} != expected {want.shape}"
    if dtype is not None:
        assert got.dtype == np.dtype(dtype), f"dtype {got.dtype} != expected {np.dtype(dtype)}"
    if want.dtype.kind in "biu" and got.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


@pytest.fixture
def assert_close():
    return _assert_close


def _gradcheck(fn, *inputs, **kwargs):
    report = check_gradients(fn, *inputs, **kwargs)
    assert report.ok, report
    assert report.worst is not None, "no floating input elements were checked"
    return report


@pytest.fixture
def gradcheck():
    return _gradcheck


def _tape_grads(fn, *xs):
    tensors = [keras.ops.convert_to_tensor(x) for x in xs]
    with keras.GradientTape() as tape:
        tape.watch(tensors)
        out = fn(*tensors)
    return out, tape.gradient(out, tensors)


@pytest.fixture
def tape_grads():
    return _tape_grads


@pytest.fixture
def away_from_zero(rng):
    def make(shape):
        return rng.uniform(0.3, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)

    return make


def _cupy_unavailable_reason():
    """``None`` when CuPy and a GPU can be used, else why not (shown as the skip reason)."""
    from kerasnb.engine.arrays import cupy_module

    try:
        cupy_module()
    except RuntimeError as e:
        return str(e).split(".")[0]
    return None


_CUPY_SKIP = _cupy_unavailable_reason()


@pytest.fixture(params=["numpy", "cupy"])
def array_backend(request):
    """Run a test once per array backend: NumPy always, CuPy when CuPy and a GPU are present.

    Op test modules opt in with ``pytestmark = pytest.mark.usefixtures("array_backend")``."""
    if request.param == "cupy" and _CUPY_SKIP:
        pytest.skip(f"CuPy backend: {_CUPY_SKIP}")
    previous = keras.config.backend()
    keras.config.set_backend(request.param)
    yield request.param
    keras.config.set_backend(previous)


class _LocalHTTPServer:
    """A real HTTP server on 127.0.0.1 for the download tests (get_file, kerasnb.datasets): serves ``files`` (URL
    path -> bytes), 404 for anything else, and records every requested path. A path in ``truncated`` announces
    twice its length, sends the bytes and hangs up: a connection dropped mid-file."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.files, self.truncated, self.requests = {}, set(), []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                cut = self.path in server.truncated
                self.send_header("Content-Length", str(len(body) * (2 if cut else 1)))
                self.end_headers()
                self.wfile.write(body)
                if cut:
                    self.wfile.flush()
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def add(self, name, data):
        """Serve ``data`` at ``/name``; returns its URL."""
        self.files[f"/{name}"] = data
        return f"{self.url}/{name}"

    def count(self, name):
        return self.requests.count(f"/{name}")

    def requested_names(self):
        """The file names requested so far (the last part of each path), in order."""
        return [path.rsplit("/", 1)[-1] for path in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server(local_sockets):
    server = _LocalHTTPServer()
    yield server
    server.close()

