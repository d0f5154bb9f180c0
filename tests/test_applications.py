"""kerasnb.applications, part A (VGG, ResNet, MobileNet, MobileNetV2, DenseNet) and the shared imagenet_utils.

The architectures are compared with what real Keras 3 builds (``tests/reference/applications/<Model>.json``,
written by ``tests/reference/make_applications_refs.py``), layer by layer: class, name, output shape, parameter
count, in Keras's order. Weights written by real Keras in the legacy HDF5 layout of its published ImageNet files
must reproduce Keras's outputs. Downloads go through a real HTTP server on 127.0.0.1.
"""

import hashlib
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import kerasnb as keras
from kerasnb.applications import imagenet_utils

REF = os.path.join(os.path.dirname(__file__), "reference", "applications")
SCRIPT = os.path.join(os.path.dirname(__file__), "reference", "make_applications_refs.py")

MODELS = ["VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152", "MobileNet", "MobileNetV2", "DenseNet121",
          "DenseNet169", "DenseNet201"]


def reference(name):
    with open(os.path.join(REF, f"{name}.json")) as f:
        return json.load(f)


def rows(model):
    return [[type(layer).__name__, layer.name, list(layer.output.shape), layer.count_params()]
            for layer in model.layers]


def counts(model):
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable}


@pytest.mark.parametrize("name", MODELS)
def test_architecture_equals_keras(name):
    # Auto-named layers (zero_padding2d, global_average_pooling2d) are numbered per session, as in Keras.
    keras.backend.clear_session()
    model = getattr(keras.applications, name)(weights=None)
    ref = reference(name)
    assert list(model.input.shape) == ref["input_shape"]
    got = rows(model)
    assert len(got) == len(ref["layers"])
    for mine, theirs in zip(got, ref["layers"]):
        assert mine == theirs
    assert {layer.name for layer in model.layers} == {r[1] for r in ref["layers"]}
    assert counts(model) == ref["params"]
    assert model.count_params() == ref["params"]["total"]


@pytest.mark.parametrize("name", ["ResNet50", "MobileNet", "MobileNetV2", "DenseNet121", "VGG16"])
def test_notop_avg_equals_keras(name):
    model = getattr(keras.applications, name)(weights=None, include_top=False, pooling="avg")
    ref = reference(name)["notop_avg"]
    assert counts(model) == ref["params"]
    assert list(model.output.shape) == ref["output_shape"]
    assert len(model.layers) == ref["n_layers"]


def test_headline_parameter_counts():
    assert keras.applications.MobileNet(weights=None).count_params() == 4_253_864
    assert keras.applications.resnet50.ResNet50(weights=None).count_params() == 25_636_712


def test_pooling_variants_and_shapes():
    small = dict(weights=None, include_top=False, input_shape=(64, 64, 3))
    model = keras.applications.ResNet50(pooling="max", **small)
    assert model.layers[-1].name == "max_pool" and model.output.shape == (None, 2048)
    assert keras.applications.ResNet50(**small).output.shape == (None, 2, 2, 2048)
    assert keras.applications.DenseNet121(pooling="max", **small).output.shape == (None, 1024)
    assert keras.applications.VGG19(pooling="avg", **small).output.shape == (None, 512)
    model = keras.applications.MobileNet(alpha=0.5, depth_multiplier=2, **small)
    assert model.name == "mobilenet_0.50_64" and model.output.shape == (None, 2, 2, 512)
    free = keras.applications.MobileNetV2(weights=None, include_top=False, alpha=0.35)
    assert free.input.shape == (None, None, None, 3) and free.name == "mobilenetv2_0.35_224"


def test_classes_and_classifier_activation():
    model = keras.applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3), classes=7,
                                           classifier_activation=None)
    assert model.output.shape == (None, 7)
    out = model.predict(np.random.default_rng(0).uniform(-1, 1, (2, 96, 96, 3)).astype("float32"), verbose=0)
    assert not np.allclose(out.sum(axis=1), 1.0)  # logits, not probabilities
    model = keras.applications.MobileNet(weights=None, alpha=0.25, input_shape=(32, 32, 3), classes=3)
    probabilities = model.predict(np.zeros((1, 32, 32, 3), "float32"), verbose=0)
    assert probabilities.shape == (1, 3) and np.allclose(probabilities.sum(), 1.0, atol=1e-5)


