"""Fast readers for the progress series: the review log as numpy columns, card snapshots.

The log is read as packed integer columns straight into numpy, never as one
``ReviewEvent`` object per answer: a million answers cost seconds as objects and a
fraction of that as columns.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Integer, Select, bindparam, case, cast, func, select
from sqlalchemy.orm import aliased

from mlstudy.core.card_table import UNSEEN, CardTable
from mlstudy.core.interop import ANKI_KINDS
from mlstudy.core.progress import KINDS, ReviewLog
from mlstudy.storage.schema import CardState, Placement, Review
from mlstudy.storage.study import UNDONE

IntArray = npt.NDArray[np.int64]

# Packing of one review row into two integers (SQLite does the arithmetic in C):
#   a = card_id << 25 | day ordinal << 5 | grade << 2 | kind code
#   b = interval_before << 32 | interval_after
_DAY_BITS = 20  # ordinals below 2**20 reach the year 2870
_CARD_SHIFT = _DAY_BITS + 5
_INTERVAL_SHIFT = 32
_ORDINAL_JULIAN_OFFSET = 1721424.5  # julianday('0001-01-01') - 1: julianday - this = ordinal
_FETCH_ROWS = 65536
_BLOCK_ROWS = 1 << 18  # review ids per aggregate: texts of a few megabytes
_DOMAIN_BITS = 8  # domain numbers below 256
_STATE_SHIFT = 24  # intervals and day ordinals below 2**24 (the year 45,000)
_SPLIT_ROWS = 100_000  # logs shorter than this are read on one connection
_NO_KIND = 3  # a kind outside KINDS (a damaged row): left out, as no series knows it
_CHECKPOINT_ROWS = 4096  # far more than the undo depth: undone answers lie after it
_WRITERS: list[threading.Thread] = []  # cache files being written in the background
_WRITERS_LOCK = threading.Lock()


_DECODE: dict[str, Callable[[IntArray, IntArray], IntArray]] = {
    "card_id": lambda a, _b: a >> _CARD_SHIFT,
    "day": lambda a, _b: (a >> 5) & ((1 << _DAY_BITS) - 1),
    "grade": lambda a, _b: (a >> 2) & 7,
    "kind": lambda a, _b: a & 3,
    "interval_before": lambda _a, b: b >> _INTERVAL_SHIFT,
    "interval_after": lambda _a, b: b & ((1 << _INTERVAL_SHIFT) - 1),
}


class _ColumnLog(ReviewLog):
    """A ``ReviewLog`` over the packed columns read from the database.

    Each column is unpacked when a series first asks for it, so series running on
    different threads unpack theirs in parallel (numpy releases the GIL).
    """

    def __init__(self, a: IntArray, b: IntArray) -> None:
        super().__init__(())
        self._a, self._b = a, b

    def __len__(self) -> int:
        return int(self._a.size)

    def _column(self, name: str) -> IntArray:
        column = self._columns.get(name)
        if column is None:  # two threads may both unpack it: same values either way
            column = _DECODE[name](self._a, self._b)
            self._columns[name] = column
        return column


_CHECKSUM_PRIME = 2_147_483_647


def _day() -> Any:
    # The stored ordinal; rows written without it (by hand) fall back to the text day.
    return func.coalesce(
        Review.day_number,
        cast(func.julianday(Review.study_day) - _ORDINAL_JULIAN_OFFSET, Integer),
        1,
    )


def _packed_a(with_undone: bool) -> Any:
    # Tombstones, undone answers and imported states get no kind of KINDS: the series
    # leave them out; Anki's history counts as the answer kind it stands for (HISTORY).
    # The test for undone answers costs a lookup per row: only made when there are any.
    undone = [(Review.uid.in_(UNDONE), _NO_KIND)] if with_undone else []
    code_of = {k: code for code, k in enumerate(KINDS)}
    kind = case(
        *undone,
        *((Review.kind == k.value, code) for k, code in code_of.items()),
        *((Review.kind == name, code_of[k]) for name, k in ANKI_KINDS.items()),
        else_=_NO_KIND,
    )
    return Review.card_id * (1 << _CARD_SHIFT) + _day() * 32 + Review.grade * 4 + kind


_CHECKSUM = (
    Review.id * 1_000_003 + Review.card_id * (1 << (_CARD_SHIFT - 2)) + _day() * 8 + Review.grade
) % _CHECKSUM_PRIME
"""Per-row checksum of the log rows that the column cache stands for.

