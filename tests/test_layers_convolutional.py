"""Convolution layers: parity with real Keras (fixture), float64 gradient checks, configs, shapes, the seeds'
summaries and Keras's argument errors.

The fixture ``tests/reference/conv_layers_reference.npz`` was written by
``tests/reference/make_conv_layer_refs.py`` under real Keras 3 (torch backend); it holds, per case, the input,
the weights (set with ``set_weights`` on both sides), the output, the gradients of ``sum(y * g)``, the
parameter count, the weight names and shapes, ``compute_output_shape`` with ``None`` sizes and Keras's config.

Snippets marked "seed" are the user's guides' code with only the import changed.
"""

import json
import types
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.layers import Dense, Flatten
from kerasnb.layers import convolutional as conv_layers
from kerasnb.layers import pooling as pooling_layers

FIXTURE = Path(__file__).parent / "reference" / "conv_layers_reference.npz"


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()  # auto-names start again at conv2d, conv2d_1, ... as in a fresh Keras session
    yield


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


# ---------------------------------------------------------------------------------------------------------
# The Keras fixture
# ---------------------------------------------------------------------------------------------------------


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    return json.loads(str(arrays.pop("__cases__"))), json.loads(str(arrays.pop("__meta__"))), arrays


ALL_CASES, META, ARRAYS = _load()
CASES = [c for c in ALL_CASES if hasattr(conv_layers, c["layer"])]


def tuples(value):
    """JSON lists back to tuples (Keras's configs and arguments use tuples)."""
    if isinstance(value, list):
        return tuple(tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: tuples(v) for k, v in value.items()}
    return value


def array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def make_layer(case):
    """The case's layer, built, with the fixture's weights."""
    layer = getattr(conv_layers, case["layer"])(**tuples(case["kwargs"]))
    layer.build(array(case, "x").shape)
    layer.set_weights([array(case, f"w{i}") for i in range(len(layer.weights))])
    return layer


# Outputs and gradients are sums of up to ~100 float32 products of O(1) values, in another order than torch's;
# a real disagreement (a wrong tap, pad, stride or weight layout) is off by O(0.1).
RTOL, ATOL = 1e-5, 5e-5


