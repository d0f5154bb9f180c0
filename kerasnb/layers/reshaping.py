"""Reshaping layers: ``Flatten``."""

import numpy as np

from kerasnb import config, ops
from kerasnb.layers.layer import InputSpec, Layer


class Flatten(Layer):
    """Flattens each sample to one axis: ``(batch, 28, 28)`` becomes ``(batch, 784)``.

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``; with channels first, the channels are
            moved last before flattening, so weights transfer between the two formats.

    Example:
        >>> keras.layers.Flatten()(np.ones((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = ops.transpose(inputs, (0, *range(2, inputs.ndim), 1))
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest))
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
