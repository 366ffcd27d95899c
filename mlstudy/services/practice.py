"""Practice exams and practice sets: start, answer, flag, resume, submit, results.

Reached from the library as ``library.practice``. Every answer is committed as it is
given; submitting scores the attempt and feeds the study loop: the linked cards of
every missed question become due on the next study day (a due-date layer over SM-2)
and unseen linked cards come first in the next new-card batch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from mlstudy.core.exam import ExamManifest
from mlstudy.core.practice import (
    RECENT_ATTEMPTS,
    BankEntry,
    Question,
    Score,
    ScorePoint,
    assemble,
    is_complete,
    is_correct,
    needs_practice,
    score,
    score_points,
    shuffled_order,
    time_limit_seconds,
)
from mlstudy.decks.loader import find_packs, load_manifest
from mlstudy.errors import UserError
from mlstudy.services.types import Changes
from mlstudy.storage import practice as store
from mlstudy.storage import practice_dues as dues

if TYPE_CHECKING:
    from mlstudy.services.library import Library

EXAM = "exam"
PRACTICE = "practice"
MODES = (EXAM, PRACTICE)
DEFAULT_MINUTES = 180
DEFAULT_QUESTIONS = 65
RAW_SCORE_NOTE = (
    "This is the raw percentage of questions answered correctly. AWS reports a scaled "
    "score from 100 to 1,000 whose conversion is not public, so this is not that score "
    "and not a prediction of passing."
)


@dataclass(frozen=True, slots=True)
class ItemView:
    """One question of an attempt as a page shows it."""

    position: int
    question: Question
    order: tuple[int, ...]
    """Display order of the options (for matching: of the right-hand side)."""
    answer: tuple[int, ...] | None
    correct: bool | None
    flagged: bool

    @property
    def answered(self) -> bool:
        """True when the saved answer is a full response."""
        return is_complete(self.question, self.answer)


@dataclass(frozen=True, slots=True)
class AttemptView:
    """An attempt with its questions."""

    id: int
    mode: str
    started_at: str
    finished_at: str | None
    day: date
    time_limit_s: int
    elapsed_ms: int
    position: int
    items: tuple[ItemView, ...]

    @property
    def timed(self) -> bool:
        """True for a timed (exam mode) attempt."""
        return self.time_limit_s > 0

    def remaining_ms(self, elapsed_ms: int | None = None) -> int:
        """Time left in ms (0 when untimed or out of time)."""
        used = self.elapsed_ms if elapsed_ms is None else elapsed_ms
        return max(0, self.time_limit_s * 1000 - used) if self.timed else 0


@dataclass(frozen=True, slots=True)
class AttemptSummary:
    """A finished attempt's raw score, for history, charts and ``stats --json``."""

    id: int
    mode: str
    finished: str
    day: date
    score: Score


@dataclass(frozen=True, slots=True)
class Results:
    """The report of a finished attempt."""

    attempt: AttemptView
    score: Score
    domain_names: dict[int, str]
    rescheduled_cards: tuple[str, ...]
    note: str = RAW_SCORE_NOTE
    changes: Changes = field(default_factory=Changes)
    """What the submit changed (the cards brought forward); empty for a re-read report."""


