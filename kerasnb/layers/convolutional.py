"""Convolution layers: ``Conv1D/2D/3D``, ``SeparableConv1D/2D``, ``DepthwiseConv1D/2D`` and
``Conv1D/2D/3DTranspose``, with Keras 3's arguments, weight shapes and parameter counts.

The whole family shares one base class, :class:`BaseConv`: it checks the arguments, makes the bias, adds it
and applies the activation. Each of the four kinds only says which kernels it needs (shaped as in Keras, so
weights transfer) and which ``kerasnb.ops`` function slides them over the input:

* ``Conv2D``: kernel ``(*kernel_size, in_channels // groups, filters)``, ``ops.conv``;
* ``Conv2DTranspose``: kernel ``(*kernel_size, filters, in_channels)``, ``ops.conv_transpose``;
* ``DepthwiseConv2D``: kernel ``(*kernel_size, in_channels, depth_multiplier)``, ``ops.depthwise_conv``;
* ``SeparableConv2D``: that depthwise kernel and a pointwise one ``(1, 1, in_channels * depth_multiplier,
  filters)``, ``ops.separable_conv``.

The 1D, 2D and 3D classes differ only in ``rank``, the number of spatial axes.

One shortcut: ``Conv1D/2D/3D`` (without ``groups``) hand the kernel, the bias and a ``'relu'`` activation to
``kerasnb.ops.convolution.conv_bias_activation``, one op that adds the bias and applies the relu in place on
the convolution's output — the same numbers as ``relu(conv(x, kernel) + bias)``, without two extra arrays.
"""

import abc

import numpy as np

from kerasnb import activations, config, constraints, initializers, ops, regularizers
from kerasnb.layers.layer import InputSpec, Layer
from kerasnb.ops.convolution import conv_bias_activation

# ---------------------------------------------------------------------------------------------------------
# Argument checks shared by the convolution, pooling and reshaping layers
# ---------------------------------------------------------------------------------------------------------


def standardize_tuple(value, n, name, allow_zero=False):
    """An int, or an iterable of ``n`` ints, as a tuple of ``n`` ints that are ``> 0`` (``>= 0`` with
    ``allow_zero``). Raises Keras's ``ValueError`` otherwise.

    Example:
        >>> standardize_tuple(3, 2, "kernel_size")
        (3, 3)
        >>> standardize_tuple((1, 0), 2, "strides")
        Traceback (most recent call last):
        ...
        ValueError: The `strides` argument must be a tuple of 2 integers. Received strides=(1, 0), including ...
    """
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n:
            raise ValueError(message)
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ValueError(f"{message} including element {v} of type {type(v)}")
        values = tuple(int(v) for v in values)
    requirement = ">= 0" if allow_zero else "> 0"
    bad = {v for v in values if v < (0 if allow_zero else 1)}
    if bad:
        raise ValueError(f"{message}, including values {bad} that do not satisfy `value {requirement}`")
    return values


