"""Saving and loading models: configs, the registry, JSON/YAML, .keras and legacy .h5 files, weights.

The public names are Keras 3's ``keras.saving`` namespace: register your own classes so that saved models find
them (``register_keras_serializable``), pass them for one load (``custom_object_scope``), turn objects into
configs and back (``serialize_keras_object`` / ``deserialize_keras_object``), and save or load whole models.

Example:
    >>> @keras.saving.register_keras_serializable(package="saving_docs")
    ... class Scale(keras.layers.Layer):
    ...     def __init__(self, factor=2.0, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.factor = factor
    ...     def call(self, inputs):
    ...         return inputs * self.factor
    ...     def get_config(self):
    ...         return {**super().get_config(), "factor": self.factor}
    >>> keras.saving.get_registered_name(Scale)
    'saving_docs>Scale'
    >>> config = keras.saving.serialize_keras_object(Scale(3.0, name="scale"))
    >>> config["registered_name"], config["config"]["factor"]
    ('saving_docs>Scale', 3.0)
    >>> keras.saving.deserialize_keras_object(config).factor
    3.0
"""

from kerasnb.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from kerasnb.saving.saving_api import load_model, save_model
from kerasnb.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "register_keras_serializable",
    "save_model",
    "serialize_keras_object",
]
