"""``kerasnb.callbacks``: objects that hook into ``fit``, ``evaluate`` and ``predict`` as they run.

Keras's built-in callbacks: ``History`` and ``ProgbarLogger`` (added by ``fit``), ``EarlyStopping``,
``ModelCheckpoint`` and ``BackupAndRestore`` (both safe against crashes), ``ReduceLROnPlateau``,
``LearningRateScheduler``, ``TerminateOnNaN``, ``CSVLogger``, ``TensorBoard`` (needs
``pip install "kerasnb[tensorboard]"``), ``RemoteMonitor`` and ``LambdaCallback``; subclass ``Callback`` for your own.

Example:
    >>> printer = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs))
    >>> keras.callbacks.CallbackList([printer]).on_epoch_end(0, {"loss": np.float32(0.5)})
    0 {'loss': 0.5}
"""

from kerasnb.callbacks.backup_and_restore import BackupAndRestore
from kerasnb.callbacks.callback import HOOK_NAMES, Callback, callback_overrides
from kerasnb.callbacks.callback_list import CallbackList
from kerasnb.callbacks.csv_logger import CSVLogger
from kerasnb.callbacks.early_stopping import EarlyStopping
from kerasnb.callbacks.history import History
from kerasnb.callbacks.lambda_callback import LambdaCallback
from kerasnb.callbacks.learning_rate_scheduler import LearningRateScheduler
from kerasnb.callbacks.model_checkpoint import ModelCheckpoint
from kerasnb.callbacks.progbar_logger import ProgbarLogger
from kerasnb.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from kerasnb.callbacks.remote_monitor import RemoteMonitor
from kerasnb.callbacks.tensorboard import TensorBoard
from kerasnb.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "HOOK_NAMES",
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "TensorBoard",
    "TerminateOnNaN",
    "callback_overrides",
]
