"""The Today page's small pictures: readiness bars, a calendar strip, the next 14 days.

The bars and the calendar are painted by hand (cheap, and they follow the theme). The
forecast is a pyqtgraph bar chart, built on first use so start-up does not load
pyqtgraph and numpy before the first card is on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from mlstudy.gui.theme import colors, domain_color

if TYPE_CHECKING:
    from mlstudy.core.exam import ExamManifest


class DomainBars(QWidget):
    """One bar per domain: its name, mastery as a filled share, the percentage."""

    ROW = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[int, str, float]] = []
        """(domain number, label, mastery 0..1) as drawn: tests read this."""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_mastery(self, exam: ExamManifest, mastery: dict[int, float]) -> None:
        """Show every domain of the exam with its mastery (0 when unknown)."""
        self.rows = [
            (d.number, f"{d.number}. {d.name}", mastery.get(d.number, 0.0)) for d in exam.domains
        ]
        self.setFixedHeight(self._row_height() * max(1, len(self.rows)))
        self.update()

    def _row_height(self) -> int:
        return max(self.ROW, self.fontMetrics().height() + 8)

    def sizeHint(self) -> QSize:
        return QSize(320, self._row_height() * max(1, len(self.rows)))

    def paintEvent(self, _event: QPaintEvent) -> None:
        c = colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        row = self._row_height()
        label_width = min(
            self.width() // 2,
            max((metrics.horizontalAdvance(r[1]) for r in self.rows), default=0) + 8,
        )
        percent_width = metrics.horizontalAdvance("100 %") + 6
        bar_left = label_width
        bar_width = max(10, self.width() - label_width - percent_width)
        for index, (number, label, value) in enumerate(self.rows):
            top = index * row
            text_rect = QRectF(0, top, label_width - 6, row)
            painter.setPen(QColor(c.text))
            painter.drawText(
                text_rect,
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(text_rect.width())),
            )
            track = QRectF(bar_left, top + row * 0.25, bar_width, row * 0.5)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.button_hover))
            painter.drawRoundedRect(track, 3, 3)
            painter.setBrush(QColor(domain_color(number)))
            filled = QRectF(
                track.left(), track.top(), track.width() * min(1.0, value), track.height()
            )
            painter.drawRoundedRect(filled, 3, 3)
            painter.setPen(QColor(c.text))
            painter.drawText(
                QRectF(bar_left + bar_width, top, percent_width, row),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                f"{value * 100:.0f} %",
            )
        painter.end()


class CalendarStrip(QWidget):
    """Recent weeks as columns of seven days (Monday on top), shaded by answers given."""

    CELL = 13
    GAP = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[tuple[date, int]] = []
        self.today: date | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(7 * (self.CELL + self.GAP))

    def set_days(self, days: Sequence[tuple[date, int]], today: date) -> None:
        """Whole weeks of (day, answers), Monday first."""
        self.days = list(days)
        self.today = today
        self.setFixedWidth(max(1, len(self.days) // 7) * (self.CELL + self.GAP))
        self.setToolTip(
            f"{sum(1 for _d, n in days if n)} study days in the last {len(days) // 7} weeks"
        )
        self.update()

    def sizeHint(self) -> QSize:
        weeks = max(1, len(self.days) // 7)
        return QSize(weeks * (self.CELL + self.GAP), 7 * (self.CELL + self.GAP))

    def paintEvent(self, _event: QPaintEvent) -> None:
        c = colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        most = max((n for _d, n in self.days), default=0)
        step = self.CELL + self.GAP
        for index, (day, count) in enumerate(self.days):
            x, y = (index // 7) * step, (index % 7) * step
            rect = QRectF(x, y, self.CELL, self.CELL)
            if self.today is not None and day > self.today:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                continue
            if count:
                color = QColor(c.success)
                color.setAlphaF(0.35 + 0.65 * count / most)
            else:
                color = QColor(c.button_hover)
            painter.setBrush(color)
            painter.setPen(QColor(c.focus) if day == self.today else Qt.PenStyle.NoPen)
            painter.drawRoundedRect(rect, 2, 2)
        painter.end()


class ForecastChart(QWidget):
    """Reviews due on each of the next days, as a small bar chart (pyqtgraph, built late)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[date, int]] = []
        self._plot: Any = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel("No reviews due in the next two weeks.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("role", "muted")
        self._layout.addWidget(self.empty)
        self.setFixedHeight(170)

    def set_points(self, points: Sequence[tuple[date, int]]) -> None:
        """Draw (day, reviews due) bars; the first day is today (overdue cards included)."""
        self.points = list(points)
        has_any = any(n for _d, n in self.points)
        self.empty.setVisible(not has_any)
        if has_any:
            QTimer.singleShot(0, self._draw)  # pyqtgraph loads on first use, after start-up
        elif self._plot is not None:
            self._plot.hide()

    def _draw(self) -> None:
        import pyqtgraph as pg

        c = colors()
        if self._plot is None:
            self._plot = pg.PlotWidget(background=None)
            self._plot.setMinimumSize(120, 100)
            self._plot.setMenuEnabled(False)
            self._plot.setMouseEnabled(x=False, y=False)
            self._plot.hideButtons()
            self._plot.getPlotItem().showGrid(x=False, y=True, alpha=0.2)
            self._layout.addWidget(self._plot)
        plot = self._plot.getPlotItem()
        plot.clear()
        xs = list(range(len(self.points)))
        heights = [n for _d, n in self.points]
        bars = pg.BarGraphItem(
            x=xs, height=heights, width=0.7, brush=QColor(c.accent), pen=pg.mkPen(None)
        )
        plot.addItem(bars)
        ticks = [
            (i, "today" if i == 0 else f"{d.day} {d:%b}")
            for i, (d, _n) in enumerate(self.points)
            if i % 4 == 0
        ]
        for name in ("bottom", "left"):
            axis = plot.getAxis(name)
            axis.setTextPen(QColor(c.muted))
            axis.setPen(QColor(c.muted))
        plot.getAxis("bottom").setTicks([ticks])
        plot.setXRange(-0.6, len(xs) - 0.4, padding=0)
        plot.setYRange(0, max(heights) * 1.15, padding=0)
        self._plot.show()
