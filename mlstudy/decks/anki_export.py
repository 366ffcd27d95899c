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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import genanki
import numpy as np
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


def note_guids(keys: Sequence[str]) -> list[str]:
    """The Anki note GUID of each card id: ``genanki.guid_for("mlstudy", key)``, the
    base-91 digits of all of them worked out at once (a test holds them equal)."""
    numbers = np.fromiter(
        (
            int.from_bytes(hashlib.sha256(f"mlstudy__{key}".encode()).digest()[:8], "big")
            for key in keys
        ),
        dtype=np.uint64,
        count=len(keys),
    )
    digits = np.empty((len(keys), _GUID_DIGITS), dtype=np.uint32)
    for place in range(_GUID_DIGITS - 1, -1, -1):
        numbers, digit = np.divmod(numbers, np.uint64(_BASE91))
        digits[:, place] = _BASE91_CODES[digit]
    padded = digits.view(f"<U{_GUID_DIGITS}").ravel()
    # genanki writes no leading zero digits: strip the padding (a GUID never starts
    # with the zero digit, so nothing else goes).
    return [str(guid).lstrip(BASE91_TABLE[0]) for guid in padded]


_BASE91 = len(BASE91_TABLE)
_GUID_DIGITS = 10  # 91 ** 10 > 2 ** 64
_BASE91_CODES = np.array([ord(c) for c in BASE91_TABLE], dtype=np.uint32)
_NOTE_ROW = "INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, 0, 0, '')"
_CARD_ROW = "INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, '')"
_ROWS_PER_BATCH = 5_000


def write_apkg(
    cards: Sequence[ExportCard],
    fields: Iterable[tuple[str, str]],
    path: Path,
    exam_code: str,
    domain_names: Mapping[int, str],
    *,
    timestamp: float,
    with_progress: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write ``cards`` to ``path`` as an Anki package; return the number of notes.

    ``fields`` gives each card's question and answer as the HTML the app shows
    (``decks.render``), in the order of ``cards``; it is read as the notes are written,
    so it may still be rendering the later ones. Notes are written in the order of
    ``cards`` (``storage.interop.export_cards`` gives deck order). ``timestamp``
    (seconds since the epoch) stamps every note: Anki updates a note it already has
    only from a package whose note is newer. ``progress(done, total)`` counts the notes
    written, and the package finished as one more.

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
                _insert(cursor, rows, len(cards) + 1, with_progress, progress)
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
    if progress is not None:
        progress(len(cards) + 1, len(cards) + 1)
    return len(cards)


_Rows = Iterator[tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...] | None]]


def _rows(
    cards: Sequence[ExportCard],
    fields: Iterable[tuple[str, str]],
    decks: Mapping[int, genanki.Deck],
    model_id: int,
    mod: int,
    ids: Iterator[int],
) -> _Rows:
    """Each card's note row, its new-card row, and its review-card row (None if new)."""
    escaped: dict[str, str] = {}  # sources and tasks repeat from card to card
    tagged: dict[tuple[tuple[str, ...], str | None], str] = {}
    guids = note_guids([card.key for card in cards])
    for card, guid, (question, answer) in zip(cards, guids, fields, strict=True):
        note_id, card_id = next(ids), next(ids)
        for text in (card.source, card.task or ""):
            if text not in escaped:
                escaped[text] = _html_text(text)
        meta = (escaped[card.source], escaped[card.task or ""], _html_text(card.key))
        flds = "\x1f".join((question, answer, *meta))
        tags = tagged.get((card.tags, card.task))
        if tags is None:
            tags = tagged[card.tags, card.task] = " " + " ".join(anki_tags(card)) + " "
        note = (note_id, guid, model_id, mod, tags, flds, question)
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
