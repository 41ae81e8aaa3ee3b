"""SQL for control-list editions and entries: loading, lookup and full-text search."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mtcr_desk.domain.codes import (
    code_key,
    compact_code,
    find_code_references,
    lookup_key,
    resolve_reference,
)
from mtcr_desk.domain.control_list import (
    Category,
    Edition,
    Entry,
    EntryKind,
    TextStatus,
)

_EDITION_COLUMNS = (
    "id, regime, title, version, edition_date, text_status, has_mtcr_categories, provenance, "
    "source_file, source_sha256, licence, acknowledgement, imported_at, imported_by"
)
_ENTRY_COLUMNS = (
    "edition_id, code, parent_code, kind, item, section, category, title, title_status, "
    "text, notes, flags, sources, sort_key"
)
#: The codes an entry refers to, in the order of its text, space-separated.
_REFS_SUBQUERY = (
    "(SELECT group_concat(to_code, ' ') FROM "
    "(SELECT to_code FROM entry_refs WHERE entry_id = {alias}.id ORDER BY position))"
)
#: Editions in the order they were loaded (the shipped MTCR edition first); used
#: to order results that span editions.
_EDITION_ORDER = "(SELECT rowid FROM editions WHERE editions.id = {column})"

#: Select list for whole entries from ``entries`` (rows for :func:`entry_from_row`).
_ENTRY_SELECT = f"{_ENTRY_COLUMNS}, {_REFS_SUBQUERY.format(alias='entries')} AS refs"

#: bm25 weights per FTS column (search_codes, title, text, notes): a match in a
#: code or title outranks the same word in body text.
BM25_WEIGHTS = (10.0, 5.0, 1.0, 1.0)

_FTS_SEARCH_TEMPLATE = """
    SELECT e.edition_id, e.code, e.kind, e.title, e.text, e.category, e.search_codes,
           snippet(entries_fts, -1, char(2), char(3), '…', 12) AS snippet,
           bm25(entries_fts, {weights}) AS rank,
           {refs} AS refs
    FROM entries_fts
    JOIN entries AS e ON e.id = entries_fts.rowid
    WHERE entries_fts MATCH :match
      AND (:edition IS NULL OR e.edition_id = :edition)
      AND (:item IS NULL OR e.item = :item)
      AND (:category IS NULL OR e.category = :category)
    ORDER BY {order}
    LIMIT :limit
