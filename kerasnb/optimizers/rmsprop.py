"""RMSprop: divide the step by a running root-mean-square of the gradients (Hinton) — ``keras.optimizers.RMSprop``."""

from kerasnb.engine import arrays
from kerasnb.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop: each weight's step is scaled by the inverse root of a running mean of its squared gradients.

    With the slot ``v`` starting at 0, each step is, as Keras writes it::

        v = rho * v + (1 - rho) * g**2
        increment = learning_rate * g / sqrt(v + epsilon)
        w = w - increment

    ``centered=True`` also keeps the mean gradient ``mg = rho * mg + (1 - rho) * g`` and divides by
    ``sqrt(v - mg**2 + epsilon)`` (an estimate of the gradient's variance) instead. With ``momentum > 0`` the
    increments accumulate: ``m = momentum * m + increment; w = w - m``.

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        rho: decay rate of the running mean of squared gradients. Defaults to 0.9.
        momentum: a float >= 0. Defaults to 0.
        epsilon: added inside the square root for numerical stability. Defaults to 1e-7.
        centered: whether to normalize by the estimated variance rather than the raw second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0])
        >>> opt = kerasnb.optimizers.RMSprop(learning_rate=0.01)
        >>> _ = opt.apply_gradients([(np.array([4.0]), w)])
        >>> w   # first step: 0.01 * g / sqrt(0.1 * g**2) = 0.01 / sqrt(0.1)
        <Variable path=variable, shape=(1,), dtype=float32, value=[0.96837723]>
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            name=name,
            **kwargs,
        )
        if momentum < 0:
            raise ValueError(f"`momentum` must be >= 0. Received: momentum={momentum!r}")
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        """Create the ``velocity`` slots, plus ``momentum`` and ``average_gradient`` slots when those are on."""
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = self.add_optimizer_variables(variables, "momentum") if self.momentum > 0 else []
        self._average_gradients = self.add_optimizer_variables(variables, "average_gradient") if self.centered else []

    def update_step(self, gradient, variable, learning_rate):
        g, lr, rho = gradient, learning_rate, self.rho
        xp = arrays.array_module(g)
        i = self._get_variable_index(variable)
        v = self._velocities[i]

        v.assign(rho * v.data + (1 - rho) * g * g)
        if self.centered:
            mg = self._average_gradients[i]
            mg.assign(rho * mg.data + (1 - rho) * g)
            denominator = v.data - mg.data * mg.data + self.epsilon
        else:
            denominator = v.data + self.epsilon
        increment = lr * g / xp.sqrt(denominator)
        if self.momentum > 0:
            m = self._momentums[i]
            m.assign(self.momentum * m.data + increment)
            variable.assign(variable.data - m.data)
        else:
            variable.assign(variable.data - increment)

    def get_config(self):
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
