"""Text typed in a case workspace survives a crash: saved as drafts, offered back on open."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from mtcr_desk.services import users
from mtcr_desk.ui import autosave
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.views import case_workspace
from mtcr_desk.ui.views.case_workspace import CaseWorkspace

IN_REVIEW = "MTCR-2026-0011"


@pytest.fixture
def context(demo_store):
    return AppContext(store=demo_store, database_path=demo_store.path, demo=True,
                      user=users.get_user(demo_store, "olga.officer"))


def open_workspace(qtbot, context):
    workspace = CaseWorkspace(context, IN_REVIEW, pick_entries=lambda edition: [])
    qtbot.addWidget(workspace)
    workspace.show()
    QApplication.processEvents()  # the offer of recovered drafts runs from the event loop
    return workspace


def test_typed_text_is_offered_back_after_the_window_went_away(qtbot, context, monkeypatch):
    answers: list[list[str]] = []

    def restore_all(parent, drafts, reference, widgets, **options):
        return autosave.offer_recovered_drafts(
            parent, drafts, reference, widgets,
            ask=lambda _p, _r, found, _l: answers.append([d.field for d in found]) or True,
            **options)

    monkeypatch.setattr(case_workspace, "offer_recovered_drafts", restore_all)
    first = open_workspace(qtbot, context)
    first.decision.rationale.setPlainText("Deny: the end user is a missile programme front.")
    first.notes.new_note.setPlainText("Phoned the consignee")
    first.autosaver.save_now()  # what the 10-second timer does
    # The process dies here: nothing recorded, no clean close.
    first.autosaver._timer.stop()

    second = open_workspace(qtbot, context)
    assert sorted(answers[-1]) == ["decision-rationale", "new-note"]
    assert second.decision.rationale.toPlainText() == (
        "Deny: the end user is a missile programme front.")
    assert second.notes.new_note.toPlainText() == "Phoned the consignee"


def test_recording_the_text_discards_its_draft(qtbot, context):
    workspace = open_workspace(qtbot, context)
    workspace.notes.new_note.setPlainText("Asked for the end-user statement")
    workspace.autosaver.save_now()
    drafts = workspace.autosaver.drafts
    assert [d.field for d in drafts.list(IN_REVIEW)] == ["new-note"]
    assert workspace.add_note()
    assert drafts.list(IN_REVIEW) == []


def test_a_read_only_window_saves_no_drafts(qtbot, demo_store):
    context = AppContext(store=demo_store, database_path=demo_store.path, demo=True,
                         read_only=True, user=users.get_user(demo_store, "olga.officer"))
    assert open_workspace(qtbot, context).autosaver is None


def test_drafts_of_a_case_that_became_final_are_shown_once_and_dropped(qtbot, context,
                                                                      monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from mtcr_desk.services.autosave import DraftStore

    decided = "MTCR-2026-0001"
    drafts = DraftStore(context.database_path, "olga.officer")
    drafts.save(decided, "decision-rationale", "Words typed before the crash")
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.detailedText()))
    workspace = CaseWorkspace(context, decided, pick_entries=lambda edition: [])
    qtbot.addWidget(workspace)
    workspace.show()
    QApplication.processEvents()
    assert shown and "Words typed before the crash" in shown[0]
    assert workspace.decision.rationale.toPlainText() != "Words typed before the crash"
    assert drafts.list(decided) == []
