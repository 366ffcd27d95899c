"""The crash path: every uncaught error of the desktop app ends here (DESIGN.md section 2).

A ``UserError`` that nobody handled is shown as a message; anything else is a bug: it
is logged with its traceback and the crash dialog shows it with the log's path. Errors
raised on the UI thread arrive through ``sys.excepthook``, errors of other Python
threads through ``threading.excepthook`` (moved to the UI thread by a queued signal),
and hard crashes (a segfault in Qt, an abort) leave their Python stacks in the fault
log written by ``faulthandler``.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import TextIO

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from mlstudy.errors import UserError
from mlstudy.gui.dialogs import show_crash_dialog, show_error

log = logging.getLogger("mlstudy")


class CrashReporter(QObject):
    """Logs an uncaught error and shows it on the UI thread, whichever thread raised it.

    Create it on the UI thread: ``report`` may be called from any thread, and the
    dialog is always opened on the thread this object lives in.
    """

    _user_error_raised = Signal(str)
    _bug_raised = Signal(str)

    def __init__(self, log_file: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.fault_stream: TextIO | None = None
        self._user_error_raised.connect(self._show_user_error)
        self._bug_raised.connect(self._show_bug)

    def report(
        self,
        kind: type[BaseException],
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Log the error, then show it (a message for a ``UserError``, else the crash dialog)."""
        text = "".join(traceback.format_exception(kind, value, trace))
        # During shutdown the reporter (or the app) may be gone already: the log keeps
        # the error, and emitting from a deleted object would raise a second one.
        showable = shiboken6.isValid(self) and QCoreApplication.instance() is not None
        if isinstance(value, UserError):
            log.warning("unhandled user error: %s", value)
            if showable:
                self._user_error_raised.emit(str(value))
            return
        log.error("unhandled exception\n%s", text)
        if showable:
            self._bug_raised.emit(text)

    def report_thread(self, args: threading.ExceptHookArgs) -> None:
        """``threading.excepthook``: an error that ended a Python thread."""
        if args.exc_type is SystemExit:  # a thread's way to stop, as the default hook treats it
            return
        self.report(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str)
    def _show_user_error(self, message: str) -> None:
        show_error(None, message)

    @Slot(str)
    def _show_bug(self, text: str) -> None:
        show_crash_dialog(text, self.log_file)


def enable_fault_log(fault_file: Path) -> TextIO:
    """Let ``faulthandler`` write the stacks of a hard crash to ``fault_file`` (appended).

    Returns the open file, which must stay open while the app runs. Falls back to
    stderr when the file cannot be opened.
    """
    try:
        stream: TextIO = open(fault_file, "a", encoding="utf-8")  # noqa: SIM115 - kept open
    except OSError as exc:
        log.warning("no fault log at %s (%s); hard crashes go to stderr", fault_file, exc)
        stream = sys.stderr
    faulthandler.enable(file=stream, all_threads=True)
    return stream


def install_crash_handlers(log_file: Path, fault_file: Path) -> CrashReporter:
    """Route uncaught errors of every thread to the crash path; enable the fault log.

    Call on the UI thread once the ``QApplication`` exists. Returns the reporter, which
    the caller keeps alive for as long as the app runs.
    """
    reporter = CrashReporter(log_file)
    sys.excepthook = reporter.report
    threading.excepthook = reporter.report_thread
    reporter.fault_stream = enable_fault_log(fault_file)
    return reporter
