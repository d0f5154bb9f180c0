"""Whole-model files (``.keras`` and legacy ``.h5``): the seeds' save/restore code, exact resumption of training,
atomic writes, and the model left untouched by saving."""

import json
import os
import zipfile

import numpy as np
import pytest

import kerasnb as keras

pytest.importorskip("h5py")


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 32)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    return x, y


def _seed_model():
    # The seeds' "trivial model" of the Entire model section.
    model = keras.Sequential([
        keras.layers.Dense(10, activation="softmax", input_shape=(32,)),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_the_seeds_entire_model_code_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data, targets = _data()
    model = _seed_model()
    model.fit(data, targets, batch_size=32, epochs=5, verbose=0)
    model.save("my_model.h5")
    restored = keras.models.load_model("my_model.h5")
    np.testing.assert_allclose(restored.predict(data, verbose=0), model.predict(data, verbose=0), atol=1e-6)
    assert type(restored.optimizer).__name__ == "RMSprop"
    assert int(restored.optimizer.iterations) == int(model.optimizer.iterations) == 10
    for a, b in zip(restored.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert restored.evaluate(data, targets, verbose=0) == pytest.approx(model.evaluate(data, targets, verbose=0))


def test_the_seeds_weights_and_configuration_code_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data, _ = _data()
    model = _seed_model()
    model.save_weights("./weights/my_model")  # tf.keras wrote a checkpoint there; kerasnb writes Keras weights
    assert os.path.isfile("weights/my_model")
    fresh = _seed_model()
    fresh.load_weights("weights/my_model")
    np.testing.assert_array_equal(fresh.predict(data, verbose=0), model.predict(data, verbose=0))

    model.save_weights("./my_model")
    fresh = _seed_model()
    fresh.load_weights("my_model")
    np.testing.assert_array_equal(fresh.predict(data, verbose=0), model.predict(data, verbose=0))

    model.save_weights("my_model.h5", save_format="h5")
    fresh = _seed_model()
    fresh.load_weights("my_model.h5")
    np.testing.assert_array_equal(fresh.predict(data, verbose=0), model.predict(data, verbose=0))

    json_string = model.to_json()
    fresh_model = keras.models.from_json(json_string)
    assert [type(layer).__name__ for layer in fresh_model.layers] == ["Dense", "Dense"]
    yaml_string = model.to_yaml()
    fresh_model = keras.models.from_yaml(yaml_string)
    assert fresh_model.count_params() == model.count_params() == 440


@pytest.mark.parametrize("ext", [".keras", ".h5"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd_momentum", "rmsprop", "adamw_schedule"])
def test_resuming_from_a_file_equals_uninterrupted_training(tmp_path, ext, optimizer):
    x, y = _data(96, seed=1)

    def make():
        keras.utils.set_random_seed(7)
        model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.BatchNormalization(), keras.layers.Dense(10, activation="softmax")])
        opt = {
            "adam": lambda: keras.optimizers.Adam(1e-2),
            "sgd_momentum": lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
            "rmsprop": lambda: keras.optimizers.RMSprop(1e-2),
            "adamw_schedule": lambda: keras.optimizers.AdamW(
                keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=3, decay_rate=0.5)),
        }[optimizer]()
        model.compile(optimizer=opt, loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    straight = make()
    straight.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)

    first = make()
    first.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    path = tmp_path / f"checkpoint{ext}"
    first.save(path)
    resumed = keras.models.load_model(path)
    resumed.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)

    for a, b in zip(resumed.weights, straight.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7, err_msg=a.name)
    assert int(resumed.optimizer.iterations) == int(straight.optimizer.iterations) == 6


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_saving_does_not_change_the_model(tmp_path, ext):
    x, y = _data()
    model = _seed_model()
    model.fit(x, y, epochs=1, verbose=0)
    before_weights = [np.asarray(w).copy() for w in model.weights]
    before_opt = [np.asarray(v).copy() for v in model.optimizer.variables]
    before_names = [w.name for w in model.weights]
    before_config = model.get_config()
    model.save(tmp_path / f"m{ext}")
    assert [w.name for w in model.weights] == before_names
    assert model.get_config() == before_config
    for a, b in zip(model.weights, before_weights):
        np.testing.assert_array_equal(np.asarray(a), b)
    for a, b in zip(model.optimizer.variables, before_opt):
        np.testing.assert_array_equal(np.asarray(a), b)
    assert model.optimizer is not None and model.compiled


@pytest.mark.parametrize("ext", [".keras", ".h5", ".weights.h5"])
def test_a_crash_while_saving_leaves_the_previous_file_intact(tmp_path, ext, monkeypatch):
    model = _seed_model()
    path = tmp_path / f"m{ext}"
    save = model.save_weights if ext == ".weights.h5" else model.save
    save(path)
    original = path.read_bytes()

    from kerasnb.saving import weights as weights_io

    def explode(*args, **kwargs):
        raise KeyboardInterrupt("killed mid-save")

    for name in ("write_keras3_weights", "write_legacy_weights"):
        monkeypatch.setattr(weights_io, name, explode)
    model.fit(*_data(), epochs=1, verbose=0)  # the new save would differ
    with pytest.raises(KeyboardInterrupt):
        save(path)
    assert path.read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == [path.name]


def test_keras_file_layout(tmp_path):
    model = _seed_model()
    model.fit(*_data(), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in z.infolist())
        metadata = json.loads(z.read("metadata.json"))
        config = json.loads(z.read("config.json"))
    assert sorted(metadata) == ["date_saved", "keras_version"]
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    assert config["compile_config"]["optimizer"]["class_name"] == "RMSprop"
    assert config["compile_config"]["loss"] == "categorical_crossentropy"


def test_save_errors_name_the_valid_formats(tmp_path):
    model = _seed_model()
    with pytest.raises(ValueError, match=r"\.keras"):
        model.save(tmp_path / "m.txt")
    with pytest.raises(ValueError, match="SavedModel"):
        model.save(tmp_path / "folder", save_format="tf")
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError, match="overwrite"):
        model.save(tmp_path / "m.keras", overwrite=False)
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        keras.models.load_model(tmp_path / "missing.keras")
    (tmp_path / "junk.keras").write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="not a valid .keras file"):
        keras.models.load_model(tmp_path / "junk.keras")
    data = (tmp_path / "m.keras").read_bytes()
    (tmp_path / "cut.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        keras.models.load_model(tmp_path / "cut.keras")
    model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="load_weights"):
        keras.models.load_model(tmp_path / "w.weights.h5")


