"""``Model(inputs, outputs)``: a model defined by a graph of layer calls (the functional API).

At construction, the graph recorded by calling layers on ``keras.Input`` tensors is walked once from the
outputs back to the inputs; the nodes are kept in an order where every node comes after the nodes that feed it.
Calling the model runs that plan on real tensors, filling a dict keyed by each symbolic tensor's identity.
"""

from kerasnb.layers.input_layer import InputLayer
from kerasnb.layers.keras_tensor import KerasTensor, flatten, map_structure, pack_like
from kerasnb.layers.layer import SymbolicOp
from kerasnb.models.model import Model


class Functional(Model):
    """A model built from ``keras.Input`` tensors through layer calls to output tensors.

    Create it as ``keras.Model(inputs, outputs)``; inputs and outputs may be single tensors, lists or dicts.

    Example:
        >>> inputs = keras.Input(shape=(32,))
        >>> x = keras.layers.Dense(64, activation="relu")(inputs)
        >>> outputs = keras.layers.Dense(10, activation="softmax")(x)
        >>> model = keras.Model(inputs=inputs, outputs=outputs)
        >>> model(np.ones((2, 32))).shape
        (2, 10)
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name or _default_name(), trainable=trainable, **kwargs)
        for t in flatten(inputs):
            if not isinstance(t, KerasTensor) or not isinstance(t._keras_history[0], InputLayer):
                raise ValueError(
                    "Every model input must be a tensor from `keras.Input(...)`. "
                    f"Received: {t!r} of type {type(t).__name__}"
                )
        for t in flatten(outputs):
            if not isinstance(t, KerasTensor):
                raise ValueError(
                    "Every model output must be a symbolic tensor computed from the inputs by layers. "
                    f"Received: {t!r} of type {type(t).__name__}"
                )
        self._input_structure = inputs
        self._output_structure = outputs
        self._nodes = _order_nodes(flatten(inputs), flatten(outputs))
        self._layers = []
        for node in self._nodes:
            if node.layer not in self._layers:
                self._layers.append(node.layer)
        self.built = True

    @property
    def layers(self):
        """Every layer of the graph (inputs included), in the order they run; operator nodes are left out."""
        return [layer for layer in self._layers if not isinstance(layer, SymbolicOp)]

    @property
    def inputs(self):
        return flatten(self._input_structure)

    @property
    def outputs(self):
        return flatten(self._output_structure)

    @property
    def input(self):
        return self._input_structure

    @property
    def output(self):
        return self._output_structure

    @property
    def input_names(self):
        return [t._keras_history[0].name for t in self.inputs]

    @property
    def output_names(self):
        return [t._keras_history[0].name for t in self.outputs]

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def build(self, input_shape):
        self.built = True

    def _standardize_inputs(self, inputs):
        """Match the given inputs to the model's ``keras.Input`` tensors: one per input, in order; a dict is
        matched by input name."""
        expected = self.inputs
        if isinstance(inputs, dict):
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs named {self.input_names}; the dict passed is missing "
                    f"{missing}. Received keys: {list(inputs)}"
                )
            return [inputs[name] for name in self.input_names]
        flat = [inputs] if len(expected) == 1 and not isinstance(inputs, (list, tuple)) else flatten(inputs)
        if len(expected) == 1 and isinstance(inputs, (list, tuple)) and len(flat) != 1:
            flat = [inputs]  # a nested list of numbers for a single input
        if len(flat) != len(expected):
            raise ValueError(
                f"Model '{self.name}' expects {len(expected)} input(s) ({self.input_names}), but it received "
                f"{len(flat)} input tensor(s)."
            )
        return flat

    def __call__(self, *args, **kwargs):
        if args and not _contains_symbolic(args[0]):
            inputs = self._standardize_inputs(args[0])
            args = ([self._convert_inputs(x) for x in inputs], *args[1:])
            for i, (x, spec) in enumerate(zip(args[0], self.inputs)):
                _check_input_shape(self.name, i, x.shape, spec.shape)
        return super().__call__(*args, **kwargs)

    def call(self, inputs, training=None, mask=None):
        """Run the graph: each node's layer on the values of its input tensors."""
        values = {id(t): v for t, v in zip(self.inputs, flatten(inputs))}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = map_structure(lambda a: values[id(a)] if isinstance(a, KerasTensor) else a, node.args)
            kwargs = map_structure(lambda a: values[id(a)] if isinstance(a, KerasTensor) else a, node.kwargs)
            if training is not None and not isinstance(node.layer, SymbolicOp):
                kwargs = {**kwargs, "training": training}
            outputs = node.layer(*args, **kwargs)
            for t, v in zip(node.output_tensors, flatten(outputs)):
                values[id(t)] = v
        return pack_like(self._output_structure, [values[id(t)] for t in self.outputs])

    def compute_output_spec(self, *args, **kwargs):
        return pack_like(self._output_structure, [KerasTensor(t.shape, t.dtype) for t in self.outputs])

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("batch_input_shape", None)
        return cfg


def _contains_symbolic(x):
    return any(isinstance(t, KerasTensor) for t in flatten(x)) if isinstance(x, (list, tuple, dict)) else isinstance(
        x, KerasTensor)


def _check_input_shape(model_name, i, received, expected):
    if len(received) != len(expected) or any(e is not None and e != r for e, r in zip(expected, received)):
        raise ValueError(
            f'Input {i} of layer "{model_name}" is incompatible with the layer: expected shape={expected}, '
            f"found shape={tuple(received)}"
        )


def _order_nodes(inputs, outputs):
    """The nodes between ``inputs`` and ``outputs``, each after the nodes feeding it (depth-first post-order).

    Raises ValueError for a graph that needs an input not in ``inputs``, or an input no output uses."""
    input_ids = {id(t) for t in inputs}
    order, done, used_inputs = [], set(), set()
    visited_layers = []

    def visit(tensor, consumer):
        if id(tensor) in input_ids:
            used_inputs.add(id(tensor))
            layer, index, _ = tensor._keras_history
            node = layer._inbound_nodes[index]
            if id(node) not in done:
                done.add(id(node))
                order.append(node)
            return
        layer, index, _ = tensor._keras_history
        if isinstance(layer, InputLayer):
            names = [layer_.name for layer_ in visited_layers]
            raise ValueError(
                f"Graph disconnected: cannot obtain value for tensor {tensor!r} at layer \"{consumer}\". "
                f"It comes from an Input that is not among the model's `inputs`. The following previous layers "
                f"were accessed without issue: {names}. Pass every keras.Input the outputs depend on as `inputs`."
            )
        node = layer._inbound_nodes[index]
        if id(node) in done:
            return
        for t in node.input_tensors:
            visit(t, layer.name)
        done.add(id(node))
        order.append(node)
        visited_layers.append(layer)

    for t in outputs:
        visit(t, t._keras_history[0].name)
    unused = [t.name for t in inputs if id(t) not in used_inputs]
    if unused:
        raise ValueError(
            f"Input(s) {unused} are not connected to any of the model's outputs. Every input must be used to "
            "compute an output: remove it from `inputs`, or connect it."
        )
    # Inputs first, in the order given, then the computing nodes in dependency order.
    input_nodes = [t._keras_history[0]._inbound_nodes[0] for t in inputs]
    return input_nodes + [n for n in order if n not in input_nodes]


def _default_name():
    from kerasnb.layers.layer import unique_name

    return unique_name("functional")

