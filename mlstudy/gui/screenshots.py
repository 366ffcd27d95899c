"""Render every page offscreen to PNG: ``python -m mlstudy.gui.screenshots OUT_DIR``.

Uses a scratch library on the bundled content with a little history, so the pages
show what a user sees after a few days. Four sets: light at 1100 x 760 in ``OUT_DIR``,
and ``dark/``, ``900x600/`` and ``900x600-dark/`` under it (``SETS``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SETS = (
    ("", "light", (1100, 760)),
    ("dark", "dark", (1100, 760)),
    ("900x600", "light", (900, 600)),
    ("900x600-dark", "dark", (900, 600)),
)
"""(subfolder, theme, window size) of each set of pictures."""


def render_all(
    out_dir: Path, theme: str = "light", size: tuple[int, int] = (1100, 760)
) -> list[Path]:
    """Write one PNG per page (and the review page with its answer shown, and Today
    once the day is done)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from mlstudy.gui.main_window import MainWindow
    from mlstudy.gui.theme import apply_theme
    from mlstudy.gui.worker import wait_for_background
    from mlstudy.services import Library

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    moment = [datetime.now(UTC) - timedelta(days=12)]
    with tempfile.TemporaryDirectory(prefix="mlstudy-shots-") as scratch:
        library = Library.open(Path(scratch), clock=lambda: moment[0])
        try:
            library.update_settings(
                theme=theme,
                first_run_done=True,
                exam_date=(datetime.now(UTC).date() + timedelta(days=45)).isoformat(),
            )
            grades = [5, 4, 4, 3, 5, 2, 4, 5]
            for day in range(12):
                for index in range(18):
                    card = library.next_card()
                    if card is None:
                        break
                    library.answer(card.id, grades[(day + index) % len(grades)], 9000)
                moment[0] += timedelta(days=1)
            apply_theme(app, theme)
            window = MainWindow(library)
            window.resize(*size)
            window.show()
            wait_for_background()
            app.processEvents()
            for name in window.pages:
                window.show_page(name)
                page = getattr(window.pages[name], "page", None) or window.pages[name]
                settle(page)
                path = out_dir / f"{name}.png"
                window.grab().save(str(path))
                written.append(path)
                if name == "review":
                    window.review_page.show_answer()
                    app.processEvents()
                    path = out_dir / "review-answer.png"
                    window.grab().save(str(path))
                    written.append(path)
            written.append(render_finished_day(window, out_dir))
            written += render_practice(window, out_dir)
            window.close()
        finally:
            library.close()
    return written


def settle(page: object) -> None:
    """Let a page's background work (charts, plan, dashboard) land and lay out."""
    from PySide6.QtWidgets import QApplication

    from mlstudy.gui.worker import wait_for_background

    for _ in range(200):
        wait_for_background()
        QApplication.processEvents()
        if not getattr(page, "computing", False):
            break
    for _ in range(3):  # late widgets (Today's forecast chart) are built, then laid out
        QApplication.processEvents()


def render_finished_day(window: Any, out_dir: Path) -> Path:
    """Today once every card of the day is answered: Learn 10 more and review ahead."""
    library = window.library
    while (card := library.next_card()) is not None:
        library.answer(card.id, 5, 8000)
    window.review_page.show_next()
    window.show_page("today")
    settle(window.today_page)
    path = out_dir / "today-done.png"
    window.grab().save(str(path))
    return path


def render_practice(window: Any, out_dir: Path, seed: int = 3) -> list[Path]:
    """A practice-mode question with its feedback, and the results of a short exam
    (nothing when the library has no practice questions)."""
    from PySide6.QtWidgets import QApplication

    library = window.library
    if not library.practice.bank_counts()["total"]:
        return []
    app = QApplication.instance()
    assert app is not None
    window.show_page("practice")
    page = window.practice_page
    written = []
    attempt = library.practice.start("practice", count=10, seed=seed)
    page.open_attempt(attempt)
    item = page.current()
    page.options.press(0, "AB"[: max(1, item.question.choose)][0])
    if item.question.choose > 1:
        page.options.press(0, "B")
    page.check()
    app.processEvents()
    path = out_dir / "practice-question.png"
    window.grab().save(str(path))
    written.append(path)
    page.submit(confirm_unanswered=False)
    exam = library.practice.start("exam", count=10, seed=seed + 1)
    for index, exam_item in enumerate(exam.items):
        right = exam_item.question.correct_answer
        answer = right if index % 3 else tuple(reversed(right))
        library.practice.answer(exam, exam_item.position, answer, 60_000 * (index + 1))
    library.practice.save_progress(exam.id, len(exam.items) - 1, 11 * 60_000)
    page.open_attempt(library.practice.attempt(exam.id))
    page.submit(confirm_unanswered=False)
    app.processEvents()
    path = out_dir / "practice-results.png"
    window.grab().save(str(path))
    written.append(path)
    return written


def main() -> int:
    """Command-line entry: output folder, and a theme for one set only (else all sets)."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    if len(sys.argv) > 2:
        sets: tuple[tuple[str, str, tuple[int, int]], ...] = (("", sys.argv[2], (1100, 760)),)
    else:
        sets = SETS
    for folder, theme, size in sets:
        for path in render_all(out / folder if folder else out, theme, size):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
