"""The practice-score chart: the raw percentage of each finished practice exam or set,
overall and per domain, oldest first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from mlstudy.gui.charts.base import PlotChart, bar_at
from mlstudy.gui.charts.palette import Palette, swatch
from mlstudy.gui.theme import domain_color
from mlstudy.services.progress import ProgressData


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One line of the chart: a label, a colour and a percentage per attempt (None: the
    attempt had no question of that domain)."""

    label: str
    color: str
    values: tuple[float | None, ...]
    width: float


@dataclass(frozen=True, slots=True)
class PracticeScoresModel:
    """What the practice-score chart draws.

    Attributes:
        labels: the x-axis label of each attempt (its day), oldest first.
        overall: the overall line (drawn last, on top).
        domains: one line per domain that had questions, keyed by domain number.
        hovers: the hover text of each attempt.
        legend: the legend HTML.
    """

    labels: tuple[str, ...]
    overall: ScoreLine
    domains: dict[int, ScoreLine]
    hovers: tuple[str, ...]
    legend: str


def practice_scores_model(data: ProgressData, palette: Palette) -> PracticeScoresModel | None:
    """Lines over the finished attempts; None before the first one."""
    points = list(data.practice_scores)
    if not points:
        return None
    domains: dict[int, ScoreLine] = {}
    for domain in data.domains:
        values = tuple(p.by_domain.get(domain.number) for p in points)
        if all(v is None for v in values):
            continue
        domains[domain.number] = ScoreLine(
            f"{domain.number}. {domain.name}", domain_color(domain.number), values, 1.5
        )
    overall = ScoreLine(
        f"Overall, latest {points[-1].percent:.0f}%",
        palette.foreground,
        tuple(p.percent for p in points),
        3.0,
    )
    hovers = []
    for point in points:
        lines = [f"<b>{point.day} {point.mode}</b>: {point.percent:.0f}%"]
        for number, value in point.by_domain.items():
            name = data.domain_name(number)
            lines.append(swatch(domain_color(number), f"{number}. {name}: {value:.0f}%"))
        hovers.append("<br>".join(lines))
    legend = "&nbsp;&nbsp; ".join(
        swatch(line.color, line.label, "━") for line in (overall, *domains.values())
    )
    return PracticeScoresModel(
        labels=tuple(p.day.strftime("%m-%d") for p in points),
        overall=overall,
        domains=domains,
        hovers=tuple(hovers),
        legend=legend,
    )


class PracticeScores(PlotChart[PracticeScoresModel]):
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

    @property
    def series(self) -> dict[int, list[float | None]]:
        """Each domain's percentages over the attempts (for tests and the hover)."""
        if self.model is None:
            return {}
        return {number: list(line.values) for number, line in self.model.domains.items()}

    def build_model(self, data: ProgressData) -> PracticeScoresModel | None:
        """See ``practice_scores_model``."""
        return practice_scores_model(data, self.palette_)

    def draw(self, model: PracticeScoresModel) -> None:
        """Lines over the attempts, labelled by their day."""
        xs = np.arange(len(model.labels), dtype=np.float64)
        self.plot.getAxis("bottom").set_labels(list(model.labels))
        for line in (*model.domains.values(), model.overall):
            ys = np.array([np.nan if v is None else v for v in line.values], dtype=np.float64)
            self.plot.plot(
                xs,
                ys,
                pen=pg.mkPen(line.color, width=line.width),
                symbol="o",
                symbolSize=8 if line is model.overall else 5,
                symbolBrush=line.color,
                symbolPen=None,
                connect="finite",
            )
        self.legend.setText(model.legend)
        self.plot.setXRange(-0.5, len(model.labels) - 0.5, padding=0)
        self.plot.setYRange(0, 100, padding=0.04)
        self.plot.showGrid(x=False, y=True, alpha=0.25)

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The attempt under the mouse: its day, mode, overall and per-domain scores."""
        if self.model is None:
            return None
        index = bar_at(x, len(self.model.hovers))
        if index is None:
            return None
        return self.model.hovers[index], float(index)
