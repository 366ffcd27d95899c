"""The command-line contract of DESIGN section 7, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from mlstudy import __version__


def mlstudy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlstudy", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_version() -> None:
    result = mlstudy("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"mlstudy {__version__}"


def test_check_content_on_bundled_content() -> None:
    result = mlstudy("check-content", "--data-dir", "/nonexistent/mlstudy-test")
    assert result.returncode == 0, result.stderr
    assert "MLS-C01:" in result.stdout
    assert "Exploratory Data Analysis" in result.stdout
    assert "0 errors" in result.stdout
    assert not Path("/nonexistent/mlstudy-test").exists()


def test_check_content_reports_errors_with_path_and_line(tmp_path: Path) -> None:
    deck = tmp_path / "mine.md"
    deck.write_text("---\ndomain: 2\n---\n## Good? {#mine-good}\n\nyes\n\n## Bad? {#mine-bad}\n")
    result = mlstudy("check-content", str(deck))
    assert result.returncode == 1
    assert f"{deck}:8: error: card 'mine-bad' has no answer" in result.stderr
    assert "Traceback" not in result.stderr
    assert "1 cards" in result.stdout


@pytest.mark.parametrize("where", ["before", "after", "env"])
def test_stats_json_on_a_new_folder(tmp_path: Path, where: str) -> None:
    """``--exam`` goes before or after the subcommand, like ``--data-dir``."""
    data = tmp_path / "lib"
    if where == "before":
        result = mlstudy("--data-dir", str(data), "--exam", "MLS-C01", "stats", "--json")
    elif where == "after":
        result = mlstudy("stats", "--json", "--data-dir", str(data), "--exam", "mls-c01")
    else:
        result = mlstudy(
            "stats", "--exam", "MLS-C01", "--json", env={"MLSTUDY_DATA_DIR": str(data)}
        )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["exam"]["code"] == "MLS-C01"
    assert doc["exam"]["status"] == "retired" and doc["exam"]["retired_on"] == "2026-03-31"
    assert [(d["number"], d["name"], d["weight"]) for d in doc["domains"]] == [
        (1, "Data Engineering", 20),
        (2, "Exploratory Data Analysis", 24),
        (3, "Modeling", 36),
        (4, "Machine Learning Implementation and Operations", 20),
    ]
    assert all(d["cards"] >= 8 for d in doc["domains"])
    assert doc["readiness"] == 0
    assert (data / "mlstudy.sqlite3").is_file()


def test_user_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = mlstudy("stats", "--data-dir", str(blocker / "sub"))
    assert result.returncode == 1
    assert result.stderr.startswith("mlstudy: error: cannot create the data dir")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_path_for_check_content(tmp_path: Path) -> None:
    result = mlstudy("check-content", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "no such file or folder" in result.stderr


def test_plan_json_and_ics(tmp_path: Path) -> None:
    data = str(tmp_path / "lib")
    ics = tmp_path / "plan.ics"
    exam = (date.today() + timedelta(days=200)).isoformat()
    result = mlstudy(
        "plan",
        "--data-dir",
        data,
        "--exam",
        "MLS-C01",
        "--exam-date",
        exam,
        "--minutes",
        "60",
        "--json",
        "--ics",
        str(ics),
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["exam_date"] == exam
    assert isinstance(doc["feasible"], bool) and doc["verdict"]
    day = doc["days"][0]
    assert set(day) >= {"date", "new_cards", "expected_reviews", "expected_minutes"}
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")
    again = mlstudy("stats", "--json", "--data-dir", data, "--exam", "MLS-C01")
    stats = json.loads(again.stdout)
    assert stats["exam"]["exam_date"] == exam  # saved
    # One truth for today: stats and the plan's first day give the same new cards.
    assert stats["today"]["new"] == day["new_total"] > 0
    assert stats["today"]["new_planned"] == day["new_total"] + sum(day["new_done"].values())
    tight = mlstudy("plan", "--minutes", "1", "--data-dir", data, "--exam", "MLS-C01")
    assert tight.returncode == 0, tight.stderr
    assert "Needs " in tight.stdout and "\nAt 1 min/day: " in tight.stdout  # and why


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--exam-date", "2020-01-01"], "must be after today"),
        (["--exam-date", "soon"], "is not a date"),
        (
            ["--exam-date", (date.today() + timedelta(days=90)).isoformat(), "--minutes", "0"],
            "at least 1",
        ),
        ([], "no exam date set"),
    ],
)
def test_plan_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    data = str(tmp_path / "lib")
    result = mlstudy("plan", "--data-dir", data, *args)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    stats = json.loads(mlstudy("stats", "--json", "--data-dir", data).stdout)
    assert stats["exam"]["exam_date"] is None


def test_backup_list_and_restore(tmp_path: Path) -> None:
    data = str(tmp_path / "lib")
    made = mlstudy("backup", "--data-dir", data)
    assert made.returncode == 0, made.stderr
    path = made.stdout.strip().removeprefix("backed up to ")
    listing = mlstudy("backup", "--list", "--data-dir", data)
    assert path in listing.stdout
    restored = mlstudy("restore", path, "--data-dir", data)
    assert restored.returncode == 0, restored.stderr
    assert "previous state was backed up" in restored.stdout
    bad = mlstudy("restore", str(tmp_path / "nope.sqlite3"), "--data-dir", data)
    assert bad.returncode == 1 and "no such backup file" in bad.stderr


def test_sync_saves_the_folder_and_reports_a_pass(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    data = str(tmp_path / "data")
    first = mlstudy("sync", "--folder", str(folder), "--json", "--data-dir", data)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"sent": 0, "received": 0, "devices": 1, "problems": []}
    assert len(list((folder / "mlstudy-sync").iterdir())) == 1
    again = mlstudy("--data-dir", data, "sync")
    assert again.returncode == 0, again.stderr
    assert "sent 0, received 0, 1 device(s)" in again.stdout


def test_exams_lists_the_packs_and_switches_with_select(tmp_path: Path) -> None:
    data = str(tmp_path / "lib")
    result = mlstudy("exams", "--json", "--data-dir", data)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    packs = {p["code"]: p for p in doc["exams"]}
    assert doc["selected"] == "MLA-C01" and packs["MLA-C01"]["selected"]
    assert packs["MLA-C01"]["status"] == "active" and packs["MLA-C01"]["retired_on"] is None
    assert packs["MLS-C01"]["status"] == "retired"
    assert packs["MLS-C01"]["retired_on"] == "2026-03-31" and not packs["MLS-C01"]["selected"]
    assert set(packs["MLS-C01"]) == {
        *("code", "name", "status", "retired_on", "cards", "shared_cards", "questions"),
        "selected",
    }
    mls = json.loads(mlstudy("stats", "--json", "--exam", "MLS-C01", "--data-dir", data).stdout)
    assert packs["MLS-C01"]["cards"] == mls["cards"] > 0
    assert packs["MLS-C01"]["questions"] == mls["questions"]["total"] > 0
    # --exam for one run leaves the selection alone; --select changes it.
    once = json.loads(mlstudy("--exam", "MLS-C01", "exams", "--json", "--data-dir", data).stdout)
    assert once["selected"] == "MLS-C01"
    assert json.loads(mlstudy("exams", "--json", "--data-dir", data).stdout)["selected"] == (
        "MLA-C01"
    )
    switched = mlstudy("exams", "--select", "mls-c01", "--data-dir", data)
    assert switched.returncode == 0, switched.stderr
    assert "* MLS-C01" in switched.stdout and "retired 2026-03-31" in switched.stdout
    stats = json.loads(mlstudy("stats", "--json", "--data-dir", data).stdout)
    assert stats["exam"]["code"] == "MLS-C01"
    assert [d["weight"] for d in stats["domains"]] == [20, 24, 36, 20]


@pytest.mark.parametrize(
    "args",
    [
        ("--exam", "SAA-C03", "stats"),
        ("stats", "--exam", "SAA-C03"),
        ("exams", "--select", "SAA-C03"),
    ],
)
def test_an_unknown_exam_is_a_usage_error_naming_the_packs(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = mlstudy(*args, "--data-dir", str(tmp_path / "lib"))
    assert result.returncode == 2
    assert result.stderr == (
        "mlstudy: error: unknown exam 'SAA-C03'; the exam packs are: MLA-C01, MLS-C01\n"
    )


def test_stats_json_names_the_exam_and_uses_its_domains(tmp_path: Path) -> None:
    result = mlstudy("stats", "--json", "--data-dir", str(tmp_path / "lib"), "--exam", "MLA-C01")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["exam"]["code"], doc["exam"]["status"]) == ("MLA-C01", "active")
    assert [(d["number"], d["weight"]) for d in doc["domains"]] == [
        (1, 28),
        (2, 26),
        (3, 22),
        (4, 24),
    ]
    assert [d["tasks"] for d in doc["domains"]][2] == ["3.1", "3.2", "3.3"]
