"""The case list service: counting, paging, every filter and sort in SQL, saved filters,
and the trigger-maintained ``case_index`` it reads (migration ``m007_case_list``)."""

from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from mtcr_desk.domain.cases import AssessmentStatus, CaseStatus, Item, Outcome
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, StorageError
from mtcr_desk.services.case_list import (
    NO_CATEGORY,
    OPEN_STATUSES,
    SORT_KEYS,
    CaseFilter,
    CaseListService,
    CaseSort,
)
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.demo import open_demo_database
from mtcr_desk.storage import audit
from mtcr_desk.storage import case_list as list_store
from mtcr_desk.storage.case_list import bulk_generate_cases_for_benchmark
from tests.conftest import PASSWORDS, PROJECT_ROOT
from tests.unit.test_case_service import review

TODAY = datetime.date(2026, 7, 1)




@pytest.fixture
def demo(tmp_path, demo_template):
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_template, path)
    store = open_demo_database(path)
    yield store
    store.close()


@pytest.fixture
def listing(demo):
    """The case list over the demo cases, on a fixed day (2026-12-01)."""
    return CaseListService(demo, today=lambda: datetime.date(2026, 12, 1))


@pytest.fixture
def cases(store):
    return CaseService(store)


def new_case(cases, people, *, applicant, destination="NO", officer="olga", received="2026-05-02",
             due=None, items=2, **extra):
    return cases.create(
        actor=people["olga"], applicant=applicant, destination=destination, officer=officer,
        received_on=received, due_on=due,
        items=[Item(line=0, description=f"item {n}", quantity=1) for n in range(items)],
        **extra)


def all_rows(listing, case_filter=None, sort=None):
    return listing.rows(case_filter or CaseFilter(), sort or CaseSort(), limit=10_000)


def references(rows):
    return [row.reference for row in rows]


# --- counting and the rows ----------------------------------------------------------


def test_an_empty_database_lists_nothing(store):
    listing = CaseListService(store)
    assert listing.count() == 0
    assert listing.rows() == []
    assert listing.first_page().total == 0


def test_the_demo_cases_list_newest_first_with_everything_the_list_shows(listing, demo):
    page = listing.first_page()
    assert page.total == 12
    assert references(page.rows) == [f"MTCR-2026-{n:04d}" for n in range(12, 0, -1)]
    first = page.rows[-1]
    assert (first.reference, first.applicant, first.status, first.category) == (
        "MTCR-2026-0001", "Brandt & Kessler Raumfahrtantriebe GmbH", CaseStatus.DECIDED,
        Category.I)
    assert first.destination.country == "NO" and first.destination.country_name == "Norway"
    assert first.destination.mtcr_status == "partner" and not first.destination.raised
    assert (first.officer, first.officer_name) == ("olga.officer", "Olga Officer (demo)")
    # Decided 2026-02-18, received 2026-01-19: days open stop at the decision.
    assert first.closed_on.startswith("2026-02-18") and first.days_open == 30
    assert not first.overdue and first.is_final
    by_reference = {row.reference: row for row in page.rows}
    dprk = by_reference["MTCR-2026-0002"].destination
    assert dprk.un_measures and len(dprk.raised) == 2
    # Withdrawn on 2026-06-09 (the withdrawal note), received 2026-05-11.
    assert by_reference["MTCR-2026-0006"].days_open == 29
    # Open cases count to today: received 2026-11-23, today 2026-12-01.
    assert by_reference["MTCR-2026-0012"].days_open == 8
    assert by_reference["MTCR-2026-0009"].overdue  # due 2026-11-13, awaiting countersignature


def test_categories_agree_with_the_case_service_for_every_demo_case(listing, demo):
    service = CaseService(demo)
    for row in all_rows(listing):
        assert row.category == service.category(service.get(row.reference)), row.reference
    # The EU edition has no MTCR categories: the category recorded with the assessment.
    assert {r.reference: r.category for r in all_rows(listing)}["MTCR-2026-0005"] is Category.II


