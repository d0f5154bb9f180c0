"""Generate the Keras reference values that ``tests/test_layers_recurrent.py`` and ``tests/test_layers_embedding.py``
compare kerasnb's sequence layers with (Embedding, Masking, SimpleRNN, GRU, LSTM, their cells in ``RNN``,
StackedRNNCells, Bidirectional, TimeDistributed, and small Sequential models that pass masks along).

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment (see ``make_refs.py``), and writes ``tests/reference/rnn_layers_reference.npz``, which is committed::

    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_rnn_layer_refs.py

For every case it builds the layer (or a Sequential model of layers) from a JSON *spec*, builds it on the case's
inputs, replaces every weight with seeded random values (so weights are non-trivial and the same on both sides),
and records, in inference mode:

* the outputs (a list: ``y0``, ``y1``, ... — several with ``return_state`` or ``merge_mode=None``), and the mask
  a layer attaches to its first output (``mask_out``) where it makes one;
* for non-stateful cases, the gradient of ``sum_i sum(y_i * w_i)`` (``w_i`` fixed random weights, stored) with
  respect to the float input ``x`` (``dx``) and to every trainable weight (``dW0``, ``dW1``, ...), by torch
  autograd;
* the parameter count, ``compute_output_shape`` for the input shape with an unknown batch size, and the keys of
  ``get_config()``.

Stateful cases are called twice (inputs ``x`` and ``x2``); both calls' outputs are recorded (``y0``, ``y1``).

A spec is ``{"class": name, "args": {...}}``; an argument that is itself a spec (a dict with ``"class"``) or a
list of specs is built first (the layer of ``Bidirectional``, the cells of ``RNN``). ``__cases__`` is a JSON list
of ``{"name", "spec" | "model", "inputs", "call", "outputs", "weights", "grads", "params", "output_shape",
"config_keys", "note"}``; ``call`` maps call arguments to input names (``{"mask": "mask", "initial_state":
["h0", "c0"]}``). ``__meta__`` holds the versions and the seed.
"""

import io
import json
import sys
from pathlib import Path

import numpy as np

try:
    import keras
    import torch
except ImportError:  # pytest's --doctest-modules imports every file under tests/, also in kerasnb's own test
    keras = torch = None  # environment, which has no Keras: the cases below need only NumPy, main() needs both

SEED = 20240611
OUT = Path(__file__).with_name("rnn_layers_reference.npz")
rng = np.random.default_rng(SEED)


def spec(cls, **args):
    return {"class": cls, "args": args}


def build(s):
    """A Keras layer from a spec."""
    if isinstance(s, list):
        return [build(item) for item in s]
    if not (isinstance(s, dict) and "class" in s):
        return s
    args = {k: build(v) for k, v in s["args"].items()}
    return getattr(keras.layers, s["class"])(**args)


