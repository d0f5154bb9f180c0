"""Configs, the registry and architecture-only JSON/YAML: every layer round-trips, models of every kind rebuild
with the same predictions, configs written by real Keras 3 and by tf-keras load, and loading never imports or
runs anything a config names (``../shared/keras-formats.md`` section 3)."""

import base64
import importlib.util
import json
import marshal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.saving import object_registration as registration
from kerasnb.saving.serialization_lib import (
    MAX_CONFIG_DEPTH,
    ObjectSharingScope,
    SafeModeScope,
    deserialize_keras_object,
    in_safe_mode,
    serialize_keras_object,
    serialize_legacy_model_config,
)


def _load_catalogue():
    # pytest runs with --import-mode=importlib: the tests folder is not on sys.path, so load the helper by path.
    path = Path(__file__).with_name("layer_catalogue.py")
    spec = importlib.util.spec_from_file_location("layer_catalogue", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("layer_catalogue", module)
    spec.loader.exec_module(module)
    return module


catalogue = _load_catalogue()
ENTRIES = catalogue.CATALOGUE


outputs_of = catalogue.predictions


def assert_same_predictions(model, clone, x):
    clone.set_weights(model.get_weights())
    for a, b in zip(outputs_of(model, x), outputs_of(clone, x)):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


@pytest.fixture(autouse=True)
def _clean_registry():
    before = dict(registration.get_custom_objects())
    names = dict(registration._GLOBAL_CUSTOM_NAMES)
    yield
    registration.get_custom_objects().clear()
    registration.get_custom_objects().update(before)
    registration._GLOBAL_CUSTOM_NAMES.clear()
    registration._GLOBAL_CUSTOM_NAMES.update(names)


# ---------------------------------------------------------------------------------------------------------
# Every layer: JSON and YAML round trips
# ---------------------------------------------------------------------------------------------------------


def test_the_catalogue_covers_every_exported_layer_class():
    exported = [name for name in keras.layers.__all__
                if isinstance(getattr(keras.layers, name), type) and issubclass(getattr(keras.layers, name),
                                                                                keras.layers.Layer)]
    ids = {entry_id for entry_id, _, _ in ENTRIES}
    assert len(exported) == 121
    assert [name for name in exported if name not in ids and name not in catalogue.ALIASES] == []
    for alias, entry_id in catalogue.ALIASES.items():
        assert getattr(keras.layers, alias) is getattr(keras.layers, entry_id)


@pytest.fixture
def pyyaml():
    """PyYAML, or a skip: the YAML files need it, and it has no pure-Python wheel for Pyodide (JupyterLite)."""
    return pytest.importorskip("yaml")


@pytest.mark.parametrize("entry_id, factory, spec", ENTRIES, ids=[e[0] for e in ENTRIES])
def test_every_layer_round_trips_through_json(entry_id, factory, spec):
    model = catalogue.build_model(factory, spec)
    cls = getattr(keras.layers, entry_id)
    assert any(isinstance(layer, cls) for layer in model._flatten_layers())
    x = catalogue.sample_inputs(spec)
    first = outputs_of(model, x)
    for a, b in zip(first, outputs_of(model, x)):
        np.testing.assert_array_equal(a, b)  # deterministic in inference
    text = model.to_json()
    assert json.loads(text) == json.loads(json.dumps(json.loads(text)))
    assert '"__lambda__"' not in text and '"code"' not in text  # kerasnb never writes bytecode
    clone = keras.models.model_from_json(text)
    assert type(clone) is type(model)
    assert [type(layer) for layer in clone._flatten_layers()] == [type(layer) for layer in model._flatten_layers()]
    assert clone.to_json() == text  # the same config again
    assert_same_predictions(model, clone, x)


@pytest.mark.parametrize("entry_id, factory, spec", ENTRIES, ids=[e[0] for e in ENTRIES])
def test_every_layer_round_trips_through_yaml(entry_id, factory, spec, pyyaml):
    model = catalogue.build_model(factory, spec)
    x = catalogue.sample_inputs(spec)
    from_yaml = keras.models.model_from_yaml(model.to_yaml())
    assert_same_predictions(model, from_yaml, x)


@pytest.mark.parametrize("entry_id, factory, spec", ENTRIES[:12], ids=[e[0] for e in ENTRIES[:12]])
def test_layers_round_trip_alone_with_their_build_config(entry_id, factory, spec):
    model = catalogue.build_model(factory, spec)
    layer = model.layers[-1]
    config = serialize_keras_object(layer)
    clone = deserialize_keras_object(json.loads(json.dumps(config)))
    assert type(clone) is type(layer) and clone.name == layer.name
    assert clone.built == layer.built
    assert [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in layer.weights]


# ---------------------------------------------------------------------------------------------------------
# What real Keras writes, key by key
# ---------------------------------------------------------------------------------------------------------


def test_module_strings_and_registered_names_are_keras_3s():
    dense = keras.layers.Dense(2, activation="relu", kernel_regularizer="l2", kernel_constraint="max_norm")
    dense.build((None, 3))
    config = serialize_keras_object(dense)
    assert (config["module"], config["class_name"], config["registered_name"]) == ("keras.layers", "Dense", None)
    assert config["build_config"] == {"input_shape": [None, 3]}
    inner = config["config"]
    assert inner["dtype"] == {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                              "registered_name": None}
    assert inner["activation"] == "relu"  # built-in activations are plain strings
    assert inner["kernel_initializer"]["module"] == "keras.initializers"
    assert inner["kernel_regularizer"]["module"] == "keras.regularizers"
    assert inner["kernel_constraint"]["module"] == "keras.constraints"
    assert inner["quantization_config"] is None and "activity_regularizer" not in inner
    assert list(inner) == ["name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer",
                           "bias_initializer", "kernel_regularizer", "bias_regularizer", "kernel_constraint",
                           "bias_constraint", "quantization_config"]
    sequential = keras.Sequential([keras.Input((3,)), dense])
    functional = keras.Model(sequential.input, sequential.output)
    assert serialize_keras_object(sequential)["module"] == "keras"
    assert (serialize_keras_object(functional)["module"], serialize_keras_object(functional)["registered_name"]) == (
        "keras.src.models.functional", "Functional")
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    for obj, module in [(keras.optimizers.Adam(schedule), "keras.optimizers"),
                        (schedule, "keras.optimizers.schedules"),
                        (keras.losses.MeanSquaredError(), "keras.losses"),
                        (keras.metrics.AUC(), "keras.metrics")]:
        assert serialize_keras_object(obj)["module"] == module
    assert serialize_keras_object(keras.losses.mean_squared_error) == {
        "module": "keras.losses", "class_name": "function", "config": "mean_squared_error",
        "registered_name": "function"}
    inputs = json.loads(json.dumps(serialize_keras_object(sequential)))["config"]["layers"][0]
    assert inputs["config"] == {"batch_shape": [None, 3], "dtype": "float32", "sparse": False, "ragged": False,
                                "name": inputs["config"]["name"], "optional": False}


def test_sequential_config_is_keras_3s():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), name="d")], name="seq")
    config = model.get_config()
    assert list(config) == ["name", "trainable", "dtype", "layers", "build_input_shape"]
    assert [layer["class_name"] for layer in config["layers"]] == ["InputLayer", "Dense"]
    assert "batch_input_shape" not in config["layers"][1]["config"]  # the InputLayer holds the shape
    assert config["build_input_shape"] == [None, 3]
    unbuilt = keras.Sequential([keras.layers.Dense(2)], name="later")
    config = json.loads(unbuilt.to_json())
    assert "build_input_shape" not in config["config"] and "build_config" not in config
    clone = keras.models.model_from_json(unbuilt.to_json())
    assert not clone.built
    assert clone(np.ones((1, 5), "float32")).shape == (1, 2)


