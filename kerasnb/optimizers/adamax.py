"""Adamax: Adam with the infinity norm in place of the second moment (Kingma & Ba, 2014, section 7) —
``keras.optimizers.Adamax``."""

from kerasnb.engine import arrays
from kerasnb.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax: momentum divided by an exponentially weighted maximum of past gradient sizes.

    With slots ``m`` and ``u`` starting at 0 and ``t`` the step number (1, 2, ...), each step is, as Keras
    writes it::

        m = m + (g - m) * (1 - beta_1)            # = beta_1 * m + (1 - beta_1) * g
        u = max(beta_2 * u, |g|)
        w = w - learning_rate * m / ((1 - beta_1**t) * (u + epsilon))

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        beta_1: decay rate of the first-moment (mean) estimate. Defaults to 0.9.
        beta_2: decay rate of the weighted infinity norm. Defaults to 0.999.
        epsilon: added to ``u`` for numerical stability. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0, -1.0])
        >>> opt = kerasnb.optimizers.Adamax(learning_rate=0.1)
        >>> _ = opt.apply_gradients([(np.array([0.5, -2.0]), w)])
        >>> np.round(w.numpy(), 4)   # the first step is learning_rate * sign(g), as in Adam
        array([ 0.9, -0.9], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        """Create the ``momentum`` (m) and ``norm`` (u) slots for each variable."""
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        g = gradient
        xp = arrays.array_module(g)
        i = self._get_variable_index(variable)
        m, u = self._m[i], self._u[i]
        t = int(self.iterations) + 1
        beta_1_power = variable.dtype.type(self.beta_1) ** t  # in the variable's dtype, as Keras (see Adam)

        m.assign(m.data + (g - m.data) * (1 - self.beta_1))
        u.assign(xp.maximum(self.beta_2 * u.data, xp.abs(g)))
        variable.assign(variable.data - learning_rate * m.data / ((1 - beta_1_power) * (u.data + self.epsilon)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
