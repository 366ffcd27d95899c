"""Anki interoperability rules that need no file or database: names, tags, scheduling.

The scheduling mapping (README, "Anki"): a card with SM-2 state becomes an Anki review
card whose interval is the SM-2 interval, whose ease is the easiness factor in
permille (2.5 -> 2500) and whose due day is the SM-2 due day (the exam-aware due day
is an mlstudy layer and is not exported). A card never reviewed stays new.

Import with progress is the mapping the other way. An Anki review card becomes one log
entry of kind ``import`` that sets the card's SM-2 state outright (``imported_schedule``):
I = Anki's interval, EF = Anki's factor / 10 in hundredths (2500 -> 250) and never below
SM-2's 1.3, n = 1 plus the passed review-type answers since the last lapse in Anki's
history, and a virtual last review day = Anki's due day - I, so mlstudy's due day is
Anki's. A card in Anki's learning or relearning steps becomes SM-2's state after a
failed answer (``learning_schedule``): n = 0, I = 1 day from its last Anki answer, EF =
Anki's factor (2.5 for a card that never graduated). Anki's review history becomes
entries of the kinds in ``ANKI_KINDS`` (``anki_history``): history for the charts and the
answer-time estimates, never state.
Buttons map to grades 1 Again -> 1, 2 Hard -> 3, 3 Good -> 4, 4 Easy -> 5.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from mlstudy.core.models import ReviewKind
from mlstudy.core.sm2 import INITIAL_EASINESS_HUNDREDTHS, MIN_EASINESS_HUNDREDTHS, Sm2State

NOTE_TYPE_NAME = "mlstudy card"
NOTE_FIELDS = ("Question", "Answer", "Source", "Task", "Id")
_TAG_UNSAFE = re.compile(r"[\s\"]+")


@dataclass(frozen=True, slots=True)
class ExportCard:
    """One card as it goes into an Anki package.

    Attributes:
        key: the card's stable id (the Anki note GUID is derived from it).
        domain: the domain number.
        task: the task statement id, or None.
        question: the question in markdown.
        answer: the answer in markdown.
        source: the source URL, or "".
        tags: the card's tags.
        state: the SM-2 state, None for a card never reviewed.
        due: the SM-2 due day when there is a state.
        suspended: suspended in mlstudy.
    """

    key: str
    domain: int
    task: str | None
    question: str
    answer: str
    source: str
    tags: tuple[str, ...]
    state: Sm2State | None = None
    due: date | None = None
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class AnkiSchedule:
    """An Anki card's scheduling columns: ``ivl`` days, ``factor`` permille, ``due`` day."""

    interval: int
    factor: int
    due_day: int
    repetitions: int


def stable_id(*parts: str) -> int:
    """A positive 63-bit id from text: the same parts always give the same Anki id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    # Anki ids are signed 64-bit; keep them positive and clear of its millisecond ids.
    return int.from_bytes(digest[:8], "big") >> 2 | 1 << 40


def deck_name(exam_code: str, domain: int, domain_name: str) -> str:
    """The Anki subdeck of a domain: ``MLS-C01::3 Modeling``."""
    return f"{exam_code}::{domain} {domain_name}".replace('"', "'")


def anki_tags(card: ExportCard) -> list[str]:
    """The card's tags (spaces become hyphens, as Anki tags cannot hold them) and ``task::N``."""
    tags = [_TAG_UNSAFE.sub("-", tag.strip()) for tag in card.tags if tag.strip()]
    if card.task:
        tags.append(f"task::{card.task}")
    return list(dict.fromkeys(tags))


def anki_schedule(card: ExportCard, collection_start: date) -> AnkiSchedule | None:
    """The Anki review-card columns for a reviewed card, or None for a new one.

    Anki counts a review card's ``due`` in days since the collection was created
    (``collection_start``).
    """
    if card.state is None or card.due is None:
        return None
    return AnkiSchedule(
        interval=max(1, card.state.interval_days),
        factor=card.state.easiness_hundredths * 10,
        due_day=(card.due - collection_start).days,
        repetitions=card.state.repetitions,
    )


IMPORT_KIND = "import"
"""Log kind of an imported state: its ``*_after`` columns are the state, its study day the
virtual last review day. Replay sets the state from it; no reader counts it as an answer."""
ANKI_KINDS: dict[str, ReviewKind] = {
    "anki-new": ReviewKind.NEW,
    "anki-rev": ReviewKind.REVIEW,
    "anki-drl": ReviewKind.DRILL,
}
"""Log kinds of Anki's review history, each to the answer kind it stands for in the charts
(first answer of a card, first answer of a later day, another answer the same day).
Replay ignores them; the charts and the answer-time estimates count them."""
ANKI_GRADES: dict[int, int] = {1: 1, 2: 3, 3: 4, 4: 5}
"""Anki's answer buttons (1 Again, 2 Hard, 3 Good, 4 Easy) to SM-2 grades."""
_ANKI_REVIEW_TYPE = 1  # revlog.type: 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual


@dataclass(frozen=True, slots=True)
class AnkiAnswer:
    """One entry of Anki's review history, its moment already turned into a study day.

    Attributes:
        timestamp_ms: when it was given (Unix milliseconds; Anki's revlog id, unique per card).
        day: the study day of the answer.
        ease: the button, 1 Again .. 4 Easy (0: a manual reschedule, not an answer).
        interval: Anki's interval after it in days (negative: seconds of a learning step).
        time_ms: the answer time.
        kind: Anki's revlog type (0 learn, 1 review, 2 relearn, 3 filtered, 4 manual).
    """

    timestamp_ms: int
    day: date
    ease: int
    interval: int
    time_ms: int
    kind: int


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """An Anki answer as an mlstudy log entry of a kind in ``ANKI_KINDS``."""

    kind: str
    timestamp_ms: int
    day: date
    grade: int
    interval_before: int
    interval_after: int
    answer_ms: int


@dataclass(frozen=True, slots=True)
class ImportedSchedule:
    """The state an ``import`` log entry sets: SM-2 state on a virtual last review day."""

    state: Sm2State
    last_day: date

    @property
    def due_day(self) -> date:
        """The SM-2 due day: last day + interval (Anki's due day)."""
        return self.last_day + timedelta(days=self.state.interval_days)


def anki_grade(ease: int) -> int:
    """The SM-2 grade of an Anki button; ``ValueError`` for anything but 1..4."""
    try:
        return ANKI_GRADES[ease]
    except KeyError:
        raise ValueError(f"Anki answer button {ease} is not 1..4") from None


def imported_schedule(
    interval: int, factor: int, due_day: date, history: Sequence[AnkiAnswer] = ()
) -> ImportedSchedule:
    """The SM-2 state of an Anki review card (mapping in the module docstring).

    Args:
        interval: Anki's ``ivl`` in days (at least 1 is kept).
        factor: Anki's ``factor`` in permille.
        due_day: the day Anki has the card due.
        history: the card's Anki answers, oldest first (for n).
    """
    repetitions = 1
    for answer in history:
        if answer.kind != _ANKI_REVIEW_TYPE or answer.ease not in ANKI_GRADES:
            continue
        repetitions = 1 if answer.ease == 1 else repetitions + 1
    days = max(1, interval)
    easiness = max(MIN_EASINESS_HUNDREDTHS, (max(0, factor) + 5) // 10)
    return ImportedSchedule(Sm2State(repetitions, easiness, days), due_day - timedelta(days=days))


def learning_schedule(factor: int, last_answer_day: date) -> ImportedSchedule:
    """The SM-2 state of an Anki card in its learning or relearning steps: answered but
    not (or no longer) remembered, which SM-2 states as after a grade below 3: n = 0,
    I = 1 day from its last answer. EF is Anki's ease, or SM-2's initial 2.5 for a card
    that never graduated (Anki gives it no ease yet).
    """
    easiness = (
        max(MIN_EASINESS_HUNDREDTHS, (factor + 5) // 10)
        if factor > 0
        else INITIAL_EASINESS_HUNDREDTHS
    )
    return ImportedSchedule(Sm2State(0, easiness, 1), last_answer_day)


def anki_history(answers: Sequence[AnkiAnswer]) -> list[HistoryEntry]:
    """One card's Anki answers (oldest first) as log entries; manual reschedules are left out.

    The kind follows SM-2's reading of a day: the card's first answer ever is ``anki-new``,
    the first of a later day ``anki-rev``, any other answer that day ``anki-drl``.
    """
    entries: list[HistoryEntry] = []
    last_day: date | None = None
    interval = 0
    for answer in answers:
        if answer.ease not in ANKI_GRADES:
            continue
        if last_day is None:
            kind = "anki-new"
        else:
            kind = "anki-drl" if answer.day == last_day else "anki-rev"
        after = max(0, answer.interval)
        entries.append(
            HistoryEntry(
                kind=kind,
                timestamp_ms=answer.timestamp_ms,
                day=answer.day,
                grade=anki_grade(answer.ease),
                interval_before=interval,
                interval_after=after,
                answer_ms=max(0, answer.time_ms),
            )
        )
        last_day, interval = answer.day, after
    return entries
