"""Generate the Keras reference values for the vocabulary modules: activations, regularizers, constraints and
initializers. ``tests/test_activations.py``, ``test_regularizers.py``, ``test_constraints.py`` and
``test_initializers.py`` compare kerasnb with what this script records.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment, and writes ``tests/reference/vocab_reference.npz`` (the arrays) and ``vocab_reference.json`` (the
cases, configs, names and statistics), both committed. To regenerate them::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras torch
    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_vocab_refs.py

(Keras and torch are imported inside ``main``, so pytest's doctest collection can import this file in the
kerasnb test environment, which has neither.)

What is recorded, per kind of case (``"kind"`` in the JSON):

* ``activation``: ``keras.activations.<function>(x, **kwargs)`` on float32 inputs given as
  ``torch.tensor(..., requires_grad=True)``; arrays ``NAME/x``, ``NAME/y``, ``NAME/w`` (fixed random weights)
  and ``NAME/dx``, the gradient of ``sum(y * w)`` from torch autograd. Inputs are either ``small`` (moderate
  values kept at least 0.05 away from every kink any case has: 0, ±1, ±3, 4, 5, 6) or ``large`` (magnitudes
  from 5.5 to 1000, where naive formulas overflow or lose all precision).
* ``regularizer``: ``keras.regularizers.<class>(**kwargs)(x)``: arrays ``NAME/x``, ``NAME/y`` (the scalar
  penalty) and ``NAME/dx`` (its gradient), plus Keras's ``get_config()``.
* ``constraint``: ``keras.constraints.<class>(**kwargs)(x)``: arrays ``NAME/x`` and ``NAME/y``, plus
  ``get_config()``. JSON lists in kwargs (an ``axis``) are passed to Keras as lists.
* ``initializer``: ``keras.initializers.<class>(**kwargs)(shape, dtype)``. Where the values are deterministic
  (Zeros, Ones, Constant, Identity) the array itself is ``NAME/y``. For Orthogonal the values are random but
  their Gram matrix is not: ``NAME/gram`` is ``flat.T @ flat`` (or ``flat @ flat.T`` when there are fewer rows
  than columns), ``flat`` the values reshaped to ``(prod(shape[:-1]), shape[-1])``. For every random
  initializer the JSON holds ``stats``: ``n``, ``mean``, ``std``, ``min``, ``max`` (computed in float64 from
  the float32 values) and, for truncated normals, ``beyond_2_stddev`` (the count of values farther than two
  of the drawn standard deviations from the mean — see below). Keras's and kerasnb's random streams differ,
  so the tests compare statistics, with tolerances derived from ``n``.
* ``names``: for each identifier string, the class (or function) name Keras's ``get()`` returns and its
  config, or the error Keras raises.

Keras 3.15.1's torch backend draws a truncated normal by taking 4 normal samples per value and keeping the
first inside (-2, 2); when all 4 fall outside (probability 0.0455**4 ≈ 4.3e-6) it keeps the first anyway, so
a large sample can hold a few values beyond two standard deviations. The TensorFlow and JAX backends (and
kerasnb) redraw until inside. ``beyond_2_stddev`` records how many such values this run produced.

``vocab_reference.json``: ``{"meta": {...}, "cases": [...], "names": {...}}``.
"""

import io
import json
import sys
from pathlib import Path

import numpy as np

SEED = 20240611
HERE = Path(__file__).parent
OUT_NPZ = HERE / "vocab_reference.npz"
OUT_JSON = HERE / "vocab_reference.json"

# Every kink of every activation case below; "small" inputs stay at least KINK_GAP away from all of them.
KINKS = (0.0, 1.0, -1.0, 3.0, -3.0, 4.0, 5.0, 6.0)
KINK_GAP = 0.05

rng = np.random.default_rng(SEED)


def small_input(shape, low=-7.0, high=9.0):
    """Uniform values in [low, high), redrawn while within KINK_GAP of a kink."""
    x = rng.uniform(low, high, size=shape)
    while True:
        near = np.zeros(shape, bool)
        for k in KINKS:
            near |= np.abs(x - k) < KINK_GAP
        if not near.any():
            return x.astype(np.float32)
        x[near] = rng.uniform(low, high, size=int(near.sum()))


