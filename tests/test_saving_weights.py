"""Weight files: atomic writes, safe HDF5 reading, and Keras 3's and the legacy layouts (kerasnb.saving).

Files real Keras 3.15 wrote live in ``tests/reference/saving_weights/`` (made by
``tests/reference/make_weight_refs.py``): kerasnb must load them and predict what Keras predicted, and, after one
more training step from the restored optimizer state, what Keras predicted after that step.
"""

import io
import json
import os
import pathlib
import re
import zipfile

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

import kerasnb as keras  # noqa: E402
from kerasnb import layers as L  # noqa: E402
from kerasnb.saving import atomic, h5io  # noqa: E402
from kerasnb.saving import weights as W  # noqa: E402

REFERENCE = pathlib.Path(__file__).parent / "reference" / "saving_weights"


@pytest.fixture(scope="module")
def ref():
    with np.load(REFERENCE / "saving_weights_reference.npz", allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


def randomize(model, seed=0):
    """Give every float weight distinct random values (so a swapped or skipped weight shows)."""
    rng = np.random.default_rng(seed)
    for v in model.weights:
        if v.dtype.kind == "f":
            v.assign(rng.uniform(0.2, 1.2, v.shape).astype(v.dtype))  # positive: variances stay valid


def list_files(folder):
    return sorted(os.listdir(folder))


# ---------------------------------------------------------------------------------------------------------
# Models (the same architectures as tests/reference/make_weight_refs.py builds in Keras)
# ---------------------------------------------------------------------------------------------------------


def functional_model():
    seq = keras.Input((5, 4), name="seq")
    vec = keras.Input((6,), name="vec")
    s = L.Normalization()(seq)[:, 0]
    shared = L.Dense(4, name="shared")
    a = shared(vec)
    h = L.Dense(6, activation="relu")(vec)
    b = shared(h)
    v = L.Add()([a, b])
    inner = keras.Sequential([keras.Input((4,)), L.Dense(4, activation="tanh"), L.BatchNormalization()], name="inner")
    v = inner(v)
    z = L.Concatenate()([v, s])
    out = L.Dense(2)(z)
    return keras.Model([seq, vec], out)


class Block(L.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.inner = L.Dense(units)
        self.norm = L.LayerNormalization()

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
        self.offset = self.add_weight(shape=(), initializer="zeros", name="offset", trainable=False)

    def call(self, x):
        return self.norm(self.inner(x * self.scale)) + self.offset


class SeqModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.embed = L.Embedding(10, 4)
        self.rnns = [L.LSTM(3, return_sequences=True)]
        self.block = Block(3)
        self.zhead = L.Dense(1)
        self.heads = {"a": L.Dense(3)}
        self._tail = L.Dense(1)

    def call(self, x):
        h = self.embed(x)
        for rnn in self.rnns:
            h = rnn(h)
        h = self.block(self.heads["a"](h[:, -1]))
        return self.zhead(h) + self._tail(h)


def subclassed_model():
    model = SeqModel()
    model(np.zeros((1, 5), dtype="int32"))
    return model


def sequential_model():
    return keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu"), L.Dense(2)], name="mlp")


def many_layers_model():
    """A functional model with most layer kinds that hold weights, built from three inputs."""
    img = keras.Input((6, 6, 2))
    seq = keras.Input((5, 4))
    ids = keras.Input((5,), dtype="int32")
    c = L.Conv2D(3, 3, activation="relu")(img)
    c = L.BatchNormalization()(c)
    c = L.SeparableConv2D(2, 2)(c)
    c = L.DepthwiseConv2D(2)(c)
    c = L.Flatten()(c)
    s = L.MultiHeadAttention(2, 3)(seq, seq)
    s = L.LayerNormalization()(s)
    s = L.Bidirectional(L.LSTM(2, return_sequences=True))(s)
    s = L.GRU(3, return_sequences=True)(s)
    s = L.TimeDistributed(L.Dense(2))(s)
    s = L.Conv1D(2, 2)(s)
    s = L.GlobalAveragePooling1D()(s)
    e = L.Embedding(10, 3)(ids)
    e = L.SimpleRNN(2)(e)
    x = L.Concatenate()([c, s, e])
    x = L.PReLU()(x)
    out = L.Dense(2)(x)
    return keras.Model([img, seq, ids], out)


def many_layers_inputs(n=2):
    rng = np.random.default_rng(3)
    return [rng.standard_normal((n, 6, 6, 2)).astype("float32"), rng.standard_normal((n, 5, 4)).astype("float32"),
            rng.integers(0, 10, (n, 5)).astype("int32")]


# ---------------------------------------------------------------------------------------------------------
# atomic.py
# ---------------------------------------------------------------------------------------------------------


def test_atomic_write_replaces_and_creates_folders(tmp_path):
    path = tmp_path / "a" / "b" / "file.bin"
    with atomic.atomic_write(path) as f:
        f.write(b"one")
    assert path.read_bytes() == b"one"
    with atomic.atomic_write(path) as f:
        f.write(b"two")
    assert path.read_bytes() == b"two"
    assert list_files(path.parent) == ["file.bin"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_atomic_write_interrupted_keeps_old_file(tmp_path, error):
    path = tmp_path / "file.bin"
    path.write_bytes(b"precious" * 100)
    with pytest.raises(error):
        with atomic.atomic_write(path) as f:
            f.write(b"half")
            raise error("interrupted")
    assert path.read_bytes() == b"precious" * 100
    assert list_files(tmp_path) == ["file.bin"]


def test_atomic_path_and_modes(tmp_path):
    path = tmp_path / "x.txt"
    with atomic.atomic_path(path) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path) and os.path.basename(tmp).startswith(".x.txt.")
        pathlib.Path(tmp).write_text("hello")
    assert path.read_text() == "hello"
    with pytest.raises(ValueError, match="interrupted"):
        with atomic.atomic_path(path) as tmp:
            pathlib.Path(tmp).write_text("bye")
            raise ValueError("interrupted")
    assert path.read_text() == "hello" and list_files(tmp_path) == ["x.txt"]
    with pytest.raises(ValueError, match="mode"):
        with atomic.atomic_write(path, "ab"):
            pass
    with atomic.atomic_write(path, "w") as f:
        f.write("text é")
    assert path.read_text(encoding="utf-8") == "text é"


def test_atomic_write_keeps_permissions_and_follows_links(tmp_path):
    path = tmp_path / "file"
    path.write_bytes(b"x")
    os.chmod(path, 0o640)
    link = tmp_path / "link"
    link.symlink_to(path)
    with atomic.atomic_write(link) as f:
        f.write(b"new")
    assert link.is_symlink() and path.read_bytes() == b"new"
    assert (os.stat(path).st_mode & 0o777) == 0o640
    with pytest.raises(IsADirectoryError):
        with atomic.atomic_write(tmp_path):
            pass


# ---------------------------------------------------------------------------------------------------------
# h5io.py: refusing unsafe or broken files
# ---------------------------------------------------------------------------------------------------------


def make_h5(path, build):
    with h5py.File(path, "w") as f:
        f.create_group("layers").create_group("dense").create_group("vars")["0"] = np.ones((2, 2), "float32")
        build(f)
    return path


def refused(path, match, **kwargs):
    with pytest.raises(ValueError, match=match):
        with h5io.open_for_reading(path, **kwargs):
            pass


def test_refuses_external_link(tmp_path):
    other = make_h5(tmp_path / "other.h5", lambda f: None)
    path = make_h5(tmp_path / "w.h5", lambda f: f.__setitem__("ext", h5py.ExternalLink(str(other), "/layers")))
    refused(path, r"'/ext': it is an external link .*other\.h5")


def test_refuses_soft_link(tmp_path):
    path = make_h5(tmp_path / "w.h5", lambda f: f["layers/dense"].__setitem__("alias", h5py.SoftLink("/layers")))
    refused(path, r"'/layers/dense/alias': it is a soft link \(to '/layers'\)")


def test_refuses_external_storage(tmp_path):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(np.arange(4, dtype="float32").tobytes())
    path = make_h5(tmp_path / "w.h5", lambda f: f.create_dataset("x", shape=(4,), dtype="float32",
                                                                   external=[(str(raw), 0, 16)]))
    refused(path, r"dataset '/x': its values are stored in external file\(s\) .*raw\.bin")


def test_refuses_virtual_dataset(tmp_path):
    source = make_h5(tmp_path / "source.h5", lambda f: f.__setitem__("data", np.arange(4.0)))

    def build(f):
        layout = h5py.VirtualLayout(shape=(4,), dtype="float64")
        layout[:] = h5py.VirtualSource(str(source), "data", shape=(4,))
        f.create_virtual_dataset("v", layout)

    path = make_h5(tmp_path / "w.h5", build)
    refused(path, r"dataset '/v': it is a virtual dataset")


def test_refuses_huge_declared_dataset_with_nothing_stored(tmp_path):
    # 1.6 GB declared (under the 2 GiB bound), nothing written: reading would allocate it all from a 2 kB file.
    path = make_h5(tmp_path / "w.h5", lambda f: f.create_dataset("big", shape=(400_000_000,), dtype="float32"))
    assert os.path.getsize(path) < 20_000
    refused(path, r"dataset '/big': its shape \(400000000,\) of float32 declares 1600000000 bytes but only 0 bytes")


def test_refuses_over_the_size_bound_and_compression_claims(tmp_path):
    path = make_h5(tmp_path / "w.h5", lambda f: f.create_dataset("big", shape=(10**9,), dtype="float32"))
    refused(path, r"declares 4000000000 bytes, more than max_dataset_bytes=2147483648")
    refused(make_h5(tmp_path / "small.h5", lambda f: None), r"declares 16 bytes, more than max_dataset_bytes=8",
            max_dataset_bytes=8)

    def compressed(f):
        d = f.create_dataset("z", shape=(200_000_000,), dtype="float32", chunks=(1_000_000,), compression="gzip")
        d[:10] = 1.0  # one chunk stored: a few kB that claim 800 MB

    refused(make_h5(tmp_path / "z.h5", compressed), r"dataset '/z': it declares 800000000 bytes but stores \d+")


def test_small_unwritten_and_compressed_datasets_are_fine(tmp_path):
    def build(f):
        f.create_dataset("fill", shape=(10,), dtype="float32", fillvalue=2.0)
        f.create_dataset("zeros", data=np.zeros(100_000, "float32"), compression="gzip", chunks=(10_000,))

    with h5io.open_for_reading(make_h5(tmp_path / "w.h5", build)) as f:
        np.testing.assert_array_equal(h5io.read_dataset(f["fill"]), np.full(10, 2.0, "float32"))
        assert h5io.read_dataset(f["zeros"]).sum() == 0


def test_refuses_non_numeric_datasets_and_unknown_filters(tmp_path):
    refused(make_h5(tmp_path / "s.h5", lambda f: f.__setitem__("s", np.array([b"abc"]))),
            r"dataset '/s': expected numbers .* received values of dtype \|S3 \(strings\)")
    refused(make_h5(tmp_path / "v.h5", lambda f: f.create_dataset("v", (2,), dtype=h5py.vlen_dtype("float32"))),
            r"dataset '/v': expected numbers .*variable-length")
    refused(make_h5(tmp_path / "c.h5", lambda f: f.__setitem__("c", np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]))),
            r"dataset '/c': expected numbers .*compound")
    refused(make_h5(tmp_path / "o.h5", lambda f: f.create_dataset("o", (2,), dtype=h5py.string_dtype())),
            r"dataset '/o': expected numbers")
    refused(make_h5(tmp_path / "p.h5", lambda f: f.create_dataset("p", (4,), dtype="float32", chunks=(4,),
                                                                   compression=32123, allow_unknown_filter=True)),
            r"dataset '/p': it uses HDF5 filter 32123")