def standardize_padding(padding, allow_causal=False):
    """``'valid'`` or ``'same'`` (and ``'causal'`` where allowed), case-insensitive."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    value = str(padding).lower()
    if value not in allowed:
        raise ValueError(f"The `padding` argument must be one of {allowed}. Received: {padding}")
    return value


# ---------------------------------------------------------------------------------------------------------
# The shared base class
# ---------------------------------------------------------------------------------------------------------


class BaseConv(Layer, metaclass=abc.ABCMeta):
    """What every convolution layer shares: ``activation(convolve(inputs) + bias)``.

    Subclasses set ``rank`` (1, 2 or 3 spatial axes) and define ``make_kernels(in_channels)`` (create the
    kernel weights), ``convolve(inputs)`` (one ``kerasnb.ops`` call), ``output_channels(in_channels)`` and,
    for transposed convolutions, ``output_length(size, axis)``.

    Args:
        kernel_size: an int or a tuple of ``rank`` ints: the size of the sliding window.
        strides: an int or a tuple: the step between windows. ``strides > 1`` cannot be combined with
            ``dilation_rate > 1``.
        padding: ``'valid'`` (no padding), ``'same'`` (pad so that the output size is ``ceil(size / stride)``,
            as TensorFlow pads: the odd zero goes at the end) or, for ``Conv1D`` only, ``'causal'``.
        data_format: ``'channels_last'`` — inputs ``(batch, *spatial, channels)`` — or ``'channels_first'``
            — ``(batch, channels, *spatial)``; default ``keras.config.image_data_format()``.
        dilation_rate: an int or a tuple: the spacing between the kernel's taps.
        activation: applied to the output; ``None`` means linear.
        use_bias: whether to add a bias vector (one value per output channel).
        bias_initializer, bias_regularizer, bias_constraint, activity_regularizer: as in ``Dense``.
    """

    rank = None

    def __init__(self, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, bias_initializer="zeros", bias_regularizer=None,
                 activity_regularizer=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.kernel_size = standardize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = standardize_tuple(strides, self.rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=self._allows_causal())
        self.data_format = config.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )

    def _allows_causal(self):
        return False

    # -- what the subclasses define ------------------------------------------------------------------------
    @abc.abstractmethod
    def make_kernels(self, in_channels):
        """Implemented by each subclass."""

    @abc.abstractmethod
    def convolve(self, inputs):
        """Implemented by each subclass."""

    def output_channels(self, in_channels):
        return self.filters

    def output_length(self, size, axis):
        """The output size along spatial ``axis`` for an input of ``size`` (a convolution's rule)."""
        extent = (self.kernel_size[axis] - 1) * self.dilation_rate[axis] + 1
        if self.padding == "valid":
            return (size - extent) // self.strides[axis] + 1
        return (size - 1) // self.strides[axis] + 1  # 'same' and 'causal': ceil(size / stride)

    # -- the shared parts ----------------------------------------------------------------------------------
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def add_kernel(self, name, shape, kind="kernel"):
        """Add a kernel weight with the layer's ``{kind}_initializer/_regularizer/_constraint``."""
        return self.add_weight(name=name, shape=shape, initializer=getattr(self, f"{kind}_initializer"),
                               regularizer=getattr(self, f"{kind}_regularizer"),
                               constraint=getattr(self, f"{kind}_constraint"))

    def build(self, input_shape):
        in_channels = input_shape[self._channel_axis()]
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis(): in_channels})
        self.compute_output_shape(input_shape)  # raises if the input is too small or of the wrong rank
        self.make_kernels(in_channels)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.output_channels(in_channels),),
                                        initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        outputs = self.convolve(inputs)
        if self.bias is not None:
            # channels last: the bias broadcasts along the last axis; channels first: shape it (channels, 1, ...)
            last = self.data_format == "channels_last"
            outputs = outputs + (self.bias if last else ops.reshape(self.bias, (-1,) + (1,) * self.rank))
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects inputs of rank {self.rank + 2}: (batch, "
                f"{self.rank} spatial axes, channels). Received input_shape={input_shape}"
            )
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = tuple(None if n is None else self.output_length(n, i) for i, n in enumerate(spatial))
        if any(n is not None and n <= 0 for n in out):
            raise ValueError(
                f"Computed output size would be zero or negative. Received `inputs shape={input_shape}`, "
                f"`kernel_size={self.kernel_size}`, `dilation_rate={self.dilation_rate}`, "
                f"`strides={self.strides}`, `padding={self.padding}`."
            )
        channels = input_shape[self._channel_axis()]
        channels = None if channels is None else self.output_channels(channels)
        return (input_shape[0], *out, channels) if last else (input_shape[0], channels, *out)

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


def _check_positive(name, value):
    if value is not None and value <= 0:
        raise ValueError(f"Invalid value for argument `{name}`. Expected a strictly positive value. "
                         f"Received {name}={value}.")


# ---------------------------------------------------------------------------------------------------------
# The four kinds
# ---------------------------------------------------------------------------------------------------------


