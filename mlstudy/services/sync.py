"""Study on several computers: one sync pass through a folder another program keeps in
step (Syncthing, Dropbox, OneDrive, a network share). DESIGN.md §13.

A pass: (1) under the writer, this device's new events get their sequence numbers;
(2) they are written as segment files under ``<folder>/mlstudy-sync/<device id>/``,
each to a temporary name, flushed, then renamed, and never changed afterwards; (3) the
other devices' segments are read and validated off the writer (the folder is untrusted
input); (4) under the writer, their events are merged and the affected cards replayed.
Nothing in the folder is ever deleted or rewritten with other bytes, and the database
never goes there.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mlstudy.core import sync as core_sync
from mlstudy.errors import UserError
from mlstudy.services.context import LibraryContext
from mlstudy.services.settings import (
    DEFAULTS,
    EXAM_SCHEDULE_KEYS,
    setting_name,
    validate_setting,
)
from mlstudy.services.types import Changes
from mlstudy.storage import sync_log, sync_merge
from mlstudy.storage.study import ExamRule

log = logging.getLogger(__name__)

SUBFOLDER = "mlstudy-sync"
EVENTS_PER_SEGMENT = 50_000
LOCAL_SETTINGS = frozenset(
    {"theme", "font_size", "deck_folders", "first_run_done", "exam", "deck_exam"}
)
"""Settings that stay on each computer (its look, its own folders, the exam pack it
shows and the pack of its decks that name none); each pack's dates and budget travel."""


@dataclass(frozen=True, slots=True)
class SyncResult:
    """The outcome of one sync pass.

    Attributes:
        sent: events this device wrote to new segments.
        received: events merged from the other devices.
        devices: devices seen in the folder, this one included.
        problems: what could not be merged yet, one sentence each.
        at: when the pass ran (UTC).
    """

    sent: int
    received: int
    devices: int
    problems: tuple[str, ...]
    at: datetime
    changes: Changes = field(default_factory=Changes)

    def to_json(self) -> dict[str, object]:
        """The ``mlstudy sync --json`` document."""
        return {
            "sent": self.sent,
            "received": self.received,
            "devices": self.devices,
            "problems": list(self.problems),
        }


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its rename is durable enough
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_segment(folder: Path, name: str, data: bytes) -> None:
    """Write a segment atomically: a temporary name, flushed to disk, then renamed.

    A reader never sees a part of it: the temporary name starts with a dot, which no
    reader takes for a segment. An existing segment of that name holds the same bytes
    (segments are never changed) and is left alone.
    """
    target = folder / name
    if target.exists():
        return
    temporary = folder / f".{name}.{secrets.token_hex(4)}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    _fsync_dir(folder)


def _first_good(
    folder: Path, device: str, names: list[str]
) -> tuple[core_sync.Segment | None, list[str], str | None]:
    """The first copy of a segment that reads and validates; else what was wrong with
    each, or the message of a segment from a newer mlstudy."""
    failures: list[str] = []
    for name in names:
        path = folder / name
        try:
            if not path.is_file() or path.stat().st_size > core_sync.MAX_SEGMENT_BYTES:
                raise core_sync.SegmentError("not a regular file of a segment's size")
            segment = core_sync.decode_segment(path.read_bytes(), device)
        except core_sync.NewerFormatError as exc:
            return None, failures, f"device {device[:8]}: {name}: {exc}; left for a later mlstudy"
        except core_sync.SegmentError as exc:
            failures.append(f"device {device[:8]}: {name}: {exc}; skipped")
            continue
        except OSError as exc:
            failures.append(f"device {device[:8]}: {name}: cannot be read ({exc.strerror})")
            continue
        if core_sync.parse_segment_name(name) != (segment.first, segment.last):
            failures.append(f"device {device[:8]}: {name}: its name and content disagree")
            continue
        return segment, failures, None
    return None, failures, None


@dataclass(slots=True)
class _Incoming:
    events: list[core_sync.Stamped]
    problems: list[str]


