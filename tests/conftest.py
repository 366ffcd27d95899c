"""Shared fixtures: a small exam pack on disk and a library on a temporary data dir."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings

from mlstudy.paths import content_dir
from mlstudy.services import Library

# CI replays the same examples on every run (a landing must not hinge on a random
# draw); local runs draw new ones and keep failures in .hypothesis/ to find bugs.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SMALL_DECK = """---
domain: 1
task: 1.2
tags: streaming
---

## Which service converts streaming JSON to Parquet with no code? {#t-firehose}
:source: https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html

Amazon Data Firehose record format conversion.

## Shard write limit? {#t-kds}

1 MB/s or 1,000 records/s.
"""

SMALL_DECK_3 = """---
domain: 3
---

## What does XGBoost's eta control? {#t-eta}
:task: 3.4

The learning rate (step-size shrinkage).

## Name an L1-regularised linear model. {#t-lasso}

Lasso regression.

## What is recall? {#t-recall}
:task: 3.5

TP / (TP + FN).
"""


class FakeClock:
    """A settable UTC clock."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A content root holding a copy of the MLS-C01 manifest and two small card files."""
    root = tmp_path / "content"
    cards = root / "mls-c01" / "cards"
    cards.mkdir(parents=True)
    shutil.copy(content_dir() / "mls-c01" / "exam.toml", root / "mls-c01" / "exam.toml")
    (cards / "d1.md").write_text(SMALL_DECK, encoding="utf-8")
    (cards / "d3.md").write_text(SMALL_DECK_3, encoding="utf-8")
    return root


@pytest.fixture
def clock() -> FakeClock:
    """Noon UTC on a fixed day."""
    return FakeClock(datetime(2026, 11, 2, 12, 0, tzinfo=UTC))


@pytest.fixture
def library(tmp_path: Path, pack: Path, clock: FakeClock) -> Iterator[Library]:
    """A library on a temporary data dir with the small pack, study days in UTC."""
    lib = Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=pack)
    yield lib
    lib.close()
