"""SQL for the case list: count and fetch pages of cases, filtered and sorted in SQL.

Every query reads ``case_index`` (migration ``m007_case_list``), the narrow
trigger-maintained copy of what the list filters and sorts on, joined to
countries and users only for the one page it returns. ``WHERE`` and
``ORDER BY`` are built from a :class:`ListConditions` and a sort key chosen
from :data:`SORT_EXPRESSIONS`: user text only ever travels as a parameter.

Also here: saved filters (plain rows, not audited: they are view preferences,
not records) and :func:`bulk_generate_cases_for_benchmark`, which fills a
database for ``bench/case_list.py`` only.
"""

from __future__ import annotations

import datetime
import json
import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mtcr_desk.storage.item_words import index_missing_items

#: Sort keys and the SQL that orders by them; ties are broken by ``case_id``.
#: Every key but days open has an index on ``case_index``.
SORT_EXPRESSIONS: dict[str, str] = {
    "reference": "ci.reference_key",
    "applicant": "ci.applicant COLLATE NOCASE",
    "destination": "ci.destination_name",
    "status": "ci.status_order",
    "category": "ci.category_order",
    "officer": "ci.officer",
    "received": "ci.received_on",
    "due": "ci.due_on",
    "days_open": "coalesce(ci.closed_days, CAST(julianday(:today) AS INTEGER) - ci.received_day)",
}

#: Words shorter than this are matched by scanning; longer ones through the trigram index.
TRIGRAM = 3
#: Text matching more than this share of the cases (1/4), and at least MIN_BROAD of
#: them, is found by scanning: looking up that many index matches costs more.
BROAD_SHARE = 4
MIN_BROAD = 2_000

#: A filter is selective when fewer than this share of the cases match (1/20): its page
#: is then sorted from the matches (found by a filter index or one scan) instead of
#: read along the sort index, which would visit about 20 cases for every match.
SELECTIVE_SHARE = 20

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

_PAGE_COLUMNS = (
    "ci.case_id, ci.reference, ci.applicant, ci.destination, ci.destination_name, "
    "co.mtcr_status, co.un_measures, ci.status, ci.category, ci.officer, u.display_name, "
    "ci.received_on, ci.due_on, ci.closed_on, ci.training, "
    f"{SORT_EXPRESSIONS['days_open']}, (ci.due_on < :today AND NOT ci.final)"
)


@dataclass(frozen=True, slots=True)
class ListConditions:
    """What the list is narrowed to, as plain values (empty or None: no condition)."""

    #: Words that must all occur in the reference, applicant, destination or officer.
    words: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    #: ``"I"``, ``"II"`` or ``"none"`` (no category: nothing controlled).
    category: str | None = None
    destination: str | None = None
    officer: str | None = None
    overdue: bool = False
    training: bool | None = None


@dataclass(frozen=True, slots=True)
class ListRow:
    """One case as the list shows it."""

    case_id: int
    reference: str
    applicant: str
    destination: str
    destination_name: str
    mtcr_status: str | None
    un_measures: tuple[str, ...]
    status: str
    category: str | None
    officer: str | None
    officer_name: str | None
    received_on: str
    due_on: str | None
    closed_on: str | None
    training: bool
    days_open: int
    overdue: bool


def fold_ascii(text: str) -> str:
    """Lower-case ASCII letters only, as SQLite's ``lower()`` does for ``case_index.search``."""
    return text.translate(_ASCII_LOWER)


def _phrase(word: str) -> str:
    """Return ``word`` as one FTS5 phrase: quoted, so nothing in it is query syntax."""
    return '"' + word.replace('"', '""') + '"'


@dataclass(frozen=True, slots=True)
class _TextPlan:
    """How the words are matched: an FTS5 expression for the trigram index, and words
    to find by scanning ``case_index.search``."""

    match: str | None
    scanned: tuple[str, ...]


