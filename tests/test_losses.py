"""Losses (kerasnb.losses): parity with real Keras (values and gradients recorded in
tests/reference/losses_reference.npz), Keras's documented values, each formula against NumPy, the clipping
numerics, reductions and sample weights, float64 gradient checks, dtypes, the shape errors and get/serialize."""

import inspect
import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import losses, ops

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")

EPS = 1e-7
NEG_LOG_EPS = 16.11809565095832  # -log(1e-7): the loss of probability 0 on the true class, after clipping

# The examples in Keras's docstrings.
ONE_HOT = [[0, 1, 0], [0, 0, 1]]
LABELS = [1, 2]
PROBS = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
BIN_TRUE = [[0, 1], [0, 0]]
BIN_LOGITS = [[-18.6, 0.51], [2.94, -12.8]]


ALL_FUNCTIONS = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                 "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity", "hinge", "squared_hinge",
                 "categorical_hinge", "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
                 "categorical_focal_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "poisson"]
ALL_CLASSES = ["MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
               "Huber", "LogCosh", "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge",
               "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
               "CategoricalFocalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Poisson"]


def value(t):
    assert isinstance(t, keras.Tensor), f"expected a Tensor, got {type(t).__name__}"
    return t.numpy()


def _np_log_softmax(x, axis=-1):
    x = x - x.max(axis=axis, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=axis, keepdims=True))


def _np_bce(z, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(z * np.log(p) + (1 - z) * np.log(1 - p)).mean(axis=-1)


def _np_bce_logits(z, x):
    return (np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))).mean(axis=-1)


def _np_cce(y, p, axis=-1):
    p = np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    return -(y * np.log(p)).sum(axis=axis)


# ---------------------------------------------------------------------------------------------------------
# Parity with real Keras: tests/reference/losses_reference.npz
# ---------------------------------------------------------------------------------------------------------
#
# Written by tests/reference/make_loss_refs.py under Keras 3 (torch backend, in its own virtual environment;
# its docstring says how to regenerate it and what each case holds). Every loss, as a function with its
# options and as a class with every reduction, with and without sample weights, on float32 inputs: the value
# and the gradient with respect to y_pred (of sum(loss * w) for non-scalar losses).

FIXTURE = Path(__file__).parent / "reference" / "losses_reference.npz"


def _load_fixture():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    cases = json.loads(str(arrays.pop("__cases__")))
    meta = json.loads(str(arrays.pop("__meta__")))
    api = json.loads(str(arrays.pop("__api__")))
    return cases, meta, api, arrays


REF_CASES, REF_META, REF_API, REF_ARRAYS = _load_fixture()
REF_GRAD_CASES = [c for c in REF_CASES if c["grad"]]

# Values: rtol 1e-5 as for every float32 comparison with Keras; atol 1e-7 (below one float32 step of 1.0) only
# so that results that are 0 up to rounding (a hinge at its margin, a cosine of orthogonal vectors, a confident
# right answer's crossentropy of order epsilon) compare. Every value so far agrees within 2e-7 relative.
VALUE_TOLERANCE = {"rtol": 1e-5, "atol": 1e-7}
# Gradients: those of cosine similarity between (nearly) aligned vectors and of sigmoid(x) - 1 at large logits
# are differences of O(1) float32 terms whose exact value is ~0; both sides give it to a few float32 steps
# of 1.0 (1.2e-7 each; the largest difference seen is 1.8e-7). atol 1e-6 allows for that, and nothing more: a
# wrong formula or a dropped term is off by 1e-2 or more.
GRAD_TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}


def _ref(case, key):
    return REF_ARRAYS[f"{case['name']}/{key}"]


def _ref_inputs(case, as_lists=False):
    """The case's (y_true, y_pred, sample_weight) as NumPy arrays, or as plain Python lists."""
    prefix = f"inputs/{case['inputs']}/"
    y_true, y_pred = REF_ARRAYS[prefix + "y_true"], REF_ARRAYS[prefix + "y_pred"]
    sample_weight = REF_ARRAYS[prefix + "sample_weight"] if case["sample_weight"] else None
    if as_lists:
        y_true, y_pred = y_true.tolist(), y_pred.tolist()
        sample_weight = None if sample_weight is None else sample_weight.tolist()
    return y_true, y_pred, sample_weight


def _ref_call(case, y_true, y_pred, sample_weight):
    """Make the case's call with kerasnb: ``losses.<function>(...)`` or ``losses.<Class>(...)(...)``."""
    if case["form"] == "function":
        return getattr(losses, case["loss"])(y_true, y_pred, **case["kwargs"])
    loss = getattr(losses, case["loss"])(**case["kwargs"], reduction=case["reduction"])
    return loss(y_true, y_pred, sample_weight=sample_weight)


def _describe(case):
    if case["form"] == "function":
        return f"keras.losses.{case['loss']}(**{case['kwargs']}) on {case['inputs']!r}"
    weighted = " with sample_weight" if case["sample_weight"] else ""
    return (f"keras.losses.{case['loss']}(**{case['kwargs']}, reduction={case['reduction']!r}) on "
            f"{case['inputs']!r}{weighted}")


def _check_value(case, out):
    want = _ref(case, "loss")
    assert isinstance(out, keras.Tensor), f"{_describe(case)}: returned a {type(out).__name__}"
    got = out.numpy()
    assert got.shape == want.shape, f"{_describe(case)}: shape {got.shape}, Keras {want.shape}"
    assert got.dtype == want.dtype, f"{_describe(case)}: dtype {got.dtype}, Keras {want.dtype}"
    np.testing.assert_allclose(got, want, **VALUE_TOLERANCE, err_msg=_describe(case))


def test_loss_fixture_is_from_real_keras():
    assert REF_META["keras_version"].startswith("3.") and REF_META["backend"] == "torch"
    assert {c["loss"] for c in REF_CASES if c["form"] == "function"} == set(ALL_FUNCTIONS)
    assert {c["loss"] for c in REF_CASES if c["form"] == "class"} == set(ALL_CLASSES)
    reductions = {c["reduction"] for c in REF_CASES if c["form"] == "class"}
    assert {"sum_over_batch_size", "sum", "none"} <= reductions


@pytest.mark.parametrize("case", REF_CASES, ids=[c["name"] for c in REF_CASES])
def test_value_matches_keras(case):
    _check_value(case, _ref_call(case, *_ref_inputs(case)))


@pytest.mark.parametrize("case", REF_CASES, ids=[c["name"] for c in REF_CASES])
def test_plain_python_lists_give_the_same_value(case):
    _check_value(case, _ref_call(case, *_ref_inputs(case, as_lists=True)))


