"""A merge brings each merged card's state to what its whole log replays to, whether its
answers continue its history or land inside it, and however the late entries are found."""

from __future__ import annotations

import shutil
from datetime import UTC
from pathlib import Path

import pytest

from mlstudy.services import Library
from mlstudy.services.sync import SUBFOLDER, read_device_folder, remote_setting_ok
from mlstudy.storage import sync_log, sync_merge
from mlstudy.storage.verify import state_mismatches
from tests.conftest import FakeClock
from tests.sync.helpers import Device, SyncTool, log_of, open_device, states_of


@pytest.mark.parametrize("scan", [True, False])
def test_merged_states_equal_the_whole_log_replayed(tmp_path: Path, pack: Path, scan: bool) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    b.clock.advance(hours=-30)  # b's first answers: study days before a's; later ones after
    for key, grade in (("t-kds", 4), ("t-eta", 2), ("t-recall", 5)):
        b.answer(key, grade)
    a.answer("t-kds", 5)  # a card both answered: b's answers land before and after a's
    a.answer("t-lasso", 3)  # b answers it days later: continued from a's stored state
    a.clock.advance(minutes=5)
    a.answer("t-eta", 1)  # same study day as b's later answer to it: that one is a drill
    b.clock.advance(hours=30, minutes=10)
    for key, grade in (("t-kds", 3), ("t-eta", 5), ("t-firehose", 4)):
        b.answer(key, grade)
    b.clock.advance(days=3)
    b.answer("t-recall", 1)
    b.answer("t-lasso", 5)
    b.sync()
    SyncTool([a, b]).deliver_all()
    ((other, device_dir),) = [
        (d.name, d) for d in (a.folder / SUBFOLDER).iterdir() if d.name != _own(a)
    ]
    incoming = read_device_folder(device_dir, other, 0)
    with a.library.context.write("merging") as conn:
        top = sync_merge.log_top(conn)
        batch = sync_merge.LogBatch()
        sync_log.merge_events(conn, other, incoming.events, "now", remote_setting_ok, batch)
        assert sync_merge.log_answers(conn, batch) == 8
        cards = sync_merge.replay_merged(conn, top, None, scan=scan)
        assert len(cards) == 5
        assert state_mismatches(conn) == []
    states = states_of(a.library)
    assert set(states) == {"t-kds", "t-eta", "t-recall", "t-lasso", "t-firehose"}
    assert states["t-recall"][1:3] == (260, 1)  # 2.5 + 0.1 after a 5, then a lapse: I 1
    b.sync()
    a.clock.advance(days=4)
    a.sync()
    SyncTool([a, b]).deliver_all()
    b.sync()
    assert states_of(b.library) == states


def _own(device: Device) -> str:
    with device.library.context.read() as conn:
        own = sync_log.load_device(conn)
    assert own is not None
    return own.device


def test_a_clock_set_back_between_answers_is_merged_in_timestamp_order(
    tmp_path: Path, pack: Path
) -> None:
    """One device's answers to a card, logged in one order and stamped in the other (its
    clock was set back a day between them): the merge replays them by timestamp."""
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    b.answer("t-kds", 1)  # logged first, stamped a day later than the next
    b.clock.advance(days=-1)
    b.answer("t-kds", 5)
    b.answer("t-eta", 4)
    b.sync()
    SyncTool([a, b]).deliver_all()
    a.sync()
    with a.library.context.read() as conn:
        assert state_mismatches(conn) == []
    repetitions, _easiness, interval = states_of(a.library)["t-kds"][:3]
    assert (repetitions, interval) == (1, 1)  # the 5 came first, then the lapse
    assert states_of(a.library) == states_of(b.library)


def test_answers_partly_in_the_log_already_are_merged_from_what_went_in(
    tmp_path: Path, pack: Path
) -> None:
    """A data dir copied to another computer holds answers not sent yet: both computers
    send them, under their own device ids. The copy's batch then brings an entry the
    log has (skipped by uid) beside new ones: each entry that went in gets its own
    origin, and the states equal a replay of the whole log."""
    a = open_device(tmp_path, "a", pack)
    a.answer("t-kds", 4)  # not sent yet when the data dir is copied
    a.library.close()
    shutil.copytree(tmp_path / "a", tmp_path / "c")
    (tmp_path / "c-sync").mkdir()
    a = Device(_reopen(tmp_path / "a", pack, a.clock), a.clock, a.folder)
    c_library = _reopen(tmp_path / "c", pack, FakeClock(a.clock()))
    c_library.sync.set_folder(tmp_path / "c-sync")
    c = Device(c_library, FakeClock(a.clock()), tmp_path / "c-sync")
    c.library.context.clock = c.clock
    c.clock.advance(days=1)
    c.answer("t-kds", 5)  # the copy's own answers: a day later
    c.answer("t-eta", 3)
    for device in (a, c):
        device.sync()
    SyncTool([a, c]).deliver_all()
    report = a.sync()
    assert report["received"] == 2  # the copy's two answers; the shared one is there
    with a.library.context.read() as conn:
        assert state_mismatches(conn) == []
        (entries, origins) = conn.exec_driver_sql(
            "SELECT count(*), (SELECT count(*) FROM sync_events) FROM reviews"
        ).one()
    assert (entries, origins) == (3, 3)
    with a.library.context.read() as conn:  # the merge left SQLite's look-ups out
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    c.sync()
    assert log_of(a.library) == log_of(c.library)
    assert states_of(a.library) == states_of(c.library)


def _reopen(data: Path, pack: Path, clock: FakeClock) -> Library:
    return Library.open(data, clock=clock, tz=UTC, content_root=pack, lock=False)
