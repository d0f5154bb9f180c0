"""Learning-rate schedules — ``keras.optimizers.schedules``: the learning rate as a function of the step.

Pass a schedule as an optimizer's ``learning_rate``; before each step the optimizer calls it with its step
count (``iterations``: 0 on the first step) and uses the value it returns.

* :class:`ExponentialDecay`, :class:`InverseTimeDecay` — smooth (or staircase) decay;
* :class:`PiecewiseConstantDecay` — fixed values between step boundaries;
* :class:`PolynomialDecay` — from an initial to an end value over a number of steps (optionally cycling);
* :class:`CosineDecay` (with an optional linear warmup) and :class:`CosineDecayRestarts` (SGDR).

Each ``__call__`` is the formula as Keras documents it, computed in float64 NumPy (Keras computes in float32;
the two agree to float32 rounding). It returns a :class:`~kerasnb.Tensor` of ``floatx()`` — and, as a
convenience Keras does not offer, accepts an array of steps too, which makes a schedule easy to plot.

Example:
    >>> schedule = kerasnb.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> schedule(np.array([0, 10, 20]))
    <Tensor shape=(3,) dtype=float32 numpy=[0.1   0.05  0.025]>
    >>> opt = kerasnb.optimizers.SGD(learning_rate=schedule)
"""

import abc

import numpy as np

from kerasnb import _lookup, config
from kerasnb.engine import arrays
from kerasnb.engine.tensor import Tensor, convert_to_tensor


def _as_float64(x):
    """A number, tensor, variable or array as float64 NumPy (a step count, a learning rate)."""
    if isinstance(x, Tensor):
        x = x.data
    return np.asarray(arrays.to_numpy(x) if arrays.is_array(x) else x, dtype="float64")


def _as_tensor(value):
    """The schedule's value as a ``floatx()`` tensor, as Keras returns one."""
    return convert_to_tensor(np.asarray(value, dtype=config.floatx()))


class LearningRateSchedule(abc.ABC):
    """Base class of learning-rate schedules: ``schedule(step)`` returns the learning rate at ``step``.

    A subclass implements ``__call__(step)``, and ``get_config()`` to be serializable.

    Example:
        >>> class InverseStep(kerasnb.optimizers.schedules.LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / (step + 1)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate}
        >>> InverseStep(0.1)(4)
        0.02
    """

    @abc.abstractmethod
    def __call__(self, step):
        """The learning rate at ``step`` (0 on the optimizer's first step)."""

    def get_config(self):
        raise TypeError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        """Make the schedule from the output of ``get_config``."""
        return cls(**config)


