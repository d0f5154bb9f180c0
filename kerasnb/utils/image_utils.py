"""Image files and arrays: ``load_img``, ``save_img``, ``img_to_array``, ``array_to_img``.

As in Keras, images are Pillow (PIL) images when Pillow is installed. Pillow is a compiled package, so kerasnb
does not require it: without it these functions still read and write PNG files, with kerasnb's own small PNG
codec (:mod:`kerasnb.utils.png`), and hand out :class:`Image` objects, a minimal stand-in for ``PIL.Image.Image``
(``size``, ``mode``, ``convert``, ``resize``, ``save``, and ``np.asarray(img)``). Other file formats (JPEG,
GIF, BMP, ...) need Pillow: ``pip install pillow``.

Example:
    >>> import io
    >>> pixels = np.zeros((2, 3, 3), dtype="float32"); pixels[0, 0] = 1.0
    >>> buffer = io.BytesIO()
    >>> keras.utils.save_img(buffer, pixels, file_format="png")
    >>> img = keras.utils.load_img(io.BytesIO(buffer.getvalue()))
    >>> img.size, img.mode  # size is (width, height), as in Pillow
    ((3, 2), 'RGB')
    >>> keras.utils.img_to_array(img)[0, :2]
    array([[255., 255., 255.],
           [  0.,   0.,   0.]], dtype=float32)
"""

import io
import os
import pathlib
import warnings

import numpy as np

from kerasnb import config
from kerasnb.utils import png

# Pillow's resampling filter numbers (``PIL.Image.Resampling``), so code written for Pillow works on Image.
NEAREST, BILINEAR, BICUBIC = 0, 2, 3
_INTERPOLATIONS = {"nearest": NEAREST, "bilinear": BILINEAR, "bicubic": BICUBIC}
_PIL_ONLY_INTERPOLATIONS = ("hamming", "box", "lanczos")
_MODES = ("L", "LA", "RGB", "RGBA", "I", "I;16")


def pil_image():
    """The ``PIL.Image`` module, or ``None`` when Pillow is not installed.

    Imported on first use rather than with kerasnb, which keeps ``import kerasnb`` fast; the import is looked
    up again on every call, so installing Pillow mid-session (or hiding it in a test) takes effect at once.
    """
    try:
        from PIL import Image as pil
    except ImportError:
        return None
    return pil


def _needs_pillow(what):
    return ImportError(f"{what} needs Pillow, which is not installed: `pip install pillow` (in JupyterLite: "
                       "`%pip install pillow`). Without Pillow, kerasnb reads and writes PNG files only.")


# ---------------------------------------------------------------------------------------------------------
# Image: the stand-in for PIL.Image.Image
# ---------------------------------------------------------------------------------------------------------


def _luminance(rgb):
    """Greyscale from RGB with Pillow's integer ITU-R 601-2 weights (``L = 0.299 R + 0.587 G + 0.114 B``)."""
    rgb = rgb.astype(np.uint32)
    return ((rgb[..., 0] * 19595 + rgb[..., 1] * 38470 + rgb[..., 2] * 7471 + 0x8000) >> 16).astype(np.uint8)


def _filter_weights(in_size, out_size, start, end, resample):
    """Pillow's ``(out_size, in_size)`` resampling matrix for the source span ``[start, end)``.

    Output pixel ``i`` is centred at source position ``start + (i + 0.5) * scale``. When shrinking, the filter
    is stretched by ``scale`` so that every source pixel counts (antialiasing); taps may reach outside the span
    (but not the image), as in Pillow.
    """
    scale = (end - start) / out_size
    weights = np.zeros((out_size, in_size))
    centers = start + (np.arange(out_size) + 0.5) * scale
    if resample == NEAREST:
        weights[np.arange(out_size), np.clip(np.floor(centers).astype(int), 0, in_size - 1)] = 1.0
        return weights
    stretch = max(scale, 1.0)
    support = (1.0 if resample == BILINEAR else 2.0) * stretch
    for i, center in enumerate(centers):
        taps = np.arange(max(int(center - support + 0.5), 0), min(int(center + support + 0.5), in_size))
        x = np.abs((taps - center + 0.5) * (1.0 / stretch))
        if resample == BILINEAR:
            w = np.maximum(1.0 - x, 0.0)
        else:  # bicubic, a = -0.5
            w = np.where(x < 1, (1.5 * x - 2.5) * x * x + 1, np.where(x < 2, ((-0.5 * x + 2.5) * x - 4) * x + 2, 0))
        if w.sum():
            weights[i, taps] = w / w.sum()
    return weights


