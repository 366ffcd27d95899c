"""Take a practice exam in the app offscreen until killed; the subject of the resume test.

Not a test module. Run as a script:

    python tests/practice_worker.py DATA_DIR CONTENT_ROOT

It opens the main window on DATA_DIR, starts a full exam on the Practice page,
answers the first two questions right with the keyboard, flags the second, waits a
little so time is used, moves to the third question, lets the page save its position
and time used (its one-second tick), prints ``ANSWERED`` and keeps the event loop
running until it is killed (or for ``MAX_SECONDS``).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["MLSTUDY_HEADLESS_DIALOGS"] = "1"

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from mlstudy.core.practice import LETTERS, ItemType
from mlstudy.gui.main_window import MainWindow
from mlstudy.services import Library

MAX_SECONDS = 30


def keys_for(item: object) -> list[str]:
    """The keys that answer an item right (letters as displayed)."""
    question = item.question  # type: ignore[attr-defined]
    order = item.order  # type: ignore[attr-defined]
    shown = {index: LETTERS[i] for i, index in enumerate(order)}
    if question.type == ItemType.MATCHING:
        return [k for n in range(len(order)) for k in (str(n + 1), shown[n])]
    return [shown[i] for i in question.correct_answer]


def main(argv: list[str]) -> int:
    """Answer two questions, then wait to be killed."""
    data_dir, content_root = Path(argv[0]), Path(argv[1])
    app = QApplication(sys.argv[:1])
    library = Library.open(data_dir, tz=UTC, content_root=content_root)
    window = MainWindow(library)
    window.show()
    window.show_page("practice")
    page = window.practice_page
    page.start()
    for position in range(2):
        for key in keys_for(page.current()):
            page.options.press(Qt.Key.Key_unknown, key)
        if position == 1:
            page.toggle_flag()
            time.sleep(1.2)
        page.go(position + 1)
    # The page saves the position and time used on its next tick (within a second).
    QTimer.singleShot(1500, lambda: print("ANSWERED", flush=True))
    QTimer.singleShot(MAX_SECONDS * 1000, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
