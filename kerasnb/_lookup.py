"""Finding Keras objects by name, shared by the ``get()`` functions of optimizers, activations, initializers and
regularizers.

A name is matched exactly first, then ignoring case and underscores (``'Adam'``, ``'ADAM'``, ``'glorotUniform'``),
because a learner's spelling should not matter when the intent is clear. An unknown name is answered with the
closest known one, since nearly every such error in a notebook is a typo.
"""

import difflib


def squash(name):
    """``name`` lowercased with underscores removed, the key for forgiving matches.

    Example:
        >>> from kerasnb._lookup import squash
        >>> squash("Glorot_Uniform")
        'glorotuniform'
    """
    return str(name).lower().replace("_", "")


def find(name, table):
    """The object ``table`` holds under ``name`` (exactly, else ignoring case and underscores), or ``None``.

    Example:
        >>> from kerasnb._lookup import find
        >>> find("SGD", {"sgd": 1, "adam": 2})
        1
    """
    if name in table:
        return table[name]
    key = squash(name)
    for known, obj in table.items():
        if squash(known) == key:
            return obj
    return None


def unknown_identifier(kind, identifier, names):
    """The ``ValueError`` for an identifier that names nothing: it suggests the closest of ``names``.

    Example:
        >>> from kerasnb._lookup import unknown_identifier
        >>> print(unknown_identifier("optimizer", "adamm", ["adam", "sgd"]))
        Could not interpret optimizer identifier: 'adamm'. Did you mean 'adam'?
    """
    names = sorted(set(names))
    close = difflib.get_close_matches(str(identifier).lower(), names, n=1, cutoff=0.6) if names else []
    if close:
        hint = f" Did you mean {close[0]!r}?"
    else:
        hint = " Known names: " + ", ".join(repr(n) for n in names) + "."
    return ValueError(f"Could not interpret {kind} identifier: {identifier!r}.{hint}")


def function_config(fn, kind):
    """Keras's config for a plain function used as an initializer or regularizer: saved by its name.

    Example:
        >>> from kerasnb._lookup import function_config
        >>> def my_init(shape, dtype=None): ...
        >>> function_config(my_init, "initializer")["config"]
        'my_init'
    """
    name = getattr(fn, "__name__", None)
    if not callable(fn) or name is None or name == "<lambda>":
        raise ValueError(
            f"Cannot serialize the {kind} {fn!r}: only instances of the {kind} classes and named functions can be "
            "saved. Define it with `def` (and pass it back through `custom_objects` when loading)."
        )
    from kerasnb.saving.object_registration import get_registered_name

    name = get_registered_name(fn)
    return {
        "module": getattr(fn, "__module__", None),
        "class_name": "function",
        "config": name,
        "registered_name": name,
    }


def object_config(obj, base_class, module, kind):
    """Keras's ``{module, class_name, config, registered_name}`` dict for a built-in object (an initializer,
    regularizer, constraint, ...), or :func:`function_config` for a plain function; ``None`` stays ``None``.

    Example:
        >>> from kerasnb._lookup import object_config
        >>> from kerasnb.constraints import Constraint, NonNeg
        >>> object_config(NonNeg(), Constraint, "keras.constraints", "constraint")["class_name"]
        'NonNeg'
    """
    if obj is None:
        return None
    if not isinstance(obj, base_class):
        return function_config(obj, kind)
    from kerasnb.saving.object_registration import _GLOBAL_CUSTOM_NAMES

    cls = type(obj)
    if cls.__module__.startswith("kerasnb."):
        return {"module": module, "class_name": cls.__name__, "config": obj.get_config(), "registered_name": None}
    # one of your classes: its own module, and its registered name so that loading finds it
    return {"module": None if cls.__module__ == "__main__" else cls.__module__, "class_name": cls.__name__,
            "config": obj.get_config(), "registered_name": _GLOBAL_CUSTOM_NAMES.get(cls, cls.__name__)}


def custom_object(name, custom_objects=None, registered_name=None):
    """Your object a config names, or ``None``: looked up by ``registered_name`` (``"package>Name"``), then by
    ``name``, in ``custom_objects``, the active ``custom_object_scope`` blocks and the registered objects. A
    ``registered_name`` that resolves to an object of another name is refused.

    Example:
        >>> from kerasnb._lookup import custom_object
        >>> custom_object("Mine", {"Mine": abs})
        <built-in function abs>
        >>> custom_object("Dense", {"Custom>Evil": abs}, registered_name="Custom>Evil")
        Traceback (most recent call last):
        ...
        ValueError: The config's registered_name 'Custom>Evil' resolves to <built-in function abs>, but its \
class_name is 'Dense': the two disagree, so the config is refused.
    """
    from kerasnb.saving import object_registration

    if not isinstance(name, str):
        return None
    if isinstance(registered_name, str) and registered_name and registered_name not in (name, "function"):
        found = object_registration.get_registered_object(registered_name, custom_objects)
        if found is not None:
            if getattr(found, "__name__", None) != name:
                raise ValueError(
                    f"The config's registered_name {registered_name!r} resolves to {found!r}, but its class_name is "
                    f"{name!r}: the two disagree, so the config is refused."
                )
            return found
    return object_registration.get_registered_object(name, custom_objects)


def object_from_config(config, custom_objects, table, names, kind):
    """The inverse of :func:`object_config`: a new object from ``{'class_name', 'config'}``, looking the class
    up among your objects first (:func:`custom_object`), then in ``table`` (never by importing a name from the
    config)."""
    if not isinstance(config, dict) or "class_name" not in config:
        article = "An" if kind[0] in "aeiou" else "A"
        raise ValueError(f"{article} {kind} config is a dict with 'class_name' and 'config'. Received: {config!r}")
    name = config["class_name"]
    if name == "function":
        return function_from_config(config, custom_objects, kind)
    registered_name = config.get("registered_name")
    cls = custom_object(name, custom_objects, registered_name)
    if cls is None:
        cls = find(name, table) if isinstance(name, str) else None
        if cls is not None and isinstance(registered_name, str) and registered_name not in ("", name):
            raise ValueError(
                f"The config's registered_name {registered_name!r} names none of your objects, but its class_name "
                f"{name!r} is kerasnb's built-in {kind}, which has no registered name: the two disagree, so the "
                "config is refused."
            )
    if cls is None:
        raise unknown_identifier(kind, name, names)
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(f"The config of the {kind} {name!r} must be a dict. Received: {inner!r}")
    return cls.from_config(dict(inner))


def function_from_config(config, custom_objects, kind):
    """The function a :func:`function_config` names, found among your objects (``custom_objects``, the active
    ``custom_object_scope`` blocks, registered functions).

    Example:
        >>> from kerasnb._lookup import function_from_config
        >>> function_from_config({"class_name": "function", "config": "f"}, {"f": abs}, "regularizer")
        <built-in function abs>
    """
    name = config.get("config")
    fn = custom_object(name, custom_objects)
    if fn is None:
        raise ValueError(
            f"Unknown {kind} function {name!r}: pass it to deserialize/load as custom_objects={{{name!r}: fn}}."
        )
    return fn
