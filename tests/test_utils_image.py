"""Image files: the pure-Python PNG codec against Pillow, and load_img / save_img / array_to_img / img_to_array
with Pillow and with Pillow hidden (the fallback kerasnb uses where Pillow is not installed)."""

import contextlib
import io
import struct
import sys
import warnings
import zlib

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.utils import image_utils, png

PIL = pytest.importorskip("PIL")
from PIL import Image as PILImage  # noqa: E402


@contextlib.contextmanager
def pillow_hidden():
    """Make ``from PIL import Image`` fail, as where Pillow is not installed. Pillow itself stops working too
    (it imports its own modules lazily), so reference results from Pillow are computed outside this block."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "PIL", None)
        patch.setitem(sys.modules, "PIL.Image", None)
        assert image_utils.pil_image() is None
        yield


@pytest.fixture(params=["pillow", "no_pillow"])
def backend(request):
    """Run a test once with Pillow and once with Pillow hidden. Request it after fixtures that use Pillow."""
    if request.param == "pillow":
        yield request.param
    else:
        with pillow_hidden():
            yield request.param


def pil_png(img, **params):
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", **params)
    return buffer.getvalue()


def pil_read(data):
    return PILImage.open(io.BytesIO(data))


def _pillow_grey16_mode():
    """The mode Pillow opens a 16-bit greyscale PNG of its own in: "I;16" today, "I" in older releases (such as the
    Pillow 10.2 of Pyodide 0.27). kerasnb names that image "I;16" either way."""
    return pil_read(pil_png(PILImage.fromarray(np.zeros((2, 2), np.uint16)))).mode


PILLOW_GREY16 = _pillow_grey16_mode()


def pil_image(pixels, mode):
    """A Pillow image of ``pixels`` in ``mode`` (Pillow's fromarray has no way to make "LA" directly)."""
    img = PILImage.fromarray(pixels[..., 0] if mode == "LA" else pixels)
    if mode == "LA":
        img = img.convert("LA")
        img.putalpha(PILImage.fromarray(pixels[..., 1]))
    return img


def varied(shape, seed=0):
    """Smooth ramps, flat areas and noise in one image, so that Pillow's encoder picks different row filters."""
    rng = np.random.default_rng(seed)
    height, width = shape[:2]
    y, x = np.mgrid[:height, :width]
    ramp = (x * 9 + y * 5) % 256
    noise = rng.integers(0, 256, (height, width))
    flat = np.full((height, width), 77)
    pattern = np.where(y < height // 3, ramp, np.where(y < 2 * height // 3, flat, noise)).astype(np.uint8)
    if len(shape) == 2:
        return pattern
    planes = [pattern, ramp.astype(np.uint8)[::-1], noise.astype(np.uint8), 255 - pattern][:shape[2]]
    return np.stack(planes, axis=-1)


# -- a reference encoder written independently of png.py: raw PNG with one chosen row filter -------------------


def _chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_rows(rows, bpp, kind):
    """Apply PNG filter ``kind`` to every row (lists of byte values), byte by byte as the spec describes it."""
    out, prior = [], [0] * len(rows[0])
    for row in rows:
        filtered = []
        for i, value in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            predicted = [0, a, b, (a + b) // 2, _paeth(a, b, c)][kind]
            filtered.append((value - predicted) % 256)
        out.append(bytes([kind]) + bytes(filtered))
        prior = row
    return b"".join(out)


def raw_png(rows, width, height, bit_depth, color_type, kind=0, extra=b"", interlace=0):
    """A PNG from already-packed rows (lists of byte values), every row stored with filter ``kind``."""
    samples = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bpp = max(1, samples * bit_depth // 8)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    data = zlib.compress(filter_rows(rows, bpp, kind))
    return png.SIGNATURE + _chunk(b"IHDR", header) + extra + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def row_filters(data):
    """The filter type of every row of a (non-interlaced, 8-bit or wider) PNG, read straight from its bytes."""
    width, height, bit_depth, color_type = struct.unpack(">IIBB", data[16:26])
    samples = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    row_bytes = (width * samples * bit_depth + 7) // 8
    idat, position = b"", 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind == b"IDAT":
            idat += data[position + 8:position + 8 + length]
        position += 12 + length
    raw = zlib.decompress(idat)
    return {raw[y * (row_bytes + 1)] for y in range(height)}


# -- the PNG decoder against Pillow --------------------------------------------------------------------------


@pytest.mark.parametrize("mode, shape", [("L", (23, 19)), ("LA", (23, 19, 2)), ("RGB", (23, 19, 3)),
                                         ("RGBA", (23, 19, 4))])
def test_decoder_matches_pillow_on_files_pillow_writes(mode, shape):
    pixels = varied(shape)
    data = pil_png(pil_image(pixels, mode))
    decoded, decoded_mode = png.read_png(data)
    assert decoded_mode == pil_read(data).mode == mode
    np.testing.assert_array_equal(decoded, np.asarray(pil_read(data)))
    np.testing.assert_array_equal(decoded, pixels)


def test_pillow_files_exercise_several_filters():
    """The varied images make Pillow use more than one row filter, so the test above checks several."""
    used = set()
    for shape in [(23, 19), (23, 19, 3), (23, 19, 4)]:
        used |= row_filters(pil_png(PILImage.fromarray(varied(shape))))
    assert len(used) >= 3, used


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_decoder_matches_pillow_on_palette_images(bits):
    img = PILImage.fromarray(varied((17, 13, 3))).quantize(2 ** bits)
    data = pil_png(img, bits=bits)
    assert struct.unpack(">B", data[24:25])[0] == bits  # Pillow wrote the bit depth we asked for
    decoded, mode = png.read_png(data)
    assert mode == "RGB"
    np.testing.assert_array_equal(decoded, np.asarray(pil_read(data).convert("RGB")))


def test_decoder_matches_pillow_on_1_bit_and_16_bit_greyscale():
    bilevel = pil_png(PILImage.fromarray(varied((9, 21)) > 100))
    decoded, mode = png.read_png(bilevel)
    assert mode == "L" and set(np.unique(decoded)) <= {0, 255}
    np.testing.assert_array_equal(decoded, np.asarray(pil_read(bilevel).convert("L")))

    deep = np.random.default_rng(1).integers(0, 65536, (7, 11)).astype(np.uint16)
    data = pil_png(PILImage.fromarray(deep))
    decoded, mode = png.read_png(data)
    assert mode == "I;16" and pil_read(data).mode == PILLOW_GREY16
    assert decoded.dtype == np.uint16
    np.testing.assert_array_equal(decoded, deep)
    np.testing.assert_array_equal(decoded, np.asarray(pil_read(data)))


@pytest.mark.parametrize("kind", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("color_type, bit_depth", [(0, 8), (4, 8), (2, 8), (6, 8), (0, 16), (2, 16), (6, 16),
                                                   (4, 16), (0, 2), (0, 4)])
def test_every_filter_type_on_every_format(kind, color_type, bit_depth):
    """Rows stored with filter ``kind`` (by the reference encoder above): Pillow and read_png read the same."""
    samples = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    width, height = 7, 5
    rng = np.random.default_rng(kind * 100 + color_type * 10 + bit_depth)
    row_bytes = (width * samples * bit_depth + 7) // 8
    rows = [list(rng.integers(0, 256, row_bytes)) for _ in range(height)]
    if bit_depth < 8:  # unused trailing bits of the last byte must be zero for a clean comparison
        spare = row_bytes * 8 - width * bit_depth
        rows = [row[:-1] + [row[-1] >> spare << spare] for row in rows]
    data = raw_png(rows, width, height, bit_depth, color_type, kind=kind)
    assert row_filters(data) == {kind}
    decoded, _ = png.read_png(data)
    np.testing.assert_array_equal(decoded, np.asarray(pil_read(data)))


def test_transparency_chunks_give_pillows_rgba():
    grey = [[0, 5, 10], [5, 200, 0]]
    data = raw_png(grey, 3, 2, 8, 0, extra=_chunk(b"tRNS", struct.pack(">H", 5)))
    decoded, mode = png.read_png(data)
    assert mode == "LA"
    np.testing.assert_array_equal(decoded[..., 1], [[255, 0, 255], [0, 255, 255]])
    np.testing.assert_array_equal(image_utils.Image(decoded, mode).convert("RGBA"), pil_read(data).convert("RGBA"))

    palette = _chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]))
    alpha = _chunk(b"tRNS", bytes([10, 128]))  # shorter than the palette: the last colour stays opaque
    data = raw_png([[0, 1, 2], [2, 1, 0]], 3, 2, 8, 3, extra=palette + alpha)
    decoded, mode = png.read_png(data)
    assert mode == "RGBA"
    np.testing.assert_array_equal(decoded[0], [[255, 0, 0, 10], [0, 255, 0, 128], [0, 0, 255, 255]])
    np.testing.assert_array_equal(decoded, np.asarray(pil_read(data).convert("RGBA")))


def test_decoder_errors():
    with pytest.raises(ValueError, match="interlaced.*pip install pillow"):
        png.read_png(raw_png([[1, 2]], 2, 1, 8, 0, interlace=1))
    with pytest.raises(ValueError, match="Not a PNG"):
        png.read_png(b"GIF89a" + bytes(20))
    good = bytearray(raw_png([[1, 2]], 2, 1, 8, 0))
    good[20] ^= 1  # flip a bit of the IHDR payload: its CRC no longer matches
    with pytest.raises(ValueError, match="CRC"):
        png.read_png(bytes(good))
    with pytest.raises(ValueError, match="ends before its IEND"):
        png.read_png(raw_png([[1, 2]], 2, 1, 8, 0)[:-12])
    with pytest.raises(ValueError, match="bit depth 3"):
        png.read_png(png.SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 3, 0, 0, 0, 0))
                     + _chunk(b"IEND", b""))


