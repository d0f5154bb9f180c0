"""Preprocessing layers: numbers (Rescaling, Normalization, Discretization, CategoryEncoding), images (Resizing,
CenterCrop, RandomFlip/Rotation/Zoom/Translation/Contrast) and text (StringLookup, IntegerLookup,
TextVectorization).

Parity with real Keras comes from ``tests/reference/attention_reference.npz`` (written by
``tests/reference/make_attention_refs.py`` under Keras 3.15.1 on torch, with TensorFlow for the text layers):
same constructor arguments, same ``adapt`` data, same inputs, and for the random layers the same random draw
(Keras's ``get_random_transformation`` output, replayed through ``transform_images``). Outputs, learned
vocabularies and weights, parameter counts, configurations and output shapes are compared.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.layers import preprocessing
from kerasnb.layers.input_layer import Input
from kerasnb.layers.preprocessing.image import (
    CenterCrop,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
    affine_matrix,
    resize,
    resize_weights,
)
from kerasnb.layers.preprocessing.numeric import CategoryEncoding, Discretization, Normalization, Rescaling
from kerasnb.layers.preprocessing.text import IntegerLookup, StringLookup, TextVectorization, fingerprint64

FIXTURE = Path(__file__).parent / "reference" / "attention_reference.npz"
LAYERS = {name: getattr(preprocessing, name) for name in preprocessing.__all__}
TEXT_LAYERS = {"StringLookup", "IntegerLookup", "TextVectorization"}


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    cases = json.loads(str(arrays.pop("__cases__")))
    return [c for c in cases if c["layer"] in LAYERS], json.loads(str(arrays.pop("__meta__"))), arrays


CASES, META, ARRAYS = _load()
CALL_CASES = [c for c in CASES if c["method"] == "call"]
TRANSFORM_CASES = [c for c in CASES if c["method"] == "transform_images"]


def _array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def _resolve(value, tensors):
    if isinstance(value, dict) and set(value) == {"input"}:
        return tensors[value["input"]]
    if isinstance(value, dict) and set(value) == {"inputs"}:
        return [tensors[k] for k in value["inputs"]]
    if isinstance(value, list):
        return tuple(_resolve(v, tensors) for v in value)
    return value


def _init(case):
    init = dict(case["init"])
    for key in ("factor", "height_factor", "width_factor", "value_range", "ngrams"):
        if isinstance(init.get(key), list):
            init[key] = tuple(init[key])
    return init


def _layer(case):
    """The kerasnb layer of the case, adapted like the Keras one."""
    layer = LAYERS[case["layer"]](**_init(case))
    if case["adapt"] is not None:
        data = _array(case, "adapt")
        layer.adapt(list(data) if case["adapt_batches"] else data)
    return layer


def _transformation(case):
    return {k: _array(case, v) if isinstance(v, str) and v.startswith("t_") else v
            for k, v in case["transformation"].items()}


def _run(layer, case):
    inputs = {k: _array(case, k) for k in case["inputs"]}
    args = [_resolve(a, inputs) for a in case["args"]]
    kwargs = {k: _resolve(v, inputs) for k, v in case["kwargs"].items()}
    if case["method"] == "transform_images":
        out = layer.transform_images(*args, _transformation(case), training=True)
    else:
        out = layer(*args, **kwargs)
    return list(out) if isinstance(out, tuple) else [out]


def _numpy(out):
    return out.numpy() if isinstance(out, keras.Tensor) else np.asarray(out)


def test_fixture_is_from_real_keras():
    assert META["keras_version"].startswith("3.")
    assert META["backend"] == "torch"
    assert "tensorflow" in META  # Keras's text layers run on TensorFlow whatever the backend
    assert len(CASES) >= 80


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_matches_keras(case):
    layer = _layer(case)
    outs = _run(layer, case)
    assert len(outs) == len(case["outputs"])
    for key, out in zip(case["outputs"], outs):
        got, want = _numpy(out), _array(case, key)
        assert got.shape == want.shape, f"{case['name']}: shape {got.shape}, Keras {want.shape}"
        if want.dtype.kind == "f":
            assert got.dtype == want.dtype, f"{case['name']}: dtype {got.dtype}, Keras {want.dtype}"
            # Sums of float32 products in another order: errors of a few float32 steps of the data's scale
            # (images reach 255, where one step is 1.5e-5; the largest seen is 1.2e-4, bicubic resizing).
            scale = max(1.0, float(np.abs(want).max()))
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * scale, err_msg=case["name"])
        else:
            assert got.dtype.kind == want.dtype.kind, f"{case['name']}: dtype {got.dtype}, Keras {want.dtype}"
            if want.dtype.kind in "iu":
                assert got.dtype == want.dtype, f"{case['name']}: dtype {got.dtype}, Keras {want.dtype}"
            np.testing.assert_array_equal(got, want, err_msg=case["name"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_learned_state_and_parameter_count_match_keras(case):
    layer = _layer(case)
    _run(layer, case)
    if case["vocabulary"] is not None:
        assert [str(v) for v in layer.get_vocabulary()] == case["vocabulary"]
    weights = layer.get_weights()
    assert len(weights) == case["weights"]
    for i, w in enumerate(weights):
        np.testing.assert_allclose(w, _array(case, f"w{i}"), rtol=1e-5, atol=1e-6)
    if case["count_params"] is not None:
        assert layer.count_params() == case["count_params"]


def _jsonable(config):
    return json.loads(json.dumps(config, default=lambda v: v.tolist() if hasattr(v, "tolist") else repr(v)))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_matches_keras(case):
    layer = _layer(case)
    _run(layer, case)
    config = _jsonable(layer.get_config())
    for key, value in case["config"].items():
        if key in ("vocabulary", "idf_weights") and case["adapt"] is not None:
            continue  # Keras keeps an adapted vocabulary as a file asset; kerasnb puts the list in the config
        assert key in config, key
        assert config[key] == value, f"{case['name']} {key}: {config[key]!r}, Keras {value!r}"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_from_config_round_trip(case):
    layer = _layer(case)
    outs = _run(layer, case)
    clone = type(layer).from_config(layer.get_config())
    assert _jsonable(clone.get_config()) == _jsonable(layer.get_config())
    if layer.weights:  # learned weights (Normalization's mean and variance) travel with the weights
        _run(clone, case)
        clone.set_weights(layer.get_weights())
    if case["method"] == "call" and not case["layer"].startswith("Random"):
        for a, b in zip(_run(clone, case), outs):
            np.testing.assert_array_equal(_numpy(a), _numpy(b))
    if case["method"] == "transform_images":
        for a, b in zip(_run(clone, case), outs):
            np.testing.assert_allclose(_numpy(a), _numpy(b), rtol=1e-6)


@pytest.mark.parametrize("case", CALL_CASES, ids=[c["name"] for c in CALL_CASES])
def test_compute_output_shape_matches_real_outputs(case):
    layer = _layer(case)
    outs = _run(layer, case)
    shape = _array(case, case["inputs"][0]).shape
    want = _numpy(outs[0]).shape
    got = layer.compute_output_shape(shape)
    assert len(got) == len(want) and all(g is None or g == w for g, w in zip(got, want)), (got, want)


@pytest.mark.parametrize("case", [c for c in CALL_CASES if c["layer"] not in TEXT_LAYERS],
                         ids=[c["name"] for c in CALL_CASES if c["layer"] not in TEXT_LAYERS])
def test_symbolic_call_matches_real_outputs(case):
    """A functional call on a ``keras.Input`` (batch unknown) gives the real output's shape and dtype."""
    x = _array(case, case["inputs"][0])
    if x.ndim < 2:
        pytest.skip("a rank-1 input has no batch axis to leave unknown")
    layer = _layer(case)
    want = _numpy(_run(layer, case)[0])
    symbol = Input(shape=x.shape[1:], dtype=x.dtype)
    out = layer(symbol, **{k: v for k, v in case["kwargs"].items() if not isinstance(v, dict)})
    assert out.shape[1:] == want.shape[1:]
    assert out.dtype == want.dtype


