"""Metrics (kerasnb.metrics): Keras's documented values, accumulation over batches, sample weights, state
handling, the accuracy functions against NumPy, shape errors, and get/serialize."""

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import losses, metrics, ops

# Every test here runs on NumPy, and on CuPy where CuPy and a GPU are present (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("array_backend")

ONE_HOT = [[0, 0, 1], [0, 1, 0]]
LABELS = [[2], [1]]
PROBS = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]


def result(metric):
    out = metric.result()
    assert isinstance(out, keras.Tensor) and out.shape == ()
    return float(out)


# ---------------------------------------------------------------------------------------------------------
# Keras's documented values
# ---------------------------------------------------------------------------------------------------------


def test_mean_and_sum_keras_examples():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert result(m) == 4.0
    m.reset_state()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert result(m) == 2.0
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7])
    assert result(s) == 16.0
    s.reset_state()
    s.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert result(s) == 4.0


@pytest.mark.parametrize("metric, y_true, y_pred, plain, weights, weighted", [
    (metrics.Accuracy, [[1], [2], [3], [4]], [[0], [2], [3], [4]], 0.75, [1, 1, 0, 0], 0.5),
    (metrics.BinaryAccuracy, [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], 0.75, [1, 0, 0, 1], 0.5),
    (metrics.CategoricalAccuracy, ONE_HOT, PROBS, 0.5, [0.7, 0.3], 0.3),
    (metrics.SparseCategoricalAccuracy, LABELS, [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], 0.5, [0.7, 0.3], 0.3),
    (lambda: metrics.TopKCategoricalAccuracy(k=1), ONE_HOT, PROBS, 0.5, [0.7, 0.3], 0.3),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1), [2, 1], PROBS, 0.5, [0.7, 0.3], 0.3),
    (metrics.MeanAbsoluteError, [[0, 1], [0, 0]], [[1, 1], [0, 0]], 0.25, [1, 0], 0.5),
    (metrics.MeanSquaredError, [[0, 1], [0, 0]], [[1, 1], [0, 0]], 0.25, [1, 0], 0.5),
    (metrics.BinaryCrossentropy, [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], 0.81492424, [1, 0], 0.91629076),
    (metrics.CategoricalCrossentropy, [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], 1.1769392,
     [0.3, 0.7], 1.6271976),
    (metrics.SparseCategoricalCrossentropy, [1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], 1.1769392,
     [0.3, 0.7], 1.6271976),
])
def test_keras_examples(metric, y_true, y_pred, plain, weights, weighted):
    m = metric()
    m.update_state(y_true, y_pred)
    assert result(m) == pytest.approx(plain, abs=1e-6)
    m.reset_state()
    m.update_state(y_true, y_pred, sample_weight=weights)
    assert result(m) == pytest.approx(weighted, abs=1e-6)


def test_binary_accuracy_threshold():
    m = metrics.BinaryAccuracy(threshold=0.7)
    m.update_state([1, 1, 0, 0], [0.98, 0.6, 0.0, 0.6])
    assert result(m) == 0.75


# ---------------------------------------------------------------------------------------------------------
# Accumulation over batches: every sample counts once, however the data is batched
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric, per_sample", [
    (metrics.SparseCategoricalAccuracy, lambda y, p: (p.argmax(-1) == y).astype(float)),
    (metrics.SparseCategoricalCrossentropy, lambda y, p: -np.log(p[np.arange(len(y)), y] / p.sum(-1))),
])
def test_batches_are_weighted_by_their_size(rng, metric, per_sample):
    y = rng.integers(0, 4, size=10)
    p = rng.uniform(0.1, 1.0, size=(10, 4))
    w = rng.uniform(size=10)
    m, weighted = metric(), metric()
    for lo, hi in [(0, 3), (3, 8), (8, 10)]:  # batches of 3, 5 and 2
        m.update_state(y[lo:hi], p[lo:hi])
        weighted.update_state(y[lo:hi], p[lo:hi], sample_weight=w[lo:hi])
    assert result(m) == pytest.approx(per_sample(y, p).mean(), rel=1e-6)
    assert result(weighted) == pytest.approx((per_sample(y, p) * w).sum() / w.sum(), rel=1e-6)


