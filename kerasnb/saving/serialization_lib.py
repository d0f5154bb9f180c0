"""Objects to configs and back, in Keras 3's format — and loading that never runs code from the file.

:func:`serialize_keras_object` turns a layer, model, initializer, optimizer, loss, ... into the nested dicts
Keras 3 writes::

    {"module": "keras.layers", "class_name": "Dense", "config": {...}, "registered_name": None,
     "build_config": {"input_shape": [None, 3]}}

and :func:`deserialize_keras_object` turns such dicts (also the older tf-keras ones, which lack ``module``) back
into objects. **What a config may name is closed**: ``module``, ``class_name`` and ``registered_name`` are
resolved only

1. through your objects: the ``custom_objects`` you pass, the active ``custom_object_scope`` blocks and the
   classes and functions registered with ``register_keras_serializable``; and
2. through a fixed table of kerasnb's own *modelling* classes and functions, built from its public namespaces:
   layers, models, initializers, regularizers, constraints, optimizers and learning-rate schedules, losses,
   metrics, activations, the ``ops`` functions and ``DTypePolicy``.

Nothing named by a file is ever imported, looked up with ``getattr`` on a module, evaluated, unpickled or
unmarshalled (the one exception is a Lambda layer's bytecode, and only with an explicit ``safe_mode=False``).
A config naming ``os.system``, ``builtins.eval``, ``keras.models.load_model``, ``keras.utils.get_file`` or any
other non-modelling function is refused with a ValueError before anything happens.

Example:
    >>> from kerasnb.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
    >>> config = serialize_keras_object(keras.layers.Dense(2, name="d"))
    >>> config["module"], config["class_name"], config["config"]["units"]
    ('keras.layers', 'Dense', 2)
    >>> deserialize_keras_object(config).name
    'd'
    >>> deserialize_keras_object({"module": "os", "class_name": "system", "config": {"command": "ls"}})
    Traceback (most recent call last):
    ...
    ValueError: Could not locate class 'system' (module 'os'): it is not a kerasnb modelling object...
"""

import functools
import inspect
import threading
import types

import numpy as np

from kerasnb.saving import object_registration

# Configs nested deeper than this (dicts and lists inside each other) are refused: a real model's config is a
# few dozen levels deep at most, and a crafted one must fail with a clear error, not a RecursionError.
MAX_CONFIG_DEPTH = 80
# ... and configs with more values than this in all (counting a YAML alias each time it is used) are refused:
# a YAML "billion laughs" expands to far more.
MAX_CONFIG_NODES = 5_000_000

_PLAIN_TYPES = (str, int, float, bool)

_state = threading.local()


# ---------------------------------------------------------------------------------------------------------
# Safe mode
# ---------------------------------------------------------------------------------------------------------


class SafeModeScope:
    """A ``with`` block setting safe mode for every (nested) deserialization inside it.

    Safe mode refuses configs that would run Python code stored in the file (a Lambda layer's bytecode). It is on
    unless a ``SafeModeScope(False)`` (or ``safe_mode=False`` given to a loading function) turns it off.

    Example:
        >>> from kerasnb.saving.serialization_lib import SafeModeScope, in_safe_mode
        >>> in_safe_mode()
        True
        >>> with SafeModeScope(False):
        ...     in_safe_mode()
        False
    """

    def __init__(self, safe_mode=True):
        if not isinstance(safe_mode, bool):
            raise TypeError(f"safe_mode must be True or False. Received: safe_mode={safe_mode!r}")
        self.safe_mode = safe_mode
        self._previous = None

    def __enter__(self):
        self._previous = getattr(_state, "safe_mode", None)
        _state.safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc_info):
        _state.safe_mode = self._previous


def in_safe_mode():
    """Whether loading refuses code stored in files now: ``True`` unless a :class:`SafeModeScope` says otherwise
    ("unset" means safe).

    Example:
        >>> from kerasnb.saving.serialization_lib import in_safe_mode
        >>> in_safe_mode()
        True
    """
    value = getattr(_state, "safe_mode", None)
    return True if value is None else value


