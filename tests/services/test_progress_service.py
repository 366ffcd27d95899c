"""compute_progress on a real library with a small, hand-checked history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Connection, delete, select

from mlstudy.core.card_table import CardTable
from mlstudy.core.progress import ReviewLog
from mlstudy.services import Library
from mlstudy.services.progress import compute_progress
from mlstudy.storage.columns import finish_cache_writes, read_card_table, read_review_log
from mlstudy.storage.schema import Card, Review
from mlstudy.storage.snapshots import card_snapshots, review_events
from tests.conftest import FakeClock

MON, TUE, WED, THU = (date(2026, 11, 2) + timedelta(days=n) for n in range(4))


def card_ids(library: Library) -> dict[str, int]:
    with library.engine.connect() as conn:
        return {key: card_id for card_id, key in conn.execute(select(Card.id, Card.key))}


@pytest.fixture
def history(library: Library, clock: FakeClock) -> dict[str, int]:
    """Three study days, Monday to Thursday (Wednesday off); today is Thursday.

    Monday: eta 5 (new), lasso 2 (new) then its drill 4, firehose 4 (new).
    Tuesday: eta 4 (review, interval 1 -> 6), firehose 2 (a lapse) then its drill 5.
    Thursday: lasso 3 (review, interval 1 -> 6).
    """
    ids = card_ids(library)
    library.answer(ids["t-eta"], 5)
    library.answer(ids["t-lasso"], 2)
    library.answer(ids["t-lasso"], 4)
    library.answer(ids["t-firehose"], 4)
    clock.advance(days=1)
    library.answer(ids["t-eta"], 4)
    library.answer(ids["t-firehose"], 2)
    library.answer(ids["t-firehose"], 5)
    clock.advance(days=2)
    library.answer(ids["t-lasso"], 3)
    assert library.today() == THU
    return ids


def test_mastery_readiness_and_weakest_domain(library: Library, history: dict[str, int]) -> None:
    data = compute_progress(library)
    # Domain 1: firehose last changed on Tuesday with interval 1 (0.9 ** 2), kds is new.
    assert data.mastery[1] == pytest.approx(0.81 / 2)
    # Domain 3: eta (interval 6, 2 days ago), lasso (reviewed today), recall (new).
    assert data.mastery[3] == pytest.approx((0.9 ** (2 / 6) + 1.0 + 0.0) / 3)
    assert data.mastery[2] == data.mastery[4] == 0.0
    assert data.readiness == pytest.approx(0.20 * 0.405 + 0.36 * 0.6551631)
    # Priority = weight x (1 - mastery + 0.1): domain 2 (0.264) beats 4 (0.22) and 3 (0.160).
    assert data.weakest_domain == 2
    assert [(d.number, d.weight) for d in data.domains] == [
        (1, 0.20),
        (2, 0.24),
        (3, 0.36),
        (4, 0.20),
    ]
    assert data.total_reviews == 8
    assert data.cards == 5


def test_mastery_over_time_starts_at_the_first_review(
    library: Library, history: dict[str, int]
) -> None:
    data = compute_progress(library)
    d3 = data.mastery_over_time[3]
    assert [day for day, _ in d3] == [MON, TUE, WED, THU]
    expected = [2 / 3, (1 + 0.9) / 3, (0.9 ** (1 / 6) + 0.81) / 3, (0.9 ** (2 / 6) + 1) / 3]
    assert [value for _, value in d3] == pytest.approx(expected)
    assert [value for _, value in data.mastery_over_time[1]] == pytest.approx(
        [0.5, 0.5, 0.45, 0.405]
    )
    # Domains without cards have no line; the last point is today's mastery.
    assert data.mastery_over_time[2] == []
    assert d3[-1][1] == pytest.approx(data.mastery[3])


def test_days_limits_the_per_day_series(library: Library, history: dict[str, int]) -> None:
    data = compute_progress(library, days=2)
    assert [day for day, _ in data.mastery_over_time[3]] == [WED, THU]
    assert [day for day, _ in data.reviews_per_day["new"]] == [WED, THU]
    assert compute_progress(library, days=0).reviews_per_day["new"] == [(THU, 0)]


def test_reviews_per_day_by_kind(library: Library, history: dict[str, int]) -> None:
    data = compute_progress(library)
    assert set(data.reviews_per_day) == {"new", "review", "drill"}
    per_kind = {kind: dict(series) for kind, series in data.reviews_per_day.items()}
    assert len(data.reviews_per_day["review"]) == 90
    assert data.reviews_per_day["review"][0][0] == THU - timedelta(days=89)
    assert [per_kind["new"][d] for d in (MON, TUE, WED, THU)] == [3, 0, 0, 0]
    assert [per_kind["review"][d] for d in (MON, TUE, WED, THU)] == [0, 2, 0, 1]
    assert [per_kind["drill"][d] for d in (MON, TUE, WED, THU)] == [1, 1, 0, 0]
    assert sum(sum(dict(s).values()) for s in data.reviews_per_day.values()) == 8


def test_due_forecast_card_states_and_heatmap(library: Library, history: dict[str, int]) -> None:
    data = compute_progress(library)
    # firehose was due Wednesday (overdue: counted today), eta Monday + 1 + 6, lasso today + 6.
    due = dict(data.due_30)
    assert len(data.due_30) == 30 and len(data.due_90) == 90
    assert data.due_30[0][0] == THU
    assert {day: n for day, n in due.items() if n} == {
        THU: 1,
        TUE + timedelta(days=6): 1,
        THU + timedelta(days=6): 1,
    }
    assert data.due_90[:30] == data.due_30
    assert data.due_forecast(30) is data.due_30 and data.due_forecast(90) is data.due_90
    assert data.card_states == {"new": 2, "learning": 3, "mature": 0, "due": 1}
    heat = dict(data.heatmap)
    assert len(data.heatmap) == 26 * 7
    assert data.heatmap[0][0].weekday() == 0 and data.heatmap[-1][0] == date(2026, 11, 8)
    assert (heat[MON], heat[TUE], heat[WED], heat[THU]) == (4, 3, 0, 1)
    assert sum(heat.values()) == 8


def test_true_retention(library: Library, history: dict[str, int]) -> None:
    rows = {row.period: row for row in compute_progress(library).retention}
    assert list(rows) == ["today", "week", "month", "year", "all"]
    # First answers of the day that were not the card's first ever: eta 4 and firehose 2
    # on Tuesday, lasso 3 today; all young (interval before 1 day). Drills never count.
    today = rows["today"]
    assert (today.young_passed, today.young_total, today.mature_total) == (1, 1, 0)
    for period in ("week", "month", "year", "all"):
        row = rows[period]
        assert (row.young_passed, row.young_total, row.mature_total) == (2, 3, 0)
        assert row.young_rate == pytest.approx(2 / 3)
        assert row.mature_rate is None


def test_plan_vs_actual_needs_a_plan(library: Library, history: dict[str, int]) -> None:
    data = compute_progress(library)
    assert data.plan_vs_actual == [] and data.plan_start is None

    library.update_settings(exam_date="2026-12-10")
    plan = library.refresh_plan()
    assert plan is not None and library.current_plan() is plan
    data = compute_progress(library)
    assert data.plan_start == THU
    points = {day: (planned, actual) for day, planned, actual in data.plan_vs_actual}
    assert min(points) == THU - timedelta(days=14)
    assert max(points) == date(2026, 12, 9)
    # Answers exclude same-day drills; nothing is planned before the plan's first day.
    assert [points[d][1] for d in (MON, TUE, WED, THU)] == [3, 2, 0, 1]
    assert all(points[d][0] == 0 for d in (MON, TUE, WED))
    first = plan.days[0]
    assert points[THU][0] == pytest.approx(first.expected_reviews + first.new_total)


def test_a_library_without_reviews(library: Library) -> None:
    data = compute_progress(library)
    assert not data.has_reviews and data.total_reviews == 0
    assert data.readiness == 0.0 and set(data.mastery.values()) == {0.0}
    assert all(series == [] for series in data.mastery_over_time.values())
    assert all(n == 0 for _, n in data.due_90)
    assert all(n == 0 for _, n in data.heatmap)
    assert all(row.young_total == row.mature_total == 0 for row in data.retention)
    assert data.card_states == {"new": 5, "learning": 0, "mature": 0, "due": 0}


def test_the_fast_readers_match_the_storage_readers(
    library: Library, history: dict[str, int]
) -> None:
    library.set_suspended([history["t-kds"]], True)
    exam_id = library.exam_id()
    with library.engine.connect() as conn:
        snapshots = card_snapshots(conn, exam_id)
        table = read_card_table(conn, exam_id)
        fast = read_review_log(conn, exam_id)
        slow = ReviewLog(list(review_events(conn, exam_id)))
    assert len(fast) == len(slow) == 8
    for column in ("card_id", "day", "grade", "kind", "interval_before", "interval_after"):
        assert np.array_equal(getattr(fast, column), getattr(slow, column)), column
    expected = CardTable.from_snapshots(snapshots)
    order = np.argsort(table.card_id)
    expected_order = np.argsort(expected.card_id)
    assert len(table) == len(snapshots) == 4 and int(table.reviewed.sum()) >= 1
    for column in ("card_id", "domain", "repetitions", "interval", "last_day", "due_day"):
        assert np.array_equal(
            getattr(table, column)[order], getattr(expected, column)[expected_order]
        ), column


def test_the_log_cache_follows_appends_and_undo(
    library: Library, history: dict[str, int], tmp_path: Path
) -> None:
    cache = tmp_path / "log.npz"
    exam_id = library.exam_id()

    def read(with_cache: bool) -> ReviewLog:
        with library.engine.connect() as conn:
            log = read_review_log(conn, exam_id, cache if with_cache else None)
        finish_cache_writes()  # the cache file is written in the background
        return log

    def same(x: ReviewLog, y: ReviewLog) -> bool:
        return all(
            np.array_equal(getattr(x, c), getattr(y, c))
            for c in ("card_id", "day", "grade", "kind", "interval_before")
        )

    assert same(read(True), read(False)) and cache.exists()
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 4)  # appended: read from the cache plus the new row
    assert same(read(True), read(False)) and len(read(True)) == 9
    library.undo()  # removed: the cached prefix no longer matches
    assert same(read(True), read(False)) and len(read(True)) == 8
    library.answer(card.id, 5)  # the same card and id again with another grade
    read(True)
    library.undo()
    other = library.next_card()
    assert other is not None
    library.answer(other.id, 1)  # the reused id now holds another answer
    assert same(read(True), read(False))
    cache.write_bytes(b"garbage")  # a damaged cache is just read again
    assert same(read(True), read(False))


def test_block_checksums_in_numpy_equal_sqlite_with_and_without_gaps(
    library: Library, history: dict[str, int]
) -> None:
    """Whole blocks are summed in numpy, blocks with a gap by SQLite: both agree."""
    from mlstudy.storage import columns

    with library.engine.begin() as conn:
        assert columns._read_packed(conn, 1, 8)[2] == columns._prefix_signature(conn, 8)[1]
        conn.execute(delete(Review).where(Review.id == 3))  # a gap in the ids
        assert columns._read_packed(conn, 1, 8)[2] == columns._prefix_signature(conn, 8)[1]
        conn.rollback()


def test_after_an_undo_the_log_cache_keeps_the_rows_before_its_checkpoint(
    library: Library, history: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undo marks the newest answer undone: only the rows after the checkpoint are
    read again, and the result equals a read without any cache."""
    from mlstudy.storage import columns

    monkeypatch.setattr(columns, "_CHECKPOINT_ROWS", 3)
    cache = tmp_path / "log.npz"
    exam_id = library.exam_id()
    reads: list[tuple[int, int]] = []
    split = columns._read_packed_split

    def spy(conn: Connection, first: int, last: int, connect: object) -> object:
        reads.append((first, last))
        return split(conn, first, last, connect)  # type: ignore[arg-type]

    monkeypatch.setattr(columns, "_read_packed_split", spy)

    def read(with_cache: bool) -> ReviewLog:
        with library.engine.connect() as conn:
            log = read_review_log(conn, exam_id, cache if with_cache else None)
        finish_cache_writes()  # the cache file is written in the background
        return log

    card = library.next_card()
    assert card is not None
    library.answer(card.id, 4)  # id 9
    read(True)  # cached: ids 1..9, the checkpoint is id 6
    library.undo()  # a tombstone, id 10
    library.answer(card.id, 1)  # id 11, another grade
    reads.clear()
    fast, slow = read(True), read(False)
    assert reads[0] == (7, 11)  # ids 1..6 came from the cache
    for column in ("card_id", "day", "grade", "kind", "interval_before", "interval_after"):
        assert np.array_equal(getattr(fast, column), getattr(slow, column)), column


