"""Two and three libraries sharing a sync folder through a simulated sync tool."""

from __future__ import annotations

from pathlib import Path

from tests.sync.helpers import SyncTool, log_of, open_device, states_of


def test_answers_travel_and_states_agree(tmp_path: Path, pack: Path) -> None:
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    tool = SyncTool([a, b])
    a.answer("t-kds", 5)
    b.clock.advance(minutes=5)
    b.answer("t-eta", 3)
    assert a.sync()["sent"] == 1
    assert b.sync()["sent"] == 1
    tool.deliver_all()
    report = a.sync()
    assert report["received"] == 1
    assert report["devices"] == 2
    assert b.sync()["received"] == 1
    assert log_of(a.library) == log_of(b.library)
    assert states_of(a.library) == states_of(b.library)
    assert set(states_of(a.library)) == {"t-kds", "t-eta"}
    assert a.sync() == {"sent": 0, "received": 0, "devices": 2, "problems": []}
