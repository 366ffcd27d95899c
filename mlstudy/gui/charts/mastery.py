"""Mastery charts: mastery per domain over time, and mastery next to exam weight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# isort: split
import numpy as np
import pyqtgraph as pg  # after PySide6 (imported by base), so pyqtgraph binds to it

from mlstudy.gui.charts.axes import DAY_SECONDS, CategoryAxis, timestamp
from mlstudy.gui.charts.base import Bars, PlotChart, bar_at, day_label, nearest, percent
from mlstudy.gui.charts.palette import Palette, swatch
from mlstudy.gui.theme import domain_color
from mlstudy.services.progress import ProgressData

# ----- mastery per domain over time -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class MasteryLine:
    """One domain's line: mastery in percent on each of the model's days."""

    domain: int
    name: str
    color: str
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class MasteryOverTimeModel:
    """What the mastery-over-time chart draws.

    Attributes:
        days: the days on the x axis, oldest first.
        lines: one line per domain with a series, in domain order.
        legend: the legend HTML (each domain with its mastery on the last day).
    """

    days: tuple[date, ...]
    lines: tuple[MasteryLine, ...]
    legend: str

    @property
    def xs(self) -> tuple[float, ...]:
        """The days as axis timestamps."""
        return tuple(timestamp(day) for day in self.days)


def mastery_over_time_model(data: ProgressData) -> MasteryOverTimeModel | None:
    """One line per domain from its first review (or the window start) to today."""
    if not data.has_reviews:
        return None
    days: tuple[date, ...] = ()
    lines = []
    for domain in data.domains:
        series = data.mastery_over_time.get(domain.number, ())
        if not series:
            continue
        days = tuple(day for day, _ in series)
        values = tuple(value * 100 for _, value in series)
        lines.append(MasteryLine(domain.number, domain.name, domain_color(domain.number), values))
    if not lines:
        return None
    legend = "&nbsp;&nbsp; ".join(
        swatch(line.color, f"{line.domain}. {line.name} {percent(line.values[-1] / 100)}", "━")
        for line in lines
    )
    return MasteryOverTimeModel(days, tuple(lines), legend)


class MasteryOverTime(PlotChart[MasteryOverTimeModel]):
    """One line per domain: mastery on each day."""

    title = "Mastery per domain over time"
    slug = "mastery-over-time"
    empty_text = "Mastery per domain appears here after your first reviews."
    percent_axis = True

    def build_model(self, data: ProgressData) -> MasteryOverTimeModel | None:
        """See ``mastery_over_time_model``."""
        return mastery_over_time_model(data)

    def draw(self, model: MasteryOverTimeModel) -> None:
        """A line per domain, with dots while there are fewer than three days."""
        xs = np.asarray(model.xs, dtype=np.float64)
        few = len(xs) < 3
        for line in model.lines:
            self.plot.plot(
                xs,
                np.asarray(line.values, dtype=np.float64),
                pen=pg.mkPen(line.color, width=2.5),
                symbol="o" if few else None,
                symbolSize=7,
                symbolBrush=line.color,
                symbolPen=None,
            )
        self.legend.setText(model.legend)
        first, last = model.xs[0], model.xs[-1]
        pad = DAY_SECONDS if first == last else 0
        self.plot.setXRange(first - pad, last + pad, padding=0.02)
        self.plot.setYRange(0, 100, padding=0.04)
        self.plot.showGrid(x=False, y=True, alpha=0.25)

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The date and every domain's mastery on the day under the mouse."""
        model = self.model
        if model is None:
            return None
        xs = model.xs
        index = nearest(xs, x, DAY_SECONDS)
        if index is None:
            return None
        lines = [f"<b>{day_label(model.days[index])}</b>"]
        for line in model.lines:
            label = f"{line.domain}. {line.name}: {line.values[index]:.0f}%"
            lines.append(swatch(line.color, label))
        return "<br>".join(lines), xs[index]


# ----- mastery vs exam weight -----------------------------------------------------------

BAR_OFFSET = 0.19
BAR_WIDTH = 0.36
PALE_ALPHA = 70


