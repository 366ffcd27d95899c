"""The change bus: caches subscribe to kinds of change and drop what they hold.

Every mutating service call returns ``Changes`` (``services/types.py``) and publishes
it here after its transaction committed; a cache that depends on, say, the review log
subscribes to ``reviews`` and is cleared by any answer, undo or redo. No call site
clears a cache by hand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from mlstudy.services.types import CHANGE_KINDS, Changes


class ChangeBus:
    """Subscribers by kind of change; ``publish`` calls each matching one once."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[frozenset[str], Callable[[Changes], None]]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[Changes], None], *kinds: str) -> None:
        """Call ``callback(changes)`` after every published change of one of ``kinds``."""
        unknown = set(kinds) - set(CHANGE_KINDS)
        if unknown or not kinds:
            raise ValueError(f"unknown kinds of change: {sorted(unknown) or 'none given'}")
        with self._lock:
            self._subscribers.append((frozenset(kinds), callback))

    def publish(self, changes: Changes) -> Changes:
        """Tell the subscribers of any kind in ``changes``; return ``changes``."""
        kinds = changes.kinds()
        with self._lock:
            matching = [cb for wanted, cb in self._subscribers if wanted & kinds]
        for callback in matching:
            callback(changes)
        return changes
