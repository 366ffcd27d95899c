"""Hostile and damaged Anki packages: a clear message, and nothing written."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.interop import import_from_anki

LEGACY = Path(__file__).resolve().parents[1] / "fixtures" / "anki" / "legacy.apkg"


def repack(tmp_path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of the legacy fixture with its members changed by ``change``."""
    with zipfile.ZipFile(LEGACY) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    change(members)
    out = tmp_path / "changed.apkg"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out


def edit_collection(tmp_path: Path, sql: str, *params: object) -> Path:
    def change(members: dict[str, bytes]) -> None:
        db = tmp_path / "edit.sqlite"
        db.write_bytes(members["collection.anki21"])
        with sqlite3.connect(db) as conn:
            conn.execute(sql, params)
        members["collection.anki21"] = db.read_bytes()

    return repack(tmp_path, change)


def nothing_written(library: Library) -> bool:
    decks = library.data_dir / "decks"
    leftovers = list(library.data_dir.glob(".import-*"))
    return not list(decks.glob("anki-*")) and not leftovers


def media_named(name: str) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        members["media"] = json.dumps({"0": name}).encode()

    return change


CASES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("not a zip", lambda t: _write(t / "x.apkg", b"PK not really"), "not a zip file"),
    ("empty zip", lambda t: repack(t, lambda m: m.clear()), "no Anki collection inside"),
    (
        "path traversal",
        lambda t: repack(t, media_named("../../evil.sh")),
        "unsafe media file name",
    ),
    ("absolute media name", lambda t: repack(t, media_named("/etc/passwd")), "unsafe media"),
    (
        "truncated collection",
        lambda t: repack(
            t, lambda m: m.update({"collection.anki21": m["collection.anki21"][:5000]})
        ),
        "damaged",
    ),
    (
        "garbage collection",
        lambda t: repack(t, lambda m: m.update({"collection.anki21": b"\0" * 4096})),
        "damaged",
    ),
    (
        "unknown schema",
        lambda t: edit_collection(t, "UPDATE col SET ver = 99"),
        "unknown Anki collection schema 99",
    ),
    (
        "broken media list",
        lambda t: repack(t, lambda m: m.update({"media": b"{not json"})),
        "media list is damaged",
    ),
]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("case", "make", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_package_is_refused_with_a_clear_message(
    library: Library, tmp_path: Path, case: str, make: Callable[[Path], Path], message: str
) -> None:
    package = make(tmp_path)
    with pytest.raises(UserError, match=message) as raised:
        import_from_anki(library, package, domain=1)
    assert str(package) in str(raised.value)
    assert nothing_written(library)


def test_zip_bomb_is_refused_before_it_is_expanded(library: Library, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.apkg"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("collection.anki21", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(600):  # 600 MiB of zeros, about 600 KB compressed
            member.write(chunk)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(UserError, match=r"too large|zip bomb"):
        import_from_anki(library, bomb, domain=1)
    assert nothing_written(library)


def test_a_huge_field_skips_its_note_with_a_reason(library: Library, tmp_path: Path) -> None:
    package = edit_collection(
        tmp_path,
        "UPDATE notes SET flds = ? || char(31) || 'back' WHERE flds LIKE '%Firehose%'",
        "x" * 70_000,
    )
    preview = import_from_anki(library, package, domain=1)
    assert preview.cards == 3
    assert any("longer than 65536 characters" in reason for reason in preview.skipped)


def test_a_failure_while_writing_writes_no_deck(library: Library) -> None:
    blocker = library.data_dir / "decks" / "anki-media"
    blocker.write_text("a file where the media folder should go")
    with pytest.raises(UserError, match="cannot write the imported decks"):
        import_from_anki(library, LEGACY, domain=1)
    assert not list((library.data_dir / "decks").glob("anki-*.md"))
    assert not list(library.data_dir.glob(".import-*"))
