"""SQL for office settings: one audited row per setting that differs from its default."""

from __future__ import annotations

import sqlite3

from mtcr_desk.storage import audit

#: The setting that marks a database as the training sandbox (its cases are training cases).
PURPOSE_KEY = "database_purpose"
TRAINING_PURPOSE = "training"


def all_settings(connection: sqlite3.Connection) -> dict[str, str]:
    """Return every stored setting as text, by key."""
    return dict(connection.execute("SELECT key, value FROM settings ORDER BY key"))


def set_setting(connection: sqlite3.Connection, key: str, value: str, *, actor: str) -> None:
    """Store one setting (audited); nothing is written when the value is unchanged."""
    exists = connection.execute("SELECT 1 FROM settings WHERE key = ?", [key]).fetchone()
    if exists:
        audit.update(connection, "settings", {"key": key}, {"value": value}, actor=actor,
                     action="change setting")
    else:
        audit.insert(connection, "settings", {"key": key, "value": value}, actor=actor,
                     action="change setting")


def is_training_database(connection: sqlite3.Connection) -> bool:
    """True when the database is a training sandbox."""
    row = connection.execute("SELECT value FROM settings WHERE key = ?",
                             [PURPOSE_KEY]).fetchone()
    return row is not None and row[0] == TRAINING_PURPOSE
