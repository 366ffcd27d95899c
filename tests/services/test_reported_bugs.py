"""Regression tests for the five bugs of issue 12, each in the terms a user would notice."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from mlstudy import paths
from mlstudy.services import Library, safety
from mlstudy.storage.columns import finish_cache_writes, read_review_log
from mlstudy.storage.schema import Card, Review
from tests.conftest import FakeClock

USER_DECK = """---
domain: 2
---

## What does Amazon Athena query? {#u-athena}

Data in S3, with SQL.

## What does AWS Glue crawl? {#u-glue}

Data stores, to fill the Data Catalog.
"""


def logged_card_ids(backup: Path) -> list[int]:
    conn = sqlite3.connect(backup)
    try:
        return [row[0] for row in conn.execute("SELECT card_id FROM reviews ORDER BY id")]
    finally:
        conn.close()


def test_an_answer_committed_while_a_backup_is_copied_is_in_the_backup_at_close(
    tmp_path: Path, pack: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=pack)
    first = library.next_card()
    assert first is not None
    library.answer(first.id, 5)
    second = library.next_card()
    assert second is not None
    take = safety.take_backup

    def take_while_answering(data_dir: Path, now: object, reason: str = "") -> Path:
        path = take(data_dir, now, reason)  # type: ignore[arg-type]
        if reason == "auto":  # the answer commits after the copy was made
            library.answer(second.id, 4)
        return path

    monkeypatch.setattr(safety, "take_backup", take_while_answering)
    clock.advance(hours=1)
    assert library.maybe_auto_backup() is not None
    clock.advance(minutes=1)
    library.close()
    newest = library.backups()[0]
    assert logged_card_ids(newest.path) == [first.id, second.id]


def effective_due(library: Library, card_id: int) -> object:
    card = library.card(card_id)
    return card.exam_due or card.due


def test_undo_and_redo_after_moving_the_exam_earlier_keep_the_card_before_the_exam(
    library: Library, clock: FakeClock
) -> None:
    card = library.next_card()
    assert card is not None
    for days in (1, 6):  # intervals 1 and 6: the next pass gives about 17 days
        library.answer(card.id, 5)
        clock.advance(days=days)
    library.update_settings(exam_date=(library.today() + timedelta(days=300)).isoformat())
    library.answer(card.id, 5)
    assert library.card(card.id).interval_days > 12
    exam = library.today() + timedelta(days=12)
    library.update_settings(exam_date=exam.isoformat())
    assert effective_due(library, card.id) <= exam  # type: ignore[operator]
    library.undo()
    assert effective_due(library, card.id) <= exam  # type: ignore[operator]
    library.redo()
    assert library.card(card.id).interval_days > 12  # the answer is back
    assert effective_due(library, card.id) <= exam  # type: ignore[operator]


def test_an_answer_given_again_after_an_undo_is_charted_on_its_own_day(
    library: Library, clock: FakeClock, tmp_path: Path
) -> None:
    """Undo, then the same card and grade the next day: the log-column cache must not
    keep the undone answer's day for the new answer."""
    cache = tmp_path / "log.npz"
    exam_id = library.exam_id()

    def days_in_log() -> list[int]:
        with library.engine.connect() as conn:
            log = read_review_log(conn, exam_id, cache)
        finish_cache_writes()
        return [int(d) for d in np.asarray(log.day)]

    card = library.next_card()
    assert card is not None
    library.answer(card.id, 4)
    assert days_in_log() == [library.today().toordinal()]
    library.undo()
    clock.advance(days=1)
    library.answer(card.id, 4)
    assert days_in_log() == [library.today().toordinal()]


def test_undo_keeps_the_log_and_never_reuses_an_id(library: Library) -> None:
    card = library.next_card()
    assert card is not None

    def log() -> list[tuple[int, str]]:
        with library.engine.connect() as conn:
            rows = conn.execute(select(Review.id, Review.kind).order_by(Review.id)).all()
        return [(int(i), str(k)) for i, k in rows]

    library.answer(card.id, 4)
    (answer,) = log()
    library.undo()
    assert log()[0] == answer  # still there, followed by a tombstone
    assert [kind for _id, kind in log()] == ["new", "undo"]
    library.answer(card.id, 4)
    assert len({i for i, _k in log()}) == 3
    assert log()[-1][0] > max(i for i, _k in log()[:-1])


def test_editing_one_user_deck_keeps_its_cards_in_deck_order(library: Library) -> None:
    deck = paths.user_decks_dir(library.data_dir) / "mine.md"
    deck.write_text(USER_DECK, encoding="utf-8")
    library.sync_content()

    def positions() -> dict[str, int]:
        with library.engine.connect() as conn:
            rows = conn.execute(select(Card.key, Card.position)).all()
        return {str(k): int(p) for k, p in rows}

    before = positions()
    assert before["u-athena"] > max(p for k, p in before.items() if not k.startswith("u-"))
    deck.write_text(USER_DECK.replace("with SQL.", "with standard SQL."), encoding="utf-8")
    stamp = deck.stat().st_mtime + 10
    os.utime(deck, (stamp, stamp))
    report = library.sync_content()
    assert report.updated == 1
    assert positions() == before
    with library.engine.connect() as conn:
        assert conn.execute(select(func.count(func.distinct(Card.position)))).scalar() == len(
            before
        )
