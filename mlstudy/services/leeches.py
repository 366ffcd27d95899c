"""Leeches for the Progress page: the cards the user keeps failing (``core.leech``)."""

from __future__ import annotations

from collections.abc import Callable

from mlstudy.core.exam import ExamManifest
from mlstudy.services.context import LibraryContext
from mlstudy.storage.leeches import LeechRow, read_leeches

__all__ = ["LeechRow", "LeechService"]


class LeechService:
    """Lists the current exam's leeches."""

    def __init__(
        self, context: LibraryContext, exam: Callable[[], tuple[int, ExamManifest]]
    ) -> None:
        self._context = context
        self._exam = exam

    def cards(self) -> list[LeechRow]:
        """The leeches that are not archived, most lapses first (suspended ones too)."""
        exam_id = self._exam()[0]
        with self._context.read() as conn:
            return read_leeches(conn, exam_id)
