"""Backups and restores of the database file, all or nothing.

A backup is taken with SQLite's backup API (never a file copy of a live
database) into a temporary file in the target folder; the copy is checked
(integrity, ``application_id``, the audit chain recomputed on the copy opened
read-only), flushed to disk, renamed into place, and described by a small JSON
record beside it (``<backup file>.json``: time, source, SHA-256, audit rows and
head hash, migrations, version). Backup files are named by UTC time, sortable::

    mtcr-desk-20260301-174502-auto.sqlite      (automatic, rotated)
    mtcr-desk-20260301-180000-manual.sqlite    (asked for; never deleted automatically)

:func:`backup_if_due` makes at most one automatic backup a day and keeps the
newest ``backups_kept`` of them. A database whose audit chain is broken is not
backed up: the older, sound backups stay (none is rotated away) and the message
says why.

:func:`restore` checks the backup first (SQLite header, ``application_id``,
integrity, no migrations of a newer version, audit chain, the record's SHA-256),
refuses while another instance holds the database, writes the restored content
to a temporary file beside the database and swaps it in with one atomic rename.
The replaced database is kept as ``<database>.before-restore-<time>``. A refused
restore changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mtcr_desk import SQLITE_APPLICATION_ID, __version__, paths
from mtcr_desk.domain.errors import (
    DatabaseLockedError,
    InvalidInputError,
    NewerSchemaError,
    NotFoundError,
    NotOurDatabaseError,
    StorageError,
)
from mtcr_desk.services.files import sync_file, sync_folder, write_file_atomically
from mtcr_desk.services.instance_lock import InstanceLock
from mtcr_desk.services.settings import OfficeSettings
from mtcr_desk.storage import backup as backup_store

logger = logging.getLogger(__name__)

BACKUP_PREFIX = "mtcr-desk-"
BACKUP_SUFFIX = ".sqlite"
SIDECAR_SUFFIX = ".json"
SIDECAR_FORMAT = "mtcr-desk/backup"
AUTO = "auto"
MANUAL = "manual"
#: An automatic backup younger than this makes the next one unnecessary.
AUTO_INTERVAL = timedelta(hours=24)
#: Temporary files of a backup that died (power cut) are removed after this long.
STALE_PARTIAL_SECONDS = 3600
_PARTIAL_PREFIX = ".mtcr-desk-backup-"
_NAME = re.compile(r"^mtcr-desk-(\d{8}-\d{6})-(auto|manual)(?:-(\d+))?\.sqlite$")
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupFile:
    """One backup in a backup folder, known by its name."""

    path: Path
    created_at: datetime
    kind: str
    #: Tells apart backups made within the same second (1 for the first).
    counter: int = 1

    @property
    def sidecar(self) -> Path:
        return sidecar_path(self.path)

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.created_at, self.counter)


@dataclass(frozen=True)
class BackupResult:
    """A backup written: where, its record, and how long it took."""

    path: Path
    record: dict
    seconds: float


@dataclass(frozen=True)
class BackupCheck:
    """A backup file found sound, with what it holds."""

    path: Path
    audit_rows: int
    head_hash: str
    migrations: tuple[str, ...]
    #: The record beside the file, when there is one.
    record: dict | None


@dataclass(frozen=True)
class RestoreResult:
    """A restore done: what was restored and where the replaced database was kept."""

    database: Path
    restored_from: Path
    kept_aside: Path | None
    check: BackupCheck


# --- names and folders -----------------------------------------------------------------


def sidecar_path(backup: Path) -> Path:
    """The JSON record beside a backup file (``<file name>.json``)."""
    backup = Path(backup)
    return backup.with_name(backup.name + SIDECAR_SUFFIX)


def default_backup_folder(database: Path | None = None) -> Path:
    """The backups folder in the user data folder (used when the setting is empty).

    Each database file has a folder of its own there (``backups/<file stem>``), so
    that the live database, the demo and the training sandbox never count or
    rotate each other's backups.
    """
    root = paths.user_data_dir() / "backups"
    if database is None:
        return root
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", Path(database).stem)[:80] or "database"
    return root / stem


def backup_folder(settings: OfficeSettings, database: Path | None = None) -> Path:
    """The folder backups of ``database`` go to under these settings."""
    configured = settings.backup_folder.strip()
    return Path(configured).expanduser() if configured else default_backup_folder(database)


def parse_backup_name(path: Path) -> BackupFile | None:
    """The backup a file name describes, or None when it is not one of our names."""
    match = _NAME.match(Path(path).name)
    if match is None:
        return None
    try:
        created = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return BackupFile(Path(path), created, match.group(2), int(match.group(3) or 1))


def list_backups(folder: Path) -> list[BackupFile]:
    """The backups in ``folder``, oldest first (an absent folder has none)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        parsed = parse_backup_name(path)
        if parsed is not None and path.is_file():
            found.append(parsed)
    found.sort(key=lambda backup: backup.sort_key)
    return found


