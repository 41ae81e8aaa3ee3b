"""Scoring a trainee's attempt against a model answer: weights, partial credit, explanations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mtcr_desk.domain.cases import (
    Assessment,
    AssessmentStatus,
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
from mtcr_desk.domain.training import (
    CLASSIFICATION_POINTS,
    CONDITION_POINTS,
    FACTOR_POINTS,
    OUTCOME_POINTS,
    OUTCOME_SAME_DIRECTION_POINTS,
    RATIONALE_POINTS,
    STATUS_POINTS,
    FactorAnswer,
    ItemAlternative,
    ItemAnswer,
    KeyPoint,
    ModelAnswer,
    OutcomeAnswer,
    model_attempt,
    normalise_text,
    score_attempt,
)

C = AssessmentStatus.CONTROLLED
#: The categories the test edition gives its entries (as the pinned edition would).
ENTRY_CATEGORIES = {"2.A.1.d": Category.I, "19.A.2": Category.II, "3.A.1.a": Category.II,
                    "3.A.1": Category.II, "3.A.3": Category.II, "1.A.1": Category.I}

ANSWER = ModelAnswer(
    items=(
        ItemAnswer(line=1, status=C, entries=("19.A.2", "2.A.1.d"), category=Category.I,
                   reasoning="The guidance unit can be removed, so the UAV is Category I.",
                   rationale_points=(KeyPoint(concepts=(("separat", "remov"), ("300 km",)),
                                              explanation="Separability and range."),)),
        ItemAnswer(line=2, status=C, entries=("3.A.1.a",), category=Category.II,
                   reasoning="Thrust above 400 N and fuel consumption of 0.15 or less.",
                   alternatives=(ItemAlternative(C, ("3.A.1",)),)),
        ItemAnswer(line=3, status=AssessmentStatus.NOT_CONTROLLED, entries=(), category=None,
                   reasoning="A starting cart is listed nowhere.",
                   alternatives=(ItemAlternative(AssessmentStatus.CATCH_ALL),)),
    ),
    factors=tuple(FactorAnswer(factor=factor, finding=Finding.NO_CONCERN,
                               reasoning=f"Reasoning on {factor.value}.")
                  for factor in Factor if factor is not Factor.C)
    + (FactorAnswer(factor=Factor.C, finding=Finding.CONCERN,
                    reasoning="Engines matter to cruise missiles.",
                    alternatives=(Finding.SERIOUS_CONCERN,)),),
    outcome=OutcomeAnswer(outcome=Outcome.APPROVE_WITH_CONDITIONS,
                          reasoning="Category II to a partner: approve with conditions.",
                          alternatives=(Outcome.APPROVE,)),
    conditions=(KeyPoint(concepts=(("retransfer", "re-export"),),
                         explanation="No retransfer without consent."),),
    rationale_points=(KeyPoint(concepts=(("category ii",),), explanation="Name the category."),),
)


def _pristine() -> Case:
    items = tuple(Item(line=line, description=f"item {line}", quantity=1) for line in (1, 2, 3))
    return Case(reference="MTCR-2026-9999", status=CaseStatus.DRAFT, applicant="A",
                destination="FI", end_use="", received_on="2026-01-01", due_on=None,
                officer=None, edition_id="test", training=True, items=items)


def _categories(case: Case) -> dict[int, Category | None]:
    """What CaseService.item_category gives: any Category I entry makes the item Category I."""
    result = {}
    for item in case.items:
        found = {ENTRY_CATEGORIES[code] for code in item.assessment.entry_codes}
        result[item.line] = (Category.I if Category.I in found else
                             Category.II if Category.II in found else None)
    return result


def _score(case: Case):
    return score_attempt(ANSWER, case, item_categories=_categories(case))


def _with_item(case: Case, line: int, status: AssessmentStatus, codes=(),
               rationale="") -> Case:
    items = tuple(replace(item, assessment=Assessment(
        status=status, entry_codes=tuple(codes), rationale=rationale or item.assessment.rationale,
        assessed_by="t", assessed_at="2026-01-01T00:00:00Z")) if item.line == line else item
        for item in case.items)
    return replace(case, items=items)


def _with_factor(case: Case, factor: Factor, finding: Finding) -> Case:
    factors = tuple(replace(f, finding=finding) if f.factor is factor else f
                    for f in case.factors)
    return replace(case, factors=factors)


def _with_outcome(case: Case, outcome: Outcome, conditions=()) -> Case:
    decision = replace(case.decisions[-1], outcome=outcome, conditions=tuple(conditions))
    return replace(case, decisions=(decision,))


@pytest.fixture
def perfect() -> Case:
    return model_attempt(ANSWER, _pristine())


def test_the_model_answer_itself_scores_full_marks(perfect):
    score = _score(perfect)
    assert score.possible == ANSWER.max_points
    assert score.earned == score.possible
    assert score.percentage == 100.0
    assert not any(line.missed for line in score.lines)


def test_the_weights_add_up_as_documented():
    expected = (3 * (STATUS_POINTS + CLASSIFICATION_POINTS) + 1 * RATIONALE_POINTS
                + 6 * FACTOR_POINTS + OUTCOME_POINTS + 1 * CONDITION_POINTS
                + 1 * RATIONALE_POINTS)
    assert ANSWER.max_points == expected == 39


def test_a_wrong_entry_in_the_right_category_keeps_one_point(perfect):
    attempt = _with_item(perfect, 2, C, ["3.A.3"])
    score = _score(attempt)
    line = score.line("line 2 classification")
    assert (line.earned, line.possible) == (1.0, CLASSIFICATION_POINTS)
    assert "Right category (II)" in line.explanation
    assert "Thrust above 400 N and fuel consumption of 0.15 or less." in line.explanation
    assert score.line("line 2 status").earned == STATUS_POINTS
    assert score.earned == ANSWER.max_points - 2


def test_a_wrong_category_loses_the_whole_classification(perfect):
    attempt = _with_item(perfect, 2, C, ["1.A.1"])
    score = _score(attempt)
    line = score.line("line 2 classification")
    assert line.earned == 0
    assert "Category I" in line.explanation and "3.A.1.a" in line.explanation
    assert score.earned == ANSWER.max_points - CLASSIFICATION_POINTS


def test_a_wrong_outcome_loses_its_points_and_quotes_the_model_reasoning(perfect):
    attempt = _with_outcome(perfect, Outcome.DENY)
    score = _score(attempt)
    outcome = score.line("outcome")
    assert (outcome.earned, outcome.possible) == (0, OUTCOME_POINTS)
    assert "Decided deny" in outcome.explanation
    assert "Category II to a partner: approve with conditions." in outcome.explanation
    # A denial carries no conditions, so the condition point is lost as well.
    condition = score.line("condition 1")
    assert (condition.earned, condition.possible) == (0, CONDITION_POINTS)
    assert "No retransfer without consent." in condition.explanation
    assert score.earned == ANSWER.max_points - OUTCOME_POINTS - CONDITION_POINTS


def test_an_approval_of_the_other_form_earns_half_the_outcome():
    answer = replace(ANSWER, outcome=replace(ANSWER.outcome, alternatives=()))
    attempt = _with_outcome(model_attempt(answer, _pristine()), Outcome.APPROVE)
    line = score_attempt(answer, attempt, item_categories=_categories(attempt)).line("outcome")
    assert line.earned == OUTCOME_SAME_DIRECTION_POINTS
    assert "not the accepted form" in line.explanation


def test_one_of_two_entries_earns_half_the_classification(perfect):
    attempt = _with_item(perfect, 1, C, ["19.A.2"])
    line = _score(attempt).line("line 1 classification")
    assert line.earned == CLASSIFICATION_POINTS / 2
    assert "1 of 2 expected entries" in line.explanation and "missing 2.A.1.d" in line.explanation
    assert "The guidance unit can be removed" in line.explanation


def test_an_extra_entry_costs_its_share(perfect):
    attempt = _with_item(perfect, 2, C, ["3.A.1.a", "3.A.3"])
    line = _score(attempt).line("line 2 classification")
    assert line.earned == CLASSIFICATION_POINTS / 2
    assert "not expected 3.A.3" in line.explanation


def test_a_finding_one_step_off_earns_one_point(perfect):
    score = _score(_with_factor(perfect, Factor.A, Finding.CONCERN))
    line = score.line("factor a")
    assert (line.earned, line.possible) == (1.0, FACTOR_POINTS)
    assert "one step" in line.explanation and "Reasoning on a." in line.explanation
    far = _score(_with_factor(perfect, Factor.A, Finding.SERIOUS_CONCERN)).line("factor a")
    assert far.earned == 0


def test_acceptable_alternatives_earn_full_credit(perfect):
    attempt = _with_item(perfect, 2, C, ["3.A.1"], rationale="x")
    attempt = _with_item(attempt, 3, AssessmentStatus.CATCH_ALL, rationale="x")
    attempt = _with_factor(attempt, Factor.C, Finding.SERIOUS_CONCERN)
    attempt = _with_outcome(attempt, Outcome.APPROVE)
    score = _score(attempt)
    for subject in ("line 2 status", "line 2 classification", "line 3 status",
                    "line 3 classification", "factor c", "outcome"):
        assert not score.line(subject).missed, subject
    # An accepted outcome without conditions is not marked down for having none.
    assert score.line("condition 1").possible == 0
    assert score.percentage == 100.0


def test_an_untouched_attempt_scores_nothing_and_says_what_is_missing():
    score = _score(_pristine())
    assert score.earned == 0 and score.percentage == 0
    assert score.possible == ANSWER.max_points
    for line in (1, 2, 3):
        status = score.line(f"line {line} status")
        assert status.earned == 0
        assert status.explanation.startswith(f"Line {line} is not assessed.")
    assert "A starting cart is listed nowhere." in score.line("line 3 status").explanation
    assert "No finding recorded on factor b" in score.line("factor b").explanation
    assert score.line("outcome").explanation.startswith("No decision drafted.")
    assert "Nothing written" in score.line("line 1 rationale point 1").explanation


def test_rationale_points_earn_partial_credit_for_each_concept(perfect):
    attempt = _with_item(perfect, 1, C, ["19.A.2", "2.A.1.d"],
                         rationale="The unit can be REMOVED with four bolts.")
    line = _score(attempt).line("line 1 rationale point 1")
    assert line.earned == RATIONALE_POINTS / 2
    assert "'300 km'" in line.explanation and "Separability and range." in line.explanation


def test_the_wrong_status_for_an_unlisted_item_loses_both_lines(perfect):
    score = _score(_with_item(perfect, 3, C, ["3.A.3"], rationale="x"))
    assert score.line("line 3 status").earned == 0
    assert score.line("line 3 classification").earned == 0
    assert "A starting cart is listed nowhere." in score.line("line 3 status").explanation


def test_phrases_match_whatever_the_case_dashes_and_spaces():
    assert normalise_text("Re\u2011export  WITHOUT\nconsent") == "re-export without consent"


def test_the_latest_decision_is_the_one_scored(perfect):
    returned = replace(perfect.decisions[0], outcome=Outcome.DENY, conditions=(),
                       countersignature="returned", return_comment="redo")
    attempt = replace(perfect, decisions=(returned, perfect.decisions[0]))
    assert _score(attempt).line("outcome").earned == OUTCOME_POINTS
    assert _score(replace(perfect, decisions=(returned,))).line("outcome").earned == 0


def test_factor_notes_count_for_the_case_rationale(perfect):
    decision = replace(perfect.decisions[0], rationale="Approved.")
    factors = perfect.factors + (FactorFinding(Factor.C, Finding.CONCERN,
                                               note="A Category II engine."),)
    without = _score(replace(perfect, decisions=(decision,)))
    assert without.line("case rationale point 1").earned == 0
    with_note = _score(replace(perfect, decisions=(decision,),
                               factors=tuple(f for f in factors if f.note != "")))
    assert with_note.line("case rationale point 1").earned == RATIONALE_POINTS


def test_a_decision_without_drafted_fields_still_scores():
    attempt = replace(_pristine(), decisions=(Decision(outcome=Outcome.APPROVE,
                                                        rationale="category II"),))
    assert _score(attempt).line("outcome").earned == OUTCOME_POINTS