def refuse_code_in_safe_mode(what, safe_mode=None):
    """Raise the ValueError for a config that carries Python bytecode, unless safe mode is off: ``safe_mode``
    when given (``True``/``False``), else :func:`in_safe_mode`.

    Example:
        >>> from kerasnb.saving.serialization_lib import refuse_code_in_safe_mode
        >>> refuse_code_in_safe_mode("a Lambda layer's function")
        Traceback (most recent call last):
        ...
        ValueError: The config holds a Lambda layer's function as Python bytecode...
    """
    if safe_mode is not None and not isinstance(safe_mode, bool):
        raise TypeError(f"safe_mode must be True, False or None. Received: safe_mode={safe_mode!r}")
    if in_safe_mode() if safe_mode is None else safe_mode:
        raise ValueError(
            f"The config holds {what} as Python bytecode. Loading it would run code from the file, which could "
            "do anything your Python can do, so safe mode refuses it. If you wrote this file yourself or trust "
            "its source, load it with `safe_mode=False` given explicitly (e.g. "
            "`keras.models.load_model(path, safe_mode=False)`); better, give the function a name with `def` and "
            "pass it through `custom_objects`."
        )


# ---------------------------------------------------------------------------------------------------------
# Shared objects: an object met twice is written in full once; both places get the same object back.
# ---------------------------------------------------------------------------------------------------------


class ObjectSharingScope:
    """A ``with`` block inside which an object serialized twice gets a ``shared_object_id`` (the first config
    holds it in full) and, when loading, configs with the same ``shared_object_id`` give one object. Nested
    blocks share the outer block's records.

    Example:
        >>> from kerasnb.saving.serialization_lib import ObjectSharingScope, serialize_keras_object
        >>> dense = keras.layers.Dense(2)
        >>> with ObjectSharingScope():
        ...     first, second = serialize_keras_object(dense), serialize_keras_object(dense)
        >>> first["shared_object_id"] == second["shared_object_id"]
        True
    """

    def __enter__(self):
        self._outer = getattr(_state, "sharing", None)
        if self._outer is None:
            # id -> (object, config) when writing; shared_object_id -> object when reading. The objects are kept
            # so that no id is reused by a new object while the block is open.
            _state.sharing = {"written": {}, "read": {}, "configs": {}}
        return self

    def __exit__(self, *exc_info):
        _state.sharing = self._outer


def _record_serialized(obj, config):
    sharing = getattr(_state, "sharing", None)
    if sharing is None:
        return
    sharing["configs"][id(config)] = config
    key = id(obj)
    seen = sharing["written"].get(key)
    if seen is None:
        sharing["written"][key] = (obj, config)
    else:
        config["shared_object_id"] = key
        seen[1]["shared_object_id"] = key


def _shared_object(shared_id):
    sharing = getattr(_state, "sharing", None)
    if sharing is None or not isinstance(shared_id, int) or isinstance(shared_id, bool):
        return None
    return sharing["read"].get(shared_id)


def _record_deserialized(obj, shared_id):
    sharing = getattr(_state, "sharing", None)
    if sharing is not None and isinstance(shared_id, int) and not isinstance(shared_id, bool):
        sharing["read"][shared_id] = obj


# ---------------------------------------------------------------------------------------------------------
# The table of kerasnb's modelling objects (the only built-in things a config can name)
# ---------------------------------------------------------------------------------------------------------

# family -> the module Keras writes for its classes
_CLASS_MODULES = {
    "layers": "keras.layers",
    "models": "keras",
    "initializers": "keras.initializers",
    "regularizers": "keras.regularizers",
    "constraints": "keras.constraints",
    "optimizers": "keras.optimizers",
    "schedules": "keras.optimizers.schedules",
    "losses": "keras.losses",
    "metrics": "keras.metrics",
    "dtype_policies": "keras",
    "ops": "keras.src.ops.numpy",
}
# families searched, in order, for a class named without a module (tf-keras configs, legacy .h5 files)
_CLASS_FAMILY_ORDER = ("layers", "models", "initializers", "regularizers", "constraints", "optimizers",
                       "schedules", "losses", "metrics", "dtype_policies", "ops")
# family -> the module kerasnb writes for its functions; and the search order for "builtins" / no module
_FUNCTION_MODULES = {"activations": "keras.activations", "losses": "keras.losses", "metrics": "keras.metrics",
                     "ops": "keras.ops"}
_FUNCTION_FAMILY_ORDER = ("activations", "losses", "metrics", "ops")


