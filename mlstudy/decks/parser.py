"""Parse card files into ``ParsedCard`` values, collecting every problem with its line.

A file is read as bytes, decoded as UTF-8 (the first bad byte's line is reported),
split into an optional front matter and ``## `` cards. Headings inside fenced code
blocks are answer text. One broken card never stops the others from loading.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from mlstudy.core.exam import NO_DOMAIN
from mlstudy.decks.limits import MAX_FILE_BYTES, is_source_url

FIELD_KEYS = ("domain", "task", "tags", "source")
NO_DOMAIN_WORD = "none"
"""``domain: none``: the cards are studied with no domain (``core.exam.NO_DOMAIN``), left
out of readiness. User decks only; a bundled pack must give every card a domain."""
FRONT_MATTER_KEYS = (*FIELD_KEYS, "exam", "kind", "order")
NEW_CARD_ORDERS = ("task", "file")
"""``order:`` in front matter: new cards by task statement (the default) or as written."""

_ID_RE = re.compile(r"\s*\{#([^}\s]*)\}\s*$")
_VALID_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_FIELD_RE = re.compile(r"^:([A-Za-z_]+):\s*(.*)$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TASK_RE = re.compile(r"^\d+\.\d+$")
_TAG_RE = re.compile(r"^[a-z0-9][a-z0-9._+/-]{0,49}$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation problem: where and what."""

    path: str
    line: int
    message: str
    level: str = "error"
    """"error" (counts against a check) or "note" (something skipped, said once)."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class ParsedCard:
    """A card as written in a file, before it is checked against an exam manifest."""

    key: str
    question: str
    answer: str
    domain: int | None
    task: str | None
    tags: tuple[str, ...]
    source: str
    path: str
    line: int

    @property
    def content_hash(self) -> str:
        """A hash of everything a user sees or the scheduler uses; changes when the card does."""
        digest = hashlib.sha256()
        for part in (
            self.question,
            self.answer,
            str(self.domain),
            self.task or "",
            ",".join(self.tags),
            self.source,
            self.path,
            str(self.line),
        ):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()[:32]


@dataclass(slots=True)
class ParsedFile:
    """The cards and problems of one file, plus the exam code it names (if any)."""

    path: str
    cards: list[ParsedCard] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    exam: str | None = None
    kind: str | None = None
    """``questions`` for a practice question file (read by ``decks.questions``, not here)."""
    order: str = "task"
    """How this file's new cards are introduced: ``task`` or ``file`` (``NEW_CARD_ORDERS``)."""


class FileTooLargeError(OSError):
    """A card file over ``MAX_FILE_BYTES``; ``size`` is what the file system says."""

    def __init__(self, size: int) -> None:
        super().__init__(f"file is larger than {MAX_FILE_BYTES} bytes")
        self.size = size


class NotRegularFileError(OSError):
    """A FIFO, device, socket or folder where a card file was expected."""