def test_functional_config_is_keras_3s():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = keras.layers.Dense(2, name="shared")
    joined = keras.layers.Concatenate(name="cat")([shared(a), shared(b)])
    model = keras.Model([a, b], [keras.layers.Dense(1, name="o1")(joined), keras.layers.Dense(2, name="o2")(joined)],
                        name="two")
    config = model.get_config()
    assert list(config) == ["name", "trainable", "layers", "input_layers", "output_layers"]
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["o1", 0, 0], ["o2", 0, 0]]
    entries = {entry["name"]: entry for entry in config["layers"]}
    assert entries["a"]["inbound_nodes"] == []
    shared_nodes = entries["shared"]["inbound_nodes"]
    assert [node["args"][0]["config"]["keras_history"] for node in shared_nodes] == [["a", 0, 0], ["b", 0, 0]]
    assert shared_nodes[0] == {"args": [{"class_name": "__keras_tensor__",
                                         "config": {"shape": [None, 3], "dtype": "float32",
                                                    "keras_history": ["a", 0, 0]}}], "kwargs": {}}
    assert [t["config"]["keras_history"] for t in entries["cat"]["inbound_nodes"][0]["args"][0]] == [
        ["shared", 0, 0], ["shared", 1, 0]]


# ---------------------------------------------------------------------------------------------------------
# Models of every kind
# ---------------------------------------------------------------------------------------------------------


def test_functional_with_shared_layers_and_several_inputs_and_outputs_round_trips():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = keras.layers.Dense(2, activation="tanh", name="shared")
    joined = keras.layers.Concatenate(name="cat")([shared(a), shared(b)])
    model = keras.Model([a, b], [keras.layers.Dense(1, name="o1")(joined), keras.layers.Dense(2, name="o2")(joined)])
    clone = keras.models.model_from_json(model.to_json())
    assert clone.input_names == ["a", "b"] and clone.output_names == ["o1", "o2"]
    assert len(clone.get_layer("shared")._inbound_nodes) == 2 and clone.count_params() == model.count_params()
    x = [np.random.default_rng(0).normal(size=(4, 3)).astype("float32") for _ in range(2)]
    assert_same_predictions(model, clone, x)


def test_dict_inputs_and_outputs_round_trip():
    p, q = keras.Input((3,), name="p"), keras.Input((2,), name="q")
    joined = keras.layers.Concatenate()([p, q])
    model = keras.Model({"p": p, "q": q}, {"out": keras.layers.Dense(1, name="out")(joined)})
    config = model.get_config()
    assert config["input_layers"] == {"p": ["p", 0, 0], "q": ["q", 0, 0]}
    assert config["output_layers"] == {"out": ["out", 0, 0]}
    clone = keras.models.model_from_json(model.to_json())
    x = {"p": np.ones((2, 3), "float32"), "q": np.full((2, 2), 2.0, "float32")}
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(x, verbose=0)["out"], model.predict(x, verbose=0)["out"])


def test_nested_sequential_and_functional_models_round_trip():
    inner_seq = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                                  keras.layers.BatchNormalization()], name="inner_seq")
    x_in = keras.Input((3,))
    inner_fn = keras.Model(x_in, keras.layers.Dense(4, name="lift")(x_in), name="inner_fn")
    x = keras.Input((3,), name="x")
    y = inner_seq(inner_fn(x))
    model = keras.Model(x, keras.layers.Dense(1, name="head")(y), name="outer")
    clone = keras.models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in clone.layers] == ["InputLayer", "Functional", "Sequential", "Dense"]
    assert_same_predictions(model, clone, np.random.default_rng(1).normal(size=(5, 3)).astype("float32"))


def test_a_layer_shared_by_a_nested_model_and_the_outer_graph_stays_one_layer():
    shared = keras.layers.Dense(3, name="shared")
    inner = keras.Sequential([keras.Input((3,)), shared], name="inner")
    x = keras.Input((3,))
    model = keras.Model(x, keras.layers.Add()([inner(x), shared(x)]))
    text = model.to_json()
    assert text.count('"shared_object_id"') == 2  # the first occurrence holds the config, the second points at it
    clone = keras.models.model_from_json(text)
    assert clone.get_layer("inner").layers[0] is clone.get_layer("shared")
    assert len(clone.weights) == len(model.weights) == 2
    assert_same_predictions(model, clone, np.ones((2, 3), "float32"))


