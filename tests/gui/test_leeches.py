"""A card failed 8 times becomes a leech: Review hints, Browse and Progress find it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mlstudy.core.leech import LEECH_HINT
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.progress_page import ProgressPage
from mlstudy.gui.review_page import ReviewPage
from mlstudy.services import Library
from mlstudy.services.browse import matching_ids
from mlstudy.services.progress import compute_progress
from tests.conftest import FakeClock


def fail_on_days(library: Library, clock: FakeClock, days: int) -> int:
    """Fail the same card on ``days`` study days (one state-changing answer a day)."""
    card = library.next_card()
    assert card is not None
    for _ in range(days):
        library.answer(card.id, 1)
        library.answer(card.id, 2)  # a same-day drill answer: no lapse
        clock.advance(days=1)
    return card.id


def review_page(qtbot: QtBot, library: Library) -> tuple[ReviewPage, list[str]]:
    bus = ChangeBus()
    page = ReviewPage(library, bus)
    qtbot.addWidget(page)
    messages: list[str] = []
    bus.status_message.connect(messages.append)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.start()
    return page, messages


def test_a_card_becomes_a_leech_at_its_eighth_failure(
    qtbot: QtBot, library: Library, clock: FakeClock
) -> None:
    card_id = fail_on_days(library, clock, 7)
    assert library.card(card_id).lapses == 7
    page, messages = review_page(qtbot, library)
    assert page.card is not None and page.card.id == card_id  # due first
    assert page.leech_hint.isHidden()  # 7 failures: not yet
    assert matching_ids(library, "is:leech") == []
    qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.keyClick(page, Qt.Key.Key_1)
    card = library.card(card_id)
    assert card.lapses == 8 and card.is_leech
    assert not card.suspended  # the setting is off by default
    assert messages[-1].startswith("That card is now a leech: you keep missing this")
    assert matching_ids(library, "is:leech") == [card_id]
    assert card_id not in matching_ids(library, "-is:leech")
    # Shown again (the same-day drill), it carries the hint.
    page.show_card(library.card(card_id, kind="drill"))
    assert page.leech_hint.isVisible() and page.leech_hint.text() == LEECH_HINT
    assert [leech.card_id for leech in compute_progress(library).leeches] == [card_id]


def test_progress_lists_leeches(qtbot: QtBot, library: Library, clock: FakeClock) -> None:
    card_id = fail_on_days(library, clock, 8)
    page = ProgressPage(library, ChangeBus())
    qtbot.addWidget(page)
    page.show_data(compute_progress(library))
    assert page.leeches.count() == 1
    assert library.card(card_id).question in page.leeches.item(0).text()
    assert "8 lapses" in page.leeches.item(0).text()
    assert page.leeches_title.text().startswith("Leeches: 1 card you keep missing")


def test_leeches_are_suspended_only_when_settings_say_so_and_undo_lifts_it(
    qtbot: QtBot, library: Library, clock: FakeClock
) -> None:
    library.update_settings(suspend_leeches=True)
    card_id = fail_on_days(library, clock, 7)
    assert not library.card(card_id).suspended
    page, messages = review_page(qtbot, library)
    qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.keyClick(page, Qt.Key.Key_0)
    assert library.card(card_id).suspended
    assert messages[-1].endswith("It is suspended, as Settings ask.")
    assert page.card is None or page.card.id != card_id  # a suspended card is not drilled
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    card = library.card(card_id)
    assert (card.suspended, card.lapses) == (False, 7)
    qtbot.keyClick(page, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    card = library.card(card_id)
    assert (card.suspended, card.lapses) == (True, 8)
