"""Which array library holds the numbers: NumPy on the CPU, CuPy on an NVIDIA GPU.

Every op gets its array module from its inputs (:func:`array_module`, Chainer's ``get_array_module``), so one
piece of code serves both libraries. New arrays are made on the library that :func:`kerasnb.config.backend`
names. CuPy is imported only on first use.
"""

import numpy as np

from kerasnb import config

_cupy = None


def cupy_module():
    """Import CuPy and check that it sees a GPU; raise ``RuntimeError`` saying what to install if not."""
    global _cupy
    if _cupy is not None:
        return _cupy
    try:
        import cupy
    except ImportError as e:
        raise RuntimeError(
            "The 'cupy' backend needs CuPy. Install it with `pip install kerasnb[gpu-cuda12]` (or "
            "`[gpu-cuda13]` for CUDA 13), or use the NumPy backend: unset KERASNB_BACKEND or call "
            f"kerasnb.config.set_backend('numpy'). Import error: {e}"
        ) from e
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDA driver missing or broken: CuPy raises its own runtime error type
        raise RuntimeError(
            f"CuPy is installed but cannot reach a GPU ({e}). Check `nvidia-smi`, or use the NumPy backend: "
            "kerasnb.config.set_backend('numpy')."
        ) from e
    if count == 0:
        raise RuntimeError("CuPy is installed but no GPU is visible. Use kerasnb.config.set_backend('numpy').")
    _cupy = cupy
    return cupy


def backend_module():
    """The array module new tensors are created on (``numpy`` or ``cupy``)."""
    return cupy_module() if config.backend() == "cupy" else np


def array_module(*arrays):
    """The array module that ``arrays`` belong to: CuPy if any of them is a CuPy array, else NumPy."""
    if _cupy is not None:
        for a in arrays:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return np


def is_array(x):
    """True for a NumPy or CuPy ndarray."""
    return isinstance(x, np.ndarray) or (_cupy is not None and isinstance(x, _cupy.ndarray))


def to_numpy(a):
    """Return ``a`` as a NumPy array, copying it off the GPU if needed."""
    if _cupy is not None and isinstance(a, _cupy.ndarray):
        return _cupy.asnumpy(a)
    return np.asarray(a)


def to_backend(a, dtype=None):
    """Return ``a`` as an array of the current backend (moving NumPy data to the GPU under CuPy)."""
    xp = backend_module()
    if xp is np:
        return np.asarray(a, dtype=dtype)
    return xp.asarray(a, dtype=dtype)
