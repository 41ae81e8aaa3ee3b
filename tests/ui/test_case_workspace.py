"""The case workspace on the demo cases: a review driven through the pages, undo, read-only
final cases, the live checklist, refusals, keyboard use and accessible names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextBrowser,
    QWidget,
)

from mtcr_desk.domain.cases import (
    AssessmentStatus,
    Assurance,
    CaseStatus,
    Factor,
    Finding,
    Outcome,
)
from mtcr_desk.domain.errors import RulesNotMet, RuleViolation
from mtcr_desk.domain.rules import RuleFailure
from mtcr_desk.services import users
from mtcr_desk.services.audit_check import verify
from mtcr_desk.ui import commands
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs import password as password_dialog
from mtcr_desk.ui.dialogs.refusal import RefusalDialog, refusal_text
from mtcr_desk.ui.views import case_workspace
from mtcr_desk.ui.views.case_workspace import PAGE_KEYS, CaseWorkspace

IN_REVIEW = "MTCR-2026-0011"  # SG (non-partner), line 2 unassessed, factors a and b only
READY = "MTCR-2026-0010"  # EU edition, everything assessed and found
DECIDED = "MTCR-2026-0001"
WITHDRAWN = "MTCR-2026-0006"
AWAITING = "MTCR-2026-0008"
DRAFT = "MTCR-2026-0012"






@pytest.fixture
def context(demo_store):
    return AppContext(store=demo_store, database_path=demo_store.path, demo=True,
                      user=users.get_user(demo_store, "olga.officer"))


@pytest.fixture
def refusals(monkeypatch):
    """Refusal dialogs, captured instead of shown."""
    shown: list = []
    monkeypatch.setattr(case_workspace, "show_refusal", lambda parent, error: shown.append(error))
    return shown


def open_workspace(qtbot, context, reference, picks=("6.C.1",)) -> CaseWorkspace:
    workspace = CaseWorkspace(context, reference, pick_entries=lambda edition: list(picks))
    qtbot.addWidget(workspace)
    workspace.resize(1170, 600)
    workspace.show()
    qtbot.waitExposed(workspace)
    return workspace


def click(qtbot, button: QAbstractButton) -> None:
    assert button.isEnabled(), button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def checklist(workspace) -> dict[str, bool]:
    return {rule: met for rule, met, _message in workspace.checklist_rows()}


def test_a_review_driven_through_the_workspace_reaches_a_drafted_decision(
        qtbot, context, monkeypatch, refusals):
    ws = open_workspace(qtbot, context, IN_REVIEW)
    changed = []
    ws.case_changed.connect(changed.append)
    assert [ws.pages.widget(i).objectName() for i in range(ws.pages.count())] == \
        list(PAGE_KEYS)

    # Items: classify line 2 through the picker, write the rationale, record.
    ws.show_page("items")
    ws.select_item(2)
    assert ws.items.assessment_box.title() == "Assessment of line 2"
    click(qtbot, ws.items.classify_button)
    assert ws.items.chips.codes() == ["6.C.1"]
    assert ws.items.status_buttons[AssessmentStatus.CONTROLLED].isChecked()
    ws.items.rationale.setPlainText("Prepreg of high-modulus fibre for composite structures.")
    click(qtbot, ws.items.record_button)
    item = context.cases.get(IN_REVIEW).item(2)
    assert item.assessment.status is AssessmentStatus.CONTROLLED
    assert item.assessment.entry_codes == ("6.C.1",)
    assert item.assessment.assessed_by == "olga.officer"
    assert ws.items.table.item(1, 3).text() == "controlled"

    # Evaluation: factors c to f.
    ws.show_page("evaluation")
    for factor, finding in ((Factor.C, Finding.CONCERN), (Factor.D, Finding.NO_CONCERN),
                            (Factor.E, Finding.NOT_APPLICABLE), (Factor.F, Finding.NO_CONCERN)):
        row = ws.evaluation.rows[factor]
        row.finding.setCurrentIndex(row.finding.findData(finding))
        row.note.setPlainText(f"Note on {factor.value}")
        click(qtbot, row.record_button)
    case = context.cases.get(IN_REVIEW)
    assert case.factor(Factor.C).finding is Finding.CONCERN
    assert case.factor(Factor.C).note == "Note on c"
    assert all(case.factor(f) is not None for f in Factor)

    # Overview: the end-user statement.
    ws.show_page("overview")
    ws.overview.end_user_statement.setText("EUS-2026-0777")
    click(qtbot, ws.overview.save_button)
    assert context.cases.get(IN_REVIEW).end_user_statement == "EUS-2026-0777"
    assert ws.title() == IN_REVIEW + "*"
    assert ws.undo_stack.count() == 6

    # Decision: approve with a condition, acknowledge the flags, draft with the password.
    ws.show_page("decision")
    page = ws.decision
    page.outcome.setCurrentIndex(page.outcome.findData(Outcome.APPROVE_WITH_CONDITIONS))
    page.condition_edit.setText("No re-export without consent")
    click(qtbot, page.add_condition)
    page.rationale.setPlainText("Category II, civil end user; conditions secure the end use.")
    assert checklist(ws)["destination flags acknowledged"] is False
    page.acknowledge_flags.setChecked(True)
    assert all(checklist(ws).values()), ws.checklist_rows()
    asked = []
    monkeypatch.setattr(case_workspace, "ask_password",
                        lambda parent, username, purpose: asked.append(purpose)
                        or "demo-officer")
    click(qtbot, page.draft_button)
    assert refusals == []
    assert "cannot be undone" in asked[0]
    case = context.cases.get(IN_REVIEW)
    assert case.status is CaseStatus.AWAITING_COUNTERSIGNATURE
    decision = case.current_decision
    assert decision.outcome is Outcome.APPROVE_WITH_CONDITIONS
    assert decision.conditions == ("No re-export without consent",)
    assert decision.drafted_by == "olga.officer"
    assert case.flags_acknowledged_by == "olga.officer"
    # Drafting is not undoable: the stack is emptied, the marker goes.
    assert ws.undo_stack.count() == 0 and ws.title() == IN_REVIEW
    assert not ws.may_edit and not ws.items.record_button.isEnabled()
    assert page.countersign_box.isVisible()
    assert changed and set(changed) == {IN_REVIEW}
    assert verify(context.store).ok


def test_undo_and_redo_from_the_workspace_restore_every_edit_kind(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, IN_REVIEW)
    before = context.cases.get(IN_REVIEW)
    titles = []
    ws.title_changed.connect(titles.append)

    ws.show_page("items")
    ws.select_item(2)
    click(qtbot, ws.items.classify_button)
    ws.items.rationale.setPlainText("Prepreg.")
    click(qtbot, ws.items.record_button)
    assert titles == [IN_REVIEW + "*"]
    row = ws.evaluation.rows[Factor.A]
    row.finding.setCurrentIndex(row.finding.findData(Finding.SERIOUS_CONCERN))
    click(qtbot, row.record_button)
    ws.overview.assurances[Assurance.NO_RETRANSFER].setChecked(True)
    ws.overview.end_use.setPlainText("Changed end use")
    click(qtbot, ws.overview.save_button)
    ws.select_item(1)
    precedent_row = next(i for i, p in enumerate(ws._precedents) if p.applicable
                         and p.status is AssessmentStatus.NOT_CONTROLLED)
    ws.items.precedents.selectRow(precedent_row)
    click(qtbot, ws.items.apply_button)
    assert context.cases.get(IN_REVIEW).item(1).assessment.precedent
    assert ws.undo_stack.count() == 4
    assert ws.undo_action.text().startswith("&Undo Apply precedent") or \
        "Apply precedent" in ws.undo_action.text()

    for _ in range(4):
        click(qtbot, ws.header.undo_button)
    after = context.cases.get(IN_REVIEW)
    assert after.item(2).assessment == before.item(2).assessment  # reset: exactly
    first, again = before.item(1).assessment, after.item(1).assessment
    assert (again.status, again.entry_codes, again.category, again.rationale,
            again.precedent) == (first.status, first.entry_codes, first.category,
                                 first.rationale, first.precedent)
    assert after.factor(Factor.A).finding is before.factor(Factor.A).finding
    assert after.factor(Factor.A).note == before.factor(Factor.A).note
    assert (after.end_use, after.end_user_statement, after.assurances) == \
        (before.end_use, before.end_user_statement, before.assurances)
    assert ws.title() == IN_REVIEW and titles[-1] == IN_REVIEW
    # The panels show the restored records.
    assert ws.overview.end_use.toPlainText() == before.end_use
    assert ws.evaluation.rows[Factor.A].finding.currentData() == Finding.NO_CONCERN

    for _ in range(4):
        click(qtbot, ws.header.redo_button)
    redone = context.cases.get(IN_REVIEW)
    assert redone.item(2).assessment.entry_codes == ("6.C.1",)
    assert redone.factor(Factor.A).finding is Finding.SERIOUS_CONCERN
    assert Assurance.NO_RETRANSFER in redone.assurances
    assert redone.item(1).assessment.status is AssessmentStatus.NOT_CONTROLLED
    assert refusals == []
    assert verify(context.store).ok


def test_the_checklist_follows_the_record_and_the_form_live(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, IN_REVIEW)
    ws.show_page("decision")
    rows = checklist(ws)
    assert rows["every item assessed"] is False and rows["every factor found"] is False
    assert rows["decision rationale"] is False
    assert rows["case open for drafting"] is True
    missing_text = [ws.decision.checklist.item(i).text()
                    for i in range(ws.decision.checklist.count())]
    assert any(text.startswith("✗ Missing: Every item assessed") and "line(s) 2" in text
               for text in missing_text)
    assert "missing" in ws.decision.checklist_summary.text()

    ws.decision.rationale.setPlainText("Because.")
    assert checklist(ws)["decision rationale"] is True
    ws.decision.outcome.setCurrentIndex(
        ws.decision.outcome.findData(Outcome.APPROVE_WITH_CONDITIONS))
    assert checklist(ws)["conditions"] is False
    ws.decision.condition_edit.setText("Post-shipment check")
    ws.decision.condition_edit.returnPressed.emit()
    assert checklist(ws)["conditions"] is True
    ws.decision.outcome.setCurrentIndex(ws.decision.outcome.findData(Outcome.DENY))
    rows = checklist(ws)
    assert rows["conditions only with conditional approval"] is False
    assert rows["denial grounds"] is False  # no factor of concern yet
    assert "end-user statement" not in rows

    # Record line 2 elsewhere in the workspace: the checklist flips without a reload.
    ws.select_item(2)
    click(qtbot, ws.items.classify_button)
    ws.items.rationale.setPlainText("Prepreg.")
    click(qtbot, ws.items.record_button)
    texts = [ws.decision.checklist.item(i).text() for i in range(ws.decision.checklist.count())]
    assert "✓ Met: Every item assessed" in texts
    row = ws.evaluation.rows[Factor.C]
    row.finding.setCurrentIndex(row.finding.findData(Finding.CONCERN))
    click(qtbot, row.record_button)
    assert checklist(ws)["denial grounds"] is True
    # Draft while rules are missing: the refusal lists them, no password is asked.
    ws.decision.draft_button.click()
    assert isinstance(refusals[-1], RulesNotMet)
    assert {f.rule for f in refusals[-1].failures} >= {"every factor found"}


def test_a_final_case_is_read_only_and_offers_amend(qtbot, context, monkeypatch, refusals):
    ws = open_workspace(qtbot, context, DECIDED)
    assert not ws.may_edit
    assert "final" in ws.header.notice_label.text()
    assert ws.header.amend_button.isVisible() and ws.header.amend_button.isEnabled()
    ws.show_page("items")
    assert not ws.items.record_button.isEnabled()
    assert not ws.items.classify_button.isEnabled()
    assert not any(b.isEnabled() for b in ws.items.status_buttons.values())
    assert all(not chip.isEnabled() for chip in ws.items.chips.chips.values())
    assert ws.items.rationale.isReadOnly()
    assert not ws.items.apply_button.isEnabled()
    assert all(not row.finding.isEnabled() for row in ws.evaluation.rows.values())
    assert ws.overview.end_use.isReadOnly() and ws.overview.end_user_statement.isReadOnly()
    assert not ws.decision.form_box.isVisible() or not ws.decision.form_box.isEnabled()
    assert not ws.decision.countersign_box.isVisible()

    opened = []
    ws.open_case_requested.connect(opened.append)
    monkeypatch.setattr(case_workspace, "ask_reason",
                        lambda parent, title, prompt: "The quantity was mistyped")
    click(qtbot, ws.header.amend_button)
    assert len(opened) == 1
    amendment = context.cases.get(opened[0])
    assert amendment.amends == DECIDED and amendment.status is CaseStatus.IN_REVIEW
    assert context.cases.get(DECIDED).status is CaseStatus.DECIDED
    assert opened[0] in ws.header.notice_label.text()
    assert refusals == []


def test_a_withdrawn_case_shows_amend_disabled(qtbot, context):
    ws = open_workspace(qtbot, context, WITHDRAWN)
    assert ws.header.amend_button.isVisible()
    assert not ws.header.amend_button.isEnabled()
    assert not ws.may_edit


def test_countersigning_re_asks_the_password_and_is_not_undoable(qtbot, demo_store, monkeypatch,
                                                                 refusals):
    context = AppContext(store=demo_store, database_path=demo_store.path, demo=True,
                         user=users.get_user(demo_store, "sam.senior"))
    ws = open_workspace(qtbot, context, AWAITING)
    ws.show_page("decision")
    assert ws.decision.countersign_box.isVisible()
    assert not ws.decision.form_box.isVisible()
    purposes = []
    monkeypatch.setattr(case_workspace, "ask_password",
                        lambda parent, username, purpose: purposes.append(purpose) or None)
    click(qtbot, ws.decision.agree_button)  # cancelled: nothing happens
    assert context.cases.get(AWAITING).status is CaseStatus.AWAITING_COUNTERSIGNATURE
    assert "cannot be undone" in purposes[0]
    monkeypatch.setattr(case_workspace, "ask_password", lambda *args: "wrong password")
    click(qtbot, ws.decision.agree_button)
    assert isinstance(refusals[-1], RuleViolation)
    monkeypatch.setattr(case_workspace, "ask_password", lambda *args: "demo-senior")
    click(qtbot, ws.decision.agree_button)
    case = context.cases.get(AWAITING)
    assert case.status is CaseStatus.DECIDED
    assert case.current_decision.countersigned_by == "sam.senior"
    assert ws.header.amend_button.isVisible()
    assert ws.undo_stack.count() == 0


def test_a_refused_edit_is_shown_and_never_reaches_the_stack(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, IN_REVIEW)
    before = context.cases.get(IN_REVIEW)
    ws.show_page("items")
    ws.select_item(2)
    ws.items.status_buttons[AssessmentStatus.CONTROLLED].setChecked(True)  # but no entries
    assert ws.record_assessment() is False
    assert isinstance(refusals[0], RulesNotMet)
    assert "controlled needs entries" in refusal_text(refusals[0])
    assert ws.undo_stack.count() == 0 and ws.title() == IN_REVIEW
    assert context.cases.get(IN_REVIEW) == before


def test_a_refused_undo_is_shown_and_leaves_the_record(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, IN_REVIEW)
    row = ws.evaluation.rows[Factor.C]
    row.finding.setCurrentIndex(row.finding.findData(Finding.CONCERN))
    assert ws.record_factor(Factor.C)
    # Meanwhile, somewhere else, the case is withdrawn.
    context.cases.withdraw(IN_REVIEW, actor=users.get_user(context.store, "otto.officer"),
                           reason="Applicant withdrew")
    ws.undo_action.trigger()
    assert isinstance(refusals[0], RuleViolation)
    assert ws.undo_stack.count() == 0
    case = context.cases.get(IN_REVIEW)
    assert case.factor(Factor.C).finding is Finding.CONCERN
    assert ws.case.status is CaseStatus.WITHDRAWN  # reloaded after the refusal


def test_unsaved_assessment_forms_survive_switching_items(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, IN_REVIEW)
    ws.show_page("items")
    ws.select_item(2)
    ws.items.rationale.setPlainText("Half written")
    ws.select_item(1)
    assert ws.items.rationale.toPlainText().startswith("Fine-grain graphite")
    ws.select_item(2)
    assert ws.items.rationale.toPlainText() == "Half written"
    click(qtbot, ws.items.revert_button)
    assert ws.items.rationale.toPlainText() == ""


def test_precedents_are_searched_once_per_item_not_after_every_edit(qtbot, context,
                                                                    refusals, monkeypatch):
    # The search reads every assessed item of the office (seconds on a large database).
    searched = []
    real_find = case_workspace.precedent_service.find_precedents

    def counting(store, reference, *, line, **kwargs):
        searched.append(line)
        return real_find(store, reference, line=line, **kwargs)

    monkeypatch.setattr(case_workspace.precedent_service, "find_precedents", counting)
    ws = open_workspace(qtbot, context, IN_REVIEW)
    ws.show_page("items")
    ws.select_item(2)
    assert searched == [1, 2]  # the first line on opening, then line 2
    ws.items.rationale.setPlainText("Prepreg, fibre values above 6.C.1.")
    click(qtbot, ws.items.classify_button)
    assert ws.record_assessment()
    ws.show_page("notes")
    ws.notes.new_note.setPlainText("Asked the applicant for the resin data sheet.")
    click(qtbot, ws.notes.add_button)
    assert searched == [1, 2]  # edits here cannot change precedents from other cases
    ws.select_item(1)
    ws.select_item(2)
    assert searched == [1, 2, 1, 2]
    ws.hide()  # another tab in front: other cases may change meanwhile
    ws.show()
    assert searched == [1, 2, 1, 2, 2]


def test_removing_a_chip_takes_the_entry_out_of_the_assessment(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, IN_REVIEW, picks=("6.C.1", "6.C.6"))
    ws.show_page("items")
    ws.select_item(2)
    click(qtbot, ws.items.classify_button)
    assert ws.items.chips.codes() == ["6.C.1", "6.C.6"]
    chip = ws.items.chips.chips["6.C.6"]
    assert chip.accessibleName() == "Remove entry 6.C.6"
    click(qtbot, chip)
    assert ws.items.chips.codes() == ["6.C.1"]
    ws.items.rationale.setPlainText("Prepreg.")
    click(qtbot, ws.items.record_button)
    assert context.cases.get(IN_REVIEW).item(2).assessment.entry_codes == ("6.C.1",)


def test_the_picker_cancelled_changes_nothing(qtbot, context):
    ws = CaseWorkspace(context, IN_REVIEW, pick_entries=lambda edition: None)
    qtbot.addWidget(ws)
    ws.select_item(2)
    ws.classify()
    assert ws.items.chips.codes() == []
    assert ws._assessment_status() is None


def test_an_eu_case_records_the_category_with_the_assessment(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, READY, picks=("7A103.a.1",))
    ws.show_page("items")
    ws.select_item(2)
    assert ws.items.category_combo.isVisible()
    assert ws.items.category_combo.currentData() == "II"
    ws.items.category_combo.setCurrentIndex(ws.items.category_combo.findData(None))
    assert ws.record_assessment() is False  # the EU list carries no categories: refused
    assert refusals and "MTCR category recorded" in refusal_text(refusals[0])
    ws.items.category_combo.setCurrentIndex(ws.items.category_combo.findData("I"))
    assert ws.record_assessment()
    assert context.cases.get(READY).item(2).assessment.category == "I"
    assert ws.header.category_badge.text() == "Category I"


def test_notes_are_added_and_say_they_cannot_be_undone(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, DECIDED)  # notes are allowed on final cases
    ws.show_page("notes")
    assert not ws.notes.add_button.isEnabled()
    ws.notes.new_note.setPlainText("Memo printed for the file.")
    click(qtbot, ws.notes.add_button)
    assert context.cases.get(DECIDED).notes[-1].text == "Memo printed for the file."
    assert "Memo printed for the file." in ws.notes.timeline.toPlainText()
    assert ws.undo_stack.count() == 0


def test_the_history_page_lists_this_cases_audit_rows_readably(qtbot, context, refusals):
    ws = open_workspace(qtbot, context, IN_REVIEW)
    row = ws.evaluation.rows[Factor.A]
    row.finding.setCurrentIndex(row.finding.findData(Finding.CONCERN))
    ws.record_factor(Factor.A)
    ws.show_page("history")
    table = ws.history.table
    assert table.rowCount() >= 14
    newest = [table.item(0, c).text() for c in range(table.columnCount())]
    assert newest[1] == "olga.officer" and newest[2] == "record factor"
    assert newest[3].startswith("factor a")
    assert "finding: no concern → concern" in newest[4]
    ws.undo_action.trigger()  # the page is visible: it follows at once
    assert table.item(0, 2).text() == "record factor"
    assert "finding: concern → no concern" in table.item(0, 4).text()


def test_pages_are_reachable_with_the_keyboard(qtbot, context):
    ws = open_workspace(qtbot, context, IN_REVIEW)
    ws.activateWindow()
    qtbot.waitUntil(ws.isActiveWindow)
    ws.pages.tabBar().setFocus()
    assert QApplication.focusWidget() is ws.pages.tabBar()
    assert ws.pages.currentIndex() == 0
    for expected in range(1, len(PAGE_KEYS)):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab,
                       Qt.KeyboardModifier.ControlModifier)
        assert ws.pages.currentIndex() == expected
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab,
                   Qt.KeyboardModifier.ControlModifier)
    assert ws.pages.currentIndex() == 0

    # From inside a text editor, Ctrl+Tab still changes page and Tab moves on.
    ws.overview.end_use.setFocus()
    qtbot.keyClick(ws.overview.end_use, Qt.Key.Key_Tab)
    assert ws.overview.end_use.toPlainText().count("\t") == 0
    assert QApplication.focusWidget() is ws.overview.end_user_statement
    qtbot.keyClick(ws.overview.end_user_statement, Qt.Key.Key_Tab,
                   Qt.KeyboardModifier.ControlModifier)
    assert ws.pages.currentWidget().objectName() == "parties"

    # Tab from the tab bar walks into the page's controls, and every one on the items
    # page is reached (the assessment panel's chips, buttons, editors).
    ws.show_page("items")
    ws.select_item(2)
    ws.classify()
    ws.pages.tabBar().setFocus()
    reached = set()
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.add(QApplication.focusWidget())
    for widget in (ws.items.table, ws.items.status_buttons[AssessmentStatus.CONTROLLED],
                   ws.items.chips.chips["6.C.1"], ws.items.classify_button,
                   ws.items.rationale, ws.items.record_button, ws.items.precedents):
        assert widget in reached, (widget.accessibleName(), [w.accessibleName() for w in reached])


def _interactive(root: QWidget) -> list[QWidget]:
    """The controls a user reaches (not Qt's own parts of composite widgets)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, (QAbstractButton, QLineEdit, QPlainTextEdit, QTextBrowser,
                                   QComboBox, QAbstractItemView, QTabBar)):
            continue
        if isinstance(widget, QHeaderView):
            continue
        parent = widget.parentWidget()
        internal = False
        while parent is not None and parent is not root:
            if isinstance(parent, (QComboBox, QAbstractItemView, QTabBar)) or \
                    type(parent).__name__ == "QComboBoxPrivateContainer":
                internal = True
                break
            parent = parent.parentWidget()
        if not internal:
            found.append(widget)
    return found


