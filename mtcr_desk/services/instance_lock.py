"""One writer per database file: the desktop app holds a lock while it runs.

A second instance on the same database opens read-only (the GUI shows a
banner) instead of competing for writes. The lock is an operating-system file
lock on ``<database>.lock``: it disappears with the process, so a crashed or
killed app never leaves a stale lock behind.
"""

from __future__ import annotations

import os
from pathlib import Path

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl


class InstanceLock:
    """An exclusive, non-blocking lock on a database's lock file."""

    def __init__(self, database_path: Path):
        self.path = Path(f"{database_path}.lock")
        self._handle = None

    def acquire(self) -> bool:
        """Take the lock; return False when another process holds it."""
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the app's lifetime
        try:
            if os.name == "nt":  # pragma: no cover
                # msvcrt locks bytes from the current position: always the first byte, or
                # two instances (append mode starts at the end) would lock different ones.
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        """Give the lock up (closing the file releases it)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None
