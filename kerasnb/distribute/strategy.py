"""The strategy machinery shared by every ``kerasnb.distribute`` strategy: ``scope()``, the current strategy, and
the data-parallel training step.

A data-parallel step takes one *global* batch and:

1. cuts it into one contiguous shard per replica (sizes differ by at most one, so an uneven last batch works);
2. runs the model's own ``train_step`` on each shard this process holds, on the replica's device, with the
   optimizer's ``apply`` captured instead of run: that yields each replica's gradients, of the mean loss over
   its shard;
3. weights each replica's gradients by ``shard_size / global_batch_size`` and sums them over all replicas (the
   all-reduce: :mod:`kerasnb.distribute.collective`). A sum of shard means weighted that way *is* the mean over
   the global batch, as Keras defines the loss, whatever the shard sizes;
4. applies the summed gradients once per replica, so every replica's weights stay identical.

Because the model's ``train_step`` runs unchanged per shard, a custom ``train_step`` that calls
``self.optimizer.apply`` (or ``apply_gradients``) is distributed too.
"""

import contextlib
import functools
import threading

import numpy as np

from kerasnb.engine.arrays import array_module, is_array

_local = threading.local()


def _scope_stack():
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def has_strategy():
    """True inside a ``strategy.scope()``.

    Example:
        >>> keras.distribute.has_strategy()
        False
        >>> with keras.distribute.MirroredStrategy().scope():
        ...     keras.distribute.has_strategy()
        True
    """
    return bool(_scope_stack())


def get_strategy():
    """The strategy whose ``scope()`` is open, else the default strategy (one replica, training as usual).

    Example:
        >>> keras.distribute.get_strategy().num_replicas_in_sync
        1
        >>> strategy = keras.distribute.MirroredStrategy()
        >>> with strategy.scope():
        ...     keras.distribute.get_strategy() is strategy
        True
    """
    stack = _scope_stack()
    return stack[-1] if stack else _DEFAULT


def strategy_in_scope():
    """The strategy of the innermost open scope, or ``None`` (what a model records when it is made/compiled)."""
    stack = _scope_stack()
    return stack[-1] if stack else None


def is_chief(model):
    """False only on a non-chief worker of a multi-worker strategy: the callbacks that write checkpoints ask this,
    so that only worker 0 writes them (every worker holds the same weights)."""
    strategy = getattr(model, "_distribute_strategy", None)
    return strategy is None or strategy.is_chief


class Strategy:
    """The base of kerasnb's strategies. By itself it is the default strategy: one replica, no all-reduce.

    Subclasses set ``_replicas`` (one entry per replica this process runs, see ``_run_on_replica``), the global
    number of replicas and the all-reduce.

    Example:
        >>> strategy = keras.distribute.get_strategy()
        >>> strategy.num_replicas_in_sync, strategy.is_chief
        (1, True)
    """

    def __init__(self):
        self._replicas = [None]  # the local replicas: device ids, or None for the one process-wide NumPy replica
        self._num_replicas = 1
        self._first_replica = 0  # the global index of this process's first replica (MPI: its rank)
        self._reducer = None

    # -- the public surface --------------------------------------------------------------------------------------
    @property
    def num_replicas_in_sync(self):
        """How many replicas train in lockstep (all processes together); the global batch is split among them."""
        return self._num_replicas

    @property
    def is_chief(self):
        """True on the worker that writes checkpoints (worker 0; always True in one process)."""
        return True

    @contextlib.contextmanager
    def scope(self):
        """A context manager: models created or compiled inside it are trained by this strategy.

        Example:
            >>> strategy = keras.distribute.MirroredStrategy()
            >>> with strategy.scope():
            ...     model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
            ...     model.compile(optimizer="sgd", loss="mse")
            >>> model.distribute_strategy is strategy
            True
        """
        stack = _scope_stack()
        stack.append(self)
        try:
            yield self
        finally:
            stack.pop()

    # -- what the trainer calls ----------------------------------------------------------------------------------
    @property
    def _distributes(self):
        """Whether the trainer must route steps through ``_train_step`` (more than one replica anywhere)."""
        return self._num_replicas > 1

    def _fit_begin(self, model):
        """Called by ``fit`` before the first epoch (multi-worker: rank 0's weights to everyone)."""

    def _worker_failed(self, error):
        """Called by ``fit`` when it raises (multi-worker: stop every worker)."""

    def _metrics_result(self, model):
        """The metrics at the end of an epoch of ``fit`` (multi-worker: over every worker's shards)."""
        return model.get_metrics_result()

    def _train_step(self, model, data):
        """One data-parallel training step on the global batch ``data``; returns the logs, like ``train_step``."""
        from kerasnb.models.data_adapter import _map, pack_x_y_sample_weight, unpack_x_y_sample_weight

        x, y, sample_weight = unpack_x_y_sample_weight(data)
        total = _global_batch_size(x)
        logs = None
        per_replica, variables, has_grad = [], None, None
        for local, replica in enumerate(self._replicas):
            start, stop = shard_bounds(total, self._num_replicas, self._first_replica + local)
            if stop == start:  # fewer samples than replicas (a tiny last batch): this replica adds nothing
                per_replica.append(None)
                continue
            shard = [_map(functools.partial(_slice, start=start, stop=stop, device=replica), part)
                     for part in (x, y, sample_weight)]
            with self._on_replica(model, local):
                logs, grads, variables_r = _capture_gradients(model, pack_x_y_sample_weight(*shard))
            if grads is None:
                per_replica.append(None)
                continue
            variables = variables_r
            has_grad = [g is not None for g in grads] if has_grad is None else [
                h or g is not None for h, g in zip(has_grad, grads)]
            weight = (stop - start) / total
            per_replica.append([None if g is None else g * weight for g in grads])
        variables = self._agree_on_variables(model, variables)
        if variables is None:
            return logs if logs is not None else model.get_metrics_result()
        has_grad = self._agree_on_gradients(has_grad, len(variables))
        # Every replica hands the reducer the same list: zeros where it had no data or no gradient.
        filled = [_fill(grads, variables, replica) for grads, replica in zip(per_replica, self._replicas)]
        reduced = self._reducer.all_reduce(filled)
        for local in range(len(self._replicas)):
            grads = [g if h else None for g, h in zip(reduced[local], has_grad)]
            with self._on_replica(model, local):
                model.optimizer.apply(grads, variables)
            if self._shares_weights:
                break  # the CPU replicas are one set of weights: one update serves them all
        return logs if logs is not None else model.get_metrics_result()

    # -- hooks the strategies override -----------------------------------------------------------------------------
    _shares_weights = True  # NumPy replicas in one process train the same arrays; GPU replicas have their own

    @contextlib.contextmanager
    def _on_replica(self, model, local):
        """Run the body as replica ``local`` (on its device, with its copy of the weights)."""
        yield

    def _agree_on_variables(self, model, variables):
        """The trained variables when this process had no data in this step (all its shards were empty)."""
        if variables is None and self._reducer is not None and getattr(self._reducer, "collective", False):
            # Another worker may have data: join the all-reduce with zeros so that it does not wait forever.
            return list(model.trainable_weights) or None
        return variables

    def _agree_on_gradients(self, has_grad, count):
        """Which variables got a gradient on any replica (a variable with none is not updated, as without a
        strategy). Several processes OR their masks through the reducer."""
        mask = has_grad if has_grad is not None else [False] * count
        return self._reducer.any(mask) if getattr(self._reducer, "collective", False) else mask

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} num_replicas_in_sync={self.num_replicas_in_sync}>"


