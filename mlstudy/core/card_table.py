"""Cards as numpy columns: what mastery and the card-based progress series read.

One object per card costs most of a second at 100,000 cards; columns cost
milliseconds. ``CardTable.from_snapshots`` builds the same table from
``CardSnapshot`` values (tests, small decks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from mlstudy.core.models import CardSnapshot

IntArray = npt.NDArray[np.int64]
UNSEEN = -1
"""The value of ``repetitions``, ``interval``, ``last_day`` and ``due_day`` for a new card."""
MATURE_INTERVAL_DAYS = 21
"""A card whose interval is at least this many days is mature (Anki's convention)."""


@dataclass(frozen=True)
class CardTable:
    """Columns of equal length, one row per active card.

    Attributes:
        card_id: database ids.
        domain: domain numbers.
        repetitions: SM-2 n (``UNSEEN`` for a new card).
        interval: SM-2 interval in days (``UNSEEN`` for a new card).
        last_day: date ordinal of the last state-changing review (``UNSEEN`` if new).
        due_day: date ordinal of the SM-2 due day (``UNSEEN`` if new).
    """

    card_id: IntArray
    domain: IntArray
    repetitions: IntArray
    interval: IntArray
    last_day: IntArray
    due_day: IntArray

    def __len__(self) -> int:
        return int(self.card_id.size)

    @property
    def reviewed(self) -> npt.NDArray[np.bool_]:
        """True for cards with a review (a state)."""
        return (self.interval >= 0) & (self.last_day >= 0)

    @classmethod
    def from_snapshots(cls, cards: Iterable[CardSnapshot]) -> CardTable:
        """The table of a sequence of snapshots."""
        rows = [
            (
                c.card_id,
                c.domain,
                UNSEEN if c.state is None else c.state.repetitions,
                UNSEEN if c.state is None else c.state.interval_days,
                UNSEEN if c.state is None or c.last_review is None else c.last_review.toordinal(),
                UNSEEN if c.state is None or c.due is None else c.due.toordinal(),
            )
            for c in cards
        ]
        data = np.array(rows, dtype=np.int64).reshape(len(rows), 6)
        return cls(*(np.ascontiguousarray(data[:, i]) for i in range(6)))


def as_table(cards: CardTable | Iterable[CardSnapshot]) -> CardTable:
    """A table as it is, or the table of snapshots."""
    return cards if isinstance(cards, CardTable) else CardTable.from_snapshots(cards)


def due_counts(table: CardTable, today: date, days: int) -> IntArray:
    """Reviewed cards falling due on each of the next ``days`` days, overdue ones on today."""
    if days <= 0 or not len(table):
        return np.zeros(max(days, 0), dtype=np.int64)
    reviewed = table.reviewed & (table.due_day >= 0)
    ahead = np.maximum(table.due_day[reviewed] - today.toordinal(), 0)
    return np.bincount(ahead[ahead < days], minlength=days).astype(np.int64)


def state_counts(table: CardTable, today: date) -> dict[str, int]:
    """New, learning and mature cards, and how many are due today (overlapping)."""
    reviewed = table.reviewed
    young = (table.repetitions <= 2) | (table.interval < MATURE_INTERVAL_DAYS)
    due = reviewed & (table.due_day >= 0) & (table.due_day <= today.toordinal())
    return {
        "new": int(np.count_nonzero(~reviewed)),
        "learning": int(np.count_nonzero(reviewed & young)),
        "mature": int(np.count_nonzero(reviewed & ~young)),
        "due": int(np.count_nonzero(due)),
    }
