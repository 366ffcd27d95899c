"""Content use cases: check decks, sync them into the database, the current exam pack."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import Session

from mlstudy import paths
from mlstudy.core.exam import NO_DOMAIN, NO_DOMAIN_NAME, Domain, ExamManifest, Task
from mlstudy.core.new_order import OrderedCard, new_card_ranks, task_rank
from mlstudy.decks.loader import LoadResult, find_packs, load_decks
from mlstudy.decks.parser import Problem
from mlstudy.decks.questions import QuestionLoad, load_questions, question_fingerprint
from mlstudy.decks.render import render_capped
from mlstudy.decks.shared import SharedEntry, check_shared, load_shared
from mlstudy.errors import UserError
from mlstudy.services.context import LibraryContext
from mlstudy.services.types import Changes, SyncReport
from mlstudy.storage.practice import QuestionRecord, QuestionRow, sync_questions
from mlstudy.storage.schema import Card, DeckFile, DomainRow, Exam, Placement, TaskRow
from mlstudy.storage.sync import (
    CardRecord,
    SharedRecord,
    count_active_cards,
    read_fingerprints,
    shared_placements_differ,
    sync_cards,
    sync_manifests,
    sync_shared,
    update_fingerprints,
    write_fingerprints,
)

QUESTIONS_MARK = "questions:"
"""A ``deck_files`` row whose path starts with this records the last clean question sync."""


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Validation outcome: cards per exam and domain, and every problem."""

    files: int
    per_domain: dict[str, dict[int, int]]
    domain_names: dict[str, dict[int, str]]
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """Entries passed over (not card files); they do not fail the check."""
    questions_per_domain: dict[str, dict[int, int]] | None = None
    shared_per_domain: dict[str, dict[int, int]] | None = None
    """Cards of other packs mapped into each exam's domains (``shared/``)."""

    @property
    def cards(self) -> int:
        """Valid cards in all exams."""
        return sum(sum(d.values()) for d in self.per_domain.values())

    @property
    def questions(self) -> int:
        """Valid practice questions in all exams."""
        return sum(sum(d.values()) for d in (self.questions_per_domain or {}).values())


def _load(
    content_root: Path,
    user_folders: Sequence[Path],
    default_exam: str | None = None,
    known: dict[str, str] | None = None,
) -> LoadResult:
    return load_decks(
        find_packs(content_root), user_folders, default_exam=default_exam, known=known
    )


def check(
    paths: Sequence[Path],
    content_root: Path,
    user_folders: Sequence[Path] = (),
    default_exam: str | None = None,
) -> CheckReport:
    """Validate decks: the given paths (packs or card folders), else bundled + user decks.

    Question files are checked too; a question's linked card ids must name loaded cards.
    """
    if paths:
        packs = [p for p in paths if (p / "exam.toml").is_file()]
        folders = [p for p in paths if p not in packs]
        if folders and not packs:
            # Folders alone are checked against the bundled packs (cards included).
            result = load_decks(find_packs(content_root), folders, default_exam=default_exam)
            keys = {c.card.key for c in result.cards}
            questions = load_questions(
                find_packs(content_root), folders, keys, default_exam=default_exam
            )
            bundled = str(content_root.name) + "/"
            result.cards = [c for c in result.cards if not c.card.path.startswith(bundled)]
            questions.questions = [q for q in questions.questions if not q.path.startswith(bundled)]
        else:
            result = load_decks(packs, folders)
            questions = load_questions(packs, folders, {c.card.key for c in result.cards})
        # Folders alone are checked against the bundled packs: their mappings are not theirs.
        shared_from = packs
    else:
        result = _load(content_root, user_folders, default_exam)
        keys = {c.card.key for c in result.cards}
        questions = load_questions(
            find_packs(content_root), user_folders, keys, default_exam=default_exam
        )
        shared_from = find_packs(content_root)
    _check_rendering(result)
    shared = load_shared(shared_from)
    valid, unmapped = check_shared(shared.entries, {c.card.key: c.exam for c in result.cards})
    result.problems.extend([*shared.problems, *unmapped])
    result.files += shared.files
    shared_per_domain: dict[str, dict[int, int]] = {}
    for entry in valid:
        mapped = shared_per_domain.setdefault(entry.exam, {})
        mapped[entry.domain] = mapped.get(entry.domain, 0) + 1
    per_domain = {code: result.cards_per_domain(code) for code in result.manifests}
    names = {
        code: {NO_DOMAIN: f"{NO_DOMAIN_NAME} (left out of readiness)"}
        | {d.number: d.name for d in m.domains}
        for code, m in result.manifests.items()
    }
    return CheckReport(
        files=result.files + questions.files,
        per_domain=per_domain,
        domain_names=names,
        problems=tuple(str(p) for p in [*result.problems, *questions.problems]),
        notes=tuple(str(n) for n in result.notes),
        questions_per_domain={code: questions.per_domain(code) for code in result.manifests},
        shared_per_domain=shared_per_domain,
    )