def test_operators_on_symbolic_tensors_are_saved_as_keras_operations():
    x = keras.Input((3,), name="x")
    d = keras.layers.Dense(3, name="d")(x)
    y = -((d * 2.0 + x) / 4.0 - x[:, 0:1]) @ np.eye(3, dtype="float32")[:, :2] ** 1.0
    model = keras.Model(x, y)
    config = model.get_config()
    ops = [(entry["module"], entry["class_name"], entry["registered_name"]) for entry in config["layers"][2:]]
    assert ("keras.src.ops.numpy", "Multiply", "Multiply") in ops
    assert ("keras.src.ops.numpy", "GetItem", "GetItem") in ops
    assert {class_name for _, class_name, _ in ops} >= {"Multiply", "Add", "TrueDivide", "Subtract", "GetItem",
                                                         "Negative", "Matmul"}
    clone = keras.models.model_from_json(model.to_json())
    assert_same_predictions(model, clone, np.random.default_rng(2).normal(size=(4, 3)).astype("float32"))


@pytest.mark.parametrize("registered", [False, True])
def test_subclassed_model_with_get_config_round_trips(registered):
    class Scaled(keras.Model):
        def __init__(self, units=2, factor=1.0, **kwargs):
            super().__init__(**kwargs)
            self.units, self.factor = units, factor
            self.dense = keras.layers.Dense(units)

        def call(self, x):
            return self.dense(x) * self.factor

        def get_config(self):
            return {**super().get_config(), "units": self.units, "factor": self.factor}

    if registered:
        registration.register_keras_serializable(package="tests")(Scaled)
    model = Scaled(3, factor=0.5, name="scaled")
    x = np.ones((2, 4), "float32")
    model(x)
    config = json.loads(model.to_json())
    assert config["class_name"] == "Scaled" and config["build_config"] == {"input_shape": [2, 4]}
    assert config["registered_name"] == ("tests>Scaled" if registered else "Scaled")
    custom = None if registered else {"Scaled": Scaled}
    clone = keras.models.model_from_json(model.to_json(), custom_objects=custom)
    assert isinstance(clone, Scaled) and clone.units == 3 and clone.factor == 0.5 and clone.built
    assert_same_predictions(model, clone, x)
    with pytest.raises(ValueError, match="Could not locate class 'Scaled'.*custom_objects"):
        if registered:
            registration.get_custom_objects().clear()
        keras.models.model_from_json(model.to_json())