@pytest.mark.parametrize("case", REF_GRAD_CASES, ids=[c["name"] for c in REF_GRAD_CASES])
def test_gradient_matches_keras(case):
    y_true, y_pred, sample_weight = _ref_inputs(case)
    y_pred = ops.convert_to_tensor(y_pred)
    with keras.GradientTape() as tape:
        tape.watch(y_pred)
        out = _ref_call(case, y_true, y_pred, sample_weight)
    weights = None if out.ndim == 0 else [_ref(case, "w")]
    (grad,) = tape.gradient([out], [y_pred], output_gradients=weights)
    want = _ref(case, "dy_pred")
    assert grad is not None, f"{_describe(case)}: no gradient reached y_pred"
    assert grad.dtype == want.dtype, f"{_describe(case)}: gradient dtype {grad.dtype}, Keras {want.dtype}"
    np.testing.assert_allclose(grad.numpy(), want, **GRAD_TOLERANCE, err_msg=f"{_describe(case)}: d/dy_pred")


NOTED_CASES = [c for c in REF_CASES if c.get("note")]


@pytest.mark.parametrize("case", NOTED_CASES, ids=[c["name"] for c in NOTED_CASES])
def test_label_smoothing_on_a_middle_class_axis_uses_the_number_of_classes(case):
    # Keras smooths with label_smoothing / y_true.shape[-1] even when `axis` is another axis; the fixture holds
    # the documented value (/ the size of `axis`, which kerasnb gives) and Keras's own, which must differ.
    assert "num_classes" in case["note"]
    got = _ref_call(case, *_ref_inputs(case)).numpy()
    assert not np.allclose(got, _ref(case, "loss_keras"), rtol=1e-3)


