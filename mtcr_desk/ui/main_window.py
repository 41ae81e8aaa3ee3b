"""The main window: navigation between the pages, menus and toolbar, status bar.

Menus, toolbar and shortcuts come from the action registry (:mod:`ui.actions`).
The pages are views of their own (:mod:`ui.views`); this window only lays them
out, routes actions to them and shows who is signed in, which database and
edition are in use, and the state of the audit chain. QSettings keeps the window
geometry and view state only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from mtcr_desk import APP_NAME, __version__
from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.users import Role
from mtcr_desk.services import audit_check
from mtcr_desk.ui.actions import ActionId, create_actions
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.refusal import show_refusal
from mtcr_desk.ui.views.cases_page import CasesPage
from mtcr_desk.ui.workers import run_in_background, verify_in_background

#: Navigation pages in order: (key, title, administrators only).
PAGES = (
    ("cases", "Cases", False),
    ("control_list", "Control list", False),
    ("users", "Users", True),
    ("reference", "Reference data", True),
)
#: The extra page of a training sandbox, shown first there (and nowhere else).
TRAINING_PAGE = ("training", "Training", False)

TRAINING_BANNER = "TRAINING SANDBOX — fictional cases, nothing here is a licensing record"
TRAINING_BANNER_STYLE = ("background:#f59e0b;color:#1c1917;padding:6px;font-weight:bold;"
                         "border:1px solid #b45309")


def window_pages(context: AppContext) -> tuple[tuple[str, str, bool], ...]:
    """The navigation pages of a window on ``context``'s database, in order."""
    if context.training:
        return (TRAINING_PAGE, *PAGES)
    return PAGES


