"""The review log in merge order, as replay reads it (DESIGN.md §3 and §13).

Every device orders a card's live answers by (timestamp, device, sequence) and gives
each the kind the same-study-day rule says (``core.sync.merged_kinds``), so devices
that hold the same entries rebuild the same states whatever order they arrived in.
An entry not yet sent has no sequence number: it sorts as this device's, after the
ones sent (which took their numbers in log order).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, and_, bindparam, func, literal, select
from sqlalchemy.orm import aliased

from mlstudy.core.models import ReviewKind
from mlstudy.core.replay import ReplayAnswer
from mlstudy.core.sync import LoggedAnswer, merged_kinds
from mlstudy.storage.schema import UNDO_KIND, Review
from mlstudy.storage.sync_schema import sync_device, sync_events

_TOMBSTONE = aliased(Review)
UNDONE = select(_TOMBSTONE.undoes).where(_TOMBSTONE.undoes.is_not(None))
"""The uids of undone answers (a short list: the tombstones' ``undoes``)."""
LIVE = and_(Review.kind != UNDO_KIND, Review.uid.not_in(UNDONE))
"""Log entries that are answers and were not undone: what every reader of answers sees."""

_CHUNK = 900
UNSENT = 10**12
"""Added to a local id: an entry not yet sent sorts after every sent one of its device."""
_ME = func.coalesce(select(sync_device.c.device).limit(1).scalar_subquery(), literal(""))
_ORDER_COLUMNS = (
    Review.card_id,
    Review.reviewed_at,
    func.coalesce(sync_events.c.device, _ME),
    func.coalesce(sync_events.c.seq, UNSENT + Review.id),
    Review.study_day,
    Review.grade,
    Review.kind,
)


_LOG = (
    select(*_ORDER_COLUMNS).outerjoin(sync_events, sync_events.c.review_id == Review.id).where(LIVE)
)


_CARD_LOG = _LOG.where(Review.card_id == bindparam("card_id"))


_Row = tuple[str, str, int, str, int, str]


def _replay_input(card_id: int, rows: Iterable[_Row]) -> list[ReplayAnswer]:
    logged = [
        LoggedAnswer((at, device, seq), date.fromisoformat(day), int(grade), str(kind))
        for at, device, seq, day, grade, kind in rows
    ]
    return [
        ReplayAnswer(card_id, answer.day, answer.grade, ReviewKind(kind))
        for answer, kind in merged_kinds(logged)
    ]


def card_log(conn: Connection, card_id: int) -> list[ReplayAnswer]:
    """One card's live answers in merge order, with their merged kinds."""
    rows = conn.execute(_CARD_LOG, {"card_id": card_id})
    return _replay_input(card_id, ((r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows))


def cards_log(
    conn: Connection, card_ids: Iterable[int] | None = None
) -> dict[int, list[ReplayAnswer]]:
    """The live answers of many cards (every card when None), each card's in merge order."""
    grouped: dict[int, list[_Row]] = {}
    if card_ids is None:
        queries = [_LOG]
    else:
        wanted = sorted(set(card_ids))
        queries = [
            _LOG.where(Review.card_id.in_(wanted[start : start + _CHUNK]))
            for start in range(0, len(wanted), _CHUNK)
        ]
    for query in queries:
        for card_id, at, device, seq, day, grade, kind in conn.execute(query):
            grouped.setdefault(int(card_id), []).append((at, device, seq, day, grade, kind))
    return {card_id: _replay_input(card_id, rows) for card_id, rows in grouped.items()}
