"""Read Anki packages (.apkg, .colpkg) and turn their notes into mlstudy deck files.

A package is untrusted input: a zip holding a SQLite collection in one of three forms
(``collection.anki2`` from Anki 2.0 and genanki, ``collection.anki21`` from Anki 2.1,
``collection.anki21b`` compressed with zstd from current Anki), a media list (JSON, or
zstd-compressed protobuf) and media files named by number. Every size is capped while
it is read, media names are checked before they become file names, field HTML is
sanitised before it becomes markdown, and any damage is a ``UserError`` naming it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nh3
from markdownify import markdownify

from mlstudy.decks.parser import NO_DOMAIN_WORD
from mlstudy.errors import UserError

MAX_PACKAGE_ENTRIES = 100_000
MAX_COLLECTION_BYTES = 512 * 1024 * 1024
MAX_MEDIA_FILE_BYTES = 16 * 1024 * 1024
MAX_MEDIA_TOTAL_BYTES = 512 * 1024 * 1024
MAX_FIELD_CHARS = 64 * 1024
MAX_COMPRESSION_RATIO = 200
"""A zip entry that claims to grow more than this is treated as a zip bomb."""
SUPPORTED_SCHEMAS = (11, 18)
_COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_SAFE_MEDIA_NAME = re.compile(r"^[^/\\\x00-\x1f:*?\"<>|]{1,200}$")
_FIELD_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "sub", "sup", "code", "pre",
    "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a",
    "img", "div", "span", "h1", "h2", "h3", "h4",
}  # fmt: skip
_FIELD_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}


@dataclass(frozen=True, slots=True)
class AnkiReview:
    """One entry of Anki's review log (``revlog``): ``ease`` is the button (1 Again ..
    4 Easy, 0 for a manual reschedule), ``interval`` days (negative: seconds, a learning
    step), ``factor`` permille, ``kind`` Anki's type (0 learn, 1 review, 2 relearn,
    3 filtered, 4 manual)."""

    timestamp_ms: int
    ease: int
    interval: int
    factor: int
    time_ms: int
    kind: int


@dataclass(frozen=True, slots=True)
class AnkiCard:
    """One card to import, already converted to markdown."""

    key: str
    deck: str
    question: str
    answer: str
    tags: tuple[str, ...]
    note_type: str
    interval: int
    factor: int
    due_day: int | None
    reviews: tuple[AnkiReview, ...] = ()
    learning: bool = False
    """In Anki's learning or relearning steps (answered, not graduated or lapsed)."""
    suspended: bool = False


@dataclass
class AnkiPackage:
    """What a package holds, and what the import will skip and why."""

    path: Path
    schema: int
    collection_start: int = 0
    """Anki's ``col.crt``: the collection's first day (seconds); review due days count from it."""
    cards: list[AnkiCard] = field(default_factory=list)
    notes: int = 0
    note_types: Counter[str] = field(default_factory=Counter)
    media: dict[str, bytes] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def decks(self) -> Counter[str]:
        """Cards per Anki deck name."""
        return Counter(card.deck for card in self.cards)


def read_package(path: Path) -> AnkiPackage:
    """Read and convert an Anki package; nothing is written.

    Raises:
        UserError: not a zip, a zip bomb, an unsafe media name, a damaged or unknown
            collection; the message names the file and the problem.
    """
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(f"{path}: not an Anki package (not a zip file: {exc})") from None
    with archive, tempfile.TemporaryDirectory(prefix="mlstudy-anki-") as work:
        infos = archive.infolist()
        if len(infos) > MAX_PACKAGE_ENTRIES:
            raise UserError(f"{path}: too many entries ({len(infos)}) for an Anki package")
        names = {info.filename: info for info in infos}
        chosen = next((n for n in _COLLECTIONS if n in names), None)
        if chosen is None:
            raise UserError(f"{path}: no Anki collection inside (is it an Anki package?)")
        data = _read_member(path, archive, names[chosen], MAX_COLLECTION_BYTES)
        if chosen.endswith("b"):
            data = _zstd(path, chosen, data, MAX_COLLECTION_BYTES)
        db_path = Path(work) / "collection.sqlite"
        db_path.write_bytes(data)
        package = _read_collection(path, db_path)
        package.media = _read_media(path, archive, names, compressed=chosen.endswith("b"))
    return package