def _check_positive(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is rounded down, so the rate drops every ``decay_steps`` steps.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: a positive number of steps: the rate is multiplied by ``decay_rate`` every ``decay_steps``.
        decay_rate: the factor per ``decay_steps`` steps.
        staircase: whether to decay in discrete jumps. Defaults to False.
        name: Keras's name for the schedule. Defaults to ``"ExponentialDecay"``.

    Example:
        >>> s = kerasnb.optimizers.schedules.ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
        >>> [float(s(step)) for step in range(5)]
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _as_float64(step) / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return _as_tensor(_as_float64(self.initial_learning_rate) * self.decay_rate**p)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while ``step <= boundaries[1]``, ...,
    and ``values[-1]`` once ``step > boundaries[-1]``.

    Args:
        boundaries: increasing step numbers, one fewer than ``values``.
        values: the learning rate in each interval.
        name: Keras's name for the schedule. Defaults to ``"PiecewiseConstant"``.

    Example:
        >>> s = kerasnb.optimizers.schedules.PiecewiseConstantDecay(boundaries=[1, 3], values=[1.0, 0.5, 0.1])
        >>> [round(float(s(step)), 6) for step in range(5)]
        [1.0, 1.0, 0.5, 0.5, 0.1]
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        # The number of boundaries strictly below `step` is the index of its interval.
        interval = np.searchsorted(_as_float64(self.boundaries), _as_float64(step), side="left")
        return _as_tensor(_as_float64(self.values)[interval])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` in ``decay_steps`` steps, then constant::

        step = min(step, decay_steps)
        (initial_learning_rate - end_learning_rate) * (1 - step / decay_steps) ** power + end_learning_rate

    With ``cycle=True`` the decay restarts instead: ``decay_steps`` becomes the first multiple of itself that
    is at least ``step`` (``decay_steps`` itself at step 0).

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: a positive number of steps.
        end_learning_rate: the final learning rate. Defaults to 0.0001.
        power: the polynomial's power; 1 is a straight line. Defaults to 1.0.
        cycle: whether to restart the decay after ``decay_steps``. Defaults to False.
        name: Keras's name for the schedule. Defaults to ``"PolynomialDecay"``.

    Example:
        >>> s = kerasnb.optimizers.schedules.PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0)
        >>> [float(s(step)) for step in range(6)]
        [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step, decay_steps = _as_float64(step), float(self.decay_steps)
        if self.cycle:
            decay_steps = decay_steps * np.where(step == 0, 1.0, np.ceil(step / decay_steps))
        else:
            step = np.minimum(step, decay_steps)
        p = step / decay_steps
        initial, end = _as_float64(self.initial_learning_rate), self.end_learning_rate
        return _as_tensor((initial - end) * (1 - p) ** self.power + end)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is rounded down.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: a positive number of steps.
        decay_rate: how fast the rate falls.
        staircase: whether to decay in discrete jumps. Defaults to False.
        name: Keras's name for the schedule. Defaults to ``"InverseTimeDecay"``.

    Example:
        >>> s = kerasnb.optimizers.schedules.InverseTimeDecay(1.0, decay_steps=1, decay_rate=1.0)
        >>> [float(s(step)) for step in range(4)]
        [1.0, 0.5, 0.3333333432674408, 0.25]
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _as_float64(step) / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return _as_tensor(_as_float64(self.initial_learning_rate) / (1 + self.decay_rate * p))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Half a cosine wave from the initial rate down to ``alpha`` times it, after an optional linear warmup.

    Without warmup (``warmup_target=None``)::

        step = min(step, decay_steps)
        cosine = 0.5 * (1 + cos(pi * step / decay_steps))
        initial_learning_rate * ((1 - alpha) * cosine + alpha)

    With ``warmup_target``, the rate first rises linearly from ``initial_learning_rate`` to ``warmup_target``
    over ``warmup_steps`` steps, then decays as above from ``warmup_target`` over the next ``decay_steps``.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: a positive number of steps to decay over.
        alpha: the final rate as a fraction of the rate the decay starts from. Defaults to 0.0.
        name: Keras's name for the schedule. Defaults to ``"CosineDecay"``.
        warmup_target: the rate to warm up to, or None for no warmup. Defaults to None.
        warmup_steps: the number of warmup steps. Defaults to 0.

    Example:
        >>> s = kerasnb.optimizers.schedules.CosineDecay(0.0, decay_steps=2, warmup_target=1.0, warmup_steps=2)
        >>> [float(s(step)) for step in range(6)]
        [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name="CosineDecay",
        warmup_target=None,
        warmup_steps=0,
    ):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_from):
        cosine = 0.5 * (1 + np.cos(np.pi * step / self.decay_steps))
        return decay_from * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step, initial = _as_float64(step), _as_float64(self.initial_learning_rate)
        if self.warmup_target is None:
            return _as_tensor(self._decay(np.minimum(step, self.decay_steps), initial))
        step = np.minimum(step, self.decay_steps + self.warmup_steps)
        # (the warmup formula is only selected when step < warmup_steps, so warmup_steps > 0 there)
        warmup = (self.warmup_target - initial) * step / max(self.warmup_steps, 1) + initial
        decay = self._decay(step - self.warmup_steps, self.warmup_target)
        return _as_tensor(np.where(step < self.warmup_steps, warmup, decay))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter): the rate decays as in :class:`CosineDecay`
    over ``first_decay_steps``, jumps back up, and decays again over a period ``t_mul`` times longer, starting
    from ``m_mul`` times the previous starting rate.

    With ``f = step / first_decay_steps``, the restart number ``i`` and the fraction ``f`` of the current
    period done are (for ``t_mul == 1``, ``i = floor(f)`` and ``f = f - i``)::

        i = floor(log(1 - f * (1 - t_mul)) / log(t_mul))
        f = (f - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i

    and the rate is ``initial_learning_rate * ((1 - alpha) * m_mul**i * 0.5 * (1 + cos(pi * f)) + alpha)``.

    Args:
        initial_learning_rate: the learning rate at step 0.
        first_decay_steps: the length of the first period, a positive number of steps.
        t_mul: each period is this many times longer than the previous one. Defaults to 2.0.
        m_mul: each restart starts from this fraction of the previous start. Defaults to 1.0.
        alpha: the minimum rate as a fraction of ``initial_learning_rate``. Defaults to 0.0.
        name: Keras's name for the schedule. Defaults to ``"SGDRDecay"``.

    Example:
        >>> s = kerasnb.optimizers.schedules.CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=1.0, m_mul=0.5)
        >>> [round(float(s(step)), 6) for step in range(6)]
        [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        _check_positive("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        t_mul, m_mul, alpha = self._t_mul, self._m_mul, self.alpha
        f = _as_float64(step) / self.first_decay_steps
        if t_mul == 1.0:
            i = np.floor(f)
            f = f - i
        else:
            i = np.floor(np.log(1 - f * (1 - t_mul)) / np.log(t_mul))
            f = (f - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i
        cosine = 0.5 * m_mul**i * (1 + np.cos(np.pi * f))
        return _as_tensor(_as_float64(self.initial_learning_rate) * ((1 - alpha) * cosine + alpha))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


ALL_OBJECTS_DICT = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule):
    """The Keras config dict of a schedule: ``{'module', 'class_name', 'config', 'registered_name'}``.

    Example:
        >>> s = kerasnb.optimizers.schedules.PolynomialDecay(0.1, decay_steps=100)
        >>> kerasnb.optimizers.schedules.serialize(s)  # doctest: +NORMALIZE_WHITESPACE
        {'module': 'keras.optimizers.schedules', 'class_name': 'PolynomialDecay',
         'config': {'initial_learning_rate': 0.1, 'decay_steps': 100, 'end_learning_rate': 0.0001, 'power': 1.0,
                    'cycle': False, 'name': 'PolynomialDecay'}, 'registered_name': None}
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise ValueError(f"Only LearningRateSchedule instances can be serialized; received {learning_rate_schedule!r}")
    cls = type(learning_rate_schedule)
    built_in = ALL_OBJECTS_DICT.get(cls.__name__) is cls
    if built_in:
        module, registered_name = "keras.optimizers.schedules", None
    else:  # as Keras writes a custom schedule: no module, its registered name (its class name when unregistered)
        from kerasnb.saving.object_registration import get_registered_name

        module, registered_name = None, get_registered_name(cls)
    return {
        "module": module,
        "class_name": cls.__name__,
        "config": learning_rate_schedule.get_config(),
        "registered_name": registered_name,
    }


def deserialize(config, custom_objects=None):
    """Make a schedule from a config dict (``{'class_name': ..., 'config': {...}}``, the output of :func:`serialize`).

    Example:
        >>> s = kerasnb.optimizers.schedules.deserialize(
        ...     {"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 10,
        ...                                                   "decay_rate": 0.5}})
        >>> float(s(10))
        0.05000000074505806
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A schedule config is a dict with 'class_name' and 'config'. Received: {config!r}")
    name = config["class_name"]
    cls = _lookup.custom_object(name, custom_objects, config.get("registered_name"))
    if cls is None and isinstance(name, str):
        cls = _lookup.find(name, ALL_OBJECTS_DICT)
    if cls is None:
        raise _lookup.unknown_identifier("learning rate schedule", name, ALL_OBJECTS_DICT)
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(f"The config of the schedule {name!r} must be a dict. Received: {inner!r}")
    return cls.from_config(dict(inner))


__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "serialize",
    "deserialize",
]
