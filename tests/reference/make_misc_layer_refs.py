"""Generate the Keras reference values that ``tests/test_layers_*.py`` compare kerasnb's merging, activation,
normalization, noise and core-extra layers with.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment, and writes ``tests/reference/misc_layers_reference.npz``, which is committed. To regenerate it::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras torch
    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_misc_layer_refs.py

Keras and torch are imported inside :func:`main` only, so that pytest (``--doctest-modules``) can import this
file in the kerasnb test environment, which has neither.

Layer cases. Each builds ``keras.layers.<layer>(**config)`` on the inputs' shapes, sets its weights to seeded
random values (``NAME/w0``, ``w1``, ... in ``layer.weights`` order), calls it on the inputs (``NAME/x0``, ...;
a list when ``"list": true``) with the call arguments (``training``; a ``mask`` argument is ``NAME/<key>``) and
the input masks attached to the inputs as ``_keras_mask`` (``input_masks``: a key per input, or ``null``).
It records:

* ``NAME/y``: the output; ``NAME/y_mask``: the output's mask, when it has one;
* ``NAME/after<i>``: every weight after the call (BatchNormalization's moving statistics in training);
* ``NAME/g`` (random, the weight of ``sum(y * g)``) and the gradients of that sum with respect to every input
  (``NAME/dx<i>``) and every trainable weight (``NAME/dw<i>``), from torch autograd;
* in the case's JSON: ``output_shape`` (the layer called on ``keras.Input``s, batch ``None``), ``count_params``,
  ``trainable_count``, ``weight_names``, ``losses`` (the values of ``layer.losses`` after the call) and
  ``keras_config_keys`` (the keys of Keras's ``get_config()``).

``keras_layer`` / ``keras_config`` name the Keras reference when it differs from the kerasnb layer: Keras 3 has no
``ThresholdedReLU``; ``ReLU(threshold=theta)`` computes the same ``x if x > theta else 0``.

One deliberate exception, where Keras's torch backend fails: ``LayerNormalization(axis=1)`` on a 3D input. Its
``ops.layer_normalization`` hands every single-axis case to torch's ``layer_norm``, which normalizes trailing axes
only, and raises. The reference for ``layer_norm_axis1`` is Keras's formula for its other backends (``moments``,
then ``x * inv + (beta - mean * inv)``) written with ``keras.ops``, still run through torch autograd.

Random cases (``"kind": "random"``): noise layers in training on a large input of ones or an even grid of mean 0
and variance 1 (rebuilt by the test from the case's ``input``, not stored); Keras's and kerasnb's random streams
differ, so the test compares distributions: the set of distinct output values (dropout layers, ``NAME/values``)
or the mean and standard deviation of the output (Gaussian noise, AlphaDropout).

Model cases (``"kind": "model"``): a whole ``train_on_batch`` step with SGD on ``Dense -> BatchNormalization ->
Dense`` (also with the BatchNormalization frozen), and a two-input functional model joined by ``Concatenate``:
loss, every weight after the step, and predictions.

The entry ``__cases__`` is a JSON list of the cases; ``__meta__`` has the versions and the seed.
"""

import io
import json
import sys
from pathlib import Path

import numpy as np

SEED = 20240611
OUT = Path(__file__).with_name("misc_layers_reference.npz")

rng = np.random.default_rng(SEED)


def normal(*shape, scale=1.0, shift=0.0):
    return (rng.standard_normal(shape) * scale + shift).astype(np.float32)


def away(*shape, kinks=(0.0,), margin=0.1, scale=1.5):
    """Random values at least ``margin`` from every kink (where a piecewise function's gradient jumps)."""
    x = rng.standard_normal(shape) * scale
    for k in kinks:
        near = np.abs(x - k) < margin
        x[near] = k + np.where(x[near] >= k, margin, -margin) * 2
    return x.astype(np.float32)


def bool_mask(*shape, keep=0.7):
    m = rng.uniform(size=shape) < keep
    m[..., 0] = True  # every sequence keeps its first step
    return m


CASES = []