def test_pages_put_together_give_the_whole_list_in_every_order(listing):
    for key in SORT_KEYS:
        for descending in (False, True):
            sort = CaseSort(key, descending)
            whole = references(all_rows(listing, sort=sort))
            pieces = []
            for offset in range(0, 12, 5):
                pieces += references(listing.rows(sort=sort, offset=offset, limit=5))
            assert pieces == whole, sort
            assert len(set(whole)) == 12


_STATUS_ORDER = ["draft", "in review", "returned", "awaiting countersignature", "decided",
                 "withdrawn"]
#: What each sort key orders by, as Python sees it.
SORT_VALUES = {
    "reference": lambda r: (int(r.reference[5:9]), int(r.reference[10:])),
    "applicant": lambda r: r.applicant.lower(),
    "destination": lambda r: r.destination.country_name,
    "status": lambda r: _STATUS_ORDER.index(r.status.value),
    "category": lambda r: {Category.I: 1, Category.II: 2, None: 3}[r.category],
    "officer": lambda r: r.officer or "",
    "received": lambda r: r.received_on,
    "due": lambda r: r.due_on or "",
    "days_open": lambda r: r.days_open,
}


def test_every_sort_key_orders_in_sql_both_ways(listing):
    rows = all_rows(listing)
    assert set(SORT_VALUES) == set(SORT_KEYS)
    for key, value in SORT_VALUES.items():
        for descending in (False, True):
            got = references(all_rows(listing, sort=CaseSort(key, descending)))
            # Equal keys are ordered by case, in the same direction (demo: case = number).
            expected = sorted(rows, key=lambda r, v=value: (v(r), SORT_VALUES["reference"](r)),
                              reverse=descending)
            assert got == references(expected), (key, descending)


def test_both_query_plans_give_the_same_page(listing):
    """Selective filters sort their matches; broad ones read along the sort index."""
    for case_filter in (CaseFilter(), CaseFilter(text="gmbh"), CaseFilter(officer="otto.officer"),
                        CaseFilter(statuses=OPEN_STATUSES), CaseFilter(destination="KP")):
        for key in SORT_KEYS:
            for descending in (False, True):
                sort = CaseSort(key, descending)
                broad = listing.rows(case_filter, sort, offset=1, limit=4, total=10**9)
                narrow = listing.rows(case_filter, sort, offset=1, limit=4, total=0)
                assert references(broad) == references(narrow), (case_filter, sort)


# --- filters -------------------------------------------------------------------------


def test_free_text_matches_every_word_anywhere_ignoring_case(listing):
    def found(text):
        return set(references(all_rows(listing, CaseFilter(text=text))))

    assert found("kessler") == {"MTCR-2026-0001", "MTCR-2026-0008"}
    assert found("KESSLER anlagen") == {"MTCR-2026-0008"}
    assert found("mtcr-2026-001") == {"MTCR-2026-0010", "MTCR-2026-0011", "MTCR-2026-0012"}
    assert found("norway") == {"MTCR-2026-0001"}          # destination name
    assert found("kp") >= {"MTCR-2026-0002"}              # destination code (two letters)
    assert found("otto.officer") == {f"MTCR-2026-{n:04d}" for n in (3, 4, 7, 8, 11)}
    assert found("TÜRKIYE") == {"MTCR-2026-0008"}         # any script, three letters on
    assert found("  ") == found("")
    assert len(found("")) == 12
    assert found("qq") == set()


@pytest.mark.parametrize("text", ['"', "'; DROP TABLE cases; --", "kessler OR weber", "NEAR(",
                                  "gmb*", "-gmbh", "(", "%", "_", "a:b", "🚀"])
def test_free_text_is_never_query_syntax(listing, demo, text):
    rows = all_rows(listing, CaseFilter(text=text))
    for row in rows:
        haystack = " ".join((row.reference, row.applicant, row.destination.country,
                             row.destination.country_name, row.officer or "")).lower()
        assert all(word.lower() in haystack for word in text.split())
    assert listing.count(CaseFilter(text=text)) == len(rows)
    assert listing.count() == 12


