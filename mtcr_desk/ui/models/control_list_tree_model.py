"""Item models of the control-list browser: the lazy edition tree and the search results.

The tree loads its top level (the Items) when an edition is set and each node's
children only when the view expands it (``canFetchMore`` / ``fetchMore``), so an
edition of 100,000 nodes opens as fast as one of 400. Both models are plain Qt
models over services: they can be tested with no window at all.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QFont

from mtcr_desk.domain.control_list import MATCH_END, MATCH_START, Entry, EntryKind, SearchHit
from mtcr_desk.services.control_list_tree import ControlListTreeService, TreeNode

TREE_COLUMNS = ("Code", "Title", "Cat.")
COL_CODE, COL_TITLE, COL_CATEGORY = range(len(TREE_COLUMNS))

_USER = Qt.ItemDataRole.UserRole
#: The :class:`Entry` of a node (tree) or the :class:`SearchHit` of a row (results).
EntryRole = _USER + 1
#: The node's or hit's code as stored in the edition (``2.A.1.c``, ``9A101``).
CodeRole = _USER + 2
#: The id of the edition the node or hit belongs to.
EditionRole = _USER + 3
#: The MTCR category as text (``"I"``, ``"II"``) or None.
CategoryRole = _USER + 4
#: The entry's flags (``implied_parent``, ``text_incomplete``, ``mtcr_origin``), a tuple.
FlagsRole = _USER + 5
#: The :class:`EntryKind` value as text (``item``, ``section``, ``entry``, ...).
KindRole = _USER + 6
#: Results only: the row as rich text, the snippet escaped with its matches in ``<b>``.
HtmlRole = _USER + 7

#: How each flag is named to the officer.
FLAG_TEXTS = {
    "text_incomplete": "text incomplete in this copy: read the official text",
    "implied_parent": "implied parent: no source lists this code; a sub-entry implies it",
    "mtcr_origin": "MTCR origin",
}

_MUTED = QColor("#6b7280")
#: Where the search service cuts the text of an entry it lists without a match in it.
_CUT_TEXT_CHARS = 160
#: Longest piece of entry text shown in a tree row (the entry pane shows all of it).
_TREE_TEXT_CHARS = 160


def snippet_html(snippet: str) -> str:
    """Return a snippet as rich text: escaped first, then the matches in ``<b>``."""
    return html.escape(snippet).replace(MATCH_START, "<b>").replace(MATCH_END, "</b>")


def node_name(entry: Entry, regime: str = "MTCR") -> str:
    """Return how a node is named: ``Item 3`` in the MTCR Annex, ``Category 9`` in the EU list."""
    if entry.kind is not EntryKind.ITEM:
        return entry.code
    return f"{'Item' if regime == 'MTCR' else 'Category'} {entry.code}"


def entry_summary(entry: Entry) -> str:
    """Return the title of an entry, or the start of its text when it has no title."""
    if entry.title:
        return entry.title
    text = " ".join((entry.text or "").split())
    return text if len(text) <= _TREE_TEXT_CHARS else text[:_TREE_TEXT_CHARS - 1] + "…"


class _Node:
    """A loaded node of the tree; ``children`` is None until the view asks for them."""

    __slots__ = ("entry", "child_count", "parent", "row", "children")

    def __init__(self, tree_node: TreeNode | None, parent: _Node | None, row: int):
        self.entry = tree_node.entry if tree_node else None
        self.child_count = tree_node.child_count if tree_node else 0
        self.parent = parent
        self.row = row
        self.children: list[_Node] | None = None


class ControlListTreeModel(QAbstractItemModel):
    """An edition as a tree of Items, sections, entries and sub-entries, loaded lazily."""

    def __init__(self, service: ControlListTreeService, edition_id: str | None = None, *,
                 regime: str = "MTCR", parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._edition_id: str | None = None
        self._regime = regime
        self._root = _Node(None, None, 0)
        self._root.children = []
        if edition_id is not None:
            self.set_edition(edition_id, regime=regime)

    # --- loading ---------------------------------------------------------------------

    @property
    def edition_id(self) -> str | None:
        return self._edition_id

    def set_edition(self, edition_id: str, *, regime: str = "MTCR") -> None:
        """Show another edition: its top level is loaded now, the rest on expansion."""
        self.beginResetModel()
        self._edition_id = edition_id
        self._regime = regime
        self._root = _Node(None, None, 0)
        self._root.children = [
            _Node(node, self._root, row)
            for row, node in enumerate(self._service.top_level(edition_id=edition_id))
        ]
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex) -> bool:  # noqa: N802 - Qt's name
        node = self._node(parent)
        return node.children is None and node.child_count > 0

    def fetchMore(self, parent: QModelIndex) -> None:  # noqa: N802 - Qt's name
        node = self._node(parent)
        if node.children is not None or node.entry is None:
            return
        loaded = self._service.children(edition_id=self._edition_id, code=node.entry.code)
        if not loaded:
            node.children = []
            return
        self.beginInsertRows(parent, 0, len(loaded) - 1)
        node.children = [_Node(child, node, row) for row, child in enumerate(loaded)]
        self.endInsertRows()

    def index_for_path(self, codes: list[str]) -> QModelIndex:
        """Return the index of the last code of a path from the top level, loading on the way.

        ``codes`` runs from an Item down to the node (``["2", "2.A", "2.A.1", "2.A.1.c"]``);
        an invalid index comes back when a code is not in the tree.
        """
        index = QModelIndex()
        node = self._root
        for code in codes:
            if node.children is None:
                self.fetchMore(index)
            match = next((child for child in node.children or () if child.entry.code == code),
                         None)
            if match is None:
                return QModelIndex()
            node = match
            index = self.index(node.row, 0, index)
        return index

    # --- structure -------------------------------------------------------------------

    def _node(self, index: QModelIndex) -> _Node:
        if index.isValid():
            return index.internalPointer()
        return self._root

    def index(self, row: int, column: int,  # noqa: D102 - Qt's API
              parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self._node(parent)
        if node.children is None or not 0 <= row < len(node.children) \
                or not 0 <= column < len(TREE_COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node: _Node = index.internalPointer()
        if node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        if parent.column() > 0:
            return 0
        node = self._node(parent)
        return len(node.children) if node.children is not None else 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return len(TREE_COLUMNS)

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802,B008
        if parent.column() > 0:
            return False
        node = self._node(parent)
        if node.children is not None:
            return bool(node.children)
        return node.child_count > 0

    # --- data ------------------------------------------------------------------------

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(TREE_COLUMNS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry: Entry = index.internalPointer().entry
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_CODE:
                return node_name(entry, self._regime)
            if column == COL_TITLE:
                return entry_summary(entry)
            return entry.category.value if entry.category else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{node_name(entry, self._regime)}: {entry.display_title}"]
            if entry.category:
                lines.append(self.tr("Category ") + entry.category.value)
            lines.extend(self.tr(FLAG_TEXTS.get(flag, flag)) for flag in entry.flags)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{node_name(entry, self._regime)} {entry_summary(entry)}"
        if role == Qt.ItemDataRole.FontRole and "implied_parent" in entry.flags:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_TITLE and not entry.title:
            return _MUTED
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_CATEGORY:
            return Qt.AlignmentFlag.AlignCenter
        return _entry_role(entry, role)


def _entry_role(entry: Entry, role: int):
    """Return the custom roles both models share."""
    if role == EntryRole:
        return entry
    if role == CodeRole:
        return entry.code
    if role == EditionRole:
        return entry.edition_id
    if role == CategoryRole:
        return entry.category.value if entry.category else None
    if role == FlagsRole:
        return tuple(entry.flags)
    if role == KindRole:
        return entry.kind.value
    return None


class SearchResultsModel(QAbstractListModel):
    """Search hits, best first, one row each; :data:`HtmlRole` gives the highlighted row."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        """Replace the rows (a model reset: every keystroke gives a new list)."""
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    @property
    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{hit.code} — {hit.snippet_plain or hit.title or ''}".rstrip(" —")
        if role == HtmlRole:
            return self._row_html(hit)
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.title or hit.snippet_plain
        if role == EntryRole:
            return hit
        if role == CodeRole:
            return hit.code
        if role == EditionRole:
            return hit.edition_id
        if role == CategoryRole:
            return hit.category.value if hit.category else None
        if role == KindRole:
            return hit.kind.value
        return None

    def _row_html(self, hit: SearchHit) -> str:
        badges = []
        if hit.exact_code_match:
            badges.append(self.tr("code match"))
        if hit.kind is not EntryKind.ENTRY:
            badges.append(self.tr(hit.kind.value))
        if hit.category:
            badges.append(self.tr("Category ") + hit.category.value)
        head = f"<b>{html.escape(hit.code)}</b>"
        if badges:
            head += f" <span class='muted'>· {html.escape(' · '.join(badges))}</span>"
        if not hit.snippet:
            missing = html.escape(self.tr("(no title in this edition)"))
            body = f"<span class='muted'>{missing}</span>"
        else:
            body = snippet_html(hit.snippet)
            if MATCH_START not in hit.snippet and len(hit.snippet) == _CUT_TEXT_CHARS:
                body += "…"  # the search cut the entry's text here
        return f"{head}<br>{body}"
