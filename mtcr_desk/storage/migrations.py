"""Schema migrations: small named functions, applied in order and recorded.

sqlite-utils records each applied migration in ``_sqlite_migrations``; applying
is idempotent (an applied migration never runs again). Add new migrations at
the end, never edit one that has shipped: a database written by a newer
version carries migration names this version does not know, and
:func:`unknown_applied_migrations` lets the opener refuse it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "mtcr_desk"


class _MigrationRegistry:
    """The migration functions in order, registered with ``@migrations()``.

    The sqlite-utils migration set is built only when a migration must run:
    importing sqlite-utils costs a noticeable share of the app's start-up, and an
    up-to-date database never needs it.
    """

    def __init__(self, name: str):
        self.name = name
        self.functions: list[Callable] = []

    def __call__(self) -> Callable[[Callable], Callable]:
        def register(function: Callable) -> Callable:
            self.functions.append(function)
            return function

        return register

    def migration_set(self):
        from sqlite_utils import Migrations

        migration_set = Migrations(self.name)
        for function in self.functions:
            migration_set(name=function.__name__)(function)
        return migration_set

    def apply(self, db: Database, **options) -> None:
        self.migration_set().apply(db, **options)


migrations = _MigrationRegistry(MIGRATION_SET)


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


#: Statuses after which a case, its parties, items, assessments and factors never change.
FINAL_CASE_STATUSES = "('decided', 'withdrawn')"


def _refuse(db: Database, name: str, timing_event_table: str, when: str, message: str) -> None:
    """Create a trigger that aborts the statement with ``message`` when ``when`` holds."""
    condition = f"WHEN {when}" if when else ""
    db.execute(
        f"""
        CREATE TRIGGER {name} {timing_event_table} {condition}
        BEGIN
            SELECT RAISE(ABORT, '{message}');
        END
        """
    )


@migrations()
def m003_cases_users_audit(db: Database) -> None:
    """Users, reference data, cases with everything recorded on them, the audit chain."""
    db.execute(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE
                CHECK (length(username) BETWEEN 1 AND 64 AND username NOT GLOB '*[^a-z0-9._-]*'),
            display_name TEXT NOT NULL,
            role TEXT NOT NULL
                CHECK (role IN ('officer', 'senior officer', 'trainer', 'administrator')),
            password_hash TEXT NOT NULL,
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE countries (
            code TEXT PRIMARY KEY CHECK (length(code) = 2 AND code GLOB '[A-Z][A-Z]'),
            alpha3 TEXT NOT NULL,
            name TEXT NOT NULL,
            mtcr_status TEXT CHECK (mtcr_status IS NULL OR mtcr_status IN ('partner', 'adherent')),
            mtcr_partner_since INTEGER,
            un_measures TEXT NOT NULL DEFAULT '[]',
            un_measures_summary TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            reference TEXT NOT NULL UNIQUE CHECK (reference GLOB 'MTCR-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]*'),
            year INTEGER NOT NULL,
            number INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'in review', 'awaiting countersignature',
                                                   'decided', 'returned', 'withdrawn')),
            applicant TEXT NOT NULL,
            destination TEXT NOT NULL REFERENCES countries(code),
            end_use TEXT NOT NULL DEFAULT '',
            received_on TEXT NOT NULL,
            due_on TEXT,
            officer TEXT,
            edition_id TEXT NOT NULL REFERENCES editions(id),
            training INTEGER NOT NULL DEFAULT 0 CHECK (training IN (0, 1)),
            assurances TEXT NOT NULL DEFAULT '[]',
            end_user_statement TEXT NOT NULL DEFAULT '',
            flags_acknowledged_by TEXT,
            flags_acknowledged_at TEXT,
            amends_case_id INTEGER REFERENCES cases(id),
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            UNIQUE (year, number)
        )
        """
    )
    db.execute("CREATE INDEX cases_status ON cases (status, received_on)")
    db.execute("CREATE INDEX cases_edition ON cases (edition_id)")
    db.execute(
        """
        CREATE TABLE parties (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            position INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('applicant', 'consignee', 'end user',
                'ultimate end user', 'intermediate consignee', 'third party')),
            name TEXT NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            country TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX parties_case ON parties (case_id, position)")
    db.execute(
        """
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            line INTEGER NOT NULL CHECK (line >= 1),
            description TEXT NOT NULL,
            manufacturer TEXT NOT NULL DEFAULT '',
            part_number TEXT NOT NULL DEFAULT '',
            quantity REAL NOT NULL CHECK (quantity > 0),
            unit TEXT NOT NULL DEFAULT 'pieces',
            value REAL CHECK (value IS NULL OR value >= 0),
            currency TEXT NOT NULL DEFAULT 'EUR',
            UNIQUE (case_id, line)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE assessments (
            item_id INTEGER PRIMARY KEY REFERENCES items(id),
            status TEXT NOT NULL CHECK (status IN ('unassessed', 'controlled', 'not controlled',
                                                   'catch-all concern')),
            category TEXT CHECK (category IS NULL OR category IN ('I', 'II')),
            rationale TEXT NOT NULL DEFAULT '',
            assessed_by TEXT,
            assessed_at TEXT,
            precedent TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE assessment_entries (
            item_id INTEGER NOT NULL REFERENCES items(id),
            position INTEGER NOT NULL,
            edition_id TEXT NOT NULL,
            code TEXT NOT NULL,
            PRIMARY KEY (item_id, position),
            FOREIGN KEY (edition_id, code) REFERENCES entries(edition_id, code)
        )
        """
    )
    db.execute("CREATE INDEX assessment_entries_code ON assessment_entries (edition_id, code)")
    db.execute(
        """
        CREATE TABLE factors (
            case_id INTEGER NOT NULL REFERENCES cases(id),
            factor TEXT NOT NULL CHECK (factor IN ('a', 'b', 'c', 'd', 'e', 'f')),
            finding TEXT NOT NULL CHECK (finding IN ('no concern', 'concern', 'serious concern',
                                                     'not applicable')),
            note TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (case_id, factor)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            outcome TEXT NOT NULL CHECK (outcome IN ('approve', 'approve with conditions', 'deny',
                                                     'return without action',
                                                     'no licence required')),
            rationale TEXT NOT NULL,
            conditions TEXT NOT NULL DEFAULT '[]',
            presumption_acknowledged INTEGER NOT NULL DEFAULT 0,
            drafted_by TEXT NOT NULL,
            drafted_at TEXT NOT NULL,
            countersigned_by TEXT,
            countersigned_at TEXT,
            countersignature TEXT CHECK (countersignature IS NULL
                                         OR countersignature IN ('agreed', 'returned')),
            return_comment TEXT NOT NULL DEFAULT '',
            memo_sha256 TEXT,
            audit_head TEXT
        )
        """
    )
    db.execute("CREATE INDEX decisions_case ON decisions (case_id, id)")
    db.execute(
        """
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX notes_case ON notes (case_id, id)")
    db.execute(
        """
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            before TEXT,
            after TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX audit_entity ON audit_log (entity, entity_id, seq)")

    # The audit log is append-only.
    _refuse(db, "audit_log_no_update", "BEFORE UPDATE ON audit_log", "",
            "the audit log is append-only")
    _refuse(db, "audit_log_no_delete", "BEFORE DELETE ON audit_log", "",
            "the audit log is append-only")

    # A final case never changes: a change after decision is an amendment.
    final_message = "the case is final (decided or withdrawn); amend it instead"
    _refuse(db, "cases_final_no_update", "BEFORE UPDATE ON cases",
            f"OLD.status IN {FINAL_CASE_STATUSES}", final_message)
    _refuse(db, "cases_no_delete", "BEFORE DELETE ON cases", "", "cases are never deleted")
    for table in ("parties", "items", "factors"):
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            _refuse(db, f"{table}_final_no_{event.lower()}", f"BEFORE {event} ON {table}",
                    f"(SELECT status FROM cases WHERE id = {row}.case_id) "
                    f"IN {FINAL_CASE_STATUSES}", final_message)
    for table in ("assessments", "assessment_entries"):
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            _refuse(db, f"{table}_final_no_{event.lower()}", f"BEFORE {event} ON {table}",
                    "(SELECT c.status FROM cases AS c JOIN items AS i ON i.case_id = c.id "
                    f"WHERE i.id = {row}.item_id) IN {FINAL_CASE_STATUSES}", final_message)
    # A countersigned (agreed or returned) decision is history and never changes.
    _refuse(db, "decisions_signed_no_update", "BEFORE UPDATE ON decisions",
            "OLD.countersignature IS NOT NULL",
            "a countersigned decision never changes")
    _refuse(db, "decisions_no_delete", "BEFORE DELETE ON decisions", "",
            "decisions are never deleted")
    _refuse(db, "decisions_final_no_insert", "BEFORE INSERT ON decisions",
            f"(SELECT status FROM cases WHERE id = NEW.case_id) IN {FINAL_CASE_STATUSES}",
            final_message)


@migrations()
def m004_sealed_editions(db: Database) -> None:
    """An edition is sealed once loaded: no entry or reference may be added to it later."""
    db.execute(
        """
        CREATE TABLE sealed_editions (
            edition_id TEXT PRIMARY KEY REFERENCES editions(id),
            sealed_at TEXT NOT NULL
        )
        """
    )
    sealed = "control-list editions are read-only once loaded"
    _refuse(db, "sealed_editions_no_update", "BEFORE UPDATE ON sealed_editions", "", sealed)
    _refuse(db, "sealed_editions_no_delete", "BEFORE DELETE ON sealed_editions", "", sealed)
    _refuse(db, "entries_sealed_no_insert", "BEFORE INSERT ON entries",
            "EXISTS (SELECT 1 FROM sealed_editions WHERE edition_id = NEW.edition_id)", sealed)
    _refuse(db, "entry_refs_sealed_no_insert", "BEFORE INSERT ON entry_refs",
            "EXISTS (SELECT 1 FROM sealed_editions AS s JOIN entries AS e "
            "ON e.edition_id = s.edition_id WHERE e.id = NEW.entry_id)", sealed)
    db.execute("INSERT INTO sealed_editions (edition_id, sealed_at) "
               "SELECT id, imported_at FROM editions")


@migrations()
def m005_pending_decision_guards(db: Database) -> None:
    """While a decision awaits countersignature the case's record stands still, and a
    decision on a final case (decided or withdrawn) never changes."""
    message = "the decision awaits countersignature; it must be returned before changes"
    for table in ("parties", "items", "factors"):
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            _refuse(db, f"{table}_pending_no_{event.lower()}", f"BEFORE {event} ON {table}",
                    f"(SELECT status FROM cases WHERE id = {row}.case_id) "
                    "= 'awaiting countersignature'", message)
    for table in ("assessments", "assessment_entries"):
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            _refuse(db, f"{table}_pending_no_{event.lower()}", f"BEFORE {event} ON {table}",
                    "(SELECT c.status FROM cases AS c JOIN items AS i ON i.case_id = c.id "
                    f"WHERE i.id = {row}.item_id) = 'awaiting countersignature'", message)
    _refuse(db, "decisions_final_case_no_update", "BEFORE UPDATE ON decisions",
            f"(SELECT status FROM cases WHERE id = OLD.case_id) IN {FINAL_CASE_STATUSES}",
            "the case is final (decided or withdrawn); amend it instead")


@migrations()
def m006_guards_on_moved_rows_and_notes(db: Database) -> None:
    """A row may not be moved into a final case either, and notes are append-only."""
    final_message = "the case is final (decided or withdrawn); amend it instead"
    for table in ("parties", "items", "factors"):
        _refuse(db, f"{table}_final_no_move_in", f"BEFORE UPDATE ON {table}",
                f"(SELECT status FROM cases WHERE id = NEW.case_id) IN {FINAL_CASE_STATUSES}",
                final_message)
    for table in ("assessments", "assessment_entries"):
        _refuse(db, f"{table}_final_no_move_in", f"BEFORE UPDATE ON {table}",
                "(SELECT c.status FROM cases AS c JOIN items AS i ON i.case_id = c.id "
                f"WHERE i.id = NEW.item_id) IN {FINAL_CASE_STATUSES}", final_message)
    _refuse(db, "notes_no_update", "BEFORE UPDATE ON notes", "",
            "notes are never changed; add a new note instead")
    _refuse(db, "notes_no_delete", "BEFORE DELETE ON notes", "",
            "notes are never deleted; add a new note instead")


def pending_migrations(db: Database | sqlite3.Connection) -> list[str]:
    """Return the names of migrations not yet applied (plain SQL; no sqlite-utils)."""
    connection = getattr(db, "conn", db)
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    applied = set()
    if has_table:
        applied = {name for (name,) in connection.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])}
    return [name for name in known_migration_names() if name not in applied]


def apply(db: Database) -> None:
    """Apply every pending migration (call inside a write transaction)."""
    migrations.apply(db)


def known_migration_names() -> list[str]:
    """Return the names of every migration this version knows, in order."""
    return [function.__name__ for function in migrations.functions]


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


# --- m007: the case list ---------------------------------------------------------------

#: A case's MTCR category, for the case whose id is ``{case}``: the highest category
#: of its controlled items' entries under the pinned edition, or, for an edition
#: without MTCR categories, the highest category recorded with the assessments
#: (the rule of :func:`mtcr_desk.domain.rules.item_category`). ``min`` works because
#: ``'I' < 'II'``.
_M007_CATEGORY = """
    (SELECT CASE WHEN ed.has_mtcr_categories THEN
        (SELECT min(en.category) FROM items AS i
         JOIN assessments AS a ON a.item_id = i.id
         JOIN assessment_entries AS ae ON ae.item_id = i.id
         JOIN entries AS en ON en.edition_id = c.edition_id AND en.code = ae.code
         WHERE i.case_id = c.id AND a.status = 'controlled')
     ELSE
        (SELECT min(a.category) FROM items AS i JOIN assessments AS a ON a.item_id = i.id
         WHERE i.case_id = c.id AND a.status = 'controlled')
     END
     FROM cases AS c JOIN editions AS ed ON ed.id = c.edition_id WHERE c.id = {case})
"""

#: When a case became final: the agreed countersignature of a decided case, the
#: withdrawal note of a withdrawn one (both paths, in-app and import, write it
#: before the status), else now.
_M007_CLOSED_ON = """
    coalesce(CASE {status}
        WHEN 'decided' THEN (SELECT max(countersigned_at) FROM decisions
                             WHERE case_id = {case} AND countersignature = 'agreed')
        WHEN 'withdrawn' THEN (SELECT max(created_at) FROM notes
                               WHERE case_id = {case} AND text LIKE 'Withdrawn:%')
        END, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
"""


def _m007_recategorise(case_id_sql: str) -> str:
    """The statement that recomputes the category of the case ``case_id_sql`` names."""
    return (f"UPDATE case_index SET category = "
            f"{_M007_CATEGORY.format(case='case_index.case_id')} "
            f"WHERE case_id = {case_id_sql};")


@migrations()
def m007_case_list(db: Database) -> None:
    """The case list's read model (``case_index``), kept right by triggers; saved filters.

    ``case_index`` holds one narrow row per case with what the case list filters
    and sorts on, the derived category and the date the case became final, with
    an index per sort order, so that 100,000 cases filter and sort in SQL without
    joins. It is derived data, not a record: triggers on the case tables keep it
    right whatever path writes, and it is not audited (``verify`` cross-checks the
    audited tables only; a trigger-maintained column inside ``cases`` would break
    that). ``saved_filters`` holds each user's named case-list filters: view
    preferences, not records, so they are not audited either.
    """
    db.execute(
        """
        CREATE TABLE case_index (
            case_id INTEGER PRIMARY KEY REFERENCES cases(id),
            reference TEXT NOT NULL,
            reference_key INTEGER NOT NULL,  -- year * 1,000,000 + number: reference order
            status TEXT NOT NULL,
            status_order INTEGER GENERATED ALWAYS AS (CASE status
                WHEN 'draft' THEN 1 WHEN 'in review' THEN 2 WHEN 'returned' THEN 3
                WHEN 'awaiting countersignature' THEN 4 WHEN 'decided' THEN 5
                ELSE 6 END) VIRTUAL,
            final INTEGER GENERATED ALWAYS AS (status IN ('decided', 'withdrawn')) VIRTUAL,
            applicant TEXT NOT NULL,
            destination TEXT NOT NULL,
            destination_name TEXT NOT NULL,
            officer TEXT,
            received_on TEXT NOT NULL,
            due_on TEXT,
            closed_on TEXT,
            -- Whole days, so that "days open" is integer arithmetic, not date parsing.
            received_day INTEGER GENERATED ALWAYS AS (CAST(julianday(received_on) AS INTEGER))
                VIRTUAL,
            closed_days INTEGER GENERATED ALWAYS AS (CAST(julianday(substr(closed_on, 1, 10))
                - julianday(received_on) AS INTEGER)) STORED,
            category TEXT CHECK (category IS NULL OR category IN ('I', 'II')),
            category_order INTEGER GENERATED ALWAYS AS (CASE category
                WHEN 'I' THEN 1 WHEN 'II' THEN 2 ELSE 3 END) VIRTUAL,
            training INTEGER NOT NULL,
            -- What free text matches, lower-cased (SQLite folds ASCII letters only).
            search TEXT GENERATED ALWAYS AS (lower(reference || ' ' || applicant || ' '
                || destination || ' ' || destination_name || ' ' || coalesce(officer, '')))
                STORED
        )
        """
    )
    for name, columns in (("reference", "reference_key"),
                          ("applicant", "applicant COLLATE NOCASE"),
                          ("destination_name", "destination_name"),
                          ("destination", "destination"),
                          ("status", "status_order"),
                          ("category", "category_order"),
                          ("officer", "officer"),
                          ("received", "received_on"),
                          ("due", "due_on"),
                          # Covers "days open": sorting by it reads this index only.
                          ("days_open", "closed_days, received_day")):
        db.execute(f"CREATE INDEX case_index_{name} ON case_index ({columns})")
    # Free text: a trigram index over ``search`` finds substrings of three or more
    # characters (case-folded, any script) without reading every case.
    db.execute("CREATE VIRTUAL TABLE case_search USING fts5(search, content='case_index', "
               "content_rowid='case_id', tokenize='trigram')")
    db.execute(
        """
        CREATE TRIGGER case_search_insert AFTER INSERT ON case_index
        BEGIN
            INSERT INTO case_search (rowid, search) VALUES (NEW.case_id, NEW.search);
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER case_search_update AFTER UPDATE ON case_index
        WHEN OLD.search IS NOT NEW.search
        BEGIN
            INSERT INTO case_search (case_search, rowid, search)
            VALUES ('delete', OLD.case_id, OLD.search);
            INSERT INTO case_search (rowid, search) VALUES (NEW.case_id, NEW.search);
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER case_search_delete AFTER DELETE ON case_index
        BEGIN
            INSERT INTO case_search (case_search, rowid, search)
            VALUES ('delete', OLD.case_id, OLD.search);
        END
        """
    )

    copied = ("reference, reference_key, status, applicant, destination, destination_name, "
              "officer, received_on, due_on, training")

    def values(row: str) -> str:
        return (f"{row}.reference, {row}.year * 1000000 + {row}.number, {row}.status, "
                f"{row}.applicant, {row}.destination, coalesce((SELECT name FROM countries "
                f"WHERE code = {row}.destination), {row}.destination), {row}.officer, "
                f"{row}.received_on, {row}.due_on, {row}.training")

    # One trigger per event where the order matters: SQLite does not promise an order.
    db.execute(
        f"""
        CREATE TRIGGER case_index_case_insert AFTER INSERT ON cases
        BEGIN
            INSERT INTO case_index (case_id, {copied}, closed_on)
            VALUES (NEW.id, {values('NEW')}, CASE WHEN NEW.status IN {FINAL_CASE_STATUSES}
                THEN {_M007_CLOSED_ON.format(status='NEW.status', case='NEW.id')} END);
        END
        """
    )
    db.execute(
        f"""
        CREATE TRIGGER case_index_case_update AFTER UPDATE ON cases
        BEGIN
            UPDATE case_index SET ({copied}) = ({values('NEW')}) WHERE case_id = NEW.id;
        END
        """
    )
    db.execute(
        f"""
        CREATE TRIGGER case_index_case_repin AFTER UPDATE OF edition_id ON cases
        BEGIN
            {_m007_recategorise('NEW.id')}
        END
        """
    )
    db.execute(
        f"""
        CREATE TRIGGER case_index_case_final AFTER UPDATE OF status ON cases
        WHEN NEW.status IN {FINAL_CASE_STATUSES}
        BEGIN
            UPDATE case_index SET closed_on =
                {_M007_CLOSED_ON.format(status='NEW.status', case='NEW.id')}
            WHERE case_id = NEW.id;
        END
        """
    )
    for table in ("assessments", "assessment_entries"):
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            statements = [_m007_recategorise(
                f"(SELECT case_id FROM items WHERE id = {row}.item_id)")]
            if event == "UPDATE":
                statements.append(_m007_recategorise(
                    "(SELECT case_id FROM items WHERE id = OLD.item_id)"))
            body = "\n".join(statements)
            db.execute(
                f"""
                CREATE TRIGGER case_index_{table}_{event.lower()} AFTER {event} ON {table}
                BEGIN
                    {body}
                END
                """
            )
    db.execute(
        f"""
        CREATE TRIGGER case_index_items_move AFTER UPDATE OF case_id ON items
        BEGIN
            {_m007_recategorise('OLD.case_id')}
            {_m007_recategorise('NEW.case_id')}
        END
        """
    )
    db.execute(
        f"""
        CREATE TRIGGER case_index_items_delete AFTER DELETE ON items
        BEGIN
            {_m007_recategorise('OLD.case_id')}
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER case_index_country_name AFTER UPDATE OF name ON countries
        BEGIN
            UPDATE case_index SET destination_name = NEW.name WHERE destination = NEW.code;
        END
        """
    )

    # Cases recorded before this migration.
    db.execute(f"INSERT INTO case_index (case_id, {copied}) SELECT c.id, {values('c')} "
               "FROM cases AS c")
    db.execute("UPDATE case_index SET category = "
               f"{_M007_CATEGORY.format(case='case_index.case_id')}")
    db.execute("UPDATE case_index SET closed_on = "
               f"{_M007_CLOSED_ON.format(status='case_index.status', case='case_index.case_id')}"
               f" WHERE status IN {FINAL_CASE_STATUSES}")

    db.execute(
        """
        CREATE TABLE saved_filters (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users(username),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            filter TEXT NOT NULL,  -- JSON, written by services.case_list
            saved_at TEXT NOT NULL,
            UNIQUE (username, name)
        )
        """
    )


# --- m008: office settings and the memo of record -----------------------------------------


@migrations()
def m008_settings_and_memos(db: Database) -> None:
    """Office-wide settings (audited), and the PDF memo of every final decision.

    The memo rendered when a decision is countersigned is kept byte for byte: its
    SHA-256 is on the decision (and so in the audit chain), and an export of the
    final decision years later hands out exactly that document, whatever settings
    or reference data have changed since.
    """
    db.execute(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 64),
            value TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE memo_documents (
            decision_id INTEGER PRIMARY KEY REFERENCES decisions(id),
            sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
            pdf BLOB NOT NULL
        )
        """
    )
    _refuse(db, "memo_documents_no_update", "BEFORE UPDATE ON memo_documents", "",
            "the memo of a final decision is never changed")
    _refuse(db, "memo_documents_no_delete", "BEFORE DELETE ON memo_documents", "",
            "the memo of a final decision is never deleted")


# --- m009: trainee attempts in the training sandbox ----------------------------------------


@migrations()
def m009_training_attempts(db: Database) -> None:
    """A trainee's attempts at training scenarios, with their scores.

    Only a training database ever holds rows here. A score is teaching material,
    not a licensing record, so attempts are not in the audit chain; the case a
    trainee reviews is (every edit on it is audited like any case).
    """
    db.execute(
        """
        CREATE TABLE training_attempts (
            id INTEGER PRIMARY KEY,
            scenario_id TEXT NOT NULL CHECK (length(scenario_id) BETWEEN 1 AND 20),
            trainee TEXT NOT NULL REFERENCES users(username),
            case_reference TEXT NOT NULL UNIQUE REFERENCES cases(reference),
            started_at TEXT NOT NULL,
            submitted_at TEXT,
            earned REAL,
            possible REAL,
            breakdown TEXT,  -- JSON list of score lines, written by services.training
            CHECK ((submitted_at IS NULL) = (earned IS NULL))
        )
        """
    )
    db.execute("CREATE INDEX training_attempts_trainee ON training_attempts (trainee, scenario_id)")


@migrations()
def m010_amendment_lookup(db: Database) -> None:
    """An index to find the cases that amend a case.

    Every workspace asks whether its case has been amended since; without the
    index that question scanned all cases (30 ms at 100,000 cases, twice per
    refresh).
    """
    db.execute("CREATE INDEX cases_amends ON cases (amends_case_id)")


@migrations()
def m011_item_words(db: Database) -> None:
    """A word index of items, so that finding precedents reads only the items that share
    a word (or the part number) with the one being classified, not every item.

    Derived from ``items`` (which are never changed once written) by
    :mod:`mtcr_desk.storage.item_words`; not audited, like the full-text index of
    entries. Existing items are indexed here, once.
    """
    from mtcr_desk.storage.item_words import index_missing_items

    db.execute(
        """
        CREATE TABLE item_words (
            field TEXT NOT NULL CHECK (field IN ('description', 'manufacturer')),
            word TEXT NOT NULL,
            item_id INTEGER NOT NULL REFERENCES items(id),
            PRIMARY KEY (field, word, item_id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE item_word_counts (
            item_id INTEGER PRIMARY KEY REFERENCES items(id),
            description_words INTEGER NOT NULL,
            manufacturer_words INTEGER NOT NULL,
            part_number_key TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX item_word_counts_part_number ON item_word_counts "
               "(part_number_key) WHERE part_number_key != ''")
    # Items are never changed once written: the index stays true without re-reading them.
    db.execute(
        """
        CREATE TRIGGER items_words_fixed BEFORE UPDATE OF description, manufacturer,
            part_number ON items
        BEGIN
            SELECT RAISE(ABORT, 'an item is never changed once written');
        END
        """
    )
    index_missing_items(db.conn)