def test_fixture_is_from_real_keras():
    assert META["keras_version"].startswith("3.") and META["backend"] == "torch"
    assert len(CASES) >= 30
    assert {c["layer"] for c in CASES} == {"Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
                                           "DepthwiseConv1D", "DepthwiseConv2D", "Conv1DTranspose",
                                           "Conv2DTranspose", "Conv3DTranspose"}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_weights_and_shapes_match_keras(case):
    layer = make_layer(case)
    assert [w.name for w in layer.weights] == case["weight_names"]
    assert [list(w.shape) for w in layer.weights] == case["weight_shapes"]
    assert layer.count_params() == case["params"]
    y = layer(array(case, "x"))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), array(case, "y"), rtol=RTOL, atol=ATOL)
    assert list(layer.compute_output_shape(array(case, "x").shape)) == case["output_shape"]
    x_shape = array(case, "x").shape
    assert list(layer.compute_output_shape((None, *x_shape[1:]))) == case["shape_none_batch"]
    channel_axis = 1 if case["kwargs"].get("data_format") == "channels_first" else len(x_shape) - 1
    spatial_none = tuple(n if i == channel_axis else None for i, n in enumerate(x_shape))
    assert list(layer.compute_output_shape(spatial_none)) == case["shape_none_spatial"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_gradients_match_keras(case):
    layer = make_layer(case)
    x = keras.ops.convert_to_tensor(array(case, "x"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    grads = tape.gradient(y, [x, *layer.trainable_weights], output_gradients=array(case, "g"))
    np.testing.assert_allclose(grads[0].numpy(), array(case, "dx"), rtol=RTOL, atol=ATOL, err_msg="dx")
    for i, grad in enumerate(grads[1:]):
        np.testing.assert_allclose(grad.numpy(), array(case, f"dw{i}"), rtol=RTOL, atol=ATOL, err_msg=f"dw{i}")


def plain(config):
    """A config as JSON would hold it (tuples become lists), without the layer's name."""
    return {k: v for k, v in json.loads(json.dumps(config)).items() if k != "name"}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_matches_keras_and_round_trips(case):
    layer = make_layer(case)
    assert plain(layer.get_config()) == plain(case["config"])
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    clone.build(array(case, "x").shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(array(case, "x")).numpy(), layer(array(case, "x")).numpy())


# ---------------------------------------------------------------------------------------------------------
# Float64 gradient checks: inputs and every weight
# ---------------------------------------------------------------------------------------------------------


def weights_as_inputs(layer):
    """``fn(x, *weights)`` running ``layer.call`` with the given tensors in place of its weights, so that
    ``check_gradients`` can differentiate with respect to the weights as well as the input."""
    names = [next(k for k, v in vars(layer).items() if v is w) for w in layer.weights]

    def fn(x, *weights):
        saved = {name: getattr(layer, name) for name in names}
        try:
            for name, w in zip(names, weights):
                setattr(layer, name, w)
            return layer.call(x)
        finally:
            for name, v in saved.items():
                setattr(layer, name, v)

    return fn


GRADIENT_CASES = [
    ("Conv1D", dict(filters=2, kernel_size=3, padding="causal", dilation_rate=2, activation="tanh"), (2, 5, 2)),
    ("Conv1D", dict(filters=4, kernel_size=2, strides=2, groups=2, data_format="channels_first"), (1, 4, 5)),
    ("Conv2D", dict(filters=2, kernel_size=(3, 2), strides=(2, 1), padding="same"), (1, 5, 4, 2)),
    ("Conv2D", dict(filters=2, kernel_size=2, dilation_rate=2, data_format="channels_first"), (1, 2, 4, 4)),
    ("Conv3D", dict(filters=2, kernel_size=2, padding="same", strides=2), (1, 3, 3, 2, 2)),
    ("SeparableConv1D", dict(filters=2, kernel_size=3, depth_multiplier=2, padding="same"), (1, 5, 2)),
    ("SeparableConv2D", dict(filters=2, kernel_size=2, strides=2, data_format="channels_first"), (1, 2, 4, 3)),
    ("DepthwiseConv1D", dict(kernel_size=3, depth_multiplier=2, strides=2, padding="same"), (1, 6, 2)),
    ("DepthwiseConv2D", dict(kernel_size=(2, 3), dilation_rate=(1, 2), padding="same"), (1, 3, 5, 2)),
    ("Conv1DTranspose", dict(filters=2, kernel_size=3, strides=2, output_padding=1), (1, 3, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same"), (1, 2, 3, 2)),
    ("Conv2DTranspose", dict(filters=1, kernel_size=2, data_format="channels_first", activation="sigmoid"),
     (1, 2, 3, 2)),
    ("Conv3DTranspose", dict(filters=1, kernel_size=2, strides=(2, 1, 1), padding="same"), (1, 2, 2, 2, 2)),
]


@pytest.mark.parametrize("name,kwargs,shape", GRADIENT_CASES,
                         ids=[f"{n}-{'-'.join(map(str, k.values()))}" for n, k, _ in GRADIENT_CASES])
def test_float64_gradients_wrt_inputs_and_weights(name, kwargs, shape, rng, gradcheck):
    layer = getattr(conv_layers, name)(**kwargs, bias_initializer="random_normal", dtype="float64")
    layer.build(shape)
    gradcheck(weights_as_inputs(layer), rng.normal(size=shape), *layer.get_weights())


# ---------------------------------------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------------------------------------


def test_causal_conv1d_output_never_sees_the_future(rng):
    layer = conv_layers.Conv1D(3, 3, padding="causal", dilation_rate=2)
    x = rng.normal(size=(1, 10, 2)).astype("float32")
    changed = x.copy()
    changed[:, 6:] += 1.0  # change only steps 6..9
    same = layer(x).numpy()[:, :6] == layer(changed).numpy()[:, :6]
    assert same.all() and not np.allclose(layer(x).numpy()[:, 6:], layer(changed).numpy()[:, 6:])


def test_groups_convolve_each_channel_group_with_its_own_filters(rng):
    layer = conv_layers.Conv2D(4, 3, groups=2, use_bias=False)
    x = rng.normal(size=(1, 5, 5, 6)).astype("float32")
    y = layer(x).numpy()
    assert layer.kernel.shape == (3, 3, 3, 4)
    k = layer.kernel.numpy()
    first = keras.ops.conv(x[..., :3], k[..., :2]).numpy()
    second = keras.ops.conv(x[..., 3:], k[..., 2:]).numpy()
    np.testing.assert_allclose(y, np.concatenate([first, second], axis=-1), rtol=1e-6)


def test_channels_first_and_last_agree_with_the_same_weights(rng):
    x = rng.normal(size=(2, 6, 5, 3)).astype("float32")
    last = conv_layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2)
    first = conv_layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, data_format="channels_first")
    y_last = last(x).numpy()
    first.build((2, 3, 6, 5))
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).numpy(), y_last.transpose(0, 3, 1, 2), rtol=1e-5,
                               atol=1e-6)


def test_regularizers_and_constraints_reach_the_weights():
    layer = conv_layers.Conv2D(2, 3, kernel_regularizer="l2", bias_regularizer="l1", activity_regularizer="l2",
                               kernel_constraint="non_neg")
    layer(np.ones((1, 4, 4, 1), "float32"))
    assert len(layer.losses) == 3  # the activity penalty and the two weight penalties
    assert layer.kernel.constraint is not None
    separable = conv_layers.SeparableConv1D(2, 3, depthwise_regularizer="l2", pointwise_regularizer="l1")
    separable.build((None, 5, 2))
    assert len(separable.losses) == 2


def test_default_initializers_and_names():
    layers = [conv_layers.Conv2D(2, 3), conv_layers.Conv2DTranspose(2, 3), conv_layers.DepthwiseConv2D(3),
              conv_layers.SeparableConv2D(2, 3), conv_layers.Conv1D(2, 3), conv_layers.Conv3DTranspose(1, 2)]
    assert [layer.name for layer in layers] == ["conv2d", "conv2d_transpose", "depthwise_conv2d",
                                                 "separable_conv2d", "conv1d", "conv3d_transpose"]
    layers[0].build((None, 5, 5, 2))
    assert np.all(layers[0].bias.numpy() == 0) and layers[0].kernel.numpy().std() > 0
    assert conv_layers.Convolution2D is conv_layers.Conv2D
    assert conv_layers.Convolution2DTranspose is conv_layers.Conv2DTranspose
    assert conv_layers.SeparableConvolution2D is conv_layers.SeparableConv2D


def test_positional_arguments_follow_keras_order():
    layer = conv_layers.Conv2D(64, (3, 3), (2, 2), "same")
    assert layer.strides == (2, 2) and layer.padding == "same"
    depthwise = conv_layers.DepthwiseConv2D(3, 2, "same", 4)
    assert depthwise.strides == (2, 2) and depthwise.depth_multiplier == 4
    transpose = conv_layers.Conv3DTranspose(2, 3, 2, "same", "channels_first", 1)  # Keras's 3D order
    assert transpose.data_format == "channels_first" and transpose.output_padding == (1, 1, 1)
    transpose = conv_layers.Conv2DTranspose(2, 3, 2, "same", 1)
    assert transpose.output_padding == (1, 1)


def test_symbolic_shapes_with_unknown_sizes_in_a_functional_model():
    inputs = keras.Input(shape=(None, None, 3))
    x = conv_layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    x = conv_layers.DepthwiseConv2D(3)(x)
    x = conv_layers.Conv2DTranspose(4, 3, strides=2)(x)
    assert x.shape == (None, None, None, 4)
    model = keras.Model(inputs, x)
    assert model(np.ones((2, 9, 12, 3), "float32")).shape == (2, 7, 9, 4)  # 9 -> 5 -> 3 -> 7, 12 -> 6 -> 4 -> 9
    sequence = keras.Input(shape=(12, 5))
    y = conv_layers.Conv1D(4, 3, padding="causal")(sequence)
    assert conv_layers.SeparableConv1D(2, 3, strides=2)(y).shape == (None, 5, 2)


# ---------------------------------------------------------------------------------------------------------
# The seeds
# ---------------------------------------------------------------------------------------------------------

# seed: `from tensorflow.keras import layers, models` became this namespace
layers = types.SimpleNamespace(Conv2D=conv_layers.Conv2D, MaxPooling2D=pooling_layers.MaxPooling2D, Flatten=Flatten,
                               Dense=Dense)
models = keras.models

SEED_93322 = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d (Conv2D)              (None, 26, 26, 32)        320       
_________________________________________________________________
max_pooling2d (MaxPooling2D) (None, 13, 13, 32)        0         
_________________________________________________________________
conv2d_1 (Conv2D)            (None, 11, 11, 64)        18496     
_________________________________________________________________
max_pooling2d_1 (MaxPooling2 (None, 5, 5, 64)          0         
_________________________________________________________________
conv2d_2 (Conv2D)            (None, 3, 3, 64)          36928     
_________________________________________________________________
flatten (Flatten)            (None, 576)               0         
_________________________________________________________________
dense (Dense)                (None, 64)                36928     
_________________________________________________________________
dense_1 (Dense)              (None, 10)                650       
=================================================================
Total params: 93,322
Trainable params: 93,322
Non-trainable params: 0
_________________________________________________________________"""  # noqa: W291


def test_seed_mnist_cnn_summary_is_exact():
    model = models.Sequential()
    model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation='relu'))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation='relu'))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation='relu'))
    model.add(layers.Dense(10))
    assert "\n".join(summary_lines(model)) == SEED_93322
    assert model(np.zeros((2, 28, 28, 1), "float32")).shape == (2, 10)


SEED_19392 = """\
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d (Conv2D)              (None, 30, 30, 32)        896       
_________________________________________________________________
max_pooling2d (MaxPooling2D) (None, 15, 15, 32)        0         
_________________________________________________________________
conv2d_1 (Conv2D)            (None, 7, 7, 64)          18496     
_________________________________________________________________
max_pooling2d_1 (MaxPooling2 (None, 3, 3, 64)          0         
=================================================================
Total params: 19,392
Trainable params: 19,392
Non-trainable params: 0"""  # noqa: W291


def test_seed_strided_conv2d_summary():
    model = keras.models.Sequential()
    model.add(conv_layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)))
    # 输入32x32RGB图片,输出32个特征映射,使用3x3卷积核,每个输出特征映射使用1个偏置
    # 参数数量为3x32x(3x3)+32=896
    model.add(pooling_layers.MaxPooling2D((2, 2)))
    model.add(conv_layers.Conv2D(64, (3, 3), (2, 2), activation='relu'))
    model.add(pooling_layers.MaxPooling2D((2, 2)))
    lines = summary_lines(model)
    assert "\n".join(lines[1:-1]) == SEED_19392


# ---------------------------------------------------------------------------------------------------------
# Keras's argument errors
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make,message", [
    (lambda: conv_layers.Conv2D(0, 3), "Invalid value for argument `filters`. Expected a strictly positive value"),
    (lambda: conv_layers.Conv2D(4, (3, 3, 3)), "The `kernel_size` argument must be a tuple of 2 integers"),
    (lambda: conv_layers.Conv2D(4, 0), "that do not satisfy `value > 0`"),
    (lambda: conv_layers.Conv2D(4, 3, padding="full"), "The `padding` argument must be one of"),
    (lambda: conv_layers.Conv2D(4, 3, padding="causal"), "The `padding` argument must be one of"),
    (lambda: conv_layers.Conv2D(4, 3, strides=2, dilation_rate=2), "`strides > 1` not supported in conjunction"),
    (lambda: conv_layers.Conv2D(5, 3, groups=2), "The number of filters must be evenly divisible by the number"),
    (lambda: conv_layers.Conv2D(4, 3, groups=0), "The number of groups must be a positive integer"),
    (lambda: conv_layers.Conv2D(4, 3, data_format="channels_middle"), "The `data_format` argument must be one of"),
    (lambda: conv_layers.Conv2DTranspose(4, 3, strides=2, output_padding=2),
     "`output_padding` must be strictly less than `strides`"),
    (lambda: conv_layers.DepthwiseConv2D(3, depth_multiplier=0), "Invalid value for argument `depth_multiplier`"),
    (lambda: conv_layers.Conv2D(4, 3, lora_rank=2), "Unrecognized keyword arguments passed to Conv2D"),
])
def test_argument_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace("[", r"\[")):
        make()


def test_input_errors_name_the_problem():
    layer = conv_layers.Conv2D(4, 3, groups=2)
    with pytest.raises(ValueError, match="The number of input channels must be evenly divisible"):
        layer(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="Computed output size would be zero or negative"):
        conv_layers.Conv2D(4, 5)(np.ones((1, 3, 8, 1), "float32"))
    with pytest.raises(ValueError, match="expects inputs of rank 4"):
        conv_layers.Conv2D(4, 3)(np.ones((1, 5, 5, 3, 2), "float32"))
    with pytest.raises(ValueError, match="expected ndim=3|expected min_ndim=3"):
        conv_layers.Conv1D(4, 3)(np.ones((5, 3), "float32"))
    built = conv_layers.Conv1D(4, 3)
    built(np.ones((1, 5, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        built(np.ones((1, 5, 2), "float32"))
