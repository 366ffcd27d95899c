"""``Library``: one open data dir, composed of small services.

``Library`` is the composition root: it opens the database, builds the services on one
``LibraryContext`` (``services/context.py``) and forwards the calls that scripts, the
CLI and the GUI use. Each service owns one responsibility:

- ``settings`` (``services/settings.py``): typed settings, view state, today's date;
- ``content`` (``services/content.py``): deck sync and checks, the current exam pack;
- ``session`` (``services/session.py``): today's queue, answer, undo and redo;
- ``today_counts`` (``services/today.py``): the counters and the streak;
- ``plans`` (``services/plans.py``): the plan and the exam-aware due days;
- ``backup`` (``services/backups.py``): backups and restore;
- ``leeches`` (``services/leeches.py``): the cards the user keeps failing.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from mlstudy import paths
from mlstudy.core.exam import ExamManifest
from mlstudy.core.planner import Plan
from mlstudy.core.queue import LEARN_MORE_COUNT
from mlstudy.core.sm2 import GradeOutcome
from mlstudy.errors import UserError
from mlstudy.services import safety
from mlstudy.services.backups import BackupService
from mlstudy.services.content import CheckReport, ContentService
from mlstudy.services.context import Clock, LibraryContext
from mlstudy.services.leeches import LeechService
from mlstudy.services.plans import PlanService
from mlstudy.services.session import StudySession
from mlstudy.services.settings import EXAM_SCHEDULE_KEYS, SettingsService
from mlstudy.services.sync import SyncService
from mlstudy.services.today import TodayAnswers, TodayService
from mlstudy.services.types import CardView, Changes, SyncReport, TodayCounts
from mlstudy.storage.backup import BackupFile
from mlstudy.storage.database import create_db_engine, migrate, quick_check
from mlstudy.storage.lock import DataDirLock

if TYPE_CHECKING:
    from mlstudy.services.practice import PracticeService

log = logging.getLogger(__name__)


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
        self.context = LibraryContext(data_dir, engine, clock, tz, content_root)
        self._lock = lock
        self.settings_service = SettingsService(self.context)
        self.content = ContentService(self.context, self.settings_service.all)
        answers = TodayAnswers(self.context, lambda: self.content.exam()[0])
        self.today_answers = answers
        self.plans = PlanService(self.context, self, answers, self.settings_service.current)
        self.session = StudySession(
            self.context,
            answers,
            today=self.today,
            new_per_day=lambda: self.settings_service.current().new_per_day,
            exam=self.content.exam,
            quota=self.plans.quota,
            rule=self.plans.rule,
            suspend_leeches=lambda: self.settings_service.current().suspend_leeches,
        )
        self.today_counts = TodayService(
            self.context,
            answers,
            settings=self.settings,
            today=self.today,
            exam_id=self.exam_id,
            quota=self.plans.quota,
        )
        self.backup = BackupService(self.context)
        self.sync = SyncService(self.context, self.plans.rule, self.plans.reschedule)
        """Study on several computers (``services/sync.py``)."""
        self.leeches = LeechService(self.context, self.content.exam)
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
        exam: str | None = None,
    ) -> Library:
        """Open (creating if needed) the library in a data dir and sync the decks.

        Args:
            data_dir: the folder; ``--data-dir``/``MLSTUDY_DATA_DIR``/platform default if None.
            clock: returns the current aware UTC time.
            tz: the local zone for study days (the system's when None).
            content_root: bundled content folder (default: ``paths.content_dir()``).
            lock: take the one-instance lock on the data dir.
            sync: load the decks into the database now.
            exam: an exam pack code to act on for this run only (``--exam``); the
                selection stays as it is. A UserError lists the codes if it is unknown.
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
            if exam is not None:
                library.override_exam(exam)
        except Exception:
            if data_lock:
                data_lock.release()
            raise
        return library

    def close(self) -> None:
        """Back up if anything changed, then release the database and the data-dir lock."""
        if self.backup.dirty and self._lock is not None:
            try:
                self.backup.backup_now("close")
            except UserError as exc:  # closing must not fail on a full backup disk
                log.warning("backup on close failed: %s", exc)
        columns = sys.modules.get("mlstudy.storage.columns")  # loaded (numpy) only if used
        if columns is not None:
            columns.finish_cache_writes()
        self.context.finish_folding()
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
    def data_dir(self) -> Path:
        """The library's folder."""
        return self.context.data_dir

    @property
    def content_root(self) -> Path:
        """The bundled content folder."""
        return self.context.content_root

    @property
    def engine(self) -> Engine:
        """The database engine (a restore replaces it)."""
        return self.context.engine

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
        return self.backup.backup_now(reason)

    def maybe_auto_backup(self) -> Path | None:
        """Back up when data changed and the last automatic backup is 30 minutes old."""
        return self.backup.maybe_auto_backup()

    def backups(self) -> list[BackupFile]:
        """Backups of this library, newest first."""
        return self.backup.backups()

    def restore(self, file: Path) -> Path:
        """Replace the database with a backup, after backing up the current one.

        Returns the backup of the current state taken first. The file is checked
        before anything changes; a bad file changes nothing.
        """
        safety_copy, _changes = self.backup.restore(file)
        self.sync_content()  # the backup may predate deck edits: bring the cards up to date
        self.backup.count_as_backed_up()
        return safety_copy

    # ----- time and settings ---------------------------------------------------------

    def now(self) -> datetime:
        """The current UTC time from the injected clock."""
        return self.context.clock()

    def today(self) -> date:
        """Today's study day (the day starts at the configured hour, local time)."""
        return self.settings_service.today()

    def settings(self) -> dict[str, Any]:
        """Every setting, defaults filled in."""
        return self.settings_service.all()

    def update_settings(self, **values: Any) -> Changes:
        """Validate and save settings; one clear error names a bad field, nothing is saved.

        A change of the exam date or days off recomputes the exam-aware due days.
        """
        with self.context.writer:
            changes = self.settings_service.update(**values)
            if values.keys() & EXAM_SCHEDULE_KEYS:
                changes |= self.plans.reschedule()
        return changes

    @property
    def setting_problems(self) -> tuple[str, ...]:
        """Stored settings that were unusable at the last read (their defaults are in use)."""
        return self.settings_service.problems

    def view_state(self, key: str) -> Any:
        """Saved view state (window geometry, splitter sizes, column widths), or None."""
        return self.settings_service.view_state(key)

    def save_view_state(self, key: str, value: Any) -> None:
        """Save view state; it never marks the library changed (no backup for it)."""
        self.settings_service.save_view_state(key, value)

    # ----- content and exam ----------------------------------------------------------

    def deck_folders(self) -> list[Path]:
        """The user's deck folders: ``<data dir>/decks`` plus any added in Settings."""
        return self.content.deck_folders()

    def sync_content(self) -> SyncReport:
        """Load bundled and user decks into the database (idempotent; history kept)."""
        report = self.content.sync()
        self.settle_exam()
        return report

    def override_exam(self, code: str) -> None:
        """Act on exam pack ``code`` until the library closes, leaving the saved selection
        alone (``--exam``); an ``UnknownExamError`` lists the codes."""
        from mlstudy.services.exams import override_exam

        override_exam(self, code)

    def has_content(self) -> bool:
        """True once an exam pack has been synced into the database."""
        return self.content.has_content()

    def check_content(self, folders: Sequence[Path] = ()) -> CheckReport:
        """Validate decks without touching the database."""
        return self.content.check(folders)

    def exam(self) -> ExamManifest:
        """The current exam pack (from the database, as last synced)."""
        return self.content.exam()[1]

    def exam_id(self) -> int:
        """Database id of the current exam."""
        return self.content.exam()[0]

    def settle_exam(self) -> None:
        """Save the selection once a new library has packs (``services.exams``)."""
        from mlstudy.services.exams import settle_selection

        settle_selection(self)

    def exam_codes(self) -> list[str]:
        """Every exam pack in the library."""
        return self.content.exam_codes()

    # ----- today's session -----------------------------------------------------------

    def counts(self) -> TodayCounts:
        """Due, new and drill cards left today (in the focus domain, if one is set), what
        was studied, the streak."""
        extra, ahead = self.session.extra_for(self.today())
        return self.today_counts.counts(self.session.focus, extra, ahead)

    def next_card(self) -> CardView | None:
        """The next card of today's queue: due reviews, then new cards, then drills."""
        card_id, kind = self.session.next_card_id()
        return self.session.card(card_id, kind or "") if card_id is not None else None

    def card(self, card_id: int, kind: str = "") -> CardView:
        """One card with its state, for display."""
        return self.session.card(card_id, kind)

    def grade_outcomes(self, card_id: int) -> tuple[GradeOutcome, ...]:
        """What each grade 0..5 would do to this card now (a drill today, a new interval)."""
        return self.session.grade_outcomes(card_id)

    def answer(self, card_id: int, grade: int, answer_ms: int = 0) -> Changes:
        """Record a grade for a card in one committed transaction."""
        return self.session.answer(card_id, grade, answer_ms)

    def undo(self) -> Changes | None:
        """Undo the last answer (a tombstone in the log; the card's state rebuilt)."""
        return self.session.undo()

    def redo(self) -> Changes | None:
        """Redo the last undone answer."""
        return self.session.redo()

    def last_undo_card(self) -> int | None:
        """The card the next undo would restore."""
        return self.session.last_undo_card()

    def due_by(self, day: date) -> int:
        """Reviewed cards that will be due on or before ``day`` (e.g. "due tomorrow")."""
        return self.session.due_by(day)

    def set_suspended(self, card_ids: Sequence[int], suspended: bool) -> Changes:
        """Suspend or unsuspend cards (suspended cards never come up for study)."""
        return self.session.set_suspended(card_ids, suspended)

    def learn_more(self, count: int = LEARN_MORE_COUNT, domain: int | None = None) -> Changes:
        """Add ``count`` new cards to today's queue ("Learn 10 more"), of one domain or of
        all by exam weight; for this study day and this session only."""
        return self.session.learn_more(count, domain)

    def review_ahead(self, days: int = 1) -> Changes:
        """Let today's queue take the cards due in the next ``days`` days (this session)."""
        return self.session.review_ahead(days)

    def focus_domain(self) -> int | None:
        """The domain today's queue is limited to ("study this domain"), or None."""
        return self.session.focus

    def set_focus_domain(self, domain: int | None) -> Changes:
        """Limit the queue to one domain's due, new and drill cards (None: all domains)."""
        return self.session.set_focus(domain)

    # ----- the plan ------------------------------------------------------------------

    def refresh_plan(self) -> Plan | None:
        """Compute today's plan toward the saved exam date (slow: call off the UI thread).

        Today's queue then introduces new cards per domain as the plan says. Returns None
        when no (valid) exam date is set.
        """
        return self.plans.refresh()

    def current_plan(self) -> Plan | None:
        """The plan computed by ``refresh_plan`` today with the current settings, if any."""
        return self.plans.current()

    def preview_plan(
        self,
        exam_date: date,
        minutes: int,
        weekdays_off: frozenset[int] | None = None,
        dates_off: frozenset[date] | None = None,
    ) -> Plan:
        """The plan for edited inputs before they are saved (slow: off the UI thread)."""
        return self.plans.preview(exam_date, minutes, weekdays_off, dates_off)

    def planned_today(self, compute: bool = False) -> dict[int, int] | None:
        """Today's new-card quota per domain, fixed when the day's plan was first made
        (None without an exam date; ``compute``: make the plan if there is none yet)."""
        planned = self.plans.planned_today()
        if planned is None and compute and self.settings().get("exam_date"):
            self.plans.refresh()
            planned = self.plans.planned_today()
        return planned
