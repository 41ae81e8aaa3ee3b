"""Case files from the desktop: export a case to a file, import a case file as a new case.

The GUI face of ``mtcr-desk case export`` and ``case import`` (the format is
``docs/case-format.md``). Both run on a worker thread with their own database
connection. An export is written all or nothing (a temporary file renamed over
the destination) and never over the open database; an import is validated
strictly and written in one transaction, as the signed-in user, or not at all.
Every refusal is shown in selectable text and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from mtcr_desk.domain.errors import MtcrDeskError, RuleViolation
from mtcr_desk.services import case_format
from mtcr_desk.services.database import open_database
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.refusal import show_refusal
from mtcr_desk.ui.workers import run_in_background

#: ``choose(parent, caption, path, filter) -> (path, selected_filter)``, as
#: QFileDialog.getOpenFileName / getSaveFileName; an empty path means cancelled.
ChooseFile = Callable[[QWidget | None, str, str, str], tuple[str, str]]

FILE_FILTER = "MTCR Desk case files (*.json);;All files (*)"
SUFFIX = ".json"


def _tr(text: str) -> str:
    return QCoreApplication.translate("case_files", text)


def import_case_file(parent: QWidget | None, context: AppContext, *,
                     choose_file: ChooseFile | None = None) -> str | None:
    """Pick a case file and import it as a new case; return the new reference.

    Returns None when the user cancels or the import is refused (the refusal
    has then been shown; nothing was written).
    """
    user = context.user
    if user is None or context.read_only:
        show_refusal(parent, RuleViolation(
            "Import case: " + ("nobody is signed in" if user is None else
                               "this window is read-only (another MTCR Desk window has the "
                               "database open for writing)")))
        return None
    choose_file = choose_file or QFileDialog.getOpenFileName
    chosen, _ = choose_file(parent, _tr("Import case file"), "", _tr(FILE_FILTER))
    if not chosen:
        return None
    path = Path(chosen)
    database_path = context.database_path

    def job(progress, _cancelled) -> str:
        progress(0, 0)
        store = open_database(database_path)
        try:
            document = case_format.read_case_file(path, store=store)
            return case_format.import_case(store, document, actor=user).reference
        finally:
            store.close()

    try:
        return run_in_background(parent, _tr("Importing %1…").replace("%1", path.name), job)
    except MtcrDeskError as error:
        show_refusal(parent, error)
        return None


def export_case_file(parent: QWidget | None, context: AppContext, reference: str, *,
                     choose_file: ChooseFile | None = None,
                     folder: Path | None = None) -> Path | None:
    """Pick a destination and write the case there, all or nothing; return the path.

    The file name offered is ``REFERENCE.json`` (in ``folder`` when given); a
    name typed without a suffix gets ``.json``. Returns None when the user
    cancels or the export is refused (the refusal has then been shown).
    """
    reference = reference.strip().upper()
    choose_file = choose_file or QFileDialog.getSaveFileName
    suggested = str((folder / f"{reference}{SUFFIX}") if folder else f"{reference}{SUFFIX}")
    chosen, _ = choose_file(parent, _tr("Export %1").replace("%1", reference), suggested,
                            _tr(FILE_FILTER))
    if not chosen:
        return None
    path = Path(chosen)
    if not path.suffix:
        path = path.with_suffix(SUFFIX)
    database_path = context.database_path

    def job(progress, _cancelled) -> Path:
        progress(0, 0)
        # Exporting only reads the database.
        store = open_database(database_path, read_only=True)
        try:
            return case_format.write_case_file(store, reference, path)
        finally:
            store.close()

    try:
        return run_in_background(parent, _tr("Exporting %1…").replace("%1", reference), job)
    except MtcrDeskError as error:
        show_refusal(parent, error)
        return None
