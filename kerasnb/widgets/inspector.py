"""``LayerInspector``: a callback that looks inside the layers during ``fit`` and keeps what it sees as plain data.

Per training batch it records one number per layer, the L2 norm of that layer's gradients (cheap: a dot product
per weight). Now and then (at train begin, then at each epoch end, or every ``every_n_batches`` batches) it takes
a *snapshot*: histograms of every weight and of the last batch's gradients, and statistics of each layer's
output on a fixed sample batch (mean, spread, dead ReLUs, saturated sigmoids). Snapshots are thinned out as they
accumulate, so memory stays bounded however long training runs. A view draws ``inspector.state()``.

The gradients come from ``model._gradient_observers``: ``train_step`` calls each observer with the batch input,
the trainable variables and their gradients, before the optimizer uses them.
"""

import math
import time

import numpy as np

from kerasnb import activations, config
from kerasnb.callbacks.callback import Callback
from kerasnb.engine import arrays
from kerasnb.engine.autograd import no_recording
from kerasnb.engine.tensor import Tensor
from kerasnb.layers.input_layer import InputLayer
from kerasnb.layers.keras_tensor import flatten
from kerasnb.widgets.curves import DecimatedSeries

# Activations whose outputs live in [0, 1] and saturate near its ends (their gradient vanishes there).
_UNIT_INTERVAL = {"sigmoid", "hard_sigmoid", "softmax"}


def _array(value):
    """``value`` as an array of its own library (a Tensor's ``.data``, uncopied)."""
    if isinstance(value, Tensor):
        return value.data
    return value if arrays.is_array(value) else np.asarray(value)


def _plain(value):
    """A NumPy scalar as a Python number, non-finite as ``None`` (JSON has no NaN)."""
    value = float(value)
    return value if math.isfinite(value) else None


def histogram(values, bins=30):
    """A histogram of ``values`` (any shape) and their summary, as plain Python numbers.

    Returns a dict: ``counts`` (``bins`` ints), ``edges`` (``bins + 1`` floats, equal widths over the range of the
    finite values; ``[v - 0.5, v + 0.5]`` when they are all ``v``), ``min``, ``max``, ``mean``, ``std`` (of the
    finite values; ``None`` when there are none) and ``nonfinite``, the number of NaN and infinite values — the
    sign of exploding weights or gradients, which the counts leave out.

    Example:
        >>> from kerasnb.widgets.inspector import histogram
        >>> h = histogram(np.array([0.0, 1.0, 1.0, 3.0, np.nan], dtype="float32"), bins=3)
        >>> h["counts"], h["edges"], h["nonfinite"]
        ([1, 2, 1], [0.0, 1.0, 2.0, 3.0], 1)
        >>> h["mean"], h["max"]
        (1.25, 3.0)
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"histogram: `bins` must be a positive integer; received bins={bins!r}.")
    a = arrays.to_numpy(_array(values)).reshape(-1)
    if a.dtype.kind not in "fc":
        a = a.astype(config.floatx())
    finite_mask = np.isfinite(a)
    # Indexing copies, so skip it in the usual case where every value is finite.
    finite = a if finite_mask.all() else a[finite_mask]
    nonfinite = int(a.size - finite.size)
    if finite.size == 0:
        counts = [0] * int(bins)
        edges = np.linspace(-0.5, 0.5, int(bins) + 1)
        return {"counts": counts, "edges": [float(e) for e in edges], "min": None, "max": None, "mean": None,
                "std": None, "nonfinite": nonfinite}
    lo, hi = finite.min(), finite.max()
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    with np.errstate(over="ignore"):
        too_wide = not np.isfinite(hi - lo)
    if too_wide:  # exploding values: hi - lo overflows the dtype, so measure the bins in float64
        finite, lo, hi = finite.astype(np.float64), float(lo), float(hi)
    try:
        counts, edges = np.histogram(finite, bins=int(bins), range=(lo, hi))
    except ValueError:
        # A range of a few ulps: in the values' dtype the edges would not increase. Try float64, and if even
        # that is too narrow, centre unit-wide bins on the values as for a constant.
        finite, lo, hi = finite.astype(np.float64), float(lo), float(hi)
        try:
            counts, edges = np.histogram(finite, bins=int(bins), range=(lo, hi))
        except ValueError:
            mid = (lo + hi) / 2
            counts, edges = np.histogram(finite, bins=int(bins), range=(mid - 0.5, mid + 0.5))
    return {
        "counts": [int(c) for c in counts],
        "edges": [float(e) for e in edges],
        "min": float(finite.min()),
        "max": float(finite.max()),
        "mean": _plain(finite.mean(dtype=np.float64)),
        "std": _plain(finite.std(dtype=np.float64)),
        "nonfinite": nonfinite,
    }


def _json_safe(value):
    """A config value as JSON-ready data: containers converted, other objects as their ``repr``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return repr(value)