# -- the PNG encoder, read back by Pillow ---------------------------------------------------------------------


@pytest.mark.parametrize("shape, dtype, mode", [((9, 14), "uint8", "L"), ((9, 14, 2), "uint8", "LA"),
                                                ((9, 14, 3), "uint8", "RGB"), ((9, 14, 4), "uint8", "RGBA"),
                                                ((9, 14), "uint16", "I;16")])
def test_pillow_reads_our_encoder(shape, dtype, mode):
    pixels = varied(shape).astype(dtype)
    if dtype == "uint16":
        pixels = pixels * np.uint16(257)
    data = png.write_png(pixels)
    assert pil_read(data).mode == (PILLOW_GREY16 if mode == "I;16" else mode)
    np.testing.assert_array_equal(np.asarray(pil_read(data)), pixels)
    decoded, decoded_mode = png.read_png(data)
    assert decoded_mode == mode
    np.testing.assert_array_equal(decoded, pixels)


def test_encoder_errors():
    with pytest.raises(ValueError, match="uint8"):
        png.write_png(np.zeros((2, 2, 3), dtype="float32"))
    with pytest.raises(ValueError, match="shape"):
        png.write_png(np.zeros((2, 2, 5), dtype="uint8"))


# -- the Image stand-in against Pillow -----------------------------------------------------------------------


