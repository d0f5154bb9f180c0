"""Data utilities: pad_sequences, normalize, timeseries_dataset_from_array, split_dataset and the datasets made
from folders of images and texts. Expectations are worked out by hand (or from the examples in Keras's docs)."""

import sys

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.utils import directory_datasets, image_utils, png

# -- pad_sequences ------------------------------------------------------------------------------------------------

SEQUENCES = [[1], [2, 3], [4, 5, 6]]


def test_pad_sequences_padding_and_truncating():
    pad = keras.utils.pad_sequences
    np.testing.assert_array_equal(pad(SEQUENCES), [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(pad(SEQUENCES, padding="post"), [[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    np.testing.assert_array_equal(pad(SEQUENCES, maxlen=2), [[0, 1], [2, 3], [5, 6]])
    np.testing.assert_array_equal(pad(SEQUENCES, maxlen=2, truncating="post"), [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(pad(SEQUENCES, maxlen=2, padding="post", truncating="post"),
                                  [[1, 0], [2, 3], [4, 5]])
    np.testing.assert_array_equal(pad(SEQUENCES, maxlen=4, value=-1), [[-1, -1, -1, 1], [-1, -1, 2, 3],
                                                                        [-1, 4, 5, 6]])
    assert pad(SEQUENCES, maxlen=0).shape == (3, 0)


def test_pad_sequences_dtype_value_and_empty_sequences():
    out = keras.utils.pad_sequences(SEQUENCES)
    assert out.dtype == np.int32
    out = keras.utils.pad_sequences([[0.5, 1.5], []], dtype="float32", value=9.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0.5, 1.5], [9.0, 9.0]])  # an empty sequence is all padding
    np.testing.assert_array_equal(keras.utils.pad_sequences([[0.7, 1.9]]), [[0, 1]])  # int32 truncates
    words = keras.utils.pad_sequences([["a"], ["b", "cc"]], dtype=object, value="<pad>")
    assert words.tolist() == [["<pad>", "a"], ["b", "cc"]]
    assert keras.utils.pad_sequences([["a"], ["bb"]], dtype="<U2", value="").tolist() == [["a"], ["bb"]]
    assert keras.utils.pad_sequences([], maxlen=3).shape == (0, 3)
    assert keras.utils.pad_sequences(np.array([[1, 2], [3, 4]]), maxlen=3).tolist() == [[0, 1, 2], [0, 3, 4]]


def test_pad_sequences_with_array_items():
    out = keras.utils.pad_sequences([[[1, 2]], [[3, 4], [5, 6]]], padding="post")
    assert out.shape == (2, 2, 2)
    np.testing.assert_array_equal(out, [[[1, 2], [0, 0]], [[3, 4], [5, 6]]])


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="padding"):
        keras.utils.pad_sequences(SEQUENCES, padding="middle")
    with pytest.raises(ValueError, match="truncating"):
        keras.utils.pad_sequences(SEQUENCES, truncating="both")
    with pytest.raises(ValueError, match="dtype=object"):
        keras.utils.pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="non-sequence 3 at position 1"):
        keras.utils.pad_sequences([[1], 3])
    with pytest.raises(ValueError, match="has no length"):
        keras.utils.pad_sequences(iter(SEQUENCES))
    with pytest.raises(ValueError, match="position 1 have shape"):
        keras.utils.pad_sequences([[[1, 2]], [[3, 4, 5]]])
    with pytest.raises(ValueError, match="maxlen"):
        keras.utils.pad_sequences([])


# -- normalize ------------------------------------------------------------------------------------------------------


def test_normalize_numpy():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -1.0]])
    np.testing.assert_allclose(keras.utils.normalize(x), [[0.6, 0.8], [0, 0], [2**-0.5, -(2**-0.5)]])
    np.testing.assert_allclose(keras.utils.normalize(x, order=1), [[3 / 7, 4 / 7], [0, 0], [0.5, -0.5]])
    # axis 0: column norms sqrt(10) and sqrt(17)
    np.testing.assert_allclose(keras.utils.normalize(x, axis=0), x / np.array([10**0.5, 17**0.5]))
    out = keras.utils.normalize(np.array([3, 4]))
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, [0.6, 0.8])
    with pytest.raises(ValueError, match="order"):
        keras.utils.normalize(x, order=0)


