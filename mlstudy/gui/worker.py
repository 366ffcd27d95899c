"""Run slow work off the UI thread with success and failure callbacks.

The work function must not touch widgets; the callbacks run on the UI thread.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from mlstudy.errors import UserError


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._work = work
        self._signals = signals

    @Slot()
    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # classified by the failure callback
            self._signals.failed.emit(exc, traceback.format_exc())
        else:
            self._signals.succeeded.emit(result)


_alive: set[_Signals] = set()


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[Exception, str], None] | None = None,
) -> None:
    """Run ``work`` on the global thread pool; call back on the UI thread when done.

    A ``UserError`` goes to ``on_failure``; so does a bug, with its traceback. Without
    ``on_failure`` a failure is re-raised on the UI thread (and reaches the crash dialog).
    """
    signals = _Signals()
    _alive.add(signals)

    def succeeded(result: object) -> None:
        _alive.discard(signals)
        on_success(result)

    def failed(exc: Exception, trace: str) -> None:
        _alive.discard(signals)
        if on_failure is not None:
            on_failure(exc, trace)
        elif isinstance(exc, UserError):
            raise exc
        else:
            raise RuntimeError(trace) from exc

    signals.succeeded.connect(succeeded)
    signals.failed.connect(failed)
    QThreadPool.globalInstance().start(_Task(work, signals))


def wait_for_background(timeout_ms: int = 30000) -> bool:
    """Block until the pool is idle (for tests and shutdown)."""
    return bool(QThreadPool.globalInstance().waitForDone(timeout_ms))
