"""The plan service: today's plan toward the exam date, and the exam-aware due days."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mlstudy.core import queue
from mlstudy.core.planner import Plan, new_cards_for_day
from mlstudy.errors import UserError
from mlstudy.services.context import LibraryContext
from mlstudy.services.planning import PlanSource, exam_rule, make_plan, reschedule
from mlstudy.services.settings import Settings
from mlstudy.services.today import TodayAnswers
from mlstudy.services.types import Changes
from mlstudy.storage.study import ExamRule


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
        self._plan: tuple[tuple[object, ...], Plan, dict[int, int]] | None = None
        self._lock = threading.Lock()
        context.bus.subscribe(self._forget, "content", "restored")

    def _forget(self, _changes: Changes) -> None:
        with self._lock:
            self._plan = None

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

    def refresh(self) -> Plan | None:
        """Compute today's plan toward the saved exam date (slow: call off the UI thread).

        Today's queue then introduces new cards per domain as the plan says. Returns None
        when no (valid) exam date is set.
        """
        key = self._key()
        try:
            plan = make_plan(self._source)
        except UserError:
            with self._lock:
                self._plan = None
            return None
        with self._context.read() as conn:
            baseline = queue.new_by_domain(self._answers.read(conn, self._source.today()))
        with self._lock:
            self._plan = (key, plan, baseline)
        return plan

    def current(self) -> Plan | None:
        """The plan computed by ``refresh`` today with the current settings, if any."""
        cached = self._plan
        return cached[1] if cached and cached[0] == self._key() else None

    def quota(self, new_today: dict[int, int]) -> dict[int, int] | None:
        """New cards per domain still to introduce today by the plan, or None (no plan)."""
        cached = self._plan
        if not cached or cached[0] != self._key():
            return None
        _key, plan, baseline = cached
        planned = new_cards_for_day(plan, self._source.today())
        return queue.plan_quota(planned, new_today, baseline)

    def rule(self) -> ExamRule | None:
        """Today's exam-aware due layer from the saved settings (None: plain SM-2)."""
        return exam_rule(self._settings(), self._source.today())

    def reschedule(self) -> Changes:
        """Recompute every card's exam-aware due day from the current settings."""
        rule = self.rule()
        with self._context.write("rescheduling for the exam date") as conn:
            reschedule(conn, rule)
        return self._context.publish(Changes(plan=True, queue=True))
