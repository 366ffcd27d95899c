"""Fixtures of the deck tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from mlstudy.decks import render


@pytest.fixture
def stuck_render(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The markdown renderer hangs on any text with "stuck" in it until the test ends."""
    release = threading.Event()
    real = render._render_unchecked

    def stuck(text: str) -> str:
        if "stuck" in text:
            release.wait(30)
        return real(text)

    monkeypatch.setattr(render, "_render_unchecked", stuck)
    try:
        yield
    finally:
        release.set()
