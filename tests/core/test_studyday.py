"""Study days across midnight, the configured start hour and DST changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlstudy.core.studyday import study_day

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_late_session_counts_for_the_evening() -> None:
    moment = datetime(2026, 11, 3, 2, 30, tzinfo=BERLIN)
    assert study_day(moment, 4, BERLIN) == date(2026, 11, 2)
    assert study_day(moment, 0, BERLIN) == date(2026, 11, 3)


def test_naive_datetime_and_bad_hour_are_rejected() -> None:
    with pytest.raises(ValueError):
        study_day(datetime(2026, 1, 1), 4, UTC)
    with pytest.raises(ValueError):
        study_day(datetime(2026, 1, 1, tzinfo=UTC), 24, UTC)


DST_WEEKS = [  # a week around each 2026 change: Berlin 29 Mar and 25 Oct, New York 8 Mar, 1 Nov
    (BERLIN, datetime(2026, 3, 26, tzinfo=UTC)),
    (BERLIN, datetime(2026, 10, 22, tzinfo=UTC)),
    (NEW_YORK, datetime(2026, 3, 5, tzinfo=UTC)),
    (NEW_YORK, datetime(2026, 10, 29, tzinfo=UTC)),
]


@pytest.mark.parametrize(("zone", "start"), DST_WEEKS, ids=lambda v: str(v)[:10])
@pytest.mark.parametrize("hour", [0, 2, 4])
def test_dst_never_skips_or_doubles_a_day(zone: ZoneInfo, start: datetime, hour: int) -> None:
    """Walk in 10-minute steps over a week around a DST change."""
    days = [study_day(start + timedelta(minutes=10 * i), hour, zone) for i in range(7 * 144)]
    assert len(set(days)) in (7, 8)
    changes = [b for a, b in itertools.pairwise(days) if a != b]
    assert all((b - a).days == 1 for a, b in itertools.pairwise(changes))
    assert all(later >= earlier for earlier, later in itertools.pairwise(days))
    # Each day starts exactly once, at the configured local hour (or the first moment after
    # it on a day when that hour does not exist).
    boundaries = [
        start + timedelta(minutes=10 * (i + 1))
        for i in range(len(days) - 1)
        if days[i] != days[i + 1]
    ]
    for moment in boundaries:
        local = moment.astimezone(zone)
        assert local.hour in (hour, hour + 1)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=23),
)
def test_study_day_is_within_a_day_of_the_local_date(moment: datetime, hour: int) -> None:
    day = study_day(moment, hour, BERLIN)
    local = moment.astimezone(BERLIN).date()
    assert local - timedelta(days=1) <= day <= local
