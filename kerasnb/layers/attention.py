"""Attention layers: ``Attention`` (dot-product, Luong), ``AdditiveAttention`` (Bahdanau), ``MultiHeadAttention``.

All three compute the same three steps, differing only in step 1:

1. *scores*: how well each query position matches each key position, shape ``(batch, Tq, Tv)``;
2. *weights*: a softmax of the scores over the key positions (masked positions get ``-1e9`` first);
3. *output*: the weights times the values, shape ``(batch, Tq, dim)``.

``MultiHeadAttention`` first projects query, key and value into ``num_heads`` smaller spaces (einsum
projections with kernels of shape ``(dim, num_heads, key_dim)``), runs scaled dot-product attention in every head
at once, and projects the heads back with a kernel of shape ``(num_heads, value_dim, dim)``. The weights have the
same names, shapes and order as Keras's, so ``set_weights(keras_layer.get_weights())`` transfers them.
"""

import math
import string

import numpy as np

from kerasnb import constraints, initializers, ops, regularizers
from kerasnb.engine.random import SeedGenerator
from kerasnb.engine.tensor import Tensor
from kerasnb.layers.keras_tensor import KerasTensor, any_symbolic
from kerasnb.layers.layer import Layer
from kerasnb.layers.regularization import Dropout


def _bool_mask(mask):
    """A mask (array, list or tensor; bool or 0/1) as a boolean tensor."""
    return ops.cast(ops.convert_to_tensor(mask), "bool")


def _causal_mask(q_len, v_len):
    """``(1, Tq, Tv)``, True on and below the diagonal: position ``i`` sees positions ``j <= i`` only."""
    rows = ops.expand_dims(ops.arange(q_len), 1)
    cols = ops.expand_dims(ops.arange(v_len), 0)
    return ops.expand_dims(ops.greater_equal(rows, cols), 0)


# ---------------------------------------------------------------------------------------------------------
# Attention and AdditiveAttention
# ---------------------------------------------------------------------------------------------------------


