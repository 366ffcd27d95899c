"""The study planner's engine: SM-2 run forward in aggregate, and one candidate schedule.

Cards are never simulated one by one. A cohort is a mass of cards due on the same day
with the same repetition class (new, first interval, later), the same last interval and
an EF in the same 0.2-wide bucket; it keeps the mass-weighted mean EF of its members.
Each review splits a cohort by the grade mix into a lapse child (I = 1) and one child
per passing grade (EF and I as SM-2 computes them), so the result is the expected
number of reviews per day, deterministic for the same inputs. Cohorts below a tiny
mass stop branching; their cards count as not naturally reviewed in the final window,
which only ever adds planned work.

New cards all start from the same state, so one "kernel" (the expected reviews of a
single card introduced on day 0) is convolved with the number introduced each day.
Reviews that fall on a day off, or that do not fit the day's budget, move to the next
study day (the later intervals are left as SM-2 computed them: a small overestimate).
Overdue cards are spread over the first study days. A card whose next SM-2 review falls
after the exam gets one review spread evenly over the final window's study days (what
``planner.exam_adjusted_due`` does card by card), plus the next-day repeats of a lapse.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlstudy.core.sm2 import (
    INITIAL_EASINESS_HUNDREDTHS,
    MIN_EASINESS_HUNDREDTHS,
    PASS_GRADE,
    easiness_delta_hundredths,
    validate_grade,
)

EF_BUCKET_HUNDREDTHS = 20
"""Cohorts with EFs in the same bucket of this width merge (keeping their mean EF)."""
BACKLOG_SPREAD_DAYS = 7
"""Overdue reviews are spread evenly over this many study days (fewer if the window is near)."""
MODES = ("even", "front", "asap")
"""New-card pacing tried in order: even to the cut-off, even over its first half, at once."""
_KERNEL_PRUNE = 1e-5
_CARD_PRUNE = 1e-2
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class GradeModel:
    """The grade mix as SM-2 uses it: lapse probability and EF change per passing grade."""

    lapse: float
    passes: tuple[tuple[int, float], ...]

    @classmethod
    def from_mix(cls, mix: Mapping[int, float]) -> GradeModel:
        """Normalise a grade -> probability mapping; raise ``ValueError`` if it is unusable."""
        total = 0.0
        for grade, weight in mix.items():
            validate_grade(grade)
            if not math.isfinite(weight) or weight < 0:
                raise ValueError(f"grade {grade} has an invalid probability {weight!r}")
            total += weight
        if total <= 0:
            raise ValueError("the grade mix needs at least one grade with a positive share")
        lapse = sum(w for g, w in mix.items() if g < PASS_GRADE) / total
        passes = tuple(
            (easiness_delta_hundredths(g), w / total)
            for g, w in sorted(mix.items())
            if g >= PASS_GRADE and w > 0
        )
        return cls(lapse=lapse, passes=passes)


class Forecast:
    """Cohorts of cards run forward through SM-2 one day at a time; extendable.

    A cohort key packs (interval, repetition class, EF bucket) into one int; each day
    keeps two float dicts, card mass and mass x EF, so the hot loop allocates no objects.

    Attributes:
        reviews: expected reviews on each day simulated so far (day 0 = the first).
        snapshots: for each day u, the card mass due on days u .. u+window-1 as known
            before day u is reviewed (the cards whose next review after u-1 falls there).
    """

    def __init__(self, model: GradeModel, window: int, limit: int, prune: float) -> None:
        self._model = model
        self._window = window
        self._limit = limit
        self._prune = prune
        self._mass: list[dict[int, float]] = [{} for _ in range(limit)]
        self._weighted: list[dict[int, float]] = [{} for _ in range(limit)]
        self._arrivals = [0.0] * (limit + window)
        self.reviews: list[float] = []
        self.snapshots: list[tuple[float, ...]] = []

    def add(self, day: int, repetitions: int, easiness: int, interval: int, mass: float) -> None:
        """Place ``mass`` cards in this state, due on ``day`` (call before ``extend``)."""
        if 0 <= day < self._limit:
            rep = min(repetitions, 2)
            self._put(day, _key(rep, interval, float(easiness)), float(easiness), mass)

    def _put(self, day: int, key: int, ef: float, mass: float) -> None:
        masses, weighted = self._mass[day], self._weighted[day]
        masses[key] = masses.get(key, 0.0) + mass
        weighted[key] = weighted.get(key, 0.0) + mass * ef
        self._arrivals[day] += mass

    def extend(self, horizon: int) -> None:
        """Simulate up to (not including) day ``horizon``."""
        limit, arrivals, window, width = self._limit, self._arrivals, self._window, _EF_WIDTH
        all_mass, all_weighted = self._mass, self._weighted
        floor = float(MIN_EASINESS_HUNDREDTHS)
        # (is a lapse, EF change, probability): a lapse keeps EF and restarts at I = 1.
        branches = [(True, 0.0, self._model.lapse)] if self._model.lapse > 0 else []
        branches += [(False, float(delta), share) for delta, share in self._model.passes]
        for day in range(len(self.reviews), min(horizon, limit)):
            self.snapshots.append(tuple(arrivals[day : day + window]))
            masses, weighted = all_mass[day], all_weighted[day]
            all_mass[day], all_weighted[day] = {}, {}
            total = 0.0
            for key, mass in masses.items():
                total += mass
                if mass < self._prune:
                    continue
                ef = weighted[key] / mass
                interval, rep = divmod(key // _BUCKETS, 3)
                for lapsed, delta, share in branches:
                    if lapsed:
                        new_ef, nxt, child = ef, 1, 1
                    else:
                        new_ef = ef + delta if ef + delta > floor else floor
                        if rep == 2:
                            # The tolerance keeps a merged mean EF of 250.00000001 from
                            # adding a day to ceil(I x EF).
                            nxt, child = math.ceil(interval * new_ef / 100 - _EPS), 2
                        else:
                            nxt, child = (1 if rep == 0 else 6), rep + 1
                    due = day + nxt
                    if due >= limit:
                        continue
                    # _put and _key inlined: this loop is the planner's hot path.
                    key = ((nxt if child == 2 else 0) * 3 + child) * _BUCKETS + int(
                        new_ef + _EPS
                    ) // width
                    part = mass * share
                    target = all_mass[due]
                    target[key] = target.get(key, 0.0) + part
                    target = all_weighted[due]
                    target[key] = target.get(key, 0.0) + part * new_ef
                    arrivals[due] += part
            self.reviews.append(total)


_BUCKETS = 1_000_000


_EF_WIDTH = EF_BUCKET_HUNDREDTHS


def _key(rep: int, interval: int, ef: float) -> int:
    """Pack a cohort key; the interval only matters (and is kept) from the third review on."""
    return ((interval if rep == 2 else 0) * 3 + rep) * _BUCKETS + int(ef + _EPS) // _EF_WIDTH


@dataclass(frozen=True, slots=True)
class SeenCard:
    """A reviewed card as day indices from today (negative = in the past)."""

    due: int
    repetitions: int
    easiness: int
    interval: int
    last_review: int | None


@dataclass(frozen=True, slots=True)
class Scenario:
    """One candidate to test: an exam day, a window, a cut-off and daily capacities."""

    horizon: int
    window_start: int
    cutoff: int
    study: Sequence[bool]
    capacity: Sequence[float]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one candidate schedule gives, day by day."""

    feasible: bool
    new: tuple[int, ...]
    reviews: tuple[float, ...]
    window_cards: tuple[float, ...]
    unintroduced: int
    undone: float
    carried: tuple[float, ...] = ()
    """Work due that did not fit each day (in reviews), carried to the next study day."""
    unreviewed_in_window: float = 0.0
    """Cards still owed their final-window review at the exam."""