def _read_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """A zip member's bytes, refusing bombs by declared size, ratio and actual size."""
    if info.file_size > cap:
        raise UserError(f"{path}: {info.filename} is too large ({info.file_size} bytes)")
    ratio = info.file_size / info.compress_size if info.compress_size else 0
    if ratio > MAX_COMPRESSION_RATIO and info.file_size > 1024 * 1024:
        raise UserError(f"{path}: {info.filename} looks like a zip bomb (compression ratio)")
    try:
        with archive.open(info) as stream:
            data = stream.read(cap + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise UserError(f"{path}: {info.filename} is damaged ({exc})") from None
    if len(data) > cap:
        raise UserError(f"{path}: {info.filename} is larger than it claims (a zip bomb?)")
    return data


def _zstd(path: Path, name: str, data: bytes, cap: int) -> bytes:
    import zstandard

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(data)
        out = reader.read(cap + 1)
    except zstandard.ZstdError as exc:
        raise UserError(f"{path}: {name} is damaged ({exc})") from None
    if len(out) > cap:
        raise UserError(f"{path}: {name} is too large once decompressed")
    return out


def _read_collection(path: Path, db_path: Path) -> AnkiPackage:
    try:
        conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise UserError(f"{path}: the collection cannot be opened ({exc})") from None
    try:
        schema = int(conn.execute("SELECT ver FROM col").fetchone()[0])
        if schema not in SUPPORTED_SCHEMAS and not 11 <= schema <= 18:
            raise UserError(f"{path}: unknown Anki collection schema {schema}")
        package = AnkiPackage(path=path, schema=schema)
        if schema >= 15 and _has_table(conn, "notetypes"):
            models, decks = _models_v18(conn), _decks_v18(conn)
        else:
            models, decks = _models_legacy(conn), _decks_legacy(conn)
        _convert(conn, package, models, decks)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path}: the collection is damaged ({exc})") from None
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: the collection is not in a form Anki writes ({exc})") from None
    finally:
        conn.close()
    return package


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
    return row.fetchone() is not None


@dataclass(frozen=True, slots=True)
class _Model:
    name: str
    cloze: bool
    fields: tuple[str, ...]
    templates: int


def _models_v18(conn: sqlite3.Connection) -> dict[int, _Model]:
    fields: dict[int, list[tuple[int, str]]] = {}
    for ntid, ord_, name in conn.execute("SELECT ntid, ord, name FROM fields"):
        fields.setdefault(ntid, []).append((ord_, name))
    templates = Counter(ntid for (ntid,) in conn.execute("SELECT ntid FROM templates"))
    models = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        # NotetypeConfig: field 1 is the kind, 1 = cloze (absent means normal).
        cloze = bool(config) and config[0] == 0x08 and len(config) > 1 and config[1] == 1
        names = tuple(n for _, n in sorted(fields.get(ntid, [])))
        models[ntid] = _Model(name, cloze, names, templates[ntid])
    return models


def _decks_v18(conn: sqlite3.Connection) -> dict[int, str]:
    return {
        did: name.replace("\x1f", "::") for did, name in conn.execute("SELECT id, name FROM decks")
    }


def _models_legacy(conn: sqlite3.Connection) -> dict[int, _Model]:
    raw = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    models = {}
    for mid, model in raw.items():
        names = tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"]))
        models[int(mid)] = _Model(
            str(model["name"]), model.get("type") == 1, names, len(model.get("tmpls", []))
        )
    return models


def _decks_legacy(conn: sqlite3.Connection) -> dict[int, str]:
    raw = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    return {int(did): str(deck["name"]) for did, deck in raw.items()}


def card_key(guid: str, suffix: str = "") -> str:
    """The mlstudy card id of an Anki note's card: stable across imports of the same note."""
    digest = hashlib.sha1(guid.encode("utf-8")).hexdigest()[:12]
    return f"anki-{digest}{suffix}"


