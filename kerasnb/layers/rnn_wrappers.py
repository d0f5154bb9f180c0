"""Wrappers that apply another layer along the time axis: ``Bidirectional`` (an RNN forwards and backwards)
and ``TimeDistributed`` (the same layer at every time step)."""

from kerasnb import ops
from kerasnb.layers.layer import Layer, _call_arguments
from kerasnb.layers.recurrent import _deserialize, _serialize


def _copy(layer, **changes):
    """A new layer with ``layer``'s configuration (fresh weights), some settings changed."""
    return type(layer).from_config({**layer.get_config(), **changes})


class Bidirectional(Layer):
    """Runs a recurrent layer over the sequence in both directions and merges the two outputs.

    Args:
        layer: the recurrent layer (``LSTM(...)``, ``GRU(...)``, ``RNN(cell)``). Its configuration is copied
            into a forward and a backward (``go_backwards=True``) layer with their own, new weights.
        merge_mode: how the two outputs are combined: ``'concat'`` (default, the output size doubles),
            ``'sum'``, ``'mul'``, ``'ave'``, or ``None`` (a list of the two outputs).
        backward_layer: a layer to use for the backward direction instead of a copy of ``layer``; it must have
            ``go_backwards`` opposite to ``layer``'s and the same ``return_sequences``, ``return_state`` and
            ``stateful``.
        weights: initial weights (forward layer's, then backward layer's).

    With ``return_sequences`` the backward outputs are flipped back into time order before merging, and
    masked steps output zeros. With ``return_state`` the result is ``output, *forward_states,
    *backward_states``; an ``initial_state`` list is split the same way (first half forward).

    Example:
        >>> from kerasnb.layers.recurrent import LSTM
        >>> layer = Bidirectional(LSTM(4, return_sequences=True))
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 8)
        >>> layer.count_params()   # twice LSTM(4)'s 4 * (3*4 + 4*4 + 4)
        256
        >>> Bidirectional(LSTM(4), merge_mode="sum")(np.ones((2, 5, 3))).shape
        (2, 4)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: {backward_layer}")
        if merge_mode not in ["sum", "mul", "ave", "concat", None]:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             '{"sum", "mul", "concat", "ave", None}')
        super().__init__(**kwargs)
        name = layer.name.removeprefix("forward_")
        self.forward_layer = _copy(layer, name=f"forward_{name}")
        if backward_layer is None:
            self.backward_layer = _copy(layer, name=f"backward_{name}", go_backwards=not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
        self._check_layers()
        for direction in (self.forward_layer, self.backward_layer):
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _check_layers(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value. Received: "
                             f"forward_layer.go_backwards {forward.go_backwards}, "
                             f"backward_layer.go_backwards={backward.go_backwards}")
        for attribute in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, attribute) != getattr(backward, attribute):
                raise ValueError(f'Forward layer and backward layer are expected to have the same value for attribute '
                                 f'"{attribute}", got "{getattr(forward, attribute)}" for forward layer and '
                                 f'"{getattr(backward, attribute)}" for backward layer')

    def build(self, sequences_shape, initial_state_shape=None):
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction.build(sequences_shape)
                direction.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        takes_training, takes_mask = _call_arguments(type(self.forward_layer).call)
        kwargs = {"training": training} if takes_training and training is not None else {}
        if takes_mask:
            kwargs["mask"] = mask
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)  # the backward layer's outputs are in reversed time order
        if self.merge_mode == "concat":
            output = ops.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            return (*output, *states) if self.merge_mode is None else (output, *states)
        return output

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shape = ()
        if self.return_state:
            output_shape, state_shape = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = (*output_shape[:-1], output_shape[-1] * 2)
        elif self.merge_mode is None:
            output_shape = [output_shape, output_shape]
        if self.return_state:
            if self.merge_mode is None:
                return (*output_shape, *state_shape, *state_shape)
            return (output_shape, *state_shape, *state_shape)
        return tuple(output_shape) if self.merge_mode is not None else output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        outputs = [output_mask] if self.merge_mode is not None else [output_mask, output_mask]
        if self.return_state:
            return outputs + [None] * (2 * len(self.forward_layer.state_size))
        return outputs[0] if self.merge_mode is not None else outputs

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode, "layer": _serialize(self.forward_layer),
                "backward_layer": _serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _deserialize(config["backward_layer"], custom_objects)
        return cls(**config)


class TimeDistributed(Layer):
    """Applies the same layer (the same weights) to every time step: inputs ``(batch, time, ...)``, the layer
    sees ``(batch, ...)``.

    Args:
        layer: the layer to apply, e.g. ``Dense(8)``.

    The time steps are folded into the batch (``(batch * time, ...)``), so the layer runs once on all of them.
    A mask ``(batch, time)`` is passed on to layers that take one, and passes through to the output.

    Example:
        >>> from kerasnb.layers.core import Dense
        >>> layer = TimeDistributed(Dense(8))
        >>> layer(np.ones((32, 10, 16))).shape
        (32, 10, 8)
        >>> layer.count_params()
        136
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                             f"received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(self._child_input_shape(input_shape))
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_input_shape(input_shape))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        batch, steps = inputs.shape[:2]
        takes_training, takes_mask = _call_arguments(type(self.layer).call)
        kwargs = {"training": training} if takes_training and training is not None else {}
        if takes_mask and mask is not None:
            kwargs["mask"] = ops.reshape(mask, (batch * steps, *mask.shape[2:]))
        outputs = self.layer(ops.reshape(inputs, (batch * steps, *inputs.shape[2:])), **kwargs)
        return ops.reshape(outputs, (batch, steps, *outputs.shape[1:]))

    def get_config(self):
        return {**super().get_config(), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        return cls(**config)
