"""SQL for one case's history: the audit rows of the case and of every record on it.

Rows are found through the ``audit_entity`` index (entity, entity_id, seq), never
by scanning the whole log: the ids of the case's parties, items, decisions and
notes come from their tables (those rows are never deleted), and the keys of
factors and assessment entries, which can be deleted, are matched as ranges of
their JSON key (``[case_id,...`` and ``[item_id,...``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mtcr_desk.storage import audit

#: Bound parameters per statement (well under SQLite's limit).
_CHUNK = 500


@dataclass(frozen=True)
class AuditRow:
    """One audit row as stored, its before/after images as JSON text."""

    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class CaseKeys:
    """The row ids of a case and of the records on it."""

    case_id: int
    party_ids: tuple[int, ...]
    item_ids: tuple[int, ...]
    decision_ids: tuple[int, ...]
    note_ids: tuple[int, ...]


def case_keys(connection: sqlite3.Connection, reference: str) -> CaseKeys | None:
    """Return the row ids of a case (by reference) and its records, or None."""
    row = connection.execute("SELECT id FROM cases WHERE reference = ?", [reference]).fetchone()
    if row is None:
        return None
    case_id = row[0]

    def ids(table: str) -> tuple[int, ...]:
        return tuple(r[0] for r in connection.execute(
            f"SELECT id FROM {table} WHERE case_id = ? ORDER BY id", [case_id]))

    return CaseKeys(case_id=case_id, party_ids=ids("parties"), item_ids=ids("items"),
                    decision_ids=ids("decisions"), note_ids=ids("notes"))


def _key(*values: object) -> str:
    return audit.canonical_json(list(values))


def _by_ids(connection: sqlite3.Connection, entity: str,
            entity_ids: Sequence[str]) -> Iterable[tuple]:
    for start in range(0, len(entity_ids), _CHUNK):
        chunk = entity_ids[start:start + _CHUNK]
        yield from connection.execute(
            "SELECT seq, at, actor, action, entity, entity_id, before, after FROM audit_log "
            f"WHERE entity = ? AND entity_id IN ({', '.join('?' for _ in chunk)})",
            [entity, *chunk])


def _by_prefix(connection: sqlite3.Connection, entity: str, first: int) -> Iterable[tuple]:
    # Keys are JSON arrays: "[12,0]", "[12,\"a\"]". "[12," .. "[12,~" spans every
    # key starting with 12 and no other ("~" sorts after digits, quotes and "]").
    low = f"[{first},"
    return connection.execute(
        "SELECT seq, at, actor, action, entity, entity_id, before, after FROM audit_log "
        "WHERE entity = ? AND entity_id > ? AND entity_id < ?", [entity, low, low + "~"])


def case_audit_rows(connection: sqlite3.Connection, keys: CaseKeys) -> list[AuditRow]:
    """Return the audit rows of a case and of every record on it, oldest first."""
    found: dict[int, tuple] = {}
    sources = [
        _by_ids(connection, "cases", [_key(keys.case_id)]),
        _by_ids(connection, "parties", [_key(i) for i in keys.party_ids]),
        _by_ids(connection, "items", [_key(i) for i in keys.item_ids]),
        _by_ids(connection, "assessments", [_key(i) for i in keys.item_ids]),
        _by_ids(connection, "decisions", [_key(i) for i in keys.decision_ids]),
        _by_ids(connection, "notes", [_key(i) for i in keys.note_ids]),
        _by_prefix(connection, "factors", keys.case_id),
    ]
    sources.extend(_by_prefix(connection, "assessment_entries", item_id)
                   for item_id in keys.item_ids)
    for source in sources:
        for row in source:
            found[row[0]] = row
    return [AuditRow(*found[seq]) for seq in sorted(found)]
