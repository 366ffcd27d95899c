"""Undoable actions other than answers: what the session's undo stack holds beside them.

An answer is undone through the review log (a tombstone); other actions (suspending
cards, adding or editing a card) know how to reverse themselves. Each runs its own
write and returns the ``Changes`` it made; the session holds the writer lock around
the call and the stack move, so the stacks follow the commit order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mlstudy.services.context import LibraryContext
from mlstudy.services.types import Changes
from mlstudy.storage import study


class Reversible(Protocol):
    """An action that can be undone and done again."""

    @property
    def label(self) -> str:
        """What the action was, for "... undone" messages ("Suspension")."""
        ...

    def undo(self) -> Changes:
        """Reverse the action (one committed write); return what changed."""
        ...

    def redo(self) -> Changes:
        """Do the action again (one committed write); return what changed."""
        ...


@dataclass(frozen=True, slots=True)
class Suspension:
    """Cards whose suspension was set to ``suspended`` (only those it changed)."""

    context: LibraryContext
    card_ids: tuple[int, ...]
    suspended: bool

    @property
    def label(self) -> str:
        """ "Suspension" or "Unsuspension"."""
        return "Suspension" if self.suspended else "Unsuspension"

    def undo(self) -> Changes:
        """Give the cards back the suspension they had."""
        return self._write(not self.suspended)

    def redo(self) -> Changes:
        """Set the suspension again."""
        return self._write(self.suspended)

    def _write(self, suspended: bool) -> Changes:
        with self.context.write("suspending cards") as conn:
            study.set_suspended(conn, list(self.card_ids), suspended)
        return Changes(cards=frozenset(self.card_ids), queue=True)


def suspend(context: LibraryContext, card_ids: Sequence[int], suspended: bool) -> Suspension:
    """Suspend or unsuspend cards in one write; the ``Suspension`` undoes exactly that."""
    with context.write("suspending cards") as conn:
        changing = study.cards_not_suspended_as(conn, list(card_ids), suspended)
        study.set_suspended(conn, changing, suspended)
    return Suspension(context, tuple(changing), suspended)
