"""Practice questions, attempts and answers: tables, their migration and queries.

Questions are synced from the question files like cards (keyed by their stable id,
archived when gone). An attempt is one exam or practice set; each of its items is
written as the user answers it, so an interrupted attempt resumes where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from mlstudy.core.practice import ItemType, Option, Question
from mlstudy.storage.raw import raw_rows
from mlstudy.storage.schema import Base

TABLES = ("questions", "practice_attempts", "practice_items", "practice_card_dues")


class QuestionRow(Base):
    """A practice question as last synced from its file (added with the practice tables)."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    domain: Mapped[int] = mapped_column(Integer)
    task: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(Text)  # JSON list of [text, explanation, correct, match]
    sources: Mapped[str] = mapped_column(Text, default="")
    cards: Mapped[str] = mapped_column(Text, default="")
    case_key: Mapped[str | None] = mapped_column(String(100))
    case_text: Mapped[str] = mapped_column(Text, default="")
    file: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    archived: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        # Assembly reads these columns of every question: the index alone answers it.
        Index(
            "ix_questions_bank", "exam_id", "archived", "id", "key", "domain", "task", "case_key"
        ),
    )


class AttemptRow(Base):
    """One exam or practice set."""

    __tablename__ = "practice_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    mode: Mapped[str] = mapped_column(String(16))  # exam | practice
    started_at: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[str | None] = mapped_column(String(32))
    study_day: Mapped[str] = mapped_column(String(10))
    time_limit_s: Mapped[int] = mapped_column(Integer, default=0)  # 0: untimed
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    seed: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_practice_attempts_exam", "exam_id", "finished_at"),)


class ItemRow(Base):
    """One question of an attempt: its display order, the answer as given, the result."""

    __tablename__ = "practice_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("practice_attempts.id"))
    position: Mapped[int] = mapped_column(Integer)
    question_key: Mapped[str] = mapped_column(String(100))
    shown_order: Mapped[str] = mapped_column(Text)  # JSON list of option indices
    answer: Mapped[str | None] = mapped_column(Text)  # JSON list, None: unanswered
    correct: Mapped[bool | None] = mapped_column()
    flagged: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ux_practice_items_attempt", "attempt_id", "position", unique=True),
        Index("ix_practice_items_question", "question_key", "attempt_id"),
    )


class CardDueRow(Base):
    """A card brought forward by a missed practice question: the due-date layer's input."""

    __tablename__ = "practice_card_dues"

    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    due_day: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)


def add_practice_tables(conn: Connection) -> None:
    """The migration that adds the practice tables (self-contained: safe to renumber)."""
    for name in TABLES:
        Base.metadata.tables[name].create(conn, checkfirst=True)


# ----- questions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """A question as the sync writes it."""

    exam: str
    question: Question
    file: str
    line: int
    content_hash: str


def _options_json(options: Sequence[Option]) -> str:
    return json.dumps([[o.text, o.explanation, o.correct, o.match] for o in options])


def sync_questions(
    conn: Connection, exam_ids: dict[str, int], records: Sequence[QuestionRecord]
) -> int:
    """Bring the questions table in line with ``records``; return rows written."""
    existing = {
        key: (qid, content_hash, archived)
        for qid, key, content_hash, archived in conn.execute(
            select(QuestionRow.id, QuestionRow.key, QuestionRow.content_hash, QuestionRow.archived)
        )
    }
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for record in records:
        q = record.question
        values = {
            "exam_id": exam_ids[record.exam],
            "domain": q.domain,
            "task": q.task,
            "type": q.type.value,
            "title": q.title,
            "stem": q.stem,
            "options": _options_json(q.options),
            "sources": ",".join(q.sources),
            "cards": ",".join(q.cards),
            "case_key": q.case_key,
            "case_text": q.case_text,
            "file": record.file,
            "line": record.line,
            "content_hash": record.content_hash,
            "archived": False,
        }
        row = existing.pop(q.key, None)
        if row is None:
            inserts.append({"key": q.key, **values})
        elif row[1] != record.content_hash or row[2]:
            updates.append({"qid": row[0], **values})
    if inserts:
        conn.execute(insert(QuestionRow), inserts)
    if updates:
        conn.execute(update(QuestionRow).where(QuestionRow.id == bindparam("qid")), updates)
    gone = [qid for qid, _h, archived in existing.values() if not archived]
    for start in range(0, len(gone), 500):
        conn.execute(
            update(QuestionRow)
            .where(QuestionRow.id.in_(gone[start : start + 500]))
            .values(archived=True)
        )
    return len(inserts) + len(updates) + len(gone)


