"""Fast readers for the progress series: the review log as numpy columns, card snapshots.

The log is read as packed integer columns straight into numpy, never as one
``ReviewEvent`` object per answer: a million answers cost seconds as objects and a
fraction of that as columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Integer, bindparam, case, cast, func, select

from mlstudy.core.models import CardSnapshot
from mlstudy.core.progress import KINDS, ReviewLog
from mlstudy.core.sm2 import Sm2State
from mlstudy.storage.schema import Card, CardState, Review

IntArray = npt.NDArray[np.int64]

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


class _ColumnLog(ReviewLog):
    """A ``ReviewLog`` whose columns were read straight from the database."""

    def __init__(self, columns: Mapping[str, IntArray]) -> None:
        super().__init__(())
        self._given = dict(columns)

    def __len__(self) -> int:
        return int(self._given["card_id"].size)

    def _column(self, name: str) -> IntArray:
        return self._given[name]


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
