"""Constraints: Keras's projection formulas (against NumPy and against real Keras, from
``tests/reference/vocab_reference.*`` written by ``make_vocab_refs.py``), names, configs, and their use by the
optimizers after each step."""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import constraints, optimizers

REFERENCE = Path(__file__).parent / "reference"
VOCAB = json.loads((REFERENCE / "vocab_reference.json").read_text())
with np.load(REFERENCE / "vocab_reference.npz") as _data:
    REF = {key: _data[key] for key in _data.files}
KERAS_CASES = [c for c in VOCAB["cases"] if c["kind"] == "constraint"]

EPSILON = 1e-7  # keras.config.epsilon(), which the norm constraints add to each norm


def np_norms(w, axis):
    return np.sqrt((w.astype("float64") ** 2).sum(axis=axis, keepdims=True))


def np_max_norm(w, max_value=2.0, axis=0):
    norms = np_norms(w, axis)
    return w * (np.clip(norms, 0, max_value) / (EPSILON + norms))


def np_min_max_norm(w, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
    norms = np_norms(w, axis)
    desired = rate * np.clip(norms, min_value, max_value) + (1 - rate) * norms
    return w * (desired / (EPSILON + norms))


def np_unit_norm(w, axis=0):
    return w / (EPSILON + np_norms(w, axis))


W = np.array([[3.0, 0.1, -1.0, 0.0], [4.0, -0.2, 2.0, 0.0], [0.0, 0.2, -2.0, 0.0]], "float32")  # column 3 is 0
KERNEL = np.random.default_rng(5).standard_normal((3, 3, 2, 4)).astype("float32")

FORMULA_CASES = [
    (constraints.MaxNorm(), np_max_norm, {}, W),
    (constraints.MaxNorm(max_value=1.0, axis=1), np_max_norm, {"max_value": 1.0, "axis": 1}, W),
    (constraints.MaxNorm(1.5, axis=[0, 1, 2]), np_max_norm, {"max_value": 1.5, "axis": (0, 1, 2)}, KERNEL),
    (constraints.MinMaxNorm(), np_min_max_norm, {}, W),
    (constraints.MinMaxNorm(0.5, 2.0, rate=0.3), np_min_max_norm, {"min_value": 0.5, "max_value": 2.0, "rate": 0.3},
     W),
    (constraints.MinMaxNorm(2.0, 3.0, axis=(0, 1, 2)), np_min_max_norm,
     {"min_value": 2.0, "max_value": 3.0, "axis": (0, 1, 2)}, KERNEL),
    (constraints.NonNeg(), lambda w: np.maximum(w, 0), {}, W),
    (constraints.UnitNorm(), np_unit_norm, {}, W),
    (constraints.UnitNorm(axis=1), np_unit_norm, {"axis": 1}, W),
    (constraints.UnitNorm(axis=[0, 1, 2]), np_unit_norm, {"axis": (0, 1, 2)}, KERNEL),
]  # fmt: skip


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("constraint, formula, kwargs, w", FORMULA_CASES, ids=lambda p: repr(p)[:40])
def test_values_are_keras_formulas(constraint, formula, kwargs, w):
    got = constraint(keras.ops.convert_to_tensor(w))
    assert isinstance(got, keras.Tensor) and got.dtype == np.float32 and got.shape == w.shape
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got), formula(w, **kwargs), rtol=1e-6, atol=1e-7)


def test_what_the_norm_constraints_achieve():
    col_norms = lambda w: np.linalg.norm(w, axis=0)  # noqa: E731
    np.testing.assert_allclose(col_norms(constraints.UnitNorm()(W).numpy()), [1, 1, 1, 0], rtol=1e-6)
    # MaxNorm leaves short columns (norm 0.3) alone — up to the factor norm / (ε + norm) — and shrinks long ones
    np.testing.assert_allclose(col_norms(constraints.MaxNorm(2.0)(W).numpy()), [2, 0.3, 2, 0], rtol=1e-6)
    np.testing.assert_allclose(col_norms(constraints.MinMaxNorm(1.0, 2.0)(W).numpy()), [2, 1, 2, 0], rtol=1e-6)
    # rate < 1 moves a fraction of the way: the norm 5 column goes to 0.5 · 2 + 0.5 · 5
    np.testing.assert_allclose(col_norms(constraints.MinMaxNorm(1.0, 2.0, rate=0.5)(W).numpy())[0], 3.5, rtol=1e-6)
    per_filter = np.linalg.norm(constraints.UnitNorm(axis=[0, 1, 2])(KERNEL).numpy().reshape(-1, 4), axis=0)
    np.testing.assert_allclose(per_filter, np.ones(4), rtol=1e-6)


