"""Case review through the services: the whole flow, statuses, refusals, amendments."""

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
    Party,
    PartyRole,
)
from mtcr_desk.domain.errors import (
    InvalidInputError,
    NotFoundError,
    RulesNotMet,
    RuleViolation,
)
from mtcr_desk.services import users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.storage import audit
from tests.conftest import PASSWORDS


@pytest.fixture
def service(store):
    return CaseService(store)


def open_case(service, people, *, destination="FR", items=None, **extra):
    items = items or [Item(line=0, description="Rocket motor case", quantity=2, value=25000.0),
                      Item(line=0, description="Bench power supply", quantity=1)]
    return service.create(
        actor=people["olga"], applicant="Fictional Rocketry Ltd", destination=destination,
        end_use="Sounding rocket research", received_on="2026-11-02", items=items,
        parties=[Party(PartyRole.APPLICANT, "Fictional Rocketry Ltd", country="GB"),
                 Party(PartyRole.END_USER, "Institut Imaginaire", country=destination)],
        **extra)


def review(service, people, reference, *, codes=("3.A.3",), finding=Finding.NO_CONCERN):
    olga = people["olga"]
    service.assess(reference, line=1, status=AssessmentStatus.CONTROLLED, entry_codes=codes,
                   rationale="Motor case within the entry", actor=olga)
    service.assess(reference, line=2, status=AssessmentStatus.NOT_CONTROLLED,
                   rationale="General purpose equipment", actor=olga)
    for factor in Factor:
        service.record_factor(reference, factor=factor, finding=finding, actor=olga)
    return service.update_details(reference, actor=olga, end_user_statement="EUS-2026-77")


def test_references_are_assigned_in_order_per_year(service, people):
    first = open_case(service, people)
    second = open_case(service, people)
    assert (first.reference, second.reference) == ("MTCR-2026-0001", "MTCR-2026-0002")
    assert first.status is CaseStatus.DRAFT
    assert [item.line for item in first.items] == [1, 2]
    assert first.edition_id == "mtcr-2024-structure"


def test_a_whole_review_ends_decided_with_a_clean_audit(service, people, store):
    case = open_case(service, people)
    case = review(service, people, case.reference)
    assert case.status is CaseStatus.IN_REVIEW
    assert service.category(case).value == "II"
    case = service.draft_decision(case.reference, actor=people["olga"],
                                  password=PASSWORDS["olga"],
                                  outcome=Outcome.APPROVE_WITH_CONDITIONS,
                                  rationale="Partner destination, civil programme",
                                  conditions=["No re-export without consent"])
    assert case.status is CaseStatus.AWAITING_COUNTERSIGNATURE
    case = service.countersign(case.reference, actor=people["otto"],
                               password=PASSWORDS["otto"], agree=True)
    assert case.status is CaseStatus.DECIDED
    decision = case.current_decision
    assert decision.is_final and decision.countersigned_by == "otto"
    assert decision.audit_head and len(decision.audit_head) == 64
    result = audit.verify(store.connection)
    assert result.ok, result.problem


def test_drafting_lists_every_unmet_rule(service, people):
    case = open_case(service, people, destination="KP")
    with pytest.raises(RulesNotMet) as refused:
        service.draft_decision(case.reference, actor=people["olga"],
                               password=PASSWORDS["olga"], outcome=Outcome.APPROVE,
                               rationale="")
    rules = {failure.rule for failure in refused.value.failures}
    assert rules == {"every item assessed", "every factor found",
                     "destination flags acknowledged", "decision rationale"}
    assert service.get(case.reference).status is CaseStatus.DRAFT


def test_a_wrong_password_refuses_the_signature_and_is_audited(service, people, store):
    case = review(service, people, open_case(service, people).reference)
    before = audit.head(store.connection)[0]
    with pytest.raises(users.AuthenticationError, match="wrong password"):
        service.draft_decision(case.reference, actor=people["olga"], password="guess",
                               outcome=Outcome.APPROVE, rationale="ok")
    assert service.get(case.reference).status is CaseStatus.IN_REVIEW
    rows = store.connection.execute(
        "SELECT action, actor FROM audit_log WHERE seq > ?", [before]).fetchall()
    assert rows == [("sign-in failed", "olga")]


