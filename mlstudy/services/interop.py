"""Anki interoperability as use cases: export the library's cards to an .apkg."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlstudy.errors import UserError
from mlstudy.services.types import Changes

if TYPE_CHECKING:
    from mlstudy.services.library import Library

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    path: Path
    notes: int
    decks: int
    with_progress: bool


def export_to_anki(
    library: Library,
    path: Path,
    *,
    domain: int | None = None,
    with_progress: bool = False,
    progress: Progress | None = None,
) -> ExportReport:
    """Write the selected exam's cards (or one domain's) to ``path`` as an Anki package.

    Raises:
        UserError: an unknown domain, a wrong file extension, or a file that cannot be written.
    """
    from mlstudy.decks.anki_export import write_apkg
    from mlstudy.storage.interop import export_cards

    if path.suffix.lower() != ".apkg":
        raise UserError(f"{path}: an Anki package must end in .apkg")
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file name ending in .apkg")
    exam = library.exam()
    names = {d.number: d.name for d in exam.domains}
    if domain is not None and domain not in names:
        known = ", ".join(str(n) for n in sorted(names))
        raise UserError(f"--domain {domain}: {exam.code} has domains {known}")
    with library.engine.connect() as conn:
        cards = export_cards(conn, library.exam_id(), domain)
    if not cards:
        raise UserError("there are no cards to export")
    notes = write_apkg(
        cards,
        path,
        exam.code,
        names,
        timestamp=library.now().timestamp(),
        with_progress=with_progress,
        progress=progress,
    )
    return ExportReport(
        path=path,
        notes=notes,
        decks=len({c.domain for c in cards}),
        with_progress=with_progress,
    )


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would do, before anything is written."""

    path: Path
    decks: dict[str, int]
    notes: int
    cards: int
    note_types: dict[str, int]
    media: int
    skipped: tuple[str, ...]
    files: tuple[str, ...]
    changes: Changes = field(default_factory=Changes)


def preview_import(library: Library, path: Path) -> ImportPreview:
    """Read an Anki package and say what importing it would write (nothing is written).

    Raises:
        UserError: the package is damaged, hostile or not an Anki package.
    """
    from mlstudy.decks.anki_import import deck_slug, read_package

    package = read_package(path)
    return ImportPreview(
        path=path,
        decks=dict(sorted(package.decks().items())),
        notes=package.notes,
        cards=len(package.cards),
        note_types=dict(sorted(package.note_types.items())),
        media=len(package.media),
        skipped=tuple(package.skipped),
        files=tuple(f"{deck_slug(d)}.md" for d in sorted(package.decks())),
    )


def import_from_anki(
    library: Library, path: Path, *, domain: int | None = None, task: str | None = None
) -> ImportPreview:
    """Import an Anki package into the user's deck folder, all or nothing.

    Each Anki deck becomes one deck file ``anki-<deck>.md`` in ``<data dir>/decks/``
    and media go to ``decks/anki-media/``. Card ids come from the note GUIDs, so
    importing the same package again updates those files instead of adding cards.

    Raises:
        UserError: a bad package, an unknown domain or task, cards with no domain,
            or generated files that do not validate; nothing is written then.
    """
    import os
    import tempfile

    from mlstudy import paths
    from mlstudy.decks.anki_import import MEDIA_FOLDER, deck_files, read_package
    from mlstudy.decks.parser import parse_card_text

    exam = library.exam()
    if task is not None:
        owner = exam.domain_of_task(task)
        if owner is None:
            raise UserError(f"--task {task}: not a task statement of {exam.code}")
        if domain is not None and owner.number != domain:
            raise UserError(f"--task {task} belongs to domain {owner.number}, not {domain}")
    if domain is not None and exam.domain(domain) is None:
        known = ", ".join(str(d.number) for d in exam.domains)
        raise UserError(f"--domain {domain}: {exam.code} has domains {known}")
    package = read_package(path)
    if not package.cards:
        reasons = "; ".join(package.skipped[:3]) or "the package has no notes"
        raise UserError(f"{path}: nothing to import ({reasons})")
    files = deck_files(package, domain, task)
    for name, text in files.items():
        parsed = parse_card_text(text, name)
        if parsed.problems:
            raise UserError(f"{path}: {parsed.problems[0].message}")
        for card in parsed.cards:
            if card.task is not None and exam.domain_of_task(card.task) is None:
                raise UserError(
                    f"{path}: a note is tagged task::{card.task}, not a task of {exam.code}"
                )
            if card.task is None and (card.domain is None or exam.domain(card.domain) is None):
                raise UserError(
                    f"{path}: the Anki tags give no domain for {card.key}: "
                    "choose one with --domain or --task"
                )
    decks = paths.user_decks_dir(library.data_dir)
    decks.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix=".import-", dir=library.data_dir) as work:
            staged = Path(work)
            for name, text in files.items():
                (staged / name).write_text(text, encoding="utf-8")
            for name, data in package.media.items():
                (staged / MEDIA_FOLDER).mkdir(exist_ok=True)
                (staged / MEDIA_FOLDER / name).write_bytes(data)
            if package.media:
                (decks / MEDIA_FOLDER).mkdir(exist_ok=True)
                for item in (staged / MEDIA_FOLDER).iterdir():
                    os.replace(item, decks / MEDIA_FOLDER / item.name)
            for name in files:
                os.replace(staged / name, decks / name)
    except OSError as exc:
        raise UserError(
            f"{decks}: cannot write the imported decks: {exc.strerror or exc}"
        ) from None
    report = library.sync_content()
    return replace(preview_import(library, path), changes=report.changes)