def test_seed_values():
    # The seed numbers (Keras's docstring examples).
    assert value(losses.BinaryCrossentropy(from_logits=True)(BIN_TRUE, BIN_LOGITS)) == pytest.approx(0.865458, abs=1e-6)
    assert value(losses.CategoricalCrossentropy()(ONE_HOT, PROBS)) == pytest.approx(1.1769392, abs=1e-6)
    assert value(losses.SparseCategoricalCrossentropy()(LABELS, PROBS)) == pytest.approx(1.1769392, abs=1e-6)
    # CosineSimilarity: per sample -0 (orthogonal) and -0.99999994 (aligned), so the loss is their mean. (The
    # *metric* CosineSimilarity gives +0 and +0.99999994: the loss is its negative.)
    y_true, y_pred = [[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]
    np.testing.assert_allclose(value(losses.cosine_similarity(y_true, y_pred, axis=1)), [-0.0, -0.99999994],
                               rtol=1e-7)
    out = losses.CosineSimilarity(axis=1)(y_true, y_pred)
    assert out.dtype == np.float32 and value(out) == np.float32(-0.49999997)
    np.testing.assert_allclose(value(losses.CosineSimilarity(axis=1, reduction="none")(y_true, y_pred)),
                               [-0.0, -0.99999994], rtol=1e-7)


def test_api_matches_keras():
    """Each function's and class's parameters (names, order, defaults) and each class's default name are
    Keras's, as recorded from real Keras in the fixture."""
    for name, params in REF_API["functions"].items():
        ours = [[p.name, None if p.default is inspect.Parameter.empty else p.default]
                for p in inspect.signature(getattr(losses, name)).parameters.values()]
        assert ours == params, f"losses.{name}{inspect.signature(getattr(losses, name))}: Keras has {params}"
    for name, info in REF_API["classes"].items():
        cls = getattr(losses, name)
        ours = [[p.name, p.default] for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
        assert ours == info["parameters"], f"losses.{name}{inspect.signature(cls.__init__)}: Keras has {info}"
        assert cls().name == info["name"]


def test_get_resolves_every_keras_name_and_alias():
    """Every name keras.losses.get knows (function and class names, 'mse', 'kld', 'mape', ...) and the legacy
    aliases ('logcosh', 'kullback_leibler_divergence') give the same loss in kerasnb."""
    for name, resolved in {**REF_API["get"], **REF_API["legacy_aliases"]}.items():
        got = losses.get(name)
        if resolved[0].isupper():  # a class name: get() returns an instance
            assert type(got) is getattr(losses, resolved), name
        else:
            assert got is getattr(losses, resolved), name
    assert {"logcosh", "kullback_leibler_divergence", "kld", "mape", "msle"} <= set(REF_API["legacy_aliases"])


# ---------------------------------------------------------------------------------------------------------
# Keras's documented values
# ---------------------------------------------------------------------------------------------------------


def test_binary_crossentropy_from_logits_keras_example():
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert value(bce(BIN_TRUE, BIN_LOGITS)) == pytest.approx(0.865458, abs=1e-6)
    assert value(bce([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])) == pytest.approx(0.865458, abs=1e-6)
    assert value(bce(BIN_TRUE, BIN_LOGITS, sample_weight=[0.8, 0.2])) == pytest.approx(0.243, abs=1e-3)
    summed = losses.BinaryCrossentropy(from_logits=True, reduction="sum")
    assert value(summed(BIN_TRUE, BIN_LOGITS)) == pytest.approx(1.730, abs=1e-3)
    none = losses.BinaryCrossentropy(from_logits=True, reduction=None)
    np.testing.assert_allclose(value(none(BIN_TRUE, BIN_LOGITS)), [0.235, 1.496], atol=1e-3)


def test_binary_crossentropy_probabilities_keras_example():
    out = losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    np.testing.assert_allclose(value(out), [0.916, 0.714], atol=1e-3)


@pytest.mark.parametrize("loss_fn, y_true", [
    (losses.CategoricalCrossentropy, ONE_HOT),
    (losses.SparseCategoricalCrossentropy, LABELS),
])
def test_categorical_crossentropies_keras_example(loss_fn, y_true):
    assert value(loss_fn()(y_true, PROBS)) == pytest.approx(1.1769392, abs=1e-6)
    assert value(loss_fn()(y_true, PROBS, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(0.814, abs=1e-3)
    assert value(loss_fn(reduction="sum")(y_true, PROBS)) == pytest.approx(2.354, abs=1e-3)
    np.testing.assert_allclose(value(loss_fn(reduction=None)(y_true, PROBS)), [0.0513, 2.303], atol=1e-3)


@pytest.mark.parametrize("loss_fn", [losses.MeanSquaredError, losses.MeanAbsoluteError])
def test_regression_losses_keras_example(loss_fn):
    y_true, y_pred = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
    assert value(loss_fn()(y_true, y_pred)) == pytest.approx(0.5)
    assert value(loss_fn()(y_true, y_pred, sample_weight=[0.7, 0.3])) == pytest.approx(0.25)
    assert value(loss_fn(reduction="sum")(y_true, y_pred)) == pytest.approx(1.0)
    np.testing.assert_allclose(value(loss_fn(reduction="none")(y_true, y_pred)), [0.5, 0.5])


# ---------------------------------------------------------------------------------------------------------
# Formulas against NumPy
# ---------------------------------------------------------------------------------------------------------


def test_regression_functions_match_numpy(rng):
    y_true, y_pred = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(value(losses.mean_squared_error(y_true, y_pred)), ((y_true - y_pred) ** 2).mean(-1))
    np.testing.assert_allclose(value(losses.mean_absolute_error(y_true, y_pred)), np.abs(y_true - y_pred).mean(-1))
    # (batch,) against (batch, 1): a trailing axis is added, not broadcast to (batch, batch)
    out = losses.mean_squared_error(y_true[:, 0], y_pred[:, :1])
    np.testing.assert_allclose(value(out), (y_true[:, 0] - y_pred[:, 0]) ** 2)


def test_binary_crossentropy_matches_numpy(rng):
    z = rng.integers(0, 2, size=(4, 3)).astype(float)
    p = rng.uniform(0.01, 0.99, size=(4, 3))
    np.testing.assert_allclose(value(losses.binary_crossentropy(z, p)), _np_bce(z, p))
    x = rng.normal(scale=5, size=(4, 3))
    np.testing.assert_allclose(value(losses.binary_crossentropy(z, x, from_logits=True)), _np_bce_logits(z, x))
    # The logits form equals the probability form where clipping does not bite.
    x = rng.normal(size=(4, 3))
    np.testing.assert_allclose(value(losses.binary_crossentropy(z, x, from_logits=True)),
                               _np_bce(z, 1 / (1 + np.exp(-x))), rtol=1e-6)
    smoothed = z * 0.8 + 0.1
    np.testing.assert_allclose(value(losses.binary_crossentropy(z, p, label_smoothing=0.2)), _np_bce(smoothed, p))


def test_binary_crossentropy_from_logits_is_stable():
    out = value(losses.binary_crossentropy([[1.0, 0.0]], [[-1000.0, 1000.0]], from_logits=True))
    np.testing.assert_allclose(out, [1000.0])
    assert np.isfinite(value(losses.binary_crossentropy([[1.0, 0.0]], [[1000.0, -1000.0]], from_logits=True))).all()


def test_categorical_crossentropy_matches_numpy(rng):
    y = np.eye(4)[rng.integers(0, 4, size=5)]
    p = rng.uniform(0.1, 2.0, size=(5, 4))  # not normalised: Keras divides by the sum first
    np.testing.assert_allclose(value(losses.categorical_crossentropy(y, p)), _np_cce(y, p))
    x = rng.normal(scale=3, size=(5, 4))
    np.testing.assert_allclose(value(losses.categorical_crossentropy(y, x, from_logits=True)),
                               -(y * _np_log_softmax(x)).sum(-1))
    smoothed = y * 0.9 + 0.1 / 4
    np.testing.assert_allclose(value(losses.categorical_crossentropy(y, p, label_smoothing=0.1)), _np_cce(smoothed, p))
    # the class axis can be another one
    y3, p3 = np.moveaxis(np.stack([y, y[::-1]]), -1, 1), np.moveaxis(np.stack([p, p[::-1]]), -1, 1)
    np.testing.assert_allclose(value(losses.categorical_crossentropy(y3, p3, axis=1)), _np_cce(y3, p3, axis=1))


def test_sparse_categorical_crossentropy_equals_one_hot_version(rng):
    labels = rng.integers(0, 4, size=6)
    y = np.eye(4)[labels]
    p = rng.uniform(0.1, 2.0, size=(6, 4))
    x = rng.normal(scale=3, size=(6, 4))
    for from_logits, pred in [(False, p), (True, x)]:
        want = value(losses.categorical_crossentropy(y, pred, from_logits=from_logits))
        np.testing.assert_allclose(value(losses.sparse_categorical_crossentropy(labels, pred, from_logits)), want)
        # labels of shape (batch, 1) and float labels work too
        col = labels[:, None].astype("float32")
        np.testing.assert_allclose(value(losses.sparse_categorical_crossentropy(col, pred, from_logits)), want)
        np.testing.assert_allclose(value(losses.SparseCategoricalCrossentropy(from_logits, reduction=None)(
            col, pred.astype("float32"))), want, rtol=1e-5)


def test_sparse_categorical_crossentropy_sequences_and_axis(rng):
    labels = rng.integers(0, 3, size=(2, 5))
    x = rng.normal(size=(2, 5, 3))
    want = -np.take_along_axis(_np_log_softmax(x), labels[..., None], -1)[..., 0]
    np.testing.assert_allclose(value(losses.sparse_categorical_crossentropy(labels, x, from_logits=True)), want)
    channels_first = np.moveaxis(x, -1, 1)
    out = losses.sparse_categorical_crossentropy(labels, channels_first, from_logits=True, axis=1)
    np.testing.assert_allclose(value(out), want)


# ---------------------------------------------------------------------------------------------------------
# Clipping: probability 0 on the true class
# ---------------------------------------------------------------------------------------------------------


def test_probability_zero_on_true_class_costs_minus_log_epsilon():
    y64, p64 = np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])
    assert value(losses.categorical_crossentropy(y64, p64))[0] == NEG_LOG_EPS
    assert value(losses.sparse_categorical_crossentropy(np.array([1]), p64))[0] == NEG_LOG_EPS
    assert value(losses.binary_crossentropy(np.array([[1.0]]), np.array([[0.0]])))[0] == NEG_LOG_EPS
    # float32 (the default for Python lists), also through a Loss object
    want32 = -np.log(np.float32(EPS))
    for out in [losses.categorical_crossentropy([[0, 1]], [[1.0, 0.0]]),
                losses.sparse_categorical_crossentropy([1], [[1.0, 0.0]]),
                losses.binary_crossentropy([[1]], [[0.0]]),
                losses.CategoricalCrossentropy()([[0, 1]], [[1.0, 0.0]])]:
        assert out.dtype == np.float32
        np.testing.assert_allclose(value(out).reshape(-1)[0], want32, rtol=1e-7)
        assert value(out).reshape(-1)[0] == pytest.approx(16.118095, abs=1e-5)


def test_epsilon_setting_is_used():
    keras.config.set_epsilon(1e-3)
    try:
        out = losses.binary_crossentropy(np.array([[1.0]]), np.array([[0.0]]))
    finally:
        keras.config.set_epsilon(1e-7)
    assert value(out)[0] == pytest.approx(-np.log(1e-3))


# ---------------------------------------------------------------------------------------------------------
# The other losses' formulas and edge cases
# ---------------------------------------------------------------------------------------------------------


def test_regression_family_matches_numpy(rng):
    y, p = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(value(losses.mean_absolute_percentage_error(y, p)),
                               100 * np.abs((y - p) / np.abs(y)).mean(-1))
    yp, pp = np.abs(y), np.abs(p)
    np.testing.assert_allclose(value(losses.mean_squared_logarithmic_error(yp, pp)),
                               ((np.log1p(pp) - np.log1p(yp)) ** 2).mean(-1))
    e = p - y
    for delta in [1.0, 0.4]:
        want = np.where(np.abs(e) <= delta, 0.5 * e**2, delta * np.abs(e) - 0.5 * delta**2).mean(-1)
        np.testing.assert_allclose(value(losses.huber(y, p, delta=delta)), want)
    np.testing.assert_allclose(value(losses.log_cosh(y, p)), np.log(np.cosh(e)).mean(-1))
    cosine = (y * p).sum(-1) / np.linalg.norm(y, axis=-1) / np.linalg.norm(p, axis=-1)
    np.testing.assert_allclose(value(losses.cosine_similarity(y, p)), -cosine)
    np.testing.assert_allclose(value(losses.poisson(yp, pp)), (pp - yp * np.log(pp + EPS)).mean(-1))
    q = np.exp(y) / np.exp(y).sum(-1, keepdims=True)
    r = np.exp(p) / np.exp(p).sum(-1, keepdims=True)
    np.testing.assert_allclose(value(losses.kl_divergence(q, r)), (q * np.log(q / r)).sum(-1))


def test_epsilon_guards_of_the_regression_losses():
    # mape: a target of 0 divides by epsilon (a huge but finite percentage); msle: values below epsilon,
    # negative ones included, count as epsilon.
    assert value(losses.mean_absolute_percentage_error([[0.0]], [[1e-3]]))[0] == pytest.approx(100 * 1e-3 / EPS)
    np.testing.assert_allclose(value(losses.mean_squared_logarithmic_error([[-3.0, 0.0]], [[0.0, -2.0]])), [0.0])
    # poisson takes log(y_pred + epsilon): finite at y_pred = 0; kl_divergence clips both sides to [eps, 1]
    assert value(losses.poisson([[2.0]], [[0.0]]))[0] == pytest.approx(-2 * np.log(EPS), rel=1e-6)
    assert value(losses.kl_divergence([[0.0, 1.0]], [[0.0, 1.0]]))[0] == 0.0
    assert value(losses.kl_divergence([[1.0, 0.0]], [[0.0, 1.0]]))[0] == pytest.approx(NEG_LOG_EPS, rel=1e-6)


def test_huber_is_quadratic_then_linear_and_smooth_at_delta(tape_grads):
    delta = 0.5
    errors = np.array([[0.2, -0.2, delta, -delta, 3.0, -3.0]])
    per_element = [float(value(losses.huber([[0.0]], [[e]], delta=delta))[0]) for e in errors[0]]
    np.testing.assert_allclose(per_element, [0.02, 0.02, 0.125, 0.125, 1.375, 1.375], rtol=1e-6)
    # the slope is the error up to delta and then +-delta: outliers pull no harder than delta
    _, (grad,) = tape_grads(lambda p: ops.sum(losses.huber(np.zeros((1, 6)), p, delta=delta)), errors)
    np.testing.assert_allclose(grad.numpy() * 6, [[0.2, -0.2, 0.5, -0.5, 0.5, -0.5]])


def test_log_cosh_does_not_overflow():
    out = value(losses.log_cosh([[0.0, 0.0]], [[1000.0, -1000.0]]))
    np.testing.assert_allclose(out, [1000.0 - np.log(2.0)], rtol=1e-6)


def test_hinge_converts_zero_one_labels_only():
    y_pred = [[0.3, -0.8, 1.4]]
    zero_one, signed = [[0, 1, 1]], [[-1, 1, 1]]
    for fn in [losses.hinge, losses.squared_hinge]:
        np.testing.assert_array_equal(value(fn(zero_one, y_pred)), value(fn(signed, y_pred)))
    # {-1, 0, 1} is not binary: used as it is, so the 0 label contributes maximum(1 - 0, 0) = 1
    np.testing.assert_allclose(value(losses.hinge([[-1, 0, 1]], y_pred)), [(1.3 + 1.0 + 0.0) / 3], rtol=1e-6)
    # all-0 labels are binary too: they mean "all -1"
    np.testing.assert_allclose(value(losses.hinge([[0, 0, 0]], y_pred)), value(losses.hinge([[-1, -1, -1]], y_pred)))
    # the categorical hinge takes one-hot labels and converts nothing: best wrong score 1.4, true score -0.8
    np.testing.assert_allclose(value(losses.categorical_hinge([[0, 1, 0]], y_pred)), [1.4 - (-0.8) + 1], rtol=1e-6)
    np.testing.assert_allclose(value(losses.categorical_hinge([[0, 0, 1]], y_pred)), [0.0])  # margin > 1


def test_cosine_similarity_of_a_zero_vector_is_zero_with_a_finite_gradient(tape_grads):
    y_true = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    y_pred = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 2.0]])
    np.testing.assert_array_equal(value(losses.cosine_similarity(y_true, y_pred)), [0.0, 0.0])
    # Keras's torch backend differentiates rsqrt(0) here and gives NaN.
    _, (grad,) = tape_grads(lambda p: ops.sum(losses.cosine_similarity(y_true, p)), y_pred)
    assert np.isfinite(grad.numpy()).all()
    np.testing.assert_array_equal(grad.numpy()[1], 0.0)


