"""Generate the model files written by real Keras that ``tests/test_saving_interop.py`` loads into kerasnb.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment with Keras 3 and TensorFlow (and, optionally, JAX and tf-keras), and writes the small files under
``tests/reference/saving/``, which are committed. To regenerate them::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras tensorflow-cpu jax
    .venv-keras/bin/pip install tf_keras          # optional: the Keras 2 (tf-keras) flavour of .h5 files
    .venv-keras/bin/python tests/reference/make_saving_refs.py

(they were written with Keras 3.15.1, TensorFlow 2.21, JAX 0.10.2 and tf-keras 2.21.0; ``--tfkeras-python
PYTHON`` runs the tf-keras part with another interpreter, e.g. a venv that has ``tf_keras`` beside the same
TensorFlow). The script starts itself once per part, because a Keras backend is fixed when Keras is imported:
``--part keras3`` (``KERAS_BACKEND=tensorflow``, every model of ``MODELS``), ``--part jax``
(``KERAS_BACKEND=jax``, the MLP again as ``mlp_jax``) and ``--part tfkeras`` (``tf_keras``: the MLP and the
CNN as ``mlp.tfkeras`` and ``cnn.tfkeras``); a part whose packages are missing is skipped with a message.

Every model is built from the ``build_*`` functions below, which take the Keras module ``K`` (``keras``,
``tf_keras`` or ``kerasnb``: the tests build the same models in kerasnb from them), compiled, fitted for one
short epoch (two batches of four) on seeded random data so that the optimizer has state, and then written as:

* ``<name>.keras``        — ``model.save`` (Keras 3 native zip: ``config.json``, ``metadata.json``,
  ``model.weights.h5``);
* ``<name>.h5``           — ``model.save`` of the legacy HDF5 full model (``model_config``, ``training_config``,
  ``model_weights/``, ``optimizer_weights/``);
* ``<name>.weights.h5``   — ``model.save_weights`` (``layers/<key>/vars/<i>`` and ``optimizer/vars/<i>``);
* ``<name>.json``         — ``model.to_json()``;
* ``<name>.npz``          — the sample inputs ``x0``, ``x1``, ... (in the model's input order), the labels
  ``t0``, ``t1``, ... (in output order), ``model.predict`` of the inputs ``y0``, ``y1``, ... (float32, in output
  order), the optimizer's variables after the fit ``opt/0``, ``opt/1``, ... (``model.optimizer.variables``
  order) and ``__meta__``: a JSON string with the versions, the backend, the optimizer's class and variable
  names and shapes, the compile arguments, the keys and values of ``model.evaluate(x, t, return_dict=True)``
  and, per file, what real Keras itself restores when it loads that file back (``reload``).

The tf-keras flavour writes ``<name>.tfkeras.h5`` (``model.save`` to ``.h5``), ``<name>.tfkeras_weights.h5``
(``model.save_weights`` to ``.h5``: ``model_weights`` at the file root), ``<name>.tfkeras.json`` (Keras 2
``to_json``) and ``<name>.tfkeras.npz``. Its models have the same architecture as the Keras 3 ones, so
``<name>.json`` (Keras 3) is an architecture for the tf-keras weights file too.

Numbers are deterministic (fixed seeds, ``keras.utils.set_random_seed``, TensorFlow op determinism); the
``.keras`` files still differ from run to run by the ``date_saved`` in ``metadata.json`` and the zip timestamps.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

SEED = 20240619
OUT = Path(__file__).with_name("saving")
ATOL = 1e-5


# ---------------------------------------------------------------------------------------------------------
# The models: each builder takes the Keras module K (keras, tf_keras or kerasnb) and returns a compiled model.
# ---------------------------------------------------------------------------------------------------------


def build_mlp(K):
    """The seeds' MNIST-style MLP (Dense/Dropout, sigmoid then softmax), on 4x4 "images" and 16 units."""
    model = K.Sequential()
    model.add(K.layers.Dense(units=16, activation="sigmoid", input_shape=(16,)))
    model.add(K.layers.Dropout(0.1))
    model.add(K.layers.Dense(units=16, activation="sigmoid"))
    model.add(K.layers.Dropout(0.1))
    model.add(K.layers.Dense(units=10, activation="softmax"))
    model.compile(optimizer=K.optimizers.Adam(learning_rate=1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def build_two_io(K):
    """Two inputs, a Dense shared by both, Concatenate, two named outputs with a loss and a metric each."""
    a = K.Input(shape=(5,), name="a")
    b = K.Input(shape=(5,), name="b")
    shared = K.layers.Dense(8, activation="relu", name="shared")
    c = K.layers.Concatenate(name="concat")([shared(a), shared(b)])
    reg = K.layers.Dense(1, name="reg")(c)
    cls = K.layers.Dense(3, activation="softmax", name="cls")(c)
    model = K.Model(inputs=[a, b], outputs=[reg, cls], name="two_io")
    model.compile(optimizer=K.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                  loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 1.0, "cls": 0.5},
                  metrics={"reg": ["mae"], "cls": ["accuracy"]})
    return model


def build_cnn(K):
    """Conv2D + BatchNormalization + MaxPooling2D + Flatten + Dense on 8x8x1 images."""
    model = K.Sequential([
        K.Input(shape=(8, 8, 1)),
        K.layers.Conv2D(4, 3, activation="relu"),
        K.layers.BatchNormalization(),
        K.layers.MaxPooling2D(2),
        K.layers.Flatten(),
        K.layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=K.optimizers.Adam(learning_rate=1e-2), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def build_text(K):
    """Embedding + LSTM + Dense on integer sequences of length 6 (vocabulary 20)."""
    model = K.Sequential([
        K.Input(shape=(6,), dtype="int32"),
        K.layers.Embedding(20, 8),
        K.layers.LSTM(8),
        K.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=K.optimizers.RMSprop(learning_rate=1e-2), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def build_rnn(K):
    """GRU(return_sequences) + Bidirectional(LSTM(return_sequences)) + GlobalAveragePooling1D + Dense."""
    model = K.Sequential([
        K.Input(shape=(5, 3)),
        K.layers.GRU(6, return_sequences=True),
        K.layers.Bidirectional(K.layers.LSTM(4, return_sequences=True)),
        K.layers.GlobalAveragePooling1D(),
        K.layers.Dense(2),
    ])
    model.compile(optimizer=K.optimizers.Adam(learning_rate=1e-2), loss="mse", metrics=["mae"])
    return model


def build_attention(K):
    """LayerNormalization + MultiHeadAttention (self-attention on (4, 8)) with a residual Add."""
    inp = K.Input(shape=(4, 8))
    x = K.layers.LayerNormalization()(inp)
    att = K.layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    x = K.layers.Add()([inp, att])
    x = K.layers.GlobalAveragePooling1D()(x)
    out = K.layers.Dense(2)(x)
    model = K.Model(inp, out, name="attention")
    model.compile(optimizer=K.optimizers.Adam(learning_rate=1e-2), loss="mse")
    return model


def build_nested(K, adapt_data=None):
    """Normalization (adapted) + Rescaling, then a nested Sequential, inside a functional model."""
    norm = K.layers.Normalization()
    norm.adapt(NESTED_ADAPT if adapt_data is None else adapt_data)
    inp = K.Input(shape=(5,))
    x = norm(inp)
    x = K.layers.Rescaling(0.5, offset=0.1)(x)
    inner = K.Sequential([K.Input(shape=(5,)), K.layers.Dense(8, activation="relu"), K.layers.Dense(4)],
                         name="inner")
    x = inner(x)
    out = K.layers.Dense(1)(x)
    model = K.Model(inp, out, name="nested")
    model.compile(optimizer=K.optimizers.SGD(learning_rate=0.01, momentum=0.9), loss="mse", metrics=["mae"])
    return model


# ---------------------------------------------------------------------------------------------------------
# The data: seeded NumPy, the same for every backend (and for kerasnb's own round trip).
# ---------------------------------------------------------------------------------------------------------

_data_rng = np.random.default_rng(SEED)
NESTED_ADAPT = (_data_rng.standard_normal((32, 5)) * [1.0, 2.0, 0.5, 3.0, 1.0] + [0.0, 1.0, -2.0, 5.0, 0.5]
                ).astype("float32")


def _one_hot(labels, n):
    return np.eye(n, dtype="float32")[labels]


def make_data(name, n, seed=SEED):
    """``(inputs, labels)`` for model ``name``: lists in the model's input / output order."""
    rng = np.random.default_rng([seed, sum(map(ord, name)), n])
    f = lambda *shape: rng.standard_normal((n, *shape)).astype("float32")  # noqa: E731
    if name == "mlp":
        return [rng.random((n, 16)).astype("float32")], [_one_hot(rng.integers(0, 10, n), 10)]
    if name == "two_io":
        return [f(5), f(5)], [f(1), rng.integers(0, 3, (n,)).astype("int32")]
    if name == "cnn":
        return [f(8, 8, 1)], [_one_hot(rng.integers(0, 3, n), 3)]
    if name == "text":
        return [rng.integers(0, 20, (n, 6)).astype("int32")], [rng.integers(0, 2, (n, 1)).astype("float32")]
    if name == "rnn":
        return [f(5, 3)], [f(2)]
    if name == "attention":
        return [f(4, 8)], [f(2)]
    if name == "nested":
        return [(f(5) * [1.0, 2.0, 0.5, 3.0, 1.0] + [0.0, 1.0, -2.0, 5.0, 0.5]).astype("float32")], [f(1)]
    raise KeyError(name)


# name -> builder; the Keras 3 part writes all of them.
MODELS = {
    "mlp": build_mlp,
    "two_io": build_two_io,
    "cnn": build_cnn,
    "text": build_text,
    "rnn": build_rnn,
    "attention": build_attention,
    "nested": build_nested,
}
TFKERAS_MODELS = ["mlp", "cnn"]
JAX_MODELS = {"mlp_jax": "mlp"}
N_TRAIN, N_SAMPLE, BATCH = 8, 3, 4


def as_model_inputs(model_inputs):
    return model_inputs[0] if len(model_inputs) == 1 else list(model_inputs)


def as_model_labels(model, labels):
    if len(labels) == 1:
        return labels[0]
    return dict(zip(model.output_names, labels))


# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------


def _numpy(x):
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return value


def _outputs(model, inputs):
    y = model.predict(as_model_inputs(inputs), verbose=0)
    ys = y if isinstance(y, (list, tuple)) else [y]
    return [np.asarray(v, dtype="float32") for v in ys]


def _opt_vars(model):
    return [(getattr(v, "path", None) or v.name, _numpy(v)) for v in model.optimizer.variables]


def _compare(model, inputs, want_y, want_opt):
    """What a reloaded model reproduces: predictions, and the optimizer's variables (when it has them)."""
    got_y = _outputs(model, inputs)
    y_diff = max(float(np.max(np.abs(a - b))) for a, b in zip(got_y, want_y))
    result = {"predict_max_abs_diff": y_diff, "predict_ok": y_diff <= ATOL}
    opt = getattr(model, "optimizer", None)
    if opt is None:
        result["optimizer_restored"] = False
        result["optimizer"] = None
        return result
    got = _opt_vars(model)
    same = len(got) == len(want_opt) and all(
        a.shape == b.shape and np.allclose(a, b, atol=ATOL) for (_, a), (_, b) in zip(got, want_opt))
    result["optimizer"] = type(opt).__name__
    result["optimizer_variables"] = len(got)
    result["optimizer_restored"] = bool(same)
    return result


def write_model(K, name, builder, flavour, keras_version, backend):
    """Build, fit, write the files of one model and check that K loads them back."""
    K.utils.set_random_seed(SEED)
    base = name if flavour == "keras3" else f"{name}.tfkeras"
    data_name = JAX_MODELS.get(name, name)
    model = builder(K)
    x_train, t_train = make_data(data_name, N_TRAIN)
    model.fit(as_model_inputs(x_train), as_model_labels(model, t_train), batch_size=BATCH, epochs=1,
              shuffle=False, verbose=0)
    x, t = make_data(data_name, N_SAMPLE, seed=SEED + 1)
    y = _outputs(model, x)
    opt = _opt_vars(model)
    evaluation = model.evaluate(as_model_inputs(x), as_model_labels(model, t), verbose=0, return_dict=True)
    files = {}
    if flavour == "keras3":
        files["keras"] = OUT / f"{base}.keras"
        files["h5"] = OUT / f"{base}.h5"
        files["weights.h5"] = OUT / f"{base}.weights.h5"
        model.save(files["keras"])
        model.save(files["h5"])
        model.save_weights(files["weights.h5"])
    else:
        files["h5"] = OUT / f"{base}.h5"
        files["weights.h5"] = OUT / f"{base[:-len('.tfkeras')]}.tfkeras_weights.h5"
        model.save(files["h5"], save_format="h5")
        model.save_weights(files["weights.h5"])
    (OUT / f"{base}.json").write_text(model.to_json())

    # What K itself restores from each file. A weights file goes into a model rebuilt from the JSON and
    # compiled with a fresh optimizer of the same configuration, built so that its slots exist.
    reload = {}
    for kind, path in files.items():
        note = None
        if kind == "weights.h5":
            clone = K.models.model_from_json((OUT / f"{base}.json").read_text())
            clone.compile(optimizer=type(model.optimizer).from_config(model.optimizer.get_config()),
                          loss=model.loss)
            clone.optimizer.build(clone.trainable_variables)
            clone.load_weights(path)
        else:
            try:
                clone = K.models.load_model(path)
            except Exception as error:  # real Keras cannot always read its own file compiled
                note = f"load_model(compile=True) failed: {type(error).__name__}: {error}"
                clone = K.models.load_model(path, compile=False)
        reload[kind] = _compare(clone, x, y, opt)
        if note:
            reload[kind]["note"] = note
        assert reload[kind]["predict_ok"], (base, kind, reload[kind])

    compile_args = {}
    if hasattr(model, "get_compile_config"):
        cc = model.get_compile_config() or {}
        compile_args = {k: cc.get(k) for k in ("loss", "loss_weights", "metrics", "weighted_metrics")}
    # Keras 3's get_compile_config() (and so to_json) leaves the optimizer out: take it from the optimizer.
    compile_args["optimizer"] = {"class_name": type(model.optimizer).__name__,
                                 "config": _jsonable(model.optimizer.get_config())}
    meta = {
        "name": base,
        "builder": builder.__name__,
        "flavour": flavour,
        "keras_version": keras_version,
        "backend": backend,
        "seed": SEED,
        "inputs": [f"x{i}" for i in range(len(x))],
        "input_names": [getattr(t_, "name", None) for t_ in getattr(model, "inputs", [])],
        "outputs": [f"y{i}" for i in range(len(y))],
        "output_names": list(getattr(model, "output_names", []) or []),
        "labels": [f"t{i}" for i in range(len(t))],
        "optimizer": {
            "class_name": type(model.optimizer).__name__,
            "variables": [{"name": n, "shape": list(v.shape), "dtype": str(v.dtype)} for n, v in opt],
        },
        "compile": compile_args,
        "evaluate": {k: float(v) for k, v in evaluation.items()},
        "weights": [{"name": getattr(w, "path", None) or w.name, "shape": list(w.shape)} for w in model.weights],
        "reload": reload,
    }
    store = {f"x{i}": v for i, v in enumerate(x)}
    store.update({f"t{i}": v for i, v in enumerate(t)})
    store.update({f"y{i}": v for i, v in enumerate(y)})
    store.update({f"opt/{i}": v for i, (_, v) in enumerate(opt)})
    store["__meta__"] = np.array(json.dumps(meta, sort_keys=True))
    np.savez_compressed(OUT / f"{base}.npz", **store)
    sizes = {p.name: p.stat().st_size for p in files.values()}
    print(f"{base}: " + ", ".join(f"{k} {v} B" for k, v in sizes.items()), flush=True)


def part_keras3():
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    for name, builder in MODELS.items():
        write_model(keras, name, builder, "keras3", keras.__version__, keras.backend.backend())


def part_jax():
    import keras

    assert keras.backend.backend() == "jax", keras.backend.backend()
    for name, data_name in JAX_MODELS.items():
        write_model(keras, name, MODELS[data_name], "keras3", keras.__version__, "jax")


def part_tfkeras():
    import tensorflow as tf
    import tf_keras

    tf.config.experimental.enable_op_determinism()
    for name in TFKERAS_MODELS:
        write_model(tf_keras, name, MODELS[name], "tfkeras", tf_keras.__version__, "tensorflow")


def _run_part(python, part, backend):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    env.pop("TF_USE_LEGACY_KERAS", None)
    return subprocess.run([python, __file__, "--part", part], env=env).returncode


def _has(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["keras3", "jax", "tfkeras"])
    parser.add_argument("--tfkeras-python", default=None, help="an interpreter with tf_keras (default: this one)")
    args = parser.parse_args()
    if args.part:
        {"keras3": part_keras3, "jax": part_jax, "tfkeras": part_tfkeras}[args.part]()
        return
    OUT.mkdir(exist_ok=True)
    failed = _run_part(sys.executable, "keras3", "tensorflow")
    if _has(sys.executable, "jax"):
        failed |= _run_part(sys.executable, "jax", "jax")
    else:
        print("skipped the JAX part: jax is not installed", file=sys.stderr)
    tfk_python = args.tfkeras_python or sys.executable
    if _has(tfk_python, "tf_keras"):
        failed |= _run_part(tfk_python, "tfkeras", "tensorflow")
    else:
        print("skipped the tf-keras part: tf_keras is not installed (pip install tf_keras)", file=sys.stderr)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{OUT}: {len(list(OUT.iterdir()))} files, {total} bytes")
    sys.exit(failed)


if __name__ == "__main__":
    main()
