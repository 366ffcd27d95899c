"""Adding cards from the app: written to a user deck file atomically, and undoable.

A card is written as deck markdown (``content/README.md``) to a file in the user's
deck folder, either a new file or one the user picks, by writing a temporary file next
to it and renaming it over the old one. The new text is parsed before it is written,
so the file stays valid deck format. A file changed by someone else since the dialog
read it (its SHA-256 differs) is never overwritten: the write is refused with a
message. Bundled deck files are never written.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from mlstudy.core.exam import NO_DOMAIN
from mlstudy.decks.loader import OVERRIDES_DIR
from mlstudy.decks.parser import NO_DOMAIN_WORD, parse_card_text
from mlstudy.errors import UserError
from mlstudy.services.context import LibraryContext
from mlstudy.services.types import CardView, Changes, SyncReport
from mlstudy.storage.schema import Card

_SLUG_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class NewCard:
    """What the Add card dialog collects."""

    question: str
    answer: str
    domain: int
    task: str | None = None
    tags: tuple[str, ...] = ()
    source: str = ""


def file_hash(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when there is no file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def card_markdown(card: NewCard, key: str) -> str:
    """A card as deck markdown: heading with id, field lines, blank line, answer."""
    question = " ".join(card.question.split())
    domain = NO_DOMAIN_WORD if card.domain == NO_DOMAIN else str(card.domain)
    lines = [f"## {question} {{#{key}}}", f":domain: {domain}"]
    if card.task:
        lines.append(f":task: {card.task}")
    if card.tags:
        lines.append(f":tags: {', '.join(card.tags)}")
    if card.source:
        lines.append(f":source: {card.source}")
    return "\n".join([*lines, "", card.answer.strip(), ""])


def new_key(question: str, taken: set[str]) -> str:
    """A card id from the question's first words, unique among ``taken``."""
    base = _SLUG_RE.sub("-", question.lower()).strip("-")[:40].strip("-") or "card"
    key, n = f"my-{base}", 2
    while key in taken:
        key, n = f"my-{base}-{n}", n + 1
    return key


def checked_text(path: Path, before: str, card_text: str, key: str) -> str:
    """The file's new text with the card appended; a UserError when it would not parse."""
    joined = (before.rstrip("\n") + "\n\n" if before.strip() else "") + card_text
    parsed = parse_card_text(joined, str(path))
    if parsed.problems:
        raise UserError(f"the card cannot be saved: {parsed.problems[0].message}")
    if [c.key for c in parsed.cards].count(key) != 1 or parsed.cards[-1].key != key:
        raise UserError(
            "the card cannot be saved: its answer would start a new card; "
            "indent or fence lines that begin with '## '"
        )
    return joined


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file by a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".mlstudy-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class FileEdit:
    """A deck file rewritten by the app: its bytes before (None: no file) and after."""

    path: Path
    before: bytes | None
    after: bytes | None
    """The file's bytes after the edit; None when the edit removed the file."""
    sync: Callable[[], SyncReport]
    label: str = "Added card"

    def undo(self) -> Changes:
        """Put the file back as it was (refused if it was changed since)."""
        self._expect(self.after)
        _put(self.path, self.before)
        return self.sync().changes

    def redo(self) -> Changes:
        """Make the edit again (refused if the file was changed since)."""
        self._expect(self.before)
        _put(self.path, self.after)
        return self.sync().changes

    def _expect(self, data: bytes | None) -> None:
        expected = hashlib.sha256(data).hexdigest() if data is not None else None
        if file_hash(self.path) != expected:
            raise UserError(f"{self.path} was changed outside mlstudy; it was left as it is")


