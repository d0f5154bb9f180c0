"""Metrics (kerasnb.metrics): the seed's examples, Keras's documented values, parity with real Keras over
several batches (tests/reference/metrics_reference.*, written by make_metric_refs.py), accumulation over
batches, sample weights, state handling, the accuracy functions against NumPy, the confusion-matrix metrics,
shape errors, and get/serialize."""

import json
import warnings
from pathlib import Path

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
# The seed's examples (shared/seeds/004), with only the import changed: tf.keras -> kerasnb
# ---------------------------------------------------------------------------------------------------------


def test_seed_accuracy():
    m = keras.metrics.Accuracy()
    m.update_state([1, 2, 3, 4], [0, 2, 3, 4])
    assert str(m.result().numpy()) == "0.75"


def test_seed_categorical_accuracy():
    m = keras.metrics.CategoricalAccuracy()
    m.update_state([[0, 0, 1], [0, 1, 0], [0, 1, 0]], [[0.1, 0.1, 0.8],
                   [0.05, 0.95, 0], [0.3, 0.3, 0.4]])
    assert str(m.result().numpy()) == "0.6666667"


def test_seed_mean_and_sum():
    m = keras.metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert str(m.result().numpy()) == "4.0"
    m = keras.metrics.Sum()
    m.update_state([1, 2, 3, 4])
    assert str(m.result().numpy()) == "10.0"


def test_seed_true_positives():
    m = keras.metrics.TruePositives()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert str(m.result().numpy()) == "2.0"


def test_seed_losses_cosine_mae_mse():
    # The seed shows these as losses; the same numbers come out of the metrics (cosine with the metric's sign).
    y_true, y_pred = [0., 1.], [0.1, 0.8]
    assert keras.losses.MeanAbsoluteError()(y_true, y_pred).numpy() == np.float32(0.14999999)
    assert keras.losses.MeanSquaredError()(y_true, y_pred).numpy() == np.float32(0.024999999)
    assert keras.losses.CosineSimilarity()([1., 1.], [2., 2.]).numpy() == np.float32(-0.99999994)
    assert str(keras.losses.CosineSimilarity()([1., 1.], [2., -2.]).numpy()) == "-0.0"
    for metric, want in [(metrics.MeanAbsoluteError(), 0.14999999), (metrics.MeanSquaredError(), 0.024999999)]:
        metric.update_state(y_true, y_pred)
        assert metric.result().numpy() == np.float32(want)  # 0.15 and 0.025, to float32 precision
    m = metrics.CosineSimilarity()
    m.update_state([1., 1.], [2., 2.])
    assert m.result().numpy() == np.float32(0.99999994)
    m.reset_state()
    m.update_state([1., 1.], [2., -2.])
    assert m.result().numpy() == 0.0


def test_cosine_similarity_keras_example():
    m = metrics.CosineSimilarity(axis=1)
    m.update_state([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]])
    assert m.result().numpy() == np.float32(0.49999997)
    m.reset_state()
    m.update_state([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]], sample_weight=[0.3, 0.7])
    assert m.result().numpy() == np.float32(0.6999999)


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
# Parity with real Keras: every metric's running result after each of three batches, and after a reset
# ---------------------------------------------------------------------------------------------------------

REFERENCE = Path(__file__).parent / "reference"


def _load_reference():
    data = json.loads((REFERENCE / "metrics_reference.json").read_text())
    with np.load(REFERENCE / "metrics_reference.npz") as arrays:
        inputs = {key: arrays[key] for key in arrays.files}
    return data["meta"], data["cases"], inputs


META, CASES, INPUTS = _load_reference()


def _batches(case):
    """The case's three batches: (y_true, y_pred, sample_weight) each, None where the case has none."""
    edges = np.cumsum(META["batch_sizes"])[:-1]
    parts = {part: np.split(INPUTS[f"{case['name']}/{part}"], edges) for part in case["parts"]}
    none = [None] * len(META["batch_sizes"])
    return list(zip(parts.get("y_true", none), parts["y_pred"], parts.get("sample_weight", none)))