MODE_SHAPES = {"L": (11, 13), "LA": (11, 13, 2), "RGB": (11, 13, 3), "RGBA": (11, 13, 4)}


@pytest.mark.parametrize("source", list(MODE_SHAPES))
@pytest.mark.parametrize("target", list(MODE_SHAPES))
def test_image_convert_matches_pillow(source, target):
    pixels = varied(MODE_SHAPES[source], seed=3)
    ours = image_utils.Image(pixels, source).convert(target)
    theirs = pil_image(pixels, source).convert(target)
    assert ours.mode == theirs.mode == target
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_image_convert_clips_deep_greyscale_like_pillow():
    deep = np.array([[0, 200, 300, 65535]], dtype=np.uint16)
    ours = image_utils.Image(deep, "I;16")
    np.testing.assert_array_equal(np.asarray(ours.convert("L")), [[0, 200, 255, 255]])
    np.testing.assert_array_equal(np.asarray(ours.convert("RGB")), np.asarray(PILImage.fromarray(deep).convert("RGB")))


@pytest.mark.parametrize("mode", list(MODE_SHAPES))
@pytest.mark.parametrize("resample", [image_utils.NEAREST, image_utils.BILINEAR, image_utils.BICUBIC])
@pytest.mark.parametrize("size, box", [((13, 4), None), ((13, 30), None), ((5, 11), None), ((40, 11), None),
                                       ((13, 6), (0, 2, 13, 9))])