def test_call_updates_and_returns_the_running_result():
    m = metrics.Mean()
    assert float(m([1.0, 3.0])) == 2.0
    assert float(m([8.0])) == 4.0  # (1 + 3 + 8) / 3
    assert float(m(5.0)) == 4.25  # a scalar counts as one sample


def test_mean_of_rows_counts_samples(rng):
    values = rng.normal(size=(4, 3))
    m = metrics.Mean(dtype="float64")
    m.update_state(values)
    assert result(m) == pytest.approx(values.mean())
    m.reset_state()
    w = np.array([1.0, 0.0, 2.0, 1.0])
    m.update_state(values, sample_weight=w[:, None])  # (batch, 1) weights
    assert result(m) == pytest.approx((values.mean(1) * w).sum() / w.sum())


def test_empty_mean_is_zero():
    assert result(metrics.Mean()) == 0.0
    assert result(metrics.CategoricalAccuracy()) == 0.0


# ---------------------------------------------------------------------------------------------------------
# State: variables, reset, dtype, custom metrics
# ---------------------------------------------------------------------------------------------------------


def test_state_variables_and_dtype():
    m = metrics.MeanSquaredError()
    assert [v.name for v in m.variables] == ["total", "count"]
    assert all(isinstance(v, keras.Variable) and not v.trainable for v in m.variables)
    m.update_state([[1.0, 2.0]], [[0.0, 0.0]])
    assert m.result().dtype == np.float32 and m.dtype == "float32"
    assert float(m.total) == 2.5 and float(m.count) == 1.0
    m.reset_state()
    assert float(m.total) == 0.0 and float(m.count) == 0.0
    m64 = metrics.Mean(dtype="float64")
    m64.update_state([0.1])
    assert m64.result().dtype == np.float64 and float(m64.result()) == 0.1


def test_result_is_a_snapshot():
    m = metrics.Sum()
    m.update_state([1.0])
    first = m.result()
    m.update_state([2.0])
    assert float(first) == 1.0 and float(m.result()) == 3.0


def test_custom_metric_with_initial_values_and_sub_metrics():
    class Range(metrics.Metric):
        def __init__(self, name="range", **kwargs):
            super().__init__(name=name, **kwargs)
            self.low = self.add_variable(initializer=np.inf, name="low")
            self.high = self.add_variable(initializer=-np.inf, name="high")
            self.mean = metrics.Mean()

        def update_state(self, values):
            self.low.assign(ops.minimum(self.low, ops.min(values)))
            self.high.assign(ops.maximum(self.high, ops.max(values)))
            self.mean.update_state(values)

        def result(self):
            return self.high - self.low

    m = Range()
    assert float(m([2.0, 5.0])) == 3.0
    assert float(m([-1.0])) == 6.0
    assert len(m.variables) == 4 and float(m.mean.result()) == 2.0
    m.reset_state()  # back to the initial values, not zeros; sub-metrics too
    assert float(m.low) == np.inf and float(m.high) == -np.inf and float(m.mean.count) == 0.0
    assert m.get_config() == {"name": "range", "dtype": "float32"}
    assert repr(m) == "<Range name=range>"

    class Ones(metrics.Metric):
        def __init__(self):
            super().__init__()
            self.v = self.add_variable(shape=(2,), initializer="ones", dtype="int32")

        def update_state(self, values):
            self.v.assign_add(values)

        def result(self):
            return self.v.value

    assert Ones().v.numpy().tolist() == [1, 1] and Ones().name == "ones"


def test_forgetting_super_init_is_explained():
    class Broken(metrics.Metric):
        def __init__(self):
            self.total = self.add_variable()

        def update_state(self, values):
            self.total.assign_add(values)

        def result(self):
            return self.total.value

    with pytest.raises(RuntimeError, match=r"super\(\).__init__"):
        Broken()


