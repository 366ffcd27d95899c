"""The progress charts: pyqtgraph plots that draw what ``services.progress`` computed.

Every chart is a ``Chart``: a title, a one-line legend, the plot (or a centred text
when there is nothing to draw yet), values under the mouse, light and dark colours,
and ``export_png`` for a picture of a fixed size. A chart takes the whole
``ProgressData`` and picks its own series; it never computes one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

# isort: split
import numpy as np
import pyqtgraph as pg  # after PySide6, so pyqtgraph binds to it and not to another Qt

from mlstudy.core.progress import RETENTION_PERIODS, RetentionRow
from mlstudy.errors import UserError
from mlstudy.gui.theme import domain_color
from mlstudy.services.progress import FORECAST_DAYS, HEATMAP_WEEKS, ProgressData

NO_PEN = pg.mkPen(None)
"""Bars without an outline (``pen=None`` would draw pyqtgraph's default foreground)."""
DAY_SECONDS = 86400
EPOCH = date(1970, 1, 1)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
KIND_COLORS = {"new": "#8e6bbf", "review": "#5b8db8", "drill": "#d4a72c"}
"""Answer kinds; chosen away from the domain colours so the two never read alike."""
STATE_COLORS = {"new": "#8e6bbf", "learning": "#d4a72c", "mature": "#2e9e5b", "due": "#d1495b"}
STATE_LABELS = {"new": "New", "learning": "Learning", "mature": "Mature", "due": "Due today"}
PERIOD_LABELS = {
    "today": "Today",
    "week": "Last 7 days",
    "month": "Last 30 days",
    "year": "Last 365 days",
    "all": "All time",
}


class Palette:
    """The colours of a chart in the light or the dark theme."""

    def __init__(self, dark: bool) -> None:
        self.dark = dark
        self.background = "#15181c" if dark else "#ffffff"
        self.foreground = "#e6edf3" if dark else "#1f2328"
        self.muted = "#8b949e" if dark else "#59636e"
        self.axis = "#3d444d" if dark else "#c8ccd1"
        self.accent = "#4493f8" if dark else "#0969da"
        self.hover_fill = "#2a2f36" if dark else "#f6f8fa"
        self.heat_empty = "#262c34" if dark else "#ebedf0"
        self.heat_low = "#0e4429" if dark else "#9be9a8"
        self.heat_high = "#39d353" if dark else "#216e39"


def timestamp(day: date) -> float:
    """Seconds since 1970-01-01 at midnight UTC: what ``DateAxisItem(utcOffset=0)`` reads."""
    return float((day - EPOCH).days * DAY_SECONDS)


def percent(value: float | None) -> str:
    """0.4567 -> "46%"; None -> "–"."""
    return "–" if value is None else f"{value * 100:.0f}%"


def swatch(color: str, label: str, mark: str = "■") -> str:
    """A coloured mark and a label, as legend HTML."""
    return f'<span style="color:{color}">{mark}</span>&nbsp;{escape(label)}'


def render_widget(widget: QWidget, width: int, height: int, background: str) -> QImage:
    """Lay a widget out at ``width`` x ``height`` offscreen and paint it into an image."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(width, height)
    widget.show()
    for _ in range(2):  # pyqtgraph lays its scene out from posted events
        QApplication.processEvents()
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor(background))
    painter = QPainter(image)
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    widget.hide()
    return image


class Chart(QWidget):
    """A titled chart with a legend, an empty state, theming and PNG export."""

    title: ClassVar[str] = ""
    slug: ClassVar[str] = "chart"
    empty_text: ClassVar[str] = "Nothing to show yet."
    min_height: ClassVar[int] = 240

    def __init__(
        self, parent: QWidget | None = None, *, dark: bool = False, interactive: bool = True
    ) -> None:
        super().__init__(parent)
        self.palette_ = Palette(dark)
        self.interactive = interactive
        self.data: ProgressData | None = None
        self.setAutoFillBackground(True)
        self.title_label = QLabel(self.title)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title_label.setFont(font)
        self.header = QHBoxLayout()
        self.header.addWidget(self.title_label)
        self.header.addStretch(1)
        self.add_controls(self.header)
        self.save_button: QToolButton | None = None
        if interactive:
            self.save_button = QToolButton()
            self.save_button.setText("Save PNG…")
            self.save_button.setToolTip(f"Save “{self.title}” as a PNG picture")
            self.save_button.clicked.connect(self._save_dialog)
            self.header.addWidget(self.save_button)
            self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.customContextMenuRequested.connect(self._context_menu)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.empty_label = QLabel(self.empty_text)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMargin(24)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.build_body())
        self.stack.addWidget(self.empty_label)
        self.stack.setCurrentIndex(1)
        self.stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(self.header)
        layout.addWidget(self.legend)
        layout.addWidget(self.stack, 1)
        if self.min_height:
            self.setMinimumHeight(self.min_height)
        self._style_widgets()

    # ----- what subclasses provide ---------------------------------------------------

    def build_body(self) -> QWidget:
        """The widget that shows the data."""
        raise NotImplementedError

    def add_controls(self, header: QHBoxLayout) -> None:
        """Add controls (such as a span switch) to the header row."""

    def draw(self, data: ProgressData) -> bool:
        """Draw the data; return False when there is nothing to show (the empty text shows)."""
        raise NotImplementedError

    def apply_palette(self) -> None:
        """Colour the body for ``self.palette_``."""

    def copy_settings_to(self, other: Chart) -> None:
        """Give a copy made for export the same view settings (span, ...)."""

    # ----- public --------------------------------------------------------------------

    @property
    def dark(self) -> bool:
        """True when drawn in dark colours."""
        return self.palette_.dark

    @property
    def is_empty(self) -> bool:
        """True while the empty text shows instead of the chart."""
        return self.stack.currentIndex() == 1

    def set_progress(self, data: ProgressData | None) -> None:
        """Show the chart's series from ``data`` (None: the empty text)."""
        self.data = data
        shown = data is not None and self.draw(data)
        self.stack.setCurrentIndex(0 if shown else 1)
        self.legend.setVisible(shown and bool(self.legend.text()))

    def set_dark(self, dark: bool) -> None:
        """Switch between light and dark colours and redraw."""
        if dark == self.dark:
            return
        self.palette_ = Palette(dark)
        self._style_widgets()
        self.set_progress(self.data)

    def export_png(self, path: Path | str, width: int = 1000, height: int = 500) -> Path:
        """Write the chart as a ``width`` x ``height`` PNG (a copy is laid out offscreen)."""
        path = Path(path)
        copy = type(self)(dark=self.dark, interactive=False)
        self.copy_settings_to(copy)
        copy.set_progress(self.data)
        image = render_widget(copy, width, height, self.palette_.background)
        copy.deleteLater()
        if not image.save(str(path), "PNG"):
            raise UserError(f"cannot write the picture {path}: check the folder exists")
        return path

    # ----- internals -----------------------------------------------------------------

    def _style_widgets(self) -> None:
        colors = self.palette_
        palette = QPalette(self.palette())
        for role, color in (
            (QPalette.ColorRole.Window, colors.background),
            (QPalette.ColorRole.Base, colors.background),
            (QPalette.ColorRole.AlternateBase, colors.hover_fill),
            (QPalette.ColorRole.WindowText, colors.foreground),
            (QPalette.ColorRole.Text, colors.foreground),
            (QPalette.ColorRole.ButtonText, colors.foreground),
            (QPalette.ColorRole.Button, colors.hover_fill),
        ):
            palette.setColor(role, QColor(color))
        self.setPalette(palette)
        self.empty_label.setStyleSheet(f"color: {colors.muted}")
        self.legend.setStyleSheet(f"color: {colors.muted}")
        self.apply_palette()

    def _save_dialog(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, f"Save “{self.title}”", f"{self.slug}.png", "PNG picture (*.png)"
        )
        if name:
            self.export_png(name)

    def _context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Save PNG…", self._save_dialog)
        menu.exec(self.mapToGlobal(position))


# ----- plots ----------------------------------------------------------------------------


class DayAxis(pg.DateAxisItem):
    """A date axis that leaves out day labels crowding a month label next to them."""

    min_gap_px = 36

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A label on the first or last day may reach a little past the axis ends.
        self.setStyle(hideOverlappingLabels=6)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        """The date axis's ticks, without finer ones closer than ``min_gap_px`` to coarser."""
        levels = super().tickValues(minVal, maxVal, size)
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


class PlotChart(Chart):
    """A chart on a pyqtgraph ``PlotWidget``, with values shown under the mouse."""

    date_axis: ClassVar[bool] = True
    percent_axis: ClassVar[bool] = False
    category_axis: ClassVar[bool] = False

    def build_body(self) -> QWidget:
        """A PlotWidget without pan, zoom or pyqtgraph's own menu."""
        axes: dict[str, pg.AxisItem] = {}
        if self.date_axis:
            axes["bottom"] = DayAxis(orientation="bottom", utcOffset=0)
        elif self.category_axis:
            axes["bottom"] = CategoryAxis(orientation="bottom")
        if self.percent_axis:
            axes["left"] = PercentAxis(orientation="left")
        self.plot = pg.PlotWidget(axisItems=axes)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setAntialiasing(True)
        self.plot.getPlotItem().getViewBox().setDefaultPadding(0.02)
        self.hover = pg.TextItem(anchor=(0, 1))
        self.hover.setZValue(100)
        self.crosshair = pg.InfiniteLine(angle=90, movable=False)
        self.crosshair.setZValue(90)
        self._hide_hover()
        self._proxy = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved
        )
        return self.plot

    def apply_palette(self) -> None:
        """Background, axes, grid and hover box colours."""
        colors = self.palette_
        self.plot.setBackground(colors.background)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(colors.axis))
            axis.setTextPen(pg.mkPen(colors.foreground))
        self.hover.fill = pg.mkBrush(colors.hover_fill)
        self.hover.border = pg.mkPen(colors.axis)
        self.crosshair.setPen(pg.mkPen(colors.muted, width=1, style=Qt.PenStyle.DashLine))

    def clear_plot(self) -> None:
        """Remove every item but the hover box and the crosshair."""
        self.plot.clear()
        self.plot.addItem(self.crosshair, ignoreBounds=True)
        self.plot.addItem(self.hover, ignoreBounds=True)
        self._hide_hover()

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """HTML for the point under the mouse and the x to mark (None: show nothing)."""
        return None

    def show_hover(self, x: float, y: float) -> bool:
        """Show the values at view coordinates ``(x, y)``; return True when shown."""
        if self.data is None or self.is_empty:
            return False
        found = self.hover_text(x, y)
        if found is None:
            self._hide_hover()
            return False
        html, marker = found
        colors = self.palette_
        self.hover.setHtml(
            f'<div style="color:{colors.foreground}; font-size:9pt; margin:2px">{html}</div>'
        )
        (x_low, x_high), (y_low, y_high) = self.plot.getPlotItem().getViewBox().viewRange()
        right = x > (x_low + x_high) / 2
        upper = y > (y_low + y_high) / 2
        if self.plot.getPlotItem().getViewBox().yInverted():
            upper = not upper
        self.hover.setAnchor((1.0 if right else 0.0, 0.0 if upper else 1.0))
        self.hover.setPos(x + (-1 if right else 1) * (x_high - x_low) * 0.01, y)
        self.hover.show()
        if marker is not None:
            self.crosshair.setPos(marker)
            self.crosshair.show()
        else:
            self.crosshair.hide()
        return True

    def hover_shown(self) -> str:
        """The text in the hover box, as plain text ("" when hidden)."""
        return self.hover.textItem.toPlainText() if self.hover.isVisible() else ""

    def leaveEvent(self, event: Any) -> None:
        """Hide the values when the mouse leaves the chart."""
        self._hide_hover()
        super().leaveEvent(event)

    def _hide_hover(self) -> None:
        self.hover.hide()
        self.crosshair.hide()

    def _mouse_moved(self, event: tuple[QPointF]) -> None:
        position = event[0]
        view = self.plot.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(position):
            self._hide_hover()
            return
        point = view.mapSceneToView(position)
        self.show_hover(point.x(), point.y())


