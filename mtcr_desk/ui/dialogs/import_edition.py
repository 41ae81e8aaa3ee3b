"""Import a new control-list edition from the desktop: file, validation report, then load.

The GUI face of ``mtcr-desk list import``. An administrator picks the official
Annex (PDF or text) or an edition JSON; the file is read and validated on a
worker thread (a 50 MB PDF takes a while and the window must stay responsive),
then the validation report is shown *before anything is written*: entries per
Item, notes, technical notes and definitions, codes missing or extra against
the structure edition, and every warning, in a text box the officer can select
and copy. **Import** loads the edition in one transaction (again off the GUI
thread); **Cancel** is a dry run: nothing is written. Every worker opens its own
database connection and closes it: the GUI's connection never crosses threads.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.errors import InvalidInputError, MtcrDeskError, RuleViolation
from mtcr_desk.domain.users import Role
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.edition_format import EDITION_ID_PATTERN
from mtcr_desk.services.edition_import import (
    ImportReport,
    PreparedImport,
    commit_import,
    prepare_import,
)
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.refusal import show_refusal
from mtcr_desk.ui.workers import run_in_background

#: ``choose_file(parent, caption, folder, filter) -> (path, selected_filter)``, as
#: QFileDialog.getOpenFileName; an empty path means the user cancelled.
ChooseFile = Callable[[QWidget | None, str, str, str], tuple[str, str]]
#: ``ask_text(parent, title, label) -> (text, ok)``, as QInputDialog.getText.
AskText = Callable[..., tuple[str, bool]]

FILE_FILTER = ("Control-list editions (*.pdf *.txt *.text *.json);;"
               "MTCR Annex PDF (*.pdf);;Annex text (*.txt *.text);;"
               "Edition JSON (*.json);;All files (*)")

MAX_TITLE = 500
#: The report is wrapped at this many columns, long lists with a hanging indent.
REPORT_WIDTH = 88


def _tr(text: str) -> str:
    return QCoreApplication.translate("import_edition", text)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _wrapped(first: str, text: str, indent: int) -> list[str]:
    return textwrap.wrap(text, REPORT_WIDTH, initial_indent=first,
                         subsequent_indent=" " * indent, break_on_hyphens=False,
                         break_long_words=False) or [first.rstrip()]


def report_text(report: ImportReport) -> str:
    """Return the validation report as plain text (what the dialog shows and copies)."""
    edition = report.edition
    entries = sum(count for _item, count in report.entries_per_item)
    lines = [
        f"File:      {report.source_name} ({report.source_kind})",
        f"SHA-256:   {report.source_sha256}",
        f"Edition:   {edition.id}",
        f"Title:     {edition.title}",
        f"Version:   {edition.version}",
        "",
        f"Nodes:     {report.entry_count:,}",
        f"  entries            {entries:,}",
        f"  notes              {report.notes:,}",
        f"  technical notes    {report.technical_notes:,}",
        f"  definitions        {report.definitions:,}",
        "",
        "Entries per Item:",
    ]
    if report.entries_per_item:
        lines.extend(f"  Item {item:>2}   {count:>5,}" for item, count in report.entries_per_item)
    else:
        lines.append("  none")
    lines.append("")
    if report.compared_with:
        lines.append(f"Against {report.compared_with}: "
                     f"{_plural(len(report.missing_codes), 'code', 'codes')} missing, "
                     f"{len(report.extra_codes):,} extra")
        if report.missing_codes:
            lines.extend(_wrapped("  missing: ", ", ".join(report.missing_codes), 11))
        if report.extra_codes:
            lines.extend(_wrapped("  extra:   ", ", ".join(report.extra_codes), 11))
    else:
        lines.append("No structure edition is loaded to compare the codes with.")
    lines.append("")
    if report.warnings:
        lines.append(f"Warnings ({len(report.warnings):,}):")
        for warning in report.warnings:
            lines.extend(_wrapped("  • ", warning, 4))
    else:
        lines.append("Warnings: none")
    return "\n".join(lines)


def _check_edition_id(text: str) -> str | None:
    """Return the edition id typed (None when left empty) or raise InvalidInputError."""
    value = text.strip()
    if not value:
        return None
    if not EDITION_ID_PATTERN.fullmatch(value):
        raise InvalidInputError(
            f"Edition id {value!r}: use lower-case letters, digits, '.' and '-', "
            "starting with a letter or digit (e.g. mtcr-2025)")
    return value


def _check_title(text: str) -> str | None:
    value = " ".join(text.split())
    if not value:
        return None
    if len(value) > MAX_TITLE:
        raise InvalidInputError(f"Title: at most {MAX_TITLE} characters ({len(value)} given)")
    return value


def with_identity(prepared: PreparedImport, *, edition_id: str | None,
                  title: str | None) -> PreparedImport:
    """Return the prepared import under another edition id and/or title."""
    edition_file = prepared.edition_file
    changes = {}
    if edition_id is not None and edition_id != edition_file.edition.id:
        changes["id"] = edition_id
    if title is not None and title != edition_file.edition.title:
        changes["title"] = title
    if not changes:
        return prepared
    edition = replace(edition_file.edition, **changes)
    entries = edition_file.entries
    if "id" in changes:
        entries = tuple(replace(entry, edition_id=edition_id) for entry in entries)
    return replace(prepared, edition_file=replace(edition_file, edition=edition,
                                                  entries=entries),
                   report=replace(prepared.report, edition=edition))


class ImportReportDialog(QDialog):
    """The validation report, an optional edition id and title, then Import or Cancel."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None):
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(self.tr("Import control-list edition"))
        self.heading = QLabel("<b>" + self.tr("Validation report for %1").replace(
            "%1", report.source_name.replace("&", "&amp;").replace("<", "&lt;")) + "</b>")
        self.heading.setAccessibleName(self.tr("Report heading"))
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.summary = QLabel(self._summary())
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Report summary"))
        self.text = QPlainTextEdit(report_text(report))
        self.text.setReadOnly(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(self.tr("Validation report"))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        self.edition_id = QLineEdit()
        self.edition_id.setPlaceholderText(report.edition.id)
        self.edition_id.setAccessibleName(self.tr("Edition id (optional)"))
        self.edition_id.setToolTip(self.tr(
            "Leave empty to use %1. Lower-case letters, digits, '.' and '-'.").replace(
            "%1", report.edition.id))
        self.edition_title = QLineEdit()
        self.edition_title.setPlaceholderText(report.edition.title)
        self.edition_title.setMaxLength(MAX_TITLE)
        self.edition_title.setAccessibleName(self.tr("Edition title (optional)"))
        self.edition_title.setToolTip(self.tr("Leave empty to use the title shown greyed."))
        self.edition_title.setCursorPosition(0)
        form = QFormLayout()
        form.addRow(self.tr("Edition &id (optional):"), self.edition_id)
        form.addRow(self.tr("&Title (optional):"), self.edition_title)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Problem with the id or title"))
        self.error.setStyleSheet("color:#b91c1c")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.note = QLabel(self.tr("Nothing has been written yet. Import loads the edition in "
                                   "one transaction; Cancel writes nothing (a dry run). A "
                                   "loaded edition never changes."))
        self.note.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(self.tr("&Import"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName(self.tr("Import the edition"))
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName(self.tr("Cancel: write nothing"))
        self.copy_button = QPushButton(self.tr("&Copy report"))
        self.copy_button.setAccessibleName(self.tr("Copy the report"))
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Enter in a field must not import by accident (a loaded edition never changes):
        # Import is pressed on purpose. See also showEvent.
        self.import_button.setAutoDefault(False)
        self.import_button.setDefault(False)
        self.edition_id.textEdited.connect(self.error.hide)
        self.edition_title.textEdited.connect(self.error.hide)
        button_row = QHBoxLayout()
        button_row.addWidget(self.copy_button)
        button_row.addStretch(1)
        button_row.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, stretch=1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addLayout(button_row)
        self.resize(760, 580)
        self.text.setFocus()

    def _summary(self) -> str:
        report = self.report
        entries = sum(count for _item, count in report.entries_per_item)
        parts = [self.tr("%1 nodes, %2 entries in %3 Items.").replace(
            "%1", f"{report.entry_count:,}").replace("%2", f"{entries:,}").replace(
            "%3", str(len(report.entries_per_item)))]
        if report.compared_with:
            if report.missing_codes or report.extra_codes:
                parts.append(self.tr("Against %1: %2 missing, %3 extra.").replace(
                    "%1", report.compared_with).replace(
                    "%2", _plural(len(report.missing_codes), "code", "codes")).replace(
                    "%3", f"{len(report.extra_codes):,}"))
            else:
                parts.append(self.tr("Every code of %1 is present.").replace(
                    "%1", report.compared_with))
        if report.warnings:
            parts.append(self.tr("1 warning: read it before importing.")
                         if len(report.warnings) == 1 else
                         self.tr("%1 warnings: read them before importing.").replace(
                             "%1", f"{len(report.warnings):,}"))
        return " ".join(parts)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # QDialogButtonBox makes its first accept button the default when shown.
        self.import_button.setDefault(False)

    def choices(self) -> tuple[str | None, str | None]:
        """The edition id and title typed (None where left empty); raise when invalid."""
        return _check_edition_id(self.edition_id.text()), _check_title(self.edition_title.text())

    def show_problem(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def accept(self) -> None:
        try:
            self.choices()
        except MtcrDeskError as error:
            self.show_problem(error.message)
            self.edition_id.setFocus()
            return
        super().accept()

    def copy(self) -> None:
        """Put the whole report on the clipboard."""
        QGuiApplication.clipboard().setText(self.text.toPlainText())


def _may_import(context: AppContext) -> RuleViolation | None:
    user = context.user
    if user is None or user.role is not Role.ADMINISTRATOR:
        who = f"{user.username} is an {user.role.value}" if user else "nobody is signed in"
        return RuleViolation(f"Import control-list edition: {who}; only an administrator "
                             "imports control-list editions")
    if context.read_only:
        return RuleViolation("Import control-list edition: this window is read-only (another "
                             "MTCR Desk window has the database open for writing)")
    return None


def _prepare(parent: QWidget | None, context: AppContext, path: Path, *,
             edition_id: str | None) -> PreparedImport:
    database_path = context.database_path
    username = context.user.username

    def job(progress, _cancelled) -> PreparedImport:
        progress(0, 0)
        # Preparing only reads: its own connection, read-only.
        store = open_database(database_path, read_only=True)
        try:
            return prepare_import(ControlListService(store), path, edition_id=edition_id,
                                  imported_by=username)
        finally:
            store.close()

    return run_in_background(parent, _tr("Reading %1…").replace("%1", path.name), job)


def _commit(parent: QWidget | None, context: AppContext, prepared: PreparedImport) -> str:
    database_path = context.database_path
    username = context.user.username

    def job(progress, _cancelled) -> str:
        progress(0, 0)
        store = open_database(database_path)
        try:
            return commit_import(ControlListService(store), prepared, imported_by=username).id
        finally:
            store.close()

    return run_in_background(
        parent, _tr("Loading edition %1…").replace("%1", prepared.edition_file.edition.id), job)


def import_edition(parent: QWidget | None, context: AppContext, *,
                   choose_file: ChooseFile | None = None,
                   ask_text: AskText | None = None) -> str | None:
    """Pick, validate and (after the report) load a new edition; return its id.

    Returns None when the user cancels at any step or the import is refused (the
    refusal has then been shown). ``choose_file`` and ``ask_text`` default to
    QFileDialog.getOpenFileName and QInputDialog.getText (replaced in tests).
    """
    refusal = _may_import(context)
    if refusal is not None:
        show_refusal(parent, refusal)
        return None
    choose_file = choose_file or QFileDialog.getOpenFileName
    ask_text = ask_text or QInputDialog.getText
    chosen, _ = choose_file(parent, _tr("Import control-list edition"), "", _tr(FILE_FILTER))
    if not chosen:
        return None
    path = Path(chosen)

    edition_id: str | None = None
    while True:
        try:
            prepared = _prepare(parent, context, path, edition_id=edition_id)
            break
        except MtcrDeskError as error:
            show_refusal(parent, error)
            # An id already loaded, or an Annex whose year cannot be read: the file
            # itself may be fine, so offer to import it under an id of the user's choosing.
            if not (isinstance(error, RuleViolation) or "edition id" in error.message):
                return None
            text, ok = ask_text(parent, _tr("Import under another id"),
                                _tr("Edition id for %1 (e.g. mtcr-2025):").replace(
                                    "%1", path.name))
            if not ok or not text.strip():
                return None
            try:
                edition_id = _check_edition_id(text)
            except MtcrDeskError as invalid:
                show_refusal(parent, invalid)
                return None

    dialog = ImportReportDialog(prepared.report, parent)
    try:
        while True:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None  # a dry run: nothing was written
            new_id, title = dialog.choices()
            try:
                return _commit(parent, context,
                               with_identity(prepared, edition_id=new_id, title=title))
            except MtcrDeskError as error:
                show_refusal(parent, error)
                # Back to the report: another id may be given, or Cancel.
                dialog.show_problem(error.message)
    finally:
        dialog.deleteLater()
