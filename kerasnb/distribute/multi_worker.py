"""``MultiWorkerMirroredStrategy``: synchronous data parallelism over processes started by MPI (``mpirun``)."""

import sys
import traceback

import numpy as np

from kerasnb.distribute.collective import MpiReducer
from kerasnb.distribute.strategy import Strategy

_MPI_MISSING = (
    "MultiWorkerMirroredStrategy runs its workers as MPI processes and needs mpi4py: install an MPI (Open MPI: "
    "`apt-get install openmpi-bin libopenmpi-dev`, or `brew install open-mpi`), then `pip install mpi4py`, and "
    "start the script with `mpirun -n 2 python script.py`."
)


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError(f"{_MPI_MISSING} Import error: {e}") from e
    return MPI


class MultiWorkerMirroredStrategy(Strategy):
    """Train one model in several processes (workers) in lockstep, over MPI: start the same script with
    ``mpirun -n N python script.py``; each process is a worker with one replica.

    As in TensorFlow, the batch size given to ``fit`` is the **global** batch: worker ``k`` trains on the
    ``k``-th slice of each global batch (arrays or a ``keras.data.Dataset``), so every worker must see the same
    batches in the same order — the same data, and ``shuffle=False`` or the same seed
    (``keras.utils.set_random_seed``) on every worker. The gradients are summed with ``comm.Allreduce`` and
    divided by the global batch size; rank 0's weights are broadcast to all workers when ``fit`` starts.
    Checkpoints (``ModelCheckpoint``, ``BackupAndRestore``) are written by worker 0, the chief, only. If ``fit``
    raises on one worker, it prints ``worker k failed: ...`` and aborts every worker (``comm.Abort(1)``), so
    none waits forever for the others. The logs of ``fit`` (progress bar, ``History``, callbacks) are the
    global batch's, the same on every worker: each metric's state (totals, counts, confusion counts) is summed
    over the workers before its result is read, as TensorFlow's metric variables are. ``evaluate``/``predict``
    run on each worker's full data.

    Args:
        cluster_resolver: accepted for TensorFlow compatibility; the cluster is the MPI world (``mpirun``).
        communication_options: accepted for TensorFlow compatibility; the collective is MPI's ``Allreduce``.

    Raises:
        ImportError: when mpi4py is missing, saying what to install.

    Example (in one process without ``mpirun`` it is a single worker)::

        strategy = keras.distribute.MultiWorkerMirroredStrategy()
        print(strategy.task_id, strategy.num_workers)   # 0 1
        with strategy.scope():
            model = make_model()
            model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, batch_size=64)   # 64 per step in all, 32 on each of 2 workers
    """

    def __init__(self, cluster_resolver=None, communication_options=None):
        super().__init__()
        MPI = _mpi()
        self.cluster_resolver = cluster_resolver
        self.communication_options = communication_options
        self._comm = MPI.COMM_WORLD
        self._rank = self._comm.Get_rank()
        self._num_replicas = self._comm.Get_size()
        self._first_replica = self._rank
        self._reducer = MpiReducer(self._comm)
        self._synced = set()  # ids of the models whose weights this fit already took from rank 0
        if self._num_replicas > 1:
            _abort_all_on_uncaught_error(self)

    @property
    def task_id(self):
        """This worker's index, 0 ... ``num_workers - 1`` (its MPI rank); worker 0 is the chief."""
        return self._rank

    @property
    def worker_index(self):
        """Same as ``task_id``."""
        return self._rank

    @property
    def num_workers(self):
        """How many workers (MPI processes) train together."""
        return self._num_replicas

    @property
    def is_chief(self):
        return self._rank == 0

    def __repr__(self):
        return (f"MultiWorkerMirroredStrategy(task_id={self.task_id}, num_workers={self.num_workers}, "
                f"num_replicas_in_sync={self.num_replicas_in_sync})")

    # -- what the trainer calls ----------------------------------------------------------------------------------
    def _fit_begin(self, model):
        self._synced.discard(id(model))  # weights may have changed between fits (load_weights on one worker)

    def _broadcast_from_chief(self, model, data):
        """Every worker starts from rank 0's weights (and optimizer state, if it has any yet)."""
        from kerasnb.engine.autograd import no_recording
        from kerasnb.models.data_adapter import _map, unpack_x_y_sample_weight

        if not model.built:  # a model built by its first call: build it on one sample, the same on every worker
            with no_recording():
                model(_map(lambda a: a[:1], unpack_x_y_sample_weight(data)[0]), training=False)
        variables = list(model.weights)
        if model.optimizer is not None and model.optimizer.built:
            variables += list(model.optimizer.variables)
        self._reducer.broadcast(variables, root=0)

    def _train_step(self, model, data):
        if id(model) not in self._synced:
            self._broadcast_from_chief(model, data)
            self._synced.add(id(model))
        logs = super()._train_step(model, data)
        # the metrics' own results, summed over the workers; what a custom train_step adds passes through
        result = self._metrics_result(model)
        return {key: result.get(key, value) for key, value in logs.items()} if isinstance(logs, dict) else logs

    def _metrics_result(self, model):
        """``model.get_metrics_result()`` over every worker's shards: the metrics' state variables are summed
        across the workers for the reading and then put back, so each worker keeps accumulating its own."""
        from kerasnb.engine.arrays import to_numpy

        variables = [v for metric in model.metrics for v in metric.variables]
        local = [np.array(to_numpy(v.data), copy=True) for v in variables]
        (summed,) = self._reducer.all_reduce([[a.copy() for a in local]])
        try:
            for v, total in zip(variables, summed):
                v.assign(total)
            return model.get_metrics_result()
        finally:
            for v, mine in zip(variables, local):
                v.assign(mine)

    def _worker_failed(self, error):
        if self._num_replicas > 1:
            _report_and_abort(self, type(error), error, error.__traceback__)


def _report_and_abort(strategy, kind, error, tb):
    message = "".join(traceback.format_exception(kind, error, tb))
    print(f"worker {strategy.task_id} failed: {kind.__name__}: {error}\n{message}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    strategy._comm.Abort(1)


def _abort_all_on_uncaught_error(strategy):
    """An exception outside ``fit`` (building the model, a custom loop) would leave the other workers waiting in
    a collective forever: print which worker failed and abort them all, as ``python -m mpi4py`` does."""
    previous = sys.excepthook

    def hook(kind, error, tb):
        if issubclass(kind, Exception):
            _report_and_abort(strategy, kind, error, tb)
        previous(kind, error, tb)

    sys.excepthook = hook
