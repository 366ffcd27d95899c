"""The Browse page: search every card, preview one, suspend or unsuspend a selection.

The table model holds only the ordered ids of the matches and loads rows in pages of
``PAGE`` as the view scrolls, so 100,000 cards cost a list of ints, not 100,000 rows.
Searches run on the worker pool; a newer search makes older results stale.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mlstudy.core.exam import NO_DOMAIN, NO_DOMAIN_NAME
from mlstudy.errors import UserError
from mlstudy.gui.add_card_dialog import AddCardDialog
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.richtext import CardBrowser, as_rich_text
from mlstudy.gui.shortcuts import bind
from mlstudy.gui.theme import colors, domain_color, is_dark, set_role
from mlstudy.gui.worker import run_in_background
from mlstudy.services import CardView, Changes, Library, browse
from mlstudy.services.browse import BrowseRow
from mlstudy.services.render import card_html

PAGE = 200
"""Rows loaded per page as the table scrolls."""
DEBOUNCE_MS = 200
"""Typing pauses this long before a search starts."""
COLUMNS = (
    ("question", "Question"),
    ("domain", "Domain"),
    ("task", "Task"),
    ("tags", "Tags"),
    ("due", "Due"),
    ("interval", "Interval"),
    ("ease", "Ease"),
    ("reviews", "Reviews"),
    ("lapses", "Lapses"),
    ("key", "Id"),
)
"""(sort key, header) of each table column, left to right."""
_WIDEST = {
    "domain": "0",
    "task": "3.10",
    "tags": "streaming, kinesis",
    "due": "2026-12-31",
    "interval": "365 d",
    "ease": "2.50",
    "reviews": "000",
    "lapses": "00",
    "key": "sel-xgb-prob",  # longer ids are elided; the tooltip and preview show them
}
_NUMERIC = frozenset({"interval", "ease", "reviews", "lapses"})
_MUTED = QColor("#8b949e")
QUESTION_MIN = 220
"""The Question column never gets narrower than this; it takes the spare width."""
SUSPENDED_ROLE = Qt.ItemDataRole.UserRole + 1
"""Model data: True on a suspended card's row (the row is tinted)."""
COLUMNS_STATE = "browse_columns"
SPLITTER_STATE = "browse_splitter"
"""View state keys: the column widths and the table/preview split, remembered."""