def _make(case):
    kwargs = {k: getattr(metrics, v["function"]) if isinstance(v, dict) else v for k, v in case["kwargs"].items()}
    return getattr(metrics, case["class"])(**kwargs)


def _update(metric, y_true, y_pred, sample_weight):
    if y_true is None:  # Mean and Sum take the values alone
        metric.update_state(y_pred, sample_weight=sample_weight)
    else:
        metric.update_state(y_true, y_pred, sample_weight=sample_weight)


def _keras_config(case):
    """Keras's config, with kerasnb's deliberate differences applied (each one documented in its class)."""
    config = dict(case["config"])
    if case["class"] == "MeanMetricWrapper":
        config["name"] = case["kwargs"]["fn"]["function"]  # kerasnb names the wrapper after its function
        config["fn"] = dict(config["fn"], module="keras.metrics")  # Keras writes 'builtins' here
    if case["class"] == "CosineSimilarity":
        config["axis"] = case["kwargs"].get("axis", -1)  # Keras leaves axis out, so it is lost on reload
    return config


def test_reference_is_from_real_keras():
    assert META["keras_version"].startswith("3.") and META["backend"] == "torch"
    assert len(CASES) > 200
    # every metric class kerasnb has is covered, with and without sample weights where it takes them
    covered = {c["class"] for c in CASES}
    assert covered >= set(metrics.__all__) - {"Metric"} - {n for n in metrics.__all__ if n[0].islower()}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_keras_parity(case):
    """Same batches, same running results as Keras: float32, within rtol 1e-5 (they agree to ~1e-6: the sums
    are added in a different order), after every batch and again after ``reset_state()``."""
    metric = _make(case)
    batches = _batches(case)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of the cases should warn
        for i, (batch, want) in enumerate(zip(batches, case["results"])):
            _update(metric, *batch)
            got = metric.result()
            assert isinstance(got, keras.Tensor), f"result() is a {type(got).__name__}"
            got, want = got.numpy(), np.asarray(want, dtype=case["result_dtype"])
            assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.shape)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"{case['name']} after batch {i + 1}")
        metric.reset_state()
        _update(metric, *batches[0])
    np.testing.assert_allclose(metric.result().numpy(), np.asarray(case["result_after_reset"], "float32"),
                               rtol=1e-5, atol=1e-6, err_msg=f"{case['name']} after reset_state()")
    expected_config = _keras_config(case)
    assert metric.get_config() == expected_config
    default_name = expected_config["name"] if case["class"] == "MeanMetricWrapper" else case["default_name"]
    assert metric.name == default_name
    rebuilt = type(metric).from_config(metric.get_config())
    assert rebuilt.get_config() == metric.get_config()


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
    ("mape", metrics.MeanAbsolutePercentageError, "mean_absolute_percentage_error"),
    ("msle", metrics.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"),
    ("root_mean_squared_error", metrics.RootMeanSquaredError, "root_mean_squared_error"),
    ("log_cosh_error", metrics.LogCoshError, "logcosh"),
    ("cosine_similarity", metrics.CosineSimilarity, "cosine_similarity"),
    ("r2_score", metrics.R2Score, "r2_score"),
    ("hinge", metrics.Hinge, "hinge"),
    ("categorical_hinge", metrics.CategoricalHinge, "categorical_hinge"),
    ("kl_divergence", metrics.KLDivergence, "kl_divergence"),
    ("poisson", metrics.Poisson, "poisson"),
    ("auc", metrics.AUC, "auc"),
    ("AUC", metrics.AUC, "auc"),
    ("precision", metrics.Precision, "precision"),
    ("recall", metrics.Recall, "recall"),
    ("true_positives", metrics.TruePositives, "true_positives"),
    ("FalseNegatives", metrics.FalseNegatives, "false_negatives"),
    ("f1_score", metrics.F1Score, "f1_score"),
    ("fbeta_score", metrics.FBetaScore, "fbeta_score"),
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
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        metrics.get("acc")  # compile() resolves 'acc' itself, as Keras; by spelling alone 'auc' would be closest
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
    metrics.MeanAbsolutePercentageError(),
    metrics.MeanSquaredLogarithmicError(),
    metrics.RootMeanSquaredError(),
    metrics.LogCoshError(),
    metrics.CosineSimilarity(axis=1),
    metrics.R2Score(class_aggregation=None, num_regressors=2),
    metrics.Hinge(), metrics.SquaredHinge(), metrics.CategoricalHinge(), metrics.KLDivergence(), metrics.Poisson(),
    metrics.SparseCategoricalCrossentropy(ignore_class=-1),
    metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
    metrics.TruePositives(thresholds=[0.2, 0.8]), metrics.FalsePositives(), metrics.TrueNegatives(thresholds=0.3),
    metrics.FalseNegatives(),
    metrics.Precision(thresholds=[0.3, 0.6], class_id=1),
    metrics.Recall(top_k=2, name="recall_at_2"),
    metrics.AUC(curve="PR", summation_method="majoring", num_thresholds=50),
    metrics.AUC(thresholds=[0.1, 0.5, 0.9], multi_label=True, num_labels=3, label_weights=[1.0, 2.0, 3.0]),
    metrics.SensitivityAtSpecificity(0.8, num_thresholds=10, class_id=2),
    metrics.SpecificityAtSensitivity(0.7),
    metrics.PrecisionAtRecall(0.5),
    metrics.RecallAtPrecision(0.9),
    metrics.F1Score(average="macro", threshold=0.4),
    metrics.FBetaScore(average="weighted", beta=0.5),
    metrics.IoU(num_classes=4, target_class_ids=[1, 3], ignore_class=0),
    metrics.BinaryIoU(target_class_ids=[1], threshold=0.3),
    metrics.MeanIoU(num_classes=3, sparse_y_pred=False),
    metrics.OneHotIoU(num_classes=3, target_class_ids=[0]),
    metrics.OneHotMeanIoU(num_classes=3, dtype="float32"),
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


def test_names_that_need_arguments_say_so():
    with pytest.raises(ValueError, match=r"'mean_iou' \(MeanIoU\) needs arguments.*num_classes.*MeanIoU\(\.\.\.\)"):
        metrics.get("mean_iou")
    with pytest.raises(ValueError, match="PrecisionAtRecall.*recall"):
        metrics.get(metrics.PrecisionAtRecall)


def test_loss_functions_are_metric_functions():
    # keras.metrics re-exports the loss functions (the same objects), so configs naming them round-trip.
    for name in ["mean_absolute_percentage_error", "log_cosh", "hinge", "kl_divergence", "poisson"]:
        assert getattr(metrics, name) is getattr(losses, name)
        m = metrics.MeanMetricWrapper(getattr(metrics, name))
        assert metrics.deserialize(metrics.serialize(m))._fn is getattr(losses, name)


# ---------------------------------------------------------------------------------------------------------
# Confusion-matrix metrics: counts, precision/recall, AUC, F-scores, IoU
# ---------------------------------------------------------------------------------------------------------


def _binary_data(rng, n=40):
    y = rng.integers(0, 2, size=n)
    p = np.clip(0.35 * y + rng.uniform(0, 0.65, size=n), 0, 1).astype("float32")  # informative scores
    w = rng.uniform(0, 2, size=n).astype("float32")
    return y, p, w


@pytest.mark.parametrize("thresholds", [None, [0.2, 0.5, 0.8], [0.0, 0.25, 0.5, 0.75, 1.0]])
def test_counts_precision_recall_match_numpy(rng, thresholds):
    # Uneven thresholds compare every prediction; evenly spaced ones take the bucketed path: same counts.
    y, p, w = _binary_data(rng)
    ts = np.array([0.5] if thresholds is None else thresholds)
    above = p[None, :] > ts[:, None]
    tp = (above & (y == 1)) @ w
    fp = (above & (y == 0)) @ w
    fn = (~above & (y == 1)) @ w
    tn = (~above & (y == 0)) @ w
    for cls, want in [(metrics.TruePositives, tp), (metrics.FalsePositives, fp), (metrics.TrueNegatives, tn),
                      (metrics.FalseNegatives, fn),
                      (metrics.Precision, np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-30), 0)),
                      (metrics.Recall, np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1e-30), 0))]:
        m = cls(thresholds=thresholds)
        for lo, hi in [(0, 13), (13, 30), (30, 40)]:
            m.update_state(y[lo:hi], p[lo:hi], sample_weight=w[lo:hi])
        got = m.result().numpy()
        assert got.shape == (() if thresholds is None else (len(ts),))
        np.testing.assert_allclose(got, want.squeeze() if thresholds is None else want, rtol=1e-5, atol=1e-6)


