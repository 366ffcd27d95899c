"""The bundled MLS-C01 practice bank: size, balance by weight and task, item mix,
linked cards, sources and an explanation for every option."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from mlstudy.core.practice import ItemType
from mlstudy.decks.loader import load_decks, load_manifest
from mlstudy.decks.questions import QuestionLoad, load_questions
from mlstudy.paths import content_dir

PACK = content_dir() / "mls-c01"
MINIMUM_PER_DOMAIN = {1: 39, 2: 47, 3: 70, 4: 39}
"""Three full exams without a repeat, in proportion to the weights."""
MINIMUM_PER_TASK = 6


@pytest.fixture(scope="module")
def bank() -> QuestionLoad:
    cards = load_decks([PACK])
    return load_questions([PACK], [], {c.card.key for c in cards.cards})


def test_the_bank_loads_without_problems(bank: QuestionLoad) -> None:
    assert [str(p) for p in bank.problems] == []


def test_size_and_balance_by_domain_and_task(bank: QuestionLoad) -> None:
    questions = [q.question for q in bank.questions]
    assert len(questions) >= 195
    per_domain = Counter(q.domain for q in questions)
    for domain, minimum in MINIMUM_PER_DOMAIN.items():
        assert per_domain[domain] >= minimum, f"domain {domain}: {per_domain[domain]}"
    per_task = Counter(q.task for q in questions)
    for domain in load_manifest(PACK).domains:
        for task in domain.tasks:
            assert per_task[task.id] >= MINIMUM_PER_TASK, f"task {task.id}: {per_task[task.id]}"


def test_item_mix_and_choose_n(bank: QuestionLoad) -> None:
    questions = [q.question for q in bank.questions]
    types = Counter(q.type for q in questions)
    assert types[ItemType.MULTIPLE] >= 0.25 * len(questions)
    for q in questions:
        if q.type is ItemType.SINGLE:
            assert q.choose == 1 and len(q.options) >= 4, q.key
        elif q.type is ItemType.MULTIPLE:
            word = {2: "two", 3: "three"}[q.choose]
            assert f"Choose {word}." in q.stem and len(q.options) >= 5, q.key


def test_every_option_is_explained_and_agrees_with_its_mark(bank: QuestionLoad) -> None:
    for q in (loaded.question for loaded in bank.questions):
        for option in q.options:
            assert option.explanation.strip(), f"{q.key}: {option.text}"
            first = option.explanation.split(":", 1)[0]
            if first in ("Right", "Wrong"):
                assert (first == "Right") == option.correct, f"{q.key}: {option.text}"


def test_linked_cards_exist_and_sources_are_urls(bank: QuestionLoad) -> None:
    keys = {c.card.key for c in load_decks([PACK]).cards}
    for q in (loaded.question for loaded in bank.questions):
        assert q.cards and set(q.cards) <= keys, q.key
        assert q.sources, q.key
        assert all(re.match(r"https://[^\s/]+\.[^\s/]+/", s) for s in q.sources), q.key


def test_no_catch_all_options(bank: QuestionLoad) -> None:
    for q in (loaded.question for loaded in bank.questions):
        for option in q.options:
            assert not re.search(r"(all|none) of the above", option.text, re.I), q.key
