"""The study hot path: today's queue, answering a card, undoing an answer.

Each function takes an open connection inside the caller's transaction, so an
answer (log row + state) commits as one unit. The log is append-only: undo appends a
tombstone and rebuilds the card's state from the live entries (``LIVE``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from mlstudy.core.models import DayAnswer, ReviewKind
from mlstudy.core.replay import (
    ReplayAnswer,
    ReplayedState,
    answer_kind,
    apply_answer,
    replay_states,
)
from mlstudy.core.sm2 import NEW_CARD, Sm2State
from mlstudy.storage import merge_order
from mlstudy.storage.practice_dues import apply_card_dues, priority_new_cards
from mlstudy.storage.schema import UNDO_KIND, Card, CardState, Placement, Review, ordered_uid

EFFECTIVE_DUE = func.coalesce(CardState.exam_due_day, CardState.due_day)
# The kinds of log entry each reader sees are defined once, in ``merge_order``.
UNDONE = merge_order.UNDONE
ANSWER_KINDS = merge_order.ANSWER_KINDS
LIVE = merge_order.LIVE
STATE_LOG = merge_order.STATE_LOG
HISTORY = merge_order.HISTORY


class StateRow(NamedTuple):
    """A snapshot of a card's ``card_states`` row (None fields for a new card).

    A named tuple in ``STATE_COLUMNS`` order: a merge reads, compares and writes tens of
    thousands of them as they are."""

    repetitions: int
    easiness: int
    interval_days: int
    due_day: str
    last_day: str
    exam_due_day: str | None
    reviews: int
    lapses: int

    def sm2(self) -> Sm2State:
        """The SM-2 part of the row."""
        return Sm2State(self.repetitions, self.easiness, self.interval_days)

    def replayed(self) -> ReplayedState:
        """The row as ``core.replay`` states it (the exam-aware due day left out)."""
        return ReplayedState(
            repetitions=self.repetitions,
            easiness_hundredths=self.easiness,
            interval_days=self.interval_days,
            due_day=date.fromisoformat(self.due_day),
            last_day=date.fromisoformat(self.last_day),
            reviews=self.reviews,
            lapses=self.lapses,
        )


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One answer in the log: enough to undo it (a tombstone) and to redo it."""

    card_id: int
    review: dict[str, object]
    review_id: int
    uid: str

    @property
    def study_day(self) -> str:
        """The answer's study day (ISO)."""
        return str(self.review["study_day"])


def _active(exam_id: int) -> ColumnElement[bool]:
    return and_(
        Placement.exam_id == exam_id,
        Placement.archived.is_(False),
        Placement.suspended.is_(False),
    )


# Statements on the answer path are built once: building a select costs more than
# running it on an indexed table.
STATE_COLUMNS = (
    CardState.repetitions,
    CardState.easiness,
    CardState.interval_days,
    CardState.due_day,
    CardState.last_day,
    CardState.exam_due_day,
    CardState.reviews,
    CardState.lapses,
)
"""The ``card_states`` columns in ``StateRow`` order."""
_LOAD_STATE = select(*STATE_COLUMNS).where(CardState.card_id == bindparam("card_id"))
_ANSWERS_ON = (
    select(Review.card_id, Review.grade, Review.kind, Review.id, Placement.domain)
    .join(
        Placement,
        and_(Placement.card_id == Review.card_id, Placement.exam_id == bindparam("exam_id")),
    )
    .where(Review.study_day == bindparam("day"), LIVE)
    .order_by(Review.id)
)


_PLACED = and_(Placement.card_id == Card.id, Placement.exam_id == bindparam("exam_id"))
_LOAD_CARD = (
    select(
        Card.id,
        Card.key,
        Card.question,
        Card.answer,
        func.coalesce(Placement.domain, Card.domain).label("domain"),
        func.coalesce(Placement.task, Card.task).label("task"),
        Card.tags,
        Card.source_url,
        Card.file,
        Card.line,
        Card.suspended,
        Card.archived,
    )
    .outerjoin(Placement, _PLACED)
    .where(Card.id == bindparam("card_id"))
)
_CARD_DOMAIN = (
    select(func.coalesce(Placement.domain, Card.domain))
    .select_from(Card)
    .outerjoin(Placement, _PLACED)
    .where(Card.id == bindparam("card_id"))
)
_INSERT_REVIEW = insert(Review).returning(Review.id, Review.uid)
_INSERT_STATE = insert(CardState)
_UPDATE_STATE = update(CardState).where(CardState.card_id == bindparam("key"))
_LATER = (
    select(Review.id)
    .where(
        Review.card_id == bindparam("card_id"),
        Review.reviewed_at >= bindparam("at"),
        Review.id != bindparam("id"),
    )
    .limit(1)
)
_SET_NEW = (
    "UPDATE placements SET is_new = ? WHERE card_id IN (SELECT value FROM json_each(?)) "
    "AND is_new IS NOT ?"
)