def case(name, layer, inputs, config=None, call=None, input_masks=None, arrays=None, keras_layer=None,
         keras_config=None, grads=True, note=None):
    """A layer case: ``inputs`` is one array or a list of arrays; ``arrays`` holds extra arrays (call masks)."""
    assert all(c["name"] != name for c in CASES), name
    CASES.append({
        "name": name, "kind": "layer", "layer": layer, "config": config or {}, "call": call or {},
        "list": isinstance(inputs, list), "inputs": inputs if isinstance(inputs, list) else [inputs],
        "input_masks": input_masks, "arrays": arrays or {}, "keras_layer": keras_layer or layer,
        "keras_config": (config or {}) if keras_config is None else keras_config, "grads": grads, "note": note,
    })


# ---------------------------------------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------------------------------------

case("add", "Add", [normal(2, 3, 4), normal(2, 3, 4)])
case("add_three", "Add", [normal(2, 5), normal(2, 5), normal(2, 5)])
case("add_broadcast_rank", "Add", [normal(2, 3, 4), normal(2, 4)],
     note="inputs of lower rank get size-1 axes after the batch axis, then broadcast")
case("add_broadcast_one", "Add", [normal(2, 3, 4), normal(2, 1, 4)])
case("subtract", "Subtract", [normal(2, 3, 4), normal(2, 3, 4)])
case("multiply", "Multiply", [normal(2, 3, 4), normal(2, 3, 4), normal(2, 3, 4)])
case("average", "Average", [normal(2, 6), normal(2, 6), normal(2, 6)])
case("maximum", "Maximum", [normal(2, 3, 4), normal(2, 3, 4), normal(2, 3, 4)])
case("minimum", "Minimum", [normal(2, 3, 4), normal(2, 3, 4)])
case("concatenate", "Concatenate", [normal(2, 3, 4), normal(2, 3, 2)])
case("concatenate_axis1", "Concatenate", [normal(2, 3, 4), normal(2, 1, 4), normal(2, 2, 4)], {"axis": 1})
case("dot_axes1", "Dot", [normal(2, 5), normal(2, 5)], {"axes": 1})
case("dot_axes_pair", "Dot", [normal(2, 3, 5), normal(2, 4, 3)], {"axes": [1, 2]})
case("dot_axes_last", "Dot", [normal(2, 3, 4), normal(2, 5, 4)], {"axes": -1})
case("dot_2d_3d", "Dot", [normal(2, 4), normal(2, 4, 3)], {"axes": [1, 1]})
case("dot_3d_2d", "Dot", [normal(2, 3, 4), normal(2, 4)], {"axes": [2, 1]})
case("dot_4d", "Dot", [normal(2, 2, 3, 4), normal(2, 4, 5)], {"axes": [3, 1]})
case("dot_normalize", "Dot", [normal(2, 4, 3), normal(2, 4, 2)], {"axes": 1, "normalize": True})

# Masked merges: inputs (batch, steps, features), masks (batch, steps).
for layer in ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"]:
    case(f"{layer.lower()}_masked", layer, [normal(2, 4, 3), normal(2, 4, 3)], input_masks=["m0", "m1"],
         arrays={"m0": bool_mask(2, 4, keep=0.5), "m1": bool_mask(2, 4, keep=0.5)})
case("maximum_masked_three", "Maximum", [normal(3, 5, 2), normal(3, 5, 2), normal(3, 5, 2)],
     input_masks=["m0", "m1", "m2"], arrays={"m0": bool_mask(3, 5, keep=0.4), "m1": bool_mask(3, 5, keep=0.4),
                                             "m2": bool_mask(3, 5, keep=0.4)})
case("multiply_one_masked", "Multiply", [normal(2, 4, 3), normal(2, 4, 3)], input_masks=["m0", None],
     arrays={"m0": bool_mask(2, 4, keep=0.5)})
case("maximum_one_masked", "Maximum", [normal(2, 4, 3), normal(2, 4, 3), normal(2, 4, 3)],
     input_masks=["m0", None, "m2"], arrays={"m0": bool_mask(2, 4, keep=0.5), "m2": bool_mask(2, 4, keep=0.5)})
case("concatenate_masked_axis1", "Concatenate", [normal(2, 4, 3), normal(2, 2, 3)], {"axis": 1},
     input_masks=["m0", None], arrays={"m0": bool_mask(2, 4, keep=0.5)})

# ---------------------------------------------------------------------------------------------------------
# Activation layers
# ---------------------------------------------------------------------------------------------------------

