"""Start-up of the desktop app, in one place: Qt, logging, crash handler, library, window."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mlstudy import paths
from mlstudy.errors import UserError
from mlstudy.services.safety import DamagedLibraryError

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QWidget

    from mlstudy.services import CardView, Library

log = logging.getLogger("mlstudy")


def _configure_logging(data_dir: Path) -> Path:
    log_file = paths.log_path(data_dir)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return log_file


def run_app(data_dir: str | None = None, smoke_test: bool = False, exam: str | None = None) -> int:
    """Open the library and run the main window until it closes; return the exit code."""
    if smoke_test:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return _smoke_test(data_dir)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from mlstudy.gui.crash import install_crash_handlers
    from mlstudy.gui.dialogs import FirstRunDialog, confirm, show_error
    from mlstudy.gui.main_window import MainWindow
    from mlstudy.gui.theme import apply_theme
    from mlstudy.gui.worker import wait_for_background
    from mlstudy.services import Library

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(paths.APP_NAME)
    app.setOrganizationName(paths.APP_AUTHOR)
    app.setDesktopFileName("io.github.mlstudy.mlstudy")
    app.setWindowIcon(QIcon(str(paths.app_icon_path())))
    try:
        # A first start loads the decks before the window exists; later starts show the
        # window at once and sync in the background.
        try:
            library = Library.open(data_dir, sync=False)
        except DamagedLibraryError as damaged:
            library = _recover(damaged, data_dir, confirm)
        if not library.has_content():
            library.sync_content()
        if exam is not None:
            library.override_exam(exam)
    except UserError as exc:
        show_error(None, str(exc))
        print(f"mlstudy: error: {exc}", file=sys.stderr)
        return 1
    log_file = _configure_logging(library.data_dir)
    # Uncaught errors of any thread reach the crash dialog; hard crashes leave stacks.
    # The hooks hold the reporter, so it lives as long as the app.
    install_crash_handlers(log_file, paths.fault_log_path(library.data_dir))
    try:
        apply_theme(app, library.settings()["theme"])
        if not library.settings()["first_run_done"]:
            FirstRunDialog(library).exec()
        window = MainWindow(library)
        window.show()
        return int(app.exec())
    finally:
        wait_for_background()
        library.close()


def _peak_memory_note() -> str:
    """ ", peak memory 180 MB" where the OS tells (Linux), else nothing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return f", peak memory {int(line.split()[1]) // 1024} MB"
    except OSError:
        pass
    return ""


def _recover(
    damaged: DamagedLibraryError,
    data_dir: str | None,
    confirm: Callable[[QWidget | None, str], bool],
) -> Library:
    """After a damaged database was moved aside: offer the newest good backup."""
    from mlstudy.services import Library

    library = Library.open(data_dir, sync=False)
    if damaged.backup is not None and confirm(
        None,
        f"Your library database was damaged ({damaged.reason}) and was moved to "
        f"{damaged.damaged}.\n\nRestore the newest good backup, "
        f"{damaged.backup.name}?",
    ):
        library.restore(damaged.backup)
    return library


def _any_card(library: Library) -> CardView | None:
    """The first card of the library in Browse order, whatever its state."""
    from mlstudy.services.browse import search

    found = search(library, "", limit=1).rows
    return library.card(found[0].id) if found else None


def _smoke_test(data_dir: str | None) -> int:
    """Build the main window offscreen on a library, render a card, exit 0."""
    from PySide6.QtWidgets import QApplication

    from mlstudy.gui.main_window import MainWindow
    from mlstudy.gui.worker import wait_for_background
    from mlstudy.services import Library

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="mlstudy-smoke-") as scratch:
        library = Library.open(data_dir or scratch)
        try:
            window = MainWindow(library)
            window.show()
            card = window.review_page.start()
            if card is None:
                # A finished day (or an empty queue): render any card as a preview.
                card = _any_card(library)
                if card is None:
                    raise UserError("smoke test: the library has no card to render")
                window.review_page.show_card(card)
            app.processEvents()
            html = window.review_page.current_html()
            if not html or card.question[:20] not in window.review_page.text():
                raise UserError("smoke test: the card did not render")
            print(f"first card shown: {card.key}", flush=True)
            window.close()
            wait_for_background()
            print(
                f"smoke test ok: {library.counts().new} new cards, rendered {card.key}"
                f"{_peak_memory_note()}"
            )
        finally:
            library.close()
    return 0
