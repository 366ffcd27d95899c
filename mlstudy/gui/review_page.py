"""The Review page: question, answer, six SM-2 grades, undo, and a session summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mlstudy.core.exam import NO_DOMAIN
from mlstudy.core.leech import LEECH_HINT
from mlstudy.core.sm2 import (
    GRADE_MEANINGS,
    GRADE_SM2_MEANINGS,
    PASS_GRADE,
    GradeOutcome,
    is_pass,
    needs_drill,
)
from mlstudy.errors import UserError
from mlstudy.gui.add_card_dialog import AddCardDialog
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.richtext import CardBrowser as _CardBrowser
from mlstudy.gui.richtext import Markup, link, open_link, rich
from mlstudy.gui.shortcuts import bind
from mlstudy.gui.theme import domain_color, is_dark, zoom
from mlstudy.services import CardView, Library
from mlstudy.services.render import card_html

MAX_TEXT_WIDTH = 820
MAX_ANSWER_MS = 5 * 60 * 1000


GRADE_OUTCOME_STYLE = {0: "lapse", 1: "lapse", 2: "lapse", 3: "hard", 4: "pass", 5: "pass"}
"""The colour of each grade button: red for a lapse, amber for a pass that comes back
today (SM-2 drills below 4), green for a pass."""


def interval_label(days: int) -> str:
    """A short interval: "today", "1 d", "6 d", "3.2 mo", "1.4 y"."""
    if days <= 0:
        return "today"
    if days < 60:
        return f"{days} d"
    if days < 365:
        return f"{days / 30.4:.1f} mo"
    return f"{days / 365:.1f} y"


def outcome_label(outcome: GradeOutcome) -> str:
    """The second line of a grade button: when the card comes back."""
    if outcome.interval_days is None:  # a drill answer: the schedule is already set
        return "again today" if outcome.again_today else "done for today"
    interval = interval_label(outcome.interval_days)
    return f"today · {interval}" if outcome.again_today else interval


def grade_tooltip(grade: int) -> str:
    """The SM-2 meaning of a grade and what it does to the card."""
    if grade < PASS_GRADE:
        effect = "A lapse: the card starts over (next interval 1 day) and comes back today."
    elif needs_drill(grade):
        effect = (
            "A pass that comes back today: SM-2 drills a card until it is graded 4 or 5; "
            "the interval grows, the easiness drops."
        )
    else:
        effect = "A pass: the interval grows (1 day, 6 days, then times the easiness)."
    return f"Grade {grade}: {GRADE_SM2_MEANINGS[grade]}. {effect} Key {grade}."


class CardBrowser(_CardBrowser):
    """The card view of the Review page (takes no keyboard focus: keys grade)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)


