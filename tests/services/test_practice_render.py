"""Practice HTML: plain prose skips the markdown parser and reads the same."""

from __future__ import annotations

import pytest

from mlstudy.decks.render import render_markdown
from mlstudy.services.practice_render import _block, _inline


@pytest.mark.parametrize(
    "text",
    [
        "Right: Firehose converts JSON to Parquet itself; no consumer code or cluster to run.",
        'Wrong: 99 % accuracy by predicting "no fraud" & nothing else.',
        "A retailer sends 5,000 events per second.\n\nWhich solution meets these requirements?",
    ],
)
def test_plain_prose_renders_as_markdown_would(text: str) -> None:
    assert _block(text) == render_markdown(text).replace("\n", "")
    if "\n\n" not in text:
        assert _inline(text) == render_markdown(text).removeprefix("<p>").removesuffix("</p>")


def test_markup_still_goes_through_markdown_and_is_sanitised() -> None:
    assert _inline("Use `ml.m5.large` for **this**") == (
        "Use <code>ml.m5.large</code> for <strong>this</strong>"
    )
    assert "<script" not in _block("Stem <script>alert(1)</script>\n\n- a list")
    assert "<li>" in _block("Stem\n\n- a list")
