"""Re-review after a new edition: which cases it touches, and moving a case to it.

Every assessment pins the edition it was made against, and a new edition never
silently changes an old decision. When a new Annex arrives, :func:`affected_cases`
lists the cases whose assessments use entries that changed or vanished, and
:func:`repin_case` is the only way to move a case to another edition: it re-opens
the assessments the change touches and keeps the others, all audited.

An entry counts as changed when its own content differs (see
:mod:`mtcr_desk.services.edition_diff`) or when anything beneath it changed, was
removed or was added: a sub-entry or note under ``3.A.1`` changes what ``3.A.1``
controls (a new "does not control" note narrows it), so an item assessed as
``3.A.1`` is looked at again. A change above an entry (its section or Item
heading) does not count: it does not change the entry's scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from mtcr_desk.domain.cases import AssessmentStatus, Case, CaseStatus, Item, Note
from mtcr_desk.domain.errors import RuleViolation
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import utc_now_iso
from mtcr_desk.services.edition_diff import EditionDiff, diff_editions
from mtcr_desk.storage import case_queries, control_lists
from mtcr_desk.storage import cases as case_store
from mtcr_desk.storage.database import Store

CHANGED = "changed"
REMOVED = "removed"


class AffectedLine(NamedTuple):
    """One entry code on one line that the new edition changed or removed."""

    line: int
    code: str
    #: "changed" or "removed".
    change: str


@dataclass(frozen=True)
class AffectedCase:
    """A case pinned to the old edition with assessments the new edition touches."""

    reference: str
    status: CaseStatus
    lines: tuple[AffectedLine, ...]
    training: bool = False

    @property
    def is_final(self) -> bool:
        """True for decided and withdrawn cases: amend them to re-assess."""
        return self.status.is_final


@dataclass(frozen=True)
class EditionChanges:
    """What moving from one edition to another does to the old edition's codes."""

    diff: EditionDiff
    #: ``{code of the old edition: "changed" | "removed"}``; codes not listed are unchanged.
    codes: Mapping[str, str]


def edition_changes(store: Store, old_edition: str, new_edition: str) -> EditionChanges:
    """Return the old edition's codes that changed or vanished in the new one.

    Raises NotFoundError naming the loaded editions when either is unknown.
    """
    diff = diff_editions(ControlListService(store), old_edition, new_edition)
    connection = store.connection
    old_parents = {e.code: e.parent_code
                   for e in control_lists.edition_entries(connection, old_edition)}
    new_parents = {e.code: e.parent_code
                   for e in control_lists.edition_entries(connection, new_edition)}
    codes: dict[str, str] = {entry.code: REMOVED for entry in diff.removed}

    def mark_changed(code: str | None, parents: Mapping[str, str | None]) -> None:
        seen: set[str] = set()
        while code is not None and code not in seen:
            seen.add(code)
            if code in old_parents and code not in codes:
                codes[code] = CHANGED
            code = parents.get(code)

    for change in diff.changed:
        mark_changed(change.code, old_parents)
        mark_changed(change.code, new_parents)
    for entry in diff.removed:
        mark_changed(entry.parent_code, old_parents)
    for entry in diff.added:
        mark_changed(entry.parent_code, new_parents)
    return EditionChanges(diff=diff, codes=codes)


def affected_cases(store: Store, old_edition: str, new_edition: str) -> list[AffectedCase]:
    """Return the cases (open and final, live and training) that pin ``old_edition`` and
    use entries that changed or vanished in ``new_edition``, in reference order."""
    changes = edition_changes(store, old_edition, new_edition).codes
    found: dict[str, tuple[str, bool, list[AffectedLine]]] = {}
    for row in case_queries.entries_of_cases_pinning(store.connection, old_edition):
        change = changes.get(row.code)
        if change is None:
            continue
        found.setdefault(row.reference, (row.status, row.training, []))[2].append(
            AffectedLine(row.line, row.code, change))
    return [AffectedCase(reference=reference, status=CaseStatus(status),
                         lines=tuple(lines), training=training)
            for reference, (status, training, lines) in found.items()]


