"""One case's history (services/case_history.py, storage/case_history.py) and the two
service methods that take an edit back (reset_assessment, clear_factor)."""

from __future__ import annotations

import json

import pytest

from mtcr_desk.domain.cases import Assessment, AssessmentStatus, Factor, Finding
from mtcr_desk.domain.errors import NotFoundError, RuleViolation
from mtcr_desk.services import users
from mtcr_desk.services.audit_check import verify
from mtcr_desk.services.case_history import FieldChange, case_history
from mtcr_desk.services.cases import CaseService
from mtcr_desk.storage import case_history as history_store

IN_REVIEW = "MTCR-2026-0011"
DECIDED = "MTCR-2026-0001"






@pytest.fixture
def cases(demo_store) -> CaseService:
    return CaseService(demo_store)


@pytest.fixture
def olga(demo_store):
    return users.get_user(demo_store, "olga.officer")


def _case_id_of(entity: str, row, item_ids: set[int]) -> int | None:
    image = json.loads(row.after or row.before)
    if entity == "cases":
        return image["id"]
    if entity in ("assessments", "assessment_entries"):
        return -1 if image["item_id"] in item_ids else None
    return image["case_id"]


@pytest.mark.parametrize("reference", [f"MTCR-2026-{n:04d}" for n in range(1, 13)])
def test_history_holds_exactly_the_rows_of_the_case_and_its_records(demo_store, reference):
    keys = history_store.case_keys(demo_store.connection, reference)
    rows = history_store.case_audit_rows(demo_store.connection, keys)
    item_ids = set(keys.item_ids)
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    for row in rows:
        owner = _case_id_of(row.entity, row, item_ids)
        assert owner in (keys.case_id, -1), (row.entity, row.entity_id)
    # Everything audited for this case is there (compared with a full scan of the log).
    expected = set()
    for seq, entity, before, after in demo_store.connection.execute(
            "SELECT seq, entity, before, after FROM audit_log"):
        image = json.loads(after or before)
        if entity == "cases" and image["id"] == keys.case_id:
            expected.add(seq)
        elif entity in ("assessments", "assessment_entries") and image["item_id"] in item_ids:
            expected.add(seq)
        elif entity in ("parties", "items", "factors", "decisions", "notes") and \
                image["case_id"] == keys.case_id:
            expected.add(seq)
    assert {r.seq for r in rows} == expected


def test_history_is_readable(cases, demo_store, olga):
    cases.assess(IN_REVIEW, line=2, status=AssessmentStatus.CONTROLLED, entry_codes=["6.C.1"],
                 rationale="Prepreg", actor=olga)
    cases.record_factor(IN_REVIEW, factor=Factor.A, finding=Finding.CONCERN, note="New",
                        actor=olga)
    rows = case_history(demo_store, IN_REVIEW)
    assert rows[0].subject == "case" and rows[0].kind == "added"
    assert rows[0].when.endswith(" UTC") and len(rows[0].when) == 23
    subjects = [r.subject for r in rows]
    assert "party 2 (consignee)" in subjects
    assert "line 2 assessment" in subjects and "line 1 entry 1" in subjects

    factor = rows[-1]
    assert factor.actor == "olga.officer" and factor.action == "record factor"
    assert factor.subject.startswith("factor a (Concerns about")
    assert factor.kind == "changed"
    assert FieldChange("finding", "no concern", "concern") in factor.changes
    assert FieldChange("note", "—", "New") in factor.changes
    assert "finding: no concern → concern" in factor.summary
    assert not any(change.field in ("case id", "factor") for change in factor.changes)

    assessed = [r for r in rows if r.subject == "line 2 assessment" and r.kind == "changed"][-1]
    assert FieldChange("status", "unassessed", "controlled") in assessed.changes
    entry = [r for r in rows if r.subject == "line 2 entry 1"][-1]
    assert entry.kind == "added" and FieldChange("entry", "—", "6.C.1") in entry.changes
    # Lists (assurances, conditions) read as text, not JSON.
    decided = case_history(demo_store, DECIDED)
    assurances = [c for r in decided for c in r.changes if c.field == "assurances"]
    assert assurances and "[" not in assurances[0].new
    conditions = [c for r in decided for c in r.changes if c.field == "conditions"]
    assert conditions and not conditions[0].new.startswith("[")


def test_reset_assessment_takes_an_item_back_to_unassessed_audited(cases, demo_store, olga):
    cases.assess(IN_REVIEW, line=2, status=AssessmentStatus.CONTROLLED, entry_codes=["6.C.1"],
                 rationale="Prepreg", actor=olga)
    case = cases.reset_assessment(IN_REVIEW, line=2, actor=olga)
    assert case.item(2).assessment == Assessment()
    assert case.status.value == "in review"
    rows = case_history(demo_store, IN_REVIEW)
    resets = [r for r in rows if r.action == "reset assessment"]
    assert {r.subject for r in resets} == {"line 2 assessment", "line 2 entry 1"}
    assert any(r.kind == "removed" for r in resets)
    assert verify(demo_store).ok
    # Resetting an unassessed item writes nothing.
    count = len(rows)
    cases.reset_assessment(IN_REVIEW, line=2, actor=olga)
    assert len(case_history(demo_store, IN_REVIEW)) == count


def test_clear_factor_removes_the_finding_audited(cases, demo_store, olga):
    case = cases.clear_factor(IN_REVIEW, factor=Factor.B, actor=olga)
    assert case.factor(Factor.B) is None
    removed = case_history(demo_store, IN_REVIEW)[-1]
    assert (removed.action, removed.kind) == ("clear factor", "removed")
    assert FieldChange("finding", "no concern", "—") in removed.changes
    assert verify(demo_store).ok
    with pytest.raises(NotFoundError):
        cases.clear_factor(IN_REVIEW, factor=Factor.B, actor=olga)


def test_the_undo_methods_refuse_what_the_rules_refuse(cases, demo_store, olga):
    with pytest.raises(RuleViolation, match="final"):
        cases.clear_factor(DECIDED, factor=Factor.A, actor=olga)
    with pytest.raises(RuleViolation, match="final"):
        cases.reset_assessment(DECIDED, line=1, actor=olga)
    with pytest.raises(NotFoundError):
        cases.reset_assessment(IN_REVIEW, line=7, actor=olga)
    admin = users.get_user(demo_store, "ada.admin")
    with pytest.raises(RuleViolation, match="officers work on cases"):
        cases.clear_factor(IN_REVIEW, factor=Factor.A, actor=admin)
