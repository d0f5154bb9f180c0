"""Names every docstring example may use: ``kerasnb``, ``keras`` (the same module) and ``np``.

A docstring example that needs an optional package (h5py for HDF5 files, PyYAML, tensorboardX) is skipped where
that package is not installed, instead of failing: in Pyodide (JupyterLite, where CI also runs the examples, see
``.ci/pyodide.sh``) none of them exists. Where they are installed the examples run as usual.

The notebooks' stored outputs (training logs to four decimals, compared by nbval) depend on the order in which
floating-point sums are done, and NumPy and OpenBLAS pick their vector kernels by CPU: a machine with AVX-512
rounds differently from one without, and after a few epochs the logs differ in the last digit.
:func:`pin_cpu_kernels` makes every x86-64 machine use the AVX2 kernels, in the kernels nbval starts (they
inherit the environment) and in ``tools/execute_notebook.py``, which stores the outputs.
"""

import doctest
import importlib.util
import os

import numpy as np
import pytest

import kerasnb

OPTIONAL_PACKAGES = ("h5py", "yaml", "tensorboardX")


def pin_cpu_kernels(environ=os.environ):
    """Ask NumPy and OpenBLAS, in processes started with ``environ``, for their AVX2 kernels (no AVX-512), so
    that results are the same bit for bit on every x86-64 machine with AVX2. Values already set win."""
    from numpy._core._multiarray_umath import __cpu_features__ as features

    if not (features.get("AVX2") and features.get("FMA3")):
        return  # not an x86-64 with AVX2 (ARM, Pyodide, an old CPU): nothing to pin
    environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
    # NumPy 2.4 groups the AVX-512 kernels as X86_V4 (older NumPy names each AVX512* feature); disable both
    avx512 = [name for name in features if name.startswith("AVX512") or name == "X86_V4"]
    environ.setdefault("NPY_DISABLE_CPU_FEATURES", " ".join(avx512))


pin_cpu_kernels()


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace.update(np=np, kerasnb=kerasnb, keras=kerasnb)
    from kerasnb.engine.autograd import Op
    from kerasnb.engine.random import SeedGenerator
    from kerasnb.engine.tensor import standardize_dtype

    doctest_namespace.update(Op=Op, SeedGenerator=SeedGenerator, standardize_dtype=standardize_dtype)


def _missing_optional_package(error):
    """The optional package whose absence caused ``error`` (an ImportError anywhere in its chain), else None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        name = getattr(error, "name", None) if isinstance(error, ImportError) else None
        if name in OPTIONAL_PACKAGES and importlib.util.find_spec(name) is None:  # None too if sys.modules has None
            return name
        error = error.__cause__ or error.__context__
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    try:
        return (yield)
    except doctest.UnexpectedException as failure:
        missing = _missing_optional_package(failure.exc_info[1])
        if missing is None:
            raise
        pytest.skip(f"the example needs {missing}, which is not installed here")