@dataclass(frozen=True, slots=True)
class MasteryVsWeightModel:
    """What the mastery-vs-weight chart draws.

    Attributes:
        labels: one label per domain ("3. Modeling"), at x = 0, 1, ...
        axis_labels: what the axis shows under each pair of bars ("Domain 3"): the
            names are in the legend, which wraps, so no name is cut off.
        mastery: solid bars, left of each label: mastery in percent.
        weight: pale outlined bars, right of each label: exam weight in percent.
        hover: per domain, the HTML shown under the mouse.
        y_max: the top of the value axis (at least 100).
        legend: the legend HTML.
    """

    labels: tuple[str, ...]
    mastery: Bars
    weight: Bars
    hover: tuple[str, ...]
    y_max: float
    legend: str
    axis_labels: tuple[str, ...] = ()


def mastery_vs_weight_model(data: ProgressData, palette: Palette) -> MasteryVsWeightModel | None:
    """Per domain, a solid mastery bar next to a pale exam-weight bar."""
    if not data.domains:
        return None
    domains = data.domains
    colors = tuple(domain_color(d.number) for d in domains)
    mastery = tuple(data.mastery.get(d.number, 0.0) * 100 for d in domains)
    weight = tuple(d.weight * 100 for d in domains)
    positions = range(len(domains))
    hover = tuple(
        f"<b>{swatch(domain_color(d.number), f'{d.number}. {d.name}')}</b>"
        f"<br>Mastery {percent(data.mastery.get(d.number, 0.0))}"
        f"<br>Exam weight {percent(d.weight)}"
        for d in domains
    )
    names = " &nbsp; ".join(
        swatch(domain_color(d.number), f"{d.number}. {d.name}") for d in domains
    )
    legend = (
        f"{swatch(palette.muted, 'Mastery (solid)')}&nbsp;&nbsp; "
        f"{swatch(palette.muted, 'Exam weight (pale)', '□')}&nbsp;&nbsp; "
        f"Readiness {percent(data.readiness)}<br>{names}"
    )
    return MasteryVsWeightModel(
        labels=tuple(f"{d.number}. {d.name}" for d in domains),
        axis_labels=tuple(f"Domain {d.number}" for d in domains),
        mastery=Bars(
            name="Mastery",
            x=tuple(p - BAR_OFFSET for p in positions),
            heights=mastery,
            width=BAR_WIDTH,
            colors=colors,
            outline_width=1.0,
        ),
        weight=Bars(
            name="Exam weight",
            x=tuple(p + BAR_OFFSET for p in positions),
            heights=weight,
            width=BAR_WIDTH,
            colors=colors,
            fill_alpha=PALE_ALPHA,
            outline_width=1.5,
        ),
        hover=hover,
        y_max=max(100.0, *mastery, *weight),
        legend=legend,
    )


class MasteryVsWeight(PlotChart[MasteryVsWeightModel]):
    """Per domain, mastery next to the domain's share of the exam."""

    title = "Mastery vs exam weight"
    slug = "mastery-vs-weight"
    empty_text = "Mastery against exam weight appears here once an exam pack is loaded."
    date_axis = False
    category_axis = True
    percent_axis = True

    def build_model(self, data: ProgressData) -> MasteryVsWeightModel | None:
        """See ``mastery_vs_weight_model``."""
        return mastery_vs_weight_model(data, self.palette_)

    def draw(self, model: MasteryVsWeightModel) -> None:
        """Two bars per domain: solid for mastery, pale for weight."""
        self.add_bars(model.mastery)
        self.add_bars(model.weight)
        axis = self.plot.getAxis("bottom")
        assert isinstance(axis, CategoryAxis)
        axis.set_labels(model.axis_labels or model.labels)
        self.plot.setXRange(-0.5, len(model.labels) - 0.5, padding=0)
        self.plot.setYRange(0, model.y_max, padding=0.04)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend.setText(model.legend)

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The domain under the mouse with its mastery and weight."""
        if self.model is None:
            return None
        index = bar_at(x, len(self.model.labels), 0.45)
        if index is None:
            return None
        return self.model.hover[index], None
