"""Today's queue policy: which card comes next and how many are left (DESIGN.md §3, §5).

Due reviews come first (soonest due first, a database order), then new cards, then
same-day drills. Pure: the caller reads the database and hands over today's answers.

New cards with no domain (``exam.NO_DOMAIN``: a user deck that says ``domain: none``)
are introduced by one rule. Without a plan they take part in the exam-weight
interleave with a share of their own: their share of the unseen cards, so a deck that
is a third of what is left gets about a third of each day's new cards
(``interleave_weights``). With a plan, the plan's per-domain quota comes first and is
never cut; then, up to the daily new-card limit, cards with no domain fill the rest of
the day. Either way they appear without the user asking, and the plan's promises hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from mlstudy.core.exam import NO_DOMAIN
from mlstudy.core.models import DayAnswer, ReviewKind
from mlstudy.core.sm2 import needs_drill


def new_by_domain(answers: Sequence[DayAnswer]) -> dict[int, int]:
    """New cards introduced per domain in a day's answers."""
    counts: dict[int, int] = {}
    for answer in answers:
        if answer.kind == ReviewKind.NEW:
            counts[answer.domain] = counts.get(answer.domain, 0) + 1
    return counts


def drill_cards(answers: Sequence[DayAnswer], domain: int | None = None) -> list[int]:
    """Cards whose latest answer today needs a drill (``sm2.needs_drill``), the
    longest-waiting first; only one domain's when ``domain`` is given."""
    latest: dict[int, DayAnswer] = {}
    for answer in answers:
        latest[answer.card_id] = answer
    waiting = sorted(
        (a.review_id, a.card_id)
        for a in latest.values()
        if needs_drill(a.grade) and domain in (None, a.domain)
    )
    return [card_id for _rid, card_id in waiting]


def plan_quota(
    planned: Mapping[int, int], new_today: Mapping[int, int], baseline: Mapping[int, int]
) -> dict[int, int]:
    """New cards per domain still to introduce today: the plan's number for today less
    the new cards studied since the plan was made (``baseline``: those before it)."""
    return {d: int(n) - (new_today.get(d, 0) - baseline.get(d, 0)) for d, n in planned.items()}


def interleave_weights(
    weights: Mapping[int, float], available: Mapping[int, int]
) -> dict[int, float]:
    """The exam weights plus a weight for cards with no domain: their share of the unseen
    cards (``available``), so that share of the interleaved new cards is theirs."""
    unplaced = available.get(NO_DOMAIN, 0)
    if unplaced <= 0:
        return dict(weights)
    # The interleave shares the day among the domains that have cards left, by weight:
    # weighing unplaced cards against those domains' weight gives them their share.
    open_domains = [
        d for d, n in available.items() if d != NO_DOMAIN and n > 0 and weights.get(d, 0) > 0
    ]
    placed = sum(available[d] for d in open_domains)
    if not placed:
        return {**weights, NO_DOMAIN: 1.0}
    share = unplaced / placed * sum(weights[d] for d in open_domains)
    return {**weights, NO_DOMAIN: share}


def unplaced_fill(
    available: Mapping[int, int], new_today: Mapping[int, int], new_per_day: int, planned: int
) -> int:
    """With a plan: new cards with no domain still to come today, after the ``planned``
    ones left, up to the daily limit."""
    room = new_per_day - sum(new_today.values()) - planned
    return max(0, min(room, available.get(NO_DOMAIN, 0)))


def new_card_domains(
    available: Mapping[int, int],
    new_today: Mapping[int, int],
    weights: Mapping[int, float],
    new_per_day: int,
    quota: Mapping[int, int] | None,
    focus: int | None = None,
) -> list[int]:
    """The domains to take the next new card from, best first (empty: no new card now).

    With a focus domain, that domain while the daily limit allows. With a plan quota,
    the domains with most planned cards left, then cards with no domain up to the daily
    limit. Otherwise the domain furthest below its share of today's new cards
    (``interleave_weights``: exam weights, and no-domain cards by their number).
    """
    if focus is not None:
        return [focus] if sum(new_today.values()) < new_per_day else []
    if quota is not None:
        planned = sorted(
            (d for d in quota if d != NO_DOMAIN and quota[d] > 0 and available.get(d, 0) > 0),
            key=lambda d: (-quota[d], d),
        )
        left = sum(max(0, min(quota[d], available.get(d, 0))) for d in planned)
        if unplaced_fill(available, new_today, new_per_day, left):
            planned.append(NO_DOMAIN)
        return planned
    if sum(new_today.values()) >= new_per_day:
        return []
    shares = interleave_weights(weights, available)
    return sorted(
        (d for d, n in available.items() if n > 0 and shares.get(d, 0) > 0),
        key=lambda d: ((new_today.get(d, 0) + 1) / shares[d], d),
    )


def new_left(
    available: Mapping[int, int],
    new_today: Mapping[int, int],
    new_per_day: int,
    quota: Mapping[int, int] | None,
    focus: int | None = None,
) -> int:
    """New cards left today, by the same rule as ``new_card_domains``."""
    if focus is not None:
        return max(0, min(new_per_day - sum(new_today.values()), available.get(focus, 0)))
    if quota is not None:
        planned = sum(
            max(0, min(n, available.get(d, 0))) for d, n in quota.items() if d != NO_DOMAIN
        )
        return planned + unplaced_fill(available, new_today, new_per_day, planned)
    return max(0, min(new_per_day - sum(new_today.values()), sum(available.values())))


LEARN_MORE_COUNT = 10
"""New cards one "Learn more" adds to a finished day."""


@dataclass(frozen=True, slots=True)
class ExtraNew:
    """New cards asked for beyond the day's rule ("Learn 10 more"), for one study day.

    Attributes:
        day: the study day it was asked on (it lapses with the day).
        domain: only this domain's cards, or None for any (by exam weight).
        count: how many more new cards.
        baseline: new cards (of ``domain``, or all) already introduced that day when asked.
    """

    day: date
    domain: int | None
    count: int
    baseline: int


def introduced(new_today: Mapping[int, int], domain: int | None) -> int:
    """New cards introduced today, of one domain or of all."""
    return sum(new_today.values()) if domain is None else new_today.get(domain, 0)


def extra_new_left(extra: ExtraNew | None, day: date, new_today: Mapping[int, int]) -> int:
    """How many of the extra new cards are still to come today (0 without any)."""
    if extra is None or extra.day != day:
        return 0
    return max(0, extra.count - (introduced(new_today, extra.domain) - extra.baseline))


def extra_new_domains(
    extra: ExtraNew,
    available: Mapping[int, int],
    new_today: Mapping[int, int],
    weights: Mapping[int, float],
) -> list[int]:
    """The domains to take an extra new card from, best first: the asked domain, or the
    domain furthest below its share of today's new cards (``interleave_weights``)."""
    if extra.domain is not None:
        return [extra.domain] if available.get(extra.domain, 0) > 0 else []
    shares = interleave_weights(weights, available)
    return sorted(
        (d for d, n in available.items() if n > 0 and shares.get(d, 0) > 0),
        key=lambda d: ((new_today.get(d, 0) + 1) / shares[d], d),
    )