def test_refuses_too_many_objects_and_too_deep(tmp_path):
    def deep(f):
        g = f
        for i in range(10):
            g = g.create_group(f"g{i}")

    refused(make_h5(tmp_path / "deep.h5", deep), r"nested more than 5 levels deep \(max_depth\)", max_depth=5)
    refused(make_h5(tmp_path / "many.h5", deep), r"more than 6 objects", max_objects=6)


def test_hard_link_cycles_are_walked_once(tmp_path):
    model = sequential_model()
    randomize(model)
    path = tmp_path / "loop.weights.h5"
    W.save_weights(model, path)
    with h5py.File(path, "r+") as f:
        f["layers/dense/loop"] = f["layers"]  # a hard link back up: the file is now a cycle
    other = sequential_model()
    W.load_weights(other, path)
    assert_same_weights(model, other)


def test_truncated_random_empty_and_missing_files(tmp_path):
    model = sequential_model()
    good = tmp_path / "good.weights.h5"
    W.save_weights(model, good)
    data = good.read_bytes()
    (tmp_path / "cut.weights.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut.weights.h5 is not a valid HDF5 file or is truncated/corrupted: .*"):
        W.load_weights(model, tmp_path / "cut.weights.h5")
    (tmp_path / "noise.h5").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match=r"noise.h5 is not a valid HDF5 file or is truncated/corrupted: it does not "
                                         r"start with the HDF5 signature"):
        h5io.open_for_reading(tmp_path / "noise.h5").__enter__()
    (tmp_path / "empty.h5").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty.h5 is not a valid HDF5 file or is truncated/corrupted: the file is "
                                         r"empty"):
        W.load_weights(model, tmp_path / "empty.h5")
    with pytest.raises(FileNotFoundError):
        h5io.open_for_reading(tmp_path / "missing.h5").__enter__()
    with pytest.raises(FileNotFoundError, match="No such file"):
        W.load_weights(model, tmp_path / "missing.weights.h5")
    with pytest.raises(ValueError, match=r"in memory is not a valid HDF5 file or is truncated"):
        h5io.open_for_reading(io.BytesIO(data[:100]), name="in memory").__enter__()


