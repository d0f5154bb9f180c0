"""Merging layers (``kerasnb.layers.merging``) against real Keras and by themselves.

The Keras values come from ``tests/reference/misc_layers_reference.npz``, written by
``tests/reference/make_misc_layer_refs.py`` under real Keras 3 (torch backend); this test needs NumPy only. For
every recorded case: the output (and its mask) on the same inputs and masks, the gradients of ``sum(y * g)``
with respect to the inputs, the symbolic output shape, and the config keys. Then float64 gradient checks,
functional models, Keras's shape errors and config round trips.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.layers import merging
from kerasnb.layers.merging import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract
from kerasnb.testing import check_gradients

FIXTURE = Path(__file__).parent / "reference" / "misc_layers_reference.npz"
CLASSES = {cls.__name__: cls for cls in (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot)}


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    return json.loads(str(arrays.pop("__cases__"))), json.loads(str(arrays.pop("__meta__"))), arrays


CASES, META, ARRAYS = _load()
LAYER_CASES = [c for c in CASES if c["kind"] == "layer" and c["layer"] in CLASSES]
RTOL, ATOL = 1e-5, 1e-5  # float32; every merge is one or two float32 operations per element


def _array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def _inputs(case):
    """The case's input tensors (a list), each carrying its recorded mask as ``_keras_mask``."""
    tensors = []
    for i, key in enumerate(case["input_masks"] or [None] * case["n_inputs"]):
        x = ops.convert_to_tensor(_array(case, f"x{i}"))
        if key is not None:
            x._keras_mask = ops.convert_to_tensor(_array(case, key))
        tensors.append(x)
    return tensors


def _layer(case):
    return CLASSES[case["layer"]](**case["config"])


def test_fixture_is_from_real_keras():
    assert META["keras_version"].startswith("3.") and META["backend"] == "torch"
    assert len(LAYER_CASES) >= 25


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_forward_and_mask_match_keras(case):
    y = _layer(case)(_inputs(case))
    want = _array(case, "y")
    assert y.shape == want.shape and y.dtype == want.dtype
    np.testing.assert_allclose(y.numpy(), want, rtol=RTOL, atol=ATOL)
    mask = getattr(y, "_keras_mask", None)
    if f"{case['name']}/y_mask" in ARRAYS:
        assert mask is not None, "Keras attaches a mask to this output"
        np.testing.assert_array_equal(ops.convert_to_numpy(mask), _array(case, "y_mask"))
    else:
        assert mask is None, "Keras attaches no mask to this output"


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_input_gradients_match_keras(case):
    xs = _inputs(case)
    with keras.GradientTape() as tape:
        tape.watch(xs)
        y = _layer(case)(xs)
    grads = tape.gradient(y, xs, output_gradients=_array(case, "g"), unconnected_gradients="zero")
    for i, grad in enumerate(grads):
        np.testing.assert_allclose(grad.numpy(), _array(case, f"dx{i}"), rtol=RTOL, atol=ATOL, err_msg=f"dx{i}")


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_symbolic_shape_params_and_config_keys_match_keras(case):
    inputs = [keras.Input(shape=_array(case, f"x{i}").shape[1:]) for i in range(case["n_inputs"])]
    layer = _layer(case)
    out = layer(inputs)
    assert list(out.shape) == case["output_shape"] == [None, *_array(case, "y").shape[1:]]
    shapes = [tuple(t.shape) for t in inputs]
    assert list(layer.compute_output_shape(shapes)) == case["output_shape"]
    assert layer.count_params() == case["count_params"] == 0
    assert sorted(layer.get_config()) == case["keras_config_keys"]


# ---------------------------------------------------------------------------------------------------------
# Float64 gradient checks on tiny shapes
# ---------------------------------------------------------------------------------------------------------

rng = np.random.default_rng(7)


def _n(*shape):
    return rng.standard_normal(shape)