def read_device_folder(folder: Path, device: str, applied: int) -> _Incoming:
    """The events of one other device after ``applied``, consecutive, from the segments
    in its folder; what is missing, corrupt or too new is reported and waits."""
    problems: list[str] = []
    candidates: list[tuple[int, int, str]] = []
    try:
        names = os.listdir(folder)
    except OSError as exc:
        return _Incoming([], [f"device {device[:8]}: cannot read its folder: {exc.strerror}"])
    for name in names:
        span = core_sync.parse_segment_name(name)
        if span and span[1] > applied:
            candidates.append((span[0], span[1], name))
    events: list[core_sync.Stamped] = []
    last = applied
    spans: dict[tuple[int, int], list[str]] = {}
    for first, end, name in candidates:
        spans.setdefault((first, end), []).append(name)
    for (first, end), names_of_span in sorted(spans.items()):
        if end <= last:
            continue
        if first > last + 1:
            problems.append(
                f"device {device[:8]}: events {last + 1}-{first - 1} have not arrived yet; "
                "later ones wait for them"
            )
            break
        # The segment's own name first; a conflicted copy is read only if it is needed.
        canonical = core_sync.segment_name(first, end)
        ordered = sorted(names_of_span, key=lambda n: (n != canonical, n))
        segment, failures, newer = _first_good(folder, device, ordered)
        if newer:
            problems.append(newer)
            break
        if segment is None:
            problems.extend(failures)
            continue
        events.extend(e for e in segment.events if e.seq > last)
        last = segment.last
    return _Incoming(events, problems)


def remote_setting_ok(key: str, text: str) -> bool:
    """Whether a setting from another computer is valid here (JSON, and what the
    settings page itself would accept)."""
    try:
        value = json.loads(text)
        name = setting_name(key)
        if name in DEFAULTS:
            validate_setting(name, value)
    except (UserError, ValueError, TypeError):
        return False
    return key not in LOCAL_SETTINGS


