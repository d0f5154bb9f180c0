"""Reshaping layers without weights: ``Reshape``, ``Permute``, ``RepeatVector``, ``Cropping1D/2D/3D``,
``UpSampling1D/2D/3D`` and ``ZeroPadding1D/2D/3D``. (``Flatten`` lives in ``reshaping.py``.)

The batch axis is never touched: shapes and axis numbers given to these layers describe one sample.
"""

import math

import numpy as np

from kerasnb import config, ops
from kerasnb.layers.convolutional import standardize_tuple
from kerasnb.layers.layer import InputSpec, Layer

# ---------------------------------------------------------------------------------------------------------
# Reshape, Permute, RepeatVector
# ---------------------------------------------------------------------------------------------------------


class Reshape(Layer):
    """Reshape each sample to ``target_shape``; one entry may be ``-1``, inferred from the size.

    Args:
        target_shape: the new shape of one sample (the batch axis is kept), e.g. ``(3, 4)`` or ``(-1, 2)``.

    Example:
        >>> keras.layers.Reshape((-1, 2))(np.ones((5, 3, 4))).shape
        (5, 6, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if any(d < -1 for d in self.target_shape):
            raise ValueError("Each dimension in `target_shape` must be a non-negative integer, or `-1` for a single "
                             f"unknown dimension. Received: target_shape={self.target_shape}.")
        if self.target_shape.count(-1) > 1:
            raise ValueError("There must be at most one unknown dimension (-1) in `target_shape`. Received: "
                             f"target_shape={self.target_shape}.")
        self.built = True

    def _sample_shape(self, input_shape):
        """``target_shape`` with its ``-1`` resolved (``None`` when the input's size is unknown)."""
        sample = tuple(input_shape[1:])
        if None in sample:
            return tuple(None if d == -1 else d for d in self.target_shape)
        size, known = math.prod(sample), math.prod(d for d in self.target_shape if d != -1)
        if -1 not in self.target_shape and size == known:
            return self.target_shape
        if -1 in self.target_shape and known != 0 and size % known == 0:
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        raise ValueError("The total size of the tensor must be unchanged. Received: "
                         f"input_shape={sample}, target_shape={self.target_shape}")

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0], *self._sample_shape(inputs.shape)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._sample_shape(input_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Reorder the axes of each sample: ``dims`` is a permutation of ``1 .. rank`` (axis 0, the batch, stays).

    Args:
        dims: e.g. ``(2, 1)`` swaps the two axes of ``(batch, steps, features)``.

    Example:
        >>> keras.layers.Permute((2, 1))(np.ones((5, 10, 64))).shape
        (5, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1. Received dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        return ops.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeat each input vector ``n`` times: ``(batch, features)`` → ``(batch, n, features)``.

    Args:
        n: a positive int.

    Example:
        >>> keras.layers.RepeatVector(3)(np.array([[1.0, 2.0]])).numpy()
        array([[[1., 2.],
                [1., 2.],
                [1., 2.]]], dtype=float32)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


# ---------------------------------------------------------------------------------------------------------
# Cropping and zero padding: an amount (before, after) per spatial axis
# ---------------------------------------------------------------------------------------------------------


def _pairs(value, rank, name):
    """``value`` as ``rank`` pairs ``(before, after)``: one int for everything, ``rank`` ints (symmetric per
    axis) or ``rank`` pairs. For rank 1, an int or one pair."""
    if rank == 1:
        return (standardize_tuple(value, 2, name, allow_zero=True),)
    if isinstance(value, (int, np.integer)):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((int(value), int(value)),) * rank
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(f"`{name}` should be either an int, a tuple of {rank} ints or a tuple of {rank} tuples of "
                         f"2 ints (before, after) per spatial axis. Received: {name}={value}.")
    ordinal = ("1st", "2nd", "3rd")
    return tuple(standardize_tuple(v, 2, f"{ordinal[i]} entry of {name}", allow_zero=True) for i, v in enumerate(value))


class _SpatialLayer(Layer):
    """A layer over the ``rank`` spatial axes of ``(batch, *spatial, channels)`` (or channels first)."""

    rank = None

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return range(first, first + self.rank)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class _Cropping(_SpatialLayer):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping")

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)  # raises if the cropping is too large
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(self.spatial_axes(), self.cropping):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(self.spatial_axes(), self.cropping):
            if shape[axis] is not None:
                shape[axis] -= before + after
                if shape[axis] <= 0:
                    raise ValueError("Values in `cropping` argument should be smaller than the corresponding "
                                     f"spatial dimension of the input. Received: input_shape={tuple(input_shape)}, "
                                     f"cropping={self.cropping}")
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping1D(_Cropping):
    """Remove steps from the start and end of ``(batch, steps, features)``.

    Args:
        cropping: an int (the same at both ends) or ``(start, end)``; default ``(1, 1)``.

    Example:
        >>> keras.layers.Cropping1D((1, 2))(np.arange(6.0).reshape(1, 6, 1)).numpy().ravel()
        array([1., 2., 3.], dtype=float32)
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, "channels_last", **kwargs)

    def get_config(self):
        config_ = super().get_config()
        config_["cropping"] = self.cropping[0]
        del config_["data_format"]  # Cropping1D has none: it always crops axis 1
        return config_


class Cropping2D(_Cropping):
    """Remove rows and columns at the edges of images.

    Args:
        cropping: an int (everywhere), ``(rows, cols)`` (symmetric) or ``((top, bottom), (left, right))``;
            default ``((0, 0), (0, 0))``.
        data_format: ``'channels_last'`` or ``'channels_first'``.

    Example:
        >>> keras.layers.Cropping2D(((2, 2), (4, 4)))(np.ones((2, 28, 28, 3))).shape
        (2, 24, 20, 3)
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Remove slices at the edges of volumes ``(batch, d1, d2, d3, channels)``.

    Args:
        cropping: an int, 3 ints (symmetric per axis) or 3 pairs; default ``((1, 1), (1, 1), (1, 1))``.
        data_format: ``'channels_last'`` or ``'channels_first'``.

    Example:
        >>> keras.layers.Cropping3D()(np.ones((1, 4, 5, 6, 2))).shape
        (1, 2, 3, 4, 2)
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class _ZeroPadding(_SpatialLayer):
    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self.rank, "padding")

    def call(self, inputs):
        widths = [(0, 0)] * inputs.ndim
        for axis, pair in zip(self.spatial_axes(), self.padding):
            widths[axis] = pair
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(self.spatial_axes(), self.padding):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        padding = self.padding[0] if self.rank == 1 else self.padding
        return {**super().get_config(), "padding": padding}


