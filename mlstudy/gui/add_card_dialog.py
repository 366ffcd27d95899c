"""The Add card dialog: question, answer, domain and task, tags, source, a live preview.

The card is appended to a deck file in the user's deck folder (a new file or one the
user picks) by ``services.authoring``; the preview is the Review page's own rendering.
The chosen file's hash is taken when it is chosen: if something else changes the file
before Save, nothing is written and the dialog says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mlstudy import paths
from mlstudy.core.exam import NO_DOMAIN, NO_DOMAIN_NAME
from mlstudy.errors import UserError
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.richtext import CardBrowser
from mlstudy.gui.theme import is_dark
from mlstudy.services import CardView, Changes, Library
from mlstudy.services.authoring import (
    FileEdit,
    NewCard,
    add_card,
    edit_card,
    file_hash,
    is_override,
    override_path,
    preview_view,
    remove_override,
    taken_keys,
    user_deck_files,
)
from mlstudy.services.render import card_html

NEW_FILE = "my-cards.md"
PREVIEW_DELAY_MS = 150


class AddCardDialog(QDialog):
    """Collects a new card, previews it as Review shows it, and saves it undoably."""

    def __init__(
        self,
        library: Library,
        bus: ChangeBus,
        parent: QWidget | None = None,
        editing: CardView | None = None,
    ) -> None:
        super().__init__(parent)
        self.editing = editing
        self.bundled = False
        self.setWindowTitle("Edit card" if editing else "Add card")
        self.library = library
        self.bus = bus
        self.folder = paths.user_decks_dir(library.data_dir)
        self.saved_key: str | None = None
        self.manifest = library.exam()
        self.question = QLineEdit()
        self.question.setPlaceholderText("The question, on one line")
        self.answer = QPlainTextEdit()
        self.answer.setPlaceholderText("The answer: markdown (lists, tables, `code`, fenced code)")
        self.domain = QComboBox()
        for domain in self.manifest.domains:
            self.domain.addItem(f"{domain.number}. {domain.name}", domain.number)
        self.domain.addItem(f"{NO_DOMAIN_NAME} (left out of readiness)", NO_DOMAIN)
        self.task = QComboBox()
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("comma-separated, such as kinesis, streaming")
        self.source = QLineEdit()
        self.source.setPlaceholderText("https://docs.aws.amazon.com/…")
        self.file = QComboBox()
        self.file.addItem(f"New file: {NEW_FILE}", str(self.folder / NEW_FILE))
        for deck in user_deck_files(self.folder):
            if deck.name != NEW_FILE:
                self.file.addItem(deck.name, str(deck))
        if (self.folder / NEW_FILE).exists():
            self.file.setItemText(0, NEW_FILE)
        self.preview = CardBrowser()
        self.preview.setMinimumWidth(380)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages quote file names
        self.error.setStyleSheet("color: #d1242f")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Question", self.question)
        form.addRow("Answer", self.answer)
        form.addRow("Domain", self.domain)
        form.addRow("Task", self.task)
        form.addRow("Tags", self.tags)
        form.addRow("Source", self.source)
        form.addRow("Deck file", self.file)
        editor = QVBoxLayout()
        editor.addLayout(form)
        editor.addWidget(self.error)
        columns = QHBoxLayout()
        columns.addLayout(editor, 1)
        columns.addWidget(self.preview, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        for signal in (self.question.textChanged, self.answer.textChanged, self.tags.textChanged):
            signal.connect(self._timer.start)
        self.domain.currentIndexChanged.connect(self._domain_changed)
        self.task.currentIndexChanged.connect(lambda _i: self._timer.start())
        self.file.currentIndexChanged.connect(lambda _i: self._remember_file())
        self._opened_hash: str | None = None
        self._domain_changed()
        if editing is not None:
            self._fill(editing)
        self._remember_file()
        self.update_preview()
        self.resize(980, 560)

    def _fill(self, card: CardView) -> None:
        self.question.setText(card.question)
        self.answer.setPlainText(card.answer)
        self.domain.setCurrentIndex(max(0, self.domain.findData(card.domain)))
        self.task.setCurrentIndex(max(0, self.task.findData(card.task)))
        self.tags.setText(", ".join(card.tags))
        self.source.setText(card.source_url)
        self.file.clear()
        self.bundled = not Path(card.file).is_absolute()
        if self.bundled:  # bundled decks are never written: the user gets an override
            target = override_path(self.folder, card.file)
            self.file.addItem(f"Your version: overrides/{target.name}", str(target))
            self.error.setText(
                "This card comes with mlstudy. Saving keeps your version in your decks "
                "(same id, same history); remove it to bring the original back."
            )
        else:
            self.file.addItem(Path(card.file).name, card.file)
            if is_override(card.file):
                self.error.setText(
                    "This is your version of a card that comes with mlstudy. "
                    "Remove it to bring the original text back (same id, same history)."
                )
                remove = self.buttons.addButton(
                    "Remove my version", QDialogButtonBox.ButtonRole.DestructiveRole
                )
                remove.setToolTip("Bring back the text that comes with mlstudy (Ctrl+Z undoes)")
                remove.clicked.connect(self.remove_override)
        self.file.setEnabled(False)

    def _domain_changed(self) -> None:
        self.task.clear()
        self.task.addItem("(no task)", None)
        domain = self.manifest.domain(int(self.domain.currentData()))
        for task in domain.tasks if domain else ():
            self.task.addItem(f"{task.id} {task.title}", task.id)
        self._timer.start()

    def _remember_file(self) -> None:
        # The file as it is when chosen: a different hash at Save means someone else
        # changed it meanwhile.
        self._opened_hash = file_hash(self.target())

    def target(self) -> Path:
        """The deck file the card goes to."""
        return Path(str(self.file.currentData()))

    def card(self) -> NewCard:
        """The card as entered."""
        tags = tuple(t.strip().lower() for t in self.tags.text().split(",") if t.strip())
        return NewCard(
            question=self.question.text(),
            answer=self.answer.toPlainText(),
            domain=int(self.domain.currentData()),
            task=self.task.currentData(),
            tags=tags,
            source=self.source.text().strip(),
        )

    def update_preview(self) -> None:
        """Render the card as the Review page shows it, with the answer."""
        card = self.card()
        domain = self.manifest.domain(card.domain)
        title = next((t.title for t in (domain.tasks if domain else ()) if t.id == card.task), "")
        view = preview_view(card, domain.name if domain else "", title)
        settings = self.library.settings()
        self.preview.setHtml(
            card_html(
                view, True, dark=is_dark(settings["theme"]), font_size=int(settings["font_size"])
            )
        )

    def save(self) -> None:
        """Write the card; on success put it on the undo stack and close."""
        if self.editing is not None and not self.bundled:
            self._save_edit(self.editing)
            return
        try:
            key, edit, changes = add_card(
                self.target(),
                self.card(),
                taken_keys(self.library.context),
                self._opened_hash,
                self.library.sync_content,
                key=self.editing.key if self.editing is not None else None,
                # A new card names its exam; an override keeps its bundled card's.
                exam=self.library.exam().code if self.editing is None else None,
                deck_exam=self.library.settings()["deck_exam"] or None,
            )
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.library.session.push_undoable(edit)
        self.saved_key = key
        self.bus.publish(changes)
        self.bus.status_message.emit(f"Card added to {self.target().name} (Ctrl+Z undoes)")
        self.accept()

    def remove_override(self) -> None:
        """Remove the user's version of a bundled card; the bundled text comes back."""
        assert self.editing is not None
        key = self.editing.key
        self._finish(
            lambda: remove_override(
                self.target(),
                key,
                self._opened_hash,
                self.library.sync_content,
                self.library.deck_folders(),
            ),
            key,
            "Your version was removed: the bundled text is back (Ctrl+Z undoes)",
        )

    def _save_edit(self, card: CardView) -> None:
        self._finish(
            lambda: edit_card(
                self.target(),
                card.key,
                self.card(),
                self._opened_hash,
                self.library.sync_content,
                self.library.deck_folders(),
            ),
            card.key,
            f"Card saved in {self.target().name} (Ctrl+Z undoes)",
        )

    def _finish(
        self, write: Callable[[], tuple[FileEdit, Changes]], key: str, message: str
    ) -> None:
        """Run a file edit; on success put it on the undo stack, say so and close."""
        try:
            edit, changes = write()
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.library.session.push_undoable(edit)
        self.saved_key = key
        self.bus.publish(changes)
        self.bus.status_message.emit(message)
        self.accept()
