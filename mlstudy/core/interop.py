"""Anki interoperability rules that need no file or database: names, tags, scheduling.

The scheduling mapping (README, "Anki"): a card with SM-2 state becomes an Anki review
card whose interval is the SM-2 interval, whose ease is the easiness factor in
permille (2.5 -> 2500) and whose due day is the SM-2 due day (the exam-aware due day
is an mlstudy layer and is not exported). A card never reviewed stays new.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from mlstudy.core.sm2 import Sm2State

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