class ZeroPadding1D(_ZeroPadding):
    """Add zeros at the start and end of ``(batch, steps, features)``.

    Args:
        padding: an int (both ends) or ``(start, end)``; default 1.
        data_format: ``'channels_last'`` or ``'channels_first'``.

    Example:
        >>> keras.layers.ZeroPadding1D((1, 2))(np.ones((1, 2, 1))).numpy().ravel()
        array([0., 1., 1., 0., 0.], dtype=float32)
    """

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Add rows and columns of zeros around images.

    Args:
        padding: an int (everywhere), ``(rows, cols)`` (symmetric) or ``((top, bottom), (left, right))``;
            default ``(1, 1)``.
        data_format: ``'channels_last'`` or ``'channels_first'``.

    Example:
        >>> keras.layers.ZeroPadding2D(((1, 0), (0, 1)))(np.ones((1, 2, 2, 1))).numpy()[0, :, :, 0]
        array([[0., 0., 0.],
               [1., 1., 0.],
               [1., 1., 0.]], dtype=float32)
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Add zeros around volumes ``(batch, d1, d2, d3, channels)``.

    Args:
        padding: an int, 3 ints (symmetric per axis) or 3 pairs; default ``((1, 1), (1, 1), (1, 1))``.
        data_format: ``'channels_last'`` or ``'channels_first'``.

    Example:
        >>> keras.layers.ZeroPadding3D(2)(np.ones((1, 1, 2, 3, 4))).shape
        (1, 5, 6, 7, 4)
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


