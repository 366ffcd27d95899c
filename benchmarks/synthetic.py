"""Build a synthetic mlstudy library: N cards over the four domains, M review-log rows.

The card states are realistic SM-2 states (replayed from each card's generated log),
so "due today", mastery and forecasts look like a long-time user's.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from mlstudy.core.sm2 import NEW_CARD, next_state

GRADES = [5, 4, 3, 2, 1, 0]
GRADE_WEIGHTS = [30, 45, 15, 5, 3, 2]
DOMAIN_WEIGHTS = {1: 20, 2: 24, 3: 36, 4: 20}


def build(
    database: Path, exam_id: int, cards: int, reviews: int, today: date, seed: int = 11
) -> None:
    """Insert cards, card states and review rows straight into an existing library file."""
    rng = random.Random(seed)
    domains = list(DOMAIN_WEIGHTS)
    weights = list(DOMAIN_WEIGHTS.values())
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA synchronous=OFF")
    now = datetime.now(UTC).isoformat()
    card_rows = []
    for n in range(cards):
        domain = rng.choices(domains, weights)[0]
        task = f"{domain}.{rng.randint(1, 3)}"
        card_rows.append(
            (
                f"syn-{n}",
                exam_id,
                domain,
                task,
                f"Synthetic question {n} about topic {n % 977}?",
                f"Answer {n}: **bold** text, `code` and a list:\n\n- one\n- two",
                "synthetic,bench",
                "https://docs.aws.amazon.com/sagemaker/",
                f"synthetic/d{domain}.md",
                n + 1,
                n,
                f"{n:032x}",
                0,
                0,
                1,
                now,
            )
        )
    conn.executemany(
        "INSERT INTO cards (key, exam_id, domain, task, question, answer, tags, source_url, "
        "file, line, position, content_hash, archived, suspended, is_new, created_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        card_rows,
    )
    first_id = conn.execute("SELECT min(id) FROM cards WHERE key LIKE 'syn-%'").fetchone()[0]
    seen = min(cards, max(1, int(cards * 0.7)))
    per_card = max(1, reviews // seen)
    review_rows = []
    state_rows = []
    for offset in range(seen):
        card_id = first_id + offset
        state = NEW_CARD
        first = today - timedelta(days=rng.randint(30, 365))
        count = max(1, per_card if offset < seen - 1 else reviews - per_card * (seen - 1))
        span = (today - first).days - 1  # every synthetic review lies before today
        lapses = 0
        for index in range(count):
            day = first + timedelta(days=span * index // count)
            grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
            if state.interval_days > 400:  # keep long synthetic histories in a sane range
                grade = rng.choice([1, 2])
            after = next_state(state, grade)
            kind = "new" if index == 0 else "review"
            review_rows.append(
                (
                    card_id,
                    f"{day.isoformat()}T12:00:00+00:00",
                    day.isoformat(),
                    grade,
                    kind,
                    state.interval_days,
                    after.interval_days,
                    state.easiness_hundredths,
                    after.easiness_hundredths,
                    state.repetitions,
                    after.repetitions,
                    rng.randint(2000, 20000),
                )
            )
            lapses += grade < 3
            last = day
            state = after
        due = last + timedelta(days=state.interval_days)
        state_rows.append(
            (
                card_id,
                state.repetitions,
                state.easiness_hundredths,
                state.interval_days,
                due.isoformat(),
                last.isoformat(),
                None,
                count,
                lapses,
            )
        )
        if len(review_rows) > 200_000:
            _flush(conn, review_rows)
    _flush(conn, review_rows)
    conn.executemany("INSERT INTO card_states VALUES (?,?,?,?,?,?,?,?,?)", state_rows)
    conn.execute(f"UPDATE cards SET is_new = 0 WHERE id >= {first_id} AND id < {first_id + seen}")
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _flush(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO reviews (card_id, reviewed_at, study_day, grade, kind, interval_before, "
        "interval_after, easiness_before, easiness_after, repetitions_before, "
        "repetitions_after, answer_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    rows.clear()
