// kerasnb's live notebook views, one ES module for all of them (anywidget loads it; no build step, no imports).
// The kernel is busy inside `fit`, so everything a learner clicks here (log scale, smoothing, series toggles,
// filters, the layer picker) is handled in this file, never by a round trip to Python.
// Each widget model has a `_kind` trait: "curves", "tracer" or "inspector".

const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  "#bcbd22", "#17becf"];

function el(tag, attrs = {}, parent = null, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function svg(tag, attrs = {}, parent = null, text = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function fmt(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

// Round tick positions covering [lo, hi].
function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

// Exponential moving average, as TensorBoard's smoothing slider does (0 = raw).
function smooth(ys, weight) {
  if (!weight) return ys;
  const out = new Array(ys.length);
  let last = null;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) { out[i] = y; continue; }
    last = last === null ? y : last * weight + (1 - weight) * y;
    out[i] = last;
  }
  return out;
}

// A line chart into an <svg>: series = [{name, kind, xs, ys, color, width, dash, markers, opacity}].
// Each series becomes one <path class="kerasnb-trace" data-series=kind data-points=n>; hovering shows the value
// of the nearest point.
function lineChart(root, series, { width = 360, height = 220, title = "", logY = false, xlabel = "" } = {}) {
  root.replaceChildren();
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.setAttribute("width", width);
  root.setAttribute("height", height);
  const m = { left: 52, right: 10, top: title ? 22 : 8, bottom: 30 };
  const w = width - m.left - m.right, h = height - m.top - m.bottom;
  const ok = (y) => Number.isFinite(y) && (!logY || y > 0);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.xs.length; i++) {
      if (!ok(s.ys[i])) continue;
      const y = logY ? Math.log10(s.ys[i]) : s.ys[i];
      x0 = Math.min(x0, s.xs[i]); x1 = Math.max(x1, s.xs[i]);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  if (title) svg("text", { x: m.left + w / 2, y: 15, "text-anchor": "middle", class: "kerasnb-title" }, root, title);
  svg("rect", { x: m.left, y: m.top, width: w, height: h, class: "kerasnb-frame" }, root);
  if (!Number.isFinite(x0)) {
    for (const s of series) svg("path", { class: "kerasnb-trace", "data-series": s.kind || s.name, "data-points": 0, d: "" }, root);
    return;
  }
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= logY ? 0.5 : Math.abs(y0) * 0.1 || 1; y1 += logY ? 0.5 : Math.abs(y1) * 0.1 || 1; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const sx = (x) => m.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y) => m.top + h - (((logY ? Math.log10(y) : y) - y0) / (y1 - y0)) * h;
  // on a log axis spanning a decade or more, ticks sit on powers of ten (0.1, 1, 10), not at 10^-0.5
  const yTicks = logY && y1 - y0 >= 1
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, i) => Math.ceil(y0) + i)
    : niceTicks(y0, y1, 4);
  for (const t of yTicks) {
    const y = m.top + h - ((t - y0) / (y1 - y0)) * h;
    svg("line", { x1: m.left, x2: m.left + w, y1: y, y2: y, class: "kerasnb-grid" }, root);
    svg("text", { x: m.left - 4, y: y + 4, "text-anchor": "end", class: "kerasnb-tick" }, root, fmt(logY ? Math.pow(10, t) : t));
  }
  for (const t of niceTicks(x0, x1, 5)) {
    svg("text", { x: sx(t), y: m.top + h + 14, "text-anchor": "middle", class: "kerasnb-tick" }, root, fmt(t));
  }
  if (xlabel) svg("text", { x: m.left + w / 2, y: height - 3, "text-anchor": "middle", class: "kerasnb-tick" }, root, xlabel);
  const drawn = [];
  series.forEach((s, k) => {
    let d = "", n = 0, pen = "M";
    const pts = [];
    for (let i = 0; i < s.xs.length; i++) {
      if (!ok(s.ys[i])) { pen = "M"; continue; }
      const px = sx(s.xs[i]), py = sy(s.ys[i]);
      d += `${pen}${px.toFixed(1)},${py.toFixed(1)}`; pen = "L"; n++;
      pts.push([px, py, s.xs[i], s.ys[i]]);
    }
    const color = s.color || PALETTE[k % PALETTE.length];
    const path = svg("path", { class: "kerasnb-trace", "data-series": s.kind || s.name, "data-name": s.name,
      "data-points": n, d, fill: "none", stroke: color, "stroke-width": s.width || 1.5,
      "stroke-opacity": s.opacity ?? 1 }, root);
    if (s.dash) path.setAttribute("stroke-dasharray", "5,3");
    if (s.markers) for (const [px, py] of pts) {
      svg("circle", { cx: px, cy: py, r: 2.6, fill: s.dash ? "white" : color, stroke: color, "fill-opacity": s.opacity ?? 1 }, root);
    }
    drawn.push({ s, pts, color });
  });
  // legend: one line per named series, top right
  let ly = m.top + 12;
  for (const { s, color } of drawn) {
    if (!s.legend) continue;
    svg("line", { x1: m.left + w - 92, x2: m.left + w - 78, y1: ly - 4, y2: ly - 4, stroke: color, "stroke-width": 2,
      "stroke-dasharray": s.dash ? "4,2" : "none", "stroke-opacity": s.opacity ?? 1 }, root);
    svg("text", { x: m.left + w - 74, y: ly, class: "kerasnb-legend" }, root, s.legend);
    ly += 12;
  }
  // hover: the nearest point's value
  const hover = svg("text", { x: m.left + 4, y: m.top + 12, class: "kerasnb-hover" }, root);
  const dot = svg("circle", { r: 3.5, class: "kerasnb-hover-dot", visibility: "hidden" }, root);
  root.onmousemove = (ev) => {
    const box = root.getBoundingClientRect();
    const mx = ((ev.clientX - box.left) / box.width) * width, my = ((ev.clientY - box.top) / box.height) * height;
    let best = null;
    for (const { s, pts } of drawn) for (const p of pts) {
      const dist = (p[0] - mx) ** 2 + (p[1] - my) ** 2;
      if (!best || dist < best.dist) best = { dist, p, s };
    }
    if (!best) return;
    hover.textContent = `${best.s.name}: ${fmt(best.p[3])} at ${fmt(best.p[2])}`;
    dot.setAttribute("cx", best.p[0]); dot.setAttribute("cy", best.p[1]); dot.setAttribute("visibility", "visible");
  };
  root.onmouseleave = () => { hover.textContent = ""; dot.setAttribute("visibility", "hidden"); };
}

