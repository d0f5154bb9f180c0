"""Generate the Keras reference values that ``tests/test_metrics.py`` compares kerasnb's metrics with.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment, and writes ``tests/reference/metrics_reference.npz`` (the arrays) and
``tests/reference/metrics_reference.json`` (the cases), which are committed. To regenerate them::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras torch
    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_metric_refs.py

It imports Keras only inside ``main()``, so that pytest's ``--doctest-modules`` can import this file in the
kerasnb test environment (which has no Keras) without failing.

Every case makes one metric, ``keras.metrics.<Class>(**kwargs)``, and feeds it three batches of different
sizes (5, 3 and 6 samples) with ``update_state(y_true, y_pred[, sample_weight])``, recording ``result()``
after each batch: so the values are running (epoch) values over batches, and a metric that averaged per-batch
values instead of accumulating its state would disagree from the second batch on. Most metrics get a case
without and a case with ``sample_weight``. One more result is recorded after ``reset_state()`` and the first
batch again, which must equal the first result.

The inputs are small seeded NumPy arrays (float32 predictions, int32 labels), passed to Keras as NumPy arrays,
exactly as the test passes them to kerasnb.

``metrics_reference.json`` holds ``meta`` (the Keras, torch and NumPy versions, backend, seed, batch sizes)
and ``cases``, a list of (one per line)::

    {"name": ..., "class": "<keras.metrics class>", "kwargs": {...}, "parts": ["y_true", "y_pred",
     "sample_weight"] (those the case has), "results": [after batch 1, 2, 3], "result_after_reset": ...,
     "result_dtype": "float32", "config": <the metric's get_config()>, "default_name": <Class(**kwargs).name>,
     "note": ... (when there is something to know)}

Results are JSON numbers (lists for metrics with one value per threshold or class): float32 values written as
the exact doubles they are. In ``kwargs``, ``{"function": "name"}`` stands for the function
``keras.metrics.name`` (for ``MeanMetricWrapper``). The ``.npz`` file holds the inputs, ``NAME/y_true``,
``NAME/y_pred`` and ``NAME/sample_weight``, each the case's three batches concatenated along the first axis.
Mean and Sum have no ``y_true``: their values are ``y_pred``.

Inputs are chosen so that no prediction ties with another in a row where ``top_k`` or an argmax must choose
(Keras and kerasnb may break ties differently), except in the cases that are about ties on purpose. One case
puts predictions exactly on AUC's thresholds (0, 0.25, 0.5, 0.75, 1) to pin down which side of a threshold a
prediction falls on.
"""

import json
import sys
from pathlib import Path

import numpy as np

SEED = 20240612
HERE = Path(__file__).parent
OUT_NPZ = HERE / "metrics_reference.npz"
OUT_JSON = HERE / "metrics_reference.json"
BATCH_SIZES = (5, 3, 6)

rng = np.random.default_rng(SEED)


# ---------------------------------------------------------------------------------------------------------
# Inputs: each maker returns (y_true, y_pred) for a batch of n samples
# ---------------------------------------------------------------------------------------------------------


def f32(x):
    return np.asarray(x, dtype=np.float32)


def i32(x):
    return np.asarray(x, dtype=np.int32)


def probs(*shape):
    # Kept away from the exact thresholds 0.5 etc.: continuous values never land on them.
    return f32(rng.uniform(0.0, 1.0, size=shape))


def binary(n, rank=2):
    shape = (n, 1) if rank == 2 else (n,)
    return i32(rng.integers(0, 2, size=shape)), probs(*shape)


def binary_logits(n):
    return i32(rng.integers(0, 2, size=(n, 1))), f32(rng.normal(0, 2, size=(n, 1)))


def multilabel(n, labels=3):
    return i32(rng.integers(0, 2, size=(n, labels))), probs(n, labels)


def on_thresholds(n):
    """Predictions exactly on 0, 0.25, 0.5, 0.75 and 1: which side of a threshold do they fall on?"""
    return i32(rng.integers(0, 2, size=(n,))), f32(rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], size=n))


def one_hot(labels, classes):
    return i32(np.eye(classes)[labels])


def categorical(n, classes=4):
    labels = rng.integers(0, classes, size=n)
    p = rng.uniform(0.05, 1.0, size=(n, classes))
    return one_hot(labels, classes), f32(p / p.sum(-1, keepdims=True))