class ReviewPage(QWidget):
    """Shows today's queue one card at a time; keyboard: Space/Enter, 0-5, Ctrl+Z, Esc."""

    session_finished = Signal()

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self.card: CardView | None = None
        self.answer_shown = False
        self._timer = QElapsedTimer()
        self._session_started = 0.0
        self._last_answer_at = 0.0
        self.clock: Callable[[], float] = time.monotonic
        """The session clock (seconds); tests set their own."""
        """When the session's last answer was given: the summary's clock stops there."""
        # (card id, grade) of this session's answers; undo moves the last one to the
        # redo list and redo moves it back, so the summary counts what is in the log.
        self._session_log: list[tuple[int, int]] = []
        self._session_redo: list[tuple[int, int]] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self._shortcuts()

    # ----- layout --------------------------------------------------------------------

    def _build(self) -> None:
        self.progress = QLabel()
        self.progress.setObjectName("reviewProgress")
        self.meta = QLabel()
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        self.meta.setOpenExternalLinks(False)
        self.meta.linkActivated.connect(open_link)
        self.meta.setWordWrap(True)
        self.leech_hint = QLabel(LEECH_HINT)
        self.leech_hint.setObjectName("leechHint")
        self.leech_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.leech_hint.setStyleSheet("color: #bf8700; font-weight: 600")
        self.leech_hint.setToolTip("A leech: this card has been failed 8 times or more")
        self.leech_hint.hide()
        self.browser = CardBrowser()
        self.browser.setMaximumWidth(MAX_TEXT_WIDTH)
        self.browser.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.show_button = QPushButton("Show answer  (Space)")
        self.show_button.setMinimumHeight(52)
        self.show_button.setProperty("primary", True)
        self.show_button.clicked.connect(self.show_answer)
        self.grade_buttons: list[QPushButton] = []
        grades = QHBoxLayout()
        grades.setSpacing(6)
        for grade in range(6):
            button = QPushButton(f"{grade} · {GRADE_MEANINGS[grade]}")
            button.setMinimumHeight(52)
            button.setMinimumWidth(60)
            # Equal widths whatever the text: every button gets the same share.
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setProperty("outcome", GRADE_OUTCOME_STYLE[grade])
            button.setToolTip(grade_tooltip(grade))
            button.clicked.connect(lambda _=False, g=grade: self.grade(g))
            self.grade_buttons.append(button)
            grades.addWidget(button, 1)
        self.grade_row = QWidget()
        self.grade_row.setLayout(grades)
        # One stack for "Show answer" and the grades: flipping it does not re-lay out
        # the page the way hiding and showing widgets does.
        self.answer_controls = QStackedWidget()
        self.answer_controls.addWidget(self.show_button)
        self.answer_controls.addWidget(self.grade_row)
        self.answer_controls.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        card_view = QWidget()
        column = QVBoxLayout(card_view)
        column.addWidget(self.meta)
        column.addWidget(self.leech_hint)
        center = QHBoxLayout()
        center.addStretch(1)
        center.addWidget(self.browser, 100)
        center.addStretch(1)
        column.addLayout(center, 1)
        column.addWidget(self.answer_controls)

        self.summary = QLabel()
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.back_button = QPushButton("Back to Today  (Esc)")
        self.back_button.clicked.connect(lambda: self.bus.navigate_requested.emit("today"))
        summary_view = QWidget()
        summary_layout = QVBoxLayout(summary_view)
        summary_layout.addStretch(1)
        summary_layout.addWidget(self.summary)
        summary_layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignCenter)
        summary_layout.addStretch(2)

        self.stack = QStackedWidget()
        self.stack.addWidget(card_view)
        self.stack.addWidget(summary_view)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.stack, 1)

    def _shortcuts(self) -> None:
        # Window-wide, so the keys work wherever focus is (after Tab moved it to the
        # sidebar, say); Qt only fires a shortcut of a visible widget, so they act while
        # the Review page is on screen and nowhere else.
        window = Qt.ShortcutContext.WindowShortcut
        for key in ("Space", "Return", "Enter"):
            bind(self, key, self.show_answer, "Show the answer", window)
        for grade in range(6):
            bind(
                self,
                str(grade),
                partial(self.grade, grade),
                "Grade the card (SM-2: 0 blackout … 5 perfect)",
                window,
            )
        bind(self, "Ctrl+E", self.edit_card, "Edit the card", window)
        bind(self, "Ctrl+Z", self.undo, "Undo the last answer (or suspension, added card)", window)
        bind(self, "Ctrl+Shift+Z", self.redo, "Redo", window)
        bind(self, "Ctrl+Y", self.redo, "Redo", window)
        bind(
            self,
            "Escape",
            lambda: self.bus.navigate_requested.emit("today"),
            "Back to Today",
            window,
        )

    # ----- session -------------------------------------------------------------------

    def start(self) -> CardView | None:
        """Begin (or continue) today's session: show the next card or the summary."""
        if not self._session_started:
            self._session_started = self.clock()
        self.show_next()
        return self.card

    def show_next(self) -> None:
        """Load the next card of today's queue."""
        self.show_card(self.library.next_card())

    def show_card(self, card: CardView | None) -> None:
        """Show a card's question (or the session summary when there is none)."""
        self.card = card
        self.answer_shown = False
        if card is None:
            self._show_summary()
            return
        self.stack.setCurrentIndex(0)
        self._render()
        self._timer.start()
        self.setFocus()

    def show_answer(self) -> None:
        """Reveal the answer and the grade buttons with their intervals."""
        if self.card is None or self.answer_shown:
            return
        self.answer_shown = True
        self._render(progress=False)

    def grade(self, grade: int) -> None:
        """Record a grade for the shown card and move on."""
        if self.card is None or not self.answer_shown:
            return
        elapsed = min(self._timer.elapsed(), MAX_ANSWER_MS)
        card = self.card
        try:
            changes = self.library.answer(card.id, grade, answer_ms=elapsed)
        except UserError as exc:
            self.bus.status_message.emit(str(exc))
            return
        self._session_log.append((card.id, grade))
        self._session_redo.clear()
        self._last_answer_at = self.clock()
        self.bus.publish(changes)
        if not card.is_leech:
            after = self.library.card(card.id)
            if after.is_leech:
                suspended = " It is suspended, as Settings ask." if after.suspended else ""
                self.bus.status_message.emit(
                    f"That card is now a leech: {LEECH_HINT[0].lower()}{LEECH_HINT[1:]}{suspended}"
                )
        self.show_next()

    def edit_card(self) -> None:
        """Edit the shown card (Ctrl+E), then show it again as saved."""
        if self.card is None:
            return
        dialog = AddCardDialog(self.library, self.bus, self, editing=self.card)
        if dialog.exec():
            self.show_card(self.library.card(self.card.id, kind=self.card.kind))

    def undo(self) -> None:
        """Undo the last answer and show that card again (or the last other action)."""
        card_id = self.library.last_undo_card()
        label = self.library.session.undo_label()
        changes = self.library.undo()
        if changes is None:
            self.bus.status_message.emit("Nothing to undo")
            return
        if card_id is None:  # a suspension, an added or edited card
            self.bus.publish(changes)
            self.bus.status_message.emit(f"Undone: {(label or 'the last action').lower()}")
            self.show_next()
            return
        grade = None
        if self._session_log and self._session_log[-1][0] == card_id:
            grade = self._session_log[-1][1]
            self._session_redo.append(self._session_log.pop())
        self.bus.publish(changes)
        self.bus.status_message.emit(undo_message(self.library.card(card_id).question, grade))
        self.show_card(self.library.card(card_id, kind=self._kind_of(card_id)))

    def redo(self) -> None:
        """Redo the last undone answer."""
        changes = self.library.redo()
        if changes is None:
            self.bus.status_message.emit("Nothing to redo")
            return
        if self._session_redo and self._session_redo[-1][0] in changes.cards:
            self._session_log.append(self._session_redo.pop())
        self.bus.publish(changes)
        self.bus.status_message.emit("Answer redone")
        self.show_next()

    def _kind_of(self, card_id: int) -> str:
        card = self.library.card(card_id)
        return card.kind

    # ----- drawing -------------------------------------------------------------------

    def _render(self, progress: bool = True) -> None:
        card = self.card
        assert card is not None
        settings = self.library.settings()
        dark = is_dark(settings["theme"])
        self.browser.setHtml(
            card_html(
                card,
                self.answer_shown,
                dark=dark,
                font_size=round(int(settings["font_size"]) * zoom()),
            )
        )
        if progress:
            self._show_progress()
        self._show_meta(card)
        self.leech_hint.setVisible(card.is_leech)
        self.answer_controls.setCurrentIndex(1 if self.answer_shown else 0)
        if self.answer_shown:
            for outcome, button in zip(
                self.library.grade_outcomes(card.id), self.grade_buttons, strict=True
            ):
                button.setText(
                    f"{outcome.grade} · {GRADE_MEANINGS[outcome.grade]}\n{outcome_label(outcome)}"
                )

    def _show_progress(self) -> None:
        counts = self.library.counts()
        focus = self.library.focus_domain()
        scope = f"Domain {focus} only  ·  " if focus is not None else ""
        self.progress.setText(
            f"{scope}{counts.due + counts.new} left today  ·  {counts.drill} in drill  ·  "
            f"{len(self._session_log)} answered this session"
        )

    def _show_meta(self, card: CardView) -> None:
        self.meta.setText(meta_line(card, self.library.practice.card_reason(card.id)))

    def _show_summary(self) -> None:
        self.stack.setCurrentIndex(1)
        counts = self.library.counts()
        spent = self.session_time()
        tomorrow = self.library.due_by(counts.day + timedelta(days=1))
        answers = len(self._session_log)
        passes = sum(is_pass(grade) for _card, grade in self._session_log)
        cards = len({card for card, _grade in self._session_log})
        rate = f"{100 * passes / answers:.0f} %" if answers else "–"
        self.progress.setText("Done for today")
        self.summary.setText(
            "<h2>All done for today</h2>"
            f"<p>{cards} cards, {answers} answers · "
            f"pass rate {rate} · time {spent}</p>"
            f"<p>Due tomorrow: {tomorrow} · streak {counts.streak} "
            f"day{'' if counts.streak == 1 else 's'}</p>"
            "<p>Want more? Today offers Learn 10 more and Review ahead (Esc).</p>"
        )
        self.session_finished.emit()
        self.setFocus()

    def session_time(self) -> timedelta:
        """From the session's start to its last answer (zero before the first answer)."""
        if not self._session_log or not self._session_started:
            return timedelta()
        return timedelta(seconds=round(self._last_answer_at - self._session_started))

    def current_html(self) -> str:
        """The card view's HTML (tests and the smoke test)."""
        return str(self.browser.toHtml())

    def text(self) -> str:
        """The card view's plain text (tests and the smoke test)."""
        return str(self.browser.toPlainText())


