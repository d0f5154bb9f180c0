"""Generate the Keras reference values that ``tests/test_keras_parity.py`` compares kerasnb with.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment, and writes ``tests/reference/ops_reference.npz``, which is committed. To regenerate it::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras torch
    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_refs.py          # ops only
    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_refs.py --all    # every fixture

``--all`` then runs the sibling generators, one per area, each writing its own fixture (small files, so a
change to one area does not rewrite the others): ``make_loss_refs.py``, ``make_metric_refs.py``,
``make_optimizer_refs.py``, ``make_vocab_refs.py`` (activations, initializers, regularizers, constraints) and
the layer generators ``make_*_layer_refs.py`` / ``make_attention_refs.py``.

For every case it makes small float32 inputs with a seeded NumPy generator, calls ``keras.ops.<op>`` on them
(as ``torch.tensor(..., requires_grad=True)``, so the Keras torch backend computes on autograd tensors) and
records the outputs and, for every float input, the gradient of ``sum(output * w)`` for fixed random weights
``w`` (one per float output), computed with torch autograd.

The ``.npz`` file holds, per case ``NAME``: ``NAME/<input>`` (each input), ``NAME/y`` (or ``NAME/y0``,
``NAME/y1``, ... when the op returns several tensors), ``NAME/w`` (or ``w0``, ...) for each float output and
``NAME/d<input>`` for each float input. The entry ``__cases__`` is a JSON string, a list of cases::

    {"name": ..., "op": "<keras.ops name>", "args": [...], "kwargs": {...},
     "inputs": [...], "outputs": [...], "weights": [...], "grads": {"<input>": "d<input>"}, "note": ...}

In ``args`` (and ``kwargs`` values) ``{"input": "x"}`` stands for input array ``x`` and ``{"inputs": [...]}``
for a list of input arrays; every other value is a literal, with JSON lists meaning tuples. ``__meta__`` is a
JSON string with the Keras, torch and NumPy versions, the backend and the seed.

Two deliberate exceptions, where Keras's torch backend departs from Keras's TensorFlow, JAX and NumPy
backends (and from the documented behaviour), both in ``keras/src/backend/torch/``:

* ``average_pool`` with *asymmetric* ``'same'`` padding: ``nn.py``'s ``_apply_same_padding`` pads by
  replicating the edge values (``mode="replicate"``) and the mean then counts the copies; the other backends
  average only the real (unpadded) elements.
* ``pad(..., mode="symmetric")``: ``numpy.py``'s ``pad`` turns it into torch's ``"replicate"``; the other
  backends follow NumPy (``[a, b, c]`` padded by 2 is ``[b, a, a, b, c, ...]``, not ``[a, a, a, b, c, ...]``).

For those cases ``y`` and the gradients come from the other backends' definition written with ``keras.ops``
(see ``definition`` below), still run through Keras and torch autograd; the torch backend's own values are
kept as ``y_torch`` and ``d<input>_torch`` and the case's ``note`` says so. Each definition is also checked
against the torch backend on the cases where the torch backend is right (symmetric 'same' pools, 'reflect').
"""

import io
import json
import math
import sys
from pathlib import Path

import keras
import numpy as np
import torch

SEED = 20240607
OUT = Path(__file__).with_name("ops_reference.npz")

rng = np.random.default_rng(SEED)


# ---------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------


def normal(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def uniform(low, high, *shape):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def away(*shape, low=0.3, high=1.5):
    """Random values with ``low <= |x| <= high``: safe near a kink or a pole at 0."""
    return (rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)).astype(np.float32)


def integers(low, high, *shape):
    return rng.integers(low, high, size=shape).astype(np.int32)


class In:
    """An argument that is one of the case's input arrays."""

    def __init__(self, key):
        self.key = key


class InList:
    """An argument that is a list of the case's input arrays."""

    def __init__(self, *keys):
        self.keys = keys


CASES = []


def case(name, op, inputs, args=None, note=None, **kwargs):
    """Add a case. ``args`` defaults to the inputs in order."""
    assert all(c["name"] != name for c in CASES), name
    args = [In(k) for k in inputs] if args is None else args
    CASES.append({"name": name, "op": op, "inputs": inputs, "args": args, "kwargs": kwargs, "note": note})


# ---------------------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------------------