def _convert(
    conn: sqlite3.Connection,
    package: AnkiPackage,
    models: dict[int, _Model],
    decks: dict[int, str],
) -> None:
    reviews: dict[int, list[AnkiReview]] = {}
    if _has_table(conn, "revlog"):
        for row in conn.execute(
            "SELECT cid, id, ease, ivl, factor, time, type FROM revlog ORDER BY id"
        ):
            reviews.setdefault(row[0], []).append(AnkiReview(row[1], *row[2:]))
    cards_of: dict[int, list[tuple[int, ...]]] = {}
    for row in conn.execute(
        "SELECT nid, id, ord, did, type, queue, due, ivl, factor FROM cards ORDER BY nid, ord"
    ):
        cards_of.setdefault(row[0], []).append(row[1:])
    package.collection_start = int(conn.execute("SELECT crt FROM col").fetchone()[0] or 0)
    for nid, guid, mid, tags, flds in conn.execute(
        "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"
    ):
        model = models.get(mid)
        fields = str(flds).split("\x1f")
        if _is_update_stub(fields):
            continue  # the "please update Anki" note newer packages carry for old clients
        package.notes += 1
        if model is None:
            package.skipped.append(f"note {guid}: unknown note type {mid}")
            continue
        package.note_types[model.name] += 1
        if any(len(f) > MAX_FIELD_CHARS for f in fields):
            package.skipped.append(
                f"note {guid}: a field is longer than {MAX_FIELD_CHARS} characters"
            )
            continue
        if len(fields) < 2 and not model.cloze:
            package.skipped.append(f"note {guid} ({model.name}): fewer than two fields")
            continue
        note_tags = tuple(t for t in str(tags).split() if t)
        for cid, ord_, did, ctype, queue, due, ivl, factor in cards_of.get(nid, []):
            made = _card_text(model, fields, ord_)
            if made is None:
                package.skipped.append(
                    f"note {guid} ({model.name}): card {ord_ + 1} has no mlstudy form"
                )
                continue
            question, answer, suffix = made
            if not question.strip() or not answer.strip():
                package.skipped.append(f"note {guid} ({model.name}): an empty side")
                continue
            # A review card (due, suspended or buried) has a due day in days; a learning
            # or relearning card (type 1, 3) in days or, in an intraday step, in seconds.
            learning = ctype in (_LEARNING, _RELEARNING)
            due_day = None
            if ctype == _REVIEW and queue in (2, -1, -2, -3):
                due_day = int(due)
            elif learning:
                due_day = _learning_due_day(int(due), package.collection_start)
            package.cards.append(
                AnkiCard(
                    key=card_key(guid, suffix),
                    deck=decks.get(did, "Imported"),
                    question=question,
                    answer=answer,
                    tags=note_tags,
                    note_type=model.name,
                    interval=max(0, ivl),
                    factor=factor,
                    due_day=due_day,
                    reviews=tuple(reviews.get(cid, ())),
                    learning=learning,
                    suspended=queue == _SUSPENDED,
                )
            )


_LEARNING, _REVIEW, _RELEARNING = 1, 2, 3  # cards.type (0 is new)
_SUSPENDED = -1  # cards.queue
_SECONDS_FROM = 1_000_000_000
"""A learning card's due above this is a moment in epoch seconds (an intraday step);
below, a day number counted from the collection's creation (an interday step)."""


