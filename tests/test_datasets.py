"""``kerasnb.datasets``: each loader against small files in Keras's formats, served from 127.0.0.1 as a mirror.

The fixture files have the real files' layout (npz members, IDX headers, CIFAR's pickled batches in a tar.gz)
but a few samples each. The loaders are pointed at the local server through ``kerasnb.datasets.ORIGIN`` (the
mirror setting) and check the fixtures' own hashes, patched into the table of Keras's hashes.
"""

import gzip
import hashlib
import io
import json
import os
import pickle
import struct
import tarfile
import warnings

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.datasets import _common, toy
from kerasnb.utils.file_utils import DownloadError


@pytest.fixture
def mirror(tmp_path, monkeypatch, http_server):
    """Serve files under their Keras names; ``mirror.serve(name, data)`` also makes ``data``'s hash the known one."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    server = http_server  # tests/conftest.py: a real HTTP server on 127.0.0.1
    server.url += "/mirror"
    monkeypatch.setattr(keras.datasets, "ORIGIN", server.url)

    def serve(name, data, algorithm="sha256"):
        server.files[f"/mirror/{name}"] = data
        url, _ = _common.FILES[name]
        monkeypatch.setitem(_common.FILES, name, (url, hashlib.new(algorithm, data).hexdigest()))

    server.serve = serve
    server.home = tmp_path / "keras_home"
    return server


def _npz(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _ragged(*sequences):
    out = np.empty(len(sequences), dtype=object)
    for i, s in enumerate(sequences):
        out[i] = list(s)
    return out


# -- mirror setting, origins and hashes ---------------------------------------------------------------------------
def test_known_files_use_keras_origins_and_hashes():
    base = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
    files = _common.FILES
    assert files["mnist.npz"] == (base + "mnist.npz",
                                  "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
    assert files["cifar-10-python.tar.gz"][0] == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    for name, (url, digest) in files.items():
        assert url.endswith("/" + name)
        assert len(digest) == (32 if name.endswith(".json") else 64) and int(digest, 16) >= 0
    assert keras.datasets.FILE_NAMES == tuple(files)


def test_environment_variable_mirror_and_cache_reuse(mirror, monkeypatch):
    x_train = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    data = _npz(x_train=x_train, y_train=np.array([1, 2, 3], np.uint8),
                x_test=x_train[:1], y_test=np.array([7], np.uint8))
    mirror.serve("mnist.npz", data)
    monkeypatch.setattr(keras.datasets, "ORIGIN", None)
    monkeypatch.setenv("KERASNB_DATASETS_ORIGIN", mirror.url + "/")
    (a, b), (c, d) = keras.datasets.mnist.load_data()
    np.testing.assert_array_equal(a, x_train)
    assert a.dtype == np.uint8 and b.tolist() == [1, 2, 3] and c.shape == (1, 28, 28) and d.tolist() == [7]
    assert (mirror.home / "datasets" / "mnist.npz").read_bytes() == data
    keras.datasets.mnist.load_data()
    assert mirror.requested_names() == ["mnist.npz"]  # the second load came from the cache


def test_missing_file_names_url_cache_path_and_mirror_setting(mirror):
    with pytest.raises(DownloadError) as info:
        keras.datasets.boston_housing.load_data()
    message = str(info.value)
    assert f"{mirror.url}/boston_housing.npz" in message and "404" in message
    assert str(mirror.home / "datasets" / "boston_housing.npz") in message
    assert "KERASNB_DATASETS_ORIGIN" in message


def test_wrong_hash_from_mirror_is_refused(mirror, monkeypatch):
    mirror.serve("boston_housing.npz", _npz(x=np.zeros((5, 13)), y=np.zeros(5)))
    monkeypatch.setitem(_common.FILES, "boston_housing.npz", ("unused", "f" * 64))
    with pytest.raises(ValueError, match="f" * 64):
        keras.datasets.boston_housing.load_data()
    assert os.listdir(mirror.home / "datasets") == []


# -- image datasets -----------------------------------------------------------------------------------------------
def _idx(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist_reads_idx_files_in_their_own_cache_folder(mirror):
    rng = np.random.default_rng(0)
    x_train, x_test = rng.integers(0, 256, (4, 28, 28)), rng.integers(0, 256, (2, 28, 28))
    y_train, y_test = np.array([9, 0, 0, 3]), np.array([9, 2])
    mirror.serve("train-images-idx3-ubyte.gz", _idx(x_train, 2051))
    mirror.serve("train-labels-idx1-ubyte.gz", _idx(y_train, 2049))
    mirror.serve("t10k-images-idx3-ubyte.gz", _idx(x_test, 2051))
    mirror.serve("t10k-labels-idx1-ubyte.gz", _idx(y_test, 2049))
    (a, b), (c, d) = keras.datasets.fashion_mnist.load_data()
    np.testing.assert_array_equal(a, x_train)
    np.testing.assert_array_equal(c, x_test)
    assert b.tolist() == [9, 0, 0, 3] and d.tolist() == [9, 2]
    assert a.dtype == b.dtype == np.uint8 and a.flags.writeable
    assert sorted(os.listdir(mirror.home / "datasets" / "fashion-mnist")) == sorted(
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz"])
    assert keras.datasets.fashion_mnist.CLASS_NAMES[b[0]] == "Ankle boot"


class _Py2Pickler(pickle._Pickler):
    """Writes bytes and str with Python 2's string opcodes, as in the CIFAR files (pickled by Python 2)."""

    dispatch = dict(pickle._Pickler.dispatch)

    def _save_py2_str(self, obj):
        data = obj if isinstance(obj, bytes) else obj.encode("latin1")
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str
    dispatch[str] = _save_py2_str


