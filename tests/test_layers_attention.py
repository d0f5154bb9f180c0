"""Attention layers: Attention, AdditiveAttention, MultiHeadAttention.

Parity with real Keras comes from ``tests/reference/attention_reference.npz`` (written by
``tests/reference/make_attention_refs.py`` under Keras 3.15.1 on torch): for each case the Keras layer's weights
are loaded into the kerasnb layer, and the outputs, the gradients of ``sum(output * r)`` with respect to the
inputs and the weights, the parameter count and the output shapes are compared. Float64 gradient checks,
configuration round trips, masks, dropout and the functional API are tested on kerasnb alone.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from kerasnb.layers.input_layer import Input

FIXTURE = Path(__file__).parent / "reference" / "attention_reference.npz"
LAYERS = {"Attention": Attention, "AdditiveAttention": AdditiveAttention, "MultiHeadAttention": MultiHeadAttention}


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    cases = json.loads(str(arrays.pop("__cases__")))
    return [c for c in cases if c["layer"] in LAYERS], json.loads(str(arrays.pop("__meta__"))), arrays


CASES, META, ARRAYS = _load()
GRAD_CASES = [c for c in CASES if c["grads"]]


def _array(case, key):
    return ARRAYS[f"{case['name']}/{key}"]


def _resolve(value, tensors):
    if isinstance(value, dict) and set(value) == {"input"}:
        return tensors[value["input"]]
    if isinstance(value, dict) and set(value) == {"inputs"}:
        return [tensors[k] for k in value["inputs"]]
    if isinstance(value, list):
        return tuple(_resolve(v, tensors) for v in value)
    return value


def _init(case):
    init = dict(case["init"])
    for key in ("output_shape", "attention_axes"):
        if isinstance(init.get(key), list):
            init[key] = tuple(init[key])
    return init


def _call(layer, case, tensors):
    """Call ``layer`` as the case did (Keras masks attached to the inputs first); always a list of outputs."""
    for key, mask_key in case["masks"].items():
        tensors[key]._keras_mask = ops.convert_to_tensor(_array(case, mask_key))
    args = [_resolve(a, tensors) for a in case["args"]]
    kwargs = {k: _resolve(v, tensors) for k, v in case["kwargs"].items()}
    out = layer(*args, **kwargs)
    return list(out) if isinstance(out, tuple) else [out]


def _tensors(case):
    return {k: ops.convert_to_tensor(_array(case, k)) for k in case["inputs"]}


def _keras_layer(case):
    """The kerasnb layer of the case, built and holding the Keras layer's weights."""
    layer = LAYERS[case["layer"]](**_init(case))
    _call(layer, case, _tensors(case))
    layer.set_weights([_array(case, f"w{i}") for i in range(case["weights"])])
    return layer