def test_image_resize_along_one_axis_matches_pillow_exactly(mode, resample, size, box):
    pixels = varied(MODE_SHAPES[mode], seed=4)
    ours = image_utils.Image(pixels, mode).resize(size, resample, box=box)
    theirs = pil_image(pixels, mode).resize(size, resample, box=box)
    assert ours.size == theirs.size == size
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


@pytest.mark.parametrize("mode", ["L", "RGB"])
@pytest.mark.parametrize("resample", [image_utils.NEAREST, image_utils.BILINEAR, image_utils.BICUBIC])
@pytest.mark.parametrize("size, box", [((7, 5), None), ((30, 26), None), ((5, 20), None), ((6, 6), (2, 1, 12, 10))])
def test_image_resize_along_both_axes_matches_pillow_within_one(mode, resample, size, box):
    pixels = varied(MODE_SHAPES[mode], seed=5)
    ours = np.asarray(image_utils.Image(pixels, mode).resize(size, resample, box=box)).astype(int)
    theirs = np.asarray(pil_image(pixels, mode).resize(size, resample, box=box)).astype(int)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= (0 if resample == image_utils.NEAREST else 1)


def test_image_resize_by_hand():
    img = image_utils.Image(np.array([[0, 100]], dtype=np.uint8), "L")
    # Doubling the width: output pixel centres at source 0.25, 0.75, 1.25, 1.75; bilinear with clamped edges.
    np.testing.assert_array_equal(np.asarray(img.resize((4, 1), "bilinear")), [[0, 25, 75, 100]])
    np.testing.assert_array_equal(np.asarray(img.resize((4, 1), "nearest")), [[0, 0, 100, 100]])
    # Halving: one output pixel covering both inputs.
    np.testing.assert_array_equal(np.asarray(img.resize((1, 1), "bilinear")), [[50]])
    with pytest.raises(ValueError, match="resample"):
        img.resize((2, 2), "lanczos")


# -- array_to_img / img_to_array -----------------------------------------------------------------------------


def test_array_to_img_scales_min_to_0_and_max_to_255(backend):
    img = keras.utils.array_to_img(np.array([[[-1.0], [0.0], [3.0]]]))
    assert img.mode == "L" and img.size == (3, 1)
    # (x + 1) / 4 * 255 = 0, 63.75, 255, truncated to uint8
    np.testing.assert_array_equal(np.asarray(img), [[0, 63, 255]])
    assert isinstance(img, image_utils.Image) == (backend == "no_pillow")