@dataclass(frozen=True, slots=True)
class CardRow:
    """A card's ``cards`` columns that a review shows."""

    id: int
    key: str
    question: str
    answer: str
    domain: int
    task: str | None
    tags: str
    source_url: str
    file: str
    line: int
    suspended: bool
    archived: bool


def load_card(conn: Connection, card_id: int, exam_id: int) -> CardRow | None:
    """A card's columns for display, its domain and task those of its place in an exam
    (its home ones if it does not serve that exam); None when there is no such card."""
    row = conn.execute(_LOAD_CARD, {"card_id": card_id, "exam_id": exam_id}).first()
    return CardRow(**row._asdict()) if row else None


def card_domain(conn: Connection, card_id: int, exam_id: int) -> int:
    """The domain number of a card in an exam (its home domain if it does not serve it)."""
    return int(conn.execute(_CARD_DOMAIN, {"card_id": card_id, "exam_id": exam_id}).scalar_one())


def load_state(conn: Connection, card_id: int) -> StateRow | None:
    """A card's state row, or None for a card never reviewed."""
    row = conn.execute(_LOAD_STATE, {"card_id": card_id}).first()
    return StateRow(*row) if row else None


_ACTIVE_IN_EXAM = and_(
    Placement.exam_id == bindparam("exam_id"),
    Placement.archived.is_(False),
    Placement.suspended.is_(False),
)
_NEXT_DUE = (
    select(CardState.card_id)
    .join(Placement, Placement.card_id == CardState.card_id)
    .where(bindparam("today") >= EFFECTIVE_DUE, _ACTIVE_IN_EXAM)
    .order_by(EFFECTIVE_DUE, CardState.card_id)
    .limit(bindparam("limit"))
)
_NEXT_DUE_IN_DOMAIN = _NEXT_DUE.where(Placement.domain == bindparam("domain"))
_NEXT_NEW = (
    select(Placement.card_id)
    .where(_ACTIVE_IN_EXAM, Placement.is_new.is_(True), Placement.domain == bindparam("domain"))
    .order_by(Placement.new_rank, Placement.position)
    .limit(bindparam("limit"))
)


def next_due_card(
    conn: Connection,
    exam_id: int,
    today: date,
    exclude: frozenset[int] = frozenset(),
    domain: int | None = None,
) -> int | None:
    """The reviewed card due soonest (on or before today), optionally of one domain."""
    params = {"exam_id": exam_id, "today": today.isoformat(), "limit": 1 + len(exclude)}
    if domain is None:
        rows = conn.execute(_NEXT_DUE, params)
    else:
        rows = conn.execute(_NEXT_DUE_IN_DOMAIN, {**params, "domain": domain})
    return next((cid for cid in rows.scalars() if cid not in exclude), None)


def next_new_card(
    conn: Connection, exam_id: int, domain: int, exclude: frozenset[int] = frozenset()
) -> int | None:
    """The first unseen card of a domain: linked to a missed practice question first,
    then in deck order; or None."""
    limit = 1 + len(exclude)
    first = [c for c in priority_new_cards(conn, exam_id, domain, limit) if c not in exclude]
    if first:
        return first[0]
    params = {"exam_id": exam_id, "domain": domain, "limit": 1 + len(exclude)}
    rows = conn.execute(_NEXT_NEW, params)
    return next((cid for cid in rows.scalars() if cid not in exclude), None)


def count_due(conn: Connection, exam_id: int, today: date, domain: int | None = None) -> int:
    """Reviewed cards due on or before today, optionally of one domain."""
    query = (
        select(func.count())
        .select_from(CardState)
        .join(Placement, Placement.card_id == CardState.card_id)
        .where(today.isoformat() >= EFFECTIVE_DUE, _active(exam_id))
    )
    if domain is not None:
        query = query.where(Placement.domain == domain)
    return int(conn.execute(query).scalar_one())


def count_due_except(
    conn: Connection,
    exam_id: int,
    day: date,
    exclude: frozenset[int],
    domain: int | None = None,
) -> int:
    """Reviewed cards due on or before ``day`` (``count_due``) but for the ``exclude``d
    ones (today's answered cards: a few hundred at most, one state read each)."""
    due = count_due(conn, exam_id, day, domain)
    taken = 0
    for card_id in exclude:
        state = load_state(conn, card_id)
        if state is not None and (state.exam_due_day or state.due_day) <= day.isoformat():
            taken += 1
    return max(0, due - taken)


def count_new_by_domain(conn: Connection, exam_id: int) -> dict[int, int]:
    """Unseen, active cards per domain."""
    rows = conn.execute(
        select(Placement.domain, func.count())
        .where(_active(exam_id), Placement.is_new.is_(True))
        .group_by(Placement.domain)
    )
    return {int(domain): int(count) for domain, count in rows}


