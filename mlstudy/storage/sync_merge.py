"""The heavy half of a merge: other devices' answers into the log, their cards replayed.

After a long time away, a merge brings a hundred thousand answers. Three things happen
at once (``log_and_replay``), so that SQLite's work and Python's share two cores:

- the answers go into the log as one ``INSERT … SELECT`` from a temporary table, which
  SQLite runs on a thread of its own without Python's GIL;
- what the merge needs to know of the library before it (the merged cards' stored
  states, and their log entries stamped as late as the merged answers) is read on
  another thread and connection, as JSON texts that SQLite builds, again without the
  GIL; a reading connection sees the last commit, which is the library before this
  transaction, since the writer is held;
- Python sorts the answers out card by card and works out the new states.

If some answers were in the log already (a data dir copied to another computer can
bring the same entry twice), the states are worked out again from the entries that
actually went in (``replay_merged``).

Every function runs inside the caller's write transaction, on its connection."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from mlstudy.core import sync as core_sync
from mlstudy.core.replay import fold_grades, replay_states
from mlstudy.core.sm2 import NEW_CARD
from mlstudy.storage.merge_order import cards_log
from mlstudy.storage.raw import driver, raw_rows
from mlstudy.storage.schema import UNDO_KIND
from mlstudy.storage.study import (
    STATE_COLUMNS,
    ExamRule,
    StateRow,
    row_of,
    set_new,
    state_row,
    write_state,
)

_LOG_COLUMNS = (
    "uid, card_id, reviewed_at, study_day, day_number, grade, kind, interval_before, "
    "easiness_before, repetitions_before, interval_after, easiness_after, "
    "repetitions_after, answer_ms, undoes"
)
_CREATE_INCOMING = (
    "CREATE TEMP TABLE IF NOT EXISTS sync_incoming (uid TEXT, card_id INTEGER, "
    "reviewed_at TEXT, study_day TEXT, day_number INTEGER, grade INTEGER, kind TEXT, "
    "interval_before INTEGER, easiness_before INTEGER, repetitions_before INTEGER, "
    "interval_after INTEGER, easiness_after INTEGER, repetitions_after INTEGER, "
    "answer_ms INTEGER, undoes TEXT, device TEXT, seq INTEGER)"
)
_TOP = "SELECT coalesce(max(id), 0) FROM reviews"
_FILL = f"INSERT INTO temp.sync_incoming VALUES ({', '.join('?' * 17)})"
_INSERT_LOG = (
    f"INSERT OR IGNORE INTO reviews ({_LOG_COLUMNS}) "
    f"SELECT {_LOG_COLUMNS} FROM temp.sync_incoming ORDER BY rowid"
)
_ORIGINS_IN_ORDER = (
    "INSERT INTO sync_events (review_id, device, seq) "
    "SELECT ? + rowid - (SELECT min(rowid) FROM temp.sync_incoming), device, seq "
    "FROM temp.sync_incoming"
)
# An entry logged twice in the batch (two devices sent the same uid) takes the origin of
# the first, which is the one that went in (SQLite gives the bare columns of min()'s row).
_ORIGINS_BY_UID = (
    "INSERT INTO sync_events (review_id, device, seq) SELECT id, device, seq FROM ("
    "SELECT r.id AS id, i.device AS device, i.seq AS seq, min(i.rowid) "
    "FROM reviews r JOIN temp.sync_incoming i ON i.uid = r.uid WHERE r.id > ? GROUP BY r.id)"
)


MergedEntry = tuple[int, str, str, int, str, int, str]
"""A merged log entry as the replay of its card reads it: (card id, timestamp, device,
sequence, study day, grade, kind)."""


@dataclass(slots=True)
class LogBatch:
    """Other devices' answers (and tombstones) to log: their log rows, with origin, and
    the same entries as the replay reads them."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    entries: list[MergedEntry] = field(default_factory=list)
    _days: dict[date, tuple[str, int]] = field(default_factory=dict)

    def add_answers(
        self, answers: Sequence[core_sync.Stamped], card_ids: dict[str, int]
    ) -> list[core_sync.Stamped]:
        """Add the answers whose card has an id in ``card_ids``; return the others.

        One loop of plain tuples over a hundred thousand answers, with no call per answer.
        """
        rows, entries, days, waiting = self.rows, self.entries, self._days, []
        for stamped in answers:
            device, seq, answer = stamped
            assert isinstance(answer, core_sync.Answer)
            uid, card, at, study_day, grade, kind, ms, before, after, undoes = answer
            card_id = card_ids.get(card)
            if card_id is None:
                waiting.append(stamped)
                continue
            day = days.get(study_day)
            if day is None:
                day = days[study_day] = (study_day.isoformat(), study_day.toordinal())
            iso, number = day
            ib, eb, rb = before
            ia, ea, ra = after
            rows.append(
                (
                    uid,
                    card_id,
                    at,
                    iso,
                    number,
                    grade,
                    kind,
                    ib,
                    eb,
                    rb,
                    ia,
                    ea,
                    ra,
                    ms,
                    undoes,
                    device,
                    seq,
                )
            )
            entries.append((card_id, at, device, seq, iso, grade, kind))
        return waiting


