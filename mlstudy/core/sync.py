"""Study on several computers: the event model, segment format and merge rules (pure).

Each device appends its own events (answers, undo tombstones, suspensions, settings) to
immutable segment files in a shared folder; the others validate and merge them. This
module knows no files and no database: it turns events into segment text and back
(refusing anything malformed: the folder is untrusted input), and states the two
merge rules every device applies in the same way:

- log order: (timestamp, device, sequence), whatever order the events arrived in;
- SM-2's same-day rule across devices: a card's first live answer ever is ``new``, its
  first on a later study day a ``review``, any other answer that day a ``drill``.

Settings and suspensions: the last change wins, the device id breaking ties.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from mlstudy.core.replay import ReplayedState, apply_grades

FORMAT = "mlstudy-sync"
VERSION = 1
"""The segment format this mlstudy writes and reads; a newer one is left for later."""
MAX_SEGMENT_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 16 * 1024
MAX_EVENTS_PER_SEGMENT = 200_000
MAX_SEQ = 10**12 - 1
DEVICE_ID = re.compile(r"^[0-9a-f]{32}\Z")
UID = re.compile(r"^[0-9a-f]{32}\Z")
CARD_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}\Z")
SETTING_KEY = re.compile(r"^[a-z][a-z0-9_:.-]{0,63}\Z")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
KIND = re.compile(r"^[a-z]{1,8}\Z")
CHANGE_KEY = re.compile(r"^(setting|suspend):")
SEGMENT_NAME = re.compile(r"^(\d{12})-(\d{12})")
"""A segment's name starts ``<first seq>-<last seq>``; a conflicted copy keeps that start."""
ANSWER_KINDS = ("new", "review", "drill")


class SegmentError(ValueError):
    """A segment that cannot be used: truncated, corrupt, or not a segment at all."""


class NewerFormatError(SegmentError):
    """A segment written by a newer mlstudy (left in the folder for a later version)."""


class Answer(NamedTuple):
    """A graded card (or, with ``undoes``, a tombstone undoing the answer it names).

    A named tuple, like ``Stamped``: a merge reads a hundred thousand, and a tuple is
    made three times faster than a frozen dataclass.
    """

    uid: str
    card: str
    at: str
    day: date
    grade: int
    kind: str
    answer_ms: int
    before: tuple[int, int, int] = (0, 250, 0)
    """(interval, EF in hundredths, repetitions) before the answer, as its device logged it."""
    after: tuple[int, int, int] = (0, 250, 0)
    """The same after the answer (informational: replay recomputes the state)."""
    undoes: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A last-writer-wins value: a setting (``setting:<name>``) or a suspension
    (``suspend:<card key>``) with its JSON text."""

    key: str
    value: str
    at: str


Event = Answer | Change


class Stamped(NamedTuple):
    """An event with the device that wrote it and its sequence number there."""

    device: str
    seq: int
    event: Event

    @property
    def order(self) -> tuple[str, str, int]:
        """The merge order: (timestamp, device, sequence)."""
        return (self.event.at, self.device, self.seq)


@dataclass(frozen=True, slots=True)
class Segment:
    """A validated segment: one device's events ``first``..``last``, in sequence."""

    device: str
    first: int
    last: int
    events: tuple[Stamped, ...]


def segment_name(first: int, last: int) -> str:
    """The file name of a segment of events ``first``..``last``."""
    return f"{first:012d}-{last:012d}.jsonl"


def parse_segment_name(name: str) -> tuple[int, int] | None:
    """(first, last) from a segment file name (conflicted copies included), or None."""
    match = SEGMENT_NAME.match(name)
    if not match or name.startswith("."):
        return None
    first, last = int(match.group(1)), int(match.group(2))
    return (first, last) if 1 <= first <= last else None


