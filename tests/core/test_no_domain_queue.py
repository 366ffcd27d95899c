"""New cards with no domain: a share of their own without a plan, after the plan's cards
with one (``core.queue``)."""

from __future__ import annotations

from datetime import date

from mlstudy.core import queue
from mlstudy.core.exam import NO_DOMAIN


def introduce(
    available: dict[int, int],
    weights: dict[int, float],
    limit: int,
    quota: dict[int, int] | None,
) -> list[int]:
    """The domains of a day's new cards, picked one by one as the session does."""
    left = dict(available)
    done: dict[int, int] = {}
    order: list[int] = []
    while True:
        planned = None if quota is None else queue.plan_quota(quota, done, {})
        expected = queue.new_left(left, done, limit, planned)
        domains = queue.new_card_domains(left, done, weights, limit, planned)
        assert (expected > 0) == bool(domains), "the count and the queue must agree"
        if not domains:
            return order
        domain = domains[0]
        order.append(domain)
        left[domain] -= 1
        done[domain] = done.get(domain, 0) + 1


def test_without_a_plan_cards_with_no_domain_get_their_share_of_the_unseen() -> None:
    # Half the unseen cards have no domain: half of each day's new cards are theirs.
    order = introduce({1: 30, 2: 30, NO_DOMAIN: 60}, {1: 0.5, 2: 0.5}, 10, None)
    assert len(order) == 10
    assert order.count(NO_DOMAIN) == 5
    assert sorted(order.count(d) for d in (1, 2)) == [2, 3]
    # Interleaved, not all at the end.
    assert NO_DOMAIN in order[:2]


def test_their_share_counts_only_domains_that_still_have_new_cards() -> None:
    weights = {1: 0.2, 2: 0.24, 3: 0.36, 4: 0.2}
    order = introduce({1: 10, 2: 0, 3: 0, 4: 0, NO_DOMAIN: 10}, weights, 10, None)
    assert order.count(NO_DOMAIN) == order.count(1) == 5


def test_with_only_cards_with_no_domain_left_they_fill_the_day() -> None:
    assert introduce({1: 0, NO_DOMAIN: 50}, {1: 1.0}, 7, None) == [NO_DOMAIN] * 7


def test_with_a_plan_its_quota_comes_first_then_no_domain_up_to_the_limit() -> None:
    order = introduce({1: 10, 3: 10, NO_DOMAIN: 10}, {1: 0.5, 3: 0.5}, 8, {1: 3, 3: 2})
    assert sorted(order[:5]) == [1, 1, 1, 3, 3]
    assert order[5:] == [NO_DOMAIN] * 3


def test_a_plan_that_fills_the_limit_leaves_no_room_and_is_never_cut() -> None:
    order = introduce({1: 10, NO_DOMAIN: 10}, {1: 1.0}, 4, {1: 6})
    assert order == [1] * 6


def test_learn_more_by_weight_also_offers_cards_with_no_domain() -> None:
    extra = queue.ExtraNew(day=date(2026, 11, 2), domain=None, count=5, baseline=0)
    domains = queue.extra_new_domains(extra, {1: 0, NO_DOMAIN: 3}, {}, {1: 1.0})
    assert domains == [NO_DOMAIN]
