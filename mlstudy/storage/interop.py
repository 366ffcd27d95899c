"""Anki interop in the database: cards with their SM-2 state for an export; imported
states and Anki's review history into the log (``apply_progress``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, case, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute

from mlstudy.core.interop import IMPORT_KIND, ExportCard, HistoryEntry, ImportedSchedule
from mlstudy.core.models import ReviewKind
from mlstudy.core.replay import ReplayAnswer, apply_answer
from mlstudy.core.sm2 import NEW_CARD, Sm2State
from mlstudy.storage.schema import Card, CardState, Placement, Review
from mlstudy.storage.study import (
    STATE_COLUMNS,
    STATE_LOG,
    ExamRule,
    StateRow,
    set_new,
    state_row,
    write_state,
)


def export_cards(conn: Connection, exam_id: int, domain: int | None = None) -> list[ExportCard]:
    """Every card of an exam that is not archived (suspended ones included), in deck order."""
    query = (
        select(
            Card.key,
            Placement.domain,
            Placement.task,
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
        .join(Placement, Placement.card_id == Card.id)
        .outerjoin(CardState, CardState.card_id == Card.id)
        .where(Placement.exam_id == exam_id, Card.archived.is_(False))
        .order_by(Placement.domain, Placement.position, Card.id)
    )
    if domain is not None:
        query = query.where(Placement.domain == domain)
    cards = []
    parse_day = date.fromisoformat
    for key, number, task, question, answer, source, tags, suspended, *state in conn.execute(query):
        reps, easiness, interval, due = state
        cards.append(
            ExportCard(
                key,
                number,
                task,
                question,
                answer,
                source,
                tuple(t for t in tags.split(",") if t),
                None if reps is None else Sm2State(reps, easiness, interval),
                parse_day(due) if due else None,
                bool(suspended),
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
    transaction, and set the states of the cards that got an imported state.

    An imported state is not logged when the log already holds it (same card, day and
    state), nor when mlstudy has newer history for the card: an answer on or after the
    imported state's day, or an imported state of a later day. Otherwise it is the
    card's newest state-changing entry, so its state follows from the current one by
    ``core.replay.apply_answer``, as on the answer path. ``items`` name each card once;
    cards not in the database raise ``KeyError`` (the caller syncs the decks first).
    """
    ids = _lookup(conn, Card.key, Card.id, [item.key for item in items])
    history: list[tuple[int, dict[str, object]]] = []
    wanted: list[tuple[int, str, ImportedSchedule]] = []
    for item in items:
        card_id = int(ids[item.key])
        history += [
            (card_id, _history_row(card_id, _uid(ANKI_UID, item.key, e.timestamp_ms), e))
            for e in item.history
        ]
        if item.schedule is not None:
            wanted.append((card_id, _import_uid(item.key, item.schedule), item.schedule))
    uids = [str(row["uid"]) for _, row in history] + [uid for _, uid, _ in wanted]
    known = set(_lookup(conn, Review.uid, Review.id, uids))
    history = [(card_id, row) for card_id, row in history if row["uid"] not in known]
    fresh = [(c, u, s) for c, u, s in wanted if u not in known]
    latest = _latest_days(conn, [card_id for card_id, _, _ in fresh])
    applied = []
    for card_id, uid, schedule in fresh:
        answered, imported = latest.get(card_id, ("", ""))
        day = schedule.last_day.isoformat()
        if answered < day and imported <= day:
            applied.append((card_id, uid, schedule))
    before = _states(conn, [card_id for card_id, _, _ in applied])
    if history:
        conn.execute(insert(Review), [row for _, row in history])
    if applied:
        conn.execute(
            insert(Review),
            [_import_row(c, u, s, before.get(c), reviewed_at) for c, u, s in applied],
        )
    for card_id, _, schedule in applied:
        previous = before.get(card_id)
        answer = ReplayAnswer(card_id, schedule.last_day, 0, ReviewKind.REVIEW, schedule.state)
        after = apply_answer(previous.replayed() if previous else None, answer)
        assert after is not None  # an imported state always gives one
        write_state(conn, card_id, state_row(after, card_id, rule), previous)
    fresh_ids = [card_id for card_id, _, _ in applied]
    set_new(conn, fresh_ids, False)
    touched = {card_id for card_id, _ in history} | set(fresh_ids)
    return ProgressResult(
        states=len(applied),
        unchanged=len(wanted) - len(fresh),
        kept=len(fresh) - len(applied),
        history=len(history),
        cards=frozenset(touched),
    )


_CHUNK = 500  # values per IN (...): well under SQLite's variable limit


def _lookup(
    conn: Connection,
    key: InstrumentedAttribute[str],
    value: InstrumentedAttribute[int],
    wanted: Sequence[str],
) -> dict[str, int]:
    """``key`` to ``value`` for the rows whose ``key`` is one of ``wanted`` (in chunks)."""
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = conn.execute(select(key, value).where(key.in_(wanted[start : start + _CHUNK])))
        found.update({str(k): int(v) for k, v in rows})
    return found


def _latest_days(conn: Connection, card_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Per card: the study day of its newest answer and of its newest imported state
    (ISO, "" for none)."""
    is_import = Review.kind == IMPORT_KIND
    latest: dict[int, tuple[str, str]] = {}
    for start in range(0, len(card_ids), _CHUNK):
        rows = conn.execute(
            select(
                Review.card_id,
                func.max(case((is_import, ""), else_=Review.study_day)),
                func.max(case((is_import, Review.study_day), else_="")),
            )
            .where(Review.card_id.in_(card_ids[start : start + _CHUNK]), STATE_LOG)
            .group_by(Review.card_id)
        )
        latest.update({int(c): (str(a or ""), str(i or "")) for c, a, i in rows})
    return latest


def _states(conn: Connection, card_ids: Sequence[int]) -> dict[int, StateRow]:
    """The ``card_states`` rows of these cards (cards never reviewed are left out)."""
    states: dict[int, StateRow] = {}
    for start in range(0, len(card_ids), _CHUNK):
        rows = conn.execute(
            select(CardState.card_id, *STATE_COLUMNS).where(
                CardState.card_id.in_(card_ids[start : start + _CHUNK])
            )
        )
        states.update({int(row[0]): StateRow(*row[1:]) for row in rows})
    return states


def _import_uid(key: str, schedule: ImportedSchedule) -> str:
    state = schedule.state
    return _uid(
        IMPORT_KIND,
        key,
        schedule.last_day,
        state.repetitions,
        state.easiness_hundredths,
        state.interval_days,
    )


def _import_row(
    card_id: int, uid: str, schedule: ImportedSchedule, before: StateRow | None, at: str
) -> dict[str, object]:
    old = before.sm2() if before else NEW_CARD
    state, day = schedule.state, schedule.last_day
    return {
        "uid": uid,
        "card_id": card_id,
        "reviewed_at": at,
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
    }


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
