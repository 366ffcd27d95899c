"""The main window: navigation, pages, menus, status bar, geometry."""

from __future__ import annotations

import base64
from collections.abc import Callable

from PySide6.QtCore import (
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
)
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from mlstudy import __version__
from mlstudy.errors import UserError
from mlstudy.gui.add_card_dialog import AddCardDialog
from mlstudy.gui.anki_dialogs import export_cards, import_package
from mlstudy.gui.browse_page import BrowsePage
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.deck_watcher import DeckWatcher
from mlstudy.gui.dialogs import TextDialog
from mlstudy.gui.exam_picker import picker_label, switch_exam
from mlstudy.gui.icons import nav_icon
from mlstudy.gui.plan_page import PlanPage
from mlstudy.gui.practice_page import PracticePage
from mlstudy.gui.reminders import Reminder
from mlstudy.gui.review_page import ReviewPage
from mlstudy.gui.settings_page import SettingsPage
from mlstudy.gui.shortcuts import Entry, action_entries, help_text, widget_entries
from mlstudy.gui.sync_watcher import SyncWatcher
from mlstudy.gui.theme import apply_theme, colors, next_zoom, zoom
from mlstudy.gui.today_page import TodayPage
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Changes, Library, SyncReport
from mlstudy.services.exams import list_exams
from mlstudy.services.sync import SyncResult

PRACTICE_KEYS: list[Entry] = [
    ("A–E, 1–9", "Choose an option (toggle in multiple response)"),
    ("Space", "Toggle the current option (multiple response)"),
    ("Backspace", "Ordering: take back the last step"),
    ("1–9, then a letter", "Matching: pick a left item, then its match"),
    ("N, P", "Next, previous question"),
    ("F", "Flag or unflag the question"),
    ("R", "Review screen: answered, unanswered, flagged"),
    ("Enter", "Practice mode: check the answer and show the explanations"),
    ("Ctrl+Enter", "Submit"),
    ("Esc", "Back to the exam list (the attempt can be resumed)"),
]
"""The Practice page reads these keys in its key handler (they depend on the question)."""
PAGE_TITLES = {
    "today": "Today",
    "review": "Review",
    "practice": "Practice",
    "browse": "Browse",
    "plan": "Plan",
    "progress": "Progress",
    "settings": "Settings",
}
NAV_WIDTH = 168


COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
"""Sidebar item data: a number drawn at the item's right edge (None: none)."""


