"""Settings: names, defaults, validation (one clear message per bad field), and the
service that reads and saves them; view state kept apart from them."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mlstudy.core.planner import validate_exam_date
from mlstudy.core.reminder import parse_reminder_time
from mlstudy.core.studyday import study_day
from mlstudy.errors import UserError
from mlstudy.services.context import LibraryContext
from mlstudy.services.types import Changes
from mlstudy.storage.database import PER_EXAM_SETTINGS
from mlstudy.storage.settings import (
    read_raw_settings,
    read_view_state,
    write_settings,
    write_view_state,
)

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "exam": "",
    "deck_exam": "",
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
    "suspend_leeches": False,
    "reminder_time": None,
}
EXAM_SCHEDULE_KEYS = frozenset({"exam_date", "weekdays_off", "dates_off"})
"""Settings that the exam-aware due days depend on."""
PER_EXAM_KEYS = frozenset(PER_EXAM_SETTINGS)
"""Settings each exam pack keeps for itself, stored as ``<exam code>.<key>``
(``mla-c01.exam_date``): switching exams shows the other exam's values and switching
back restores these."""


def exam_key(code: str, key: str) -> str:
    """The stored name of an exam pack's own value of a setting (``mla-c01.exam_date``:
    lower case, the form a setting name takes in the sync folder)."""
    return f"{code.lower()}.{key}"


def setting_name(key: str) -> str:
    """The setting a stored name is a value of: ``exam_date`` for ``mla-c01.exam_date``."""
    name = key.rpartition(".")[2]
    return name if name in PER_EXAM_KEYS else key


THEMES = ("light", "dark", "system")
SETTING_RANGES: dict[str, tuple[int, int]] = {
    "minutes_per_day": (1, 1440),
    "new_per_day": (0, 9999),
    "day_start_hour": (0, 23),
    "font_size": (8, 40),
    "new_cutoff_days": (0, 365),
}
"""The one allowed range of each whole-number setting: validation, the CLI and every
input in the app use these."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting as a typed value (``SettingsService.current``)."""

    exam: str
    """The selected exam pack's code ("" before the library has chosen one)."""
    exam_date: date | None
    minutes_per_day: int
    new_per_day: int
    day_start_hour: int
    theme: str
    font_size: int
    deck_folders: tuple[Path, ...]
    weekdays_off: frozenset[int]
    dates_off: frozenset[date]
    new_cutoff_days: int
    first_run_done: bool
    suspend_leeches: bool
    """Suspend a card when it becomes a leech (``core.leech``); off by default."""

    @classmethod
    def from_stored(cls, values: dict[str, Any]) -> Settings:
        """Typed settings from stored values (defaults filled in)."""
        v = {**DEFAULTS, **values}
        return cls(
            exam=str(v["exam"]),
            exam_date=date.fromisoformat(v["exam_date"]) if v["exam_date"] else None,
            minutes_per_day=int(v["minutes_per_day"]),
            new_per_day=int(v["new_per_day"]),
            day_start_hour=int(v["day_start_hour"]),
            theme=str(v["theme"]),
            font_size=int(v["font_size"]),
            deck_folders=tuple(Path(p) for p in v["deck_folders"]),
            weekdays_off=frozenset(int(w) for w in v["weekdays_off"]),
            dates_off=frozenset(date.fromisoformat(d) for d in v["dates_off"]),
            new_cutoff_days=int(v["new_cutoff_days"]),
            first_run_done=bool(v["first_run_done"]),
            suspend_leeches=bool(v["suspend_leeches"]),
        )


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
    if key in SETTING_RANGES:
        return _int_in(key, value, *SETTING_RANGES[key])
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
    if key == "reminder_time":
        if value in (None, ""):
            return None
        try:
            return parse_reminder_time(str(value)).strftime("%H:%M")
        except ValueError as exc:
            raise UserError(f"reminder_time: {exc}") from None
    if key in ("first_run_done", "suspend_leeches"):
        return bool(value)
    if key in ("exam", "deck_exam"):
        if not isinstance(value, str) or len(value) > 32:
            raise UserError(f"{key}: must be an exam code such as MLA-C01, got {value!r}")
        return value
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
            name = setting_name(key)
            if name not in DEFAULTS:
                values[key] = value
                continue
            try:
                values[key] = validate_setting(name, value)
                continue
            except UserError as exc:
                reason = str(exc)
            except (TypeError, ValueError):
                reason = f"{key}: {value!r} is not valid"
        name = setting_name(key)
        default = f"; using the default {DEFAULTS[name]!r}" if name in DEFAULTS else ""
        problems.append(f"stored setting {reason}{default}")
        if key not in DEFAULTS:
            values.pop(key, None)
    return values, problems