def _text_plan(connection: sqlite3.Connection, words: Sequence[str], total: int) -> _TextPlan:
    """Decide how to match the words: the trigram index for words that narrow the list
    well, a scan for the rest.

    Short words cannot use a trigram index. A word that matches a large share of the
    cases (``MTCR-20``, ``gmbh``) costs more through the index (every match must be
    looked up) than one scan, so a quick probe of the index, stopped early, decides.
    Words with letters beyond ASCII always use the index: only it folds their case.
    """
    short = tuple(word for word in words if len(word) < TRIGRAM)
    long_words = [word for word in words if len(word) >= TRIGRAM]
    if not long_words:
        return _TextPlan(None, short)
    match = " ".join(_phrase(word) for word in long_words)
    broad_above = max(MIN_BROAD, total // BROAD_SHARE)
    (matches,) = connection.execute(
        "SELECT count(*) FROM (SELECT 1 FROM case_search WHERE case_search MATCH ? LIMIT ?)",
        [match, broad_above + 1]).fetchone()
    if matches > broad_above and all(word.isascii() for word in long_words):
        return _TextPlan(None, short + tuple(long_words))
    return _TextPlan(match, short)


def _where(conditions: ListConditions, text: _TextPlan, *,
           use_filter_indexes: bool = True) -> tuple[str, dict]:
    """Return the WHERE clause (or "") and its named parameters.

    ``use_filter_indexes=False`` keeps SQLite off the indexes of the filtered
    columns (a unary ``+`` makes a column an expression), so that it reads along
    the sort index instead.
    """
    plus = "" if use_filter_indexes else "+"
    clauses: list[str] = []
    parameters: dict = {}
    if text.match is not None:
        clauses.append("ci.case_id IN (SELECT rowid FROM case_search WHERE case_search "
                       "MATCH :match)")
        parameters["match"] = text.match
    for index, word in enumerate(text.scanned):
        clauses.append(f"instr(ci.search, :word{index}) > 0")
        parameters[f"word{index}"] = fold_ascii(word)
    if conditions.statuses:
        names = [f"status{index}" for index in range(len(conditions.statuses))]
        clauses.append(f"ci.status IN ({', '.join(':' + name for name in names)})")
        parameters.update(zip(names, conditions.statuses, strict=True))
    if conditions.category == "none":
        clauses.append("ci.category IS NULL")
    elif conditions.category is not None:
        clauses.append("ci.category = :category")
        parameters["category"] = conditions.category
    if conditions.destination is not None:
        clauses.append(f"{plus}ci.destination = :destination")
        parameters["destination"] = conditions.destination
    if conditions.officer is not None:
        clauses.append(f"{plus}ci.officer = :officer")
        parameters["officer"] = conditions.officer
    if conditions.overdue:
        # Never along the due-date index: most old cases are past due, so a range
        # scan of it costs more than reading the table.
        clauses.append("+ci.due_on < :today AND NOT ci.final")
    if conditions.training is not None:
        clauses.append("ci.training = :training")
        parameters["training"] = int(conditions.training)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", parameters


def count_all(connection: sqlite3.Connection) -> int:
    """Return how many cases there are."""
    return connection.execute("SELECT count(*) FROM case_index").fetchone()[0]


def count_cases(connection: sqlite3.Connection, conditions: ListConditions, *,
                today: str) -> int:
    """Return how many cases meet ``conditions``."""
    text = _text_plan(connection, conditions.words, count_all(connection))
    where, parameters = _where(conditions, text)
    return connection.execute(f"SELECT count(*) FROM case_index AS ci{where}",
                              {**parameters, "today": today}).fetchone()[0]


def _page_ids_sql(conditions: ListConditions, text: _TextPlan, *, sort: str,
                  descending: bool, selective: bool) -> tuple[str, dict]:
    """Return the SQL that lists one page of case ids in order, and its parameters.

    ``selective`` (few cases match) keeps the ordering off the sort index, so that
    SQLite finds the matches first and sorts them; otherwise the filter indexes are
    kept out of it, so that SQLite reads along the sort index and stops after the
    page. Only ids are selected, so that the ordering reads indexes, not rows.
    """
    if sort not in SORT_EXPRESSIONS:
        raise ValueError(f"unknown sort key {sort!r}")
    where, parameters = _where(conditions, text, use_filter_indexes=selective)
    direction = "DESC" if descending else "ASC"
    expression, tie = SORT_EXPRESSIONS[sort], "ci.case_id"
    if selective:
        expression, tie = f"+{expression}", f"+{tie}"
    return (f"SELECT ci.case_id FROM case_index AS ci{where} "
            f"ORDER BY {expression} {direction}, {tie} {direction} "
            "LIMIT :limit OFFSET :offset"), parameters


def fetch_page(connection: sqlite3.Connection, conditions: ListConditions, *, sort: str,
               descending: bool, offset: int, limit: int, today: str,
               matching: int | None = None) -> list[ListRow]:
    """Return up to ``limit`` cases from ``offset`` in the given order.

    ``matching`` is how many cases meet the conditions, when the caller knows
    (it picks the faster plan; see :data:`SELECTIVE_SHARE`).
    """
    if matching is None:
        matching = count_cases(connection, conditions, today=today)
    total = count_all(connection)
    text = _text_plan(connection, conditions.words, total)
    sql, parameters = _page_ids_sql(conditions, text, sort=sort, descending=descending,
                                    selective=matching * SELECTIVE_SHARE < total)
    ids = [case_id for (case_id,) in connection.execute(
        sql, {**parameters, "today": today, "limit": int(limit), "offset": int(offset)})]
    if not ids:
        return []
    found = {}
    for row in connection.execute(
            f"SELECT {_PAGE_COLUMNS} FROM case_index AS ci "
            "LEFT JOIN countries AS co ON co.code = ci.destination "
            "LEFT JOIN users AS u ON u.username = ci.officer "
            "WHERE ci.case_id IN (SELECT value FROM json_each(:ids))",
            {"ids": json.dumps(ids), "today": today}):
        (case_id, reference, applicant, destination, destination_name, mtcr_status,
         un_measures, status, category, officer, officer_name, received_on, due_on,
         closed_on, training, days_open, overdue) = row
        found[case_id] = ListRow(
            case_id, reference, applicant, destination, destination_name, mtcr_status,
            tuple(json.loads(un_measures)) if un_measures else (), status, category,
            officer, officer_name, received_on, due_on, closed_on, bool(training),
            days_open, bool(overdue))
    return [found[case_id] for case_id in ids if case_id in found]


def destinations_in_use(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    """Return ``(code, name)`` of every destination some case has, by name."""
    # One index probe per country, not a pass over every case.
    return connection.execute(
        "SELECT code, name FROM countries AS c WHERE EXISTS "
        "(SELECT 1 FROM case_index WHERE destination = c.code) ORDER BY name").fetchall()


def officers_in_use(connection: sqlite3.Connection) -> list[tuple[str, str | None]]:
    """Return ``(username, display name)`` of every officer some case is assigned to."""
    return connection.execute(
        "SELECT o.officer, u.display_name FROM (SELECT DISTINCT officer FROM case_index "
        "WHERE officer IS NOT NULL) AS o LEFT JOIN users AS u ON u.username = o.officer "
        "ORDER BY coalesce(u.display_name, o.officer)").fetchall()


# --- saved filters (not audited: view preferences, not records) ------------------------


def saved_filters(connection: sqlite3.Connection, username: str) -> list[tuple[str, str]]:
    """Return ``(name, filter JSON)`` of a user's saved filters, by name."""
    return connection.execute(
        "SELECT name, filter FROM saved_filters WHERE username = ? ORDER BY name COLLATE NOCASE",
        [username]).fetchall()


def save_filter(connection: sqlite3.Connection, *, username: str, name: str, document: str,
                saved_at: str) -> None:
    """Insert or replace a user's saved filter of that name (inside a write)."""
    connection.execute(
        "INSERT INTO saved_filters (username, name, filter, saved_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (username, name) DO UPDATE SET filter = excluded.filter, "
        "saved_at = excluded.saved_at", [username, name, document, saved_at])


def delete_filter(connection: sqlite3.Connection, *, username: str, name: str) -> bool:
    """Delete a user's saved filter (inside a write); return False when there was none."""
    cursor = connection.execute("DELETE FROM saved_filters WHERE username = ? AND name = ?",
                                [username, name])
    return cursor.rowcount > 0


# --- benchmark only --------------------------------------------------------------------

_BENCH_WORDS = ("Aero", "Astra", "Boreal", "Cobalt", "Delta", "Ember", "Falcon", "Granite",
                "Helix", "Ion", "Jet", "Kestrel", "Lumen", "Meridian", "Nova", "Orbit",
                "Polar", "Quantum", "Rhein", "Sigma", "Titan", "Ultra", "Vector", "Wega",
                "Xenon", "Yukon", "Zenith")
_BENCH_KINDS = ("Dynamics", "Propulsion", "Composites", "Avionics", "Materials", "Systems",
                "Precision", "Instruments", "Engineering", "Technologies")
_BENCH_FORMS = ("Ltd", "GmbH", "AG", "SA", "Inc", "BV", "AB", "Oy", "S.p.A.", "KK")


def bulk_generate_cases_for_benchmark(
        connection: sqlite3.Connection, *, cases: int, items: int, edition_id: str,
        officers: Sequence[str], seed: int = 2026, today: str = "2026-07-01",
        item_text: Callable[[random.Random, int], tuple[str, str, str]] | None = None,
) -> None:
    """FOR BENCHMARKS ONLY: fill a fresh database with generated cases, fast.

    Writes straight into the tables in one transaction, with NO audit rows: the
    result fails ``mtcr-desk verify`` by design and must never be a real
    database. The ``case_index`` triggers run as for any other write, so the
    case list sees exactly what it would see after real use. Cases get random
    fictional applicants, destinations, officers, dates and statuses; their
    ``items`` are spread over them, about half controlled against entries of
    ``edition_id``, so that the derived categories vary. ``item_text(rng, item_id)``
    gives an item's description, manufacturer and part number (default: "Generated
    item N", neither of the others). Items go into the word index of precedents
    (:mod:`mtcr_desk.storage.item_words`) as the app's own writes do.
    """
    rng = random.Random(seed)
    countries = [code for (code,) in connection.execute("SELECT code FROM countries")]
    codes = [code for (code,) in connection.execute(
        "SELECT code FROM entries WHERE edition_id = ? AND kind = 'entry' "
        "AND category IS NOT NULL", [edition_id])]
    if not countries or not codes:
        raise ValueError("load the reference data and the edition first")
    if connection.execute("SELECT 1 FROM cases LIMIT 1").fetchone():
        raise ValueError("the benchmark generator fills a database without cases only")
    base_year = int(today[:4]) - 4
    created_at = f"{today}T00:00:00Z"
    statuses = ("draft", "in review", "returned", "awaiting countersignature", "decided",
                "withdrawn")
    weights = (10, 25, 5, 5, 45, 10)
    # A throw-away file: durability buys nothing here, and costs seconds.
    (synchronous,) = connection.execute("PRAGMA synchronous").fetchone()
    (cache_size,) = connection.execute("PRAGMA cache_size").fetchone()
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -262144")  # 256 MB while the indexes fill
    connection.execute("BEGIN IMMEDIATE")
    try:
        numbers: dict[int, int] = {}
        case_rows = []
        final: list[tuple[int, str, str]] = []
        for case_id in range(1, cases + 1):
            ordinal = 1 + int((case_id - 1) * 365 * 4.5 / cases)
            received = _date_plus(f"{base_year}-01-01", ordinal)
            year = int(received[:4])
            numbers[year] = numbers.get(year, 0) + 1
            status = rng.choices(statuses, weights)[0]
            applicant = (f"{rng.choice(_BENCH_WORDS)} {rng.choice(_BENCH_WORDS)} "
                         f"{rng.choice(_BENCH_KINDS)} {rng.choice(_BENCH_FORMS)}")
            due = _date_plus(received, rng.randint(20, 120))
            case_rows.append((case_id, f"MTCR-{year:04d}-{numbers[year]:04d}", year,
                              numbers[year], applicant, rng.choice(countries),
                              "Generated end use for the case-list benchmark.", received, due,
                              rng.choice(officers), edition_id, created_at))
            if status != "in review":
                final.append((case_id, status, _date_plus(received, rng.randint(5, 200))))
        connection.executemany(
            "INSERT INTO cases (id, reference, year, number, status, applicant, destination, "
            "end_use, received_on, due_on, officer, edition_id, created_at, created_by) "
            "VALUES (?, ?, ?, ?, 'in review', ?, ?, ?, ?, ?, ?, ?, ?, 'benchmark')", case_rows)
        del case_rows

        def item_rows():
            previous_case, line = 0, 0
            for item_id in range(1, items + 1):
                case_id = 1 + (item_id - 1) * cases // items
                line = line + 1 if case_id == previous_case else 1
                previous_case = case_id
                description, manufacturer, part_number = (
                item_text(rng, item_id) if item_text else (f"Generated item {item_id}", "", ""))
                yield (item_id, case_id, line, description, manufacturer, part_number)
        connection.executemany(
            "INSERT INTO items (id, case_id, line, description, manufacturer, part_number, "
            "quantity) VALUES (?, ?, ?, ?, ?, ?, 1)", item_rows())
        index_missing_items(connection)
        assessed = ("controlled", "not controlled", "unassessed", "catch-all concern")
        assessment_rows, entry_rows = [], []
        for item_id in range(1, items + 1):
            status = rng.choices(assessed, (45, 35, 15, 5))[0]
            assessment_rows.append((item_id, status))
            if status == "controlled":
                entry_rows.append((item_id, 0, edition_id, rng.choice(codes)))
        connection.executemany("INSERT INTO assessments (item_id, status) VALUES (?, ?)",
                               assessment_rows)
        connection.executemany(
            "INSERT INTO assessment_entries (item_id, position, edition_id, code) "
            "VALUES (?, ?, ?, ?)", entry_rows)
        del assessment_rows, entry_rows
        decided = [(case_id, closed) for case_id, status, closed in final
                   if status == "decided"]
        connection.executemany(
            "INSERT INTO decisions (case_id, outcome, rationale, drafted_by, drafted_at, "
            "countersigned_by, countersigned_at, countersignature) VALUES "
            "(?, 'approve', 'Generated.', 'benchmark', ?, 'benchmark', ?, 'agreed')",
            [(case_id, f"{closed}T09:00:00Z", f"{closed}T10:00:00Z")
             for case_id, closed in decided])
        connection.executemany(
            "INSERT INTO notes (case_id, text, author, created_at) "
            "VALUES (?, 'Withdrawn: generated.', 'benchmark', ?)",
            [(case_id, f"{closed}T10:00:00Z") for case_id, status, closed in final
             if status == "withdrawn"])
        connection.executemany("UPDATE cases SET status = ? WHERE id = ?",
                               [(status, case_id) for case_id, status, _ in final])
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.execute(f"PRAGMA synchronous = {int(synchronous)}")
        connection.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _date_plus(iso_date: str, days: int) -> str:
    return (datetime.date.fromisoformat(iso_date) + datetime.timedelta(days=days)).isoformat()
