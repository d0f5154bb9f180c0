"""A model's graph drawn as SVG, with no graphviz: ``model_to_svg`` and Keras's ``plot_model``.

``model_graph`` turns a model into plain data (one node per layer, edges between layers); the layout puts each
layer at its depth (the longest path from an input, counted in layer calls) and centres each row. Sequential
models are a chain; functional models may branch and merge; a model used as a layer is one node.
"""

from xml.sax.saxutils import escape

from kerasnb.layers.input_layer import InputLayer

_CHAR_WIDTH = 7.2  # px per character of 12px sans-serif, roughly
_LINE_HEIGHT = 16
_GAP_X, _GAP_Y, _MARGIN = 24, 36, 12
_LANE_GAP = 16  # px between a row's right end (LR: a column's bottom) and the lane of an edge that skips it


def _shape_text(shapes):
    shapes = [s for s in shapes if s is not None]
    if not shapes:
        return "?"
    texts = [str(tuple(s)) for s in shapes]
    return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"


def model_graph(model):
    """The model's graph as plain data: ``(nodes, edges)``.

    ``nodes`` is a list of dicts ``{"name", "type", "shape", "depth"}``, one per layer (inputs included, a
    nested model being one layer); ``edges`` a list of ``(source_index, target_index)`` pairs, without repeats.

    Example:
        >>> inputs = keras.Input(shape=(4,), name="x")
        >>> outputs = keras.layers.Dense(2, name="out")(inputs)
        >>> nodes, edges = kerasnb.widgets.model_graph(keras.Model(inputs, outputs))
        >>> [(n["name"], n["type"], n["shape"], n["depth"]) for n in nodes], edges
        ([('x', 'InputLayer', '(None, 4)', 0), ('out', 'Dense', '(None, 2)', 1)], [(0, 1)])
    """
    nodes, edges, index = [], [], {}

    def add(layer, shapes, depth):
        index[id(layer)] = len(nodes)
        nodes.append({"name": layer.name, "type": type(layer).__name__, "shape": _shape_text(shapes), "depth": depth})

    graph_nodes = getattr(model, "_nodes", None)
    if graph_nodes is not None:  # functional
        node_depth = {}
        for node in graph_nodes:
            depth = 0
            if not isinstance(node.layer, InputLayer):
                for t in node.input_tensors:
                    layer, i, _ = t._keras_history
                    depth = max(depth, node_depth.get(id(layer._inbound_nodes[i]), 0) + 1)
            node_depth[id(node)] = depth
        for node in graph_nodes:
            if id(node.layer) not in index:
                shapes = [t.shape for n in graph_nodes if n.layer is node.layer for t in n.output_tensors]
                add(node.layer, shapes, node_depth[id(node)])
        for node in graph_nodes:
            for t in node.input_tensors:
                edge = (index[id(t._keras_history[0])], index[id(node.layer)])
                if edge not in edges and not isinstance(node.layer, InputLayer):
                    edges.append(edge)
        return nodes, edges
    # Sequential (a chain from its input layer) or a subclassed model (its layers, unconnected)
    chain = hasattr(model, "_layer_outputs")
    outputs = getattr(model, "_layer_outputs", None) or []
    input_layer = getattr(model, "_input_layer", None)
    offset = 0
    if chain and input_layer is not None and outputs:
        add(input_layer, [input_layer.batch_shape], 0)
        offset = 1
    for i, layer in enumerate(model.layers):
        shape = outputs[i].shape if i < len(outputs) else getattr(layer, "_summary_shape", None)
        add(layer, [shape], i + offset if chain else 0)
        if chain and len(nodes) > 1:
            edges.append((len(nodes) - 2, len(nodes) - 1))
    return nodes, edges


def _layout(nodes, rankdir, box_w, box_h):
    """(x, y) of each node's top-left corner, each node's row (column for ``"LR"``), and the drawing's width
    and height."""
    ranks = {}
    for i, node in enumerate(nodes):
        ranks.setdefault(node["depth"], []).append(i)
    depths = sorted(ranks)
    widest = max((len(r) for r in ranks.values()), default=0)
    pos = [None] * len(nodes)
    if rankdir == "TB":
        width = widest * box_w + (widest - 1) * _GAP_X + 2 * _MARGIN
        height = len(depths) * box_h + (len(depths) - 1) * _GAP_Y + 2 * _MARGIN
        for r, depth in enumerate(depths):
            row = ranks[depth]
            row_w = len(row) * box_w + (len(row) - 1) * _GAP_X
            x0 = (width - row_w) / 2
            for k, i in enumerate(row):
                pos[i] = (x0 + k * (box_w + _GAP_X), _MARGIN + r * (box_h + _GAP_Y))
    else:  # LR
        width = len(depths) * box_w + (len(depths) - 1) * _GAP_X * 2 + 2 * _MARGIN
        height = widest * box_h + (widest - 1) * _GAP_Y + 2 * _MARGIN
        for c, depth in enumerate(depths):
            col = ranks[depth]
            col_h = len(col) * box_h + (len(col) - 1) * _GAP_Y
            y0 = (height - col_h) / 2
            for k, i in enumerate(col):
                pos[i] = (_MARGIN + c * (box_w + 2 * _GAP_X), y0 + k * (box_h + _GAP_Y))
    rank = [None] * len(nodes)
    for r, depth in enumerate(depths):
        for i in ranks[depth]:
            rank[i] = r
    return pos, rank, max(width, 2 * _MARGIN), max(height, 2 * _MARGIN)


