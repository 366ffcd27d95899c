"""Import with progress: Anki's scheduling as ``import`` log entries, its history as ``anki-*``.

The fixtures were made by the real Anki (make_anki_fixtures.py): the Basic note was
answered Good, then Easy, at 04:06 UTC on 2026-12-05, which made it a review card with
an interval of 5 days, ease 2500, due on 2026-12-10.
"""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError

from mlstudy.core.interop import HistoryEntry, ImportedSchedule
from mlstudy.core.sm2 import Sm2State, next_state
from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.interop import import_from_anki, preview_import
from mlstudy.services.planning import answer_habits
from mlstudy.services.progress import compute_progress
from mlstudy.storage.columns import read_review_log
from mlstudy.storage.interop import CardProgress, apply_progress
from mlstudy.storage.schema import Card, CardState, Review
from mlstudy.storage.snapshots import review_events
from mlstudy.storage.study import load_state
from mlstudy.storage.verify import state_mismatches
from tests.conftest import FakeClock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "anki"
PACKAGES = ["legacy.apkg", "current.apkg", "collection.colpkg"]
BASIC = "anki-1edb3a43b868"
ANSWERED = date(2026, 12, 5)


@pytest.fixture
def clock() -> FakeClock:
    """The day after the fixtures' answers, in the evening (UTC)."""
    return FakeClock(datetime(2026, 12, 6, 18, 0, tzinfo=UTC))


def _card_id(library: Library, key: str = BASIC) -> int:
    with library.engine.connect() as conn:
        return int(conn.execute(select(Card.id).where(Card.key == key)).scalar_one())


def _log(library: Library) -> list[tuple[str, str, int, int]]:
    with library.engine.connect() as conn:
        rows = conn.execute(
            select(Review.kind, Review.study_day, Review.grade, Review.interval_after).order_by(
                Review.id
            )
        )
        return [(str(k), str(d), int(g), int(i)) for k, d, g, i in rows]


def _state(library: Library, key: str = BASIC) -> tuple[int, int, int, str, str]:
    with library.engine.connect() as conn:
        state = load_state(conn, _card_id(library, key))
    assert state is not None
    return (state.repetitions, state.easiness, state.interval_days, state.due_day, state.last_day)


def _no_mismatch(library: Library) -> None:
    with library.engine.connect() as conn:
        assert state_mismatches(conn) == []


@pytest.mark.parametrize("name", PACKAGES)
def test_the_anki_state_becomes_the_cards_state(library: Library, name: str) -> None:
    result = import_from_anki(library, FIXTURES / name, domain=1, with_progress=True)
    assert result.progress is not None
    assert (result.progress.states, result.progress.history) == (1, 2)
    assert result.changes.reviews and _card_id(library) in result.changes.cards
    # n 1 (Anki's review-type history is empty), EF 2500 / 10, I 5, due on Anki's due day.
    assert _state(library) == (1, 250, 5, "2026-12-10", "2026-12-05")
    # Good then Easy on one day: the first is the card's first answer, the second a drill.
    assert _log(library) == [
        ("anki-new", "2026-12-05", 4, 0),
        ("anki-drl", "2026-12-05", 5, 5),
        ("import", "2026-12-05", 0, 5),
    ]
    _no_mismatch(library)  # replay of the log gives the same state
    # Cards Anki has not scheduled stay new.
    with library.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CardState)).scalar_one() == 1


def test_without_progress_nothing_is_logged(library: Library) -> None:
    result = import_from_anki(library, FIXTURES / "current.apkg", domain=1)
    assert result.progress is None
    assert _log(library) == []


def test_the_preview_counts_scheduled_cards_and_history(library: Library) -> None:
    preview = preview_import(library, FIXTURES / "legacy.apkg")
    assert (preview.scheduled, preview.answers) == (1, 2)


