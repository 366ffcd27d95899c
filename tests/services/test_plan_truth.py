"""One truth for today: the plan's first day, today's queue, ``plan --json`` and
``stats --json`` agree; answers never re-plan today; the same library gives the same
plan, also after a restart. Properties over random libraries (cards per domain, a
history of answers with grades and times, budgets, exam dates, days off)."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mlstudy.core.planner import Plan
from mlstudy.paths import content_dir
from mlstudy.services import Library
from mlstudy.services.planning import make_plan, plan_document
from mlstudy.services.stats import library_stats
from tests.conftest import FakeClock

START = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
EXAMPLES = itertools.count()


def deck(domain: int, count: int) -> str:
    cards = "".join(
        f"## Question {domain}-{n}? {{#q{domain}-{n}}}\n\nAnswer {n}.\n\n" for n in range(count)
    )
    return f"---\ndomain: {domain}\n---\n\n{cards}"


@dataclass(frozen=True)
class Setup:
    cards: dict[int, int]
    history: list[list[tuple[int, int]]]
    """Per past day, the (grade, answer ms) of each card answered."""
    minutes: int
    exam_in: int
    weekdays_off: list[int]
    today_answers: list[int]


@st.composite
def setups(draw: st.DrawFn) -> Setup:
    answer = st.tuples(st.integers(0, 5), st.integers(2_000, 90_000))
    return Setup(
        cards={d: draw(st.integers(1 if d == 1 else 0, 14)) for d in (1, 2, 3, 4)},
        history=draw(st.lists(st.lists(answer, max_size=12), max_size=4)),
        minutes=draw(st.integers(1, 8)),
        exam_in=draw(st.integers(3, 40)),
        weekdays_off=sorted(draw(st.sets(st.integers(0, 6), max_size=3))),
        today_answers=draw(st.lists(st.integers(0, 5), min_size=1, max_size=6)),
    )


def open_library(data: Path, pack: Path, clock: FakeClock) -> Library:
    return Library.open(data, clock=clock, tz=UTC, content_root=pack)


def make_pack(root: Path, cards: dict[int, int]) -> Path:
    pack = root / "content"
    folder = pack / "mls-c01" / "cards"
    folder.mkdir(parents=True)
    shutil.copy(content_dir() / "mls-c01" / "exam.toml", pack / "mls-c01" / "exam.toml")
    for domain, count in cards.items():
        if count:
            (folder / f"d{domain}.md").write_text(deck(domain, count), encoding="utf-8")
    return pack


def play_day(library: Library, answers: list[tuple[int, int]]) -> None:
    for grade, ms in answers:
        card = library.next_card()
        if card is None:
            return
        library.answer(card.id, grade, ms)


def check_today_agrees(library: Library, plan: Plan) -> None:
    """The plan's first day, the queue, plan --json and stats --json tell one number."""
    first = plan.days[0]
    planned = library.planned_today()
    assert planned is not None
    done = dict(first.new_done_by_domain)
    assert {d: n for d, n in planned.items() if n} == {
        d: n
        for d in {*planned, *first.new_by_domain, *done}
        if (n := first.new_by_domain.get(d, 0) + done.get(d, 0))
    }
    counts = library.counts()
    assert counts.new == first.new_total
    assert counts.new_planned == first.new_total + first.new_done == sum(planned.values())
    names = {d.number: d.name for d in library.exam().domains}
    assert plan_document(plan, names)["days"][0]["new_total"] == counts.new
    today = library_stats(library)["today"]
    assert (today["new"], today["new_planned"], today["new_done"]) == (
        counts.new,
        counts.new_planned,
        counts.new_done,
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(setup=setups())
def test_the_plan_tells_one_truth_about_today(tmp_path: Path, setup: Setup) -> None:
    base = tmp_path / f"library-{next(EXAMPLES)}"
    base.mkdir()
    pack = make_pack(base, setup.cards)
    clock = FakeClock(START)
    data = base / "data"
    library = open_library(data, pack, clock)
    try:
        for day in setup.history:
            play_day(library, day)
            clock.advance(days=1)
        exam = (clock.now + timedelta(days=setup.exam_in)).date().isoformat()
        library.update_settings(
            exam_date=exam, minutes_per_day=setup.minutes, weekdays_off=setup.weekdays_off
        )
        plan = library.refresh_plan()
        assert plan is not None
        event("infeasible" if not plan.feasible else "feasible")
        check_today_agrees(library, plan)
        # The same library plans the same twice.
        assert make_plan(library) == make_plan(library)
        frozen = library.planned_today()
        # Answers during the day never change today's quota.
        for grade in setup.today_answers:
            play_day(library, [(grade, 10_000)])
            assert library.planned_today() == frozen
        again = library.refresh_plan()
        assert again is not None and library.planned_today() == frozen
        check_today_agrees(library, again)
    finally:
        library.close()
    # ... also across a restart.
    library = open_library(data, pack, clock)
    try:
        assert library.planned_today() == frozen
        assert library.refresh_plan() == again
    finally:
        library.close()


def test_a_changed_input_replans_today_and_says_so(library: Library) -> None:
    library.update_settings(exam_date="2026-11-20", minutes_per_day=2)
    first = library.refresh_plan()
    assert first is not None and not library.plans.replanned_today
    fixed = library.planned_today()
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 4, 30_000)
    assert library.refresh_plan() is not None and not library.plans.replanned_today
    assert library.planned_today() == fixed
    preview = library.preview_plan(date(2026, 11, 20), 45)  # edits not saved
    assert preview.minutes_per_day == 45 and preview.days[0].new_done == 1
    assert library.planned_today() == fixed
    library.update_settings(minutes_per_day=30)
    assert library.planned_today() is None  # the old quota is for other inputs
    assert library.refresh_plan() is not None and library.plans.replanned_today
    assert library.planned_today() != fixed