# Activations. Inputs are continuous random values, so no element sits exactly on a kink.
for op in ["relu", "leaky_relu", "elu", "selu", "silu", "sigmoid", "softplus", "softsign", "tanh", "erf"]:
    case(op, op, {"x": normal(3, 5, scale=2.0)})
# At the kink itself every Keras backend (torch, TF, JAX) gives relu a zero gradient.
case("relu_at_zero", "relu", {"x": np.array([[-1.0, 0.0, 2.0], [0.0, -0.0, 0.5]], np.float32)})
case("relu6", "relu6", {"x": uniform(-3.0, 9.0, 3, 5)})
case("hard_sigmoid", "hard_sigmoid", {"x": uniform(-4.5, 4.5, 3, 5)})
# keras.ops has no `exponential`; the activation keras.activations.exponential is the reference.
case("exponential", "exponential", {"x": normal(3, 5)},
     note="keras.ops has no exponential: the reference is keras.activations.exponential")
case("gelu_approximate", "gelu", {"x": normal(3, 5, scale=2.0)}, approximate=True)
case("gelu_exact", "gelu", {"x": normal(3, 5, scale=2.0)}, approximate=False)
case("softmax", "softmax", {"x": normal(3, 5, scale=2.0)})
case("softmax_axis0", "softmax", {"x": normal(3, 5, scale=2.0)}, axis=0)
case("log_softmax", "log_softmax", {"x": normal(3, 5, scale=2.0)})
case("log_softmax_axis0", "log_softmax", {"x": normal(3, 5, scale=2.0)}, axis=0)

# Reductions, on a (2, 3, 4) input.
case("logsumexp", "logsumexp", {"x": normal(2, 3, 4, scale=2.0)})
case("logsumexp_axis1_keepdims", "logsumexp", {"x": normal(2, 3, 4, scale=2.0)}, axis=1, keepdims=True)
for op in ["sum", "mean", "max", "min", "var", "std"]:
    case(f"{op}_all", op, {"x": normal(2, 3, 4)})
    case(f"{op}_axis1", op, {"x": normal(2, 3, 4)}, axis=1)
    case(f"{op}_axis02_keepdims", op, {"x": normal(2, 3, 4)}, axis=(0, 2), keepdims=True)
case("prod_all", "prod", {"x": uniform(0.7, 1.3, 2, 3, 4) * rng.choice([-1, 1], (2, 3, 4)).astype(np.float32)})
case("prod_axis1", "prod", {"x": away(2, 3, 4)}, axis=1)
case("prod_axis02_keepdims", "prod", {"x": away(2, 3, 4)}, axis=(0, 2), keepdims=True)
# Ties: Keras (torch amax/amin, like TF and JAX) shares the gradient equally among tied maxima.
ties = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, 2.0], [0.5, -4.0, 0.5, -4.0]], np.float32)
case("max_ties_axis1", "max", {"x": ties}, axis=1)
case("min_ties_axis1", "min", {"x": ties}, axis=1)
case("max_ties_all", "max", {"x": ties})
for op in ["argmax", "argmin"]:
    case(f"{op}_all", op, {"x": normal(2, 3, 4)})
    case(f"{op}_axis1", op, {"x": normal(2, 3, 4)}, axis=1)
    case(f"{op}_axis2_keepdims", op, {"x": normal(2, 3, 4)}, axis=2, keepdims=True)
    case(f"{op}_ties_axis1", op, {"x": ties}, axis=1)
case("cumsum_axis1", "cumsum", {"x": normal(2, 3, 4)}, axis=1)
case("cumsum_flat", "cumsum", {"x": normal(2, 3)})

# Linear algebra.
case("matmul_batched", "matmul", {"x1": normal(2, 3, 4), "x2": normal(2, 4, 5)})
case("matmul_broadcast", "matmul", {"x1": normal(2, 1, 3, 4), "x2": normal(3, 4, 2)})
case("tensordot_axes1", "tensordot", {"x1": normal(3, 4), "x2": normal(4, 5)}, axes=1)
case("tensordot_axes_pairs", "tensordot", {"x1": normal(2, 3, 4), "x2": normal(4, 3, 5)}, axes=((1, 2), (1, 0)))
case("einsum_ij_jk", "einsum", {"a": normal(3, 4), "b": normal(4, 5)}, args=["ij,jk->ik", In("a"), In("b")])
case("einsum_batched_ellipsis", "einsum", {"a": normal(2, 3, 4), "b": normal(2, 4, 2)},
     args=["...ij,...jk->...ik", In("a"), In("b")])