def _question(row: QuestionRow | object) -> Question:
    r: QuestionRow = row  # type: ignore[assignment]
    options = tuple(
        Option(str(text), str(explanation), bool(correct), str(match))
        for text, explanation, correct, match in json.loads(r.options)
    )
    return Question(
        key=r.key,
        title=r.title,
        type=ItemType(r.type),
        domain=r.domain,
        task=r.task,
        stem=r.stem,
        options=options,
        sources=tuple(s for s in r.sources.split(",") if s),
        cards=tuple(c for c in r.cards.split(",") if c),
        case_key=r.case_key,
        case_text=r.case_text,
    )


_QUESTION_COLUMNS = (
    QuestionRow.key,
    QuestionRow.title,
    QuestionRow.type,
    QuestionRow.domain,
    QuestionRow.task,
    QuestionRow.stem,
    QuestionRow.options,
    QuestionRow.sources,
    QuestionRow.cards,
    QuestionRow.case_key,
    QuestionRow.case_text,
)


def load_questions(conn: Connection, keys: Sequence[str]) -> dict[str, Question]:
    """Questions by key (archived ones too: an old attempt still shows them)."""
    found: dict[str, Question] = {}
    for start in range(0, len(keys), 500):
        rows = conn.execute(
            select(*_QUESTION_COLUMNS).where(QuestionRow.key.in_(keys[start : start + 500]))
        )
        for row in rows:
            found[row.key] = _question(row)
    return found


@dataclass(frozen=True, slots=True)
class BankRow:
    """A question's key, domain, task, case and type, for assembly and counts."""

    key: str
    domain: int
    task: str | None
    case_key: str | None
    type: str


def bank(conn: Connection, exam_id: int) -> list[BankRow]:
    """Every active question of an exam (no text: cheap for thousands)."""
    rows = conn.execute(
        select(
            QuestionRow.key,
            QuestionRow.domain,
            QuestionRow.task,
            QuestionRow.case_key,
            QuestionRow.type,
        )
        .where(QuestionRow.exam_id == exam_id, QuestionRow.archived.is_(False))
        .order_by(QuestionRow.id)
    )
    return [BankRow(*row) for row in rows]


# ----- attempts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptInfo:
    """An attempt's row."""

    id: int
    mode: str
    started_at: str
    finished_at: str | None
    study_day: str
    time_limit_s: int
    elapsed_ms: int
    position: int
    seed: int


@dataclass(frozen=True, slots=True)
class ItemInfo:
    """An item of an attempt."""

    position: int
    question_key: str
    shown_order: tuple[int, ...]
    answer: tuple[int, ...] | None
    correct: bool | None
    flagged: bool


_ATTEMPT_COLUMNS = (
    AttemptRow.id,
    AttemptRow.mode,
    AttemptRow.started_at,
    AttemptRow.finished_at,
    AttemptRow.study_day,
    AttemptRow.time_limit_s,
    AttemptRow.elapsed_ms,
    AttemptRow.position,
    AttemptRow.seed,
)


def create_attempt(
    conn: Connection,
    exam_id: int,
    mode: str,
    started_at: str,
    day: date,
    time_limit_s: int,
    seed: int,
    items: Sequence[tuple[str, tuple[int, ...]]],
) -> int:
    """Start an attempt with its questions (key, display order); return its id."""
    attempt_id = int(
        conn.execute(
            insert(AttemptRow)
            .values(
                exam_id=exam_id,
                mode=mode,
                started_at=started_at,
                study_day=day.isoformat(),
                time_limit_s=time_limit_s,
                seed=seed,
            )
            .returning(AttemptRow.id)
        ).scalar_one()
    )
    conn.execute(
        insert(ItemRow),
        [
            {
                "attempt_id": attempt_id,
                "position": i,
                "question_key": key,
                "shown_order": json.dumps(list(order)),
            }
            for i, (key, order) in enumerate(items)
        ],
    )
    return attempt_id


def attempt(conn: Connection, attempt_id: int) -> AttemptInfo | None:
    """One attempt, or None."""
    row = conn.execute(select(*_ATTEMPT_COLUMNS).where(AttemptRow.id == attempt_id)).first()
    return AttemptInfo(*row) if row else None


def unfinished_attempt(conn: Connection, exam_id: int) -> AttemptInfo | None:
    """The newest attempt of an exam that was not submitted, or None."""
    row = conn.execute(
        select(*_ATTEMPT_COLUMNS)
        .where(AttemptRow.exam_id == exam_id, AttemptRow.finished_at.is_(None))
        .order_by(AttemptRow.id.desc())
        .limit(1)
    ).first()
    return AttemptInfo(*row) if row else None


def finished_attempts(conn: Connection, exam_id: int) -> list[AttemptInfo]:
    """Submitted attempts of an exam, oldest first."""
    rows = conn.execute(
        select(*_ATTEMPT_COLUMNS)
        .where(AttemptRow.exam_id == exam_id, AttemptRow.finished_at.is_not(None))
        .order_by(AttemptRow.finished_at, AttemptRow.id)
    )
    return [AttemptInfo(*row) for row in rows]


