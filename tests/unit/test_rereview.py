"""Re-review after a new edition: the cases it touches, and re-pinning a case."""

from __future__ import annotations

import pytest

from mtcr_desk.domain.cases import AssessmentStatus, CaseStatus, Factor, Finding, Item, Outcome
from mtcr_desk.domain.errors import NotFoundError, RuleViolation
from mtcr_desk.domain.users import Role
from mtcr_desk.services import users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.rereview import (
    AffectedCase,
    affected_cases,
    edition_changes,
    repin_case,
)
from mtcr_desk.storage import audit
from tests.conftest import edition_document, edition_node, open_with_editions

node = edition_node


OLD = edition_document("test-old", [
    node("3", None, "item", title="Propulsion"),
    node("3.A", "3", "section", title="Equipment"),
    node("3.A.1", "3.A", text="Widget engines having a thrust above 100 units."),
    node("3.A.2", "3.A", text="Sprocket assemblies."),
    node("3.A.3", "3.A", text="Valves for cryogenic fluids."),
    node("3.A.4", "3.A", text="Gizmo housings."),
    node("3.A.4 Note", "3.A.4", "note", text="3.A.4 does not control plastic housings."),
    node("3.A.5", "3.A", text="Turbopumps."),
    node("3.A.6", "3.A", text="Injectors."),
])
NEW = edition_document("test-new", [
    node("3", None, "item", title="Propulsion"),
    # A new section heading changes no entry beneath it.
    node("3.A", "3", "section", title="Equipment, assemblies and components"),
    node("3.A.1", "3.A", text="Widget engines having a thrust above 90 units."),
    node("3.A.3", "3.A", text="Valves for cryogenic fluids."),
    node("3.A.4", "3.A", text="Gizmo housings."),
    node("3.A.4 Note", "3.A.4", "note", text="3.A.4 does not control any housings of plastic "
                                             "or wood."),
    node("3.A.5", "3.A", text="Turbopumps."),
    node("3.A.5.a", "3.A.5", text="for liquid propellants."),
    node("3.A.6", "3.A", text="Injectors."),
])

CONTROLLED = AssessmentStatus.CONTROLLED


@pytest.fixture
def desk(tmp_path):
    """Cases in every state pinned to test-old (and one to test-new)."""
    store = open_with_editions(tmp_path, OLD, NEW, include_shipped=False)
    admin = users.add_user(store, username="admin", display_name="Admin",
                           role=Role.ADMINISTRATOR, password="admin-password", actor=None)
    olga = users.add_user(store, username="olga", display_name="Olga", role=Role.OFFICER,
                          password="olga-password", actor=admin)
    sam = users.add_user(store, username="sam", display_name="Sam", role=Role.SENIOR_OFFICER,
                         password="sam-password", actor=admin)
    trainer = users.add_user(store, username="tom", display_name="Tom", role=Role.TRAINER,
                             password="tom-password", actor=admin)
    service = CaseService(store)

    def open_case(assessments, *, edition="test-old", actor=olga, training=False):
        """Open a case with one line per assessment: a list of codes, or a status."""
        case = service.create(
            actor=actor, applicant="Applicant Ltd", destination="FR", end_use="test",
            received_on="2026-03-01", edition_id=edition, training=training,
            items=[Item(line=0, description=f"thing {n}", quantity=1)
                   for n in range(1, len(assessments) + 1)])
        for line, assessment in enumerate(assessments, start=1):
            if isinstance(assessment, list):
                service.assess(case.reference, line=line, status=CONTROLLED,
                               entry_codes=assessment, rationale=f"listed in {assessment}",
                               actor=actor)
            elif assessment is not AssessmentStatus.UNASSESSED:
                service.assess(case.reference, line=line, status=assessment,
                               rationale="not on the list", actor=actor)
        return case.reference

    def draft(reference):
        for factor in Factor:
            service.record_factor(reference, factor=factor, finding=Finding.NO_CONCERN,
                                  actor=olga)
        service.draft_decision(reference, actor=olga, password="olga-password",
                               outcome=Outcome.RETURN_WITHOUT_ACTION, rationale="test")

    review = open_case([["3.A.1"], ["3.A.2"], ["3.A.3"], AssessmentStatus.NOT_CONTROLLED,
                        ["3.A.3", "3.A.4"], AssessmentStatus.UNASSESSED, ["3.A.5"],
                        ["3.A.3", "3.A.6"]])
    decided = open_case([["3.A.2"], ["3.A.6"]])
    draft(decided)
    service.countersign(decided, actor=sam, password="sam-password", agree=True)
    withdrawn = open_case([["3.A.1"]])
    service.withdraw(withdrawn, actor=olga, reason="applicant withdrew")
    untouched = open_case([["3.A.3"], ["3.A.6"], AssessmentStatus.CATCH_ALL])
    newer = open_case([["3.A.1"]], edition="test-new")
    awaiting = open_case([["3.A.1"]])
    draft(awaiting)
    training = open_case([["3.A.2"]], actor=trainer, training=True)
    yield {"store": store, "service": service, "olga": olga, "admin": admin,
           "review": review, "decided": decided, "withdrawn": withdrawn,
           "untouched": untouched, "newer": newer, "awaiting": awaiting,
           "training": training}
    store.close()


