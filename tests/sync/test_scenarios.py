"""Several computers: the same card on two devices, undo after a sync, clock skew,
three devices, settings and suspensions."""

from __future__ import annotations

from pathlib import Path

from tests.sync.helpers import SyncTool, card_id, log_of, open_device, states_of


def _sync_all(tool: SyncTool) -> None:
    for device in tool.devices:
        device.sync()
    tool.deliver_all()
    for device in tool.devices:
        device.sync()


def test_the_same_card_on_two_devices_on_one_study_day_counts_once(
    tmp_path: Path, pack: Path
) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    tool = SyncTool([a, b])
    a.answer("t-kds", 5)  # 09:00, the first grade of the day: it counts
    b.clock.advance(minutes=30)
    b.answer("t-kds", 1)  # 09:30 on the other computer: a drill
    _sync_all(tool)
    expected = (1, 260, 1, "2026-12-02", "2026-12-01", 1, 0)
    assert states_of(a.library)["t-kds"] == expected
    assert states_of(b.library)["t-kds"] == expected
    assert log_of(a.library) == log_of(b.library)


def test_undo_after_a_sync_reaches_the_other_device(tmp_path: Path, pack: Path) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    tool = SyncTool([a, b])
    a.answer("t-eta", 4)
    _sync_all(tool)
    assert "t-eta" in states_of(b.library)
    a.clock.advance(minutes=1)
    assert a.library.undo() is not None
    _sync_all(tool)
    assert "t-eta" not in states_of(a.library)
    assert "t-eta" not in states_of(b.library)
    assert b.library.card(card_id(b.library, "t-eta")).kind == "new"
    assert log_of(a.library) == log_of(b.library)


def test_clocks_hours_apart_still_converge(tmp_path: Path, pack: Path) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    b.clock.advance(hours=-4)  # b's clock is four hours behind: 05:00 UTC, same study day
    tool = SyncTool([a, b])
    a.answer("t-recall", 5)
    b.clock.advance(minutes=10)
    b.answer("t-recall", 3)  # answered later, but stamped earlier: it is the day's first
    _sync_all(tool)
    state = states_of(a.library)["t-recall"]
    assert state == states_of(b.library)["t-recall"]
    assert state[1] == 236  # EF 2.5 after a 3: 2.36, so b's grade is the one that counted
    assert state[5] == 1


def test_three_devices_settings_and_suspensions(tmp_path: Path, pack: Path) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    c = open_device(tmp_path, "c", pack)
    tool = SyncTool([a, b, c])
    a.library.update_settings(minutes_per_day=45, theme="dark")
    b.clock.advance(minutes=1)
    b.library.update_settings(minutes_per_day=60)  # later: it wins everywhere
    c.library.set_suspended([card_id(c.library, "t-lasso")], True)
    for device, key in ((a, "t-kds"), (b, "t-eta"), (c, "t-firehose")):
        device.answer(key, 4)
    _sync_all(tool)
    _sync_all(tool)
    for device in (a, b, c):
        assert device.library.settings()["minutes_per_day"] == 60
        assert set(states_of(device.library)) == {"t-kds", "t-eta", "t-firehose"}
        lasso = device.library.card(card_id(device.library, "t-lasso"))
        assert lasso.suspended
    assert a.library.settings()["theme"] == "dark"  # the look stays on each computer
    assert b.library.settings()["theme"] == "system"
    assert log_of(a.library) == log_of(b.library) == log_of(c.library)
    assert a.sync()["devices"] == 3