def test_five_wrong_passwords_lock_the_account(store, people):
    for _attempt in range(4):
        with pytest.raises(users.AuthenticationError, match="attempt"):
            users.authenticate(store, username="olga", password="nope")
    with pytest.raises(users.AuthenticationError, match="locked for 15 minutes"):
        users.authenticate(store, username="olga", password="nope")
    with pytest.raises(users.AuthenticationError, match="locked"):
        users.authenticate(store, username="olga", password=PASSWORDS["olga"])
    actions = [row[0] for row in store.connection.execute(
        "SELECT action FROM audit_log WHERE entity = 'users' ORDER BY seq")]
    assert actions.count("sign-in failed") == 4
    assert actions.count("account locked") == 1


def test_the_countersigner_returns_the_decision_to_its_drafter(service, people):
    case = review(service, people, open_case(service, people).reference)
    service.draft_decision(case.reference, actor=people["olga"], password=PASSWORDS["olga"],
                           outcome=Outcome.APPROVE, rationale="Civil programme")
    with pytest.raises(RulesNotMet, match="return comment"):
        service.countersign(case.reference, actor=people["sam"], password=PASSWORDS["sam"],
                            agree=False)
    case = service.countersign(case.reference, actor=people["sam"], password=PASSWORDS["sam"],
                               agree=False, comment="Check the motor-case dimensions")
    assert case.status is CaseStatus.RETURNED
    assert case.current_decision.return_comment == "Check the motor-case dimensions"
    # The drafter revises and drafts again.
    service.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                   entry_codes=["3.A.3"], rationale="Dimensions checked", actor=people["olga"])
    case = service.draft_decision(case.reference, actor=people["olga"],
                                  password=PASSWORDS["olga"], outcome=Outcome.APPROVE,
                                  rationale="Civil programme; dimensions checked")
    assert case.status is CaseStatus.AWAITING_COUNTERSIGNATURE
    assert len(case.decisions) == 2


def test_nothing_changes_while_a_decision_awaits_countersignature(service, people):
    case = review(service, people, open_case(service, people).reference)
    service.draft_decision(case.reference, actor=people["olga"], password=PASSWORDS["olga"],
                           outcome=Outcome.APPROVE, rationale="ok")
    with pytest.raises(RuleViolation, match="awaits countersignature"):
        service.record_factor(case.reference, factor=Factor.A, finding=Finding.CONCERN,
                              actor=people["olga"])


def test_category_i_needs_assurances_presumption_and_a_senior_countersigner(service, people):
    case = review(service, people, open_case(service, people).reference, codes=("2.A.1.c",))
    assert service.category(case).value == "I"
    with pytest.raises(RulesNotMet) as refused:
        service.draft_decision(case.reference, actor=people["olga"],
                               password=PASSWORDS["olga"], outcome=Outcome.APPROVE,
                               rationale="Civil space programme")
    assert {f.rule for f in refused.value.failures} == {"government assurances",
                                                        "presumption of denial"}
    service.update_details(case.reference, actor=people["olga"], assurances=list(Assurance))
    service.draft_decision(case.reference, actor=people["olga"], password=PASSWORDS["olga"],
                           outcome=Outcome.APPROVE, rationale="Civil space programme",
                           presumption_acknowledged=True)
    with pytest.raises(RulesNotMet, match="senior countersigner"):
        service.countersign(case.reference, actor=people["otto"], password=PASSWORDS["otto"],
                            agree=True)
    case = service.countersign(case.reference, actor=people["sam"], password=PASSWORDS["sam"],
                               agree=True)
    assert case.status is CaseStatus.DECIDED


