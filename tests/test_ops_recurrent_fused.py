"""Whole-sequence recurrent ops and the RNN layer's fused path that uses them.

* Each op (``LSTMSequence``, ``GRUSequence``, ``GRUResetBeforeSequence`` in :mod:`kerasnb.ops.recurrent`) against
  central finite differences in float64, for every input, with and without a mask, in both directions.
* LSTM and GRU layers, fused vs their per-step loop (the same layer with ``fused_sequence`` switched off):
  outputs, final states and the gradients w.r.t. the inputs, the initial states and every weight, in float64 with
  a tight tolerance, across return_sequences, return_state, go_backwards, masks (and zero_output_for_mask),
  initial_state, stateful, use_bias, unit_forget_bias, reset_after, dropout and Bidirectional.
* Which calls take the fused path and which fall back to the loop; float32 stays float32.
"""

import contextlib
from unittest import mock

import numpy as np
import pytest

import kerasnb as keras
from kerasnb import ops
from kerasnb.layers.recurrent import GRU, LSTM, RNN, ConvLSTM1D, GRUCell, LSTMCell, SimpleRNNCell, _RecurrentCell
from kerasnb.layers.rnn_wrappers import Bidirectional
from kerasnb.ops import recurrent as rec
from kerasnb.testing import check_gradients

T, B, F, U = 6, 5, 3, 4  # time steps, batch, features, units

# Rows: all kept; leading masked steps; trailing masked steps; interleaved; all masked.
MASK = np.array([[1, 1, 1, 1, 1, 1],
                 [0, 0, 1, 1, 0, 1],
                 [1, 1, 1, 0, 0, 0],
                 [1, 0, 1, 0, 1, 0],
                 [0, 0, 0, 0, 0, 0]], dtype=bool)


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    yield


@contextlib.contextmanager
def per_step():
    """Switch the fused path off: the RNN layer loops over the cell's ``step``, as before the fused ops."""
    with mock.patch.object(LSTMCell, "fused_sequence", _RecurrentCell.fused_sequence), \
            mock.patch.object(GRUCell, "fused_sequence", _RecurrentCell.fused_sequence):
        yield


@contextlib.contextmanager
def counting():
    """Count the whole-sequence ops and the per-step gate ops run inside the block."""
    counts = {"sequence": 0, "step": 0}
    classes = {"sequence": (rec.LSTMSequence, rec.GRUSequence, rec.GRUResetBeforeSequence),
               "step": (rec.LSTMGates, rec.GRUGates)}
    patches = []
    for kind, group in classes.items():
        for cls in group:
            def forward(self, *arrays, _kind=kind, _original=cls.forward):
                counts[_kind] += 1
                return _original(self, *arrays)
            patches.append(mock.patch.object(cls, "forward", forward))
    with contextlib.ExitStack() as stack:
        for p in patches:
            stack.enter_context(p)
        yield counts


# ---------------------------------------------------------------------------------------------------------
# The ops against finite differences
# ---------------------------------------------------------------------------------------------------------

def _op_inputs(kind, rng):
    gates = 4 if kind == "lstm" else 3
    inputs = [rng.normal(size=(T, B, gates * U)), 0.5 * rng.normal(size=(U, gates * U)), rng.normal(size=(B, U))]
    if kind == "lstm":
        inputs.append(rng.normal(size=(B, U)))  # c0
    if kind == "gru":
        inputs.append(rng.normal(size=(gates * U,)))  # the recurrent bias
    return inputs


def _op(kind, mask, go_backwards):
    if kind == "lstm":
        return lambda x, k, h, c: rec.lstm_sequence(x, k, h, c, mask=mask, go_backwards=go_backwards)
    if kind == "gru":
        return lambda x, k, h, b: rec.gru_sequence(x, k, h, b, mask=mask, go_backwards=go_backwards)
    return lambda x, k, h: rec.gru_sequence(x, k, h, mask=mask, go_backwards=go_backwards, reset_after=False)


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_reset_before"])
def test_sequence_op_gradients_match_finite_differences(kind, masked, go_backwards):
    rng = np.random.default_rng(3)
    report = check_gradients(_op(kind, MASK if masked else None, go_backwards), *_op_inputs(kind, rng),
                             atol=1e-7, rtol=1e-6)
    assert report.ok and report.worst is not None


