"""Shared cards: a card written in one exam pack that also serves a task of another.

A pack may hold ``shared/*.toml`` files, each a flat table of ``"card-id" = "task-id"``
lines: the card (written once, in its home pack) also serves that task of this pack,
with one review history counted for both. Each line is read on its own, so a bad entry
is reported at its line (``path:line: error: ...``) and the others still load.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlstudy.core.exam import ExamManifest
from mlstudy.decks.loader import load_manifest
from mlstudy.decks.parser import Problem, read_bounded
from mlstudy.errors import UserError

SHARED_DIR = "shared"


@dataclass(frozen=True, slots=True)
class SharedEntry:
    """One mapping: card ``key`` also serves ``task`` (of ``domain``) in ``exam``."""

    key: str
    exam: str
    domain: int
    task: str
    path: str
    line: int


@dataclass(slots=True)
class SharedLoad:
    """Every well-formed mapping of some packs, and the problems found."""

    entries: list[SharedEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    manifests: dict[str, ExamManifest] = field(default_factory=dict)
    """The manifests of the packs that have mappings."""


def shared_files(pack: Path) -> list[Path]:
    """The mapping files of a pack folder, in name order."""
    folder = pack / SHARED_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".toml" and p.is_file())


def load_shared(packs: Sequence[Path]) -> SharedLoad:
    """Read every pack's ``shared/*.toml``: syntax, task ids, a card mapped twice.

    Whether each card exists, and lives in another pack, is ``check_shared``'s job: it
    needs the cards.
    """
    load = SharedLoad()
    for pack in packs:
        files = shared_files(pack)
        if not files:
            continue
        try:
            manifest = load_manifest(pack)
        except UserError:
            continue  # the card loader reports a broken manifest
        load.manifests[manifest.code] = manifest
        seen: dict[str, SharedEntry] = {}
        for path in files:
            load.files += 1
            shown = str(path.relative_to(pack.parent.parent))
            _read_file(path, shown, manifest, seen, load)
    return load


def _read_file(
    path: Path,
    shown: str,
    manifest: ExamManifest,
    seen: dict[str, SharedEntry],
    load: SharedLoad,
) -> None:
    try:
        text = read_bounded(path).decode("utf-8")
    except OSError as exc:
        load.problems.append(Problem(shown, 1, f"cannot read the file: {exc.strerror or exc}"))
        return
    except UnicodeDecodeError:
        load.problems.append(Problem(shown, 1, "not UTF-8 text"))
        return
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        entry = _read_line(stripped, shown, number, manifest, load.problems)
        if entry is None:
            continue
        first = seen.get(entry.key)
        if first is not None:
            load.problems.append(
                Problem(
                    shown,
                    number,
                    f"card {entry.key!r} is mapped twice into {manifest.code}: "
                    f"also at {first.path}:{first.line}",
                )
            )
            continue
        seen[entry.key] = entry
        load.entries.append(entry)


def _read_line(
    line: str, shown: str, number: int, manifest: ExamManifest, problems: list[Problem]
) -> SharedEntry | None:
    def problem(message: str) -> None:
        problems.append(Problem(shown, number, message))

    try:
        table = tomllib.loads(line)
    except tomllib.TOMLDecodeError as exc:
        problem(f'bad TOML ({str(exc).split(" (at ")[0]}): write "card-id" = "task-id"')
        return None
    if len(table) != 1 or line.startswith("["):
        problem('one "card-id" = "task-id" entry per line; tables are not allowed')
        return None
    ((key, task),) = table.items()
    if isinstance(task, dict):
        problem(f'{key!r}: a dotted key is not a card id; quote it: "{key}" = "3.1"')
        return None
    if not isinstance(task, str):
        problem(f'{key!r}: the value must be a task id in quotes, such as "3.1"; got {task!r}')
        return None
    domain = manifest.domain_of_task(task)
    if domain is None:
        known = ", ".join(t for d in manifest.domains for t in d.task_ids())
        problem(f"{key!r}: unknown task {task!r} for {manifest.code} (known: {known})")
        return None
    return SharedEntry(key, manifest.code, domain.number, task, shown, number)


def check_shared(
    entries: Sequence[SharedEntry], homes: Mapping[str, str]
) -> tuple[list[SharedEntry], list[Problem]]:
    """The entries whose card exists in another pack, and a problem for each other one.

    Args:
        entries: the mappings (``load_shared``).
        homes: card id to the exam code of the pack (or deck) it is written in.
    """
    valid: list[SharedEntry] = []
    problems: list[Problem] = []
    for entry in entries:
        home = homes.get(entry.key)
        if home is None:
            problems.append(Problem(entry.path, entry.line, f"unknown card id {entry.key!r}"))
        elif home == entry.exam:
            problems.append(
                Problem(
                    entry.path,
                    entry.line,
                    f"card {entry.key!r} is written in {home} itself: map only cards of "
                    "other packs",
                )
            )
        else:
            valid.append(entry)
    return valid, problems
