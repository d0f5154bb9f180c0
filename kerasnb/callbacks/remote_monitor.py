"""``RemoteMonitor``: POST every epoch's logs to an HTTP server."""

import json
import warnings

import numpy as np

from kerasnb.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Send each epoch's logs to ``root + path`` as an HTTP POST, e.g. to a live dashboard.

    The body is the JSON of ``{"epoch": epoch, **logs}``: by default inside a form field
    (``application/x-www-form-urlencoded``, ``field=<json>``), or as the whole body with
    ``send_as_json=True`` (``application/json``). Uses the standard library's ``urllib`` (Keras uses
    ``requests``; the requests are the same). A server that cannot be reached only warns
    ``Could not reach RemoteMonitor root server at ...``; an error status from the server is ignored, as with
    Keras.

    Args:
        root: the server's root URL.
        path: the path, relative to ``root``, the events are sent to.
        field: the form field holding the JSON (only without ``send_as_json``).
        headers: a dict of extra HTTP headers.
        send_as_json: send the JSON itself as the request body.

    Example:
        >>> import warnings
        >>> monitor = keras.callbacks.RemoteMonitor(root="http://127.0.0.1:9", send_as_json=True)  # no server there
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     monitor.on_epoch_end(0, {"loss": 0.5})  # would POST {"epoch": 0, "loss": 0.5}
        >>> print(caught[0].message)
        Could not reach RemoteMonitor root server at http://127.0.0.1:9

        In training: ``model.fit(x, y, callbacks=[keras.callbacks.RemoteMonitor(root="http://localhost:9000")])``.
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data", headers=None,
                 send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    @staticmethod
    def _payload(epoch, logs):
        """``{"epoch": epoch, **logs}`` with NumPy values made plain Python (JSON can hold them then)."""
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        return send

    def on_epoch_end(self, epoch, logs=None):
        from urllib.error import HTTPError, URLError
        from urllib.parse import urlencode
        from urllib.request import Request, urlopen

        send = self._payload(epoch, logs)
        headers = dict(self.headers or {})
        try:
            if self.send_as_json:
                # Strict JSON, as requests writes it: a NaN makes the request fail (and warn) in Keras too.
                body = json.dumps(send, allow_nan=False).encode("utf-8")
                headers.setdefault("Content-Type", "application/json")
            else:
                body = urlencode({self.field: json.dumps(send)}).encode("utf-8")
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            with urlopen(Request(self.root + self.path, data=body, headers=headers, method="POST")) as response:
                response.read()
        except HTTPError:
            pass  # the server answered (with an error status): Keras does not check the status either
        except (URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
