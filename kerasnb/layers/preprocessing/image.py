"""Image preprocessing: ``Resizing``, ``CenterCrop`` and the random augmentations ``RandomFlip``,
``RandomRotation``, ``RandomZoom``, ``RandomTranslation``, ``RandomContrast``.

Images are ``(batch, height, width, channels)`` (or one image without the batch axis); ``data_format=
'channels_first'`` means ``(batch, channels, height, width)``.

Resizing is two matrix products: every output row is a weighted mix of input rows (``weights_h``, shape
``(new_height, height)``), and likewise for columns, so ``resized = weights_h @ image @ weights_w^T`` — the
weights say which interpolation is used. Rotation, zoom and translation are *affine transforms*: for each output
pixel ``(x, y)`` the layer reads the input at ``(a0 x + a1 y + a2, b0 x + b1 y + b2)``, interpolating between
the four nearest pixels; points outside the image are filled according to ``fill_mode``.

The random layers draw new random parameters on every call while training. As in Keras 3, they are active when
called directly (``training`` defaults to True) and inside ``fit``, and do nothing in ``predict``/``evaluate``
or with ``training=False``. Each has ``get_random_transformation`` (the random draw) and ``transform_images``
(applying a given draw), Keras's two steps.
"""

import math

import numpy as np

from kerasnb import config, ops
from kerasnb.engine import arrays
from kerasnb.engine.random import SeedGenerator
from kerasnb.engine.tensor import Tensor
from kerasnb.layers.keras_tensor import KerasTensor
from kerasnb.layers.layer import Layer


def _standardize_data_format(data_format):
    data_format = config.image_data_format() if data_format is None else str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         f"Received: data_format={data_format}")
    return data_format


def _to_channels_last(images, data_format):
    return ops.transpose(images, (0, 2, 3, 1)) if data_format == "channels_first" else images


def _from_channels_last(images, data_format):
    return ops.transpose(images, (0, 3, 1, 2)) if data_format == "channels_first" else images


# ---------------------------------------------------------------------------------------------------------
# Resizing: one weight matrix per axis
# ---------------------------------------------------------------------------------------------------------

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")


def _cubic(x, a):
    """The cubic convolution kernel (Keys): ``a = -0.75`` for resizing, ``-0.5`` with antialiasing."""
    x = np.abs(x)
    return np.where(x <= 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0.0))


def resize_weights(in_size, out_size, interpolation="bilinear", antialias=False):
    """The ``(out_size, in_size)`` matrix whose row ``i`` mixes input pixels into output pixel ``i``.

    Pixel centres are aligned (output pixel ``i`` sits at input position ``(i + 0.5) * in_size / out_size - 0.5``),
    as in TensorFlow's and PyTorch's resizing. With ``antialias``, a downscaling filter is widened to cover every
    input pixel that falls into an output pixel.

    Example:
        >>> resize_weights(2, 4)
        array([[1.  , 0.  ],
               [0.75, 0.25],
               [0.25, 0.75],
               [0.  , 1.  ]], dtype=float32)
    """
    scale = np.float32(in_size / out_size)  # float32 arithmetic, as PyTorch's kernels (Keras's torch backend)
    weights = np.zeros((out_size, in_size), dtype="float32")
    rows = np.arange(out_size, dtype="float32")
    index = rows.astype(int)
    if interpolation == "nearest":
        weights[index, np.minimum(np.floor((rows + 0.5) * scale).astype(int), in_size - 1)] = 1.0
        return weights
    if antialias:
        # Every input pixel within `support` of the output pixel's centre, weighted by the (stretched) kernel.
        support = (1.0 if interpolation == "bilinear" else 2.0) * max(scale, 1.0)
        stretch = 1.0 / max(scale, 1.0)
        for i in index:
            center = scale * (i + 0.5)
            taps = np.arange(max(int(center - support + 0.5), 0), min(int(center + support + 0.5), in_size))
            x = (taps - center + 0.5) * stretch
            w = np.maximum(1 - np.abs(x), 0) if interpolation == "bilinear" else _cubic(x, -0.5)
            weights[i, taps] = w / w.sum()
        return weights
    source = (rows + 0.5) * scale - 0.5
    if interpolation == "bilinear":
        source = np.maximum(source, 0)
        lower = np.floor(source)
        frac = source - lower
        np.add.at(weights, (index, lower.astype(int)), 1 - frac)
        np.add.at(weights, (index, np.minimum(lower.astype(int) + 1, in_size - 1)), frac)
        return weights
    lower = np.floor(source)  # bicubic: four taps around the source position, clamped to the edge
    frac = source - lower
    for offset in (-1, 0, 1, 2):
        np.add.at(weights, (index, np.clip(lower.astype(int) + offset, 0, in_size - 1)), _cubic(frac - offset, -0.75))
    return weights


