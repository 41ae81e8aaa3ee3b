"""Importing an edition and case files through the dialogs: report first, nothing written
on cancel or refusal, administrators only, the work off the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from mtcr_desk.domain.cases import AssessmentStatus, Item
from mtcr_desk.domain.errors import InvalidInputError, RuleViolation
from mtcr_desk.services import case_format, edition_import
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs import case_files
from mtcr_desk.ui.dialogs import import_edition as dialog_module
from mtcr_desk.ui.dialogs.import_edition import ImportReportDialog, import_edition, report_text
from tests.conftest import STRUCTURE_EDITION
from tests.fixtures.synthetic_annex import intended_entries, synthetic_annex_pdf

IMPORTED = "mtcr-2099"


def snapshot(path: Path) -> dict[str, bytes]:
    """The database file and its WAL with their bytes (the -shm index only holds locks)."""
    return {p.name: p.read_bytes() for p in path.parent.glob(path.name + "*")
            if not p.name.endswith("-shm")}


def chooser(path: Path | str):
    calls = []

    def choose(parent, caption, folder, file_filter):
        calls.append((caption, folder, file_filter))
        return str(path), ""

    choose.calls = calls
    return choose


def cancelled_chooser(parent, caption, folder, file_filter):
    return "", ""


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def refusals(monkeypatch) -> list:
    shown: list = []

    def record(widget, error):
        shown.append(error)

    monkeypatch.setattr(dialog_module, "show_refusal", record)
    monkeypatch.setattr(case_files, "show_refusal", record)
    return shown


@pytest.fixture
def reports(monkeypatch) -> list:
    """The report dialogs shown; each is answered per ``reports.answer`` (default Import)."""
    shown: list = []

    class Answers(list):
        answer = "import"
        edition_id = ""
        title = ""

    shown = Answers()

    def exec_(dialog):
        shown.append((dialog, dialog.text.toPlainText(), threading.get_ident()))
        if shown.answer == "cancel":
            dialog.cancel_button.click()
        else:
            dialog.edition_id.setText(shown.edition_id)
            dialog.edition_title.setText(shown.title)
            dialog.import_button.click()
        return dialog.result()

    monkeypatch.setattr(ImportReportDialog, "exec", exec_)
    return shown


@pytest.fixture
def admin_context(store, people) -> AppContext:
    return AppContext(store=store, database_path=store.path, user=people["admin"])


@pytest.fixture
def annex_pdf(tmp_path) -> Path:
    path = tmp_path / "MTCR-TEM-2099-Annex.pdf"
    path.write_bytes(synthetic_annex_pdf())
    return path


def edition_ids(context: AppContext) -> list[str]:
    return [edition.id for edition in context.control_list.editions()]


def test_importing_the_synthetic_annex_pdf_creates_the_edition_off_the_gui_thread(
        qtbot, parent, admin_context, annex_pdf, refusals, reports, monkeypatch):
    gui_thread = threading.get_ident()
    calls = []
    real_prepare, real_commit = edition_import.prepare_import, edition_import.commit_import

    def prepare_spy(service, path, **kwargs):
        calls.append(("prepare", threading.get_ident(), service.store))
        return real_prepare(service, path, **kwargs)

    def commit_spy(service, prepared, **kwargs):
        calls.append(("commit", threading.get_ident(), service.store))
        return real_commit(service, prepared, **kwargs)

    monkeypatch.setattr(dialog_module, "prepare_import", prepare_spy)
    monkeypatch.setattr(dialog_module, "commit_import", commit_spy)
    choose = chooser(annex_pdf)

    assert import_edition(parent, admin_context, choose_file=choose) == IMPORTED

    assert refusals == []
    assert len(choose.calls) == 1 and "*.pdf" in choose.calls[0][2]
    assert [name for name, _, _ in calls] == ["prepare", "commit"]
    for _name, thread, used_store in calls:
        assert thread != gui_thread
        assert used_store is not admin_context.store  # its own connection
    [(dialog, text, dialog_thread)] = reports
    assert dialog_thread == gui_thread
    assert f"Edition:   {IMPORTED}" in text
    assert f"Against {STRUCTURE_EDITION}:" in text
    per_item: dict[int, int] = {}
    for entry in intended_entries():
        if entry["kind"] == "entry":
            per_item[entry["item"]] = per_item.get(entry["item"], 0) + 1
    for item, count in per_item.items():
        assert f"  Item {item:>2}   {count:>5,}" in text
    assert IMPORTED in edition_ids(admin_context)
    edition = admin_context.control_list.edition(IMPORTED)
    assert edition.imported_by == "admin"
    assert edition.entry_count == len(intended_entries())
    assert edition.source_file == annex_pdf.name


def test_an_id_and_title_given_in_the_report_dialog_are_used(
        qtbot, parent, admin_context, annex_pdf, refusals, reports):
    reports.edition_id = "mtcr-2099-draft"
    reports.title = "Synthetic Annex for the test"
    assert import_edition(parent, admin_context, choose_file=chooser(annex_pdf)) == \
        "mtcr-2099-draft"
    assert refusals == []
    ids = edition_ids(admin_context)
    assert "mtcr-2099-draft" in ids and IMPORTED not in ids
    edition = admin_context.control_list.edition("mtcr-2099-draft")
    assert edition.title == "Synthetic Annex for the test"
    assert edition.entry_count == len(intended_entries())


def test_an_invalid_id_keeps_the_dialog_open_with_the_problem(
        qtbot, parent, admin_context, annex_pdf, refusals):
    prepared = edition_import.prepare_import(admin_context.control_list, annex_pdf,
                                             imported_by="admin")
    dialog = ImportReportDialog(prepared.report, parent)
    qtbot.addWidget(dialog)
    dialog.edition_id.setText("Not An Id")
    dialog.import_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not dialog.error.isHidden() and "Not An Id" in dialog.error.text()


def test_cancel_at_the_report_writes_nothing(
        qtbot, parent, admin_context, annex_pdf, refusals, reports):
    reports.answer = "cancel"
    before = snapshot(admin_context.database_path)
    assert import_edition(parent, admin_context, choose_file=chooser(annex_pdf)) is None
    assert len(reports) == 1 and refusals == []
    assert snapshot(admin_context.database_path) == before
    assert IMPORTED not in edition_ids(admin_context)


def test_cancel_at_the_file_dialog_does_nothing(qtbot, parent, admin_context, refusals,
                                                reports):
    assert import_edition(parent, admin_context, choose_file=cancelled_chooser) is None
    assert reports == [] and refusals == []


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 an archive", b"%PDF-1.4 truncated",
                                     b"just some words, no Annex here\n"])
def test_a_bad_file_is_refused_and_nothing_written(
        qtbot, parent, admin_context, tmp_path, refusals, reports, content):
    bad = tmp_path / "annex.pdf"
    bad.write_bytes(content)
    before = snapshot(admin_context.database_path)
    editions = edition_ids(admin_context)
    assert import_edition(parent, admin_context, choose_file=chooser(bad)) is None
    assert len(refusals) == 1 and isinstance(refusals[0], InvalidInputError)
    assert reports == []  # no report for a refused file
    assert snapshot(admin_context.database_path) == before
    assert edition_ids(admin_context) == editions


def test_an_edition_already_loaded_is_refused_then_another_id_can_be_given(
        qtbot, parent, admin_context, annex_pdf, refusals, reports):
    assert import_edition(parent, admin_context, choose_file=chooser(annex_pdf)) == IMPORTED
    # Again: refused (editions never change once loaded); the user declines another id.
    asked = []

    def decline(*args):
        asked.append(args)
        return "", False

    assert import_edition(parent, admin_context, choose_file=chooser(annex_pdf),
                          ask_text=decline) is None
    assert len(refusals) == 1 and isinstance(refusals[0], RuleViolation)
    assert "already loaded" in refusals[0].message and len(asked) == 1
    # Once more, this time giving another id.
    assert import_edition(parent, admin_context, choose_file=chooser(annex_pdf),
                          ask_text=lambda *args: ("mtcr-2099-b", True)) == "mtcr-2099-b"
    assert {IMPORTED, "mtcr-2099-b"} <= set(edition_ids(admin_context))


def test_an_id_taken_at_import_time_is_refused_and_the_report_shown_again(
        qtbot, parent, admin_context, annex_pdf, refusals, monkeypatch):
    shown = []

    def exec_(dialog):
        shown.append(dialog.error.text() if not dialog.error.isHidden() else "")
        if len(shown) == 1:
            dialog.edition_id.setText(STRUCTURE_EDITION)  # already loaded
            dialog.import_button.click()
        else:
            dialog.cancel_button.click()
        return dialog.result()

    monkeypatch.setattr(ImportReportDialog, "exec", exec_)
    before = snapshot(admin_context.database_path)
    assert import_edition(parent, admin_context, choose_file=chooser(annex_pdf)) is None
    assert len(refusals) == 1 and "already loaded" in refusals[0].message
    assert len(shown) == 2 and "already loaded" in shown[1]
    assert snapshot(admin_context.database_path) == before


@pytest.mark.parametrize("who", ["olga", "sam", "tina"])
def test_a_non_administrator_is_refused_before_any_file_is_chosen(
        qtbot, parent, store, people, refusals, reports, who):
    context = AppContext(store=store, database_path=store.path, user=people[who])
    choose = chooser("/nonexistent.pdf")
    assert import_edition(parent, context, choose_file=choose) is None
    assert choose.calls == [] and reports == []
    assert len(refusals) == 1 and "only an administrator" in refusals[0].message


def test_a_read_only_window_is_refused(qtbot, parent, store, people, refusals):
    context = AppContext(store=store, database_path=store.path, user=people["admin"],
                         read_only=True)
    assert import_edition(parent, context, choose_file=chooser("/x.pdf")) is None
    assert len(refusals) == 1 and "read-only" in refusals[0].message


def test_the_report_dialog_text_is_selectable_and_copyable(
        qtbot, parent, admin_context, annex_pdf):
    prepared = edition_import.prepare_import(admin_context.control_list, annex_pdf,
                                             imported_by="admin")
    dialog = ImportReportDialog(prepared.report, parent)
    qtbot.addWidget(dialog)
    assert dialog.text.isReadOnly()
    assert dialog.text.toPlainText() == report_text(prepared.report)
    dialog.copy()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == report_text(prepared.report)
    assert dialog.edition_id.placeholderText() == IMPORTED
    # Enter in a field never imports: a loaded edition cannot be taken back.
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.import_button.isDefault()
    dialog.edition_id.setFocus()
    qtbot.keyClick(dialog.edition_id, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted


# --- case files ------------------------------------------------------------------------


@pytest.fixture
def officer_context(store, people) -> AppContext:
    return AppContext(store=store, database_path=store.path, user=people["olga"])


@pytest.fixture
def assessed_case(officer_context):
    cases = officer_context.cases
    olga = officer_context.user
    case = cases.create(actor=olga, applicant="Fictional Rocketry Ltd", destination="FR",
                        items=[Item(line=0, description="Rocket motor case", quantity=2),
                               Item(line=0, description="Gyroscope", quantity=5,
                                    manufacturer="Imaginary Instruments",
                                    part_number="G-7", value=1200.0)])
    cases.assess(case.reference, line=1, status=AssessmentStatus.CONTROLLED,
                 entry_codes=["3.A.3"], rationale="A motor case", actor=olga)
    return cases.assess(case.reference, line=2, status=AssessmentStatus.NOT_CONTROLLED,
                        rationale="Not a listed gyroscope", actor=olga)


def test_case_export_then_import_round_trip_through_the_dialogs(
        qtbot, parent, officer_context, assessed_case, tmp_path, refusals, monkeypatch):
    gui_thread = threading.get_ident()
    threads = []
    real_write, real_import = case_format.write_case_file, case_format.import_case

    def write_spy(store, reference, path):
        threads.append(("write", threading.get_ident(), store))
        return real_write(store, reference, path)

    def import_spy(store, document, **kwargs):
        threads.append(("import", threading.get_ident(), store))
        return real_import(store, document, **kwargs)

    monkeypatch.setattr(case_format, "write_case_file", write_spy)
    monkeypatch.setattr(case_format, "import_case", import_spy)

    suggested = []

    def save_as(parent, caption, path, file_filter):
        suggested.append(path)
        return str(tmp_path / "exported"), ""  # no suffix typed: .json is added

    written = case_files.export_case_file(parent, officer_context,
                                          assessed_case.reference.lower(),
                                          choose_file=save_as, folder=tmp_path)
    assert written == tmp_path / "exported.json" and written.is_file()
    assert suggested == [str(tmp_path / f"{assessed_case.reference}.json")]
    assert not list(tmp_path.glob(".mtcr-desk-*"))  # no temporary file left behind

    reference = case_files.import_case_file(parent, officer_context,
                                            choose_file=chooser(written))
    assert refusals == []
    assert reference is not None and reference != assessed_case.reference
    imported = officer_context.cases.get(reference)

    def items(case):
        return [(i.line, i.description, i.quantity, i.unit, i.manufacturer, i.part_number,
                 i.value, i.currency, i.assessment.status, i.assessment.entry_codes,
                 i.assessment.rationale) for i in case.items]

    assert items(imported) == items(assessed_case)
    assert imported.applicant == assessed_case.applicant
    assert any(assessed_case.reference in note.text for note in imported.notes)
    assert [name for name, _, _ in threads] == ["write", "import"]
    for _name, thread, used_store in threads:
        assert thread != gui_thread and used_store is not officer_context.store


def test_a_bad_case_file_is_refused_and_nothing_written(
        qtbot, parent, officer_context, assessed_case, tmp_path, refusals):
    bad = tmp_path / "case.json"
    bad.write_text('{"format": "mtcr-desk/case", "format_version": 1, "case": {}}',
                   encoding="utf-8")
    before = snapshot(officer_context.database_path)
    count = len(officer_context.cases.list())
    assert case_files.import_case_file(parent, officer_context, choose_file=chooser(bad)) \
        is None
    assert len(refusals) == 1 and isinstance(refusals[0], InvalidInputError)
    assert snapshot(officer_context.database_path) == before
    assert len(officer_context.cases.list()) == count


def test_an_administrator_may_export_but_not_import_a_case(
        qtbot, parent, admin_context, assessed_case, tmp_path, refusals):
    path = case_files.export_case_file(parent, admin_context, assessed_case.reference,
                                       choose_file=chooser(tmp_path / "c.json"))
    assert path == tmp_path / "c.json"
    assert case_files.import_case_file(parent, admin_context, choose_file=chooser(path)) \
        is None
    assert len(refusals) == 1 and isinstance(refusals[0], RuleViolation)


def test_export_refuses_the_open_database_and_an_unknown_case(
        qtbot, parent, officer_context, assessed_case, refusals, tmp_path):
    database = officer_context.database_path
    before = snapshot(database)
    assert case_files.export_case_file(parent, officer_context, assessed_case.reference,
                                       choose_file=chooser(database)) is None
    assert "open database" in refusals[-1].message
    assert snapshot(database) == before
    assert case_files.export_case_file(parent, officer_context, "MTCR-2000-9999",
                                       choose_file=chooser(tmp_path / "x.json")) is None
    assert "MTCR-2000-9999" in refusals[-1].message
    assert not (tmp_path / "x.json").exists()


def test_cancelled_case_file_dialogs_do_nothing(qtbot, parent, officer_context,
                                                assessed_case, refusals):
    assert case_files.import_case_file(parent, officer_context,
                                       choose_file=cancelled_chooser) is None
    assert case_files.export_case_file(parent, officer_context, assessed_case.reference,
                                       choose_file=cancelled_chooser) is None
    assert refusals == []
