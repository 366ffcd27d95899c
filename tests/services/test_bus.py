"""The change bus calls the subscribers of the kinds a change holds, and only those."""

from __future__ import annotations

import pytest

from mlstudy.services.bus import ChangeBus
from mlstudy.services.types import Changes


def test_only_subscribers_of_a_published_kind_are_called() -> None:
    bus = ChangeBus()
    calls: list[str] = []
    bus.subscribe(lambda _c: calls.append("reviews"), "reviews", "restored")
    bus.subscribe(lambda _c: calls.append("settings"), "settings")
    bus.publish(Changes(cards=frozenset({1}), reviews=True))
    bus.publish(Changes(plan=True))
    bus.publish(Changes(restored=True, settings=True))
    assert calls == ["reviews", "reviews", "settings"]


def test_a_misspelt_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="review"):
        ChangeBus().subscribe(lambda _c: None, "review")
