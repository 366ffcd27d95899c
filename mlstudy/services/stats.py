"""The numbers behind ``mlstudy stats``: counts, due today, mastery, readiness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlstudy.core.mastery import domain_mastery, readiness, weakest_domain
from mlstudy.services.library import Library
from mlstudy.storage.columns import read_card_table
from mlstudy.storage.snapshots import card_snapshots


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
    exam = library.exam()
    today = library.today()
    with library.engine.connect() as conn:
        cards = read_card_table(conn, library.exam_id())
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
