"""The Cases page: the case list as the first tab, one workspace tab per open case."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from mtcr_desk.ui.context import AppContext


class CasesPage(QWidget):
    """Case list plus the open cases, each in its own tab with its own undo stack."""

    #: Emitted when the current workspace changes (None: the list is showing).
    current_workspace_changed = Signal(object)
    #: Emitted with each newly opened workspace (the main window adds its undo stack).
    workspace_opened = Signal(object)
    #: Emitted with a workspace whose tab was closed.
    workspace_closed = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        # Imported here: the workspace and browser are only needed once a case opens.
        from mtcr_desk.ui.views.case_list_view import CaseListView

        self.context = context
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Open cases"))
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.case_list = CaseListView(context)
        self.tabs.addTab(self.case_list, self.tr("All cases"))
        # The list tab is never closed.
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._emit_current)
        self.case_list.case_opened.connect(self.open_case)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def workspaces(self) -> list:
        """The open workspaces, in tab order."""
        return [self.tabs.widget(i) for i in range(1, self.tabs.count())]

    def current_workspace(self):
        """The workspace in the current tab, or None on the list."""
        return self.tabs.currentWidget() if self.tabs.currentIndex() > 0 else None

    def open_case(self, reference: str):
        """Show a case's workspace, opening it when it is not open yet; return it."""
        from mtcr_desk.ui.views.case_workspace import CaseWorkspace
        from mtcr_desk.ui.views.control_list_browser import pick_entries

        for index, workspace in enumerate(self.workspaces(), start=1):
            if workspace.reference == reference:
                self.tabs.setCurrentIndex(index)
                return workspace
        workspace = CaseWorkspace(
            self.context, reference,
            pick_entries=lambda edition_id: pick_entries(self.context, edition_id, self))
        index = self.tabs.addTab(workspace, workspace.title())
        workspace.title_changed.connect(lambda _title, w=workspace: self._retitle(w))
        workspace.case_changed.connect(lambda _reference: self.case_list.refresh())
        workspace.open_case_requested.connect(self.open_case)
        self.workspace_opened.emit(workspace)
        self.tabs.setCurrentIndex(index)
        return workspace

    def _retitle(self, workspace) -> None:
        index = self.tabs.indexOf(workspace)
        if index > 0:
            self.tabs.setTabText(index, workspace.title())

    def close_tab(self, index: int) -> None:
        """Close a case tab (the list stays)."""
        if index <= 0:
            return
        workspace = self.tabs.widget(index)
        self.tabs.removeTab(index)
        self.workspace_closed.emit(workspace)
        workspace.deleteLater()

    def close_current(self) -> None:
        """Close the case in front (Ctrl+W)."""
        self.close_tab(self.tabs.currentIndex())

    def open_selected(self) -> None:
        """Open the cases selected in the list (Ctrl+O)."""
        for reference in self.case_list.selected_references():
            self.open_case(reference)

    def focus_search(self) -> None:
        """Ctrl+F on the Cases page: the list's free-text filter."""
        self.tabs.setCurrentIndex(0)
        self.case_list.focus_search()

    def _emit_current(self, _index: int) -> None:
        self.current_workspace_changed.emit(self.current_workspace())
