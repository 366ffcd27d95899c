"""The card view never loads a file or a network resource, whichever way it is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot

from mlstudy.gui.review_page import CardBrowser

IMAGE = QTextDocument.ResourceType.ImageResource.value


@pytest.mark.parametrize("as_url", [True, False], ids=["QUrl", "str"])
def test_a_local_file_is_not_loaded(qtbot: QtBot, tmp_path: Path, as_url: bool) -> None:
    secret = tmp_path / "notes.txt"
    secret.write_text("private", encoding="utf-8")
    url = QUrl.fromLocalFile(str(secret))
    name: QUrl | str = url if as_url else url.toString()
    plain = QTextBrowser()
    qtbot.addWidget(plain)
    assert plain.loadResource(IMAGE, url) is not None  # what the override prevents
    browser = CardBrowser()
    qtbot.addWidget(browser)
    # An empty answer, not None: with None the document would load the URL itself.
    loaded = browser.loadResource(IMAGE, name)
    assert loaded is not None and len(loaded) == 0
