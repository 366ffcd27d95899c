"""Write cards as an Anki package (.apkg) with genanki.

One subdeck per domain, a note type of our own (Question, Answer, Source, Task, Id)
whose templates carry the app's card CSS with code highlighting in light and dark, and
note GUIDs derived from card ids so that importing a newer export updates the notes.
The package is written to a temporary file next to the target and renamed into place.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import genanki
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
from mlstudy.decks.render import render_markdown
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


def write_apkg(
    cards: Sequence[ExportCard],
    path: Path,
    exam_code: str,
    domain_names: Mapping[int, str],
    *,
    timestamp: float,
    with_progress: bool = False,
    progress: Progress | None = None,
    html: Callable[[str], str] = render_markdown,
) -> int:
    """Write ``cards`` to ``path`` as an Anki package; return the number of notes.

    ``timestamp`` (seconds since the epoch) stamps every note: Anki updates a note it
    already has only from a package whose note is newer. ``html`` turns card markdown
    into the HTML the app shows (``render_markdown``, or a cache in front of it).

    Raises:
        UserError: the file cannot be written (the message names it).
    """
    model = _note_type()
    decks: dict[int, genanki.Deck] = {}
    schedules: dict[str, tuple[int, int, int, int, bool]] = {}
    total = len(cards)
    for done, card in enumerate(cards, 1):
        deck = decks.get(card.domain)
        if deck is None:
            name = deck_name(exam_code, card.domain, domain_names.get(card.domain, "Other"))
            deck = decks[card.domain] = genanki.Deck(stable_id("mlstudy", "deck", name), name)
        guid = genanki.guid_for("mlstudy", card.key)
        fields = [
            html(card.question),
            html(card.answer),
            _html_text(card.source),
            _html_text(card.task or ""),
            _html_text(card.key),
        ]
        note = genanki.Note(model=model, fields=fields, tags=anki_tags(card), guid=guid)
        if card.suspended:
            note.cards[0].suspend = True
        deck.add_note(note)
        schedule = anki_schedule(card, COLLECTION_START) if with_progress else None
        if schedule is not None:
            schedules[guid] = (
                schedule.interval,
                schedule.factor,
                schedule.due_day,
                schedule.repetitions,
                card.suspended,
            )
        if progress is not None and (done % 500 == 0 or done == total):
            progress(done, total)
    package = genanki.Package([decks[d] for d in sorted(decks)])
    _write_package(package, path, schedules, timestamp)
    return total


def _write_package(
    package: genanki.Package,
    path: Path,
    schedules: Mapping[str, tuple[int, int, int, int, bool]],
    stamp: float,
) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        with tempfile.TemporaryDirectory(prefix=".mlstudy-export-", dir=folder) as work:
            db_path = os.path.join(work, "collection.anki2")
            conn = sqlite3.connect(db_path)
            try:
                cursor = conn.cursor()
                package.write_to_db(cursor, stamp, itertools.count(int(stamp * 1000)))
                _apply_schedules(cursor, schedules)
                conn.commit()
            finally:
                conn.close()
            partial = os.path.join(work, "package.apkg")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
                out.write(db_path, "collection.anki2")
                out.writestr("media", "{}")
            os.replace(partial, path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write the Anki package: {exc.strerror or exc}") from None


def _apply_schedules(
    cursor: sqlite3.Cursor, schedules: Mapping[str, tuple[int, int, int, int, bool]]
) -> None:
    """Turn the exported new cards of reviewed notes into Anki review cards."""
    note_ids = dict(cursor.execute("SELECT guid, id FROM notes"))
    rows = [
        (interval, factor, due, reps, -1 if suspended else 2, note_ids[guid])
        for guid, (interval, factor, due, reps, suspended) in schedules.items()
    ]
    cursor.executemany(
        "UPDATE cards SET type = 2, ivl = ?, factor = ?, due = ?, reps = ?, queue = ? "
        "WHERE nid = ?",
        rows,
    )
