"""Run slow work off the UI thread with success and failure callbacks.

The work function must not touch widgets; the callbacks run on the UI thread.

Errors are classified here, once: a ``UserError`` (bad input, the environment) goes
to the failure callback, which shows its message; anything else is a bug and goes to
``sys.excepthook``, the crash path of ``mlstudy.gui.crash`` (log and crash dialog).
A failure callback never sees a bug, so no page can put a bug's text into a label.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from mlstudy.errors import UserError


class _Signals(QObject):
    succeeded = Signal(object)
    user_error_raised = Signal(object)
    bug_raised = Signal(object)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._work = work
        self._signals = signals

    @Slot()
    def run(self) -> None:
        try:
            result = self._work()
        except UserError as exc:
            self._report(self._signals.user_error_raised, exc)
        except Exception as exc:  # a bug; it keeps its traceback for the crash path
            self._report(self._signals.bug_raised, exc)
        else:
            self._report(self._signals.succeeded, result)

    def _report(self, signal: Any, value: object) -> None:
        # The app may be shutting down while the work ran: with the signals' object
        # gone there is nobody left to tell, and emitting would raise in this thread.
        if shiboken6.isValid(self._signals):
            signal.emit(value)


_alive: set[_Signals] = set()


def _owner_gone(callback: Callable[..., object] | None) -> bool:
    """Whether ``callback`` is a method of a Qt object that was destroyed meanwhile.

    Work can outlive the page or window that asked for it (closing the window while a
    deck sync runs); its callbacks are then dropped instead of touching a dead object.
    """
    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not shiboken6.isValid(owner)


def report_uncaught(exc: BaseException) -> None:
    """Send an error nobody handled to the crash path (``sys.excepthook``), traceback kept."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[UserError], None] | None = None,
    on_finished: Callable[[], None] | None = None,
) -> None:
    """Run ``work`` on the global thread pool; call back on the UI thread when done.

    Args:
        work: the function to run; it must not touch widgets.
        on_success: called with what ``work`` returned.
        on_failure: called with the ``UserError`` that ``work`` raised. Without it, the
            error reaches the crash path, which shows its message.
        on_finished: called after the work ended in any way (success, user error or
            bug), before the other callback; for resetting a "busy" state.

    Any other exception is a bug: it is logged and shown in the crash dialog
    (``mlstudy.gui.crash``) and never reaches ``on_failure``.
    """
    signals = _Signals()
    _alive.add(signals)

    def finish() -> None:
        _alive.discard(signals)
        if on_finished is not None and not _owner_gone(on_finished):
            on_finished()

    def succeeded(result: object) -> None:
        finish()
        if not _owner_gone(on_success):
            on_success(result)

    def user_error_raised(exc: UserError) -> None:
        finish()
        if on_failure is not None:
            if not _owner_gone(on_failure):
                on_failure(exc)
        else:
            report_uncaught(exc)

    def bug_raised(exc: Exception) -> None:
        finish()
        report_uncaught(exc)

    signals.succeeded.connect(succeeded)
    signals.user_error_raised.connect(user_error_raised)
    signals.bug_raised.connect(bug_raised)
    QThreadPool.globalInstance().start(_Task(work, signals))


def wait_for_background(timeout_ms: int = 30000) -> bool:
    """Block until the pool is idle (for tests and shutdown)."""
    return bool(QThreadPool.globalInstance().waitForDone(timeout_ms))