# Elementwise with several inputs.
case("clip", "clip", {"x": normal(3, 5)}, args=[In("x"), -0.5, 0.7])
case("where", "where", {"condition": rng.random((3, 4)) < 0.5, "x1": normal(3, 4), "x2": normal(4)})
case("power", "power", {"x1": uniform(0.5, 2.0, 3, 4), "x2": normal(3, 4)})
case("power_scalar_exponent", "power", {"x1": normal(3, 4)}, args=[In("x1"), 3.0])
case("divide", "divide", {"x1": normal(3, 4), "x2": away(3, 4)})
case("divide_broadcast", "divide", {"x1": normal(2, 3, 4), "x2": away(4, low=0.5)})
case("maximum", "maximum", {"x1": normal(3, 4), "x2": normal(3, 4)})
case("minimum", "minimum", {"x1": normal(3, 4), "x2": normal(3, 4)})
case("maximum_broadcast", "maximum", {"x1": normal(3, 4), "x2": normal(4)})
case("minimum_broadcast", "minimum", {"x1": normal(3, 1), "x2": normal(1, 4)})

# Indexing, shapes and sorting.
case("take_axis0_repeated", "take", {"x": normal(5, 3), "indices": np.array([0, 2, 2, 4, 0, 2], np.int32)}, axis=0)
case("take_axis1_2d_indices", "take", {"x": normal(3, 4), "indices": np.array([[1, 1], [3, 0]], np.int32)}, axis=1)
case("take_negative_indices", "take", {"x": normal(4, 3), "indices": np.array([-1, 0, -4, -1], np.int32)}, axis=0)
case("take_flat", "take", {"x": normal(3, 4), "indices": np.array([5, 0, 5, 11], np.int32)})
case("take_along_axis", "take_along_axis",
     {"x": normal(3, 4), "indices": np.array([[0, 0], [3, 1], [2, 2]], np.int32)}, axis=1)
case("take_along_axis_axis0", "take_along_axis",
     {"x": normal(3, 4), "indices": np.array([[2, 0, 1, 1], [2, 2, 0, 1]], np.int32)}, axis=0)
case("one_hot", "one_hot", {"x": np.array([[0, 3], [2, 1], [3, 3]], np.int32)}, num_classes=4)
case("one_hot_axis0", "one_hot", {"x": np.array([1, 0, 2], np.int32)}, num_classes=3, axis=0)
case("top_k", "top_k", {"x": normal(3, 6)}, k=3)
case("sort", "sort", {"x": normal(3, 5)})
case("sort_axis0", "sort", {"x": normal(3, 5)}, axis=0)
case("pad_constant", "pad", {"x": normal(2, 3)}, pad_width=((1, 2), (0, 1)))
case("pad_constant_value", "pad", {"x": normal(2, 3)}, pad_width=((1, 0), (2, 2)), constant_values=1.5)
case("pad_reflect", "pad", {"x": normal(3, 4)}, pad_width=((2, 1), (1, 3)), mode="reflect")
case("pad_symmetric", "pad", {"x": normal(3, 4)}, pad_width=((2, 3), (1, 0)), mode="symmetric")
case("tile", "tile", {"x": normal(2, 3)}, repeats=(2, 3))
case("tile_more_dims", "tile", {"x": normal(2, 3)}, repeats=(2, 1, 2))
case("repeat_axis1", "repeat", {"x": normal(2, 3)}, repeats=2, axis=1)
# Per-element repeats go in as an integer array: Keras 3.15.1's torch backend fails on a tuple of ints (its
# `repeat` calls the module's own `all`, which shadows the builtin).
case("repeat_per_element", "repeat", {"x": normal(3, 2), "repeats": np.array([1, 3, 2], np.int32)}, axis=0)
case("repeat_flat", "repeat", {"x": normal(2, 2)}, repeats=3)
case("flip_axis1", "flip", {"x": normal(2, 3, 4)}, axis=1)
case("flip_all", "flip", {"x": normal(2, 3)})
case("roll_axis1", "roll", {"x": normal(2, 5)}, shift=2, axis=1)
case("roll_flat", "roll", {"x": normal(2, 3)}, shift=-4)
case("concatenate_axis1", "concatenate", {"a": normal(2, 3), "b": normal(2, 2)}, args=[InList("a", "b")], axis=1)
case("stack_axis1", "stack", {"a": normal(2, 3), "b": normal(2, 3)}, args=[InList("a", "b")], axis=1)
case("split_sections", "split", {"x": normal(2, 6)}, indices_or_sections=3, axis=1)
case("split_indices", "split", {"x": normal(5, 2)}, indices_or_sections=(1, 3), axis=0)

