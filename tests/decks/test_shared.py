"""Shared-card mappings: ``content/<pack>/shared/*.toml``, one line per card."""

from __future__ import annotations

from pathlib import Path

from mlstudy.decks.shared import SharedEntry, check_shared, load_shared
from mlstudy.services.content import check
from tests.packs import two_packs


def write(root: Path, text: str, name: str = "d.toml") -> Path:
    path = root / "mla-c01" / "shared" / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_shared([root / "mla-c01"]).problems]


def test_entries_carry_their_task_domain_and_line(tmp_path: Path) -> None:
    root = two_packs(tmp_path / "content")
    load = load_shared([root / "mls-c01", root / "mla-c01"])
    assert load.problems == []
    assert load.entries == [
        SharedEntry("t-firehose", "MLA-C01", 1, "1.1", "content/mla-c01/shared/mls.toml", 2),
        SharedEntry("t-eta", "MLA-C01", 2, "2.2", "content/mla-c01/shared/mls.toml", 3),
        SharedEntry("t-recall", "MLA-C01", 2, "2.3", "content/mla-c01/shared/mls.toml", 5),
    ]
    assert load.files == 1


def test_each_bad_line_is_reported_at_its_line_and_the_rest_loads(tmp_path: Path) -> None:
    root = two_packs(tmp_path / "content")
    write(
        root,
        "\n".join(
            [
                '"ok-one" = "3.1"',
                '"broken = "3.1"',  # bad TOML
                '"a-number" = 3.1',  # not a string
                '"wrong-task" = "5.1"',
                "[table]",
                'dotted.key = "3.1"',
                '"ok-one" = "3.2"',  # mapped twice
                '"ok-two" = "4.3"  # a comment is fine',
            ]
        )
        + "\n",
    )
    path = "content/mla-c01/shared/d.toml"
    found = problems(root)
    assert found[0].startswith(f"{path}:2: error: bad TOML")
    assert found[1:] == [
        f"{path}:3: error: 'a-number': the value must be a task id in quotes, such as \"3.1\"; "
        "got 3.1",
        f"{path}:4: error: 'wrong-task': unknown task '5.1' for MLA-C01 (known: 1.1, 1.2, 1.3, "
        "2.1, 2.2, 2.3, 3.1, 3.2, 3.3, 4.1, 4.2, 4.3)",
        f'{path}:5: error: one "card-id" = "task-id" entry per line; tables are not allowed',
        f'{path}:6: error: \'dotted\': a dotted key is not a card id; quote it: "dotted" = "3.1"',
        f"{path}:7: error: card 'ok-one' is mapped twice into MLA-C01: also at {path}:1",
    ]
    keys = [e.key for e in load_shared([root / "mla-c01"]).entries if e.path == path]
    assert keys == ["ok-one", "ok-two"]


def test_a_card_mapped_in_two_files_of_one_pack_is_an_error(tmp_path: Path) -> None:
    root = two_packs(tmp_path / "content")
    write(root, '"t-eta" = "2.1"\n', name="z.toml")
    assert problems(root) == [
        "content/mla-c01/shared/z.toml:1: error: card 't-eta' is mapped twice into MLA-C01: "
        "also at content/mla-c01/shared/mls.toml:3"
    ]


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    root = two_packs(tmp_path / "content")
    (root / "mla-c01" / "shared" / "bad.toml").write_bytes(b'"t-kds" = "\xff"\n')
    assert problems(root) == ["content/mla-c01/shared/bad.toml:1: error: not UTF-8 text"]


def test_cards_must_exist_and_live_in_another_pack() -> None:
    entries = [
        SharedEntry("t-eta", "MLA-C01", 2, "2.2", "s.toml", 1),
        SharedEntry("gone", "MLA-C01", 1, "1.1", "s.toml", 2),
        SharedEntry("t-mla", "MLA-C01", 1, "1.1", "s.toml", 3),
    ]
    valid, found = check_shared(entries, {"t-eta": "MLS-C01", "t-mla": "MLA-C01"})
    assert [e.key for e in valid] == ["t-eta"]
    assert [str(p) for p in found] == [
        "s.toml:2: error: unknown card id 'gone'",
        "s.toml:3: error: card 't-mla' is written in MLA-C01 itself: map only cards of other packs",
    ]


def test_check_content_reports_mapping_problems(tmp_path: Path) -> None:
    root = two_packs(tmp_path / "content")
    clean = check([], root)
    assert clean.problems == ()
    assert clean.shared_per_domain == {"MLA-C01": {1: 1, 2: 2}}
    write(root, '"no-such-card" = "1.1"\n')
    report = check([], root)
    assert report.problems == (
        "content/mla-c01/shared/d.toml:1: error: unknown card id 'no-such-card'",
    )
    packs = check([root / "mla-c01", root / "mls-c01"], root)
    assert packs.problems == report.problems
