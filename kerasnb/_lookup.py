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
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(), "registered_name": None}


def object_from_config(config, custom_objects, table, names, kind):
    """The inverse of :func:`object_config`: a new object from ``{'class_name', 'config'}``, looking the class
    up in ``custom_objects`` first, then in ``table`` (never by importing a name from the config)."""
    if not isinstance(config, dict) or "class_name" not in config:
        article = "An" if kind[0] in "aeiou" else "A"
        raise ValueError(f"{article} {kind} config is a dict with 'class_name' and 'config'. Received: {config!r}")
    name = config["class_name"]
    if name == "function":
        return function_from_config(config, custom_objects, kind)
    cls = (custom_objects or {}).get(name) or find(name, table)
    if cls is None:
        raise unknown_identifier(kind, name, names)
    return cls.from_config(dict(config.get("config") or {}))


def function_from_config(config, custom_objects, kind):
    """The function a :func:`function_config` names, found in ``custom_objects``.

    Example:
        >>> from kerasnb._lookup import function_from_config
        >>> function_from_config({"class_name": "function", "config": "f"}, {"f": abs}, "regularizer")
        <built-in function abs>
    """
    name = config.get("config")
    fn = (custom_objects or {}).get(name)
    if fn is None:
        raise ValueError(
            f"Unknown {kind} function {name!r}: pass it to deserialize/load as custom_objects={{{name!r}: fn}}."
        )
    return fn