def test_normalize_tensor_is_differentiable():
    x = keras.Variable(np.array([[3.0, 4.0]], dtype="float32"))
    with keras.GradientTape() as tape:
        y = keras.utils.normalize(x)
        loss = keras.ops.sum(y[:, 0])
    assert isinstance(y, keras.Tensor)
    np.testing.assert_allclose(y.numpy(), [[0.6, 0.8]], rtol=1e-6)
    # d(x0 / |x|)/dx = (|x|^2 e0 - x0 x) / |x|^3 = ([25, 0] - [9, 12]) / 125
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), [[16 / 125, -12 / 125]], rtol=1e-5)
    np.testing.assert_allclose(keras.utils.normalize([[0, 2]]).numpy(), [[0.0, 1.0]])  # a list gives a tensor


# -- timeseries_dataset_from_array ---------------------------------------------------------------------------------


def windows(dataset):
    """All windows (and targets) of a batched dataset, concatenated."""
    batches = list(dataset)
    if isinstance(batches[0], tuple):
        return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])
    return np.concatenate(batches)


def test_timeseries_docstring_example_1_sequence_stride_and_sampling_rate():
    ds = keras.utils.timeseries_dataset_from_array(np.arange(99), None, sequence_length=10, sampling_rate=2,
                                                   sequence_stride=3, shuffle=False)
    x = windows(ds)
    np.testing.assert_array_equal(x[0], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
    np.testing.assert_array_equal(x[1], [3, 5, 7, 9, 11, 13, 15, 17, 19, 21])
    np.testing.assert_array_equal(x[2], [6, 8, 10, 12, 14, 16, 18, 20, 22, 24])
    np.testing.assert_array_equal(x[-1], [78, 80, 82, 84, 86, 88, 90, 92, 94, 96])
    assert len(x) == 27  # starts 0, 3, ..., 78


def test_timeseries_docstring_example_2_targets_are_the_next_step():
    data = np.arange(50) * 1.5
    ds = keras.utils.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    x, y = windows(ds)
    np.testing.assert_array_equal(x[0], data[:10])
    assert y[0] == data[10]
    assert len(x) == 31  # 40 steps hold 31 windows of 10
    np.testing.assert_array_equal(y, data[10:41])  # window i (steps i..i+9) goes with step i + 10
    np.testing.assert_array_equal(x[:, -1] + 1.5, y)


def test_timeseries_docstring_example_3_many_to_many():
    X = np.arange(100)
    Y = X * 2
    inputs = keras.utils.timeseries_dataset_from_array(X, None, sequence_length=20, sequence_stride=20)
    targets = keras.utils.timeseries_dataset_from_array(Y, None, sequence_length=20, sequence_stride=20)
    x, y = next(iter(inputs)), next(iter(targets))
    assert x.shape == (5, 20)
    np.testing.assert_array_equal(x[0], X[:20])
    np.testing.assert_array_equal(y[1], Y[20:40])


def test_timeseries_batches_and_targets():
    data = np.arange(100)
    ds = keras.utils.timeseries_dataset_from_array(data, data * 2, sequence_length=9, batch_size=5)
    batches = list(ds)
    assert len(batches) == len(ds) == 19  # 92 windows
    assert batches[0][0].shape == (5, 9) and batches[-1][0].shape == (2, 9)
    for i, (x, y) in enumerate(batches):
        np.testing.assert_array_equal(y, x[:, 0] * 2)
        np.testing.assert_array_equal(x[0], np.arange(i * 5, i * 5 + 9))
    single = keras.utils.timeseries_dataset_from_array(data, None, sequence_length=9, batch_size=None)
    assert next(iter(single)).shape == (9,)
    multi = keras.utils.timeseries_dataset_from_array(np.arange(20).reshape(10, 2), None, sequence_length=3)
    np.testing.assert_array_equal(next(iter(multi))[1], [[2, 3], [4, 5], [6, 7]])


def test_timeseries_start_and_end_index():
    data = np.arange(100)
    ds = keras.utils.timeseries_dataset_from_array(data, data * 10, sequence_length=3, sequence_stride=4,
                                                   sampling_rate=2, start_index=10, end_index=30)
    x, y = windows(ds)
    # data[10:30] holds 20 steps; a window spans 5 of them, so starts 0, 4, 8, 12 (and 16 > 15) into it.
    np.testing.assert_array_equal(x, [[10, 12, 14], [14, 16, 18], [18, 20, 22], [22, 24, 26]])
    np.testing.assert_array_equal(y, [100, 140, 180, 220])  # the target at each window's first step


def test_timeseries_shuffle_is_seeded_and_changes_each_epoch():
    data = np.arange(40)
    make = lambda: keras.utils.timeseries_dataset_from_array(  # noqa: E731
        data, data * 2, sequence_length=5, batch_size=4, shuffle=True, seed=123)
    ds = make()
    epoch1, epoch2 = windows(ds), windows(ds)
    np.testing.assert_array_equal(epoch1[1], epoch1[0][:, 0] * 2)  # targets still match their windows
    assert sorted(epoch1[0][:, 0]) == list(range(36))
    assert not np.array_equal(epoch1[0][:, 0], np.arange(36))
    assert not np.array_equal(epoch1[0], epoch2[0])
    np.testing.assert_array_equal(windows(make())[0], epoch1[0])


def test_timeseries_errors():
    make = keras.utils.timeseries_dataset_from_array
    for kwargs, message in [({"start_index": -1}, "`start_index` must be"), ({"start_index": 11}, "`start_index`"),
                            ({"end_index": -1}, "`end_index` must be"), ({"end_index": 11}, "`end_index` must be"),
                            ({"start_index": 5, "end_index": 4}, "higher than `start_index`"),
                            ({"sampling_rate": 0}, "`sampling_rate` must be"),
                            ({"sequence_stride": 0}, "`sequence_stride` must be"),
                            ({"sequence_stride": 10}, "`sequence_stride` must be lower")]:
        with pytest.raises(ValueError, match=message):
            make(np.arange(10), None, 3, **kwargs)


# -- split_dataset ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("left_size, right_size, expected", [
    (0.8, None, (8, 2)), (None, 0.25, (8, 2)),  # round(2.5) = 2: Python rounds half to even, as Keras does
    (3, None, (3, 7)), (None, 4, (6, 4)), (2, 3, (2, 3)), (0.2, 0.3, (2, 3)), (0.55, None, (6, 4)),
])
def test_split_dataset_sizes(left_size, right_size, expected):
    left, right = keras.utils.split_dataset(np.arange(10), left_size=left_size, right_size=right_size)
    assert (len(left), len(right)) == expected
    # the left part from the start, the right part from the end
    assert [int(v) for v in left] == list(range(expected[0]))
    assert [int(v) for v in right] == list(range(10 - expected[1], 10))