def test_importing_again_logs_nothing_twice(library: Library) -> None:
    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    before = _log(library)
    again = import_from_anki(library, FIXTURES / "current.apkg", domain=1, with_progress=True)
    assert again.progress is not None
    assert (again.progress.states, again.progress.unchanged, again.progress.history) == (0, 1, 0)
    assert _log(library) == before
    assert not again.changes.reviews


def test_a_real_answer_continues_sm2_from_the_imported_state(
    library: Library, clock: FakeClock
) -> None:
    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    card = _card_id(library)
    clock.now = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # Anki's due day
    assert library.counts().due == 1
    assert library.next_card() is not None and library.next_card().id == card  # type: ignore[union-attr]
    library.answer(card, 4)
    second = next_state(Sm2State(1, 250, 5), 4)  # n 2: I = 6 whatever the imported I was
    assert second == Sm2State(2, 250, 6)
    assert _state(library) == (2, 250, 6, "2026-12-16", "2026-12-10")
    clock.now = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)
    library.answer(card, 5)
    third = next_state(second, 5)  # EF 2.6, I = ceil(6 x 2.6) = 16
    assert third == Sm2State(3, 260, 16)
    assert _state(library) == (3, 260, 16, "2027-01-01", "2026-12-16")
    _no_mismatch(library)
    # An import after that answer leaves the state alone: mlstudy's history is newer.
    again = import_from_anki(library, FIXTURES / "current.apkg", domain=1, with_progress=True)
    assert again.progress is not None and again.progress.unchanged == 1
    assert _state(library) == (3, 260, 16, "2027-01-01", "2026-12-16")


def test_a_card_answered_in_mlstudy_after_the_anki_day_keeps_its_state(
    library: Library, clock: FakeClock
) -> None:
    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1)
    library.answer(_card_id(library), 5)  # 2026-12-06, after Anki's 2026-12-05
    mine = _state(library)
    result = import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    assert result.progress is not None
    assert (result.progress.states, result.progress.kept, result.progress.history) == (0, 1, 2)
    assert _state(library) == mine == (1, 260, 1, "2026-12-07", "2026-12-06")
    assert "import" not in [kind for kind, *_ in _log(library)]
    _no_mismatch(library)


def test_anki_progress_newer_than_an_mlstudy_answer_replaces_the_state(
    library: Library, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1)
    library.answer(_card_id(library), 3)  # 2026-12-01, before Anki's answers
    clock.now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    result = import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    assert result.progress is not None and result.progress.states == 1
    # The state is Anki's; mlstudy's answer count stays its own.
    assert _state(library) == (1, 250, 5, "2026-12-10", "2026-12-05")
    _no_mismatch(library)


def test_imported_entries_are_not_answers_and_anki_history_is_history(
    library: Library, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)  # the day of Anki's answers
    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    counts = library.counts()
    assert (counts.answers, counts.studied) == (0, 0)
    clock.now = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    assert library.counts().streak == 0
    data = compute_progress(library, days=14)
    per_day = {kind: dict(points) for kind, points in data.reviews_per_day.items()}
    assert (per_day["new"][ANSWERED], per_day["review"][ANSWERED]) == (1, 0)
    assert per_day["drill"][ANSWERED] == 1
    assert dict(data.heatmap)[ANSWERED] == 2
    assert data.total_reviews == 2
    everything = data.retention[-1]
    assert (everything.young_total, everything.mature_total) == (0, 0)
    # The column reader and the object reader agree on the Anki kinds.
    with library.engine.connect() as conn:
        columns = read_review_log(conn, library.exam_id())
        objects = list(review_events(conn, library.exam_id()))
    assert [e.kind.value for e in objects] == ["new", "drill"]
    assert columns.kind.tolist() == [0, 2]
    assert columns.grade.tolist() == [e.grade for e in objects] == [4, 5]