def read_bounded(path: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``.

    Opened without blocking (a FIFO named ``*.md`` does not hang the read) and checked
    on the open handle, so a file swapped for a device after a ``stat`` is refused too;
    never more than the cap is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise FileTooLargeError(info.st_size)
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(handle, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(handle)
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLargeError(len(data))
    return data


def read_card_file(path: Path, display_path: str | None = None) -> ParsedFile:
    """Read and parse one card file; I/O problems become problems, not exceptions."""
    shown = display_path or str(path)
    try:
        data = read_bounded(path)
    except FileTooLargeError as exc:
        result = ParsedFile(shown)
        result.problems.append(
            Problem(
                shown,
                1,
                f"file is {exc.size / 1_048_576:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES // 1_048_576} MB per card file: split it",
            )
        )
        return result
    except OSError as exc:
        result = ParsedFile(shown)
        result.problems.append(Problem(shown, 1, f"cannot read file: {exc.strerror or exc}"))
        return result
    return parse_card_bytes(data, shown)


def parse_card_bytes(data: bytes, path: str) -> ParsedFile:
    """Decode UTF-8 (reporting the line of the first invalid byte) and parse."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result = ParsedFile(path)
        result.problems.append(
            Problem(
                path, line, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
            )
        )
        return result
    return parse_card_text(text, path)


def parse_card_text(text: str, path: str) -> ParsedFile:
    """Parse the text of a card file."""
    result = ParsedFile(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not text.strip():
        result.problems.append(Problem(path, 1, "file is empty: it holds no cards"))
        return result
    if declares_questions(lines):
        result.kind = "questions"  # a practice question file: decks.questions reads it
        return result
    defaults, body_start = _parse_front_matter(lines, result)
    _parse_cards(lines, body_start, defaults, result)
    if not result.cards and not any(p for p in result.problems):
        result.problems.append(
            Problem(path, 1, "no cards found: a card starts with a '## question {#id}' line")
        )
    return result


def declares_questions(lines: list[str]) -> bool:
    """True when the front matter says ``kind: questions``."""
    if not lines or lines[0].strip() != "---":
        return False
    for raw in lines[1:40]:
        if raw.strip() == "---":
            return False
        key, _sep, value = raw.partition(":")
        if key.strip().lower() == "kind":
            return value.strip().lower() == "questions"
    return False


def split_front_matter(
    lines: list[str], path: str, known_keys: tuple[str, ...]
) -> tuple[list[tuple[int, str, str]], int, list[Problem]]:
    """The ``key: value`` lines of a file's front matter (line number, key, value), the
    index of the first line after it, and a problem for each line that is not a known
    key (comments and blank lines are skipped). Card and question files share it."""
    entries: list[tuple[int, str, str]] = []
    problems: list[Problem] = []
    if not lines or lines[0].strip() != "---":
        return entries, 0, problems
    for index in range(1, len(lines)):
        if lines[index].strip() != "---":
            continue
        for number, raw in enumerate(lines[1:index], start=2):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            key, sep, value = stripped.partition(":")
            key = key.strip().lower()
            if not sep:
                message = f"front matter line must be 'key: value', got {stripped[:40]!r}"
                problems.append(Problem(path, number, message))
            elif key not in known_keys:
                message = f"unknown front matter key '{key}' (known: {', '.join(known_keys)})"
                problems.append(Problem(path, number, message))
            else:
                entries.append((number, key, value.strip()))
        return entries, index + 1, problems
    problems.append(
        Problem(path, 1, "front matter starts with '---' but has no closing '---' line")
    )
    return entries, len(lines), problems


def _parse_front_matter(lines: list[str], result: ParsedFile) -> tuple[dict[str, object], int]:
    defaults: dict[str, object] = {}
    entries, end, problems = split_front_matter(lines, result.path, FRONT_MATTER_KEYS)
    result.problems.extend(problems)
    for number, key, value in entries:
        _set_field(defaults, key, value, result, number)
    exam = defaults.pop("exam", None)
    result.exam = str(exam) if exam else None
    kind = defaults.pop("kind", None)
    result.kind = str(kind) if kind else None
    order = defaults.pop("order", None)
    result.order = str(order) if order else "task"
    return defaults, end


def _set_field(
    target: dict[str, object], key: str, value: str, result: ParsedFile, line: int
) -> None:
    if key == "domain":
        if value.lower() == NO_DOMAIN_WORD:
            target[key] = NO_DOMAIN
            return
        if not value.isdigit() or int(value) == NO_DOMAIN:
            result.problems.append(
                Problem(
                    result.path,
                    line,
                    f"domain must be a domain number such as 3, or none, got {value!r}",
                )
            )
            return
        target[key] = int(value)
    elif key == "task":
        if not _TASK_RE.match(value):
            result.problems.append(
                Problem(result.path, line, f"task must look like 3.2, got {value!r}")
            )
            return
        target[key] = value
    elif key == "tags":
        inner = value[1:-1] if value.startswith("[") and value.endswith("]") else value
        tags = tuple(t.strip().strip("'\"").lower() for t in inner.split(",") if t.strip())
        bad = [t for t in tags if not _TAG_RE.match(t)]
        if bad:
            result.problems.append(
                Problem(
                    result.path,
                    line,
                    f"tag {bad[0][:40]!r} may hold only letters, digits and . _ + / - (at most 50)",
                )
            )
            return
        target[key] = tags
    elif key == "order":
        if value.lower() not in NEW_CARD_ORDERS:
            result.problems.append(
                Problem(
                    result.path,
                    line,
                    f"order must be one of {', '.join(NEW_CARD_ORDERS)}, got {value[:40]!r}",
                )
            )
            return
        target[key] = value.lower()
    elif key == "source":
        if value and not is_source_url(value):
            result.problems.append(
                Problem(
                    result.path,
                    line,
                    f"source must be an absolute http(s) URL, got {value[:60]!r}",
                )
            )
            return
        target[key] = value
    else:
        target[key] = value


def _merged_tags(file_tags: object, card_tags: object) -> tuple[str, ...]:
    """A card's tags add to its file's tags: the file's first, then the card's new ones."""
    merged: list[str] = []
    for group in (file_tags, card_tags):
        if isinstance(group, tuple):
            merged.extend(t for t in group if t not in merged)
    return tuple(merged)


def _parse_cards(
    lines: list[str], start: int, defaults: dict[str, object], result: ParsedFile
) -> None:
    fence: str | None = None
    heading_at: int | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        match = _FENCE_RE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
            elif (
                marker[0] == fence[0]
                and len(marker) >= len(fence)
                and not line.strip()[len(marker) :].strip()
            ):
                fence = None
            continue
        if fence is None and line.startswith("## "):
            if heading_at is not None:
                _finish_card(lines, heading_at, index, defaults, result)
            heading_at = index
    if heading_at is not None:
        _finish_card(lines, heading_at, len(lines), defaults, result)


def _finish_card(
    lines: list[str], start: int, end: int, defaults: dict[str, object], result: ParsedFile
) -> None:
    line_no = start + 1
    heading = lines[start][3:].strip()
    match = _ID_RE.search(heading)
    if not match:
        result.problems.append(
            Problem(result.path, line_no, "card heading has no id: end it with {#some-id}")
        )
        return
    key = match.group(1)
    question = heading[: match.start()].strip()
    if not _VALID_ID_RE.match(key):
        result.problems.append(
            Problem(
                result.path,
                line_no,
                f"card id {key!r} must be lower-case letters, digits and hyphens",
            )
        )
        return
    if not question:
        result.problems.append(Problem(result.path, line_no, f"card {key!r} has no question"))
        return
    fields = dict(defaults)
    body = start + 1
    ok = True
    while body < end:
        field_match = _FIELD_RE.match(lines[body])
        if not field_match:
            break
        name = field_match.group(1).lower()
        if name not in FIELD_KEYS:
            result.problems.append(
                Problem(
                    result.path,
                    body + 1,
                    f"unknown card field ':{name}:' (known: {', '.join(FIELD_KEYS)})",
                )
            )
            ok = False
        else:
            before = len(result.problems)
            _set_field(fields, name, field_match.group(2).strip(), result, body + 1)
            ok = ok and len(result.problems) == before
            if name == "tags":
                fields["tags"] = _merged_tags(defaults.get("tags"), fields.get("tags"))
        body += 1
    answer = "\n".join(lines[body:end]).strip()
    if not answer:
        result.problems.append(Problem(result.path, line_no, f"card {key!r} has no answer"))
        return
    if not ok:
        return
    domain = fields.get("domain")
    tags = fields.get("tags", ())
    result.cards.append(
        ParsedCard(
            key=key,
            question=question,
            answer=answer,
            domain=domain if isinstance(domain, int) else None,
            task=str(fields["task"]) if fields.get("task") else None,
            tags=tags if isinstance(tags, tuple) else (),
            source=str(fields.get("source", "")),
            path=result.path,
            line=line_no,
        )
    )
