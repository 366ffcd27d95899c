"""The progress charts and page offscreen: data, empty states, hover, themes, PNG export."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from mlstudy.core.progress import RetentionRow
from mlstudy.gui import progress_page as progress_page_module
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.charts import (
    ALL_CHARTS,
    CalendarHeatmap,
    Chart,
    DueForecast,
    MasteryOverTime,
    PlanVsActual,
    Retention,
    timestamp,
)
from mlstudy.gui.progress_page import ProgressPage
from mlstudy.services import Changes, Library
from mlstudy.services.progress import DomainInfo, ProgressData, compute_progress
from tests.conftest import FakeClock

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
    assert not chart.is_empty
    assert chart.legend.text() and chart.legend.isVisible()
    assert distinct_colours(chart.grab().toImage()) > 4

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
    with Library.open(data_dir) as library:
        for grade in (5, 4, 3, 2):
            card = library.next_card()
            assert card is not None
            library.answer(card.id, grade)
    out = tmp_path / "charts"
    result = subprocess.run(
        [sys.executable, "-m", "mlstudy", "charts", "--out", str(out), "--data-dir", str(data_dir)],
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
    assert due.width() <= page.scroll.viewport().width()  # nothing cut off on the right