def _fill(sqlite: sqlite3.Connection, batch: LogBatch) -> None:
    sqlite.execute(_CREATE_INCOMING)
    sqlite.execute("DELETE FROM temp.sync_incoming")
    sqlite.executemany(_FILL, batch.rows)


def _insert(sqlite: sqlite3.Connection, count: int) -> int:
    """Log the filled rows unless their uid is there already, each with its origin;
    return how many went in. Each is one statement, which SQLite runs without the GIL."""
    (top,) = sqlite.execute(_TOP).fetchone()
    sqlite.execute(_INSERT_LOG)
    first, inserted = sqlite.execute(
        "SELECT min(id), count(*) FROM reviews WHERE id > ?", (top,)
    ).fetchone()
    if inserted == count:  # every row went in, in order: their ids follow each other
        sqlite.execute(_ORIGINS_IN_ORDER, (first,))
    elif inserted:
        sqlite.execute(_ORIGINS_BY_UID, (top,))
    sqlite.execute("DROP TABLE temp.sync_incoming")
    return int(inserted)


def log_answers(conn: Connection, batch: LogBatch) -> int:
    """Log the batch's entries unless their uid is there already; return how many went in."""
    if not batch.rows:
        return 0
    sqlite = driver(conn)
    _fill(sqlite, batch)
    return _insert(sqlite, len(batch.rows))


def log_and_replay(
    conn: Connection,
    open_reader: Callable[[], AbstractContextManager[Connection]],
    batch: LogBatch,
    top: int,
    rule: ExamRule | None,
) -> tuple[int, frozenset[int]]:
    """Log the batch and bring the states of every card with entries above ``top`` up to
    date; return how many entries went in and those cards.

    Args:
        open_reader: opens a connection of its own, which reads the library as it was
            before this transaction (the writer is held: nothing else commits meanwhile).
        top: the log's newest id before this transaction; the batch's entries are the
            only ones above it when its new states are worked out in advance.
    """
    if not batch.rows:
        return 0, replay_merged(conn, top, rule)
    in_advance = log_top(conn) == top
    reading = _reading(top, batch.entries, None)
    sqlite = driver(conn)
    # The executor waits for its threads before an error leaves this block: the write
    # connection is the inserting thread's until its statement ends.
    with ThreadPoolExecutor(2, thread_name_prefix="mlstudy-merge") as pool:
        texts = pool.submit(reading.texts_apart, open_reader) if in_advance else None
        _fill(sqlite, batch)
        inserting = pool.submit(_insert, sqlite, len(batch.rows))
        plan = _plan(batch.entries, texts.result, rule) if texts else None
        inserted = inserting.result()
    if plan is None or inserted != len(batch.rows):
        return inserted, replay_merged(conn, top, rule)
    _finish(conn, plan, rule)
    return inserted, frozenset(plan.cards)


def log_top(conn: Connection) -> int:
    """The newest log id now: entries above it after a merge are the merged ones."""
    return int(conn.exec_driver_sql(_TOP).scalar_one())


