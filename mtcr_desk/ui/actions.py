"""The one registry of user actions: menus, toolbar and shortcuts are built from it.

Every action has an :class:`ActionId` and one factory entry (text, shortcut,
tip). Windows ask :func:`create_actions` for their QActions and connect them;
nothing else creates menu items, so shortcuts stay unique and documented
(the README's "Keyboard" paragraph lists them).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QStyle


class ActionId(enum.StrEnum):
    """Every action a user can trigger from a menu, the toolbar or a shortcut."""

    NEW_CASE = "new_case"
    OPEN_CASE = "open_case"
    SAVE = "save"
    UNDO = "undo"
    REDO = "redo"
    FIND = "find"
    PRINT = "print"
    QUIT = "quit"
    GO_CASES = "go_cases"
    GO_CONTROL_LIST = "go_control_list"
    GO_USERS = "go_users"
    GO_REFERENCE = "go_reference"
    VERIFY = "verify"
    BACKUP_NOW = "backup_now"
    OFFICE_SETTINGS = "office_settings"
    SIGN_OUT = "sign_out"
    CLASSIFY = "classify"
    DRAFT_DECISION = "draft_decision"
    COUNTERSIGN = "countersign"
    CLOSE_TAB = "close_tab"
    IMPORT_CASE = "import_case"
    EXPORT_CASE = "export_case"
    EXPORT_MEMO = "export_memo"
    EXPORT_MEMOS = "export_memos"
    IMPORT_EDITION = "import_edition"
    ABOUT = "about"


@dataclass(frozen=True)
class ActionSpec:
    """How one action looks: its text, shortcut, tip and icon."""

    text: str
    shortcut: QKeySequence.StandardKey | str | None = None
    tip: str = ""
    #: A standard icon of the style: drawn for the screen's pixel ratio (high DPI).
    icon: QStyle.StandardPixmap | None = None


_Icon = QStyle.StandardPixmap


def _tr(text: str) -> str:
    return QCoreApplication.translate("actions", text)


def action_specs() -> dict[ActionId, ActionSpec]:
    """The factory table: one entry per action."""
    return {
        ActionId.NEW_CASE: ActionSpec(_tr("&New case…"), QKeySequence.StandardKey.New,
                                      _tr("Open a new licence case"),
                                      _Icon.SP_FileIcon),
        ActionId.OPEN_CASE: ActionSpec(_tr("&Open case"), QKeySequence.StandardKey.Open,
                                       _tr("Open the case selected in the list"),
                                       _Icon.SP_DialogOpenButton),
        ActionId.SAVE: ActionSpec(_tr("&Save"), QKeySequence.StandardKey.Save,
                                  _tr("Save the text being edited")),
        ActionId.UNDO: ActionSpec(_tr("&Undo"), QKeySequence.StandardKey.Undo,
                                  icon=_Icon.SP_ArrowBack),
        ActionId.REDO: ActionSpec(_tr("&Redo"), QKeySequence.StandardKey.Redo,
                                  icon=_Icon.SP_ArrowForward),
        ActionId.FIND: ActionSpec(_tr("&Find…"), QKeySequence.StandardKey.Find,
                                  _tr("Search the case list or the control list"),
                                  _Icon.SP_FileDialogContentsView),
        ActionId.PRINT: ActionSpec(_tr("&Print memo…"), QKeySequence.StandardKey.Print,
                                   _tr("Print the decision memo of the case in front")),
        ActionId.EXPORT_MEMO: ActionSpec(_tr("Export &memo PDF…"), "Ctrl+Shift+M",
                                         _tr("Write the memo of the case in front (or selected) "
                                             "to a PDF file")),
        ActionId.EXPORT_MEMOS: ActionSpec(_tr("Export memos of selected &cases…"), None,
                                          _tr("Write the memo of every case selected in the "
                                              "list into a folder")),
        ActionId.QUIT: ActionSpec(_tr("&Quit"), "Ctrl+Q"),
        ActionId.GO_CASES: ActionSpec(_tr("&Cases"), "Ctrl+1", _tr("The case list")),
        ActionId.GO_CONTROL_LIST: ActionSpec(_tr("Control &list"), "Ctrl+2",
                                             _tr("Browse and search the control lists")),
        ActionId.GO_USERS: ActionSpec(_tr("&Users"), "Ctrl+3", _tr("Local user accounts")),
        ActionId.GO_REFERENCE: ActionSpec(_tr("&Reference data"), "Ctrl+4",
                                          _tr("Countries, MTCR partners, UN measures")),
        ActionId.VERIFY: ActionSpec(_tr("&Verify audit chain"), "Ctrl+Shift+V",
                                    _tr("Recompute the audit chain and check every record")),
        ActionId.BACKUP_NOW: ActionSpec(_tr("&Back up now"), None,
                                        _tr("Write a verified backup of the database to the "
                                            "backup folder"), _Icon.SP_DriveHDIcon),
        ActionId.OFFICE_SETTINGS: ActionSpec(_tr("Office &settings…"), None,
                                             _tr("Memo header, paper size and backups")),
        ActionId.SIGN_OUT: ActionSpec(_tr("Sign &out"), "Ctrl+Shift+Q"),
        ActionId.CLASSIFY: ActionSpec(_tr("&Classify item…"), "Ctrl+K",
                                      _tr("Pick control-list entries for the selected item"),
                                      _Icon.SP_FileDialogDetailedView),
        ActionId.DRAFT_DECISION: ActionSpec(_tr("&Draft decision…"), "Ctrl+Shift+D",
                                            icon=_Icon.SP_DialogApplyButton),
        ActionId.COUNTERSIGN: ActionSpec(_tr("Counter&sign…"), "Ctrl+Shift+S",
                                         icon=_Icon.SP_DialogYesButton),
        ActionId.CLOSE_TAB: ActionSpec(_tr("&Close case"), QKeySequence.StandardKey.Close),
        ActionId.ABOUT: ActionSpec(_tr("&About MTCR Desk")),
        ActionId.IMPORT_CASE: ActionSpec(_tr("&Import case file…"), "Ctrl+Shift+I",
                                         _tr("Import a case file as a new case")),
        ActionId.EXPORT_CASE: ActionSpec(_tr("&Export case file…"), "Ctrl+Shift+E",
                                         _tr("Write the case in front (or selected) to a file")),
        ActionId.IMPORT_EDITION: ActionSpec(
            _tr("Import control-list &edition…"), None,
            _tr("Load a new MTCR Annex (PDF, text) or edition JSON")),
    }


def create_actions(parent: QObject) -> dict[ActionId, QAction]:
    """Create one QAction per registered action, owned by ``parent``."""
    actions: dict[ActionId, QAction] = {}
    for action_id, spec in action_specs().items():
        action = QAction(spec.text, parent)
        action.setObjectName(f"action_{action_id.value}")
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
        if spec.icon is not None and QApplication.instance() is not None:
            action.setIcon(QApplication.style().standardIcon(spec.icon))
        actions[action_id] = action
    return actions
