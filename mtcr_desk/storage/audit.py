"""The tamper-evident audit chain, and the audited writes every service goes through.

Every change made through a service writes, in the same transaction, one audit
row: sequence, UTC time, actor, action, entity (the table), entity id (the row's
key), the row before and after as canonical JSON, the previous row's hash, and
its own hash: SHA-256 over the previous hash and the row's fields. Triggers
refuse UPDATE and DELETE on the log.

:func:`verify` recomputes the chain and cross-checks the records against it:
the latest after-image of every audited row must equal the row in its table,
so a record changed with raw SQL behind the services' back is found too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64

#: Audited tables and the columns that identify a row in them.
AUDITED_TABLES: dict[str, tuple[str, ...]] = {
    "users": ("id",),
    "countries": ("code",),
    "cases": ("id",),
    "parties": ("id",),
    "items": ("id",),
    "assessments": ("item_id",),
    "assessment_entries": ("item_id", "position"),
    "factors": ("case_id", "factor"),
    "decisions": ("id",),
    "notes": ("id",),
    "settings": ("key",),
    "memo_documents": ("decision_id",),
}

#: Columns whose value goes into the audit only as a SHA-256 digest.
_DIGESTED_COLUMNS = {("users", "password_hash"), ("memo_documents", "pdf")}


def canonical_json(value: object) -> str:
    """Return the one JSON text of a value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc_timestamp() -> str:
    """Return the current UTC time with microseconds, ISO 8601 with a Z suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str,
             entity_id: str, before: str | None, after: str | None) -> str:
    """Return the hash of an audit row chained to the previous one."""
    fields = (prev_hash, str(seq), at, actor, action, entity, entity_id,
              before if before is not None else "\x00", after if after is not None else "\x00")
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def head(connection: sqlite3.Connection) -> tuple[int, str]:
    """Return ``(last sequence number, its hash)``; ``(0, GENESIS_HASH)`` when empty."""
    row = connection.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def append(connection: sqlite3.Connection, *, actor: str, action: str, entity: str,
           entity_id: str, before: Mapping | None, after: Mapping | None) -> str:
    """Append one audit row (inside the caller's write transaction); return its hash."""
    last_seq, prev_hash = head(connection)
    seq = last_seq + 1
    at = utc_timestamp()
    before_json = canonical_json(before) if before is not None else None
    after_json = canonical_json(after) if after is not None else None
    digest = row_hash(prev_hash, seq, at, actor, action, entity, entity_id, before_json,
                      after_json)
    connection.execute(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, "
        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, digest],
    )
    return digest


# --- audited writes -------------------------------------------------------------------


def _audit_image(table: str, row: Mapping) -> dict:
    image = dict(row)
    for digested_table, column in _DIGESTED_COLUMNS:
        if table == digested_table and image.get(column) is not None:
            value = image[column]
            data = value.encode() if isinstance(value, str) else bytes(value)
            image[column] = "sha256:" + hashlib.sha256(data).hexdigest()
    return image


def _entity_id(table: str, row: Mapping) -> str:
    return canonical_json([row[column] for column in AUDITED_TABLES[table]])


def _fetch(connection: sqlite3.Connection, table: str, key: Mapping) -> dict | None:
    where = " AND ".join(f"{column} = ?" for column in key)
    cursor = connection.execute(f"SELECT * FROM {table} WHERE {where}", list(key.values()))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def insert(connection: sqlite3.Connection, table: str, values: Mapping, *, actor: str,
           action: str) -> dict:
    """Insert a row and audit it; return the row as stored (with its new id)."""
    columns = list(values)
    cursor = connection.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        [values[column] for column in columns],
    )
    key_columns = AUDITED_TABLES[table]
    if key_columns == ("id",) and "id" not in values:
        key = {"id": cursor.lastrowid}
    else:
        key = {column: values[column] for column in key_columns}
    stored = _fetch(connection, table, key)
    assert stored is not None
    append(connection, actor=actor, action=action, entity=table,
           entity_id=_entity_id(table, stored), before=None, after=_audit_image(table, stored))
    return stored


def update(connection: sqlite3.Connection, table: str, key: Mapping, changes: Mapping, *,
           actor: str, action: str) -> dict:
    """Update one row and audit it; return the row as stored. Raises KeyError when absent."""
    before = _fetch(connection, table, key)
    if before is None:
        raise KeyError(f"{table} {dict(key)}")
    if all(before.get(column) == value for column, value in changes.items()):
        return before  # nothing changes, so nothing is written or audited
    assignments = ", ".join(f"{column} = ?" for column in changes)
    where = " AND ".join(f"{column} = ?" for column in key)
    connection.execute(f"UPDATE {table} SET {assignments} WHERE {where}",
                       [*changes.values(), *key.values()])
    after = _fetch(connection, table, key)
    assert after is not None
    append(connection, actor=actor, action=action, entity=table,
           entity_id=_entity_id(table, after), before=_audit_image(table, before),
           after=_audit_image(table, after))
    return after


