"""The daily reminder on a faked clock: once a day, past its time, with cards left."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from mlstudy.errors import UserError
from mlstudy.gui.main_window import MainWindow
from mlstudy.services import Library
from tests.conftest import FakeClock


def test_the_reminder_fires_once_at_its_time_and_opens_today(
    qtbot: QtBot, library: Library, clock: FakeClock
) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    reminder = window.reminder
    shown: list[str] = []
    reminder.reminder_shown.connect(shown.append)
    assert not reminder.check()  # no reminder chosen: never
    library.update_settings(reminder_time="18:30")
    assert not reminder.check()  # 12:00: not yet
    clock.advance(hours=6, minutes=29)
    assert not reminder.check()  # 18:29
    clock.advance(minutes=1)
    assert reminder.check()
    # The small pack: 5 new cards at a minute each.
    assert shown == ["5 cards, about 5 minutes left today"]
    clock.advance(minutes=30)
    assert not reminder.check()  # once a day
    window.show_page("browse")
    reminder.open_today()  # what clicking the tray message does
    assert window.current_page_name() == "today"
    clock.advance(days=1)  # the next day, past the time again
    assert reminder.check()
    assert len(shown) == 2


def test_no_reminder_when_nothing_is_left(qtbot: QtBot, library: Library, clock: FakeClock) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    library.update_settings(reminder_time="06:00", new_per_day=0)
    assert not window.reminder.check()


def test_a_bad_reminder_time_is_refused(library: Library) -> None:
    with pytest.raises(UserError, match="reminder_time"):
        library.update_settings(reminder_time="25:99")
