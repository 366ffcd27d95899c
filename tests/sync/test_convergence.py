"""The convergence property: whatever the delivery schedule (late, twice, reordered,
conflicted copies, half-written files), every device ends with the same log and the same
card states, equal to one library that saw all the live answers in merge order."""

from __future__ import annotations

import os
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mlstudy.services import Library
from mlstudy.storage.merge_order import LIVE
from mlstudy.storage.schema import Card, Review
from mlstudy.storage.sync_schema import sync_events
from mlstudy.storage.verify import state_mismatches
from tests.sync.helpers import START, Device, SyncTool, log_of, open_device, states_of

KEYS = ("t-kds", "t-eta", "t-recall")
SKEW = (timedelta(0), timedelta(hours=-3), timedelta(hours=2))

step = st.tuples(
    st.integers(0, 2),  # which device acts
    st.sampled_from(KEYS),
    st.integers(0, 5),  # grade
    st.integers(0, 900),  # minutes its clock moves on first
    st.booleans(),  # undo the last answer afterwards
    st.integers(0, 3),  # delivery: none, sync, sync + some files, everyone + a torn file
)


def _deliver_some(tool: SyncTool, rng: random.Random) -> None:
    for source, dest in tool.pending():
        roll = rng.random()
        if roll < 0.4:
            continue  # late
        tool.deliver(source, dest)
        if roll > 0.8:
            stem = dest.name.removesuffix(".jsonl")
            (dest.parent / f"{stem} (conflicted copy).jsonl").write_bytes(source.read_bytes())


def _tear_one(tool: SyncTool, rng: random.Random) -> None:
    pending = tool.pending()
    if pending:
        source, dest = rng.choice(pending)
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = source.read_bytes()
        dest.write_bytes(data[: rng.randrange(len(data))])  # a copy caught mid-write


def _reference(pack: Path, root: Path, device: Device) -> Library:
    """One library that answers every live answer of ``device``'s log in merge order."""
    with device.library.context.read() as conn:
        rows = conn.execute(
            select(Review.reviewed_at, Card.key, Review.grade)
            .join(Card, Card.id == Review.card_id)
            .join(sync_events, sync_events.c.review_id == Review.id)
            .where(LIVE)
            .order_by(Review.reviewed_at, sync_events.c.device, sync_events.c.seq)
        ).all()
    single = open_device(root, "single", pack)
    for at, key, grade in rows:
        single.clock.now = datetime.fromisoformat(at)
        single.answer(key, int(grade))
    return single.library


@settings(
    max_examples=int(os.environ.get("SYNC_EXAMPLES", "12")),
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # a failure prints as drawn
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=10), seed=st.integers(0, 2**16))
def test_any_delivery_schedule_converges(
    pack: Path, steps: list[tuple[int, str, int, int, bool, int]], seed: int
) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        devices = [open_device(root, n, pack, START + SKEW[i]) for i, n in enumerate("abc")]
        tool = SyncTool(devices, rng)
        try:
            for who, key, grade, minutes, undo, delivery in steps:
                device = devices[who]
                device.clock.advance(minutes=minutes)
                device.answer(key, grade)
                if undo:
                    device.library.undo()
                if delivery >= 1:
                    device.sync()
                if delivery >= 2:
                    _deliver_some(tool, rng)
                if delivery == 3:
                    _tear_one(tool, rng)
                    for other in devices:
                        other.sync()
            for _round in range(2):
                for device in devices:
                    device.sync()
                tool.deliver_all()
            for device in devices:  # every copy whole now: nothing left to report
                assert device.sync()["problems"] == []
            logs = [log_of(d.library) for d in devices]
            states = [states_of(d.library) for d in devices]
            assert logs[0] == logs[1] == logs[2]
            assert states[0] == states[1] == states[2]
            for device in devices:  # the stored states are what the log replays to
                with device.library.context.read() as conn:
                    assert state_mismatches(conn) == []
            single = _reference(pack, root, devices[0])
            try:
                assert states_of(single) == states[0]
            finally:
                single.close()
        finally:
            for device in devices:
                device.library.close()
