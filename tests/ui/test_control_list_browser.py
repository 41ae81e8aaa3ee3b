"""The control-list browser: lazy tree model, instant search, entry pane, picker mode."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from mtcr_desk.domain.control_list import MATCH_END, MATCH_START
from mtcr_desk.services.control_list_tree import ControlListTreeService
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.models.control_list_tree_model import (
    COL_CODE,
    COL_TITLE,
    CategoryRole,
    CodeRole,
    ControlListTreeModel,
    FlagsRole,
    HtmlRole,
    KindRole,
    snippet_html,
)
from mtcr_desk.ui.views.control_list_browser import (
    SEARCH_DEBOUNCE_MS,
    ControlListBrowser,
    EntryPickerDialog,
    entry_link,
    pick_entries,
)
from tests.conftest import STRUCTURE_EDITION

EU_EDITION = "eu-2021-821-2025-11"


def codes(model, parent=QModelIndex()):  # noqa: B008
    # model.data(), not index.data(): see the note on PySide6 6.12 in the report.
    return [model.data(model.index(row, COL_CODE, parent), CodeRole)
            for row in range(model.rowCount(parent))]


@pytest.fixture
def context(store):
    return AppContext(store=store, database_path=store.path)


@pytest.fixture
def browser(qtbot, context):
    widget = ControlListBrowser(context)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pane_text(browser) -> str:
    return browser.entry_pane.toPlainText()


# --- the tree model, no window ---------------------------------------------------------


def test_the_tree_starts_with_the_twenty_items_and_loads_children_on_demand(store):
    model = ControlListTreeModel(ControlListTreeService(store), STRUCTURE_EDITION)
    assert codes(model) == [str(n) for n in range(1, 21)]
    assert model.data(model.index(0, COL_CODE)) == "Item 1"
    item_2 = model.index(1, 0)
    assert model.hasChildren(item_2) and model.canFetchMore(item_2)
    assert model.rowCount(item_2) == 0  # nothing loaded before the view expands it
    model.fetchMore(item_2)
    assert codes(model, item_2) == ["2.A", "2.B", "2.D", "2.E"]
    assert not model.canFetchMore(item_2)
    section = model.index(0, 0, item_2)
    assert model.parent(section) == item_2
    assert model.data(section, KindRole) == "section"
    reserved = model.index(4, 0)  # Item 5 is reserved: no entries
    assert not model.hasChildren(reserved) and not model.canFetchMore(reserved)


def test_the_tree_model_finds_a_path_and_carries_category_and_flags(store):
    model = ControlListTreeModel(ControlListTreeService(store), STRUCTURE_EDITION)
    index = model.index_for_path(["2", "2.A", "2.A.1", "2.A.1.c"])
    assert model.data(index, CodeRole) == "2.A.1.c"
    assert model.data(index, CategoryRole) == "I"
    implied = model.index_for_path(["4", "4.C", "4.C.2"])
    assert "implied_parent" in model.data(implied, FlagsRole)
    assert "implied parent" in model.data(implied, Qt.ItemDataRole.ToolTipRole)
    assert not model.index_for_path(["2", "2.Z"]).isValid()


def test_the_tree_leaves_notes_to_the_entry_pane(store):
    model = ControlListTreeModel(ControlListTreeService(store), EU_EDITION)
    assert codes(model) == [str(n) for n in range(10)]
    index = model.index_for_path(["9", "9A", "9A101", "9A101.a"])
    model.fetchMore(index)
    assert codes(model, index) == ["9A101.a.1", "9A101.a.2", "9A101.a.3", "9A101.a.4"]
    # A sub-entry without a title shows the start of its text.
    first = model.index(0, COL_TITLE, index)
    assert model.data(first).startswith("'Maximum thrust value'")


def test_the_tree_model_passes_qts_model_tester(store, qtmodeltester):
    model = ControlListTreeModel(ControlListTreeService(store), STRUCTURE_EDITION)
    model.fetchMore(model.index(1, 0))
    qtmodeltester.check(model)


def test_snippets_are_escaped_before_the_matches_are_marked():
    snippet = f'<script> "{MATCH_START}laser{MATCH_END}" & gyros'
    assert snippet_html(snippet) == "&lt;script&gt; &quot;<b>laser</b>&quot; &amp; gyros"


# --- search ------------------------------------------------------------------------------


def test_typing_shows_ranked_results_with_highlighted_snippets(qtbot, browser):
    browser.show_entry(EU_EDITION, "9A101")  # switches the edition to the EU list
    qtbot.keyClicks(browser.search_edit, "gyro")
    assert browser.hits == []  # nothing runs while the officer is still typing
    qtbot.waitUntil(lambda: len(browser.hits) > 0, timeout=SEARCH_DEBOUNCE_MS * 20)
    assert browser.left_stack.currentWidget() is browser.results_view
    ranks = [hit.rank for hit in browser.hits]
    assert ranks == sorted(ranks)
    model = browser.results_model
    rows = [model.data(model.index(row), HtmlRole) for row in range(model.rowCount())]
    assert all("<b>" in row for row in rows)
    assert any("<b>gyros</b>" in row.lower() for row in rows)
    assert not any(MATCH_START in row or MATCH_END in row for row in rows)
    assert any("&quot;laser&quot;" in row for row in rows)  # quotes escaped
    assert "results" in browser.search_status.text()
    assert browser.left_acknowledgement.isVisible()
    assert "European Union" in browser.left_acknowledgement.text()


def test_a_code_typed_shows_that_entry(qtbot, browser):
    browser.set_query("2a1c")
    assert browser.hits[0].code == "2.A.1.c" and browser.hits[0].exact_code_match
    assert browser.current_detail.entry.code == "2.A.1.c"
    assert "2.A.1.c" in browser.entry_heading.text()
    # The tree follows: the entry is selected there, its parents expanded.
    tree_index = browser.tree_view.currentIndex()
    assert browser.tree_model.data(tree_index, CodeRole) == "2.A.1.c"
    browser.set_query("")
    assert browser.left_stack.currentWidget() is browser.tree_view


def test_selecting_a_result_fills_the_entry_pane(qtbot, browser):
    browser.show_entry(EU_EDITION, "9A001")
    browser.set_query("turbojet turbofan")
    row = next(i for i, hit in enumerate(browser.hits) if hit.code == "9A101")
    browser.results_view.setCurrentIndex(browser.results_model.index(row))
    text = pane_text(browser)
    assert browser.current_detail.entry.code == "9A101"
    assert "Turbojet and turbofan engines, other than those specified in 9A001" in text
    assert "Technical Note 1:" in text  # technical notes of the sub-entries
    assert "'Dry weight' less than 750 kg" in text  # sub-entry text
    assert "MTCR origin" in text  # flag
    assert "No MTCR category in this list" in text  # category badge for the EU list
    assert "See also: 9A001" in text


def test_an_mtcr_entry_shows_its_category_notes_and_flags(browser):
    browser.show_entry(STRUCTURE_EDITION, "3.B.2")
    text = pane_text(browser)
    assert "Category II — case by case" in text
    assert "Title note:" in text  # the entry's notes
    assert "Item 3" in text  # path from the Item
    browser.show_entry(STRUCTURE_EDITION, "4.C.2")
    assert "implied parent" in pane_text(browser)
    browser.show_entry(STRUCTURE_EDITION, "1.A.1")
    assert "Category I — strong presumption of denial" in pane_text(browser)


def test_an_incomplete_eu_entry_says_so(browser, control_list):
    category_9 = control_list.show("9A", edition_id=EU_EDITION)[0]
    incomplete = next(node.code for node in category_9.descendants
                      if "text_incomplete" in node.flags)
    browser.show_entry(EU_EDITION, incomplete)
    assert "text incomplete in this copy" in pane_text(browser)


def test_an_eu_entry_shows_the_reuse_acknowledgement(browser):
    browser.show_entry(EU_EDITION, "7A002")
    text = pane_text(browser)
    assert "Source: Regulation (EU) 2021/821" in text and "© European Union" in text
    assert "N.B." in text  # notes of the entry
    assert browser.left_acknowledgement.isVisible()


def test_a_structure_edition_says_the_text_must_be_imported(browser):
    assert browser.edition.id == STRUCTURE_EDITION
    assert browser.limitation_banner.isVisible()
    assert "wording must be imported" in browser.limitation_banner.text()
    assert "Structure only" in browser.text_status_label.text()
    assert "Provenance" in pane_text(browser)  # the edition's provenance before any entry
    browser.show_entry(STRUCTURE_EDITION, "2.A.1.c")
    assert "The wording of 2.A.1.c must be imported" in pane_text(browser)
    assert not browser.left_acknowledgement.isVisible()  # no acknowledgement to show
    browser.show_entry(EU_EDITION, "9A101")
    assert not browser.limitation_banner.isVisible()


def test_cross_references_are_links_and_back_returns(browser):
    browser.show_entry(EU_EDITION, "9A101")
    html = browser.entry_html(browser.current_detail)
    assert f"href='{entry_link('9A001')}'" in html
    browser.entry_pane.anchorClicked.emit(entry_link("9A112.a"))
    assert browser.current_detail.entry.code == "9A112.a"
    assert browser.back_button.isEnabled()
    browser.go_back()
    assert browser.current_detail.entry.code == "9A101"


def test_a_note_found_by_search_opens_its_entry(browser):
    browser.show_entry(EU_EDITION, "7B003 Note")
    assert browser.current_detail.entry.code == "7B003"
    assert "Gyro tuning test stations" in pane_text(browser)


@pytest.mark.parametrize("query", [
    '"', '""', "'", 'gyro"', '"production facilities', "NEAR(", "NEAR(gyro, 3)", "gyro OR",
    "-", "*", "(", ")", "a:b", "^", "🚀", "rocket 🚀 motor", "\u202eevil", "\x00", "%_",
    "2.A.1.*", "2.A.", "Item", "Item 99", "99.Z.1", "; DROP TABLE entries; --", "x" * 600,
])
def test_hostile_queries_do_not_raise(qtbot, browser, query):
    browser.set_query(query)
    browser.show_entry(EU_EDITION, "9A101")
    browser.set_query(query)
    assert browser.search_status.text() or browser.hits == []


def test_switching_the_edition_reloads_the_tree_and_searches_again(browser):
    browser.set_query("gyro")
    mtcr_hits = browser.hits
    browser.edition_combo.setCurrentIndex(
        browser.edition_combo.findData(EU_EDITION))
    assert browser.edition.id == EU_EDITION
    assert codes(browser.tree_model) == [str(n) for n in range(10)]
    assert browser.hits != mtcr_hits and all(h.edition_id == EU_EDITION for h in browser.hits)


# --- picker mode -------------------------------------------------------------------------


@pytest.fixture
def picker(qtbot, context):
    widget = ControlListBrowser(context, picker=True, edition_id=EU_EDITION)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_picker_mode_emits_the_picked_codes(qtbot, picker):
    assert not picker.edition_combo.isEnabled()  # locked to the case's edition
    assert not picker.tag_button.isEnabled()  # nothing shown yet
    picker.set_query("9A101")
    with qtbot.waitSignal(picker.entries_picked) as first:
        picker.tag_button.click()
    assert first.args == [EU_EDITION, ["9A101"]]
    assert not picker.tag_button.isEnabled()  # already picked
    picker.set_query("7A002")
    with qtbot.waitSignal(picker.entries_picked) as second:
        picker.tag_button.click()
    assert second.args == [EU_EDITION, ["9A101", "7A002"]]
    picker.picked_list.setCurrentRow(0)
    with qtbot.waitSignal(picker.entries_picked) as removed:
        picker.remove_button.click()
    assert removed.args == [EU_EDITION, ["7A002"]]


def test_picker_mode_tags_entries_only_and_stays_in_its_edition(picker):
    picker.show_entry(EU_EDITION, "9A")
    assert not picker.tag_button.isEnabled()
    assert "Only entries are tagged" in picker.tag_button.toolTip()
    assert not picker.show_entry(STRUCTURE_EDITION, "2.A.1.c")
    assert picker.edition.id == EU_EDITION


def test_a_browser_that_is_not_a_picker_has_no_tag_button(browser):
    assert browser.tag_button is None and browser.picked_codes() == []


def test_pick_entries_returns_the_codes_or_none(qtbot, context):
    def pick_and_accept():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, EntryPickerDialog)
        dialog.browser.set_query("3a3")
        dialog.browser.tag_current_entry()
        dialog.accept()

    QTimer.singleShot(0, pick_and_accept)
    assert pick_entries(context, STRUCTURE_EDITION) == ["3.A.3"]

    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert pick_entries(context, STRUCTURE_EDITION) is None


# --- keyboard and accessibility ----------------------------------------------------------


def _press_tab(qtbot, widget: QWidget) -> QWidget:
    qtbot.keyClick(QApplication.focusWidget() or widget, Qt.Key.Key_Tab)
    return QApplication.focusWidget()


def test_tab_goes_search_results_entry_pane_tag_button(qtbot, picker):
    picker.activateWindow()
    qtbot.waitUntil(lambda: picker.isActiveWindow())
    picker.set_query("rocket motor")
    picker.focus_search()
    assert QApplication.focusWidget() is picker.search_edit
    assert _press_tab(qtbot, picker) is picker.results_view
    # Focus on the list opens the first result.
    assert picker.current_detail is not None
    assert _press_tab(qtbot, picker) is picker.entry_pane
    # Tab walks the links of the entry, then leaves for the tag button.
    for _ in range(200):
        focused = _press_tab(qtbot, picker)
        if focused is not picker.entry_pane:
            break
    assert focused is picker.tag_button
    qtbot.keyClick(picker.tag_button, Qt.Key.Key_Space)
    assert picker.picked_codes() == [picker.current_detail.entry.code]


def test_enter_in_the_search_box_opens_the_best_result(qtbot, picker):
    picker.focus_search()
    qtbot.keyClicks(picker.search_edit, "solid propellant")
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert picker.results_view.currentIndex().row() == 0
    assert picker.current_detail is not None
    assert QApplication.focusWidget() is picker.search_edit  # typing can go on


def test_every_control_has_an_accessible_name(picker):
    controls = [picker.edition_combo, picker.details_button, picker.search_edit,
                picker.search_status, picker.results_view, picker.tree_view,
                picker.entry_pane, picker.back_button, picker.tag_button, picker.picked_list,
                picker.remove_button, picker.left_acknowledgement, picker.limitation_banner,
                picker.text_status_label, picker.entry_heading]
    assert all(control.accessibleName() for control in controls)
    for button in picker.findChildren(QAbstractButton):
        if button.parent() is not picker.search_edit:  # the line edit's own clear button
            assert button.accessibleName() or button.text(), button


def test_no_match_here_links_to_the_edition_that_has_matches(qtbot, browser):
    structure = browser.edition_combo.findData(STRUCTURE_EDITION) \
        if browser.edition_combo.findData(STRUCTURE_EDITION) >= 0 else 0
    browser.edition_combo.setCurrentIndex(structure)
    assert browser.edition.id == STRUCTURE_EDITION
    browser.set_query("accelerometers")
    qtbot.waitUntil(lambda: "No match here" in browser.search_status.text(), timeout=2000)
    assert f'href="edition:{EU_EDITION}"' in browser.search_status.text()
    browser.search_status.linkActivated.emit(f"edition:{EU_EDITION}")
    assert browser.edition.id == EU_EDITION
    qtbot.waitUntil(lambda: len(browser.hits) > 0, timeout=2000)

    browser.set_query("zzqxv")
    qtbot.waitUntil(lambda: "No match in any edition" in browser.search_status.text(),
                    timeout=2000)