def _layer_config(layer):
    try:
        return _json_safe(layer.get_config())
    except Exception as error:  # a user's layer may fail to describe itself; the inspector must still run
        return {"error": f"get_config() failed: {error}"}


def _activation_name(layer):
    """The name of ``layer.activation`` ('relu', 'sigmoid', ...), or None when the layer has none."""
    fn = getattr(layer, "activation", None)
    if fn is None or isinstance(fn, str):
        return fn
    if not callable(fn):
        return None
    try:
        return activations.serialize(fn)
    except ValueError:  # a lambda: no name to save it by, but the inspector only needs a label
        return getattr(fn, "__name__", None)


def _saturated(values, activation):
    """The fraction of outputs where the activation is flat (its gradient nearly 0), or None if it never is."""
    if values.size == 0:
        return None
    if activation in _UNIT_INTERVAL:
        return float(np.count_nonzero((values < 0.01) | (values > 0.99)) / values.size)
    if activation == "tanh":
        return float(np.count_nonzero(np.abs(values) > 0.99) / values.size)
    return None


def _copy_rows(x, n=None):
    """A NumPy copy of the batch ``x`` (an array, or a list/dict of arrays), at most ``n`` rows of each, with
    float arrays in ``floatx`` as training sees them."""
    if isinstance(x, dict):
        return {k: _copy_rows(v, n) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and all(hasattr(v, "shape") for v in x):
        return [_copy_rows(v, n) for v in x]
    a = arrays.to_numpy(_array(x))
    if n is not None and a.ndim > 0:
        a = a[:n]
    return np.array(a, dtype=config.floatx() if a.dtype.kind == "f" else a.dtype)


def _graph_outputs(model):
    """``(layer, symbolic output)`` for each non-input layer of a Sequential or functional model (a layer's
    first call, first output), or None for a model without a graph (a subclassed one)."""
    from kerasnb.models.functional import Functional
    from kerasnb.models.sequential import Sequential

    if isinstance(model, Sequential):
        # The model's own record of each layer's output: right even if a layer was also called elsewhere.
        return list(zip(model.layers, model._layer_outputs))
    if isinstance(model, Functional):
        first = {}
        for node in model._nodes:
            if id(node.layer) not in first and node.output_tensors:
                first[id(node.layer)] = node.output_tensors[0]
        return [(layer, first[id(layer)]) for layer in model.layers
                if not isinstance(layer, InputLayer) and id(layer) in first]
    return None


class LayerInspector(Callback):
    """Looks inside every layer during ``fit``: weight, gradient and activation statistics, as plain data.

    Args:
        sample: a fixed batch (an array, or a list/dict of arrays for several inputs) to compute the layers'
            outputs on at each snapshot. Default: the first ``sample_size`` rows of the first training batch
            of each fit. ``inspector.sample`` is the batch in use (a NumPy copy, float arrays in ``floatx``).
        every_n_batches: take a snapshot every this many training batches instead of at each epoch end.
        bins: the number of bins of every histogram.
        max_snapshots: the most snapshots kept (at least 2). Past it, every other one is dropped, always keeping
            the first and the newest.
        max_points: the most points kept per gradient-norm series (see :class:`DecimatedSeries`).
        sample_size: the rows of the first training batch kept as the default ``sample``.
        view: an object with ``update(inspector)`` (called after each snapshot, and after training batches at
            most ``max_updates_per_second`` times a second by ``clock``) and ``close(inspector)`` (called at train
            end), or None to collect only.

    What it collects (each ``fit`` starts afresh):

    * ``layers``: one dict per entry of ``model.layers``: ``name``, ``type``, ``config``, ``weights`` (dicts
      ``name``, ``path``, ``shape``, ``count``, ``trainable``; a weight's name is its path when two weights of
      the layer share a name, as in a nested model), ``params`` and ``activation``.
    * ``grad_norms``: ``{layer name: DecimatedSeries}`` of the L2 norm of the layer's gradients at each training
      step (layers without trainable weights have none).
    * ``snapshots``: dicts ``label`` ('start', 'epoch 3', 'step 200'), ``epoch`` (epochs finished), ``step``
      (training batches so far), ``weights`` and ``gradients`` (``{layer: {weight: histogram}}``, gradients of
      the last batch before the snapshot, none at start) and ``activations`` (``{layer: {mean, std, zeros,
      saturated, shape, hist}}``: ``zeros`` is the fraction of outputs exactly 0, e.g. dead ReLUs, and
      ``saturated`` the fraction in the flat ends of a sigmoid, softmax or tanh). The start snapshot has
      activations only when ``sample`` was given. Subclassed models have no graph to read each layer's output
      from, so they get no activations and ``activation_note`` says why.

    Example:
        >>> from kerasnb.widgets.inspector import LayerInspector
        >>> model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,), name="hidden"),
        ...                           keras.layers.Dense(1, name="out")])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> inspector = LayerInspector()
        >>> x, y = np.ones((8, 3)), np.ones((8, 1))
        >>> _ = model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[inspector])
        >>> inspector
        <LayerInspector 2 layers, 3 snapshots, 4 steps>
        >>> [s["label"] for s in inspector.snapshots], inspector.grad_norms["hidden"].xs
        (['start', 'epoch 1', 'epoch 2'], [1, 2, 3, 4])
        >>> sorted(inspector.snapshots[-1]["activations"]["hidden"])
        ['hist', 'mean', 'saturated', 'shape', 'std', 'zeros']
    """

    def __init__(self, sample=None, every_n_batches=None, bins=30, max_snapshots=50, max_points=2000,
                 sample_size=256, view=None, max_updates_per_second=4, clock=time.monotonic):
        super().__init__()
        if max_updates_per_second <= 0:
            raise ValueError(f"max_updates_per_second must be positive; received {max_updates_per_second}.")
        self.max_updates_per_second = max_updates_per_second
        self.clock = clock
        for name, value, least in (("bins", bins, 1), ("max_snapshots", max_snapshots, 2),
                                   ("max_points", max_points, 2), ("sample_size", sample_size, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
                raise ValueError(f"LayerInspector: `{name}` must be an integer >= {least}; received {name}={value!r}.")
        if every_n_batches is not None and (isinstance(every_n_batches, bool) or
                                            not isinstance(every_n_batches, (int, np.integer)) or every_n_batches < 1):
            raise ValueError(
                f"LayerInspector: `every_n_batches` must be None or a positive integer; received {every_n_batches!r}."
            )
        self._given_sample = None if sample is None else _copy_rows(sample)
        self.every_n_batches = every_n_batches
        self.bins = int(bins)
        self.max_snapshots = int(max_snapshots)
        self.max_points = int(max_points)
        self.sample_size = int(sample_size)
        self.view = view
        # One bound method for the model's observer list: the same object is found there again and removed.
        self._observer = self._observe
        self._reset()

    def _reset(self):
        self.layers = []
        self.snapshots = []
        self.grad_norms = {}
        self.step = 0
        self.epoch = 0
        self.activation_note = None
        self._described = False
        self._weights = {}  # layer name -> [(weight key, variable)]
        self._owners = {}  # id(variable) -> (layer name, weight key)
        self._activation_names = {}
        self._last_grads = []  # [(layer name, weight key, gradient array)] of the latest batch
        self.sample = self._given_sample
        self._features = None  # (layer names, feature model), or False when there is none; built once per fit
        self._start_pending = False
        self._last_update = None

    def __repr__(self):
        return f"<LayerInspector {len(self.layers)} layers, {len(self.snapshots)} snapshots, {self.step} steps>"

    def _repr_html_(self):
        """In a notebook, the inspector itself shows as a static snapshot of what it collected (see
        :func:`kerasnb.widgets.views.inspector_html`): saved notebooks, GitHub and nbviewer keep it."""
        from kerasnb.widgets.views import inspector_html

        return inspector_html(self)

    # -- hooks -------------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._reset()
        observers = self.model._gradient_observers
        if self._observer not in observers:
            observers.append(self._observer)
        if self.model.built:
            self._take_snapshot("start")
        else:
            # A model that learns its input shape from the data has no weights yet. The first batch's observer
            # call comes before the optimizer's update, so the starting weights can still be seen then.
            self._start_pending = True

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self._start_pending = False  # a custom train_step that calls no observer: the start is gone
        if self.every_n_batches and self.step % self.every_n_batches == 0:
            self._take_snapshot(f"step {self.step}")
        elif self.view is not None:
            # the gradient norms grow every batch: show them live, throttled like the curves
            now = self.clock()
            if self._last_update is None or now - self._last_update >= 1.0 / self.max_updates_per_second:
                self._last_update = now
                self.view.update(self)

    def on_epoch_end(self, epoch, logs=None):
        self.epoch = epoch + 1
        if not self.every_n_batches:
            self._take_snapshot(f"epoch {epoch + 1}")

    def on_train_end(self, logs=None):
        observers = self.model._gradient_observers
        while self._observer in observers:
            observers.remove(self._observer)
        if self.view is not None:
            self.view.close(self)

    def _observe(self, x, variables, grads):
        """The gradient observer: runs inside ``train_step`` on every batch, so it only does cheap work."""
        if not self._described:
            self._describe()
        if self.sample is None:
            self.sample = _copy_rows(x, self.sample_size)
        sums, last = {}, []
        for variable, grad in zip(variables, grads):
            owner = self._owners.get(id(variable))
            if grad is None or owner is None:
                continue
            flat = _array(grad).reshape(-1)
            sums[owner[0]] = sums.get(owner[0], 0.0) + float(flat @ flat)
            last.append((*owner, flat))
        step = self.step + 1  # on_train_batch_end counts this batch after the observer has run
        for name, total in sums.items():
            if name not in self.grad_norms:
                self.grad_norms[name] = DecimatedSeries(self.max_points)
            self.grad_norms[name].append(step, math.sqrt(total))
        self._last_grads = last
        if self._start_pending:
            self._start_pending = False
            self._take_snapshot("start")

    # -- the model ---------------------------------------------------------------------------------------
    def _describe(self):
        model = self.model
        trainable = {id(v) for v in model.trainable_weights}
        self.layers, self._weights, self._owners, self._activation_names = [], {}, {}, {}
        for layer in model.layers:
            weights = list(layer.weights)
            names = [w.name for w in weights]
            entries, keyed = [], []
            for w in weights:
                key = w.name if names.count(w.name) == 1 else w.path
                count = int(np.prod(w.shape))
                entries.append({"name": key, "path": w.path, "shape": [int(d) for d in w.shape], "count": count,
                                "trainable": id(w) in trainable})
                keyed.append((key, w))
                self._owners.setdefault(id(w), (layer.name, key))
            activation = _activation_name(layer)
            self._weights[layer.name] = keyed
            self._activation_names[layer.name] = activation
            self.layers.append({"name": layer.name, "type": type(layer).__name__, "config": _layer_config(layer),
                                "weights": entries, "params": sum(e["count"] for e in entries),
                                "activation": activation})
        self._described = True

    def _feature_model(self):
        """A model whose outputs are every layer's output, built once per fit; False when there can be none."""
        if self._features is None:
            self._features = False
            pairs = _graph_outputs(self.model)
            if pairs is None:
                self.activation_note = (
                    f"Layer outputs are not shown: {type(self.model).__name__} is a subclassed model, whose `call` "
                    "is Python code rather than a graph of layers, so there is no per-layer output to read. "
                    "Build it as a Sequential or functional model to see activation statistics."
                )
            elif not pairs:
                self.activation_note = "Layer outputs are not shown: the model has no layers past its inputs."
            else:
                from kerasnb.models.model import Model

                try:
                    features = Model(inputs=self.model.inputs, outputs=[t for _, t in pairs],
                                     name=f"{self.model.name}_layer_outputs")
                except ValueError as error:  # e.g. a graph where an input goes straight to an output
                    self.activation_note = f"Layer outputs are not shown: {error}"
                else:
                    self._features = ([layer.name for layer, _ in pairs], features)
        return self._features

    def _activations(self):
        sample = self.sample
        features = self._feature_model() if sample is not None else False
        if not features:
            return {}
        names, model = features
        try:
            with no_recording():
                outputs = flatten(model(sample, training=False))
        except (ValueError, TypeError) as error:
            shapes = [tuple(a.shape) for a in flatten(sample)]
            raise ValueError(
                f"LayerInspector could not run the model on its sample batch (shapes {shapes}): {error} Pass a "
                "`sample` shaped like the training inputs."
            ) from error
        stats = {}
        for name, out in zip(names, outputs):
            values = arrays.to_numpy(_array(out))
            hist = histogram(values, self.bins)
            stats[name] = {
                "mean": hist["mean"],
                "std": hist["std"],
                "zeros": float(np.count_nonzero(values == 0) / values.size) if values.size else None,
                "saturated": _saturated(values, self._activation_names.get(name)),
                "shape": [int(d) for d in values.shape],
                "hist": hist,
            }
        return stats

    # -- snapshots ---------------------------------------------------------------------------------------
    def _take_snapshot(self, label):
        if not self._described:
            self._describe()
        start = label == "start"
        weights = {}
        for layer_name, keyed in self._weights.items():
            if keyed:
                weights[layer_name] = {key: histogram(w.data, self.bins) for key, w in keyed}
        gradients = {}
        if not start:
            for layer_name, key, grad in self._last_grads:
                gradients.setdefault(layer_name, {})[key] = histogram(grad, self.bins)
        # At the start the default sample (the first batch) is not known yet, so only a given one is used.
        activations_ = self._activations() if not start or self._given_sample is not None else {}
        self.snapshots.append({"label": label, "epoch": self.epoch, "step": self.step, "weights": weights,
                               "gradients": gradients, "activations": activations_})
        if len(self.snapshots) > self.max_snapshots:
            kept = self.snapshots[::2]
            if kept[-1] is not self.snapshots[-1]:
                kept.append(self.snapshots[-1])
            self.snapshots = kept
        if self.view is not None:
            self.view.update(self)

    # -- data for views ----------------------------------------------------------------------------------
    def state(self):
        """Everything collected, as one JSON-ready dict: ``layers``, ``snapshots``, ``grad_norms`` (``{layer:
        {"xs": [...], "ys": [...]}}``, non-finite norms as ``None``) and ``activation_note``."""
        norms = {}
        for name, series in self.grad_norms.items():
            xs, ys = series.points()
            norms[name] = {"xs": list(xs), "ys": [y if math.isfinite(y) else None for y in ys]}
        return {"layers": self.layers, "snapshots": list(self.snapshots), "grad_norms": norms,
                "activation_note": self.activation_note}
