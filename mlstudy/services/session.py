"""The study session: today's queue, answering, undo and redo, card views."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from sqlalchemy import Connection

from mlstudy.core import queue
from mlstudy.core.exam import NO_DOMAIN, NO_DOMAIN_NAME, ExamManifest
from mlstudy.core.leech import became_leech
from mlstudy.core.models import DayAnswer, ReviewKind
from mlstudy.core.sm2 import NEW_CARD, GradeOutcome, grade_outcomes, validate_grade
from mlstudy.errors import UserError
from mlstudy.services.context import LibraryContext
from mlstudy.services.today import TodayAnswers
from mlstudy.services.types import CardView, Changes
from mlstudy.services.undo import Reversible, suspend
from mlstudy.storage import study
from mlstudy.storage.study import ExamRule

UNDO_DEPTH = 50


class StudySession:
    """Today's queue (due reviews, then new cards, then drills) and the answers given.

    Undo and redo stacks live here, for this session only. The log is append-only:
    undo appends a tombstone, redo appends the answer again, and the card's state is
    rebuilt from the log with today's exam rule each time.
    """

    def __init__(
        self,
        context: LibraryContext,
        answers: TodayAnswers,
        *,
        today: Callable[[], date],
        new_per_day: Callable[[], int],
        exam: Callable[[], tuple[int, ExamManifest]],
        quota: Callable[[dict[int, int]], dict[int, int] | None],
        rule: Callable[[], ExamRule | None],
        suspend_leeches: Callable[[], bool] = lambda: False,
    ) -> None:
        self._context = context
        self._answers = answers
        self._today = today
        self._new_per_day = new_per_day
        self._exam = exam
        self._quota = quota
        self._rule = rule
        self._suspend_leeches = suspend_leeches
        self._leech_suspended: set[str] = set()
        """Uids of answers that suspended their card as a new leech (undo unsuspends it)."""
        self._undo: list[study.AnswerRecord | Reversible] = []
        self._redo: list[study.AnswerRecord | Reversible] = []
        self._stacks = threading.Lock()
        self.focus: int | None = None
        """The domain today's queue is limited to ("study this domain"), or None."""
        self.extra: queue.ExtraNew | None = None
        """New cards asked for beyond today's rule ("Learn 10 more"), or None."""
        self.ahead: date | None = None
        """With review ahead asked for: the last due day it reaches (None: off)."""
        self._extra_exam: int | None = None
        """The exam both were asked for: another exam's queue has neither."""
        context.bus.subscribe(self._forget_stacks, "restored")

    def _forget_stacks(self, _changes: Changes) -> None:
        with self._stacks:
            self._undo.clear()
            self._redo.clear()

    # ----- the queue -------------------------------------------------------------------

    def set_focus(self, domain: int | None) -> Changes:
        """Limit the queue to one domain's due, new and drill cards (None: all domains)."""
        if domain is not None and self._exam()[1].domain(domain) is None:
            raise UserError(f"unknown domain {domain}")
        self.focus = domain
        return Changes(plan=True)

    def learn_more(self, count: int = queue.LEARN_MORE_COUNT, domain: int | None = None) -> Changes:
        """Add ``count`` new cards to today, of one domain or by exam weight."""
        if count < 1:
            raise UserError("learn more: ask for at least one card")
        if domain is not None and self._exam()[1].domain(domain) is None:
            raise UserError(f"unknown domain {domain}")
        today = self._today()
        with self._context.read() as conn:
            new_today = queue.new_by_domain(self._answers.read(conn, today))
        previous, ahead = self.extra_for(today)
        left = queue.extra_new_left(previous, today, new_today)
        if previous is not None and left and previous.domain == domain:
            count += left  # asked again before the last ones were done: add up
        self.extra = queue.ExtraNew(today, domain, count, queue.introduced(new_today, domain))
        self.ahead = ahead
        self._extra_exam = self._exam()[0]
        return Changes(plan=True)

    def review_ahead(self, days: int = 1) -> Changes:
        """Let today's queue take the cards due in the next ``days`` days, soonest first."""
        if days < 1:
            raise UserError("review ahead: at least one day")
        today = self._today()
        self.extra = self.extra_for(today)[0]
        self.ahead = today + timedelta(days=days)
        self._extra_exam = self._exam()[0]
        return Changes(plan=True)

    def extra_for(self, today: date) -> tuple[queue.ExtraNew | None, date | None]:
        """Today's extra new cards and review-ahead day, for the current exam (a new day,
        or another exam, has neither)."""
        if self._extra_exam is None or self._extra_exam != self._exam()[0]:
            return None, None
        extra = self.extra if self.extra is not None and self.extra.day == today else None
        ahead = self.ahead if self.ahead is not None and self.ahead > today else None
        return extra, ahead

    def next_card_id(self) -> tuple[int | None, ReviewKind | None]:
        """The next card of today's queue and why it is shown (None: nothing left)."""
        today = self._today()
        exam_id, manifest = self._exam()
        focus = self.focus
        with self._context.read() as conn:
            answers = self._answers.read(conn, today)
            due = study.next_due_card(conn, exam_id, today, domain=focus)
            if due is not None:
                return due, ReviewKind.REVIEW
            new_id = self._next_new(conn, exam_id, manifest, answers, focus)
            if new_id is not None:
                return new_id, ReviewKind.NEW
            drills = queue.drill_cards(answers, focus)
            if drills:
                return drills[0], ReviewKind.DRILL
            _extra, ahead = self.extra_for(today)
            if ahead is not None:
                answered = frozenset(a.card_id for a in answers)
                early = study.next_due_card(conn, exam_id, ahead, exclude=answered, domain=focus)
                if early is not None:
                    return early, ReviewKind.REVIEW
        return None, None

    def _next_new(
        self,
        conn: Connection,
        exam_id: int,
        manifest: ExamManifest,
        answers: Sequence[DayAnswer],
        focus: int | None,
    ) -> int | None:
        new_today = queue.new_by_domain(answers)
        if focus is None:
            available = study.count_new_by_domain(conn, exam_id)
            quota = self._quota(new_today)
        else:
            available, quota = {focus: 1}, None  # the query below says if there is one
        domains = queue.new_card_domains(
            available, new_today, manifest.weights(), self._new_per_day(), quota, focus
        )
        extra, _ahead = self.extra_for(self._today())
        if not domains and queue.extra_new_left(extra, self._today(), new_today):
            assert extra is not None
            if focus is not None and extra.domain is None:
                extra = queue.ExtraNew(extra.day, focus, extra.count, extra.baseline)
            if focus is None or extra.domain == focus:
                unseen = study.count_new_by_domain(conn, exam_id)
                domains = queue.extra_new_domains(extra, unseen, new_today, manifest.weights())
        for domain in domains:
            card_id = study.next_new_card(conn, exam_id, domain)
            if card_id is not None:
                return card_id
        return None

    def card(self, card_id: int, kind: str = "") -> CardView:
        """One card with its state, for display."""
        exam_id, manifest = self._exam()
        with self._context.read() as conn:
            row = study.load_card(conn, card_id, exam_id)
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
            domain_name=(
                domain.name
                if domain
                else NO_DOMAIN_NAME
                if row.domain == NO_DOMAIN
                else f"Domain {row.domain}"
            ),
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

    def grade_outcomes(self, card_id: int) -> tuple[GradeOutcome, ...]:
        """What each grade 0..5 would do to this card now: a drill today, a new interval."""
        today = self._today()
        with self._context.read() as conn:
            state = study.load_state(conn, card_id)
            answered_today = any(a.card_id == card_id for a in self._answers.read(conn, today))
        return grade_outcomes(state.sm2() if state else NEW_CARD, drilling=answered_today)

    def due_by(self, day: date) -> int:
        """Reviewed cards that will be due on or before ``day`` (e.g. "due tomorrow")."""
        with self._context.read() as conn:
            return study.count_due(conn, self._exam()[0], day)

    # ----- writes ----------------------------------------------------------------------

    def answer(self, card_id: int, grade: int, answer_ms: int = 0) -> Changes:
        """Record a grade for a card in one committed transaction."""
        try:
            validate_grade(grade)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        today = self._today()
        rule = self._rule()
        suspend_leeches = self._suspend_leeches()
        with self._context.writer:  # the stacks follow the log in commit order
            with self._context.write("saving your answer") as conn:
                answered = any(a.card_id == card_id for a in self._answers.read(conn, today))
                before = study.load_state(conn, card_id)
                record = study.record_answer(
                    conn,
                    card_id,
                    grade,
                    today,
                    self._context.clock().isoformat(),
                    max(0, int(answer_ms)),
                    answered,
                    rule,
                )
                domain = study.card_domain(conn, card_id, self._exam()[0])
                after = study.load_state(conn, card_id)
                leech = after is not None and became_leech(
                    before.lapses if before else 0, after.lapses
                )
                if leech and suspend_leeches:
                    study.set_suspended(conn, [card_id], True)
                    self._leech_suspended.add(record.uid)
            self._push(record)
        kind = ReviewKind(str(record.review["kind"]))
        added = DayAnswer(card_id, grade, kind, record.review_id, domain)
        return self._context.publish(
            Changes(
                cards=frozenset({card_id}),
                reviews=True,
                answered=(added,),
                queue=leech and suspend_leeches,
            )
        )

    def _push(self, done: study.AnswerRecord | Reversible) -> None:
        with self._stacks:
            self._undo.append(done)
            del self._undo[:-UNDO_DEPTH]
            self._redo.clear()

    def push_undoable(self, action: Reversible) -> None:
        """Put an action just done (and committed) on the undo stack."""
        with self._context.writer:
            self._push(action)

    def last_undo_card(self) -> int | None:
        """The card the next undo would show again (None unless it undoes an answer)."""
        undo = self._undo
        last = undo[-1] if undo else None
        return last.card_id if isinstance(last, study.AnswerRecord) else None

    def undo_label(self) -> str | None:
        """What the next undo undoes ("Answer", "Suspension", ...), or None."""
        undo = self._undo
        return _label(undo[-1]) if undo else None

    def undo(self) -> Changes | None:
        """Undo the last answer: a tombstone is logged and the card's state rebuilt."""
        rule = self._rule()
        today = self._today()
        with self._context.writer:
            with self._stacks:
                if not self._undo:
                    return None
                record = self._undo[-1]
            if not isinstance(record, study.AnswerRecord):
                changes = record.undo()
                with self._stacks:
                    self._undo.pop()
                    self._redo.append(record)
                return self._context.publish(changes)
            with self._context.write("undoing the answer") as conn:
                study.undo_answer(conn, record, self._context.clock().isoformat(), today, rule)
                if record.uid in self._leech_suspended:
                    study.set_suspended(conn, [record.card_id], False)
            with self._stacks:
                self._undo.pop()
                self._redo.append(record)
        return self._context.publish(self._log_changed(record, today) | self._leech_moved(record))

    def redo(self) -> Changes | None:
        """Redo the last undone answer (logged again; the state rebuilt)."""
        rule = self._rule()
        today = self._today()
        with self._context.writer:
            with self._stacks:
                if not self._redo:
                    return None
                record = self._redo[-1]
            if not isinstance(record, study.AnswerRecord):
                changes = record.redo()
                with self._stacks:
                    self._redo.pop()
                    self._undo.append(record)
                return self._context.publish(changes)
            with self._context.write("redoing the answer") as conn:
                again = study.redo_answer(conn, record, rule)
                if record.uid in self._leech_suspended:
                    study.set_suspended(conn, [record.card_id], True)
                    self._leech_suspended.add(again.uid)
            with self._stacks:
                self._redo.pop()
                self._undo.append(again)
        return self._context.publish(self._log_changed(record, today) | self._leech_moved(record))

    def _leech_moved(self, record: study.AnswerRecord) -> Changes:
        # An answer that suspended its card as a new leech moves the queue when undone.
        return Changes(queue=record.uid in self._leech_suspended)

    @staticmethod
    def _log_changed(record: study.AnswerRecord, today: date) -> Changes:
        # An answer of an earlier day moves that day's counts and the streak.
        other_day = record.study_day != today.isoformat()
        return Changes(cards=frozenset({record.card_id}), reviews=True, queue=other_day)

    def set_suspended(self, card_ids: Sequence[int], suspended: bool) -> Changes:
        """Suspend or unsuspend cards (suspended cards never come up for study); undoable."""
        with self._context.writer:
            action = suspend(self._context, card_ids, suspended)
            if action.card_ids:
                self._push(action)
        return self._context.publish(Changes(cards=frozenset(card_ids), queue=True))


def _label(done: study.AnswerRecord | Reversible) -> str:
    return "Answer" if isinstance(done, study.AnswerRecord) else done.label