def test_subclassed_model_without_get_config_cannot_be_saved_as_a_config():
    class Plain(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Plain()
    model(np.ones((1, 3), "float32"))
    with pytest.raises(TypeError, match="without a get_config.*save_weights"):
        model.to_json()


def test_custom_layer_needing_arguments_must_define_get_config():
    class NeedsUnits(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

    with pytest.raises(TypeError, match=r"arguments \['units'\].*must override `get_config\(\)`"):
        serialize_keras_object(NeedsUnits(3))


def test_compile_config_round_trips_with_objects():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")])
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=keras.losses.Huber(delta=2.0),
                  metrics=[keras.metrics.MeanAbsoluteError(), "mse", keras.metrics.mean_squared_error],
                  loss_weights=[0.5], weighted_metrics=["mae"])
    config = model.get_compile_config()
    assert list(config) == ["optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                            "steps_per_execution", "jit_compile"]
    assert config["optimizer"]["class_name"] == "SGD" and config["optimizer"]["config"]["momentum"] == 0.9
    assert config["loss"]["class_name"] == "Huber" and config["metrics"][1] == "mse"
    clone = keras.models.model_from_json(model.to_json())
    assert clone.compiled and clone.get_compile_config() == config
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    clone.set_weights(model.get_weights())
    assert clone.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    uncompiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert uncompiled.get_compile_config() is None and "compile_config" not in json.loads(uncompiled.to_json())


def test_compile_from_config_reads_tf_keras_training_configs():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile_from_config({
        "loss": "categorical_crossentropy", "loss_weights": None, "weighted_metrics": None,
        "metrics": [[{"class_name": "MeanMetricWrapper",
                      "config": {"name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"}}]],
        "optimizer": {"class_name": "Custom>Adam", "config": {"name": "Adam", "learning_rate": 0.01, "beta_1": 0.9,
                                                              "is_legacy_optimizer": False, "jit_compile": True}},
    })
    assert type(model.optimizer).__name__ == "Adam" and float(model.optimizer.learning_rate) == pytest.approx(0.01)
    logs = model.evaluate(np.ones((2, 3), "float32"), np.eye(2, dtype="float32"), return_dict=True, verbose=0)
    assert set(logs) == {"loss", "accuracy"}


def test_build_configs():
    attention = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    attention(np.ones((1, 2, 4), "float32"), np.ones((1, 5, 4), "float32"))
    config = attention.get_build_config()
    assert config == {"shapes_dict": {"query_shape": [1, 2, 4], "value_shape": [1, 5, 4]}}
    clone = keras.layers.MultiHeadAttention.from_config(attention.get_config())
    clone.build_from_config(config)
    assert [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in attention.weights]
    merge = keras.layers.Concatenate()
    merge.build([(None, 3), (None, 2)])
    assert merge.get_build_config() == {"input_shape": [[None, 3], [None, 2]]}
    assert keras.layers.Dense(2).get_build_config() is None
    with pytest.raises(ValueError, match="build config is a dict"):
        keras.layers.Dense(2).build_from_config([None, 3])


def test_configs_written_by_keras_layers_with_keras_3_keys_load():
    config = {"name": "d", "trainable": True, "units": 2, "quantization_config": None, "lora_rank": None,
              "lora_alpha": None, "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                            "config": {"name": "float64"}, "registered_name": None}}
    layer = keras.layers.Dense.from_config(config)
    assert layer.dtype == "float64" and layer.dtype_policy.name == "float64"
    with pytest.raises(ValueError, match="Dense: quantized layers are not supported.*int8"):
        keras.layers.Dense.from_config({**config, "quantization_config": {"mode": "int8"}})
    with pytest.raises(ValueError, match="Dense: LoRA is not supported.*lora_rank=4"):
        keras.layers.Dense.from_config({**config, "lora_rank": 4})
    with pytest.raises(ValueError, match="mixed precision"):
        keras.layers.Dense.from_config({**config, "dtype": "mixed_float16"})
    with pytest.raises(ValueError, match="quantized"):
        keras.layers.Dense.from_config({**config, "dtype": {"module": "keras", "class_name": "QuantizedDTypePolicy",
                                                             "config": {"name": "int8_from_float32"}}})
    with pytest.raises(TypeError, match="Unrecognized keyword arguments passed to Conv2D"):
        keras.layers.Conv2D.from_config({"filters": 2, "kernel_size": 3, "lora_rank": None})
    with pytest.raises(ValueError, match="Ragged inputs are not supported"):
        keras.layers.InputLayer.from_config({"batch_shape": [None, 3], "ragged": True})


# ---------------------------------------------------------------------------------------------------------
# Real Keras 3 and tf-keras files
# ---------------------------------------------------------------------------------------------------------

# Written by Keras 3.15.1 (JAX backend): model.to_json() of
#     x = keras.Input((3,), name="x"); d = keras.layers.Dense(2, name="d")(x); y = -(d * 2.0 + x[:, 0:2])
# with kernel arange(6).reshape(3, 2) / 10 and bias [0.5, -0.5]; predict of [[1, 2, 3], [-1, 0, 1]] below.
KERAS3_OPS_JSON = (
    '{"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "ops", "trainable": '
    'true, "layers": [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], '
    '"dtype": "float32", "sparse": false, "ragged": false, "name": "x", "optional": false}, "registered_name": null, '
    '"name": "x", "inbound_nodes": []}, {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", '
    '"trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, '
    '"registered_name": null}, "units": 2, "activation": "linear", "use_bias": true, "kernel_initializer": '
    '{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, '
    '"output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", '
    '"class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": '
    'null, "kernel_constraint": null, "bias_constraint": null, "quantization_config": null}, "registered_name": '
    'null, "build_config": {"input_shape": [null, 3]}, "name": "d", "inbound_nodes": [{"args": [{"class_name": '
    '"__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["x", 0, 0]}}], '
    '"kwargs": {}}]}, {"module": "keras.src.ops.numpy", "class_name": "Multiply", "config": {"name": "multiply"}, '
    '"registered_name": "Multiply", "name": "multiply", "inbound_nodes": [{"args": [{"class_name": '
    '"__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["d", 0, 0]}}, 2.0], '
    '"kwargs": {}}]}, {"module": "keras.src.ops.numpy", "class_name": "GetItem", "config": {"name": "get_item"}, '
    '"registered_name": "GetItem", "name": "get_item", "inbound_nodes": [{"args": [{"class_name": '
    '"__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["x", 0, 0]}}, '
    '[{"class_name": "__slice__", "config": {"start": null, "stop": null, "step": null}}, {"class_name": '
    '"__slice__", "config": {"start": 0, "stop": 2, "step": null}}]], "kwargs": {}}]}, {"module": '
    '"keras.src.ops.numpy", "class_name": "Add", "config": {"name": "add"}, "registered_name": "Add", "name": "add", '
    '"inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": '
    '"float32", "keras_history": ["multiply", 0, 0]}}, {"class_name": "__keras_tensor__", "config": {"shape": '
    '[null, 2], "dtype": "float32", "keras_history": ["get_item", 0, 0]}}], "kwargs": {}}]}, {"module": '
    '"keras.src.ops.numpy", "class_name": "Negative", "config": {"name": "negative"}, "registered_name": '
    '"Negative", "name": "negative", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": '
    '{"shape": [null, 2], "dtype": "float32", "keras_history": ["add", 0, 0]}}], "kwargs": {}}]}], "input_layers": '
    '["x", 0, 0], "output_layers": ["negative", 0, 0]}, "registered_name": "Functional", "build_config": '
    '{"input_shape": null}, "compile_config": {}}'
)
KERAS3_OPS_PREDICTION = [[-5.199999809265137, -5.400000095367432], [-0.7999999523162842, 0.19999998807907104]]

# Keras 3.15.1: a compiled Sequential MLP (SGD(0.1), binary_crossentropy, accuracy); weights below.
KERAS3_MLP_JSON = (
    '{"module": "keras", "class_name": "Sequential", "config": {"name": "mlp", "trainable": true, "dtype": {"module": '
    '"keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "layers": '
    '[{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 2], "dtype": '
    '"float32", "sparse": false, "ragged": false, "name": "input_layer", "optional": false}, "registered_name": '
    'null}, {"module": "keras.layers", "class_name": "Dense", "config": {"name": "h", "trainable": true, "dtype": '
    '{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, '
    '"units": 3, "activation": "relu", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", '
    '"class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, '
    '"registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": '
    '{}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, '
    '"bias_constraint": null, "quantization_config": null}, "registered_name": null, "build_config": '
    '{"input_shape": [null, 2]}}, {"module": "keras.layers", "class_name": "Dense", "config": {"name": "o", '
    '"trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, '
    '"registered_name": null}, "units": 1, "activation": "sigmoid", "use_bias": true, "kernel_initializer": '
    '{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, '
    '"output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", '
    '"class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": '
    'null, "kernel_constraint": null, "bias_constraint": null, "quantization_config": null}, "registered_name": '
    'null, "build_config": {"input_shape": [null, 3]}}], "build_input_shape": [null, 2]}, "registered_name": null, '
    '"build_config": {"input_shape": [null, 2]}, "compile_config": {"optimizer": {"module": "keras.optimizers", '
    '"class_name": "SGD", "config": {"name": "sgd", "learning_rate": 0.10000000149011612, "weight_decay": null, '
    '"clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, '
    '"ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null, "momentum": '
    '0.0, "nesterov": false}, "registered_name": null}, "loss": "binary_crossentropy", "loss_weights": null, '
    '"metrics": ["accuracy"], "weighted_metrics": null, "run_eagerly": false, "steps_per_execution": 1, '
    '"jit_compile": true}}'
)
KERAS3_MLP_WEIGHTS = [np.array([[1, -1, 0.5], [0.5, 1, -1]], "float32"), np.zeros(3, "float32"),
                      np.array([[1], [-1], [2]], "float32"), np.array([0.1], "float32")]
KERAS3_MLP_PREDICTION = [[0.7502601146697998], [0.19781610369682312]]


def test_real_keras_3_functional_json_with_operations_loads_and_predicts_the_same():
    model = keras.models.model_from_json(KERAS3_OPS_JSON)
    assert [type(layer).__name__ for layer in model._layers] == ["InputLayer", "Dense", "SymbolicOp", "SymbolicOp",
                                                                  "SymbolicOp", "SymbolicOp"]
    model.set_weights([np.arange(6, dtype="float32").reshape(3, 2) / 10, np.array([0.5, -0.5], "float32")])
    y = model.predict(np.array([[1, 2, 3], [-1, 0, 1]], "float32"), verbose=0)
    np.testing.assert_allclose(y, KERAS3_OPS_PREDICTION, rtol=1e-6)
    again = json.loads(model.to_json())
    assert [entry["class_name"] for entry in again["config"]["layers"]] == [
        "InputLayer", "Dense", "Multiply", "GetItem", "Add", "Negative"]


def test_real_keras_3_compiled_sequential_json_loads_compiled():
    model = keras.models.model_from_json(KERAS3_MLP_JSON)
    assert model.name == "mlp" and model.compiled and type(model.optimizer).__name__ == "SGD"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)
    model.set_weights(KERAS3_MLP_WEIGHTS)
    y = model.predict(np.array([[1, 2], [-1, 0.5]], "float32"), verbose=0)
    np.testing.assert_allclose(y, KERAS3_MLP_PREDICTION, rtol=1e-6)
    logs = model.evaluate(np.ones((2, 2), "float32"), np.ones((2, 1), "float32"), return_dict=True, verbose=0)
    assert set(logs) == {"loss", "accuracy"}


# tf-keras (Keras 2) wrote model.to_json() like this: no "module", "batch_input_shape", "dtype" as a string, the
# old list form of inbound_nodes, and input/output layers as lists of triples.
TF_KERAS_FUNCTIONAL_JSON = json.dumps({
    "class_name": "Functional", "keras_version": "2.15.0", "backend": "tensorflow",
    "config": {
        "name": "model", "trainable": True,
        "layers": [
            {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False, "ragged": False,
                        "name": "input_1"}},
            {"class_name": "Dense", "name": "dense", "inbound_nodes": [[["input_1", 0, 0, {}]]],
             "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 4, "activation": "relu",
                        "use_bias": True,
                        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01}},
                        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                        "bias_constraint": None}},
            {"class_name": "Dropout", "name": "dropout", "inbound_nodes": [[["dense", 0, 0, {}]]],
             "config": {"name": "dropout", "trainable": True, "dtype": "float32", "rate": 0.5, "noise_shape": None,
                        "seed": None}},
            {"class_name": "Concatenate", "name": "concatenate",
             "inbound_nodes": [[["dropout", 0, 0, {}], ["input_1", 0, 0, {}]]],
             "config": {"name": "concatenate", "trainable": True, "dtype": "float32", "axis": -1}},
            {"class_name": "Dense", "name": "dense_1", "inbound_nodes": [[["concatenate", 0, 0, {}]]],
             "config": {"name": "dense_1", "trainable": True, "dtype": "float32", "units": 1,
                        "activation": "sigmoid", "use_bias": True,
                        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                        "bias_constraint": None}},
        ],
        "input_layers": [["input_1", 0, 0]],
        "output_layers": [["dense_1", 0, 0]],
    },
})

