"""SQL that looks across cases: precedents' rows, cases pinned to an edition, re-pinning.

Reads return plain rows for the services to rank and judge; writes go through
:mod:`mtcr_desk.storage.audit` (one audit row per changed record, in the caller's
transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from mtcr_desk.domain.cases import AssessmentStatus
from mtcr_desk.storage import audit

_UNIT_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """An assessed item of another case, as the precedent ranking needs it."""

    item_id: int
    reference: str
    training: bool
    edition_id: str
    line: int
    description: str
    manufacturer: str
    part_number: str
    status: str
    category: str | None
    rationale: str
    assessed_by: str | None
    assessed_at: str | None
    entry_codes: tuple[str, ...]


def precedent_rows(connection: sqlite3.Connection, item_ids: Sequence[int]) -> list[CandidateRow]:
    """Return the assessed items ``item_ids`` as precedents show them, in that order."""
    rows = connection.execute(
        """
        SELECT i.id, c.reference, c.training, c.edition_id, i.line, i.description,
               i.manufacturer, i.part_number, a.status, a.category, a.rationale,
               a.assessed_by, a.assessed_at,
               (SELECT group_concat(code, char(31)) FROM
                  (SELECT code FROM assessment_entries WHERE item_id = i.id ORDER BY position))
        FROM items AS i
        JOIN cases AS c ON c.id = i.case_id
        JOIN assessments AS a ON a.item_id = i.id
        WHERE i.id IN (SELECT value FROM json_each(?))
        """,
        [json.dumps(list(item_ids))],
    ).fetchall()
    position = {item_id: index for index, item_id in enumerate(item_ids)}
    rows.sort(key=lambda row: position[row[0]])
    return [
        CandidateRow(
            item_id=row[0], reference=row[1], training=bool(row[2]), edition_id=row[3],
            line=row[4], description=row[5], manufacturer=row[6], part_number=row[7],
            status=row[8], category=row[9], rationale=row[10] or "", assessed_by=row[11],
            assessed_at=row[12],
            entry_codes=tuple(row[13].split(_UNIT_SEPARATOR)) if row[13] else (),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class PinnedEntryRow:
    """One entry code used by an assessment on a case that pins a given edition."""

    reference: str
    status: str
    training: bool
    item_id: int
    line: int
    position: int
    code: str


def entries_of_cases_pinning(connection: sqlite3.Connection,
                             edition_id: str) -> list[PinnedEntryRow]:
    """Return every entry code assessed on cases that pin ``edition_id``, in case and line
    order."""
    rows = connection.execute(
        """
        SELECT c.reference, c.status, c.training, i.id, i.line, e.position, e.code
        FROM cases AS c
        JOIN items AS i ON i.case_id = c.id
        JOIN assessment_entries AS e ON e.item_id = i.id
        WHERE c.edition_id = ?
        ORDER BY c.year, c.number, i.line, e.position
        """,
        [edition_id],
    ).fetchall()
    return [PinnedEntryRow(reference=row[0], status=row[1], training=bool(row[2]),
                           item_id=row[3], line=row[4], position=row[5], code=row[6])
            for row in rows]


# --- writes (inside the caller's transaction) ------------------------------------------


def repin_case_row(connection: sqlite3.Connection, case_row_id: int, edition_id: str, *,
                   actor: str, action: str = "re-pin edition") -> None:
    """Move a case to another edition (audited)."""
    audit.update(connection, "cases", {"id": case_row_id}, {"edition_id": edition_id},
                 actor=actor, action=action)


def _entry_rows(connection: sqlite3.Connection, item_row_id: int) -> list[tuple[int, str]]:
    return connection.execute(
        "SELECT position, code FROM assessment_entries WHERE item_id = ? ORDER BY position",
        [item_row_id]).fetchall()


def reopen_assessment(connection: sqlite3.Connection, item_row_id: int, *, actor: str,
                      action: str = "re-pin edition") -> None:
    """Set an item back to unassessed and remove its entry codes (audited, row by row)."""
    for position, _code in _entry_rows(connection, item_row_id):
        audit.delete(connection, "assessment_entries",
                     {"item_id": item_row_id, "position": position}, actor=actor, action=action)
    audit.update(connection, "assessments", {"item_id": item_row_id}, {
        "status": AssessmentStatus.UNASSESSED.value, "category": None, "rationale": "",
        "assessed_by": None, "assessed_at": None, "precedent": None,
    }, actor=actor, action=action)


def repin_assessment_entries(connection: sqlite3.Connection, item_row_id: int,
                             edition_id: str, *, actor: str,
                             action: str = "re-pin edition") -> None:
    """Point an item's entry codes at the same codes of another edition (audited, one row
    per entry: the audit shows the edition before and after)."""
    for position, _code in _entry_rows(connection, item_row_id):
        audit.update(connection, "assessment_entries",
                     {"item_id": item_row_id, "position": position},
                     {"edition_id": edition_id}, actor=actor, action=action)
