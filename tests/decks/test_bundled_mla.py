"""The bundled MLA-C01 pack: the manifest's figures, cards per domain and task (its own
and those shared from MLS-C01), the practice bank's size and item mix, sources, status
notes, and questions that link only cards serving MLA-C01."""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest

from mlstudy.core.exam import ExamManifest
from mlstudy.core.practice import ItemType
from mlstudy.decks.loader import LoadResult, load_decks, load_manifest
from mlstudy.decks.questions import QuestionLoad, load_questions
from mlstudy.decks.shared import SharedEntry, check_shared, load_shared
from mlstudy.paths import content_dir

MLA = content_dir() / "mla-c01"
MLS = content_dir() / "mls-c01"
MINIMUM_PER_DOMAIN = {1: 168, 2: 156, 3: 132, 4: 144}
MINIMUM_PER_TASK = 30
QUESTIONS_PER_TASK = 6


@pytest.fixture(scope="module")
def loaded() -> LoadResult:
    return load_decks([MLA, MLS])


@pytest.fixture(scope="module")
def manifest() -> ExamManifest:
    return load_manifest(MLA)


@pytest.fixture(scope="module")
def shared(loaded: LoadResult) -> list[SharedEntry]:
    load = load_shared([MLA, MLS])
    homes = {c.card.key: c.exam for c in loaded.cards}
    valid, problems = check_shared(load.entries, homes)
    assert [str(p) for p in load.problems + problems] == []
    return valid


@pytest.fixture(scope="module")
def bank(loaded: LoadResult) -> QuestionLoad:
    return load_questions([MLA, MLS], [], {c.card.key for c in loaded.cards})


def mla_tasks(loaded: LoadResult, shared: list[SharedEntry]) -> dict[str, str | None]:
    """Every card serving MLA-C01 and its MLA-C01 task: its own, then the shared ones."""
    tasks: dict[str, str | None] = {
        c.card.key: c.card.task for c in loaded.cards if c.exam == "MLA-C01"
    }
    for entry in shared:
        assert entry.key not in tasks, f"{entry.key} serves MLA-C01 twice"
        tasks[entry.key] = entry.task
    return tasks


def test_manifest_figures(manifest: ExamManifest) -> None:
    assert (manifest.code, manifest.status, manifest.retired_on) == ("MLA-C01", "active", None)
    assert (manifest.questions, manifest.minutes, manifest.passing_score) == (65, 130, 720)
    assert [(d.number, d.weight) for d in manifest.domains] == [(1, 28), (2, 26), (3, 22), (4, 24)]
    assert [t.id for d in manifest.domains for t in d.tasks] == [
        f"{d}.{t}" for d in range(1, 5) for t in range(1, 4)
    ]
    assert manifest.domains[0].tasks[0].title == "Ingest and store data."
    assert manifest.source.startswith("https://docs.aws.amazon.com/aws-certification/")


def test_the_packs_load_clean(loaded: LoadResult, bank: QuestionLoad) -> None:
    assert [str(p) for p in loaded.problems] == []
    assert [str(p) for p in bank.problems] == []


def test_cards_per_domain_and_task_count_shared_cards_once(
    loaded: LoadResult, shared: list[SharedEntry], manifest: ExamManifest
) -> None:
    tasks = mla_tasks(loaded, shared)
    assert len(tasks) >= 600
    assert None not in tasks.values(), "every MLA-C01 card names its task"
    per_task = Counter(tasks.values())
    per_domain = Counter(str(task).split(".")[0] for task in tasks.values())
    for domain in manifest.domains:
        assert per_domain[str(domain.number)] >= MINIMUM_PER_DOMAIN[domain.number], domain.name
        for task in domain.tasks:
            assert per_task[task.id] >= MINIMUM_PER_TASK, f"task {task.id}: {per_task[task.id]}"


def test_shared_cards_are_written_once(loaded: LoadResult, shared: list[SharedEntry]) -> None:
    mls = {c.card.key for c in loaded.cards if c.exam == "MLS-C01"}
    assert {e.key for e in shared} <= mls  # borrowed, never copied

    def text(question: str) -> str:
        return " ".join(question.split()).lower()

    mls_texts = {text(c.card.question) for c in loaded.cards if c.exam == "MLS-C01"}
    copied = [
        c.card.key
        for c in loaded.cards
        if c.exam == "MLA-C01" and text(c.card.question) in mls_texts
    ]
    assert copied == []


def test_the_practice_bank(bank: QuestionLoad, manifest: ExamManifest) -> None:
    questions = [q.question for q in bank.questions if q.exam == "MLA-C01"]
    assert len(questions) >= 195
    per_domain = Counter(q.domain for q in questions)
    shares = {d.number: per_domain[d.number] / len(questions) for d in manifest.domains}
    for domain in manifest.domains:  # in proportion to the weights, within 4 points
        assert abs(shares[domain.number] - domain.weight / 100) <= 0.04, shares
    per_task = Counter(q.task for q in questions)
    for domain in manifest.domains:
        for task in domain.tasks:
            assert per_task[task.id] >= QUESTIONS_PER_TASK, f"task {task.id}"
    types = Counter(q.type for q in questions)
    assert types[ItemType.MULTIPLE] >= 0.25 * len(questions)
    assert types[ItemType.ORDERING] >= 10
    assert types[ItemType.MATCHING] >= 10
    cases = Counter(q.case_key for q in questions if q.case_key)
    assert len(cases) >= 3 and min(cases.values()) >= 2


def test_questions_link_only_cards_that_serve_mla(
    loaded: LoadResult, shared: list[SharedEntry], bank: QuestionLoad
) -> None:
    serving = set(mla_tasks(loaded, shared))
    stray = [
        f"{q.question.key}: {card}"
        for q in bank.questions
        if q.exam == "MLA-C01"
        for card in q.question.cards
        if card not in serving
    ]
    assert stray == []


def test_sources_and_status_notes(loaded: LoadResult, bank: QuestionLoad) -> None:
    cards = [c.card for c in loaded.cards if c.exam == "MLA-C01"]
    assert [c.key for c in cards if not re.match(r"https://[^\s/]+\.[^\s/]+/", c.source)] == []
    questions = [q.question for q in bank.questions if q.exam == "MLA-C01"]
    assert [q.key for q in questions if not q.sources] == []
    statuses = tomllib.loads((content_dir() / "service-status.toml").read_text(encoding="utf-8"))
    missing = []
    for service in statuses["service"]:
        pattern = re.compile(service["pattern"])
        for card in cards:
            text = card.question + "\n" + card.answer
            if pattern.search(text) and service["note"] not in " ".join(text.lower().split()):
                missing.append(f"{card.key}: {service['name']}")
    assert missing == []
