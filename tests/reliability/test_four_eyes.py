"""Four eyes: a decision is countersigned by a second officer, senior for Category I.

Every refusal goes through the services and raises RulesNotMet (exit code 3) naming the
rule, and writes nothing: the audit chain and the case are as before.
"""

from __future__ import annotations

import pytest

from mtcr_desk.domain.cases import (
    AssessmentStatus,
    Assurance,
    CaseStatus,
    Factor,
    Finding,
    Item,
    Outcome,
)
from mtcr_desk.domain.errors import EXIT_RULE_REFUSED, RulesNotMet
from mtcr_desk.domain.users import Role
from mtcr_desk.services import users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.storage import audit

PASSWORD = "correct horse"
ROLES = {"alice": Role.OFFICER, "bob": Role.OFFICER, "sam": Role.SENIOR_OFFICER,
         "sue": Role.SENIOR_OFFICER, "tina": Role.TRAINER}


@pytest.fixture
def desk(store):
    admin = users.add_user(store, username="admin", display_name="Admin",
                           role=Role.ADMINISTRATOR, password=PASSWORD, actor=None)
    people = {"admin": admin}
    for name, role in ROLES.items():
        people[name] = users.add_user(store, username=name, display_name=name.title(),
                                      role=role, password=PASSWORD, actor=admin)
    return CaseService(store), people


def drafted_case(service: CaseService, drafter, *, code: str) -> str:
    """A case on one item classified under ``code``, approved in draft by ``drafter``."""
    case = service.create(actor=drafter, applicant="Applicant", destination="FR",
                          received_on="2026-05-04", end_user_statement="EUS on file",
                          assurances=list(Assurance),
                          items=[Item(line=0, description="item", quantity=1)])
    ref = case.reference
    service.assess(ref, line=1, status=AssessmentStatus.CONTROLLED, entry_codes=[code],
                   rationale="as specified", actor=drafter)
    for factor in Factor:
        service.record_factor(ref, factor=factor, finding=Finding.NO_CONCERN, actor=drafter)
    service.draft_decision(ref, actor=drafter, password=PASSWORD, outcome=Outcome.APPROVE,
                           rationale="stated end use, partner", presumption_acknowledged=True)
    return ref


def refused(service: CaseService, ref: str, signer, rule: str, *, agree: bool = True) -> None:
    """Countersigning is refused naming ``rule``, and nothing is written."""
    connection = service.connection
    head_before = audit.head(connection)
    with pytest.raises(RulesNotMet) as caught:
        service.countersign(ref, actor=signer, password=PASSWORD, agree=agree,
                            comment="" if agree else "please revise")
    assert caught.value.exit_code == EXIT_RULE_REFUSED
    assert rule in {failure.rule for failure in caught.value.failures}, caught.value
    assert audit.head(connection) == head_before
    case = service.get(ref)
    assert case.status is CaseStatus.AWAITING_COUNTERSIGNATURE
    assert case.current_decision.countersignature is None


@pytest.mark.parametrize("drafter", ["alice", "sam"])
@pytest.mark.parametrize("agree", [True, False])
def test_the_drafter_never_countersigns(desk, drafter, agree):
    service, people = desk
    ref = drafted_case(service, people[drafter], code="3.A.1")
    refused(service, ref, people[drafter], "four eyes", agree=agree)


@pytest.mark.parametrize("signer", ["tina", "admin"])
def test_trainers_and_administrators_never_countersign(desk, signer):
    service, people = desk
    ref = drafted_case(service, people["alice"], code="3.A.1")
    refused(service, ref, people[signer], "countersigner role")
    refused(service, ref, people[signer], "countersigner role", agree=False)


@pytest.mark.parametrize("code", ["1.A.1", "2.A.1"])
def test_a_category_i_decision_needs_a_senior_countersigner(desk, code):
    service, people = desk
    ref = drafted_case(service, people["alice"], code=code)
    assert service.category(service.get(ref)).value == "I"
    refused(service, ref, people["bob"], "senior countersigner")
    refused(service, ref, people["bob"], "senior countersigner", agree=False)
    refused(service, ref, people["tina"], "countersigner role")
    # A senior officer who is not the drafter may.
    decided = service.countersign(ref, actor=people["sam"], password=PASSWORD, agree=True)
    assert decided.status is CaseStatus.DECIDED
    assert decided.current_decision.countersigned_by == "sam"
    assert audit.verify(service.connection).ok


def test_a_senior_drafter_of_category_i_needs_another_senior(desk):
    service, people = desk
    ref = drafted_case(service, people["sam"], code="1.A.1")
    refused(service, ref, people["sam"], "four eyes")
    refused(service, ref, people["alice"], "senior countersigner")
    decided = service.countersign(ref, actor=people["sue"], password=PASSWORD, agree=True)
    assert decided.status is CaseStatus.DECIDED


def test_a_second_officer_countersigns_category_ii_and_redrafts_change_the_drafter(desk):
    service, people = desk
    ref = drafted_case(service, people["alice"], code="3.A.1")
    returned = service.countersign(ref, actor=people["bob"], password=PASSWORD, agree=False,
                                   comment="cite the end-user statement")
    assert returned.status is CaseStatus.RETURNED
    # Bob now drafts the decision himself: he may no longer countersign it, Alice may.
    service.draft_decision(ref, actor=people["bob"], password=PASSWORD,
                           outcome=Outcome.APPROVE, rationale="EUS on file, partner")
    refused(service, ref, people["bob"], "four eyes")
    decided = service.countersign(ref, actor=people["alice"], password=PASSWORD, agree=True)
    assert decided.status is CaseStatus.DECIDED
    assert [d.drafted_by for d in decided.decisions] == ["alice", "bob"]
    assert decided.current_decision.countersigned_by == "alice"
    assert audit.verify(service.connection).ok


def test_trainers_and_administrators_never_draft(desk):
    service, people = desk
    ref = drafted_case(service, people["alice"], code="3.A.1")
    service.countersign(ref, actor=people["bob"], password=PASSWORD, agree=False,
                        comment="revise")
    for name in ("tina", "admin"):
        head_before = audit.head(service.connection)
        with pytest.raises(RulesNotMet) as caught:
            service.draft_decision(ref, actor=people[name], password=PASSWORD,
                                   outcome=Outcome.APPROVE, rationale="x")
        assert "drafter role" in {failure.rule for failure in caught.value.failures}
        assert audit.head(service.connection) == head_before
