"""Recall, domain mastery and readiness from card snapshots (DESIGN.md section 6).

A card's recall reads SM-2's interval as the time at which recall falls to about
90 %: ``0.9 ** (days since the last review / interval)``. Domain mastery is the mean
recall over the domain's cards; readiness weighs domain mastery by exam weight. Both
are shown as percentages and are never a pass chance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
import numpy.typing as npt

from mlstudy.core.card_table import CardTable, as_table
from mlstudy.core.models import CardSnapshot
from mlstudy.core.planner import domain_priorities

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
    return float(RECALL_AT_INTERVAL ** (elapsed / interval))  # recall_array is the same rule


def recall_array(
    elapsed_days: npt.NDArray[np.int64], interval_days: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """``recall`` for arrays of reviewed cards: days since the last review and intervals.

    The same guards apply: a negative elapsed time counts as 0 and an interval below
    one day as one day.
    """
    elapsed = np.maximum(elapsed_days, 0)
    interval = np.maximum(interval_days, MIN_INTERVAL_DAYS)
    return np.power(RECALL_AT_INTERVAL, elapsed / interval)


def domain_mastery(
    cards: CardTable | Iterable[CardSnapshot], today: date, domains: Iterable[int]
) -> dict[int, float]:
    """Mean recall per domain, for each of ``domains`` (0 for a domain with no cards).

    Args:
        cards: every card of the exam (snapshots or a ``CardTable``), new ones included
            (they count as recall 0).
        today: the study day to evaluate recall on.
        domains: the domain numbers to report; cards of other domains are ignored.

    Returns:
        Domain number to mastery in 0..1, in the order ``domains`` gave them.
    """
    wanted = list(dict.fromkeys(domains))
    table = as_table(cards)
    reviewed = table.reviewed
    recalls = np.zeros(len(table), dtype=np.float64)
    recalls[reviewed] = recall_array(
        today.toordinal() - table.last_day[reviewed], table.interval[reviewed]
    )
    result = {}
    for domain in wanted:
        mine = table.domain == domain
        count = int(np.count_nonzero(mine))
        result[domain] = float(recalls[mine].sum()) / count if count else 0.0
    return result


def readiness(mastery: Mapping[int, float], weights: Mapping[int, float]) -> float:
    """Sum over the exam's domains of weight x mastery (a domain missing from mastery is 0).

    Args:
        mastery: domain number to mastery in 0..1.
        weights: domain number to exam weight as a fraction (``ExamManifest.weights()``).
    """
    return sum(weight * mastery.get(number, 0.0) for number, weight in weights.items())


def weakest_domain(mastery: Mapping[int, float], weights: Mapping[int, float]) -> int | None:
    """The domain the study plan pushes first, or None when there are no domains.

    It is the highest ``planner.domain_priorities`` (exam weight x (1 - mastery + a
    small epsilon)): the one ordering rule DESIGN.md section 5 asks for everywhere, so a
    heavy domain at 60 % comes before a light one at 50 %. Ties go to the lower
    mastery, then to the lower domain number.

    Args:
        mastery: domain number to mastery in 0..1 (a missing domain counts as 0).
        weights: domain number to exam weight as a fraction; with none, domains weigh
            the same.
    """
    candidates = sorted(set(weights) | set(mastery))
    if not candidates:
        return None
    priority = domain_priorities(candidates, weights, mastery)
    return min(candidates, key=lambda n: (-priority[n], mastery.get(n, 0.0), n))
