"""Load exam packs and user decks: parse every file, check cards against the manifest."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlstudy.core.exam import NO_DOMAIN, ExamManifest, parse_manifest
from mlstudy.decks.limits import MAX_FOLDER_DEPTH, over_cap
from mlstudy.decks.parser import ParsedCard, Problem, read_bounded, read_card_file
from mlstudy.errors import UserError

RACY_NS = 3_000_000_000
"""A file modified this close to the load may change again within the same timestamp."""

OVERRIDES_DIR = "overrides"
"""A user deck folder's ``overrides/`` holds the user's versions of bundled cards: a card
there with a bundled card's id replaces it (same id, so same history); removing it
brings the bundled text back. Bundled files are never written."""
MANIFEST_FILE = "exam.toml"
CARDS_DIR = "cards"


@dataclass(frozen=True, slots=True)
class DeckCard:
    """A validated card, ready to sync: the parsed card with its resolved domain."""

    card: ParsedCard
    exam: str
    domain: int
    order: str = "task"
    """Its file's new-card order (``parser.NEW_CARD_ORDERS``)."""


@dataclass(slots=True)
class LoadResult:
    """Everything loaded from a set of folders: manifests, valid cards, problems."""

    manifests: dict[str, ExamManifest] = field(default_factory=dict)
    cards: list[DeckCard] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    fingerprints: dict[str, str] = field(default_factory=dict)
    """Every card file seen (shown path) and its fingerprint (size, mtime, manifests)."""
    skipped: set[str] = field(default_factory=set)
    """Files not parsed because their fingerprint matched (their cards are unchanged)."""
    notes: list[Problem] = field(default_factory=list)
    """Entries passed over (FIFOs, devices, folders named ``*.md``, folders too deep)."""

    def cards_per_domain(self, exam: str) -> dict[int, int]:
        """Count of valid cards per domain of one exam."""
        counts = {d.number: 0 for d in self.manifests[exam].domains}
        for deck_card in self.cards:
            if deck_card.exam == exam:
                counts[deck_card.domain] = counts.get(deck_card.domain, 0) + 1
        return counts


def first_open_exam(manifests: Mapping[str, ExamManifest]) -> str | None:
    """The first exam code (sorted) that can still be taken, else the first; None if none."""
    codes = sorted(manifests)
    return next((c for c in codes if manifests[c].status != "retired"), next(iter(codes), None))


def load_manifest(pack_dir: Path) -> ExamManifest:
    """Read ``exam.toml`` of an exam pack folder."""
    path = pack_dir / MANIFEST_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: error: cannot read the exam manifest: {exc}") from None
    return parse_manifest(text, str(path))


def find_packs(content_root: Path) -> list[Path]:
    """Exam pack folders (those with an ``exam.toml``) directly under a content root."""
    if not content_root.is_dir():
        return []
    return sorted(p for p in content_root.iterdir() if (p / MANIFEST_FILE).is_file())


def card_files(folder: Path, notes: list[Problem] | None = None) -> list[Path]:
    """Markdown card files under a folder (or the file itself), README files excluded.

    Only regular files (or links to them) are card files; anything else named ``*.md``
    (a FIFO, a device, a folder) is passed over with a note in ``notes``. The walk is
    iterative, visits each folder once (links may loop) and stops ``MAX_FOLDER_DEPTH``
    levels down.
    """
    found: list[Path] = []
    said: list[Problem] = notes if notes is not None else []
    try:
        top = folder.stat()
    except OSError:
        return []
    if not stat.S_ISDIR(top.st_mode):
        if stat.S_ISREG(top.st_mode):
            return [folder]
        said.append(Problem(str(folder), 1, "not a regular file: skipped", "note"))
        return []
    seen = {(top.st_dev, top.st_ino)}
    stack: list[tuple[Path, int]] = [(folder, 0)]
    while stack:
        current, depth = stack.pop()
        try:
            with os.scandir(current) as entries:
                listed = [(entry.name, Path(entry.path)) for entry in entries]
        except OSError as exc:
            said.append(
                Problem(str(current), 1, f"cannot read folder: {exc.strerror or exc}", "note")
            )
            continue
        for name, path in listed:
            try:
                info = path.stat()
            except OSError:
                if name.lower().endswith(".md"):
                    said.append(Problem(str(path), 1, "broken link: skipped", "note"))
                continue
            is_card_name = name.lower().endswith(".md") and name.lower() != "readme.md"
            if stat.S_ISDIR(info.st_mode):
                if is_card_name:
                    said.append(
                        Problem(str(path), 1, "a folder, not a card file: read as a folder", "note")
                    )
                if (info.st_dev, info.st_ino) in seen:
                    continue
                if depth + 1 > MAX_FOLDER_DEPTH:
                    said.append(
                        Problem(
                            str(path),
                            1,
                            f"folders nested more than {MAX_FOLDER_DEPTH} deep are not read",
                            "note",
                        )
                    )
                    continue
                seen.add((info.st_dev, info.st_ino))
                stack.append((path, depth + 1))
            elif is_card_name:
                if stat.S_ISREG(info.st_mode):
                    found.append(path)
                else:
                    said.append(
                        Problem(
                            str(path),
                            1,
                            "not a regular file (a FIFO, device or socket): skipped",
                            "note",
                        )
                    )
    return sorted(found)