class SyncService:
    """Sync passes of one library (``Library.sync``); one pass runs at a time."""

    def __init__(
        self,
        context: LibraryContext,
        rule: Callable[[], ExamRule | None],
        reschedule: Callable[[], Changes],
    ) -> None:
        """Args:
        rule: today's exam-aware due layer.
        reschedule: recompute the exam-aware due days (after a synced exam date).
        """
        self._context = context
        self._rule = rule
        self._reschedule = reschedule
        self._pass = threading.Lock()
        self._collected_at: int | None = None
        """The write generation at the last gathering of events to send."""
        self.last: SyncResult | None = None
        """The last pass's result (the status Settings and Today show)."""

    def _fingerprint(self) -> str:
        database = self._context.data_dir / "mlstudy.sqlite3"
        try:
            inode = database.stat().st_ino
        except OSError:
            inode = 0
        return f"{socket.gethostname()}|{database.resolve()}|{inode}"

    def folder(self) -> Path | None:
        """The sync folder, or None when this library does not sync."""
        with self._context.read() as conn:
            device = sync_log.load_device(conn)
        return Path(device.folder) if device and device.folder else None

    def set_folder(self, folder: Path | None) -> None:
        """Choose the sync folder (it must exist); None stops syncing."""
        if folder is not None:
            folder = folder.expanduser().resolve()
            if not folder.is_dir():
                raise UserError(f"{folder}: no such folder; create it or choose another")
            if (
                folder == self._context.data_dir.resolve()
                or self._context.data_dir.resolve() in (folder / SUBFOLDER).parents
            ):
                raise UserError(f"{folder}: the sync folder cannot be the data dir")
        now = self._context.clock().isoformat()
        with self._context.write("saving the sync folder") as conn:
            sync_log.ensure_device(conn, self._fingerprint(), now)
            sync_log.set_folder(conn, str(folder) if folder else None)

    def run(self) -> SyncResult | None:
        """One sync pass with the saved folder; None when no folder is set."""
        folder = self.folder()
        if folder is None:
            return None
        with self._pass, _collector_paused():
            result = self._run(folder)
        self.last = result
        return result

    def _run(self, folder: Path) -> SyncResult:
        now = self._context.clock()
        stamp = now.isoformat()
        root = folder / SUBFOLDER
        if not folder.is_dir():
            raise UserError(f"the sync folder {folder} is not there (an unmounted drive?)")
        generation = self._context.generation
        known = None
        waiting = False
        if generation == self._collected_at:  # nothing written here since the last pass
            with self._context.read() as conn:
                known = sync_log.load_device(conn)
        if known is None:
            with self._context.write("preparing the sync") as conn:
                device, _old = sync_log.ensure_device(conn, self._fingerprint(), stamp)
                sync_log.collect_outgoing(
                    conn, device, stamp, lambda key: key not in LOCAL_SETTINGS
                )
                known = sync_log._must(sync_log.load_device(conn))
                # Something was written (a deck may have brought the cards they wait for).
                waiting = sync_log.waiting(conn)[0] > 0
            self._collected_at = generation
        device = known
        own = root / device.device
        try:
            own.mkdir(parents=True, exist_ok=True)
            sent = self._write_segments(own, device)
        except OSError as exc:
            raise UserError(f"cannot write to the sync folder {own}: {exc.strerror}") from None
        problems: list[str] = []
        with self._context.read() as conn:
            applied = sync_log.peers(conn)
        incoming: dict[str, list[core_sync.Stamped]] = {}
        devices = 1
        try:
            entries = sorted(os.listdir(root))
        except OSError:
            entries = []
        for name in entries:
            if name == device.device or not core_sync.DEVICE_ID.match(name):
                continue
            if not (root / name).is_dir():
                continue
            devices += 1
            got = read_device_folder(root / name, name, applied.get(name, 0))
            problems.extend(got.problems)
            if got.events:
                incoming[name] = got.events
        received = 0
        changes = Changes()
        if incoming or waiting:
            changes, received, merge_problems = self._merge(incoming, stamp, waiting)
            problems.extend(merge_problems)
        with self._context.read() as conn:
            count, cards, example = sync_log.waiting(conn)
        if count:
            problems.append(
                f"{count} answer(s) from other computers for {cards} card(s) not in this "
                f"library (e.g. {example}) wait; they are merged when the cards arrive"
            )
        for problem in problems:
            log.warning("sync: %s", problem)
        return SyncResult(sent, received, devices, tuple(problems), now, changes)

    def _write_segments(self, own: Path, device: sync_log.Device) -> int:
        present = {span for name in os.listdir(own) if (span := core_sync.parse_segment_name(name))}
        covered = self._covered(present, device.written_seq)
        sent = 0
        start = covered + 1
        while start < device.next_seq:
            end = min(device.next_seq - 1, start + EVENTS_PER_SEGMENT - 1)
            with self._context.read() as conn:
                lines = sync_log.outbox_lines(conn, device.device, start, end)
            data = _segment_bytes(device.device, start, end, lines)
            write_segment(own, core_sync.segment_name(start, end), data)
            with self._context.write("noting the sync") as conn:
                sync_log.mark_written(conn, end)
            if end > device.written_seq:
                sent += end - max(start, device.written_seq + 1) + 1
            start = end + 1
        return sent

    @staticmethod
    def _covered(present: set[tuple[int, int]], written: int) -> int:
        """How far the segments in the own folder cover the events, up to ``written``
        (a folder emptied by someone is written again from the outbox)."""
        last = 0
        for first, end in sorted(present):
            if first > last + 1:
                break
            last = max(last, end)
        return min(last, written)

    def _merge(
        self, incoming: dict[str, list[core_sync.Stamped]], stamp: str, waiting: bool
    ) -> tuple[Changes, int, list[str]]:
        """Merge the other devices' events, and with ``waiting`` the answers that wait
        for their card (which a deck may have brought since)."""
        rule = self._rule()
        problems: list[str] = []
        received = 0
        settings: set[str] = set()
        suspended = False
        with self._context.write(
            "merging the other computers' answers", fold_later=True, keys_checked=True
        ) as conn:
            # A merge touches the log's indexes all over: let SQLite keep them in memory.
            conn.exec_driver_sql("PRAGMA cache_size=-131072")
            top = sync_merge.log_top(conn)
            if waiting:
                received = sync_log.merge_waiting(conn)
            batch = sync_merge.LogBatch()
            for device in sorted(incoming):
                merged = sync_log.merge_events(
                    conn, device, incoming[device], stamp, remote_setting_ok, batch
                )
                received += merged.received
                settings |= merged.settings.keys()
                suspended = suspended or merged.suspended
                problems.extend(merged.problems)
            logged, cards = sync_merge.log_and_replay(conn, self._context.read, batch, top, rule)
            received += logged
            sync_log.skip_merged(conn, top)
        changes = Changes(
            cards=frozenset(cards),
            reviews=bool(cards),
            queue=bool(cards) or suspended,
            settings=bool(settings),
            plan=bool(settings) or bool(cards),
        )
        changes = self._context.publish(changes) if received else changes
        if {setting_name(key) for key in settings} & EXAM_SCHEDULE_KEYS:
            changes |= self._reschedule()
        return changes, received, problems


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for a pass: a merge makes hundreds of thousands
    of small objects (events, rows, states; none in a cycle), and the collector would go
    over all of them again and again as they pile up (a third of the time of reading the
    segments). Whatever cycles the pass leaves are collected after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _segment_bytes(device: str, first: int, last: int, lines: list[str]) -> bytes:
    if len(lines) != last - first + 1:
        raise RuntimeError(f"the outbox lacks events {first}-{last}")
    return core_sync.encode_segment(device, first, lines)
