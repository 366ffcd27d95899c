"""Browse: search the current exam's cards with the query language of ``storage.browse``.

Functions that take a ``Library``; each opens one short read-only connection, so they
may run on a worker thread. ``search`` gives the first page and the total fast; a view
that scrolls past it asks ``matching_ids`` once, then ``rows`` a page at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlstudy.services.library import Library
from mlstudy.storage import browse
from mlstudy.storage.browse import SORTS, BrowseRow

__all__ = [
    "SORTS",
    "SYNTAX",
    "BrowseResult",
    "BrowseRow",
    "matching_ids",
    "rows",
    "search",
    "validate",
]

SYNTAX = (
    'words  "a phrase"  domain:3  task:3.2  tag:x  is:due|new|suspended|archived|leech  -negate'
)
"""The query language in one line, for placeholders and help."""


@dataclass(frozen=True, slots=True)
class BrowseResult:
    """One page of a search: how many cards match in all, and the rows of this page."""

    total: int
    rows: list[BrowseRow]


def validate(query: str) -> None:
    """Raise a UserError naming the first bad term of a query; touch nothing."""
    browse.parse_query(query)


def search(
    library: Library,
    query: str,
    sort: str = "due",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> BrowseResult:
    """One page of the cards of the current exam that match ``query``.

    Args:
        library: the open library.
        query: search text; see ``SYNTAX``.
        sort: one of ``SORTS``.
        descending: reverse the order.
        offset: rows to skip.
        limit: rows to return at most.

    Raises:
        UserError: the query has a term that makes no sense (the message names it).
    """
    exam_id, today = library.exam_id(), library.today()
    with library.engine.connect() as conn:
        total, ids = browse.search_page(
            conn, exam_id, query, today, sort, descending, limit, offset
        )
        return BrowseResult(total=total, rows=browse.rows_for(conn, ids, exam_id))


def matching_ids(
    library: Library, query: str, sort: str = "due", descending: bool = False
) -> list[int]:
    """Every matching card id in the order of ``search``: what a scrolled table pages through."""
    exam_id, today = library.exam_id(), library.today()
    with library.engine.connect() as conn:
        return browse.search_ids(conn, exam_id, query, today, sort, descending)


def rows(library: Library, ids: Sequence[int]) -> list[BrowseRow]:
    """Table rows for some card ids, in the same order (ids of no card are skipped)."""
    exam_id = library.exam_id()
    with library.engine.connect() as conn:
        return browse.rows_for(conn, ids, exam_id)