def test_split_dataset_inputs():
    x, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    left, right = keras.utils.split_dataset((x, y), left_size=4)
    (lx, ly), = list(left.batch(10))
    np.testing.assert_array_equal(lx, x[:4])
    np.testing.assert_array_equal(ly, y[:4])
    left, right = keras.utils.split_dataset([x, y], right_size=1)
    assert [(a.tolist(), int(b)) for a, b in right] == [([10.0, 11.0], 5)]

    batched = keras.data.Dataset.from_tensor_slices({"x": x, "y": y}).batch(4)
    left, right = keras.utils.split_dataset(batched, left_size=0.5)
    assert [b["x"].shape for b in left] == [(3, 2)] and [b["y"].tolist() for b in right] == [[3, 4, 5]]
    assert [b["y"].tolist() for b in keras.utils.split_dataset(batched.map(lambda d: d), left_size=5)[0]] == [
        [0, 1, 2, 3], [4]]  # still batched by 4, after the map as well


def test_split_dataset_shuffle_is_seeded_and_complementary():
    left, right = keras.utils.split_dataset(np.arange(20), left_size=0.75, shuffle=True, seed=7)
    left_values, right_values = [int(v) for v in left], [int(v) for v in right]
    assert sorted(left_values + right_values) == list(range(20))
    assert left_values != list(range(15))
    again, _ = keras.utils.split_dataset(np.arange(20), left_size=0.75, shuffle=True, seed=7)
    assert [int(v) for v in again] == left_values


