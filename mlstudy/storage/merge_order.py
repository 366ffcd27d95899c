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

from mlstudy.core.interop import ANKI_KINDS, IMPORT_KIND
from mlstudy.core.models import ReviewKind
from mlstudy.core.replay import ReplayAnswer
from mlstudy.core.sm2 import Sm2State
from mlstudy.core.sync import LoggedAnswer, merged_kinds
from mlstudy.storage.schema import UNDO_KIND, Review
from mlstudy.storage.sync_schema import sync_device, sync_events

_TOMBSTONE = aliased(Review)
UNDONE = select(_TOMBSTONE.undoes).where(_TOMBSTONE.undoes.is_not(None))
"""The uids of undone answers (a short list: the tombstones' ``undoes``)."""
ANSWER_KINDS = tuple(kind.value for kind in ReviewKind)
"""Kinds of the answers given in mlstudy (new, review, drill)."""
LIVE = and_(Review.kind.in_(ANSWER_KINDS), Review.uid.not_in(UNDONE))
"""Answers given in mlstudy and not undone: what every reader of answers sees (today's
counts, the streak, the plan's habits, sync). Imported states and Anki's history are not."""
STATE_LOG = and_(Review.kind.in_((*ANSWER_KINDS, IMPORT_KIND)), Review.uid.not_in(UNDONE))
"""What a card's state is made of: the live answers and the imported states."""
HISTORY = and_(Review.kind.in_((*ANSWER_KINDS, *ANKI_KINDS)), Review.uid.not_in(UNDONE))
"""What the charts and the answer-time estimates read: the live answers and Anki's
review history (its kinds stand for the answer kinds in ``ANKI_KINDS``)."""
_REPLAYED = and_(Review.kind.not_in((UNDO_KIND, *ANKI_KINDS)), Review.uid.not_in(UNDONE))
"""What replay reads: ``STATE_LOG``, and rows of an unknown kind, which replay refuses
(``ValueError``) so that a check names them as damage instead of passing over them."""

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
    Review.repetitions_after,
    Review.easiness_after,
    Review.interval_after,
)


_LOG = (
    select(*_ORDER_COLUMNS)
    .outerjoin(sync_events, sync_events.c.review_id == Review.id)
    .where(_REPLAYED)
)


_CARD_LOG = _LOG.where(Review.card_id == bindparam("card_id"))


_Row = tuple[str, str, int, str, int, str, int, int, int]


def _replay_input(card_id: int, rows: Iterable[_Row]) -> list[ReplayAnswer]:
    logged = []
    imported: dict[tuple[str, str, int], Sm2State] = {}
    for at, device, seq, day, grade, kind, repetitions, easiness, interval in rows:
        order = (at, device, seq)
        logged.append(LoggedAnswer(order, date.fromisoformat(day), int(grade), str(kind)))
        if kind == IMPORT_KIND:
            imported[order] = Sm2State(int(repetitions), int(easiness), int(interval))
    result = []
    for answer, kind in merged_kinds(logged):
        state = imported.get(answer.order) if kind == IMPORT_KIND else None
        if state is not None:  # an imported state: the card takes it on its day
            result.append(ReplayAnswer(card_id, answer.day, answer.grade, ReviewKind.REVIEW, state))
        else:
            result.append(ReplayAnswer(card_id, answer.day, answer.grade, ReviewKind(kind)))
    return result


def card_log(conn: Connection, card_id: int) -> list[ReplayAnswer]:
    """One card's live answers in merge order, with their merged kinds."""
    rows = conn.execute(_CARD_LOG, {"card_id": card_id})
    return _replay_input(card_id, (tuple(r[1:]) for r in rows))


def cards_log(
    conn: Connection,
    card_ids: Iterable[int] | None = None,
    unreadable: dict[int, str] | None = None,
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
        for card_id, *row in conn.execute(query):
            grouped.setdefault(int(card_id), []).append(tuple(row))
    if unreadable is None:
        return {card_id: _replay_input(card_id, rows) for card_id, rows in grouped.items()}
    result: dict[int, list[ReplayAnswer]] = {}
    for card_id, rows in grouped.items():
        try:
            result[card_id] = _replay_input(card_id, rows)
        except ValueError as exc:  # named per card; the other cards are still read
            unreadable[card_id] = str(exc)
    return result
