"""Embedding and Masking: parity with real Keras (``tests/reference/rnn_layers_reference.npz``), integer inputs,
the scatter-add gradient, masks, configs, and the Keras 2 ``input_length`` that lets a Sequential model starting
with an Embedding build (and print its summary) as soon as it is made."""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.layers.embedding import Embedding, Masking

FIXTURE = Path(__file__).parent / "reference" / "rnn_layers_reference.npz"


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    yield


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    return json.loads(str(arrays.pop("__cases__"))), arrays


ALL_CASES, ARRAYS = _load()
CASES = [c for c in ALL_CASES if c["name"].startswith(("embedding", "masking"))]
CLASSES = {"Embedding": Embedding, "Masking": Masking}


def _run(case, watch=False):
    name = case["name"]
    layer = CLASSES[case["spec"]["class"]](**case["spec"]["args"])
    x = ops.convert_to_tensor(ARRAYS[f"{name}/x"])
    layer(x)
    layer.set_weights([ARRAYS[f"{name}/{w}"] for w in case["weights"]])
    with keras.GradientTape() as tape:
        if watch:
            tape.watch(x)
        y = layer(x)
    return layer, x, y, tape


def test_cases_present():
    assert {c["spec"]["class"] for c in CASES} == {"Embedding", "Masking"} and len(CASES) == 5


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_and_mask_match_keras(case):
    layer, x, y, _ = _run(case)
    want = ARRAYS[f"{case['name']}/y0"]
    assert y.dtype == np.float32 and y.shape == want.shape
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-6)
    if "mask_out" in case:
        np.testing.assert_array_equal(np.asarray(y._keras_mask), ARRAYS[f"{case['name']}/mask_out"])
    else:
        assert getattr(y, "_keras_mask", None) is None


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_gradients_match_keras(case):
    is_masking = case["spec"]["class"] == "Masking"
    layer, x, y, tape = _run(case, watch=is_masking)
    w = ARRAYS[f"{case['name']}/w0"]
    sources = [x] if is_masking else layer.trainable_weights
    keys = ["x"] if is_masking else ["W0"]
    assert set(keys) == set(case["grads"])
    for key, g in zip(keys, tape.gradient(y, sources, output_gradients=w)):
        np.testing.assert_allclose(g.numpy(), ARRAYS[f"{case['name']}/{case['grads'][key]}"], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_params_output_shape_and_config_keys_match_keras(case):
    layer, x, y, _ = _run(case)
    assert layer.count_params() == case["params"]
    shape = layer.compute_output_shape((None, *x.shape[1:]))
    assert list(shape) == case["output_shape"]
    assert [x.shape[0], *shape[1:]] == list(y.shape)
    keras_only = {"quantization_config"}  # Keras's quantized embeddings, which kerasnb does not have
    assert set(case["config_keys"]) - keras_only <= set(layer.get_config())


# ---------------------------------------------------------------------------------------------------------
# Embedding
# ---------------------------------------------------------------------------------------------------------


def test_integer_inputs_stay_integer_and_floats_are_cast():
    layer = Embedding(5, 2)
    ids = np.array([[0, 4], [3, 3]], np.int64)
    y = layer(ids)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), layer.embeddings.numpy()[ids])
    np.testing.assert_array_equal(layer(ids.astype("float32")).numpy(), y.numpy())
    assert keras.Input((7,), dtype="int32").dtype == np.int32
    assert layer(keras.Input((7,), dtype="int32")).dtype == np.float32


def test_gradient_is_a_scatter_add_of_the_rows_looked_up():
    layer = Embedding(5, 2)
    ids = np.array([[1, 3, 1], [1, 0, 3]])
    with keras.GradientTape() as tape:
        y = layer(ids)
    grad = tape.gradient(y, layer.embeddings, output_gradients=np.ones((2, 3, 2), "float32")).numpy()
    np.testing.assert_array_equal(grad[:, 0], [1, 3, 0, 2, 0])  # row i gets one per occurrence of id i


def test_float64_gradient_check_of_the_embeddings():
    layer = Embedding(4, 3, dtype="float64")
    ids = np.array([[1, 3, 1], [2, 2, 0]])
    layer(ids)
    w = np.random.default_rng(0).standard_normal((2, 3, 3))
    with keras.GradientTape() as tape:
        y = layer(ids)
    analytic = tape.gradient(y, layer.embeddings, output_gradients=w).numpy()
    value, eps = layer.embeddings.numpy(), 1e-6
    numeric = np.zeros_like(value)
    for i in np.ndindex(value.shape):
        for sign in (1, -1):
            shifted = value.copy()
            shifted[i] += sign * eps
            layer.embeddings.assign(shifted)
            numeric[i] += sign * np.sum(layer(ids).numpy() * w) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, atol=1e-8)