def normal(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


CASES = []


def case(name, inputs, layer=None, model=None, call=None, note=None):
    assert all(c["name"] != name for c in CASES), name
    CASES.append({"name": name, "spec": layer, "model": model, "inputs": inputs, "call": call or {}, "note": note})


# -- Embedding and Masking -------------------------------------------------------------------------------
ids = np.array([[1, 4, 0, 6], [0, 0, 3, 5]], np.int32)
case("embedding", {"x": ids}, spec("Embedding", input_dim=7, output_dim=3))
case("embedding_mask_zero", {"x": ids}, spec("Embedding", input_dim=7, output_dim=3, mask_zero=True))
case("embedding_3d_ids", {"x": rng.integers(0, 9, (2, 3, 2)).astype(np.int32)},
     spec("Embedding", input_dim=9, output_dim=4))
padded = normal(2, 4, 3)
padded[0, 1] = 0.0
padded[1, 3] = 0.0
padded[1, 0, 1] = 0.0  # one zero feature alone does not mask the step
case("masking", {"x": padded}, spec("Masking"))
ones_padded = normal(2, 3, 2)
ones_padded[0, 2] = 1.0
case("masking_value_1", {"x": ones_padded}, spec("Masking", mask_value=1.0))

# -- SimpleRNN, GRU, LSTM on (2, 5, 3) -------------------------------------------------------------------
x = normal(2, 5, 3)
mask = np.array([[True, True, False, True, False], [False, True, True, True, True]])


def recurrent_cases(cls, prefix, units=4, **extra):
    case(prefix, {"x": x}, spec(cls, units=units, **extra))
    case(f"{prefix}_sequences", {"x": x}, spec(cls, units=units, return_sequences=True, **extra))
    case(f"{prefix}_state", {"x": x}, spec(cls, units=units, return_state=True, **extra))
    case(f"{prefix}_sequences_state", {"x": x}, spec(cls, units=units, return_sequences=True, return_state=True,
                                                     **extra))
    case(f"{prefix}_backwards", {"x": x}, spec(cls, units=units, go_backwards=True, **extra))
    case(f"{prefix}_backwards_sequences", {"x": x}, spec(cls, units=units, go_backwards=True,
                                                         return_sequences=True, **extra))
    case(f"{prefix}_no_bias", {"x": x}, spec(cls, units=units, use_bias=False, **extra))
    case(f"{prefix}_mask_sequences", {"x": x, "mask": mask}, spec(cls, units=units, return_sequences=True, **extra),
         call={"mask": "mask"})
    case(f"{prefix}_mask_state", {"x": x, "mask": mask}, spec(cls, units=units, return_state=True, **extra),
         call={"mask": "mask"})
    case(f"{prefix}_mask_backwards", {"x": x, "mask": mask},
         spec(cls, units=units, go_backwards=True, return_sequences=True, **extra), call={"mask": "mask"})
    case(f"{prefix}_mask_zero_output", {"x": x, "mask": mask},
         spec(cls, units=units, return_sequences=True, zero_output_for_mask=True, **extra), call={"mask": "mask"})


recurrent_cases("SimpleRNN", "simple_rnn")
case("simple_rnn_relu", {"x": x}, spec("SimpleRNN", units=4, activation="relu"))
case("simple_rnn_linear", {"x": x}, spec("SimpleRNN", units=4, activation=None))
case("simple_rnn_initial_state", {"x": x, "h0": normal(2, 4)}, spec("SimpleRNN", units=4, return_sequences=True),
     call={"initial_state": ["h0"]})
recurrent_cases("GRU", "gru")
recurrent_cases("GRU", "gru_reset_before", reset_after=False)
case("gru_activations", {"x": x}, spec("GRU", units=4, activation="relu", recurrent_activation="hard_sigmoid"))
case("gru_initial_state", {"x": x, "h0": normal(2, 4)}, spec("GRU", units=4, return_sequences=True),
     call={"initial_state": ["h0"]})
recurrent_cases("LSTM", "lstm")
case("lstm_activations", {"x": x}, spec("LSTM", units=4, activation="relu", recurrent_activation="hard_sigmoid"))
case("lstm_initial_state", {"x": x, "h0": normal(2, 4), "c0": normal(2, 4)},
     spec("LSTM", units=4, return_sequences=True, return_state=True), call={"initial_state": ["h0", "c0"]})
case("lstm_units_1", {"x": x}, spec("LSTM", units=1, return_sequences=True))

# Stateful: two calls, the second starting from the first one's final states.
x2 = normal(2, 5, 3)
for cls in ("SimpleRNN", "GRU", "LSTM"):
    case(f"{cls.lower()}_stateful", {"x": x, "x2": x2}, spec(cls, units=3, stateful=True, return_sequences=True),
         note="called on x, then on x2 (outputs y0, y1)")

# -- Cells in RNN, stacked cells ---------------------------------------------------------------------------
case("rnn_simple_rnn_cell", {"x": x}, spec("RNN", cell=spec("SimpleRNNCell", units=4), return_sequences=True))
case("rnn_gru_cell", {"x": x}, spec("RNN", cell=spec("GRUCell", units=4), return_state=True))
case("rnn_gru_cell_reset_before", {"x": x}, spec("RNN", cell=spec("GRUCell", units=4, reset_after=False)))
case("rnn_lstm_cell", {"x": x}, spec("RNN", cell=spec("LSTMCell", units=4), return_sequences=True,
                                     return_state=True))
stack = [spec("SimpleRNNCell", units=3), spec("GRUCell", units=4), spec("LSTMCell", units=2)]
case("rnn_stacked_cells", {"x": x}, spec("RNN", cell=stack, return_sequences=True))
case("rnn_stacked_cells_state", {"x": x}, spec("RNN", cell=spec("StackedRNNCells", cells=stack), return_state=True))
case("rnn_stacked_cells_mask", {"x": x, "mask": mask}, spec("RNN", cell=stack, return_sequences=True),
     call={"mask": "mask"})

# -- Bidirectional ---------------------------------------------------------------------------------------
for mode in ("concat", "sum", "mul", "ave", None):
    case(f"bidirectional_lstm_{mode}", {"x": x},
         spec("Bidirectional", layer=spec("LSTM", units=3, return_sequences=True), merge_mode=mode))
case("bidirectional_gru_last", {"x": x}, spec("Bidirectional", layer=spec("GRU", units=3)))
case("bidirectional_simple_rnn_sum", {"x": x}, spec("Bidirectional", layer=spec("SimpleRNN", units=3),
                                                     merge_mode="sum"))
case("bidirectional_lstm_state", {"x": x},
     spec("Bidirectional", layer=spec("LSTM", units=3, return_state=True)))
case("bidirectional_gru_state_none", {"x": x},
     spec("Bidirectional", layer=spec("GRU", units=3, return_state=True, return_sequences=True), merge_mode=None))
case("bidirectional_lstm_initial_state", {"x": x, "h0": normal(2, 3), "c0": normal(2, 3), "h1": normal(2, 3),
                                          "c1": normal(2, 3)},
     spec("Bidirectional", layer=spec("LSTM", units=3)), call={"initial_state": ["h0", "c0", "h1", "c1"]})
case("bidirectional_mask_sequences", {"x": x, "mask": mask},
     spec("Bidirectional", layer=spec("GRU", units=3, return_sequences=True)), call={"mask": "mask"},
     note="masked steps output zeros: Bidirectional forces zero_output_for_mask with return_sequences")
case("bidirectional_mask_last", {"x": x, "mask": mask}, spec("Bidirectional", layer=spec("LSTM", units=3)),
     call={"mask": "mask"})

# -- TimeDistributed -------------------------------------------------------------------------------------
case("time_distributed_dense", {"x": normal(2, 4, 5)}, spec("TimeDistributed", layer=spec("Dense", units=3)))
case("time_distributed_dense_4d", {"x": normal(2, 3, 4, 5)},
     spec("TimeDistributed", layer=spec("Dense", units=2, activation="tanh")))
case("time_distributed_mask", {"x": normal(2, 5, 3), "mask": mask},
     spec("TimeDistributed", layer=spec("Dense", units=2)), call={"mask": "mask"})

# -- ConvLSTM ---------------------------------------------------------------------------------------------
case("conv_lstm2d_same_sequences", {"x": normal(2, 3, 5, 5, 2)},
     spec("ConvLSTM2D", filters=2, kernel_size=3, padding="same", return_sequences=True))
case("conv_lstm2d_strides_state", {"x": normal(2, 3, 7, 6, 2)},
     spec("ConvLSTM2D", filters=2, kernel_size=(3, 2), strides=2, return_state=True))
case("conv_lstm2d_dilation_backwards", {"x": normal(2, 3, 6, 6, 1)},
     spec("ConvLSTM2D", filters=3, kernel_size=2, dilation_rate=2, go_backwards=True, return_sequences=True))
case("conv_lstm2d_channels_first", {"x": normal(2, 3, 2, 5, 4)},
     spec("ConvLSTM2D", filters=2, kernel_size=3, padding="same", data_format="channels_first",
          return_sequences=True, return_state=True))
case("conv_lstm2d_mask", {"x": normal(2, 3, 4, 4, 2), "mask": np.array([[True, False, True], [False, True, True]])},
     spec("ConvLSTM2D", filters=2, kernel_size=3, return_sequences=True), call={"mask": "mask"})
case("conv_lstm1d", {"x": normal(2, 4, 6, 2)}, spec("ConvLSTM1D", filters=3, kernel_size=2, return_sequences=True))
case("conv_lstm3d", {"x": normal(1, 3, 3, 4, 3, 1)}, spec("ConvLSTM3D", filters=2, kernel_size=2, padding="same"))

# -- Models: masks from Embedding(mask_zero=True) / Masking reach the recurrent layers ------------------------
tokens = np.array([[3, 5, 2, 0, 0], [0, 0, 7, 1, 4], [6, 0, 2, 0, 9]], np.int32)
case("model_embedding_mask_lstm", {"x": tokens}, model=[
    spec("Embedding", input_dim=10, output_dim=3, mask_zero=True), spec("LSTM", units=4, return_sequences=True),
    spec("GRU", units=2)])
case("model_embedding_mask_bidirectional", {"x": tokens}, model=[
    spec("Embedding", input_dim=10, output_dim=3, mask_zero=True),
    spec("Bidirectional", layer=spec("LSTM", units=2, return_sequences=True)),
    spec("TimeDistributed", layer=spec("Dense", units=2)), spec("SimpleRNN", units=3)])
case("model_masking_gru", {"x": padded}, model=[spec("Masking"), spec("GRU", units=3, return_sequences=True)])
case("model_seed_imdb_lstm", {"x": tokens}, model=[
    spec("Embedding", input_dim=10, output_dim=4), spec("LSTM", units=5), spec("Dense", units=3, activation="relu"),
    spec("Dense", units=1, activation="sigmoid")], note="the seed's Embedding + LSTM + Dense + Dense, small")


# ---------------------------------------------------------------------------------------------------------
# Running the cases
# ---------------------------------------------------------------------------------------------------------


def torch_input(a, grad):
    t = torch.tensor(a)
    if grad and a.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def flat(out):
    """Nested outputs (stacked cells' states) as one list, in order."""
    if isinstance(out, (list, tuple)):
        return [leaf for item in out for leaf in flat(item)]
    return [out]


def run(c, arrays):
    inputs = c["inputs"]
    stateful = "x2" in inputs
    if c["model"] is not None:
        x0 = inputs["x"]
        layer = keras.Sequential([keras.Input(shape=x0.shape[1:], dtype=str(x0.dtype)), *build(c["model"])])
    else:
        layer = build(c["spec"])

    def call(x_array, grad):
        tensors = {k: torch_input(v, grad and k == "x") for k, v in inputs.items()}
        tensors["x"] = torch_input(x_array, grad)
        kwargs = {}
        for arg, key in c["call"].items():
            kwargs[arg] = [tensors[k] for k in key] if isinstance(key, list) else tensors[key]
        out = layer(tensors["x"], **kwargs)
        return tensors["x"], flat(out)

    call(inputs["x"], grad=False)  # builds it
    weights = [(rng.uniform(-0.6, 0.6, w.shape)).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    if stateful:
        layer.reset_state()
    name = c["name"]
    for k, v in inputs.items():
        arrays[f"{name}/{k}"] = v
    for i, w in enumerate(weights):
        arrays[f"{name}/W{i}"] = w
    x_tensor, outs = call(inputs["x"], grad=not stateful)
    if stateful:
        _, second = call(inputs["x2"], grad=False)
        outs = outs + second
    c["outputs"] = [f"y{i}" for i in range(len(outs))]
    for key, o in zip(c["outputs"], outs):
        arrays[f"{name}/{key}"] = o.detach().numpy()
    first_mask = getattr(outs[0], "_keras_mask", None)
    if first_mask is not None:
        arrays[f"{name}/mask_out"] = first_mask.detach().numpy()
        c["mask_out"] = "mask_out"
    c["weights"] = [f"W{i}" for i in range(len(weights))]
    c["grads"] = {}
    if not stateful:
        loss = 0
        c["output_weights"] = []
        for i, o in enumerate(outs):
            w = rng.uniform(-1.0, 1.0, tuple(o.shape)).astype(np.float32)
            arrays[f"{name}/w{i}"] = w
            c["output_weights"].append(f"w{i}")
            loss = loss + (o * torch.tensor(w)).sum()
        loss.backward()
        if x_tensor.requires_grad:
            arrays[f"{name}/dx"] = x_tensor.grad.numpy()
            c["grads"]["x"] = "dx"
        for i, v in enumerate(layer.trainable_weights):
            grad = v.value.grad
            arrays[f"{name}/dW{i}"] = np.zeros(v.shape, np.float32) if grad is None else grad.numpy()
            c["grads"][f"W{i}"] = f"dW{i}"
    c["params"] = int(layer.count_params())
    if c["model"] is None:
        shape = layer.compute_output_shape((None, *inputs["x"].shape[1:]))
        c["output_shape"] = json.loads(json.dumps(shape))
        c["config_keys"] = sorted(layer.get_config())
    c["inputs"] = list(inputs)


def main():
    arrays = {}
    for c in CASES:
        keras.utils.clear_session()
        run(c, arrays)
    arrays["__cases__"] = np.array(json.dumps(CASES))
    arrays["__meta__"] = np.array(json.dumps({
        "keras_version": keras.__version__, "torch_version": torch.__version__, "numpy_version": np.__version__,
        "backend": keras.backend.backend(), "seed": SEED}))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    OUT.write_bytes(buffer.getvalue())
    print(f"wrote {len(CASES)} cases, {len(arrays)} arrays, {OUT.stat().st_size} bytes to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