def test_broad_words_found_by_scanning_give_what_the_text_index_gives(listing, monkeypatch):
    texts = ["kessler", "GMBH", "mtcr-2026-00", "olga.officer anlagen", "korea", "aero 🚀",
             "Türkiye", "no such words"]
    indexed = {text: references(all_rows(listing, CaseFilter(text=text))) for text in texts}
    # Every word matching at least one case now counts as broad: scanned, not looked up.
    monkeypatch.setattr(list_store, "MIN_BROAD", 0)
    monkeypatch.setattr(list_store, "BROAD_SHARE", 10**9)
    for text in texts:
        assert references(all_rows(listing, CaseFilter(text=text))) == indexed[text], text
        assert listing.count(CaseFilter(text=text)) == len(indexed[text])


def test_status_category_destination_officer_and_overdue_filters(listing):
    def found(**fields):
        case_filter = CaseFilter(**fields)
        rows = all_rows(listing, case_filter)
        assert listing.count(case_filter) == len(rows)
        return rows

    assert {r.status for r in found(statuses=(CaseStatus.DECIDED,))} == {CaseStatus.DECIDED}
    assert len(found(statuses=(CaseStatus.DECIDED,))) == 5
    assert len(found(statuses=OPEN_STATUSES)) == 6
    assert {r.category for r in found(category="I")} == {Category.I}
    assert len(found(category="I")) == 2 and len(found(category="II")) == 8
    assert references(found(category=NO_CATEGORY)) == ["MTCR-2026-0012", "MTCR-2026-0003"]
    assert references(found(destination="kp")) == ["MTCR-2026-0002"]
    assert {r.officer for r in found(officer="otto.officer")} == {"otto.officer"}
    overdue = found(overdue=True)
    assert references(overdue) == ["MTCR-2026-0009", "MTCR-2026-0008", "MTCR-2026-0007"]
    assert all(r.overdue and not r.is_final for r in overdue)
    assert references(found(text="gmbh", category="II", officer="olga.officer",
                            statuses=OPEN_STATUSES)) == ["MTCR-2026-0010", "MTCR-2026-0009"]
    assert found(training=True) == []
    assert len(found(training=False)) == 12


def test_a_filter_refuses_what_it_cannot_mean():
    with pytest.raises(InvalidInputError, match="category"):
        CaseFilter(category="III")
    with pytest.raises(InvalidInputError, match="status"):
        CaseFilter(statuses=("closed",))
    with pytest.raises(InvalidInputError, match="at most"):
        CaseFilter(text="x" * 201)
    with pytest.raises(InvalidInputError, match="sort"):
        CaseSort("end_use")
    assert CaseFilter(destination=" no ").destination == "NO"
    assert CaseFilter().is_empty and not CaseFilter(overdue=True).is_empty


def test_destinations_and_officers_offered_are_those_cases_have(listing):
    destinations = dict(listing.destinations())
    assert destinations["NO"] == "Norway" and len(destinations) == 12
    assert listing.officers() == [("olga.officer", "Olga Officer (demo)"),
                                  ("otto.officer", "Otto Officer (demo)")]


# --- the index stays right whatever writes -------------------------------------------


