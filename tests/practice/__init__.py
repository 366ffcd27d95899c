"""Fixture question files for the practice tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).with_name("questions_fixture.md")


def add_questions(pack: Path, name: str = "fixture.md") -> Path:
    """Copy the fixture question file into the pack's ``questions/`` folder."""
    folder = pack / "mls-c01" / "questions"
    folder.mkdir(exist_ok=True)
    target = folder / name
    target.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def card_state(library: Any, card_id: int) -> Any:
    """A card's stored SM-2 state row (due day, exam-aware due day...), or None."""
    from sqlalchemy import select

    from mlstudy.storage.schema import CardState

    with library.engine.connect() as conn:
        return conn.execute(select(CardState).where(CardState.card_id == card_id)).first()
