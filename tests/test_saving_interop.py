"""Model files exchanged with real Keras, both ways (issue 9, "Saving and loading").

* Keras -> kerasnb: ``tests/reference/saving/`` holds files written by real Keras 3.15.1 (TensorFlow backend, and
  the MLP once more with the JAX backend as ``mlp_jax``) and by tf-keras 2.21 (``*.tfkeras.h5``,
  ``*.tfkeras_weights.h5``), made by ``tests/reference/make_saving_refs.py`` (see its docstring). Each model
  ``NAME`` has ``NAME.keras``, ``NAME.h5`` (legacy full model), ``NAME.weights.h5``, ``NAME.json``
  (``to_json``) and ``NAME.npz``: the sample inputs ``x*``, labels ``t*``, Keras's predictions ``y*``, the
  optimizer's variables after a short fit ``opt/*`` and a JSON ``__meta__`` (optimizer class and variable
  names, compile arguments, ``evaluate`` results). kerasnb loads every file and must reproduce the predictions
  (atol 1e-5), the optimizer's state (iterations and slots) where the file has it, and the compiled loss and
  metrics (the names and values ``evaluate`` returns).
* kerasnb -> Keras: the same models, built, fitted and saved by kerasnb in the three formats, are loaded by
  ``tests/reference/keras_load_check.py`` run with an interpreter that has real Keras: ``KERASNB_KERAS_PYTHON``,
  else this one if it can ``import keras``; otherwise those tests are skipped (kerasnb's CI has no Keras).
  Nothing here uses the network.
"""

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import kerasnb as keras

HERE = Path(__file__).parent
FIXTURES = HERE / "reference" / "saving"
GENERATOR = HERE / "reference" / "make_saving_refs.py"
CHECKER = HERE / "reference" / "keras_load_check.py"
ATOL = 1e-5


