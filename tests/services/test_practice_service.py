"""The practice service: attempts saved as answered, submit feeds the study loop."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import pytest

from mlstudy.core.practice import ItemType
from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.stats import library_stats
from tests.conftest import FakeClock
from tests.practice import add_questions, card_state


@pytest.fixture
def lib(tmp_path: Path, pack: Path, clock: FakeClock) -> Library:
    add_questions(pack)
    library = Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=pack)
    yield library
    library.close()


def right(item) -> tuple[int, ...]:
    return item.question.correct_answer


def test_bank_is_synced_and_counted(lib: Library) -> None:
    counts = lib.practice.bank_counts()
    assert counts == {
        "total": 6,
        "by_domain": {"1": 2, "2": 0, "3": 4, "4": 0},
        "by_type": {"single": 3, "multiple": 1, "ordering": 1, "matching": 1},
    }


def test_exam_is_timed_by_scale_and_submit_reschedules_linked_cards(
    lib: Library, clock: FakeClock
) -> None:
    # Review t-kds on two days so its SM-2 due day is six days out.
    card = lib.next_card()
    while card is not None and card.key != "t-kds":
        lib.answer(card.id, 5)
        card = lib.next_card()
    assert card is not None
    lib.answer(card.id, 5)
    clock.advance(days=1)
    lib.answer(card.id, 5)
    kds_before = card_state(lib, card.id)
    attempt = lib.practice.start("exam", count=6, seed=3)
    assert attempt.time_limit_s == 17 * 60  # 180 min * 6 / 65, rounded up to minutes
    for item in attempt.items:
        wrong = item.question.key == "q-fx-shards"
        answer = (item.question.correct_answer[0],) if wrong else right(item)
        lib.practice.answer(attempt, item.position, answer, elapsed_ms=1000)
    results = lib.practice.submit(attempt.id, elapsed_ms=60_000)
    assert (results.score.questions, results.score.correct) == (6, 5)
    assert results.score.by_domain[1].correct == 1
    assert results.rescheduled_cards == ("t-kds",)
    assert "not a prediction" in results.note
    state = card_state(lib, card.id)
    assert state is not None and kds_before is not None
    assert (state.due_day, state.interval_days, state.easiness) == (
        kds_before.due_day,
        kds_before.interval_days,
        kds_before.easiness,
    )
    assert state.due_day == "2026-11-09"
    assert state.exam_due_day == "2026-11-04"
    assert lib.practice.card_reason(card.id) == "missed in the practice exam of 2026-11-03"
    clock.advance(days=1)
    assert lib.card(card.id).exam_due == date(2026, 11, 4)
    assert lib.counts().due >= 1


def test_unseen_linked_cards_come_first_in_the_next_batch(lib: Library) -> None:
    attempt = lib.practice.start("practice", count=6, seed=1)
    item = next(i for i in attempt.items if i.question.key == "q-fx-order")
    lib.practice.answer(attempt, item.position, (2, 1, 0), elapsed_ms=0)
    lib.practice.submit(attempt.id)
    first = lib.next_card()
    assert first is not None and first.key == "t-eta"


def test_unfinished_attempt_resumes_with_time_used(lib: Library) -> None:
    attempt = lib.practice.start("exam", count=4, seed=2)
    lib.practice.answer(attempt, 0, right(attempt.items[0]), elapsed_ms=5_000)
    lib.practice.flag(attempt.id, 1, True)
    lib.practice.save_progress(attempt.id, 1, 9_000)
    resumed = lib.practice.unfinished()
    assert resumed is not None and resumed.id == attempt.id
    assert (resumed.position, resumed.elapsed_ms) == (1, 9_000)
    assert resumed.items[0].answer == right(attempt.items[0])
    assert resumed.items[1].flagged
    lib.practice.submit(attempt.id)
    assert lib.practice.unfinished() is None


def test_stats_json_has_questions_and_practice(lib: Library) -> None:
    attempt = lib.practice.start("practice", count=2, seed=5)
    lib.practice.answer(attempt, 0, right(attempt.items[0]), elapsed_ms=0)
    lib.practice.submit(attempt.id)  # ended early: the unanswered one is left out
    data = library_stats(lib)
    assert data["questions"]["total"] == 6
    [entry] = data["practice"]["attempts"]
    assert entry["mode"] == "practice"
    assert (entry["questions"], entry["correct"]) == (1, 1)
    domain = str(attempt.items[0].question.domain)
    assert entry["by_domain"] == {domain: {"questions": 1, "correct": 1}}


def test_missed_question_returns_in_practice_until_right_twice(lib: Library) -> None:
    def run(correct: bool) -> None:
        attempt = lib.practice.start("practice", count=1, seed=0, missed=True)
        item = attempt.items[0]
        assert item.question.key == "q-fx-match"
        answer = right(item) if correct else tuple(reversed(right(item)))
        lib.practice.answer(attempt, 0, answer, elapsed_ms=0)
        lib.practice.submit(attempt.id)

    first = lib.practice.start("practice", count=6, seed=4)
    item = next(i for i in first.items if i.question.type == ItemType.MATCHING)
    lib.practice.answer(first, item.position, (1, 0, 2), elapsed_ms=0)
    lib.practice.submit(first.id)
    run(True)
    run(False)
    run(True)
    run(True)
    with pytest.raises(UserError, match="no practice questions"):
        lib.practice.start("practice", missed=True)


def test_an_unchanged_bank_is_not_read_again_and_an_edit_is(lib: Library, pack: Path) -> None:
    again = lib.sync_content()
    assert not again.changes.content and not again.problems
    path = pack / "mls-c01" / "questions" / "fixture.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Clickstream to S3 as Parquet", "Clicks to Parquet"), "utf-8")
    edited = lib.sync_content()
    assert edited.changes.content
    attempt = lib.practice.start("practice", count=6, seed=1)
    titles = {i.question.title for i in attempt.items}
    assert "Clicks to Parquet" in titles
    path.write_text(text.replace(":cards: t-firehose, t-kds", ":cards: nope"), "utf-8")
    broken = lib.sync_content()
    assert any("unknown card id: nope" in p for p in broken.problems)
    assert any("unknown card id: nope" in p for p in lib.sync_content().problems)  # again
    assert lib.practice.bank_counts()["total"] == 5  # the broken one is archived


def test_submit_reports_what_it_changed(lib: Library) -> None:
    attempt = lib.practice.start("exam", count=6, seed=8)
    results = lib.practice.submit(attempt.id)  # nothing answered: every question missed
    keys = {"t-firehose", "t-kds", "t-eta", "t-recall", "t-lasso"}
    assert set(results.rescheduled_cards) == keys
    assert results.changes.cards == frozenset(lib.practice.linked_card_ids(sorted(keys)).values())
    assert lib.practice.results(attempt.id).changes.cards == frozenset()


def test_the_practice_layer_survives_an_exam_date_change(lib: Library, clock: FakeClock) -> None:
    card = lib.next_card()
    while card is not None and card.key != "t-kds":
        lib.answer(card.id, 5)
        card = lib.next_card()
    assert card is not None
    lib.answer(card.id, 5)
    clock.advance(days=1)
    lib.answer(card.id, 5)  # SM-2: due in six days
    attempt = lib.practice.start("exam", count=6, seed=8)
    lib.practice.submit(attempt.id)  # nothing answered: t-kds's question is missed
    assert lib.today().isoformat() == "2026-11-03"
    assert card_state(lib, card.id).exam_due_day == "2026-11-04"  # type: ignore[union-attr]
    lib.update_settings(exam_date="2027-03-01")  # every exam-aware due day is recomputed
    assert card_state(lib, card.id).exam_due_day == "2026-11-04"  # type: ignore[union-attr]
    clock.advance(days=1)
    lib.answer(card.id, 5)  # reviewed on the day: the layer is spent
    assert lib.practice.card_reason(card.id) is None
    assert card_state(lib, card.id).exam_due_day is None  # type: ignore[union-attr]