case("relu", "ReLU", away(3, 5))
case("relu_max_value", "ReLU", away(3, 5, kinks=(0.0, 1.5)), {"max_value": 1.5})
case("relu_max_value_6", "ReLU", away(3, 5, kinks=(0.0, 6.0), scale=5.0), {"max_value": 6.0})
case("relu_negative_slope", "ReLU", away(3, 5), {"negative_slope": 0.2})
case("relu_threshold", "ReLU", away(3, 5, kinks=(0.5,)), {"threshold": 0.5})
case("relu_all", "ReLU", away(3, 5, kinks=(0.5, 2.0)), {"max_value": 2.0, "negative_slope": 0.1, "threshold": 0.5})
case("leaky_relu", "LeakyReLU", away(3, 5))
case("leaky_relu_slope", "LeakyReLU", away(3, 5), {"negative_slope": 0.05})
case("prelu", "PReLU", away(2, 3, 4))
case("prelu_shared", "PReLU", away(2, 3, 4, 5), {"shared_axes": [1, 2]})
case("elu", "ELU", away(3, 5))
case("elu_alpha", "ELU", away(3, 5), {"alpha": 0.5})
case("thresholded_relu", "ThresholdedReLU", away(3, 5, kinks=(1.0,)), keras_layer="ReLU",
     keras_config={"threshold": 1.0},
     note="Keras 3 has no ThresholdedReLU: ReLU(threshold=theta) computes the same x if x > theta else 0")
case("thresholded_relu_theta", "ThresholdedReLU", away(3, 5, kinks=(0.3,)), {"theta": 0.3}, keras_layer="ReLU",
     keras_config={"threshold": 0.3})
case("softmax", "Softmax", normal(3, 5, scale=2.0))
case("softmax_axis1", "Softmax", normal(2, 3, 4, scale=2.0), {"axis": 1})
case("softmax_axes", "Softmax", normal(2, 3, 4, scale=2.0), {"axis": [1, 2]})
case("softmax_mask", "Softmax", normal(2, 3, 5, scale=2.0), call={"mask": "mask"},
     arrays={"mask": bool_mask(2, 3, 5)})
case("softmax_mask_broadcast", "Softmax", normal(2, 3, 5, scale=2.0), call={"mask": "mask"},
     arrays={"mask": bool_mask(2, 1, 5)})

# ---------------------------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------------------------

case("batch_norm_inference", "BatchNormalization", normal(4, 3, shift=0.5))
case("batch_norm_training", "BatchNormalization", normal(6, 3, scale=2.0, shift=1.0), {"momentum": 0.9},
     call={"training": True})
case("batch_norm_4d_training", "BatchNormalization", normal(3, 4, 4, 2, shift=-0.5), call={"training": True})
case("batch_norm_axis1_training", "BatchNormalization", normal(3, 2, 4, 4), {"axis": 1, "epsilon": 0.01},
     call={"training": True})
case("batch_norm_axis1_inference", "BatchNormalization", normal(3, 2, 4, 4), {"axis": 1})
case("batch_norm_no_center_scale", "BatchNormalization", normal(5, 4), {"center": False, "scale": False},
     call={"training": True})
case("batch_norm_masked", "BatchNormalization", normal(3, 4, 2, shift=0.3), call={"training": True, "mask": "mask"},
     arrays={"mask": bool_mask(3, 4)})
case("batch_norm_frozen_training", "BatchNormalization", normal(4, 3), call={"training": True},
     config={"trainable": False}, note="a frozen BatchNormalization runs in inference mode even with training=True")
case("layer_norm", "LayerNormalization", normal(2, 3, 4, shift=0.5))
case("layer_norm_axes", "LayerNormalization", normal(2, 3, 4), {"axis": [1, 2]})
case("layer_norm_axis1", "LayerNormalization", normal(2, 3, 4), {"axis": 1, "epsilon": 0.01},
     note="definition: Keras's torch backend sends every single-axis layer norm to torch's layer_norm, which "
     "only normalizes trailing axes and fails for axis=1 of a 3D input; the reference is Keras's formula for the "
     "other backends (ops.moments, then x * inv + (beta - mean * inv)), run with keras.ops")
