"""The SQLite file: pragmas, migrations, refusal of files that are not ours."""

from __future__ import annotations

import sqlite3

import pytest

from mtcr_desk import SQLITE_APPLICATION_ID
from mtcr_desk.domain.errors import NewerSchemaError, NotOurDatabaseError, StorageError
from mtcr_desk.storage import migrations
from mtcr_desk.storage.database import open_store


def _pragma(store, name):
    return store.connection.execute(f"PRAGMA {name}").fetchone()[0]


def test_new_database_has_our_pragmas_and_schema(database_path):
    with open_store(database_path) as store:
        assert _pragma(store, "application_id") == SQLITE_APPLICATION_ID
        assert _pragma(store, "journal_mode") == "wal"
        assert _pragma(store, "synchronous") == 2  # FULL
        assert _pragma(store, "foreign_keys") == 1
        assert _pragma(store, "busy_timeout") == 5000
        tables = set(store.db.table_names())
        assert {"editions", "entries", "entries_fts", "_sqlite_migrations"} <= tables
        applied = [
            row[0] for row in store.connection.execute(
                "SELECT name FROM _sqlite_migrations ORDER BY id")
        ]
        assert applied == migrations.known_migration_names()


def test_reopening_applies_nothing_twice(database_path):
    open_store(database_path).close()
    with open_store(database_path) as store:
        count = store.connection.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        assert count == len(migrations.known_migration_names())
        assert migrations.pending_migrations(store.db) == []


def test_migrations_run_on_an_in_memory_database():
    import sqlite_utils

    db = sqlite_utils.Database(memory=True)
    migrations.apply(db)
    migrations.apply(db)
    assert db["entries"].detect_fts() == "entries_fts"
    columns = set(db["entries"].columns_dict)
    assert {"code", "code_key", "parent_code", "kind", "category", "text", "notes"} <= columns


def test_every_write_begins_immediate(database_path):
    with open_store(database_path) as store:
        statements = []
        store.connection.set_trace_callback(statements.append)
        with store.write() as connection:
            connection.execute("CREATE TABLE scratch (x)")
        assert statements[0] == "BEGIN IMMEDIATE"
        assert statements[-1] == "COMMIT"


def test_a_failed_write_leaves_nothing_behind(database_path):
    with open_store(database_path) as store:
        with pytest.raises(RuntimeError):
            with store.write() as connection:
                connection.execute("CREATE TABLE scratch (x)")
                connection.execute("INSERT INTO scratch VALUES (1)")
                raise RuntimeError("power cut simulation")
        assert "scratch" not in store.db.table_names()
        assert not store.connection.in_transaction


def _file_bytes(path):
    return path.read_bytes()


def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Minutes of the licensing committee\n" * 50)
    before = _file_bytes(path)
    with pytest.raises(NotOurDatabaseError, match="not an SQLite file"):
        open_store(path)
    assert _file_bytes(path) == before
    assert not (tmp_path / "notes.txt-wal").exists()


def test_an_sqlite_file_of_another_application_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (name)")
    connection.execute("INSERT INTO contacts VALUES ('someone')")
    connection.commit()
    connection.close()
    before = _file_bytes(path)
    with pytest.raises(NotOurDatabaseError, match="another application"):
        open_store(path)
    assert _file_bytes(path) == before


def test_an_sqlite_file_with_a_foreign_application_id_is_refused(tmp_path):
    path = tmp_path / "foreign.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA application_id = 1234")
    connection.commit()
    connection.close()
    before = _file_bytes(path)
    with pytest.raises(NotOurDatabaseError, match="0x4d2"):
        open_store(path)
    assert _file_bytes(path) == before


def test_a_database_from_a_newer_version_is_refused_and_untouched(database_path):
    open_store(database_path).close()
    connection = sqlite3.connect(database_path)
    connection.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('mtcr_desk', 'm999_from_the_future', '2031-01-01')"
    )
    connection.commit()
    connection.close()
    before = _file_bytes(database_path)
    with pytest.raises(NewerSchemaError, match="m999_from_the_future"):
        open_store(database_path)
    assert _file_bytes(database_path) == before


def test_an_empty_file_becomes_a_new_database(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.touch()
    with open_store(path) as store:
        assert _pragma(store, "application_id") == SQLITE_APPLICATION_ID


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(NotOurDatabaseError, match="is a folder"):
        open_store(tmp_path)


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(StorageError, match="does not exist"):
        open_store(tmp_path / "no-such-folder" / "desk.sqlite")


def test_the_amendments_of_a_case_are_found_by_index_not_by_a_scan(database_path):
    from mtcr_desk.storage import cases as case_store

    with open_store(database_path) as store:
        assert case_store.amending_references(store.connection, "MTCR-2026-0001") == []
        plan = " | ".join(row[3] for row in store.connection.execute(
            "EXPLAIN QUERY PLAN SELECT new.reference FROM cases AS new JOIN cases AS old "
            "ON new.amends_case_id = old.id WHERE old.reference = ? ORDER BY new.id",
            ["MTCR-2026-0001"]))
        assert "USING INDEX cases_amends" in plan and "SCAN new" not in plan
