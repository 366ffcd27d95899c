"""The crash path: uncaught errors of any thread are logged and reach the crash dialog."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mlstudy.errors import UserError
from mlstudy.gui import crash, dialogs


def raised(exc: BaseException) -> BaseException:
    """``exc`` with a traceback, as an uncaught error arrives."""
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_a_bug_is_logged_and_opens_the_crash_dialog_with_the_log_path(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, Path]] = []
    monkeypatch.setattr(crash, "show_crash_dialog", lambda text, log: shown.append((text, log)))
    reporter = crash.CrashReporter(tmp_path / "mlstudy.log")
    bug = raised(IndexError("list index out of range"))
    with caplog.at_level(logging.ERROR, logger="mlstudy"):
        reporter.report(type(bug), bug, bug.__traceback__)
    qtbot.waitUntil(lambda: len(shown) == 1)
    text, log_file = shown[0]
    assert "Traceback" in text and "IndexError: list index out of range" in text
    assert log_file == tmp_path / "mlstudy.log"
    assert "IndexError: list index out of range" in caplog.text
    assert dialogs.shown_messages == []  # no plain message box for a bug


def test_an_unhandled_user_error_shows_its_message_not_the_crash_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(crash, "show_crash_dialog", lambda text, _log: shown.append(text))
    reporter = crash.CrashReporter(tmp_path / "mlstudy.log")
    error = raised(UserError("the backup folder is read-only"))
    reporter.report(type(error), error, error.__traceback__)
    qtbot.waitUntil(lambda: dialogs.shown_messages != [])
    assert dialogs.shown_messages == ["the backup folder is read-only"]
    assert shown == []


def test_an_error_on_another_thread_reaches_the_dialog_on_the_ui_thread(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown_on: list[tuple[str, bool]] = []

    def record(text: str, _log: Path) -> None:
        shown_on.append((text, threading.current_thread() is threading.main_thread()))

    monkeypatch.setattr(crash, "show_crash_dialog", record)
    reporter = crash.CrashReporter(tmp_path / "mlstudy.log")

    def fail() -> None:
        raise RuntimeError("watcher thread failed")

    with monkeypatch.context() as patch:
        patch.setattr(threading, "excepthook", reporter.report_thread)
        thread = threading.Thread(target=fail)
        thread.start()
        thread.join()
    qtbot.waitUntil(lambda: len(shown_on) == 1)
    text, on_ui_thread = shown_on[0]
    assert "RuntimeError: watcher thread failed" in text
    assert on_ui_thread


STARTUP_SCRIPT = textwrap.dedent(
    """
    import faulthandler, logging, sys, threading
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from mlstudy.gui import dialogs
    from mlstudy.gui.app import _configure_logging
    from mlstudy.gui.crash import install_crash_handlers

    data = Path(sys.argv[1])
    app = QApplication([])
    log_file = _configure_logging(data)
    install_crash_handlers(log_file, data / "faults.log")

    def fail():
        raise RuntimeError("a thread failed")

    thread = threading.Thread(target=fail)
    thread.start()
    thread.join()
    app.processEvents()
    print("dialog:", "RuntimeError: a thread failed" in "".join(dialogs.shown_messages))
    sys.stdout.flush()
    faulthandler._sigsegv()
    """
)


def test_start_up_handlers_cover_threads_and_hard_crashes(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MLSTUDY_HEADLESS_DIALOGS="1")
    result = subprocess.run(
        [sys.executable, "-c", STARTUP_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0  # the segfault ended it
    assert "dialog: True" in result.stdout, result.stderr
    log_text = (tmp_path / "mlstudy.log").read_text(encoding="utf-8")
    assert "RuntimeError: a thread failed" in log_text
    faults = (tmp_path / "faults.log").read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in faults
    assert "<module>" in faults  # the Python stack of the crash


def test_an_error_after_the_reporter_is_gone_is_logged_without_a_second_error(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import shiboken6

    reporter = crash.CrashReporter(tmp_path / "mlstudy.log")
    shiboken6.delete(reporter)  # shutdown: the Qt side went first
    bug = raised(KeyError("late"))
    with caplog.at_level(logging.ERROR, logger="mlstudy"):
        reporter.report(type(bug), bug, bug.__traceback__)  # no "Signal source has been deleted"
    assert "KeyError: 'late'" in caplog.text
