"""Anki interoperability as use cases: export the library's cards to an .apkg."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlstudy.errors import UserError

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
