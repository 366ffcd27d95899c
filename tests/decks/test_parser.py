"""The deck parser: every problem gets path and line, the rest still loads."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mlstudy.decks.loader import load_decks
from mlstudy.decks.parser import MAX_FILE_BYTES, parse_card_bytes, parse_card_text
from mlstudy.paths import content_dir

GOOD = "## Question one? {#q-one}\n\nAnswer one.\n"


def load(tmp_path: Path, files: dict[str, str | bytes]):  # type: ignore[no-untyped-def]
    pack = tmp_path / "content" / "mls-c01"
    (pack / "cards").mkdir(parents=True, exist_ok=True)
    shutil.copy(content_dir() / "mls-c01" / "exam.toml", pack / "exam.toml")
    for name, body in files.items():
        data = body.encode("utf-8") if isinstance(body, str) else body
        (pack / "cards" / name).write_bytes(data)
    return load_decks([pack])


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in result.problems]


def test_good_card_loads_with_front_matter_defaults(tmp_path: Path) -> None:
    result = load(tmp_path, {"a.md": "---\ndomain: 2\ntags: [x, Y]\n---\n" + GOOD})
    assert messages(result) == []
    (card,) = result.cards
    assert (card.card.key, card.domain, card.card.tags) == ("q-one", 2, ("x", "y"))
    assert card.card.path == "content/mls-c01/cards/a.md"
    assert card.card.line == 5


def test_card_with_no_answer_is_reported_and_others_load(tmp_path: Path) -> None:
    text = "---\ndomain: 1\n---\n## Empty? {#q-empty}\n\n" + GOOD
    result = load(tmp_path, {"a.md": text})
    assert messages(result) == ["content/mls-c01/cards/a.md:4: error: card 'q-empty' has no answer"]
    assert [c.card.key for c in result.cards] == ["q-one"]


def test_same_id_in_two_files_names_both(tmp_path: Path) -> None:
    result = load(
        tmp_path, {"a.md": "---\ndomain: 1\n---\n" + GOOD, "b.md": "---\ndomain: 2\n---\n\n" + GOOD}
    )
    assert messages(result) == [
        "content/mls-c01/cards/b.md:5: error: duplicate card id 'q-one': also at "
        "content/mls-c01/cards/a.md:4"
    ]
    assert len(result.cards) == 1


def test_unknown_domain_and_task(tmp_path: Path) -> None:
    text = (
        "## A? {#q-a}\n:domain: 9\n\nx\n\n## B? {#q-b}\n:task: 7.7\n\ny\n\n"
        "## C? {#q-c}\n:domain: 1\n:task: 3.2\n\nz\n\n## D? {#q-d}\n:task: 3.2\n\nw\n"
    )
    result = load(tmp_path, {"a.md": text})
    assert messages(result) == [
        "content/mls-c01/cards/a.md:1: error: unknown domain 9 (known: 1, 2, 3, 4)",
        "content/mls-c01/cards/a.md:6: error: unknown task '7.7' for MLS-C01",
        "content/mls-c01/cards/a.md:11: error: task 3.2 belongs to domain 3, not domain 1",
    ]
    assert [(c.card.key, c.domain) for c in result.cards] == [("q-d", 3)]


def test_malformed_front_matter(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "a.md": "---\ndomain 1\ncolour: red\ndomain: one\n---\n" + GOOD,
            "b.md": "---\ndomain: 1\n" + GOOD,
        },
    )
    assert messages(result) == [
        "content/mls-c01/cards/a.md:2: error: front matter line must be 'key: value', "
        "got 'domain 1'",
        "content/mls-c01/cards/a.md:3: error: unknown front matter key 'colour' "
        "(known: domain, task, tags, source, exam, kind, order)",
        "content/mls-c01/cards/a.md:4: error: domain must be a domain number such as 3, "
        "or none, got 'one'",
        "content/mls-c01/cards/a.md:6: error: card has no domain: set 'domain:' in the "
        "front matter or a ':domain:' line",
        "content/mls-c01/cards/b.md:1: error: front matter starts with '---' but has no "
        "closing '---' line",
    ]


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    data = b"---\ndomain: 1\n---\n## Q? {#q-x}\n\ncaf\xe9\n"
    result = load(tmp_path, {"bad.md": data, "good.md": "---\ndomain: 1\n---\n" + GOOD})
    assert messages(result) == [
        "content/mls-c01/cards/bad.md:6: error: invalid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]
    assert [c.card.key for c in result.cards] == ["q-one"]


def test_empty_file(tmp_path: Path) -> None:
    result = load(tmp_path, {"empty.md": "", "good.md": "---\ndomain: 1\n---\n" + GOOD})
    assert messages(result) == [
        "content/mls-c01/cards/empty.md:1: error: file is empty: it holds no cards"
    ]
    assert len(result.cards) == 1


def test_ten_megabyte_file_is_refused_cleanly(tmp_path: Path) -> None:
    big = "---\ndomain: 1\n---\n" + (GOOD * (10 * 1024 * 1024 // len(GOOD) + 1))
    assert len(big) > 10 * 1024 * 1024 > MAX_FILE_BYTES
    result = load(tmp_path, {"big.md": big, "good.md": "---\ndomain: 2\n---\n## Q2? {#q-two}\n\nA"})
    assert len(result.problems) == 1
    assert str(result.problems[0]).startswith("content/mls-c01/cards/big.md:1: error: file is 10")
    assert [c.card.key for c in result.cards] == ["q-two"]


def test_heading_inside_fenced_code_is_answer_text() -> None:
    text = (
        "## Show a markdown heading? {#q-md}\n:domain: 1\n\n```markdown\n## Not a card\n"
        "```\n\n~~~\n## Also not\n~~~\n\n## Next? {#q-next}\n:domain: 1\n\nyes\n"
    )
    parsed = parse_card_text(text, "x.md")
    assert parsed.problems == []
    assert [c.key for c in parsed.cards] == ["q-md", "q-next"]
    assert "## Not a card" in parsed.cards[0].answer
    assert "## Also not" in parsed.cards[0].answer
    assert parsed.cards[1].line == 12


def test_crlf_line_endings_parse_like_lf() -> None:
    text = "---\ndomain: 1\n---\n## Q? {#q-crlf}\n\nline one\nline two\n"
    lf = parse_card_text(text, "x.md")
    crlf = parse_card_bytes(text.replace("\n", "\r\n").encode(), "x.md")
    assert crlf.problems == []
    assert crlf.cards == lf.cards
    assert "\r" not in crlf.cards[0].answer


def test_missing_or_bad_id() -> None:
    parsed = parse_card_text("## No id here\n:domain: 1\n\nx\n\n## Bad {#Bad_Id}\n\ny\n", "x.md")
    assert [str(p) for p in parsed.problems] == [
        "x.md:1: error: card heading has no id: end it with {#some-id}",
        "x.md:6: error: card id 'Bad_Id' must be lower-case letters, digits and hyphens",
    ]


def test_bundled_content_is_clean() -> None:
    result = load_decks([content_dir() / "mls-c01"])
    assert messages(result) == []
    assert len(result.cards) >= 40


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_never_crash_and_errors_have_a_line(data: bytes) -> None:
    parsed = parse_card_bytes(data, "fuzz.md")
    for problem in parsed.problems:
        assert problem.path == "fuzz.md"
        assert problem.line >= 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "#",
                ":",
                "{#",
                "}",
                "-",
                "\n",
                " ",
                "`",
                "~",
                "a",
                "1.2",
                "## ",
                "---\n",
                "```\n",
                ":task: ",
                "domain: 1\n",
            ]
        ),
        max_size=120,
    ).map("".join)
)
def test_markdown_like_text_never_crashes(text: str) -> None:
    parsed = parse_card_text(text, "fuzz.md")
    total_lines = text.count("\n") + 2
    for problem in parsed.problems:
        assert 1 <= problem.line <= total_lines
    for card in parsed.cards:
        assert card.answer and card.question


def test_card_tags_add_to_file_tags(tmp_path: Path) -> None:
    text = (
        "---\ndomain: 1\ntags: kinesis, streaming\n---\n"
        "## Shard limit? {#q-shard}\n:tags: quotas, kinesis\n\n1 MB/s in.\n" + GOOD
    )
    result = load(tmp_path, {"a.md": text})
    assert messages(result) == []
    tags = {c.card.key: c.card.tags for c in result.cards}
    assert tags == {
        "q-shard": ("kinesis", "streaming", "quotas"),
        "q-one": ("kinesis", "streaming"),
    }