# Convolutions. Kernels are (*kernel_size, in_channels, out_channels) — for conv_transpose
# (*kernel_size, out_channels, in_channels) — as in Keras.
case("conv1d_valid", "conv", {"inputs": normal(2, 7, 3), "kernel": normal(3, 3, 4)})
case("conv1d_same_s2_even_kernel", "conv", {"inputs": normal(2, 8, 3), "kernel": normal(4, 3, 2)},
     strides=2, padding="same")
case("conv1d_same_dilation2", "conv", {"inputs": normal(1, 9, 2), "kernel": normal(3, 2, 3)},
     padding="same", dilation_rate=2)
case("conv2d_valid_s21", "conv", {"inputs": normal(2, 6, 5, 3), "kernel": normal(3, 2, 3, 4)}, strides=(2, 1))
case("conv2d_same_s2", "conv", {"inputs": normal(1, 7, 6, 2), "kernel": normal(3, 3, 2, 3)},
     strides=2, padding="same")
case("conv2d_valid_dilation21", "conv", {"inputs": normal(1, 7, 6, 2), "kernel": normal(3, 3, 2, 2)},
     dilation_rate=(2, 1))
case("conv2d_channels_first_same_dilation2", "conv", {"inputs": normal(1, 2, 6, 5), "kernel": normal(3, 2, 2, 3)},
     padding="same", dilation_rate=2, data_format="channels_first")
case("conv3d_valid", "conv", {"inputs": normal(1, 4, 5, 4, 2), "kernel": normal(2, 3, 2, 2, 3)})
case("conv3d_same_s2", "conv", {"inputs": normal(1, 5, 4, 5, 2), "kernel": normal(3, 3, 2, 2, 2)},
     strides=2, padding="same")
case("depthwise_conv1d_valid_s2", "depthwise_conv", {"inputs": normal(2, 8, 3), "kernel": normal(3, 3, 2)},
     strides=2)
case("depthwise_conv2d_same", "depthwise_conv", {"inputs": normal(1, 6, 5, 3), "kernel": normal(3, 3, 3, 2)},
     padding="same")
case("depthwise_conv2d_same_dilation2", "depthwise_conv",
     {"inputs": normal(1, 7, 7, 2), "kernel": normal(3, 3, 2, 1)}, padding="same", dilation_rate=2)
case("depthwise_conv2d_channels_first_s2", "depthwise_conv",
     {"inputs": normal(1, 3, 5, 6), "kernel": normal(3, 3, 3, 2)}, strides=2, data_format="channels_first")
case("separable_conv1d_same", "separable_conv",
     {"inputs": normal(2, 7, 3), "depthwise_kernel": normal(3, 3, 2), "pointwise_kernel": normal(1, 6, 4)},
     padding="same")
case("separable_conv2d_valid_s2", "separable_conv",
     {"inputs": normal(1, 7, 6, 3), "depthwise_kernel": normal(3, 3, 3, 2), "pointwise_kernel": normal(1, 1, 6, 4)},
     strides=2)
case("separable_conv2d_channels_first_same_dilation2", "separable_conv",
     {"inputs": normal(1, 2, 6, 6), "depthwise_kernel": normal(3, 3, 2, 2), "pointwise_kernel": normal(1, 1, 4, 3)},
     padding="same", dilation_rate=2, data_format="channels_first")
case("conv_transpose1d_valid_s1", "conv_transpose", {"inputs": normal(2, 5, 3), "kernel": normal(3, 2, 3)},
     strides=1)
case("conv_transpose1d_same_s1", "conv_transpose", {"inputs": normal(2, 5, 3), "kernel": normal(4, 2, 3)},
     strides=1, padding="same")
case("conv_transpose1d_valid_s2", "conv_transpose", {"inputs": normal(2, 4, 3), "kernel": normal(3, 2, 3)},
     strides=2)
case("conv_transpose1d_same_s2", "conv_transpose", {"inputs": normal(2, 4, 3), "kernel": normal(3, 2, 3)},
     strides=2, padding="same")
