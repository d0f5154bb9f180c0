"""One small, working instance of every layer class ``kerasnb.layers`` exports, for the saving tests.

``CATALOGUE`` is a list of ``(id, factory, spec)``:

* ``id`` — the name of the class the entry covers (``"Conv2D"``; an alias such as ``Convolution2D`` or
  ``AvgPool1D`` is the same class and shares its entry: :data:`ALIASES` maps each alias to its entry). Cells
  (``LSTMCell``, ...) are covered inside an ``RNN``; ``InputLayer`` is the model's own input.
* ``factory()`` — a new layer (with fixed arguments; preprocessing lookups get their vocabulary, ``Lambda`` a
  named kerasnb function, so no custom objects are needed to load any of them).
* ``spec`` — what the layer is called on: an :class:`In` (one input: a ``Sequential([Input, layer])``), a list of
  :class:`In` (a functional model whose layer is called on the list of inputs: merging and attention layers), or
  an :class:`Args` (the layer is called with the inputs as separate arguments: ``MultiHeadAttention(q, v)``).

:func:`build_model` turns an entry into a model and :func:`sample_inputs` gives matching deterministic inputs. Every
model predicts deterministically in inference mode (dropout and random augmentation are off there);
:func:`predictions` gives its outputs as a flat list of arrays, and :func:`perturb_weights` moves its float
weights off their initial values.

This module holds data and these helpers only; the tests that use it are in ``tests/test_saving_*.py``.
"""

from dataclasses import dataclass

import numpy as np

import kerasnb as keras
from kerasnb import layers, ops
from kerasnb.layers.keras_tensor import flatten


@dataclass(frozen=True)
class In:
    """One model input: its shape without the batch axis, its dtype, and the values to draw samples from
    (integers in ``[0, high)``, or one of ``values`` for strings; floats are standard normal)."""

    shape: tuple
    dtype: str = "float32"
    high: int = None
    values: tuple = None


@dataclass(frozen=True)
class Args:
    """Several inputs passed to the layer as separate positional arguments."""

    inputs: tuple


