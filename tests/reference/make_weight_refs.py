"""Generate the weight files real Keras writes, which ``tests/test_saving_weights.py`` reads with kerasnb.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment (see ``make_refs.py``), and writes ``tests/reference/saving_weights/``, which is committed::

    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_weight_refs.py

Three small HDF5 files, exactly as Keras 3 saves them (HDF5 spends ~1 kB per group, so the models are small):

* ``functional_adam.weights.h5`` - ``model.save_weights`` of a functional model with two inputs: a sequence
  branch (an adapted Normalization, then a slice: an operation, not a layer) and a vector branch with a shared
  Dense layer called at two depths (Keras orders layers by depth, not by call order, and keeps the optimizer's
  slots in that order) and a nested Sequential with BatchNormalization; compiled with Adam and trained one
  step, so the file holds ``optimizer/vars``.
* ``subclassed_rmsprop.weights.h5`` - a subclassed model whose attributes are layers (Embedding, a list holding
  an LSTM, a custom layer with its own trainable and non-trainable weights and sublayers, a dict of layers, a
  private attribute): Keras walks the attributes sorted by name, private ones last, with the model's ``layers``
  list in its sorted place, which gives keys such as ``layers/lstm``; compiled with RMSprop, trained one step.
* ``sequential_sgd.h5`` - the legacy full-model file (``model.save("m.h5")``) of a Sequential MLP compiled with
  SGD(momentum=0.9) and trained one step: ``model_weights/`` and ``optimizer_weights/``.

``saving_weights_reference.npz`` holds, per model ``M``: the inputs (``M/x<i>``), Keras's predictions in
inference mode (``M/y``), a second training batch (``M/step_x<i>``, ``M/step_y``) and Keras's predictions after
one more ``train_on_batch`` on it (``M/y_after``), which depend on the restored optimizer state. ``__meta__`` is
a JSON string with the versions and the seed.

``layouts.json`` records, for one layer of each kind in a functional model (``CASES`` below: a spec
``{"class", "args"}`` whose arguments may be specs themselves, an input shape and dtype, and how it is called),
what ``save_weights`` writes under ``layers/``: every ``vars`` group and dataset with its shape and dtype; and
what ``model.save("m.h5")`` writes: each layer's ``weight_names``.
"""

import io
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

try:
    import h5py
    import keras
except ImportError:  # pytest's --doctest-modules imports every file under tests/, also in kerasnb's own test
    h5py = keras = None  # environment, which has no Keras: only main() needs it

SEED = 20240915
OUT_DIR = Path(__file__).with_name("saving_weights")


def spec(cls, **args):
    return {"class": cls, "args": args}