def test_dtypes():
    w64 = W.astype("float64")
    for c in (constraints.MaxNorm(), constraints.MinMaxNorm(), constraints.NonNeg(), constraints.UnitNorm()):
        assert c(w64).dtype == np.float64
        assert c(keras.Variable(W)).dtype == np.float32
    # integer weights: the norm constraints return floatx (as Keras's cast to the norms' dtype), NonNeg keeps ints
    assert constraints.UnitNorm()(np.array([[3], [4]])).dtype == np.float32
    assert constraints.NonNeg()(np.array([-1, 2])).dtype.kind == "i"


def test_the_base_class_is_the_identity_and_round_trips():
    base = constraints.Constraint()
    assert base(W) is W
    assert base.get_config() == {} and type(constraints.Constraint.from_config({})) is constraints.Constraint


# -- parity with real Keras ------------------------------------------------------------------------------------


def _kerasnb_constraint(case):
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    return getattr(constraints, case["class_name"])(**kwargs)


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("case", KERAS_CASES, ids=[c["name"].split("/")[1] for c in KERAS_CASES])
def test_values_match_keras(case):
    x, want = REF[f"{case['name']}/x"], REF[f"{case['name']}/y"]
    got = keras.ops.convert_to_numpy(_kerasnb_constraint(case)(keras.ops.convert_to_tensor(x)))
    assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", KERAS_CASES, ids=[c["name"].split("/")[1] for c in KERAS_CASES])
def test_configs_match_keras(case):
    constraint = getattr(constraints, case["class_name"])(**case["kwargs"])  # axes as lists, as Keras got them
    assert constraint.get_config() == case["config"]
    again = type(constraint).from_config(constraint.get_config())
    assert type(again) is type(constraint) and again.get_config() == constraint.get_config()


def test_the_keras_cases_cover_every_constraint_with_zero_slices_and_conv_kernels():
    assert {c["class_name"] for c in KERAS_CASES} == {"MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm"}
    assert any((REF[f"{c['name']}/x"] == 0).all(axis=0).any() for c in KERAS_CASES)
    assert any(REF[f"{c['name']}/x"].ndim == 4 for c in KERAS_CASES)


@pytest.mark.parametrize("identifier, keras_says", VOCAB["names"]["constraints"].items())
def test_names_resolve_as_in_keras(identifier, keras_says):
    constraint = constraints.get(identifier)
    assert type(constraint).__name__ == keras_says["class_name"]
    assert constraint.get_config() == keras_says["config"]


# -- get, serialize, deserialize -------------------------------------------------------------------------------


def test_defaults_as_keras():
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    assert constraints.UnitNorm().get_config() == {"axis": 0}
    assert constraints.NonNeg().get_config() == {}
    assert constraints.max_norm is constraints.MaxNorm and constraints.min_max_norm is constraints.MinMaxNorm
    assert constraints.non_neg is constraints.NonNeg and constraints.unit_norm is constraints.UnitNorm


@pytest.mark.parametrize(
    "constraint",
    [constraints.MaxNorm(3.0, axis=1), constraints.MinMaxNorm(0.5, 1.5, 0.7, [0, 1, 2]), constraints.NonNeg(),
     constraints.UnitNorm(axis=-1)],
    ids=repr,
)  # fmt: skip
def test_serialize_deserialize_round_trip(constraint):
    config = constraints.serialize(constraint)
    assert config == {
        "module": "keras.constraints",
        "class_name": type(constraint).__name__,
        "config": constraint.get_config(),
        "registered_name": None,
    }
    json.dumps(config)  # a config is plain JSON
    again = constraints.deserialize(config)
    assert type(again) is type(constraint) and again.get_config() == constraint.get_config()
    assert constraints.get(config).get_config() == constraint.get_config()
    np.testing.assert_array_equal(again(KERNEL[..., :3]).numpy(), constraint(KERNEL[..., :3]).numpy())


