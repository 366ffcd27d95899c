"""Fuzzing the deck path: any file bytes parse, load and render within the caps.

Runs with the ``ci`` hypothesis profile in CI (derandomized: the same examples each run).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlstudy.decks import limits
from mlstudy.decks.loader import load_decks
from mlstudy.decks.parser import parse_card_bytes
from mlstudy.decks.render import render_capped
from mlstudy.errors import UserError
from tests.fuzz import strategies
from tests.fuzz.checks import check_rendered


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.card_file_bytes())
def test_any_card_file_parses_into_cards_and_located_problems(data: bytes) -> None:
    parsed = parse_card_bytes(data, "fuzz.md")
    lines = data.count(b"\n") + data.count(b"\r") + 2
    for problem in parsed.problems:
        assert 1 <= problem.line <= lines and problem.path == "fuzz.md"
    for card in parsed.cards:
        assert card.key and card.question and card.answer
        assert card.source == "" or limits.is_source_url(card.source)
        for text in (card.question, card.answer):
            check_rendered(text, render_capped(text))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(strategies.card_texts(), strategies.nested(), strategies.html_fragments()))
def test_any_card_text_renders_within_the_caps(text: str) -> None:
    check_rendered(text, render_capped(text))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(strategies.card_file_bytes(), min_size=1, max_size=4))
def test_any_deck_folder_loads_or_says_why(tmp_path: Path, files: list[bytes]) -> None:
    folder = tmp_path / "decks"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for index, data in enumerate(files):
        (folder / f"deck-{index}.md").write_bytes(data)
    try:
        result = load_decks([], [folder], default_exam="MLS-C01")
    except UserError:
        return
    assert result.files == len(files)
    for problem in [*result.problems, *result.notes]:
        assert str(problem).startswith(str(folder))
