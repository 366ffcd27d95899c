"""Practice questions and results as HTML for the GUI (sanitised markdown, escaped text).

Linked cards become ``card:<id>`` links; the page opens them in Browse. Sources are
plain http(s) links, opened by the GUI's one link opener.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

from mlstudy.core.practice import LETTERS, ItemType
from mlstudy.decks.render import render_markdown
from mlstudy.services.practice import ItemView, Results
from mlstudy.services.render import stylesheet

CARD_SCHEME = "card"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_MARKUP = re.compile(r"[`*_\[\]<>#|\\~]|^\s*([-+]|\d+[.)])\s|^ {4}|\n\s*\n", re.MULTILINE)
"""Text without any of these is plain prose: escaping it gives what markdown would."""


def _inline(text: str) -> str:
    """One paragraph of markdown (an explanation) as inline HTML."""
    if not _MARKUP.search(text):
        return html.escape(text.strip(), quote=False)
    return render_markdown(text).strip().removeprefix("<p>").removesuffix("</p>")


def _block(text: str) -> str:
    """Markdown (a stem or scenario) as HTML; plain paragraphs skip the markdown parser,
    which a results page of 65 questions would otherwise run hundreds of times."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if any(_MARKUP.search(p) for p in paragraphs):
        return render_markdown(text)
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def page(body: str, *, dark: bool = False, font_size: int = 15) -> str:
    """A whole HTML document around a body."""
    return (
        f"<html><head><style>{stylesheet(dark, font_size)}"
        ".right { color: #1a7f37; } .wrong { color: #cf222e; }</style></head>"
        f"<body>{body}</body></html>"
    )


def stem_html(item: ItemView, number: int = 0, total: int = 0) -> str:
    """The title (numbered in a report), the case scenario (if any) and the stem."""
    q = item.question
    label = f"Question {number} of {total} · " if number else ""
    parts = [f"<p class='muted'>{label}{_e(q.title)}</p>"]
    if q.case_text:
        parts.append(f"<blockquote>{_block(q.case_text)}</blockquote>")
    parts.append(_block(q.stem))
    return "".join(parts)


def option_label(item: ItemView, shown: int) -> str:
    """The text of the option displayed at position ``shown`` (matching: the right side)."""
    option = item.question.options[item.order[shown]]
    return option.match if item.question.type == ItemType.MATCHING else option.text


def answer_text(item: ItemView, answer: tuple[int, ...] | None) -> str:
    """An answer in displayed letters: ``B, D``; ordering ``C A B``; matching ``1B 2A``."""
    if not answer:
        return "no answer"
    letter = {index: LETTERS[i] for i, index in enumerate(item.order)}
    if item.question.type == ItemType.MATCHING:
        return " ".join(f"{n + 1}{letter.get(a, '?')}" for n, a in enumerate(answer) if a >= 0)
    if item.question.type == ItemType.ORDERING:
        return " ".join(letter[a] for a in answer)
    return ", ".join(sorted(letter[a] for a in answer))


def feedback_html(item: ItemView, card_ids: dict[str, int]) -> str:
    """Right or wrong, the correct answer, every option's explanation, sources, cards."""
    q = item.question
    right = item.correct is True
    parts = [
        f"<p class='{'right' if right else 'wrong'}'><b>{'Right' if right else 'Wrong'}</b>"
        f" · your answer: {_e(answer_text(item, item.answer))}"
        f" · correct: {_e(answer_text(item, q.correct_answer))}</p><ul>"
    ]
    for shown, index in enumerate(item.order):
        option = q.options[index]
        if q.type == ItemType.MATCHING:
            label = f"{_e(option.text)} ⇒ {_e(option.match)}"
        elif q.type == ItemType.ORDERING:
            label = f"step {index + 1}: {_e(option.text)}"
        else:
            label = f"{'✔' if option.correct else '✘'} {_e(option.text)}"
        parts.append(
            f"<li><b>{LETTERS[shown]}</b>. {label}<br/>"
            f"<span class='muted'>{_inline(option.explanation)}</span></li>"
        )
    parts.append("</ul>")
    parts.append(links_html(q.sources, q.cards, card_ids))
    return "".join(parts)


def links_html(sources: tuple[str, ...], cards: tuple[str, ...], card_ids: dict[str, int]) -> str:
    """Sources as links and linked cards as ``card:`` links."""
    source_links = ", ".join(f'<a href="{_e(url)}">{_e(url)}</a>' for url in sources)
    card_links = ", ".join(
        f'<a href="{CARD_SCHEME}:{card_ids[key]}">{_e(key)}</a>' if key in card_ids else _e(key)
        for key in cards
    )
    return f"<p class='muted'>Sources: {source_links}<br/>Cards: {card_links}</p>"


def _duration(ms: int) -> str:
    return str(timedelta(seconds=ms // 1000))


def results_html(results: Results, card_ids: dict[str, int]) -> str:
    """The report: overall and per-domain raw percentages, time used, every question."""
    s = results.score
    attempt = results.attempt
    limit = f" of {_duration(attempt.time_limit_s * 1000)}" if attempt.timed else ""
    parts = [
        f"<h2 class='question'>{s.correct} of {s.questions} correct: {s.percent:.0f} %</h2>",
        f"<p>{'Practice exam' if attempt.mode == 'exam' else 'Practice set'} of "
        f"{attempt.day.isoformat()} · time used {_duration(attempt.elapsed_ms)}{limit}</p>",
        f"<p class='muted'>{_e(results.note)}</p>",
        "<table><tr><th>Domain</th><th>Questions</th><th>Correct</th><th>%</th></tr>",
    ]
    for number, domain in s.by_domain.items():
        name = results.domain_names.get(number, f"Domain {number}")
        parts.append(
            f"<tr><td>{number}. {_e(name)}</td><td>{domain.questions}</td>"
            f"<td>{domain.correct}</td><td>{domain.percent:.0f} %</td></tr>"
        )
    parts.append("</table>")
    if results.rescheduled_cards:
        parts.append(
            f"<p>The {len(results.rescheduled_cards)} linked card(s) of missed questions "
            "are due on your next study day; those you have not seen yet come first among "
            "your new cards.</p>"
        )
    total = len(attempt.items)
    for item in attempt.items:
        parts.append("<hr/>")
        parts.append(stem_html(item, item.position + 1, total))
        parts.append(feedback_html(item, card_ids))
    return "".join(parts)
