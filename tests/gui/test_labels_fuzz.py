"""Fuzzing the labels: no card text, however hostile, adds markup to a Qt rich-text label."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlstudy.gui.review_page import meta_line
from mlstudy.gui.richtext import as_rich_text
from mlstudy.services import CardView
from tests.fuzz import strategies
from tests.fuzz.checks import assert_no_markup_from_text


def card_view(question: str, tags: list[str], source: str, name: str) -> CardView:
    return CardView(
        id=1,
        key="k",
        question=question,
        answer="a",
        domain=1,
        domain_name=name,
        task="1.2",
        task_title=name,
        tags=tuple(tags),
        source_url=source,
        file="f.md",
        line=1,
        kind="review",
        repetitions=1,
        easiness=2.5,
        interval_days=1,
        due=date(2026, 1, 1),
        exam_due=date(2025, 12, 30),
        suspended=False,
        archived=False,
        reviews=1,
        lapses=0,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    question=st.one_of(strategies.text_pieces(), strategies.html_fragments()),
    tags=st.lists(st.one_of(strategies.text_pieces(), strategies.html_fragments()), max_size=3),
    source=st.one_of(strategies.urls(), strategies.html_fragments()),
    name=strategies.text_pieces(),
)
def test_card_text_never_adds_markup_to_a_label(
    question: str, tags: list[str], source: str, name: str
) -> None:
    assert_no_markup_from_text(meta_line(card_view(question, tags, source, name)))
    assert_no_markup_from_text(as_rich_text(question))
