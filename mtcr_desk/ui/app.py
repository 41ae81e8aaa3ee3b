"""Start the desktop application: database, write lock, first run, sign-in, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from mtcr_desk import APP_NAME, APP_SLUG, ORGANISATION, __version__, paths
from mtcr_desk.domain.errors import MtcrDeskError, StorageError
from mtcr_desk.services import users
from mtcr_desk.services.database import open_database
from mtcr_desk.services.demo import open_demo_database
from mtcr_desk.services.instance_lock import InstanceLock
from mtcr_desk.services.settings import is_training_database
from mtcr_desk.ui import errors
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.sign_in import FirstRunDialog, SignInDialog
from mtcr_desk.ui.main_window import MainWindow
from mtcr_desk.ui.workers import run_in_background

DEMO_HINT = ("Demo accounts: olga.officer / demo-officer, sam.senior / demo-senior "
             "(see the README for the others).")
TRAINING_HINT = ("Training sandbox accounts: tom.trainee / training-tom, "
                 "tara.trainee / training-tara, theo.trainee / training-theo (trainees), "
                 "tina.trainer / training-trainer, sam.senior / training-senior, "
                 "ada.admin / training-admin.")


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


def build_in_background(database_path: Path, opener, title: str) -> None:
    """Build a database on first use off the GUI thread (``opener`` fills it), with a
    progress dialog titled ``title``; nothing to do when the file exists already."""
    if database_path.exists():
        return

    def build(progress, cancelled):
        # Its own connection: a connection is never shared between threads.
        opener(database_path).close()

    run_in_background(None, title, build)


def _open_training(database_path: Path):
    # Imported here: the scenario library and its parsers are not needed to start otherwise.
    from mtcr_desk.services.training import open_training_database

    return open_training_database(database_path)


def open_session(database_path: Path, *, demo: bool, lock: InstanceLock,
                 training: bool = False):
    """Open the database: for writing when we hold the lock, read-only otherwise.

    ``training`` opens the training sandbox (built on first use; refused when the
    file is a live or demo database).
    """
    if database_path.parent == paths.user_data_dir():
        # The user data folder is ours to create (on the very first start).
        database_path.parent.mkdir(parents=True, exist_ok=True)
    elif not database_path.parent.is_dir():
        raise StorageError(f"Cannot open {database_path}: folder {database_path.parent} "
                           "does not exist")
    try:
        read_only = not lock.acquire()
    except OSError as error:
        raise StorageError(f"Cannot open {database_path}: {error.strerror or error}") from error
    if demo and not read_only:
        build_in_background(database_path, open_demo_database,
                            QApplication.translate("app", "Preparing the demo database…"))
    if training and not read_only:
        build_in_background(database_path, _open_training,
                            QApplication.translate("app", "Preparing the training sandbox…"))
    if read_only:
        store = open_database(database_path, read_only=True)
    elif training:
        store = _open_training(database_path)
    elif demo:
        store = open_demo_database(database_path)
    else:
        store = open_database(database_path)
    return AppContext(store=store, database_path=database_path, demo=demo,
                      read_only=read_only, training=is_training_database(store))


def run_application(database_path: Path, *, demo: bool = False, training: bool = False) -> int:
    """Open the database, sign the user in and show the main window; return the exit code."""
    application = create_application()
    errors.install()
    lock = InstanceLock(database_path)
    try:
        context = open_session(database_path, demo=demo, lock=lock, training=training)
    except MtcrDeskError as error:
        lock.release()
        QMessageBox.critical(None, APP_NAME, error.message)
        print(f"{APP_SLUG}: {error.message}", file=sys.stderr)
        return error.exit_code
    try:
        if not users.has_users(context.store) and not context.read_only:
            first_run = FirstRunDialog(context.store)
            if first_run.exec() != QDialog.DialogCode.Accepted:
                return 0
            if first_run.wants_demo:
                context.store.close()
                lock.release()
                return run_application(paths.demo_database_path(), demo=True)
        while True:
            hint = TRAINING_HINT if context.training else DEMO_HINT if demo else ""
            sign_in = SignInDialog(context.store, hint=hint)
            if sign_in.exec() != QDialog.DialogCode.Accepted:
                return 0
            context.user = sign_in.user
            window = MainWindow(context)
            window.show()
            code = application.exec()
            if not window.signed_out:
                return code
            window.deleteLater()  # signed out: ask who signs in next
    finally:
        if context.user is not None:
            backup_on_close(context)
        context.store.close()
        lock.release()


def backup_on_close(context: AppContext) -> None:
    """The daily automatic backup of the live database, when it is due (at most daily)."""
    if context.read_only or context.demo or context.training:
        return
    from mtcr_desk.services import backup
    from mtcr_desk.services.settings import load_settings

    settings = load_settings(context.store)
    source = context.database_path

    def job(progress, _cancelled):
        progress(0, 0)
        return backup.backup_if_due(source, settings, reason="close")

    try:
        run_in_background(None, QApplication.translate("app", "Backing up…"), job)
    except (MtcrDeskError, OSError) as error:
        message = getattr(error, "message", str(error))
        QMessageBox.warning(None, APP_NAME, QApplication.translate(
            "app", "The automatic backup failed: ") + message)