def _nearest(xs: Sequence[float] | np.ndarray, x: float, tolerance: float) -> int | None:
    """The index of the x nearest to ``x`` if within ``tolerance``, else None."""
    if len(xs) == 0:
        return None
    values = np.asarray(xs, dtype=np.float64)
    index = int(np.abs(values - x).argmin())
    return index if abs(values[index] - x) <= tolerance else None


def _day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


# ----- the charts -----------------------------------------------------------------------


class MasteryOverTime(PlotChart):
    """One line per domain: mastery on each day."""

    title = "Mastery per domain over time"
    slug = "mastery-over-time"
    empty_text = "Mastery per domain appears here after your first reviews."
    percent_axis = True

    def draw(self, data: ProgressData) -> bool:
        """Lines from the first review (or the window start) to today."""
        self.clear_plot()
        if not data.has_reviews:
            return False
        self._days: list[date] = []
        self._values: dict[int, np.ndarray] = {}
        legend = []
        for domain in data.domains:
            series = data.mastery_over_time.get(domain.number, ())
            if not series:
                continue
            self._days = [day for day, _ in series]
            values = np.array([value * 100 for _, value in series], dtype=np.float64)
            self._values[domain.number] = values
            xs = np.array([timestamp(day) for day in self._days])
            color = domain_color(domain.number)
            few = len(xs) < 3
            self.plot.plot(
                xs,
                values,
                pen=pg.mkPen(color, width=2.5),
                symbol="o" if few else None,
                symbolSize=7,
                symbolBrush=color,
                symbolPen=None,
            )
            legend.append(
                swatch(color, f"{domain.number}. {domain.name} {percent(values[-1] / 100)}", "━")
            )
        if not self._values:
            return False
        self.legend.setText("&nbsp;&nbsp; ".join(legend))
        first, last = timestamp(self._days[0]), timestamp(self._days[-1])
        pad = DAY_SECONDS if first == last else 0
        self.plot.setXRange(first - pad, last + pad, padding=0.02)
        self.plot.setYRange(0, 100, padding=0.04)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        return True

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The date and every domain's mastery on the day under the mouse."""
        xs = [timestamp(day) for day in self._days]
        index = _nearest(xs, x, DAY_SECONDS)
        if index is None or self.data is None:
            return None
        lines = [f"<b>{_day_label(self._days[index])}</b>"]
        for number, values in self._values.items():
            name = self.data.domain_name(number)
            lines.append(swatch(domain_color(number), f"{number}. {name}: {values[index]:.0f}%"))
        return "<br>".join(lines), xs[index]


