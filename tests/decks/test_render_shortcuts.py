"""The renderer's shortcuts give exactly what the full path gives.

A plain line skips the parser and the sanitiser, HTML with no link or image skips the
attribute filter, and many fields share one hand-over to the render thread. Each is
compared here with the plain path it replaces: Python-Markdown, then ``nh3.clean``
with the attribute filter, one field at a time.
"""

from __future__ import annotations

import markdown
import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlstudy.decks import limits, markdown_inline, markdown_simple, render
from mlstudy.decks.loader import load_decks
from mlstudy.paths import content_dir


def reference(text: str) -> str:
    """Card markdown to HTML with neither shortcut."""
    html = markdown.markdown(
        text,
        extensions=render._EXTENSIONS,
        extension_configs=render._EXTENSION_CONFIGS,
        output_format="html",
    )
    return str(
        nh3.clean(
            html,
            tags=render._ALLOWED_TAGS,
            attributes=render._ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto", "data"},
            attribute_filter=render._AttributeFilter(),
            link_rel="noopener noreferrer",
        )
    )


WORDS = ["Spark", "job", "S3", "λ", "ümlaut", "1.5", "30 %", "(x)", "a-b", "x/y", "it's", '"q"']
ODD = ["*", "**", "`", "_", "<b>", "&", "\u00a0", "\\", "#", "|", "[a](b)", "1.", " ", "  ", "\t"]
CODE = ["glueetl", "a < b && c", "x_y", "**", "<div>", " pad ", "", "a`b", "q\\"]


