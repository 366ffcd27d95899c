"""The database schema as SQLAlchemy 2 ``Mapped[]`` models.

Dates of study days are ISO strings (``2026-11-29``) so they sort and compare as
text and read well in any SQLite browser; timestamps are UTC ISO strings.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every mlstudy table."""


class Exam(Base):
    """An exam pack as last synced from its manifest."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")
    retired_on: Mapped[str | None] = mapped_column(String(10))
    status_note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")


class DomainRow(Base):
    """An exam domain and its weight in percent."""

    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ux_domains_exam_number", "exam_id", "number", unique=True),)


class TaskRow(Base):
    """A task statement of a domain."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ux_tasks_domain_code", "domain_id", "code", unique=True),)


class Card(Base):
    """A flashcard, keyed by its stable id from the deck (``key``)."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    domain: Mapped[int] = mapped_column(Integer)
    task: Mapped[str | None] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text, default="")
    file: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    new_rank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Where a new card comes within its domain before deck position (``core.new_order``)."""
    content_hash: Mapped[str] = mapped_column(String(64))
    archived: Mapped[bool] = mapped_column(default=False)
    suspended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[str] = mapped_column(String(32))


class Placement(Base):
    """Where a card serves one exam: its domain, task and new-card order in that exam.

    Schema version 9. A card has its home placement (the exam, domain and task of its
    file, kept in step with ``cards`` by triggers) and one more per exam pack that maps
    it into one of its tasks (``content/<pack>/shared/``). Every exam-scoped read goes
    through this table; a card keeps one row, one state and one history. ``archived``
    and ``suspended`` mirror the card's (triggers again) so that "next new card of
    domain d in exam e" stays one index seek.
    """

    __tablename__ = "placements"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[int] = mapped_column(Integer)
    task: Mapped[str | None] = mapped_column(String(16))
    new_rank: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_new: Mapped[bool] = mapped_column(default=True)
    """True while the card has no ``card_states`` row (never reviewed, or every answer
    undone); the same on all its placements. Since schema 10 the flag's only home: the
    writers of states set it through ``study.set_new``, which writes no ``cards`` row."""
    archived: Mapped[bool] = mapped_column(default=False)
    suspended: Mapped[bool] = mapped_column(default=False)
    home: Mapped[bool] = mapped_column(default=True)
    """True for the placement that comes from the card's own file."""

    __table_args__ = (
        # New cards in task, then deck order, per exam and domain: one seek.
        Index(
            "ix_placements_new_order",
            "exam_id",
            "is_new",
            "archived",
            "suspended",
            "domain",
            "new_rank",
            "position",
        ),
        Index("ix_placements_card", "card_id"),
        # The shared placements alone: every content sync compares them with the mappings.
        Index("ix_placements_shared", "exam_id", "card_id", sqlite_where=text("home IS 0")),
    )


class CardState(Base):
    """A reviewed card's SM-2 state; derived from the review log and rebuildable from it."""

    __tablename__ = "card_states"

    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    repetitions: Mapped[int] = mapped_column(Integer)
    easiness: Mapped[int] = mapped_column(Integer)  # hundredths: 250 = 2.5
    interval_days: Mapped[int] = mapped_column(Integer)
    due_day: Mapped[str] = mapped_column(String(10))
    last_day: Mapped[str] = mapped_column(String(10))
    exam_due_day: Mapped[str | None] = mapped_column(String(10))
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)


# The queue reads the exam-adjusted due day when there is one: index that expression.
Index("ix_card_states_effective_due", func.coalesce(CardState.exam_due_day, CardState.due_day))


UNDO_KIND = "undo"
"""The kind of a tombstone: a log entry saying that the answer ``undoes`` names was undone."""
NEW_UID = text("(lower(hex(randomblob(16))))")
"""A random 128-bit id, made by SQLite for every log entry that does not bring its own."""


def ordered_uid(at: str) -> str:
    """A log entry's uid as mlstudy makes it: 32 hex digits like ``NEW_UID``'s, the first
    12 the entry's timestamp in milliseconds, the other 80 bits random.

    Entries made about the same time sort together in the uid index, so a merge of
    another computer's recent answers adds to a few of its pages instead of rewriting
    pages all over it (a random uid lands anywhere in the index). Any 32 hex digits
    remain a valid uid: older entries keep their random ones.
    """
    millis = int(datetime.fromisoformat(at).timestamp() * 1000)
    return f"{millis % 16**12:012x}{secrets.token_hex(10)}"


class Review(Base):
    """One log entry: an answer, or a tombstone undoing one. Rows are never updated or
    deleted (schema version 4); card state is derived from the live answers."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    """Local order of the log; AUTOINCREMENT, so an id is never used twice."""
    uid: Mapped[str] = mapped_column(String(32), server_default=NEW_UID)
    """Globally unique id of the entry (schema version 4): what a tombstone and, later,
    another computer refer to."""
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    reviewed_at: Mapped[str] = mapped_column(String(32))
    study_day: Mapped[str] = mapped_column(String(10))
    day_number: Mapped[int | None] = mapped_column(Integer)
    """The study day as a date ordinal (schema version 3): the charts read it as a number."""
    grade: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    interval_before: Mapped[int] = mapped_column(Integer)
    interval_after: Mapped[int] = mapped_column(Integer)
    easiness_before: Mapped[int] = mapped_column(Integer)
    easiness_after: Mapped[int] = mapped_column(Integer)
    repetitions_before: Mapped[int] = mapped_column(Integer)
    repetitions_after: Mapped[int] = mapped_column(Integer)
    answer_ms: Mapped[int] = mapped_column(Integer, default=0)
    undoes: Mapped[str | None] = mapped_column(String(32))
    """On a tombstone (kind ``undo``): the uid of the answer it undoes."""

    __table_args__ = (
        Index("ix_reviews_day", "study_day"),
        Index("ix_reviews_card", "card_id", "id"),
        Index("ux_reviews_uid", "uid", unique=True),
        Index("ix_reviews_undoes", "undoes", sqlite_where=text("undoes IS NOT NULL")),
        {"sqlite_autoincrement": True},
    )


class Setting(Base):
    """A user setting as JSON text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DeckFile(Base):
    """A deck file as last synced: a fingerprint lets an unchanged file skip parsing.

    Added in schema version 2.
    """

    __tablename__ = "deck_files"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)


class ViewState(Base):
    """Window geometry, splitter sizes, column widths (schema version 4).

    Not library data: saving it marks nothing changed, so it never causes a backup.
    """

    __tablename__ = "view_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
