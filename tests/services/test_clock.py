"""Clocks that jump backwards and DST changes never corrupt state or skip/double a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from mlstudy.services import Library
from mlstudy.storage.verify import integrity_check, state_mismatches
from tests.conftest import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")


def study_everything(library: Library) -> int:
    answered = 0
    while (card := library.next_card()) is not None:
        library.answer(card.id, 4 if answered % 3 else 2)
        answered += 1
    return answered


def consistent(library: Library) -> None:
    with library.engine.connect() as conn:
        assert integrity_check(conn) == "ok"
        assert state_mismatches(conn) == []


def test_clock_going_backwards_keeps_state_consistent(library: Library, clock: FakeClock) -> None:
    study_everything(library)
    clock.advance(days=7)
    study_everything(library)
    clock.advance(days=-5)  # the system clock jumps back
    assert library.today() == date(2026, 11, 4)
    study_everything(library)
    consistent(library)
    clock.advance(days=10)
    assert library.counts().due >= 1  # cards scheduled from the earlier day come due
    study_everything(library)
    consistent(library)


def test_dst_weeks_give_one_study_day_per_day(tmp_path: Path, pack: Path) -> None:
    """Study at 03:30 local time every day through the spring and autumn changes."""
    for first in (date(2026, 3, 25), date(2026, 10, 21)):
        clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
        with Library.open(
            tmp_path / first.isoformat(), clock=clock, tz=BERLIN, content_root=pack
        ) as library:
            library.update_settings(day_start_hour=4)
            seen = []
            for offset in range(8):
                local = datetime.combine(
                    first + timedelta(days=offset), datetime.min.time(), BERLIN
                ).replace(hour=3, minute=30)
                clock.now = local.astimezone(UTC)
                seen.append(library.today())
                study_everything(library)
            # 03:30 belongs to the previous study day, every day, DST or not.
            assert seen == [first + timedelta(days=o - 1) for o in range(8)]
            assert library.counts().streak == 8
            consistent(library)
