"""Answers from another computer that wait for a card are merged as soon as a deck
brings the card, without waiting for the next timed sync pass."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from mlstudy import paths
from mlstudy.gui.main_window import MainWindow
from tests.sync.helpers import SyncTool, open_device, states_of

DECK = """---
domain: 2
---

## What does Amazon Athena query? {#u-athena}

Data in S3, with SQL.
"""


def test_a_deck_that_brings_a_waited_for_card_merges_its_answers(
    qtbot: QtBot, tmp_path: Path, pack: Path
) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    tool = SyncTool([a, b])
    (paths.user_decks_dir(a.library.data_dir) / "mine.md").write_text(DECK, "utf-8")
    a.library.sync_content()
    a.answer("u-athena", 5)
    a.sync()
    tool.deliver_all()
    assert b.sync()["problems"]  # the answer waits: b has no such card yet
    window = MainWindow(b.library)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.watcher._running and not window.sync_watcher._running)
    assert "u-athena" not in states_of(b.library)
    (paths.user_decks_dir(b.library.data_dir) / "mine.md").write_text(DECK, "utf-8")
    window.watcher.sync_now()  # as the deck folder's watcher does when the file appears
    qtbot.waitUntil(lambda: "u-athena" in states_of(b.library), timeout=10_000)
    assert states_of(b.library)["u-athena"] == states_of(a.library)["u-athena"]
