"""Notebook widgets: callbacks that collect plain data during training, and views of it.

Every widget here works with no front end at all: ``EventTracer`` records every hook call as plain data,
``TrainingCurves`` collects decimated loss/metric series, ``model_to_svg`` draws a model's graph as an SVG string
and ``summary_html`` writes the summary as an HTML table. Plotting libraries (matplotlib, IPython's display) are
imported only inside the functions that draw, so ``import kerasnb.widgets`` stays light.
"""

from kerasnb.widgets.curves import DecimatedSeries, MatplotlibView, TrainingCurves, plot_history
from kerasnb.widgets.graph import model_graph, model_to_svg, plot_model
from kerasnb.widgets.html import summary_html
from kerasnb.widgets.tracer import Event, EventTracer

__all__ = [
    "DecimatedSeries",
    "Event",
    "EventTracer",
    "MatplotlibView",
    "TrainingCurves",
    "model_graph",
    "model_to_svg",
    "plot_history",
    "plot_model",
    "summary_html",
]
