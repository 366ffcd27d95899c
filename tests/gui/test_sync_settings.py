"""Settings ▸ Study on several computers: choosing the folder runs a pass off the UI
thread, and the page shows the last sync, the devices seen and the problems."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from mlstudy.gui.main_window import MainWindow
from mlstudy.services import Library


def test_choosing_a_sync_folder_syncs_and_shows_the_status(
    qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    page = window.settings_page
    assert "Not syncing" in page.sync_folder.text()
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "mlstudy-sync" / ("a" * 32)).mkdir(parents=True)
    (shared / "mlstudy-sync" / ("a" * 32) / "000000000001-000000000001.jsonl").write_text("{")
    with qtbot.waitSignal(window.sync_watcher.synced, timeout=10_000):
        page.set_sync_folder(str(shared))
    assert str(shared) in page.sync_folder.text()
    status = page.sync_status.toPlainText()
    assert "2 computer(s) seen" in status
    assert "000000000001-000000000001.jsonl" in status and "skipped" in status
    today = window.today_page.sync_status.text()
    assert "with 1 other computer(s)" in today and "1 problem(s): see Settings" in today
    window.show_page("settings")
    window.grab().save(str(tmp_path / "settings-sync.png"))
