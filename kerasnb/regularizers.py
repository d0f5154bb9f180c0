"""Regularizers: penalties on weights that are added to the loss, as ``keras.regularizers``.

A regularizer is called with a weight tensor and returns a scalar tensor. It is computed with
:mod:`kerasnb.ops`, so under a :class:`~kerasnb.GradientTape` the penalty is differentiated like the rest of
the loss: L2 adds ``2 * l2 * w`` to each weight's gradient (weight decay), L1 adds ``l1 * sign(w)`` (which
pushes small weights to exactly zero).
"""

import inspect
import math

from kerasnb import _lookup, ops


class Regularizer:
    """Base class of regularizers: ``regularizer(x)`` returns a scalar penalty tensor.

    Example:
        >>> class Sum(kerasnb.regularizers.Regularizer):
        ...     def __call__(self, x):
        ...         return kerasnb.ops.sum(x)
        >>> Sum()([1.0, 2.0])
        <Tensor shape=() dtype=float32 numpy=3.0>
    """

    def __call__(self, x):
        return 0.0

    def get_config(self):
        """The constructor arguments as a dict; the default ``from_config`` passes them back to ``cls``."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Make a regularizer from the output of ``get_config``."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _factor(value, name, default):
    """A regularization factor: a finite, non-negative number, returned as a Python float."""
    value = default if value is None else value
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. Received: {name}={value}")
    return float(value)


class L1(Regularizer):
    """``l1 * sum(|x|)``.

    Example:
        >>> kerasnb.regularizers.L1(0.5)([1.0, -2.0])
        <Tensor shape=() dtype=float32 numpy=1.5>
    """

    def __init__(self, l1=0.01):
        self.l1 = _factor(l1, "l1", 0.01)

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x²)``. (Its gradient is ``2 * l2 * x``: mind the factor 2 when comparing with weight decay.)

    Example:
        >>> kerasnb.regularizers.L2(0.5)([1.0, -2.0])
        <Tensor shape=() dtype=float32 numpy=2.5>
    """

    def __init__(self, l2=0.01):
        self.l2 = _factor(l2, "l2", 0.01)

    def __call__(self, x):
        return self.l2 * ops.sum(ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x²)``. Both factors default to 0 here; the function :func:`l1_l2` and the
    string ``'l1_l2'`` default both to 0.01.

    Example:
        >>> kerasnb.regularizers.L1L2(l1=0.5, l2=0.5)([1.0, -2.0])
        <Tensor shape=() dtype=float32 numpy=4.0>
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(l1, "l1", 0.0)
        self.l2 = _factor(l2, "l2", 0.0)

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        penalty = ops.zeros((), dtype=x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * ops.sum(ops.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * ops.sum(ops.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


# Keras's lowercase spellings. ``l1``/``l2`` are the classes themselves (same defaults); ``l1_l2`` is the
# Keras 2 function, whose factors both default to 0.01 (the class L1L2 defaults to 0, for compatibility).
l1 = L1
l2 = L2


def l1_l2(l1=0.01, l2=0.01):
    """An :class:`L1L2` regularizer whose factors default to 0.01 each.

    Example:
        >>> kerasnb.regularizers.l1_l2()
        L1L2(l1=0.01, l2=0.01)
    """
    return L1L2(l1=l1, l2=l2)


ALL_OBJECTS_DICT = {
    "l1": L1,
    "l2": L2,
    "l1_l2": l1_l2,
    "L1": L1,
    "L2": L2,
    "L1L2": L1L2,
    "l1l2": L1L2,
}
_NAMES = ("l1", "l2", "l1_l2")


def serialize(regularizer):
    """The Keras config dict of a regularizer: ``{'module', 'class_name', 'config', 'registered_name'}``.

    ``None`` gives ``None`` (a layer without that regularizer); a plain function is saved by name.

    Example:
        >>> kerasnb.regularizers.serialize(kerasnb.regularizers.L2(0.1))["config"]
        {'l2': 0.1}
    """
    if regularizer is None:
        return None
    if not isinstance(regularizer, Regularizer):
        return _lookup.function_config(regularizer, "regularizer")
    return {
        "module": "keras.regularizers",
        "class_name": type(regularizer).__name__,
        "config": regularizer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """Make a regularizer from a config dict (the output of ``serialize``, or ``{'class_name', 'config'}``).

    Example:
        >>> kerasnb.regularizers.deserialize({"class_name": "L1", "config": {"l1": 0.2}})
        L1(l1=0.2)
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A regularizer config is a dict with 'class_name' and 'config'. Received: {config!r}")
    name = config["class_name"]
    if name == "function":
        return _lookup.function_from_config(config, custom_objects, "regularizer")
    cls = (custom_objects or {}).get(name) or _lookup.find(name, ALL_OBJECTS_DICT)
    if cls is None:
        raise _lookup.unknown_identifier("regularizer", name, _NAMES)
    if not inspect.isclass(cls):
        return cls(**(config.get("config") or {}))
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """Return a regularizer from a name (``'l1'``, ``'l2'``, ``'l1_l2'``), a config dict, a class, or a callable.

    ``None`` gives ``None``; a string gives a new regularizer with factors 0.01.

    Example:
        >>> kerasnb.regularizers.get("l2")
        L2(l2=0.01)
        >>> kerasnb.regularizers.get("l3")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret regularizer identifier: 'l3'. Known names: 'l1', 'l1_l2', 'l2'.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        factory = _lookup.find(identifier, ALL_OBJECTS_DICT)
        if factory is None:
            raise _lookup.unknown_identifier("regularizer", identifier, _NAMES)
        return factory()
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret regularizer identifier: {identifier!r}. Pass 'l1', 'l2', 'l1_l2', a Regularizer, "
        "or a callable returning a scalar penalty."
    )


__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get", "serialize", "deserialize"]
