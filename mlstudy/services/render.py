"""Cards as HTML pages for the GUI (sanitised markdown, Pygments code, theme CSS)."""

from __future__ import annotations

import html
from functools import lru_cache

from mlstudy.decks.limits import data_image_bytes, is_link_allowed
from mlstudy.decks.render import code_css, render_markdown
from mlstudy.services.types import CardView

LIGHT = {
    "text": "#1f2328",
    "muted": "#59636e",
    "code_bg": "#f6f8fa",
    "border": "#d1d9e0",
    "link": "#0969da",
}
DARK = {
    "text": "#e6edf3",
    "muted": "#9198a1",
    "code_bg": "#161b22",
    "border": "#3d444d",
    "link": "#4493f8",
}


@lru_cache(maxsize=8)
def _stylesheet(dark: bool, font_size: int) -> str:
    c = DARK if dark else LIGHT
    return f"""
body {{ color: {c["text"]}; font-size: {font_size}px; line-height: 150%; }}
p, li {{ margin-top: 4px; margin-bottom: 4px; }}
a {{ color: {c["link"]}; }}
code {{ font-family: 'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace;
        background-color: {c["code_bg"]}; }}
pre {{ font-family: 'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace;
       font-size: {max(font_size - 2, 9)}px; background-color: {c["code_bg"]};
       padding: 8px; white-space: pre-wrap; }}
table {{ border-collapse: collapse; margin: 6px 0; }}
th, td {{ border: 1px solid {c["border"]}; padding: 4px 8px; }}
hr {{ border: 0; border-top: 1px solid {c["border"]}; }}
.muted {{ color: {c["muted"]}; }}
pre.plain {{ white-space: pre-wrap; }}
{code_css(dark)}
"""


def stylesheet(dark: bool, font_size: int) -> str:
    """The CSS every card and practice page uses."""
    return _stylesheet(dark, font_size)


def markdown_html(text: str) -> str:
    """Sanitised HTML for a fragment of card markdown."""
    return render_markdown(text)


def card_html(card: CardView, show_answer: bool, *, dark: bool = False, font_size: int = 15) -> str:
    """A whole HTML document for a card: the question, and the answer when shown."""
    question = render_markdown(card.question).strip().removeprefix("<p>").removesuffix("</p>")
    parts = [
        f"<html><head><style>{_stylesheet(dark, font_size)}</style></head><body>",
        # Qt's rich text sizes headings by their level and ignores a stylesheet's
        # font-size there: the question is a paragraph sized inline, in step with the
        # answer's font size.
        f"<p class='question' style='font-size: {round(font_size * 1.25)}px; "
        f"font-weight: 600; margin-bottom: 8px'>{question}</p>",
    ]
    if show_answer:
        parts.append("<hr/>")
        parts.append(render_markdown(card.answer))
        if card.source_url:
            url = html.escape(card.source_url, quote=True)
            shown = f'<a href="{url}">{url}</a>' if is_link_allowed(card.source_url) else url
            parts.append(f"<p class='muted'>Source: {shown}</p>")
    parts.append("</body></html>")
    return "".join(parts)


def inline_image_allowed(src: str) -> bool:
    """True for an inline ``data:`` image within the size and pixel caps (what a card view
    may load; anything else, local or remote, is never loaded)."""
    return data_image_bytes(src) is not None


def link_allowed(url: str) -> bool:
    """True for an absolute http(s) URL with a host, or a mailto: address."""
    return is_link_allowed(url)
