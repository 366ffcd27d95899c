"""Killing the app mid-answer loses nothing acknowledged and leaves the database exact.

DESIGN.md §9: each answer is its own committed transaction (WAL, synchronous=FULL),
so a SIGKILL loses at most the answer being written. ``tests/crash_worker.py``
answers cards in a loop and prints ``ACK <review id>`` after each ``answer`` returns;
this test kills it with SIGKILL at random moments, again and again on the same data
dir, and after every kill checks that SQLite's integrity check passes, every
acknowledged review is in the log, and ``card_states`` equals a replay of the log.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, update

from mlstudy.paths import content_dir, database_path
from mlstudy.services import Library
from mlstudy.storage.database import create_db_engine
from mlstudy.storage.schema import Card, CardState, Placement, Review
from mlstudy.storage.verify import integrity_check, state_mismatches

WORKER = Path(__file__).resolve().parents[1] / "crash_worker.py"
REPO = WORKER.parents[1]
TRIALS = 24
SEED = 20261102
CARDS_PER_DOMAIN = 15
READY_TIMEOUT_S = 30.0

SUMMARY: dict[str, int] = {"trials": 0, "acknowledged": 0, "lost": 0, "unacknowledged_kept": 0}
"""Totals over the trials, printed and recorded at the end of the crash test."""


def write_pack(root: Path) -> Path:
    """A content root with the MLS-C01 manifest and 15 short cards in each of the 4 domains."""
    cards = root / "mls-c01" / "cards"
    cards.mkdir(parents=True)
    shutil.copy(content_dir() / "mls-c01" / "exam.toml", root / "mls-c01" / "exam.toml")
    for domain in range(1, 5):
        parts = [f"---\ndomain: {domain}\n---\n"]
        parts += [
            f"## Question {i} of domain {domain}? {{#crash-d{domain}-{i:02d}}}\n\nAnswer {i}.\n"
            for i in range(CARDS_PER_DOMAIN)
        ]
        (cards / f"d{domain}.md").write_text("\n".join(parts), encoding="utf-8")
    return root


def run_and_kill(
    data_dir: Path, pack: Path, seed: int, stderr_path: Path, *, delay: float, after_acks: int
) -> list[int]:
    """Start the worker, SIGKILL it, and return the review ids it acknowledged.

    The kill comes ``delay`` seconds after the worker is ready, or as soon as it has
    printed ``after_acks`` ACKs when that is positive (just after a commit).
    """
    command = [sys.executable, str(WORKER), str(data_dir), str(pack), str(seed)]
    lines: list[str] = []
    ready = threading.Event()
    enough = threading.Event()
    with (
        stderr_path.open("w", encoding="utf-8") as stderr,
        subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True
        ) as proc,
    ):
        assert proc.stdout is not None
        stdout = proc.stdout

        def read() -> None:
            acks = 0
            for line in stdout:
                lines.append(line)
                if line == "READY\n":
                    ready.set()
                elif line.startswith("ACK "):
                    acks += 1
                    if acks == after_acks:
                        enough.set()
            ready.set()  # EOF: the worker died on its own; stop waiting
            enough.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert ready.wait(READY_TIMEOUT_S), "the worker never became ready"
        if after_acks > 0:
            enough.wait(READY_TIMEOUT_S)
        else:
            time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join(READY_TIMEOUT_S)
    errors = stderr_path.read_text(encoding="utf-8")
    assert proc.returncode == -signal.SIGKILL, f"worker ended by itself:\n{errors}"
    assert lines and lines[0] == "READY\n", errors
    # Only whole lines count: a line cut short by the kill was never acknowledged.
    return [int(line.split()[1]) for line in lines[1:] if line.endswith("\n")]


def check_database(data_dir: Path) -> set[int]:
    """Integrity and log/state agreement after a kill; returns every review id present."""
    engine = create_db_engine(database_path(data_dir))
    try:
        with engine.connect() as conn:
            assert integrity_check(conn) == "ok"
            assert state_mismatches(conn) == []
            return set(conn.execute(select(Review.id)).scalars())
    finally:
        engine.dispose()


def test_sigkill_loses_no_acknowledged_answer(
    tmp_path: Path, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = write_pack(tmp_path / "content")
    data_dir = tmp_path / "data"
    rng = random.Random(SEED)
    acknowledged: list[int] = []
    started = time.monotonic()
    for trial in range(TRIALS):
        # Even trials die after a random delay, odd ones right after a random ACK count.
        delay = rng.uniform(0.05, 0.6)
        after_acks = rng.randint(1, 40) if trial % 2 else 0
        acks = run_and_kill(
            data_dir,
            pack,
            rng.randrange(2**31),
            tmp_path / f"worker-{trial}.stderr",
            delay=delay,
            after_acks=after_acks,
        )
        assert acks == sorted(set(acks)), "review ids must be new and increasing"
        assert not acknowledged or not acks or acks[0] > acknowledged[-1]
        acknowledged += acks
        present = check_database(data_dir)
        lost = set(acknowledged) - present
        assert not lost, f"trial {trial}: acknowledged answers lost: {sorted(lost)}"
        SUMMARY["trials"] += 1
        SUMMARY["acknowledged"] = len(acknowledged)
        SUMMARY["lost"] = len(lost)
        SUMMARY["unacknowledged_kept"] = len(present) - len(acknowledged)

    # The lock died with the process: the library opens normally, with all 60 cards.
    clock = lambda: datetime.now(UTC)  # noqa: E731 - a one-line clock
    with Library.open(data_dir, clock=clock, tz=UTC, content_root=pack) as library:
        assert library.integrity() == "ok"
        with library.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Card)).scalar() == 60
            reviewed = conn.execute(select(func.count()).select_from(CardState)).scalar()
    elapsed = time.monotonic() - started

    assert SUMMARY["trials"] == TRIALS >= 20
    assert SUMMARY["lost"] == 0
    assert SUMMARY["acknowledged"] >= TRIALS  # the kills landed mid-study, not at start-up
    assert reviewed == 60  # history accumulated across runs: every card got reviewed
    for key, value in SUMMARY.items():
        record_property(key, value)
    with capsys.disabled():
        print(
            f"\ncrash safety: {SUMMARY['trials']} SIGKILLs, {SUMMARY['acknowledged']} answers "
            f"acknowledged, {SUMMARY['lost']} lost, {SUMMARY['unacknowledged_kept']} committed "
            f"but unacknowledged, {elapsed:.1f} s"
        )


def test_state_mismatches_names_each_kind_of_damage(library: Library) -> None:
    for grade in (5, 1, 4):  # a pass, a lapse (+ its drill), another pass
        card = library.next_card()
        assert card is not None
        library.answer(card.id, grade)
    with library.engine.connect() as conn:
        assert integrity_check(conn) == "ok"
        assert state_mismatches(conn) == []
        reviewed = sorted(conn.execute(select(CardState.card_id)).scalars())
        unseen = (
            conn.execute(select(Placement.card_id).where(Placement.is_new.is_(True)))
            .scalars()
            .first()
        )
    assert len(reviewed) == 3 and unseen is not None
    first, second, _third = reviewed
    easiness = library.card(first).easiness
    with library.engine.begin() as conn:
        conn.execute(
            update(CardState)
            .where(CardState.card_id == first)
            .values(easiness=999, exam_due_day="2030-01-01")  # the exam layer is not compared
        )
        conn.execute(delete(CardState).where(CardState.card_id == second))
        conn.execute(
            insert(CardState).values(
                card_id=unseen,
                repetitions=1,
                easiness=250,
                interval_days=1,
                due_day="2026-11-03",
                last_day="2026-11-02",
                reviews=1,
                lapses=0,
            )
        )
    with library.engine.connect() as conn:
        problems = state_mismatches(conn)
    expected = {
        first: f"card {first}: easiness is 999 in card_states, "
        f"{round(easiness * 100)} replayed from the log",
        second: f"card {second}: answers in the log but no card_states row",
        unseen: f"card {unseen}: card_states row but no answers in the log",
    }
    assert problems == [expected[card_id] for card_id in sorted(expected)]