# Rows of negative, positive and mixed large values: exp overflows float32 past ~88.7, sigmoid(-100) is a
# denormal, 1 + erf(-10 / sqrt 2) rounds to 0 in float32, softmax of [1000, -1000, 999.5, ...] needs the max
# subtracted.
LARGE = np.array(
    [
        [-1000.0, -100.0, -50.0, -20.0, -10.0, -5.5],
        [5.5, 10.0, 20.0, 50.0, 100.0, 1000.0],
        [1000.0, -1000.0, 999.5, 0.5, -88.5, 88.5],
    ],
    np.float32,
)

SMALL = small_input((4, 8))

CASES = []


def case(kind, name, **spec):
    assert all(c["name"] != name for c in CASES), name
    CASES.append({"kind": kind, "name": name, **spec})


# -- activations -----------------------------------------------------------------------------------------------

ACTIVATIONS = [
    ("relu", {}),
    ("relu", {"negative_slope": 0.1}),
    ("relu", {"max_value": 5.0}),
    ("relu", {"max_value": 6.0}),
    ("relu", {"threshold": 1.0}),
    ("relu", {"threshold": -1.0}),
    ("relu", {"negative_slope": 0.1, "max_value": 6.0, "threshold": 1.0}),
    ("relu", {"negative_slope": 0.2, "threshold": -1.0}),
    ("relu", {"negative_slope": 0.3, "max_value": 4.0}),
    ("relu6", {}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.01}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("selu", {}),
    ("gelu", {}),
    ("gelu", {"approximate": True}),
    ("silu", {}),
    ("swish", {}),
    ("softmax", {}),
    ("softmax", {"axis": 0}),
    ("log_softmax", {}),
    ("log_softmax", {"axis": 0}),
    ("softplus", {}),
    ("softsign", {}),
    ("tanh", {}),
    ("sigmoid", {}),
    ("hard_sigmoid", {}),
    ("hard_silu", {}),
    ("hard_swish", {}),
    ("exponential", {}),
    ("linear", {}),
    ("mish", {}),
]


def activation_name(function, kwargs, which):
    suffix = "".join(f"_{k}={v}" for k, v in kwargs.items())
    return f"activation/{function}{suffix}/{which}"


for function, kwargs in ACTIVATIONS:
    for which, x in (("small", SMALL), ("large", LARGE)):
        case("activation", activation_name(function, kwargs, which), function=function, kwargs=kwargs,
             input=which, arrays={"x": x})  # fmt: skip

# -- regularizers ----------------------------------------------------------------------------------------------

W_DENSE = rng.standard_normal((5, 4)).astype(np.float32)
W_WIDE = rng.standard_normal((3, 6)).astype(np.float32)

REGULARIZERS = [
    ("L1", {}, W_DENSE),
    ("L1", {"l1": 0.3}, W_DENSE),
    ("L2", {}, W_DENSE),
    ("L2", {"l2": 0.25}, W_DENSE),
    ("L1L2", {}, W_DENSE),
    ("L1L2", {"l1": 0.1, "l2": 0.2}, W_DENSE),
    ("OrthogonalRegularizer", {}, W_DENSE),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}, W_DENSE),
    ("OrthogonalRegularizer", {"factor": 0.2, "mode": "rows"}, W_WIDE),
    ("OrthogonalRegularizer", {"factor": 0.3, "mode": "columns"}, W_WIDE),
]
for i, (cls, kwargs, x) in enumerate(REGULARIZERS):
    case("regularizer", f"regularizer/{i}_{cls}", class_name=cls, kwargs=kwargs, arrays={"x": x})

# -- constraints -----------------------------------------------------------------------------------------------

C_DENSE = (rng.standard_normal((6, 4)) * 0.8).astype(np.float32)
C_ZERO_COLUMN = C_DENSE.copy()
C_ZERO_COLUMN[:, 2] = 0.0
C_CONV = (rng.standard_normal((3, 3, 2, 4)) * 0.3).astype(np.float32)

