"""The progress charts and page offscreen: data, empty states, hover, themes, PNG export."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from mlstudy.gui import progress_page as progress_page_module
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.charts import (
    ALL_CHARTS,
    CalendarHeatmap,
    CardStates,
    Chart,
    DueForecast,
    MasteryOverTime,
    MasteryVsWeight,
    PlanVsActual,
    PlotChart,
    Retention,
    ReviewsPerDay,
    timestamp,
)
from mlstudy.gui.charts.activity import DueForecastModel, ReviewsPerDayModel
from mlstudy.gui.charts.base import Bars
from mlstudy.gui.charts.cards import CardStatesModel
from mlstudy.gui.charts.mastery import MasteryVsWeightModel
from mlstudy.gui.charts.palette import DARK, LIGHT
from mlstudy.gui.charts.plan import PlanVsActualModel
from mlstudy.gui.progress_page import ProgressPage
from mlstudy.services import Changes, Library
from mlstudy.services.progress import ProgressData, compute_progress
from tests.conftest import FakeClock
from tests.gui.progress_samples import TODAY, empty_data, sample_data


def distinct_colours(image: QImage, step: int = 7) -> int:
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }
    return len(colours)


@pytest.mark.parametrize("chart_class", ALL_CHARTS, ids=lambda c: c.slug)
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_chart_draws_data_and_an_empty_state(
    qtbot: QtBot, chart_class: type[Chart], dark: bool
) -> None:
    chart = chart_class(dark=dark)
    qtbot.addWidget(chart)
    chart.resize(700, 360)
    chart.show()
    chart.set_progress(sample_data())
    qtbot.wait(10)
    assert not chart.is_empty and chart.model is not None
    assert chart.legend.text() == chart.model.legend and chart.legend.isVisible()

    chart.set_progress(empty_data())
    assert chart.is_empty and chart.empty_label.isVisible()
    assert chart.empty_label.text() == chart_class.empty_text
    assert not chart.legend.isVisible()
    chart.set_progress(None)
    assert chart.is_empty
    chart.grab()


def test_empty_texts_explain_what_will_appear(qtbot: QtBot) -> None:
    chart = MasteryOverTime()
    qtbot.addWidget(chart)
    chart.set_progress(empty_data())
    assert chart.empty_label.text() == "Mastery per domain appears here after your first reviews."


@pytest.mark.parametrize("chart_class", ALL_CHARTS, ids=lambda c: c.slug)
def test_export_png_has_the_requested_size(
    qtbot: QtBot, tmp_path: Path, chart_class: type[Chart]
) -> None:
    chart = chart_class()
    qtbot.addWidget(chart)
    chart.set_progress(sample_data())
    path = chart.export_png(tmp_path / f"{chart.slug}.png", width=640, height=320)
    image = QImage(str(path))
    assert not image.isNull()
    assert (image.width(), image.height()) == (640, 320)
    assert distinct_colours(image) > 4  # drawn, not a blank rectangle
    default = chart.export_png(tmp_path / "default.png")
    assert QImage(str(default)).size().toTuple() == (1000, 500)


def test_an_empty_chart_exports_its_explanation(qtbot: QtBot, tmp_path: Path) -> None:
    chart = PlanVsActual(dark=True)
    qtbot.addWidget(chart)
    chart.set_progress(empty_data())
    image = QImage(str(chart.export_png(tmp_path / "empty.png", 500, 250)))
    assert image.size().toTuple() == (500, 250)
    assert distinct_colours(image, step=2) > 2  # the title and the centred text


def test_hover_shows_the_date_and_values(qtbot: QtBot) -> None:
    chart = MasteryOverTime()
    qtbot.addWidget(chart)
    chart.resize(700, 360)
    chart.show()
    chart.set_progress(sample_data())
    day = TODAY - timedelta(days=10)
    assert chart.show_hover(timestamp(day) + 3600, 50)
    text = chart.hover_shown()
    assert "Mon 26 Oct 2026" in text
    assert "3. Modeling: 47%" in text  # 0.002 x 79 x 3
    assert chart.crosshair.isVisible() and chart.crosshair.value() == timestamp(day)
    assert not chart.show_hover(timestamp(TODAY + timedelta(days=30)), 50)
    assert chart.hover_shown() == ""


def test_hover_follows_the_mouse(qtbot: QtBot) -> None:
    chart = DueForecast()
    qtbot.addWidget(chart)
    chart.resize(700, 360)
    chart.show()
    chart.set_progress(sample_data())
    qtbot.waitExposed(chart)
    view = chart.plot.getPlotItem().getViewBox()
    scene_point = view.mapViewToScene(QPointF(timestamp(TODAY + timedelta(days=1)), 3))
    chart.plot.scene().sigMouseMoved.emit(scene_point)
    qtbot.waitUntil(lambda: chart.hover_shown() != "", timeout=2000)
    assert "Fri 6 Nov 2026" in chart.hover_shown() and "Due: 7" in chart.hover_shown()


def test_heatmap_hover_and_forecast_span(qtbot: QtBot) -> None:
    heatmap = CalendarHeatmap()
    qtbot.addWidget(heatmap)
    heatmap.set_progress(sample_data())
    # Column 25 is this week; row 3 is Thursday, today.
    assert heatmap.show_hover(25.5, 3.5)
    assert "Thu 5 Nov 2026" in heatmap.hover_shown()
    assert not heatmap.show_hover(25.5, 4.5)  # tomorrow: nothing to show

    forecast = DueForecast()
    qtbot.addWidget(forecast)
    forecast.set_progress(sample_data())
    assert not forecast.show_hover(timestamp(TODAY + timedelta(days=60)), 1)
    forecast.set_span(90)
    assert forecast.show_hover(timestamp(TODAY + timedelta(days=60)), 1)
    assert "90 days" in forecast.legend.text()


def test_retention_table(qtbot: QtBot) -> None:
    chart = Retention()
    qtbot.addWidget(chart)
    chart.set_progress(sample_data())
    assert chart.cell(0, 0) == "Today"
    assert chart.cell(1, 1) == "75%  (30/40)"
    assert chart.cell(1, 2) == "92%  (12/13)"
    assert chart.cell(4, 3) == "86%  (610/710)"


BAR_CHARTS: tuple[type[PlotChart[Any]], ...] = (
    MasteryVsWeight,
    ReviewsPerDay,
    DueForecast,
    CardStates,
    PlanVsActual,
)


def model_bars(chart: PlotChart[Any]) -> list[Bars]:
    """The bar series of a chart's view model, in drawing order."""
    model = chart.model
    if isinstance(model, MasteryVsWeightModel):
        return [model.mastery, model.weight]
    if isinstance(model, ReviewsPerDayModel):
        return list(model.stacks)
    if isinstance(model, DueForecastModel | CardStatesModel):
        return [model.bars]
    if isinstance(model, PlanVsActualModel):
        return [model.answered]
    raise AssertionError(f"no bars in {model!r}")