class _Conv(BaseConv):
    """Convolution: ``filters`` kernels, each spanning all input channels (or ``in_channels // groups``)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        _check_positive("filters", filters)
        if groups <= 0:
            raise ValueError(f"The number of groups must be a positive integer. Received: groups={groups}.")
        if filters % groups != 0:
            raise ValueError("The number of filters must be evenly divisible by the number of groups. "
                             f"Received: groups={groups}, filters={filters}.")
        self.filters, self.groups = filters, groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def _allows_causal(self):
        return self.rank == 1

    def make_kernels(self, in_channels):
        if in_channels % self.groups != 0:
            raise ValueError(
                f"The number of input channels must be evenly divisible by the number of groups. Received "
                f"groups={self.groups}, but the input has {in_channels} channels."
            )
        self.kernel = self.add_kernel("kernel", (*self.kernel_size, in_channels // self.groups, self.filters))

    def _causal(self, inputs):
        """``'causal'`` padding: pad the start only, so that output t sees inputs <= t; then convolve 'valid'."""
        if self.padding != "causal":
            return inputs, self.padding
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        return ops.pad(inputs, ((0, 0), (left, 0), (0, 0)) if self.data_format == "channels_last"
                       else ((0, 0), (0, 0), (left, 0))), "valid"

    def call(self, inputs):
        if self.groups > 1:
            return super().call(inputs)
        # One op for the convolution, the bias and a relu: they run in place on one output array
        inputs, padding = self._causal(inputs)
        relu = self.activation is activations.relu
        outputs = conv_bias_activation(inputs, self.kernel, self.bias, self.strides, padding, self.data_format,
                                       self.dilation_rate, "relu" if relu else None)
        return outputs if relu else self.activation(outputs)

    def convolve(self, inputs):
        inputs, padding = self._causal(inputs)

        def conv(x, kernel):
            return ops.conv(x, kernel, self.strides, padding, self.data_format, self.dilation_rate)

        if self.groups == 1:
            return conv(inputs, self.kernel)
        # groups: split the channels (and the filters) into `groups` parts, convolve each part with its own
        # filters, and concatenate the results
        axis = self._channel_axis()
        parts = zip(ops.split(inputs, self.groups, axis=axis), ops.split(self.kernel, self.groups, axis=-1))
        return ops.concatenate([conv(x, kernel) for x, kernel in parts], axis=axis)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "groups": self.groups,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
        }


class _ConvTranspose(BaseConv):
    """Transposed convolution: the gradient of a convolution with respect to its input, used to upsample."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        _check_positive("filters", filters)
        self.filters = filters
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = standardize_tuple(output_padding, self.rank, "output_padding", allow_zero=True)
            for i, (extra, stride) in enumerate(zip(self.output_padding, self.strides)):
                if extra >= stride:
                    raise ValueError(
                        "`output_padding` must be strictly less than `strides` for all dimensions. At dimension "
                        f"{i}, `output_padding` is {extra} but `strides` is {stride}. Received: "
                        f"output_padding={self.output_padding}, strides={self.strides}"
                    )
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def make_kernels(self, in_channels):
        self.kernel = self.add_kernel("kernel", (*self.kernel_size, self.filters, in_channels))

    def output_length(self, size, axis):
        """``size·stride`` ('same') or ``(size - 1)·stride + max(extent, stride)`` ('valid'), with ``extent``
        the dilated kernel size; with ``output_padding``: ``(size - 1)·stride + extent + output_padding``
        ('valid'), ``(size - 1)·stride + extent % 2 + output_padding`` ('same')."""
        stride, extent = self.strides[axis], (self.kernel_size[axis] - 1) * self.dilation_rate[axis] + 1
        if self.output_padding is None:
            return size * stride if self.padding == "same" else (size - 1) * stride + max(extent, stride)
        extra = self.output_padding[axis]
        return (size - 1) * stride + (extent % 2 if self.padding == "same" else extent) + extra

    def convolve(self, inputs):
        return ops.conv_transpose(inputs, self.kernel, self.strides, self.padding, self.output_padding,
                                  self.data_format, self.dilation_rate)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "output_padding": self.output_padding,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
        }