"""
_FTS_WEIGHTS = ", ".join(str(weight) for weight in BM25_WEIGHTS)

#: The full-text query with ranking and snippet, exactly as the search service
#: runs it (the benchmark times this same statement raw, as its baseline).
FTS_SEARCH_SQL = _FTS_SEARCH_TEMPLATE.format(
    weights=_FTS_WEIGHTS,
    order=f"rank, {_EDITION_ORDER.format(column='e.edition_id')}, e.sort_key",
    refs=_REFS_SUBQUERY.format(alias="e"),
)
#: The same query in Annex order, for searches that consist of codes only
#: ("2.A.1" lists 2.A.1 and its sub-entries in the order of the list).
FTS_SEARCH_ANNEX_ORDER_SQL = _FTS_SEARCH_TEMPLATE.format(
    weights=_FTS_WEIGHTS, order=f"{_EDITION_ORDER.format(column='e.edition_id')}, e.sort_key",
    refs=_REFS_SUBQUERY.format(alias="e"),
)


@dataclass(frozen=True, slots=True)
class FullTextRow:
    """One full-text match: just what a search result shows, nothing parsed."""

    edition_id: str
    code: str
    kind: str
    title: str | None
    text: str | None
    category: str | None
    #: The code forms indexed for the entry (to tell a code match from a text match).
    search_codes: str
    snippet: str
    rank: float
    #: Codes the entry refers to, space-separated (None when there are none).
    refs: str | None


def _edition_from_row(row: Sequence, entry_count: int = 0) -> Edition:
    return Edition(
        id=row[0],
        regime=row[1],
        title=row[2],
        version=row[3],
        edition_date=row[4],
        text_status=TextStatus(row[5]),
        has_mtcr_categories=bool(row[6]),
        provenance=row[7],
        source_file=row[8],
        source_sha256=row[9],
        licence=row[10],
        acknowledgement=row[11],
        imported_at=row[12],
        imported_by=row[13],
        entry_count=entry_count,
    )


def entry_from_row(row: Sequence) -> Entry:
    """Build an :class:`Entry` from a row selected with ``_ENTRY_SELECT``."""
    return Entry(
        edition_id=row[0],
        code=row[1],
        parent_code=row[2],
        kind=EntryKind(row[3]),
        item=row[4],
        section=row[5],
        category=Category(row[6]) if row[6] else None,
        title=row[7],
        title_status=row[8],
        text=row[9],
        notes=row[10],
        flags=tuple(json.loads(row[11])),
        sources=tuple(json.loads(row[12])),
        sort_key=row[13],
        refs=tuple(row[14].split(" ")) if row[14] else (),
    )


def search_codes_for(code: str) -> str:
    """Return the code forms the index holds for ``code`` (compact and UK ``M`` form)."""
    compact = compact_code(code)
    if code_key(code) is None:  # items ("3") and other non-entry codes
        return compact
    return f"{compact} M{compact}"


def insert_edition(
    connection: sqlite3.Connection,
    *,
    edition: Edition,
    entries: Iterable[Entry],
    format_version: int,
) -> int:
    """Insert an edition and its entries; call inside a write transaction. Returns the count."""
    connection.execute(
        f"INSERT INTO editions ({_EDITION_COLUMNS}, format_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            edition.id, edition.regime, edition.title, edition.version, edition.edition_date,
            edition.text_status.value, int(edition.has_mtcr_categories), edition.provenance,
            edition.source_file, edition.source_sha256, edition.licence,
            edition.acknowledgement, edition.imported_at, edition.imported_by, format_version,
        ],
    )
    rows = [
        (
            edition.id, entry.code, lookup_key(entry.code) or compact_code(entry.code).upper(),
            entry.parent_code, entry.kind.value, entry.item, entry.section,
            entry.category.value if entry.category else None, entry.title, entry.title_status,
            entry.text, entry.notes, json.dumps(list(entry.flags)),
            json.dumps(list(entry.sources), ensure_ascii=False), entry.sort_key,
            search_codes_for(entry.code),
        )
        for entry in entries
    ]
    connection.executemany(
        "INSERT INTO entries (edition_id, code, code_key, parent_code, kind, item, section, "
        "category, title, title_status, text, notes, flags, sources, sort_key, search_codes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    insert_references(connection, edition.id)
    seal_edition(connection, edition.id, edition.imported_at)
    return len(rows)


def seal_edition(connection: sqlite3.Connection, edition_id: str, sealed_at: str) -> None:
    """Seal a loaded edition: from here on triggers refuse any entry added to it."""
    connection.execute("INSERT INTO sealed_editions (edition_id, sealed_at) VALUES (?, ?)",
                       [edition_id, sealed_at])


def insert_references(connection: sqlite3.Connection, edition_id: str) -> int:
    """Record the cross-references of every entry of an edition; return how many.

    A reference counts when it names an entry of the same edition (or a
    sub-entry of one: ``9A112.a.9`` links to ``9A112.a`` when that is the
    deepest entry the edition has). An entry's references to itself and to its
    parent (a note naming the entry it belongs to) are left out.
    """
    rows = connection.execute(
        "SELECT id, code, parent_code, title, text, notes FROM entries WHERE edition_id = ?",
        [edition_id],
    ).fetchall()
    known_codes = frozenset(row[1] for row in rows)
    references = []
    for entry_id, code, parent_code, title, text, notes in rows:
        words = " ".join(part for part in (title, text, notes) if part)
        targets: list[str] = []
        for mentioned in find_code_references(words):
            target = resolve_reference(mentioned, known_codes)
            if target is None or target in (code, parent_code) or target in targets:
                continue
            targets.append(target)
        references.extend((entry_id, position, target) for position, target in enumerate(targets))
    connection.executemany(
        "INSERT INTO entry_refs (entry_id, position, to_code) VALUES (?, ?, ?)", references
    )
    return len(references)


def entry_subtree(connection: sqlite3.Connection, edition_id: str, code: str) -> list[Entry]:
    """Return an entry and all its descendants (sub-entries, notes) in the order of the list."""
    rows = connection.execute(
        f"""
        WITH RECURSIVE subtree(id) AS (
            SELECT id FROM entries WHERE edition_id = :edition AND code = :code
            UNION
            SELECT child.id FROM entries AS child JOIN subtree
              JOIN entries AS parent ON parent.id = subtree.id
             WHERE child.edition_id = :edition AND child.parent_code = parent.code
        )
        SELECT {_ENTRY_SELECT} FROM entries WHERE id IN (SELECT id FROM subtree)
        ORDER BY sort_key
        """,
        {"edition": edition_id, "code": code},
    ).fetchall()
    return [entry_from_row(row) for row in rows]


def list_editions(connection: sqlite3.Connection) -> list[Edition]:
    """Return every loaded edition with its entry count, in the order they were loaded."""
    counts = dict(
        connection.execute("SELECT edition_id, count(*) FROM entries GROUP BY edition_id")
    )
    rows = connection.execute(
        f"SELECT {_EDITION_COLUMNS} FROM editions ORDER BY rowid"
    ).fetchall()
    return [_edition_from_row(row, counts.get(row[0], 0)) for row in rows]


def get_edition(connection: sqlite3.Connection, edition_id: str) -> Edition | None:
    """Return one edition, or None."""
    row = connection.execute(
        f"SELECT {_EDITION_COLUMNS} FROM editions WHERE id = ?", [edition_id]
    ).fetchone()
    if row is None:
        return None
    (count,) = connection.execute(
        "SELECT count(*) FROM entries WHERE edition_id = ?", [edition_id]
    ).fetchone()
    return _edition_from_row(row, count)


def edition_source_hashes(connection: sqlite3.Connection) -> dict[str, str | None]:
    """Return ``{edition id: source sha256}`` for every loaded edition."""
    return dict(connection.execute("SELECT id, source_sha256 FROM editions"))


def find_entries_by_key(
    connection: sqlite3.Connection,
    key: str,
    *,
    edition_id: str | None = None,
    item: int | None = None,
    category: str | None = None,
) -> list[Entry]:
    """Return the entries whose normalised code equals ``key`` (one per edition at most)."""
    rows = connection.execute(
        f"SELECT {_ENTRY_SELECT} FROM entries WHERE code_key = :key "
        "AND (:edition IS NULL OR edition_id = :edition) "
        "AND (:item IS NULL OR item = :item) "
        "AND (:category IS NULL OR category = :category) "
        f"ORDER BY {_EDITION_ORDER.format(column='edition_id')}",
        {"key": key, "edition": edition_id, "item": item, "category": category},
    ).fetchall()
    return [entry_from_row(row) for row in rows]


def find_entries_by_code(
    connection: sqlite3.Connection, code: str, *, edition_id: str | None = None
) -> list[Entry]:
    """Return the entries with exactly this stored code (one per edition at most)."""
    rows = connection.execute(
        f"SELECT {_ENTRY_SELECT} FROM entries WHERE code = :code "
        "AND (:edition IS NULL OR edition_id = :edition) "
        f"ORDER BY {_EDITION_ORDER.format(column='edition_id')}",
        {"code": code, "edition": edition_id},
    ).fetchall()
    return [entry_from_row(row) for row in rows]


def get_entry(connection: sqlite3.Connection, edition_id: str, code: str) -> Entry | None:
    """Return the entry with exactly this stored code, or None."""
    row = connection.execute(
        f"SELECT {_ENTRY_SELECT} FROM entries WHERE edition_id = ? AND code = ?",
        [edition_id, code],
    ).fetchone()
    return entry_from_row(row) if row else None


def children(connection: sqlite3.Connection, edition_id: str, code: str) -> list[Entry]:
    """Return the direct children of an entry in Annex order."""
    rows = connection.execute(
        f"SELECT {_ENTRY_SELECT} FROM entries WHERE edition_id = ? AND parent_code = ? "
        "ORDER BY sort_key",
        [edition_id, code],
    ).fetchall()
    return [entry_from_row(row) for row in rows]


def edition_entries(connection: sqlite3.Connection, edition_id: str) -> list[Entry]:
    """Return every entry of an edition in Annex order."""
    rows = connection.execute(
        f"SELECT {_ENTRY_SELECT} FROM entries WHERE edition_id = ? ORDER BY sort_key",
        [edition_id],
    ).fetchall()
    return [entry_from_row(row) for row in rows]


def full_text_search(
    connection: sqlite3.Connection,
    match: str,
    *,
    edition_id: str | None,
    item: int | None,
    category: str | None,
    limit: int,
    annex_order: bool = False,
) -> list[FullTextRow]:
    """Run the full-text query; return the matches best first.

    With ``annex_order`` the matches come in the order of the list instead.
    """
    rows = connection.execute(
        FTS_SEARCH_ANNEX_ORDER_SQL if annex_order else FTS_SEARCH_SQL,
        {"match": match, "edition": edition_id, "item": item, "category": category,
         "limit": limit},
    ).fetchall()
    return [FullTextRow(*row) for row in rows]
