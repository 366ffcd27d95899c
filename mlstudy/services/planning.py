"""The study plan as a use case: inputs from the library, the plan, JSON and .ics output.

The planner itself is pure (``mlstudy.core.planner``); this module gathers its inputs
(card states, mastery, the user's own grade mix and answer times, days off) and turns
its result into what the CLI and the GUI show.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, select

from mlstudy.core.exam import ExamManifest
from mlstudy.core.interop import ANKI_KINDS
from mlstudy.core.mastery import domain_mastery
from mlstudy.core.models import ReviewKind
from mlstudy.core.planner import (
    Plan,
    PlanInputs,
    exam_adjusted_due,
    plan_for_exam,
    validate_plan_inputs,
)
from mlstudy.errors import UserError
from mlstudy.services.settings import Settings, parse_date
from mlstudy.storage.schema import Card, Review
from mlstudy.storage.snapshots import card_snapshots
from mlstudy.storage.study import HISTORY, LIVE, ExamRule, reschedule_exam_dues

DEFAULT_SECONDS_NEW = 60.0
DEFAULT_SECONDS_REVIEW = 20.0
MIN_SAMPLES = 20
"""Answers of a kind needed before the user's own times replace the defaults."""
SAMPLE_WINDOW = 500
FINAL_WINDOW_DAYS = 7


class PlanSource(Protocol):
    """What the plan reads from an open library (``services/library.py``: ``Library``)."""

    @property
    def engine(self) -> Engine:
        """The library's database engine."""

    def settings(self) -> dict[str, Any]:
        """Every setting, defaults filled in."""

    def today(self) -> date:
        """Today's study day."""

    def exam(self) -> ExamManifest:
        """The current exam pack."""

    def exam_id(self) -> int:
        """Database id of the current exam."""


@dataclass(frozen=True, slots=True)
class AnswerHabits:
    """What the user's own log says: seconds per new card and per review, grade mix."""

    seconds_per_new: float
    seconds_per_review: float
    grade_mix: dict[int, float]
    from_log: bool


def answer_habits(library: PlanSource) -> AnswerHabits:
    """Median answer times (last 500 of each kind) and the grade mix of scheduled answers.

    Only answers from before today's study day count, so the estimates (and with them the
    verdict) stay the same all day and across restarts; today's answers count tomorrow.
    """
    before_today = Review.study_day < library.today().isoformat()
    with library.engine.connect() as conn:

        def recent(kind: ReviewKind) -> list[int]:
            # Anki's answer times count too (HISTORY): the same person answering cards.
            kinds = [kind.value, *(name for name, k in ANKI_KINDS.items() if k == kind)]
            return list(
                conn.execute(
                    select(Review.answer_ms)
                    .where(Review.kind.in_(kinds), Review.answer_ms > 0, before_today, HISTORY)
                    .order_by(Review.id.desc())
                    .limit(SAMPLE_WINDOW)
                ).scalars()
            )

        new_ms = recent(ReviewKind.NEW)
        review_ms = recent(ReviewKind.REVIEW)
        grades = Counter(
            conn.execute(
                select(Review.grade)
                .where(Review.kind != "drill", before_today, LIVE)
                .order_by(Review.id.desc())
                .limit(2000)
            ).scalars()
        )
    per_new = statistics.median(new_ms) / 1000 if len(new_ms) >= MIN_SAMPLES else None
    per_review = statistics.median(review_ms) / 1000 if len(review_ms) >= MIN_SAMPLES else None
    total = sum(grades.values())
    mix = {g: c / total for g, c in grades.items()} if total >= MIN_SAMPLES else {}
    return AnswerHabits(
        seconds_per_new=max(5.0, per_new) if per_new else DEFAULT_SECONDS_NEW,
        seconds_per_review=max(3.0, per_review) if per_review else DEFAULT_SECONDS_REVIEW,
        grade_mix=mix,
        from_log=bool(per_new or per_review or mix),
    )


