"""Write cards as an Anki package (.apkg) with genanki.

One subdeck per domain, a note type of our own (Question, Answer, Source, Task, Id)
whose templates carry the app's card CSS with code highlighting in light and dark, and
note GUIDs derived from card ids so that importing a newer export updates the notes.
The package is written to a temporary file next to the target and renamed into place.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import genanki
from genanki.util import BASE91_TABLE
from pygments.formatters import HtmlFormatter

from mlstudy.core.interop import (
    NOTE_FIELDS,
    NOTE_TYPE_NAME,
    ExportCard,
    anki_schedule,
    anki_tags,
    deck_name,
    stable_id,
)
from mlstudy.errors import UserError

Progress = Callable[[int, int], None]

_CARD_CSS = """
.card { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; font-size: 20px;
  line-height: 1.45; text-align: left; color: #1d1f23; background: #ffffff; max-width: 46em;
  margin: 0 auto; padding: 0 0.6em; }
.nightMode .card, .night_mode .card { color: #e6e6e6; background: #1f2125; }
.question { font-weight: 600; }
hr#answer { margin: 1em 0; }
table { border-collapse: collapse; } th, td { border: 1px solid #9aa0a6; padding: 2px 6px; }
pre { white-space: pre-wrap; word-wrap: break-word; padding: 0.5em; border-radius: 4px; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
.meta { margin-top: 1.2em; font-size: 0.75em; color: #5f6368; }
.nightMode .meta, .night_mode .meta { color: #9aa0a6; }
a { color: #1a5fb4; } .nightMode a, .night_mode a { color: #8ab4f8; }
"""
_FRONT = '<div class="question">{{Question}}</div>'
_BACK = (
    '{{FrontSide}}<hr id="answer">{{Answer}}'
    '<div class="meta">{{#Task}}Task {{Task}} · {{/Task}}'
    '{{#Source}}<a href="{{Source}}">source</a> · {{/Source}}{{Id}}</div>'
)
COLLECTION_START = datetime.fromtimestamp(1411124400, UTC).date()
"""genanki's collection creation day: Anki counts review due days from it."""


def card_css() -> str:
    """The note type's CSS: the card layout plus Pygments in light and (night mode) dark."""
    light = HtmlFormatter(style="friendly").get_style_defs(".codehilite")
    dark = "\n".join(
        HtmlFormatter(style="monokai").get_style_defs(f"{scope} .codehilite")
        for scope in (".nightMode", ".night_mode")
    )
    return f"{_CARD_CSS}\n{light}\n{dark}"


def _note_type() -> genanki.Model:
    return genanki.Model(
        stable_id("mlstudy", "note type", "1"),
        NOTE_TYPE_NAME,
        fields=[{"name": name} for name in NOTE_FIELDS],
        templates=[{"name": "Card", "qfmt": _FRONT, "afmt": _BACK}],
        css=card_css(),
        sort_field_index=0,
    )


def _html_text(text: str) -> str:
    return escape(text, quote=True)


def note_guid(key: str) -> str:
    """The Anki note GUID of a card id: ``genanki.guid_for("mlstudy", key)``, the same
    value without its per-call overhead (a test holds them equal)."""
    number = int.from_bytes(hashlib.sha256(f"mlstudy__{key}".encode()).digest()[:8], "big")
    digits: list[str] = []
    while number > 0:
        number, digit = divmod(number, _BASE91)
        digits.append(BASE91_TABLE[digit])
    return "".join(reversed(digits))


_BASE91 = len(BASE91_TABLE)
_NOTE_ROW = "INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, 0, 0, '')"
_CARD_ROW = "INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, '')"
_ROWS_PER_BATCH = 5_000


def write_apkg(
    cards: Sequence[ExportCard],
    fields: Sequence[tuple[str, str]],
    path: Path,
    exam_code: str,
    domain_names: Mapping[int, str],
    *,
    timestamp: float,
    with_progress: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write ``cards`` to ``path`` as an Anki package; return the number of notes.

    ``fields`` holds each card's question and answer as the HTML the app shows
    (``decks.render``), in the order of ``cards``. ``timestamp`` (seconds since the
    epoch) stamps every note: Anki updates a note it already has only from a package
    whose note is newer.

    genanki writes the collection's schema, note type and decks; the notes and cards
    go in as batches of the rows genanki's own note writer would write.

    Raises:
        UserError: the file cannot be written (the message names it).
    """
    model = _note_type()
    decks: dict[int, genanki.Deck] = {}
    for domain in sorted({card.domain for card in cards}):
        name = deck_name(exam_code, domain, domain_names.get(domain, "Other"))
        decks[domain] = genanki.Deck(stable_id("mlstudy", "deck", name), name)
        decks[domain].add_model(model)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        with tempfile.TemporaryDirectory(prefix=".mlstudy-export-", dir=folder) as work:
            db_path = os.path.join(work, "collection.anki2")
            conn = sqlite3.connect(db_path)
            try:
                cursor = conn.cursor()
                ids = itertools.count(int(timestamp * 1000))
                genanki.Package([decks[d] for d in decks]).write_to_db(cursor, timestamp, ids)
                rows = _rows(cards, fields, decks, model.model_id, int(timestamp), ids)
                _insert(cursor, rows, len(cards), with_progress, progress)
                conn.commit()
            finally:
                conn.close()
            partial = os.path.join(work, "package.apkg")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
                out.write(db_path, "collection.anki2")
                out.writestr("media", "{}")
            os.replace(partial, path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write the Anki package: {exc.strerror or exc}") from None
    return len(cards)


_Rows = Iterator[tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...] | None]]


def _rows(
    cards: Sequence[ExportCard],
    fields: Sequence[tuple[str, str]],
    decks: Mapping[int, genanki.Deck],
    model_id: int,
    mod: int,
    ids: Iterator[int],
) -> _Rows:
    """Each card's note row, its new-card row, and its review-card row (None if new),
    deck by deck as genanki writes them."""
    if len(fields) != len(cards):
        raise ValueError(f"{len(cards)} cards but {len(fields)} pairs of fields")
    for index in sorted(range(len(cards)), key=lambda i: cards[i].domain):
        card, (question, answer) = cards[index], fields[index]
        note_id, card_id = next(ids), next(ids)
        meta = (card.source, card.task or "", card.key)
        flds = "\x1f".join([question, answer, *map(_html_text, meta)])
        tags = " " + " ".join(anki_tags(card)) + " "
        note = (note_id, note_guid(card.key), model_id, mod, tags, flds, question)
        deck_id = decks[card.domain].deck_id
        queue = -1 if card.suspended else 0
        new = (card_id, note_id, deck_id, mod, 0, queue, 0, 0, 0, 0)
        schedule = anki_schedule(card, COLLECTION_START)
        review = None
        if schedule is not None:
            review = (
                card_id,
                note_id,
                deck_id,
                mod,
                2,
                -1 if card.suspended else 2,
                schedule.due_day,
                schedule.interval,
                schedule.factor,
                schedule.repetitions,
            )
        yield note, new, review


def _insert(
    cursor: sqlite3.Cursor, rows: _Rows, total: int, with_progress: bool, progress: Progress | None
) -> None:
    done = 0
    while batch := list(itertools.islice(rows, _ROWS_PER_BATCH)):
        cursor.executemany(_NOTE_ROW, [note for note, _new, _review in batch])
        cursor.executemany(
            _CARD_ROW,
            [review if with_progress and review is not None else new for _n, new, review in batch],
        )
        done += len(batch)
        if progress is not None:
            progress(done, total)