CATALOGUE = [
    # -- core ------------------------------------------------------------------------------------------------
    ("Activation", lambda: layers.Activation("tanh"), In((3,))),
    ("ActivityRegularization", lambda: layers.ActivityRegularization(l1=0.01, l2=0.02), In((3,))),
    ("Dense", lambda: layers.Dense(3, activation="relu", kernel_regularizer="l2", bias_initializer="ones"), In((4,))),
    ("Identity", lambda: layers.Identity(), In((3,))),
    ("InputLayer", lambda: layers.InputLayer(shape=(3,)), In((3,))),
    ("Lambda", lambda: layers.Lambda(ops.square), In((3,))),
    ("Layer", lambda: layers.Layer(), In((3,))),
    ("Masking", lambda: layers.Masking(mask_value=0.0), In((3, 2))),
    ("Embedding", lambda: layers.Embedding(10, 4), In((5,), "int32", high=10)),
    # -- convolution -------------------------------------------------------------------------------------------
    ("Conv1D", lambda: layers.Conv1D(2, 3, activation="relu"), In((5, 3))),
    ("Conv2D", lambda: layers.Conv2D(2, 3, padding="same"), In((5, 5, 1))),
    ("Conv3D", lambda: layers.Conv3D(2, 2), In((3, 3, 3, 1))),
    ("Conv1DTranspose", lambda: layers.Conv1DTranspose(2, 3), In((5, 3))),
    ("Conv2DTranspose", lambda: layers.Conv2DTranspose(2, 3, strides=2), In((4, 4, 1))),
    ("Conv3DTranspose", lambda: layers.Conv3DTranspose(2, 2), In((3, 3, 3, 1))),
    ("DepthwiseConv1D", lambda: layers.DepthwiseConv1D(3, depth_multiplier=2), In((5, 2))),
    ("DepthwiseConv2D", lambda: layers.DepthwiseConv2D(3), In((5, 5, 2))),
    ("SeparableConv1D", lambda: layers.SeparableConv1D(2, 3), In((5, 2))),
    ("SeparableConv2D", lambda: layers.SeparableConv2D(2, 3), In((5, 5, 2))),
    ("LocallyConnected1D", lambda: layers.LocallyConnected1D(2, 2), In((4, 3))),
    ("LocallyConnected2D", lambda: layers.LocallyConnected2D(2, 2), In((4, 4, 1))),
    # -- pooling -----------------------------------------------------------------------------------------------
    ("AveragePooling1D", lambda: layers.AveragePooling1D(2), In((4, 3))),
    ("AveragePooling2D", lambda: layers.AveragePooling2D(2), In((4, 4, 2))),
    ("AveragePooling3D", lambda: layers.AveragePooling3D(2), In((4, 4, 4, 2))),
    ("MaxPooling1D", lambda: layers.MaxPooling1D(2), In((4, 3))),
    ("MaxPooling2D", lambda: layers.MaxPooling2D(2), In((4, 4, 2))),
    ("MaxPooling3D", lambda: layers.MaxPooling3D(2), In((4, 4, 4, 2))),
    ("GlobalAveragePooling1D", lambda: layers.GlobalAveragePooling1D(), In((4, 3))),
    ("GlobalAveragePooling2D", lambda: layers.GlobalAveragePooling2D(), In((4, 4, 2))),
    ("GlobalAveragePooling3D", lambda: layers.GlobalAveragePooling3D(keepdims=True), In((3, 3, 3, 2))),
    ("GlobalMaxPooling1D", lambda: layers.GlobalMaxPooling1D(), In((4, 3))),
    ("GlobalMaxPooling2D", lambda: layers.GlobalMaxPooling2D(), In((4, 4, 2))),
    ("GlobalMaxPooling3D", lambda: layers.GlobalMaxPooling3D(), In((3, 3, 3, 2))),
    # -- recurrent ---------------------------------------------------------------------------------------------
    ("SimpleRNN", lambda: layers.SimpleRNN(3, return_sequences=True), In((4, 2))),
    ("GRU", lambda: layers.GRU(3), In((4, 2))),
    ("LSTM", lambda: layers.LSTM(3, go_backwards=True), In((4, 2))),
    # return_state makes this the catalogue's multi-output model: the output and the final state.
    ("RNN", lambda: layers.RNN(layers.SimpleRNNCell(2), return_state=True), In((4, 2))),
    ("SimpleRNNCell", lambda: layers.RNN(layers.SimpleRNNCell(3)), In((4, 2))),
    ("GRUCell", lambda: layers.RNN(layers.GRUCell(2)), In((4, 2))),
    ("LSTMCell", lambda: layers.RNN(layers.LSTMCell(2), return_sequences=True), In((4, 2))),
    ("StackedRNNCells", lambda: layers.RNN(layers.StackedRNNCells([layers.LSTMCell(2), layers.GRUCell(3)])),
     In((4, 2))),
    ("Bidirectional", lambda: layers.Bidirectional(layers.LSTM(2, return_sequences=True)), In((4, 3))),
    ("TimeDistributed", lambda: layers.TimeDistributed(layers.Dense(2)), In((4, 3))),
    ("ConvLSTM1D", lambda: layers.ConvLSTM1D(2, 2), In((3, 4, 1))),
    ("ConvLSTM2D", lambda: layers.ConvLSTM2D(2, 2), In((3, 4, 4, 1))),
    ("ConvLSTM3D", lambda: layers.ConvLSTM3D(2, 2), In((2, 3, 3, 3, 1))),
    # -- merging -----------------------------------------------------------------------------------------------
    ("Add", lambda: layers.Add(), [In((3,)), In((3,))]),
    ("Subtract", lambda: layers.Subtract(), [In((3,)), In((3,))]),
    ("Multiply", lambda: layers.Multiply(), [In((3,)), In((3,))]),
    ("Average", lambda: layers.Average(), [In((3,)), In((3,))]),
    ("Maximum", lambda: layers.Maximum(), [In((3,)), In((3,))]),
    ("Minimum", lambda: layers.Minimum(), [In((3,)), In((3,))]),
    ("Concatenate", lambda: layers.Concatenate(axis=-1), [In((3,)), In((2,))]),
    ("Dot", lambda: layers.Dot(axes=1, normalize=True), [In((3,)), In((3,))]),
    # -- attention ---------------------------------------------------------------------------------------------
    ("Attention", lambda: layers.Attention(use_scale=True), [In((2, 3)), In((4, 3))]),
    ("AdditiveAttention", lambda: layers.AdditiveAttention(), [In((2, 3)), In((4, 3))]),
    ("MultiHeadAttention", lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3), Args((In((2, 4)), In((5, 4))))),
    # -- normalization -----------------------------------------------------------------------------------------
    ("BatchNormalization", lambda: layers.BatchNormalization(), In((3,))),
    ("LayerNormalization", lambda: layers.LayerNormalization(), In((2, 3))),
    ("GroupNormalization", lambda: layers.GroupNormalization(groups=2), In((4,))),
    ("UnitNormalization", lambda: layers.UnitNormalization(), In((4,))),
    # -- regularization and noise (identities in inference) -----------------------------------------------------
    ("Dropout", lambda: layers.Dropout(0.5), In((3,))),
    ("AlphaDropout", lambda: layers.AlphaDropout(0.2), In((3,))),
    ("GaussianDropout", lambda: layers.GaussianDropout(0.2), In((3,))),
    ("GaussianNoise", lambda: layers.GaussianNoise(0.1), In((3,))),
    ("SpatialDropout1D", lambda: layers.SpatialDropout1D(0.5), In((4, 3))),
    ("SpatialDropout2D", lambda: layers.SpatialDropout2D(0.5), In((4, 4, 2))),
    ("SpatialDropout3D", lambda: layers.SpatialDropout3D(0.5), In((3, 3, 3, 2))),
    # -- activations -------------------------------------------------------------------------------------------
    ("ReLU", lambda: layers.ReLU(max_value=2.0), In((3,))),
    ("LeakyReLU", lambda: layers.LeakyReLU(negative_slope=0.1), In((3,))),
    ("PReLU", lambda: layers.PReLU(alpha_initializer="ones"), In((3,))),
    ("ELU", lambda: layers.ELU(alpha=0.5), In((3,))),
    ("ThresholdedReLU", lambda: layers.ThresholdedReLU(theta=0.5), In((3,))),
    ("Softmax", lambda: layers.Softmax(axis=-1), In((3,))),
    # -- reshaping ---------------------------------------------------------------------------------------------
    ("Flatten", lambda: layers.Flatten(), In((2, 3))),
    ("Reshape", lambda: layers.Reshape((3, 2)), In((6,))),
    ("Permute", lambda: layers.Permute((2, 1)), In((3, 2))),
    ("RepeatVector", lambda: layers.RepeatVector(3), In((2,))),
    ("Cropping1D", lambda: layers.Cropping1D(1), In((5, 2))),
    ("Cropping2D", lambda: layers.Cropping2D(1), In((4, 4, 1))),
    ("Cropping3D", lambda: layers.Cropping3D(1), In((4, 4, 4, 1))),
    ("UpSampling1D", lambda: layers.UpSampling1D(2), In((3, 2))),
    ("UpSampling2D", lambda: layers.UpSampling2D(2), In((2, 2, 1))),
    ("UpSampling3D", lambda: layers.UpSampling3D(2), In((2, 2, 2, 1))),
    ("ZeroPadding1D", lambda: layers.ZeroPadding1D(1), In((3, 2))),
    ("ZeroPadding2D", lambda: layers.ZeroPadding2D(1), In((3, 3, 1))),
    ("ZeroPadding3D", lambda: layers.ZeroPadding3D(1), In((2, 2, 2, 1))),
    # -- preprocessing -----------------------------------------------------------------------------------------
    ("Rescaling", lambda: layers.Rescaling(1 / 255.0, offset=0.5), In((3,))),
    ("Normalization", lambda: layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[1.0, 4.0, 0.25]), In((3,))),
    ("Discretization", lambda: layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.5]), In((3,))),
    ("CategoryEncoding", lambda: layers.CategoryEncoding(num_tokens=4, output_mode="count"),
     In((3,), "int32", high=4)),
    ("Resizing", lambda: layers.Resizing(2, 3), In((4, 4, 1))),
    ("CenterCrop", lambda: layers.CenterCrop(2, 2), In((4, 4, 1))),
    ("RandomFlip", lambda: layers.RandomFlip("horizontal", seed=1), In((4, 4, 1))),
    ("RandomRotation", lambda: layers.RandomRotation(0.2, seed=1), In((4, 4, 1))),
    ("RandomTranslation", lambda: layers.RandomTranslation(0.1, 0.1, seed=1), In((4, 4, 1))),
    ("RandomZoom", lambda: layers.RandomZoom(0.1, seed=1), In((4, 4, 1))),
    ("RandomContrast", lambda: layers.RandomContrast(0.5, seed=1), In((4, 4, 3))),
    ("StringLookup", lambda: layers.StringLookup(vocabulary=["a", "b", "c"]),
     In((3,), "string", values=("a", "b", "c", "zz"))),
    ("IntegerLookup", lambda: layers.IntegerLookup(vocabulary=[1, 2, 3]), In((3,), "int64", high=5)),
    ("TextVectorization", lambda: layers.TextVectorization(vocabulary=["a", "b", "c"], output_sequence_length=4),
     In((1,), "string", values=("a b", "c a z", "b", "")),
     ),
]


