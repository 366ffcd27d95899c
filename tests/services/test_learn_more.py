"""A finished day: learn more new cards (of a domain or of all), review ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mlstudy.errors import UserError
from mlstudy.services import Library
from tests.conftest import FakeClock


def finish_day(library: Library) -> list[int]:
    answered = []
    while (card := library.next_card()) is not None:
        library.answer(card.id, 5)
        answered.append(card.id)
    return answered


def test_learn_more_adds_that_many_new_cards_to_a_finished_day(library: Library) -> None:
    library.update_settings(new_per_day=1)
    assert len(finish_day(library)) == 1
    assert library.counts().left == 0
    library.learn_more(2)
    assert library.counts().new == 2
    more = finish_day(library)
    assert len(more) == 2
    assert library.counts().new_done == 3
    assert library.counts().left == 0


def test_learn_more_of_one_domain_takes_only_its_cards(library: Library) -> None:
    library.update_settings(new_per_day=1)
    (first,) = finish_day(library)
    unseen_in_3 = 3 - (library.card(first).domain == 3)  # the pack has three in domain 3
    library.learn_more(10, domain=3)
    assert library.counts().new == unseen_in_3
    domains = set()
    while (card := library.next_card()) is not None:
        domains.add(card.domain)
        library.answer(card.id, 5)
    assert domains == {3}


def test_learn_more_lapses_with_the_day(library: Library, clock: FakeClock) -> None:
    library.update_settings(new_per_day=0)
    library.learn_more(2)
    assert library.counts().new == 2
    clock.advance(days=1)
    assert library.counts().new == 0


def test_learn_more_rejects_an_unknown_domain(library: Library) -> None:
    with pytest.raises(UserError, match="unknown domain 9"):
        library.learn_more(10, domain=9)


def test_review_ahead_offers_the_next_days_cards_once(library: Library, clock: FakeClock) -> None:
    library.update_settings(new_per_day=5)
    first = set(finish_day(library))
    clock.advance(days=1)
    library.update_settings(new_per_day=0)
    assert set(finish_day(library)) == first  # second reviews: next due in 6 days
    clock.advance(days=1)
    assert library.counts().left == 0
    library.review_ahead(days=4)
    assert library.counts().ahead == 0  # due in 5 days: not yet
    library.review_ahead(days=5)
    assert library.counts().ahead == len(first)
    card = library.next_card()
    assert card is not None and card.id in first and card.kind == "review"
    library.answer(card.id, 5)
    assert library.counts().ahead == len(first) - 1
    assert library.card(card.id).due is not None
    assert library.card(card.id).due > clock.now.date() + timedelta(days=5)


def test_asking_again_before_the_extra_cards_are_done_adds_up(library: Library) -> None:
    library.update_settings(new_per_day=1)
    finish_day(library)
    library.learn_more(1)
    library.learn_more(1)
    assert library.counts().new == 2
    assert len(finish_day(library)) == 2