def _learning_due_day(due: int, collection_start: int) -> int:
    if due < _SECONDS_FROM:
        return due
    return max(0, (due - collection_start) // 86_400)


def _is_update_stub(fields: list[str]) -> bool:
    return len(fields) >= 1 and "please update to the latest anki version" in fields[0].lower()


def _card_text(model: _Model, fields: list[str], ord_: int) -> tuple[str, str, str] | None:
    """(question, answer, id suffix) in markdown for one card of a note, or None."""
    if model.cloze:
        return _cloze_card(fields, ord_ + 1)
    front, back = html_to_markdown(fields[0]), html_to_markdown(fields[1])
    if ord_ == 0:
        return _one_line(front), back, ""
    if ord_ == 1 and model.templates == 2:
        return _one_line(back), front, "-r"
    return None


def _cloze_card(fields: list[str], number: int) -> tuple[str, str, str] | None:
    text = fields[0]
    if not any(int(m.group(1)) == number for m in _CLOZE_RE.finditer(text)):
        return None

    def hide(match: re.Match[str]) -> str:
        if int(match.group(1)) != number:
            return match.group(2)
        return f"[{match.group(3)}]" if match.group(3) else "[...]"

    def show(match: re.Match[str]) -> str:
        if int(match.group(1)) != number:
            return match.group(2)
        return f"<b>{match.group(2)}</b>"

    question = _one_line(html_to_markdown(_CLOZE_RE.sub(hide, text)))
    answer = html_to_markdown(_CLOZE_RE.sub(show, text))
    extra = html_to_markdown(fields[1]) if len(fields) > 1 else ""
    if extra.strip():
        answer = f"{answer}\n\n{extra}"
    return question, answer, f"-c{number}"


def html_to_markdown(html: str) -> str:
    """Field HTML to markdown: sanitised first (no scripts, styles or handlers)."""
    clean = nh3.clean(html, tags=_FIELD_TAGS, attributes=_FIELD_ATTRIBUTES)
    text = markdownify(clean, heading_style="ATX", bullets="-", escape_misc=False)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    # A line starting with "## " would start a new card in the deck format.
    return "\n".join(re.sub(r"^(#{1,6}) ", r"\\\1 ", line) for line in lines)


def _one_line(markdown: str) -> str:
    """A card question is one heading line: join the lines, drop the id-like braces."""
    joined = " ".join(part.strip() for part in markdown.splitlines() if part.strip())
    return joined.replace("{#", "{ #")


def _read_media(
    path: Path, archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], compressed: bool
) -> dict[str, bytes]:
    if "media" not in names:
        return {}
    raw = _read_member(path, archive, names["media"], MAX_COLLECTION_BYTES)
    entries = list(_media_entries(path, raw, compressed))
    media, total = {}, 0
    for member, name in entries:
        if (
            not _SAFE_MEDIA_NAME.match(name)
            or name in (".", "..")
            or PurePosixPath(name).is_absolute()
        ):
            raise UserError(f"{path}: unsafe media file name {name!r}")
        info = names.get(member)
        if info is None:
            continue  # listed but not shipped: Anki does the same
        data = _read_member(path, archive, info, MAX_MEDIA_FILE_BYTES)
        if compressed:
            data = _zstd(path, member, data, MAX_MEDIA_FILE_BYTES)
        total += len(data)
        if total > MAX_MEDIA_TOTAL_BYTES:
            raise UserError(f"{path}: the media are larger than {MAX_MEDIA_TOTAL_BYTES} bytes")
        media[name] = data
    return media


