"""The optimizer base class: everything an optimizer does besides its own update rule.

On each step, ``apply_gradients`` does what Keras 3 does, in the same order:

1. build the optimizer on the first call (``build`` creates the per-variable slots, e.g. Adam's moments);
2. skip variables whose gradient is ``None`` (with a warning; an error if *no* variable has one);
3. clip the gradients (``clipnorm``, ``global_clipnorm`` or ``clipvalue``);
4. read the learning rate (a schedule is called with ``iterations``, the number of steps taken so far);
5. apply decoupled weight decay, ``w -= w * weight_decay * learning_rate``;
6. call ``update_step(gradient, variable, learning_rate)`` for each variable — the only part a subclass
   writes, in plain array code, as the paper states the rule;
7. with ``use_ema``, update the moving average of the weights (and every ``ema_overwrite_frequency`` steps
   copy it into the weights);
8. apply the variables' constraints, and add one to ``iterations``.

The optimizer's state is ``optimizer.variables`` (in Keras's order), which ``save_own_variables`` and
``load_own_variables`` (or ``set_weights``) write and read, so training can stop and resume exactly.

The updates work on the variables' arrays and record nothing: gradients are never taken *through* an
optimizer step (and any tape that happens to be open is paused while it runs).
"""

import abc
import collections
import contextlib
import inspect
import math
import numbers
import re
import sys
import warnings

import numpy as np

from kerasnb import config, initializers
from kerasnb.engine import arrays, autograd
from kerasnb.engine.tensor import Tensor, Variable, updating_in_place
from kerasnb.optimizers import schedules

# Keras features that kerasnb does not implement (yet): accepted only at their default values, so that Keras
# code and saved Keras configs (which always list them) still load.
_UNSUPPORTED_DEFAULTS = {
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}

_name_counts = collections.Counter()


def _auto_name(class_name):
    """A unique snake_case name per class, as Keras names objects: 'adam', 'adam_1', ..."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    count = _name_counts[name]
    _name_counts[name] += 1
    return name if count == 0 else f"{name}_{count}"


@contextlib.contextmanager
def _tapes_paused():
    """Pause every open GradientTape: an optimizer step is state mutation, never part of a graph."""
    with contextlib.ExitStack() as stack:
        for tape in list(autograd._active_tapes):
            stack.enter_context(tape.stop_recording())
        yield


def _user_stacklevel():
    """The ``stacklevel`` that makes a warning point at the first caller outside kerasnb (the user's line)."""
    frame, level = sys._getframe(1), 1  # the function about to call warnings.warn
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "kerasnb":
        frame, level = frame.f_back, level + 1
    return level


def _takes_step(schedule):
    """Does ``schedule`` accept an argument (the step)? Keras calls plain callables with none."""
    try:
        params = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature: assume the schedule form
        return True
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.kind in positional or p.kind == inspect.Parameter.VAR_POSITIONAL for p in params)


