"""Names every docstring example may use: ``kerasnb``, ``keras`` (the same module) and ``np``.

A docstring example that needs an optional package (h5py for HDF5 files, PyYAML, tensorboardX) is skipped where
that package is not installed, instead of failing: in Pyodide (JupyterLite, where CI also runs the examples, see
``.ci/pyodide.sh``) none of them exists. Where they are installed the examples run as usual.
"""

import doctest
import importlib.util

import numpy as np
import pytest

import kerasnb

OPTIONAL_PACKAGES = ("h5py", "yaml", "tensorboardX")


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
