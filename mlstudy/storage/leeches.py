"""The cards a person keeps failing (``core.leech``), read from the card states."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from mlstudy.core.leech import LEECH_LAPSES
from mlstudy.storage.schema import Card, CardState, Placement


@dataclass(frozen=True, slots=True)
class LeechRow:
    """A leech: which card, how often it lapsed, whether it is suspended."""

    card_id: int
    key: str
    question: str
    domain: int
    task: str | None
    lapses: int
    suspended: bool


def read_leeches(conn: Connection, exam_id: int) -> list[LeechRow]:
    """The exam's leeches that are not archived, most lapses first."""
    rows = conn.execute(
        select(
            Card.id,
            Card.key,
            Card.question,
            Placement.domain,
            Placement.task,
            CardState.lapses,
            Card.suspended,
        )
        .join(CardState, CardState.card_id == Card.id)
        .join(Placement, Placement.card_id == Card.id)
        .where(
            Placement.exam_id == exam_id,
            Card.archived.is_(False),
            CardState.lapses >= LEECH_LAPSES,
        )
        .order_by(CardState.lapses.desc(), Card.id)
    )
    return [LeechRow(*row) for row in rows]
