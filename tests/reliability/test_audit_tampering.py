"""Tampering with the database file is found by ``audit.verify()``, naming the first bad row.

A database with a few complete reviews is built through the services (on a small chain:
only the structure edition and five countries are loaded, so that every audit row can be
tampered with in turn). Each tampering is done with raw sqlite3 on a copy, as an attacker
with access to the file would, dropping the append-only and final-case triggers where
they stand in the way; each runs inside a transaction that is rolled back afterwards, so
that every case starts from the same untouched file. With the triggers in place, raw SQL
that changes the log or a final case is refused.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from mtcr_desk.domain.cases import (
    AssessmentStatus,
    Assurance,
    Factor,
    Finding,
    Item,
    Outcome,
    Party,
    PartyRole,
)
from mtcr_desk.domain.users import Role
from mtcr_desk.services import users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import load_shipped_editions
from mtcr_desk.services.reference_data import load_shipped_reference
from mtcr_desk.services.settings import update_settings
from mtcr_desk.storage import audit
from mtcr_desk.storage.database import open_store
from tests.conftest import PROJECT_ROOT, STRUCTURE_EDITION

PASSWORD = "correct horse"
AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after",
                 "prev_hash", "hash")
#: Tables holding the review itself, tampered with column by column.
REVIEW_TABLES = ("cases", "items", "assessments", "decisions")
COUNTRIES = ("FR", "DE", "US", "KP", "AE")

#: Tamper-case tallies, printed at the end of the module (``pytest -s``).
TALLY: dict[str, list[int]] = {}


def _count(kind: str, detected: bool) -> None:
    done = TALLY.setdefault(kind, [0, 0])
    done[0] += 1
    done[1] += int(detected)


@pytest.fixture(scope="module", autouse=True)
def _report_tally():
    yield
    tampers = {k: v for k, v in TALLY.items() if not k.startswith("trigger")}
    total = sum(cases for cases, _ in tampers.values())
    found = sum(detected for _, detected in tampers.values())
    print(f"\n[audit tampering] {found}/{total} tamper cases detected: "
          + ", ".join(f"{kind} {d}/{c}" for kind, (c, d) in sorted(tampers.items())))
    print("[audit tampering] raw statements refused by triggers: "
          + ", ".join(f"{kind[8:]} {c}" for kind, (c, _) in sorted(TALLY.items())
                      if kind.startswith("trigger")))


# --- the reviewed database -------------------------------------------------------------


def build_reviewed_database(folder: Path) -> Path:
    """Return the path of a closed database holding a few complete reviews."""
    shipped = folder / "editions"
    shipped.mkdir()
    shutil.copy(PROJECT_ROOT / "database" / "control_lists" / f"{STRUCTURE_EDITION}.json",
                shipped)
    reference = json.loads((PROJECT_ROOT / "database" / "reference" / "countries.json")
                           .read_text(encoding="utf-8"))
    reference["countries"] = [c for c in reference["countries"] if c["code"] in COUNTRIES]
    countries = folder / "countries.json"
    countries.write_text(json.dumps(reference), encoding="utf-8")

    path = folder / "reviewed.sqlite"
    store = open_store(path)
    try:
        load_shipped_editions(store, shipped)
        load_shipped_reference(store, countries)
        admin = users.add_user(store, username="admin", display_name="Admin",
                               role=Role.ADMINISTRATOR, password=PASSWORD, actor=None)
        alice, bob, sam = (
            users.add_user(store, username=name, display_name=name.title(), role=role,
                           password=PASSWORD, actor=admin)
            for name, role in (("alice", Role.OFFICER), ("bob", Role.OFFICER),
                               ("sam", Role.SENIOR_OFFICER)))
        service = CaseService(store)
        update_settings(store, actor=admin, organisation="Test Office", page_size="Letter")

        # Review 1: Category II, approved, countersigned by a second officer.
        first = service.create(
            actor=alice, applicant="Aero Parts SA", destination="FR", end_use="test stand",
            received_on="2026-01-05", end_user_statement="EUS-1",
            parties=[Party(role=PartyRole.CONSIGNEE, name="Consignee SARL", country="FR")],
            items=[Item(line=0, description="turbojet", quantity=2, value=1000.5),
                   Item(line=0, description="bolts", quantity=100)])
        ref = first.reference
        service.assess(ref, line=1, status=AssessmentStatus.CONTROLLED, entry_codes=["3a1"],
                       rationale="turbojet of 3.A.1", actor=alice)
        service.assess(ref, line=2, status=AssessmentStatus.NOT_CONTROLLED,
                       rationale="ordinary bolts", actor=alice)
        for factor in Factor:
            service.record_factor(ref, factor=factor, finding=Finding.NO_CONCERN, actor=alice)
        service.add_note(ref, text="called the applicant", actor=alice)
        service.draft_decision(ref, actor=alice, password=PASSWORD, outcome=Outcome.APPROVE,
                               rationale="partner destination, stated end use")
        service.countersign(ref, actor=bob, password=PASSWORD, agree=True)

        # Review 2: Category I to a flagged destination: returned once, then denied.
        second = service.create(
            actor=bob, applicant="Rocket Works", destination="KP", received_on="2026-02-01",
            assurances=[Assurance.NO_RETRANSFER],
            items=[Item(line=0, description="complete rocket system", quantity=1)])
        ref = second.reference
        service.assess(ref, line=1, status=AssessmentStatus.CONTROLLED, entry_codes=["1.A.1"],
                       rationale="complete system", actor=bob)
        for factor in Factor:
            service.record_factor(ref, factor=factor, finding=Finding.SERIOUS_CONCERN
                                  if factor is Factor.A else Finding.NO_CONCERN, actor=bob)
        service.acknowledge_flags(ref, actor=bob)
        service.draft_decision(ref, actor=bob, password=PASSWORD, outcome=Outcome.DENY,
                               rationale="first draft")
        service.countersign(ref, actor=sam, password=PASSWORD, agree=False,
                            comment="name the UN resolutions")
        service.draft_decision(ref, actor=bob, password=PASSWORD, outcome=Outcome.DENY,
                               rationale="UNSCR 1718 and factor a")
        service.countersign(ref, actor=sam, password=PASSWORD, agree=True)

        # Review 3: withdrawn by the applicant.
        third = service.create(actor=alice, applicant="Withdrawn Ltd", destination="DE",
                               received_on="2026-03-01",
                               items=[Item(line=0, description="gyro", quantity=3)])
        service.assess(third.reference, line=1, status=AssessmentStatus.NOT_CONTROLLED,
                       rationale="not a 9.A gyro", actor=alice)
        service.withdraw(third.reference, actor=alice, reason="applicant withdrew")

        # A failed sign-in is on record too.
        with pytest.raises(users.AuthenticationError):
            users.authenticate(store, username="bob", password="wrong password")
        assert audit.verify(store.connection).ok
    finally:
        store.close()  # checkpoints the WAL into the one file
    return path


@pytest.fixture(scope="module")
def reviewed_database(tmp_path_factory) -> Path:
    return build_reviewed_database(tmp_path_factory.mktemp("reviewed"))


@pytest.fixture
def raw(reviewed_database: Path, tmp_path: Path):
    """A raw sqlite3 connection (no foreign keys, triggers in place) to a copy."""
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(reviewed_database, copy)
    connection = sqlite3.connect(copy, isolation_level=None)
    assert audit.verify(connection).ok
    yield connection
    connection.close()


@contextlib.contextmanager
def tampering(connection: sqlite3.Connection):
    """Run the block in a transaction that is always rolled back."""
    connection.execute("BEGIN")
    try:
        yield connection
    finally:
        connection.execute("ROLLBACK")


def drop_triggers(connection: sqlite3.Connection, *tables: str) -> None:
    """Drop every trigger on the given tables (inside the tampering transaction)."""
    placeholders = ", ".join("?" for _ in tables)
    for (name,) in connection.execute(
            f"SELECT name FROM sqlite_master WHERE type = 'trigger' "
            f"AND tbl_name IN ({placeholders})", tables).fetchall():
        connection.execute(f'DROP TRIGGER "{name}"')


def chain_length(connection: sqlite3.Connection) -> int:
    return connection.execute("SELECT max(seq) FROM audit_log").fetchone()[0]


def last_audited(connection: sqlite3.Connection, table: str, row: dict) -> int:
    """The seq of the last audit row recording a table row."""
    entity_id = audit.canonical_json([row[c] for c in audit.AUDITED_TABLES[table]])
    (seq,) = connection.execute(
        "SELECT max(seq) FROM audit_log WHERE entity = ? AND entity_id = ?",
        [table, entity_id]).fetchone()
    assert seq is not None, (table, entity_id)
    return seq


def table_rows(connection: sqlite3.Connection, table: str) -> list[dict]:
    cursor = connection.execute(f"SELECT rowid AS _rowid_, * FROM {table}")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]


def altered(value):
    """Candidate replacement values for a column value, most natural first."""
    if value is None:
        return ["x", 1]
    if isinstance(value, int):
        return [1 - value if value in (0, 1) else value + 1, value - 1]
    if isinstance(value, float):
        return [value + 1, value * 2]
    if isinstance(value, bytes):  # a memo PDF: one byte changed, or one byte fewer
        return [value[:-1] + bytes([value[-1] ^ 1]), value[:-1]]
    return [value + " (edited)", value[:-1] if len(value) > 1 else "x"]


def set_column(connection, table: str, rowid: int, column: str, value) -> bool:
    """Try to change one column of one row; return whether a candidate value was accepted."""
    for candidate in altered(value):
        try:
            connection.execute("SAVEPOINT one")
            connection.execute(f'UPDATE {table} SET "{column}" = ? WHERE rowid = ?',
                               [candidate, rowid])
            connection.execute("RELEASE one")
            return True
        except sqlite3.IntegrityError:  # a CHECK constraint: try the next candidate
            connection.execute("ROLLBACK TO one")
            connection.execute("RELEASE one")
    # A column with a closed set of values (status, role, ...): try its other values.
    for candidate in _check_alternatives(connection, table, column):
        try:
            connection.execute("SAVEPOINT one")
            connection.execute(f'UPDATE {table} SET "{column}" = ? WHERE rowid = ? '
                               f'AND "{column}" IS NOT ?', [candidate, rowid, candidate])
            changed = connection.execute("SELECT changes()").fetchone()[0]
            connection.execute("RELEASE one")
            if changed:
                return True
        except sqlite3.IntegrityError:
            connection.execute("ROLLBACK TO one")
            connection.execute("RELEASE one")
    return False


def _check_alternatives(connection, table: str, column: str) -> list[str]:
    values = {"status": ["draft", "in review", "decided", "returned", "withdrawn",
                         "controlled", "not controlled", "catch-all concern", "unassessed"],
              "role": ["officer", "senior officer", "trainer", "administrator",
                       "consignee", "end user"],
              "outcome": ["approve", "deny", "no licence required"],
              "category": ["I", "II"],
              "countersignature": ["agreed", "returned"],
              "finding": ["no concern", "concern", "not applicable"],
              "factor": ["a", "b", "c"],
              "reference": ["MTCR-2026-9999"],
              "code": ["3.A.2", "1.A.2"],
              "mtcr_status": ["partner", "adherent"]}
    return values.get(column, [])


def verify_problem(connection: sqlite3.Connection) -> audit.AuditProblem | None:
    return audit.verify(connection).problem


# --- tampering with the audit rows ------------------------------------------------------


def test_the_untouched_copy_verifies(raw):
    result = audit.verify(raw)
    assert result.ok and result.rows == chain_length(raw)
    assert result.rows >= 50
    print(f"\n[audit tampering] chain of {result.rows} rows from 3 reviews")


@pytest.mark.parametrize("column", AUDIT_COLUMNS)
def test_editing_any_field_of_any_audit_row_names_that_row(raw, column):
    length = chain_length(raw)
    missed = []
    for seq in range(1, length + 1):
        with tampering(raw):
            drop_triggers(raw, "audit_log")
            (value,) = raw.execute(f"SELECT {column} FROM audit_log WHERE seq = ?",
                                   [seq]).fetchone()
            raw.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?",
                        [altered(value)[0] if value is not None else "{}", seq])
            problem = verify_problem(raw)
        _count(f"edit {column}", problem is not None and problem.seq == seq)
        if problem is None or problem.seq != seq or "altered" not in problem.message \
                and "does not link" not in problem.message:
            missed.append((seq, problem))
    assert not missed, missed[:5]


def test_deleting_any_audit_row_is_found(raw):
    length = chain_length(raw)
    missed = []
    for seq in range(1, length + 1):
        with tampering(raw):
            drop_triggers(raw, "audit_log")
            (entity, entity_id) = raw.execute(
                "SELECT entity, entity_id FROM audit_log WHERE seq = ?", [seq]).fetchone()
            raw.execute("DELETE FROM audit_log WHERE seq = ?", [seq])
            problem = verify_problem(raw)
        if seq < length:
            # The gap: the row after it is the first that no longer follows its predecessor.
            good = (problem is not None and problem.seq == seq + 1
                    and f"follows row {seq - 1}" in problem.message)
        else:
            # The last row: the record it wrote no longer matches the chain.
            good = (problem is not None and f"{entity} row {entity_id}" in problem.message
                    and (problem.seq is None or problem.seq < seq))
        _count("delete row", good)
        if not good:
            missed.append((seq, problem))
    assert not missed, missed[:5]


def test_truncating_the_tail_anywhere_is_found(raw):
    length = chain_length(raw)
    missed = []
    for keep in range(0, length):
        with tampering(raw):
            drop_triggers(raw, "audit_log")
            touched = {entity for (entity,) in raw.execute(
                "SELECT DISTINCT entity FROM audit_log WHERE seq > ?", [keep])}
            raw.execute("DELETE FROM audit_log WHERE seq > ?", [keep])
            problem = verify_problem(raw)
        # The problem names a record written by a removed row, and points (if anywhere)
        # into what is left of the chain.
        good = (problem is not None and (problem.seq is None or problem.seq <= keep)
                and any(f"{entity} row" in problem.message for entity in touched))
        _count("truncate tail", good)
        if not good:
            missed.append((keep, problem))
    assert not missed, missed[:5]


def _swap(connection, first: int, second: int) -> None:
    connection.execute("UPDATE audit_log SET seq = -1 WHERE seq = ?", [first])
    connection.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", [first, second])
    connection.execute("UPDATE audit_log SET seq = ? WHERE seq = -1", [second])


def test_reordering_any_two_rows_names_the_first(raw):
    length = chain_length(raw)
    pairs = [(seq, seq + 1) for seq in range(1, length)]
    pairs += [(seq, length) for seq in range(1, length - 1)]
    pairs += [(1, seq) for seq in range(3, length)]
    missed = []
    for first, second in pairs:
        with tampering(raw):
            drop_triggers(raw, "audit_log")
            _swap(raw, first, second)
            problem = verify_problem(raw)
        good = problem is not None and problem.seq == first
        _count("swap rows", good)
        if not good:
            missed.append(((first, second), problem))
    assert not missed, missed[:5]


def test_renumbering_a_row_is_found(raw):
    length = chain_length(raw)
    missed = []
    for seq in range(1, length + 1):
        with tampering(raw):
            drop_triggers(raw, "audit_log")
            raw.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", [length + 10, seq])
            problem = verify_problem(raw)
        good = problem is not None and problem.seq == (seq + 1 if seq < length else length + 10)
        _count("renumber row", good)
        if not good:
            missed.append((seq, problem))
    assert not missed, missed[:5]


def test_a_recomputed_chain_is_found_through_the_decisions_audit_head(raw):
    with tampering(raw):
        drop_triggers(raw, "audit_log")
        # Forge who opened the first case, then rewrite every hash from there on.
        (seq,) = raw.execute("SELECT min(seq) FROM audit_log WHERE entity = 'cases'").fetchone()
        raw.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?", [seq])
        prev = raw.execute("SELECT hash FROM audit_log WHERE seq = ?", [seq - 1]).fetchone()[0]
        rows = raw.execute(
            "SELECT seq, at, actor, action, entity, entity_id, before, after FROM audit_log "
            "WHERE seq >= ? ORDER BY seq", [seq]).fetchall()
        for row in rows:
            digest = audit.row_hash(prev, *row)
            raw.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                        [prev, digest, row[0]])
            prev = digest
        heads = {h for (h,) in raw.execute(
            "SELECT audit_head FROM decisions WHERE audit_head IS NOT NULL")}
        chain = {h for (h,) in raw.execute("SELECT hash FROM audit_log")}
        assert heads and not heads <= chain  # the anchors no longer match the chain...
        problem = verify_problem(raw)
    # ...and verify() finds that through the heads the final decisions recorded.
    assert problem is not None and "chain was rewritten" in problem.message


# --- tampering with the records -----------------------------------------------------------


AUDITED_WITH_ROWS = tuple(audit.AUDITED_TABLES)


@pytest.mark.parametrize("table", AUDITED_WITH_ROWS)
def test_changing_a_record_behind_the_services_names_its_last_audit_row(raw, table):
    key_columns = set(audit.AUDITED_TABLES[table])
    rows = table_rows(raw, table)
    assert rows, f"the reviewed database has no {table}"
    if table == "countries":
        rows = rows[:2]
    missed = []
    tried = 0
    for row in rows:
        expected = last_audited(raw, table, row)
        columns = [c for c in row if c not in key_columns and c not in ("_rowid_", "id")]
        if table not in REVIEW_TABLES:
            columns = columns[:2]
        for column in columns:
            with tampering(raw):
                drop_triggers(raw, table)
                if not set_column(raw, table, row["_rowid_"], column, row[column]):
                    continue
                tried += 1
                problem = verify_problem(raw)
            good = (problem is not None and problem.seq == expected
                    and f"{table} row" in problem.message and "differs" in problem.message)
            _count(f"change {table}", good)
            if not good:
                missed.append((row["_rowid_"], column, expected, problem))
    assert tried
    assert not missed, missed[:5]


@pytest.mark.parametrize("table", [t for t in AUDITED_WITH_ROWS if t != "countries"])
def test_deleting_a_record_behind_the_services_is_found(raw, table):
    missed = []
    for row in table_rows(raw, table):
        expected = last_audited(raw, table, row)
        with tampering(raw):
            raw.execute("PRAGMA defer_foreign_keys = ON")
            drop_triggers(raw, table)
            raw.execute(f"DELETE FROM {table} WHERE rowid = ?", [row["_rowid_"]])
            problem = verify_problem(raw)
        good = (problem is not None and problem.seq == expected
                and "deleted without an audit record" in problem.message)
        _count(f"delete {table} record", good)
        if not good:
            missed.append((row["_rowid_"], problem))
    assert not missed, missed[:5]


def _case_id(raw, status: str) -> int:
    return raw.execute("SELECT id FROM cases WHERE status = ? ORDER BY id LIMIT 1",
                       [status]).fetchone()[0]


UNAUDITED_INSERTS = {
    "cases": ("INSERT INTO cases (reference, year, number, status, applicant, destination, "
              "received_on, edition_id, created_at, created_by) VALUES ('MTCR-2026-0777', 2026, "
              "777, 'draft', 'ghost', 'FR', '2026-01-01', 'mtcr-2024-structure', 'now', 'x')"),
    "parties": "INSERT INTO parties (case_id, position, role, name) VALUES (:case, 9, "
               "'end user', 'ghost')",
    "items": "INSERT INTO items (case_id, line, description, quantity) VALUES (:case, 9, "
             "'ghost', 1)",
    "assessments": "INSERT INTO assessments (item_id, status) VALUES (9999, 'not controlled')",
    "assessment_entries": "INSERT INTO assessment_entries (item_id, position, edition_id, code) "
                          "VALUES (:item, 5, 'mtcr-2024-structure', '3.A.1')",
    "factors": "INSERT INTO factors (case_id, factor, finding, recorded_by, recorded_at) "
               "VALUES (:withdrawn, 'f', 'concern', 'x', 'now')",
    "decisions": "INSERT INTO decisions (case_id, outcome, rationale, drafted_by, drafted_at) "
                 "VALUES (:case, 'approve', 'ghost', 'x', 'now')",
    "notes": "INSERT INTO notes (case_id, text, author, created_at) VALUES (:case, 'ghost', "
             "'x', 'now')",
    "users": "INSERT INTO users (username, display_name, role, password_hash, created_at) "
             "VALUES ('ghost', 'Ghost', 'administrator', 'scrypt$', 'now')",
    "countries": "INSERT INTO countries (code, alpha3, name) VALUES ('GB', 'GBR', 'UK')",
}


@pytest.mark.parametrize("table", sorted(UNAUDITED_INSERTS))
@pytest.mark.parametrize("status", ["decided", "withdrawn"])
def test_a_record_with_no_audit_record_is_found(raw, table, status):
    case = _case_id(raw, status)
    item = raw.execute("SELECT min(id) FROM items WHERE case_id = ?", [case]).fetchone()[0]
    with tampering(raw):
        drop_triggers(raw, table)
        raw.execute(UNAUDITED_INSERTS[table],
                    {"case": case, "item": item, "withdrawn": _case_id(raw, "withdrawn")})
        problem = verify_problem(raw)
    good = problem is not None and problem.seq is None and \
        f"{table} row" in problem.message and "no audit record" in problem.message
    _count("unaudited insert", good)
    assert good, problem


# --- the triggers, in place -------------------------------------------------------------


def _refused(raw, statement: str, parameters=()) -> None:
    with tampering(raw):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement, parameters)
    _count("trigger refusal (audit log)", True)


def test_raw_changes_to_the_audit_log_are_refused(raw):
    length = chain_length(raw)
    for seq in (1, length // 2, length):
        _refused(raw, "UPDATE audit_log SET actor = 'mallory' WHERE seq = ?", [seq])
        _refused(raw, "UPDATE audit_log SET seq = seq + 1000 WHERE seq = ?", [seq])
        _refused(raw, "DELETE FROM audit_log WHERE seq = ?", [seq])
    _refused(raw, "DELETE FROM audit_log")
    assert audit.verify(raw).ok


@pytest.mark.parametrize("status", ["decided", "withdrawn"])
def test_raw_changes_to_a_final_case_are_refused(raw, status):
    case = _case_id(raw, status)
    items = [i for (i,) in raw.execute("SELECT id FROM items WHERE case_id = ?", [case])]
    assert items
    statements = [
        ("UPDATE cases SET applicant = 'x' WHERE id = ?", [case]),
        ("UPDATE cases SET status = 'in review' WHERE id = ?", [case]),
        ("DELETE FROM cases WHERE id = ?", [case]),
        ("INSERT INTO items (case_id, line, description, quantity) VALUES (?, 99, 'x', 1)",
         [case]),
        ("INSERT INTO parties (case_id, position, role, name) VALUES (?, 9, 'end user', 'x')",
         [case]),
        ("UPDATE parties SET name = 'x' WHERE case_id = ?", [case]),
        ("UPDATE factors SET finding = 'concern' WHERE case_id = ?", [case]),
        ("DELETE FROM factors WHERE case_id = ?", [case]),
    ]
    if status == "decided":
        statements += [
            ("UPDATE parties SET name = 'x' WHERE case_id = ?", [case]),
            ("UPDATE factors SET finding = 'concern' WHERE case_id = ?", [case]),
            ("INSERT INTO decisions (case_id, outcome, rationale, drafted_by, drafted_at) "
             "VALUES (?, 'approve', 'x', 'x', 'now')", [case]),
        ]
        decisions = [d for (d,) in raw.execute(
            "SELECT id FROM decisions WHERE case_id = ?", [case])]
        assert decisions
        for decision in decisions:
            statements += [
                ("UPDATE decisions SET outcome = 'deny' WHERE id = ?", [decision]),
                ("UPDATE decisions SET countersignature = NULL WHERE id = ?", [decision]),
                ("DELETE FROM decisions WHERE id = ?", [decision]),
            ]
    for item in items:
        statements += [
            ("UPDATE items SET quantity = 99 WHERE id = ?", [item]),
            ("UPDATE items SET case_id = 9999 WHERE id = ?", [item]),
            ("DELETE FROM items WHERE id = ?", [item]),
            ("UPDATE assessments SET status = 'controlled', rationale = 'x' WHERE item_id = ?",
             [item]),
            ("DELETE FROM assessments WHERE item_id = ?", [item]),
            ("INSERT INTO assessment_entries (item_id, position, edition_id, code) "
             "VALUES (?, 7, 'mtcr-2024-structure', '3.A.1')", [item]),
            ("UPDATE assessment_entries SET code = '3.A.2' WHERE item_id = ?", [item]),
            ("DELETE FROM assessment_entries WHERE item_id = ?", [item]),
        ]
    refused = 0
    for statement, parameters in statements:
        with tampering(raw):
            changed_before = raw.total_changes
            try:
                raw.execute(statement, parameters)
            except sqlite3.IntegrityError as error:
                assert "final" in str(error) or "never" in str(error), error
                refused += 1
                _count(f"trigger refusal ({status} case)", True)
                continue
            # Accepted only when it touched nothing (no such row on this case).
            assert raw.total_changes == changed_before, (statement, parameters)
    assert refused >= len(statements) // 2
    assert audit.verify(raw).ok


def test_the_pending_decision_of_a_withdrawn_case_is_refused(reviewed_database, tmp_path):
    """A case withdrawn while its decision awaits countersignature is final: the
    uncountersigned decision is refused raw changes too (m005)."""
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(reviewed_database, copy)
    store = open_store(copy)
    try:
        service = CaseService(store)
        alice = users.get_user(store, "alice")
        case = service.create(actor=alice, applicant="Pending Ltd", destination="FR",
                              received_on="2026-04-01",
                              items=[Item(line=0, description="valve", quantity=1)])
        ref = case.reference
        service.assess(ref, line=1, status=AssessmentStatus.NOT_CONTROLLED, rationale="r",
                       actor=alice)
        for factor in Factor:
            service.record_factor(ref, factor=factor, finding=Finding.NO_CONCERN, actor=alice)
        service.draft_decision(ref, actor=alice, password=PASSWORD,
                               outcome=Outcome.NO_LICENCE_REQUIRED, rationale="not listed")
        case = service.withdraw(ref, actor=alice, reason="applicant withdrew")
        assert case.status.is_final and case.current_decision.countersignature is None
        with tampering(store.connection):
            with pytest.raises(sqlite3.IntegrityError, match="final"):
                store.connection.execute("UPDATE decisions SET outcome = 'approve' WHERE id = ?",
                                         [case.current_decision.id])
        _count("trigger refusal (withdrawn case)", True)
    finally:
        store.close()
