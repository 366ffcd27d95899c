"""Log entry uids made by mlstudy: valid sync uids, ordered by time, never repeated."""

from __future__ import annotations

from sqlalchemy import select

from mlstudy.core.sync import UID
from mlstudy.services import Library
from mlstudy.storage.schema import Review, ordered_uid
from tests.conftest import FakeClock


def test_ordered_uids_are_sync_uids_that_sort_by_time() -> None:
    times = [
        "2026-12-05T09:00:00+00:00",
        "2026-12-05T09:00:00.001000+00:00",
        "2026-12-05T10:00:00+01:00",  # 09:00 UTC: the same millisecond
        "2026-12-06T00:00:00+00:00",
    ]
    uids = [ordered_uid(at) for at in times]
    assert all(UID.match(uid) for uid in uids)
    assert uids[0] < uids[1] < uids[3]
    assert uids[0][:12] == uids[2][:12] and uids[0] != uids[2]  # random after the time
    assert len({ordered_uid(times[0]) for _ in range(1000)}) == 1000


def test_answers_undos_and_redos_get_ordered_uids(library: Library, clock: FakeClock) -> None:
    card = library.next_card()
    assert card is not None
    answered = clock()
    library.answer(card.id, 4, answer_ms=1000)
    clock.advance(minutes=1)
    library.undo()
    clock.advance(minutes=1)
    library.redo()
    with library.context.read() as conn:
        uids = list(conn.execute(select(Review.uid).order_by(Review.id)).scalars())
    assert len(uids) == 3 and len(set(uids)) == 3
    assert all(UID.match(uid) for uid in uids)
    assert uids[0][:12] == f"{int(answered.timestamp() * 1000):012x}"
    assert uids[0][:12] < uids[1][:12]  # the tombstone: stamped when the undo came
    assert uids[2][:12] == uids[0][:12]  # the answer put back keeps its own time
