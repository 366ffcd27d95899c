"""``Library``: one open data dir: its database, its decks and today's study session."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from mlstudy import paths
from mlstudy.core.exam import Domain, ExamManifest, Task
from mlstudy.core.planner import Plan, new_cards_for_day
from mlstudy.core.sm2 import NEW_CARD, next_state, validate_grade
from mlstudy.core.studyday import study_day
from mlstudy.errors import UserError
from mlstudy.services import content, safety
from mlstudy.services.settings import DEFAULTS, validate_setting
from mlstudy.services.types import CardView, Changes, SyncReport, TodayCounts
from mlstudy.storage import study
from mlstudy.storage.backup import BackupFile, copy_database, list_backups, thin_backups
from mlstudy.storage.database import create_db_engine, migrate, quick_check
from mlstudy.storage.lock import DataDirLock
from mlstudy.storage.schema import CardState, DomainRow, Exam, TaskRow
from mlstudy.storage.settings import read_settings, write_settings

if TYPE_CHECKING:
    from mlstudy.services.practice import PracticeService

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
UNDO_DEPTH = 50
AUTO_BACKUP_EVERY = timedelta(minutes=30)


def utc_now() -> datetime:
    """The real clock (tests inject their own)."""
    return datetime.now(UTC)


class Library:
    """An open mlstudy library. Create with ``Library.open``; close when done."""

    def __init__(
        self,
        data_dir: Path,
        engine: Engine,
        lock: DataDirLock | None,
        clock: Clock,
        tz: tzinfo | None,
        content_root: Path,
    ) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self._lock = lock
        self._clock = clock
        self._tz = tz
        self.content_root = content_root
        self._undo: list[study.AnswerRecord] = []
        self._redo: list[study.AnswerRecord] = []
        self._settings_cache: dict[str, Any] | None = None
        self._exam_cache: tuple[int, ExamManifest] | None = None
        self._dirty = False
        self._last_auto_backup: datetime | None = None
        self._plan_cache: tuple[tuple[object, ...], Plan, dict[int, int]] | None = None
        self._focus_domain: int | None = None
        self._streak_cache: tuple[date, int] | None = None
        self._version = 0
        """Bumped by every change that can move cards in or out of today's queue other
        than answering (sync, suspend, settings, restore): it keys the day's base counts."""
        self._answers_cache: tuple[date, list[tuple[int, int, str, int, int]]] | None = None
        # Answers, undo and redo bump the epoch; a reader that started before a bump
        # (a worker thread) does not store what it read, which may be out of date.
        self._answers_epoch = 0
        self._answers_lock = threading.Lock()
        self._base_counts: tuple[tuple[object, ...], int, dict[int, int]] | None = None
        self._practice: PracticeService | None = None

    # ----- opening and closing -------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        *,
        clock: Clock = utc_now,
        tz: tzinfo | None = None,
        content_root: Path | None = None,
        lock: bool = True,
        sync: bool = True,
    ) -> Library:
        """Open (creating if needed) the library in a data dir and sync the decks.

        Args:
            data_dir: the folder; ``--data-dir``/``MLSTUDY_DATA_DIR``/platform default if None.
            clock: returns the current aware UTC time.
            tz: the local zone for study days (the system's when None).
            content_root: bundled content folder (default: ``paths.content_dir()``).
            lock: take the one-instance lock on the data dir.
            sync: load the decks into the database now.
        """
        folder = paths.resolve_data_dir(data_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            paths.user_decks_dir(folder).mkdir(exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create the data dir {folder}: {exc.strerror}") from None
        data_lock = DataDirLock(folder) if lock else None
        if data_lock:
            data_lock.acquire()
        try:
            safety.check_at_start(folder, clock())
            db_path = paths.database_path(folder)
            with safety.environment_errors(f"opening the library in {folder}"):
                engine = create_db_engine(db_path)
                migrate(
                    engine,
                    db_path,
                    backup=lambda _p, version: safety.take_backup(
                        folder, clock(), f"before-migration-from-v{version}"
                    ),
                )
            library = cls(folder, engine, data_lock, clock, tz, content_root or paths.content_dir())
            if sync:
                library.sync_content()
        except Exception:
            if data_lock:
                data_lock.release()
            raise
        return library

    def close(self) -> None:
        """Back up if anything changed, then release the database and the data-dir lock."""
        if self._dirty and self._lock is not None:
            try:
                self.backup_now("close")
            except UserError as exc:  # closing must not fail on a full backup disk
                log.warning("backup on close failed: %s", exc)
        columns = sys.modules.get("mlstudy.storage.columns")  # loaded (numpy) only if used
        if columns is not None:
            columns.finish_cache_writes()
        self.engine.dispose()
        if self._lock:
            try:
                safety.mark_clean_close(self.data_dir)
            except OSError as exc:
                log.warning("could not mark a clean close: %s", exc)
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def practice(self) -> PracticeService:
        """Practice exams and sets of the current exam (``services/practice.py``)."""
        if self._practice is None:
            from mlstudy.services.practice import PracticeService

            self._practice = PracticeService(self)
        return self._practice

    def integrity(self) -> str:
        """SQLite's quick check: "ok" or what is wrong."""
        return quick_check(self.engine)

    # ----- backups -------------------------------------------------------------------

    def backup_now(self, reason: str = "") -> Path:
        """Take a backup now and thin old ones by the policy; return the new file."""
        path = safety.take_backup(self.data_dir, self._clock(), reason)
        thin_backups(paths.backups_dir(self.data_dir), self._clock().date())
        self._dirty = False
        self._last_auto_backup = self._clock()
        return path

    def maybe_auto_backup(self) -> Path | None:
        """Back up when data changed and the last automatic backup is 30 minutes old."""
        if not self._dirty:
            return None
        now = self._clock()
        if self._last_auto_backup is None:
            newest = list_backups(paths.backups_dir(self.data_dir))
            self._last_auto_backup = newest[0].taken_at.replace(tzinfo=UTC) if newest else None
        if self._last_auto_backup and now - self._last_auto_backup < AUTO_BACKUP_EVERY:
            return None
        return self.backup_now("auto")

    def backups(self) -> list[BackupFile]:
        """Backups of this library, newest first."""
        return list_backups(paths.backups_dir(self.data_dir))

    def restore(self, file: Path) -> Path:
        """Replace the database with a backup, after backing up the current one.

        Returns the backup of the current state taken first. The file is checked
        before anything changes; a bad file changes nothing.
        """
        file = Path(file)
        safety.validate_backup(file)
        safety_copy = safety.take_backup(self.data_dir, self._clock(), "before-restore")
        self.engine.dispose()
        database = paths.database_path(self.data_dir)
        for extra in ("-wal", "-shm"):
            database.with_name(database.name + extra).unlink(missing_ok=True)
        copy_database(file, database)
        self.engine = create_db_engine(database)
        migrate(self.engine, database)
        self._undo.clear()
        self._redo.clear()
        self._settings_cache = None
        self._exam_cache = None
        self._plan_cache = None
        self._streak_cache = None
        self._answers_changed(None)
        self._version += 1
        self.sync_content()  # the backup may predate deck edits: bring the cards up to date
        self._dirty = False
        return safety_copy

    # ----- time ----------------------------------------------------------------------

    def now(self) -> datetime:
        """The current UTC time from the injected clock."""
        return self._clock()

    def today(self) -> date:
        """Today's study day (the day starts at the configured hour, local time)."""
        return study_day(self._clock(), int(self.settings()["day_start_hour"]), self._tz)

    # ----- settings ------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """Every setting, defaults filled in."""
        cached = self._settings_cache  # read once: another thread may clear it
        if cached is None:
            with self.engine.connect() as conn:
                stored = read_settings(conn)
            cached = {**DEFAULTS, **stored}
            self._settings_cache = cached
        return dict(cached)

    def update_settings(self, **values: Any) -> Changes:
        """Validate and save settings; one clear error names a bad field, nothing is saved."""
        clean = {key: validate_setting(key, value) for key, value in values.items()}
        with safety.environment_errors("saving settings"), self.engine.begin() as conn:
            write_settings(conn, clean)
        self._dirty = True
        self._version += 1
        self._settings_cache = None
        if clean.keys() & {"exam_date", "weekdays_off", "dates_off"}:
            from mlstudy.services import planning  # numpy: loaded only when needed

            planning.reschedule_for_exam(self)
        self._settings_cache = None
        self._exam_cache = None
        return Changes(settings=True, plan=True)

    # ----- content -------------------------------------------------------------------

    def deck_folders(self) -> list[Path]:
        """The user's deck folders: ``<data dir>/decks`` plus any added in Settings."""
        extra = [Path(p) for p in self.settings().get("deck_folders", [])]
        return [paths.user_decks_dir(self.data_dir), *extra]

    def sync_content(self) -> SyncReport:
        """Load bundled and user decks into the database (idempotent; history kept)."""
        with safety.environment_errors("loading the decks"):
            report = content.sync(
                self.engine,
                self.content_root,
                self.deck_folders(),
                self._clock(),
                self.settings().get("exam"),
            )
        if report.changes.content:
            self._dirty = True
            self._version += 1
        self._exam_cache = None
        return report

    def has_content(self) -> bool:
        """True once an exam pack has been synced into the database."""
        with self.engine.connect() as conn:
            return conn.execute(select(Exam.id).limit(1)).first() is not None

    def check_content(self, folders: Sequence[Path] = ()) -> content.CheckReport:
        """Validate decks without touching the database."""
        if folders:
            return content.check(folders, self.content_root)
        return content.check([], self.content_root, self.deck_folders())

    # ----- exam ----------------------------------------------------------------------

    def exam(self) -> ExamManifest:
        """The current exam pack (from the database, as last synced)."""
        return self._exam()[1]

    def exam_id(self) -> int:
        """Database id of the current exam."""
        return self._exam()[0]

    def exam_codes(self) -> list[str]:
        """Every exam pack in the library."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(Exam.code).order_by(Exam.code)).scalars())

    def _exam(self) -> tuple[int, ExamManifest]:
        # Read the cache once: a worker thread may clear it between check and return.
        cached = self._exam_cache
        if cached is None:
            wanted = self.settings().get("exam")
            with Session(self.engine) as conn:
                exams = conn.execute(select(Exam).order_by(Exam.id)).scalars().all()
                if not exams:
                    raise UserError(f"no exam pack found under {self.content_root}")
                exam = next((e for e in exams if e.code == wanted), exams[0])
                domains = []
                for row in conn.execute(
                    select(DomainRow).where(DomainRow.exam_id == exam.id).order_by(DomainRow.number)
                ).scalars():
                    tasks = tuple(
                        Task(t.code, t.title)
                        for t in conn.execute(
                            select(TaskRow)
                            .where(TaskRow.domain_id == row.id)
                            .order_by(TaskRow.code)
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
                cached = (exam.id, manifest)
                self._exam_cache = cached
        return cached

    # ----- today's session -----------------------------------------------------------

    def counts(self) -> TodayCounts:
        """Due, new and drill cards left today (in the focus domain, if one is set), what
        was studied, the streak."""
        today = self.today()
        exam_id = self.exam_id()
        focus = self._focus_domain
        with self.engine.connect() as conn:
            answers = self._answers(conn, today)
            due, available = self._left_today(conn, exam_id, today, focus, answers)
            streak = self._streak_before(conn, today) + bool(answers)
        new_today = _new_by_domain(answers)
        quota = self._plan_quota(new_today)
        drills = _drill_cards(answers)
        if focus is not None:
            limit = int(self.settings()["new_per_day"])
            new = max(0, min(limit - sum(new_today.values()), available.get(focus, 0)))
            drills = [c for c, d in _drill_domains(answers, drills) if d == focus]
        elif quota is not None:
            new = sum(max(0, min(n, available.get(d, 0))) for d, n in quota.items())
        else:
            limit = int(self.settings()["new_per_day"])
            new = max(0, min(limit - sum(new_today.values()), sum(available.values())))
        return TodayCounts(
            day=today,
            due=due,
            new=new,
            drill=len(drills),
            studied=len({a[0] for a in answers}),
            answers=len(answers),
            streak=streak,
        )

    def next_card(self) -> CardView | None:
        """The next card of today's queue: due reviews, then new cards, then drills."""
        card_id, kind = self._next_card_id()
        return self.card(card_id, kind) if card_id is not None else None

    def _next_card_id(self) -> tuple[int | None, str]:
        today = self.today()
        exam_id = self.exam_id()
        focus = self._focus_domain
        with self.engine.connect() as conn:
            answers = self._answers(conn, today)
            due = study.next_due_card(conn, exam_id, today, domain=focus)
            if due is not None:
                return due, "review"
            if focus is None:
                new_id = self._next_new(conn, exam_id, answers)
            elif sum(_new_by_domain(answers).values()) < int(self.settings()["new_per_day"]):
                new_id = study.next_new_card(conn, exam_id, focus)
            else:
                new_id = None
            if new_id is not None:
                return new_id, "new"
        drills = _drill_cards(answers)
        if focus is not None:
            drills = [cid for cid, domain in _drill_domains(answers, drills) if domain == focus]
        if drills:
            return drills[0], "drill"
        return None, ""

    def _answers(self, conn: Any, today: date) -> list[tuple[int, int, str, int, int]]:
        """Today's answers, read once and then kept until an answer, undo or redo."""
        cached = self._answers_cache
        if cached is None or cached[0] != today:
            epoch = self._answers_epoch
            cached = (today, study.answers_on(conn, today))
            with self._answers_lock:
                if epoch == self._answers_epoch:
                    self._answers_cache = cached
        return cached[1]

    def _answers_changed(self, added: tuple[date, tuple[int, int, str, int, int]] | None) -> None:
        """After a committed answer (``added``: its day and row), undo or redo."""
        with self._answers_lock:
            self._answers_epoch += 1
            cached = self._answers_cache
            if added is not None and cached is not None and cached[0] == added[0]:
                self._answers_cache = (cached[0], [*cached[1], added[1]])
            else:
                self._answers_cache = None

    def _left_today(
        self,
        conn: Any,
        exam_id: int,
        today: date,
        focus: int | None,
        answers: list[tuple[int, int, str, int, int]],
    ) -> tuple[int, dict[int, int]]:
        """Due reviews left and unseen cards per domain, without counting 100,000 rows.

        Counting is done once per day (and after a sync, suspension, settings change or
        restore): the base is what was left before today's answers, and today's answers
        are subtracted from it. A review answer always takes a due card off the queue and
        a new-card answer always takes an unseen card (undo puts both back).
        """
        reviewed = sum(1 for a in answers if a[2] == "review" and focus in (None, a[4]))
        new_today = _new_by_domain(answers)
        key = (today, focus, exam_id, self._version)
        cached = self._base_counts
        if cached is None or cached[0] != key:
            due_now = study.count_due(conn, exam_id, today, domain=focus)
            unseen_now = study.count_new_by_domain(conn, exam_id)
            base_unseen = {d: n + new_today.get(d, 0) for d, n in unseen_now.items()}
            for domain, n in new_today.items():
                base_unseen.setdefault(domain, n)
            cached = (key, due_now + reviewed, base_unseen)
            self._base_counts = cached
        _key, base_due, base_unseen = cached
        unseen = {d: max(0, n - new_today.get(d, 0)) for d, n in base_unseen.items()}
        return max(0, base_due - reviewed), unseen

    def _streak_before(self, conn: Any, today: date) -> int:
        # Days before today do not change while today lasts (undo only touches today).
        cached = self._streak_cache
        if cached is None or cached[0] != today:
            cached = (today, study.streak_before(conn, today))
            self._streak_cache = cached
        return cached[1]

    def focus_domain(self) -> int | None:
        """The domain today's queue is limited to ("study this domain"), or None."""
        return self._focus_domain

    def set_focus_domain(self, domain: int | None) -> Changes:
        """Limit the queue to one domain's due, new and drill cards (None: all domains)."""
        if domain is not None and self.exam().domain(domain) is None:
            raise UserError(f"unknown domain {domain}")
        self._focus_domain = domain
        return Changes(plan=True)

    # ----- the plan ------------------------------------------------------------------

    def _plan_key(self) -> tuple[object, ...]:
        s = self.settings()
        return (
            self.today(),
            s["exam_date"],
            s["minutes_per_day"],
            tuple(s["weekdays_off"]),
            tuple(s["dates_off"]),
            s["new_cutoff_days"],
            s["exam"],
        )

    def refresh_plan(self) -> Plan | None:
        """Compute today's plan toward the saved exam date (slow: call off the UI thread).

        Today's queue then introduces new cards per domain as the plan says. Returns None
        when no (valid) exam date is set.
        """
        try:
            from mlstudy.services import planning

            plan = planning.make_plan(self)
        except UserError:
            self._plan_cache = None
            return None
        with self.engine.connect() as conn:
            baseline = _new_by_domain(self._answers(conn, self.today()))
        self._plan_cache = (self._plan_key(), plan, baseline)
        return plan

    def current_plan(self) -> Plan | None:
        """The plan computed by ``refresh_plan`` today with the current settings, if any."""
        cached = self._plan_cache
        return cached[1] if cached and cached[0] == self._plan_key() else None

    def _plan_quota(self, new_today: dict[int, int]) -> dict[int, int] | None:
        cached = self._plan_cache
        if not cached or cached[0] != self._plan_key():
            return None
        _key, plan, baseline = cached
        planned = new_cards_for_day(plan, self.today())
        return {d: int(n) - (new_today.get(d, 0) - baseline.get(d, 0)) for d, n in planned.items()}

    def _next_new(
        self, conn: Any, exam_id: int, answers: list[tuple[int, int, str, int, int]]
    ) -> int | None:
        new_today = _new_by_domain(answers)
        available = study.count_new_by_domain(conn, exam_id)
        quota = self._plan_quota(new_today)
        if quota is not None:
            # With an exam date the plan sets today's new cards per domain.
            for domain in sorted(quota, key=lambda d: (-quota[d], d)):
                if quota[domain] > 0 and available.get(domain, 0) > 0:
                    card_id = study.next_new_card(conn, exam_id, domain)
                    if card_id is not None:
                        return card_id
            return None
        if sum(new_today.values()) >= int(self.settings()["new_per_day"]):
            return None
        weights = self.exam().weights()
        # Domain-weight order: the domain furthest below its share of today's new cards.
        candidates = sorted(
            (d for d, n in available.items() if n > 0 and weights.get(d, 0) > 0),
            key=lambda d: ((new_today.get(d, 0) + 1) / weights[d], d),
        )
        for domain in candidates:
            card_id = study.next_new_card(conn, exam_id, domain)
            if card_id is not None:
                return card_id
        return None

    def card(self, card_id: int, kind: str = "") -> CardView:
        """One card with its state, for display."""
        manifest = self.exam()
        with self.engine.connect() as conn:
            row = study.load_card(conn, card_id)
            if row is None:
                raise UserError(f"no card with id {card_id}")
            state = study.load_state(conn, card_id)
        domain = manifest.domain(row.domain)
        task_title = next(
            (t.title for t in (domain.tasks if domain else ()) if t.id == row.task), ""
        )
        return CardView(
            id=row.id,
            key=row.key,
            question=row.question,
            answer=row.answer,
            domain=row.domain,
            domain_name=domain.name if domain else f"Domain {row.domain}",
            task=row.task,
            task_title=task_title,
            tags=tuple(t for t in row.tags.split(",") if t),
            source_url=row.source_url,
            file=row.file,
            line=row.line,
            kind=kind or ("new" if state is None else "review"),
            repetitions=state.repetitions if state else 0,
            easiness=(state.easiness if state else NEW_CARD.easiness_hundredths) / 100,
            interval_days=state.interval_days if state else 0,
            due=date.fromisoformat(state.due_day) if state else None,
            exam_due=date.fromisoformat(state.exam_due_day)
            if state and state.exam_due_day
            else None,
            suspended=row.suspended,
            archived=row.archived,
            reviews=state.reviews if state else 0,
            lapses=state.lapses if state else 0,
        )

    def preview_intervals(self, card_id: int) -> dict[int, int]:
        """The interval in days each grade 0..5 would give this card now (0: same-day drill)."""
        today = self.today()
        with self.engine.connect() as conn:
            state = study.load_state(conn, card_id)
            answered_today = any(a[0] == card_id for a in self._answers(conn, today))
        if answered_today:
            return dict.fromkeys(range(6), 0)
        current = state.sm2() if state else NEW_CARD
        return {grade: next_state(current, grade).interval_days for grade in range(6)}

    def answer(self, card_id: int, grade: int, answer_ms: int = 0) -> Changes:
        """Record a grade for a card in one committed transaction."""
        try:
            validate_grade(grade)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        today = self.today()
        adjust = None
        if self.settings()["exam_date"]:
            from mlstudy.services import planning

            adjust = planning.exam_due_adjuster(self)
        with safety.environment_errors("saving your answer"), self.engine.begin() as conn:
            drill = any(a[0] == card_id for a in self._answers(conn, today))
            record = study.record_answer(
                conn,
                card_id,
                grade,
                today,
                self._clock().isoformat(),
                max(0, int(answer_ms)),
                drill,
                adjust,
            )
            domain = study.card_domain(conn, card_id)
        # Committed: today's answers gain this one. Extend the cached list rather than
        # read the whole day again for the next card (hundreds of rows late in a day).
        self._answers_changed(
            (today, (card_id, grade, str(record.review["kind"]), record.review_id, domain))
        )
        self._undo.append(record)
        del self._undo[:-UNDO_DEPTH]
        self._redo.clear()
        self._dirty = True
        return Changes(cards=frozenset({card_id}), reviews=True)

    def can_undo(self) -> bool:
        """True when there is an answer to undo."""
        return bool(self._undo)

    def can_redo(self) -> bool:
        """True when there is an undone answer to redo."""
        return bool(self._redo)

    def _forget_other_day(self, record: study.AnswerRecord) -> None:
        """An undone or redone answer from an earlier day invalidates the day's caches."""
        if record.review["study_day"] != self.today().isoformat():
            self._version += 1
            self._streak_cache = None

    def undo(self) -> Changes | None:
        """Undo the last answer: its log row goes, the card's state is restored exactly."""
        if not self._undo:
            return None
        record = self._undo[-1]
        with safety.environment_errors("undoing the answer"), self.engine.begin() as conn:
            study.undo_answer(conn, record)
        self._answers_changed(None)
        self._undo.pop()
        self._dirty = True
        self._forget_other_day(record)
        self._redo.append(record)
        return Changes(cards=frozenset({record.card_id}), reviews=True)

    def redo(self) -> Changes | None:
        """Redo the last undone answer."""
        if not self._redo:
            return None
        record = self._redo[-1]
        with safety.environment_errors("redoing the answer"), self.engine.begin() as conn:
            study.redo_answer(conn, record)
        self._answers_changed(None)
        self._redo.pop()
        self._dirty = True
        self._forget_other_day(record)
        self._undo.append(record)
        return Changes(cards=frozenset({record.card_id}), reviews=True)

    def last_undo_card(self) -> int | None:
        """The card the next undo would restore."""
        return self._undo[-1].card_id if self._undo else None

    def due_by(self, day: date) -> int:
        """Reviewed cards that will be due on or before ``day`` (e.g. "due tomorrow")."""
        with self.engine.connect() as conn:
            return study.count_due(conn, self.exam_id(), day)

    def set_suspended(self, card_ids: Sequence[int], suspended: bool) -> Changes:
        """Suspend or unsuspend cards (suspended cards never come up for study)."""
        with safety.environment_errors("suspending cards"), self.engine.begin() as conn:
            study.set_suspended(conn, list(card_ids), suspended)
        self._dirty = True
        self._version += 1
        return Changes(cards=frozenset(card_ids))

    def state_of(self, card_id: int) -> CardState | None:
        """The raw state row (tests and tools)."""
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(CardState, card_id)


def _new_by_domain(answers: Sequence[tuple[int, int, str, int, int]]) -> dict[int, int]:
    """New cards introduced per domain in a day's answers."""
    counts: dict[int, int] = {}
    for _card, _grade, kind, _rid, domain in answers:
        if kind == "new":
            counts[domain] = counts.get(domain, 0) + 1
    return counts


def _drill_domains(
    answers: Sequence[tuple[int, int, str, int, int]], cards: list[int]
) -> list[tuple[int, int]]:
    """(card, domain) for drill cards, keeping their order."""
    domains = {a[0]: a[4] for a in answers}
    return [(cid, domains[cid]) for cid in cards]


def _drill_cards(answers: Sequence[tuple[int, int, str, int, int]]) -> list[int]:
    """Cards whose latest answer today was below 4, the longest-waiting first."""
    latest: dict[int, tuple[int, int]] = {}
    for card_id, grade, _kind, review_id, _domain in answers:
        latest[card_id] = (grade, review_id)
    waiting = [(rid, cid) for cid, (grade, rid) in latest.items() if grade < 4]
    return [cid for _rid, cid in sorted(waiting)]