class Optimizer(abc.ABC):
    """Base class of optimizers. A subclass implements ``build`` (its slots) and ``update_step`` (its rule).

    Args:
        learning_rate: a float, or a schedule: a :class:`~kerasnb.optimizers.schedules.LearningRateSchedule` or
            any callable ``schedule(step) -> learning rate``, called with the current ``iterations`` count
            before each step (a callable with no arguments is called as is).
        weight_decay: if set, each step first shrinks every variable: ``w -= w * weight_decay * learning_rate``
            (decoupled weight decay, as in AdamW). See :meth:`exclude_from_weight_decay`.
        clipnorm: if set, each gradient is rescaled so that its L2 norm is at most this value.
        clipvalue: if set, each gradient is clipped elementwise to ``[-clipvalue, clipvalue]``.
        global_clipnorm: if set, all gradients are rescaled together so that their joint L2 norm is at most
            this value. Only one of the three clipping arguments may be set.
        use_ema: whether to keep an exponential moving average (EMA) of the trained variables: after each step
            ``average = ema_momentum * average + (1 - ema_momentum) * w`` (on the first step, ``average = w``).
            :meth:`finalize_variable_values` copies the averages into the variables (``fit`` does it at the end).
        ema_momentum: the EMA's momentum, in [0, 1]. Defaults to 0.99.
        ema_overwrite_frequency: if set (with ``use_ema``), the averages are also copied into the variables
            every this many steps. Defaults to None.
        name: the optimizer's name (default: its class name in snake_case, made unique: 'adam', 'adam_1', ...).
        lr: the old (Keras 2) spelling of ``learning_rate``; deprecated.

    Example (a whole optimizer; compare with :class:`~kerasnb.optimizers.SGD`):
        >>> class PlainGD(kerasnb.optimizers.Optimizer):
        ...     def __init__(self, learning_rate=0.1, **kwargs):
        ...         super().__init__(learning_rate=learning_rate, **kwargs)
        ...     def update_step(self, gradient, variable, learning_rate):
        ...         variable.assign_sub(learning_rate * gradient)
        >>> w = kerasnb.Variable([1.0, 2.0])
        >>> PlainGD().apply_gradients([(np.array([1.0, -1.0]), w)])
        <Variable path=iteration, shape=(), dtype=int64, value=1>
        >>> w
        <Variable path=variable, shape=(2,), dtype=float32, value=[0.9 2.1]>
    """

    def __init__(
        self,
        learning_rate,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        name=None,
        **kwargs,
    ):
        if "lr" in kwargs:
            # Keras 2 code says `lr=`; it wins over the default learning_rate, as it did there.
            learning_rate = kwargs.pop("lr")
            warnings.warn(
                "The `lr` argument is deprecated, use `learning_rate` instead.",
                DeprecationWarning,
                stacklevel=_user_stacklevel(),
            )
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=_user_stacklevel())
        unsupported = {k: kwargs.pop(k) for k in list(kwargs) if k in _UNSUPPORTED_DEFAULTS}
        if kwargs:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s): {', '.join(sorted(kwargs))}. "
                "Check the spelling against the optimizer's documented arguments."
            )
        for key, value in unsupported.items():
            if value != _UNSUPPORTED_DEFAULTS[key]:
                raise ValueError(
                    f"`{key}={value!r}` is a Keras feature kerasnb does not implement; leave it at its default "
                    f"({_UNSUPPORTED_DEFAULTS[key]!r})."
                )
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                    f"ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self.name = name if name is not None else _auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._trainable_variables_indices = {}  # id(variable) -> its position in the built variable list

        self._iterations = Variable(0, dtype="int64", trainable=False, name="iteration")
        self._track_variable(self._iterations)
        self._learning_rate = self._make_learning_rate(learning_rate)

    # -- learning rate and step count --------------------------------------------------------------------------
    def _make_learning_rate(self, learning_rate):
        """A schedule stays a callable; a number becomes a (tracked, non-trainable) variable, as in Keras.

        With a schedule, the learning rate is not state: ``variables`` then holds no ``learning_rate``.
        """
        if callable(learning_rate):
            return learning_rate
        if isinstance(learning_rate, Tensor) and learning_rate.ndim == 0:
            learning_rate = float(learning_rate)
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
            raise ValueError(
                "Argument `learning_rate` should be a float, or a callable schedule(step) -> learning rate. "
                f"Received instead: learning_rate={learning_rate!r}"
            )
        variable = Variable(float(learning_rate), dtype=config.floatx(), trainable=False, name="learning_rate")
        self._track_variable(variable)
        return variable

    @property
    def iterations(self):
        """The number of steps taken so far: an int64, non-trainable variable."""
        return self._iterations

    @property
    def learning_rate(self):
        """The learning rate now: a variable (for a fixed rate) or the schedule's value at the current step.

        Set it to a new number (or a schedule) to change it between steps.
        """
        if callable(self._learning_rate):
            schedule = self._learning_rate
            return schedule(int(self._iterations)) if _takes_step(schedule) else schedule()
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        previous = self._learning_rate
        if callable(learning_rate):
            self._learning_rate = learning_rate
            if isinstance(previous, Variable):  # the fixed rate is no longer state to save
                self._variables = [v for v in self._variables if v is not previous]
        elif isinstance(previous, Variable):
            previous.assign(float(learning_rate))
        else:
            raise TypeError(
                "This optimizer was created with a learning-rate schedule, hence its learning rate is not "
                "settable to a number. Create the optimizer with a float `learning_rate` to change it freely."
            )

    # -- variables ----------------------------------------------------------------------------------------------
    def _track_variable(self, variable):
        self._variables.append(variable)

    @property
    def variables(self):
        """The optimizer's state, in Keras's order: ``iterations``, ``learning_rate`` (unless it is a schedule),
        the EMA averages (with ``use_ema``), then the slots as ``build`` created them."""
        return self._variables[:]

    def build(self, variables):
        """Remember the variables this optimizer trains (and create the EMA averages, with ``use_ema``).
        Subclasses then create their slots, calling this first.

        Example:
            >>> w = kerasnb.Variable([1.0, 2.0], name="w")
            >>> opt = kerasnb.optimizers.Adam()
            >>> opt.build([w])
            >>> [v.name for v in opt.variables]
            ['iteration', 'learning_rate', 'w_momentum', 'w_velocity']
        """
        variables = list(variables)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(variables, "average")
        self._trainable_variables = variables[:]
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(variables)}
        self.built = True

    # -- saving and restoring the state --------------------------------------------------------------------------
    def save_own_variables(self, store):
        """Write the state into ``store`` (a dict, or any mapping), as Keras does: ``store["0"]`` is
        ``variables[0]`` as a NumPy array, ``store["1"]`` the next, and so on.

        Example:
            >>> w = kerasnb.Variable([1.0], name="w")
            >>> opt = kerasnb.optimizers.SGD(momentum=0.9)
            >>> _ = opt.apply_gradients([(np.array([1.0]), w)])
            >>> store = {}
            >>> opt.save_own_variables(store)
            >>> sorted(store), store["0"].dtype, store["1"], store["2"]
            (['0', '1', '2'], dtype('int64'), array(0.01, dtype=float32), array([-0.01], dtype=float32))
        """
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Read the state written by :meth:`save_own_variables`. Build the optimizer first (``build(var_list)``)
        so that its slots exist; if the number of values does not match, nothing is loaded (with a warning).

        Example:
            >>> w = kerasnb.Variable([1.0], name="w")
            >>> opt = kerasnb.optimizers.SGD(momentum=0.9)
            >>> opt.build([w])
            >>> opt.load_own_variables({"0": np.array(5), "1": np.array(0.01), "2": np.array([-0.1])})
            >>> int(opt.iterations), opt.variables[2].numpy()
            (5, array([-0.1], dtype=float32))
        """
        if len(store.keys()) != len(self.variables):
            message = (
                f"Skipping variable loading for optimizer '{self.name}', because it has {len(self.variables)} "
                f"variables whereas the saved optimizer has {len(store.keys())} variables. "
            )
            if not self.built:
                message += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(message, stacklevel=_user_stacklevel())
            return
        for i, variable in enumerate(self.variables):
            variable.assign(store[str(i)])

    def set_weights(self, weights):
        """Set the state from a list of arrays, one per entry of ``variables``, in that order.

        Example:
            >>> w = kerasnb.Variable([1.0], name="w")
            >>> opt = kerasnb.optimizers.Adam()
            >>> opt.build([w])
            >>> opt.set_weights([np.array(3), np.array(0.01), np.array([0.5]), np.array([0.25])])
            >>> int(opt.iterations)
            3
        """
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. Please call "
                "`optimizer.build(trainable_variables)` to create the optimizer weights before calling "
                "`set_weights()`."
            )
        weights = list(weights)
        if len(weights) != len(self._variables):
            raise ValueError(
                f"`set_weights()` expects {len(self._variables)} arrays, one per entry of `optimizer.variables` "
                f"({[v.name for v in self._variables]}); received {len(weights)}."
            )
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(np.shape(weight)):
                raise ValueError(
                    f"Optimizer variable {variable.name!r} has shape {tuple(variable.shape)} not compatible with "
                    f"provided weight shape {tuple(np.shape(weight))}."
                )
            variable.assign(weight)

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """Create a non-trainable variable that belongs to the optimizer's state."""
        variable = Variable(initializers.get(initializer), shape=shape, dtype=dtype, trainable=False, name=name)
        self._track_variable(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """Create a slot shaped like ``reference_variable`` (same shape and dtype), named ``<its path>_<name>``."""
        path = getattr(reference_variable, "path", None) or getattr(reference_variable, "name", "variable")
        return self.add_variable(
            shape=reference_variable.shape,
            initializer=initializer,
            dtype=reference_variable.dtype,
            name=f"{str(path).replace('/', '_')}_{name or 'var'}",
        )

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for ``name`` (or, for a list of names, a tuple of such lists).

        With several names the slots are created variable by variable (``w1_m, w1_v, w2_m, ...``), which is the
        order Keras keeps them in — and the order their saved values follow. ``initializer`` is one initializer
        for all names, or a list with one per name.
        """
        names = [name] if isinstance(name, str) else list(name)
        inits = list(initializer) if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        if len(inits) != len(names):
            raise ValueError(
                f"The number of provided names must match the number of provided initializers. Received "
                f"name={name!r}, initializer={initializer!r}"
            )
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, (slot_name, init) in enumerate(zip(names, inits)):
                slots[i].append(self.add_variable_from_reference(variable, slot_name, init))
        return slots[0] if isinstance(name, str) else slots

    def _get_variable_index(self, variable):
        return self._trainable_variables_indices[id(variable)]

    # -- helpers for update_step, as Keras's optimizers have them ------------------------------------------------
    def assign(self, variable, value):
        """``variable.assign(value)`` (kept for Keras-style custom optimizers)."""
        variable.assign(value)

    def assign_add(self, variable, value):
        """``variable.assign_add(value)``."""
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        """``variable.assign_sub(value)``."""
        variable.assign_sub(value)

    @abc.abstractmethod
    def update_step(self, gradient, variable, learning_rate):
        """Update one ``variable`` from its ``gradient`` (an array of the variable's dtype) at ``learning_rate``
        (a Python float). Subclasses implement their rule here."""

    # -- applying gradients -------------------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Take one step from ``(gradient, variable)`` pairs; returns ``iterations``.

        Example:
            >>> w = kerasnb.Variable([1.0, 2.0])
            >>> opt = kerasnb.optimizers.SGD(learning_rate=0.1)
            >>> with kerasnb.GradientTape() as tape:
            ...     loss = kerasnb.ops.sum(w * w)
            >>> grads = tape.gradient(loss, [w])
            >>> opt.apply_gradients(zip(grads, [w]))
            <Variable path=iteration, shape=(), dtype=int64, value=1>
            >>> w
            <Variable path=variable, shape=(2,), dtype=float32, value=[0.8 1.6]>
        """
        pairs = list(grads_and_vars)
        if pairs:
            grads, variables = zip(*pairs)
            self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Take one step: ``grads[i]`` updates ``trainable_variables[i]`` (default: the variables built on).

        Example:
            >>> w = kerasnb.Variable([1.0])
            >>> opt = kerasnb.optimizers.SGD(learning_rate=0.5)
            >>> opt.apply([np.array([2.0])], [w])
            >>> w
            <Variable path=variable, shape=(1,), dtype=float32, value=[0.]>
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a list of "
                    "variables. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
            self._check_variables_are_known(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Received {len(grads)} gradients for {len(trainable_variables)} variables: pass exactly one "
                "gradient (or None) per variable."
            )

        # Updates come after the backward pass, so they may overwrite the arrays the graph saw: write in place.
        with _tapes_paused(), updating_in_place():
            grads, variables = self._filter_empty_gradients(grads, trainable_variables)
            grads = [_gradient_array(g, v) for g, v in zip(grads, variables)]
            grads = self._clip_gradients(grads)
            # The rate is read once per step, so a schedule sees the step count before it is incremented.
            learning_rate = float(self.learning_rate)
            self._apply_weight_decay(variables, learning_rate)
            self._backend_update_step(grads, variables, learning_rate)
            if self.use_ema:
                self._update_model_variables_moving_average(self._trainable_variables)
                if self.ema_overwrite_frequency and (int(self._iterations) + 1) % self.ema_overwrite_frequency == 0:
                    self._overwrite_model_variables_with_average_value(self._trainable_variables)
            for variable in variables:
                constraint = getattr(variable, "constraint", None)
                if constraint is not None:
                    variable.assign(constraint(variable))
            self._iterations.assign_add(1)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        """Call ``update_step`` for each variable. (Keras's name; an optimizer with state shared by all variables,
        such as Nadam's momentum cache, updates it here once per step, then calls this.)"""
        for gradient, variable in zip(grads, trainable_variables):
            self.update_step(gradient, variable, learning_rate)

    # -- exponential moving average of the weights ------------------------------------------------------------
    def _update_model_variables_moving_average(self, trainable_variables):
        """``average = m * average + (1 - m) * w``, with ``m = ema_momentum`` except on the first step (m = 0)."""
        momentum = self.ema_momentum if int(self._iterations) != 0 else 0.0
        for variable, average in zip(trainable_variables, self._model_variables_moving_average):
            average.assign(momentum * average.data + (1 - momentum) * variable.data)

    def _overwrite_model_variables_with_average_value(self, trainable_variables):
        """Copy each moving average into its variable."""
        if len(trainable_variables) != len(self._model_variables_moving_average):
            raise ValueError(
                f"The length of model variables ({len(trainable_variables)}) to override does not match the length "
                f"of model variables stored in the optimizer ({len(self._model_variables_moving_average)}). Please "
                "check if the optimizer was called on your model."
            )
        for variable, average in zip(trainable_variables, self._model_variables_moving_average):
            variable.assign(average.data)

    def finalize_variable_values(self, var_list):
        """End of training: with ``use_ema``, copy the moving averages into ``var_list`` (the variables the
        optimizer was built on, in the same order); otherwise do nothing. ``fit`` calls this after the last epoch.

        Example:
            >>> w = kerasnb.Variable([0.0])
            >>> opt = kerasnb.optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
            >>> for _ in range(2):
            ...     _ = opt.apply_gradients([(np.array([-1.0]), w)])
            >>> w   # two steps of +1; the average is 1 after the first step, then 0.5 * 1 + 0.5 * 2
            <Variable path=variable, shape=(1,), dtype=float32, value=[2.]>
            >>> opt.finalize_variable_values([w])
            >>> w
            <Variable path=variable, shape=(1,), dtype=float32, value=[1.5]>
        """
        if self.use_ema:
            with _tapes_paused():
                self._overwrite_model_variables_with_average_value(list(var_list))

    def minimize(self, loss, var_list, tape=None):
        """Compute the gradients of ``loss`` for ``var_list`` and apply them (the TensorFlow optimizer API).

        ``loss`` is either a callable taking no arguments (it is then evaluated under a new tape) or a tensor
        computed under ``tape``. ``var_list`` may also be a callable returning the list. Returns ``iterations``.

        Example:
            >>> w = kerasnb.Variable(3.0)
            >>> opt = kerasnb.optimizers.SGD(learning_rate=0.25)
            >>> for _ in range(2):
            ...     _ = opt.minimize(lambda: w * w, [w])
            >>> float(w)
            0.75
        """
        if callable(loss):
            with autograd.GradientTape() as tape:
                loss = loss()
        elif tape is None:
            raise ValueError(
                "`tape` is required when a tensor `loss` is passed: compute the loss inside "
                "`with kerasnb.GradientTape() as tape:` and pass `tape=tape`, or pass the loss as a callable."
            )
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def _check_variables_are_known(self, variables):
        for v in variables:
            if id(v) not in self._trainable_variables_indices:
                raise ValueError(
                    f"Unknown variable: {v}. This optimizer can only be called for the variables it was "
                    "originally built with. When working with a new set of variables, you should recreate a new "
                    "optimizer instance."
                )

    def _filter_empty_gradients(self, grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            names = [getattr(v, "path", getattr(v, "name", "?")) for v in variables]
            raise ValueError(
                f"No gradients provided for any variable: {names}. Check that the loss is computed from these "
                "variables inside the GradientTape (and not, e.g., through .numpy() or a non-differentiable op)."
            )
        if len(kept) < len(variables):
            missing = [getattr(v, "path", getattr(v, "name", "?")) for g, v in zip(grads, variables) if g is None]
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. If using "
                "`model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=_user_stacklevel(),
            )
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            # Each gradient on its own: g * c / max(|g|, c) leaves short gradients alone.
            return [g * (self.clipnorm / max(_l2_norm(g), self.clipnorm)) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = math.sqrt(sum(_l2_norm(g) ** 2 for g in grads))
            scale = self.global_clipnorm / max(norm, self.global_clipnorm)
            if not math.isfinite(norm):
                scale = math.nan  # as Keras/TensorFlow: a non-finite norm poisons the step visibly
            return [g * scale for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [arrays.array_module(g).clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Leave some variables out of weight decay: those in ``var_list``, and those whose name contains any of
        the strings in ``var_names`` (e.g. ``["bias"]``). Call it before the optimizer is built.

        Example:
            >>> w, b = kerasnb.Variable([1.0], name="kernel"), kerasnb.Variable([1.0], name="bias")
            >>> opt = kerasnb.optimizers.AdamW(learning_rate=0.5, weight_decay=0.2)
            >>> opt.exclude_from_weight_decay(var_names=["bias"])
            >>> _ = opt.apply_gradients([(np.array([0.0]), w), (np.array([0.0]), b)])
            >>> float(w[0]), float(b[0])   # a zero gradient: only the decay moves w, by 1 * 0.2 * 0.5
            (0.8999999761581421, 1.0)
        """
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_from_weight_decay = {id(v) for v in var_list or ()}
        self._exclude_from_weight_decay_names = list(var_names or ())

    def _use_weight_decay(self, variable):
        if id(variable) in getattr(self, "_exclude_from_weight_decay", ()):
            return False
        name = str(getattr(variable, "name", ""))
        return not any(re.search(pattern, name) for pattern in getattr(self, "_exclude_from_weight_decay_names", ()))

    def _apply_weight_decay(self, variables, learning_rate):
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                variable.assign(variable.data - variable.data * self.weight_decay * learning_rate)

    # -- configuration ------------------------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments as a dict, with the same keys (and order) as Keras's.

        Example:
            >>> kerasnb.optimizers.SGD(learning_rate=0.5, name="sgd").get_config()["learning_rate"]
            0.5
        """
        if isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        elif isinstance(self._learning_rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(self._learning_rate)
        else:
            learning_rate = self._learning_rate  # a plain callable: kept as the callable itself
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            **_UNSUPPORTED_DEFAULTS,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Make an optimizer (without its state) from the output of ``get_config``; a learning rate given as a
        schedule's config dict becomes that schedule.

        Example:
            >>> schedule = kerasnb.optimizers.schedules.CosineDecay(0.1, decay_steps=100)
            >>> config = kerasnb.optimizers.SGD(learning_rate=schedule).get_config()
            >>> config["learning_rate"]["class_name"]
            'CosineDecay'
            >>> kerasnb.optimizers.SGD.from_config(config).get_config() == config
            True
        """
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        lr = self._learning_rate
        # float32 holds 0.001 as 0.0010000000474...: show the 7 significant digits float32 actually has
        lr = f"{float(lr.numpy()):.7g}" if isinstance(lr, Variable) else getattr(lr, "__name__", type(lr).__name__)
        return f"<{type(self).__name__} name={self.name} learning_rate={lr} iterations={int(self._iterations)}>"


def _l2_norm(g):
    """The Euclidean norm of an array, as a Python float (computed in float64, so float16 cannot overflow)."""
    return math.sqrt(float((g.astype("float64") ** 2).sum()))


def _gradient_array(gradient, variable):
    """``gradient`` as an array on the variable's device, of its dtype and (checked) shape."""
    g = gradient.data if isinstance(gradient, Tensor) else gradient
    xp = arrays.array_module(variable.data)
    if not arrays.is_array(g) or arrays.array_module(g) is not xp:
        g = xp.asarray(arrays.to_numpy(g) if arrays.is_array(g) else np.asarray(g))
    if g.shape != variable.data.shape:
        raise ValueError(
            f"The gradient for variable {getattr(variable, 'path', variable)!r} has shape {tuple(g.shape)}, but the "
            f"variable has shape {tuple(variable.shape)}."
        )
    return g if g.dtype == variable.dtype else g.astype(variable.dtype)
