"""Answer cards as fast as possible until killed; the subject of ``test_crash_safety``.

Not a test module (pytest collects ``test_*.py`` only). Run as a script:

    python tests/crash_worker.py DATA_DIR CONTENT_ROOT SEED

It opens a ``Library`` on DATA_DIR (study days in UTC, the real clock shifted by a
whole number of days), prints ``READY``, then loops: take the next card of the
queue, grade it 0..5 from ``random.Random(SEED)``, and once ``answer`` has returned
(the answer is committed) print ``ACK <review id>`` and flush. When the queue is
empty for the day the clock moves on a day. A run starts on the latest study day
already in the log, so history accumulates forward across runs. The loop ends by
itself after ``MAX_SECONDS`` so a worker never outlives its test.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from mlstudy.services import Library

MAX_SECONDS = 30.0
NEW_PER_DAY = 9999  # the highest the settings accept: every card is available at once


def main(argv: list[str]) -> int:
    """Run the answer loop; return the exit status (0 only if it ran out of time)."""
    data_dir, content_root, seed = Path(argv[0]), Path(argv[1]), int(argv[2])
    rng = random.Random(seed)
    offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    library = Library.open(data_dir, clock=clock, tz=UTC, content_root=content_root)
    library.update_settings(new_per_day=NEW_PER_DAY)
    with library.engine.connect() as conn:
        last_day = conn.execute(text("SELECT max(study_day) FROM reviews")).scalar()
    if last_day is not None:
        behind = date.fromisoformat(last_day) - library.today()
        offset[0] = timedelta(days=max(0, behind.days))
    print("READY", flush=True)
    deadline = time.monotonic() + MAX_SECONDS
    while time.monotonic() < deadline:
        card = library.next_card()
        if card is None:
            offset[0] += timedelta(days=1)
            continue
        library.answer(card.id, rng.randint(0, 5), answer_ms=rng.randint(500, 20000))
        with library.engine.connect() as conn:
            review_id = conn.execute(text("SELECT max(id) FROM reviews")).scalar_one()
        print(f"ACK {review_id}", flush=True)
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