TF_KERAS_SEQUENTIAL_JSON = json.dumps({
    "class_name": "Sequential", "keras_version": "2.15.0", "backend": "tensorflow",
    "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 2], "dtype": "float32",
                                                "sparse": False, "ragged": False, "name": "lstm_input"}},
        {"class_name": "LSTM", "config": {"name": "lstm", "trainable": True, "dtype": "float32",
                                          "batch_input_shape": [None, 5, 2], "return_sequences": False,
                                          "return_state": False, "go_backwards": False, "stateful": False,
                                          "unroll": False, "time_major": False, "units": 3, "activation": "tanh",
                                          "recurrent_activation": "sigmoid", "use_bias": True,
                                          "kernel_initializer": {"class_name": "GlorotUniform",
                                                                 "config": {"seed": None}},
                                          "recurrent_initializer": {"class_name": "Orthogonal",
                                                                    "config": {"gain": 1.0, "seed": None}},
                                          "bias_initializer": {"class_name": "Zeros", "config": {}},
                                          "unit_forget_bias": True, "kernel_regularizer": None,
                                          "recurrent_regularizer": None, "bias_regularizer": None,
                                          "activity_regularizer": None, "kernel_constraint": None,
                                          "recurrent_constraint": None, "bias_constraint": None, "dropout": 0.0,
                                          "recurrent_dropout": 0.0, "implementation": 2}},
        {"class_name": "BatchNormalization", "config": {"name": "batch_normalization", "trainable": True,
                                                        "dtype": "float32", "axis": [1], "momentum": 0.99,
                                                        "epsilon": 0.001, "center": True, "scale": True}},
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 2,
                                           "activation": "softmax"}},
    ]},
})


def test_tf_keras_functional_json_loads():
    model = keras.models.model_from_json(TF_KERAS_FUNCTIONAL_JSON)
    assert [layer.name for layer in model.layers] == ["input_1", "dense", "dropout", "concatenate", "dense_1"]
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)
    assert len(model.losses) == 1  # the kernel regularizer came along
    x = keras.Input((3,))
    hidden = keras.layers.Dense(4, activation="relu")(x)
    same = keras.Model(x, keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Concatenate()([keras.layers.Dropout(0.5)(hidden), x])))
    same.set_weights([np.random.default_rng(i).normal(size=w.shape).astype("float32")
                      for i, w in enumerate(same.get_weights())])
    model.set_weights(same.get_weights())
    data = np.random.default_rng(3).normal(size=(4, 3)).astype("float32")
    np.testing.assert_array_equal(model.predict(data, verbose=0), same.predict(data, verbose=0))


def test_tf_keras_sequential_json_loads():
    model = keras.models.model_from_json(TF_KERAS_SEQUENTIAL_JSON)
    assert [type(layer).__name__ for layer in model.layers] == ["LSTM", "BatchNormalization", "Dense"]
    assert model.input_shape == (None, 5, 2) and model.output_shape == (None, 2) and model.count_params() == 92


def test_keras_2_0_sequential_config_as_a_bare_list_loads():
    config = {"class_name": "Sequential", "config": [
        {"class_name": "Dense", "config": {"units": 2, "batch_input_shape": [None, 3], "name": "d"}}]}
    assert keras.models.model_from_config(config).output_shape == (None, 2)


