"""Today: the day's live answers (kept in memory), the counters and the streak."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection

from mlstudy.core import queue
from mlstudy.core.models import DayAnswer, ReviewKind
from mlstudy.services.context import LibraryContext
from mlstudy.services.types import Changes, TodayCounts
from mlstudy.storage import study


class TodayAnswers:
    """Today's live answers: read once, extended by each new answer, read again after
    undo, redo or a restore (the change bus says which)."""

    def __init__(self, context: LibraryContext, exam_id: Callable[[], int]) -> None:
        self._exam_id = exam_id
        self._cache: tuple[tuple[date, int], list[DayAnswer]] | None = None
        # Every change bumps the epoch; a reader that started before a bump (a worker
        # thread) does not store what it read, which may be out of date.
        self._epoch = 0
        self._lock = threading.Lock()
        context.bus.subscribe(self._changed, "reviews", "restored", "settings", "content")

    def read(self, conn: Connection, today: date) -> list[DayAnswer]:
        """Today's live answers to the current exam's cards, oldest first."""
        cached = self._cache
        exam_id = self._exam_id()
        if cached is None or cached[0] != (today, exam_id):
            epoch = self._epoch
            cached = ((today, exam_id), study.answers_on(conn, today, exam_id))
            with self._lock:
                if epoch == self._epoch:
                    self._cache = cached
        return cached[1]

    def _changed(self, changes: Changes) -> None:
        with self._lock:
            self._epoch += 1
            cached = self._cache
            if (
                changes.answered
                and not (changes.restored or changes.settings or changes.content)
                and cached is not None
            ):
                # Extend the list rather than read the day again for the next card
                # (hundreds of rows late in a day). Answers are appended in log order.
                # A reader may have stored the list with the answer in it already.
                last = cached[1][-1].review_id if cached[1] else -1
                fresh = [a for a in changes.answered if a.review_id > last]
                self._cache = (cached[0], [*cached[1], *fresh])
            else:
                self._cache = None


class TodayService:
    """The Today page's numbers: due, new and drill cards left, studied, streak."""

    def __init__(
        self,
        context: LibraryContext,
        answers: TodayAnswers,
        settings: Callable[[], dict[str, Any]],
        today: Callable[[], date],
        exam_id: Callable[[], int],
        quota: Callable[[dict[int, int]], dict[int, int] | None],
    ) -> None:
        self._context = context
        self._answers = answers
        self._settings = settings
        self._today = today
        self._exam_id = exam_id
        self._quota = quota
        self._streak: tuple[date, int] | None = None
        self._base: tuple[tuple[object, ...], int, dict[int, int]] | None = None
        context.bus.subscribe(self._forget, "queue", "content", "settings", "restored")

    def _forget(self, _changes: Changes) -> None:
        self._streak = None
        self._base = None

    def counts(
        self,
        focus: int | None,
        extra: queue.ExtraNew | None = None,
        ahead: date | None = None,
    ) -> TodayCounts:
        """Due, new and drill cards left today (in the focus domain, if one is set), what
        was studied, the streak; with the extra new cards and review ahead asked for."""
        today = self._today()
        exam_id = self._exam_id()
        with self._context.read() as conn:
            answers = self._answers.read(conn, today)
            due, available = self._left_today(conn, exam_id, today, focus, answers)
            streak = self._streak_before(conn, today) + bool(answers)
            early = 0
            if ahead is not None:
                answered = frozenset(a.card_id for a in answers if focus in (None, a.domain))
                early = study.count_due_except(conn, exam_id, ahead, answered, focus) - due
        new_today = queue.new_by_domain(answers)
        quota = None if focus is not None else self._quota(new_today)
        limit = int(self._settings()["new_per_day"])
        new = queue.new_left(available, new_today, limit, quota, focus)
        extra_left = queue.extra_new_left(extra, today, new_today)
        if extra_left and extra is not None and focus in (None, extra.domain):
            scope = extra.domain if extra.domain is not None else focus
            unseen = available.get(scope, 0) if scope is not None else sum(available.values())
            new += max(0, min(extra_left, unseen - new))
        return TodayCounts(
            day=today,
            due=due,
            new=new,
            ahead=max(0, early),
            drill=len(queue.drill_cards(answers, focus)),
            studied=len({a.card_id for a in answers}),
            answers=len(answers),
            streak=streak,
            new_done=sum(new_today.values()),
            new_planned=(
                sum(n + new_today.get(d, 0) for d, n in quota.items())
                if quota is not None
                else None
            ),
            new_done_by_domain=new_today,
            new_planned_by_domain=(
                {d: n + new_today.get(d, 0) for d, n in quota.items()}
                if quota is not None
                else None
            ),
        )

    def _left_today(
        self,
        conn: Connection,
        exam_id: int,
        today: date,
        focus: int | None,
        answers: list[DayAnswer],
    ) -> tuple[int, dict[int, int]]:
        """Due reviews left and unseen cards per domain, without counting 100,000 rows.

        Counting is done once per day (and after a change of the queue: sync,
        suspension, settings, restore): the base is what was left before today's
        answers, and today's answers are subtracted from it. A review answer always
        takes a due card off the queue and a new-card answer always takes an unseen card
        (undo puts both back).
        """
        reviewed = sum(
            1 for a in answers if a.kind == ReviewKind.REVIEW and focus in (None, a.domain)
        )
        new_today = queue.new_by_domain(answers)
        key = (today, focus, exam_id)
        cached = self._base
        if cached is None or cached[0] != key:
            due_now = study.count_due(conn, exam_id, today, domain=focus)
            unseen_now = study.count_new_by_domain(conn, exam_id)
            base_unseen = {d: n + new_today.get(d, 0) for d, n in unseen_now.items()}
            for domain, n in new_today.items():
                base_unseen.setdefault(domain, n)
            cached = (key, due_now + reviewed, base_unseen)
            self._base = cached
        _key, base_due, base_unseen = cached
        unseen = {d: max(0, n - new_today.get(d, 0)) for d, n in base_unseen.items()}
        return max(0, base_due - reviewed), unseen

    def _streak_before(self, conn: Connection, today: date) -> int:
        # Days before today do not change while today lasts (undo of an earlier day's
        # answer publishes a queue change).
        cached = self._streak
        if cached is None or cached[0] != today:
            cached = (today, study.streak_before(conn, today))
            self._streak = cached
        return cached[1]