def test_input_tensor():
    inputs = keras.Input((32, 32, 3))
    model = keras.applications.MobileNet(weights=None, alpha=0.25, include_top=False, input_tensor=inputs)
    assert model.inputs[0] is inputs
    # A tensor computed from an Input: the model starts from it and its input is the original Input.
    raw = keras.Input((32, 32, 3))
    scaled = keras.layers.Rescaling(1 / 127.5, offset=-1)(raw)
    model = keras.applications.MobileNetV2(weights=None, alpha=0.35, include_top=False, input_tensor=scaled)
    assert model.inputs[0] is raw
    assert model.layers[1].name.startswith("rescaling")
    with pytest.raises(ValueError, match="`input_tensor` must be a symbolic tensor"):
        keras.applications.VGG16(weights=None, include_top=False, input_tensor=np.zeros((1, 32, 32, 3)))


@pytest.mark.parametrize("call, message", [
    (lambda: keras.applications.VGG16(weights="nowhere.h5"), r"The `weights` argument should be .*nowhere\.h5"),
    (lambda: keras.applications.ResNet50(weights="imagenet", classes=10), r"`classes` should be 1000\. Received: "
                                                                          r"classes=10"),
    (lambda: keras.applications.DenseNet121(weights="imagenet", input_shape=(128, 128, 3)),
     r"`input_shape` should be \(224, 224, 3\)\. Received: input_shape=\(128, 128, 3\)"),
    (lambda: keras.applications.VGG16(weights=None, input_shape=(16, 16, 3), include_top=False),
     r"Input size must be at least 32x32\. Received: input_shape=\(16, 16, 3\)"),
    (lambda: keras.applications.VGG16(weights=None, input_shape=(32, 32), include_top=False),
     r"`input_shape` must be a tuple of three integers"),
    (lambda: keras.applications.ResNet50(weights=None, input_shape=(None, None, 3)),
     r"If `include_top` is True, you should specify a static `input_shape`"),
    (lambda: keras.applications.ResNet50(weights="imagenet", include_top=False, input_shape=(64, 64, 1)),
     r"The input must have 3 channels"),
    (lambda: keras.applications.MobileNet(weights="imagenet", alpha=0.3), r"alpha must be one of .*alpha=0\.3"),
    (lambda: keras.applications.MobileNet(weights="imagenet", depth_multiplier=2),
     r"depth multiplier must be 1\. Received: depth_multiplier=2"),
    (lambda: keras.applications.VGG16(weights="imagenet", classifier_activation="relu"),
     r"Only `None` and `softmax`.*classifier_activation='relu'"),
])
def test_invalid_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_obtain_input_shape_rules():
    shape = imagenet_utils.obtain_input_shape
    assert shape(None, 224, 32, "channels_last", require_flatten=True) == (224, 224, 3)
    assert shape(None, 224, 32, "channels_last", require_flatten=False) == (None, None, 3)
    assert shape((None, None, 3), 224, 32, None, require_flatten=False, weights="imagenet") == (None, None, 3)
    assert shape(None, 299, 71, None, require_flatten=True, weights="imagenet") == (299, 299, 3)
    with pytest.warns(UserWarning, match="1 or 3 input channels"):
        assert shape((64, 64, 5), 224, 32, None, require_flatten=False) == (64, 64, 5)
    with pytest.raises(ValueError, match="channels_last"):
        shape(None, 224, 32, "channels_first", require_flatten=False)


