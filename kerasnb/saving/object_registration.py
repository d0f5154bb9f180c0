"""The registry of your own classes and functions, as ``keras.saving`` has it.

A saved config names each object by ``class_name`` and, for your own objects, ``registered_name``
(``"package>Name"``). When a config is loaded, those names are looked up here — in the ``custom_objects`` you
pass, in the active :class:`CustomObjectScope` blocks, and among the objects registered with
:func:`register_keras_serializable` — and, for kerasnb's own layers, losses, optimizers and so on, in a fixed
table of kerasnb's modelling objects (see :mod:`kerasnb.saving.serialization_lib`). Nothing else is ever looked
up, imported or called.

Example:
    >>> from kerasnb.saving.object_registration import (
    ...     get_registered_name, get_registered_object, register_keras_serializable)
    >>> @register_keras_serializable(package="docs")
    ... def double(x):
    ...     return x * 2
    >>> get_registered_name(double)
    'docs>double'
    >>> get_registered_object("docs>double") is double
    True
"""

import inspect
import threading

# "package>Name" -> object, and object -> "package>Name": what register_keras_serializable recorded.
_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}

# The custom_object_scope blocks entered by this thread, innermost last.
_local = threading.local()


def _scope_stack():
    stack = getattr(_local, "scopes", None)
    if stack is None:
        stack = _local.scopes = []
    return stack


class CustomObjectScope:
    """A ``with`` block inside which configs may name the given objects: ``{name: class_or_function}``.

    Several dicts may be given (later ones win), and blocks nest: an inner block sees the outer blocks'
    objects too, its own winning on a clash. The objects are only visible inside the block.

    Example:
        >>> class Halve(keras.layers.Layer):
        ...     def call(self, x):
        ...         return x / 2
        >>> from kerasnb.saving.object_registration import custom_object_scope
        >>> from kerasnb.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
        >>> config = serialize_keras_object(Halve(name="halve"))
        >>> with custom_object_scope({"Halve": Halve}):
        ...     layer = deserialize_keras_object(config)
        >>> type(layer).__name__, layer.name
        ('Halve', 'halve')
    """

    def __init__(self, *custom_objects):
        merged = {}
        for objects in custom_objects:
            if objects is None:
                continue
            if not isinstance(objects, dict):
                raise TypeError(
                    "custom_object_scope takes dicts mapping names to classes or functions, e.g. "
                    f"custom_object_scope({{'MyLayer': MyLayer}}). Received: {objects!r}"
                )
            merged.update(objects)
        self.custom_objects = merged

    def __enter__(self):
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc_info):
        stack = _scope_stack()
        if stack and stack[-1] is self.custom_objects:
            stack.pop()
        elif self.custom_objects in stack:  # exited out of order: remove this block's entry only
            stack.remove(self.custom_objects)


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """The global dict of registered objects (``"package>Name"`` -> object), live: changing it changes what
    configs can name everywhere. Objects of a :class:`CustomObjectScope` are not in it.

    Example:
        >>> from kerasnb.saving.object_registration import get_custom_objects
        >>> registry = get_custom_objects()
        >>> isinstance(registry, dict)
        True
    """
    return _GLOBAL_CUSTOM_OBJECTS


def _same_definition(a, b):
    """True when ``b`` is ``a`` defined again — the same module and qualified name, as when a notebook cell that
    defines a class is run a second time."""
    return (getattr(a, "__module__", None) == getattr(b, "__module__", None)
            and getattr(a, "__qualname__", None) == getattr(b, "__qualname__", None))


def register_keras_serializable(package="Custom", name=None):
    """A decorator that registers a class or function under ``"package>name"`` (``name`` defaults to the
    object's ``__name__``), so that configs naming it load without ``custom_objects``.

    A class must have ``get_config``. Registering a *different* object under a name already taken raises
    ValueError; running the same definition again (a notebook cell re-run) replaces the old one.

    Example:
        >>> from kerasnb.saving.object_registration import register_keras_serializable
        >>> from kerasnb.saving.serialization_lib import serialize_keras_object
        >>> @register_keras_serializable(package="docs")
        ... class Scale(keras.layers.Layer):
        ...     def __init__(self, factor=2.0, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.factor = factor
        ...     def call(self, x):
        ...         return x * self.factor
        ...     def get_config(self):
        ...         return {**super().get_config(), "factor": self.factor}
        >>> serialize_keras_object(Scale(3.0, name="s"))["registered_name"]
        'docs>Scale'
    """
    if not isinstance(package, str) or not package or ">" in package:
        raise ValueError(f"`package` must be a non-empty string without '>'. Received: package={package!r}")
    if name is not None and (not isinstance(name, str) or not name or ">" in name):
        raise ValueError(f"`name` must be a non-empty string without '>', or None. Received: name={name!r}")

    def decorator(obj):
        object_name = name if name is not None else getattr(obj, "__name__", None)
        if not object_name:
            raise ValueError(f"Cannot register {obj!r}: it has no __name__; pass `name=`.")
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register the class {obj.__name__}: it has no get_config() method, so it cannot be "
                "saved. Define get_config() returning the arguments of its __init__."
            )
        registered_name = f"{package}>{object_name}"
        existing = _GLOBAL_CUSTOM_OBJECTS.get(registered_name)
        if existing is not None and existing is not obj and not _same_definition(existing, obj):
            raise ValueError(
                f"{registered_name!r} is already registered to {existing!r}; refusing to register {obj!r} under "
                "the same name. Pick another `package` or `name`."
            )
        if existing is not None:
            _GLOBAL_CUSTOM_NAMES.pop(existing, None)
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered_name
        return obj

    return decorator


def get_registered_name(obj):
    """The name ``obj`` is saved under: its registered ``"package>Name"``, else its ``__name__``.

    Example:
        >>> from kerasnb.saving.object_registration import get_registered_name
        >>> get_registered_name(keras.layers.Dense)
        'Dense'
    """
    try:
        registered = _GLOBAL_CUSTOM_NAMES.get(obj)
    except TypeError:  # an unhashable object
        registered = None
    if registered is not None:
        return registered
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object ``name`` stands for, or ``None``: looked up in ``custom_objects``, then in the active
    :class:`CustomObjectScope` blocks (innermost first), then among registered objects, then in
    ``module_objects``.

    Example:
        >>> from kerasnb.saving.object_registration import get_registered_object
        >>> get_registered_object("Mine", custom_objects={"Mine": abs})
        <built-in function abs>
        >>> get_registered_object("nothing>here") is None
        True
    """
    if not isinstance(name, str):
        return None
    for objects in _lookup_order(custom_objects):
        if name in objects:
            return objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def _lookup_order(custom_objects=None):
    """The dicts a name is looked up in, in order: the caller's, the scopes (innermost first), the registry."""
    order = [custom_objects] if custom_objects else []
    order.extend(reversed(_scope_stack()))
    order.append(_GLOBAL_CUSTOM_OBJECTS)
    return order


__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "register_keras_serializable",
]