@functools.cache
def _builtin_classes():
    """family -> {class name: class}: every class a config may name without custom objects."""
    from kerasnb import constraints, dtype_policies, initializers, layers, losses, metrics, optimizers, regularizers
    from kerasnb.layers.layer import KERAS_OP_CLASSES, Layer
    from kerasnb.models import Functional, Model, Sequential
    from kerasnb.optimizers import schedules

    def classes(objects):
        return {cls.__name__: cls for cls in objects if inspect.isclass(cls)}

    return {
        "layers": classes(getattr(layers, name) for name in layers.__all__
                          if inspect.isclass(getattr(layers, name)) and issubclass(getattr(layers, name), Layer)),
        "models": {"Sequential": Sequential, "Functional": Functional, "Model": Model},
        "initializers": classes(initializers.ALL_OBJECTS_DICT.values()),
        "regularizers": classes(regularizers.ALL_OBJECTS_DICT.values()),
        "constraints": classes(constraints.ALL_OBJECTS_DICT.values()),
        "optimizers": classes(optimizers.ALL_OBJECTS_DICT.values()),
        "schedules": classes(schedules.ALL_OBJECTS_DICT.values()),
        "losses": classes([*losses._CLASSES.values(), losses.LossFunctionWrapper]),
        "metrics": classes([*metrics._CLASSES.values(), metrics.MeanMetricWrapper]),
        "dtype_policies": {"DTypePolicy": dtype_policies.DTypePolicy, "FloatDTypePolicy": dtype_policies.DTypePolicy},
        "ops": dict(KERAS_OP_CLASSES),
    }


@functools.cache
def _builtin_functions():
    """family -> {name: function}: every function a config may name without custom objects."""
    from kerasnb import activations, losses, metrics, ops

    op_functions = {}
    for name in dir(ops):
        fn = getattr(ops, name)
        module = getattr(fn, "__module__", "") or ""
        if (not name.startswith("_") and isinstance(fn, types.FunctionType)
                and module.startswith(("kerasnb.ops", "kerasnb.engine.tensor"))):
            op_functions[name] = fn
    return {
        "activations": dict(activations.ALL_OBJECTS_DICT),
        "losses": {**losses._FUNCTIONS, **losses._ALIASES},
        "metrics": dict(metrics._FUNCTIONS),
        "ops": op_functions,
    }


@functools.cache
def _builtin_class_family(cls):
    for family, table in _builtin_classes().items():
        if table.get(cls.__name__) is cls:
            return family
    return None


def _builtin_function_name(fn):
    """``(module, name)`` Keras knows a kerasnb function by, or ``None`` for any other function."""
    for family in _FUNCTION_FAMILY_ORDER:
        table = _builtin_functions()[family]
        own_name = getattr(fn, "__name__", None)
        if table.get(own_name) is fn:  # its own name when it is exported under it ('silu', not 'swish')
            return _FUNCTION_MODULES[family], own_name
        for name, candidate in table.items():
            if candidate is fn:
                return _FUNCTION_MODULES[family], name
    return None


def _families_of_module(module, kind):
    """The families a ``module`` string from a config may resolve in: Keras's public and ``keras.src`` paths and
    kerasnb's own module names; ``None`` for anything else (then only custom objects can match)."""
    order = _CLASS_FAMILY_ORDER if kind == "class" else _FUNCTION_FAMILY_ORDER
    if module is None or module == "":
        return order
    if not isinstance(module, str):
        return None
    if kind == "function" and module in ("builtins", "keras"):
        return order
    for prefix in ("keras.src.", "kerasnb.", "tf_keras.src.", "tf_keras."):
        if module.startswith(prefix):
            module = "keras." + module[len(prefix):]
            break
    if module == "kerasnb":
        module = "keras"
    parts = module.split(".")
    if parts[0] != "keras":
        return None
    head = parts[1] if len(parts) > 1 else ""
    if kind == "function":
        mapping = {"activations": ("activations",), "losses": ("losses",), "metrics": ("metrics",),
                   "ops": ("ops",), "backend": ("ops",)}
        return mapping.get(head)
    if head == "":
        return ("models", "dtype_policies")
    if head == "optimizers" and len(parts) > 2 and parts[2].startswith("schedules"):
        return ("schedules",)
    mapping = {
        "layers": ("layers",), "models": ("models",), "engine": ("models", "layers"),
        "initializers": ("initializers",), "regularizers": ("regularizers",), "constraints": ("constraints",),
        "optimizers": ("optimizers", "schedules"), "losses": ("losses",), "metrics": ("metrics",),
        "dtype_policies": ("dtype_policies",), "mixed_precision": ("dtype_policies",), "ops": ("ops",),
    }
    return mapping.get(head)


# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------


def serialize_keras_object(obj):
    """The config of ``obj`` in Keras 3's format: plain values as they are, lists and dicts item by item,
    objects as ``{"module", "class_name", "config", "registered_name"}`` (plus ``build_config`` for a built
    layer and ``compile_config`` for a compiled model).

    kerasnb's built-in classes carry ``registered_name`` ``None`` and Keras's module (``"keras.layers"``,
    ``"keras.initializers"``, ...); your classes carry ``"package>Name"`` when registered, else their
    ``__name__``. Functions are written by name; a ``lambda`` cannot be written (kerasnb never stores bytecode).

    Example:
        >>> from kerasnb.saving.serialization_lib import serialize_keras_object
        >>> serialize_keras_object(keras.initializers.Zeros())
        {'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {}, 'registered_name': None}
        >>> serialize_keras_object((1, None, "relu"))
        (1, None, 'relu')
    """
    with ObjectSharingScope():
        return _serialize(obj)


def _serialize(obj):
    from kerasnb.engine.tensor import Tensor
    from kerasnb.layers.keras_tensor import KerasTensor

    if obj is None or isinstance(obj, _PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [_serialize(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        sharing = getattr(_state, "sharing", None)
        if sharing is not None and sharing["configs"].get(id(obj)) is obj:
            return obj  # an object's config made in this scope (kept as is, so shared_object_id marks stay on it)
        return _serialize_dict(obj)
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__",
                "config": {"start": _serialize(obj.start), "stop": _serialize(obj.stop), "step": _serialize(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, KerasTensor):
        history = obj._keras_history
        history = [history[0].name, history[1], history[2]] if history else None
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(obj.shape), "dtype": obj.dtype.name, "keras_history": history}}
    if isinstance(obj, Tensor):
        value = obj.numpy()
        return {"class_name": "__tensor__", "config": {"value": value.tolist(), "dtype": value.dtype.name}}
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, np.ndarray):
        if obj.ndim == 0:
            return obj.item()
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return _serialize_function(obj)
    if inspect.isclass(obj):
        raise TypeError(
            f"Cannot serialize the class {obj.__name__} itself; serialize an instance of it (configs hold objects "
            "and named functions)."
        )
    return _serialize_object(obj)


def _serialize_dict(config):
    return {key: _serialize(value) for key, value in config.items()}


def _serialize_function(fn):
    name = getattr(fn, "__name__", None)
    if not name or name == "<lambda>":
        raise ValueError(
            f"Cannot serialize the lambda {fn!r}: kerasnb saves functions by name, never their code (loading code "
            "from a file would run it). Define the function with `def`, and pass it back through "
            "`custom_objects` (or register it with `register_keras_serializable`) when loading."
        )
    builtin = _builtin_function_name(fn)
    if builtin is not None:
        module, keras_name = builtin
        return {"module": module, "class_name": "function", "config": keras_name, "registered_name": "function"}
    # As Keras 3 writes any other function: by its (registered) name.
    return {"module": "builtins", "class_name": "function",
            "config": object_registration.get_registered_name(fn), "registered_name": "function"}


def _public_names(obj):
    """``(module, class_name, registered_name)`` to write for ``obj``."""
    from kerasnb.layers.layer import SymbolicOp
    from kerasnb.models.functional import Functional

    cls = type(obj)
    family = _builtin_class_family(cls)
    if family is not None:
        if cls is Functional:
            return "keras.src.models.functional", "Functional", "Functional"
        return _CLASS_MODULES[family], cls.__name__, None
    if cls is SymbolicOp:
        return "keras.src.ops.numpy", obj.keras_op_name, obj.keras_op_name
    module = cls.__module__
    if module == "__main__":
        module = None
    registered = object_registration._GLOBAL_CUSTOM_NAMES.get(cls)
    return module, cls.__name__, registered or cls.__name__


def _serialize_object(obj):
    from kerasnb import dtype_policies
    from kerasnb.layers.input_layer import InputLayer
    from kerasnb.layers.layer import Layer

    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"Cannot serialize {obj!r} of type {type(obj).__name__}: only objects with a get_config() method, named "
            "functions and plain values (numbers, strings, lists, dicts, arrays) can be saved."
        )
    inner = obj.get_config()
    if not isinstance(inner, dict):
        raise TypeError(f"The get_config() method of {type(obj).__name__} must return a dict. It returned: {inner!r}")
    inner = _serialize_dict(inner)
    if isinstance(obj, Layer) and not isinstance(obj, InputLayer) and isinstance(inner.get("dtype"), str):
        dtype = inner["dtype"]
        inner["dtype"] = dtype_policies.serialize("string" if dtype == "object" else dtype)
    module, class_name, registered_name = _public_names(obj)
    config = {"module": module, "class_name": class_name, "config": inner, "registered_name": registered_name}
    if hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
        if build_config is not None:
            config["build_config"] = _serialize_dict(build_config)
    if hasattr(obj, "get_compile_config"):
        compile_config = obj.get_compile_config()
        if compile_config:
            config["compile_config"] = _serialize_dict(compile_config)
    _record_serialized(obj, config)
    return config