def test_get_other_identifiers():
    assert constraints.get(None) is None
    c = constraints.UnitNorm(axis=1)
    assert constraints.get(c) is c
    assert type(constraints.get(constraints.NonNeg)) is constraints.NonNeg  # a class gives an instance
    assert type(constraints.get("maxnorm")) is constraints.MaxNorm  # case and underscores are forgiven
    assert type(constraints.get("NON_NEG")) is constraints.NonNeg
    assert constraints.deserialize({"class_name": "max_norm", "config": {"max_value": 4}}).max_value == 4

    def clip(w):
        return keras.ops.clip(w, -1.0, 1.0)

    assert constraints.get(clip) is clip
    config = constraints.serialize(clip)
    assert config["class_name"] == "function" and config["config"] == "clip"
    assert constraints.deserialize(config, custom_objects={"clip": clip}) is clip
    with pytest.raises(ValueError, match="custom_objects"):
        constraints.deserialize(config)
    with pytest.raises(ValueError, match="lambda"):
        constraints.serialize(lambda w: w)


def test_custom_constraint_through_custom_objects():
    class Clip(constraints.Constraint):
        def __init__(self, limit):
            self.limit = limit

        def __call__(self, w):
            return keras.ops.clip(w, -self.limit, self.limit)

        def get_config(self):
            return {"limit": self.limit}

    again = constraints.deserialize(constraints.serialize(Clip(0.5)), custom_objects={"Clip": Clip})
    assert type(again) is Clip and again.limit == 0.5
    np.testing.assert_array_equal(again(np.array([-2.0, 0.25], "float32")).numpy(), [-0.5, 0.25])


def test_unknown_names_suggest_the_closest():
    with pytest.raises(ValueError, match=r"^Could not interpret constraint identifier: 'unit_nrom'\. Did you mean "):
        constraints.get("unit_nrom")
    with pytest.raises(ValueError, match="'non_neg'"):
        constraints.get("non_negative")
    with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
        constraints.get(3)
    with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
        constraints.deserialize({"class_name": "Clamp", "config": {}})
    with pytest.raises(ValueError, match="class_name"):
        constraints.deserialize("non_neg")


# -- constraints in training: the optimizer projects each variable after its update --------------------------


def _dense_after_one_step(optimizer, **dense_kwargs):
    """A Dense layer whose kernel starts at +0.01 and one step of `optimizer` on a loss that pushes every kernel
    entry down hard (positive inputs, loss = mean output): without a constraint the kernel goes negative."""
    layer = keras.layers.Dense(3, kernel_initializer=keras.initializers.Constant(0.01), **dense_kwargs)
    x = np.abs(np.random.default_rng(0).standard_normal((8, 4))).astype("float32") + 0.5
    layer(x)
    with keras.GradientTape() as tape:
        loss = keras.ops.mean(layer(x))
    grads = tape.gradient(loss, layer.trainable_variables)
    optimizer.apply(grads, layer.trainable_variables)
    return layer.kernel.numpy()


OPTIMIZERS = [
    lambda: optimizers.SGD(learning_rate=1.0),
    lambda: optimizers.SGD(learning_rate=1.0, momentum=0.9),
    lambda: optimizers.Adam(learning_rate=0.1),
    lambda: optimizers.RMSprop(learning_rate=0.1),
]


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=["sgd", "sgd_momentum", "adam", "rmsprop"])
def test_non_neg_kernel_stays_non_negative_after_a_step(make_optimizer):
    assert (_dense_after_one_step(make_optimizer()) < 0).any()  # the step alone would make it negative
    kernel = _dense_after_one_step(make_optimizer(), kernel_constraint=constraints.NonNeg())
    assert (kernel >= 0).all()
    assert (kernel == 0).any()


def test_string_constraint_and_max_norm_in_fit():
    model = keras.models.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, kernel_constraint="max_norm", kernel_initializer="ones")]
    )
    assert type(model.layers[-1].kernel_constraint) is constraints.MaxNorm
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    # Positive inputs and targets far above the outputs: the step makes every kernel entry larger.
    x = np.abs(np.random.default_rng(1).standard_normal((16, 4))).astype("float32") + 0.5
    model.fit(x, 100 * np.ones((16, 3), "float32"), epochs=1, batch_size=16, verbose=0)
    norms = np.linalg.norm(model.layers[-1].kernel.numpy(), axis=0)  # started at 2 (4 ones): pushed up, cut to 2
    assert (norms <= 2.0 + 1e-6).all()
    np.testing.assert_allclose(norms, 2.0, rtol=1e-5)
