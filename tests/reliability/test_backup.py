"""Backups: a verified copy taken with the backup API, its record, rotation, failures.

Also holds the helpers the restore, recovery and autosave tests share (cases, a tiny
tmpfs for full and read-only disks, folder snapshots).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mtcr_desk import SQLITE_APPLICATION_ID, __version__
from mtcr_desk.domain.cases import Item
from mtcr_desk.domain.errors import InvalidInputError, StorageError
from mtcr_desk.services import backup
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.settings import OfficeSettings
from mtcr_desk.storage import audit, migrations

T0 = datetime(2026, 3, 1, 17, 45, 2, tzinfo=UTC)


# --- shared helpers ----------------------------------------------------------------------


def open_case(store, officer, applicant: str = "Backup Test GmbH", *, items: int = 2) -> str:
    """Open a case with ``items`` items; return its reference."""
    case = CaseService(store).create(
        actor=officer, applicant=applicant, destination="DE", received_on="2026-06-01",
        items=[Item(line=0, description=f"item {n}", quantity=1) for n in range(items)])
    return case.reference


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` (not below) with the SHA-256 of its bytes."""
    state = {}
    for path in sorted(Path(folder).iterdir()):
        if path.is_file():
            state[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


@contextlib.contextmanager
def tiny_filesystem(size: str = "256k", *, read_only: bool = False):
    """A tmpfs of ``size`` mounted on a new folder (read-only if asked); skip if not allowed."""
    if shutil.which("mount") is None or os.name != "posix":
        pytest.skip("no mount command: cannot simulate a full or read-only disk")
    folder = Path(tempfile.mkdtemp(prefix="mtcr-desk-tinyfs-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"mount not permitted here ({mounted.stderr.strip()})")
    try:
        if read_only:
            (folder / "already-here.txt").write_text("kept\n")
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def assert_sound_backup(path: Path) -> dict:
    """The backup opens, passes integrity and audit checks and matches its record."""
    record = json.loads(backup.sidecar_path(path).read_text(encoding="utf-8"))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"]
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA application_id").fetchone()[0] == \
            SQLITE_APPLICATION_ID
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        result = audit.verify(connection)
        assert result.ok, result.problem
        assert (result.rows, result.head_hash) == (record["audit_rows"], record["audit_head"])
    finally:
        connection.close()
    return record


# --- a backup ----------------------------------------------------------------------------


def test_a_backup_is_a_verified_copy_with_its_record(store, people, tmp_path):
    reference = open_case(store, people["olga"])
    CaseService(store).add_note(reference, text="before the backup", actor=people["olga"])
    folder = tmp_path / "backups"
    folder.mkdir()

    result = backup.create_backup(store, folder=folder, now=T0)

    assert result.path == folder / "mtcr-desk-20260301-174502-manual.sqlite"
    assert sorted(p.name for p in folder.iterdir()) == [
        "mtcr-desk-20260301-174502-manual.sqlite",
        "mtcr-desk-20260301-174502-manual.sqlite.json"]  # nothing partial, no -wal
    record = assert_sound_backup(result.path)
    live = audit.verify(store.connection)
    assert record["audit_rows"] == live.rows and record["audit_head"] == live.head_hash
    assert record["migrations"] == migrations.known_migration_names()
    assert record["created_at"] == "2026-03-01T17:45:02Z"
    assert record["source"] == str(store.path.resolve())
    assert record["app_version"] == __version__
    assert record["size"] == result.path.stat().st_size
    # The copy holds the case.
    with open_database(result.path, read_only=True) as copy:
        assert CaseService(copy).get(reference).notes[-1].text == "before the backup"


def test_backup_to_a_named_file_and_what_it_refuses(store, people, tmp_path):
    target = tmp_path / "stick" / "office.sqlite"
    target.parent.mkdir()
    result = backup.create_backup(store, target)
    assert result.path == target
    assert_sound_backup(target)
    before = folder_state(target.parent)
    with pytest.raises(InvalidInputError, match="exists already"):
        backup.create_backup(store, target)
    with pytest.raises(InvalidInputError, match="does not exist"):
        backup.create_backup(store, tmp_path / "missing" / "x.sqlite")
    with pytest.raises(InvalidInputError, match="exists already"):
        backup.create_backup(store, store.path)
    assert folder_state(target.parent) == before


def test_backups_taken_while_another_connection_writes_are_all_sound(store, people, tmp_path):
    """A writer commits cases and notes non-stop while 50 backups are taken."""
    reference = open_case(store, people["olga"])
    folder = tmp_path / "backups"
    folder.mkdir()
    stop = threading.Event()
    committed: list[int] = []
    failures: list[BaseException] = []

    def write_until_stopped() -> None:
        writer = open_database(store.path)
        try:
            service = CaseService(writer)
            n = 0
            while not stop.is_set():
                if n % 5 == 0:
                    open_case(writer, people["olga"], f"Writer {n} Ltd", items=1)
                else:
                    service.add_note(reference, text=f"note {n}", actor=people["olga"])
                n += 1
                committed.append(n)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            writer.close()

    thread = threading.Thread(target=write_until_stopped)
    thread.start()
    results = []
    try:
        for round_number in range(50):
            results.append(backup.create_backup(store, folder=folder,
                                                now=T0 + timedelta(seconds=round_number)))
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not failures, failures
    assert len(committed) > 50, "the writer hardly ran: the test proves nothing"
    rows = []
    for result in results:
        record = assert_sound_backup(result.path)
        rows.append(record["audit_rows"])
    assert rows == sorted(rows) and rows[-1] > rows[0], "the backups did not see the writes"
    # Every backup passes the restore checks, and the last one restores.
    for result in results:
        assert backup.check_backup(result.path).audit_rows == result.record["audit_rows"]
    restored = tmp_path / "restored.sqlite"
    backup.restore(restored, results[-1].path)
    with open_database(restored) as opened:
        assert audit.verify(opened.connection).rows == results[-1].record["audit_rows"]
    assert not [p for p in folder.iterdir() if not p.name.startswith("mtcr-desk-")]


def test_a_database_with_a_broken_audit_chain_is_not_backed_up(store, people, tmp_path):
    reference = open_case(store, people["olga"])
    folder = tmp_path / "backups"
    folder.mkdir()
    kept = backup.create_backup(store, folder=folder, kind=backup.AUTO, now=T0)
    raw = sqlite3.connect(store.path, isolation_level=None)
    raw.execute("UPDATE cases SET applicant = 'Changed behind the back' WHERE reference = ?",
                [reference])
    raw.close()
    before = folder_state(folder)
    with pytest.raises(StorageError, match="audit chain .* is broken.*no backup was made"):
        backup.create_backup(store, folder=folder, now=T0 + timedelta(days=2))
    assert folder_state(folder) == before  # nothing new, and the sound backup is kept
    assert kept.path.exists()


# --- rotation and the daily rule ----------------------------------------------------------


def _settings(folder: Path, kept: int = 3) -> OfficeSettings:
    return replace(OfficeSettings(), backup_folder=str(folder), backups_kept=kept)


def test_automatic_backups_are_daily(store, people, tmp_path):
    settings = _settings(tmp_path)
    first = backup.backup_if_due(store, settings, now=T0)
    assert first is not None and first.path.name.endswith("-auto.sqlite")
    assert first.record["reason"] == "close" and first.record["kind"] == "auto"
    assert backup.backup_if_due(store, settings, now=T0 + timedelta(hours=1)) is None
    assert backup.backup_if_due(store, settings, now=T0 + timedelta(hours=23, minutes=59)) \
        is None
    # A manual backup does not count as the daily one.
    backup.create_backup(store, folder=tmp_path, now=T0 + timedelta(hours=30))
    second = backup.backup_if_due(store, settings, reason="start",
                                  now=T0 + timedelta(hours=24, seconds=1))
    assert second is not None and second.record["reason"] == "start"
    # The clock was put back: a backup "from the future" does not block the daily one.
    third = backup.backup_if_due(store, settings, now=T0 - timedelta(days=3))
    assert third is not None
    kinds = [b.kind for b in backup.list_backups(tmp_path)]
    assert kinds.count("auto") == 3 and kinds.count("manual") == 1


def test_rotation_keeps_the_newest_automatic_backups_and_every_manual_one(store, people,
                                                                          tmp_path):
    settings = _settings(tmp_path, kept=3)
    manual = backup.create_backup(store, folder=tmp_path, now=T0 - timedelta(days=30))
    made = []
    for day in range(6):
        result = backup.backup_if_due(store, settings, now=T0 + timedelta(days=day))
        assert result is not None
        made.append(result.path)
        automatic = [b.path for b in backup.list_backups(tmp_path) if b.kind == "auto"]
        assert automatic == made[-3:]
    assert manual.path.exists() and backup.sidecar_path(manual.path).exists()
    for gone in made[:3]:
        assert not gone.exists() and not backup.sidecar_path(gone).exists()
    # Foreign files in the folder are left alone.
    (tmp_path / "notes.txt").write_text("mine")
    assert backup.rotate(tmp_path, 1) == made[3:5]
    assert (tmp_path / "notes.txt").exists() and manual.path.exists()


def test_two_backups_in_the_same_second_get_two_names_in_order(store, people, tmp_path):
    first = backup.create_backup(store, folder=tmp_path, kind="auto", now=T0)
    second = backup.create_backup(store, folder=tmp_path, kind="auto", now=T0)
    assert second.path.name == "mtcr-desk-20260301-174502-auto-2.sqlite"
    assert [b.path for b in backup.list_backups(tmp_path)] == [first.path, second.path]


def test_an_empty_backup_folder_setting_means_the_user_data_folder(store, people, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("MTCR_DESK_DATA_DIR", str(tmp_path / "data"))
    own_folder = tmp_path / "data" / "backups" / store.path.stem
    assert backup.backup_folder(OfficeSettings(), store.path) == own_folder
    result = backup.backup_if_due(store, OfficeSettings(), now=T0)
    assert result.path.parent == own_folder
    # A configured folder that is missing (a drive not plugged in) is not created.
    with pytest.raises(InvalidInputError, match="does not exist"):
        backup.backup_if_due(store, _settings(tmp_path / "unplugged"), now=T0)
    assert not (tmp_path / "unplugged").exists()


# --- full and read-only disks -------------------------------------------------------------


def test_a_full_disk_leaves_no_partial_backup(store, people, tmp_path):
    with tiny_filesystem("256k") as folder:
        assert store.path.stat().st_size > 256 * 1024
        with pytest.raises(StorageError, match="disk is full; nothing was written"):
            backup.create_backup(store, folder=folder, now=T0)
        assert list(folder.iterdir()) == []
        with pytest.raises(StorageError, match="disk is full"):
            backup.create_backup(store, folder / "named.sqlite")
        assert list(folder.iterdir()) == []


def test_a_read_only_folder_leaves_nothing(store, people, tmp_path):
    with tiny_filesystem("4m", read_only=True) as folder:
        with pytest.raises(StorageError, match="read-only disk; nothing was written"):
            backup.create_backup(store, folder=folder, now=T0)
        assert [p.name for p in folder.iterdir()] == ["already-here.txt"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_write_error_at_any_step_leaves_no_partial_backup(store, people, tmp_path,
                                                            monkeypatch, failing):
    """ENOSPC as a file system reports it late (on fsync) or EACCES on the rename."""
    real = getattr(os, failing)

    def fail(*args, **kwargs):
        if failing == "fsync" or str(args[1]).endswith(".sqlite"):
            code = errno.ENOSPC if failing == "fsync" else errno.EACCES
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    folder = tmp_path / "backups"
    folder.mkdir()
    monkeypatch.setattr(os, failing, fail)
    reason = "disk is full" if failing == "fsync" else "no permission to write in the folder"
    with pytest.raises(StorageError, match=f"{reason}; nothing was written"):
        backup.create_backup(store, folder=folder, now=T0)
    assert list(folder.iterdir()) == []


def test_a_failing_record_write_removes_the_backup_too(store, people, tmp_path, monkeypatch):
    def full(destination, data, **_options):
        raise StorageError(f"Cannot write {destination}: No space left on device; "
                           "nothing was written")

    folder = tmp_path / "backups"
    folder.mkdir()
    monkeypatch.setattr(backup, "write_file_atomically", full)
    with pytest.raises(StorageError, match="Backup failed"):
        backup.create_backup(store, folder=folder, now=T0)
    assert list(folder.iterdir()) == []


def test_a_backup_dated_in_the_future_neither_blocks_nor_outlives_the_daily_one(store, people,
                                                                              tmp_path):
    """A clock once set a year ahead left a backup "from the future" behind."""
    folder = tmp_path / "backups"
    folder.mkdir()
    settings = _settings(folder, kept=2)
    future = backup.create_backup(store, folder=folder, kind="auto",
                                  now=T0 + timedelta(days=365))
    made = []
    for hour in range(4):  # four closes an hour apart, the clock right again
        result = backup.backup_if_due(store, settings, now=T0 + timedelta(hours=hour))
        made.append(result)
    assert made[0] is not None and made[1:] == [None, None, None]  # daily, not every close
    kept = [b.path for b in backup.list_backups(folder)]
    assert made[0].path in kept
    backup.backup_if_due(store, settings, now=T0 + timedelta(days=1))
    kept = [b.path for b in backup.list_backups(folder)]
    assert future.path not in kept and made[0].path in kept  # the stale one went first


def test_a_training_backup_never_replaces_a_live_database(store, people, tmp_path):
    from mtcr_desk.services.training import open_training_database

    sandbox = open_training_database(tmp_path / "training.sqlite")
    training_backup = backup.create_backup(sandbox, folder=tmp_path, kind="manual", now=T0)
    sandbox.close()
    live_path = store.path
    store.close()
    before = live_path.read_bytes()
    with pytest.raises(InvalidInputError, match="restore it into a database of its own kind"):
        backup.restore(live_path, training_backup.path)
    assert live_path.read_bytes() == before
