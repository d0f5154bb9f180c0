"""Recurrent layers: ``SimpleRNN``, ``GRU``, ``LSTM``, ``ConvLSTM1D/2D/3D``, their cells, the generic ``RNN`` and
``StackedRNNCells``. (``Bidirectional`` and ``TimeDistributed`` are in :mod:`kerasnb.layers.rnn_wrappers`.)

A recurrent layer is two parts, as in Keras:

* a **cell** computes *one* time step: ``output, new_states = cell(inputs_t, states)``;
* the :class:`RNN` layer runs the cell over the time axis, carrying the states from step to step.

::

    states = initial_state                       # zeros unless given (or kept, when stateful)
    for t in range(timesteps):                   # reversed with go_backwards=True
        output, new_states = cell(x[:, t], states)
        if mask given: where mask[:, t] is False, keep the previous output and states
        states = new_states

The built-in cells (:class:`SimpleRNNCell`, :class:`GRUCell`, :class:`LSTMCell`) split their step in two, so
that the loop stays cheap: ``project_inputs`` multiplies the inputs by the kernel (for *all* time steps in one
matrix product, before the loop) and ``step`` adds the recurrent part (one matrix product per step, all gates
at once). ``cell(x_t, states)`` is simply ``step(project_inputs(x_t), states)``.

With the default activations (tanh and sigmoid) the LSTM and GRU gate arithmetic after the matrix products runs
as one fused op with a hand-written backward (:mod:`kerasnb.ops.recurrent`); other activations use the same
formulas written with separate ops.

Faster still, the RNN layer usually runs an LSTM or GRU cell's *whole sequence* as one op: the loop above, with
masks and ``go_backwards``, in plain array code, and backpropagation through time in one hand-written backward
(``LSTMCell.fused_sequence`` and ``GRUCell.fused_sequence``). It computes exactly what the loop over ``step``
computes, so it is used only where that holds: the cell's own ``step``, the default activations, matrix products
(not ConvLSTM's convolutions), no recurrent dropout while training, and states of shape ``(batch, units)`` in the
inputs' dtype. Anything else (a custom cell, ``StackedRNNCells``, ...) runs the loop.

Weights, their shapes and the order of the gates inside them are Keras's, so weights transfer both ways:
LSTM kernels hold the gates ``i, f, c, o`` (input, forget, cell candidate, output), GRU kernels ``z, r, h``
(update, reset, candidate). Dropout masks are drawn once per sequence and reused at every step.
"""

import abc
import functools

import numpy as np

from kerasnb import activations, config, constraints, initializers, ops, regularizers
from kerasnb.engine import arrays
from kerasnb.engine.random import SeedGenerator
from kerasnb.engine.tensor import Tensor, convert_to_tensor
from kerasnb.layers.keras_tensor import flatten, pack_like
from kerasnb.layers.layer import InputSpec, Layer
from kerasnb.ops.nn import dense_bias_activation
from kerasnb.ops.recurrent import gru_gates, gru_sequence, lstm_gates, lstm_sequence

# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


def _gates_product(x, kernel, masks=None, product=ops.matmul):
    """``x @ kernel`` (or another ``product``: a convolution in ConvLSTM) for all gates at once. With dropout, ``x``
    is masked first: one mask for all gates, or one mask per gate (Keras's ``implementation=1``, used when
    ``recurrent_dropout`` is on)."""
    if masks is None:
        return product(x, kernel)
    if len(masks) == 1:
        return product(x * masks[0], kernel)
    kernels = ops.split(kernel, len(masks), axis=-1)
    return ops.concatenate([product(x * m, k) for m, k in zip(masks, kernels)], axis=-1)