def delete(connection: sqlite3.Connection, table: str, key: Mapping, *, actor: str,
           action: str) -> None:
    """Delete one row and audit it. Raises KeyError when absent."""
    before = _fetch(connection, table, key)
    if before is None:
        raise KeyError(f"{table} {dict(key)}")
    where = " AND ".join(f"{column} = ?" for column in key)
    connection.execute(f"DELETE FROM {table} WHERE {where}", list(key.values()))
    append(connection, actor=actor, action=action, entity=table,
           entity_id=_entity_id(table, before), before=_audit_image(table, before), after=None)


# --- verification ---------------------------------------------------------------------


@dataclass(frozen=True)
class AuditProblem:
    """The first thing found wrong: the audit row (or record) and what is wrong with it."""

    seq: int | None
    message: str


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :func:`verify`."""

    rows: int
    head_hash: str
    problem: AuditProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(connection: sqlite3.Connection) -> VerifyResult:
    """Recompute the chain, then cross-check every audited table against it."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    latest: dict[tuple[str, str], tuple[int, str | None]] = {}
    chain_hashes: set[str] = set()
    count = 0
    cursor = connection.execute(
        "SELECT seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash "
        "FROM audit_log ORDER BY seq")
    for seq, at, actor, action, entity, entity_id, before, after, stored_prev, stored in cursor:
        count += 1
        if seq != expected_seq:
            problem = (f"audit row {seq} follows row {expected_seq - 1}: rows are missing or "
                       "out of order")
            return VerifyResult(count, prev_hash, AuditProblem(seq, problem))
        if stored_prev != prev_hash:
            return VerifyResult(count, prev_hash, AuditProblem(
                seq, f"audit row {seq} does not link to the row before it"))
        if row_hash(prev_hash, seq, at, actor, action, entity, entity_id, before,
                    after) != stored:
            return VerifyResult(count, prev_hash, AuditProblem(
                seq, f"audit row {seq} ({action} {entity} {entity_id}) was altered"))
        latest[(entity, entity_id)] = (seq, after)
        chain_hashes.add(stored)
        prev_hash = stored
        expected_seq += 1

    problem = _cross_check(connection, latest) or _check_decision_anchors(connection,
                                                                          chain_hashes)
    return VerifyResult(count, prev_hash, problem)


def _check_decision_anchors(connection: sqlite3.Connection,
                            chain_hashes: set[str]) -> AuditProblem | None:
    """Every final decision recorded the chain's head when it was made; it must be there.

    A chain rewritten from some row on (all hashes recomputed) is consistent in
    itself, but the heads recorded by later decisions are then no longer in it.
    """
    for decision_id, case_id, head_hash in connection.execute(
            "SELECT id, case_id, audit_head FROM decisions WHERE audit_head IS NOT NULL "
            "ORDER BY id"):
        if head_hash not in chain_hashes:
            return AuditProblem(None, f"decision {decision_id} (case row {case_id}) was made "
                                      f"at audit head {head_hash[:16]}…, which is no longer "
                                      "in the chain: the chain was rewritten")
    return None


def _cross_check(connection: sqlite3.Connection,
                 latest: dict[tuple[str, str], tuple[int, str | None]]) -> AuditProblem | None:
    """Compare every audited table with the latest after-image of each of its rows."""
    for table in AUDITED_TABLES:
        cursor = connection.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in cursor.description]
        seen: set[str] = set()
        for values in cursor:
            row = dict(zip(columns, values, strict=True))
            entity_id = _entity_id(table, row)
            seen.add(entity_id)
            recorded = latest.get((table, entity_id))
            if recorded is None or recorded[1] is None:
                return AuditProblem(None, f"{table} row {entity_id} has no audit record "
                                          "(written behind the application's back)")
            if canonical_json(_audit_image(table, row)) != recorded[1]:
                return AuditProblem(recorded[0], f"{table} row {entity_id} differs from its "
                                                 f"last audited state (audit row {recorded[0]})")
        for (entity, entity_id), (seq, after) in latest.items():
            if entity == table and after is not None and entity_id not in seen:
                return AuditProblem(seq, f"{table} row {entity_id} was deleted without an "
                                         f"audit record (last audited in row {seq})")
    return None