def test_focal_losses_reduce_to_crossentropy(rng):
    z = rng.integers(0, 2, size=(4, 3)).astype(float)
    p = rng.uniform(0.05, 0.95, size=(4, 3))
    bce = value(losses.binary_crossentropy(z, p))
    np.testing.assert_allclose(value(losses.binary_focal_crossentropy(z, p, gamma=0.0)), bce)
    # gamma > 0 scales each term down by (1 - p_t)**gamma < 1; balancing weighs label 1 by alpha, label 0 by 1-alpha
    assert np.all(value(losses.binary_focal_crossentropy(z, p)) < bce)
    p_t = z * p + (1 - z) * (1 - p)
    terms = -(z * np.log(p) + (1 - z) * np.log(1 - p))
    want = ((z * 0.3 + (1 - z) * 0.7) * (1 - p_t) ** 2 * terms).mean(-1)
    np.testing.assert_allclose(value(losses.binary_focal_crossentropy(z, p, apply_class_balancing=True, alpha=0.3)),
                               want)
    y = np.eye(3)[[0, 2, 1, 1]]
    q = rng.uniform(0.05, 1.0, size=(4, 3))
    np.testing.assert_allclose(value(losses.categorical_focal_crossentropy(y, q, alpha=1.0, gamma=0.0)),
                               value(losses.categorical_crossentropy(y, q)))
    q_norm = q / q.sum(-1, keepdims=True)
    alpha = np.array([0.2, 0.5, 0.3])
    want = (alpha * (1 - q_norm) ** 1.5 * -y * np.log(q_norm)).sum(-1)
    np.testing.assert_allclose(value(losses.categorical_focal_crossentropy(y, q, alpha=alpha.tolist(), gamma=1.5)),
                               want)