def plan_settings(
    library: PlanSource, exam_date: str | date | None = None, minutes: int | str | None = None
) -> tuple[date, int]:
    """The exam date and minutes a plan is for: overrides, else the saved settings.

    Raises a UserError naming the field for an unparseable or impossible value.
    """
    settings = library.settings()
    raw_date = exam_date if exam_date not in (None, "") else settings.get("exam_date")
    if raw_date in (None, ""):
        raise UserError("no exam date set: pass --exam-date YYYY-MM-DD or set one in Settings")
    day = parse_date("exam date", raw_date)
    raw_minutes = minutes if minutes is not None else settings["minutes_per_day"]
    try:
        budget = int(str(raw_minutes).strip())
    except ValueError:
        raise UserError(f"minutes per day: {raw_minutes!r} is not a whole number") from None
    weekdays_off = frozenset(int(w) for w in settings.get("weekdays_off", []))
    validate_plan_inputs(library.today(), day, budget, weekdays_off)
    return day, budget


def build_inputs(library: PlanSource, exam_date: date, minutes: int) -> PlanInputs:
    """Everything the planner needs, read from the library."""
    exam = library.exam()
    today = library.today()
    settings = library.settings()
    with library.engine.connect() as conn:
        cards = tuple(card_snapshots(conn, library.exam_id()))
        done = (
            conn.execute(
                select(Review.kind)
                .join(Card, Card.id == Review.card_id)
                .where(Review.study_day == today.isoformat(), Review.kind != "drill", LIVE)
            )
            .scalars()
            .all()
        )
    habits = answer_habits(library)
    return PlanInputs(
        today=today,
        exam_date=exam_date,
        minutes_per_day=minutes,
        weekdays_off=frozenset(int(w) for w in settings.get("weekdays_off", [])),
        dates_off=frozenset(date.fromisoformat(d) for d in settings.get("dates_off", [])),
        new_cutoff_days=int(settings.get("new_cutoff_days", 7)),
        final_window_days=FINAL_WINDOW_DAYS,
        seconds_per_new=habits.seconds_per_new,
        seconds_per_review=habits.seconds_per_review,
        cards=cards,
        domain_weights=exam.weights(),
        domain_mastery=domain_mastery(cards, today, [d.number for d in exam.domains]),
        grade_mix=habits.grade_mix,
        reviewed_today=sum(1 for k in done if k == "review"),
        new_today=sum(1 for k in done if k == "new"),
    )


def make_plan(
    library: PlanSource, exam_date: str | date | None = None, minutes: int | str | None = None
) -> Plan:
    """The plan toward the exam date (validated; nothing is saved)."""
    day, budget = plan_settings(library, exam_date, minutes)
    return plan_for_exam(build_inputs(library, day, budget))


def preview_plan(
    library: PlanSource,
    exam_date: date,
    minutes: int,
    weekdays_off: frozenset[int] | None = None,
    dates_off: frozenset[date] | None = None,
) -> Plan:
    """The plan for inputs being edited, before they are saved (nothing is saved).

    Raises ``UserError`` for inputs a person must fix.
    """
    inputs = build_inputs(library, exam_date, minutes)
    if weekdays_off is not None:
        inputs = replace(inputs, weekdays_off=weekdays_off)
    if dates_off is not None:
        inputs = replace(inputs, dates_off=dates_off)
    return plan_for_exam(inputs)


