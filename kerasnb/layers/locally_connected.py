"""Locally-connected layers (Keras 2): ``LocallyConnected1D`` and ``LocallyConnected2D``.

They slide a window over the input like a convolution, but *without sharing weights*: every output position has
its own kernel. So a layer has ``output_positions`` times the weights of the matching ``Conv1D``/``Conv2D``.
Keras 3 dropped them; kerasnb keeps them as Keras 2 defined them (``implementation=1``'s weight layout):

* ``LocallyConnected1D``: kernel ``(output_length, kernel_size * input_channels, filters)``, bias
  ``(output_length, filters)``;
* ``LocallyConnected2D``: kernel ``(output_rows * output_cols, kernel_rows * kernel_cols * input_channels,
  filters)``, bias ``(output_rows, output_cols, filters)``.

A kernel row ``j`` indexes the flattened window: (position in the window, channel) for ``channels_last``,
(channel, position in the window) for ``channels_first``. Only ``padding='valid'`` exists, as in Keras 2's
default implementation.

The computation: gather the windows into ``(batch, positions, window_size)`` with ``ops.take``, then one
``einsum`` multiplies each position's window by that position's kernel.
"""

import numpy as np

from kerasnb import activations, config, constraints, initializers, ops, regularizers
from kerasnb.layers.layer import InputSpec, Layer


def _normalize_tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) != n or not all(isinstance(v, (int, np.integer)) for v in value):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value}")
    return tuple(int(v) for v in value)


class _LocallyConnected(Layer):
    """The shared machinery of the 1D and 2D layers (``rank`` spatial axes)."""

    rank = None

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, implementation=1, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive value. Received "
                             f"filters={filters}.")
        self.filters = filters
        self.kernel_size = _normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _normalize_tuple(strides, self.rank, "strides")
        self.padding = str(padding).lower()
        if self.padding != "valid":
            raise ValueError(f'Invalid border mode for {name} (only "valid" is supported if implementation is 1): '
                             f"{padding}")
        if implementation != 1:
            raise ValueError(f"{name}: kerasnb implements only implementation=1 (Keras 2's default; the others "
                             f"compute the same values with other weight layouts). Received: "
                             f"implementation={implementation}")
        self.implementation = implementation
        self.data_format = config.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _split_shape(self, input_shape):
        """(spatial sizes, channels) of an input shape."""
        if self.data_format == "channels_last":
            return tuple(input_shape[1:-1]), input_shape[-1]
        return tuple(input_shape[2:]), input_shape[1]

    def _output_spatial(self, spatial):
        return tuple(None if n is None else (n - k + s) // s for n, k, s in zip(spatial, self.kernel_size,
                                                                                self.strides))

    def build(self, input_shape):
        name = type(self).__name__
        spatial, channels = self._split_shape(input_shape)
        if channels is None or any(n is None for n in spatial):
            raise ValueError(f"The spatial dimensions and the channels of the inputs to {name} must be fully "
                             f"defined, but the layer received inputs of shape {tuple(input_shape)}.")
        self.output_spatial = self._output_spatial(spatial)
        if any(n <= 0 for n in self.output_spatial):
            raise ValueError(f"One of the dimensions in the output is <= 0 due to downsampling in {self.name}. "
                             f"Consider increasing the input size. Received input shape {tuple(input_shape)} which "
                             "would produce output shape with a zero or negative value in a dimension.")
        positions = int(np.prod(self.output_spatial))
        self.kernel = self.add_weight(shape=(positions, int(np.prod(self.kernel_size)) * channels, self.filters),
                                      name="kernel", initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(*self.output_spatial, self.filters), name="bias",
                                        initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        channel_axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis: channels})
        self.built = True

    def _windows(self, inputs):
        """Every window, flattened: ``(batch, positions, window_size)``, in Keras 2's order."""
        x = inputs
        first = 1 if self.data_format == "channels_last" else 2  # the first spatial axis
        for d, (n_out, k, s) in enumerate(zip(self.output_spatial, self.kernel_size, self.strides)):
            index = np.arange(n_out)[:, None] * s + np.arange(k)[None, :]  # (positions, offset in the window)
            x = ops.take(x, index, axis=first + 2 * d)  # that spatial axis becomes (n_out, k)
        # Axes now: batch, then (n_out, k) per spatial axis, with the channels last or at 1. Order them as
        # (batch, n_out..., window) with the window (k..., channels) or (channels, k...).
        outs = [1 + 2 * d + (first - 1) for d in range(self.rank)]
        offsets = [o + 1 for o in outs]
        channel = x.ndim - 1 if self.data_format == "channels_last" else 1
        window = offsets + [channel] if self.data_format == "channels_last" else [channel] + offsets
        x = ops.transpose(x, (0, *outs, *window))
        return ops.reshape(x, (x.shape[0], self.kernel.shape[0], self.kernel.shape[1]))

    def call(self, inputs):
        out = ops.einsum("bpj,pjf->bpf", self._windows(inputs), self.kernel)  # each position its own kernel
        out = ops.reshape(out, (out.shape[0], *self.output_spatial, self.filters))
        if self.data_format == "channels_first":
            out = ops.moveaxis(out, -1, 1)
        if self.bias is not None:
            # Keras 2's bias_add *reshapes* (not transposes) the bias to (filters, *spatial) for channels_first.
            bias = self.bias if self.data_format == "channels_last" else ops.reshape(
                self.bias, (self.filters, *self.output_spatial))
            out = out + bias
        return self.activation(out)  # the Layer base class adds the activity penalty

    def compute_output_shape(self, input_shape):
        spatial, _ = self._split_shape(input_shape)
        out = self._output_spatial(spatial)
        if self.data_format == "channels_last":
            return (input_shape[0], *out, self.filters)
        return (input_shape[0], self.filters, *out)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "implementation": self.implementation,
        }


class LocallyConnected1D(_LocallyConnected):
    """Like ``Conv1D`` without weight sharing: each output step has its own kernel.

    Args:
        filters: the number of output channels.
        kernel_size, strides: an int or a 1-tuple.
        padding: only ``'valid'``.
        data_format: ``'channels_last'`` ``(batch, steps, channels)`` or ``'channels_first'``.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint: as in ``Dense``.
        implementation: only 1 (Keras 2's default weight layout).

    Example:
        >>> layer = LocallyConnected1D(filters=4, kernel_size=3)
        >>> layer(np.ones((2, 10, 5))).shape
        (2, 8, 4)
        >>> layer.kernel.shape, layer.bias.shape  # 8 steps, each with a (3 * 5, 4) kernel
        ((8, 15, 4), (8, 4))
    """

    rank = 1


class LocallyConnected2D(_LocallyConnected):
    """Like ``Conv2D`` without weight sharing: each output pixel has its own kernel.

    Args:
        filters: the number of output channels.
        kernel_size, strides: an int or a pair.
        padding: only ``'valid'``.
        data_format: ``'channels_last'`` ``(batch, rows, cols, channels)`` or ``'channels_first'``.
        activation, use_bias, and the initializers, regularizers and constraints: as in ``Dense``.
        implementation: only 1 (Keras 2's default weight layout).

    Example:
        >>> layer = LocallyConnected2D(filters=2, kernel_size=(2, 2))
        >>> layer(np.ones((1, 4, 5, 3))).shape
        (1, 3, 4, 2)
        >>> layer.kernel.shape, layer.bias.shape
        ((12, 12, 2), (3, 4, 2))
    """

    rank = 2
