"""The results view of a finished practice exam or set: the report, linked cards as links.

The report says plainly that the score is a raw percentage, not the exam's scaled
score and not a pass prediction (``services.practice.RAW_SCORE_NOTE``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from mlstudy.gui.review_page import CardBrowser
from mlstudy.services.practice import Results
from mlstudy.services.practice_render import CARD_SCHEME, page, results_html


class ResultsView(QWidget):
    """The report and a way back to the exam list."""

    back_requested = Signal()
    card_requested = Signal(str)
    """A linked card's key was clicked (the page shows it in Browse)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: Results | None = None
        self._card_ids: dict[str, int] = {}
        self.browser = CardBrowser()
        self.browser.anchorClicked.connect(self.open_link)
        back = QPushButton("Back to the exam list (Esc)")
        back.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        back.clicked.connect(self.back_requested.emit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(back)

    def show_results(self, results: Results, card_ids: dict[str, int], dark: bool) -> None:
        """Render a report; ``card_ids`` maps linked card keys to their ids."""
        self.results = results
        self._card_ids = card_ids
        self.browser.setHtml(page(results_html(results, card_ids), dark=dark))

    def text(self) -> str:
        """The report as plain text."""
        return self.browser.toPlainText()

    def open_link(self, url: QUrl) -> None:
        """A ``card:<id>`` link asks for that card; web links open in the browser."""
        if url.scheme() == CARD_SCHEME:
            key = next((k for k, v in self._card_ids.items() if str(v) == url.path()), None)
            if key is not None:
                self.card_requested.emit(key)
