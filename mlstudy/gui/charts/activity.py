"""Activity charts: answers per day by kind, and the cards falling due ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QToolButton

from mlstudy.gui.charts.axes import DAY_SECONDS, timestamp
from mlstudy.gui.charts.base import Bars, Chart, PlotChart, day_label, nearest
from mlstudy.gui.charts.palette import KIND_COLORS, STATE_COLORS, Palette, swatch
from mlstudy.services.progress import FORECAST_DAYS, ProgressData

BAR_SHARE = 0.8
"""A day's bar fills this share of the day."""

# ----- reviews per day ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewsPerDayModel:
    """What the reviews-per-day chart draws.

    Attributes:
        days: the days on the x axis, oldest first.
        stacks: one bar series per answer kind ("new", "review", "drill"), stacked in
            that order: each starts where the one before ends.
        totals: answers on each day, all kinds.
        legend: the legend HTML (each kind with its answers over the days).
    """

    days: tuple[date, ...]
    stacks: tuple[Bars, ...]
    totals: tuple[float, ...]
    legend: str


def reviews_per_day_model(data: ProgressData) -> ReviewsPerDayModel | None:
    """Stacked bars of answers per day, one layer per kind."""
    kinds = [kind for kind in KIND_COLORS if kind in data.reviews_per_day]
    if not kinds:
        return None
    days = tuple(day for day, _ in data.reviews_per_day[kinds[0]])
    xs = tuple(timestamp(day) for day in days)
    bottoms = [0.0] * len(days)
    stacks = []
    for kind in kinds:
        counts = tuple(float(count) for _, count in data.reviews_per_day[kind])
        stacks.append(
            Bars(
                name=kind,
                x=xs,
                heights=counts,
                width=DAY_SECONDS * BAR_SHARE,
                colors=(KIND_COLORS[kind],) * len(days),
                bottoms=tuple(bottoms),
            )
        )
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    if not any(bottoms):
        return None
    legend = "&nbsp;&nbsp; ".join(
        swatch(KIND_COLORS[bars.name], f"{bars.name.capitalize()} {int(sum(bars.heights)):,}")
        for bars in stacks
    )
    legend += f"&nbsp;&nbsp; in the last {len(days)} days"
    return ReviewsPerDayModel(days, tuple(stacks), tuple(bottoms), legend)