def _unstack(x):
    """``[x[0], x[1], ..., x[n-1]]``. Taking ``x[t]`` one step at a time would make the backward pass O(n²): each
    slice's gradient is a zero array as large as ``x``. Halving recursively keeps it O(n log n)."""
    n = x.shape[0]
    if n == 1:
        return [ops.reshape(x, x.shape[1:])]
    return _unstack(x[: n // 2]) + _unstack(x[n // 2:])


def _is_nested(x):
    return isinstance(x, (list, tuple))


def _where_kept(keep, new, old):
    """``new`` for the samples whose step is kept (``keep``: a bool array over the batch), else ``old``."""
    return ops.where(keep.reshape((-1,) + (1,) * (new.ndim - 1)), new, old)


def _serialize(obj):
    """A layer (or cell) as Keras nests one in a config: ``{"module", "class_name", "config", ...}``."""
    from kerasnb.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(obj)


def _deserialize(config, custom_objects=None):
    """The inverse of :func:`_serialize`, through the saving registry: your custom objects, then kerasnb's own
    layers — never a module or name taken from the config."""
    if not isinstance(config, dict):
        return config  # already an object
    from kerasnb.saving.serialization_lib import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects)


def _call_cell(cell, inputs, states, training=False):
    """Call any cell: a Layer through ``__call__`` (which passes ``training`` if its ``call`` takes it)."""
    if isinstance(cell, Layer):
        return cell(inputs, states, training=training)
    return (cell if callable(cell) else cell.call)(inputs, states)


def _reset_dropout_masks(cell):
    for c in getattr(cell, "cells", [cell]):
        if isinstance(c, _RecurrentCell):
            c.reset_dropout_mask()
            c.reset_recurrent_dropout_mask()


# ---------------------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------------------


class _RecurrentCell(Layer, metaclass=abc.ABCMeta):
    """What SimpleRNNCell, GRUCell and LSTMCell share: arguments, weights, dropout masks and config.

    A subclass sets ``gates`` (how many blocks of ``units`` columns its kernels hold) and writes ``step``.
    """

    gates = 1
    _step_ndim = 2  # a step's input is (batch, features); the dropout masks have that shape

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 implementation=2, **kwargs):
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Received an invalid value for argument `units`, expected a positive integer, got {units}.")
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        # Keras's implementation 1 (a dropout mask per gate) is forced by recurrent dropout.
        self.implementation = 1 if self.recurrent_dropout else implementation
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.state_size = self.units
        self.output_size = self.units
        self._dropout_mask = self._recurrent_dropout_mask = None

    # -- weights ---------------------------------------------------------------------------------------
    def build(self, input_shape):
        columns = self.gates * self.units
        self._add_weights((input_shape[-1], columns), (self.units, columns))

    def _add_weights(self, kernel_shape, recurrent_kernel_shape):
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape,
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=recurrent_kernel_shape,
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        # Orthogonal values come out of a QR factorization in Fortran order, and NumPy's matrix product with a
        # Fortran-ordered operand can be far slower: keep the weights in C order.
        for weight in (self.kernel, self.recurrent_kernel):
            weight.assign(arrays.array_module(weight.data).ascontiguousarray(weight.data))
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=self._bias_shape(), initializer=self._bias_init(),
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def _input_bias(self):
        return self.bias

    # -- dropout masks: drawn once per sequence, reused at every step --------------------------------------
    def _draw_masks(self, step_shape, rate):
        count = self.gates if self.implementation == 1 else 1
        scale = 1.0 / (1.0 - rate)
        return [Tensor((self.seed_generator.uniform(step_shape, dtype=self.dtype) >= rate).astype(self.dtype) * scale)
                for _ in range(count)]

    def get_dropout_mask(self, step_input):
        """The dropout mask(s) for the inputs: a list of 1 (or one per gate) arrays of the step's shape."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._draw_masks(step_input.shape[-self._step_ndim:], self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        """The dropout mask(s) for the recurrent state, like :meth:`get_dropout_mask`."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw_masks(state.shape, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def _default_activations(self):
        """tanh and sigmoid: then the gates can run as one fused op."""
        recurrent_activation = getattr(self, "recurrent_activation", None)
        return self.activation is activations.tanh and recurrent_activation is activations.sigmoid

    def _recurrent_masks(self, state, training):
        return self.get_recurrent_dropout_mask(state) if training and 0 < self.recurrent_dropout < 1 else None

    # -- the computation -------------------------------------------------------------------------------
    _input_product = _recurrent_product = staticmethod(ops.matmul)  # convolutions in ConvLSTM

    def project_inputs(self, inputs, training=False):
        """``inputs @ kernel + bias``, for one step ``(batch, features)`` or for all steps ``(time, batch,
        features)`` at once."""
        masks = self.get_dropout_mask(inputs) if training and 0 < self.dropout < 1 else None
        bias = self._input_bias()
        if masks is None and self._input_product is ops.matmul and self.kernel.dtype.kind == "f":
            return dense_bias_activation(inputs, self.kernel, bias)  # one op: the bias is added in place
        x = _gates_product(inputs, self.kernel, masks, self._input_product)
        return x if bias is None else x + bias

    @abc.abstractmethod
    def step(self, projected, states, training=False):
        """One time step from the projected inputs: returns ``(output, new_states)``."""

    def call(self, inputs, states, training=False):
        return self.step(self.project_inputs(inputs, training), states, training)

    def fused_sequence(self, projected, states, mask=None, go_backwards=False, training=False, last_only=False):
        """Every step at once, as one op: ``(h of every step (time, batch, units), final states)``, the steps in
        the order they ran. ``None`` when this cell has no such op (or cannot use it here): the RNN layer then
        loops over ``step``. LSTMCell and GRUCell have one. ``last_only``: the caller needs only the final states
        (the first item may then be ``None``)."""
        return None

    def _can_fuse(self, own_step, projected, states, mask, training):
        """Does one whole-sequence op compute exactly what looping over ``step`` would? ``own_step`` is the step
        that op replaces: a subclass with another ``step`` loops."""
        if projected.ndim != 3 or projected.shape[0] == 0:
            return False
        steps, batch, dtype = projected.shape[0], projected.shape[1], projected.dtype
        return (type(self).step is own_step
                and self._recurrent_product is ops.matmul  # not ConvLSTM's convolutions
                and self._default_activations()
                and not (training and 0 < self.recurrent_dropout < 1)
                and self.recurrent_kernel.dtype == dtype
                and all(tuple(s.shape) == (batch, self.units) and s.dtype == dtype for s in states)
                and (mask is None or tuple(mask.shape) == (batch, steps)))

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if _is_nested(self.state_size) else [self.state_size]
        return [ops.zeros((batch_size, d), dtype=self.dtype) for d in sizes]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class SimpleRNNCell(_RecurrentCell):
    """The cell of :class:`SimpleRNN`: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

    Args:
        units: the size of the output and of the state.
        activation: default ``'tanh'``; ``None`` means linear.
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: default ``'glorot_uniform'``,
            ``'orthogonal'``, ``'zeros'``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties on the weights.
        kernel_constraint, recurrent_constraint, bias_constraint: projections after each optimizer step.
        dropout, recurrent_dropout: fractions of the inputs / of the state to drop (when training).
        seed: the seed of the dropout masks.

    Weights: ``kernel (input_dim, units)``, ``recurrent_kernel (units, units)``, ``bias (units,)``.

    Example:
        >>> cell = SimpleRNNCell(4)
        >>> output, states = cell(np.ones((2, 3)), [np.zeros((2, 4))])
        >>> output.shape, len(states)
        ((2, 4), 1)
        >>> RNN(SimpleRNNCell(4))(np.ones((2, 5, 3))).shape
        (2, 4)
    """

    def step(self, projected, states, training=False):
        previous = states[0] if _is_nested(states) else states
        masks = self._recurrent_masks(previous, training)
        output = self.activation(projected + _gates_product(previous, self.recurrent_kernel, masks))
        return output, ([output] if _is_nested(states) else output)


