"""Opening the SQLite file safely, and the transactions every write goes through.

Rules this module enforces for the whole application:

* The file is checked *before* anything is written to it: a file that is not
  SQLite, an SQLite file with another ``application_id``, or one whose schema
  was written by a newer MTCR Desk is refused with a clear message and left
  byte-for-byte untouched. Nothing is ever "repaired".
* Pragmas: WAL journal, ``synchronous=FULL`` (a committed write survives a power
  cut), ``foreign_keys=ON``, a busy timeout.
* Every write transaction starts with ``BEGIN IMMEDIATE``, so a writer takes the
  write lock up front and never fails half-way with "database is locked".
  The connection runs in driver autocommit mode (``isolation_level=None``) so
  that Python's sqlite3 never opens a transaction behind our back; sqlite-utils
  calls made inside :meth:`Store.write` nest as savepoints.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from mtcr_desk import SQLITE_APPLICATION_ID
from mtcr_desk.domain.errors import (
    DatabaseLockedError,
    NewerSchemaError,
    NotOurDatabaseError,
    StorageError,
)
from mtcr_desk.storage import migrations

SQLITE_MAGIC = b"SQLite format 3\x00"

#: The errors the database library raises, for callers outside storage that must
#: catch them without importing it.
DatabaseError = sqlite3.Error
BUSY_TIMEOUT_MS = 5000


def _describe(path: Path) -> str:
    return str(path)


def check_database_file(path: Path) -> None:
    """Refuse a file that is not an MTCR Desk database, without writing to it.

    A missing or empty file is fine (it becomes a new database). Raises
    :class:`NotOurDatabaseError` or :class:`NewerSchemaError` otherwise.
    """
    if not path.exists():
        if not path.parent.exists():
            raise StorageError(
                f"Cannot create database {path}: folder {path.parent} does not exist")
        return
    if path.is_dir():
        raise NotOurDatabaseError(f"{path} is a folder, not an MTCR Desk database file")
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise StorageError(f"Cannot read database {path}: {error.strerror}") from error
    if len(header) == 0:
        return
    if not header.startswith(SQLITE_MAGIC):
        raise NotOurDatabaseError(
            f"{path} is not an MTCR Desk database (not an SQLite file); it was left untouched"
        )

    # Ask SQLite itself, read-only: the header in the main file can lag behind
    # the WAL, and a read-only URI connection cannot change the file.
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        probe = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise StorageError(f"Cannot open database {path}: {error}") from error
    try:
        application_id = probe.execute("PRAGMA application_id").fetchone()[0]
        table_count = probe.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
        if application_id != SQLITE_APPLICATION_ID:
            if application_id == 0 and table_count == 0:
                return  # an empty SQLite file: safe to initialise
            raise NotOurDatabaseError(
                f"{path} is an SQLite file of another application "
                f"(application_id {application_id:#x}, expected {SQLITE_APPLICATION_ID:#x}); "
                "it was left untouched"
            )
        unknown = migrations.unknown_applied_migrations(probe)
        if unknown:
            raise NewerSchemaError(
                f"{path} was written by a newer version of MTCR Desk (schema changes "
                f"{', '.join(unknown)} are unknown to this version {_version()}); "
                "open it with that version or newer"
            )
    except sqlite3.DatabaseError as error:
        raise NotOurDatabaseError(
            f"{path} is not a readable MTCR Desk database ({error}); it was left untouched"
        ) from error
    finally:
        probe.close()


def _version() -> str:
    from mtcr_desk import __version__

    return __version__


class Store:
    """An open MTCR Desk database: one connection, pragmas set, schema current."""

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self.connection = connection
        self.read_only = False
        self._db = None

    @property
    def db(self):
        """The connection wrapped by sqlite-utils (imported on first use: it is slow to load)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.connection)
        return self._db

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Run the block as one ``BEGIN IMMEDIATE`` transaction: all of it or none of it."""
        if self.connection.in_transaction:
            raise StorageError("Internal error: nested write transaction")
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _storage_error(self.path, error) from error
        try:
            yield self.connection
        except sqlite3.OperationalError as error:
            if self.connection.in_transaction:
                # SQLite may have rolled back already (a full disk): the report below matters
                # more than a second failure here.
                with contextlib.suppress(sqlite3.Error):
                    self.connection.execute("ROLLBACK")
            # A full disk, a file made read-only, an I/O error: the user is told which, and
            # the rollback above means nothing of the transaction was written.
            raise _storage_error(self.path, error) from error
        except BaseException:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            raise
        try:
            self.connection.execute("COMMIT")
        except sqlite3.Error as error:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            raise _storage_error(self.path, error) from error

    def make_read_only(self) -> None:
        """Refuse every write on this connection from now on (``PRAGMA query_only``)."""
        self.connection.execute("PRAGMA query_only = ON")
        self.read_only = True

    def files(self) -> tuple[Path, ...]:
        """The database file and its WAL and shared-memory companions."""
        return (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))

    def close(self) -> None:
        """Close the connection (checkpointing the WAL when we are the last user)."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _storage_error(path: Path, error: sqlite3.Error) -> StorageError:
    """Translate an SQLite error into a message that names the problem."""
    # The error code says what happened; the text is only a fallback for old Pythons.
    code = getattr(error, "sqlite_errorname", "") or ""
    if code.startswith("SQLITE_BUSY"):
        return DatabaseLockedError(
            f"Database {path} is locked by another program; try again when it has finished"
        )
    if code.startswith("SQLITE_READONLY"):
        return StorageError(f"Database {path} is read-only; nothing was changed")
    if code == "SQLITE_FULL":
        return StorageError(f"Disk full while writing {path}; nothing was changed")
    if code.startswith("SQLITE_IOERR"):
        return StorageError(f"Database {path}: the disk could not be read or written "
                            f"({error}); nothing was changed")
    if code:
        return StorageError(f"Database {path}: {error}")
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return DatabaseLockedError(
            f"Database {path} is locked by another program; try again when it has finished"
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(f"Database {path} is read-only; nothing was changed")
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError(f"Disk full while writing {path}; nothing was changed")
    return StorageError(f"Database {path}: {error}")


def open_store(path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Store:
    """Open (or create) the database at ``path`` and bring its schema up to date.

    ``busy_timeout_ms`` is how long a write waits for another writer to finish.
    Raises :class:`StorageError` subclasses with a readable message; a refused
    file is never modified.
    """
    path = Path(path)
    check_database_file(path)
    try:
        connection = sqlite3.connect(
            str(path), isolation_level=None, timeout=busy_timeout_ms / 1000,
            check_same_thread=False,
        )
    except sqlite3.Error as error:
        raise _storage_error(path, error) from error
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        connection.execute("PRAGMA foreign_keys = ON")
        journal_mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if journal_mode.lower() != "wal":
            raise StorageError(f"Database {path}: cannot switch to WAL journal ({journal_mode})")
        connection.execute("PRAGMA synchronous = FULL")
        store = Store(path, connection)
        if migrations.pending_migrations(connection):
            with store.write():
                connection.execute(f"PRAGMA application_id = {SQLITE_APPLICATION_ID}")
                migrations.apply(store.db)
    except sqlite3.Error as error:
        connection.close()
        raise _storage_error(path, error) from error
    except BaseException:
        connection.close()
        raise
    return store
