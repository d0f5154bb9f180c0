"""Stochastic gradient descent, with optional (Nesterov) momentum — ``keras.optimizers.SGD``."""

import numbers

from kerasnb.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent, optionally with momentum.

    With ``momentum=0``: ``w = w - learning_rate * g``. With momentum, a velocity ``m`` (starting at 0)
    accumulates past steps, in Keras's form::

        m = momentum * m - learning_rate * g
        w = w + m                                         # or, with nesterov=True:
        w = w + momentum * m - learning_rate * g          # look one step ahead

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.01.
        momentum: a float in [0, 1]; 0 is plain gradient descent. Defaults to 0.
        nesterov: whether to use Nesterov momentum. Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0, -1.0])
        >>> opt = kerasnb.optimizers.SGD(learning_rate=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     _ = opt.apply_gradients([(np.array([1.0, 1.0]), w)])
        >>> w   # steps of 0.1, then 0.9 * 0.1 + 0.1 = 0.19
        <Variable path=variable, shape=(2,), dtype=float32, value=[ 0.71 -1.29]>
    """

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
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
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def build(self, variables):
        """Create one velocity slot per variable (none when ``momentum`` is 0)."""
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum") if self.momentum != 0 else []

    def update_step(self, gradient, variable, learning_rate):
        g, lr = gradient, learning_rate
        if self.momentum == 0:
            # In place (`apply` runs after the backward pass): the same numbers as w − lr·g, no new array.
            variable.data -= lr * g
            return
        m = self.momentums[self._get_variable_index(variable)]
        m.assign(self.momentum * m.data - lr * g)
        if self.nesterov:
            variable.assign(variable.data + self.momentum * m.data - lr * g)
        else:
            variable.assign(variable.data + m.data)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