# ---------------------------------------------------------------------------------------------------------
# Random layers: active only when training; the random draws; reproducibility
# ---------------------------------------------------------------------------------------------------------

RANDOM_LAYERS = [
    lambda seed: RandomFlip(seed=seed),
    lambda seed: RandomRotation(0.2, seed=seed),
    lambda seed: RandomZoom(0.3, 0.2, seed=seed),
    lambda seed: RandomTranslation(0.2, 0.3, seed=seed),
    lambda seed: RandomContrast(0.5, seed=seed),
]
RANDOM_IDS = ["flip", "rotation", "zoom", "translation", "contrast"]


@pytest.mark.parametrize("make", RANDOM_LAYERS, ids=RANDOM_IDS)
def test_random_layers_are_identity_at_inference(make, rng):
    images = rng.uniform(0, 255, size=(3, 6, 7, 2))
    layer = make(1)
    np.testing.assert_allclose(layer(images, training=False).numpy(), images.astype("float32"))
    model = keras.Sequential([Input(shape=(6, 7, 2)), make(2)])
    np.testing.assert_allclose(model.predict(images, verbose=0), images.astype("float32"))


@pytest.mark.parametrize("make", RANDOM_LAYERS, ids=RANDOM_IDS)
def test_random_layers_augment_when_training_and_by_default(make, rng):
    images = rng.uniform(0, 255, size=(8, 6, 7, 2))
    layer = make(1)
    trained = layer(images, training=True).numpy()
    assert not np.allclose(trained, images)
    assert not np.allclose(layer(images).numpy(), images)  # called directly: training, as in Keras 3
    assert layer(images[0]).shape == (6, 7, 2)  # one image without a batch axis
    # The same seed gives the same augmentations.
    np.testing.assert_allclose(make(1)(images, training=True).numpy(), trained)