def test_corrupted_dataset_bytes_are_reported(tmp_path):
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(1000, dtype="float32"), chunks=(100,), compression="gzip")
    data = bytearray(path.read_bytes())
    with h5py.File(path, "r") as f:
        offset = f["x"].id.get_chunk_info(0).byte_offset
    data[offset:offset + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))
    with h5io.open_for_reading(path) as f:
        with pytest.raises(ValueError, match=r"w.h5 is not a valid HDF5 file or is truncated/corrupted: reading '/x'"):
            h5io.read_dataset(f["x"])


def test_read_dataset_bfloat16_and_byte_order(tmp_path):
    path = tmp_path / "w.h5"
    values = np.array([1.5, -2.25, 3.0], dtype="float32")
    bf16 = (values.view(np.uint32) >> 16).astype("<u2")
    with h5py.File(path, "w") as f:
        d = f.create_dataset("bf", data=bf16.view("V2"))
        d.attrs["dtype"] = "bfloat16"
        f["big_endian"] = values.astype(">f4")
    with h5io.open_for_reading(path) as f:
        np.testing.assert_array_equal(h5io.read_dataset(f["bf"]), values)
        be = h5io.read_dataset(f["big_endian"])
        assert be.dtype == np.dtype("float32") and be.dtype.isnative
        np.testing.assert_array_equal(be, values)


def test_string_attributes_all_spellings_and_split(tmp_path):
    path = tmp_path / "a.h5"
    names = [f"layer_with_a_long_name_{i:05d}" for i in range(5000)]
    with h5py.File(path, "w") as f:
        f.attrs["vlen_bytes"] = [b"dense", b"dense_1"]
        f.attrs["fixed"] = np.array([b"dense", b"dense_1"])
        f.attrs["vlen_str"] = ["dénse", "b"]
        f.attrs["scalar_bytes"] = b"tensorflow"
        f.attrs["scalar_fixed"] = np.bytes_(b"2.13.1")
        f.attrs["empty"] = []
        h5io.write_string_list_attribute(f, "names", names)
        h5io.write_string_list_attribute(f, "short", ["a", "b"])
        h5io.write_string_list_attribute(f, "none", [])
    with h5io.open_for_reading(path) as f:
        assert h5io.read_string_list_attribute(f, "vlen_bytes") == ["dense", "dense_1"]
        assert h5io.read_string_list_attribute(f, "fixed") == ["dense", "dense_1"]
        assert h5io.read_string_list_attribute(f, "vlen_str") == ["dénse", "b"]
        assert h5io.read_string_attribute(f, "scalar_bytes") == "tensorflow"
        assert h5io.read_string_attribute(f, "scalar_fixed") == "2.13.1"
        assert h5io.read_string_list_attribute(f, "empty") == []
        assert h5io.read_string_list_attribute(f, "none") == []
        assert h5io.read_string_list_attribute(f, "missing") is None
        assert h5io.read_string_list_attribute(f, "names") == names
        assert "names" not in f.attrs and "names0" in f.attrs and "names1" in f.attrs
        assert all(f.attrs.get_id(k).dtype.itemsize * f.attrs.get_id(k).shape[0] <= h5io.HDF5_OBJECT_HEADER_LIMIT
                   for k in f.attrs if k.startswith("names"))
        # unsplit lists are variable-length ASCII, as Keras 3 writes them
        aid = f.attrs.get_id("short")
        assert aid.dtype.kind == "O" and aid.get_type().get_cset() == h5py.h5t.CSET_ASCII
        with pytest.raises(ValueError, match="should hold one text value"):
            h5io.read_string_attribute(f, "fixed")


@pytest.mark.needs_subprocess
def test_h5py_is_imported_lazily():
    import subprocess
    import sys

    code = "import sys, kerasnb, kerasnb.saving.weights, kerasnb.saving.h5io; print('h5py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_missing_h5py_explains(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("No module named 'h5py'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_h5py)
    with pytest.raises(ImportError, match=r"needs the h5py package.*Pyodide"):
        h5io.require_h5py()


