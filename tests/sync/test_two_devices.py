"""Two and three libraries sharing a sync folder through a simulated sync tool."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from mlstudy.storage import sync_log
from tests.sync.helpers import SyncTool, log_of, open_device, states_of


@pytest.mark.parametrize("read_every_card", [False, True])
def test_answers_travel_and_states_agree(
    tmp_path: Path, pack: Path, monkeypatch: pytest.MonkeyPatch, read_every_card: bool
) -> None:
    """With a merge's card ids looked up key by key, or read for every card (as a merge
    of more than ``_ALL_CARDS_ABOVE`` keys does)."""
    if read_every_card:
        monkeypatch.setattr(sync_log, "_ALL_CARDS_ABOVE", 0)
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


def test_a_pass_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path, pack: Path) -> None:
    """A pass pauses Python's cycle collector; left off, the app would never free a cycle."""
    a = open_device(tmp_path, "a", pack)
    b = open_device(tmp_path, "b", pack)
    a.answer("t-kds", 5)
    a.sync()
    SyncTool([a, b]).deliver_all()
    assert gc.isenabled()
    assert b.sync()["received"] == 1
    assert gc.isenabled()
    gc.disable()
    try:
        b.sync()
        assert not gc.isenabled()  # one who turned it off keeps it off
    finally:
        gc.enable()
