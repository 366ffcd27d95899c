"""``domain: none``: a user deck may say its cards have no domain; nothing else may."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlstudy.core.exam import NO_DOMAIN, parse_manifest
from mlstudy.decks.loader import load_decks
from mlstudy.errors import UserError
from mlstudy.paths import content_dir

CARDS = "## Q one? {#q-one}\n\nA one.\n\n## Q two? {#q-two}\n:task: 3.2\n\nA two.\n"


def pack(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """A copy of the MLS-C01 manifest with the given bundled card files."""
    root = tmp_path / "content" / "mls-c01"
    (root / "cards").mkdir(parents=True)
    shutil.copy(content_dir() / "mls-c01" / "exam.toml", root / "exam.toml")
    for name, text in (files or {}).items():
        (root / "cards" / name).write_text(text, encoding="utf-8")
    return root


def user_deck(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir(exist_ok=True)
    (folder / "mine.md").write_text(text, encoding="utf-8")
    return folder


def test_a_user_deck_with_domain_none_loads_its_cards_with_no_domain(tmp_path: Path) -> None:
    folder = user_deck(tmp_path, "---\ndomain: none\n---\n" + CARDS)
    result = load_decks([pack(tmp_path)], [folder])
    assert [str(p) for p in result.problems] == []
    # A task still decides its card's domain: "none" is the file's default only.
    assert [(c.card.key, c.domain) for c in result.cards] == [("q-one", NO_DOMAIN), ("q-two", 3)]


def test_one_card_may_say_it_has_no_domain(tmp_path: Path) -> None:
    text = "---\ndomain: 3\n---\n## Loose? {#q-loose}\n:domain: None\n\nA.\n" + CARDS
    result = load_decks([pack(tmp_path)], [user_deck(tmp_path, text)])
    assert [str(p) for p in result.problems] == []
    assert {c.card.key: c.domain for c in result.cards} == {
        "q-loose": NO_DOMAIN,
        "q-one": 3,
        "q-two": 3,
    }


def test_a_card_that_omits_its_domain_is_still_an_error(tmp_path: Path) -> None:
    folder = user_deck(tmp_path, "---\ntags: x\n---\n" + CARDS)
    result = load_decks([pack(tmp_path)], [folder])
    assert [str(p) for p in result.problems] == [
        f"{folder / 'mine.md'}:4: error: card has no domain: set 'domain:' in the front "
        "matter or a ':domain:' line ('domain: none' studies it left out of readiness)"
    ]
    assert [c.card.key for c in result.cards] == ["q-two"]


def test_domain_zero_is_not_a_way_to_say_none(tmp_path: Path) -> None:
    folder = user_deck(tmp_path, "---\ndomain: 0\n---\n" + CARDS)
    result = load_decks([pack(tmp_path)], [folder])
    assert f"{folder / 'mine.md'}:2: error: domain must be a domain number such as 3, or none" in (
        str(result.problems[0])
    )
    assert [c.card.key for c in result.cards] == ["q-two"]


def test_a_bundled_pack_may_not_use_domain_none(tmp_path: Path) -> None:
    result = load_decks([pack(tmp_path, {"d.md": "---\ndomain: none\n---\n" + CARDS})])
    assert [str(p) for p in result.problems] == [
        "content/mls-c01/cards/d.md:4: error: domain: none is for your own decks; every card "
        "of an exam pack needs a domain or a task"
    ]
    assert [(c.card.key, c.domain) for c in result.cards] == [("q-two", 3)]


def test_check_content_rejects_none_in_a_bundled_pack(tmp_path: Path) -> None:
    from mlstudy.services.checking import check_content

    root = pack(tmp_path, {"d.md": "---\ndomain: none\n---\n" + CARDS})
    report = check_content([root], str(tmp_path / "data"))
    assert [str(p) for p in report.problems] == [
        "content/mls-c01/cards/d.md:4: error: domain: none is for your own decks; every card "
        "of an exam pack needs a domain or a task"
    ]


def test_a_manifest_may_not_number_a_domain_zero() -> None:
    text = (content_dir() / "mls-c01" / "exam.toml").read_text(encoding="utf-8")
    broken = text.replace("number = 1\n", "number = 0\n", 1)
    assert broken != text
    with pytest.raises(UserError, match=r"domain numbers start at 1 \(0 means no domain\)"):
        parse_manifest(broken, "exam.toml")
