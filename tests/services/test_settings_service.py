"""The settings service: the exam-date rule, and view state that is not library data."""

from __future__ import annotations

import pytest

from mlstudy.errors import UserError
from mlstudy.services import Library


@pytest.mark.parametrize("day", ["2026-11-02", "2026-10-01", "2031-01-01"])
def test_an_exam_date_not_after_today_or_too_far_is_refused_and_nothing_saved(
    library: Library, day: str
) -> None:
    with pytest.raises(UserError, match="exam date"):
        library.update_settings(exam_date=day, minutes_per_day=45)
    assert library.settings()["exam_date"] is None
    assert library.settings()["minutes_per_day"] == 30


def test_view_state_is_saved_without_marking_the_library_changed(library: Library) -> None:
    library.backup_now("test")
    library.save_view_state("browse_splitter", [600, 400])
    assert library.view_state("browse_splitter") == [600, 400]
    assert library.maybe_auto_backup() is None
    assert not library.backup.dirty


def test_typed_settings_follow_a_saved_change(library: Library) -> None:
    from datetime import date

    assert library.settings_service.current().exam_date is None
    library.update_settings(exam_date="2027-01-15", weekdays_off=[6, 5])
    typed = library.settings_service.current()
    assert typed.exam_date == date(2027, 1, 15)
    assert typed.weekdays_off == frozenset({5, 6})
