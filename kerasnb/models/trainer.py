"""Training: ``compile``, ``fit``, ``evaluate``, ``predict`` and the overridable ``train_step`` /
``test_step`` / ``predict_step`` — one training loop, readable top to bottom.

``fit`` is: turn the data into batches (:mod:`kerasnb.models.data_adapter`), then for each epoch reset the
metrics, run ``train_step`` on each batch inside the callback hooks, evaluate on the validation data (its keys
get ``val_``), and end the epoch. ``train_step`` is the textbook step: forward under a ``GradientTape``, loss,
gradients, optimizer update, metrics.
"""

import itertools
import sys

import numpy as np

from kerasnb.distribute.strategy import get_strategy, strategy_in_scope
from kerasnb.engine.autograd import GradientTape, no_recording
from kerasnb.engine.memory import keep_freed_memory
from kerasnb.engine.random import get_state as get_random_state
from kerasnb.engine.random import set_state as set_random_state
from kerasnb.engine.tensor import Tensor
from kerasnb.layers.keras_tensor import flatten, pack_like
from kerasnb.layers.layer import collected_losses
from kerasnb.models.data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight


class Trainer:
    """The training half of :class:`~kerasnb.Model` (a mixin: it uses the model's ``__call__`` and weights)."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        # Functions ``observe(x, variables, grads)`` that train_step calls with each batch's gradients before the
        # optimizer uses them: how the widgets' layer inspector sees gradients. Callbacks add and remove them.
        self._gradient_observers = []
        # While `fit` runs: the model's trainable weights and layers, read once (see `_structure`).
        self._fit_structure = None
        self._in_fit = False
        # While `fit` runs: its training data and where it stands, (epoch, batches done in it), for
        # BackupAndRestore (`_fit_state`); and the position a BackupAndRestore asks fit to resume from.
        self._fit_adapter = None
        self._fit_position = (0, 0)
        self._fit_resume = None
        # The kerasnb.distribute strategy whose scope the model was made (or compiled) in; None: no strategy.
        self._distribute_strategy = strategy_in_scope()

    # ---------------------------------------------------------------------------------------------------------
    # compile
    # ---------------------------------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, steps_per_execution=None, jit_compile=None, auto_scale_loss=None, **kwargs):
        """Configure the model for training.

        Args:
            optimizer: a name (``'adam'``, ``'sgd'``, ``'rmsprop'``) or an optimizer instance.
            loss: a name (``'mse'``, ``'categorical_crossentropy'``, ...), a ``Loss``, a function
                ``fn(y_true, y_pred)``; for several outputs a list (in output order) or a dict by output name.
            metrics: a list of names (``'accuracy'``, ``'mae'``), metric objects or functions; or a list/dict per
                output. ``'accuracy'``/``'acc'`` picks binary, categorical or sparse categorical accuracy from
                the shapes of the labels and predictions, as Keras does.
            loss_weights: a list or dict of scalars weighting each output's loss.
            weighted_metrics: metrics that also receive ``sample_weight``/``class_weight``.
            run_eagerly, steps_per_execution, jit_compile: accepted for Keras compatibility; kerasnb always runs
                eagerly, one step at a time.

        Unknown names fail here, not later, with the closest valid name.

        Example:
            >>> model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
            >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        """
        from kerasnb import metrics as metrics_module
        from kerasnb import optimizers
        from kerasnb.models.compile_utils import CompileLoss, CompileMetrics

        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {sorted(kwargs)}")
        self.optimizer = optimizers.get(optimizer)
        self._distribute_strategy = strategy_in_scope() or self._distribute_strategy
        self.loss = loss
        self._compile_loss = CompileLoss(loss, loss_weights)
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.compiled = True
        self.stop_training = False

    def _assert_compiled(self, method):
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before calling `{method}()`: it sets the optimizer, the loss and the "
                "metrics, e.g. `model.compile(optimizer='adam', loss='mse')`."
            )

    @property
    def metrics(self):
        """The metrics tracked in training: the loss tracker, then the compiled metrics."""
        result = []
        if self._loss_tracker is not None:
            result.append(self._loss_tracker)
        if self._compile_loss is not None:
            result.extend(self._compile_loss.metrics)  # per-output losses, for models with several outputs
        if self._compile_metrics is not None:
            result.extend(self._compile_metrics.metrics)
        return result

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # ---------------------------------------------------------------------------------------------------------
    # The steps: override these to customise training, as in Keras 3.
    # ---------------------------------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled losses of all outputs, weighted, plus the layers' own losses (regularization)."""
        loss = self._compile_loss(y, y_pred, sample_weight, self._output_names())
        extra = self._structure().losses()
        if extra:
            from kerasnb import ops

            loss = loss + ops.sum(ops.stack([ops.cast(e, loss.dtype) for e in extra]))
        return loss

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with this batch and return every metric's current result."""
        self._compile_metrics.update_state(y, y_pred, sample_weight, self._output_names())
        return self.get_metrics_result()

    def get_metrics_result(self):
        """The current result of every metric, as a dict of Python floats."""
        return {m.name: _to_float(m.result()) for m in self.metrics}

    def train_step(self, data):
        """One step of training on a batch: forward, loss, gradients, update.

        ``data`` is the batch as Keras hands it over: ``(x, y)``, ``(x, y, sample_weight)`` when there are sample
        (or class) weights, or ``x`` alone — so an override can start with ``x, y = data``.
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        trainable = self._structure().trainable
        if trainable:
            grads = tape.gradient(loss, trainable)
            for observe in self._gradient_observers:
                observe(x, trainable, grads)
            self.optimizer.apply(grads, trainable)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _train_batch(self, data):
        """``train_step`` — or, for a model made in a multi-replica ``kerasnb.distribute`` scope, the strategy's
        step, which runs ``train_step`` on each replica's slice of the batch and all-reduces the gradients."""
        strategy = self._distribute_strategy
        if strategy is not None and strategy._distributes:
            return strategy._train_step(self, data)
        return self.train_step(data)

    def _epoch_metrics_result(self):
        """The metrics at the end of an epoch of ``fit``: over every worker under a multi-worker strategy."""
        strategy = self._distribute_strategy
        if strategy is not None and strategy._distributes:
            return strategy._metrics_result(self)
        return self.get_metrics_result()

    @property
    def distribute_strategy(self):
        """The ``kerasnb.distribute`` strategy the model was made or compiled under (else the default one)."""
        return self._distribute_strategy or get_strategy()

    def test_step(self, data):
        """One step of evaluation on a batch: forward in inference mode, loss and metrics, nothing recorded."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with no_recording():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        with no_recording():
            return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for a batch, in inference mode."""
        x, _, _ = unpack_x_y_sample_weight(data)
        with no_recording():
            return self(x, training=False)

    # ---------------------------------------------------------------------------------------------------------
    # fit / evaluate / predict
    # ---------------------------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Train the model for ``epochs`` passes over the data. Returns a ``History`` (``history.history`` holds
        each epoch's logs).

        Args:
            x, y: inputs and targets: arrays, lists of arrays (several inputs/outputs), dicts by name, a Python
                generator yielding ``(x, y)`` or ``(x, y, sample_weight)``, a ``keras.utils.Sequence``, or a
                ``keras.data.Dataset`` of such batches (never reshuffled by ``shuffle``).
            batch_size: samples per step (default 32; not used with generators and Sequences).
            epochs: the number of epochs (passes over the data) to train until.
            verbose: ``'auto'``, 0 (silent), 1 (progress bar) or 2 (one line per epoch).
            callbacks: a list of ``keras.callbacks.Callback``.
            validation_split: the fraction (in [0, 1)) of the data, taken from its end, to validate on.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``, a generator or a Dataset.
            shuffle: shuffle the training samples before each epoch.
            class_weight: a dict ``{class: weight}`` weighting the loss of each class.
            sample_weight: an array of per-sample loss weights.
            initial_epoch: the epoch to start at (to resume training).
            steps_per_epoch, validation_steps: batches per epoch (needed for endless generators and datasets).
            validation_batch_size: the batch size for validation (default ``batch_size``).
            validation_freq: validate every this many epochs.

        Example:
            >>> model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
            >>> model.compile(optimizer="sgd", loss="mse")
            >>> history = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0)
            >>> history.epoch, sorted(history.history)
            ([0, 1], ['loss'])
        """
        from kerasnb.models.data_adapter import DataAdapter, train_validation_split
        keep_freed_memory()  # big arrays are reused step after step: see kerasnb.engine.memory

        self._assert_compiled("fit")
        _check_count("epochs", epochs)
        _check_count("initial_epoch", initial_epoch)
        if not isinstance(validation_freq, int) or validation_freq < 1:
            raise ValueError(
                f"`validation_freq` must be a positive integer. Received: validation_freq={validation_freq}"
            )
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split((x, y, sample_weight), validation_split)
        elif validation_split:
            train_validation_split((x, y, sample_weight), validation_split)  # still check its value
        train = DataAdapter(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, steps=steps_per_epoch,
                            class_weight=class_weight, steps_name="steps_per_epoch")
        val = None
        if validation_data is not None:
            vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
            val = DataAdapter(vx, vy, vsw, batch_size=validation_batch_size or batch_size, shuffle=False,
                              steps=validation_steps, steps_name="validation_steps")
        verbose = _resolve_verbose(verbose)
        callbacks = self._callback_list(callbacks, verbose, epochs, train.num_batches, add_history=True)

        self.stop_training = False
        self._in_fit, self._fit_structure = True, None
        self._fit_adapter, self._fit_position, self._fit_resume = train, (initial_epoch, 0), None
        try:
            if self._distribute_strategy is not None:
                self._distribute_strategy._fit_begin(self)
            callbacks.on_train_begin()
            # A BackupAndRestore found a backup: its weights are loaded; continue from its position.
            resume, self._fit_resume = self._fit_resume, None
            start_epoch, start_step = (resume["epoch"], resume["step"]) if resume else (initial_epoch, 0)
            if resume:
                train.restore(resume["data"], done_in_epoch=start_step)
                set_random_state(resume["rng"], self)
            epoch_logs = {}
            for epoch in range(start_epoch, epochs):
                self.reset_metrics()
                callbacks.on_epoch_begin(epoch)
                first_step = start_step if epoch == start_epoch else 0
                batches = train.batches()
                if first_step:
                    batches = self._restore_metric_values(resume["metrics"], train, batches)
                self._fit_position = (epoch, first_step)
                logs = {}
                for step, batch in enumerate(batches, start=first_step):
                    callbacks.on_train_batch_begin(step)
                    logs = self._train_batch(pack_x_y_sample_weight(*batch))
                    self._fit_position = (epoch, step + 1)
                    callbacks.on_train_batch_end(step, logs)
                    if self.stop_training:
                        break
                epoch_logs = dict(self._epoch_metrics_result() if logs is not None else {})
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self._evaluate_adapter(val, callbacks)
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                train.on_epoch_end()
                self._fit_position = (epoch + 1, 0)
                callbacks.on_epoch_end(epoch, epoch_logs)
                if self.stop_training or train.exhausted:
                    break
            # With use_ema=True, the weights become their moving averages now that training is over (as Keras).
            self.optimizer.finalize_variable_values(self.trainable_weights)
            callbacks.on_train_end(logs=epoch_logs)
        except Exception as error:
            if self._distribute_strategy is not None:
                self._distribute_strategy._worker_failed(error)  # several workers: stop them all, not just this one
            raise
        finally:
            self._in_fit, self._fit_structure, self._fit_adapter = False, None, None
        return self.history

    def _fit_state(self):
        """Where the running ``fit`` stands, beside the weights, as JSON-able data and arrays: what a
        BackupAndRestore saves so that a restarted ``fit`` goes on exactly as the interrupted one would have.

        ``epoch`` and ``step`` (batches done in that epoch; 0 between epochs), ``data`` (the training data's
        position, see ``DataAdapter.state``), ``rng`` (every random stream, see
        ``kerasnb.engine.random.get_state``) and ``metrics`` (the running metrics' variables mid-epoch, as NumPy
        arrays; empty between epochs, where they are reset anyway)."""
        epoch, step = self._fit_position
        metrics = [np.array(_numpy(v)) for m in self.metrics for v in m.variables] if step else []
        return {"epoch": int(epoch), "step": int(step), "data": self._fit_adapter.state(),
                "rng": get_random_state(self), "metrics": metrics}

    def _restore_metric_values(self, values, train, batches):
        """Put the running metrics of an interrupted epoch back (``_fit_state``'s ``metrics``), and return the
        epoch's batches. Compiled metrics make their variables on their first batch, so unbuilt ones are built on
        one batch in inference mode first (nothing random is drawn) and reset."""
        variables = [v for m in self.metrics for v in m.variables]
        if len(variables) != len(values):
            sample = train.first_batch()
            if sample is None:  # a generator: build on the epoch's next batch, then train it as usual
                sample = next(batches, None)
                batches = itertools.chain([] if sample is None else [sample], batches)
            if sample is not None:
                self.test_step(pack_x_y_sample_weight(*sample))
                self.reset_metrics()
            variables = [v for m in self.metrics for v in m.variables]
        if len(variables) != len(values):
            raise ValueError(f"The backup holds {len(values)} metric variables but the compiled metrics have "
                             f"{len(variables)}: resume with the model compiled as it was when the backup was made.")
        for variable, value in zip(variables, values):
            variable.assign(value)
        return batches

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, **kwargs):
        """The loss and metrics on the given data, in inference mode.

        Returns:
            The loss alone when there are no metrics, else ``[loss, metric_1, ...]`` — or a dict with
            ``return_dict=True``.

        Example:
            >>> model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,), kernel_initializer="zeros")])
            >>> model.compile(loss="mse", metrics=["mae"])
            >>> model.evaluate(np.ones((4, 2)), np.full((4, 1), 2.0), verbose=0)
            [4.0, 2.0]
        """
        from kerasnb.models.data_adapter import DataAdapter
        keep_freed_memory()  # big arrays are reused step after step: see kerasnb.engine.memory

        self._assert_compiled("evaluate")
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `evaluate()`: {sorted(kwargs)}")
        data = DataAdapter(x, y, sample_weight, batch_size=batch_size, shuffle=False, steps=steps)
        verbose = _resolve_verbose(verbose)
        callbacks = self._callback_list(callbacks, verbose, 1, data.num_batches)
        logs = self._evaluate_adapter(data, callbacks)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _evaluate_adapter(self, data, callbacks):
        self.reset_metrics()
        callbacks.on_test_begin()
        for step, batch in enumerate(data.batches()):
            callbacks.on_test_batch_begin(step)
            logs = self.test_step(pack_x_y_sample_weight(*batch))
            callbacks.on_test_batch_end(step, logs)
        logs = self.get_metrics_result()
        data.on_epoch_end()
        callbacks.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x``, batch by batch, as NumPy arrays (no gradient graph is recorded).

        Example:
            >>> model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
            >>> model.predict(np.ones((5, 3)), verbose=0).shape
            (5, 2)
        """
        from kerasnb.models.data_adapter import DataAdapter
        keep_freed_memory()  # big arrays are reused step after step: see kerasnb.engine.memory

        data = DataAdapter(x, None, None, batch_size=batch_size, shuffle=False, steps=steps)
        verbose = _resolve_verbose(verbose)
        callbacks = self._callback_list(callbacks, verbose, 1, data.num_batches)
        callbacks.on_predict_begin()
        outputs = []
        for step, batch in enumerate(data.batches()):
            callbacks.on_predict_batch_begin(step)
            out = self.predict_step(pack_x_y_sample_weight(*batch))
            outputs.append(out)
            callbacks.on_predict_batch_end(step, {"outputs": out})
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("`predict` received no data: the input has no samples or the generator was empty.")
        flat = [flatten(o) for o in outputs]
        joined = [np.concatenate([_numpy(parts[i]) for parts in flat]) for i in range(len(flat[0]))]
        return pack_like(outputs[0], joined) if isinstance(outputs[0], (list, tuple, dict)) else joined[0]

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch. Returns the loss (and metrics) like ``evaluate``."""
        from kerasnb.models.data_adapter import DataAdapter

        self._assert_compiled("train_on_batch")
        data = DataAdapter(x, y, sample_weight, batch_size=None, whole=True, class_weight=class_weight)
        logs = self._train_batch(pack_x_y_sample_weight(*next(iter(data.batches()))))
        return _format_logs(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics on one batch, in inference mode (metrics are reset first)."""
        from kerasnb.models.data_adapter import DataAdapter

        self._assert_compiled("test_on_batch")
        self.reset_metrics()
        data = DataAdapter(x, y, sample_weight, batch_size=None, whole=True)
        return _format_logs(self.test_step(pack_x_y_sample_weight(*next(iter(data.batches())))), return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays."""
        out = self.predict_step((x,))
        return pack_like(out, [_numpy(o) for o in flatten(out)]) if isinstance(out, (list, tuple, dict)) else (
            _numpy(out))

    # ---------------------------------------------------------------------------------------------------------
    def _structure(self):
        """The trainable weights and the layers of the model, as the training steps need them.

        Outside ``fit`` they are read afresh on every call. Inside ``fit`` they are read once, after the first
        forward pass (a model built by its first call has its weights then), and kept until ``fit`` returns:
        walking every attribute of every layer on each step cost ~20% of a small MLP's step. Keras fixes them
        when ``fit`` starts too: set ``layer.trainable`` between ``fit`` calls (and ``compile`` again), not from a
        callback in the middle of one."""
        if not self._in_fit:
            return _Structure(self)
        if self._fit_structure is None:
            self._fit_structure = _Structure(self)
        return self._fit_structure

    def _output_names(self):
        names = getattr(self, "output_names", None)
        return list(names) if names else None

    def _callback_list(self, callbacks, verbose, epochs, steps, add_history=False):
        from kerasnb.callbacks import CallbackList

        if isinstance(callbacks, CallbackList):
            return callbacks
        return CallbackList(callbacks, add_history=add_history, add_progbar=verbose != 0, model=self,
                            verbose=verbose, epochs=epochs, steps=steps)


class _Structure:
    """A model's trainable weights, its layers and its regularized weights, read once."""

    def __init__(self, model):
        self.trainable = model.trainable_weights
        self.layers = model._flatten_layers()
        self.regularized = [v for v in model.weights if v.regularizer is not None]

    def losses(self):
        """``model.losses``, from the saved layers and weights."""
        return collected_losses(self.layers, self.regularized)


def _batch_size(x):
    first = flatten(x)[0]
    return int(first.shape[0]) if hasattr(first, "shape") and len(first.shape) else 1


def _to_float(value):
    """A metric result for the logs: a Python float, or a NumPy array for vector results (per-class F1)."""
    if isinstance(value, Tensor):
        value = value.numpy()
    value = np.asarray(value)
    return float(value) if value.size == 1 else value


def _numpy(value):
    return value.numpy() if isinstance(value, Tensor) else np.asarray(value)


def _format_logs(logs, return_dict):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"`{name}` must be a non-negative integer. Received: {name}={value!r}")


def _resolve_verbose(verbose):
    """'auto' is 1 where a progress bar can redraw in place (a terminal or a notebook), else 2."""
    if verbose == "auto":
        from kerasnb.utils.progbar import _dynamic_display

        return 1 if _dynamic_display(sys.stdout) else 2
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)