def _put(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink()
    else:
        write_atomically(path, data)


def add_card(
    path: Path,
    card: NewCard,
    taken: set[str],
    opened_hash: str | None,
    sync: Callable[[], SyncReport],
    key: str | None = None,
    exam: str | None = None,
    deck_exam: str | None = None,
) -> tuple[str, FileEdit, Changes]:
    """Append a card to a user deck file (created if missing); return its id, the edit
    (for the undo stack) and what the content sync changed.

    A new file names ``exam`` in its front matter, so the card stays in that exam
    whatever exam is selected later; a card for one exam is never appended to a file
    of another (a file that names no exam is ``deck_exam``'s).

    Args:
        path: the deck file, inside a user deck folder.
        card: what to write.
        taken: card ids already in use.
        opened_hash: ``file_hash(path)`` when the dialog read the file; a different hash
            now means someone else changed it, and nothing is written.
        sync: the content sync to run after the write.
        key: the id to use (an override keeps its bundled card's id); a new one if None.
        exam: the exam pack the card is for (None: leave the file's exam alone).
        deck_exam: the exam of user deck files that name none.
    """
    if not card.question.strip() or not card.answer.strip():
        raise UserError("a card needs a question and an answer")
    current = path.read_bytes() if path.exists() else None
    now_hash = hashlib.sha256(current).hexdigest() if current is not None else None
    if now_hash != opened_hash:
        raise UserError(
            f"{path.name} was changed outside mlstudy while the dialog was open; "
            "nothing was written. Open the dialog again to add to the new version."
        )
    key = key or new_key(card.question, taken)
    before = current.decode("utf-8") if current is not None else ""
    if exam is not None and not before.strip():
        before = f"---\nexam: {exam}\n---\n"
    elif exam is not None:
        held = parse_card_text(before, str(path)).exam or deck_exam
        if held is not None and held != exam:
            raise UserError(
                f"{path.name} holds {held} cards; add this {exam} card to another file "
                "(or a new one)"
            )
    text = checked_text(path, before, card_markdown(card, key), key)
    after = text.encode("utf-8")
    write_atomically(path, after)
    edit = FileEdit(
        path, current, after, sync, label="Added card" if key not in taken else "Override"
    )
    return key, edit, sync().changes


def override_path(user_decks: Path, bundled_file: str) -> Path:
    """Where the user's versions of a bundled file's cards go (``decks.loader.OVERRIDES_DIR``)."""
    return user_decks / OVERRIDES_DIR / Path(bundled_file).name


def taken_keys(context: LibraryContext) -> set[str]:
    """Every card id in the library (archived ones too: their history keeps the id)."""
    with context.read() as conn:
        return set(conn.execute(select(Card.key)).scalars())


def user_deck_files(folder: Path) -> list[Path]:
    """The deck files directly in the user's deck folder, by name."""
    return sorted(p for p in folder.glob("*.md") if p.is_file()) if folder.is_dir() else []


def preview_view(card: NewCard, domain_name: str, task_title: str) -> CardView:
    """A ``CardView`` of a card not yet saved, for a preview rendered as in Review."""
    return CardView(
        id=0,
        key="",
        question=" ".join(card.question.split()) or "(question)",
        answer=card.answer.strip() or "(answer)",
        domain=card.domain,
        domain_name=domain_name,
        task=card.task,
        task_title=task_title,
        tags=card.tags,
        source_url=card.source,
        file="",
        line=0,
        kind="new",
        repetitions=0,
        easiness=2.5,
        interval_days=0,
        due=None,
        exam_due=None,
        suspended=False,
        archived=False,
        reviews=0,
        lapses=0,
    )


def card_block(text: str, path: Path, key: str) -> tuple[int, int]:
    """The 0-based line range [start, end) of a card in a deck file's text."""
    parsed = parse_card_text(text, str(path))
    lines = [c.line for c in parsed.cards]
    for index, found in enumerate(parsed.cards):
        if found.key == key:
            end = lines[index + 1] - 1 if index + 1 < len(lines) else None
            total = len(text.replace("\r\n", "\n").split("\n"))
            return found.line - 1, end if end is not None else total
    raise UserError(f"card {key!r} is no longer in {path.name}; reload the decks")


def edit_card(
    path: Path,
    key: str,
    card: NewCard,
    opened_hash: str | None,
    sync: Callable[[], SyncReport],
    user_folders: list[Path],
) -> tuple[FileEdit, Changes]:
    """Rewrite one card of a user deck file in place, keeping its id (and history).

    Refused for a file outside the user's deck folders (bundled decks are never
    written) and for a file changed since the dialog read it.
    """
    if not _inside(path, user_folders):
        raise UserError(f"{path.name} is not one of your decks; bundled decks are never written")
    if not card.question.strip() or not card.answer.strip():
        raise UserError("a card needs a question and an answer")
    current = _unchanged(path, opened_hash, "written. Open the card again to edit the new version.")
    text = current.decode("utf-8")
    start, end = card_block(text, path, key)
    lines = text.replace("\r\n", "\n").split("\n")
    block = card_markdown(card, key).rstrip("\n").split("\n")
    rest = lines[end:]
    joined = "\n".join([*lines[:start], *block, *([""] if rest and rest[0].strip() else []), *rest])
    parsed = parse_card_text(joined, str(path))
    if parsed.problems or [c.key for c in parsed.cards].count(key) != 1:
        raise UserError(
            "the card cannot be saved: "
            + (
                parsed.problems[0].message
                if parsed.problems
                else "its answer would start a new card"
            )
        )
    if len(parsed.cards) != len(parse_card_text(text, str(path)).cards):
        raise UserError("the card cannot be saved: its answer would start a new card")
    after = joined.encode("utf-8")
    write_atomically(path, after)
    edit = FileEdit(path, current, after, sync, label="Edited card")
    return edit, sync().changes


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path.resolve().is_relative_to(f.resolve()) for f in folders)


def _unchanged(path: Path, opened_hash: str | None, nothing_was: str) -> bytes:
    """The file's bytes, as the dialog read them; a UserError when it changed since."""
    current = path.read_bytes() if path.exists() else None
    if current is None or hashlib.sha256(current).hexdigest() != opened_hash:
        raise UserError(
            f"{path.name} was changed outside mlstudy while the dialog was open; "
            f"nothing was {nothing_was}"
        )
    return current


def is_override(path: str) -> bool:
    """Whether a card file is the user's version of bundled cards (``overrides/``)."""
    return Path(path).is_absolute() and Path(path).parent.name == OVERRIDES_DIR


def remove_override(
    path: Path,
    key: str,
    opened_hash: str | None,
    sync: Callable[[], SyncReport],
    user_folders: list[Path],
) -> tuple[FileEdit, Changes]:
    """Take the user's version of a bundled card out of its override file, so that the
    bundled text comes back (same id, same history). The file is removed when no card
    is left in it. Refused for a file that is not an override in the user's deck
    folders, and for a file changed since the dialog read it.
    """
    if not is_override(str(path)) or not _inside(path, user_folders):
        raise UserError(f"{path.name} is not one of your override files; nothing was removed")
    current = _unchanged(path, opened_hash, "removed. Open the card again to see the new version.")
    text = current.decode("utf-8")
    start, end = card_block(text, path, key)
    lines = text.replace("\r\n", "\n").split("\n")
    rest = [*lines[:start], *lines[end:]]
    joined = "\n".join(rest).rstrip("\n") + "\n"
    after: bytes | None = joined.encode("utf-8")
    if not parse_card_text(joined, str(path)).cards:
        after = None  # nothing of the user's left in it
    _put(path, after)
    edit = FileEdit(path, current, after, sync, label="Removed your version")
    return edit, sync().changes