def categorical_logits(n, classes=4):
    labels = rng.integers(0, classes, size=n)
    return one_hot(labels, classes), f32(rng.normal(0, 2, size=(n, classes)))


def sparse(n, classes=4, column=False):
    y, p = categorical(n, classes)
    labels = y.argmax(-1).astype(np.int32)
    return (labels[:, None] if column else labels), p


def sparse_logits(n, classes=4):
    return i32(rng.integers(0, classes, size=n)), f32(rng.normal(0, 2, size=(n, classes)))


def sparse_with_ignored(n, classes=4):
    labels, p = sparse(n, classes)
    labels[rng.uniform(size=n) < 0.3] = -1
    labels[0] = -1  # every batch has an ignored sample
    return labels, p


def sorted_ids(n, classes=5):
    labels = i32(rng.integers(0, classes, size=n))
    return labels, i32(np.stack([rng.permutation(classes) for _ in range(n)]))


def class_ids(n, classes=3):
    labels = i32(rng.integers(0, classes, size=(n, 1)))
    predicted = np.where(rng.uniform(size=(n, 1)) < 0.6, labels, rng.integers(0, classes, size=(n, 1)))
    return labels, f32(predicted)


def regression(n, features=3):
    return f32(rng.normal(0, 1, size=(n, features))), f32(rng.normal(0, 1, size=(n, features)))


def regression_1d(n):
    return f32(rng.normal(0, 1, size=(n,))), f32(rng.normal(0, 1, size=(n, 1)))


def positive(n, features=3):
    return f32(rng.uniform(0.1, 3.0, size=(n, features))), f32(rng.uniform(0.1, 3.0, size=(n, features)))


def distributions(n, classes=4):
    t, p = rng.uniform(0.05, 1, size=(n, classes)), rng.uniform(0.05, 1, size=(n, classes))
    return f32(t / t.sum(-1, keepdims=True)), f32(p / p.sum(-1, keepdims=True))


def vectors(n):
    return f32(rng.normal(0, 1, size=(n, 2, 3))), f32(rng.normal(0, 1, size=(n, 2, 3)))


def signs(n, features=3):
    return i32(rng.choice([-1, 1], size=(n, features))), f32(rng.normal(0, 1.5, size=(n, features)))


def zero_one_scores(n, features=3):
    # Labels 0/1: the hinge losses turn them into -1/1 (when a whole batch is 0/1, which it is here).
    return i32(rng.integers(0, 2, size=(n, features))), f32(rng.normal(0, 1.5, size=(n, features)))


def segmentation(n, classes=3, out_of_range=False):
    """Per-pixel class ids, (n, 4) "pixels" per sample; predictions right about 60 % of the time."""
    y = rng.integers(0, classes, size=(n, 4))
    p = np.where(rng.uniform(size=(n, 4)) < 0.6, y, rng.integers(0, classes, size=(n, 4)))
    if out_of_range:
        p[rng.uniform(size=(n, 4)) < 0.15] = classes  # an id the metric does not know: left out
    return i32(y), i32(p)


def segmentation_one_hot(n, classes=3):
    labels = rng.integers(0, classes, size=n)
    return one_hot(labels, classes), probs(n, classes)


def binary_segmentation(n):
    return i32(rng.integers(0, 2, size=(n, 4))), probs(n, 4)


def values(n, width=None):
    shape = (n,) if width is None else (n, width)
    return None, f32(rng.normal(0, 2, size=shape))


def per_sample_weights(n, shape=None):
    return f32(rng.uniform(0.0, 2.0, size=(n,) if shape is None else shape))


def integer_weights(n, shape):
    return i32(rng.integers(0, 4, size=shape))


# ---------------------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------------------

CASES = []


def case(name, cls, data, weights="both", note=None, **kwargs):
    """Add a case (and, with ``weights='both'``, its ``_weighted`` twin with per-sample weights).

    ``data(n)`` makes one batch; ``weights`` is ``'none'``, ``'both'``, ``'only'`` or a function ``w(n, y_true,
    y_pred)`` giving the weights (then only the weighted case is made).
    """
    if weights in ("none", "both"):
        CASES.append({"name": name, "class": cls, "kwargs": kwargs, "data": data, "weights": None, "note": note})
    if weights in ("both", "only"):
        CASES.append({"name": f"{name}_weighted", "class": cls, "kwargs": kwargs, "data": data,
                      "weights": lambda n, t, p: per_sample_weights(n), "note": note})
    elif callable(weights):
        CASES.append({"name": name, "class": cls, "kwargs": kwargs, "data": data, "weights": weights, "note": note})


