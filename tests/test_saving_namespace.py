"""``keras.saving``: Keras 3's public names for the registry, (de)serialization and model files, so the guides'
``@keras.saving.register_keras_serializable()`` and ``keras.saving.load_model(...)`` work as written."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.saving import object_registration as registration
from kerasnb.saving import saving_api, serialization_lib

KERAS_3_NAMES = [
    "CustomObjectScope", "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
    "get_registered_name", "get_registered_object", "load_model", "register_keras_serializable", "save_model",
    "serialize_keras_object",
]


@pytest.fixture(autouse=True)
def _restore_registry():
    objects = dict(registration._GLOBAL_CUSTOM_OBJECTS)
    names = dict(registration._GLOBAL_CUSTOM_NAMES)
    yield
    registration._GLOBAL_CUSTOM_OBJECTS.clear()
    registration._GLOBAL_CUSTOM_OBJECTS.update(objects)
    registration._GLOBAL_CUSTOM_NAMES.clear()
    registration._GLOBAL_CUSTOM_NAMES.update(names)


def test_keras_saving_has_keras_3_public_names():
    assert sorted(keras.saving.__all__) == sorted(KERAS_3_NAMES)
    assert keras.saving.register_keras_serializable is registration.register_keras_serializable
    assert keras.saving.custom_object_scope is registration.custom_object_scope
    assert keras.saving.load_model is saving_api.load_model is keras.models.load_model
    assert keras.saving.serialize_keras_object is serialization_lib.serialize_keras_object


def test_a_layer_registered_through_keras_saving_reloads_without_custom_objects(tmp_path):
    @keras.saving.register_keras_serializable(package="namespace_test")
    class Offset(keras.layers.Layer):
        def __init__(self, offset=1.0, **kwargs):
            super().__init__(**kwargs)
            self.offset = offset

        def call(self, inputs):
            return inputs + self.offset

        def get_config(self):
            return {**super().get_config(), "offset": self.offset}

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(Offset(0.5)(inputs)))
    x = np.arange(6, dtype="float32").reshape(2, 3)

    rebuilt = keras.models.model_from_json(model.to_json())
    assert isinstance(rebuilt.layers[1], Offset) and rebuilt.layers[1].offset == 0.5

    pytest.importorskip("h5py")  # the weights inside a .keras file are HDF5 (not in Pyodide / JupyterLite)
    path = tmp_path / "offset.keras"
    keras.saving.save_model(model, path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_custom_object_scope_from_keras_saving_resolves_an_unregistered_layer():
    class Twice(keras.layers.Layer):
        def call(self, inputs):
            return inputs * 2

    config = keras.saving.serialize_keras_object(Twice(name="twice"))
    with pytest.raises((TypeError, ValueError)):
        keras.saving.deserialize_keras_object(config)
    with keras.saving.custom_object_scope({"Twice": Twice}):
        assert isinstance(keras.saving.deserialize_keras_object(config), Twice)
