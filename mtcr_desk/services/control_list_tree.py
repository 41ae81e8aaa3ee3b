"""Browsing an edition as a tree: Items, sections, entries and sub-entries, one level at a time.

The control-list browser expands the tree lazily, so it asks for one level at a
time and needs to know, without loading them, whether a node has children.
Notes and technical notes are left out of the tree: they are shown with the
entry they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass

from mtcr_desk.domain.control_list import Entry, EntryKind
from mtcr_desk.storage import control_list_tree
from mtcr_desk.storage.database import Store

#: Kinds shown with their entry rather than as nodes of the tree.
HIDDEN_KINDS = (EntryKind.NOTE, EntryKind.TECHNICAL_NOTE)


@dataclass(frozen=True)
class TreeNode:
    """One node of the browsing tree and how many children it has there."""

    entry: Entry
    child_count: int

    @property
    def has_children(self) -> bool:
        return self.child_count > 0


class ControlListTreeService:
    """Reading an edition one tree level at a time."""

    def __init__(self, store: Store):
        self._store = store

    def top_level(self, *, edition_id: str) -> list[TreeNode]:
        """Return the top-level nodes of an edition (its Items) in list order."""
        return self._nodes(edition_id, None)

    def children(self, *, edition_id: str, code: str) -> list[TreeNode]:
        """Return the children of a node in list order, without notes."""
        return self._nodes(edition_id, code)

    def _nodes(self, edition_id: str, parent_code: str | None) -> list[TreeNode]:
        rows = control_list_tree.tree_nodes(
            self._store.connection, edition_id, parent_code,
            hidden_kinds=[kind.value for kind in HIDDEN_KINDS])
        return [TreeNode(entry=entry, child_count=count) for entry, count in rows]