_DEFAULT = Strategy()


def shard_bounds(total, parts, index):
    """``[start, stop)`` of shard ``index`` when ``total`` samples are cut into ``parts`` contiguous shards whose
    sizes differ by at most one (the first ``total % parts`` shards get the extra sample).

    Example:
        >>> from kerasnb.distribute.strategy import shard_bounds
        >>> [shard_bounds(5, 2, i) for i in range(2)]
        [(0, 3), (3, 5)]
    """
    base, extra = divmod(total, parts)
    start = index * base + min(index, extra)
    return start, start + base + (1 if index < extra else 0)


def _global_batch_size(x):
    from kerasnb.models.data_adapter import _leaves

    leaves = _leaves(x)
    if not leaves:
        raise ValueError("A distributed training step needs the batch's inputs `x`; received none.")
    return int(leaves[0].shape[0])


def _slice(array, start, stop, device):
    """Samples ``[start, stop)`` of ``array``, on replica ``device`` (a CuPy device id; ``None``: NumPy)."""
    array = array[start:stop]
    if device is None:
        return array
    import cupy

    if isinstance(array, cupy.ndarray) and array.device.id == device:
        return array
    with cupy.cuda.Device(device):
        return cupy.array(array)  # a copy on the current device, from the host or from another GPU


def _fill(grads, variables, device):
    """The gradient list a replica contributes to the all-reduce: contiguous arrays on the replica's device (where
    NCCL or MPI can read them), zeros where it has no gradient."""
    out = []
    with _device(device):
        for i, variable in enumerate(variables):
            g = None if grads is None else grads[i]
            xp = array_module(variable.data if g is None else g)
            out.append(xp.zeros(variable.shape, dtype=variable.dtype) if g is None
                       else xp.ascontiguousarray(g.astype(variable.dtype, copy=False)))
    return out


@contextlib.contextmanager
def _device(device):
    """Make CuPy's current device ``device`` for the body (``None``: a NumPy replica, nothing to do)."""
    if device is None:
        yield
        return
    import cupy

    with cupy.cuda.Device(device):
        yield


def _capture_gradients(model, data):
    """Run ``model.train_step(data)`` with the optimizer's ``apply`` replaced by a recorder: returns the step's
    logs, the gradients it would have applied and their variables (``None, None`` if it applied nothing).

    An instance attribute shadows the class's ``apply`` for the duration of the step only; ``apply_gradients``
    calls ``self.apply`` too, so both are caught."""
    optimizer = model.optimizer
    seen = {}

    def record(grads, trainable_variables=None):
        seen["grads"] = [None if g is None else _as_array(g) for g in grads]
        seen["variables"] = list(trainable_variables if trainable_variables is not None
                                 else optimizer._trainable_variables)

    optimizer.apply = record
    try:
        logs = model.train_step(data)
    finally:
        del optimizer.apply
    return logs, seen.get("grads"), seen.get("variables")


def _as_array(g):
    from kerasnb.engine.tensor import Tensor

    if isinstance(g, Tensor):
        return g.data
    return g if is_array(g) else np.asarray(g)
