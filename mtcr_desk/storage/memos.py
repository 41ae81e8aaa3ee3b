"""SQL for memos of record: the PDF kept for each final decision."""

from __future__ import annotations

import sqlite3

from mtcr_desk.storage import audit


def insert_memo(connection: sqlite3.Connection, decision_id: int, *, sha256: str, pdf: bytes,
                actor: str, action: str = "keep memo of record") -> None:
    """Keep the memo of a decision that has just become final (audited, never changed)."""
    audit.insert(connection, "memo_documents",
                 {"decision_id": decision_id, "sha256": sha256, "pdf": pdf},
                 actor=actor, action=action)


def memo_pdf(connection: sqlite3.Connection, decision_id: int) -> bytes | None:
    """Return the memo of record of a decision, or None when it has none."""
    row = connection.execute("SELECT pdf FROM memo_documents WHERE decision_id = ?",
                             [decision_id]).fetchone()
    return bytes(row[0]) if row else None


def find_memo(connection: sqlite3.Connection, sha256: str) -> tuple[str, int, str] | None:
    """Return (case reference, decision id, countersigned at) of the memo with this hash."""
    return connection.execute(
        "SELECT c.reference, d.id, d.countersigned_at FROM memo_documents AS m "
        "JOIN decisions AS d ON d.id = m.decision_id JOIN cases AS c ON c.id = d.case_id "
        "WHERE m.sha256 = ? AND d.countersignature = 'agreed'", [sha256]).fetchone()


def final_decisions(connection: sqlite3.Connection, *, training: bool) -> list[tuple[str, int]]:
    """Return (case reference, decision id) of every final decision, oldest case first."""
    return connection.execute(
        "SELECT c.reference, d.id FROM decisions AS d JOIN cases AS c ON c.id = d.case_id "
        "WHERE d.countersignature = 'agreed' AND c.training = ? "
        "ORDER BY c.year, c.number, d.id", [int(training)]).fetchall()

