"""The Qt binding keeps Python's reference counts right (a broken release aborts the app)."""

from __future__ import annotations

import sys

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
)


class _Model(QAbstractTableModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        return None


class _Task(QRunnable):
    def run(self) -> None:
        return None


def test_overrides_returning_none_do_not_leak_references_to_none() -> None:
    """PySide6 6.12.0 dropped a reference to None per call; None's count then hits zero."""
    model = _Model()
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(500):
        index.data(Qt.ItemDataRole.ToolTipRole)
    for _ in range(200):
        QThreadPool.globalInstance().start(_Task())
    QThreadPool.globalInstance().waitForDone()
    assert sys.getrefcount(None) - before > -50
