"""A whole review through the desktop app, as an officer and then a senior officer would.

Sign in, open a demo case from the case list with the keyboard, classify an item
through the control-list browser in picker mode, record factors and the end-user
statement, undo and redo from the Edit menu, draft the decision, sign out, sign in
as a second user and countersign. The records are checked in the store.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from mtcr_desk.domain.cases import AssessmentStatus, CaseStatus, Factor, Finding, Outcome
from mtcr_desk.services import audit_check
from mtcr_desk.ui.actions import ActionId
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.sign_in import SignInDialog
from mtcr_desk.ui.main_window import MainWindow
from mtcr_desk.ui.views import case_workspace, control_list_browser
from mtcr_desk.ui.views.control_list_browser import ControlListBrowser

CASE = "MTCR-2026-0011"  # in review, Singapore (not a partner), line 2 unassessed






def sign_in(qtbot, store, username, password):
    dialog = SignInDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.user is not None, dialog.message.text()
    return dialog.user


def main_window(qtbot, store, user):
    context = AppContext(store=store, database_path=store.path, demo=True, user=user)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_from_list(qtbot, window, reference):
    page = window.pages["cases"]
    table = page.case_list.table
    model = table.model()
    row = next(r for r in range(model.rowCount())
               if model.index(r, 0).data() == reference)
    table.setFocus()
    table.setCurrentIndex(model.index(row, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    workspace = page.current_workspace()
    assert workspace is not None and workspace.reference == reference
    return workspace


def pick_with_the_browser(qtbot, picked_code):
    """The picker, driven as a user would: search, open the entry, tag it."""
    def pick(context, edition_id, parent=None):
        browser = ControlListBrowser(context, picker=True, edition_id=edition_id)
        qtbot.addWidget(browser)
        browser.set_query(picked_code)
        assert browser.hits and browser.hits[0].code == picked_code
        assert browser.show_entry(edition_id, picked_code)
        browser.tag_current_entry()
        return browser.picked_codes()
    return pick


def test_a_review_from_sign_in_to_countersignature(qtbot, demo_store, monkeypatch):
    monkeypatch.setattr(control_list_browser, "pick_entries", pick_with_the_browser(qtbot,
                                                                                  "6.C.1"))
    officer = sign_in(qtbot, demo_store, "olga.officer", "demo-officer")
    window = main_window(qtbot, demo_store, officer)
    workspace = open_from_list(qtbot, window, CASE)
    cases = window.context.cases

    # Classify line 2 through the picker (Ctrl+K), with a rationale.
    workspace.show_page("items")
    workspace.select_item(2)
    window.actions_by_id[ActionId.CLASSIFY].trigger()
    assert workspace.items.chips.codes() == ["6.C.1"]
    workspace.items.rationale.setPlainText("Prepreg of high-modulus fibre for composites.")
    qtbot.mouseClick(workspace.items.record_button, Qt.MouseButton.LeftButton)
    assert cases.get(CASE).item(2).assessment.entry_codes == ("6.C.1",)

    # Factors c to f, then the end-user statement.
    workspace.show_page("evaluation")
    for factor in (Factor.C, Factor.D, Factor.E, Factor.F):
        row = workspace.evaluation.rows[factor]
        row.finding.setCurrentIndex(row.finding.findData(Finding.NO_CONCERN))
        qtbot.mouseClick(row.record_button, Qt.MouseButton.LeftButton)
    workspace.show_page("overview")
    workspace.overview.end_user_statement.setText("EUS-2026-0777")
    qtbot.mouseClick(workspace.overview.save_button, Qt.MouseButton.LeftButton)

    # Edit > Undo takes the statement back; Redo puts it again.
    undo, redo = window.actions_by_id[ActionId.UNDO], window.actions_by_id[ActionId.REDO]
    assert undo.isEnabled()
    undo.trigger()
    assert cases.get(CASE).end_user_statement == ""
    redo.trigger()
    assert cases.get(CASE).end_user_statement == "EUS-2026-0777"

    # Draft: approve with a condition, flags acknowledged, password asked again.
    monkeypatch.setattr(case_workspace, "ask_password",
                        lambda parent, username, purpose: "demo-officer")
    workspace.show_page("decision")
    page = workspace.decision
    page.outcome.setCurrentIndex(page.outcome.findData(Outcome.APPROVE_WITH_CONDITIONS))
    page.condition_edit.setText("No re-export without consent")
    qtbot.mouseClick(page.add_condition, Qt.MouseButton.LeftButton)
    page.rationale.setPlainText("Category II to a civil end user; the condition secures it.")
    page.acknowledge_flags.setChecked(True)
    window.actions_by_id[ActionId.DRAFT_DECISION].trigger()
    case = cases.get(CASE)
    assert case.status is CaseStatus.AWAITING_COUNTERSIGNATURE
    assert case.current_decision.drafted_by == "olga.officer"
    assert not undo.isEnabled()  # drafting is not undoable
    window.close()

    # Sign out; the senior officer signs in and countersigns.
    senior = sign_in(qtbot, demo_store, "sam.senior", "demo-senior")
    window = main_window(qtbot, demo_store, senior)
    workspace = open_from_list(qtbot, window, CASE)
    monkeypatch.setattr(case_workspace, "ask_password",
                        lambda parent, username, purpose: "demo-senior")
    workspace.show_page("decision")
    qtbot.mouseClick(workspace.decision.agree_button, Qt.MouseButton.LeftButton)
    case = window.context.cases.get(CASE)
    assert case.status is CaseStatus.DECIDED
    assert case.current_decision.countersigned_by == "sam.senior"
    assert case.item(2).assessment.status is AssessmentStatus.CONTROLLED
    assert audit_check.verify(demo_store).ok