def test_category_i_production_facilities_are_never_approved(service, people):
    case = review(service, people, open_case(service, people).reference, codes=("2.B.1",))
    service.update_details(case.reference, actor=people["olga"], assurances=list(Assurance))
    with pytest.raises(RulesNotMet, match="production facilities"):
        service.draft_decision(case.reference, actor=people["olga"],
                               password=PASSWORDS["olga"], outcome=Outcome.APPROVE,
                               rationale="x", presumption_acknowledged=True)


def test_a_decided_case_is_amended_not_changed(service, people, store):
    case = review(service, people, open_case(service, people).reference)
    service.draft_decision(case.reference, actor=people["olga"], password=PASSWORDS["olga"],
                           outcome=Outcome.APPROVE, rationale="ok")
    service.countersign(case.reference, actor=people["otto"], password=PASSWORDS["otto"],
                        agree=True)
    with pytest.raises(RuleViolation, match="final"):
        service.assess(case.reference, line=2, status=AssessmentStatus.CATCH_ALL,
                       rationale="second thoughts", actor=people["olga"])
    amended = service.amend(case.reference, actor=people["olga"], reason="Quantity raised to 4")
    assert amended.amends == case.reference
    assert amended.status is CaseStatus.IN_REVIEW and amended.version == 2
    assert [i.assessment.entry_codes for i in amended.items] == [("3.A.3",), ()]
    assert service.amended_by(case.reference) == [amended.reference]
    assert service.get(case.reference).status is CaseStatus.DECIDED
    assert audit.verify(store.connection).ok


def test_eu_pinned_cases_record_the_category_explicitly(service, people):
    case = open_case(service, people, edition_id="eu-2021-821-2025-11")
    with pytest.raises(RulesNotMet, match="MTCR category recorded"):
        service.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                       entry_codes=["9A107"], rationale="Solid rocket motor",
                       actor=people["olga"])
    case = service.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                          entry_codes=["9a107"], category="I", rationale="Solid rocket motor",
                          actor=people["olga"])
    assert case.item(1).assessment.entry_codes == ("9A107",)
    assert service.category(case).value == "I"


def test_codes_outside_the_pinned_edition_are_refused(service, people):
    case = open_case(service, people)
    with pytest.raises(RulesNotMet, match="9A107 is not an entry of edition mtcr-2024-structure"):
        service.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                       entry_codes=["9A107"], rationale="x", actor=people["olga"])
    with pytest.raises(RulesNotMet, match="is a section"):
        service.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                       entry_codes=["3.A"], rationale="x", actor=people["olga"])


def test_bad_case_input_names_the_field_and_writes_nothing(service, people, store):
    before = audit.head(store.connection)
    with pytest.raises(InvalidInputError, match=r"items\[1\]\.quantity: must be a positive"):
        open_case(service, people, items=[Item(line=0, description="ok", quantity=1),
                                          Item(line=0, description="bad", quantity=-3)])
    with pytest.raises(NotFoundError, match="No country 'ZZ'"):
        open_case(service, people, destination="ZZ")
    with pytest.raises(InvalidInputError, match="received"):
        service.create(actor=people["olga"], applicant="A", destination="FR",
                       received_on="31/12/2026")
    assert audit.head(store.connection) == before


def test_only_officers_work_on_cases_and_only_administrators_add_users(service, people, store):
    with pytest.raises(RuleViolation, match="officers work on cases"):
        service.create(actor=people["admin"], applicant="A", destination="FR")
    with pytest.raises(RuleViolation, match="only an administrator"):
        users.add_user(store, username="mallory", display_name="M", role=users.Role.OFFICER,
                       password="long-enough", actor=people["olga"])


def test_withdrawn_cases_are_final(service, people):
    case = open_case(service, people)
    case = service.withdraw(case.reference, actor=people["olga"], reason="Applicant withdrew")
    assert case.status is CaseStatus.WITHDRAWN
    with pytest.raises(RuleViolation, match="final"):
        service.add_item(case.reference, Item(line=0, description="x", quantity=1),
                         actor=people["olga"])
    # Notes stay possible on the timeline of a final case.
    assert service.add_note(case.reference, text="Archived", actor=people["olga"]).notes
