"""File ▸ Export to Anki… and File ▸ Import…: the dialogs around ``services.interop``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from mlstudy.errors import UserError
from mlstudy.gui.dialogs import show_error
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Library
from mlstudy.services.interop import ImportPreview, export_to_anki, import_from_anki, preview_import
from mlstudy.services.types import Changes


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the progress dialog."""

    moved = Signal(int, int)


def _domain_box(library: Library, first: str) -> QComboBox:
    box = QComboBox()
    box.addItem(first, None)
    for domain in library.exam().domains:
        box.addItem(f"{domain.number}. {domain.name}", domain.number)
    return box


class ExportDialog(QDialog):
    """Choose what to export: all domains or one, with or without scheduling."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export to Anki")
        self.domain = _domain_box(library, "All domains")
        self.with_progress = QCheckBox("Include my progress (interval, ease, due day)")
        form = QFormLayout()
        form.addRow("Cards", self.domain)
        form.addRow("", self.with_progress)
        note = QLabel(
            "One Anki deck per domain. Exporting again later updates the notes in Anki "
            "instead of adding them twice."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)


def _run_with_progress(
    parent: QWidget,
    title: str,
    work: Callable[[Callable[[int, int], None]], Any],
    done: Callable[[Any], None],
) -> QProgressDialog:
    dialog = QProgressDialog(title, "", 0, 0, parent)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    # No parent: the work holds the relay, and the window (with the dialog) may close
    # while the work still reports progress; emitting from a deleted object would raise.
    relay = _ProgressRelay()

    def moved(value: int, total: int) -> None:
        if not shiboken6.isValid(dialog):
            return
        dialog.setMaximum(total)
        dialog.setValue(value)

    relay.moved.connect(moved)

    def failed(exc: UserError) -> None:
        show_error(parent, str(exc))

    # A bug is not handled here: the worker sends it to the crash dialog.
    def settled() -> None:
        if shiboken6.isValid(dialog):
            dialog.close()

    run_in_background(lambda: work(relay.moved.emit), done, failed, settled)
    return dialog


def export_cards(library: Library, parent: QWidget, report: Callable[[str], None]) -> None:
    """Ask what and where, then export with a progress bar; ``report`` gets the outcome."""
    options = ExportDialog(library, parent)
    if options.exec() != QDialog.DialogCode.Accepted:
        return
    default = str(Path.home() / f"{library.exam().code}.apkg")
    name, _ = QFileDialog.getSaveFileName(parent, "Export to Anki", default, "Anki (*.apkg)")
    if not name:
        return
    path = Path(name) if name.lower().endswith(".apkg") else Path(f"{name}.apkg")
    domain = options.domain.currentData()
    with_progress = options.with_progress.isChecked()
    _run_with_progress(
        parent,
        "Exporting cards…",
        lambda progress: export_to_anki(
            library, path, domain=domain, with_progress=with_progress, progress=progress
        ),
        lambda result: report(f"Exported {result.notes} cards in {result.decks} decks to {path}"),
    )


class ImportDialog(QDialog):
    """What a package holds, what will be skipped and why, and where its cards go."""

    def __init__(
        self, library: Library, preview: ImportPreview, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {preview.path.name}")
        lines = [f"<b>{_count(preview.cards, 'card')}</b> from {_count(preview.notes, 'note')}"]
        lines += [f"Deck “{_escape(d)}”: {_count(n, 'card')}" for d, n in preview.decks.items()]
        lines += [
            f"Note type “{_escape(t)}”: {_count(n, 'note')}" for t, n in preview.note_types.items()
        ]
        lines.append(_count(preview.media, "media file"))
        if preview.no_domain:
            lines.append(
                f"{_count(preview.no_domain, 'card')} with no domain in the Anki tags: "
                "pick a domain or task below, or study them left out of readiness"
            )
        if preview.skipped:
            lines.append(f"<b>Skipped ({len(preview.skipped)}):</b>")
            lines += [_escape(reason) for reason in preview.skipped[:20]]
        summary = QLabel("<br>".join(lines))
        summary.setTextFormat(Qt.TextFormat.RichText)
        summary.setWordWrap(True)
        self.summary = summary
        self.domain = _domain_box(library, "No domain (left out of readiness)")
        self.domain.setToolTip(
            "For cards whose Anki tags name no task or domain. Cards with no domain come "
            "up for study like any other but do not count toward readiness or the plan."
        )
        self.task = QComboBox()
        self.task.addItem("None", None)
        for domain in library.exam().domains:
            for task in domain.tasks:
                self.task.addItem(f"{task.id} {task.title}", task.id)
        self.with_progress = QCheckBox(
            f"Bring my Anki progress: {_count(preview.scheduled, 'scheduled card')}, "
            f"{_count(preview.answers, 'answer')} of history"
        )
        self.with_progress.setToolTip(
            "Each review card keeps its interval, ease and due day, a card in learning "
            "comes back the day after its last answer, and cards suspended in Anki stay "
            "suspended; Anki's answers count in the charts and the answer-time estimates. "
            "Cards you answered in mlstudy since keep their mlstudy state."
        )
        self.with_progress.setEnabled(
            bool(preview.scheduled or preview.answers or preview.suspended)
        )
        form = QFormLayout()
        form.addRow("Domain", self.domain)
        form.addRow("Task", self.task)
        form.addRow("", self.with_progress)
        note = QLabel(
            "Cards tagged task::N.M or domain::N in Anki keep that task or domain. Each "
            "Anki deck becomes one "
            "file in your deck folder; importing the same package again updates it."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


def import_package(
    library: Library,
    parent: QWidget,
    report: Callable[[str], None],
    publish: Callable[[Changes], None],
) -> None:
    """Pick a package, show the preview, import into the deck folder."""
    name, _ = QFileDialog.getOpenFileName(
        parent, "Import Anki package", str(Path.home()), "Anki packages (*.apkg *.colpkg)"
    )
    if not name:
        return
    path = Path(name)

    def previewed(preview: ImportPreview) -> None:
        dialog = ImportDialog(library, preview, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        domain, task = dialog.domain.currentData(), dialog.task.currentData()
        with_progress = dialog.with_progress.isChecked()

        def imported(result: ImportPreview) -> None:
            publish(result.changes)
            message = f"Imported {result.cards} cards into {', '.join(result.files)}"
            if result.no_domain:
                message += f" ({result.no_domain} with no domain, left out of readiness)"
            if result.progress is not None:
                done = result.progress
                message += (
                    f"; progress: {_count(done.states, 'card state')} set, "
                    f"{_count(done.history, 'Anki answer')} logged"
                )
                if done.kept:
                    message += f", {done.kept} kept (answered in mlstudy since)"
                if done.suspended:
                    message += f", {_count(done.suspended, 'card')} suspended as in Anki"
            report(message)

        _run_with_progress(
            parent,
            "Importing…",
            lambda _progress: import_from_anki(
                library, path, domain=domain, task=task, with_progress=with_progress
            ),
            imported,
        )

    _run_with_progress(
        parent, "Reading the package…", lambda _progress: preview_import(library, path), previewed
    )