def load_decks(
    packs: Sequence[Path],
    user_folders: Iterable[Path] = (),
    *,
    default_exam: str | None = None,
    known: Mapping[str, str] | None = None,
) -> LoadResult:
    """Load exam packs and user deck folders, validating every card.

    Args:
        packs: exam pack folders (each with ``exam.toml`` and ``cards/``).
        user_folders: folders of the user's own card files.
        default_exam: the exam a user file belongs to when its front matter names none;
            defaults to the first pack's exam.
        known: fingerprints from the last sync (shown path -> fingerprint); a file whose
            fingerprint is unchanged is not parsed again and is listed in ``skipped``.
    """
    result = LoadResult()
    jobs: list[tuple[Path, str, str | None]] = []
    for pack in packs:
        try:
            manifest = load_manifest(pack)
        except UserError as exc:
            result.problems.append(Problem(str(pack / MANIFEST_FILE), 1, str(exc)))
            continue
        result.manifests[manifest.code] = manifest
        # Bundled paths are shown relative to the content root's parent
        # ("content/mls-c01/cards/d1.md"), the same in source and frozen mode.
        jobs.extend(
            (path, str(path.relative_to(pack.parent.parent)), manifest.code)
            for path in card_files(pack / CARDS_DIR, result.notes)
        )
    fallback = default_exam or first_open_exam(result.manifests)
    bundled_count = len(jobs)
    for folder in user_folders:
        jobs.extend((path, str(path), None) for path in card_files(folder, result.notes))
    overrides = [path for path, _shown, exam in jobs if exam is None and _is_override(path)]
    # Any change to the set of overrides re-reads every deck: a removed override must
    # bring its bundled card back, and a new one must meet the card it replaces.
    context = _context_digest(result.manifests, fallback) + _stat_digest(overrides)
    now_ns = time.time_ns()
    seen: dict[str, ParsedCard] = {}
    bundled = hashlib.sha256()
    for index, (path, shown, exam) in enumerate(jobs):
        result.files += 1
        override = exam is None and _is_override(path)
        # An override is read again whenever a bundled deck changed, so that it still
        # replaces the bundled card just read.
        fingerprint = _fingerprint(
            path, context + (bundled.hexdigest()[:16] if override else ""), now_ns
        )
        if index < bundled_count:
            bundled.update(fingerprint.encode("utf-8"))
        result.fingerprints[shown] = fingerprint
        previous = known.get(shown) if known is not None else None
        if previous is not None and (
            previous == fingerprint or _same_content(path, fingerprint, previous)
        ):
            result.skipped.add(shown)
            continue
        parsed = read_card_file(path, shown)
        result.problems.extend(parsed.problems)
        exam_code = exam or parsed.exam or fallback
        owner = result.manifests.get(exam_code or "")
        for card in parsed.cards:
            if owner is None:
                result.problems.append(
                    Problem(
                        card.path, card.line, f"unknown exam {exam_code!r}: no pack with that code"
                    )
                )
                continue
            domain = _resolve_domain(card, owner, result.problems, bundled=exam is not None)
            if domain is None:
                continue
            first = seen.get(card.key)
            if first is not None and override and _replace_bundled(result, first, card, domain):
                seen[card.key] = card
                continue
            if first is not None:
                result.problems.append(
                    Problem(
                        card.path,
                        card.line,
                        f"duplicate card id {card.key!r}: also at {first.path}:{first.line}",
                    )
                )
                continue
            seen[card.key] = card
            result.cards.append(
                DeckCard(card=card, exam=owner.code, domain=domain, order=parsed.order)
            )
            for text in (card.question, card.answer):
                problem = over_cap(text)
                if problem is not None:  # loaded all the same: shown as plain text
                    result.problems.append(Problem(card.path, card.line, problem))
                    break
    return result