def _aliases():
    entries = {entry_id for entry_id, _, _ in CATALOGUE}
    result = {}
    for name in layers.__all__:
        obj = getattr(layers, name)
        if isinstance(obj, type) and issubclass(obj, layers.Layer) and name not in entries and obj.__name__ in entries:
            result[name] = obj.__name__
    return result


ALIASES = _aliases()  # exported alias name -> the entry covering its class ("AvgPool1D" -> "AveragePooling1D")


def build_model(factory, spec):
    """A model around ``factory()``: ``Sequential([Input, layer])`` for one input, a functional model for
    several (the layer called on the list of inputs, or with them as arguments for :class:`Args`)."""
    layer = factory()
    if isinstance(layer, layers.InputLayer):
        return keras.Sequential([layer, layers.Identity(name="after_input")])
    if isinstance(spec, In):
        return keras.Sequential([keras.Input(spec.shape, dtype=spec.dtype), layer])
    parts = spec.inputs if isinstance(spec, Args) else spec
    inputs = [keras.Input(part.shape, dtype=part.dtype) for part in parts]
    outputs = layer(*inputs) if isinstance(spec, Args) else layer(inputs)
    return keras.Model(inputs, outputs)


def sample_inputs(spec, batch=2, seed=0):
    """Deterministic inputs matching ``spec``: one array, or a list for several inputs."""
    rng = np.random.default_rng(seed)

    def one(part):
        shape = (batch, *part.shape)
        if part.values is not None:
            return np.array(part.values, dtype=object)[rng.integers(0, len(part.values), shape)].astype(str)
        if part.high is not None:
            return rng.integers(0, part.high, shape).astype(part.dtype)
        return rng.standard_normal(shape).astype(part.dtype)

    if isinstance(spec, In):
        return one(spec)
    return [one(part) for part in (spec.inputs if isinstance(spec, Args) else spec)]


def predictions(model, x):
    """``model.predict(x)`` as a flat list of arrays, one per output (a list of one for a single output)."""
    y = model.predict(x, verbose=0)
    return [np.asarray(a) for a in (flatten(y) if isinstance(y, (list, tuple, dict)) else [y])]


def perturb_weights(model, seed):
    """Add ``U(0.1, 0.5)`` to every float weight, so that weights equal to their initializer's (a bias of zeros, a
    moving variance of ones) cannot pass for weights that were saved and loaded. Adding a positive amount keeps
    variances positive; integer weights are left alone."""
    rng = np.random.default_rng(seed)
    model.set_weights([w + rng.uniform(0.1, 0.5, w.shape).astype(w.dtype) if np.issubdtype(w.dtype, np.floating)
                       else w for w in model.get_weights()])