class MasteryVsWeight(PlotChart):
    """Per domain, mastery next to the domain's share of the exam."""

    title = "Mastery vs exam weight"
    slug = "mastery-vs-weight"
    empty_text = "Mastery against exam weight appears here once an exam pack is loaded."
    date_axis = False
    category_axis = True
    percent_axis = True

    def draw(self, data: ProgressData) -> bool:
        """Two bars per domain: solid for mastery, pale for weight."""
        self.clear_plot()
        if not data.domains:
            return False
        positions = np.arange(len(data.domains), dtype=np.float64)
        colors = [domain_color(d.number) for d in data.domains]
        mastery = [data.mastery.get(d.number, 0.0) * 100 for d in data.domains]
        weight = [d.weight * 100 for d in data.domains]
        self.plot.addItem(
            pg.BarGraphItem(
                x=positions - 0.19, height=mastery, width=0.36, brushes=colors, pens=colors
            )
        )
        pale = [QColor(color) for color in colors]
        for color in pale:
            color.setAlpha(70)
        self.plot.addItem(
            pg.BarGraphItem(
                x=positions + 0.19,
                height=weight,
                width=0.36,
                brushes=pale,
                pens=[pg.mkPen(color, width=1.5) for color in colors],
            )
        )
        axis = self.plot.getAxis("bottom")
        assert isinstance(axis, CategoryAxis)
        axis.set_labels([f"{d.number}. {d.name}" for d in data.domains])
        self.plot.setXRange(-0.5, len(data.domains) - 0.5, padding=0)
        self.plot.setYRange(0, max(100.0, *mastery, *weight), padding=0.04)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        muted = self.palette_.muted
        self.legend.setText(
            f"{swatch(muted, 'Mastery (solid)')}&nbsp;&nbsp; "
            f"{swatch(muted, 'Exam weight (pale)', '□')}&nbsp;&nbsp; "
            f"Readiness {percent(data.readiness)}"
        )
        return True

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The domain under the mouse with its mastery and weight."""
        if self.data is None or not self.data.domains:
            return None
        index = round(x)
        if not 0 <= index < len(self.data.domains) or abs(x - index) > 0.45:
            return None
        domain = self.data.domains[index]
        html = (
            f"<b>{swatch(domain_color(domain.number), f'{domain.number}. {domain.name}')}</b>"
            f"<br>Mastery {percent(self.data.mastery.get(domain.number, 0.0))}"
            f"<br>Exam weight {percent(domain.weight)}"
        )
        return html, None


class ReviewsPerDay(PlotChart):
    """Answers per day, stacked by kind: new, review, drill."""

    title = "Reviews per day"
    slug = "reviews-per-day"
    empty_text = "Answers per day appear here after your first reviews."

    def draw(self, data: ProgressData) -> bool:
        """Stacked bars over the last days."""
        self.clear_plot()
        kinds = [kind for kind in KIND_COLORS if kind in data.reviews_per_day]
        if not kinds:
            return False
        self._days = [day for day, _ in data.reviews_per_day[kinds[0]]]
        self._counts = {
            kind: np.array([count for _, count in data.reviews_per_day[kind]], dtype=np.float64)
            for kind in kinds
        }
        total = sum(self._counts.values(), np.zeros(len(self._days)))
        if not total.any():
            return False
        xs = np.array([timestamp(day) for day in self._days])
        base = np.zeros(len(xs))
        for kind in kinds:
            color = KIND_COLORS[kind]
            self.plot.addItem(
                pg.BarGraphItem(
                    x=xs,
                    y0=base.copy(),
                    height=self._counts[kind],
                    width=DAY_SECONDS * 0.8,
                    brush=color,
                    pen=NO_PEN,
                )
            )
            base += self._counts[kind]
        self.plot.setXRange(xs[0] - DAY_SECONDS, xs[-1] + DAY_SECONDS, padding=0)
        self.plot.setYRange(0, float(total.max()), padding=0.05)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        sums = {kind: int(self._counts[kind].sum()) for kind in kinds}
        self.legend.setText(
            "&nbsp;&nbsp; ".join(
                swatch(KIND_COLORS[kind], f"{kind.capitalize()} {sums[kind]:,}") for kind in kinds
            )
            + f"&nbsp;&nbsp; in the last {len(xs)} days"
        )
        return True

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The date and its answers by kind."""
        xs = [timestamp(day) for day in self._days]
        index = _nearest(xs, x, DAY_SECONDS / 2)
        if index is None:
            return None
        lines = [f"<b>{_day_label(self._days[index])}</b>"]
        total = 0
        for kind, counts in self._counts.items():
            value = int(counts[index])
            total += value
            lines.append(swatch(KIND_COLORS[kind], f"{kind.capitalize()}: {value}"))
        lines.append(f"Total: {total}")
        return "<br>".join(lines), xs[index]


