"""The progress charts: pyqtgraph plots that draw what ``services.progress`` computed.

Each chart is a ``Chart`` widget with a pure view-model builder next to it
(``base`` explains the split). Modules: ``palette`` (colours), ``axes`` (date,
percent and category axes), ``base`` (the widget, hover, PNG export), and one module
per chart family: ``mastery``, ``activity``, ``heatmap``, ``cards``, ``retention``,
``plan``, ``practice``.
"""

from __future__ import annotations

from typing import Any

from mlstudy.gui.charts.activity import DueForecast, ReviewsPerDay
from mlstudy.gui.charts.axes import timestamp
from mlstudy.gui.charts.base import Chart, PlotChart, percent
from mlstudy.gui.charts.cards import CardStates
from mlstudy.gui.charts.heatmap import CalendarHeatmap
from mlstudy.gui.charts.mastery import MasteryOverTime, MasteryVsWeight
from mlstudy.gui.charts.plan import PlanVsActual
from mlstudy.gui.charts.retention import Retention

__all__ = [
    "ALL_CHARTS",
    "CalendarHeatmap",
    "CardStates",
    "Chart",
    "DueForecast",
    "MasteryOverTime",
    "MasteryVsWeight",
    "PlanVsActual",
    "PlotChart",
    "Retention",
    "ReviewsPerDay",
    "percent",
    "timestamp",
]

ALL_CHARTS: tuple[type[Chart[Any]], ...] = (
    MasteryOverTime,
    MasteryVsWeight,
    ReviewsPerDay,
    DueForecast,
    CalendarHeatmap,
    Retention,
    CardStates,
    PlanVsActual,
)
"""Every progress chart, in page order."""