function histogramChart(root, hist, { width = 230, height = 110, title = "", color = "#4a6fa5", attrs = {} } = {}) {
  root.replaceChildren();
  for (const [k, v] of Object.entries(attrs)) root.setAttribute(k, v);
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.setAttribute("width", width);
  root.setAttribute("height", height);
  const m = { left: 6, right: 6, top: 16, bottom: 18 };
  const w = width - m.left - m.right, h = height - m.top - m.bottom;
  svg("text", { x: m.left, y: 11, class: "kerasnb-title-small" }, root, title);
  const counts = hist.counts || [];
  const top = Math.max(1, ...counts);
  const bw = w / Math.max(counts.length, 1);
  counts.forEach((c, i) => {
    const bh = (c / top) * h;
    const r = svg("rect", { class: "kerasnb-bar", "data-count": c, x: m.left + i * bw, y: m.top + h - bh,
      width: Math.max(bw - 0.5, 0.5), height: bh, fill: color }, root);
    svg("title", {}, r, `[${fmt(hist.edges[i])}, ${fmt(hist.edges[i + 1])}): ${c}`);
  });
  if (hist.edges && hist.edges.length) {
    svg("text", { x: m.left, y: height - 4, class: "kerasnb-tick" }, root, fmt(hist.edges[0]));
    svg("text", { x: m.left + w, y: height - 4, "text-anchor": "end", class: "kerasnb-tick" }, root, fmt(hist.edges[hist.edges.length - 1]));
  }
  if (hist.nonfinite) {
    svg("text", { x: m.left + w / 2, y: m.top + 12, "text-anchor": "middle", class: "kerasnb-warn" }, root,
      `${hist.nonfinite} NaN/inf`);
  }
}