def test_random_draws_stay_in_their_ranges(rng):
    images = rng.uniform(size=(64, 5, 5, 1))
    angle = RandomRotation((-0.1, 0.2), seed=0).get_random_transformation(images)["angle"]
    assert angle.min() >= -36 and angle.max() <= 72 and angle.max() - angle.min() > 50
    zoom = RandomZoom((-0.3, 0.1), seed=0).get_random_transformation(images)
    assert zoom["height_zoom"].min() >= 0.7 and zoom["height_zoom"].max() <= 1.1
    np.testing.assert_array_equal(zoom["width_zoom"], zoom["height_zoom"])  # width_factor=None: same zoom
    shifts = RandomTranslation(0.2, (0.0, 0.4), seed=0).get_random_transformation(images)["translations"]
    assert np.all(np.abs(shifts[:, 1]) <= 1.0) and np.all((shifts[:, 0] >= 0) & (shifts[:, 0] <= 2.0))
    factor = RandomContrast(0.5, seed=0).get_random_transformation(images)["contrast_factor"]
    factor = ops.convert_to_numpy(factor)
    assert factor.min() >= 1.0 and factor.max() <= 1.5  # Keras 3: a single factor f draws from [1, 1 + f]
    flips = ops.convert_to_numpy(RandomFlip(seed=0).get_random_transformation(images)["flips"])
    assert 10 < flips.sum() < 54


@pytest.mark.parametrize("case", [c for c in TRANSFORM_CASES if c["layer"] == "RandomRotation"],
                         ids=[c["name"] for c in TRANSFORM_CASES if c["layer"] == "RandomRotation"])
def test_rotation_matrix_from_angle_matches_keras(case):
    t = _transformation(case)
    angle = np.atleast_1d(t["angle"]).astype("float32")
    ones, zeros = np.ones_like(angle), np.zeros_like(angle)
    matrix = affine_matrix(angle, zeros, zeros, ones, zeros, zeros, t["image_height"], t["image_width"])
    np.testing.assert_allclose(matrix.reshape(t["rotation_matrix"].shape), t["rotation_matrix"], rtol=1e-6,
                               atol=1e-5)


def test_random_flip_horizontal_and_vertical_flips_both_axes_together():
    image = np.arange(6.0).reshape(1, 2, 3, 1)
    out = RandomFlip().transform_images(image, {"flips": np.array([True]).reshape(1, 1, 1, 1)})
    np.testing.assert_array_equal(out.numpy()[0, :, :, 0], [[5, 4, 3], [2, 1, 0]])


# ---------------------------------------------------------------------------------------------------------
# Resizing and cropping
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("interpolation,antialias", [("bilinear", False), ("bicubic", False), ("nearest", False),
                                                     ("bilinear", True), ("bicubic", True)])
@pytest.mark.parametrize("sizes", [(5, 3), (3, 7), (4, 4)])
def test_resize_weights_rows_sum_to_one(interpolation, antialias, sizes):
    weights = resize_weights(*sizes, interpolation=interpolation, antialias=antialias)
    assert weights.shape == (sizes[1], sizes[0])
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)


def test_resize_is_differentiable(gradcheck, rng):
    gradcheck(lambda x: resize(x, (3, 5)), rng.normal(size=(1, 4, 3, 2)))
    gradcheck(lambda x: resize(x, (5, 2), interpolation="bicubic", antialias=True), rng.normal(size=(1, 4, 3, 1)))