def test_focal_losses_clip_probabilities_made_from_logits():
    # As Keras: sigmoid/softmax first, then the clipped crossentropy, so a hopeless logit costs -log(epsilon),
    # where binary_crossentropy(from_logits=True) gives the exact 40.
    out = value(losses.binary_focal_crossentropy([[1.0]], [[-40.0]], gamma=0.0, from_logits=True))
    assert out[0] == pytest.approx(NEG_LOG_EPS, rel=1e-6)
    assert value(losses.binary_crossentropy([[1.0]], [[-40.0]], from_logits=True))[0] == pytest.approx(40.0)
    out = value(losses.categorical_focal_crossentropy([[1.0, 0.0]], [[-40.0, 40.0]], alpha=1.0, gamma=0.0,
                                                      from_logits=True))
    assert out[0] == pytest.approx(NEG_LOG_EPS, rel=1e-6)


def test_binary_crossentropy_of_a_confident_right_answer_keeps_its_digits():
    # log(1 - p) as log1p(-p) (as Keras's torch backend): at p = 1e-7 and label 0 the loss is 1e-7, where
    # float32 log(1 - p) would give 1.19e-7.
    out = value(losses.binary_crossentropy([[0.0]], [[1e-7]]))
    assert out.dtype == np.float32 and out[0] == pytest.approx(1e-7, rel=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Reductions, sample weights, masks
# ---------------------------------------------------------------------------------------------------------


def _per_sample(rng):
    y_true, y_pred = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    return y_true, y_pred, ((y_true - y_pred) ** 2).mean(-1)


def test_reductions(rng):
    y_true, y_pred, per_sample = _per_sample(rng)
    w = np.array([0.5, 2.0, 0.0, 1.0])

    def mse(reduction, **kw):
        return value(losses.MeanSquaredError(reduction=reduction, dtype="float64")(y_true, y_pred, **kw))

    assert mse("sum_over_batch_size") == pytest.approx(per_sample.mean())
    assert mse("mean") == pytest.approx(per_sample.mean())
    assert mse("sum") == pytest.approx(per_sample.sum())
    np.testing.assert_allclose(mse("none"), per_sample)
    np.testing.assert_allclose(mse(None), per_sample)
    # with weights: the mean reductions still divide by the number of samples, except mean_with_sample_weight
    assert mse("sum_over_batch_size", sample_weight=w) == pytest.approx((per_sample * w).sum() / 4)
    assert mse("mean", sample_weight=w) == pytest.approx((per_sample * w).sum() / 4)
    assert mse("sum", sample_weight=w) == pytest.approx((per_sample * w).sum())
    assert mse("mean_with_sample_weight", sample_weight=w) == pytest.approx((per_sample * w).sum() / w.sum())
    assert mse("mean_with_sample_weight", sample_weight=np.zeros(4)) == 0.0  # no NaN for all-zero weights
    np.testing.assert_allclose(mse("none", sample_weight=w), per_sample * w)


def test_invalid_reduction_lists_the_valid_ones():
    with pytest.raises(ValueError, match="sum_over_batch_size") as e:
        losses.MeanSquaredError(reduction="average")
    assert "'average'" in str(e.value) and "'sum'" in str(e.value)


@pytest.mark.parametrize("weight_shape", [(4,), (4, 1)])
def test_sample_weight_shapes(rng, weight_shape):
    y_true, y_pred, per_sample = _per_sample(rng)
    w = rng.uniform(size=4)
    out = losses.MeanSquaredError(dtype="float64")(y_true, y_pred, sample_weight=w.reshape(weight_shape))
    assert value(out) == pytest.approx((per_sample * w).mean())
    scalar = losses.MeanSquaredError(dtype="float64")(y_true, y_pred, sample_weight=2.0)
    assert value(scalar) == pytest.approx(2 * per_sample.mean())


def test_per_sample_weights_for_sequence_losses(rng):
    labels = rng.integers(0, 3, size=(4, 5))
    x = rng.normal(size=(4, 5, 3))
    per_step = value(losses.sparse_categorical_crossentropy(labels, x, from_logits=True))  # (4, 5)
    w = np.array([1.0, 0.0, 2.0, 0.5])
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
    # one weight per sample applies to all of its steps (the batch axis, even though 5 != 4 would not broadcast)
    assert value(loss(labels, x, sample_weight=w)) == pytest.approx((per_step * w[:, None]).mean())
    step_weights = rng.uniform(size=(4, 5))
    assert value(loss(labels, x, sample_weight=step_weights)) == pytest.approx((per_step * step_weights).mean())
    with pytest.raises(ValueError, match=r"sample_weight.*\(3,\).*\(4, 5\)"):
        loss(labels, x, sample_weight=np.ones(3))


def test_ignore_class_averages_over_the_other_samples(tape_grads):
    y_pred = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    kept = -np.log([0.95, 0.4])
    per_sample = losses.sparse_categorical_crossentropy([1, -1, 2], y_pred, ignore_class=-1)
    np.testing.assert_allclose(value(per_sample), [kept[0], 0.0, kept[1]], rtol=1e-6)
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1, dtype="float64")
    assert value(loss([1, -1, 2], y_pred)) == pytest.approx(kept.mean())
    assert value(loss([[1], [-1], [2]], y_pred, sample_weight=[1.0, 5.0, 3.0])) == pytest.approx(
        (kept[0] + 3 * kept[1]) / 2)
    assert value(losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction="sum", dtype="float64")(
        [1, -1, 2], y_pred)) == pytest.approx(kept.sum())
    # per-step labels with per-sample weights: the weights follow the batch axis, the mask the valid steps
    labels = np.array([[1, -1, 2], [0, 0, -1]])
    probs = np.stack([y_pred, y_pred[::-1]])
    per_step = value(losses.sparse_categorical_crossentropy(labels, probs, ignore_class=-1))
    w = np.array([2.0, 1.0])
    want = (per_step * w[:, None]).sum() / 4  # 4 valid steps
    assert value(loss(labels, probs, sample_weight=w)) == pytest.approx(want)
    # the ignored sample gets no gradient
    _, (grad,) = tape_grads(lambda p: loss([1, -1, 2], p), y_pred)
    assert np.all(grad.numpy()[1] == 0) and np.all(np.isfinite(grad.numpy()))


def test_keras_mask_on_y_pred_is_respected(rng):
    y_true, y_pred, per_sample = _per_sample(rng)
    pred = ops.convert_to_tensor(y_pred)
    pred._keras_mask = ops.convert_to_tensor([True, True, False, True])
    out = losses.MeanSquaredError(dtype="float64")(y_true, pred)
    assert value(out) == pytest.approx(per_sample[[0, 1, 3]].mean())


# ---------------------------------------------------------------------------------------------------------
# Gradients (float64, away from the clipping boundaries)
# ---------------------------------------------------------------------------------------------------------