def test_fixture_is_from_real_keras():
    assert META["keras_version"].startswith("3.")
    assert META["backend"] == "torch"
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_matches_keras(case):
    layer = _keras_layer(case)
    outs = _call(layer, case, _tensors(case))
    assert len(outs) == len(case["outputs"])
    for key, out in zip(case["outputs"], outs):
        want = _array(case, key)
        assert out.shape == want.shape and out.dtype == want.dtype, key
        np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=f"{case['name']} {key}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_parameter_count_and_weight_shapes_match_keras(case):
    layer = _keras_layer(case)
    assert layer.count_params() == case["count_params"]
    assert [tuple(w.shape) for w in layer.weights] == [_array(case, f"w{i}").shape for i in range(case["weights"])]


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c["name"] for c in GRAD_CASES])
def test_gradients_match_keras(case):
    """Gradients of ``sum(output * r)`` w.r.t. every float input and every weight, against torch autograd."""
    layer = _keras_layer(case)
    tensors = _tensors(case)
    sources = {f"d_{k}": t for k, t in tensors.items() if t.dtype.kind == "f"}
    sources.update({f"d_w{i}": w for i, w in enumerate(layer.weights) if w.trainable})
    assert sorted(sources) == sorted(case["grads"])
    with keras.GradientTape() as tape:
        tape.watch(list(sources.values()))
        outs = _call(layer, case, tensors)
        loss = sum(ops.sum(o * _array(case, f"r{i}")) for i, o in enumerate(outs))
    grads = tape.gradient(loss, list(sources.values()), unconnected_gradients="zero")
    for key, g in zip(sources, grads):
        want = _array(case, key)
        np.testing.assert_allclose(g.numpy(), want.reshape(g.shape), rtol=1e-5, atol=1e-5,
                                   err_msg=f"{case['name']} {key}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_matches_keras_and_round_trips(case):
    layer = _keras_layer(case)
    config = layer.get_config()
    for key, value in case["config"].items():
        if key.endswith(("initializer", "regularizer", "constraint")):
            continue  # serialized objects: kerasnb's own format (round-tripped below)
        got = list(config[key]) if isinstance(config[key], tuple) else config[key]
        assert got == value, key
    clone = type(layer).from_config(config)
    assert clone.get_config() == {**config, "name": config["name"]}
    clone_outs = _call(clone, case, _tensors(case))
    clone.set_weights(layer.get_weights())
    for a, b in zip(_call(clone, case, _tensors(case)), _call(layer, case, _tensors(case))):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    assert [o.shape for o in clone_outs] == [tuple(_array(case, k).shape) for k in case["outputs"]]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_symbolic_shapes_match_real_outputs(case):
    """A functional call on ``keras.Input``s (batch size unknown) gives the shapes of the real outputs."""
    layer = _keras_layer(case)
    symbols = {k: Input(shape=_array(case, k).shape[1:], dtype=_array(case, k).dtype) for k in case["inputs"]}
    args = [_resolve(a, symbols) for a in case["args"]]
    kwargs = {k: _resolve(v, symbols) for k, v in case["kwargs"].items()}
    out = layer(*args, **kwargs)
    outs = list(out) if isinstance(out, tuple) else [out]
    for key, o in zip(case["outputs"], outs):
        assert o.shape == (None, *_array(case, key).shape[1:]), key


def test_multi_head_attention_in_a_functional_model_with_two_inputs():
    query, value = Input(shape=(3, 4)), Input(shape=(5, 6))
    mha = MultiHeadAttention(num_heads=2, key_dim=3)
    out, scores = mha(query, value, return_attention_scores=True)
    model = keras.Model([query, value], [out, scores])
    rng = np.random.default_rng(0)
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 6))
    got_out, got_scores = model([q, v])
    want_out, want_scores = mha(q, v, return_attention_scores=True)
    np.testing.assert_allclose(got_out.numpy(), want_out.numpy(), rtol=1e-6)
    np.testing.assert_allclose(got_scores.numpy(), want_scores.numpy(), rtol=1e-6)
    assert got_out.shape == (2, 3, 4) and got_scores.shape == (2, 2, 3, 5)
    assert model.count_params() == mha.count_params() == 4 * 6 + 6 + 6 * 6 * 2 + 6 * 2 + 6 * 4 + 4


def test_attention_in_a_functional_model():
    query, value = Input(shape=(3, 4)), Input(shape=(5, 4))
    out = AdditiveAttention()([query, value])
    model = keras.Model([query, value], out)
    assert model.output_shape == (None, 3, 4)
    assert model([np.ones((2, 3, 4)), np.ones((2, 5, 4))]).shape == (2, 3, 4)


def test_keyword_query_and_value():
    mha = MultiHeadAttention(num_heads=1, key_dim=2)
    x = np.random.default_rng(0).normal(size=(1, 3, 2))
    np.testing.assert_allclose(mha(query=x, value=x).numpy(), mha(x, x).numpy())


# ---------------------------------------------------------------------------------------------------------
# Float64 gradient checks w.r.t. the inputs and the weights
# ---------------------------------------------------------------------------------------------------------


def _check_layer_gradients(gradcheck, layer, call, *inputs, seed=0):
    """Gradient-check ``call(layer, *inputs)`` w.r.t. the inputs and every trainable weight, in float64."""
    call(layer, *[ops.convert_to_tensor(x) for x in inputs])  # build
    rng = np.random.default_rng(seed)
    weights = [w for w in layer.weights if w.trainable]
    points = [rng.uniform(-1, 1, size=w.shape) for w in weights]

    def fn(*args):
        xs, ws = args[:len(inputs)], args[len(inputs):]
        swapped = []
        for sub in layer._flatten_layers():
            for name, value in list(vars(sub).items()):
                for var, t in zip(weights, ws):
                    if value is var:
                        setattr(sub, name, t)
                        swapped.append((sub, name, var))
        try:
            return call(layer, *xs)
        finally:
            for sub, name, var in swapped:
                setattr(sub, name, var)

    gradcheck(fn, *inputs, *points)


def _masked(x, mask):
    x._keras_mask = ops.convert_to_tensor(mask)
    return x


Q_MASK = np.array([[True, False, True], [True, True, True]])
V_MASK = np.array([[True, True, False, True], [False, True, True, True]])