def test_normalization_and_rescaling_are_differentiable(gradcheck, rng):
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 0.5], dtype="float64")
    gradcheck(lambda x: layer(x), rng.normal(size=(3, 2)))
    gradcheck(lambda x: Rescaling(0.5, offset=1.0, dtype="float64")(x), rng.normal(size=(3, 2)))


def test_center_crop_and_resizing_shapes_and_dtypes(rng):
    image = rng.integers(0, 256, size=(2, 6, 8, 3)).astype("uint8")
    assert CenterCrop(4, 4)(image).dtype == np.float32
    out = Resizing(3, 4)(image)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4, 3)
    assert Resizing(3, 4, data_format="channels_first")(image.transpose(0, 3, 1, 2)).shape == (2, 3, 3, 4)
    assert Resizing(5, 5).compute_output_shape((None, 7, 9, 3)) == (None, 5, 5, 3)
    assert CenterCrop(5, 5).compute_output_shape((7, 9, 3)) == (5, 5, 3)


# ---------------------------------------------------------------------------------------------------------
# Numeric layers
# ---------------------------------------------------------------------------------------------------------


def test_normalization_adapt_sources_agree(rng):
    data = rng.normal(size=(30, 4)).astype("float32") * 3 + 1
    from_array, from_tensor, from_batches = Normalization(), Normalization(), Normalization()
    from_array.adapt(data)
    from_tensor.adapt(ops.convert_to_tensor(data))
    from_batches.adapt(np.split(data, 3))
    for layer in (from_tensor, from_batches):
        for a, b in zip(layer.get_weights(), from_array.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    out = from_array(data).numpy()
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(0), 1, atol=1e-4)
    inverse = Normalization(invert=True)
    inverse.adapt(data)
    np.testing.assert_allclose(inverse(out).numpy(), data, rtol=1e-4, atol=1e-4)


def test_normalization_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="must have the same shape"):
        Normalization(mean=[1.0, 2.0], variance=1.0)
    with pytest.raises(ValueError, match=r"range \[-ndim, ndim\)"):
        Normalization(axis=3)(np.ones((2, 3)))
    layer = Normalization()
    layer.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.ones((4, 5)))
    with pytest.raises(TypeError, match="Unsupported data type"):
        Normalization().adapt(3.0)


def test_category_encoding_and_discretization_details():
    assert CategoryEncoding(3, "one_hot").compute_output_shape((None, 1)) == (None, 3)
    assert CategoryEncoding(3, "count").compute_output_shape((None, 4)) == (None, 3)
    with pytest.raises(ValueError, match="num_tokens must be set"):
        CategoryEncoding()
    with pytest.raises(ValueError, match="Unknown arg for output_mode"):
        CategoryEncoding(3, output_mode="sum")
    with pytest.raises(ValueError, match="`count_weights` is not used"):
        CategoryEncoding(3, output_mode="one_hot")(np.array([1]), count_weights=np.array([1.0]))
    np.testing.assert_array_equal(CategoryEncoding(3, "binary")(np.array([[0, 2]])).numpy(), [[1, 0, 1]])
    with pytest.raises(ValueError, match="0 <= values < num_tokens"):
        CategoryEncoding(3)(np.array([[0, 3]]))
    layer = Discretization(num_bins=4, epsilon=0.01)
    layer.adapt(np.arange(100.0))
    clone = Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries and len(layer.bin_boundaries) == 3
    np.testing.assert_array_equal(clone(np.array([0.0, 40.0, 99.0])).numpy(), [0, 1, 3])
    with pytest.raises(ValueError, match="either `num_bins` or `bin_boundaries`"):
        Discretization()
    with pytest.raises(ValueError, match="Cannot adapt"):
        Discretization(bin_boundaries=[0.0]).adapt(np.ones(3))


# ---------------------------------------------------------------------------------------------------------
# Text layers
# ---------------------------------------------------------------------------------------------------------


def test_fingerprint64_of_known_strings():
    # Reference values from TensorFlow's tf.strings.to_hash_bucket_fast(s, 2**63 - 1).
    assert fingerprint64(b"hello") % 10 == 6
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F


