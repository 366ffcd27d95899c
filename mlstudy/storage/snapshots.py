"""Read cards and the review log as the plain values that ``core`` computes on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import Connection, select

from mlstudy.core.interop import ANKI_KINDS
from mlstudy.core.models import CardSnapshot, ReviewEvent, ReviewKind
from mlstudy.core.sm2 import Sm2State
from mlstudy.storage.schema import CardState, Placement, Review
from mlstudy.storage.study import HISTORY


def card_snapshots(conn: Connection, exam_id: int) -> list[CardSnapshot]:
    """Every active (not archived, not suspended) card of an exam with its state."""
    rows = conn.execute(
        select(
            Placement.card_id,
            Placement.domain,
            CardState.repetitions,
            CardState.easiness,
            CardState.interval_days,
            CardState.due_day,
            CardState.last_day,
        )
        .outerjoin(CardState, CardState.card_id == Placement.card_id)
        .where(
            Placement.exam_id == exam_id,
            Placement.archived.is_(False),
            Placement.suspended.is_(False),
        )
    )
    snapshots = []
    for card_id, domain, reps, easiness, interval, due, last in rows:
        if reps is None:
            snapshots.append(CardSnapshot(card_id=card_id, domain=domain))
        else:
            snapshots.append(
                CardSnapshot(
                    card_id=card_id,
                    domain=domain,
                    state=Sm2State(reps, easiness, interval),
                    due=date.fromisoformat(due),
                    last_review=date.fromisoformat(last),
                )
            )
    return snapshots


def review_events(
    conn: Connection, exam_id: int, since: date | None = None
) -> Iterator[ReviewEvent]:
    """The live answers and Anki's review history (``HISTORY``, as the answer kinds it
    stands for) of an exam's cards in log order, as ``ReviewEvent`` values."""
    query = (
        select(
            Review.card_id,
            Placement.domain,
            Review.study_day,
            Review.grade,
            Review.kind,
            Review.interval_before,
            Review.interval_after,
            Review.answer_ms,
        )
        .join(Placement, Placement.card_id == Review.card_id)
        .where(Placement.exam_id == exam_id, HISTORY)
        .order_by(Review.id)
    )
    if since is not None:
        query = query.where(Review.study_day >= since.isoformat())
    days: dict[str, date] = {}
    for card_id, domain, day, grade, kind, before, after, ms in conn.execute(query):
        parsed = days.get(day)
        if parsed is None:
            parsed = days[day] = date.fromisoformat(day)
        yield ReviewEvent(
            card_id=card_id,
            domain=domain,
            day=parsed,
            grade=grade,
            kind=ANKI_KINDS.get(kind) or ReviewKind(kind),
            interval_before=before,
            interval_after=after,
            answer_ms=ms,
        )
