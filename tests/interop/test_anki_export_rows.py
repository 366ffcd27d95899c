"""The export writes notes and cards in batches: the same rows genanki's own note
writer writes, and the same GUIDs as ``genanki.guid_for``."""

from __future__ import annotations

import itertools
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import genanki
from hypothesis import given
from hypothesis import strategies as st

from mlstudy.core.interop import ExportCard, anki_schedule, anki_tags, deck_name, stable_id
from mlstudy.core.sm2 import Sm2State
from mlstudy.decks import anki_export

STAMP = 1_764_000_000.0
NAMES = {1: "Data", 2: "Models", 3: "Deploy"}


def sample() -> list[ExportCard]:
    cards = []
    for n in range(12):
        reviewed = n % 3 == 0
        cards.append(
            ExportCard(
                key=f"card-{n}",
                domain=1 + n // 4,
                task=f"{3 - n % 3}.{n % 2 + 1}" if n % 4 else None,
                question=f"Question {n} & <b>more</b>",
                answer=f"Answer {n}",
                source=f"https://docs.aws.amazon.com/x/{n}?a=1&b=2" if n % 5 else "",
                tags=("alpha", "two words") if n % 2 else (),
                state=Sm2State(n % 4 + 1, 250 - n, n + 1) if reviewed else None,
                due=date(2026, 12, 20 + n % 5) if reviewed else None,
                suspended=n % 7 == 0,
            )
        )
    return cards


def fields_of(cards: list[ExportCard]) -> list[tuple[str, str]]:
    return [(f"<p>{c.question}</p>", f"<p>{c.answer}</p>") for c in cards]


def genanki_reference(cards: list[ExportCard], path: Path, with_progress: bool) -> None:
    """The same package written note by note through genanki, as the export once was."""
    model = anki_export._note_type()
    decks: dict[int, genanki.Deck] = {}
    for card, (question, answer) in zip(cards, fields_of(cards), strict=True):
        name = deck_name("MLA-C01", card.domain, NAMES[card.domain])
        deck = decks.setdefault(card.domain, genanki.Deck(stable_id("mlstudy", "deck", name), name))
        meta = [anki_export._html_text(t) for t in (card.source, card.task or "", card.key)]
        note = genanki.Note(
            model=model,
            fields=[question, answer, *meta],
            tags=anki_tags(card),
            guid=genanki.guid_for("mlstudy", card.key),
        )
        note.cards[0].suspend = card.suspended
        deck.add_note(note)
    conn = sqlite3.connect(path)
    cursor = conn.cursor()
    package = genanki.Package([decks[d] for d in sorted(decks)])
    package.write_to_db(cursor, STAMP, itertools.count(int(STAMP * 1000)))
    for card in cards:
        schedule = anki_schedule(card, anki_export.COLLECTION_START)
        if with_progress and schedule is not None:
            cursor.execute(
                "UPDATE cards SET type = 2, ivl = ?, factor = ?, due = ?, reps = ?, queue = ? "
                "WHERE nid = (SELECT id FROM notes WHERE guid = ?)",
                (
                    schedule.interval,
                    schedule.factor,
                    schedule.due_day,
                    schedule.repetitions,
                    -1 if card.suspended else 2,
                    genanki.guid_for("mlstudy", card.key),
                ),
            )
    conn.commit()
    conn.close()


def table(path: Path, name: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute(f"SELECT * FROM {name} ORDER BY id"))
    finally:
        conn.close()


def test_the_batched_rows_are_the_rows_genanki_writes(tmp_path: Path) -> None:
    cards = sample()
    for with_progress in (False, True):
        out = tmp_path / f"export-{with_progress}.apkg"
        anki_export.write_apkg(
            cards,
            fields_of(cards),
            out,
            "MLA-C01",
            NAMES,
            timestamp=STAMP,
            with_progress=with_progress,
        )
        with zipfile.ZipFile(out) as archive:
            archive.extract("collection.anki2", tmp_path / str(with_progress))
        ours = tmp_path / str(with_progress) / "collection.anki2"
        theirs = tmp_path / f"reference-{with_progress}.anki2"
        genanki_reference(cards, theirs, with_progress)
        for name in ("col", "notes", "cards"):
            assert table(ours, name) == table(theirs, name), name


@given(st.lists(st.text(max_size=40), max_size=30))
def test_note_guids_are_genankis(keys: list[str]) -> None:
    assert anki_export.note_guids(keys) == [genanki.guid_for("mlstudy", key) for key in keys]


def test_a_guid_with_fewer_digits_is_genankis() -> None:
    # About one key in 91 hashes to a number with fewer than ten base-91 digits.
    keys = [f"k{n}" for n in range(3000)]
    short = [g for g in anki_export.note_guids(keys) if len(g) < 10]
    assert short
    assert anki_export.note_guids(keys) == [genanki.guid_for("mlstudy", k) for k in keys]