def test_lookup_round_trip_through_invert():
    lookup = StringLookup(vocabulary=["a", "b", "c"])
    inverse = StringLookup(vocabulary=["a", "b", "c"], invert=True)
    words = np.array([["c", "a"], ["b", "zz"]])
    np.testing.assert_array_equal(inverse(lookup(words)), [["c", "a"], ["b", "[UNK]"]])
    ids = IntegerLookup(vocabulary=[10, 20])(np.array([20, 10, 99]))
    np.testing.assert_array_equal(IntegerLookup(vocabulary=[10, 20], invert=True)(ids).numpy(), [20, 10, -1])


def test_lookup_accepts_lists_bytes_and_special_tokens_in_the_vocabulary():
    layer = StringLookup(vocabulary=["", "[UNK]", "a", "b"], mask_token="")
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b"]
    np.testing.assert_array_equal(layer(["a", "", "q"]).numpy(), [2, 0, 1])
    np.testing.assert_array_equal(layer(np.array([b"b", b"a"])).numpy(), [3, 2])
    assert layer.get_vocabulary(include_special_tokens=False) == ["a", "b"]
    assert layer.vocabulary_size() == 4


def test_lookup_vocabulary_file_becomes_a_list_in_the_config(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("cat\ndog\n")
    layer = StringLookup(vocabulary=str(path))
    assert layer.get_config()["vocabulary"] == ["cat", "dog"]
    np.testing.assert_array_equal(StringLookup.from_config(layer.get_config())(["dog"]).numpy(), [2])


def test_adapted_vocabulary_round_trips_through_the_config():
    layer = TextVectorization(output_mode="tf_idf")
    layer.adapt(["a b b", "b c", "c c d"])
    clone = TextVectorization.from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(clone(["b d e"]).numpy(), layer(["b d e"]).numpy())


def test_empty_vocabulary_still_has_the_special_tokens():
    assert StringLookup().get_vocabulary() == ["[UNK]"]
    assert StringLookup(mask_token="").get_vocabulary() == ["", "[UNK]"]
    assert TextVectorization().vocabulary_size() == 2
    np.testing.assert_array_equal(StringLookup()(["a"]).numpy(), [0])


def test_lookup_errors():
    with pytest.raises(ValueError, match="repeated term"):
        StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="reserved mask token"):
        StringLookup(vocabulary=["a", ""], mask_token="")
    with pytest.raises(ValueError, match="`output_mode` must be `'int'` when `invert` is true"):
        StringLookup(vocabulary=["a"], invert=True, output_mode="one_hot")
    with pytest.raises(ValueError, match="`num_oov_indices=0` all inputs should be in vocabulary"):
        StringLookup(vocabulary=["a"], num_oov_indices=0)(["b"])
    with pytest.raises(ValueError, match="Cannot adapt"):
        StringLookup(vocabulary=["a"]).adapt(["a"])
    with pytest.raises(ValueError, match="larger than the maximum vocab size"):
        StringLookup(vocabulary=["a", "b", "c"], max_tokens=3)
    with pytest.raises(ValueError, match="`idf_weights` argument must also be provided"):
        StringLookup(vocabulary=["a"], output_mode="tf_idf")
    with pytest.raises(RuntimeError, match="you must set the layer's vocabulary"):
        StringLookup(output_mode="multi_hot")(["a"])
    with pytest.raises(ValueError, match="TensorFlow backend"):
        StringLookup(sparse=True)
    with pytest.raises(ValueError, match="max_tokens"):
        IntegerLookup(max_tokens=1)


def test_text_vectorization_custom_standardize_and_split():
    layer = TextVectorization(standardize=lambda texts: np.char.upper(texts), split=lambda text: text.split("-"),
                              vocabulary=["A", "B"])
    np.testing.assert_array_equal(layer(["a-b-c", "b"]).numpy(), [[2, 3, 1], [3, 0, 0]])
    assert layer.compute_output_shape((None,)) == (None, None)
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="`output_sequence_length` must not be set"):
        TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="`ngrams` must be None, an integer, or a tuple"):
        TextVectorization(ngrams=[1, 2])


def test_text_model_from_a_string_input_trains_end_to_end():
    import kerasnb as keras

    vec = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vec.adapt(["the cat sat", "the dog ran", "a cat ran"])
    inputs = keras.Input(shape=(1,), dtype="string")
    x = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(20, 3)(vec(inputs)))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
    assert model.count_params() == 64
    texts = np.array([["the cat ran"], ["a dog"], ["the dog sat"], ["a cat"]])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(texts, np.array([1, 0, 1, 0]), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(texts, verbose=0).shape == (4, 1)
