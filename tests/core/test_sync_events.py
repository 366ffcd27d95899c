"""The sync event format read back, and a merged card continued from its stored state."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlstudy.core.models import ReviewKind
from mlstudy.core.replay import ReplayAnswer, replay_states
from mlstudy.core.sync import (
    Answer,
    LoggedAnswer,
    SegmentError,
    Stamped,
    continued_state,
    decode_segment,
    encode_segment,
    event_from_json,
    event_line,
    event_to_json,
    merged_kinds,
)

DEVICE = "a" * 32
D0 = date(2026, 11, 1)

answers = st.builds(
    Answer,
    uid=st.text("0123456789abcdef", min_size=32, max_size=32),
    card=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}", fullmatch=True),
    at=st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)).map(
        lambda moment: moment.isoformat()
    ),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    grade=st.integers(0, 5),
    kind=st.sampled_from(["new", "review", "drill", "import"]),
    answer_ms=st.integers(0, 10**9),
    before=st.tuples(st.integers(0, 10**6), st.integers(0, 10**4), st.integers(0, 10**6)),
    after=st.tuples(st.integers(0, 10**6), st.integers(0, 10**4), st.integers(0, 10**6)),
    undoes=st.none() | st.text("0123456789abcdef", min_size=32, max_size=32),
)


def _as_undo(answer: Answer) -> Answer:
    # A tombstone carries the kind "undo" once read back.
    return answer._replace(kind="undo")


@given(st.lists(answers, min_size=1, max_size=20))
def test_a_segment_reads_back_the_events_written(events: list[Answer]) -> None:
    lines = [event_line(Stamped(DEVICE, 7 + i, e)) for i, e in enumerate(events)]
    segment = decode_segment(encode_segment(DEVICE, 7, lines), DEVICE)
    expected = [_as_undo(e) if e.undoes else e for e in events]
    assert [s.event for s in segment.events] == expected
    assert [s.seq for s in segment.events] == list(range(7, 7 + len(events)))
    # Each line is the event's compact JSON and reads the same as plain JSON reading gives.
    for line, written, stamped in zip(lines, events, segment.events, strict=True):
        body = {"seq": stamped.seq, **event_to_json(written)}
        assert line == json.dumps(body, separators=(",", ":"), sort_keys=True)
        assert event_from_json(json.loads(line)) == stamped.event


def test_a_line_written_differently_reads_the_same_and_a_wrong_one_is_refused() -> None:
    answer = Answer("0" * 32, "t-kds", "2026-12-01T09:00:00+00:00", D0, 4, "review", 900)
    spaced = json.dumps({"seq": 1, **json.loads(event_line(Stamped(DEVICE, 1, answer)))})
    segment = decode_segment(encode_segment(DEVICE, 1, [spaced]), DEVICE)
    assert segment.events[0].event == answer
    for change in ({"grade": 6}, {"at": "2026-12-01T09:00:00"}, {"day": "2026-02-30"}):
        body = {**json.loads(spaced), **change}
        with pytest.raises(SegmentError):
            decode_segment(encode_segment(DEVICE, 1, [json.dumps(body)]), DEVICE)
    with pytest.raises(SegmentError, match="out of sequence"):
        decode_segment(encode_segment(DEVICE, 2, [event_line(Stamped(DEVICE, 1, answer))]), DEVICE)


history = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5)), max_size=12)
merged = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5)), min_size=1, max_size=12)


@given(history, merged)
def test_a_card_continued_from_its_state_equals_its_whole_log_replayed(
    before: list[tuple[int, int]], after: list[tuple[int, int]]
) -> None:
    # The merged answers come after the whole log, on later study days.
    old = sorted(before)
    last = old[-1][0] if old else -1
    new = sorted((last + 1 + d, g) for d, g in after)
    log = [
        LoggedAnswer((f"{n:04d}", "d", n), D0 + timedelta(days=d), g, "review")
        for n, (d, g) in enumerate(old + new)
    ]
    whole = replay_states(
        ReplayAnswer(1, a.day, a.grade, ReviewKind(kind)) for a, kind in merged_kinds(log)
    ).get(1)
    logged = replay_states(
        ReplayAnswer(1, a.day, a.grade, ReviewKind(kind))
        for a, kind in merged_kinds(log[: len(old)])
    ).get(1)
    continued = continued_state(logged, [(D0 + timedelta(days=d), g) for d, g in new])
    assert continued == whole
