"""SQL for importing a whole case from a case file, row by row through the audit chain.

The caller validates the case and opens the write transaction; this module only
writes. Every row goes through :func:`mtcr_desk.storage.audit.insert` (one audit
row per record, all with the importing user as actor), so ``verify`` stays clean.

The triggers refuse children of a final (decided or withdrawn) case and of a
case whose decision awaits countersignature, so such a case is inserted as
``in review``, filled, and only then moved to its status with one audited update.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from mtcr_desk.domain.cases import Case, CaseStatus, Note
from mtcr_desk.storage import audit
from mtcr_desk.storage.item_words import index_item


def insert_imported_case(connection: sqlite3.Connection, case: Case, *, reference: str,
                         year: int, number: int, extra_notes: Sequence[Note] = (),
                         actor: str, action: str) -> int:
    """Insert ``case`` with everything recorded on it under a new reference; return its id.

    Call inside a write transaction. ``extra_notes`` are added after the case's own
    notes (the import's provenance note). Decisions are written as they are in
    the case, countersignature included; their ``audit_head`` is left empty (the
    decision was not made in this database's chain).
    """
    frozen = case.status.is_final or case.status is CaseStatus.AWAITING_COUNTERSIGNATURE
    initial_status = CaseStatus.IN_REVIEW if frozen else case.status
    case_id = audit.insert(connection, "cases", {
        "reference": reference, "year": year, "number": number,
        "status": initial_status.value, "applicant": case.applicant,
        "destination": case.destination, "end_use": case.end_use,
        "received_on": case.received_on, "due_on": case.due_on, "officer": case.officer,
        "edition_id": case.edition_id, "training": int(case.training),
        "assurances": json.dumps(sorted(a.value for a in case.assurances)),
        "end_user_statement": case.end_user_statement,
        "flags_acknowledged_by": case.flags_acknowledged_by,
        "flags_acknowledged_at": case.flags_acknowledged_at,
        "version": case.version, "created_at": case.created_at, "created_by": case.created_by,
    }, actor=actor, action=action)["id"]

    for position, party in enumerate(case.parties):
        audit.insert(connection, "parties", {
            "case_id": case_id, "position": position, "role": party.role.value,
            "name": party.name, "address": party.address, "country": party.country,
        }, actor=actor, action=action)

    for item in case.items:
        item_id = audit.insert(connection, "items", {
            "case_id": case_id, "line": item.line, "description": item.description,
            "manufacturer": item.manufacturer, "part_number": item.part_number,
            "quantity": item.quantity, "unit": item.unit, "value": item.value,
            "currency": item.currency,
        }, actor=actor, action=action)["id"]
        index_item(connection, item_id, description=item.description,
                   manufacturer=item.manufacturer, part_number=item.part_number)
        assessment = item.assessment
        audit.insert(connection, "assessments", {
            "item_id": item_id, "status": assessment.status.value,
            "category": assessment.category, "rationale": assessment.rationale,
            "assessed_by": assessment.assessed_by, "assessed_at": assessment.assessed_at,
            "precedent": assessment.precedent,
        }, actor=actor, action=action)
        for position, code in enumerate(assessment.entry_codes):
            audit.insert(connection, "assessment_entries", {
                "item_id": item_id, "position": position, "edition_id": case.edition_id,
                "code": code,
            }, actor=actor, action=action)

    for finding in case.factors:
        audit.insert(connection, "factors", {
            "case_id": case_id, "factor": finding.factor.value,
            "finding": finding.finding.value, "note": finding.note,
            "recorded_by": finding.recorded_by, "recorded_at": finding.recorded_at,
        }, actor=actor, action=action)

    for decision in case.decisions:
        audit.insert(connection, "decisions", {
            "case_id": case_id, "outcome": decision.outcome.value,
            "rationale": decision.rationale,
            "conditions": json.dumps(list(decision.conditions), ensure_ascii=False),
            "presumption_acknowledged": int(decision.presumption_acknowledged),
            "drafted_by": decision.drafted_by, "drafted_at": decision.drafted_at,
            "countersigned_by": decision.countersigned_by,
            "countersigned_at": decision.countersigned_at,
            "countersignature": decision.countersignature,
            "return_comment": decision.return_comment, "memo_sha256": decision.memo_sha256,
            "audit_head": None,
        }, actor=actor, action=action)

    for note in (*case.notes, *extra_notes):
        audit.insert(connection, "notes", {
            "case_id": case_id, "text": note.text, "author": note.author,
            "created_at": note.created_at,
        }, actor=actor, action=action)

    if initial_status is not case.status:
        audit.update(connection, "cases", {"id": case_id}, {"status": case.status.value},
                     actor=actor, action=action)
    return case_id