@pytest.mark.parametrize("init,kwargs", [
    ({"use_scale": True}, {}),
    ({"use_scale": True, "score_mode": "concat"}, {"return_attention_scores": True}),
    ({}, {"mask": [Q_MASK, V_MASK]}),
    ({"score_mode": "concat"}, {"use_causal_mask": True}),
], ids=["dot_scale", "concat_scale_scores", "masks", "concat_causal"])
def test_attention_gradients_float64(gradcheck, rng, init, kwargs):
    layer = Attention(dtype="float64", **init)
    query, value, key = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 4)), rng.normal(size=(2, 4, 4))
    if kwargs.get("use_causal_mask"):
        value, key = value[:, :3], key[:, :3]
    _check_layer_gradients(gradcheck, layer, lambda lay, q, v, k: lay([q, v, k], **kwargs), query, value, key)


@pytest.mark.parametrize("use_scale", [True, False])
def test_additive_attention_gradients_float64(gradcheck, rng, use_scale):
    layer = AdditiveAttention(use_scale=use_scale, dtype="float64")
    _check_layer_gradients(gradcheck, layer, lambda lay, q, v: lay([q, v], mask=[Q_MASK, V_MASK]),
                           rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 4)))


@pytest.mark.parametrize("init,shapes,call", [
    ({"num_heads": 2, "key_dim": 3}, [(2, 3, 4), (2, 4, 5)],
     lambda lay, q, v: lay(q, v, return_attention_scores=True)),
    ({"num_heads": 2, "key_dim": 2, "value_dim": 3, "output_shape": (2, 2), "use_bias": False},
     [(2, 3, 4), (2, 4, 5), (2, 4, 3)], lambda lay, q, v, k: lay(q, v, k)),
    ({"num_heads": 2, "key_dim": 2}, [(2, 3, 4), (2, 4, 4)],
     lambda lay, q, v: lay(_masked(q, Q_MASK), _masked(v, V_MASK))),
    ({"num_heads": 1, "key_dim": 2, "use_gate": True, "sliding_window": 2}, [(2, 4, 3)],
     lambda lay, x: lay(x, x, use_causal_mask=True)),
    ({"num_heads": 2, "key_dim": 2, "attention_axes": (1, 2)}, [(1, 2, 3, 3)], lambda lay, x: lay(x, x)),
], ids=["scores", "key_value_dims_no_bias", "masks", "gate_window_causal", "attention_axes"])
def test_multi_head_attention_gradients_float64(gradcheck, rng, init, shapes, call):
    layer = MultiHeadAttention(dtype="float64", **init)
    _check_layer_gradients(gradcheck, layer, call, *[rng.normal(size=s) for s in shapes])


# ---------------------------------------------------------------------------------------------------------
# Masks, causal masks, dropout and training
# ---------------------------------------------------------------------------------------------------------


def test_attention_masks_zero_masked_queries_and_ignore_masked_values(rng):
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 4))
    out, weights = Attention()([q, v], mask=[Q_MASK, V_MASK], return_attention_scores=True)
    assert np.all(out.numpy()[~Q_MASK] == 0)
    np.testing.assert_allclose(weights.numpy()[np.broadcast_to(~V_MASK[:, None, :], (2, 3, 4))], 0, atol=1e-12)
    np.testing.assert_allclose(weights.numpy().sum(-1), 1, rtol=1e-6)


def test_attention_takes_the_inputs_keras_masks_and_passes_the_query_mask_on(rng):
    q = _masked(ops.convert_to_tensor(rng.normal(size=(2, 3, 4))), Q_MASK)
    v = _masked(ops.convert_to_tensor(rng.normal(size=(2, 4, 4))), V_MASK)
    out = Attention()([q, v])
    want = Attention()([q, v], mask=[Q_MASK, V_MASK])
    np.testing.assert_allclose(out.numpy(), want.numpy())
    np.testing.assert_array_equal(out._keras_mask.numpy(), Q_MASK)


def test_multi_head_attention_masks(rng):
    mha = MultiHeadAttention(num_heads=2, key_dim=2)
    q = ops.convert_to_tensor(rng.normal(size=(2, 3, 4)))
    v = ops.convert_to_tensor(rng.normal(size=(2, 4, 4)))
    _, scores = mha(q, _masked(v, V_MASK), return_attention_scores=True)
    np.testing.assert_allclose(scores.numpy()[np.broadcast_to(~V_MASK[:, None, None, :], scores.shape)], 0)
    # An explicit value_mask does the same as the value's own mask.
    _, explicit = mha(q, ops.convert_to_tensor(v.numpy()), value_mask=V_MASK, return_attention_scores=True)
    np.testing.assert_allclose(explicit.numpy(), scores.numpy())
    out = mha(_masked(q, Q_MASK), v)
    np.testing.assert_array_equal(out._keras_mask.numpy(), Q_MASK)


