"""Lion: "EvoLved Sign Momentum", found by program search (Chen et al., 2023) — ``keras.optimizers.Lion``."""

from kerasnb.engine import arrays
from kerasnb.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion: every weight moves by exactly ``learning_rate`` per step, in the direction of the sign of an
    interpolation between its momentum and its gradient.

    With the slot ``m`` starting at 0, each step is, as Keras writes it::

        w = w - learning_rate * sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g

    Since every step has the size of the learning rate, Lion wants a learning rate 3-10 times smaller than
    AdamW's (and a weight decay that much larger).

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        beta_1: the interpolation factor of the update direction, in (0, 1]. Defaults to 0.9.
        beta_2: decay rate of the momentum. Defaults to 0.99.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0, -1.0, 0.0])
        >>> opt = kerasnb.optimizers.Lion(learning_rate=0.1)
        >>> _ = opt.apply_gradients([(np.array([0.001, -50.0, 0.0]), w)])
        >>> w   # the same size of step for every weight with a gradient; none where the gradient is 0
        <Variable path=variable, shape=(3,), dtype=float32, value=[ 0.9 -0.9  0. ]>
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. "
                f"Received: beta_1={beta_1}."
            )
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, variables):
        """Create one ``momentum`` slot per variable."""
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        g = gradient
        xp = arrays.array_module(g)
        m = self._momentums[self._get_variable_index(variable)]

        variable.assign(variable.data - learning_rate * xp.sign(self.beta_1 * m.data + (1 - self.beta_1) * g))
        m.assign(self.beta_2 * m.data + (1 - self.beta_2) * g)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