@pytest.mark.parametrize("chart_class", BAR_CHARTS, ids=lambda c: c.slug)
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_plot_draws_exactly_the_bars_of_the_view_model(
    qtbot: QtBot, chart_class: type[PlotChart[Any]], dark: bool
) -> None:
    chart = chart_class(dark=dark)
    qtbot.addWidget(chart)
    chart.set_progress(sample_data())
    expected = model_bars(chart)
    drawn = chart.drawn_bars()
    assert len(drawn) == len(expected)
    for seen, wanted in zip(drawn, expected, strict=True):
        assert seen.x == pytest.approx(wanted.x)
        assert seen.heights == pytest.approx(wanted.heights)
        assert seen.tops == pytest.approx(wanted.tops)
        assert seen.colors == tuple(color.lower() for color in wanted.colors)
        assert seen.fill_alpha == wanted.fill_alpha


def test_mastery_is_drawn_solid_and_weight_pale(qtbot: QtBot) -> None:
    chart = MasteryVsWeight()
    qtbot.addWidget(chart)
    chart.set_progress(sample_data())
    solid, pale = chart.drawn_bars()
    assert solid.heights == pytest.approx((42, 30, 55, 12)) and solid.fill_alpha == 255
    assert pale.heights == pytest.approx((20, 24, 36, 20)) and pale.fill_alpha < 128
    assert all(s < p for s, p in zip(solid.x, pale.x, strict=True))


def test_drills_are_drawn_on_top_of_new_and_review_answers(qtbot: QtBot) -> None:
    data = sample_data()
    chart = ReviewsPerDay()
    qtbot.addWidget(chart)
    chart.set_progress(data)
    new, review, drill = chart.drawn_bars()
    drills = [count for _, count in data.reviews_per_day["drill"]]
    assert list(drill.heights) == drills and sum(drills) > 0
    assert drill.bottoms == pytest.approx(
        [n + r for n, r in zip(new.heights, review.heights, strict=True)]
    )
    assert "Drill 90" in chart.legend.text()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_calendar_paints_the_busiest_day_in_the_strongest_colour(
    qtbot: QtBot, dark: bool
) -> None:
    palette = DARK if dark else LIGHT
    chart = CalendarHeatmap(dark=dark)
    qtbot.addWidget(chart)
    chart.set_progress(sample_data())
    model = chart.model
    assert model is not None
    cells = [(row, week) for row in range(7) for week in range(model.weeks)]
    past = [cell for cell in cells if model.day_at(*cell) <= TODAY]
    busiest = max(past, key=lambda cell: model.counts[cell[0]][cell[1]])
    quietest = min(
        (cell for cell in past if model.counts[cell[0]][cell[1]] > 0),
        key=lambda cell: model.counts[cell[0]][cell[1]],
    )
    idle = next(cell for cell in past if model.counts[cell[0]][cell[1]] == 0)
    future = next(cell for cell in cells if model.day_at(*cell) > TODAY)
    assert chart.drawn_color(*busiest) == palette.heat_high
    assert chart.drawn_color(*quietest) == model.low != palette.heat_high
    assert chart.drawn_color(*idle) == palette.heat_empty
    assert chart.drawn_color(*future) == palette.background
    assert all(chart.drawn_color(*cell) == model.colors[cell[0]][cell[1]] for cell in cells)


