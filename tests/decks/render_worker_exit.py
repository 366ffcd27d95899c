"""A render worker that dies on its second chunk (imported by spawned worker processes)."""

from __future__ import annotations

import os

from mlstudy.decks import render


def die_on_second_chunk(texts: list[str]) -> list[tuple[str, str]]:
    if texts[0].startswith("second"):
        os._exit(3)
    return render._render_chunk(texts)
