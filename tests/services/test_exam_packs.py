"""Several exam packs in one library: shared cards, switching, per-exam settings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mlstudy.errors import UnknownExamError, UserError
from mlstudy.services import Library
from mlstudy.services.browse import search
from mlstudy.services.exams import list_exams, select_exam
from mlstudy.services.stats import library_stats
from mlstudy.storage.schema import DeckFile, Review
from mlstudy.storage.snapshots import card_snapshots
from tests.conftest import FakeClock
from tests.packs import card_id, two_packs
from tests.practice import add_questions


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return two_packs(tmp_path / "content")


@pytest.fixture
def library(tmp_path: Path, content: Path, clock: FakeClock) -> Iterator[Library]:
    lib = Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=content)
    yield lib
    lib.close()


def snapshot(library: Library, key: str) -> tuple[int, int | None]:
    """(domain, repetitions) of a card as the current exam sees it (None: never reviewed)."""
    with library.engine.connect() as conn:
        for card in card_snapshots(conn, library.exam_id()):
            if card.card_id == card_id(library, key):
                return card.domain, card.state.repetitions if card.state else None
    raise AssertionError(f"{key} does not serve {library.exam().code}")


def test_a_new_library_selects_the_pack_that_can_still_be_taken(library: Library) -> None:
    assert library.exam().code == "MLA-C01"
    packs = {p.code: p for p in list_exams(library)}
    assert packs["MLS-C01"].status == "retired" and packs["MLS-C01"].retired_on == "2026-03-31"
    assert (packs["MLA-C01"].cards, packs["MLA-C01"].shared_cards) == (4, 3)
    assert (packs["MLS-C01"].cards, packs["MLS-C01"].shared_cards) == (5, 0)
    assert [p.code for p in packs.values() if p.selected] == ["MLA-C01"]
    assert library.sync_content().cards == 6  # a shared card is one card


def test_a_shared_card_keeps_one_history_counted_for_both_exams(library: Library) -> None:
    select_exam(library, "MLS-C01")
    recall = card_id(library, "t-recall")
    library.answer(recall, 5)
    assert snapshot(library, "t-recall") == (3, 1)
    select_exam(library, "MLA-C01")
    # The MLA-C01 placement: domain 2, task 2.3, with the answer given under MLS-C01.
    assert snapshot(library, "t-recall") == (2, 1)
    card = library.card(recall)
    assert (card.domain, card.task, card.repetitions) == (2, "2.3", 1)
    [row] = search(library, "recall").rows
    assert (row.domain, row.task, row.reviews) == (2, "2.3", 1)
    stats = library_stats(library)
    assert stats["exam"]["code"] == "MLA-C01"
    mastery = {d["number"]: d["mastery"] for d in stats["domains"]}
    assert mastery[2] > 0 and mastery[1] == mastery[3] == mastery[4] == 0
    # Not new in MLA-C01 either: the queue has the other three as new cards.
    assert library.counts().new == 3
    seen = set()
    while (next_card := library.next_card()) is not None and next_card.kind == "new":
        seen.add(next_card.key)
        library.answer(next_card.id, 4)
    assert seen == {"t-mla-efs", "t-firehose", "t-eta"}
    with library.engine.connect() as conn:
        answers = conn.execute(select(func.count()).select_from(Review)).scalar_one()
    assert answers == 4  # one log for both exams
    select_exam(library, "MLS-C01")
    assert snapshot(library, "t-eta") == (3, 1)  # answered under MLA-C01, counted here
    assert library.card(card_id(library, "t-eta")).domain == 3


def test_switching_keeps_each_exams_dates_budget_days_off_plan_and_practice(
    tmp_path: Path, content: Path, clock: FakeClock
) -> None:
    add_questions(content)
    with Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=content) as library:
        select_exam(library, "MLS-C01")
        library.update_settings(
            exam_date="2027-01-20",
            minutes_per_day=40,
            weekdays_off=[6],
            dates_off=["2026-12-25"],
        )
        mls_plan = library.refresh_plan()
        assert mls_plan is not None and mls_plan.exam_date == date(2027, 1, 20)
        attempt = library.practice.start("practice", count=1, seed=1)
        library.practice.answer(attempt, 0, (0,), elapsed_ms=1000)
        library.practice.submit(attempt.id)
        assert len(library.practice.history()) == 1

        select_exam(library, "MLA-C01")
        s = library.settings_service.current()
        assert (s.exam_date, s.minutes_per_day, s.weekdays_off, s.dates_off) == (
            None,
            30,
            frozenset(),
            frozenset(),
        )
        assert library.current_plan() is None and library.practice.history() == []
        library.update_settings(exam_date="2027-04-01", minutes_per_day=60)
        mla_plan = library.refresh_plan()
        assert mla_plan is not None and mla_plan.exam_date == date(2027, 4, 1)

        for _ in range(3):
            select_exam(library, "MLS-C01")
            s = library.settings_service.current()
            assert (s.exam_date, s.minutes_per_day) == (date(2027, 1, 20), 40)
            assert (s.weekdays_off, s.dates_off) == (
                frozenset({6}),
                frozenset({date(2026, 12, 25)}),
            )
            plan = library.refresh_plan()
            assert plan is not None and plan.exam_date == date(2027, 1, 20)
            assert plan.minutes_per_day == 40
            assert len(library.practice.history()) == 1
            select_exam(library, "MLA-C01")
            s = library.settings_service.current()
            assert (s.exam_date, s.minutes_per_day) == (date(2027, 4, 1), 60)
            plan = library.refresh_plan()
            assert plan is not None and plan.exam_date == date(2027, 4, 1)
            assert library.practice.history() == []
    with Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=content) as library:
        assert library.exam().code == "MLA-C01"  # the selection is kept
        assert library.settings()["exam_date"] == "2027-04-01"


def test_switching_is_quick_and_loses_nothing(library: Library) -> None:
    library.answer(card_id(library, "t-firehose"), 5)
    start = time.perf_counter()
    for code in ("MLS-C01", "MLA-C01") * 5:
        select_exam(library, code)
        library.counts()
    assert (time.perf_counter() - start) / 10 < 0.5
    assert snapshot(library, "t-firehose") == (1, 1)


def test_user_decks_without_an_exam_stay_put_and_switching_reads_no_deck_again(
    tmp_path: Path, content: Path, clock: FakeClock
) -> None:
    decks = tmp_path / "data" / "decks"
    decks.mkdir(parents=True)
    (decks / "mine.md").write_text(
        "---\ndomain: 1\n---\n\n## My own card? {#my-own}\n\nYes.\n", encoding="utf-8"
    )
    with Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=content) as library:
        assert library.settings()["deck_exam"] == "MLA-C01"
        assert [r.key for r in search(library, "my-own").rows] == ["my-own"]
        with library.engine.connect() as conn:
            before = {p: f for p, f in conn.execute(select(DeckFile.path, DeckFile.fingerprint))}
        select_exam(library, "MLS-C01")
        report = library.sync_content()
        assert (report.added, report.updated, report.archived) == (0, 0, 0)
        with library.engine.connect() as conn:
            after = {p: f for p, f in conn.execute(select(DeckFile.path, DeckFile.fingerprint))}
        assert after == before  # no deck parsed again for the switch
        assert search(library, "my-own").rows == []  # not an MLS-C01 card
        select_exam(library, "MLA-C01")
        assert [r.key for r in search(library, "my-own").rows] == ["my-own"]


def test_exam_for_one_run_leaves_the_selection_alone(
    tmp_path: Path, content: Path, clock: FakeClock
) -> None:
    data = tmp_path / "data"
    with Library.open(data, clock=clock, tz=UTC, content_root=content) as library:
        assert library.exam().code == "MLA-C01"
    with Library.open(data, clock=clock, tz=UTC, content_root=content, exam="mls-c01") as library:
        assert library.exam().code == "MLS-C01"
        assert {d.number: d.weight for d in library.exam().domains} == {1: 20, 2: 24, 3: 36, 4: 20}
        library.update_settings(minutes_per_day=50)  # saved as MLS-C01's
        with pytest.raises(UserError, match="one run"):
            select_exam(library, "MLA-C01")
    with Library.open(data, clock=clock, tz=UTC, content_root=content) as library:
        assert library.exam().code == "MLA-C01"
        assert library.settings()["minutes_per_day"] == 30
        select_exam(library, "MLS-C01")
        assert library.settings()["minutes_per_day"] == 50


def test_an_unknown_exam_code_names_the_packs(library: Library) -> None:
    with pytest.raises(UnknownExamError, match=r"unknown exam 'SAA-C03'.*MLA-C01, MLS-C01"):
        select_exam(library, "SAA-C03")
    assert library.exam().code == "MLA-C01"


def test_a_mapping_edit_moves_the_shared_card_on_the_next_sync(
    library: Library, content: Path, clock: FakeClock
) -> None:
    shared = content / "mla-c01" / "shared" / "mls.toml"
    shared.write_text('"t-recall" = "2.2"\n"t-lasso" = "2.1"\n', encoding="utf-8")
    report = library.sync_content()
    assert report.problems == () and report.changes.content
    assert {p.code: p.cards for p in list_exams(library)}["MLA-C01"] == 3
    assert snapshot(library, "t-recall") == (2, None)
    assert library.card(card_id(library, "t-recall")).task == "2.2"
    assert snapshot(library, "t-lasso") == (2, None)
    with pytest.raises(AssertionError, match="does not serve"):
        snapshot(library, "t-eta")


def test_bad_mapping_lines_are_reported_and_the_rest_is_placed(
    library: Library, content: Path
) -> None:
    shared = content / "mla-c01" / "shared" / "mls.toml"
    shared.write_text(
        '"t-recall" = "2.3"\n"no-such-card" = "1.1"\n"t-eta" = "9.9"\n"t-mla-efs" = "1.2"\n',
        encoding="utf-8",
    )
    report = library.sync_content()
    path = "content/mla-c01/shared/mls.toml"
    assert report.problems == (
        f"{path}:3: error: 't-eta': unknown task '9.9' for MLA-C01 (known: 1.1, 1.2, 1.3, "
        "2.1, 2.2, 2.3, 3.1, 3.2, 3.3, 4.1, 4.2, 4.3)",
        f"{path}:2: error: unknown card id 'no-such-card'",
        f"{path}:4: error: card 't-mla-efs' is written in MLA-C01 itself: map only cards of "
        "other packs",
    )
    assert snapshot(library, "t-recall") == (2, None)


def test_today_counts_follow_the_selected_exam(library: Library) -> None:
    assert library.counts().new == 4
    select_exam(library, "MLS-C01")
    assert library.counts().new == 5


def test_add_card_names_the_exam_in_a_new_file_and_never_mixes_exams(
    library: Library, tmp_path: Path
) -> None:
    from mlstudy.services.authoring import NewCard, add_card, file_hash, taken_keys

    path = tmp_path / "data" / "decks" / "mine.md"
    card = NewCard(question="What is Model Monitor for?", answer="Drift alarms.", domain=4)
    key, _edit, _changes = add_card(
        path, card, taken_keys(library.context), None, library.sync_content, exam="MLA-C01"
    )
    assert path.read_text(encoding="utf-8").startswith("---\nexam: MLA-C01\n---\n\n## What is")
    select_exam(library, "MLS-C01")
    library.sync_content()
    assert search(library, key).rows == []
    with pytest.raises(UserError, match=r"mine\.md holds MLA-C01 cards"):
        add_card(
            path,
            NewCard(question="Another?", answer="Yes.", domain=1),
            taken_keys(library.context),
            file_hash(path),
            library.sync_content,
            exam="MLS-C01",
            deck_exam="MLA-C01",
        )
    select_exam(library, "MLA-C01")
    assert [(r.key, r.domain) for r in search(library, key).rows] == [(key, 4)]
