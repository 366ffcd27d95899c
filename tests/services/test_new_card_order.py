"""New cards within a domain: task statement order, then file and card order."""

from __future__ import annotations

from pathlib import Path

from mlstudy.services import Library
from tests.conftest import FakeClock

# Written out of task order, as decks often are.
MIXED = """---
domain: 1
---

## Third task card {#o-13}
:task: 1.3

C.

## No task at all {#o-none}

N.

## Second task card {#o-12a}
:task: 1.2

B1.

## First task card {#o-11}
:task: 1.1

A.
"""

LATER = """---
domain: 1
task: 1.2
---

## Another second task card {#o-12b}

B2.
"""

AS_WRITTEN = """---
domain: 1
order: file
---

## Written first {#w-13}
:task: 1.3

W1.

## Written second {#w-11}
:task: 1.1

W2.
"""


def new_order(library: Library, count: int) -> list[str]:
    """The keys of the next ``count`` new cards of domain 1, answering each."""
    library.set_focus_domain(1)
    library.update_settings(new_per_day=100)
    keys: list[str] = []
    for _ in range(count):
        card = library.next_card()
        assert card is not None
        keys.append(card.key)
        library.answer(card.id, 5)
    return keys


def make_pack(pack: Path, files: dict[str, str]) -> None:
    cards = pack / "mls-c01" / "cards"
    for old in cards.glob("*.md"):
        old.unlink()
    for name, text in files.items():
        (cards / name).write_text(text, encoding="utf-8")


def test_new_cards_follow_task_order_then_file_and_card_order(
    tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    make_pack(pack, {"a.md": MIXED, "b.md": LATER})
    with Library.open(tmp_path / "data", clock=clock, content_root=pack) as library:
        assert new_order(library, 5) == ["o-11", "o-12a", "o-12b", "o-13", "o-none"]


def test_a_card_added_later_takes_its_task_place(
    tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    make_pack(pack, {"b.md": LATER})
    with Library.open(tmp_path / "data", clock=clock, content_root=pack) as library:
        (pack / "mls-c01" / "cards" / "a.md").write_text(MIXED, encoding="utf-8")
        library.sync_content()
        # The 1.1 card comes first though it was added after b.md; 1.2 keeps deck order.
        assert new_order(library, 3) == ["o-11", "o-12b", "o-12a"]


def test_a_deck_may_keep_its_own_order(tmp_path: Path, pack: Path, clock: FakeClock) -> None:
    make_pack(pack, {"a.md": MIXED, "w.md": AS_WRITTEN})
    with Library.open(tmp_path / "data", clock=clock, content_root=pack) as library:
        # w.md's cards stay as written, at the place of its first card (task 1.3).
        assert new_order(library, 6) == ["o-11", "o-12a", "o-13", "w-13", "w-11", "o-none"]


def test_changing_a_decks_order_reorders_its_new_cards(
    tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    make_pack(pack, {"w.md": AS_WRITTEN})
    with Library.open(tmp_path / "data", clock=clock, content_root=pack) as library:
        (pack / "mls-c01" / "cards" / "w.md").write_text(
            AS_WRITTEN.replace("order: file\n", ""), encoding="utf-8"
        )
        library.sync_content()
        assert new_order(library, 2) == ["w-11", "w-13"]