def _check_rendering(result: LoadResult) -> None:
    """Render every card as the app would; report one that runs over the time cap.

    Size and nesting caps are reported by the loader; only a render can show time.
    """
    capped = {(p.path, p.line) for p in result.problems}
    for deck_card in result.cards:
        card = deck_card.card
        if (card.path, card.line) in capped:
            continue
        for text in (card.question, card.answer):
            problem = render_capped(text).problem
            if problem:
                result.problems.append(
                    Problem(card.path, card.line, f"{problem}: shown as plain text")
                )
                break


def sync_question_bank(
    context: LibraryContext, user_folders: Sequence[Path], default_exam: str | None
) -> tuple[int, QuestionLoad]:
    """Load every question file and bring the questions table in line; (rows written, load).

    Skipped when no question file changed since a sync that found no problems and the
    cards did not change since (a card sync rewrites the stored fingerprints).
    """
    packs = find_packs(context.content_root)
    marker = QUESTIONS_MARK + question_fingerprint(packs, user_folders, default_exam)
    with context.read() as conn:
        if marker in read_fingerprints(conn):
            return 0, QuestionLoad()
        keys = set(conn.execute(select(Card.key).where(Card.archived.is_(False))).scalars())
        exam_ids = {code: int(i) for code, i in conn.execute(select(Exam.code, Exam.id))}
    load = load_questions(packs, user_folders, keys, default_exam=default_exam)
    records = [
        QuestionRecord(q.exam, q.question, q.path, q.line, q.content_hash)
        for q in load.questions
        if q.exam in exam_ids
    ]
    with context.write("loading the practice questions") as conn:
        written = sync_questions(conn, exam_ids, records)
        conn.execute(delete(DeckFile).where(DeckFile.path.like(QUESTIONS_MARK + "%")))
        if not load.problems:
            conn.execute(insert(DeckFile).values(path=marker, fingerprint=marker))
    return written, load


def shared_records(
    entries: Sequence[SharedEntry], manifests: dict[str, ExamManifest]
) -> list[SharedRecord]:
    """The placements the mappings ask for, each ranked among its new domain's cards
    by its task, as a card of that pack would be (``core.new_order``)."""
    return [
        SharedRecord(
            e.key, e.exam, e.domain, e.task, task_rank(manifests[e.exam], e.domain, e.task)
        )
        for e in entries
        if e.exam in manifests
    ]


def sync_shared_cards(context: LibraryContext) -> tuple[bool, list[str]]:
    """Read every pack's ``shared/`` mappings and bring the shared placements in line;
    (whether any changed, the problems). The mapping files are small: read every time."""
    packs = find_packs(context.content_root)
    load = load_shared(packs)
    keys = {e.key for e in load.entries}
    with context.read() as conn:
        homes: dict[str, str] = {}
        listed = list(keys)
        for start in range(0, len(listed), 500):
            rows = conn.execute(
                select(Card.key, Exam.code)
                .join(Exam, Exam.id == Card.exam_id)
                .where(Card.key.in_(listed[start : start + 500]))
            )
            homes.update({str(key): str(code) for key, code in rows})
        exam_ids = {code: int(i) for code, i in conn.execute(select(Exam.code, Exam.id))}
        valid, problems = check_shared(load.entries, homes)
        records = shared_records(valid, load.manifests)
        said = [str(p) for p in [*load.problems, *problems]]
        if not shared_placements_differ(conn, exam_ids, records):
            return False, said
    with context.write("placing the shared cards") as conn:
        changed = sync_shared(conn, exam_ids, records)
    return changed, said


def sync(
    context: LibraryContext, user_folders: Sequence[Path], default_exam: str | None
) -> SyncReport:
    """Load every deck, the shared-card mappings, then every question file."""
    report = _sync_cards(context, user_folders, default_exam)
    shared_changed, shared_problems = sync_shared_cards(context)
    if shared_changed or shared_problems:
        report = replace(
            report,
            problems=report.problems + tuple(shared_problems),
            changes=report.changes | Changes(content=shared_changed, queue=shared_changed),
        )
    written, load = sync_question_bank(context, user_folders, default_exam)
    if not written and not load.problems:
        return report
    return replace(
        report,
        problems=report.problems + tuple(str(p) for p in load.problems),
        changes=report.changes | Changes(content=bool(written)),
    )


