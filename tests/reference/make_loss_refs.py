"""Generate the Keras reference values that ``tests/test_losses.py`` compares kerasnb's losses with.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment, and writes ``tests/reference/losses_reference.npz``, which is committed. To regenerate it::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras torch
    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_loss_refs.py

It imports Keras and torch only inside ``main()``, so that pytest's ``--doctest-modules`` can import this file
in the kerasnb test environment (which has neither) without failing.

Every loss is recorded in both forms, on small seeded float32 inputs:

* **function** cases: ``keras.losses.<function>(y_true, y_pred, **kwargs)`` with its options (``from_logits``,
  ``label_smoothing``, ``delta``, ``alpha``/``gamma``, ``axis``, ...), giving per-sample losses;
* **class** cases: ``keras.losses.<Class>(**kwargs, reduction=r)(y_true, y_pred[, sample_weight])`` for each
  reduction in ``REDUCTIONS``, without and with ``sample_weight``.

``y_pred`` is a ``torch.tensor(..., requires_grad=True)``, so the Keras torch backend computes on autograd
tensors, and each case also records the gradient with respect to ``y_pred``: of the loss itself when the
result is a scalar, else of ``sum(loss * w)`` for fixed random weights ``w`` (stored with the case).

The ``.npz`` file holds the input sets once each, ``inputs/<set>/y_true``, ``inputs/<set>/y_pred`` and
``inputs/<set>/sample_weight``, and per case ``NAME``: ``NAME/loss``, ``NAME/dy_pred`` (unless the case has
no gradient) and ``NAME/w`` (for non-scalar results). ``__cases__`` is a JSON list of cases::

    {"name": ..., "form": "function" | "class", "loss": "<keras.losses name>", "kwargs": {...},
     "reduction": ... (class cases), "inputs": "<input set>", "sample_weight": true | false,
     "grad": true | false, "note": ... (when there is something to know)}

``__meta__`` a JSON object with the Keras, torch and NumPy versions, the backend and the seed, and ``__api__``
a JSON object describing the API itself (see ``api`` below): every function's and class's parameters and
defaults, each class's default name, and what ``keras.losses.get`` returns for each name and alias.

One deliberate exception, where Keras itself (every backend) departs from its documentation:
``categorical_crossentropy`` and ``categorical_focal_crossentropy`` with ``label_smoothing`` and a class
``axis`` other than the last smooth with ``label_smoothing / y_true.shape[-1]`` (the last axis' size) instead
of ``/ num_classes`` (the size of ``axis``). For those cases ``loss`` and ``dy_pred`` come from the documented
definition, still computed by Keras and torch autograd: the labels are smoothed with the class axis' size
first and passed with ``label_smoothing=0``. Keras's own values are kept as ``loss_keras`` and
``dy_pred_keras``, and the case's ``note`` says so.

Cases without a gradient: a zero vector in ``cosine_similarity`` (there Keras's torch backend differentiates
``rsqrt(0)`` and gives NaN; the value, 0, is still recorded).
"""

import io
import json
import sys
from pathlib import Path

import numpy as np

SEED = 20240611
OUT = Path(__file__).with_name("losses_reference.npz")
REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean_with_sample_weight")

rng = np.random.default_rng(SEED)


# ---------------------------------------------------------------------------------------------------------
# Input sets: (y_true, y_pred, sample_weight), float32 unless they are integer labels
# ---------------------------------------------------------------------------------------------------------


def f32(x):
    return np.asarray(x, dtype=np.float32)


def normal(*shape, scale=1.0):
    return f32(rng.standard_normal(shape) * scale)


def uniform(low, high, *shape):
    return f32(rng.uniform(low, high, size=shape))


def one_hot(labels, num_classes, axis=-1):
    return f32(np.moveaxis(np.eye(num_classes)[labels], -1, axis))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return f32(e / e.sum(axis=axis, keepdims=True))


INPUTS = {}


