"""Content use cases: check decks and sync them into the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from mlstudy.decks.loader import LoadResult, find_packs, load_decks
from mlstudy.decks.questions import QuestionLoad, load_questions, question_fingerprint
from mlstudy.services.types import Changes, SyncReport
from mlstudy.storage.practice import QuestionRecord, sync_questions
from mlstudy.storage.schema import Card, DeckFile, Exam
from mlstudy.storage.sync import (
    CardRecord,
    count_active_cards,
    read_fingerprints,
    sync_cards,
    sync_manifests,
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
    questions_per_domain: dict[str, dict[int, int]] | None = None

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
    paths: Sequence[Path], content_root: Path, user_folders: Sequence[Path] = ()
) -> CheckReport:
    """Validate decks: the given paths (packs or card folders), else bundled + user decks.

    Question files are checked too; a question's linked card ids must name loaded cards.
    """
    if paths:
        packs = [p for p in paths if (p / "exam.toml").is_file()]
        folders = [p for p in paths if p not in packs]
        if folders and not packs:
            # Folders alone are checked against the bundled packs (cards included).
            result = load_decks(find_packs(content_root), folders)
            keys = {c.card.key for c in result.cards}
            questions = load_questions(find_packs(content_root), folders, keys)
            bundled = str(content_root.name) + "/"
            result.cards = [c for c in result.cards if not c.card.path.startswith(bundled)]
            questions.questions = [q for q in questions.questions if not q.path.startswith(bundled)]
        else:
            result = load_decks(packs, folders)
            questions = load_questions(packs, folders, {c.card.key for c in result.cards})
    else:
        result = _load(content_root, user_folders)
        keys = {c.card.key for c in result.cards}
        questions = load_questions(find_packs(content_root), user_folders, keys)
    per_domain = {code: result.cards_per_domain(code) for code in result.manifests}
    names = {code: {d.number: d.name for d in m.domains} for code, m in result.manifests.items()}
    return CheckReport(
        files=result.files + questions.files,
        per_domain=per_domain,
        domain_names=names,
        problems=tuple(str(p) for p in [*result.problems, *questions.problems]),
        questions_per_domain={code: questions.per_domain(code) for code in result.manifests},
    )


def sync_question_bank(
    engine: Engine, content_root: Path, user_folders: Sequence[Path], default_exam: str | None
) -> tuple[int, QuestionLoad]:
    """Load every question file and bring the questions table in line; (rows written, load).

    Skipped when no question file changed since a sync that found no problems and the
    cards did not change since (a card sync rewrites the stored fingerprints).
    """
    packs = find_packs(content_root)
    marker = QUESTIONS_MARK + question_fingerprint(packs, user_folders, default_exam)
    with engine.connect() as conn:
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
    with engine.begin() as conn:
        written = sync_questions(conn, exam_ids, records)
        conn.execute(delete(DeckFile).where(DeckFile.path.like(QUESTIONS_MARK + "%")))
        if not load.problems:
            conn.execute(insert(DeckFile).values(path=marker, fingerprint=marker))
    return written, load


def sync(
    engine: Engine,
    content_root: Path,
    user_folders: Sequence[Path],
    now: datetime,
    default_exam: str | None,
) -> SyncReport:
    """Load every deck, then every question file, into the database."""
    report = _sync_cards(engine, content_root, user_folders, now, default_exam)
    written, load = sync_question_bank(engine, content_root, user_folders, default_exam)
    if not written and not load.problems:
        return report
    return replace(
        report,
        problems=report.problems + tuple(str(p) for p in load.problems),
        changes=report.changes | Changes(content=bool(written)),
    )


def _sync_cards(
    engine: Engine,
    content_root: Path,
    user_folders: Sequence[Path],
    now: datetime,
    default_exam: str | None,
) -> SyncReport:
    """Load every deck and bring the database in line, in one transaction.

    Files whose fingerprint (size, modification time, manifests) is unchanged since the
    last sync are not read again, so a sync with no edits costs a few ``stat`` calls.
    """
    with engine.connect() as conn:
        known = {
            path: fp
            for path, fp in read_fingerprints(conn).items()
            if not path.startswith(QUESTIONS_MARK)
        }
    result = _load(content_root, user_folders, default_exam, known)
    if not result.cards and not result.problems and result.fingerprints == known:
        with engine.connect() as conn:
            active = count_active_cards(conn)
        return SyncReport(
            files=result.files, cards=active, added=0, updated=0, archived=0, revived=0
        )
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
        )
        for c in result.cards
    ]
    problem_files = {p.path for p in result.problems}
    conflicts: list[tuple[CardRecord, str, int]] = []
    with engine.begin() as conn:
        exam_ids = sync_manifests(conn, result.manifests.values())
        counts = sync_cards(conn, exam_ids, records, problem_files | result.skipped, now, conflicts)
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
        changes=Changes(content=counts.changed),
    )