def _media_entries(path: Path, raw: bytes, compressed: bool) -> Iterator[tuple[str, str]]:
    """(zip member, media name) pairs from the JSON or protobuf media list."""
    if not compressed:
        try:
            mapping = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UserError(f"{path}: the media list is damaged ({exc})") from None
        if not isinstance(mapping, dict):
            raise UserError(f"{path}: the media list is damaged")
        for member, name in mapping.items():
            yield str(member), str(name)
        return
    data = _zstd(path, "media", raw, MAX_COLLECTION_BYTES)
    try:
        for index, entry in enumerate(_protobuf_messages(data, 1)):
            fields = dict(_protobuf_fields(entry))
            name = fields.get(1, b"")
            member = fields.get(255, index)
            yield str(member), bytes(name).decode("utf-8") if isinstance(name, bytes) else ""
    except (IndexError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: the media list is damaged ({exc})") from None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise IndexError("varint too long")


def _protobuf_fields(data: bytes) -> Iterator[tuple[int, bytes | int]]:
    """(field number, value) of a protobuf message: varints and length-delimited only."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            yield number, value
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise IndexError("truncated field")
            yield number, data[pos : pos + length]
            pos += length
        else:
            raise IndexError(f"unexpected wire type {wire}")


def _protobuf_messages(data: bytes, number: int) -> Iterator[bytes]:
    for field_number, value in _protobuf_fields(data):
        if field_number == number and isinstance(value, bytes):
            yield value


def deck_slug(name: str) -> str:
    """A file name for an Anki deck: ``AWS ML::Streaming`` -> ``anki-aws-ml-streaming``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "deck"
    return f"anki-{slug}"


MEDIA_FOLDER = "anki-media"
"""Where imported media go, next to the deck files that use them."""
INLINE_IMAGE_BYTES = 256 * 1024
"""Images up to this size are shown in the card itself (card views load no files)."""
INLINE_BUDGET_BYTES = 1024 * 1024
"""Inline images per deck file, so that a deck file stays well under the size cap."""
_IMAGE_TYPES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp"}
_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def deck_files(
    package: AnkiPackage, domain: int | None, task: str | None, exam: str | None = None
) -> dict[str, str]:
    """One deck file text per Anki deck, keyed by file name (``anki-….md``).

    A card's Anki tags ``task::N.M`` or ``domain::N`` set its task or domain; ``domain``
    and ``task`` are the defaults for cards whose tags name neither. With neither, those
    cards have no domain (``domain: none``: studied, left out of readiness). ``exam``,
    when given, is named in each file's front matter (the cards stay in that exam pack).
    """
    by_deck: dict[str, list[AnkiCard]] = {}
    for card in package.cards:
        by_deck.setdefault(card.deck, []).append(card)
    files: dict[str, str] = {}
    for deck, cards in sorted(by_deck.items()):
        name = f"{deck_slug(deck)}.md"
        while name in files:
            name = name.removesuffix(".md") + "-2.md"
        head = ["---"]
        if exam:
            head.append(f"exam: {exam}")
        if task:
            head.append(f"task: {task}")
        elif domain is not None:
            head.append(f"domain: {domain}")
        else:
            head.append(f"domain: {NO_DOMAIN_WORD}")
        head += ["---", "", f"Imported from the Anki deck {deck!r} in {package.path.name}.", ""]
        budget = [INLINE_BUDGET_BYTES]
        body = [_media_links(_card_block(card), package.media, budget) for card in cards]
        files[name] = "\n".join(head) + "\n" + "\n".join(body)
    return files


def tagged_place(card: AnkiCard) -> tuple[str | None, int | None]:
    """The task and domain a card's Anki tags give (``task::N.M``, ``domain::N``), if any."""
    own_task = next((t.split("::", 1)[1] for t in card.tags if t.startswith("task::")), None)
    own_domain = next((t.split("::", 1)[1] for t in card.tags if t.startswith("domain::")), None)
    if own_task and re.fullmatch(r"\d+\.\d+", own_task):
        return own_task, None
    if own_domain and own_domain.isdigit() and int(own_domain) > 0:
        return None, int(own_domain)
    return None, None


def _card_block(card: AnkiCard) -> str:
    lines = [f"## {card.question} {{#{card.key}}}"]
    tags = [t for t in card.tags if "::" not in t]
    own_task, own_domain = tagged_place(card)
    if own_task:
        lines.append(f":task: {own_task}")
    elif own_domain is not None:
        lines.append(f":domain: {own_domain}")
    safe = [tag for tag in (_deck_tag(t) for t in tags) if tag]
    if safe:
        lines.append(":tags: " + ", ".join(dict.fromkeys(safe)))
    lines += ["", card.answer, ""]
    return "\n".join(lines)


def _deck_tag(tag: str) -> str:
    """An Anki tag in the deck format's tag alphabet (lower-case letters, digits, . _ + / -)."""
    cleaned = re.sub(r"[^a-z0-9._+/-]+", "-", tag.lower()).strip("-._+/")[:50]
    return cleaned


def _media_links(text: str, media: dict[str, bytes], budget: list[int]) -> str:
    """Show a package image in the card (inline, within ``budget``), else name its file.

    Every media file is also copied to ``MEDIA_FOLDER``; an image too large to inline,
    or any other media, is referred to by that path. Images outside the package are
    dropped: nothing is ever fetched.
    """

    def link(match: re.Match[str]) -> str:
        alt, src = match.group(1), match.group(2)
        data = media.get(src)
        if data is None:
            return f"[image: {alt or src}]"
        kind = _IMAGE_TYPES.get(PurePosixPath(src).suffix.lower())
        if kind and len(data) <= INLINE_IMAGE_BYTES and len(data) <= budget[0]:
            budget[0] -= len(data)
            encoded = base64.b64encode(data).decode("ascii")
            return f"![{alt or src}](data:image/{kind};base64,{encoded})"
        return f"[{alt or src}]({MEDIA_FOLDER}/{src})"

    return _IMAGE_RE.sub(link, text)