case("layer_norm_no_center", "LayerNormalization", normal(2, 5), {"center": False})
case("layer_norm_no_scale", "LayerNormalization", normal(2, 5), {"scale": False})
case("layer_norm_rms_scaling", "LayerNormalization", normal(2, 5, shift=0.5), {"rms_scaling": True})
case("group_norm", "GroupNormalization", normal(2, 5, 4), {"groups": 2})
case("group_norm_instance", "GroupNormalization", normal(2, 3, 3, 4), {"groups": -1})
case("group_norm_one_group", "GroupNormalization", normal(2, 6), {"groups": 1})
case("group_norm_axis1", "GroupNormalization", normal(2, 4, 3, 3), {"groups": 2, "axis": 1, "epsilon": 0.01})
case("unit_norm", "UnitNormalization", normal(3, 4))
case("unit_norm_axes", "UnitNormalization", normal(2, 3, 4), {"axis": [1, 2]})
case("unit_norm_axis1", "UnitNormalization", normal(2, 3, 4), {"axis": 1})

# ---------------------------------------------------------------------------------------------------------
# Noise layers at inference (identity) and core extras
# ---------------------------------------------------------------------------------------------------------

case("gaussian_noise_inference", "GaussianNoise", normal(2, 3), {"stddev": 0.5, "seed": 1})
case("gaussian_dropout_inference", "GaussianDropout", normal(2, 3), {"rate": 0.4, "seed": 1})
case("alpha_dropout_inference", "AlphaDropout", normal(2, 3), {"rate": 0.4, "seed": 1})
case("spatial_dropout1d_inference", "SpatialDropout1D", normal(2, 3, 4), {"rate": 0.4, "seed": 1})
case("spatial_dropout2d_inference", "SpatialDropout2D", normal(2, 3, 3, 2), {"rate": 0.4, "seed": 1})
case("spatial_dropout3d_inference", "SpatialDropout3D", normal(2, 2, 2, 2, 3), {"rate": 0.4, "seed": 1})
case("identity", "Identity", normal(2, 3))
case("activity_regularization", "ActivityRegularization", normal(4, 3), {"l1": 0.01, "l2": 0.02})
case("lambda_square", "Lambda", normal(2, 3), {"function": "square"},
     note="`function` names a function both sides define: square(x) = x * x")
case("lambda_arguments", "Lambda", normal(2, 3, 4), {"function": "scaled_sum", "arguments": {"k": 3.0}},
     note="scaled_sum(x, k) = k * sum(x, axis=-1)")


def random_case(name, layer, config, x, compare):
    """``x``: ``("ones", shape)``, or ``("grid", shape)``: evenly spaced values of mean 0 and variance 1 (see
    :func:`random_input`); both sides rebuild it, so it is not stored."""
    CASES.append({"name": name, "kind": "random", "layer": layer, "config": config, "input": list(x),
                  "compare": compare})


def random_input(kind, shape):
    """The input of a random case: ones, or an even grid over [-√3, √3] (mean 0, variance 1)."""
    if kind == "ones":
        return np.ones(shape, np.float32)
    return np.linspace(-np.sqrt(3.0), np.sqrt(3.0), int(np.prod(shape))).reshape(shape).astype(np.float32)


random_case("alpha_dropout_values", "AlphaDropout", {"rate": 0.3, "seed": 3}, ("ones", (200, 50)), "values")
random_case("alpha_dropout_moments", "AlphaDropout", {"rate": 0.3, "seed": 3}, ("grid", (400, 50)), "moments")
random_case("spatial_dropout1d_values", "SpatialDropout1D", {"rate": 0.25, "seed": 3}, ("ones", (50, 6, 8)), "values")
random_case("spatial_dropout2d_values", "SpatialDropout2D", {"rate": 0.25, "seed": 3}, ("ones", (50, 3, 3, 8)),
            "values")
random_case("gaussian_noise_moments", "GaussianNoise", {"stddev": 0.3, "seed": 3}, ("ones", (400, 50)), "moments")
random_case("gaussian_dropout_moments", "GaussianDropout", {"rate": 0.2, "seed": 3}, ("ones", (400, 50)), "moments")

