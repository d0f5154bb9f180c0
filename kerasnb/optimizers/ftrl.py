"""FTRL-Proximal: "Follow The Regularized Leader" (McMahan et al., 2013) — ``keras.optimizers.Ftrl``."""

from kerasnb import initializers
from kerasnb.engine import arrays
from kerasnb.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """FTRL-Proximal: solves for each weight in closed form from a running sum of gradients; its L1 penalty
    sets weights exactly to zero (sparse models), which made it the classic optimizer for large linear models.

    With slots ``accumulator`` (starting at ``initial_accumulator_value``) and ``linear`` (starting at 0),
    ``p = -learning_rate_power`` (0.5 by default) and ``lr`` the learning rate, each step is, as Keras writes it::

        l2 = l2_regularization_strength + beta / (2 * lr)
        new_accumulator = accumulator + g**2
        linear = linear + (g + 2 * l2_shrinkage_regularization_strength * w)
                        - (new_accumulator**p - accumulator**p) / lr * w
        quadratic = new_accumulator**p / lr + 2 * l2
        w = (clip(linear, -l1, l1) - linear) / quadratic           # l1 = l1_regularization_strength
        accumulator = new_accumulator

    The last line but one is 0 wherever ``|linear| <= l1``: that is where the sparsity comes from.

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        learning_rate_power: <= 0; how the per-weight rate falls as gradients accumulate (-0.5: as
            ``1 / sqrt(accumulator)``; 0: a fixed rate). Defaults to -0.5.
        initial_accumulator_value: the accumulators' starting value, >= 0. Defaults to 0.1.
        l1_regularization_strength: >= 0. Defaults to 0.0.
        l2_regularization_strength: >= 0, the stabilizing L2 penalty. Defaults to 0.0.
        l2_shrinkage_regularization_strength: >= 0, an L2 penalty on the weights added to the gradient (a
            magnitude penalty, unlike the stabilizing one). Defaults to 0.0.
        beta: as in the paper: adds ``beta / (2 * lr)`` to the L2 strength. Defaults to 0.0.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name:
            see :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([0.5, 0.5])
        >>> opt = kerasnb.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=1.0)
        >>> _ = opt.apply_gradients([(np.array([0.1, 3.0]), w)])
        >>> w   # |linear| <= l1 for the weight with the small gradient: it is set to exactly 0
        <Variable path=variable, shape=(2,), dtype=float32, value=[0.         0.31498706]>
    """

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for arg, value in (
            ("initial_accumulator_value", initial_accumulator_value),
            ("l1_regularization_strength", l1_regularization_strength),
            ("l2_regularization_strength", l2_regularization_strength),
            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength),
        ):
            if value < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: {arg}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. Received: "
                f"learning_rate_power={learning_rate_power}."
            )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables):
        """Create the ``accumulator`` (filled with ``initial_accumulator_value``) and ``linear`` slots."""
        if self.built:
            return
        super().build(variables)
        self._accumulators, self._linears = self.add_optimizer_variables(
            variables,
            ["accumulator", "linear"],
            initializer=[initializers.Constant(self.initial_accumulator_value), "zeros"],
        )

    def update_step(self, gradient, variable, learning_rate):
        g, lr, w = gradient, learning_rate, variable.data
        xp = arrays.array_module(g)
        i = self._get_variable_index(variable)
        accumulator, linear = self._accumulators[i], self._linears[i]
        p = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2 * lr)

        new_accumulator = accumulator.data + g * g
        linear.assign(
            linear.data
            + (g + 2 * self.l2_shrinkage_regularization_strength * w)
            - (new_accumulator**p - accumulator.data**p) / lr * w
        )
        quadratic = new_accumulator**p / lr + 2 * l2
        variable.assign((xp.clip(linear.data, -l1, l1) - linear.data) / quadratic)
        accumulator.assign(new_accumulator)

    def get_config(self):
        return {
            **super().get_config(),
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        }