def test_preprocess_input_modes():
    rgb = np.array([[[[10.0, 20.0, 30.0]]]], "float32")
    caffe = imagenet_utils.preprocess_input(rgb, mode="caffe")
    np.testing.assert_allclose(caffe[0, 0, 0], [30 - 103.939, 20 - 116.779, 10 - 123.68], rtol=1e-6)
    np.testing.assert_allclose(imagenet_utils.preprocess_input(rgb, mode="tf")[0, 0, 0],
                               [10 / 127.5 - 1, 20 / 127.5 - 1, 30 / 127.5 - 1], rtol=1e-6)
    expected = [(10 / 255 - 0.485) / 0.229, (20 / 255 - 0.456) / 0.224, (30 / 255 - 0.406) / 0.225]
    np.testing.assert_allclose(imagenet_utils.preprocess_input(rgb, mode="torch")[0, 0, 0], expected, rtol=1e-5)
    assert rgb[0, 0, 0, 0] == 10.0  # the input is not changed in place
    assert caffe.dtype == np.float32
    assert imagenet_utils.preprocess_input(np.zeros((1, 3), "uint8"), mode="tf").dtype == np.float32
    assert imagenet_utils.preprocess_input(rgb.astype("float64")).dtype == np.float64
    # Each module uses its model's mode.
    np.testing.assert_allclose(keras.applications.vgg16.preprocess_input(rgb), caffe)
    np.testing.assert_allclose(keras.applications.resnet.preprocess_input(rgb), caffe)
    np.testing.assert_allclose(keras.applications.mobilenet_v2.preprocess_input(rgb)[0, 0, 0, 0], 10 / 127.5 - 1,
                               rtol=1e-6)
    np.testing.assert_allclose(keras.applications.densenet.preprocess_input(rgb)[0, 0, 0], expected, rtol=1e-5)
    # A kerasnb tensor in, a tensor out.
    tensor = keras.applications.mobilenet.preprocess_input(keras.ops.convert_to_tensor(rgb))
    assert isinstance(tensor, keras.Tensor)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(tensor), rgb / 127.5 - 1, rtol=1e-6)
    with pytest.raises(ValueError, match="mode="):
        imagenet_utils.preprocess_input(rgb, mode="bgr")


# --- downloads through a real local server --------------------------------------------------------------------


@pytest.fixture
def server(http_server, tmp_path, monkeypatch):
    """conftest's HTTP server on 127.0.0.1 standing in for Keras's storage, with an empty Keras cache."""
    monkeypatch.setenv("KERASNB_APPLICATIONS_BASE_URL", http_server.url + "/")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(imagenet_utils, "_class_index", {})
    return http_server


def test_origin_is_keras_storage_unless_overridden(monkeypatch):
    monkeypatch.delenv("KERASNB_APPLICATIONS_BASE_URL", raising=False)
    url = keras.applications.densenet.BASE_WEIGHTS_URL + "x.h5"
    assert imagenet_utils.origin(url) == "https://storage.googleapis.com/tensorflow/keras-applications/densenet/x.h5"
    monkeypatch.setenv("KERASNB_APPLICATIONS_BASE_URL", "http://127.0.0.1:1")
    assert imagenet_utils.origin(url) == "http://127.0.0.1:1/densenet/x.h5"
    assert imagenet_utils.origin(imagenet_utils.CLASS_INDEX_URL) == "http://127.0.0.1:1/imagenet_class_index.json"


def test_imagenet_weights_download_cache_and_outputs(server):
    # Keras's published file for MobileNet alpha=0.25 without the top (weights do not depend on the image size).
    with open(os.path.join(REF, "mobilenet_a025_32.h5"), "rb") as f:
        server.add("mobilenet/mobilenet_2_5_224_tf_no_top.h5", f.read())
    data = np.load(os.path.join(REF, "mobilenet_a025_32.npz"))
    with pytest.warns(UserWarning, match="Weights for input shape \\(224, 224\\) will be loaded"):
        model = keras.applications.MobileNet(alpha=0.25, include_top=False, input_shape=(32, 32, 3))
    assert server.requests == ["/mobilenet/mobilenet_2_5_224_tf_no_top.h5"]
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], atol=1e-4)
    cached = os.path.join(os.environ["KERAS_HOME"], "models", "mobilenet_2_5_224_tf_no_top.h5")
    assert os.path.exists(cached)
    with pytest.warns(UserWarning):
        keras.applications.MobileNet(alpha=0.25, include_top=False, input_shape=(32, 32, 3))
    assert len(server.requests) == 1  # the second model came from the cache


