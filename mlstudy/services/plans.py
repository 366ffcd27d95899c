"""The plan service: today's plan toward the exam date, and the exam-aware due days.

Today's new-card quota per domain is fixed when the study day's first plan is made and
kept in ``view_state`` (``TODAY_KEY``) with the study day and a fingerprint of the plan
inputs: the exam date, minutes, days off, cut-off, exam, and the active cards. Answers
during the day change none of these, so they never re-plan today; a change of the
inputs or of the content does, and ``replanned_today`` says so. Today's queue, the
Plan table's first row, ``plan --json`` and ``stats --json`` all read this one quota.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from types import MappingProxyType

from sqlalchemy import Connection, func, select

from mlstudy.core import queue
from mlstudy.core.planner import Plan
from mlstudy.errors import UserError
from mlstudy.services.context import LibraryContext
from mlstudy.services.planning import (
    PlanSource,
    exam_rule,
    make_plan,
    preview_plan,
    reschedule,
)
from mlstudy.services.settings import Settings
from mlstudy.services.today import TodayAnswers
from mlstudy.services.types import Changes
from mlstudy.storage.schema import Placement
from mlstudy.storage.settings import read_view_state, write_view_state
from mlstudy.storage.study import ExamRule

TODAY_KEY = "plan_today"
"""The view-state key of today's fixed quota: {"day", "fingerprint", "planned"}; one per
exam pack (``plan_today/<code>``), so that switching back finds the day's quota again."""


