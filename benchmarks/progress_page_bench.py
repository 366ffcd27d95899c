"""Time the Progress page on a large synthetic library and print the result as JSON.

Usage: ``python benchmarks/progress_page_bench.py [--cards N] [--reviews N] [--data-dir DIR]``.

Builds a library of ``--cards`` cards and ``--reviews`` review rows with
``benchmarks/synthetic.py`` (or reuses the one in ``--data-dir``), then times, as the
best of ``--repeat`` runs:

- ``compute_progress``: every series from one read of the cards and the log, with its
  parts (reading the cards, reading the log, the series themselves);
- the page draw: handing the result to every chart of a shown ``ProgressPage``,
  processing the events that lay the charts out, and grabbing the page (offscreen).

Targets: compute_progress under 1 s, page draw under 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic
from timing import best_of

from mlstudy import paths
from mlstudy.services import Library
from mlstudy.services.progress import compute_progress
from mlstudy.storage.columns import read_card_table, read_review_log

TODAY = date(2026, 11, 29)


def clock() -> datetime:
    """Noon UTC on the benchmark's study day."""
    return datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC)


def build_library(data_dir: Path, cards: int, reviews: int) -> float:
    """Create a library in ``data_dir`` and fill it; return the seconds it took."""
    started = time.perf_counter()
    synthetic.build_library(data_dir, cards, reviews, clock)
    return time.perf_counter() - started


def _rounded(times: tuple[float, float]) -> tuple[float, float]:
    return round(times[0], 4), round(times[1], 4)


def time_page(library: Library, repeat: int) -> dict[str, Any]:
    """Draw times of the page and of each chart, offscreen."""
    from PySide6.QtWidgets import QApplication

    from mlstudy.gui.bus import ChangeBus
    from mlstudy.gui.progress_page import ProgressPage
    from mlstudy.gui.worker import wait_for_background

    app = QApplication.instance() or QApplication(sys.argv[:1])
    page = ProgressPage(library, ChangeBus())
    page.resize(1100, 2400)
    page.show()  # the first show computes in the background
    while page.computing or page.data is None:
        wait_for_background()
        app.processEvents()
    data = page.data

    def draw() -> None:
        page.show_data(data)
        app.processEvents()
        page.grab()

    draw()  # warm-up: fonts and first layouts
    per_chart = {}
    for slug, chart in page.charts.items():
        per_chart[slug] = round(best_of(repeat, lambda chart=chart: chart.set_progress(data))[0], 4)
    result = {
        "page_draw": _rounded(best_of(repeat, draw)),
        "charts_set_progress_wall": per_chart,
    }
    page.close()
    page.deleteLater()
    app.processEvents()
    return result


def main() -> None:
    """Build or reuse the library, time the service and the page, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--data-dir", type=Path, help="reuse (or build once into) this library folder"
    )
    parser.add_argument(
        "--plan", action="store_true", help="set an exam date and compute the plan first"
    )
    args = parser.parse_args()

    scratch = None
    if args.data_dir is None:
        scratch = tempfile.TemporaryDirectory(prefix="mlstudy-progress-bench-")
        data_dir = Path(scratch.name)
    else:
        data_dir = args.data_dir
    built = None
    if not paths.database_path(data_dir).exists():
        built = round(build_library(data_dir, args.cards, args.reviews), 1)

    # No deck sync: the synthetic cards are in no deck and a sync would archive them.
    library = Library.open(data_dir, clock=clock, tz=UTC, sync=False)
    try:
        if args.plan:
            library.update_settings(exam_date=(TODAY + timedelta(days=60)).isoformat())
            library.refresh_plan()
        exam_id = library.exam_id()

        def read_cards() -> None:
            with library.engine.connect() as conn:
                read_card_table(conn, exam_id)

        def read_log() -> None:
            with library.engine.connect() as conn:
                read_review_log(conn, exam_id).day  # noqa: B018 - the columns are read here

        data = compute_progress(library)
        total = _rounded(best_of(args.repeat, lambda: compute_progress(library)))
        cards = _rounded(best_of(args.repeat, read_cards))
        log = _rounded(best_of(args.repeat, read_log))
        page = time_page(library, args.repeat)
    finally:
        library.close()
        if scratch is not None:
            scratch.cleanup()

    report = {
        "cards": data.cards,
        "reviews": data.total_reviews,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "build_seconds": built,
        "compute_progress_seconds": {"wall": total[0], "cpu": total[1]},
        # Each read alone; inside compute_progress the two run at the same time.
        "reads_alone_wall": {"read_cards": cards[0], "read_review_log": log[0]},
        "page_draw_seconds": {"wall": page["page_draw"][0], "cpu": page["page_draw"][1]},
        "charts_set_progress_wall": page["charts_set_progress_wall"],
        "targets": {"compute_progress_seconds": 1.0, "page_draw_seconds": 0.3},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
