"""Time the study planner on a large deck and print the timings as one JSON document.

Run from the repository root: ``python benchmarks/plan_bench.py [--cards N] [--days D]``.
Cards get seeded, realistic SM-2 histories (grades drawn from the default grade mix).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mlstudy.core.models import CardSnapshot
from mlstudy.core.planner import DEFAULT_GRADE_MIX, PlanInputs, plan_for_exam
from mlstudy.core.sm2 import NEW_CARD, next_state

TODAY = date(2026, 12, 1)
WEIGHTS = {1: 0.20, 2: 0.24, 3: 0.36, 4: 0.20}


def make_cards(count: int, seen_share: float, seed: int = 7) -> tuple[CardSnapshot, ...]:
    """A deck of ``count`` cards, ``seen_share`` of them with a random review history."""
    rng = random.Random(seed)
    grades, weights = list(DEFAULT_GRADE_MIX), list(DEFAULT_GRADE_MIX.values())
    cards = []
    for card_id in range(1, count + 1):
        domain = rng.choice(list(WEIGHTS))
        if rng.random() >= seen_share:
            cards.append(CardSnapshot(card_id=card_id, domain=domain))
            continue
        state = NEW_CARD
        for _ in range(rng.randint(1, 8)):
            state = next_state(state, rng.choices(grades, weights)[0])
        due = TODAY + timedelta(days=rng.randint(-10, min(60, state.interval_days)))
        cards.append(
            CardSnapshot(
                card_id=card_id,
                domain=domain,
                state=state,
                due=due,
                last_review=due - timedelta(days=state.interval_days),
            )
        )
    return tuple(cards)


def best_of(runs: int, inputs: PlanInputs) -> dict[str, object]:
    """Fastest wall and CPU time of ``runs`` plans, and a summary of the last one."""
    wall = cpu = float("inf")
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        plan = plan_for_exam(inputs)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return {
        "seconds": round(wall, 4),
        "cpu_seconds": round(cpu, 4),
        "feasible": plan.feasible,
        "verdict": plan.verdict,
        "average_minutes": round(plan.average_minutes, 1),
        "max_minutes": round(max(d.expected_minutes for d in plan.days), 1),
    }


def main() -> None:
    """Parse arguments, time each scenario and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = PlanInputs(
        today=TODAY,
        exam_date=TODAY + timedelta(days=args.days),
        minutes_per_day=60,
        weekdays_off=frozenset({6}),
        domain_weights=WEIGHTS,
        domain_mastery={1: 0.5, 2: 0.3, 3: 0.2, 4: 0.6},
    )
    scenarios = {
        "all_new_infeasible_60min": replace(base, cards=make_cards(args.cards, 0.0)),
        "mixed_infeasible_60min": replace(base, cards=make_cards(args.cards, 0.6)),
        # Close to enough: both searches run (minutes, then later exam dates).
        "mixed_infeasible_600min": replace(
            base, cards=make_cards(args.cards, 0.6), minutes_per_day=600
        ),
        "mixed_feasible_900min": replace(
            base, cards=make_cards(args.cards, 0.6), minutes_per_day=900
        ),
        "all_new_feasible_900min": replace(
            base, cards=make_cards(args.cards, 0.0), minutes_per_day=900
        ),
    }
    results: dict[str, object] = {"cards": args.cards, "days": args.days, "runs": args.runs}
    for name, inputs in scenarios.items():
        results[name] = best_of(args.runs, inputs)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
