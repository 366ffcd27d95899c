"""Pure practice rules: scoring per item type, assembly, timing, the missed rule."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlstudy.core.practice import (
    BankEntry,
    ItemType,
    Option,
    Question,
    allocate,
    assemble,
    is_correct,
    needs_practice,
    parse_typed_answer,
    score,
    shuffled_order,
    time_limit_seconds,
)

MLS_WEIGHTS = {1: 0.20, 2: 0.24, 3: 0.36, 4: 0.20}


def question(kind: ItemType, correct: tuple[bool, ...]) -> Question:
    options = tuple(Option(f"o{i}", "why", c, f"r{i}") for i, c in enumerate(correct))
    return Question("q", "t", kind, 1, None, "stem", options, ("https://x",), ("c",))


def test_single_and_multiple_are_all_or_nothing() -> None:
    single = question(ItemType.SINGLE, (False, True, False, False))
    assert is_correct(single, (1,))
    assert not is_correct(single, (0,))
    assert not is_correct(single, (1, 2))
    multiple = question(ItemType.MULTIPLE, (True, False, True, False, False))
    assert is_correct(multiple, (2, 0))
    assert not is_correct(multiple, (0,))  # one of two right scores nothing
    assert not is_correct(multiple, (0, 2, 3))
    assert not is_correct(multiple, None)


def test_ordering_needs_the_exact_order_and_matching_every_pair() -> None:
    ordering = question(ItemType.ORDERING, (True, True, True, True))
    assert is_correct(ordering, (0, 1, 2, 3))
    assert not is_correct(ordering, (0, 1, 3, 2))
    matching = question(ItemType.MATCHING, (True, True, True))
    assert is_correct(matching, (0, 1, 2))
    assert not is_correct(matching, (0, 2, 1))
    assert not is_correct(matching, (0, 1, -1))


def bank(per_domain: dict[int, int], seen: set[str] = frozenset()) -> list[BankEntry]:
    entries = []
    for domain, n in per_domain.items():
        for i in range(n):
            key = f"q{domain}-{i}"
            entries.append(BankEntry(key, domain, None, seen=key in seen))
    return entries


def test_a_full_exam_follows_the_domain_weights() -> None:
    keys = assemble(bank({1: 100, 2: 100, 3: 100, 4: 100}), MLS_WEIGHTS, 65, seed=1)
    assert len(keys) == len(set(keys)) == 65
    per_domain = Counter(int(k[1]) for k in keys)
    assert per_domain == {1: 13, 2: 16, 3: 23, 4: 13}


def test_a_short_domain_gives_its_shortfall_to_the_others() -> None:
    shares = allocate(65, MLS_WEIGHTS, {1: 5, 2: 100, 3: 100, 4: 100})
    assert shares[1] == 5 and sum(shares.values()) == 65


@given(
    st.dictionaries(st.integers(1, 4), st.integers(0, 40), min_size=1),
    st.integers(1, 80),
    st.integers(0, 10_000),
)
def test_assembly_never_repeats_and_fills_what_it_can(
    per_domain: dict[int, int], count: int, seed: int
) -> None:
    keys = assemble(bank(per_domain), MLS_WEIGHTS, count, seed)
    assert len(keys) == len(set(keys)) == min(count, sum(per_domain.values()))


def test_unseen_first_and_no_repeat_of_recent_attempts_while_others_remain() -> None:
    entries = (
        [BankEntry(f"u{i}", 1, None) for i in range(5)]
        + [BankEntry(f"s{i}", 1, None, seen=True) for i in range(5)]
        + [BankEntry(f"r{i}", 1, None, seen=True, recent=True) for i in range(5)]
    )
    keys = assemble(entries, {1: 1.0}, 8, seed=3)
    assert sorted(k[0] for k in keys) == ["s", "s", "s", "u", "u", "u", "u", "u"]


def test_the_seed_makes_the_draw_repeatable_and_filters_apply() -> None:
    entries = bank({1: 30, 3: 30})
    assert assemble(entries, MLS_WEIGHTS, 10, 5) == assemble(entries, MLS_WEIGHTS, 10, 5)
    assert assemble(entries, MLS_WEIGHTS, 10, 5) != assemble(entries, MLS_WEIGHTS, 10, 6)
    assert all(k.startswith("q3") for k in assemble(entries, MLS_WEIGHTS, 10, 5, domain=3))


def test_case_study_questions_stay_together() -> None:
    entries = bank({1: 10}) + [BankEntry(f"c{i}", 1, None, case_key="case") for i in range(3)]
    keys = assemble(entries, {1: 1.0}, 13, seed=9)
    where = [i for i, k in enumerate(keys) if k.startswith("c")]
    assert where == list(range(where[0], where[0] + 3))


def test_timer_scales_with_the_set() -> None:
    assert time_limit_seconds(180, 65, 65) == 180 * 60
    assert time_limit_seconds(180, 65, 10) == 28 * 60
    assert time_limit_seconds(180, 65, 20) == 56 * 60


@pytest.mark.parametrize(
    ("history", "due"),
    [
        ([], False),
        ([True], False),
        ([False], True),
        ([False, True], True),
        ([False, True, True], False),
        ([False, True, True, False], True),
        ([True, False, True, True], False),
    ],
)
def test_missed_comes_back_until_right_twice_in_a_row(history: list[bool], due: bool) -> None:
    assert needs_practice(history) is due


def test_score_per_domain_is_a_raw_percentage() -> None:
    result = score([(1, True), (1, False), (3, True), (3, True)])
    assert (result.questions, result.correct, result.percent) == (4, 3, 75.0)
    assert result.by_domain[1].percent == 50.0


def test_typed_answers_use_the_displayed_letters() -> None:
    multiple = question(ItemType.MULTIPLE, (True, False, True, False, False))
    order = (4, 3, 2, 1, 0)  # displayed E..A
    assert parse_typed_answer("ce", multiple, order) == (2, 0)
    matching = question(ItemType.MATCHING, (True, True, True))
    assert parse_typed_answer("1C 2B 3A", matching, (2, 1, 0)) == (0, 1, 2)
    with pytest.raises(ValueError, match="not one of the options"):
        parse_typed_answer("Z", multiple, order)
    ordering = question(ItemType.ORDERING, (True, True, True))
    assert shuffled_order(ordering, random.Random(0)) != (0, 1, 2)