def _py2_style_pickle(obj):
    """Pickle ``obj`` as the CIFAR files are: protocol 2, Python 2 strings, NumPy 1's numpy.core module."""
    buffer = io.BytesIO()
    _Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def _cifar_tar(folder, batches):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, batch in batches.items():
            payload = _py2_style_pickle(batch)
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def _cifar_batch(rng, n, **labels):
    return {b"batch_label": b"testing batch", b"data": rng.integers(0, 256, (n, 3072)).astype(np.uint8),
            b"filenames": [b"img_%d.png" % i for i in range(n)], **{k.encode(): v for k, v in labels.items()}}


def test_cifar10_layout_shapes_dtypes_and_keras_cache_names(mirror, monkeypatch):
    rng = np.random.default_rng(1)
    batches = {f"data_batch_{i}": _cifar_batch(rng, 2, labels=[i, 9 - i]) for i in range(1, 6)}
    batches["test_batch"] = _cifar_batch(rng, 3, labels=[5, 6, 7])
    mirror.serve("cifar-10-python.tar.gz", _cifar_tar("cifar-10-batches-py", batches))
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert y_train.shape == (10, 1) and y_test.shape == (3, 1)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    assert y_train[:, 0].tolist() == [1, 8, 2, 7, 3, 6, 4, 5, 5, 4] and y_test[:, 0].tolist() == [5, 6, 7]
    # Each row of `data` is the red plane, then green, then blue, each 32x32 row-major.
    row = batches["data_batch_2"][b"data"][1]
    assert x_train[3, 4, 5].tolist() == [row[4 * 32 + 5], row[1024 + 4 * 32 + 5], row[2048 + 4 * 32 + 5]]
    datasets = mirror.home / "datasets"
    assert (datasets / "cifar-10-batches-py-target_archive").is_file()
    assert (datasets / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch").is_file()

    keras.config.set_image_data_format("channels_first")
    try:
        (x_first, _), _ = keras.datasets.cifar10.load_data()
    finally:
        keras.config.set_image_data_format("channels_last")
    assert x_first.shape == (10, 3, 32, 32)
    np.testing.assert_array_equal(x_first.transpose(0, 2, 3, 1), x_train)
    assert mirror.requested_names() == ["cifar-10-python.tar.gz"]


def test_cifar100_label_modes(mirror):
    rng = np.random.default_rng(2)
    batches = {"train": _cifar_batch(rng, 4, fine_labels=[11, 22, 33, 99], coarse_labels=[1, 2, 3, 19]),
               "test": _cifar_batch(rng, 2, fine_labels=[0, 50], coarse_labels=[0, 10])}
    mirror.serve("cifar-100-python.tar.gz", _cifar_tar("cifar-100-python", batches))
    (x_train, y_fine), (x_test, y_fine_test) = keras.datasets.cifar100.load_data()
    assert x_train.shape == (4, 32, 32, 3) and x_test.shape == (2, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_fine.shape == (4, 1) and y_fine[:, 0].tolist() == [11, 22, 33, 99] and y_fine.dtype == np.int64
    (_, y_coarse), (_, y_coarse_test) = keras.datasets.cifar100.load_data(label_mode="coarse")
    assert y_coarse[:, 0].tolist() == [1, 2, 3, 19] and y_coarse_test[:, 0].tolist() == [0, 10]
    with pytest.raises(ValueError, match="label_mode='medium'"):
        keras.datasets.cifar100.load_data(label_mode="medium")


def test_cifar_pickle_naming_other_code_is_refused(mirror, tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    batches = {f"data_batch_{i}": {b"data": Exploit(), b"labels": [0]} for i in range(1, 6)}
    batches["test_batch"] = batches["data_batch_1"]
    mirror.serve("cifar-10-python.tar.gz", _cifar_tar("cifar-10-batches-py", batches))
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load"):
        keras.datasets.cifar10.load_data()
    assert not marker.exists()


# -- sequence datasets --------------------------------------------------------------------------------------------
_IMDB_TRAIN = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]]
_IMDB_TEST = [[3, 3], [11, 1, 2]]


@pytest.fixture
def imdb(mirror):
    data = _npz(x_train=_ragged(*_IMDB_TRAIN), y_train=np.array([0, 1, 0, 1]),
                x_test=_ragged(*_IMDB_TEST), y_test=np.array([1, 0]))
    mirror.serve("imdb.npz", data)
    # Keras's order: one RandomState(seed) shuffles the training set, then, continuing, the test set.
    rng = np.random.RandomState(113)
    train_order, test_order = np.arange(4), np.arange(2)
    rng.shuffle(train_order)
    rng.shuffle(test_order)
    return [_IMDB_TRAIN[i] for i in train_order], [_IMDB_TEST[i] for i in test_order], train_order, test_order


def test_imdb_default_encoding(imdb):
    train, test, train_order, test_order = imdb
    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data()
    assert isinstance(x_train, np.ndarray) and x_train.dtype == object and x_train.shape == (4,)
    assert all(isinstance(seq, list) for seq in x_train)
    # start_char 1, every word + 3; without num_words the largest index (14, word 11) becomes oov 2, as in Keras.
    expected = {(1, 2, 3): [1, 4, 5, 6], (4, 5): [1, 7, 8], (6, 7, 8, 9): [1, 9, 10, 11, 12], (10,): [1, 13],
                (3, 3): [1, 6, 6], (11, 1, 2): [1, 2, 4, 5]}
    assert list(x_train) == [expected[tuple(s)] for s in train]
    assert list(x_test) == [expected[tuple(s)] for s in test]
    assert y_train.tolist() == [[0, 1, 0, 1][i] for i in train_order]
    assert y_test.tolist() == [[1, 0][i] for i in test_order]


def test_imdb_num_words_skip_top_maxlen_index_from_oov(imdb):
    train, test, _, _ = imdb
    (x_train, _), (x_test, _) = keras.datasets.imdb.load_data(num_words=8, skip_top=5, oov_char=2)
    # Kept: 5 <= w < 8 after the shift; the start mark 1 is below skip_top, so it becomes oov too (Keras does so).
    expected = {(1, 2, 3): [2, 2, 5, 6], (4, 5): [2, 7, 2], (6, 7, 8, 9): [2, 2, 2, 2, 2], (10,): [2, 2],
                (3, 3): [2, 6, 6], (11, 1, 2): [2, 2, 2, 5]}
    assert list(x_train) == [expected[tuple(s)] for s in train]
    assert list(x_test) == [expected[tuple(s)] for s in test]

    (x_train, _), _ = keras.datasets.imdb.load_data(num_words=100, oov_char=None, skip_top=5)
    assert sorted(map(tuple, x_train)) == sorted([(5, 6), (7, 8), (9, 10, 11, 12), (13,)])

    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(
        num_words=100, maxlen=4, index_from=10, start_char=None)
    # maxlen keeps sequences strictly shorter than 4; words shift by 10 with no start mark.
    assert sorted(map(tuple, x_train)) == [(11, 12, 13), (14, 15), (20,)] and len(y_train) == 3
    assert sorted(map(tuple, x_test)) == [(13, 13), (21, 11, 12)] and len(y_test) == 2
    with pytest.raises(ValueError, match="maxlen=1"):
        keras.datasets.imdb.load_data(maxlen=1)


def test_imdb_seed_changes_order_only(imdb):
    (a, ya), _ = keras.datasets.imdb.load_data(seed=113, num_words=100)
    (b, yb), _ = keras.datasets.imdb.load_data(seed=7, num_words=100)
    assert sorted(zip(map(tuple, a), ya.tolist())) == sorted(zip(map(tuple, b), yb.tolist()))


def test_word_indexes_with_md5_hashes(mirror):
    index = {"the": 1, "film": 2}
    mirror.serve("imdb_word_index.json", json.dumps(index).encode(), algorithm="md5")
    mirror.serve("reuters_word_index.json", json.dumps({"said": 3}).encode(), algorithm="md5")
    assert keras.datasets.imdb.get_word_index() == index
    assert keras.datasets.reuters.get_word_index() == {"said": 3}
    assert keras.datasets.imdb.get_word_index() == index
    assert mirror.requested_names() == ["imdb_word_index.json", "reuters_word_index.json"]


def test_npz_object_array_naming_other_code_is_refused(mirror, tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = np.empty(1, dtype=object)
    payload[0] = Exploit()
    mirror.serve("reuters.npz", _npz(x=payload, y=np.array([0])))
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        keras.datasets.reuters.load_data()
    assert not marker.exists()


def test_object_arrays_written_by_numpy_1_load_without_numpy_core_warnings():
    # The real IMDB/Reuters files name numpy.core.multiarray._reconstruct (NumPy 1); NumPy 2 warns on importing
    # numpy.core, so the unpickler must resolve the name itself.
    array = _ragged([1, 2], [3])
    data = _py2_style_pickle(array)
    assert b"numpy.core.multiarray" in data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = _common.restricted_load(io.BytesIO(data), encoding="latin1")
    assert loaded.dtype == object and list(loaded) == [[1, 2], [3]]


def test_reuters_split_and_encoding(mirror):
    sequences = [[i, i + 1] for i in range(1, 11)]
    mirror.serve("reuters.npz", _npz(x=_ragged(*sequences), y=np.arange(10)))
    (x_train, y_train), (x_test, y_test) = keras.datasets.reuters.load_data(num_words=100, test_split=0.3)
    order = np.arange(10)
    np.random.RandomState(113).shuffle(order)
    assert len(x_train) == 7 and len(x_test) == 3 and x_train.dtype == object
    assert y_train.tolist() + y_test.tolist() == order.tolist()
    assert [list(s) for s in x_train] == [[1, i + 3, i + 4] for i in order[:7] + 1]
    assert len(keras.datasets.reuters.get_label_names()) == 46
    with pytest.raises(ValueError, match="test_split=1.5"):
        keras.datasets.reuters.load_data(test_split=1.5)


# -- regression datasets ------------------------------------------------------------------------------------------
def test_boston_housing_split_sizes_and_shuffle(mirror):
    x = np.arange(50 * 13, dtype=np.float64).reshape(50, 13)
    y = np.arange(50, dtype=np.float64)
    mirror.serve("boston_housing.npz", _npz(x=x, y=y))
    (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data()
    assert x_train.shape == (40, 13) and x_test.shape == (10, 13) and y_train.shape == (40,)
    order = np.arange(50)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), order)
    np.testing.assert_array_equal(x_train, x[order[:40]])
    (x_train, _), (x_test, _) = keras.datasets.boston_housing.load_data(test_split=0.1, seed=1)
    assert len(x_train) == 45 and len(x_test) == 5


def test_california_housing_versions(mirror):
    x = np.random.default_rng(0).random((700, 8)).astype(np.float32)
    y = np.arange(700, dtype=np.float32)
    mirror.serve("california_housing.npz", _npz(x=x, y=y))
    (x_train, y_train), (x_test, y_test) = keras.datasets.california_housing.load_data()
    assert x_train.shape == (560, 8) and x_test.shape == (140, 8) and x_train.dtype == np.float32
    (x_train, y_train), (x_test, y_test) = keras.datasets.california_housing.load_data(version="small")
    assert len(x_train) == 480 and len(x_test) == 120 and max(y_train.max(), y_test.max()) < 600
    with pytest.raises(ValueError, match="version='tiny'"):
        keras.datasets.california_housing.load_data(version="tiny")


# -- bundled digits -----------------------------------------------------------------------------------------------
def test_digits_shapes_counts_and_deterministic_split():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.dtype == y_train.dtype == np.uint8
    x = np.concatenate([x_train, x_test])
    y = np.concatenate([y_train, y_test])
    assert len(x) == 1797 and x.min() == 0 and x.max() == 16
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    (x2, y2), _ = keras.datasets.digits.load_data()
    np.testing.assert_array_equal(x2, x_train)
    (x3, _), (x3_test, _) = keras.datasets.digits.load_data(test_split=0.5, seed=1)
    assert len(x3) == 898 and len(x3_test) == 899 and not np.array_equal(x3[:100], x_train[:100])
    (x_all, _), (x_none, _) = keras.datasets.digits.load_data(test_split=0.0)
    assert len(x_all) == 1797 and len(x_none) == 0


def test_digits_first_image_is_a_zero():
    # Row 0 of the UCI file, as printed in scikit-learn's docs: a handwritten 0.
    with np.load(os.path.join(os.path.dirname(keras.datasets.digits.__file__), "data", "digits.npz")) as f:
        assert f["labels"][0] == 0
        assert f["images"][0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


# -- toy datasets -------------------------------------------------------------------------------------------------
_TOY_2D = [toy.spirals, toy.moons, toy.circles, toy.xor]


@pytest.mark.parametrize("make", _TOY_2D, ids=lambda f: f.__name__)
def test_toy_2d_sets_are_deterministic_per_seed(make):
    x, y = make(150, seed=3)
    assert x.shape == (150, 2) and x.dtype == np.float32 and y.shape == (150,) and y.dtype == np.int32
    x2, y2 = make(150, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    x3, _ = make(150, seed=4)
    assert not np.array_equal(x, x3)
    assert set(np.unique(y).tolist()) == {0, 1}
    with pytest.raises(ValueError, match="n_samples"):
        make(0)
    with pytest.raises(ValueError, match="noise"):
        make(10, noise=-1)


def test_spirals_classes():
    x, y = toy.spirals(600, n_classes=4, noise=0.0, seed=0)
    assert sorted(set(y.tolist())) == [0, 1, 2, 3]
    # Noise-free arms are rotated copies: the same radius profile in every class.
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.max() <= 1.0 + 1e-6


def test_sine_sequences_targets_continue_the_wave():
    x, y = toy.sine_sequences(50, timesteps=12, noise=0.0, seed=0)
    assert x.shape == (50, 12, 1) and y.shape == (50, 1) and x.dtype == y.dtype == np.float32
    assert np.abs(x).max() <= 1.0 and np.abs(y).max() <= 1.0
    # A sine sampled at equal steps obeys s[t+1] = 2 cos(w) s[t] - s[t-1]; recover cos(w) and predict y.
    s = x[:, :, 0].astype(np.float64)
    cos_w = (s[:, 2] + s[:, 0]) / (2 * s[:, 1])
    ok = np.abs(s[:, 1]) > 0.2
    predicted = 2 * cos_w * s[:, -1] - s[:, -2]
    np.testing.assert_allclose(predicted[ok], y[ok, 0], atol=1e-3)
    np.testing.assert_array_equal(toy.sine_sequences(5, seed=1)[0], toy.sine_sequences(5, seed=1)[0])


def test_sequence_classification_labels_follow_marker_order():
    x, y = toy.sequence_classification(500, length=15, vocab_size=12, seed=0)
    assert x.shape == (500, 15) and x.dtype == np.int32 and y.dtype == np.int32
    assert ((x == 1).sum(axis=1) == 1).all() and ((x == 2).sum(axis=1) == 1).all()
    assert x.min() >= 1 and x.max() <= 11
    np.testing.assert_array_equal(y, ((x == 1).argmax(axis=1) < (x == 2).argmax(axis=1)).astype(np.int32))
    assert 0.4 < y.mean() < 0.6
    np.testing.assert_array_equal(x, toy.sequence_classification(500, length=15, vocab_size=12, seed=0)[0])
    with pytest.raises(ValueError, match="vocab_size"):
        toy.sequence_classification(10, vocab_size=3)


def test_sequence_classification_is_learnable_by_an_lstm():
    keras.utils.set_random_seed(0)
    x, y = toy.sequence_classification(600, length=12, seed=0)
    x_val, y_val = toy.sequence_classification(200, length=12, seed=1)
    model = keras.Sequential([keras.layers.Embedding(10, 8), keras.layers.LSTM(16),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    assert model.evaluate(x_val, y_val, verbose=0)[1] > 0.9


@pytest.mark.needs_subprocess
def test_import_kerasnb_does_not_load_the_loaders():
    import subprocess
    import sys

    code = "import sys, kerasnb; print(sorted(m for m in sys.modules if m.startswith('kerasnb.datasets.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
