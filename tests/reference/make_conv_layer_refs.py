"""Generate the Keras reference values for the convolution, pooling and reshaping layers.

Like ``make_refs.py`` (whose docstring explains the set-up), this runs only under real Keras, in its own
virtual environment, and writes ``tests/reference/conv_layers_reference.npz``, which is committed::

    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_conv_layer_refs.py

For every case it builds ``keras.layers.<layer>(**kwargs)`` for a small float32 input ``x`` (seeded NumPy
generator), sets its weights to seeded random values (``set_weights``, so kerasnb can load the very same
arrays), calls it, and records, per case ``NAME``:

* ``NAME/x`` (and ``NAME/mask`` where the call takes a mask), ``NAME/w0``, ``NAME/w1``, ... (the weights,
  in ``layer.weights`` order) and ``NAME/y`` (the output);
* ``NAME/g`` (random output weights) and ``NAME/dx``, ``NAME/dw0``, ... : the gradients of ``sum(y * g)``
  with respect to ``x`` and to each weight, from torch autograd.

The entry ``__cases__`` is a JSON list of ``{"name", "layer", "kwargs", "weight_names", "weight_shapes",
"params", "output_shape", "shape_none_batch", "shape_none_spatial", "config", "note"}``: ``kwargs`` with JSON
lists meaning tuples, the parameter count, the real output's shape, ``compute_output_shape`` for the input
shape with the batch (and then every axis but the channels) set to ``None`` (``null`` where Keras cannot say),
and Keras's ``get_config()`` with its ``dtype`` policy reduced to the dtype's name.

One deliberate exception, as in ``make_refs.py``: Keras's torch backend pads an *asymmetric* 'same' average
pool by replicating the edge values and counts the copies in the mean (``keras/src/backend/torch/nn.py``,
``_apply_same_padding``), while its TensorFlow, JAX and NumPy backends average only the real elements. For
those cases ``y`` and the gradients come from that definition, written with ``keras.ops`` and run through
torch autograd; the torch backend's own values are kept as ``y_torch`` / ``dx_torch`` and the note says so.
"""

import io
import json
import math
import sys
from pathlib import Path

import numpy as np

try:
    import keras
    import torch
except ImportError:  # pytest's --doctest-modules imports every file under tests/, also in kerasnb's own test
    keras = torch = None  # environment, which has no Keras: there is nothing to collect here, main() needs both

SEED = 20240611
OUT = Path(__file__).with_name("conv_layers_reference.npz")

rng = np.random.default_rng(SEED)


