"""Write loaded decks into the database: idempotent, hash-checked, history-preserving."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from mlstudy.core.exam import ExamManifest
from mlstudy.storage.schema import Card, CardState, DeckFile, DomainRow, Exam, Placement, TaskRow


@dataclass(frozen=True, slots=True)
class CardRecord:
    """One card as the sync writes it (built by the services from a deck card)."""

    key: str
    exam: str
    domain: int
    task: str | None
    question: str
    answer: str
    tags: str
    source_url: str
    file: str
    line: int
    content_hash: str
    new_rank: int = 0
    """Its place among its domain's new cards before deck position (``core.new_order``)."""


@dataclass(frozen=True, slots=True)
class SyncCounts:
    """What a sync changed."""

    added: int = 0
    updated: int = 0
    archived: int = 0
    revived: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """True when any card row was written."""
        return bool(self.added or self.updated or self.archived or self.revived)


def sync_manifests(conn: Connection, manifests: Iterable[ExamManifest]) -> dict[str, int]:
    """Insert or update exams, domains and tasks; return exam code to exam id."""
    ids: dict[str, int] = {}
    for manifest in manifests:
        values = {
            "name": manifest.name,
            "status": manifest.status,
            "retired_on": manifest.retired_on.isoformat() if manifest.retired_on else None,
            "status_note": manifest.status_note,
            "source": manifest.source,
        }
        exam_id = conn.execute(select(Exam.id).where(Exam.code == manifest.code)).scalar()
        if exam_id is None:
            exam_id = conn.execute(
                insert(Exam).values(code=manifest.code, **values).returning(Exam.id)
            ).scalar_one()
        else:
            conn.execute(update(Exam).where(Exam.id == exam_id).values(**values))
        ids[manifest.code] = exam_id
        for domain in manifest.domains:
            domain_id = conn.execute(
                select(DomainRow.id).where(
                    DomainRow.exam_id == exam_id, DomainRow.number == domain.number
                )
            ).scalar()
            if domain_id is None:
                domain_id = conn.execute(
                    insert(DomainRow)
                    .values(
                        exam_id=exam_id,
                        number=domain.number,
                        name=domain.name,
                        weight=domain.weight,
                    )
                    .returning(DomainRow.id)
                ).scalar_one()
            else:
                conn.execute(
                    update(DomainRow)
                    .where(DomainRow.id == domain_id)
                    .values(name=domain.name, weight=domain.weight)
                )
            conn.execute(delete(TaskRow).where(TaskRow.domain_id == domain_id))
            if domain.tasks:
                conn.execute(
                    insert(TaskRow),
                    [
                        {"domain_id": domain_id, "code": t.id, "title": t.title}
                        for t in domain.tasks
                    ],
                )
    return ids


def sync_cards(
    conn: Connection,
    exam_ids: dict[str, int],
    records: Sequence[CardRecord],
    protected_files: set[str],
    now: datetime,
    conflicts: list[tuple[CardRecord, str, int]] | None = None,
) -> SyncCounts:
    """Bring the cards table in line with ``records``.

    New keys are inserted, changed ones updated in place (same row, same history),
    archived ones revived. A card keeps the position in deck order it was given when
    first inserted; new cards are placed after every card there is, in ``records``
    order. ``records`` may hold only the files a sync re-read, so numbering them from 0
    would put an edited deck ahead of every other.

    Cards missing from ``records`` are archived, except those whose file is in
    ``protected_files`` (a file with problems: its cards may only be missing because of
    a typo, so they stay as they were).
    """
    existing = {
        row.key: row
        for row in conn.execute(
            select(
                Card.id,
                Card.key,
                Card.content_hash,
                Card.archived,
                Card.file,
                Card.line,
                Card.new_rank,
            )
        )
    }
    last_position = conn.execute(select(func.coalesce(func.max(Card.position), -1))).scalar_one()
    next_position = int(last_position) + 1
    added = updated = revived = unchanged = 0
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for record in records:
        values = {
            "exam_id": exam_ids[record.exam],
            "domain": record.domain,
            "task": record.task,
            "question": record.question,
            "answer": record.answer,
            "tags": record.tags,
            "source_url": record.source_url,
            "file": record.file,
            "line": record.line,
            "content_hash": record.content_hash,
            "new_rank": record.new_rank,
            "archived": False,
        }
        row = existing.pop(record.key, None)
        if (
            row is not None
            and not row.archived
            and row.file != record.file
            and row.file in protected_files
        ):
            # The id is taken by a card in a file that was not re-read: a duplicate.
            existing[record.key] = row
            if conflicts is not None:
                conflicts.append((record, row.file, row.line))
            continue
        if row is None:
            inserts.append(
                {
                    "key": record.key,
                    "created_at": now.isoformat(),
                    "position": next_position,
                    **values,
                }
            )
            next_position += 1
            added += 1
        elif (
            row.content_hash != record.content_hash
            or row.archived
            or row.new_rank != record.new_rank
        ):
            updates.append({"card_id": row.id, **values})
            revived += row.archived
            updated += not row.archived
        else:
            unchanged += 1
    if inserts:
        conn.execute(insert(Card), inserts)
    if updates:
        conn.execute(update(Card).where(Card.id == bindparam("card_id")), updates)
    gone = [
        row.id for row in existing.values() if not row.archived and row.file not in protected_files
    ]
    for start in range(0, len(gone), 500):
        conn.execute(
            update(Card).where(Card.id.in_(gone[start : start + 500])).values(archived=True)
        )
    return SyncCounts(
        added=added, updated=updated, archived=len(gone), revived=revived, unchanged=unchanged
    )


