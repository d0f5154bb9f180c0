"""Activations: values against NumPy formulas and against real Keras (outputs and gradients, from
``tests/reference/vocab_reference.*``, written by ``tests/reference/make_vocab_refs.py``), float64 gradient
checks, names, serialization."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import activations

REFERENCE = Path(__file__).parent / "reference"
VOCAB = json.loads((REFERENCE / "vocab_reference.json").read_text())
with np.load(REFERENCE / "vocab_reference.npz") as _data:
    REF = {key: _data[key] for key in _data.files}
KERAS_CASES = [c for c in VOCAB["cases"] if c["kind"] == "activation"]

X = np.array([-3.0, -2.0, -0.5, 0.0, 0.5, 1.0, 2.5, 5.0, 7.0, 9.0], "float32")


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_erf(x):
    return np.vectorize(math.erf)(x)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

FORMULAS = {
    "sigmoid": np_sigmoid,
    "tanh": np.tanh,
    "linear": lambda x: x,
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
    "gelu": lambda x: 0.5 * x * (1 + np_erf(x / np.sqrt(2))),
    "silu": lambda x: x * np_sigmoid(x),
    "swish": lambda x: x * np_sigmoid(x),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "hard_silu": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "hard_swish": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "exponential": np.exp,
    "relu": lambda x: np.maximum(x, 0),
    "softmax": lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum(),
    "log_softmax": lambda x: x - x.max() - np.log(np.exp(x - x.max()).sum()),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
}


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("name", FORMULAS)
def test_values_match_numpy(name):
    fn = getattr(activations, name)
    got = fn(keras.ops.convert_to_tensor(X))
    assert got.dtype == np.float32 and got.shape == X.shape
    want = FORMULAS[name](X.astype("float64"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got), want, rtol=2e-6, atol=1e-6)


def test_gelu_is_exact_by_default_and_approximates_on_request():
    x = keras.ops.convert_to_tensor(X)
    exact = 0.5 * X * (1 + np_erf(X / np.sqrt(2)))
    tanh_form = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X**3)))
    np.testing.assert_allclose(activations.gelu(x).numpy(), exact, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(activations.gelu(x, approximate=True).numpy(), tanh_form, rtol=1e-6, atol=1e-6)
    assert not np.allclose(exact, tanh_form, rtol=1e-6, atol=1e-6)


def test_elu_alpha_and_leaky_relu_slope():
    np.testing.assert_allclose(activations.elu(X, alpha=2.0).numpy(), np.where(X > 0, X, 2 * np.expm1(X)), rtol=1e-6)
    np.testing.assert_allclose(activations.leaky_relu(X, negative_slope=0.01).numpy(), np.where(X > 0, X, 0.01 * X))


def test_softmax_axis():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], "float32")
    rows = activations.softmax(x).numpy()
    np.testing.assert_allclose(rows.sum(axis=-1), [1, 1], rtol=1e-6)
    cols = activations.softmax(x, axis=0).numpy()
    np.testing.assert_allclose(cols.sum(axis=0), [1, 1, 1], rtol=1e-6)
    np.testing.assert_allclose(activations.log_softmax(x, axis=0).numpy(), np.log(cols), rtol=1e-5, atol=1e-6)


def test_softmax_over_a_size_one_axis_warns():
    with pytest.warns(UserWarning, match="always 1.0"):
        out = activations.softmax(np.array([[0.3], [2.0]], "float32"))
    np.testing.assert_array_equal(out.numpy(), [[1.0], [1.0]])


def test_sigmoid_and_softmax_remember_their_logits_as_keras():
    x = keras.ops.convert_to_tensor([[0.5, -1.0]])
    assert activations.softmax(x)._keras_logits is x
    assert activations.sigmoid(x)._keras_logits is x


# relu's options, from real Keras 3.15.1 (torch backend) on X.
KERAS_RELU = [
    ({}, [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.5, 5.0, 7.0, 9.0]),
    ({"negative_slope": 0.1}, [-0.3, -0.2, -0.05, 0.0, 0.5, 1.0, 2.5, 5.0, 7.0, 9.0]),
    ({"max_value": 5.0}, [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.5, 5.0, 5.0, 5.0]),
    ({"max_value": 6.0}, [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.5, 5.0, 6.0, 6.0]),
    ({"threshold": 1.0}, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 5.0, 7.0, 9.0]),
    ({"threshold": -1.0}, [0.0, 0.0, -0.5, 0.0, 0.5, 1.0, 2.5, 5.0, 7.0, 9.0]),
    ({"negative_slope": 0.1, "max_value": 6.0, "threshold": 1.0},
     [-0.4, -0.3, -0.15, -0.1, -0.05, 0.0, 2.5, 5.0, 6.0, 6.0]),
    ({"negative_slope": 0.2, "threshold": -1.0}, [-0.4, -0.2, -0.5, 0.0, 0.5, 1.0, 2.5, 5.0, 7.0, 9.0]),
    ({"negative_slope": 0.3, "max_value": 4.0}, [-0.9, -0.6, -0.15, 0.0, 0.5, 1.0, 2.5, 4.0, 4.0, 4.0]),
]  # fmt: skip


@pytest.mark.parametrize("kwargs, want", KERAS_RELU, ids=lambda p: str(p)[:50])
def test_relu_options_match_keras(kwargs, want):
    np.testing.assert_allclose(activations.relu(X, **kwargs).numpy(), want, rtol=1e-6, atol=1e-7)


def test_relu_options_gradients():
    x = keras.Variable([-2.0, 0.5, 3.0, 8.0])
    with keras.GradientTape() as tape:
        y = keras.ops.sum(activations.relu(x, negative_slope=0.1, max_value=6.0, threshold=1.0))
    # below the threshold the slope is 0.1; between threshold and max 1; above max 0
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0.1, 0.1, 1.0, 0.0], rtol=1e-6)


def test_integer_inputs_become_floatx():
    assert activations.relu([1, -2]).dtype == np.float32
    assert activations.sigmoid(np.array([0, 1])).dtype == np.float32
    assert activations.tanh([0]).dtype == np.float32


@pytest.mark.parametrize("name", ["relu", "gelu", "silu", "softmax", "selu", "hard_silu"])
def test_gradients_flow(name, gradcheck):
    fn = getattr(activations, name)
    x = np.array([[-1.3, -0.4, 0.7, 2.1]])
    gradcheck(lambda t: fn(t) * np.array([1.0, -2.0, 0.5, 3.0]), x)


# -- get, serialize, deserialize -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMULAS)
def test_get_by_name_and_serialize_round_trip(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    assert activations.get(activations.serialize(fn)) is fn


def test_get_none_callables_and_forgiving_case():
    assert activations.get(None) is activations.linear
    assert activations.get("ReLU") is activations.relu
    assert activations.get("swish") is activations.silu

    def mine(x):
        return x * 2

    assert activations.get(mine) is mine
    assert activations.get({"class_name": "function", "config": "tanh"}) is activations.tanh


def test_get_suggests_the_closest_name():
    message = r"^Could not interpret activation function identifier: 'reluu'\. Did you mean 'relu'\?$"
    with pytest.raises(ValueError, match=message):
        activations.get("reluu")
    with pytest.raises(ValueError, match="softmax"):
        activations.get("sofmax")
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(3)


def test_serialize_names():
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    assert activations.serialize(activations.relu) == "relu"

    def custom(x):
        return x

    assert activations.serialize(custom) == "custom"
    assert activations.deserialize("custom", custom_objects={"custom": custom}) is custom
    with pytest.raises(ValueError, match="lambda"):
        activations.serialize(lambda x: x)


# -- parity with real Keras: every activation (and option) on moderate and on large inputs ---------------------

# (rtol, atol) for the float32 outputs and gradients. Both sides compute in float32; the atol matters only
# for values that are ~0 (sigmoid(-100) is a float32 denormal, 1 + erf(-10/√2) is 0 in float32).
TOLERANCE = (1e-5, 1e-6)

# Where kerasnb and Keras differ by more than TOLERANCE, and why. Each is an expected failure (strict: fixing
# it makes the test fail until the entry is removed).
KNOWN_DISAGREEMENTS = {}  # gelu(approximate=True)'s gradient at x = -4.95 was one, until Gelu.backward
# computed sech²(u) directly instead of 1 - tanh(u)² (which cancels to nothing in float32).


def _parity_params(part):
    params = []
    for case in KERAS_CASES:
        reason = KNOWN_DISAGREEMENTS.get((case["name"], part))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(case, id=case["name"].removeprefix("activation/"), marks=marks))
    return params


def _keras_case(case):
    arrays = {key: REF[f"{case['name']}/{key}"] for key in case["arrays"]}
    return getattr(activations, case["function"]), case["kwargs"], arrays


def test_the_fixture_is_from_real_keras():
    assert VOCAB["meta"]["keras_version"].startswith("3.") and VOCAB["meta"]["backend"] == "torch"
    functions = {c["function"] for c in KERAS_CASES}
    assert functions == set(FORMULAS), "every activation has Keras reference values"
    assert np.abs(REF["activation/exponential/large/x"]).max() == 1000.0


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("case", _parity_params("forward"))
def test_forward_matches_keras(case):
    fn, kwargs, ref = _keras_case(case)
    with np.errstate(over="ignore"):  # exponential(1000) is inf, in Keras too
        got = keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(ref["x"]), **kwargs))
    assert got.shape == ref["y"].shape and got.dtype == ref["y"].dtype == np.float32
    np.testing.assert_allclose(got, ref["y"], *TOLERANCE, err_msg=case["name"])


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("case", _parity_params("gradient"))
def test_gradient_matches_keras(case):
    fn, kwargs, ref = _keras_case(case)
    x = keras.ops.convert_to_tensor(ref["x"])
    with np.errstate(over="ignore"), keras.GradientTape() as tape:
        tape.watch(x)
        y = fn(x, **kwargs)
    grad = tape.gradient(y, x, output_gradients=ref["w"])
    got = keras.ops.convert_to_numpy(grad)
    assert got.dtype == ref["dx"].dtype == np.float32
    np.testing.assert_allclose(got, ref["dx"], *TOLERANCE, err_msg=f"gradient of {case['name']}")


def test_large_inputs_stay_finite_where_keras_does():
    """The cases that overflow a naive formula: only exp itself may (and does, in Keras too) return inf."""
    for case in KERAS_CASES:
        if case["input"] == "large" and case["function"] != "exponential":
            fn, kwargs, ref = _keras_case(case)
            assert np.isfinite(ref["y"]).all() and np.isfinite(ref["dx"]).all(), case["name"]
            assert np.isfinite(keras.ops.convert_to_numpy(fn(ref["x"], **kwargs))).all(), case["name"]


# -- every activation's gradient, checked in float64 against central differences ---------------------------------

# The "small" Keras inputs: moderate values at least 0.05 from every kink of every case (0, ±1, ±3, 4, 5, 6), so
# a central difference with step 1e-6 never straddles one.
GRADCHECK_CASES = [c for c in KERAS_CASES if c["input"] == "small"]


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=[c["name"].split("/")[1] for c in GRADCHECK_CASES])
def test_gradient_check_in_float64(case, gradcheck):
    fn, kwargs, ref = _keras_case(case)
    x = ref["x"].astype("float64")
    assert fn(keras.ops.convert_to_tensor(x), **kwargs).dtype == np.float64
    gradcheck(lambda t: fn(t, **kwargs), x)


def test_mish():
    x = np.array([-30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0], "float32")
    want = x * np.tanh(np.log1p(np.exp(x.astype("float64"))))
    np.testing.assert_allclose(activations.mish(x).numpy(), want, rtol=1e-6, atol=1e-7)
    assert activations.get("mish") is activations.mish and activations.serialize(activations.mish) == "mish"
    assert activations.mish([1, 2]).dtype == np.float32


# -- names: what Keras's get() resolves each identifier to ----------------------------------------------------------

# Identifiers Keras rejects but kerasnb accepts on purpose: case is forgiven (kerasnb._lookup).
FORGIVEN = {"ReLU": "relu"}


@pytest.mark.parametrize("identifier, keras_says", VOCAB["names"]["activations"].items())
def test_names_resolve_as_in_keras(identifier, keras_says):
    if "error" in keras_says:
        if identifier in FORGIVEN:
            assert activations.get(identifier).__name__ == FORGIVEN[identifier]
        else:
            with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
                activations.get(identifier)
        return
    fn = activations.get(identifier)
    assert fn.__name__ == keras_says["function"]
    assert activations.serialize(fn) == keras_says["serialized"]
    assert activations.deserialize(activations.serialize(fn)) is fn