class _DepthwiseConv(BaseConv):
    """Depthwise convolution: every input channel is convolved on its own, with ``depth_multiplier`` kernels,
    giving ``in_channels * depth_multiplier`` output channels. Nothing mixes the channels."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        _check_positive("depth_multiplier", depth_multiplier)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def output_channels(self, in_channels):
        return in_channels * self.depth_multiplier

    def make_kernels(self, in_channels):
        # Keras 3 names this weight "kernel" (Keras 2 called it depthwise_kernel)
        self.kernel = self.add_kernel("kernel", (*self.kernel_size, in_channels, self.depth_multiplier), "depthwise")

    def convolve(self, inputs):
        return ops.depthwise_conv(inputs, self.kernel, self.strides, self.padding, self.data_format,
                                  self.dilation_rate)

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
        }


class _SeparableConv(BaseConv):
    """Separable convolution: a depthwise convolution, then a pointwise (1x1) convolution mixing the channels
    into ``filters`` outputs — far fewer weights than a full convolution of the same window."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        _check_positive("depth_multiplier", depth_multiplier)
        _check_positive("filters", filters)
        self.filters, self.depth_multiplier = filters, depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def make_kernels(self, in_channels):
        m = self.depth_multiplier
        self.depthwise_kernel = self.add_kernel("depthwise_kernel", (*self.kernel_size, in_channels, m), "depthwise")
        self.pointwise_kernel = self.add_kernel("pointwise_kernel", (*(1,) * self.rank, in_channels * m, self.filters),
                                                "pointwise")

    def convolve(self, inputs):
        return ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides, self.padding,
                                  self.data_format, self.dilation_rate)

    def get_config(self):
        config_ = {**super().get_config(), "filters": self.filters, "depth_multiplier": self.depth_multiplier}
        for kind in ("depthwise", "pointwise"):
            config_[f"{kind}_initializer"] = initializers.serialize(getattr(self, f"{kind}_initializer"))
            config_[f"{kind}_regularizer"] = regularizers.serialize(getattr(self, f"{kind}_regularizer"))
            config_[f"{kind}_constraint"] = constraints.serialize(getattr(self, f"{kind}_constraint"))
        return config_


# ---------------------------------------------------------------------------------------------------------
# The public layers: a kind and a rank
# ---------------------------------------------------------------------------------------------------------


class Conv1D(_Conv):
    """1D convolution over ``(batch, steps, channels)``, e.g. sequences or audio.

    Args:
        filters: the number of output channels. kernel_size, strides, padding, data_format, dilation_rate,
            activation, use_bias: see :class:`BaseConv`. ``padding='causal'`` pads the start of the sequence
            only, so that output ``t`` depends on inputs ``0..t`` (for autoregressive models).
        groups: split the input channels into this many groups, each convolved with ``filters // groups``
            filters of its own.
        kernel_initializer, kernel_regularizer, kernel_constraint (and the same for the bias): as in ``Dense``.

    Kernel shape: ``(kernel_size, in_channels // groups, filters)``.

    Example:
        >>> layer = keras.layers.Conv1D(4, 3, padding="causal")
        >>> layer(np.ones((2, 10, 3))).shape
        (2, 10, 4)
        >>> layer.kernel.shape, layer.count_params()
        ((3, 3, 4), 40)
    """

    rank = 1


class Conv2D(_Conv):
    """2D convolution over images ``(batch, height, width, channels)`` — the workhorse of image models.

    Args:
        filters: the number of output channels. kernel_size, strides, padding, data_format, dilation_rate,
            activation, use_bias: see :class:`BaseConv`.
        groups: split the input channels into this many groups, each convolved with ``filters // groups``
            filters of its own.
        kernel_initializer, kernel_regularizer, kernel_constraint (and the same for the bias): as in ``Dense``.

    Kernel shape: ``(*kernel_size, in_channels // groups, filters)``: 3·3·3·32 + 32 = 896 parameters below.

    Example:
        >>> layer = keras.layers.Conv2D(32, (3, 3), activation="relu")
        >>> layer(np.ones((1, 32, 32, 3))).shape
        (1, 30, 30, 32)
        >>> layer.count_params()
        896
    """

    rank = 2


class Conv3D(_Conv):
    """3D convolution over volumes ``(batch, depth, height, width, channels)`` (videos, scans).

    Args: as :class:`Conv2D`, with 3-tuples. Kernel shape: ``(*kernel_size, in_channels // groups, filters)``.

    Example:
        >>> keras.layers.Conv3D(2, 3, strides=2, padding="same")(np.ones((1, 5, 6, 7, 1))).shape
        (1, 3, 3, 4, 2)
    """

    rank = 3