def test_split_dataset_errors():
    data = np.arange(10)
    with pytest.raises(ValueError, match="At least one"):
        keras.utils.split_dataset(data)
    with pytest.raises(ValueError, match="left_size"):
        keras.utils.split_dataset(data, left_size=10)
    with pytest.raises(ValueError, match="right_size"):
        keras.utils.split_dataset(data, right_size=1.5)
    with pytest.raises(ValueError, match="greater than 1"):
        keras.utils.split_dataset(data, left_size=0.6, right_size=0.6)
    with pytest.raises(ValueError, match="more than the 10 samples"):
        keras.utils.split_dataset(data, left_size=6, right_size=6)
    with pytest.raises(ValueError, match="would be empty"):
        keras.utils.split_dataset(data, left_size=0.01)
    with pytest.raises(TypeError, match="left_size"):
        keras.utils.split_dataset(data, left_size="half")
    with pytest.raises(TypeError, match="dataset"):
        keras.utils.split_dataset({"x": data}, left_size=2)
    with pytest.raises(ValueError, match="same length"):
        keras.utils.split_dataset((data, data[:5]), left_size=2)


# -- image_dataset_from_directory ---------------------------------------------------------------------------------

# Each image is one flat colour: red channel = 40 * class index, green = 10 * file number in its class.
CLASSES = {"cats": 3, "dogs": 2, "emus": 4}


@pytest.fixture
def image_dir(tmp_path):
    root = tmp_path / "images"
    for c, (name, count) in enumerate(CLASSES.items()):
        (root / name).mkdir(parents=True)
        for i in range(count):
            pixels = np.zeros((6, 8, 3), dtype=np.uint8)
            pixels[..., 0], pixels[..., 1], pixels[..., 2] = 40 * c, 10 * i, 200
            (root / name / f"{i}.png").write_bytes(png.write_png(pixels))
    (root / "cats" / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.png").write_bytes(png.write_png(np.zeros((2, 2), dtype=np.uint8)))
    return root


@pytest.fixture(params=["pillow", "no_pillow"])
def backend(request, monkeypatch):
    if request.param == "no_pillow":
        monkeypatch.setitem(sys.modules, "PIL", None)
        assert image_utils.pil_image() is None
    else:
        pytest.importorskip("PIL")
    return request.param


def decode(images, labels):
    """(class, file number) of each image of a batch, read off its colours."""
    return [(int(round(img[0, 0, 0] / 40)), int(round(img[0, 0, 1] / 10))) for img in images], labels


def test_image_dataset_classes_labels_and_shapes(image_dir, backend, capsys):
    ds = keras.utils.image_dataset_from_directory(image_dir, image_size=(3, 4), batch_size=4, shuffle=False)
    assert capsys.readouterr().out == "Found 9 files belonging to 3 classes.\n"
    assert ds.class_names == ["cats", "dogs", "emus"]
    assert len(ds) == 3
    assert [p.split("images")[-1][1:].replace("\\", "/") for p in ds.file_paths][:4] == [
        "cats/0.png", "cats/1.png", "cats/2.png", "dogs/0.png"]
    seen = []
    for images, labels in ds:
        assert images.dtype == np.float32 and images.shape[1:] == (3, 4, 3)
        assert labels.dtype == np.int32
        files, labels = decode(images, labels)
        assert [c for c, _ in files] == labels.tolist()  # every image has its own class's label
        seen += files
        np.testing.assert_allclose(images[..., 2], 200.0)
    assert seen == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2), (2, 3)]


