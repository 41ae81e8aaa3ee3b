"""Comparing two editions: what a new Annex adds, removes and changes.

When a new edition of the control list arrives, an office needs to know which
entries changed, so that decisions pinned to the old edition can be looked at
again. Entries are matched by code; an entry has changed when any of its
content differs (kind, parent, category, title, text, notes, flags), and a
changed text comes with a word-level unified diff.
"""

from __future__ import annotations

import difflib
import textwrap
from dataclasses import dataclass

from mtcr_desk.domain.control_list import Edition, Entry
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.storage import control_lists

#: Fields compared, in the order a change report lists them.
COMPARED_FIELDS = ("kind", "parent_code", "category", "title", "text", "notes", "flags")
#: Fields whose changes come with a line diff.
TEXT_FIELDS = ("title", "text", "notes")


@dataclass(frozen=True)
class FieldChange:
    """One field of one entry that differs between the editions."""

    field: str
    old: object
    new: object
    #: Unified diff lines for text fields (empty for the others).
    diff: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryChange:
    """An entry present in both editions whose content differs."""

    code: str
    old: Entry
    new: Entry
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class EditionDiff:
    """Everything that differs between an old and a new edition."""

    old: Edition
    new: Edition
    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    changed: tuple[EntryChange, ...]
    unchanged_count: int


def _value(entry: Entry, field: str) -> object:
    value = getattr(entry, field)
    if field == "kind" or field == "category":
        return value.value if value is not None else None
    if field == "flags":
        return sorted(value)
    return value


def _text_diff(old: str | None, new: str | None, *, code: str, field: str) -> tuple[str, ...]:
    # Wrap to lines first: control-list text is one long paragraph, and a diff of
    # one-line paragraphs would show the whole text twice for a one-word change.
    old_lines = textwrap.wrap(old or "", width=80)
    new_lines = textwrap.wrap(new or "", width=80)
    return tuple(
        line.rstrip("\n")
        for line in difflib.unified_diff(
            old_lines, new_lines, fromfile=f"{code} {field} (old)",
            tofile=f"{code} {field} (new)", lineterm="", n=1,
        )
    )


def compare_entries(old: Entry, new: Entry) -> tuple[FieldChange, ...]:
    """Return the fields that differ between two versions of one entry."""
    changes = []
    for field in COMPARED_FIELDS:
        old_value, new_value = _value(old, field), _value(new, field)
        if old_value == new_value:
            continue
        diff = ()
        if field in TEXT_FIELDS:
            diff = _text_diff(old_value, new_value, code=new.code, field=field)
        changes.append(FieldChange(field=field, old=old_value, new=new_value, diff=diff))
    return tuple(changes)


def diff_editions(service: ControlListService, old_id: str, new_id: str) -> EditionDiff:
    """Compare two loaded editions entry by entry (raises NotFoundError for unknown ids)."""
    old_edition = service.edition(old_id)
    new_edition = service.edition(new_id)
    connection = service.connection
    old_entries = {entry.code: entry for entry in control_lists.edition_entries(connection, old_id)}
    new_entries = control_lists.edition_entries(connection, new_id)
    new_codes = {entry.code for entry in new_entries}

    added = [entry for entry in new_entries if entry.code not in old_entries]
    removed = [entry for code, entry in old_entries.items() if code not in new_codes]
    changed = []
    unchanged = 0
    for entry in new_entries:
        previous = old_entries.get(entry.code)
        if previous is None:
            continue
        changes = compare_entries(previous, entry)
        if changes:
            changed.append(EntryChange(code=entry.code, old=previous, new=entry, changes=changes))
        else:
            unchanged += 1
    return EditionDiff(
        old=old_edition, new=new_edition, added=tuple(added), removed=tuple(removed),
        changed=tuple(changed), unchanged_count=unchanged,
    )
