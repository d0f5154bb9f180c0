"""Recurrent layers: SimpleRNN, GRU, LSTM, their cells, RNN, StackedRNNCells, Bidirectional, TimeDistributed.

* Parity with real Keras (``tests/reference/rnn_layers_reference.npz``, written by ``make_rnn_layer_refs.py``): for
  the same weights and inputs, the outputs, output masks, gradients (w.r.t. the input and every weight), parameter
  counts, ``compute_output_shape`` and the keys of ``get_config()`` are Keras's.
* Float64 gradient checks (autograd vs central differences) w.r.t. inputs, initial states and weights.
* Configs round-trip; dropout only when training, with one mask per sequence; stateful layers; errors.
* The seeds' models: their summaries, with only the import changed.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.layers.core import Dense
from kerasnb.layers.embedding import Embedding, Masking
from kerasnb.layers.recurrent import (
    GRU,
    LSTM,
    RNN,
    ConvLSTM1D,
    ConvLSTM2D,
    ConvLSTM3D,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
from kerasnb.layers.rnn_wrappers import Bidirectional, TimeDistributed

FIXTURE = Path(__file__).parent / "reference" / "rnn_layers_reference.npz"
CLASSES = {cls.__name__: cls for cls in (GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,
                                         StackedRNNCells, Bidirectional, TimeDistributed, Embedding, Masking, Dense,
                                         ConvLSTM1D, ConvLSTM2D, ConvLSTM3D)}


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    yield


def _load():
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files}
    return json.loads(str(arrays.pop("__cases__"))), json.loads(str(arrays.pop("__meta__"))), arrays


CASES, META, ARRAYS = _load()
# Embedding and Masking alone are tested in test_layers_embedding.py; models that use them are tested here.
RNN_CASES = [c for c in CASES if not c["name"].startswith(("embedding", "masking"))]
GRAD_CASES = [c for c in RNN_CASES if c["grads"]]


def build(spec):
    """A kerasnb layer from a fixture spec (the same spec the generator gave to Keras)."""
    if isinstance(spec, list):
        return [build(s) for s in spec]
    if not (isinstance(spec, dict) and "class" in spec):
        return spec
    return CLASSES[spec["class"]](**{k: build(v) for k, v in spec["args"].items()})


def _nested(shape):
    """A shape structure as nested lists, to compare with the JSON one."""
    return [_nested(s) for s in shape] if isinstance(shape, (list, tuple)) else shape


class Case:
    """A fixture case run on kerasnb: the layer (or Sequential model), built, with Keras's weights."""

    def __init__(self, case):
        self.case, name = case, case["name"]
        self.arrays = {k: ARRAYS[f"{name}/{k}"] for k in case["inputs"]}
        x = self.arrays["x"]
        if case["model"] is not None:
            self.layer = keras.Sequential([keras.Input(shape=x.shape[1:], dtype=str(x.dtype)), *build(case["model"])])
        else:
            self.layer = build(case["spec"])
        self.call(x)
        self.layer.set_weights([ARRAYS[f"{name}/{w}"] for w in case["weights"]])
        if "x2" in self.arrays:
            self.layer.reset_states()

    def call(self, x, watch=None):
        kwargs = {}
        for arg, key in self.case["call"].items():
            kwargs[arg] = [self.tensor(k) for k in key] if isinstance(key, list) else self.tensor(key)
        out = self.layer(x, **kwargs)
        return [t for t in _flatten(out)]

    def tensor(self, key):
        return ops.convert_to_tensor(self.arrays[key])


def _flatten(out):
    if isinstance(out, (list, tuple)):
        return [leaf for item in out for leaf in _flatten(item)]
    return [out]


def test_fixture_is_from_real_keras():
    assert META["keras_version"].startswith("3.") and META["backend"] == "torch"
    assert len(CASES) > 80


