"""Plan vs actual: the plan's cards per day (a line) against the cards answered (bars)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt

# isort: split
import numpy as np
import pyqtgraph as pg  # after PySide6, so pyqtgraph binds to it and not to another Qt

from mlstudy.gui.charts.axes import DAY_SECONDS, timestamp
from mlstudy.gui.charts.base import Bars, PlotChart, day_label, nearest
from mlstudy.gui.charts.palette import Palette, swatch
from mlstudy.services.progress import ProgressData


@dataclass(frozen=True, slots=True)
class PlanVsActualModel:
    """What the plan-vs-actual chart draws.

    Attributes:
        days: every day of the chart, oldest first.
        answered: bars of the cards answered each day.
        planned_x: the days the plan covers (from its first day), as axis timestamps.
        planned: the plan's cards on each of those days: the line (days off, with
            nothing planned, are left out).
        line_color: the colour of the planned line.
        today_x: where the "today" marker stands.
        hover: per day, the HTML shown under the mouse.
        legend: the legend HTML.
    """

    days: tuple[date, ...]
    answered: Bars
    planned_x: tuple[float, ...]
    planned: tuple[float, ...]
    line_color: str
    today_x: float
    hover: tuple[str, ...]
    legend: str


def plan_vs_actual_model(data: ProgressData, palette: Palette) -> PlanVsActualModel | None:
    """Bars for answers up to today; the planned line from the plan's first day."""
    points = list(data.plan_vs_actual)
    if not points:
        return None
    start = data.plan_start or data.today
    xs = tuple(timestamp(day) for day, _, _ in points)
    hover = []
    for day, planned, answered in points:
        lines = [f"<b>{day_label(day)}</b>"]
        if data.plan_start is not None and day >= data.plan_start:
            lines.append(f"Planned: {planned:.0f}")
        if day <= data.today:
            lines.append(f"Answered: {answered}")
        hover.append("<br>".join(lines))
    return PlanVsActualModel(
        days=tuple(day for day, _, _ in points),
        answered=Bars(
            name="Cards answered",
            x=xs,
            heights=tuple(float(answered) for _, _, answered in points),
            width=DAY_SECONDS * 0.8,
            colors=(palette.accent,) * len(points),
        ),
        # A day with nothing planned is a day off: the line skips it, not dips to zero.
        planned_x=tuple(
            x for x, (day, planned, _) in zip(xs, points, strict=True) if day >= start and planned
        ),
        planned=tuple(float(planned) for day, planned, _ in points if day >= start and planned),
        line_color=palette.foreground,
        today_x=timestamp(data.today),
        hover=tuple(hover),
        legend=(
            f"{swatch(palette.foreground, 'Planned cards (reviews + new)', '━')}&nbsp;&nbsp; "
            f"{swatch(palette.accent, 'Cards answered')}"
        ),
    )


class PlanVsActual(PlotChart[PlanVsActualModel]):
    """The plan's cards per day (a line) against cards answered (bars)."""

    title = "Plan vs actual"
    slug = "plan-vs-actual"
    empty_text = (
        "Set an exam date on the Plan page to compare the plan with what you study each day."
    )

    def build_model(self, data: ProgressData) -> PlanVsActualModel | None:
        """See ``plan_vs_actual_model``."""
        return plan_vs_actual_model(data, self.palette_)

    def draw(self, model: PlanVsActualModel) -> None:
        """The answered bars, the planned line and a "today" marker."""
        colors = self.palette_
        self.add_bars(model.answered)
        self.plot.plot(
            np.asarray(model.planned_x, dtype=np.float64),
            np.asarray(model.planned, dtype=np.float64),
            pen=pg.mkPen(model.line_color, width=2),
            stepMode=None,
        )
        today = pg.InfiniteLine(
            pos=model.today_x,
            angle=90,
            pen=pg.mkPen(colors.muted, width=1, style=Qt.PenStyle.DotLine),
            label="today",
            labelOpts={"position": 0.95, "color": colors.muted},
        )
        self.plot.addItem(today)
        xs = model.answered.x
        self.plot.setXRange(xs[0] - DAY_SECONDS, xs[-1] + DAY_SECONDS, padding=0)
        top = max(*model.answered.heights, *model.planned, 1.0)
        self.plot.setYRange(0, top, padding=0.08)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend.setText(model.legend)

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The date, its planned cards and the cards answered."""
        if self.model is None:
            return None
        xs = self.model.answered.x
        index = nearest(xs, x, DAY_SECONDS / 2)
        if index is None:
            return None
        return self.model.hover[index], xs[index]