def for_exam(values: Mapping[str, Any], code: str) -> dict[str, Any]:
    """Settings as one exam pack sees them: ``exam`` is ``code`` and each per-exam key
    holds that pack's own value (the default when it has none)."""
    seen = {key: value for key, value in values.items() if setting_name(key) == key}
    seen["exam"] = code
    for key in PER_EXAM_KEYS:
        seen[key] = values.get(exam_key(code, key), DEFAULTS[key])
    return seen


class SettingsService:
    """Reads settings once (until a change says otherwise) and saves them validated."""

    def __init__(self, context: LibraryContext) -> None:
        self._context = context
        self._cache: tuple[dict[str, Any], Settings] | None = None
        self._lock = threading.Lock()
        self.exam_override: str | None = None
        """An exam pack for this run only (``--exam``): read and saved settings are that
        pack's, and the stored selection is left alone."""
        self.problems: tuple[str, ...] = ()
        """Stored settings that were unusable at the last read (their defaults are in use)."""
        context.bus.subscribe(self._forget, "settings", "restored")

    def _forget(self, _changes: Changes) -> None:
        with self._lock:
            self._cache = None

    def _read(self) -> tuple[dict[str, Any], Settings]:
        cached = self._cache  # read once: another thread may clear it
        if cached is None:
            with self._context.read() as conn:
                raw = read_raw_settings(conn)
            stored, problems = effective_settings(raw)
            for problem in problems:  # the default is used; say so once per read
                log.warning("%s", problem)
            self.problems = tuple(problems)
            seen = for_exam(stored, self.exam_override or str(stored["exam"]))
            cached = (seen, Settings.from_stored(seen))
            self._cache = cached
        return cached

    def all(self) -> dict[str, Any]:
        """Every setting as stored (JSON values), defaults filled in; the per-exam ones
        (``PER_EXAM_KEYS``) are the current exam pack's."""
        return dict(self._read()[0])

    def current(self) -> Settings:
        """Every setting, typed."""
        return self._read()[1]

    def today(self) -> date:
        """Today's study day (the day starts at the configured hour, local time)."""
        hour = self.current().day_start_hour
        return study_day(self._context.clock(), hour, self._context.tz)

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values to store; a UserError names the first bad field.

        An exam date must be after today (and within three years): the one place this
        rule is applied to saved settings (``core.planner.validate_exam_date``).
        """
        clean = {key: validate_setting(key, value) for key, value in values.items()}
        if clean.get("exam_date"):
            validate_exam_date(self.today(), date.fromisoformat(clean["exam_date"]))
        return clean

    def update(self, **values: Any) -> Changes:
        """Validate and save settings in one transaction; nothing is saved on an error."""
        clean = self.validate(values)
        code = str(clean.get("exam") or self.exam_override or self.current().exam)
        if "exam" in clean and self.exam_override is not None:
            raise UserError("--exam picks an exam for one run; switch exams without it")
        if code == "" and clean.keys() & PER_EXAM_KEYS:
            raise UserError("choose an exam pack before saving its exam date or budget")
        stored = {
            (exam_key(code, key) if key in PER_EXAM_KEYS else key): value
            for key, value in clean.items()
        }
        with self._context.write("saving settings") as conn:
            write_settings(conn, stored)
        return self._context.publish(Changes(settings=True, plan=True, queue=True))

    def stored_value(self, key: str) -> Any:
        """A setting as stored (None when it was never saved), without defaults."""
        with self._context.read() as conn:
            raw = read_raw_settings(conn).get(key)
        return None if raw is None else effective_settings({key: raw})[0].get(key)

    def view_state(self, key: str) -> Any:
        """A saved view-state value (window geometry, splitter sizes), or None."""
        with self._context.read() as conn:
            return read_view_state(conn, key)

    def save_view_state(self, key: str, value: Any) -> None:
        """Save view state. It is not library data: nothing is marked changed, so it
        never causes a backup."""
        with self._context.write("saving the window layout") as conn:
            write_view_state(conn, key, value)
