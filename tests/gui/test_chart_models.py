"""What each chart says: its view model, built from known series (no widgets here)."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from mlstudy.gui.charts.activity import due_forecast_model, reviews_per_day_model
from mlstudy.gui.charts.axes import timestamp
from mlstudy.gui.charts.cards import card_states_model
from mlstudy.gui.charts.heatmap import heatmap_model
from mlstudy.gui.charts.mastery import mastery_over_time_model, mastery_vs_weight_model
from mlstudy.gui.charts.palette import DARK, LIGHT, STATE_COLORS, Palette, rgb
from mlstudy.gui.charts.plan import plan_vs_actual_model
from mlstudy.gui.charts.retention import retention_model
from mlstudy.gui.theme import domain_color
from tests.gui.progress_samples import TODAY, empty_data, sample_data


def test_every_model_is_none_when_there_is_nothing_to_draw() -> None:
    data = empty_data()
    assert mastery_over_time_model(data) is None
    assert mastery_vs_weight_model(data, LIGHT) is None
    assert reviews_per_day_model(data) is None
    assert due_forecast_model(data, 30, LIGHT) is None
    assert heatmap_model(data, LIGHT) is None
    assert card_states_model(data) is None
    assert plan_vs_actual_model(data, LIGHT) is None
    assert retention_model(data) is None


# ----- mastery --------------------------------------------------------------------------


def test_mastery_bars_show_mastery_solid_on_the_left_and_weight_pale_on_the_right() -> None:
    model = mastery_vs_weight_model(sample_data(), LIGHT)
    assert model is not None
    assert model.labels == (
        "1. Data Engineering",
        "2. Exploratory Data Analysis",
        "3. Modeling",
        "4. Machine Learning Implementation and Operations",
    )
    # sample mastery {1: 42%, 2: 30%, 3: 55%, 4: 12%}; weights 20, 24, 36, 20
    assert model.mastery.heights == pytest.approx((42, 30, 55, 12))
    assert model.weight.heights == pytest.approx((20, 24, 36, 20))
    for index in range(4):
        assert model.mastery.x[index] < index < model.weight.x[index]
    assert model.mastery.fill_alpha == 255 and model.weight.fill_alpha < 128
    colors = tuple(domain_color(number) for number in (1, 2, 3, 4))
    assert model.mastery.colors == model.weight.colors == colors
    assert "Mastery 12%" in model.hover[3] and "Exam weight 20%" in model.hover[3]
    assert model.y_max == 100


def test_mastery_bars_follow_the_domain_not_the_order_of_the_mastery_mapping() -> None:
    data = replace(sample_data(), mastery={4: 0.9, 1: 0.1})  # 2 and 3 never reviewed
    model = mastery_vs_weight_model(data, LIGHT)
    assert model is not None
    assert model.mastery.heights == pytest.approx((10, 0, 0, 90))


def test_mastery_over_time_has_one_line_per_domain_in_percent() -> None:
    data = sample_data()
    model = mastery_over_time_model(data)
    assert model is not None
    assert [line.domain for line in model.lines] == [1, 2, 3, 4]
    assert len(model.days) == 90 and model.days[-1] == TODAY
    modeling = model.lines[2]
    assert modeling.color == domain_color(3)
    assert modeling.values[-1] == pytest.approx(0.002 * 89 * 3 * 100)
    assert "3. Modeling 53%" in model.legend


# ----- activity -------------------------------------------------------------------------


def test_reviews_per_day_stacks_new_review_and_drill_answers() -> None:
    data = sample_data()
    model = reviews_per_day_model(data)
    assert model is not None
    new, review, drill = model.stacks
    assert (new.name, review.name, drill.name) == ("new", "review", "drill")
    expected = {kind: [c for _, c in data.reviews_per_day[kind]] for kind in ("new", "review")}
    drills = [count for _, count in data.reviews_per_day["drill"]]
    assert list(drill.heights) == drills
    assert list(drill.bottoms) == [a + b for a, b in zip(*expected.values(), strict=True)]
    assert list(model.totals) == [t + d for t, d in zip(drill.bottoms, drills, strict=True)]
    assert "Drill 90" in model.legend


def test_a_day_of_drills_only_is_drawn() -> None:
    data = empty_data()
    data = replace(
        data, reviews_per_day={**data.reviews_per_day, "drill": [(TODAY, 6)]}, total_reviews=6
    )
    model = reviews_per_day_model(data)
    assert model is not None
    assert model.totals == (6,)
    assert model.stacks[-1].name == "drill" and model.stacks[-1].tops == (6,)


def test_due_forecast_marks_today_and_follows_the_span() -> None:
    data = sample_data()
    month = due_forecast_model(data, 30, DARK)
    quarter = due_forecast_model(data, 90, DARK)
    assert month is not None and quarter is not None
    assert len(month.bars.heights) == 30 and len(quarter.bars.heights) == 90
    assert month.bars.colors[0] == STATE_COLORS["due"]
    assert set(month.bars.colors[1:]) == {DARK.accent}
    assert month.bars.x[1] == timestamp(TODAY + timedelta(days=1))
    assert month.bars.heights[1] == 7  # (1 x 7) % 13
    assert "172 reviews in the next 30 days" in month.legend


# ----- calendar -------------------------------------------------------------------------


def luminance(color: str) -> float:
    red, green, blue = rgb(color)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=["light", "dark"])
def test_the_busiest_day_gets_the_strongest_colour(palette: Palette) -> None:
    data = sample_data()
    model = heatmap_model(data, palette)
    assert model is not None
    assert model.weeks == 26 and model.first.weekday() == 0
    assert (model.scale_min, model.scale_max) == (1, 8)
    cells = {
        (row, week): model.counts[row][week]
        for row in range(7)
        for week in range(model.weeks)
        if model.day_at(row, week) <= TODAY
    }
    by_count: dict[int, set[str]] = {}
    for (row, week), count in cells.items():
        by_count.setdefault(count, set()).add(model.colors[row][week])
    assert all(len(colors) == 1 for colors in by_count.values())  # a count has one colour
    shade = {count: colors.pop() for count, colors in by_count.items()}
    assert shade[8] == palette.heat_high
    assert shade[1] == model.low
    assert shade[0] == palette.heat_empty
    # Along the scale each busier day moves further from the quiet colour, towards high.
    steps = [luminance(shade[count]) for count in range(1, 9)]
    towards_high = luminance(palette.heat_high) - luminance(palette.heat_low)
    assert all((b - a) * towards_high > 0 for a, b in itertools.pairwise(steps))


def test_days_after_today_are_blank_and_counts_sit_on_their_weekday() -> None:
    model = heatmap_model(sample_data(), LIGHT)
    assert model is not None
    thursday, friday = (3, 25), (4, 25)
    assert model.day_at(*thursday) == TODAY
    assert model.colors[friday[0]][friday[1]] == LIGHT.background
    day_index = (TODAY - model.first).days
    assert model.counts[3][25] == day_index % 9


# ----- cards, plan, retention -----------------------------------------------------------


def test_card_states_pair_each_count_with_its_state() -> None:
    model = card_states_model(sample_data())
    assert model is not None
    assert dict(zip(model.labels, model.bars.heights, strict=True)) == {
        "New": 50,
        "Learning": 30,
        "Mature": 20,
        "Due today": 12,
    }
    assert model.bars.colors == tuple(STATE_COLORS[k] for k in ("new", "learning", "mature", "due"))
    assert model.legend.startswith("100 active cards")


def test_plan_line_starts_on_the_plan_start_and_bars_hold_the_answers() -> None:
    data = sample_data()
    model = plan_vs_actual_model(data, LIGHT)
    assert model is not None
    assert len(model.answered.heights) == 50
    assert model.answered.heights[14] == 35 and model.answered.heights[15] == 0
    assert model.planned_x[0] == timestamp(TODAY) and len(model.planned) == 36
    assert set(model.planned) == {40.0}
    assert model.today_x == timestamp(TODAY)
    assert "Answered: 35" in model.hover[14] and "Planned: 40" in model.hover[14]
    assert "Planned" not in model.hover[0]  # before the plan: nothing planned to show


def test_retention_rows_give_rate_and_counts_per_period() -> None:
    model = retention_model(sample_data())
    assert model is not None
    assert model.rows[0][0] == "Today"
    assert model.rows[1] == ("Last 7 days", "75%  (30/40)", "92%  (12/13)", "79%  (42/53)")
    assert model.rows[4][3] == "86%  (610/710)"


def test_the_plan_line_skips_days_off_instead_of_dipping_to_zero() -> None:
    data = sample_data()
    off = {TODAY + timedelta(days=n) for n in (5, 6, 12, 13)}
    points = [
        (day, 0.0 if day in off else planned, done) for day, planned, done in data.plan_vs_actual
    ]
    model = plan_vs_actual_model(replace(data, plan_vs_actual=points), LIGHT)
    assert model is not None
    assert 0.0 not in model.planned
    assert len(model.planned) == 36 - len(off)
    assert not {timestamp(day) for day in off} & set(model.planned_x)


def test_day_ticks_name_the_month_and_never_show_hours(qtbot: object) -> None:
    import pyqtgraph as pg

    from mlstudy.gui.charts.axes import DAY_SECONDS, DayAxis

    axis = DayAxis(orientation="bottom", utcOffset=0)
    plot = pg.PlotWidget(axisItems={"bottom": axis})
    start = timestamp(TODAY)
    plot.setXRange(start, start + 3 * DAY_SECONDS, padding=0)
    plot.resize(600, 200)
    plot.grab()  # a paint: the axis measures its font there
    levels = axis.tickValues(start, start + 3 * DAY_SECONDS, 600)  # a three-day chart
    assert levels and all(spacing >= DAY_SECONDS for spacing, _values in levels)
    for spacing, values in levels:
        assert all(value % DAY_SECONDS == 0 for value in values)  # midnights, no hours
        for label in axis.tickStrings(values, 1.0, spacing):
            assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", label), label  # "5 Nov"
    assert axis.tickStrings([start], 1.0, DAY_SECONDS) == [f"{TODAY.day} {TODAY:%b}"]
    months = axis.tickStrings([start], 1.0, 30 * DAY_SECONDS)
    assert months[0] in (f"{TODAY:%b}", f"{TODAY:%b %Y}")


def test_mastery_vs_weight_names_every_domain_in_full_in_its_legend() -> None:
    data = sample_data()
    model = mastery_vs_weight_model(data, LIGHT)
    assert model is not None
    assert model.axis_labels == tuple(f"Domain {d.number}" for d in data.domains)
    for domain in data.domains:
        assert f"{domain.number}. {domain.name}" in model.legend