CONSTRAINTS = [
    ("MaxNorm", {}, C_DENSE),
    ("MaxNorm", {"max_value": 1.0, "axis": 1}, C_DENSE),
    ("MaxNorm", {"max_value": 0.5, "axis": [0, 1, 2]}, C_CONV),
    ("MaxNorm", {"max_value": 1.0}, C_ZERO_COLUMN),
    ("MinMaxNorm", {}, C_DENSE),
    ("MinMaxNorm", {"min_value": 1.5, "max_value": 2.0, "rate": 0.7, "axis": 0}, C_DENSE),
    ("MinMaxNorm", {"min_value": 1.0, "max_value": 1.2, "axis": [0, 1, 2]}, C_CONV),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.0}, C_ZERO_COLUMN),
    ("NonNeg", {}, C_DENSE),
    ("NonNeg", {}, C_CONV),
    ("UnitNorm", {}, C_DENSE),
    ("UnitNorm", {"axis": 1}, C_DENSE),
    ("UnitNorm", {"axis": [0, 1, 2]}, C_CONV),
    ("UnitNorm", {}, C_ZERO_COLUMN),
]
for i, (cls, kwargs, x) in enumerate(CONSTRAINTS):
    case("constraint", f"constraint/{i}_{cls}", class_name=cls, kwargs=kwargs, arrays={"x": x})

# -- initializers ----------------------------------------------------------------------------------------------

DENSE, CONV1D, CONV2D = [500, 400], [5, 32, 64], [3, 3, 64, 128]
RANDOM_SHAPES = (DENSE, CONV1D, CONV2D)

DETERMINISTIC = [
    ("Zeros", {}, [2, 3], "float32"),
    ("Zeros", {}, [3], "int32"),
    ("Ones", {}, [2, 3], "float32"),
    ("Ones", {}, [4], "int32"),
    ("Ones", {}, [2, 2], "float64"),
    ("Constant", {}, [2, 3], "float32"),
    ("Constant", {"value": 0.7}, [3, 4], "float32"),
    ("Constant", {"value": -2.5}, [2, 2, 3], "float64"),
    ("Constant", {"value": [1.0, 2.0, 3.0]}, [2, 3], "float32"),
    ("Identity", {}, [4, 4], "float32"),
    ("Identity", {"gain": 2.5}, [3, 5], "float32"),
    ("Identity", {"gain": 0.5}, [5, 3], "float64"),
]
for i, (cls, kwargs, shape, dtype) in enumerate(DETERMINISTIC):
    case("initializer", f"initializer/{i}_{cls}", class_name=cls, kwargs=kwargs, shape=shape, dtype=dtype,
         deterministic=True)  # fmt: skip