def _premultiply(pixels):
    """Colour channels times alpha / 255 (rounded as Pillow rounds), alpha kept: RGBA to Pillow's "RGBa"."""
    product = pixels[..., :-1].astype(np.uint32) * pixels[..., -1:] + 128
    return np.concatenate([((product + (product >> 8)) >> 8).astype(np.uint8), pixels[..., -1:]], axis=-1)


def _unpremultiply(pixels):
    """Undo :func:`_premultiply` (Pillow leaves colours as they are where alpha is 0 or 255)."""
    colour, alpha = pixels[..., :-1].astype(np.uint32), pixels[..., -1:].astype(np.uint32)
    divided = np.minimum(255 * colour // np.maximum(alpha, 1), 255)
    colour = np.where((alpha == 0) | (alpha == 255), colour, divided)
    return np.concatenate([colour.astype(np.uint8), pixels[..., -1:]], axis=-1)


class Image:
    """A decoded image, standing in for ``PIL.Image.Image`` when Pillow is not installed.

    It holds the pixels (a NumPy array, ``(height, width)`` for one channel, else ``(height, width, channels)``)
    and a Pillow mode name: ``"L"`` (8-bit greyscale), ``"LA"``, ``"RGB"``, ``"RGBA"``, ``"I"`` (32-bit integer
    greyscale) or ``"I;16"`` (16-bit greyscale). ``np.asarray(img)`` gives the pixels, as for a Pillow image.

    Example:
        >>> from kerasnb.utils.image_utils import Image
        >>> img = Image(np.array([[[255, 0, 0], [0, 0, 255]]], dtype="uint8"), "RGB")
        >>> img.size, img.mode
        ((2, 1), 'RGB')
        >>> np.asarray(img.convert("L")).tolist()
        [[76, 29]]
        >>> np.asarray(img.resize((4, 1))).shape
        (1, 4, 3)
    """

    def __init__(self, pixels, mode):
        if mode not in _MODES:
            raise ValueError(f"Image supports the modes {_MODES}. Received: mode={mode!r}")
        self._pixels = np.asarray(pixels)
        self.mode = mode
        self.format = None
        self.info = {}

    @property
    def size(self):
        """``(width, height)``, in Pillow's order."""
        return self._pixels.shape[1], self._pixels.shape[0]

    @property
    def width(self):
        return self._pixels.shape[1]

    @property
    def height(self):
        return self._pixels.shape[0]

    def __array__(self, dtype=None, copy=None):
        return np.array(self._pixels, dtype=dtype)

    def __repr__(self):
        return f"<kerasnb.utils.image_utils.Image mode={self.mode} size={self.width}x{self.height}>"

    def copy(self):
        return Image(self._pixels.copy(), self.mode)

    def convert(self, mode):
        """This image in another mode (``"L"``, ``"LA"``, ``"RGB"`` or ``"RGBA"``), with Pillow's rules:
        greyscale from colour by luminance, a missing alpha channel is opaque (255), 16/32-bit greyscale is
        clipped to 0-255."""
        if mode == self.mode:
            return self.copy()
        if mode not in ("L", "LA", "RGB", "RGBA"):
            raise ValueError(f"Image.convert supports the modes 'L', 'LA', 'RGB' and 'RGBA' (Pillow converts to "
                             f"more: `pip install pillow`). Received: mode={mode!r}")
        pixels = self._pixels
        if self.mode in ("I", "I;16"):
            pixels = np.clip(pixels, 0, 255).astype(np.uint8)
        alpha = pixels[..., -1] if self.mode in ("LA", "RGBA") else np.full(pixels.shape[:2], 255, np.uint8)
        if self.mode in ("RGB", "RGBA"):
            rgb = pixels[..., :3]
            gray = _luminance(rgb)
        else:
            gray = pixels[..., 0] if self.mode == "LA" else pixels
            rgb = np.repeat(gray[..., None], 3, axis=-1)
        converted = {"L": gray, "LA": np.stack([gray, alpha], axis=-1), "RGB": rgb,
                     "RGBA": np.concatenate([rgb, alpha[..., None]], axis=-1)}[mode]
        return Image(np.ascontiguousarray(converted), mode)

    def resize(self, size, resample=BICUBIC, box=None):
        """This image resized to ``size = (width, height)``, as Pillow resizes.

        ``resample`` is ``NEAREST`` (0), ``BILINEAR`` (2) or ``BICUBIC`` (3, Pillow's default), or their names.
        ``box = (left, upper, right, lower)`` resizes that region of the image only. Shrinking filters every
        source pixel (antialiasing). Resizing one axis matches Pillow exactly. When both change, the columns are
        resized first and rounded, then the rows, as Pillow up to version 12 does; Pillow 13 sometimes resizes
        the rows first, so a value can differ by one.
        """
        resample = _INTERPOLATIONS.get(resample, resample)
        if resample not in (NEAREST, BILINEAR, BICUBIC):
            raise ValueError("Image.resize supports NEAREST (0), BILINEAR (2) and BICUBIC (3) resampling (Pillow "
                             f"has more: `pip install pillow`). Received: resample={resample!r}")
        width, height = int(size[0]), int(size[1])
        if width < 1 or height < 1:
            raise ValueError(f"`size` must be a (width, height) pair of positive integers. Received: size={size}")
        left, upper, right, lower = (0, 0) + self.size if box is None else box
        pixels = self._pixels
        dtype, limits = pixels.dtype, np.iinfo(pixels.dtype) if pixels.dtype.kind in "iu" else None

        def pass_along(pixels, axis, in_size, out_size, start, end):
            weights = _filter_weights(in_size, out_size, start, end, resample)
            moved = np.moveaxis(pixels, axis, 0)
            if dtype == np.uint8:
                # Pillow filters 8-bit images in fixed point, weights in units of 2**-22: the same arithmetic
                # gives the same rounding, so the results match Pillow's exactly.
                weights = np.trunc(weights * (1 << 22) + np.where(weights < 0, -0.5, 0.5)).astype(np.int64)
                out = (np.tensordot(weights, moved.astype(np.int64), axes=(1, 0)) + (1 << 21)) >> 22
            else:
                out = np.tensordot(weights, moved.astype(np.float64), axes=(1, 0))
            out = np.moveaxis(out, 0, axis)
            if limits is not None:
                out = np.clip(np.floor(out + 0.5), limits.min, limits.max)
            return out.astype(dtype)

        # As Pillow does, colours are weighted by their alpha while filtering, so that the colour of transparent
        # pixels does not bleed into their visible neighbours.
        premultiply = self.mode in ("LA", "RGBA") and resample != NEAREST
        if premultiply:
            pixels = _premultiply(pixels)
        if (width, left, right) != (self.width, 0, self.width):
            pixels = pass_along(pixels, 1, self.width, width, left, right)
        if (height, upper, lower) != (self.height, 0, self.height):
            pixels = pass_along(pixels, 0, self.height, height, upper, lower)
        return Image(_unpremultiply(pixels) if premultiply else pixels, self.mode)

    def save(self, fp, format=None, **params):
        """Write the image to ``fp`` (a path or a binary file object) as PNG, the one format kerasnb writes
        without Pillow. ``format`` defaults to the file name's extension; ``compress_level`` (0-9) is used,
        other Pillow options are ignored."""
        name = os.fspath(fp) if isinstance(fp, (str, bytes, os.PathLike)) else getattr(fp, "name", "")
        name = os.fsdecode(name) if isinstance(name, (str, bytes)) else ""
        file_format = (format or os.path.splitext(name)[1].lstrip(".")).lower()
        if not file_format:
            raise ValueError(f"Cannot tell the file format of {fp!r}: pass `format='png'` (or `file_format` to "
                             "save_img).")
        if file_format != "png":
            raise _needs_pillow(f"Saving a {file_format.upper()} image")
        pixels = self._pixels
        if self.mode in ("I", "I;16"):
            pixels = np.clip(pixels, 0, 65535).astype(np.uint16)  # 16-bit greyscale PNG, as Pillow saves them
        data = png.write_png(pixels, compress_level=params.get("compress_level", 6))
        if isinstance(fp, (str, bytes, os.PathLike)):
            with open(fp, "wb") as f:
                f.write(data)
        else:
            fp.write(data)


def _open(data):
    """An image from the bytes of a file: a Pillow image if Pillow is installed, else (PNG only) an Image."""
    pil = pil_image()
    if pil is not None:
        return pil.open(io.BytesIO(data))
    if not png.is_png(data):
        raise _needs_pillow("Reading an image that is not a PNG file")
    pixels, mode = png.read_png(data)
    img = Image(pixels, mode)
    img.format = "PNG"
    return img


# ---------------------------------------------------------------------------------------------------------
# The Keras functions
# ---------------------------------------------------------------------------------------------------------


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Turn a 3-D array (one image) into an image: a Pillow image, or an :class:`Image` without Pillow.

    With ``scale=True`` (the default) values are stretched so the minimum becomes 0 and the maximum 255;
    otherwise they are taken as they are (and should already lie in 0-255). 3 channels give an ``"RGB"``
    image, 4 ``"RGBA"`` and 1 ``"L"`` (or 32-bit ``"I"`` when values exceed 255). ``data_format`` says where
    the channels are (default ``keras.config.image_data_format()``); ``dtype`` (default ``floatx``) is the
    dtype the array is read as before scaling.

    Example:
        >>> img = keras.utils.array_to_img(np.array([[[0.0], [0.5], [1.0]]]))
        >>> img.mode, img.size
        ('L', (3, 1))
        >>> np.asarray(img).tolist()
        [[0, 127, 255]]
    """
    data_format = config.standardize_data_format(data_format)
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(f"array_to_img expects one image, an array of rank 3. Received an array of shape {x.shape}:"
                         " index a batch (`x[0]`) or add a channel axis (`x[..., None]`).")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels not in (1, 3, 4):
        raise ValueError(f"array_to_img supports 1, 3 or 4 channels. Received {channels} channels (shape "
                         f"{x.shape}, data_format={data_format!r}).")
    if channels == 1:
        # Values above 255 cannot be 8-bit: keep them as a 32-bit integer greyscale image (mode "I").
        pixels, mode = (x[..., 0].astype("int32"), "I") if np.max(x) > 255 else (x[..., 0].astype("uint8"), "L")
    else:
        pixels, mode = x.astype("uint8"), "RGB" if channels == 3 else "RGBA"
    pil = pil_image()
    if pil is not None:
        return pil.fromarray(pixels)  # the dtype and shape give Pillow the same mode
    return Image(pixels, mode)


def img_to_array(img, data_format=None, dtype=None):
    """Turn an image (Pillow's or :class:`Image`) into a 3-D NumPy array of ``dtype`` (default ``floatx``).

    A single-channel image gets a channel axis: ``(height, width, 1)``, or ``(1, height, width)`` with
    ``data_format='channels_first'``.

    Example:
        >>> img = keras.utils.array_to_img(np.ones((2, 4, 3)), scale=False)
        >>> keras.utils.img_to_array(img).shape
        (2, 4, 3)
        >>> keras.utils.img_to_array(img, data_format="channels_first", dtype="uint8").shape
        (3, 2, 4)
    """
    data_format = config.standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[..., None]
    raise ValueError(f"img_to_array expects an image of 2 or 3 dimensions. Received shape {x.shape}.")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save an image array (see :func:`array_to_img`) to ``path``, a file name or a binary file object.

    ``file_format`` defaults to the file name's extension (so it is needed for a file object). Without Pillow
    only PNG can be written. ``kwargs`` go to the image's ``save`` (e.g. ``quality`` for JPEG with Pillow).
    An RGBA image saved as JPEG loses its alpha channel, with a warning.

    Example:
        >>> import io
        >>> buffer = io.BytesIO()
        >>> keras.utils.save_img(buffer, np.zeros((4, 4, 3)), file_format="png")
        >>> buffer.getvalue()[:4]
        b'\\x89PNG'
    """
    data_format = config.standardize_data_format(data_format)
    if file_format is not None and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format is not None and file_format.lower() == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """Read an image file: a Pillow image, or an :class:`Image` (PNG only) without Pillow.

    Args:
        path: a file name (``str``, ``bytes``, ``pathlib.Path``) or an ``io.BytesIO`` holding the file.
        color_mode: ``"rgb"`` (default), ``"rgba"`` or ``"grayscale"``: the image is converted to it (16 and
            32-bit greyscale images stay as they are under ``"grayscale"``).
        target_size: ``None`` (keep the size) or ``(height, width)`` to resize to.
        interpolation: how to resize: ``"nearest"`` (default), ``"bilinear"`` or ``"bicubic"``; with Pillow also
            ``"hamming"``, ``"box"`` and ``"lanczos"``.
        keep_aspect_ratio: resize the largest centred crop that has the target's aspect ratio, instead of
            stretching the whole image.

    Example:
        >>> import io
        >>> buffer = io.BytesIO()
        >>> keras.utils.save_img(buffer, np.random.random((6, 9, 3)), file_format="png")
        >>> img = keras.utils.load_img(buffer, color_mode="grayscale", target_size=(3, 3), keep_aspect_ratio=True)
        >>> img.mode, img.size
        ('L', (3, 3))
    """
    if isinstance(path, io.BytesIO):
        data = path.getvalue()
    elif isinstance(path, (str, bytes, pathlib.Path)):
        with open(path, "rb") as f:
            data = f.read()
    else:
        raise TypeError(f"`path` should be a file name (str, bytes or pathlib.Path) or an io.BytesIO. "
                        f"Received: path={path!r} of type {type(path).__name__}")
    img = _open(data)

    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):  # 16 and 32-bit greyscale keep their precision
            img = img.convert("L")
    elif color_mode in ("rgb", "rgba"):
        if img.mode != color_mode.upper():
            img = img.convert(color_mode.upper())
    else:
        raise ValueError(f'`color_mode` must be "grayscale", "rgb" or "rgba". Received: color_mode={color_mode!r}')

    if target_size is None:
        return img
    width_height = (int(target_size[1]), int(target_size[0]))
    if img.size == width_height:
        return img
    pil = pil_image()
    if pil is not None:
        names = (*_INTERPOLATIONS, *_PIL_ONLY_INTERPOLATIONS)
        methods = {name: getattr(pil.Resampling, name.upper()) for name in names}
    else:
        if interpolation in _PIL_ONLY_INTERPOLATIONS:
            raise _needs_pillow(f"interpolation={interpolation!r}")
        methods = _INTERPOLATIONS
    if interpolation not in methods:
        raise ValueError(f"Invalid interpolation method {interpolation!r}. Supported methods are "
                         f"{', '.join(methods)}.")
    if not keep_aspect_ratio:
        return img.resize(width_height, methods[interpolation])
    width, height = img.size
    target_width, target_height = width_height
    # The largest centred box with the target's aspect ratio.
    crop_height = min(height, (width * target_height) // target_width)
    crop_width = min(width, (height * target_width) // target_height)
    left, upper = (width - crop_width) // 2, (height - crop_height) // 2
    box = (left, upper, left + crop_width, upper + crop_height)
    return img.resize(width_height, methods[interpolation], box=box)