# Whole training steps (kerasnb and Keras both run Dense -> BatchNormalization -> Dense with the same weights).
BN_MODEL = {
    "x": normal(8, 4), "y": normal(8, 1),
    "weights": [normal(4, 3, scale=0.7), normal(3, scale=0.1), 1 + normal(3, scale=0.2), normal(3, scale=0.2),
                normal(3, scale=0.3), rng.uniform(0.5, 1.5, 3).astype(np.float32), normal(3, 1, scale=0.7),
                normal(1, scale=0.1)],
}
CASES.append({"name": "bn_model_fit_step", "kind": "model", "model": "bn", "frozen": False, "learning_rate": 0.1,
              "momentum": 0.9})
CASES.append({"name": "bn_model_fit_step_frozen", "kind": "model", "model": "bn", "frozen": True,
              "learning_rate": 0.1, "momentum": 0.9,
              "note": "bn.trainable = False before compile: inference mode inside fit, moving statistics unchanged"})
CONCAT_MODEL = {
    "a": normal(5, 3), "b": normal(5, 2),
    "weights": [normal(3, 4, scale=0.5), normal(4, scale=0.1), normal(2, 2, scale=0.5), normal(2, scale=0.1),
                normal(6, 1, scale=0.5), normal(1, scale=0.1)],
}
CASES.append({"name": "concatenate_model", "kind": "model", "model": "concat"})


# ---------------------------------------------------------------------------------------------------------
# Running the cases under Keras
# ---------------------------------------------------------------------------------------------------------

def weight_value(name, shape):
    """A seeded random value for a weight, by its role (variances positive, gammas near 1, slopes small)."""
    if name == "moving_variance":
        return rng.uniform(0.5, 1.5, shape).astype(np.float32)
    if name == "gamma":
        return (1 + rng.standard_normal(shape) * 0.3).astype(np.float32)
    if name == "alpha":
        return rng.uniform(0.05, 0.5, shape).astype(np.float32)
    return (rng.standard_normal(shape) * 0.5).astype(np.float32)


