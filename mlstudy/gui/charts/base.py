"""What every chart shares: the titled widget, the plot with hover values, PNG export.

A chart has two halves. A pure function turns ``ProgressData`` into the chart's view
model: a small frozen dataclass of exactly the numbers, labels and colours it will
draw (``None`` when there is nothing to draw). The widget then draws only from that
model; it never reads ``ProgressData`` itself. Tests assert on the model, and on the
drawn items matching it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QByteArray, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QImageWriter, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

# isort: split
import numpy as np
import pyqtgraph as pg  # after PySide6, so pyqtgraph binds to it and not to another Qt

from mlstudy.errors import UserError
from mlstudy.gui.charts.axes import CategoryAxis, DayAxis, PercentAxis
from mlstudy.gui.charts.palette import Palette
from mlstudy.services.progress import ProgressData

Model = TypeVar("Model")

NO_PEN = pg.mkPen(None)
"""Bars without an outline (``pen=None`` would draw pyqtgraph's default foreground)."""


def percent(value: float | None) -> str:
    """0.4567 -> "46%"; None -> "–"."""
    return "–" if value is None else f"{value * 100:.0f}%"


def day_label(day: date) -> str:
    """A day as the hover box shows it: "Thu 5 Nov 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def nearest(xs: Sequence[float], x: float, tolerance: float) -> int | None:
    """The index of the x nearest to ``x`` if within ``tolerance``, else None."""
    if len(xs) == 0:
        return None
    values = np.asarray(xs, dtype=np.float64)
    index = int(np.abs(values - x).argmin())
    return index if abs(values[index] - x) <= tolerance else None


def bar_at(x: float, count: int, tolerance: float = 0.5) -> int | None:
    """The index of the bar (at x = 0 .. count - 1) under ``x``, if within ``tolerance``."""
    index = round(x)
    return index if 0 <= index < count and abs(x - index) <= tolerance else None


@dataclass(frozen=True, slots=True)
class Bars:
    """One series of bars, exactly as drawn.

    Attributes:
        name: what the bars show ("Mastery", "Drill", ...).
        x: the centre of each bar.
        heights: each bar's height.
        width: the bars' width in x units.
        colors: each bar's colour.
        bottoms: where each bar starts (stacked bars); empty for bars from 0.
        fill_alpha: 255 for solid bars, less for pale ones.
        outline_width: the width of an outline in the bar's colour; 0 for none.
    """

    name: str
    x: tuple[float, ...]
    heights: tuple[float, ...]
    width: float
    colors: tuple[str, ...]
    bottoms: tuple[float, ...] = ()
    fill_alpha: int = 255
    outline_width: float = 0.0

    @property
    def tops(self) -> tuple[float, ...]:
        """Where each bar ends."""
        if not self.bottoms:
            return self.heights
        return tuple(b + h for b, h in zip(self.bottoms, self.heights, strict=True))


def bar_item(bars: Bars) -> pg.BarGraphItem:
    """The pyqtgraph item that draws ``bars``."""
    brushes = []
    for color in bars.colors:
        brush = QColor(color)
        brush.setAlpha(bars.fill_alpha)
        brushes.append(brush)
    if bars.outline_width:
        pens = [pg.mkPen(color, width=bars.outline_width) for color in bars.colors]
    else:
        pens = [NO_PEN] * len(bars.colors)
    return pg.BarGraphItem(
        x=np.asarray(bars.x, dtype=np.float64),
        y0=np.asarray(bars.bottoms or [0.0] * len(bars.x), dtype=np.float64),
        height=np.asarray(bars.heights, dtype=np.float64),
        width=bars.width,
        brushes=brushes,
        pens=pens,
    )


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


class Chart(QWidget, Generic[Model]):
    """A titled chart with a legend, an empty state, theming and PNG export.

    Subclasses give ``build_model`` (pure: data and palette in, view model out) and
    ``draw`` (the model onto the widget).
    """

    saved = Signal(str)
    """A picture was saved, or could not be: the sentence to show in the status bar."""

    title: ClassVar[str] = ""
    slug: ClassVar[str] = "chart"
    empty_text: ClassVar[str] = "Nothing to show yet."
    min_height: ClassVar[int] = 240

    def __init__(
        self, parent: QWidget | None = None, *, dark: bool = False, interactive: bool = True
    ) -> None:
        super().__init__(parent)
        self.palette_ = Palette.for_theme(dark)
        self.interactive = interactive
        self.data: ProgressData | None = None
        self.model: Model | None = None
        self.setAutoFillBackground(True)
        self.title_label = QLabel(self.title)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title_label.setFont(font)
        self.title_label.setProperty("role", "heading")  # sized by the app's stylesheet
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

    def build_model(self, data: ProgressData) -> Model | None:
        """The view model for ``data`` with this chart's settings (None: nothing to draw)."""
        raise NotImplementedError

    def draw(self, model: Model) -> None:
        """Draw the view model (the legend text included)."""
        raise NotImplementedError

    def clear(self) -> None:
        """Remove what was drawn."""

    def apply_palette(self) -> None:
        """Colour the body for ``self.palette_``."""

    def copy_settings_to(self, other: Chart[Model]) -> None:
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
        self.model = None if data is None else self.build_model(data)
        self.clear()
        if self.model is not None:
            self.draw(self.model)
        shown = self.model is not None
        self.stack.setCurrentIndex(0 if shown else 1)
        self.legend.setVisible(shown and bool(self.legend.text()))

    def set_dark(self, dark: bool) -> None:
        """Switch between light and dark colours and redraw."""
        if dark == self.dark:
            return
        self.palette_ = Palette.for_theme(dark)
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
        writer = QImageWriter(str(path), QByteArray(b"png"))
        if not writer.write(image):
            raise UserError(f"cannot write the picture {path}: {writer.errorString()}")
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
        if not name:
            return
        try:
            path = self.export_png(name)
        except UserError as exc:
            self.saved.emit(str(exc))
            return
        self.saved.emit(f"Saved “{self.title}” to {path}")

    def _context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Save PNG…", self._save_dialog)
        menu.exec(self.mapToGlobal(position))


class PlotChart(Chart[Model]):
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
        body: QWidget = self.plot
        return body

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

    def clear(self) -> None:
        """Remove every item but the hover box and the crosshair."""
        self.plot.clear()
        self.plot.addItem(self.crosshair, ignoreBounds=True)
        self.plot.addItem(self.hover, ignoreBounds=True)
        self._hide_hover()

    def add_bars(self, bars: Bars) -> None:
        """Draw one series of bars."""
        self.plot.addItem(bar_item(bars))

    def drawn_bars(self) -> list[Bars]:
        """The bar series on the plot, read back from pyqtgraph (for tests)."""
        found = []
        for item in self.plot.getPlotItem().items:
            if isinstance(item, pg.BarGraphItem):
                opts = item.opts
                x = np.asarray(opts["x"], dtype=np.float64)
                found.append(
                    Bars(
                        name="",
                        x=tuple(x.tolist()),
                        heights=tuple(np.asarray(opts["height"], dtype=np.float64).tolist()),
                        width=float(opts["width"]),
                        colors=tuple(QColor(b).name() for b in opts["brushes"]),
                        bottoms=tuple(np.asarray(opts["y0"], dtype=np.float64).tolist()),
                        fill_alpha=QColor(opts["brushes"][0]).alpha() if len(x) else 255,
                    )
                )
        return found

    def hover_text(self, x: float, y: float) -> tuple[str, float | None] | None:
        """HTML for the point under the mouse and the x to mark (None: show nothing)."""
        return None

    def show_hover(self, x: float, y: float) -> bool:
        """Show the values at view coordinates ``(x, y)``; return True when shown."""
        if self.model is None or self.is_empty:
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
        return str(self.hover.textItem.toPlainText()) if self.hover.isVisible() else ""

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
