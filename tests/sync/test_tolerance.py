"""What a shared folder does to files: late, twice, conflicted, half-written, newer,
gone. Each is survived without a crash, a deletion or a lost answer."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from mlstudy.core.sync import decode_segment
from mlstudy.errors import UserError
from mlstudy.services.sync import SUBFOLDER
from mlstudy.storage import sync_merge
from tests.sync.helpers import Device, SyncTool, log_of, open_device, states_of


def _own_segments(device: Device) -> list[Path]:
    (folder,) = (device.folder / SUBFOLDER).iterdir()
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _destination(source: Path, target: Device) -> Path:
    return target.folder / SUBFOLDER / source.parent.name / source.name


def _three_segments(tmp_path: Path, pack: Path) -> tuple[Device, Device, list[Path]]:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    for key in ("t-kds", "t-eta", "t-recall"):
        b.answer(key, 4)
        b.sync()
        b.clock.advance(minutes=1)
    segments = _own_segments(b)
    assert len(segments) == 3
    return a, b, segments


def test_duplicates_and_conflicted_copies_change_nothing(tmp_path: Path, pack: Path) -> None:
    a, b, segments = _three_segments(tmp_path, pack)
    tool = SyncTool([a, b])
    tool.deliver_all()
    first = _destination(segments[0], a)
    stem = first.name.removesuffix(".jsonl")
    shutil.copy(first, first.parent / f"{stem} (conflicted copy 2026-12-01).jsonl")
    shutil.copy(first, first.parent / f"{stem}.sync-conflict-20261201-090000-ABCDEFG.jsonl")
    (first.parent / f"{stem} (Case Conflict).jsonl").write_bytes(first.read_bytes()[:50])
    report = a.sync()
    assert report["received"] == 3
    assert report["problems"] == []
    assert a.sync()["received"] == 0
    assert log_of(a.library) == log_of(b.library)


def test_a_missing_segment_holds_back_later_ones_until_it_arrives(
    tmp_path: Path, pack: Path
) -> None:
    a, b, segments = _three_segments(tmp_path, pack)
    tool = SyncTool([a, b])
    tool.deliver(segments[0], _destination(segments[0], a))
    tool.deliver(segments[2], _destination(segments[2], a))
    report = a.sync()
    assert report["received"] == 1
    (problem,) = report["problems"]
    assert "events 2-2 have not arrived yet" in str(problem)
    tool.deliver_all()
    report = a.sync()
    assert report["received"] == 2 and report["problems"] == []
    assert states_of(a.library) == states_of(b.library)


def test_a_half_written_segment_is_skipped_kept_and_replaced_by_a_whole_copy(
    tmp_path: Path, pack: Path
) -> None:
    a, b, segments = _three_segments(tmp_path, pack)
    tool = SyncTool([a, b])
    target = _destination(segments[1], a)
    target.parent.mkdir(parents=True)
    target.write_bytes(segments[1].read_bytes()[:-20])
    tool.deliver(segments[0], _destination(segments[0], a))
    report = a.sync()
    assert report["received"] == 1
    assert any("checksum" in str(p) for p in report["problems"])  # type: ignore[union-attr]
    assert target.exists()  # never deleted
    shutil.copy(segments[1], target.parent / f"{target.stem} (conflicted copy).jsonl")
    tool.deliver(segments[2], _destination(segments[2], a))
    report = a.sync()
    assert report["received"] == 2
    assert states_of(a.library) == states_of(b.library)


def test_hostile_and_newer_segments_are_refused_with_a_message(tmp_path: Path, pack: Path) -> None:
    a, b, segments = _three_segments(tmp_path, pack)
    tool = SyncTool([a, b])
    tool.deliver_all()
    foreign = a.folder / SUBFOLDER / ("f" * 32)
    foreign.mkdir()
    lines = segments[0].read_bytes().split(b"\n")
    header = json.loads(lines[0])
    newer = {**header, "device": "f" * 32, "version": 99}
    (foreign / segments[0].name).write_bytes(json.dumps(newer).encode() + b"\n" + lines[1])
    evil = a.folder / SUBFOLDER / ("e" * 32)
    evil.mkdir()
    event = json.loads(lines[1])
    for name, change in (
        ("000000000001-000000000001.jsonl", {"card": "no-such-card"}),
        ("000000000002-000000000002.jsonl", {"grade": 9, "seq": 2}),
    ):
        body = (json.dumps({**event, **change}) + "\n").encode()
        seq = int(name[:12])
        head = {**header, "device": "e" * 32, "sha256": hashlib.sha256(body).hexdigest()}
        head.update(first=seq, last=seq, count=1)
        (evil / name).write_bytes(json.dumps(head).encode() + b"\n" + body)
    (evil / "000000000002-000000000002 (copy).jsonl").write_bytes(b"\x00\xff" * 1000)
    report = a.sync()
    problems = " | ".join(str(p) for p in report["problems"])  # type: ignore[union-attr]
    assert "newer mlstudy" in problems and "left for a later mlstudy" in problems
    assert "not in this library" in problems
    assert "malformed event" in problems and "no header" in problems
    assert report["devices"] == 4
    assert (foreign / segments[0].name).exists()
    assert log_of(a.library) == log_of(b.library)


def test_another_devices_folder_disappearing_keeps_its_answers(tmp_path: Path, pack: Path) -> None:
    a, b, _segments = _three_segments(tmp_path, pack)
    SyncTool([a, b]).deliver_all()
    a.sync()
    before = states_of(a.library)
    shutil.rmtree(a.folder / SUBFOLDER / next(iter(_own_segments(b))).parent.name)
    report = a.sync()
    assert report["problems"] == [] and report["devices"] == 1
    assert states_of(a.library) == before == states_of(b.library)


def test_an_emptied_own_folder_is_written_again_from_the_outbox(tmp_path: Path, pack: Path) -> None:
    _a, b, segments = _three_segments(tmp_path, pack)
    kept = [e.event for p in segments for e in decode_segment(p.read_bytes(), p.parent.name).events]
    shutil.rmtree(segments[0].parent)
    b.sync()
    (rewritten,) = _own_segments(b)
    segment = decode_segment(rewritten.read_bytes(), rewritten.parent.name)
    assert [e.seq for e in segment.events] == [1, 2, 3]
    assert [e.event for e in segment.events] == kept


def test_a_full_disk_during_a_merge_changes_nothing_and_says_so(tmp_path: Path, pack: Path) -> None:
    """The merge's log rows go in through SQLite's own driver, on a thread: a full disk
    there is still the clear message, the transaction is rolled back whole, and the
    next pass with room merges everything."""
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    for day in range(40):
        for key in ("t-kds", "t-eta", "t-recall", "t-lasso", "t-firehose"):
            b.answer(key, (4, 2, 5, 3, 1)[day % 5])
        b.clock.advance(days=1)
    b.sync()
    SyncTool([a, b]).deliver_all()
    engine = a.library.engine
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.rollback()

    def cap(dbapi: sqlite3.Connection, _record: object) -> None:
        dbapi.execute(f"PRAGMA max_page_count={pages}")

    before = log_of(a.library)
    event.listen(engine, "connect", cap)
    engine.dispose()
    try:
        with pytest.raises(UserError, match="disk is full"):
            a.library.sync.run()
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()
    assert log_of(a.library) == before
    assert a.sync()["received"] == 200
    assert log_of(a.library) == log_of(b.library)
    assert states_of(a.library) == states_of(b.library)


def test_a_failed_read_beside_the_merge_rolls_it_back_whole(
    tmp_path: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge reads the library before it on a thread of its own while another
    thread logs the answers: if that read fails, the logging thread is waited for, the
    transaction is rolled back whole, and the next pass merges everything."""
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    for key in ("t-kds", "t-eta", "t-recall"):
        b.answer(key, 4)
    b.sync()
    SyncTool([a, b]).deliver_all()
    before = log_of(a.library)

    def fail(self: object, conn: object) -> tuple[str, str, str]:
        raise sqlite3.OperationalError("disk I/O error")

    with monkeypatch.context() as patch:
        patch.setattr(sync_merge._Reading, "texts", fail)
        with pytest.raises(UserError, match="disk I/O error"):
            a.library.sync.run()
    assert log_of(a.library) == before
    with a.library.context.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sync_events").scalar() == 0
    assert a.sync()["received"] == 3
    assert states_of(a.library) == states_of(b.library)
