"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019) — ``keras.optimizers.AdamW``."""

from kerasnb.optimizers.adam import Adam


class AdamW(Adam):
    """Adam whose weight decay is applied to the weights directly, not added to the gradient.

    Each step first shrinks every variable, then takes :class:`Adam`'s step::

        w = w - learning_rate * weight_decay * w
        ... Adam's update of m, v and w

    (Every kerasnb optimizer accepts ``weight_decay`` and applies it this way; AdamW differs from Adam only in
    turning it on by default.) Use :meth:`~kerasnb.optimizers.Optimizer.exclude_from_weight_decay` to spare
    biases or normalization scales.

    Args:
        learning_rate: a float or a schedule (see :class:`Optimizer`). Defaults to 0.001.
        weight_decay: the decay rate (a float; None is not allowed). Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as in :class:`Adam`.
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, name: see
            :class:`Optimizer`.

    Example:
        >>> w = kerasnb.Variable([1.0, -1.0])
        >>> opt = kerasnb.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
        >>> _ = opt.apply_gradients([(np.array([0.5, -2.0]), w)])
        >>> np.round(w.numpy(), 4)   # shrunk by 0.1 * 0.5 = 5 %, then Adam's first step of about 0.1 * sign(g)
        array([ 0.85, -0.85], dtype=float32)
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