# --- re-pinning ------------------------------------------------------------------------


def _lines(numbers: list[int]) -> str:
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(map(str, numbers))


def _check_repin(case: Case, new_edition: str, actor: User) -> None:
    if actor.role not in (Role.OFFICER, Role.SENIOR_OFFICER, Role.TRAINER):
        raise RuleViolation(f"re-pin: {actor.username} is an {actor.role.value}; officers "
                            "work on cases")
    if case.status.is_final:
        raise RuleViolation(f"re-pin: {case.reference} is {case.status.value} and final; amend "
                            "it first, then re-pin the amendment")
    if case.status is CaseStatus.AWAITING_COUNTERSIGNATURE:
        raise RuleViolation(f"re-pin: the decision on {case.reference} awaits "
                            "countersignature; the countersigner must return it first")
    if case.edition_id == new_edition:
        raise RuleViolation(f"re-pin: {case.reference} already pins edition {new_edition}; "
                            "choose another edition")


def repin_case(store: Store, reference: str, *, new_edition: str, actor: User) -> Case:
    """Move a case to another edition, re-opening the assessments the change touches.

    Assessments with an entry that changed or vanished go back to unassessed
    (their entry codes removed); controlled assessments whose codes all exist
    unchanged keep them, now pinned to the new edition. Not-controlled and
    catch-all findings are kept. One transaction, every row audited, and a note on
    the case says what was re-opened. Refused for final cases, cases awaiting
    countersignature, and the edition the case already pins.
    """
    cases = CaseService(store)
    with store.write() as connection:
        # Read inside the write so nothing changes between the check and the change.
        case = cases.get(reference)
        _check_repin(case, new_edition, actor)
        old_edition = case.edition_id
        changes = edition_changes(store, old_edition, new_edition)
        reopened: list[tuple[Item, list[str]]] = []
        kept: list[Item] = []
        for item in case.items:
            codes = item.assessment.entry_codes
            if not codes:
                continue
            present = case_store.entry_kinds(connection, new_edition, codes)
            touched = [f"{code} {changes.codes.get(code, REMOVED)}" for code in codes
                       if code in changes.codes or code not in present]
            if touched:
                reopened.append((item, touched))
            else:
                kept.append(item)

        case_queries.repin_case_row(connection, case.id, new_edition, actor=actor.username)
        for item, _touched in reopened:
            case_queries.reopen_assessment(connection, item.id, actor=actor.username)
        for item in kept:
            case_queries.repin_assessment_entries(connection, item.id, new_edition,
                                                  actor=actor.username)
        case_store.insert_note(connection, case.id, Note(
            text=_note(case, old_edition, new_edition, changes, reopened, kept),
            author=actor.username, created_at=utc_now_iso()))
    return cases.get(reference)


def _note(case: Case, old_edition: str, new_edition: str, changes: EditionChanges,
          reopened: list[tuple[Item, list[str]]], kept: list[Item]) -> str:
    parts = [f"Re-pinned from edition {old_edition} to {new_edition}."]
    if reopened:
        parts.append("Re-opened " + "; ".join(
            f"line {item.line} ({', '.join(touched)})" for item, touched in reopened)
            + f": assess again against {new_edition}.")
    else:
        parts.append("No assessment used an entry that changed.")
    if kept:
        parts.append(f"Kept {_lines([item.line for item in kept])}: entries unchanged, now "
                     f"pinned to {new_edition}.")
    unlisted = [item.line for item in case.items if item.assessment.status in (
        AssessmentStatus.NOT_CONTROLLED, AssessmentStatus.CATCH_ALL)]
    if unlisted and changes.diff.added:
        added = len(changes.diff.added)
        parts.append(f"{_lines(unlisted).capitalize()} (not controlled or catch-all) kept; "
                     f"{added} {'entry is' if added == 1 else 'entries are'} new in "
                     f"{new_edition}: check {'it' if added == 1 else 'them'}.")
    return " ".join(parts)
