"""Cards with no domain, imported from a real Anki package: studied like any card, left
out of readiness, mastery and the plan's per-domain targets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from mlstudy.core.exam import NO_DOMAIN
from mlstudy.services import Library
from mlstudy.services.interop import import_from_anki, preview_import
from mlstudy.services.progress import compute_progress
from mlstudy.services.stats import library_stats
from tests.conftest import FakeClock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "anki"


def placed(library: Library) -> dict[str, int]:
    """Question -> domain of each imported card's placement in the exam."""
    with library.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.question, p.domain FROM cards c JOIN placements p ON p.card_id = c.id "
                "WHERE c.key LIKE 'anki-%' AND NOT c.archived"
            )
        )
        return {question: domain for question, domain in rows}


def finish_day(library: Library) -> list[tuple[int, int, str]]:
    """Answer every card of the day with 5; (card id, domain, kind) in the order shown."""
    shown = []
    while (card := library.next_card()) is not None:
        shown.append((card.id, card.domain, card.kind))
        library.answer(card.id, 5)
    return shown


def test_import_without_a_domain_places_untagged_cards_with_no_domain(library: Library) -> None:
    preview = preview_import(library, FIXTURES / "legacy.apkg")
    assert preview.no_domain == 4  # one note is tagged task::1.2 in Anki
    result = import_from_anki(library, FIXTURES / "legacy.apkg")
    assert result.no_domain == 4
    assert placed(library) == {
        "What limits **writes** to one Kinesis shard?": 1,
        "Amazon Data Firehose": NO_DOMAIN,
        "Managed delivery of streams to S3, Redshift and OpenSearch": NO_DOMAIN,
        "[...] gives each consumer its own 2 MB/s per shard.": NO_DOMAIN,
        "Enhanced fan-out gives each consumer its own [...] per shard.": NO_DOMAIN,
    }
    deck = (library.data_dir / "decks" / "anki-aws-ml-streaming.md").read_text(encoding="utf-8")
    assert "\ndomain: none\n" in deck


def test_cards_with_no_domain_are_introduced_answered_and_come_due(
    library: Library, clock: FakeClock
) -> None:
    import_from_anki(library, FIXTURES / "legacy.apkg")
    assert library.counts().new == 5 + 5  # the pack's five and the import's five
    shown = finish_day(library)
    unplaced = [card_id for card_id, domain, kind in shown if domain == NO_DOMAIN]
    assert len(unplaced) == 4
    assert {kind for _id, domain, kind in shown if domain == NO_DOMAIN} == {"new"}
    view = library.card(unplaced[0])
    assert view.domain_name == "No domain"
    assert view.due == library.today() + timedelta(days=1)
    clock.advance(days=1)
    due = [(card_id, kind) for card_id, _domain, kind in finish_day(library)]
    assert (unplaced[0], "review") in due


def test_readiness_and_mastery_leave_cards_with_no_domain_out(
    library: Library, clock: FakeClock
) -> None:
    finish_day(library)  # the pack's cards (domains 1 and 3), reviewed once
    clock.advance(days=1)
    weights = library.exam().weights()
    assert library_stats(library)["readiness"] == round(0.9 * (weights[1] + weights[3]), 4)
    import_from_anki(library, FIXTURES / "legacy.apkg")
    # The card tagged task::1.2 joins domain 1 as a new card (recall 0); the four with
    # no domain count nowhere: in domain 1 they would pull it down to 1.8 / 7.
    stats = library_stats(library)
    assert stats["readiness"] == round(weights[1] * 1.8 / 3 + weights[3] * 0.9, 4)
    assert [(d["number"], d["cards"]) for d in stats["domains"]] == [(1, 3), (2, 0), (3, 3), (4, 0)]
    assert stats["no_domain"] == {"cards": 4, "new": 4}
    shown = finish_day(library)
    assert sum(domain == NO_DOMAIN for _id, domain, _kind in shown) == 4
    studied = library_stats(library)
    assert studied["no_domain"] == {"cards": 4, "new": 0}
    assert studied["readiness"] == round(weights[1] + weights[3], 4)
    progress = compute_progress(library)
    assert set(progress.mastery) == set(progress.mastery_over_time) == {1, 2, 3, 4}
    assert round(progress.readiness, 4) == studied["readiness"]


def test_the_plan_leaves_them_out_and_the_queue_fills_the_day_with_them_after_it(
    library: Library,
) -> None:
    import_from_anki(library, FIXTURES / "legacy.apkg")
    library.update_settings(
        exam_date=(library.today() + timedelta(days=40)).isoformat(), minutes_per_day=60
    )
    plan = library.refresh_plan()
    assert plan is not None
    planned = [d.new_by_domain for d in plan.days]
    assert all(NO_DOMAIN not in day for day in planned)
    assert sum(sum(day.values()) for day in planned) == 6  # the pack's 5, the tagged card
    quota = library.planned_today(compute=True)
    assert quota is not None and NO_DOMAIN not in quota
    shown = [domain for _id, domain, kind in finish_day(library) if kind == "new"]
    first = sum(quota.values())
    assert NO_DOMAIN not in shown[:first]
    assert shown[first:] == [NO_DOMAIN] * 4


def test_a_card_written_with_no_domain_reads_back_with_none() -> None:
    from mlstudy.decks.parser import parse_card_text
    from mlstudy.services.authoring import NewCard, card_markdown

    card = NewCard(question="Q?", answer="A.", domain=NO_DOMAIN, task=None, tags=(), source="")
    text = card_markdown(card, "my-q")
    assert ":domain: none\n" in text
    parsed = parse_card_text(text, "mine.md")
    assert parsed.problems == [] and parsed.cards[0].domain == NO_DOMAIN


def test_export_puts_cards_with_no_domain_in_a_deck_of_their_own(
    library: Library, tmp_path: Path
) -> None:
    import sqlite3
    import zipfile

    from mlstudy.services.interop import export_to_anki

    import_from_anki(library, FIXTURES / "legacy.apkg")
    report = export_to_anki(library, tmp_path / "all.apkg")
    assert (report.notes, report.decks) == (10, 3)
    with zipfile.ZipFile(tmp_path / "all.apkg") as package:
        (tmp_path / "c.anki2").write_bytes(package.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as conn:
        decks = conn.execute("SELECT decks FROM col").fetchone()[0]
    assert "MLS-C01::0 No domain" in decks
