"""The practice-score chart on the Progress page: raw percentage of each finished
practice exam or set, overall and per domain, oldest first."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from mlstudy.gui.charts import PlotChart, swatch
from mlstudy.gui.theme import domain_color
from mlstudy.services.progress import ProgressData


class PracticeScores(PlotChart):
    """One point per finished attempt: overall (thick) and per domain (thin)."""

    title = "Practice scores"
    slug = "practice-scores"
    empty_text = (
        "Practice exam scores appear here after your first practice exam. They are raw "
        "percentages, not the exam's scaled score."
    )
    date_axis = False
    category_axis = True
    percent_axis = True

    def draw(self, data: ProgressData) -> bool:
        """Lines over the attempts, labelled by their day."""
        self.clear_plot()
        points = list(data.practice_scores)
        if not points:
            return False
        self.points = points
        xs = np.arange(len(points), dtype=np.float64)
        self.plot.getAxis("bottom").set_labels([p.day.strftime("%m-%d") for p in points])
        legend = []
        self.series: dict[int, list[float | None]] = {}
        for domain in data.domains:
            values = [p.by_domain.get(domain.number) for p in points]
            if all(v is None for v in values):
                continue
            self.series[domain.number] = values
            color = domain_color(domain.number)
            ys = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            self.plot.plot(
                xs,
                ys,
                pen=pg.mkPen(color, width=1.5),
                symbol="o",
                symbolSize=5,
                symbolBrush=color,
                symbolPen=None,
                connect="finite",
            )
            legend.append(swatch(color, f"{domain.number}. {domain.name}", "━"))
        overall = np.array([p.percent for p in points], dtype=np.float64)
        self.plot.plot(
            xs,
            overall,
            pen=pg.mkPen(self.palette_.foreground, width=3),
            symbol="o",
            symbolSize=8,
            symbolBrush=self.palette_.foreground,
            symbolPen=None,
        )
        legend.insert(
            0, swatch(self.palette_.foreground, f"Overall, latest {points[-1].percent:.0f}%", "━")
        )
        self.legend.setText("&nbsp;&nbsp; ".join(legend))
        self.plot.setXRange(-0.5, len(points) - 0.5, padding=0)
        self.plot.setYRange(0, 100, padding=0.04)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        return True

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The attempt under the mouse: its day, mode, overall and per-domain scores."""
        points: list[Any] = getattr(self, "points", [])
        index = round(x)
        if not 0 <= index < len(points) or self.data is None:
            return None
        point = points[index]
        lines = [f"<b>{point.day} {point.mode}</b>: {point.percent:.0f}%"]
        for number, value in point.by_domain.items():
            name = self.data.domain_name(number)
            lines.append(swatch(domain_color(number), f"{number}. {name}: {value:.0f}%"))
        return "<br>".join(lines), float(index)