def test_older_tf_keras_model_class_name_and_three_element_nodes():
    config = {"class_name": "Model", "config": {
        "name": "old", "layers": [
            {"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 2], "dtype": "float32", "name": "in"}},
            {"class_name": "Dense", "name": "d", "inbound_nodes": [[["in", 0, 0]]],
             "config": {"units": 3, "name": "d"}}],
        "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}}
    model = keras.models.model_from_config(config)
    assert type(model).__name__ == "Functional" and model.output_shape == (None, 3)


# ---------------------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------------------


def test_register_keras_serializable_names_and_conflicts():
    @registration.register_keras_serializable(package="pkg")
    class First(keras.layers.Layer):
        pass

    assert registration.get_registered_name(First) == "pkg>First"
    assert registration.get_registered_object("pkg>First") is First
    assert registration.get_custom_objects()["pkg>First"] is First
    assert registration.get_registered_name(keras.layers.Dense) == "Dense"

    class Other(keras.layers.Layer):
        pass

    with pytest.raises(ValueError, match="'pkg>First' is already registered"):
        registration.register_keras_serializable(package="pkg", name="First")(Other)
    registration.register_keras_serializable(package="pkg", name="Renamed")(Other)
    assert serialize_keras_object(Other())["registered_name"] == "pkg>Renamed"

    # The same definition run again (a notebook cell re-run) replaces the old class.
    def define():
        @registration.register_keras_serializable(package="pkg")
        class Again(keras.layers.Layer):
            pass

        return Again

    first, second = define(), define()
    assert registration.get_registered_object("pkg>Again") is second is not first

    class NoConfig:
        pass

    with pytest.raises(ValueError, match="no get_config"):
        registration.register_keras_serializable()(NoConfig)
    with pytest.raises(ValueError, match="package"):
        registration.register_keras_serializable(package="a>b")


def test_registered_layer_and_function_load_without_custom_objects():
    @registration.register_keras_serializable(package="demo")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @registration.register_keras_serializable(package="demo")
    def cube(x):
        return x * x * x

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation=cube), Scale(3.0)])
    config = json.loads(model.to_json())
    layers = config["config"]["layers"]
    assert layers[1]["config"]["activation"] == "demo>cube"
    assert layers[2]["class_name"] == "Scale" and layers[2]["registered_name"] == "demo>Scale"
    clone = keras.models.model_from_json(model.to_json())
    assert clone.layers[0].activation is cube and clone.layers[1].factor == 3.0
    assert_same_predictions(model, clone, np.ones((2, 3), "float32"))


def test_custom_objects_and_scopes():
    def swish2(x):
        return x * keras.ops.sigmoid(2 * x)

    class Halve(keras.layers.Layer):
        def call(self, x):
            return x / 2

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation=swish2), Halve(name="halve")])
    text = model.to_json()
    with pytest.raises(ValueError, match="swish2"):
        keras.models.model_from_json(text, custom_objects={"Halve": Halve})
    with pytest.raises(ValueError, match="Could not locate class 'Halve'"):
        keras.models.model_from_json(text, custom_objects={"swish2": swish2})
    both = {"swish2": swish2, "Halve": Halve}
    assert keras.models.model_from_json(text, custom_objects=both).layers[1].name == "halve"
    with registration.custom_object_scope({"swish2": swish2}):
        with registration.CustomObjectScope({"Halve": Halve}):
            assert registration.get_registered_object("swish2") is swish2  # nested scopes add up
            clone = keras.models.model_from_json(text)
        assert registration.get_registered_object("Halve") is None
    assert registration.get_registered_object("swish2") is None
    assert_same_predictions(model, clone, np.ones((2, 2), "float32"))
    # an explicit custom_objects entry wins over a scope's
    with registration.custom_object_scope({"Halve": keras.layers.Identity}, {"swish2": swish2}):
        assert registration.get_registered_object("Halve", custom_objects={"Halve": Halve}) is Halve
    with pytest.raises(TypeError, match="dicts"):
        registration.custom_object_scope(["Halve"])


# ---------------------------------------------------------------------------------------------------------
# Safety: nothing a config names is imported, called or run
# ---------------------------------------------------------------------------------------------------------


def _sequential_around(layer_config):
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "s", "layers": [
                {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 3]}},
                layer_config]}}


GADGETS = [
    ("os", "system", {"command": "echo pwned"}),
    ("builtins", "eval", {"source": "1 + 1"}),
    ("subprocess", "Popen", {"args": ["true"]}),
    ("importlib", "import_module", {"name": "smtplib"}),
    ("keras.models", "load_model", {"filepath": "x.keras", "safe_mode": False}),
    ("kerasnb.models", "load_model", {"filepath": "x.keras"}),
    ("keras.utils", "get_file", {"origin": "http://127.0.0.1:9/x"}),
    ("kerasnb.utils", "get_file", {"origin": "http://127.0.0.1:9/x"}),
    ("keras.config", "enable_unsafe_deserialization", {}),
    ("keras.saving", "deserialize_keras_object", {"config": {}}),
    ("smtplib", "SMTP", {"host": "127.0.0.1"}),
    ("keras.layers", "Input", {"shape": [3]}),  # a function of the layers namespace, not a layer class
]


@pytest.mark.parametrize("module, name, config", GADGETS, ids=[f"{m}.{n}" for m, n, _ in GADGETS])
def test_configs_naming_non_modelling_objects_are_refused_and_import_nothing(module, name, config):
    before = set(sys.modules)
    for attack in ({"module": module, "class_name": name, "config": config, "registered_name": None},
                   _sequential_around({"module": module, "class_name": name, "config": config}),
                   {"module": module, "class_name": "function", "config": name, "registered_name": "function"}):
        with pytest.raises(ValueError, match=rf"Could not locate (class|function) '{name}'.*not a kerasnb modelling "
                                             r"object.*custom_objects"):
            keras.models.model_from_json(json.dumps(attack))
        with pytest.raises(ValueError, match=name):
            deserialize_keras_object(attack)
    assert set(sys.modules) == before


