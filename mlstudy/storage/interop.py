"""Anki interop in the database: cards with their SM-2 state for an export; imported
states and Anki's review history into the log (``apply_progress``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, and_, insert, or_, select

from mlstudy.core.interop import IMPORT_KIND, ExportCard, HistoryEntry, ImportedSchedule
from mlstudy.core.sm2 import NEW_CARD, Sm2State
from mlstudy.storage.schema import Card, CardState, Review
from mlstudy.storage.study import STATE_LOG, ExamRule, load_state, replay_card


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


@dataclass(frozen=True, slots=True)
class CardProgress:
    """What an import with progress brings for one card (found by its ``key``).

    Attributes:
        key: the card's stable id.
        schedule: the imported state, None for a card Anki has not scheduled for review.
        history: Anki's answers as log entries, oldest first.
    """

    key: str
    schedule: ImportedSchedule | None
    history: tuple[HistoryEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ProgressResult:
    """What ``apply_progress`` wrote.

    Attributes:
        states: imported states logged.
        unchanged: imported states already in the log (an earlier import of them).
        kept: imported states not logged because mlstudy has newer history for the card.
        history: Anki answers logged (those already in the log are not logged again).
        cards: database ids of the cards whose log changed.
    """

    states: int = 0
    unchanged: int = 0
    kept: int = 0
    history: int = 0
    cards: frozenset[int] = frozenset()


def _uid(*parts: object) -> str:
    """A log entry uid derived from what the entry is: the same import gives the same uid,
    so importing again (here, or on another computer) logs nothing twice."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _moment(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat()


def apply_progress(
    conn: Connection, items: Sequence[CardProgress], reviewed_at: str, rule: ExamRule | None
) -> ProgressResult:
    """Log imported states and Anki's history for cards already synced, in the caller's
    transaction, and rebuild the states of the cards that got an imported state.

    An imported state is not logged when the log already holds it (same card, day and
    state), nor when mlstudy has newer history for the card: an answer on or after the
    imported state's day, or an imported state of a later day. Cards not in the database
    raise ``KeyError`` (the caller syncs the decks first).
    """
    keys = [item.key for item in items]
    ids: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        rows = conn.execute(
            select(Card.key, Card.id).where(Card.key.in_(keys[start : start + 500]))
        )
        ids.update({str(k): int(i) for k, i in rows})
    states = unchanged = kept = history = 0
    touched: set[int] = set()
    for item in items:
        card_id = ids[item.key]
        entries = {_uid(ANKI_UID, item.key, e.timestamp_ms): e for e in item.history}
        known = set(conn.execute(select(Review.uid).where(Review.uid.in_(list(entries)))).scalars())
        new_rows: list[dict[str, object]] = [
            _history_row(card_id, uid, entry) for uid, entry in entries.items() if uid not in known
        ]
        if new_rows:
            conn.execute(insert(Review), new_rows)
            history += len(new_rows)
            touched.add(card_id)
        if item.schedule is None:
            continue
        state, day = item.schedule.state, item.schedule.last_day
        uid = _uid(
            IMPORT_KIND,
            item.key,
            day,
            state.repetitions,
            state.easiness_hundredths,
            state.interval_days,
        )
        if conn.execute(select(Review.id).where(Review.uid == uid)).first():
            unchanged += 1
            continue
        newer = conn.execute(
            select(Review.id)
            .where(Review.card_id == card_id, STATE_LOG)
            .where(
                or_(
                    and_(Review.kind != IMPORT_KIND, Review.study_day >= day.isoformat()),
                    and_(Review.kind == IMPORT_KIND, Review.study_day > day.isoformat()),
                )
            )
            .limit(1)
        ).first()
        if newer:
            kept += 1
            continue
        before = load_state(conn, card_id)
        old = before.sm2() if before else NEW_CARD
        conn.execute(
            insert(Review),
            {
                "uid": uid,
                "card_id": card_id,
                "reviewed_at": reviewed_at,
                "study_day": day.isoformat(),
                "day_number": day.toordinal(),
                "grade": 0,
                "kind": IMPORT_KIND,
                "interval_before": old.interval_days,
                "interval_after": state.interval_days,
                "easiness_before": old.easiness_hundredths,
                "easiness_after": state.easiness_hundredths,
                "repetitions_before": old.repetitions,
                "repetitions_after": state.repetitions,
                "answer_ms": 0,
            },
        )
        replay_card(conn, card_id, rule)
        states += 1
        touched.add(card_id)
    return ProgressResult(states, unchanged, kept, history, frozenset(touched))


ANKI_UID = "anki"
"""The first part of the uid of a logged Anki answer (with the card key and Anki's id)."""


def _history_row(card_id: int, uid: str, entry: HistoryEntry) -> dict[str, object]:
    return {
        "uid": uid,
        "card_id": card_id,
        "reviewed_at": _moment(entry.timestamp_ms),
        "study_day": entry.day.isoformat(),
        "day_number": entry.day.toordinal(),
        "grade": entry.grade,
        "kind": entry.kind,
        "interval_before": entry.interval_before,
        "interval_after": entry.interval_after,
        "easiness_before": 0,
        "easiness_after": 0,
        "repetitions_before": 0,
        "repetitions_after": 0,
        "answer_ms": entry.answer_ms,
    }