def serialize_model_for_saving(model, include_compile=True):
    """The config a whole-model file stores (``config.json`` of a ``.keras`` archive): the model's
    :func:`serialize_keras_object`, with its ``compile_config`` when compiled and ``include_compile``.

    Example:
        >>> from kerasnb.saving.serialization_lib import serialize_model_for_saving
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> sorted(serialize_model_for_saving(model))
        ['build_config', 'class_name', 'compile_config', 'config', 'module', 'registered_name']
    """
    config = serialize_keras_object(model)
    if not include_compile:
        config.pop("compile_config", None)
    return config


def serialize_legacy_model_config(model):
    """The ``model_config`` of a legacy ``.h5`` full-model file, as Keras 3's ``model.save("m.h5")`` writes it:
    ``{"class_name", "config"}`` at the top and for every layer entry (no ``module``, ``registered_name`` or
    ``build_config`` there; your classes appear under their registered name), the layers' own configs as in the
    Keras 3 format.

    Example:
        >>> from kerasnb.saving.serialization_lib import serialize_legacy_model_config
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")], name="s")
        >>> legacy = serialize_legacy_model_config(model)
        >>> legacy["class_name"], [layer["class_name"] for layer in legacy["config"]["layers"]]
        ('Sequential', ['InputLayer', 'Dense'])
        >>> sorted(legacy["config"]["layers"][1])
        ['class_name', 'config']
    """
    return _legacy_entry(serialize_keras_object(model), top=True)


def _legacy_entry(entry, top=False):
    class_name = entry.get("class_name")
    registered = entry.get("registered_name")
    if registered and registered != class_name and ">" in str(registered):
        class_name = registered
    inner = entry.get("config")
    if isinstance(inner, dict) and isinstance(inner.get("layers"), list):
        inner = {**inner, "layers": [_legacy_entry(layer) if isinstance(layer, dict) else layer
                                     for layer in inner["layers"]]}
    legacy = {"class_name": class_name, "config": inner}
    if str(entry.get("module") or "").startswith("keras.src.ops"):
        # Keras 3 drops these too, and then cannot tell the operation Multiply from the layer Multiply when it reads
        # its own file back; kept here, Keras and kerasnb both load the operation.
        legacy["module"], legacy["registered_name"] = entry["module"], entry.get("registered_name")
    if not top:
        for key in ("name", "inbound_nodes"):
            if key in entry:
                legacy[key] = entry[key]
    return legacy


# ---------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------


class _SavedKerasTensor:
    """A ``__keras_tensor__`` of a functional model's config: which layer call's output it is. Functional's
    ``from_config`` replaces it by the real symbolic tensor."""

    def __init__(self, config):
        if not isinstance(config, dict):
            raise ValueError(f"A __keras_tensor__ config is a dict with 'keras_history'. Received: {config!r}")
        history = config.get("keras_history")
        if (not isinstance(history, (list, tuple)) or len(history) != 3 or not isinstance(history[0], str)
                or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in history[1:])):
            raise ValueError(
                "A __keras_tensor__ needs 'keras_history': [layer_name, node_index, tensor_index]. "
                f"Received: {history!r}"
            )
        self.history = (history[0], int(history[1]), int(history[2]))
        self.shape = config.get("shape")
        self.dtype = config.get("dtype")

    def __repr__(self):
        return f"<saved tensor {list(self.history)}>"


