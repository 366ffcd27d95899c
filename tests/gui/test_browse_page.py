"""The Browse page on a real library: search, lazy paging, sorting, preview, suspend."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from mlstudy.gui.browse_page import (
    COLUMNS,
    PAGE,
    QUESTION_MIN,
    SUSPENDED_ROLE,
    BrowseModel,
    BrowsePage,
)
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.theme import domain_color
from mlstudy.services import Changes, Library
from mlstudy.services.browse import BrowseRow
from mlstudy.storage.schema import Card


@pytest.fixture
def page(qtbot: QtBot, library: Library) -> BrowsePage:
    """A shown Browse page whose first search (every card) has finished."""
    browse_page = BrowsePage(library, ChangeBus())
    qtbot.addWidget(browse_page)
    browse_page.resize(1100, 650)
    with qtbot.waitSignal(browse_page.results_loaded, timeout=5000):
        browse_page.show()
    return browse_page


def suspended_rows(page: BrowsePage) -> list[bool]:
    model = page.model
    return [
        bool(model.data(model.index(row, 0), SUSPENDED_ROLE)) for row in range(model.rowCount())
    ]


def column_texts(page: BrowsePage, column: int = 0) -> list[str]:
    model = page.model
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def search(qtbot: QtBot, page: BrowsePage, text: str) -> None:
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.set_query(text)


def select_rows(page: BrowsePage, *rows: int) -> None:
    page.table.clearSelection()
    for row in rows:
        page.table.selectionModel().select(
            page.model.index(row, 0),
            page.table.selectionModel().SelectionFlag.Select
            | page.table.selectionModel().SelectionFlag.Rows,
        )
    page.table.selectionModel().setCurrentIndex(
        page.model.index(rows[0], 0), page.table.selectionModel().SelectionFlag.NoUpdate
    )


def test_opens_with_every_card(page: BrowsePage) -> None:
    assert page.model.rowCount() == 5
    assert page.count_label.text() == "5 cards"
    assert "domain:3" in page.search_edit.placeholderText()


def test_typing_searches_once_after_a_pause(qtbot: QtBot, page: BrowsePage) -> None:
    totals: list[int] = []
    page.results_loaded.connect(totals.append)
    with qtbot.waitSignal(page.results_loaded, timeout=5000) as blocker:
        qtbot.keyClicks(page.search_edit, "domain:3 -lasso")
    assert blocker.args == [2]
    qtbot.wait(400)
    assert totals == [2]  # no search for "d", "do", ... "domain:" while typing
    assert sorted(column_texts(page)) == ["What does XGBoost's eta control?", "What is recall?"]
    assert page.count_label.text() == "2 cards"


def test_domain_cells_are_tinted_and_named(qtbot: QtBot, page: BrowsePage) -> None:
    search(qtbot, page, "xgboost")
    cell = page.model.index(0, 1)
    assert cell.data() == "3"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "Modeling"
    background = cell.data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(background, QColor)
    assert background.rgb() == QColor(domain_color(3)).rgb()


def test_a_newer_search_wins_over_an_older_one(qtbot: QtBot, page: BrowsePage) -> None:
    totals: list[int] = []
    page.results_loaded.connect(totals.append)
    page.set_query("streaming")
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.set_query("lasso")
    qtbot.wait(200)
    assert totals == [1]
    assert column_texts(page) == ["Name an L1-regularised linear model."]


def test_rows_load_a_page_at_a_time(qtbot: QtBot, library: Library, page: BrowsePage) -> None:
    with library.engine.begin() as conn:
        conn.execute(
            insert(Card),
            [
                {
                    "key": f"bulk-{i:04d}",
                    "exam_id": library.exam_id(),
                    "domain": 2,
                    "question": f"Bulk question {i}?",
                    "answer": "Bulk answer.",
                    "file": "bulk.md",
                    "line": i,
                    "content_hash": "h",
                    "created_at": "2026-01-01T00:00:00+00:00",
                }
                for i in range(450)
            ],
        )
    search(qtbot, page, "bulk")
    model = page.model
    assert (model.total, model.rowCount()) == (450, PAGE)
    assert page.count_label.text() == "450 cards"
    assert model.canFetchMore(QModelIndex())

    def scrolled_to_end() -> bool:  # the view asks for more when scrolled to the end
        page.table.scrollToBottom()
        return model.rowCount() == 450

    qtbot.waitUntil(scrolled_to_end, timeout=5000)
    assert not model.canFetchMore(QModelIndex())
    assert model.data(model.index(449, len(COLUMNS) - 1)) == "bulk-0449"


def test_header_click_sorts_with_the_query(qtbot: QtBot, page: BrowsePage) -> None:
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert column_texts(page)[0] == "Name an L1-regularised linear model."
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert column_texts(page)[0].startswith("Which service converts")
    search(qtbot, page, "domain:3")  # the sort stays with a new query
    assert column_texts(page)[0] == "What is recall?"


def test_preview_shows_the_card_and_its_facts(qtbot: QtBot, page: BrowsePage) -> None:
    assert "Select a card" in page.meta.text()
    search(qtbot, page, "xgboost")
    select_rows(page, 0)
    assert "step-size shrinkage" in page.preview.toPlainText()
    assert "eta control" in page.preview.toPlainText()
    meta = page.meta.text()
    assert "Domain 3" in meta and "Task 3.4" in meta and "New card" in meta
    page.table.clearSelection()
    assert page.preview.toPlainText() == ""


def test_suspend_and_ctrl_j_toggle(qtbot: QtBot, library: Library, page: BrowsePage) -> None:
    search(qtbot, page, "domain:1")
    select_rows(page, 0, 1)
    ids = page.selected_ids()
    assert len(ids) == 2 and page.suspend_button.isEnabled()
    assert not page.unsuspend_button.isEnabled()
    messages: list[str] = []
    page.bus.status_message.connect(messages.append)
    with (
        qtbot.waitSignal(page.bus.changes_made) as published,
        qtbot.waitSignal(page.results_loaded, timeout=5000),
    ):
        qtbot.mouseClick(page.suspend_button, Qt.MouseButton.LeftButton)
    assert isinstance(published.args[0], Changes)
    assert published.args[0].cards == frozenset(ids)
    assert all(library.card(card_id).suspended for card_id in ids)
    assert messages == ["Suspended 2 cards"]
    # The re-run query keeps the selection and shows the new state.
    assert sorted(page.selected_ids()) == sorted(ids)
    assert all(suspended_rows(page))
    assert page.unsuspend_button.isEnabled() and not page.suspend_button.isEnabled()

    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        qtbot.keyClick(page.table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert not any(library.card(card_id).suspended for card_id in ids)
    assert page.suspend_button.isEnabled()


def test_suspended_filter_drops_rows_after_suspending(
    qtbot: QtBot, library: Library, page: BrowsePage
) -> None:
    search(qtbot, page, "-is:suspended")
    card_id = page.model.card_id(2)
    page.select_ids([card_id])
    assert page.selected_ids() == [card_id]
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.toggle_suspended()
    assert library.card(card_id).suspended
    assert page.model.total == 4 and card_id not in page.selected_ids()


def test_bad_query_shows_its_error_above_the_table_and_clears_the_rows(
    qtbot: QtBot, page: BrowsePage
) -> None:
    search(qtbot, page, "")
    assert page.model.rowCount() == 5
    with qtbot.waitSignal(page.bus.status_message) as message:
        page.set_query("colour:red")
    assert "unknown search key 'colour:'" in message.args[0]
    assert page.error_label.isVisible() and "colour:" in page.error_label.text()
    assert page.model.rowCount() == 0  # the old results do not stay under the error
    search(qtbot, page, "recall")  # a good query clears the message
    assert not page.error_label.isVisible()
    assert page.count_label.text() == "1 card"


def test_an_empty_result_explains_itself(qtbot: QtBot, page: BrowsePage) -> None:
    search(qtbot, page, "zebra")
    assert page.table_stack.currentWidget() is page.empty_label
    assert "No card matches “zebra”" in page.empty_label.text()
    assert "fewer words" in page.empty_label.text()
    search(qtbot, page, "recall")
    assert page.table_stack.currentWidget() is page.table


def test_question_column_takes_the_spare_width_and_tags_show(
    qtbot: QtBot, page: BrowsePage
) -> None:
    search(qtbot, page, "")
    header = page.table.horizontalHeader()
    others = sum(header.sectionSize(c) for c in range(1, header.count()))
    assert header.sectionSize(0) >= max(QUESTION_MIN, page.table.viewport().width() - others)
    tags = column_texts(page, [key for key, _t in COLUMNS].index("tags"))
    assert "streaming" in tags


def test_column_widths_and_split_are_remembered(
    qtbot: QtBot, library: Library, page: BrowsePage
) -> None:
    search(qtbot, page, "")
    header = page.table.horizontalHeader()
    header.resizeSection(2, 123)
    page._remember_layout()
    again = BrowsePage(library, page.bus)
    qtbot.addWidget(again)
    assert again.table.horizontalHeader().sectionSize(2) == 123


def test_refresh_follows_card_and_settings_changes(
    qtbot: QtBot, library: Library, page: BrowsePage
) -> None:
    search(qtbot, page, "xgboost")
    assert page.model.data(page.model.index(0, 4)) == "new"
    card_id = page.model.card_id(0)
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.bus.publish(library.answer(card_id, 5))
    assert page.model.data(page.model.index(0, 4)) == "2026-11-03"
    assert page.model.data(page.model.index(0, 6)) == "2.60"  # ease, blank while new
    with qtbot.assertNotEmitted(page.results_loaded, wait=300):
        page.refresh(Changes(plan=True))
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.bus.publish(library.update_settings(theme="dark"))


def test_a_hidden_page_searches_again_when_shown(
    qtbot: QtBot, library: Library, page: BrowsePage
) -> None:
    search(qtbot, page, "is:suspended")
    assert page.model.total == 0
    page.hide()
    changes = library.set_suspended([library.next_card().id], True)  # type: ignore[union-attr]
    with qtbot.assertNotEmitted(page.results_loaded, wait=300):
        page.refresh(changes)
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.show()
    assert page.model.total == 1


def make_row(card_id: int) -> BrowseRow:
    return BrowseRow(
        card_id, f"k{card_id}", f"Q{card_id}?", 1, None, (), None, 0, 250, 0, 0, False, False
    )


def test_model_pages_through_ids_it_is_given(qtbot: QtBot) -> None:
    fetched: list[list[int]] = []

    def fetch(ids: Sequence[int]) -> list[BrowseRow]:
        fetched.append(list(ids))
        return [make_row(i) for i in ids]

    model = BrowseModel(fetch)
    model.set_results(500, [make_row(i) for i in range(PAGE)], {1: "Data Engineering"})
    assert (model.rowCount(), model.total) == (PAGE, 500)
    with qtbot.waitSignal(model.ids_needed):
        model.fetchMore(QModelIndex())
    assert not model.canFetchMore(QModelIndex())  # asked once, waiting for the ids
    assert not model.set_all_ids([999, *range(1, 500)])  # cards changed: search again
    assert model.rowCount() == PAGE and fetched == []
    assert model.set_all_ids(list(range(500)))
    assert model.rowCount() == 2 * PAGE and fetched == [list(range(PAGE, 2 * PAGE))]
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 500 and not model.canFetchMore(QModelIndex())
    assert model.data(model.index(499, 0)) == "Q499?"


def test_ctrl_z_undoes_a_suspend_and_ctrl_y_redoes_it(
    qtbot: QtBot, library: Library, page: BrowsePage
) -> None:
    search(qtbot, page, "domain:1")
    select_rows(page, 0)
    [first] = page.selected_ids()
    library.set_suspended([first], True)  # already suspended: only the other card changes
    select_rows(page, 0, 1)
    ids = page.selected_ids()
    [other] = [card_id for card_id in ids if card_id != first]
    messages: list[str] = []
    page.bus.status_message.connect(messages.append)
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        qtbot.keyClick(page.table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert library.card(other).suspended
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not library.card(other).suspended
    assert library.card(first).suspended  # undo gives back what each card had
    assert messages[-1] == "Suspension undone"
    assert sum(suspended_rows(page)[:2]) == 1
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        qtbot.keyClick(page.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert library.card(other).suspended


def test_cards_with_no_domain_show_a_dash_and_are_found_by_domain_0(
    qtbot: QtBot, library: Library
) -> None:
    folder = library.data_dir / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "loose.md").write_text(
        "---\ndomain: none\n---\n## What is a loose card? {#my-loose}\n\nOne with no domain.\n",
        encoding="utf-8",
    )
    library.sync_content()
    browse_page = BrowsePage(library, ChangeBus())
    qtbot.addWidget(browse_page)
    with qtbot.waitSignal(browse_page.results_loaded, timeout=5000):
        browse_page.show()
    search(qtbot, browse_page, "domain:0")
    assert column_texts(browse_page) == ["What is a loose card?"]
    cell = browse_page.model.index(0, 1)
    assert cell.data() == "—"
    assert cell.data(Qt.ItemDataRole.ToolTipRole).startswith("No domain: studied, left out")