# name, layer spec, input shape (no batch), input dtype, call ("one": layer(x), "self": layer(x, x) for
# MultiHeadAttention, "pair": layer([x, x]) for Attention), adapt (Normalization.adapt on random data)
CASES = [
    ("dense", spec("Dense", units=3), [4], "float32", "one"),
    ("dense_no_bias", spec("Dense", units=3, use_bias=False), [4], "float32", "one"),
    ("conv1d", spec("Conv1D", filters=2, kernel_size=3), [6, 2], "float32", "one"),
    ("conv2d", spec("Conv2D", filters=2, kernel_size=3), [6, 6, 2], "float32", "one"),
    ("conv3d", spec("Conv3D", filters=2, kernel_size=2), [4, 4, 4, 2], "float32", "one"),
    ("conv2d_transpose", spec("Conv2DTranspose", filters=2, kernel_size=3), [4, 4, 2], "float32", "one"),
    ("depthwise_conv2d", spec("DepthwiseConv2D", kernel_size=3, depth_multiplier=2), [5, 5, 2], "float32", "one"),
    ("separable_conv2d", spec("SeparableConv2D", filters=3, kernel_size=3), [5, 5, 2], "float32", "one"),
    ("embedding", spec("Embedding", input_dim=10, output_dim=3), [5], "int32", "one"),
    ("batch_normalization", spec("BatchNormalization"), [4], "float32", "one"),
    ("batch_normalization_no_center", spec("BatchNormalization", center=False), [4], "float32", "one"),
    ("layer_normalization", spec("LayerNormalization"), [3, 4], "float32", "one"),
    ("group_normalization", spec("GroupNormalization", groups=2), [3, 4], "float32", "one"),
    ("prelu", spec("PReLU"), [4], "float32", "one"),
    ("simple_rnn", spec("SimpleRNN", units=3), [5, 2], "float32", "one"),
    ("gru", spec("GRU", units=3), [5, 2], "float32", "one"),
    ("gru_reset_before", spec("GRU", units=3, reset_after=False), [5, 2], "float32", "one"),
    ("lstm", spec("LSTM", units=3), [5, 2], "float32", "one"),
    ("conv_lstm2d", spec("ConvLSTM2D", filters=2, kernel_size=3), [3, 5, 5, 2], "float32", "one"),
    ("bidirectional_lstm", spec("Bidirectional", layer=spec("LSTM", units=2)), [5, 2], "float32", "one"),
    ("bidirectional_gru_backward", spec("Bidirectional", layer=spec("GRU", units=2),
                                        backward_layer=spec("GRU", units=2, go_backwards=True)),
     [5, 2], "float32", "one"),
    ("time_distributed", spec("TimeDistributed", layer=spec("Dense", units=2)), [3, 4], "float32", "one"),
    ("rnn_cell", spec("RNN", cell=spec("LSTMCell", units=3)), [5, 2], "float32", "one"),
    ("rnn_stacked", spec("RNN", cell=spec("StackedRNNCells", cells=[spec("LSTMCell", units=3),
                                                                     spec("GRUCell", units=2)])),
     [5, 2], "float32", "one"),
    ("rnn_cell_list", spec("RNN", cell=[spec("SimpleRNNCell", units=3), spec("LSTMCell", units=2)]), [5, 2],
     "float32", "one"),
    ("multi_head_attention", spec("MultiHeadAttention", num_heads=2, key_dim=3), [5, 4], "float32", "self"),
    ("multi_head_attention_no_bias", spec("MultiHeadAttention", num_heads=2, key_dim=3, value_dim=2, use_bias=False,
                                          output_shape=5), [5, 4], "float32", "self"),
    ("attention_scale", spec("Attention", use_scale=True), [5, 4], "float32", "pair"),
    ("additive_attention", spec("AdditiveAttention"), [5, 4], "float32", "pair"),
    ("normalization_adapted", spec("Normalization"), [4], "float32", "adapt"),
    ("normalization_fixed", spec("Normalization", mean=[1.0, 2.0, 3.0, 4.0], variance=[1.0, 2.0, 3.0, 4.0]), [4],
     "float32", "one"),
    ("dropout", spec("Dropout", rate=0.5), [4], "float32", "one"),
]


def build(s):
    """A Keras layer from a spec."""
    if isinstance(s, list):
        return [build(item) for item in s]
    if not (isinstance(s, dict) and "class" in s):
        return s
    return getattr(keras.layers, s["class"])(**{k: build(v) for k, v in s["args"].items()})


def layouts():
    result = {}
    rng = np.random.default_rng(SEED)
    for name, layer_spec, shape, dtype, call in CASES:
        layer = build(layer_spec)
        x = keras.Input(tuple(shape), dtype=dtype)
        if call == "self":
            y = layer(x, x)
        elif call == "pair":
            y = layer([x, x])
        else:
            y = layer(x)
        if call == "adapt":
            layer.adapt(rng.standard_normal((8, *shape)).astype("float32"))
        model = keras.Model(x, y)
        entries, legacy = [], {}
        with tempfile.TemporaryDirectory() as folder:
            model.save_weights(f"{folder}/m.weights.h5")
            with h5py.File(f"{folder}/m.weights.h5", "r") as f:
                def visit(path, obj, entries=entries):
                    if isinstance(obj, h5py.Dataset):
                        entries.append([f"layers/{path}", list(obj.shape), str(obj.dtype)])
                    elif path.endswith("vars"):
                        entries.append([f"layers/{path}", None, None])
                f["layers"].visititems(visit)
            model.save(f"{folder}/m.h5")
            with h5py.File(f"{folder}/m.h5", "r") as f:
                group = f["model_weights"]
                for layer_name in group.attrs["layer_names"]:
                    layer_name = layer_name.decode() if isinstance(layer_name, bytes) else layer_name
                    legacy[layer_name] = [w.decode() if isinstance(w, bytes) else str(w)
                                          for w in group[layer_name].attrs["weight_names"]]
        result[name] = {"spec": layer_spec, "shape": shape, "dtype": dtype, "call": call, "entries": sorted(entries),
                        "legacy_weight_names": legacy[layer.name]}
    return result


