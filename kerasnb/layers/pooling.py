"""Pooling layers: ``MaxPooling1D/2D/3D`` and ``AveragePooling1D/2D/3D`` (a window slides over the spatial
axes and keeps its largest value or its mean), and ``GlobalMaxPooling1D/2D/3D`` and
``GlobalAveragePooling1D/2D/3D`` (one value per channel over all spatial positions). None has weights.

``'same'`` padding pads as TensorFlow (and Keras) do: the output has ``ceil(size / stride)`` positions and the
odd padded position goes at the end; padded positions never win a max and are not counted in a mean.
"""

from kerasnb import config, ops
from kerasnb.layers.convolutional import standardize_tuple
from kerasnb.layers.layer import InputSpec, Layer


class BasePooling(Layer):
    """A window of ``pool_size`` slides over the ``rank`` spatial axes in steps of ``strides``; ``pool`` reduces
    each window (subclasses set ``rank`` and ``pool``).

    Args:
        pool_size: an int or a tuple of ``rank`` ints: the window size.
        strides: an int or a tuple; ``None`` (default) means ``pool_size``, windows that do not overlap.
        padding: ``'valid'`` (windows must fit inside the input) or ``'same'`` (pad so that the output has
            ``ceil(size / stride)`` positions).
        data_format: ``'channels_last'`` (``(batch, *spatial, channels)``) or ``'channels_first'``; default
            ``keras.config.image_data_format()``.
    """

    rank = None
    pool = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size")
        self.strides = standardize_tuple(pool_size if strides is None else strides, self.rank, "strides")
        if str(padding).lower() not in ("valid", "same"):
            raise ValueError(f"Argument `padding` must be either 'valid' or 'same'. Received: padding={padding}")
        self.padding = str(padding).lower()
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs):
        return self.pool(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = []
        for n, k, s in zip(spatial, self.pool_size, self.strides):
            if n is None:
                out.append(None)
            elif self.padding == "same":
                out.append((n - 1) // s + 1)  # ceil(n / s)
            elif n < k:
                raise ValueError(
                    f"Computed output size would be zero or negative. Received: `inputs.shape={tuple(input_shape)}`, "
                    f"`pool_size={self.pool_size}`, `strides={self.strides}`, `padding={self.padding}`."
                )
            else:
                out.append((n - k) // s + 1)
        if last:
            return (input_shape[0], *out, input_shape[-1])
        return (input_shape[0], input_shape[1], *out)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class _MaxPooling(BasePooling):
    pool = staticmethod(ops.max_pool)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _AveragePooling(BasePooling):
    pool = staticmethod(ops.average_pool)


class MaxPooling1D(_MaxPooling):
    """Max pooling over steps: ``(batch, steps, channels)``; ``pool_size`` defaults to 2.

    Args: see :class:`BasePooling`.

    Example:
        >>> x = np.array([1.0, 3.0, 2.0, 5.0, 4.0]).reshape(1, 5, 1)
        >>> keras.layers.MaxPooling1D(2, padding="same")(x).numpy().ravel()
        array([3., 5., 4.], dtype=float32)
    """

    rank = 1


class MaxPooling2D(_MaxPooling):
    """Max pooling over images: ``(batch, height, width, channels)``; ``pool_size`` defaults to ``(2, 2)``.

    Args: see :class:`BasePooling`.

    Example:
        >>> x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
        >>> keras.layers.MaxPooling2D((2, 2), strides=(1, 1))(x).numpy()[0, :, :, 0]
        array([[5., 6.],
               [8., 9.]], dtype=float32)
    """

    rank = 2


class MaxPooling3D(_MaxPooling):
    """Max pooling over volumes: ``(batch, depth, height, width, channels)``; ``pool_size`` defaults to
    ``(2, 2, 2)``.

    Args: see :class:`BasePooling`.

    Example:
        >>> keras.layers.MaxPooling3D()(np.ones((1, 4, 5, 6, 2))).shape
        (1, 2, 2, 3, 2)
    """

    rank = 3


class AveragePooling1D(_AveragePooling):
    """Average pooling over steps: ``(batch, steps, channels)``. ``pool_size`` is required, as in Keras 3.

    Args: see :class:`BasePooling`.

    Example:
        >>> x = np.array([1.0, 3.0, 2.0, 5.0, 4.0]).reshape(1, 5, 1)
        >>> keras.layers.AveragePooling1D(2, padding="same")(x).numpy().ravel()
        array([2. , 3.5, 4. ], dtype=float32)
    """

    rank = 1


class AveragePooling2D(_AveragePooling):
    """Average pooling over images: ``(batch, height, width, channels)``. ``pool_size`` is required.

    Args: see :class:`BasePooling`.

    Example:
        >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
        >>> keras.layers.AveragePooling2D((2, 2))(x).numpy()[0, :, :, 0]
        array([[ 2.5,  4.5],
               [10.5, 12.5]], dtype=float32)
    """

    rank = 2


class AveragePooling3D(_AveragePooling):
    """Average pooling over volumes: ``(batch, depth, height, width, channels)``. ``pool_size`` is required.

    Args: see :class:`BasePooling`.

    Example:
        >>> keras.layers.AveragePooling3D(2, padding="same")(np.ones((1, 3, 4, 5, 2))).shape
        (1, 2, 2, 3, 2)
    """

    rank = 3


# ---------------------------------------------------------------------------------------------------------
# Global pooling
# ---------------------------------------------------------------------------------------------------------


class BaseGlobalPooling(Layer):
    """Reduce all ``rank`` spatial axes at once, leaving one value per channel (subclasses set ``rank`` and
    ``reduce``).

    Args:
        data_format: ``'channels_last'`` or ``'channels_first'``; default ``keras.config.image_data_format()``.
        keepdims: keep the spatial axes, with size 1: ``(batch, 1, 1, channels)`` instead of
            ``(batch, channels)``.
    """

    rank = None
    reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs):
        return self.reduce(inputs, axis=self.spatial_axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if not self.keepdims:
            return (input_shape[0], channels)
        ones = (1,) * self.rank
        return (input_shape[0], *ones, channels) if self.data_format == "channels_last" else (
            input_shape[0], channels, *ones)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class _GlobalMaxPooling(BaseGlobalPooling):
    reduce = staticmethod(ops.max)


class _GlobalAveragePooling(BaseGlobalPooling):
    reduce = staticmethod(ops.mean)


class GlobalMaxPooling1D(_GlobalMaxPooling):
    """The maximum over all steps: ``(batch, steps, channels)`` → ``(batch, channels)``.

    Args: see :class:`BaseGlobalPooling`.

    Example:
        >>> x = np.array([[[1.0, -2.0], [3.0, -4.0]]])
        >>> keras.layers.GlobalMaxPooling1D()(x).numpy()
        array([[ 3., -2.]], dtype=float32)
    """

    rank = 1


class GlobalMaxPooling2D(_GlobalMaxPooling):
    """The maximum over height and width: ``(batch, height, width, channels)`` → ``(batch, channels)``.

    Args: see :class:`BaseGlobalPooling`.

    Example:
        >>> keras.layers.GlobalMaxPooling2D(keepdims=True)(np.ones((2, 4, 5, 3))).shape
        (2, 1, 1, 3)
    """

    rank = 2


class GlobalMaxPooling3D(_GlobalMaxPooling):
    """The maximum over depth, height and width: ``(batch, d, h, w, channels)`` → ``(batch, channels)``.

    Args: see :class:`BaseGlobalPooling`.

    Example:
        >>> keras.layers.GlobalMaxPooling3D()(np.ones((2, 3, 4, 5, 6))).shape
        (2, 6)
    """

    rank = 3


class GlobalAveragePooling1D(_GlobalAveragePooling):
    """The mean over all steps: ``(batch, steps, channels)`` → ``(batch, channels)``. With a mask (from
    ``Embedding(mask_zero=True)`` or ``Masking``) the mean is over the unmasked steps only.

    Args: see :class:`BaseGlobalPooling`.

    Example:
        >>> x = np.array([[[1.0, 2.0], [3.0, 6.0]]])
        >>> keras.layers.GlobalAveragePooling1D()(x).numpy()
        array([[2., 4.]], dtype=float32)
    """

    rank = 1
    supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = self.spatial_axes()[0]
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1 if steps == 1 else 1)  # 1 = keep, 0 = masked
        total = ops.sum(inputs * weights, axis=steps, keepdims=self.keepdims)
        return total / ops.sum(weights, axis=steps, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None  # the steps are gone, and their mask with them


class GlobalAveragePooling2D(_GlobalAveragePooling):
    """The mean over height and width: ``(batch, height, width, channels)`` → ``(batch, channels)``, often
    in place of ``Flatten`` before a classifier.

    Args: see :class:`BaseGlobalPooling`.

    Example:
        >>> keras.layers.GlobalAveragePooling2D()(np.ones((2, 4, 5, 3))).shape
        (2, 3)
    """

    rank = 2


class GlobalAveragePooling3D(_GlobalAveragePooling):
    """The mean over depth, height and width: ``(batch, d, h, w, channels)`` → ``(batch, channels)``.

    Args: see :class:`BaseGlobalPooling`.

    Example:
        >>> keras.layers.GlobalAveragePooling3D(data_format="channels_first")(np.ones((2, 3, 4, 5, 6))).shape
        (2, 3)
    """

    rank = 3


# Keras's other names for the same classes
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D

__all__ = [
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
]
