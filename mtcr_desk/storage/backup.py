"""SQLite's side of backups and restores: the online backup API, and checking a copy.

A live database is never copied as a file: a file copy taken while another
connection writes (or with committed pages still in the WAL) can be torn.
:func:`snapshot` uses ``sqlite3.Connection.backup`` in one step, which reads one
consistent committed state under a read transaction (in WAL mode writers carry on
meanwhile), and leaves the copy as a single self-contained file (rollback
journal, no ``-wal``/``-shm`` beside it).

:func:`inspect_file` opens a file read-only and reports what it is: its
``application_id``, ``PRAGMA integrity_check``, the migrations recorded in it
(and those this version does not know) and the audit chain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mtcr_desk import SQLITE_APPLICATION_ID
from mtcr_desk.domain.errors import NotOurDatabaseError, StorageError
from mtcr_desk.storage import audit, migrations, settings
from mtcr_desk.storage.database import BUSY_TIMEOUT_MS, SQLITE_MAGIC

#: Errors of the database library, for the services that must catch them.
DatabaseError = sqlite3.Error


def _read_only_uri(path: Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def _is_disk_full(error: BaseException) -> bool:
    text = str(error).lower()
    return "disk is full" in text or "disk full" in text


def snapshot(source: Path, destination: Path) -> None:
    """Copy the committed state of the database ``source`` into the new file ``destination``.

    ``destination`` must not hold a database yet (the caller creates it empty, as a
    temporary file). Raises :class:`StorageError` with the reason; the caller
    removes the partial destination.
    """
    try:
        reader = sqlite3.connect(_read_only_uri(source), uri=True,
                                 timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise StorageError(f"Cannot read database {source}: {error}") from error
    try:
        target = sqlite3.connect(str(destination), isolation_level=None)
        try:
            # One step (pages=-1): one read transaction, so one consistent state, and
            # a write committed meanwhile by another connection cannot restart it.
            reader.backup(target, pages=-1)
            # The copy inherits WAL mode from the header; a backup is one file.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    except sqlite3.Error as error:
        if _is_disk_full(error):
            raise StorageError(f"Disk full while writing {destination}") from error
        raise StorageError(f"Cannot copy {source} to {destination}: {error}") from error
    finally:
        reader.close()


def leave_wal_mode(path: Path) -> bool:
    """Checkpoint the WAL into the main file and switch it to a rollback journal.

    Afterwards the main file alone holds the whole database (no ``-wal``/``-shm``).
    SQLite allows the switch only when no other connection has the file open, so
    this is also the test that nobody else is using it: False when someone is
    (nothing was changed then).
    """
    try:
        connection = sqlite3.connect(str(path), isolation_level=None, timeout=0.5)
    except sqlite3.Error as error:
        raise StorageError(f"Cannot open database {path}: {error}") from error
    try:
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        return str(mode).lower() == "delete"
    except sqlite3.OperationalError as error:
        if "locked" in str(error).lower() or "busy" in str(error).lower():
            return False
        raise StorageError(f"Database {path}: {error}") from error
    except sqlite3.Error as error:
        raise StorageError(f"Database {path}: {error}") from error
    finally:
        connection.close()


@dataclass(frozen=True)
class FileReport:
    """What :func:`inspect_file` found in a database file."""

    application_id: int
    #: The lines of ``PRAGMA integrity_check`` (``["ok"]`` for a sound file).
    integrity: tuple[str, ...]
    #: Names of the migrations recorded in the file, in order.
    migrations: tuple[str, ...]
    #: Recorded migrations this version does not know (a newer MTCR Desk wrote it).
    unknown_migrations: tuple[str, ...]
    #: The audit chain, recomputed and cross-checked (None when not asked for).
    audit: audit.VerifyResult | None

    @property
    def integrity_ok(self) -> bool:
        return self.integrity == ("ok",)


def database_purpose(path: Path) -> str | None:
    """The ``database_purpose`` setting of a database file ("training"), read in place.

    Opened immutable: reading it must not create a ``-wal`` or ``-shm`` file beside
    a database that is not ours to touch yet. The purpose is written when the
    database is created, so a log not yet checkpointed cannot hide it.
    """
    try:
        connection = sqlite3.connect(_read_only_uri(path) + "&immutable=1", uri=True)
    except sqlite3.Error as error:
        raise NotOurDatabaseError(f"{path} cannot be opened as a database ({error})") from error
    try:
        has_settings = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                          "AND name = 'settings'").fetchone()
        if has_settings and settings.is_training_database(connection):
            return settings.TRAINING_PURPOSE
        return None
    except sqlite3.DatabaseError as error:
        raise NotOurDatabaseError(f"{path} is not a readable database ({error})") from error
    finally:
        connection.close()


def has_sqlite_header(path: Path) -> bool:
    """True when the file starts with the SQLite magic string."""
    with Path(path).open("rb") as handle:
        return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def inspect_file(path: Path, *, check_audit: bool = True,
                 progress: Callable[[str], None] | None = None) -> FileReport:
    """Open ``path`` read-only and report what it holds; write nothing to it.

    Raises :class:`NotOurDatabaseError` when SQLite cannot read it at all (a
    damaged or foreign file); the other findings are in the report for the
    caller to judge.
    """
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True,
                                     timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise NotOurDatabaseError(f"{path} cannot be opened as a database ({error})") from error
    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        if application_id != SQLITE_APPLICATION_ID:
            # Not ours: nothing else in it is worth reading.
            return FileReport(application_id, (), (), (), None)
        if progress:
            progress("integrity")
        integrity = tuple(row[0] for row in connection.execute("PRAGMA integrity_check"))
        recorded: tuple[str, ...] = ()
        has_migrations = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()
        if has_migrations:
            recorded = tuple(name for (name,) in connection.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
                [migrations.MIGRATION_SET]))
        unknown = tuple(migrations.unknown_applied_migrations(connection))
        verified = None
        if check_audit and integrity == ("ok",) and not unknown:
            if progress:
                progress("audit")
            verified = audit.verify(connection)
        return FileReport(application_id, integrity, recorded, unknown, verified)
    except sqlite3.DatabaseError as error:
        raise NotOurDatabaseError(
            f"{path} is not a readable MTCR Desk database ({error})") from error
    finally:
        connection.close()
