"""Rendering many fields at once, in worker processes: the same HTML as one by one."""

from __future__ import annotations

import pytest

from mlstudy.decks import limits, render


def fields() -> list[str]:
    texts = [
        f"Answer {n}: **bold** and `code` with a [link](https://example.com/{n})."
        for n in range(30)
    ]
    texts += [
        "```python\nprint('x')\n```",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "<script>alert(1)</script>plain",
        "x" * (limits.MAX_CARD_CHARS + 1),  # over the size cap: shown as plain text
        "",
    ]
    return texts


@pytest.mark.parametrize("workers", [1, 2])
def test_render_many_gives_what_render_capped_gives(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(render, "PARALLEL_FROM", 10)
    texts = fields()
    seen: list[tuple[int, int]] = []
    got = list(render.render_stream(texts, lambda d, total: seen.append((d, total)), workers))
    assert got == [render.render_capped(text) for text in texts]
    assert got[-2].problem  # the capped field says why
    assert seen[-1] == (len(texts), len(texts))


def test_a_worker_that_dies_leaves_the_rest_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.decks import render_worker_exit

    monkeypatch.setattr(render, "PARALLEL_FROM", 4)
    monkeypatch.setattr(render, "_CHUNK", 3)
    monkeypatch.setattr(render, "_render_chunk", render_worker_exit.die_on_second_chunk)
    texts = ["first **a**", "b", "c", "second **d**", "e", "f", "third `g`", "h"]
    got = list(render.render_stream(texts, workers=2))
    assert got == [render.render_capped(text) for text in texts]