class ReviewsPerDay(PlotChart[ReviewsPerDayModel]):
    """Answers per day, stacked by kind: new, review, drill."""

    title = "Reviews per day"
    slug = "reviews-per-day"
    empty_text = "Answers per day appear here after your first reviews."

    def build_model(self, data: ProgressData) -> ReviewsPerDayModel | None:
        """See ``reviews_per_day_model``."""
        return reviews_per_day_model(data)

    def draw(self, model: ReviewsPerDayModel) -> None:
        """Stacked bars over the last days."""
        for bars in model.stacks:
            self.add_bars(bars)
        xs = model.stacks[0].x
        self.plot.setXRange(xs[0] - DAY_SECONDS, xs[-1] + DAY_SECONDS, padding=0)
        self.plot.setYRange(0, max(model.totals), padding=0.05)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend.setText(model.legend)

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The date and its answers by kind."""
        if self.model is None:
            return None
        xs = self.model.stacks[0].x
        index = nearest(xs, x, DAY_SECONDS / 2)
        if index is None:
            return None
        lines = [f"<b>{day_label(self.model.days[index])}</b>"]
        for bars in self.model.stacks:
            label = f"{bars.name.capitalize()}: {int(bars.heights[index])}"
            lines.append(swatch(KIND_COLORS[bars.name], label))
        lines.append(f"Total: {int(self.model.totals[index])}")
        return "<br>".join(lines), xs[index]


# ----- due forecast ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueForecastModel:
    """What the due forecast draws.

    Attributes:
        days: today and the days ahead.
        bars: cards due each day; today's bar (in the "due" colour) holds the overdue.
        span: the days the forecast covers (30 or 90).
        legend: the legend HTML.
    """

    days: tuple[date, ...]
    bars: Bars
    span: int
    legend: str


def due_forecast_model(data: ProgressData, span: int, palette: Palette) -> DueForecastModel | None:
    """Bars of reviewed cards due on each of the next ``span`` days."""
    series = data.due_forecast(span)
    reviewed = data.card_states.get("learning", 0) + data.card_states.get("mature", 0)
    if not series or not reviewed:
        return None
    days = tuple(day for day, _ in series)
    counts = tuple(float(count) for _, count in series)
    colors = (STATE_COLORS["due"],) + (palette.accent,) * (len(days) - 1)
    bars = Bars(
        name="Due",
        x=tuple(timestamp(day) for day in days),
        heights=counts,
        width=DAY_SECONDS * BAR_SHARE,
        colors=colors,
    )
    legend = (
        f"{swatch(STATE_COLORS['due'], f'Today incl. overdue {int(counts[0]):,}')}"
        f"&nbsp;&nbsp; {swatch(palette.accent, 'Later')}&nbsp;&nbsp; "
        f"{int(sum(counts)):,} reviews in the next {span} days"
    )
    return DueForecastModel(days, bars, span, legend)


class DueForecast(PlotChart[DueForecastModel]):
    """Reviewed cards falling due on each coming day, over 30 or 90 days."""

    title = "Due forecast"
    slug = "due-forecast"
    empty_text = "The due forecast appears here once you have reviewed some cards."

    def add_controls(self, header: QHBoxLayout) -> None:
        """A 30 / 90 days switch."""
        self.span = FORECAST_DAYS[0]
        self.span_buttons = QButtonGroup(self)
        for days in FORECAST_DAYS:
            button = QToolButton()
            button.setText(f"{days} days")
            button.setCheckable(True)
            button.setChecked(days == self.span)
            button.setToolTip(f"Show the next {days} days")
            self.span_buttons.addButton(button, days)
            header.addWidget(button)
        self.span_buttons.idClicked.connect(self.set_span)

    def set_span(self, days: int) -> None:
        """Show the next ``days`` days (30 or 90)."""
        self.span = days
        button = self.span_buttons.button(days)
        if button is not None:
            button.setChecked(True)
        self.set_progress(self.data)

    def apply_palette(self) -> None:
        """Plot colours, and the chosen span in the accent colour."""
        super().apply_palette()
        colors = self.palette_
        for button in self.span_buttons.buttons():
            button.setStyleSheet(
                f"QToolButton {{ padding: 1px 6px; }}"
                f"QToolButton:checked {{ background: {colors.accent}; color: #ffffff;"
                f" border: 1px solid {colors.accent}; border-radius: 3px; }}"
            )

    def copy_settings_to(self, other: Chart[DueForecastModel]) -> None:
        """The copy shows the same span."""
        if isinstance(other, DueForecast):
            other.set_span(self.span)

    def build_model(self, data: ProgressData) -> DueForecastModel | None:
        """See ``due_forecast_model``."""
        return due_forecast_model(data, self.span, self.palette_)

    def draw(self, model: DueForecastModel) -> None:
        """Bars per day; today's bar also holds the overdue cards."""
        self.add_bars(model.bars)
        xs = model.bars.x
        self.plot.setXRange(xs[0] - DAY_SECONDS, xs[-1] + DAY_SECONDS, padding=0)
        self.plot.setYRange(0, max(*model.bars.heights, 1.0), padding=0.05)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend.setText(model.legend)

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The date and the cards due on it."""
        if self.model is None:
            return None
        xs = self.model.bars.x
        index = nearest(xs, x, DAY_SECONDS / 2)
        if index is None:
            return None
        note = " (incl. overdue)" if index == 0 else ""
        count = int(self.model.bars.heights[index])
        html = f"<b>{day_label(self.model.days[index])}</b><br>Due: {count}{note}"
        return html, xs[index]
