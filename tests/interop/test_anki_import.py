"""Import of packages written by the real Anki (fixtures made by make_anki_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.interop import import_from_anki, preview_import

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "anki"
PACKAGES = ["legacy.apkg", "current.apkg", "collection.colpkg"]


@pytest.mark.parametrize("name", PACKAGES)
def test_preview_counts_decks_notes_and_types(library: Library, name: str) -> None:
    preview = preview_import(library, FIXTURES / name)
    assert preview.notes == 3
    # Basic: 1 card, Basic (and reversed card): 2, Cloze with c1 and c2: 2.
    assert preview.cards == 5
    assert preview.decks == {"AWS ML::Streaming": 5}
    assert preview.note_types == {"Basic": 1, "Basic (and reversed card)": 1, "Cloze": 1}
    assert preview.media == 1
    assert preview.skipped == ()


@pytest.mark.parametrize("name", PACKAGES)
def test_import_writes_a_deck_file_with_text_media_and_cloze(library: Library, name: str) -> None:
    import_from_anki(library, FIXTURES / name, domain=1)
    decks = library.data_dir / "decks"
    deck = (decks / "anki-aws-ml-streaming.md").read_text(encoding="utf-8")
    assert (decks / "anki-media" / "shard.png").read_bytes().startswith(b"\x89PNG")
    assert "![shard.png](data:image/png;base64,iVBORw0KGgo" in deck
    assert "<script>" not in deck and "alert(1)" not in deck
    assert "[...] gives each consumer its own 2 MB/s per shard." in deck
    assert "**Enhanced fan-out** gives each consumer" in deck
    assert "## Managed delivery of streams to S3, Redshift and OpenSearch {#anki-" in deck
    assert imported(library) == {
        "What limits **writes** to one Kinesis shard?": (1, "1.2"),
        "Amazon Data Firehose": (1, None),
        "Managed delivery of streams to S3, Redshift and OpenSearch": (1, None),
        "[...] gives each consumer its own 2 MB/s per shard.": (1, None),
        "Enhanced fan-out gives each consumer its own [...] per shard.": (1, None),
    }


def imported(library: Library) -> dict[str, tuple[int, str | None]]:
    """Question -> (domain, task) of every active imported card in the library."""
    with library.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT question, domain, task FROM cards WHERE key LIKE 'anki-%' AND NOT archived"
            )
        )
        return {question: (domain, task) for question, domain, task in rows}


def test_importing_again_updates_instead_of_duplicating(library: Library) -> None:
    import_from_anki(library, FIXTURES / "legacy.apkg", domain=1)
    before = library.counts()
    import_from_anki(library, FIXTURES / "current.apkg", domain=1)
    assert library.counts() == before
    assert len(list((library.data_dir / "decks").glob("anki-*.md"))) == 1


def test_a_domain_or_task_given_must_be_the_exams(library: Library) -> None:
    with pytest.raises(UserError, match=r"--domain 9: MLS-C01 has domains 1, 2, 3, 4"):
        import_from_anki(library, FIXTURES / "legacy.apkg", domain=9)
    assert not list((library.data_dir / "decks").glob("anki-*"))
    with pytest.raises(UserError, match=r"--task 9\.9: not a task statement"):
        import_from_anki(library, FIXTURES / "legacy.apkg", task="9.9")
    with pytest.raises(UserError, match=r"--task 1\.2 belongs to domain 1, not 3"):
        import_from_anki(library, FIXTURES / "legacy.apkg", domain=3, task="1.2")


def test_large_images_are_linked_to_their_copy_and_outside_ones_dropped() -> None:
    from mlstudy.decks.anki_import import (
        INLINE_IMAGE_BYTES,
        AnkiCard,
        AnkiPackage,
        deck_files,
    )

    big = b"\x89PNG" + b"\0" * INLINE_IMAGE_BYTES
    package = AnkiPackage(path=Path("x.apkg"), schema=18, media={"big.png": big})
    answer = "![big.png](big.png) and ![](https://example.com/tracker.png)"
    package.cards.append(AnkiCard("anki-1", "Deck", "Q?", answer, (), "Basic", 0, 0, None))
    text = deck_files(package, 1, None)["anki-deck.md"]
    assert "[big.png](anki-media/big.png)" in text
    assert "example.com" in text and "![](https://" not in text
    assert "[image: https://example.com/tracker.png]" in text


def test_only_cards_whose_tags_name_no_domain_get_domain_none() -> None:
    from mlstudy.decks.anki_import import AnkiCard, AnkiPackage, deck_files
    from mlstudy.decks.parser import parse_card_text

    package = AnkiPackage(path=Path("x.apkg"), schema=18)
    tagged = ("domain::7",)
    package.cards.append(AnkiCard("anki-1", "Deck", "Q?", "A.", tagged, "Basic", 0, 0, None))
    package.cards.append(AnkiCard("anki-2", "Deck", "R?", "B.", (), "Basic", 0, 0, None))
    parsed = parse_card_text(deck_files(package, None, None)["anki-deck.md"], "d.md")
    assert parsed.problems == []
    assert [(c.key, c.domain) for c in parsed.cards] == [("anki-1", 7), ("anki-2", 0)]


def test_anki_tags_become_deck_tags() -> None:
    from mlstudy.decks.anki_import import AnkiCard, AnkiPackage, deck_files
    from mlstudy.decks.parser import parse_card_text

    package = AnkiPackage(path=Path("x.apkg"), schema=18)
    tags = ("Leech", "AWS_ML", "Größe&Co", "marked", "task::1.2", "***")
    package.cards.append(AnkiCard("anki-1", "Deck", "Q?", "A.", tags, "Basic", 0, 0, None))
    text = deck_files(package, 1, None)["anki-deck.md"]
    parsed = parse_card_text(text, "anki-deck.md")
    assert parsed.problems == []
    assert parsed.cards[0].tags == ("leech", "aws_ml", "gr-e-co", "marked")
    assert parsed.cards[0].task == "1.2"


def test_imported_decks_name_the_exam_they_were_imported_for() -> None:
    from mlstudy.decks.anki_import import AnkiCard, AnkiPackage, deck_files
    from mlstudy.decks.parser import parse_card_text

    package = AnkiPackage(path=Path("x.apkg"), schema=18)
    package.cards.append(AnkiCard("anki-1", "Deck", "Q?", "A.", (), "Basic", 0, 0, None))
    text = deck_files(package, 2, None, "MLA-C01")["anki-deck.md"]
    parsed = parse_card_text(text, "anki-deck.md")
    assert parsed.problems == [] and parsed.exam == "MLA-C01"
    assert parse_card_text(deck_files(package, 2, None)["anki-deck.md"], "d.md").exam is None


def test_the_command_line_imports_without_a_domain_and_says_so(tmp_path: Path) -> None:
    import json

    from tests.test_cli import mlstudy

    package = str(FIXTURES / "current.apkg")
    data = ["--data-dir", str(tmp_path / "data")]
    note = (
        "  no domain: 4 cards (their Anki tags name no task or domain): studied, but left "
        "out of readiness; choose one with --domain or --task"
    )
    dry = mlstudy("import", package, "--dry-run", *data)
    assert dry.returncode == 0, dry.stderr
    assert note in dry.stdout.splitlines()
    done = mlstudy("import", package, *data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("imported 5 cards from 3 notes")
    assert note in done.stdout.splitlines()
    stats = json.loads(mlstudy("stats", "--json", *data).stdout)
    assert stats["no_domain"] == {"cards": 4, "new": 4}
    placed = mlstudy("import", package, "--domain", "2", *data)
    assert "no domain" not in placed.stdout
    assert json.loads(mlstudy("stats", "--json", *data).stdout)["no_domain"]["cards"] == 0
