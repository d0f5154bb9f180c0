"""Normalization layers (``kerasnb.layers.normalization``) against real Keras and by themselves.

The Keras values come from ``tests/reference/misc_layers_reference.npz``, written by
``tests/reference/make_misc_layer_refs.py`` under real Keras 3 (torch backend); this test needs NumPy only. For
every recorded case, with the same weights and inputs: the output, every weight after the call (the moving
statistics of BatchNormalization in training), the gradients of ``sum(y * g)`` with respect to the inputs and
the trainable weights, the symbolic output shape, the parameter counts, the weight names and the config keys.
Then a whole ``train_on_batch`` step (moving statistics and weights after it, also with the layer frozen),
float64 gradient checks of the fused :class:`Standardize` op and of every layer, and Keras's errors.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    Standardize,
    UnitNormalization,
)
from kerasnb.testing import check_gradients

# LayerNormalization(rms_scaling=True) warns, as in Keras 3; test_errors_match_keras checks the warning.
pytestmark = pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")

FIXTURE = Path(__file__).parent / "reference" / "misc_layers_reference.npz"
CLASSES = {c.__name__: c for c in (BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization)}


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    return json.loads(str(arrays.pop("__cases__"))), json.loads(str(arrays.pop("__meta__"))), arrays


CASES, META, ARRAYS = _load()
LAYER_CASES = [c for c in CASES if c["kind"] == "layer" and c["layer"] in CLASSES]
# float32: a normalized value is a few float32 operations away from its inputs (mean, variance, rsqrt), and
# the torch backend computes the variance as E[x²] - E[x]² where kerasnb takes E[(x - mean)²]; the differences
# seen are below 2e-6.
RTOL, ATOL = 1e-5, 1e-5


def _array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def _built_layer(case):
    """The case's layer, built for its input shape, with the recorded weights."""
    layer = CLASSES[case["layer"]](**case["config"])
    layer.build(_array(case, "x0").shape)
    layer.set_weights([_array(case, f"w{i}") for i in range(len(layer.weights))])
    return layer


def _call(case, layer, x):
    kwargs = {k: ops.convert_to_tensor(_array(case, v)) if k == "mask" else v for k, v in case["call"].items()}
    return layer(x, **kwargs)


def test_fixture_is_from_real_keras():
    assert META["keras_version"].startswith("3.") and META["backend"] == "torch"
    assert len(LAYER_CASES) >= 20


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_forward_and_weights_after_the_call_match_keras(case):
    layer = _built_layer(case)
    assert [v.name for v in layer.weights] == case["weight_names"]
    y = _call(case, layer, _array(case, "x0"))
    want = _array(case, "y")
    assert y.shape == want.shape and y.dtype == want.dtype
    np.testing.assert_allclose(y.numpy(), want, rtol=RTOL, atol=ATOL)
    for i, v in enumerate(layer.weights):
        np.testing.assert_allclose(v.numpy(), _array(case, f"after{i}"), rtol=RTOL, atol=1e-6, err_msg=v.name)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_gradients_match_keras(case):
    layer = _built_layer(case)
    x = ops.convert_to_tensor(_array(case, "x0"))
    with keras.GradientTape() as tape:
        tape.watch(x)
        y = _call(case, layer, x)
    sources = [x] + layer.trainable_weights
    grads = tape.gradient(y, sources, output_gradients=_array(case, "g"), unconnected_gradients="zero")
    np.testing.assert_allclose(grads[0].numpy(), _array(case, "dx0"), rtol=RTOL, atol=ATOL, err_msg="dx")
    index = {id(v): i for i, v in enumerate(layer.weights)}
    for v, grad in zip(layer.trainable_weights, grads[1:]):
        np.testing.assert_allclose(grad.numpy(), _array(case, f"dw{index[id(v)]}"), rtol=RTOL, atol=ATOL,
                                   err_msg=v.name)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_symbolic_shape_params_and_config_keys_match_keras(case):
    layer = CLASSES[case["layer"]](**case["config"])
    out = layer(keras.Input(shape=_array(case, "x0").shape[1:]))
    assert list(out.shape) == case["output_shape"] == [None, *_array(case, "y").shape[1:]]
    assert list(layer.compute_output_shape((None, *_array(case, "x0").shape[1:]))) == case["output_shape"]
    assert layer.count_params() == case["count_params"]
    assert sum(int(np.prod(v.shape)) for v in layer.trainable_weights) == case["trainable_count"]
    assert sorted(layer.get_config()) == case["keras_config_keys"]


