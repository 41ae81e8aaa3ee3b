"""Undoable edits on a case: one QUndoCommand per kind of edit, each over one service call.

As in orange-canvas-core, a command calls the services (the model), never a
widget: the workspace hears about the outcome through two callbacks given to
the command, ``on_changed(case)`` and ``on_refused(error)``.

A command learns what to go back to the first time it runs, from the service,
so undo restores the record as it was (an assessment's status, entries,
category, rationale and precedent; a factor's finding and note, or no finding;
the case details). A refusal (:class:`MtcrDeskError`) marks the command
obsolete, and QUndoStack drops obsolete commands: a refused edit never reaches
the stack (``push``), a refused redo leaves it, and a refused undo removes the
command and leaves the record as it is; each is reported through ``on_refused``.

Drafting and countersigning are deliberately not commands: they cannot be undone.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from mtcr_desk.domain.cases import (
    Assessment,
    AssessmentStatus,
    Assurance,
    Case,
    Factor,
    FactorFinding,
    Finding,
)
from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.users import User
from mtcr_desk.services import precedents
from mtcr_desk.services.cases import CaseService

Changed = Callable[[Case], None]
Refused = Callable[[Exception], None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("commands", text)


def _ignore(_value) -> None:
    """The default callback: nobody listens."""


class CaseCommand(QUndoCommand):
    """An undoable edit on one case; subclasses say how to apply and how to revert it."""

    def __init__(self, text: str, *, cases: CaseService, reference: str, actor: User,
                 on_changed: Changed | None = None, on_refused: Refused | None = None,
                 parent: QUndoCommand | None = None):
        super().__init__(text, parent)
        self.cases = cases
        self.reference = reference
        self.actor = actor
        self._on_changed = on_changed or _ignore
        self._on_refused = on_refused or _ignore
        self._captured = False
        #: The last refusal, for callers that keep the command (tests); None after success.
        self.error: Exception | None = None

    # --- subclasses -------------------------------------------------------------------

    def capture(self, case: Case) -> None:
        """Remember, from the case as it is before the first redo, what undo restores."""
        raise NotImplementedError

    def apply(self) -> Case:
        """Make the edit through a service; return the case after it."""
        raise NotImplementedError

    def revert(self) -> Case:
        """Restore what :meth:`capture` remembered through a service; return the case."""
        raise NotImplementedError

    def changes_nothing(self, before: Case, after: Case) -> bool:
        """True when the first redo left the records as they were (the command is dropped)."""
        return False

    # --- QUndoCommand -----------------------------------------------------------------

    def redo(self) -> None:
        def step() -> Case:
            if self._captured:
                return self.apply()
            before = self.cases.get(self.reference)
            self.capture(before)
            after = self.apply()
            self._captured = True
            if self.changes_nothing(before, after):
                self.setObsolete(True)
            return after

        self._run(step)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, step: Callable[[], Case]) -> None:
        try:
            case = step()
        except MtcrDeskError as error:
            self._refuse(error)
            return
        except Exception as error:  # noqa: BLE001 - a bug must not leave a false stack entry
            traceback.print_exc()
            self._refuse(error)
            return
        self.error = None
        self._on_changed(case)

    def _refuse(self, error: Exception) -> None:
        self.error = error
        self.setObsolete(True)
        self._on_refused(error)


def restore_assessment(cases: CaseService, reference: str, *, line: int, before: Assessment,
                       actor: User) -> Case:
    """Put an item's assessment back to ``before`` (reset when it was unassessed)."""
    if before.status is AssessmentStatus.UNASSESSED:
        return cases.reset_assessment(reference, line=line, actor=actor)
    return cases.assess(reference, line=line, status=before.status,
                        entry_codes=before.entry_codes, category=before.category,
                        rationale=before.rationale, actor=actor, precedent=before.precedent)


class _AssessmentCommand(CaseCommand):
    """An edit of one item's assessment; undo restores the assessment it replaced."""

    def __init__(self, text: str, *, line: int, **kwargs):
        super().__init__(text, **kwargs)
        self.line = line
        self.before: Assessment | None = None

    def capture(self, case: Case) -> None:
        item = case.item(self.line)
        # A missing line is refused by the service in apply(); nothing to remember then.
        self.before = item.assessment if item is not None else Assessment()

    def revert(self) -> Case:
        assert self.before is not None
        return restore_assessment(self.cases, self.reference, line=self.line,
                                  before=self.before, actor=self.actor)