def items(conn: Connection, attempt_id: int) -> list[ItemInfo]:
    """An attempt's items in order."""
    rows = conn.execute(
        select(
            ItemRow.position,
            ItemRow.question_key,
            ItemRow.shown_order,
            ItemRow.answer,
            ItemRow.correct,
            ItemRow.flagged,
        )
        .where(ItemRow.attempt_id == attempt_id)
        .order_by(ItemRow.position)
    )
    return [
        ItemInfo(
            position,
            key,
            tuple(json.loads(order)),
            tuple(json.loads(answer)) if answer is not None else None,
            correct,
            bool(flagged),
        )
        for position, key, order, answer, correct, flagged in rows
    ]


_SAVE_ANSWER = (
    update(ItemRow)
    .where(ItemRow.attempt_id == bindparam("aid"), ItemRow.position == bindparam("pos"))
    .values(
        answer=bindparam("answer"),
        correct=bindparam("correct"),
        answered_at=bindparam("at"),
    )
)


def save_answer(
    conn: Connection,
    attempt_id: int,
    position: int,
    answer: Sequence[int] | None,
    correct: bool | None,
    at: str,
    elapsed_ms: int,
) -> None:
    """Store one answer as given, with the attempt's time used and current position."""
    conn.execute(
        _SAVE_ANSWER,
        {
            "aid": attempt_id,
            "pos": position,
            "answer": json.dumps(list(answer)) if answer is not None else None,
            "correct": correct,
            "at": at,
        },
    )
    save_progress(conn, attempt_id, position, elapsed_ms)


def save_progress(conn: Connection, attempt_id: int, position: int, elapsed_ms: int) -> None:
    """Store where the user is and the time used so far."""
    conn.execute(
        update(AttemptRow)
        .where(AttemptRow.id == attempt_id)
        .values(position=position, elapsed_ms=elapsed_ms)
    )


def set_flag(conn: Connection, attempt_id: int, position: int, flagged: bool) -> None:
    """Flag or unflag an item."""
    conn.execute(
        update(ItemRow)
        .where(ItemRow.attempt_id == attempt_id, ItemRow.position == position)
        .values(flagged=flagged)
    )


def finish_attempt(
    conn: Connection, attempt_id: int, finished_at: str, elapsed_ms: int, score_unanswered: bool
) -> None:
    """Mark an attempt submitted; with ``score_unanswered`` (an exam) unanswered items are
    scored wrong, else (a practice set ended early) they are left out."""
    if score_unanswered:
        conn.execute(
            update(ItemRow)
            .where(ItemRow.attempt_id == attempt_id, ItemRow.correct.is_(None))
            .values(correct=False)
        )
    conn.execute(
        update(AttemptRow)
        .where(AttemptRow.id == attempt_id)
        .values(finished_at=finished_at, elapsed_ms=elapsed_ms)
    )


def bank_rows(conn: Connection, exam_id: int) -> list[tuple[str, int, str | None, str | None]]:
    """(key, domain, task, case key) of every active question of an exam, fast."""
    return raw_rows(
        conn,
        "SELECT key, domain, task, case_key FROM questions "
        "WHERE exam_id = ? AND archived = 0 ORDER BY id",
        (exam_id,),
    )


def history_rows(conn: Connection, exam_id: int) -> list[tuple[int, str, int | None, bool]]:
    """(attempt id, question key, correct or None, finished) of every item of an exam's
    attempts, oldest attempt first."""
    return raw_rows(
        conn,
        "SELECT i.attempt_id, i.question_key, i.correct, a.finished_at IS NOT NULL "
        "FROM practice_items i JOIN practice_attempts a ON a.id = i.attempt_id "
        "WHERE a.exam_id = ? ORDER BY i.attempt_id, i.position",
        (exam_id,),
    )


def attempt_scores(
    conn: Connection, exam_id: int
) -> list[tuple[int, str, str, str, int, int, int]]:
    """(attempt id, mode, finished at, study day, domain, questions, correct) of every
    finished attempt and domain, oldest first, in one read. An exam counts every item;
    a practice set ended early counts the items answered."""
    return raw_rows(
        conn,
        "SELECT a.id, a.mode, a.finished_at, a.study_day, q.domain, "
        "SUM(CASE WHEN a.mode = 'exam' OR i.correct IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN i.correct = 1 THEN 1 ELSE 0 END) "
        "FROM practice_attempts a JOIN practice_items i ON i.attempt_id = a.id "
        "JOIN questions q ON q.key = i.question_key "
        "WHERE a.exam_id = ? AND a.finished_at IS NOT NULL "
        "GROUP BY a.id, q.domain ORDER BY a.finished_at, a.id, q.domain",
        (exam_id,),
    )
