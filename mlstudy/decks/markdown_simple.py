"""The simplest card markdown, rendered without Python-Markdown.

Most cards are written in a small part of markdown: paragraphs, ``**bold**`` words,
``code`` spans, and lists of one-line ``- `` items. For text made only of those
(``render`` says None to anything else), the HTML Python-Markdown and the sanitiser
make of it is fixed, and is built here directly, about twenty times faster.

The rules are kept narrow on purpose. Every line starts with a letter, a bracket and a
letter, bold or code (never a digit, marker or indentation, so no line can open a
heading, list, quote, rule or code block), and none ends in a space. Bold is a run of
plain text between ``**`` pairs with a space or a bracket outside; code holds no
backtick or backslash; nothing outside code is a character that markdown, HTML or the
sanitiser reads (``* _ ` [ ] < > & \\ |``, controls, no-break space). ``agrees``
checks a set of probes against the full path; ``decks.render`` uses this renderer only
when it does, and tests hold it equal to the full path on random text and on every
bundled card.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PLAIN = r"[^\x00-\x1f\x7f\x85\xa0\u2028\u2029*_`\[\]<>&\\|]"
"""A character no markdown rule, HTML parser or sanitiser reads outside code."""
_TEXT_RE = re.compile(rf"{_PLAIN}*")
_BOLD_INNER_RE = re.compile(rf"(?=\S){_PLAIN}+(?<=\S)")
_CODE_INNER_RE = re.compile(r"(?=\S)[^\x00-\x1f\x7f\x85\xa0\u2028\u2029`\\]+(?<=\S)")
_TOKEN_RE = re.compile(r"\*\*(.*?)\*\*|`([^`]*)`")
_BEFORE_BOLD = frozenset(" (")
_AFTER_BOLD = frozenset(" .,;:)?!")
_ITEM = "- "


def _code(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(line: str) -> str | None:
    """One line of text, bold and code as HTML; None if it holds anything else."""
    out: list[str] = []
    end = 0
    for match in _TOKEN_RE.finditer(line):
        gap = line[end : match.start()]
        if not _TEXT_RE.fullmatch(gap):
            return None
        out.append(gap)
        bold, code = match.group(1), match.group(2)
        if bold is not None:
            before = line[match.start() - 1] if match.start() else " "
            after = line[match.end()] if match.end() < len(line) else " "
            if (
                before not in _BEFORE_BOLD
                or after not in _AFTER_BOLD
                or not _BOLD_INNER_RE.fullmatch(bold)
            ):
                return None
            out.append(f"<strong>{bold}</strong>")
        else:
            touching = line[match.start() - 1 : match.start()] + line[match.end() : match.end() + 1]
            if "`" in touching or not _CODE_INNER_RE.fullmatch(code):
                return None  # a backtick next to a span makes it another span
            out.append(f"<code>{_code(code)}</code>")
        end = match.end()
    rest = line[end:]
    if not _TEXT_RE.fullmatch(rest):
        return None
    out.append(rest)
    return "".join(out)


def _starts_plainly(line: str) -> bool:
    """True if a line cannot open anything but a paragraph (or a list item's text)."""
    if not line or line[-1] == " ":
        return False
    first = line[0]
    if first.isalpha() or (first == "(" and line[1:2].isalpha()):
        return True
    if line.startswith("**"):
        return line[2:3].isalnum()
    return first == "`" and line[1:2] not in ("", "`")


def _block(block: str) -> tuple[str, bool] | None:
    """A block as HTML and whether it is a list; None if it is not simple."""
    lines = block.split("\n")
    if all(line.startswith(_ITEM) for line in lines):
        items = []
        for line in lines:
            text = line[len(_ITEM) :]
            inline = _inline(text) if _starts_plainly(text) else None
            if inline is None:
                return None
            items.append(f"<li>{inline}</li>")
        return "<ul>\n" + "\n".join(items) + "\n</ul>", True
    done = []
    for line in lines:  # a paragraph: its lines as they are, bold and code in HTML
        inline = _inline(line) if _starts_plainly(line) else None
        if inline is None:
            return None
        done.append(inline)
    return "<p>" + "\n".join(done) + "</p>", False


def render(text: str) -> str | None:
    """The HTML of simple card markdown, or None when the text is not that simple."""
    html: list[str] = []
    after_list = False
    for block in text.split("\n\n"):
        done = _block(block)
        if done is None or (after_list and done[1]):  # two lists in a row are one loose list
            return None
        html.append(done[0])
        after_list = done[1]
    return "\n".join(html)


PROBES = (
    "Plain words, with (brackets), numbers 1.5 and 30 % – and ümlauts?",
    "A **bold** word, **two words** and `code` or `a < b && c` and (**x**).",
    "**Bold** first.\n\n`code` first, then words.",
    "Intro line.\n\n- one **item**\n- two `items`\n- three (words)\n\nAfter the list.",
    "- only\n- a list",
    "A paragraph wrapped\nover lines, with **bold** and\n(brackets) and `code` at the end `x`",
)


def agrees(full: Callable[[str], str]) -> bool:
    """True if every probe renders here as ``full`` (the parser and sanitiser) does."""
    return all(render(probe) == full(probe) for probe in PROBES)