def _fmt(v):
    return f"{v:.1f}".rstrip("0").rstrip(".")


def model_to_svg(model, show_shapes=True, show_layer_names=True, rankdir="TB"):
    """The model's graph as an SVG string: one box per layer (name, type, output shape), arrows between them.

    ``rankdir`` is ``"TB"`` (top to bottom, the default) or ``"LR"``. Each box is a ``<g class="node">`` and
    each arrow a ``<path class="edge">``, so the drawing can be inspected or styled.

    Example:
        >>> model = keras.Sequential([keras.layers.Dense(3, input_shape=(4,), name="hidden")])
        >>> svg = kerasnb.widgets.model_to_svg(model)
        >>> svg.startswith("<svg"), svg.count('class="node"'), svg.count('class="edge"')
        (True, 2, 1)
    """
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' or 'LR'; received {rankdir!r}.")
    nodes, edges = model_graph(model)
    lines_of = []
    for node in nodes:
        lines = [node["name"], node["type"]] if show_layer_names else [node["type"]]
        if show_shapes:
            lines.append(node["shape"])
        lines_of.append(lines)
    longest = max((len(text) for lines in lines_of for text in lines), default=10)
    box_w = max(120.0, round(longest * _CHAR_WIDTH + 20))
    box_h = max(len(lines) for lines in lines_of) * _LINE_HEIGHT + 12 if lines_of else 40
    pos, rank, width, height = _layout(nodes, rankdir, box_w, box_h)
    if any(src == dst for src, dst in edges):
        width += 30
    # An edge that skips rows (a residual connection, an input used deep in the graph) would run straight
    # through the boxes between its ends and hide behind them; it takes its own lane beside those rows instead.
    lanes = {}
    for src, dst in edges:
        between = [i for i in range(len(nodes)) if rank[src] < rank[i] < rank[dst]]
        if between:
            if rankdir == "TB":
                lanes[src, dst] = max(pos[i][0] for i in between) + box_w + _LANE_GAP * (len(lanes) + 1)
                width = max(width, lanes[src, dst] + _MARGIN)
            else:
                lanes[src, dst] = max(pos[i][1] for i in between) + box_h + _LANE_GAP * (len(lanes) + 1)
                height = max(height, lanes[src, dst] + _MARGIN)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kerasnb-model-graph" width="{_fmt(width)}" '
        f'height="{_fmt(height)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" font-family="sans-serif" '
        'font-size="12">',
        f"<title>{escape(model.name)}</title>",
        '<defs><marker id="kerasnb-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    for src, dst in edges:
        (sx, sy), (dx, dy) = pos[src], pos[dst]
        if src == dst:  # a shared layer called on its own output: a loop on the box's right side
            x1, y1, y2 = sx + box_w, sy + box_h / 3, sy + 2 * box_h / 3
            d = f"M {_fmt(x1)} {_fmt(y1)} C {_fmt(x1 + 30)} {_fmt(y1)} {_fmt(x1 + 30)} {_fmt(y2)} {_fmt(x1)} {_fmt(y2)}"
        elif (src, dst) in lanes and rankdir == "TB":  # down the gaps' S-curves and the lane on the right
            x1, y1, x2, y2, lane = sx + box_w / 2, sy + box_h, dx + box_w / 2, dy, lanes[src, dst]
            a, b = y1 + _GAP_Y, y2 - _GAP_Y
            d = (f"M {_fmt(x1)} {_fmt(y1)} C {_fmt(x1)} {_fmt(y1 + _GAP_Y / 2)} {_fmt(lane)} {_fmt(y1 + _GAP_Y / 2)} "
                 f"{_fmt(lane)} {_fmt(a)} L {_fmt(lane)} {_fmt(b)} C {_fmt(lane)} {_fmt(y2 - _GAP_Y / 2)} {_fmt(x2)} "
                 f"{_fmt(y2 - _GAP_Y / 2)} {_fmt(x2)} {_fmt(y2)}")
        elif (src, dst) in lanes:  # LR: along a lane below the columns it skips
            x1, y1, x2, y2, lane = sx + box_w, sy + box_h / 2, dx, dy + box_h / 2, lanes[src, dst]
            gap = 2 * _GAP_X
            a, b = x1 + gap, x2 - gap
            d = (f"M {_fmt(x1)} {_fmt(y1)} C {_fmt(x1 + gap / 2)} {_fmt(y1)} {_fmt(x1 + gap / 2)} {_fmt(lane)} "
                 f"{_fmt(a)} {_fmt(lane)} L {_fmt(b)} {_fmt(lane)} C {_fmt(x2 - gap / 2)} {_fmt(lane)} "
                 f"{_fmt(x2 - gap / 2)} {_fmt(y2)} {_fmt(x2)} {_fmt(y2)}")
        elif rankdir == "TB":
            x1, y1, x2, y2 = sx + box_w / 2, sy + box_h, dx + box_w / 2, dy
            mid = (y1 + y2) / 2
            d = f"M {_fmt(x1)} {_fmt(y1)} C {_fmt(x1)} {_fmt(mid)} {_fmt(x2)} {_fmt(mid)} {_fmt(x2)} {_fmt(y2)}"
        else:
            x1, y1, x2, y2 = sx + box_w, sy + box_h / 2, dx, dy + box_h / 2
            mid = (x1 + x2) / 2
            d = f"M {_fmt(x1)} {_fmt(y1)} C {_fmt(mid)} {_fmt(y1)} {_fmt(mid)} {_fmt(y2)} {_fmt(x2)} {_fmt(y2)}"
        out.append(
            f'<path class="edge" data-source="{escape(nodes[src]["name"])}" data-target="{escape(nodes[dst]["name"])}"'
            f' d="{d}" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#kerasnb-arrow)"/>'
        )
    for node, lines, (x, y) in zip(nodes, lines_of, pos):
        fill = "#eef4fb" if node["type"] != "InputLayer" else "#f3f3f3"
        out.append(f'<g class="node" data-layer="{escape(node["name"])}">')
        out.append(f"<title>{escape(node['name'])} ({escape(node['type'])}): {escape(node['shape'])}</title>")
        out.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(box_w)}" height="{_fmt(box_h)}" rx="6" '
            f'fill="{fill}" stroke="#4a6fa5"/>'
        )
        for k, text in enumerate(lines):
            style = ' font-weight="bold"' if k == 0 and show_layer_names else ""
            if (k == 1 and show_layer_names) or (k == 0 and not show_layer_names):
                style = ' fill="#555" font-style="italic"'
            ty = y + 6 + _LINE_HEIGHT * (k + 1) - 4
            out.append(
                f'<text x="{_fmt(x + box_w / 2)}" y="{_fmt(ty)}" text-anchor="middle"{style}>{escape(text)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return SVG("\n".join(out))


class SVG(str):
    """An SVG document as a ``str``, which notebooks display as the picture."""

    def _repr_svg_(self):
        return str(self)


def plot_model(
    model,
    to_file=None,
    show_shapes=True,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=96,
    show_layer_activations=False,
    show_trainable=False,
    **kwargs,
):
    """Keras's ``plot_model``, without graphviz: returns the graph as an SVG string (shown as a picture in a
    notebook) and writes it to ``to_file`` if given.

    ``to_file`` ending in ``.svg`` gets the SVG; ``.png`` needs ``cairosvg`` (``pip install cairosvg``) to convert
    it. ``show_dtype``, ``expand_nested``, ``show_layer_activations`` and ``show_trainable`` are accepted for
    compatibility and ignored (nested models are always drawn as one node).

    Example:
        >>> model = keras.Sequential([keras.layers.Dense(3, input_shape=(4,))])
        >>> svg = kerasnb.widgets.plot_model(model)
        >>> svg.count('class="node"')
        2
    """
    svg = model_to_svg(model, show_shapes=show_shapes, show_layer_names=show_layer_names, rankdir=rankdir)
    if to_file is None:
        return svg
    path = str(to_file)
    if path.lower().endswith(".svg"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
    elif path.lower().endswith(".png"):
        try:
            import cairosvg
        except ImportError as error:
            raise ImportError(
                f"Writing {path!r} as PNG needs cairosvg, which is not installed: `pip install cairosvg`, or "
                "give a file name ending in .svg (no extra package needed)."
            ) from error
        cairosvg.svg2png(bytestring=svg.encode("utf-8"), write_to=path, dpi=dpi)
    else:
        raise ValueError(f"plot_model writes .svg or .png files; received to_file={path!r}.")
    return svg
