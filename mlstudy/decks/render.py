"""Render card markdown to safe HTML: fenced code with Pygments, tables, lists.

Raw HTML in a card is sanitised (no script, iframe, event handlers or styles from
the card), images are dropped unless they are inline ``data:`` URIs, and links keep
only http(s) and mailto targets. Nothing here touches the network.
"""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from pygments.formatters import HtmlFormatter

_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "del",
    "sub",
    "sup",
    "code",
    "pre",
    "kbd",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "span",
    "div",
    "img",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "td": {"align"},
    "th": {"align"},
    "img": {"src", "alt"},
}
_EXTENSIONS = ["fenced_code", "codehilite", "tables", "sane_lists"]
_EXTENSION_CONFIGS = {"codehilite": {"guess_lang": False, "css_class": "codehilite"}}


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        # Remote images would be fetched when shown: only inline data is kept.
        return value if value.startswith("data:image/") else None
    return value


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML (cached: the same card renders once per run)."""
    html = markdown.markdown(
        text, extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
    )
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=_keep_attribute,
        link_rel="noopener noreferrer",
    )


def code_css(dark: bool) -> str:
    """Pygments CSS for the ``codehilite`` blocks in the light or dark theme."""
    style = "monokai" if dark else "friendly"
    return str(HtmlFormatter(style=style).get_style_defs(".codehilite"))
