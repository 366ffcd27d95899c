"""Export to .apkg, checked by opening the package with the real Anki library."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from anki import collection as anki_collection

from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.interop import export_to_anki
from tests.conftest import FakeClock


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[object]:
    """An empty Anki collection, as on a phone before the first import."""
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def import_into(col: object, package: Path, with_scheduling: bool = True) -> None:
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(package),
        options=anki_collection.ImportAnkiPackageOptions(
            with_scheduling=with_scheduling, merge_notetypes=True
        ),
    )
    col.import_anki_package(request)


def notes_by_id(col: object) -> dict[str, object]:
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    return {note["Id"]: note for note in notes}


def test_export_makes_one_subdeck_per_domain_with_our_note_type(
    library: Library, tmp_path: Path, anki: object
) -> None:
    report = export_to_anki(library, tmp_path / "out.apkg")
    assert (report.notes, report.decks) == (5, 2)
    import_into(anki, report.path)
    notes = notes_by_id(anki)
    assert sorted(notes) == ["t-eta", "t-firehose", "t-kds", "t-lasso", "t-recall"]
    firehose = notes["t-firehose"]
    assert firehose.note_type()["name"] == "mlstudy card"
    assert [f["name"] for f in firehose.note_type()["flds"]] == [
        "Question",
        "Answer",
        "Source",
        "Task",
        "Id",
    ]
    assert "Parquet" in firehose["Question"]
    assert firehose["Answer"].startswith("<p>Amazon Data Firehose")
    assert firehose["Task"] == "1.2"
    assert sorted(firehose.tags) == ["streaming", "task::1.2"]
    names = {d.name for d in anki.decks.all_names_and_ids()}
    assert {"MLS-C01::1 Data Engineering", "MLS-C01::3 Modeling"} <= names
    card = anki.get_card(firehose.card_ids()[0])
    assert anki.decks.name(card.did) == "MLS-C01::1 Data Engineering"


def test_a_second_export_of_a_changed_deck_updates_instead_of_duplicating(
    library: Library, pack: Path, clock: FakeClock, tmp_path: Path, anki: object
) -> None:
    import_into(anki, export_to_anki(library, tmp_path / "first.apkg").path)
    deck = pack / "mls-c01" / "cards" / "d1.md"
    deck.write_text(
        deck.read_text(encoding="utf-8").replace("1 MB/s or 1,000", "1 MiB/s or 1,000"),
        encoding="utf-8",
    )
    library.sync_content()
    clock.advance(hours=1)
    import_into(anki, export_to_anki(library, tmp_path / "second.apkg").path)
    notes = notes_by_id(anki)
    assert len(anki.find_notes("")) == 5
    assert "1 MiB/s" in notes["t-kds"]["Answer"]


def test_with_progress_carries_interval_ease_and_due(
    library: Library, clock: FakeClock, tmp_path: Path, anki: object
) -> None:
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 5)
    clock.advance(days=1)
    library.answer(card.id, 5)  # second review: I = 6, EF 2.7
    package = export_to_anki(library, tmp_path / "p.apkg", with_progress=True).path
    import_into(anki, package)
    note = notes_by_id(anki)[card.key]
    exported = anki.get_card(note.card_ids()[0])
    assert (exported.type, exported.queue) == (2, 2)
    assert exported.ivl == 6
    assert exported.factor == 2700
    days_left = exported.due - anki.sched.today
    # Anki keeps the days left to the due day (2026-11-03 + 6), counted from the real today.
    assert days_left == (date(2026, 11, 9) - date.today()).days
    others = [n for k, n in notes_by_id(anki).items() if k != card.key]
    assert all(anki.get_card(n.card_ids()[0]).type == 0 for n in others)


def test_without_progress_every_card_is_new(library: Library, tmp_path: Path, anki: object) -> None:
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 4)
    import_into(anki, export_to_anki(library, tmp_path / "p.apkg").path)
    types = {anki.get_card(n.card_ids()[0]).type for n in notes_by_id(anki).values()}
    assert types == {0}


def test_one_domain_and_bad_requests(library: Library, tmp_path: Path) -> None:
    report = export_to_anki(library, tmp_path / "d3.apkg", domain=3)
    assert (report.notes, report.decks) == (3, 1)
    with pytest.raises(UserError, match="domains 1, 2, 3, 4"):
        export_to_anki(library, tmp_path / "x.apkg", domain=9)
    with pytest.raises(UserError, match=r"must end in \.apkg"):
        export_to_anki(library, tmp_path / "x.zip")
    with pytest.raises(UserError, match="cannot write"):
        export_to_anki(library, tmp_path / "missing-folder" / "x.apkg")
    assert not list(tmp_path.glob("**/.mlstudy-export-*"))