def normal(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


CASES = []


def case(name, layer, x_shape, mask=None, **kwargs):
    assert all(c["name"] != name for c in CASES), name
    CASES.append({"name": name, "layer": layer, "x_shape": x_shape, "mask": mask, "kwargs": kwargs})


# ---------------------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------------------

CF = "channels_first"

# Convolutions
case("conv1d_valid", "Conv1D", (2, 7, 3), filters=4, kernel_size=3)
case("conv1d_same_s2_even_kernel_relu", "Conv1D", (2, 8, 2), filters=3, kernel_size=4, strides=2, padding="same",
     activation="relu")
case("conv1d_causal_dilation2", "Conv1D", (2, 9, 2), filters=3, kernel_size=3, padding="causal", dilation_rate=2)
case("conv1d_causal_channels_first", "Conv1D", (1, 2, 6), filters=2, kernel_size=2, padding="causal",
     data_format=CF)
case("conv1d_groups2_channels_first", "Conv1D", (2, 4, 7), filters=4, kernel_size=3, groups=2, data_format=CF)
case("conv1d_no_bias", "Conv1D", (1, 5, 3), filters=2, kernel_size=2, use_bias=False)
case("conv2d_valid", "Conv2D", (2, 6, 5, 3), filters=4, kernel_size=(3, 3))
case("conv2d_same_s21_even_kernel", "Conv2D", (1, 7, 6, 2), filters=3, kernel_size=(4, 3), strides=(2, 1),
     padding="same")
case("conv2d_dilation21", "Conv2D", (1, 7, 6, 2), filters=2, kernel_size=3, dilation_rate=(2, 1))
case("conv2d_channels_first_same", "Conv2D", (2, 2, 5, 6), filters=3, kernel_size=3, padding="same",
     data_format=CF)
case("conv2d_groups3_tanh", "Conv2D", (1, 5, 4, 3), filters=6, kernel_size=(2, 2), groups=3, activation="tanh")
case("conv3d_valid", "Conv3D", (1, 4, 5, 4, 2), filters=3, kernel_size=(2, 3, 2))
case("conv3d_same_s2", "Conv3D", (1, 5, 4, 5, 2), filters=2, kernel_size=3, strides=2, padding="same")
case("conv3d_channels_first", "Conv3D", (1, 2, 3, 4, 3), filters=2, kernel_size=2, data_format=CF)
case("separable_conv1d_valid", "SeparableConv1D", (2, 7, 3), filters=4, kernel_size=3)
case("separable_conv1d_same_s2_dm2", "SeparableConv1D", (2, 8, 2), filters=3, kernel_size=3, strides=2,
     padding="same", depth_multiplier=2)
case("separable_conv1d_channels_first", "SeparableConv1D", (1, 3, 6), filters=2, kernel_size=3, data_format=CF)
case("separable_conv2d_valid", "SeparableConv2D", (1, 6, 5, 3), filters=4, kernel_size=3)
case("separable_conv2d_same_dilation2_dm2", "SeparableConv2D", (1, 7, 6, 2), filters=3, kernel_size=3,
     padding="same", dilation_rate=2, depth_multiplier=2)
case("separable_conv2d_channels_first_s2", "SeparableConv2D", (1, 3, 7, 6), filters=2, kernel_size=(3, 2),
     strides=2, data_format=CF)
case("depthwise_conv1d_valid_dm2", "DepthwiseConv1D", (2, 8, 3), kernel_size=3, depth_multiplier=2)
case("depthwise_conv1d_same_s2_channels_first", "DepthwiseConv1D", (1, 3, 7), kernel_size=3, strides=2,
     padding="same", data_format=CF)
case("depthwise_conv2d_valid", "DepthwiseConv2D", (1, 6, 5, 3), kernel_size=3)
case("depthwise_conv2d_same_dm2_dilation2", "DepthwiseConv2D", (1, 7, 6, 2), kernel_size=3, padding="same",
     depth_multiplier=2, dilation_rate=2)
case("depthwise_conv2d_channels_first_s2", "DepthwiseConv2D", (1, 3, 7, 6), kernel_size=(2, 3), strides=2,
     data_format=CF)
case("conv1d_transpose_valid_s2", "Conv1DTranspose", (2, 4, 3), filters=2, kernel_size=3, strides=2)
case("conv1d_transpose_same_s2", "Conv1DTranspose", (2, 4, 3), filters=2, kernel_size=3, strides=2, padding="same")
case("conv1d_transpose_valid_s2_output_padding1", "Conv1DTranspose", (2, 4, 3), filters=2, kernel_size=3,
     strides=2, output_padding=1)
case("conv1d_transpose_valid_dilation2", "Conv1DTranspose", (1, 5, 2), filters=2, kernel_size=3, dilation_rate=2)
case("conv2d_transpose_valid_s2", "Conv2DTranspose", (1, 3, 4, 2), filters=3, kernel_size=(3, 3), strides=2)
case("conv2d_transpose_same_s2", "Conv2DTranspose", (1, 3, 4, 2), filters=3, kernel_size=3, strides=2,
     padding="same")
case("conv2d_transpose_same_s2_even_kernel", "Conv2DTranspose", (1, 3, 3, 2), filters=2, kernel_size=4, strides=2,
     padding="same")
case("conv2d_transpose_valid_s2_output_padding10", "Conv2DTranspose", (1, 3, 3, 2), filters=2, kernel_size=3,
     strides=2, output_padding=(1, 0))
case("conv2d_transpose_channels_first_same_s2_sigmoid", "Conv2DTranspose", (1, 2, 3, 4), filters=2, kernel_size=3,
     strides=2, padding="same", data_format=CF, activation="sigmoid")
case("conv3d_transpose_valid_s2", "Conv3DTranspose", (1, 2, 3, 2, 2), filters=2, kernel_size=2, strides=2)
case("conv3d_transpose_same_s1", "Conv3DTranspose", (1, 3, 3, 2, 2), filters=2, kernel_size=3, padding="same")

# Pooling
case("max_pooling1d_default", "MaxPooling1D", (2, 7, 3))
case("max_pooling1d_same_s1", "MaxPooling1D", (2, 6, 2), pool_size=3, strides=1, padding="same")
case("max_pooling2d_default", "MaxPooling2D", (2, 5, 6, 3))
case("max_pooling2d_same_s2_channels_first", "MaxPooling2D", (1, 2, 5, 6), pool_size=(3, 2), strides=2,
     padding="same", data_format=CF)
case("max_pooling3d_default", "MaxPooling3D", (1, 4, 5, 4, 2))
case("max_pooling3d_same_s1", "MaxPooling3D", (1, 3, 3, 3, 2), pool_size=2, strides=1, padding="same")
case("average_pooling1d_valid", "AveragePooling1D", (2, 7, 3), pool_size=2)
case("average_pooling1d_same_s1", "AveragePooling1D", (2, 6, 2), pool_size=3, strides=1, padding="same")
case("average_pooling2d_valid_s1", "AveragePooling2D", (1, 5, 6, 2), pool_size=(2, 3), strides=1)
case("average_pooling2d_same_s1_asymmetric", "AveragePooling2D", (1, 3, 4, 2), pool_size=2, strides=1,
     padding="same")
case("average_pooling2d_channels_first_same_s1", "AveragePooling2D", (1, 2, 4, 5), pool_size=3, strides=1,
     padding="same", data_format=CF)
case("average_pooling3d_valid", "AveragePooling3D", (1, 4, 5, 4, 2), pool_size=2)
case("average_pooling3d_same_asymmetric", "AveragePooling3D", (1, 3, 3, 3, 1), pool_size=2, padding="same")
case("global_max_pooling1d", "GlobalMaxPooling1D", (2, 5, 3))
case("global_max_pooling2d_keepdims", "GlobalMaxPooling2D", (2, 3, 4, 3), keepdims=True)
case("global_max_pooling3d_channels_first", "GlobalMaxPooling3D", (2, 3, 2, 3, 2), data_format=CF)
case("global_average_pooling1d_channels_first_keepdims", "GlobalAveragePooling1D", (2, 3, 5), data_format=CF,
     keepdims=True)
case("global_average_pooling1d_masked", "GlobalAveragePooling1D", (2, 5, 3),
     mask=np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], dtype=bool))