def _timestamp(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("bad timestamp")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("timestamp without a zone")
    return value


def _int(value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"bad {what}")
    return value


def _text(value: Any, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(f"bad {what}")
    return value


def _triple(value: Any) -> tuple[int, int, int]:
    if not isinstance(value, list) or len(value) != 3:
        raise ValueError("bad state numbers")
    interval, easiness, repetitions = value
    return (
        _int(interval, 0, 10**6, "interval"),
        _int(easiness, 0, 10**4, "easiness"),
        _int(repetitions, 0, 10**6, "repetitions"),
    )


def event_to_json(event: Event) -> dict[str, Any]:
    """The JSON object of an event (without device and sequence)."""
    if isinstance(event, Answer):
        body: dict[str, Any] = {
            "t": "undo" if event.undoes else "answer",
            "uid": event.uid,
            "card": event.card,
            "at": event.at,
            "day": event.day.isoformat(),
            "grade": event.grade,
            "kind": event.kind,
            "ms": event.answer_ms,
            "before": list(event.before),
            "after": list(event.after),
        }
        if event.undoes:
            body["undoes"] = event.undoes
        return body
    return {"t": "set", "key": event.key, "value": event.value, "at": event.at}


def event_from_json(data: Any) -> Event:
    """An event from its decoded JSON, every field checked; ``ValueError`` otherwise."""
    if not isinstance(data, dict):
        raise ValueError("not an object")
    kind = data.get("t")
    if kind in ("answer", "undo"):
        undoes = _text(data.get("undoes"), UID, "undoes") if kind == "undo" else None
        answer_kind = data.get("kind")
        if not isinstance(answer_kind, str) or not KIND.match(answer_kind):
            raise ValueError("bad kind")
        if kind == "undo":
            answer_kind = "undo"
        day = date.fromisoformat(_text(data.get("day"), DAY, "day"))
        return Answer(
            uid=_text(data.get("uid"), UID, "uid"),
            card=_text(data.get("card"), CARD_KEY, "card"),
            at=_timestamp(data.get("at")),
            day=day,
            grade=_int(data.get("grade"), 0, 5, "grade"),
            kind=answer_kind,
            answer_ms=_int(data.get("ms"), 0, 10**9, "answer time"),
            before=_triple(data.get("before")),
            after=_triple(data.get("after")),
            undoes=undoes,
        )
    if kind == "set":
        key = _text(data.get("key"), CHANGE_KEY, "key")
        name = key.split(":", 1)[1]
        _text(name, SETTING_KEY if key.startswith("setting:") else CARD_KEY, "key")
        value = data.get("value")
        if not isinstance(value, str) or len(value) > 4096:
            raise ValueError("bad value")
        json.loads(value)
        return Change(key=key, value=value, at=_timestamp(data.get("at")))
    raise ValueError(f"unknown event type {str(kind)[:20]!r}")


_N6 = "(0|[1-9][0-9]{0,5}|1000000)"
_N4 = "(0|[1-9][0-9]{0,3}|10000)"
_CANONICAL_ANSWER = re.compile(
    '{"after":\\[' + _N6 + "," + _N4 + "," + _N6 + '\\],"at":"([0-9T:.+Z-]{1,40})",'
    '"before":\\[' + _N6 + "," + _N4 + "," + _N6 + "\\],"
    '"card":"([A-Za-z0-9][A-Za-z0-9_.:-]{0,99})","day":"([0-9]{4}-[0-9]{2}-[0-9]{2})",'
    '"grade":([0-5]),"kind":"(new|review|drill)","ms":(0|[1-9][0-9]{0,8}|1000000000),'
    '"seq":([1-9][0-9]{0,11}),"t":"answer","uid":"([0-9a-f]{32})"}'
)
"""An answer line exactly as ``event_line`` writes it, every field within its bounds.

Reading such a line with this pattern gives the event ``event_from_json`` gives (the
pattern accepts a subset of what it accepts); any other line takes that slower path.
"""


def _canonical_answer(
    line: str, days: dict[str, date], triples: dict[tuple[str, str, str], tuple[int, int, int]]
) -> tuple[int, Answer] | None:
    """(seq, answer) of a canonical answer line, or None for any other line.

    ``days`` and ``triples``: the study days and state numbers read so far (a segment
    repeats them), shared by the lines of a segment.
    """
    match = _CANONICAL_ANSWER.fullmatch(line)
    if match is None:
        return None
    ia, ea, ra, at, ib, eb, rb, card, day, grade, kind, ms, seq, uid = match.groups()
    try:
        if datetime.fromisoformat(at).tzinfo is None:
            return None
        study_day = days.get(day)
        if study_day is None:
            study_day = days[day] = date.fromisoformat(day)
    except ValueError:
        return None
    before = triples.get((ib, eb, rb))
    if before is None:
        before = triples[(ib, eb, rb)] = (int(ib), int(eb), int(rb))
    after = triples.get((ia, ea, ra))
    if after is None:
        after = triples[(ia, ea, ra)] = (int(ia), int(ea), int(ra))
    answer = Answer(uid, card, at, study_day, int(grade), kind, int(ms), before, after)
    return int(seq), answer


def answer_line(
    seq: int,
    uid: str,
    card: str,
    at: str,
    day: str,
    grade: int,
    kind: str,
    answer_ms: int,
    before: tuple[int, int, int],
    after: tuple[int, int, int],
) -> str | None:
    """The segment line ``event_line`` writes for an answer (not a tombstone) given as
    plain values (``day`` as ISO text), written directly; None when it would not read
    back as that same JSON does (the canonical pattern), for ``event_line`` to write."""
    (ia, ea, ra), (ib, eb, rb) = after, before
    line = (
        f'{{"after":[{ia},{ea},{ra}],"at":"{at}","before":[{ib},{eb},{rb}],'
        f'"card":"{card}","day":"{day}","grade":{grade},"kind":"{kind}","ms":{answer_ms},'
        f'"seq":{seq},"t":"answer","uid":"{uid}"}}'
    )
    return line if _CANONICAL_ANSWER.fullmatch(line) else None


def event_line(stamped: Stamped) -> str:
    """An event's line in a segment (its sequence number included), always the same text:
    ``event_to_json`` with the sequence number, as compact JSON with sorted keys."""
    event = stamped.event
    if isinstance(event, Answer) and event.undoes is None:
        # Most lines are answers: written directly, about five times faster.
        line = answer_line(
            stamped.seq,
            event.uid,
            event.card,
            event.at,
            event.day.isoformat(),
            event.grade,
            event.kind,
            event.answer_ms,
            event.before,
            event.after,
        )
        if line is not None:
            return line
    body = {"seq": stamped.seq, **event_to_json(event)}
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def encode_segment(device: str, first: int, lines: Sequence[str]) -> bytes:
    """A segment's bytes: a header line (format, version, device, range, checksum), then
    the event lines (``event_line``) of ``device``'s events from ``first`` on."""
    if not lines:
        raise ValueError("an empty segment")
    body = ("\n".join(lines) + "\n").encode()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "device": device,
        "first": first,
        "last": first + len(lines) - 1,
        "count": len(lines),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    return json.dumps(header, sort_keys=True).encode() + b"\n" + body


def decode_segment(data: bytes, device: str) -> Segment:
    """A segment of ``device`` from its bytes, every event validated.

    Raises:
        NewerFormatError: written by a newer mlstudy.
        SegmentError: truncated, corrupt, of another device, or out of bounds.
    """
    if len(data) > MAX_SEGMENT_BYTES:
        raise SegmentError("larger than a segment can be")
    head, sep, body = data.partition(b"\n")
    if not sep or len(head) > MAX_LINE_BYTES:
        raise SegmentError("no header (a truncated file?)")
    try:
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise SegmentError("not an mlstudy sync segment")
        version = _int(header.get("version"), 1, 10**6, "version")
        if version > VERSION:
            raise NewerFormatError(f"written by a newer mlstudy (segment format {version})")
        if header.get("device") != device:
            raise SegmentError("written under another device's name")
        first = _int(header.get("first"), 1, MAX_SEQ, "first")
        last = _int(header.get("last"), first, MAX_SEQ, "last")
        count = _int(header.get("count"), 1, MAX_EVENTS_PER_SEGMENT, "count")
        if count != last - first + 1:
            raise SegmentError("its event count does not match its range")
        if hashlib.sha256(body).hexdigest() != header.get("sha256"):
            raise SegmentError("its checksum does not match (truncated or changed)")
        lines = body.split(b"\n")
        if lines[-1] != b"" or len(lines) - 1 != count:
            raise SegmentError("its line count does not match its header")
        if max(map(len, lines)) > MAX_LINE_BYTES:
            raise SegmentError("an event is too long")
        events = []
        days: dict[str, date] = {}
        triples: dict[tuple[str, str, str], tuple[int, int, int]] = {}
        for seq, line in enumerate(lines[:-1], start=first):
            fast = (
                _canonical_answer(line.decode("ascii"), days, triples) if line.isascii() else None
            )
            if fast is not None:
                if fast[0] != seq:
                    raise SegmentError(f"event {seq} is out of sequence")
                events.append(Stamped(device, seq, fast[1]))
                continue
            data_obj = json.loads(line)
            if not isinstance(data_obj, dict) or data_obj.get("seq") != seq:
                raise SegmentError(f"event {seq} is out of sequence")
            events.append(Stamped(device, seq, event_from_json(data_obj)))
    except SegmentError:
        raise
    except (ValueError, TypeError, RecursionError) as exc:
        raise SegmentError(f"a malformed event or header: {str(exc)[:80]}") from None
    return Segment(device, first, last, tuple(events))


@dataclass(frozen=True, slots=True)
class LoggedAnswer:
    """A live answer of one card as the merge replays it."""

    order: tuple[str, str, int]
    day: date
    grade: int
    kind: str


def merged_kinds(
    answers: Iterable[LoggedAnswer], reviewed_before: bool = False
) -> list[tuple[LoggedAnswer, str]]:
    """One card's live answers in merge order, each with the kind the merge gives it.

    The first answer ever is ``new``; the first on another study day is a ``review``;
    any further answer on a day that already has one is a ``drill`` (SM-2 counts only
    a card's first grade of a study day, whichever computer gave it). A kind this
    version does not know (an import's, say) is kept as it is and passed through.
    ``reviewed_before``: the card has answers on earlier days than all of these.
    """
    result: list[tuple[LoggedAnswer, str]] = []
    days: set[date] = set()
    seen = reviewed_before
    for answer in sorted(answers, key=lambda a: a.order):
        if answer.kind not in ANSWER_KINDS:
            result.append((answer, answer.kind))
            seen = True
            continue
        kind = "drill" if answer.day in days else "review" if seen else "new"
        days.add(answer.day)
        seen = True
        result.append((answer, kind))
    return result


def continued_state(
    previous: ReplayedState | None, answers: Iterable[tuple[date, int]]
) -> ReplayedState | None:
    """A card's state after live answers (study day, grade), in merge order, that all
    come after its whole log, in merge order and on later study days than any of it;
    ``previous`` is the state of that log (None: the card has no log at all).

    The same as replaying the whole log with ``merged_kinds``: the first of the answers
    on each study day changes the state, the others are drills.
    """
    return apply_grades(previous, state_changing(list(answers)))


def state_changing(answers: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """Of a card's answers (study day, grade) in merge order that continue its log, the
    ones that change its state: the first of each study day."""
    if len(answers) == 1:  # most cards of a merge
        return answers
    days: set[date] = set()
    firsts: list[tuple[date, int]] = []
    for day, grade in answers:
        if day not in days:
            days.add(day)
            firsts.append((day, grade))
    return firsts


def wins(new: tuple[str, str], old: tuple[str, str] | None) -> bool:
    """Whether a change stamped (timestamp, device) replaces one stamped ``old``."""
    return old is None or new > old