def _new_backup_path(folder: Path, kind: str, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime(_STAMP)
    counter = 1
    while True:
        suffix = "" if counter == 1 else f"-{counter}"
        candidate = folder / f"{BACKUP_PREFIX}{stamp}-{kind}{suffix}{BACKUP_SUFFIX}"
        if not candidate.exists():
            return candidate
        counter += 1


# --- writing a backup ------------------------------------------------------------------


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reason(error: OSError) -> str:
    """A short reason for a failed write that an officer can act on."""
    if error.errno == errno.ENOSPC or error.errno == getattr(errno, "EDQUOT", None):
        return "the disk is full"
    if error.errno == errno.EROFS:
        return "the folder is on a read-only disk"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "no permission to write in the folder"
    return error.strerror or str(error)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _remove_partial(path: Path) -> None:
    """Remove a temporary copy and the journal SQLite may have left beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        _remove_quietly(Path(f"{path}{suffix}"))


def _remove_stale_partials(folder: Path) -> None:
    """Remove temporary files left by a backup that was interrupted long ago."""
    limit = time.time() - STALE_PARTIAL_SECONDS
    with contextlib.suppress(OSError):
        for path in folder.glob(f"{_PARTIAL_PREFIX}*"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()


def _verified_copy(copy: Path, source: Path) -> backup_store.FileReport:
    """Check the copy just written; raise StorageError when it is not a sound backup."""
    report = backup_store.inspect_file(copy)
    if report.application_id != SQLITE_APPLICATION_ID:
        raise StorageError(f"{source} is not an MTCR Desk database; no backup was made")
    if not report.integrity_ok:
        raise StorageError(f"the copy of {source} failed the integrity check "
                           f"({report.integrity[0]}); no backup was made")
    if report.audit is None or not report.audit.ok:
        problem = report.audit.problem.message if report.audit else "not checked"
        raise StorageError(
            f"the audit chain of {source} is broken ({problem}); no backup was made, and "
            "the existing backups were kept. Run 'mtcr-desk verify' and call an administrator")
    return report


def create_backup(source, destination: Path | None = None, *, folder: Path | None = None,
                  kind: str = MANUAL, reason: str = "manual",
                  now: datetime | None = None) -> BackupResult:
    """Back up the database ``source`` (a store or a path); return where it went.

    ``destination`` names the file; otherwise a new time-stamped name in
    ``folder`` (default: the user data folder's ``backups/``, created when
    missing). An existing file is never overwritten. Raises
    :class:`StorageError` with the reason (disk full, read-only folder, broken
    audit chain...); nothing partial is ever left behind.
    """
    started = time.perf_counter()
    source_path = Path(getattr(source, "path", source))
    now = now or datetime.now(UTC)
    if kind not in (AUTO, MANUAL):
        raise InvalidInputError(f"backup kind: {AUTO} or {MANUAL}, not {kind!r}")
    if destination is not None:
        destination = Path(destination)
        target_folder = destination.parent if str(destination.parent) else Path(".")
        if destination.is_dir():
            raise InvalidInputError(f"Cannot write the backup to {destination}: it is a "
                                    "folder; give a file name in it")
        if destination.exists():
            raise InvalidInputError(f"Cannot write the backup to {destination}: the file "
                                    "exists already; choose a new name")
    else:
        target_folder = (Path(folder) if folder is not None
                         else default_backup_folder(source_path))
        # Only our own folders in the user data folder are created; a configured one that
        # is missing (a drive not plugged in) is refused below.
        if default_backup_folder() in (target_folder, target_folder.parent):
            try:
                target_folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StorageError(f"Cannot create the backup folder {target_folder}: "
                                   f"{_reason(error)}; nothing was written") from error
    if not target_folder.is_dir():
        raise InvalidInputError(f"Cannot write the backup: folder {target_folder} does not "
                                "exist")
    for database_file in (source_path, Path(f"{source_path}-wal"), Path(f"{source_path}-shm")):
        if destination is not None and destination.resolve() == database_file.resolve():
            raise InvalidInputError(f"Cannot write the backup to {destination}: it is the "
                                    "database itself; choose another file")
    _remove_stale_partials(target_folder)

    partial: Path | None = None
    final: Path | None = None
    try:
        handle, partial_name = tempfile.mkstemp(prefix=_PARTIAL_PREFIX, suffix=".partial",
                                                dir=target_folder)
        os.close(handle)
        partial = Path(partial_name)
        backup_store.snapshot(source_path, partial)
        sync_file(partial)
        report = _verified_copy(partial, source_path)
        os.chmod(partial, 0o600)  # the whole case record: readable by its owner only
        final = destination or _new_backup_path(target_folder, kind, now)
        if final.exists():
            raise InvalidInputError(f"Cannot write the backup to {final}: the file exists "
                                    "already; choose a new name")
        os.replace(partial, final)
        partial = None
        sync_folder(target_folder)
        record = {
            "format": SIDECAR_FORMAT,
            "format_version": 1,
            "created_at": _utc_text(now),
            "kind": kind,
            "reason": reason,
            "source": str(source_path.resolve()),
            "file": final.name,
            "size": final.stat().st_size,
            "sha256": file_sha256(final),
            "audit_rows": report.audit.rows,
            "audit_head": report.audit.head_hash,
            "migrations": list(report.migrations),
            "app_version": __version__,
        }
        data = (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        write_file_atomically(sidecar_path(final), data)
    except OSError as error:
        _discard(partial, final)
        raise StorageError(f"Cannot write the backup in {target_folder}: {_reason(error)}; "
                           "nothing was written") from error
    except StorageError as error:
        _discard(partial, final)
        message = error.message
        if "disk full" in message.lower() or "disk is full" in message.lower():
            raise StorageError(f"Cannot write the backup in {target_folder}: the disk is "
                               "full; nothing was written") from error
        raise StorageError(f"Backup failed: {message}") from error
    except BaseException:
        _discard(partial, final)
        raise
    seconds = time.perf_counter() - started
    logger.info("backup written: %s (%d audit rows, %.2f s)", final.name, record["audit_rows"],
                seconds)
    return BackupResult(final, record, seconds)


def _discard(partial: Path | None, final: Path | None) -> None:
    """Remove what a failed backup wrote (the temporary file, or the renamed one)."""
    if partial is not None:
        _remove_partial(partial)
    elif final is not None:
        _remove_quietly(final)
        _remove_quietly(sidecar_path(final))


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest automatic backups beyond ``keep``; return the deleted files.

    Manual backups and files that are not ours are never touched.
    """
    now = datetime.now(UTC)
    # A backup dated in the future (a clock that was wrong) is stale, not new: it goes
    # first, so that it never takes the place of a backup actually made recently.
    automatic = sorted((backup for backup in list_backups(folder) if backup.kind == AUTO),
                       key=lambda backup: (backup.created_at <= now, backup.sort_key))
    surplus = automatic[:max(0, len(automatic) - max(keep, 1))]
    deleted = []
    for backup in surplus:
        try:
            os.unlink(backup.path)
        except FileNotFoundError:
            continue
        except OSError as error:
            logger.warning("could not delete old backup %s: %s", backup.path.name,
                           error.strerror)
            continue
        _remove_quietly(backup.sidecar)
        deleted.append(backup.path)
    if deleted:
        sync_folder(Path(folder))
    return deleted


def backup_if_due(store, settings: OfficeSettings, reason: str = "close", *,
                  now: datetime | None = None) -> BackupResult | None:
    """Make the daily automatic backup when it is due; rotate; None when not due.

    Due when no automatic backup younger than 24 hours is in the folder. A
    backup dated in the future (the clock was put back) does not count: the
    newest one made before now decides.
    """
    now = now or datetime.now(UTC)
    folder = backup_folder(settings, Path(getattr(store, "path", store)))
    made_before_now = [backup for backup in list_backups(folder)
                       if backup.kind == AUTO and backup.created_at <= now]
    if made_before_now and now - made_before_now[-1].created_at < AUTO_INTERVAL:
        return None
    result = create_backup(store, folder=folder, kind=AUTO, reason=reason, now=now)
    rotate(folder, settings.backups_kept)
    return result


# --- checking and restoring ------------------------------------------------------------


def read_sidecar(backup: Path) -> dict | None:
    """The record beside a backup, None when there is none; refuse an unreadable one."""
    path = sidecar_path(backup)
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError) as error:
        raise InvalidInputError(f"{path.name}, the record beside the backup, cannot be read "
                                f"({error}); the database was not changed") from error
    if not isinstance(record, dict) or not isinstance(record.get("sha256"), str):
        raise InvalidInputError(f"{path.name}, the record beside the backup, has no sha256; "
                                "the database was not changed")
    return record


