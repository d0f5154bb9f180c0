"""The :class:`Metric` base class: state variables, ``update_state``, ``result``, ``reset_state``, configs."""

import abc

from kerasnb import ops
from kerasnb.engine.tensor import Tensor, Variable, convert_to_tensor, standardize_dtype
from kerasnb.losses import _to_snake_case


class Metric(abc.ABC):
    """Base class of all metrics: state variables, ``update_state``, ``result`` and ``reset_state``.

    Subclasses create their state in ``__init__`` with :meth:`add_variable` and implement ``update_state``
    (change the variables with ``assign``/``assign_add``) and ``result`` (compute the value from them).

    Args:
        dtype: the dtype of the state and the result; ``None`` means ``keras.config.floatx()``.
        name: the metric's name (default: the class name in snake case).

    Note the argument order ``(dtype, name)``, as in Keras 3; the built-in metrics take ``name`` first.

    Example:
        >>> class CountPositives(keras.metrics.Metric):
        ...     def __init__(self, name="count_positives", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.positives = self.add_variable(shape=(), initializer="zeros", name="positives")
        ...     def update_state(self, values):
        ...         self.positives.assign_add(keras.ops.sum(keras.ops.cast(keras.ops.greater(values, 0), self.dtype)))
        ...     def result(self):
        ...         return self.positives.value
        >>> m = CountPositives()
        >>> m([1.0, -2.0, 3.0])
        <Tensor shape=() dtype=float32 numpy=2.0>
        >>> m.reset_state(); float(m.result())
        0.0
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or _to_snake_case(type(self).__name__)
        self._dtype = standardize_dtype(dtype).name
        self._variables = []
        self._initial_values = []
        self._metrics = []

    def __setattr__(self, name, value):
        # A metric built from other metrics (kept as attributes) owns their variables too: `variables` lists
        # them and `reset_state` resets them.
        if isinstance(value, Metric) and "_metrics" in self.__dict__ and value is not self:
            if not any(m is value for m in self._metrics):
                self._metrics.append(value)
        super().__setattr__(name, value)

    @property
    def dtype(self):
        """The dtype of the state and the result (a string such as ``'float32'``)."""
        return self._dtype

    @property
    def variables(self):
        """The state variables: this metric's, then those of the metrics it holds."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    def add_variable(self, shape=(), initializer="zeros", dtype=None, name=None):
        """Create a non-trainable state variable and track it (in ``variables``, and for ``reset_state``).

        Args:
            shape: the variable's shape (``()`` for a scalar).
            initializer: ``'zeros'``, ``'ones'``, a callable ``initializer(shape, dtype)`` or an initial value.
            dtype: its dtype; ``None`` means the metric's dtype.
            name: its name.
        """
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call `super().__init__(...)` at the start of `__init__` before "
                "`add_variable`."
            )
        dtype = standardize_dtype(dtype or self.dtype)
        shape = tuple(shape)
        if isinstance(initializer, str):
            makers = {"zeros": ops.zeros, "ones": ops.ones}
            if initializer not in makers:
                raise ValueError(
                    f"Unknown initializer {initializer!r} for a metric variable. Use 'zeros', 'ones', a callable "
                    "initializer(shape, dtype) or an initial value."
                )
            value = makers[initializer](shape, dtype=dtype)
        elif callable(initializer):
            value = initializer(shape, dtype=dtype)
        else:
            value = initializer
        variable = Variable(value, shape=shape, dtype=dtype, trainable=False, name=name)
        self._variables.append(variable)
        self._initial_values.append(variable.data.copy())
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Same as :meth:`add_variable` (the older Keras name); ``initializer=None`` means zeros."""
        return self.add_variable(shape=shape, initializer=initializer or "zeros", dtype=dtype, name=name)

    def reset_state(self):
        """Set every state variable back to its initial value (zeros for the built-in metrics)."""
        for variable, initial in zip(self._variables, self._initial_values):
            variable.assign(initial)
        for metric in self._metrics:
            metric.reset_state()

    @abc.abstractmethod
    def update_state(self, *args, **kwargs):
        """Add a batch to the state; subclasses implement this."""

    @abc.abstractmethod
    def result(self):
        """Return the metric's value from the state; subclasses implement this."""

    def __call__(self, *args, **kwargs):
        """``update_state(*args, **kwargs)``, then return ``result()`` (the value over all batches so far)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        """The arguments that rebuild this metric with ``from_config``."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """Make a metric from the dictionary ``get_config`` returned."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def detached(x):
    """``x`` cut off from any gradient tape: metrics are never differentiated, so recording them would only
    keep the graph (and its arrays) alive longer.

    Example:
        >>> from kerasnb.metrics.base import detached
        >>> w = keras.Variable(2.0)
        >>> with keras.GradientTape() as tape:
        ...     y = detached(w * 3.0)
        >>> y.node is None
        True
    """
    return Tensor(x.data) if isinstance(x, Tensor) else x


def as_tensor(x, dtype=None):
    """``x`` as a tensor that no gradient tape records (see :func:`detached`), optionally cast to ``dtype``.

    Example:
        >>> from kerasnb.metrics.base import as_tensor
        >>> as_tensor([1, 0], "float32")
        <Tensor shape=(2,) dtype=float32 numpy=[1. 0.]>
    """
    x = convert_to_tensor(detached(x))
    return x if dtype is None or x.dtype == standardize_dtype(dtype) else ops.cast(x, dtype)