def _new_card_ranks(result: LoadResult) -> list[int]:
    """Each loaded card's rank among its domain's new cards (``core.new_order``)."""
    ranks = [0] * len(result.cards)
    for code, manifest in result.manifests.items():
        mine = [i for i, c in enumerate(result.cards) if c.exam == code]
        ordered = [
            OrderedCard(c.domain, c.card.task, c.card.path, c.order)
            for c in (result.cards[i] for i in mine)
        ]
        for index, rank in zip(mine, new_card_ranks(manifest, ordered), strict=True):
            ranks[index] = rank
    return ranks


def _sync_cards(
    context: LibraryContext, user_folders: Sequence[Path], default_exam: str | None
) -> SyncReport:
    """Load every deck and bring the database in line, in one transaction.

    Files whose fingerprint (size, modification time, manifests) is unchanged since the
    last sync are not read again, so a sync with no edits costs a few ``stat`` calls.
    The decks are read before the writer is taken: only the database write waits.
    """
    with context.read() as conn:
        known = {
            path: fp
            for path, fp in read_fingerprints(conn).items()
            if not path.startswith(QUESTIONS_MARK)
        }
    result = _load(context.content_root, user_folders, default_exam, known)
    if not result.cards and not result.problems and result.fingerprints.keys() == known.keys():
        restamped = {p: f for p, f in result.fingerprints.items() if known.get(p) != f}
        if restamped:  # files hashed right after an edit, unchanged since: new stamps only
            with context.write("remembering the deck files") as conn:
                update_fingerprints(conn, restamped)
        with context.read() as conn:
            active = count_active_cards(conn)
        return SyncReport(
            files=result.files, cards=active, added=0, updated=0, archived=0, revived=0
        )
    ranks = _new_card_ranks(result)
    records = [
        CardRecord(
            key=c.card.key,
            exam=c.exam,
            domain=c.domain,
            task=c.card.task,
            question=c.card.question,
            answer=c.card.answer,
            tags=",".join(c.card.tags),
            source_url=c.card.source,
            file=c.card.path,
            line=c.card.line,
            content_hash=c.card.content_hash,
            new_rank=rank,
        )
        for c, rank in zip(result.cards, ranks, strict=True)
    ]
    problem_files = {p.path for p in result.problems}
    conflicts: list[tuple[CardRecord, str, int]] = []
    with context.write("loading the decks") as conn:
        exam_ids = sync_manifests(conn, result.manifests.values())
        counts = sync_cards(
            conn, exam_ids, records, problem_files | result.skipped, context.clock(), conflicts
        )
        problems = [str(p) for p in result.problems] + [
            f"{record.file}:{record.line}: error: duplicate card id {record.key!r}: also at "
            f"{other}:{line}"
            for record, other, line in conflicts
        ]
        unsettled = problem_files | {record.file for record, _o, _l in conflicts}
        # A file with problems keeps an entry that never matches, so it is read again
        # next time (and its problems reported again) and its removal is noticed.
        write_fingerprints(
            conn,
            {
                path: ("!" if path in unsettled else "") + fp
                for path, fp in result.fingerprints.items()
                if fp
            },
        )
        active = count_active_cards(conn)
    return SyncReport(
        files=result.files,
        cards=active,
        added=counts.added,
        updated=counts.updated,
        archived=counts.archived,
        revived=counts.revived,
        problems=tuple(problems),
        changes=Changes(content=counts.changed, queue=counts.changed),
    )


def preferred_exam(exams: Sequence[Exam]) -> Exam:
    """The exam a library without a choice studies: the first pack (by code) that can
    still be taken, else the first."""
    ordered = sorted(exams, key=lambda e: e.code)
    return next((e for e in ordered if e.status != "retired"), ordered[0])


