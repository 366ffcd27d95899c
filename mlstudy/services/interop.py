"""Anki interoperability as use cases: export the library's cards to an .apkg; import a
package's notes into the user's decks, and with ``with_progress`` its scheduling and
review history into the log (``core.interop`` has the mapping)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlstudy.core.exam import NO_DOMAIN, NO_DOMAIN_NAME
from mlstudy.errors import UserError
from mlstudy.services.types import Changes

if TYPE_CHECKING:
    from mlstudy.core.exam import ExamManifest
    from mlstudy.decks.anki_import import AnkiPackage
    from mlstudy.decks.render import Rendered
    from mlstudy.services.library import Library
    from mlstudy.storage.interop import CardProgress

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
    fields = _CachedFields(library.data_dir, [(c.question, c.answer) for c in cards])
    try:
        # The notes are written as the fields are rendered: progress counts notes.
        notes = write_apkg(
            cards,
            fields.pairs(),
            path,
            exam.code,
            {NO_DOMAIN: NO_DOMAIN_NAME, **names},  # "MLS-C01::0 No domain"
            timestamp=library.now().timestamp(),
            with_progress=with_progress,
            progress=progress,
        )
    finally:
        fields.close()
    return ExportReport(
        path=path,
        notes=notes,
        decks=len({c.domain for c in cards}),
        with_progress=with_progress,
    )


def _digest(text: str) -> bytes:
    import hashlib

    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class _CachedFields:
    """Each card's (question, answer) as the HTML the app shows, through the render
    cache (``storage.render_cache``): what an earlier export rendered is not rendered
    again, and what the cache lacks is rendered on every CPU (``render_stream``) while
    the first cards are already being written. A field shown as plain text (over a
    cap, or slow on a busy machine) is never kept."""

    def __init__(self, data_dir: Path, pairs: list[tuple[str, str]]) -> None:
        from mlstudy import paths
        from mlstudy.decks.render import RENDER_VERSION
        from mlstudy.storage.render_cache import RenderCache

        self._texts: dict[bytes, str] = {}
        self._keys: list[tuple[bytes, bytes]] = []
        for question, answer in pairs:
            key = (_digest(question), _digest(answer))
            self._texts[key[0]], self._texts[key[1]] = question, answer
            self._keys.append(key)
        self._cache: RenderCache | None
        try:
            self._cache = RenderCache(
                paths.cache_dir(data_dir) / "rendered-html.sqlite3", RENDER_VERSION
            )
        except (OSError, sqlite3.Error):
            self._cache = None  # no cache: every field is rendered
        self._html = self._cache.lookup(list(self._texts)) if self._cache is not None else {}
        self._fresh: dict[bytes, str] = {}
        self._stream: Generator[Rendered] | None = None
        self._keeper: threading.Thread | None = None

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Each card's pair in order, each as soon as both of its fields are ready."""
        from mlstudy.decks.render import render_stream

        html, fresh = self._html, self._fresh
        missing = [digest for digest in self._texts if digest not in html]
        self._stream = render_stream([self._texts[d] for d in missing])
        rendered = zip(missing, self._stream, strict=True)
        for question, answer in self._keys:
            # ``missing`` is in order of first use: the fields of this card come next.
            while question not in html or answer not in html:
                digest, field = next(rendered)
                html[digest] = field.html
                if not field.problem:
                    fresh[digest] = field.html
            yield html[question], html[answer]
        # Every field is rendered: store them while the package is being finished.
        if self._cache is not None:
            cache, used = self._cache, self._texts.keys()
            self._keeper = threading.Thread(target=lambda: cache.keep(fresh, used))
            self._keeper.start()

    def close(self) -> None:
        """Stop the workers of an export that failed; finish storing; close the cache."""
        if self._stream is not None:
            self._stream.close()
        if self._keeper is not None:
            self._keeper.join()
        if self._cache is not None:
            self._cache.close()