def test_embedding_trains_only_the_rows_looked_up():
    model = keras.Sequential([keras.Input((2,), dtype="int32"), Embedding(6, 2), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    before = model.layers[0].embeddings.numpy().copy()
    model.fit(np.array([[1, 2], [2, 4]]), np.array([[1.0], [0.0]]), epochs=1, verbose=0)
    after = model.layers[0].embeddings.numpy()
    np.testing.assert_array_equal(after[[0, 3, 5]], before[[0, 3, 5]])
    assert not np.allclose(after[[1, 2, 4]], before[[1, 2, 4]])


def test_mask_zero():
    layer = Embedding(10, 3, mask_zero=True)
    assert layer.supports_masking and not Embedding(10, 3).supports_masking
    mask = layer.compute_mask(np.array([[0, 1, 2]]))
    np.testing.assert_array_equal(mask.numpy(), [[False, True, True]])
    assert Embedding(10, 3).compute_mask(np.array([[0, 1]])) is None


def test_sequential_starting_with_an_embedding_builds_at_once():
    model = keras.Sequential([Embedding(100, 8)])
    assert model.built and model.output_shape == (None, None, 8)
    model = keras.Sequential([Embedding(100, 8, input_length=10)])
    assert model.output_shape == (None, 10, 8)
    model = keras.Sequential([Embedding(100, 8, input_shape=(5,))])
    assert model.output_shape == (None, 5, 8)
    assert model(np.zeros((2, 5), "int32")).shape == (2, 5, 8)


def test_config_round_trip_and_initial_weights():
    layer = Embedding(7, 3, mask_zero=True, embeddings_regularizer="l2", input_length=4, name="words")
    config = layer.get_config()
    assert config["input_dim"] == 7 and config["mask_zero"] and config["input_length"] == 4
    assert "batch_input_shape" not in config
    json.dumps(config)
    clone = Embedding.from_config(config)
    assert clone.get_config() == config
    matrix = np.arange(21, dtype="float32").reshape(7, 3)
    layer = Embedding(7, 3, weights=[matrix])
    np.testing.assert_array_equal(layer(np.array([[6]])).numpy()[0, 0], matrix[6])
    assert Embedding(7, 3, embeddings_initializer="uniform").embeddings_initializer.get_config()["minval"] == -0.05


def test_regularizer_and_constraint():
    layer = Embedding(4, 2, embeddings_regularizer=keras.regularizers.L2(0.5), embeddings_constraint="non_neg")
    layer(np.array([[1]]))
    expected = 0.5 * np.sum(layer.embeddings.numpy() ** 2)
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-6)
    assert layer.embeddings.constraint is not None


def test_embedding_errors():
    with pytest.raises(ValueError, match="`input_dim` must be a positive integer"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match="`output_dim` must be a positive integer"):
        Embedding(3, 2.5)
    with pytest.raises(IndexError):
        Embedding(3, 2)(np.array([[3]]))


# ---------------------------------------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------------------------------------


def test_masking_zeroes_masked_steps_and_sets_the_mask():
    x = np.array([[[1.0, 0.0], [0.0, 0.0], [2.0, 3.0]]], "float32")
    y = Masking()(x)
    np.testing.assert_array_equal(y.numpy(), x)
    np.testing.assert_array_equal(np.asarray(y._keras_mask), [[True, False, True]])
    y = Masking(mask_value=2.0)(np.array([[[2.0, 2.0], [1.0, 2.0]]], "float32"))
    np.testing.assert_array_equal(y.numpy(), [[[0.0, 0.0], [1.0, 2.0]]])


def test_masking_gradient_and_config():
    # Away from masked steps Masking is the identity; a masked step gets no gradient. (Finite differences cannot
    # check a masked step: any change of its values unmasks it.)
    assert keras.testing.check_gradients(lambda t: Masking(dtype="float64")(t), np.array([[[1.5, 0.0], [0.3, 2.0]]])).ok
    x = ops.convert_to_tensor(np.array([[[1.5, 0.0], [0.0, 0.0], [0.0, -2.0]]], "float32"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = Masking()(x)
    w = np.arange(1, 7, dtype="float32").reshape(1, 3, 2)
    np.testing.assert_array_equal(tape.gradient(y, x, output_gradients=w).numpy(), [[[1, 2], [0, 0], [5, 6]]])
    assert Masking.from_config(Masking(mask_value=-1.0).get_config()).mask_value == -1.0
    assert Masking().compute_output_shape((None, 3, 2)) == (None, 3, 2)