def test_counting_does_not_depend_on_batching(rng):
    # Metrics made of counts must give the same value for one batch and for the same data in pieces.
    y, p, w = _binary_data(rng, 30)
    labels3 = rng.integers(0, 3, size=30)
    for make, yy, pp in [(metrics.AUC, y, p), (lambda: metrics.AUC(curve="PR"), y, p), (metrics.Precision, y, p),
                         (lambda: metrics.RecallAtPrecision(0.7), y, p),
                         (lambda: metrics.F1Score(average="macro"), np.eye(3)[labels3], rng.uniform(size=(30, 3))),
                         (lambda: metrics.MeanIoU(3, dtype="float32"), labels3, rng.integers(0, 3, size=30))]:
        whole, pieces = make(), make()
        whole.update_state(yy, pp, sample_weight=w)
        for lo, hi in [(0, 7), (7, 8), (8, 30)]:
            pieces.update_state(yy[lo:hi], pp[lo:hi], sample_weight=w[lo:hi])
        np.testing.assert_allclose(pieces.result().numpy(), whole.result().numpy(), rtol=1e-6)


def test_auc_approaches_the_exact_auc(rng):
    y, p, _ = _binary_data(rng, 200)
    pos, neg = p[y == 1], p[y == 0]
    exact = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (pos.size * neg.size)
    m = metrics.AUC(num_thresholds=2000)
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(exact, abs=2e-3)
    perfect = metrics.AUC()
    perfect.update_state([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert float(perfect.result()) == pytest.approx(1.0)


def test_auc_multi_label_builds_on_first_batch(rng):
    m = metrics.AUC(multi_label=True)
    assert m.variables == []
    y, p = rng.integers(0, 2, size=(8, 3)), rng.uniform(size=(8, 3))
    m.update_state(y, p)
    assert [v.name for v in m.variables] == ["true_positives", "false_positives", "true_negatives", "false_negatives"]
    assert all(v.shape == (200, 3) for v in m.variables)
    per_label = []
    for j in range(3):
        single = metrics.AUC()
        single.update_state(y[:, j], p[:, j])
        per_label.append(float(single.result()))
    assert float(m.result()) == pytest.approx(np.mean(per_label), rel=1e-6)  # the mean of the label AUCs
    m.reset_state()
    assert all(v.shape == (200, 3) and not v.numpy().any() for v in m.variables)
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state([0, 1], [0.3, 0.6])


def test_auc_from_logits_is_auc_of_sigmoid(rng):
    y, logits = rng.integers(0, 2, size=20), rng.normal(size=20).astype("float32")
    a, b = metrics.AUC(from_logits=True), metrics.AUC()
    a.update_state(y, logits)
    b.update_state(y, 1 / (1 + np.exp(-logits)))
    assert float(a.result()) == pytest.approx(float(b.result()), abs=1e-6)


def test_top_k_and_class_id():
    y = [[0, 0, 1, 1], [1, 0, 0, 0]]
    p = [[0.9, 0.8, 0.3, 0.1], [0.2, 0.6, 0.7, 0.3]]
    m = metrics.Precision(top_k=2)  # the two highest of each row are the predictions: 4 predicted, 0 right
    m.update_state(y, p)
    assert float(m.result()) == 0.0
    m = metrics.Recall(class_id=0)  # class 0: positive in row 2 only, predicted (0.2 > 0.5?) no
    m.update_state(y, p)
    assert float(m.result()) == 0.0
    with pytest.raises(ValueError, match="class_id"):
        metrics.Precision(class_id=1).update_state([0, 1], [0.2, 0.7])


def test_invalid_arguments_are_explained():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="AUC curve"):
        metrics.AUC(curve="ROCC")
    with pytest.raises(ValueError, match="summation method"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match=r"beta=2\.0"):
        metrics.FBetaScore(beta=2)  # a Python float, as Keras requires
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="samples")
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state([1, 0], [0.8, 0.3])
    with pytest.raises(ValueError, match=r"range \[0, 1\]"):
        metrics.PrecisionAtRecall(1.2)
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(num_classes=2, target_class_ids=[2])