@dataclass(frozen=True, slots=True)
class ImportedProgress:
    """What an import with progress logged.

    Attributes:
        states: cards whose Anki scheduling became their state (an ``import`` log entry).
        unchanged: cards whose imported state was already in the log (imported before).
        kept: cards left as they were because mlstudy has newer history for them.
        history: Anki answers added to the log for the charts and answer times.
        suspended: cards suspended in Anki, new to mlstudy, and so suspended here too
            (a card already in mlstudy keeps the suspension it has here).
    """

    states: int = 0
    unchanged: int = 0
    kept: int = 0
    history: int = 0
    suspended: int = 0


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would do, before anything is written (after an import: what it did;
    ``progress`` is None unless progress was imported)."""

    path: Path
    decks: dict[str, int]
    notes: int
    cards: int
    note_types: dict[str, int]
    media: int
    skipped: tuple[str, ...]
    files: tuple[str, ...]
    changes: Changes = field(default_factory=Changes)
    scheduled: int = 0
    """Cards that Anki schedules for review (their state comes with progress)."""
    answers: int = 0
    """Entries of Anki's review history (logged with progress)."""
    suspended: int = 0
    """Cards suspended in Anki (suspended here too with progress, when new to mlstudy)."""
    progress: ImportedProgress | None = None
    no_domain: int = 0
    """Cards whose Anki tags give no domain of the exam: with no domain or task chosen,
    they are imported with no domain (studied, left out of readiness)."""


def preview_import(library: Library, path: Path) -> ImportPreview:
    """Read an Anki package and say what importing it would write (nothing is written).

    Raises:
        UserError: the package is damaged, hostile or not an Anki package.
    """
    from mlstudy.decks.anki_import import read_package

    return _preview(path, read_package(path), library.exam())


def _untagged(package: AnkiPackage, exam: ExamManifest) -> int:
    """Cards whose Anki tags name no task or domain of ``exam``."""
    from mlstudy.decks.anki_import import tagged_place

    count = 0
    for card in package.cards:
        task, domain = tagged_place(card)
        if task is None and (domain is None or exam.domain(domain) is None):
            count += 1
    return count


def _preview(path: Path, package: AnkiPackage, exam: ExamManifest) -> ImportPreview:
    from mlstudy.decks.anki_import import deck_slug

    return ImportPreview(
        no_domain=_untagged(package, exam),
        path=path,
        decks=dict(sorted(package.decks().items())),
        notes=package.notes,
        cards=len(package.cards),
        note_types=dict(sorted(package.note_types.items())),
        media=len(package.media),
        skipped=tuple(package.skipped),
        files=tuple(f"{deck_slug(d)}.md" for d in sorted(package.decks())),
        scheduled=sum(card.due_day is not None for card in package.cards),
        suspended=sum(card.suspended for card in package.cards),
        answers=sum(len(card.reviews) for card in package.cards),
    )


