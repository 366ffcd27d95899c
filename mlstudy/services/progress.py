"""Every number the Progress page draws, computed in one pass (DESIGN.md section 6).

``compute_progress`` reads the exam's cards and the review log once, builds one
``ReviewLog`` and hands it to every series of ``mlstudy.core.progress``. The result,
``ProgressData``, is plain dates and numbers: the GUI only draws it.

The log is read as packed integer columns straight into numpy, never as one
``ReviewEvent`` object per answer: a million answers cost seconds as objects and a
fraction of that as columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Integer, bindparam, case, cast, func, select

from mlstudy.core.models import CardSnapshot
from mlstudy.core.progress import (
    KINDS,
    RetentionRow,
    ReviewLog,
    calendar_heatmap,
    card_states,
    domain_mastery,
    due_forecast,
    mastery_over_time,
    plan_vs_actual,
    readiness,
    reviews_per_day,
    true_retention,
    weakest_domain,
)
from mlstudy.core.sm2 import Sm2State
from mlstudy.services.library import Library
from mlstudy.storage.schema import Card, CardState, Review

__all__ = [
    "DEFAULT_DAYS",
    "FORECAST_DAYS",
    "HEATMAP_WEEKS",
    "PLAN_HISTORY_DAYS",
    "DomainInfo",
    "ProgressData",
    "compute_progress",
    "read_card_snapshots",
    "read_review_log",
]

IntArray = npt.NDArray[np.int64]

DEFAULT_DAYS = 90
"""Days of history the per-day charts show."""
FORECAST_DAYS = (30, 90)
"""The due forecast's two spans, in days."""
HEATMAP_WEEKS = 26
"""Weeks in the study calendar."""
PLAN_HISTORY_DAYS = 14
"""Days before today that plan vs actual shows (answers only: past plans are not kept)."""

# Packing of one review row into two integers (SQLite does the arithmetic in C):
#   a = card_id << 25 | day ordinal << 5 | grade << 2 | kind code
#   b = interval_before << 32 | interval_after
_DAY_BITS = 20  # ordinals below 2**20 reach the year 2870
_CARD_SHIFT = _DAY_BITS + 5
_INTERVAL_SHIFT = 32
_ORDINAL_JULIAN_OFFSET = 1721424.5  # julianday('0001-01-01') - 1: julianday - this = ordinal
_FETCH_ROWS = 65536
_BLOCK_ROWS = 1 << 18  # review ids per aggregate: texts of a few megabytes
_LOG_COLUMNS = ("card_id", "day", "grade", "kind", "interval_before", "interval_after")
_NO_KIND = 3  # a kind outside KINDS (a damaged row): left out, as no series knows it


@dataclass(frozen=True, slots=True)
class DomainInfo:
    """An exam domain as the charts label it.

    Attributes:
        number: the domain number (1..).
        name: the domain's name.
        weight: its share of the exam as a fraction (the weights sum to 1).
    """

    number: int
    name: str
    weight: float


@dataclass(frozen=True)
class ProgressData:
    """The series behind every progress chart, for one study day.

    Fractions are 0..1 (the GUI shows percentages). Per-day series have one point per
    day, zero-filled, oldest first.

    Attributes:
        today: the study day the numbers are for.
        domains: the exam's domains in number order.
        mastery: domain number to mastery today (mean recall of its cards).
        readiness: exam weight x mastery, summed over domains.
        weakest_domain: the domain the study plan pushes first (None without domains).
        mastery_over_time: domain number to ``(day, mastery)`` from the first review
            (or ``days`` back, whichever is later) to today; empty lists with no review.
        reviews_per_day: kind name ("new", "review", "drill") to ``(day, answers)``
            over the last ``days`` days.
        due_30: reviewed cards due on each of the next 30 days (overdue on today).
        due_90: the same over 90 days.
        heatmap: ``(day, answers)`` over 26 whole weeks, Monday first, ending with the
            week of today.
        retention: true retention for today, week, month, year and all time.
        card_states: counts of "new", "learning", "mature" cards and of those "due".
        plan_vs_actual: ``(day, planned cards, answered cards)`` from two weeks before
            today to the last plan day; empty without a current plan.
        plan_start: the first day the plan covers (planned values before it are 0
            because past plans are not kept), or None.
        total_reviews: answers in the exam's whole review log.
        cards: active cards of the exam.
    """

    today: date
    domains: tuple[DomainInfo, ...]
    mastery: Mapping[int, float]
    readiness: float
    weakest_domain: int | None
    mastery_over_time: Mapping[int, Sequence[tuple[date, float]]]
    reviews_per_day: Mapping[str, Sequence[tuple[date, int]]]
    due_30: Sequence[tuple[date, int]]
    due_90: Sequence[tuple[date, int]]
    heatmap: Sequence[tuple[date, int]]
    retention: tuple[RetentionRow, ...]
    card_states: Mapping[str, int]
    plan_vs_actual: Sequence[tuple[date, float, int]] = ()
    plan_start: date | None = None
    total_reviews: int = 0
    cards: int = 0

    def domain_name(self, number: int) -> str:
        """The name of a domain number (``Domain N`` when unknown)."""
        return next((d.name for d in self.domains if d.number == number), f"Domain {number}")

    def due_forecast(self, days: int) -> Sequence[tuple[date, int]]:
        """The due forecast over 30 or 90 days."""
        return self.due_30 if days <= FORECAST_DAYS[0] else self.due_90

    @property
    def has_reviews(self) -> bool:
        """True once the exam has at least one answer in its log."""
        return self.total_reviews > 0


