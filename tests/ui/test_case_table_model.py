"""The case table model on its own (no window): rows, lazy fetching, sorting, every filter,
roles, on real databases (the demo cases, and cases made through the services)."""

from __future__ import annotations

import datetime
import shutil

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from mtcr_desk.domain.cases import AssessmentStatus, CaseStatus, Item
from mtcr_desk.domain.control_list import Category
from mtcr_desk.services.case_list import (
    NO_CATEGORY,
    OPEN_STATUSES,
    CaseFilter,
    CaseListService,
    CaseSort,
)
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.demo import open_demo_database
from mtcr_desk.ui.models.case_table_model import (
    COL_APPLICANT,
    COL_CATEGORY,
    COL_DAYS_OPEN,
    COL_DESTINATION,
    COL_DUE,
    COL_OFFICER,
    COL_RECEIVED,
    COL_REFERENCE,
    COL_STATUS,
    COLUMNS,
    BadgeRole,
    CaseTableModel,
    CategoryRole,
    CountryNameRole,
    FlagsRole,
    MarkersRole,
    OverdueRole,
    ReferenceRole,
    RowRole,
    StatusRole,
)

DISPLAY = Qt.ItemDataRole.DisplayRole




@pytest.fixture
def demo(tmp_path, demo_template):
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_template, path)
    store = open_demo_database(path)
    yield store
    store.close()


@pytest.fixture
def service(demo):
    return CaseListService(demo, today=lambda: datetime.date(2026, 12, 1))


def column(model, col, role=DISPLAY):
    return [model.index(row, col).data(role) for row in range(model.rowCount())]


def fetch_all(model):
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def test_the_model_passes_qt_model_checks(qapp, qtmodeltester, service):
    # Qt's tester fetches more from its own modelReset slot, before it has noted the
    # reset's end: so each model is checked in one state, then while pages arrive.
    for case_filter, sort in ((CaseFilter(), CaseSort()),
                              (CaseFilter(text="gmbh"), CaseSort("applicant", False)),
                              (CaseFilter(text="no such case"), CaseSort("days_open"))):
        model = CaseTableModel(service, page_size=5, case_filter=case_filter, sort=sort)
        qtmodeltester.check(model)
        fetch_all(model)


def test_rows_columns_and_headers(qapp, service):
    model = CaseTableModel(service)
    assert model.rowCount() == 12 and model.total_count() == 12
    assert model.columnCount() == len(COLUMNS) == 9
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(9)] == [
        "Reference", "Applicant", "Destination", "Status", "Category", "Officer", "Received",
        "Due", "Days open"]
    assert model.rowCount(model.index(0, 0)) == 0  # a table: no children
    assert column(model, COL_REFERENCE)[0] == "MTCR-2026-0012"  # newest first
    flags = model.flags(model.index(0, 0))
    assert flags & Qt.ItemFlag.ItemIsSelectable and not flags & Qt.ItemFlag.ItemIsEditable


def test_rows_are_fetched_a_page_at_a_time(qapp, qtbot, service):
    model = CaseTableModel(service, page_size=5)
    assert model.rowCount() == 5 and model.total_count() == 12
    assert model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.fetchMore(QModelIndex())
    assert inserted.args[1:] == [5, 9]
    assert model.rowCount() == 10
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 12 and not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # nothing more: nothing happens
    assert model.rowCount() == 12
    assert column(model, COL_REFERENCE) == [f"MTCR-2026-{n:04d}" for n in range(12, 0, -1)]


def test_every_column_sorts_in_sql_both_ways(qapp, service):
    model = CaseTableModel(service, page_size=4)
    for col in range(model.columnCount()):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort(col, order)
            assert model.sort_column() == (col, order)
            assert model.rowCount() == 4  # a sort is a reset: the first page again
            fetch_all(model)
            rows = column(model, col, RowRole)
            expected = service.rows(sort=model.case_sort, limit=100)
            assert rows == expected
    model.sort(COL_DAYS_OPEN, Qt.SortOrder.DescendingOrder)
    days = [int(text) for text in column(model, COL_DAYS_OPEN)]
    assert days == sorted(days, reverse=True)
    model.sort(COL_APPLICANT, Qt.SortOrder.AscendingOrder)
    applicants = column(model, COL_APPLICANT)
    assert applicants == sorted(applicants, key=str.lower)


def test_a_sort_to_the_same_order_does_not_reset(qapp, qtbot, service):
    model = CaseTableModel(service, sort=CaseSort("due", descending=False))
    with qtbot.assertNotEmitted(model.modelReset):
        model.sort(COL_DUE, Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(model.modelReset):
        model.sort(COL_DUE, Qt.SortOrder.DescendingOrder)


@pytest.mark.parametrize(("case_filter", "check", "count"), [
    (CaseFilter(text="kessler"), lambda r: "Kessler" in r.applicant, 2),
    (CaseFilter(text="KOREA"), lambda r: "Korea" in r.destination.country_name, 2),
    (CaseFilter(statuses=(CaseStatus.DECIDED,)), lambda r: r.status is CaseStatus.DECIDED, 5),
    (CaseFilter(statuses=OPEN_STATUSES), lambda r: not r.is_final, 6),
    (CaseFilter(category="I"), lambda r: r.category is Category.I, 2),
    (CaseFilter(category="II"), lambda r: r.category is Category.II, 8),
    (CaseFilter(category=NO_CATEGORY), lambda r: r.category is None, 2),
    (CaseFilter(destination="IN"), lambda r: r.destination.country == "IN", 1),
    (CaseFilter(officer="otto.officer"), lambda r: r.officer == "otto.officer", 5),
    (CaseFilter(overdue=True), lambda r: r.overdue and not r.is_final, 3),
    (CaseFilter(text="gmbh", officer="olga.officer", overdue=True),
     lambda r: r.officer == "olga.officer" and r.overdue, 1),
    (CaseFilter(text="no such applicant"), lambda r: False, 0),
])
def test_every_filter_narrows_the_rows(qapp, qtbot, service, case_filter, check, count):
    model = CaseTableModel(service, page_size=3)
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset], order="strict"):
        model.set_filter(case_filter)
    assert model.case_filter == case_filter
    assert model.total_count() == count == service.count(case_filter)
    fetch_all(model)
    rows = column(model, 0, RowRole)
    assert len(rows) == count and all(check(row) for row in rows)
    model.set_filter(CaseFilter())
    assert model.total_count() == 12


