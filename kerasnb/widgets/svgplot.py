"""Tiny SVG charts as strings, with no plotting library: ``line_chart_svg`` and ``histogram_svg``.

They draw the static snapshots of the training widgets (what a saved notebook shows without a kernel). Every
drawn series and bar carries ``data-`` attributes (its name, its number of points, its count), so tests and the
live front end can read a chart back without guessing from pixels. Classes (``kerasnb-panel``, ``kerasnb-trace``,
``kerasnb-bar``, ...) let a stylesheet restyle them, e.g. for a dark theme.
"""

import math
import re
from xml.sax.saxutils import escape

# Ten colours that stay distinguishable on white and on a dark background.
PALETTE = [
    "#4a6fa5",
    "#e07a3f",
    "#3f9e6e",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#d47fb4",
    "#7f7f7f",
    "#b5a642",
    "#3fa7b8",
]

_SVG_NS = "http://www.w3.org/2000/svg"
_AXIS_COLOR = "#888"
_TEXT_COLOR = "#333"
_ATTR_NAME = re.compile(r"^[A-Za-z_][-A-Za-z0-9_.:]*$")


def nice_ticks(lo, hi, n=5):
    """About ``n`` round tick values (multiples of 1, 2 or 5 times a power of ten) that enclose ``[lo, hi]``.

    The first tick is at or below ``lo`` and the last at or above ``hi``, so they make good axis limits. When
    ``lo == hi`` the range is widened by 0.5 on each side.

    Example:
        >>> from kerasnb.widgets.svgplot import nice_ticks
        >>> nice_ticks(0.13, 0.92)
        [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        >>> nice_ticks(1, 120)
        [0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"nice_ticks needs finite lo and hi; received lo={lo!r}, hi={hi!r}.")
    if lo > hi:
        raise ValueError(f"nice_ticks needs lo <= hi; received lo={lo!r}, hi={hi!r}.")
    if n < 2:
        raise ValueError(f"nice_ticks needs n >= 2; received n={n!r}.")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    raw = (hi - lo) / (n - 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    fraction = raw / magnitude
    # Round the step to the nearest nice number (not up), so the count stays close to n.
    nice = 1 if fraction < 1.5 else 2 if fraction < 3 else 5 if fraction < 7 else 10
    step = nice * magnitude
    # The small slack keeps float noise (0.6000000001 / 0.2) from adding an empty tick.
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [float(f"{k * step:.12g}") for k in range(first, last + 1)]


def _decade_ticks(lo, hi):
    """Ticks of a log axis, as exponents: whole decades when the data spans one or more, else nice values."""
    if hi - lo < 1:
        return nice_ticks(lo, hi)
    first, last = math.floor(lo), math.ceil(hi)
    step = math.ceil((last - first) / 5)
    return [float(e) for e in range(first, last + step, step)]


def _num(v):
    """A coordinate: one decimal, without a trailing '.0'."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _label(v):
    return f"{v:.4g}"


def _attr(value):
    return escape(str(value), {'"': "&quot;"})


def _root(width, height, css_class, attrs, argument):
    extra = ""
    for key, value in (attrs or {}).items():
        if not isinstance(key, str) or not _ATTR_NAME.match(key):
            raise ValueError(f"{argument}: attribute names must be XML names such as 'data-metric'; received {key!r}.")
        extra += f' {key}="{_attr(value)}"'
    return (
        f'<svg xmlns="{_SVG_NS}" class="{_attr(css_class)}" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="sans-serif" font-size="10"{extra}>'
    )


def _check_size(width, height, argument):
    if not (width > 0 and height > 0):
        raise ValueError(f"{argument} needs a positive width and height; received width={width!r}, height={height!r}.")


