"""Pooling layers: parity with real Keras (the fixture written by ``tests/reference/make_conv_layer_refs.py``),
float64 gradient checks, configs, shapes, the seed's MaxPool2D examples and Keras's argument errors."""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.layers import pooling as pooling_layers

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
CASES = [c for c in ALL_CASES if hasattr(pooling_layers, c["layer"])]


def tuples(value):
    if isinstance(value, list):
        return tuple(tuples(v) for v in value)
    return value


def array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def call_kwargs(case):
    key = f"{case['name']}/mask"
    return {"mask": ARRAYS[key]} if key in ARRAYS else {}


def make_layer(case):
    return getattr(pooling_layers, case["layer"])(**{k: tuples(v) for k, v in case["kwargs"].items()})


def test_fixture_covers_every_pooling_layer():
    assert {c["layer"] for c in CASES} == {
        "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
        "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
        "GlobalAveragePooling2D", "GlobalAveragePooling3D"}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_gradient_and_shapes_match_keras(case):
    # Max and mean of float32 values: at most one rounding apart from torch's (a mean of up to 8 values).
    layer = make_layer(case)
    x = keras.ops.convert_to_tensor(array(case, "x"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, **call_kwargs(case))
    np.testing.assert_allclose(y.numpy(), array(case, "y"), rtol=1e-5, atol=1e-6)
    dx = tape.gradient(y, x, output_gradients=array(case, "g"))
    np.testing.assert_allclose(dx.numpy(), array(case, "dx"), rtol=1e-5, atol=1e-6)
    assert layer.count_params() == case["params"] == 0
    x_shape = x.shape
    assert list(layer.compute_output_shape(x_shape)) == case["output_shape"]
    assert list(layer.compute_output_shape((None, *x_shape[1:]))) == case["shape_none_batch"]
    channel_axis = 1 if case["kwargs"].get("data_format") == "channels_first" else len(x_shape) - 1
    spatial_none = tuple(n if i == channel_axis else None for i, n in enumerate(x_shape))
    assert list(layer.compute_output_shape(spatial_none)) == case["shape_none_spatial"]


def test_asymmetric_same_average_pooling_averages_real_elements_only():
    """Where Keras's torch backend departs from its other backends, the fixture holds the TF/JAX/NumPy value."""
    noted = [c for c in CASES if c.get("note")]
    assert [c["name"] for c in noted] == ["average_pooling2d_same_s1_asymmetric", "average_pooling3d_same_asymmetric"]
    x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32").reshape(1, 2, 2, 1)
    y = pooling_layers.AveragePooling2D(2, strides=1, padding="same")(x).numpy()[0, :, :, 0]
    np.testing.assert_allclose(y, [[2.5, 3.0], [3.5, 4.0]])


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
# Float64 gradient checks (random inputs: no ties in a max)
# ---------------------------------------------------------------------------------------------------------

GRADIENT_CASES = [
    ("MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 6, 2)),
    ("MaxPooling2D", dict(pool_size=(2, 3), strides=1, data_format="channels_first"), (1, 2, 4, 4)),
    ("MaxPooling3D", dict(pool_size=2, padding="same"), (1, 3, 3, 3, 1)),
    ("AveragePooling1D", dict(pool_size=2, strides=1, padding="same"), (2, 5, 2)),
    ("AveragePooling2D", dict(pool_size=(3, 2), strides=(1, 2), padding="same"), (1, 4, 5, 2)),
    ("AveragePooling3D", dict(pool_size=2, data_format="channels_first"), (1, 2, 3, 2, 3)),
    ("GlobalMaxPooling1D", dict(), (2, 4, 3)),
    ("GlobalMaxPooling2D", dict(keepdims=True, data_format="channels_first"), (2, 2, 3, 3)),
    ("GlobalMaxPooling3D", dict(), (1, 2, 2, 3, 2)),
    ("GlobalAveragePooling1D", dict(data_format="channels_first"), (2, 3, 4)),
    ("GlobalAveragePooling2D", dict(keepdims=True), (2, 3, 3, 2)),
    ("GlobalAveragePooling3D", dict(), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name,kwargs,shape", GRADIENT_CASES, ids=[n for n, _, _ in GRADIENT_CASES])
def test_float64_gradients(name, kwargs, shape, rng, gradcheck):
    layer = getattr(pooling_layers, name)(**kwargs, dtype="float64")
    gradcheck(layer, rng.normal(size=shape))


def test_masked_global_average_is_over_unmasked_steps_and_differentiable(rng, gradcheck):
    mask = np.array([[True, True, False, False], [True, False, True, True]])
    layer = pooling_layers.GlobalAveragePooling1D(dtype="float64")
    x = rng.normal(size=(2, 4, 3))
    np.testing.assert_allclose(layer(x, mask=mask).numpy(), [x[0, :2].mean(0), x[1, [0, 2, 3]].mean(0)])
    gradcheck(lambda t: layer(t, mask=mask), x)
    assert layer.compute_mask(x, mask) is None


# ---------------------------------------------------------------------------------------------------------
# The seed's MaxPool2D examples
# ---------------------------------------------------------------------------------------------------------


def test_seed_maxpool2d_valid_stride1():
    x = keras.ops.reshape(keras.ops.convert_to_tensor([[1., 2., 3.],
                                                       [4., 5., 6.],
                                                       [7., 8., 9.]]), [1, 3, 3, 1])
    max_pool_2d = pooling_layers.MaxPool2D(pool_size=(2, 2), strides=(1, 1), padding='valid')
    y = max_pool_2d(x)
    assert y.shape == (1, 2, 2, 1) and y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), [[[[5.], [6.]], [[8.], [9.]]]])


X_3x4 = [[1., 2., 3., 4.],
         [5., 6., 7., 8.],
         [9., 10., 11., 12.]]


@pytest.mark.parametrize("strides,padding,expected", [
    ((2, 2), "valid", [[[[6.], [8.]]]]),
    ((1, 1), "same", [[[[6.], [7.], [8.], [8.]],
                       [[10.], [11.], [12.], [12.]],
                       [[10.], [11.], [12.], [12.]]]]),
    ((2, 2), "same", [[[[6.], [8.]],
                       [[10.], [12.]]]]),
])
def test_seed_maxpool2d_3x4(strides, padding, expected):
    x = keras.ops.reshape(keras.ops.convert_to_tensor(X_3x4), [1, 3, 4, 1])
    max_pool_2d = pooling_layers.MaxPool2D(pool_size=(2, 2), strides=strides, padding=padding)
    y = max_pool_2d(x)
    assert y.shape == np.shape(expected)
    np.testing.assert_array_equal(y.numpy(), expected)


# ---------------------------------------------------------------------------------------------------------
# Names, defaults, models, errors
# ---------------------------------------------------------------------------------------------------------


def test_aliases_defaults_and_names():
    p = pooling_layers
    assert (p.MaxPool1D, p.MaxPool2D, p.MaxPool3D) == (p.MaxPooling1D, p.MaxPooling2D, p.MaxPooling3D)
    assert (p.AvgPool1D, p.AvgPool2D, p.AvgPool3D) == (p.AveragePooling1D, p.AveragePooling2D, p.AveragePooling3D)
    assert p.GlobalMaxPool2D is p.GlobalMaxPooling2D and p.GlobalAvgPool3D is p.GlobalAveragePooling3D
    assert p.GlobalAvgPool1D is p.GlobalAveragePooling1D and p.GlobalMaxPool3D is p.GlobalMaxPooling3D
    assert p.MaxPooling1D().pool_size == (2,) and p.MaxPooling3D().strides == (2, 2, 2)
    assert p.MaxPooling2D((3, 3), strides=1).strides == (1, 1)
    keras.backend.clear_session()
    assert [layer.name for layer in (p.MaxPool2D(), p.AvgPool1D(2), p.GlobalAvgPool2D(), p.GlobalMaxPool1D())] == [
        "max_pooling2d", "average_pooling1d", "global_average_pooling2d", "global_max_pooling1d"]


def test_in_a_model_with_unknown_sizes():
    inputs = keras.Input(shape=(None, None, 3))
    x = pooling_layers.MaxPooling2D(padding="same")(inputs)
    x = pooling_layers.AveragePooling2D(3, strides=1)(x)
    assert x.shape == (None, None, None, 3)
    outputs = pooling_layers.GlobalAveragePooling2D()(x)
    assert outputs.shape == (None, 3)
    model = keras.Model(inputs, outputs)
    assert model(np.ones((2, 9, 8, 3), "float32")).shape == (2, 3)
    lines = []
    keras.Sequential([keras.Input(shape=(10, 4)), pooling_layers.MaxPooling1D(), pooling_layers.GlobalMaxPooling1D(
        keepdims=True)]).summary(print_fn=lines.append)
    assert lines[4].startswith("max_pooling1d (MaxPooling1D) (None, 5, 4)              0")
    assert lines[6].startswith("global_max_pooling1d (Global (None, 1, 4)              0")


@pytest.mark.parametrize("make,error,message", [
    (lambda: pooling_layers.AveragePooling2D(), TypeError, "pool_size"),
    (lambda: pooling_layers.MaxPooling2D((2, 2, 2)), ValueError, "The `pool_size` argument must be a tuple of 2"),
    (lambda: pooling_layers.MaxPooling2D(0), ValueError, "that do not satisfy `value > 0`"),
    (lambda: pooling_layers.MaxPooling1D(2, padding="causal"), ValueError,
     "Argument `padding` must be either 'valid' or 'same'"),
    (lambda: pooling_layers.GlobalMaxPooling2D(data_format="NHWC"), ValueError, "`data_format`"),
])
def test_argument_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_input_errors():
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        pooling_layers.MaxPooling2D()(np.ones((1, 4, 4), "float32"))
    with pytest.raises(ValueError, match="Computed output size would be zero or negative"):
        pooling_layers.MaxPooling2D((3, 3)).compute_output_shape((None, 2, 5, 1))
    with pytest.raises(ValueError, match="expected ndim=3"):
        pooling_layers.GlobalAveragePooling1D()(np.ones((1, 4, 4, 1), "float32"))
