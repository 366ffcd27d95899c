"""The question file parser: every problem as path:line, the rest still loads."""

from __future__ import annotations

from pathlib import Path

from mlstudy.core.practice import ItemType
from mlstudy.decks.questions import load_questions, parse_question_text
from tests.practice import FIXTURE, add_questions

HEAD = (
    "---\nkind: questions\ndomain: 1\ntask: 1.2\n"
    "source: https://docs.aws.amazon.com/x\ncards: c1\n---\n\n"
)
OPTIONS = """- [x] Right one.
  Right: because.
- [ ] Wrong one.
  Wrong: because.
- [ ] Another.
  Wrong: because.
- [ ] Third.
  Wrong: because.
"""


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_question_text(HEAD + text, "q.md").problems]


def test_the_fixture_parses_every_item_type() -> None:
    parsed = parse_question_text(FIXTURE.read_text(encoding="utf-8"), "f.md")
    assert parsed.problems == []
    types = {q.key: q.type for q in parsed.questions}
    assert types == {
        "q-fx-parquet": "single",
        "q-fx-shards": "multiple",
        "q-fx-order": "ordering",
        "q-fx-match": "matching",
        "q-fx-case-metric": "single",
        "q-fx-case-l1": "single",
    }
    match = next(q for q in parsed.questions if q.type == ItemType.MATCHING)
    assert match.options[0].text == "Recall"
    assert match.options[0].match == "share of positives found"
    assert match.options[0].explanation == "TP / (TP + FN)."
    assert list(parsed.cases) == ["case-fx-fraud"]


def test_a_good_question_has_no_problems() -> None:
    assert problems("## Title {#q-a}\n\nStem?\n\n" + OPTIONS) == []


def test_problems_name_file_and_line() -> None:
    text = (
        "## No id here\n\nStem\n\n"
        + OPTIONS
        + "\n## Two right {#q-b}\n\nStem?\n\n"
        + OPTIONS.replace("[ ] Wrong", "[x] Wrong")
        + "\n## Few options {#q-c}\n\nStem?\n\n- [x] A.\n  Right.\n- [ ] B.\n  Wrong.\n"
        + "\n## No explanation {#q-d}\n\nStem?\n\n"
        + OPTIONS.replace("  Wrong: because.\n- [ ] Another.", "- [ ] Another.")
        + "\n## Fine {#q-e}\n\nStem?\n\n"
        + OPTIONS
    )
    found = problems(text)
    assert found == [
        "q.md:9: error: question heading has no id: end it with {#q-some-id}",
        "q.md:22: error: a multiple-response question needs five or more options, found 4",
        'q.md:22: error: the stem must say how many to choose ("Choose two.")',
        "q.md:35: error: a single-answer question needs four or more options, found 2",
        "q.md:50: error: option has no explanation: add an indented line below it",
    ]
    parsed = parse_question_text(HEAD + text, "q.md")
    assert [q.key for q in parsed.questions] == ["q-e"]


def test_multiple_response_count_must_match_the_stem() -> None:
    five = OPTIONS.replace("[ ] Wrong", "[x] Wrong") + "- [ ] Fifth.\n  Wrong: because.\n"
    assert problems("## M {#q-m}\n\nPick. Choose two.\n\n" + five) == []
    assert problems("## M {#q-m}\n\nPick. Choose three.\n\n" + five) == [
        "q.md:9: error: the stem says choose 3 but 2 options are marked [x]"
    ]


def test_missing_source_cards_and_banned_options() -> None:
    text = "---\nkind: questions\ndomain: 2\n---\n\n## T {#q-t}\n\nStem?\n\n" + OPTIONS.replace(
        "Third.", "None of the above."
    )
    found = [str(p) for p in parse_question_text(text, "q.md").problems]
    assert found == [
        "q.md:6: error: no 'all of the above' or 'none of the above' options",
        "q.md:6: error: question 'q-t' has no source: add ':source: https://...'",
        "q.md:6: error: question 'q-t' links no cards: add ':cards: card-id, ...'",
    ]


def test_ordering_matching_and_case_rules() -> None:
    text = (
        "## O {#q-o}\n:type: ordering\n\nOrder.\n\n1. One.\n   First.\n2. Two.\n   Second.\n"
        "\n## M {#q-m}\n:type: matching\n\nMatch.\n\n"
        "- a => x\n  A.\n- b => x\n  B.\n- c => z\n  C.\n"
        "\n## Lonely case {#case-l}\n:type: case\n\nA scenario.\n"
        "\n## In case {#q-c}\n:case: case-l\n\nStem?\n\n" + OPTIONS
    )
    assert problems(text) == [
        "q.md:9: error: an ordering question needs three or more steps, found 2",
        "q.md:19: error: every right-hand side of a matching question must differ",
        "q.md:31: error: case 'case-l' needs two or more questions",
    ]


def test_loader_checks_cards_domains_and_duplicates(pack: Path) -> None:
    add_questions(pack)
    add_questions(pack, "copy.md")
    load = load_questions([pack / "mls-c01"], [], {"t-firehose", "t-kds", "t-eta", "t-lasso"})
    messages = [str(p) for p in load.problems]
    assert (
        "content/mls-c01/questions/fixture.md:11: error: duplicate question id 'q-fx-parquet': "
        "also at content/mls-c01/questions/copy.md:11"
    ) in messages
    assert "content/mls-c01/questions/copy.md:59: error: unknown card id: t-recall" in messages
    keys = [q.question.key for q in load.questions]
    assert keys == ["q-fx-parquet", "q-fx-shards", "q-fx-order", "q-fx-case-l1"]
    assert load.per_domain("MLS-C01") == {1: 2, 3: 2}
    case = next(q.question for q in load.questions if q.question.key == "q-fx-case-l1")
    assert case.case_text.startswith("A bank trains")