# ---------------------------------------------------------------------------------------------------------
# A whole training step
# ---------------------------------------------------------------------------------------------------------

MODEL_CASES = [c for c in CASES if c["kind"] == "model" and c["model"] == "bn"]


@pytest.mark.parametrize("case", MODEL_CASES, ids=[c["name"] for c in MODEL_CASES])
def test_fit_step_matches_keras(case):
    """Dense -> BatchNormalization -> Dense, one SGD step: the loss, every weight after it (the moving
    statistics included) and the predictions afterwards equal Keras's. Frozen, the layer runs in inference mode
    inside fit and its statistics stay put."""
    inputs = keras.Input(shape=(4,))
    bn = BatchNormalization(momentum=case["momentum"])
    model = keras.Model(inputs, keras.layers.Dense(1)(bn(keras.layers.Dense(3)(inputs))))
    before = [_array(case, f"w{i}") for i in range(8)]
    model.set_weights(before)
    if case["frozen"]:
        bn.trainable = False
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=case["learning_rate"]), loss="mse")
    loss = model.train_on_batch(_array(case, "x"), _array(case, "y"))
    np.testing.assert_allclose(loss, _array(case, "loss"), rtol=1e-5)
    after = model.get_weights()
    for i, w in enumerate(after):
        np.testing.assert_allclose(w, _array(case, f"after{i}"), rtol=1e-5, atol=1e-6, err_msg=f"weight {i}")
    moved = not np.allclose(after[4], before[4])
    assert moved != case["frozen"]
    np.testing.assert_allclose(model.predict(_array(case, "x"), verbose=0), _array(case, "prediction"), rtol=1e-5,
                               atol=1e-6)


def test_moving_statistics_follow_training_and_trainable():
    x = np.random.default_rng(0).standard_normal((16, 3)).astype("float32") * 2 + 1
    layer = BatchNormalization(momentum=0.5)
    y = layer(x, training=False)  # inference: the moving statistics (0, 1) are used and not changed
    np.testing.assert_allclose(y.numpy(), x / np.sqrt(1 + 1e-3), rtol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), 0)
    y = layer(x, training=True)  # training: batch statistics, and the moving averages move halfway
    np.testing.assert_allclose(y.numpy(), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), x.mean(0) / 2, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), (1 + x.var(0)) / 2, rtol=1e-5)
    layer.trainable = False  # frozen: inference mode even with training=True
    frozen = [v.numpy() for v in layer.weights]
    y = layer(x, training=True)
    np.testing.assert_allclose(y.numpy(), layer(x, training=False).numpy())
    for v, w in zip(layer.weights, frozen):
        np.testing.assert_array_equal(v.numpy(), w)
    assert layer.count_params() == 12 and layer.trainable_weights == []