def undo_message(question: str, grade: int | None) -> str:
    """What an undone answer was: "Undone: 4 · Good on “What is recall?”"."""
    words = " ".join(question.split())
    short = words if len(words) <= 60 else words[:59] + "…"
    answer = f"{grade} · {GRADE_MEANINGS[grade]}" if grade is not None else "your answer"
    return f"Undone: {answer} on “{short}”; the card is shown again"


def meta_line(card: CardView, practice_reason: str | None = None) -> Markup:
    """The details line above a card: domain, task, kind, tags, source, why it is shown.

    Tags, source and names come from deck files: every one is escaped, and the source
    is a link only when it is an http(s) URL.
    """
    kind = {"new": "New card", "review": "Review", "drill": "Drill"}.get(card.kind, "")
    task = rich(" · Task {task} {title}", task=card.task, title=card.task_title)
    heading = (
        rich("{name} (left out of readiness)", name=card.domain_name)
        if card.domain == NO_DOMAIN
        else rich("{number}. {name}", number=card.domain, name=card.domain_name)
    )
    line = rich(
        "<span style='color:{color}'>■</span> <b>{heading}</b>{task}<br/>"
        "<span>{kind}{tags}{source}</span>",
        color=domain_color(card.domain),
        heading=heading,
        task=task if card.task else Markup(),
        kind=kind,
        tags=rich(" · {tags}", tags=", ".join(card.tags)) if card.tags else Markup(),
        source=rich(" · {a}", a=link(card.source_url, "source")) if card.source_url else Markup(),
    )
    if card.exam_due:
        line = rich(
            "{line}<br/><span>Pulled in to {exam_due} so it is reviewed in the final week "
            "before the exam (SM-2 would show it on {due}).</span>",
            line=line,
            exam_due=card.exam_due,
            due=card.due,
        )
    if practice_reason:
        later = rich(" (SM-2 would show it on {due})", due=card.due) if card.due else Markup()
        line = rich(
            "{line}<br/><span>Shown now: {reason}{later}.</span>",
            line=line,
            reason=practice_reason,
            later=later,
        )
    return line
