"""Keeping the memory of large arrays mapped between training steps (glibc's malloc, on Linux).

Every training step allocates and frees the same large arrays: convolution columns, activations, gradients.
glibc's malloc gives freed memory at the top of its heap back to the operating system as soon as more than
``M_TRIM_THRESHOLD`` is free, and serves large requests with fresh ``mmap`` calls whose threshold it keeps
adjusting. Either way the next step asks the kernel for those pages again, and the kernel zeroes each one: on the
benchmark's small CNN (W2) that was ~40% of the step. Raising both thresholds once keeps the pages for reuse. Peak
memory does not grow (the same memory is reused, not added to); what changes is that up to
``TRIM_THRESHOLD`` of freed memory stays with the process instead of going back to the system.

``fit``, ``evaluate`` and ``predict`` call :func:`keep_freed_memory` (once per process). Set the environment
variable ``KERASNB_MALLOC_TUNING=0`` to leave malloc as it is. Other C libraries (macOS, Windows, musl, Pyodide in
the browser) are left alone.
"""

import os
import sys

MMAP_THRESHOLD = 64 << 20  # requests above this still get their own mapping (a dataset, say)
TRIM_THRESHOLD = 128 << 20  # how much freed memory the heap keeps before giving some back

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
_state = {"tuned": None}


def keep_freed_memory():
    """Ask glibc's malloc (once) to keep freed memory for reuse; returns True if it was tuned.

    Example:
        >>> from kerasnb.engine.memory import keep_freed_memory
        >>> keep_freed_memory() in (True, False)
        True
    """
    if _state["tuned"] is None:
        _state["tuned"] = _tune()
    return _state["tuned"]


def _tune():
    if os.environ.get("KERASNB_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None)  # the C library this process already uses
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):  # not glibc
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
