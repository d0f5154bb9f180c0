"""Activation layers, noise layers, ``Lambda`` / ``ActivityRegularization`` / ``Identity``, and the Keras 2
locally-connected layers.

Keras values come from ``tests/reference/misc_layers_reference.npz`` (written by
``tests/reference/make_misc_layer_refs.py`` under real Keras 3, torch backend); this test needs NumPy only.
Deterministic layers are compared value for value (outputs, gradients, symbolic shapes, parameter counts, config
keys). The noise layers draw from a different random stream than Keras, so in training their *distributions*
are compared: the exact set of values a dropout layer outputs, or the mean and spread of Gaussian noise. Keras 3
has no locally-connected layers: they are checked against a NumPy transcription of Keras 2's ``local_conv``.
"""

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from kerasnb.layers.core_extra import ActivityRegularization, Identity, Lambda
from kerasnb.layers.locally_connected import LocallyConnected1D, LocallyConnected2D
from kerasnb.layers.noise import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from kerasnb.testing import check_gradients

FIXTURE = Path(__file__).parent / "reference" / "misc_layers_reference.npz"
CLASSES = {c.__name__: c for c in (
    ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, GaussianNoise, GaussianDropout, AlphaDropout,
    SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, ActivityRegularization, Identity, Lambda)}
# The functions the fixture's Lambda cases name (the generator defines the same two).
FUNCTIONS = {"square": lambda x: x * x, "scaled_sum": lambda x, k: k * ops.sum(x, axis=-1)}


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    return json.loads(str(arrays.pop("__cases__"))), json.loads(str(arrays.pop("__meta__"))), arrays


CASES, META, ARRAYS = _load()
LAYER_CASES = [c for c in CASES if c["kind"] == "layer" and c["layer"] in CLASSES]
RANDOM_CASES = [c for c in CASES if c["kind"] == "random"]
RTOL, ATOL = 1e-5, 1e-6


def _array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def _layer(case):
    config = dict(case["config"])
    if case["layer"] == "Lambda":
        config["function"] = FUNCTIONS[config["function"]]
    return CLASSES[case["layer"]](**config)


def _built_layer(case):
    layer = _layer(case)
    layer.build(_array(case, "x0").shape)
    layer.set_weights([_array(case, f"w{i}") for i in range(len(layer.weights))])
    return layer


def _call(case, layer, x):
    kwargs = {k: ops.convert_to_tensor(_array(case, v)) if k == "mask" else v for k, v in case["call"].items()}
    return layer(x, **kwargs)


