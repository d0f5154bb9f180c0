"""Adam: adaptive moment estimation (Kingma & Ba, 2014) — ``keras.optimizers.Adam``."""

import math

from kerasnb.engine import arrays
from kerasnb.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam: momentum (a running mean of gradients) scaled by a running mean of squared gradients.

    With slots ``m`` and ``v`` starting at 0 and ``t`` the step number (1, 2, ...), each step is, as Keras
    writes it (the bias corrections of the paper folded into the step size ``alpha``)::

        alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m = m + (g - m) * (1 - beta_1)            # = beta_1 * m + (1 - beta_1) * g
        v = v + (g**2 - v) * (1 - beta_2)         # = beta_2 * v + (1 - beta_2) * g**2
        w = w - alpha * m / (sqrt(v) + epsilon)

    With ``amsgrad=True``, ``v_hat = max(v_hat, v)`` replaces ``v`` in the last line, so the per-weight step
    size never grows.

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        beta_1: decay rate of the first-moment (mean) estimate. Defaults to 0.9.
        beta_2: decay rate of the second-moment estimate. Defaults to 0.999.
        epsilon: added to ``sqrt(v)`` for numerical stability. Defaults to 1e-7 (Keras's, not the paper's 1e-8).
        amsgrad: whether to use the AMSGrad variant. Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0, -1.0])
        >>> opt = kerasnb.optimizers.Adam(learning_rate=0.1)
        >>> _ = opt.apply_gradients([(np.array([0.5, -2.0]), w)])
        >>> np.round(w.numpy(), 4)   # the first step is about learning_rate * sign(g), whatever g's size
        array([ 0.9, -0.9], dtype=float32)
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
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
        for arg, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= value < 1:
                raise ValueError(f"`{arg}` must be in [0, 1). Received: {arg}={value!r}")
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, variables):
        """Create the first- and second-moment slots (and ``velocity_hat`` for AMSGrad) for each variable."""
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(variables, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate):
        g = gradient
        xp = arrays.array_module(g)
        i = self._get_variable_index(variable)
        m, v = self._momentums[i].data, self._velocities[i].data
        alpha = self._step_size(variable.dtype, learning_rate)
        # In place, in the order of the formulas m += (g − m)(1 − β₁), v += (g² − v)(1 − β₂),
        # w −= α·m / (√v + ε): the same numbers as writing them out, without a new array per term. (`apply`
        # runs this after the backward pass, so nothing the tape saved is overwritten.)
        step = g - m
        step *= 1 - self.beta_1
        m += step
        step = g * g
        step -= v
        step *= 1 - self.beta_2
        v += step
        if self.amsgrad:
            v_hat = self._velocity_hats[i].data
            xp.maximum(v_hat, v, out=v_hat)
            v = v_hat
        denominator = xp.sqrt(v)
        denominator += self.epsilon
        step = alpha * m
        step /= denominator
        variable.data -= step

    def _step_size(self, dtype, learning_rate):
        """α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) for this step, computed once per step and dtype (not per variable)."""
        t = int(self.iterations) + 1
        key = (t, dtype, learning_rate)
        if getattr(self, "_step_size_cache", (None,))[0] != key:
            # As Keras, the powers are taken in the variable's dtype: in float32, 0.999 is 0.99900001, so the
            # first step's 1 − β₂ᵗ is 0.00099998713, not 0.001 (a 6e-6 smaller first step than in float64).
            beta_1_power, beta_2_power = dtype.type(self.beta_1) ** t, dtype.type(self.beta_2) ** t
            self._step_size_cache = (key, learning_rate * math.sqrt(1 - beta_2_power) / (1 - beta_1_power))
        return self._step_size_cache[1]

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }
