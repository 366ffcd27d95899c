"""Build a synthetic mlstudy library: N cards over the four domains, M review-log rows.

The cards are real deck files in the library's ``decks/synthetic/`` folder, loaded by a
normal sync, so they behave like any user's cards (a later sync keeps them). The review
history is then written straight into the database: each reviewed card gets its log
replayed through SM-2, so its state, "due today", mastery and forecasts look like a
long-time user's.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from mlstudy import paths
from mlstudy.core.sm2 import NEW_CARD, next_state
from mlstudy.services import Library
from mlstudy.services.exams import select_exam

GRADES = [5, 4, 3, 2, 1, 0]
GRADE_WEIGHTS = [30, 45, 15, 5, 3, 2]
TASKS = {
    1: ["1.1", "1.2", "1.3"],
    2: ["2.1", "2.2", "2.3"],
    3: ["3.1", "3.2", "3.3", "3.4", "3.5"],
    4: ["4.1", "4.2", "4.3", "4.4"],
}
DOMAIN_WEIGHTS = {1: 20, 2: 24, 3: 36, 4: 20}
WORDS = [
    "sagemaker",
    "kinesis",
    "firehose",
    "glue",
    "athena",
    "training",
    "endpoint",
    "feature",
    "model",
    "data",
    "learning",
    "rate",
    "batch",
    "stream",
    "parquet",
    "bias",
    "variance",
    "recall",
    "precision",
    "tuning",
]
CARDS_PER_FILE = 1000
_RICH = (
    "\n| setting | value |\n|---|---|\n| `{0}` | *{1}* |\n",
    "\n```python\nestimator.fit({{'{0}': s3_uri}})  # {1}\n```\n",
    "\nThe **`{0}`** setting: *{1}* by default.\n",
    "\nThe **`{0}`** setting: *{1}* by default.\n",
    "\nThe **`{0}`** setting: *{1}* by default.\n",
)
"""What the simple renderer leaves to the full parser, about as often as in the bundled
answers it leaves: a table, a block of code, and three times as often other markup."""
REVIEWED_SHARE = 0.7
MAX_INTERVAL_DAYS = 400
"""Long synthetic histories lapse above this, keeping intervals in a realistic range."""


def write_deck_files(folder: Path, cards: int, seed: int = 11, rich_share: float = 0.0) -> None:
    """``cards`` cards in files of 1,000, domains in exam-weight proportion.

    Every answer has bold, a code span and a two-item list; a ``rich_share`` of them
    also has a table, a block of Python or other markup that only the full markdown
    parser renders (``decks.markdown_simple`` takes the rest).
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    domains, weights = list(DOMAIN_WEIGHTS), list(DOMAIN_WEIGHTS.values())
    for start in range(0, cards, CARDS_PER_FILE):
        domain = rng.choices(domains, weights)[0]
        lines = [
            f"---\nexam: MLS-C01\ndomain: {domain}\ntags: synthetic, bench\n"
            "source: https://docs.aws.amazon.com/sagemaker/\n---\n"
        ]
        for n in range(start, min(start + CARDS_PER_FILE, cards)):
            words = " ".join(rng.choice(WORDS) for _ in range(8))
            rich = rich_share > 0 and rng.random() < rich_share
            extra = ""
            if rich:  # no draw otherwise: other benchmarks keep the same cards
                extra = _RICH[n % len(_RICH)].format(rng.choice(WORDS), rng.choice(WORDS))
            lines.append(
                f"## Synthetic question {n}: which {words}? {{#syn-{n}}}\n"
                f":task: {rng.choice(TASKS[domain])}\n\n"
                f"Answer {n}: **{rng.choice(WORDS)}** with `{rng.choice(WORDS)}`, because "
                f"{' '.join(rng.choice(WORDS) for _ in range(25))}.\n\n"
                f"- one {rng.choice(WORDS)}\n- two {rng.choice(WORDS)}\n{extra}"
            )
        (folder / f"syn-{start // CARDS_PER_FILE:04}.md").write_text("\n".join(lines), "utf-8")


def add_history(database: Path, reviews: int, today: date, seed: int = 11) -> None:
    """Give 70 % of the synthetic cards a replayed SM-2 history, ``reviews`` rows in all."""
    rng = random.Random(seed)
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA synchronous=OFF")
    # Histories are generated card by card; the log gets them in time order, as an app
    # that appends each answer when it is given would have written them.
    conn.execute("CREATE TEMP TABLE generated AS SELECT * FROM reviews WHERE 0")
    ids = [
        row[0] for row in conn.execute("SELECT id FROM cards WHERE key LIKE 'syn-%' ORDER BY id")
    ]
    seen = max(1, int(len(ids) * REVIEWED_SHARE))
    # Spread evenly: each card's answers fall on distinct study days, so the stored
    # states are what a replay of the log gives (SM-2 counts one answer per day).
    per_card, remainder = divmod(reviews, seen)
    review_rows: list[tuple[object, ...]] = []
    state_rows = []
    for offset, card_id in enumerate(ids[:seen]):
        state = NEW_CARD
        count = max(1, per_card + (offset < remainder))
        first = today - timedelta(days=max(rng.randint(30, 365), count + 1))
        span = (today - first).days - 1  # every synthetic review lies before today
        lapses = 0
        last = first
        for index in range(count):
            day = first + timedelta(days=span * index // count)
            grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
            if state.interval_days > MAX_INTERVAL_DAYS:
                grade = rng.choice([1, 2])
            after = next_state(state, grade)
            review_rows.append(
                (
                    card_id,
                    f"{day.isoformat()}T12:00:00+00:00",
                    day.isoformat(),
                    day.toordinal(),
                    grade,
                    "new" if index == 0 else "review",
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
    conn.execute(
        f"INSERT INTO reviews ({_COLUMNS}) SELECT {_COLUMNS} FROM generated "
        "ORDER BY day_number, rowid"
    )
    conn.execute("DROP TABLE generated")
    conn.executemany("INSERT INTO card_states VALUES (?,?,?,?,?,?,?,?,?)", state_rows)
    conn.executemany(
        "UPDATE placements SET is_new = 0 WHERE card_id = ?", [(i,) for i in ids[:seen]]
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def build_library(
    data_dir: Path,
    cards: int,
    reviews: int,
    clock: Callable[[], datetime],
    rich_share: float = 0.0,
) -> None:
    """A library in ``data_dir`` with ``cards`` synthetic cards and ``reviews`` log rows
    (``rich_share``: see ``write_deck_files``)."""
    library = Library.open(data_dir, clock=clock)
    select_exam(library, "MLS-C01")  # the synthetic cards are MLS-C01's
    write_deck_files(
        paths.user_decks_dir(library.data_dir) / "synthetic", cards, rich_share=rich_share
    )
    library.sync_content()
    today = library.today()
    library.close()
    add_history(paths.database_path(data_dir), reviews, today)


_COLUMNS = (
    "card_id, reviewed_at, study_day, day_number, grade, kind, interval_before, "
    "interval_after, easiness_before, easiness_after, repetitions_before, "
    "repetitions_after, answer_ms"
)


def _flush(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    conn.executemany(f"INSERT INTO generated ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    rows.clear()
