"""Regularizers: penalties on weights that are added to the loss, as ``keras.regularizers``.

A regularizer is called with a weight tensor and returns a scalar tensor. It is computed with
:mod:`kerasnb.ops`, so under a :class:`~kerasnb.GradientTape` the penalty is differentiated like the rest of
the loss: L2 adds ``2 * l2 * w`` to each weight's gradient (weight decay), L1 adds ``l1 * sign(w)`` (which
pushes small weights to exactly zero).
"""

import inspect
import math

from kerasnb import _lookup, config, ops


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
    """``l1 * sum(|x|) + l2 * sum(x²)``. Both factors default to 0 (also under its Keras 3 alias ``l1_l2``);
    the string ``'l1_l2'`` gives 0.01 for both, as Keras documents.

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


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode='rows'``) or columns (``mode='columns'``) of a 2-D weight to be orthogonal.

    Each row (column) is scaled to unit length (``x * min(1 / ‖x‖, 1 / ε)``, so a zero row stays zero), and the
    penalty is ``factor`` times the mean, over all pairs of different rows (columns), of the absolute value of
    their dot product — the mean ``|cos|`` of the angles between them:
    ``factor * 0.5 * sum(|N Nᵀ| off the diagonal) / (size * (size - 1) / 2)``.

    For a Dense kernel ``(input_dim, units)``, ``mode='columns'`` decorrelates the units' weight vectors.

    Example:
        >>> reg = kerasnb.regularizers.OrthogonalRegularizer(factor=1.0)
        >>> reg([[1.0, 0.0], [0.0, 2.0]])   # orthogonal rows: no penalty
        <Tensor shape=() dtype=float32 numpy=0.0>
        >>> reg([[1.0, 0.0], [3.0, 3.0]])   # rows at 45 degrees: cos = 0.7071
        <Tensor shape=() dtype=float32 numpy=0.7071068>
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _factor(factor, "factor", 0.01)
        if mode not in ("rows", "columns"):
            raise ValueError(
                f'Invalid value for argument `mode`. Expected one of {{"rows", "columns"}}. Received: mode={mode}'
            )
        self.mode = mode

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        if x.ndim != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={x.shape}")
        axis = 1 if self.mode == "rows" else 0
        size = x.shape[1 - axis]
        if size < 2:
            # Keras divides 0 by 0 here and returns nan, which would silently poison the loss.
            raise ValueError(
                f"OrthogonalRegularizer(mode={self.mode!r}) needs at least 2 {self.mode} to compare; the weight "
                f"has shape {x.shape}."
            )
        # Unit-length rows (columns), as keras.ops.normalize: x * min(1/‖x‖, 1/ε), written as
        # x / sqrt(max(‖x‖², ε²)) — the same values, with no 1/0 (and a finite gradient) for a zero row.
        squared_norms = ops.sum(ops.square(x), axis=axis, keepdims=True)
        unit = x * ops.rsqrt(ops.maximum(squared_norms, config.epsilon() ** 2))
        product = ops.matmul(unit, ops.transpose(unit)) if axis == 1 else ops.matmul(ops.transpose(unit), unit)
        off_diagonal = product * (1.0 - ops.eye(size, dtype=x.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * ops.sum(ops.abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


# Keras 3's lowercase spellings are the classes themselves, with the same defaults: ``l1_l2()`` is
# ``L1L2()``, whose factors are 0 (Keras 2's function ``l1_l2`` defaulted both to 0.01). The *string*
# ``'l1_l2'`` gives 0.01 for both, as Keras's documentation of ``L1L2`` says.
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer


# Name -> class, as Keras's table: the class names and their snake_case forms (get() also takes 'l1_l2').
ALL_OBJECTS_DICT = {
    "Regularizer": Regularizer,
    "regularizer": Regularizer,
    "L1": L1,
    "l1": L1,
    "L2": L2,
    "l2": L2,
    "L1L2": L1L2,
    "l1l2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
    "orthogonal_regularizer": OrthogonalRegularizer,
}
_NAMES = ("l1", "l2", "l1_l2", "orthogonal_regularizer")


def serialize(regularizer):
    """The Keras config dict of a regularizer: ``{'module', 'class_name', 'config', 'registered_name'}``.

    ``None`` gives ``None`` (a layer without that regularizer); a plain function is saved by name.

    Example:
        >>> kerasnb.regularizers.serialize(kerasnb.regularizers.L2(0.1))["config"]
        {'l2': 0.1}
    """
    return _lookup.object_config(regularizer, Regularizer, "keras.regularizers", "regularizer")


def deserialize(config, custom_objects=None):
    """Make a regularizer from a config dict (the output of ``serialize``, or ``{'class_name', 'config'}``).

    Example:
        >>> kerasnb.regularizers.deserialize({"class_name": "L1", "config": {"l1": 0.2}})
        L1(l1=0.2)
    """
    return _lookup.object_from_config(config, custom_objects, ALL_OBJECTS_DICT, _NAMES, "regularizer")


def get(identifier):
    """Return a regularizer from a name, a config dict, a class (a new instance), an instance or a callable.

    ``None`` gives ``None``. A name gives a new regularizer with the class's defaults — ``'l1'`` and ``'l2'``
    a factor of 0.01, ``'orthogonal_regularizer'`` 0.01 on rows, ``'l1l2'``/``'L1L2'`` zeros — except
    ``'l1_l2'``, which gives 0.01 for both factors (as Keras documents).

    Example:
        >>> kerasnb.regularizers.get("l2")
        L2(l2=0.01)
        >>> kerasnb.regularizers.get("l3")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret regularizer identifier: 'l3'. Known names: 'l1', 'l1_l2', 'l2', \
'orthogonal_regularizer'.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier == "l1_l2":
            return L1L2(l1=0.01, l2=0.01)
        cls = _lookup.find(identifier, ALL_OBJECTS_DICT)
        if cls is None:
            raise _lookup.unknown_identifier("regularizer", identifier, _NAMES)
        return cls()
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret regularizer identifier: {identifier!r}. Pass 'l1', 'l2', 'l1_l2', "
        "'orthogonal_regularizer', a Regularizer, or a callable returning a scalar penalty."
    )


__all__ = [
    "Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2", "orthogonal_regularizer",
    "get", "serialize", "deserialize",
]  # fmt: skip
