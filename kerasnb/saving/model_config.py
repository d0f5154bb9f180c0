"""Architecture-only files: a model from the JSON or YAML that ``model.to_json()`` / ``model.to_yaml()`` write,
or from a config dict (as Keras's ``keras.models.model_from_json`` / ``model_from_yaml`` / ``model_from_config``).

Loading is safe by default: a config can only name kerasnb's own modelling objects and the ``custom_objects`` you
pass (see :mod:`kerasnb.saving.serialization_lib`); YAML is read with ``yaml.safe_load`` only, so Python tags
(``!!python/object/apply:os.system``) are refused. Both Keras 3 configs and tf-keras (Keras 2) configs load.

Example:
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")])
    >>> clone = keras.models.model_from_json(model.to_json())
    >>> [layer.name for layer in clone.layers]
    ['d']
"""

import json

# Bracket levels model_from_json reads at most (the same bound as the JSON inside .keras files).
_MAX_JSON_DEPTH = 200


def model_from_config(config, custom_objects=None):
    """A model (or any object) from its config dict, as ``serialize_keras_object`` (Keras 3) or tf-keras's
    ``{"class_name", "config"}`` describe it; compiled when the config carries a ``compile_config``.

    Args:
        config: the config dict.
        custom_objects: ``{name: class_or_function}`` for your own objects the config names.

    Raises:
        ValueError: for a config that is not a dict with ``class_name``, that names anything but kerasnb's
            modelling objects and your ``custom_objects``, or that cannot be rebuilt.

    Example:
        >>> config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        ...     {"class_name": "Dense", "config": {"units": 2, "batch_input_shape": [None, 4]}}]}}
        >>> keras.models.model_from_config(config).count_params()
        10
    """
    from kerasnb.saving.serialization_lib import deserialize_keras_object

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "A model config is a dict (a JSON object) with 'class_name' and 'config', as model.to_json() writes. "
            f"Received: {_short(config)}"
        )
    model = deserialize_keras_object(config, custom_objects=custom_objects)
    compile_from_saved_config(model, config.get("compile_config"), custom_objects)
    return model


def compile_from_saved_config(model, compile_config, custom_objects=None, where="compile_config"):
    """Compile ``model`` from the compile configuration a file carried; a damaged one (an unknown optimizer
    argument, a wrong type) raises ValueError naming ``where``, as every other fault of a file does."""
    if not compile_config or not hasattr(model, "compile_from_config"):
        return
    if not isinstance(compile_config, dict):
        raise ValueError(f"{where} must be a JSON object. Received: {_short(compile_config)}")
    try:
        model.compile_from_config(compile_config, custom_objects=custom_objects)
    except ValueError:
        raise
    except Exception as e:
        raise ValueError(f"Could not compile the model from its {where}: {type(e).__name__}: {e}") from e


def model_from_json(json_string, custom_objects=None):
    """A model from the JSON string ``model.to_json()`` wrote (by kerasnb, Keras 3 or tf-keras); its weights are
    new (load them with ``load_weights``).

    Raises:
        ValueError: for text that is not UTF-8 JSON (or is nested absurdly deep), and for configs
            :func:`model_from_config` refuses.

    Example:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> keras.models.model_from_json(model.to_json()).output_shape
        (None, 2)
        >>> keras.models.model_from_json('{"module": "os", "class_name": "system", "config": {}}')
        Traceback (most recent call last):
        ...
        ValueError: Could not locate class 'system' (module 'os'): it is not a kerasnb modelling object...
    """
    from kerasnb.saving.keras_file import _max_nesting

    text = _text(json_string, "JSON")
    # json.loads recurses in C once per level, so text nested deeply enough overflows the stack before Python's
    # recursion limit can raise RecursionError: in Pyodide (JupyterLite) that kills the kernel. No model config
    # comes near this bound (model_from_config refuses more than MAX_CONFIG_DEPTH levels anyway).
    if _max_nesting(text) > _MAX_JSON_DEPTH:
        raise ValueError("The model's JSON is nested too deeply to be a model config.")
    try:
        config = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"The model's JSON could not be read: {e}.") from e
    except RecursionError as e:
        raise ValueError("The model's JSON is nested too deeply to be a model config.") from e
    return model_from_config(config, custom_objects=custom_objects)


def model_from_yaml(yaml_string, custom_objects=None):
    """A model from the YAML string ``model.to_yaml()`` wrote. Read with ``yaml.safe_load``: plain YAML only,
    no Python tags. Needs PyYAML (``pip install pyyaml``).

    Raises:
        ValueError: for text that is not UTF-8 YAML, YAML with Python tags, and configs :func:`model_from_config`
            refuses.

    Example:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> keras.models.model_from_yaml(model.to_yaml()).output_shape
        (None, 2)
    """
    try:
        import yaml
    except ImportError as e:
        raise ImportError("`model_from_yaml` needs PyYAML, which is not installed: pip install pyyaml") from e
    text = _text(yaml_string, "YAML")
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ValueError(
            "The model's YAML could not be read (only plain YAML is accepted: tags such as !!python/... that would "
            f"create Python objects are refused): {e}"
        ) from e
    except RecursionError as e:
        raise ValueError("The model's YAML is nested too deeply to be a model config.") from e
    return model_from_config(config, custom_objects=custom_objects)


def _text(data, what):
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"The model's {what} is not UTF-8 text: {e}.") from e
    if not isinstance(data, str):
        raise ValueError(f"Expected the model's {what} as a string. Received: {type(data).__name__}")
    return data


def _short(value):
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


__all__ = ["model_from_config", "model_from_json", "model_from_yaml"]
