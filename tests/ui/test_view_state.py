"""Splitter positions and case-list columns come back in the next session (QSettings)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.views.case_list_view import CaseListView
from mtcr_desk.ui.views.control_list_browser import ControlListBrowser


@pytest.fixture(autouse=True)
def fresh_settings():
    QSettings().clear()
    yield
    QSettings().clear()


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_browser_splitter_comes_back_where_the_user_left_it(qtbot, store):
    context = AppContext(store=store, database_path=store.path)
    first = shown(qtbot, ControlListBrowser(context))
    default_sizes = first.splitter.sizes()
    first.splitter.setSizes([300, 1000])
    # A drag by the user ends with splitterMoved; setSizes alone does not emit it.
    first.splitter.splitterMoved.emit(300, 1)
    moved_sizes = first.splitter.sizes()
    assert moved_sizes != default_sizes
    first.close()

    second = shown(qtbot, ControlListBrowser(context))
    assert second.splitter.sizes() == moved_sizes


def test_the_picker_keeps_its_own_splitter_position(qtbot, store):
    context = AppContext(store=store, database_path=store.path)
    browser = shown(qtbot, ControlListBrowser(context))
    browser.splitter.setSizes([300, 1000])
    browser.splitter.splitterMoved.emit(300, 1)
    assert QSettings().contains("control_list/splitter")
    assert not QSettings().contains("entry_picker/splitter")


def test_case_list_column_widths_come_back(qtbot, demo_store):
    from mtcr_desk.services import users

    context = AppContext(store=demo_store, database_path=demo_store.path,
                         user=users.get_user(demo_store, "olga.officer"))
    first = shown(qtbot, CaseListView(context))
    header = first.table.horizontalHeader()
    header.resizeSection(0, 333)
    first.close()

    second = shown(qtbot, CaseListView(context))
    assert second.table.horizontalHeader().sectionSize(0) == 333


def test_a_damaged_saved_state_leaves_the_default_layout(qtbot, store):
    QSettings().setValue("control_list/splitter", b"not a splitter state")
    context = AppContext(store=store, database_path=store.path)
    browser = shown(qtbot, ControlListBrowser(context))
    assert all(size > 0 for size in browser.splitter.sizes())