@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_reset_before"])
def test_sequence_op_gradients_over_several_blocks(kind):
    # Backward computes its coefficients for blocks of steps: a sequence longer than one block, not a multiple.
    steps = 2 * rec._BLOCK + 3
    rng = np.random.default_rng(17)
    gates = 4 if kind == "lstm" else 3
    inputs = [rng.normal(size=(steps, 2, gates * 2)), 0.5 * rng.normal(size=(2, gates * 2)), rng.normal(size=(2, 2))]
    inputs += [rng.normal(size=(2, 2))] if kind == "lstm" else [rng.normal(size=(6,))] if kind == "gru" else []
    mask = rng.random((2, steps)) > 0.3
    report = check_gradients(_op(kind, mask, True), *inputs, atol=1e-7, rtol=1e-6)
    assert report.ok and report.worst is not None


@pytest.mark.usefixtures("array_backend")
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
def test_lstm_last_only_is_the_last_step_of_the_full_op(masked, go_backwards):
    """``last_only`` (what an LSTM without return_sequences uses) gives the final h and c and the same gradients
    as the full op with a gradient on its last step only, and passes finite differences itself."""
    rng = np.random.default_rng(5)
    inputs = _op_inputs("lstm", rng)
    mask = MASK if masked else None
    upstream = rng.normal(size=(2, B, U))

    def last(x, k, h, c):
        return rec.lstm_sequence(x, k, h, c, mask=mask, go_backwards=go_backwards, last_only=True) * upstream

    def full(x, k, h, c):
        return rec.lstm_sequence(x, k, h, c, mask=mask, go_backwards=go_backwards)[:, -1] * upstream

    tensors = [ops.convert_to_tensor(a) for a in inputs]
    results = []
    for fn in (last, full):
        with keras.GradientTape() as tape:
            tape.watch(tensors)
            out = fn(*tensors)
        results.append((out.numpy(), [g.numpy() for g in tape.gradient(out, tensors)]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12, atol=1e-14)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    report = check_gradients(last, *inputs, atol=1e-7, rtol=1e-6)
    assert report.ok and report.worst is not None


@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_reset_before"])
def test_sequence_op_masked_steps_carry_the_states(kind):
    rng = np.random.default_rng(4)
    out = _op(kind, MASK, False)(*_op_inputs(kind, rng)).numpy()
    h = out[0] if kind == "lstm" else out  # (time, batch, units)
    assert not np.allclose(h[0, 0], h[1, 0])  # a kept step changes h
    np.testing.assert_array_equal(h[1, 1], h[0, 1])  # row 1 skips steps 0 and 1: h stays h0
    np.testing.assert_array_equal(h[5, 2], h[2, 2])  # row 2 skips its last three steps
    np.testing.assert_array_equal(h[:, 4], np.broadcast_to(h[0, 4], (T, U)))  # row 4 skips everything


def test_sequence_op_go_backwards_is_the_reversed_sequence():
    rng = np.random.default_rng(5)
    x, k, h0, c0 = _op_inputs("lstm", rng)
    backwards = rec.lstm_sequence(x, k, h0, c0, mask=MASK, go_backwards=True).numpy()
    reversed_input = rec.lstm_sequence(x[::-1].copy(), k, h0, c0, mask=MASK[:, ::-1].copy()).numpy()
    np.testing.assert_array_equal(backwards, reversed_input)


# ---------------------------------------------------------------------------------------------------------
# The layers: fused vs per-step
# ---------------------------------------------------------------------------------------------------------

CELLS = {
    "lstm": lambda **kw: LSTM(U, dtype="float64", **kw),
    "lstm_no_bias": lambda **kw: LSTM(U, use_bias=False, dtype="float64", **kw),
    "lstm_no_forget_bias": lambda **kw: LSTM(U, unit_forget_bias=False, dtype="float64", **kw),
    "gru": lambda **kw: GRU(U, dtype="float64", **kw),
    "gru_no_bias": lambda **kw: GRU(U, use_bias=False, dtype="float64", **kw),
    "gru_reset_before": lambda **kw: GRU(U, reset_after=False, dtype="float64", **kw),
    "gru_reset_before_no_bias": lambda **kw: GRU(U, reset_after=False, use_bias=False, dtype="float64", **kw),
}

OPTIONS = {
    "last": {},
    "sequences": {"return_sequences": True},
    "backwards": {"return_sequences": True, "go_backwards": True},
    "state": {"return_state": True},
    "mask": {"return_sequences": True, "return_state": True, "mask": True},
    "mask_last": {"mask": True},
    "mask_backwards": {"return_sequences": True, "return_state": True, "go_backwards": True, "mask": True},
    "mask_zero_output": {"return_sequences": True, "return_state": True, "zero_output_for_mask": True,
                         "mask": True},
    "initial_state": {"return_sequences": True, "return_state": True, "initial_state": True},
    "initial_state_mask": {"return_sequences": True, "return_state": True, "initial_state": True, "mask": True},
    "initial_state_mask_backwards": {"return_state": True, "initial_state": True, "mask": True,
                                     "go_backwards": True},
}


def _randomize(layer, seed):
    """Random weights (the bias too, so its gradient is not trivial)."""
    rng = np.random.default_rng(seed)
    layer.set_weights([0.6 * rng.normal(size=w.shape) for w in layer.get_weights()])


def _run(layer, x, mask=None, initial_state=None, training=False):
    """The layer's outputs and the gradients of a fixed random weighting of all of them w.r.t. the inputs, the
    initial states and the trainable weights (in that order), as NumPy arrays."""
    x = ops.convert_to_tensor(x)
    states = [ops.convert_to_tensor(s) for s in initial_state or []]
    with keras.GradientTape() as tape:
        tape.watch([x, *states])
        result = layer(x, initial_state=states or None, mask=mask, training=training)
        outs = list(result) if isinstance(result, (list, tuple)) else [result]
        rng = np.random.default_rng(99)
        loss = sum(ops.sum(o * rng.normal(size=o.shape)) for o in outs)
    grads = tape.gradient(loss, [x, *states, *layer.trainable_weights])
    return [o.numpy() for o in outs], [g.numpy() for g in grads]


def _assert_same(fused, looped):
    (outs_f, grads_f), (outs_l, grads_l) = fused, looped
    assert len(outs_f) == len(outs_l) and len(grads_f) == len(grads_l)
    for a, b in zip(outs_f + grads_f, outs_l + grads_l):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("cell", CELLS)
def test_fused_layer_equals_per_step_loop(cell, option):
    settings = dict(OPTIONS[option])
    use_mask, use_initial = settings.pop("mask", False), settings.pop("initial_state", False)
    layer = CELLS[cell](**settings)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(B, T, F))
    layer(x)
    _randomize(layer, 2)
    kwargs = {"mask": MASK if use_mask else None,
              "initial_state": [rng.normal(size=(B, U)) for _ in layer.state_size] if use_initial else None}
    with counting() as counts:
        fused = _run(layer, x, **kwargs)
    assert counts == {"sequence": 1, "step": 0}
    with per_step(), counting() as counts:
        looped = _run(layer, x, **kwargs)
    assert counts["sequence"] == 0
    _assert_same(fused, looped)