# Reductions: Mean and Sum take values only (y_true is None).
case("mean", "Mean", values)
case("mean_rows", "Mean", lambda n: values(n, 2))
case("mean_rows_elementwise_weights", "Mean", lambda n: values(n, 2),
     weights=lambda n, t, p: per_sample_weights(n, (n, 2)))
case("sum", "Sum", values)
case("sum_rows", "Sum", lambda n: values(n, 2))
case("mean_metric_wrapper", "MeanMetricWrapper", binary, fn={"function": "binary_accuracy"}, threshold=0.3)

# Accuracy family.
case("accuracy", "Accuracy", class_ids)
case("binary_accuracy", "BinaryAccuracy", binary)
case("binary_accuracy_rank1", "BinaryAccuracy", lambda n: binary(n, rank=1))
case("binary_accuracy_threshold", "BinaryAccuracy", multilabel, threshold=0.7)
case("categorical_accuracy", "CategoricalAccuracy", categorical)
case("sparse_categorical_accuracy", "SparseCategoricalAccuracy", sparse)
case("sparse_categorical_accuracy_column", "SparseCategoricalAccuracy", lambda n: sparse(n, column=True))
case("top_k_categorical_accuracy", "TopKCategoricalAccuracy", categorical, k=2)
case("top_k_categorical_accuracy_default_k", "TopKCategoricalAccuracy", lambda n: categorical(n, 7))
case("sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy", sparse, k=2)
case("sparse_top_k_categorical_accuracy_column", "SparseTopKCategoricalAccuracy", lambda n: sparse(n, column=True),
     k=3)
case("sparse_top_k_from_sorted_ids", "SparseTopKCategoricalAccuracy", sorted_ids, k=2, from_sorted_ids=True)

# Regression.
case("mean_squared_error", "MeanSquaredError", regression)
case("mean_squared_error_rank1", "MeanSquaredError", regression_1d)
case("mean_absolute_error", "MeanAbsoluteError", regression)
case("mean_absolute_percentage_error", "MeanAbsolutePercentageError", positive)
case("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", positive)
case("root_mean_squared_error", "RootMeanSquaredError", regression)
case("root_mean_squared_error_rank1", "RootMeanSquaredError", regression_1d)
case("log_cosh_error", "LogCoshError", regression)
case("cosine_similarity", "CosineSimilarity", regression)
case("cosine_similarity_axis1", "CosineSimilarity", vectors, axis=1)
case("r2_score", "R2Score", regression)
case("r2_score_variance_weighted", "R2Score", regression, class_aggregation="variance_weighted_average")
case("r2_score_per_output", "R2Score", regression, weights="none", class_aggregation=None)
case("r2_score_adjusted", "R2Score", lambda n: regression(n, 1), weights="none", num_regressors=2)

# Hinge.
case("hinge", "Hinge", signs)
case("hinge_zero_one_labels", "Hinge", zero_one_scores)
case("squared_hinge", "SquaredHinge", signs)
case("categorical_hinge", "CategoricalHinge", categorical_logits)

# Probabilistic.
case("kl_divergence", "KLDivergence", distributions)
case("poisson", "Poisson", positive)
case("binary_crossentropy", "BinaryCrossentropy", multilabel)
case("binary_crossentropy_logits_smoothing", "BinaryCrossentropy", binary_logits, from_logits=True,
     label_smoothing=0.1)
case("categorical_crossentropy", "CategoricalCrossentropy", categorical)
case("categorical_crossentropy_logits_smoothing", "CategoricalCrossentropy", categorical_logits, from_logits=True,
     label_smoothing=0.2)
case("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", sparse)
case("sparse_categorical_crossentropy_logits", "SparseCategoricalCrossentropy", sparse_logits, from_logits=True)
case("sparse_categorical_crossentropy_ignore_class", "SparseCategoricalCrossentropy", sparse_with_ignored,
     ignore_class=-1, note="the ignored samples count (with loss 0) unless sample_weight is given")

# The four counts.
for cls in ("TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"):
    snake = {"TruePositives": "true_positives", "FalsePositives": "false_positives",
             "TrueNegatives": "true_negatives", "FalseNegatives": "false_negatives"}[cls]
    case(snake, cls, binary)
    case(f"{snake}_thresholds", cls, multilabel, thresholds=[0.15, 0.5, 0.85])
    case(f"{snake}_even_thresholds", cls, on_thresholds, thresholds=[0.0, 0.25, 0.5, 0.75, 1.0])