def compute_progress(library: Library, days: int = DEFAULT_DAYS) -> ProgressData:
    """Every progress series for today, from one read of the cards and the review log.

    About a second for a million answers and 100,000 cards: call it off the UI thread.
    The log is read on a second connection while this thread reads the cards (SQLite
    aggregates the log without holding the GIL), so the two reads overlap.

    Args:
        library: an open library with an exam pack.
        days: how many days back the per-day series reach (at least 1).
    """
    days = max(int(days), 1)
    exam = library.exam()
    exam_id = library.exam_id()
    today = library.today()
    plan = library.current_plan()
    weights = exam.weights()
    numbers = [d.number for d in exam.domains]
    window_start = today - timedelta(days=days - 1)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlstudy-log") as pool:
        reading = pool.submit(_read_log, library, exam_id)
        with library.engine.connect() as conn:
            cards = read_card_snapshots(conn, exam_id)
        mastery = domain_mastery(cards, today, numbers)
        due_90 = due_forecast(cards, today, FORECAST_DAYS[1])
        states = card_states(cards, today)
        card_domains = {card.card_id: card.domain for card in cards}
        log = reading.result()

    if len(log):
        first_review = date.fromordinal(int(log.day.min()))
        history = mastery_over_time(log, card_domains, max(first_review, window_start), today)
    else:
        history = {}

    pva: list[tuple[date, float, int]] = []
    plan_start = None
    if plan is not None and plan.days:
        plan_start = plan.days[0].day
        planned = [(d.day, d.expected_reviews + d.new_total) for d in plan.days if not d.is_off]
        since = min(plan_start, today) - timedelta(days=PLAN_HISTORY_DAYS)
        pva = plan_vs_actual(planned, log, since, plan.days[-1].day)

    per_kind = reviews_per_day(log, window_start, today)
    return ProgressData(
        today=today,
        domains=tuple(DomainInfo(d.number, d.name, weights[d.number]) for d in exam.domains),
        mastery=mastery,
        readiness=readiness(mastery, weights),
        weakest_domain=weakest_domain(mastery, weights),
        mastery_over_time={number: history.get(number, []) for number in numbers},
        reviews_per_day={kind.value: series for kind, series in per_kind.items()},
        due_30=due_90[: FORECAST_DAYS[0]],
        due_90=due_90,
        heatmap=calendar_heatmap(log, today, HEATMAP_WEEKS),
        retention=tuple(true_retention(log, today)),
        card_states=states,
        plan_vs_actual=pva,
        plan_start=plan_start,
        total_reviews=len(log),
        cards=len(cards),
    )


# ----- reading ------------------------------------------------------------------------


class _ColumnLog(ReviewLog):
    """A ``ReviewLog`` whose columns were read straight from the database."""

    def __init__(self, columns: Mapping[str, IntArray]) -> None:
        super().__init__(())
        self._given = dict(columns)

    def __len__(self) -> int:
        return int(self._given["card_id"].size)

    def _column(self, name: str) -> IntArray:
        return self._given[name]


def _read_log(library: Library, exam_id: int) -> ReviewLog:
    with library.engine.connect() as conn:
        return read_review_log(conn, exam_id)


