"""Every number the Progress page draws, computed in one pass (DESIGN.md section 6).

``compute_progress`` reads the exam's cards and the review log once, builds one
``ReviewLog`` and hands it to every series of ``mlstudy.core.progress``. The result,
``ProgressData``, is plain dates and numbers: the GUI only draws it.

The log is read as packed integer columns straight into numpy, never as one
``ReviewEvent`` object per answer: a million answers cost seconds as objects and a
fraction of that as columns.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from mlstudy import paths
from mlstudy.core.practice import ScorePoint
from mlstudy.core.progress import (
    RetentionRow,
    ReviewLog,
    calendar_heatmap,
    card_states,
    domain_mastery,
    due_forecast,
    mastery_over_time,
    plan_vs_actual,
    readiness,
    reviews_per_day,
    true_retention,
    weakest_domain,
)
from mlstudy.errors import UserError
from mlstudy.services.leeches import LeechRow
from mlstudy.services.library import Library
from mlstudy.storage.columns import finish_cache_writes, read_card_table, read_review_log

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_DAYS",
    "FORECAST_DAYS",
    "HEATMAP_WEEKS",
    "PLAN_HISTORY_DAYS",
    "DomainInfo",
    "ProgressData",
    "compute_progress",
]

IntArray = npt.NDArray[np.int64]

DEFAULT_DAYS = 90
"""Days of history the per-day charts show."""
FORECAST_DAYS = (30, 90)
"""The due forecast's two spans, in days."""
HEATMAP_WEEKS = 26
"""Weeks in the study calendar."""
LOG_CACHE = "review-log.npz"
"""The review log's packed columns, kept between refreshes and runs (derived data)."""
PLAN_HISTORY_DAYS = 14
"""Days before today that plan vs actual shows (answers only: past plans are not kept)."""


@dataclass(frozen=True, slots=True)
class DomainInfo:
    """An exam domain as the charts label it.

    Attributes:
        number: the domain number (1..).
        name: the domain's name.
        weight: its share of the exam as a fraction (the weights sum to 1).
    """

    number: int
    name: str
    weight: float


@dataclass(frozen=True)
class ProgressData:
    """The series behind every progress chart, for one study day.

    Fractions are 0..1 (the GUI shows percentages). Per-day series have one point per
    day, zero-filled, oldest first.

    Attributes:
        today: the study day the numbers are for.
        domains: the exam's domains in number order.
        mastery: domain number to mastery today (mean recall of its cards).
        readiness: exam weight x mastery, summed over domains.
        weakest_domain: the domain the study plan pushes first (None without domains).
        mastery_over_time: domain number to ``(day, mastery)`` from the first review
            (or ``days`` back, whichever is later) to today; empty lists with no review.
        reviews_per_day: kind name ("new", "review", "drill") to ``(day, answers)``
            over the last ``days`` days.
        due_30: reviewed cards due on each of the next 30 days (overdue on today).
        due_90: the same over 90 days.
        heatmap: ``(day, answers)`` over 26 whole weeks, Monday first, ending with the
            week of today.
        retention: true retention for today, week, month, year and all time.
        card_states: counts of "new", "learning", "mature" cards and of those "due".
        plan_vs_actual: ``(day, planned cards, answered cards)`` from two weeks before
            today to the last plan day; empty without a current plan.
        plan_start: the first day the plan covers (planned values before it are 0
            because past plans are not kept), or None.
        total_reviews: answers in the exam's whole review log.
        cards: active cards of the exam.
    """

    today: date
    domains: tuple[DomainInfo, ...]
    mastery: Mapping[int, float]
    readiness: float
    weakest_domain: int | None
    mastery_over_time: Mapping[int, Sequence[tuple[date, float]]]
    reviews_per_day: Mapping[str, Sequence[tuple[date, int]]]
    due_30: Sequence[tuple[date, int]]
    due_90: Sequence[tuple[date, int]]
    heatmap: Sequence[tuple[date, int]]
    retention: tuple[RetentionRow, ...]
    card_states: Mapping[str, int]
    plan_vs_actual: Sequence[tuple[date, float, int]] = ()
    plan_start: date | None = None
    total_reviews: int = 0
    cards: int = 0
    practice_scores: Sequence[ScorePoint] = ()
    """Raw percentage of each finished practice exam or set, overall and per domain."""
    leeches: Sequence[LeechRow] = ()
    """The cards the user keeps failing (``core.leech``), most lapses first."""

    def domain_name(self, number: int) -> str:
        """The name of a domain number (``Domain N`` when unknown)."""
        return next((d.name for d in self.domains if d.number == number), f"Domain {number}")

    def due_forecast(self, days: int) -> Sequence[tuple[date, int]]:
        """The due forecast over 30 or 90 days."""
        return self.due_30 if days <= FORECAST_DAYS[0] else self.due_90

    @property
    def has_reviews(self) -> bool:
        """True once the exam has at least one answer in its log."""
        return self.total_reviews > 0


