"""Control-list editions and their entries, as the rest of the app sees them.

An *edition* is one published version of a control list (the MTCR Annex of a
given year, or the EU dual-use list of a given consolidation), loaded once and
never changed: every assessment pins the edition it was made against, so a new
edition never silently changes an old decision.

Entries form a tree within an edition: item -> section -> entry -> sub-entries;
notes, technical notes and definitions are entries of their own kinds so that an
edition imported from the full official text fits the same model as the
structure-only edition.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class TextStatus(enum.StrEnum):
    """How much of the official wording an edition carries."""

    #: Codes, hierarchy and categories only; the words must come from the official Annex.
    STRUCTURE = "structure"
    #: The full text of every entry, with notes.
    FULL = "full"


class EntryKind(enum.StrEnum):
    """What a node of the control-list tree is."""

    ITEM = "item"
    SECTION = "section"
    ENTRY = "entry"
    NOTE = "note"
    TECHNICAL_NOTE = "technical note"
    DEFINITION = "definition"


class Category(enum.StrEnum):
    """MTCR category: I (strong presumption of denial) or II (case by case)."""

    I = "I"  # noqa: E741 - the regime's own name for the category
    II = "II"


class EntryFlag(enum.StrEnum):
    """Per-entry warnings the user must see next to the entry."""

    #: No source lists this code; it is implied by a listed sub-entry.
    IMPLIED_PARENT = "implied_parent"
    #: The copy this edition was built from is known to lack part of the text.
    TEXT_INCOMPLETE = "text_incomplete"
    #: An EU entry that implements an MTCR item (the x1xx range).
    MTCR_ORIGIN = "mtcr_origin"


#: The five section headings every MTCR Item uses.
SECTION_TITLES = {
    "A": "Equipment, assemblies and components",
    "B": "Test and production equipment",
    "C": "Materials",
    "D": "Software",
    "E": "Technology",
}


@dataclass(frozen=True)
class Edition:
    """One loaded control-list edition with its provenance."""

    id: str
    regime: str
    title: str
    version: str
    edition_date: str | None
    text_status: TextStatus
    #: True when entries carry an MTCR category (the MTCR Annex); False for lists
    #: such as the EU Annex I, where the category is recorded with each assessment.
    has_mtcr_categories: bool
    provenance: str
    source_file: str | None
    source_sha256: str | None
    licence: str | None
    acknowledgement: str | None
    imported_at: str
    imported_by: str
    entry_count: int = 0

    @property
    def limitations(self) -> str | None:
        """Return the plain warning the app shows with this edition, if any."""
        if self.text_status is TextStatus.STRUCTURE:
            return (
                "Structure only: this edition holds entry codes, hierarchy and categories "
                "but not the official wording. Import the official MTCR Annex to classify "
                "against the text."
            )
        return None


@dataclass(frozen=True)
class Entry:
    """One node of an edition's control-list tree."""

    edition_id: str
    code: str
    parent_code: str | None
    kind: EntryKind
    item: int | None
    section: str | None
    category: Category | None
    title: str | None
    #: How far the title is sourced: verified, corroborated, unverified, standard.
    title_status: str | None
    text: str | None
    notes: str | None
    flags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    sort_key: int = 0
    #: Codes of this edition the entry's words refer to ("specified in 9A104").
    refs: tuple[str, ...] = ()

    @property
    def display_title(self) -> str:
        """Return the title, or a plain statement that this edition lacks it."""
        return self.title or "(no title in this edition)"


@dataclass(frozen=True)
class EntryDetail:
    """An entry with its place in the tree, as ``list show`` and the browser need it."""

    entry: Entry
    edition: Edition
    #: From the item down to the direct parent.
    ancestors: tuple[Entry, ...] = ()
    children: tuple[Entry, ...] = ()
    #: Every node below the entry (sub-entries, notes) in the order of the list.
    descendants: tuple[Entry, ...] = ()

    def depth_of(self, node: Entry) -> int:
        """Return how far below the entry a descendant sits (children are 1)."""
        parents = {n.code: n.parent_code for n in self.descendants}
        depth = 0
        code: str | None = node.code
        while code is not None and code != self.entry.code:
            code = parents.get(code)
            depth += 1
        return depth


#: Characters that mark the start and end of a match inside a snippet. They are
#: control characters that never occur in control-list text, so each front end
#: can turn them into its own highlighting (brackets, ANSI, HTML) after escaping.
MATCH_START = "\x02"
MATCH_END = "\x03"


@dataclass(frozen=True)
class SearchHit:
    """One search result."""

    edition_id: str
    code: str
    kind: EntryKind
    title: str | None
    category: Category | None
    #: Text around the match with :data:`MATCH_START` / :data:`MATCH_END` markers.
    snippet: str
    #: Lower is better; exact code matches rank first.
    rank: float
    exact_code_match: bool = False
    refs: tuple[str, ...] = field(default=())

    def snippet_marked(self, start: str = "[", end: str = "]") -> str:
        """Return the snippet with matches wrapped in ``start`` / ``end``."""
        return self.snippet.replace(MATCH_START, start).replace(MATCH_END, end)

    @property
    def snippet_plain(self) -> str:
        """Return the snippet without any match markers."""
        return self.snippet_marked("", "")
