"""What must hold for any input from outside, as functions the fuzz tests (and the tests
of later importers) call on what they produced."""

from __future__ import annotations

import re

from mlstudy.decks import limits
from mlstudy.decks.render import Rendered

_ATTRIBUTE_RE = re.compile(r'\s(href|src)="([^"]*)"')
_TAG_RE = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)")
_OPEN_TAG_RE = re.compile(r"<[a-zA-Z][a-zA-Z0-9]*([^>]*)>")
"""A real tag's attribute text: escaped card text (``&lt;span src=...``) is not a tag."""
RENDERED_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "del", "sub", "sup", "code", "pre",
    "kbd", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr",
    "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "a", "span", "div", "img",
}  # fmt: skip


def check_rendered(text: str, rendered: Rendered) -> None:
    """A render is within the caps: over-cap input is plain text with a note, output has
    only allowed tags, links and capped inline images."""
    if limits.over_cap(text) is not None:
        assert rendered.problem, "an input over a cap was rendered"
    if rendered.problem:
        assert rendered.html.startswith("<pre class='plain'>")
        assert "Shown as plain text" in rendered.html
        body = rendered.html.removeprefix("<pre class='plain'>").split("</pre>")[0]
        assert "<" not in body and ">" not in body, "plain text was not escaped"
        assert len(body) <= limits.MAX_CARD_CHARS * 6 + 1  # at most the cap, each char escaped
        return
    for tag in _TAG_RE.findall(rendered.html):
        assert tag.lower() in RENDERED_TAGS, f"tag <{tag}> reached the HTML"
    images = 0
    attributes = " ".join(_OPEN_TAG_RE.findall(rendered.html))
    for name, value in _ATTRIBUTE_RE.findall(attributes):
        if name == "href":
            assert limits.is_link_allowed(value.replace("&amp;", "&")), value
        else:
            size = limits.data_image_bytes(value)
            assert size is not None, f"image source {value[:60]!r} reached the HTML"
            images += size
    assert images <= limits.MAX_IMAGES_BYTES


_OUR_MARKUP_RE = re.compile(
    r"</?(?:span|b|qt)(?:\s+style='[^'<>]*')?>|<br/>|<a href=\"[^\"<>]*\">|</a>"
)


def assert_no_markup_from_text(label: str) -> None:
    """A rich-text label holds only our own markup: card text in it is fully escaped."""
    leftover = _OUR_MARKUP_RE.sub("", label)
    assert "<" not in leftover and ">" not in leftover, leftover
    for href in re.findall(r'<a href="([^"]*)">', label):
        assert limits.is_link_allowed(href.replace("&amp;", "&")), href