class LSTMCell(_RecurrentCell):
    """The cell of :class:`LSTM`, the long short-term memory of Hochreiter & Schmidhuber (1997).

    With ``z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias`` split into four blocks (the gates)::

        i = σ(z_i)   f = σ(z_f)   o = σ(z_o)          (σ: recurrent_activation, default sigmoid)
        c_t = f * c_{t-1} + i * tanh(z_c)              (tanh: activation)
        h_t = o * tanh(c_t)                            the output; the states are [h_t, c_t]

    Args:
        units: the size of the output and of each state.
        activation, recurrent_activation: default ``'tanh'`` and ``'sigmoid'``.
        use_bias: whether to add a bias.
        unit_forget_bias: start the forget gate's bias at 1 (default ``True``), so the cell remembers at first.
        kernel_initializer, recurrent_initializer, bias_initializer: default ``'glorot_uniform'``,
            ``'orthogonal'``, ``'zeros'``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint, recurrent_constraint,
            bias_constraint: as in :class:`SimpleRNNCell`.
        dropout, recurrent_dropout: fractions of the inputs / of the state to drop (when training).
        seed: the seed of the dropout masks.

    Weights: ``kernel (input_dim, 4 * units)``, ``recurrent_kernel (units, 4 * units)``, ``bias (4 * units,)``,
    the gates in the order ``i, f, c, o``.

    Example:
        >>> cell = LSTMCell(4)
        >>> h, (h_again, c) = cell(np.ones((2, 3)), [np.zeros((2, 4)), np.zeros((2, 4))])
        >>> h.shape, c.shape
        ((2, 4), (2, 4))
        >>> [w.shape for w in cell.weights]
        [(3, 16), (4, 16), (16,)]
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, *,
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [self.units, self.units]

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def bias_with_forget_ones(shape, dtype=None):  # [init, ones, init, init] for the gates i, f, c, o
            parts = [init((units,), dtype=dtype), np.ones(units), init((2 * units,), dtype=dtype)]
            return np.concatenate([arrays.to_numpy(p) for p in parts]).astype(dtype)

        return bias_with_forget_ones

    def step(self, projected, states, training=False):
        h_previous, c_previous = states[0], states[1]
        masks = self._recurrent_masks(h_previous, training)
        z = projected + _gates_product(h_previous, self.recurrent_kernel, masks, self._recurrent_product)
        if self._default_activations():
            h, c = lstm_gates(z, c_previous)  # the four lines below as one op (kerasnb.ops.recurrent)
        else:
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
            i, f, o = self.recurrent_activation(z_i), self.recurrent_activation(z_f), self.recurrent_activation(z_o)
            c = f * c_previous + i * self.activation(z_c)
            h = o * self.activation(c)
        return h, [h, c]

    def fused_sequence(self, projected, states, mask=None, go_backwards=False, training=False, last_only=False):
        if not self._can_fuse(LSTMCell.step, projected, states, mask, training):
            return None
        hc = lstm_sequence(projected, self.recurrent_kernel, states[0], states[1], mask, go_backwards, last_only)
        if last_only:
            return None, [hc[0], hc[1]]
        h_all = hc[0]
        return h_all, [h_all[-1], hc[1, -1]]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_RecurrentCell):
    """The cell of :class:`GRU`, the gated recurrent unit of Cho et al. (2014).

    With the gates in the order ``z`` (update), ``r`` (reset), ``h`` (candidate)::

        z = σ(x_t W_z + h_{t-1} U_z + b_z)        r = σ(x_t W_r + h_{t-1} U_r + b_r)
        reset_after=True (default, cuDNN's):   hh = tanh(x_t W_h + b_h + r * (h_{t-1} U_h + b'_h))
        reset_after=False:                      hh = tanh(x_t W_h + b_h + (r * h_{t-1}) U_h)
        h_t = z * h_{t-1} + (1 - z) * hh

    Args:
        units, activation, recurrent_activation, use_bias, initializers, regularizers, constraints, dropout,
            recurrent_dropout, seed: as in :class:`LSTMCell`.
        reset_after: apply the reset gate after the recurrent matrix product (default ``True``); then the bias
            has shape ``(2, 3 * units)``: one row for the inputs, one for the recurrent part.

    Weights: ``kernel (input_dim, 3 * units)``, ``recurrent_kernel (units, 3 * units)``, ``bias (2, 3 * units)``
    (``(3 * units,)`` with ``reset_after=False``).

    Example:
        >>> cell = GRUCell(4)
        >>> h, states = cell(np.ones((2, 3)), [np.zeros((2, 4))])
        >>> h.shape, [w.shape for w in cell.weights]
        ((2, 4), [(3, 12), (4, 12), (2, 12)])
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, *, reset_after=True,
                 **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return self.bias[0] if self.bias is not None and self.reset_after else self.bias

    def step(self, projected, states, training=False):
        h_previous = states[0] if _is_nested(states) else states
        masks = self._recurrent_masks(h_previous, training)
        activation, recurrent_activation, u = self.activation, self.recurrent_activation, self.units
        if self.reset_after:
            inner = _gates_product(h_previous, self.recurrent_kernel, masks)
            if self.bias is not None:
                inner = inner + self.bias[1]
            if self._default_activations():
                h = gru_gates(projected, inner, h_previous)  # the lines below as one op (kerasnb.ops.recurrent)
            else:
                (x_z, x_r, x_h), (h_z, h_r, h_h) = ops.split(projected, 3, axis=-1), ops.split(inner, 3, axis=-1)
                z, r = recurrent_activation(x_z + h_z), recurrent_activation(x_r + h_r)
                h = z * h_previous + (1 - z) * activation(x_h + r * h_h)
        else:  # the reset gate comes before the candidate's matrix product, so that needs a product of its own
            x_z, x_r, x_h = ops.split(projected, 3, axis=-1)
            inner = _gates_product(h_previous, self.recurrent_kernel[:, : 2 * u], masks and masks[:2])
            h_z, h_r = ops.split(inner, 2, axis=-1)
            z, r = recurrent_activation(x_z + h_z), recurrent_activation(x_r + h_r)
            h_for_candidate = h_previous if masks is None else h_previous * masks[2]
            candidate = activation(x_h + ops.matmul(r * h_for_candidate, self.recurrent_kernel[:, 2 * u:]))
            h = z * h_previous + (1 - z) * candidate
        return h, ([h] if _is_nested(states) else h)

    def fused_sequence(self, projected, states, mask=None, go_backwards=False, training=False, last_only=False):
        if not self._can_fuse(GRUCell.step, projected, states, mask, training):
            return None
        recurrent_bias = self.bias[1] if self.bias is not None and self.reset_after else None
        h_all = gru_sequence(projected, self.recurrent_kernel, states[0], recurrent_bias, mask, go_backwards,
                             reset_after=self.reset_after)
        return h_all, [h_all[-1]]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