def test_theme_switch_recolours_the_plot(qtbot: QtBot) -> None:
    chart = MasteryOverTime()
    qtbot.addWidget(chart)
    chart.set_progress(sample_data())
    assert chart.plot.backgroundBrush().color().name() == "#ffffff"
    chart.set_dark(True)
    assert chart.plot.backgroundBrush().color().name() == "#15181c"
    assert not chart.is_empty


# ----- the page on a real library -------------------------------------------------------


def answer_some(library: Library, clock: FakeClock, days: int = 4) -> None:
    for _ in range(days):
        for grade in (5, 4, 2, 4):
            card = library.next_card()
            if card is not None:
                library.answer(card.id, grade)
        clock.advance(days=1)


def wait_computed(qtbot: QtBot, page: ProgressPage) -> None:
    qtbot.waitUntil(lambda: not page.computing and page.data is not None, timeout=10000)


def test_page_computes_off_the_ui_thread_and_fills_the_charts(
    qtbot: QtBot,
    library: Library,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer_some(library, clock)
    threads: list[bool] = []

    def spy(lib: Library) -> ProgressData:
        threads.append(threading.current_thread() is threading.main_thread())
        return compute_progress(lib)

    monkeypatch.setattr(progress_page_module, "compute_progress", spy)
    page = ProgressPage(library, ChangeBus())
    qtbot.addWidget(page)
    assert page.data is None and not page.computing  # nothing until shown
    page.resize(1000, 800)
    page.show()
    assert page.computing
    wait_computed(qtbot, page)
    assert threads == [False]
    assert page.data is not None
    assert page.readiness.text() == f"Readiness {page.data.readiness * 100:.0f}%"
    assert "Study next" in page.weakest.text()
    shown = {slug for slug, chart in page.charts.items() if not chart.is_empty}
    assert shown == set(page.charts) - {"plan-vs-actual", "practice-scores"}  # none taken

    files = page.save_all(tmp_path / "pngs", width=600, height=300)
    assert [f.name for f in files] == [f"{slug}.png" for slug in page.charts]
    assert all(QImage(str(f)).size().toTuple() == (600, 300) for f in files)


def test_page_recomputes_only_for_changes_that_move_a_figure(
    qtbot: QtBot, library: Library, clock: FakeClock
) -> None:
    page = ProgressPage(library, ChangeBus())
    qtbot.addWidget(page)
    page.show()
    wait_computed(qtbot, page)
    first = page.data
    assert first is not None and first.total_reviews == 0
    shown = {slug for slug, chart in page.charts.items() if not chart.is_empty}
    assert shown == {"mastery-vs-weight", "card-states"}  # weights and new cards only

    page.refresh(Changes(settings=True))
    assert not page.computing and page.data is first
    answer_some(library, clock, days=1)
    page.refresh(Changes(reviews=True))
    assert page.computing
    wait_computed(qtbot, page)
    assert page.data is not first and page.data.total_reviews > 0

    page.hide()
    page.refresh(Changes(content=True))
    assert not page.computing  # hidden: waits until shown
    page.show()
    assert page.computing
    wait_computed(qtbot, page)


def test_settings_change_switches_the_chart_theme(qtbot: QtBot, library: Library) -> None:
    page = ProgressPage(library, ChangeBus())
    qtbot.addWidget(page)
    assert not page.charts["mastery-over-time"].dark
    library.update_settings(theme="dark")
    page.refresh(Changes(settings=True))
    assert all(chart.dark for chart in page.charts.values())


def test_cli_charts_writes_every_png(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with Library.open(data_dir, exam="MLS-C01") as library:  # the pack with cards here
        for grade in (5, 4, 3, 2):
            card = library.next_card()
            assert card is not None
            library.answer(card.id, grade)
    out = tmp_path / "charts"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "mlstudy", "charts", "--out", str(out)),
            *("--data-dir", str(data_dir), "--exam", "MLS-C01"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in printed] == [f"{chart.slug}.png" for chart in ALL_CHARTS]
    for path in printed:
        image = QImage(str(path))
        assert image.size().toTuple() == (1000, 500), path
        assert distinct_colours(image) > 2, path


def test_narrow_pages_stack_the_charts_in_one_column(qtbot: QtBot, library: Library) -> None:
    page = ProgressPage(library, ChangeBus())
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    wait_computed(qtbot, page)
    assert page.columns == 2
    page.resize(650, 800)
    qtbot.waitUntil(lambda: page.columns == 1)
    due = page.charts["due-forecast"]
    assert due.width() <= page.chart_scroll.viewport().width()  # nothing cut off on the right