class Attention(Layer):
    """Dot-product attention (Luong-style): ``softmax(query @ key^T) @ value``.

    Called on a list ``[query, value]`` or ``[query, value, key]`` (``key`` defaults to ``value``), with
    ``query`` of shape ``(batch, Tq, dim)`` and ``value``/``key`` of shape ``(batch, Tv, dim)``; returns
    ``(batch, Tq, dim)``.

    Args:
        use_scale: if True, learn a scalar ``scale`` that multiplies the scores.
        score_mode: ``'dot'`` (``query @ key^T``) or ``'concat'``
            (``concat_score_weight * sum(tanh(scale * (query + key)))`` over the features).
        dropout: fraction of the attention weights to drop while training.
        seed: seed of the dropout.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``.
        mask: ``[query_mask, value_mask]``, booleans of shapes ``(batch, Tq)`` and ``(batch, Tv)``: masked
            values are not attended to; masked query positions give zeros. Taken from the inputs' masks
            (``Embedding(mask_zero=True)``) when not passed.
        return_attention_scores: also return the attention weights (after masking and softmax).
        training: dropout only when True.
        use_causal_mask: position ``i`` attends only to positions ``j <= i`` (decoder self-attention).

    Example:
        >>> query, value = np.ones((2, 3, 4)), np.ones((2, 5, 4))
        >>> keras.layers.Attention()([query, value]).shape
        (2, 3, 4)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if self.dropout > 0:
            self.seed_generator = SeedGenerator(seed)
        if self.score_mode not in ["dot", "concat"]:
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode}"
            )

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        """Scores of shape ``(batch, Tq, Tv)``."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores * self.scale if self.scale is not None else scores
        # 'concat': broadcast (batch, Tq, 1, dim) against (batch, 1, Tv, dim), then sum the features away.
        pairs = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * ops.sum(ops.tanh(pairs), axis=-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        """Softmax the (masked) scores and take the weighted sum of ``value``; returns ``(output, weights)``."""
        if scores_mask is not None:
            if scores_mask.ndim == 2:
                scores_mask = ops.expand_dims(scores_mask, -2)
            large = 65504.0 if scores.dtype == np.float16 else 1.0e9
            scores = ops.where(ops.logical_not(scores_mask), scores - large, scores)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            keep = self.seed_generator.uniform(weights.shape, dtype=weights.dtype) >= self.dropout
            weights = weights * Tensor(keep.astype(weights.dtype) / np.asarray(1 - self.dropout, weights.dtype))
        return ops.matmul(weights, value), weights

    def _calculate_score_mask(self, scores, v_mask, use_causal_mask):
        if not use_causal_mask:
            return v_mask
        causal = _causal_mask(scores.shape[-2], scores.shape[-1])
        return causal if v_mask is None else ops.logical_and(ops.expand_dims(v_mask, -2), causal)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        q_mask = _bool_mask(mask[0]) if mask and mask[0] is not None else None
        v_mask = _bool_mask(mask[1]) if mask and mask[1] is not None else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._calculate_score_mask(scores, v_mask, use_causal_mask)
        output, weights = self._apply_scores(scores, value, scores_mask, training=training)
        if q_mask is not None:
            output = ops.where(ops.expand_dims(q_mask, -1), output, 0.0)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        """The output keeps the query's mask (the attention weights get none)."""
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return [_bool_mask(mask[0]), None]

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False, training=None,
                            use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        output = KerasTensor(self.compute_output_shape([query.shape, value.shape, key.shape]), self.dtype)
        if return_attention_scores:
            return output, KerasTensor((*query.shape[:-1], key.shape[-2]), self.dtype)
        return output

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or "
                             f"[query, value, key]. Received: inputs={inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                             f"[query, value, key]. Received length: {len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                                 f"Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. Received: inputs={inputs}, "
                                 f"mask={mask}.")

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau-style): scores ``sum(scale * tanh(query + key))`` over the features.

    Called like :class:`Attention` on ``[query, value]`` or ``[query, value, key]``, with the same ``mask``,
    ``return_attention_scores``, ``training`` and ``use_causal_mask`` call arguments.

    Args:
        use_scale: if True (the default), learn a vector ``scale`` of shape ``(dim,)`` weighting the features.
        dropout: fraction of the attention weights to drop while training.

    Example:
        >>> layer = keras.layers.AdditiveAttention()
        >>> layer([np.ones((2, 3, 4)), np.ones((2, 5, 4))]).shape
        (2, 3, 4)
        >>> layer.count_params()
        4
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        pairs = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)  # (batch, Tq, Tv, dim)
        scale = self.scale if self.use_scale else 1.0
        return ops.sum(scale * ops.tanh(pairs), axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config


# ---------------------------------------------------------------------------------------------------------
# MultiHeadAttention
# ---------------------------------------------------------------------------------------------------------


class _EinsumProjection(Layer):
    """``einsum(equation, inputs, kernel) + bias``: the part of Keras's ``EinsumDense`` that
    ``MultiHeadAttention`` uses, with the same weight names (``kernel``, ``bias``)."""

    def __init__(self, equation, kernel_shape, bias_shape=None, activation=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.equation = equation
        self.kernel_shape, self.bias_shape = tuple(kernel_shape), bias_shape
        self.activation = activation
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=self.bias_shape, initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        x = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        if self.activation is not None:
            x = self.activation(x)
        return x  # the Layer base class adds the activity penalty (divided by the batch size)


def _projection_equation(free_dims, bound_dims, output_dims):
    """An einsum equation ``inputs, kernel -> outputs`` keeping ``free_dims`` leading axes, contracting
    ``bound_dims`` axes and adding ``output_dims`` new ones: ``(2, 1, 2)`` gives ``'abc,cde->abde'``."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}"


def _attention_equations(rank, attn_axes):
    """The two einsums of multi-head attention for projected tensors of ``rank`` (batch, ..., heads, channels).

    ``dot``: key ``(batch, <key attention axes>, heads, channels)`` with query ``(batch, <query attention axes>,
    heads, channels)`` -> scores ``(batch, <other axes>, heads, <query attention axes>, <key attention axes>)``;
    ``combine``: scores with value -> ``(batch, <query attention axes>, heads, channels)``.
    """
    letters = string.ascii_lowercase
    target = letters[:rank]  # the query's letters
    batch_dims = [i for i in range(rank) if i not in attn_axes and i != rank - 1]  # includes the heads axis
    source, offset = "", rank  # the key's letters: new ones on the attention axes
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += letters[offset]
            offset += 1
    product = ("".join(target[i] for i in batch_dims) + "".join(target[i] for i in attn_axes)
               + "".join(source[i] for i in attn_axes))
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017): ``num_heads`` scaled dot-product attentions side by side.

    ``query`` ``(B, T, dim)`` and ``key``/``value`` ``(B, S, dim)`` are projected to ``(B, T|S, num_heads,
    key_dim|value_dim)``; each head computes ``softmax(q k^T / sqrt(key_dim)) v``; an output projection maps the
    heads back to ``(B, T, dim)`` (or ``output_shape``).

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default ``key_dim``).
        dropout: dropout rate on the attention weights (while training).
        use_bias: whether the projections have biases.
        output_shape: the output's last dimension(s) (default: the query's last dimension).
        attention_axes: the axes attention runs over (default: all but batch, heads and features).
        sliding_window: if set, position ``i`` sees only positions within ``sliding_window - 1`` of it.
        flash_attention: accepted for compatibility; kerasnb always computes attention explicitly.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer,
            kernel_constraint, bias_constraint: as in ``Dense``, for the four projections.
        use_gate: multiply the attention output by ``sigmoid(query projection)`` (gated attention).
        seed: seed of the dropout.

    Call arguments:
        query: ``(B, T, dim)``. value: ``(B, S, dim)``. key: ``(B, S, dim)`` (default ``value``).
        query_mask, value_mask, key_mask: boolean ``(B, T)`` / ``(B, S)`` masks; by default the inputs' own
            masks (``Embedding(mask_zero=True)``).
        attention_mask: boolean ``(B, T, S)``: which query positions may attend to which key positions.
        return_attention_scores: also return the weights ``(B, num_heads, T, S)``.
        training: dropout only when True.
        use_causal_mask: position ``i`` attends only to positions ``j <= i``.

    Example:
        >>> layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
        >>> query, value = np.ones((1, 4, 8)), np.ones((1, 6, 8))
        >>> output, scores = layer(query, value, return_attention_scores=True)
        >>> output.shape, scores.shape
        ((1, 4, 8), (1, 2, 4, 6))
        >>> [tuple(w.shape) for w in layer.weights[::2]]   # query, key, value and output kernels
        [(8, 2, 3), (8, 2, 3), (8, 2, 3), (2, 3, 8)]
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        if not isinstance(num_heads, int) or num_heads <= 0:
            raise ValueError("Received an invalid value for argument `num_heads`, expected a positive integer. "
                             f"Received: num_heads={num_heads}")
        if not isinstance(key_dim, int) or key_dim <= 0:
            raise ValueError("Received an invalid value for argument `key_dim`, expected a positive integer. "
                             f"Received: key_dim={key_dim}")
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError("Received an invalid value for argument `value_dim`, expected a positive integer or "
                             f"`None`. Received: value_dim={value_dim}")
        super().__init__(**kwargs)
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self._output_shape = output_shape
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"`attention_axes` must be an int, list, or tuple.Received: "
                             f"attention_axes={attention_axes}")
        self._attention_axes = attention_axes
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(f"`sliding_window` must be `None` or a positive integer. Received: "
                             f"sliding_window={sliding_window}")
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        if self._flash_attention and self._dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 "
                             "to use flash attention.")

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    supports_masking = True

    # -- calling: three inputs ------------------------------------------------------------------------------
    def __call__(self, query=None, value=None, key=None, **kwargs):
        # kerasnb's Layer.__call__ converts, builds from and takes the mask of its first argument only. Keras does
        # those steps for every tensor argument, so they are done here for `value` and `key` before handing over.
        if query is None:
            query = kwargs.pop("inputs", None)
        if query is None or value is None:
            raise TypeError(f"Layer '{self.name}' (MultiHeadAttention) must be called with `query` and `value`.")
        if not any_symbolic([query, value, key]):
            for name, x in (("query", query), ("value", value), ("key", key)):
                if x is not None and kwargs.get(f"{name}_mask") is None and hasattr(x, "_keras_mask"):
                    kwargs[f"{name}_mask"] = x._keras_mask
            value = self._convert_inputs(value)
            key = None if key is None else self._convert_inputs(key)
        if not self.built:
            self.build(tuple(np.shape(query)) if not hasattr(query, "shape") else tuple(query.shape),
                       tuple(value.shape), None if key is None else tuple(key.shape))
        return super().__call__(query, value, key, **kwargs)

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            raise ValueError("MultiHeadAttention.build needs `query_shape` and `value_shape`.")
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                             f"value_shape={value_shape} and key_shape={key_shape}")
        heads = self._num_heads
        q_rank, kv_rank = len(query_shape), len(value_shape)

        def projection(rank, in_dim, out_dims, name, activation=None):
            return self._projection(_projection_equation(rank - 1, 1, 2), (in_dim, heads, out_dims), (heads, out_dims),
                                    name, activation)

        self._query_dense = projection(q_rank, query_shape[-1], self._key_dim, "query")
        self._key_dense = projection(len(key_shape), key_shape[-1], self._key_dim, "key")
        self._gate_dense = None
        if self._use_gate:
            self._gate_dense = projection(q_rank, query_shape[-1], self._value_dim, "gate", ops.sigmoid)
        self._value_dense = projection(kv_rank, value_shape[-1], self._value_dim, "value")
        # Attention over the projected tensors, of rank q_rank + 1 (the heads axis is added before the features).
        rank = q_rank + 1
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = _attention_equations(
            rank, self._attention_axes)
        self._softmax_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._dropout_layer = Dropout(rate=self._dropout, seed=self.seed, dtype=self.dtype)
        out = self._output_shape or (query_shape[-1],)
        self._output_dense = self._projection(_projection_equation(q_rank - 1, 2, len(out)),
                                              (heads, self._value_dim, *out), tuple(out), "attention_output")
        for layer in (self._query_dense, self._key_dense, self._gate_dense, self._value_dense, self._output_dense):
            if layer is not None:
                layer.build(None)
        self.built = True

    def _projection(self, equation, kernel_shape, bias_shape, name, activation=None):
        return _EinsumProjection(
            equation, kernel_shape, bias_shape if self._use_bias else None, activation=activation,
            kernel_initializer=self._kernel_initializer.clone(), bias_initializer=self._bias_initializer.clone(),
            kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer, kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint, name=name, dtype=self.dtype)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        if key is None:
            key = value
        attention_mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                                                      use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        query = self._query_dense(query)  # (B, T, N, key_dim)
        key = self._key_dense(key)  # (B, S, N, key_dim)
        value = self._value_dense(value)  # (B, S, N, value_dim)
        output, scores = self._compute_attention(query, key, value, attention_mask, training)
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        return (output, scores) if return_attention_scores else output

    def _compute_attention(self, query, key, value, attention_mask=None, training=None):
        """Scaled dot-product attention of projected tensors; returns ``(output, weights)``."""
        query = query * self._inverse_sqrt_key_dim
        scores = ops.einsum(self._dot_product_equation, key, query)  # (B, N, T, S)
        scores = self._masked_softmax(scores, attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0 else scores
        return ops.einsum(self._combine_equation, dropped, value), scores

    def _masked_softmax(self, scores, attention_mask=None):
        """Softmax over the key positions; masked positions get ``-1e9`` before it and exactly 0 after it."""
        if attention_mask is None:
            return ops.softmax(scores, axis=self._softmax_axes)
        # The mask lacks the heads axis (and maybe batch axes): add them just before the attention axes.
        for _ in range(scores.ndim - attention_mask.ndim):
            attention_mask = ops.expand_dims(attention_mask, -len(self._attention_axes) * 2 - 1)
        weights = ops.softmax(ops.where(attention_mask, scores, -1e9), axis=self._softmax_axes)
        return ops.where(attention_mask, weights, 0.0)

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                                attention_mask=None, use_causal_mask=False):
        """AND of every mask given, shaped to broadcast against ``(B, T, S)``: query ``(B, T, 1)``, value and key
        ``(B, 1, S)``, causal and sliding window ``(1, T, S)``, ``attention_mask`` itself."""
        masks = []
        if query_mask is not None:
            masks.append(ops.expand_dims(_bool_mask(query_mask), -1))
        for mask in (value_mask, key_mask):
            if mask is not None:
                masks.append(ops.expand_dims(_bool_mask(mask), -2))
        if use_causal_mask:
            masks.append(_causal_mask(query.shape[1], value.shape[1]))
        if self._sliding_window is not None:
            distance = ops.abs(ops.expand_dims(ops.arange(query.shape[1]), 1) - ops.arange(value.shape[1]))
            masks.append(ops.expand_dims(ops.less(distance, self._sliding_window), 0))
        if attention_mask is not None:
            masks.insert(0, _bool_mask(attention_mask))
        if not masks:
            return None
        combined = masks[0]
        for mask in masks[1:]:
            combined = ops.logical_and(combined, mask)
        return combined

    def compute_mask(self, inputs, mask=None):
        """The output keeps the query's mask (the attention scores get none)."""
        return None if mask is None else [mask, None]

    # -- shapes and configuration ---------------------------------------------------------------------------
    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                             f"value_shape={value_shape} and key_shape={key_shape}")
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
                            attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False):
        output = KerasTensor(self.compute_output_shape(query.shape, value.shape, None if key is None else key.shape),
                             self.dtype)
        if not return_attention_scores:
            return output
        # Scores: (batch, <other axes>, heads, <query attention axes>, <key attention axes>).
        axes = self._attention_axes  # the same positions in the inputs as in the projected tensors
        others = [query.shape[i] for i in range(1, query.ndim - 1) if i not in axes]
        scores_shape = (query.shape[0], *others, self._num_heads, *[query.shape[a] for a in axes],
                        *[value.shape[a] for a in axes])
        return output, KerasTensor(scores_shape, self.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        }