# Precision and recall.
for cls in ("Precision", "Recall"):
    snake = cls.lower()
    case(snake, cls, binary)
    case(f"{snake}_rank1", cls, lambda n: binary(n, rank=1))
    case(f"{snake}_thresholds", cls, multilabel, thresholds=[0.3, 0.6])
    case(f"{snake}_even_thresholds", cls, on_thresholds, thresholds=[0.0, 0.5, 1.0])
    case(f"{snake}_top_k", cls, lambda n: multilabel(n, 5), top_k=2)
    case(f"{snake}_class_id", cls, multilabel, class_id=1)
    case(f"{snake}_top_k_class_id", cls, lambda n: multilabel(n, 5), top_k=2, class_id=3)
    case(f"{snake}_top_k_threshold", cls, lambda n: multilabel(n, 5), top_k=3, thresholds=0.4)

# AUC.
case("auc", "AUC", binary)
case("auc_pr", "AUC", binary, curve="PR")
case("auc_prgain", "AUC", multilabel, curve="PRGAIN")
case("auc_minoring", "AUC", binary, summation_method="minoring")
case("auc_majoring", "AUC", binary, summation_method="majoring")
case("auc_pr_majoring", "AUC", multilabel, curve="PR", summation_method="majoring")
case("auc_on_thresholds", "AUC", on_thresholds, num_thresholds=5)
case("auc_pr_on_thresholds", "AUC", on_thresholds, num_thresholds=5, curve="PR")
case("auc_explicit_thresholds", "AUC", multilabel, thresholds=[0.1, 0.35, 0.5, 0.9])
case("auc_explicit_even_thresholds", "AUC", on_thresholds, thresholds=[0.25, 0.5, 0.75])
case("auc_multi_label", "AUC", multilabel, multi_label=True)
case("auc_multi_label_pr", "AUC", multilabel, multi_label=True, curve="PR")
case("auc_multi_label_weights", "AUC", multilabel, multi_label=True, num_labels=3, label_weights=[0.2, 0.5, 1.0])
case("auc_multi_label_explicit_thresholds", "AUC", multilabel, multi_label=True, thresholds=[0.3, 0.7])
case("auc_label_weights", "AUC", multilabel, label_weights=[0.2, 0.5, 1.0])
case("auc_from_logits", "AUC", binary_logits, from_logits=True)
case("auc_few_thresholds", "AUC", binary, num_thresholds=7)

# A rate at a fixed value of another.
case("sensitivity_at_specificity", "SensitivityAtSpecificity", binary, specificity=0.6)
case("specificity_at_sensitivity", "SpecificityAtSensitivity", binary, sensitivity=0.6)
case("precision_at_recall", "PrecisionAtRecall", binary, recall=0.6)
case("recall_at_precision", "RecallAtPrecision", binary, precision=0.6)
case("recall_at_precision_class_id", "RecallAtPrecision", multilabel, precision=0.4, class_id=2, num_thresholds=50)
case("sensitivity_at_specificity_one_threshold", "SensitivityAtSpecificity", binary, specificity=0.3,
     num_thresholds=1)

# F-scores.
for average in (None, "micro", "macro", "weighted"):
    suffix = average or "none"
    case(f"f1_score_{suffix}", "F1Score", categorical, average=average)
    case(f"f1_score_{suffix}_threshold", "F1Score", multilabel, average=average, threshold=0.5)
    case(f"fbeta_score_{suffix}", "FBetaScore", multilabel, average=average, beta=2.0, threshold=0.4)
case("fbeta_score_beta_half", "FBetaScore", categorical, average="macro", beta=0.5)

# IoU.
# Segmentation weights are per pixel: the IoU metrics flatten labels, predictions and weights alike.
case("mean_iou", "MeanIoU", segmentation, weights=lambda n, t, p: integer_weights(n, t.shape), num_classes=3)
case("mean_iou_unweighted", "MeanIoU", segmentation, weights="none", num_classes=3)
case("mean_iou_out_of_range", "MeanIoU", lambda n: segmentation(n, out_of_range=True), weights="none",
     num_classes=3)