// Float32 binary trait (a DataView) -> Float32Array, copied so the alignment of the message buffer never matters.
function floats(view) {
  if (!view || !view.byteLength) return new Float32Array(0);
  return new Float32Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function checkbox(parent, cls, label, checked, onchange) {
  const wrap = el("label", { class: "kerasnb-control" }, parent);
  const box = el("input", { type: "checkbox", class: cls }, wrap);
  box.checked = checked;
  box.addEventListener("change", () => onchange(box.checked));
  wrap.appendChild(document.createTextNode(" " + label));
  return box;
}

// ---------------------------------------------------------------------------------------------------------
// Training curves: one panel per metric; batches thin, epochs with markers, validation dashed; earlier runs faded.
// Traits: series_layout [{metric, series, offset, length}], points (float32: xs then ys of each entry), previous
// [{label, panels: {metric: {epoch: [xs, ys], val_epoch: [xs, ys]}}}], status.
function renderCurves(model, root) {
  root.classList.add("kerasnb-curves");
  const status = el("div", { class: "kerasnb-status" }, root);
  const controls = el("div", { class: "kerasnb-controls" }, root);
  const panels = el("div", { class: "kerasnb-panels" }, root);
  const ui = { log: false, smooth: 0, show: { batch: true, epoch: true, val_epoch: true } };
  const draw = () => {
    status.textContent = model.get("status");
    const data = floats(model.get("points"));
    const byMetric = new Map();
    for (const entry of model.get("series_layout")) {
      if (!byMetric.has(entry.metric)) byMetric.set(entry.metric, {});
      const xs = Array.from(data.subarray(entry.offset, entry.offset + entry.length));
      const ys = Array.from(data.subarray(entry.offset + entry.length, entry.offset + 2 * entry.length));
      byMetric.get(entry.metric)[entry.series] = [xs, ys];
    }
    const previous = model.get("previous") || [];
    const existing = new Map([...panels.querySelectorAll("svg.kerasnb-panel")].map((s) => [s.dataset.metric, s]));
    let k = 0;
    for (const [metric, parts] of byMetric) {
      let chart = existing.get(metric);
      if (!chart) chart = svg("svg", { class: "kerasnb-panel", "data-metric": metric }, panels);
      existing.delete(metric);
      const color = PALETTE[k++ % PALETTE.length];
      const series = [];
      previous.forEach((run, r) => {
        const p = (run.panels || {})[metric];
        if (!p) return;
        for (const kind of ["epoch", "val_epoch"]) {
          if (p[kind] && ui.show[kind]) series.push({ name: `${run.label} ${kind === "epoch" ? metric : "val_" + metric}`,
            kind: `previous_${kind}`, xs: p[kind][0], ys: p[kind][1], color: PALETTE[(r + 5) % PALETTE.length],
            opacity: 0.35, dash: kind === "val_epoch", width: 1.2, legend: kind === "epoch" ? run.label : null });
        }
      });
      if (parts.batch && ui.show.batch) series.push({ name: `${metric} (batch)`, kind: "batch", xs: parts.batch[0],
        ys: smooth(parts.batch[1], ui.smooth), color, width: 0.9, opacity: 0.55 });
      if (parts.epoch && ui.show.epoch) series.push({ name: metric, kind: "epoch", xs: parts.epoch[0], ys: parts.epoch[1],
        color, markers: true, legend: metric });
      if (parts.val_epoch && ui.show.val_epoch) series.push({ name: `val_${metric}`, kind: "val_epoch",
        xs: parts.val_epoch[0], ys: parts.val_epoch[1], color, markers: true, dash: true, legend: `val_${metric}` });
      lineChart(chart, series, { title: metric, logY: ui.log, xlabel: "step" });
    }
    for (const stale of existing.values()) stale.remove();
  };
  checkbox(controls, "kerasnb-log", "log scale", false, (v) => { ui.log = v; draw(); });
  for (const [kind, label] of [["batch", "batches"], ["epoch", "epochs"], ["val_epoch", "validation"]]) {
    checkbox(controls, `kerasnb-show-${kind}`, label, true, (v) => { ui.show[kind] = v; draw(); });
  }
  const sl = el("label", { class: "kerasnb-control" }, controls, "smoothing ");
  const slider = el("input", { type: "range", min: 0, max: 0.99, step: 0.01, value: 0, class: "kerasnb-smooth" }, sl);
  slider.addEventListener("input", () => { ui.smooth = Number(slider.value); draw(); });
  model.on("change:points", draw);
  model.on("change:status", draw);
  model.on("change:previous", draw);
  draw();
  return () => { model.off("change:points", draw); model.off("change:status", draw); model.off("change:previous", draw); };
}

// ---------------------------------------------------------------------------------------------------------
// Event tracer: the nested timeline; a run of batch events is one row with its count. Traits: rows, omitted.
function renderTracer(model, root) {
  root.classList.add("kerasnb-tracer");
  const bar = el("div", { class: "kerasnb-controls" }, root);
  el("span", {}, bar, "hook ");
  const filter = el("select", { class: "kerasnb-filter" }, bar);
  const body = el("div", { class: "kerasnb-trace-body" }, root);
  const list = el("div", { class: "kerasnb-rows" }, body);
  const logs = el("pre", { class: "kerasnb-logs" }, body, "click an event to see its logs");
  let selected = null;
  const draw = () => {
    const rows = model.get("rows") || [];
    const hooks = [...new Set(rows.map((r) => r.hook))];
    const current = filter.value || "all";
    filter.replaceChildren();
    for (const h of ["all", ...hooks]) el("option", { value: h }, filter, h);
    filter.value = hooks.includes(current) ? current : "all";
    list.replaceChildren();
    const omitted = model.get("omitted");
    if (omitted) el("div", { class: "kerasnb-note" }, list, `… ${omitted} earlier rows not shown`);
    rows.forEach((row, i) => {
      if (filter.value !== "all" && row.hook !== filter.value) return;
      const text = row.family ? `${row.label} ×${row.count}` : row.label;
      const div = el("div", { class: "kerasnb-row", "data-hook": row.hook, "data-depth": row.depth,
        "data-count": row.count, "data-index": i }, list, text);
      div.style.paddingLeft = `${0.3 + row.depth * 1.2}em`;
      if (i === selected) div.classList.add("kerasnb-selected");
    });
    if (filter.value === "all") list.scrollTop = list.scrollHeight;
  };
  // One listener on the list, on pointerdown: during training the rows are redrawn several times a second, and a
  // redraw between the press and the release of a click would swallow the "click" on a row.
  list.addEventListener("pointerdown", (event) => {
    const div = event.target.closest(".kerasnb-row");
    const row = div && (model.get("rows") || [])[Number(div.dataset.index)];
    if (!row) return;
    selected = Number(div.dataset.index);
    for (const d of list.querySelectorAll(".kerasnb-selected")) d.classList.remove("kerasnb-selected");
    div.classList.add("kerasnb-selected");
    const where = [row.epoch !== null ? `epoch ${row.epoch}` : null, row.batch !== null ? `batch ${row.batch}` : null]
      .filter(Boolean).join(", ");
    logs.textContent = `${row.hook}${where ? " (" + where + ")" : ""}  t=${fmt(row.time)} s\n` +
      JSON.stringify(row.logs, null, 1);
  });
  filter.addEventListener("change", draw);
  model.on("change:rows", draw);
  draw();
  return () => model.off("change:rows", draw);
}

// ---------------------------------------------------------------------------------------------------------
// Layer inspector: pick a layer (dropdown or graph), see its weights, their gradients and its activations at a
// chosen snapshot, and every layer's gradient norm over training. Traits: layers, snapshots, activation_note
// (as in LayerInspector.state()), norm_layout [{layer, offset, length}] with norm_points (float32: xs then ys
// of each layer), graph_svg.
function renderInspector(model, root) {
  root.classList.add("kerasnb-inspector");
  const top = el("div", { class: "kerasnb-controls" }, root);
  el("span", {}, top, "layer ");
  const picker = el("select", { class: "kerasnb-layer" }, top);
  el("span", {}, top, "  snapshot ");
  const slider = el("input", { type: "range", min: 0, max: 0, step: 1, value: 0, class: "kerasnb-snapshot" }, top);
  const snapLabel = el("span", { class: "kerasnb-snapshot-label" }, top);
  const grid = el("div", { class: "kerasnb-inspector-grid" }, root);
  const graph = el("div", { class: "kerasnb-graph" }, grid);
  const detail = el("div", { class: "kerasnb-detail" }, grid);
  const info = el("div", { class: "kerasnb-layer-info" }, detail);
  const hists = el("div", { class: "kerasnb-hists" }, detail);
  const acts = el("div", { class: "kerasnb-activations-box" }, detail);
  const norms = svg("svg", { class: "kerasnb-gradnorms" }, root);
  let followLatest = true;
  let graphSource = null;

  // the graph also draws the input layer, which has nothing to inspect: clicking it changes nothing
  const select = (name) => { if ([...picker.options].some((o) => o.value === name)) { picker.value = name; draw(); } };
  const draw = () => {
    const layers = model.get("layers") || [];
    const snapshots = model.get("snapshots") || [];
    if (picker.options.length !== layers.length) {
      const keep = picker.value;
      picker.replaceChildren();
      for (const layer of layers) el("option", { value: layer.name }, picker, `${layer.name} (${layer.type})`);
      const fallback = layers.find((l) => l.params > 0) || layers[0];
      picker.value = layers.some((l) => l.name === keep) ? keep : fallback ? fallback.name : "";
    }
    slider.max = Math.max(snapshots.length - 1, 0);
    if (followLatest) slider.value = slider.max;
    const snap = snapshots[Number(slider.value)];
    snapLabel.textContent = snap ? `${snap.label} (step ${snap.step})` : "no snapshot yet";
    if (graphSource !== model.get("graph_svg")) {
      graphSource = model.get("graph_svg");
      graph.innerHTML = graphSource;
      for (const node of graph.querySelectorAll("g.node")) {
        node.style.cursor = "pointer";
        node.addEventListener("click", () => select(node.dataset.layer));
      }
    }
    for (const node of graph.querySelectorAll("g.node")) {
      node.classList.toggle("kerasnb-selected", node.dataset.layer === picker.value);
    }
    const layer = layers.find((l) => l.name === picker.value);
    info.replaceChildren();
    hists.replaceChildren();
    acts.replaceChildren();
    if (!layer) return;
    el("div", { class: "kerasnb-layer-title" }, info, `${layer.name} · ${layer.type} · ${layer.params.toLocaleString()} params`);
    if (layer.weights.length) {
      const table = el("table", { class: "kerasnb-weights" }, info);
      const head = el("tr", {}, table);
      for (const h of ["weight", "shape", "params", "trainable"]) el("th", {}, head, h);
      for (const w of layer.weights) {
        const tr = el("tr", {}, table);
        for (const v of [w.name, `(${w.shape.join(", ")})`, w.count.toLocaleString(), w.trainable ? "yes" : "no"]) {
          el("td", {}, tr, String(v));
        }
      }
    }
    const config = el("details", { class: "kerasnb-config" }, info);
    el("summary", {}, config, "config");
    el("pre", {}, config, JSON.stringify(layer.config, null, 1));
    if (snap) {
      const addHist = (kind, weight, hist, color) => {
        if (!hist) return;
        const box = svg("svg", {}, hists);
        histogramChart(box, hist, { title: kind === "gradient" ? `${weight} gradient` : weight,
          color, attrs: { class: "kerasnb-hist", "data-layer": layer.name, "data-weight": weight, "data-kind": kind } });
      };
      for (const w of layer.weights) {
        addHist("weight", w.name, ((snap.weights || {})[layer.name] || {})[w.name], "#4a6fa5");
        addHist("gradient", w.name, ((snap.gradients || {})[layer.name] || {})[w.name], "#c0504d");
      }
      const stats = (snap.activations || {})[layer.name];
      if (stats) {
        addHist("activation", "output", stats.hist, "#5a9a5a");
        const table = el("table", { class: "kerasnb-activations" }, acts);
        const cells = [["output mean", stats.mean], ["output std", stats.std], ["zeros", stats.zeros]];
        if (stats.saturated !== null && stats.saturated !== undefined) cells.push(["saturated", stats.saturated]);
        for (const [k, v] of cells) {
          const tr = el("tr", {}, table);
          el("th", {}, tr, k);
          el("td", {}, tr, k === "zeros" || k === "saturated" ? `${(100 * v).toFixed(1)} %` : fmt(v));
        }
      } else if (model.get("activation_note")) {
        el("div", { class: "kerasnb-note" }, acts, model.get("activation_note"));
      }
    }
    const data = floats(model.get("norm_points"));
    const series = (model.get("norm_layout") || []).map((e, k) => ({
      name: e.layer, kind: e.layer, color: PALETTE[k % PALETTE.length], legend: e.layer,
      xs: Array.from(data.subarray(e.offset, e.offset + e.length)),
      ys: Array.from(data.subarray(e.offset + e.length, e.offset + 2 * e.length)),
      width: e.layer === layer.name ? 2.2 : 1, opacity: e.layer === layer.name ? 1 : 0.45 }));
    lineChart(norms, series, { width: 560, height: 200, title: "gradient norm per layer (log scale)", logY: true, xlabel: "step" });
  };
  picker.addEventListener("change", draw);
  slider.addEventListener("input", () => { followLatest = Number(slider.value) === Number(slider.max); draw(); });
  const traits = ["layers", "snapshots", "norm_points", "graph_svg", "activation_note"];
  for (const t of traits) model.on(`change:${t}`, draw);
  draw();
  return () => { for (const t of traits) model.off(`change:${t}`, draw); };
}

export default {
  render({ model, el: root }) {
    const kind = model.get("_kind");
    root.classList.add("kerasnb-widget");
    if (kind === "curves") return renderCurves(model, root);
    if (kind === "tracer") return renderTracer(model, root);
    if (kind === "inspector") return renderInspector(model, root);
    root.textContent = `kerasnb: unknown view kind ${kind}`;
  },
};