def test_transfer_learning_modes_of_a_nested_base():
    """The transfer-learning recipe on a base model called inside another model (notebook 13), as Keras 3 runs
    it (checked against Keras 3.15 with TensorFlow): ``fit`` calls the outer model with ``training=True``, which
    wins over the ``training=False`` given when the base was called on a ``keras.Input``; freezing is what puts
    BatchNormalization in inference mode, the base's or one layer's alone."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 4)).astype("float32") * 5 + 3, rng.standard_normal((64, 1)).astype("float32")
    base_inputs = keras.Input((4,))
    base = keras.Model(base_inputs, BatchNormalization()(keras.layers.Dense(4)(base_inputs)))
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(base(inputs, training=False)))
    bn, dense = base.layers[-1], base.layers[1]

    def fit_changes():
        before = [v.numpy().copy() for v in (bn.moving_mean, dense.kernel)]
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
        return [not np.allclose(b, v.numpy()) for b, v in zip(before, (bn.moving_mean, dense.kernel))]

    assert fit_changes() == [True, True]      # training=True reaches the base despite training=False
    # called without `training`, the base runs as it was called when the model was built
    np.testing.assert_allclose(model(x).numpy(), model(x, training=False).numpy(), rtol=1e-6)
    assert not np.allclose(model(x).numpy(), model(x, training=True).numpy(), rtol=1e-3)
    base.trainable = False
    assert len(model.trainable_weights) == 2  # only the top Dense
    assert fit_changes() == [False, False]    # frozen: inference mode, nothing in the base moves
    base.trainable = True
    bn.trainable = False                      # fine-tuning with BatchNormalization kept frozen
    assert len(model.trainable_weights) == 4
    assert fit_changes() == [False, True]


def test_predict_and_evaluate_use_the_moving_statistics():
    model = keras.Sequential([keras.Input(shape=(2,)), BatchNormalization()])
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[1.0, 2.0], [3.0, 6.0]], "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), x / np.sqrt(1.001), rtol=1e-6)
    model.fit(x, x, epochs=3, batch_size=2, verbose=0)
    bn = model.layers[-1]
    assert not np.allclose(bn.moving_mean.numpy(), 0)
    mean, var = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    gamma, beta = bn.gamma.numpy(), bn.beta.numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), gamma * (x - mean) / np.sqrt(var + 1e-3) + beta,
                               rtol=1e-5, atol=1e-6)


def test_parameter_counts_and_weight_order():
    layer = BatchNormalization()
    layer.build((None, 7))
    assert [v.name for v in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert layer.count_params() == 4 * 7
    assert sum(int(np.prod(v.shape)) for v in layer.non_trainable_weights) == 2 * 7
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(7), BatchNormalization()])
    assert model.count_params() == 5 * 7 + 7 + 4 * 7
    assert sum(int(np.prod(v.shape)) for v in model.non_trainable_weights) == 14


# ---------------------------------------------------------------------------------------------------------
# Float64 gradient checks
# ---------------------------------------------------------------------------------------------------------

rng = np.random.default_rng(11)


@pytest.mark.parametrize("axes", [(0,), (1,), (0, 2), (1, 2)])
def test_standardize_op_gradients(axes):
    x = rng.standard_normal((3, 4, 2)) * 2 + 1
    assert check_gradients(lambda t: Standardize(axes, 1e-3)(t), x).ok


def test_standardize_op_with_weights_gradients_and_statistics():
    x = rng.standard_normal((3, 4, 2))
    w = (rng.uniform(size=(3, 4, 1)) < 0.6) * np.ones((3, 4, 2))
    assert check_gradients(lambda t: Standardize((0, 1), 1e-3, weights=w)(t), x).ok
    op = Standardize((0, 1), 0.0, weights=w)
    op(x)
    kept = x[w[..., 0] > 0]
    np.testing.assert_allclose(op.mean.reshape(-1), kept.mean(0), rtol=1e-6)
    np.testing.assert_allclose(op.var.reshape(-1), kept.var(0), rtol=1e-6)


def _check_layer_gradients(layer, x, **call_kwargs):
    """Check d(output)/d(input) and d(output)/d(every trainable weight) of a built layer, in float64: the weights
    are passed as inputs by temporarily replacing the layer's attributes that hold them."""
    layer.build(x.shape)
    names = [name for v in layer.trainable_weights for name, value in vars(layer).items() if value is v]
    weights = [getattr(layer, name).numpy() + rng.standard_normal(getattr(layer, name).shape) * 0.2
               for name in names]
    saved = {name: getattr(layer, name) for name in names}

    def fn(t, *ws):
        for name, w in zip(names, ws):
            setattr(layer, name, w)
        try:
            return layer(t, **call_kwargs)
        finally:
            for name, value in saved.items():
                setattr(layer, name, value)

    report = check_gradients(fn, x, *weights)
    assert report.ok
    assert all(a is not None and np.abs(a).max() > 0 for a in report.analytic[1:]), "a weight got no gradient"


