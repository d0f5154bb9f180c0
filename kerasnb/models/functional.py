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
        self._layers = _keras_order(flatten(outputs))
        self.built = True

    @property
    def layers(self):
        """Every layer of the graph (inputs included), in Keras's order; operator nodes are left out.

        Keras sorts a functional model's layers by depth (the longest path from the layer to an output), deepest
        first, so the inputs come first and the output layer last; in a branching graph this is not always
        the order in which the layers run. The summary, ``get_config`` and weight files use this order too.
        """
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

    # -- configs ---------------------------------------------------------------------------------------------
    def get_config(self):
        """The graph as Keras 3 saves it: ``{"name", "trainable", "layers", "input_layers", "output_layers"}``.
        Each layer entry is the layer's config plus its ``name`` and ``inbound_nodes`` — one per call of the layer
        in this model, with the call's arguments, tensors written as ``__keras_tensor__`` pointing at
        ``[layer name, node index, tensor index]``. Shared layers have several nodes; nested models are layers.

        Example:
            >>> inputs = keras.Input((3,), name="x")
            >>> model = keras.Model(inputs, keras.layers.Dense(2, name="d")(inputs), name="f")
            >>> config = model.get_config()
            >>> [entry["name"] for entry in config["layers"]], config["input_layers"], config["output_layers"]
            (['x', 'd'], ['x', 0, 0], ['d', 0, 0])
        """
        from kerasnb.saving.serialization_lib import ObjectSharingScope, serialize_keras_object

        names = [layer.name for layer in self._layers]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(
                f"Model '{self.name}' has several layers named {duplicates}: a saved config finds layers by name, so "
                "every layer of the model needs its own name."
            )
        model_nodes = {id(node) for node in self._nodes}
        node_index = {}  # id(node) -> its index among its layer's nodes that belong to this model
        for layer in self._layers:
            kept = [node for node in layer._inbound_nodes if id(node) in model_nodes]
            node_index.update((id(node), i) for i, node in enumerate(kept))

        def history(tensor):
            layer, index, tensor_index = tensor._keras_history
            node = layer._inbound_nodes[index]
            if id(node) not in node_index:
                raise ValueError(f"Model '{self.name}': tensor {tensor!r} comes from outside the model's graph.")
            return [layer.name, node_index[id(node)], tensor_index]

        def tensor_config(value):
            if isinstance(value, KerasTensor):
                return {"class_name": "__keras_tensor__",
                        "config": {"shape": list(value.shape), "dtype": value.dtype.name,
                                   "keras_history": history(value)}}
            return value

        layers = []
        with ObjectSharingScope():
            for layer in self._layers:
                entry = serialize_keras_object(layer)
                entry["name"] = layer.name
                nodes = []
                if not isinstance(layer, InputLayer):
                    for node in layer._inbound_nodes:
                        if id(node) in model_nodes:
                            nodes.append({
                                "args": serialize_keras_object(list(map_structure(tensor_config, list(node.args)))),
                                "kwargs": serialize_keras_object(map_structure(tensor_config, dict(node.kwargs))),
                            })
                entry["inbound_nodes"] = nodes
                layers.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": _structure_of_histories(self._input_structure, history),
            "output_layers": _structure_of_histories(self._output_structure, history),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the graph a :meth:`get_config` (or real Keras 3, or tf-keras) wrote: each layer is made
        through the saving registry, then called on the tensors its ``inbound_nodes`` name.

        Example:
            >>> inputs = keras.Input((3,))
            >>> model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
            >>> keras.Model.from_config(model.get_config()).output_shape
            (None, 2)
        """
        return functional_from_config(cls, config, custom_objects)

    def get_build_config(self):
        """``None``: a functional model is built by its graph (no build arguments need saving).

        Example:
            >>> inputs = keras.Input((3,))
            >>> keras.Model(inputs, keras.layers.Dense(2)(inputs)).get_build_config() is None
            True
        """
        return None


def _structure_of_histories(structure, history):
    """``input_layers`` / ``output_layers``: one ``[layer name, node index, tensor index]`` per tensor, in the
    structure the model was given (a flat triple for a single tensor, a list, or a dict)."""
    if isinstance(structure, KerasTensor):
        return history(structure)
    if isinstance(structure, dict):
        return {key: _structure_of_histories(value, history) for key, value in structure.items()}
    return [_structure_of_histories(value, history) for value in structure]


class _NotReady(Exception):
    """A node's input comes from a node not made yet: try again after the other layers' nodes."""


def _is_history(value):
    return (isinstance(value, (list, tuple)) and len(value) in (3, 4) and isinstance(value[0], str)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in value[1:3]))


def functional_from_config(cls, config, custom_objects=None):
    """Rebuild a functional model from its config (see :meth:`Functional.from_config`).

    Layers are created first (in config order, each through ``deserialize_keras_object``), then their nodes are
    replayed: a node is called as soon as every tensor it needs exists, each layer's nodes in their saved order,
    until all are done. A config whose nodes can never all be made (a missing layer, a cycle) raises ValueError.

    Example:
        >>> inputs = keras.Input((3,))
        >>> model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
        >>> functional_from_config(Functional, model.get_config()).count_params()
        8
    """
    from kerasnb.layers.layer import Layer
    from kerasnb.saving.serialization_lib import ObjectSharingScope, _SavedKerasTensor, deserialize_keras_object

    if not isinstance(config, dict):
        raise ValueError(f"A functional model's config is a dict with 'layers'. Received: {config!r}")
    layer_configs = config.get("layers")
    if not isinstance(layer_configs, list):
        raise ValueError(f"A functional model's 'layers' is a list of layer configs. Received: {layer_configs!r}")
    created, outputs, pending = {}, {}, []

    def tensor(name, node, index):
        if name not in created:
            raise ValueError(f"The config refers to a layer named {name!r}, which is not among its layers.")
        made = outputs[name]
        if node >= len(made):
            raise _NotReady()
        if not 0 <= index < len(made[node]):
            raise ValueError(f"Layer {name!r} node {node} has no output {index} (it has {len(made[node])}).")
        return made[node][index]

    def resolve(value):
        if isinstance(value, _SavedKerasTensor):
            return tensor(*value.history)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, tuple):
            return tuple(resolve(v) for v in value)
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    def legacy_kwargs(value):
        # tf-keras wrote tensors inside a node's kwargs as [layer name, node index, tensor index]
        if _is_history(value) and len(value) == 3 and value[0] in created:
            return tensor(*value)
        if isinstance(value, dict):
            return {k: legacy_kwargs(v) for k, v in value.items()}
        if isinstance(value, list):
            return [legacy_kwargs(v) for v in value]
        return value

    def node_arguments(node):
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
            args = node.get("args", [])
            kwargs = node.get("kwargs") or {}
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise ValueError(f"A node's 'args' is a list and its 'kwargs' a dict. Received: {node!r}")
            args = resolve(deserialize_keras_object(args, custom_objects=custom_objects))
            kwargs = resolve(deserialize_keras_object(kwargs, custom_objects=custom_objects))
            kwargs = {k: v for k, v in kwargs.items() if not (k in ("mask", "training") and v is None)}
            return args, kwargs
        if isinstance(node, list) and node and all(_is_history(entry) for entry in node):
            # tf-keras: [[layer name, node index, tensor index, kwargs], ...] — the call's input tensors
            tensors = [tensor(*entry[:3]) for entry in node]
            kwargs = node[0][3] if len(node[0]) == 4 and isinstance(node[0][3], dict) else {}
            kwargs = legacy_kwargs(deserialize_keras_object(kwargs, custom_objects=custom_objects))
            return [tensors[0] if len(tensors) == 1 else tensors], kwargs
        raise ValueError(f"Could not read a node of the functional config: {node!r}")

    with ObjectSharingScope():
        for entry in layer_configs:
            if not isinstance(entry, dict) or "class_name" not in entry:
                raise ValueError(f"Each layer of a functional config is a layer config dict. Received: {entry!r}")
            inner = entry.get("config")
            name = entry.get("name", inner.get("name") if isinstance(inner, dict) else None)
            if not isinstance(name, str) or not name:
                raise ValueError(f"Each layer of a functional config needs a name. Received: {entry!r}")
            if name in created:
                raise ValueError(f"The functional config has two layers named {name!r}.")
            nodes = entry.get("inbound_nodes") or []
            if not isinstance(nodes, list):
                raise ValueError(f"Layer {name!r}: 'inbound_nodes' must be a list. Received: {nodes!r}")
            layer_config = {k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")}
            if nodes:
                layer_config.pop("build_config", None)  # calling it in the graph builds it
            layer = deserialize_keras_object(layer_config, custom_objects=custom_objects)
            if not isinstance(layer, Layer):
                raise ValueError(f"Layer {name!r} of the functional config is not a layer: {layer!r}")
            created[name] = layer
            outputs[name] = [[layer.output]] if isinstance(layer, InputLayer) else []
            pending.append((name, layer, list(nodes)))
        while any(nodes for _, _, nodes in pending):
            progress = False
            for name, layer, nodes in pending:
                while nodes:
                    try:
                        args, kwargs = node_arguments(nodes[0])
                    except _NotReady:
                        break
                    outputs[name].append(flatten(layer(*args, **kwargs)))
                    nodes.pop(0)
                    progress = True
            if not progress:
                stuck = [name for name, _, nodes in pending if nodes]
                raise ValueError(
                    f"The functional config cannot be rebuilt: the calls of layers {stuck} need tensors that no layer "
                    "of the config produces."
                )

        def endpoints(structure, what):
            if _is_history(structure) and len(structure) == 3:
                try:
                    return tensor(*structure)
                except _NotReady:
                    raise ValueError(f"The model's {what} {structure!r} is never produced by its layers.") from None
            if isinstance(structure, dict):
                return {k: endpoints(v, what) for k, v in structure.items()}
            if isinstance(structure, list) and structure:
                return [endpoints(v, what) for v in structure]
            raise ValueError(f"The functional config's {what} must be [layer name, node index, tensor index] "
                             f"entries. Received: {structure!r}")

        inputs = endpoints(config.get("input_layers"), "input_layers")
        model_outputs = endpoints(config.get("output_layers"), "output_layers")
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(model_outputs, list) and len(model_outputs) == 1:
        model_outputs = model_outputs[0]
    name = config.get("name")
    if name is not None and not isinstance(name, str):
        raise ValueError(f"A model's name is a string. Received: name={name!r}")
    model_class = Functional if cls is Model else cls
    return model_class(inputs=inputs, outputs=model_outputs, name=name, trainable=bool(config.get("trainable", True)))


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


def _keras_order(outputs):
    """The graph's layers (operator nodes included) in Keras's order.

    A depth-first walk from the outputs lists the nodes after everything that feeds them and numbers each layer
    when it is first reached. Walking that list backwards visits every node after all of its consumers, so a
    node's depth is one more than its deepest consumer's; a layer called more than once takes the depth of
    its deepest call. Layers sort by depth, deepest first, ties by their number: this is how Keras orders
    them, and files written by Keras depend on it."""

    def node_of(tensor):
        layer, index, _ = tensor._keras_history
        return layer._inbound_nodes[index]

    def inputs_of(node):
        return [] if isinstance(node.layer, InputLayer) else list(node.input_tensors)

    finished, first_seen, ordered = set(), {}, []
    for output in outputs:  # depth-first, post-order, without recursion (ResNet152 is deep)
        start = node_of(output)
        if id(start) in finished:
            continue
        first_seen.setdefault(id(start.layer), len(first_seen))
        stack = [(start, iter(inputs_of(start)))]
        while stack:
            node, pending = stack[-1]
            tensor = next(pending, None)
            if tensor is None:
                stack.pop()
                finished.add(id(node))
                ordered.append(node)
                continue
            child = node_of(tensor)
            if id(child) in finished:
                continue
            first_seen.setdefault(id(child.layer), len(first_seen))
            stack.append((child, iter(inputs_of(child))))

    in_graph = {id(node) for node in ordered}
    node_depth, layer_depth, layer_of = {}, {}, {}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layer_of[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for parent in inputs_of(node):
            parent = node_of(parent)
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    keys = sorted(layer_depth, key=lambda key: (-layer_depth[key], first_seen[key]))
    return [layer_of[key] for key in keys]


def _default_name():
    from kerasnb.layers.layer import unique_name

    return unique_name("functional")

