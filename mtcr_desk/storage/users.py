"""SQL for local user accounts (audited writes go through :mod:`storage.audit`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from mtcr_desk.domain.users import Role, User
from mtcr_desk.storage import audit

_USER_COLUMNS = "id, username, display_name, role, active, locked_until"


def _user(row: Sequence) -> User:
    return User(id=row[0], username=row[1], display_name=row[2], role=Role(row[3]),
                active=bool(row[4]), locked_until=row[5])


def count_users(connection: sqlite3.Connection) -> int:
    """Return how many accounts exist."""
    return connection.execute("SELECT count(*) FROM users").fetchone()[0]


def get_user(connection: sqlite3.Connection, username: str) -> User | None:
    """Return one account by username, or None."""
    row = connection.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?",
                             [username]).fetchone()
    return _user(row) if row else None


def list_users(connection: sqlite3.Connection) -> list[User]:
    """Return every account, by username."""
    rows = connection.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username")
    return [_user(row) for row in rows]


def credentials(connection: sqlite3.Connection,
                username: str) -> tuple[int, str, int, str | None] | None:
    """Return ``(id, password hash, failed attempts, locked until)`` for a username."""
    return connection.execute(
        "SELECT id, password_hash, failed_attempts, locked_until FROM users WHERE username = ?",
        [username]).fetchone()


def insert_user(connection: sqlite3.Connection, *, username: str, display_name: str, role: Role,
                password_hash: str, created_at: str, actor: str) -> User:
    """Create an account (audited) inside the caller's transaction."""
    audit.insert(connection, "users", {
        "username": username, "display_name": display_name, "role": role.value,
        "password_hash": password_hash, "created_at": created_at,
    }, actor=actor, action="add user")
    user = get_user(connection, username)
    assert user is not None
    return user


def record_sign_in(connection: sqlite3.Connection, user_id: int, *, failed_attempts: int,
                   locked_until: str | None, actor: str, action: str) -> None:
    """Store the outcome of a sign-in attempt (audited)."""
    audit.update(connection, "users", {"id": user_id},
                 {"failed_attempts": failed_attempts, "locked_until": locked_until},
                 actor=actor, action=action)