class PlanService:
    """Computes and keeps today's plan; recomputes exam-aware due days when asked."""

    def __init__(
        self,
        context: LibraryContext,
        source: PlanSource,
        answers: TodayAnswers,
        settings: Callable[[], Settings],
    ) -> None:
        self._context = context
        self._source = source
        self._settings = settings
        self._answers = answers
        self._plan: tuple[tuple[object, ...], Plan] | None = None
        self._frozen: tuple[date, str, dict[int, int]] | None = None
        self._content: str | None = None
        self._lock = threading.Lock()
        self.replanned_today = False
        """Whether the last ``refresh`` changed a quota already fixed for today."""
        context.bus.subscribe(self._forget, "content", "queue", "restored")

    def _forget(self, _changes: Changes) -> None:
        with self._lock:
            self._plan = None
            self._frozen = None
            self._content = None

    def _today_key(self) -> str:
        return f"{TODAY_KEY}/{self._settings().exam}"

    def _key(self) -> tuple[object, ...]:
        s = self._settings()
        return (
            self._source.today(),
            s.exam_date,
            s.minutes_per_day,
            s.weekdays_off,
            s.dates_off,
            s.new_cutoff_days,
            s.exam,
        )

    def _content_print(self, conn: Connection) -> str:
        cached = self._content
        if cached is None:
            row = conn.execute(
                select(
                    func.count(Placement.card_id),
                    func.total(Placement.card_id),
                    func.max(Placement.card_id),
                ).where(
                    Placement.exam_id == self._source.exam_id(),
                    Placement.archived.is_(False),
                    Placement.suspended.is_(False),
                )
            ).one()
            cached = self._content = f"{row[0]}:{row[1]:.0f}:{row[2]}"
        return cached

    def fingerprint(self, conn: Connection) -> str:
        """The plan inputs other than today's answers, as a short hash (the same in
        every process: sets are sorted first)."""
        s = self._settings()
        parts = [
            s.exam_date.isoformat() if s.exam_date else None,
            s.minutes_per_day,
            sorted(s.weekdays_off),
            sorted(d.isoformat() for d in s.dates_off),
            s.new_cutoff_days,
            s.exam,
            self._content_print(conn),
        ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]

    def _fixed(self) -> dict[int, int] | None:
        """Today's fixed quota per domain for the current inputs, or None."""
        today = self._source.today()
        with self._context.read() as conn:
            fingerprint = self.fingerprint(conn)
            frozen = self._frozen
            if frozen is not None and frozen[:2] == (today, fingerprint):
                return frozen[2]
            stored = read_view_state(conn, self._today_key())
        if not isinstance(stored, dict):
            return None
        if stored.get("day") != today.isoformat() or stored.get("fingerprint") != fingerprint:
            return None
        planned = {int(d): int(n) for d, n in stored.get("planned", {}).items()}
        with self._lock:
            self._frozen = (today, fingerprint, planned)
        return planned

    def refresh(self) -> Plan | None:
        """Compute today's plan toward the saved exam date (slow: call off the UI thread).

        The first plan of a study day (or of new inputs) fixes today's quota; later ones
        keep it, and the plan's first day shows it (what is left, ``new_done_by_domain``
        what was done). Today's queue then introduces new cards per domain as the plan
        says. Returns None when no (valid) exam date is set.
        """
        key = self._key()
        today = self._source.today()
        try:
            plan = make_plan(self._source)
        except UserError:
            with self._lock:
                self._plan = None
            return None
        with self._context.read() as conn:
            done = queue.new_by_domain(self._answers.read(conn, today))
            fingerprint = self.fingerprint(conn)
            stored = read_view_state(conn, self._today_key())
        planned = self._fixed()
        if planned is None:
            first = plan.days[0].new_by_domain if plan.days else {}
            planned = {d: done.get(d, 0) + first.get(d, 0) for d in sorted({*done, *first})}
            self.replanned_today = (
                isinstance(stored, dict) and stored.get("day") == today.isoformat()
            )
            value = {"day": today.isoformat(), "fingerprint": fingerprint, "planned": planned}
            with self._context.write("fixing today's plan") as conn:
                write_view_state(conn, self._today_key(), value)
            with self._lock:
                self._frozen = (today, fingerprint, planned)
        else:
            self.replanned_today = False
        plan = with_todays_quota(plan, planned, done)
        with self._lock:
            self._plan = (key, plan)
        return plan

    def preview(
        self,
        exam_date: date,
        minutes: int,
        weekdays_off: frozenset[int] | None = None,
        dates_off: frozenset[date] | None = None,
    ) -> Plan:
        """The plan for inputs being edited, with today's work done shown; nothing is
        saved and today's quota stays as it is (slow: call off the UI thread)."""
        plan = preview_plan(self._source, exam_date, minutes, weekdays_off, dates_off)
        with self._context.read() as conn:
            done = queue.new_by_domain(self._answers.read(conn, self._source.today()))
        return with_todays_quota(plan, _whole_day(plan, done), done)

    def current(self) -> Plan | None:
        """The plan computed by ``refresh`` today with the current settings, if any."""
        cached = self._plan
        return cached[1] if cached and cached[0] == self._key() else None

    def planned_today(self) -> dict[int, int] | None:
        """Today's fixed quota per domain (the whole day's), or None (no plan yet)."""
        if self._settings().exam_date is None:
            return None
        return self._fixed()

    def quota(self, new_today: dict[int, int]) -> dict[int, int] | None:
        """New cards per domain still to introduce today by the plan, or None (no plan)."""
        planned = self.planned_today()
        if planned is None:
            return None
        return queue.plan_quota(planned, new_today, {})

    def rule(self) -> ExamRule | None:
        """Today's exam-aware due layer from the saved settings (None: plain SM-2)."""
        return exam_rule(self._settings(), self._source.today())

    def reschedule(self) -> Changes:
        """Recompute every card's exam-aware due day from the current settings."""
        rule = self.rule()
        with self._context.write("rescheduling for the exam date") as conn:
            reschedule(conn, rule)
        return self._context.publish(Changes(plan=True, queue=True))


def _whole_day(plan: Plan, done: dict[int, int]) -> dict[int, int]:
    """Today's whole-day quota: what was done plus what the plan leaves for today."""
    first = plan.days[0].new_by_domain if plan.days else {}
    return {d: done.get(d, 0) + first.get(d, 0) for d in sorted({*done, *first})}


def with_todays_quota(plan: Plan, planned: dict[int, int], done: dict[int, int]) -> Plan:
    """The plan with today's fixed quota on its first day: ``new_by_domain`` what is left
    of it (never below zero), ``new_done_by_domain`` what was done today."""
    if not plan.days:
        return plan
    left = {d: max(0, n - done.get(d, 0)) for d, n in sorted(planned.items())}
    first = replace(
        plan.days[0],
        new_by_domain=MappingProxyType({d: n for d, n in left.items() if n}),
        new_done_by_domain=MappingProxyType(dict(sorted(done.items()))),
    )
    return replace(plan, days=(first, *plan.days[1:]))