def check_backup(path: Path) -> BackupCheck:
    """Check a backup file before it is restored; raise with a clear message if unsound."""
    path = Path(path)
    untouched = "the database was not changed"
    if not path.exists():
        raise NotFoundError(f"{path}: no such file")
    if not path.is_file():
        raise InvalidInputError(f"{path} is not a file")
    try:
        if path.stat().st_size == 0 or not backup_store.has_sqlite_header(path):
            raise NotOurDatabaseError(f"{path} is not an MTCR Desk backup (not an SQLite "
                                      f"file); {untouched}")
    except OSError as error:
        raise StorageError(f"Cannot read {path}: {_reason(error)}") from error
    record = read_sidecar(path)
    if record is not None and file_sha256(path) != record["sha256"]:
        raise StorageError(f"{path} does not match its record {sidecar_path(path).name} "
                           f"(SHA-256 differs): it was changed or damaged after the backup; "
                           f"{untouched}")
    try:
        report = backup_store.inspect_file(path)
    except NotOurDatabaseError as error:
        raise NotOurDatabaseError(f"{path} is damaged or not an MTCR Desk backup "
                                  f"({_cause(error)}); {untouched}") from error
    if report.application_id != SQLITE_APPLICATION_ID:
        raise NotOurDatabaseError(
            f"{path} is an SQLite file of another application (application_id "
            f"{report.application_id:#x}, expected {SQLITE_APPLICATION_ID:#x}); {untouched}")
    if not report.integrity_ok:
        raise StorageError(f"{path} is damaged (integrity check: {report.integrity[0]}); "
                           f"{untouched}")
    if report.unknown_migrations:
        raise NewerSchemaError(
            f"{path} was written by a newer version of MTCR Desk (schema changes "
            f"{', '.join(report.unknown_migrations)} are unknown to version {__version__}); "
            f"{untouched}")
    if report.audit is None or not report.audit.ok:
        problem = report.audit.problem.message if report.audit else "not checked"
        raise StorageError(f"{path}: the audit chain is broken ({problem}); {untouched}")
    return BackupCheck(path, report.audit.rows, report.audit.head_hash, report.migrations,
                       record)