def test_image_dataset_label_modes(image_dir, capsys):
    make = lambda **kw: keras.utils.image_dataset_from_directory(  # noqa: E731
        image_dir, image_size=(2, 2), batch_size=10, shuffle=False, **kw)
    _, labels = next(iter(make(label_mode="categorical")))
    assert labels.dtype == np.float32 and labels.shape == (9, 3)
    np.testing.assert_array_equal(labels.argmax(1), [0, 0, 0, 1, 1, 2, 2, 2, 2])
    np.testing.assert_array_equal(labels.sum(1), 1)
    _, labels = next(iter(make(label_mode="binary", class_names=["dogs", "cats"])))
    assert labels.dtype == np.float32 and labels.shape == (5, 1)
    np.testing.assert_array_equal(labels[:, 0], [0, 0, 1, 1, 1])  # dogs first, as class_names asks
    capsys.readouterr()
    # Without labels the whole tree is read, hidden folders too (they are only skipped as classes).
    for no_labels in [{"label_mode": None}, {"labels": None}]:
        images = next(iter(make(**no_labels)))
        assert capsys.readouterr().out == "Found 10 files.\n"
        assert isinstance(images, np.ndarray) and images.shape == (10, 2, 2, 3)
    # Labels given per file, in sorted path order: .hidden/x, cats/0-2, dogs/0-1, emus/0-3.
    given = [3, 5, 5, 5, 7, 7, 9, 9, 9, 9]
    ds = make(labels=given)
    images, labels = next(iter(ds))
    assert labels.tolist() == given
    assert [f for f, _ in decode(images[1:], labels)[0]] == [0, 0, 0, 1, 1, 2, 2, 2, 2]
    assert ds.class_names == ["3", "5", "7", "9"]


def test_image_dataset_color_modes_and_data_format(image_dir, backend):
    for color_mode, channels in [("grayscale", 1), ("rgb", 3), ("rgba", 4)]:
        images, _ = next(iter(keras.utils.image_dataset_from_directory(
            image_dir, color_mode=color_mode, image_size=5, batch_size=2, shuffle=False, verbose=False)))
        assert images.shape == (2, 5, 5, channels)
    images, _ = next(iter(keras.utils.image_dataset_from_directory(
        image_dir, color_mode="rgba", image_size=(5, 7), batch_size=2, shuffle=False, data_format="channels_first",
        verbose=False)))
    assert images.shape == (2, 4, 5, 7)
    np.testing.assert_allclose(images[:, 3], 255.0)  # opaque alpha
    np.testing.assert_allclose(images[:, 2], 200.0)
    grey = next(iter(keras.utils.image_dataset_from_directory(
        image_dir, color_mode="grayscale", image_size=(2, 2), batch_size=1, shuffle=False, verbose=False)))[0]
    np.testing.assert_allclose(grey, (200 * 7471 + 32768) >> 16)  # cats/0: red 0, green 0, blue 200


def test_image_dataset_validation_split(image_dir, capsys):
    common = dict(image_size=(2, 2), batch_size=3, validation_split=0.34, seed=1337)
    train = keras.utils.image_dataset_from_directory(image_dir, subset="training", **common)
    assert capsys.readouterr().out == "Found 9 files belonging to 3 classes.\nUsing 6 files for training.\n"
    val = keras.utils.image_dataset_from_directory(image_dir, subset="validation", **common)
    assert capsys.readouterr().out == "Found 9 files belonging to 3 classes.\nUsing 3 files for validation.\n"
    train_files, val_files = [], []
    for dataset, files in [(train, train_files), (val, val_files)]:
        for images, labels in dataset:
            decoded, labels = decode(images, labels)
            assert [c for c, _ in decoded] == labels.tolist()  # labels were shuffled along with the files
            files += decoded
    assert len(train_files) == 6 and len(val_files) == 3
    everything = {(c, i) for c, n in enumerate(CLASSES.values()) for i in range(n)}
    assert set(train_files) | set(val_files) == everything  # disjoint and complementary
    assert not set(train_files) & set(val_files)
    assert set(train.file_paths).isdisjoint(val.file_paths)

    both = keras.utils.image_dataset_from_directory(image_dir, subset="both", **common)
    assert capsys.readouterr().out == ("Found 9 files belonging to 3 classes.\nUsing 6 files for training.\n"
                                       "Using 3 files for validation.\n")
    assert isinstance(both, tuple) and len(both) == 2
    assert sorted(both[0].file_paths) == sorted(train.file_paths)
    assert both[1].file_paths == val.file_paths
    assert both[1].class_names == ["cats", "dogs", "emus"]


def test_image_dataset_shuffles_with_a_seed(image_dir):
    make = lambda seed: keras.utils.image_dataset_from_directory(  # noqa: E731
        image_dir, image_size=(2, 2), batch_size=9, seed=seed, verbose=False)
    first, labels = decode(*next(iter(make(3))))
    assert [c for c, _ in first] == labels.tolist()
    assert sorted(first) != first and sorted(first) == sorted(decode(*next(iter(make(4))))[0])
    assert decode(*next(iter(make(3))))[0] == first


