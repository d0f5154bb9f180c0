"""What ``compile(loss=..., metrics=...)`` turns into: one object that computes the (weighted) loss over all
outputs, and one that keeps the metrics of every output up to date.

Both accept a single value (used for every output), a list (one per output, in order) or a dict (by output
name). Names are checked at ``compile`` time, so a typo fails early with the closest valid name.
"""

from kerasnb import losses as losses_module
from kerasnb import metrics as metrics_module
from kerasnb.engine.autograd import no_recording
from kerasnb.engine.tensor import convert_to_tensor
from kerasnb.layers.keras_tensor import flatten


def _per_output(value, output_names, what):
    """Spread ``value`` (single, list or dict) over the outputs: a list with one entry per output."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = [k for k in value if k not in output_names]
        if unknown:
            raise ValueError(f"The {what} dict has keys {unknown} that are not output names; the model's outputs "
                             f"are {output_names}.")
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and what == "loss":
        if len(value) != n:
            raise ValueError(f"The model has {n} output(s) {output_names} but `loss` lists {len(value)} losses.")
        return list(value)
    return [value] * n


def _targets(y, output_names):
    """The targets as a list in output order (``y`` may be one array, a list, or a dict by output name)."""
    if isinstance(y, dict):
        missing = [name for name in output_names if name not in y]
        if missing:
            raise ValueError(f"The targets dict is missing outputs {missing}; the model's outputs are {output_names}. "
                             f"Received keys: {list(y)}")
        return [y[name] for name in output_names]
    if len(output_names) == 1:
        return [y]
    return list(y)


class CompileLoss:
    """The training objective: Σ loss_weight_i · loss_i(y_i, y_pred_i, sample_weight)."""

    def __init__(self, loss, loss_weights=None):
        # loss=None is allowed, as in Keras 3: a custom train_step may compute its own loss. The error comes only if
        # the compiled loss is asked for (by the default train_step / test_step).
        self.loss, self.loss_weights = loss, loss_weights
        for identifier in flatten(loss) if isinstance(loss, (list, tuple, dict)) else [loss]:
            if identifier is not None:
                losses_module.get(identifier)  # fail now on unknown names
        self._resolved = None
        self.metrics = []  # per-output loss trackers, when there are several outputs

    def _resolve(self, output_names):
        per_output = _per_output(self.loss, output_names, "loss")
        weights = self.loss_weights
        if weights is None:
            weights = [1.0] * len(output_names)
        elif isinstance(weights, dict):
            weights = [weights.get(name, 1.0) for name in output_names]
        elif len(weights) != len(output_names):
            raise ValueError(f"`loss_weights` has {len(weights)} entries for {len(output_names)} outputs.")
        self._resolved = []
        for identifier, weight in zip(per_output, weights):
            fn = losses_module.get(identifier) if identifier is not None else None
            if fn is not None and not isinstance(fn, losses_module.Loss):
                fn = losses_module.LossFunctionWrapper(fn, name=getattr(fn, "__name__", None))
            self._resolved.append((fn, float(weight)))
        if len(output_names) > 1:
            self.metrics = [metrics_module.Mean(name=f"{name}_loss") for name in output_names]

    def __call__(self, y, y_pred, sample_weight=None, output_names=None):
        if self.loss is None:
            raise ValueError(
                "No loss to compute: `compile()` was given no `loss`. Pass one, e.g. loss='mse' or "
                "loss='categorical_crossentropy', or compute the loss yourself in a custom `train_step`."
            )
        preds = flatten(y_pred)
        output_names = output_names or [f"output_{i}" for i in range(len(preds))]
        if self._resolved is None:
            self._resolve(output_names)
        targets = _targets(y, output_names)
        total = None
        for i, ((fn, weight), target, pred) in enumerate(zip(self._resolved, targets, preds)):
            if fn is None or target is None:
                continue
            value = fn(target, pred, sample_weight=sample_weight)
            if self.metrics:
                with no_recording():
                    self.metrics[i].update_state(value, sample_weight=pred.shape[0])
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        if total is None:
            raise ValueError("No loss to compute: every output's loss or target is None.")
        return total


class CompileMetrics:
    """The compiled metrics of every output, resolved on the first batch (when shapes are known, so that
    ``'accuracy'`` can pick the right kind of accuracy)."""

    def __init__(self, metrics=None, weighted_metrics=None):
        self.spec, self.weighted_spec = metrics, weighted_metrics
        for identifier in flatten(metrics or []) + flatten(weighted_metrics or []):
            if isinstance(identifier, str) and identifier not in ("accuracy", "acc"):
                metrics_module.get(identifier)  # fail now on unknown names
        self._entries = None  # (metric, output_index, weighted)

    @property
    def metrics(self):
        return [m for m, _, _ in self._entries] if self._entries else []

    def _build(self, targets, preds, output_names):
        self._entries = []
        prefix = len(output_names) > 1
        for spec, weighted in ((self.spec, False), (self.weighted_spec, True)):
            if not spec:
                continue
            if isinstance(spec, dict):
                per_output = [_as_list(spec.get(name)) for name in output_names]
            elif len(output_names) > 1 and all(isinstance(s, (list, tuple)) or s is None for s in spec):
                per_output = [_as_list(s) for s in spec]
            else:
                per_output = [list(spec)] * len(output_names)
            for i, identifiers in enumerate(per_output):
                for identifier in identifiers:
                    metric = _make_metric(identifier, targets[i], preds[i])
                    if prefix:
                        metric.name = f"{output_names[i]}_{metric.name}"
                    if weighted and any(m.name == metric.name for m, _, _ in self._entries):
                        metric.name = f"weighted_{metric.name}"
                    self._entries.append((metric, i, weighted))

    def update_state(self, y, y_pred, sample_weight=None, output_names=None):
        preds = flatten(y_pred)
        output_names = output_names or [f"output_{i}" for i in range(len(preds))]
        targets = _targets(y, output_names)
        if self._entries is None:
            self._build(targets, preds, output_names)
        with no_recording():
            for metric, i, weighted in self._entries:
                if targets[i] is None:
                    continue
                metric.update_state(targets[i], preds[i], sample_weight=sample_weight if weighted else None)


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _make_metric(identifier, y_true, y_pred):
    """A fresh metric object for ``identifier``; ``'accuracy'`` becomes the kind that fits the shapes."""
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
        is_binary = y_pred.shape[-1:] == (1,)
        is_sparse = y_true.ndim < y_pred.ndim or (y_true.shape[-1:] == (1,) and y_pred.shape[-1] > 1)
        if is_binary:
            cls = metrics_module.BinaryAccuracy
        elif is_sparse:
            cls = metrics_module.SparseCategoricalAccuracy
        else:
            cls = metrics_module.CategoricalAccuracy
        return cls(name=identifier)
    metric = metrics_module.get(identifier)
    if isinstance(metric, metrics_module.Metric):
        if isinstance(identifier, str) and identifier == identifier.lower():
            metric.name = identifier  # logs use the name as written: 'mae', not 'mean_absolute_error'
        return metric
    name = identifier if isinstance(identifier, str) else getattr(metric, "__name__", "metric")
    return metrics_module.MeanMetricWrapper(metric, name=name)


__all__ = ["CompileLoss", "CompileMetrics"]