def test_gradients_of_loss_functions(gradcheck, rng):
    y = rng.normal(size=(3, 4))
    z = rng.integers(0, 2, size=(3, 4)).astype(float)
    one_hot = np.eye(4)[[0, 3, 1]]
    labels = np.array([0, 3, 1])
    probs = rng.uniform(0.1, 1.0, size=(3, 4))
    logits = rng.normal(scale=2, size=(3, 4))
    gradcheck(lambda p: losses.mean_squared_error(y, p), rng.normal(size=(3, 4)))
    gradcheck(lambda p: losses.mean_absolute_error(y, p), y + rng.choice([-1, 1], size=(3, 4)) * 0.5)
    gradcheck(lambda p: losses.binary_crossentropy(z, p), rng.uniform(0.05, 0.95, size=(3, 4)))
    gradcheck(lambda p: losses.binary_crossentropy(z, p, label_smoothing=0.1), rng.uniform(0.05, 0.95, size=(3, 4)))
    gradcheck(lambda x: losses.binary_crossentropy(z, x, from_logits=True), logits)
    gradcheck(lambda p: losses.categorical_crossentropy(one_hot, p), probs)
    gradcheck(lambda p: losses.categorical_crossentropy(one_hot, p, label_smoothing=0.2), probs)
    gradcheck(lambda x: losses.categorical_crossentropy(one_hot, x, from_logits=True), logits)
    gradcheck(lambda p: losses.sparse_categorical_crossentropy(labels, p), probs)
    gradcheck(lambda x: losses.sparse_categorical_crossentropy(labels, x, from_logits=True), logits)
    # y_true can be differentiated too (e.g. soft targets)
    gradcheck(lambda t: losses.categorical_crossentropy(t, probs), rng.uniform(size=(3, 4)))


