"""Parity with real Keras: every ``kerasnb.ops`` call against values recorded from ``keras.ops``.

The fixture ``tests/reference/ops_reference.npz`` was written by ``tests/reference/make_refs.py`` under real
Keras (torch backend, in a separate virtual environment; its docstring says how to regenerate it). This test
needs NumPy only. For each recorded case it makes the same call with kerasnb on the same float32 inputs and
compares:

* the forward outputs: same number, same shapes, float outputs float32 and close, integer outputs equal;
* the gradients of ``sum(output * w)`` (``w`` the recorded random weights) with respect to every float input,
  taken with :class:`kerasnb.GradientTape` and ``output_gradients=w``, against torch autograd's.

Each case is its own test id (``test_forward[softmax_axis0]``, ``test_gradient[conv2d_same_s2]``), and an op
kerasnb lacks fails its case rather than skipping it.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")

FIXTURE = Path(__file__).parent / "reference" / "ops_reference.npz"


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    cases = json.loads(str(arrays.pop("__cases__")))
    meta = json.loads(str(arrays.pop("__meta__")))
    return cases, meta, arrays


CASES, META, ARRAYS = _load()
GRAD_CASES = [c for c in CASES if c["grads"]]

# (rtol, atol) for float32 results. Every case so far agrees with Keras within 4e-6 (most within 1e-6; the
# largest are convolution gradients). The convolution family, whose outputs and gradients are sums of up to
# ~50 float32 products of O(1) values (magnitudes up to ~10, where one float32 step is ~1e-6), gets room for a
# different summation order; a real disagreement (a wrong tap, pad or stride) is off by O(0.1) or more.
DEFAULT_TOLERANCE = (1e-5, 1e-5)
TOLERANCES = {
    "conv": (1e-5, 5e-5),
    "depthwise_conv": (1e-5, 5e-5),
    "separable_conv": (1e-5, 5e-5),
    "conv_transpose": (1e-5, 5e-5),
}


def _tolerance(case):
    return TOLERANCES.get(case["op"], DEFAULT_TOLERANCE)


def _array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def _resolve(value, tensors):
    """A recorded argument: ``{"input": k}`` is an input tensor, ``{"inputs": [...]}`` a list of them, a JSON
    list a tuple, anything else a literal."""
    if isinstance(value, dict) and set(value) == {"input"}:
        return tensors[value["input"]]
    if isinstance(value, dict) and set(value) == {"inputs"}:
        return [tensors[k] for k in value["inputs"]]
    if isinstance(value, list):
        return tuple(_resolve(v, tensors) for v in value)
    return value


def _call(case, tensors):
    """Run the case's op on kerasnb tensors; always return a list of outputs."""
    fn = getattr(ops, case["op"], None)
    assert fn is not None, f"kerasnb.ops has no {case['op']!r} (keras has {case['keras_function']})"
    args = [_resolve(a, tensors) for a in case["args"]]
    kwargs = {k: _resolve(v, tensors) for k, v in case["kwargs"].items()}
    out = fn(*args, **kwargs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _inputs(case):
    return {k: ops.convert_to_tensor(_array(case, k)) for k in case["inputs"]}


def _describe(case):
    return f"{case['keras_function']}(args={case['args']}, kwargs={case['kwargs']})"


def test_fixture_is_from_real_keras():
    assert META["keras_version"].startswith("3.")
    assert META["backend"] == "torch"
    assert len(CASES) > 100


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward(case):
    outs = _call(case, _inputs(case))
    n = len(case["outputs"])
    assert len(outs) == n, f"{_describe(case)}: {len(outs)} outputs, Keras gives {n}"
    rtol, atol = _tolerance(case)
    for key, out in zip(case["outputs"], outs):
        assert isinstance(out, keras.Tensor), f"output {key} is a {type(out).__name__}, not a kerasnb Tensor"
        got, want = out.numpy(), _array(case, key)
        assert got.shape == want.shape, f"{_describe(case)} output {key}: shape {got.shape}, Keras {want.shape}"
        if want.dtype.kind == "f":
            assert got.dtype == want.dtype, f"{_describe(case)} output {key}: dtype {got.dtype}, Keras {want.dtype}"
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{_describe(case)} output {key}")
        else:
            # Keras's integer dtypes differ between its backends (top_k's indices are int64 on torch, int32 on
            # JAX), so only the kind and the values are compared.
            assert got.dtype.kind == want.dtype.kind or {got.dtype.kind, want.dtype.kind} <= set("iu"), (
                f"{_describe(case)} output {key}: dtype {got.dtype}, Keras {want.dtype}")
            np.testing.assert_array_equal(got, want, err_msg=f"{_describe(case)} output {key}")


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c["name"] for c in GRAD_CASES])
def test_gradient(case):
    tensors = _inputs(case)
    sources = [tensors[k] for k in case["grads"]]
    with keras.GradientTape() as tape:
        tape.watch(sources)
        outs = _call(case, tensors)
    targets = [o for o, w in zip(outs, case["weights"]) if w is not None]
    weights = [_array(case, w) for w in case["weights"] if w is not None]
    grads = tape.gradient(targets, sources, output_gradients=weights)
    rtol, atol = _tolerance(case)
    for (key, grad_key), grad in zip(case["grads"].items(), grads):
        want = _array(case, grad_key)
        assert grad is not None, f"{_describe(case)}: no gradient reached input {key}"
        got = grad.numpy()
        assert got.shape == want.shape, f"{_describe(case)} d{key}: shape {got.shape}, Keras {want.shape}"
        assert got.dtype == want.dtype, f"{_describe(case)} d{key}: dtype {got.dtype}, Keras {want.dtype}"
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{_describe(case)} gradient d{key}")