class MainWindow(QMainWindow):
    """Navigation, menus, toolbar and status bar around the pages."""

    #: The user asked to sign out: the application closes this window and asks again.
    sign_out_requested = Signal()

    def __init__(self, context: AppContext, *, pages: dict[str, QWidget] | None = None):
        super().__init__()
        self.context = context
        #: True once the user signed out (the application then asks who signs in next).
        self.signed_out = False
        # Qt appends the application display name ("— MTCR Desk") itself.
        self.setWindowTitle((self.tr("TRAINING — ") if context.training else "")
                            + context.database_path.name
                            + (self.tr(" (read-only)") if context.read_only else ""))
        self.resize(1280, 760)
        self.actions_by_id = create_actions(self)

        self.navigation = QListWidget()
        self.navigation.setAccessibleName(self.tr("Navigation"))
        self.navigation.setMaximumWidth(180)
        self.stack = QStackedWidget()
        #: Pages built so far; the others are built the first time they are shown, so
        #: that the window appears without waiting for pages nobody has opened yet.
        self.pages: dict[str, QWidget] = {}
        self._page_keys: list[str] = []
        provided = pages or {}
        for key, title, admin_only in window_pages(context):
            if admin_only and (context.user is None
                               or context.user.role is not Role.ADMINISTRATOR):
                continue
            if key in provided:
                self.pages[key] = provided[key]
                self.stack.addWidget(provided[key])
            else:
                self.stack.addWidget(QWidget())  # replaced when first shown
            self._page_keys.append(key)
            item = QListWidgetItem(self.tr(title))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.navigation.addItem(item)
        self.navigation.currentRowChanged.connect(self._show_row)

        self.banner = QLabel()
        self.banner.setAccessibleName(self.tr("Read-only notice"))
        self.banner.setStyleSheet("background:#9a3412;color:white;padding:6px;font-weight:bold")
        self.banner.setVisible(context.read_only)
        self.banner.setText(self.tr(
            "Read-only: another MTCR Desk window has this database open for writing. "
            "You can read everything; to change anything, close the other window first."))

        #: The amber notice of the training sandbox (hidden in any other database).
        self.training_banner = QLabel(self.tr(TRAINING_BANNER))
        self.training_banner.setObjectName("training_banner")
        self.training_banner.setAccessibleName(self.tr("Training notice"))
        self.training_banner.setStyleSheet(TRAINING_BANNER_STYLE)
        self.training_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.training_banner.setVisible(context.training)

        body = QHBoxLayout()
        body.addWidget(self.navigation)
        body.addWidget(self.stack, stretch=1)
        layout = QVBoxLayout()
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.training_banner)
        layout.addWidget(self.banner)
        layout.addLayout(body)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)

        # One undo stack per open case; Edit > Undo/Redo follow the case in front.
        self.undo_group = QUndoGroup(self)
        self._build_menus()
        self._connect_undo_actions()
        self._build_status_bar()
        self.navigation.setCurrentRow(0)
        self._restore_view_state()

    # --- pages -------------------------------------------------------------------------

    def _default_page(self, key: str) -> QWidget:
        if key == "cases":
            return CasesPage(self.context)
        if key == "control_list":
            # Imported here: the browser is only needed once the page is opened.
            from mtcr_desk.ui.views.control_list_browser import ControlListBrowser

            return ControlListBrowser(self.context)
        if key == "users":
            from mtcr_desk.ui.views.users_view import UsersView

            return UsersView(self.context)
        if key == "reference":
            from mtcr_desk.ui.views.reference_view import ReferenceView

            return ReferenceView(self.context)
        if key == "training":
            from mtcr_desk.ui.training.training_page import TrainingPage

            page = TrainingPage(self.context)
            page.open_case_requested.connect(self.open_case)
            return page
        raise KeyError(key)

    def open_case(self, reference: str):
        """Show a case in its workspace on the Cases page; return the workspace."""
        self.show_page("cases")
        page = self.page("cases")
        page.case_list.refresh()
        return page.open_case(reference)

    def page(self, key: str) -> QWidget:
        """Return a page, building it on first use."""
        if key not in self.pages:
            index = self._page_keys.index(key)
            placeholder = self.stack.widget(index)
            page = self._default_page(key)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[key] = page
            if key == "cases":
                self._connect_cases_page()
        return self.pages[key]

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self._page_keys):
            self.page(self._page_keys[row])
            self.stack.setCurrentIndex(row)

    def show_page(self, key: str) -> None:
        """Switch to a navigation page by key (ignored when the user may not see it)."""
        if key in self._page_keys:
            self.navigation.setCurrentRow(self._page_keys.index(key))

    # --- menus, toolbar, status bar ----------------------------------------------------

    def _build_menus(self) -> None:
        a = self.actions_by_id
        menus = (
            (self.tr("&File"), (ActionId.NEW_CASE, ActionId.OPEN_CASE, None,
                                ActionId.IMPORT_CASE, ActionId.EXPORT_CASE, None, ActionId.SAVE,
                                ActionId.PRINT, ActionId.EXPORT_MEMO, ActionId.EXPORT_MEMOS,
                                None, ActionId.SIGN_OUT, ActionId.QUIT)),
            (self.tr("&Edit"), (ActionId.UNDO, ActionId.REDO, None, ActionId.FIND)),
            (self.tr("&Go"), (ActionId.GO_CASES, ActionId.GO_CONTROL_LIST, ActionId.GO_USERS,
                              ActionId.GO_REFERENCE)),
            (self.tr("&Case"), (ActionId.CLASSIFY, ActionId.DRAFT_DECISION,
                                ActionId.COUNTERSIGN, None, ActionId.CLOSE_TAB)),
            (self.tr("&Tools"), (ActionId.IMPORT_EDITION, None, ActionId.VERIFY,
                                 ActionId.BACKUP_NOW, None, ActionId.OFFICE_SETTINGS)),
            (self.tr("&Help"), (ActionId.ABOUT,)),
        )
        for title, items in menus:
            menu = self.menuBar().addMenu(title)
            for action_id in items:
                if action_id is None:
                    menu.addSeparator()
                else:
                    menu.addAction(a[action_id])
        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action_id in (ActionId.NEW_CASE, ActionId.OPEN_CASE, ActionId.UNDO, ActionId.REDO,
                          ActionId.FIND, ActionId.CLASSIFY, ActionId.DRAFT_DECISION,
                          ActionId.COUNTERSIGN):
            toolbar.addAction(a[action_id])

        a[ActionId.QUIT].triggered.connect(self.close)
        a[ActionId.SIGN_OUT].triggered.connect(self._sign_out)
        a[ActionId.GO_CASES].triggered.connect(lambda: self.show_page("cases"))
        a[ActionId.GO_CONTROL_LIST].triggered.connect(lambda: self.show_page("control_list"))
        a[ActionId.GO_USERS].triggered.connect(lambda: self.show_page("users"))
        a[ActionId.GO_REFERENCE].triggered.connect(lambda: self.show_page("reference"))
        a[ActionId.VERIFY].triggered.connect(self.verify_audit_chain)
        a[ActionId.BACKUP_NOW].triggered.connect(self.back_up_now)
        a[ActionId.OFFICE_SETTINGS].triggered.connect(self.office_settings)
        a[ActionId.FIND].triggered.connect(self._find)
        a[ActionId.ABOUT].triggered.connect(self._about)
        is_admin = self.context.user is not None and \
            self.context.user.role is Role.ADMINISTRATOR
        a[ActionId.GO_USERS].setEnabled(is_admin)
        a[ActionId.GO_REFERENCE].setEnabled(is_admin)
        for action_id in (ActionId.NEW_CASE, ActionId.SAVE, ActionId.CLASSIFY,
                          ActionId.DRAFT_DECISION, ActionId.COUNTERSIGN):
            a[action_id].setEnabled(self.context.may_write)
        a[ActionId.IMPORT_CASE].triggered.connect(self.import_case_file)
        a[ActionId.EXPORT_CASE].triggered.connect(self.export_case_file)
        a[ActionId.IMPORT_EDITION].triggered.connect(self.import_edition)
        a[ActionId.IMPORT_EDITION].setVisible(is_admin)
        a[ActionId.IMPORT_EDITION].setEnabled(is_admin and self.context.may_write)
        a[ActionId.IMPORT_CASE].setEnabled(self.context.may_write)

    def _connect_undo_actions(self) -> None:
        a = self.actions_by_id
        a[ActionId.UNDO].triggered.connect(self.undo_group.undo)
        a[ActionId.REDO].triggered.connect(self.undo_group.redo)
        a[ActionId.UNDO].setEnabled(False)
        a[ActionId.REDO].setEnabled(False)
        self.undo_group.canUndoChanged.connect(self._can_undo_changed)
        self.undo_group.canRedoChanged.connect(self._can_redo_changed)
        self.undo_group.undoTextChanged.connect(self._undo_text_changed)
        self.undo_group.redoTextChanged.connect(self._redo_text_changed)

    def _connect_cases_page(self) -> None:
        a = self.actions_by_id
        page = self.pages.get("cases")
        if not isinstance(page, CasesPage):
            return
        page.workspace_opened.connect(lambda workspace: self.undo_group.addStack(
            workspace.undo_stack))
        page.workspace_closed.connect(lambda workspace: self.undo_group.removeStack(
            workspace.undo_stack))
        page.current_workspace_changed.connect(
            lambda workspace: self.undo_group.setActiveStack(
                workspace.undo_stack if workspace is not None else None))
        a[ActionId.OPEN_CASE].triggered.connect(page.open_selected)
        a[ActionId.CLOSE_TAB].triggered.connect(page.close_current)
        a[ActionId.CLASSIFY].triggered.connect(lambda: self._on_workspace("classify"))
        a[ActionId.DRAFT_DECISION].triggered.connect(lambda: self._on_workspace("draft"))
        a[ActionId.COUNTERSIGN].triggered.connect(
            lambda: self._on_workspace("show_page", "decision"))
        a[ActionId.PRINT].triggered.connect(self.print_memo)
        a[ActionId.EXPORT_MEMO].triggered.connect(self.export_memo)
        a[ActionId.EXPORT_MEMOS].triggered.connect(self.export_memos)

    # The undo group may still signal while the window is being torn down, after its
    # actions are gone: each slot checks that its action is still alive.

    def _can_undo_changed(self, can: bool) -> None:
        action = self.actions_by_id[ActionId.UNDO]
        if isValid(action):
            action.setEnabled(can)

    def _can_redo_changed(self, can: bool) -> None:
        action = self.actions_by_id[ActionId.REDO]
        if isValid(action):
            action.setEnabled(can)

    def _undo_text_changed(self, text: str) -> None:
        action = self.actions_by_id[ActionId.UNDO]
        if isValid(action):
            action.setText(self.tr("&Undo ") + text if text else self.tr("&Undo"))

    def _redo_text_changed(self, text: str) -> None:
        action = self.actions_by_id[ActionId.REDO]
        if isValid(action):
            action.setText(self.tr("&Redo ") + text if text else self.tr("&Redo"))

    def _on_workspace(self, method: str, *args) -> None:
        """Run a workspace action on the case in front, if a case is in front."""
        page = self.pages.get("cases")
        workspace = page.current_workspace() if isinstance(page, CasesPage) else None
        if workspace is not None:
            self.show_page("cases")
            getattr(workspace, method)(*args)

    def _build_status_bar(self) -> None:
        user = self.context.user
        self.user_label = QLabel(f"{user.display_name} ({user.role.value})" if user
                                 else self.tr("not signed in"))
        self.database_label = QLabel(str(self.context.database_path)
                                     + (self.tr(" — demo") if self.context.demo else ""))
        if self.context.training:
            # The status bar says it too: the banner may be scrolled out of a screenshot.
            training_label = QLabel(self.tr("TRAINING SANDBOX"))
            training_label.setObjectName("training_status")
            training_label.setAccessibleName(self.tr("Training sandbox"))
            training_label.setStyleSheet(TRAINING_BANNER_STYLE)
            self.statusBar().addPermanentWidget(training_label)
        self.edition_label = QLabel(self.tr("Default edition: ")
                                    + self.context.control_list.default_edition())
        self.audit_label = QLabel()
        for label, name in ((self.user_label, "Signed-in user"),
                            (self.database_label, "Database file"),
                            (self.edition_label, "Default edition"),
                            (self.audit_label, "Audit chain state")):
            label.setAccessibleName(self.tr(name))
            self.statusBar().addPermanentWidget(label)
        self._show_audit_state()

    def _show_audit_state(self) -> None:
        self.audit_label.setText(self.tr("Audit: ") + self.context.audit_state)

    def office_settings(self) -> None:
        """Tools > Office settings (administrators change them; others read them)."""
        from mtcr_desk.ui.dialogs.office_settings import OfficeSettingsDialog

        OfficeSettingsDialog(self.context, self).exec()

    def back_up_now(self) -> Path | None:
        """Tools > Back up now: a verified backup off the GUI thread; return its file."""
        from mtcr_desk.services import backup
        from mtcr_desk.services.settings import load_settings

        folder = backup.backup_folder(load_settings(self.context.store),
                                      self.context.database_path)
        source = self.context.database_path

        def job(progress, _cancelled):
            progress(0, 0)
            # A path, not the GUI's connection: the backup opens its own on this thread.
            return backup.create_backup(source, folder=folder, kind=backup.MANUAL)

        try:
            result = run_in_background(self, self.tr("Backing up…"), job)
        except (MtcrDeskError, OSError) as error:
            show_refusal(self, error)
            return None
        self.statusBar().showMessage(self.tr("Backup written: ") + str(result.path), 15_000)
        return result.path

    def verify_audit_chain(self) -> None:
        """Recompute the audit chain off the GUI thread and show the result."""
        result = verify_in_background(self, self.context)
        if result is None:
            return  # the refusal has been shown
        self.context.audit_state = audit_check.describe(result)
        self._show_audit_state()
        box = QMessageBox.information if result.ok else QMessageBox.critical
        box(self, self.tr("Audit chain"), audit_check.describe(result, long=True))

    def import_edition(self) -> None:
        """Tools > Import control-list edition (administrators; runs off the GUI thread)."""
        from mtcr_desk.ui.dialogs.import_edition import import_edition

        edition_id = import_edition(self, self.context)
        if edition_id is not None:
            self.statusBar().showMessage(self.tr("Loaded edition ") + edition_id, 10_000)

    def import_case_file(self) -> None:
        """File > Import case file: the new case opens in a tab."""
        from mtcr_desk.ui.dialogs.case_files import import_case_file

        reference = import_case_file(self, self.context)
        if reference is not None:
            self.show_page("cases")
            page = self.page("cases")
            page.case_list.refresh()
            page.open_case(reference)

    def export_case_file(self) -> None:
        """File > Export case file: the case in front, or the first one selected."""
        from mtcr_desk.ui.dialogs.case_files import export_case_file

        page = self.pages.get("cases")
        if not isinstance(page, CasesPage):
            return
        workspace = page.current_workspace()
        references = [workspace.reference] if workspace else page.case_list.selected_references()
        if references:
            path = export_case_file(self, self.context, references[0])
            if path is not None:
                self.statusBar().showMessage(self.tr("Wrote ") + str(path), 10_000)

    def _memo_target(self):
        """The workspace whose memo File > Print/Export means: the case in front, else the
        first case selected in the list (opened for the purpose)."""
        page = self.pages.get("cases")
        if not isinstance(page, CasesPage):
            return None
        workspace = page.current_workspace()
        if workspace is None:
            references = page.case_list.selected_references()
            if not references:
                self.statusBar().showMessage(self.tr("Open or select a case first"), 5_000)
                return None
            workspace = page.open_case(references[0])
        self.show_page("cases")
        return workspace

    def print_memo(self) -> None:
        """File > Print memo: the memo of the case in front, through the print dialog."""
        workspace = self._memo_target()
        if workspace is not None:
            workspace.print_memo()

    def export_memo(self) -> None:
        """File > Export memo PDF: the memo of the case in front, to a file."""
        workspace = self._memo_target()
        if workspace is not None:
            workspace.show_page("memo")
            workspace.memo.export_pdf()

    def export_memos(self) -> None:
        """File > Export memos of selected cases: one PDF per case into a folder."""
        from mtcr_desk.ui.views.memo_page import export_memos_of_cases

        page = self.pages.get("cases")
        if not isinstance(page, CasesPage):
            return
        self.show_page("cases")
        references = page.case_list.selected_references()
        if not references:
            self.statusBar().showMessage(self.tr("Select the cases in the list first"), 5_000)
            return
        export_memos_of_cases(self, self.context, references)

    def _sign_out(self) -> None:
        self.signed_out = True
        self.sign_out_requested.emit()
        self.close()

    def _find(self) -> None:
        """Ctrl+F: the search box of the page in front."""
        page = self.stack.currentWidget()
        focus_search = getattr(page, "focus_search", None)
        if focus_search is not None:
            focus_search()

    def _about(self) -> None:
        QMessageBox.about(self, APP_NAME, f"{APP_NAME} {__version__}\n"
                          + self.tr("Licence-review desk for the MTCR control list. "
                                    "Works without any network."))

    # --- window state ------------------------------------------------------------------

    def _restore_view_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        state = settings.value("main_window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        super().closeEvent(event)
