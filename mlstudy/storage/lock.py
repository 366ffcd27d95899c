"""One running mlstudy per data dir: an OS-level lock on a file in that dir."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from mlstudy.errors import LibraryLockedError, UserError

LOCK_FILE = "mlstudy.lock"


class DataDirLock:
    """An exclusive, non-blocking lock released when the process ends (even by SIGKILL)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise ``LibraryLockedError`` naming the dir."""
        try:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        except OSError as exc:
            raise UserError(
                f"cannot open the lock file {self.path}: {exc.strerror or exc}. mlstudy needs "
                f"to write in its data dir {self.path.parent}; check that it is writable "
                "(or use another --data-dir)"
            ) from None
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise LibraryLockedError(
                f"mlstudy is already running with the data dir {self.path.parent}; "
                "close it first (or use another --data-dir)"
            ) from None
        self._handle = handle

    def release(self) -> None:
        """Give the lock back."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