# ---------------------------------------------------------------------------------------------------------
# Upsampling
# ---------------------------------------------------------------------------------------------------------


def _linear_upsample(x, axis, factor):
    """Linear interpolation along ``axis`` to ``factor`` times its size, with half-pixel centres (as
    ``tf.image.resize``, ``jax.image.resize`` and torch's ``align_corners=False``): output ``i`` samples the
    input at ``(i + 0.5) / factor - 0.5``, clamped to the edges, mixing its two neighbours."""
    n = x.shape[axis]
    position = np.clip((np.arange(n * factor) + 0.5) / factor - 0.5, 0, n - 1)
    below = np.floor(position).astype("int32")
    above = np.minimum(below + 1, n - 1)
    weight = (position - below).astype(x.dtype).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    return ops.take(x, below, axis=axis) * (1 - weight) + ops.take(x, above, axis=axis) * weight


def _upsampled_shape(layer, input_shape):
    shape = list(input_shape)
    for axis, size in zip(layer.spatial_axes(), layer.size):
        shape[axis] = None if shape[axis] is None else shape[axis] * size
    return tuple(shape)


class UpSampling1D(Layer):
    """Repeat each step ``size`` times along axis 1 of ``(batch, steps, features)``.

    Args:
        size: a positive int; default 2.

    Example:
        >>> keras.layers.UpSampling1D(2)(np.array([[[1.0], [2.0]]])).numpy().ravel()
        array([1., 1., 2., 2.], dtype=float32)
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: size={size}")
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_SpatialLayer):
    """Enlarge images by integer factors: rows ``size[0]`` times, columns ``size[1]`` times.

    Args:
        size: an int or ``(rows, cols)``; default ``(2, 2)``.
        data_format: ``'channels_last'`` or ``'channels_first'``.
        interpolation: ``'nearest'`` (repeat each pixel) or ``'bilinear'`` (as ``keras.ops.image.resize``:
            half-pixel centres, edges clamped).

    Example:
        >>> x = np.array([[1.0, 2.0]]).reshape(1, 1, 2, 1)
        >>> keras.layers.UpSampling2D((1, 2))(x).numpy().ravel()
        array([1., 1., 2., 2.], dtype=float32)
        >>> keras.layers.UpSampling2D((1, 2), interpolation="bilinear")(x).numpy().ravel()
        array([1.  , 1.25, 1.75, 2.  ], dtype=float32)
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError("`interpolation` must be 'nearest' or 'bilinear' (kerasnb does not implement Keras's "
                             f"other resize methods). Received: interpolation={interpolation}")

    def call(self, inputs):
        for axis, size in zip(self.spatial_axes(), self.size):
            if self.interpolation == "nearest":
                inputs = ops.repeat(inputs, size, axis=axis)
            else:
                inputs = _linear_upsample(inputs, axis, size)
        return inputs

    def compute_output_shape(self, input_shape):
        return _upsampled_shape(self, input_shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "interpolation": self.interpolation}


class UpSampling3D(_SpatialLayer):
    """Enlarge volumes ``(batch, d1, d2, d3, channels)`` by repeating each entry ``size[i]`` times along axis i.

    Args:
        size: an int or 3 ints; default ``(2, 2, 2)``.
        data_format: ``'channels_last'`` or ``'channels_first'``.

    Example:
        >>> keras.layers.UpSampling3D()(np.ones((1, 1, 2, 3, 4))).shape
        (1, 2, 4, 6, 4)
    """

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = standardize_tuple(size, 3, "size")

    def call(self, inputs):
        for axis, size in zip(self.spatial_axes(), self.size):
            inputs = ops.repeat(inputs, size, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape):
        return _upsampled_shape(self, input_shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


__all__ = [
    "Cropping1D", "Cropping2D", "Cropping3D", "Permute", "RepeatVector", "Reshape", "UpSampling1D", "UpSampling2D",
    "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
]