Index = QModelIndex | QPersistentModelIndex


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class BrowseModel(QAbstractTableModel):
    """Matching card ids in query order; rows are fetched a page at a time.

    A search fills the first page and the total. When the view scrolls past the ids it
    has, the model emits ``ids_needed`` once; the page answers with ``set_all_ids``.
    """

    sort_requested = Signal(str, bool)
    """A header was clicked: (sort key, descending). The page re-runs the query."""
    ids_needed = Signal()
    """The view wants rows past the known ids: call ``set_all_ids`` with every match."""

    def __init__(
        self,
        fetch_rows: Callable[[Sequence[int]], list[BrowseRow]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch_rows = fetch_rows
        self._ids: list[int] = []
        self._total = 0
        self._loaded = 0
        self._rows: dict[int, BrowseRow] = {}
        self._waiting = False
        self._domain_names: dict[int, str] = {}

    # ----- results ---------------------------------------------------------------------

    def set_results(
        self, total: int, rows: Sequence[BrowseRow], domain_names: dict[int, str]
    ) -> None:
        """Show new matches: how many there are, and the rows of the first of them."""
        self.beginResetModel()
        self._ids = [row.id for row in rows]
        self._total = max(total, len(self._ids))
        self._loaded = len(self._ids)
        self._rows = {row.id: row for row in rows}
        self._waiting = False
        self._domain_names = domain_names
        self.endResetModel()

    def set_all_ids(self, ids: list[int]) -> bool:
        """Every matching id, in order; then load the next page.

        Returns:
            False (and changes nothing) when ``ids`` do not start with the rows shown:
            the cards changed since the search, which should run again.
        """
        self._waiting = False
        if ids[: self._loaded] != self._ids[: self._loaded]:
            return False
        self._ids = ids
        self._total = len(ids)
        self.fetchMore(QModelIndex())
        return True

    @property
    def total(self) -> int:
        """How many cards match (loaded or not)."""
        return self._total

    @property
    def loaded(self) -> int:
        """How many rows the view can see now."""
        return self._loaded

    def card_id(self, row: int) -> int:
        """The card id shown on a row."""
        return self._ids[row]

    def row_data(self, row: int) -> BrowseRow | None:
        """The loaded data of a row (None for a card that no longer exists)."""
        return self._rows.get(self._ids[row])

    def rows_of(self, card_ids: Sequence[int]) -> list[int]:
        """The loaded rows showing these cards, top to bottom (cards not loaded are left out)."""
        wanted = set(card_ids)
        return [row for row in range(self._loaded) if self._ids[row] in wanted]

    # ----- Qt model API ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._waiting and self._loaded < self._total

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._waiting or self._loaded >= self._total:
            return
        chunk = self._ids[self._loaded : self._loaded + PAGE]
        if not chunk:  # past the first page: the page looks up every id off the UI thread
            self._waiting = True
            self.ids_needed.emit()
            return
        rows = self._fetch_rows(chunk)
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + len(chunk) - 1)
        self._rows.update((row.id, row) for row in rows)
        self._loaded += len(chunk)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][0]
        if key in browse.SORTS:  # tags are not an order
            self.sort_requested.emit(key, order == Qt.SortOrder.DescendingOrder)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows.get(self._ids[index.row()])
        key = COLUMNS[index.column()][0]
        if row is None:
            return (
                "(card removed)"
                if role == Qt.ItemDataRole.DisplayRole and key == "question"
                else None
            )
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        if role == SUSPENDED_ROLE:
            return row.suspended
        if role == Qt.ItemDataRole.BackgroundRole and key == "domain":
            color = QColor(domain_color(row.domain))
            color.setAlpha(70)
            return color
        if role == Qt.ItemDataRole.BackgroundRole and row.suspended:
            color = QColor(colors().hard_border)
            color.setAlpha(45)
            return color
        if role == Qt.ItemDataRole.ForegroundRole and (row.suspended or row.archived):
            return _MUTED
        if role == Qt.ItemDataRole.FontRole and row.suspended:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and key in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "domain":
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def _text(self, row: BrowseRow, key: str) -> str:
        if key == "question":
            prefix = "[archived] " if row.archived else ""  # suspended rows are tinted
            return prefix + " ".join(row.question.split())
        if key == "tags":
            return ", ".join(row.tags)
        if key == "domain":
            # The tint and the tooltip carry the name; "—" is a card with no domain.
            return "—" if row.domain == NO_DOMAIN else str(row.domain)
        if key == "task":
            return row.task or ""
        if key == "due":
            return row.due or "new"
        if key == "interval":
            return f"{row.interval} d" if row.due else ""
        if key == "ease":
            return f"{row.easiness / 100:.2f}" if row.due else ""
        if key == "reviews":
            return str(row.reviews)
        if key == "lapses":
            return str(row.lapses)
        return row.key

    def _tooltip(self, row: BrowseRow, key: str) -> str | None:
        # Qt shows a tooltip that looks like markup as rich text: the question is escaped.
        if key == "question":
            note = "Suspended: never comes up for study. " if row.suspended else ""
            return as_rich_text(note + row.question)
        if key == "tags" and row.tags:
            return as_rich_text(", ".join(row.tags))
        if key == "domain":
            if row.domain == NO_DOMAIN:
                return f"{NO_DOMAIN_NAME}: studied, left out of readiness (search domain:0)"
            return self._domain_names.get(row.domain)
        if key == "key":
            return row.key  # ids are letters, digits and hyphens
        return None