def test_named_functions_in_layer_configs_are_resolved_only_among_modelling_functions():
    for module, name in [("os", "system"), ("builtins", "eval"), ("builtins", "exec"), ("keras.utils", "get_file")]:
        lam = {"module": "keras.layers", "class_name": "Lambda", "config": {
            "name": "l", "function": {"module": module, "class_name": "function", "config": name,
                                      "registered_name": "function"}, "arguments": {}}}
        with pytest.raises(ValueError, match=f"Unknown function '{name}'"):
            keras.models.model_from_json(json.dumps(_sequential_around(lam)))
        with pytest.raises(ValueError, match=name):
            keras.layers.Dense.from_config({"units": 2, "activation": {"module": module, "class_name": "function",
                                                                       "config": name}})
    lam = {"module": "keras.layers", "class_name": "Lambda", "config": {
        "name": "l", "function": {"module": "builtins", "class_name": "function", "config": "relu"}}}
    model = keras.models.model_from_json(json.dumps(_sequential_around(lam)))  # Keras 3 writes "builtins"
    assert model.layers[0].function is keras.activations.relu


@pytest.mark.needs_subprocess
def test_loading_in_a_fresh_process_imports_nothing_named_by_configs():
    child = textwrap.dedent("""
        import json, sys
        import kerasnb as keras
        keras.models.model_from_json(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).to_json())
        before = set(sys.modules)
        refused = 0
        for module, name in [("smtplib", "SMTP"), ("antigravity", "geohash"), ("this", "s"), ("ftplib", "FTP"),
                             ("importlib", "import_module"), ("pydoc", "locate")]:
            for kind in ("class", "function"):
                config = ({"module": module, "class_name": name, "config": {}} if kind == "class" else
                          {"module": module, "class_name": "function", "config": name})
                try:
                    keras.models.model_from_json(json.dumps(config))
                except ValueError:
                    refused += 1
        print(json.dumps({"refused": refused, "new": sorted(set(sys.modules) - before)}))
    """)
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"refused": 12, "new": []}


def test_a_registered_name_that_disagrees_with_its_class_is_refused():
    dense = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2},
             "registered_name": "Custom>Evil"}
    with pytest.raises(ValueError, match="'Custom>Evil'.*disagree"):
        deserialize_keras_object(dense)
    with pytest.raises(ValueError, match="'Custom>Evil'.*Dropout.*'Dense'.*disagree"):
        deserialize_keras_object(dense, custom_objects={"Custom>Evil": keras.layers.Dropout})
    with pytest.raises(ValueError, match="'Custom>Evil'.*disagree"):
        keras.initializers.deserialize({"class_name": "Zeros", "config": {}, "registered_name": "Custom>Evil"})
    with pytest.raises(ValueError, match="'Custom>Evil'.*disagree"):
        keras.losses.deserialize({"class_name": "Huber", "config": {}, "registered_name": "Custom>Evil"})

    class Dense(keras.layers.Dense):  # a class of that name registered under that name is what it says it is
        pass

    layer = deserialize_keras_object(dense, custom_objects={"Custom>Evil": Dense})
    assert type(layer) is Dense


def test_deeply_nested_configs_raise_value_error_never_recursion_error():
    deep = {"class_name": "Dense", "config": {"units": 2}}
    for _ in range(MAX_CONFIG_DEPTH + 20):
        deep = {"class_name": "Sequential", "config": {"layers": [deep]}}
    with pytest.raises(ValueError, match="nested more than"):
        keras.models.model_from_config(deep)
    bomb = '{"class_name": "Sequential", "config": {"layers": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    with pytest.raises(ValueError, match="nested too deeply"):
        keras.models.model_from_json(bomb)
    nested = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(ValueError, match="nested more than"):
        deserialize_keras_object({"class_name": "Dense", "config": {"units": 2, "name": nested}})


def test_deeply_nested_yaml_raises_value_error_never_recursion_error(pyyaml):
    yaml_bomb = "class_name: Sequential\nconfig: " + "[" * 5000 + "]" * 5000
    with pytest.raises(ValueError, match="(nested|YAML)"):
        keras.models.model_from_yaml(yaml_bomb)


def test_yaml_aliases_cannot_expand_into_a_huge_config(pyyaml):
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines += ["class_name: Sequential", "config: {layers: *a9}"]
    with pytest.raises(ValueError, match="more than 5,000,000 values"):
        keras.models.model_from_yaml("\n".join(lines))


def test_malformed_json_raises_value_error():
    with pytest.raises(ValueError, match="not UTF-8"):
        keras.models.model_from_json(b'{"class_name": "Sequential", "config": {"name": "\xff\xfe"}}')
    with pytest.raises(ValueError, match="could not be read"):
        keras.models.model_from_json('{"class_name": ')
    with pytest.raises(ValueError, match="'class_name' and 'config'"):
        keras.models.model_from_json("[1, 2]")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert keras.models.model_from_json(model.to_json().encode("utf-8")).count_params() == 8


def test_malformed_yaml_raises_value_error(pyyaml):
    with pytest.raises(ValueError, match="YAML"):
        keras.models.model_from_yaml("!!python/object/apply:os.system ['echo pwned']")
    with pytest.raises(ValueError, match="not UTF-8"):
        keras.models.model_from_yaml(b"class_name: \xff")


def test_absurd_sizes_in_a_config_are_refused_before_allocating():
    huge = _sequential_around({"module": "keras.layers", "class_name": "Dense", "config": {"units": 2**40}})
    with pytest.raises(ValueError, match="declares the weight 'kernel'"):
        keras.models.model_from_config(huge)
    wide = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2},
            "build_config": {"input_shape": [None, 2**45]}}
    with pytest.raises(ValueError, match="declares"):
        deserialize_keras_object(wide)


def _lambda_bytecode_layer(marker, keras3=True):
    source = f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]"
    code = base64.b64encode(marshal.dumps(compile(source, "<attack>", "eval").co_consts[0])).decode("ascii")
    function = ({"class_name": "__lambda__", "config": {"code": code, "defaults": None, "closure": None}}
                if keras3 else [code, None, None])
    config = {"name": "lambda", "trainable": True, "dtype": "float32", "function": function, "arguments": {}}
    if not keras3:
        config["function_type"] = "lambda"
    return {"module": "keras.layers", "class_name": "Lambda", "registered_name": None, "config": config}


