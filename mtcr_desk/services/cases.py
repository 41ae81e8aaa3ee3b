"""Case review: creating cases, assessing items, factors, decisions and countersignatures.

Every method checks the rules of :mod:`mtcr_desk.domain.rules`, then writes in one
``BEGIN IMMEDIATE`` transaction together with one audit row per changed record.
Methods take keyword arguments and an ``actor`` (a signed-in :class:`User`);
drafting and countersigning re-check the actor's password. A refusal raises a
domain error naming every unmet rule; nothing is written then.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

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
    Note,
    Outcome,
    Party,
)
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.errors import (
    InvalidInputError,
    NotFoundError,
    RulesNotMet,
    RuleViolation,
)
from mtcr_desk.domain.rules import (
    RuleFailure,
    case_category,
    check_assessment,
    check_countersign,
    check_draft,
    item_category,
)
from mtcr_desk.domain.text import is_finite_number, text_problem
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services import reference_data, users
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import utc_now_iso
from mtcr_desk.storage import audit, control_lists
from mtcr_desk.storage import cases as case_store
from mtcr_desk.storage import memos as memo_store
from mtcr_desk.storage import settings as settings_store
from mtcr_desk.storage.database import Store

REFERENCE_PATTERN = re.compile(r"^MTCR-\d{4}-\d{4,}$")
MAX_TEXT = 20_000
MAX_QUANTITY = 1e12
MAX_VALUE = 1e15


def _parse_date(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(f"{field}: expected a date YYYY-MM-DD, got {value!r}") from error


def _check_text(value: str, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{field}: expected text")
    if required and not value.strip():
        raise InvalidInputError(f"{field}: must not be empty")
    if len(value) > limit:
        raise InvalidInputError(f"{field}: too long ({len(value)} characters, at most {limit})")
    problem = text_problem(value)
    if problem:
        raise InvalidInputError(f"{field}: {problem}")
    return value


def validate_item(item: Item, where: str) -> None:
    """Refuse an item whose fields make no sense, naming the field."""
    _check_text(item.description, f"{where}.description", required=True, limit=2_000)
    if not is_finite_number(item.quantity) or not 0 < item.quantity <= MAX_QUANTITY:
        raise InvalidInputError(f"{where}.quantity: must be a positive number "
                                f"(at most {MAX_QUANTITY:g})")
    if item.value is not None and (not is_finite_number(item.value)
                                   or not 0 <= item.value <= MAX_VALUE):
        raise InvalidInputError(f"{where}.value: must be a number of zero or more "
                                f"(at most {MAX_VALUE:g})")
    if not re.fullmatch(r"[A-Z]{3}", item.currency or ""):
        raise InvalidInputError(f"{where}.currency: a three-letter ISO 4217 code such as EUR")
    for field in ("unit", "manufacturer", "part_number"):
        _check_text(getattr(item, field), f"{where}.{field}", limit=500)


class CaseService:
    """Everything an officer does on a case."""

    def __init__(self, store: Store):
        self._store = store

    @property
    def connection(self):
        return self._store.connection

    # --- reading -----------------------------------------------------------------------

    def get(self, reference: str) -> Case:
        """Return a case by reference, or raise NotFoundError."""
        reference = reference.strip().upper()
        case = case_store.load_case(self.connection, reference)
        if case is None:
            raise NotFoundError(f"No case {reference}")
        return case

    def list(self, *, status: str | None = None, training: bool | None = False) -> list[tuple]:
        """Return summary rows of cases (see :func:`storage.cases.list_cases`)."""
        if status is not None and status not in {s.value for s in CaseStatus}:
            raise InvalidInputError(
                f"status: one of {', '.join(s.value for s in CaseStatus)}")
        return case_store.list_cases(self.connection, status=status, training=training)

    def category(self, case: Case) -> Category | None:
        """Return the case's MTCR category (the highest of its items)."""
        return case_category(self.item_category(case, item) for item in case.items)

    def item_category(self, case: Case, item: Item) -> Category | None:
        """Return one item's MTCR category under the case's pinned edition."""
        categories = case_store.entry_categories(self.connection, case.edition_id,
                                                 item.assessment.entry_codes)
        return item_category(
            item.assessment,
            {code: Category(value) if value else None for code, value in categories.items()},
            edition_has_categories=case_store.edition_has_categories(self.connection,
                                                                     case.edition_id))

    def draft_checklist(self, reference: str, decision: Decision, *,
                        drafter: User) -> list[RuleFailure]:
        """Return the rules a decision would not meet (empty when it can be drafted)."""
        case = self.get(reference)
        return check_draft(case, decision, category=self.category(case),
                           destination=reference_data.destination_flags(self._store,
                                                                         case.destination),
                           drafter=drafter)

    # --- creating ----------------------------------------------------------------------

    def default_edition(self) -> str:
        """The edition new cases pin: the newest full-text MTCR edition, else the structure."""
        return ControlListService(self._store).default_edition()

    def create(self, *, actor: User, applicant: str, destination: str, end_use: str = "",
               received_on: str | None = None, due_on: str | None = None,
               officer: str | None = None, edition_id: str | None = None,
               parties: Sequence[Party] = (), items: Sequence[Item] = (),
               assurances: Iterable[Assurance] = (), end_user_statement: str = "",
               training: bool = False, year: int | None = None) -> Case:
        """Open a new case with its parties and items; return it with its reference."""
        self._require_case_worker(actor, "open a case")
        _check_text(applicant, "applicant", required=True, limit=500)
        _check_text(end_use, "end use")
        _check_text(end_user_statement, "end-user statement", limit=2_000)
        destination = destination.strip().upper()
        reference_data.country(self._store, destination)
        received = _parse_date(received_on or datetime.date.today().isoformat(), "received")
        if due_on is not None and _parse_date(due_on, "due") < received:
            raise InvalidInputError("due: the due date is before the date received")
        edition_id = edition_id or self.default_edition()
        if control_lists.get_edition(self.connection, edition_id) is None:
            raise NotFoundError(f"No edition {edition_id!r} (see: mtcr-desk list editions)")
        if officer is not None and users.get_user(self._store, officer) is None:
            raise NotFoundError(f"No user {officer!r} to assign the case to")
        for index, party in enumerate(parties):
            _check_text(party.name, f"parties[{index}].name", required=True, limit=500)
            if party.country:
                reference_data.country(self._store, party.country)
        numbered = [replace(item, line=line) for line, item in enumerate(items, start=1)]
        for index, item in enumerate(numbered):
            validate_item(item, f"items[{index}]")

        # Every case opened in the training sandbox is a training case, whoever opens it.
        training = training or settings_store.is_training_database(self.connection)
        with self._store.write() as connection:
            reference, number = case_store.next_reference(
                connection, year or received.year)
            row_id = case_store.insert_case(connection, {
                "reference": reference, "year": year or received.year, "number": number,
                "status": CaseStatus.DRAFT.value, "applicant": applicant.strip(),
                "destination": destination, "end_use": end_use, "received_on":
                received.isoformat(), "due_on": due_on, "officer": officer or actor.username,
                "edition_id": edition_id, "training": int(training),
                "assurances": json.dumps(sorted(a.value for a in assurances)),
                "end_user_statement": end_user_statement, "created_at": utc_now_iso(),
                "created_by": actor.username,
            }, actor=actor.username, action="open case")
            for position, party in enumerate(parties):
                case_store.insert_party(connection, row_id, replace(
                    party, country=party.country.upper()), position, actor=actor.username)
            for item in numbered:
                case_store.insert_item(connection, row_id, item, actor=actor.username)
        return self.get(reference)

    # --- recording ---------------------------------------------------------------------

    def _require_case_worker(self, actor: User, action: str) -> None:
        if actor.role not in (Role.OFFICER, Role.SENIOR_OFFICER, Role.TRAINER):
            article = "an" if actor.role.value[:1] in "aeiou" else "a"
            raise RuleViolation(f"{action}: {actor.username} is {article} {actor.role.value}; "
                                "officers work on cases")

    def _open_for_changes(self, case: Case, action: str) -> None:
        if case.status.is_final:
            raise RuleViolation(f"{action}: {case.reference} is {case.status.value} and final; "
                                "amend it to change anything")
        if case.status is CaseStatus.AWAITING_COUNTERSIGNATURE:
            raise RuleViolation(f"{action}: the decision on {case.reference} awaits "
                                "countersignature; the countersigner must return it first")

    def _unchanged_since_read(self, connection, case: Case) -> Case:
        """Re-read the case inside the write transaction; refuse if it moved on meanwhile.

        The checks before a write run on a case read before the transaction; another
        officer (or window) may have drafted, countersigned or withdrawn it since.
        """
        current = case_store.load_case(connection, case.reference)
        if current is None or current.status is not case.status or \
                len(current.decisions) != len(case.decisions):
            raise RuleViolation(f"{case.reference} changed while you were working on it "
                                f"(now {current.status.value if current else 'gone'}); "
                                "reload it and try again")
        return current

    def _start_review(self, connection, case: Case, actor: User) -> None:
        """A draft case moves to review with the first finding recorded on it."""
        if case.status is CaseStatus.DRAFT:
            case_store.update_case(connection, case.id, {"status": CaseStatus.IN_REVIEW.value},
                                   actor=actor.username, action="start review")

    def add_item(self, reference: str, item: Item, *, actor: User) -> Case:
        """Add a line to a case (numbered after the last one)."""
        self._require_case_worker(actor, "add item")
        case = self.get(reference)
        self._open_for_changes(case, "add item")
        item = replace(item, line=max((i.line for i in case.items), default=0) + 1)
        validate_item(item, "item")
        with self._store.write() as connection:
            self._unchanged_since_read(connection, case)
            case_store.insert_item(connection, case.id, item, actor=actor.username)
        return self.get(reference)

    def update_details(self, reference: str, *, actor: User, end_use: str | None = None,
                       end_user_statement: str | None = None,
                       assurances: Iterable[Assurance] | None = None,
                       due_on: str | None = None) -> Case:
        """Change the end use, end-user statement, assurances or due date."""
        self._require_case_worker(actor, "edit case")
        case = self.get(reference)
        self._open_for_changes(case, "edit case")
        changes: dict = {}
        if end_use is not None:
            changes["end_use"] = _check_text(end_use, "end use")
        if end_user_statement is not None:
            changes["end_user_statement"] = _check_text(end_user_statement,
                                                        "end-user statement", limit=2_000)
        if assurances is not None:
            changes["assurances"] = json.dumps(sorted(a.value for a in assurances))
        if due_on is not None:
            if _parse_date(due_on, "due") < _parse_date(case.received_on, "received"):
                raise InvalidInputError("due: the due date is before the date received")
            changes["due_on"] = due_on
        if changes:
            with self._store.write() as connection:
                self._unchanged_since_read(connection, case)
                case_store.update_case(connection, case.id, changes, actor=actor.username,
                                       action="edit case")
        return self.get(reference)

    def assess(self, reference: str, *, line: int, status: AssessmentStatus,
               entry_codes: Sequence[str] = (), category: str | None = None, rationale: str,
               actor: User, precedent: str | None = None) -> Case:
        """Record the assessment of one item against the case's pinned edition."""
        self._require_case_worker(actor, "assess")
        case = self.get(reference)
        self._open_for_changes(case, "assess")
        item = case.item(line)
        if item is None:
            raise NotFoundError(f"{case.reference} has no line {line}")
        _check_text(rationale, "rationale")
        codes = tuple(dict.fromkeys(code.strip() for code in entry_codes if code.strip()))
        codes = tuple(self._resolve_code(case.edition_id, code) for code in codes)
        assessment = Assessment(status=status, entry_codes=codes, category=category,
                                rationale=rationale, assessed_by=actor.username,
                                assessed_at=utc_now_iso(), precedent=precedent)
        edition = control_lists.get_edition(self.connection, case.edition_id)
        failures = check_assessment(
            assessment, known_codes=case_store.entry_kinds(self.connection, case.edition_id,
                                                           codes),
            edition_id=case.edition_id,
            edition_has_categories=bool(edition and edition.has_mtcr_categories))
        if failures:
            raise RulesNotMet(f"assess line {line} of {case.reference}", failures)
        if edition and edition.has_mtcr_categories:
            assessment = replace(assessment, category=None)
        with self._store.write() as connection:
            self._unchanged_since_read(connection, case)
            case_store.save_assessment(connection, item.id, assessment,
                                       edition_id=case.edition_id, actor=actor.username)
            self._start_review(connection, case, actor)
        return self.get(reference)

    def _resolve_code(self, edition_id: str, typed: str) -> str:
        """Return the stored code for a code typed in any form (2a1c -> 2.A.1.c)."""
        from mtcr_desk.domain.codes import lookup_key

        key = lookup_key(typed)
        if key is not None:
            found = control_lists.find_entries_by_key(self.connection, key, edition_id=edition_id)
            if found:
                return found[0].code
        return typed

    def record_factor(self, reference: str, *, factor: Factor, finding: Finding, note: str = "",
                      actor: User) -> Case:
        """Record the finding on one evaluation factor."""
        self._require_case_worker(actor, "record factor")
        case = self.get(reference)
        self._open_for_changes(case, "record factor")
        _check_text(note, "note")
        with self._store.write() as connection:
            self._unchanged_since_read(connection, case)
            case_store.save_factor(connection, case.id, FactorFinding(
                factor=factor, finding=finding, note=note, recorded_by=actor.username,
                recorded_at=utc_now_iso()), actor=actor.username)
            self._start_review(connection, case, actor)
        return self.get(reference)

    def acknowledge_flags(self, reference: str, *, actor: User) -> Case:
        """Record that the officer has seen the destination flags."""
        self._require_case_worker(actor, "acknowledge flags")
        case = self.get(reference)
        self._open_for_changes(case, "acknowledge flags")
        flags = reference_data.destination_flags(self._store, case.destination).raised
        if not flags:
            raise RuleViolation(f"acknowledge flags: {case.reference} raises no destination flag")
        with self._store.write() as connection:
            self._unchanged_since_read(connection, case)
            self._acknowledge(connection, case, actor)
        return self.get(reference)

    def _acknowledge(self, connection, case: Case, actor: User) -> None:
        case_store.update_case(connection, case.id, {
            "flags_acknowledged_by": actor.username, "flags_acknowledged_at": utc_now_iso()},
            actor=actor.username, action="acknowledge destination flags")

    def add_note(self, reference: str, *, text: str, actor: User) -> Case:
        """Add a note to the case timeline (allowed on final cases too)."""
        self._require_case_worker(actor, "add note")
        case = self.get(reference)
        _check_text(text, "note", required=True)
        with self._store.write() as connection:
            case_store.insert_note(connection, case.id, Note(
                text=text, author=actor.username, created_at=utc_now_iso()))
        return self.get(reference)

    # --- deciding ----------------------------------------------------------------------

    def draft_decision(self, reference: str, *, actor: User, password: str, outcome: Outcome,
                       rationale: str, conditions: Sequence[str] = (),
                       presumption_acknowledged: bool = False,
                       acknowledge_flags: bool = False) -> Case:
        """Draft the decision; it then awaits a second officer's countersignature."""
        signer = users.authenticate(self._store, username=actor.username, password=password)
        case = self.get(reference)
        _check_text(rationale, "rationale")
        conditions = tuple(_check_text(c, f"conditions[{i}]").strip()
                           for i, c in enumerate(conditions) if c.strip())
        destination = reference_data.destination_flags(self._store, case.destination)
        acknowledging = acknowledge_flags and destination.raised and not case.flags_acknowledged_by
        checked_case = replace(case, flags_acknowledged_by=signer.username) if acknowledging \
            else case
        decision = Decision(outcome=outcome, rationale=rationale, conditions=conditions,
                            presumption_acknowledged=presumption_acknowledged,
                            drafted_by=signer.username, drafted_at=utc_now_iso())
        failures = check_draft(checked_case, decision, category=self.category(case),
                               destination=destination, drafter=signer)
        if failures:
            raise RulesNotMet(f"draft the decision on {case.reference}", failures)
        with self._store.write() as connection:
            current = self._unchanged_since_read(connection, case)
            if current != case:
                raise RuleViolation(f"{case.reference} changed while you were drafting; "
                                    "reload it and check the decision again")
            if acknowledging:
                self._acknowledge(connection, case, signer)
            case_store.insert_decision(connection, case.id, decision, actor=signer.username)
            case_store.update_case(connection, case.id, {
                "status": CaseStatus.AWAITING_COUNTERSIGNATURE.value},
                actor=signer.username, action="draft decision")
        return self.get(reference)

    def countersign(self, reference: str, *, actor: User, password: str, agree: bool,
                    comment: str = "") -> Case:
        """Agree (the decision becomes final) or return it to its drafter with a comment."""
        signer = users.authenticate(self._store, username=actor.username, password=password)
        case = self.get(reference)
        decision = case.current_decision
        failures = check_countersign(case, decision, category=self.category(case),
                                     countersigner=signer, agree=agree, comment=comment)
        if failures:
            raise RulesNotMet(f"countersign {case.reference}", failures)
        assert decision is not None and decision.id is not None
        signed_at = utc_now_iso()
        with self._store.write() as connection:
            self._unchanged_since_read(connection, case)
            _, head_before = audit.head(connection)
            memo_pdf = memo_sha256 = None
            if agree:
                memo_pdf = self._memo_of_record(case, decision, signer=signer,
                                                signed_at=signed_at, audit_head=head_before)
                memo_sha256 = hashlib.sha256(memo_pdf).hexdigest()
            case_store.countersign_decision(
                connection, decision.id, by=signer.username, at=signed_at,
                countersignature="agreed" if agree else "returned", comment=comment,
                memo_sha256=memo_sha256,
                audit_head=head_before if agree else None)
            if memo_pdf is not None:
                memo_store.insert_memo(connection, decision.id, sha256=memo_sha256,
                                       pdf=memo_pdf, actor=signer.username)
            case_store.update_case(connection, case.id, {
                "status": (CaseStatus.DECIDED if agree else CaseStatus.RETURNED).value},
                actor=signer.username,
                action="countersign (agreed)" if agree else "countersign (returned)")
        return self.get(reference)

    def _memo_of_record(self, case: Case, decision: Decision, *, signer: User, signed_at: str,
                        audit_head: str) -> bytes:
        """Render the memo of the decision as it is about to become final."""
        # Imported here: services.memos builds on this service.
        from mtcr_desk.services.memos import render_case_memo

        final_decision = replace(decision, countersigned_by=signer.username,
                                 countersigned_at=signed_at, countersignature="agreed",
                                 audit_head=audit_head)
        final_case = replace(case, status=CaseStatus.DECIDED,
                             decisions=(*case.decisions[:-1], final_decision))
        return render_case_memo(self._store, final_case)

    def withdraw(self, reference: str, *, actor: User, reason: str) -> Case:
        """Close a case the applicant withdrew (final)."""
        self._require_case_worker(actor, "withdraw")
        case = self.get(reference)
        if case.status.is_final:
            raise RuleViolation(f"withdraw: {case.reference} is already {case.status.value}")
        _check_text(reason, "reason", required=True)
        with self._store.write() as connection:
            self._unchanged_since_read(connection, case)
            case_store.insert_note(connection, case.id, Note(
                text=f"Withdrawn: {reason}", author=actor.username, created_at=utc_now_iso()))
            case_store.update_case(connection, case.id, {"status": CaseStatus.WITHDRAWN.value},
                                   actor=actor.username, action="withdraw case")
        return self.get(reference)

    def amend(self, reference: str, *, actor: User, reason: str) -> Case:
        """Open a new version of a decided case, linked to it; the old one stays untouched."""
        self._require_case_worker(actor, "amend")
        old = self.get(reference)
        if old.status is not CaseStatus.DECIDED:
            raise RuleViolation(f"amend: only a decided case is amended; {old.reference} is "
                                f"{old.status.value}")
        _check_text(reason, "reason", required=True)
        with self._store.write() as connection:
            year = datetime.date.today().year
            new_reference, number = case_store.next_reference(connection, year)
            row_id = case_store.insert_case(connection, {
                "reference": new_reference, "year": year, "number": number,
                "status": CaseStatus.IN_REVIEW.value, "applicant": old.applicant,
                "destination": old.destination, "end_use": old.end_use,
                "received_on": old.received_on, "due_on": old.due_on, "officer": old.officer,
                "edition_id": old.edition_id, "training": int(old.training),
                "assurances": json.dumps(sorted(a.value for a in old.assurances)),
                "end_user_statement": old.end_user_statement, "amends_case_id": old.id,
                "version": old.version + 1, "created_at": utc_now_iso(),
                "created_by": actor.username,
            }, actor=actor.username, action=f"amend {old.reference}")
            for position, party in enumerate(old.parties):
                case_store.insert_party(connection, row_id, party, position,
                                        actor=actor.username)
            for item in old.items:
                item_row = case_store.insert_item(connection, row_id, item, actor=actor.username)
                if item.assessment.status is not AssessmentStatus.UNASSESSED:
                    case_store.save_assessment(connection, item_row, item.assessment,
                                               edition_id=old.edition_id, actor=actor.username,
                                               action=f"amend {old.reference}")
            for finding in old.factors:
                case_store.save_factor(connection, row_id, finding, actor=actor.username)
            case_store.insert_note(connection, row_id, Note(
                text=f"Amends {old.reference}: {reason}", author=actor.username,
                created_at=utc_now_iso()))
        return self.get(new_reference)

    def amended_by(self, reference: str) -> list[str]:
        """Return the references of the cases that amend this one."""
        return case_store.amending_references(self.connection, reference.strip().upper())

    # --- taking an edit back (undo) ----------------------------------------------------

    def reset_assessment(self, reference: str, *, line: int, actor: User) -> Case:
        """Put one item back to "unassessed" (no entries, category or rationale).

        Used to undo the first assessment of an item; the case keeps its status
        (a review once started stays in review) and the audit shows the reset.
        """
        self._require_case_worker(actor, "reset assessment")
        case = self.get(reference)
        self._open_for_changes(case, "reset assessment")
        item = case.item(line)
        if item is None:
            raise NotFoundError(f"{case.reference} has no line {line}")
        if item.assessment.status is AssessmentStatus.UNASSESSED:
            return case
        with self._store.write() as connection:
            self._unchanged_since_read(connection, case)
            case_store.save_assessment(connection, item.id, Assessment(),
                                       edition_id=case.edition_id, actor=actor.username,
                                       action="reset assessment")
        return self.get(reference)

    def clear_factor(self, reference: str, *, factor: Factor, actor: User) -> Case:
        """Remove the finding on one factor (used to undo its first finding)."""
        from mtcr_desk.storage import case_edits

        self._require_case_worker(actor, "clear factor")
        case = self.get(reference)
        self._open_for_changes(case, "clear factor")
        if case.factor(factor) is None:
            raise NotFoundError(f"{case.reference} has no finding on factor {factor.value}")
        with self._store.write() as connection:
            self._unchanged_since_read(connection, case)
            case_edits.delete_factor(connection, case.id, factor, actor=actor.username)
        return self.get(reference)
