"""``Dashboard``: the training curves, the callback event tracer and the layer inspector, shown together."""

from kerasnb.callbacks.callback_list import CallbackList
from kerasnb.widgets.curves import TrainingCurves, _in_jupyter_kernel
from kerasnb.widgets.inspector import LayerInspector
from kerasnb.widgets.tracer import EventTracer
from kerasnb.widgets.views import CurvesView, InspectorView, TracerView


class Dashboard(CallbackList):
    """Watch a model train: ``model.fit(..., callbacks=[kerasnb.widgets.Dashboard()])``.

    In a notebook it shows, one under the other, the live training curves, the callback event timeline and the
    layer inspector (the model graph, each layer's weight, gradient and activation histograms, every layer's
    gradient norm). When training ends the curves and the timeline become static pictures, which saved notebooks
    keep; the inspector stays interactive. Outside a notebook it only collects: ``dashboard.curves``,
    ``dashboard.tracer`` and ``dashboard.inspector`` hold the data either way.

    Args:
        sample: a fixed batch of inputs for the inspector's activation statistics (default: the first training
            batch, at most 256 samples).
        inspect_every_n_batches: take the inspector's snapshots every this many batches instead of every epoch.
        compare_runs: draw earlier fits of this notebook as faded curves behind this one.
        max_updates_per_second: the most view updates a second (updates are always sent at epoch and train end).
        live: show the views (default: only inside a Jupyter kernel).

    Example:
        >>> model = keras.Sequential([keras.layers.Dense(2, activation="relu", input_shape=(3,)),
        ...                           keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> dashboard = kerasnb.widgets.Dashboard()
        >>> x, y = np.ones((8, 3)), np.ones((8, 1))
        >>> _ = model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[dashboard])
        >>> dashboard.curves, dashboard.tracer
        (<TrainingCurves loss: 4 steps, 2 epochs>, <EventTracer 14 events>)
        >>> dashboard.inspector
        <LayerInspector 2 layers, 3 snapshots, 4 steps>
    """

    def __init__(self, sample=None, inspect_every_n_batches=None, compare_runs=False, max_updates_per_second=4,
                 live=None):
        self.live = _in_jupyter_kernel() if live is None else bool(live)
        live = self.live
        self.curves = TrainingCurves(view=CurvesView(active=live), compare_runs=compare_runs,
                                     max_updates_per_second=max_updates_per_second)
        self.tracer = EventTracer(view=TracerView(active=live), max_updates_per_second=max_updates_per_second)
        self.inspector = LayerInspector(sample=sample, every_n_batches=inspect_every_n_batches,
                                        view=InspectorView(active=live))
        super().__init__([self.curves, self.tracer, self.inspector])

    def __repr__(self):
        return f"<Dashboard: {self.curves!r}, {self.tracer!r}, {self.inspector!r}>"

    def on_train_begin(self, logs=None):
        # Display the three views now, in this order, so their places in the output never change.
        # A view that became a static snapshot at the end of an earlier fit is replaced by a fresh one.
        for part in (self.curves, self.tracer, self.inspector):
            if part.view.closed:
                part.view = type(part.view)(active=self.live)
            part.view.show()
        super().on_train_begin(logs)
