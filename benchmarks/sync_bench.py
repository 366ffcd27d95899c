"""Study on several computers at scale: a sync pass with nothing new, and merging
100,000 events of another computer into a library of 100,000 cards and 1,000,000 reviews.

Targets (issue 21): a pass with nothing new <= 20 ms; the merge <= 2 s. Also reported:
the first pass of a library that already has a long history (it sends every entry once).
Runs on its own:

    python benchmarks/sync_bench.py [--cards 100000] [--reviews 1000000] [--events 100000]
                                    [--check] [--random-uids]
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import build_library  # noqa: E402
from timing import best_of  # noqa: E402

from mlstudy.core import sync as core_sync  # noqa: E402
from mlstudy.services import Library  # noqa: E402
from mlstudy.services.sync import (  # noqa: E402
    EVENTS_PER_SEGMENT,
    SUBFOLDER,
    read_device_folder,
    write_segment,
)
from mlstudy.storage.schema import ordered_uid  # noqa: E402
from mlstudy.storage.verify import state_mismatches  # noqa: E402

NOW = datetime(2026, 12, 5, 9, tzinfo=UTC)


def other_device_segments(
    folder: Path, cards: int, events: int, seed: int = 3, random_uids: bool = False
) -> str:
    """``events`` answers of another computer over random synthetic cards, in segments.

    Their uids are made as mlstudy makes them (``ordered_uid``: time first); with
    ``random_uids``, as mlstudy made them before (all random, like the local history's).
    """
    rng = random.Random(seed)
    device = secrets.token_hex(16)
    own = folder / SUBFOLDER / device
    own.mkdir(parents=True)
    lines: list[str] = []
    for seq in range(1, events + 1):
        at = NOW - timedelta(seconds=events - seq)
        answer = core_sync.Answer(
            uid=secrets.token_hex(16) if random_uids else ordered_uid(at.isoformat()),
            card=f"syn-{rng.randrange(cards)}",
            at=at.isoformat(),
            day=(at - timedelta(hours=4)).date(),
            grade=rng.choice([5, 4, 4, 3, 2]),
            kind="review",
            answer_ms=rng.randint(2000, 9000),
        )
        lines.append(core_sync.event_line(core_sync.Stamped(device, seq, answer)))
    for start in range(0, events, EVENTS_PER_SEGMENT):
        chunk = lines[start : start + EVENTS_PER_SEGMENT]
        name = core_sync.segment_name(start + 1, start + len(chunk))
        write_segment(own, name, core_sync.encode_segment(device, start + 1, chunk))
    return device


def main() -> int:
    """Build the library, run the passes, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--check",
        action="store_true",
        help="after the merge, compare every card's state with a replay of its log",
    )
    parser.add_argument(
        "--random-uids",
        action="store_true",
        help="the other computer's answers with all-random uids (as mlstudy made them before)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "data"
        folder = Path(scratch) / "shared"
        folder.mkdir()
        clock = lambda: NOW  # noqa: E731
        started = time.perf_counter()
        build_library(data, args.cards, args.reviews, clock)
        built = time.perf_counter() - started
        library = Library.open(data, clock=clock, sync=False)
        try:
            library.sync.set_folder(folder)
            started = time.perf_counter()
            first = library.sync.run()
            first_pass = time.perf_counter() - started
            assert first is not None and first.sent == args.reviews, first
            idle, idle_cpu = best_of(7, library.sync.run)
            other = other_device_segments(
                folder, args.cards, args.events, random_uids=args.random_uids
            )
            started = time.perf_counter()
            read = read_device_folder(folder / SUBFOLDER / other, other, 0)
            reading = time.perf_counter() - started
            assert len(read.events) == args.events
            started, cpu = time.perf_counter(), time.process_time()
            merged = library.sync.run()
            merge, merge_cpu = time.perf_counter() - started, time.process_time() - cpu
            assert merged is not None and merged.received == args.events, merged
            assert merged.problems == (), merged.problems
            after, _cpu = best_of(5, library.sync.run)
            if args.check:
                with library.context.read() as conn:
                    mismatches = state_mismatches(conn)
        finally:
            library.close()
    figures = {
        "cards": args.cards,
        "reviews": args.reviews,
        "events merged": args.events,
        "build library s": round(built, 1),
        "first pass, sends the whole history, s": round(first_pass, 2),
        "pass with nothing new ms (target 20)": round(idle * 1000, 1),
        "pass with nothing new, cpu ms": round(idle_cpu * 1000, 1),
        "merge of the new events s (target 2)": round(merge, 2),
        "  its cpu time, all threads, s": round(merge_cpu, 2),
        "  of which reading and validating the segments s": round(reading, 2),
        "pass with nothing new after the merge ms": round(after * 1000, 1),
    }
    if args.check:
        figures["states that differ from a replay of the log"] = len(mismatches)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