@st.composite
def simple_markdown(draw: st.DrawFn, odd: bool) -> str:
    """Card markdown in (or, with ``odd``, near) the simple renderer's part of markdown."""

    def line() -> str:
        parts = []
        for _ in range(draw(st.integers(1, 6))):
            kind = draw(st.sampled_from(["word", "word", "bold", "code"] + ["odd"] * odd))
            if kind == "word":
                parts.append(draw(st.sampled_from(WORDS)))
            elif kind == "bold":
                parts.append(f"**{draw(st.sampled_from(WORDS))}**")
            elif kind == "code":
                parts.append(f"`{draw(st.sampled_from(CODE))}`")
            else:
                parts.append(draw(st.sampled_from(ODD)))
        glue = draw(st.sampled_from([" ", " ", "", ", ", ". "])) if odd else " "
        return glue.join(parts) + draw(st.sampled_from(["", ".", "?", ":"]))

    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            blocks.append("\n".join(f"- {line()}" for _ in range(draw(st.integers(1, 3)))))
        else:
            blocks.append(line())
    return draw(st.sampled_from(["\n\n", "\n"] if odd else ["\n\n"])).join(blocks)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab1 .-*`(\n)<&\u00a0é", max_size=40))
def test_any_text_renders_as_the_full_path_renders_it(text: str) -> None:
    assert render._render_unchecked(text) == reference(text)


@settings(max_examples=400, deadline=None)
@given(simple_markdown(odd=False))
def test_simple_markdown_renders_as_the_full_path_renders_it(text: str) -> None:
    assert render._render_unchecked(text) == reference(text)


@settings(max_examples=400, deadline=None)
@given(simple_markdown(odd=True))
def test_nearly_simple_markdown_renders_as_the_full_path_renders_it(text: str) -> None:
    assert render._render_unchecked(text) == reference(text)


def test_the_simple_renderer_takes_simple_cards_and_only_those() -> None:
    assert render._simple_agrees()
    assert markdown_simple.render("A **Glue** job in `glueetl`.\n\n- one\n- two") == (
        "<p>A <strong>Glue</strong> job in <code>glueetl</code>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    )
    for text in ("1. a list", "# heading", "a *b*", "x\n1. y", "- a\n\n- b", "[a](b)", "a  "):
        assert markdown_simple.render(text) is None, text


def test_the_simple_renderer_is_not_used_where_it_disagrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    render._simple_agrees.cache_clear()
    monkeypatch.setattr(markdown_simple, "PROBES", ("**bold**",))
    monkeypatch.setattr(markdown_simple, "render", lambda text: "<p>wrong</p>")
    try:
        assert not render._simple_agrees()
        assert render._render_unchecked("**bold**") == "<p><strong>bold</strong></p>"
    finally:
        render._simple_agrees.cache_clear()


@pytest.mark.parametrize(
    "text",
    [
        "What is SageMaker?",
        "Which metric: precision or recall?",
        "**Bold** start and `code` end `x`",
        "- `<div>` in a list\n- **b**",
        "Para\n\n- a\n- b\n\nPara",
        "a**b**c and **d**e",
        "`1``1` and `a` `b`",
        "Para\n===",
        "Para\n---",
        "Para\n# heading",
        "Para\n> quote",
        "Para\n1. item",
        "Para\n    code",
        "Para\n- item",
        "Para\n***",
        "Para\n(b) c\nd **e**",
        "Para\nwith two spaces  \nend",
        "1. not plain: a list",
        "- not plain: a list",
        "Ends with two spaces  ",
        "Line one\nline two",
        "<image src='https://example.com/x.png'> becomes an img",
        "<IMG SRC='https://example.com/x.png'> in capitals",
        "<A HREF='javascript:alert(1)'>x</A>",
        "[ok](https://example.com) and [bad](file:///etc/passwd)",
    ],
)
def test_edge_cases_render_as_the_full_path_renders_them(text: str) -> None:
    assert render._render_unchecked(text) == reference(text)


def test_an_image_tag_in_any_spelling_still_meets_the_filter() -> None:
    for tag in ("<image src='https://example.com/x.png'>", "<IMG SRC='https://example.com/x'>"):
        assert "example.com" not in render._render_unchecked(tag)


def test_every_bundled_field_renders_as_the_full_path_renders_it() -> None:
    loaded = load_decks([content_dir() / "mls-c01", content_dir() / "mla-c01"])
    fields = [t for c in loaded.cards for t in (c.card.question, c.card.answer)]
    assert len(fields) > 2000
    assert [render._render_unchecked(t) for t in fields] == [reference(t) for t in fields]


def test_most_bundled_questions_and_many_answers_take_the_simple_path() -> None:
    loaded = load_decks([content_dir() / "mls-c01", content_dir() / "mla-c01"])
    questions = [c.card.question for c in loaded.cards]
    answers = [c.card.answer for c in loaded.cards]
    simple = [markdown_simple.render(t) is not None for t in questions + answers]
    assert sum(simple[: len(questions)]) > 0.8 * len(questions)
    assert sum(simple[len(questions) :]) > 0.3 * len(answers)


def test_a_batch_gives_what_one_at_a_time_gives() -> None:
    texts = [
        "Plain question?",
        "**bold** and `code`",
        "x" * (limits.MAX_CARD_CHARS + 1),
        "[" * 200 + "deep" + "]" * 200,
        "",
    ]
    assert render.render_batch(texts) == [render._render_capped(t, 2.0) for t in texts]


@pytest.mark.usefixtures("stuck_render")
def test_a_slow_field_in_a_batch_is_plain_text_and_the_rest_render() -> None:
    got = render.render_batch(["**one**", "a **stuck** one", "**three**", "four"], 0.05)
    assert [r.problem for r in got] == ["", "rendering took longer than 0.05 s", "", ""]
    assert got[1].html.startswith("<pre class='plain'>a **stuck** one")
    assert got[2].html == "<p><strong>three</strong></p>"
    assert got[3].html == "<p>four</p>"


def stock_parser() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=render._EXTENSIONS,
        extension_configs=render._EXTENSION_CONFIGS,
        output_format="html",
    )


def test_the_card_parser_has_the_inline_shortcut() -> None:
    assert type(render._parser().treeprocessors["inline"]) is markdown_inline.ShortcutInline


def test_an_unknown_inline_pattern_is_always_tried() -> None:
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    parsers = [stock_parser(), stock_parser()]
    for parser in parsers:
        parser.inlinePatterns.register(SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "del", 75)
    assert markdown_inline.install(parsers[1])
    text = "~~gone~~ and **kept** and `~~code~~`"
    assert parsers[1].convert(text) == parsers[0].convert(text)
    assert "<del>gone</del>" in parsers[1].convert(text)


def test_a_shortcut_that_renders_differently_is_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: object, data: str, patternIndex: int = 0) -> str:
        return data  # as if an internal it relies on had changed: no inline markup

    monkeypatch.setattr(markdown_inline.ShortcutInline, "_InlineProcessor__handleInline", broken)
    parser = stock_parser()
    assert not markdown_inline.install(parser)
    assert type(parser.treeprocessors["inline"]).__name__ == "InlineProcessor"
    assert parser.convert("**bold**") == "<p><strong>bold</strong></p>"


def test_a_shortcut_that_fails_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: object, data: str, patternIndex: int = 0) -> str:
        raise AttributeError("_InlineProcessor__applyPattern")

    monkeypatch.setattr(markdown_inline.ShortcutInline, "_InlineProcessor__handleInline", failing)
    parser = stock_parser()
    assert not markdown_inline.install(parser)
    assert parser.convert("`code`") == "<p><code>code</code></p>"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t\n>-*+1.)[](){}<>/`~abc", max_size=120))
def test_the_nesting_bound_is_never_below_the_depth(text: str) -> None:
    assert limits.nesting_depth(text) <= limits.nesting_bound(text)


def test_deep_nesting_is_still_capped() -> None:
    for text in ("(" * 40 + "x", "- " * 40 + "x", "<b>" * 40 + "x", "\t" * 40 + "- x"):
        problem = limits.over_cap(text)
        assert problem is not None and "levels deep" in problem, text
