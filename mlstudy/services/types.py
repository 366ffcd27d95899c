"""Values the services hand to the CLI and the GUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Changes:
    """What a mutating call changed; pages refresh from this one value."""

    cards: frozenset[int] = frozenset()
    reviews: bool = False
    content: bool = False
    settings: bool = False
    plan: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            cards=self.cards | other.cards,
            reviews=self.reviews or other.reviews,
            content=self.content or other.content,
            settings=self.settings or other.settings,
            plan=self.plan or other.plan,
        )


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

    @property
    def left(self) -> int:
        """Cards left today, drill included."""
        return self.due + self.new + self.drill


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