def functional_model():
    from keras import layers as L

    seq = keras.Input((5, 4), name="seq")
    vec = keras.Input((6,), name="vec")
    norm = L.Normalization()
    norm.adapt(np.random.default_rng(1).standard_normal((16, 5, 4)).astype("float32"))
    s = norm(seq)[:, 0]  # an operation, not a layer: no group in the file
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


def subclassed_model():
    from keras import layers as L

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

    return SeqModel()


def sequential_model():
    from keras import layers as L

    return keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu"), L.Dense(2)], name="mlp")


def record(arrays, key, model, xs, step_x, step_y):
    """Predictions now, then after one more training step on (step_x, step_y)."""
    for i, x in enumerate(xs):
        arrays[f"{key}/x{i}"] = x
    for i, x in enumerate(step_x):
        arrays[f"{key}/step_x{i}"] = x
    arrays[f"{key}/step_y"] = step_y
    arrays[f"{key}/y"] = keras.ops.convert_to_numpy(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))
    model.train_on_batch(step_x if len(step_x) > 1 else step_x[0], step_y)
    arrays[f"{key}/y_after"] = keras.ops.convert_to_numpy(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))


def main():
    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    OUT_DIR.mkdir(exist_ok=True)
    arrays = {}

    def normal(*shape):
        return rng.standard_normal(shape).astype("float32")

    def ids(*shape):
        return rng.integers(0, 10, shape).astype("int32")

    model = functional_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    model.fit([normal(8, 5, 4), normal(8, 6)], normal(8, 2), batch_size=8, epochs=1, verbose=0)
    model.save_weights(OUT_DIR / "functional_adam.weights.h5")
    record(arrays, "functional", model, [normal(3, 5, 4), normal(3, 6)], [normal(8, 5, 4), normal(8, 6)],
           normal(8, 2))

    model = subclassed_model()
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="mse")
    model.fit(ids(8, 5), normal(8, 1), batch_size=8, epochs=1, verbose=0)
    model.save_weights(OUT_DIR / "subclassed_rmsprop.weights.h5")
    record(arrays, "subclassed", model, [ids(3, 5)], [ids(8, 5)], normal(8, 1))

    model = sequential_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9), loss="mse")
    model.fit(normal(8, 4), normal(8, 2), batch_size=8, epochs=1, verbose=0)
    model.save(OUT_DIR / "sequential_sgd.h5")
    record(arrays, "sequential", model, [normal(3, 4)], [normal(8, 4)], normal(8, 2))

    arrays["__meta__"] = np.array(json.dumps({
        "keras": keras.__version__, "backend": keras.backend.backend(), "numpy": np.__version__,
        "h5py": h5py.__version__, "seed": SEED,
    }))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    (OUT_DIR / "saving_weights_reference.npz").write_bytes(buffer.getvalue())
    meta = {"keras": keras.__version__, "backend": keras.backend.backend()}
    (OUT_DIR / "layouts.json").write_text(json.dumps({"__meta__": meta, **layouts()}, separators=(",", ":")) + "\n")
    total = sum(p.stat().st_size for p in OUT_DIR.iterdir())
    print(f"wrote {len(arrays)} arrays and {len(CASES)} layouts; {total} bytes in {OUT_DIR}", file=sys.stderr)


if __name__ == "__main__":
    main()
