"""``mlstudy practice`` and the question counts of ``check-content``, as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

USER_QUESTIONS = """---
kind: questions
exam: MLS-C01
domain: 1
task: 1.3
source: https://docs.aws.amazon.com/glue/latest/dg/add-job.html
cards: de-glue-etl-job
---

## Serverless ETL {#q-cli-glue}

A team needs serverless Spark ETL over S3 with no cluster to manage. Which service fits best?

- [x] AWS Glue ETL jobs.
  Right: serverless Spark.
- [ ] Amazon EMR on EC2.
  Wrong: a cluster to manage.
- [ ] Amazon Redshift.
  Wrong: a data warehouse, not ETL jobs.
- [ ] Amazon Kinesis Data Streams.
  Wrong: a stream, not ETL.

## Glue job types {#q-cli-types}
:cards: de-glue-job-types

A small daily CSV needs a pandas clean-up. Which two are Glue job types? Choose two.

- [x] Python shell.
  Right: small pandas work.
- [x] Spark.
  Right: distributed ETL.
- [ ] Lambda.
  Wrong: a different service.
- [ ] Batch.
  Wrong: a different service.
- [ ] Fargate.
  Wrong: a container service.
"""


def run(*args: str, data: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlstudy", *args, "--data-dir", str(data)],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
        check=False,
    )


def test_practice_in_the_terminal_keeps_answers_at_end_of_input(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "decks").mkdir(parents=True)
    (data / "decks" / "questions.md").write_text(USER_QUESTIONS, encoding="utf-8")
    plain = run("stats", "--json", "--exam", "MLS-C01", data=tmp_path / "plain")
    bundled = json.loads(plain.stdout)["questions"]
    # Task 1.3 holds the user's two questions among the bundled ones; a seed picks two.
    result = run(
        "practice",
        "--exam",
        "MLS-C01",
        "--count",
        "2",
        "--task",
        "1.3",
        "--seed",
        "7",
        data=data,
        stdin="Z\nA\n",
    )
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split(" "))
    flat = " ".join(result.stdout.split())
    assert "Question 1 of 2" in out
    assert "'Z' is not one of the options" in out  # asked again, not counted
    assert ("Right." in out) != ("Wrong. The answer is" in out)
    assert "Source: https://docs.aws.amazon.com/" in out
    assert "end of input" in out
    assert "Score: " in out and "of 1 (" in out
    assert "not a prediction of passing" in flat
    stats = run("stats", "--json", "--exam", "MLS-C01", data=data)
    document = json.loads(stats.stdout)
    assert document["questions"]["total"] == bundled["total"] + 2
    by_type = document["questions"]["by_type"]
    assert by_type["single"] == bundled["by_type"]["single"] + 1
    assert by_type["multiple"] == bundled["by_type"]["multiple"] + 1
    [attempt] = document["practice"]["attempts"]
    assert (attempt["mode"], attempt["questions"]) == ("practice", 1)


def test_check_content_counts_questions_and_names_unknown_cards(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    bad = USER_QUESTIONS.replace(":cards: de-glue-job-types", ":cards: no-such-card")
    (folder / "q.md").write_text(bad, encoding="utf-8")
    result = run("check-content", str(folder), data=tmp_path / "data")
    assert result.returncode == 1
    assert f"{folder / 'q.md'}:23: error: unknown card id: no-such-card" in result.stderr
    assert "1 questions" in result.stdout
    assert "MLS-C01:" in result.stdout