def _is_override(path: Path) -> bool:
    return path.parent.name == OVERRIDES_DIR


def _stat_digest(paths: Sequence[Path]) -> str:
    """Changes when a file is added, removed or changed (size, mtime)."""
    parts: list[str] = []
    for path in sorted(paths):
        try:
            info = path.stat()
        except OSError:
            continue
        parts.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16] if parts else ""


def _replace_bundled(result: LoadResult, first: ParsedCard, card: ParsedCard, domain: int) -> bool:
    """Put an override in the place of the bundled card it shares an id with."""
    for index, loaded in enumerate(result.cards):
        if loaded.card is first and not Path(first.path).is_absolute():
            result.cards[index] = DeckCard(card=card, exam=loaded.exam, domain=domain)
            return True
    return False


def _fingerprint(path: Path, context: str, now_ns: int) -> str:
    """Size, mtime and context; plus a hash of the content when size and mtime alone
    cannot be trusted: whole-second stamps (FAT, SMB, some sync tools keep 1-2 s) or a
    change so recent that another could follow within the same stamp."""
    try:
        info = path.stat()
    except OSError:
        return ""
    stamp = f"{info.st_size}:{info.st_mtime_ns}:{context}"
    if info.st_mtime_ns % 1_000_000_000 and now_ns - info.st_mtime_ns > RACY_NS:
        return stamp
    try:
        digest = hashlib.sha256(read_bounded(path)).hexdigest()[:16]
    except OSError:
        return ""
    return f"{stamp}:{digest}"


def _same_content(path: Path, fingerprint: str, previous: str) -> bool:
    """Whether a file hashed at the last sync (it had just changed) is unchanged now
    that its size and mtime alone are trusted: same stamp and the same content hash."""
    if not fingerprint or not previous.startswith(fingerprint + ":"):
        return False
    try:
        digest = hashlib.sha256(read_bounded(path)).hexdigest()[:16]
    except OSError:
        return False
    return previous == f"{fingerprint}:{digest}"


def _context_digest(manifests: Mapping[str, ExamManifest], fallback: str | None) -> str:
    """Changes when anything a card is validated against changes (manifests, default exam)."""
    digest = hashlib.sha256(repr((sorted(manifests.items()), fallback)).encode("utf-8"))
    return digest.hexdigest()[:16]


def _resolve_domain(
    card: ParsedCard, manifest: ExamManifest, problems: list[Problem], *, bundled: bool
) -> int | None:
    """The card's domain number in ``manifest`` (``NO_DOMAIN`` for ``domain: none``), or
    None after reporting why it has none. A task decides the domain, even over ``none``
    (a file's ``domain: none`` is a default its cards' tasks may override)."""
    if card.domain == NO_DOMAIN and card.task is None:
        if bundled:
            problems.append(
                Problem(
                    card.path,
                    card.line,
                    "domain: none is for your own decks; every card of an exam pack needs "
                    "a domain or a task",
                )
            )
            return None
        return NO_DOMAIN
    if card.task is not None:
        owner = manifest.domain_of_task(card.task)
        if owner is None:
            problems.append(
                Problem(card.path, card.line, f"unknown task {card.task!r} for {manifest.code}")
            )
            return None
        if card.domain not in (None, NO_DOMAIN, owner.number):
            problems.append(
                Problem(
                    card.path,
                    card.line,
                    f"task {card.task} belongs to domain {owner.number}, not domain {card.domain}",
                )
            )
            return None
        return owner.number
    if card.domain is None:
        problems.append(
            Problem(
                card.path,
                card.line,
                "card has no domain: set 'domain:' in the front matter or a ':domain:' line"
                + ("" if bundled else " ('domain: none' studies it left out of readiness)"),
            )
        )
        return None
    if manifest.domain(card.domain) is None:
        known = ", ".join(str(d.number) for d in manifest.domains)
        problems.append(
            Problem(card.path, card.line, f"unknown domain {card.domain} (known: {known})")
        )
        return None
    return card.domain
