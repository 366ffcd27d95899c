"""Practice questions: scoring, exam assembly, timing and the "missed" rule (pure logic).

An answer is a tuple of option indices into a question's options in the order they
are written in the file (the canonical order):

- ``single`` and ``multiple``: the chosen options, in any order;
- ``ordering``: the steps in the order the user put them (correct: 0, 1, 2, ...);
- ``matching``: for each left item, the index of the pair whose right side the user
  chose (correct: 0, 1, 2, ...; -1 for a left item left unmatched).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

EXAM_SIZES = (10, 20)
"""The shorter sets offered beside a full exam and a custom count."""
RECENT_ATTEMPTS = 2
"""A full exam avoids questions of this many latest attempts while unseen ones remain."""


class ItemType(StrEnum):
    """The kinds of exam items."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    ORDERING = "ordering"
    MATCHING = "matching"


@dataclass(frozen=True, slots=True)
class Option:
    """One option, step or pair, with its explanation.

    For ``matching`` questions ``text`` is the left item and ``match`` the right one.
    """

    text: str
    explanation: str
    correct: bool = False
    match: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """A practice question as written in its file, with its domain resolved."""

    key: str
    title: str
    type: ItemType
    domain: int
    task: str | None
    stem: str
    options: tuple[Option, ...]
    sources: tuple[str, ...]
    cards: tuple[str, ...]
    case_key: str | None = None
    case_text: str = ""

    @property
    def correct_answer(self) -> tuple[int, ...]:
        """The answer that scores, in canonical form."""
        if self.type in (ItemType.SINGLE, ItemType.MULTIPLE):
            return tuple(i for i, option in enumerate(self.options) if option.correct)
        return tuple(range(len(self.options)))

    @property
    def choose(self) -> int:
        """How many options a ``single`` or ``multiple`` question wants chosen."""
        return sum(option.correct for option in self.options)


def is_correct(question: Question, answer: Sequence[int] | None) -> bool:
    """Score one item: all-or-nothing for every type (no partial credit, as on the exam)."""
    if answer is None:
        return False
    if question.type in (ItemType.SINGLE, ItemType.MULTIPLE):
        return sorted(set(answer)) == list(question.correct_answer) and len(answer) == len(
            set(answer)
        )
    return tuple(answer) == question.correct_answer


def is_complete(question: Question, answer: Sequence[int] | None) -> bool:
    """True when an answer is a full response (counts as "answered" on the review screen)."""
    if not answer:
        return False
    if question.type == ItemType.SINGLE:
        return len(answer) == 1
    if question.type == ItemType.MULTIPLE:
        return len(set(answer)) == question.choose
    if question.type == ItemType.ORDERING:
        return sorted(answer) == list(range(len(question.options)))
    return len(answer) == len(question.options) and all(a >= 0 for a in answer)


def shuffled_order(question: Question, rng: random.Random) -> tuple[int, ...]:
    """The display order of a question's options (for matching: of the right-hand side)."""
    order = list(range(len(question.options)))
    rng.shuffle(order)
    if question.type == ItemType.ORDERING and len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]  # never show the steps already in order
    return tuple(order)


# ----- assembly -------------------------------------------------------------------------


class BankEntry(NamedTuple):
    """What assembly needs to know of one question (a tuple: banks hold thousands)."""

    key: str
    domain: int
    task: str | None
    case_key: str | None = None
    seen: bool = False
    recent: bool = False
    """Asked in one of the last ``RECENT_ATTEMPTS`` attempts."""
    missed: bool = False
    """Still to be answered right twice in a row (``needs_practice``)."""


def allocate(
    count: int, weights: Mapping[int, float], available: Mapping[int, int]
) -> dict[int, int]:
    """Split ``count`` questions over domains in proportion to weight (largest remainder),
    never more than a domain has; a domain's shortfall goes to the others by weight."""
    result = dict.fromkeys(weights, 0)
    left = min(count, sum(available.get(d, 0) for d in weights))
    while left > 0:
        open_domains = {d: w for d, w in weights.items() if available.get(d, 0) > result[d]}
        total = sum(open_domains.values())
        if not open_domains or total <= 0:
            break
        shares = {d: left * w / total for d, w in open_domains.items()}
        given = {d: min(math.floor(s), available.get(d, 0) - result[d]) for d, s in shares.items()}
        spare = left - sum(given.values())
        by_remainder = sorted(open_domains, key=lambda d: (-(shares[d] - math.floor(shares[d])), d))
        for domain in by_remainder:
            if spare <= 0:
                break
            if available.get(domain, 0) - result[domain] > given[domain]:
                given[domain] += 1
                spare -= 1
        if not any(given.values()):
            break
        for domain, n in given.items():
            result[domain] += n
        left -= sum(given.values())
    return result