def answers_on(conn: Connection, day: date, exam_id: int) -> list[DayAnswer]:
    """Every live answer on a study day to a card that serves an exam, oldest first,
    with the card's domain in that exam."""
    rows = conn.execute(_ANSWERS_ON, {"day": day.isoformat(), "exam_id": exam_id})
    return [DayAnswer(int(c), int(g), ReviewKind(k), int(i), int(d)) for c, g, k, i, d in rows]


def streak_before(conn: Connection, today: date, limit: int = 3660) -> int:
    """Consecutive study days with an answer, ending yesterday (one index seek per day)."""
    count = 0
    day = today - timedelta(days=1)
    probe = select(Review.id).where(Review.study_day == bindparam("day"), LIVE).limit(1)
    while count < limit and conn.execute(probe, {"day": day.isoformat()}).first():
        count += 1
        day -= timedelta(days=1)
    return count


def answers_per_day(conn: Connection, first: date, last: date) -> dict[date, int]:
    """Live answers (every kind) per study day from ``first`` to ``last``, days with any."""
    rows = conn.execute(
        select(Review.study_day, func.count())
        .where(Review.study_day >= first.isoformat(), Review.study_day <= last.isoformat(), LIVE)
        .group_by(Review.study_day)
    )
    return {date.fromisoformat(str(day)): int(count) for day, count in rows}


def cards_not_suspended_as(conn: Connection, card_ids: list[int], suspended: bool) -> list[int]:
    """Those of ``card_ids`` whose suspension is not ``suspended`` (setting it changes them)."""
    changing: list[int] = []
    for start in range(0, len(card_ids), 500):
        changing.extend(
            conn.execute(
                select(Card.id).where(
                    Card.id.in_(card_ids[start : start + 500]), Card.suspended.is_not(suspended)
                )
            ).scalars()
        )
    return sorted(changing)


def set_suspended(conn: Connection, card_ids: list[int], suspended: bool) -> None:
    """Suspend or unsuspend cards."""
    for start in range(0, len(card_ids), 500):
        conn.execute(
            update(Card)
            .where(Card.id.in_(card_ids[start : start + 500]))
            .values(suspended=suspended)
        )


ExamRule = Callable[[date, date, int], date | None]
"""The exam-aware due layer: (SM-2 due day, last review day, card id) -> the day to show
the card instead, or None. The SM-2 due day and interval are stored unchanged."""


def state_row(state: ReplayedState, card_id: int, rule: ExamRule | None) -> StateRow:
    """A replayed state as a ``card_states`` row, with the exam-aware due day of ``rule``."""
    return row_of(
        (state.repetitions, state.easiness_hundredths, state.interval_days),
        state.due_day,
        state.last_day,
        state.reviews,
        state.lapses,
        card_id,
        rule,
    )


def row_of(
    numbers: tuple[int, int, int],
    due_day: date,
    last_day: date,
    reviews: int,
    lapses: int,
    card_id: int,
    rule: ExamRule | None,
) -> StateRow:
    """``state_row`` from the parts of a state, the SM-2 ones as numbers (n, EF in
    hundredths, I): a merge builds tens of thousands."""
    exam_due = rule(due_day, last_day, card_id) if rule else None
    return StateRow(
        *numbers,
        due_day.isoformat(),
        last_day.isoformat(),
        exam_due.isoformat() if exam_due and exam_due != due_day else None,
        reviews,
        lapses,
    )


def record_answer(
    conn: Connection,
    card_id: int,
    grade: int,
    today: date,
    reviewed_at: str,
    answer_ms: int,
    answered_today: bool,
    rule: ExamRule | None = None,
) -> AnswerRecord:
    """Log an answer and update the card's state by ``core.replay.apply_answer``.

    Args:
        answered_today: True when the card already had an answer today: this one is
            then a same-day drill, logged but leaving n, EF and I alone.
        rule: the exam-aware due layer (None: plain SM-2 due days).
    """
    before = load_state(conn, card_id)
    previous = before.replayed() if before else None
    kind = answer_kind(previous, answered_today)
    after = apply_answer(previous, ReplayAnswer(card_id, today, grade, kind))
    state = previous.sm2 if previous else NEW_CARD
    after_sm2 = after.sm2 if after else state
    review = {
        "card_id": card_id,
        "reviewed_at": reviewed_at,
        "study_day": today.isoformat(),
        "day_number": today.toordinal(),
        "grade": grade,
        "kind": kind.value,
        "interval_before": state.interval_days,
        "interval_after": after_sm2.interval_days,
        "easiness_before": state.easiness_hundredths,
        "easiness_after": after_sm2.easiness_hundredths,
        "repetitions_before": state.repetitions,
        "repetitions_after": after_sm2.repetitions,
        "answer_ms": answer_ms,
    }
    review_id, uid = conn.execute(_INSERT_REVIEW, {**review, "uid": ordered_uid(reviewed_at)}).one()
    if conn.execute(_LATER, {"card_id": card_id, "at": reviewed_at, "id": review_id}).first():
        # Another computer's answer is stamped as late or later (clocks disagree): the
        # answer lands inside the card's history, so the state is replayed in merge order.
        replay_card(conn, card_id, rule)
    else:
        if kind != ReviewKind.DRILL and after is not None:
            write_state(conn, card_id, state_row(after, card_id, rule), before)
        if before is None:
            set_new(conn, [card_id], False)
    return AnswerRecord(card_id=card_id, review=review, review_id=int(review_id), uid=str(uid))