class DueForecast(PlotChart):
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

    def copy_settings_to(self, other: Chart) -> None:
        """The copy shows the same span."""
        if isinstance(other, DueForecast):
            other.set_span(self.span)

    def draw(self, data: ProgressData) -> bool:
        """Bars per day; today's bar also holds the overdue cards."""
        self.clear_plot()
        series = data.due_forecast(self.span)
        reviewed = data.card_states.get("learning", 0) + data.card_states.get("mature", 0)
        if not series or not reviewed:
            return False
        self._days = [day for day, _ in series]
        self._counts = np.array([count for _, count in series], dtype=np.float64)
        xs = np.array([timestamp(day) for day in self._days])
        colors = self.palette_
        brushes = [colors.accent] * len(xs)
        brushes[0] = STATE_COLORS["due"]
        self.plot.addItem(
            pg.BarGraphItem(
                x=xs, height=self._counts, width=DAY_SECONDS * 0.8, brushes=brushes, pen=NO_PEN
            )
        )
        self.plot.setXRange(xs[0] - DAY_SECONDS, xs[-1] + DAY_SECONDS, padding=0)
        self.plot.setYRange(0, max(float(self._counts.max()), 1.0), padding=0.05)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend.setText(
            f"{swatch(STATE_COLORS['due'], f'Today incl. overdue {int(self._counts[0]):,}')}"
            f"&nbsp;&nbsp; {swatch(colors.accent, 'Later')}&nbsp;&nbsp; "
            f"{int(self._counts.sum()):,} reviews in the next {self.span} days"
        )
        return True

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The date and the cards due on it."""
        xs = [timestamp(day) for day in self._days]
        index = _nearest(xs, x, DAY_SECONDS / 2)
        if index is None:
            return None
        note = " (incl. overdue)" if index == 0 else ""
        html = f"<b>{_day_label(self._days[index])}</b><br>Due: {int(self._counts[index])}{note}"
        return html, xs[index]


class CalendarHeatmap(PlotChart):
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

    def draw(self, data: ProgressData) -> bool:
        """Colour each day by its answers (square-root scale), future days left blank."""
        self.clear_plot()
        if not data.heatmap:
            return False
        counts = np.array([count for _, count in data.heatmap], dtype=np.float64)
        if not counts.any():
            return False
        self._first = data.heatmap[0][0]
        self._today = data.today
        weeks = len(counts) // 7
        self._grid = counts[: weeks * 7].reshape(weeks, 7).T  # rows Mon..Sun, columns weeks
        colors = self.palette_
        image = np.zeros((7, weeks, 4), dtype=np.uint8)
        low, high = np.array(_rgb(colors.heat_low)), np.array(_rgb(colors.heat_high))
        share = np.sqrt(self._grid / self._grid.max())[..., None]
        image[..., :3] = np.where(share > 0, low + (high - low) * share, _rgb(colors.heat_empty))
        image[..., 3] = 255
        future = np.array(
            [[self._day_at(row, week) > data.today for week in range(weeks)] for row in range(7)]
        )
        image[future] = (*_rgb(colors.background), 255)
        item = pg.ImageItem(axisOrder="row-major")
        item.setImage(image, levels=(0, 255), autoLevels=False)
        item.setRect(0, 0, weeks, 7)
        self.plot.addItem(item)
        gaps = []
        for week in range(weeks + 1):
            gaps += [(week, 0), (week, 7)]
        for row in range(8):
            gaps += [(0, row), (weeks, row)]
        xy = np.array(gaps, dtype=np.float64)
        self.plot.addItem(
            pg.PlotDataItem(
                xy[:, 0], xy[:, 1], connect="pairs", pen=pg.mkPen(colors.background, width=3)
            )
        )
        self.plot.getAxis("bottom").setTicks([self._month_ticks(weeks)])
        self.plot.setXRange(0, weeks, padding=0.01)
        self.plot.setYRange(0, 7, padding=0.02)
        busiest = int(self._grid.max())
        scale = "".join(
            f'<span style="color:{_hex(low + (high - low) * math.sqrt(s))}">■</span>'
            for s in (0.1, 0.3, 0.55, 1.0)
        )
        self.legend.setText(
            f"Less {scale} More&nbsp;&nbsp; busiest day {busiest:,} answers, "
            f"{int(counts.sum()):,} answers in {weeks} weeks"
        )
        return True

    def _day_at(self, row: int, week: int) -> date:
        return self._first + timedelta(days=week * 7 + row)

    def _month_ticks(self, weeks: int) -> list[tuple[float, str]]:
        ticks = []
        for week in range(weeks):
            for row in range(7):
                day = self._day_at(row, week)
                if day.day == 1:
                    label = f"{day:%b}" if day.month != 1 and ticks else f"{day:%b %Y}"
                    ticks.append((week + 0.5, label))
        return ticks

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The day under the mouse and its answers."""
        week, row = math.floor(x), math.floor(y)
        if not (0 <= row < 7 and 0 <= week < self._grid.shape[1]):
            return None
        day = self._day_at(row, week)
        if day > self._today:
            return None
        count = int(self._grid[row, week])
        return f"<b>{_day_label(day)}</b><br>Answers: {count}", None


