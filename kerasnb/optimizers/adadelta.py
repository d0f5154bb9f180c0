"""Adadelta: steps whose units match the weights', from running means of squared gradients and squared steps
(Zeiler, 2012) — ``keras.optimizers.Adadelta``."""

from kerasnb.engine import arrays
from kerasnb.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta: the step is the gradient scaled by RMS(past steps) / RMS(past gradients).

    With slots ``accumulated_grad`` and ``accumulated_delta_var`` starting at 0, and
    ``rms(x) = sqrt(x + epsilon)``, each step is, as Keras writes it::

        accumulated_grad = rho * accumulated_grad + (1 - rho) * g**2
        delta = -rms(accumulated_delta_var) * g / rms(accumulated_grad)
        accumulated_delta_var = rho * accumulated_delta_var + (1 - rho) * delta**2
        w = w + learning_rate * delta

    The paper has no learning rate (it is 1 there); Keras keeps one, defaulting to 0.001, so pass
    ``learning_rate=1.0`` for the original method.

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        rho: decay rate of both running means. Defaults to 0.95.
        epsilon: added inside each square root; it also sets the size of the very first steps. Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0])
        >>> opt = kerasnb.optimizers.Adadelta(learning_rate=1.0, rho=0.5, epsilon=1e-2)
        >>> _ = opt.apply_gradients([(np.array([1.0]), w)])
        >>> w   # delta = -sqrt(0 + 0.01) * 1 / sqrt(0.5 + 0.01)
        <Variable path=variable, shape=(1,), dtype=float32, value=[0.859972]>
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        """Create the ``accumulated_grad`` and ``accumulated_delta_var`` slots for each variable."""
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"]
        )

    def update_step(self, gradient, variable, learning_rate):
        g, lr, rho = gradient, learning_rate, self.rho
        xp = arrays.array_module(g)
        i = self._get_variable_index(variable)
        accumulated_grad, accumulated_delta_var = self._accumulated_grads[i], self._accumulated_delta_vars[i]

        def rms(x):
            return xp.sqrt(x + self.epsilon)

        accumulated_grad.assign(rho * accumulated_grad.data + (1 - rho) * g * g)
        delta = -rms(accumulated_delta_var.data) * g / rms(accumulated_grad.data)
        accumulated_delta_var.assign(rho * accumulated_delta_var.data + (1 - rho) * delta * delta)
        variable.assign(variable.data + lr * delta)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