def _crop_or_pad_to_aspect_ratio(images, size, crop, fill_value):
    """Crop (``crop=True``) or pad with ``fill_value`` the (channels-last, batched) images to the aspect ratio
    of ``size``, keeping them centred."""
    height, width = images.shape[1], images.shape[2]
    target_height, target_width = size
    if crop:
        crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
        crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
        top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
        return images[:, top:top + crop_height, left:left + crop_width, :]
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    top, left = int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)
    return ops.pad(images, [(0, 0), (top, top), (left, left), (0, 0)], constant_values=fill_value)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_value=0.0, data_format=None):
    """Resize a batch of images (or one image) to ``size = (height, width)``; differentiable.

    Integer images are resized in float32, rounded and clipped back to their dtype.

    Example:
        >>> resize(np.ones((1, 4, 4, 3)), (2, 6)).shape
        (1, 2, 6, 3)
    """
    data_format = _standardize_data_format(data_format)
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected of one {RESIZE_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    if len(size) != 2:
        raise ValueError(f"Argument `size` must be a tuple of two elements (height, width). Received: size={size}")
    images = ops.convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={images.shape}")
    unbatched, in_dtype = images.ndim == 3, images.dtype
    x = _to_channels_last(ops.expand_dims(images, 0) if unbatched else images, data_format)
    if x.dtype.kind != "f":
        x = ops.cast(x, "float32")
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        x = _crop_or_pad_to_aspect_ratio(x, size, crop_to_aspect_ratio, fill_value)
    weights_h = resize_weights(x.shape[1], size[0], interpolation, antialias).astype(x.dtype)
    weights_w = resize_weights(x.shape[2], size[1], interpolation, antialias).astype(x.dtype)
    x = ops.einsum("xw,bhwc->bhxc", weights_w, x)  # mix columns
    x = ops.einsum("yh,bhxc->byxc", weights_h, x)  # mix rows
    x = _from_channels_last(x, data_format)
    if in_dtype.kind in "iu":  # back to the integer dtype: round, saturate
        info = np.iinfo(in_dtype)
        x = ops.cast(ops.clip(ops.round(x), info.min, info.max), in_dtype)
    return ops.squeeze(x, 0) if unbatched else x


# ---------------------------------------------------------------------------------------------------------
# Affine transforms: sample the input at transformed coordinates
# ---------------------------------------------------------------------------------------------------------

AFFINE_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _mirror_index(index, size):
    """Fold indices back into ``[0, size)`` without repeating the edge: ``d c b | a b c d | c b a``."""
    period = size - 1
    return np.abs((index + period) % (2 * period) - period) if period > 0 else np.zeros_like(index)


def _fix_index(index, size, fill_mode):
    if fill_mode in ("constant", "nearest"):
        return np.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "mirror":
        return _mirror_index(index, size)
    return (_mirror_index(2 * index + 1, 2 * size + 1) - 1) // 2  # reflect: d c b a | a b c d | d c b a


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0.0,
                     data_format=None):
    """Apply one affine transform per image: output ``(x, y)`` reads input ``(a0 x + a1 y + a2, b0 x + b1 y +
    b2)``, where ``transform`` holds ``[a0, a1, a2, b0, b1, b2, c0, c1]`` per image (the projective ``c0, c1``
    must be 0). Not differentiable (a preprocessing step).

    ``interpolation``: ``'nearest'`` or ``'bilinear'``. ``fill_mode`` for points outside the image:
    ``'constant'`` (``fill_value``), ``'nearest'`` (the edge pixel), ``'wrap'`` (tile), ``'reflect'``
    (mirror including the edge pixel) or ``'mirror'`` (mirror about the edge pixel).

    Example:
        >>> shift_right = [1, 0, -1, 0, 1, 0, 0, 0]  # output x reads input x - 1
        >>> affine_transform(np.arange(4.0).reshape(1, 1, 4, 1), [shift_right])[0, 0, :, 0].numpy()
        array([0., 0., 1., 2.])
    """
    data_format = _standardize_data_format(data_format)
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError("Invalid value for argument `interpolation`. Expected of one {'nearest', 'bilinear'}. "
                         f"Received: interpolation={interpolation}")
    if fill_mode not in AFFINE_FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected of one {set(AFFINE_FILL_MODES)}. "
                         f"Received: fill_mode={fill_mode}")
    images = ops.convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={images.shape}")
    unbatched = images.ndim == 3
    x = _to_channels_last(ops.expand_dims(images, 0) if unbatched else images, data_format)
    xp = arrays.array_module(x.data)
    pixels = arrays.to_numpy(x.data)
    dtype = pixels.dtype if pixels.dtype.kind == "f" else np.dtype("float32")
    transform = np.asarray(ops.convert_to_numpy(transform), dtype=dtype).reshape(-1, 8)
    batch, height, width, _ = pixels.shape
    a0, a1, a2, b0, b1, b2 = (transform[:, i, None, None] for i in range(6))
    rows, cols = np.meshgrid(np.arange(height, dtype=dtype), np.arange(width, dtype=dtype), indexing="ij")
    src_x = (rows * a1 + cols * a0) + a2  # (batch, height, width)
    src_y = (rows * b1 + cols * b0) + b2
    if interpolation == "nearest":  # the closest pixel (ties to even, as torch.round)
        nodes_y = [(np.round(src_y).astype(int), np.ones_like(src_y))]
        nodes_x = [(np.round(src_x).astype(int), np.ones_like(src_x))]
    else:  # the pixels below and above, weighted by closeness
        y0, x0 = np.floor(src_y), np.floor(src_x)
        nodes_y = [(y0.astype(int), 1 - (src_y - y0)), (y0.astype(int) + 1, src_y - y0)]
        nodes_x = [(x0.astype(int), 1 - (src_x - x0)), (x0.astype(int) + 1, src_x - x0)]
    b = np.arange(batch)[:, None, None]
    out = 0
    for iy, wy in nodes_y:
        for ix, wx in nodes_x:
            values = pixels[b, _fix_index(iy, height, fill_mode), _fix_index(ix, width, fill_mode)]
            if fill_mode == "constant":
                inside = (iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)
                values = np.where(inside[..., None], values, np.asarray(fill_value, values.dtype))
            out = out + (wy * wx)[..., None] * values
    if pixels.dtype.kind != "f":
        out = np.round(out)
    y = Tensor(xp.asarray(np.asarray(out).astype(pixels.dtype)))
    y = _from_channels_last(y, data_format)
    return ops.squeeze(y, 0) if unbatched else y