def test_update_state_is_not_recorded_on_a_tape():
    x = keras.Variable([[0.2, 0.8], [0.6, 0.4]])
    m = metrics.CategoricalCrossentropy()
    with keras.GradientTape() as tape:
        y_pred = x * 1.0
        m.update_state([[0, 1], [1, 0]], y_pred)
        loss = ops.sum(y_pred)
    assert m.result().node is None and m.total.node is None
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), np.ones((2, 2)))


def test_keras_mask_on_y_pred_is_respected():
    y_pred = ops.convert_to_tensor([[0.9], [0.2], [0.7]])
    y_pred._keras_mask = ops.convert_to_tensor([True, False, True])
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [1], [0]], y_pred)
    assert result(m) == 0.5  # the masked-out sample does not count


# ---------------------------------------------------------------------------------------------------------
# The accuracy functions
# ---------------------------------------------------------------------------------------------------------


def test_accuracy_functions_match_numpy(rng):
    labels = rng.integers(0, 5, size=8)
    one_hot = np.eye(5)[labels]
    p = rng.uniform(size=(8, 5))
    want = (p.argmax(-1) == labels).astype("float32")
    np.testing.assert_array_equal(metrics.categorical_accuracy(one_hot, p).numpy(), want)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels, p).numpy(), want)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels[:, None], p).numpy(), want)
    for k in [1, 2, 5, 7]:
        ranks = (p > p[np.arange(8), labels][:, None]).sum(-1)
        want_k = (ranks < k).astype("float32")
        np.testing.assert_array_equal(metrics.top_k_categorical_accuracy(one_hot, p, k=k).numpy(), want_k)
        np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(labels, p, k=k).numpy(), want_k)
    z = rng.integers(0, 2, size=(8, 3))
    q = rng.uniform(size=(8, 3))
    np.testing.assert_array_equal(metrics.binary_accuracy(z, q).numpy(), (z == (q > 0.5)).astype("float32"))
    assert metrics.accuracy([1, 2, 3], [1, 0, 3]).numpy().tolist() == [1.0, 0.0, 1.0]


def test_top_k_ties_count_as_in():
    # classes 0, 1 and 2 tie; with k=1 every tied class counts as in the top 1 (as TensorFlow's in_top_k)
    assert metrics.sparse_top_k_categorical_accuracy([0, 2], [[0.3, 0.3, 0.3], [0.5, 0.25, 0.25]], k=1).numpy(
        ).tolist() == [1.0, 0.0]


def test_sequence_accuracy(rng):
    labels = rng.integers(0, 3, size=(2, 4))
    p = rng.uniform(size=(2, 4, 3))
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(labels, p)
    assert result(m) == pytest.approx((p.argmax(-1) == labels).mean())


def test_categorical_accuracy_with_integer_labels_suggests_sparse():
    for call in [lambda: metrics.categorical_accuracy([2, 1], PROBS),
                 lambda: metrics.CategoricalAccuracy().update_state(LABELS, PROBS),
                 lambda: metrics.top_k_categorical_accuracy(LABELS, PROBS)]:
        with pytest.raises(ValueError, match="sparse_"):
            call()


def test_sparse_accuracy_with_one_hot_labels_suggests_categorical():
    with pytest.raises(ValueError, match=r"y_true.shape=\(2, 3\).*one-hot.*'categorical_accuracy'"):
        metrics.sparse_categorical_accuracy(ONE_HOT, PROBS)


