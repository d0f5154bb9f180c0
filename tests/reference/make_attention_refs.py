"""Generate the Keras reference values for the attention and preprocessing layers.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment, and writes ``tests/reference/attention_reference.npz``, which is committed and read by
``tests/test_layers_attention.py`` and ``tests/test_layers_preprocessing.py``. Keras's text layers
(``StringLookup``, ``IntegerLookup``, ``TextVectorization``) need TensorFlow whatever the backend, so the
environment has TensorFlow (CPU) next to torch::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras==3.15.1 torch tensorflow-cpu
    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_attention_refs.py

Importing this module does nothing (Keras is imported inside ``main``), so pytest's doctest collection can import
it in the kerasnb environment.

Each case builds one Keras layer from ``init`` (its constructor arguments), calls it on small seeded inputs and
records, under ``NAME/<key>``:

* the inputs (``NAME/<input>``), and for masked inputs their Keras masks;
* ``NAME/w0``, ``w1``, ... the layer's weights after the call (``get_weights()`` order), so kerasnb can load them;
* the outputs ``NAME/y`` (or ``y0``, ``y1`` for a tuple of outputs);
* for trainable layers, with fixed random output weights ``NAME/r`` (``r0``, ...), the gradients of
  ``sum(output * r)`` with respect to every float input (``NAME/d_<input>``) and every weight (``NAME/d_w<i>``),
  from torch autograd.

``__cases__`` is a JSON list of cases::

    {"name", "layer": "<keras.layers name>", "init": {...}, "args": [...], "kwargs": {...}, "inputs": [...],
     "masks": {"<input>": "<mask key>"}, "adapt": "<key>" | null, "adapt_batches": bool,
     "method": "call" | "transform_images",
     "transformation": {"<name>": "<key>"}, "outputs": [...], "weights": n, "count_params": n,
     "grads": [...], "vocabulary": [...] | null, "config": {...}, "note": ...}

In ``args``/``kwargs`` ``{"input": k}`` is the input array ``k`` and ``{"inputs": [...]}`` a list of them; JSON
lists are tuples. ``transform_images`` cases call ``layer.transform_images(x, transformation, training=True)``
with the transformation recorded from Keras's own ``get_random_transformation`` (random layers cannot share
random draws across frameworks, so the transformation itself is the fixture). ``__meta__`` holds the versions.
"""

import json
from pathlib import Path

import numpy as np

SEED = 20240611
OUT = Path(__file__).with_name("attention_reference.npz")


