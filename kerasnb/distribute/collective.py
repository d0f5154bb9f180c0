"""All-reduce: every replica hands in one list of arrays (its weighted gradients) and gets back the element-wise
sum over all replicas. One small interface, three implementations:

* ``LocalReducer``: replicas in this process on NumPy (CPU replicas run one after another) — a plain sum;
* ``NcclReducer``: one replica per GPU in this process, summed by NCCL (``cupy.cuda.nccl``);
* ``MpiReducer``: one replica per process, summed by MPI's ``Allreduce`` (mpi4py).

Example:
    >>> from kerasnb.distribute.collective import LocalReducer
    >>> reduced = LocalReducer().all_reduce([[np.array([1.0, 2.0])], [np.array([3.0, 4.0])]])
    >>> reduced[0][0].tolist(), reduced[1][0].tolist()
    ([4.0, 6.0], [4.0, 6.0])
"""

import numpy as np


class LocalReducer:
    """Sums the lists of the replicas of one process that share the CPU (see the module's example)."""

    collective = False  # no other process takes part

    def all_reduce(self, per_replica):
        total = [np.array(a, copy=True) for a in per_replica[0]]
        for grads in per_replica[1:]:
            for t, g in zip(total, grads):
                t += g
        return [total for _ in per_replica]


class NcclReducer:
    """Sums across the GPUs of one process with NCCL: one communicator per device, made once
    (``NcclCommunicator.initAll``), each array reduced in place on its own device, all of a step's calls in one
    NCCL group so that they cannot deadlock each other."""

    collective = False

    def __init__(self, devices):
        from cupy.cuda import nccl

        self._nccl = nccl
        self.devices = list(devices)
        self._comms = nccl.NcclCommunicator.initAll(self.devices)

    def all_reduce(self, per_replica):
        import cupy

        nccl = self._nccl
        self._nccl.groupStart()
        try:
            for comm, device, grads in zip(self._comms, self.devices, per_replica):
                with cupy.cuda.Device(device):
                    stream = cupy.cuda.get_current_stream().ptr
                    for g in grads:
                        comm.allReduce(g.data.ptr, g.data.ptr, g.size, _nccl_dtype(nccl, g.dtype), nccl.NCCL_SUM,
                                       stream)
        finally:
            nccl.groupEnd()
        for device in self.devices:  # the sums must be complete before the optimizer reads them
            cupy.cuda.Device(device).synchronize()
        return per_replica


def _nccl_dtype(nccl, dtype):
    codes = {"float16": nccl.NCCL_FLOAT16, "float32": nccl.NCCL_FLOAT32, "float64": nccl.NCCL_FLOAT64}
    if str(dtype) not in codes:
        raise TypeError(f"NCCL all-reduce supports float16, float32 and float64 gradients. Received: dtype={dtype}")
    return codes[str(dtype)]


class MpiReducer:
    """Sums across processes with ``comm.Allreduce`` (this process has one replica). Arrays are reduced in place,
    one call per weight: small models have few weights and it keeps the buffers the arrays themselves."""

    collective = True  # other processes wait in the same calls: every rank must make them, in the same order

    def __init__(self, comm):
        self.comm = comm

    def all_reduce(self, per_replica):
        from mpi4py import MPI

        (grads,) = per_replica
        out = []
        for g in grads:
            host = _host(g)
            self.comm.Allreduce(MPI.IN_PLACE, host, op=MPI.SUM)
            out.append(host if host is g else _like(g, host))
        return [out]

    def any(self, mask):
        """The element-wise OR of every rank's list of booleans."""
        from mpi4py import MPI

        flags = np.asarray(mask, dtype=np.int32)
        self.comm.Allreduce(MPI.IN_PLACE, flags, op=MPI.MAX)
        return [bool(f) for f in flags]

    def broadcast(self, variables, root=0):
        """Overwrite the values of ``variables`` (in place) with rank ``root``'s."""
        for v in variables:
            host = _host(v.data)
            self.comm.Bcast(host, root=root)
            if host is not v.data:
                v.data[...] = _like(v.data, host)


def _host(a):
    """``a`` as a contiguous NumPy buffer MPI can read and write: ``a`` itself when it already is one; a copy off
    the GPU otherwise (a plain MPI cannot read GPU memory)."""
    from kerasnb.engine.arrays import to_numpy

    if isinstance(a, np.ndarray) and a.flags.c_contiguous and a.flags.writeable:
        return a
    return np.ascontiguousarray(to_numpy(a))


def _like(reference, host):
    """``host`` back where ``reference`` lives (the GPU, under the CuPy backend)."""
    from kerasnb.engine.arrays import array_module

    return array_module(reference).asarray(host)