# ---------------------------------------------------------------------------------------------------------
# get, config, serialization
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier, cls, name", [
    ("accuracy", metrics.Accuracy, "accuracy"),
    ("binary_accuracy", metrics.BinaryAccuracy, "binary_accuracy"),
    ("categorical_accuracy", metrics.CategoricalAccuracy, "categorical_accuracy"),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy, "sparse_categorical_accuracy"),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy, "top_k_categorical_accuracy"),
    ("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy, "sparse_top_k_categorical_accuracy"),
    ("mse", metrics.MeanSquaredError, "mean_squared_error"),
    ("MSE", metrics.MeanSquaredError, "mean_squared_error"),
    ("mean_squared_error", metrics.MeanSquaredError, "mean_squared_error"),
    ("mae", metrics.MeanAbsoluteError, "mean_absolute_error"),
    ("mean_absolute_error", metrics.MeanAbsoluteError, "mean_absolute_error"),
    ("binary_crossentropy", metrics.BinaryCrossentropy, "binary_crossentropy"),
    ("categorical_crossentropy", metrics.CategoricalCrossentropy, "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"),
    ("mean", metrics.Mean, "mean"),
    ("Sum", metrics.Sum, "sum"),
    ("CategoricalAccuracy", metrics.CategoricalAccuracy, "categorical_accuracy"),
    ("Sparse_Categorical_Accuracy", metrics.SparseCategoricalAccuracy, "sparse_categorical_accuracy"),
])
def test_get_by_name(identifier, cls, name):
    m = metrics.get(identifier)
    assert type(m) is cls and m.name == name


def test_loss_name_as_metric_averages_the_loss():
    m = metrics.get("categorical_crossentropy")
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "categorical_crossentropy"
    m.update_state([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    assert result(m) == pytest.approx(float(losses.CategoricalCrossentropy()(
        [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])))


def test_get_passes_objects_through():
    assert metrics.get(None) is None
    m = metrics.Mean()
    assert metrics.get(m) is m
    assert isinstance(metrics.get(metrics.BinaryAccuracy), metrics.BinaryAccuracy)
    assert metrics.get(losses.mean_squared_error) is losses.mean_squared_error
    got = metrics.get({"class_name": "BinaryAccuracy", "config": {"threshold": 0.3}})
    assert isinstance(got, metrics.BinaryAccuracy) and got.threshold == 0.3


def test_get_suggests_the_closest_name():
    with pytest.raises(ValueError) as e:
        metrics.get("categorical_acuracy")
    assert str(e.value) == (
        "Could not interpret metric identifier: 'categorical_acuracy'. Did you mean 'categorical_accuracy'?"
    )
    with pytest.raises(ValueError, match="Known names: .*'accuracy'"):
        metrics.get("acc")  # compile() resolves 'acc' itself, as Keras
    with pytest.raises(ValueError, match="Known names: .*'sparse_categorical_accuracy'"):
        metrics.get("xyz")


@pytest.mark.parametrize("metric", [
    metrics.Mean(name="loss"),
    metrics.Sum(dtype="float64"),
    metrics.Accuracy(),
    metrics.BinaryAccuracy(threshold=0.7),
    metrics.CategoricalAccuracy(),
    metrics.SparseCategoricalAccuracy(name="acc"),
    metrics.TopKCategoricalAccuracy(k=3),
    metrics.SparseTopKCategoricalAccuracy(k=2),
    metrics.MeanSquaredError(),
    metrics.MeanAbsoluteError(),
    metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    metrics.CategoricalCrossentropy(label_smoothing=0.2),
    metrics.SparseCategoricalCrossentropy(from_logits=True),
    metrics.MeanMetricWrapper(losses.mean_absolute_error, name="l1"),
])
def test_config_and_serialization_round_trip(metric):
    config = metric.get_config()
    for rebuilt in [type(metric).from_config(config), metrics.deserialize(metrics.serialize(metric))]:
        assert type(rebuilt) is type(metric)
        assert rebuilt.get_config() == config
    assert metrics.serialize(metric)["module"] == "keras.metrics"


def test_mean_metric_wrapper_passes_kwargs():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.9)
    assert m.name == "binary_accuracy"
    m.update_state([1, 1], [0.95, 0.8])
    assert result(m) == 0.5
    assert m.get_config()["threshold"] == 0.9
    assert m.get_config()["fn"]["config"] == "binary_accuracy"
