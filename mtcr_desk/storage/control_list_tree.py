"""SQL for browsing an edition as a tree: the nodes under a parent with their child counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from mtcr_desk.domain.control_list import Entry

# The entry select list is shared so that every entry is read the same way.
from mtcr_desk.storage.control_lists import _ENTRY_SELECT, entry_from_row

#: The count of a node's children, leaving out the kinds the caller hides. Uses the
#: ``entries_parent`` index (edition, parent code, sort key).
_CHILD_COUNT = (
    "(SELECT count(*) FROM entries AS child WHERE child.edition_id = entries.edition_id "
    "AND child.parent_code = entries.code AND child.kind NOT IN ({hidden}))"
)


def tree_nodes(
    connection: sqlite3.Connection,
    edition_id: str,
    parent_code: str | None,
    *,
    hidden_kinds: Sequence[str] = (),
) -> list[tuple[Entry, int]]:
    """Return ``(entry, child count)`` for the nodes under a parent, in list order.

    ``parent_code`` None gives the top-level nodes (the Items). Nodes of
    ``hidden_kinds`` are left out, and are not counted as children.
    """
    # A list that is never empty keeps "NOT IN ()" out of the SQL.
    hidden = list(hidden_kinds) or [""]
    marks = ", ".join("?" for _ in hidden)
    parent_test = "parent_code IS NULL" if parent_code is None else "parent_code = ?"
    parameters = [*hidden, edition_id, *([] if parent_code is None else [parent_code]), *hidden]
    rows = connection.execute(
        f"SELECT {_ENTRY_SELECT}, {_CHILD_COUNT.format(hidden=marks)} FROM entries "
        f"WHERE edition_id = ? AND {parent_test} AND kind NOT IN ({marks}) "
        "ORDER BY sort_key",
        parameters,
    ).fetchall()
    return [(entry_from_row(row[:-1]), row[-1]) for row in rows]
