"""``mlstudy practice``: a practice set in the terminal, saved like one from the app."""

from __future__ import annotations

import sys
import textwrap
import time
from typing import TextIO

from mlstudy.core.practice import LETTERS, ItemType, parse_typed_answer
from mlstudy.services import Library
from mlstudy.services.practice import PRACTICE, ItemView, Results

WIDTH = 88


def run_practice(
    data_dir: str | None,
    count: int,
    domain: int | None,
    task: str | None,
    seed: int | None,
    exam: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Ask each question, mark it with the explanations, end with the per-domain score.

    End of input ends the set early; what was answered is kept and scored.
    """
    source = stdin or sys.stdin
    out = stdout or sys.stdout
    with Library.open(data_dir, exam=exam) as library:
        attempt = library.practice.start(PRACTICE, count=count, domain=domain, task=task, seed=seed)
        started = time.monotonic()
        total = len(attempt.items)
        for item in attempt.items:
            _show(item, total, out)
            answer = _read_answer(item, source, out)
            if answer is None:
                print("\n(end of input: the set ends here; your answers are kept)", file=out)
                break
            elapsed = int((time.monotonic() - started) * 1000)
            right = library.practice.answer(attempt, item.position, answer, elapsed)
            _feedback(item, right, out)
        elapsed = int((time.monotonic() - started) * 1000)
        results = library.practice.submit(attempt.id, elapsed)
    _report(results, out)
    return 0


def _wrap(text: str, indent: str = "") -> str:
    return "\n".join(
        textwrap.fill(p, WIDTH, initial_indent=indent, subsequent_indent=indent)
        for p in text.split("\n\n")
    )


def _show(item: ItemView, total: int, out: TextIO) -> None:
    q = item.question
    print(f"\nQuestion {item.position + 1} of {total}  (domain {q.domain}", end="", file=out)
    print(f", task {q.task})" if q.task else ")", file=out)
    if q.case_text:
        print(_wrap(q.case_text, "| "), file=out)
        print(file=out)
    print(_wrap(q.stem), file=out)
    if q.type == ItemType.MATCHING:
        for number, option in enumerate(q.options, start=1):
            print(f"  {number}. {option.text}", file=out)
        print("  match with:", file=out)
        for letter, index in zip(LETTERS, item.order, strict=False):
            print(f"  {letter}. {q.options[index].match}", file=out)
    else:
        for letter, index in zip(LETTERS, item.order, strict=False):
            print(f"  {letter}. {q.options[index].text}", file=out)


def _prompt(item: ItemView) -> str:
    q = item.question
    if q.type == ItemType.MATCHING:
        return "Pairs (such as 1B 2A 3C): "
    if q.type == ItemType.ORDERING:
        return f"Letters in order (such as {LETTERS[: len(q.options)]}): "
    if q.type == ItemType.MULTIPLE:
        return f"Letters ({q.choose}): "
    return "Letter: "


def _read_answer(item: ItemView, source: TextIO, out: TextIO) -> tuple[int, ...] | None:
    while True:
        print(_prompt(item), end="", file=out, flush=True)
        line = source.readline()
        if not line:
            return None
        try:
            return parse_typed_answer(line, item.question, item.order)
        except ValueError as exc:
            print(f"  {exc}", file=out)


def _feedback(item: ItemView, right: bool, out: TextIO) -> None:
    q = item.question
    if q.type == ItemType.MATCHING:
        position = {index: LETTERS[i] for i, index in enumerate(item.order)}
        correct = " ".join(f"{n + 1}{position[n]}" for n in range(len(q.options)))
    else:
        position = {index: LETTERS[i] for i, index in enumerate(item.order)}
        letters = [position[i] for i in q.correct_answer]
        correct = "".join(letters if q.type == ItemType.ORDERING else sorted(letters))
    print(("Right." if right else f"Wrong. The answer is {correct}."), file=out)
    for letter, index in zip(LETTERS, item.order, strict=False):
        option = q.options[index]
        label = option.match if q.type == ItemType.MATCHING else option.text
        print(_wrap(f"{letter}. {label}: {option.explanation}", "  "), file=out)
    for url in q.sources:
        print(f"  Source: {url}", file=out)
    print(f"  Cards: {', '.join(q.cards)}", file=out)


def _report(results: Results, out: TextIO) -> None:
    s = results.score
    print(f"\nScore: {s.correct} of {s.questions} ({s.percent:.0f} %)", file=out)
    for number, domain in s.by_domain.items():
        name = results.domain_names.get(number, f"Domain {number}")
        print(
            f"  {number}. {name:<48} {domain.correct:>3} of {domain.questions:<3}"
            f" {domain.percent:>4.0f} %",
            file=out,
        )
    if results.rescheduled_cards:
        print(
            f"Cards due next study day: {', '.join(results.rescheduled_cards)}",
            file=out,
        )
    print(_wrap(results.note), file=out)
