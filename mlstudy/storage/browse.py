"""The Browse search language, compiled to one select over cards LEFT JOIN card_states.

Syntax (terms are ANDed; a leading ``-`` negates a term)::

    rcf kinesis           every word in the question, answer or key (case-insensitive)
    "random cut forest"   a phrase
    domain:3  task:3.2    a domain number, a task code
    tag:streaming         a whole tag
    is:due is:new is:suspended is:archived is:leech
    -is:suspended         negation

Archived cards are hidden unless the query asks for ``is:archived``. ``is:due`` is
about the date only (effective due day on or before today), suspended or not.
Free text is looked up in the ``cards_fts`` full-text index (schema 8): each word of a
term matches the words it begins ("learn" finds "learning"; "xgb" finds "XGBoost", not
"boost"), a phrase's words in order. A term with no letter or digit is matched as a
substring with ``LIKE``. (A trigram index would match inside words too, but looks up
a broad word about six times slower: 29 ms against 5 ms at 100,000 cards.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Connection,
    Integer,
    Select,
    SQLColumnExpression,
    UnaryExpression,
    and_,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)

from mlstudy.core.leech import LEECH_LAPSES
from mlstudy.errors import UserError
from mlstudy.storage.schema import Card, CardState, Placement
from mlstudy.storage.study import EFFECTIVE_DUE

KEYS = ("domain", "task", "tag", "is")
_WORD_RE = re.compile(r"\w")
_TEXT_INDEX = table("cards_fts", column("rowid", Integer))
_FTS_MATCH: ColumnClause[Any] = literal_column("cards_fts")
STATES = ("due", "new", "suspended", "archived", "leech")
_EXAMPLES = {"domain": "domain:3", "task": "task:3.2", "tag": "tag:streaming", "is": "is:due"}
SORTS = ("question", "domain", "task", "due", "interval", "ease", "reviews", "lapses", "key")
"""Columns ``search_ids`` can order by."""
_STATE_SORTS = frozenset({"due", "interval", "ease", "reviews", "lapses"})

NEW_EASINESS = 250
_CHUNK = 500
_Ts = TypeVarTuple("_Ts")
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
            raise UserError(f"{text!r}: unknown state; use " + ", ".join(f"is:{s}" for s in STATES))
        terms.append(Term(text=text, key=key, value=value, negated=bool(negated)))
    return terms


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _condition(term: Term, today: date) -> ColumnElement[bool]:
    # Every condition is TRUE or FALSE, never NULL, so that NOT() of it is exact.
    if term.key == "":
        if _indexed(term.value):
            phrase = '"' + term.value.replace('"', '""') + '"*'
            return Placement.card_id.in_(
                select(_TEXT_INDEX.c.rowid).where(_FTS_MATCH.bool_op("MATCH")(phrase))
            )
        # SQLite's LIKE ignores ASCII case; lower() would add nothing and cost a scan.
        pattern = _like(term.value)
        return or_(
            Card.question.like(pattern, escape="\\"),
            Card.answer.like(pattern, escape="\\"),
            Card.key.like(pattern, escape="\\"),
        )
    if term.key == "domain":
        return Placement.domain == int(term.value)
    if term.key == "task":
        return Placement.task.is_not_distinct_from(term.value)
    if term.key == "tag":
        padded = literal(",") + Card.tags + literal(",")
        return padded.like(_like(f",{term.value},"), escape="\\")
    state = term.value.lower()
    if state == "due":
        return and_(CardState.card_id.is_not(None), today.isoformat() >= EFFECTIVE_DUE)
    if state == "new":
        return Placement.is_new.is_(True)
    if state == "suspended":
        return Placement.suspended.is_(True)
    if state == "leech":
        return and_(CardState.card_id.is_not(None), CardState.lapses >= LEECH_LAPSES)
    return Placement.archived.is_(True)


def _where(exam_id: int, query: str, today: date) -> tuple[list[ColumnElement[bool]], bool]:
    """The WHERE clauses of a query, and whether they read ``card_states``.

    Cards are those placed in the exam (``placements``), with their domain and task there.
    """
    terms = parse_query(query)
    # "IS NOT 1" keeps SQLite off ix_placements_new_order: nearly every card passes it,
    # and walking that index visits the rows in random order, three times slower than
    # the exam's primary-key range (measured on 100,000 cards).
    clauses = [Placement.exam_id == exam_id]
    if not any(t.key == "is" and t.value.lower() == "archived" and not t.negated for t in terms):
        clauses.append(Placement.archived.is_not(True))
    for term in terms:
        condition = _condition(term, today)
        clauses.append(not_(condition) if term.negated else condition)
    return clauses, any(t.key == "is" and t.value.lower() in ("due", "leech") for t in terms)


def _from(
    statement: Select[*_Ts],
    where: list[ColumnElement[bool]],
    with_state: bool,
    with_card: bool = True,
) -> Select[*_Ts]:
    # SQLite keeps an unused join; skipping the cards and their states where nothing
    # reads them makes a plain count three times faster.
    statement = statement.select_from(Placement)
    if with_card:
        statement = statement.join(Card, Card.id == Placement.card_id)
    if with_state:
        statement = statement.outerjoin(CardState, CardState.card_id == Placement.card_id)
    return statement.where(*where)


def _reads_cards(query: str, sort: str | None = None) -> bool:
    """Whether a query (or its sort) reads the ``cards`` table: a tag, a substring
    search, the question or the id; the full-text index and placements answer the rest."""
    if sort in ("question", "key"):
        return True
    return any(
        t.key == "tag" or (t.key == "" and not _indexed(t.value)) for t in parse_query(query)
    )


def _indexed(text: str) -> bool:
    """Whether free text is looked up in the word index (else matched with LIKE)."""
    return bool(_WORD_RE.search(text))


def _sort_column(sort: str) -> SQLColumnExpression[Any]:
    columns: dict[str, SQLColumnExpression[Any]] = {
        "question": Card.question,
        "domain": Placement.domain,
        "task": Placement.task,
        "due": EFFECTIVE_DUE,
        "interval": func.coalesce(CardState.interval_days, 0),
        "ease": func.coalesce(CardState.easiness, NEW_EASINESS),
        "reviews": func.coalesce(CardState.reviews, 0),
        "lapses": func.coalesce(CardState.lapses, 0),
        "key": Card.key,
    }
    if sort not in columns:
        raise ValueError(f"cannot sort by {sort!r}; use one of {', '.join(SORTS)}")
    return columns[sort]


def _order(
    sort: str, column: SQLColumnExpression[Any], card_id: SQLColumnExpression[int], descending: bool
) -> list[UnaryExpression[Any]]:
    if sort == "question":
        column = column.collate("NOCASE")
    # Cards with no task or no due day (new cards) go last in both directions.
    primary = (column.desc() if descending else column.asc()).nulls_last()
    return [primary, card_id.desc() if descending else card_id.asc()]


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
    where, with_state = _where(exam_id, query, today)
    statement = _from(
        select(Placement.card_id),
        where,
        with_state or sort in _STATE_SORTS,
        _reads_cards(query, sort),
    ).order_by(*_order(sort, _sort_column(sort), Placement.card_id, descending))
    if limit is not None or offset:
        statement = statement.limit(-1 if limit is None else limit).offset(offset)
    return [int(card_id) for card_id in conn.execute(statement).scalars()]


def search_page(
    conn: Connection,
    exam_id: int,
    query: str,
    today: date,
    sort: str = "due",
    descending: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> tuple[int, list[int]]:
    """How many cards match, and the ids of one page of them, from one scan of the cards.

    Arguments and errors as for ``search_ids``. The matches are materialised once, then
    counted and sorted: a free-text search reads every card's text only once (twice as
    fast as a count and a sorted page on 100,000 cards).
    """
    if not parse_query(query):
        # Every card: the count comes from an index alone, faster than materialising.
        total = count_matches(conn, exam_id, query, today)
        return total, search_ids(conn, exam_id, query, today, sort, descending, limit, offset)
    where, with_state = _where(exam_id, query, today)
    matches = (
        _from(
            select(Placement.card_id.label("id"), _sort_column(sort).label("sort_key")),
            where,
            with_state or sort in _STATE_SORTS,
            _reads_cards(query, sort),
        ).cte("matches")  # used twice, so SQLite (3.35+) computes it once
    )
    counted = select(func.count()).select_from(matches).scalar_subquery()
    statement = (
        select(matches.c.id, counted)
        .order_by(*_order(sort, matches.c.sort_key, matches.c.id, descending))
        .limit(limit)
        .offset(offset)
    )
    rows = conn.execute(statement).all()
    if rows:
        return int(rows[0][1]), [int(row[0]) for row in rows]
    return (count_matches(conn, exam_id, query, today) if offset else 0), []


def count_matches(conn: Connection, exam_id: int, query: str, today: date) -> int:
    """How many cards match a query (a UserError names a bad term)."""
    where, with_state = _where(exam_id, query, today)
    statement = _from(select(func.count()), where, with_state, _reads_cards(query))
    return conn.execute(statement).scalar_one()


def rows_for(conn: Connection, ids: Sequence[int], exam_id: int) -> list[BrowseRow]:
    """The table rows of some cards, in the order of ``ids``, with their domain and task
    in an exam (unknown ids and cards that do not serve the exam are skipped)."""
    found: dict[int, BrowseRow] = {}
    columns = select(
        Card.id,
        Card.key,
        Card.question,
        Placement.domain,
        Placement.task,
        Card.tags,
        EFFECTIVE_DUE,
        CardState.interval_days,
        CardState.easiness,
        CardState.reviews,
        CardState.lapses,
        Card.suspended,
        Card.archived,
    )
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        where = [Placement.exam_id == exam_id, Placement.card_id.in_(chunk)]
        for row in conn.execute(_from(columns, where, with_state=True)):
            (card_id, key, question, domain, task, tags, due) = row[:7]
            interval, easiness, reviews, lapses, suspended, archived = row[7:]
            found[card_id] = BrowseRow(
                id=card_id,
                key=key,
                question=question,
                domain=domain,
                task=task,
                tags=tuple(tag for tag in tags.split(",") if tag),
                due=due,
                interval=interval or 0,
                easiness=NEW_EASINESS if easiness is None else easiness,
                reviews=reviews or 0,
                lapses=lapses or 0,
                suspended=bool(suspended),
                archived=bool(archived),
            )
    return [found[card_id] for card_id in ids if card_id in found]
