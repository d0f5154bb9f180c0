"""``ProgbarLogger``: the ``Epoch 1/3`` lines and progress bars that ``fit``, ``evaluate`` and ``predict`` print."""

from kerasnb.callbacks.callback import Callback
from kerasnb.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Print a progress bar per epoch (and for ``evaluate``/``predict``) with the running metrics.

    ``fit`` adds one when ``verbose`` is not 0 and runs it before your callbacks, so a bar is drawn before
    anything they print. It reads ``self.params``: ``verbose`` (1: a bar updated every batch, 2: one line per
    epoch), ``epochs`` and ``steps`` (batches per epoch; ``None`` while unknown, learned when the first epoch
    ends).

    Args:
        count_mode: what the bar counts: ``'steps'`` (batches), the only mode since Keras 3 (``'samples'``,
            Keras 2's default, raises ``ValueError``: a batch's logs do not say how many samples it had).
        stateful_metrics: ``None`` (default, Keras 3): every value in ``logs`` is shown as given, because the
            trainer already reports each metric as its average over the epoch so far. A list of names (Keras 2's
            argument): those names and the model's own metrics are shown as given, and any other value a custom
            ``train_step`` returns is averaged over the epoch's batches by the bar.

    Example:
        >>> logger = keras.callbacks.ProgbarLogger()
        >>> logger.set_params({"verbose": 2, "epochs": 2, "steps": 5})
        >>> logger.on_train_begin()
        >>> logger.on_epoch_begin(0)
        Epoch 1/2
        >>> logger.on_epoch_end(0, {"loss": 0.4729, "accuracy": 0.8462})  # doctest: +ELLIPSIS
        5/5 - ...s - loss: 0.4729 - accuracy: 0.8462
    """

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        if count_mode != "steps":
            raise ValueError(
                f"ProgbarLogger counts batches: count_mode must be 'steps' (Keras 3 dropped 'samples'). "
                f"Received: count_mode={count_mode!r}"
            )
        if isinstance(stateful_metrics, str):
            raise TypeError(
                "`stateful_metrics` must be a list of metric names, not a single string. "
                f"Received: stateful_metrics={stateful_metrics!r}"
            )
        self.count_mode = count_mode
        self.stateful_metrics = None if stateful_metrics is None else set(stateful_metrics)
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        # Inside `fit`, validation runs quietly: its metrics appear on the epoch's last line as val_*.
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        # So that a later `evaluate` that reuses this logger draws its bar again (Keras forgets to reset this).
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # the logs hold the predictions themselves: nothing to show

    def on_predict_end(self, logs=None):
        self._finalize_progbar(None)

    # -- the bar ---------------------------------------------------------------------------------------
    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step")

    def _update_progbar(self, batch, logs):
        logs = logs or {}
        self._maybe_init_progbar()
        self.seen = batch + 1  # batches count from 0, the bar from 1
        self._mark_stateful(logs)
        if self.verbose == 1:
            self.progbar.update(self.seen, list(logs.items()), finalize=False)

    def _finalize_progbar(self, logs):
        logs = logs or {}
        self._maybe_init_progbar()
        if self.target is None:  # a generator of unknown length: now we know how many batches it had
            self.target = self.seen
            self.progbar.target = self.target
        self._mark_stateful(logs, final=True)
        self.progbar.update(self.target, list(logs.items()), finalize=True)

    def _mark_stateful(self, logs, final=False):
        """Tell the bar which values to show as given (all of them by default: the trainer's values already are
        averages over the epoch so far) and which to average."""
        if self.stateful_metrics is None or final:
            # The epoch's final logs are the metrics' results (and val_ ones): shown as given, as in Keras.
            self.progbar.stateful_metrics.update(logs)
            return
        names = set(self.stateful_metrics)
        names.update(metric.name for metric in getattr(self.model, "metrics", None) or [])
        self.progbar.stateful_metrics.update(name for name in logs if name in names)