def affine_matrix(angle, translate_x, translate_y, scale, shear_x, shear_y, height, width, center_x=0.5,
                  center_y=0.5):
    """The ``(batch, 8)`` affine transforms rotating by ``angle`` degrees about the image centre (and
    translating, scaling, shearing), as Keras's image layers compute them. Arguments are ``(batch,)`` arrays."""
    radians = math.pi / 180.0
    angle, shear_x, shear_y = angle * radians, shear_x * radians, shear_y * radians
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    cos, sin = np.cos(angle), np.sin(angle)
    shear_x, shear_y = np.tan(shear_x), np.tan(shear_y)
    a0 = scale * (cos + shear_x * sin)
    a1 = scale * (-sin + shear_x * cos)
    a2 = translate_x + cx - cx * a0 - cy * a1
    b0 = scale * (shear_y * cos + sin)
    b1 = scale * (shear_y * -sin + cos)
    b2 = translate_y + cy - cx * b0 - cy * b1
    zeros = np.zeros_like(a0)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


# ---------------------------------------------------------------------------------------------------------
# The layers
# ---------------------------------------------------------------------------------------------------------


class BaseImagePreprocessingLayer(Layer):
    """Shared by the image layers: ``data_format``, the ``factor`` argument, and ``call`` = draw a random
    transformation (``get_random_transformation``), then apply it (``transform_images``)."""

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, factor=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(f"Layer {type(self).__name__} does not take a `factor` argument. Received: "
                             f"factor={factor}")
        self.built = True

    def _set_factor(self, factor):
        low, high = self._FACTOR_BOUNDS
        error = (f"The `factor` argument should be a number (or a list of two numbers) in the range [{low}, {high}]. "
                 f"Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high or factor[1] < low:
                raise ValueError(error)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)):
            if factor < low or factor > high:
                raise ValueError(error)
            factor = abs(factor)
            lower, upper = max(-factor, low), factor
        else:
            raise ValueError(error)
        self.factor = lower, upper

    def _height_width(self, shape):
        return (shape[-3], shape[-2]) if self.data_format == "channels_last" else (shape[-2], shape[-1])

    def get_random_transformation(self, data, training=True, seed=None):
        return None

    def transform_images(self, images, transformation, training=True):
        images = ops.cast(images, self.dtype)
        return self._transform_images(images, transformation) if training else images

    def call(self, data, training=True):
        data = ops.convert_to_tensor(data)
        if data.ndim not in (3, 4):
            raise ValueError("Expected image tensor to have rank 3 (single image) or 4 (batch of images). "
                             f"Received: data.shape={data.shape}")
        transformation = self.get_random_transformation(data, training=training)
        if data.ndim == 3:
            return ops.squeeze(self.transform_images(ops.expand_dims(data, 0), transformation, training), 0)
        return self.transform_images(data, transformation, training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Resizing(BaseImagePreprocessingLayer):
    """Resizes images to ``(height, width)``, in training and inference alike.

    Args:
        height, width: the output size.
        interpolation: ``'bilinear'`` (default), ``'nearest'`` or ``'bicubic'``.
        crop_to_aspect_ratio: crop the largest centred window with the target's aspect ratio first (no
            distortion).
        pad_to_aspect_ratio: pad evenly with ``fill_value`` to the target's aspect ratio first (no distortion).
        fill_mode: only ``'constant'``. fill_value: the padding value.
        antialias: widen the filter when downscaling, so every input pixel contributes.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Example:
        >>> keras.layers.Resizing(2, 3)(np.ones((4, 8, 8, 3))).shape
        (4, 2, 3, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                 fill_mode="constant", fill_value=0.0, antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if interpolation not in RESIZE_INTERPOLATIONS:
            raise ValueError(f"Invalid value for argument `interpolation`. Expected of one {RESIZE_INTERPOLATIONS}. "
                             f"Received: interpolation={interpolation}")
        if fill_mode != "constant":
            raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is supported. Received: "
                             f"fill_mode={fill_mode}")
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = crop_to_aspect_ratio, pad_to_aspect_ratio
        self.fill_mode, self.fill_value = fill_mode, fill_value
        self.antialias = bool(antialias)

    def transform_images(self, images, transformation=None, training=True):
        return resize(images, (self.height, self.width), self.interpolation, self.antialias,
                      self.crop_to_aspect_ratio, self.pad_to_aspect_ratio, self.fill_value, self.data_format)

    def compute_output_shape(self, input_shape):
        return _with_size(input_shape, self.height, self.width, self.data_format)

    def compute_output_spec(self, inputs):
        dtype = inputs.dtype if inputs.dtype.kind in "iu" else self.dtype  # integer images stay integers
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


def _with_size(shape, height, width, data_format):
    shape = list(shape)
    if len(shape) not in (3, 4):
        raise ValueError("`input_shape` must be a non-nested tuple or list of rank-1 with size 3 (unbatched) or 4 "
                         "(batched).")
    axis = len(shape) - (3 if data_format == "channels_last" else 2)
    shape[axis], shape[axis + 1] = height, width
    return tuple(shape)


class CenterCrop(BaseImagePreprocessingLayer):
    """Crops the central ``(height, width)`` window of images, in training and inference alike.

    When the image is smaller than the target on either side, it is resized instead (after cropping the
    largest centred window with the target's aspect ratio), as Keras does. Outputs are floats.

    Example:
        >>> image = np.arange(16.0).reshape(1, 4, 4, 1)
        >>> keras.layers.CenterCrop(2, 2)(image)[0, :, :, 0].numpy()
        array([[ 5.,  6.],
               [ 9., 10.]], dtype=float32)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = height, width

    def transform_images(self, images, transformation=None, training=True):
        images = ops.cast(images, self.dtype)
        height, width = self._height_width(images.shape)
        h_diff, w_diff = height - self.height, width - self.width
        if h_diff < 0 or w_diff < 0:
            return resize(images, (self.height, self.width), crop_to_aspect_ratio=True, data_format=self.data_format)
        top, left = h_diff // 2, w_diff // 2
        rows, cols = slice(top, top + self.height), slice(left, left + self.width)
        return images[:, rows, cols, :] if self.data_format == "channels_last" else images[:, :, rows, cols]

    def compute_output_shape(self, input_shape):
        return _with_size(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL = "horizontal", "vertical", "horizontal_and_vertical"


class RandomFlip(BaseImagePreprocessingLayer):
    """Flips each image with probability 1/2 while training.

    Args:
        mode: ``'horizontal'`` (left-right), ``'vertical'`` (up-down) or ``'horizontal_and_vertical'`` (both at
            once, with one coin flip per image, as in Keras).
        seed: makes the flips reproducible.

    Example:
        >>> layer = keras.layers.RandomFlip("horizontal", seed=0)
        >>> images = np.arange(8.0).reshape(2, 1, 4, 1)
        >>> layer(images, training=False)[0, 0, :, 0].numpy()
        array([0., 1., 2., 3.], dtype=float32)
        >>> flipped = layer(images)[:, 0, :, 0].numpy()  # training: each row either kept or reversed
        >>> all(list(row) in ([0, 1, 2, 3], [3, 2, 1, 0], [4, 5, 6, 7], [7, 6, 5, 4]) for row in flipped)
        True
    """

    _USE_BASE_FACTOR = False

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument {mode}")
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.mode = mode

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = (data.shape[0], 1, 1, 1) if data.ndim == 4 else (1, 1, 1)
        return {"flips": (seed or self.generator).uniform(shape) <= 0.5, "input_shape": tuple(data.shape)}

    def _transform_images(self, images, transformation):
        if transformation is None:
            return images
        flips = ops.cast(ops.convert_to_tensor(transformation["flips"]), "bool")
        width_axis, height_axis = (-2, -3) if self.data_format == "channels_last" else (-1, -2)
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=width_axis), images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=height_axis), images)
        return images

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


