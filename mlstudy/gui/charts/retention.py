"""True retention: pass rate of each card's first answer of the day, young vs mature."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mlstudy.core.progress import RETENTION_PERIODS
from mlstudy.gui.charts.base import Chart, percent
from mlstudy.services.progress import ProgressData

PERIOD_LABELS = {
    "today": "Today",
    "week": "Last 7 days",
    "month": "Last 30 days",
    "year": "Last 365 days",
    "all": "All time",
}
COLUMNS = ("Period", "Young cards", "Mature cards", "All")
LEGEND = (
    "Pass rate (grade 3 or more) of each card's first answer of the day; "
    "young: interval under 21 days, mature: 21 days or more."
)


@dataclass(frozen=True, slots=True)
class RetentionModel:
    """What the retention table shows: one row of cell texts per period."""

    rows: tuple[tuple[str, str, str, str], ...]
    legend: str


def rate_text(rate: float | None, passed: int, total: int) -> str:
    """ "75%  (30/40)", or "–" without answers."""
    return "–" if rate is None else f"{percent(rate)}  ({passed:,}/{total:,})"


def retention_model(data: ProgressData) -> RetentionModel | None:
    """Rate and (passed / answers) for young, mature and all cards, per period."""
    if not any(row.young_total + row.mature_total for row in data.retention):
        return None
    rows = tuple(
        (
            PERIOD_LABELS.get(row.period, row.period),
            rate_text(row.young_rate, row.young_passed, row.young_total),
            rate_text(row.mature_rate, row.mature_passed, row.mature_total),
            rate_text(
                row.rate, row.young_passed + row.mature_passed, row.young_total + row.mature_total
            ),
        )
        for row in data.retention
    )
    return RetentionModel(rows, LEGEND)


class Retention(Chart[RetentionModel]):
    """True retention as a small table: periods down, card ages across."""

    title = "True retention"
    slug = "retention"
    empty_text = "True retention appears here once cards come back for review."

    def build_body(self) -> QWidget:
        """A small read-only table."""
        self.table = QTableWidget(len(RETENTION_PERIODS), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
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

    def build_model(self, data: ProgressData) -> RetentionModel | None:
        """See ``retention_model``."""
        return retention_model(data)

    def draw(self, model: RetentionModel) -> None:
        """The rows into the table, which is then as tall as its rows."""
        self.table.setRowCount(len(model.rows))
        for index, cells in enumerate(model.rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(index, column, item)
        self.legend.setText(model.legend)
        self._fit_table()

    def cell(self, row: int, column: int) -> str:
        """The text of a table cell as drawn."""
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _fit_table(self) -> None:
        """As tall as its rows: no empty table area below them."""
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(row) for row in range(self.table.rowCount()))
        self.table.setFixedHeight(height)
