"""Exam packs: which there are, which one is selected, switching between them.

Each pack keeps its own exam date, budget, days off, plan and practice history; the
card history is one, counted for every pack a card serves (``placements``). Switching
saves the selection and recomputes the exam-aware due days for the new exam date.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from mlstudy.errors import UnknownExamError, UserError
from mlstudy.services.types import Changes
from mlstudy.storage.schema import Exam

if TYPE_CHECKING:
    from mlstudy.services.library import Library


@dataclass(frozen=True, slots=True)
class ExamInfo:
    """One exam pack as the exam list shows it."""

    code: str
    name: str
    status: str
    """``active``, ``retiring`` or ``retired``."""
    retired_on: str | None
    status_note: str
    cards: int
    """Cards that serve this exam (its own and those mapped in from other packs)."""
    shared_cards: int
    """Of ``cards``, those written in another pack."""
    questions: int
    selected: bool

    @property
    def can_be_taken(self) -> bool:
        """Whether the exam can still be booked."""
        return self.status != "retired"

    def label(self) -> str:
        """ "MLA-C01 – AWS Certified … (retired 2026-03-31)": a line for a picker."""
        if self.status == "retired":
            state = f" (retired {self.retired_on})" if self.retired_on else " (retired)"
        elif self.status == "retiring":
            state = f" (retiring {self.retired_on})" if self.retired_on else " (retiring)"
        else:
            state = ""
        return f"{self.code} – {self.name}{state}"


def list_exams(library: Library) -> list[ExamInfo]:
    """Every exam pack in the library, by code, with its card and question counts."""
    selected = library.exam().code
    counts = library.content.pack_counts()
    with library.context.read() as conn:
        exams = conn.execute(
            select(
                Exam.id, Exam.code, Exam.name, Exam.status, Exam.retired_on, Exam.status_note
            ).order_by(Exam.code)
        ).all()
    return [
        ExamInfo(
            code=exam.code,
            name=exam.name,
            status=exam.status,
            retired_on=exam.retired_on,
            status_note=exam.status_note,
            cards=counts.get(exam.id, (0, 0, 0))[0],
            shared_cards=counts.get(exam.id, (0, 0, 0))[1],
            questions=counts.get(exam.id, (0, 0, 0))[2],
            selected=exam.code == selected,
        )
        for exam in exams
    ]


def resolve_code(library: Library, code: str) -> str:
    """The library's spelling of an exam code (any case), or a UserError naming them all."""
    codes = library.exam_codes()
    found = next((c for c in codes if c.lower() == code.strip().lower()), None)
    if found is None:
        raise UnknownExamError(
            f"unknown exam {code!r}; the exam packs are: {', '.join(codes) or 'none'}"
        )
    return found


def override_exam(library: Library, code: str) -> None:
    """Act on exam pack ``code`` until the library closes, leaving the saved selection
    alone (``--exam``); an ``UnknownExamError`` lists the codes."""
    library.settings_service.exam_override = resolve_code(library, code)
    library.context.publish(Changes(settings=True, plan=True, queue=True))


def settle_selection(library: Library) -> None:
    """Save the selection once a new library has packs: the first pack that can still be
    taken; user decks that name no exam stay with it for good."""
    settings = library.settings_service
    if settings.stored_value("exam") or not library.has_content():
        return
    code = library.exam().code
    values = {"exam": code}
    if not settings.stored_value("deck_exam"):
        values["deck_exam"] = code
    settings.update(**values)


def select_exam(library: Library, code: str) -> Changes:
    """Make ``code`` the selected exam pack (kept in the library); a UserError names an
    unknown code. The exam-aware due days follow the new exam's date."""
    found = resolve_code(library, code)
    if library.settings_service.exam_override is not None:
        raise UserError("--exam picks an exam for one run; leave it out to switch exams")
    if found == library.exam().code and library.settings_service.stored_value("exam"):
        return Changes()
    library.set_focus_domain(None)  # a domain of the other exam means nothing here
    with library.context.writer:
        before = library.plans.rule()
        changes = library.settings_service.update(exam=found)
        if library.plans.rule() != before:  # another exam date or other days off
            changes |= library.plans.reschedule()
    return changes


def timed_switch(library: Library, code: str) -> float:
    """Switch exams and read the new exam's Today counts; the seconds it took."""
    start = time.perf_counter()
    select_exam(library, code)
    library.counts()
    return time.perf_counter() - start