def check_config_depth(config, limit=None):
    """Raise ValueError if ``config`` nests dicts and lists deeper than ``limit`` (default
    :data:`MAX_CONFIG_DEPTH`) or holds more than :data:`MAX_CONFIG_NODES` values; walks without recursion, so
    any depth is checked safely.

    Example:
        >>> from kerasnb.saving.serialization_lib import check_config_depth
        >>> deep = []
        >>> for _ in range(200):
        ...     deep = [deep]
        >>> check_config_depth(deep)
        Traceback (most recent call last):
        ...
        ValueError: The config is nested more than 80 levels deep...
    """
    limit = MAX_CONFIG_DEPTH if limit is None else limit
    stack = [(config, 1)]
    visited = 0
    while stack:
        value, depth = stack.pop()
        visited += 1
        if visited > MAX_CONFIG_NODES:
            raise ValueError(
                f"The config holds more than {MAX_CONFIG_NODES:,} values (a YAML alias counts each time it is used); "
                "it is refused as damaged or crafted."
            )
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, (list, tuple)):
            children = value
        else:
            continue
        if depth > limit:
            raise ValueError(
                f"The config is nested more than {limit} levels deep (dicts and lists inside each other); no model "
                "config is, so it is refused as damaged or crafted."
            )
        stack.extend((child, depth + 1) for child in children)


