"""File ▸ Export to Anki… and File ▸ Import…, driven through the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot

from mlstudy.gui import anki_dialogs
from mlstudy.gui.main_window import MainWindow
from mlstudy.gui.worker import wait_for_background
from mlstudy.services import Library

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "anki"


def menu_action(window: MainWindow, text: str) -> object:
    for action in window.menuBar().actions()[0].menu().actions():
        if action.text().replace("&", "").startswith(text):
            return action
    raise AssertionError(f"no File menu entry {text!r}")


def test_export_from_the_file_menu_writes_the_package(
    qtbot: QtBot, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    target = tmp_path / "phone"

    def accept(dialog: QDialog) -> int:
        dialog.domain.setCurrentIndex(3)  # domain 3 only
        dialog.with_progress.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(anki_dialogs.ExportDialog, "exec", accept)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    menu_action(window, "Export to Anki").trigger()
    wait_for_background()
    qtbot.waitUntil(lambda: "Exported" in window.statusBar().currentMessage())
    assert window.statusBar().currentMessage().startswith("Exported 3 cards in 1 decks")
    assert (tmp_path / "phone.apkg").stat().st_size > 1000


def test_import_from_the_file_menu_previews_then_imports(
    qtbot: QtBot, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    seen: list[str] = []

    def accept(dialog: QDialog) -> int:
        seen.append(dialog.summary.text())
        dialog.domain.setCurrentIndex(1)  # domain 1
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(anki_dialogs.ImportDialog, "exec", accept)
    package = FIXTURES / "current.apkg"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(package), ""))
    menu_action(window, "Import Anki package").trigger()
    qtbot.waitUntil(lambda: "Imported" in window.statusBar().currentMessage(), timeout=10000)
    assert "<b>5 cards</b> from 3 notes" in seen[0]
    assert "Note type “Cloze”: 1 note<" in seen[0]
    assert "anki-aws-ml-streaming.md" in window.statusBar().currentMessage()
    assert (library.data_dir / "decks" / "anki-aws-ml-streaming.md").is_file()


def test_import_with_the_progress_box_ticked_brings_the_anki_state(
    qtbot: QtBot, library: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    labels: list[str] = []

    def accept(dialog: QDialog) -> int:
        labels.append(dialog.with_progress.text())
        dialog.domain.setCurrentIndex(1)
        dialog.with_progress.setChecked(True)
        dialog.grab().save(str(tmp_path / "import-dialog.png"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(anki_dialogs.ImportDialog, "exec", accept)
    package = FIXTURES / "legacy.apkg"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(package), ""))
    menu_action(window, "Import Anki package").trigger()
    qtbot.waitUntil(lambda: "Imported" in window.statusBar().currentMessage(), timeout=10000)
    assert labels == ["Bring my Anki progress: 1 scheduled card, 2 answers of history"]
    message = window.statusBar().currentMessage()
    assert "progress: 1 card state set, 2 Anki answers logged" in message


def test_browse_shows_the_interval_and_ease_of_an_imported_card(
    qtbot: QtBot, library: Library
) -> None:
    from mlstudy.gui.browse_page import COLUMNS, BrowsePage
    from mlstudy.gui.bus import ChangeBus
    from mlstudy.services.interop import import_from_anki

    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    page = BrowsePage(library, ChangeBus())
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.show()
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.set_query("kinesis shard")
    assert page.model.rowCount() == 1
    keys = [key for key, _ in COLUMNS]
    cells = {key: page.model.data(page.model.index(0, keys.index(key))) for key in keys}
    # No answer in mlstudy yet, but a state: Anki's interval and ease show.
    assert (cells["due"], cells["interval"], cells["ease"]) == ("2026-12-10", "5 d", "2.50")
    assert (cells["reviews"], cells["lapses"]) == ("0", "0")


def test_import_defaults_to_no_domain_for_untagged_cards(
    qtbot: QtBot, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlstudy.gui.review_page import meta_line

    window = MainWindow(library)
    qtbot.addWidget(window)
    seen: list[tuple[str, object, str]] = []

    def accept(dialog: QDialog) -> int:
        seen.append(
            (dialog.domain.currentText(), dialog.domain.currentData(), dialog.summary.text())
        )
        return QDialog.DialogCode.Accepted  # the default choice, untouched

    monkeypatch.setattr(anki_dialogs.ImportDialog, "exec", accept)
    package = FIXTURES / "current.apkg"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(package), ""))
    menu_action(window, "Import Anki package").trigger()
    qtbot.waitUntil(lambda: "Imported" in window.statusBar().currentMessage(), timeout=10000)
    ((label, data, summary),) = seen
    assert (label, data) == ("No domain (left out of readiness)", None)
    assert "4 cards with no domain in the Anki tags" in summary
    assert "(4 with no domain, left out of readiness)" in window.statusBar().currentMessage()
    while (card := library.next_card()) is not None and card.domain != 0:
        library.answer(card.id, 5)
    assert card is not None  # a card with no domain comes up for study
    assert "<b>No domain (left out of readiness)</b>" in str(meta_line(card))
