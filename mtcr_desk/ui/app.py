"""Start the desktop application: QApplication, database, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from mtcr_desk import APP_NAME, APP_SLUG, ORGANISATION, __version__
from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.demo import open_demo_database
from mtcr_desk.ui.main_window import MainWindow


def create_application(argv: list[str] | None = None) -> QApplication:
    """Return the QApplication, creating it once with our names set."""
    application = QApplication.instance()
    if application is None:
        application = QApplication(argv if argv is not None else sys.argv[:1])
    application.setApplicationName(APP_SLUG)
    application.setApplicationDisplayName(APP_NAME)
    application.setOrganizationName(ORGANISATION)
    application.setApplicationVersion(__version__)
    return application


def run_application(database_path: Path, *, demo: bool = False) -> int:
    """Open the database (the demo one, filled on first use) and show the main window."""
    application = create_application()
    try:
        store = open_demo_database(database_path) if demo else open_database(database_path)
    except MtcrDeskError as error:
        QMessageBox.critical(None, APP_NAME, error.message)
        print(f"{APP_SLUG}: {error.message}", file=sys.stderr)
        return error.exit_code
    try:
        window = MainWindow(database_path=store.path, control_list=ControlListService(store))
        window.show()
        return application.exec()
    finally:
        store.close()