def read_fingerprints(conn: Connection) -> dict[str, str]:
    """Deck file fingerprints from the last sync."""
    return {path: fp for path, fp in conn.execute(select(DeckFile.path, DeckFile.fingerprint))}


def write_fingerprints(conn: Connection, fingerprints: dict[str, str]) -> None:
    """Replace the stored fingerprints."""
    conn.execute(delete(DeckFile))
    if fingerprints:
        conn.execute(
            insert(DeckFile), [{"path": p, "fingerprint": f} for p, f in fingerprints.items()]
        )


def update_fingerprints(conn: Connection, fingerprints: dict[str, str]) -> None:
    """Replace the stored fingerprints of these files only."""
    conn.execute(delete(DeckFile).where(DeckFile.path.in_(list(fingerprints))))
    if fingerprints:
        conn.execute(
            insert(DeckFile), [{"path": p, "fingerprint": f} for p, f in fingerprints.items()]
        )


def count_active_cards(conn: Connection) -> int:
    """Cards that are not archived."""
    # Every card has one home placement: all live placements (a covering index) minus
    # the shared ones (an index of their own) count them without reading the cards.
    placed = select(func.count()).select_from(Placement).where(Placement.archived.is_(False))
    shared = placed.where(Placement.home.is_(False))
    return int(
        conn.execute(select(placed.scalar_subquery() - shared.scalar_subquery())).scalar_one()
    )


@dataclass(frozen=True, slots=True)
class SharedRecord:
    """A card's placement in an exam pack other than its own (``decks.shared``)."""

    key: str
    exam: str
    domain: int
    task: str
    new_rank: int


def sync_shared(
    conn: Connection, exam_ids: dict[str, int], records: Sequence[SharedRecord]
) -> bool:
    """Bring the shared placements in line with ``records``; True when any row changed.

    A record whose card does not exist, or whose card lives in that exam already, is
    passed over (the services report those).
    """
    wanted = _wanted_shared(conn, exam_ids, records)
    if not _differ(conn, wanted):
        return False
    conn.execute(delete(Placement).where(Placement.home.is_(False)))
    if wanted:
        conn.execute(insert(Placement), list(wanted.values()))
    return True


def shared_placements_differ(
    conn: Connection, exam_ids: dict[str, int], records: Sequence[SharedRecord]
) -> bool:
    """Whether ``sync_shared`` would change anything (a read: one lookup of the mapped
    cards and one of the shared placements)."""
    return _differ(conn, _wanted_shared(conn, exam_ids, records))


def _wanted_shared(
    conn: Connection, exam_ids: dict[str, int], records: Sequence[SharedRecord]
) -> dict[tuple[int, int], dict[str, object]]:
    keys = list({r.key for r in records})
    cards: dict[str, tuple[int, int, int, bool, bool, bool]] = {}
    for start in range(0, len(keys), 500):
        for row in conn.execute(
            select(
                Card.key,
                Card.id,
                Card.exam_id,
                Card.position,
                CardState.card_id.is_(None),  # new: no state
                Card.archived,
                Card.suspended,
            )
            .outerjoin(CardState, CardState.card_id == Card.id)
            .where(Card.key.in_(keys[start : start + 500]))
        ):
            cards[row[0]] = (row[1], row[2], row[3], row[4], row[5], row[6])
    wanted: dict[tuple[int, int], dict[str, object]] = {}
    for record in records:
        card = cards.get(record.key)
        exam_id = exam_ids.get(record.exam)
        if card is None or exam_id is None or card[1] == exam_id:
            continue
        card_id, _home, position, is_new, archived, suspended = card
        wanted[(exam_id, card_id)] = {
            "exam_id": exam_id,
            "card_id": card_id,
            "domain": record.domain,
            "task": record.task,
            "new_rank": record.new_rank,
            "position": position,
            "is_new": is_new,
            "archived": archived,
            "suspended": suspended,
            "home": False,
        }
    return wanted


def _differ(conn: Connection, wanted: dict[tuple[int, int], dict[str, object]]) -> bool:
    placed = {
        (row.exam_id, row.card_id): (row.domain, row.task, row.new_rank)
        for row in conn.execute(
            select(
                Placement.exam_id,
                Placement.card_id,
                Placement.domain,
                Placement.task,
                Placement.new_rank,
            ).where(Placement.home.is_(False))
        )
    }
    return placed != {k: (v["domain"], v["task"], v["new_rank"]) for k, v in wanted.items()}