def test_changed_means_the_entry_or_anything_beneath_it(desk):
    codes = edition_changes(desk["store"], "test-old", "test-new").codes
    assert {code: change for code, change in codes.items() if code.startswith("3.A.")} == {
        "3.A.1": "changed", "3.A.2": "removed", "3.A.4": "changed",
        "3.A.4 Note": "changed", "3.A.5": "changed"}


def test_affected_cases_list_exactly_the_changed_lines(desk):
    found = affected_cases(desk["store"], "test-old", "test-new")
    assert found == [
        AffectedCase(desk["review"], CaseStatus.IN_REVIEW, (
            (1, "3.A.1", "changed"), (2, "3.A.2", "removed"), (5, "3.A.4", "changed"),
            (7, "3.A.5", "changed"))),
        AffectedCase(desk["decided"], CaseStatus.DECIDED, ((1, "3.A.2", "removed"),)),
        AffectedCase(desk["withdrawn"], CaseStatus.WITHDRAWN, ((1, "3.A.1", "changed"),)),
        AffectedCase(desk["awaiting"], CaseStatus.AWAITING_COUNTERSIGNATURE,
                     ((1, "3.A.1", "changed"),)),
        AffectedCase(desk["training"], CaseStatus.IN_REVIEW, ((1, "3.A.2", "removed"),),
                     training=True),
    ]
    assert [case.is_final for case in found] == [False, True, True, False, False]


def test_no_cases_affected_by_the_same_edition_or_the_other_way(desk):
    assert affected_cases(desk["store"], "test-old", "test-old") == []
    # Only one case pins test-new, and it uses 3.A.1, which test-old words differently.
    assert affected_cases(desk["store"], "test-new", "test-old") == [
        AffectedCase(desk["newer"], CaseStatus.IN_REVIEW, ((1, "3.A.1", "changed"),))]


def test_unknown_edition(desk):
    with pytest.raises(NotFoundError, match="No edition 'test-nope'"):
        affected_cases(desk["store"], "test-old", "test-nope")


def entry_rows(store, reference):
    return store.connection.execute(
        "SELECT i.line, e.position, e.edition_id, e.code FROM assessment_entries AS e "
        "JOIN items AS i ON i.id = e.item_id JOIN cases AS c ON c.id = i.case_id "
        "WHERE c.reference = ? ORDER BY i.line, e.position", [reference]).fetchall()


def test_repin_reopens_exactly_the_affected_assessments(desk):
    store, service = desk["store"], desk["service"]
    before = service.get(desk["review"])
    case = repin_case(store, desk["review"], new_edition="test-new", actor=desk["olga"])
    assert case.edition_id == "test-new"
    assert case.status is CaseStatus.IN_REVIEW
    statuses = {item.line: (item.assessment.status, item.assessment.entry_codes)
                for item in case.items}
    unassessed = (AssessmentStatus.UNASSESSED, ())
    assert statuses == {
        1: unassessed, 2: unassessed, 3: (CONTROLLED, ("3.A.3",)),
        4: (AssessmentStatus.NOT_CONTROLLED, ()), 5: unassessed, 6: unassessed,
        7: unassessed, 8: (CONTROLLED, ("3.A.3", "3.A.6"))}
    reopened = case.item(1).assessment
    assert (reopened.rationale, reopened.assessed_by, reopened.assessed_at) == ("", None, None)
    # Kept assessments are untouched apart from the edition their entries point at.
    for line in (3, 4, 8):
        assert case.item(line).assessment == before.item(line).assessment
    assert entry_rows(store, desk["review"]) == [
        (3, 0, "test-new", "3.A.3"), (8, 0, "test-new", "3.A.3"), (8, 1, "test-new", "3.A.6")]
    assert audit.verify(store.connection).ok


