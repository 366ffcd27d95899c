"""The study service on a real SQLite library in a temporary data dir."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mlstudy.core.models import DayAnswer
from mlstudy.errors import LibraryLockedError, UserError
from mlstudy.services import Library
from mlstudy.services.types import Changes
from mlstudy.storage.schema import Card, Review
from mlstudy.storage.study import LIVE
from tests.conftest import FakeClock


def review_rows(library: Library) -> list[tuple[int, str, int, str]]:
    with library.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(  # type: ignore[misc]
                select(Review.card_id, Review.study_day, Review.grade, Review.kind)
                .where(LIVE)
                .order_by(Review.id)
            )
        ]


def test_open_creates_a_wal_database_with_the_pack(library: Library) -> None:
    with library.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.execute(select(func.count()).select_from(Card)).scalar() == 5
    assert library.exam().code == "MLS-C01"
    assert [d.weight for d in library.exam().domains] == [20, 24, 36, 20]
    assert library.integrity() == "ok"


def test_today_counts_on_a_new_library(library: Library) -> None:
    counts = library.counts()
    assert (counts.day, counts.due, counts.new, counts.drill, counts.studied) == (
        date(2026, 11, 2),
        0,
        5,
        0,
        0,
    )


def test_new_cards_follow_domain_weight_order(library: Library) -> None:
    # Modeling (36 %) before Data Engineering (20 %).
    first = library.next_card()
    assert first is not None and first.domain == 3 and first.kind == "new"


def test_answer_schedules_by_sm2_and_logs(library: Library, clock: FakeClock) -> None:
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 5, answer_ms=4200)
    after = library.card(card.id)
    assert (after.repetitions, after.easiness, after.interval_days) == (1, 2.6, 1)
    assert after.due == date(2026, 11, 3)
    assert review_rows(library) == [(card.id, "2026-11-02", 5, "new")]
    assert library.counts().new == 4


def test_low_grade_comes_back_as_drill_without_changing_state(library: Library) -> None:
    seen = []
    while (card := library.next_card()) is not None and card.kind != "drill":
        grade = 2 if not seen else 5
        library.answer(card.id, grade)
        seen.append(card.id)
    assert card is not None and card.kind == "drill" and card.id == seen[0]
    state_before = library.card(card.id)
    library.answer(card.id, 3)  # still below 4: comes back again
    assert library.next_card().id == card.id  # type: ignore[union-attr]
    library.answer(card.id, 4)
    assert library.next_card() is None
    state_after = library.card(card.id)
    assert (state_after.repetitions, state_after.interval_days, state_after.easiness) == (
        state_before.repetitions,
        state_before.interval_days,
        state_before.easiness,
    )
    kinds = [row[3] for row in review_rows(library) if row[0] == card.id]
    assert kinds == ["new", "drill", "drill"]


def test_new_card_limit_per_day(library: Library) -> None:
    library.update_settings(new_per_day=2)
    answered = 0
    while (card := library.next_card()) is not None:
        library.answer(card.id, 5)
        answered += 1
    assert answered == 2
    assert library.counts().new == 0


def test_due_reviews_come_back_on_their_day(library: Library, clock: FakeClock) -> None:
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 4)
    clock.advance(days=1)
    counts = library.counts()
    assert counts.due == 1 and counts.streak == 1
    nxt = library.next_card()
    assert nxt is not None and nxt.id == card.id and nxt.kind == "review"
    library.answer(card.id, 4)
    assert library.card(card.id).interval_days == 6
    assert library.counts().streak == 2


def test_undo_and_redo_restore_state_and_log_exactly(library: Library) -> None:
    first = library.next_card()
    assert first is not None
    library.answer(first.id, 5)
    log_one = review_rows(library)
    state_one = library.card(first.id)
    second = library.next_card()
    assert second is not None
    library.answer(second.id, 1)
    library.answer(second.id, 4)  # drill
    for _ in range(2):
        library.undo()
    assert review_rows(library) == log_one
    assert library.card(second.id).repetitions == 0 and library.card(second.id).due is None
    assert library.card(first.id) == state_one
    assert library.next_card().id == second.id  # type: ignore[union-attr]
    library.redo()
    library.redo()
    assert [r[2] for r in review_rows(library)] == [5, 1, 4]
    assert library.redo() is None
    for _ in range(3):
        library.undo()
    assert review_rows(library) == []
    assert library.counts().new == 5
    assert library.undo() is None


def test_undo_depth_is_at_least_ten(library: Library, clock: FakeClock) -> None:
    card = library.next_card()
    assert card is not None
    for _ in range(12):
        library.answer(card.id, 2)
    for _ in range(12):
        assert library.undo() is not None
    assert review_rows(library) == []


def test_invalid_grade_is_a_user_error_and_changes_nothing(library: Library) -> None:
    card = library.next_card()
    assert card is not None
    for grade in (-1, 6):
        with pytest.raises(UserError, match="grade"):
            library.answer(card.id, grade)
    assert review_rows(library) == []


def test_study_day_starts_at_configured_hour(tmp_path: Path, pack: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 3, 2, 30, tzinfo=UTC))
    with Library.open(tmp_path / "d", clock=clock, tz=UTC, content_root=pack) as lib:
        assert lib.today() == date(2026, 11, 2)
        lib.update_settings(day_start_hour=0)
        assert lib.today() == date(2026, 11, 3)


def test_sync_is_idempotent_keeps_history_and_archives(library: Library, pack: Path) -> None:
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 5)
    again = library.sync_content()
    assert (again.added, again.updated, again.archived, again.changes.content) == (0, 0, 0, False)
    deck = pack / "mls-c01" / "cards" / "d3.md"
    original = deck.read_text()
    reworded = original.replace("What does XGBoost's eta control?", "What is XGBoost's eta?")
    deck.write_text(reworded)
    report = library.sync_content()
    assert (report.updated, report.added) == (1, 0)
    assert library.card(card.id).repetitions == 1  # history kept through the rewording
    deck.write_text(reworded.split("## Name an L1")[0])
    report = library.sync_content()
    assert report.archived == 2
    assert library.counts().new == 2
    deck.write_text(original)
    report = library.sync_content()
    assert report.revived == 2
    assert library.card(card.id).repetitions == 1


def test_broken_file_reports_and_keeps_its_cards(library: Library, pack: Path) -> None:
    deck = pack / "mls-c01" / "cards" / "d1.md"
    deck.write_text(deck.read_text().replace("1 MB/s or 1,000 records/s.", ""))
    report = library.sync_content()
    assert report.problems == ("content/mls-c01/cards/d1.md:12: error: card 't-kds' has no answer",)
    assert report.archived == 0


def test_second_instance_is_refused(library: Library, pack: Path) -> None:
    with pytest.raises(LibraryLockedError, match="already running"):
        Library.open(library.data_dir, content_root=pack)


def test_settings_persist_and_bad_values_change_nothing(tmp_path: Path, pack: Path) -> None:
    with Library.open(tmp_path / "d", content_root=pack) as lib:
        lib.update_settings(new_per_day=7, theme="dark")
        with pytest.raises(UserError, match="day_start_hour"):
            lib.update_settings(new_per_day=9, day_start_hour=30)
    with Library.open(tmp_path / "d", content_root=pack) as lib:
        assert lib.settings()["new_per_day"] == 7
        assert lib.settings()["theme"] == "dark"


def test_focus_on_one_domain(library: Library) -> None:
    library.set_focus_domain(1)
    assert library.counts().new == 2
    seen = []
    while (card := library.next_card()) is not None:
        seen.append(card.domain)
        library.answer(card.id, 5 if len(seen) > 1 else 2)
    assert seen == [1, 1, 1]  # two new cards, then the drill of the first
    library.set_focus_domain(None)
    assert library.counts().new == 3
    with pytest.raises(UserError, match="unknown domain"):
        library.set_focus_domain(9)


def test_unchanged_files_are_not_read_again(
    library: Library, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlstudy.decks import loader

    reads: list[str] = []
    real = loader.read_card_file

    def counting(path: Path, shown: str | None = None):  # type: ignore[no-untyped-def]
        reads.append(path.name)
        return real(path, shown)

    monkeypatch.setattr(loader, "read_card_file", counting)
    report = library.sync_content()
    assert reads == [] and report.cards == 5 and not report.changes.content
    deck = pack / "mls-c01" / "cards" / "d1.md"
    deck.write_text(deck.read_text().replace("Shard write limit?", "Shard write limits?"))
    report = library.sync_content()
    assert reads == ["d1.md"] and report.updated == 1


def test_duplicate_id_against_an_unchanged_file(library: Library, pack: Path) -> None:
    extra = library.deck_folders()[0] / "mine.md"
    extra.write_text(
        "---\ndomain: 2\n---\n## Copy? {#t-kds}\n\nsame id\n\n## Own? {#mine-own}\n\nok\n"
    )
    report = library.sync_content()
    assert report.problems == (
        f"{extra}:4: error: duplicate card id 't-kds': also at content/mls-c01/cards/d1.md:12",
    )
    assert report.added == 1
    assert library.card(2).question == "Shard write limit?"  # the original keeps its id
    extra.unlink()
    report = library.sync_content()
    assert report.archived == 1 and report.problems == ()


def test_incremental_counts_match_a_fresh_count(
    library: Library, pack: Path, clock: FakeClock
) -> None:
    """Counts kept from the day's base always equal counting everything again."""
    import random

    rng = random.Random(5)

    def fresh() -> object:
        other = Library.open(
            library.data_dir, clock=clock, tz=UTC, content_root=pack, lock=False, sync=False
        )
        try:
            return other.counts()
        finally:
            other.engine.dispose()

    for day in range(6):
        for _step in range(8):
            action = rng.random()
            card = library.next_card()
            if action < 0.6 and card is not None:
                library.answer(card.id, rng.choice([1, 3, 4, 5]))
            elif action < 0.8:
                library.undo()
            elif action < 0.9:
                library.redo()
            elif card is not None:
                library.set_suspended([card.id], rng.random() < 0.7)
            assert library.counts() == fresh()
        clock.advance(days=1 + day % 3)


