"""``summary_html``: ``model.summary()`` as an HTML table, for notebooks."""

from html import escape

from kerasnb.models import summary as _summary


def summary_html(model):
    """The model's summary as an HTML ``<table>``: the same rows and totals as ``model.summary()``, with no
    field cut to a column width.

    Example:
        >>> model = keras.Sequential([keras.layers.Dense(3, input_shape=(4,), name="hidden")])
        >>> html = kerasnb.widgets.summary_html(model)
        >>> "<td>hidden (Dense)</td><td>(None, 3)</td><td>15</td>" in html
        True
    """
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has not yet been built, so it has no weights to summarise. Build it by "
            "calling `model.build(input_shape)`, by calling it on a batch of data, or by giving its first layer "
            "an `input_shape`."
        )
    sequential_like = _summary._is_sequential_like(model)
    columns = ["Layer (type)", "Output Shape", "Param #"]
    if not sequential_like:
        columns.append("Connected to")
    trainable = _summary._count(model.trainable_weights)
    total = _summary._count(model.weights)
    out = [
        '<table class="kerasnb-summary">',
        f'<caption>Model: "{escape(model.name)}"</caption>',
        "<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in columns) + "</tr></thead>",
        "<tbody>",
    ]
    for layer_rows in _summary._rows(model, sequential_like):
        for fields in layer_rows:
            out.append("<tr>" + "".join(f"<td>{escape(str(field))}</td>" for field in fields) + "</tr>")
    out.append("</tbody>")
    span = len(columns)
    out.append("<tfoot>")
    for label, value in (
        ("Total params", total),
        ("Trainable params", trainable),
        ("Non-trainable params", total - trainable),
    ):
        out.append(f'<tr><td colspan="{span}">{label}: {value:,}</td></tr>')
    out.append("</tfoot>")
    out.append("</table>")
    return "\n".join(out)