class _RandomAffine(BaseImagePreprocessingLayer):
    """Shared by RandomRotation, RandomZoom and RandomTranslation: the fill and interpolation arguments."""

    _SUPPORTED_FILL_MODE = ("reflect", "wrap", "constant", "nearest")
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def _set_fill(self, fill_mode, interpolation, fill_value, seed):
        if fill_mode not in self._SUPPORTED_FILL_MODE:
            raise ValueError(f"Unknown `fill_mode` {fill_mode}. Expected of one {self._SUPPORTED_FILL_MODE}.")
        if interpolation not in self._SUPPORTED_INTERPOLATION:
            raise ValueError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                      f"{self._SUPPORTED_INTERPOLATION}.")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _affine(self, images, matrix):
        return affine_transform(images, matrix, self.interpolation, self.fill_mode, self.fill_value,
                                self.data_format)

    def _uniform(self, low, high, shape, seed=None):
        return arrays.to_numpy((seed or self.generator).uniform(shape, low, high))

    @staticmethod
    def _factor_pair(factor, name, error, valid):
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(error + f"Received: {name}={factor}")
            for value in factor:
                if not valid(value):
                    raise ValueError(error + f"Received: input_number={value}")
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            if not valid(factor):
                raise ValueError(error + f"Received: input_number={factor}")
            return -abs(factor), abs(factor)
        raise ValueError(error + f"Received: {name}={factor}")

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value}


