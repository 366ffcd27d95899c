"""Answers to a card this library does not have yet (its deck has not arrived) are kept
and merged once the card is there."""

from __future__ import annotations

from pathlib import Path

from mlstudy import paths
from tests.sync.helpers import Device, SyncTool, log_of, open_device, states_of

USER_DECK = """---
domain: 2
---

## What does Amazon Athena query? {#u-athena}

Data in S3, with SQL.

## What does AWS Glue crawl? {#u-glue}

Data stores, to fill the Data Catalog.
"""


def _add_deck(device: Device) -> None:
    (paths.user_decks_dir(device.library.data_dir) / "mine.md").write_text(USER_DECK, "utf-8")
    device.library.sync_content()


def test_answers_for_a_card_whose_deck_has_not_arrived_wait_for_it(
    tmp_path: Path, pack: Path
) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    tool = SyncTool([a, b])
    _add_deck(a)
    a.answer("u-athena", 5)
    a.answer("u-glue", 2)
    a.answer("t-kds", 4)  # a card both have: merged at once
    a.clock.advance(days=1)
    a.answer("u-athena", 3)
    a.answer("u-glue", 1)
    assert a.library.undo() is not None  # a tombstone for a card b lacks waits as well
    a.sync()
    tool.deliver_all()
    report = b.sync()
    waiting = "5 answer(s) from other computers for 2 card(s) not in this library (e.g. "
    assert report["problems"] == [f"{waiting}u-athena) wait; they are merged when the cards arrive"]
    assert set(states_of(b.library)) == {"t-kds"}
    report = b.sync()  # nothing new: the waiting answers stay put, and say so
    assert report["received"] == 0 and report["problems"] == [
        f"{waiting}u-athena) wait; they are merged when the cards arrive"
    ]
    _add_deck(b)  # the deck file arrives (the user's decks are not synced by mlstudy)
    report = b.sync()
    assert report["received"] == 5 and report["problems"] == []
    assert states_of(b.library) == states_of(a.library)
    assert set(states_of(b.library)) == {"t-kds", "u-athena", "u-glue"}
    assert log_of(b.library) == log_of(a.library)
    assert b.sync()["received"] == 0  # merged once


def test_answers_still_waiting_are_reported_and_merge_with_later_ones(
    tmp_path: Path, pack: Path
) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    tool = SyncTool([a, b])
    _add_deck(a)
    a.answer("u-glue", 4)
    a.sync()
    tool.deliver_all()
    b.sync()
    b.answer("t-eta", 4)  # b writes something: the waiting answer is looked at again
    report = b.sync()
    assert report["received"] == 0
    assert "1 answer(s) from other computers for 1 card(s)" in str(report["problems"])
    a.clock.advance(days=2)
    a.answer("u-glue", 5)
    a.sync()
    tool.deliver_all()
    _add_deck(b)
    report = b.sync()
    assert report["received"] == 2 and report["problems"] == []
    assert states_of(b.library)["u-glue"] == states_of(a.library)["u-glue"]