@pytest.mark.parametrize("case", RNN_CASES, ids=[c["name"] for c in RNN_CASES])
def test_forward_matches_keras(case):
    run = Case(case)
    outs = run.call(run.arrays["x"])
    if "x2" in run.arrays:
        outs += run.call(run.arrays["x2"])
    assert len(outs) == len(case["outputs"])
    for key, out in zip(case["outputs"], outs):
        want = ARRAYS[f"{case['name']}/{key}"]
        assert out.dtype == np.float32 and out.shape == want.shape, (key, out.shape, want.shape)
        np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=key)
    if "mask_out" in case:
        np.testing.assert_array_equal(np.asarray(outs[0]._keras_mask), ARRAYS[f"{case['name']}/mask_out"])
    else:
        assert getattr(outs[0], "_keras_mask", None) is None


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c["name"] for c in GRAD_CASES])
def test_gradients_match_keras(case):
    run = Case(case)
    x = run.tensor("x")
    weights = run.layer.trainable_weights
    with keras.GradientTape() as tape:
        if "x" in case["grads"]:
            tape.watch(x)
        outs = run.call(x)
    w = [ARRAYS[f"{case['name']}/{k}"] for k in case["output_weights"]]
    sources = ([x] if "x" in case["grads"] else []) + weights
    grads = tape.gradient(outs, sources, output_gradients=w, unconnected_gradients="zero")
    keys = (["x"] if "x" in case["grads"] else []) + [f"W{i}" for i in range(len(weights))]
    assert len(keys) == len(case["grads"])
    for key, g in zip(keys, grads):
        np.testing.assert_allclose(g.numpy(), ARRAYS[f"{case['name']}/{case['grads'][key]}"], rtol=1e-5, atol=1e-5,
                                   err_msg=key)


@pytest.mark.parametrize("case", RNN_CASES, ids=[c["name"] for c in RNN_CASES])
def test_params_shapes_and_config_keys_match_keras(case):
    run = Case(case)
    assert run.layer.count_params() == case["params"]
    if case["model"] is not None:
        return
    x = run.arrays["x"]
    shape = run.layer.compute_output_shape((None, *x.shape[1:]))
    assert _nested(shape) == case["output_shape"]
    # ... and agrees with the real outputs (batch size filled in)
    real = [list(t.shape) for t in run.call(x)]
    expected = [[x.shape[0], *s[1:]] for s in _flatten_shapes(case["output_shape"])]
    if "x2" not in run.arrays:
        assert real == expected
    assert set(case["config_keys"]) <= set(run.layer.get_config())


def _flatten_shapes(shape):
    if shape and all(isinstance(s, list) for s in shape):
        return [leaf for s in shape for leaf in _flatten_shapes(s)]
    return [shape]


# ---------------------------------------------------------------------------------------------------------
# Float64 gradient checks: central differences w.r.t. the input, initial states and every weight
# ---------------------------------------------------------------------------------------------------------


def check_layer_gradients(layer, inputs, extra=None, eps=1e-6, tol=1e-6):
    """Compare the tape's gradients of ``L = Σ w·outputs`` w.r.t. ``inputs``, the tensors in ``extra`` (call
    kwargs, e.g. initial states) and the layer's trainable weights with central differences, in float64."""
    extra = extra or {}
    x = ops.convert_to_tensor(np.asarray(inputs, np.float64))
    extra_tensors = {k: [ops.convert_to_tensor(np.asarray(v, np.float64)) for v in vs] for k, vs in extra.items()}
    layer(x, **extra_tensors)  # build
    rng = np.random.default_rng(0)
    out_weights = [rng.uniform(0.5, 1.5, o.shape) * rng.choice([-1, 1], o.shape) for o in _flatten(
        layer(x, **extra_tensors))]

    def loss():
        return sum(float(np.sum(o.numpy() * w)) for o, w in zip(_flatten(layer(x, **extra_tensors)), out_weights))

    sources = [x] + [t for ts in extra_tensors.values() for t in ts] + layer.trainable_weights
    with keras.GradientTape() as tape:
        tape.watch(sources[: len(sources) - len(layer.trainable_weights)])
        outs = _flatten(layer(x, **extra_tensors))
    analytic = tape.gradient(outs, sources, output_gradients=out_weights, unconnected_gradients="zero")
    checked = 0
    for source, grad in zip(sources, analytic):
        value = source.numpy().copy()
        numeric = np.zeros_like(value)
        for i in range(value.size):
            for sign in (1, -1):
                shifted = value.copy()
                shifted.reshape(-1)[i] += sign * eps
                source.data = keras.ops.convert_to_tensor(shifted).data  # Variables and tensors alike
                numeric.reshape(-1)[i] += sign * loss() / (2 * eps)
            source.data = keras.ops.convert_to_tensor(value).data
        np.testing.assert_allclose(grad.numpy(), numeric, atol=tol, rtol=1e-5, err_msg=getattr(source, "path", "x"))
        checked += value.size
    assert checked > 0