def read_review_log(conn: Connection, exam_id: int) -> ReviewLog:
    """The exam's review log in log order, as numpy columns (no object per answer).

    Equal, column for column, to ``ReviewLog(review_events(conn, exam_id))``. Each
    block of rows comes back as two comma-separated texts of packed integers that
    SQLite builds in C and numpy parses in C: no Python object per row.
    """
    first, last = conn.execute(select(func.min(Review.id), func.max(Review.id))).one()
    if first is None:
        return _ColumnLog({name: np.zeros(0, dtype=np.int64) for name in _LOG_COLUMNS})
    day = func.coalesce(cast(func.julianday(Review.study_day) - _ORDINAL_JULIAN_OFFSET, Integer), 1)
    kind = case(
        {kind.value: code for code, kind in enumerate(KINDS)}, value=Review.kind, else_=_NO_KIND
    )
    packed_a = Review.card_id * (1 << _CARD_SHIFT) + day * 32 + Review.grade * 4 + kind
    packed_b = Review.interval_before * (1 << _INTERVAL_SHIFT) + Review.interval_after
    # A range of rowids is scanned in rowid order, so each text is in log order.
    block = select(func.count(), func.group_concat(packed_a), func.group_concat(packed_b)).where(
        Review.id >= bindparam("low"), Review.id < bindparam("high")
    )
    parts_a, parts_b = [], []
    for low in range(first, last + 1, _BLOCK_ROWS):
        count, text_a, text_b = conn.execute(block, {"low": low, "high": low + _BLOCK_ROWS}).one()
        if not count:
            continue
        a = np.fromstring(text_a, dtype=np.int64, sep=",")
        b = np.fromstring(text_b, dtype=np.int64, sep=",")
        if a.size != count or b.size != count:
            raise RuntimeError(
                f"review log block at id {low}: {count} rows, {a.size}/{b.size} read"
            )
        parts_a.append(a)
        parts_b.append(b)
    a = np.concatenate(parts_a) if parts_a else np.zeros(0, dtype=np.int64)
    b = np.concatenate(parts_b) if parts_b else np.zeros(0, dtype=np.int64)
    # Filtering by exam here is cheaper than joining the cards in SQL.
    ids = conn.execute(select(func.group_concat(Card.id)).where(Card.exam_id == exam_id)).scalar()
    exam_cards = np.fromstring(ids or "", dtype=np.int64, sep=",")
    card_id = a >> _CARD_SHIFT
    mine = np.isin(card_id, exam_cards) & ((a & 3) != _NO_KIND)
    if not bool(mine.all()):
        a, b, card_id = a[mine], b[mine], card_id[mine]
    return _ColumnLog(
        {
            "card_id": card_id,
            "day": (a >> 5) & ((1 << _DAY_BITS) - 1),
            "grade": (a >> 2) & 7,
            "kind": a & 3,
            "interval_before": b >> _INTERVAL_SHIFT,
            "interval_after": b & ((1 << _INTERVAL_SHIFT) - 1),
        }
    )


def read_card_snapshots(conn: Connection, exam_id: int) -> list[CardSnapshot]:
    """Active cards with their state: ``storage.snapshots.card_snapshots``, but faster.

    Rows come from the DBAPI cursor as plain tuples, and equal states and dates are
    shared between snapshots (they are immutable values).
    """
    query = (
        select(
            Card.id,
            Card.domain,
            CardState.repetitions,
            CardState.easiness,
            CardState.interval_days,
            CardState.due_day,
            CardState.last_day,
        )
        .outerjoin(CardState, CardState.card_id == Card.id)
        .where(Card.exam_id == exam_id, Card.archived.is_(False), Card.suspended.is_(False))
    )
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    days: dict[str, date] = {}
    states: dict[tuple[int, int, int], Sm2State] = {}
    snapshots = []
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(_FETCH_ROWS):
            for card_id, domain, reps, easiness, interval, due, last in batch:
                if reps is None:
                    snapshots.append(CardSnapshot(card_id, domain))
                    continue
                state = states.get((reps, easiness, interval))
                if state is None:
                    state = states[reps, easiness, interval] = Sm2State(reps, easiness, interval)
                due_day = days.get(due) or days.setdefault(due, date.fromisoformat(due))
                last_day = days.get(last) or days.setdefault(last, date.fromisoformat(last))
                snapshots.append(CardSnapshot(card_id, domain, state, due_day, last_day))
    finally:
        cursor.close()
    return snapshots
