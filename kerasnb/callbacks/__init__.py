"""``kerasnb.callbacks``: objects that hook into ``fit``, ``evaluate`` and ``predict`` as they run.

Example:
    >>> printer = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs))
    >>> keras.callbacks.CallbackList([printer]).on_epoch_end(0, {"loss": np.float32(0.5)})
    0 {'loss': 0.5}
"""

from kerasnb.callbacks.callback import HOOK_NAMES, Callback, callback_overrides
from kerasnb.callbacks.callback_list import CallbackList
from kerasnb.callbacks.history import History
from kerasnb.callbacks.lambda_callback import LambdaCallback
from kerasnb.callbacks.progbar_logger import ProgbarLogger

__all__ = ["HOOK_NAMES", "Callback", "CallbackList", "History", "LambdaCallback", "ProgbarLogger", "callback_overrides"]
