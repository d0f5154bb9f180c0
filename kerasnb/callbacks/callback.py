"""``Callback``: the base class of everything that hooks into ``fit``, ``evaluate`` and ``predict``."""

# Every hook, in the order a `fit` with validation meets them. The event tracer and tests iterate over this.
HOOK_NAMES = (
    "on_train_begin",
    "on_epoch_begin",
    "on_train_batch_begin",
    "on_batch_begin",
    "on_train_batch_end",
    "on_batch_end",
    "on_test_begin",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_test_end",
    "on_epoch_end",
    "on_train_end",
    "on_predict_begin",
    "on_predict_batch_begin",
    "on_predict_batch_end",
    "on_predict_end",
)

# The training batch hooks' defaults call these older names (Keras 2's), so overriding either name works.
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def default(method):
    """Mark ``method`` as a do-nothing default, so :func:`callback_overrides` can tell when a subclass replaced it.

    Example:
        >>> @default
        ... def on_something(self, logs=None):
        ...     pass
        >>> on_something._is_default
        True
    """
    method._is_default = True
    return method


def callback_overrides(callback, hook_name):
    """Whether calling ``hook_name`` on ``callback`` runs code of the callback's own, not just a default no-op.

    True when the callback's class (or a ``LambdaCallback`` function) replaces the hook. ``on_train_batch_begin``
    and ``on_train_batch_end`` also count as overridden when their aliases ``on_batch_begin``/``on_batch_end``
    are, because the defaults call those.

    Example:
        >>> class Printer(keras.callbacks.Callback):
        ...     def on_batch_end(self, batch, logs=None):
        ...         print("batch", batch)
        >>> callback_overrides(Printer(), "on_batch_end"), callback_overrides(Printer(), "on_train_batch_end")
        (True, True)
        >>> callback_overrides(Printer(), "on_epoch_end")
        False
    """
    if hook_name not in HOOK_NAMES:
        raise ValueError(f"Unknown callback hook {hook_name!r}. The hooks are: {', '.join(HOOK_NAMES)}.")
    if not getattr(getattr(callback, hook_name), "_is_default", False):
        return True
    alias = _ALIASES.get(hook_name)
    return alias is not None and callback_overrides(callback, alias)


class Callback:
    """Base class for callbacks: objects whose hooks ``fit``, ``evaluate`` and ``predict`` call as they run.

    Subclass it and override the hooks you need; every hook here does nothing. ``fit`` sets ``self.model`` (the
    model being trained) and ``self.params`` (``{'verbose': ..., 'epochs': ..., 'steps': ...}``) before the first
    hook. ``logs`` arguments are dicts of plain Python floats, e.g. ``{'loss': 0.25, 'val_loss': 0.31}``.

    Example:
        >>> class EpochPrinter(keras.callbacks.Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(f"epoch {epoch}: loss {logs['loss']:.2f}")
        >>> EpochPrinter().on_epoch_end(0, {"loss": 0.5})
        epoch 0: loss 0.50
    """

    # Class-level defaults too, so a subclass whose __init__ forgets super().__init__() still works.
    model = None
    params = None
    validation_data = None

    def __init__(self):
        self.model = None
        self.params = None
        self.validation_data = None

    def set_params(self, params):
        """Store the run's parameters (``verbose``, ``epochs``, ``steps``) as ``self.params``."""
        self.params = params

    def set_model(self, model):
        """Store the model the callback is used with as ``self.model``."""
        self.model = model

    # -- training ------------------------------------------------------------------------------------
    @default
    def on_train_begin(self, logs=None):
        """Called once when ``fit`` starts."""

    @default
    def on_train_end(self, logs=None):
        """Called once when ``fit`` ends; ``logs`` are the last epoch's."""

    @default
    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of every epoch of ``fit`` (``epoch`` counts from 0)."""

    @default
    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of every epoch of ``fit`` with its metrics, validation ones prefixed ``val_``."""

    @default
    def on_train_batch_begin(self, batch, logs=None):
        """Called before every training batch; by default calls :meth:`on_batch_begin` (its older name)."""
        self.on_batch_begin(batch, logs=logs)

    @default
    def on_train_batch_end(self, batch, logs=None):
        """Called after every training batch with the epoch's running metrics; by default calls
        :meth:`on_batch_end` (its older name)."""
        self.on_batch_end(batch, logs=logs)

    @default
    def on_batch_begin(self, batch, logs=None):
        """Older name of :meth:`on_train_batch_begin`, kept because much Keras code overrides it."""

    @default
    def on_batch_end(self, batch, logs=None):
        """Older name of :meth:`on_train_batch_end`, kept because much Keras code overrides it."""

    # -- evaluation (``evaluate``, and validation inside ``fit``) ----------------------------------------
    @default
    def on_test_begin(self, logs=None):
        """Called when ``evaluate`` starts, or validation at the end of an epoch."""

    @default
    def on_test_end(self, logs=None):
        """Called when ``evaluate`` or a validation run ends, with its metrics."""

    @default
    def on_test_batch_begin(self, batch, logs=None):
        """Called before every ``evaluate`` (or validation) batch."""

    @default
    def on_test_batch_end(self, batch, logs=None):
        """Called after every ``evaluate`` (or validation) batch with the running metrics."""

    # -- prediction ------------------------------------------------------------------------------------
    @default
    def on_predict_begin(self, logs=None):
        """Called when ``predict`` starts."""

    @default
    def on_predict_end(self, logs=None):
        """Called when ``predict`` ends."""

    @default
    def on_predict_batch_begin(self, batch, logs=None):
        """Called before every ``predict`` batch."""

    @default
    def on_predict_batch_end(self, batch, logs=None):
        """Called after every ``predict`` batch."""


class BatchCounter:
    """Counts training batches across epochs (the batch index restarts at 0 each epoch) and says when
    ``every`` of them have passed since the last time it said so: ModelCheckpoint's and BackupAndRestore's
    integer ``save_freq``.

    Example:
        >>> counter = BatchCounter(every=3)
        >>> [counter.tick(batch) for batch in [0, 1, 0, 1, 2, 0]]
        [False, False, True, False, False, True]
    """

    def __init__(self, every):
        self.every = every
        self.reset()

    def reset(self):
        self._since, self._last = 0, None

    def tick(self, batch):
        if self._last is None or batch <= self._last:
            self._since += batch + 1
        else:
            self._since += batch - self._last
        self._last = batch
        if self._since >= self.every:
            self._since = 0
            return True
        return False