GRAD_CASES = [
    ("add", Add, {}, [_n(2, 3), _n(2, 3), _n(2, 3)]),
    ("add_broadcast_rank", Add, {}, [_n(2, 2, 3), _n(2, 3)]),
    ("subtract", Subtract, {}, [_n(2, 3), _n(2, 3)]),
    ("multiply", Multiply, {}, [_n(2, 3), _n(2, 3), _n(2, 3)]),
    ("average", Average, {}, [_n(2, 3), _n(2, 3)]),
    ("maximum", Maximum, {}, [_n(2, 3), _n(2, 3), _n(2, 3)]),
    ("minimum", Minimum, {}, [_n(2, 3), _n(2, 3)]),
    ("concatenate", Concatenate, {}, [_n(2, 2, 3), _n(2, 2, 1)]),
    ("concatenate_axis1", Concatenate, {"axis": 1}, [_n(2, 1, 3), _n(2, 2, 3)]),
    ("dot", Dot, {"axes": 1}, [_n(2, 3), _n(2, 3)]),
    ("dot_pair", Dot, {"axes": (1, 2)}, [_n(2, 3, 2), _n(2, 4, 3)]),
    ("dot_4d", Dot, {"axes": (3, 1)}, [_n(2, 2, 2, 3), _n(2, 3, 2)]),
    ("dot_normalize", Dot, {"axes": 1, "normalize": True}, [_n(2, 3, 2), _n(2, 3, 2)]),
]


@pytest.mark.parametrize("name, cls, config, xs", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_float64(name, cls, config, xs):
    layer = cls(dtype="float64", **config)
    report = check_gradients(lambda *ts: layer(list(ts)), *xs)
    assert report.ok and report.worst is not None


MASK_A = np.array([[True, False, True], [False, False, True]])
MASK_B = np.array([[True, True, False], [False, True, True]])


@pytest.mark.parametrize("cls", [Add, Multiply, Maximum, Minimum, Concatenate])
def test_masked_gradients_float64(cls):
    layer = cls(dtype="float64")
    masks = [ops.convert_to_tensor(MASK_A), ops.convert_to_tensor(MASK_B)]
    report = check_gradients(lambda a, b: layer([a, b], mask=masks), _n(2, 3, 2), _n(2, 3, 2))
    assert report.ok


# ---------------------------------------------------------------------------------------------------------
# Functional models, functional forms, masks
# ---------------------------------------------------------------------------------------------------------


def test_concatenate_in_a_functional_model_matches_keras():
    case = next(c for c in CASES if c["name"] == "concatenate_model")
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(2,))
    joined = Concatenate()([keras.layers.Dense(4)(a), keras.layers.Dense(2)(b)])
    assert joined.shape == (None, 6)
    model = keras.Model([a, b], keras.layers.Dense(1)(joined))
    model.set_weights([_array(case, f"w{i}") for i in range(6)])
    assert model.count_params() == case["count_params"]
    prediction = model.predict([_array(case, "a"), _array(case, "b")], verbose=0)
    np.testing.assert_allclose(prediction, _array(case, "prediction"), rtol=1e-5, atol=1e-6)


def test_every_merge_works_in_a_trainable_functional_model():
    a, b = keras.Input(shape=(4,)), keras.Input(shape=(4,))
    branches = [merging.add([a, b]), merging.subtract([a, b]), merging.multiply([a, b]), merging.average([a, b]),
                merging.maximum([a, b]), merging.minimum([a, b]), merging.dot([a, b], axes=1)]
    merged = merging.concatenate(branches)
    assert merged.shape == (None, 6 * 4 + 1)
    model = keras.Model([a, b], keras.layers.Dense(1)(merged))
    model.compile(optimizer="sgd", loss="mse")
    x1, x2 = rng.standard_normal((8, 4)), rng.standard_normal((8, 4))
    history = model.fit([x1, x2], rng.standard_normal((8, 1)), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    want = np.concatenate([x1 + x2, x1 - x2, x1 * x2, (x1 + x2) / 2, np.maximum(x1, x2), np.minimum(x1, x2),
                           (x1 * x2).sum(1, keepdims=True)], axis=1)
    inner = keras.Model([a, b], merged)
    np.testing.assert_allclose(inner.predict([x1, x2], verbose=0), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fn, cls", [(merging.add, Add), (merging.subtract, Subtract), (merging.multiply, Multiply),
                                     (merging.average, Average), (merging.maximum, Maximum),
                                     (merging.minimum, Minimum), (merging.concatenate, Concatenate)])
