"""Rough edges of the command line: a finished day, a small benchmark, quiet charts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from mlstudy.services import Library

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def finished_day(data: Path) -> None:
    """A library whose day is done: today's two new cards answered, nothing due."""
    with Library.open(data) as library:
        library.update_settings(new_per_day=2, first_run_done=True)
        while (card := library.next_card()) is not None:
            library.answer(card.id, 5)
        assert library.counts().left == 0


def test_smoke_test_passes_on_a_finished_day(tmp_path: Path) -> None:
    finished_day(tmp_path / "lib")
    result = run("-m", "mlstudy", "--smoke-test", "--data-dir", str(tmp_path / "lib"))
    assert result.returncode == 0, result.stderr
    assert "first card shown:" in result.stdout
    assert "smoke test ok" in result.stdout


def test_charts_out_writes_pictures_and_nothing_on_stderr(tmp_path: Path) -> None:
    finished_day(tmp_path / "lib")
    out = tmp_path / "charts"
    result = run("-m", "mlstudy", "--data-dir", str(tmp_path / "lib"), "charts", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    written = sorted(p.name for p in out.glob("*.png"))
    assert "due-forecast.png" in written, written
    assert result.stdout.count(".png") == len(written)


def test_benchmark_runs_at_a_small_size_and_prints_json() -> None:
    result = run("benchmarks/run.py", "--cards", "300", "--repeat", "5")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["cards"] == 300
    assert report["reviews"] == 3000  # ten per card unless told otherwise
    assert report["cold_start_to_first_card"] > 0
    assert report["answer_to_next_card_rendered"]["n"] >= 1


def test_sync_benchmark_runs_at_a_small_size_and_its_states_match_the_log() -> None:
    """Forty answers a card: the synthetic histories keep to one answer a study day,
    so their stored states are what the log replays to, before and after the merge."""
    result = run(
        "benchmarks/sync_bench.py",
        "--cards",
        "100",
        "--reviews",
        "4000",
        "--events",
        "200",
        "--check",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["events merged"] == 200
    assert report["states that differ from a replay of the log"] == 0


CLOSE_WHILE_BUSY = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from mlstudy.gui import app as start

qt = QApplication([])

def busy_then_close():
    window = next(w for w in qt.topLevelWidgets() if w.isVisible() and hasattr(w, "pages"))
    window.show_page("progress")  # charts computing
    window.show_page("browse")  # a search running
    window.browse_page.set_query("model")
    window.show_page("plan")  # the plan computing
    window._auto_backup()
    window.watcher_sync()  # a deck sync
    window.close()

QTimer.singleShot(300, busy_then_close)
sys.exit(start.run_app(sys.argv[1]))
"""


def test_closing_while_background_work_runs_leaves_no_traceback(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    finished_day(data)
    with Library.open(data) as library:
        library.update_settings(exam_date=(library.today() + timedelta(days=60)).isoformat())
    env_run = subprocess.run(
        [sys.executable, "-c", CLOSE_WHILE_BUSY, str(data)],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "MLSTUDY_HEADLESS_DIALOGS": "1"},
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert env_run.returncode == 0, env_run.stderr
    assert "Traceback" not in env_run.stderr
    assert "RuntimeError" not in env_run.stderr
    log = (
        (data / "mlstudy.log").read_text(encoding="utf-8")
        if (data / "mlstudy.log").exists()
        else ""
    )
    assert "Traceback" not in log
