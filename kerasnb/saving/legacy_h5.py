"""The legacy Keras HDF5 full-model file (``model.save("m.h5")``), the format the seeds use.

Layout (as Keras 3 and tf-keras write it):

- root attributes ``backend``, ``keras_version``, ``model_config`` (JSON ``{"class_name", "config"}``) and, for a
  compiled model, ``training_config`` (JSON: loss, metrics, ..., ``optimizer_config``);
- ``model_weights/``: one group per layer, weights by name and order
  (:func:`kerasnb.saving.weights.write_legacy_weights`);
- ``optimizer_weights/``: the optimizer's state.

Reading goes through :func:`kerasnb.saving.h5io.open_for_reading` (no links, no external storage, no size lies)
and the registry (no name from the file is ever imported); a Lambda's bytecode is refused in safe mode, as in
``.keras`` files.
"""

from kerasnb.saving.atomic import atomic_path
from kerasnb.saving.keras_file import KERAS_FORMAT_VERSION, decode_json

BACKEND_NAME = "numpy"


def save_legacy_h5(model, filepath, include_optimizer=True):
    """Write ``model`` as a legacy Keras ``.h5`` file (config, weights and, if compiled, the optimizer).

    Example:
        >>> import tempfile, os
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.h5")
        >>> save_legacy_h5(model, path)
        >>> load_legacy_h5(path).count_params()
        8
    """
    import json

    from kerasnb.saving import weights as weights_io
    from kerasnb.saving.h5io import require_h5py, write_string_attribute
    from kerasnb.saving.serialization_lib import serialize_legacy_model_config

    h5py = require_h5py()
    model_config = json.dumps(serialize_legacy_model_config(model))
    training_config = None
    if getattr(model, "compiled", False):
        compile_config = dict(model.get_compile_config())
        optimizer_config = compile_config.pop("optimizer", None)
        if isinstance(optimizer_config, dict):
            # The legacy file names the optimizer without a module, as tf-keras did.
            optimizer_config = {"class_name": optimizer_config.get("class_name"),
                                "config": optimizer_config.get("config", {})}
        compile_config["optimizer_config"] = optimizer_config
        training_config = json.dumps(compile_config)
    with atomic_path(filepath) as tmp:
        with h5py.File(tmp, "w") as f:
            write_string_attribute(f, "backend", BACKEND_NAME)
            write_string_attribute(f, "keras_version", KERAS_FORMAT_VERSION)
            write_string_attribute(f, "model_config", model_config)
            weights_io.write_legacy_weights(model, f.create_group("model_weights"))
            if training_config is not None:
                write_string_attribute(f, "training_config", training_config)
                if include_optimizer and model.optimizer is not None and model.optimizer.variables:
                    weights_io.write_legacy_optimizer_weights(model.optimizer, f.create_group("optimizer_weights"),
                                                              model)


def load_legacy_h5(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a legacy Keras ``.h5`` full-model file (written by kerasnb, Keras 3 or tf-keras).

    Raises ValueError for a file that holds only weights (load those with ``model.load_weights``), for a config
    naming anything that is not a kerasnb modelling object, and for a truncated or unsafe file.
    """
    from kerasnb.saving import weights as weights_io
    from kerasnb.saving.h5io import open_for_reading, read_string_attribute
    from kerasnb.saving.model_config import compile_from_saved_config
    from kerasnb.saving.serialization_lib import deserialize_keras_object

    with open_for_reading(filepath) as f:
        raw_config = read_string_attribute(f, "model_config")
        if raw_config is None:
            raise ValueError(
                f"{filepath!s} holds no model configuration (no 'model_config' attribute): it is a weights-only "
                "file. Build the model in code and call `model.load_weights(filepath)`."
            )
        config = decode_json(raw_config, f"{filepath!s}: model_config")
        if not isinstance(config, dict):
            raise ValueError(f"{filepath!s}: model_config must be a JSON object.")
        model = deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
        weights_group = f["model_weights"] if "model_weights" in f else f
        weights_io.read_legacy_weights(model, weights_group)
        raw_training = read_string_attribute(f, "training_config") if compile else None
        if raw_training is not None:
            training = decode_json(raw_training, f"{filepath!s}: training_config")
            if not isinstance(training, dict):
                raise ValueError(f"{filepath!s}: training_config must be a JSON object.")
            compile_config = {k: v for k, v in training.items() if k != "optimizer_config"}
            compile_config["optimizer"] = training.get("optimizer_config")
            compile_from_saved_config(model, compile_config, custom_objects, where=f"{filepath!s}: training_config")
            if "optimizer_weights" in f:
                weights_io.read_legacy_optimizer_weights(model.optimizer, f["optimizer_weights"], model)
    return model