_MERGED = (
    "SELECT r.card_id, r.reviewed_at, e.device, e.seq, r.study_day, r.grade, r.kind "
    "FROM reviews r JOIN sync_events e ON e.review_id = r.id WHERE r.id > ?"
)
"""The merged entries (above the log's top before the merge), in log order: sorted into
merge order card by card (most cards have one or two), not all at once by SQLite."""
_IN_JSON = "(SELECT value FROM json_each(?))"
# What a merge reads of the library before it, each as one JSON text: SQLite builds it
# without Python's GIL (the reads run on a thread while the log rows go in).
_STATES_OF = (
    f"SELECT json_group_array(json_array(card_id, {', '.join(c.name for c in STATE_COLUMNS)})) "
    f"FROM card_states WHERE card_id IN {_IN_JSON}"
)
_LOGGED_WITHOUT_STATE = (
    "SELECT json_group_array(value) FROM json_each(?) WHERE NOT EXISTS "
    "(SELECT 1 FROM card_states WHERE card_id = value) "
    "AND EXISTS (SELECT 1 FROM reviews WHERE card_id = value AND id <= ?)"
)
_LATE_COLUMNS = "json_group_array(json_array(card_id, reviewed_at, study_day))"
_LATE_OF_CARDS = (
    f"SELECT {_LATE_COLUMNS} FROM reviews WHERE card_id IN {_IN_JSON} "
    "AND id <= ? AND (reviewed_at >= ? OR study_day >= ?)"
)
_LATE = (
    f"SELECT {_LATE_COLUMNS} FROM reviews WHERE id <= ? AND (reviewed_at >= ? OR study_day >= ?)"
)
_SCAN_SHARE = 100
"""Above one merged card in this many log entries, the entries stamped as late as the
merged ones are found by one pass over the log rather than card by card."""


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a merge reads of the library as it was before it, for a set of cards."""

    top: int
    cards: list[int]
    at: str
    """The earliest timestamp of the merged entries."""
    day: str
    """Their earliest study day."""
    scan: bool

    def texts(self, conn: Connection) -> tuple[str, str, str]:
        """The cards' state rows, those of them with a log but no state row, and the log
        entries up to ``top`` stamped no earlier than ``at`` or on no earlier a study day
        than ``day``; each a JSON array."""
        sqlite = driver(conn)
        cards = json.dumps(self.cards)
        late = (
            sqlite.execute(_LATE, (self.top, self.at, self.day))
            if self.scan
            else sqlite.execute(_LATE_OF_CARDS, (cards, self.top, self.at, self.day))
        )
        return (
            sqlite.execute(_STATES_OF, (cards,)).fetchone()[0],
            sqlite.execute(_LOGGED_WITHOUT_STATE, (cards, self.top)).fetchone()[0],
            late.fetchone()[0],
        )

    def texts_apart(
        self, open_reader: Callable[[], AbstractContextManager[Connection]]
    ) -> tuple[str, str, str]:
        """``texts`` on a reading connection of its own."""
        with open_reader() as reader:
            return self.texts(reader)


def _reading(top: int, entries: Sequence[tuple[Any, ...]], scan: bool | None) -> _Reading:
    cards = sorted({entry[0] for entry in entries})
    at = min(entry[1] for entry in entries)
    day = min(entry[4] for entry in entries)
    return _Reading(top, cards, at, day, len(cards) * _SCAN_SHARE > top if scan is None else scan)


@dataclass(slots=True)
class _Plan:
    """The merged cards, their state rows before, the ones to replay from their whole
    log (``full``) and the new state rows of the others."""

    cards: list[int]
    before: dict[int, StateRow]
    full: set[int]
    after: dict[int, StateRow | None]


def _plan(
    merged_entries: Sequence[tuple[Any, ...]],
    texts: Callable[[], tuple[str, str, str]],
    rule: ExamRule | None,
) -> _Plan:
    """Work out the new state rows of the cards of ``merged_entries`` that continue from
    their stored state, given what ``texts`` reads of the library before the merge
    (``_Reading.texts``; called once the entries are sorted out).

    A card whose merged answers all come after everything it had (in merge order, and
    on later study days) continues from its stored state (``core.sync.continued_state``);
    any other card (an undo, an answer that lands in its past) is left to ``_finish`` to
    replay from its whole log. Both give the state a replay of the whole log in merge
    order gives.
    """
    days: dict[str, date] = {}
    merged: dict[int, list[tuple[date, int]]] = {}
    firsts: dict[int, tuple[str, str]] = {}
    full: set[int] = set()
    entries: dict[int, list[tuple[Any, ...]]] = {}
    for row in merged_entries:
        of_card = entries.get(row[0])
        if of_card is None:
            entries[row[0]] = [row]
        else:
            of_card.append(row)
    for card_id in sorted(entries):
        of_card = entries[card_id]
        if len(of_card) > 1:
            of_card.sort()  # (card, timestamp, device, sequence): merge order
        for _card, at, _device, _seq, day, grade, kind in of_card:
            if kind == UNDO_KIND:
                full.add(card_id)
                continue
            answers = merged.get(card_id)
            if answers is None:
                answers = merged[card_id] = []
                firsts[card_id] = (at, day)
            study_day = days.get(day)
            if study_day is None:
                study_day = days[day] = date.fromisoformat(day)
            answers.append((study_day, grade))
    states, logged, late = texts()
    before = {int(row[0]): StateRow(*row[1:]) for row in json.loads(states)}
    full.update(json.loads(logged))  # a log with no state (drills, undone answers, Anki's)
    for card_id, row_at, row_day in json.loads(late):
        first = firsts.get(card_id)
        if first is not None and (row_at >= first[0] or row_day >= first[1]):
            full.add(card_id)  # an entry stamped no earlier: the merged ones land in its past
    after: dict[int, StateRow | None] = {}
    for card_id, answers in merged.items():
        if card_id not in full:
            after[card_id] = continued_row(before.get(card_id), answers, card_id, rule)
    return _Plan(sorted(merged.keys() | full), before, full, after)


def continued_row(
    previous: StateRow | None, answers: list[tuple[date, int]], card_id: int, rule: ExamRule | None
) -> StateRow:
    """A card's state row after answers (study day, grade) that continue its log:
    ``state_row(core.sync.continued_state(...))`` without the objects in between, which
    a merge would make tens of thousands of. ``answers`` is not empty."""
    if previous is None:
        numbers, reviews, lapses = _NEW, 0, 0
    else:
        numbers = (previous.repetitions, previous.easiness, previous.interval_days)
        reviews, lapses = previous.reviews, previous.lapses
    numbers, reviews, lapses, last = fold_grades(
        numbers, reviews, lapses, core_sync.state_changing(answers)
    )
    if last is None:
        raise ValueError(f"card {card_id}: no answers to continue its state with")
    due = last + timedelta(days=numbers[2])
    return row_of(numbers, due, last, reviews, lapses, card_id, rule)


_NEW = (NEW_CARD.repetitions, NEW_CARD.easiness_hundredths, NEW_CARD.interval_days)


def _finish(conn: Connection, plan: _Plan, rule: ExamRule | None) -> None:
    """Replay the plan's ``full`` cards from their whole log and write every new state."""
    after = plan.after
    for card_id, states in cards_log(conn, plan.full).items():
        state = replay_states(states).get(card_id)
        after[card_id] = state_row(state, card_id, rule) if state else None
    for card_id in plan.full - after.keys():
        after[card_id] = None  # every answer of it undone
    _write_states(conn, after, plan.before)


