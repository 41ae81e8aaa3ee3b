"""Training scenarios and the scoring of a trainee's attempt against the model answer.

A training scenario is a fictional licence case (given to the trainee unassessed) with a
briefing, learning objectives, a difficulty and a *model answer*: for every item the
expected assessment (with acceptable alternatives), the expected finding on each of the
six factors, the expected outcome and conditions, and the points a good rationale covers.
The format of the files is documented in ``docs/training-format.md``.

:func:`score_attempt` compares a trainee's case with the model answer. Nothing here
touches the database: the caller passes in the MTCR category of each item of the attempt
(derived from the attempt's entries against the pinned edition). The weights:

========================  ======  =====================================================
what                      points  how they are earned
========================  ======  =====================================================
item status               2       the status of the model answer or of an accepted
                                  alternative
item classification       3       controlled: every expected entry and nothing else
                                  (an alternative set counts the same); some of them:
                                  3 x right entries / max(expected, tagged); none right
                                  but the right category: 1. Other statuses: 3 when
                                  the status is right (there is nothing to tag)
factor finding (a-f)      2 each  the expected or an accepted finding; one step off on
                                  the scale not applicable - no concern - concern -
                                  serious concern: 1
outcome                   6       the expected or an accepted outcome; an approval
                                  where the model answer approves the other way: 3
condition key point       2 each  a phrase of each of its concepts in a condition
rationale key point       2 each  share of its concepts whose phrase appears
========================  ======  =====================================================

Phrases are matched case-insensitively, Unicode-normalised, with runs of white space
and the various dashes treated as one. Item key points are looked for in that item's
rationale; case key points in the decision rationale and the factor notes; condition
points in the conditions. When the trainee chose an accepted outcome that carries no
conditions, the condition points are not scored (0 of 0). Every line that earns less
than it could says why, quoting the model answer's reasoning.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from mtcr_desk.domain.cases import (
    Assessment,
    AssessmentStatus,
    Case,
    CaseStatus,
    Decision,
    Factor,
    FactorFinding,
    Finding,
    Outcome,
)
from mtcr_desk.domain.control_list import Category

STATUS_POINTS = 2.0
CLASSIFICATION_POINTS = 3.0
#: What the right category earns when no expected entry is tagged.
CATEGORY_ONLY_POINTS = 1.0
FACTOR_POINTS = 2.0
#: A finding one step away from an accepted one.
FACTOR_NEAR_POINTS = 1.0
OUTCOME_POINTS = 6.0
#: An approval where the model answer approves the other way (with or without conditions).
OUTCOME_SAME_DIRECTION_POINTS = 3.0
CONDITION_POINTS = 2.0
RATIONALE_POINTS = 2.0

#: The order findings are compared on: one step apart earns partial credit.
FINDING_SCALE = (Finding.NOT_APPLICABLE, Finding.NO_CONCERN, Finding.CONCERN,
                 Finding.SERIOUS_CONCERN)


class Difficulty(enum.StrEnum):
    """How much a scenario asks of the trainee."""

    INTRODUCTORY = "introductory"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class SupportingRole(enum.StrEnum):
    """Why a decided case ships with a scenario."""

    #: The decided case the scenario's case amends.
    ORIGINAL = "original"
    #: A decided case whose assessment the trainee may apply as a precedent.
    PRECEDENT = "precedent"


# --- the model answer ------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPoint:
    """A point a good rationale (or condition) covers.

    ``concepts`` is a tuple of concepts; each concept is a tuple of phrases, any of
    which shows the concept is covered (``(("300 km", "300 kilometres"), ("500 kg",))``).
    """

    concepts: tuple[tuple[str, ...], ...]
    explanation: str


@dataclass(frozen=True)
class ItemAlternative:
    """Another assessment of an item that earns full credit."""

    status: AssessmentStatus
    entries: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemAnswer:
    """The expected assessment of one item."""

    line: int
    status: AssessmentStatus
    entries: tuple[str, ...]
    #: The item's category (controlled items only).
    category: Category | None
    reasoning: str
    alternatives: tuple[ItemAlternative, ...] = ()
    rationale_points: tuple[KeyPoint, ...] = ()

    @property
    def accepted(self) -> tuple[ItemAlternative, ...]:
        """The model assessment first, then every acceptable alternative."""
        return (ItemAlternative(self.status, self.entries), *self.alternatives)


@dataclass(frozen=True)
class FactorAnswer:
    """The expected finding on one factor."""

    factor: Factor
    finding: Finding
    reasoning: str
    alternatives: tuple[Finding, ...] = ()

    @property
    def accepted(self) -> tuple[Finding, ...]:
        return (self.finding, *self.alternatives)


@dataclass(frozen=True)
class OutcomeAnswer:
    """The expected outcome of the decision."""

    outcome: Outcome
    reasoning: str
    alternatives: tuple[Outcome, ...] = ()

    @property
    def accepted(self) -> tuple[Outcome, ...]:
        return (self.outcome, *self.alternatives)


@dataclass(frozen=True)
class ModelAnswer:
    """The model answer of a scenario."""

    items: tuple[ItemAnswer, ...]
    factors: tuple[FactorAnswer, ...]
    outcome: OutcomeAnswer
    conditions: tuple[KeyPoint, ...] = ()
    rationale_points: tuple[KeyPoint, ...] = ()

    def item(self, line: int) -> ItemAnswer | None:
        """The answer for one line, if any."""
        for answer in self.items:
            if answer.line == line:
                return answer
        return None

    @property
    def max_points(self) -> float:
        """The points of a perfect attempt (with the conditions scored)."""
        return (len(self.items) * (STATUS_POINTS + CLASSIFICATION_POINTS)
                + sum(len(a.rationale_points) for a in self.items) * RATIONALE_POINTS
                + len(self.factors) * FACTOR_POINTS + OUTCOME_POINTS
                + len(self.conditions) * CONDITION_POINTS
                + len(self.rationale_points) * RATIONALE_POINTS)


@dataclass(frozen=True)
class SupportingCase:
    """A decided case shipped with a scenario (the amended original, or a precedent)."""

    file: str
    role: SupportingRole
    purpose: str
    #: The case's reference in its file (an import gives it a new one).
    reference: str = ""


@dataclass(frozen=True)
class Scenario:
    """A training scenario: its metadata, its (unassessed) case and its model answer.

    ``case`` is the case as the trainee receives it; ``supporting`` are the decided
    cases imported before it, in order, with their parsed cases in ``supporting_cases``.
    """

    id: str
    title: str
    difficulty: Difficulty
    topics: tuple[str, ...]
    briefing: str
    objectives: tuple[str, ...]
    case_file: str
    case: Case
    edition_title: str
    answer: ModelAnswer
    supporting: tuple[SupportingCase, ...] = ()
    supporting_cases: tuple[Case, ...] = ()
    folder: str = ""


# --- the score -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """One scored element: what it is, the points earned of those possible, and why."""

    section: str  # "item", "factor", "outcome", "conditions", "rationale"
    subject: str  # "line 1 status", "factor c", ...
    earned: float
    possible: float
    explanation: str

    @property
    def missed(self) -> bool:
        return self.earned < self.possible


@dataclass(frozen=True)
class Score:
    """The score of an attempt: total, maximum, percentage and every line of it."""

    lines: tuple[ScoreLine, ...] = field(default_factory=tuple)

    @property
    def earned(self) -> float:
        return round(sum(line.earned for line in self.lines), 2)

    @property
    def possible(self) -> float:
        return round(sum(line.possible for line in self.lines), 2)

    @property
    def percentage(self) -> float:
        """Earned as a percentage of possible, to one decimal (0 when nothing is possible)."""
        if not self.possible:
            return 0.0
        return round(100.0 * self.earned / self.possible, 1)

    def section(self, name: str) -> tuple[ScoreLine, ...]:
        """The lines of one section."""
        return tuple(line for line in self.lines if line.section == name)

    def line(self, subject: str) -> ScoreLine:
        """The line about one subject (``"line 1 status"``); KeyError when none."""
        for line in self.lines:
            if line.subject == subject:
                return line
        raise KeyError(subject)


# --- matching phrases ------------------------------------------------------------------

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Return text as phrases are matched: NFKC, case-folded, one kind of dash and space."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return _SPACES.sub(" ", _DASHES.sub("-", text)).strip()


def concepts_met(point: KeyPoint, text: str) -> tuple[int, list[str]]:
    """Return how many concepts of ``point`` ``text`` covers, and the missing ones."""
    haystack = normalise_text(text)
    met = 0
    missing: list[str] = []
    for concept in point.concepts:
        if any(normalise_text(phrase) in haystack for phrase in concept):
            met += 1
        else:
            missing.append(" / ".join(repr(phrase) for phrase in concept))
    return met, missing


def _points(value: float) -> float:
    return round(value, 2)


def _codes(codes: tuple[str, ...]) -> str:
    return ", ".join(codes) if codes else "no entries"


def _describe(accepted: ItemAlternative) -> str:
    if accepted.status is AssessmentStatus.CONTROLLED:
        return f"controlled under {_codes(accepted.entries)}"
    return accepted.status.value


# --- scoring ---------------------------------------------------------------------------


def _score_item(answer: ItemAnswer, assessment: Assessment,
                category: Category | None) -> list[ScoreLine]:
    line = answer.line
    model = f"Model answer: {_describe(answer.accepted[0])}"
    if answer.alternatives:
        model += " (also accepted: " + "; ".join(_describe(a) for a in answer.alternatives) + ")"
    model += f". {answer.reasoning}"
    if assessment.status is AssessmentStatus.UNASSESSED:
        why = f"Line {line} is not assessed. {model}"
        return [ScoreLine("item", f"line {line} status", 0.0, STATUS_POINTS, why),
                ScoreLine("item", f"line {line} classification", 0.0, CLASSIFICATION_POINTS,
                          why)]
    expected_categories = {answer.category} - {None}
    best: tuple[float, float, str, str] | None = None
    for accepted in answer.accepted:
        status_ok = assessment.status is accepted.status
        status_points = STATUS_POINTS if status_ok else 0.0
        status_why = "" if status_ok else (
            f"Line {line} is assessed {assessment.status.value}. {model}")
        if accepted.status is not AssessmentStatus.CONTROLLED:
            points = CLASSIFICATION_POINTS if status_ok else 0.0
            why = "" if status_ok else (
                f"Nothing to tag when the item is {accepted.status.value}; your assessment "
                f"tags {_codes(assessment.entry_codes)}. {model}")
        elif not status_ok:
            points, why = 0.0, (f"Line {line} is not classified as controlled. {model}")
        else:
            tagged = set(assessment.entry_codes)
            expected = set(accepted.entries)
            right = tagged & expected
            if right == expected and tagged == expected:
                points, why = CLASSIFICATION_POINTS, ""
            elif right:
                points = CLASSIFICATION_POINTS * len(right) / max(len(expected), len(tagged))
                parts = []
                if expected - tagged:
                    parts.append(f"missing {_codes(tuple(sorted(expected - tagged)))}")
                if tagged - expected:
                    parts.append(f"not expected {_codes(tuple(sorted(tagged - expected)))}")
                why = (f"Partly right: {len(right)} of {len(expected)} expected entries "
                       f"tagged ({'; '.join(parts)}). {model}")
            elif category is not None and category in expected_categories:
                points = CATEGORY_ONLY_POINTS
                why = (f"Right category ({category.value}) but the wrong entries "
                       f"({_codes(assessment.entry_codes)}). {model}")
            else:
                points = 0.0
                found = f"Category {category.value}" if category else "no category"
                why = (f"Wrong entries ({_codes(assessment.entry_codes)}, {found}). {model}")
        candidate = (status_points, _points(points), status_why, why)
        if best is None or sum(candidate[:2]) > sum(best[:2]):
            best = candidate
    assert best is not None
    status_points, points, status_why, why = best
    return [ScoreLine("item", f"line {line} status", status_points, STATUS_POINTS,
                      status_why or "Right status."),
            ScoreLine("item", f"line {line} classification", points, CLASSIFICATION_POINTS,
                      why or "Right classification.")]


def _score_key_point(point: KeyPoint, text: str, *, section: str, subject: str,
                     possible: float, where: str) -> ScoreLine:
    met, missing = concepts_met(point, text)
    earned = _points(possible * met / len(point.concepts)) if point.concepts else 0.0
    if not missing:
        return ScoreLine(section, subject, earned, possible, "Covered.")
    if not text.strip():
        lead = f"Nothing written in {where}."
    else:
        lead = (f"{where[0].upper()}{where[1:]} covers {met} of {len(point.concepts)} "
                f"concepts; not found: {', '.join(missing)}.")
    return ScoreLine(section, subject, earned, possible,
                     f"{lead} Model answer: {point.explanation}")


def _score_factor(answer: FactorAnswer, recorded: FactorFinding | None) -> ScoreLine:
    subject = f"factor {answer.factor.value}"
    accepted = ", ".join(f.value for f in answer.accepted)
    model = f"Model answer: {accepted}. {answer.reasoning}"
    if recorded is None:
        return ScoreLine("factor", subject, 0.0, FACTOR_POINTS,
                         f"No finding recorded on factor {answer.factor.value}. {model}")
    steps = min(abs(FINDING_SCALE.index(recorded.finding) - FINDING_SCALE.index(finding))
                for finding in answer.accepted)
    if steps == 0:
        return ScoreLine("factor", subject, FACTOR_POINTS, FACTOR_POINTS, "Right finding.")
    if steps == 1:
        return ScoreLine("factor", subject, FACTOR_NEAR_POINTS, FACTOR_POINTS,
                         f"Found {recorded.finding.value}: one step from the model answer. "
                         f"{model}")
    return ScoreLine("factor", subject, 0.0, FACTOR_POINTS,
                     f"Found {recorded.finding.value}. {model}")


def _score_outcome(answer: OutcomeAnswer, decision: Decision | None) -> ScoreLine:
    accepted = ", ".join(o.value for o in answer.accepted)
    model = f"Model answer: {accepted}. {answer.reasoning}"
    if decision is None:
        return ScoreLine("outcome", "outcome", 0.0, OUTCOME_POINTS,
                         f"No decision drafted. {model}")
    if decision.outcome in answer.accepted:
        return ScoreLine("outcome", "outcome", OUTCOME_POINTS, OUTCOME_POINTS, "Right outcome.")
    if decision.outcome.is_approval and answer.outcome.is_approval:
        return ScoreLine("outcome", "outcome", OUTCOME_SAME_DIRECTION_POINTS, OUTCOME_POINTS,
                         f"Decided {decision.outcome.value}: an approval, but not the "
                         f"accepted form. {model}")
    return ScoreLine("outcome", "outcome", 0.0, OUTCOME_POINTS,
                     f"Decided {decision.outcome.value}. {model}")


def score_attempt(answer: ModelAnswer, attempt: Case, *,
                  item_categories: Mapping[int, Category | None]) -> Score:
    """Score a trainee's case against the model answer (weights: module docstring).

    ``item_categories`` maps each line of the attempt to the MTCR category its
    assessment gives (from the entries against the pinned edition); missing lines
    count as no category. The latest decision on the case is the one scored.
    """
    lines: list[ScoreLine] = []
    for item_answer in answer.items:
        item = attempt.item(item_answer.line)
        assessment = item.assessment if item is not None else Assessment()
        lines.extend(_score_item(item_answer, assessment,
                                 item_categories.get(item_answer.line)))
        for index, point in enumerate(item_answer.rationale_points, start=1):
            lines.append(_score_key_point(
                point, assessment.rationale, section="rationale",
                subject=f"line {item_answer.line} rationale point {index}",
                possible=RATIONALE_POINTS, where=f"the rationale of line {item_answer.line}"))
    for factor_answer in answer.factors:
        lines.append(_score_factor(factor_answer, attempt.factor(factor_answer.factor)))
    decision = attempt.current_decision
    lines.append(_score_outcome(answer.outcome, decision))
    excused = (decision is not None and decision.outcome in answer.outcome.accepted
               and decision.outcome is not Outcome.APPROVE_WITH_CONDITIONS)
    conditions_text = "\n".join(decision.conditions) if decision else ""
    for index, point in enumerate(answer.conditions, start=1):
        subject = f"condition {index}"
        if excused:
            lines.append(ScoreLine("conditions", subject, 0.0, 0.0,
                                   f"Not scored: your accepted outcome "
                                   f"({decision.outcome.value}) carries no conditions."))
            continue
        lines.append(_score_key_point(point, conditions_text, section="conditions",
                                      subject=subject, possible=CONDITION_POINTS,
                                      where="the conditions"))
    decision_text = "\n".join([decision.rationale if decision else ""]
                              + [finding.note for finding in attempt.factors])
    for index, point in enumerate(answer.rationale_points, start=1):
        lines.append(_score_key_point(
            point, decision_text, section="rationale", subject=f"case rationale point {index}",
            possible=RATIONALE_POINTS, where="the decision rationale and factor notes"))
    return Score(lines=tuple(lines))


# --- the model answer as a case ----------------------------------------------------------


def _key_point_text(points: tuple[KeyPoint, ...]) -> str:
    return " ".join("; ".join(concept[0] for concept in point.concepts) + "."
                    for point in points)


def model_attempt(answer: ModelAnswer, case: Case, *, officer: str = "model.answer",
                  countersigner: str = "model.countersigner", at: str = "2026-01-01T00:00:00Z",
                  record_category: bool = False) -> Case:
    """Return ``case`` as the model answer would leave it: decided, every line assessed.

    Used to check a scenario (its model answer must meet the MTCR rules and score 100%)
    and to show a trainer the answer in the application. ``record_category`` records
    each item's category with its assessment (editions without MTCR categories).
    """
    items = []
    for item in case.items:
        item_answer = answer.item(item.line)
        if item_answer is None:
            items.append(item)
            continue
        rationale = f"{item_answer.reasoning} {_key_point_text(item_answer.rationale_points)}"
        category = (item_answer.category.value if record_category and item_answer.category
                    else None)
        items.append(replace(item, assessment=Assessment(
            status=item_answer.status, entry_codes=item_answer.entries, category=category,
            rationale=rationale.strip(), assessed_by=officer, assessed_at=at)))
    factors = tuple(FactorFinding(factor=a.factor, finding=a.finding, note=a.reasoning,
                                  recorded_by=officer, recorded_at=at)
                    for a in answer.factors)
    conditions: tuple[str, ...] = ()
    if answer.outcome.outcome is Outcome.APPROVE_WITH_CONDITIONS:
        conditions = tuple(" ".join(concept[0] for concept in point.concepts) + ": "
                           + point.explanation for point in answer.conditions)
    rationale = f"{answer.outcome.reasoning} {_key_point_text(answer.rationale_points)}"
    decision = Decision(outcome=answer.outcome.outcome, rationale=rationale.strip(),
                        conditions=conditions, presumption_acknowledged=True,
                        drafted_by=officer, drafted_at=at, countersigned_by=countersigner,
                        countersigned_at=at, countersignature="agreed")
    return replace(case, status=CaseStatus.DECIDED, items=tuple(items), factors=factors,
                   decisions=(decision,), flags_acknowledged_by=officer,
                   flags_acknowledged_at=at)