def test_repin_is_audited_and_noted(desk):
    store = desk["store"]
    case = repin_case(store, desk["review"], new_edition="test-new", actor=desk["olga"])
    rows = store.connection.execute(
        "SELECT entity, before, after FROM audit_log WHERE action = 're-pin edition' "
        "ORDER BY seq").fetchall()
    entities = [entity for entity, _, _ in rows]
    assert entities.count("cases") == 1
    assert entities.count("assessments") == 4  # lines 1, 2, 5, 7
    # Removed: lines 1, 2, 7 (one entry each), line 5 (two); re-pinned: line 3, line 8 (two).
    assert entities.count("assessment_entries") == 5 + 3
    case_before, case_after = next((b, a) for e, b, a in rows if e == "cases")
    assert '"edition_id":"test-old"' in case_before and '"edition_id":"test-new"' in case_after
    note = case.notes[-1]
    assert note.author == "olga"
    assert note.text == (
        "Re-pinned from edition test-old to test-new. Re-opened line 1 (3.A.1 changed); "
        "line 2 (3.A.2 removed); line 5 (3.A.4 changed); line 7 (3.A.5 changed): assess "
        "again against test-new. Kept lines 3, 8: entries unchanged, now pinned to test-new. "
        "Line 4 (not controlled or catch-all) kept; 1 entry is new in test-new: check it.")
    assert audit.verify(store.connection).ok


def test_after_repin_the_case_is_assessed_against_the_new_edition(desk):
    store, service, olga = desk["store"], desk["service"], desk["olga"]
    repin_case(store, desk["review"], new_edition="test-new", actor=olga)
    case = service.assess(desk["review"], line=7, status=CONTROLLED, entry_codes=["3.A.5.a"],
                          rationale="liquid propellant turbopump", actor=olga)
    assert case.item(7).assessment.entry_codes == ("3.A.5.a",)
    with pytest.raises(RuleViolation, match="3.A.2 is not an entry of edition test-new"):
        service.assess(desk["review"], line=2, status=CONTROLLED, entry_codes=["3.A.2"],
                       rationale="sprockets", actor=olga)
    assert desk["review"] not in [c.reference for c in
                                  affected_cases(store, "test-old", "test-new")]
    assert audit.verify(store.connection).ok


def test_repin_with_nothing_affected_keeps_every_assessment(desk):
    store = desk["store"]
    case = repin_case(store, desk["untouched"], new_edition="test-new", actor=desk["olga"])
    assert [item.assessment.status for item in case.items] == [
        CONTROLLED, CONTROLLED, AssessmentStatus.CATCH_ALL]
    assert entry_rows(store, desk["untouched"]) == [
        (1, 0, "test-new", "3.A.3"), (2, 0, "test-new", "3.A.6")]
    assert "No assessment used an entry that changed" in case.notes[-1].text
    assert audit.verify(store.connection).ok


def test_repin_back_to_the_older_edition(desk):
    case = repin_case(desk["store"], desk["newer"], new_edition="test-old", actor=desk["olga"])
    assert case.edition_id == "test-old"
    assert case.item(1).assessment.status is AssessmentStatus.UNASSESSED
    assert audit.verify(desk["store"].connection).ok


@pytest.mark.parametrize("which, edition, message", [
    ("decided", "test-new", "decided and final; amend it first"),
    ("withdrawn", "test-new", "withdrawn and final"),
    ("awaiting", "test-new", "awaits countersignature"),
    ("review", "test-old", "already pins edition test-old"),
])
def test_repin_refusals_write_nothing(desk, which, edition, message):
    store = desk["store"]
    head = audit.head(store.connection)
    before = desk["service"].get(desk[which])
    with pytest.raises(RuleViolation, match=message):
        repin_case(store, desk[which], new_edition=edition, actor=desk["olga"])
    assert audit.head(store.connection) == head
    assert desk["service"].get(desk[which]) == before


def test_repin_needs_an_officer_and_a_loaded_edition(desk):
    store = desk["store"]
    with pytest.raises(RuleViolation, match="officers work on cases"):
        repin_case(store, desk["review"], new_edition="test-new", actor=desk["admin"])
    with pytest.raises(NotFoundError, match="No edition 'test-nope'"):
        repin_case(store, desk["review"], new_edition="test-nope", actor=desk["olga"])
    with pytest.raises(NotFoundError):
        repin_case(store, "MTCR-2026-9999", new_edition="test-new", actor=desk["olga"])
    assert desk["service"].get(desk["review"]).edition_id == "test-old"


def test_an_amendment_of_a_decided_case_can_be_repinned(desk):
    store, service, olga = desk["store"], desk["service"], desk["olga"]
    amendment = service.amend(desk["decided"], actor=olga, reason="new edition")
    case = repin_case(store, amendment.reference, new_edition="test-new", actor=olga)
    assert [(i.line, i.assessment.status) for i in case.items] == [
        (1, AssessmentStatus.UNASSESSED), (2, CONTROLLED)]
    assert service.get(desk["decided"]).edition_id == "test-old"
    assert audit.verify(store.connection).ok