case("conv_transpose1d_valid_s2_output_padding1", "conv_transpose",
     {"inputs": normal(2, 4, 3), "kernel": normal(3, 2, 3)}, strides=2, output_padding=1)
case("conv_transpose1d_same_s2_output_padding1", "conv_transpose",
     {"inputs": normal(2, 4, 3), "kernel": normal(3, 2, 3)}, strides=2, padding="same", output_padding=1)
case("conv_transpose1d_valid_s1_dilation2", "conv_transpose",
     {"inputs": normal(1, 5, 2), "kernel": normal(3, 2, 2)}, strides=1, dilation_rate=2)
case("conv_transpose2d_valid_s1", "conv_transpose", {"inputs": normal(1, 3, 4, 2), "kernel": normal(3, 2, 3, 2)},
     strides=1)
case("conv_transpose2d_same_s1", "conv_transpose", {"inputs": normal(1, 4, 3, 2), "kernel": normal(3, 2, 3, 2)},
     strides=1, padding="same")
case("conv_transpose2d_valid_s2", "conv_transpose", {"inputs": normal(1, 3, 4, 2), "kernel": normal(3, 3, 3, 2)},
     strides=2)
case("conv_transpose2d_same_s2", "conv_transpose", {"inputs": normal(1, 3, 4, 2), "kernel": normal(3, 3, 3, 2)},
     strides=2, padding="same")
case("conv_transpose2d_same_s2_even_kernel", "conv_transpose",
     {"inputs": normal(1, 3, 3, 2), "kernel": normal(4, 4, 2, 2)}, strides=2, padding="same")
case("conv_transpose2d_valid_s2_kernel_lt_stride", "conv_transpose",
     {"inputs": normal(1, 3, 3, 2), "kernel": normal(1, 2, 2, 2)}, strides=(3, 3))
case("conv_transpose2d_valid_s2_output_padding10", "conv_transpose",
     {"inputs": normal(1, 3, 4, 2), "kernel": normal(3, 3, 3, 2)}, strides=2, output_padding=(1, 0))
case("conv_transpose2d_same_s2_output_padding01", "conv_transpose",
     {"inputs": normal(1, 3, 4, 2), "kernel": normal(3, 3, 3, 2)}, strides=2, padding="same", output_padding=(0, 1))
case("conv_transpose2d_same_s1_dilation2", "conv_transpose",
     {"inputs": normal(1, 5, 4, 2), "kernel": normal(3, 3, 2, 2)}, strides=1, padding="same", dilation_rate=2)
case("conv_transpose2d_valid_s1_dilation2", "conv_transpose",
     {"inputs": normal(1, 3, 4, 2), "kernel": normal(2, 3, 2, 2)}, strides=1, dilation_rate=2)
case("conv_transpose2d_channels_first_same_s2", "conv_transpose",
     {"inputs": normal(1, 2, 3, 4), "kernel": normal(3, 3, 3, 2)}, strides=2, padding="same",
     data_format="channels_first")
case("conv_transpose3d_valid_s2", "conv_transpose",
     {"inputs": normal(1, 2, 3, 2, 2), "kernel": normal(2, 3, 2, 2, 2)}, strides=2)

# Pooling. 'same' cases have symmetric padding (torch pads natively) and asymmetric padding (extra at the end).
POOLS = [
    # name, input shape (channels last), pool_size, strides, padding
    ("1d_valid", (2, 7, 3), 2, None, "valid"),
    ("1d_valid_overlap", (2, 7, 2), 3, 1, "valid"),
    ("1d_same_symmetric", (2, 7, 2), 3, 2, "same"),
    ("1d_same_asymmetric", (2, 6, 2), 3, 2, "same"),
    ("2d_valid", (1, 6, 5, 2), (2, 2), None, "valid"),
    ("2d_valid_overlap_s21", (1, 6, 5, 2), (3, 2), (2, 1), "valid"),
    ("2d_same_symmetric", (1, 5, 6, 2), 3, 1, "same"),
    ("2d_same_asymmetric", (1, 6, 5, 2), 3, 2, "same"),
    ("3d_valid", (1, 4, 5, 4, 2), 2, None, "valid"),
    ("3d_same_asymmetric", (1, 5, 4, 3, 2), 2, 2, "same"),
]
for op in ["max_pool", "average_pool"]:
    for tag, shape, pool_size, strides, padding in POOLS:
        case(f"{op}{tag}", op, {"inputs": normal(*shape)}, pool_size=pool_size, strides=strides, padding=padding)
    case(f"{op}2d_channels_first_same_asymmetric", op, {"inputs": normal(1, 2, 6, 5)}, pool_size=3, strides=2,
         padding="same", data_format="channels_first")
    case(f"{op}2d_channels_first_valid", op, {"inputs": normal(1, 2, 6, 5)}, pool_size=2,
         data_format="channels_first")