def test_array_to_img_without_scaling_and_modes(backend):
    x = np.array([[[10, 20, 30], [40, 50, 60]]], dtype="float32")
    img = keras.utils.array_to_img(x, scale=False)
    assert img.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(img), x.astype("uint8"))
    assert keras.utils.array_to_img(np.zeros((2, 2, 4)), scale=False).mode == "RGBA"
    deep = keras.utils.array_to_img(np.array([[[1000.0], [7.0]]]), scale=False)
    assert deep.mode == "I"
    np.testing.assert_array_equal(np.asarray(deep), [[1000, 7]])
    channels_first = keras.utils.array_to_img(np.stack([np.zeros((2, 5)), np.ones((2, 5)), np.ones((2, 5))]),
                                              data_format="channels_first")
    assert channels_first.size == (5, 2)
    np.testing.assert_array_equal(np.asarray(channels_first)[0, 0], [0, 255, 255])
    with pytest.raises(ValueError, match="rank 3"):
        keras.utils.array_to_img(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="2 channels"):
        keras.utils.array_to_img(np.zeros((4, 4, 2)))


def test_img_to_array(backend):
    img = keras.utils.array_to_img(np.arange(6, dtype="float32").reshape(2, 3, 1), scale=False)
    x = keras.utils.img_to_array(img)
    assert x.shape == (2, 3, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(x[..., 0], [[0, 1, 2], [3, 4, 5]])
    assert keras.utils.img_to_array(img, data_format="channels_first").shape == (1, 2, 3)
    assert keras.utils.img_to_array(img, dtype="uint8").dtype == np.uint8
    rgb = keras.utils.array_to_img(np.zeros((2, 3, 3)))
    assert keras.utils.img_to_array(rgb, data_format="channels_first").shape == (3, 2, 3)


# -- load_img / save_img -------------------------------------------------------------------------------------


@pytest.fixture
def rgba_file(tmp_path):
    """A 4x6 RGBA PNG written by Pillow; pixel (row, col) = (10 row + col, 100 + col, 200, 50 + row)."""
    rows, cols = np.mgrid[:4, :6]
    pixels = np.stack([10 * rows + cols, 100 + cols, np.full_like(rows, 200), 50 + rows], axis=-1).astype("uint8")
    path = tmp_path / "img.png"
    PILImage.fromarray(pixels).save(path)
    return path, pixels


def test_load_img_color_modes(rgba_file, backend):
    path, pixels = rgba_file
    rgb = keras.utils.load_img(path)
    assert rgb.mode == "RGB" and rgb.size == (6, 4)
    np.testing.assert_array_equal(np.asarray(rgb), pixels[..., :3])
    rgba = keras.utils.load_img(str(path), color_mode="rgba")
    np.testing.assert_array_equal(np.asarray(rgba), pixels)
    grey = keras.utils.load_img(path, color_mode="grayscale")
    assert grey.mode == "L"
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    np.testing.assert_array_equal(np.asarray(grey), (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16)
    array = keras.utils.img_to_array(keras.utils.load_img(path, color_mode="grayscale"))
    assert array.shape == (4, 6, 1) and array.dtype == np.float32
    with open(path, "rb") as f:  # an in-memory file works as well
        np.testing.assert_array_equal(np.asarray(keras.utils.load_img(io.BytesIO(f.read()))), pixels[..., :3])


def test_load_img_target_size_and_keep_aspect_ratio(rgba_file, backend):
    path, pixels = rgba_file
    img = keras.utils.load_img(path, target_size=(2, 3))  # nearest: rows 1, 3 and columns 1, 3, 5
    assert img.size == (3, 2)
    np.testing.assert_array_equal(np.asarray(img), pixels[1::2, 1::2, :3])
    # The largest centred 4x4 crop (columns 1-4) with the target's square aspect ratio, then nearest: rows and
    # columns 1 and 3 of the crop.
    img = keras.utils.load_img(path, target_size=(2, 2), keep_aspect_ratio=True)
    np.testing.assert_array_equal(np.asarray(img), pixels[1::2, 1:5][:, 1::2, :3])
    same = keras.utils.load_img(path, target_size=(4, 6), interpolation="no such method")  # no resize needed
    assert same.size == (6, 4)
    # Halving the width with Pillow's bilinear filter (stretched to cover two source pixels on each side):
    # weights 1/8, 3/8, 3/8, 1/8 around output column 1, and 3/7, 3/7, 1/7 at the left edge.
    bilinear = keras.utils.load_img(path, target_size=(4, 3), interpolation="bilinear", color_mode="grayscale")
    grey = np.asarray(keras.utils.load_img(path, color_mode="grayscale")).astype(float)
    np.testing.assert_allclose(np.asarray(bilinear)[:, 1], grey[:, 1:5] @ [1 / 8, 3 / 8, 3 / 8, 1 / 8], atol=0.5)
    np.testing.assert_allclose(np.asarray(bilinear)[:, 0], grey[:, 0:3] @ [3 / 7, 3 / 7, 1 / 7], atol=0.5)


def test_load_img_errors(rgba_file, backend):
    path, _ = rgba_file
    with pytest.raises(ValueError, match="color_mode"):
        keras.utils.load_img(path, color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation method 'cubic'"):
        keras.utils.load_img(path, target_size=(2, 2), interpolation="cubic")
    with pytest.raises(TypeError, match="path"):
        keras.utils.load_img(42)


def test_without_pillow_other_formats_ask_for_pillow(tmp_path, rgba_file):
    jpeg = tmp_path / "img.jpg"
    PILImage.fromarray(rgba_file[1][..., :3]).save(jpeg)
    with pillow_hidden():
        with pytest.raises(ImportError, match="pip install pillow"):
            keras.utils.load_img(jpeg)
        with pytest.raises(ImportError, match="pip install pillow"):
            keras.utils.save_img(tmp_path / "out.jpg", np.zeros((2, 2, 3)))
        with pytest.raises(ImportError, match="pip install pillow"):
            keras.utils.load_img(rgba_file[0], target_size=(2, 2), interpolation="lanczos")
        with pytest.raises(ValueError, match="file format"):
            keras.utils.save_img(io.BytesIO(), np.zeros((2, 2, 3)))
    assert keras.utils.load_img(jpeg).size == (6, 4)  # and with Pillow it loads


@pytest.mark.parametrize("hide", [False, True], ids=["pillow", "no_pillow"])
def test_save_img_round_trip(hide, tmp_path):
    pixels = varied((5, 7, 3), seed=6)
    buffer = io.BytesIO()
    with pillow_hidden() if hide else contextlib.nullcontext():
        keras.utils.save_img(tmp_path / "a.png", pixels.astype("float32"), scale=False)
        keras.utils.save_img(buffer, pixels[..., :1], file_format="png", scale=False)
        keras.utils.save_img(tmp_path / "chw.png", np.moveaxis(pixels, -1, 0), data_format="channels_first",
                             scale=False)
        loaded = keras.utils.img_to_array(keras.utils.load_img(tmp_path / "a.png"))
    np.testing.assert_array_equal(loaded, pixels)
    # Pillow reads the files, whoever wrote them.
    np.testing.assert_array_equal(np.asarray(PILImage.open(tmp_path / "a.png")), pixels)
    np.testing.assert_array_equal(np.asarray(pil_read(buffer.getvalue())), pixels[..., 0])
    np.testing.assert_array_equal(np.asarray(PILImage.open(tmp_path / "chw.png")), pixels)


def test_save_img_rgba_as_jpeg_warns_and_drops_alpha(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.utils.save_img(tmp_path / "a.jpg", np.full((4, 4, 4), 200.0), file_format="jpg", scale=False)
    assert any("JPEG format does not support RGBA" in str(w.message) for w in caught)
    assert PILImage.open(tmp_path / "a.jpg").mode == "RGB"


def test_preprocessing_aliases():
    assert keras.preprocessing.image.load_img is keras.utils.load_img
    assert keras.preprocessing.image.save_img is keras.utils.save_img
    assert keras.preprocessing.image.array_to_img is keras.utils.array_to_img
    assert keras.preprocessing.image.img_to_array is keras.utils.img_to_array
    assert keras.preprocessing.sequence.pad_sequences is keras.utils.pad_sequences
