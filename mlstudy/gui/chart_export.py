"""Write every progress chart as a PNG without a window: ``mlstudy charts --out DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from mlstudy.errors import UserError
from mlstudy.gui.charts import ALL_CHARTS
from mlstudy.gui.theme import is_dark
from mlstudy.services import Library
from mlstudy.services.progress import compute_progress

OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints",)
"""What the offscreen platform says about every window it lays out: nothing to act on."""


def _print_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    if kind != QtMsgType.QtDebugMsg and not message.startswith(OFFSCREEN_NOISE):
        print(f"Qt: {message}", file=sys.stderr)


def quiet_offscreen_messages() -> None:
    """Keep the offscreen platform's chatter off stderr; other Qt warnings still reach it."""
    qInstallMessageHandler(_print_qt_message)


def write_all_charts(
    library: Library,
    out_dir: Path | str,
    *,
    width: int = 1000,
    height: int = 500,
    dark: bool | None = None,
) -> list[Path]:
    """Compute the progress series and write ``<out_dir>/<chart>.png`` for every chart.

    Needs a ``QApplication`` (the offscreen platform is enough). The plan toward the
    saved exam date is computed first when there is none yet, so plan vs actual has
    something to show.

    Args:
        library: an open library.
        out_dir: the folder for the pictures (created if missing).
        width: picture width in pixels.
        height: picture height in pixels.
        dark: dark colours; None follows the library's theme setting.

    Returns:
        The files written, in page order.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder {out}: {exc.strerror}") from None
    if library.current_plan() is None:
        library.refresh_plan()
    data = compute_progress(library)
    if dark is None:
        dark = is_dark(str(library.settings().get("theme", "light")))
    written = []
    for chart_class in ALL_CHARTS:
        chart = chart_class(dark=dark, interactive=False)
        chart.set_progress(data)
        written.append(chart.export_png(out / f"{chart.slug}.png", width, height))
        chart.deleteLater()
    return written
