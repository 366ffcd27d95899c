"""Read cards with their SM-2 state for an Anki export."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from mlstudy.core.interop import ExportCard
from mlstudy.core.sm2 import Sm2State
from mlstudy.storage.schema import Card, CardState


def export_cards(conn: Connection, exam_id: int, domain: int | None = None) -> list[ExportCard]:
    """Every card of an exam that is not archived (suspended ones included), in deck order."""
    query = (
        select(
            Card.key,
            Card.domain,
            Card.task,
            Card.question,
            Card.answer,
            Card.source_url,
            Card.tags,
            Card.suspended,
            CardState.repetitions,
            CardState.easiness,
            CardState.interval_days,
            CardState.due_day,
        )
        .outerjoin(CardState, CardState.card_id == Card.id)
        .where(Card.exam_id == exam_id, Card.archived.is_(False))
        .order_by(Card.domain, Card.position, Card.id)
    )
    if domain is not None:
        query = query.where(Card.domain == domain)
    cards = []
    for row in conn.execute(query):
        state = (
            None
            if row.repetitions is None
            else Sm2State(row.repetitions, row.easiness, row.interval_days)
        )
        cards.append(
            ExportCard(
                key=row.key,
                domain=row.domain,
                task=row.task,
                question=row.question,
                answer=row.answer,
                source=row.source_url,
                tags=tuple(t for t in row.tags.split(",") if t),
                state=state,
                due=date.fromisoformat(row.due_day) if row.due_day else None,
                suspended=row.suspended,
            )
        )
    return cards