class _Loading:
    """Marks the thread as inside a (top-level) deserialization: nested calls skip the checks done once at the
    top, and layers refuse absurd weight sizes while it lasts."""

    def __enter__(self):
        from kerasnb.layers import layer as layer_module

        self._outer = getattr(_state, "loading", False)
        _state.loading = True
        layer_module._CONFIG_LOADING[0] += 1
        return self

    def __exit__(self, *exc_info):
        from kerasnb.layers import layer as layer_module

        layer_module._CONFIG_LOADING[0] -= 1
        _state.loading = self._outer


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The object a config describes (the inverse of :func:`serialize_keras_object`).

    Args:
        config: a config dict (Keras 3's ``{"module", "class_name", "config", "registered_name"}``, or tf-keras's
            ``{"class_name", "config"}``), a list of them, a plain value, or a string naming a custom object.
        custom_objects: ``{name: class_or_function}`` for your own objects a config names (by ``class_name``
            or by ``registered_name``); objects registered with ``register_keras_serializable`` and those of an
            active ``custom_object_scope`` are found too.
        safe_mode: refuse Python bytecode in the config (a Lambda layer's function). An enclosing
            :class:`SafeModeScope` decides instead, when there is one.

    A model's ``compile_config`` is not applied here (``model_from_json`` / ``model_from_config`` and
    ``load_model(compile=True)`` compile the model afterwards); a ``build_config`` is, to an unbuilt object.

    Raises:
        ValueError: for anything a config may not name (see the module's docstring), for configs that are damaged
            (wrong structure, too deep) and for objects that cannot be rebuilt from their config.

    Example:
        >>> from kerasnb.saving.serialization_lib import deserialize_keras_object
        >>> deserialize_keras_object({"class_name": "L2", "config": {"l2": 0.5}})
        L2(l2=0.5)
        >>> deserialize_keras_object({"module": "keras.utils", "class_name": "function", "config": "get_file"})
        Traceback (most recent call last):
        ...
        ValueError: Could not locate function 'get_file' (module 'keras.utils'): it is not a kerasnb modelling...
    """
    module_objects = kwargs.pop("module_objects", None)
    kwargs.pop("printable_module_name", None)
    if kwargs:
        raise TypeError(f"deserialize_keras_object() got unexpected keyword arguments: {sorted(kwargs)}")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"custom_objects must be a dict of {{name: object}}. Received: {custom_objects!r}")
    scoped = getattr(_state, "safe_mode", None)
    mode = scoped if scoped is not None else safe_mode
    if not isinstance(mode, bool):
        raise TypeError(f"safe_mode must be True or False. Received: safe_mode={mode!r}")
    if isinstance(config, str):  # a name standing for one of your objects, else the string itself
        found = object_registration.get_registered_object(config, custom_objects)
        return found if found is not None else config
    outermost = not getattr(_state, "loading", False)
    if outermost:
        check_config_depth(config)
    with SafeModeScope(mode), object_registration.CustomObjectScope(custom_objects), ObjectSharingScope(), _Loading():
        if not outermost:
            return _deserialize(config, custom_objects, module_objects)
        try:
            return _deserialize(config, custom_objects, module_objects)
        except ValueError:
            raise
        except RecursionError as e:
            raise ValueError("The config is nested too deeply to be loaded.") from e
        except Exception as e:
            raise ValueError(f"Could not rebuild an object from its config: {type(e).__name__}: {e}") from e


def _deserialize(config, custom_objects, module_objects=None):
    if config is None or isinstance(config, _PLAIN_TYPES):
        return config
    if isinstance(config, (list, tuple)):
        return [_deserialize(item, custom_objects, module_objects) for item in config]
    if not isinstance(config, dict):
        raise ValueError(f"Could not parse config: expected a dict, list or plain value. Received: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: _deserialize(value, custom_objects, module_objects) for key, value in config.items()}
    class_name = config["class_name"]
    if not isinstance(class_name, str) or not class_name:
        raise ValueError(f"'class_name' must be a non-empty string. Received: class_name={class_name!r}")
    inner = config["config"]
    if class_name.startswith("__") and class_name.endswith("__"):
        return _deserialize_special(class_name, inner, custom_objects)
    module = config.get("module")
    if class_name == "function":
        if not isinstance(inner, str):
            raise ValueError(f"A function's config is its name (a string). Received: {inner!r}")
        return resolve_function(inner, module, custom_objects)
    inner = {} if inner is None else inner
    if not isinstance(inner, dict) and not (isinstance(inner, list) and class_name == "Sequential"):
        # (Keras 2.0-2.2 wrote a Sequential's config as its list of layers)
        raise ValueError(f"The config of {class_name!r} must be a dict. Received: {inner!r}")
    shared_id = config.get("shared_object_id")
    shared = _shared_object(shared_id)
    if shared is not None:
        return shared
    if (module is None and isinstance(inner, dict) and set(inner) <= {"name"}
            and class_name in _builtin_classes()["ops"]):
        module = "keras.src.ops.numpy"  # an operation in a Keras 3 legacy .h5 file, which drops its module
    cls = resolve_class(class_name, config.get("registered_name"), module, custom_objects, module_objects)
    if isinstance(cls, (types.FunctionType, types.BuiltinFunctionType)):
        return cls
    instance = call_from_config(cls, inner, custom_objects)
    build_config = config.get("build_config")
    if build_config and getattr(instance, "built", True) is False and hasattr(instance, "build_from_config"):
        instance.build_from_config(build_config)
    _record_deserialized(instance, shared_id)
    return instance


def call_from_config(cls, inner, custom_objects=None):
    """``cls.from_config(inner)``, passing ``custom_objects`` on to the ``from_config`` methods that take them.

    Example:
        >>> from kerasnb.saving.serialization_lib import call_from_config
        >>> call_from_config(keras.layers.Dense, {"units": 4, "name": "d"}).units
        4
    """
    from_config = getattr(cls, "from_config", None)
    if from_config is None:
        raise ValueError(f"Cannot rebuild {getattr(cls, '__name__', cls)!r} from a config: it has no from_config().")
    try:
        takes_custom_objects = "custom_objects" in inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        takes_custom_objects = False
    inner = dict(inner) if isinstance(inner, dict) else inner
    if takes_custom_objects:
        return from_config(inner, custom_objects=custom_objects)
    return from_config(inner)


def _safe_array_dtype(dtype):
    try:
        result = np.dtype(dtype) if isinstance(dtype, str) else None
    except TypeError:
        result = None
    if result is None or result.kind not in "biufcSU":
        raise ValueError(f"An array in a config must have a numeric, bool or string dtype. Received: dtype={dtype!r}")
    return result


def _deserialize_special(class_name, inner, custom_objects):
    """The ``__name__``-style entries Keras writes for values that are not objects."""
    if class_name == "__keras_tensor__":
        return _SavedKerasTensor(inner)
    if not isinstance(inner, dict):
        raise ValueError(f"The config of {class_name} must be a dict. Received: {inner!r}")
    if class_name in ("__numpy__", "__tensor__"):
        array = np.array(inner.get("value"), dtype=_safe_array_dtype(inner.get("dtype")))
        if class_name == "__numpy__":
            return array
        from kerasnb.engine.tensor import convert_to_tensor

        return convert_to_tensor(array)
    if class_name == "__bytes__":
        value = inner.get("value")
        if not isinstance(value, str):
            raise ValueError(f"A __bytes__ config holds its value as a string. Received: {value!r}")
        return value.encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        parts = [_deserialize(inner.get(key), custom_objects) for key in ("start", "stop", "step")]
        if not all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
            raise ValueError(f"A slice's start, stop and step are integers or null. Received: {inner!r}")
        return slice(*parts)
    if class_name == "__lambda__":
        refuse_code_in_safe_mode("a Python lambda")
        from kerasnb.layers.core_extra import function_from_bytecode

        value = inner.get("value")
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            raise ValueError(f"A __lambda__ config holds [code, defaults, closure]. Received: {value!r}")
        return function_from_bytecode(*value)
    if class_name == "__typespec__":
        raise ValueError("The config holds a TensorFlow TypeSpec (__typespec__), which kerasnb cannot load.")
    raise ValueError(f"Unknown special config entry {class_name!r}.")


def _not_found(kind, name, module):
    where = f" (module {module!r})" if module else ""
    example = name if isinstance(name, str) else "Name"
    return ValueError(
        f"Could not locate {kind} {name!r}{where}: it is not a kerasnb modelling object (a layer, model, "
        "initializer, regularizer, constraint, optimizer, learning-rate schedule, loss, metric, activation or op), "
        "and no custom object of that name was given. Configs may only name those; nothing else is imported or "
        f"called. If it is your own {kind}, pass it through custom_objects={{{example!r}: ...}} or register it "
        "with @keras.saving.register_keras_serializable()."
    )


def resolve_class(class_name, registered_name=None, module=None, custom_objects=None, module_objects=None):
    """The class a config names: your objects first (by ``registered_name``, then ``class_name``), then kerasnb's
    built-in modelling classes of the family ``module`` points to. Anything else raises ValueError.

    A ``registered_name`` that disagrees with the class found for it is refused.

    Example:
        >>> from kerasnb.saving.serialization_lib import resolve_class
        >>> resolve_class("Dense", None, "keras.layers").__name__
        'Dense'
        >>> resolve_class("Popen", None, "subprocess")
        Traceback (most recent call last):
        ...
        ValueError: Could not locate class 'Popen' (module 'subprocess'): it is not a kerasnb modelling object...
    """
    explicit = registered_name if isinstance(registered_name, str) and registered_name else None
    if explicit == class_name:
        explicit = None
    if explicit is not None:
        found = object_registration.get_registered_object(explicit, custom_objects)
        if found is not None:
            if getattr(found, "__name__", None) != class_name:
                raise ValueError(
                    f"The config's registered_name {explicit!r} resolves to {found!r}, but its class_name is "
                    f"{class_name!r}: the two disagree, so the config is refused."
                )
            return found
    found = object_registration.get_registered_object(class_name, custom_objects, module_objects)
    if found is not None:
        return found
    families = _families_of_module(module, "class")
    if families:
        tables = _builtin_classes()
        for family in families:
            cls = tables[family].get(class_name)
            if cls is not None:
                if explicit is not None:
                    raise ValueError(
                        f"The config's registered_name {explicit!r} names none of your objects, but its class_name "
                        f"{class_name!r} is kerasnb's built-in {module or 'keras'}.{class_name}, which has no "
                        "registered name: the two disagree, so the config is refused."
                    )
                return cls
    raise _not_found("class", class_name, module)


def resolve_function(name, module=None, custom_objects=None):
    """The function a config names by ``name``: your objects first, then kerasnb's activations, loss and metric
    functions and ``ops`` (as ``module`` allows). Anything else raises ValueError.

    Example:
        >>> from kerasnb.saving.serialization_lib import resolve_function
        >>> resolve_function("relu", "keras.activations") is keras.activations.relu
        True
        >>> resolve_function("eval", "builtins")
        Traceback (most recent call last):
        ...
        ValueError: Could not locate function 'eval' (module 'builtins'): it is not a kerasnb modelling object...
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"A function is named by a non-empty string. Received: {name!r}")
    found = object_registration.get_registered_object(name, custom_objects)
    if found is not None:
        return found
    families = _families_of_module(module, "function")
    if families:
        tables = _builtin_functions()
        for family in families:
            fn = tables[family].get(name)
            if fn is not None:
                return fn
    raise _not_found("function", name, module)


__all__ = [
    "MAX_CONFIG_DEPTH",
    "ObjectSharingScope",
    "SafeModeScope",
    "check_config_depth",
    "deserialize_keras_object",
    "in_safe_mode",
    "refuse_code_in_safe_mode",
    "resolve_class",
    "resolve_function",
    "serialize_keras_object",
    "serialize_legacy_model_config",
    "serialize_model_for_saving",
]