class RandomRotation(_RandomAffine):
    """Rotates each image by a random angle while training.

    Args:
        factor: a fraction of a full turn: ``0.1`` means angles in ``[-36°, 36°]``; a pair ``(low, high)`` sets
            the range. Positive angles rotate counter-clockwise.
        fill_mode: ``'reflect'`` (default), ``'wrap'``, ``'constant'`` or ``'nearest'``, for points outside
            the image.
        interpolation: ``'bilinear'`` (default) or ``'nearest'``.
        seed: makes the angles reproducible. fill_value: the value of ``'constant'`` fill.

    Example:
        >>> layer = keras.layers.RandomRotation(0.25, seed=0)
        >>> images = np.random.default_rng(0).random((2, 5, 5, 3))
        >>> bool(np.allclose(layer(images, training=False).numpy(), images.astype("float32")))
        True
        >>> layer(images).shape
        (2, 5, 5, 3)
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self._set_fill(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        batch_size = data.shape[0] if data.ndim == 4 else 1
        height, width = self._height_width(data.shape)
        angle = self._uniform(self.factor[0] * 360.0, self.factor[1] * 360.0, (batch_size,), seed)
        ones, zeros = np.ones(batch_size, angle.dtype), np.zeros(batch_size, angle.dtype)
        matrix = affine_matrix(angle, zeros, zeros, ones, zeros, zeros, height, width).astype(angle.dtype)
        if data.ndim == 3:
            matrix = matrix[0]
        return {"angle": angle, "rotation_matrix": matrix, "image_height": height, "image_width": width,
                "batch_size": batch_size}

    def _transform_images(self, images, transformation):
        return images if transformation is None else self._affine(images, transformation["rotation_matrix"])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_RandomAffine):
    """Zooms each image in or out by a random factor while training.

    Args:
        height_factor: a fraction of the height: ``0.2`` zooms by a random amount in ``[-20%, +20%]``;
            ``(-0.3, -0.2)`` zooms *in* by 20-30%. Positive values zoom out.
        width_factor: the same for the width; ``None`` (default) zooms both sides by the same amount.
        fill_mode, interpolation, seed, fill_value: as in :class:`RandomRotation`.

    Example:
        >>> keras.layers.RandomZoom(0.2, seed=0)(np.ones((2, 8, 8, 3))).shape
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = ("The `height_factor` and `width_factor` arguments should be a number (or a list of "
                                "two numbers) in the range (-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        valid = lambda x: -1.0 < x <= 1.0  # noqa: E731
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._factor_pair(height_factor, "height_factor",
                                                                 self._FACTOR_VALIDATION_ERROR, valid)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = self._factor_pair(width_factor, "width_factor",
                                                                   self._FACTOR_VALIDATION_ERROR, valid)
        self._set_fill(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = (data.shape[0] if data.ndim == 4 else 1, 1)
        height_zoom = self._uniform(1.0 + self.height_lower, 1.0 + self.height_upper, shape, seed)
        width_zoom = height_zoom
        if self.width_factor is not None:
            width_zoom = self._uniform(1.0 + self.width_lower, 1.0 + self.width_upper, shape, seed)
        return {"height_zoom": height_zoom, "width_zoom": width_zoom, "input_shape": tuple(data.shape)}

    def _transform_images(self, images, transformation):
        if transformation is None:
            return images
        zoom_x = np.asarray(ops.convert_to_numpy(transformation["width_zoom"]), "float32")[:, 0]
        zoom_y = np.asarray(ops.convert_to_numpy(transformation["height_zoom"]), "float32")[:, 0]
        height, width = self._height_width(images.shape)
        # Scale about the image centre: output (x, y) reads input (zoom_x x + offset_x, zoom_y y + offset_y).
        offset_x = (np.float32(width) - 1.0) / 2.0 * (1.0 - zoom_x)
        offset_y = (np.float32(height) - 1.0) / 2.0 * (1.0 - zoom_y)
        zeros = np.zeros_like(zoom_x)
        matrix = np.stack([zoom_x, zeros, offset_x, zeros, zoom_y, offset_y, zeros, zeros], axis=1)
        return self._affine(images, matrix)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomTranslation(_RandomAffine):
    """Shifts each image by a random offset while training.

    Args:
        height_factor: a fraction of the height: ``0.2`` shifts up or down by up to 20%; ``(-0.2, 0.3)``
            shifts by between 20% up and 30% down.
        width_factor: the same for the width (negative values shift left).
        fill_mode, interpolation, seed, fill_value: as in :class:`RandomRotation`.

    Example:
        >>> keras.layers.RandomTranslation(0.1, 0.1, seed=0)(np.ones((2, 8, 8, 3))).shape
        (2, 8, 8, 3)
    """

    _USE_BASE_FACTOR = False
    _FACTOR_VALIDATION_ERROR = ("The `factor` argument should be a number (or a list of two numbers) in the range "
                                "[-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        valid = lambda x: -1.0 <= x <= 1.0  # noqa: E731
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._factor_pair(height_factor, "height_factor",
                                                                 self._FACTOR_VALIDATION_ERROR, valid)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = self._factor_pair(width_factor, "width_factor",
                                                               self._FACTOR_VALIDATION_ERROR, valid)
        self._set_fill(fill_mode, interpolation, fill_value, seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        batch_size = data.shape[0] if data.ndim == 4 else 1
        height, width = self._height_width(data.shape)
        dy = self._uniform(self.height_lower, self.height_upper, (batch_size, 1), seed) * height
        dx = self._uniform(self.width_lower, self.width_upper, (batch_size, 1), seed) * width
        return {"translations": np.concatenate([dx, dy], axis=1).astype("float32"), "input_shape": tuple(data.shape)}

    def _transform_images(self, images, transformation):
        if transformation is None:
            return images
        dx, dy = np.asarray(ops.convert_to_numpy(transformation["translations"]), "float32").T
        ones, zeros = np.ones_like(dx), np.zeros_like(dx)
        matrix = np.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)  # output (x, y) reads
        return self._affine(images, matrix)  # input (x - dx, y - dy)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomContrast(BaseImagePreprocessingLayer):
    """Scales each image's deviation from its mean (per channel) by a random factor while training:
    ``(x - mean) * factor + mean``, clipped to ``value_range``.

    Args:
        factor: the factor is drawn from ``[1 - lower, 1 + upper]``. A pair gives ``(lower, upper)``; a single
            number ``f`` gives ``(0, f)`` — contrast is then only ever *increased*, exactly as Keras 3 does.
        value_range: the range of the pixel values, ``(0, 255)`` by default.
        seed: makes the factors reproducible.

    Example:
        >>> layer = keras.layers.RandomContrast((0.5, 0.5), value_range=(0, 1), seed=0)
        >>> layer(np.full((1, 2, 2, 1), 0.5)).numpy().ravel()  # a flat image keeps its values
        array([0.5, 0.5, 0.5, 0.5], dtype=float32)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        shape = (data.shape[0], 1, 1, 1) if data.ndim == 4 else (1, 1, 1)
        if not training:
            return {"contrast_factor": np.zeros(shape, "float32")}
        factor = (seed or self.generator).uniform(shape, 1.0 - self.factor[0], 1.0 + self.factor[1], dtype=self.dtype)
        return {"contrast_factor": factor}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        height_axis, width_axis = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        mean = ops.mean(ops.mean(images, axis=height_axis, keepdims=True), axis=width_axis, keepdims=True)
        outputs = (images - mean) * ops.convert_to_tensor(transformation["contrast_factor"]) + mean
        return ops.clip(outputs, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}
