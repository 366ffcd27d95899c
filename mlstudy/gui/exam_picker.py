"""The exam pack picker: one combo box that lists every pack and switches between them.

Settings, Today and the Exam menu all switch through ``switch_exam``: the selection is
saved, the change goes out on the change bus (every page redraws for the new exam) and
the status bar says what happened. A self-contained widget, so any page can hold one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from mlstudy.errors import UserError
from mlstudy.gui.bus import ChangeBus
from mlstudy.services import Changes, Library
from mlstudy.services.exams import ExamInfo, list_exams, select_exam


def switch_exam(library: Library, bus: ChangeBus, code: str) -> bool:
    """Select an exam pack, tell every page, confirm in the status bar; False on a user
    error (its message goes to the status bar)."""
    try:
        changes = select_exam(library, code)
    except UserError as exc:
        bus.status_message.emit(str(exc))
        return False
    if changes.kinds():
        bus.publish(changes)
        exam = library.exam()
        bus.status_message.emit(f"Now studying {exam.code} – {exam.name}")
    return True


class ExamPicker(QComboBox):
    """Every exam pack with its status ("retired 2026-03-31"); choosing one switches."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self._loading = False
        self.setToolTip("The exam you study for: each keeps its own date, budget and plan")
        self.activated.connect(self._chosen)
        self.refresh()

    def refresh(self, changes: Changes | None = None) -> None:
        """List the packs again and show the selected one (after a change of settings,
        content or a restore; an answer changes neither)."""
        if changes is not None and not (changes.settings or changes.content or changes.restored):
            return
        self._loading = True
        try:
            self.clear()
            for info in list_exams(self.library):
                self.addItem(picker_label(info), info.code)
                if info.status_note:
                    self.setItemData(
                        self.count() - 1, info.status_note, Qt.ItemDataRole.ToolTipRole
                    )
            self.setCurrentIndex(max(0, self.findData(self.library.exam().code)))
        finally:
            self._loading = False

    def _chosen(self, index: int) -> None:
        if self._loading:
            return
        code = self.itemData(index)
        if code != self.library.exam().code and not switch_exam(self.library, self.bus, code):
            self.refresh()


def picker_label(info: ExamInfo) -> str:
    """ "MLA-C01 – AWS Certified … · 600 cards" with the status when not active."""
    return f"{info.label()} · {info.cards} cards"
