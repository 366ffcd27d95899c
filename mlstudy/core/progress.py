"""Progress series for the charts, computed from the review log and card snapshots.

Every function is pure: ``today`` and the date range are parameters, and the result
is plain dates and numbers that a chart only has to draw (DESIGN.md section 6). Day
ranges are inclusive and every series is zero-filled, one point per day.

The log-based series run on numpy columns. A million ``ReviewEvent`` objects cost
tens of milliseconds per field to read, so a caller drawing several charts builds one
``ReviewLog`` and passes it to each series; a plain sequence of events works too.

The mastery functions of ``mlstudy.core.mastery`` are re-exported here so callers
find every progress figure in one module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from mlstudy.core.card_table import (
    MATURE_INTERVAL_DAYS,
    CardTable,
    as_table,
    due_counts,
    state_counts,
)
from mlstudy.core.mastery import (
    MIN_INTERVAL_DAYS,
    RECALL_AT_INTERVAL,
    domain_mastery,
    readiness,
    recall,
    recall_array,
    weakest_domain,
)
from mlstudy.core.models import CardSnapshot, ReviewEvent, ReviewKind
from mlstudy.core.sm2 import PASS_GRADE

__all__ = [
    "KINDS",
    "MATURE_INTERVAL_DAYS",
    "RETENTION_PERIODS",
    "Events",
    "RetentionRow",
    "ReviewLog",
    "calendar_heatmap",
    "card_states",
    "domain_mastery",
    "due_forecast",
    "mastery_over_time",
    "plan_vs_actual",
    "readiness",
    "recall",
    "recall_array",
    "reviews_per_day",
    "true_retention",
    "weakest_domain",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

KINDS: tuple[ReviewKind, ...] = tuple(ReviewKind)
"""Review kinds in code order: ``ReviewLog.kind`` holds indexes into this tuple."""
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
_NEW = _KIND_CODE[ReviewKind.NEW]
_INT_FIELDS = ("card_id", "grade", "interval_before", "interval_after")
_DRILL = _KIND_CODE[ReviewKind.DRILL]
RETENTION_PERIODS: tuple[tuple[str, int | None], ...] = (
    ("today", 1),
    ("week", 7),
    ("month", 30),
    ("year", 365),
    ("all", None),
)
"""True-retention periods: a name and the number of days ending today (None: all)."""


class ReviewLog:
    """The review log as integer numpy columns, in log order.

    Each column is read from the events the first time a series needs it and kept,
    so a ``ReviewLog`` is a snapshot: build a new one when the log grows. ``day`` holds
    ``date.toordinal()`` values and ``kind`` indexes into ``KINDS``.
    """

    def __init__(self, events: Iterable[ReviewEvent]) -> None:
        """Wrap events (a one-shot iterable is copied into a list)."""
        self._events = events if isinstance(events, Sequence) else list(events)
        self._columns: dict[str, IntArray] = {}

    def __len__(self) -> int:
        """The number of answers."""
        return len(self._events)

    def _column(self, name: str) -> IntArray:
        column = self._columns.get(name)
        if column is not None:
            return column
        n = len(self._events)
        # map() keeps the per-event work in C: a generator is markedly slower here.
        if name in _INT_FIELDS:
            # The plain integer fields in one pass: about a quarter faster than four.
            rows = map(attrgetter(*_INT_FIELDS), self._events)
            table = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=n * 4)
            for index, field in enumerate(_INT_FIELDS):
                self._columns[field] = np.ascontiguousarray(table.reshape(n, 4)[:, index])
            return self._columns[name]
        values: Iterable[Any] = map(attrgetter(name), self._events)
        if name == "day":
            values = map(date.toordinal, values)
        elif name == "kind":
            values = map(_KIND_CODE.__getitem__, values)
        column = np.fromiter(values, dtype=np.int64, count=n)
        self._columns[name] = column
        return column

    @property
    def card_id(self) -> IntArray:
        """Card ids."""
        return self._column("card_id")

    @property
    def day(self) -> IntArray:
        """Study days as proleptic ordinals (``date.toordinal()``)."""
        return self._column("day")

    @property
    def grade(self) -> IntArray:
        """Grades 0..5."""
        return self._column("grade")

    @property
    def kind(self) -> IntArray:
        """Review kinds as indexes into ``KINDS``."""
        return self._column("kind")

    @property
    def interval_before(self) -> IntArray:
        """SM-2 intervals before each answer, in days."""
        return self._column("interval_before")

    @property
    def interval_after(self) -> IntArray:
        """SM-2 intervals after each answer, in days."""
        return self._column("interval_after")


Events = Sequence[ReviewEvent] | ReviewLog
"""What the log-based series accept: events, or a ``ReviewLog`` shared between series."""


def _as_log(events: Events) -> ReviewLog:
    return events if isinstance(events, ReviewLog) else ReviewLog(events)


def _span(start: date, end: date) -> int:
    """Number of days in the inclusive range, 0 when ``end`` is before ``start``."""
    return max((end - start).days + 1, 0)


def _days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=offset) for offset in range(count)]


def _count_per_day(days: IntArray, start: date, count: int) -> IntArray:
    """How many of ``days`` (ordinals) fall on each of ``count`` days from ``start``."""
    offsets = days - start.toordinal()
    offsets = offsets[(offsets >= 0) & (offsets < count)]
    return np.bincount(offsets, minlength=count).astype(np.int64)


def _stable_order_by_day(days: IntArray) -> IntArray:
    """A stable sort order of day ordinals (radix sort when the span fits 16 bits)."""
    if days.size and int(days.max() - days.min()) < np.iinfo(np.int16).max:
        return np.argsort((days - days.min()).astype(np.int16), kind="stable").astype(np.int64)
    return np.argsort(days, kind="stable").astype(np.int64)


def _index_in(keys: IntArray, values: IntArray) -> IntArray:
    """The position of each value in ``keys`` (distinct ids), -1 where it is absent."""
    if keys.size == 0:
        return np.full(values.size, -1, dtype=np.int64)
    low, high = int(keys.min()), int(keys.max())
    if low >= 0 and high < 8 * keys.size + (1 << 16):
        # Database ids are dense: a lookup table beats a binary search per answer.
        table = np.full(high + 2, -1, dtype=np.int64)
        table[keys] = np.arange(keys.size, dtype=np.int64)
        return table[np.clip(values, -1, high + 1)]  # -1 and high + 1 both read -1
    order = np.argsort(keys)
    ordered = keys[order]
    found = np.minimum(np.searchsorted(ordered, values), keys.size - 1)
    return np.where(ordered[found] == values, order[found], -1)


def _codes(values: IntArray) -> tuple[IntArray, IntArray]:
    """The sorted distinct values (positive) and each value's index among them."""
    if values.size == 0:
        return np.array([MIN_INTERVAL_DAYS], dtype=np.int64), values
    if int(values.max()) < 1 << 20:
        present = np.bincount(values) > 0
        return np.flatnonzero(present), np.cumsum(present)[values] - 1
    distinct, codes = np.unique(values, return_inverse=True)
    return distinct, codes


