"""The numbers behind ``mlstudy stats``: counts, due today, mastery, readiness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mlstudy.core.card_table import CardTable
from mlstudy.core.exam import NO_DOMAIN
from mlstudy.core.mastery import domain_mastery, readiness, weakest_domain
from mlstudy.core.planner import Plan, PlanDay
from mlstudy.core.progress import due_forecast
from mlstudy.errors import UserError
from mlstudy.services.library import Library
from mlstudy.storage.columns import read_card_table
from mlstudy.storage.snapshots import card_snapshots
from mlstudy.storage.study import answers_per_day


def library_stats(library: Library) -> dict[str, Any]:
    """A JSON-ready summary of the library for the current exam."""
    exam = library.exam()
    today = library.today()
    library.planned_today(compute=True)
    counts = library.counts()
    with library.engine.connect() as conn:
        cards = card_snapshots(conn, library.exam_id())
    numbers = [d.number for d in exam.domains]
    mastery = domain_mastery(cards, today, numbers)
    weights = exam.weights()
    per_domain: dict[int, dict[str, int]] = {n: {"cards": 0, "new": 0} for n in numbers}
    for card in cards:
        bucket = per_domain.setdefault(card.domain, {"cards": 0, "new": 0})
        bucket["cards"] += 1
        bucket["new"] += card.is_new
    settings = library.settings()
    return {
        "exam": {
            "code": exam.code,
            "name": exam.name,
            "status": exam.status,
            "retired_on": exam.retired_on.isoformat() if exam.retired_on else None,
            "status_note": exam.status_note,
            "display_name": exam.display_name,
            "exam_date": settings.get("exam_date"),
        },
        "today": {
            "day": today.isoformat(),
            "due": counts.due,
            "new": counts.new,
            "new_planned": counts.new_planned,
            "new_done": counts.new_done,
            "drill": counts.drill,
            "studied": counts.studied,
            "answers": counts.answers,
            "streak": counts.streak,
        },
        "cards": len(cards),
        "no_domain": {  # studied, left out of readiness and mastery (exam.NO_DOMAIN)
            "cards": per_domain.get(NO_DOMAIN, {}).get("cards", 0),
            "new": per_domain.get(NO_DOMAIN, {}).get("new", 0),
        },
        "readiness": round(readiness(mastery, weights), 4),
        "weakest_domain": weakest_domain(mastery, weights),
        "domains": [
            {
                "number": d.number,
                "name": d.name,
                "weight": d.weight,
                "tasks": [t.id for t in d.tasks],
                "cards": per_domain[d.number]["cards"],
                "new": per_domain[d.number]["new"],
                "mastery": round(mastery[d.number], 4),
            }
            for d in exam.domains
        ],
        "questions": library.practice.bank_counts(),
        "practice": library.practice.history_document(),
    }


@dataclass(frozen=True, slots=True)
class MasterySummary:
    """Readiness, mastery per domain and the weakest domain, for the Today page."""

    readiness: float
    mastery: dict[int, float]
    weakest: int | None
    reviewed_cards: int


def mastery_summary(library: Library) -> MasterySummary:
    """Readiness and per-domain mastery now (reads every card: call off the UI thread)."""
    with library.engine.connect() as conn:
        cards = read_card_table(conn, library.exam_id())
    return _summary(library, cards)


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the Today page shows besides the live counts (one worker-thread read)."""

    summary: MasterySummary
    due_next: list[tuple[date, int]]
    """Reviewed cards falling due on each of the next days, overdue ones on today."""
    calendar: list[tuple[date, int]]
    """Answers per day over whole recent weeks, Monday first, up to this week's Sunday."""
    plan_today: PlanDay | None
    """Today in the plan toward the exam date (None without an exam date)."""
    plan: Plan | None = None
    """The plan itself (its verdict), computed here when there was none yet."""


DASHBOARD_DAYS = 14
DASHBOARD_WEEKS = 10


def today_dashboard(
    library: Library, days: int = DASHBOARD_DAYS, weeks: int = DASHBOARD_WEEKS
) -> Dashboard:
    """Mastery, the next ``days`` days of reviews, ``weeks`` weeks of study, today's plan
    (reads every card and may compute the plan: call off the UI thread)."""
    today = library.today()
    last = today + timedelta(days=6 - today.weekday())
    first = last - timedelta(days=7 * weeks - 1)
    with library.engine.connect() as conn:
        cards = read_card_table(conn, library.exam_id())
        per_day = answers_per_day(conn, first, today)
    plan = library.current_plan()
    if plan is None and library.settings().get("exam_date"):
        try:
            plan = library.refresh_plan()
        except UserError:
            plan = None  # a past exam date: Today says so from the settings
    return Dashboard(
        summary=_summary(library, cards),
        due_next=due_forecast(cards, today, days),
        calendar=[
            (first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0))
            for n in range(7 * weeks)
        ],
        plan_today=plan.days[0] if plan is not None and plan.days else None,
        plan=plan,
    )


def _summary(library: Library, cards: CardTable) -> MasterySummary:
    exam = library.exam()
    today = library.today()
    mastery = domain_mastery(cards, today, [d.number for d in exam.domains])
    weights = exam.weights()
    # Only a domain that has cards can be studied: the weakest is chosen among those.
    present = set(cards.domain.tolist())
    return MasterySummary(
        readiness=readiness(mastery, weights),
        mastery=mastery,
        weakest=weakest_domain(
            {d: m for d, m in mastery.items() if d in present},
            {d: w for d, w in weights.items() if d in present},
        ),
        reviewed_cards=int(cards.reviewed.sum()),
    )