It covers the row's id, card, study day and grade, so a cached row is reused only
while the log holds that answer under that id (and ids are never reused: AUTOINCREMENT,
schema version 4). An answer undone since the cache was written is found from the
tombstones after it (``_undone_since``). Each term is below 2**31, so the sum cannot
overflow SQLite's 64-bit integers for any log that fits on a disk.
``_block_checksum`` computes the same in numpy.
"""


def _block_checksum(low: int, a: IntArray) -> int:
    """``_CHECKSUM`` summed over rows with the ids low, low + 1, ... and packed ``a``."""
    ids = np.arange(low, low + a.size, dtype=np.int64)
    return int(((ids * 1_000_003 + (a >> 2)) % _CHECKSUM_PRIME).sum())


def _packed_block_query(with_undone: bool) -> Select[Any]:
    packed_b = Review.interval_before * (1 << _INTERVAL_SHIFT) + Review.interval_after
    # A range of rowids is scanned in rowid order, so each text is in log order.
    return select(
        func.count(), func.group_concat(_packed_a(with_undone)), func.group_concat(packed_b)
    ).where(Review.id >= bindparam("low"), Review.id < bindparam("high"))


def _checksum_query() -> Select[Any]:
    return select(func.coalesce(func.sum(_CHECKSUM), 0)).where(
        Review.id >= bindparam("low"), Review.id < bindparam("high")
    )


def _has_undone(conn: Connection) -> bool:
    """True when the log holds a tombstone (one seek in the partial index)."""
    return (
        conn.execute(select(Review.id).where(Review.undoes.is_not(None)).limit(1)).first()
        is not None
    )


_TOMBSTONE = aliased(Review)


def _undone_since(conn: Connection, last_id: int) -> int | None:
    """The lowest id of an answer undone by a tombstone after ``last_id``, or None."""
    undone = select(_TOMBSTONE.undoes).where(
        _TOMBSTONE.id > last_id, _TOMBSTONE.undoes.is_not(None)
    )
    return conn.execute(select(func.min(Review.id)).where(Review.uid.in_(undone))).scalar()


def _read_packed(conn: Connection, first: int, last: int) -> tuple[IntArray, IntArray, int]:
    """Packed columns of the log rows with ids first..last, in log order, and their checksum."""
    block = _packed_block_query(_has_undone(conn))
    parts_a, parts_b = [], []
    checksum = 0
    for low in range(first, last + 1, _BLOCK_ROWS):
        high = min(low + _BLOCK_ROWS, last + 1)
        count, text_a, text_b = conn.execute(block, {"low": low, "high": high}).one()
        if not count:
            continue
        a = np.fromstring(text_a, dtype=np.int64, sep=",")
        b = np.fromstring(text_b, dtype=np.int64, sep=",")
        if a.size != count or b.size != count:
            raise RuntimeError(
                f"review log block at id {low}: {count} rows, {a.size}/{b.size} read"
            )
        if count == high - low:  # every id of the range is there: no need to ask SQLite
            checksum += _block_checksum(low, a)
        else:
            checksum += int(
                conn.execute(_checksum_query(), {"low": low, "high": high}).scalar_one()
            )
        parts_a.append(a)
        parts_b.append(b)
    empty = np.zeros(0, dtype=np.int64)
    return (
        np.concatenate(parts_a) if parts_a else empty,
        np.concatenate(parts_b) if parts_b else empty,
        checksum,
    )


def _prefix_signature(conn: Connection, last_id: int, after_id: int = 0) -> tuple[int, int]:
    """(rows, checksum) of the log rows with after_id < id <= last_id.

    Changes if any of those rows changed: the checksum covers each row's id, card,
    study day and grade.
    """
    count, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(_CHECKSUM), 0)).where(
            Review.id > after_id, Review.id <= last_id
        )
    ).one()
    return int(count), int(total)


@dataclass(frozen=True)
class _Cache:
    """The log's packed columns up to ``last_id``, with two signatures to check them.

    ``checkpoint`` is an id ``_CHECKPOINT_ROWS`` ids before the end. An undo removes
    answers from the end only, so when the whole prefix no longer matches, the rows up
    to the checkpoint usually still do and only the rest is read again.
    """

    last_id: int
    signature: tuple[int, int]
    checkpoint: int
    checkpoint_signature: tuple[int, int]
    a: IntArray
    b: IntArray


def _load_cache(path: Path) -> _Cache | None:
    """The cache file's columns, or None when it is missing or damaged in any way (it is
    then rebuilt from the log): a damaged zip, other dtypes or shapes, impossible values."""
    try:
        # Opened here: np.load leaves its own handle open when the zip is damaged.
        with open(path, "rb") as handle, np.load(handle) as data:
            meta_array, a, b = data["meta"], data["a"], data["b"]
            if meta_array.shape != (6,) or not all(x.dtype == np.int64 for x in (meta_array, a, b)):
                return None
            meta = [int(v) for v in meta_array]
    except Exception:  # whatever a damaged file raises (BadZipFile, zlib.error, ...)
        return None
    last_id, count, total, checkpoint, head_count, head_total = meta
    if a.shape != b.shape or a.ndim != 1 or not 0 <= head_count <= count == a.size:
        return None
    if a.size and (int(a.min()) < 0 or int(b.min()) < 0 or int(a.max()) >> _CARD_SHIFT >= 1 << 31):
        return None
    return _Cache(last_id, (count, total), checkpoint, (head_count, head_total), a, b)


def _save_cache(
    conn: Connection, path: Path, last_id: int, signature: tuple[int, int], a: IntArray, b: IntArray
) -> threading.Thread:
    """Write the cache on a background thread (the series need not wait for the disk)."""
    checkpoint = max(0, last_id - _CHECKPOINT_ROWS)
    tail_count, tail_total = _prefix_signature(conn, last_id, after_id=checkpoint)
    meta = [last_id, *signature, checkpoint, signature[0] - tail_count, signature[1] - tail_total]

    def write() -> None:
        partial: Path | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=path.parent, prefix=path.name, suffix=".partial.npz", delete=False
            ) as handle:
                partial = Path(handle.name)
                np.savez(handle, meta=np.array(meta, dtype=np.int64), a=a, b=b)
            os.replace(partial, path)
        except OSError:  # a cache that cannot be written is only slower next time
            if partial is not None:
                partial.unlink(missing_ok=True)

    writer = threading.Thread(target=write, name="mlstudy-log-cache")
    with _WRITERS_LOCK:  # started under the lock: finish_cache_writes never sees it unstarted
        writer.start()
        _WRITERS[:] = [w for w in _WRITERS if w.is_alive()]
        _WRITERS.append(writer)
    return writer


def finish_cache_writes() -> None:
    """Wait for log-column cache files still being written (tests, shutdown)."""
    with _WRITERS_LOCK:
        pending = list(_WRITERS)
    for writer in pending:
        writer.join()


def _cached_rows(
    conn: Connection, cached: _Cache, last: int
) -> tuple[int, int, tuple[int, int]] | None:
    """How many cached rows still match the log, the last id they cover and their
    signature; None when not even the rows up to the checkpoint match.

    A row matches while its checksum does and no tombstone written after the cache
    undoes it. Undo reaches back a few dozen answers, so the rows up to the checkpoint
    usually still match after one.
    """
    if cached.last_id > last and cached.checkpoint > last:
        return None
    undone = _undone_since(conn, cached.last_id)
    if undone is not None and undone <= cached.checkpoint:
        return None
    head = _prefix_signature(conn, cached.checkpoint)
    if head != cached.checkpoint_signature:
        return None
    if undone is None:
        tail = _prefix_signature(conn, cached.last_id, after_id=cached.checkpoint)
        if (head[0] + tail[0], head[1] + tail[1]) == cached.signature:
            return cached.a.size, cached.last_id, cached.signature
    return head[0], cached.checkpoint, head


def _read_packed_split(
    conn: Connection,
    first: int,
    last: int,
    connect: Callable[[], AbstractContextManager[Connection]] | None,
) -> tuple[IntArray, IntArray, int]:
    """``_read_packed``, the upper half on a second connection when one is offered.

    SQLite aggregates without holding the GIL, so on two cores the halves overlap.
    """
    if connect is None or last - first < _SPLIT_ROWS:
        return _read_packed(conn, first, last)
    middle = (first + last) // 2

    def upper() -> tuple[IntArray, IntArray, int]:
        with connect() as other:
            return _read_packed(other, middle + 1, last)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlstudy-log") as pool:
        later = pool.submit(upper)
        a_low, b_low, sum_low = _read_packed(conn, first, middle)
        a_high, b_high, sum_high = later.result()
    return np.concatenate([a_low, a_high]), np.concatenate([b_low, b_high]), sum_low + sum_high


def read_review_log(
    conn: Connection,
    exam_id: int,
    cache: Path | None = None,
    connect: Callable[[], AbstractContextManager[Connection]] | None = None,
) -> ReviewLog:
    """The exam's review log in log order, as numpy columns (no object per answer).

    Equal, column for column, to ``ReviewLog(review_events(conn, exam_id))``. Each
    block of rows comes back as two comma-separated texts of packed integers that
    SQLite builds in C and numpy parses in C: no Python object per row.

    Args:
        conn: a connection.
        exam_id: the exam whose cards' answers are read.
        cache: a file for the packed columns. The log is append-only, but an undo
            marks an earlier answer undone, so a later read checks that the cached rows
            are still there unchanged (their count and checksum) and reads only the
            rows added since. After an undo the rows up to a checkpoint a few thousand
            answers back still match and the rest is read again; anything else (a
            restore) reads the whole log again.
        connect: opens a second connection, to read half of a long log in parallel.
    """
    # Two scalar subqueries: SQLite answers a lone min() or max() of the rowid from the
    # b-tree's ends, but scans every row for min() and max() in one select.
    first, last = conn.execute(
        select(
            select(func.min(Review.id)).scalar_subquery(),
            select(func.max(Review.id)).scalar_subquery(),
        )
    ).one()
    if first is None:
        empty = np.zeros(0, dtype=np.int64)
        return _ColumnLog(empty, empty)
    cached = _load_cache(cache) if cache is not None else None
    kept = _cached_rows(conn, cached, last) if cached is not None else None
    if cached is not None and kept is not None:
        rows, kept_last, (kept_count, kept_sum) = kept
        a_new, b_new, new_sum = _read_packed_split(conn, kept_last + 1, last, connect)
        a = np.concatenate([cached.a[:rows], a_new])
        b = np.concatenate([cached.b[:rows], b_new])
        signature = (kept_count + int(a_new.size), kept_sum + new_sum)
        unchanged = rows == cached.a.size and a_new.size == 0
    else:
        a, b, total = _read_packed_split(conn, first, last, connect)
        signature = (int(a.size), total)
        unchanged = False
    if cache is not None and not unchanged:
        _save_cache(conn, cache, last, signature, a, b)
    return _filter_exam(conn, exam_id, a, b)


def _filter_exam(conn: Connection, exam_id: int, a: IntArray, b: IntArray) -> ReviewLog:
    # Filtering by exam here is cheaper than joining the cards in SQL.
    ids = conn.execute(
        select(func.group_concat(Placement.card_id)).where(Placement.exam_id == exam_id)
    ).scalar()
    exam_cards = np.fromstring(ids or "", dtype=np.int64, sep=",")
    card_id = a >> _CARD_SHIFT
    # Card ids are dense: a lookup table beats np.isin's sort by a factor of ten.
    size = max(int(exam_cards.max(initial=0)), int(card_id.max(initial=0))) + 1
    is_exam_card = np.zeros(size, dtype=np.bool_)
    is_exam_card[exam_cards] = True
    mine = is_exam_card[card_id] & ((a & 3) != _NO_KIND)
    if not bool(mine.all()):
        a, b = a[mine], b[mine]
    return _ColumnLog(a, b)


def read_card_table(conn: Connection, exam_id: int) -> CardTable:
    """The exam's active cards as numpy columns, from three packed aggregates.

    Equal to ``CardTable.from_snapshots(card_snapshots(conn, exam_id))`` with no Python
    object per card.
    """
    last = func.coalesce(
        cast(func.julianday(CardState.last_day) - _ORDINAL_JULIAN_OFFSET, Integer), UNSEEN
    )
    due = func.coalesce(
        cast(func.julianday(CardState.due_day) - _ORDINAL_JULIAN_OFFSET, Integer), UNSEEN
    )
    reps = func.coalesce(CardState.repetitions, UNSEEN)
    interval = func.coalesce(CardState.interval_days, UNSEEN)
    query = (
        select(
            func.count(),
            func.group_concat(Placement.card_id * (1 << _DOMAIN_BITS) + Placement.domain),
            func.group_concat((reps + 1) * (1 << _STATE_SHIFT) + interval + 1),
            func.group_concat((last + 1) * (1 << _STATE_SHIFT) + due + 1),
        )
        .select_from(Placement)
        .outerjoin(CardState, CardState.card_id == Placement.card_id)
        .where(
            Placement.exam_id == exam_id,
            Placement.archived.is_(False),
            Placement.suspended.is_(False),
        )
    )
    count, text_a, text_b, text_c = conn.execute(query).one()
    if not count:
        empty = np.zeros(0, dtype=np.int64)
        return CardTable(empty, empty, empty, empty, empty, empty)
    a, b, c = (np.fromstring(t, dtype=np.int64, sep=",") for t in (text_a, text_b, text_c))
    if not a.size == b.size == c.size == count:
        raise RuntimeError(f"card table: {count} cards, {a.size}/{b.size}/{c.size} read")
    low = (1 << _STATE_SHIFT) - 1
    return CardTable(
        card_id=a >> _DOMAIN_BITS,
        domain=a & ((1 << _DOMAIN_BITS) - 1),
        repetitions=(b >> _STATE_SHIFT) - 1,
        interval=(b & low) - 1,
        last_day=(c >> _STATE_SHIFT) - 1,
        due_day=(c & low) - 1,
    )