def test_every_change_through_the_services_shows_in_the_list(store, people, cases):
    listing = CaseListService(store, today=lambda: TODAY)
    case = new_case(cases, people, applicant="Nordlicht Raketen AS", due="2026-06-30")
    row, = listing.rows()
    assert (row.status, row.category, row.overdue, row.days_open) == (
        CaseStatus.DRAFT, None, True, 60)
    olga = people["olga"]
    cases.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                 entry_codes=["3.A.3"], rationale="Motor case", actor=olga)
    assert listing.rows()[0].category is Category.II
    cases.assess(case.reference, line=2, status=AssessmentStatus.CONTROLLED,
                 entry_codes=["2a1c"], rationale="Complete stage", actor=olga)
    assert listing.rows()[0].category is Category.I
    assert listing.rows()[0].status is CaseStatus.IN_REVIEW
    cases.assess(case.reference, line=2, status=AssessmentStatus.NOT_CONTROLLED,
                 rationale="On reflection, not controlled", actor=olga)
    assert listing.rows()[0].category is Category.II
    cases.update_details(case.reference, actor=olga, due_on="2026-09-01")
    assert not listing.rows()[0].overdue
    assert listing.count(CaseFilter(category="II", text="nordlicht")) == 1
    cases.withdraw(case.reference, actor=olga, reason="Applicant withdrew")
    row = listing.rows()[0]
    assert row.status is CaseStatus.WITHDRAWN and row.closed_on is not None
    assert row.days_open == (datetime.date.fromisoformat(row.closed_on[:10])
                             - datetime.date(2026, 5, 2)).days
    assert audit.verify(store.connection).ok  # the index is not audited and breaks nothing


def test_an_edition_without_categories_uses_the_recorded_category(store, people, cases):
    listing = CaseListService(store)
    case = new_case(cases, people, applicant="Polymer AG", items=1,
                    edition_id="eu-2021-821-2025-11")
    cases.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                 entry_codes=["1C111"], category="II", rationale="Propellant", actor=people["olga"])
    assert listing.rows()[0].category is Category.II


def test_a_decided_case_stops_counting_at_its_countersignature(store, people, cases):
    listing = CaseListService(store, today=lambda: datetime.date(2030, 1, 1))
    case = new_case(cases, people, applicant="Fjord Dynamics AS", received="2026-01-10",
                    due="2026-02-01")
    review(cases, people, case.reference)
    cases.draft_decision(case.reference, actor=people["olga"], password=PASSWORDS["olga"],
                         outcome=Outcome.APPROVE, rationale="Category II, partner")
    assert listing.rows()[0].overdue
    cases.countersign(case.reference, actor=people["sam"], password=PASSWORDS["sam"], agree=True)
    row = listing.rows()[0]
    decided_on = datetime.date.fromisoformat(row.closed_on[:10])
    assert row.days_open == (decided_on - datetime.date(2026, 1, 10)).days
    assert not row.overdue and listing.count(CaseFilter(overdue=True)) == 0
    amended = cases.amend(case.reference, actor=people["olga"], reason="New end user")
    assert listing.count() == 2
    assert listing.rows()[0].reference == amended.reference
    assert listing.rows()[0].category is Category.II  # copied assessments count too
    assert audit.verify(store.connection).ok


def test_the_migration_indexes_cases_recorded_before_it(tmp_path, demo_template):
    path = tmp_path / "old.sqlite"
    shutil.copyfile(demo_template, path)
    before = all_rows(CaseListService(store := open_demo_database(path), today=lambda: TODAY))
    store.close()
    # Take the database back to before m007, as a file written by the previous version.
    connection = sqlite3.connect(path)
    for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND (name LIKE 'case_index%' OR name LIKE 'case_search%')").fetchall():
        connection.execute(f'DROP TRIGGER "{name}"')
    for table in ("case_search", "case_index", "saved_filters"):
        connection.execute(f"DROP TABLE {table}")
    connection.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_case_list'")
    connection.commit()
    connection.close()
    store = open_database(path)
    try:
        assert all_rows(CaseListService(store, today=lambda: TODAY)) == before
        assert CaseListService(store).count(CaseFilter(text="türkiye")) == 1
        assert audit.verify(store.connection).ok
        store.connection.execute(  # raises when the text index disagrees with its table
            "INSERT INTO case_search (case_search, rank) VALUES ('integrity-check', 1)")
    finally:
        store.close()


# --- saved filters -------------------------------------------------------------------