def test_functional_forms_equal_their_layers(fn, cls):
    xs = [rng.standard_normal((2, 3)), rng.standard_normal((2, 3))]
    np.testing.assert_array_equal(fn(xs).numpy(), cls()(xs).numpy())
    assert isinstance(fn([keras.Input(shape=(3,)), keras.Input(shape=(3,))], name="joined")._keras_history[0], cls)


def test_dot_functional_form_takes_axes_and_normalize():
    x, y = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    got = merging.dot([x, y], axes=1, normalize=True).numpy()
    want = (x * y).sum(1, keepdims=True) / np.linalg.norm(x, axis=1, keepdims=True) / np.linalg.norm(y, axis=1,
                                                                                                      keepdims=True)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_masks_flow_from_an_input_tensor_through_merges():
    x = ops.convert_to_tensor(np.ones((2, 3, 4), "float32"))
    x._keras_mask = ops.convert_to_tensor(MASK_A)
    y = ops.convert_to_tensor(np.ones((2, 3, 4), "float32"))
    y._keras_mask = ops.convert_to_tensor(MASK_B)
    np.testing.assert_array_equal(Add()([x, y])._keras_mask.numpy(), MASK_A | MASK_B)
    assert getattr(Add()([x, np.ones((2, 3, 4))]), "_keras_mask", None) is None  # one input without a mask
    assert getattr(Dot(axes=2)([x, y]), "_keras_mask", None) is None  # Dot drops masks


# ---------------------------------------------------------------------------------------------------------
# Shapes and Keras's errors
# ---------------------------------------------------------------------------------------------------------


def test_output_shapes_broadcast_and_keep_unknown_sizes():
    assert Add().compute_output_shape([(None, 3, 4), (None, 1, 4)]) == (None, 3, 4)
    assert Add().compute_output_shape([(2, None, 4), (2, 5, 4)]) == (2, None, 4)
    assert Concatenate(axis=1).compute_output_shape([(None, 2, 4), (None, None, 4)]) == (None, None, 4)
    assert Dot(axes=(1, 2)).compute_output_shape([(None, 3, 5), (None, 10, 3)]) == (None, 5, 10)
    assert Dot(axes=1).compute_output_shape([(None, 3), (None, 3)]) == (None, 1)


def test_errors_match_keras():
    with pytest.raises(ValueError, match="Inputs have incompatible shapes. Received shapes \\(4,\\) and \\(3,\\)"):
        Add()([keras.Input(shape=(4,)), keras.Input(shape=(3,))])
    with pytest.raises(ValueError, match="A merge layer should be called on a list of inputs"):
        Add()(np.ones((2, 3)))
    with pytest.raises(ValueError, match="Cannot merge tensors with different batch sizes"):
        Add()([np.ones((2, 3)), np.ones((3, 3))])
    with pytest.raises(ValueError, match="A `Subtract` layer should be called on exactly 2 inputs"):
        Subtract()([np.ones((2, 3))] * 3)
    with pytest.raises(ValueError, match="A `Concatenate` layer requires inputs with matching shapes except for the "
                                         "concatenation axis"):
        Concatenate()([keras.Input(shape=(4, 3)), keras.Input(shape=(3, 3))])
    with pytest.raises(ValueError, match="A `Concatenate` layer should be called on a list of at least 1 input"):
        Concatenate()(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Incompatible input shapes: axis values 3 \(at axis 1\) != 4 \(at axis 1\)"):
        Dot(axes=1)([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="A `Dot` layer should be called on a list of 2 inputs"):
        Dot(axes=1)([np.ones((2, 3))] * 3)
    with pytest.raises(TypeError, match="Invalid type for argument `axes`"):
        Dot(axes="1")
    with pytest.raises(ValueError, match="it should contain two elements"):
        Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="Cannot perform batch_dot over axis 0"):
        Dot(axes=0)([np.ones((2, 3)), np.ones((2, 3))])


@pytest.mark.parametrize("layer", [Add(name="plus"), Multiply(trainable=False), Concatenate(axis=1),
                                   Dot(axes=(1, 2), normalize=True), Maximum(dtype="float64")],
                         ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    xs = [rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3, 3))]
    np.testing.assert_array_equal(clone(xs).numpy(), layer(xs).numpy())
