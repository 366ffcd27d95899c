"""Damaged derived or stored state (issue 13, findings 12, 14): a progress cache and a
setting that cannot be used are rebuilt or replaced by defaults, and said so."""

from __future__ import annotations

import io
import logging
from datetime import UTC
from pathlib import Path

import numpy as np
import pytest

from mlstudy import paths
from mlstudy.services import Library
from mlstudy.services.progress import LOG_CACHE, compute_progress
from mlstudy.storage.columns import finish_cache_writes
from tests.conftest import FakeClock


def answer_some(library: Library, count: int) -> None:
    for _ in range(count):
        card = library.next_card()
        assert card is not None
        library.answer(card.id, 4)


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def damaged_caches(good: bytes) -> dict[str, bytes]:
    with np.load(io.BytesIO(good)) as data:
        meta, a, b = data["meta"], data["a"], data["b"]
    return {
        "truncated": good[: len(good) // 2],
        "zeroed": good[:200] + bytes(len(good) - 200),
        "huge-card-ids": npz(meta=meta, a=a * 0 + (1 << 62), b=b),
        "floats": npz(meta=meta, a=a.astype(float), b=b),
        "meta-2d": npz(meta=meta.reshape(2, 3), a=a, b=b),
        "day-zero": npz(meta=meta, a=a & ~(((1 << 20) - 1) << 5), b=b),
    }


@pytest.mark.parametrize(
    "how", ["truncated", "zeroed", "huge-card-ids", "floats", "meta-2d", "day-zero"]
)
def test_a_damaged_progress_cache_is_rebuilt(library: Library, how: str) -> None:
    answer_some(library, 3)
    fresh = compute_progress(library)
    finish_cache_writes()
    cache = paths.cache_dir(library.data_dir) / LOG_CACHE
    cache.write_bytes(damaged_caches(cache.read_bytes())[how])
    data = compute_progress(library)
    assert data.total_reviews == fresh.total_reviews == 3
    assert data.reviews_per_day == fresh.reviews_per_day
    assert data.mastery_over_time == fresh.mastery_over_time
    finish_cache_writes()
    compute_progress(library)  # and the rebuilt file is good again


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ('"abc"', "day_start_hour: must be a whole number from 0 to 23"),
        ("99", "day_start_hour: must be from 0 to 23"),
        ("{not json", "day_start_hour: the stored value '{not json' is not readable"),
    ],
)
def test_an_unusable_stored_setting_falls_back_to_its_default_and_is_reported(
    tmp_path: Path,
    pack: Path,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    stored: str,
    message: str,
) -> None:
    data = tmp_path / "d"
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        library.update_settings(day_start_hour=6, font_size=18)
        with library.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE settings SET value = ? WHERE key = 'day_start_hour'", (stored,)
            )
    with (
        caplog.at_level(logging.WARNING),
        Library.open(data, clock=clock, tz=UTC, content_root=pack) as library,
    ):
        settings = library.settings()
        assert settings["day_start_hour"] == 4 and settings["font_size"] == 18
        assert library.today() == clock.now.date()
        (problem,) = library.setting_problems
        assert message in problem and "using the default 4" in problem
    assert any(message in record.getMessage() for record in caplog.records)
