"""One case's history, readable: who changed what on the case, and when.

The rows come from the audit chain (every change to the case and to its
parties, items, assessments, entries, factors, decisions and notes). Each row
says which record it is about in the officer's words ("line 2 assessment",
"factor c") and lists the fields that changed as ``field: old → new``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mtcr_desk.domain.cases import FACTOR_DESCRIPTIONS, Case, Factor
from mtcr_desk.domain.errors import NotFoundError
from mtcr_desk.services.cases import CaseService
from mtcr_desk.storage import case_history as history_store
from mtcr_desk.storage.database import Store

#: Columns that only link a record to its parent: never shown as a change.
HIDDEN_FIELDS = frozenset({"id", "case_id", "item_id", "position", "year", "number", "factor"})
#: Column names as an officer reads them (others: underscores become spaces).
FIELD_LABELS = {
    "end_user_statement": "end-user statement",
    "flags_acknowledged_by": "flags acknowledged by",
    "flags_acknowledged_at": "flags acknowledged at",
    "amends_case_id": "amends case row",
    "edition_id": "edition",
    "received_on": "received",
    "due_on": "due",
    "part_number": "part number",
    "presumption_acknowledged": "presumption of denial acknowledged",
    "return_comment": "return comment",
    "memo_sha256": "memo SHA-256",
    "audit_head": "audit head",
    "code": "entry",
}
#: Columns holding 0/1 flags, shown as no/yes.
BOOLEAN_FIELDS = frozenset({"presumption_acknowledged", "training", "active"})
#: Shown for a value that is absent (a new record's "before", a removed one's "after").
NONE = "—"


@dataclass(frozen=True)
class FieldChange:
    """One field of a record: its value before and after the change."""

    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"


@dataclass(frozen=True)
class HistoryRow:
    """One audited change on a case, ready to show."""

    seq: int
    #: UTC time as stored (ISO 8601, Z suffix).
    at: str
    actor: str
    action: str
    #: The table the record lives in (cases, items, factors, ...).
    entity: str
    #: The record in an officer's words: "case", "line 2 assessment", "factor c".
    subject: str
    #: "added", "changed" or "removed".
    kind: str
    changes: tuple[FieldChange, ...]

    @property
    def when(self) -> str:
        """The time as "YYYY-MM-DD HH:MM:SS UTC"."""
        return self.at[:19].replace("T", " ") + " UTC" if len(self.at) >= 19 else self.at

    @property
    def summary(self) -> str:
        """Every change as ``field: old → new``, separated by semicolons."""
        return "; ".join(str(change) for change in self.changes)


def case_history(store: Store, reference: str) -> list[HistoryRow]:
    """Return the audit rows of a case and of every record on it, oldest first."""
    case = CaseService(store).get(reference)
    keys = history_store.case_keys(store.connection, case.reference)
    if keys is None:  # pragma: no cover - get() found it a moment ago
        raise NotFoundError(f"No case {case.reference}")
    names = _Subjects(case)
    rows = []
    for row in history_store.case_audit_rows(store.connection, keys):
        before = json.loads(row.before) if row.before else None
        after = json.loads(row.after) if row.after else None
        kind = "added" if before is None else "removed" if after is None else "changed"
        rows.append(HistoryRow(
            seq=row.seq, at=row.at, actor=row.actor, action=row.action, entity=row.entity,
            subject=names.subject(row.entity, json.loads(row.entity_id)), kind=kind,
            changes=tuple(_changes(before, after))))
    return rows


class _Subjects:
    """Names the records of one case the way the workspace shows them."""

    def __init__(self, case: Case):
        self._item_lines = {item.id: item.line for item in case.items}
        self._parties = {party.id: (position, party) for position, party
                         in enumerate(case.parties, start=1)}
        self._decisions = {decision.id: number for number, decision
                           in enumerate(case.decisions, start=1)}
        self._notes = {note.id: number for number, note in enumerate(case.notes, start=1)}

    def subject(self, entity: str, key: list) -> str:
        first = key[0] if key else None
        if entity == "cases":
            return "case"
        if entity == "parties":
            position, party = self._parties.get(first, (None, None))
            return f"party {position} ({party.role.value})" if party else "party"
        if entity == "items":
            return f"line {self._item_lines.get(first, '?')}"
        if entity == "assessments":
            return f"line {self._item_lines.get(first, '?')} assessment"
        if entity == "assessment_entries":
            position = key[1] + 1 if len(key) > 1 else "?"
            return f"line {self._item_lines.get(first, '?')} entry {position}"
        if entity == "factors":
            letter = key[1] if len(key) > 1 else "?"
            return f"factor {letter}" if letter not in {f.value for f in Factor} else \
                f"factor {letter} ({_short(FACTOR_DESCRIPTIONS[Factor(letter)])})"
        if entity == "decisions":
            return f"decision {self._decisions.get(first, '?')}"
        if entity == "notes":
            return f"note {self._notes.get(first, '?')}"
        return entity


def _short(text: str, words: int = 4) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _label(column: str) -> str:
    return FIELD_LABELS.get(column, column.replace("_", " "))


def _value(value: object) -> str:
    """A stored value as text: lists (assurances, conditions) joined, absent as a dash."""
    if value is None or value == "":
        return NONE
    if isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return value
        if isinstance(items, list):
            return ", ".join(str(item) for item in items) if items else NONE
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _yes_no(value: object) -> str:
    return NONE if value is None else "yes" if value else "no"


def _changes(before: dict | None, after: dict | None) -> list[FieldChange]:
    old, new = before or {}, after or {}
    changes = []
    for column in dict.fromkeys([*old, *new]):
        if column in HIDDEN_FIELDS:
            continue
        was, now = _value(old.get(column)), _value(new.get(column))
        if column in BOOLEAN_FIELDS:
            was, now = (_yes_no(old.get(column)), _yes_no(new.get(column)))
        if before is not None and after is not None and was == now:
            continue
        if was == NONE and now == NONE:
            continue
        changes.append(FieldChange(_label(column), was, now))
    return changes
