"""Schema migrations: small named functions, applied in order and recorded.

sqlite-utils records each applied migration in ``_sqlite_migrations``; applying
is idempotent (an applied migration never runs again). Add new migrations at
the end, never edit one that has shipped: a database written by a newer
version carries migration names this version does not know, and
:func:`unknown_applied_migrations` lets the opener refuse it.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database, Migrations

MIGRATION_SET = "mtcr_desk"

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_control_lists(db: Database) -> None:
    """Editions and their entry trees, with full-text search over entries."""
    db.execute(
        """
        CREATE TABLE editions (
            id TEXT PRIMARY KEY CHECK (id GLOB '[a-z0-9]*' AND length(id) <= 64),
            regime TEXT NOT NULL,
            title TEXT NOT NULL,
            version TEXT NOT NULL,
            edition_date TEXT,
            text_status TEXT NOT NULL CHECK (text_status IN ('structure', 'full')),
            has_mtcr_categories INTEGER NOT NULL CHECK (has_mtcr_categories IN (0, 1)),
            provenance TEXT NOT NULL,
            source_file TEXT,
            source_sha256 TEXT,
            licence TEXT,
            acknowledgement TEXT,
            format_version INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            edition_id TEXT NOT NULL REFERENCES editions(id),
            code TEXT NOT NULL,
            code_key TEXT NOT NULL,
            parent_code TEXT,
            kind TEXT NOT NULL CHECK (kind IN
                ('item', 'section', 'entry', 'note', 'technical note', 'definition')),
            item INTEGER,
            section TEXT,
            category TEXT CHECK (category IS NULL OR category IN ('I', 'II')),
            title TEXT,
            title_status TEXT,
            text TEXT,
            notes TEXT,
            flags TEXT NOT NULL DEFAULT '[]',
            sources TEXT NOT NULL DEFAULT '[]',
            sort_key INTEGER NOT NULL,
            -- Code forms the search index matches: compact (2A1c) and UK (M2A1c).
            search_codes TEXT NOT NULL,
            UNIQUE (edition_id, code)
        )
        """
    )
    db.execute("CREATE INDEX entries_code_key ON entries (code_key, edition_id)")
    db.execute("CREATE INDEX entries_parent ON entries (edition_id, parent_code, sort_key)")
    db.execute("CREATE INDEX entries_order ON entries (edition_id, sort_key)")
    db["entries"].enable_fts(
        ["search_codes", "title", "text", "notes"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    # An edition never changes once loaded: assessments pin it.
    for table in ("entries", "editions"):
        for event in ("UPDATE", "DELETE"):
            db.execute(
                f"""
                CREATE TRIGGER {table}_read_only_{event.lower()}
                BEFORE {event} ON {table}
                BEGIN
                    SELECT RAISE(ABORT,
                        'control-list editions are read-only once loaded');
                END
                """
            )


@migrations()
def m002_entry_references(db: Database) -> None:
    """Cross-references between entries of an edition ("specified in 9A104")."""
    # Imported here: the backfill uses the same code as every later load.
    from mtcr_desk.storage.control_lists import insert_references

    db.execute(
        """
        CREATE TABLE entry_refs (
            entry_id INTEGER NOT NULL REFERENCES entries(id),
            position INTEGER NOT NULL,
            to_code TEXT NOT NULL,
            PRIMARY KEY (entry_id, position)
        ) WITHOUT ROWID
        """
    )
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"""
            CREATE TRIGGER entry_refs_read_only_{event.lower()}
            BEFORE {event} ON entry_refs
            BEGIN
                SELECT RAISE(ABORT, 'control-list editions are read-only once loaded');
            END
            """
        )
    for (edition_id,) in db.execute("SELECT id FROM editions").fetchall():
        insert_references(db.conn, edition_id)


def pending_migrations(db: Database) -> list[str]:
    """Return the names of migrations not yet applied to ``db``."""
    return [migration.name for migration in migrations.pending(db)]


def apply(db: Database) -> None:
    """Apply every pending migration (call inside a write transaction)."""
    migrations.apply(db)


def known_migration_names() -> list[str]:
    """Return the names of every migration this version knows, in order."""
    return [migration.name for migration in migrations._migrations]


def unknown_applied_migrations(connection: sqlite3.Connection) -> list[str]:
    """Return migrations recorded in the file that this version does not know."""
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if not has_table:
        return []
    known = set(known_migration_names())
    rows = connection.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
        [MIGRATION_SET],
    ).fetchall()
    return [name for (name,) in rows if name not in known]
