"""Noise layers, active only in training (``training=True``, as inside ``fit``); at inference they return their
inputs unchanged: ``GaussianNoise``, ``GaussianDropout``, ``AlphaDropout`` and ``SpatialDropout1D/2D/3D``.

Each draws from its own :class:`~kerasnb.engine.random.SeedGenerator`: with ``seed`` the sequence of noise is
reproducible, without one it follows ``keras.utils.set_random_seed``.
"""

import math

from kerasnb import config
from kerasnb.engine.random import SeedGenerator
from kerasnb.engine.tensor import Tensor
from kerasnb.layers.layer import InputSpec, Layer
from kerasnb.layers.regularization import Dropout
from kerasnb.ops.nn import SELU_ALPHA, SELU_SCALE


class _Noise(Layer):
    """Shared by the noise layers: a seed generator, same output shape, masks pass through."""

    supports_masking = True

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


def _check_fraction(name, value):
    if not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float value between 0 and 1. "
                         f"Received: {name}={value}")


class GaussianNoise(_Noise):
    """Adds zero-centred Gaussian noise of standard deviation ``stddev`` — a form of data augmentation.

    Args:
        stddev: the noise's standard deviation, in ``[0, 1]``.
        seed: makes the noise reproducible.

    Example:
        >>> layer = GaussianNoise(0.1, seed=0)
        >>> x = np.zeros((1000, 10), "float32")
        >>> float(layer(x).numpy().std())  # inference: nothing added
        0.0
        >>> round(float(layer(x, training=True).numpy().std()), 1)
        0.1
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        _check_fraction("stddev", stddev)
        self.stddev = stddev

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = self.seed_generator.normal(inputs.shape, stddev=self.stddev, dtype=inputs.dtype)
        return inputs + Tensor(noise)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """Multiplies the inputs by Gaussian noise of mean 1 and standard deviation ``sqrt(rate / (1 - rate))`` —
    the continuous cousin of ``Dropout``, with the same expected value.

    Args:
        rate: as ``Dropout``'s rate, between 0 and 1 (excluded).
        seed: makes the noise reproducible.

    Example:
        >>> layer = GaussianDropout(0.5, seed=0)
        >>> y = layer(np.ones((1000, 10), "float32"), training=True).numpy()
        >>> round(float(y.mean()), 1), round(float(y.std()), 1)
        (1.0, 1.0)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        _check_fraction("rate", rate)
        self.rate = rate

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * Tensor(self.seed_generator.normal(inputs.shape, mean=1.0, stddev=stddev, dtype=inputs.dtype))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(_Noise):
    """Dropout for self-normalizing networks (SELU): dropped units are set to SELU's negative saturation value
    ``-scale * alpha`` instead of 0, then an affine correction ``a * x + b`` restores the inputs' mean and
    variance (for inputs of mean 0 and variance 1).

    Args:
        rate: the fraction to drop, in ``[0, 1)``.
        noise_shape: the shape of the drop mask (``None`` entries follow the input), as in ``Dropout``.
        seed: makes the masks reproducible.

    Example:
        >>> x = np.random.default_rng(0).standard_normal((2000, 50)).astype("float32")
        >>> y = AlphaDropout(0.2, seed=0)(x, training=True).numpy()
        >>> abs(float(y.mean())) < 0.05, round(float(y.std()), 1)
        (True, 1.0)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        _check_fraction("rate", rate)
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape if self.noise_shape is None else tuple(
            d if n is None else n for n, d in zip(self.noise_shape, inputs.shape))
        alpha_p = -SELU_ALPHA * SELU_SCALE
        kept = Tensor((self.seed_generator.uniform(shape, dtype=inputs.dtype) >= self.rate).astype(inputs.dtype))
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps: one keep-or-drop decision per sample and channel, shared by every position
    (a ``Dropout`` whose ``noise_shape`` is 1 on the spatial axes)."""

    ndim = None

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = config.standardize_data_format(data_format)
        spatial = (1,) * (self.ndim - 2)
        self.noise_shape = (None, *spatial, None) if self.data_format == "channels_last" else (None, None, *spatial)
        self.input_spec = InputSpec(ndim=self.ndim)

    def get_config(self):
        cfg = {**super().get_config(), "data_format": self.data_format}
        for key in ("noise_shape", "trainable"):  # Keras saves rate, seed, name, dtype (and data_format)
            cfg.pop(key)
        return cfg


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of ``(batch, steps, channels)`` inputs in training (scaling the rest by
    ``1 / (1 - rate)``), for sequences whose neighbouring steps are strongly correlated.

    Args:
        rate: the fraction of channels to drop, in ``[0, 1)``.
        seed: makes the masks reproducible.

    Example:
        >>> y = SpatialDropout1D(0.5, seed=0)(np.ones((1, 4, 3), "float32"), training=True).numpy()
        >>> bool((y == y[:, :1, :]).all())  # the same decision at every step
        True
    """

    ndim = 3

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, data_format="channels_last", seed=seed, **kwargs)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("data_format")
        return cfg


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of 4D image batches in training (scaling the rest by ``1 / (1 - rate)``).

    Args:
        rate: the fraction of channels to drop, in ``[0, 1)``.
        data_format: ``'channels_last'`` ``(batch, rows, cols, channels)`` or ``'channels_first'``; default
            ``keras.config.image_data_format()``.
        seed: makes the masks reproducible.

    Example:
        >>> y = SpatialDropout2D(0.5, seed=0)(np.ones((1, 2, 2, 3), "float32"), training=True).numpy()
        >>> bool((y == y[:, :1, :1, :]).all())
        True
    """

    ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Drops whole feature maps of 5D volume batches in training (scaling the rest by ``1 / (1 - rate)``).

    Args:
        rate: the fraction of channels to drop, in ``[0, 1)``.
        data_format: ``'channels_last'`` ``(batch, d1, d2, d3, channels)`` or ``'channels_first'``.
        seed: makes the masks reproducible.

    Example:
        >>> SpatialDropout3D(0.5)(np.ones((1, 2, 2, 2, 3), "float32")).shape
        (1, 2, 2, 2, 3)
    """

    ndim = 5