class PracticeService:
    """Practice questions of the library's current exam."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._sizes: dict[str, tuple[int, int]] = {}

    # ----- the bank ------------------------------------------------------------------

    def exam_size(self) -> tuple[int, int]:
        """(questions, minutes) of the current exam from its ``exam.toml``."""
        code = self._library.exam().code
        cached = self._sizes.get(code)
        if cached is None:
            manifest: ExamManifest | None = None
            for pack in find_packs(self._library.content_root):
                try:
                    candidate = load_manifest(pack)
                except UserError:
                    continue
                if candidate.code == code:
                    manifest = candidate
            cached = (
                (manifest.questions if manifest else None) or DEFAULT_QUESTIONS,
                (manifest.minutes if manifest else None) or DEFAULT_MINUTES,
            )
            self._sizes[code] = cached
        return cached

    def bank_counts(self) -> dict[str, Any]:
        """Questions of the current exam: total, by domain and by type (``stats --json``)."""
        with self._library.engine.connect() as conn:
            rows = store.bank(conn, self._library.exam_id())
        by_domain: dict[str, int] = {str(d.number): 0 for d in self._library.exam().domains}
        by_type: dict[str, int] = {}
        for row in rows:
            by_domain[str(row.domain)] = by_domain.get(str(row.domain), 0) + 1
            by_type[row.type] = by_type.get(row.type, 0) + 1
        return {"total": len(rows), "by_domain": by_domain, "by_type": by_type}

    def _bank(self, conn: Any, exam_id: int) -> list[BankEntry]:
        """The bank with what assembly needs of the history: seen, recent, missed."""
        history: dict[str, list[bool]] = {}
        finished: list[int] = []
        asked_in: dict[int, set[str]] = {}
        for attempt_id, key, correct, done in store.history_rows(conn, exam_id):
            if correct is not None:
                history.setdefault(key, []).append(bool(correct))
            asked_in.setdefault(attempt_id, set()).add(key)
            if done and (not finished or finished[-1] != attempt_id):
                finished.append(attempt_id)
        asked = set().union(*asked_in.values()) if asked_in else set()
        recent = set().union(*(asked_in[a] for a in finished[-RECENT_ATTEMPTS:]))
        missed = {key for key, results in history.items() if needs_practice(results)}
        return [
            BankEntry(key, domain, task, case_key, key in asked, key in recent, key in missed)
            for key, domain, task, case_key in store.bank_rows(conn, exam_id)
        ]

    # ----- attempts ------------------------------------------------------------------

    def start(
        self,
        mode: str = EXAM,
        *,
        count: int | None = None,
        domain: int | None = None,
        task: str | None = None,
        unseen: bool = False,
        missed: bool = False,
        seed: int | None = None,
    ) -> AttemptView:
        """Assemble and save a new attempt.

        Args:
            mode: ``exam`` (timed, no feedback) or ``practice`` (feedback after each).
            count: questions; default the exam's count (65 for MLS-C01) in exam mode and
                10 in practice mode.
            domain, task: only questions of this domain or task statement.
            unseen, missed: only questions never asked, or still to be answered right
                twice in a row.
            seed: for a reproducible draw (tests, ``--seed``).
        """
        if mode not in MODES:
            raise UserError(f"mode must be one of {', '.join(MODES)}")
        exam = self._library.exam()
        if domain is not None and exam.domain(domain) is None:
            raise UserError(f"unknown domain {domain} (known: {[d.number for d in exam.domains]})")
        if task is not None and exam.domain_of_task(task) is None:
            raise UserError(f"unknown task {task!r} for {exam.code}")
        questions, minutes = self.exam_size()
        wanted = count if count is not None else (questions if mode == EXAM else 10)
        if wanted < 1:
            raise UserError("a set needs at least one question")
        library = self._library
        exam_id = library.exam_id()
        now = library.now()
        if seed is None:
            seed = int(now.timestamp() * 1000) % 2**31
        with library.engine.connect() as conn:
            bank = self._bank(conn, exam_id)
            keys = assemble(
                bank,
                exam.weights(),
                wanted,
                seed,
                domain=domain,
                task=task,
                only_unseen=unseen,
                only_missed=missed,
                missed_first=mode == PRACTICE,
            )
            loaded = store.load_questions(conn, keys)
        if not keys:
            raise UserError("no practice questions match: add question files or widen the filter")
        rng = random.Random(seed + 1)
        items = [(key, shuffled_order(loaded[key], rng)) for key in keys]
        limit = time_limit_seconds(minutes, questions, len(keys)) if mode == EXAM else 0
        today = library.today()
        with library.context.write("starting the practice set") as c:
            attempt_id = store.create_attempt(
                c, exam_id, mode, now.isoformat(), today, limit, seed, items
            )
        library.context.publish(Changes())
        return AttemptView(
            id=attempt_id,
            mode=mode,
            started_at=now.isoformat(),
            finished_at=None,
            day=today,
            time_limit_s=limit,
            elapsed_ms=0,
            position=0,
            items=tuple(
                ItemView(i, loaded[key], order, None, None, False)
                for i, (key, order) in enumerate(items)
            ),
        )

    def unfinished(self) -> AttemptView | None:
        """The attempt interrupted by a close or a crash, to resume with its time used."""
        with self._library.engine.connect() as conn:
            info = store.unfinished_attempt(conn, self._library.exam_id())
        return self.attempt(info.id) if info else None

    def attempt(self, attempt_id: int) -> AttemptView:
        """An attempt with its questions and saved answers."""
        with self._library.engine.connect() as conn:
            info = store.attempt(conn, attempt_id)
            if info is None:
                raise UserError(f"no practice attempt {attempt_id}")
            rows = store.items(conn, attempt_id)
            questions = store.load_questions(conn, [r.question_key for r in rows])
        return AttemptView(
            id=info.id,
            mode=info.mode,
            started_at=info.started_at,
            finished_at=info.finished_at,
            day=date.fromisoformat(info.study_day),
            time_limit_s=info.time_limit_s,
            elapsed_ms=info.elapsed_ms,
            position=info.position,
            items=tuple(
                ItemView(
                    r.position,
                    questions[r.question_key],
                    r.shown_order,
                    r.answer,
                    r.correct,
                    r.flagged,
                )
                for r in rows
                if r.question_key in questions
            ),
        )

    def answer(
        self, attempt: AttemptView, position: int, answer: tuple[int, ...] | None, elapsed_ms: int
    ) -> bool:
        """Save one answer as given (None clears it) in its own transaction; return whether
        it is right (the exam page does not show it until the end)."""
        question = attempt.items[position].question
        correct = is_correct(question, answer) if answer else None
        library = self._library
        with library.context.write("saving your answer") as conn:
            store.save_answer(
                conn,
                attempt.id,
                position,
                answer or None,
                correct,
                library.now().isoformat(),
                elapsed_ms,
            )
        library.context.publish(Changes())
        return bool(correct)

    def flag(self, attempt_id: int, position: int, flagged: bool) -> None:
        """Flag or unflag a question for review."""
        with self._library.context.write("flagging the question") as conn:
            store.set_flag(conn, attempt_id, position, flagged)

    def save_progress(self, attempt_id: int, position: int, elapsed_ms: int) -> None:
        """Remember the question shown and the time used (for resuming)."""
        with self._library.context.write("saving your place") as conn:
            store.save_progress(conn, attempt_id, position, elapsed_ms)

    def submit(self, attempt_id: int, elapsed_ms: int | None = None) -> Results:
        """Finish an attempt: score it and bring the linked cards of missed questions forward."""
        library = self._library
        view = self.attempt(attempt_id)
        if view.finished_at is not None:
            return self.results(attempt_id)
        used = view.elapsed_ms if elapsed_ms is None else elapsed_ms
        if view.timed:
            used = min(used, view.time_limit_s * 1000)
        today = library.today()
        missed_cards: list[str] = []
        for item in view.items:
            wrong = item.correct is False or (view.mode == EXAM and item.correct is None)
            if wrong:
                missed_cards.extend(k for k in item.question.cards if k not in missed_cards)
        label = "the practice exam" if view.mode == EXAM else "a practice set"
        reason = f"missed in {label} of {today.isoformat()}"
        with library.context.write("submitting the exam") as conn:
            store.finish_attempt(
                conn, attempt_id, library.now().isoformat(), used, view.mode == EXAM
            )
            ids = dues.card_ids(conn, missed_cards)
            dues.bring_cards_forward(conn, list(ids.values()), today + timedelta(days=1), reason)
        changed = library.context.publish(
            Changes(cards=frozenset(ids.values()), reviews=True, queue=True)
        )
        return replace(self.results(attempt_id), changes=changed)

    def results(self, attempt_id: int) -> Results:
        """The report of a finished attempt."""
        view = self.attempt(attempt_id)
        exam = self._library.exam()
        scored = [
            (item.question.domain, bool(item.correct))
            for item in view.items
            if view.mode == EXAM or item.correct is not None
        ]
        missed = sorted(
            {c for item in view.items if item.correct is False for c in item.question.cards}
        )
        return Results(
            attempt=view,
            score=score(scored),
            domain_names={d.number: d.name for d in exam.domains},
            rescheduled_cards=tuple(missed),
        )

    # ----- history -------------------------------------------------------------------

    def history(self) -> list[AttemptSummary]:
        """Every finished attempt of the current exam with its raw score, oldest first."""
        with self._library.engine.connect() as conn:
            rows = store.attempt_scores(conn, self._library.exam_id())
        grouped: dict[int, tuple[str, str, str, list[tuple[int, bool]]]] = {}
        for attempt_id, mode, finished, day, domain, asked, correct in rows:
            entry = grouped.setdefault(attempt_id, (mode, finished, day, []))
            entry[3].extend([(domain, True)] * correct + [(domain, False)] * (asked - correct))
        return [
            AttemptSummary(attempt_id, mode, finished, date.fromisoformat(day), score(results))
            for attempt_id, (mode, finished, day, results) in grouped.items()
        ]

    def score_points(self) -> tuple[ScorePoint, ...]:
        """The practice-score chart's series (oldest first)."""
        return score_points((s.day, s.mode, s.score) for s in self.history())

    def history_document(self) -> dict[str, Any]:
        """The ``practice`` key of ``stats --json``."""
        return {
            "attempts": [
                {
                    "finished": s.finished,
                    "mode": s.mode,
                    "questions": s.score.questions,
                    "correct": s.score.correct,
                    "by_domain": {
                        str(d): {"questions": v.questions, "correct": v.correct}
                        for d, v in s.score.by_domain.items()
                    },
                }
                for s in self.history()
            ]
        }

    def linked_card_ids(self, keys: list[str] | tuple[str, ...]) -> dict[str, int]:
        """Database ids of linked cards by key (for links that open a card in Browse)."""
        with self._library.engine.connect() as conn:
            return dues.card_ids(conn, list(keys))

    def latest(self) -> AttemptSummary | None:
        """The newest finished attempt, for the Today page."""
        history = self.history()
        return history[-1] if history else None

    def card_reason(self, card_id: int) -> str | None:
        """Why a card was brought forward by practice ("missed in the practice exam of ..."),
        or None."""
        with self._library.engine.connect() as conn:
            return dues.card_due_reason(conn, card_id)
