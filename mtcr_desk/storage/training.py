"""SQL for the training sandbox: trainee attempts and their scores."""

from __future__ import annotations

import sqlite3

_COLUMNS = ("id, scenario_id, trainee, case_reference, started_at, submitted_at, earned, "
            "possible, breakdown")


def insert_attempt(connection: sqlite3.Connection, *, scenario_id: str, trainee: str,
                   case_reference: str, started_at: str) -> int:
    cursor = connection.execute(
        "INSERT INTO training_attempts (scenario_id, trainee, case_reference, started_at) "
        "VALUES (?, ?, ?, ?)", [scenario_id, trainee, case_reference, started_at])
    return cursor.lastrowid


def record_score(connection: sqlite3.Connection, attempt_id: int, *, submitted_at: str,
                 earned: float, possible: float, breakdown: str) -> None:
    connection.execute(
        "UPDATE training_attempts SET submitted_at = ?, earned = ?, possible = ?, "
        "breakdown = ? WHERE id = ? AND submitted_at IS NULL",
        [submitted_at, earned, possible, breakdown, attempt_id])


def attempt_scores(connection: sqlite3.Connection) -> list[tuple]:
    """(trainee, scenario id, earned, possible) of every attempt, oldest first: what the
    class overview needs, without each attempt's score breakdown."""
    return connection.execute(
        "SELECT trainee, scenario_id, earned, possible FROM training_attempts "
        "ORDER BY id").fetchall()


def get_attempt(connection: sqlite3.Connection, attempt_id: int) -> tuple | None:
    return connection.execute(f"SELECT {_COLUMNS} FROM training_attempts WHERE id = ?",
                              [attempt_id]).fetchone()


def attempt_for_case(connection: sqlite3.Connection, reference: str) -> tuple | None:
    return connection.execute(
        f"SELECT {_COLUMNS} FROM training_attempts WHERE case_reference = ?",
        [reference]).fetchone()


def list_attempts(connection: sqlite3.Connection, *, trainee: str | None = None) -> list[tuple]:
    """Every attempt (or one trainee's), oldest first."""
    if trainee is None:
        return connection.execute(
            f"SELECT {_COLUMNS} FROM training_attempts ORDER BY id").fetchall()
    return connection.execute(
        f"SELECT {_COLUMNS} FROM training_attempts WHERE trainee = ? ORDER BY id",
        [trainee]).fetchall()
