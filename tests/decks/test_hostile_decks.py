"""Hostile deck files (issue 13, findings 1, 3, 7, 10, 13, 15, 16, 18): each broke
loading, checking or rendering before."""

from __future__ import annotations

import base64
import os
import random
import struct
import sys
import threading
import zlib
from pathlib import Path

import pytest

from mlstudy.decks import limits
from mlstudy.decks.loader import card_files
from mlstudy.decks.parser import parse_card_text
from mlstudy.decks.render import render_capped, render_markdown
from mlstudy.paths import content_dir
from mlstudy.services.content import check

CARD = "---\ndomain: 2\n---\n## Plain question? {{#{key}}}\n\n{answer}\n"
NESTED_LIST = "\n".join("\t" * level + "- x" for level in range(400))  # RecursionError
BRACKETS = "[" * 8_000 + "]" * 8_000  # 24 KB of these froze the window for 12 s
NESTED_HTML = "<div>" * 1_000 + "x" + "</div>" * 1_000
DIVS = "<div>" * 100_000 + "x" + "</div>" * 100_000


def png(width: int, height: int, body: bytes = b"\x00\x00") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(body))
        + chunk(b"IEND", b"")
    )


def data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def write_card(folder: Path, name: str, key: str, answer: str) -> Path:
    path = folder / name
    path.write_text(CARD.format(key=key, answer=answer), encoding="utf-8")
    return path


def check_folder(folder: Path):  # type: ignore[no-untyped-def]
    return check([folder], content_dir())


# ----- finding 1: what the details line shows is checked when the deck is parsed ---------


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (":source: javascript:alert(1)", "source"),
        (":source: https://ok.example/\" onclick='x'", "source"),
        (":source: file:///etc/passwd", "source"),
        (":tags: <a href=file:///etc/passwd>click</a>", "tag"),
        (":tags: <img src=/dev/zero>", "tag"),
    ],
)
def test_hostile_sources_and_tags_are_reported_with_their_line(line: str, field: str) -> None:
    parsed = parse_card_text(f"## Q? {{#q-one}}\n{line}\n\nAnswer.\n", "deck.md")
    assert parsed.cards == []
    assert [(p.line, p.message.split()[0]) for p in parsed.problems] == [(2, field)]


# ----- findings 3, 15, 16: what a deck folder may hold -----------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_like_a_card_file_is_skipped_without_hanging(tmp_path: Path) -> None:
    write_card(tmp_path, "good.md", "good-one", "Fine.")
    os.mkfifo(tmp_path / "pipe.md")
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(check_folder(tmp_path)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert outcome, "loading a folder with a FIFO in it hung"
    report = outcome[0]
    assert report.problems == () and report.cards == 1  # type: ignore[attr-defined]
    assert any("pipe.md:1: note: not a regular file" in n for n in report.notes)  # type: ignore[attr-defined]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_a_device_is_skipped_not_read(tmp_path: Path) -> None:
    write_card(tmp_path, "good.md", "good-one", "Fine.")
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    notes: list[object] = []
    assert card_files(tmp_path, notes) == [tmp_path / "good.md"]  # type: ignore[arg-type]
    assert len(notes) == 1 and "zero.md" in str(notes[0])


def test_a_folder_named_like_a_card_file_is_read_as_a_folder(tmp_path: Path) -> None:
    inner = tmp_path / "chapter.md"
    inner.mkdir()
    write_card(inner, "inside.md", "inside-one", "Fine.")
    report = check_folder(tmp_path)
    assert report.problems == ()
    assert report.cards == 1
    assert [n.split(": note: ")[1] for n in report.notes] == [
        "a folder, not a card file: read as a folder"
    ]


def test_folders_nested_a_thousand_deep_are_walked_to_the_cap(tmp_path: Path) -> None:
    chain = [tmp_path / "d"]
    for _ in range(1100):  # Path.mkdir(parents=True) would recurse itself
        chain.append(chain[-1] / "d")
    try:
        for folder in chain:
            folder.mkdir()
        write_card(chain[-1], "deep.md", "deep-one", "Too deep.")
        write_card(chain[4], "shallow.md", "shallow-one", "Found.")
        assert sys.getrecursionlimit() < len(chain) * 2
        report = check_folder(tmp_path)
        assert report.problems == () and report.cards == 1
        assert len(report.notes) == 1
        assert f"more than {limits.MAX_FOLDER_DEPTH} deep" in report.notes[0]
    finally:  # bottom up: pytest's own clean-up (shutil.rmtree) recurses per level
        for folder in reversed(chain):
            if folder.is_dir():
                for entry in folder.iterdir():
                    if not entry.is_dir():
                        entry.unlink()
                folder.rmdir()


def test_folder_links_that_loop_are_walked_once(tmp_path: Path) -> None:
    write_card(tmp_path, "a.md", "loop-one", "Once.")
    (tmp_path / "again").symlink_to(tmp_path)
    assert card_files(tmp_path) == [tmp_path / "a.md"]


# ----- finding 7: rendering is capped, and check-content says which cards --------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (NESTED_LIST, "KB"),
        (BRACKETS, "8000 levels deep"),
        (DIVS, "KB"),
        (NESTED_HTML, "1000 levels deep"),
    ],
    ids=["list-400-deep", "brackets-16kb", "divs-100k", "divs-1000"],
)
def test_pathological_markdown_is_shown_as_plain_text(text: str, why: str) -> None:
    rendered = render_capped(text)
    assert why in rendered.problem
    assert rendered.html.startswith("<pre class='plain'>")
    assert "Shown as plain text" in rendered.html
    assert len(rendered.html) < limits.MAX_CARD_CHARS * 6  # escaped, and cut at the cap