def _away(rng, low, high, shape):
    """Random values with ``low <= |x| <= high`` and random signs."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _gradient_cases(rng):
    """(function name, kwargs, y_true, y_pred) for every loss function and its options, at float64 points away
    from kinks (hinge margins, |error| = delta, ties in max) and from the clipping bounds."""
    shape = (3, 4)
    y = rng.normal(size=shape)
    signs = rng.choice([-1.0, 1.0], size=shape)
    z = rng.integers(0, 2, size=shape).astype(float)
    one_hot = np.eye(4)[[0, 3, 1]]
    labels = np.array([0, 3, 1])
    dist = np.exp(rng.normal(size=shape))
    dist /= dist.sum(-1, keepdims=True)
    margins = _away(rng, 0.2, 1.5, shape)  # 1 - y_true * y_pred, away from the hinge's kink at 0

    def probs():
        return rng.uniform(0.05, 0.95, size=shape)

    def logits():
        return rng.normal(scale=2, size=shape)

    return [
        ("mean_squared_error", {}, y, rng.normal(size=shape)),
        ("mean_absolute_error", {}, y, y + _away(rng, 0.2, 1.0, shape)),
        ("mean_absolute_percentage_error", {}, y, y + _away(rng, 0.2, 1.0, shape)),
        ("mean_squared_logarithmic_error", {}, np.abs(y), rng.uniform(0.1, 3.0, size=shape)),
        ("huber", {}, y, y + _away(rng, 0.1, 0.8, shape) * rng.choice([1.0, 2.5], size=shape)),
        ("huber", {"delta": 0.3}, y, y + _away(rng, 0.05, 0.25, shape) * rng.choice([1.0, 4.0], size=shape)),
        ("log_cosh", {}, y, rng.normal(scale=3, size=shape)),
        ("cosine_similarity", {}, y, rng.normal(size=shape)),
        ("cosine_similarity", {"axis": 0}, y, rng.normal(size=shape)),
        ("hinge", {}, signs, signs * (1 - margins)),
        ("hinge", {}, (signs + 1) / 2, signs * (1 - margins)),  # labels 0 and 1
        ("squared_hinge", {}, signs, signs * (1 - margins)),
        ("categorical_hinge", {}, one_hot, rng.normal(size=shape)),
        ("kl_divergence", {}, dist, probs()),
        ("poisson", {}, rng.integers(0, 4, size=shape).astype(float), rng.uniform(0.2, 3.0, size=shape)),
        ("binary_crossentropy", {}, z, probs()),
        ("binary_crossentropy", {"label_smoothing": 0.1, "axis": 0}, z, probs()),
        ("binary_crossentropy", {"from_logits": True}, z, logits()),
        ("binary_focal_crossentropy", {}, z, probs()),
        ("binary_focal_crossentropy", {"apply_class_balancing": True, "alpha": 0.3, "gamma": 3.0,
                                       "from_logits": True, "label_smoothing": 0.1}, z, logits()),
        ("categorical_crossentropy", {}, one_hot, probs()),
        ("categorical_crossentropy", {"label_smoothing": 0.2}, one_hot, probs()),
        ("categorical_crossentropy", {"from_logits": True}, one_hot, logits()),
        ("categorical_crossentropy", {"axis": 0}, one_hot, probs()),
        ("categorical_focal_crossentropy", {}, one_hot, probs()),
        ("categorical_focal_crossentropy", {"alpha": [0.1, 0.2, 0.3, 0.4], "gamma": 1.5, "from_logits": True,
                                            "label_smoothing": 0.1}, one_hot, logits()),
        ("categorical_focal_crossentropy", {"axis": 0}, one_hot, probs()),
        ("sparse_categorical_crossentropy", {}, labels, probs()),
        ("sparse_categorical_crossentropy", {"from_logits": True}, labels, logits()),
        ("sparse_categorical_crossentropy", {"from_logits": True, "axis": 0}, np.array([1, 2, 0, 2]), logits()),
        ("sparse_categorical_crossentropy", {"ignore_class": -1}, np.array([0, -1, 1]), probs()),
    ]


def test_gradients_of_every_loss_function(gradcheck, rng):
    cases = _gradient_cases(rng)
    assert {name for name, *_ in cases} == set(ALL_FUNCTIONS)
    for name, kwargs, y_true, y_pred in cases:
        fn = getattr(losses, name)
        try:
            gradcheck(lambda p, fn=fn, y_true=y_true, kwargs=kwargs: fn(y_true, p, **kwargs), y_pred)
        except AssertionError as e:
            raise AssertionError(f"gradient check of {name}(**{kwargs}): {e}") from None


# One float64 point per class, away from kinks and clipping bounds: (kwargs, y_true, y_pred).
_CLASS_POINTS = {
    "MeanSquaredError": ({}, [[0.3, -1.2, 0.8], [1.0, 0.1, -0.4]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "MeanAbsoluteError": ({}, [[0.3, -1.2, 0.8], [1.0, 0.1, -0.4]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "MeanAbsolutePercentageError": ({}, [[0.3, -1.2, 0.8], [1.0, 0.1, -0.4]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "MeanSquaredLogarithmicError": ({}, [[0.3, 1.2, 0.8], [1.0, 0.1, 2.4]], [[0.1, 0.2, 1.7], [0.5, 0.9, 1.1]]),
    "Huber": ({"delta": 0.7}, [[0.3, -1.2, 0.8], [1.0, 0.1, -0.4]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "LogCosh": ({}, [[0.3, -1.2, 0.8], [1.0, 0.1, -0.4]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "CosineSimilarity": ({"axis": 1}, [[0.3, -1.2, 0.8], [1.0, 0.1, -0.4]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "Hinge": ({}, [[0, 1, 1], [1, 0, 0]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "SquaredHinge": ({}, [[-1, 1, 1], [1, -1, -1]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "CategoricalHinge": ({}, [[0, 1, 0], [0, 0, 1]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "KLDivergence": ({}, [[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]),
    "Poisson": ({}, [[0, 1, 3], [2, 0, 1]], [[0.1, 0.2, 1.7], [0.5, 0.9, 1.1]]),
    "BinaryCrossentropy": ({"label_smoothing": 0.1}, [[0, 1, 1], [1, 0, 0]], [[0.1, 0.2, 0.7], [0.5, 0.9, 0.3]]),
    "BinaryFocalCrossentropy": ({"apply_class_balancing": True, "from_logits": True}, [[0, 1, 1], [1, 0, 0]],
                                [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "CategoricalCrossentropy": ({"from_logits": True}, [[0, 1, 0], [0, 0, 1]], [[0.1, -0.2, 1.7], [0.5, 0.9, -1.1]]),
    "CategoricalFocalCrossentropy": ({"gamma": 1.5}, [[0, 1, 0], [0, 0, 1]], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]),
    "SparseCategoricalCrossentropy": ({}, [1, 2], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]),
}


@pytest.mark.parametrize("name", ALL_CLASSES)
def test_gradients_of_every_loss_class(gradcheck, name):
    kwargs, y_true, y_pred = _CLASS_POINTS[name]
    for reduction in ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]:
        loss = getattr(losses, name)(**kwargs, reduction=reduction, dtype="float64")
        gradcheck(lambda p, loss=loss: loss(y_true, p), y_pred)
        gradcheck(lambda p, loss=loss: loss(y_true, p, sample_weight=[0.3, 1.7]), y_pred)


def test_gradients_through_loss_objects(gradcheck, rng):
    labels = np.array([2, 0, 1, 1])
    w = np.array([0.5, 1.0, 2.0, 0.0])
    logits = rng.normal(size=(4, 3))
    for reduction in ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]:
        loss = losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction, dtype="float64")
        gradcheck(lambda x, loss=loss: loss(labels, x, sample_weight=w), logits)
    y = rng.normal(size=(4, 3))
    gradcheck(lambda p: losses.MeanSquaredError(dtype="float64")(y, p, sample_weight=w), rng.normal(size=(4, 3)))


def test_sigmoid_cross_entropy_gradient_at_zero_logit(gradcheck, tape_grads):
    # A zero-initialised output layer gives logits of exactly 0: the gradient there must be sigmoid(0) - z.
    z = np.array([[1.0, 0.0]])
    _, (grad,) = tape_grads(lambda x: ops.sum(losses.binary_crossentropy(z, x, from_logits=True)), np.zeros((1, 2)))
    np.testing.assert_allclose(grad.numpy(), (0.5 - z) / 2)
    gradcheck(lambda x: losses.binary_crossentropy(z, x, from_logits=True), np.zeros((1, 2)))


# ---------------------------------------------------------------------------------------------------------
# Dtypes and inputs
# ---------------------------------------------------------------------------------------------------------


def test_float32_is_preserved(rng):
    y = rng.normal(size=(3, 4)).astype("float32")
    p = rng.uniform(0.1, 0.9, size=(3, 4)).astype("float32")
    for name in ALL_FUNCTIONS:
        if "categorical" not in name:
            assert getattr(losses, name)(y, p).dtype == np.float32, name
    for name in ["categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge"]:
        assert getattr(losses, name)(np.eye(4)[[0, 1, 2]], p).dtype == np.float32, name
    assert losses.categorical_crossentropy(np.eye(4)[[0, 1, 2]], p).dtype == np.float32
    assert losses.sparse_categorical_crossentropy(np.array([0, 1, 2]), p).dtype == np.float32
    assert losses.CategoricalCrossentropy()(np.eye(4)[[0, 1, 2]], p).dtype == np.float32


def test_loss_objects_compute_in_their_dtype(rng):
    y, p = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))  # float64 arrays
    assert losses.mean_squared_error(y, p).dtype == np.float64  # functions keep y_pred's dtype
    out = losses.MeanSquaredError()(y, p)  # objects cast to their dtype, floatx() by default, as Keras
    assert out.dtype == np.float32 and losses.MeanSquaredError().dtype == "float32"
    assert value(out) == pytest.approx(((y - p) ** 2).mean(), rel=1e-6)
    assert losses.MeanSquaredError(dtype="float64")(y, p).dtype == np.float64


def test_plain_lists_and_integer_predictions():
    assert value(losses.mean_squared_error([1, 2], [[1], [4]])).tolist() == [0.0, 4.0]
    assert value(losses.MeanAbsoluteError()([[1, 2]], [[2, 4]])) == pytest.approx(1.5)
    assert value(losses.binary_crossentropy([1, 0], [1, 0])).item() == pytest.approx(-np.log(1 - EPS), abs=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Shape errors that say how to fix them
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("labels", [[1, 2], [[1], [2]]])
def test_categorical_crossentropy_with_integer_labels_suggests_sparse(labels):
    for call in [lambda: losses.categorical_crossentropy(labels, PROBS),
                 lambda: losses.CategoricalCrossentropy()(labels, PROBS),
                 lambda: losses.get("categorical_crossentropy")(labels, PROBS)]:
        with pytest.raises(ValueError) as e:
            call()
        message = str(e.value)
        assert "sparse_categorical_crossentropy" in message
        assert "to_categorical" in message and "num_classes=3" in message
        assert str(np.shape(labels)) in message and "(2, 3)" in message


def test_elementwise_losses_name_both_shapes():
    elementwise = [getattr(losses, name) for name in ALL_FUNCTIONS if "crossentropy" not in name]
    for fn in elementwise + [losses.MeanSquaredError(), losses.Huber()]:
        with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 2\)"):
            fn(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 2\)"):
        losses.binary_crossentropy(np.zeros((4, 3)), np.full((4, 2), 0.5))
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.binary_crossentropy([0, 1, 2], np.full((3, 4), 0.25))


def test_sparse_labels_out_of_range_are_named():
    with pytest.raises(ValueError, match=r"label 3.* 3 classes.*\[0, 3\)"):
        losses.sparse_categorical_crossentropy([1, 3], PROBS)
    with pytest.raises(ValueError, match=r"label -1.* 3 classes"):
        losses.SparseCategoricalCrossentropy(from_logits=True)([[-1], [0]], PROBS)


def test_sparse_crossentropy_with_one_hot_labels_suggests_categorical():
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*argmax") as e:
        losses.sparse_categorical_crossentropy(ONE_HOT, PROBS)
    assert "y_true.shape=(2, 3)" in str(e.value)


def test_categorical_crossentropy_warns_for_a_single_class():
    with pytest.warns(UserWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy([[1.0], [0.0]], [[0.3], [0.6]])


# ---------------------------------------------------------------------------------------------------------
# Loss classes, get, serialize
# ---------------------------------------------------------------------------------------------------------


def test_default_names():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.MeanAbsoluteError().name == "mean_absolute_error"
    assert losses.BinaryCrossentropy().name == "binary_crossentropy"
    assert losses.CategoricalCrossentropy().name == "categorical_crossentropy"
    assert losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"
    assert losses.Huber().name == "huber_loss"  # Keras's name, not the function's
    assert losses.KLDivergence().name == "kl_divergence"
    assert losses.MeanSquaredError(name="mine").name == "mine"
    for name in ALL_CLASSES:
        assert repr(getattr(losses, name)()).startswith(f"<{name} name=")


def test_custom_loss_subclass():
    class HalfSquaredError(losses.Loss):
        def call(self, y_true, y_pred):
            return 0.5 * ops.sum(ops.square(y_pred - y_true), axis=-1)

    loss = HalfSquaredError(reduction="sum")
    assert loss.name == "half_squared_error"
    assert value(loss([[1.0, 2.0]], [[2.0, 4.0]])) == pytest.approx(2.5)
    with pytest.raises(TypeError, match="abstract method"):  # the base class says what to implement
        losses.Loss()([1.0], [1.0])


def test_loss_function_wrapper():
    def scaled_error(y_true, y_pred, scale=1.0):
        return scale * ops.mean(ops.abs(y_true - y_pred), axis=-1)

    wrapped = losses.LossFunctionWrapper(scaled_error, reduction="sum", scale=3.0)
    assert wrapped.name == "scaled_error"
    assert value(wrapped([1.0, 2.0], [[2.0], [2.0]])) == pytest.approx(3.0)  # (batch,) meets (batch, 1)
    config = wrapped.get_config()
    assert config["scale"] == 3.0 and config["fn"]["config"] == "scaled_error"
    rebuilt = losses.LossFunctionWrapper.from_config(
        {**config, "fn": losses.deserialize(config["fn"], custom_objects={"scaled_error": scaled_error})})
    assert value(rebuilt([1.0, 2.0], [[2.0], [2.0]])) == pytest.approx(3.0)


def test_get_resolves_identifiers():
    assert losses.get(None) is None
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error
    assert losses.get("bce") is losses.binary_crossentropy
    # as every get() in kerasnb: case and underscores do not matter when the name is otherwise exact
    assert losses.get("Categorical_Crossentropy") is losses.categorical_crossentropy
    assert losses.get("Mse") is losses.mean_squared_error
    for name in ALL_FUNCTIONS:
        assert losses.get(name) is getattr(losses, name)
    for name in ALL_CLASSES:
        assert type(losses.get(name)) is getattr(losses, name)
    aliases = {"mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
               "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
               "kld": "kl_divergence", "KLD": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
               "logcosh": "log_cosh"}
    for alias, name in aliases.items():
        assert losses.get(alias) is getattr(losses, name)
    instance = losses.BinaryCrossentropy()
    assert losses.get(instance) is instance
    assert isinstance(losses.get(losses.CategoricalCrossentropy), losses.CategoricalCrossentropy)

    def my_loss(y_true, y_pred):
        return y_pred

    assert losses.get(my_loss) is my_loss
    got = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(got, losses.CategoricalCrossentropy) and got.from_logits


def test_get_suggests_the_closest_name():
    with pytest.raises(ValueError) as e:
        losses.get("categorical_crossentropyy")
    assert str(e.value) == (
        "Could not interpret loss identifier: 'categorical_crossentropyy'. Did you mean 'categorical_crossentropy'?"
    )
    with pytest.raises(ValueError, match="Did you mean 'mean_absolute_error'"):
        losses.get("mean_absolut_error")
    with pytest.raises(ValueError, match="Known names: .*'mean_squared_error'"):
        losses.get("xyz")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 5"):
        losses.get(5)


@pytest.mark.parametrize("loss", [
    losses.MeanSquaredError(reduction="sum"),
    losses.MeanAbsoluteError(name="l1"),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, axis=-1),
    losses.CategoricalCrossentropy(label_smoothing=0.2, reduction=None),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255, axis=1),
    losses.MeanAbsolutePercentageError(reduction="sum"),
    losses.MeanSquaredLogarithmicError(name="msle"),
    losses.CosineSimilarity(axis=1, reduction="none"),
    losses.Huber(delta=0.3),
    losses.LogCosh(),
    losses.Hinge(),
    losses.SquaredHinge(),
    losses.CategoricalHinge(),
    losses.KLDivergence(),
    losses.Poisson(reduction="mean_with_sample_weight"),
    losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.4, gamma=3.0, from_logits=True,
                                   label_smoothing=0.1, axis=0),
    losses.CategoricalFocalCrossentropy(alpha=[0.2, 0.3, 0.5], gamma=1.0, from_logits=True, label_smoothing=0.1),
], ids=lambda loss: type(loss).__name__)
def test_config_and_serialization_round_trip(loss):
    config = loss.get_config()
    for rebuilt in [type(loss).from_config(config), losses.deserialize(losses.serialize(loss))]:
        assert type(rebuilt) is type(loss)
        assert rebuilt.get_config() == config
    serialized = losses.serialize(loss)
    assert serialized["class_name"] == type(loss).__name__ and serialized["module"] == "keras.losses"
    assert json.loads(json.dumps(serialized)) == serialized  # JSON-friendly


def test_configs_keep_every_option():
    # Keras leaves Huber's delta and CosineSimilarity's axis out of their configs (from_config then forgets
    # them); kerasnb keeps every option, under the constructor's argument names.
    assert losses.Huber(delta=0.3).get_config() == {"name": "huber_loss", "reduction": "sum_over_batch_size",
                                                    "delta": 0.3}
    assert losses.CosineSimilarity.from_config(losses.CosineSimilarity(axis=0).get_config()).axis == 0
    config = losses.BinaryFocalCrossentropy().get_config()
    assert config == {"name": "binary_focal_crossentropy", "reduction": "sum_over_batch_size",
                      "apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0, "from_logits": False,
                      "label_smoothing": 0.0, "axis": -1}
    focal = losses.CategoricalFocalCrossentropy(alpha=[0.2, 0.8], gamma=1.0)
    assert (focal.alpha, focal.gamma, focal.from_logits) == ([0.2, 0.8], 1.0, False)


def test_serialize_functions():
    serialized = losses.serialize(losses.categorical_crossentropy)
    assert serialized == {"module": "keras.losses", "class_name": "function", "config": "categorical_crossentropy",
                          "registered_name": "function"}
    assert losses.deserialize(serialized) is losses.categorical_crossentropy
    assert losses.deserialize("mse") is losses.mean_squared_error
    with pytest.raises(ValueError, match="custom_objects"):
        losses.deserialize({"class_name": "MyLoss", "config": {}})