def mastery_over_time(
    events: Events, card_domains: Mapping[int, int], start: date, end: date
) -> dict[int, list[tuple[date, float]]]:
    """Domain mastery on each day from ``start`` to ``end``, replaying the log once.

    A card's recall on a day comes from its last state-changing answer up to that
    day (its study day and ``interval_after``); drill answers leave the state alone.
    Every card in ``card_domains`` is in its domain's denominator, reviewed or not.
    Answers of cards missing from ``card_domains`` are ignored.

    Cards sharing a domain and an interval decay by the same factor each day, so the
    replay keeps one recall sum per (domain, interval): a day costs one multiply over
    those sums plus the day's answers, however many cards there are.

    Args:
        events: the review log, in any order (answers on one day keep log order).
        card_domains: card id to domain number, for every card of the exam.
        start: the first day of the series.
        end: the last day of the series.

    Returns:
        Domain number (ascending) to one ``(day, mastery)`` point per day.
    """
    domains = sorted(set(card_domains.values()))
    n_days = _span(start, end)
    if not domains or n_days == 0:
        return {number: [] for number in domains}
    n_domains = len(domains)
    card_ids = np.fromiter(card_domains.keys(), dtype=np.int64, count=len(card_domains))
    numbers = np.fromiter(card_domains.values(), dtype=np.int64, count=len(card_domains))
    domain_of = np.searchsorted(np.array(domains, dtype=np.int64), numbers)
    cards_per_domain = np.bincount(domain_of, minlength=n_domains)

    log = _as_log(events)
    start_day, end_day = start.toordinal(), end.toordinal()
    # Drill answers leave the SM-2 state alone; answers after the last day cannot show.
    chosen = np.flatnonzero((log.kind != _DRILL) & (log.day <= end_day))
    ev_card = _index_in(card_ids, log.card_id[chosen])
    known = ev_card >= 0
    if not bool(known.all()):
        chosen, ev_card = chosen[known], ev_card[known]
    ev_day = log.day[chosen]
    ev_interval = np.maximum(log.interval_after[chosen], MIN_INTERVAL_DAYS)
    if ev_day.size > 1 and bool(np.any(ev_day[1:] < ev_day[:-1])):
        order = _stable_order_by_day(ev_day)
        ev_card, ev_day, ev_interval = ev_card[order], ev_day[order], ev_interval[order]

    # The state of every card at the start of the range: its last answer before it.
    first = int(np.searchsorted(ev_day, start_day))
    last_answer = np.full(card_ids.size, -1, dtype=np.int64)
    np.maximum.at(last_answer, ev_card[:first], np.arange(first, dtype=np.int64))
    reviewed = np.flatnonzero(last_answer >= 0)
    last_day = np.zeros(card_ids.size, dtype=np.int64)
    interval = np.ones(card_ids.size, dtype=np.int64)
    last_day[reviewed] = ev_day[last_answer[reviewed]]
    interval[reviewed] = ev_interval[last_answer[reviewed]]

    range_card, range_day, range_interval = ev_card[first:], ev_day[first:], ev_interval[first:]
    intervals, codes = _codes(np.concatenate((interval[reviewed], range_interval)))
    n_intervals = intervals.size
    group = np.full(card_ids.size, -1, dtype=np.int64)
    group[reviewed] = domain_of[reviewed] * n_intervals + codes[: reviewed.size]
    range_group = domain_of[range_card] * n_intervals + codes[reviewed.size :]
    n_groups = n_domains * n_intervals
    sums: FloatArray = np.bincount(
        group[reviewed],
        weights=recall_array(start_day - last_day[reviewed], interval[reviewed]),
        minlength=n_groups,
    ).astype(np.float64)
    grid = sums.reshape(n_domains, n_intervals)  # a view: updates to sums show here
    daily_decay = RECALL_AT_INTERVAL ** (1.0 / intervals)
    bounds = np.searchsorted(range_day, start_day + np.arange(n_days + 1)).tolist()
    latest = np.full(card_ids.size, -1, dtype=np.int64)
    series = np.empty((n_days, n_domains), dtype=np.float64)
    for offset in range(n_days):
        if offset:
            grid *= daily_decay
        lo, hi = bounds[offset], bounds[offset + 1]
        if hi > lo:
            cards, groups, intervals_now = (
                range_card[lo:hi],
                range_group[lo:hi],
                range_interval[lo:hi],
            )
            # Should a card have two state-changing answers on one day, the last one wins.
            positions = np.arange(lo, hi, dtype=np.int64)
            np.maximum.at(latest, cards, positions)
            last_of_day = latest[cards] == positions
            if not bool(last_of_day.all()):
                cards, groups = cards[last_of_day], groups[last_of_day]
                intervals_now = intervals_now[last_of_day]
            seen = cards[group[cards] >= 0]
            if seen.size:
                today = start_day + offset
                old = recall_array(today - last_day[seen], interval[seen])
                sums -= np.bincount(group[seen], weights=old, minlength=n_groups)
            sums += np.bincount(groups, minlength=n_groups)
            group[cards] = groups
            last_day[cards] = start_day + offset
            interval[cards] = intervals_now
        series[offset] = grid.sum(axis=1)
    series = np.clip(series / cards_per_domain, 0.0, 1.0)
    days = _days(start, n_days)
    return {
        number: list(zip(days, series[:, j].tolist(), strict=True))
        for j, number in enumerate(domains)
    }