def test_f1_score_matches_numpy(rng):
    labels = rng.integers(0, 4, size=25)
    y, p = np.eye(4)[labels], rng.uniform(size=(25, 4))
    predicted = np.eye(4)[p.argmax(-1)]
    tp, fp, fn = (predicted * y).sum(0), (predicted * (1 - y)).sum(0), ((1 - predicted) * y).sum(0)
    per_class = 2 * tp / np.maximum(2 * tp + fp + fn, 1e-30)
    support = y.sum(0)
    for average, want in [(None, per_class), ("macro", per_class.mean()),
                          ("weighted", (per_class * support).sum() / support.sum()),
                          ("micro", 2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum()))]:
        m = metrics.F1Score(average=average)
        m.update_state(y, p)
        np.testing.assert_allclose(m.result().numpy(), want, rtol=1e-5)  # epsilon() in Keras's denominators


def test_mean_iou_counts_pixels_and_warns_about_cut_weights():
    m = metrics.MeanIoU(num_classes=3)
    assert m.total_cm.dtype == np.int32
    m.update_state([[0, 1], [2, 2]], [[0, 1], [2, 1]])  # IoU: class 0 = 1, class 1 = 1/2, class 2 = 1/2
    assert float(m.result()) == pytest.approx(2 / 3, rel=1e-6)
    np.testing.assert_array_equal(m.total_cm.numpy(), [[1, 0, 0], [0, 1, 0], [0, 1, 1]])
    with pytest.warns(UserWarning, match="cut to integers"):
        m.update_state([0, 1], [0, 1], sample_weight=np.array([0.5, 1.0], "float32"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.MeanIoU(num_classes=3, dtype="float32").update_state([0, 1], [0, 1], sample_weight=[0.5, 1.0])
        metrics.MeanIoU(num_classes=3).update_state([0, 1], [0, 1], sample_weight=np.array([2.0, 1.0], "float32"))


def test_confusion_metrics_are_not_recorded_on_a_tape():
    x = keras.Variable([[0.2], [0.8], [0.6]])
    ms = [metrics.AUC(), metrics.Precision(), metrics.F1Score(threshold=0.5), metrics.RootMeanSquaredError()]
    with keras.GradientTape() as tape:
        y_pred = x * 1.0
        for m in ms:
            m.update_state([[0], [1], [1]], y_pred)
        loss = ops.sum(y_pred)
    for m in ms:
        assert m.result().node is None and all(v.node is None for v in m.variables)
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), np.ones((3, 1)))


def test_metrics_utils_segment_sum_and_confusion_matrix():
    from kerasnb.metrics.metrics_utils import confusion_matrix, segment_sum

    got = segment_sum(ops.convert_to_tensor([1.0, 2.0, 3.0, 4.0]), ops.convert_to_tensor([1, 1, -1, 5]), 3)
    np.testing.assert_array_equal(got.numpy(), [0.0, 3.0, 0.0])  # ids -1 and 5 dropped
    cm = confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], 3, weights=[1.0, 2.0, 3.0, 4.0], dtype="float32")
    np.testing.assert_array_equal(cm.numpy(), [[1, 0, 0], [0, 3, 2], [0, 0, 4]])