@pytest.mark.parametrize("keras3", [True, False], ids=["keras3", "tf_keras"])
def test_lambda_bytecode_is_refused_in_safe_mode_by_default(tmp_path, keras3):
    marker = tmp_path / "ran"
    layer = _lambda_bytecode_layer(marker, keras3)
    text = json.dumps(_sequential_around(layer))
    assert in_safe_mode()
    attempts = [
        lambda: keras.models.model_from_json(text),
        lambda: keras.models.model_from_config(json.loads(text)),
        lambda: keras.layers.Lambda.from_config(layer["config"]),
        lambda: keras.Sequential.from_config(_sequential_around(layer)["config"]),
        lambda: deserialize_keras_object(layer),
        lambda: deserialize_keras_object(layer, safe_mode=True),
        lambda: deserialize_keras_object(  # the legacy .h5 flavour: no module
            {"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": layer["config"]}]}}),
    ]
    for attempt in attempts:
        with pytest.raises(ValueError, match=r"bytecode.*would run code from the file.*safe_mode=False"):
            attempt()
    assert not marker.exists()


def test_lambda_bytecode_loads_only_with_safe_mode_false_given_explicitly(tmp_path):
    marker = tmp_path / "ran"
    layer = _lambda_bytecode_layer(marker)
    restored = keras.layers.Lambda.from_config(layer["config"], safe_mode=False)
    assert not marker.exists()
    np.testing.assert_array_equal(restored(np.ones((1, 3), "float32")).numpy(), np.ones((1, 3)))
    assert marker.exists()
    marker.unlink()
    model = deserialize_keras_object(_sequential_around(layer), safe_mode=False)
    assert model.predict(np.ones((2, 3), "float32"), verbose=0).shape == (2, 3) and marker.exists()
    with SafeModeScope(False):
        assert not in_safe_mode()
        deserialize_keras_object(layer)
    assert in_safe_mode()
    with pytest.raises(TypeError, match="safe_mode"):
        SafeModeScope("no")
    bad = dict(layer, config={**layer["config"], "function": {"class_name": "__lambda__", "config": {
        "code": base64.b64encode(b"not bytecode").decode(), "defaults": None, "closure": None}}})
    with pytest.raises(ValueError, match="another Python version"):
        deserialize_keras_object(bad, safe_mode=False)


def test_kerasnb_never_writes_bytecode():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2)])
    text = model.to_json()
    assert "__lambda__" not in text and '"<lambda>"' in text
    with pytest.raises(ValueError, match="never their code"):
        keras.models.model_from_json(text)
    with pytest.raises(ValueError, match="lambda"):
        serialize_keras_object(lambda x: x)


def test_vocabulary_file_paths_are_refused_in_safe_mode(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\n")
    config = {"module": "keras.layers", "class_name": "StringLookup", "config": {"vocabulary": str(vocab)}}
    with pytest.raises(ValueError, match="vocabulary as a file path"):
        deserialize_keras_object(config)
    with pytest.raises(ValueError, match="vocabulary as a file path"):
        keras.layers.TextVectorization.from_config({"vocabulary": str(vocab)})
    with SafeModeScope(False):
        lookup = deserialize_keras_object(config)
    assert lookup.get_vocabulary() == ["[UNK]", "cat", "dog"]


# ---------------------------------------------------------------------------------------------------------
# Legacy .h5 model_config, shared objects, YAML and imports
# ---------------------------------------------------------------------------------------------------------


def test_legacy_model_config_is_what_keras_3_writes_into_h5_files():
    @registration.register_keras_serializable(package="h5")
    class Twice(keras.layers.Layer):
        def call(self, x):
            return x * 2

        def get_config(self):
            return super().get_config()

    inner = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, name="in_d")], name="inner")
    x = keras.Input((3,), name="x")
    model = keras.Model(x, inner(Twice(name="twice")(keras.layers.Dense(2, name="d")(x))), name="m")
    legacy = serialize_legacy_model_config(model)
    assert list(legacy) == ["class_name", "config"] and legacy["class_name"] == "Functional"
    entries = legacy["config"]["layers"]
    assert [sorted(entry) for entry in entries] == [["class_name", "config", "inbound_nodes", "name"]] * 4
    assert [entry["class_name"] for entry in entries] == ["InputLayer", "Dense", "h5>Twice", "Sequential"]
    assert entries[1]["config"]["dtype"]["class_name"] == "DTypePolicy"  # inner configs as in Keras 3
    assert [sorted(entry) for entry in entries[3]["config"]["layers"]] == [["class_name", "config"]] * 2
    clone = deserialize_keras_object(json.loads(json.dumps(legacy)))
    assert_same_predictions(model, clone, np.ones((2, 3), "float32"))


def test_shared_objects_are_written_once_and_read_back_as_one():
    init = keras.initializers.Constant(0.5)
    layers = [keras.layers.Dense(2, name="a"), keras.layers.Dense(2, name="b")]
    with ObjectSharingScope():
        configs = [serialize_keras_object(layer) for layer in layers + [layers[0]]]
    assert "shared_object_id" not in configs[1] and configs[0]["shared_object_id"] == configs[2]["shared_object_id"]
    with ObjectSharingScope():
        objects = [deserialize_keras_object(config) for config in configs]
    assert objects[0] is objects[2] and objects[0] is not objects[1]
    assert serialize_keras_object(init)["config"] == {"value": 0.5}


def test_to_yaml_needs_pyyaml(monkeypatch):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ImportError, match="pip install pyyaml"):
        model.to_yaml()
    with pytest.raises(ImportError, match="pip install pyyaml"):
        keras.models.model_from_yaml("class_name: Sequential")


def test_to_json_passes_its_arguments_on():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert model.to_json(indent=2).startswith('{\n  "module": "keras"')
    assert model.to_json(sort_keys=True).startswith('{"build_config"')


def test_to_yaml_passes_its_arguments_on(pyyaml):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert model.to_yaml(default_flow_style=True).startswith("{")


@pytest.mark.needs_subprocess
def test_importing_kerasnb_imports_neither_yaml_nor_h5py():
    code = "import sys, kerasnb; print(sorted(m for m in ('yaml', 'h5py') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
