"""Card text is data in every view (issue 13, findings 1, 6, 13): escaped before it joins
Qt rich text, links open only for http, https and mailto, nothing loads from disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from mlstudy.gui import richtext
from mlstudy.gui.browse_page import BrowsePage
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.review_page import ReviewPage
from mlstudy.services import Library
from mlstudy.storage.schema import Card

HOSTILE_TAGS = "<a href=file:///etc/passwd>click me</a>,<img src=/nonexistent/x.png>"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL handed to the system browser."""
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toString()))
    return urls


def plant(library: Library, key: str, **values: str) -> int:
    """Write card text straight into the database, as an older mlstudy or a sync could."""
    with library.engine.begin() as conn:
        conn.execute(update(Card).where(Card.key == key).values(**values))
        return int(conn.execute(Card.__table__.select().where(Card.key == key)).one().id)


def click_text(browser: QTextBrowser, qtbot: QtBot, text: str) -> None:
    cursor = browser.document().find(text)
    assert not cursor.isNull(), f"{text!r} not shown"
    rect = browser.cursorRect(cursor)
    QTest.mouseClick(
        browser.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center() - QPoint(rect.width() // 2 + 3, 0),
    )


def test_review_details_line_shows_hostile_tags_and_source_as_text(
    qtbot: QtBot, library: Library, opened: list[str]
) -> None:
    card_id = plant(library, "t-kds", tags=HOSTILE_TAGS, source_url="file:///etc/passwd")
    page = ReviewPage(library, ChangeBus())
    qtbot.addWidget(page)
    page.show_card(library.card(card_id))
    page.show_answer()
    text = page.meta.text()
    assert "&lt;a href=file:///etc/passwd&gt;click me&lt;/a&gt;" in text
    assert "&lt;img src=/nonexistent/x.png&gt;" in text
    assert "<img" not in text and "<a href=file" not in text
    assert 'href="file:' not in text  # the source is not a link either
    doc = QTextDocument()
    doc.setHtml(text)
    assert "<a href=file:///etc/passwd>click me</a>" in doc.toPlainText()
    page.meta.linkActivated.emit("file:///etc/passwd")
    assert opened == []
    assert "Source:" in page.text() and 'href="file:' not in page.current_html()


def test_review_details_line_links_a_web_source(
    qtbot: QtBot, library: Library, opened: list[str]
) -> None:
    page = ReviewPage(library, ChangeBus())
    qtbot.addWidget(page)
    card_id = plant(library, "t-kds", source_url="https://docs.aws.amazon.com/?a=1&b=2")
    page.show_card(library.card(card_id))
    assert '<a href="https://docs.aws.amazon.com/?a=1&amp;b=2">source</a>' in page.meta.text()
    page.meta.linkActivated.emit("https://docs.aws.amazon.com/?a=1&b=2")
    assert opened == ["https://docs.aws.amazon.com/?a=1&b=2"]


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "notes.md", "/etc/passwd", "data:text/html,<b>x</b>", "smb://h/s"],
)
def test_open_link_refuses_everything_but_web_and_mail(url: str, opened: list[str]) -> None:
    assert richtext.open_link(url) is False
    assert richtext.open_link(QUrl(url)) is False
    assert opened == []
    assert richtext.open_link("mailto:me@example.com") is True
    assert richtext.open_link(QUrl("https://aws.amazon.com/sagemaker/")) is True
    assert opened == ["mailto:me@example.com", "https://aws.amazon.com/sagemaker/"]


@pytest.fixture
def browse(qtbot: QtBot, library: Library) -> BrowsePage:
    page = BrowsePage(library, ChangeBus())
    qtbot.addWidget(page)
    page.resize(1100, 650)
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.show()
    return page


def test_browse_tooltip_shows_a_hostile_question_as_text(qtbot: QtBot, library: Library) -> None:
    plant(library, "t-kds", question="Which <img src=/nonexistent/x.png> is <b>bold</b>?")
    page = BrowsePage(library, ChangeBus())
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.show()
    rows = [page.model.index(r, 0) for r in range(page.model.rowCount())]
    tips = [str(i.data(Qt.ItemDataRole.ToolTipRole)) for i in rows]
    (tip,) = [t for t in tips if "nonexistent" in t]
    assert "<img" not in tip and "<b>" not in tip
    doc = QTextDocument()
    doc.setHtml(tip)
    assert doc.toPlainText() == "Which <img src=/nonexistent/x.png> is <b>bold</b>?"


@pytest.mark.parametrize(
    "target", ["secret.txt", "data:text/html,<script>alert(1)</script>", "file:secret.txt"]
)
def test_browse_preview_does_not_follow_links_to_files_or_data(
    qtbot: QtBot,
    library: Library,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    opened: list[str],
    target: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    card_id = plant(library, "t-kds", answer=f"See [the notes]({target}) now.")
    page = BrowsePage(library, ChangeBus())
    qtbot.addWidget(page)
    page.resize(1100, 650)
    with qtbot.waitSignal(page.results_loaded, timeout=5000):
        page.show()
    page._show_preview(library.card(card_id))
    assert "href" not in page.preview.toHtml().split("the notes")[0][-200:]
    click_text(page.preview, qtbot, "the notes")
    qtbot.wait(50)
    assert "TOP SECRET" not in page.preview.toPlainText()
    assert opened == []


TINY_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAg"
    "ABSK+kcQAAAABJRU5ErkJggg=="
)


def test_card_views_load_no_local_or_remote_resources(qtbot: QtBot, tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(bytes(QByteArray.fromBase64(TINY_PNG.split(",")[1].encode())))
    local = QUrl.fromLocalFile(str(picture))
    browser = richtext.CardBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(
        f'<p>a <img src="{local.toString()}"> b <img src="p.png"> c <img src="{TINY_PNG}"></p>'
    )
    browser.document().size()  # lays out: images are loaded now
    kind = QTextDocument.ResourceType.ImageResource
    for url in (local, QUrl("p.png"), QUrl("https://example.com/p.png")):
        loaded = browser.loadResource(kind.value, url)
        assert isinstance(loaded, QByteArray) and loaded.isEmpty()
        assert not browser.document().resource(kind.value, url)
    inline = browser.loadResource(kind.value, QUrl(TINY_PNG))
    assert isinstance(inline, QImage) and inline.width() == 1


def test_rich_escapes_every_value_but_markup() -> None:
    line = richtext.rich("<b>{a}</b> {b}", a="<i>x</i>", b=richtext.link("https://a.example/", "s"))
    assert line == '<b>&lt;i&gt;x&lt;/i&gt;</b> <a href="https://a.example/">s</a>'
    assert richtext.link("javascript:alert(1)", "<s>") == "&lt;s&gt;"
