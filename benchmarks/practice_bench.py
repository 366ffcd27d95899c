"""Practice exams at scale: a bank of 2,000 questions on a large synthetic library.

Measures building a 65-question exam (assembly with history, saved attempt), showing
the next question on the Practice page, and the results page of a submitted exam.
Called from ``benchmarks/run.py`` (``make bench``); also runs on its own:

    python benchmarks/practice_bench.py [--cards 100000] [--reviews 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from mlstudy.services import Library  # noqa: E402

BANK = 2_000
EXAMS_TAKEN = 10
"""Finished exams written before measuring, so "seen" and "recent" have work to do."""
TASKS = {1: ["1.1", "1.2", "1.3"], 2: ["2.1", "2.2", "2.3"], 3: ["3.1", "3.2", "3.3"]}
TASKS[4] = ["4.1", "4.2", "4.3", "4.4"]


def write_bank(folder: Path, questions: int, card_keys: list[str], seed: int = 5) -> None:
    """``questions`` single and multiple-response questions in files of 200."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, questions, 200):
        domain = start // 200 % 4 + 1
        parts = [
            f"---\nkind: questions\nexam: MLS-C01\ndomain: {domain}\n"
            "source: https://docs.aws.amazon.com/sagemaker/\n---\n"
        ]
        for n in range(start, min(start + 200, questions)):
            cards = ", ".join(rng.sample(card_keys, 2))
            multiple = n % 4 == 0
            marks = ["x", "x", " ", " ", " "] if multiple else ["x", " ", " ", " "]
            stem = f"Scenario {n}: a team needs a managed service under a cost limit."
            stem += " Which solutions meet the requirement? Choose two." if multiple else ""
            options = "".join(
                f"- [{mark}] Option {i} of question {n}.\n  Why option {i} is "
                f"{'right' if mark == 'x' else 'wrong'} here.\n"
                for i, mark in enumerate(marks)
            )
            parts.append(
                f"## Bench question {n} {{#q-bench-{n}}}\n:task: {rng.choice(TASKS[domain])}\n"
                f":cards: {cards}\n\n{stem}\n\n{options}"
            )
        (folder / f"bank-{start // 200:03}.md").write_text("\n".join(parts), encoding="utf-8")


def _spread(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": round(ordered[len(ordered) // 2] * 1000, 2),
        "p95": round(p95 * 1000, 2),
        "n": len(ordered),
    }


def measure(library: Library, app: Any, repeat: int = 20) -> dict[str, object]:
    """Write the bank, take some exams, then time build, next question and results."""
    from mlstudy.gui.bus import ChangeBus
    from mlstudy.gui.practice_page import PracticePage

    with library.engine.connect() as conn:
        keys = [
            k
            for (k,) in conn.exec_driver_sql(
                "SELECT key FROM cards WHERE key LIKE 'syn-%' LIMIT 5000"
            )
        ]
    write_bank(library.deck_folders()[0] / "practice-bank", BANK, keys)
    results: dict[str, object] = {}
    start = time.perf_counter()
    report = library.sync_content()
    results["practice_sync_2000_questions_ms"] = round((time.perf_counter() - start) * 1000, 1)
    if report.problems:
        raise SystemExit(f"bank problems: {report.problems[:3]}")
    rng = random.Random(1)
    for seed in range(EXAMS_TAKEN):
        attempt = library.practice.start("exam", seed=seed)
        for item in attempt.items:
            library.practice.answer(attempt, item.position, (rng.randrange(4),), 1000)
        library.practice.submit(attempt.id)
    build = []
    for seed in range(repeat):
        t = time.perf_counter()
        attempt = library.practice.start("exam", seed=100 + seed)
        build.append(time.perf_counter() - t)
    results["practice_build_65"] = _spread(build)
    page = PracticePage(library, ChangeBus())
    page.resize(1000, 760)
    page.show()
    page.open_attempt(attempt)
    app.processEvents()
    shown = []
    for position in range(1, len(attempt.items)):
        t = time.perf_counter()
        page.go(position)
        app.processEvents()
        shown.append(time.perf_counter() - t)
    results["practice_next_question"] = _spread(shown)
    for item in attempt.items[::2]:
        library.practice.answer(attempt, item.position, (0,), 1000)
    t = time.perf_counter()
    page.submit(confirm_unanswered=False)
    app.processEvents()
    results["practice_submit_and_results"] = round((time.perf_counter() - t) * 1000, 2)
    rendered = []
    for _ in range(repeat):
        t = time.perf_counter()
        page.show_results(library.practice.results(attempt.id))
        app.processEvents()
        rendered.append(time.perf_counter() - t)
    results["practice_results_page"] = _spread(rendered)
    page.close()
    return results


def main() -> int:
    """Build a synthetic library and measure practice exams on it."""
    import synthetic
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="mlstudy-practice-bench-")) / "data"
    moment = [datetime.now(UTC)]
    synthetic.build_library(data, args.cards, args.reviews, lambda: moment[0])
    qInstallMessageHandler(lambda *_args: None)
    app = QApplication.instance() or QApplication([])
    with Library.open(data, clock=lambda: moment[0], sync=False) as library:
        results = {"cards": args.cards, "reviews": args.reviews, **measure(library, app)}
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