def plan_document(plan: Plan, domain_names: dict[int, str]) -> dict[str, Any]:
    """The ``mlstudy plan --json`` document (schema in the README)."""
    return {
        "exam_date": plan.exam_date.isoformat(),
        "feasible": plan.feasible,
        "verdict": plan.verdict,
        "minutes_per_day": plan.minutes_per_day,
        "average_minutes": round(plan.average_minutes, 1),
        "required_minutes_per_day": plan.required_minutes_per_day,
        "feasible_exam_date": plan.feasible_exam_date.isoformat()
        if plan.feasible_exam_date
        else None,
        "new_cutoff": plan.new_cutoff.isoformat() if plan.new_cutoff else None,
        "final_window_start": plan.final_window_start.isoformat()
        if plan.final_window_start
        else None,
        "failing_rules": list(plan.failing_rules),
        "reason": plan.reason,
        "unintroduced": plan.unintroduced,
        "unreviewed_in_final_window": round(plan.unreviewed_in_window, 1),
        "over_budget_days": [d.isoformat() for d in plan.over_budget_days],
        "domains": {str(n): name for n, name in domain_names.items()},
        "days": [
            {
                "date": d.day.isoformat(),
                "off": d.is_off,
                "new_cards": {str(n): int(c) for n, c in sorted(d.new_by_domain.items())},
                "new_total": d.new_total,
                "new_done": {str(n): int(c) for n, c in sorted(d.new_done_by_domain.items())},
                "expected_reviews": round(d.expected_reviews, 1),
                "expected_minutes": round(d.expected_minutes, 1),
                "over_budget": d.over_budget,
            }
            for d in plan.days
        ],
    }


def write_ics(
    plan: Plan,
    path: Path,
    exam_name: str,
    domain_names: dict[int, str],
    now: datetime,
    start_at: time = time(18, 0),
) -> int:
    """Write one VEVENT per study day (RFC 5545) to ``path``; return the number of events."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//mlstudy//study plan//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"mlstudy: {exam_name}")
    count = 0
    for day in plan.days:
        if day.is_off or (day.expected_minutes < 0.5 and not day.new_total):
            continue
        minutes = max(5, round(day.expected_minutes))
        event = Event()
        event.add("uid", f"{day.day.isoformat()}-{plan.exam_date.isoformat()}@mlstudy")
        event.add("dtstamp", now)
        begin = datetime.combine(day.day, start_at)
        event.add("dtstart", begin)
        event.add("dtend", begin + timedelta(minutes=minutes))
        event.add(
            "summary",
            f"Study: {day.new_total} new, ~{round(day.expected_reviews)} reviews ({minutes} min)",
        )
        lines = [
            f"{domain_names.get(n, n)}: {c} new" for n, c in sorted(day.new_by_domain.items()) if c
        ]
        lines.append(f"Exam on {plan.exam_date.isoformat()}. {plan.verdict}")
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
        count += 1
    event = Event()
    event.add("uid", f"exam-{plan.exam_date.isoformat()}@mlstudy")
    event.add("dtstamp", now)
    event.add("dtstart", plan.exam_date)
    event.add("summary", f"Exam: {exam_name}")
    calendar.add_component(event)
    try:
        path.write_bytes(calendar.to_ical())
    except OSError as exc:
        raise UserError(f"{path}: cannot write the calendar: {exc.strerror}") from None
    return count


def exam_rule(settings: Settings, today: date) -> ExamRule | None:
    """The exam-aware due layer from the saved exam date and days off: (SM-2 due, last
    review, card id) -> the day to show the card, or None. None when no exam date after
    ``today`` is set."""
    exam_date = settings.exam_date
    if exam_date is None or exam_date <= today:
        return None
    weekdays_off = settings.weekdays_off
    dates_off = settings.dates_off

    def adjust(sm2_due: date, last_review: date, card_id: int) -> date | None:
        return exam_adjusted_due(
            sm2_due,
            exam_date,
            FINAL_WINDOW_DAYS,
            card_id,
            today=today,
            last_review=last_review,
            weekdays_off=weekdays_off,
            dates_off=dates_off,
        )

    return adjust


def reschedule(conn: Connection, rule: ExamRule | None) -> int:
    """Recompute every card's exam-aware due day (inside the caller's write)."""

    def adjust(sm2_due: date, last_review: date, card_id: int) -> date | None:
        return rule(sm2_due, last_review, card_id) if rule is not None else None

    return reschedule_exam_dues(conn, adjust)