@pytest.mark.parametrize("reference", [IN_REVIEW, DECIDED, AWAITING, DRAFT, READY])
def test_every_control_has_an_accessible_name(qtbot, context, reference):
    ws = open_workspace(qtbot, context, reference)
    ws.select_item(1)
    ws.classify()
    controls = _interactive(ws)
    assert len(controls) > 40
    unnamed = [f"{type(w).__name__} {w.objectName()} {getattr(w, 'text', lambda: '')()}"
               for w in controls if not w.accessibleName()]
    assert unnamed == []


def test_the_workspace_fits_a_1366_by_768_screen(qtbot, context):
    for reference in (IN_REVIEW, DECIDED, AWAITING, READY):
        ws = open_workspace(qtbot, context, reference)
        hint = ws.minimumSizeHint()
        # Inside the main window: navigation (180 px), menus, toolbar and status bar.
        assert hint.width() <= 1366 - 190 and hint.height() <= 768 - 150, (reference, hint)


def test_the_refusal_dialog_text_is_selectable_and_copyable(qtbot):
    error = RulesNotMet("draft the decision on MTCR-2026-0011", [
        RuleFailure("every item assessed", "assess line(s) 2"),
        RuleFailure("every factor found", "record a finding for factor(s) c, d")])
    dialog = RefusalDialog(error)
    qtbot.addWidget(dialog)
    lines = dialog.text.toPlainText().splitlines()
    assert lines == ["draft the decision on MTCR-2026-0011: 2 rules are not met:",
                     "• every item assessed: assess line(s) 2",
                     "• every factor found: record a finding for factor(s) c, d"]
    assert dialog.text.isReadOnly()
    flags = dialog.text.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.text.toPlainText()
    single = RefusalDialog(RuleViolation("amend: only a decided case is amended"))
    qtbot.addWidget(single)
    assert single.text.toPlainText() == "amend: only a decided case is amended"


def test_ask_password_returns_the_text_or_none(qtbot):
    def answer(text: str | None) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, password_dialog.PasswordDialog)
        assert dialog.username.text() == "olga.officer" and dialog.username.isReadOnly()
        assert "cannot be undone" in dialog.purpose.text()
        if text is None:
            dialog.reject()
        else:
            dialog.password.setText(text)
            dialog.accept()

    QTimer.singleShot(0, lambda: answer("s3cret"))
    assert password_dialog.ask_password(None, "olga.officer", "Drafting cannot be undone.") \
        == "s3cret"
    QTimer.singleShot(0, lambda: answer(None))
    assert password_dialog.ask_password(None, "olga.officer", "Drafting cannot be undone.") \
        is None


def test_commands_module_never_imports_widgets():
    source = Path(commands.__file__).read_text(encoding="utf-8")
    assert "QtWidgets" not in source