def test_cached_lookups_survive_a_concurrent_invalidation(library: Library) -> None:
    """A worker thread clearing the caches must never make a reader see a cleared value."""
    stop = threading.Event()

    def invalidate() -> None:
        while not stop.is_set():
            library.context.bus.publish(Changes(content=True, settings=True))

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    thread = threading.Thread(target=invalidate)
    thread.start()
    try:
        for _ in range(3000):
            assert library.exam_id() > 0
            assert "day_start_hour" in library.settings()
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(previous)


def test_todays_answers_kept_in_memory_match_the_log(library: Library) -> None:
    """The answers list extended after each answer equals a fresh read of the day."""
    from mlstudy.storage import study

    today = library.today()
    with library.engine.connect() as conn:
        library.today_answers.read(conn, today)  # cached before the first answer
    for grade in (5, 2, 4, 1, 5, 3):
        card = library.next_card()
        assert card is not None
        library.answer(card.id, grade)
    library.undo()
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 0)
    with library.engine.connect() as conn:
        kept = library.today_answers.read(conn, today)
        assert kept == study.answers_on(conn, today, library.exam_id())
        assert len(kept) == 6


def test_a_read_of_todays_answers_that_an_answer_overtakes_is_not_kept(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker reading the day's answers while the UI commits one must not cache its
    (now old) list: the next reader reads the day again and sees the answer."""
    from mlstudy.storage import study

    today = library.today()
    card = library.next_card()
    assert card is not None
    read = study.answers_on

    def read_then_answer(conn: object, day: date, exam_id: int) -> list[DayAnswer]:
        rows = read(conn, day, exam_id)  # type: ignore[arg-type]
        monkeypatch.setattr(study, "answers_on", read)  # the answer itself reads normally
        library.answer(card.id, 4)  # committed while the worker holds its old rows
        return rows

    monkeypatch.setattr(study, "answers_on", read_then_answer)
    library.today_answers._cache = None  # as after a new day: the next reader reads the log
    with library.engine.connect() as conn:
        assert library.today_answers.read(conn, today) == []  # what the worker read
    with library.engine.connect() as conn:
        assert [a.card_id for a in library.today_answers.read(conn, today)] == [card.id]


def test_undo_restores_suspension_and_then_the_answer_before_it(library: Library) -> None:
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 5)
    library.set_suspended([card.id], True)
    assert library.session.undo_label() == "Suspension"
    assert library.undo() is not None
    assert not library.card(card.id).suspended
    assert library.card(card.id).repetitions == 1
    assert library.session.undo_label() == "Answer"
    library.undo()
    assert library.card(card.id).repetitions == 0
    library.redo()
    library.redo()
    assert library.card(card.id).suspended and library.card(card.id).repetitions == 1
