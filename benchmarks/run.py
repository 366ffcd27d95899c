"""mlstudy benchmark: a synthetic library of N cards and M review-log rows.

Prints one JSON document with timings in milliseconds (median and p95 where a step
repeats) and peak memory. Not a unit test: run it by hand or with ``make bench``.

    python benchmarks/run.py [--cards 100000] [--reviews 10*cards] [--repeat 200]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import practice_bench  # noqa: E402
import synthetic  # noqa: E402

from mlstudy.services import Library  # noqa: E402

TARGETS_MS = {
    "answer_to_next_card_rendered_p95": 16,
    "answer_committed_median": 5,
    "first_next_card": 50,
    "today_counts": 20,
    "sync_no_change_bundled": 100,
    "progress_series_all": 1000,
    "progress_series_all_warm": 1000,
    "plan_10000_cards_180_days": 500,
    "cold_start_to_first_card": 2000,
    "practice_build_65_median": 50,
    "practice_next_question_p95": 16,
    "practice_results_page_median": 100,
}
TARGET_RSS_MB = 300
REVIEWS_PER_CARD = 10


def ms(seconds: float) -> float:
    """Seconds to milliseconds, rounded for reading."""
    return round(seconds * 1000, 2)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    """Wall time of one call, and its result."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def spread(samples: list[float]) -> dict[str, float]:
    """Median and 95th percentile in ms."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": ms(statistics.median(ordered)), "p95": ms(p95), "n": len(ordered)}


def write_deck(folder: Path, count: int, prefix: str, variant: str = "") -> None:
    """A user deck of ``count`` cards in files of 1,000."""
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, count, 1000):
        lines = [f"---\nexam: MLS-C01\ndomain: {start // 1000 % 4 + 1}\ntags: imported\n---\n"]
        for n in range(start, min(start + 1000, count)):
            lines.append(
                f"## {prefix} question {n}{variant}? {{#{prefix}-{n}}}\n\n"
                f"Answer {n}{variant} with `code`.\n"
            )
        (folder / f"{prefix}-{start // 1000:04}.md").write_text("\n".join(lines), "utf-8")


def main() -> int:
    """Build the library, measure every step, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument(
        "--reviews",
        type=int,
        default=None,
        help="review-log rows (default: 10 per card, 1,000,000 for 100,000 cards)",
    )
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    if args.reviews is None:
        # Ten answers per card: a history that a year of study gives. A fixed million
        # would put over a thousand answers on each card of a small library.
        args.reviews = REVIEWS_PER_CARD * args.cards
    results: dict[str, object] = {"cards": args.cards, "reviews": args.reviews}
    scratch = Path(tempfile.mkdtemp(prefix="mlstudy-bench-"))
    data = scratch / "data"
    moment = [datetime.now(UTC)]

    def clock() -> datetime:
        return moment[0]

    started = time.perf_counter()
    synthetic.build_library(data, args.cards, args.reviews, clock)
    results["build_seconds"] = round(time.perf_counter() - started, 1)

    seconds, library = timed(lambda: Library.open(data, clock=clock, sync=False))
    assert isinstance(library, Library)
    results["open_library"] = ms(seconds)
    exam_id = library.exam_id()
    today = library.today()
    # Every deck: the bundled pack and the synthetic cards' deck files.
    results["sync_no_change_bundled"] = ms(timed(library.sync_content)[0])
    results["sync_no_change_bundled_again"] = ms(timed(library.sync_content)[0])
    results["today_counts"] = spread([timed(library.counts)[0] for _ in range(20)])
    results["first_next_card"] = ms(timed(library.next_card)[0])

    next_times, answer_times = [], []
    for index in range(args.repeat):
        seconds, card = timed(library.next_card)
        next_times.append(seconds)
        if card is None:
            break
        answer_times.append(timed(lambda c=card, i=index: library.answer(c.id, 5 - i % 3))[0])
    results["next_card"] = spread(next_times)
    results["answer_committed"] = spread(answer_times)

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from mlstudy.gui.bus import ChangeBus
    from mlstudy.gui.review_page import ReviewPage

    qInstallMessageHandler(lambda *_args: None)  # offscreen-only chatter
    app = QApplication.instance() or QApplication([])
    page = ReviewPage(library, ChangeBus())
    page.resize(1000, 700)
    page.show()
    page.start()
    app.processEvents()
    if page.card is None:
        raise SystemExit(f"no card to review: {library.counts()}")
    rendered = []
    for index in range(args.repeat):
        if page.card is None:
            break
        page.show_answer()
        app.processEvents()
        start = time.perf_counter()
        page.grade(4 + index % 2)
        app.processEvents()
        rendered.append(time.perf_counter() - start)
    results["answer_to_next_card_rendered"] = spread(rendered)
    page.close()

    decks = library.deck_folders()[0]
    write_deck(decks / "import", 10_000, "imp")
    results["import_10000_card_deck"] = ms(timed(library.sync_content)[0])
    write_deck(decks / "import", 1_000, "imp", variant=" (edited)")
    results["sync_1000_cards_changed"] = ms(timed(library.sync_content)[0])

    from mlstudy.services.browse import search

    results["browse_search"] = {
        query or "(all)": ms(timed(lambda q=query: search(library, q, limit=200))[0])
        for query in ("", "learning rate", "domain:3 is:due", "tag:bench -is:new")
    }
    # Free text goes through the FTS5 index: the index lookup of a broad word (in 85 %
    # of the synthetic cards), and the whole Browse search for a broad and a rare word.
    with library.engine.connect() as conn:
        results["fts_lookup_broad_word"] = spread(
            [
                timed(
                    lambda: conn.exec_driver_sql(
                        "SELECT count(*) FROM cards_fts WHERE cards_fts MATCH '\"learning\"*'"
                    ).scalar()
                )[0]
                for _ in range(20)
            ]
        )
    results["browse_search_free_text"] = {
        query: spread([timed(lambda q=query: search(library, q, limit=200))[0] for _ in range(10)])
        for query in ("learning", "xgboost")
    }

    from mlstudy.core.planner import PlanInputs, plan_for_exam
    from mlstudy.storage.snapshots import card_snapshots

    with library.engine.connect() as conn:
        snapshots = tuple(card_snapshots(conn, exam_id))[:10_000]
    inputs = PlanInputs(
        today=today,
        exam_date=today + timedelta(days=180),
        minutes_per_day=60,
        cards=snapshots,
        domain_weights=library.exam().weights(),
    )
    results["plan_10000_cards_180_days"] = ms(timed(lambda: plan_for_exam(inputs))[0])
    # Switching exam packs and back, each time with the new exam's Today counts: with
    # the same exam schedule, then with an exam date for MLS-C01 only (every card's
    # exam-aware due day is recomputed).
    from mlstudy.services.exams import timed_switch

    results["switch_exam_same_schedule"] = spread(
        [timed_switch(library, code) for code in ("MLA-C01", "MLS-C01") * 5]
    )
    library.update_settings(exam_date=(today + timedelta(days=90)).isoformat())
    results["switch_exam_other_exam_date"] = spread(
        [timed_switch(library, code) for code in ("MLA-C01", "MLS-C01") * 3]
    )
    library.update_settings(exam_date=None)  # as before: the later steps make no plan
    # Last, so the 2,000-question bank does not change the deck-sync timings above.
    results.update(practice_bench.measure(library, app))
    library.close()

    # The progress series are computed in the app's own (lean) process: measure them in
    # a fresh one. Cold: no cached log columns; warm: the next refresh, from the cache.
    shutil.rmtree(data / "cache", ignore_errors=True)
    probe = (
        "import sys, time, json\n"
        "from mlstudy.services import Library\n"
        "from mlstudy.services.progress import compute_progress\n"
        "lib = Library.open(sys.argv[1], sync=False)\n"
        "out = []\n"
        "for _ in range(2):\n"
        "    t = time.perf_counter(); compute_progress(lib); out.append(time.perf_counter() - t)\n"
        "lib.close()\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    cold_progress, warm_progress = json.loads(done.stdout.strip().splitlines()[-1])
    results["progress_series_all"] = ms(cold_progress)
    results["progress_series_all_warm"] = ms(warm_progress)

    cold: list[float] = []
    app_peaks: list[float] = []
    for _ in range(3):
        start = time.perf_counter()
        # Time until the app says the first card is on screen (it then finishes its
        # background work and exits; that part is not start-up).
        with subprocess.Popen(
            [sys.executable, "-m", "mlstudy", "--smoke-test", "--data-dir", str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith("first card shown"):
                    cold.append(time.perf_counter() - start)
                if "peak memory" in line:
                    app_peaks.append(float(line.rsplit("peak memory", 1)[1].split()[0]))
            if process.wait():
                raise SystemExit(
                    f"cold start failed: {process.stderr.read() if process.stderr else ''}"
                )
    results["app_peak_rss_mb"] = max(app_peaks) if app_peaks else None
    results["cold_start_to_first_card"] = ms(min(cold))
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    checks = {}
    for key, target in TARGETS_MS.items():
        base, _, stat = key.rpartition("_")
        value = results.get(key)
        if isinstance(value, dict):
            value = value["median"]
        elif value is None and isinstance(results.get(base), dict):
            value = results[base][stat]  # type: ignore[index]
        checks[key] = {
            "target_ms": target,
            "measured_ms": value,
            "met": value is not None and value <= target,
        }
    # The app's own peak (the smoke-test processes), not this benchmark's, which also
    # builds the library and holds every measurement.
    checks["app_peak_rss"] = {
        "target_mb": TARGET_RSS_MB,
        "measured_mb": results["app_peak_rss_mb"],
        "met": bool(app_peaks) and max(app_peaks) <= TARGET_RSS_MB,
    }
    results["targets"] = checks
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
