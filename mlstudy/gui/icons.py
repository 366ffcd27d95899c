"""Small line icons for the sidebar, drawn with QPainter in the text colour of the theme
(no image files, so they follow light and dark and stay sharp at any zoom)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

SIZE = 64
"""Drawn at 64 px and scaled down by Qt: crisp at every zoom."""


def _today(p: QPainter) -> None:
    p.drawEllipse(QPointF(32, 32), 11, 11)
    for angle in range(0, 360, 45):
        p.save()
        p.translate(32, 32)
        p.rotate(angle)
        p.drawLine(QPointF(0, -18), QPointF(0, -25))
        p.restore()


def _review(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(16, 12, 34, 24), 4, 4)
    p.drawRoundedRect(QRectF(12, 26, 34, 26), 4, 4)


def _practice(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(12, 12, 40, 40), 6, 6)
    p.drawPolyline([QPointF(21, 33), QPointF(29, 41), QPointF(44, 24)])


def _browse(p: QPainter) -> None:
    p.drawEllipse(QPointF(28, 28), 13, 13)
    p.drawLine(QPointF(38, 38), QPointF(51, 51))


def _plan(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(11, 15, 42, 37), 4, 4)
    p.drawLine(QPointF(11, 26), QPointF(53, 26))
    p.drawLine(QPointF(22, 10), QPointF(22, 19))
    p.drawLine(QPointF(42, 10), QPointF(42, 19))


def _progress(p: QPainter) -> None:
    for x, top in ((16, 34), (29, 22), (42, 12)):
        p.drawLine(QPointF(x, 52), QPointF(x, top))
    p.drawLine(QPointF(10, 52), QPointF(54, 52))


def _settings(p: QPainter) -> None:
    for y, knob in ((18, 40), (32, 22), (46, 34)):
        p.drawLine(QPointF(10, y), QPointF(54, y))
        p.drawEllipse(QPointF(knob, y), 5, 5)


_DRAW: dict[str, Callable[[QPainter], None]] = {
    "today": _today,
    "review": _review,
    "practice": _practice,
    "browse": _browse,
    "plan": _plan,
    "progress": _progress,
    "settings": _settings,
}


def nav_icon(name: str, color: str) -> QIcon:
    """The sidebar icon of a page, in ``color`` (an empty icon for an unknown page)."""
    draw = _DRAW.get(name)
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    if draw is not None:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(color), 4.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        draw(painter)
        painter.end()
    return QIcon(pixmap)