RANDOM = [
    ("RandomNormal", {}),
    ("RandomNormal", {"mean": 1.0, "stddev": 2.0}),
    ("RandomUniform", {}),
    ("RandomUniform", {"minval": -1.0, "maxval": 3.0}),
    ("TruncatedNormal", {}),
    ("TruncatedNormal", {"mean": 0.5, "stddev": 2.0}),
    ("VarianceScaling", {}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"}),
    ("VarianceScaling", {"scale": 0.5, "mode": "fan_avg", "distribution": "uniform"}),
    ("VarianceScaling", {"scale": 3.0, "mode": "fan_avg", "distribution": "normal"}),
    ("GlorotUniform", {}),
    ("GlorotNormal", {}),
    ("HeNormal", {}),
    ("HeUniform", {}),
    ("LecunNormal", {}),
    ("LecunUniform", {}),
    ("Orthogonal", {}),
    ("Orthogonal", {"gain": 2.0}),
]
n_init = len(DETERMINISTIC)
for cls, kwargs in RANDOM:
    for shape in RANDOM_SHAPES:
        case("initializer", f"initializer/{n_init}_{cls}", class_name=cls, kwargs={**kwargs, "seed": SEED},
             shape=shape, dtype="float32", deterministic=False)  # fmt: skip
        n_init += 1
# Explicit fan axes: shape (8, 16, 300), input axes (0, 1) -> fan_in 128, output axis 2 -> fan_out 300.
case("initializer", f"initializer/{n_init}_VarianceScaling", class_name="VarianceScaling",
     kwargs={"scale": 2.0, "mode": "fan_in", "distribution": "uniform", "input_axes": [0, 1],
             "output_axes": [2], "seed": SEED}, shape=[8, 16, 300], dtype="float32", deterministic=False)  # fmt: skip
n_init += 1
# Orthogonal's exact property (the Gram matrix) on small shapes of every kind: tall, wide, square, conv.
for shape, gain in (([6, 4], 1.0), ([4, 6], 1.0), ([5, 5], 2.0), ([3, 3, 4, 8], 1.5), ([2, 3, 2, 12], 1.0)):
    case("initializer", f"initializer/{n_init}_Orthogonal", class_name="Orthogonal",
         kwargs={"gain": gain, "seed": SEED}, shape=shape, dtype="float32", deterministic=False, gram=True)  # fmt: skip
    n_init += 1

# -- names: what each identifier string resolves to ---------------------------------------------------------------

NAMES = {
    "activations": [name for name, _ in ACTIVATIONS] + ["ReLU", "reluu"],
    "initializers": [
        "zeros", "zero", "Zeros", "ones", "one", "Ones", "constant", "Constant", "identity", "Identity",
        "IdentityInitializer", "random_normal", "normal", "RandomNormal", "random_uniform", "uniform",
        "RandomUniform", "truncated_normal", "TruncatedNormal", "variance_scaling", "VarianceScaling",
        "glorot_uniform", "GlorotUniform", "glorot_normal", "GlorotNormal", "he_normal", "HeNormal",
        "he_uniform", "HeUniform", "lecun_normal", "LecunNormal", "lecun_uniform", "LecunUniform",
        "orthogonal", "Orthogonal", "OrthogonalInitializer", "glorot_unifrom",
    ],
    "regularizers": [
        "l1", "L1", "l2", "L2", "l1l2", "L1L2", "l1_l2", "orthogonal_regularizer", "OrthogonalRegularizer",
    ],
    "constraints": [
        "max_norm", "MaxNorm", "min_max_norm", "MinMaxNorm", "non_neg", "NonNeg", "unit_norm", "UnitNorm",
    ],
}  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Running the cases under Keras (imported in main)
# ---------------------------------------------------------------------------------------------------------------


def plain(value):
    """A config value as plain JSON (tuples to lists, NumPy scalars to Python numbers)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def stats(values, truncated_stddev=None, mean=0.0):
    v = np.asarray(values, np.float64)
    out = {"n": int(v.size), "mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()),
           "max": float(v.max())}  # fmt: skip
    if truncated_stddev is not None:
        out["beyond_2_stddev"] = int((np.abs(v - mean) > 2 * truncated_stddev * (1 + 1e-6)).sum())
    return out


def run_activation(keras, torch, spec, arrays):
    x = arrays["x"]
    t = torch.tensor(x, requires_grad=True)
    y = getattr(keras.activations, spec["function"])(t, **spec["kwargs"])
    w = rng.standard_normal(x.shape).astype(np.float32)
    (dx,) = torch.autograd.grad((y * torch.tensor(w)).sum(), [t])
    arrays.update(y=keras.ops.convert_to_numpy(y), w=w, dx=dx.numpy())


def run_regularizer(keras, torch, spec, arrays):
    reg = getattr(keras.regularizers, spec["class_name"])(**spec["kwargs"])
    t = torch.tensor(arrays["x"], requires_grad=True)
    y = reg(t)
    # L1L2() with both factors 0 returns a constant: its gradient is zero.
    dx = torch.autograd.grad(y, [t])[0].numpy() if y.requires_grad else np.zeros_like(arrays["x"])
    arrays.update(y=np.asarray(keras.ops.convert_to_numpy(y), np.float32), dx=dx)
    spec["config"] = plain(reg.get_config())


def run_constraint(keras, torch, spec, arrays):
    constraint = getattr(keras.constraints, spec["class_name"])(**spec["kwargs"])
    arrays["y"] = keras.ops.convert_to_numpy(constraint(torch.tensor(arrays["x"])))
    spec["config"] = plain(constraint.get_config())


def truncated_stddev(spec, shape):
    """The stddev a truncated-normal initializer draws with (before truncation), or None."""
    from keras.src.initializers.random_initializers import compute_fans

    kw = spec["kwargs"]
    if spec["class_name"] == "TruncatedNormal":
        return kw.get("stddev", 0.05), kw.get("mean", 0.0)
    named = {"GlorotNormal": (1.0, "fan_avg"), "HeNormal": (2.0, "fan_in"), "LecunNormal": (1.0, "fan_in")}
    if spec["class_name"] in named:
        scale, mode = named[spec["class_name"]]
    elif spec["class_name"] == "VarianceScaling" and kw.get("distribution", "truncated_normal") in (
        "truncated_normal", "normal"
    ):  # fmt: skip
        scale, mode = kw.get("scale", 1.0), kw.get("mode", "fan_in")
    else:
        return None, 0.0
    fan_in, fan_out = compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return float(np.sqrt(scale / max(1.0, n)) / 0.87962566103423978), 0.0


def run_initializer(keras, torch, spec, arrays):
    init = getattr(keras.initializers, spec["class_name"])(**spec["kwargs"])
    values = keras.ops.convert_to_numpy(init(tuple(spec["shape"]), dtype=spec["dtype"]))
    assert list(values.shape) == spec["shape"], (spec["name"], values.shape)
    spec["out_dtype"] = str(values.dtype)
    spec["config"] = plain(init.get_config())
    if spec["deterministic"]:
        arrays["y"] = values
        return
    if spec.get("gram"):
        flat = values.astype(np.float64).reshape(-1, values.shape[-1])
        arrays["gram"] = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    stddev, mean = truncated_stddev(spec, spec["shape"])
    spec["stats"] = stats(values, stddev, mean)
    if stddev is not None:
        spec["truncation_stddev"] = stddev


def resolve_names(keras):
    names = {}
    for module_name, identifiers in NAMES.items():
        module = getattr(keras, module_name)
        table = {}
        for identifier in identifiers:
            try:
                obj = module.get(identifier)
            except Exception as e:  # noqa: BLE001 — Keras 3.15.1's get('constant') raises KeyError
                table[identifier] = {"error": f"{type(e).__name__}: {e}"}
                continue
            if module_name == "activations":
                table[identifier] = {"function": obj.__name__, "serialized": module.serialize(obj)}
            else:
                table[identifier] = {"class_name": type(obj).__name__, "config": plain(obj.get_config())}
        names[module_name] = table
    # Keras 3 exports `l1_l2` as the class L1L2 itself (Keras 2 had a function with 0.01 defaults).
    names["regularizers_l1_l2_is_L1L2"] = keras.regularizers.l1_l2 is keras.regularizers.L1L2
    return names


def main():
    import keras
    import torch

    if keras.backend.backend() != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the docstring at the top of this file).")
    torch.manual_seed(0)
    runners = {"activation": run_activation, "regularizer": run_regularizer, "constraint": run_constraint,
               "initializer": run_initializer}  # fmt: skip
    store, entries = {}, []
    for spec in CASES:
        spec = dict(spec)
        arrays = dict(spec.pop("arrays", {}))
        runners[spec["kind"]](keras, torch, spec, arrays)
        spec["arrays"] = sorted(arrays)
        for key, value in arrays.items():
            store[f"{spec['name']}/{key}"] = value
        entries.append(spec)
    meta = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "epsilon": keras.backend.epsilon(),
        "seed": SEED,
        "generator": "tests/reference/make_vocab_refs.py",
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **store)
    OUT_NPZ.write_bytes(buffer.getvalue())
    document = {"meta": meta, "cases": entries, "names": resolve_names(keras)}
    OUT_JSON.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(entries)} cases, {len(store)} arrays: {OUT_NPZ.stat().st_size / 1024:.1f} KiB "
          f"({OUT_NPZ.name}) + {OUT_JSON.stat().st_size / 1024:.1f} KiB ({OUT_JSON.name})")  # fmt: skip


if __name__ == "__main__":
    main()