case("global_average_pooling2d", "GlobalAveragePooling2D", (2, 3, 4, 3))
case("global_average_pooling3d_keepdims", "GlobalAveragePooling3D", (2, 2, 3, 2, 3), keepdims=True)

# Reshaping
case("reshape_minus1", "Reshape", (2, 3, 4), target_shape=(-1, 2))
case("reshape_to_3d", "Reshape", (2, 12), target_shape=(2, 3, 2))
case("permute_21", "Permute", (2, 3, 4), dims=(2, 1))
case("permute_312", "Permute", (2, 3, 4, 5), dims=(3, 1, 2))
case("repeat_vector", "RepeatVector", (2, 4), n=3)
case("cropping1d_default", "Cropping1D", (2, 5, 3))
case("cropping1d_12", "Cropping1D", (2, 6, 3), cropping=(1, 2))
case("cropping2d_pairs", "Cropping2D", (2, 5, 6, 2), cropping=((1, 0), (2, 1)))
case("cropping2d_int_channels_first", "Cropping2D", (1, 2, 4, 5), cropping=1, data_format=CF)
case("cropping3d_pairs", "Cropping3D", (1, 3, 4, 5, 2), cropping=((1, 0), (0, 1), (1, 1)))
case("cropping3d_default_channels_first", "Cropping3D", (1, 2, 3, 4, 5), data_format=CF)
case("up_sampling1d", "UpSampling1D", (2, 3, 2), size=3)
case("up_sampling2d_nearest", "UpSampling2D", (1, 3, 2, 2), size=(2, 3))
case("up_sampling2d_bilinear", "UpSampling2D", (1, 3, 4, 2), size=(2, 3), interpolation="bilinear")
case("up_sampling2d_bilinear_channels_first", "UpSampling2D", (1, 2, 3, 3), size=2, interpolation="bilinear",
     data_format=CF)
case("up_sampling3d", "UpSampling3D", (1, 2, 2, 3, 2), size=(1, 2, 2))
case("up_sampling3d_default_channels_first", "UpSampling3D", (1, 2, 2, 1, 2), data_format=CF)
case("zero_padding1d_12", "ZeroPadding1D", (2, 3, 2), padding=(1, 2))
case("zero_padding1d_channels_first", "ZeroPadding1D", (1, 2, 3), padding=2, data_format=CF)
case("zero_padding2d_pairs", "ZeroPadding2D", (1, 3, 4, 2), padding=((1, 0), (2, 1)))
case("zero_padding2d_channels_first", "ZeroPadding2D", (1, 2, 3, 3), padding=(1, 2), data_format=CF)
case("zero_padding3d_default", "ZeroPadding3D", (1, 2, 2, 2, 1))
case("zero_padding3d_channels_first", "ZeroPadding3D", (1, 2, 2, 3, 2), padding=(0, 1, 2), data_format=CF)


# ---------------------------------------------------------------------------------------------------------
# Running them
# ---------------------------------------------------------------------------------------------------------


