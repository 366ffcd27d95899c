"""Setting names, defaults and validation (one clear message per bad field)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from mlstudy.errors import UserError

DEFAULTS: dict[str, Any] = {
    "exam": "MLS-C01",
    "exam_date": None,
    "minutes_per_day": 30,
    "new_per_day": 20,
    "day_start_hour": 4,
    "theme": "system",
    "font_size": 15,
    "deck_folders": [],
    "weekdays_off": [],
    "dates_off": [],
    "new_cutoff_days": 7,
    "first_run_done": False,
    "window_geometry": None,
}
THEMES = ("light", "dark", "system")


def _int_in(key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise UserError(f"{key}: must be a whole number from {low} to {high}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UserError(
            f"{key}: must be a whole number from {low} to {high}, got {value!r}"
        ) from None
    if not low <= number <= high:
        raise UserError(f"{key}: must be from {low} to {high}, got {number}")
    return number


def parse_date(key: str, value: Any) -> date:
    """A date from ``YYYY-MM-DD`` text (or a date), or a UserError naming the field."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise UserError(f"{key}: {value!r} is not a date; use YYYY-MM-DD") from None


def validate_setting(key: str, value: Any) -> Any:
    """Return the value to store for a setting, or raise a UserError naming the field."""
    if key not in DEFAULTS:
        raise UserError(f"unknown setting {key!r}")
    if key == "exam_date":
        return None if value in (None, "") else parse_date(key, value).isoformat()
    if key == "minutes_per_day":
        return _int_in(key, value, 1, 1440)
    if key == "new_per_day":
        return _int_in(key, value, 0, 9999)
    if key == "day_start_hour":
        return _int_in(key, value, 0, 23)
    if key == "font_size":
        return _int_in(key, value, 8, 40)
    if key == "new_cutoff_days":
        return _int_in(key, value, 0, 365)
    if key == "theme":
        if value not in THEMES:
            raise UserError(f"theme: must be one of {', '.join(THEMES)}, got {value!r}")
        return value
    if key == "deck_folders":
        return [str(Path(p)) for p in value]
    if key == "weekdays_off":
        days = sorted({_int_in(key, v, 0, 6) for v in value})
        if len(days) == 7:
            raise UserError("weekdays_off: at least one weekday must be a study day")
        return days
    if key == "dates_off":
        return sorted({parse_date(key, v).isoformat() for v in value})
    if key == "first_run_done":
        return bool(value)
    return value


def effective_settings(raw: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Settings from their stored JSON texts, defaults filled in, and what was wrong.

    A stored value that cannot be decoded or fails validation (written by hand, by an
    older version, or damaged) falls back to its default, and the problem is returned
    so it can be reported; it never stops the app from starting.
    """
    values = dict(DEFAULTS)
    problems: list[str] = []
    for key, text in raw.items():
        try:
            value = json.loads(text)
        except ValueError:
            reason = f"{key}: the stored value {text[:40]!r} is not readable"
        else:
            if key not in DEFAULTS:
                values[key] = value
                continue
            try:
                values[key] = validate_setting(key, value)
                continue
            except UserError as exc:
                reason = str(exc)
            except (TypeError, ValueError):
                reason = f"{key}: {value!r} is not valid"
        default = f"; using the default {DEFAULTS[key]!r}" if key in DEFAULTS else ""
        problems.append(f"stored setting {reason}{default}")
        if key not in DEFAULTS:
            values.pop(key, None)
    return values, problems