def test_saved_filters_belong_to_their_user(store, people):
    listing = CaseListService(store)
    olga, otto = people["olga"], people["otto"]
    mine = CaseFilter(text="rocket", statuses=OPEN_STATUSES, category="I", destination="IN",
                      officer="olga", overdue=True, training=False)
    assert listing.save_filter(olga, "  My urgent Cat I  ", mine) == "My urgent Cat I"
    listing.save_filter(olga, "Everything", CaseFilter())
    assert listing.saved_filters(olga) == {"Everything": CaseFilter(), "My urgent Cat I": mine}
    assert listing.saved_filters(otto) == {}
    listing.save_filter(olga, "Everything", CaseFilter(overdue=True))  # replaces
    assert listing.saved_filters(olga)["Everything"] == CaseFilter(overdue=True)
    listing.delete_filter(olga, "Everything")
    assert list(listing.saved_filters(olga)) == ["My urgent Cat I"]
    with pytest.raises(NotFoundError):
        listing.delete_filter(otto, "My urgent Cat I")
    (audit_rows,) = store.connection.execute("SELECT count(*) FROM audit_log "
                                             "WHERE entity = 'saved_filters'").fetchone()
    assert audit_rows == 0  # view preferences, not records
    assert audit.verify(store.connection).ok


def test_a_saved_filter_name_must_be_sensible(store, people):
    listing = CaseListService(store)
    for name in ("", "   ", "x" * 101, "tab\x00name"):
        with pytest.raises(InvalidInputError, match="filter name"):
            listing.save_filter(people["olga"], name, CaseFilter())


def test_a_stored_filter_this_version_cannot_read_is_left_out(store, people):
    listing = CaseListService(store)
    listing.save_filter(people["olga"], "Good", CaseFilter(text="a"))
    with store.write() as connection:
        connection.execute("INSERT INTO saved_filters (username, name, filter, saved_at) "
                           "VALUES ('olga', 'Future', ?, 'now')",
                           [json.dumps({"format": "mtcr-desk/case-filter",
                                        "category": "III"})])
        connection.execute("INSERT INTO saved_filters (username, name, filter, saved_at) "
                           "VALUES ('olga', 'Broken', 'not json', 'now')")
    assert list(listing.saved_filters(people["olga"])) == ["Good"]


def test_a_read_only_window_cannot_save_a_filter(ready_database_path, people):
    store = open_database(ready_database_path, read_only=True)
    try:
        with pytest.raises(StorageError, match="read-only"):
            CaseListService(store).save_filter(people["olga"], "Mine", CaseFilter())
    finally:
        store.close()


# --- the benchmark's database -----------------------------------------------------------


def test_the_benchmark_generator_fills_what_the_list_reads(store, people):
    bulk_generate_cases_for_benchmark(store.connection, cases=300, items=1_500,
                                      edition_id="mtcr-2024-structure",
                                      officers=["olga", "otto"])
    listing = CaseListService(store)
    assert listing.count() == 300
    service = CaseService(store)
    rows = listing.rows(limit=300)
    assert {row.status for row in rows} == set(CaseStatus)
    assert {row.category for row in rows} == {Category.I, Category.II, None}
    for row in rows[::10]:
        case = service.get(row.reference)
        assert row.category == service.category(case), row.reference
        assert len(case.items) == 5
        assert (row.closed_on is not None) == case.status.is_final
    store.connection.execute(
        "INSERT INTO case_search (case_search, rank) VALUES ('integrity-check', 1)")
    # Both ways of finding text agree: the trigram index and the scan of broad words.
    assert listing.count(CaseFilter(text="zenith")) == sum(
        "zenith" in row.applicant.lower() for row in rows)


def test_the_benchmark_runs_and_reports_every_measure():
    completed = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / "case_list.py"), "--cases", "2000",
         "--items", "6000", "--repeat", "1"],
        capture_output=True, text=True, timeout=300, check=True)
    results = [json.loads(line[len("RESULT "):]) for line in completed.stdout.splitlines()
               if line.startswith("RESULT ")]
    assert [r["bench"] for r in results] == ["case-list-open", "case-list-keystroke",
                                             "case-list-sort", "case-list-scroll",
                                             "case-list-memory"]
    assert all(r["figure"] > 0 and r["baseline"] > 0 and r["total"] == 2000 for r in results)
