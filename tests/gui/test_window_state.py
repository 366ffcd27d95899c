"""Window geometry is view state: saving it never makes the library take a backup."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from pytestqt.qtbot import QtBot

from mlstudy.gui.main_window import MainWindow
from mlstudy.services import Library
from tests.conftest import FakeClock


def test_a_session_without_studying_ends_without_a_backup(
    qtbot: QtBot, tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    data = tmp_path / "data"
    Library.open(data, clock=clock, tz=UTC, content_root=pack).close()  # first sync
    clock.advance(hours=1)
    library = Library.open(data, clock=clock, tz=UTC, content_root=pack)
    backups = library.backups()
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.watcher._running)
    window.resize(900, 700)
    window.close()
    clock.advance(minutes=1)
    library.close()
    assert library.backups() == backups
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as again:
        assert again.view_state("window_geometry")  # the geometry was saved all the same
