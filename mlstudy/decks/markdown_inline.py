"""Python-Markdown's inline processor, made to skip the patterns that cannot match.

Python-Markdown tries each of its inline patterns (code spans, escapes, links, raw
HTML, entities, emphasis...) on every piece of text of a card, each try a few Python
calls: about a third of the time a card takes to render. Every built-in pattern needs
one character to match at all: a backtick, a backslash, a bracket, a ``<``... A
pattern tried on text without its character leaves the text as it was, so
``ShortcutInline`` skips it there and renders exactly the same. Patterns it does not
know are always tried.

``install`` puts it into a parser only when it renders a set of probes exactly as the
stock processor does, and leaves the parser as it was otherwise: a newer Python-Markdown
whose internals changed renders more slowly, never differently.
"""

from __future__ import annotations

from markdown import Markdown, util
from markdown.treeprocessors import InlineProcessor

_NEEDS = {
    "backtick": "`",
    "escape": "\\",
    "reference": "[",
    "link": "[",
    "image_link": "[",
    "image_reference": "[",
    "short_reference": "[",
    "short_image_ref": "[",
    "autolink": "<",
    "automail": "<",
    "html": "<",
    "linebreak": "\n",
    "entity": "&",
    "em_strong": "*_",
    "em_strong2": "_",
    "not_strong": "*_",
    "strong_em": "*_",
}
"""Built-in inline patterns by name, and the characters one of which each needs."""

_INLINE_PRIORITY = 20
"""Where Python-Markdown registers its ``inline`` tree processor."""

PROBES = (
    "Plain words, with no markup at all.",
    "`code` and ``two `ticks` `` and \\*escaped\\* \\` \\[",
    "[link](https://example.com/a_b) ![image](https://example.com/i.png) [ref][1] [short]",
    "<https://example.com> <someone@example.com> <b>bold</b> <!-- note --> &amp; &#169; & x",
    "Line with a break  \nand more *em* **strong** ***both*** _u_ __uu__ snake_case_name",
    "**bold with `code` and [a link](https://example.com) inside** and *em **nest** em*",
    "* star * alone _ under _ alone ** and __",
    "- item *one*\n- item `two`\n\n1. first\n2. [second](https://example.com)",
    "| a | b |\n|---|---|\n| *c* | `d` |",
    "> quote with **bold**\n\n```python\nx = '*not em*'\n```",
    "[1]: https://example.com/ref\n[short]: https://example.com/short",
)


class ShortcutInline(InlineProcessor):  # type: ignore[misc]  # markdown has no types
    """The stock inline processor, skipping each pattern on text that lacks its character."""

    def __init__(self, md: Markdown, needs: list[str | None]) -> None:
        super().__init__(md)
        self._needs = needs

    def _InlineProcessor__handleInline(  # the stock processor's own (mangled) name
        self, data: str, patternIndex: int = 0
    ) -> str:
        if not isinstance(data, util.AtomicString):  # atomic text is never parsed
            needs = self._needs
            apply = self._InlineProcessor__applyPattern
            start = 0
            index = patternIndex
            while index < len(needs):
                need = needs[index]
                if need is not None and not any(char in data for char in need):
                    index += 1
                    start = 0
                    continue
                data, matched, start = apply(self.inlinePatterns[index], data, index, start)
                if not matched:
                    index += 1
        return data


def _needs(md: Markdown) -> list[str | None]:
    patterns = md.inlinePatterns
    needs: list[str | None] = [None] * len(patterns)
    for name, chars in _NEEDS.items():
        if name in patterns:
            index = patterns.get_index_for_name(name)
            tokens = getattr(patterns[index], "tokens", None)  # a delimiter processor's
            if isinstance(tokens, list):
                chars += "".join(str(token)[:1] for token in tokens)
            needs[index] = chars
    return needs


def _render_all(md: Markdown) -> list[str]:
    out = []
    for text in PROBES:
        out.append(md.convert(text))
        md.reset()
    return out


def install(md: Markdown) -> bool:
    """Put ``ShortcutInline`` in place of ``md``'s inline processor; True if it is."""
    processors = md.treeprocessors
    if "inline" not in processors or type(processors["inline"]) is not InlineProcessor:
        return False
    stock = processors["inline"]
    order = [type(p) for p in processors]
    expected = _render_all(md)
    processors.register(ShortcutInline(md, _needs(md)), "inline", _INLINE_PRIORITY)
    try:
        same = [ShortcutInline if t is InlineProcessor else t for t in order] == [
            type(p) for p in processors
        ] and _render_all(md) == expected
    except Exception:  # an internal it relies on has changed
        md.reset()
        same = False
    if not same:
        processors.register(stock, "inline", _INLINE_PRIORITY)
    return same
