"""Card states: how many cards are new, learning and mature, and how many are due."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg  # PySide6 is already imported by base, so pyqtgraph binds to it

from mlstudy.gui.charts.axes import CategoryAxis
from mlstudy.gui.charts.base import Bars, PlotChart, bar_at
from mlstudy.gui.charts.palette import STATE_COLORS, swatch
from mlstudy.services.progress import ProgressData

STATE_LABELS = {"new": "New", "learning": "Learning", "mature": "Mature", "due": "Due today"}
ACTIVE_STATES = ("new", "learning", "mature")


@dataclass(frozen=True, slots=True)
class CardStatesModel:
    """What the card-states chart draws.

    Attributes:
        labels: one label per bar ("New", "Learning", "Mature", "Due today").
        bars: the count of each state, at x = 0, 1, ...; each count is also written
            above its bar.
        legend: the legend HTML.
    """

    labels: tuple[str, ...]
    bars: Bars
    legend: str


def card_states_model(data: ProgressData) -> CardStatesModel | None:
    """One bar per card state (none while the pack has no active card)."""
    keys = [key for key in STATE_LABELS if key in data.card_states]
    if not keys or not any(data.card_states.get(key, 0) for key in ACTIVE_STATES):
        return None
    total = sum(data.card_states.get(key, 0) for key in ACTIVE_STATES)
    return CardStatesModel(
        labels=tuple(STATE_LABELS[key] for key in keys),
        bars=Bars(
            name="Cards",
            x=tuple(float(index) for index in range(len(keys))),
            heights=tuple(float(data.card_states[key]) for key in keys),
            width=0.6,
            colors=tuple(STATE_COLORS[key] for key in keys),
        ),
        legend=(
            f"{total:,} active cards; learning: interval under 21 days, mature: 21 days or more"
        ),
    )


class CardStates(PlotChart[CardStatesModel]):
    """How many cards are new, learning and mature, and how many are due today."""

    title = "Card states"
    slug = "card-states"
    empty_text = "Card states appear here once the exam pack has cards."
    date_axis = False
    category_axis = True

    def build_model(self, data: ProgressData) -> CardStatesModel | None:
        """See ``card_states_model``."""
        return card_states_model(data)

    def draw(self, model: CardStatesModel) -> None:
        """One bar per state, its count written above it."""
        bars = model.bars
        self.add_bars(bars)
        for position, value in zip(bars.x, bars.heights, strict=True):
            label = pg.TextItem(f"{value:,.0f}", color=self.palette_.foreground, anchor=(0.5, 1))
            label.setPos(position, value)
            self.plot.addItem(label)
        axis = self.plot.getAxis("bottom")
        assert isinstance(axis, CategoryAxis)
        axis.set_labels(model.labels)
        self.plot.setXRange(-0.5, len(model.labels) - 0.5, padding=0)
        self.plot.setYRange(0, max(bars.heights) * 1.15 or 1, padding=0)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend.setText(model.legend)

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The state under the mouse and its count."""
        if self.model is None:
            return None
        index = bar_at(x, len(self.model.labels), 0.4)
        if index is None:
            return None
        bars = self.model.bars
        label = f"{self.model.labels[index]}: {bars.heights[index]:,.0f}"
        return swatch(bars.colors[index], label), None
