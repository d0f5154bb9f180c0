"""Notebook widgets: callbacks that collect plain data during training, and views of it.

Every widget here works with no front end at all: ``EventTracer`` records every hook call as plain data,
``TrainingCurves`` collects decimated loss/metric series, ``LayerInspector`` takes binned snapshots of each layer's
weights, gradients and activations, ``model_to_svg`` draws a model's graph as an SVG string and ``summary_html``
writes the summary as an HTML table. ``Dashboard`` puts the first three together with their live views.

The live views (``CurvesView``, ``TracerView``, ``InspectorView``) are small anywidget models with one ES module
(``static/widgets.js``); they import anywidget only when they are shown in a Jupyter kernel. ``MatplotlibView``
and ``plot_history`` import matplotlib only when they draw. So ``import kerasnb.widgets`` stays light.
"""

from kerasnb.widgets.curves import DecimatedSeries, MatplotlibView, TrainingCurves, plot_history
from kerasnb.widgets.dashboard import Dashboard
from kerasnb.widgets.graph import model_graph, model_to_svg, plot_model
from kerasnb.widgets.html import summary_html
from kerasnb.widgets.inspector import LayerInspector, histogram
from kerasnb.widgets.tracer import Event, EventTracer
from kerasnb.widgets.views import CurvesView, InspectorView, TracerView

__all__ = [
    "CurvesView",
    "Dashboard",
    "DecimatedSeries",
    "Event",
    "EventTracer",
    "InspectorView",
    "LayerInspector",
    "MatplotlibView",
    "TracerView",
    "TrainingCurves",
    "histogram",
    "model_graph",
    "model_to_svg",
    "plot_history",
    "plot_model",
    "summary_html",
]
