"""Answers, undo and redo on the main thread while workers sync decks, back up, and read
progress, the plan and browse results: nothing raises, the log and the states agree,
and every answer is in each backup taken after it."""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from mlstudy import paths
from mlstudy.services import Library
from mlstudy.services.browse import search
from mlstudy.services.progress import compute_progress
from mlstudy.storage.schema import Review
from mlstudy.storage.study import LIVE
from mlstudy.storage.verify import state_mismatches
from tests.conftest import FakeClock

USER_DECK = """---
domain: 2
---

## What does Amazon Athena query? {{#s-athena}}

Data in S3, with SQL{suffix}.

## What does AWS Glue crawl? {{#s-glue}}

Data stores, to fill the Data Catalog.
"""


def ids_in(backup: Path) -> set[int]:
    conn = sqlite3.connect(backup)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM reviews")}
    finally:
        conn.close()


def test_study_while_workers_sync_back_up_and_read(library: Library, clock: FakeClock) -> None:
    library.update_settings(exam_date=(library.today() + timedelta(days=60)).isoformat())
    deck = paths.user_decks_dir(library.data_dir) / "stress.md"
    deck.write_text(USER_DECK.format(suffix=""), encoding="utf-8")
    library.sync_content()
    done = threading.Event()
    errors: list[BaseException] = []
    answered: list[int] = []  # review ids of the answers given, in order
    answered_lock = threading.Lock()
    backups_checked = [0]

    def sync_decks() -> None:
        for n in range(10_000):
            deck.write_text(USER_DECK.format(suffix=" " * (n % 3)), encoding="utf-8")
            library.sync_content()
            if done.is_set():
                return

    def back_up() -> None:
        n = 0
        while not done.is_set():
            with answered_lock:
                before = set(answered)
            n += 1
            path = library.backup_now(f"stress{n}")
            missing = before - ids_in(path)
            assert not missing, f"answers {sorted(missing)} missing from {path.name}"
            backups_checked[0] += 1

    def read_progress() -> None:
        while not done.is_set():
            data = compute_progress(library)
            assert data.total_reviews >= 0

    def read_plan() -> None:
        while not done.is_set():
            library.refresh_plan()
            library.counts()

    def browse() -> None:
        while not done.is_set():
            assert search(library, "").total >= 5

    def run(work: Callable[[], None]) -> Callable[[], None]:
        def guarded() -> None:
            try:
                work()
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                done.set()

        return guarded

    workers = [
        threading.Thread(target=run(w), name=w.__name__)
        for w in (sync_decks, back_up, read_progress, read_plan, browse)
    ]
    for worker in workers:
        worker.start()
    rng = random.Random(12)
    live: list[tuple[int, int]] = []  # (card, grade) of the answers in the log
    undone: list[tuple[int, int]] = []
    try:
        for _step in range(100):
            if errors:
                break
            action = rng.random()
            if action < 0.2 and library.undo() is not None:
                undone.append(live.pop())
            elif action < 0.3 and library.redo() is not None:
                live.append(undone.pop())
            else:
                card = library.next_card()
                if card is None:
                    clock.advance(days=1)
                    continue
                grade = rng.choice([1, 3, 4, 5])
                changes = library.answer(card.id, grade)
                with answered_lock:
                    answered.extend(a.review_id for a in changes.answered)
                live.append((card.id, grade))
                undone.clear()
    finally:
        done.set()
        for worker in workers:
            worker.join()
    assert not errors, errors
    assert backups_checked[0] > 0
    with library.engine.connect() as conn:
        rows = conn.execute(
            select(Review.card_id, Review.grade).where(LIVE).order_by(Review.id)
        ).all()
        assert [(int(c), int(g)) for c, g in rows] == live
        assert state_mismatches(conn) == []
    library.close()  # backs up unless the last backup of the worker holds every answer
    assert any(set(answered) <= ids_in(backup.path) for backup in library.backups())
