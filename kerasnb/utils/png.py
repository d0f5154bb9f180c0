"""A small PNG reader and writer on ``zlib`` and NumPy, for when Pillow is not installed (as in a bare Pyodide).

A PNG file is an 8-byte signature and then *chunks* (length, 4-letter type, data, CRC). ``IHDR`` gives the size
and pixel format, ``PLTE`` a palette, ``tRNS`` transparency, and the ``IDAT`` chunks together hold the zlib-
compressed pixel rows. Every row starts with a *filter* byte (0-4): the row was stored as its difference from
a prediction made from the pixel to the left, the one above, or both, which makes it compress better. Decoding
undoes the filter row by row, top to bottom, since each row's prediction needs the row above already decoded.

``read_png`` handles every non-interlaced PNG: greyscale (1, 2, 4, 8, 16 bits), greyscale + alpha, RGB and RGBA
(8 or 16 bits) and palette images (1, 2, 4, 8 bits). It returns pixels in one of the Pillow modes ``"L"``,
``"LA"``, ``"RGB"``, ``"RGBA"`` or ``"I;16"`` (16-bit greyscale), with the values Pillow loads: low bit depths
are stretched to 0-255 and 16-bit colour keeps the high byte. Two things are simplified, giving the same pixels
once converted to ``"L"``, ``"RGB"`` or ``"RGBA"``: a palette image comes out as its colours (``"RGB"``, where
Pillow keeps mode ``"P"``), and a ``tRNS`` transparency becomes an alpha channel (where Pillow keeps it aside in
``img.info``). ``write_png`` writes 8-bit ``L``/``LA``/``RGB``/``RGBA`` and 16-bit greyscale.

Example:
    >>> from kerasnb.utils import png
    >>> pixels = np.array([[0, 128], [255, 7]], dtype="uint8")
    >>> data = png.write_png(pixels)
    >>> data[:8] == png.SIGNATURE
    True
    >>> decoded, mode = png.read_png(data)
    >>> mode, decoded.tolist()
    ('L', [[0, 128], [255, 7]])
"""

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"

# colour type -> (samples per pixel, allowed bit depths)
_COLOR_TYPES = {
    0: (1, (1, 2, 4, 8, 16)),  # greyscale
    2: (3, (8, 16)),  # RGB
    3: (1, (1, 2, 4, 8)),  # palette indices
    4: (2, (8, 16)),  # greyscale + alpha
    6: (4, (8, 16)),  # RGBA
}


def is_png(data):
    """Whether the bytes ``data`` start like a PNG file.

    Example:
        >>> from kerasnb.utils import png
        >>> png.is_png(b"\\x89PNG\\r\\n\\x1a\\n..."), png.is_png(b"GIF89a")
        (True, False)
    """
    return bytes(data[:8]) == SIGNATURE


