"""SQL for cases and everything recorded on them.

Reads build complete :class:`~mtcr_desk.domain.cases.Case` objects; writes go
through :mod:`mtcr_desk.storage.audit` so that every change leaves exactly one
audit row, in the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from mtcr_desk.domain.cases import (
    Assessment,
    AssessmentStatus,
    Assurance,
    Case,
    CaseStatus,
    Decision,
    Factor,
    FactorFinding,
    Finding,
    Item,
    Note,
    Outcome,
    Party,
    PartyRole,
)
from mtcr_desk.storage import audit
from mtcr_desk.storage.item_words import index_item

_CASE_COLUMNS = (
    "id, reference, status, applicant, destination, end_use, received_on, due_on, officer, "
    "edition_id, training, assurances, end_user_statement, flags_acknowledged_by, "
    "flags_acknowledged_at, amends_case_id, version, created_at, created_by"
)


def next_reference(connection: sqlite3.Connection, year: int) -> tuple[str, int]:
    """Return the next case reference of a year and its number (call inside a write)."""
    (last,) = connection.execute(
        "SELECT coalesce(max(number), 0) FROM cases WHERE year = ?", [year]).fetchone()
    number = last + 1
    return f"MTCR-{year:04d}-{number:04d}", number


def case_id(connection: sqlite3.Connection, reference: str) -> int | None:
    """Return the row id of a case by reference."""
    row = connection.execute("SELECT id FROM cases WHERE reference = ?", [reference]).fetchone()
    return row[0] if row else None


def case_reference(connection: sqlite3.Connection, row_id: int) -> str | None:
    """Return a case's reference by row id."""
    row = connection.execute("SELECT reference FROM cases WHERE id = ?", [row_id]).fetchone()
    return row[0] if row else None


def load_case(connection: sqlite3.Connection, reference: str) -> Case | None:
    """Return a complete case by reference, or None."""
    row = connection.execute(f"SELECT {_CASE_COLUMNS} FROM cases WHERE reference = ?",
                             [reference]).fetchone()
    if row is None:
        return None
    (row_id, ref, status, applicant, destination, end_use, received_on, due_on, officer,
     edition_id, training, assurances, statement, ack_by, ack_at, amends_id, version,
     created_at, created_by) = row
    return Case(
        id=row_id, reference=ref, status=CaseStatus(status), applicant=applicant,
        destination=destination, end_use=end_use, received_on=received_on, due_on=due_on,
        officer=officer, edition_id=edition_id, training=bool(training),
        assurances=frozenset(Assurance(a) for a in json.loads(assurances)),
        end_user_statement=statement, flags_acknowledged_by=ack_by,
        flags_acknowledged_at=ack_at,
        amends=case_reference(connection, amends_id) if amends_id else None,
        parties=tuple(_parties(connection, row_id)), items=tuple(_items(connection, row_id)),
        factors=tuple(_factors(connection, row_id)),
        decisions=tuple(_decisions(connection, row_id)), notes=tuple(_notes(connection, row_id)),
        created_at=created_at, created_by=created_by, version=version,
    )


def _parties(connection: sqlite3.Connection, row_id: int) -> Iterable[Party]:
    for party_id, role, name, address, country in connection.execute(
            "SELECT id, role, name, address, country FROM parties WHERE case_id = ? "
            "ORDER BY position, id", [row_id]):
        yield Party(id=party_id, role=PartyRole(role), name=name, address=address,
                    country=country)


def _items(connection: sqlite3.Connection, row_id: int) -> Iterable[Item]:
    entries: dict[int, list[str]] = {}
    for item_id, code in connection.execute(
            "SELECT e.item_id, e.code FROM assessment_entries AS e JOIN items AS i "
            "ON i.id = e.item_id WHERE i.case_id = ? ORDER BY e.item_id, e.position", [row_id]):
        entries.setdefault(item_id, []).append(code)
    rows = connection.execute(
        "SELECT i.id, i.line, i.description, i.manufacturer, i.part_number, i.quantity, i.unit, "
        "i.value, i.currency, a.status, a.category, a.rationale, a.assessed_by, a.assessed_at, "
        "a.precedent FROM items AS i LEFT JOIN assessments AS a ON a.item_id = i.id "
        "WHERE i.case_id = ? ORDER BY i.line", [row_id])
    for (item_id, line, description, manufacturer, part_number, quantity, unit, value,
         currency, status, category, rationale, assessed_by, assessed_at, precedent) in rows:
        assessment = Assessment(
            status=AssessmentStatus(status) if status else AssessmentStatus.UNASSESSED,
            entry_codes=tuple(entries.get(item_id, ())), category=category,
            rationale=rationale or "", assessed_by=assessed_by, assessed_at=assessed_at,
            precedent=precedent)
        yield Item(id=item_id, line=line, description=description, manufacturer=manufacturer,
                   part_number=part_number, quantity=quantity, unit=unit, value=value,
                   currency=currency, assessment=assessment)