def _cause(error: StorageError) -> str:
    """The SQLite reason inside a refusal message (the text in the last parentheses)."""
    message = error.message
    if "(" in message and message.endswith(")"):
        return message[message.rindex("(") + 1:-1]
    return message


def _aside_path(database: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime(_STAMP)
    candidate = database.with_name(f"{database.name}.before-restore-{stamp}")
    counter = 2
    while candidate.exists():
        candidate = database.with_name(f"{database.name}.before-restore-{stamp}-{counter}")
        counter += 1
    return candidate


def _keep_aside(database: Path, aside: Path) -> None:
    """Give the current database a second name (a hard link; a copy where links fail)."""
    try:
        os.link(database, aside)
    except OSError:
        shutil.copy2(database, aside)
        sync_file(aside)


def _purpose_name(purpose: str | None) -> str:
    return "the training sandbox" if purpose == "training" else "a live (or demo) database"


def _refuse_other_purpose(database: Path, backup: Path) -> None:
    """A training backup never replaces a live database, nor the other way round."""
    if not database.exists():
        return
    try:
        current = backup_store.database_purpose(database)
    except StorageError:
        return  # a damaged database: the restore is what repairs it
    restored = backup_store.database_purpose(backup)
    if current != restored:
        raise InvalidInputError(
            f"{backup.name} is a backup of {_purpose_name(restored)} and {database.name} is "
            f"{_purpose_name(current)}: restore it into a database of its own kind; the "
            "database was not changed")


def restore(database: Path, backup: Path, *, now: datetime | None = None) -> RestoreResult:
    """Replace the database at ``database`` by the backup ``backup``, all or nothing.

    The backup is checked first; the database must not be open in another
    instance. The database replaced is kept as ``<database>.before-restore-<time>``
    (with its ``-wal`` when that could not be emptied).
    """
    database = Path(database)
    backup = Path(backup)
    now = now or datetime.now(UTC)
    check = check_backup(backup)
    if database.exists() and os.path.samefile(database, backup):
        raise InvalidInputError(f"{backup} is the database itself; nothing to restore")
    _refuse_other_purpose(database, backup)
    folder = database.parent if str(database.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInputError(f"Cannot restore to {database}: folder {folder} does not exist")

    lock = InstanceLock(database)
    try:
        acquired = lock.acquire()
    except OSError as error:
        raise StorageError(f"Cannot restore to {database}: {_reason(error)}") from error
    if not acquired:
        raise DatabaseLockedError(f"{database} is open in MTCR Desk: close the application "
                                  "first, then restore; the database was not changed")
    partial: Path | None = None
    try:
        wal = Path(f"{database}-wal")
        shm = Path(f"{database}-shm")
        if database.exists():
            try:
                alone = backup_store.leave_wal_mode(database)
            except StorageError:
                alone = True  # a damaged database: set aside as it is, WAL and all
            if not alone:
                raise DatabaseLockedError(
                    f"{database} is in use by another program: close it first, then restore; "
                    "the database was not changed")
        handle, partial_name = tempfile.mkstemp(prefix=".mtcr-desk-restore-",
                                                suffix=".partial", dir=folder)
        os.close(handle)
        partial = Path(partial_name)
        backup_store.snapshot(backup, partial)
        sync_file(partial)
        restored = backup_store.inspect_file(partial, check_audit=False)
        if restored.application_id != SQLITE_APPLICATION_ID or not restored.integrity_ok:
            raise StorageError(f"the restored copy of {backup} failed its check; "
                               "the database was not changed")
        os.chmod(partial, 0o600)
        aside = None
        if database.exists():
            aside = _aside_path(database, now)
            _keep_aside(database, aside)
            # The old WAL and shared memory belong to the old file: they go with it, so
            # nothing of them is ever read as part of the restored database.
            for companion, suffix in ((wal, "-wal"), (shm, "-shm")):
                if companion.exists():
                    os.replace(companion, Path(f"{aside}{suffix}"))
        os.replace(partial, database)
        partial = None
        sync_folder(folder)
    except DatabaseLockedError:
        raise
    except OSError as error:
        raise StorageError(f"Cannot restore to {database}: {_reason(error)}; the database "
                           "was not changed") from error
    except StorageError as error:
        if "not changed" in error.message:
            raise
        raise StorageError(f"Cannot restore to {database}: {error.message}; the database "
                           "was not changed") from error
    finally:
        if partial is not None:
            _remove_partial(partial)
        lock.release()
    logger.info("database restored from %s (%d audit rows); previous file kept as %s",
                backup.name, check.audit_rows, aside.name if aside else "-")
    return RestoreResult(database, backup, aside, check)
