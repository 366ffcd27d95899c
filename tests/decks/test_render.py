"""Rendering is safe: raw HTML is neutralised and nothing can reach the network."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlstudy.decks.render import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<iframe src='https://evil.example/'></iframe>",
    "<img src='https://evil.example/pixel.png' onerror='alert(1)'>",
    "![tracker](https://evil.example/t.gif)",
    "<a href='javascript:alert(1)' onclick='steal()'>click</a>",
    "<div onmouseover='x()' style='background:url(https://evil.example/b.png)'>hover</div>",
    "<object data='https://evil.example/x.swf'></object><embed src='x'>",
    "<link rel=stylesheet href='https://evil.example/s.css'><meta http-equiv=refresh content=0>",
    "<svg><script>alert(1)</script></svg>",
    "<form action='https://evil.example'><input name=x></form>",
    "<style>@import url(https://evil.example/s.css);</style>",
]


@pytest.mark.parametrize("snippet", HOSTILE)
def test_hostile_html_is_neutralised(snippet: str) -> None:
    html = render_markdown(f"Before\n\n{snippet}\n\nAfter").lower()
    for tag in (
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "<link",
        "<meta",
        "<svg",
        "<form",
        "<input",
        "<style",
    ):
        assert tag not in html
    assert not re.search(r"\son\w+\s*=", html), html
    assert "javascript:" not in html
    assert "evil.example" not in html or "<a " not in html
    assert not re.search(r"src=\"?https?:", html)
    assert "style=" not in html
    assert "after" in html


def test_safe_markdown_survives() -> None:
    html = render_markdown(
        "**bold** `code` [AWS](https://docs.aws.amazon.com/)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        "\n\n```python\nx = 1\n```\n\n1. one\n2. two\n"
    )
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert '<a href="https://docs.aws.amazon.com/" rel="noopener noreferrer">AWS</a>' in html
    assert "<table>" in html and "<ol>" in html
    assert 'class="codehilite"' in html and '<span class="n">x</span>' in html


def test_inline_data_image_is_kept_and_remote_dropped() -> None:
    data = (  # a whole 1x1 PNG: images whose size cannot be read are dropped
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
    )
    html = render_markdown(f"![a]({data}) ![b](http://example.com/b.png)")
    assert f'src="{data}"' in html
    assert "example.com" not in html


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                "/",
                "script",
                "img",
                " src=",
                "http://x/",
                " on",
                "load=",
                "a",
                '"',
                "'",
                "javascript:",
                "iframe",
                "\n",
                "`",
                "*",
                "[",
                "](",
                ")",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_fuzzed_html_never_gets_script_or_handlers(text: str) -> None:
    html = render_markdown(text).lower()
    assert "<script" not in html and "<iframe" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html)
    assert not re.search(r"<img[^>]*src=\"?http", html)


def test_a_reused_parser_renders_each_card_as_a_fresh_one_would() -> None:
    """Parsers are kept per thread; nothing of one card may leak into the next."""
    import markdown

    from mlstudy.decks import render

    cards = [
        "```python\nx = 1\n```",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "1. one\n2. two\n\n- x\n- y",
        "Plain *text* with `code` and [a link](https://example.com).",
    ]
    for text in cards + cards[::-1]:
        fresh = markdown.markdown(
            text,
            extensions=render._EXTENSIONS,
            extension_configs=render._EXTENSION_CONFIGS,
            output_format="html",
        )
        parser = render._parser()
        assert parser.convert(text) == fresh
        parser.reset()