def test_answer_times_count_anki_history_and_grade_mix_leaves_it_out(library: Library) -> None:
    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1)
    start = date(2026, 10, 1)
    items = [
        CardProgress(
            BASIC,
            ImportedSchedule(Sm2State(1, 250, 5), start + timedelta(days=i)),
            (
                HistoryEntry(
                    "anki-rev", 1_790_000_000_000 + i, start + timedelta(days=i), 5, 1, 5, 7000
                ),
            ),
        )
        for i in range(25)
    ]
    for item in items:  # 25 imports of one card, each of a later day
        with library.context.write("test") as conn:
            result = apply_progress(conn, [item], library.now().isoformat(), None)
        assert (result.states, result.history) == (1, 1)
    habits = answer_habits(library)
    assert habits.seconds_per_review == 7.0
    # Neither the 25 imported states (grade 0) nor Anki's grades are the user's mlstudy mix.
    assert habits.grade_mix == {}
    _no_mismatch(library)


def _patched(tmp_path: Path, sql: str, *params: object) -> Path:
    """A copy of legacy.apkg with one SQL statement run on its collection."""
    copy = tmp_path / "patched.apkg"
    work = tmp_path / "collection.anki21"
    with zipfile.ZipFile(FIXTURES / "legacy.apkg") as source:
        work.write_bytes(source.read("collection.anki21"))
        db = sqlite3.connect(work)
        with db:
            db.execute(sql, params)
        db.close()
        with zipfile.ZipFile(copy, "w") as target:
            for info in source.infolist():
                if info.filename == "collection.anki21":
                    target.writestr(info, work.read_bytes())
                else:
                    target.writestr(info, source.read(info))
    return copy


def test_anki_answer_times_are_logged(library: Library, tmp_path: Path) -> None:
    package = _patched(tmp_path, "UPDATE revlog SET time = ?", 8500)
    import_from_anki(library, package, domain=1, with_progress=True)
    with library.engine.connect() as conn:
        times = conn.execute(select(Review.kind, Review.answer_ms).order_by(Review.id)).all()
    assert [tuple(t) for t in times] == [("anki-new", 8500), ("anki-drl", 8500), ("import", 0)]


