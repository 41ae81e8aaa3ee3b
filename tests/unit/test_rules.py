"""The MTCR rules as pure functions: categories, assessments, drafting and countersigning.

Every check starts from a valid baseline (a case and decision that pass with no
failures), changes one thing, and asserts exactly which rules fail and that
each message says what would satisfy the rule.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    Outcome,
)
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.rules import (
    DestinationFlags,
    RuleFailure,
    case_category,
    check_assessment,
    check_countersign,
    check_draft,
    is_category_i_production_facility,
    item_category,
)
from mtcr_desk.domain.users import Role, User

EDITION = "mtcr-2024-structure"
EU_EDITION = "eu-2021-821-2025-11"

#: A fragment each rule's message must contain: what would satisfy the rule.
HINTS = {
    # assessments
    "assessment status": "controlled, not controlled or catch-all concern",
    "controlled needs entries": "at least one entry",
    "entry of the pinned edition": "use a code of that edition",
    "classify against entries": "choose the entry",
    "MTCR category recorded": "record category I or II",
    "no entries unless controlled": "remove them",
    "category only when controlled": "only a controlled item",
    "assessment rationale": "record why",
    # drafting
    "case open for drafting": "in review",
    "drafter role": "officer or senior officer drafts",
    "items": "add the items",
    "every item assessed": "controlled (with entries), not controlled, or catch-all concern",
    "every factor found": "record a finding",
    "destination flags acknowledged": "acknowledge the destination flags",
    "decision rationale": "write the rationale",
    "conditions": "at least one condition",
    "conditions only with conditional approval": "remove them",
    "denial grounds": "at least one factor found to be a concern",
    "end-user statement": "record the end-user statement",
    "government assurances": "assurances",
    "presumption of denial": "acknowledge it",
    "no Category I production facilities": "cannot be an approval",
    # countersigning
    "decision awaiting countersignature": "only a drafted decision is countersigned",
    "four eyes": "second officer countersigns",
    "countersigner role": "officer or senior officer countersigns",
    "senior countersigner": "senior officer",
    "return comment": "say why",
}


def rules_of(failures: list[RuleFailure]) -> set[str]:
    """The rule names of ``failures``, after checking each message says how to satisfy it."""
    for failure in failures:
        assert isinstance(failure, RuleFailure)
        assert failure.rule in HINTS, f"unexpected rule {failure.rule!r}"
        assert HINTS[failure.rule] in failure.message, failure
        assert str(failure) == f"{failure.rule}: {failure.message}"
    names = [failure.rule for failure in failures]
    assert len(names) == len(set(names)), f"a rule is reported twice: {names}"
    return set(names)


def message_of(failures: list[RuleFailure], rule: str) -> str:
    """The message of the one failure of ``rule``."""
    (message,) = [failure.message for failure in failures if failure.rule == rule]
    return message


# --- factories -------------------------------------------------------------------------

OFFICER = User("alice", "Alice Officer", Role.OFFICER)
SECOND_OFFICER = User("bob", "Bob Officer", Role.OFFICER)
SENIOR = User("carol", "Carol Senior", Role.SENIOR_OFFICER)
TRAINER = User("tom", "Tom Trainer", Role.TRAINER)
ADMIN = User("ada", "Ada Admin", Role.ADMINISTRATOR)

PARTNER = DestinationFlags("NO", "Norway", "partner")
ADHERENT = DestinationFlags("IL", "Israel", "adherent")
UN_MEASURES = DestinationFlags("KP", "DPRK", "partner", ("1718", "2321"))
NON_PARTNER = DestinationFlags("XX", "Nowhere", None)
UN_AND_NON_PARTNER = DestinationFlags("KP", "DPRK", None, ("2321",))

#: Entry codes of the pinned MTCR edition with their kind and category.
KNOWN_CODES = {
    "1": "item", "1.A": "section", "1.A.1": "entry", "1.B.1": "entry",
    "2.B.1": "entry", "3.A.1": "entry", "3.A.2": "entry", "9.A.6": "entry",
    "3.A.1 Note": "note", "3.A.1 Technical Note": "technical note",
}
ENTRY_CATEGORIES = {
    "1.A.1": Category.I, "1.B.1": Category.I, "2.B.1": Category.I,
    "3.A.1": Category.II, "3.A.2": Category.II, "9.A.6": Category.II,
}

#: A controlled item's entry code for each case category.
CODE_FOR_CATEGORY = {Category.I: "1.A.1", Category.II: "3.A.1"}


def assessment(status: AssessmentStatus = AssessmentStatus.CONTROLLED, **changes) -> Assessment:
    """A valid assessment of ``status`` (Category II entry when controlled)."""
    entries = ("3.A.1",) if status is AssessmentStatus.CONTROLLED else ()
    base = Assessment(status=status, entry_codes=entries,
                      rationale="matches the entry's parameters" if status
                      is not AssessmentStatus.UNASSESSED else "")
    return replace(base, **changes)


def item(line: int = 1, **changes) -> Item:
    """An item, controlled under a Category II entry unless ``assessment`` is given."""
    changes.setdefault("assessment", assessment())
    return Item(line=line, description=f"line {line} part", quantity=2, **changes)


def all_factors(finding: Finding = Finding.NO_CONCERN) -> tuple[FactorFinding, ...]:
    return tuple(FactorFinding(factor, finding, note="considered") for factor in Factor)


def make_case(**changes) -> Case:
    """A case ready for a decision: assessed items, all factors, statement, assurances."""
    base = Case(
        reference="MTCR-2026-0001",
        status=CaseStatus.IN_REVIEW,
        applicant="Acme Avionics",
        destination="NO",
        end_use="satellite launch vehicle research",
        received_on="2026-01-05",
        due_on="2026-02-05",
        officer="alice",
        edition_id=EDITION,
        assurances=frozenset(Assurance),
        end_user_statement="EUS-2026-017 on file",
        items=(item(),),
        factors=all_factors(),
    )
    return replace(base, **changes)


def make_decision(outcome: Outcome = Outcome.APPROVE, **changes) -> Decision:
    """A decision valid for ``outcome`` (conditions only with conditional approval)."""
    base = Decision(
        outcome=outcome,
        rationale="Weighed all six factors; see notes.",
        conditions=("no re-export",) if outcome is Outcome.APPROVE_WITH_CONDITIONS else (),
        presumption_acknowledged=True,
        drafted_by="alice",
    )
    return replace(base, **changes)


def case_for(outcome: Outcome, **changes) -> Case:
    """The baseline case, with a factor of concern when ``outcome`` is a denial."""
    if outcome is Outcome.DENY:
        factors = (FactorFinding(Factor.A, Finding.CONCERN),) + all_factors()[1:]
        changes.setdefault("factors", factors)
    return make_case(**changes)


def draft(case: Case | None = None, decision: Decision | None = None, *,
          category: Category | None = Category.II,
          destination: DestinationFlags = PARTNER,
          drafter: User = OFFICER) -> list[RuleFailure]:
    return check_draft(case or make_case(), decision or make_decision(),
                       category=category, destination=destination, drafter=drafter)


def awaiting(**changes) -> Case:
    return make_case(status=CaseStatus.AWAITING_COUNTERSIGNATURE, **changes)


def countersign(case: Case | None = None, decision: Decision | None = None, *,
                category: Category | None = Category.II, countersigner: User = SECOND_OFFICER,
                agree: bool = True, comment: str = "") -> list[RuleFailure]:
    return check_countersign(case or awaiting(), decision or make_decision(),
                             category=category, countersigner=countersigner,
                             agree=agree, comment=comment)


def assess(a: Assessment, *, has_categories: bool = True,
           known_codes: dict[str, str] | None = None) -> list[RuleFailure]:
    return check_assessment(
        a, known_codes=KNOWN_CODES if known_codes is None else known_codes,
        edition_id=EU_EDITION if not has_categories else EDITION,
        edition_has_categories=has_categories)


# --- baselines -------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("category", [None, Category.II, Category.I])
def test_baseline_drafts_without_failures(outcome, category):
    assert draft(case_for(outcome), make_decision(outcome), category=category) == []


def test_baseline_assessment_and_countersignature_pass():
    assert assess(assessment()) == []
    assert countersign() == []


# --- item and case categories ----------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (("3.A.1",), Category.II),
        (("3.A.1", "9.A.6"), Category.II),
        (("1.A.1",), Category.I),
        (("3.A.1", "1.A.1"), Category.I),
        (("1.A.1", "3.A.1"), Category.I),
        (("1.B.1", "9.A.6"), Category.I),
        ((), None),
        (("3.A.1", "no.such.code"), Category.II),
        (("no.such.code",), None),
    ],
)
def test_item_category_follows_its_entries(codes, expected):
    a = assessment(entry_codes=codes)
    assert item_category(a, ENTRY_CATEGORIES, edition_has_categories=True) is expected


def test_item_category_ignores_a_recorded_category_when_the_edition_carries_them():
    a = assessment(entry_codes=("3.A.1",), category="I")
    assert item_category(a, ENTRY_CATEGORIES, edition_has_categories=True) is Category.II


@pytest.mark.parametrize(
    "status", [AssessmentStatus.UNASSESSED, AssessmentStatus.NOT_CONTROLLED,
               AssessmentStatus.CATCH_ALL])
@pytest.mark.parametrize("has_categories", [True, False])
def test_only_a_controlled_item_has_a_category(status, has_categories):
    a = Assessment(status=status, entry_codes=("1.A.1",), category="I")
    assert item_category(a, ENTRY_CATEGORIES, edition_has_categories=has_categories) is None


@pytest.mark.parametrize(("recorded", "expected"),
                         [("I", Category.I), ("II", Category.II), (None, None), ("", None)])
def test_eu_edition_item_category_is_the_recorded_one(recorded, expected):
    # EU entries carry no MTCR category: the entry map is not consulted.
    a = assessment(entry_codes=("9A101",), category=recorded)
    both = {"9A101": Category.II if expected is Category.I else Category.I}
    assert item_category(a, both, edition_has_categories=False) is expected


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        ([], None),
        ([None], None),
        ([None, None], None),
        ([Category.II], Category.II),
        ([None, Category.II], Category.II),
        ([Category.I], Category.I),
        ([Category.II, Category.I, None], Category.I),
        ([Category.I, Category.II], Category.I),
    ],
)
def test_case_category_is_the_highest_item_category(categories, expected):
    assert case_category(categories) is expected
    assert case_category(iter(categories)) is expected  # any iterable, read once


categories_st = st.lists(st.sampled_from([None, Category.I, Category.II]), max_size=12)


@given(categories_st)
def test_case_category_properties(categories):
    result = case_category(categories)
    assert (result is Category.I) == (Category.I in categories)
    assert (result is Category.II) == (Category.II in categories and Category.I not in categories)
    assert (result is None) == all(c is None for c in categories)
    assert case_category(reversed(categories)) is result


@given(st.lists(st.lists(st.sampled_from(sorted(ENTRY_CATEGORIES)), min_size=1, max_size=4),
                min_size=1, max_size=6))
def test_a_case_is_category_i_iff_some_item_has_a_category_i_entry(items_codes):
    item_categories = [
        item_category(assessment(entry_codes=tuple(codes)), ENTRY_CATEGORIES,
                      edition_has_categories=True)
        for codes in items_codes]
    some_i_entry = any(ENTRY_CATEGORIES[c] is Category.I for codes in items_codes for c in codes)
    assert (case_category(item_categories) is Category.I) == some_i_entry
    # every controlled item with known entries has a category
    assert None not in item_categories
    if not some_i_entry:
        assert case_category(item_categories) is Category.II


# --- production facilities -------------------------------------------------------------


@pytest.mark.parametrize("code", ["1.B", "1.B.1", "1.B.1.a", "2.B", "2.B.1", "2.B.10.b.2"])
def test_sections_1b_and_2b_are_category_i_production_facilities(code):
    assert is_category_i_production_facility(code)


@pytest.mark.parametrize(
    "code",
    ["1", "1.A.1", "2.A.1.c", "1.C.1", "2.D.1", "2.E.1", "3.B.1", "9.B.1", "11.B.1", "12.B.1",
     "21.B.1", "1.BX", "1B001", "2B001", "9B116", ""],
)
def test_other_codes_are_not_category_i_production_facilities(code):
    assert not is_category_i_production_facility(code)


@given(item_no=st.integers(1, 20), section=st.sampled_from("ABCDE"),
       rest=st.lists(st.integers(1, 20), max_size=3))
def test_production_facility_iff_item_1_or_2_section_b(item_no, section, rest):
    code = ".".join([str(item_no), section, *map(str, rest)])
    assert is_category_i_production_facility(code) == (item_no in (1, 2) and section == "B")


# --- assessments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "changes", "expected"),
    [
        # unassessed: nothing recorded is fine apart from the status itself
        (AssessmentStatus.UNASSESSED, {}, {"assessment status"}),
        (AssessmentStatus.UNASSESSED, {"rationale": "pending"}, {"assessment status"}),
        (AssessmentStatus.UNASSESSED, {"entry_codes": ("3.A.1",)},
         {"assessment status", "no entries unless controlled"}),
        (AssessmentStatus.UNASSESSED, {"category": "II"},
         {"assessment status", "category only when controlled"}),
        # controlled
        (AssessmentStatus.CONTROLLED, {}, set()),
        (AssessmentStatus.CONTROLLED, {"entry_codes": ("3.A.1", "1.A.1")}, set()),
        (AssessmentStatus.CONTROLLED, {"entry_codes": ()}, {"controlled needs entries"}),
        (AssessmentStatus.CONTROLLED, {"rationale": ""}, {"assessment rationale"}),
        (AssessmentStatus.CONTROLLED, {"rationale": " \n\t"}, {"assessment rationale"}),
        (AssessmentStatus.CONTROLLED, {"category": "II"}, set()),
        (AssessmentStatus.CONTROLLED, {"entry_codes": (), "rationale": ""},
         {"controlled needs entries", "assessment rationale"}),
        # not controlled and catch-all: no entries, no category, a rationale
        *[(status, changes, expected)
          for status in (AssessmentStatus.NOT_CONTROLLED, AssessmentStatus.CATCH_ALL)
          for changes, expected in [
              ({}, set()),
              ({"rationale": ""}, {"assessment rationale"}),
              ({"entry_codes": ("3.A.1",)}, {"no entries unless controlled"}),
              ({"category": "I"}, {"category only when controlled"}),
              ({"entry_codes": ("1.A.1",), "category": "I", "rationale": " "},
               {"no entries unless controlled", "category only when controlled",
                "assessment rationale"}),
          ]],
    ],
)
def test_assessment_rules(status, changes, expected):
    assert rules_of(assess(assessment(status, **changes))) == expected


def test_no_entries_message_names_the_status():
    failures = assess(assessment(AssessmentStatus.CATCH_ALL, entry_codes=("3.A.1",)))
    assert "catch-all concern" in message_of(failures, "no entries unless controlled")


def test_controlled_needs_entries_names_the_edition():
    failures = assess(assessment(entry_codes=()))
    assert EDITION in message_of(failures, "controlled needs entries")


@pytest.mark.parametrize("code", ["3.A.99", "3A1", "9A101", "3.a.1"])
def test_a_code_outside_the_pinned_edition_is_refused(code):
    failures = assess(assessment(entry_codes=("3.A.1", code)))
    assert rules_of(failures) == {"entry of the pinned edition"}
    message = message_of(failures, "entry of the pinned edition")
    assert code in message and EDITION in message and "re-pin" in message


def test_each_unknown_code_is_reported():
    failures = assess(assessment(entry_codes=("3.A.98", "3.A.99")))
    assert [f.rule for f in failures] == ["entry of the pinned edition"] * 2
    assert {"3.A.98", "3.A.99"} == {f.message.split()[0] for f in failures}


@pytest.mark.parametrize(("code", "kind"), [
    ("1", "item"), ("1.A", "section"), ("3.A.1 Note", "note"),
    ("3.A.1 Technical Note", "technical note")])
def test_only_entries_classify_an_item(code, kind):
    failures = assess(assessment(entry_codes=(code,)))
    assert rules_of(failures) == {"classify against entries"}
    message = message_of(failures, "classify against entries")
    assert code in message and f"is a {kind}" in message


def test_unknown_and_non_entry_codes_are_reported_together():
    failures = assess(assessment(entry_codes=("1.A", "3.A.99", "3.A.1")))
    assert rules_of(failures) == {"classify against entries", "entry of the pinned edition"}


def test_with_no_known_codes_every_code_is_unknown():
    failures = assess(assessment(entry_codes=("3.A.1",)), known_codes={})
    assert rules_of(failures) == {"entry of the pinned edition"}


@pytest.mark.parametrize(("category", "expected"), [
    ("I", set()), ("II", set()),
    (None, {"MTCR category recorded"}), ("", {"MTCR category recorded"}),
    ("III", {"MTCR category recorded"}), ("i", {"MTCR category recorded"}),
])
def test_eu_edition_needs_an_explicit_category(category, expected):
    a = assessment(entry_codes=("9A101",), category=category)
    failures = assess(a, has_categories=False, known_codes={"9A101": "entry"})
    assert rules_of(failures) == expected
    if expected:
        assert EU_EDITION in message_of(failures, "MTCR category recorded")


@pytest.mark.parametrize("category", [None, "I", "II"])
def test_an_mtcr_edition_derives_the_category(category):
    assert assess(assessment(category=category)) == []


@pytest.mark.parametrize(
    "status", [AssessmentStatus.NOT_CONTROLLED, AssessmentStatus.CATCH_ALL])
def test_eu_edition_needs_no_category_when_not_controlled(status):
    assert assess(assessment(status), has_categories=False, known_codes={}) == []


# --- drafting: outcomes x categories x production facilities ---------------------------


def items_for(category: Category | None, facility: bool) -> tuple[Item, ...]:
    """Items consistent with ``category``; a Category I production facility if asked."""
    if category is None:
        main = item(1, assessment=assessment(AssessmentStatus.CATCH_ALL))
    else:
        main = item(1, assessment=assessment(entry_codes=(CODE_FOR_CATEGORY[category],)))
    if not facility:
        return (main,)
    return (main, item(2, assessment=assessment(entry_codes=("2.B.1",))))


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("category", [None, Category.II, Category.I])
@pytest.mark.parametrize("facility", [False, True])
def test_outcome_category_and_production_facility(outcome, category, facility):
    case = case_for(outcome, items=items_for(category, facility))
    failures = draft(case, make_decision(outcome), category=category)
    blocked = facility and outcome.is_approval
    assert rules_of(failures) == ({"no Category I production facilities"} if blocked else set())
    if blocked:
        message = message_of(failures, "no Category I production facilities")
        assert "2.B.1" in message and "not authorised" in message


@pytest.mark.parametrize("outcome", [Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS])
def test_every_production_facility_code_is_named_once(outcome):
    items = (item(1, assessment=assessment(entry_codes=("2.B.1", "1.B.1", "3.A.1"))),
             item(2, assessment=assessment(entry_codes=("1.B.1",))))
    failures = draft(make_case(items=items), make_decision(outcome), category=Category.I)
    message = message_of(failures, "no Category I production facilities")
    assert "(1.B.1, 2.B.1)" in message


@pytest.mark.parametrize("code", ["1B001", "2B001", "9B116"])
def test_eu_b_codes_are_not_mtcr_production_facilities(code):
    items = (item(1, assessment=assessment(entry_codes=(code,), category="II")),)
    assert draft(make_case(items=items, edition_id=EU_EDITION)) == []


# --- drafting: Category I approvals ----------------------------------------------------

APPROVALS = [Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS]
NOT_APPROVALS = [Outcome.DENY, Outcome.RETURN_WITHOUT_ACTION, Outcome.NO_LICENCE_REQUIRED]


@pytest.mark.parametrize("outcome", APPROVALS)
@pytest.mark.parametrize("missing", list(Assurance))
def test_category_i_approval_needs_each_assurance(outcome, missing):
    case = make_case(assurances=frozenset(Assurance) - {missing})
    failures = draft(case, make_decision(outcome), category=Category.I)
    assert rules_of(failures) == {"government assurances"}
    message = message_of(failures, "government assurances")
    assert missing.value in message
    assert all(other.value not in message for other in Assurance if other is not missing)


@pytest.mark.parametrize("outcome", APPROVALS)
def test_category_i_approval_with_no_assurances_names_all_three(outcome):
    failures = draft(make_case(assurances=frozenset()), make_decision(outcome),
                     category=Category.I)
    assert rules_of(failures) == {"government assurances"}
    assert all(a.value in message_of(failures, "government assurances") for a in Assurance)


@pytest.mark.parametrize("outcome", APPROVALS)
def test_category_i_approval_needs_the_presumption_acknowledged(outcome):
    failures = draft(decision=make_decision(outcome, presumption_acknowledged=False),
                     category=Category.I)
    assert rules_of(failures) == {"presumption of denial"}
    assert "strong presumption of denial" in message_of(failures, "presumption of denial")


@pytest.mark.parametrize("outcome", APPROVALS)
@pytest.mark.parametrize("category", [None, Category.II])
def test_below_category_i_no_assurances_or_presumption_needed(outcome, category):
    case = make_case(assurances=frozenset())
    decision = make_decision(outcome, presumption_acknowledged=False)
    assert draft(case, decision, category=category) == []


@pytest.mark.parametrize("outcome", NOT_APPROVALS)
def test_category_i_non_approvals_need_no_assurances_or_presumption(outcome):
    case = case_for(outcome, assurances=frozenset(), end_user_statement="")
    decision = make_decision(outcome, presumption_acknowledged=False)
    assert draft(case, decision, category=Category.I) == []


# --- drafting: end-user statement ------------------------------------------------------

STATUS_NEEDS_STATEMENT = [
    (AssessmentStatus.CONTROLLED, True),
    (AssessmentStatus.CATCH_ALL, True),
    (AssessmentStatus.NOT_CONTROLLED, False),
]


@pytest.mark.parametrize("outcome", APPROVALS)
@pytest.mark.parametrize(("status", "needed"), STATUS_NEEDS_STATEMENT)
@pytest.mark.parametrize("statement", ["", "   "])
def test_approval_needs_an_end_user_statement_for_controlled_or_catch_all(
        outcome, status, needed, statement):
    case = make_case(items=(item(assessment=assessment(status)),),
                     end_user_statement=statement)
    failures = draft(case, make_decision(outcome), category=None)
    assert rules_of(failures) == ({"end-user statement"} if needed else set())


def test_end_user_statement_message_names_the_lines_that_need_it():
    items = (item(1, assessment=assessment(AssessmentStatus.NOT_CONTROLLED)),
             item(2, assessment=assessment(AssessmentStatus.CATCH_ALL)),
             item(3))
    failures = draft(make_case(items=items, end_user_statement=""))
    assert "line(s) 2, 3" in message_of(failures, "end-user statement")


@pytest.mark.parametrize("outcome", NOT_APPROVALS)
def test_only_approvals_need_an_end_user_statement(outcome):
    assert draft(case_for(outcome, end_user_statement=""), make_decision(outcome)) == []


# --- drafting: items, factors, rationale -----------------------------------------------


def test_a_case_without_items_cannot_be_drafted():
    assert rules_of(draft(make_case(items=()))) == {"items"}


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_item_must_be_assessed(outcome):
    items = (item(1), item(2, assessment=Assessment()), item(3),
             item(4, assessment=Assessment()))
    failures = draft(case_for(outcome, items=items), make_decision(outcome))
    assert rules_of(failures) == {"every item assessed"}
    assert "line(s) 2, 4" in message_of(failures, "every item assessed")


@pytest.mark.parametrize("status", [AssessmentStatus.CONTROLLED, AssessmentStatus.NOT_CONTROLLED,
                                    AssessmentStatus.CATCH_ALL])
def test_each_assessed_status_counts_as_assessed(status):
    assert draft(make_case(items=(item(assessment=assessment(status)),))) == []


def test_a_controlled_item_without_entries_is_not_assessed():
    items = (item(1), item(2, assessment=assessment(entry_codes=())))
    failures = draft(make_case(items=items))
    assert failures
    assert any("2" in f.message and "entr" in f.message for f in failures)


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("missing", list(Factor))
def test_every_factor_needs_a_finding(outcome, missing):
    case = case_for(outcome)
    case = replace(case, factors=tuple(f for f in case.factors if f.factor is not missing))
    if outcome is Outcome.DENY and missing is Factor.A:
        # keep a concern on the case so that only the missing factor fails
        case = replace(case, factors=case.factors + (
            replace(case.factors[0], finding=Finding.SERIOUS_CONCERN),))
    failures = draft(case, make_decision(outcome))
    assert rules_of(failures) == {"every factor found"}
    assert message_of(failures, "every factor found").endswith(f"factor(s) {missing.value}")


@given(st.sets(st.sampled_from(list(Factor))))
def test_the_missing_factors_are_listed_in_order(missing):
    case = make_case(factors=tuple(f for f in all_factors() if f.factor not in missing))
    failures = draft(case)
    if not missing:
        assert failures == []
        return
    assert rules_of(failures) == {"every factor found"}
    listed = message_of(failures, "every factor found").rsplit("factor(s) ", 1)[1]
    assert listed == ", ".join(f.value for f in Factor if f in missing)


@pytest.mark.parametrize("finding", list(Finding))
def test_any_finding_counts_for_a_factor(finding):
    assert draft(make_case(factors=all_factors(finding))) == []


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("rationale", ["", "  \n"])
def test_every_decision_needs_a_rationale(outcome, rationale):
    failures = draft(case_for(outcome), make_decision(outcome, rationale=rationale))
    assert rules_of(failures) == {"decision rationale"}


# --- drafting: conditions and denial ---------------------------------------------------


@pytest.mark.parametrize("conditions", [(), ("",), ("  ", "\t")])
def test_approval_with_conditions_needs_a_condition(conditions):
    decision = make_decision(Outcome.APPROVE_WITH_CONDITIONS, conditions=conditions)
    assert rules_of(draft(decision=decision)) == {"conditions"}


def test_one_real_condition_among_blanks_is_enough():
    decision = make_decision(Outcome.APPROVE_WITH_CONDITIONS, conditions=("", "annual report"))
    assert draft(decision=decision) == []


@pytest.mark.parametrize("outcome", [o for o in Outcome if o is not
                                     Outcome.APPROVE_WITH_CONDITIONS])
def test_conditions_only_with_a_conditional_approval(outcome):
    decision = make_decision(outcome, conditions=("no re-export",))
    failures = draft(case_for(outcome), decision)
    assert rules_of(failures) == {"conditions only with conditional approval"}
    assert outcome.value in message_of(failures, "conditions only with conditional approval")


@pytest.mark.parametrize("finding", [Finding.NO_CONCERN, Finding.NOT_APPLICABLE])
def test_denial_needs_a_factor_of_concern(finding):
    failures = draft(make_case(factors=all_factors(finding)), make_decision(Outcome.DENY))
    assert rules_of(failures) == {"denial grounds"}


@pytest.mark.parametrize("finding", [Finding.CONCERN, Finding.SERIOUS_CONCERN])
@pytest.mark.parametrize("factor", list(Factor))
def test_any_one_factor_of_concern_grounds_a_denial(finding, factor):
    factors = tuple(replace(f, finding=finding) if f.factor is factor else f
                    for f in all_factors())
    assert draft(make_case(factors=factors), make_decision(Outcome.DENY)) == []


def test_a_denial_without_rationale_or_concern_fails_both():
    failures = draft(make_case(), make_decision(Outcome.DENY, rationale=""))
    assert rules_of(failures) == {"decision rationale", "denial grounds"}


# --- drafting: destination flags -------------------------------------------------------


@pytest.mark.parametrize("destination", [PARTNER, ADHERENT])
def test_partners_and_adherents_raise_no_flag(destination):
    assert destination.raised == ()
    assert draft(destination=destination) == []


@pytest.mark.parametrize(
    ("destination", "fragments"),
    [
        (UN_MEASURES, ["UN Security Council measures", "1718, 2321"]),
        (NON_PARTNER, ["neither an MTCR partner nor an adherent"]),
        (UN_AND_NON_PARTNER, ["UN Security Council measures", "2321",
                              "neither an MTCR partner nor an adherent"]),
    ],
)
def test_flags_must_be_acknowledged_before_drafting(destination, fragments):
    failures = draft(destination=destination)
    assert rules_of(failures) == {"destination flags acknowledged"}
    message = message_of(failures, "destination flags acknowledged")
    assert destination.country_name in message
    assert all(fragment in message for fragment in fragments)


def test_both_flags_are_raised_separately():
    assert len(UN_AND_NON_PARTNER.raised) == 2
    assert len(UN_MEASURES.raised) == len(NON_PARTNER.raised) == 1


@pytest.mark.parametrize("destination", [UN_MEASURES, NON_PARTNER, UN_AND_NON_PARTNER])
@pytest.mark.parametrize("outcome", list(Outcome))
def test_acknowledged_flags_never_decide(destination, outcome):
    case = case_for(outcome, flags_acknowledged_by="alice",
                    flags_acknowledged_at="2026-01-06T10:00:00Z")
    assert draft(case, make_decision(outcome), destination=destination) == []


def test_a_flag_is_no_ground_for_denial():
    case = make_case(flags_acknowledged_by="alice")
    failures = draft(case, make_decision(Outcome.DENY), destination=UN_AND_NON_PARTNER)
    assert rules_of(failures) == {"denial grounds"}


@given(status=st.sampled_from(["partner", "adherent", None]),
       resolutions=st.lists(st.sampled_from(["1718", "2321", "1737"]), max_size=3,
                            unique=True))
def test_flags_are_raised_iff_un_measures_or_outside_the_regime(status, resolutions):
    flags = DestinationFlags("ZZ", "Zedland", status, tuple(resolutions))
    assert len(flags.raised) == bool(resolutions) + (status is None)
    assert bool(draft(destination=flags)) == bool(flags.raised)


@pytest.mark.parametrize("status", ["", "non-partner"])
def test_any_status_other_than_partner_or_adherent_raises_a_flag(status):
    assert DestinationFlags("ZZ", "Zedland", status).raised


# --- drafting: case status and drafter -------------------------------------------------


@pytest.mark.parametrize("status", [CaseStatus.DRAFT, CaseStatus.IN_REVIEW,
                                    CaseStatus.RETURNED])
def test_open_cases_may_be_drafted(status):
    assert draft(make_case(status=status)) == []


@pytest.mark.parametrize("status", [CaseStatus.AWAITING_COUNTERSIGNATURE, CaseStatus.DECIDED,
                                    CaseStatus.WITHDRAWN])
def test_closed_or_pending_cases_may_not_be_drafted(status):
    failures = draft(make_case(status=status))
    assert rules_of(failures) == {"case open for drafting"}
    assert status.value in message_of(failures, "case open for drafting")


@pytest.mark.parametrize("drafter", [OFFICER, SENIOR])
def test_officers_and_senior_officers_draft(drafter):
    assert draft(drafter=drafter) == []


@pytest.mark.parametrize("drafter", [TRAINER, ADMIN])
def test_trainers_and_administrators_do_not_draft(drafter):
    failures = draft(drafter=drafter)
    assert rules_of(failures) == {"drafter role"}
    message = message_of(failures, "drafter role")
    assert drafter.username in message and drafter.role.value in message


def test_every_unmet_drafting_rule_is_reported_at_once():
    case = make_case(status=CaseStatus.DECIDED, items=(item(assessment=Assessment()),),
                     factors=(), assurances=frozenset(), end_user_statement="")
    decision = make_decision(Outcome.APPROVE_WITH_CONDITIONS, rationale="", conditions=(),
                             presumption_acknowledged=False)
    failures = draft(case, decision, category=Category.I, destination=UN_AND_NON_PARTNER,
                     drafter=ADMIN)
    assert rules_of(failures) == {
        "case open for drafting", "drafter role", "every item assessed",
        "every factor found", "destination flags acknowledged", "decision rationale",
        "conditions", "government assurances", "presumption of denial"}


# --- countersigning --------------------------------------------------------------------


@pytest.mark.parametrize("agree", [True, False])
@pytest.mark.parametrize("countersigner", [OFFICER, SENIOR])
@pytest.mark.parametrize("drafter", [OFFICER, SENIOR])
def test_the_countersigner_is_never_the_drafter(agree, countersigner, drafter):
    decision = make_decision(drafted_by=drafter.username)
    failures = countersign(decision=decision, countersigner=countersigner, agree=agree,
                           comment="see factor c")
    assert rules_of(failures) == ({"four eyes"} if countersigner is drafter else set())


@pytest.mark.parametrize(("countersigner", "allowed"),
                         [(SECOND_OFFICER, True), (SENIOR, True), (TRAINER, False),
                          (ADMIN, False)])
@pytest.mark.parametrize("agree", [True, False])
def test_countersigner_roles(countersigner, allowed, agree):
    failures = countersign(countersigner=countersigner, agree=agree, comment="re-check 3.A.1")
    assert rules_of(failures) == (set() if allowed else {"countersigner role"})
    if not allowed:
        message = message_of(failures, "countersigner role")
        assert countersigner.username in message and countersigner.role.value in message


@pytest.mark.parametrize("outcome", APPROVALS)
@pytest.mark.parametrize(("countersigner", "expected"), [
    (SECOND_OFFICER, {"senior countersigner"}),
    (SENIOR, set()),
    (TRAINER, {"countersigner role"}),
    (ADMIN, {"countersigner role"}),
])
def test_category_i_approval_needs_a_senior_countersigner(outcome, countersigner, expected):
    failures = countersign(decision=make_decision(outcome), category=Category.I,
                           countersigner=countersigner)
    assert rules_of(failures) == expected


@pytest.mark.parametrize("category", [None, Category.II])
@pytest.mark.parametrize("outcome", list(Outcome))
def test_below_category_i_an_officer_countersigns(category, outcome):
    assert countersign(decision=make_decision(outcome), category=category) == []


def test_a_senior_drafter_is_not_their_own_senior_countersigner():
    failures = countersign(decision=make_decision(drafted_by="carol"), category=Category.I,
                           countersigner=SENIOR)
    assert rules_of(failures) == {"four eyes"}


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_a_return_needs_a_comment(comment):
    assert rules_of(countersign(agree=False, comment=comment)) == {"return comment"}


@pytest.mark.parametrize("comment", ["", "agreed, well argued"])
def test_agreeing_needs_no_comment(comment):
    assert countersign(agree=True, comment=comment) == []


def test_a_return_with_a_comment_passes():
    assert countersign(agree=False, comment="factor b finding needs a source") == []


@pytest.mark.parametrize("status", [s for s in CaseStatus
                                    if s is not CaseStatus.AWAITING_COUNTERSIGNATURE])
@pytest.mark.parametrize("agree", [True, False])
def test_only_a_case_awaiting_countersignature_is_countersigned(status, agree):
    failures = countersign(make_case(status=status), agree=agree, comment="x")
    assert rules_of(failures) == {"decision awaiting countersignature"}
    assert status.value in message_of(failures, "decision awaiting countersignature")


def test_a_case_awaiting_countersignature_without_decision_is_refused():
    failures = check_countersign(awaiting(), None, category=Category.II,
                                 countersigner=SECOND_OFFICER, agree=True)
    assert rules_of(failures) == {"decision awaiting countersignature"}


def test_a_wrong_status_stops_before_the_other_countersign_rules():
    # nothing else is worth reporting until there is a decision to countersign
    failures = countersign(make_case(status=CaseStatus.DECIDED), countersigner=TRAINER,
                           decision=make_decision(drafted_by="tom"), agree=False)
    assert rules_of(failures) == {"decision awaiting countersignature"}


def test_every_unmet_countersign_rule_is_reported_at_once():
    failures = countersign(decision=make_decision(drafted_by="tom"), countersigner=TRAINER,
                           agree=False, category=Category.I)
    assert rules_of(failures) == {"four eyes", "countersigner role", "return comment"}