def _factors(connection: sqlite3.Connection, row_id: int) -> Iterable[FactorFinding]:
    for factor, finding, note, recorded_by, recorded_at in connection.execute(
            "SELECT factor, finding, note, recorded_by, recorded_at FROM factors "
            "WHERE case_id = ? ORDER BY factor", [row_id]):
        yield FactorFinding(factor=Factor(factor), finding=Finding(finding), note=note,
                            recorded_by=recorded_by, recorded_at=recorded_at)


def _decisions(connection: sqlite3.Connection, row_id: int) -> Iterable[Decision]:
    for row in connection.execute(
            "SELECT id, outcome, rationale, conditions, presumption_acknowledged, drafted_by, "
            "drafted_at, countersigned_by, countersigned_at, countersignature, return_comment, "
            "memo_sha256, audit_head FROM decisions WHERE case_id = ? ORDER BY id", [row_id]):
        yield Decision(
            id=row[0], outcome=Outcome(row[1]), rationale=row[2],
            conditions=tuple(json.loads(row[3])), presumption_acknowledged=bool(row[4]),
            drafted_by=row[5], drafted_at=row[6], countersigned_by=row[7],
            countersigned_at=row[8], countersignature=row[9], return_comment=row[10],
            memo_sha256=row[11], audit_head=row[12])


def _notes(connection: sqlite3.Connection, row_id: int) -> Iterable[Note]:
    for note_id, text, author, created_at in connection.execute(
            "SELECT id, text, author, created_at FROM notes WHERE case_id = ? ORDER BY id",
            [row_id]):
        yield Note(id=note_id, text=text, author=author, created_at=created_at)


def list_cases(connection: sqlite3.Connection, *, status: str | None = None,
               training: bool | None = False) -> list[tuple]:
    """Return summary rows ``(reference, status, applicant, destination, officer,
    received_on, due_on, edition_id)`` ordered by reference."""
    return connection.execute(
        "SELECT reference, status, applicant, destination, officer, received_on, due_on, "
        "edition_id FROM cases WHERE (:status IS NULL OR status = :status) "
        "AND (:training IS NULL OR training = :training) ORDER BY year, number",
        {"status": status, "training": None if training is None else int(training)},
    ).fetchall()


# --- writes (inside the caller's transaction) ------------------------------------------


def insert_case(connection: sqlite3.Connection, values: dict, *, actor: str, action: str) -> int:
    """Insert a case row (audited); return its row id."""
    return audit.insert(connection, "cases", values, actor=actor, action=action)["id"]


def update_case(connection: sqlite3.Connection, row_id: int, changes: dict, *, actor: str,
                action: str) -> None:
    """Change columns of a case row (audited)."""
    audit.update(connection, "cases", {"id": row_id}, changes, actor=actor, action=action)


def insert_party(connection: sqlite3.Connection, row_id: int, party: Party, position: int, *,
                 actor: str) -> None:
    audit.insert(connection, "parties", {
        "case_id": row_id, "position": position, "role": party.role.value, "name": party.name,
        "address": party.address, "country": party.country}, actor=actor, action="add party")


def insert_item(connection: sqlite3.Connection, row_id: int, item: Item, *, actor: str) -> int:
    """Insert an item with an unassessed assessment row; return the item's row id."""
    item_id = audit.insert(connection, "items", {
        "case_id": row_id, "line": item.line, "description": item.description,
        "manufacturer": item.manufacturer, "part_number": item.part_number,
        "quantity": item.quantity, "unit": item.unit, "value": item.value,
        "currency": item.currency}, actor=actor, action="add item")["id"]
    index_item(connection, item_id, description=item.description,
               manufacturer=item.manufacturer, part_number=item.part_number)
    audit.insert(connection, "assessments", {
        "item_id": item_id, "status": AssessmentStatus.UNASSESSED.value},
        actor=actor, action="add item")
    return item_id


def item_id(connection: sqlite3.Connection, row_id: int, line: int) -> int | None:
    row = connection.execute("SELECT id FROM items WHERE case_id = ? AND line = ?",
                             [row_id, line]).fetchone()
    return row[0] if row else None