def import_from_anki(
    library: Library,
    path: Path,
    *,
    domain: int | None = None,
    task: str | None = None,
    with_progress: bool = False,
) -> ImportPreview:
    """Import an Anki package into the user's deck folder, all or nothing.

    Each Anki deck becomes one deck file ``anki-<deck>.md`` in ``<data dir>/decks/``
    and media go to ``decks/anki-media/``. Card ids come from the note GUIDs, so
    importing the same package again updates those files instead of adding cards.

    With ``with_progress``, each Anki review card's interval, ease and due day become
    its state and Anki's review history is logged (``_progress``). The progress is
    worked out before any file is written, and logged in one transaction after the
    decks are synced: if that transaction fails, the cards are imported and no
    progress is, and importing again with progress applies it (it is idempotent).

    Cards whose Anki tags give no task or domain take ``task`` or ``domain``; with
    neither, they are imported with no domain (``exam.NO_DOMAIN``): studied like any
    card, left out of readiness and the plan (``no_domain`` of the result counts them).

    Raises:
        UserError: a bad package, an unknown domain or task (given or in the tags),
            or generated files that do not validate; nothing is written then. Also
            when the progress cannot be logged (the decks are imported then).
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
    files = deck_files(package, domain, task, exam.code)
    no_domain = 0
    for name, text in files.items():
        parsed = parse_card_text(text, name)
        if parsed.problems:
            raise UserError(f"{path}: {parsed.problems[0].message}")
        for card in parsed.cards:
            if card.task is not None and exam.domain_of_task(card.task) is None:
                raise UserError(
                    f"{path}: a note is tagged task::{card.task}, not a task of {exam.code}"
                )
            if card.task is None and card.domain == NO_DOMAIN:
                no_domain += 1
            elif card.task is None and (card.domain is None or exam.domain(card.domain) is None):
                known = ", ".join(str(d.number) for d in exam.domains)
                raise UserError(
                    f"{path}: {card.key} is tagged domain::{card.domain}, but {exam.code} "
                    f"has domains {known}"
                )
    progress = _progress(library, package) if with_progress else None
    existing = _known_keys(library, [card.key for card in package.cards if card.suspended])
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
    done = replace(_preview(path, package, exam), changes=report.changes, no_domain=no_domain)
    if progress is None:
        return done
    done = _apply_progress(library, path, done, progress)
    fresh = [card.key for card in package.cards if card.suspended and card.key not in existing]
    return _suspend_new(library, done, fresh)


def _known_keys(library: Library, keys: list[str]) -> set[str]:
    """Which of these card ids the library already has."""
    from sqlalchemy import select

    from mlstudy.storage.schema import Card

    with library.context.read() as conn:
        return {
            str(key)
            for start in range(0, len(keys), 500)
            for key in conn.execute(
                select(Card.key).where(Card.key.in_(keys[start : start + 500]))
            ).scalars()
        }


def _suspend_new(library: Library, done: ImportPreview, keys: list[str]) -> ImportPreview:
    """Suspend the cards that were suspended in Anki and are new to mlstudy."""
    from sqlalchemy import select

    from mlstudy.services.undo import suspend
    from mlstudy.storage.schema import Card

    if not keys or done.progress is None:
        return done
    with library.context.read() as conn:
        ids = [
            int(i)
            for start in range(0, len(keys), 500)
            for i in conn.execute(
                select(Card.id).where(Card.key.in_(keys[start : start + 500]))
            ).scalars()
        ]
    suspension = suspend(library.context, ids, True)
    changes = Changes(cards=frozenset(suspension.card_ids), queue=True)
    library.context.publish(changes)
    progress = replace(done.progress, suspended=len(suspension.card_ids))
    return replace(done, changes=done.changes | changes, progress=progress)


def _progress(library: Library, package: AnkiPackage) -> list[CardProgress]:
    """Each card's imported state and history, worked out before anything is written.

    Anki's moments become study days as mlstudy counts them (the day start hour, local
    time); a review card's due day counts from the collection's first day.

    Raises:
        UserError: a due day or moment no calendar holds (a damaged package).
    """
    from datetime import UTC, datetime, timedelta

    from mlstudy.core.interop import (
        AnkiAnswer,
        anki_history,
        imported_schedule,
        learning_schedule,
    )
    from mlstudy.core.studyday import study_day
    from mlstudy.storage.interop import CardProgress

    tz = library.context.tz
    hour = int(library.settings()["day_start_hour"])
    items: list[CardProgress] = []
    try:
        start = datetime.fromtimestamp(package.collection_start, tz).date()
        for card in package.cards:
            answers = [
                AnkiAnswer(
                    timestamp_ms=r.timestamp_ms,
                    day=study_day(datetime.fromtimestamp(r.timestamp_ms / 1000, UTC), hour, tz),
                    ease=r.ease,
                    interval=r.interval,
                    time_ms=r.time_ms,
                    kind=r.kind,
                )
                for r in card.reviews
            ]
            schedule = None
            if card.learning and (answers or card.due_day is not None):
                last = answers[-1].day if answers else start + timedelta(days=card.due_day or 0)
                schedule = learning_schedule(card.factor, last)
            elif card.due_day is not None and package.collection_start:
                due = start + timedelta(days=card.due_day)
                schedule = imported_schedule(card.interval, card.factor, due, answers)
            if schedule is not None or answers:
                items.append(CardProgress(card.key, schedule, tuple(anki_history(answers))))
    except (ValueError, OverflowError, OSError) as exc:
        raise UserError(
            f"{package.path}: a due day or review time is out of range ({exc})"
        ) from None
    return items


def _apply_progress(
    library: Library, path: Path, done: ImportPreview, items: list[CardProgress]
) -> ImportPreview:
    """Log the progress in one transaction after the decks were synced."""
    from mlstudy.storage.interop import apply_progress

    rule = library.plans.rule()
    try:
        with library.context.write("logging the Anki progress") as conn:
            result = apply_progress(conn, items, library.now().isoformat(), rule)
    except UserError as exc:
        raise UserError(
            f"{path}: the cards were imported, but their Anki progress was not ({exc}); "
            "none of it was logged, and importing the package again with progress adds it"
        ) from None
    progress = ImportedProgress(result.states, result.unchanged, result.kept, result.history)
    if not result.cards:
        return replace(done, progress=progress)
    changes = Changes(cards=result.cards, reviews=True, plan=True, queue=True)
    library.context.publish(changes)
    return replace(done, changes=done.changes | changes, progress=progress)