def test_causal_masks(rng):
    x = rng.normal(size=(1, 4, 3))
    _, weights = Attention()([x, x], use_causal_mask=True, return_attention_scores=True)
    assert np.all(np.triu(weights.numpy()[0], 1) == 0)
    _, scores = MultiHeadAttention(2, 2)(x, x, use_causal_mask=True, return_attention_scores=True)
    assert np.all(np.triu(scores.numpy()[0, 1], 1) == 0)


@pytest.mark.parametrize("cls", [Attention, AdditiveAttention])
def test_attention_dropout_only_when_training(cls, rng):
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 6, 4))
    layer, plain = cls(dropout=0.5, seed=1), cls()
    out = layer([q, v], training=False)
    plain([q, v])
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(out.numpy(), plain([q, v]).numpy(), rtol=1e-6)
    np.testing.assert_allclose(layer([q, v]).numpy(), out.numpy())  # the default is inference
    _, dropped = layer([q, v], training=True, return_attention_scores=True)
    values = dropped.numpy()
    assert np.any(values == 0) and np.any(values > 0.2)  # kept weights are scaled by 1 / (1 - rate)
    assert not np.allclose(layer([q, v], training=True).numpy(), out.numpy())


def test_multi_head_attention_dropout_only_when_training(rng):
    x = rng.normal(size=(2, 5, 4))
    mha = MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.5, seed=3)
    plain = MultiHeadAttention(num_heads=2, key_dim=2)
    plain(x, x)
    inference = mha(x, x, training=False)
    plain.set_weights(mha.get_weights())
    np.testing.assert_allclose(inference.numpy(), plain(x, x).numpy(), rtol=1e-6)
    assert not np.allclose(mha(x, x, training=True).numpy(), inference.numpy())
    # Scores are returned before dropout, as in Keras.
    _, scores = mha(x, x, training=True, return_attention_scores=True)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1, rtol=1e-6)


def test_training_flag_reaches_the_layer_inside_a_model(rng):
    query, value = Input(shape=(3, 4)), Input(shape=(5, 4))
    model = keras.Model([query, value], Attention(dropout=0.9, seed=0)([query, value]))
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    np.testing.assert_allclose(model([q, v]).numpy(), Attention()([q, v]).numpy(), rtol=1e-6)
    assert not np.allclose(model([q, v], training=True).numpy(), model([q, v]).numpy())


# ---------------------------------------------------------------------------------------------------------
# Errors, as Keras raises them
# ---------------------------------------------------------------------------------------------------------


def test_errors():
    q = np.ones((1, 2, 3))
    with pytest.raises(ValueError, match="score_mode"):
        Attention(score_mode="add")
    with pytest.raises(ValueError, match="must be called on a list of inputs"):
        Attention()(q)
    with pytest.raises(ValueError, match="accepts inputs list of length 2 or 3"):
        Attention()([q])
    with pytest.raises(ValueError, match="mask must be a list"):
        Attention()([q, q], mask=np.ones((1, 2), bool))
    with pytest.raises(ValueError, match="num_heads"):
        MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="key_dim"):
        MultiHeadAttention(num_heads=2, key_dim=2.5)
    with pytest.raises(ValueError, match="value_dim"):
        MultiHeadAttention(num_heads=2, key_dim=2, value_dim=-1)
    with pytest.raises(ValueError, match="attention_axes"):
        MultiHeadAttention(num_heads=2, key_dim=2, attention_axes="1")
    with pytest.raises(ValueError, match="except the last one, must be equal"):
        MultiHeadAttention(num_heads=2, key_dim=2)(q, np.ones((1, 4, 3)), np.ones((1, 5, 3)))
    with pytest.raises(TypeError, match="query` and `value"):
        MultiHeadAttention(num_heads=2, key_dim=2)(q)


def test_sublayers_and_weight_names_follow_keras():
    mha = MultiHeadAttention(num_heads=2, key_dim=3, name="mha")
    mha(np.ones((1, 2, 4)), np.ones((1, 3, 4)))
    names = [layer.name for layer in mha.layers if not layer.name.startswith("dropout")]
    assert names == ["query", "key", "value", "attention_output"]
    assert [w.name for w in mha.weights] == ["kernel", "bias"] * 4
    assert mha.query_dense.kernel.shape == (4, 2, 3) and mha.output_dense.kernel.shape == (2, 3, 4)
