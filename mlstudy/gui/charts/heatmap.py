"""The study calendar: one square per day, coloured by its answers, 26 weeks wide."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

# isort: split
import numpy as np
import pyqtgraph as pg  # after PySide6 (imported by base), so pyqtgraph binds to it

from mlstudy.gui.charts.base import PlotChart, day_label
from mlstudy.gui.charts.palette import Palette, blend, heat_share, rgb
from mlstudy.services.progress import HEATMAP_WEEKS, ProgressData

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEGEND_STEPS = (0.1, 0.3, 0.55, 1.0)
"""Shares of the busiest day shown as the legend's colour scale."""


@dataclass(frozen=True, slots=True)
class HeatmapModel:
    """What the study calendar draws.

    Attributes:
        first: the Monday of the first column.
        today: days after it are left blank.
        counts: answers per cell, ``counts[row][week]``; rows Monday..Sunday.
        colors: the colour of each cell, same shape; future days take the background.
        scale_min: the answers of the colour ``low`` (one answer: the faintest shade).
        scale_max: the answers of the colour ``high`` (the busiest day).
        low: the colour of the quietest day with answers (a day without: ``empty``).
        high: the colour of the busiest day.
        empty: the colour of a past day without answers.
        month_ticks: ``(x, label)`` under the week holding each month's first day.
        legend: the legend HTML.
    """

    first: date
    today: date
    counts: tuple[tuple[int, ...], ...]
    colors: tuple[tuple[str, ...], ...]
    scale_min: int
    scale_max: int
    low: str
    high: str
    empty: str
    month_ticks: tuple[tuple[float, str], ...]
    legend: str

    @property
    def weeks(self) -> int:
        """The number of week columns."""
        return len(self.counts[0])

    def day_at(self, row: int, week: int) -> date:
        """The day of a cell."""
        return self.first + timedelta(days=week * 7 + row)


def heatmap_model(data: ProgressData, palette: Palette) -> HeatmapModel | None:
    """Colour each day by its answers on a square-root scale; future days blank."""
    if not data.heatmap:
        return None
    weeks = len(data.heatmap) // 7
    series = data.heatmap[: weeks * 7]
    if not weeks or not any(count for _, count in series):
        return None
    first = series[0][0]
    counts = tuple(tuple(series[week * 7 + row][1] for week in range(weeks)) for row in range(7))
    busiest = max(max(row) for row in counts)

    def shade(row: int, week: int) -> str:
        if first + timedelta(days=week * 7 + row) > data.today:
            return palette.background
        share = heat_share(counts[row][week], busiest)
        return blend(palette.heat_low, palette.heat_high, share) if share else palette.heat_empty

    colors = tuple(tuple(shade(row, week) for week in range(weeks)) for row in range(7))
    ticks: list[tuple[float, str]] = []
    for week in range(weeks):
        for row in range(7):
            day = first + timedelta(days=week * 7 + row)
            if day.day == 1:
                label = f"{day:%b}" if day.month != 1 and ticks else f"{day:%b %Y}"
                ticks.append((week + 0.5, label))
    scale = "".join(
        f'<span style="color:{blend(palette.heat_low, palette.heat_high, math.sqrt(s))}">■</span>'
        for s in LEGEND_STEPS
    )
    total = sum(count for _, count in data.heatmap)
    legend = (
        f"Less {scale} More&nbsp;&nbsp; busiest day {busiest:,} answers, "
        f"{total:,} answers in {weeks} weeks"
    )
    return HeatmapModel(
        first=first,
        today=data.today,
        counts=counts,
        colors=colors,
        scale_min=1,
        scale_max=busiest,
        low=blend(palette.heat_low, palette.heat_high, heat_share(1, busiest)),
        high=palette.heat_high,
        empty=palette.heat_empty,
        month_ticks=tuple(ticks),
        legend=legend,
    )


class CalendarHeatmap(PlotChart[HeatmapModel]):
    """A study calendar: one square per day, 7 rows (Mon..Sun) by 26 weeks."""

    title = "Study calendar"
    slug = "calendar-heatmap"
    empty_text = "Your study calendar fills in here as you review."
    date_axis = False
    min_height = 0  # the plot's height follows the width; the layout reads it from there

    def build_body(self) -> QWidget:
        """The plot with an ImageItem grid and weekday / month axes."""
        super().build_body()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addStretch(1)
        layout.addWidget(self.plot)
        layout.addStretch(1)
        self.plot.invertY(True)
        self.plot.getAxis("left").setTicks(
            [[(row + 0.5, name) for row, name in enumerate(WEEKDAYS)]]
        )
        self.plot.getAxis("left").setStyle(tickLength=0)
        self.plot.getAxis("bottom").setStyle(tickLength=0)
        return body

    def resizeEvent(self, event: Any) -> None:
        """Size the plot from its width so the day squares stay about square."""
        super().resizeEvent(event)
        grid_width = self.plot.width() - self.plot.getAxis("left").width() - 16
        height = int(grid_width * 7 / HEATMAP_WEEKS) + self.plot.getAxis("bottom").height() + 16
        self.plot.setFixedHeight(min(max(height, 150), 340))

    def build_model(self, data: ProgressData) -> HeatmapModel | None:
        """See ``heatmap_model``."""
        return heatmap_model(data, self.palette_)

    def draw(self, model: HeatmapModel) -> None:
        """The cells as an image, white gaps between them, month labels below."""
        weeks = model.weeks
        image = np.zeros((7, weeks, 4), dtype=np.uint8)
        for row, colors in enumerate(model.colors):
            for week, color in enumerate(colors):
                image[row, week] = (*rgb(color), 255)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setImage(image, levels=(0, 255), autoLevels=False)
        self.image.setRect(0, 0, weeks, 7)
        self.plot.addItem(self.image)
        gaps = []
        for week in range(weeks + 1):
            gaps += [(week, 0), (week, 7)]
        for row in range(8):
            gaps += [(0, row), (weeks, row)]
        xy = np.array(gaps, dtype=np.float64)
        self.plot.addItem(
            pg.PlotDataItem(
                xy[:, 0],
                xy[:, 1],
                connect="pairs",
                pen=pg.mkPen(self.palette_.background, width=3),
            )
        )
        self.plot.getAxis("bottom").setTicks([list(model.month_ticks)])
        self.plot.setXRange(0, weeks, padding=0.01)
        self.plot.setYRange(0, 7, padding=0.02)
        self.legend.setText(model.legend)

    def drawn_color(self, row: int, week: int) -> str:
        """The colour of a cell in the drawn image (for tests)."""
        red, green, blue, _alpha = (int(v) for v in self.image.image[row, week])
        return f"#{red:02x}{green:02x}{blue:02x}"

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The day under the mouse and its answers."""
        model = self.model
        if model is None:
            return None
        week, row = math.floor(x), math.floor(y)
        if not (0 <= row < 7 and 0 <= week < model.weeks):
            return None
        day = model.day_at(row, week)
        if day > model.today:
            return None
        return f"<b>{day_label(day)}</b><br>Answers: {model.counts[row][week]}", None
