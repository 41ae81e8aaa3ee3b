"""The MTCR rules that keep a decision sound, as pure functions.

Each check returns every rule that is not met, as :class:`RuleFailure` objects
naming the rule and what would satisfy it, so that the officer sees all that is
missing at once (the GUI shows them as a live checklist, the CLI lists them and
exits 3). Nothing here touches the database: callers pass in what the rules
need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mtcr_desk.domain.cases import (
    Assessment,
    AssessmentStatus,
    Assurance,
    Case,
    CaseStatus,
    Decision,
    Factor,
    Outcome,
)
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.users import Role, User

#: MTCR sections whose Category I entries are production facilities: never approved.
CATEGORY_I_PRODUCTION_SECTIONS = ("1.B", "2.B")


@dataclass(frozen=True)
class RuleFailure:
    """One unmet rule: its short name and what would satisfy it."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class DestinationFlags:
    """What the reference data says about the destination (flags, never a decision)."""

    country: str
    country_name: str
    mtcr_status: str | None  # "partner", "adherent" or None
    un_measures: tuple[str, ...] = ()  # resolution numbers

    @property
    def raised(self) -> tuple[str, ...]:
        """The flags an officer must acknowledge before drafting."""
        flags = []
        if self.un_measures:
            flags.append(f"{self.country_name} is under UN Security Council measures "
                         f"(resolutions {', '.join(self.un_measures)})")
        if self.mtcr_status not in ("partner", "adherent"):
            flags.append(f"{self.country_name} is neither an MTCR partner nor an adherent")
        return tuple(flags)


def _article(noun: str) -> str:
    """``administrator`` -> ``an administrator``, ``trainer`` -> ``a trainer``."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


# --- categories ------------------------------------------------------------------------


def item_category(
    assessment: Assessment,
    entry_categories: Mapping[str, Category | None],
    *,
    edition_has_categories: bool,
) -> Category | None:
    """Return an item's MTCR category: any Category I entry makes it Category I.

    ``entry_categories`` maps the assessment's entry codes to their category in
    the pinned edition. For an edition without MTCR categories (the EU list) the
    category is the one recorded with the assessment.
    """
    if assessment.status is not AssessmentStatus.CONTROLLED:
        return None
    if not edition_has_categories:
        return Category(assessment.category) if assessment.category else None
    categories = {entry_categories.get(code) for code in assessment.entry_codes}
    if Category.I in categories:
        return Category.I
    if Category.II in categories:
        return Category.II
    return None


def case_category(item_categories: Iterable[Category | None]) -> Category | None:
    """Return the highest category of a case's items (I above II), or None."""
    categories = set(item_categories)
    if Category.I in categories:
        return Category.I
    if Category.II in categories:
        return Category.II
    return None


def is_category_i_production_facility(code: str) -> bool:
    """True for entries in sections 1.B and 2.B of the MTCR Annex."""
    return any(code == section or code.startswith(section + ".")
               for section in CATEGORY_I_PRODUCTION_SECTIONS)


# --- assessments -----------------------------------------------------------------------


def check_assessment(
    assessment: Assessment,
    *,
    known_codes: Mapping[str, str],
    edition_id: str,
    edition_has_categories: bool,
) -> list[RuleFailure]:
    """Check one assessment against the pinned edition.

    ``known_codes`` maps each code of the assessment that exists in the pinned
    edition to its kind (``entry``, ``section``, ...); codes it lacks are unknown.
    """
    failures = []
    status = assessment.status
    if status is AssessmentStatus.UNASSESSED:
        failures.append(RuleFailure(
            "assessment status", "choose controlled, not controlled or catch-all concern"))
    if status is AssessmentStatus.CONTROLLED:
        if not assessment.entry_codes:
            failures.append(RuleFailure(
                "controlled needs entries",
                f"a controlled item needs at least one entry of edition {edition_id}"))
        for code in assessment.entry_codes:
            kind = known_codes.get(code)
            if kind is None:
                failures.append(RuleFailure(
                    "entry of the pinned edition",
                    f"{code} is not an entry of edition {edition_id}; use a code of that "
                    "edition or re-pin the case"))
            elif kind != "entry":
                failures.append(RuleFailure(
                    "classify against entries",
                    f"{code} is a {kind}, not an entry; choose the entry that controls the "
                    "item"))
        if not edition_has_categories and assessment.category not in ("I", "II"):
            failures.append(RuleFailure(
                "MTCR category recorded",
                f"edition {edition_id} carries no MTCR category: record category I or II "
                "with the assessment"))
    elif assessment.entry_codes:
        failures.append(RuleFailure(
            "no entries unless controlled",
            f"an item assessed as {status.value} lists no entries; remove them or assess it "
            "as controlled"))
    if status is not AssessmentStatus.CONTROLLED and assessment.category:
        failures.append(RuleFailure(
            "category only when controlled",
            "only a controlled item has an MTCR category"))
    if status is not AssessmentStatus.UNASSESSED and not assessment.rationale.strip():
        failures.append(RuleFailure(
            "assessment rationale", "record why the item is assessed this way"))
    return failures


# --- drafting a decision ---------------------------------------------------------------