def test_undoing_answers_behind_the_checkpoint_reads_the_log_again(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    """Undo that reaches past the checkpoint: the cached columns are not trusted at all."""
    from mlstudy.storage import columns

    monkeypatch.setattr(columns, "_CHECKPOINT_ROWS", 1)
    cache = tmp_path / "log.npz"
    exam_id = library.exam_id()

    def read(with_cache: bool) -> ReviewLog:
        with library.engine.connect() as conn:
            log = read_review_log(conn, exam_id, cache if with_cache else None)
        finish_cache_writes()
        return log

    for _ in range(4):
        card = library.next_card()
        assert card is not None
        library.answer(card.id, 5)
    read(True)  # ids 1..4 cached, the checkpoint is id 3
    for _ in range(3):
        library.undo()  # undoes ids 4, 3 and 2
    fast, slow = read(True), read(False)
    assert len(fast) == len(slow) == 1
    for column in ("card_id", "day", "grade", "kind"):
        assert np.array_equal(getattr(fast, column), getattr(slow, column)), column


def test_the_event_reader_and_the_column_reader_both_leave_out_undone_answers(
    library: Library,
) -> None:
    for _ in range(3):
        card = library.next_card()
        assert card is not None
        library.answer(card.id, 5)
    library.undo()
    exam_id = library.exam_id()
    with library.engine.connect() as conn:
        events = list(review_events(conn, exam_id))
        log = read_review_log(conn, exam_id)
    assert len(events) == len(log) == 2
    assert [e.card_id for e in events] == [int(c) for c in log.card_id]