# ---------------------------------------------------------------------------------------------------------
# Keras 3 layout
# ---------------------------------------------------------------------------------------------------------


def build_from_spec(s):
    if isinstance(s, list):
        return [build_from_spec(item) for item in s]
    if not (isinstance(s, dict) and "class" in s):
        return s
    return getattr(keras.layers, s["class"])(**{k: build_from_spec(v) for k, v in s["args"].items()})


def layout_cases():
    data = json.loads((REFERENCE / "layouts.json").read_text())
    data.pop("__meta__")
    return sorted(data.items())


@pytest.mark.parametrize("name,case", layout_cases(), ids=[name for name, _ in layout_cases()])
def test_layout_matches_what_keras_writes(name, case):
    layer = build_from_spec(case["spec"])
    x = keras.Input(tuple(case["shape"]), dtype=case["dtype"])
    if case["call"] == "self":
        y = layer(x, x)
    elif case["call"] == "pair":
        y = layer([x, x])
    else:
        y = layer(x)
    model = keras.Model(x, y)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        W.write_keras3_weights(model, f)
        entries = []

        def visit(path, obj):
            if isinstance(obj, h5py.Dataset):
                entries.append([f"layers/{path}", list(obj.shape)])
            elif path.endswith("vars"):
                entries.append([f"layers/{path}", None])

        f["layers"].visititems(visit)
        legacy = io.BytesIO()
        with h5py.File(legacy, "w") as g:
            W.write_legacy_weights(model, g)
            weight_names = h5io.read_string_list_attribute(g[layer.name], "weight_names")
    keras_entries = [[path, shape] for path, shape, _ in case["entries"]]
    assert sorted(entries) == keras_entries
    # legacy names: the same weights in the same order, named by the path of layers (numbering aside)
    expected = case["legacy_weight_names"]
    assert [n.split("/")[-1] for n in weight_names] == [n.split("/")[-1] for n in expected]
    assert [n.count("/") for n in weight_names] == [n.count("/") for n in expected]


def test_keras_order_of_functional_layers():
    model = functional_model()
    named = {"vec", "seq", "shared", "inner"}
    names = [layer.name if layer.name in named else type(layer).__name__ for layer in model.layers]
    # Keras sorts by depth: 'vec' feeds the longest path, the Dense before 'shared' (its second call is deeper);
    # the layers run in another order ('seq' is an input, so it is ready first)
    assert names == ["vec", "Dense", "shared", "seq", "Add", "Normalization", "inner", "Concatenate", "Dense"]
    ran = []
    for node in model._nodes:
        if node.layer not in ran:
            ran.append(node.layer)
    assert [layer.name if layer.name in named else type(layer).__name__ for layer in ran] != names
    keys = [e.path for e in W._keras3_entries(model) if e.path.count("/") == 1]
    assert keys == ["layers/input_layer", "layers/dense", "layers/dense_1", "layers/input_layer_1", "layers/add",
                    "layers/normalization", "layers/sequential", "layers/concatenate", "layers/dense_2"]


def test_read_functional_file_keras_wrote(ref):
    model = functional_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    W.load_weights(model, REFERENCE / "functional_adam.weights.h5")
    xs = [ref["functional/x0"], ref["functional/x1"]]
    np.testing.assert_allclose(model.predict(xs, verbose=0), ref["functional/y"], atol=1e-5)
    assert int(model.optimizer.iterations) == 1
    assert all(v.dtype == np.float32 for v in model.weights if v.dtype.kind == "f")
    # The slots come back in kerasnb's order, from Keras's: the next step is Keras's next step.
    model.train_on_batch([ref["functional/step_x0"], ref["functional/step_x1"]], ref["functional/step_y"])
    np.testing.assert_allclose(model.predict(xs, verbose=0), ref["functional/y_after"], atol=1e-5)


def test_read_subclassed_file_keras_wrote(ref):
    model = subclassed_model()
    keys = [e.path for e in W._keras3_entries(model)]
    assert keys == ["", "block", "block/inner", "block/norm", "embed", "heads/dense", "layers/lstm",
                    "layers/lstm/cell", "layers/dense", "layers/dense_2"]
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="mse")
    W.load_weights(model, REFERENCE / "subclassed_rmsprop.weights.h5")
    np.testing.assert_allclose(model.predict(ref["subclassed/x0"], verbose=0), ref["subclassed/y"], atol=1e-5)
    model.train_on_batch(ref["subclassed/step_x0"], ref["subclassed/step_y"])
    np.testing.assert_allclose(model.predict(ref["subclassed/x0"], verbose=0), ref["subclassed/y_after"], atol=1e-5)


def test_written_file_has_keras_structure():
    model = functional_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit([np.ones((4, 5, 4)), np.ones((4, 6))], np.ones((4, 2)), verbose=0)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        W.write_keras3_weights(model, f, optimizer=model.optimizer)
    mine, theirs = [], []
    with h5py.File(buffer, "r") as f:
        f.visititems(lambda n, o: mine.append((n, getattr(o, "shape", None))))
        assert f["vars"].attrs["name"] == model.name and f["layers/dense_1/vars"].attrs["name"] == "shared"
        assert f["optimizer/vars"].attrs["name"] == model.optimizer.name
        assert f["optimizer/vars/0"].dtype.kind == "i" and f["layers/dense/vars/0"].dtype == np.float32
    with h5py.File(REFERENCE / "functional_adam.weights.h5", "r") as f:
        f.visititems(lambda n, o: theirs.append((n, getattr(o, "shape", None))))
    assert sorted(mine) == sorted(theirs)


@pytest.mark.parametrize("suffix", [".weights.h5", ".h5", ""])
def test_round_trip_many_layer_kinds(tmp_path, suffix):
    source, target = many_layers_model(), many_layers_model()
    randomize(source, seed=1)
    randomize(target, seed=2)
    path = tmp_path / f"model{suffix}"
    W.save_weights(source, path)
    W.load_weights(target, path)
    assert_same_weights(source, target)
    xs = many_layers_inputs()
    np.testing.assert_array_equal(source.predict(xs, verbose=0), target.predict(xs, verbose=0))


