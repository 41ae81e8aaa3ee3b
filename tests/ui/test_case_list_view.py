"""The case list view: filter bar, saved filters, opening cases, keyboard-only use."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mtcr_desk.domain.cases import CaseStatus
from mtcr_desk.services import users
from mtcr_desk.services.case_list import CaseFilter
from mtcr_desk.services.demo import open_demo_database
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.models.case_table_model import COL_APPLICANT, COL_REFERENCE
from mtcr_desk.ui.views.case_list_view import CaseListView


@pytest.fixture
def demo(tmp_path, demo_template):
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_template, path)
    store = open_demo_database(path)
    yield store
    store.close()


def make_view(qtbot, store, *, username="olga.officer", read_only=False, show=True):
    user = users.get_user(store, username) if username else None
    context = AppContext(store=store, database_path=store.path, user=user, read_only=read_only)
    view = CaseListView(context)
    qtbot.addWidget(view)
    if show:
        view.resize(1176, 660)
        view.show()
        qtbot.waitExposed(view)
    return view


@pytest.fixture
def view(qtbot, demo):
    return make_view(qtbot, demo)


def shown_references(view):
    model = view.model
    return [model.reference_at(row) for row in range(model.rowCount())]


def test_the_list_opens_with_every_case_and_a_count(view):
    assert view.model.rowCount() == 12
    assert view.count_label.text() == "12 cases"
    assert shown_references(view)[0] == "MTCR-2026-0012"
    header = view.table.horizontalHeader()
    assert header.sortIndicatorSection() == COL_REFERENCE
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_typing_in_the_search_field_narrows_the_rows(qtbot, view):
    view.focus_search()
    qtbot.keyClicks(view.search_edit, "kessler")
    qtbot.waitUntil(lambda: view.model.total_count() == 2)
    assert shown_references(view) == ["MTCR-2026-0008", "MTCR-2026-0001"]
    assert view.count_label.text() == "2 cases"
    qtbot.keyClicks(view.search_edit, " anlagen")
    qtbot.waitUntil(lambda: view.model.total_count() == 1)
    qtbot.keyClicks(view.search_edit, "zzz")
    qtbot.waitUntil(lambda: view.model.total_count() == 0)
    assert view.count_label.text() == "No case matches the filter"
    qtbot.keyClick(view.search_edit, Qt.Key.Key_Escape)  # Escape clears the search
    assert view.search_edit.text() == "" and view.model.total_count() == 12


def test_the_filter_widgets_narrow_the_rows(view):
    view.status_combo.setCurrentIndex(view.status_combo.findData(CaseStatus.DECIDED.value))
    assert view.model.total_count() == 5
    view.category_combo.setCurrentIndex(view.category_combo.findData("I"))
    assert shown_references(view) == ["MTCR-2026-0001"]
    view.clear_button.click()
    assert view.model.total_count() == 12 and view.status_combo.currentIndex() == 0
    view.destination_combo.setCurrentIndex(view.destination_combo.findData("KP"))
    assert shown_references(view) == ["MTCR-2026-0002"]
    view.clear_filter()
    view.officer_combo.setCurrentIndex(1)  # "Me"
    assert view.officer_combo.currentText() == "Me (Olga Officer (demo))"
    assert view.model.total_count() == 7
    view.overdue_check.setChecked(True)
    assert view.model.case_filter == CaseFilter(officer="olga.officer", overdue=True)
    assert shown_references(view) == ["MTCR-2026-0009"]
    # A filter the widgets cannot choose (two statuses, an unknown destination) still shows.
    odd = CaseFilter(statuses=(CaseStatus.DRAFT, CaseStatus.RETURNED), destination="FR")
    view.set_filter(odd)
    assert view.status_combo.currentText() == "draft, returned"
    assert view.destination_combo.currentText() == "FR"
    assert view.model.case_filter == odd and view.model.total_count() == 0
    view.set_filter(CaseFilter(statuses=(CaseStatus.DRAFT, CaseStatus.RETURNED)))
    assert shown_references(view) == ["MTCR-2026-0012", "MTCR-2026-0007"]


def test_enter_and_double_click_open_the_case(qtbot, view):
    view.table.setFocus()
    view.table.selectRow(2)
    with qtbot.waitSignal(view.case_opened) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == ["MTCR-2026-0010"]
    rect = view.table.visualRect(view.model.index(4, COL_APPLICANT))
    with qtbot.waitSignal(view.case_opened) as opened:
        # A double-click follows a click (the view opens what the click pressed).
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == ["MTCR-2026-0008"]


def test_keyboard_only_search_pick_and_open(qtbot, view):
    view.activateWindow()
    view.focus_search()
    assert view.search_edit.hasFocus() or QApplication.focusWidget() is view.search_edit
    qtbot.keyClicks(view.search_edit, "gmbh")
    qtbot.keyClick(view.search_edit, Qt.Key.Key_Down)  # filters now, moves to the list
    assert view.model.total_count() == 11
    assert view.selected_references() == ["MTCR-2026-0012"]
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.selected_references() == ["MTCR-2026-0011"]
    with qtbot.waitSignal(view.case_opened) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Enter)
    assert opened.args == ["MTCR-2026-0011"]
    # Shift+Down extends the selection; the references come in list order.
    qtbot.keyClick(view.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_references() == ["MTCR-2026-0011", "MTCR-2026-0010"]
    qtbot.keyRelease(view.table, Qt.Key.Key_Shift)  # Qt remembers Shift as held otherwise


def test_tab_visits_the_filter_bar_in_order_then_the_list(view):
    chain, widget = [], view.search_edit
    wanted = [view.search_edit, view.saved_combo, view.save_button, view.status_combo,
              view.category_combo, view.destination_combo, view.officer_combo,
              view.overdue_check, view.clear_button, view.table]
    for _ in range(60):
        widget = widget.nextInFocusChain()
        if widget in wanted and widget.isEnabled():
            chain.append(widget)
        if widget is view.table:
            break
    assert chain == wanted[1:]
    for widget in wanted:
        assert widget.accessibleName(), widget
    assert not view.table.tabKeyNavigation()  # Tab leaves the list


def test_saved_filters_are_saved_chosen_and_deleted(qtbot, view, demo):
    view.search_edit.setText("gmbh")
    view.overdue_check.setChecked(True)
    assert view.save_current_filter("Overdue GmbH")
    assert view.saved_filter_names() == ["Overdue GmbH"]
    assert view.saved_combo.currentText() == "Overdue GmbH" and view.delete_button.isEnabled()
    view.clear_filter()
    assert view.saved_combo.currentIndex() == 0 and not view.delete_button.isEnabled()
    index = view.saved_combo.findData("Overdue GmbH")
    view.saved_combo.setCurrentIndex(index)
    view.saved_combo.activated.emit(index)
    assert view.search_edit.text() == "gmbh" and view.overdue_check.isChecked()
    assert view.model.case_filter == CaseFilter(text="gmbh", overdue=True)
    assert view.model.total_count() == 3
    # Another user of the same database does not see it.
    other = make_view(qtbot, demo, username="otto.officer", show=False)
    assert other.saved_filter_names() == []
    assert view.delete_saved_filter("Overdue GmbH")
    assert view.saved_filter_names() == [] and view.saved_combo.count() == 1
    assert not view.save_current_filter("   ")
    assert "filter name" in view.message_label.text()


def test_a_read_only_window_cannot_save_filters(qtbot, demo):
    view = make_view(qtbot, demo, read_only=True, show=False)
    assert not view.save_button.isEnabled() and not view.delete_button.isEnabled()
    assert view.model.total_count() == 12  # reading works


def test_refresh_shows_changes_and_keeps_the_selection(qtbot, view, demo):
    view.table.selectRow(3)
    assert view.selected_references() == ["MTCR-2026-0009"]
    from mtcr_desk.domain.cases import Item
    from mtcr_desk.services.cases import CaseService

    olga = users.authenticate(demo, username="olga.officer", password="demo-officer")
    CaseService(demo).create(actor=olga, applicant="Neue Antriebe GmbH", destination="FR",
                             items=[Item(line=0, description="Valve", quantity=1)])
    view.refresh()
    assert view.model.total_count() == 13
    assert view.selected_references() == ["MTCR-2026-0009"]
    assert view.destination_combo.findData("FR") > 0  # the new destination is offered


def test_screenshot_at_1366_by_768(qtbot, view, tmp_path):
    view.resize(1366 - 190, 768 - 110)  # what the main window leaves for the page
    qtbot.wait(10)
    header = view.table.horizontalHeader()
    assert header.sectionSize(COL_APPLICANT) >= 180
    assert sum(header.sectionSize(c) for c in range(9)) <= view.table.viewport().width() + 2
    view.grab().save(str(tmp_path / "case_list.png"))