class _CountDelegate(QStyledItemDelegate):
    """Draws a sidebar item, and its count right-aligned in the muted colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        count = index.data(COUNT_ROLE)
        if not count:
            return
        painter.save()
        font = option.font
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(option.palette.color(option.palette.ColorRole.Link))
        rect = option.rect.adjusted(0, 0, -10, 0)
        painter.drawText(
            rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(count)
        )
        painter.restore()


class _LazyPage(QWidget):
    """Holds a page that is built the first time it is shown."""

    def __init__(self, factory: Callable[[], QWidget]) -> None:
        super().__init__()
        self._factory = factory
        self.page: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure(self) -> QWidget:
        """Build the page now if it is not built yet."""
        if self.page is None:
            self.page = self._factory()
            self._layout.addWidget(self.page)
        return self.page

    def refresh(self, changes: Changes | None = None) -> None:
        """Forward to the page once it exists."""
        refresh = getattr(self.page, "refresh", None)
        if refresh is not None:
            refresh(changes)


class MainWindow(QMainWindow):
    """Navigation on the left, one page at a time on the right."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = ChangeBus(self)
        self.setWindowTitle("mlstudy")
        self.setMinimumSize(820, 560)
        self.today_page = TodayPage(library, self.bus)
        self.review_page = ReviewPage(library, self.bus)
        self.practice_page = PracticePage(library, self.bus)
        self.browse_page = BrowsePage(library, self.bus)
        self.settings_page = SettingsPage(library, self.bus)
        self.plan_page = PlanPage(library, self.bus)
        self.reminder = Reminder(library, self.bus, self)
        self.progress_holder = _LazyPage(self._make_progress_page)
        self.pages: dict[str, QWidget] = {
            "today": self.today_page,
            "review": self.review_page,
            "practice": self.practice_page,
            "browse": self.browse_page,
            "plan": self.plan_page,
            "progress": self.progress_holder,
            "settings": self.settings_page,
        }
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setItemDelegate(_CountDelegate(self.nav))
        self.stack = QStackedWidget()
        self._names: list[str] = []
        for name, page in self.pages.items():
            item = QListWidgetItem(PAGE_TITLES[name])
            item.setToolTip(f"{PAGE_TITLES[name]} (Ctrl+{len(self._names) + 1})")
            self.nav.addItem(item)
            self.stack.addWidget(page)
            self._names.append(name)
        self.nav.currentRowChanged.connect(self._row_changed)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # The status bar exists from the start, so a first message never shifts the page.
        self.status = self.statusBar()
        self.status.setSizeGripEnabled(False)
        self.status.setMinimumHeight(self.status.sizeHint().height())
        self._menus()
        self._apply_zoom(float(library.view_state("ui_zoom") or 1.0), initial=True)
        self.update_nav_counts()
        self.bus.changes_made.connect(self._changes_made)
        self.bus.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.bus.navigate_requested.connect(self.show_page)
        self.bus.card_requested.connect(self.show_card)
        self.watcher = DeckWatcher(library, self)
        self.watcher.synced.connect(self._synced)
        self.watcher.failed.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self._restore_geometry()
        self.show_page("today")
        if library.setting_problems:  # defaults are in use; the log has every one
            self.statusBar().showMessage("; ".join(library.setting_problems), 15000)
        QTimer.singleShot(0, self.watcher.sync_now)
        self.sync_watcher = SyncWatcher(library, self)
        self.sync_watcher.synced.connect(self._studied_elsewhere)
        self.sync_watcher.failed.connect(self.settings_page.show_sync_failure)
        self.settings_page.sync_requested.connect(self.sync_watcher.sync_now)
        QTimer.singleShot(0, self.sync_watcher.sync_now)
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(5 * 60 * 1000)
        self._backup_timer.timeout.connect(self._auto_backup)
        self._backup_timer.start()

    def _make_progress_page(self) -> QWidget:
        # pyqtgraph and numpy load on first use of the page, not at start-up.
        from mlstudy.gui.progress_page import ProgressPage

        return ProgressPage(self.library, self.bus)

    @property
    def progress_page(self) -> QWidget:
        """The Progress page (created on first use)."""
        return self.progress_holder.ensure()

    # ----- navigation ----------------------------------------------------------------

    def show_page(self, name: str) -> None:
        """Show a page by name and give it the keyboard."""
        index = self._names.index(name)
        if self.nav.currentRow() != index:
            self.nav.setCurrentRow(index)
        else:
            self._row_changed(index)

    def show_card(self, key: str) -> None:
        """Show one card in Browse (a linked card of a practice question)."""
        self.show_page("browse")
        self.browse_page.set_query(f'"{key}"')

    def current_page_name(self) -> str:
        """The name of the page on screen."""
        return self._names[self.stack.currentIndex()]

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        name = self._names[row]
        self.stack.setCurrentIndex(row)
        self.setWindowTitle(f"{PAGE_TITLES[name]} — mlstudy")
        page = self.pages[name]
        if name == "review":
            self.review_page.start()
        elif name == "progress":
            self.progress_holder.ensure()
        elif name == "today":
            self.today_page.refresh()
        page.setFocus()

    def search_cards(self) -> None:
        """Go to Browse with the keyboard in its search field (Ctrl+F)."""
        self.show_page("browse")
        self.browse_page.focus_search()

    def update_nav_counts(self) -> None:
        """The sidebar's counts: cards left today next to Review and Today."""
        left = self.library.counts().left
        for name in ("today", "review"):
            item = self.nav.item(self._names.index(name))
            item.setData(COUNT_ROLE, left or None)
        self.nav.viewport().update()

    def _paint_nav_icons(self) -> None:
        color = colors().text
        for row, name in enumerate(self._names):
            self.nav.item(row).setIcon(nav_icon(name, color))

    def zoom_by(self, step: int) -> None:
        """One UI zoom step up (+1) or down (-1), or back to 100 % (0)."""
        self._apply_zoom(1.0 if step == 0 else next_zoom(zoom(), step))
        self.statusBar().showMessage(f"Zoom {zoom() * 100:.0f} %", 3000)

    def _apply_zoom(self, factor: float, initial: bool = False) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and not (initial and factor == 1.0):
            apply_theme(app, self.library.settings()["theme"], factor)
            if not initial:
                self.library.save_view_state("ui_zoom", factor)
        current = zoom()
        self.nav.setFixedWidth(round(NAV_WIDTH * current))
        size = round(18 * current)
        self.nav.setIconSize(QSize(size, size))
        self._paint_nav_icons()
        if not initial and self.review_page.card is not None:
            self.review_page.show_card(self.review_page.card)  # the card's text scales too

    def show_shortcuts(self) -> None:
        """The F1 list: the menus' shortcuts and each page's keys, as bound."""
        menus = [
            action
            for menu in self.menuBar().findChildren(QMenu)
            for action in menu.actions()
            if not action.isSeparator()
        ]
        sections = [
            ("Anywhere", action_entries(menus)),
            ("Today", widget_entries(self.today_page)),
            ("Review", widget_entries(self.review_page)),
            ("Practice", PRACTICE_KEYS),
            ("Browse", widget_entries(self.browse_page)),
        ]
        dialog = TextDialog("Keyboard shortcuts", help_text(sections), self)
        dialog.use_fixed_font()
        dialog.show()
        self.shortcuts_dialog = dialog

    def add_card(self) -> None:
        """Open the Add card dialog (Ctrl+N, and the Browse page's button)."""
        AddCardDialog(self.library, self.bus, self).exec()

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        sync = QAction("&Reload decks", self)
        sync.setShortcut(QKeySequence("F5"))
        sync.triggered.connect(self.watcher_sync)
        file_menu.addAction(sync)
        add_card = QAction("&Add card…", self)
        add_card.setShortcut(QKeySequence("Ctrl+N"))
        add_card.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        add_card.triggered.connect(self.add_card)
        file_menu.addAction(add_card)
        self.addAction(add_card)
        file_menu.addSeparator()
        export = QAction("&Export to Anki…", self)
        export.triggered.connect(lambda: export_cards(self.library, self, self._report))
        file_menu.addAction(export)
        import_action = QAction("&Import Anki package…", self)
        import_action.setShortcut(QKeySequence("Ctrl+I"))
        import_action.triggered.connect(
            lambda: import_package(self.library, self, self._report, self.bus.publish)
        )
        file_menu.addAction(import_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.addAction(quit_action)
        go_menu = self.menuBar().addMenu("&Go")
        for number, name in enumerate(self.pages, start=1):
            action = QAction(PAGE_TITLES[name], self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, n=name: self.show_page(n))
            go_menu.addAction(action)
        go_menu.addSeparator()
        search = QAction("&Search cards", self)
        search.setShortcut(QKeySequence.StandardKey.Find)
        search.triggered.connect(self.search_cards)
        go_menu.addAction(search)
        view_menu = self.menuBar().addMenu("&View")
        for text, keys, step in (
            ("Zoom &in", [QKeySequence("Ctrl+="), QKeySequence("Ctrl++")], 1),
            ("Zoom &out", [QKeySequence("Ctrl+-")], -1),
            ("&Actual size", [QKeySequence("Ctrl+0")], 0),
        ):
            action = QAction(text, self)
            action.setShortcuts(keys)
            action.triggered.connect(lambda _=False, s=step: self.zoom_by(s))
            view_menu.addAction(action)
        self.exam_menu = self.menuBar().addMenu("E&xam")
        self.exam_menu.aboutToShow.connect(self._list_exams)
        self._list_exams()
        help_menu = self.menuBar().addMenu("&Help")
        keys_action = QAction("&Keyboard shortcuts", self)
        keys_action.setShortcut(QKeySequence("F1"))
        keys_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys_action)
        about = QAction("&About mlstudy", self)
        about.triggered.connect(
            lambda: TextDialog(
                "About mlstudy",
                f"mlstudy {__version__}\n\n{self.library.exam().display_name}\n"
                f"{self.library.exam().status_note}\n\nData: {self.library.data_dir}",
                self,
            ).show()
        )
        help_menu.addAction(about)

    def _list_exams(self) -> None:
        """The Exam menu: every pack, the selected one checked; choosing one switches."""
        self.exam_menu.clear()
        group = QActionGroup(self.exam_menu)
        for info in list_exams(self.library):
            action = QAction(picker_label(info), self.exam_menu)
            action.setCheckable(True)
            action.setChecked(info.selected)
            action.setData(info.code)
            action.triggered.connect(lambda _=False, code=info.code: self.switch_exam(code))
            group.addAction(action)
            self.exam_menu.addAction(action)

    def switch_exam(self, code: str) -> None:
        """Study another exam pack; a card of the old one on the Review page is put away."""
        if switch_exam(self.library, self.bus, code) and self.current_page_name() == "review":
            self.show_page("today")

    def _report(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    def watcher_sync(self) -> None:
        """Reload the decks now (F5)."""
        self.statusBar().showMessage("Reloading decks…")
        self.watcher.sync_now()

    # ----- changes -------------------------------------------------------------------

    def _changes_made(self, changes: Changes) -> None:
        if changes.settings:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, self.library.settings()["theme"])
            self.watcher.watch()
            if changes.content:
                self.watcher.sync_now()
        if changes.settings:
            self._paint_nav_icons()  # the theme may have changed
        for page in self.pages.values():
            refresh = getattr(page, "refresh", None)
            if refresh is not None and page is not self.review_page:
                refresh(changes)
        self.update_nav_counts()

    def _synced(self, report: SyncReport) -> None:
        self.settings_page.show_sync_report(report)
        if report.problems:
            self.statusBar().showMessage(
                f"Decks reloaded with {len(report.problems)} problem(s): {report.problems[0]}",
                15000,
            )
        elif report.changes.content:
            self.statusBar().showMessage(
                f"Decks reloaded: {report.added} added, {report.updated} updated, "
                f"{report.archived} archived, {report.revived} restored",
                8000,
            )
        if report.changes.content:
            self.bus.publish(report.changes)
        if report.added or report.revived:
            # Answers from other computers may be waiting for these cards: merge them now
            # rather than at the next pass, minutes away.
            self.sync_watcher.sync_now()

    def _studied_elsewhere(self, result: SyncResult | None) -> None:
        self.settings_page.show_sync_result(result)
        self.today_page.show_sync_result(result)
        if result is not None and result.changes.kinds():
            self.bus.publish(result.changes)
            self.statusBar().showMessage(
                f"Synced with your other computers: {result.received} received", 8000
            )

    def _auto_backup(self) -> None:
        # Bound methods, not lambdas: the worker drops them if the window is gone by then.
        run_in_background(self.library.maybe_auto_backup, self._backed_up, self._backup_failed)

    def _backed_up(self, _path: object) -> None:
        pass

    def _backup_failed(self, exc: UserError) -> None:
        self.statusBar().showMessage(f"Automatic backup failed: {exc}", 15000)

    # ----- geometry ------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        saved = self.library.view_state("window_geometry")
        if saved:
            self.restoreGeometry(QByteArray(base64.b64decode(saved)))
        else:
            self.resize(1100, 760)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the window geometry and the time used of an open practice exam."""
        self.practice_page.suspend()
        # The last answers go to the other computers: one more pass, off the UI thread.
        self.sync_watcher.sync_now()
        QThreadPool.globalInstance().waitForDone(10_000)
        geometry = base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")
        self.library.save_view_state("window_geometry", geometry)
        super().closeEvent(event)