def test_fixture_is_from_real_keras():
    assert META["keras_version"].startswith("3.") and META["backend"] == "torch"
    assert len(LAYER_CASES) >= 25 and len(RANDOM_CASES) >= 5


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_forward_mask_and_losses_match_keras(case):
    layer = _built_layer(case)
    y = _call(case, layer, _array(case, "x0"))
    want = _array(case, "y")
    assert y.shape == want.shape and y.dtype == want.dtype
    np.testing.assert_allclose(y.numpy(), want, rtol=RTOL, atol=ATOL)
    if f"{case['name']}/y_mask" in ARRAYS:
        np.testing.assert_array_equal(ops.convert_to_numpy(y._keras_mask), _array(case, "y_mask"))
    np.testing.assert_allclose([float(loss) for loss in layer.losses], case["losses"], rtol=1e-6)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_gradients_match_keras(case):
    layer = _built_layer(case)
    x = ops.convert_to_tensor(_array(case, "x0"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = _call(case, layer, x)
    grads = tape.gradient(y, [x] + layer.trainable_weights, output_gradients=_array(case, "g"),
                          unconnected_gradients="zero")
    np.testing.assert_allclose(grads[0].numpy(), _array(case, "dx0"), rtol=RTOL, atol=ATOL)
    for i, grad in enumerate(grads[1:]):
        np.testing.assert_allclose(grad.numpy(), _array(case, f"dw{i}"), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_symbolic_shape_params_and_config_keys_match_keras(case):
    layer = _layer(case)
    out = layer(keras.Input(shape=_array(case, "x0").shape[1:]))
    assert list(out.shape) == case["output_shape"] == [None, *_array(case, "y").shape[1:]]
    assert list(layer.compute_output_shape((None, *_array(case, "x0").shape[1:]))) == case["output_shape"]
    assert layer.count_params() == case["count_params"]
    assert [v.name for v in layer.weights] == case["weight_names"]
    if case["keras_layer"] == case["layer"]:  # ThresholdedReLU's reference is Keras's ReLU
        assert sorted(layer.get_config()) == case["keras_config_keys"]


# ---------------------------------------------------------------------------------------------------------
# Noise layers
# ---------------------------------------------------------------------------------------------------------


def _random_input(kind, shape):
    """As the generator's ``random_input``: ones, or an even grid over [-√3, √3] (mean 0, variance 1)."""
    if kind == "ones":
        return np.ones(shape, np.float32)
    return np.linspace(-np.sqrt(3.0), np.sqrt(3.0), int(np.prod(shape))).reshape(shape).astype(np.float32)


@pytest.mark.parametrize("case", RANDOM_CASES, ids=[c["name"] for c in RANDOM_CASES])
def test_training_noise_is_distributed_as_keras(case):
    layer = CLASSES[case["layer"]](**case["config"])
    y = layer(_random_input(*case["input"]), training=True).numpy()
    if case["compare"] == "values":  # dropout on a constant input: exactly Keras's output values
        np.testing.assert_allclose(np.unique(y), _array(case, "values"), rtol=1e-6)
        assert abs(np.mean(y == y.max()) - case["kept_fraction"]) < 0.06
    else:  # 20000 samples: the mean and spread within a few standard errors of Keras's
        assert abs(y.mean() - case["mean"]) < 0.05
        assert abs(y.std() / case["std"] - 1) < 0.03


NOISE_LAYERS = [
    (GaussianNoise, {"stddev": 0.3}, (4, 3)),
    (GaussianDropout, {"rate": 0.3}, (4, 3)),
    (AlphaDropout, {"rate": 0.3}, (4, 3)),
    (SpatialDropout1D, {"rate": 0.5}, (2, 3, 4)),
    (SpatialDropout2D, {"rate": 0.5}, (2, 3, 3, 4)),
    (SpatialDropout3D, {"rate": 0.5}, (2, 2, 2, 2, 4)),
]


@pytest.mark.parametrize("cls, config, shape", NOISE_LAYERS, ids=[c[0].__name__ for c in NOISE_LAYERS])
def test_noise_only_in_training(cls, config, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    layer = cls(seed=1, **config)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    assert not np.allclose(layer(x, training=True).numpy(), x)
    model = keras.Sequential([keras.Input(shape=shape[1:]), cls(**config)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


@pytest.mark.parametrize("cls, config, shape", NOISE_LAYERS, ids=[c[0].__name__ for c in NOISE_LAYERS])
def test_noise_is_reproducible_with_a_seed(cls, config, shape):
    x = np.ones(shape, "float32")
    first, second = cls(seed=5, **config), cls(seed=5, **config)
    a = first(x, training=True).numpy()
    np.testing.assert_array_equal(a, second(x, training=True).numpy())
    assert not np.array_equal(a, first(x, training=True).numpy())  # the next call draws new noise


@pytest.mark.parametrize("cls, config, shape", NOISE_LAYERS, ids=[c[0].__name__ for c in NOISE_LAYERS])
def test_noise_gradients_float64(cls, config, shape):
    # A fresh layer with the same seed per evaluation, so every evaluation sees the same noise.
    x = np.random.default_rng(1).standard_normal(shape)
    report = check_gradients(lambda t: cls(seed=3, dtype="float64", **config)(t, training=True), x)
    assert report.ok


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((20, 3, 4, 6), "float32")
    y = SpatialDropout2D(0.5, seed=0)(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    assert (y == y[:, :1, :1, :]).all()
    y = SpatialDropout2D(0.5, data_format="channels_first", seed=0)(x, training=True).numpy()
    assert (y == y[:, :, :1, :1]).all() and set(np.unique(y)) == {0.0, 2.0}
    y = SpatialDropout1D(0.5, seed=0)(np.ones((20, 5, 6), "float32"), training=True).numpy()
    assert (y == y[:, :1, :]).all()
    y = SpatialDropout3D(0.5, seed=0)(np.ones((10, 2, 2, 2, 3), "float32"), training=True).numpy()
    assert (y == y[:, :1, :1, :1, :]).all()


def test_alpha_dropout_values_and_noise_shape():
    rate = 0.4
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    x = np.full((50, 8), 2.0, "float32")
    y = AlphaDropout(rate, noise_shape=(None, 1), seed=0)(x, training=True).numpy()
    np.testing.assert_allclose(np.unique(y), sorted([a * alpha_p + b, a * 2.0 + b]), rtol=1e-6)
    assert (y == y[:, :1]).all()  # noise_shape (None, 1): one decision per row


def test_noise_argument_errors_match_keras():
    with pytest.raises(ValueError, match="Invalid value received for argument `stddev`. Expected a float value "
                                         "between 0 and 1. Received: stddev=1.5"):
        GaussianNoise(1.5)
    with pytest.raises(ValueError, match="Invalid value received for argument `rate`"):
        GaussianDropout(-0.1)
    with pytest.raises(ValueError, match="Invalid value received for argument `rate`"):
        AlphaDropout(2)
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        SpatialDropout2D(0.5)(np.ones((2, 3, 4)))


@pytest.mark.parametrize("layer", [GaussianNoise(0.2, seed=1), GaussianDropout(0.3, seed=2),
                                   AlphaDropout(0.1, noise_shape=(None, 1), seed=3), SpatialDropout1D(0.2, seed=4),
                                   SpatialDropout2D(0.2, data_format="channels_first"), SpatialDropout3D(0.3)],
                         ids=lambda layer: type(layer).__name__)
def test_noise_config_round_trip(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    assert "noise_shape" not in config or isinstance(layer, AlphaDropout)


# ---------------------------------------------------------------------------------------------------------
# Activation layers
# ---------------------------------------------------------------------------------------------------------


def _away(shape, kinks=(0.0,), seed=0):
    x = np.random.default_rng(seed).standard_normal(shape) * 1.5
    for k in kinks:
        near = np.abs(x - k) < 0.05
        x[near] = k + 0.1
    return x


ACTIVATION_GRADS = [
    (ReLU, {}, (0.0,)),
    (ReLU, {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}, (0.2, 1.0)),
    (ReLU, {"max_value": 6.0}, (0.0, 6.0)),
    (LeakyReLU, {}, (0.0,)),
    (ELU, {"alpha": 0.7}, (0.0,)),
    (ThresholdedReLU, {"theta": 0.5}, (0.5,)),
    (Softmax, {}, ()),
    (Softmax, {"axis": 1}, ()),
    (Softmax, {"axis": [1, 2]}, ()),
]


@pytest.mark.parametrize("cls, config, kinks", ACTIVATION_GRADS, ids=lambda v: getattr(v, "__name__", None))
def test_activation_gradients_float64(cls, config, kinks):
    layer = cls(dtype="float64", **config)
    assert check_gradients(layer, _away((2, 3, 2), kinks)).ok


def test_masked_softmax_gradients_float64_and_zero_probabilities():
    mask = np.array([[[True, False, True]], [[False, True, True]]])
    layer = Softmax(dtype="float64")
    assert check_gradients(lambda t: layer(t, mask=mask), _away((2, 2, 3))).ok
    y = layer(_away((2, 2, 3)), mask=mask).numpy()
    assert (y[np.broadcast_to(~mask, y.shape)] == 0).all()
    np.testing.assert_allclose(y.sum(-1), 1.0)


def test_prelu_gradients_float64_for_inputs_and_slopes():
    layer = PReLU(shared_axes=[1], dtype="float64")
    x = _away((2, 3, 4))
    layer.build(x.shape)
    saved = layer.alpha

    def fn(t, alpha):
        layer.alpha = alpha
        try:
            return layer(t)
        finally:
            layer.alpha = saved

    report = check_gradients(fn, x, np.random.default_rng(2).uniform(0.1, 0.5, (1, 4)))
    assert report.ok and np.abs(report.analytic[1]).max() > 0


def test_prelu_shapes_and_counts():
    layer = PReLU(shared_axes=[1, 2])
    layer(np.ones((2, 5, 6, 3)))
    assert layer.alpha.shape == (1, 1, 3) and layer.count_params() == 3
    assert PReLU(shared_axes=1).shared_axes == [1]
    layer = PReLU()
    layer(np.ones((2, 5, 3)))
    assert layer.count_params() == 15
    np.testing.assert_array_equal(layer.alpha.numpy(), 0)  # 'zeros': starts as a ReLU


def test_activation_errors_match_keras():
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative value"):
        ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope of a ReLU layer cannot be None or a negative value"):
        ReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="threshold of a ReLU layer cannot be None or a negative value"):
        ReLU(threshold=None)
    with pytest.raises(ValueError, match="The negative_slope value of a Leaky ReLU layer cannot be None or negative"):
        LeakyReLU(negative_slope=-1)
    with pytest.raises(ValueError, match="The theta value of a Thresholded ReLU layer should be >=0"):
        ThresholdedReLU(theta=-1)
    with pytest.raises(ValueError, match="The `mask` must be broadcastable to `inputs`. Each mask dimension"):
        Softmax()(np.ones((2, 3)), mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="must not have more dimensions"):
        Softmax()(np.ones((2, 3)), mask=np.ones((1, 2, 3), bool))
    with pytest.warns(UserWarning, match="Argument `alpha` is deprecated"):
        assert LeakyReLU(alpha=0.1).negative_slope == 0.1


def test_softmax_takes_the_upstream_mask_and_passes_it_on():
    x = ops.convert_to_tensor(np.zeros((1, 3), "float32"))
    x._keras_mask = ops.convert_to_tensor(np.array([[True, True, False]]))
    y = Softmax()(x)
    np.testing.assert_allclose(y.numpy(), [[0.5, 0.5, 0.0]])
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[True, True, False]])


@pytest.mark.parametrize("layer", [
    ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5), LeakyReLU(0.2), ELU(0.5), ThresholdedReLU(0.7),
    Softmax(axis=[1, 2]), PReLU(alpha_initializer="ones", alpha_regularizer="l2", alpha_constraint="non_neg",
                                 shared_axes=[1]),
], ids=lambda layer: type(layer).__name__)
def test_activation_config_round_trip(layer):
    x = _away((2, 3, 4), (0.0, 0.5, 0.7, 2.0)).astype("float32")
    y = layer(x).numpy()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone(x).numpy(), y)


# ---------------------------------------------------------------------------------------------------------
# Lambda, ActivityRegularization, Identity
# ---------------------------------------------------------------------------------------------------------


def double(x):
    return x * 2


def scale(x, factor=1.0):
    return x * factor


def test_lambda_config_stores_the_function_by_name_only():
    layer = Lambda(scale, output_shape=(3,), arguments={"factor": 4.0})
    config = layer.get_config()
    json.dumps(config)  # plain data: no code objects
    assert config["function"] == {"module": __name__, "class_name": "function", "config": "scale",
                                  "registered_name": "scale"}
    assert "code" not in json.dumps(config)
    clone = Lambda.from_config(config, custom_objects={"scale": scale})
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone(np.ones((1, 3))).numpy(), [[4.0, 4.0, 4.0]])
    with pytest.raises(ValueError, match=r"Unknown function 'scale' .*custom_objects=\{'scale': fn\}"):
        Lambda.from_config(config)


def test_lambda_of_a_python_lambda_cannot_be_restored():
    config = Lambda(lambda x: x + 1).get_config()
    assert config["function"]["config"] == "<lambda>"
    with pytest.raises(ValueError, match="kerasnb saves functions by name only, never their code"):
        Lambda.from_config(config)
    restored = Lambda.from_config(config, custom_objects={"<lambda>": double})
    np.testing.assert_array_equal(restored(np.ones((1, 2))).numpy(), [[2.0, 2.0]])


def test_lambda_of_a_kerasnb_function_restores_without_custom_objects():
    config = Lambda(keras.ops.relu).get_config()
    assert Lambda.from_config(config).function is keras.ops.relu


def test_lambda_output_shapes():
    x = keras.Input(shape=(4, 5))
    assert Lambda(lambda t: t[:, 0])(x).shape == (None, 5)  # found by running the function
    assert Lambda(lambda t: t[:, 0], output_shape=(5,))(x).shape == (None, 5)
    assert Lambda(lambda t: t, output_shape=lambda s: (s[0], 20))(x).shape == (None, 20)
    assert Lambda(lambda t: ops.cast(t, "int32"))(x).dtype == np.dtype("int32")
    layer = Lambda(lambda t: t, output_shape=(7,))
    assert Lambda.from_config(layer.get_config(), custom_objects={"<lambda>": layer.function})._output_shape == (7,)


def test_lambda_passes_mask_training_and_arguments():
    seen = {}

    def fn(x, mask=None, training=None, offset=0.0):
        seen.update(mask=mask, training=training)
        return x + offset

    layer = Lambda(fn, arguments={"offset": 1.0}, mask=lambda inputs, mask: inputs[..., 0] > 1.5)
    y = layer(np.array([[[1.0], [2.0]]]), training=True)
    np.testing.assert_array_equal(y.numpy(), [[[2.0], [3.0]]])
    assert seen["training"] is True and seen["mask"] is None
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[False, True]])
    model = keras.Sequential([keras.Input(shape=(3,)), Lambda(double), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    assert check_gradients(Lambda(lambda t: t * t, dtype="float64"), np.random.default_rng(0).normal(size=(2, 3))).ok


def test_activity_regularization_adds_the_penalty_divided_by_the_batch_size():
    x = np.array([[1.0, -2.0], [3.0, 0.5]], "float32")
    layer = ActivityRegularization(l1=0.1, l2=0.01)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    (loss,) = layer.losses
    np.testing.assert_allclose(float(loss), (0.1 * np.abs(x).sum() + 0.01 * (x**2).sum()) / 2, rtol=1e-6)
    model = keras.Sequential([keras.Input(shape=(2,)), ActivityRegularization(l2=1.0)])
    model.compile(optimizer="sgd", loss="mse")
    np.testing.assert_allclose(model.evaluate(x, x, verbose=0), (x**2).sum() / 2, rtol=1e-5)
    config = ActivityRegularization(l1=0.1, l2=0.2, name="act").get_config()
    assert ActivityRegularization.from_config(config).get_config() == config


def test_activity_regularization_penalty_gradients_float64():
    def penalty(t):
        layer = ActivityRegularization(l1=0.3, l2=0.2, dtype="float64")
        layer(t)
        return layer.losses[0]

    assert check_gradients(penalty, _away((2, 3))).ok


def test_identity_passes_anything_through():
    x = keras.Input(shape=(3,), dtype="int32")
    assert Identity()(x).dtype == np.dtype("int32")
    nested = [np.ones((1, 2), "float32"), (np.zeros((1, 3), "float32"),)]
    out = Identity()(nested)
    assert out[0].shape == (1, 2) and out[1][0].shape == (1, 3)
    t = ops.convert_to_tensor(np.ones((1, 2), "float32"))
    t._keras_mask = ops.convert_to_tensor(np.array([[True, False]]))
    np.testing.assert_array_equal(Identity()(t)._keras_mask.numpy(), [[True, False]])
    assert check_gradients(Identity(dtype="float64"), np.ones((2, 2))).ok
    config = Identity(name="placeholder", trainable=False).get_config()
    assert Identity.from_config(config).get_config() == config


# ---------------------------------------------------------------------------------------------------------
# LocallyConnected1D / 2D against Keras 2's local_conv, transcribed loop for loop in NumPy
# ---------------------------------------------------------------------------------------------------------


def local_conv_reference(x, kernel, bias, kernel_size, strides, data_format):
    """Keras 2's ``backend.local_conv`` followed by its ``bias_add``: for every output position, the window
    (flattened row-major from ``x[slices]``) times that position's kernel."""
    channels_last = data_format == "channels_last"
    spatial = x.shape[1:-1] if channels_last else x.shape[2:]
    out_spatial = [(n - k) // s + 1 for n, k, s in zip(spatial, kernel_size, strides)]
    outputs = []
    for p, position in enumerate(itertools.product(*[range(n) for n in out_spatial])):
        window = tuple(slice(i * s, i * s + k) for i, s, k in zip(position, strides, kernel_size))
        index = (slice(None), *window, slice(None)) if channels_last else (slice(None), slice(None), *window)
        patch = x[index].reshape(x.shape[0], -1)
        outputs.append(patch @ kernel[p])
    out = np.stack(outputs, axis=1).reshape(x.shape[0], *out_spatial, kernel.shape[-1])
    if not channels_last:
        out = np.moveaxis(out, -1, 1)
    if bias is not None:
        # Keras 2's bias_add reshapes (does not transpose) the bias to (filters, *spatial) for channels_first.
        out = out + (bias if channels_last else bias.reshape(kernel.shape[-1], *out_spatial))
    return out


LOCAL_CASES = [
    (LocallyConnected1D, {"filters": 3, "kernel_size": 2}, (2, 5, 4)),
    (LocallyConnected1D, {"filters": 2, "kernel_size": 3, "strides": 2}, (2, 8, 3)),
    (LocallyConnected1D, {"filters": 2, "kernel_size": 2, "data_format": "channels_first"}, (2, 3, 5)),
    (LocallyConnected1D, {"filters": 2, "kernel_size": 2, "use_bias": False, "activation": "tanh"}, (2, 4, 2)),
    (LocallyConnected2D, {"filters": 3, "kernel_size": 2}, (2, 4, 5, 2)),
    (LocallyConnected2D, {"filters": 2, "kernel_size": (2, 3), "strides": (2, 1)}, (2, 5, 5, 3)),
    (LocallyConnected2D, {"filters": 2, "kernel_size": 2, "data_format": "channels_first"}, (2, 3, 4, 3)),
    (LocallyConnected2D, {"filters": 2, "kernel_size": (1, 2), "strides": 2, "data_format": "channels_first"},
     (2, 2, 3, 5)),
]
LOCAL_IDS = [f"{cls.__name__}-{i}" for i, (cls, _, _) in enumerate(LOCAL_CASES)]


@pytest.mark.parametrize("cls, config, shape", LOCAL_CASES, ids=LOCAL_IDS)
def test_locally_connected_matches_keras2_local_conv(cls, config, shape):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype("float32")
    layer = cls(**config)
    y = layer(x)
    kernel = rng.standard_normal(layer.kernel.shape).astype("float32")
    bias = rng.standard_normal(layer.bias.shape).astype("float32") if layer.bias is not None else None
    layer.set_weights([kernel] if bias is None else [kernel, bias])
    want = local_conv_reference(x, kernel, bias, layer.kernel_size, layer.strides, layer.data_format)
    if config.get("activation") == "tanh":
        want = np.tanh(want)
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-5, atol=1e-5)
    # Weight shapes and counts as Keras 2's implementation=1, and the symbolic shape agrees with the real one.
    positions, window = kernel.shape[0], kernel.shape[1]
    assert window == int(np.prod(layer.kernel_size)) * (shape[-1] if layer.data_format == "channels_last"
                                                        else shape[1])
    assert positions == int(np.prod(layer.output_spatial))
    assert layer.count_params() == kernel.size + (0 if bias is None else bias.size)
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *y.shape[1:])
    assert cls(**config)(keras.Input(shape=shape[1:])).shape == (None, *y.shape[1:])


BIASED = [i for i, (_, config, _) in enumerate(LOCAL_CASES) if config.get("use_bias", True)]


@pytest.mark.parametrize("cls, config, shape", [LOCAL_CASES[i] for i in BIASED], ids=[LOCAL_IDS[i] for i in BIASED])
def test_locally_connected_gradients_float64(cls, config, shape):
    rng = np.random.default_rng(4)
    layer = cls(dtype="float64", **config)
    x = rng.standard_normal(shape)
    layer.build(x.shape)
    saved = layer.kernel, layer.bias

    def fn(t, kernel, bias):
        layer.kernel, layer.bias = kernel, bias
        try:
            return layer(t)
        finally:
            layer.kernel, layer.bias = saved

    report = check_gradients(fn, x, rng.standard_normal(saved[0].shape), rng.standard_normal(saved[1].shape))
    assert report.ok


def test_locally_connected_kernel_shapes_are_keras2s():
    layer = LocallyConnected1D(filters=4, kernel_size=3)
    layer.build((None, 10, 5))
    assert layer.kernel.shape == (8, 15, 4) and layer.bias.shape == (8, 4)
    layer = LocallyConnected2D(filters=4, kernel_size=3, strides=2)
    layer.build((None, 7, 9, 2))
    assert layer.kernel.shape == (3 * 4, 9 * 2, 4) and layer.bias.shape == (3, 4, 4)
    model = keras.Sequential([keras.Input(shape=(6, 2)), LocallyConnected1D(2, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert np.isfinite(model.fit(np.ones((4, 6, 2)), np.ones((4, 1)), verbose=0).history["loss"]).all()
    assert model.count_params() == 4 * 6 * 2 + 4 * 2 + 9


def test_locally_connected_errors_and_config():
    with pytest.raises(ValueError, match='Invalid border mode for LocallyConnected1D \\(only "valid" is supported'):
        LocallyConnected1D(2, 3, padding="same")
    with pytest.raises(ValueError, match="implements only implementation=1"):
        LocallyConnected2D(2, 3, implementation=2)
    with pytest.raises(ValueError, match="One of the dimensions in the output is <= 0"):
        LocallyConnected1D(2, 5)(np.ones((1, 3, 2)))
    with pytest.raises(ValueError, match="must be fully defined"):
        LocallyConnected1D(2, 2)(keras.Input(shape=(None, 3)))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        LocallyConnected2D(2, 2)(np.ones((1, 3, 2)))
    layer = LocallyConnected2D(3, (2, 2), strides=(1, 2), activation="relu", kernel_regularizer="l2",
                               data_format="channels_first")
    config = layer.get_config()
    assert config["kernel_size"] == (2, 2) and config["implementation"] == 1
    assert LocallyConnected2D.from_config(config).get_config() == config
    layer = LocallyConnected1D(1, 1, activity_regularizer="l1", use_bias=False, kernel_initializer="ones")
    layer(np.full((2, 3, 1), -3.0))
    assert math.isclose(float(layer.losses[0]), 0.01 * 3.0 * 6 / 2, rel_tol=1e-6)  # divided by the batch size
