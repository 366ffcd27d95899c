"""The whole command line in data dirs whose names are not URL-safe (issue 13, finding 2).

``%LOCALAPPDATA%`` on Windows can contain ``#`` and ``%``: every command must work there
and write nothing outside the data dir.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from mlstudy.cli import main

CARD = "---\ndomain: 2\n---\n## Where do I live? {{#odd-home}}\n\nIn a folder named {name}.\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["a #1 ?mode=memory %41 ünï", "Ærø %2F#?"])
def test_every_command_in_a_data_dir_named_with_url_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    data = tmp_path / name
    decks = data / "decks"
    decks.mkdir(parents=True)
    (decks / "mine #1.md").write_text(CARD.format(name=name), encoding="utf-8")
    where = ["--data-dir", str(data)]

    code, out, err = run(capsys, "stats", "--json", *where)
    assert code == 0, err
    assert json.loads(out)["domains"][1]["cards"] >= 1
    exam_date = (date.today() + timedelta(days=60)).isoformat()
    code, out, err = run(capsys, "plan", "--exam-date", exam_date, "--minutes", "30", *where)
    assert code == 0, err
    code, out, err = run(capsys, "backup", *where)
    assert code == 0, err
    backup = Path(out.strip().removeprefix("backed up to "))
    assert backup.parent == data / "backups" and backup.is_file()
    conn = sqlite3.connect(backup)
    try:  # a whole copy, not an empty database
        assert conn.execute("SELECT count(*) FROM cards WHERE key='odd-home'").fetchone() == (1,)
        query = "SELECT value FROM settings WHERE key LIKE '%.exam_date'"
        assert conn.execute(query).fetchone() == (json.dumps(exam_date),)
    finally:
        conn.close()
    code, out, err = run(capsys, "backup", "--list", *where)
    assert code == 0 and str(backup) in out, err
    code, out, err = run(capsys, "restore", str(backup), *where)
    assert code == 0, err
    assert "previous state was backed up" in out
    code, out, err = run(capsys, "check-content", *where)
    assert code == 0, err
    assert "0 errors" in out
    code, out, err = run(capsys, "check-content", str(decks / "mine #1.md"))
    assert code == 0 and "1 cards" in out, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no stray file anywhere
