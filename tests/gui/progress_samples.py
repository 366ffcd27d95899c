"""Made-up progress series for the chart tests: enough for every chart, or nothing."""

from __future__ import annotations

from datetime import date, timedelta

from mlstudy.core.progress import RetentionRow
from mlstudy.services.progress import DomainInfo, ProgressData

TODAY = date(2026, 11, 5)  # a Thursday
DOMAINS = (
    DomainInfo(1, "Data Engineering", 0.20),
    DomainInfo(2, "Exploratory Data Analysis", 0.24),
    DomainInfo(3, "Modeling", 0.36),
    DomainInfo(4, "Machine Learning Implementation and Operations", 0.20),
)


def sample_data() -> ProgressData:
    """Ninety days of made-up series, enough for every chart to draw."""
    days = [TODAY - timedelta(days=89 - n) for n in range(90)]
    monday = TODAY - timedelta(days=TODAY.weekday() + 7 * 25)
    plan_days = [TODAY - timedelta(days=14) + timedelta(days=n) for n in range(50)]
    return ProgressData(
        today=TODAY,
        domains=DOMAINS,
        mastery={1: 0.42, 2: 0.30, 3: 0.55, 4: 0.12},
        readiness=0.3888,
        weakest_domain=4,
        mastery_over_time={
            d.number: [(day, min(1.0, 0.002 * n * d.number)) for n, day in enumerate(days)]
            for d in DOMAINS
        },
        reviews_per_day={
            "new": [(day, n % 7) for n, day in enumerate(days)],
            "review": [(day, (n * 3) % 11) for n, day in enumerate(days)],
            "drill": [(day, n % 3) for n, day in enumerate(days)],
        },
        due_30=[(TODAY + timedelta(days=n), (n * 7) % 13) for n in range(30)],
        due_90=[(TODAY + timedelta(days=n), (n * 7) % 13) for n in range(90)],
        heatmap=[
            (monday + timedelta(days=n), 0 if monday + timedelta(days=n) > TODAY else n % 9)
            for n in range(26 * 7)
        ],
        retention=(
            RetentionRow("today", 3, 4, 1, 1),
            RetentionRow("week", 30, 40, 12, 13),
            RetentionRow("month", 120, 150, 50, 55),
            RetentionRow("year", 400, 480, 210, 230),
            RetentionRow("all", 400, 480, 210, 230),
        ),
        card_states={"new": 50, "learning": 30, "mature": 20, "due": 12},
        plan_vs_actual=[
            (day, 40.0 if day >= TODAY else 0.0, 35 if day <= TODAY else 0) for day in plan_days
        ],
        plan_start=TODAY,
        total_reviews=1234,
        cards=100,
    )


def empty_data() -> ProgressData:
    """No exam domains, no cards, no answers: every chart has nothing to draw."""
    return ProgressData(
        today=TODAY,
        domains=(),
        mastery={},
        readiness=0.0,
        weakest_domain=None,
        mastery_over_time={},
        reviews_per_day={"new": [(TODAY, 0)], "review": [(TODAY, 0)], "drill": [(TODAY, 0)]},
        due_30=[(TODAY, 0)],
        due_90=[(TODAY, 0)],
        heatmap=[(TODAY, 0)],
        retention=(RetentionRow("all", 0, 0, 0, 0),),
        card_states={"new": 0, "learning": 0, "mature": 0, "due": 0},
    )
