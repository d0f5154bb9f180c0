"""Nadam: Adam with Nesterov momentum (Dozat, 2016) — ``keras.optimizers.Nadam``."""

from kerasnb import config
from kerasnb.engine import arrays
from kerasnb.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """Nadam: Adam that looks one momentum step ahead, with Dozat's warming-up momentum schedule.

    The momentum coefficient of step ``t`` (1, 2, ...) is ``u_t = beta_1 * (1 - 0.5 * 0.96**t)``, and the
    optimizer keeps the running product ``u_product = u_1 * u_2 * ... * u_t`` (the "momentum cache", one
    number shared by all variables, updated once per step). With slots ``m`` and ``v`` starting at 0, each
    step is, as Keras writes it::

        u_product = u_product * u_t                          # once per step, before the variables
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        m_hat = u_{t+1} * m / (1 - u_product * u_{t+1}) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2**t)
        w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    ``u_product`` is part of the state: it is the last entry of ``variables`` (Keras's order).

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        beta_1: decay rate of the first-moment (mean) estimate. Defaults to 0.9.
        beta_2: decay rate of the second-moment estimate. Defaults to 0.999.
        epsilon: added to ``sqrt(v_hat)`` for numerical stability. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0, -1.0])
        >>> opt = kerasnb.optimizers.Nadam(learning_rate=0.1)
        >>> _ = opt.apply_gradients([(np.array([0.5, -2.0]), w)])
        >>> np.round(w.numpy(), 4)   # a first step of 0.1 * sign(g), as Adam's, plus the look-ahead's 6 %
        array([ 0.8937, -0.8937], dtype=float32)
        >>> opt.variables[-1]   # u_1 = 0.9 * (1 - 0.5 * 0.96)
        <Variable path=u_product, shape=(), dtype=float32, value=0.468>
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        """Create the ``momentum`` and ``velocity`` slots for each variable, then the ``u_product`` scalar."""
        if self.built:
            return
        variables = list(variables)
        dtype = variables[0].dtype if variables else config.floatx()
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(variables, ["momentum", "velocity"])
        self._u_product = self.add_variable(shape=(), initializer="ones", dtype=dtype, name="u_product")

    def _u(self, t):
        """The momentum coefficient of step ``t``."""
        return self.beta_1 * (1 - 0.5 * 0.96**t)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        t = int(self.iterations) + 1
        self._u_product.assign(self._u_product.data * self._u(t))
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        g = gradient
        xp = arrays.array_module(g)
        i = self._get_variable_index(variable)
        m, v = self._momentums[i], self._velocities[i]
        t = int(self.iterations) + 1
        u_t, u_next = self._u(t), self._u(t + 1)
        u_product = float(self._u_product)  # u_1 * ... * u_t
        u_product_next = u_product * u_next
        beta_2_power = variable.dtype.type(self.beta_2) ** t  # in the variable's dtype, as Keras (see Adam)

        m.assign(m.data + (g - m.data) * (1 - self.beta_1))
        v.assign(v.data + (g * g - v.data) * (1 - self.beta_2))
        m_hat = u_next * m.data / (1 - u_product_next) + (1 - u_t) * g / (1 - u_product)
        v_hat = v.data / (1 - beta_2_power)
        variable.assign(variable.data - learning_rate * m_hat / (xp.sqrt(v_hat) + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