# ---------------------------------------------------------------------------------------------------------
# Running a case under Keras and torch autograd
# ---------------------------------------------------------------------------------------------------------


def to_json(value):
    if isinstance(value, In):
        return {"input": value.key}
    if isinstance(value, InList):
        return {"inputs": list(value.keys)}
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def resolve(value, tensors):
    """Turn a case argument into what is passed to keras.ops: an input tensor, a list of them, or a literal."""
    if isinstance(value, In):
        return tensors[value.key]
    if isinstance(value, InList):
        return [tensors[k] for k in value.keys]
    if isinstance(value, (tuple, list)):
        return tuple(resolve(v, tensors) for v in value)
    return value


def call_with_grads(fn, inputs, weights=None):
    """Run ``fn(tensors)`` on torch autograd tensors; return outputs, weights and float-input gradients."""
    tensors = {k: torch.tensor(v, requires_grad=v.dtype.kind == "f") for k, v in inputs.items()}
    out = fn(tensors)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    outs_np = [keras.ops.convert_to_numpy(o) for o in outs]
    if weights is None:
        weights = [normal(*o.shape) if o.dtype.kind == "f" else None for o in outs_np]
    # Integer outputs (argmax, top_k's indices, ...) are not differentiable: no weights and no gradients.
    float_keys = [k for k, v in inputs.items() if v.dtype.kind == "f"]
    grads = {}
    if float_keys and any(w is not None for w in weights):
        target = sum((o * torch.tensor(w)).sum() for o, w in zip(outs, weights) if w is not None)
        got = torch.autograd.grad(target, [tensors[k] for k in float_keys], allow_unused=True)
        for k, g in zip(float_keys, got):
            if g is None:
                raise RuntimeError(f"no gradient reached input {k!r}: Keras detached it")
            grads[k] = g.numpy()
    return outs_np, weights, grads


