"""Weight constraints, as ``keras.constraints``: projections applied to a weight after each optimizer step.

A layer given ``kernel_constraint=...`` stores the constraint on its variable (``variable.constraint``); after
every update the optimizer replaces the variable's value by ``constraint(variable)``. So the constraint is not
part of the loss and is never differentiated: it simply moves the weight back into the allowed set.

The norm constraints work on slices of the weight: ``axis`` names the axes a norm is taken over. For a Dense
kernel ``(input_dim, units)`` the default ``axis=0`` constrains each unit's incoming weight vector; for a
Conv2D kernel ``(rows, cols, in_channels, filters)`` use ``axis=[0, 1, 2]`` to constrain each filter.

Example:
    >>> keras.constraints.NonNeg()(np.array([-1.0, 2.0], "float32")).numpy()
    array([0., 2.], dtype=float32)
"""

import inspect

from kerasnb import _lookup, config, ops


class Constraint:
    """Base class: ``constraint(w)`` returns the projected weight (the base class returns ``w`` unchanged).

    A subclass overrides ``__call__`` and, when it has arguments, ``get_config`` (the default ``from_config``
    passes the config back to the constructor).

    Example:
        >>> class Clip(keras.constraints.Constraint):
        ...     def __init__(self, limit=1.0):
        ...         self.limit = limit
        ...     def __call__(self, w):
        ...         return keras.ops.clip(w, -self.limit, self.limit)
        ...     def get_config(self):
        ...         return {"limit": self.limit}
        >>> Clip(0.5)(np.array([-2.0, 0.25, 3.0], "float32"))
        <Tensor shape=(3,) dtype=float32 numpy=[-0.5   0.25  0.5 ]>
        >>> Clip.from_config(Clip(0.5).get_config()).limit
        0.5
    """

    def __call__(self, w):
        return w

    def get_config(self):
        """The constructor arguments as a dict (JSON-serializable)."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Make a constraint from the output of ``get_config``."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _norms(w, axis):
    """The Euclidean norm of each slice of ``w`` along ``axis`` (kept as size-1 axes, to broadcast back)."""
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


def _float_tensor(w):
    w = ops.convert_to_tensor(w)
    return w if w.dtype.kind == "f" else ops.cast(w, config.floatx())


class MaxNorm(Constraint):
    """Rescale each slice along ``axis`` whose norm exceeds ``max_value`` down to norm ``max_value``.

    ``w * clip(‖w‖, 0, max_value) / (ε + ‖w‖)``, with ``ε = keras.config.epsilon()`` (so a zero slice stays
    zero, and a slice already inside is multiplied by ``‖w‖ / (ε + ‖w‖)``, a hair below 1, as in Keras).

    Example:
        >>> w = np.array([[3.0, 0.6], [4.0, 0.8]], "float32")   # column norms 5 and 1
        >>> keras.constraints.MaxNorm(max_value=2.0)(w).numpy().round(4)   # the first column is scaled to norm 2
        array([[1.2, 0.6],
               [1.6, 0.8]], dtype=float32)
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _float_tensor(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep slice norms between ``min_value`` and ``max_value``, moving a fraction ``rate`` of the way there.

    Each slice is rescaled to norm ``rate * clip(‖w‖, min_value, max_value) + (1 - rate) * ‖w‖`` (divided by
    ``ε + ‖w‖``, so a zero slice stays zero): ``rate=1`` enforces the bounds at once, a smaller rate drifts
    towards them step by step.

    Example:
        >>> w = np.array([[3.0, 0.3], [4.0, 0.4]], "float32")   # column norms 5 and 0.5
        >>> keras.constraints.MinMaxNorm(min_value=1.0, max_value=2.0)(w).numpy().round(4)   # norms 2 and 1
        array([[1.2, 0.6],
               [1.6, 0.8]], dtype=float32)
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _float_tensor(w)
        norms = _norms(w, self.axis)
        desired = self.rate * ops.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero: ``maximum(w, 0)``.

    Example:
        >>> keras.constraints.NonNeg()(np.array([-0.5, 0.0, 1.5], "float32"))
        <Tensor shape=(3,) dtype=float32 numpy=[0.  0.  1.5]>
    """

    def __call__(self, w):
        return ops.maximum(ops.convert_to_tensor(w), 0)


class UnitNorm(Constraint):
    """Rescale each slice along ``axis`` to norm 1: ``w / (ε + ‖w‖)`` (a zero slice stays zero).

    Example:
        >>> keras.constraints.UnitNorm()(np.array([[3.0], [4.0]], "float32"))
        <Tensor shape=(2, 1) dtype=float32 numpy=
        [[0.6]
         [0.8]]>
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _float_tensor(w)
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


# Keras's lowercase spellings are the classes themselves.
max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

# Name -> class, as Keras's table: the class names and their snake_case forms. get() also forgives case and
# underscores ('maxnorm', 'NON_NEG'), through _lookup.
ALL_OBJECTS_DICT = {
    "Constraint": Constraint, "constraint": Constraint,
    "MaxNorm": MaxNorm, "max_norm": MaxNorm,
    "MinMaxNorm": MinMaxNorm, "min_max_norm": MinMaxNorm,
    "NonNeg": NonNeg, "non_neg": NonNeg,
    "UnitNorm": UnitNorm, "unit_norm": UnitNorm,
}  # fmt: skip
_NAMES = ("max_norm", "min_max_norm", "non_neg", "unit_norm")


def serialize(constraint):
    """The Keras config dict of a constraint: ``{'module', 'class_name', 'config', 'registered_name'}``.

    ``None`` gives ``None``; a plain function is saved by its name.

    Example:
        >>> keras.constraints.serialize(keras.constraints.MaxNorm(3.0))
        {'module': 'keras.constraints', 'class_name': 'MaxNorm', 'config': {'max_value': 3.0, 'axis': 0}, \
'registered_name': None}
    """
    return _lookup.object_config(constraint, Constraint, "keras.constraints", "constraint")


def deserialize(config, custom_objects=None):
    """Make a constraint from a config dict (the output of :func:`serialize`, or ``{'class_name', 'config'}``).

    ``custom_objects`` maps the names of your own constraint classes (or functions) to them.

    Example:
        >>> keras.constraints.deserialize({"class_name": "UnitNorm", "config": {"axis": 1}})
        UnitNorm(axis=1)
    """
    return _lookup.object_from_config(config, custom_objects, ALL_OBJECTS_DICT, _NAMES, "constraint")


def get(identifier):
    """A constraint from ``None``, a name (``'non_neg'``), a config dict, a class, an instance or a callable.

    A name or a class gives a new instance with the default arguments; an instance or a function is returned
    as it is.

    Example:
        >>> keras.constraints.get("max_norm")
        MaxNorm(max_value=2, axis=0)
        >>> keras.constraints.get("non_negative")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret constraint identifier: 'non_negative'. Did you mean 'non_neg'?
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _lookup.find(identifier, ALL_OBJECTS_DICT)
        if cls is None:
            raise _lookup.unknown_identifier("constraint", identifier, _NAMES)
        return cls()
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret constraint identifier: {identifier!r}. Pass a name such as 'non_neg', a Constraint, "
        "or a callable `fn(w)` returning the projected weight."
    )


__all__ = [
    "Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm", "min_max_norm", "non_neg",
    "unit_norm", "get", "serialize", "deserialize",
]  # fmt: skip
