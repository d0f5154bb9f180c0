"""Layers for sequences of tokens: ``Embedding`` (integer ids -> vectors) and ``Masking`` (skip padded steps).

Both can start a *mask*: a boolean ``(batch, timesteps)`` array saying which steps are real data. The layer
attaches it to its output tensor, and the next layers receive it as ``call(..., mask=...)``; recurrent layers
then skip the masked steps (they keep their previous state and output).
"""

import numpy as np

from kerasnb import constraints, initializers, ops, regularizers
from kerasnb.layers.keras_tensor import KerasTensor
from kerasnb.layers.layer import Layer


class Embedding(Layer):
    """Turns non-negative integers (token ids) into dense vectors: row ``i`` of a trainable
    ``(input_dim, output_dim)`` matrix stands for token ``i``.

    Args:
        input_dim: the vocabulary size (the largest id + 1).
        output_dim: the length of each vector.
        embeddings_initializer: how to initialise the matrix (default ``'uniform'``: uniform in [-0.05, 0.05]).
        embeddings_regularizer, activity_regularizer: penalties added to the model's loss.
        embeddings_constraint: a projection applied to the matrix after each optimizer step.
        mask_zero: treat id 0 as padding: the output carries a mask that is ``False`` where the input is 0,
            so that recurrent layers skip those steps (then id 0 is not a word: ``input_dim`` = vocabulary + 1).
        input_length: the Keras 2 spelling of a fixed sequence length; it only fixes the input shape the layer
            expects, ``(None, input_length)``.
        weights: optional initial matrix (``[matrix]`` or the matrix itself).

    Inputs are integer arrays of any shape ``(batch, ...)``; floats are cast to int32. The output has shape
    ``(batch, ..., output_dim)`` and the layer's float dtype. The gradient reaches only the rows that were
    looked up (repeated ids add up).

    Example:
        >>> layer = Embedding(10, 3)
        >>> layer(np.array([[1, 2, 0]])).shape
        (1, 3, 3)
        >>> layer.count_params()
        30
        >>> masked = Embedding(10, 3, mask_zero=True)(np.array([[5, 2, 0, 0]]))
        >>> masked._keras_mask
        <Tensor shape=(1, 4) dtype=bool numpy=[[ True  True False False]]>
    """

    _keras_quantization_keys = True  # accepts Keras 3's quantization_config / lora_rank / lora_alpha when off

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, activity_regularizer=None,
                 input_length=None, **kwargs):
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value} "
                                 f"(of type {type(value).__name__}).")
        explicit_shape = any(k in kwargs for k in ("input_shape", "batch_input_shape", "batch_shape", "input_dim"))
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length
        self.autocast = False  # integer ids must not become floats
        if not explicit_shape:
            # As in Keras 2: the expected input is (batch, input_length), so a Sequential model starting with an
            # Embedding is built (and has a summary) as soon as it is made.
            self._batch_input_shape = (None, input_length)
            self._implicit_input_shape = True
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1 else [weights])

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype.kind not in "iu":
            inputs = ops.cast(inputs, "int32")
        outputs = ops.take(self.embeddings, inputs, axis=0)  # its backward adds the gradient rows back: a scatter
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(outputs) / outputs.shape[0])
        return outputs

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def compute_output_spec(self, inputs, *args, **kwargs):
        # The output is float whatever the (integer) input dtype is.
        return KerasTensor(self.compute_output_shape(inputs.shape), self.dtype)

    def get_config(self):
        config = super().get_config()
        if getattr(self, "_implicit_input_shape", False):
            config.pop("batch_input_shape", None)  # made by the constructor, not given by the user
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        })
        if self.input_length is not None:
            config["input_length"] = self.input_length
        return config


class Masking(Layer):
    """Marks time steps to skip: a step whose features all equal ``mask_value`` is masked (set to 0 in the
    output, and ``False`` in the mask passed to the next layers, which recurrent layers respect).

    Args:
        mask_value: the padding value (default 0.0).

    Inputs have shape ``(batch, timesteps, features...)``; the mask has shape ``(batch, timesteps)``.

    Example:
        >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
        >>> y = Masking(mask_value=0.0)(x)
        >>> y._keras_mask
        <Tensor shape=(1, 3) dtype=bool numpy=[[ True False  True]]>
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.built = True

    def _keep(self, inputs):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)

    def call(self, inputs):
        return ops.where(self._keep(inputs), inputs, ops.zeros((), dtype=inputs.dtype))

    def compute_mask(self, inputs, mask=None):
        return ops.squeeze(self._keep(inputs), axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
