"""The order new cards are introduced in, within a domain (DESIGN.md §5).

Each card gets a rank; a domain's new cards come in (rank, deck position) order, and
domains stay interleaved by exam weight (``core.queue``). By default the rank is the
card's task statement in the manifest's order (1.1 before 1.2; a card without a task
after every task), so a domain is learned task by task, each task in file and card
order. A deck that says ``order: file`` keeps its cards as written: each of its cards
takes the rank of the deck's first card in that domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlstudy.core.exam import ExamManifest

NO_TASK_RANK = 999
"""The rank of a card without a task: after every task statement of its domain."""
ORDER_BY_TASK = "task"
ORDER_AS_WRITTEN = "file"


@dataclass(frozen=True, slots=True)
class OrderedCard:
    """What the order needs to know about a card."""

    domain: int
    task: str | None
    file: str
    order: str = ORDER_BY_TASK


def task_rank(manifest: ExamManifest, domain: int, task: str | None) -> int:
    """A task statement's place in its domain (0 for the first); ``NO_TASK_RANK`` if none."""
    for candidate in manifest.domains:
        if candidate.number == domain:
            ids = candidate.task_ids()
            return ids.index(task) if task in ids else NO_TASK_RANK
    return NO_TASK_RANK


def new_card_ranks(manifest: ExamManifest, cards: Sequence[OrderedCard]) -> list[int]:
    """The rank of each card, in the order given (which is file and card order)."""
    first_in_file: dict[tuple[str, int], int] = {}
    ranks: list[int] = []
    for card in cards:
        rank = task_rank(manifest, card.domain, card.task)
        if card.order == ORDER_AS_WRITTEN:
            rank = first_in_file.setdefault((card.file, card.domain), rank)
        ranks.append(rank)
    return ranks