class PlanEngine:
    """Runs candidate schedules over one set of cards; forecasts are computed once and reused."""

    def __init__(
        self,
        seen: Sequence[SeenCard],
        unseen: int,
        model: GradeModel,
        window: int,
        limit: int,
        seconds_per_new: float,
        seconds_per_review: float,
    ) -> None:
        self._seen = seen
        self._unseen = unseen
        self._model = model
        self._window = window
        self._limit = limit
        self._spn = seconds_per_new
        self._spr = seconds_per_review
        self._kernel = Forecast(model, window, limit, _KERNEL_PRUNE)
        self._kernel.add(0, 0, INITIAL_EASINESS_HUNDREDTHS, 0, 1.0)
        self._existing: dict[tuple[int, ...], Forecast] = {}
        self.tolerance = _EPS * (1 + len(seen) + unseen)

    def _placements(self, card: SeenCard, spread: tuple[int, ...]) -> list[tuple[int, float]]:
        if card.due >= 0:
            return [(card.due, 1.0)]
        if not spread:  # no study day at all: the overdue review stays owed from today
            return [(0, 1.0)]
        return [(day, 1.0 / len(spread)) for day in spread]

    def _forecast(self, spread: tuple[int, ...], horizon: int) -> Forecast:
        forecast = self._existing.get(spread)
        if forecast is None:
            forecast = Forecast(self._model, self._window, self._limit, _CARD_PRUNE)
            cohorts: dict[tuple[int, int, int, int], float] = {}
            for card in self._seen:
                for day, mass in self._placements(card, spread):
                    key = (day, card.repetitions, card.easiness, card.interval)
                    cohorts[key] = cohorts.get(key, 0.0) + mass
            for (day, rep, ef, interval), mass in cohorts.items():
                forecast.add(day, rep, ef, interval, mass)
            self._existing[spread] = forecast
        forecast.extend(horizon)
        return forecast

    def _first_in_window(
        self, scn: Scenario, spread: tuple[int, ...], existing: Forecast, intros: Sequence[int]
    ) -> tuple[list[float], float]:
        """Cards whose first review in the window falls on each day, and the rest."""
        horizon, start = scn.horizon, scn.window_start
        first = [0.0] * horizon
        if start > 0:
            for j, mass in enumerate(existing.snapshots[start]):
                first[start + j] += mass
            outside = len(self._seen) - sum(existing.snapshots[start])
            self._kernel.extend(horizon)
            for day, count in enumerate(intros[:start]):
                if count:
                    snap = self._kernel.snapshots[start - day]
                    for j, mass in enumerate(snap):
                        first[start + j] += count * mass
                    outside += count * (1.0 - sum(snap))
        else:
            outside = 0.0
            for card in self._seen:
                if card.last_review is None or card.last_review < start:
                    outside += 1.0
                    for day, mass in self._placements(card, spread):
                        if day < horizon:
                            first[day] += mass
                            outside -= mass
        return first, max(0.0, outside)

    def _redirect(
        self,
        outside: float,
        start: int,
        last_study: int,
        study: Sequence[bool],
        redirected: list[float],
        extra: list[float],
    ) -> float:
        """Spread reviews of cards not due in the window over its study days.

        Returns the part that has no study day to go to. A redirected review that lapses
        comes back the next day (and again with the lapse probability), added to ``extra``.
        """
        targets = [d for d in range(start, last_study + 1) if study[d]]
        if not targets:
            return outside
        share = outside / len(targets)
        for target in targets:
            redirected[target] += share
            follow, day = share * self._model.lapse, target + 1
            while follow > _EPS and day < len(extra):
                extra[day] += follow
                follow, day = follow * self._model.lapse, day + 1
        return 0.0

    def run(self, scn: Scenario, mode: str) -> Outcome:
        """Schedule reviews and new cards day by day under ``scn`` with a pacing ``mode``."""
        horizon, study, spr, spn = scn.horizon, scn.study, self._spr, self._spn
        start = max(scn.window_start, 0)
        before = [d for d in range(min(scn.window_start, horizon)) if study[d]]
        spread = tuple((before or [d for d in range(horizon) if study[d]])[:BACKLOG_SPREAD_DAYS])
        existing = self._forecast(spread, horizon)
        self._kernel.extend(horizon)
        kernel = self._kernel.reviews
        intro_days = [d for d in range(min(scn.cutoff + 1, horizon)) if study[d]]
        pace = {"even": len(intro_days), "front": (len(intro_days) + 1) // 2}.get(mode, 1)
        last_study = max((d for d in range(horizon) if study[d]), default=-1)

        incoming = [0.0] * horizon
        natural_first = [0.0] * horizon
        redirected = [0.0] * horizon
        extra = [0.0] * horizon
        new = [0] * horizon
        reviews = [0.0] * horizon
        window_cards = [0.0] * horizon
        carried = [0.0] * horizon
        remaining, intro_index = self._unseen, 0
        owed_first = owed_other = 0.0
        for day in range(horizon):
            if day == start:
                natural_first, outside = self._first_in_window(scn, spread, existing, new)
                outside += sum(natural_first[last_study + 1 :])
                owed_first += self._redirect(outside, start, last_study, study, redirected, extra)
            if day > last_study and day > start:
                break
            natural = existing.reviews[day] + incoming[day]
            owed_first += natural_first[day] + redirected[day]
            owed_other += max(0.0, natural - natural_first[day]) + extra[day]
            if not study[day]:
                continue
            room = scn.capacity[day] / spr
            done_first = min(owed_first, room)
            done_other = min(owed_other, room - done_first)
            owed_first -= done_first
            owed_other -= done_other
            reviews[day] = done_first + done_other
            carried[day] = owed_first + owed_other
            seconds_left = scn.capacity[day] - reviews[day] * spr
            if day <= scn.cutoff and remaining > 0:
                quota = math.ceil(remaining / max(1, pace - intro_index))
                count = min(quota, int(seconds_left / spn + 1e-9), remaining)
                intro_index += 1
                if count > 0:
                    new[day] = count
                    remaining -= count
                    tail = kernel[1 : horizon - day]
                    incoming[day + 1 :] = [
                        a + count * k for a, k in zip(incoming[day + 1 :], tail, strict=True)
                    ]
            if day >= start:
                window_cards[day] = done_first + new[day]
        undone = owed_first + owed_other
        return Outcome(
            feasible=remaining == 0 and undone <= self.tolerance,
            new=tuple(new),
            reviews=tuple(reviews),
            window_cards=tuple(window_cards),
            unintroduced=remaining,
            undone=undone,
            carried=tuple(carried),
            unreviewed_in_window=owed_first,
        )
