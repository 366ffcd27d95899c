"""The Progress page: readiness, the weakest domain and every progress chart.

The series are computed off the UI thread by ``services.progress.compute_progress``;
the page only hands the result to the charts. It recomputes when answers, content or
the plan change, and only while it is on screen (a hidden page recomputes when shown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mlstudy.errors import UserError
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.charts import (
    CalendarHeatmap,
    CardStates,
    Chart,
    DueForecast,
    MasteryOverTime,
    MasteryVsWeight,
    PlanVsActual,
    Retention,
    ReviewsPerDay,
    percent,
)
from mlstudy.gui.charts.practice import PracticeScores
from mlstudy.gui.theme import domain_color, is_dark, set_role
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Changes, Library
from mlstudy.services.progress import ProgressData, compute_progress

# (chart class, row, column, column span) on the two-column grid; one column follows
# the same order.
LAYOUT: tuple[tuple[type[Chart[Any]], int, int, int], ...] = (
    (MasteryOverTime, 0, 0, 2),
    (MasteryVsWeight, 1, 0, 1),
    (CardStates, 1, 1, 1),
    (ReviewsPerDay, 2, 0, 1),
    (DueForecast, 2, 1, 1),
    (CalendarHeatmap, 3, 0, 2),
    (Retention, 4, 0, 1),
    (PlanVsActual, 4, 1, 1),
    (PracticeScores, 5, 0, 2),
)


TWO_COLUMNS_MIN_WIDTH = 900
"""Page width (px) from which the charts sit side by side."""


def needs_recompute(changes: Changes | None) -> bool:
    """Whether a change can move a progress figure (None: an explicit refresh)."""
    return changes is None or changes.reviews or changes.content or changes.plan


CHART_MAX_HEIGHT = 380
"""No chart grows taller than this, whatever the window height."""


class ProgressPage(QWidget):
    """Readiness at the top, the charts below in a scroll area."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self.data: ProgressData | None = None
        self.computing = False
        self._stale = True
        self._again = False
        dark = self._dark()

        self.readiness = QLabel("Readiness –")
        font = self.readiness.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.readiness.setFont(font)
        set_role(self.readiness, "title")  # the stylesheet's size, which follows the zoom
        self.readiness.setToolTip(
            "Exam weight x mastery, summed over the domains. A study measure, not a pass chance."
        )
        self.weakest = QLabel()
        self.weakest.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel()
        self.status.setStyleSheet("color: #8b949e")
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages quote deck text
        self.error.setStyleSheet("color: #d1242f")
        self.error.setWordWrap(True)
        self.error.hide()
        self.save_all_button = QPushButton("Save all charts as PNG…")
        self.save_all_button.clicked.connect(self._save_all_dialog)

        summary = QVBoxLayout()
        summary.addWidget(self.readiness)
        summary.addWidget(self.weakest)
        summary.addWidget(self.status)  # under the summary: the long line has room here
        self.leeches_title = QLabel()
        self.leeches_title.setTextFormat(Qt.TextFormat.PlainText)
        self.leeches_title.setToolTip(
            "Cards failed 8 times or more (Anki's leech threshold): rewrite them, or read "
            "their source. Browse finds them with is:leech."
        )
        self.leeches = QListWidget()
        self.leeches.setMaximumHeight(110)
        self.leeches_title.hide()
        self.leeches.hide()
        summary.addWidget(self.leeches_title)
        summary.addWidget(self.leeches)
        top = QHBoxLayout()
        top.addLayout(summary, 1)
        top.addWidget(self.save_all_button, 0, Qt.AlignmentFlag.AlignTop)

        self.charts: dict[str, Chart[Any]] = {}
        for chart_class, _row, _column, _span in LAYOUT:
            chart = chart_class(dark=dark)
            chart.saved.connect(self.bus.status_message.emit)
            self.charts[chart.slug] = chart
        for chart in self.charts.values():
            # Room to read every chart without one filling the window: the page scans.
            chart.setMaximumHeight(CHART_MAX_HEIGHT)
        self.charts[MasteryOverTime.slug].setMinimumHeight(300)
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        self.columns = 0
        self._arrange(2)
        content = QWidget()
        content.setLayout(self.grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chart_scroll = scroll

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)

    # ----- layout --------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Two columns of charts when there is room, else one."""
        super().resizeEvent(event)
        self._arrange(2 if event.size().width() >= TWO_COLUMNS_MIN_WIDTH else 1)

    def _arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for chart in self.charts.values():
            self.grid.removeWidget(chart)
        for index, (chart_class, row, column, span) in enumerate(LAYOUT):
            chart = self.charts[chart_class.slug]
            if columns == 2:
                self.grid.addWidget(chart, row, column, 1, span)
            else:
                self.grid.addWidget(chart, index, 0)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1 if columns == 2 else 0)

    # ----- refreshing ----------------------------------------------------------------

    def refresh(self, changes: Changes | None = None) -> None:
        """Recompute when ``changes`` can move a figure: now if shown, else when next shown.

        A settings change also switches the charts between light and dark.
        """
        if changes is not None and changes.settings:
            self.set_dark(self._dark())
        if not needs_recompute(changes):
            return
        self._stale = True
        if changes is None or self.isVisible():
            self.recompute()

    def showEvent(self, event: QShowEvent) -> None:
        """Compute on first show, and after changes made while hidden."""
        super().showEvent(event)
        if self._stale:
            self.recompute()

    def recompute(self) -> None:
        """Compute every series in the background, then draw them."""
        if self.computing:
            self._again = True  # one more pass once this one lands
            return
        self.computing = True
        self._stale = False
        self.status.setText("Computing…")
        run_in_background(
            lambda: compute_progress(self.library), self._computed, self._failed, self._settled
        )

    def _settled(self) -> None:
        if shiboken6.isValid(self):
            self.computing = False
            self.status.setText("")

    def _computed(self, data: ProgressData) -> None:
        if not shiboken6.isValid(self):
            return
        self.show_data(data)
        if self._again:
            self._again = False
            self.recompute()

    def _failed(self, exc: UserError) -> None:
        if not shiboken6.isValid(self):
            return
        self.error.setText(str(exc))
        self.error.show()

    def show_data(self, data: ProgressData) -> None:
        """Put computed series into the summary and every chart."""
        self.data = data
        self.error.hide()
        self.readiness.setText(f"Readiness {percent(data.readiness)}")
        weakest = data.weakest_domain
        if weakest is None or not data.has_reviews:
            self.weakest.setText("Review some cards to see which domain needs you most.")
        else:
            name = data.domain_name(weakest)
            mastery = percent(data.mastery.get(weakest, 0.0))
            self.weakest.setText(
                f'Study next: <span style="color:{domain_color(weakest)}">■</span> '
                f"<b>{weakest}. {name}</b> (mastery {mastery}; the largest weighted gap: "
                "exam weight × what is left to learn)"
            )
        for chart in self.charts.values():
            chart.set_progress(data)
        self._show_leeches(data)
        self.status.setText(
            f"{data.total_reviews:,} answers, {data.cards:,} cards, as of {data.today.isoformat()}"
        )

    def _show_leeches(self, data: ProgressData) -> None:
        self.leeches.clear()
        for leech in data.leeches:
            suspended = ", suspended" if leech.suspended else ""
            self.leeches.addItem(  # a list item shows plain text: no escaping needed
                f"{leech.question}  ({leech.lapses} lapses{suspended}; {leech.key})"
            )
        count = len(data.leeches)
        self.leeches_title.setText(
            f"Leeches: {count} card{'s' if count != 1 else ''} you keep missing "
            "(rewrite them, or read their source)"
        )
        self.leeches_title.setVisible(bool(count))
        self.leeches.setVisible(bool(count))

    def set_dark(self, dark: bool) -> None:
        """Draw every chart in dark or light colours."""
        for chart in self.charts.values():
            chart.set_dark(dark)

    def _dark(self) -> bool:
        return is_dark(str(self.library.settings().get("theme", "system")))

    # ----- pictures ------------------------------------------------------------------

    def save_all(self, folder: Path | str, width: int = 1000, height: int = 500) -> list[Path]:
        """Write every chart as ``<folder>/<chart>.png``; return the files."""
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create the folder {folder}: {exc.strerror}") from None
        return [
            chart.export_png(folder / f"{slug}.png", width, height)
            for slug, chart in self.charts.items()
        ]

    def _save_all_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save all charts as PNG into…")
        if not folder:
            return
        try:
            written = self.save_all(folder)
        except UserError as exc:
            self.bus.status_message.emit(str(exc))
            return
        self.bus.status_message.emit(f"Saved {len(written)} charts to {folder}")