X64 = np.random.default_rng(1).standard_normal((2, 3, 2))
MASK = np.array([[True, False, True], [False, True, True]])


@pytest.mark.parametrize("make", [
    lambda: SimpleRNN(2, dtype="float64"),
    lambda: SimpleRNN(2, return_sequences=True, go_backwards=True, dtype="float64"),
    lambda: GRU(2, return_sequences=True, dtype="float64"),
    lambda: GRU(2, reset_after=False, return_state=True, dtype="float64"),
    lambda: GRU(2, use_bias=False, go_backwards=True, dtype="float64"),
    lambda: LSTM(2, return_sequences=True, return_state=True, dtype="float64"),
    lambda: LSTM(2, go_backwards=True, dtype="float64"),
    lambda: LSTM(2, recurrent_activation="tanh", return_state=True, dtype="float64"),  # not fused
    lambda: GRU(2, activation="sigmoid", return_sequences=True, dtype="float64"),  # not fused
    lambda: RNN([SimpleRNNCell(2, dtype="float64"), GRUCell(2, dtype="float64"), LSTMCell(2, dtype="float64")],
                return_sequences=True, dtype="float64"),
    lambda: Bidirectional(LSTM(2, return_sequences=True, dtype="float64"), dtype="float64"),
    lambda: Bidirectional(GRU(2, dtype="float64"), merge_mode="mul", dtype="float64"),
    lambda: TimeDistributed(Dense(2, activation="tanh", dtype="float64"), dtype="float64"),
], ids=["simple_rnn", "simple_rnn_backwards_seq", "gru_seq", "gru_reset_before_state", "gru_no_bias_backwards",
        "lstm_seq_state", "lstm_backwards", "lstm_unfused", "gru_unfused", "stacked_cells", "bidirectional_lstm",
        "bidirectional_gru_mul",
        "time_distributed"])
def test_float64_gradients(make):
    check_layer_gradients(make(), X64)


@pytest.mark.parametrize("make", [
    lambda: SimpleRNN(2, return_sequences=True, dtype="float64"),
    lambda: GRU(2, return_state=True, go_backwards=True, dtype="float64"),
    lambda: LSTM(2, return_sequences=True, zero_output_for_mask=True, dtype="float64"),
    lambda: Bidirectional(LSTM(2, return_sequences=True, dtype="float64"), merge_mode="ave", dtype="float64"),
], ids=["simple_rnn", "gru_backwards_state", "lstm_zero_output", "bidirectional"])
def test_float64_gradients_with_a_mask(make):
    layer = make()
    mask = ops.convert_to_tensor(MASK)

    class WithMask(keras.layers.Layer):
        def __init__(self):
            super().__init__(dtype="float64")
            self.inner = layer

        def call(self, inputs):
            return self.inner(inputs, mask=mask)

    check_layer_gradients(WithMask(), X64)


@pytest.mark.parametrize("make", [
    lambda: ConvLSTM2D(2, 2, padding="same", return_sequences=True, dtype="float64"),
    lambda: ConvLSTM2D(1, 2, strides=2, data_format="channels_first", return_state=True, dtype="float64"),
    lambda: ConvLSTM1D(2, 2, go_backwards=True, dtype="float64"),
], ids=["conv_lstm2d_same", "conv_lstm2d_channels_first", "conv_lstm1d"])
def test_float64_gradients_conv_lstm(make):
    layer = make()
    rank = layer.rank
    x = np.random.default_rng(4).standard_normal((1, 2, *(3,) * rank, 2) if layer.data_format == "channels_last"
                                                 else (1, 2, 2, *(3,) * rank))
    check_layer_gradients(layer, x)


def test_float64_gradients_with_respect_to_initial_states():
    rng = np.random.default_rng(2)
    h0, c0 = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    check_layer_gradients(LSTM(2, return_sequences=True, dtype="float64"), X64, extra={"initial_state": [h0, c0]})
    check_layer_gradients(GRU(2, dtype="float64"), X64, extra={"initial_state": [h0]})