def compute_progress(library: Library, days: int = DEFAULT_DAYS) -> ProgressData:
    """Every progress series for today (see ``_compute_progress``).

    The log cache is derived data: when the series cannot be computed with it (a cache
    damaged in a way its checks missed), it is deleted and the log read afresh.
    """
    try:
        return _compute_progress(library, days)
    except UserError:
        raise
    except Exception:
        cache = paths.cache_dir(library.data_dir) / LOG_CACHE
        if not cache.exists():
            raise
        log.warning("progress: the log cache %s was unusable; rebuilding it", cache)
        finish_cache_writes()
        cache.unlink(missing_ok=True)
        return _compute_progress(library, days)


def _compute_progress(library: Library, days: int = DEFAULT_DAYS) -> ProgressData:
    """Every progress series for today, from one read of the cards and the review log.

    About a second for a million answers and 100,000 cards: call it off the UI thread.
    The log is read on a second connection while this thread reads the cards (SQLite
    aggregates the log without holding the GIL), so the two reads overlap.

    Args:
        library: an open library with an exam pack.
        days: how many days back the per-day series reach (at least 1).
    """
    days = max(int(days), 1)
    exam = library.exam()
    exam_id = library.exam_id()
    today = library.today()
    plan = library.current_plan()
    weights = exam.weights()
    numbers = [d.number for d in exam.domains]
    window_start = today - timedelta(days=days - 1)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlstudy-log") as pool:
        reading = pool.submit(_read_log, library, exam_id)
        with library.engine.connect() as conn:
            cards = read_card_table(conn, exam_id)
        mastery = domain_mastery(cards, today, numbers)
        due_90 = due_forecast(cards, today, FORECAST_DAYS[1])
        states = card_states(cards, today)
        # Cards with no domain (exam.NO_DOMAIN) are left out of mastery, as of readiness.
        wanted = set(numbers)
        card_domains = {
            card: domain
            for card, domain in zip(cards.card_id.tolist(), cards.domain.tolist(), strict=True)
            if domain in wanted
        }
        log = reading.result()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlstudy-series") as pool:
        # numpy sorts without the GIL: retention's sort overlaps the mastery replay.
        retention = pool.submit(true_retention, log, today)
        if len(log):
            first_review = date.fromordinal(int(log.day.min()))
            start = max(first_review, window_start)
            history = mastery_over_time(log, card_domains, start, today)
        else:
            history = {}
        retention_rows = tuple(retention.result())

    pva: list[tuple[date, float, int]] = []
    plan_start = None
    if plan is not None and plan.days:
        plan_start = plan.days[0].day
        planned = [(d.day, d.expected_reviews + d.new_total) for d in plan.days if not d.is_off]
        since = min(plan_start, today) - timedelta(days=PLAN_HISTORY_DAYS)
        pva = plan_vs_actual(planned, log, since, plan.days[-1].day)

    per_kind = reviews_per_day(log, window_start, today)
    return ProgressData(
        today=today,
        domains=tuple(DomainInfo(d.number, d.name, weights[d.number]) for d in exam.domains),
        mastery=mastery,
        readiness=readiness(mastery, weights),
        weakest_domain=weakest_domain(mastery, weights),
        mastery_over_time={number: history.get(number, []) for number in numbers},
        reviews_per_day={kind.value: series for kind, series in per_kind.items()},
        due_30=due_90[: FORECAST_DAYS[0]],
        due_90=due_90,
        heatmap=calendar_heatmap(log, today, HEATMAP_WEEKS),
        retention=retention_rows,
        card_states=states,
        plan_vs_actual=pva,
        plan_start=plan_start,
        total_reviews=len(log),
        cards=len(cards),
        practice_scores=library.practice.score_points(),
        leeches=tuple(library.leeches.cards()),
    )


# ----- reading ------------------------------------------------------------------------


def _read_log(library: Library, exam_id: int) -> ReviewLog:
    with library.engine.connect() as conn:
        return read_review_log(
            conn, exam_id, paths.cache_dir(library.data_dir) / LOG_CACHE, library.engine.connect
        )
