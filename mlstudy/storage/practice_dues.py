"""The practice due-date layer: cards of missed questions come back early.

Over SM-2, like the exam-date rule: a missed question's reviewed linked cards get an
``exam_due_day`` of the next study day (their SM-2 state is untouched) until they are
reviewed on or after it; unseen linked cards come first in the next new-card batch.
The cards and why are kept in ``practice_card_dues`` (``storage/practice.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mlstudy.storage.practice import CardDueRow
from mlstudy.storage.schema import Card, CardState, Placement


def card_ids(conn: Connection, keys: Sequence[str]) -> dict[str, int]:
    """Card ids of active card keys."""
    rows = conn.execute(
        select(Card.key, Card.id).where(Card.key.in_(list(keys)), Card.archived.is_(False))
    )
    return {key: int(cid) for key, cid in rows}


def bring_cards_forward(conn: Connection, card_ids_: Sequence[int], due: date, reason: str) -> int:
    """Make reviewed cards due on ``due`` at the latest (through ``exam_due_day``: SM-2
    state untouched) and remember why; unseen cards are remembered so they come first
    in the next new-card batch. Returns the number of cards."""
    if not card_ids_:
        return 0
    statement = sqlite_insert(CardDueRow)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[CardDueRow.card_id],
            set_={"due_day": statement.excluded.due_day, "reason": statement.excluded.reason},
        ),
        [{"card_id": c, "due_day": due.isoformat(), "reason": reason} for c in card_ids_],
    )
    apply_card_dues(conn, card_ids_)
    return len(card_ids_)


def apply_card_dues(conn: Connection, only: Sequence[int] | None = None) -> int:
    """Set ``exam_due_day`` to the practice due day where that is earlier than the card's
    effective due day and the card was not reviewed since it was missed."""
    query = select(
        CardDueRow.card_id,
        CardDueRow.due_day,
        CardState.due_day,
        CardState.exam_due_day,
        CardState.last_day,
    ).join(CardState, CardState.card_id == CardDueRow.card_id)
    if only is not None:
        query = query.where(CardDueRow.card_id.in_(list(only)))
    changes = [
        {"cid": card_id, "day": practice_due}
        for card_id, practice_due, due, exam_due, last_day in conn.execute(query)
        # Reviewed on or after the practice due day: the layer is spent.
        if last_day < practice_due < (exam_due or due)
    ]
    if changes:
        conn.execute(
            update(CardState)
            .where(CardState.card_id == bindparam("cid"))
            .values(exam_due_day=bindparam("day")),
            changes,
        )
    return len(changes)


def card_due_reason(conn: Connection, card_id: int) -> str | None:
    """Why a card was brought forward, until it is reviewed on or after that day."""
    row = conn.execute(
        select(CardDueRow.reason, CardDueRow.due_day, CardState.last_day)
        .outerjoin(CardState, CardState.card_id == CardDueRow.card_id)
        .where(CardDueRow.card_id == card_id)
    ).first()
    if row is None:
        return None
    reason, due_day, last_day = row
    if last_day is not None and last_day >= due_day:
        return None
    return str(reason)


_PRIORITY_NEW = (
    select(Placement.card_id)
    .join(CardDueRow, CardDueRow.card_id == Placement.card_id)
    .where(
        Placement.exam_id == bindparam("exam_id"),
        Placement.domain == bindparam("domain"),
        Placement.is_new.is_(True),
        Placement.archived.is_(False),
        Placement.suspended.is_(False),
    )
    .order_by(CardDueRow.due_day, Placement.position)
    .limit(bindparam("limit"))
)


def priority_new_cards(conn: Connection, exam_id: int, domain: int, limit: int) -> list[int]:
    """Unseen cards linked to missed questions, to introduce before the deck order."""
    params = {"exam_id": exam_id, "domain": domain, "limit": limit}
    return [int(c) for c in conn.execute(_PRIORITY_NEW, params).scalars()]