def test_fused_gate_ops_gradients_and_values():
    from kerasnb.ops.recurrent import gru_gates, lstm_gates

    rng = np.random.default_rng(3)
    z, c = rng.standard_normal((3, 8)) * 2, rng.standard_normal((3, 2))
    assert keras.testing.check_gradients(lambda z, c: list(lstm_gates(z, c)), z, c).ok
    i, f, g, o = np.split(z, 4, axis=-1)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c_new = sig(f) * c + sig(i) * np.tanh(g)
    h, c_out = lstm_gates(z, c)
    np.testing.assert_allclose(c_out.numpy(), c_new, rtol=1e-12)
    np.testing.assert_allclose(h.numpy(), sig(o) * np.tanh(c_new), rtol=1e-12)
    x, rec, h0 = rng.standard_normal((3, 6)), rng.standard_normal((3, 6)), rng.standard_normal((3, 2))
    assert keras.testing.check_gradients(gru_gates, x, rec, h0).ok
    zz, r = sig(x[:, :2] + rec[:, :2]), sig(x[:, 2:4] + rec[:, 2:4])
    candidate = np.tanh(x[:, 4:] + r * rec[:, 4:])
    np.testing.assert_allclose(gru_gates(x, rec, h0).numpy(), zz * h0 + (1 - zz) * candidate, rtol=1e-12)


def test_fused_and_unfused_cells_agree(monkeypatch):
    from kerasnb.layers import recurrent

    x = np.random.default_rng(0).standard_normal((3, 6, 4)).astype("float32")
    for make in (lambda: LSTM(5, return_sequences=True), lambda: GRU(5, return_state=True)):
        fused, unfused = make(), make()
        y = _flatten(fused(x))
        unfused(x)
        unfused.set_weights(fused.get_weights())
        with monkeypatch.context() as patch:
            patch.setattr(recurrent._RecurrentCell, "_default_activations", lambda self: False)
            for a, b in zip(y, _flatten(unfused(x))):
                np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Configs
# ---------------------------------------------------------------------------------------------------------

CONFIG_LAYERS = [
    lambda: SimpleRNN(3, activation="relu", dropout=0.2, return_sequences=True, seed=1, name="s"),
    lambda: GRU(3, reset_after=False, recurrent_dropout=0.1, go_backwards=True, kernel_regularizer="l2"),
    lambda: LSTM(3, unit_forget_bias=False, stateful=True, return_state=True, recurrent_activation="hard_sigmoid"),
    lambda: RNN(LSTMCell(3), return_sequences=True),
    lambda: RNN([SimpleRNNCell(2), GRUCell(3)], return_state=True),
    lambda: Bidirectional(GRU(3, return_sequences=True), merge_mode="sum"),
    lambda: Bidirectional(LSTM(2), backward_layer=SimpleRNN(2, go_backwards=True), merge_mode=None),
    lambda: TimeDistributed(Dense(4, activation="relu")),
    lambda: ConvLSTM2D(2, (3, 2), padding="same", data_format="channels_first", dropout=0.1, return_sequences=True),
    lambda: SimpleRNNCell(3, dropout=0.5),
    lambda: GRUCell(3, reset_after=False),
    lambda: LSTMCell(3, unit_forget_bias=False),
    lambda: StackedRNNCells([LSTMCell(2), SimpleRNNCell(3)]),
]


@pytest.mark.parametrize("make", CONFIG_LAYERS)
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    json.dumps(config)  # plain data
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert type(clone) is type(layer)


@pytest.mark.parametrize("make", [c for c in CONFIG_LAYERS if "Cell" not in c.__code__.co_names][:9])
def test_config_clone_computes_the_same(make):
    layer = make()
    shape = (2, 4, 3, 5, 4) if "ConvLSTM2D" in make.__code__.co_names else (2, 4, 3)
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    y = _flatten(layer(x))
    clone = type(layer).from_config(layer.get_config())
    clone(x)
    clone.set_weights(layer.get_weights())
    if getattr(layer, "stateful", False):
        layer.reset_states()
        clone.reset_states()
        y = _flatten(layer(x))
    for a, b in zip(y, _flatten(clone(x))):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


