"""Metrics: numbers to watch during training, accumulated over batches (``keras.metrics``).

A metric is an object with state. ``update_state(y_true, y_pred, sample_weight=None)`` adds one batch,
``result()`` gives the value over everything seen since the last ``reset_state()``, and calling the metric does
both. ``fit`` and ``evaluate`` reset their metrics at the start of each epoch, so the numbers they print are
epoch values so far.

The state lives in non-trainable :class:`~kerasnb.Variable`\\ s made with :meth:`Metric.add_variable`. There are
two kinds of state, and so two kinds of metric:

* a **running mean** of a per-sample value (:class:`Mean`, :class:`MeanMetricWrapper`): ``total`` sums the
  per-sample values and ``count`` the samples (or their weights). The accuracies and every loss used as a metric
  are of this kind.
* **running counts** from which the value is computed at the end: true/false positives/negatives for
  :class:`Precision`, :class:`Recall`, :class:`AUC`, the F-scores; a confusion matrix for :class:`MeanIoU`.
  Precision over an epoch is ``all true positives / all predicted positives``, not the mean of per-batch
  precisions.

Either way every sample counts once however the data is split into batches: the same numbers Keras reports.

The modules, as in Keras: ``base`` (:class:`Metric`), ``reduction_metrics`` (Sum, Mean, MeanMetricWrapper),
``accuracy_metrics``, ``regression_metrics``, ``probabilistic_metrics``, ``hinge_metrics``,
``confusion_metrics`` (counts, precision, recall, AUC, ...), ``f_score_metrics``, ``iou_metrics``, and
``metrics_utils`` (the counting shared by the confusion and IoU metrics). Everything is available here.

Example:
    >>> m = keras.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]])   # 1 of 2 right
    >>> m.update_state([0, 0], [[0.9, 0.1, 0.0], [0.8, 0.1, 0.1]])     # 2 of 2 right
    >>> float(m.result())
    0.75
"""

from kerasnb import _lookup
from kerasnb.losses import (
    _deserialize,
    _serialize,
    _to_snake_case,
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from kerasnb.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from kerasnb.metrics.base import Metric
from kerasnb.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from kerasnb.metrics.f_score_metrics import F1Score, FBetaScore
from kerasnb.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from kerasnb.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from kerasnb.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from kerasnb.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from kerasnb.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
    cosine_similarity,
)

__all__ = [
    # base and reductions
    "Metric", "Mean", "Sum", "MeanMetricWrapper",
    # accuracy
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    # regression
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
    "RootMeanSquaredError", "LogCoshError", "CosineSimilarity", "R2Score",
    # hinge and probabilistic
    "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    # confusion-matrix based
    "TruePositives", "TrueNegatives", "FalsePositives", "FalseNegatives", "Precision", "Recall", "AUC",
    "SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall", "RecallAtPrecision",
    # F-scores and IoU
    "FBetaScore", "F1Score", "IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU",
    # functions
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mean_squared_error", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "log_cosh", "cosine_similarity", "hinge",
    "squared_hinge", "categorical_hinge", "kl_divergence", "poisson", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy",
    # lookup
    "get", "serialize", "deserialize",
]

_MODULE = "keras.metrics"

# ---------------------------------------------------------------------------------------------------------
# Looking metrics up by name; serialization
# ---------------------------------------------------------------------------------------------------------

_CLASSES = {c.__name__: c for c in (
    Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, RootMeanSquaredError, LogCoshError, CosineSimilarity, R2Score, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, TruePositives, TrueNegatives, FalsePositives, FalseNegatives, Precision, Recall,
    AUC, SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision, FBetaScore,
    F1Score, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)}
# As in Keras, a string names a metric *class* (its name or its snake_case name, which for most is also the
# name of the matching function), plus a few short aliases; get() returns an instance.
_BY_NAME = {**_CLASSES, **{_to_snake_case(name): cls for name, cls in _CLASSES.items()},
            "mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
            "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
            "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
            "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy}
_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, log_cosh, cosine_similarity, hinge, squared_hinge, categorical_hinge,
    kl_divergence, poisson, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
)}


def get(identifier):
    """Return the metric an identifier names.

    * ``None`` -> ``None``; a :class:`Metric` instance or any callable -> itself; a Metric class -> an instance;
    * a name -> an instance of the metric class: ``'accuracy'``, ``'binary_accuracy'``,
      ``'categorical_accuracy'``, ``'mse'``/``'mean_squared_error'``, ``'mae'``, ``'mape'``, ``'msle'``,
      ``'auc'``, ``'precision'``, ``'recall'``, ``'f1_score'``, ``'categorical_crossentropy'``, class names, ...;
    * a config dict ``{'class_name': ..., 'config': ...}`` -> :func:`deserialize` of it.

    ``compile(metrics=["accuracy"])`` does not come here for ``'accuracy'``/``'acc'``: the model picks the
    accuracy that fits its loss and shapes first. Names are matched exactly, then ignoring case and underscores;
    an unknown name raises ``ValueError`` with the closest match. A metric that needs an argument
    (``MeanIoU(num_classes)``, ``PrecisionAtRecall(recall)``, ...) cannot be named by a string: pass an instance.

    Example:
        >>> keras.metrics.get("mse")
        <MeanSquaredError name=mean_squared_error>
        >>> keras.metrics.get("AUC")
        <AUC name=auc>
        >>> keras.metrics.get("categorical_acuracy")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret metric identifier: 'categorical_acuracy'. Did you mean 'categorical_accuracy'?
    """  # noqa: E501
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _lookup.find(identifier, _BY_NAME)
        if cls is None and identifier.lower() == "acc":
            # Keras 2's short name; the closest name by spelling would be 'auc', which is not what was meant.
            raise ValueError("Could not interpret metric identifier: 'acc'. Did you mean 'accuracy'?")
        if cls is None:
            raise _lookup.unknown_identifier("metric", identifier, _BY_NAME)
        return _instantiate(cls, identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return _instantiate(identifier, identifier.__name__)
    if callable(identifier):
        return identifier
    raise _lookup.unknown_identifier("metric", identifier, _BY_NAME)


def _instantiate(cls, identifier):
    """``cls()``, or an error that says which argument the metric needs when it has no default."""
    try:
        return cls()
    except TypeError as e:
        raise ValueError(
            f"The metric {identifier!r} ({cls.__name__}) needs arguments, so it cannot be made from a name alone "
            f"({e}). Pass an instance instead, e.g. metrics=[keras.metrics.{cls.__name__}(...)]."
        ) from None


def serialize(metric):
    """A JSON-friendly description of a metric (object or function), in the layout Keras writes.

    Example:
        >>> keras.metrics.serialize(keras.metrics.BinaryAccuracy(threshold=0.7))["config"]
        {'name': 'binary_accuracy', 'dtype': 'float32', 'threshold': 0.7}
    """
    return _serialize(metric, _MODULE, {**_CLASSES, "MeanMetricWrapper": MeanMetricWrapper}, _FUNCTIONS)


def deserialize(config, custom_objects=None):
    """Rebuild a metric from :func:`serialize`'s output (or a name); ``custom_objects`` maps names to your own
    metric classes and functions.

    Example:
        >>> keras.metrics.deserialize({"class_name": "TopKCategoricalAccuracy", "config": {"k": 3}}).k
        3
    """
    return _deserialize(config, custom_objects, "metric", _FUNCTIONS,
                        {**_BY_NAME, "Metric": Metric, "MeanMetricWrapper": MeanMetricWrapper})