def test_check_content_reports_cards_over_a_cap(tmp_path: Path) -> None:
    write_card(tmp_path, "a.md", "nested-list", NESTED_LIST)
    write_card(tmp_path, "b.md", "fine-card", "Fine.")
    report = check_folder(tmp_path)
    assert report.cards == 2  # loaded all the same, shown as plain text
    assert [p.split(": error: ")[0] for p in report.problems] == [f"{tmp_path / 'a.md'}:4"]
    assert "KB; cards over 16 KB are shown as plain text" in report.problems[0]


@pytest.mark.usefixtures("stuck_render")
def test_a_render_over_the_time_cap_is_plain_text_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.05)
    write_card(tmp_path, "slow.md", "slow-card", "A stuck **answer**.")
    report = check_folder(tmp_path)
    assert len(report.problems) == 1
    assert f"{tmp_path / 'slow.md'}:4: error: rendering took longer than" in report.problems[0]
    assert render_capped("A stuck **answer**.", 0.05).html.startswith("<pre")


def test_ordinary_cards_render_as_markdown() -> None:
    rendered = render_capped("- a\n    - b\n\n[link](https://a.example/) `List<String>`")
    assert rendered.problem == ""
    assert "<ul>" in rendered.html and 'href="https://a.example/"' in rendered.html


# ----- finding 10: inline images are capped -----------------------------------------------


def test_an_image_claiming_a_huge_canvas_is_dropped() -> None:
    bomb = data_uri(png(20_000, 20_000, zlib.compress(b"\x00" * 10_000)))
    small = data_uri(png(1, 1))
    html = render_markdown(f"![bomb]({bomb}) ![ok]({small})")
    assert html.count("<img") == 2
    assert html.count("src=") == 1 and f'src="{small}"' in html


def test_inline_images_share_one_budget_per_card() -> None:
    noise = random.Random(13).randbytes(400_000)  # does not compress: 400 KB each
    image = png(100, 100, noise)
    big = data_uri(image)
    assert limits.data_image_bytes(big) is not None  # each one alone is allowed
    for count in (3, 6, 12):
        html = render_markdown(" ".join(f"![{i}]({big})" for i in range(count)))
        kept = html.count(f'src="{big}"')
        assert kept * len(image) <= limits.MAX_IMAGES_BYTES
        if count == 3:
            assert kept == 3


def test_svg_and_unreadable_images_are_dropped() -> None:
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    html = render_markdown(f"![a]({svg}) ![b](data:image/png;base64,AAAA)")
    assert "src=" not in html


# ----- finding 13: links lead only to the web or mail ------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "notes.md",
        "../../etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/x",
        "http:/no-host",
    ],
)
def test_links_to_anything_but_the_web_or_mail_lose_their_target(target: str) -> None:
    html = render_markdown(f"[click]({target}) and [aws](https://aws.amazon.com/)")
    assert html.count("href=") == 1 and 'href="https://aws.amazon.com/"' in html


# ----- finding 18: change detection when size and mtime cannot be trusted -----------------


def test_an_edit_keeping_size_and_a_whole_second_mtime_is_synced(library) -> None:  # type: ignore[no-untyped-def]
    deck = library.deck_folders()[0] / "mine.md"
    write_card(deck.parent, "mine.md", "mine-one", "Answer AAAA.")
    stamp = 1_700_000_000 * 1_000_000_000  # whole seconds, as FAT and SMB keep them
    os.utime(deck, ns=(stamp, stamp))
    library.sync_content()
    write_card(deck.parent, "mine.md", "mine-one", "Answer BBBB.")
    os.utime(deck, ns=(stamp, stamp))
    report = library.sync_content()
    assert report.updated == 1
    with library.engine.connect() as conn:
        answer = conn.exec_driver_sql("SELECT answer FROM cards WHERE key='mine-one'").scalar()
    assert answer == "Answer BBBB."


def test_a_file_hashed_while_fresh_is_not_read_again_once_it_is_old(tmp_path: Path) -> None:
    """A file synced right after an edit is fingerprinted with its content hash; once
    its stamp can be trusted, the same content is recognised without parsing."""
    import time

    from mlstudy.decks import loader

    pack = content_dir() / "mls-c01"
    folder = tmp_path / "decks"
    folder.mkdir()
    deck = folder / "mine.md"
    deck.write_text("---\ndomain: 1\n---\n\n## Q? {#mine-q}\n\nA.\n", encoding="utf-8")
    old = time.time_ns() - 10 * loader.RACY_NS + 1  # edited a while ago, not on a whole second
    os.utime(deck, ns=(old, old))
    first = loader.load_decks([pack], [folder])
    context = first.fingerprints[str(deck)].split(":")[2]
    # What the sync right after that edit stored: the stamp and the content hash.
    synced_fresh = {**first.fingerprints, str(deck): loader._fingerprint(deck, context, old + 1)}
    assert synced_fresh[str(deck)].count(":") == 3
    again = loader.load_decks([pack], [folder], known=synced_fresh)
    assert str(deck) in again.skipped
    deck.write_text("---\ndomain: 1\n---\n\n## Q? {#mine-q}\n\nB.\n", encoding="utf-8")
    os.utime(deck, ns=(old, old))  # same size and stamp, other content
    changed = loader.load_decks([pack], [folder], known=synced_fresh)
    assert str(deck) not in changed.skipped
