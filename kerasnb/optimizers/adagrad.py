"""Adagrad: per-weight learning rates from the sum of all past squared gradients (Duchi et al., 2011) —
``keras.optimizers.Adagrad``."""

from kerasnb import initializers
from kerasnb.engine import arrays
from kerasnb.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks as its squared gradients add up, so rarely-updated weights keep
    taking large steps.

    With the slot ``accumulator`` starting at ``initial_accumulator_value``, each step is, as Keras writes it::

        accumulator = accumulator + g**2
        w = w - learning_rate * g / sqrt(accumulator + epsilon)

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        initial_accumulator_value: the accumulators' starting value, >= 0. Defaults to 0.1.
        epsilon: added inside the square root for numerical stability. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0])
        >>> opt = kerasnb.optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.0)
        >>> _ = opt.apply_gradients([(np.array([3.0]), w)])
        >>> w   # first step: 0.1 * 3 / sqrt(3**2) = 0.1, whatever the gradient's size
        <Variable path=variable, shape=(1,), dtype=float32, value=[0.9]>
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        """Create one ``accumulator`` slot per variable, filled with ``initial_accumulator_value``."""
        if self.built:
            return
        super().build(variables)
        initializer = initializers.Constant(self.initial_accumulator_value)
        self._accumulators = self.add_optimizer_variables(variables, "accumulator", initializer=initializer)

    def update_step(self, gradient, variable, learning_rate):
        g, lr = gradient, learning_rate
        xp = arrays.array_module(g)
        accumulator = self._accumulators[self._get_variable_index(variable)]

        accumulator.assign(accumulator.data + g * g)
        variable.assign(variable.data - lr * g / xp.sqrt(accumulator.data + self.epsilon))

    def get_config(self):
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