@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_reset_before"])
def test_fused_layer_long_sequence_equals_per_step_loop(cell):
    steps = 3 * rec._BLOCK + 5
    rng = np.random.default_rng(18)
    x = rng.normal(size=(B, steps, F))
    mask = rng.random((B, steps)) > 0.2
    layer = CELLS[cell](return_sequences=True, return_state=True)
    layer(x)
    _randomize(layer, 19)
    fused = _run(layer, x, mask=mask)
    with per_step():
        looped = _run(layer, x, mask=mask)
    _assert_same(fused, looped)


@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_reset_before"])
def test_fused_layer_stateful_equals_per_step_loop(cell):
    layer = CELLS[cell](stateful=True, return_sequences=True)
    rng = np.random.default_rng(6)
    first, second = rng.normal(size=(B, T, F)), rng.normal(size=(B, T, F))
    layer(first)
    _randomize(layer, 7)

    def two_batches():
        layer.reset_states()
        one = _run(layer, first, mask=MASK)
        return one, _run(layer, second), [s.numpy() for s in layer.states]

    fused = two_batches()
    with per_step():
        looped = two_batches()
    _assert_same(fused[0], looped[0])
    _assert_same(fused[1], looped[1])  # the second batch starts from the first one's final states
    for a, b in zip(fused[2], looped[2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_fused_layer_with_input_dropout_equals_per_step_loop(cell):
    # Input dropout is applied to the inputs before their matrix product, so the fused path keeps it. Two layers
    # with the same seed draw the same dropout masks.
    rng = np.random.default_rng(8)
    x = rng.normal(size=(B, T, F))
    layers = [CELLS[cell](dropout=0.4, seed=11, return_sequences=True) for _ in range(2)]
    for layer in layers:
        layer(x)
        _randomize(layer, 9)
    fused = _run(layers[0], x, mask=MASK, training=True)
    with per_step():
        looped = _run(layers[1], x, mask=MASK, training=True)
    _assert_same(fused, looped)
    assert not np.allclose(fused[0][0], _run(layers[0], x, mask=MASK)[0][0])  # dropout did something


def test_fused_bidirectional_equals_per_step_loop():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(B, T, F))
    layer = Bidirectional(LSTM(U, return_sequences=True, dtype="float64"), dtype="float64")
    layer(x)
    _randomize(layer, 12)
    with counting() as counts:
        fused = _run(layer, x, mask=MASK)
    assert counts["sequence"] == 2
    with per_step():
        looped = _run(layer, x, mask=MASK)
    _assert_same(fused, looped)


@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_reset_before"])
def test_fused_layer_gradients_match_finite_differences(cell):
    # Through the whole layer (projection, fused op, masked outputs) w.r.t. the inputs and the initial states.
    layer = CELLS[cell](return_sequences=True, return_state=True, go_backwards=True)
    rng = np.random.default_rng(13)
    x = rng.normal(size=(B, T, F))
    layer(x)
    _randomize(layer, 14)
    states = [rng.normal(size=(B, U)) for _ in layer.state_size]
    report = check_gradients(lambda x, *s: layer(x, initial_state=list(s), mask=MASK), x, *states,
                             atol=1e-7, rtol=1e-6)
    assert report.ok and report.worst is not None


# ---------------------------------------------------------------------------------------------------------
# When the fused path is taken, and float32
# ---------------------------------------------------------------------------------------------------------

class _StepOverridingCell(LSTMCell):
    def step(self, projected, states, training=False):
        return super().step(projected, states, training)


@pytest.mark.parametrize("make, call_kwargs", [
    (lambda: LSTM(U, recurrent_dropout=0.3, seed=1), {"training": True}),
    (lambda: GRU(U, recurrent_dropout=0.3, seed=1), {"training": True}),
    (lambda: LSTM(U, activation="relu"), {}),
    (lambda: GRU(U, recurrent_activation="hard_sigmoid"), {}),
    (lambda: RNN(_StepOverridingCell(U)), {}),
    (lambda: RNN([LSTMCell(U), GRUCell(U)]), {}),
], ids=["lstm_recurrent_dropout", "gru_recurrent_dropout", "custom_activation", "custom_recurrent_activation",
        "subclass_step", "stacked_cells"])
def test_falls_back_to_the_loop(make, call_kwargs):
    with counting() as counts:
        make()(np.ones((B, T, F), dtype="float32"), **call_kwargs)
    assert counts["sequence"] == 0


@pytest.mark.parametrize("make", [
    lambda: LSTM(U, recurrent_dropout=0.3, seed=1),  # recurrent dropout is off when not training
    lambda: RNN(LSTMCell(U), unroll=True),
    lambda: GRU(U, implementation=1),
], ids=["recurrent_dropout_inference", "unroll", "implementation_1"])
def test_takes_the_fused_path(make):
    with counting() as counts:
        make()(np.ones((B, T, F), dtype="float32"))
    assert counts == {"sequence": 1, "step": 0}


def test_conv_lstm_and_simple_rnn_keep_their_loop():
    with counting() as counts:
        ConvLSTM1D(2, 3, padding="same")(np.ones((2, 3, 5, 1), dtype="float32"))
        RNN(SimpleRNNCell(U))(np.ones((B, T, F), dtype="float32"))
    assert counts["sequence"] == 0


@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_reset_before"])
def test_float32_stays_float32(cell):
    make = {"lstm": lambda: LSTM(U, return_sequences=True, return_state=True),
            "gru": lambda: GRU(U, return_sequences=True, return_state=True),
            "gru_reset_before": lambda: GRU(U, reset_after=False, return_sequences=True, return_state=True)}[cell]
    rng = np.random.default_rng(15)
    x = rng.normal(size=(B, T, F)).astype(np.float32)
    layer = make()
    layer(x)
    _randomize(layer, 16)
    layer.set_weights([w.astype(np.float32) for w in layer.get_weights()])
    seen = []
    original = rec._SequenceOp._start

    def start(self, projected):
        seen.append(self)
        return original(self, projected)

    with mock.patch.object(rec._SequenceOp, "_start", start):
        fused = _run(layer, x, mask=MASK)
    op = seen[0]
    buffers = [v for v in vars(op).values() if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    assert buffers and all(b.dtype == np.float32 for b in buffers)
    with per_step():
        looped = _run(layer, x, mask=MASK)
    for a, b in zip(fused[0] + fused[1], looped[0] + looped[1]):
        assert a.dtype == np.float32 and b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