def _generator():
    """``make_saving_refs.py`` as a module (it imports only NumPy at the top): the model builders and data."""
    spec = importlib.util.spec_from_file_location("kerasnb_make_saving_refs", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


refs = _generator()

KERAS3 = list(refs.MODELS) + list(refs.JAX_MODELS)  # every one has .keras, .h5, .weights.h5, .json, .npz
TFKERAS = [f"{name}.tfkeras" for name in refs.TFKERAS_MODELS]  # .tfkeras.h5, .tfkeras_weights.h5, .json, .npz


# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


def load_fixture(base):
    """The arrays and metadata of ``<base>.npz``."""
    with np.load(FIXTURES / f"{base}.npz", allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    return SimpleNamespace(
        meta=meta,
        xs=[arrays[k] for k in meta["inputs"]],
        ys=[arrays[k] for k in meta["outputs"]],
        ts=[arrays[k] for k in meta["labels"]],
        opt=[arrays[f"opt/{i}"] for i in range(len(meta["optimizer"]["variables"]))],
    )


def _numpy(value):
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def model_inputs(xs):
    return xs[0] if len(xs) == 1 else list(xs)


def model_labels(model, ts):
    return ts[0] if len(ts) == 1 else dict(zip(model.output_names, ts))


def predict(model, xs):
    y = model.predict(model_inputs(xs), verbose=0)
    if isinstance(y, Mapping):
        y = [y[name] for name in model.output_names]
    return [_numpy(v) for v in (y if isinstance(y, (list, tuple)) else [y])]


def assert_predictions(model, fx, what):
    got = predict(model, fx.xs)
    assert len(got) == len(fx.ys), f"{what}: {len(got)} outputs, expected {len(fx.ys)}"
    for i, (g, want) in enumerate(zip(got, fx.ys)):
        assert g.shape == want.shape, f"{what}: output {i} has shape {g.shape}, expected {want.shape}"
        np.testing.assert_allclose(g, want, rtol=0, atol=ATOL, err_msg=f"{what}: output {i}")
    # The direct call in inference mode agrees with predict.
    direct = model(model_inputs(fx.xs), training=False)
    direct = [direct[n] for n in model.output_names] if isinstance(direct, Mapping) else direct
    for i, (g, want) in enumerate(zip(direct if isinstance(direct, (list, tuple)) else [direct], fx.ys)):
        np.testing.assert_allclose(_numpy(g), want, rtol=0, atol=ATOL, err_msg=f"{what}: model(x), output {i}")


def assert_optimizer_state(model, expected, what):
    """kerasnb's ``optimizer.variables`` (Keras order: iterations, learning_rate, slots) equal ``expected``."""
    optimizer = model.optimizer
    assert optimizer is not None, f"{what}: no optimizer"
    got = [_numpy(v) for v in optimizer.variables]
    assert len(got) == len(expected), (
        f"{what}: the optimizer has {len(got)} variables, the file {len(expected)}: "
        f"{[getattr(v, 'name', '?') for v in optimizer.variables]}"
    )
    assert int(_numpy(optimizer.iterations)) == int(expected[0]) > 0, f"{what}: iterations"
    for i, (g, want) in enumerate(zip(got, expected)):
        assert g.shape == want.shape, f"{what}: optimizer variable {i} has shape {g.shape}, expected {want.shape}"
        np.testing.assert_allclose(g, want, rtol=0, atol=ATOL, err_msg=f"{what}: optimizer variable {i}")


def assert_compiled_like(model, fx, what, check_loss_arg=False):
    """The loaded model is compiled as the saved one: optimizer class and rate, loss and metrics (names and values
    of ``evaluate``)."""
    meta = fx.meta
    assert getattr(model, "compiled", False), f"{what}: not compiled"
    assert type(model.optimizer).__name__ == meta["optimizer"]["class_name"], f"{what}: optimizer class"
    want_lr = meta["compile"]["optimizer"]["config"]["learning_rate"]
    np.testing.assert_allclose(float(_numpy(model.optimizer.learning_rate)), want_lr, rtol=1e-6,
                               err_msg=f"{what}: learning rate")
    if check_loss_arg:  # real Keras keeps the compile_config's loss as given ("mse", a dict of names ...)
        loss = dict(model.loss) if isinstance(model.loss, Mapping) else model.loss
        assert loss == meta["compile"]["loss"], f"{what}: model.loss {model.loss!r}"
    got = model.evaluate(model_inputs(fx.xs), model_labels(model, fx.ts), verbose=0, return_dict=True)
    assert sorted(got) == sorted(meta["evaluate"]), f"{what}: evaluate keys {sorted(got)}"
    for key, want in meta["evaluate"].items():
        np.testing.assert_allclose(float(got[key]), want, rtol=1e-4, atol=1e-5, err_msg=f"{what}: evaluate {key}")


def fresh_optimizer(meta):
    """A new optimizer of the saved class and configuration."""
    spec = meta["compile"]["optimizer"]
    return keras.optimizers.deserialize({"class_name": spec["class_name"], "config": spec["config"]})


def compile_like(model, fx):
    compile_args = fx.meta["compile"]
    model.compile(optimizer=fresh_optimizer(fx.meta), loss=compile_args["loss"],
                  loss_weights=compile_args["loss_weights"], metrics=compile_args["metrics"])
    model.optimizer.build(model.trainable_variables)


# ---------------------------------------------------------------------------------------------------------
# Keras -> kerasnb
# ---------------------------------------------------------------------------------------------------------


def test_fixture_folder_is_complete_and_small():
    expected = set()
    for base in KERAS3:
        expected |= {f"{base}.keras", f"{base}.h5", f"{base}.weights.h5", f"{base}.json", f"{base}.npz"}
    for base in TFKERAS:
        stem = base[: -len(".tfkeras")]
        expected |= {f"{base}.h5", f"{stem}.tfkeras_weights.h5", f"{base}.json", f"{base}.npz"}
    present = {p.name for p in FIXTURES.iterdir()}
    assert expected <= present, sorted(expected - present)
    assert present <= expected, sorted(present - expected)
    assert sum(p.stat().st_size for p in FIXTURES.iterdir()) < 2_000_000
    for base in KERAS3 + TFKERAS:
        fx = load_fixture(base)
        assert fx.xs and fx.ys and fx.ts and fx.opt, base
        assert all(y.dtype == np.float32 for y in fx.ys), base


@pytest.fixture
def hdf5():
    """h5py, or a skip: every file format but the JSON needs it, and Pyodide (JupyterLite) has no h5py."""
    return pytest.importorskip("h5py")


@pytest.mark.parametrize("compile", [True, False], ids=["compile", "no_compile"])
@pytest.mark.parametrize("name", KERAS3)
def test_load_keras_file(name, compile, hdf5):
    fx = load_fixture(name)
    model = keras.models.load_model(FIXTURES / f"{name}.keras", compile=compile)
    assert_predictions(model, fx, f"{name}.keras")
    if compile:
        assert_optimizer_state(model, fx.opt, f"{name}.keras")
        assert_compiled_like(model, fx, f"{name}.keras", check_loss_arg=True)
    else:
        assert getattr(model, "optimizer", None) is None
        assert not getattr(model, "compiled", False)


def test_load_keras_file_str_path_and_safe_mode(hdf5):
    fx = load_fixture("two_io")
    model = keras.models.load_model(str(FIXTURES / "two_io.keras"), custom_objects=None, compile=True,
                                    safe_mode=True)
    assert_predictions(model, fx, "two_io.keras")
    assert len(model.inputs) == 2


@pytest.mark.parametrize("compile", [True, False], ids=["compile", "no_compile"])
@pytest.mark.parametrize("name", KERAS3)
def test_load_h5_file(name, compile, hdf5):
    """Keras 3's legacy full-model .h5. Real Keras 3.15 cannot compile its own file when the loss is "mse"
    (``Could not deserialize 'keras.metrics.mse'``) and never restores the optimizer from it; kerasnb does both."""
    fx = load_fixture(name)
    model = keras.models.load_model(FIXTURES / f"{name}.h5", compile=compile)
    assert_predictions(model, fx, f"{name}.h5")
    if compile:
        assert_optimizer_state(model, fx.opt, f"{name}.h5")
        assert_compiled_like(model, fx, f"{name}.h5")
    else:
        assert getattr(model, "optimizer", None) is None


@pytest.mark.parametrize("name", KERAS3)
def test_load_weights_file_into_model_from_json(name, hdf5):
    fx = load_fixture(name)
    model = keras.models.model_from_json((FIXTURES / f"{name}.json").read_text())
    model.load_weights(FIXTURES / f"{name}.weights.h5")
    assert_predictions(model, fx, f"{name}.weights.h5")


@pytest.mark.parametrize("name", KERAS3)
def test_load_weights_file_restores_optimizer_state(name, hdf5):
    """A compiled model whose optimizer is built gets its slots and iterations from ``optimizer/vars``."""
    fx = load_fixture(name)
    model = keras.models.model_from_json((FIXTURES / f"{name}.json").read_text())
    compile_like(model, fx)
    model.load_weights(FIXTURES / f"{name}.weights.h5", skip_mismatch=False)
    assert_predictions(model, fx, f"{name}.weights.h5")
    assert_optimizer_state(model, fx.opt, f"{name}.weights.h5")


@pytest.mark.parametrize("compile", [True, False], ids=["compile", "no_compile"])
@pytest.mark.parametrize("base", TFKERAS)
def test_load_tfkeras_h5_file(base, compile, hdf5):
    """tf-keras (Keras 2) full model: Keras 2 layer configs, ``dense/kernel:0`` weight names, ``Custom>Adam``
    and a metric serialized as ``MeanMetricWrapper`` in ``training_config``. (Real Keras 3.15 compiles it with
    the default learning rate instead of the saved one, and its ``evaluate`` then fails.)"""
    fx = load_fixture(base)
    model = keras.models.load_model(FIXTURES / f"{base}.h5", compile=compile)
    assert_predictions(model, fx, f"{base}.h5")
    if compile:
        assert_compiled_like(model, fx, f"{base}.h5")
    else:
        assert getattr(model, "optimizer", None) is None


@pytest.mark.parametrize("base", TFKERAS)
def test_load_tfkeras_h5_restores_optimizer_state(base, hdf5):
    """tf-keras keeps ``iteration:0`` then ``Adam/m/<var>:0``, ``Adam/v/<var>:0`` per variable, and no learning
    rate: in kerasnb's (Keras 3) order that is iterations, the learning rate of the config, then the slots.
    (Real Keras 3.15 does not restore it.)"""
    fx = load_fixture(base)
    model = keras.models.load_model(FIXTURES / f"{base}.h5")
    names = [v["name"] for v in fx.meta["optimizer"]["variables"]]
    assert names[0] == "iteration:0" and "learning_rate" not in " ".join(names)
    lr = np.float32(fx.meta["compile"]["optimizer"]["config"]["learning_rate"])
    assert_optimizer_state(model, [fx.opt[0], lr, *fx.opt[1:]], f"{base}.h5")


@pytest.mark.parametrize("architecture", ["keras3_json", "tfkeras_json", "tfkeras_h5"])
@pytest.mark.parametrize("base", TFKERAS)
def test_load_tfkeras_weights_file(base, architecture, hdf5):
    """tf-keras ``save_weights("w.h5")``: ``layer_names`` and the layer groups at the file root, loaded by order
    into the same architecture, described by Keras 3 JSON, by Keras 2 JSON (which real Keras 3 rejects;
    kerasnb reads both) or by the full tf-keras model."""
    fx = load_fixture(base)
    stem = base[: -len(".tfkeras")]
    if architecture == "keras3_json":
        model = keras.models.model_from_json((FIXTURES / f"{stem}.json").read_text())
    elif architecture == "tfkeras_json":
        model = keras.models.model_from_json((FIXTURES / f"{base}.json").read_text())
    else:
        model = keras.models.load_model(FIXTURES / f"{base}.h5", compile=False)
        for w in model.weights:  # so that the weights do come from the weights file
            w.assign(np.zeros(w.shape, dtype=_numpy(w).dtype))
    model.load_weights(FIXTURES / f"{stem}.tfkeras_weights.h5")
    assert_predictions(model, fx, f"{stem}.tfkeras_weights.h5 ({architecture})")


@pytest.mark.parametrize("name", KERAS3)
def test_model_from_json_round_trips_to_json(name):
    """kerasnb reads Keras's JSON, and its own ``to_json`` of that model reads back to the same architecture."""
    text = (FIXTURES / f"{name}.json").read_text()
    model = keras.models.model_from_json(text)
    again = keras.models.model_from_json(model.to_json())
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    assert [tuple(w.shape) for w in again.weights] == [tuple(w.shape) for w in model.weights]
    assert json.loads(model.to_json())["class_name"] == json.loads(text)["class_name"]


# ---------------------------------------------------------------------------------------------------------
# kerasnb -> Keras
# ---------------------------------------------------------------------------------------------------------


def keras_python():
    """An interpreter with real Keras 3: ``KERASNB_KERAS_PYTHON``, else this one if it has Keras; else None."""
    python = os.environ.get("KERASNB_KERAS_PYTHON")
    if python:
        return python
    probe = subprocess.run([sys.executable, "-c", "import keras, sys; sys.exit(not keras.__version__.startswith('3'))"],
                           capture_output=True, timeout=300)
    return sys.executable if probe.returncode == 0 else None


def save_kerasnb_model(name, builder, folder):
    """Build, fit (one epoch of two batches) and save one model as ``NAME.keras``, ``NAME.h5``,
    ``NAME.weights.h5``, ``NAME.json`` and ``NAME.npz`` (inputs, kerasnb's predictions, labels, optimizer state
    and ``evaluate``), the layout ``keras_load_check.py`` reads."""
    keras.utils.set_random_seed(refs.SEED)
    model = builder(keras)
    x_train, t_train = refs.make_data(name, refs.N_TRAIN)
    model.fit(model_inputs(x_train), model_labels(model, t_train), batch_size=refs.BATCH, epochs=1, shuffle=False,
              verbose=0)
    xs, ts = refs.make_data(name, refs.N_SAMPLE, seed=refs.SEED + 1)
    ys = predict(model, xs)
    evaluation = model.evaluate(model_inputs(xs), model_labels(model, ts), verbose=0, return_dict=True)
    model.save(folder / f"{name}.keras")
    model.save(folder / f"{name}.h5")
    model.save_weights(folder / f"{name}.weights.h5")
    (folder / f"{name}.json").write_text(model.to_json())
    store = {f"x{i}": x for i, x in enumerate(xs)}
    store.update({f"y{i}": np.asarray(y, np.float32) for i, y in enumerate(ys)})
    store.update({f"t{i}": t for i, t in enumerate(ts)})
    store.update({f"opt/{i}": _numpy(v) for i, v in enumerate(model.optimizer.variables)})
    store["__meta__"] = np.array(json.dumps({"evaluate": {k: float(v) for k, v in evaluation.items()}}))
    np.savez(folder / f"{name}.npz", **store)


@pytest.fixture(scope="module")
def keras_checked(tmp_path_factory):
    """kerasnb writes every model; real Keras loads them all in one run of ``keras_load_check.py``.
    Returns ``(save_errors, results by file name, checker output)``."""
    python = keras_python()
    if python is None:
        pytest.skip("real Keras not installed: set KERASNB_KERAS_PYTHON")
    folder = tmp_path_factory.mktemp("kerasnb_files")
    errors = {}
    for name, builder in refs.MODELS.items():
        try:
            save_kerasnb_model(name, builder, folder)
        except Exception as error:  # each model is reported by its own test below
            errors[name] = f"{type(error).__name__}: {error}"
    if len(errors) == len(refs.MODELS):
        return errors, {}, ""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    run = subprocess.run([python, str(CHECKER), str(folder)], capture_output=True, text=True, env=env, timeout=900)
    results = {}
    for line in run.stdout.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if "file" in entry:
                results[entry["file"]] = entry
    return errors, results, run.stdout[-4000:] + run.stderr[-4000:]


@pytest.mark.needs_subprocess
@pytest.mark.parametrize("fmt", ["keras", "h5", "weights.h5"])
@pytest.mark.parametrize("name", list(refs.MODELS))
def test_real_keras_loads_kerasnb_file(keras_checked, name, fmt):
    errors, results, output = keras_checked
    assert name not in errors, f"kerasnb could not build, fit or save {name}: {errors[name]}"
    filename = f"{name}.{fmt}"
    assert filename in results, f"keras_load_check.py did not report {filename}:\n{output}"
    result = results[filename]
    assert result["ok"], json.dumps(result, indent=1)
    assert result["max_abs_diff"] <= ATOL
    if fmt == "keras":
        assert result["compiled"] and result["optimizer_restored"], json.dumps(result, indent=1)