NORM_GRAD_CASES = [
    ("bn_training", BatchNormalization, {}, (4, 3), {"training": True}),
    ("bn_inference", BatchNormalization, {}, (4, 3), {"training": False}),
    ("bn_axis1_training", BatchNormalization, {"axis": 1}, (3, 2, 2, 2), {"training": True}),
    ("bn_4d_training", BatchNormalization, {}, (2, 2, 2, 3), {"training": True}),
    ("bn_no_scale", BatchNormalization, {"scale": False}, (4, 3), {"training": True}),
    ("ln", LayerNormalization, {}, (2, 3, 4), {}),
    ("ln_axes", LayerNormalization, {"axis": [1, 2]}, (2, 3, 2), {}),
    ("ln_axis1", LayerNormalization, {"axis": 1}, (2, 3, 2), {}),
    ("ln_rms_scaling", LayerNormalization, {"rms_scaling": True}, (2, 4), {}),
    ("gn", GroupNormalization, {"groups": 2}, (2, 3, 4), {}),
    ("gn_instance", GroupNormalization, {"groups": -1}, (2, 3, 2), {}),
    ("gn_axis1", GroupNormalization, {"groups": 2, "axis": 1}, (2, 4, 3), {}),
]


@pytest.mark.parametrize("name, cls, config, shape, call", NORM_GRAD_CASES, ids=[c[0] for c in NORM_GRAD_CASES])
def test_layer_gradients_float64(name, cls, config, shape, call):
    x = rng.standard_normal(shape) * 1.5 + 0.5
    _check_layer_gradients(cls(dtype="float64", **config), x, **call)


def test_masked_batch_normalization_gradients_float64():
    mask = ops.convert_to_tensor(np.array([[True, True, False], [True, False, True]]))
    _check_layer_gradients(BatchNormalization(dtype="float64"), rng.standard_normal((2, 3, 2)), training=True,
                           mask=mask)


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_unit_normalization_gradients_float64(axis):
    report = check_gradients(lambda t: UnitNormalization(axis=axis, dtype="float64")(t), rng.standard_normal((2, 3, 2)))
    assert report.ok


# ---------------------------------------------------------------------------------------------------------
# Keras's errors and config round trips
# ---------------------------------------------------------------------------------------------------------


def test_errors_match_keras():
    with pytest.raises(ValueError, match="Received an invalid value for argument `groups`"):
        GroupNormalization(groups=0)
    with pytest.raises(ValueError, match=r"Number of groups \(3\) must be a multiple of the number of channels"):
        GroupNormalization(groups=3)(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"Number of groups \(32\) cannot be more than the number of channels \(4\)"):
        GroupNormalization()(np.ones((2, 4)))
    with pytest.raises(ValueError, match="The mask provided should be one dimension less than the inputs"):
        BatchNormalization()(np.ones((2, 3)), training=True, mask=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer = BatchNormalization()
        layer(np.ones((2, 3)))
        layer(np.ones((2, 4)))
    with pytest.raises(ValueError, match="only supported with the TensorFlow backend"):
        BatchNormalization(synchronized=True)
    with pytest.raises(TypeError, match="Expected an int or a list/tuple of ints for the argument 'axis'"):
        LayerNormalization(axis="last")
    with pytest.raises(TypeError, match="Invalid value for `axis` argument"):
        UnitNormalization(axis=None)
    with pytest.raises(ValueError, match="Axis 3 is out of bounds for input shape"):
        LayerNormalization(axis=3).compute_output_shape((None, 2, 3))
    with pytest.warns(UserWarning, match="rms_scaling=True`, which is deprecated"):
        LayerNormalization(rms_scaling=True)


@pytest.mark.parametrize("layer", [
    BatchNormalization(axis=1, momentum=0.9, epsilon=0.01, center=False, gamma_initializer="random_normal",
                       beta_regularizer="l2", gamma_constraint="non_neg", name="bn"),
    LayerNormalization(axis=[1, 2], epsilon=1e-5, scale=False),
    GroupNormalization(groups=2, axis=1, beta_initializer="ones"),
    UnitNormalization(axis=[1, 2]),
], ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    y = layer(x, training=False)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x, training=False).numpy(), y.numpy())
