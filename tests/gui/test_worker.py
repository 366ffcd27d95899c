"""The GUI's error policy: user errors reach the failure callback, bugs the crash path."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from types import TracebackType

import pytest
from pytestqt.qtbot import QtBot

from mlstudy.errors import UserError
from mlstudy.gui import progress_page
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.progress_page import ProgressPage
from mlstudy.gui.worker import run_in_background, wait_for_background
from mlstudy.services import Library

Hooked = tuple[type[BaseException], BaseException, TracebackType | None]


@pytest.fixture
def crash_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Hooked]]:
    """What reaches ``sys.excepthook`` (the crash path) during the test."""
    reached: list[Hooked] = []
    with monkeypatch.context() as patch:  # undone inside the test, before pytest-qt's own
        patch.setattr(
            sys, "excepthook", lambda kind, value, trace: reached.append((kind, value, trace))
        )
        yield reached


class Calls:
    """Records the callbacks of one background run."""

    def __init__(self) -> None:
        self.succeeded: list[object] = []
        self.failed: list[UserError] = []
        self.finished = 0

    def finish(self) -> None:
        self.finished += 1


def broken_work() -> int:
    raise KeyError("an internal key")


def test_a_user_error_reaches_the_failure_callback_with_its_message(
    qtbot: QtBot, crash_path: list[Hooked]
) -> None:
    calls = Calls()

    def work() -> int:
        raise UserError("the exam date has passed")

    run_in_background(work, calls.succeeded.append, calls.failed.append, calls.finish)
    qtbot.waitUntil(lambda: calls.finished == 1)
    assert [str(exc) for exc in calls.failed] == ["the exam date has passed"]
    assert calls.succeeded == [] and crash_path == []


def test_a_bug_reaches_the_crash_path_and_never_the_failure_callback(
    qtbot: QtBot, crash_path: list[Hooked]
) -> None:
    calls = Calls()
    run_in_background(broken_work, calls.succeeded.append, calls.failed.append, calls.finish)
    qtbot.waitUntil(lambda: calls.finished == 1)
    assert calls.failed == [] and calls.succeeded == []
    [(kind, value, trace)] = crash_path
    assert kind is KeyError and str(value) == "'an internal key'"
    frames = []
    while trace is not None:
        frames.append(trace.tb_frame.f_code.co_name)
        trace = trace.tb_next
    assert frames[-1] == "broken_work"  # the worker's own traceback, for the report


def test_an_unhandled_user_error_reaches_the_crash_path_which_shows_its_message(
    qtbot: QtBot, crash_path: list[Hooked]
) -> None:
    def work() -> int:
        raise UserError("cannot read the backup folder")

    run_in_background(work, lambda _result: None)
    qtbot.waitUntil(lambda: len(crash_path) == 1)
    assert crash_path[0][0] is UserError


def test_success_calls_finished_then_success_once(qtbot: QtBot) -> None:
    calls = Calls()
    order: list[str] = []
    run_in_background(
        lambda: 42,
        lambda result: order.append(f"success {result}"),
        calls.failed.append,
        lambda: order.append("finished"),
    )
    qtbot.waitUntil(lambda: len(order) == 2)
    assert order == ["finished", "success 42"]
    assert calls.failed == []


def test_a_progress_bug_is_not_shown_in_a_label_and_the_page_recovers(
    qtbot: QtBot,
    library: Library,
    monkeypatch: pytest.MonkeyPatch,
    crash_path: list[Hooked],
) -> None:
    def broken(_library: Library) -> object:
        raise ZeroDivisionError("internal detail")

    monkeypatch.setattr(progress_page, "compute_progress", broken)
    page = ProgressPage(library, ChangeBus())
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.computing)
    wait_for_background()
    assert [kind for kind, _value, _trace in crash_path] == [ZeroDivisionError]
    assert "internal detail" not in page.error.text() and page.error.isHidden()
    assert page.status.text() == ""  # not stuck on "Computing…"

    def refused(_library: Library) -> object:
        raise UserError("the exam pack has no domains")

    monkeypatch.setattr(progress_page, "compute_progress", refused)
    page.recompute()  # not blocked by the failed run
    assert page.computing
    qtbot.waitUntil(lambda: not page.computing)
    assert page.error.text() == "the exam pack has no domains" and not page.error.isHidden()
    assert len(crash_path) == 1


def test_callbacks_of_a_destroyed_object_are_dropped(qtbot: QtBot) -> None:
    """Work that outlives its page (a window closed mid-sync) calls nothing on it."""
    import shiboken6
    from PySide6.QtCore import QObject

    calls: list[str] = []

    class Page(QObject):
        def done(self, _result: object) -> None:
            calls.append("done")

    page = Page()
    release = threading.Event()
    run_in_background(lambda: release.wait(5), page.done)
    shiboken6.delete(page)
    release.set()
    wait_for_background()
    qtbot.wait(50)
    assert calls == []