def test_round_trip_subclassed_and_nested(tmp_path):
    source, target = subclassed_model(), subclassed_model()
    randomize(source, 1)
    W.save_weights(source, tmp_path / "m.weights.h5")
    W.load_weights(target, tmp_path / "m.weights.h5")
    assert_same_weights(source, target)
    outer_a = keras.Sequential([keras.Input((6,)), functional_model_part(), L.Dense(2)])
    outer_b = keras.Sequential([keras.Input((6,)), functional_model_part(), L.Dense(2)])
    randomize(outer_a, 3)
    W.save_weights(outer_a, tmp_path / "n.weights.h5")
    W.load_weights(outer_b, tmp_path / "n.weights.h5")
    assert_same_weights(outer_a, outer_b)
    with h5py.File(tmp_path / "n.weights.h5", "r") as f:
        assert "layers/functional/layers/dense/vars/0" in f and "layers/dense/vars/0" in f


def functional_model_part():
    x = keras.Input((6,))
    return keras.Model(x, L.BatchNormalization()(L.Dense(3)(x)))


def test_optimizer_state_round_trip_continues_exactly(tmp_path):
    rng = np.random.default_rng(0)
    x = [rng.standard_normal((16, 5, 4)).astype("float32"), rng.standard_normal((16, 6)).astype("float32")]
    y = rng.standard_normal((16, 2)).astype("float32")
    for optimizer in (lambda: keras.optimizers.Adam(0.01), lambda: keras.optimizers.SGD(0.05, momentum=0.9),
                      lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True)):
        keras.utils.set_random_seed(5)
        model = functional_model()
        model.compile(optimizer=optimizer(), loss="mse")
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        W.save_weights(model, tmp_path / "ckpt.weights.h5")
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)  # the uninterrupted run
        resumed = functional_model()
        resumed.compile(optimizer=optimizer(), loss="mse")
        W.load_weights(resumed, tmp_path / "ckpt.weights.h5")
        resumed.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        assert_same_weights(model, resumed)
        assert int(resumed.optimizer.iterations) == int(model.optimizer.iterations) == 4


def test_optimizer_slots_are_written_in_keras_order():
    model = functional_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss="mse")
    model.fit([np.ones((2, 5, 4)), np.ones((2, 6))], np.ones((2, 2)), verbose=0)
    keras_order = W._keras_trainable_variables(model)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        W.write_keras3_weights(model, f, optimizer=model.optimizer)
    with h5py.File(buffer, "r") as f:
        stored = [f[f"optimizer/vars/{i}"][()] for i in range(len(f["optimizer/vars"]))]
    assert [s.shape for s in stored[2::2]] == [tuple(v.shape) for v in keras_order]  # momentum of each, in order
    assert [v.name for v in keras_order][:3] == ["kernel", "bias", "kernel"]
    assert tuple(keras_order[0].shape) == (6, 6)  # the Dense feeding 'shared' comes first in Keras's order


def test_optimizer_mismatch_warns_and_weights_still_load(tmp_path):
    model = sequential_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 4)), np.ones((4, 2)), verbose=0)
    W.save_weights(model, tmp_path / "w.weights.h5")
    other = sequential_model()
    other.compile(optimizer=keras.optimizers.SGD(momentum=0.9), loss="mse")
    with pytest.warns(UserWarning, match=r"skipping the optimizer state .*has 6 variables but the file holds 10"):
        W.load_weights(other, tmp_path / "w.weights.h5")
    assert_same_weights(model, other)
    plain = sequential_model()  # not compiled: the optimizer group is ignored
    W.load_weights(plain, tmp_path / "w.weights.h5")
    assert_same_weights(model, plain)


def test_unbuilt_optimizer_state_loads_into_unbuilt_optimizer(tmp_path):
    model = sequential_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss="mse")
    W.save_weights(model, tmp_path / "w.weights.h5")
    other = sequential_model()
    other.compile(optimizer="adam", loss="mse")
    W.load_weights(other, tmp_path / "w.weights.h5")
    assert not other.optimizer.built
    assert float(other.optimizer.learning_rate) == pytest.approx(0.005)


def test_mismatch_lists_every_layer_and_loads_nothing(tmp_path):
    source = keras.Sequential([keras.Input((4,)), L.Dense(3), L.Dense(2), L.BatchNormalization()])
    W.save_weights(source, tmp_path / "w.weights.h5")
    target = keras.Sequential([keras.Input((4,)), L.Dense(3), L.Dense(5), L.LayerNormalization(), L.Dense(1)])
    before = target.get_weights()
    with pytest.raises(ValueError) as info:
        W.load_weights(target, tmp_path / "w.weights.h5")
    message = str(info.value)
    assert "3 layers do not match the file (nothing was loaded)" in message
    assert ("(at layers/dense_1/vars): expected 2 variable(s) [kernel (3, 5), bias (5,)], received 2 [0 (3, 2), "
            "1 (2,)]") in message
    assert ("(at layers/layer_normalization/vars): expected 2 variable(s) [gamma (5,), beta (5,)], received none "
            "(the file has no weights at this path)") in message
    assert "(at layers/dense_2/vars): expected 2 variable(s) [kernel (5, 1), bias (1,)], received none" in message
    assert "skip_mismatch=True" in message
    for a, b in zip(before, target.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning) as record:
        W.load_weights(target, tmp_path / "w.weights.h5", skip_mismatch=True)
    assert any("skipped loading 3 layers" in str(w.message) for w in record)
    assert any("took: ['layers/batch_normalization/vars']" in str(w.message) for w in record)
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(), source.layers[0].kernel.numpy())


