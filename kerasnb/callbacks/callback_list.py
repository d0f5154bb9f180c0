"""``CallbackList``: calls one hook on every callback, in order, with logs made of plain Python numbers."""

import numbers

import numpy as np

from kerasnb.callbacks.callback import Callback
from kerasnb.callbacks.history import History
from kerasnb.callbacks.progbar_logger import ProgbarLogger
from kerasnb.engine import arrays
from kerasnb.engine.tensor import Tensor


def _to_python(value):
    """A one-element tensor, array or NumPy scalar becomes a Python float; anything else is left as it is."""
    if isinstance(value, Tensor):
        value = value.data
    if arrays.is_array(value):
        if value.size != 1:
            return value
        value = arrays.to_numpy(value).reshape(-1)[0]  # a NumPy scalar (float() of a 1-d array is deprecated)
    if isinstance(value, (numbers.Number, np.generic)):
        try:
            return float(value)
        except (TypeError, ValueError):  # complex numbers, NumPy strings
            return value
    return value


def pythonify_logs(logs):
    """Return ``logs`` as a new dict of Python floats (nested dicts are flattened into it, as in Keras).

    Example:
        >>> pythonify_logs({"loss": np.float32(0.5), "acc": keras.ops.convert_to_tensor(1.0), "note": "hi"})
        {'loss': 0.5, 'acc': 1.0, 'note': 'hi'}
    """
    result = {}
    for name, value in (logs or {}).items():
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
        else:
            result[name] = _to_python(value)
    return result


class CallbackList(Callback):
    """Several callbacks called as one: ``callback_list.on_epoch_end(epoch, logs)`` calls each of them in order.

    ``fit`` builds one from your callbacks with ``add_history=True`` and ``add_progbar=(verbose != 0)``. Unless
    already in the list, a ``ProgbarLogger`` is put first (so the bar is drawn before your callbacks print, as
    in tf.keras) and a ``History`` last (so it records logs your callbacks changed). ``params`` given as keyword
    arguments (``verbose``, ``epochs``, ``steps``) are passed to every callback's ``set_params``, and the model to
    ``set_model``. Each hook converts ``logs`` to Python floats first.

    Example:
        >>> seen = []
        >>> cbs = keras.callbacks.CallbackList(
        ...     [keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs))],
        ...     add_history=True, epochs=1, steps=2, verbose=0)
        >>> cbs.on_train_begin()
        >>> cbs.on_epoch_end(0, {"loss": np.float32(0.5)})
        >>> seen, cbs.callbacks[-1].history
        ([{'loss': 0.5}], {'loss': [0.5]})
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        if isinstance(callbacks, Callback):
            callbacks = [callbacks]
        self.callbacks = list(callbacks) if callbacks else []
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"Every callback must be a keras.callbacks.Callback; got {callback!r}. "
                    "To call a function at some point of training, wrap it: keras.callbacks.LambdaCallback(...)."
                )
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history, add_progbar):
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.insert(0, self._progbar)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)

    def append(self, callback):
        """Add ``callback`` at the end of the list."""
        self.callbacks.append(callback)

    def __iter__(self):
        return iter(self.callbacks)

    def set_params(self, params):
        self.params = params
        if params:  # an empty dict would wipe what the callbacks were given before
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        self.model = model
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    # -- the hooks: each calls the same hook on every callback, in order ----------------------------------
    # All callbacks share one logs dict, as in Keras: entries a callback adds (a learning rate, say) reach the ones
    # after it, History included. Begin/end and epoch hooks pass logs positionally and batch hooks by keyword,
    # exactly as Keras does, so LambdaCallback functions written for Keras get their arguments the same way.
    def on_train_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs=logs)

    def on_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_end(logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_batch_begin(batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_batch_end(batch, logs=logs)

    def on_predict_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_end(logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_begin(batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, logs=logs)
