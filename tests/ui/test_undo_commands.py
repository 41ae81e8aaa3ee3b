"""The undoable edits (ui/commands.py) on a QUndoStack, without any window: each edit kind
is undone and redone against the real services, refusals never stay on the stack."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack

from mtcr_desk.domain.cases import (
    Assessment,
    AssessmentStatus,
    Assurance,
    CaseStatus,
    Factor,
    Finding,
)
from mtcr_desk.domain.errors import NotFoundError, RulesNotMet, RuleViolation
from mtcr_desk.services import users
from mtcr_desk.services.audit_check import verify
from mtcr_desk.services.cases import CaseService
from mtcr_desk.ui.commands import (
    ApplyPrecedentCommand,
    AssessItemCommand,
    EditDetailsCommand,
    RecordFactorCommand,
)

IN_REVIEW = "MTCR-2026-0011"  # line 1 controlled (6.C.3.c), line 2 unassessed; factors a, b
EU_CASE = "MTCR-2026-0010"  # EU edition: categories recorded with the assessment
DRAFT = "MTCR-2026-0012"
DECIDED = "MTCR-2026-0001"






@pytest.fixture
def cases(demo_store) -> CaseService:
    return CaseService(demo_store)


@pytest.fixture
def olga(demo_store):
    return users.get_user(demo_store, "olga.officer")


class Listener:
    """Records what the commands report."""

    def __init__(self):
        self.changed: list = []
        self.refused: list = []

    def kwargs(self) -> dict:
        return {"on_changed": self.changed.append, "on_refused": self.refused.append}


@pytest.fixture
def stack(qapp) -> QUndoStack:
    return QUndoStack()


def content(assessment: Assessment) -> tuple:
    """What an assessment says (who and when are the undoer and the time of the undo)."""
    return (assessment.status, assessment.entry_codes, assessment.category,
            assessment.rationale, assessment.precedent)


def test_assessing_an_unassessed_item_is_undone_exactly_and_redone(stack, cases, olga,
                                                                  demo_store):
    before = cases.get(IN_REVIEW)
    listener = Listener()
    stack.push(AssessItemCommand(cases=cases, reference=IN_REVIEW, line=2,
                                 status=AssessmentStatus.CONTROLLED, entry_codes=["6c1"],
                                 rationale="Prepreg", actor=olga, **listener.kwargs()))
    assert stack.count() == 1 and not stack.isClean()
    assessed = cases.get(IN_REVIEW).item(2).assessment
    assert assessed.entry_codes == ("6.C.1",)  # typed form resolved by the service
    assert listener.changed[-1].item(2).assessment == assessed

    stack.undo()
    assert cases.get(IN_REVIEW).item(2).assessment == before.item(2).assessment == Assessment()
    assert stack.isClean()
    stack.redo()
    assert content(cases.get(IN_REVIEW).item(2).assessment) == content(assessed)
    assert listener.refused == []
    assert verify(demo_store).ok


def test_reassessing_an_item_is_undone_to_the_previous_assessment(stack, cases, olga):
    before = cases.get(IN_REVIEW).item(1).assessment
    stack.push(AssessItemCommand(cases=cases, reference=IN_REVIEW, line=1,
                                 status=AssessmentStatus.NOT_CONTROLLED,
                                 rationale="Below the density threshold", actor=olga))
    changed = cases.get(IN_REVIEW).item(1).assessment
    assert changed.status is AssessmentStatus.NOT_CONTROLLED and changed.entry_codes == ()
    stack.undo()
    restored = cases.get(IN_REVIEW).item(1).assessment
    assert content(restored) == content(before)
    assert restored.assessed_by == "olga.officer"  # the undo is olga's act, audited as such
    stack.redo()
    assert content(cases.get(IN_REVIEW).item(1).assessment) == content(changed)


def test_an_eu_assessment_keeps_its_recorded_category_through_undo(stack, cases, olga):
    before = cases.get(EU_CASE).item(2).assessment
    assert before.category == "II"
    stack.push(AssessItemCommand(cases=cases, reference=EU_CASE, line=2,
                                 status=AssessmentStatus.CONTROLLED, entry_codes=["7D101"],
                                 category="I", rationale="Re-read", actor=olga))
    assert cases.get(EU_CASE).item(2).assessment.category == "I"
    stack.undo()
    assert content(cases.get(EU_CASE).item(2).assessment) == content(before)


def test_applying_a_precedent_is_undone_to_unassessed(stack, cases, olga, demo_store):
    listener = Listener()
    stack.push(ApplyPrecedentCommand(store=demo_store, cases=cases, reference=DRAFT, line=3,
                                     precedent_reference="MTCR-2026-0007", precedent_line=1,
                                     actor=olga, **listener.kwargs()))
    applied = cases.get(DRAFT).item(3).assessment
    assert applied.precedent == "MTCR-2026-0007 line 1"
    assert applied.entry_codes == ("15.B.1.a",)
    assert "Apply precedent MTCR-2026-0007 line 1 to line 3" == stack.undoText()
    stack.undo()
    assert cases.get(DRAFT).item(3).assessment == Assessment()
    stack.redo()
    assert content(cases.get(DRAFT).item(3).assessment) == content(applied)
    assert listener.refused == []


def test_a_first_finding_is_cleared_by_undo_and_a_changed_one_restored(stack, cases, olga,
                                                                      demo_store):
    before = cases.get(IN_REVIEW)
    stack.push(RecordFactorCommand(cases=cases, reference=IN_REVIEW, factor=Factor.C,
                                   finding=Finding.CONCERN, note="Dual use", actor=olga))
    stack.push(RecordFactorCommand(cases=cases, reference=IN_REVIEW, factor=Factor.B,
                                   finding=Finding.SERIOUS_CONCERN, note="Changed", actor=olga))
    case = cases.get(IN_REVIEW)
    assert case.factor(Factor.C).finding is Finding.CONCERN
    assert case.factor(Factor.B).note == "Changed"
    stack.undo()
    stack.undo()
    case = cases.get(IN_REVIEW)
    assert case.factor(Factor.C) is None
    assert (case.factor(Factor.B).finding, case.factor(Factor.B).note) == \
        (before.factor(Factor.B).finding, before.factor(Factor.B).note)
    assert [f.factor for f in case.factors] == [f.factor for f in before.factors]
    stack.redo()
    stack.redo()
    case = cases.get(IN_REVIEW)
    assert case.factor(Factor.C).note == "Dual use"
    assert case.factor(Factor.B).finding is Finding.SERIOUS_CONCERN
    assert verify(demo_store).ok


def test_clearing_a_finding_is_undone(stack, cases, olga):
    before = cases.get(IN_REVIEW).factor(Factor.A)
    stack.push(RecordFactorCommand(cases=cases, reference=IN_REVIEW, factor=Factor.A,
                                   finding=None, actor=olga))
    assert stack.undoText() == "Clear factor a"
    assert cases.get(IN_REVIEW).factor(Factor.A) is None
    stack.undo()
    restored = cases.get(IN_REVIEW).factor(Factor.A)
    assert (restored.finding, restored.note) == (before.finding, before.note)


def test_editing_the_details_is_undone_exactly(stack, cases, olga):
    before = cases.get(IN_REVIEW)
    stack.push(EditDetailsCommand(cases=cases, reference=IN_REVIEW, actor=olga,
                                  end_use="Furnace fixtures only",
                                  end_user_statement="EUS-1",
                                  assurances={Assurance.NO_RETRANSFER}))
    edited = cases.get(IN_REVIEW)
    assert (edited.end_use, edited.end_user_statement, edited.assurances) == \
        ("Furnace fixtures only", "EUS-1", frozenset({Assurance.NO_RETRANSFER}))
    stack.undo()
    assert cases.get(IN_REVIEW) == before  # the whole record, exactly
    stack.redo()
    assert cases.get(IN_REVIEW).end_user_statement == "EUS-1"


def test_an_edit_that_changes_nothing_is_not_kept(stack, cases, olga):
    case = cases.get(IN_REVIEW)
    stack.push(EditDetailsCommand(cases=cases, reference=IN_REVIEW, actor=olga,
                                  end_use=case.end_use))
    assert stack.count() == 0


def test_a_refused_edit_never_reaches_the_stack(stack, cases, olga):
    listener = Listener()
    before = cases.get(IN_REVIEW)
    stack.push(AssessItemCommand(cases=cases, reference=IN_REVIEW, line=2,
                                 status=AssessmentStatus.CONTROLLED, entry_codes=[],
                                 rationale="", actor=olga, **listener.kwargs()))
    assert stack.count() == 0 and stack.isClean()
    assert isinstance(listener.refused[0], RulesNotMet)
    assert {f.rule for f in listener.refused[0].failures} == {
        "controlled needs entries", "assessment rationale"}
    stack.push(RecordFactorCommand(cases=cases, reference=DECIDED, factor=Factor.A,
                                   finding=Finding.CONCERN, actor=olga, **listener.kwargs()))
    assert isinstance(listener.refused[1], RuleViolation)
    assert stack.count() == 0
    stack.push(AssessItemCommand(cases=cases, reference=IN_REVIEW, line=9,
                                 status=AssessmentStatus.NOT_CONTROLLED, rationale="x",
                                 actor=olga, **listener.kwargs()))
    assert isinstance(listener.refused[2], NotFoundError)
    assert stack.count() == 0 and listener.changed == []
    assert cases.get(IN_REVIEW) == before


def test_a_refused_undo_or_redo_drops_the_command_and_reports(stack, cases, olga, demo_store):
    listener = Listener()
    otto = users.get_user(demo_store, "otto.officer")
    stack.push(RecordFactorCommand(cases=cases, reference=IN_REVIEW, factor=Factor.C,
                                   finding=Finding.CONCERN, actor=olga, **listener.kwargs()))
    stack.push(RecordFactorCommand(cases=cases, reference=IN_REVIEW, factor=Factor.D,
                                   finding=Finding.NO_CONCERN, actor=olga, **listener.kwargs()))
    stack.undo()  # d is undone; c stays
    assert stack.count() == 2 and stack.index() == 1
    cases.withdraw(IN_REVIEW, actor=otto, reason="Withdrawn by the applicant")

    stack.redo()  # d again: refused, dropped
    assert isinstance(listener.refused[-1], RuleViolation)
    assert stack.count() == 1 and stack.index() == 1
    stack.undo()  # c: refused, dropped, the record keeps the finding
    assert isinstance(listener.refused[-1], RuleViolation)
    assert stack.count() == 0
    case = cases.get(IN_REVIEW)
    assert case.status is CaseStatus.WITHDRAWN
    assert case.factor(Factor.C).finding is Finding.CONCERN and case.factor(Factor.D) is None
    assert verify(demo_store).ok


def test_an_unexpected_error_is_reported_and_not_kept(stack, cases, olga, capsys):
    listener = Listener()

    class Broken(AssessItemCommand):
        def apply(self):
            raise ValueError("a bug")

    stack.push(Broken(cases=cases, reference=IN_REVIEW, line=2,
                      status=AssessmentStatus.NOT_CONTROLLED, rationale="x", actor=olga,
                      **listener.kwargs()))
    assert stack.count() == 0
    assert isinstance(listener.refused[0], ValueError)
    assert "a bug" in capsys.readouterr().err
