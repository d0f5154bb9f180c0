"""Losses (kerasnb.losses): Keras's documented values, each formula against NumPy, the clipping numerics,
reductions and sample weights, float64 gradient checks, dtypes, the shape errors and get/serialize."""

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
    for fn in [losses.mean_squared_error, losses.mean_absolute_error, losses.binary_crossentropy]:
        assert fn(y, p).dtype == np.float32
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
    for fn in [losses.mean_squared_error, losses.mean_absolute_error, losses.MeanSquaredError()]:
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
    assert losses.MeanSquaredError(name="mine").name == "mine"


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
    for name in ["mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy"]:
        assert losses.get(name) is getattr(losses, name)
    for name in ["MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy", "CategoricalCrossentropy",
                 "SparseCategoricalCrossentropy"]:
        assert type(losses.get(name)) is getattr(losses, name)
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
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255),
])
def test_config_and_serialization_round_trip(loss):
    config = loss.get_config()
    for rebuilt in [type(loss).from_config(config), losses.deserialize(losses.serialize(loss))]:
        assert type(rebuilt) is type(loss)
        assert rebuilt.get_config() == config
    serialized = losses.serialize(loss)
    assert serialized["class_name"] == type(loss).__name__ and serialized["module"] == "keras.losses"


def test_serialize_functions():
    serialized = losses.serialize(losses.categorical_crossentropy)
    assert serialized == {"module": "keras.losses", "class_name": "function", "config": "categorical_crossentropy",
                          "registered_name": "function"}
    assert losses.deserialize(serialized) is losses.categorical_crossentropy
    assert losses.deserialize("mse") is losses.mean_squared_error
    with pytest.raises(ValueError, match="custom_objects"):
        losses.deserialize({"class_name": "MyLoss", "config": {}})
