"""The Browse search language, compiled to one select over cards LEFT JOIN card_states.

Syntax (terms are ANDed; a leading ``-`` negates a term)::

    rcf kinesis           every word in the question, answer or key (case-insensitive)
    "random cut forest"   a phrase
    domain:3  task:3.2    a domain number, a task code
    tag:streaming         a whole tag
    is:due is:new is:suspended is:archived
    -is:suspended         negation

Archived cards are hidden unless the query asks for ``is:archived``. ``is:due`` is
about the date only (effective due day on or before today), suspended or not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    func,
    literal,
    not_,
    or_,
    select,
)

from mlstudy.errors import UserError
from mlstudy.storage.schema import Card, CardState
from mlstudy.storage.study import EFFECTIVE_DUE

KEYS = ("domain", "task", "tag", "is")
STATES = ("due", "new", "suspended", "archived")
_EXAMPLES = {"domain": "domain:3", "task": "task:3.2", "tag": "tag:streaming", "is": "is:due"}
SORTS = ("question", "domain", "task", "due", "interval", "ease", "reviews", "lapses", "key")
"""Columns ``search_ids`` can order by."""

NEW_EASINESS = 250
_CHUNK = 500
# One term: optional "-", optional "key:", then a quoted phrase (closing quote optional)
# or a bare word. Keys are letters only, so "s3:GetObject" stays a word.
_TERM = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)"?|(\S*))')


@dataclass(frozen=True, slots=True)
class Term:
    """One parsed search term: ``key`` is "" for free text."""

    text: str
    key: str
    value: str
    negated: bool


@dataclass(frozen=True, slots=True)
class BrowseRow:
    """One line of the Browse table. State fields are None/0 for a card never reviewed."""

    id: int
    key: str
    question: str
    domain: int
    task: str | None
    tags: tuple[str, ...]
    due: str | None
    interval: int
    easiness: int  # hundredths: 250 = 2.5
    reviews: int
    lapses: int
    suspended: bool
    archived: bool


def parse_query(query: str) -> list[Term]:
    """Split a query into terms; a UserError names the first term that makes no sense."""
    terms = []
    for match in _TERM.finditer(query):
        negated, key, phrase, word = match.groups()
        value = phrase if phrase is not None else word
        text = match.group(0)
        if key is None and not value:
            continue  # whitespace, a lone "-" or an empty ""
        key = (key or "").lower()
        if key and key not in KEYS:
            raise UserError(
                f"unknown search key '{key}:' in {text!r}: use domain:, task:, tag: or is: "
                f'(put text with a colon in quotes, like "{text.lstrip("-")}")'
            )
        if key and not value:
            raise UserError(f"{text!r}: {key}: needs a value, like {_EXAMPLES[key]}")
        if key == "domain" and not value.isdigit():
            raise UserError(f"{text!r}: the domain is a number, like domain:3")
        if key == "is" and value.lower() not in STATES:
            raise UserError(
                f"{text!r}: unknown state; use " + ", ".join(f"is:{s}" for s in STATES)
            )
        terms.append(Term(text=text, key=key, value=value, negated=bool(negated)))
    return terms



def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _condition(term: Term, today: date) -> ColumnElement[bool]:
    # Every condition is TRUE or FALSE, never NULL, so that NOT() of it is exact.
    if term.key == "":
        # SQLite's LIKE ignores ASCII case; lower() would add nothing and cost a scan.
        pattern = _like(term.value)
        return or_(
            Card.question.like(pattern, escape="\\"),
            Card.answer.like(pattern, escape="\\"),
            Card.key.like(pattern, escape="\\"),
        )
    if term.key == "domain":
        return Card.domain == int(term.value)
    if term.key == "task":
        return Card.task.is_not_distinct_from(term.value)
    if term.key == "tag":
        padded = literal(",") + Card.tags + literal(",")
        return padded.like(_like(f",{term.value},"), escape="\\")
    state = term.value.lower()
    if state == "due":
        return and_(CardState.card_id.is_not(None), EFFECTIVE_DUE <= today.isoformat())
    if state == "new":
        return Card.is_new.is_(True)
    if state == "suspended":
        return Card.suspended.is_(True)
    return Card.archived.is_(True)


def _where(exam_id: int, query: str, today: date) -> list[ColumnElement[bool]]:
    terms = parse_query(query)
    clauses = [Card.exam_id == exam_id]
    if not any(t.key == "is" and t.value.lower() == "archived" and not t.negated for t in terms):
        clauses.append(Card.archived.is_(False))
    for term in terms:
        condition = _condition(term, today)
        clauses.append(not_(condition) if term.negated else condition)
    return clauses


def _base(columns: Sequence[ColumnElement[object]], where: list[ColumnElement[bool]]) -> Select[
    tuple[object, ...]
]:
    return (
        select(*columns)
        .select_from(Card)
        .outerjoin(CardState, CardState.card_id == Card.id)
        .where(*where)
    )


def _order(sort: str, descending: bool) -> list[ColumnElement[object]]:
    columns: dict[str, ColumnElement[object]] = {
        "question": Card.question.collate("NOCASE"),
        "domain": Card.domain,
        "task": Card.task,
        "due": EFFECTIVE_DUE,
        "interval": func.coalesce(CardState.interval_days, 0),
        "ease": func.coalesce(CardState.easiness, NEW_EASINESS),
        "reviews": func.coalesce(CardState.reviews, 0),
        "lapses": func.coalesce(CardState.lapses, 0),
        "key": Card.key,
    }
    if sort not in columns:
        raise ValueError(f"cannot sort by {sort!r}; use one of {', '.join(SORTS)}")
    column = columns[sort]
    # Cards with no task or no due day (new cards) go last in both directions.
    primary = (column.desc() if descending else column.asc()).nulls_last()
    tie = Card.id.desc() if descending else Card.id.asc()
    return [primary, tie]


def search_ids(
    conn: Connection,
    exam_id: int,
    query: str,
    today: date,
    sort: str = "due",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[int]:
    """Ids of the cards that match a query, in the requested order.

    Args:
        conn: an open connection.
        exam_id: the exam whose cards are searched.
        query: the search text (see the module docstring).
        today: the study day ``is:due`` compares with.
        sort: one of ``SORTS``; ties are broken by card id.
        descending: reverse the order (cards without the value still come last).
        limit: at most this many ids (all when None).
        offset: skip this many first.

    Raises:
        UserError: the query has a term that makes no sense.
        ValueError: ``sort`` is not one of ``SORTS``.
    """
    statement = _base([Card.id], _where(exam_id, query, today)).order_by(
        *_order(sort, descending)
    )
    if limit is not None or offset:
        statement = statement.limit(-1 if limit is None else limit).offset(offset)
    return [int(card_id) for card_id in conn.execute(statement).scalars()]


def count_matches(conn: Connection, exam_id: int, query: str, today: date) -> int:
    """How many cards match a query (a UserError names a bad term)."""
    statement = _base([func.count()], _where(exam_id, query, today))
    return int(conn.execute(statement).scalar_one())


def rows_for(conn: Connection, ids: Sequence[int]) -> list[BrowseRow]:
    """The table rows of some cards, in the order of ``ids`` (unknown ids are skipped)."""
    found: dict[int, BrowseRow] = {}
    columns = [
        Card.id,
        Card.key,
        Card.question,
        Card.domain,
        Card.task,
        Card.tags,
        EFFECTIVE_DUE,
        CardState.interval_days,
        CardState.easiness,
        CardState.reviews,
        CardState.lapses,
        Card.suspended,
        Card.archived,
    ]
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        for row in conn.execute(_base(columns, [Card.id.in_(chunk)])):
            found[row[0]] = BrowseRow(
                id=int(row[0]),
                key=str(row[1]),
                question=str(row[2]),
                domain=int(row[3]),
                task=row[4],
                tags=tuple(tag for tag in str(row[5]).split(",") if tag),
                due=row[6],
                interval=int(row[7] or 0),
                easiness=int(row[8] if row[8] is not None else NEW_EASINESS),
                reviews=int(row[9] or 0),
                lapses=int(row[10] or 0),
                suspended=bool(row[11]),
                archived=bool(row[12]),
            )
    return [found[card_id] for card_id in ids if card_id in found]