def main():
    import keras
    import torch
    from keras.src import backend as kbackend

    rng = np.random.default_rng(SEED)
    arrays, cases = {}, []

    def normal(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    def to_torch(x, grad=False):
        t = torch.tensor(x)
        if grad and t.dtype.is_floating_point:
            t.requires_grad_(True)
        return t

    def resolve(value, tensors):
        if isinstance(value, dict) and set(value) == {"input"}:
            return tensors[value["input"]]
        if isinstance(value, dict) and set(value) == {"inputs"}:
            return [tensors[k] for k in value["inputs"]]
        if isinstance(value, (list, tuple)):
            return tuple(resolve(v, tensors) for v in value)
        return value

    def jsonable(value):
        if isinstance(value, dict) and set(value) <= {"input", "inputs"}:
            return value
        if isinstance(value, tuple):
            return [jsonable(v) for v in value]
        return value

    def numpy(t):
        if hasattr(t, "numpy") and not isinstance(t, torch.Tensor):  # a TensorFlow tensor (text layers)
            t = t.numpy()
            return np.char.decode(t.astype(bytes), "utf-8") if t.dtype == object else t
        return keras.ops.convert_to_numpy(t)

    def case(name, layer, inputs, init=None, args=None, kwargs=None, masks=None, adapt=None, grads=False,
             method="call", transformation=None, tf_inputs=False, note=None):
        assert all(c["name"] != name for c in cases), name
        init, kwargs = dict(init or {}), dict(kwargs or {})
        args = [{"input": k} for k in inputs] if args is None else args
        for key, value in inputs.items():
            arrays[f"{name}/{key}"] = value
        for key, value in (masks or {}).items():
            arrays[f"{name}/{key}_mask"] = value
        layer_obj = getattr(keras.layers, layer)(**init)
        if adapt is not None:
            arrays[f"{name}/adapt"] = np.stack(adapt) if isinstance(adapt, list) else adapt  # a list: batches
            layer_obj.adapt(adapt)
        tensors = {k: to_torch(v, grad=grads) if isinstance(v, np.ndarray) and v.dtype.kind != "U" else v
                   for k, v in inputs.items()}
        if tf_inputs:  # an inverting lookup returns strings, which torch tensors cannot hold
            import tensorflow as tf

            tensors = {k: tf.constant(v) for k, v in inputs.items()}
        for key, value in (masks or {}).items():
            kbackend.set_keras_mask(tensors[key], torch.tensor(value))
        call_args = [resolve(a, tensors) for a in args]
        call_kwargs = {k: resolve(v, tensors) for k, v in kwargs.items()}
        if method == "call":
            out = layer_obj(*call_args, **call_kwargs)
        else:
            transform = {k: to_torch(v) if isinstance(v, np.ndarray) else v for k, v in transformation.items()}
            for k, v in transformation.items():
                if isinstance(v, np.ndarray):
                    arrays[f"{name}/t_{k}"] = v
            out = layer_obj.transform_images(*call_args, transform, training=True)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        out_keys = ["y"] if len(outs) == 1 else [f"y{i}" for i in range(len(outs))]
        for key, o in zip(out_keys, outs):
            arrays[f"{name}/{key}"] = numpy(o)
        weights = layer_obj.get_weights()
        for i, w in enumerate(weights):
            arrays[f"{name}/w{i}"] = np.asarray(w)
        grad_keys = []
        if grads:
            sources = [tensors[k] for k in inputs if isinstance(tensors[k], torch.Tensor) and tensors[k].requires_grad]
            names = [f"d_{k}" for k in inputs if isinstance(tensors[k], torch.Tensor) and tensors[k].requires_grad]
            trainable = [v for v in layer_obj.weights if v.trainable]
            sources += [v.value for v in trainable]
            names += [f"d_w{[id(w) for w in layer_obj.weights].index(id(v))}" for v in trainable]
            loss = 0
            for i, o in enumerate(outs):
                r = (rng.uniform(0.5, 1.5, o.shape) * rng.choice([-1, 1], o.shape)).astype(np.float32)
                arrays[f"{name}/r{i}"] = r
                loss = loss + (o * torch.tensor(r)).sum()
            for key, g in zip(names, torch.autograd.grad(loss, sources, allow_unused=True)):
                arrays[f"{name}/{key}"] = np.zeros(1, np.float32) if g is None else g.detach().numpy()
                grad_keys.append(key)
        config = layer_obj.get_config()
        config = {k: v for k, v in config.items() if k not in ("name", "dtype", "trainable")}
        vocabulary = None
        if hasattr(layer_obj, "get_vocabulary"):
            vocabulary = [str(v) for v in layer_obj.get_vocabulary()]
        cases.append({
            "name": name, "layer": layer, "init": init, "args": [jsonable(a) for a in args],
            "kwargs": {k: jsonable(v) for k, v in kwargs.items()}, "inputs": list(inputs),
            "masks": {k: f"{k}_mask" for k in (masks or {})}, "adapt": None if adapt is None else "adapt",
            "adapt_batches": isinstance(adapt, list),
            "method": method, "transformation": {k: f"t_{k}" if isinstance(v, np.ndarray) else v
                                                for k, v in (transformation or {}).items()},
            "outputs": out_keys, "weights": len(weights), "grads": grad_keys,
            "count_params": layer_obj.count_params() if layer_obj.built else None,
            "vocabulary": vocabulary, "config": json.loads(json.dumps(config, default=repr)), "note": note,
        })
        return layer_obj

    # -----------------------------------------------------------------------------------------------------
    # Attention and AdditiveAttention: [query, value(, key)], shapes (2, 3, 4) and (2, 5, 4).
    # -----------------------------------------------------------------------------------------------------
    qv = {"q": normal(2, 3, 4), "v": normal(2, 5, 4)}
    qvk = {"q": normal(2, 3, 4), "v": normal(2, 5, 4), "k": normal(2, 5, 4)}
    q_mask = np.array([[True, True, False], [True, False, True]])
    v_mask = np.array([[True, True, True, False, False], [True, False, True, True, True]])
    two = [{"inputs": ["q", "v"]}]
    three = [{"inputs": ["q", "v", "k"]}]
    case("attention_dot", "Attention", qv, args=two, grads=True)
    case("attention_dot_scale_key_scores", "Attention", qvk, init={"use_scale": True}, args=three,
         kwargs={"return_attention_scores": True}, grads=True)
    case("attention_concat", "Attention", qvk, init={"score_mode": "concat"}, args=three, grads=True)
    case("attention_concat_scale", "Attention", qv, init={"score_mode": "concat", "use_scale": True}, args=two,
         kwargs={"return_attention_scores": True}, grads=True)
    masked = {**qv, "qm": q_mask, "vm": v_mask}
    case("attention_masks", "Attention", masked, args=two, kwargs={"mask": {"inputs": ["qm", "vm"]},
                                                                     "return_attention_scores": True}, grads=True)
    self_attn = {"x": normal(2, 4, 3)}
    case("attention_causal", "Attention", self_attn, args=[{"inputs": ["x", "x"]}],
         kwargs={"use_causal_mask": True, "return_attention_scores": True}, grads=True)
    causal_masked = {"x": normal(2, 4, 3), "xm": np.array([[True, True, True, False], [True, False, True, True]])}
    case("attention_causal_value_mask", "Attention", causal_masked, args=[{"inputs": ["x", "x"]}],
         kwargs={"use_causal_mask": True, "mask": {"inputs": ["xm", "xm"]}}, grads=True)
    case("additive", "AdditiveAttention", qv, args=two, kwargs={"return_attention_scores": True}, grads=True)
    case("additive_key_no_scale", "AdditiveAttention", qvk, init={"use_scale": False}, args=three, grads=True)
    case("additive_masks", "AdditiveAttention", masked, args=two,
         kwargs={"mask": {"inputs": ["qm", "vm"]}}, grads=True)

    # -----------------------------------------------------------------------------------------------------
    # MultiHeadAttention
    # -----------------------------------------------------------------------------------------------------
    case("mha_basic", "MultiHeadAttention", qv, init={"num_heads": 2, "key_dim": 3}, grads=True)
    case("mha_scores", "MultiHeadAttention", qv, init={"num_heads": 2, "key_dim": 3},
         kwargs={"return_attention_scores": True}, grads=True)
    kv_dims = {"q": normal(2, 3, 4), "v": normal(2, 5, 6), "k": normal(2, 5, 2)}
    case("mha_key_value_dims_output_shape", "MultiHeadAttention", kv_dims,
         init={"num_heads": 3, "key_dim": 2, "value_dim": 4, "output_shape": 5, "use_bias": False},
         kwargs={"return_attention_scores": True}, grads=True)
    case("mha_output_shape_2d", "MultiHeadAttention", qv, init={"num_heads": 1, "key_dim": 2, "output_shape": (2, 3)},
         grads=True)
    att_mask = rng.random((2, 4, 4)) > 0.3
    att_mask[:, :, 0] = True  # every query sees at least one key
    case("mha_attention_mask_causal", "MultiHeadAttention", {"x": normal(2, 4, 4), "am": att_mask},
         init={"num_heads": 2, "key_dim": 2}, args=[{"input": "x"}, {"input": "x"}],
         kwargs={"attention_mask": {"input": "am"}, "use_causal_mask": True, "return_attention_scores": True},
         grads=True)
    case("mha_causal_only", "MultiHeadAttention", {"x": normal(2, 4, 4)}, init={"num_heads": 2, "key_dim": 2},
         args=[{"input": "x"}, {"input": "x"}], kwargs={"use_causal_mask": True}, grads=True,
         note="Keras routes a causal-only mask to the fused dot_product_attention kernel")
    case("mha_query_value_masks", "MultiHeadAttention", {**qv, "vm": v_mask}, init={"num_heads": 2, "key_dim": 3},
         args=[{"input": "q"}, {"input": "v"}], kwargs={"value_mask": {"input": "vm"}, "return_attention_scores": True},
         masks={"q": q_mask}, grads=True,
         note="the query's mask is its Keras mask (backend.set_keras_mask), as from Embedding(mask_zero=True)")
    case("mha_value_mask_fused", "MultiHeadAttention", {**qv}, init={"num_heads": 2, "key_dim": 3},
         masks={"v": v_mask}, grads=True, note="the value's Keras mask becomes value_mask; no scores: fused kernel")
    case("mha_attention_axes", "MultiHeadAttention", {"x": normal(2, 3, 2, 4)},
         init={"num_heads": 2, "key_dim": 2, "attention_axes": (1, 2)}, args=[{"input": "x"}, {"input": "x"}],
         kwargs={"return_attention_scores": True}, grads=True)
    case("mha_attention_axis_2", "MultiHeadAttention", {"q": normal(2, 3, 2, 4), "v": normal(2, 3, 5, 4)},
         init={"num_heads": 2, "key_dim": 2, "attention_axes": 2}, kwargs={"return_attention_scores": True},
         grads=True)
    case("mha_gate_sliding_window", "MultiHeadAttention", {"x": normal(2, 5, 4)},
         init={"num_heads": 2, "key_dim": 3, "use_gate": True, "sliding_window": 2},
         args=[{"input": "x"}, {"input": "x"}], kwargs={"return_attention_scores": True}, grads=True)

    # -----------------------------------------------------------------------------------------------------
    # Preprocessing: numbers
    # -----------------------------------------------------------------------------------------------------
    image_u8 = rng.integers(0, 256, size=(2, 5, 6, 3)).astype(np.uint8)
    case("rescaling_uint8", "Rescaling", {"x": image_u8}, init={"scale": 1 / 127.5, "offset": -1.0})
    case("rescaling_float", "Rescaling", {"x": normal(2, 3)}, init={"scale": 2.0})
    case("rescaling_int64", "Rescaling", {"x": rng.integers(-5, 5, size=(3, 2))}, init={"scale": 0.5, "offset": 1})
    data = (rng.standard_normal((20, 3)) * [1.0, 5.0, 0.2] + [0.0, 3.0, -1.0]).astype(np.float32)
    case("normalization_adapt", "Normalization", {"x": normal(4, 3) * 3}, adapt=data)
    case("normalization_adapt_none", "Normalization", {"x": normal(4, 3) * 3}, init={"axis": None}, adapt=data)
    data3 = (rng.standard_normal((6, 2, 3)) * 2 + 1).astype(np.float32)
    case("normalization_adapt_axes", "Normalization", {"x": normal(2, 2, 3)}, init={"axis": (1, 2)}, adapt=data3)
    case("normalization_adapt_axis1_rank3", "Normalization", {"x": normal(2, 2, 3)}, init={"axis": 1}, adapt=data3)
    case("normalization_mean_var", "Normalization", {"x": normal(4, 3)},
         init={"mean": [1.0, 2.0, 3.0], "variance": [4.0, 1.0, 0.25]})
    case("normalization_scalar_mean_var", "Normalization", {"x": normal(4, 1)}, init={"mean": 3.0, "variance": 2.0})
    case("normalization_invert", "Normalization", {"x": normal(4, 3)}, init={"invert": True}, adapt=data)
    case("normalization_adapt_batches", "Normalization", {"x": normal(4, 3)}, adapt=[data[:10], data[10:]])

    ids = np.array([[0, 1, 3, 1], [2, 2, 0, 4]], np.int32)
    for mode in ["one_hot", "multi_hot", "count"]:
        case(f"category_encoding_{mode}_rank1", "CategoryEncoding", {"x": np.array([3, 1, 0, 1], np.int32)},
             init={"num_tokens": 5, "output_mode": mode})
        if mode != "one_hot":
            case(f"category_encoding_{mode}_rank2", "CategoryEncoding", {"x": ids}, init={"num_tokens": 6,
                                                                                          "output_mode": mode})
    case("category_encoding_one_hot_column", "CategoryEncoding", {"x": np.array([[3], [1], [0]], np.int32)},
         init={"num_tokens": 4, "output_mode": "one_hot"})
    case("category_encoding_count_weights", "CategoryEncoding",
         {"x": ids, "cw": rng.uniform(0, 2, ids.shape).astype(np.float32)}, init={"num_tokens": 5,
                                                                                    "output_mode": "count"},
         args=[{"input": "x"}], kwargs={"count_weights": {"input": "cw"}})

    values = np.array([[-1.5, 0.0, 0.2, 1.0], [2.5, 0.5, -0.3, 7.0]], np.float32)
    case("discretization_boundaries", "Discretization", {"x": values}, init={"bin_boundaries": [0.0, 0.5, 1.0]})
    case("discretization_one_hot", "Discretization", {"x": values[0]},
         init={"bin_boundaries": [0.0, 0.5, 1.0], "output_mode": "one_hot"})
    case("discretization_multi_hot", "Discretization", {"x": values},
         init={"bin_boundaries": [0.0, 0.5, 1.0], "output_mode": "multi_hot"})
    case("discretization_count", "Discretization", {"x": values},
         init={"bin_boundaries": [0.0, 0.5, 1.0], "output_mode": "count"})
    case("discretization_adapt", "Discretization", {"x": values}, init={"num_bins": 4},
         adapt=rng.standard_normal(200).astype(np.float32))
    case("discretization_adapt_small", "Discretization", {"x": values}, init={"num_bins": 3, "epsilon": 0.1},
         adapt=np.array([[0.5, 1.0, 2.0], [3.0, 4.0, 8.0]], np.float32))

    # -----------------------------------------------------------------------------------------------------
    # Preprocessing: images
    # -----------------------------------------------------------------------------------------------------
    image = rng.uniform(0, 255, size=(2, 6, 8, 3)).astype(np.float32)
    case("center_crop", "CenterCrop", {"x": image}, init={"height": 3, "width": 5})
    case("center_crop_unbatched", "CenterCrop", {"x": image[0]}, init={"height": 4, "width": 4})
    case("center_crop_upscale", "CenterCrop", {"x": image}, init={"height": 8, "width": 5},
         note="the target is taller than the image: Keras resizes (smart_resize) instead of cropping")
    case("center_crop_uint8", "CenterCrop", {"x": image_u8}, init={"height": 3, "width": 3})
    case("resizing_bilinear_down", "Resizing", {"x": image}, init={"height": 4, "width": 5})
    case("resizing_bilinear_up", "Resizing", {"x": image}, init={"height": 9, "width": 11})
    case("resizing_nearest", "Resizing", {"x": image}, init={"height": 4, "width": 11, "interpolation": "nearest"})
    case("resizing_crop_to_aspect_ratio", "Resizing", {"x": image}, init={"height": 4, "width": 4,
                                                                           "crop_to_aspect_ratio": True})
    case("resizing_pad_to_aspect_ratio", "Resizing", {"x": image[0]}, init={"height": 5, "width": 3,
                                                                             "pad_to_aspect_ratio": True,
                                                                             "fill_value": 7.0})
    case("resizing_uint8", "Resizing", {"x": image_u8}, init={"height": 3, "width": 4})
    case("resizing_bicubic", "Resizing", {"x": image}, init={"height": 4, "width": 11, "interpolation": "bicubic"})
    case("resizing_antialias_bilinear", "Resizing", {"x": image}, init={"height": 4, "width": 3, "antialias": True})
    case("resizing_antialias_bicubic", "Resizing", {"x": image},
         init={"height": 3, "width": 5, "interpolation": "bicubic", "antialias": True})
    case("resizing_antialias_upscale", "Resizing", {"x": image}, init={"height": 9, "width": 12, "antialias": True})
    case("resizing_channels_first", "Resizing", {"x": image.transpose(0, 3, 1, 2)},
         init={"height": 4, "width": 5, "data_format": "channels_first"})

    for mode in ["horizontal", "vertical", "horizontal_and_vertical"]:
        case(f"random_flip_{mode}", "RandomFlip", {"x": image}, init={"mode": mode}, method="transform_images",
             transformation={"flips": np.array([True, False]).reshape(2, 1, 1, 1)})
    case("random_flip_inference", "RandomFlip", {"x": image}, init={"seed": 1}, kwargs={"training": False})
    small = rng.uniform(0, 1, size=(2, 5, 7, 2)).astype(np.float32)

    def transformation_of(layer, init, x):
        t = getattr(keras.layers, layer)(**init).get_random_transformation(torch.tensor(x), training=True)
        return {k: numpy(v) if isinstance(v, torch.Tensor) else v for k, v in t.items() if k != "input_shape"}

    for fill in ["reflect", "wrap", "constant", "nearest"]:
        for interpolation in ["bilinear", "nearest"]:
            init = {"factor": 0.2, "fill_mode": fill, "interpolation": interpolation, "fill_value": 0.5, "seed": 3}
            case(f"random_rotation_{fill}_{interpolation}", "RandomRotation", {"x": small}, init=init,
                 method="transform_images", transformation=transformation_of("RandomRotation", init, small))
    init = {"factor": (-0.5, 0.5), "fill_mode": "constant", "seed": 4}
    case("random_rotation_unbatched", "RandomRotation", {"x": small[0]}, init=init, method="transform_images",
         transformation=transformation_of("RandomRotation", init, small[0]))
    case("random_rotation_inference", "RandomRotation", {"x": small}, init={"factor": 0.3},
         kwargs={"training": False})
    for fill in ["reflect", "constant"]:
        init = {"height_factor": (-0.4, 0.3), "width_factor": 0.3, "fill_mode": fill, "seed": 5}
        case(f"random_zoom_{fill}", "RandomZoom", {"x": small}, init=init, method="transform_images",
             transformation=transformation_of("RandomZoom", init, small))
    init = {"height_factor": 0.3, "interpolation": "nearest", "fill_mode": "wrap", "seed": 6}
    case("random_zoom_same_factor_nearest", "RandomZoom", {"x": small}, init=init, method="transform_images",
         transformation=transformation_of("RandomZoom", init, small))
    for fill in ["reflect", "wrap", "constant", "nearest"]:
        init = {"height_factor": 0.3, "width_factor": (-0.2, 0.4), "fill_mode": fill, "seed": 7}
        case(f"random_translation_{fill}", "RandomTranslation", {"x": small}, init=init, method="transform_images",
             transformation=transformation_of("RandomTranslation", init, small))
    init = {"height_factor": 0.3, "width_factor": 0.3, "interpolation": "nearest", "seed": 8}
    case("random_translation_nearest_interpolation", "RandomTranslation", {"x": small}, init=init,
         method="transform_images", transformation=transformation_of("RandomTranslation", init, small))
    init = {"factor": 0.5, "seed": 9}
    case("random_contrast", "RandomContrast", {"x": image}, init=init, method="transform_images",
         transformation=transformation_of("RandomContrast", init, image))
    init = {"factor": (0.3, 0.8), "value_range": (0, 1), "seed": 10}
    case("random_contrast_range", "RandomContrast", {"x": small}, init=init, method="transform_images",
         transformation=transformation_of("RandomContrast", init, small))
    case("random_contrast_inference", "RandomContrast", {"x": image}, init={"factor": 0.5},
         kwargs={"training": False})

    # -----------------------------------------------------------------------------------------------------
    # Preprocessing: text (Keras runs these on TensorFlow whatever the backend)
    # -----------------------------------------------------------------------------------------------------
    words = np.array([["a", "b", "zz"], ["c", "a", ""]])
    vocab = ["a", "b", "c", "d"]
    case("string_lookup_int", "StringLookup", {"x": words}, init={"vocabulary": vocab})
    case("string_lookup_mask", "StringLookup", {"x": words}, init={"vocabulary": vocab, "mask_token": ""})
    case("string_lookup_two_oov", "StringLookup", {"x": words}, init={"vocabulary": vocab, "num_oov_indices": 2})
    case("string_lookup_no_oov_token_order", "StringLookup", {"x": words},
         init={"vocabulary": vocab, "oov_token": "<unk>", "mask_token": "[PAD]"})
    many = np.array([["the", "zebra", "a", "supercalifragilistic", "x" * 40, "y" * 70], ["", "é", "b", "日本語",
                                                                                         "d", "quokka"]])
    case("string_lookup_three_oov_hash", "StringLookup", {"x": many}, init={"vocabulary": vocab, "num_oov_indices": 3},
         note="unknown strings are spread over the OOV indices by FarmHash Fingerprint64")
    case("string_lookup_no_oov", "StringLookup", {"x": np.array(["a", "d", "c"])},
         init={"vocabulary": vocab, "num_oov_indices": 0})
    case("string_lookup_mask_multi_hot", "StringLookup", {"x": words},
         init={"vocabulary": vocab, "mask_token": "", "output_mode": "multi_hot"})
    case("string_lookup_count_pad_to_max_tokens", "StringLookup", {"x": words},
         init={"vocabulary": vocab, "output_mode": "count", "max_tokens": 8, "pad_to_max_tokens": True})
    for mode in ["one_hot", "multi_hot", "count", "tf_idf"]:
        init = {"vocabulary": vocab, "output_mode": mode}
        if mode == "tf_idf":
            init["idf_weights"] = [0.5, 1.0, 1.5, 2.0]
        x = words[0] if mode == "one_hot" else words
        case(f"string_lookup_{mode}", "StringLookup", {"x": x}, init=init)
    corpus = np.array(["the", "cat", "the", "dog", "a", "cat", "the", "bird", "dog"])
    case("string_lookup_adapt", "StringLookup", {"x": words}, adapt=corpus)
    case("string_lookup_adapt_max_tokens", "StringLookup", {"x": np.array(["the", "dog", "cat", "bird"])},
         init={"max_tokens": 4}, adapt=corpus)
    case("string_lookup_adapt_tf_idf", "StringLookup", {"x": np.array([["the", "cat", "cat"], ["bird", "fish",
                                                                                               "the"]])},
         init={"output_mode": "tf_idf"}, adapt=np.array([["the", "cat"], ["the", "dog"], ["a", "the"]]))
    case("string_lookup_invert", "StringLookup", {"x": np.array([[1, 2, 0], [4, 3, 1]])},
         init={"vocabulary": vocab, "invert": True}, tf_inputs=True)
    case("string_lookup_invert_mask", "StringLookup", {"x": np.array([[1, 2, 0], [5, 3, 1]])},
         init={"vocabulary": vocab, "invert": True, "mask_token": ""}, tf_inputs=True)
    numbers = np.array([[12, 7, 99], [42, 12, 0]])
    case("integer_lookup_int", "IntegerLookup", {"x": numbers}, init={"vocabulary": [12, 36, 7, 42]})
    case("integer_lookup_mask", "IntegerLookup", {"x": numbers}, init={"vocabulary": [12, 36, 7, 42],
                                                                       "mask_token": 0})
    case("integer_lookup_multi_hot", "IntegerLookup", {"x": numbers},
         init={"vocabulary": [12, 36, 7, 42], "output_mode": "multi_hot", "num_oov_indices": 2})
    case("integer_lookup_floormod_oov", "IntegerLookup", {"x": np.array([[12, 7, 99, -5], [100, 3, 42, 8]])},
         init={"vocabulary": [12, 36, 7, 42], "num_oov_indices": 3})
    case("integer_lookup_farmhash_oov", "IntegerLookup", {"x": np.array([[12, 7, 99, -5], [100, 3, 42, 8]])},
         init={"vocabulary": [12, 36, 7, 42], "num_oov_indices": 3, "oov_method": "farmhash"})
    case("integer_lookup_tf_idf_adapt", "IntegerLookup", {"x": numbers}, init={"output_mode": "tf_idf"},
         adapt=np.array([[7, 12, 12], [42, 7, 12], [5, 5, 5]]))
    case("integer_lookup_adapt", "IntegerLookup", {"x": numbers}, adapt=np.array([7, 12, 12, 42, 7, 12, 5]))
    case("integer_lookup_invert", "IntegerLookup", {"x": np.array([[1, 2], [4, 0]])},
         init={"vocabulary": [12, 36, 7, 42], "invert": True}, tf_inputs=True)
    sentences = np.array(["The cat sat on the mat.", "The dog, the DOG! ate the cat's food", "a bird"])
    queries = np.array(["the cat ate a fish", "Dog dog DOG mat"])
    case("text_vectorization_int", "TextVectorization", {"x": queries}, adapt=sentences)
    case("text_vectorization_sequence_length", "TextVectorization", {"x": queries},
         init={"max_tokens": 6, "output_sequence_length": 4}, adapt=sentences)
    case("text_vectorization_ngrams", "TextVectorization", {"x": queries}, init={"ngrams": 2}, adapt=sentences)
    for mode in ["multi_hot", "count", "tf_idf"]:
        case(f"text_vectorization_{mode}", "TextVectorization", {"x": queries}, init={"output_mode": mode},
             adapt=sentences)
    case("text_vectorization_vocabulary", "TextVectorization", {"x": queries},
         init={"vocabulary": ["the", "cat", "dog"], "standardize": "lower", "split": "whitespace",
               "output_sequence_length": 6})
    case("text_vectorization_no_standardize", "TextVectorization", {"x": queries},
         init={"vocabulary": ["the", "Dog", "dog"], "standardize": None})
    case("text_vectorization_split_none", "TextVectorization", {"x": np.array([["The Cat"], ["dog!"], ["bird"]])},
         init={"split": None}, adapt=np.array(["the cat", "dog", "Dog", "the cat"]))
    case("text_vectorization_character", "TextVectorization", {"x": queries}, init={"split": "character",
                                                                                    "max_tokens": 10},
         adapt=sentences)
    case("text_vectorization_tf_idf_pad", "TextVectorization", {"x": queries},
         init={"output_mode": "tf_idf", "max_tokens": 15, "pad_to_max_tokens": True}, adapt=sentences)
    case("text_vectorization_ngrams_tuple_multi_hot", "TextVectorization", {"x": queries},
         init={"ngrams": (1, 3), "output_mode": "multi_hot", "max_tokens": 12}, adapt=sentences)

    meta = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "torch": torch.__version__,
            "numpy": np.__version__, "seed": SEED}
    try:
        import tensorflow as tf

        meta["tensorflow"] = tf.__version__
    except ImportError:
        pass
    np.savez_compressed(OUT, __cases__=json.dumps(cases), __meta__=json.dumps(meta), **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
