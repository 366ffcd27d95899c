"""GUI tests run offscreen, record message boxes instead of showing them, fail on Qt warnings."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["MLSTUDY_HEADLESS_DIALOGS"] = "1"
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import QtMsgType, qInstallMessageHandler

from mlstudy.gui import dialogs
from mlstudy.gui.worker import wait_for_background

qt_messages: list[str] = []

# Offscreen-only noise that says nothing about mlstudy.
_IGNORED = (
    "This plugin does not support propagateSizeHints",
    "QFont::setPointSizeF: Point size <= 0",
)


def _record(kind: QtMsgType, _context: object, message: str) -> None:
    if kind != QtMsgType.QtDebugMsg and not message.startswith(_IGNORED):
        qt_messages.append(message)


qInstallMessageHandler(_record)


@pytest.fixture(autouse=True)
def no_qt_warnings() -> Iterator[None]:
    """A Qt warning during a GUI test fails it."""
    qt_messages.clear()
    dialogs.shown_messages.clear()
    yield
    wait_for_background()
    assert qt_messages == [], f"Qt warnings: {qt_messages}"