def test_a_failed_progress_step_logs_nothing_and_says_so(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlstudy.storage import interop as storage_interop

    real = storage_interop.write_state

    def broken(*args: object, **kwargs: object) -> object:
        raise OperationalError("UPDATE card_states", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(storage_interop, "write_state", broken)
    with pytest.raises(UserError, match="cards were imported, but their Anki progress was not"):
        import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    assert _log(library) == []  # the history written before the failure was rolled back
    assert (library.data_dir / "decks" / "anki-aws-ml-streaming.md").is_file()
    monkeypatch.setattr(storage_interop, "write_state", real)
    again = import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    assert again.progress is not None and again.progress.states == 1
    assert len(_log(library)) == 3


def test_a_due_day_out_of_range_writes_nothing(library: Library, tmp_path: Path) -> None:
    broken = _patched(tmp_path, "UPDATE cards SET due = 9000000 WHERE type = 2")
    with pytest.raises(UserError, match="out of range"):
        import_from_anki(library, broken, domain=1, with_progress=True)
    assert not (library.data_dir / "decks" / "anki-aws-ml-streaming.md").exists()
    assert _log(library) == []


def test_verify_replays_imported_states_and_names_unknown_kinds(library: Library) -> None:
    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1, with_progress=True)
    _no_mismatch(library)
    with library.engine.begin() as conn:
        conn.execute(
            insert(Review).values(
                card_id=_card_id(library),
                reviewed_at="2026-12-06T18:00:00+00:00",
                study_day="2026-12-06",
                grade=4,
                kind="bogus",
                interval_before=0,
                interval_after=0,
                easiness_before=0,
                easiness_after=0,
                repetitions_before=0,
                repetitions_after=0,
            )
        )
    with library.engine.connect() as conn:
        problems = state_mismatches(conn)
    assert len(problems) == 1 and "unreadable row" in problems[0] and "bogus" in problems[0]


def test_the_command_line_imports_progress_once(tmp_path: Path) -> None:
    from tests.test_cli import mlstudy

    package = str(FIXTURES / "current.apkg")
    data = ["--data-dir", str(tmp_path / "data")]
    dry = mlstudy("import", package, "--domain", "1", "--with-progress", "--dry-run", *data)
    assert dry.returncode == 0, dry.stderr
    assert "progress: 1 scheduled in Anki, 2 answers in its history" in dry.stdout
    first = mlstudy("import", package, "--domain", "1", "--with-progress", *data)
    assert first.returncode == 0, first.stderr
    assert "progress: states set 1, already imported 0, kept 0" in first.stdout
    assert "Anki answers logged 2" in first.stdout
    again = mlstudy("import", package, "--domain", "1", "--with-progress", *data)
    assert "progress: states set 0, already imported 1, kept 0" in again.stdout
    assert "Anki answers logged 0" in again.stdout


def _keys_by_tag(library: Library) -> dict[str, str]:
    with library.engine.connect() as conn:
        rows = conn.execute(select(Card.key, Card.tags).where(Card.key.like("anki-%")))
        return {tag: str(key) for key, tags in rows for tag in str(tags).split(",") if tag}


def test_learning_and_relearning_cards_get_sm2s_state_after_a_miss(library: Library) -> None:
    # learning.apkg (made by the real Anki): one card answered Again once (learning),
    # one graduated then answered Again (relearning, ease 2300), two suspended.
    result = import_from_anki(library, FIXTURES / "learning.apkg", domain=1, with_progress=True)
    assert result.progress is not None
    keys = _keys_by_tag(library)
    with library.engine.connect() as conn:
        answered = {
            key: str(day)
            for key, day in conn.execute(
                select(Card.key, func.max(Review.study_day))
                .join(Review, Review.card_id == Card.id)
                .where(Review.kind.like("anki-%"))
                .group_by(Card.key)
            )
        }
    # n 0, I 1 from the last Anki answer: due the next study day; EF 2.5 when Anki has none.
    learning = _state(library, keys["learning"])
    last = date.fromisoformat(answered[keys["learning"]])
    assert learning == (0, 250, 1, (last + timedelta(days=1)).isoformat(), last.isoformat())
    relearning = _state(library, keys["relearning"])
    assert relearning[:3] == (0, 230, 1)
    assert relearning[4] == answered[keys["relearning"]]
    _no_mismatch(library)


def test_cards_suspended_in_anki_are_suspended_when_new_to_mlstudy(library: Library) -> None:
    preview = preview_import(library, FIXTURES / "learning.apkg")
    assert preview.suspended == 2
    result = import_from_anki(library, FIXTURES / "learning.apkg", domain=1, with_progress=True)
    assert result.progress is not None and result.progress.suspended == 2
    keys = _keys_by_tag(library)

    def suspended() -> set[str]:
        with library.engine.connect() as conn:
            rows = conn.execute(select(Card.key).where(Card.suspended.is_(True)))
            return {str(k) for k in rows.scalars()}

    assert suspended() == {keys["suspended-new"], keys["suspended-review"]}
    # A card already in mlstudy keeps the suspension it has here.
    with library.engine.connect() as conn:
        card_id = conn.execute(
            select(Card.id).where(Card.key == keys["suspended-new"])
        ).scalar_one()
    library.set_suspended([int(card_id)], False)
    again = import_from_anki(library, FIXTURES / "learning.apkg", domain=1, with_progress=True)
    assert again.progress is not None and again.progress.suspended == 0
    assert suspended() == {keys["suspended-review"]}
    # Without progress nothing is suspended.
    other = Library.open(library.data_dir.parent / "other", content_root=library.content_root)
    try:
        import_from_anki(other, FIXTURES / "learning.apkg", domain=1)
        with other.engine.connect() as conn:
            count = select(func.count()).select_from(Card).where(Card.suspended.is_(True))
            assert conn.execute(count).scalar() == 0
    finally:
        other.close()
