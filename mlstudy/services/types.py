"""Values the services hand to the CLI and the GUI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from mlstudy.core.leech import is_leech
from mlstudy.core.models import DayAnswer

CHANGE_KINDS = ("cards", "reviews", "content", "settings", "plan", "queue", "restored")
"""The kinds of change a cache can subscribe to on the change bus (``services/bus.py``)."""


@dataclass(frozen=True, slots=True)
class Changes:
    """What a mutating call changed; pages refresh from this one value.

    Attributes:
        cards: the cards whose content or state changed.
        reviews: the review log changed (an answer, undo or redo).
        content: decks were synced into the library.
        settings: settings were saved.
        plan: the plan or today's queue limits may differ.
        queue: cards moved in or out of the due and new queues other than by today's
            answers (suspension, sync, settings, undo of another day's answer).
        restored: the whole database was replaced from a backup.
        answered: the answers this change appended to the log (with ``reviews``); a
            change of the log with none (undo, redo) may have changed any of it.
    """

    cards: frozenset[int] = frozenset()
    reviews: bool = False
    content: bool = False
    settings: bool = False
    plan: bool = False
    queue: bool = False
    restored: bool = False
    answered: tuple[DayAnswer, ...] = ()

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            cards=self.cards | other.cards,
            reviews=self.reviews or other.reviews,
            content=self.content or other.content,
            settings=self.settings or other.settings,
            plan=self.plan or other.plan,
            queue=self.queue or other.queue,
            restored=self.restored or other.restored,
            answered=self.answered + other.answered,
        )

    def kinds(self) -> frozenset[str]:
        """The names of the kinds of change this value holds."""
        return frozenset(kind for kind in CHANGE_KINDS if getattr(self, kind))


@dataclass(frozen=True, slots=True)
class SyncReport:
    """The outcome of loading decks into the library."""

    files: int
    cards: int
    added: int
    updated: int
    archived: int
    revived: int
    problems: tuple[str, ...] = ()
    changes: Changes = field(default_factory=Changes)


@dataclass(frozen=True, slots=True)
class TodayCounts:
    """The numbers on the Today page."""

    day: date
    due: int
    new: int
    drill: int
    studied: int
    answers: int
    streak: int
    new_done: int = 0
    """New cards introduced today."""
    new_planned: int | None = None
    """Today's fixed plan quota of new cards (the whole day's), or None without a plan."""
    ahead: int = 0
    """Cards due in the next days that review ahead offers now (0 unless asked for)."""
    new_done_by_domain: Mapping[int, int] = field(default_factory=dict)
    """New cards introduced today, per domain."""
    new_planned_by_domain: Mapping[int, int] | None = None
    """Today's fixed plan quota per domain (the whole day's), or None without a plan."""

    @property
    def left(self) -> int:
        """Cards left today, drill and review ahead included."""
        return self.due + self.new + self.drill + self.ahead


@dataclass(frozen=True, slots=True)
class CardView:
    """A card as the GUI shows it."""

    id: int
    key: str
    question: str
    answer: str
    domain: int
    domain_name: str
    task: str | None
    task_title: str
    tags: tuple[str, ...]
    source_url: str
    file: str
    line: int
    kind: str
    repetitions: int
    easiness: float
    interval_days: int
    due: date | None
    exam_due: date | None
    suspended: bool
    archived: bool
    reviews: int
    lapses: int

    @property
    def is_leech(self) -> bool:
        """True once the card has lapsed ``core.leech.LEECH_LAPSES`` times."""
        return is_leech(self.lapses)