def replay_merged(
    conn: Connection, top: int, rule: ExamRule | None, scan: bool | None = None
) -> frozenset[int]:
    """Bring the states of the cards that got log entries above ``top`` (a merge) up to
    date, reading those entries back from the log; return those cards.

    Args:
        scan: find the entries stamped as late as the merged ones by one pass over the
            log (True) or card by card (False); None chooses by the share of cards merged.
    """
    merged = raw_rows(conn, _MERGED, (top,))
    if not merged:
        return frozenset()
    plan = _plan(merged, lambda: _reading(top, merged, scan).texts(conn), rule)
    _finish(conn, plan, rule)
    return frozenset(plan.cards)


_UPDATE_STATE = (
    f"UPDATE card_states SET {', '.join(f'{c.name} = ?' for c in STATE_COLUMNS)} WHERE card_id = ?"
)
_INSERT_STATE = (
    f"INSERT INTO card_states (card_id, {', '.join(c.name for c in STATE_COLUMNS)}) "
    f"VALUES (?{', ?' * len(STATE_COLUMNS)})"
)


def _write_states(
    conn: Connection, after: dict[int, StateRow | None], before: dict[int, StateRow]
) -> None:
    updates: list[tuple[object, ...]] = []
    inserts: list[tuple[object, ...]] = []
    came: list[int] = []
    gone: list[int] = []
    for card_id, row in after.items():
        previous = before.get(card_id)
        if row == previous:
            continue
        if row is not None and previous is not None:
            updates.append((*row, card_id))  # a StateRow is in STATE_COLUMNS order
        elif row is not None:
            inserts.append((card_id, *row))
            came.append(card_id)
        else:
            write_state(conn, card_id, None, previous)
            gone.append(card_id)
    if updates:
        conn.exec_driver_sql(_UPDATE_STATE, updates)
    if inserts:
        conn.exec_driver_sql(_INSERT_STATE, inserts)
    # The new-card flag is true exactly while a card has no state row.
    set_new(conn, came, False)
    set_new(conn, gone, True)