class ContentService:
    """The library's decks and exam packs: sync, check, and the current exam (cached
    until content or settings change)."""

    def __init__(self, context: LibraryContext, settings: Callable[[], dict[str, Any]]) -> None:
        self._context = context
        self._settings = settings
        self._exam: tuple[int, ExamManifest] | None = None
        self._counts: dict[int, tuple[int, int, int]] | None = None
        context.bus.subscribe(self._forget, "content", "settings", "restored")
        context.bus.subscribe(self._forget_counts, "content", "restored")

    def _forget_counts(self, _changes: Changes) -> None:
        self._counts = None

    def pack_counts(self) -> dict[int, tuple[int, int, int]]:
        """Exam id to (cards that serve it, of those shared from another pack, practice
        questions); archived ones left out. Kept until the content changes."""
        cached = self._counts
        if cached is None:
            counts: dict[int, list[int]] = {}
            with self._context.read() as conn:
                for exam_id, cards, shared in conn.execute(
                    select(
                        Placement.exam_id,
                        func.count(),
                        func.total(case((Placement.home.is_(False), 1), else_=0)),
                    )
                    .where(Placement.archived.is_(False))
                    .group_by(Placement.exam_id)
                ):
                    counts[int(exam_id)] = [int(cards), int(shared), 0]
                for exam_id, questions in conn.execute(
                    select(QuestionRow.exam_id, func.count())
                    .where(QuestionRow.archived.is_(False))
                    .group_by(QuestionRow.exam_id)
                ):
                    counts.setdefault(int(exam_id), [0, 0, 0])[2] = int(questions)
            cached = {k: (v[0], v[1], v[2]) for k, v in counts.items()}
            self._counts = cached
        return cached

    def _forget(self, _changes: Changes) -> None:
        self._exam = None

    def deck_folders(self) -> list[Path]:
        """The user's deck folders: ``<data dir>/decks`` plus any added in Settings."""
        extra = [Path(p) for p in self._settings().get("deck_folders", [])]
        return [paths.user_decks_dir(self._context.data_dir), *extra]

    def sync(self) -> SyncReport:
        """Load bundled and user decks into the database (idempotent; history kept)."""
        # Deck files are read without the writer lock (an answer must not wait for a
        # parse); only the database write takes it.
        report = sync(self._context, self.deck_folders(), self.deck_exam())
        self._exam = None  # a manifest may have changed with no card changing
        self._context.publish(report.changes, data=report.changes.content)
        return report

    def deck_exam(self) -> str | None:
        """The exam of user deck files that name none: fixed once per library (the exam
        chosen when it was made; MLS-C01 for libraries from before exam packs), so that
        switching exams never moves the user's cards. None before it is fixed: the
        first pack that can still be taken."""
        return self._settings().get("deck_exam") or None

    def has_content(self) -> bool:
        """True once an exam pack has been synced into the database."""
        with self._context.read() as conn:
            return conn.execute(select(Exam.id).limit(1)).first() is not None

    def check(self, folders: Sequence[Path] = ()) -> CheckReport:
        """Validate decks without touching the database."""
        if folders:
            return check(folders, self._context.content_root, default_exam=self.deck_exam())
        return check([], self._context.content_root, self.deck_folders(), self.deck_exam())

    def exam_codes(self) -> list[str]:
        """Every exam pack in the library."""
        with self._context.read() as conn:
            return list(conn.execute(select(Exam.code).order_by(Exam.code)).scalars())

    def exam(self) -> tuple[int, ExamManifest]:
        """The current exam pack's id and manifest (as last synced)."""
        cached = self._exam  # read once: a writer may clear it between check and return
        if cached is None:
            cached = self._read_exam(self._settings().get("exam"))
            self._exam = cached
        return cached

    def _read_exam(self, wanted: str | None) -> tuple[int, ExamManifest]:
        with Session(self._context.engine) as conn:
            exams = conn.execute(select(Exam).order_by(Exam.id)).scalars().all()
            if not exams:
                raise UserError(f"no exam pack found under {self._context.content_root}")
            exam = next((e for e in exams if e.code == wanted), None) or preferred_exam(exams)
            domains = []
            for row in conn.execute(
                select(DomainRow).where(DomainRow.exam_id == exam.id).order_by(DomainRow.number)
            ).scalars():
                tasks = tuple(
                    Task(t.code, t.title)
                    for t in conn.execute(
                        select(TaskRow).where(TaskRow.domain_id == row.id).order_by(TaskRow.code)
                    ).scalars()
                )
                domains.append(Domain(row.number, row.name, row.weight, tasks))
            manifest = ExamManifest(
                code=exam.code,
                name=exam.name,
                status=exam.status,
                domains=tuple(domains),
                retired_on=date.fromisoformat(exam.retired_on) if exam.retired_on else None,
                status_note=exam.status_note,
                source=exam.source,
            )
            return exam.id, manifest
