"""Progress series over constructed review logs, against hand-computed values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlstudy.core.mastery import domain_mastery
from mlstudy.core.models import CardSnapshot, ReviewEvent, ReviewKind
from mlstudy.core.progress import (
    RetentionRow,
    ReviewLog,
    calendar_heatmap,
    card_states,
    due_forecast,
    mastery_over_time,
    plan_vs_actual,
    reviews_per_day,
    true_retention,
)
from mlstudy.core.sm2 import Sm2State

NEW, REVIEW, DRILL = ReviewKind.NEW, ReviewKind.REVIEW, ReviewKind.DRILL
JAN = date(2026, 1, 1)
TODAY = date(2026, 11, 25)  # a Wednesday


def day(n: int) -> date:
    """The n-th day of January 2026 (day(1) is 1 January)."""
    return JAN + timedelta(days=n - 1)


def answer(
    card_id: int,
    on: date,
    grade: int = 4,
    kind: ReviewKind = REVIEW,
    before: int = 1,
    after: int = 1,
    domain: int = 1,
) -> ReviewEvent:
    """One review-log row."""
    return ReviewEvent(card_id, domain, on, grade, kind, before, after)


def values(series: list[tuple[date, float]]) -> list[float]:
    return [value for _, value in series]


# mastery_over_time


def test_mastery_over_time_follows_a_three_card_history_computed_by_hand() -> None:
    cards = {1: 1, 2: 1, 3: 2, 4: 2}  # card 4 is never reviewed but counts in domain 2
    events = [
        answer(1, day(3), grade=5, kind=REVIEW, before=1, after=6),  # out of order on purpose
        answer(1, day(1), grade=4, kind=NEW, before=0, after=1),  # before the range
        answer(2, day(2), grade=2, kind=NEW, before=0, after=1),
        answer(2, day(2), grade=4, kind=DRILL, before=1, after=1),  # leaves the state alone
        answer(3, day(3), grade=4, kind=NEW, before=0, after=1, domain=2),
        answer(99, day(3), grade=4, kind=NEW, before=0, after=1),  # not an exam card: ignored
        answer(3, day(6), grade=4, kind=REVIEW, before=1, after=6, domain=2),  # after the range
    ]
    series = mastery_over_time(events, cards, day(2), day(5))

    assert list(series) == [1, 2]
    assert [d for d, _ in series[1]] == [day(2), day(3), day(4), day(5)]
    # Domain 1: card 1 (1 day, then 6 days from day 3) and card 2 (1 day from day 2).
    assert values(series[1]) == pytest.approx(
        [
            (0.9 + 1.0) / 2,
            (1.0 + 0.9) / 2,
            (0.9 ** (1 / 6) + 0.81) / 2,
            (0.9 ** (2 / 6) + 0.729) / 2,
        ]
    )
    # Domain 2: card 3 (1 day from day 3) over two cards.
    assert values(series[2]) == pytest.approx([0.0, 0.5, 0.45, 0.405])


def test_mastery_over_time_matches_domain_mastery_of_the_same_day() -> None:
    events = [
        answer(1, day(1), kind=NEW, before=0, after=1),
        answer(1, day(2), before=1, after=6),
        answer(1, day(8), before=6, after=15),
        answer(2, day(1), kind=NEW, grade=1, before=0, after=1),
        answer(2, day(2), grade=3, before=1, after=6, domain=2),
    ]
    cards = [
        CardSnapshot(1, 1, Sm2State(3, 250, 15), due=day(23), last_review=day(8)),
        CardSnapshot(2, 2, Sm2State(2, 236, 6), due=day(8), last_review=day(2)),
    ]
    series = mastery_over_time(events, {1: 1, 2: 2}, day(20), day(20))
    assert {d: s[0][1] for d, s in series.items()} == pytest.approx(
        domain_mastery(cards, day(20), [1, 2])
    )


def test_mastery_over_time_without_answers_is_zero_for_every_domain() -> None:
    series = mastery_over_time([], {1: 1, 2: 3}, day(1), day(3))
    assert series == {
        1: [(day(1), 0.0), (day(2), 0.0), (day(3), 0.0)],
        3: [(day(1), 0.0), (day(2), 0.0), (day(3), 0.0)],
    }


def test_mastery_over_time_of_no_cards_or_no_days_is_empty() -> None:
    events = [answer(1, day(1), kind=NEW, before=0, after=1)]
    assert mastery_over_time(events, {}, day(1), day(5)) == {}
    assert mastery_over_time(events, {1: 1}, day(5), day(1)) == {1: []}


def test_mastery_over_time_reads_an_interval_of_zero_as_one_day() -> None:
    events = [answer(1, day(1), kind=NEW, before=0, after=0)]
    series = mastery_over_time(events, {1: 1}, day(1), day(3))
    assert values(series[1]) == pytest.approx([1.0, 0.9, 0.81])


def test_mastery_over_time_keeps_the_last_of_two_answers_on_one_day() -> None:
    events = [
        answer(1, day(1), kind=NEW, before=0, after=1),
        answer(1, day(1), kind=REVIEW, before=1, after=10),
    ]
    series = mastery_over_time(events, {1: 1}, day(1), day(11))
    assert values(series[1])[-1] == pytest.approx(0.9)


def naive_mastery(
    events: list[ReviewEvent], cards: dict[int, int], start: date, end: date
) -> dict[int, list[float]]:
    """Mastery per day rebuilt from snapshots, one day at a time (the slow, obvious way)."""
    ordered = sorted(events, key=lambda e: e.day)  # stable: same-day answers keep log order
    result: dict[int, list[float]] = {d: [] for d in sorted(set(cards.values()))}
    current = start
    while current <= end:
        last: dict[int, ReviewEvent] = {}
        for event in ordered:
            if event.day <= current and event.kind != DRILL and event.card_id in cards:
                last[event.card_id] = event
        snapshots = [
            CardSnapshot(
                card_id,
                domain,
                Sm2State(1, 250, last[card_id].interval_after) if card_id in last else None,
                last_review=last[card_id].day if card_id in last else None,
            )
            for card_id, domain in cards.items()
        ]
        for number, level in domain_mastery(snapshots, current, result).items():
            result[number].append(level)
        current += timedelta(days=1)
    return result


random_answer = st.builds(
    answer,
    card_id=st.integers(1, 6),
    on=st.integers(1, 30).map(day),
    kind=st.sampled_from(list(ReviewKind)),
    after=st.integers(0, 40),
)


@settings(max_examples=150, deadline=None)
@given(
    events=st.lists(random_answer, max_size=40),
    domains=st.lists(st.integers(1, 3), min_size=5, max_size=5),
    start=st.integers(1, 30),
    length=st.integers(1, 20),
)
def test_mastery_over_time_agrees_with_a_day_by_day_rebuild(
    events: list[ReviewEvent], domains: list[int], start: int, length: int
) -> None:
    cards = dict(enumerate(domains, start=1))  # card 6 appears in answers only
    fast = mastery_over_time(events, cards, day(start), day(start + length - 1))
    slow = naive_mastery(events, cards, day(start), day(start + length - 1))
    assert {d: values(s) for d, s in fast.items()} == {
        d: pytest.approx(s, abs=1e-9) for d, s in slow.items()
    }


# reviews_per_day, calendar_heatmap, plan_vs_actual


def test_reviews_per_day_counts_each_kind_and_fills_empty_days() -> None:
    events = [
        answer(1, day(1), kind=NEW),
        answer(1, day(1), kind=DRILL),
        answer(1, day(1), kind=DRILL),
        answer(2, day(3), kind=REVIEW),
        answer(3, day(3), kind=REVIEW),
        answer(4, day(4), kind=REVIEW),  # after the range
    ]
    series = reviews_per_day(events, day(1), day(3))
    assert list(series) == [NEW, REVIEW, DRILL]
    assert series[NEW] == [(day(1), 1), (day(2), 0), (day(3), 0)]
    assert series[REVIEW] == [(day(1), 0), (day(2), 0), (day(3), 2)]
    assert series[DRILL] == [(day(1), 2), (day(2), 0), (day(3), 0)]


def test_reviews_per_day_of_an_empty_log_is_all_zero() -> None:
    series = reviews_per_day([], day(1), day(2))
    assert all(points == [(day(1), 0), (day(2), 0)] for points in series.values())
    assert reviews_per_day([], day(2), day(1)) == {NEW: [], REVIEW: [], DRILL: []}


def test_calendar_heatmap_covers_whole_weeks_up_to_the_sunday_of_today() -> None:
    first_monday = date(2026, 6, 1)  # 26 weeks before the week of 23-29 November 2026
    events = [
        answer(1, first_monday),
        answer(2, first_monday - timedelta(days=1)),  # the Sunday before: outside
        answer(1, TODAY, kind=DRILL),
        answer(3, TODAY),
    ]
    heatmap = calendar_heatmap(events, TODAY)
    assert len(heatmap) == 26 * 7
    assert heatmap[0] == (first_monday, 1)
    assert heatmap[-1] == (date(2026, 11, 29), 0)
    assert dict(heatmap)[TODAY] == 2
    assert sum(count for _, count in heatmap) == 3


def test_calendar_heatmap_of_one_week_and_no_answers() -> None:
    week = calendar_heatmap([], TODAY, weeks=1)
    assert week == [(date(2026, 11, 23) + timedelta(days=n), 0) for n in range(7)]
    sunday = date(2026, 11, 29)
    assert calendar_heatmap([], sunday, weeks=1) == week
    assert calendar_heatmap([], TODAY, weeks=0) == []


def test_plan_vs_actual_compares_planned_cards_with_cards_answered() -> None:
    planned = [(day(1), 20.0), (day(2), 15.5), (day(2), 4.5), (day(9), 50.0)]
    events = [
        answer(1, day(1), kind=NEW),
        answer(1, day(1), kind=DRILL),
        answer(2, day(1), kind=REVIEW),
        answer(3, day(3), kind=REVIEW),
    ]
    assert plan_vs_actual(planned, events, day(1), day(3)) == [
        (day(1), 20.0, 2),
        (day(2), 20.0, 0),
        (day(3), 0.0, 1),
    ]
    with_drills = plan_vs_actual(planned, events, day(1), day(1), include_drills=True)
    assert with_drills == [(day(1), 20.0, 3)]


def test_plan_vs_actual_with_nothing_planned_or_done() -> None:
    assert plan_vs_actual([], [], day(1), day(2)) == [(day(1), 0.0, 0), (day(2), 0.0, 0)]
    assert plan_vs_actual([], [], day(2), day(1)) == []


# true_retention


def test_true_retention_counts_only_the_first_answer_of_each_card_each_day() -> None:
    t = TODAY
    events = [
        answer(1, t, grade=4, before=6),  # young pass, today
        answer(1, t, grade=5, kind=DRILL, before=1),
        answer(2, t, grade=2, before=30),  # mature lapse, today
        answer(2, t, grade=4, kind=DRILL, before=1),  # a later answer: does not count
        answer(3, t, grade=5, kind=NEW, before=0),  # introduced today: does not count
        answer(4, t - timedelta(days=3), grade=3, before=21),  # mature pass, week
        answer(9, t - timedelta(days=1), grade=1, before=5),  # young lapse, week
        answer(9, t - timedelta(days=1), grade=5, before=5),  # second answer of the day
        answer(5, t - timedelta(days=20), grade=1, before=10),  # young lapse, month
        answer(6, t - timedelta(days=100), grade=5, before=40),  # mature pass, year
        answer(7, t - timedelta(days=400), grade=4, before=2),  # young pass, all
        answer(8, t + timedelta(days=1), grade=0, before=3),  # after today: left out
    ]
    rows = true_retention(events, t)
    assert rows == [
        RetentionRow("today", 1, 1, 0, 1),
        RetentionRow("week", 1, 2, 1, 2),
        RetentionRow("month", 1, 3, 1, 2),
        RetentionRow("year", 1, 3, 2, 3),
        RetentionRow("all", 2, 4, 2, 3),
    ]
    assert (rows[0].young_rate, rows[0].mature_rate, rows[0].rate) == (1.0, 0.0, 0.5)
    assert rows[4].rate == pytest.approx(4 / 7)


def test_true_retention_with_huge_card_ids_takes_the_same_first_answers() -> None:
    # Ids this far apart overflow the fast sort key and take the lexsort path.
    events = [
        answer(1, day(1), grade=1, before=3),
        answer(2**60, day(1), grade=5, before=30),
        answer(1, day(1), grade=5, before=3),
        answer(2**60, day(2), grade=1, before=30),
        answer(2**60, day(2), grade=5, before=30),
    ]
    assert true_retention(events, day(2))[-1] == RetentionRow("all", 0, 1, 1, 2)


def test_true_retention_of_an_empty_log_has_every_period_and_no_rate() -> None:
    rows = true_retention([], TODAY)
    assert [row.period for row in rows] == ["today", "week", "month", "year", "all"]
    assert all(row == RetentionRow(row.period, 0, 0, 0, 0) for row in rows)
    assert (rows[0].young_rate, rows[0].mature_rate, rows[0].rate) == (None, None, None)


# due_forecast, card_states


def card(
    card_id: int, repetitions: int, interval: int, due: date | None, domain: int = 1
) -> CardSnapshot:
    """A reviewed card with an SM-2 state and a due day."""
    state = Sm2State(repetitions=repetitions, easiness_hundredths=250, interval_days=interval)
    return CardSnapshot(card_id, domain, state, due=due, last_review=JAN)


def test_due_forecast_counts_overdue_cards_on_today() -> None:
    cards = [
        card(1, 3, 15, TODAY - timedelta(days=10)),
        card(2, 3, 15, TODAY),
        card(3, 3, 15, TODAY + timedelta(days=2)),
        card(4, 3, 15, TODAY + timedelta(days=2)),
        card(5, 3, 15, TODAY + timedelta(days=3)),  # beyond the three days shown
        CardSnapshot(6, 1),  # new
    ]
    assert due_forecast(cards, TODAY, 3) == [
        (TODAY, 2),
        (TODAY + timedelta(days=1), 0),
        (TODAY + timedelta(days=2), 2),
    ]


def test_due_forecast_of_nothing() -> None:
    assert due_forecast([], TODAY, 2) == [(TODAY, 0), (TODAY + timedelta(days=1), 0)]
    assert due_forecast([card(1, 3, 15, TODAY)], TODAY, 0) == []


def test_card_states_split_new_learning_and_mature_and_count_due() -> None:
    cards = [
        CardSnapshot(1, 1),
        CardSnapshot(2, 1),
        card(3, 1, 1, TODAY - timedelta(days=1)),  # learning, overdue
        card(4, 2, 6, TODAY),  # learning, due
        card(5, 4, 20, TODAY + timedelta(days=1)),  # interval under 21: learning
        card(6, 5, 21, TODAY),  # mature, due
        card(7, 6, 50, TODAY + timedelta(days=30)),  # mature
    ]
    assert card_states(cards, TODAY) == {"new": 2, "learning": 3, "mature": 2, "due": 3}
    assert card_states([], TODAY) == {"new": 0, "learning": 0, "mature": 0, "due": 0}


# ReviewLog


def test_a_shared_review_log_gives_the_same_series_as_the_events() -> None:
    events = [
        answer(1, day(1), kind=NEW, before=0, after=1),
        answer(1, day(2), grade=2, before=1, after=1),
        answer(1, day(2), kind=DRILL),
        answer(2, day(2), kind=NEW, before=0, after=1, domain=2),
    ]
    log = ReviewLog(iter(events))  # a one-shot iterable is kept as a list
    assert len(log) == 4
    assert log.day.tolist() == [e.day.toordinal() for e in events]
    cards = {1: 1, 2: 2}
    assert mastery_over_time(log, cards, day(1), day(4)) == mastery_over_time(
        events, cards, day(1), day(4)
    )
    assert reviews_per_day(log, day(1), day(2)) == reviews_per_day(events, day(1), day(2))
    assert true_retention(log, day(2)) == true_retention(events, day(2))


def test_mastery_over_time_handles_sparse_card_ids_and_huge_intervals() -> None:
    # Ids far apart skip the lookup table; an interval past 2**20 skips the counting pass.
    big = 10**12
    events = [
        answer(big + 1, day(1), kind=NEW, before=0, after=1),
        answer(big + 2, day(1), kind=NEW, before=0, after=2_000_000),
        answer(5, day(1), kind=NEW, before=0, after=1),  # not an exam card
    ]
    series = mastery_over_time(events, {big + 1: 1, big + 2: 1}, day(1), day(3))
    assert values(series[1]) == pytest.approx(
        [1.0, (0.9 + 0.9 ** (1 / 2_000_000)) / 2, (0.81 + 0.9 ** (2 / 2_000_000)) / 2]
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 60),
            st.integers(0, 40),
            st.integers(0, 5),
            st.sampled_from([REVIEW, DRILL, NEW]),
            st.integers(0, 60),
        ),
        max_size=80,
    )
)
def test_true_retention_equals_a_plain_scan_of_the_log(
    rows: list[tuple[int, int, int, ReviewKind, int]],
) -> None:
    """Any log, in any order: the counts match a first-seen set walked in log order."""
    events = [answer(c, day(1) + timedelta(days=d), g, k, before=b) for c, d, g, k, b in rows]
    today = day(1) + timedelta(days=30)  # answers after it are left out
    seen: set[tuple[int, date]] = set()
    counted: list[ReviewEvent] = []
    for event in events:
        if (event.card_id, event.day) not in seen:
            seen.add((event.card_id, event.day))
            if event.kind is not NEW and event.day <= today:
                counted.append(event)
    everything = true_retention(events, today)[-1]
    young = [e for e in counted if e.interval_before < 21]
    mature = [e for e in counted if e.interval_before >= 21]
    assert everything.young_total == len(young)
    assert everything.mature_total == len(mature)
    assert everything.young_passed == sum(e.grade >= 3 for e in young)
    assert everything.mature_passed == sum(e.grade >= 3 for e in mature)