def _conv_tuple(value, rank, name):
    values = (value,) * rank if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != rank or not all(isinstance(v, (int, np.integer)) and v > 0 for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {rank} positive integers. Received: {name}={value}")
    return tuple(int(v) for v in values)


def _conv_output_length(length, kernel, stride, padding, dilation):
    if length is None:
        return None
    if padding == "same":
        return -(-length // stride)
    return (length - dilation * (kernel - 1) - 1) // stride + 1


class ConvLSTMCell(LSTMCell):
    """The cell of the ConvLSTM layers (Shi et al., 2015): an :class:`LSTMCell` whose two matrix products are
    convolutions, so inputs, states and outputs are images ``(batch, *spatial, channels)`` and the gates are blocks
    of channels. The input convolution has the layer's ``strides``, ``padding`` and ``dilation_rate``; the
    recurrent one is ``'same'`` with strides 1, so the state keeps the output's size.

    The cell works channels-last; the ConvLSTM layers move channels-first data there and back.

    Weights: ``kernel (*kernel_size, input_channels, 4 * filters)``,
    ``recurrent_kernel (*kernel_size, filters, 4 * filters)``, ``bias (4 * filters,)``; gates ``i, f, c, o``.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 **kwargs):
        super().__init__(filters, **kwargs)
        if str(padding).lower() not in ("valid", "same"):
            raise ValueError(f'The `padding` argument must be one of "valid", "same". Received: padding={padding}')
        self.rank, self.filters = rank, filters
        self.kernel_size = _conv_tuple(kernel_size, rank, "kernel_size")
        self.strides = _conv_tuple(strides, rank, "strides")
        self.padding = str(padding).lower()
        self.data_format = config.standardize_data_format(data_format)
        self.dilation_rate = _conv_tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please provide "
                             f"`strides=1` or `dilation_rate=1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.implementation = 1  # as Keras: a dropout mask per gate
        self._step_ndim = rank + 2

    def build(self, input_shape):
        self.spatial_dims, self.input_dim = tuple(input_shape[1:-1]), input_shape[-1]
        if None in self.spatial_dims:
            raise ValueError("ConvLSTM layers only support static input shapes for the spatial dimension. Received "
                             f"invalid input shape: input_shape={tuple(input_shape)}")
        columns = 4 * self.filters
        self._add_weights((*self.kernel_size, self.input_dim, columns), (*self.kernel_size, self.filters, columns))

    def _input_product(self, x, kernel):
        # One convolution for all time steps: fold the leading (time, batch) axes into one.
        lead = x.shape[: x.ndim - self.rank - 1]
        y = ops.conv(ops.reshape(x, (-1, *x.shape[len(lead):])), kernel, strides=self.strides, padding=self.padding,
                     data_format="channels_last", dilation_rate=self.dilation_rate)
        return ops.reshape(y, (*lead, *y.shape[1:]))

    def _recurrent_product(self, h, kernel):
        return ops.conv(h, kernel, strides=1, padding="same", data_format="channels_last")

    def compute_output_shape(self, input_shape):
        spatial = [_conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                   zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate)]
        return (input_shape[0], *spatial, self.filters)

    def get_initial_state(self, batch_size=None):
        shape = self.compute_output_shape((batch_size, *self.spatial_dims, self.input_dim))
        return [ops.zeros(shape, dtype=self.dtype), ops.zeros(shape, dtype=self.dtype)]

    def get_config(self):
        cfg = super().get_config()
        del cfg["units"]
        return {**cfg, "rank": self.rank, "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate}


class StackedRNNCells(Layer):
    """Several cells used as one: at each step the output of a cell is the input of the next.

    Args:
        cells: a list of cells.

    Its state is the list of the cells' states; its output is the last cell's.

    Example:
        >>> stacked = StackedRNNCells([SimpleRNNCell(4), LSTMCell(3)])
        >>> RNN(stacked)(np.ones((2, 5, 6))).shape
        (2, 3)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(f"All cells must have a `call` method. Received cell without a `call` method: {cell}")
            if "state_size" not in dir(cell):
                raise ValueError(
                    f"All cells must have a `state_size` attribute. Received cell without a `state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        return last.state_size[0] if _is_nested(last.state_size) else last.state_size

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            if hasattr(cell, "get_initial_state"):
                states.append(cell.get_initial_state(batch_size=batch_size))
            elif _is_nested(cell.state_size):
                states.append([ops.zeros((batch_size, d), dtype=self.dtype) for d in cell.state_size])
            else:
                states.append(ops.zeros((batch_size, cell.state_size), dtype=self.dtype))
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if _is_nested(cell.state_size) else cell.state_size
            input_shape = (input_shape[0], size)
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = _is_nested(cell_states)
            inputs, cell_states = _call_cell(cell, inputs, list(cell_states) if was_list else [cell_states], training)
            if not _is_nested(cell_states):
                cell_states = [cell_states]
            new_states.append(cell_states if was_list or len(cell_states) > 1 else cell_states[0])
        return inputs, new_states

    def get_config(self):
        return {**super().get_config(), "cells": [_serialize(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [_deserialize(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


# ---------------------------------------------------------------------------------------------------------
# The RNN layer: the loop over time
# ---------------------------------------------------------------------------------------------------------


class RNN(Layer):
    """Runs a cell over the time axis of its input: the base of every recurrent layer.

    Args:
        cell: a cell, or a list of cells (stacked with :class:`StackedRNNCells`). A cell is an object with
            ``call(inputs_t, states) -> (output_t, new_states)`` and ``state_size`` (an int, or a list of ints
            for several states); optionally ``output_size`` and ``get_initial_state(batch_size)``.
        return_sequences: return the output of every step ``(batch, timesteps, units)`` instead of the last
            ``(batch, units)``.
        return_state: also return the final states: ``output, *states``.
        go_backwards: read the sequence backwards (the returned sequence is then in that reversed order).
        stateful: the final states of a batch are the initial states of the next one (needs a fixed batch
            size); ``reset_states()`` sets them back to zeros.
        unroll: accepted for compatibility; the loop is a Python loop over the time steps either way.
        zero_output_for_mask: with a mask, masked steps output zeros instead of repeating the previous output.
        activity_regularizer: a penalty on the outputs, added to the model's loss.

    Call arguments: ``inputs (batch, timesteps, features)``; ``initial_state`` (a list of state tensors);
    ``mask (batch, timesteps)`` (True = use the step; usually set by ``Embedding(mask_zero=True)`` or ``Masking``);
    ``training`` (turns dropout on).

    Example:
        >>> class MinimalRNNCell(keras.layers.Layer):
        ...     def __init__(self, units, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.units = self.state_size = units
        ...     def build(self, input_shape):
        ...         self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        ...         self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")
        ...     def call(self, inputs, states):
        ...         output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        ...         return output, [output]
        >>> layer = RNN(MinimalRNNCell(8), return_sequences=True)
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 8)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, activity_regularizer=None, **kwargs):
        if kwargs.pop("time_major", False):  # tf-keras's configs carry time_major=False
            raise ValueError("`time_major=True` is not supported (as in Keras 3): inputs are (batch, time, ...).")
        if _is_nested(cell):
            cell = StackedRNNCells(cell, dtype=kwargs.get("dtype"))
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer or list of integers, "
                             f"one integer per RNN state). Received: cell={cell}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.supports_masking = True
        self.states = None  # the kept states of a stateful layer (plain tensors, not weights)
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers (one for each state tensor).")
        self.state_size = list(state_size) if _is_nested(state_size) else [state_size]

    # -- shapes, masks, building -------------------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        states = [[(batch, s) for s in size] if _is_nested(size) else (batch, size) for size in self.state_size]
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = self.state_size[0]
        output = (batch, length, output_size) if self.return_sequences else (batch, output_size)
        return (output, *states) if self.return_state else output

    def compute_mask(self, inputs, mask=None):
        if _is_nested(mask):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask] + [None] * len(self.state_size) if self.return_state else output_mask

    def build(self, sequences_shape, initial_state_shape=None):
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0], *sequences_shape[2:]))
            self.cell.built = True
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be static. Found dynamic "
                                 f"batch size: sequence.shape={tuple(sequences_shape)}")
            if self.states is None:
                self.states = self.get_initial_state(sequences_shape[0])
        self.built = True

    def get_initial_state(self, batch_size):
        """Zeros for every state (or what the cell's ``get_initial_state`` gives), as a list."""
        if hasattr(self.cell, "get_initial_state"):
            states = self.cell.get_initial_state(batch_size=batch_size)
            return list(states) if _is_nested(states) else [states]
        return [ops.zeros((batch_size, d), dtype=self.dtype) for d in self.state_size]

    def reset_states(self, states=None):
        """Set the kept states of a stateful layer back to zeros (or to ``states``, a list of arrays)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if self.states is None:
            return
        if states is None:
            self.states = pack_like(self.states, [ops.zeros_like(s) for s in flatten(self.states)])
        else:
            values = flatten(states if _is_nested(states) else [states])
            self.states = pack_like(self.states, [convert_to_tensor(v, self.dtype) for v in values])

    reset_state = reset_states

    # -- the computation -------------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        batch = sequences.shape[0]
        if initial_state is None:
            if self.stateful:
                initial_state = self.states
                expected = flatten(self.states)[0].shape[0]
                if batch != expected:
                    raise ValueError("If an RNN is stateful, the batch size of the input sequences must be the same as "
                                     f"the batch size of the initial state. \n- Expected batch size: {expected}\n"
                                     f"- Received batch size: {batch}")
            else:
                initial_state = self.get_initial_state(batch)
        states = list(initial_state) if _is_nested(initial_state) else [initial_state]
        states = pack_like(states, [convert_to_tensor(s, self.dtype) for s in flatten(states)])
        if _is_nested(mask):
            mask = mask[0]
        if mask is not None:
            mask = convert_to_tensor(mask).data.astype(bool)
        try:
            last_output, outputs, states = self._loop(sequences, states, mask, training)
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:  # the next batch starts from here; no gradient flows back across batches
            self.states = pack_like(states, [Tensor(s.data) for s in flatten(states)])
        output = outputs if self.return_sequences else last_output
        # The Layer base class adds the activity penalty of each output (divided by the batch size).
        return (output, *states) if self.return_state else output

    def _loop(self, sequences, states, mask, training):
        """Run the cell over the time steps: the last output, all outputs ``(batch, time, ...)`` (or ``None``
        without ``return_sequences``) and the final states."""
        cell = self.cell
        time_major = ops.moveaxis(sequences, 1, 0)
        if isinstance(cell, _RecurrentCell):
            # All steps' input projections in one matrix product; each step then adds only the recurrent part.
            projected = cell.project_inputs(time_major, training)
            last_only = not self.return_sequences and mask is None
            fused = cell.fused_sequence(projected, states, mask, self.go_backwards, training, last_only=last_only)
            if fused is not None:  # all steps in one op (LSTM and GRU)
                return self._fused_results(*fused, mask)
            inputs = _unstack(projected)
            step = functools.partial(cell.step, training=training)
        else:
            inputs = _unstack(time_major)
            step = functools.partial(_call_cell, cell, training=training)
        steps = range(len(inputs))
        outputs, previous = [], None
        for t in reversed(steps) if self.go_backwards else steps:
            output, new_states = step(inputs[t], states)
            new_states = list(new_states) if _is_nested(new_states) else [new_states]
            if mask is not None:  # masked samples keep their states and repeat their previous output (or 0)
                keep = mask[:, t]
                if previous is None or self.zero_output_for_mask:
                    previous = ops.zeros_like(output)
                output = _where_kept(keep, output, previous)
                new_states = pack_like(new_states, [_where_kept(keep, n, s)
                                                    for n, s in zip(flatten(new_states), flatten(states))])
            states, previous = new_states, output
            if self.return_sequences:
                outputs.append(output)
        return output, (ops.stack(outputs, axis=1) if outputs else None), states

    def _fused_results(self, h_all, states, mask):
        """What :meth:`_loop` returns, from a whole-sequence op's ``h`` of every step (in the order the steps ran)
        and its final states (``h_all`` is None when only those were computed: the last output is the final h)."""
        if h_all is None:
            return states[0], None, states
        outputs = h_all  # each step outputs its h ...
        if mask is not None:  # ... except a masked step: 0, or (by default) the output of the last kept step
            kept = mask.T[::-1] if self.go_backwards else mask.T  # (time, batch)
            if not self.zero_output_for_mask:  # after a kept step, h_all repeats its h; before any, 0
                kept = kept.cumsum(axis=0) > 0
            outputs = ops.where(kept[..., None], h_all, 0)
        sequence = ops.moveaxis(outputs, 0, 1) if self.return_sequences else None
        return outputs[-1], sequence, states

    # -- configuration ---------------------------------------------------------------------------------
    def get_config(self):
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": _serialize(self.cell),
            **({"activity_regularizer": regularizers.serialize(self.activity_regularizer)}
               if self.activity_regularizer is not None else {}),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = _deserialize(config.pop("cell"), custom_objects)
        return cls(cell, **config)


# ---------------------------------------------------------------------------------------------------------
# SimpleRNN, LSTM, GRU: an RNN around their own cell, configured with the cell's arguments
# ---------------------------------------------------------------------------------------------------------

_CELL_ARGUMENTS = (
    "activation", "recurrent_activation", "use_bias", "unit_forget_bias", "reset_after", "implementation",
    "kernel_initializer", "recurrent_initializer", "bias_initializer",
    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
    "kernel_constraint", "recurrent_constraint", "bias_constraint",
    "dropout", "recurrent_dropout", "seed",
    "kernel_size", "strides", "padding", "data_format", "dilation_rate",  # ConvLSTM's
)


class _CellLayer(RNN):
    """An RNN that makes its own cell (``cell_class``) from its arguments and shows the cell's settings as its
    own (``layer.units``, ``layer.dropout``, ...)."""

    cell_class = None
    cell_name = None

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, activity_regularizer=None, **kwargs):
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _CELL_ARGUMENTS}
        cell = self._make_cell(units, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                               name=self.cell_name, **cell_kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _make_cell(self, units, **kwargs):
        return self.cell_class(units, **kwargs)

    def __getattr__(self, name):
        cell = self.__dict__.get("cell")
        if cell is not None and not name.startswith("_") and hasattr(cell, name):
            return getattr(cell, name)
        return super().__getattr__(name)

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return {**config, **cell_config, "activity_regularizer": regularizers.serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


class SimpleRNN(_CellLayer):
    """A fully-connected recurrent layer: ``h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``;
    the output is ``h`` of the last step (or of every step).

    Args:
        units: the size of the output and the state.
        activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer, kernel_regularizer,
            recurrent_regularizer, bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
            dropout, recurrent_dropout, seed: those of :class:`SimpleRNNCell`.
        return_sequences, return_state, go_backwards, stateful, unroll, activity_regularizer: those of
            :class:`RNN`.

    Example:
        >>> layer = SimpleRNN(32)
        >>> layer(np.ones((4, 10, 8))).shape
        (4, 32)
        >>> layer.count_params()   # 8*32 + 32*32 + 32
        1312
        >>> SimpleRNN(32, return_sequences=True)(np.ones((4, 10, 8))).shape
        (4, 10, 32)
    """

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)


class LSTM(_CellLayer):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997): an RNN whose cell keeps a separate memory
    ``c`` that gates decide to forget, update and show (see :class:`LSTMCell`).

    Args:
        units: the size of the output and of each state.
        activation, recurrent_activation, use_bias, unit_forget_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed: those of :class:`LSTMCell`.
        return_sequences, return_state, go_backwards, stateful, unroll, activity_regularizer: those of
            :class:`RNN`. With ``return_state=True`` the layer returns ``output, h, c``.
        use_cudnn: accepted for compatibility (``'auto'``, ``True`` or ``False``); there is no cuDNN path here.

    Example:
        >>> lstm = LSTM(4)
        >>> lstm(np.random.random((32, 10, 8))).shape
        (32, 4)
        >>> lstm = LSTM(4, return_sequences=True, return_state=True)
        >>> whole_sequence, h, c = lstm(np.random.random((32, 10, 8)))
        >>> whole_sequence.shape, h.shape, c.shape
        ((32, 10, 4), (32, 4), (32, 4))
    """

    cell_class = LSTMCell
    cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, *, use_cudnn="auto",
                 **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, False}. "
                             f"Received: use_cudnn={use_cudnn}")
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         **kwargs)
        self.use_cudnn = use_cudnn


class GRU(_CellLayer):
    """Gated recurrent unit (Cho et al., 2014): an RNN whose cell mixes its previous state with a candidate
    through an update gate (see :class:`GRUCell`).

    Args:
        units: the size of the output and the state.
        activation, recurrent_activation, use_bias, reset_after, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed: those of :class:`GRUCell`.
        return_sequences, return_state, go_backwards, stateful, unroll, activity_regularizer: those of
            :class:`RNN`.
        use_cudnn: accepted for compatibility; there is no cuDNN path here.

    Example:
        >>> gru = GRU(4)
        >>> gru(np.random.random((32, 10, 8))).shape
        (32, 4)
        >>> gru.count_params()   # 3 * (8*4 + 4*4 + 2*4)
        168
        >>> GRU(4, reset_after=False)(np.ones((1, 2, 8))).shape
        (1, 4)
    """

    cell_class = GRUCell
    cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, *, reset_after=True,
                 use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, False}. "
                             f"Received: use_cudnn={use_cudnn}")
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         reset_after=reset_after, **kwargs)
        self.use_cudnn = use_cudnn


class ConvLSTM(_CellLayer):
    """The ConvLSTM layers' shared code: an LSTM whose matrix products are convolutions (see :class:`ConvLSTMCell`).
    Inputs are sequences of images ``(batch, time, *spatial, channels)`` (``(batch, time, channels, *spatial)``
    with ``data_format='channels_first'``); outputs and states are images with ``filters`` channels."""

    rank = None
    cell_class = ConvLSTMCell
    cell_name = "conv_lstm_cell"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, **kwargs):
        super().__init__(filters, kernel_size=kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias, **kwargs)
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def _make_cell(self, units, **kwargs):
        return ConvLSTMCell(self.rank, units, **kwargs)

    def _channels_last(self, shape):
        """A (batch, time, ...) shape with the channels moved last, as the cell sees it."""
        if self.data_format == "channels_first":
            return (*shape[:2], *shape[3:], shape[2])
        return tuple(shape)

    def build(self, sequences_shape, initial_state_shape=None):
        super().build(self._channels_last(sequences_shape))

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if self.data_format == "channels_last":
            return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        # The cell computes channels-last: move the channels there, and back in the results.
        if initial_state is not None:
            initial_state = [ops.moveaxis(s, 1, -1) for s in initial_state]
        result = super().call(ops.moveaxis(sequences, 2, -1), initial_state=initial_state, mask=mask,
                              training=training)
        results = list(result) if self.return_state else [result]
        channel_axis = [2 if self.return_sequences else 1] + [1] * (len(results) - 1)
        results = [ops.moveaxis(t, -1, axis) for t, axis in zip(results, channel_axis)]
        return tuple(results) if self.return_state else results[0]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        state = self.cell.compute_output_shape((batch, *self._channels_last(sequences_shape)[2:]))
        if self.data_format == "channels_first":
            state = (batch, state[-1], *state[1:-1])
        output = (batch, steps, *state[1:]) if self.return_sequences else state
        return (output, state, state) if self.return_state else output

    def get_config(self):
        cfg = super().get_config()
        del cfg["rank"]
        return cfg


class ConvLSTM1D(ConvLSTM):
    """A 1-D convolutional LSTM: inputs ``(batch, time, steps, channels)``. Arguments as :class:`ConvLSTM2D`.

    Example:
        >>> ConvLSTM1D(4, 3, padding="same")(np.ones((2, 5, 10, 3))).shape
        (2, 10, 4)
    """

    rank = 1


class ConvLSTM2D(ConvLSTM):
    """A convolutional LSTM (Shi et al., 2015): an LSTM over sequences of images, whose gates are computed by
    convolutions of the input and of the previous state, so the states are images too.

    Args:
        filters: the number of output channels (of the output and each state).
        kernel_size, strides, padding (``'valid'`` or ``'same'``), data_format, dilation_rate: the input
            convolution's, as in ``Conv2D``. The recurrent convolution uses the same kernel size, ``'same'``
            padding and strides 1.
        activation, recurrent_activation, use_bias, unit_forget_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed: as in :class:`LSTM`.
        return_sequences, return_state, go_backwards, stateful, activity_regularizer: as in :class:`RNN`.

    Inputs ``(batch, time, rows, cols, channels)``; the output is ``(batch, new_rows, new_cols, filters)``
    (with ``return_sequences``, ``(batch, time, new_rows, new_cols, filters)``).

    Example:
        >>> layer = ConvLSTM2D(4, 3, return_sequences=True)
        >>> layer(np.ones((2, 5, 8, 8, 3))).shape
        (2, 5, 6, 6, 4)
        >>> [w.shape for w in layer.weights]
        [(3, 3, 3, 16), (3, 3, 4, 16), (16,)]
    """

    rank = 2


class ConvLSTM3D(ConvLSTM):
    """A 3-D convolutional LSTM: inputs ``(batch, time, dim1, dim2, dim3, channels)``. Arguments as
    :class:`ConvLSTM2D`.

    Example:
        >>> ConvLSTM3D(2, 2)(np.ones((1, 3, 4, 4, 4, 1))).shape
        (1, 3, 3, 3, 2)
    """

    rank = 3