class BrowsePage(QWidget):
    """Search, preview, and suspend cards. Ctrl+J toggles suspension of the selection."""

    results_loaded = Signal(int)
    """A search finished and the table shows its results: the number of matches."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self._sort = ("due", False)
        self._generation = 0  # of the latest search started
        self._shown: tuple[int, str, str, bool] = (0, "", "due", False)  # what the table shows
        self._searched = False
        self._sized = False
        self._stale = False
        self._build()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._run_query)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.search_edit.returnPressed.connect(self._run_query)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.sort_requested.connect(self._sort_requested)
        self.model.ids_needed.connect(self._load_all_ids)
        self.suspend_button.clicked.connect(lambda: self._set_suspended(True))
        self.unsuspend_button.clicked.connect(lambda: self._set_suspended(False))
        bind(self, "Ctrl+J", self.toggle_suspended, "Suspend or unsuspend the selected cards")
        bind(self, "Ctrl+E", self.edit_card, "Edit the selected card")
        bind(self, "Ctrl+Z", self.undo, "Undo (a suspension, an answer, an added card)")
        bind(self, "Ctrl+Shift+Z", self.redo, "Redo")
        bind(self, "Ctrl+Y", self.redo, "Redo")
        bus.changes_made.connect(self.refresh)
        self._show_preview(None)

    def _build(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(f"Search: {browse.SYNTAX}")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip(
            "Every word must appear in the question, answer or id (any case).\n"
            '"a phrase" matches the words together; a leading - negates a term.\n'
            "domain:3  task:3.2  tag:streaming\n"
            "is:due  is:new  is:suspended  is:leech\n"
            "is:archived (archived cards are hidden otherwise)"
        )
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.RichText)
        self.count_label.setWordWrap(True)

        self.model = BrowseModel(lambda ids: browse.rows(self.library, ids), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        cells, titles = self.table.fontMetrics(), header.fontMetrics()
        saved = self.library.view_state(COLUMNS_STATE)
        widths = saved if isinstance(saved, list) and len(saved) == len(COLUMNS) - 1 else None
        for column, (key, title) in enumerate(COLUMNS[1:], start=1):
            # Room for the cell padding, and for the sort arrow next to a title.
            widest = max(
                cells.horizontalAdvance(_WIDEST[key]) + 14, titles.horizontalAdvance(title) + 24
            )
            width = widths[column - 1] if widths and isinstance(widths[column - 1], int) else widest
            self.table.setColumnWidth(column, max(40, width))
        header.setSortIndicator(
            [key for key, _title in COLUMNS].index("due"), Qt.SortOrder.AscendingOrder
        )
        self.table.setSortingEnabled(True)  # calls sort() once; not connected yet
        self.table.viewport().installEventFilter(self)
        self._save_widths = QTimer(self)
        self._save_widths.setSingleShot(True)
        self._save_widths.setInterval(400)
        self._save_widths.timeout.connect(self._remember_layout)
        header.sectionResized.connect(self._section_resized)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        set_role(self.empty_label, "muted")
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty_label)
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # the query is the user's text
        self.error_label.setWordWrap(True)
        set_role(self.error_label, "error")
        self.error_label.hide()

        self.meta = QLabel()
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        self.meta.setWordWrap(True)
        self.preview = CardBrowser()
        self.suspend_button = QPushButton("Suspend")
        self.suspend_button.setToolTip("Suspended cards never come up for study (Ctrl+J toggles)")
        self.unsuspend_button = QPushButton("Unsuspend")
        self.unsuspend_button.setToolTip("Bring suspended cards back into study (Ctrl+J toggles)")

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add card…")
        self.add_button.setToolTip("Add a card to your own decks (Ctrl+N)")
        self.add_button.clicked.connect(self.add_card)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.suspend_button)
        buttons.addWidget(self.unsuspend_button)
        buttons.addStretch(1)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.meta)
        side_layout.addSpacing(4)
        side_layout.addWidget(self.preview, 1)
        side_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table_stack)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        self.splitter = splitter
        splitter.setChildrenCollapsible(False)
        splitter.splitterMoved.connect(lambda _pos, _index: self._save_widths.start())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error_label)
        layout.addWidget(splitter, 1)

    # ----- column widths and the split ---------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Refit the Question column when the table's width changes."""
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_question_column()
        return super().eventFilter(watched, event)

    def fit_question_column(self) -> None:
        """The Question column takes the spare width, never less than ``QUESTION_MIN``."""
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(1, len(COLUMNS)))
        spare = self.table.viewport().width() - others
        self._fitting = True
        try:
            header.resizeSection(0, max(QUESTION_MIN, spare))
        finally:
            self._fitting = False

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if column > 0 and not getattr(self, "_fitting", False):
            self.fit_question_column()
            self._save_widths.start()

    def _remember_layout(self) -> None:
        header = self.table.horizontalHeader()
        self.library.save_view_state(
            COLUMNS_STATE, [header.sectionSize(c) for c in range(1, len(COLUMNS))]
        )
        self.library.save_view_state(SPLITTER_STATE, self.splitter.sizes())

    # ----- searching -------------------------------------------------------------------

    def query(self) -> str:
        """The search text."""
        return self.search_edit.text()

    def focus_search(self) -> None:
        """Put the keyboard in the search field, its text selected (Ctrl+F)."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def set_query(self, text: str) -> None:
        """Search for ``text`` now (no debounce), as if typed and Enter pressed."""
        self.search_edit.setText(text)
        self._run_query()

    def refresh(self, changes: Changes) -> None:
        """Re-run the current search when cards, content or settings changed.

        Settings count because they choose the exam, the study day (``is:due``) and the
        preview's theme. The selection and the rows loaded so far are kept.
        """
        if not (changes.cards or changes.content or changes.reviews or changes.settings):
            return
        if self.isVisible():
            self._run_query(keep_view=True)
        elif self._searched:
            self._stale = True  # a hidden page searches again when shown

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:  # first show: the saved split, or most of the width to the table
            self._sized = True
            saved = self.library.view_state(SPLITTER_STATE)
            if (
                isinstance(saved, list)
                and len(saved) == 2
                and all(isinstance(n, int) for n in saved)
            ):
                self.splitter.setSizes(saved)
            else:
                width = max(self.splitter.width(), 600)
                self.splitter.setSizes([width * 63 // 100, width * 37 // 100])
            self.fit_question_column()
        if not self._searched or self._stale:
            self._run_query(keep_view=self._searched)

    def _sort_requested(self, key: str, descending: bool) -> None:
        self._sort = (key, descending)
        self._run_query()

    def _run_query(self, keep_view: bool = False) -> None:
        self._debounce.stop()
        self._searched = True
        self._stale = False
        self._generation += 1
        generation = self._generation
        text = self.search_edit.text()
        try:
            browse.validate(text)
        except UserError as exc:
            self._show_error(exc)
            return
        sort, descending = self._sort
        library = self.library
        limit = max(PAGE, self.model.loaded) if keep_view else PAGE
        selected = self.selected_ids() if keep_view else []

        def done(result: browse.BrowseResult) -> None:
            if shiboken6.isValid(self.model) and generation == self._generation:
                self._shown = (generation, text, sort, descending)
                self._show_results(result, selected)

        def failed(exc: UserError) -> None:
            if shiboken6.isValid(self.model) and generation == self._generation:
                self._show_error(exc)

        run_in_background(
            lambda: browse.search(library, text, sort, descending, limit=limit), done, failed
        )

    def _load_all_ids(self) -> None:
        shown = self._shown
        _generation, text, sort, descending = shown
        library = self.library

        def done(ids: list[int]) -> None:
            # The page may be gone (the window closed) by the time the ids arrive.
            if not shiboken6.isValid(self.model):
                return
            if shown == self._shown and not self.model.set_all_ids(ids):
                self._run_query(keep_view=True)

        run_in_background(lambda: browse.matching_ids(library, text, sort, descending), done)

    def _show_results(self, result: browse.BrowseResult, selected: list[int]) -> None:
        names = {domain.number: domain.name for domain in self.library.exam().domains}
        self.model.set_results(result.total, result.rows, names)
        total = result.total
        self.error_label.hide()
        self.count_label.setText(_plural(total, "card") if total else "No cards match")
        self._show_empty(total, self.search_edit.text())
        self._select(selected)
        self._selection_changed()  # a reset clears the selection without a signal
        self.results_loaded.emit(total)

    def _show_empty(self, total: int, text: str) -> None:
        """The table, or a sentence saying why it is empty and what to try."""
        if total:
            self.table_stack.setCurrentIndex(0)
            return
        if text.strip():
            self.empty_label.setText(
                f"No card matches “{text.strip()}”.\n\nEvery word must appear in the "
                "question, answer or id. Try fewer words, or drop a filter such as is:due; "
                "archived cards show with is:archived."
            )
        else:
            self.empty_label.setText(
                "No cards yet.\n\nAdd a card with Ctrl+N, or a deck folder in Settings."
            )
        self.table_stack.setCurrentIndex(1)

    def _show_error(self, exc: UserError) -> None:
        message = f"Search: {exc}"
        # The old results go: rows under an error would look like its answer.
        self.model.set_results(0, [], {})
        self.table_stack.setCurrentIndex(0)
        self.count_label.clear()
        self.error_label.setText(message)
        self.error_label.show()
        self._selection_changed()
        self.bus.status_message.emit(message)

    # ----- selection and preview -------------------------------------------------------

    def selected_ids(self) -> list[int]:
        """Ids of the selected cards, top to bottom."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.card_id(row) for row in rows]

    def select_ids(self, ids: Sequence[int]) -> None:
        """Select the loaded rows that show these cards (for tests and navigation)."""
        self._select(list(ids))

    def _select(self, ids: list[int]) -> None:
        rows = self.model.rows_of(ids)
        if not rows:
            return
        first = rows[0]
        selection = QItemSelection()
        for row in rows:
            selection.select(self.model.index(row, 0), self.model.index(row, len(COLUMNS) - 1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.table.selectionModel().select(selection, flags)
        self.table.selectionModel().setCurrentIndex(
            self.model.index(first, 0), QItemSelectionModel.SelectionFlag.NoUpdate
        )
        self.table.scrollTo(self.model.index(first, 0))

    def _selection_changed(self, *_args: object) -> None:
        rows = [
            self.model.row_data(index.row()) for index in self.table.selectionModel().selectedRows()
        ]
        present = [row for row in rows if row is not None]
        self.suspend_button.setEnabled(any(not row.suspended for row in present))
        self.unsuspend_button.setEnabled(any(row.suspended for row in present))
        current = self.table.selectionModel().currentIndex()
        if (
            present
            and current.isValid()
            and self.table.selectionModel().isRowSelected(current.row(), QModelIndex())
        ):
            card_id = self.model.card_id(current.row())
        elif present:
            card_id = present[0].id
        else:
            self._show_preview(None)
            return
        try:
            card = self.library.card(card_id)
        except UserError as exc:
            self.bus.status_message.emit(str(exc))
            self._show_preview(None)
            return
        self._show_preview(card)

    def _show_preview(self, card: CardView | None) -> None:
        if card is None:
            self.meta.setText("<span style='color:#8b949e'>Select a card to preview it.</span>")
            self.preview.clear()
            return
        settings = self.library.settings()
        self.preview.setHtml(
            card_html(
                card,
                show_answer=True,
                dark=is_dark(settings["theme"]),
                font_size=int(settings["font_size"]),
            )
        )
        self.meta.setText(_meta_html(card))

    # ----- suspending ------------------------------------------------------------------

    def toggle_suspended(self) -> None:
        """Suspend the selection, or unsuspend it when every selected card is suspended."""
        rows = [
            self.model.row_data(index.row()) for index in self.table.selectionModel().selectedRows()
        ]
        present = [row for row in rows if row is not None]
        if present:
            self._set_suspended(not all(row.suspended for row in present))
        else:
            self.bus.status_message.emit("Select cards to suspend or unsuspend")

    def _set_suspended(self, suspended: bool) -> None:
        ids = self.selected_ids()
        if not ids:
            self.bus.status_message.emit("Select cards to suspend or unsuspend")
            return
        changes = self.library.set_suspended(ids, suspended)
        verb = "Suspended" if suspended else "Unsuspended"
        self.bus.status_message.emit(f"{verb} {_plural(len(ids), 'card')}")
        self.bus.publish(changes)

    def add_card(self) -> None:
        """Open the Add card dialog."""
        AddCardDialog(self.library, self.bus, self).exec()

    def edit_card(self) -> None:
        """Edit the current card (Ctrl+E)."""
        ids = self.selected_ids()
        if not ids:
            self.bus.status_message.emit("Select a card to edit")
            return
        AddCardDialog(self.library, self.bus, self, editing=self.library.card(ids[0])).exec()

    def undo(self) -> None:
        """Undo the last action (a suspension, an answer, an added or edited card)."""
        label = self.library.session.undo_label()
        changes = self.library.undo()
        self.bus.status_message.emit(f"{label} undone" if changes else "Nothing to undo")
        if changes is not None:
            self.bus.publish(changes)

    def redo(self) -> None:
        """Redo the last undone action."""
        changes = self.library.redo()
        self.bus.status_message.emit("Redone" if changes else "Nothing to redo")
        if changes is not None:
            self.bus.publish(changes)


def _meta_html(card: CardView) -> str:
    """Domain, task, tags and schedule of a card as a few lines of rich text."""
    color = domain_color(card.domain)
    esc = html.escape
    lines = [
        (
            f"<span style='color:{color}'>&#9632;</span> <b>{esc(card.domain_name)}</b> · "
            "left out of readiness"
        )
        if card.domain == NO_DOMAIN
        else f"<span style='color:{color}'>&#9632;</span> <b>Domain {card.domain}</b> · "
        f"{esc(card.domain_name)}"
    ]
    if card.task:
        lines.append(
            f"Task {esc(card.task)}" + (f" · {esc(card.task_title)}" if card.task_title else "")
        )
    if card.tags:
        lines.append("Tags: " + ", ".join(esc(tag) for tag in card.tags))
    if card.due is None:
        schedule = "New card, never reviewed"
    else:
        schedule = f"Due {card.due.isoformat()}"
        if card.exam_due and card.exam_due != card.due:
            schedule += f" (exam-adjusted {card.exam_due.isoformat()})"
        schedule += (
            f" · interval {card.interval_days} d · ease {card.easiness:.2f}"
            f" · {_plural(card.reviews, 'review')} · {_plural(card.lapses, 'lapse')}"
        )
    lines.append(schedule)
    flags = [
        name for name, on in (("Suspended", card.suspended), ("Archived", card.archived)) if on
    ]
    lines.append(" · ".join([*flags, f"<span style='color:#8b949e'>{esc(card.key)}</span>"]))
    return "<br/>".join(lines)
