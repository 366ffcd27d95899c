"""Libraries that share a sync folder, and a simulated file-sync tool between them."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from mlstudy.services import Library
from mlstudy.services.sync import SUBFOLDER
from mlstudy.storage import sync_log
from mlstudy.storage.schema import Card, CardState, Review
from tests.conftest import FakeClock

START = datetime(2026, 12, 1, 9, tzinfo=UTC)


@dataclass
class Device:
    """One computer: a library, its clock and its copy of the sync folder."""

    library: Library
    clock: FakeClock
    folder: Path

    def answer(self, key: str, grade: int) -> None:
        """Answer the card with this key."""
        self.library.answer(card_id(self.library, key), grade, answer_ms=1000)

    def sync(self) -> dict[str, object]:
        """One pass; its JSON report."""
        result = self.library.sync.run()
        assert result is not None
        return result.to_json()


def card_id(library: Library, key: str) -> int:
    """The database id of a card key."""
    with library.context.read() as conn:
        return int(conn.execute(select(Card.id).where(Card.key == key)).scalar_one())


def open_device(root: Path, name: str, pack: Path, start: datetime = START) -> Device:
    """A library in ``root/name`` syncing through its own folder ``root/name-sync``."""
    clock = FakeClock(start)
    library = Library.open(root / name, clock=clock, tz=UTC, content_root=pack, lock=False)
    folder = root / f"{name}-sync"
    folder.mkdir()
    library.sync.set_folder(folder)
    return Device(library, clock, folder)


def log_of(library: Library) -> list[tuple[str, str, str, str, int, str | None]]:
    """The review log by content, in uid order: (uid, card key, time, day, grade, undoes)."""
    with library.context.read() as conn:
        rows = conn.execute(
            select(
                Review.uid,
                Card.key,
                Review.reviewed_at,
                Review.study_day,
                Review.grade,
                Review.undoes,
            ).join(Card, Card.id == Review.card_id)
        ).all()
    return sorted((str(r[0]), r[1], r[2], r[3], int(r[4]), r[5]) for r in rows)


def states_of(library: Library) -> dict[str, tuple[object, ...]]:
    """Every card's state by key."""
    with library.context.read() as conn:
        rows = conn.execute(
            select(
                Card.key,
                CardState.repetitions,
                CardState.easiness,
                CardState.interval_days,
                CardState.due_day,
                CardState.last_day,
                CardState.reviews,
                CardState.lapses,
            ).join(Card, Card.id == CardState.card_id)
        ).all()
    return {r[0]: tuple(r[1:]) for r in rows}


@dataclass
class SyncTool:
    """Copies segment files between the devices' folders, as Syncthing or Dropbox would:
    late, twice, out of order, as conflicted copies, or half-written."""

    devices: list[Device]
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def pending(self) -> list[tuple[Path, Path]]:
        """(source file, destination file) of every segment not yet delivered."""
        todo = []
        for source in self.devices:
            with source.library.context.read() as conn:
                own = sync_log.load_device(conn)
            device_dir = source.folder / SUBFOLDER / own.device if own else None
            if device_dir is None or not device_dir.is_dir():
                continue
            for file in device_dir.iterdir():
                if file.name.startswith("."):
                    continue
                for target in self.devices:
                    if target is source:
                        continue
                    dest = target.folder / SUBFOLDER / device_dir.name / file.name
                    # Missing, or caught mid-write: the tool copies it (again).
                    if not dest.exists() or dest.stat().st_size != file.stat().st_size:
                        todo.append((file, dest))
        return sorted(todo)

    def deliver(self, source: Path, dest: Path) -> None:
        """Copy one file into place (by a temporary name and a rename)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        temporary = dest.parent / f".syncthing.{dest.name}.tmp"
        shutil.copyfile(source, temporary)
        temporary.replace(dest)

    def deliver_all(self) -> None:
        """Deliver until every folder holds every segment."""
        while todo := self.pending():
            for source, dest in todo:
                self.deliver(source, dest)