class Conv1DTranspose(_ConvTranspose):
    """Transposed 1D convolution ("deconvolution"): upsamples a sequence with learned kernels.

    Args:
        filters: the number of output channels. kernel_size, strides, padding, data_format, dilation_rate,
            activation, use_bias: see :class:`BaseConv`.
        output_padding: ``None`` or an int (each ``< strides``): extra length at the output's end, to pick one
            of the output sizes a strided convolution maps to the same input size.

    Kernel shape: ``(kernel_size, filters, in_channels)`` — note the order, as in Keras. Output length:
    ``length · strides`` with ``'same'``; ``(length - 1) · strides + max(kernel_size, strides)`` with ``'valid'``.

    Example:
        >>> keras.layers.Conv1DTranspose(2, 3, strides=2, padding="same")(np.ones((1, 5, 4))).shape
        (1, 10, 2)
    """

    rank = 1


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2D convolution: upsamples images with learned kernels (decoders, GAN generators).

    Args: as :class:`Conv1DTranspose`, with 2-tuples. Kernel shape: ``(*kernel_size, filters, in_channels)``.

    Example:
        >>> layer = keras.layers.Conv2DTranspose(8, (3, 3), strides=2, padding="same")
        >>> layer(np.ones((1, 7, 7, 16))).shape
        (1, 14, 14, 8)
        >>> layer.kernel.shape
        (3, 3, 8, 16)
    """

    rank = 2


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3D convolution: upsamples volumes with learned kernels.

    Args: as :class:`Conv1DTranspose`, with 3-tuples (note Keras's order here: ``data_format`` comes before
    ``output_padding``). Kernel shape: ``(*kernel_size, filters, in_channels)``.

    Example:
        >>> keras.layers.Conv3DTranspose(2, 2, strides=2)(np.ones((1, 2, 3, 4, 1))).shape
        (1, 4, 6, 8, 2)
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, output_padding=None,
                 dilation_rate=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate, **kwargs)


class DepthwiseConv1D(_DepthwiseConv):
    """Depthwise 1D convolution: each channel convolved on its own with ``depth_multiplier`` kernels.

    Args:
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias: see :class:`BaseConv`.
        depth_multiplier: kernels per input channel; the output has ``in_channels * depth_multiplier``
            channels, channel ``c * depth_multiplier + m`` coming from input channel ``c``.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the kernel.

    Kernel shape: ``(kernel_size, in_channels, depth_multiplier)``.

    Example:
        >>> keras.layers.DepthwiseConv1D(3, depth_multiplier=2)(np.ones((1, 8, 3))).shape
        (1, 6, 6)
    """

    rank = 1


class DepthwiseConv2D(_DepthwiseConv):
    """Depthwise 2D convolution: each channel convolved on its own (the first half of a separable convolution,
    as in MobileNet).

    Args: as :class:`DepthwiseConv1D`. Kernel shape: ``(*kernel_size, in_channels, depth_multiplier)``.

    Example:
        >>> layer = keras.layers.DepthwiseConv2D(3, padding="same")
        >>> layer(np.ones((1, 5, 5, 4))).shape, layer.count_params()
        ((1, 5, 5, 4), 40)
    """

    rank = 2


class SeparableConv1D(_SeparableConv):
    """Separable 1D convolution: a depthwise convolution followed by a pointwise (kernel size 1) convolution.

    Args:
        filters: the number of output channels. kernel_size, strides, padding, data_format, dilation_rate,
            activation, use_bias: see :class:`BaseConv` (they apply to the depthwise step).
        depth_multiplier: depthwise kernels per input channel.
        depthwise_* / pointwise_* initializer, regularizer, constraint: for the two kernels.

    Kernel shapes: ``depthwise_kernel (kernel_size, in_channels, depth_multiplier)``,
    ``pointwise_kernel (1, in_channels * depth_multiplier, filters)``.

    Example:
        >>> layer = keras.layers.SeparableConv1D(4, 3)
        >>> layer(np.ones((1, 8, 2))).shape, layer.count_params()
        ((1, 6, 4), 18)
    """

    rank = 1


class SeparableConv2D(_SeparableConv):
    """Separable 2D convolution: depthwise, then pointwise (1x1) — as in Xception and MobileNet.

    Args: as :class:`SeparableConv1D`. Kernel shapes: ``depthwise_kernel (*kernel_size, in_channels,
    depth_multiplier)``, ``pointwise_kernel (1, 1, in_channels * depth_multiplier, filters)``.

    Example:
        >>> layer = keras.layers.SeparableConv2D(8, 3, padding="same")
        >>> layer(np.ones((1, 6, 6, 4))).shape, layer.count_params()
        ((1, 6, 6, 8), 76)
    """

    rank = 2


# Keras's other names for the same classes
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D

__all__ = [
    "Conv1D", "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "Convolution1D",
    "Convolution1DTranspose", "Convolution2D", "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose",
    "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
    "SeparableConvolution2D",
]
