"""Review introduces a domain's new cards task by task, whatever order the deck has."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.review_page import ReviewPage
from mlstudy.services import Library
from tests.conftest import FakeClock
from tests.services.test_new_card_order import LATER, MIXED, make_pack


def test_review_shows_new_cards_in_task_order(
    qtbot: QtBot, tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    make_pack(pack, {"a.md": MIXED, "b.md": LATER})
    with Library.open(tmp_path / "data", clock=clock, content_root=pack) as library:
        library.set_focus_domain(1)
        page = ReviewPage(library, ChangeBus())
        qtbot.addWidget(page)
        page.show()
        qtbot.waitExposed(page)
        page.activateWindow()
        qtbot.waitUntil(page.isActiveWindow)
        page.start()
        shown: list[str] = []
        while page.card is not None and page.card.kind == "new":
            shown.append(page.card.key)
            qtbot.keyClick(page, Qt.Key.Key_Space)
            qtbot.keyClick(page, Qt.Key.Key_5)
        assert shown == ["o-11", "o-12a", "o-12b", "o-13", "o-none"]
        page.close()