def set_new(conn: Connection, card_ids: Sequence[int], is_new: bool) -> None:
    """Set the new-card flag of every placement of these cards (the ids travel as one
    JSON array); only placements whose flag changes are written.

    Whoever adds or removes a card's ``card_states`` row calls this: the flag is True
    exactly while there is none.
    """
    if card_ids:
        conn.exec_driver_sql(_SET_NEW, (is_new, json.dumps(list(card_ids)), is_new))


def write_state(
    conn: Connection, card_id: int, row: StateRow | None, previous: StateRow | None
) -> None:
    """Set a card's state row to ``row`` (None deletes it), given what is there now."""
    if row == previous:
        return
    if row is None:
        conn.execute(delete(CardState).where(CardState.card_id == card_id))
        return
    values = {
        "repetitions": row.repetitions,
        "easiness": row.easiness,
        "interval_days": row.interval_days,
        "due_day": row.due_day,
        "last_day": row.last_day,
        "exam_due_day": row.exam_due_day,
        "reviews": row.reviews,
        "lapses": row.lapses,
    }
    if previous is None:
        conn.execute(_INSERT_STATE, {"card_id": card_id, **values})
    else:
        conn.execute(_UPDATE_STATE, {"key": card_id, **values})


def replay_card(conn: Connection, card_id: int, rule: ExamRule | None) -> StateRow | None:
    """Rebuild one card's state from its live log entries in merge order
    (``merge_order.py``: the same on every computer); the exam layer from ``rule``."""
    replayed = replay_states(merge_order.card_log(conn, card_id)).get(card_id)
    before = load_state(conn, card_id)
    after = state_row(replayed, card_id, rule) if replayed else None
    write_state(conn, card_id, after, before)
    set_new(conn, [card_id], after is None)
    return after


def undo_answer(
    conn: Connection, record: AnswerRecord, reviewed_at: str, today: date, rule: ExamRule | None
) -> None:
    """Append a tombstone for an answer and rebuild the card's state without it.

    Nothing is deleted: the log keeps the answer and says it was undone. The exam-aware
    due day is computed by today's rule, not restored from before the answer.
    """
    conn.execute(
        _INSERT_REVIEW,
        {
            **record.review,
            "uid": ordered_uid(reviewed_at),
            "reviewed_at": reviewed_at,
            "study_day": today.isoformat(),
            "day_number": today.toordinal(),
            "kind": UNDO_KIND,
            "answer_ms": 0,
            "undoes": record.uid,
        },
    )
    replay_card(conn, record.card_id, rule)


def redo_answer(conn: Connection, record: AnswerRecord, rule: ExamRule | None) -> AnswerRecord:
    """Put an undone answer back as a new log entry (new id and uid, the answer's own day
    and grade) and rebuild the card's state; return the record of the new entry."""
    entry = {**record.review, "uid": ordered_uid(str(record.review["reviewed_at"]))}
    review_id, uid = conn.execute(_INSERT_REVIEW, entry).one()
    replay_card(conn, record.card_id, rule)
    return AnswerRecord(record.card_id, record.review, int(review_id), str(uid))


def reschedule_exam_dues(conn: Connection, adjust: ExamRule) -> int:
    """Recompute every card's exam-aware due day; return how many rows changed.

    Args:
        adjust: (SM-2 due day, last review day, card id) -> exam-aware due day or None.
    """
    rows = conn.execute(
        select(CardState.card_id, CardState.due_day, CardState.last_day, CardState.exam_due_day)
    )
    changed = []
    for card_id, due, last, current in rows:
        wanted = adjust(date.fromisoformat(due), date.fromisoformat(last), card_id)
        value = wanted.isoformat() if wanted and wanted.isoformat() != due else None
        if value != current:
            changed.append({"cid": card_id, "value": value})
    if changed:
        conn.execute(
            update(CardState)
            .where(CardState.card_id == bindparam("cid"))
            .values(exam_due_day=bindparam("value")),
            changed,
        )
    # The practice layer (cards of missed questions) sits over the exam rule.
    return len(changed) + apply_card_dues(conn)