class MinimalRNNCell(keras.layers.Layer):
    """The user cell of Keras's RNN docstring."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_user_cell_in_rnn_and_stacked():
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype("float32")
    layer = RNN(MinimalRNNCell(4), return_sequences=True)
    y = layer(x)
    assert y.shape == (2, 5, 4) and layer.count_params() == 3 * 4 + 4 * 4
    kernel, recurrent = (w.numpy() for w in layer.weights)
    h = np.zeros((2, 4), "float32")
    for t in range(5):  # the loop written out
        h = x[:, t] @ kernel + h @ recurrent
    np.testing.assert_allclose(y.numpy()[:, -1], h, rtol=1e-5)
    stacked = RNN([MinimalRNNCell(4), MinimalRNNCell(6)])
    assert stacked(x).shape == (2, 6) and stacked.count_params() == 12 + 16 + 24 + 36
    clone = RNN.from_config(layer.get_config(), custom_objects={"MinimalRNNCell": MinimalRNNCell})
    assert isinstance(clone.cell, MinimalRNNCell) and clone.cell.units == 4


def test_cells_take_one_step_like_the_layer():
    x = np.random.default_rng(0).standard_normal((2, 1, 3)).astype("float32")
    for layer in (SimpleRNN(4), GRU(4), GRU(4, reset_after=False), LSTM(4)):
        y = layer(x)
        states = layer.cell.get_initial_state(batch_size=2)
        out, new_states = layer.cell(x[:, 0], states)
        np.testing.assert_allclose(out.numpy(), y.numpy(), rtol=1e-6)
        assert len(new_states) == len(layer.state_size)


# ---------------------------------------------------------------------------------------------------------
# Dropout: only when training, one mask per sequence (reused at every step), as Keras
# ---------------------------------------------------------------------------------------------------------


def _copy_weights(a, b, x):
    a(x)
    b(x)
    b.set_weights(a.get_weights())


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
def test_dropout_is_off_at_inference_and_on_in_training(cls):
    x = np.random.default_rng(0).standard_normal((4, 6, 5)).astype("float32")
    plain, dropped = cls(3, return_sequences=True), cls(3, dropout=0.5, recurrent_dropout=0.3,
                                                        return_sequences=True, seed=3)
    _copy_weights(plain, dropped, x)
    np.testing.assert_allclose(dropped(x).numpy(), plain(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(dropped(x, training=False).numpy(), plain(x).numpy(), rtol=1e-6)
    assert not np.allclose(dropped(x, training=True).numpy(), plain(x).numpy())
    assert dropped.cell._dropout_mask is None and dropped.cell._recurrent_dropout_mask is None  # reset after


def test_conv_lstm_dropout_and_errors():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4, 2)).astype("float32")
    plain, dropped = ConvLSTM2D(2, 3), ConvLSTM2D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    _copy_weights(plain, dropped, x)
    np.testing.assert_allclose(dropped(x).numpy(), plain(x).numpy(), rtol=1e-6)
    assert not np.allclose(dropped(x, training=True).numpy(), plain(x).numpy())
    with pytest.raises(ValueError, match="static input shapes for the spatial dimension"):
        ConvLSTM2D(2, 3)(keras.Input((3, None, 4, 2)))
    with pytest.raises(ValueError, match="not compatible with `dilation_rate > 1`"):
        ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="expected ndim=5"):
        ConvLSTM2D(2, 3)(np.ones((2, 3, 4, 2)))


def test_dropout_mask_is_the_same_at_every_step():
    # kernel = identity, no recurrence, linear: the output at each step is the masked input itself.
    layer = SimpleRNN(4, activation=None, use_bias=False, dropout=0.5, return_sequences=True, seed=0)
    x = np.ones((8, 5, 4), "float32")
    layer(x)
    layer.set_weights([np.eye(4), np.zeros((4, 4))])
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0 < (y == 0).mean() < 1
    np.testing.assert_array_equal(y, np.repeat(y[:, :1], 5, axis=1))
    assert not np.array_equal(layer(x, training=True).numpy(), y)  # a new mask for a new call


def test_recurrent_dropout_mask_is_the_same_at_every_step():
    # x_0 = ones, later inputs 0, recurrent kernel = identity: h_t = m^t (elementwise), m in {0, 2}.
    layer = SimpleRNN(6, activation=None, use_bias=False, recurrent_dropout=0.5, return_sequences=True, seed=1)
    x = np.zeros((5, 4, 6), "float32")
    x[:, 0] = 1.0
    layer(x)
    layer.set_weights([np.eye(6), np.eye(6)])
    y = layer(x, training=True).numpy()
    kept = y[:, 1] != 0
    for t in range(1, 4):
        np.testing.assert_array_equal(y[:, t], np.where(kept, 2.0**t, 0.0))


def test_gated_cells_use_a_mask_per_gate_with_recurrent_dropout():
    assert LSTMCell(2, recurrent_dropout=0.1).implementation == 1
    assert GRUCell(2, recurrent_dropout=0.1).implementation == 1
    assert LSTMCell(2, dropout=0.1).implementation == 2
    cell = LSTMCell(3, dropout=0.5, recurrent_dropout=0.5)
    out, _ = cell(np.ones((2, 4), "float32"), [np.zeros((2, 3), "float32")] * 2, training=True)
    assert len(cell._dropout_mask) == 4 and len(cell._recurrent_dropout_mask) == 4


def test_seeded_dropout_is_reproducible():
    x = np.random.default_rng(0).standard_normal((3, 4, 2)).astype("float32")
    a, b = GRU(3, dropout=0.4, seed=7), GRU(3, dropout=0.4, seed=7)
    _copy_weights(a, b, x)
    np.testing.assert_array_equal(a(x, training=True).numpy(), b(x, training=True).numpy())


def test_dropout_follows_fit_and_predict():
    model = keras.Sequential([keras.Input((4, 2)), LSTM(3, dropout=0.5, recurrent_dropout=0.5), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 4, 2), "float32"), np.ones((8, 1), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


# ---------------------------------------------------------------------------------------------------------
# Stateful layers, initial states, masks
# ---------------------------------------------------------------------------------------------------------


def test_stateful_carries_states_and_resets():
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype("float32")
    layer = LSTM(3, stateful=True)
    first = layer(x).numpy()
    second = layer(x).numpy()
    assert not np.allclose(first, second)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-6)
    assert layer.count_params() == 4 * (4 * 3 + 3 * 3 + 3) and len(layer.weights) == 3  # states are not weights
    layer.reset_states([np.ones((2, 3)), np.zeros((2, 3))])
    np.testing.assert_array_equal(layer.states[0].numpy(), np.ones((2, 3)))
    with pytest.raises(ValueError, match="batch size of the input sequences"):
        layer(x[:1])


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match="the batch size must be static"):
        keras.Sequential([keras.Input((3, 4)), SimpleRNN(2, stateful=True)])
    model = keras.Sequential([keras.Input((3, 4), batch_size=2), SimpleRNN(2, stateful=True)])
    assert model.output_shape == (2, 2)
    with pytest.raises(AttributeError, match="must be stateful"):
        SimpleRNN(2).reset_states()


def test_masked_steps_keep_state_and_output():
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype("float32")
    mask = np.array([[True, True, False, False, True], [True, True, True, True, True]])
    layer = GRU(4, return_sequences=True)
    y = layer(x, mask=mask).numpy()
    np.testing.assert_array_equal(y[0, 2], y[0, 1])
    np.testing.assert_array_equal(y[0, 3], y[0, 1])
    # skipping steps = removing them
    np.testing.assert_allclose(y[0, 4], layer(x[:1, [0, 1, 4]]).numpy()[0, -1], rtol=1e-5)


def test_masks_flow_from_embedding_and_masking_through_models():
    ids = np.array([[4, 2, 0, 0], [1, 0, 0, 0]])
    model = keras.Sequential([Embedding(6, 3, mask_zero=True), LSTM(2)])
    y = model(ids).numpy()
    short = model(ids[:, :2]).numpy()
    np.testing.assert_allclose(y, short, rtol=1e-6)  # trailing padding changes nothing
    inputs = keras.Input((4, 2))
    outputs = LSTM(3, return_sequences=True)(Masking()(inputs))
    functional = keras.Model(inputs, outputs)
    x = np.ones((1, 4, 2), "float32")
    x[0, 2:] = 0.0
    out = functional(x)
    np.testing.assert_array_equal(out.numpy()[0, 3], out.numpy()[0, 1])
    np.testing.assert_array_equal(np.asarray(out._keras_mask), [[True, True, False, False]])


def test_functional_encoder_decoder_with_states():
    encoder_inputs = keras.Input((None, 3))
    _, h, c = LSTM(4, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input((None, 2))
    decoded = LSTM(4, return_sequences=True)(decoder_inputs, initial_state=[h, c])
    model = keras.Model([encoder_inputs, decoder_inputs], Dense(5)(decoded))
    assert model.output_shape == (None, None, 5)
    assert model([np.ones((2, 6, 3), "float32"), np.ones((2, 7, 2), "float32")]).shape == (2, 7, 5)


def test_symbolic_shapes():
    inputs = keras.Input((7, 3))
    assert LSTM(4)(inputs).shape == (None, 4)
    seq, h, c = LSTM(4, return_sequences=True, return_state=True)(inputs)
    assert (seq.shape, h.shape, c.shape) == ((None, 7, 4), (None, 4), (None, 4))
    assert Bidirectional(GRU(4, return_sequences=True))(inputs).shape == (None, 7, 8)
    assert TimeDistributed(Dense(2))(inputs).shape == (None, 7, 2)


def test_go_backwards_returns_the_reversed_sequence():
    x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype("float32")
    forward = SimpleRNN(2, return_sequences=True)
    backward = SimpleRNN(2, return_sequences=True, go_backwards=True)
    _copy_weights(forward, backward, x)
    np.testing.assert_allclose(backward(x).numpy(), forward(x[:, ::-1]).numpy(), rtol=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Errors, as Keras words them
# ---------------------------------------------------------------------------------------------------------


def test_errors():
    with pytest.raises(ValueError, match="expected a positive integer, got 0"):
        LSTM(0)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        LSTM(2)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="Invalid merge mode"):
        Bidirectional(LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="should have different `go_backwards`"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))
    with pytest.raises(ValueError, match="`state_size` attribute"):
        RNN(Dense(2))
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        TimeDistributed(Dense(2))(np.ones((2, 3)))
    with pytest.raises(ValueError, match="use_cudnn"):
        GRU(2, use_cudnn="yes")
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        SimpleRNN(2, recurrent_activation="sigmoid")


# ---------------------------------------------------------------------------------------------------------
# Seeds: the user's guides' models, with only the import changed
# ---------------------------------------------------------------------------------------------------------


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def test_seed_embedding_simple_rnn_summary():
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(Embedding(10000, 32))
    model.add(SimpleRNN(32))
    lines = summary_lines(model)
    assert lines[4] == "embedding (Embedding)        (None, None, 32)          320000    "
    assert lines[6] == "simple_rnn (SimpleRNN)       (None, 32)                2080      "
    assert "Total params: 322,080" in lines


def test_seed_embedding_simple_rnn_return_sequences_summary():
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(Embedding(10000, 32))
    model.add(SimpleRNN(32, return_sequences=True))
    lines = summary_lines(model)
    assert lines[6] == "simple_rnn (SimpleRNN)       (None, None, 32)          2080      "
    assert "Total params: 322,080" in lines


def test_seed_four_stacked_simple_rnns_summary():
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(Embedding(10000, 32))
    model.add(SimpleRNN(32, return_sequences=True))
    model.add(SimpleRNN(32, return_sequences=True))
    model.add(SimpleRNN(32, return_sequences=True))
    model.add(SimpleRNN(32))
    lines = summary_lines(model)
    assert lines[12] == "simple_rnn_3 (SimpleRNN)     (None, 32)                2080      "
    assert "Total params: 328,320" in lines


def test_seed_embedding_lstm_dense_summary_and_training():
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(Embedding(10000, 16))
    model.add(LSTM(64))
    model.add(Dense(16, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    lines = summary_lines(model)
    assert lines[6] == "lstm (LSTM)                  (None, 64)                20736     "
    assert "Total params: 181,793" in lines
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['acc'])
    rng = np.random.default_rng(0)
    x = rng.integers(1, 10000, (64, 12))
    y = (x[:, 0] > 5000).astype("float32")
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_lstm_learns_a_sequence_task():
    # Is the sum of the sequence positive? A few epochs of Adam are enough for an LSTM.
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 6, 1)).astype("float32")
    y = (x.sum(axis=(1, 2)) > 0).astype("float32")
    model = keras.Sequential([keras.Input((6, 1)), LSTM(8), Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


def test_model_reset_states_resets_every_stateful_layer():
    import kerasnb as keras

    model = keras.Sequential([keras.Input(batch_shape=(2, 3, 4)), keras.layers.SimpleRNN(5, stateful=True)])
    x = np.ones((2, 3, 4), "float32")
    first = model(x).numpy()
    assert not np.allclose(model(x).numpy(), first)  # carries its state over from the first batch
    model.reset_states()
    np.testing.assert_allclose(model(x).numpy(), first, rtol=1e-6)
