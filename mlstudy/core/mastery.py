"""Recall, domain mastery and readiness from card snapshots (DESIGN.md section 6).

A card's recall reads SM-2's interval as the time at which recall falls to about
90 %: ``0.9 ** (days since the last review / interval)``. Domain mastery is the mean
recall over the domain's cards; readiness weighs domain mastery by exam weight. Both
are shown as percentages and are never a pass chance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from mlstudy.core.models import CardSnapshot

RECALL_AT_INTERVAL = 0.9
"""Recall expected after exactly one interval has passed since the last review."""
MIN_INTERVAL_DAYS = 1
"""Intervals below this (a corrupt or hand-edited 0) are read as one day, never divided by."""


def recall(card: CardSnapshot, today: date) -> float:
    """The card's recall on ``today``: 0 if never reviewed, else 0.9 ** (elapsed / interval).

    A review dated after ``today`` counts as zero days elapsed (recall 1), and an
    interval below one day is read as one day.
    """
    if card.state is None or card.last_review is None:
        return 0.0
    interval = max(card.state.interval_days, MIN_INTERVAL_DAYS)
    elapsed = max((today - card.last_review).days, 0)
    return float(RECALL_AT_INTERVAL ** (elapsed / interval))


def domain_mastery(
    cards: Iterable[CardSnapshot], today: date, domains: Iterable[int]
) -> dict[int, float]:
    """Mean recall per domain, for each of ``domains`` (0 for a domain with no cards).

    Args:
        cards: every card of the exam, new ones included (they count as recall 0).
        today: the study day to evaluate recall on.
        domains: the domain numbers to report; cards of other domains are ignored.

    Returns:
        Domain number to mastery in 0..1, in the order ``domains`` gave them.
    """
    totals = dict.fromkeys(domains, 0.0)
    counts = dict.fromkeys(totals, 0)
    for card in cards:
        if card.domain in totals:
            totals[card.domain] += recall(card, today)
            counts[card.domain] += 1
    return {d: totals[d] / counts[d] if counts[d] else 0.0 for d in totals}


def readiness(mastery: Mapping[int, float], weights: Mapping[int, float]) -> float:
    """Sum over the exam's domains of weight x mastery (a domain missing from mastery is 0).

    Args:
        mastery: domain number to mastery in 0..1.
        weights: domain number to exam weight as a fraction (``ExamManifest.weights()``).
    """
    return sum(weight * mastery.get(number, 0.0) for number, weight in weights.items())


def weakest_domain(mastery: Mapping[int, float], weights: Mapping[int, float]) -> int | None:
    """The domain with the most readiness left to gain, or None when there are no domains.

    "Most to gain" is the largest weight x (1 - mastery): a heavy domain at 60 % costs
    more exam content than a light one at 50 %. Ties go to the lower mastery, then to
    the lower domain number, so the answer is stable.

    Args:
        mastery: domain number to mastery in 0..1 (a missing domain counts as 0).
        weights: domain number to exam weight as a fraction; these are the candidates.
    """
    if not weights:
        return None

    def shortfall(number: int) -> tuple[float, float, int]:
        level = mastery.get(number, 0.0)
        return (-weights[number] * (1.0 - level), level, number)

    return min(weights, key=shortfall)