def check_draft(
    case: Case,
    decision: Decision,
    *,
    category: Category | None,
    destination: DestinationFlags,
    drafter: User,
) -> list[RuleFailure]:
    """Return every rule that stops ``drafter`` from drafting ``decision`` on ``case``.

    ``category`` is the case's category (from :func:`case_category`).
    """
    failures: list[RuleFailure] = []
    if case.status not in (CaseStatus.DRAFT, CaseStatus.IN_REVIEW, CaseStatus.RETURNED):
        failures.append(RuleFailure(
            "case open for drafting",
            f"the case is {case.status.value}; a decision is drafted on a case in draft, in "
            "review, or returned to its drafter"))
    if drafter.role not in (Role.OFFICER, Role.SENIOR_OFFICER):
        failures.append(RuleFailure(
            "drafter role", f"{drafter.username} is {_article(drafter.role.value)}; an officer or "
                            "senior officer drafts decisions"))
    if not case.items:
        failures.append(RuleFailure("items", "the case has no items; add the items applied for"))
    # "Assessed" means controlled with at least one entry, not controlled, or catch-all.
    unassessed = [item.line for item in case.items
                  if item.assessment.status is AssessmentStatus.UNASSESSED
                  or (item.assessment.status is AssessmentStatus.CONTROLLED
                      and not item.assessment.entry_codes)]
    if unassessed:
        failures.append(RuleFailure(
            "every item assessed",
            f"assess line(s) {', '.join(map(str, unassessed))}: controlled (with entries), "
            "not controlled, or catch-all concern"))
    missing = [factor.value for factor in Factor if case.factor(factor) is None]
    if missing:
        failures.append(RuleFailure(
            "every factor found",
            f"record a finding for factor(s) {', '.join(missing)}"))
    if destination.raised and case.flags_acknowledged_by is None:
        failures.append(RuleFailure(
            "destination flags acknowledged",
            "acknowledge the destination flags before drafting: "
            + "; ".join(destination.raised)))
    if not decision.rationale.strip():
        failures.append(RuleFailure(
            "decision rationale", "write the rationale of the decision"))

    outcome = decision.outcome
    if outcome is Outcome.APPROVE_WITH_CONDITIONS and not any(
            condition.strip() for condition in decision.conditions):
        failures.append(RuleFailure(
            "conditions", "approval with conditions needs at least one condition"))
    if outcome is not Outcome.APPROVE_WITH_CONDITIONS and decision.conditions:
        failures.append(RuleFailure(
            "conditions only with conditional approval",
            f"a decision to {outcome.value} carries no conditions; choose approve with "
            "conditions or remove them"))
    if outcome is Outcome.DENY and not any(
            finding.finding.is_concern for finding in case.factors):
        failures.append(RuleFailure(
            "denial grounds", "a denial needs at least one factor found to be a concern"))

    if outcome.is_approval:
        needs_statement = [item.line for item in case.items if item.assessment.status in (
            AssessmentStatus.CONTROLLED, AssessmentStatus.CATCH_ALL)]
        if needs_statement and not case.end_user_statement.strip():
            failures.append(RuleFailure(
                "end-user statement",
                f"record the end-user statement (line(s) "
                f"{', '.join(map(str, needs_statement))} are controlled or of concern)"))
        if category is Category.I:
            missing_assurances = [a.value for a in Assurance if a not in case.assurances]
            if missing_assurances:
                failures.append(RuleFailure(
                    "government assurances",
                    "Category I approval needs the recipient government's assurances: "
                    + ", ".join(missing_assurances)))
            if not decision.presumption_acknowledged:
                failures.append(RuleFailure(
                    "presumption of denial",
                    "Category I transfers face a strong presumption of denial: acknowledge it "
                    "in the rationale step"))
        facilities = sorted({
            code for item in case.items for code in item.assessment.entry_codes
            if item.assessment.status is AssessmentStatus.CONTROLLED
            and is_category_i_production_facility(code)})
        if facilities:
            failures.append(RuleFailure(
                "no Category I production facilities",
                f"transfers of Category I production facilities ({', '.join(facilities)}) "
                "are not authorised; the decision cannot be an approval"))
    return failures


# --- countersigning --------------------------------------------------------------------


def check_countersign(
    case: Case,
    decision: Decision | None,
    *,
    category: Category | None,
    countersigner: User,
    agree: bool,
    comment: str = "",
) -> list[RuleFailure]:
    """Return every rule that stops ``countersigner`` from countersigning."""
    failures: list[RuleFailure] = []
    if case.status is not CaseStatus.AWAITING_COUNTERSIGNATURE or decision is None:
        failures.append(RuleFailure(
            "decision awaiting countersignature",
            f"the case is {case.status.value}; only a drafted decision is countersigned"))
        return failures
    if decision.drafted_by == countersigner.username:
        failures.append(RuleFailure(
            "four eyes", "the countersigner is never the drafter: a second officer "
                         "countersigns"))
    if not countersigner.role.may_countersign:
        failures.append(RuleFailure(
            "countersigner role",
            f"{countersigner.username} is {_article(countersigner.role.value)}; an officer or "
            "senior "
            "officer countersigns"))
    elif category is Category.I and countersigner.role is not Role.SENIOR_OFFICER:
        failures.append(RuleFailure(
            "senior countersigner", "a Category I decision is countersigned by a senior "
                                    "officer"))
    if not agree and not comment.strip():
        failures.append(RuleFailure(
            "return comment", "say why the decision goes back to its drafter"))
    return failures
