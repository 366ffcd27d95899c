"""Time Anki export and import and print one JSON document.

    python benchmarks/interop_bench.py [--cards 100000] [--reviews 1000000] [--notes 10000]

Export: every card of a synthetic library of N cards and M reviews, with progress: the
first export renders every card (on every CPU); a second one after 1 % of the cards
changed renders only those (the render cache). As many synthetic answers need the full
markdown parser (emphasis, links, numbered lists) as the bundled packs' answers do; the
rest, like most bundled cards, are simple markdown (``decks.markdown_simple``).
Import: a package of K Basic notes written by the real Anki library (current format);
then, with progress, another K notes each answered once in Anki (K review cards, K
history entries).
Targets: export of 100,000 cards <= 15 s, import of 10,000 notes <= 10 s, with or
without progress.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synthetic  # noqa: E402

from mlstudy.services import Library  # noqa: E402
from mlstudy.services.interop import export_to_anki, import_from_anki  # noqa: E402

TARGETS_S = {
    "export_100000_cards": 15.0,
    "import_10000_notes": 10.0,
    "import_10000_notes_with_progress": 10.0,
}


def anki_package(path: Path, notes: int, answered: bool = False) -> None:
    """A current-format .apkg of ``notes`` Basic notes, written by the real Anki; with
    ``answered`` each card is answered Easy once (a review card with one history entry)."""
    from anki.collection import Collection, ExportAnkiPackageOptions
    from anki.decks import DeckId

    with tempfile.TemporaryDirectory() as work:
        col = Collection(str(Path(work) / "collection.anki2"))
        deck = DeckId(col.decks.id("Bench") or 1)
        basic = col.models.by_name("Basic")
        for n in range(notes):
            note = col.new_note(basic)
            note["Front"] = f"Benchmark question {n} about <b>SageMaker</b>?"
            note["Back"] = f"Answer {n}: <ul><li>one</li><li>two</li></ul>"
            note.tags = ["task::3.2"]
            col.add_note(note, deck)
            if answered:
                card = note.cards()[0]
                card.start_timer()
                col.sched.answerCard(card, 4)
        options = ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
        )
        col.export_anki_package(out_path=str(path), options=options, limit=None)
        col.close()


def bundled_rich_share() -> float:
    """The share of the bundled cards' answers that the simple renderer does not take."""
    from mlstudy.decks import markdown_simple
    from mlstudy.decks.loader import load_decks
    from mlstudy.paths import content_dir

    packs = sorted(p for p in content_dir().iterdir() if p.is_dir())
    answers = [c.card.answer for c in load_decks(packs).cards]
    return sum(markdown_simple.render(a) is None for a in answers) / len(answers)


def _change_one_percent(decks: Path) -> int:
    """Edit the answer of every hundredth synthetic card; return how many changed."""
    changed = 0
    for path in sorted(decks.rglob("syn-*.md")):
        text = path.read_text(encoding="utf-8")
        parts = text.split("\n## ")
        for index in range(1, len(parts), 100):
            parts[index] = parts[index].replace("Answer ", "Edited answer ", 1)
            changed += 1
        path.write_text("\n## ".join(parts), encoding="utf-8")
    return changed


def main() -> int:
    """Build, measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--notes", type=int, default=10_000)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="mlstudy-interop-bench-"))
    try:
        data = scratch / "data"
        moment = datetime.now(UTC)
        rich = bundled_rich_share()
        synthetic.build_library(data, args.cards, args.reviews, lambda: moment, rich_share=rich)
        results: dict[str, object] = {
            "cards": args.cards,
            "reviews": args.reviews,
            "answers_needing_the_full_parser": round(rich, 3),
        }
        with Library.open(data, sync=False) as library:
            library.sync_content()
            start = time.perf_counter()
            report = export_to_anki(library, scratch / "all.apkg", with_progress=True)
            results["export_100000_cards"] = round(time.perf_counter() - start, 2)
            results["export_notes"] = report.notes
            results["export_mb"] = round((scratch / "all.apkg").stat().st_size / 1e6, 1)
            changed = _change_one_percent(data / "decks")
            library.sync_content()
            start = time.perf_counter()
            export_to_anki(library, scratch / "again.apkg", with_progress=True)
            results["export_again_1_percent_changed"] = round(time.perf_counter() - start, 2)
            results["export_again_changed_cards"] = changed
            package = scratch / "bench.apkg"
            anki_package(package, args.notes)
            start = time.perf_counter()
            imported = import_from_anki(library, package)
            results["import_10000_notes"] = round(time.perf_counter() - start, 2)
            results["import_cards"] = imported.cards
            package = scratch / "answered.apkg"
            anki_package(package, args.notes, answered=True)
            start = time.perf_counter()
            imported = import_from_anki(library, package, with_progress=True)
            results["import_10000_notes_with_progress"] = round(time.perf_counter() - start, 2)
            done = imported.progress
            results["import_progress"] = (
                {"states": done.states, "history": done.history} if done else {}
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["targets"] = {
        key: {"target_s": target, "measured_s": results[key], "met": results[key] <= target}  # type: ignore[operator]
        for key, target in TARGETS_S.items()
    }
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
