"""Axes for the charts: dates, percentages and named categories.

pyqtgraph ships without type information, so its classes are ``Any`` to mypy; this
module is the one place that subclasses them (see the mypy override in pyproject.toml).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

# isort: split
import numpy as np
import pyqtgraph as pg  # after PySide6, so pyqtgraph binds to it and not to another Qt

DAY_SECONDS = 86400
EPOCH = date(1970, 1, 1)


def timestamp(day: date) -> float:
    """Seconds since 1970-01-01 at midnight UTC: what ``DateAxisItem(utcOffset=0)`` reads."""
    return float((day - EPOCH).days * DAY_SECONDS)


class DayAxis(pg.DateAxisItem):
    """A date axis that leaves out day labels crowding a month label next to them."""

    min_gap_px = 36

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A label on the first or last day may reach a little past the axis ends.
        self.setStyle(hideOverlappingLabels=6)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        """The date axis's ticks, without finer ones closer than ``min_gap_px`` to coarser.

        The series are daily: ticks finer than a day (hours, when a chart spans only a
        few days) are left out, and a span too short for the axis's own day ticks gets
        one tick per day.
        """
        levels = [
            (spacing, values)
            for spacing, values in super().tickValues(minVal, maxVal, size)
            if spacing >= DAY_SECONDS
        ]
        if not levels and size > 0:
            first = math.ceil(minVal / DAY_SECONDS) * DAY_SECONDS
            every = max(1, math.ceil(self.min_gap_px * (maxVal - minVal) / size / DAY_SECONDS))
            levels = [
                (DAY_SECONDS * every, list(np.arange(first, maxVal + 1, DAY_SECONDS * every)))
            ]
        if size > 0:
            levels = [
                self._thinned(spacing, values, minVal, maxVal, size) for spacing, values in levels
            ]
        if len(levels) < 2 or size <= 0:
            return list(levels)
        gap = self.min_gap_px * (maxVal - minVal) / size
        taken = np.asarray(levels[0][1], dtype=np.float64)
        kept_levels = [levels[0]]
        for spacing, values in levels[1:]:
            candidates = np.asarray(values, dtype=np.float64)
            if taken.size and candidates.size:
                distance = np.abs(candidates[:, None] - taken[None, :]).min(axis=1)
                candidates = candidates[distance >= gap]
            kept_levels.append((spacing, candidates.tolist()))
            taken = np.concatenate((taken, candidates))
        return kept_levels

    def _thinned(
        self, spacing: float, values: list[float], low: float, high: float, size: float
    ) -> tuple[float, list[float]]:
        """Day ticks every 1, 2, 7 or 14 days, so that "30 Nov" labels never overlap."""
        if spacing >= 28 * DAY_SECONDS or not values:
            return spacing, values
        label_px = QFontMetrics(self.font()).horizontalAdvance("30 Nov") + 12
        day_px = size * DAY_SECONDS / max(high - low, 1.0)
        step_days = max(1, round(spacing / DAY_SECONDS))
        for every in (1, 2, 7, 14):
            if every >= step_days and every * day_px >= label_px:
                break
        else:
            every = 28
        if every == step_days:
            return spacing, values
        kept = [
            v for v in values if round(v / DAY_SECONDS - 4) % every == 0
        ]  # 1970-01-05: a Monday
        return every * DAY_SECONDS, kept

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        """Day ticks name their month ("5 Dec"), month ticks their year when it changes."""
        if spacing < DAY_SECONDS:
            return list(super().tickStrings(values, scale, spacing))
        days = [EPOCH + timedelta(days=round(value / DAY_SECONDS)) for value in values]
        if spacing >= 360 * DAY_SECONDS:
            return [f"{day:%Y}" for day in days]
        if spacing >= 28 * DAY_SECONDS:
            return [f"{day:%b %Y}" if day.month == 1 else f"{day:%b}" for day in days]
        return [f"{day.day} {day:%b}" for day in days]


class PercentAxis(pg.AxisItem):
    """A value axis whose ticks read 0%, 25%, ..."""

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        """Tick labels with a percent sign."""
        return [f"{value * scale:.0f}%" for value in values]


class CategoryAxis(pg.AxisItem):
    """A bottom axis with one label per integer position, elided to fit its slot."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.labels: list[str] = []  # before the base class, which resizes the axis
        super().__init__(*args, **kwargs)

    def set_labels(self, labels: Sequence[str]) -> None:
        """Label positions 0, 1, ... (long labels are shortened with an ellipsis)."""
        self.labels = list(labels)
        self._relabel()

    def resizeEvent(self, event: Any = None) -> None:
        """Re-elide the labels for the new width."""
        super().resizeEvent(event)
        self._relabel()

    def _relabel(self) -> None:
        if not self.labels:
            self.setTicks([[]])
            return
        metrics = QFontMetrics(self.font())
        slot = max(int(self.width() / len(self.labels)) - 8, 24)
        ticks = [
            (float(index), metrics.elidedText(label, Qt.TextElideMode.ElideRight, slot))
            for index, label in enumerate(self.labels)
        ]
        self.setTicks([ticks])
