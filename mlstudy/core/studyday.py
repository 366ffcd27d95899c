"""Study days: a day starts at a configurable local hour, so late sessions count for the evening."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

DEFAULT_DAY_START_HOUR = 4


def study_day(
    moment: datetime, day_start_hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None
) -> date:
    """The study day a moment belongs to, in local time (or ``tz``).

    Args:
        moment: an aware datetime (any zone).
        day_start_hour: the local hour (0..23) at which a new study day begins.
        tz: the zone to read local time in; the system's local zone when None.
    """
    if moment.tzinfo is None:
        raise ValueError("study_day needs an aware datetime")
    if not 0 <= day_start_hour <= 23:
        raise ValueError(f"day start hour must be 0..23, got {day_start_hour}")
    local = moment.astimezone(tz)
    return (local - timedelta(hours=day_start_hour)).date()
