"""Time every progress series on a large synthetic history and print the result as JSON.

Usage: ``python benchmarks/progress_bench.py [--events N] [--cards N] [--days N]``.

The history is replayed through SM-2 with a seeded RNG: each answer picks a card,
a first answer is kind new, a grade below 4 is followed by a same-day drill. Each
series is timed twice: from a ``ReviewLog`` shared by all series (how the services
should call them, reading the columns once is timed as ``review_log_columns``) and
from the plain event list (each series reads the fields it needs itself). The best of
``--repeat`` runs is reported in seconds, as wall time and as this process's CPU time
(the CPU figure is the steadier one on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from timing import best_of

from mlstudy.core.models import CardSnapshot, ReviewEvent, ReviewKind
from mlstudy.core.progress import (
    ReviewLog,
    calendar_heatmap,
    card_states,
    domain_mastery,
    due_forecast,
    mastery_over_time,
    plan_vs_actual,
    readiness,
    reviews_per_day,
    true_retention,
    weakest_domain,
)
from mlstudy.core.sm2 import NEW_CARD, Sm2State, needs_drill, next_state

DOMAINS = {1: 0.20, 2: 0.24, 3: 0.36, 4: 0.20}
GRADES = (0, 1, 2, 3, 4, 5)
GRADE_WEIGHTS = (2, 3, 5, 15, 45, 30)


def synthetic_history(
    n_events: int, n_cards: int, n_days: int, today: date, seed: int
) -> tuple[list[ReviewEvent], list[CardSnapshot]]:
    """A review log of up to ``n_events`` answers over ``n_days`` days, and the final cards.

    Each day the due cards are reviewed, then new cards are introduced while the day's
    share of answers lasts (then cards due soonest, early); a grade below 4 adds a drill.
    """
    rng = random.Random(seed)
    domain_of = [rng.choice(list(DOMAINS)) for _ in range(n_cards)]
    states: list[Sm2State | None] = [None] * n_cards
    last_review: list[date | None] = [None] * n_cards
    due_on: dict[int, list[int]] = defaultdict(list)
    first_day = today - timedelta(days=n_days - 1)
    introduced = 0
    events: list[ReviewEvent] = []
    for offset in range(n_days):
        day = first_day + timedelta(days=offset)
        target = n_events * (offset + 1) // n_days
        backlog = due_on.pop(offset, [])
        while len(events) < target:
            if not backlog and introduced == n_cards:
                # Everything is reviewed: take the soonest-due cards early, as a keen user would.
                ahead = min((k for k in due_on if k > offset), default=None)
                if ahead is None:
                    break
                backlog = due_on.pop(ahead)
            if backlog:
                card = backlog.pop()
            else:
                card, introduced = introduced, introduced + 1
            before = states[card]
            grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
            after = next_state(before or NEW_CARD, grade)
            kind = ReviewKind.NEW if before is None else ReviewKind.REVIEW
            interval = after.interval_days
            events.append(
                ReviewEvent(
                    card,
                    domain_of[card],
                    day,
                    grade,
                    kind,
                    0 if before is None else before.interval_days,
                    interval,
                )
            )
            if needs_drill(grade):
                events.append(
                    ReviewEvent(card, domain_of[card], day, 4, ReviewKind.DRILL, interval, interval)
                )
            states[card], last_review[card] = after, day
            due_on[offset + interval].append(card)
        due_on[offset + 1].extend(backlog)  # not reached today: overdue tomorrow
    del events[n_events:]
    cards = [
        CardSnapshot(
            card_id=card,
            domain=domain_of[card],
            state=state,
            due=None if state is None or last is None else last + timedelta(state.interval_days),
            last_review=last,
        )
        for card, (state, last) in enumerate(zip(states, last_review, strict=True))
    ]
    return events, cards


def table(timings: dict[str, tuple[float, float]]) -> dict[str, dict[str, float]]:
    """Timings as ``{"wall": {...}, "cpu": {...}}`` with a total in each, in seconds."""
    result = {}
    for which, index in (("wall", 0), ("cpu", 1)):
        seconds = {name: round(pair[index], 4) for name, pair in timings.items()}
        seconds["TOTAL"] = round(sum(pair[index] for pair in timings.values()), 3)
        result[which] = seconds
    return result


def main() -> None:
    """Build the history, time each series, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=20260314)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    today = date(2026, 11, 29)
    started = time.perf_counter()
    events, cards = synthetic_history(args.events, args.cards, args.days, today, args.seed)
    generated = time.perf_counter() - started
    start = today - timedelta(days=args.days - 1)
    card_domains = {card.card_id: card.domain for card in cards}
    planned = [(start + timedelta(days=n), 2500.0) for n in range(args.days)]

    def log_series(log: ReviewLog | list[ReviewEvent]) -> dict[str, Callable[[], object]]:
        return {
            "mastery_over_time": lambda: mastery_over_time(log, card_domains, start, today),
            "reviews_per_day": lambda: reviews_per_day(log, start, today),
            "calendar_heatmap": lambda: calendar_heatmap(log, today),
            "true_retention": lambda: true_retention(log, today),
            "plan_vs_actual": lambda: plan_vs_actual(planned, log, start, today),
        }

    mastery = domain_mastery(cards, today, DOMAINS)
    card_series: dict[str, Callable[[], object]] = {
        "domain_mastery": lambda: domain_mastery(cards, today, DOMAINS),
        "readiness": lambda: readiness(mastery, DOMAINS),
        "weakest_domain": lambda: weakest_domain(mastery, DOMAINS),
        "due_forecast": lambda: due_forecast(cards, today, 30),
        "card_states": lambda: card_states(cards, today),
    }

    def read_log() -> ReviewLog:
        log = ReviewLog(events)
        for column in ("card_id", "day", "grade", "kind", "interval_before", "interval_after"):
            getattr(log, column)
        return log

    shared = {"review_log_columns": best_of(args.repeat, read_log)}
    log = read_log()
    shared |= {name: best_of(args.repeat, run) for name, run in log_series(log).items()}
    shared |= {name: best_of(args.repeat, run) for name, run in card_series.items()}
    from_events = {name: best_of(args.repeat, run) for name, run in log_series(events).items()}

    report = {
        "events": len(events),
        "cards": len(cards),
        "days": args.days,
        "seed": args.seed,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "generate_seconds": round(generated, 3),
        "with_shared_log": table(shared),
        "from_events": table(from_events | {name: shared[name] for name in card_series}),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