def reviews_per_day(
    events: Events, start: date, end: date
) -> dict[ReviewKind, list[tuple[date, int]]]:
    """Answers per day from ``start`` to ``end``, split by kind (new, review, drill).

    Returns:
        Every ``ReviewKind`` (in ``KINDS`` order) to one ``(day, count)`` point per day.
    """
    n_days = _span(start, end)
    log = _as_log(events)
    offsets = log.day - start.toordinal()
    inside = (offsets >= 0) & (offsets < n_days)
    counts = np.bincount(
        log.kind[inside] * n_days + offsets[inside], minlength=len(KINDS) * n_days
    ).reshape(len(KINDS), n_days)
    days = _days(start, n_days)
    return {
        kind: list(zip(days, counts[code].tolist(), strict=True)) for code, kind in enumerate(KINDS)
    }


def due_forecast(
    cards: CardTable | Iterable[CardSnapshot], today: date, days: int
) -> list[tuple[date, int]]:
    """Reviewed cards falling due on each of the next ``days`` days, overdue ones on today.

    New cards are not counted: the study plan decides when they are introduced.
    """
    if days <= 0:
        return []
    counts = due_counts(as_table(cards), today, days)
    return list(zip(_days(today, days), (int(c) for c in counts), strict=True))


def calendar_heatmap(events: Events, today: date, weeks: int = 26) -> list[tuple[date, int]]:
    """Answers per day (every kind) over ``weeks`` whole weeks, Monday to Sunday.

    The last week is the one holding ``today``; its days after today are included
    (with no answers) so every column of the heatmap is a full week.

    Returns:
        ``7 * weeks`` ``(day, count)`` points, starting on a Monday; empty if weeks < 1.
    """
    if weeks < 1:
        return []
    last = today + timedelta(days=6 - today.weekday())
    first = last - timedelta(days=7 * weeks - 1)
    counts = _count_per_day(_as_log(events).day, first, 7 * weeks)
    return list(zip(_days(first, 7 * weeks), counts.tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class RetentionRow:
    """True retention over one period: first answers of the day that passed, by card age.

    Attributes:
        period: one of the ``RETENTION_PERIODS`` names.
        young_passed: passed first answers of cards with an interval under 21 days.
        young_total: first answers of those cards.
        mature_passed: passed first answers of cards with an interval of 21 days or more.
        mature_total: first answers of those cards.
    """

    period: str
    young_passed: int
    young_total: int
    mature_passed: int
    mature_total: int

    @property
    def young_rate(self) -> float | None:
        """Pass rate of young cards, None when there was no answer."""
        return self.young_passed / self.young_total if self.young_total else None

    @property
    def mature_rate(self) -> float | None:
        """Pass rate of mature cards, None when there was no answer."""
        return self.mature_passed / self.mature_total if self.mature_total else None

    @property
    def rate(self) -> float | None:
        """Pass rate of all cards, None when there was no answer."""
        total = self.young_total + self.mature_total
        return (self.young_passed + self.mature_passed) / total if total else None


def _first_of_day(log: ReviewLog) -> npt.NDArray[np.bool_]:
    """Marks each answer that is the first (in log order) for its card on its day."""
    n = len(log)
    first = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return first
    card, day = log.card_id, log.day
    card_span = int(card.max() - card.min()) + 1
    day_span = int(day.max() - day.min()) + 1
    starts = np.ones(n, dtype=np.bool_)
    shift = n.bit_length()
    if card_span * day_span < 1 << (62 - shift):
        # One plain sort of (card-day key, position) packed in an integer: much faster
        # than a stable argsort. Shifts unpack it (a division would cost more).
        key = ((day - day.min()) * card_span + (card - card.min())) << shift
        ordered = np.sort(key | np.arange(n, dtype=np.int64))
        keys, positions = ordered >> shift, ordered & ((1 << shift) - 1)
        starts[1:] = keys[1:] != keys[:-1]
    else:
        positions = np.lexsort((card, day)).astype(np.int64)  # stable: ties keep log order
        by_day, by_card = day[positions], card[positions]
        starts[1:] = (by_day[1:] != by_day[:-1]) | (by_card[1:] != by_card[:-1])
    first[positions[starts]] = True
    return first


def true_retention(events: Events, today: date) -> list[RetentionRow]:
    """Pass rate (grade >= 3) of the first answer of each card on each study day.

    Only a card's first answer of a day counts, and not when that answer introduced
    the card (kind new): same-day drills would otherwise inflate the rate. Young means
    an interval before the answer under 21 days, mature 21 or more. Answers dated
    after ``today`` are left out.

    Returns:
        One row per ``RETENTION_PERIODS`` entry: today, the last 7, 30 and 365 days, all.
    """
    log = _as_log(events)
    today_day = today.toordinal()
    chosen = _first_of_day(log) & (log.kind != _NEW) & (log.day <= today_day)
    age = today_day - log.day[chosen]
    mature = log.interval_before[chosen] >= MATURE_INTERVAL_DAYS
    passed = log.grade[chosen] >= PASS_GRADE
    rows = []
    for period, span in RETENTION_PERIODS:
        inside = age < span if span is not None else np.ones(age.size, dtype=np.bool_)
        young_in, mature_in = inside & ~mature, inside & mature
        rows.append(
            RetentionRow(
                period=period,
                young_passed=int(np.count_nonzero(young_in & passed)),
                young_total=int(np.count_nonzero(young_in)),
                mature_passed=int(np.count_nonzero(mature_in & passed)),
                mature_total=int(np.count_nonzero(mature_in)),
            )
        )
    return rows


def card_states(cards: CardTable | Iterable[CardSnapshot], today: date) -> dict[str, int]:
    """Counts of new, learning and mature cards, plus how many of them are due today.

    Learning means reviewed with at most two successful reviews in a row or an
    interval under 21 days; mature is every other reviewed card. ``due`` counts
    reviewed cards due on or before ``today`` and overlaps the other keys.
    """
    return state_counts(as_table(cards), today)


def plan_vs_actual(
    planned: Sequence[tuple[date, float]],
    events: Events,
    start: date,
    end: date,
    *,
    include_drills: bool = False,
) -> list[tuple[date, float, int]]:
    """Planned cards (reviews + new) against cards actually answered, per day.

    Args:
        planned: ``(day, planned reviews + new cards)``; several entries for one day add up.
        events: the review log.
        start: the first day of the series.
        end: the last day of the series.
        include_drills: count same-day drill answers too. Off by default because a
            plan counts cards, and a drill is the same card again.

    Returns:
        One ``(day, planned, actual)`` point per day, zero where nothing was planned.
    """
    n_days = _span(start, end)
    plan = [0.0] * n_days
    for day, amount in planned:
        offset = (day - start).days
        if 0 <= offset < n_days:
            plan[offset] += amount
    log = _as_log(events)
    answered = log.day if include_drills else log.day[log.kind != _DRILL]
    actual = _count_per_day(answered, start, n_days).tolist()
    return list(zip(_days(start, n_days), plan, actual, strict=True))