def same_padding(n, k, s):
    """Keras's (TF's) 'same' padding (before, after) along one axis."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def average_pool_definition(x, pool_size, strides, padding, data_format):
    """Average pool as Keras's JAX and NumPy backends define it: the sum over each window of the zero-padded
    input divided by the number of real (unpadded) elements in the window."""
    ops = keras.ops
    if data_format == "channels_first":
        x = ops.moveaxis(x, 1, -1)
    d = x.ndim - 2
    size = (pool_size,) * d if isinstance(pool_size, int) else tuple(pool_size)
    strides = size if strides is None else ((strides,) * d if isinstance(strides, int) else tuple(strides))
    if padding == "same":
        pads = [same_padding(n, k, s) for n, k, s in zip(x.shape[1:-1], size, strides)]
    else:
        pads = [(0, 0)] * d
    pad_width = ((0, 0), *pads, (0, 0))
    ones = ops.ones((1, *x.shape[1:-1], 1), dtype="float32")
    window = math.prod(size)
    sums = ops.average_pool(ops.pad(x, pad_width), size, strides, "valid") * window
    counts = ops.average_pool(ops.pad(ones, pad_width), size, strides, "valid") * window
    y = sums / counts
    return ops.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def pad_definition(x, pad_width, mode):
    """``pad`` in 'reflect' or 'symmetric' mode as NumPy (and Keras's TF, JAX and NumPy backends) define it:
    a ``keras.ops.take`` along each axis of the indices ``np.pad(arange(n), ..., mode)`` picks."""
    for axis, (before, after) in enumerate(pad_width):
        index = np.pad(np.arange(x.shape[axis]), (before, after), mode=mode).astype(np.int32)
        x = keras.ops.take(x, index, axis=axis)
    return x


def is_asymmetric_same_pool(kw, x):
    if kw.get("padding") != "same":
        return False
    spatial = x.shape[2:] if kw.get("data_format") == "channels_first" else x.shape[1:-1]
    d = len(spatial)
    size = kw["pool_size"]
    size = (size,) * d if isinstance(size, int) else size
    strides = size if kw.get("strides") is None else kw.get("strides")
    strides = (strides,) * d if isinstance(strides, int) else strides
    return any(a != b for a, b in map(same_padding, spatial, size, strides))


def definition(spec):
    """For ops where Keras's torch backend departs from Keras's other backends in some cases: return
    ``(fn, torch_is_wrong, why)``, ``fn`` the definition written with other keras.ops. Else ``None``."""
    kw, inputs = spec["kwargs"], spec["inputs"]
    if spec["op"] == "average_pool":
        def fn(t):
            return average_pool_definition(t["inputs"], kw["pool_size"], kw.get("strides"),
                                           kw.get("padding", "valid"), kw.get("data_format"))

        why = ("reference from the definition in Keras's JAX/NumPy backends (mean of the real elements); Keras's "
               "torch backend pads asymmetric 'same' by replicating edges and counts the copies (kept as y_torch)")
        return fn, is_asymmetric_same_pool(kw, inputs["inputs"]), why
    if spec["op"] == "pad" and kw.get("mode") in ("reflect", "symmetric"):
        def fn(t):
            return pad_definition(t["x"], kw["pad_width"], kw["mode"])

        why = ("reference from NumPy's definition (as Keras's TF/JAX/NumPy backends); Keras's torch backend "
               "turns mode='symmetric' into torch's 'replicate' (kept as y_torch)")
        return fn, kw["mode"] == "symmetric", why
    return None


def run(spec):
    inputs = spec["inputs"]
    namespace = keras.ops if hasattr(keras.ops, spec["op"]) else keras.activations
    fn = getattr(namespace, spec["op"])
    outs, weights, grads = call_with_grads(
        lambda t: fn(*resolve(spec["args"], t), **{k: resolve(v, t) for k, v in spec["kwargs"].items()}), inputs)
    arrays = {}
    if definition(spec) is not None:
        define, torch_is_wrong, why = definition(spec)
        ref_outs, _, ref_grads = call_with_grads(define, inputs, weights)
        if torch_is_wrong:
            spec["note"] = why
            arrays["y_torch"] = outs[0]
            arrays.update({f"d{k}_torch": g for k, g in grads.items()})
            outs, grads = ref_outs, ref_grads
        else:  # the definition must agree with the torch backend wherever the torch backend is right
            np.testing.assert_allclose(ref_outs[0], outs[0], rtol=1e-6, atol=1e-6, err_msg=spec["name"])
            for k, g in grads.items():
                np.testing.assert_allclose(ref_grads[k], g, rtol=1e-6, atol=1e-6, err_msg=spec["name"])
    single = len(outs) == 1
    out_keys = ["y"] if single else [f"y{i}" for i in range(len(outs))]
    weight_keys = []
    for key, o, w in zip(out_keys, outs, weights):
        arrays[key] = o
        if w is not None:
            wkey = "w" + key[1:]
            arrays[wkey] = w
            weight_keys.append(wkey)
        else:
            weight_keys.append(None)
    for k, v in inputs.items():
        arrays[k] = v
    for k, g in grads.items():
        arrays[f"d{k}"] = g
    entry = {
        "name": spec["name"],
        "op": spec["op"],
        "keras_function": f"{namespace.__name__}.{spec['op']}",
        "args": to_json(spec["args"]),
        "kwargs": to_json(spec["kwargs"]),
        "inputs": list(inputs),
        "outputs": out_keys,
        "weights": weight_keys,
        "grads": {k: f"d{k}" for k in grads},
    }
    if spec["note"]:
        entry["note"] = spec["note"]
    return entry, arrays


def main():
    if keras.backend.backend() != "torch":
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
        "generator": "tests/reference/make_refs.py",
    }
    store["__cases__"] = np.array(json.dumps(entries))
    store["__meta__"] = np.array(json.dumps(meta))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **store)
    OUT.write_bytes(buffer.getvalue())
    print(f"wrote {len(entries)} cases, {len(store)} arrays, {OUT.stat().st_size / 1024:.1f} KiB to {OUT}")


def main_all():
    """Write the ops fixture, then run every sibling generator (``make_*_refs.py``)."""
    import runpy

    main()
    for script in sorted(OUT.parent.glob("make_*_refs.py")):
        print(f"== {script.name}")
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    import sys

    main_all() if "--all" in sys.argv[1:] else main()
