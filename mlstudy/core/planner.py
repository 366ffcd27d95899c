"""The study plan toward an exam date: new cards per domain, expected reviews, a verdict.

Rules (DESIGN.md section 5): every unseen card is introduced on or before the cut-off,
no study day goes over the budget, days off get nothing, overdue reviews are spread
over the next study days, and every card is reviewed at least once in the final window
before the exam. Expected reviews come from running SM-2 forward with the grade mix
(see ``plan_engine``). When the budget is not enough, the plan names the daily minutes
and the exam date that would be, each checked by planning with it.

The final-window review is a separate, named layer on SM-2 (``exam_adjusted_due``):
it moves when a card is shown, never the SM-2 interval itself.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from mlstudy.core.exam import NO_DOMAIN
from mlstudy.core.models import CardSnapshot
from mlstudy.core.plan_engine import MODES, GradeModel, Outcome, PlanEngine, Scenario, SeenCard
from mlstudy.errors import UserError

MINUTES_PER_DAY_MAX = 24 * 60
PLAN_DAYS_MAX = 3 * 365
"""The furthest exam date a plan is made for, in days from today."""
LATER_EXAM_SEARCH_DAYS = 365
"""How far past the chosen exam date the verdict looks for one that works."""
_DATE_SEARCH_PROGRESS = 0.1
"""A later exam date must cut undone reviews by this share to keep searching."""
MASTERY_EPSILON = 0.1
"""Keeps a fully mastered domain in rotation: priority = weight * (1 - mastery + this)."""
DEFAULT_GRADE_MIX: Mapping[int, float] = MappingProxyType(
    {5: 0.30, 4: 0.45, 3: 0.15, 2: 0.05, 1: 0.03, 0: 0.02}
)
_EMPTY: Mapping[int, float] = MappingProxyType({})
_EMPTY_COUNTS: Mapping[int, int] = MappingProxyType({})
RULE_NEW_CARDS = "new_cards_after_cutoff"
RULE_FINAL_WINDOW = "final_window_unreviewed"
RULE_BUDGET = "days_over_budget"
RULES = (RULE_NEW_CARDS, RULE_FINAL_WINDOW, RULE_BUDGET)
"""The rules a plan can break: new cards not all introduced by the cut-off, cards not
reviewed in the final window, days whose due reviews do not fit the budget."""


@dataclass(frozen=True)
class PlanInputs:
    """Everything the plan depends on; ``today`` is a parameter, never the clock.

    Attributes:
        today: the current study day.
        exam_date: the exam day (the plan covers today .. the day before).
        minutes_per_day: the daily budget.
        weekdays_off: ``date.weekday()`` numbers with no study (0 = Monday).
        dates_off: specific days with no study.
        new_cutoff_days: every unseen card is introduced at least this many days before the exam.
        final_window_days: every card is reviewed at least once in this many days before the exam.
        seconds_per_new: time for a card's first showing.
        seconds_per_review: time for one review.
        cards: every active card.
        domain_weights: domain number -> exam weight as a fraction.
        domain_mastery: domain number -> mastery 0..1 (weaker domains go first).
        grade_mix: grade -> probability, to run SM-2 forward; empty = ``DEFAULT_GRADE_MIX``.
        reviewed_today: reviews already done today (they use today's budget).
        new_today: new cards already introduced today.
    """

    today: date
    exam_date: date
    minutes_per_day: int
    weekdays_off: frozenset[int] = frozenset()
    dates_off: frozenset[date] = frozenset()
    new_cutoff_days: int = 7
    final_window_days: int = 7
    seconds_per_new: float = 60.0
    seconds_per_review: float = 20.0
    cards: tuple[CardSnapshot, ...] = ()
    domain_weights: Mapping[int, float] = field(default_factory=lambda: _EMPTY)
    domain_mastery: Mapping[int, float] = field(default_factory=lambda: _EMPTY)
    grade_mix: Mapping[int, float] = field(default_factory=lambda: _EMPTY)
    reviewed_today: int = 0
    new_today: int = 0


@dataclass(frozen=True)
class PlanDay:
    """One day of the plan.

    For today the numbers are what is left to do (work already done is not repeated).

    Attributes:
        day: the date.
        is_off: a day off (nothing planned).
        new_by_domain: new cards to introduce, per domain number.
        expected_reviews: expected reviews (SM-2 due, backlog and final-window reviews).
        expected_minutes: (new x seconds per new + reviews x seconds per review) / 60.
        final_window_cards: cards whose first review inside the final window is this day.
        new_done_by_domain: for today, new cards already introduced today per domain
            (the service fills it in with today's fixed quota).
        over_budget: in a plan that does not fit, a study day whose due work does not fit
            the budget (what is left over moves to the next study day).
    """

    day: date
    is_off: bool
    new_by_domain: Mapping[int, int]
    expected_reviews: float
    expected_minutes: float
    final_window_cards: float = 0.0
    over_budget: bool = False
    new_done_by_domain: Mapping[int, int] = field(default_factory=lambda: _EMPTY_COUNTS)

    @property
    def new_total(self) -> int:
        """New cards on this day, all domains."""
        return sum(self.new_by_domain.values())

    @property
    def new_done(self) -> int:
        """New cards already introduced on this day (today only), all domains."""
        return sum(self.new_done_by_domain.values())


@dataclass(frozen=True)
class Plan:
    """A day-by-day plan and its verdict.

    Attributes:
        exam_date: the exam day.
        days: today .. the day before the exam.
        feasible: every rule holds within the budget.
        verdict: one sentence for people.
        required_minutes_per_day: when not feasible, the least daily budget that is (or None).
        feasible_exam_date: when not feasible, the earliest exam date that works at the
            current budget, within ``LATER_EXAM_SEARCH_DAYS`` and ``PLAN_DAYS_MAX`` (or None).
        average_minutes: mean expected minutes over the study days.
        minutes_per_day: the budget the plan was made for.
        new_cutoff: last day on which a new card is introduced.
        final_window_start: first day of the final review window.
        cards_total: cards in the plan.
        cards_in_window_already: cards already reviewed inside the window before today.
        unintroduced: unseen cards the budget could not fit before the cut-off.
        undone_reviews: expected reviews still owed at the exam.
        failing_rules: the rules the plan breaks, from ``RULES`` (empty when feasible).
        unreviewed_in_window: cards that get no review in the final window.
        over_budget_days: the days flagged ``over_budget``.
        reason: one sentence naming each broken rule and where (empty when feasible).
    """

    exam_date: date
    days: tuple[PlanDay, ...]
    feasible: bool
    verdict: str
    required_minutes_per_day: int | None
    feasible_exam_date: date | None
    average_minutes: float
    minutes_per_day: int = 0
    new_cutoff: date | None = None
    final_window_start: date | None = None
    cards_total: int = 0
    cards_in_window_already: int = 0
    unintroduced: int = 0
    undone_reviews: float = 0.0
    failing_rules: tuple[str, ...] = ()
    unreviewed_in_window: float = 0.0
    over_budget_days: tuple[date, ...] = ()
    reason: str = ""


def validate_exam_date(today: date, exam_date: date) -> None:
    """Raise ``UserError`` unless the exam date is after today and within three years."""
    if exam_date <= today:
        raise UserError(
            f"The exam date {exam_date.isoformat()} must be after today ({today.isoformat()})."
        )
    if (exam_date - today).days > PLAN_DAYS_MAX:
        raise UserError(
            f"The exam date {exam_date.isoformat()} is more than 3 years away; "
            "pick a date within 3 years."
        )


def validate_plan_inputs(
    today: date, exam_date: date, minutes_per_day: int, weekdays_off: frozenset[int]
) -> None:
    """Raise ``UserError`` with a message a person can act on if the basics make no sense."""
    validate_exam_date(today, exam_date)
    if minutes_per_day <= 0:
        raise UserError("Minutes per day must be at least 1.")
    if minutes_per_day > MINUTES_PER_DAY_MAX:
        raise UserError(f"Minutes per day cannot be more than {MINUTES_PER_DAY_MAX} (a day).")
    if any(not 0 <= wd <= 6 for wd in weekdays_off):
        raise UserError("Weekdays off must be numbers 0 (Monday) to 6 (Sunday).")
    if set(range(7)) <= set(weekdays_off):
        raise UserError("At least one weekday must be a study day.")


def _validate_details(inputs: PlanInputs) -> None:
    if inputs.new_cutoff_days < 0:
        raise UserError("The new-card cut-off cannot be negative.")
    if inputs.final_window_days < 1:
        raise UserError("The final review window must be at least one day.")
    seconds = (inputs.seconds_per_new, inputs.seconds_per_review)
    if not all(math.isfinite(s) and s > 0 for s in seconds):
        raise UserError("Seconds per new card and per review must be positive.")
    if inputs.reviewed_today < 0 or inputs.new_today < 0:
        raise UserError("Cards done today cannot be negative.")


def final_window_start(exam_date: date, final_window_days: int) -> date:
    """First day of the window in which every card gets a review: exam - final_window_days."""
    return exam_date - timedelta(days=final_window_days)


def _is_study_day(day: date, weekdays_off: frozenset[int], dates_off: frozenset[date]) -> bool:
    return day.weekday() not in weekdays_off and day not in dates_off


def exam_adjusted_due(
    sm2_due: date,
    exam_date: date,
    final_window_days: int,
    card_id: int,
    *,
    today: date | None = None,
    last_review: date | None = None,
    weekdays_off: frozenset[int] = frozenset(),
    dates_off: frozenset[date] = frozenset(),
) -> date | None:
    """The exam-aware due day that puts a card's review inside the final window.

    SM-2 is left alone: this only says when to show the card. The result is None when
    the SM-2 due day comes before the window (it is re-checked after that review), when
    the card was already reviewed inside the window, or when the window has no study day.
    A due day inside the window (with a study day left on or after it) is kept; a later
    one moves to a window study day chosen by ``card_id``, spreading cards evenly.

    Args:
        sm2_due: the SM-2 due day.
        exam_date: the exam day.
        final_window_days: the window length in days.
        card_id: spreads cards over the window deterministically.
        today: when given, only days from today on are chosen.
        last_review: the card's last state-changing review day.
        weekdays_off: weekdays without study.
        dates_off: dates without study.
    """
    start = final_window_start(exam_date, final_window_days)
    if sm2_due < start or (last_review is not None and last_review >= start):
        return None
    first = max(start, today) if today is not None else start
    days = [
        day
        for day in (first + timedelta(days=i) for i in range((exam_date - first).days))
        if _is_study_day(day, weekdays_off, dates_off)
    ]
    if not days:
        return None
    if sm2_due < exam_date and sm2_due <= days[-1]:
        return sm2_due
    return days[card_id % len(days)]


def domain_priorities(
    domains: Collection[int],
    weights: Mapping[int, float],
    mastery: Mapping[int, float],
) -> dict[int, float]:
    """The one ordering rule: priority = exam weight x (1 - mastery + ``MASTERY_EPSILON``).

    Without weights every domain weighs the same; mastery is clamped to 0..1.
    """
    equal = 1.0 / len(domains) if domains else 0.0
    result = {}
    for number in domains:
        weight = weights.get(number, 0.0) if weights else equal
        known = min(1.0, max(0.0, mastery.get(number, 0.0)))
        result[number] = max(0.0, weight) * (1.0 - known + MASTERY_EPSILON)
    return result


def _domain_sequence(unseen: Mapping[int, int], priority: Mapping[int, float]) -> Iterator[int]:
    """Domains in the order their new cards come: interleaved, each at its priority's pace.

    Card i of domain d is due at virtual time (i + 0.5) / priority (stride scheduling), so a
    domain with twice the priority shows up twice as often and finishes first.
    """

    def stream(number: int) -> Iterator[tuple[float, int]]:
        rate = max(priority.get(number, 0.0), 1e-9)
        return (((i + 0.5) / rate, number) for i in range(unseen[number]))

    return (number for _, number in heapq.merge(*(stream(n) for n in sorted(unseen))))


def new_cards_for_day(plan: Plan, day: date) -> Mapping[int, int]:
    """New cards per domain the plan puts on ``day`` (empty if none or outside the plan)."""
    for plan_day in plan.days:
        if plan_day.day == day:
            return plan_day.new_by_domain
    return MappingProxyType({})


class _Planner:
    """One plan_for_exam call: the engine built once, scenarios tried against it."""

    def __init__(self, inputs: PlanInputs) -> None:
        self.inputs = inputs
        try:
            model = GradeModel.from_mix(inputs.grade_mix or DEFAULT_GRADE_MIX)
        except ValueError as exc:
            raise UserError(f"Grade mix: {exc}.") from None
        today = inputs.today
        seen: list[SeenCard] = []
        self.unseen: Counter[int] = Counter()
        for card in inputs.cards:
            if card.state is None:
                # A new card with no domain has no per-domain target: the queue brings it
                # in after the plan's cards (core.queue); its reviews, once seen, count.
                if card.domain != NO_DOMAIN:
                    self.unseen[card.domain] += 1
                continue
            seen.append(
                SeenCard(
                    due=(card.due - today).days if card.due is not None else 0,
                    repetitions=card.state.repetitions,
                    easiness=card.state.easiness_hundredths,
                    interval=card.state.interval_days,
                    last_review=(
                        (card.last_review - today).days if card.last_review is not None else None
                    ),
                )
            )
        self.seen = seen
        self.horizon = (inputs.exam_date - today).days
        self.latest_horizon = min(self.horizon + LATER_EXAM_SEARCH_DAYS, PLAN_DAYS_MAX)
        window_start = self.horizon - inputs.final_window_days
        self.covered = sum(
            1 for c in seen if c.last_review is not None and c.last_review >= window_start
        )
        self.engine = PlanEngine(
            seen,
            sum(self.unseen.values()),
            model,
            inputs.final_window_days,
            self.latest_horizon + 1,
            inputs.seconds_per_new,
            inputs.seconds_per_review,
        )
        self._study: list[bool] = []

    def study_flags(self, horizon: int) -> list[bool]:
        """For each day from today, whether it is a study day."""
        inputs = self.inputs
        while len(self._study) < horizon:
            day = inputs.today + timedelta(days=len(self._study))
            self._study.append(_is_study_day(day, inputs.weekdays_off, inputs.dates_off))
        return self._study[:horizon]

    def scenario(self, minutes: int, horizon: int) -> Scenario:
        """The engine's view of a budget and an exam ``horizon`` days from today."""
        inputs = self.inputs
        full = minutes * 60.0
        done = inputs.reviewed_today * inputs.seconds_per_review
        done += inputs.new_today * inputs.seconds_per_new
        return Scenario(
            horizon=horizon,
            window_start=horizon - inputs.final_window_days,
            cutoff=horizon - inputs.new_cutoff_days,
            study=self.study_flags(horizon),
            capacity=[max(0.0, full - done), *([full] * (horizon - 1))],
        )

    def attempt(self, minutes: int, horizon: int) -> tuple[Outcome, bool]:
        """The first pacing that works, else the one that falls shortest."""
        scn = self.scenario(minutes, horizon)
        best: Outcome | None = None
        for mode in MODES:
            outcome = self.engine.run(scn, mode)
            if outcome.feasible:
                return outcome, True
            shortfall = (outcome.unintroduced, outcome.undone)
            if best is None or shortfall < (best.unintroduced, best.undone):
                best = outcome
        assert best is not None
        return best, False

    def works(self, minutes: int, horizon: int) -> bool:
        """Whether this budget and exam day give a feasible plan."""
        return self.attempt(minutes, horizon)[1]

    def least_minutes(self) -> int | None:
        """The smallest daily budget that works, by a checked search above lower bounds."""
        inputs, horizon = self.inputs, self.horizon
        study = self.study_flags(horizon)
        intro_days = sum(study[: max(0, min(horizon, horizon - inputs.new_cutoff_days + 1))])
        window_days = sum(study[max(0, horizon - inputs.final_window_days) :])
        unseen = sum(self.unseen.values())
        if (unseen and not intro_days) or (inputs.cards and not window_days):
            return None
        cheapest = min(inputs.seconds_per_new, inputs.seconds_per_review)
        bound = unseen * inputs.seconds_per_new / 60 / max(1, intro_days)
        uncovered = len(inputs.cards) - self.covered
        bound = max(bound, uncovered * cheapest / 60 / max(1, window_days))
        return _search(
            lambda m: self.works(m, horizon),
            inputs.minutes_per_day,
            max(inputs.minutes_per_day + 1, int(bound)),
            MINUTES_PER_DAY_MAX,
        )

    def earliest_horizon(self, base: Outcome) -> int | None:
        """The earliest exam (as days from today) that works at the current budget.

        ``base`` is the outcome at the chosen exam date. The search gives up when every
        card already fits before the cut-off and a later date leaves (nearly) as many
        reviews undone: the final window, not the calendar, is what does not fit.
        """
        inputs = self.inputs
        seconds = inputs.minutes_per_day * 60
        week = [
            _is_study_day(inputs.today + timedelta(days=i), inputs.weekdays_off, frozenset())
            for i in range(7)
        ]
        best_window = max(
            sum(week[(start + i) % 7] for i in range(inputs.final_window_days))
            for start in range(7)
        )
        cheapest = min(inputs.seconds_per_new, inputs.seconds_per_review)
        # A later exam's window starts later, so it holds no more already-covered cards.
        if (len(inputs.cards) - self.covered) * cheapest > best_window * seconds:
            return None
        need, day, intro_capacity = sum(self.unseen.values()) * inputs.seconds_per_new, 0, 0.0
        limit = self.latest_horizon
        study = self.study_flags(limit)
        while intro_capacity < need and day < limit:
            intro_capacity += seconds if study[day] else 0.0
            day += 1
        # The cut-off (exam - new_cutoff_days) must be on or after day - 1.
        start = max(self.horizon + 1, day - 1 + inputs.new_cutoff_days)
        last = [base]

        def works(horizon: int) -> bool:
            outcome, ok = self.attempt(inputs.minutes_per_day, horizon)
            last.append(outcome)
            return ok

        def hopeless() -> bool:
            before, now = last[-2], last[-1]
            stuck = before.unintroduced == 0 and now.unintroduced == 0
            return stuck and now.undone > (1 - _DATE_SEARCH_PROGRESS) * before.undone

        return _search(works, self.horizon, start, limit, hopeless)


def _search(
    works: Callable[[int], bool],
    failing: int,
    start: int,
    limit: int,
    hopeless: Callable[[], bool] = lambda: False,
) -> int | None:
    """Smallest value in (failing, limit] that works, with the value below it checked.

    ``failing`` is known not to work. The search grows from ``start`` (a guess at a lower
    bound) until a value works, then bisects. The answer ``n`` always was tried and
    worked, and ``n - 1`` was tried and failed (or is ``failing``): when the value below
    the guess turns out to work, the search goes on below it. ``hopeless`` is asked
    after each failure while growing and ends the search.
    """
    if start > limit:
        return None
    known = {failing: False}

    def tried(value: int) -> bool:
        if value not in known:
            known[value] = works(value)
        return known[value]

    low, high, step = max(failing, start - 1), start, max(1, start // 8)
    while not tried(high):
        low = high
        if high >= limit or hopeless():
            return None
        high, step = min(limit, high + step), step * 2
    while True:
        while high - low > 1:
            middle = (low + high) // 2
            if tried(middle):
                high = middle
            else:
                low = middle
        if not tried(low):
            return high
        low, high = failing, low


def plan_for_exam(inputs: PlanInputs) -> Plan:
    """Plan each day from today to the day before the exam, and judge whether it fits.

    Raises:
        UserError: inputs a person must fix (past exam date, no minutes, no study day...).
    """
    validate_plan_inputs(
        inputs.today, inputs.exam_date, inputs.minutes_per_day, inputs.weekdays_off
    )
    _validate_details(inputs)
    planner = _Planner(inputs)
    outcome, feasible = planner.attempt(inputs.minutes_per_day, planner.horizon)
    days = _plan_days(inputs, planner, outcome, feasible)
    study_minutes = [d.expected_minutes for d in days if not d.is_off]
    average = sum(study_minutes) / len(study_minutes) if study_minutes else 0.0
    required = later = None
    if feasible:
        verdict = f"Feasible: {round(average)} min/day on average"
    else:
        required = planner.least_minutes()
        horizon = planner.earliest_horizon(outcome)
        later = inputs.today + timedelta(days=horizon) if horizon is not None else None
        latest = inputs.today + timedelta(days=planner.latest_horizon)
        verdict = _verdict(inputs, required, later, latest)
    start = final_window_start(inputs.exam_date, inputs.final_window_days)
    over = tuple(d.day for d in days if d.over_budget)
    rules = () if feasible else _broken_rules(outcome, planner.engine.tolerance)
    return Plan(
        exam_date=inputs.exam_date,
        days=days,
        feasible=feasible,
        verdict=verdict,
        required_minutes_per_day=required,
        feasible_exam_date=later,
        average_minutes=average,
        minutes_per_day=inputs.minutes_per_day,
        new_cutoff=inputs.exam_date - timedelta(days=inputs.new_cutoff_days),
        final_window_start=start,
        cards_total=len(inputs.cards),
        cards_in_window_already=planner.covered,
        unintroduced=outcome.unintroduced,
        undone_reviews=outcome.undone,
        failing_rules=rules,
        unreviewed_in_window=outcome.unreviewed_in_window if not feasible else 0.0,
        over_budget_days=over,
        reason=_reason(inputs, outcome, rules, over),
    )


def _broken_rules(outcome: Outcome, tolerance: float) -> tuple[str, ...]:
    rules = []
    if outcome.unintroduced:
        rules.append(RULE_NEW_CARDS)
    backlog = outcome.undone - outcome.unreviewed_in_window
    if outcome.unreviewed_in_window > tolerance:
        rules.append(RULE_FINAL_WINDOW)
    if backlog > tolerance or not rules:
        rules.append(RULE_BUDGET)
    return tuple(rules)


def _cards(count: int, noun: str) -> str:
    return f"{count} {noun} is" if count == 1 else f"{count} {noun}s are"


def _reason(
    inputs: PlanInputs, outcome: Outcome, rules: tuple[str, ...], over: tuple[date, ...]
) -> str:
    """Which rules the plan breaks at the current budget, and where."""
    parts = []
    if RULE_NEW_CARDS in rules:
        cutoff = inputs.exam_date - timedelta(days=inputs.new_cutoff_days)
        parts.append(
            f"{_cards(outcome.unintroduced, 'new card')} not introduced by the cut-off "
            f"({cutoff.isoformat()})"
        )
    if RULE_FINAL_WINDOW in rules:
        start = final_window_start(inputs.exam_date, inputs.final_window_days)
        unreviewed = max(1, math.ceil(outcome.unreviewed_in_window - 1e-6))
        parts.append(
            f"{_cards(unreviewed, 'card')} not reviewed in the final "
            f"{inputs.final_window_days} days (from {start.isoformat()})"
        )
    if RULE_BUDGET in rules:
        if over:
            where = over[0].isoformat() + (f" to {over[-1].isoformat()}" if len(over) > 1 else "")
            parts.append(
                f"{len(over)} {'day is' if len(over) == 1 else 'days are'} over budget ({where})"
            )
        else:
            parts.append("reviews are still owed at the exam")
    if not parts:
        return ""
    return f"At {inputs.minutes_per_day} min/day: " + "; ".join(parts) + "."


def _verdict(inputs: PlanInputs, required: int | None, later: date | None, latest: date) -> str:
    at = f"{inputs.minutes_per_day} min/day"
    if required is not None and later is not None:
        return f"Needs {required} min/day, or an exam date of {later.isoformat()} at {at}"
    if required is not None:
        return f"Needs {required} min/day"
    if later is not None:
        return f"Needs an exam date of {later.isoformat()} at {at}"
    return f"Not feasible: neither 24 h/day nor an exam date up to {latest.isoformat()} fits"


def _plan_days(
    inputs: PlanInputs, planner: _Planner, outcome: Outcome, feasible: bool
) -> tuple[PlanDay, ...]:
    priority = domain_priorities(set(planner.unseen), inputs.domain_weights, inputs.domain_mastery)
    sequence = _domain_sequence(planner.unseen, priority)
    study = planner.study_flags(planner.horizon)
    days = []
    for index, day_new in enumerate(outcome.new):
        by_domain = Counter(next(sequence) for _ in range(day_new))
        reviews = outcome.reviews[index]
        minutes = (day_new * inputs.seconds_per_new + reviews * inputs.seconds_per_review) / 60
        days.append(
            PlanDay(
                day=inputs.today + timedelta(days=index),
                is_off=not study[index],
                new_by_domain=MappingProxyType(dict(sorted(by_domain.items()))),
                expected_reviews=reviews,
                expected_minutes=minutes,
                final_window_cards=outcome.window_cards[index],
                over_budget=(
                    not feasible
                    and study[index]
                    and outcome.carried[index] > planner.engine.tolerance
                ),
            )
        )
    return tuple(days)
