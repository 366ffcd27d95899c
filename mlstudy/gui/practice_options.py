"""The answer area of a practice question: options, steps or pairs, driven by keys too.

Answers leave this widget in canonical form (indices into the question's options as
written); the widget shows the options in the attempt's shuffled order.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mlstudy.core.practice import LETTERS, ItemType
from mlstudy.services.practice import ItemView


def _no_focus(widget: QWidget) -> QWidget:
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return widget


class OptionsPanel(QWidget):
    """Shows one item's options and edits its answer."""

    answer_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._body: QWidget | None = None
        self.item: ItemView | None = None
        self._buttons: list[QAbstractButton] = []
        self._combos: list[QComboBox] = []
        self._sequence: list[int] = []  # ordering: displayed positions in the user's order
        self._order_label: QLabel | None = None
        self.current_row = 0
        self.locked = False

    # ----- building ------------------------------------------------------------------

    def show_item(self, item: ItemView, answer: tuple[int, ...] | None, locked: bool) -> None:
        """Show an item with a saved answer (None: unanswered); locked: read-only."""
        if self._body is not None:
            # Off screen at once: a deferred delete would leave it drawn under the new one.
            self._layout.removeWidget(self._body)
            self._body.hide()
            self._body.setParent(None)
            self._body.deleteLater()
        self.item = item
        self.locked = locked
        self.current_row = 0
        self._buttons, self._combos, self._sequence = [], [], []
        self._order_label = None
        body = QWidget()
        kind = item.question.type
        if kind in (ItemType.SINGLE, ItemType.MULTIPLE):
            self._build_choices(body, item, answer)
        elif kind == ItemType.ORDERING:
            self._build_ordering(body, item, answer)
        else:
            self._build_matching(body, item, answer)
        body.setEnabled(not locked)
        self._body = body
        self._layout.addWidget(body)

    def _build_choices(self, body: QWidget, item: ItemView, answer: tuple[int, ...] | None) -> None:
        layout = QVBoxLayout(body)
        multiple = item.question.type == ItemType.MULTIPLE
        group = QButtonGroup(body)
        group.setExclusive(not multiple)
        chosen = set(answer or ())
        if multiple:
            layout.addWidget(QLabel(f"Choose {item.question.choose}."))
        for shown, index in enumerate(item.order):
            text = f"{LETTERS[shown]}.  {item.question.options[index].text}"
            button: QAbstractButton = QCheckBox(text) if multiple else QRadioButton(text)
            _no_focus(button)
            button.setChecked(index in chosen)
            button.toggled.connect(self._toggled)
            group.addButton(button)
            self._buttons.append(button)
            layout.addWidget(button)

    def _build_ordering(
        self, body: QWidget, item: ItemView, answer: tuple[int, ...] | None
    ) -> None:
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel("Type the letters in the right order (Backspace undoes one)."))
        for shown, index in enumerate(item.order):
            layout.addWidget(QLabel(f"{LETTERS[shown]}.  {item.question.options[index].text}"))
        position = {index: shown for shown, index in enumerate(item.order)}
        self._sequence = [position[a] for a in answer or ()]
        self._order_label = QLabel()
        self._order_label.setObjectName("order")
        layout.addWidget(self._order_label)
        self._show_sequence()

    def _build_matching(
        self, body: QWidget, item: ItemView, answer: tuple[int, ...] | None
    ) -> None:
        grid = QGridLayout(body)
        grid.addWidget(
            QLabel("Type a number, then a letter (1B); or pick from the lists."), 0, 0, 1, 2
        )
        position = {index: shown for shown, index in enumerate(item.order)}
        rights = [
            f"{LETTERS[s]}.  {item.question.options[i].match}" for s, i in enumerate(item.order)
        ]
        for row, option in enumerate(item.question.options):
            grid.addWidget(QLabel(f"{row + 1}.  {option.text}"), row + 1, 0)
            combo = QComboBox()
            _no_focus(combo)
            combo.addItems(["–", *rights])
            picked = answer[row] if answer and row < len(answer) else -1
            combo.setCurrentIndex(position[picked] + 1 if picked >= 0 else 0)
            combo.currentIndexChanged.connect(lambda _i: self.answer_changed.emit())
            self._combos.append(combo)
            grid.addWidget(combo, row + 1, 1)

    def _toggled(self, _checked: bool) -> None:
        self.answer_changed.emit()

    def _show_sequence(self) -> None:
        if self._order_label is not None:
            letters = " ".join(LETTERS[s] for s in self._sequence) or "–"
            self._order_label.setText(f"Your order: {letters}")

    # ----- the answer ----------------------------------------------------------------

    def answer(self) -> tuple[int, ...] | None:
        """The answer shown, in canonical form; None when nothing is chosen."""
        item = self.item
        if item is None:
            return None
        kind = item.question.type
        if kind in (ItemType.SINGLE, ItemType.MULTIPLE):
            picked = tuple(item.order[s] for s, b in enumerate(self._buttons) if b.isChecked())
            return tuple(sorted(picked)) or None
        if kind == ItemType.ORDERING:
            return tuple(item.order[s] for s in self._sequence) or None
        answer = tuple(
            item.order[c.currentIndex() - 1] if c.currentIndex() > 0 else -1 for c in self._combos
        )
        return answer if any(a >= 0 for a in answer) else None

    # ----- keys ----------------------------------------------------------------------

    def press(self, key: int, text: str) -> bool:
        """Handle an answer key (letters, digits, Space, Backspace, arrows); True if used."""
        item = self.item
        if item is None or self.locked:
            return False
        kind = item.question.type
        count = len(item.order)
        char = text.upper()[:1]
        letter = LETTERS.find(char) if char and char.isalpha() else -1
        digit = int(char) - 1 if char.isdigit() and char != "0" else -1
        if kind == ItemType.MATCHING:
            if 0 <= digit < count:
                self.current_row = digit
                return True
            if 0 <= letter < count:
                self._combos[self.current_row].setCurrentIndex(letter + 1)
                self.current_row = min(self.current_row + 1, count - 1)
                return True
            return False
        shown = letter if 0 <= letter < count else digit if 0 <= digit < count else -1
        if kind == ItemType.ORDERING:
            if key == Qt.Key.Key_Backspace and self._sequence:
                self._sequence.pop()
            elif shown >= 0 and shown not in self._sequence:
                self._sequence.append(shown)
            else:
                return shown >= 0
            self._show_sequence()
            self.answer_changed.emit()
            return True
        if key == Qt.Key.Key_Down:
            self.current_row = min(self.current_row + 1, count - 1)
            return True
        if key == Qt.Key.Key_Up:
            self.current_row = max(self.current_row - 1, 0)
            return True
        if key == Qt.Key.Key_Space and kind == ItemType.MULTIPLE:
            shown = self.current_row
        if shown < 0:
            return False
        self.current_row = shown
        button = self._buttons[shown]
        button.setChecked(not button.isChecked() if kind == ItemType.MULTIPLE else True)
        return True