def test_image_dataset_resizes_as_tensorflow(tmp_path):
    (tmp_path / "a").mkdir()
    pixels = np.arange(16, dtype=np.uint8).reshape(4, 4) * 10
    (tmp_path / "a" / "x.png").write_bytes(png.write_png(pixels))
    load = lambda **kw: next(iter(keras.utils.image_dataset_from_directory(  # noqa: E731
        tmp_path, color_mode="grayscale", batch_size=1, verbose=False, **kw)))[0][0, ..., 0]
    # Halving: output pixel (0, 0) samples the source at (0.5, 0.5), the mean of pixels 0, 1, 4 and 5.
    np.testing.assert_allclose(load(image_size=(2, 2)), [[25, 45], [105, 125]])
    np.testing.assert_allclose(load(image_size=(2, 2), interpolation="nearest"), [[50, 70], [130, 150]])
    np.testing.assert_allclose(load(image_size=(4, 4)), pixels)
    # 4x4 to 2x1 with cropping: the centred 4x2 window (columns 1-2), then halved in both directions.
    np.testing.assert_allclose(load(image_size=(2, 1), crop_to_aspect_ratio=True), [[35], [115]])
    # 4x4 into 2x4 with padding: shrunk to 2x2, columns 1-2 of the output, zeros around.
    np.testing.assert_allclose(load(image_size=(2, 4), pad_to_aspect_ratio=True), [[0, 25, 45, 0], [0, 105, 125, 0]])


