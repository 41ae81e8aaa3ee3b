"""The Memo page: preview, print, export; and the batch export from the case list."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox

from mtcr_desk.services import memos, users
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.pdf_pages import page_count
from mtcr_desk.ui.views import memo_page
from mtcr_desk.ui.views.case_workspace import CaseWorkspace

DECIDED = "MTCR-2026-0001"
AWAITING = "MTCR-2026-0008"


@pytest.fixture
def context(demo_store):
    return AppContext(store=demo_store, database_path=demo_store.path, demo=True,
                      user=users.get_user(demo_store, "olga.officer"))


def open_memo(qtbot, context, reference) -> CaseWorkspace:
    workspace = CaseWorkspace(context, reference, pick_entries=lambda edition: [])
    qtbot.addWidget(workspace)
    workspace.resize(1170, 700)
    workspace.show()
    qtbot.waitExposed(workspace)
    workspace.show_page("memo")
    return workspace


def test_the_memo_page_previews_every_page_of_the_memo_of_record(qtbot, context, tmp_path):
    workspace = open_memo(qtbot, context, DECIDED)
    page = workspace.memo
    document = memos.memo_document(context.store, DECIDED)
    assert page.document == document
    assert len(page.page_labels) == page_count(document.pdf) >= 1
    assert "Memo of record" in page.status_label.text()
    assert document.sha256 in page.status_label.text()
    pixmap = page.page_labels[0].pixmap()
    assert pixmap.width() > 300
    # A page is mostly white paper with dark text on it, not an empty or black image.
    image = pixmap.toImage()
    assert image.pixelColor(5, 5).lightness() > 240
    assert any(image.pixelColor(x, image.height() // 3).lightness() < 120
               for x in range(image.width()))
    qtbot.wait(50)  # the page labels are shown by the event loop
    assert page.page_labels[0].isVisible()
    workspace.grab().save(str(tmp_path / "memo-page.png"))


def test_a_draft_is_labelled_as_such_and_follows_the_record(qtbot, context):
    workspace = open_memo(qtbot, context, AWAITING)
    assert "Draft" in workspace.memo.status_label.text()
    assert workspace.memo.document.draft


def test_zoom_changes_the_page_size(qtbot, context):
    workspace = open_memo(qtbot, context, DECIDED)
    page = workspace.memo
    page.zoom_combo.setCurrentIndex(page.zoom_combo.findData(0.5))
    small = page.page_labels[0].pixmap().width()
    page.zoom_combo.setCurrentIndex(page.zoom_combo.findData(1.5))
    assert page.page_labels[0].pixmap().width() == pytest.approx(3 * small, rel=0.02)


def test_printing_puts_every_memo_page_on_paper(qtbot, context, tmp_path):
    workspace = open_memo(qtbot, context, DECIDED)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(150)
    assert workspace.memo.print_to(printer)
    printed = PdfReader(tmp_path / "printed.pdf")
    assert len(printed.pages) == page_count(workspace.memo.document.pdf)


def test_export_writes_the_memo_of_record_that_verify_recognises(qtbot, context, tmp_path):
    workspace = open_memo(qtbot, context, DECIDED)
    written = workspace.memo.export_pdf(tmp_path / "exported.pdf")
    assert written is not None
    match = memos.verify_memo_file(context.store, written)
    assert match is not None and match.reference == DECIDED


def test_a_failed_export_shows_the_reason_and_writes_nothing(qtbot, context, tmp_path,
                                                             monkeypatch):
    shown = []
    monkeypatch.setattr(memo_page, "show_refusal", lambda parent, error: shown.append(error))
    workspace = open_memo(qtbot, context, DECIDED)
    assert workspace.memo.export_pdf(tmp_path / "no-such-folder" / "memo.pdf") is None
    assert shown and "does not exist" in str(shown[0])


def test_batch_export_of_selected_cases_runs_in_the_background(qtbot, context, tmp_path,
                                                               monkeypatch):
    messages = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text: messages.append(text))
    references = ["MTCR-2026-0001", "MTCR-2026-0002", AWAITING]
    written = memo_page.export_memos_of_cases(None, context, references, folder=tmp_path)
    assert [path.name for path in written] == [f"{ref}-memo.pdf" for ref in references]
    assert "3 memos written" in messages[-1]


def test_file_menu_has_print_and_memo_exports(qtbot, context):
    from mtcr_desk.ui.actions import ActionId
    from mtcr_desk.ui.main_window import MainWindow

    window = MainWindow(context)
    qtbot.addWidget(window)
    actions = window.actions_by_id
    assert actions[ActionId.PRINT].shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    assert actions[ActionId.EXPORT_MEMO].shortcut() == QKeySequence("Ctrl+Shift+M")
    file_menu = window.menuBar().actions()[0].menu()
    assert {actions[ActionId.PRINT], actions[ActionId.EXPORT_MEMO],
            actions[ActionId.EXPORT_MEMOS]} <= set(file_menu.actions())


def test_a_long_memo_previews_its_first_pages_and_says_so(qtbot, context, monkeypatch):
    monkeypatch.setattr(memo_page, "MAX_PREVIEW_PAGES", 1)
    workspace = open_memo(qtbot, context, DECIDED)
    total = page_count(workspace.memo.document.pdf)
    assert total > 1
    labels = workspace.memo.page_labels
    assert len(labels) == 2 and labels[0].pixmap() is not None and not labels[0].pixmap().isNull()
    assert labels[1].text().startswith(f"Pages 2 to {total} are not shown here")


def test_an_older_final_decision_gets_its_memo_of_record_from_a_batch_export(
        qtbot, older_demo_path, tmp_path, monkeypatch):
    from mtcr_desk.services.database import open_database
    from tests.conftest import DEMO_AWAITING

    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: None)
    store = open_database(older_demo_path)
    try:
        context = AppContext(store=store, database_path=older_demo_path,
                             user=users.get_user(store, "olga.officer"))
        [written] = memo_page.export_memos_of_cases(None, context, [DEMO_AWAITING],
                                                    folder=tmp_path)
        # Kept as it was exported: the file is recognised as the memo of record.
        match = memos.verify_memo(store, written.read_bytes())
        assert match is not None and match.reference == DEMO_AWAITING
    finally:
        store.close()


def test_a_read_only_window_says_an_older_memo_is_not_kept_yet(qtbot, older_demo_path):
    from mtcr_desk.services.database import open_database
    from tests.conftest import DEMO_AWAITING

    store = open_database(older_demo_path, read_only=True)
    try:
        context = AppContext(store=store, database_path=older_demo_path, read_only=True,
                             user=users.get_user(store, "olga.officer"))
        workspace = open_memo(qtbot, context, DEMO_AWAITING)
        text = workspace.memo.status_label.text()
        assert text.startswith("Final decision from before memos were kept")
        assert "amended" not in text
        workspace.close()
    finally:
        store.close()
