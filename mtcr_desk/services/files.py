"""Writing files the officer asked for (exports, memos) safely.

A write is all or nothing: the data goes to a temporary file in the same folder,
is flushed to disk, then renamed over the destination, and the folder entry is
synced, so a failure or power cut never leaves half a file. A destination that
is not a regular file (a device, a folder) or that is the open database is
refused.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mtcr_desk.domain.errors import InvalidInputError, StorageError


def _default_file_mode() -> int:
    """The permissions a new file gets from the user's umask (0644 for umask 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def write_file_atomically(destination: Path, data: bytes, *,
                          protected: Sequence[Path] = ()) -> None:
    """Write ``data`` to ``destination`` all or nothing; never over a ``protected`` file."""
    destination = Path(destination)
    folder = destination.parent if str(destination.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInputError(f"Cannot write {destination}: folder {folder} does not exist")
    if destination.exists() and not destination.is_file():
        kind = "a folder" if destination.is_dir() else "not a regular file"
        raise InvalidInputError(f"Cannot write {destination}: it is {kind}")
    for path in protected:
        if _same_file(destination, path) or destination.resolve() == Path(path).resolve():
            raise InvalidInputError(
                f"Cannot write {destination}: it is the open database; choose another file")
    temporary_name = None
    try:
        handle, temporary_name = tempfile.mkstemp(prefix=".mtcr-desk-", dir=folder)
        with os.fdopen(handle, "wb") as temporary:
            temporary.write(data)
            temporary.flush()
            os.fsync(temporary.fileno())
        os.chmod(temporary_name, _default_file_mode())
        os.replace(temporary_name, destination)
        temporary_name = None
        sync_folder(folder)
    except OSError as error:
        reason = error.strerror or str(error)
        raise StorageError(f"Cannot write {destination}: {reason}; nothing was written") from error
    finally:
        if temporary_name is not None and os.path.exists(temporary_name):
            os.unlink(temporary_name)


def sync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def sync_file(path: Path) -> None:
    """Flush a file's bytes to the disk."""
    # Opened for writing: Windows refuses fsync on a handle that cannot write.
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