def test_weights_hash_mismatch_is_an_error(server):
    server.add("resnet/tiny.h5", b"not the file Keras published")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="hash"):
        imagenet_utils.load_weights(model, "imagenet", file_name="tiny.h5",
                                    origin=keras.applications.resnet.BASE_WEIGHTS_URL + "tiny.h5",
                                    file_hash="2cb95161c43110f7111970584f804107")
    assert server.requests == ["/resnet/tiny.h5"]


def test_decode_predictions(server, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    payload = json.dumps(index).encode()
    server.add("imagenet_class_index.json", payload)
    preds = np.zeros((2, 1000), "float32")
    preds[0, [3, 7, 5]] = [0.5, 0.3, 0.2]
    preds[1, 999] = 1.0
    # The served file is not Keras's: its hash does not match the one Keras publishes.
    with pytest.raises(ValueError, match="hash"):
        keras.applications.vgg16.decode_predictions(preds)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(payload).hexdigest())
    top = keras.applications.mobilenet_v2.decode_predictions(preds, top=3)
    assert [(c, n) for c, n, _ in top[0]] == [("n00000003", "class_3"), ("n00000007", "class_7"),
                                              ("n00000005", "class_5")]
    assert [round(float(s), 4) for _, _, s in top[0]] == [0.5, 0.3, 0.2]
    assert top[1][0][:2] == ("n00000999", "class_999") and len(top[1]) == 3
    n = len(server.requests)
    keras.applications.resnet50.decode_predictions(preds)
    assert len(server.requests) == n  # read once
    with pytest.raises(ValueError, match=re.escape("(samples, 1000)). Received array with shape: (2, 10)")):
        keras.applications.densenet.decode_predictions(np.zeros((2, 10)))


# --- weights written by real Keras ----------------------------------------------------------------------------

FIXTURES = {
    "mobilenet_a025_32": lambda: keras.applications.MobileNet(weights=os.path.join(REF, "mobilenet_a025_32.h5"),
                                                              alpha=0.25, include_top=False, input_shape=(32, 32, 3)),
    "mobilenet_v2_a035_32": lambda: keras.applications.MobileNetV2(
        weights=os.path.join(REF, "mobilenet_v2_a035_32.h5"), alpha=0.35, include_top=False, input_shape=(32, 32, 3)),
}


@pytest.mark.parametrize("key", sorted(FIXTURES))
def test_committed_keras_weights_reproduce_keras_outputs(key):
    pytest.importorskip("h5py")  # weight files are HDF5; Pyodide (JupyterLite) runs these without it
    model = FIXTURES[key]()
    data = np.load(os.path.join(REF, f"{key}.npz"))
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], atol=1e-4)


BIG = {
    "vgg16_top_32": lambda path: keras.applications.VGG16(weights=path, input_shape=(32, 32, 3), classes=10),
    "resnet50_32": lambda path: keras.applications.ResNet50(weights=path, include_top=False, input_shape=(32, 32, 3)),
    "densenet121_32_pool": lambda path: keras.applications.DenseNet121(weights=path, include_top=False,
                                                                       input_shape=(32, 32, 3), pooling="avg"),
    "mobilenet_v2_a035_top_96": lambda path: keras.applications.MobileNetV2(weights=path, alpha=0.35,
                                                                            input_shape=(96, 96, 3), classes=10),
}


@pytest.mark.parametrize("key", sorted(BIG))
def test_large_keras_weights_reproduce_keras_outputs(key, tmp_path):
    python = os.environ.get("KERASNB_KERAS_PYTHON")
    if not python:
        pytest.skip("set KERASNB_KERAS_PYTHON to a Python with keras and tensorflow to write this fixture")
    subprocess.run([python, SCRIPT, "--fixture", key, "--out", str(tmp_path)], check=True, capture_output=True,
                   timeout=600)
    model = BIG[key](str(tmp_path / f"{key}.h5"))
    data = np.load(tmp_path / f"{key}.npz")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], atol=1e-4)


@pytest.mark.needs_subprocess
def test_import_kerasnb_does_not_import_applications():
    code = "import sys, kerasnb; assert 'kerasnb.applications' not in sys.modules; kerasnb.applications.VGG16"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
