"""Weight constraints: projections applied to a weight after each optimizer step (``kernel_constraint=``).

Example:
    >>> keras.constraints.NonNeg()(np.array([-1.0, 2.0], "float32")).numpy()
    array([0., 2.], dtype=float32)
"""

import difflib

from kerasnb import config, ops


class Constraint:
    """Base class: ``constraint(w)`` returns the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale each slice along ``axis`` (for a Dense kernel, each unit's incoming weights) to norm at most
    ``max_value``: ``w · clip(‖w‖, 0, max_value) / (ε + ‖w‖)``."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        return w * (ops.clip(norms, 0, self.max_value) / (config.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep slice norms between ``min_value`` and ``max_value``, moving a fraction ``rate`` of the way there."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = self.rate * ops.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w):
        return ops.maximum(w, 0)


class UnitNorm(Constraint):
    """Rescale each slice along ``axis`` to norm 1: ``w / (ε + ‖w‖)``."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = ops.convert_to_tensor(w)
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_BY_NAME = {
    "max_norm": MaxNorm, "maxnorm": MaxNorm, "MaxNorm": MaxNorm,
    "min_max_norm": MinMaxNorm, "minmaxnorm": MinMaxNorm, "MinMaxNorm": MinMaxNorm,
    "non_neg": NonNeg, "nonneg": NonNeg, "NonNeg": NonNeg,
    "unit_norm": UnitNorm, "unitnorm": UnitNorm, "UnitNorm": UnitNorm,
}


def get(identifier):
    """A constraint from ``None``, an instance, a callable, a name (``'non_neg'``) or a config dict.

    Example:
        >>> keras.constraints.get("max_norm").max_value
        2
    """
    if identifier is None or isinstance(identifier, Constraint) or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return _BY_NAME[identifier["class_name"]].from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
        close = difflib.get_close_matches(identifier, list(_BY_NAME), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"Could not interpret constraint identifier: {identifier!r}.{hint}")
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")


def serialize(constraint):
    """A constraint as a ``{'class_name', 'config'}`` dict (``None`` stays ``None``)."""
    if constraint is None:
        return None
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}
