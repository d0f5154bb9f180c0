"""``model.summary()``: the classic Keras table of layers, output shapes and parameter counts.

Sequential-like models get three columns in 65 characters; models whose graph branches or merges get a fourth,
"Connected to", in 98. Each field is cut to its column, exactly as Keras 2 printed it (so a long
``max_pooling2d_1 (MaxPooling2D)`` shows as ``max_pooling2d_1 (MaxPooling2``).
"""

from kerasnb.layers.input_layer import InputLayer


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Print ``model``'s summary table with ``print_fn`` (default ``print``)."""
    print_fn = print_fn or print
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has not yet been built, so it has no weights to summarise. Build it by "
            "calling `model.build(input_shape)`, by calling it on a batch of data, or by giving its first layer "
            "an `input_shape`."
        )
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        columns = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        columns = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def print_row(fields):
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line += str(field)
            line = line[: positions[i]]
            line += " " * (positions[i] - len(line))
        print_fn(line)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_row(columns)
    print_fn("=" * line_length)
    rows = _rows(model, sequential_like)
    for i, layer_rows in enumerate(rows):
        for fields in layer_rows:
            print_row(fields)
        print_fn(("=" if i == len(rows) - 1 else "_") * line_length)
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    print_fn(f"Total params: {total:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {total - trainable:,}")
    print_fn("_" * line_length)


def _count(weights):
    seen, n = set(), 0
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            n += w.size
    return n


def _nodes_in_model(model):
    return getattr(model, "_nodes", None)


def _is_sequential_like(model):
    nodes = _nodes_in_model(model)
    if nodes is None:
        return True  # Sequential and subclassed models
    for node in nodes:
        if len(node.input_tensors) > 1 or len(node.output_tensors) > 1 or len(node.layer._inbound_nodes) > 1:
            return False
    return len(model.inputs) == 1 and len(model.outputs) == 1


def _format_shape(shape):
    return "?" if shape is None else str(tuple(shape))


def _rows(model, sequential_like):
    """One list of rows per layer: [name (type), output shape, params(, connected to)]."""
    nodes = _nodes_in_model(model)
    if nodes is None:  # Sequential or subclassed
        outputs = getattr(model, "_layer_outputs", None)
        result = []
        for i, layer in enumerate(model.layers):
            shape = outputs[i].shape if outputs else getattr(layer, "_summary_shape", None)
            params = layer.count_params() if layer.built else 0
            result.append([[f"{layer.name} ({type(layer).__name__})", _format_shape(shape), params]])
        return result
    result = []
    for layer in model._layers:  # operator nodes (x + y) included, as Keras lists them
        layer_nodes = [n for n in nodes if n.layer is layer]
        shapes = [t.shape for n in layer_nodes for t in n.output_tensors]
        shape = _format_shape(shapes[0]) if len(shapes) == 1 else ", ".join(_format_shape(s) for s in shapes)
        params = layer.count_params() if layer.built else 0
        first = [f"{layer.name} ({type(layer).__name__})", shape, params]
        if sequential_like:
            result.append([first])
            continue
        connections = []
        for node in layer_nodes:
            for t in node.input_tensors:
                inbound, node_index, tensor_index = t._keras_history
                connections.append(f"{inbound.name}[{node_index}][{tensor_index}]")
        if isinstance(layer, InputLayer) or not connections:
            connections = [""]
        rows = [first + [connections[0]]] + [["", "", "", c] for c in connections[1:]]
        result.append(rows)
    return result
