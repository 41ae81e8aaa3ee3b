"""Licence cases and everything an officer records on them.

A case is one export-licence application: the applicant and other parties, the
destination and end use, the items, the officer's assessment of each item
against the control list, the six MTCR evaluation factors, the decision and
its countersignature, and notes. Every case pins the control-list edition its
assessments are made against.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class CaseStatus(enum.StrEnum):
    """Where a case is in its life."""

    DRAFT = "draft"
    IN_REVIEW = "in review"
    AWAITING_COUNTERSIGNATURE = "awaiting countersignature"
    DECIDED = "decided"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        """True when nothing on the case may change any more (amend instead)."""
        return self in (CaseStatus.DECIDED, CaseStatus.WITHDRAWN)


class PartyRole(enum.StrEnum):
    """The part a party plays in the transfer."""

    APPLICANT = "applicant"
    CONSIGNEE = "consignee"
    END_USER = "end user"
    ULTIMATE_END_USER = "ultimate end user"
    INTERMEDIATE_CONSIGNEE = "intermediate consignee"
    THIRD_PARTY = "third party"


class AssessmentStatus(enum.StrEnum):
    """The officer's finding on one item."""

    UNASSESSED = "unassessed"
    CONTROLLED = "controlled"
    NOT_CONTROLLED = "not controlled"
    CATCH_ALL = "catch-all concern"


class Finding(enum.StrEnum):
    """The finding on one evaluation factor."""

    NO_CONCERN = "no concern"
    CONCERN = "concern"
    SERIOUS_CONCERN = "serious concern"
    NOT_APPLICABLE = "not applicable"

    @property
    def is_concern(self) -> bool:
        return self in (Finding.CONCERN, Finding.SERIOUS_CONCERN)


class Factor(enum.StrEnum):
    """The six factors of the MTCR Guidelines weighed on every case."""

    A = "a"
    B = "b"
    C = "c"
    D = "d"
    E = "e"
    F = "f"

    @property
    def description(self) -> str:
        return FACTOR_DESCRIPTIONS[self]


FACTOR_DESCRIPTIONS = {
    Factor.A: "Concerns about the proliferation of weapons of mass destruction",
    Factor.B: "Capabilities and objectives of the missile and space programmes of the "
              "recipient state",
    Factor.C: "Significance of the transfer for the potential development of delivery "
              "systems (other than manned aircraft) for weapons of mass destruction",
    Factor.D: "Assessment of the end use of the transfers, including the relevant "
              "assurances of the recipient state",
    Factor.E: "Applicability of relevant multilateral agreements",
    Factor.F: "Risk of controlled items falling into the hands of terrorist groups and "
              "individuals",
}


class Outcome(enum.StrEnum):
    """What the decision is."""

    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve with conditions"
    DENY = "deny"
    RETURN_WITHOUT_ACTION = "return without action"
    NO_LICENCE_REQUIRED = "no licence required"

    @property
    def is_approval(self) -> bool:
        return self in (Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS)


class Assurance(enum.StrEnum):
    """The recipient government's assurances a Category I approval needs."""

    USE_AS_STATED = "use only for the stated purpose"
    NO_MODIFICATION = "no modification or replication"
    NO_RETRANSFER = "no retransfer without consent"


@dataclass(frozen=True)
class Party:
    """A party to the transfer."""

    role: PartyRole
    name: str
    address: str = ""
    country: str = ""  # ISO 3166 alpha-2
    id: int | None = None


@dataclass(frozen=True)
class Assessment:
    """The officer's assessment of one item against the pinned edition."""

    status: AssessmentStatus = AssessmentStatus.UNASSESSED
    #: Entry codes of the pinned edition (controlled items).
    entry_codes: tuple[str, ...] = ()
    #: MTCR category recorded with the assessment; required when the pinned
    #: edition carries no MTCR categories (the EU list), derived otherwise.
    category: str | None = None
    rationale: str = ""
    assessed_by: str | None = None
    assessed_at: str | None = None
    #: The item whose assessment was applied as a precedent, as "MTCR-2026-0001 line 2".
    precedent: str | None = None


@dataclass(frozen=True)
class Item:
    """One line of the application."""

    line: int
    description: str
    quantity: float
    unit: str = "pieces"
    manufacturer: str = ""
    part_number: str = ""
    value: float | None = None
    currency: str = "EUR"
    assessment: Assessment = field(default_factory=Assessment)
    id: int | None = None


@dataclass(frozen=True)
class FactorFinding:
    """The finding on one evaluation factor."""

    factor: Factor
    finding: Finding
    note: str = ""
    recorded_by: str | None = None
    recorded_at: str | None = None


@dataclass(frozen=True)
class Decision:
    """A drafted decision and, once countersigned, the final one."""

    outcome: Outcome
    rationale: str
    conditions: tuple[str, ...] = ()
    #: The drafter acknowledged the strong presumption of denial (Category I).
    presumption_acknowledged: bool = False
    drafted_by: str | None = None
    drafted_at: str | None = None
    countersigned_by: str | None = None
    countersigned_at: str | None = None
    #: "agreed" or "returned" once countersigned.
    countersignature: str | None = None
    return_comment: str = ""
    memo_sha256: str | None = None
    #: Head of the audit chain when the decision became final.
    audit_head: str | None = None
    id: int | None = None

    @property
    def is_final(self) -> bool:
        return self.countersignature == "agreed"


@dataclass(frozen=True)
class Note:
    """A free-text note on the case timeline."""

    text: str
    author: str
    created_at: str
    id: int | None = None


@dataclass(frozen=True)
class Case:
    """A licence case with everything recorded on it."""

    reference: str
    status: CaseStatus
    applicant: str
    destination: str  # ISO 3166 alpha-2
    end_use: str
    received_on: str  # YYYY-MM-DD
    due_on: str | None
    officer: str | None
    edition_id: str
    training: bool = False
    #: The recipient government's assurances recorded on the case.
    assurances: frozenset[Assurance] = frozenset()
    #: A reference to the end-user statement on file (empty when none).
    end_user_statement: str = ""
    #: Who acknowledged the destination flags, and when (required before drafting).
    flags_acknowledged_by: str | None = None
    flags_acknowledged_at: str | None = None
    #: The case this one amends, by reference (amendments are new case versions).
    amends: str | None = None
    parties: tuple[Party, ...] = ()
    items: tuple[Item, ...] = ()
    factors: tuple[FactorFinding, ...] = ()
    decisions: tuple[Decision, ...] = ()
    notes: tuple[Note, ...] = ()
    created_at: str = ""
    created_by: str = ""
    version: int = 1
    id: int | None = None

    @property
    def current_decision(self) -> Decision | None:
        """The latest decision drafted on the case, if any."""
        return self.decisions[-1] if self.decisions else None

    def factor(self, factor: Factor) -> FactorFinding | None:
        """The finding recorded for one factor, if any."""
        for finding in self.factors:
            if finding.factor is factor:
                return finding
        return None

    def item(self, line: int) -> Item | None:
        """The item on a line, if any."""
        for item in self.items:
            if item.line == line:
                return item
        return None
