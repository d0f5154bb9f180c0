"""Activations: values against NumPy formulas (and relu's options against real Keras), names, serialization."""

import math

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import activations

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
