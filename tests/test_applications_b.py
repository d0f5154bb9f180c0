"""kerasnb.applications, part B: Xception, InceptionV3, InceptionResNetV2 and EfficientNet against real Keras.

``tests/reference/applications/<Model>.json`` holds what Keras 3 builds (``make_applications_refs.py``);
``<key>_filled.npz`` holds Keras's output at the minimum size with every weight set by
``make_applications_b_refs.fill_value`` (the real weights are too large to commit).
"""

import json
import os
import sys

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.applications import efficientnet, imagenet_utils, inception_resnet_v2, inception_v3, xception

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "reference", "applications")
sys.path.insert(0, os.path.join(HERE, "reference"))
from make_applications_b_refs import CASES, fill_model  # noqa: E402

BUILDERS = {
    "Xception": xception.Xception,
    "InceptionV3": inception_v3.InceptionV3,
    "InceptionResNetV2": inception_resnet_v2.InceptionResNetV2,
    "EfficientNetB0": efficientnet.EfficientNetB0,
}
MODULES = {"xception": xception, "inception_v3": inception_v3, "inception_resnet_v2": inception_resnet_v2,
           "efficientnet": efficientnet}


def reference(name):
    with open(os.path.join(REF, f"{name}.json")) as f:
        return json.load(f)


def build(name, **kwargs):
    """A fresh-session model, so the automatic layer names (``conv2d_5`` ...) are those Keras gives."""
    keras.backend.clear_session()
    return BUILDERS[name](weights=None, **kwargs)


def rows(model):
    return [[type(layer).__name__, layer.name, list(layer.output.shape), int(layer.count_params())]
            for layer in model.layers]


def counts(model):
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable}


@pytest.fixture(scope="module", params=list(BUILDERS))
def default_model(request):
    return request.param, build(request.param)


def test_layers_and_params_match_keras(default_model):
    name, model = default_model
    ref = reference(name)
    expected = [[cls, lname, list(shape), params] for cls, lname, shape, params in ref["layers"]]
    # Every layer Keras builds, with the same class, name, output shape and parameter count, in Keras's order
    # (by depth, which inside the branching Inception blocks is not the order the branches run in).
    assert rows(model) == expected
    assert counts(model) == ref["params"]
    assert list(model.input.shape) == ref["input_shape"]


def test_param_counts_quoted_by_keras():
    assert {n: reference(n)["params"]["total"] for n in BUILDERS} == {
        "Xception": 22_910_480, "InceptionV3": 23_851_784, "InceptionResNetV2": 55_873_736,
        "EfficientNetB0": 5_330_571}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_headless_avg_pooling_matches_keras(name):
    model = build(name, include_top=False, pooling="avg")
    ref = reference(name)["notop_avg"]
    assert counts(model) == ref["params"]
    assert list(model.output.shape) == ref["output_shape"]
    assert len(model.layers) == ref["n_layers"]
    assert model.input.shape == (None, None, None, 3)


@pytest.mark.parametrize("name, size, spatial", [("Xception", 71, 3), ("InceptionV3", 75, 1),
                                                 ("InceptionResNetV2", 75, 1), ("EfficientNetB0", 32, 1)])
def test_minimum_size_and_pooling_variants(name, size, spatial):
    channels = {"Xception": 2048, "InceptionV3": 2048, "InceptionResNetV2": 1536, "EfficientNetB0": 1280}[name]
    assert build(name, include_top=False, input_shape=(size, size, 3)).output_shape == (None, spatial, spatial,
                                                                                        channels)
    pooled = build(name, include_top=False, input_shape=(size, size, 3), pooling="max")
    assert pooled.output_shape == (None, channels)
    assert type(pooled.layers[-1]).__name__ == "GlobalMaxPooling2D"
    with pytest.raises(ValueError, match=f"at least {size}x{size}"):
        build(name, include_top=False, input_shape=(size - 1, size - 1, 3))


@pytest.mark.parametrize("name", list(BUILDERS))
def test_small_top_with_other_classes(name):
    size = {"Xception": 71, "EfficientNetB0": 32}.get(name, 75)
    model = build(name, input_shape=(size, size, 3), classes=7, classifier_activation=None)
    assert model.layers[-1].name == "predictions" and model.output_shape == (None, 7)
    assert model.layers[-1].get_config()["activation"] in (None, "linear")


@pytest.mark.parametrize("name", list(BUILDERS))
def test_invalid_arguments(name):
    builder = BUILDERS[name]
    with pytest.raises(ValueError, match="`weights` argument should be"):
        builder(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        builder(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="classifier_activation"):
        builder(weights="imagenet", classifier_activation="relu")
    with pytest.raises(ValueError, match="static `input_shape`"):
        builder(weights=None, input_shape=(None, None, 3))


def test_input_tensor_is_the_model_input():
    inputs = keras.Input(shape=(71, 71, 3))
    keras.backend.clear_session()
    model = xception.Xception(weights=None, include_top=False, input_tensor=inputs)
    assert model.inputs[0] is inputs and model.output_shape == (None, 3, 3, 2048)


@pytest.mark.parametrize("module", ["xception", "inception_v3", "inception_resnet_v2"])
def test_preprocess_input_tf_mode(module):
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    out = MODULES[module].preprocess_input(x)
    np.testing.assert_allclose(out, [[[[-1.0, 0.0, 1.0]]]], atol=1e-6)
    assert out.dtype == np.float32 and x[0, 0, 0, 2] == 255.0  # the input is left alone


def test_efficientnet_preprocess_input_is_identity():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    assert efficientnet.preprocess_input(x) is x


def test_decode_predictions_checks_shape():
    for module in MODULES.values():
        with pytest.raises(ValueError, match="samples, 1000"):
            module.decode_predictions(np.zeros((1, 10)))


def test_efficientnet_imagenet_adds_stddev_rescaling(monkeypatch):
    loaded = []
    monkeypatch.setattr(imagenet_utils, "load_weights", lambda model, weights, **kw: loaded.append((weights, kw)))
    keras.backend.clear_session()
    model = efficientnet.EfficientNetB0(weights="imagenet", include_top=False)
    names = [layer.name for layer in model.layers[:5]]
    assert names == ["input_layer", "rescaling", "normalization", "rescaling_1", "stem_conv_pad"]
    np.testing.assert_allclose(np.ravel(model.layers[3].get_config()["scale"]),
                               1 / np.sqrt([0.229, 0.224, 0.225]), rtol=1e-6)
    assert loaded[0][1] == {"file_name": "efficientnetb0_notop.h5",
                            "origin": "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
                            "file_hash": "50bc09e76180e00e4465e1a485ddc09d"}
    assert [layer.name for layer in build("EfficientNetB0", include_top=False).layers[:3]] == [
        "input_layer", "rescaling", "normalization"]


@pytest.mark.parametrize("name, file_name", [
    ("Xception", "xception/xception_weights_tf_dim_ordering_tf_kernels.h5"),
    ("InceptionV3", "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("InceptionResNetV2", "inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5"),
])
def test_imagenet_weights_files(monkeypatch, name, file_name):
    loaded = []
    monkeypatch.setattr(imagenet_utils, "load_weights", lambda model, weights, **kw: loaded.append(kw))
    include_top = not file_name.endswith("_notop.h5")
    keras.backend.clear_session()
    BUILDERS[name](weights="imagenet", include_top=include_top, input_shape=None if include_top else (75, 75, 3))
    assert loaded[0]["origin"] == imagenet_utils.KERAS_APPLICATIONS_URL + file_name
    assert loaded[0]["file_name"] == file_name.split("/")[1] and len(loaded[0]["file_hash"]) == 32


@pytest.mark.parametrize("key", list(CASES))
def test_forward_pass_matches_keras(key):
    module, fn, kwargs = CASES[key]
    keras.backend.clear_session()
    model = getattr(MODULES[module], fn)(weights=None, **kwargs)
    fill_model(model)
    ref = np.load(os.path.join(REF, f"{key}_filled.npz"))
    y = np.asarray(model.predict(ref["x"], verbose=0))
    assert y.shape == ref["y"].shape and y.dtype == np.float32
    np.testing.assert_allclose(y, ref["y"], atol=1e-4 * max(1.0, float(np.abs(ref["y"]).max())), rtol=1e-4)


def test_inception_resnet_v2_config_round_trip():
    from kerasnb.saving.serialization_lib import serialize_keras_object

    layer = inception_resnet_v2.CustomScaleLayer(0.17)
    assert serialize_keras_object(layer)["registered_name"] == "Custom>CustomScaleLayer"
    model = build("InceptionResNetV2", include_top=False, input_shape=(75, 75, 3), pooling="avg")
    restored = keras.models.model_from_json(model.to_json())
    assert rows(restored) == rows(model)
    scales = [layer.scale for layer in restored.layers if type(layer).__name__ == "CustomScaleLayer"]
    assert scales == [0.17] * 10 + [0.1] * 20 + [0.2] * 9 + [1.0]
    restored.set_weights(model.get_weights())
    x = np.random.default_rng(1).uniform(-1, 1, (1, 75, 75, 3)).astype("float32")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)


def test_weights_from_a_path_round_trip(tmp_path):
    pytest.importorskip("h5py")  # weight files are HDF5; Pyodide (JupyterLite) runs these without it
    model = build("EfficientNetB0", include_top=False, input_shape=(32, 32, 3))
    fill_model(model)
    path = str(tmp_path / "b0.weights.h5")
    model.save_weights(path)
    keras.backend.clear_session()
    again = efficientnet.EfficientNetB0(weights=path, include_top=False, input_shape=(32, 32, 3))
    x = np.random.default_rng(2).uniform(0, 255, (1, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_efficientnet_scaling_rules():
    assert [efficientnet.round_filters(f, 1.1) for f in (32, 16, 24, 40, 80, 112, 192, 320, 1280)] == [
        32, 16, 24, 48, 88, 120, 208, 352, 1408]
    assert efficientnet.round_repeats(3, 1.1) == 4 and efficientnet.round_repeats(1, 3.1) == 4


# Real Keras 3.15.1, weights=None, include_top=True: (total parameters, layers, default size).
KERAS_B1_B7 = {1: (7856239, 342, 240), 2: (9177569, 342, 260), 3: (12320535, 387, 300), 4: (19466823, 477, 380),
               5: (30562527, 579, 456), 6: (43265143, 669, 528), 7: (66658687, 816, 600)}


@pytest.mark.parametrize("variant", sorted(KERAS_B1_B7))
def test_efficientnet_b1_to_b7_match_keras_counts(variant):
    keras.backend.clear_session()
    model = getattr(efficientnet, f"EfficientNetB{variant}")(weights=None)
    total, n_layers, size = KERAS_B1_B7[variant]
    assert (model.count_params(), len(model.layers), model.input.shape) == (total, n_layers, (None, size, size, 3))
    assert model.name == f"efficientnetb{variant}"


KERAS_PYTHON = os.environ.get("KERASNB_KERAS_PYTHON")


@pytest.mark.skipif(not KERAS_PYTHON, reason="set KERASNB_KERAS_PYTHON to a Python with Keras to run this")
@pytest.mark.parametrize("key", list(CASES))
def test_keras_legacy_h5_weights_load(tmp_path, key):
    # Real Keras writes the filled weights in the layout of its published imagenet files (too large to commit).
    import subprocess

    script = os.path.join(HERE, "reference", "make_applications_b_refs.py")
    subprocess.run([KERAS_PYTHON, script, "--legacy-h5", key, "--out", str(tmp_path)], check=True, timeout=300)
    module, fn, kwargs = CASES[key]
    keras.backend.clear_session()
    model = getattr(MODULES[module], fn)(weights=str(tmp_path / f"{key}_filled.h5"), **kwargs)
    ref = np.load(tmp_path / f"{key}_filled.npz")
    y = np.asarray(model.predict(ref["x"], verbose=0))
    np.testing.assert_allclose(y, ref["y"], atol=1e-4 * max(1.0, float(np.abs(ref["y"]).max())), rtol=1e-4)
