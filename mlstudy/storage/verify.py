"""Check the database against itself: SQLite's integrity check, and card state vs the log.

``card_states`` is derived from the append-only ``reviews`` log; ``state_mismatches``
replays the log (``mlstudy.core.replay``) and names every card whose stored state
differs. ``exam_due_day`` is the separate exam-aware layer and is not compared.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from mlstudy.core.replay import ReplayAnswer, ReplayedState, replay_states
from mlstudy.storage.merge_order import cards_log
from mlstudy.storage.schema import CardState

_COMPARED = ("repetitions", "easiness", "interval_days", "due_day", "last_day", "reviews", "lapses")


def integrity_check(conn: Connection) -> str:
    """SQLite's full ``PRAGMA integrity_check``: "ok", or the problems it lists."""
    rows = [str(row) for row in conn.execute(text("PRAGMA integrity_check")).scalars()]
    return "ok" if rows == ["ok"] else "; ".join(rows)


def _log(conn: Connection, problems: list[str]) -> tuple[list[ReplayAnswer], set[int], set[int]]:
    """The review log as replay input, each card's in merge order; every card it
    mentions; and the cards whose log holds a row replay cannot read (named in
    ``problems``, their state not compared)."""
    answers: list[ReplayAnswer] = []
    logged: set[int] = set()
    unreadable: dict[int, str] = {}
    for card_id, card_answers in cards_log(conn, unreadable=unreadable).items():
        logged.add(card_id)
        answers.extend(card_answers)
    problems.extend(f"card {c}: unreadable row: {why}" for c, why in sorted(unreadable.items()))
    return answers, logged, set(unreadable)


def _expected(state: ReplayedState) -> dict[str, object]:
    return {
        "repetitions": state.repetitions,
        "easiness": state.easiness_hundredths,
        "interval_days": state.interval_days,
        "due_day": state.due_day.isoformat(),
        "last_day": state.last_day.isoformat(),
        "reviews": state.reviews,
        "lapses": state.lapses,
    }


def state_mismatches(conn: Connection) -> list[str]:
    """Every difference between ``card_states`` and a replay of ``reviews`` in merge order.

    Reports, one line each: a field of a state row that differs from the replay, a
    state row for a card with no (state-changing) answer in the log, and a logged
    card with no state row. An empty list means the derived table is exact.
    """
    problems: list[str] = []
    answers, logged, unreadable = _log(conn, problems)
    try:
        replayed = replay_states(answers)
    except ValueError as exc:  # a grade outside 0..5 in the log
        return [*problems, f"the review log cannot be replayed: {exc}"]
    stored = {
        int(row.card_id): row
        for row in conn.execute(
            select(CardState.card_id, *(getattr(CardState, name) for name in _COMPARED))
        )
    }
    for card_id in sorted((stored.keys() | replayed.keys() | logged) - unreadable):
        row = stored.get(card_id)
        state = replayed.get(card_id)
        if row is None and state is None:
            problems.append(f"card {card_id}: only drill answers in the log and no state row")
        elif row is None:
            problems.append(f"card {card_id}: answers in the log but no card_states row")
        elif state is None:
            why = "only drill answers" if card_id in logged else "no answers"
            problems.append(f"card {card_id}: card_states row but {why} in the log")
        else:
            for name, want in _expected(state).items():
                have = getattr(row, name)
                if have != want:
                    problems.append(
                        f"card {card_id}: {name} is {have!r} in card_states, "
                        f"{want!r} replayed from the log"
                    )
    return problems
