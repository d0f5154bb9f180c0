"""Regularization layers: ``Dropout``."""


from kerasnb import ops
from kerasnb.engine.random import SeedGenerator
from kerasnb.engine.tensor import Tensor
from kerasnb.layers.layer import Layer


class Dropout(Layer):
    """Sets a fraction ``rate`` of the inputs to 0 during training, scaling the rest by ``1 / (1 - rate)`` so the
    expected sum is unchanged. At inference (``training=False``, ``predict``, ``evaluate``) it does nothing.

    Args:
        rate: the fraction to drop, in ``[0, 1)``.
        noise_shape: the shape of the drop mask, to drop whole rows or channels (``None`` axes follow the input).
        seed: makes the masks reproducible.

    Example:
        >>> layer = keras.layers.Dropout(0.5, seed=0)
        >>> x = np.ones((1, 4), "float32")
        >>> layer(x, training=False).numpy()
        array([[1., 1., 1., 1.]], dtype=float32)
        >>> sorted(set(layer(x, training=True).numpy().ravel().tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1 "
                             f"(1 excluded). Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape if self.noise_shape is None else tuple(
            n if n is not None else d for n, d in zip(self.noise_shape, inputs.shape))
        return ops.multiply(inputs, Tensor(self.seed_generator.keep_mask(shape, self.rate, inputs.dtype)))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