def assemble(
    bank: Iterable[BankEntry],
    weights: Mapping[int, float],
    count: int,
    seed: int,
    *,
    domain: int | None = None,
    task: str | None = None,
    only_unseen: bool = False,
    only_missed: bool = False,
    missed_first: bool = False,
) -> list[str]:
    """Pick ``count`` question keys for a set.

    Domains get questions in proportion to their weight. Within a domain unseen
    questions come first, then those not asked in the last attempts, then the rest;
    ties are broken by the seeded shuffle. Questions of one case study stay together.
    With ``missed_first`` (practice mode) questions still to be answered right twice in a
    row come before all others.
    """
    entries = [
        e
        for e in bank
        if (domain is None or e.domain == domain)
        and (task is None or e.task == task)
        and (not only_unseen or not e.seen)
        and (not only_missed or e.missed)
    ]
    rng = random.Random(seed)
    rng.shuffle(entries)
    tiers: dict[int, list[BankEntry]] = {}

    def rank(e: BankEntry) -> tuple[bool, bool, bool]:
        return (missed_first and not e.missed, e.seen, e.recent)

    for entry in sorted(entries, key=rank):  # a stable sort: ties keep the seeded shuffle
        tiers.setdefault(entry.domain, []).append(entry)
    use_weights = {d: w for d, w in weights.items() if d in tiers} or dict.fromkeys(tiers, 1.0)
    if not any(use_weights.values()):
        use_weights = dict.fromkeys(tiers, 1.0)
    shares = allocate(count, use_weights, {d: len(v) for d, v in tiers.items()})
    picked = [e for d, n in shares.items() for e in tiers[d][:n]]
    rng.shuffle(picked)
    # Keep a case study's questions next to each other, in file order of their keys.
    groups: dict[str, list[BankEntry]] = {}
    for entry in picked:
        groups.setdefault(entry.case_key or entry.key, []).append(entry)
    return [e.key for group in groups.values() for e in group]


def time_limit_seconds(exam_minutes: int, exam_questions: int, count: int) -> int:
    """The countdown for a set: the exam's minutes scaled to the set's size (whole minutes)."""
    if count <= 0 or exam_questions <= 0:
        return 0
    return math.ceil(exam_minutes * count / exam_questions) * 60


def needs_practice(history: Sequence[bool]) -> bool:
    """A question missed comes back until it has been answered right twice in a row.

    Args:
        history: the question's results, oldest first.
    """
    if False not in history:
        return False
    return not (len(history) >= 2 and history[-1] and history[-2])


# ----- results --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DomainScore:
    """Questions and correct answers of one domain."""

    questions: int = 0
    correct: int = 0

    @property
    def percent(self) -> float:
        """Raw percentage correct (0 when there were no questions)."""
        return 100.0 * self.correct / self.questions if self.questions else 0.0


@dataclass(frozen=True, slots=True)
class Score:
    """The raw result of a set: overall and per domain."""

    questions: int
    correct: int
    by_domain: dict[int, DomainScore] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        """Raw percentage correct: not the exam's scaled score and not a pass prediction."""
        return 100.0 * self.correct / self.questions if self.questions else 0.0


def score(results: Iterable[tuple[int, bool]]) -> Score:
    """Score a set from (domain, correct) per question asked; unanswered counts as wrong."""
    domains: dict[int, list[int]] = {}
    for domain, correct in results:
        bucket = domains.setdefault(domain, [0, 0])
        bucket[0] += 1
        bucket[1] += bool(correct)
    by_domain = {d: DomainScore(q, c) for d, (q, c) in sorted(domains.items())}
    return Score(
        questions=sum(s.questions for s in by_domain.values()),
        correct=sum(s.correct for s in by_domain.values()),
        by_domain=by_domain,
    )


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parse_typed_answer(text: str, question: Question, order: Sequence[int]) -> tuple[int, ...]:
    """Read a typed answer (``B``, ``AD``; ordering ``CABD``; matching ``1B 2A 3C``).

    Letters name options as displayed (``order`` maps display position to canonical
    index). Raises ``ValueError`` with a message a person can act on.
    """
    cleaned = text.strip().upper()
    n = len(question.options)
    if question.type == ItemType.MATCHING:
        answer = [-1] * n
        for part in cleaned.replace(",", " ").split():
            digits = part.rstrip(LETTERS)
            letter = part[len(digits) :]
            if not digits.isdigit() or len(letter) != 1:
                raise ValueError(f"type pairs such as 1B 2A 3C, not {part!r}")
            left = int(digits) - 1
            right = LETTERS.find(letter)
            if not 0 <= left < n or not 0 <= right < n:
                raise ValueError(f"{part!r} is out of range")
            answer[left] = order[right]
        return tuple(answer)
    letters = [c for c in cleaned if not c.isspace() and c != ","]
    picks = []
    for letter in letters:
        index = LETTERS.find(letter)
        if not 0 <= index < n:
            raise ValueError(f"{letter!r} is not one of the options A-{LETTERS[n - 1]}")
        picks.append(order[index])
    if not picks:
        raise ValueError("type the letter of your answer")
    if question.type == ItemType.SINGLE and len(picks) != 1:
        raise ValueError("choose one letter")
    if question.type == ItemType.ORDERING and sorted(picks) != list(range(n)):
        raise ValueError(f"give every step once, such as {LETTERS[:n]}")
    if len(set(picks)) != len(picks):
        raise ValueError("a letter appears twice")
    return tuple(picks)


class ScorePoint(NamedTuple):
    """One finished attempt on the practice-score chart: raw percentages."""

    day: date
    mode: str
    percent: float
    by_domain: dict[int, float]


def score_points(attempts: Iterable[tuple[date, str, Score]]) -> tuple[ScorePoint, ...]:
    """The chart series: overall and per-domain raw percentage of each finished attempt."""
    return tuple(
        ScorePoint(
            day,
            mode,
            round(result.percent, 1),
            {d: round(s.percent, 1) for d, s in result.by_domain.items()},
        )
        for day, mode, result in attempts
        if result.questions
    )