def test_image_dataset_reads_16_bit_greyscale_as_8_bit(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.png").write_bytes(png.write_png(np.array([[0, 256 * 100 + 99, 65535]], dtype=np.uint16)))
    images, _ = next(iter(keras.utils.image_dataset_from_directory(tmp_path, image_size=(1, 3), verbose=False)))
    np.testing.assert_array_equal(images[0, 0], [[0, 0, 0], [100, 100, 100], [255, 255, 255]])


def test_image_dataset_loads_lazily(image_dir, monkeypatch):
    reads = []
    real_open = image_utils._open
    monkeypatch.setattr(image_utils, "_open", lambda data: reads.append(1) or real_open(data))
    ds = keras.utils.image_dataset_from_directory(image_dir, image_size=(2, 2), batch_size=2, shuffle=False,
                                                  verbose=False)
    assert len(reads) == 0  # nothing read yet: only file names
    batches = iter(ds)
    next(batches)
    assert len(reads) == 2  # one batch, two files
    next(batches)
    assert len(reads) == 4


def test_image_dataset_errors(image_dir, tmp_path):
    make = keras.utils.image_dataset_from_directory
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        make(image_dir, label_mode="binary")
    with pytest.raises(ValueError, match="color_mode"):
        make(image_dir, color_mode="cmyk")
    with pytest.raises(ValueError, match="label_mode"):
        make(image_dir, label_mode="sparse")
    with pytest.raises(ValueError, match="interpolation='area'"):
        make(image_dir, interpolation="area")
    with pytest.raises(ValueError, match="image_size"):
        make(image_dir, image_size=(2, 2, 2))
    with pytest.raises(ValueError, match="seed"):
        make(image_dir, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="validation_split"):
        make(image_dir, subset="training", seed=1)
    with pytest.raises(ValueError, match="subset"):
        make(image_dir, validation_split=0.2, subset="test", seed=1)
    with pytest.raises(ValueError, match="class_names"):
        make(image_dir, class_names=["cats", "lions"])
    with pytest.raises(ValueError, match="class_names"):
        make(image_dir, labels=None, class_names=["cats"])
    with pytest.raises(ValueError, match="list/tuple of integer labels"):
        make(image_dir, labels="from_names")
    with pytest.raises(ValueError, match="lengths of `labels`"):
        make(image_dir, labels=[0, 1])
    with pytest.raises(ValueError, match="Only one of"):
        make(image_dir, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match="No image files found"):
        make(tmp_path / "empty", verbose=False)
    with pytest.raises(ValueError, match="No validation image files"):
        make(image_dir, validation_split=0.01, subset="both", seed=1, verbose=False)


def test_image_dataset_without_pillow_asks_for_it_for_jpeg_files(image_dir, monkeypatch):
    (image_dir / "dogs" / "photo.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"1 non-PNG image files.*pip install pillow"):
        keras.utils.image_dataset_from_directory(image_dir, verbose=False)


def test_image_dataset_trains_a_model(image_dir):
    ds = keras.utils.image_dataset_from_directory(image_dir, image_size=(4, 4), batch_size=4, seed=0, verbose=False)
    model = keras.Sequential([keras.layers.Input((4, 4, 3)), keras.layers.Rescaling(1 / 255),
                              keras.layers.Flatten(), keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


# -- text_dataset_from_directory ------------------------------------------------------------------------------------


@pytest.fixture
def text_dir(tmp_path):
    root = tmp_path / "texts"
    files = {"neg/1.txt": "Awful film.", "neg/2.txt": "Bad, bad, bad.", "pos/1.txt": "Good fun!",
             "pos/2.txt": "Lovely café scenes", "pos/deeper/3.txt": "nested counts too"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode("utf-8"))
    (root / "pos" / "image.png").write_bytes(b"not text")
    return root


def test_text_dataset_contents_and_labels(text_dir, capsys):
    ds = keras.utils.text_dataset_from_directory(text_dir, batch_size=2, shuffle=False)
    assert capsys.readouterr().out == "Found 5 files belonging to 2 classes.\n"
    assert ds.class_names == ["neg", "pos"]
    texts, labels = map(np.concatenate, zip(*ds))
    assert texts.dtype.kind == "U"
    assert texts.tolist() == ["Awful film.", "Bad, bad, bad.", "Good fun!", "Lovely café scenes",
                              "nested counts too"]
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0, 1, 1, 1]


def test_text_dataset_max_length_counts_bytes(text_dir):
    ds = keras.utils.text_dataset_from_directory(text_dir, batch_size=5, shuffle=False, max_length=12,
                                                 label_mode=None, verbose=False)
    texts = next(iter(ds)).tolist()
    assert texts[:3] == ["Awful film.", "Bad, bad, ba", "Good fun!"]
    assert texts[3] == "Lovely café"  # 12 bytes: "é" takes two
    ds = keras.utils.text_dataset_from_directory(text_dir, batch_size=5, shuffle=False, max_length=11,
                                                 label_mode=None, verbose=False)
    assert next(iter(ds)).tolist()[3] == "Lovely caf"  # the cut falls inside "é", which is dropped


def test_text_dataset_split_modes_and_vectorization(text_dir, capsys):
    train, val = keras.utils.text_dataset_from_directory(text_dir, validation_split=0.4, subset="both", seed=5,
                                                         label_mode="categorical", batch_size=8)
    assert capsys.readouterr().out == ("Found 5 files belonging to 2 classes.\nUsing 3 files for training.\n"
                                       "Using 2 files for validation.\n")
    (train_texts, train_labels), = list(train)
    (val_texts, val_labels), = list(val)
    assert train_labels.shape == (3, 2) and train_labels.dtype == np.float32
    assert len(set(train_texts) | set(val_texts)) == 5
    vectorize = keras.layers.TextVectorization(output_sequence_length=4)
    vectorize.adapt(train.map(lambda texts, labels: texts))
    assert vectorize(val_texts).shape == (2, 4)
    assert "bad" in vectorize.get_vocabulary() or "fun" in vectorize.get_vocabulary()


def test_text_dataset_errors(text_dir):
    with pytest.raises(ValueError, match="exactly 2"):
        keras.utils.text_dataset_from_directory(text_dir, label_mode="binary", class_names=["pos"], verbose=False)
    with pytest.raises(ValueError, match="directory"):
        keras.utils.text_dataset_from_directory(text_dir / "missing")


def test_preprocessing_names():
    assert keras.preprocessing.image_dataset_from_directory is keras.utils.image_dataset_from_directory
    assert keras.preprocessing.text_dataset_from_directory is keras.utils.text_dataset_from_directory
    assert keras.preprocessing.timeseries_dataset_from_array is keras.utils.timeseries_dataset_from_array
    assert directory_datasets.ALLOWLIST_FORMATS == (".bmp", ".gif", ".jpeg", ".jpg", ".png")