def _chunks(data):
    """Yield ``(type, payload)`` for each chunk, checking each CRC, up to ``IEND``."""
    position = len(SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        payload, crc = data[position + 8:end - 4], data[end - 4:end]
        if end > len(data) or struct.pack(">I", zlib.crc32(kind + payload)) != crc:
            raise ValueError(f"Corrupt PNG: the {kind.decode('latin-1')!r} chunk at byte {position} is truncated "
                             "or fails its CRC check.")
        yield kind, payload
        if kind == b"IEND":
            return
        position = end
    raise ValueError("Corrupt PNG: the file ends before its IEND chunk.")


def _paeth(left, up, up_left):
    """The Paeth predictor: whichever of the three neighbours is closest to ``left + up - up_left``."""
    estimate = left + up - up_left
    to_left, to_up, to_up_left = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
    if to_left <= to_up and to_left <= to_up_left:
        return left
    return up if to_up <= to_up_left else up_left


def _unfilter_row(kind, line, prior, bpp):
    """Undo one row's filter. ``line`` is the stored row, ``prior`` the decoded row above (zeros for the first);
    ``bpp`` is how many bytes back "the pixel to the left" is. Returns the decoded row (uint8)."""
    if kind == 0:  # None
        return line
    if kind == 2:  # Up: uint8 arithmetic wraps around modulo 256, as the format wants
        return line + prior
    if kind == 1:  # Sub: a running sum over the pixels of the row, per byte of the pixel
        return np.cumsum(line.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
    if kind not in (3, 4):
        raise ValueError(f"Corrupt PNG: unknown filter type {kind} (expected 0-4).")
    # Average and Paeth predict from the already-decoded byte to the left, so they go one byte at a time.
    row, up = bytearray(line.tobytes()), prior.tobytes()
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        if kind == 3:  # Average of left and up
            predicted = (left + up[i]) >> 1
        else:
            predicted = _paeth(left, up[i], up[i - bpp] if i >= bpp else 0)
        row[i] = (row[i] + predicted) & 0xFF
    return np.frombuffer(bytes(row), dtype=np.uint8)


def _unfilter(raw, height, row_bytes, bpp):
    """All rows of the decompressed image data, unfiltered: a uint8 array ``(height, row_bytes)``."""
    needed = height * (row_bytes + 1)
    if len(raw) < needed:
        raise ValueError(f"Corrupt PNG: the image data holds {len(raw)} bytes, {needed} expected.")
    stored = np.frombuffer(raw, dtype=np.uint8, count=needed).reshape(height, row_bytes + 1)
    rows = np.empty((height, row_bytes), dtype=np.uint8)
    prior = np.zeros(row_bytes, dtype=np.uint8)
    for y in range(height):
        prior = rows[y] = _unfilter_row(int(stored[y, 0]), stored[y, 1:], prior, bpp)
    return rows


def _samples(rows, width, samples_per_pixel, bit_depth):
    """Split the unfiltered rows into samples: ``(height, width, samples_per_pixel)``, uint8 or uint16."""
    height = rows.shape[0]
    if bit_depth == 8:
        return rows.reshape(height, width, samples_per_pixel)
    if bit_depth == 16:  # big-endian pairs of bytes
        return rows.view(">u2").astype(np.uint16).reshape(height, width, samples_per_pixel)
    # 1, 2 or 4 bits: several samples per byte, the first in the highest bits
    bits = np.unpackbits(rows, axis=1)[:, :width * bit_depth].reshape(height, width, bit_depth)
    place_values = 1 << np.arange(bit_depth - 1, -1, -1)
    return (bits @ place_values).astype(np.uint8).reshape(height, width, 1)


def read_png(data):
    """Decode the bytes of a PNG file: ``(pixels, mode)``.

    ``mode`` is ``"L"`` (pixels ``(height, width)`` uint8), ``"LA"``, ``"RGB"``, ``"RGBA"`` (pixels ``(height,
    width, channels)`` uint8) or ``"I;16"`` (16-bit greyscale, ``(height, width)`` uint16). Interlaced PNGs are
    not supported (install Pillow to read them).

    Example:
        >>> from kerasnb.utils import png
        >>> rgb = np.zeros((1, 2, 3), dtype="uint8"); rgb[0, 1] = (255, 128, 0)
        >>> pixels, mode = png.read_png(png.write_png(rgb))
        >>> mode, pixels.shape, pixels[0, 1].tolist()
        ('RGB', (1, 2, 3), [255, 128, 0])
    """
    data = bytes(data)
    if not is_png(data):
        raise ValueError("Not a PNG file: it does not start with the PNG signature.")
    header, palette, transparency, compressed = None, None, None, []
    for kind, payload in _chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", payload[:13])
        elif kind == b"PLTE":
            palette = np.frombuffer(payload, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            transparency = payload
        elif kind == b"IDAT":
            compressed.append(payload)
    if header is None:
        raise ValueError("Corrupt PNG: no IHDR chunk.")
    width, height, bit_depth, color_type, _, _, interlace = header
    if color_type not in _COLOR_TYPES or bit_depth not in _COLOR_TYPES[color_type][1]:
        raise ValueError(f"Corrupt PNG: colour type {color_type} with bit depth {bit_depth} is not a valid format.")
    if interlace:
        raise ValueError("This PNG is interlaced (Adam7), which kerasnb's built-in PNG reader does not decode. "
                         "Install Pillow (`pip install pillow`) to read it, or re-save the image without interlacing.")
    if color_type == 3 and palette is None:
        raise ValueError("Corrupt PNG: a palette image without a PLTE chunk.")

    samples_per_pixel = _COLOR_TYPES[color_type][0]
    bits_per_pixel = samples_per_pixel * bit_depth
    row_bytes = (width * bits_per_pixel + 7) // 8
    rows = _unfilter(zlib.decompress(b"".join(compressed)), height, row_bytes, max(1, bits_per_pixel // 8))
    samples = _samples(rows, width, samples_per_pixel, bit_depth)

    if color_type == 3:
        indices = samples[..., 0]
        if indices.max(initial=0) >= len(palette):
            raise ValueError("Corrupt PNG: a pixel refers to a colour beyond the end of the palette.")
        if transparency is None:
            return palette[indices], "RGB"
        alpha = np.full(len(palette), 255, dtype=np.uint8)  # tRNS may list fewer entries than the palette
        alpha[:len(transparency)] = np.frombuffer(transparency[:len(palette)], dtype=np.uint8)
        return np.concatenate([palette, alpha[:, None]], axis=1)[indices], "RGBA"
    if color_type == 0 and bit_depth == 16:
        return samples[..., 0], "I;16"
    if bit_depth == 16:  # 16-bit colour: Pillow keeps the high byte
        samples = (samples >> 8).astype(np.uint8)
    elif bit_depth < 8:  # 1, 2 or 4-bit greyscale, stretched to 0-255
        samples = samples * np.uint8(255 // (2 ** bit_depth - 1))
    if transparency is not None and color_type in (0, 2):
        # tRNS names one colour (16-bit samples, scaled like the pixels) that is fully transparent.
        key = np.array(struct.unpack(f">{samples_per_pixel}H", transparency[:2 * samples_per_pixel]))
        key = key >> 8 if bit_depth == 16 else key * (255 // (2 ** bit_depth - 1))
        alpha = np.where(np.all(samples == key, axis=-1), 0, 255).astype(np.uint8)
        samples = np.concatenate([samples, alpha[..., None]], axis=-1)
        return samples, "LA" if color_type == 0 else "RGBA"
    if color_type == 4 and bit_depth == 16:  # Pillow loads 16-bit greyscale + alpha as RGBA
        return np.concatenate([np.repeat(samples[..., :1], 3, axis=-1), samples[..., 1:]], axis=-1), "RGBA"
    mode = {0: "L", 2: "RGB", 4: "LA", 6: "RGBA"}[color_type]
    return (samples[..., 0] if mode == "L" else samples), mode


def _chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def write_png(pixels, compress_level=6):
    """Encode an image as PNG bytes.

    ``pixels`` is uint8 ``(height, width)`` or ``(height, width, 1)`` (greyscale), ``(height, width, 2)``
    (greyscale + alpha), ``(height, width, 3)`` (RGB) or ``(height, width, 4)`` (RGBA), or a uint16 greyscale
    image (written with 16 bits).

    Example:
        >>> from kerasnb.utils import png
        >>> len(png.write_png(np.zeros((4, 4, 3), dtype="uint8"))) > 8
        True
    """
    pixels = np.asarray(pixels)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim == 2:
        channels = 1
    elif pixels.ndim == 3 and pixels.shape[2] in (2, 3, 4):
        channels = pixels.shape[2]
    else:
        raise ValueError(f"write_png expects pixels of shape (height, width) or (height, width, 1-4). "
                         f"Received shape {pixels.shape}.")
    if pixels.dtype == np.uint16 and channels == 1:
        bit_depth, stored = 16, pixels.astype(">u2")
    elif pixels.dtype == np.uint8:
        bit_depth, stored = 8, pixels
    else:
        raise ValueError(f"write_png expects uint8 pixels (or uint16 greyscale). Received dtype {pixels.dtype}: "
                         "convert with `.astype('uint8')` first.")
    height, width = pixels.shape[:2]
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = np.frombuffer(stored.tobytes(), dtype=np.uint8).reshape(height, -1)
    # Filter "Up" on every row (each row stored as its difference from the row above) usually compresses
    # smooth images better than no filter, and costs one vectorised subtraction.
    filtered = np.diff(rows, axis=0, prepend=np.zeros((1, rows.shape[1]), dtype=np.uint8))
    lines = np.concatenate([np.full((height, 1), 2, dtype=np.uint8), filtered], axis=1)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(lines.tobytes(), compress_level))
            + _chunk(b"IEND", b""))