class AssessItemCommand(_AssessmentCommand):
    """Assess one item: controlled (with entries), not controlled, or catch-all concern."""

    def __init__(self, *, cases: CaseService, reference: str, line: int,
                 status: AssessmentStatus, entry_codes: Sequence[str] = (),
                 category: str | None = None, rationale: str, actor: User,
                 on_changed: Changed | None = None, on_refused: Refused | None = None):
        super().__init__(_tr("Assess line %1").replace("%1", str(line)), line=line,
                         cases=cases, reference=reference, actor=actor,
                         on_changed=on_changed, on_refused=on_refused)
        self.status = status
        self.entry_codes = tuple(entry_codes)
        self.category = category
        self.rationale = rationale

    def apply(self) -> Case:
        return self.cases.assess(self.reference, line=self.line, status=self.status,
                                 entry_codes=self.entry_codes, category=self.category,
                                 rationale=self.rationale, actor=self.actor)


class ApplyPrecedentCommand(_AssessmentCommand):
    """Assess one item as an item of another case was assessed."""

    def __init__(self, *, store: object, cases: CaseService, reference: str, line: int,
                 precedent_reference: str, precedent_line: int, actor: User,
                 on_changed: Changed | None = None, on_refused: Refused | None = None):
        super().__init__(
            _tr("Apply precedent %1 line %2 to line %3").replace("%1", precedent_reference)
            .replace("%2", str(precedent_line)).replace("%3", str(line)),
            line=line, cases=cases, reference=reference, actor=actor,
            on_changed=on_changed, on_refused=on_refused)
        self.store = store
        self.precedent_reference = precedent_reference
        self.precedent_line = precedent_line

    def apply(self) -> Case:
        return precedents.apply_precedent(
            self.store, self.reference, line=self.line,
            precedent_reference=self.precedent_reference,
            precedent_line=self.precedent_line, actor=self.actor)


class RecordFactorCommand(CaseCommand):
    """Record the finding on one factor (``finding=None`` clears it)."""

    def __init__(self, *, cases: CaseService, reference: str, factor: Factor,
                 finding: Finding | None, note: str = "", actor: User,
                 on_changed: Changed | None = None, on_refused: Refused | None = None):
        text = (_tr("Record factor %1") if finding is not None else _tr("Clear factor %1"))
        super().__init__(text.replace("%1", factor.value), cases=cases, reference=reference,
                         actor=actor, on_changed=on_changed, on_refused=on_refused)
        self.factor = factor
        self.finding = finding
        self.note = note
        self.before: FactorFinding | None = None

    def capture(self, case: Case) -> None:
        self.before = case.factor(self.factor)

    def _set(self, finding: Finding | None, note: str) -> Case:
        if finding is None:
            return self.cases.clear_factor(self.reference, factor=self.factor,
                                           actor=self.actor)
        return self.cases.record_factor(self.reference, factor=self.factor, finding=finding,
                                        note=note, actor=self.actor)

    def apply(self) -> Case:
        return self._set(self.finding, self.note)

    def revert(self) -> Case:
        if self.before is None:
            return self._set(None, "")
        return self._set(self.before.finding, self.before.note)


class EditDetailsCommand(CaseCommand):
    """Change the end use, the end-user statement or the assurances (None: unchanged)."""

    def __init__(self, *, cases: CaseService, reference: str, actor: User,
                 end_use: str | None = None, end_user_statement: str | None = None,
                 assurances: Iterable[Assurance] | None = None,
                 on_changed: Changed | None = None, on_refused: Refused | None = None):
        super().__init__(_tr("Edit case details"), cases=cases, reference=reference,
                         actor=actor, on_changed=on_changed, on_refused=on_refused)
        self.end_use = end_use
        self.end_user_statement = end_user_statement
        self.assurances = frozenset(assurances) if assurances is not None else None
        self.before: dict = {}

    def capture(self, case: Case) -> None:
        self.before = {
            "end_use": case.end_use if self.end_use is not None else None,
            "end_user_statement": (case.end_user_statement
                                   if self.end_user_statement is not None else None),
            "assurances": case.assurances if self.assurances is not None else None,
        }

    def apply(self) -> Case:
        return self.cases.update_details(
            self.reference, actor=self.actor, end_use=self.end_use,
            end_user_statement=self.end_user_statement, assurances=self.assurances)

    def revert(self) -> Case:
        return self.cases.update_details(self.reference, actor=self.actor, **self.before)

    def changes_nothing(self, before: Case, after: Case) -> bool:
        return (before.end_use, before.end_user_statement, before.assurances) == \
            (after.end_use, after.end_user_statement, after.assurances)