def to_json(value):
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def same_padding(n, k, s):
    """Keras's (TF's) 'same' padding (before, after) along one axis."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def average_pool_definition(x, pool_size, strides, data_format):
    """'same' average pooling as Keras's JAX and NumPy backends define it: the sum over each window of the
    zero-padded input divided by the number of real (unpadded) elements in it."""
    ops = keras.ops
    if data_format == "channels_first":
        x = ops.moveaxis(x, 1, -1)
    pads = [same_padding(n, k, s) for n, k, s in zip(x.shape[1:-1], pool_size, strides)]
    pad_width = ((0, 0), *pads, (0, 0))
    ones = ops.ones((1, *x.shape[1:-1], 1), dtype="float32")
    window = math.prod(pool_size)
    sums = ops.average_pool(ops.pad(x, pad_width), pool_size, strides, "valid") * window
    counts = ops.average_pool(ops.pad(ones, pad_width), pool_size, strides, "valid") * window
    y = sums / counts
    return ops.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def is_asymmetric_same_average_pool(layer, x_shape):
    average = (keras.layers.AveragePooling1D, keras.layers.AveragePooling2D, keras.layers.AveragePooling3D)
    if not isinstance(layer, average) or layer.padding != "same":
        return False
    spatial = x_shape[2:] if layer.data_format == "channels_first" else x_shape[1:-1]
    return any(a != b for a, b in map(same_padding, spatial, layer.pool_size, layer.strides))


def output_shape_or_none(layer, shape):
    try:
        return to_json(list(layer.compute_output_shape(shape)))
    except Exception:  # Keras cannot tell (e.g. an unknown length before a valid convolution check)
        return None


def simple_config(layer):
    config = layer.get_config()
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        config["dtype"] = dtype["config"]["name"]
    return to_json(config)


def run(spec):
    x = normal(*spec["x_shape"])
    layer = getattr(keras.layers, spec["layer"])(**spec["kwargs"])
    layer.build(x.shape)
    weights = [normal(*w.shape, scale=0.5) for w in layer.weights]
    layer.set_weights(weights)
    xt = torch.tensor(x, requires_grad=True)
    call_kwargs = {} if spec["mask"] is None else {"mask": torch.tensor(spec["mask"])}
    y = layer(xt, **call_kwargs)
    g = normal(*y.shape)
    params = [w.value for w in layer.weights]
    grads = torch.autograd.grad((y * torch.tensor(g)).sum(), [xt, *params])
    arrays = {"x": x, "y": y.detach().numpy(), "g": g, "dx": grads[0].numpy()}
    if spec["mask"] is not None:
        arrays["mask"] = spec["mask"]
    for i, (w, dw) in enumerate(zip(weights, grads[1:])):
        arrays[f"w{i}"], arrays[f"dw{i}"] = w, dw.numpy()
    note = None
    if is_asymmetric_same_average_pool(layer, x.shape):
        xt2 = torch.tensor(x, requires_grad=True)
        y_def = average_pool_definition(xt2, layer.pool_size, layer.strides, layer.data_format)
        (dx_def,) = torch.autograd.grad((y_def * torch.tensor(g)).sum(), [xt2])
        arrays["y_torch"], arrays["dx_torch"] = arrays["y"], arrays["dx"]
        arrays["y"], arrays["dx"] = y_def.detach().numpy(), dx_def.numpy()
        note = ("reference from the definition in Keras's JAX/NumPy backends (mean of the real elements); Keras's "
                "torch backend pads asymmetric 'same' by replicating edges and counts the copies (kept as y_torch)")
    spatial_none = [None] * len(x.shape)
    channel_axis = 1 if spec["kwargs"].get("data_format") == "channels_first" else -1
    if len(x.shape) > 2:
        spatial_none[channel_axis] = x.shape[channel_axis]
    entry = {
        "name": spec["name"],
        "layer": spec["layer"],
        "kwargs": to_json(spec["kwargs"]),
        "weight_names": [w.name for w in layer.weights],
        "weight_shapes": [list(w.shape) for w in layer.weights],
        "params": int(layer.count_params()),
        "output_shape": list(arrays["y"].shape),
        "shape_none_batch": output_shape_or_none(layer, (None, *x.shape[1:])),
        "shape_none_spatial": output_shape_or_none(layer, tuple(spatial_none)),
        "config": simple_config(layer),
    }
    if note:
        entry["note"] = note
    return entry, arrays


def main():
    if keras is None or keras.backend.backend() != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the docstring at the top of this file).")
    torch.manual_seed(0)
    entries, store = [], {}
    for spec in CASES:
        entry, arrays = run(spec)
        entries.append(entry)
        for key, value in arrays.items():
            store[f"{spec['name']}/{key}"] = value
    meta = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "seed": SEED,
        "generator": "tests/reference/make_conv_layer_refs.py",
    }
    store["__cases__"] = np.array(json.dumps(entries))
    store["__meta__"] = np.array(json.dumps(meta))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **store)
    OUT.write_bytes(buffer.getvalue())
    print(f"wrote {len(entries)} cases, {len(store)} arrays, {OUT.stat().st_size / 1024:.1f} KiB to {OUT}")


if __name__ == "__main__":
    main()
