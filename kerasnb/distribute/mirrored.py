"""``MirroredStrategy``: synchronous data parallelism over the devices of one machine."""

import contextlib

from kerasnb.distribute.collective import LocalReducer, NcclReducer
from kerasnb.distribute.strategy import Strategy, _device


class MirroredStrategy(Strategy):
    """Train one model on several devices of this machine in lockstep: each global batch is split among the
    replicas, their gradients are summed (weighted so that the loss is the mean over the *global* batch, an
    uneven last batch included) and every replica applies the same update.

    Args:
        devices: which devices hold replicas. ``None``: every GPU CuPy sees when the backend is ``'cupy'`` (one
            replica per GPU, summed by NCCL), else the CPU — one replica, which trains exactly as without a
            strategy. CPU names (``["/cpu:0", "/cpu:1"]``) give several logical CPU replicas, run one after
            another on NumPy: the same arithmetic as several devices, for tests and teaching. GPU names
            (``"/gpu:0"``, ``"GPU:1"``) need the CuPy backend.
        cross_device_ops: accepted for TensorFlow compatibility; kerasnb always sums with NCCL between GPUs.

    The batch size given to ``fit`` is the global batch (each of ``num_replicas_in_sync`` replicas gets a slice
    of it), as in TensorFlow. Non-trainable state that the forward pass updates (BatchNormalization's moving
    statistics) is each replica's own, as TensorFlow's per-replica batch statistics are; the first replica's is
    what the model keeps.

    Example:
        >>> strategy = keras.distribute.MirroredStrategy()
        >>> strategy
        MirroredStrategy(devices=('/cpu:0',), num_replicas_in_sync=1)
        >>> keras.distribute.MirroredStrategy(devices=["/cpu:0", "/cpu:1"]).num_replicas_in_sync
        2
    """

    def __init__(self, devices=None, cross_device_ops=None):
        super().__init__()
        self.cross_device_ops = cross_device_ops
        names, gpus = _resolve_devices(devices)
        self.devices = tuple(names)
        self._num_replicas = len(names)
        if gpus is None:
            self._replicas = [None] * len(names)  # CPU replicas: one set of weights, run one after another
            self._reducer = LocalReducer()
        else:
            self._replicas = gpus
            self._shares_weights = False
            self._reducer = NcclReducer(gpus) if len(gpus) > 1 else LocalReducer()
        # Replicas with their own weights (GPUs): id(model) -> one {id(variable): array} per replica after the first.
        self._states = {}

    def __repr__(self):
        return f"MirroredStrategy(devices={self.devices!r}, num_replicas_in_sync={self.num_replicas_in_sync})"

    @contextlib.contextmanager
    def _on_replica(self, model, local):
        if self._shares_weights or local == 0:
            # Replica 0 is the model's own arrays (on the first device); CPU replicas all share them.
            with _device(self._replicas[local]):
                yield
            return
        device = self._replicas[local]
        variables = list(model.weights) + (list(model.optimizer.variables) if model.optimizer else [])
        states = self._states.setdefault(id(model), [{} for _ in self._replicas[1:]])
        state = states[local - 1]
        home = {id(v): v.data for v in variables}
        with _device(device):
            for v in variables:
                if id(v) not in state:  # first time here (or a slot the optimizer just built): copy replica 0's
                    # (under the device context a CuPy copy lands on this replica's GPU)
                    state[id(v)] = v.data.copy() if device is None else _require_cupy("GPU replicas").array(v.data)
                v.data = state[id(v)]
            try:
                yield
            finally:
                for v in variables:  # `assign` may have replaced an array: keep whatever the variable holds now
                    state[id(v)] = v.data
                    v.data = home[id(v)]

    def _train_step(self, model, data):
        if not self._shares_weights and model.optimizer is not None and not model.optimizer.built:
            # Slots must exist before replicas copy the optimizer's state; the model is built by its first call.
            if not model.built:
                from kerasnb.models.data_adapter import unpack_x_y_sample_weight

                with _device(self._replicas[0]):
                    model(unpack_x_y_sample_weight(data)[0], training=False)
            model.optimizer.build(model.trainable_weights)
        return super()._train_step(model, data)


def _resolve_devices(devices):
    """``(names, gpu_ids)``: the canonical device names, and the GPU ids (``None`` for CPU replicas)."""
    from kerasnb import config

    if devices is None:
        if config.backend() == "cupy":
            cupy = _require_cupy("the 'cupy' backend with MirroredStrategy()")
            count = cupy.cuda.runtime.getDeviceCount()
            return [f"/gpu:{i}" for i in range(count)], list(range(count))
        return ["/cpu:0"], None
    if isinstance(devices, str) or not devices:
        raise ValueError("`devices` must be a non-empty list of device names such as ['/gpu:0', '/gpu:1'] or "
                         f"['/cpu:0', '/cpu:1']. Received: devices={devices!r}")
    kinds, ids = [], []
    for name in devices:
        kind, index = _parse_device(name)
        kinds.append(kind)
        ids.append(index)
    if len(set(kinds)) > 1:
        raise ValueError(f"`devices` must be all CPUs or all GPUs. Received: devices={list(devices)!r}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"`devices` names a device twice. Received: devices={list(devices)!r}")
    names = [f"/{kinds[0]}:{i}" for i in ids]
    if kinds[0] == "cpu":
        return names, None
    cupy = _require_cupy(f"devices={list(devices)!r}")
    if config.backend() != "cupy":
        raise ValueError(f"GPU replicas (devices={list(devices)!r}) need the CuPy backend: "
                         "kerasnb.config.set_backend('cupy') (or KERASNB_BACKEND=cupy) before building the model.")
    count = cupy.cuda.runtime.getDeviceCount()
    missing = [i for i in ids if i >= count]
    if missing:
        raise ValueError(f"`devices` names GPU(s) {missing}, but CuPy sees {count} GPU(s). "
                         f"Received: devices={list(devices)!r}")
    return names, ids


def _parse_device(name):
    """``'/gpu:1'``, ``'GPU:1'``, ``'/job:localhost/replica:0/task:0/device:GPU:1'`` -> ``('gpu', 1)``."""
    text = str(name).lower().rsplit("/", 1)[-1].replace("device:", "")
    kind, _, index = text.partition(":")
    if kind not in ("cpu", "gpu") or not index.isdigit():
        raise ValueError(f"`devices` entries must look like '/cpu:0' or '/gpu:1'. Received: {name!r}")
    return kind, int(index)


def _require_cupy(what):
    from kerasnb.engine.arrays import cupy_module

    try:
        return cupy_module()
    except RuntimeError as e:
        raise RuntimeError(f"{what} needs CuPy and an NVIDIA GPU, with NCCL for several GPUs: "
                           f"`pip install kerasnb[gpu-cuda12]` (CuPy bundles NCCL support). {e}") from e
