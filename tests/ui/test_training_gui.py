"""The training sandbox in the desktop app: TRAINING window, Training page, score, overview."""

from __future__ import annotations

import csv

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from mtcr_desk.domain.cases import AssessmentStatus
from mtcr_desk.services import training, users
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.sign_in import SignInDialog
from mtcr_desk.ui.main_window import TRAINING_BANNER, MainWindow
from mtcr_desk.ui.training.training_page import MISSED_BACKGROUND, TrainingPage


def sign_in(qtbot, store, username, password):
    dialog = SignInDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.user is not None, dialog.message.text()
    return dialog.user


def training_window(qtbot, store, user) -> MainWindow:
    context = AppContext(store=store, database_path=store.path,
                         training=training.is_training_database(store), user=user)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1366, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_training_window_says_training_and_has_the_training_page(qtbot, sandbox):
    window = training_window(qtbot, sandbox, users.get_user(sandbox, "tom.trainee"))
    assert "TRAINING" in window.windowTitle()
    assert window.training_banner.isVisible()
    assert window.training_banner.text() == TRAINING_BANNER
    assert "TRAINING" in window.findChild(type(window.training_banner), "training_status").text()
    keys = [window.navigation.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(window.navigation.count())]
    assert keys[0] == "training"
    assert isinstance(window.page("training"), TrainingPage)


def test_a_live_window_has_no_training_page_or_banner(qtbot, demo_store):
    window = training_window(qtbot, demo_store, users.get_user(demo_store, "olga.officer"))
    assert "TRAINING" not in window.windowTitle()
    assert not window.training_banner.isVisible()
    keys = [window.navigation.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(window.navigation.count())]
    assert "training" not in keys


def test_a_trainee_attempt_through_the_gui_is_scored_and_stored(qtbot, sandbox, monkeypatch):
    tom = sign_in(qtbot, sandbox, "tom.trainee", "training-tom")
    window = training_window(qtbot, sandbox, tom)
    page = window.page("training")
    assert page.overview_box.isHidden()  # trainees see no class overview
    page.select_scenario("T04")
    assert "Objectives" in page.briefing.toPlainText()
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)

    (attempt,) = training.list_attempts(sandbox, trainee="tom.trainee")
    workspace = window.page("cases").current_workspace()
    assert workspace is not None and workspace.reference == attempt.reference
    assert window.stack.currentWidget() is window.page("cases")

    # Line 2 classified in the workspace as a user would: status, rationale, Record.
    scenario = training.scenario(sandbox, "T04")
    expected = scenario.answer.item(2)
    assert expected.status is AssessmentStatus.NOT_CONTROLLED
    workspace.show_page("items")
    workspace.select_item(2)
    workspace.items.status_buttons[AssessmentStatus.NOT_CONTROLLED].click()
    workspace.items.rationale.setPlainText(expected.reasoning)
    qtbot.mouseClick(workspace.items.record_button, Qt.MouseButton.LeftButton)
    case = window.context.cases.get(attempt.reference)
    assert case.item(2).assessment.status is AssessmentStatus.NOT_CONTROLLED

    window.show_page("training")
    page.select_attempt(attempt.id)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)

    stored = training.get_attempt(sandbox, attempt.id)
    assert stored.submitted_at is not None and 0 < stored.earned < stored.possible
    dialog = page.score_dialog
    assert dialog is not None and dialog.isVisible()
    assert f"{stored.percentage:.1f} %" in dialog.summary.text()
    assert dialog.table.rowCount() == len(stored.score.lines)
    subjects = [dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())]
    assert subjects == [line.subject for line in stored.score.lines]
    missed = [index for index, line in enumerate(stored.score.lines) if line.missed]
    assert dialog.missed_rows() == missed and missed
    assert dialog.table.item(missed[0], 3).background().color().name() == MISSED_BACKGROUND
    line_2 = subjects.index("line 2 status")
    assert dialog.table.item(line_2, 2).text() == "2 / 2"
    assert line_2 not in missed
    # The attempt list shows the score; a second submission is not offered.
    assert page.attempts_table.item(0, 5).text() == f"{stored.percentage:.1f} %"
    assert not page.submit_button.isEnabled()


def test_the_trainer_exports_the_class_overview(qtbot, sandbox, tmp_path):
    tara = users.get_user(sandbox, "tara.trainee")
    attempt = training.start_attempt(sandbox, "T08", trainee=tara)
    scored = training.submit_attempt(sandbox, attempt.id, actor=tara)
    window = training_window(qtbot, sandbox, users.get_user(sandbox, "tina.trainer"))
    page = window.page("training")
    assert not page.overview_box.isHidden()
    rows = {(page.overview_table.item(r, 0).text(), page.overview_table.item(r, 1).text())
            for r in range(page.overview_table.rowCount())}
    assert ("tara.trainee", "T08") in rows

    csv_path = page.export_overview(tmp_path / "class.csv")
    (row,) = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert (row["trainee"], row["scenario"], row["latest %"]) == (
        "tara.trainee", "T08", f"{scored.percentage:.1f}")
    pdf_path = page.export_overview(tmp_path / "class.pdf")
    text = "".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert "tara.trainee" in text and "T08" in text


def test_the_training_page_grabs(qtbot, sandbox, tmp_path):
    """The page renders (a picture kept for a human to look at with MTCR_GRAB_DIR)."""
    import os

    window = training_window(qtbot, sandbox, users.get_user(sandbox, "tina.trainer"))
    window.page("training").select_scenario("T04")
    image = window.grab()
    assert not image.isNull()
    target = os.environ.get("MTCR_GRAB_DIR")
    image.save(str(tmp_path / "training.png") if not target
               else os.path.join(target, "training-page.png"))


def test_demonstrate_opens_the_demonstration_on_the_selected_scenario(qtbot, sandbox):
    window = training_window(qtbot, sandbox, users.get_user(sandbox, "tina.trainer"))
    page = window.page("training")
    page.select_scenario("T08")
    qtbot.mouseClick(page.demonstrate_button, Qt.MouseButton.LeftButton)
    view = page.demonstration
    assert view is not None and view.isVisible() and view.isWindow()
    qtbot.addWidget(view)
    assert "TRAINING" in view.windowTitle() and view.scenario.id == "T08"
    assert training.attempt_for_case(sandbox, view.run.reference).trainee == "tina.trainer"
