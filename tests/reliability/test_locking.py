"""Two writers on one file: the second waits, then gets a clear message, never half a write."""

from __future__ import annotations

import sqlite3
import time

import pytest

from mtcr_desk.domain.errors import DatabaseLockedError
from mtcr_desk.storage.database import open_store


def test_a_second_writer_is_told_the_database_is_locked(database_path):
    open_store(database_path).close()
    holder = sqlite3.connect(database_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with open_store(database_path, busy_timeout_ms=200) as store:
            started = time.monotonic()
            with pytest.raises(DatabaseLockedError, match="locked by another program"):
                with store.write() as connection:
                    connection.execute("CREATE TABLE never (x)")
            # It waited for the busy timeout rather than failing at once.
            assert time.monotonic() - started >= 0.15
            assert not store.connection.in_transaction
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with open_store(database_path) as store:
        assert "never" not in store.db.table_names()


def test_a_reader_is_not_blocked_by_a_writer(database_path):
    with open_store(database_path) as store:
        store.connection.execute("SELECT 1")
    writer = open_store(database_path)
    writer.connection.execute("BEGIN IMMEDIATE")
    writer.connection.execute("CREATE TABLE pending (x)")
    try:
        # WAL: a reader sees the last committed state while a write is open.
        with open_store(database_path, busy_timeout_ms=200) as reader:
            assert "pending" not in reader.db.table_names()
            assert reader.db["editions"].exists()
    finally:
        writer.connection.execute("ROLLBACK")
        writer.close()
