"""Adding a card from the app: a valid deck file, a live preview, undo, external edits."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from mlstudy import paths
from mlstudy.decks.parser import read_card_file
from mlstudy.gui.add_card_dialog import NEW_FILE, AddCardDialog
from mlstudy.gui.bus import ChangeBus
from mlstudy.services import Library
from mlstudy.services.browse import matching_ids


def fill(dialog: AddCardDialog, question: str, answer: str) -> None:
    dialog.question.setText(question)
    dialog.answer.setPlainText(answer)
    dialog.domain.setCurrentIndex(dialog.domain.findData(2))
    dialog.task.setCurrentIndex(dialog.task.findData("2.3"))
    dialog.tags.setText("Kinesis, shards")
    dialog.source.setText("https://docs.aws.amazon.com/streams/latest/dev/service-sizes.html")


def open_dialog(qtbot: QtBot, library: Library) -> AddCardDialog:
    dialog = AddCardDialog(library, ChangeBus())
    qtbot.addWidget(dialog)
    return dialog


def test_add_a_card_preview_it_then_undo_and_redo(qtbot: QtBot, library: Library) -> None:
    dialog = open_dialog(qtbot, library)
    fill(dialog, "How much can one shard take in?", "**1 MB/s** or 1,000 records/s.")
    dialog.update_preview()
    html = dialog.preview.toHtml()
    assert "How much can one shard take in?" in html and "1 MB/s" in html
    dialog.save()
    assert dialog.error.text() == ""
    deck = paths.user_decks_dir(library.data_dir) / NEW_FILE
    parsed = read_card_file(deck)
    assert parsed.problems == []
    [card] = parsed.cards
    assert card.key == dialog.saved_key == "my-how-much-can-one-shard-take-in"
    assert (card.domain, card.task, card.tags) == (2, "2.3", ("kinesis", "shards"))
    [card_id] = matching_ids(library, "tag:shards")
    assert library.card(card_id).answer == "**1 MB/s** or 1,000 records/s."

    # A second card goes to the same file, after the first.
    second = open_dialog(qtbot, library)
    fill(second, "How much can one shard send out?", "2 MB/s.")
    second.save()
    assert [c.key for c in read_card_file(deck).cards] == [
        "my-how-much-can-one-shard-take-in",
        "my-how-much-can-one-shard-send-out",
    ]
    assert library.session.undo_label() == "Added card"
    library.undo()
    assert [c.key for c in read_card_file(deck).cards] == ["my-how-much-can-one-shard-take-in"]
    library.undo()
    assert not deck.exists()
    assert matching_ids(library, "tag:shards") == []  # archived with its file
    library.redo()
    assert matching_ids(library, "tag:shards") == [card_id]  # the same card, history kept


def test_an_external_edit_while_the_dialog_is_open_is_never_overwritten(
    qtbot: QtBot, library: Library
) -> None:
    folder = paths.user_decks_dir(library.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    mine = folder / "streams.md"
    mine.write_text("---\ndomain: 1\n---\n\n## Old card? {#old-card}\n\nOld.\n", "utf-8")
    dialog = open_dialog(qtbot, library)
    dialog.file.setCurrentIndex(dialog.file.findData(str(mine)))
    fill(dialog, "New card?", "New.")
    edited = mine.read_text("utf-8") + "\n## Edited elsewhere? {#elsewhere}\n\nYes.\n"
    mine.write_text(edited, "utf-8")
    dialog.save()
    assert "changed outside mlstudy while the dialog was open" in dialog.error.text()
    assert mine.read_text("utf-8") == edited  # untouched
    assert dialog.result() == 0  # still open for the user to decide


def test_an_answer_that_would_start_a_new_card_is_refused(
    qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, library)
    fill(dialog, "Tricky?", "line one\n## not a heading {#sneaky}\n\nx")
    dialog.save()
    assert "would start a new card" in dialog.error.text()
    assert not (paths.user_decks_dir(library.data_dir) / NEW_FILE).exists()


def test_edit_a_user_card_keeps_its_id_and_history_and_undo_restores_it(
    qtbot: QtBot, library: Library
) -> None:
    folder = paths.user_decks_dir(library.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    deck = folder / "mine.md"
    original = (
        "---\ndomain: 1\ntags: mine\n---\n\n## First? {#mine-first}\n\nOne.\n\n"
        "## Second? {#mine-second}\n\nTwo.\n"
    )
    deck.write_text(original, "utf-8")
    library.sync_content()
    [card_id] = matching_ids(library, "mine-first")
    library.answer(card_id, 5)
    dialog = AddCardDialog(library, ChangeBus(), editing=library.card(card_id))
    qtbot.addWidget(dialog)
    assert dialog.question.text() == "First?" and dialog.answer.toPlainText() == "One."
    dialog.answer.setPlainText("One, reworded.")
    dialog.save()
    assert dialog.error.text() == ""
    card = library.card(card_id)
    assert (card.key, card.answer, card.repetitions) == ("mine-first", "One, reworded.", 1)
    parsed = read_card_file(deck)
    assert parsed.problems == []
    assert [(c.key, c.answer) for c in parsed.cards] == [
        ("mine-first", "One, reworded."),
        ("mine-second", "Two."),
    ]
    assert library.session.undo_label() == "Edited card"
    library.undo()
    assert deck.read_text("utf-8") == original
    assert library.card(card_id).answer == "One."


def test_editing_a_bundled_card_makes_an_override_and_removing_it_brings_back_the_original(
    qtbot: QtBot, library: Library, pack: Path
) -> None:
    bundled = pack / "mls-c01" / "cards" / "d1.md"
    bundled_text = bundled.read_text("utf-8")
    [card_id] = matching_ids(library, "t-kds")
    library.answer(card_id, 5)
    original = library.card(card_id).answer
    dialog = AddCardDialog(library, ChangeBus(), editing=library.card(card_id))
    qtbot.addWidget(dialog)
    assert "comes with mlstudy" in dialog.error.text()
    dialog.answer.setPlainText("1 MB/s or 1,000 records/s per shard (writes).")
    dialog.save()
    assert bundled.read_text("utf-8") == bundled_text  # never written
    override = paths.user_decks_dir(library.data_dir) / "overrides" / "d1.md"
    assert [c.key for c in read_card_file(override).cards] == ["t-kds"]
    card = library.card(card_id)  # the same card: same row, same history
    assert card.answer == "1 MB/s or 1,000 records/s per shard (writes)."
    assert card.repetitions == 1 and not card.archived
    assert library.sync_content().problems == ()  # no duplicate id reported
    # Editing it again edits the override in place.
    again = AddCardDialog(library, ChangeBus(), editing=library.card(card_id))
    qtbot.addWidget(again)
    assert "This card comes with mlstudy" not in again.error.text()
    assert "your version" in again.error.text()
    # Removing the override (here by undo) brings back the bundled text.
    library.undo()
    assert not override.exists()
    card = library.card(card_id)
    assert (card.answer, card.repetitions, card.archived) == (original, 1, False)
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text("## Shard limit, mine? {#t-kds}\n:domain: 1\n\nMine.\n", "utf-8")
    library.sync_content()
    assert library.card(card_id).answer == "Mine."
    bundled.write_text(bundled_text.replace("Amazon Data Firehose", "Data Firehose"), "utf-8")
    assert library.sync_content().problems == ()  # an updated bundled deck: still mine
    assert library.card(card_id).answer == "Mine."
    override.unlink()
    library.sync_content()
    assert library.card(card_id).answer == original


def test_an_external_edit_while_editing_a_card_is_never_overwritten(
    qtbot: QtBot, library: Library
) -> None:
    folder = paths.user_decks_dir(library.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    deck = folder / "mine.md"
    deck.write_text("---\ndomain: 1\n---\n\n## First? {#mine-first}\n\nOne.\n", "utf-8")
    library.sync_content()
    [card_id] = matching_ids(library, "mine-first")
    dialog = AddCardDialog(library, ChangeBus(), editing=library.card(card_id))
    qtbot.addWidget(dialog)
    dialog.answer.setPlainText("Mine.")
    elsewhere = deck.read_text("utf-8").replace("One.", "One, from my editor.")
    deck.write_text(elsewhere, "utf-8")
    dialog.save()
    assert "changed outside mlstudy while the dialog was open" in dialog.error.text()
    assert deck.read_text("utf-8") == elsewhere


def test_remove_my_version_in_the_edit_dialog_brings_back_the_bundled_text_and_undoes(
    qtbot: QtBot, library: Library, pack: Path
) -> None:
    [card_id] = matching_ids(library, "t-kds")
    library.answer(card_id, 4)
    original = library.card(card_id).answer
    first = AddCardDialog(library, ChangeBus(), editing=library.card(card_id))
    qtbot.addWidget(first)
    first.answer.setPlainText("Mine: 1 MB/s per shard.")
    first.save()
    override = paths.user_decks_dir(library.data_dir) / "overrides" / "d1.md"
    # Another of the user's overrides in the same file stays when one is removed.
    with override.open("a", encoding="utf-8") as out:
        out.write("\n## Another of mine {#t-other}\n:domain: 1\n\nKept.\n")
    library.sync_content()
    dialog = AddCardDialog(library, ChangeBus(), editing=library.card(card_id))
    qtbot.addWidget(dialog)
    [remove] = [b for b in dialog.buttons.buttons() if b.text() == "Remove my version"]
    remove.click()
    assert dialog.result() == AddCardDialog.DialogCode.Accepted, dialog.error.text()
    assert [c.key for c in read_card_file(override).cards] == ["t-other"]
    card = library.card(card_id)
    assert (card.answer, card.repetitions) == (original, 1)
    assert library.session.undo_label() == "Removed your version"
    library.undo()
    assert library.card(card_id).answer == "Mine: 1 MB/s per shard."
    library.redo()
    assert library.card(card_id).answer == original
    # With the last card gone the file goes too; the button is not offered for bundled text.
    last = AddCardDialog(
        library, ChangeBus(), editing=library.card(matching_ids(library, "t-other")[0])
    )
    qtbot.addWidget(last)
    next(b for b in last.buttons.buttons() if b.text() == "Remove my version").click()
    assert not override.exists()
    bundled = AddCardDialog(library, ChangeBus(), editing=library.card(card_id))
    qtbot.addWidget(bundled)
    assert "Remove my version" not in [b.text() for b in bundled.buttons.buttons()]