def _runs(xs, ys, log_y):
    """The drawable points of a series as runs of consecutive points: a skipped value starts a new run."""
    runs, current = [], []
    for x, y in zip(xs, ys):
        x, y = float(x), float(y)
        ok = math.isfinite(x) and math.isfinite(y) and (y > 0 or not log_y)
        if ok:
            current.append((x, math.log10(y) if log_y else y))
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def line_chart_svg(series, width=360, height=220, title=None, xlabel=None, log_y=False, css_class="kerasnb-panel",
                   attrs=None, legend=True):
    """A line chart of one or more series, as an SVG string.

    Args:
        series: a list of dicts, one per line: ``name``, ``xs`` and ``ys`` (lists of numbers), and optionally
            ``color`` (a CSS colour; default from :data:`PALETTE`), ``dash`` (bool), ``markers`` (bool: a small
            circle at each point), ``width`` (stroke width), ``opacity`` and ``kind`` (written to
            ``data-series``; default the name).
        width, height: the size in pixels.
        title, xlabel: texts drawn above the chart and under the x axis.
        log_y: a logarithmic y axis; values <= 0 are then skipped.
        css_class: the class of the root ``<svg>``.
        attrs: extra attributes of the root ``<svg>``, e.g. ``{"data-metric": "loss"}``.
        legend: draw the series' names in the top right corner (leave it out when a table beside the chart
            names the colours).

    Each series is one ``<path class="kerasnb-trace" data-series=... data-name=... data-points=...>``, where
    ``data-points`` counts the points drawn. Non-finite values are skipped and leave a gap in the line. Without
    any data only the frame is drawn.

    Example:
        >>> from kerasnb.widgets.svgplot import line_chart_svg
        >>> svg = line_chart_svg([{"name": "loss", "xs": [1, 2, 3], "ys": [0.9, float("nan"), 0.4]}])
        >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="kerasnb-panel"')
        True
        >>> 'data-name="loss" data-points="2"' in svg
        True
    """
    _check_size(width, height, "line_chart_svg")
    if isinstance(series, dict):
        raise TypeError("line_chart_svg: `series` is a list of dicts (one per line); received a single dict.")
    prepared = []
    for i, s in enumerate(series):
        if "xs" not in s or "ys" not in s:
            raise ValueError(f"line_chart_svg: series {i} needs 'xs' and 'ys' lists; received keys {sorted(s)}.")
        if len(s["xs"]) != len(s["ys"]):
            raise ValueError(
                f"line_chart_svg: series {i} ({s.get('name')!r}) has {len(s['xs'])} xs but {len(s['ys'])} ys."
            )
        prepared.append((s, _runs(s["xs"], s["ys"], log_y)))

    points = [p for _, runs in prepared for run in runs for p in run]
    if points:
        x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
        y_ticks = (_decade_ticks if log_y else nice_ticks)(min(p[1] for p in points), max(p[1] for p in points))
    else:
        x0, x1 = 0.0, 1.0
        y_ticks = [0.0, 0.5, 1.0] if not log_y else [0.0, 1.0]
    y0, y1 = y_ticks[0], y_ticks[-1]
    if x0 == x1:
        x_ticks = [x0]
        x0, x1 = x0 - 0.5, x1 + 0.5
    else:
        x_ticks = [t for t in nice_ticks(x0, x1) if x0 - 1e-9 * abs(x1 - x0) <= t <= x1 + 1e-9 * abs(x1 - x0)]

    left, right = 44.0, width - 10.0
    top, bottom = (24.0 if title else 10.0), height - (30.0 if xlabel else 20.0)

    def sx(x):
        return left + (x - x0) / (x1 - x0) * (right - left)

    def sy(y):
        return bottom - (y - y0) / (y1 - y0) * (bottom - top)

    out = [_root(width, height, css_class, attrs, "line_chart_svg")]
    if title:
        out.append(f'<text class="kerasnb-title" x="{_num(width / 2)}" y="15" text-anchor="middle" '
                   f'font-size="12" fill="{_TEXT_COLOR}">{escape(str(title))}</text>')
    out.append(f'<g class="kerasnb-axes" stroke="{_AXIS_COLOR}" stroke-width="1" fill="none">'
               f'<path d="M{_num(left)} {_num(top)}V{_num(bottom)}H{_num(right)}"/></g>')
    for t in y_ticks:
        y = sy(t)
        text = _label(10.0**t) if log_y else _label(t)
        out.append(f'<line class="kerasnb-grid" x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" y2="{_num(y)}" '
                   f'stroke="{_AXIS_COLOR}" stroke-opacity="0.25"/>')
        out.append(f'<text class="kerasnb-ytick" x="{_num(left - 4)}" y="{_num(y + 3)}" text-anchor="end" '
                   f'fill="{_TEXT_COLOR}">{escape(text)}</text>')
    for t in x_ticks:
        x = sx(t)
        out.append(f'<line x1="{_num(x)}" y1="{_num(bottom)}" x2="{_num(x)}" y2="{_num(bottom + 3)}" '
                   f'stroke="{_AXIS_COLOR}"/>')
        out.append(f'<text class="kerasnb-xtick" x="{_num(x)}" y="{_num(bottom + 13)}" text-anchor="middle" '
                   f'fill="{_TEXT_COLOR}">{escape(_label(t))}</text>')
    if xlabel:
        out.append(f'<text class="kerasnb-xlabel" x="{_num((left + right) / 2)}" y="{_num(height - 4)}" '
                   f'text-anchor="middle" fill="{_TEXT_COLOR}">{escape(str(xlabel))}</text>')

    named = []
    for i, (s, runs) in enumerate(prepared):
        name = str(s.get("name", f"series {i}"))
        color = _attr(s.get("color") or PALETTE[i % len(PALETTE)])
        style = f'stroke="{color}" stroke-width="{_num(float(s.get("width", 1.5)))}"'
        if s.get("dash"):
            style += ' stroke-dasharray="4 3"'
        if s.get("opacity") is not None:
            style += f' stroke-opacity="{float(s["opacity"]):.3g}"'
        d = "".join("M" + "L".join(f"{_num(sx(x))} {_num(sy(y))}" for x, y in run) for run in runs)
        count = sum(len(run) for run in runs)
        tags = f'data-series="{_attr(s.get("kind") or name)}" data-name="{_attr(name)}"'
        out.append(f'<path class="kerasnb-trace" {tags} data-points="{count}" d="{d}" fill="none" {style}/>')
        if s.get("markers"):
            for run in runs:
                for x, y in run:
                    out.append(f'<circle class="kerasnb-marker" {tags} cx="{_num(sx(x))}" cy="{_num(sy(y))}" r="2.5" '
                               f'fill="{color}"/>')
        named.append((name, style))
    for i, (name, style) in enumerate(named if legend else []):
        y = top + 8 + 12 * i
        out.append(f'<g class="kerasnb-legend"><path d="M{_num(right - 90)} {_num(y)}h14" {style}/>'
                   f'<text x="{_num(right - 72)}" y="{_num(y + 3)}" fill="{_TEXT_COLOR}">{escape(name)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def histogram_svg(counts, edges, width=240, height=120, title=None, color="#4a6fa5", css_class="kerasnb-hist",
                  attrs=None):
    """A histogram as an SVG string: one ``<rect class="kerasnb-bar" data-count=...>`` per bin.

    ``edges`` are the bin edges (one more than ``counts``, increasing), such as :func:`numpy.histogram` and
    :func:`kerasnb.widgets.inspector.histogram` return. Bar heights are relative to the largest count; the x axis
    is labelled at the first and last edge.

    Example:
        >>> from kerasnb.widgets.svgplot import histogram_svg
        >>> svg = histogram_svg([1, 3, 0], [0.0, 0.5, 1.0, 1.5], title="kernel")
        >>> svg.count('class="kerasnb-bar"'), 'data-count="3"' in svg
        (3, True)
    """
    _check_size(width, height, "histogram_svg")
    counts, edges = list(counts), [float(e) for e in edges]
    if len(edges) != len(counts) + 1:
        raise ValueError(
            f"histogram_svg: `edges` must have one more entry than `counts`; received {len(counts)} counts and "
            f"{len(edges)} edges."
        )
    if any(not c >= 0 for c in counts):
        raise ValueError(f"histogram_svg: `counts` must be non-negative numbers; received {counts}.")
    if not all(math.isfinite(e) for e in edges) or any(b < a for a, b in zip(edges, edges[1:])):
        raise ValueError(f"histogram_svg: `edges` must be finite and increasing; received {edges}.")
    left, right = 6.0, width - 6.0
    top, bottom = (20.0 if title else 6.0), height - 16.0
    lo, hi = (edges[0], edges[-1]) if edges else (0.0, 1.0)
    span = (hi - lo) or 1.0
    tallest = max([c for c in counts if c > 0], default=1)

    def sx(x):
        return left + (x - lo) / span * (right - left)

    out = [_root(width, height, css_class, attrs, "histogram_svg")]
    if title:
        out.append(f'<text class="kerasnb-title" x="{_num(width / 2)}" y="13" text-anchor="middle" font-size="11" '
                   f'fill="{_TEXT_COLOR}">{escape(str(title))}</text>')
    for c, a, b in zip(counts, edges, edges[1:]):
        h = (bottom - top) * c / tallest
        out.append(f'<rect class="kerasnb-bar" data-count="{c}" x="{_num(sx(a))}" y="{_num(bottom - h)}" '
                   f'width="{_num(max(sx(b) - sx(a), 0.0))}" height="{_num(h)}" fill="{_attr(color)}"/>')
    out.append(f'<path class="kerasnb-axes" d="M{_num(left)} {_num(bottom)}H{_num(right)}" stroke="{_AXIS_COLOR}"/>')
    if edges:
        out.append(f'<text class="kerasnb-xtick" x="{_num(left)}" y="{_num(height - 4)}" text-anchor="start" '
                   f'fill="{_TEXT_COLOR}">{escape(_label(edges[0]))}</text>')
        out.append(f'<text class="kerasnb-xtick" x="{_num(right)}" y="{_num(height - 4)}" text-anchor="end" '
                   f'fill="{_TEXT_COLOR}">{escape(_label(edges[-1]))}</text>')
    out.append("</svg>")
    return "".join(out)