def save_assessment(connection: sqlite3.Connection, item_row_id: int, assessment: Assessment,
                    *, edition_id: str, actor: str, action: str = "assess item") -> None:
    """Replace an item's assessment and its entry codes (audited, row by row).

    Entry rows are rewritten only when the codes or the edition change, so that an
    unchanged list leaves no audit rows behind.
    """
    existing = connection.execute(
        "SELECT position, edition_id, code FROM assessment_entries WHERE item_id = ? "
        "ORDER BY position", [item_row_id]).fetchall()
    unchanged = [(edition_id, code) for _, edition_id, code in existing] == \
        [(edition_id, code) for code in assessment.entry_codes]
    if not unchanged:
        for position, _, _ in existing:
            audit.delete(connection, "assessment_entries",
                         {"item_id": item_row_id, "position": position}, actor=actor,
                         action=action)
    audit.update(connection, "assessments", {"item_id": item_row_id}, {
        "status": assessment.status.value, "category": assessment.category,
        "rationale": assessment.rationale, "assessed_by": assessment.assessed_by,
        "assessed_at": assessment.assessed_at, "precedent": assessment.precedent,
    }, actor=actor, action=action)
    if unchanged:
        return
    for position, code in enumerate(assessment.entry_codes):
        audit.insert(connection, "assessment_entries", {
            "item_id": item_row_id, "position": position, "edition_id": edition_id,
            "code": code}, actor=actor, action=action)


def save_factor(connection: sqlite3.Connection, row_id: int, finding: FactorFinding, *,
                actor: str) -> None:
    """Record or replace the finding on one factor (audited)."""
    key = {"case_id": row_id, "factor": finding.factor.value}
    values = {"finding": finding.finding.value, "note": finding.note,
              "recorded_by": finding.recorded_by, "recorded_at": finding.recorded_at}
    exists = connection.execute("SELECT 1 FROM factors WHERE case_id = ? AND factor = ?",
                                [row_id, finding.factor.value]).fetchone()
    if exists:
        audit.update(connection, "factors", key, values, actor=actor, action="record factor")
    else:
        audit.insert(connection, "factors", {**key, **values}, actor=actor,
                     action="record factor")


def insert_decision(connection: sqlite3.Connection, row_id: int, decision: Decision, *,
                    actor: str) -> int:
    return audit.insert(connection, "decisions", {
        "case_id": row_id, "outcome": decision.outcome.value, "rationale": decision.rationale,
        "conditions": json.dumps(list(decision.conditions), ensure_ascii=False),
        "presumption_acknowledged": int(decision.presumption_acknowledged),
        "drafted_by": decision.drafted_by, "drafted_at": decision.drafted_at,
    }, actor=actor, action="draft decision")["id"]


def countersign_decision(connection: sqlite3.Connection, decision_id: int, *, by: str, at: str,
                         countersignature: str, comment: str, memo_sha256: str | None,
                         audit_head: str | None) -> None:
    audit.update(connection, "decisions", {"id": decision_id}, {
        "countersigned_by": by, "countersigned_at": at, "countersignature": countersignature,
        "return_comment": comment, "memo_sha256": memo_sha256, "audit_head": audit_head,
    }, actor=by, action=f"countersign ({countersignature})")


def insert_note(connection: sqlite3.Connection, row_id: int, note: Note) -> None:
    audit.insert(connection, "notes", {"case_id": row_id, "text": note.text,
                                       "author": note.author, "created_at": note.created_at},
                 actor=note.author, action="add note")


def entry_kinds(connection: sqlite3.Connection, edition_id: str,
                codes: Sequence[str]) -> dict[str, str]:
    """Return ``{code: kind}`` for the given codes that exist in an edition."""
    if not codes:
        return {}
    placeholders = ", ".join("?" for _ in codes)
    return dict(connection.execute(
        f"SELECT code, kind FROM entries WHERE edition_id = ? AND code IN ({placeholders})",
        [edition_id, *codes]))


def entry_categories(connection: sqlite3.Connection, edition_id: str,
                     codes: Sequence[str]) -> dict[str, str | None]:
    """Return ``{code: category}`` for codes of an edition."""
    if not codes:
        return {}
    placeholders = ", ".join("?" for _ in codes)
    return dict(connection.execute(
        f"SELECT code, category FROM entries WHERE edition_id = ? AND code IN ({placeholders})",
        [edition_id, *codes]))


def country(connection: sqlite3.Connection, code: str) -> tuple | None:
    """Return ``(code, name, mtcr_status, un_measures JSON)`` of a country, or None."""
    return connection.execute(
        "SELECT code, name, mtcr_status, un_measures FROM countries WHERE code = ?",
        [code]).fetchone()


def amending_references(connection: sqlite3.Connection, reference: str) -> list[str]:
    """Return the references of cases that amend the given one, oldest first."""
    return [row[0] for row in connection.execute(
        "SELECT new.reference FROM cases AS new JOIN cases AS old ON new.amends_case_id = old.id "
        "WHERE old.reference = ? ORDER BY new.id", [reference])]


def edition_has_categories(connection: sqlite3.Connection, edition_id: str) -> bool:
    """True when the edition's entries carry MTCR categories."""
    row = connection.execute("SELECT has_mtcr_categories FROM editions WHERE id = ?",
                             [edition_id]).fetchone()
    return bool(row and row[0])