def test_save_format_h5_with_a_path_without_extension(tmp_path):
    model = _seed_model()
    model.save(tmp_path / "my_model", save_format="h5")
    restored = keras.models.load_model(tmp_path / "my_model")
    assert restored.count_params() == 440


def test_compile_false_gives_an_uncompiled_model(tmp_path):
    model = _seed_model()
    model.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras", compile=False)
    assert not restored.compiled and restored.optimizer is None


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_functional_multi_io_and_nested_models_round_trip(tmp_path, ext):
    inner = keras.Sequential([keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(4)], name="inner")
    a = keras.Input((6,), name="a")
    b = keras.Input((5,), name="b")
    shared = keras.layers.Dense(6, name="shared")
    h = keras.layers.Concatenate()([shared(a), shared(keras.layers.Dense(6)(b))])
    out1 = keras.layers.Dense(3, activation="softmax", name="out1")(inner(h))
    out2 = keras.layers.Dense(1, name="out2")(h)
    model = keras.Model([a, b], [out1, out2])
    model.compile(optimizer="adam", loss=["categorical_crossentropy", "mse"], metrics=[["accuracy"], ["mae"]])
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(16, 6)).astype("float32"), rng.normal(size=(16, 5)).astype("float32")
    y1, y2 = np.eye(3, dtype="float32")[rng.integers(0, 3, 16)], rng.normal(size=(16, 1)).astype("float32")
    model.fit([xa, xb], [y1, y2], epochs=1, verbose=0)
    model.save(tmp_path / f"m{ext}")
    restored = keras.models.load_model(tmp_path / f"m{ext}")
    for got, want in zip(restored.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0)):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert [t.name for t in restored.inputs] == ["a", "b"] or restored.input_names == ["a", "b"]
    assert restored.evaluate([xa, xb], [y1, y2], verbose=0) == pytest.approx(
        model.evaluate([xa, xb], [y1, y2], verbose=0), rel=1e-5)