def test_roles_for_badges_flags_and_views(qapp, service):
    model = CaseTableModel(service)
    row = {model.index(r, 0).data(ReferenceRole): r for r in range(model.rowCount())}
    dprk = row["MTCR-2026-0002"]

    def data(reference, col, role=DISPLAY):
        return model.index(row[reference], col).data(role)

    assert data("MTCR-2026-0002", COL_DESTINATION) == (
        "Korea, Democratic People's Republic of · UN · non-partner")
    assert data("MTCR-2026-0002", COL_DESTINATION, CountryNameRole) == (
        "Korea, Democratic People's Republic of")
    markers = data("MTCR-2026-0002", COL_DESTINATION, MarkersRole)
    assert [text for text, _ in markers] == ["UN", "non-partner"]
    assert all(isinstance(colour, QColor) for _, colour in markers)
    assert len(model.index(dprk, COL_REFERENCE).data(FlagsRole)) == 2
    tip = data("MTCR-2026-0002", COL_DESTINATION, Qt.ItemDataRole.ToolTipRole)
    assert "(KP)" in tip and "UN Security Council measures" in tip
    assert "resolutions 1718" in data("MTCR-2026-0002", COL_DESTINATION,
                                      Qt.ItemDataRole.AccessibleTextRole)
    assert data("MTCR-2026-0001", COL_DESTINATION) == "Norway"
    assert data("MTCR-2026-0001", COL_DESTINATION, MarkersRole) == ()
    assert "MTCR partner" in data("MTCR-2026-0001", COL_DESTINATION, Qt.ItemDataRole.ToolTipRole)

    assert data("MTCR-2026-0001", COL_STATUS) == "decided"
    assert data("MTCR-2026-0001", COL_STATUS, StatusRole) == CaseStatus.DECIDED
    assert isinstance(data("MTCR-2026-0001", COL_STATUS, BadgeRole), QColor)
    assert data("MTCR-2026-0001", COL_CATEGORY) == "I"
    assert data("MTCR-2026-0001", COL_CATEGORY, CategoryRole) == Category.I
    assert data("MTCR-2026-0001", COL_CATEGORY, Qt.ItemDataRole.AccessibleTextRole) == \
        "Category I"
    assert data("MTCR-2026-0003", COL_CATEGORY) == "–"
    assert data("MTCR-2026-0003", COL_CATEGORY, CategoryRole) is None
    assert data("MTCR-2026-0003", COL_CATEGORY, BadgeRole) is None
    assert data("MTCR-2026-0001", COL_APPLICANT, BadgeRole) is None
    assert data("MTCR-2026-0001", COL_OFFICER) == "Olga Officer (demo)"
    assert data("MTCR-2026-0001", COL_RECEIVED) == "2026-01-19"
    assert data("MTCR-2026-0001", COL_DAYS_OPEN) == "30"
    assert data("MTCR-2026-0001", COL_DAYS_OPEN, Qt.ItemDataRole.TextAlignmentRole) & \
        Qt.AlignmentFlag.AlignRight

    assert data("MTCR-2026-0009", COL_APPLICANT, OverdueRole) is True
    assert isinstance(data("MTCR-2026-0009", COL_DUE, Qt.ItemDataRole.ForegroundRole), QColor)
    assert "Overdue" in data("MTCR-2026-0009", COL_DUE, Qt.ItemDataRole.ToolTipRole)
    assert data("MTCR-2026-0001", COL_DUE, Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole + 99) is None
    assert model.reference_at(99) is None and model.row_of("MTCR-2099-0001") is None


def test_refresh_shows_changes_and_keeps_the_rows_fetched(qapp, demo, service):
    model = CaseTableModel(service, page_size=5)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 10
    cases = CaseService(demo)
    from mtcr_desk.services import users

    olga = users.authenticate(demo, username="olga.officer", password="demo-officer")
    case = cases.create(actor=olga, applicant="Neue Antriebe GmbH", destination="NO",
                        received_on="2026-11-30",
                        items=[Item(line=0, description="Motor case", quantity=1)])
    cases.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                 entry_codes=["2.A.1.c"], rationale="Stage", actor=olga)
    model.refresh()
    assert model.total_count() == 13 and model.rowCount() == 10
    assert model.index(0, COL_REFERENCE).data() == case.reference
    assert model.index(0, COL_CATEGORY).data(CategoryRole) == Category.I
    assert model.index(0, COL_DAYS_OPEN).data() == "1"