class CardStates(PlotChart):
    """How many cards are new, learning and mature, and how many are due today."""

    title = "Card states"
    slug = "card-states"
    empty_text = "Card states appear here once the exam pack has cards."
    date_axis = False
    category_axis = True

    def draw(self, data: ProgressData) -> bool:
        """One bar per state, its count written above it."""
        self.clear_plot()
        keys = [key for key in STATE_LABELS if key in data.card_states]
        values = [data.card_states[key] for key in keys]
        if not keys or not any(data.card_states.get(k, 0) for k in ("new", "learning", "mature")):
            return False
        self._keys, self._values = keys, values
        positions = np.arange(len(keys), dtype=np.float64)
        colors = [STATE_COLORS[key] for key in keys]
        self.plot.addItem(
            pg.BarGraphItem(x=positions, height=values, width=0.6, brushes=colors, pen=NO_PEN)
        )
        top = max(values)
        for position, value in zip(positions, values, strict=True):
            label = pg.TextItem(f"{value:,}", color=self.palette_.foreground, anchor=(0.5, 1))
            label.setPos(position, value)
            self.plot.addItem(label)
        axis = self.plot.getAxis("bottom")
        assert isinstance(axis, CategoryAxis)
        axis.set_labels([STATE_LABELS[key] for key in keys])
        self.plot.setXRange(-0.5, len(keys) - 0.5, padding=0)
        self.plot.setYRange(0, top * 1.15 or 1, padding=0)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        total = sum(data.card_states.get(k, 0) for k in ("new", "learning", "mature"))
        self.legend.setText(
            f"{total:,} active cards; learning: interval under 21 days, mature: 21 days or more"
        )
        return True

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The state under the mouse and its count."""
        index = round(x)
        if not 0 <= index < len(self._keys) or abs(x - index) > 0.4:
            return None
        key = self._keys[index]
        return swatch(STATE_COLORS[key], f"{STATE_LABELS[key]}: {self._values[index]:,}"), None


class PlanVsActual(PlotChart):
    """The plan's cards per day (a line) against cards answered (bars)."""

    title = "Plan vs actual"
    slug = "plan-vs-actual"
    empty_text = (
        "Set an exam date on the Plan page to compare the plan with what you study each day."
    )

    def draw(self, data: ProgressData) -> bool:
        """Bars for answers up to today; the planned line from the plan's first day."""
        self.clear_plot()
        if not data.plan_vs_actual:
            return False
        self._points = list(data.plan_vs_actual)
        self._plan_start = data.plan_start
        xs = np.array([timestamp(day) for day, _, _ in self._points])
        actual = np.array([count for _, _, count in self._points], dtype=np.float64)
        planned = np.array([amount for _, amount, _ in self._points], dtype=np.float64)
        colors = self.palette_
        self.plot.addItem(
            pg.BarGraphItem(
                x=xs, height=actual, width=DAY_SECONDS * 0.8, brush=colors.accent, pen=NO_PEN
            )
        )
        start = data.plan_start or data.today
        planned_from = np.array([day >= start for day, _, _ in self._points])
        self.plot.plot(
            xs[planned_from],
            planned[planned_from],
            pen=pg.mkPen(colors.foreground, width=2),
            stepMode=None,
        )
        today = pg.InfiniteLine(
            pos=timestamp(data.today),
            angle=90,
            pen=pg.mkPen(colors.muted, width=1, style=Qt.PenStyle.DotLine),
            label="today",
            labelOpts={"position": 0.95, "color": colors.muted},
        )
        self.plot.addItem(today)
        self.plot.setXRange(xs[0] - DAY_SECONDS, xs[-1] + DAY_SECONDS, padding=0)
        top = max(float(actual.max()), float(planned.max()), 1.0)
        self.plot.setYRange(0, top, padding=0.08)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend.setText(
            f"{swatch(colors.foreground, 'Planned cards (reviews + new)', '━')}&nbsp;&nbsp; "
            f"{swatch(colors.accent, 'Cards answered')}"
        )
        return True

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """The date, its planned cards and the cards answered."""
        xs = [timestamp(day) for day, _, _ in self._points]
        index = _nearest(xs, x, DAY_SECONDS / 2)
        if index is None:
            return None
        day, planned, actual = self._points[index]
        lines = [f"<b>{_day_label(day)}</b>"]
        if self._plan_start is not None and day >= self._plan_start:
            lines.append(f"Planned: {planned:.0f}")
        if self.data is not None and day <= self.data.today:
            lines.append(f"Answered: {actual}")
        return "<br>".join(lines), xs[index]