def inputs(name, y_true, y_pred, sample_weight=None):
    """Add an input set; ``sample_weight`` defaults to one random weight per sample (0 for one of them)."""
    y_true = np.asarray(y_true)
    y_true = y_true if y_true.dtype.kind in "iu" else f32(y_true)
    y_pred = f32(y_pred)
    if sample_weight is None:
        sample_weight = uniform(0.2, 2.0, y_pred.shape[0])
        sample_weight[1] = 0.0  # a zero weight, as for padding
    INPUTS[name] = {"y_true": y_true, "y_pred": y_pred, "sample_weight": f32(sample_weight)}


B, C = 4, 3  # batch size and number of classes (or features)
labels = np.array([0, 2, 1, 2])

# Regression: real targets and predictions, some negative (msle clips those to epsilon).
inputs("real", normal(B, C), normal(B, C, scale=1.5))
# Positive targets and predictions (mape divides by y_true, poisson takes log(y_pred)).
inputs("positive", uniform(0.5, 4.0, B, C), uniform(0.2, 4.0, B, C))
# Hinge labels in {-1, 1}; in {0, 1} (converted to {-1, 1}); in {-1, 0, 1} (not binary, so left as they are).
inputs("signs", rng.choice([-1.0, 1.0], (B, C)), normal(B, C))
inputs("zero_one", rng.choice([0.0, 1.0], (B, C)), normal(B, C))
inputs("three_values", [[-1, 0, 1], [1, 1, 0], [0, -1, -1], [1, 0, 1]], normal(B, C))
# Binary classification: probabilities; probabilities at and beyond the clipping bounds (0, 1, 1e-9, one
# sample confidently right everywhere, where the per-sample loss is of order epsilon); logits, some large.
binary = np.array([[0, 1, 1], [1, 0, 0], [0, 0, 1], [1, 1, 0]], np.float32)
inputs("binary_probs", binary, uniform(0.05, 0.95, B, C))
inputs("binary_edges", binary, [[0.0, 1.0, 0.3], [1.0, 0.0, 1e-9], [1e-9, 1e-7, 1.0 - 1e-7], [0.999, 0.7, 0.0]])
inputs("binary_logits", binary, [[-2.5, 0.4, 25.0], [1.3, -30.0, 0.7], [0.0, -1.1, 3.2], [4.0, -0.6, -18.0]])
# Categorical: one-hot labels with unnormalised probabilities (Keras divides by the sum), with a zero
# probability on a true class and elsewhere, and with logits; soft labels; integer labels.
inputs("one_hot_probs", one_hot(labels, C), uniform(0.05, 1.0, B, C))
inputs("one_hot_edges", one_hot(labels, C), [[0.0, 0.5, 0.5], [0.2, 0.8, 0.0], [0.1, 0.9, 0.0], [1.0, 0.0, 1e-9]])
inputs("one_hot_logits", one_hot(labels, C), normal(B, C, scale=2.0))
inputs("soft_probs", softmax(normal(B, C)), softmax(normal(B, C)))
inputs("sparse_probs", labels.astype(np.int32), uniform(0.05, 1.0, B, C))
inputs("sparse_logits", labels.astype(np.int32), normal(B, C, scale=2.0))
inputs("sparse_ignore", np.array([0, -1, 1, 2], np.int32), uniform(0.05, 1.0, B, C))
# KL divergence: distributions, one with a zero entry (clipped to epsilon).
kl_true = softmax(normal(B, C))
kl_true[2] = [0.0, 0.4, 0.6]
inputs("distributions", kl_true, softmax(normal(B, C)))
# The class axis in the middle: (batch, classes, steps); sample weights of the per-sample losses' shape.
labels_2d = np.array([[0, 2, 1, 1], [2, 0, 0, 1]])
inputs("classes_axis1", one_hot(labels_2d, C, axis=1), uniform(0.05, 1.0, 2, C, 4), uniform(0.2, 2.0, 2, 4))
inputs("classes_axis1_logits", one_hot(labels_2d, C, axis=1), normal(2, C, 4, scale=2.0), uniform(0.2, 2.0, 2, 4))
inputs("sparse_axis1", labels_2d.astype(np.int32), normal(2, C, 4, scale=2.0), uniform(0.2, 2.0, 2, 4))
inputs("real_3d", normal(2, C, 4), normal(2, C, 4), uniform(0.2, 2.0, 2, 4))
# The examples in Keras's docstrings.
inputs("doc_binary_logits", [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]], [0.8, 0.2])
inputs("doc_binary_probs", [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], [0.8, 0.2])
inputs("doc_categorical", [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7])
inputs("doc_cosine", [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
# A zero vector: cosine similarity 0.
inputs("zero_vector", [[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], [1.0, 1.0])


# ---------------------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------------------

CASES = []


def function(name, loss, inputs, grad=True, **kwargs):
    assert all(c["name"] != name for c in CASES), name
    CASES.append({"name": name, "form": "function", "loss": loss, "kwargs": kwargs, "inputs": inputs,
                  "sample_weight": False, "grad": grad})


def klass(name, loss, inputs, **kwargs):
    """One case per reduction, without and with sample weights."""
    for reduction in REDUCTIONS:
        for weighted in (False, True):
            case_name = f"{name}/{reduction}" + ("/weighted" if weighted else "")
            assert all(c["name"] != case_name for c in CASES), case_name
            CASES.append({"name": case_name, "form": "class", "loss": loss, "kwargs": kwargs,
                          "reduction": reduction, "inputs": inputs, "sample_weight": weighted, "grad": True})


# Regression.
for fn in ["mean_squared_error", "mean_absolute_error", "log_cosh"]:
    function(fn, fn, "real")
    function(f"{fn}_3d", fn, "real_3d")
function("mean_absolute_percentage_error", "mean_absolute_percentage_error", "positive")
function("mean_absolute_percentage_error_signed", "mean_absolute_percentage_error", "real")
function("mean_squared_logarithmic_error", "mean_squared_logarithmic_error", "positive")
function("mean_squared_logarithmic_error_clipped", "mean_squared_logarithmic_error", "real")
function("huber", "huber", "real")
function("huber_delta_0.5", "huber", "real", delta=0.5)
function("huber_delta_2", "huber", "real", delta=2.0)
function("cosine_similarity", "cosine_similarity", "real")
function("cosine_similarity_axis0", "cosine_similarity", "real", axis=0)
function("cosine_similarity_axis1_3d", "cosine_similarity", "real_3d", axis=1)
function("cosine_similarity_doc", "cosine_similarity", "doc_cosine")
function("cosine_similarity_zero_vector", "cosine_similarity", "zero_vector", grad=False)
# Hinge.
for fn in ["hinge", "squared_hinge"]:
    for inp in ["signs", "zero_one", "three_values"]:
        function(f"{fn}_{inp}", fn, inp)
function("categorical_hinge", "categorical_hinge", "one_hot_probs")
function("categorical_hinge_logits", "categorical_hinge", "one_hot_logits")
# Probabilistic.
function("kl_divergence", "kl_divergence", "distributions")
function("kl_divergence_soft", "kl_divergence", "soft_probs")
function("poisson", "poisson", "positive")
function("binary_crossentropy", "binary_crossentropy", "binary_probs")
function("binary_crossentropy_edges", "binary_crossentropy", "binary_edges")
function("binary_crossentropy_smoothing", "binary_crossentropy", "binary_probs", label_smoothing=0.2)
function("binary_crossentropy_logits", "binary_crossentropy", "binary_logits", from_logits=True)
function("binary_crossentropy_logits_smoothing", "binary_crossentropy", "binary_logits", from_logits=True,
         label_smoothing=0.1)
function("binary_crossentropy_axis0", "binary_crossentropy", "binary_probs", axis=0)
function("binary_crossentropy_doc", "binary_crossentropy", "doc_binary_probs")
function("binary_focal_crossentropy", "binary_focal_crossentropy", "binary_probs")
function("binary_focal_crossentropy_edges", "binary_focal_crossentropy", "binary_edges")
function("binary_focal_crossentropy_edges_gamma0", "binary_focal_crossentropy", "binary_edges", gamma=0.0)
function("binary_focal_crossentropy_gamma3", "binary_focal_crossentropy", "binary_probs", gamma=3.0)
function("binary_focal_crossentropy_balanced", "binary_focal_crossentropy", "binary_probs",
         apply_class_balancing=True, alpha=0.4)
function("binary_focal_crossentropy_logits", "binary_focal_crossentropy", "binary_logits", from_logits=True)
function("binary_focal_crossentropy_all_options", "binary_focal_crossentropy", "binary_logits",
         apply_class_balancing=True, alpha=0.3, gamma=1.5, from_logits=True, label_smoothing=0.1)
function("binary_focal_crossentropy_axis0", "binary_focal_crossentropy", "binary_probs", axis=0)
function("categorical_crossentropy", "categorical_crossentropy", "one_hot_probs")
function("categorical_crossentropy_edges", "categorical_crossentropy", "one_hot_edges")
function("categorical_crossentropy_soft", "categorical_crossentropy", "soft_probs")
function("categorical_crossentropy_smoothing", "categorical_crossentropy", "one_hot_probs", label_smoothing=0.1)
function("categorical_crossentropy_logits", "categorical_crossentropy", "one_hot_logits", from_logits=True)
function("categorical_crossentropy_logits_smoothing", "categorical_crossentropy", "one_hot_logits",
         from_logits=True, label_smoothing=0.2)
function("categorical_crossentropy_axis1", "categorical_crossentropy", "classes_axis1", axis=1)
function("categorical_crossentropy_axis1_logits_smoothing", "categorical_crossentropy", "classes_axis1_logits",
         axis=1, from_logits=True, label_smoothing=0.2)
function("categorical_crossentropy_doc", "categorical_crossentropy", "doc_categorical")
function("categorical_focal_crossentropy", "categorical_focal_crossentropy", "one_hot_probs")
function("categorical_focal_crossentropy_edges", "categorical_focal_crossentropy", "one_hot_edges")
function("categorical_focal_crossentropy_options", "categorical_focal_crossentropy", "one_hot_probs",
         alpha=0.5, gamma=3.0, label_smoothing=0.1)
function("categorical_focal_crossentropy_alpha_list", "categorical_focal_crossentropy", "one_hot_probs",
         alpha=[0.2, 0.5, 0.3])
function("categorical_focal_crossentropy_logits", "categorical_focal_crossentropy", "one_hot_logits",
         from_logits=True, gamma=1.5)
function("categorical_focal_crossentropy_axis1", "categorical_focal_crossentropy", "classes_axis1", axis=1)
function("categorical_focal_crossentropy_axis1_smoothing", "categorical_focal_crossentropy", "classes_axis1",
         axis=1, label_smoothing=0.1)
function("categorical_focal_crossentropy_doc", "categorical_focal_crossentropy", "doc_categorical")
function("sparse_categorical_crossentropy", "sparse_categorical_crossentropy", "sparse_probs")
function("sparse_categorical_crossentropy_logits", "sparse_categorical_crossentropy", "sparse_logits",
         from_logits=True)
function("sparse_categorical_crossentropy_ignore", "sparse_categorical_crossentropy", "sparse_ignore",
         ignore_class=-1)
function("sparse_categorical_crossentropy_axis1", "sparse_categorical_crossentropy", "sparse_axis1",
         from_logits=True, axis=1)

# Classes: every reduction, with and without sample weights.
klass("MeanSquaredError", "MeanSquaredError", "real")
klass("MeanAbsoluteError", "MeanAbsoluteError", "real")
klass("MeanAbsolutePercentageError", "MeanAbsolutePercentageError", "positive")
klass("MeanSquaredLogarithmicError", "MeanSquaredLogarithmicError", "real")
klass("Huber", "Huber", "real")
klass("Huber_delta_0.5", "Huber", "real", delta=0.5)
klass("LogCosh", "LogCosh", "real")
klass("CosineSimilarity", "CosineSimilarity", "real")
klass("CosineSimilarity_axis1_3d", "CosineSimilarity", "real_3d", axis=1)
klass("CosineSimilarity_doc", "CosineSimilarity", "doc_cosine")
klass("Hinge", "Hinge", "zero_one")
klass("SquaredHinge", "SquaredHinge", "signs")
klass("CategoricalHinge", "CategoricalHinge", "one_hot_logits")
klass("KLDivergence", "KLDivergence", "distributions")
klass("Poisson", "Poisson", "positive")
klass("BinaryCrossentropy", "BinaryCrossentropy", "binary_probs")
klass("BinaryCrossentropy_logits_smoothing", "BinaryCrossentropy", "binary_logits", from_logits=True,
      label_smoothing=0.1)
klass("BinaryCrossentropy_doc", "BinaryCrossentropy", "doc_binary_logits", from_logits=True)
klass("BinaryFocalCrossentropy", "BinaryFocalCrossentropy", "binary_probs")
klass("BinaryFocalCrossentropy_options", "BinaryFocalCrossentropy", "binary_logits", apply_class_balancing=True,
      alpha=0.3, gamma=3.0, from_logits=True, label_smoothing=0.1)
klass("BinaryFocalCrossentropy_doc", "BinaryFocalCrossentropy", "doc_binary_logits", gamma=3.0, from_logits=True)
klass("CategoricalCrossentropy", "CategoricalCrossentropy", "one_hot_probs")
klass("CategoricalCrossentropy_logits_smoothing", "CategoricalCrossentropy", "one_hot_logits", from_logits=True,
      label_smoothing=0.1)
klass("CategoricalCrossentropy_axis1", "CategoricalCrossentropy", "classes_axis1", axis=1)
klass("CategoricalCrossentropy_doc", "CategoricalCrossentropy", "doc_categorical")
klass("CategoricalFocalCrossentropy", "CategoricalFocalCrossentropy", "one_hot_probs")
klass("CategoricalFocalCrossentropy_options", "CategoricalFocalCrossentropy", "one_hot_logits", alpha=0.4,
      gamma=1.5, from_logits=True, label_smoothing=0.1)
klass("CategoricalFocalCrossentropy_doc", "CategoricalFocalCrossentropy", "doc_categorical")
klass("SparseCategoricalCrossentropy", "SparseCategoricalCrossentropy", "sparse_probs")
klass("SparseCategoricalCrossentropy_logits", "SparseCategoricalCrossentropy", "sparse_logits", from_logits=True)
klass("SparseCategoricalCrossentropy_ignore", "SparseCategoricalCrossentropy", "sparse_ignore", ignore_class=-1)
klass("SparseCategoricalCrossentropy_axis1", "SparseCategoricalCrossentropy", "sparse_axis1", from_logits=True,
      axis=1)


# ---------------------------------------------------------------------------------------------------------
# Running the cases under Keras
# ---------------------------------------------------------------------------------------------------------


def smoothing_on_the_wrong_axis(spec):
    """Does Keras smooth this case's labels with the last axis' size instead of the class axis' size?"""
    kw = spec["kwargs"]
    y_true = INPUTS[spec["inputs"]]["y_true"]
    axis = kw.get("axis", -1) % y_true.ndim
    return (spec["loss"] in ("categorical_crossentropy", "categorical_focal_crossentropy")
            and kw.get("label_smoothing") and axis != y_true.ndim - 1 and y_true.shape[axis] != y_true.shape[-1])


def documented_definition(spec, keras):
    """The case's loss function as documented: labels smoothed with ``label_smoothing / num_classes``."""
    kw = dict(spec["kwargs"])
    smoothing, axis = kw.pop("label_smoothing"), kw.get("axis", -1)
    fn = getattr(keras.losses, spec["loss"])

    def define(y_true, y_pred):
        num_classes = y_true.shape[axis]
        return fn(y_true * (1.0 - smoothing) + smoothing / num_classes, y_pred, **kw)

    return define


def call(spec, keras, torch, define=None, w=None):
    """Run a case on torch tensors; return the loss, the weights ``w`` (made here unless given; None for a
    scalar loss) and the gradient with respect to ``y_pred``."""
    data = INPUTS[spec["inputs"]]
    y_true = torch.tensor(data["y_true"])
    y_pred = torch.tensor(data["y_pred"], requires_grad=True)
    if spec["form"] == "function":
        fn = define or getattr(keras.losses, spec["loss"])
        out = fn(y_true, y_pred) if define else fn(y_true, y_pred, **spec["kwargs"])
    else:
        loss = getattr(keras.losses, spec["loss"])(**spec["kwargs"], reduction=spec["reduction"])
        sample_weight = torch.tensor(data["sample_weight"]) if spec["sample_weight"] else None
        out = loss(y_true, y_pred, sample_weight=sample_weight)
    loss_np = keras.ops.convert_to_numpy(out)
    if w is None and loss_np.ndim:
        w = normal(*loss_np.shape)
    grad = None
    if spec["grad"]:
        target = out if w is None else (out * torch.tensor(w)).sum()
        (grad,) = torch.autograd.grad(target, [y_pred])
        grad = grad.numpy()
        assert np.isfinite(grad).all(), f"{spec['name']}: non-finite gradient"
    assert np.isfinite(loss_np).all(), f"{spec['name']}: non-finite loss"
    return loss_np, w, grad


def run(spec, keras, torch):
    arrays = {}
    loss, w, grad = call(spec, keras, torch)
    if smoothing_on_the_wrong_axis(spec):
        assert spec["form"] == "function", "the documented definition is written for function cases only"
        spec["note"] = ("reference from the documented definition (label_smoothing / num_classes, the size of "
                        "`axis`); Keras divides by y_true.shape[-1] (kept as loss_keras, dy_pred_keras)")
        arrays["loss_keras"], arrays["dy_pred_keras"] = loss, grad
        loss, w, grad = call(spec, keras, torch, define=documented_definition(spec, keras), w=w)
    arrays["loss"] = loss
    if w is not None:
        arrays["w"] = w
    if grad is not None:
        arrays["dy_pred"] = grad
    return arrays


def api(keras):
    """Keras's loss API itself: each function's and class's parameters with their defaults (in order), each
    class's default name, what ``keras.losses.get`` makes of every name and alias it knows, and the legacy
    aliases (``logcosh``, ``kullback_leibler_divergence``, ...) that Keras keeps in its tf.keras namespace."""
    import importlib
    import inspect

    from keras.src.losses import ALL_OBJECTS_DICT  # the table keras.losses.get looks names up in

    def parameters(obj):
        return [[p.name, None if p.default is inspect.Parameter.empty else p.default]
                for p in inspect.signature(obj).parameters.values() if p.name != "self"]

    functions = sorted({c["loss"] for c in CASES if c["form"] == "function"})
    classes = sorted({c["loss"] for c in CASES if c["form"] == "class"})
    known = set(functions) | set(classes)
    get = {}
    for name in sorted(ALL_OBJECTS_DICT):
        if name in ("Loss", "LossFunctionWrapper"):  # base classes: get() cannot make one without arguments
            continue
        obj = keras.losses.get(name)
        resolved = getattr(obj, "__name__", None) or type(obj).__name__
        if resolved in known:  # leave out the losses this fixture does not cover (dice, ctc, circle, ...)
            get[name] = resolved
    legacy_module = importlib.import_module("keras._tf_keras.keras.losses")
    legacy = {}
    for name in dir(legacy_module):
        obj = getattr(legacy_module, name)
        if callable(obj) and getattr(obj, "__name__", name) != name and obj.__name__ in functions:
            legacy[name] = obj.__name__
    return {
        "functions": {name: parameters(getattr(keras.losses, name)) for name in functions},
        "classes": {name: {"parameters": parameters(getattr(keras.losses, name).__init__),
                           "name": getattr(keras.losses, name)().name} for name in classes},
        "get": get,
        "legacy_aliases": legacy,
    }


def main():
    import keras
    import torch

    if keras.backend.backend() != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the docstring at the top of this file).")
    torch.manual_seed(0)
    store = {}
    for set_name, data in INPUTS.items():
        for key, value in data.items():
            store[f"inputs/{set_name}/{key}"] = value
    for spec in CASES:
        for key, value in run(spec, keras, torch).items():
            store[f"{spec['name']}/{key}"] = value
    meta = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "seed": SEED,
        "generator": "tests/reference/make_loss_refs.py",
    }
    store["__cases__"] = np.array(json.dumps(CASES))
    store["__meta__"] = np.array(json.dumps(meta))
    store["__api__"] = np.array(json.dumps(api(keras)))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **store)
    OUT.write_bytes(buffer.getvalue())
    print(f"wrote {len(CASES)} cases, {len(store)} arrays, {OUT.stat().st_size / 1024:.1f} KiB to {OUT}")


if __name__ == "__main__":
    main()
