"""plot_model draws an edge that skips rows (a residual connection) in its own lane, not through the boxes."""

import re
import xml.etree.ElementTree as ET

import kerasnb as keras
from kerasnb import layers

SVG_NS = "{http://www.w3.org/2000/svg}"


def residual_model():
    x = keras.Input(shape=(4,), name="x")
    h = layers.Dense(4, name="h")(x)
    a = layers.Dense(4, name="a")(h)
    b = layers.Dense(4, name="b")(a)
    out = layers.Add(name="res")([b, h])  # h -> res skips the rows of a and b
    return keras.Model(x, out)


def drawing(svg):
    root = ET.fromstring(svg)
    boxes = {}
    for node in root.findall(f"{SVG_NS}g[@class='node']"):
        rect = node.find(f"{SVG_NS}rect")
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        boxes[node.get("data-layer")] = (x, y, x + w, y + h)
    edges = {(e.get("data-source"), e.get("data-target")): e.get("d")
             for e in root.findall(f"{SVG_NS}path[@class='edge']")}
    return root, boxes, edges


def points(d):
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2]))


def test_skip_edge_runs_beside_the_rows_it_skips_top_to_bottom():
    root, boxes, edges = drawing(keras.utils.plot_model(residual_model()))
    skip = edges[("h", "res")]
    assert " L " in skip and all(" L " not in d for pair, d in edges.items() if pair != ("h", "res"))
    (x0, y0), *_, (x1, y1) = points(skip)
    assert (x0, y0) == ((boxes["h"][0] + boxes["h"][2]) / 2, boxes["h"][3])  # leaves h's bottom
    assert (x1, y1) == ((boxes["res"][0] + boxes["res"][2]) / 2, boxes["res"][1])  # enters res's top
    lane = max(x for x, _ in points(skip))
    assert lane > max(boxes["a"][2], boxes["b"][2])
    assert lane < float(root.get("width"))


def test_skip_edge_runs_below_the_columns_it_skips_left_to_right():
    root, boxes, edges = drawing(keras.utils.plot_model(residual_model(), rankdir="LR"))
    skip = edges[("h", "res")]
    assert " L " in skip
    lane = max(y for _, y in points(skip))
    assert lane > max(boxes["a"][3], boxes["b"][3])
    assert lane < float(root.get("height"))