class Retention(Chart):
    """True retention: pass rate of each card's first answer of the day, young vs mature."""

    title = "True retention"
    slug = "retention"
    empty_text = "True retention appears here once cards come back for review."
    columns = ("Period", "Young cards", "Mature cards", "All")

    def build_body(self) -> QWidget:
        """A small read-only table."""
        self.table = QTableWidget(len(RETENTION_PERIODS), len(self.columns))
        self.table.setHorizontalHeaderLabels(list(self.columns))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header_item = self.table.horizontalHeaderItem(1)
        if header_item is not None:
            header_item.setToolTip("Cards with an interval under 21 days")
        header_item = self.table.horizontalHeaderItem(2)
        if header_item is not None:
            header_item.setToolTip("Cards with an interval of 21 days or more")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addStretch(1)
        return body

    def _fit_table(self) -> None:
        """As tall as its rows: no empty table area below them."""
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(row) for row in range(self.table.rowCount()))
        self.table.setFixedHeight(height)

    def draw(self, data: ProgressData) -> bool:
        """One row per period: rate and (passed / answers) for young, mature and all."""
        rows = list(data.retention)
        if not any(row.young_total + row.mature_total for row in rows):
            return False
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = [
                PERIOD_LABELS.get(row.period, row.period),
                _rate(row.young_rate, row.young_passed, row.young_total),
                _rate(row.mature_rate, row.mature_passed, row.mature_total),
                _rate(row.rate, row.young_passed + row.mature_passed, _total(row)),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(index, column, item)
        self.legend.setText(
            "Pass rate (grade 3 or more) of each card's first answer of the day; "
            "young: interval under 21 days, mature: 21 days or more."
        )
        self._fit_table()
        return True

    def cell(self, row: int, column: int) -> str:
        """The text of a table cell."""
        item = self.table.item(row, column)
        return item.text() if item is not None else ""


def _total(row: RetentionRow) -> int:
    return row.young_total + row.mature_total


def _rate(rate: float | None, passed: int, total: int) -> str:
    return "–" if rate is None else f"{percent(rate)}  ({passed:,}/{total:,})"


def _rgb(color: str) -> tuple[int, int, int]:
    value = QColor(color)
    return value.red(), value.green(), value.blue()


def _hex(rgb: np.ndarray) -> str:
    red, green, blue = (round(float(c)) for c in rgb)
    return f"#{red:02x}{green:02x}{blue:02x}"


ALL_CHARTS: tuple[type[Chart], ...] = (
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
