"""The daily study reminder: when it is due and what it says. Pure: no clock, no Qt."""

from __future__ import annotations

import math
from datetime import date, datetime, time

SECONDS_PER_NEW = 60.0
"""A new card's first showing, as the planner assumes by default (``core.planner``)."""
SECONDS_PER_REVIEW = 20.0
"""One review or drill answer, as the planner assumes by default."""


def parse_reminder_time(text: str) -> time:
    """``HH:MM`` as a time; ValueError when it is not one."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"{text!r} is not a time; use HH:MM, such as 19:30")
    return time(int(hours), int(minutes))


def reminder_due(now: datetime, at: time, today: date, last_shown: date | None, left: int) -> bool:
    """True when the reminder should show now: past its time on a study day it has not
    shown on yet, with cards left."""
    return left > 0 and last_shown != today and now.time() >= at


def reminder_text(due: int, new: int, drill: int) -> str:
    """ "23 cards, about 12 minutes left today"."""
    cards = due + new + drill
    minutes = max(1, math.ceil((new * SECONDS_PER_NEW + (due + drill) * SECONDS_PER_REVIEW) / 60))
    noun = "card" if cards == 1 else "cards"
    unit = "minute" if minutes == 1 else "minutes"
    return f"{cards} {noun}, about {minutes} {unit} left today"