case("mean_iou_ignore_class", "MeanIoU", segmentation, weights="none", num_classes=3, ignore_class=1)
case("mean_iou_float", "MeanIoU", segmentation, weights=lambda n, t, p: per_sample_weights(n, t.shape), num_classes=3,
     dtype="float32")
case("iou", "IoU", segmentation, weights="none", num_classes=3, target_class_ids=[0, 2])
case("binary_iou", "BinaryIoU", binary_segmentation, weights="none", threshold=0.3)
case("binary_iou_foreground", "BinaryIoU", binary_segmentation, weights=lambda n, t, p: per_sample_weights(n, t.shape),
     target_class_ids=[1], dtype="float32")
case("one_hot_iou", "OneHotIoU", segmentation_one_hot, weights="none", num_classes=3, target_class_ids=[0, 2])
case("one_hot_mean_iou", "OneHotMeanIoU", segmentation_one_hot, weights="only", num_classes=3, dtype="float32")


# ---------------------------------------------------------------------------------------------------------
# Running the cases under Keras
# ---------------------------------------------------------------------------------------------------------


def to_json(value):
    """Configs hold NumPy scalars, tuples and (label_weights) tensors: make them plain JSON."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (np.generic,)):
        return value.item()
    if hasattr(value, "tolist"):  # np.ndarray, torch.Tensor
        return value.tolist() if not hasattr(value, "detach") else value.detach().cpu().numpy().tolist()
    return value


def resolve(kwargs, keras):
    return {k: getattr(keras.metrics, v["function"]) if isinstance(v, dict) and "function" in v else v
            for k, v in kwargs.items()}


def run(spec, keras, store):
    name = spec["name"]
    batches = []
    for n in BATCH_SIZES:
        y_true, y_pred = spec["data"](n)
        batches.append((y_true, y_pred, spec["weights"](n, y_true, y_pred) if spec["weights"] else None))
    # One array per part, the batches concatenated along the first axis (the test splits them again).
    for part, arrays in zip(("y_true", "y_pred", "sample_weight"), zip(*batches)):
        if arrays[0] is not None:
            store[f"{name}/{part}"] = np.concatenate(arrays)

    def update(metric, batch):
        y_true, y_pred, w = batch
        if y_true is None:  # Mean, Sum: update_state(values, sample_weight)
            metric.update_state(y_pred, sample_weight=w)
        elif w is None:
            metric.update_state(y_true, y_pred)
        else:
            metric.update_state(y_true, y_pred, sample_weight=w)

    def result(metric):
        value = np.asarray(keras.ops.convert_to_numpy(metric.result()))
        return value.tolist(), value.dtype.name

    keras.backend.clear_session()  # so that default names are not made unique (auc_1, auc_2, ...)
    metric = getattr(keras.metrics, spec["class"])(**resolve(spec["kwargs"], keras))
    default_name = metric.name
    results = []
    for batch in batches:
        update(metric, batch)
        value, dtype = result(metric)
        results.append(value)
    metric.reset_state()
    update(metric, batches[0])
    after_reset, _ = result(metric)
    assert after_reset == results[0], name
    entry = {"name": name, "class": spec["class"], "kwargs": spec["kwargs"],
             "parts": [part for part in ("y_true", "y_pred", "sample_weight") if f"{name}/{part}" in store],
             "results": results, "result_after_reset": after_reset, "result_dtype": dtype,
             "config": to_json(metric.get_config()), "default_name": default_name}
    if spec["note"]:
        entry["note"] = spec["note"]
    return entry


def main():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import torch

    if keras.backend.backend() != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the docstring).")
    store = {}
    entries = [run(spec, keras, store) for spec in CASES]
    assert len({e["name"] for e in entries}) == len(entries)
    meta = {"keras_version": keras.__version__, "torch_version": torch.__version__, "numpy_version": np.__version__,
            "backend": keras.backend.backend(), "seed": SEED, "batch_sizes": list(BATCH_SIZES)}
    np.savez_compressed(OUT_NPZ, **store)
    # One case per line: readable, and diffs show which cases changed.
    lines = ",\n".join(json.dumps(e) for e in entries)
    OUT_JSON.write_text(f'{{"meta": {json.dumps(meta)},\n"cases": [\n{lines}\n]}}\n')
    print(f"{len(entries)} cases, {len(store)} arrays -> {OUT_NPZ.name} ({OUT_NPZ.stat().st_size} bytes), "
          f"{OUT_JSON.name} ({OUT_JSON.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
