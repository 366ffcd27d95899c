"""The render cache in front of the Anki export: same HTML, rendered once, never trusted blindly."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from mlstudy import paths
from mlstudy.decks.render import RENDER_VERSION, render_markdown
from mlstudy.services import Library
from mlstudy.services.browse import matching_ids
from mlstudy.services.interop import export_to_anki
from mlstudy.storage import render_cache
from mlstudy.storage.render_cache import RenderCache


def exported_fields(package: Path, work: Path) -> dict[str, tuple[str, str]]:
    """Id -> (question HTML, answer HTML) of every note in an exported package."""
    with zipfile.ZipFile(package) as archive:
        archive.extract("collection.anki2", work)
    conn = sqlite3.connect(work / "collection.anki2")
    try:
        rows = [str(f).split("\x1f") for (f,) in conn.execute("SELECT flds FROM notes")]
    finally:
        conn.close()
    return {fields[4]: (fields[0], fields[1]) for fields in rows}


def cache_file(library: Library) -> Path:
    return paths.cache_dir(library.data_dir) / "rendered-html.sqlite3"


def cached(library: Library) -> dict[str, str]:
    conn = sqlite3.connect(cache_file(library))
    try:
        return dict(conn.execute("SELECT digest, html FROM html"))
    finally:
        conn.close()


def test_a_warm_export_writes_the_same_html_as_a_cold_one(library: Library, tmp_path: Path) -> None:
    export_to_anki(library, tmp_path / "cold.apkg")
    first = exported_fields(tmp_path / "cold.apkg", tmp_path / "a")
    entries = cached(library)
    assert len(entries) == len({text for pair in first.values() for text in pair}) > 0
    export_to_anki(library, tmp_path / "warm.apkg")
    assert exported_fields(tmp_path / "warm.apkg", tmp_path / "b") == first
    # Every field is what the app shows.
    for key in first:
        [card_id] = matching_ids(library, key)
        card = library.card(card_id)
        assert first[key] == (render_markdown(card.question), render_markdown(card.answer))


def test_a_changed_card_is_rendered_again_and_its_old_html_dropped(
    library: Library, pack: Path, tmp_path: Path
) -> None:
    export_to_anki(library, tmp_path / "one.apkg")
    before = cached(library)
    deck = pack / "mls-c01" / "cards" / "d1.md"
    text = deck.read_text("utf-8")
    assert "Amazon Data Firehose" in text
    deck.write_text(text.replace("Amazon Data Firehose", "Amazon Data **Firehose**"), "utf-8")
    library.sync_content()
    export_to_anki(library, tmp_path / "two.apkg")
    after = cached(library)
    assert len(after) == len(before)  # one entry replaced, none piled up
    assert set(after) != set(before)
    fields = exported_fields(tmp_path / "two.apkg", tmp_path / "x")
    assert "<strong>Firehose</strong>" in fields["t-firehose"][1]


def test_a_damaged_or_outdated_cache_is_started_again(library: Library, tmp_path: Path) -> None:
    export_to_anki(library, tmp_path / "one.apkg")
    expected = exported_fields(tmp_path / "one.apkg", tmp_path / "a")
    # Poisoned entries from another renderer version are never used.
    conn = sqlite3.connect(cache_file(library))
    conn.execute("UPDATE html SET html = '<p>stale</p>'")
    conn.execute("UPDATE meta SET version = 'older'")
    conn.commit()
    conn.close()
    export_to_anki(library, tmp_path / "two.apkg")
    assert exported_fields(tmp_path / "two.apkg", tmp_path / "b") == expected
    # A file that is not SQLite at all is replaced.
    for extra in cache_file(library).parent.glob("rendered-html.sqlite3-*"):
        extra.unlink()
    cache_file(library).write_bytes(b"not a database" * 100)
    export_to_anki(library, tmp_path / "three.apkg")
    assert exported_fields(tmp_path / "three.apkg", tmp_path / "c") == expected
    assert cached(library)


@pytest.mark.parametrize("scan_from", [5_000, 1])
def test_the_cache_keeps_one_version_and_drops_what_an_export_did_not_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scan_from: int
) -> None:
    monkeypatch.setattr(render_cache, "_SCAN_FROM", scan_from)  # asked for, or read whole
    cache = RenderCache(tmp_path / "c.sqlite3", RENDER_VERSION)
    cache.keep({b"a": "<p>a</p>", b"b": "<p>b</p>"}, [])
    assert cache.lookup([b"a", b"b", b"c"]) == {b"a": "<p>a</p>", b"b": "<p>b</p>"}
    cache.keep({b"c": "<p>c</p>"}, [b"a"])
    assert cache.lookup([b"a", b"b", b"c"]) == {b"a": "<p>a</p>", b"c": "<p>c</p>"}
    cache.close()
    other = RenderCache(tmp_path / "c.sqlite3", "another-version")
    assert other.lookup([b"a", b"c"]) == {}
    other.close()
