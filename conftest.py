"""Names every docstring example may use: ``kerasnb``, ``keras`` (the same module) and ``np``."""

import numpy as np
import pytest

import kerasnb


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace.update(np=np, kerasnb=kerasnb, keras=kerasnb)
    from kerasnb.engine.autograd import Op
    from kerasnb.engine.random import SeedGenerator
    from kerasnb.engine.tensor import standardize_dtype

    doctest_namespace.update(Op=Op, SeedGenerator=SeedGenerator, standardize_dtype=standardize_dtype)