def main():
    import keras
    import torch
    from keras import ops

    if keras.backend.backend() != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the docstring at the top of this file).")
    from keras.src.backend.common.masking import get_keras_mask, set_keras_mask

    torch.manual_seed(0)
    keras.utils.set_random_seed(SEED)
    functions = {"square": lambda x: x * x, "scaled_sum": lambda x, k: k * ops.sum(x, axis=-1)}

    def make_layer(spec, keras_side=True):
        cls = getattr(keras.layers, spec["keras_layer"] if keras_side else spec["layer"])
        cfg = dict(spec["keras_config"] if keras_side else spec["config"])
        if spec["layer"] == "Lambda":
            cfg["function"] = functions[cfg["function"]]
        return cls(**cfg)

    def np_(t):
        return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)

    def run_layer(spec):
        store = {}
        layer = make_layer(spec)
        xs = spec["inputs"]
        shapes = [x.shape for x in xs]
        layer.build(shapes if spec["list"] else shapes[0])
        for i, v in enumerate(layer.weights):
            value = weight_value(v.name, tuple(v.shape))
            v.assign(value)
            store[f"w{i}"] = value
        tensors = [torch.tensor(x, requires_grad=True) for x in xs]
        for i, (t, key) in enumerate(zip(tensors, spec["input_masks"] or [None] * len(xs))):
            store[f"x{i}"] = xs[i]
            if key is not None:
                set_keras_mask(t, torch.tensor(spec["arrays"][key]))
        for key, value in spec["arrays"].items():
            store[key] = value
        call = {}
        for k, v in spec["call"].items():
            call[k] = torch.tensor(spec["arrays"][v]) if k == "mask" else v
        if spec["name"] == "layer_norm_axis1":  # see the case's note
            mean, var = ops.moments(tensors[0], axes=[1], keepdims=True)
            inv = ops.rsqrt(var + spec["config"]["epsilon"]) * ops.reshape(layer.gamma.value, (1, -1, 1))
            y = tensors[0] * inv + (ops.reshape(layer.beta.value, (1, -1, 1)) - mean * inv)
        else:
            y = layer(tensors if spec["list"] else tensors[0], **call)
        store["y"] = np_(y)
        mask = get_keras_mask(y)
        if mask is not None:
            store["y_mask"] = np_(mask)
        for i, v in enumerate(layer.weights):
            store[f"after{i}"] = np_(v.value)
        if spec["grads"]:
            g = rng.standard_normal(store["y"].shape).astype(np.float32)
            store["g"] = g
            trainable = [v.value for v in layer.trainable_weights]
            params = [t for t in tensors] + trainable
            grads = torch.autograd.grad((y * torch.tensor(g)).sum(), params, allow_unused=True)
            for i in range(len(tensors)):
                store[f"dx{i}"] = np.zeros_like(xs[i]) if grads[i] is None else np_(grads[i])
            index = {id(v.value): i for i, v in enumerate(layer.weights)}
            for v, grad in zip(trainable, grads[len(tensors):]):
                store[f"dw{index[id(v)]}"] = np.zeros(tuple(v.shape), np.float32) if grad is None else np_(grad)
        symbolic = make_layer(spec)
        ins = [keras.Input(shape=s[1:]) for s in shapes]
        out = symbolic(ins if spec["list"] else ins[0])
        entry = {k: v for k, v in spec.items() if k not in ("inputs", "arrays")}
        entry["arrays"] = list(spec["arrays"])
        entry["n_inputs"] = len(xs)
        entry["output_shape"] = list(out.shape)
        entry["count_params"] = layer.count_params()
        entry["trainable_count"] = int(sum(np.prod(v.shape) for v in layer.trainable_weights))
        entry["weight_names"] = [v.name for v in layer.weights]
        entry["losses"] = [float(np_(loss)) for loss in layer.losses]
        entry["keras_config_keys"] = sorted(layer.get_config())
        return entry, store

    def run_random(spec):
        layer = getattr(keras.layers, spec["layer"])(**spec["config"])
        y = np_(layer(torch.tensor(random_input(*spec["input"])), training=True))
        entry, store = dict(spec), {}
        if spec["compare"] == "values":
            store["values"] = np.unique(y)
            entry["kept_fraction"] = float(np.mean(y == y.max()))
        else:
            entry["mean"], entry["std"] = float(y.mean()), float(y.std())
        return entry, store

    def run_model(spec):
        store = {}
        if spec["model"] == "bn":
            data = BN_MODEL
            inputs = keras.Input(shape=(4,))
            bn = keras.layers.BatchNormalization(momentum=spec["momentum"])
            outputs = keras.layers.Dense(1)(bn(keras.layers.Dense(3)(inputs)))
            model = keras.Model(inputs, outputs)
            model.set_weights(data["weights"])
            if spec["frozen"]:
                bn.trainable = False
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=spec["learning_rate"]), loss="mse")
            loss = model.train_on_batch(data["x"], data["y"])
            prediction = model.predict(data["x"], verbose=0)
            store.update(x=data["x"], y=data["y"], loss=np.float32(loss), prediction=prediction)
            for i, w in enumerate(data["weights"]):
                store[f"w{i}"] = w
            for i, w in enumerate(model.get_weights()):
                store[f"after{i}"] = w
        else:
            data = CONCAT_MODEL
            a, b = keras.Input(shape=(3,)), keras.Input(shape=(2,))
            joined = keras.layers.Concatenate()([keras.layers.Dense(4)(a), keras.layers.Dense(2)(b)])
            model = keras.Model([a, b], keras.layers.Dense(1)(joined))
            model.set_weights(data["weights"])
            store.update(a=data["a"], b=data["b"], prediction=model.predict([data["a"], data["b"]], verbose=0))
            for i, w in enumerate(data["weights"]):
                store[f"w{i}"] = w
            spec = {**spec, "count_params": model.count_params()}
        return spec, store

    entries, store = [], {}
    for spec in CASES:
        entry, arrays = {"layer": run_layer, "random": run_random, "model": run_model}[spec["kind"]](spec)
        entries.append(entry)
        for key, value in arrays.items():
            store[f"{spec['name']}/{key}"] = value
    meta = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "seed": SEED,
        "generator": "tests/reference/make_misc_layer_refs.py",
    }
    store["__cases__"] = np.array(json.dumps(entries))
    store["__meta__"] = np.array(json.dumps(meta))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **store)
    OUT.write_bytes(buffer.getvalue())
    print(f"wrote {len(entries)} cases, {len(store)} arrays, {OUT.stat().st_size / 1024:.1f} KiB to {OUT}")


if __name__ == "__main__":
    main()