def test_unbuilt_models(tmp_path):
    model = sequential_model()
    W.save_weights(model, tmp_path / "w.weights.h5")
    unbuilt = SeqModel()
    with pytest.raises(ValueError, match=r"loading weights into model '.*', which has not been built yet"):
        W.load_weights(unbuilt, tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match=r"You are saving model '.*', which has not been built yet"):
        W.save_weights(unbuilt, tmp_path / "u.weights.h5")
    assert not os.path.exists(tmp_path / "u.weights.h5")
    lazy = keras.Sequential([L.Dense(3)])
    with pytest.raises(ValueError, match="has not been built yet"):
        W.load_weights(lazy, tmp_path / "w.weights.h5")


def test_unbuilt_model_with_known_input_shape_is_built_first(tmp_path):
    class Small(keras.Model):
        def __init__(self):
            super().__init__(input_shape=(4,))
            self.dense = L.Dense(2)

        def call(self, x):
            return self.dense(x)

    source = Small()
    source(np.ones((1, 4), "float32"))
    W.save_weights(source, tmp_path / "w.weights.h5")
    target = Small()
    assert not target.built
    W.load_weights(target, tmp_path / "w.weights.h5")
    assert target.built
    assert_same_weights(source, target)


def test_learning_rate_schedule_has_no_learning_rate_variable(tmp_path):
    def make():
        model = sequential_model()
        schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=10, decay_rate=0.9)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
        return model

    model = make()
    model.fit(np.ones((4, 4)), np.ones((4, 2)), verbose=0)
    W.save_weights(model, tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert len(f["optimizer/vars"]) == 1 + 2 * 4  # iterations, then m and v of 4 variables
        assert f["optimizer/vars/1"].shape == (4, 5)
    other = make()
    W.load_weights(other, tmp_path / "w.weights.h5")
    for a, b in zip(model.optimizer.variables, other.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_objects_to_skip_and_tf_keras_arguments(tmp_path):
    source, target = sequential_model(), sequential_model()
    randomize(source, 1)
    W.save_weights(source, tmp_path / "w.weights.h5", options=None)
    kept = target.layers[0].kernel.numpy()
    W.load_weights(target, tmp_path / "w.weights.h5", objects_to_skip=[target.layers[0]])
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(), kept)
    np.testing.assert_array_equal(target.layers[1].kernel.numpy(), source.layers[1].kernel.numpy())
    W.save_weights(source, tmp_path / "w.h5")
    with pytest.raises(ValueError, match="`objects_to_skip` only supports"):
        W.load_weights(target, tmp_path / "w.h5", objects_to_skip=[target.layers[0]])
    with pytest.raises(ValueError, match="max_shard_size"):
        W.save_weights(source, tmp_path / "x.weights.h5", max_shard_size=0.1)


def test_user_save_and_load_hooks(tmp_path):
    class Scaler(L.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w

        def save_own_variables(self, store):
            store["w_doubled"] = self.w.numpy() * 2

        def load_own_variables(self, store):
            self.w.assign(store["w_doubled"] / 2)

    def make():
        return keras.Sequential([keras.Input((3,)), Scaler()])

    source, target = make(), make()
    source.layers[0].w.assign([1.0, 2.0, 3.0])
    W.save_weights(source, tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        np.testing.assert_array_equal(f["layers/scaler/vars/w_doubled"][()], [2.0, 4.0, 6.0])
    W.load_weights(target, tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(target.layers[0].w.numpy(), [1.0, 2.0, 3.0])


def test_keras_2_13_checkpoint_dependencies_spelling(tmp_path):
    model = sequential_model()
    randomize(model)
    path = tmp_path / "old.weights.h5"
    W.save_weights(model, path)
    with h5py.File(path, "r+") as f:
        f.move("layers", "_layer_checkpoint_dependencies")
    other = sequential_model()
    W.load_weights(other, path)
    assert_same_weights(model, other)


# ---------------------------------------------------------------------------------------------------------
# Legacy layout
# ---------------------------------------------------------------------------------------------------------


def test_read_legacy_full_model_file_keras_wrote(ref):
    model = sequential_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9), loss="mse")
    W.load_weights(model, REFERENCE / "sequential_sgd.h5")
    np.testing.assert_allclose(model.predict(ref["sequential/x0"], verbose=0), ref["sequential/y"], atol=1e-5)
    with h5io.open_for_reading(REFERENCE / "sequential_sgd.h5") as f:
        assert h5io.read_string_list_attribute(f["optimizer_weights"], "weight_names")[:2] == [
            "sgd/iteration", "sgd/learning_rate"]
        assert W.read_legacy_optimizer_weights(model.optimizer, f["optimizer_weights"], model) is True
    assert int(model.optimizer.iterations) == 1
    model.train_on_batch(ref["sequential/step_x0"], ref["sequential/step_y"])
    np.testing.assert_allclose(model.predict(ref["sequential/x0"], verbose=0), ref["sequential/y_after"], atol=1e-5)


def test_legacy_written_layout_matches_keras(tmp_path):
    model = sequential_model()
    W.save_weights(model, tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "r") as mine, h5py.File(REFERENCE / "sequential_sgd.h5", "r") as theirs:
        group = theirs["model_weights"]
        for key in ("backend", "keras_version", "layer_names"):
            assert mine.attrs.get_id(key).dtype == group.attrs.get_id(key).dtype
            assert mine.attrs.get_id(key).get_type().get_cset() == group.attrs.get_id(key).get_type().get_cset()
        assert h5io.read_string_list_attribute(mine, "layer_names") == [layer.name for layer in model.layers]
        first = model.layers[0].name
        assert h5io.read_string_list_attribute(mine[first], "weight_names") == [f"mlp/{first}/kernel",
                                                                                f"mlp/{first}/bias"]
        assert f"{first}/mlp/{first}/kernel" in mine
        assert mine["top_level_model_weights"].attrs["weight_names"].dtype == np.float64
        assert list(mine["top_level_model_weights"].attrs["weight_names"]) == []


def write_tf_keras_file(path, model, with_optimizer=False):
    """A file as tf-keras 2.x's save_weights("w.h5") writes it: fixed-length byte-string attributes, weights
    named 'dense/kernel:0', float64 values here (to check they are cast), no top-level group."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([layer.name.encode() for layer in model.layers])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.15.0"
        for layer in model.layers:
            g = f.create_group(layer.name)
            names = [f"{layer.name}/{v.name}:0".encode() for v in layer.weights]
            g.attrs["weight_names"] = np.array(names)
            for name, v in zip(names, layer.weights):
                g.create_dataset(name.decode(), data=v.numpy().astype("float64"))
        if with_optimizer:
            opt = model.optimizer
            g = f.create_group("optimizer_weights")
            variables = [v for v in opt.variables if v is not opt._learning_rate]
            names = [b"iteration:0"] + [f"Adam/{v.name}:0".encode() for v in variables[1:]]
            g.attrs["weight_names"] = np.array(names)
            for name, v in zip(names, variables):
                g.create_dataset(name.decode(), data=v.numpy())


def test_read_tf_keras_weights_file(tmp_path):
    source = keras.Sequential([keras.Input((4,)), L.Dense(3, name="dense_a"), L.BatchNormalization(name="bn"),
                               L.Dense(2, name="out")])
    randomize(source)
    source.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    source.fit(np.ones((4, 4)), np.ones((4, 2)), verbose=0)
    write_tf_keras_file(tmp_path / "tf.h5", source, with_optimizer=True)
    target = keras.Sequential([keras.Input((4,)), L.Dense(3), L.BatchNormalization(), L.Dense(2)])
    target.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    W.load_weights(target, tmp_path / "tf.h5")
    assert_same_weights(source, target)
    assert all(v.dtype == np.float32 for v in target.weights)
    with h5io.open_for_reading(tmp_path / "tf.h5") as f:
        assert W.read_legacy_optimizer_weights(target.optimizer, f, target) is True
    assert int(target.optimizer.iterations) == 1
    for a, b in zip(source.optimizer.variables, target.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_old_tf_keras_optimizer_slots_are_not_misread(tmp_path):
    # tf.keras before 2.11 saved Adam's slots kind by kind ('.../m:0' for every variable, then '.../v:0'); by order
    # they would land in the wrong slots, so they are skipped with a warning.
    model = sequential_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 4)), np.ones((4, 2)), verbose=0)
    with h5py.File(tmp_path / "old.h5", "w") as f:
        g = f.create_group("optimizer_weights")
        variables = [(layer.name, w) for layer in model.layers for w in ("kernel", "bias")]
        names = ["Adam/iter:0"] + [f"Adam/{layer}/{w}/{kind}:0" for kind in ("m", "v") for layer, w in variables]
        g.attrs["weight_names"] = np.array([n.encode() for n in names])
        g["Adam/iter:0"] = np.int64(3)
        for name in names[1:]:
            _, layer, w, _ = name.split(":")[0].split("/")
            g[name] = np.zeros(getattr(model.get_layer(layer), w).shape, "float32")
    with h5io.open_for_reading(tmp_path / "old.h5") as f:
        with pytest.warns(UserWarning, match="older than 2.11"):
            assert W.read_legacy_optimizer_weights(model.optimizer, f, model) is False
    assert int(model.optimizer.iterations) == 1


def test_legacy_by_name_and_count_mismatch(tmp_path):
    source = keras.Sequential([keras.Input((4,)), L.Dense(3, name="a"), L.Dense(2, name="b")])
    randomize(source)
    W.save_weights(source, tmp_path / "w.h5")
    # by name: only 'b' matches; 'c' keeps its weights; layers without weights are ignored
    target = keras.Sequential([keras.Input((4,)), L.Dense(3, name="c"), L.Dropout(0.1), L.Dense(2, name="b")])
    before = target.layers[0].kernel.numpy()
    W.load_weights(target, tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(target.layers[2].kernel.numpy(), source.layers[1].kernel.numpy())
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(), before)
    # by order: names do not matter, layers without weights are skipped
    W.load_weights(target, tmp_path / "w.h5")
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(), source.layers[0].kernel.numpy())
    bigger = keras.Sequential([keras.Input((4,)), L.Dense(3), L.Dense(2), L.Dense(1)])
    with pytest.raises(ValueError, match=r"layer count mismatch .* expected 3 layers with weights, found 2 saved "
                                         r"layers.\n  the model's: \['dense.*'\]\n  the file's:  \['a', 'b'\]"):
        W.load_weights(bigger, tmp_path / "w.h5")
    wrong = keras.Sequential([keras.Input((4,)), L.Dense(3, name="a"), L.Dense(7, name="b")])
    with pytest.raises(ValueError, match=re.escape(
            "layer #1 (named 'b' in the model, 'b' in the file): expected 2 variable(s) [kernel (3, 7), bias (7,)], "
            "received 2 [") + r"\S*b/kernel \(3, 2\), \S*b/bias \(2,\)\]"):
        W.load_weights(wrong, tmp_path / "w.h5")
    with pytest.raises(ValueError, match=r"layer #1 \(named 'b'\): expected 2 variable\(s\)"):
        W.load_weights(wrong, tmp_path / "w.h5", by_name=True)
    with pytest.warns(UserWarning, match="skipped loading 1 layer"):
        W.load_weights(wrong, tmp_path / "w.h5", by_name=True, skip_mismatch=True)


def test_legacy_model_weights_group_of_full_model_file(tmp_path):
    source, target = many_layers_model(), many_layers_model()
    randomize(source, 4)
    with h5py.File(tmp_path / "full.h5", "w") as f:
        f.attrs["model_config"] = "{}"
        W.write_legacy_weights(source, f.create_group("model_weights"))
    W.load_weights(target, tmp_path / "full.h5")
    assert_same_weights(source, target)
    with h5io.open_for_reading(tmp_path / "full.h5") as f:
        again = many_layers_model()
        W.read_legacy_weights(again, f)  # given the file, finds model_weights
        W.read_legacy_weights(again, f["model_weights"])
    assert_same_weights(source, again)


def test_legacy_optimizer_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    x = [rng.standard_normal((8, 5, 4)).astype("float32"), rng.standard_normal((8, 6)).astype("float32")]
    y = rng.standard_normal((8, 2)).astype("float32")
    model = functional_model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(x, y, batch_size=4, shuffle=False, verbose=0)
    with h5py.File(tmp_path / "m.h5", "w") as f:
        W.write_legacy_weights(model, f.create_group("model_weights"))
        W.write_legacy_optimizer_weights(model.optimizer, f.create_group("optimizer_weights"), model)
        names = h5io.read_string_list_attribute(f["optimizer_weights"], "weight_names")
        assert len(names) == len(set(names)) == len(model.optimizer.variables)
    resumed = functional_model()
    resumed.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    with h5io.open_for_reading(tmp_path / "m.h5") as f:
        W.read_legacy_weights(resumed, f)
        assert W.read_legacy_optimizer_weights(resumed.optimizer, f["optimizer_weights"], resumed)
    model.fit(x, y, batch_size=4, shuffle=False, verbose=0)
    resumed.fit(x, y, batch_size=4, shuffle=False, verbose=0)
    assert_same_weights(model, resumed)


# ---------------------------------------------------------------------------------------------------------
# Files: extensions, the seeds' path, overwrite, atomicity, the model left alone
# ---------------------------------------------------------------------------------------------------------


def test_seed_path_without_extension(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = sequential_model()
    randomize(model)
    W.save_weights(model, "./weights/my_model")
    assert os.path.isfile("weights/my_model") and list_files("weights") == ["my_model"]
    with h5py.File("weights/my_model", "r") as f:
        assert "layers" in f and "vars" in f  # Keras 3's layout
    restored = sequential_model()
    W.load_weights(restored, "./weights/my_model")
    assert_same_weights(model, restored)
    x = np.ones((2, 4), "float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), restored.predict(x, verbose=0))


def test_extensions_and_layout_detection(tmp_path):
    model = sequential_model()
    with pytest.raises(ValueError, match=r"The filename must end in `.weights.h5` .* `.h5` or `.hdf5` .* no "
                                         r"extension .* save it with `model.save\(filepath\)`. "
                                         r"Received: filepath=.*m.keras"):
        W.save_weights(model, tmp_path / "m.keras")
    with pytest.raises(ValueError, match="Sharded weights"):
        W.save_weights(model, tmp_path / "m.weights.json")
    W.save_weights(model, tmp_path / "legacy.hdf5")
    with h5py.File(tmp_path / "legacy.hdf5", "r") as f:
        assert "layer_names" in f.attrs
    W.save_weights(model, tmp_path / "forced.weights.h5", save_format="h5")
    with h5py.File(tmp_path / "forced.weights.h5", "r") as f:
        assert "layer_names" in f.attrs
    # Keras 3 content under a legacy name, and legacy content under a Keras 3 name: the content decides
    W.save_weights(model, tmp_path / "k3.weights.h5")
    os.rename(tmp_path / "k3.weights.h5", tmp_path / "renamed.h5")
    other = sequential_model()
    W.load_weights(other, tmp_path / "renamed.h5")
    W.load_weights(other, tmp_path / "forced.weights.h5")
    assert_same_weights(model, other)
    with pytest.raises(ValueError, match=r"`by_name` only supports loading legacy '.h5' or '.hdf5' files"):
        W.load_weights(other, tmp_path / "renamed.h5", by_name=True)
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["data"] = np.ones(3)
    with pytest.raises(ValueError, match=r"holds no Keras weights: .*Found keys \['data'\]"):
        W.load_weights(other, tmp_path / "other.h5")
    (tmp_path / "ckpt.index").write_bytes(b"")
    with pytest.raises(ValueError, match="is a TensorFlow checkpoint"):
        W.load_weights(other, tmp_path / "ckpt")


def test_load_weights_from_keras_archive(tmp_path):
    source, target = functional_model(), functional_model()
    randomize(source)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        W.write_keras3_weights(source, f)
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1", "date_saved": "x"}))
        archive.writestr("config.json", "{}")
        archive.writestr("model.weights.h5", buffer.getvalue())
    W.load_weights(target, tmp_path / "m.keras")
    assert_same_weights(source, target)
    with pytest.raises(ValueError, match="by_name"):
        W.load_weights(target, tmp_path / "m.keras", by_name=True)


def test_overwrite_false(tmp_path):
    model = sequential_model()
    path = tmp_path / "w.weights.h5"
    W.save_weights(model, path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match=r"already exists and overwrite=False.*notebooks, which cannot be asked"):
        W.save_weights(model, path, overwrite=False)
    assert path.read_bytes() == before
    with pytest.raises(IsADirectoryError):
        W.save_weights(model, tmp_path)


@pytest.mark.parametrize("name, writer", [("w.weights.h5", "write_keras3_weights"), ("w.h5", "write_legacy_weights")])
def test_interrupted_save_keeps_previous_file(tmp_path, monkeypatch, name, writer):
    model = sequential_model()
    path = tmp_path / name
    W.save_weights(model, path)
    before = path.read_bytes()
    real = getattr(W, writer)

    def half_then_fail(model, group, *args, **kwargs):
        real(model, group, *args, **kwargs)
        group.create_dataset("partial", data=np.ones(10))
        raise KeyboardInterrupt  # the kernel interrupted mid-save

    randomize(model, 9)
    monkeypatch.setattr(W, writer, half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        W.save_weights(model, path)
    assert path.read_bytes() == before
    assert list_files(tmp_path) == [name]


def test_saving_does_not_change_the_model(tmp_path):
    model = functional_model()
    model.compile(optimizer="adam", loss="mse")
    weights = model.get_weights()
    W.save_weights(model, tmp_path / "a.weights.h5")
    W.save_weights(model, tmp_path / "a.h5")
    assert not model.optimizer.built and len(model.optimizer.variables) == 2
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with h5py.File(tmp_path / "a.weights.h5", "r") as f:
        assert len(f["optimizer/vars"]) == 2  # iterations and learning_rate, as Keras writes an unbuilt optimizer

