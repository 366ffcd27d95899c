"""Tests for the study planner: hand-checked plans, validation, and properties."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from mlstudy.core.models import CardSnapshot
from mlstudy.core.planner import (
    RULE_NEW_CARDS,
    RULES,
    Plan,
    PlanInputs,
    _search,
    domain_priorities,
    exam_adjusted_due,
    final_window_start,
    new_cards_for_day,
    plan_for_exam,
    validate_plan_inputs,
)
from mlstudy.core.sm2 import NEW_CARD, Sm2State, next_state
from mlstudy.errors import UserError

MONDAY = date(2026, 1, 5)
PERFECT = {5: 1.0}
TOLERANCE = 1e-6


def day_of(plan: Plan, day: date) -> int:
    return (day - plan.days[0].day).days


def mature(card_id: int, due: date, interval: int = 30, domain: int = 1) -> CardSnapshot:
    """A reviewed card (n = 3, EF 2.5) due on ``due``."""
    state = Sm2State(repetitions=3, easiness_hundredths=250, interval_days=interval)
    return CardSnapshot(card_id, domain, state, due, due - timedelta(days=interval))


# --- hand-checked plans -------------------------------------------------------------


def test_no_cards_is_feasible_and_covers_every_day_before_the_exam() -> None:
    plan = plan_for_exam(PlanInputs(MONDAY, MONDAY + timedelta(days=10), 30))
    assert plan.feasible
    assert plan.verdict == "Feasible: 0 min/day on average"
    assert [d.day for d in plan.days] == [MONDAY + timedelta(days=i) for i in range(10)]
    assert all(d.expected_minutes == 0 and d.new_total == 0 for d in plan.days)


def test_one_perfect_card_follows_sm2_intervals_exactly() -> None:
    # q=5 every time: EF 2.6 then 2.7 then 2.8; intervals 1, 6, ceil(6 x 2.8) = 17.
    inputs = PlanInputs(
        MONDAY, MONDAY + timedelta(days=30), 10, grade_mix=PERFECT, cards=(CardSnapshot(1, 1),)
    )
    plan = plan_for_exam(inputs)
    reviews = {i: d.expected_reviews for i, d in enumerate(plan.days) if d.expected_reviews}
    assert reviews == {1: 1.0, 7: 1.0, 24: 1.0}
    assert plan.days[0].new_by_domain == {1: 1}
    assert plan.days[0].expected_minutes == pytest.approx(1.0)
    assert plan.days[1].expected_minutes == pytest.approx(20 / 60)
    # Day 24 lies inside the final window (exam - 7 = day 23): no extra review is needed.
    assert plan.days[24].final_window_cards == pytest.approx(1.0)
    assert plan.feasible


def test_default_grade_mix_expected_reviews_after_an_introduction() -> None:
    inputs = PlanInputs(MONDAY, MONDAY + timedelta(days=30), 10, cards=(CardSnapshot(1, 1),))
    plan = plan_for_exam(inputs)
    assert plan.days[0].new_total == 1
    assert plan.days[1].expected_reviews == pytest.approx(1.0)
    # Only a lapse (q < 3, probability 0.10) brings the card back the next day.
    assert plan.days[2].expected_reviews == pytest.approx(0.10)
    assert plan.days[3].expected_reviews == pytest.approx(0.01)


def test_card_due_after_the_exam_is_reviewed_in_the_final_window() -> None:
    exam = MONDAY + timedelta(days=20)
    card = mature(1, due=MONDAY + timedelta(days=60))
    plan = plan_for_exam(PlanInputs(MONDAY, exam, 10, grade_mix=PERFECT, cards=(card,)))
    start = day_of(plan, final_window_start(exam, 7))
    assert all(d.expected_reviews == 0 for d in plan.days[:start])
    window = plan.days[start:]
    assert [d.expected_reviews for d in window] == pytest.approx([1 / 7] * 7)
    assert sum(d.final_window_cards for d in window) == pytest.approx(1.0)


def test_overdue_backlog_is_spread_over_a_week_not_piled_on_today() -> None:
    yesterday = MONDAY - timedelta(days=1)
    cards = tuple(mature(i, due=yesterday, interval=60) for i in range(1, 141))
    plan = plan_for_exam(
        PlanInputs(MONDAY, MONDAY + timedelta(days=60), 120, grade_mix=PERFECT, cards=cards)
    )
    assert plan.feasible
    assert [d.expected_reviews for d in plan.days[:8]] == pytest.approx([20.0] * 7 + [0.0])


def test_backlog_bigger_than_the_budget_carries_over_at_the_budget() -> None:
    # 700 overdue reviews, 60 fit in 20 min: eleven full days, then the rest.
    cards = tuple(mature(i, due=MONDAY - timedelta(days=1), interval=60) for i in range(700))
    inputs = PlanInputs(
        MONDAY,
        MONDAY + timedelta(days=100),
        20,
        final_window_days=14,
        grade_mix=PERFECT,
        cards=cards,
    )
    plan = plan_for_exam(inputs)
    assert plan.feasible
    reviews = [d.expected_reviews for d in plan.days]
    assert reviews[:11] == pytest.approx([60.0] * 11)
    assert reviews[11] == pytest.approx(40.0)
    assert sum(reviews[:86]) == pytest.approx(700.0)
    assert all(d.expected_minutes <= 20 + TOLERANCE for d in plan.days)


def test_backlog_skips_days_off() -> None:
    cards = tuple(mature(i, due=MONDAY - timedelta(days=3), interval=60) for i in range(1, 71))
    inputs = PlanInputs(
        MONDAY,
        MONDAY + timedelta(days=60),
        120,
        weekdays_off=frozenset({5, 6}),
        grade_mix=PERFECT,
        cards=cards,
    )
    plan = plan_for_exam(inputs)
    first_nine = [d.expected_reviews for d in plan.days[:9]]
    assert first_nine == pytest.approx([10.0] * 5 + [0.0, 0.0] + [10.0] * 2)


def test_window_without_a_study_day_needs_a_later_exam() -> None:
    # Weekends off and a one-day window on Sunday: no budget can give the card its review.
    exam = date(2026, 1, 19)  # a Monday
    card = mature(1, due=exam + timedelta(days=30))
    inputs = PlanInputs(
        MONDAY, exam, 30, weekdays_off=frozenset({5, 6}), final_window_days=1, cards=(card,)
    )
    plan = plan_for_exam(inputs)
    assert not plan.feasible
    assert plan.required_minutes_per_day is None
    assert plan.feasible_exam_date == exam + timedelta(days=1)
    assert plan_for_exam(replace(inputs, exam_date=plan.feasible_exam_date)).feasible


def test_days_off_get_nothing_and_are_flagged() -> None:
    cards = tuple(CardSnapshot(i, 1) for i in range(1, 60))
    inputs = PlanInputs(
        MONDAY,
        MONDAY + timedelta(days=40),
        30,
        weekdays_off=frozenset({6}),
        dates_off=frozenset({MONDAY + timedelta(days=2)}),
        cards=cards,
    )
    plan = plan_for_exam(inputs)
    off = [d for d in plan.days if d.is_off]
    assert {d.day.weekday() for d in off} == {6, 2}
    assert all(d.new_total == 0 and d.expected_minutes == 0 for d in off)


def test_weaker_domain_with_the_same_weight_goes_first() -> None:
    cards = tuple(CardSnapshot(i, 1 + i % 2) for i in range(40))
    inputs = PlanInputs(
        MONDAY,
        MONDAY + timedelta(days=30),
        60,
        cards=cards,
        domain_weights={1: 0.5, 2: 0.5},
        domain_mastery={1: 0.0, 2: 0.9},
    )
    plan = plan_for_exam(inputs)
    # Priorities 0.5 x 1.1 = 0.55 and 0.5 x 0.2 = 0.1: domain 2 is interleaved at
    # about one card in six and finishes last.
    first_week = Counter[int]()
    for day in plan.days[:6]:
        first_week.update(day.new_by_domain)
    assert first_week == {1: 10, 2: 2}
    last_of = {d: max(i for i, x in enumerate(plan.days) if x.new_by_domain.get(d)) for d in (1, 2)}
    assert last_of[1] < last_of[2]
    assert new_cards_for_day(plan, MONDAY) == plan.days[0].new_by_domain == {1: 2}
    assert new_cards_for_day(plan, MONDAY - timedelta(days=1)) == {}


def test_domain_priority_is_weight_times_weakness() -> None:
    priority = domain_priorities({1, 2, 3}, {1: 0.2, 2: 0.5, 3: 0.3}, {1: 0.0, 2: 1.0})
    assert priority == pytest.approx({1: 0.2 * 1.1, 2: 0.5 * 0.1, 3: 0.3 * 1.1})
    assert domain_priorities({1, 2}, {}, {}) == pytest.approx({1: 0.55, 2: 0.55})


def test_infeasible_plan_names_minutes_and_date_that_work() -> None:
    cards = tuple(CardSnapshot(i, 1) for i in range(100))
    inputs = PlanInputs(MONDAY, MONDAY + timedelta(days=20), 10, cards=cards)
    plan = plan_for_exam(inputs)
    assert not plan.feasible
    assert plan.required_minutes_per_day is not None and plan.feasible_exam_date is not None
    assert plan.verdict == (
        f"Needs {plan.required_minutes_per_day} min/day, or an exam date of "
        f"{plan.feasible_exam_date.isoformat()} at 10 min/day"
    )
    more = replace(inputs, minutes_per_day=plan.required_minutes_per_day)
    assert plan_for_exam(more).feasible
    assert not plan_for_exam(replace(more, minutes_per_day=more.minutes_per_day - 1)).feasible
    assert plan_for_exam(replace(inputs, exam_date=plan.feasible_exam_date)).feasible


def test_too_many_cards_for_the_final_window_at_any_date() -> None:
    # 200 first reviews x 20 s need 4000 s; a 7-day window at 10 min/day holds 4200 s,
    # not enough once the reviews that lapse come back.
    cards = tuple(CardSnapshot(i, 1) for i in range(200))
    plan = plan_for_exam(PlanInputs(MONDAY, MONDAY + timedelta(days=20), 10, cards=cards))
    assert plan.feasible_exam_date is None
    assert plan.required_minutes_per_day is not None
    assert plan.verdict == f"Needs {plan.required_minutes_per_day} min/day"


def test_cut_off_already_passed_needs_a_later_exam() -> None:
    inputs = PlanInputs(MONDAY, MONDAY + timedelta(days=5), 600, cards=(CardSnapshot(1, 1),))
    plan = plan_for_exam(inputs)
    assert not plan.feasible
    assert plan.required_minutes_per_day is None
    assert plan.feasible_exam_date == MONDAY + timedelta(days=7)
    assert plan.verdict == f"Needs an exam date of {plan.feasible_exam_date} at 600 min/day"


def test_work_done_today_counts_against_todays_budget() -> None:
    cards = tuple(CardSnapshot(i, 1) for i in range(100))
    inputs = PlanInputs(MONDAY, MONDAY + timedelta(days=40), 10, cards=cards, reviewed_today=15)
    plan = plan_for_exam(inputs)
    assert plan.days[0].expected_minutes <= 10 - 15 * 20 / 60 + TOLERANCE


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exam", "minutes", "off", "message"),
    [
        (MONDAY, 30, frozenset(), "must be after today"),
        (MONDAY - timedelta(days=3), 30, frozenset(), "must be after today"),
        (MONDAY + timedelta(days=9), 0, frozenset(), "at least 1"),
        (MONDAY + timedelta(days=9), -5, frozenset(), "at least 1"),
        (MONDAY + timedelta(days=9), 30, frozenset(range(7)), "study day"),
    ],
)
def test_validation_errors(exam: date, minutes: int, off: frozenset[int], message: str) -> None:
    with pytest.raises(UserError, match=message):
        validate_plan_inputs(MONDAY, exam, minutes, off)
    with pytest.raises(UserError, match=message):
        plan_for_exam(PlanInputs(MONDAY, exam, minutes, weekdays_off=off))


def test_bad_grade_mix_is_a_user_error() -> None:
    with pytest.raises(UserError, match="Grade mix"):
        plan_for_exam(PlanInputs(MONDAY, MONDAY + timedelta(days=9), 30, grade_mix={7: 1.0}))


# --- exam-aware due dates ---------------------------------------------------------------


def test_exam_adjusted_due() -> None:
    exam = date(2026, 3, 14)  # a Saturday; the window is Mar 7 .. Mar 13
    assert final_window_start(exam, 7) == date(2026, 3, 7)
    assert exam_adjusted_due(date(2026, 3, 1), exam, 7, 1) is None
    assert exam_adjusted_due(date(2026, 3, 10), exam, 7, 1) == date(2026, 3, 10)
    assert exam_adjusted_due(date(2026, 5, 1), exam, 7, 0) == date(2026, 3, 7)
    assert exam_adjusted_due(date(2026, 5, 1), exam, 7, 8) == date(2026, 3, 8)
    reviewed = date(2026, 3, 8)
    assert exam_adjusted_due(date(2026, 5, 1), exam, 7, 3, last_review=reviewed) is None
    weekdays = exam_adjusted_due(date(2026, 5, 1), exam, 7, 0, weekdays_off=frozenset({5, 6}))
    assert weekdays == date(2026, 3, 9)
    # A due day on the last (off) day of the window moves to a study day.
    moved = exam_adjusted_due(date(2026, 3, 13), exam, 7, 1, weekdays_off=frozenset({4}))
    assert moved is not None and moved.weekday() != 4 and moved < exam
    later = exam_adjusted_due(date(2026, 5, 1), exam, 7, 0, today=date(2026, 3, 11))
    assert later == date(2026, 3, 11)


@given(due=st.integers(-30, 90), card_id=st.integers(0, 10_000), window=st.integers(1, 14))
def test_adjusted_due_is_inside_the_window_when_given(due: int, card_id: int, window: int) -> None:
    exam = date(2026, 6, 1)
    result = exam_adjusted_due(exam + timedelta(days=due), exam, window, card_id)
    if due < -window:
        assert result is None
    else:
        assert result is not None and final_window_start(exam, window) <= result < exam


# --- properties ----------------------------------------------------------------------------


@st.composite
def card_lists(draw: st.DrawFn, today: date, least: int = 0) -> tuple[CardSnapshot, ...]:
    cards = []
    for card_id in range(draw(st.integers(least, 40))):
        domain = draw(st.integers(1, 4))
        grades = draw(st.lists(st.integers(0, 5), max_size=6))
        if not grades:
            cards.append(CardSnapshot(card_id, domain))
            continue
        state = NEW_CARD
        for grade in grades:
            state = next_state(state, grade)
        due = today + timedelta(days=draw(st.integers(-20, 60)))
        last = due - timedelta(days=state.interval_days)
        cards.append(CardSnapshot(card_id, domain, state, due, min(last, today)))
    return tuple(cards)


@st.composite
def plan_inputs(draw: st.DrawFn, overdue_only: bool = False, tight: bool = False) -> PlanInputs:
    today = MONDAY + timedelta(days=draw(st.integers(0, 6)))
    horizon = draw(st.integers(1, 21) if tight else st.integers(1, 60))
    off = frozenset(draw(st.sets(st.integers(0, 6), max_size=4)))
    dates_off = frozenset(
        today + timedelta(days=d) for d in draw(st.sets(st.integers(0, 60), max_size=4))
    )
    cards = draw(card_lists(today, 12 if tight else 0))
    if overdue_only:
        cards = tuple(
            replace(c, due=today - timedelta(days=1 + c.card_id % 9))
            for c in cards
            if c.state is not None
        )
    mix = draw(
        st.one_of(
            st.just({}),
            st.dictionaries(st.integers(0, 5), st.floats(0.05, 1.0), min_size=1).filter(
                lambda m: any(g >= 3 for g in m)
            ),
        )
    )
    return PlanInputs(
        today=today,
        exam_date=today + timedelta(days=horizon),
        minutes_per_day=draw(st.integers(1, 6) if tight else st.integers(1, 90)),
        weekdays_off=off,
        dates_off=dates_off,
        new_cutoff_days=draw(st.integers(0, 10)),
        final_window_days=draw(st.integers(1, 10)),
        seconds_per_new=draw(st.sampled_from([30.0, 60.0, 90.0])),
        seconds_per_review=draw(st.sampled_from([8.0, 20.0])),
        cards=cards,
        domain_weights={1: 0.2, 2: 0.3, 3: 0.3, 4: 0.2},
        domain_mastery={d: draw(st.floats(0, 1)) for d in range(1, 5)},
        grade_mix=mix,
        reviewed_today=draw(st.integers(0, 20)),
        new_today=draw(st.integers(0, 5)),
    )


def check_budget_and_days_off(plan: Plan, inputs: PlanInputs) -> None:
    for day in plan.days:
        assert day.expected_minutes <= inputs.minutes_per_day + TOLERANCE
        minutes = day.new_total * inputs.seconds_per_new
        minutes += day.expected_reviews * inputs.seconds_per_review
        assert day.expected_minutes == pytest.approx(minutes / 60)
        if day.is_off:
            assert day.new_total == 0 and day.expected_reviews == 0


def check_final_window(plan: Plan, inputs: PlanInputs) -> None:
    start = final_window_start(inputs.exam_date, inputs.final_window_days)
    for day in plan.days:
        if day.day < start or day.is_off:
            assert day.final_window_cards == 0
    covered = sum(d.final_window_cards for d in plan.days) + plan.cards_in_window_already
    assert covered == pytest.approx(plan.cards_total, rel=1e-6, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(inputs=plan_inputs())
def test_every_plan_stays_within_budget_and_off_days_stay_empty(inputs: PlanInputs) -> None:
    plan = plan_for_exam(inputs)
    check_budget_and_days_off(plan, inputs)
    assert len(plan.days) == (inputs.exam_date - inputs.today).days
    assert plan.new_cutoff is not None
    assert all(d.day <= plan.new_cutoff for d in plan.days if d.new_total)


@settings(max_examples=50, deadline=None)
@given(inputs=plan_inputs())
def test_feasible_plan_introduces_all_by_cut_off_and_covers_the_final_window(
    inputs: PlanInputs,
) -> None:
    plan = plan_for_exam(inputs)
    if not plan.feasible:
        return
    unseen = sum(1 for c in inputs.cards if c.is_new)
    cutoff = inputs.exam_date - timedelta(days=inputs.new_cutoff_days)
    assert sum(d.new_total for d in plan.days if d.day <= cutoff) == unseen
    check_final_window(plan, inputs)
    assert plan.required_minutes_per_day is None and plan.feasible_exam_date is None
    assert plan.verdict.startswith("Feasible: ")


VERDICT_EXAMPLES = 60


@settings(max_examples=VERDICT_EXAMPLES, deadline=None)
@given(inputs=plan_inputs(tight=True))
def test_the_verdict_holds_when_taken_and_one_less_does_not(inputs: PlanInputs) -> None:
    """ "Needs N min/day": a plan at N is feasible and at N - 1 is not; the same for the
    earliest exam date (that day works, the day before does not). Budgets are drawn
    tight so that most examples reach the infeasible branch."""
    plan = plan_for_exam(inputs)
    event("infeasible" if not plan.feasible else "feasible")
    if plan.feasible:
        assert not plan.failing_rules and not plan.reason and not plan.over_budget_days
        return
    assert plan.verdict.startswith(("Needs ", "Not feasible: "))
    assert plan.failing_rules and set(plan.failing_rules) <= set(RULES)
    assert plan.reason.startswith(f"At {inputs.minutes_per_day} min/day: ")
    assert (RULE_NEW_CARDS in plan.failing_rules) == (plan.unintroduced > 0)
    assert plan.over_budget_days == tuple(d.day for d in plan.days if d.over_budget)
    assert all(not d.is_off for d in plan.days if d.over_budget)
    needed = plan.required_minutes_per_day
    if needed is not None:
        event("needs minutes")
        assert needed > inputs.minutes_per_day
        assert f"Needs {needed} min/day" in plan.verdict
        assert plan_for_exam(replace(inputs, minutes_per_day=needed)).feasible
        assert not plan_for_exam(replace(inputs, minutes_per_day=needed - 1)).feasible
    later = plan.feasible_exam_date
    if later is not None:
        event("needs a later date")
        assert later > inputs.exam_date
        assert later.isoformat() in plan.verdict
        assert plan_for_exam(replace(inputs, exam_date=later)).feasible
        before = later - timedelta(days=1)
        assert not plan_for_exam(replace(inputs, exam_date=before)).feasible


def test_the_verdict_property_mostly_reaches_the_infeasible_branch() -> None:
    """The draw above is profiled: at least half its examples are infeasible plans, as
    the ci profile draws them (derandomized, the same number of examples)."""
    infeasible: list[bool] = []

    @settings(derandomize=True, database=None, max_examples=VERDICT_EXAMPLES, deadline=None)
    @given(inputs=plan_inputs(tight=True))
    def draw(inputs: PlanInputs) -> None:
        infeasible.append(not plan_for_exam(inputs).feasible)

    draw()
    assert len(infeasible) >= VERDICT_EXAMPLES * 0.9
    assert sum(infeasible) >= len(infeasible) / 2


def test_a_needed_budget_below_the_lower_bound_guess_is_still_checked() -> None:
    """The search's first guess is only a guess: when the value below it works, the
    answer goes lower, so "Needs N" always has N - 1 failing."""
    calls: list[int] = []

    def works(minutes: int) -> bool:
        calls.append(minutes)
        return minutes >= 7

    assert _search(works, 3, 12, 100) == 7
    assert 6 in calls and 7 in calls
    assert _search(lambda m: m >= 30, 3, 12, 100) == 30
    assert _search(lambda m: False, 3, 12, 100) is None


@settings(max_examples=50, deadline=None)
@given(inputs=plan_inputs(overdue_only=True))
def test_missed_days_backlog_is_spread_within_budget(inputs: PlanInputs) -> None:
    plan = plan_for_exam(inputs)
    check_budget_and_days_off(plan, inputs)
    if plan.feasible:
        check_final_window(plan, inputs)
        owed = len(inputs.cards)
        assert sum(d.expected_reviews for d in plan.days) >= owed - TOLERANCE


@settings(max_examples=30, deadline=None)
@given(inputs=plan_inputs())
def test_same_inputs_give_the_same_plan(inputs: PlanInputs) -> None:
    assert plan_for_exam(inputs) == plan_for_exam(replace(inputs))


def test_an_overdue_card_with_no_study_day_left_is_not_feasible() -> None:
    """Exam tomorrow, today off, one card overdue: nothing can be done, so the plan says
    which exam date would work instead of calling zero reviews feasible (found by
    hypothesis in the backlog property)."""
    today = date(2026, 1, 5)
    inputs = PlanInputs(
        today=today,
        exam_date=today + timedelta(days=1),
        minutes_per_day=1,
        dates_off=frozenset({today}),
        new_cutoff_days=0,
        final_window_days=2,
        cards=(
            CardSnapshot(
                card_id=0,
                domain=1,
                state=Sm2State(repetitions=1, easiness_hundredths=250, interval_days=1),
                due=today - timedelta(days=1),
                last_review=today - timedelta(days=1),
            ),
        ),
        domain_weights={1: 0.2, 2: 0.3, 3: 0.3, 4: 0.2},
    )
    plan = plan_for_exam(inputs)
    assert not plan.feasible
    assert plan.undone_reviews == pytest.approx(1.0)
    assert plan.verdict == "Needs an exam date of 2026-01-07 at 1 min/day"
    assert plan_for_exam(replace(inputs, exam_date=date(2026, 1, 7))).feasible
