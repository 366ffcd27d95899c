"""Two small exam packs on disk: MLS-C01 (the small deck of ``tests/conftest.py``) and
MLA-C01 with one card of its own and three cards mapped in from MLS-C01."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from mlstudy.paths import content_dir
from mlstudy.services import Library
from tests.conftest import SMALL_DECK, SMALL_DECK_3, FakeClock

MLA_DECK = """---
domain: 1
task: 1.1
---

## Which store suits many small training files read by several instances? {#t-mla-efs}
:source: https://docs.aws.amazon.com/sagemaker/latest/dg/model-access-training-data.html

Amazon EFS (or FSx for Lustre for high throughput).
"""
SHARED = """# MLS-C01 cards that also serve MLA-C01 tasks
"t-firehose" = "1.1"
"t-eta" = "2.2"

"t-recall" = "2.3"
"""


def two_packs(root: Path) -> Path:
    """Write both packs under ``root`` (a content root) and return it."""
    mls = root / "mls-c01"
    (mls / "cards").mkdir(parents=True)
    shutil.copy(content_dir() / "mls-c01" / "exam.toml", mls / "exam.toml")
    (mls / "cards" / "d1.md").write_text(SMALL_DECK, encoding="utf-8")
    (mls / "cards" / "d3.md").write_text(SMALL_DECK_3, encoding="utf-8")
    mla = root / "mla-c01"
    (mla / "cards").mkdir(parents=True)
    (mla / "shared").mkdir()
    shutil.copy(content_dir() / "mla-c01" / "exam.toml", mla / "exam.toml")
    (mla / "cards" / "d1.md").write_text(MLA_DECK, encoding="utf-8")
    (mla / "shared" / "mls.toml").write_text(SHARED, encoding="utf-8")
    return root


def two_pack_library(tmp_path: Path, clock: FakeClock) -> Iterator[Library]:
    """A library on both packs; a module's ``library`` fixture:
    ``library = pytest.fixture(two_pack_library, name="library")``."""
    content = two_packs(tmp_path / "content")
    library = Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=content)
    yield library
    library.close()


def card_id(library: Any, key: str) -> int:
    """The database id of a card."""
    from sqlalchemy import select

    from mlstudy.storage.schema import Card

    with library.engine.connect() as conn:
        return int(conn.execute(select(Card.id).where(Card.key == key)).scalar_one())
