"""Reshaping layers (Reshape, Permute, RepeatVector, Cropping, UpSampling, ZeroPadding): parity with real Keras
(the fixture written by ``tests/reference/make_conv_layer_refs.py``), float64 gradient checks, configs, shapes
with unknown sizes and Keras's argument errors."""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.layers import reshape_layers

FIXTURE = Path(__file__).parent / "reference" / "conv_layers_reference.npz"


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    yield


# ---------------------------------------------------------------------------------------------------------
# The Keras fixture
# ---------------------------------------------------------------------------------------------------------


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    return json.loads(str(arrays.pop("__cases__"))), arrays


ALL_CASES, ARRAYS = _load()
CASES = [c for c in ALL_CASES if hasattr(reshape_layers, c["layer"])]


def tuples(value):
    if isinstance(value, list):
        return tuple(tuples(v) for v in value)
    return value


def array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def make_layer(case):
    return getattr(reshape_layers, case["layer"])(**{k: tuples(v) for k, v in case["kwargs"].items()})


def test_fixture_covers_every_reshaping_layer():
    assert {c["layer"] for c in CASES} == set(reshape_layers.__all__)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_gradient_and_shapes_match_keras(case):
    # Moving values around is exact; bilinear upsampling mixes two float32 values (one rounding).
    layer = make_layer(case)
    x = keras.ops.convert_to_tensor(array(case, "x"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    np.testing.assert_allclose(y.numpy(), array(case, "y"), rtol=1e-6, atol=1e-6)
    dx = tape.gradient(y, x, output_gradients=array(case, "g"))
    np.testing.assert_allclose(dx.numpy(), array(case, "dx"), rtol=1e-5, atol=1e-6)
    assert layer.count_params() == case["params"] == 0
    assert list(layer.compute_output_shape(x.shape)) == case["output_shape"]
    assert list(layer.compute_output_shape((None, *x.shape[1:]))) == case["shape_none_batch"]
    channel_axis = 1 if case["kwargs"].get("data_format") == "channels_first" else x.ndim - 1
    spatial_none = tuple(n if i == channel_axis and x.ndim > 2 else None for i, n in enumerate(x.shape))
    assert list(layer.compute_output_shape(spatial_none)) == case["shape_none_spatial"]


def plain(config):
    return {k: v for k, v in json.loads(json.dumps(config)).items() if k != "name"}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_matches_keras_and_round_trips(case):
    layer = make_layer(case)
    assert plain(layer.get_config()) == plain(case["config"])
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    np.testing.assert_array_equal(clone(array(case, "x")).numpy(), layer(array(case, "x")).numpy())


# ---------------------------------------------------------------------------------------------------------
# Float64 gradient checks
# ---------------------------------------------------------------------------------------------------------

GRADIENT_CASES = [
    ("Reshape", dict(target_shape=(-1, 3)), (2, 2, 3, 2)),
    ("Permute", dict(dims=(3, 1, 2)), (2, 2, 3, 2)),
    ("RepeatVector", dict(n=3), (2, 4)),
    ("Cropping1D", dict(cropping=(0, 2)), (2, 5, 2)),
    ("Cropping2D", dict(cropping=((1, 0), (0, 2)), data_format="channels_first"), (1, 2, 4, 4)),
    ("Cropping3D", dict(cropping=1), (1, 3, 4, 3, 1)),
    ("UpSampling1D", dict(size=2), (2, 3, 2)),
    ("UpSampling2D", dict(size=(2, 3)), (1, 2, 2, 2)),
    ("UpSampling2D", dict(size=(3, 2), interpolation="bilinear"), (1, 3, 2, 2)),
    ("UpSampling2D", dict(size=2, interpolation="bilinear", data_format="channels_first"), (1, 2, 2, 3)),
    ("UpSampling3D", dict(size=(2, 1, 2)), (1, 2, 2, 2, 1)),
    ("ZeroPadding1D", dict(padding=(2, 1)), (2, 3, 2)),
    ("ZeroPadding2D", dict(padding=((0, 1), (2, 0))), (1, 2, 3, 2)),
    ("ZeroPadding3D", dict(padding=(1, 0, 1), data_format="channels_first"), (1, 1, 2, 2, 2)),
]


@pytest.mark.parametrize("name,kwargs,shape", GRADIENT_CASES,
                         ids=[f"{n}-{'-'.join(map(str, k.values()))}" for n, k, _ in GRADIENT_CASES])
def test_float64_gradients(name, kwargs, shape, rng, gradcheck):
    layer = getattr(reshape_layers, name)(**kwargs, dtype="float64")
    gradcheck(layer, rng.normal(size=shape))


# ---------------------------------------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------------------------------------


def test_bilinear_upsampling_uses_half_pixel_centres_with_clamped_edges():
    """As tf.image.resize / jax.image.resize: output i samples the input at (i + 0.5) / size - 0.5."""
    x = np.array([0.0, 4.0, 8.0], "float32").reshape(1, 1, 3, 1)
    y = reshape_layers.UpSampling2D((1, 2), interpolation="bilinear")(x).numpy().ravel()
    np.testing.assert_allclose(y, [0.0, 1.0, 3.0, 5.0, 7.0, 8.0])
    y4 = reshape_layers.UpSampling2D((1, 4), interpolation="BILINEAR")(x).numpy().ravel()
    np.testing.assert_allclose(y4[:6], [0.0, 0.0, 0.5, 1.5, 2.5, 3.5])


def test_zero_padding_and_cropping_undo_each_other(rng):
    x = rng.normal(size=(2, 3, 4, 5, 2)).astype("float32")
    pad = ((1, 2), (0, 3), (2, 2))
    y = reshape_layers.Cropping3D(pad)(reshape_layers.ZeroPadding3D(pad)(x))
    np.testing.assert_array_equal(y.numpy(), x)


def test_in_models_with_unknown_sizes():
    inputs = keras.Input(shape=(None, 6))
    x = reshape_layers.Permute((2, 1))(inputs)
    assert x.shape == (None, 6, None)
    x = reshape_layers.ZeroPadding1D(2)(x)
    x = reshape_layers.Cropping1D((1, 0))(x)
    x = reshape_layers.UpSampling1D(2)(x)
    assert x.shape == (None, 18, None)  # (6 + 2 + 2 - 1) * 2
    model = keras.Model(inputs, x)
    assert model(np.ones((3, 4, 6), "float32")).shape == (3, 18, 4)
    images = keras.Input(shape=(None, None, 3))
    y = reshape_layers.UpSampling2D(2, interpolation="bilinear")(images)
    y = reshape_layers.Cropping2D(1)(reshape_layers.ZeroPadding2D(1)(y))
    assert y.shape == (None, None, None, 3)
    assert keras.Model(images, y)(np.ones((1, 3, 5, 3), "float32")).shape == (1, 6, 10, 3)
    lines = []
    keras.Sequential([keras.Input(shape=(12,)), reshape_layers.Reshape((3, -1)), reshape_layers.Permute((2, 1)),
                      keras.layers.Flatten(), reshape_layers.RepeatVector(2)]).summary(print_fn=lines.append)
    assert [line[29:55].rstrip() for line in lines[4:11:2]] == ["(None, 3, 4)", "(None, 4, 3)", "(None, 12)",
                                                                 "(None, 2, 12)"]
    assert lines[4].startswith("reshape (Reshape)")


@pytest.mark.parametrize("make,error,message", [
    (lambda: reshape_layers.Reshape((-1, -1)), ValueError, "There must be at most one unknown dimension"),
    (lambda: reshape_layers.Reshape((2, -3)), ValueError, "must be a non-negative integer, or `-1`"),
    (lambda: reshape_layers.Permute((0, 1)), ValueError, "Invalid permutation argument `dims`"),
    (lambda: reshape_layers.Permute((1, 3)), ValueError, "must be consecutive and start from 1"),
    (lambda: reshape_layers.RepeatVector(2.0), TypeError, "Expected an integer value for `n`"),
    (lambda: reshape_layers.RepeatVector(0), ValueError, "Argument `n` should be a positive integer"),
    (lambda: reshape_layers.UpSampling1D((2,)), TypeError, "Expected an integer value for `size`"),
    (lambda: reshape_layers.UpSampling2D(0), ValueError, "The `size` argument must be a tuple of 2 integers"),
    (lambda: reshape_layers.UpSampling2D(interpolation="bicubic"), ValueError, "`interpolation` must be"),
    (lambda: reshape_layers.Cropping1D(-1), ValueError, "that do not satisfy `value >= 0`"),
    (lambda: reshape_layers.Cropping2D(-1), ValueError, "`cropping` cannot be negative"),
    (lambda: reshape_layers.Cropping2D((1, 2, 3)), ValueError, "`cropping` should be either an int"),
    (lambda: reshape_layers.Cropping3D(((1, 1), (1, 1), (1, 2, 3))), ValueError,
     "The `3rd entry of cropping` argument must be a tuple of 2 integers"),
    (lambda: reshape_layers.ZeroPadding2D(((1, 1),)), ValueError, "`padding` should be either an int"),
    (lambda: reshape_layers.ZeroPadding3D(data_format="channels_middle"), ValueError, "`data_format`"),
])
def test_argument_errors(make, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        make()


def test_input_errors():
    with pytest.raises(ValueError, match="The total size of the tensor must be unchanged"):
        reshape_layers.Reshape((5, -1))(np.ones((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="The total size of the tensor must be unchanged"):
        reshape_layers.Reshape((5, 2)).compute_output_shape((None, 3, 4))
    with pytest.raises(ValueError, match="Values in `cropping` argument should be smaller"):
        reshape_layers.Cropping2D(((2, 2), (0, 0)))(np.ones((1, 4, 4, 1), "float32"))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        reshape_layers.RepeatVector(2)(np.ones((1, 4, 4), "float32"))
    with pytest.raises(ValueError, match="expected ndim=3"):
        reshape_layers.Permute((2, 1))(np.ones((1, 4, 4, 2), "float32"))
