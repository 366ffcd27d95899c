"""Inputs for settings: whole numbers in the setting's one range, saved when editing ends."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDateEdit, QSpinBox, QWidget

from mlstudy.services.settings import SETTING_RANGES


class SettingSpinBox(QSpinBox):
    """A spin box for one whole-number setting.

    Its range is the setting's (``services.settings.SETTING_RANGES``), the same in every
    dialog and page. ``valueChanged`` fires when editing finishes (Enter, focus out, the
    arrows), not per keystroke; a typed number out of range is clamped to it then
    ("99" in a 8-40 field becomes 40, never the 9 typed on the way).
    """

    def __init__(self, key: str, suffix: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setting = key
        low, high = SETTING_RANGES[key]
        self.setRange(low, high)
        self.setSuffix(suffix)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.setAccelerated(True)
        self.setToolTip(f"From {low} to {high}")

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Let any whole number be typed; an out-of-range one is clamped when editing ends."""
        result = super().validate(text, pos)
        state = result[0] if isinstance(result, tuple) else result
        number = text.removesuffix(self.suffix()).removeprefix(self.prefix()).strip()
        if number.isdigit() and state == QValidator.State.Invalid:
            return (QValidator.State.Intermediate, text, pos)
        return (QValidator.State(state), text, pos)

    def fixup(self, text: str) -> str:
        """Clamp a typed number to the range."""
        number = text.removesuffix(self.suffix()).removeprefix(self.prefix()).strip()
        if number.isdigit():
            return self.textFromValue(max(self.minimum(), min(self.maximum(), int(number))))
        return str(super().fixup(text))


def date_input() -> QDateEdit:
    """A date field with a calendar that reports a date when editing ends, not per digit."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setKeyboardTracking(False)
    return edit
