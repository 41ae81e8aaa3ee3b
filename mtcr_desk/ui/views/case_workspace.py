"""The case workspace: one tab per open case, where an officer reviews it.

A header (reference, status and category badges, due date, destination flags)
above seven pages: overview, parties, items (with the assessment panel of the
selected item and its precedents), evaluation (factors a–f), decision (with a
live checklist of the drafting rules), notes and history.

The file follows TagStudio's split: the ``*View``/``*Page`` classes hold only
layout and styling; :class:`CaseWorkspace` is the controller that fills them
from a :class:`~mtcr_desk.domain.cases.Case`, wires their signals and calls the
services. Every edit is a QUndoCommand (:mod:`mtcr_desk.ui.commands`) on this
case's own undo stack; the stack's clean state is the modified marker of
:meth:`CaseWorkspace.title`. Drafting, countersigning, notes and amendments
are not undoable and say so where they are offered.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.cases import (
    FACTOR_DESCRIPTIONS,
    Assessment,
    AssessmentStatus,
    Assurance,
    Case,
    CaseStatus,
    Decision,
    Factor,
    FactorFinding,
    Finding,
    Outcome,
)
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.errors import MtcrDeskError, RulesNotMet
from mtcr_desk.domain.rules import DestinationFlags, RuleFailure
from mtcr_desk.domain.users import Role
from mtcr_desk.services import precedents as precedent_service
from mtcr_desk.services import reference_data
from mtcr_desk.services.autosave import DraftStore
from mtcr_desk.services.case_history import HistoryRow, case_history
from mtcr_desk.ui.autosave import TextAutosaver, offer_recovered_drafts
from mtcr_desk.ui.commands import (
    ApplyPrecedentCommand,
    AssessItemCommand,
    EditDetailsCommand,
    RecordFactorCommand,
)
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.password import ask_password
from mtcr_desk.ui.dialogs.refusal import show_refusal
from mtcr_desk.ui.table_filling import filling
from mtcr_desk.ui.view_state import remember_splitter
from mtcr_desk.ui.views.memo_page import MemoPage

#: The pages in order; each page widget's objectName is its key.
PAGE_KEYS = ("overview", "parties", "items", "evaluation", "decision", "memo", "notes",
             "history")
PAGE_TITLES = ("Overview", "Parties", "Items", "Evaluation", "Decision", "Memo", "Notes",
               "History")

#: Badge colours (background) by case status.
STATUS_COLOURS = {
    CaseStatus.DRAFT: "#4b5563",
    CaseStatus.IN_REVIEW: "#1d4ed8",
    CaseStatus.AWAITING_COUNTERSIGNATURE: "#a16207",
    CaseStatus.DECIDED: "#15803d",
    CaseStatus.RETURNED: "#7c3aed",
    CaseStatus.WITHDRAWN: "#374151",
}
CATEGORY_COLOURS = {Category.I: "#b91c1c", Category.II: "#c2410c", None: "#6b7280"}
WARNING_STYLE = "background:#fff7ed;color:#9a3412;border:1px solid #fdba74;padding:4px"
NOTICE_STYLE = "background:#eff6ff;color:#1e3a8a;border:1px solid #bfdbfe;padding:4px"
CHIP_STYLE = ("QToolButton{background:#e0e7ff;color:#1e1b4b;border:1px solid #a5b4fc;"
              "border-radius:10px;padding:2px 8px}"
              "QToolButton:focus{border:2px solid #1d4ed8}"
              "QToolButton:disabled{background:#f3f4f6;color:#7b8494;border-color:#d1d5db}")

# Items table columns.
ITEM_COLUMNS = ("Line", "Description", "Quantity", "Status", "Entries", "Category")
COL_LINE, COL_DESCRIPTION, COL_QUANTITY, COL_STATUS, COL_ENTRIES, COL_CATEGORY = range(6)
# Precedents table columns.
PRECEDENT_COLUMNS = ("Precedent", "Item", "Assessed as", "Applies")
# History table columns.
HISTORY_COLUMNS = ("When (UTC)", "Who", "Action", "Record", "What changed")

#: The drafting rules of :func:`mtcr_desk.domain.rules.check_draft`, by rule name, in the
#: order the checklist shows them, with when each applies (see :meth:`_relevant_rules`).
CHECKLIST_RULES = (
    ("case open for drafting", "Case open for drafting"),
    ("drafter role", "Drafted by an officer"),
    ("items", "The case has items"),
    ("every item assessed", "Every item assessed"),
    ("every factor found", "A finding on every factor (a–f)"),
    ("destination flags acknowledged", "Destination flags acknowledged"),
    ("decision rationale", "Decision rationale written"),
    ("conditions", "At least one condition"),
    ("conditions only with conditional approval", "Conditions only with conditional approval"),
    ("denial grounds", "A factor of concern for a denial"),
    ("end-user statement", "End-user statement on file"),
    ("government assurances", "The three government assurances"),
    ("presumption of denial", "Presumption of denial acknowledged"),
    ("no Category I production facilities", "No Category I production facility approved"),
)
#: Characters of one value shown in the history table (the tooltip has all of it).
HISTORY_VALUE_LIMIT = 160


def _tr(text: str) -> str:
    return QCoreApplication.translate("CaseWorkspace", text)


def _named(widget, name: str):
    """Give a widget its accessible name and return it (keeps the layout code short)."""
    widget.setAccessibleName(name)
    return widget


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rich(label: QLabel) -> QLabel:
    """Always rich text: every value put into it is escaped (never guessed by Qt)."""
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _plain(label: QLabel) -> QLabel:
    """Always plain text: user data shows as typed, markup included."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _selectable(label: QLabel) -> QLabel:
    # Mouse only: a keyboard-selectable label becomes a tab stop with a caret.
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _text_edit(name: str, *, lines: int = 4) -> QPlainTextEdit:
    """A plain-text editor where Tab moves on (keyboard users) and ``lines`` lines show."""
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    height = edit.fontMetrics().lineSpacing() * lines + 12
    edit.setMinimumHeight(min(height, 48))
    edit.setMaximumHeight(max(height, 48))
    return edit


def _table(columns: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels([_tr(c) for c in columns])
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table: keyboard users move on
    table.verticalHeader().setVisible(False)
    table.setWordWrap(True)
    return table


def _cell(text: str, *, tip: str | None = None, align_right: bool = False) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setToolTip(tip if tip is not None else text)
    if align_right:
        cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return cell


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _time(iso: str | None) -> str:
    """An ISO time as "YYYY-MM-DD HH:MM" (UTC as stored)."""
    if not iso:
        return ""
    return iso[:16].replace("T", " ")


# --- views: layout and styling only ----------------------------------------------------


class Badge(QLabel):
    """A coloured, rounded label for a status or a category."""

    def set_badge(self, text: str, colour: str) -> None:
        self.setText(text)
        self.setAccessibleName(text)
        self.setStyleSheet(f"background:{colour};color:white;border-radius:9px;"
                           "padding:2px 10px;font-weight:bold")


class HeaderView(QFrame):
    """Reference, badges, due date, edition, undo/redo and amend; flags and notices below."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.reference_label = _plain(_selectable(_named(QLabel(), self.tr("Case reference"))))
        font = self.reference_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.reference_label.setFont(font)
        self.status_badge = Badge()
        self.category_badge = Badge()
        self.due_label = _named(QLabel(), self.tr("Due date"))
        self.edition_label = _named(QLabel(), self.tr("Pinned edition"))
        self.edition_label.setStyleSheet("color:#7b8494")
        self.undo_button = _named(QToolButton(), self.tr("Undo the last edit"))
        self.redo_button = _named(QToolButton(), self.tr("Redo the edit undone"))
        self.amend_button = _named(QPushButton(self.tr("Amend…")),
                                   self.tr("Amend this final case"))
        self.flags_label = _plain(_selectable(_named(QLabel(), self.tr("Destination flags"))))
        self.flags_label.setWordWrap(True)
        self.notice_label = _rich(_selectable(_named(QLabel(), self.tr("Case notice"))))
        self.notice_label.setWordWrap(True)
        self.notice_label.setOpenExternalLinks(False)
        self.notice_label.setTextInteractionFlags(
            self.notice_label.textInteractionFlags()
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)

        top = QHBoxLayout()
        top.setSpacing(10)
        for widget in (self.reference_label, self.status_badge, self.category_badge,
                       self.due_label, self.edition_label):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (self.undo_button, self.redo_button, self.amend_button):
            top.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.flags_label)
        layout.addWidget(self.notice_label)


class OverviewPage(QWidget):
    """The application as received (left) and the review details an officer edits (right)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.facts = {}
        facts_box = QGroupBox(self.tr("Application"))
        facts_layout = QVBoxLayout(facts_box)
        form = QFormLayout()
        facts_layout.addLayout(form)
        facts_layout.addStretch(1)
        for key, title in (("applicant", "Applicant"), ("destination", "Destination"),
                           ("received", "Received"), ("due", "Due"), ("officer", "Officer"),
                           ("edition", "Pinned edition"), ("amends", "Amends"),
                           ("amended_by", "Amended by"), ("created", "Opened")):
            label = _rich(_selectable(_named(QLabel(), self.tr(title))))
            label.setWordWrap(True)
            self.facts[key] = label
            form.addRow(self.tr(title) + ":", label)
        for key in ("amends", "amended_by"):  # links open the linked case
            self.facts[key].setTextInteractionFlags(
                self.facts[key].textInteractionFlags()
                | Qt.TextInteractionFlag.LinksAccessibleByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)

        details_box = QGroupBox(self.tr("Review details"))
        details_layout = QVBoxLayout(details_box)
        details = QFormLayout()
        details_layout.addLayout(details)
        details_layout.addStretch(1)
        self.end_use = _text_edit(self.tr("End use"), lines=5)
        self.end_user_statement = _named(QLineEdit(), self.tr("End-user statement"))
        self.end_user_statement.setPlaceholderText(
            self.tr("Reference of the end-user statement on file"))
        self.assurances: dict[Assurance, QCheckBox] = {}
        assurance_box = QVBoxLayout()
        for assurance in Assurance:
            box = _named(QCheckBox(_tr(assurance.value)),
                         self.tr("Assurance: ") + _tr(assurance.value))
            self.assurances[assurance] = box
            assurance_box.addWidget(box)
        self.save_button = _named(QPushButton(self.tr("&Save details")),
                                  self.tr("Save the review details"))
        self.revert_button = _named(QPushButton(self.tr("Re&vert")),
                                    self.tr("Discard changes to the review details"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        details.addRow(self.tr("End use:"), self.end_use)
        details.addRow(self.tr("End-user statement:"), self.end_user_statement)
        details.addRow(self.tr("Government assurances:"), assurance_box)
        details.addRow(buttons)

        layout = QHBoxLayout(self)
        layout.addWidget(facts_box, stretch=1)
        layout.addWidget(details_box, stretch=1)


class PartiesPage(QWidget):
    """The parties to the transfer (read only)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = _table(("Role", "Name", "Address", "Country"), self.tr("Parties"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)


class EntryChips(QWidget):
    """Entry codes as chips; each chip is a button that removes its entry."""

    removed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._codes: list[str] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.placeholder = _named(QLabel(self.tr("no entries")), self.tr("No entries"))
        self.placeholder.setStyleSheet("color:#6b7280")
        self._layout.addWidget(self.placeholder)
        self._layout.addStretch(1)
        self.chips: dict[str, QToolButton] = {}
        self._removable = True
        #: Keyboard order: the chips come after ``tab_after`` and before ``tab_before``
        #: (new widgets would otherwise go to the end of the window's tab chain).
        self.tab_after: QWidget | None = None
        self.tab_before: QWidget | None = None

    def set_removable(self, removable: bool) -> None:
        """Enable the chips (with a ✕) or show them as plain, disabled labels."""
        self._removable = removable
        for code, chip in self.chips.items():
            chip.setEnabled(removable)
            chip.setText(f"{code}  ✕" if removable else code)

    def codes(self) -> list[str]:
        return list(self._codes)

    def set_codes(self, codes: Sequence[str]) -> None:
        self._codes = list(dict.fromkeys(codes))
        for chip in self.chips.values():
            self._layout.removeWidget(chip)
            chip.hide()  # out of sight and out of the tab chain at once
            chip.setParent(None)
            chip.deleteLater()
        self.chips = {}
        for index, code in enumerate(self._codes):
            chip = QToolButton()
            chip.setText(f"{code}  ✕" if self._removable else code)
            chip.setEnabled(self._removable)
            chip.setStyleSheet(CHIP_STYLE)
            chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            chip.setAccessibleName(self.tr("Remove entry %1").replace("%1", code))
            chip.setToolTip(self.tr("Remove %1 from the assessment").replace("%1", code))
            chip.clicked.connect(lambda _checked=False, c=code: self.removed.emit(c))
            self._layout.insertWidget(1 + index, chip)
            chip.show()  # at once (a layout shows new children later): Tab reaches it now
            self.chips[code] = chip
        self.placeholder.setVisible(not self._codes)
        chain = [self.tab_after, *self.chips.values(), self.tab_before]
        chain = [widget for widget in chain if widget is not None]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)


class ItemsPage(QWidget):
    """The items table above the assessment panel of the selected item and its precedents."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = _table(ITEM_COLUMNS, self.tr("Items"))
        self.table.setWordWrap(False)  # one line per item; the tooltip has the rest
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        row_height = self.table.fontMetrics().height() + 10
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        self.table.setMinimumHeight(header.sizeHint().height() + 3 * row_height + 4)

        # Assessment of the selected item.
        self.assessment_box = QGroupBox(self.tr("Assessment"))
        self.item_label = _rich(_selectable(_named(QLabel(), self.tr("Selected item"))))
        self.item_label.setWordWrap(True)
        self.status_group = QButtonGroup(self)
        self.status_buttons: dict[AssessmentStatus, QRadioButton] = {}
        status_row = QHBoxLayout()
        for status, text in ((AssessmentStatus.CONTROLLED, "C&ontrolled"),
                             (AssessmentStatus.NOT_CONTROLLED, "&Not controlled"),
                             (AssessmentStatus.CATCH_ALL, "Not listed – c&atch-all concern")):
            button = _named(QRadioButton(self.tr(text)),
                            self.tr("Assessment: ") + _tr(status.value))
            self.status_group.addButton(button)
            self.status_buttons[status] = button
            status_row.addWidget(button)
        status_row.addStretch(1)
        self.chips = EntryChips()
        self.chips_scroll = QScrollArea()
        self.chips_scroll.setWidget(self.chips)
        self.chips_scroll.setWidgetResizable(True)
        self.chips_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.chips_scroll.setFixedHeight(self.chips.sizeHint().height() + 12)
        self.chips_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chips_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.classify_button = _named(QPushButton(self.tr("C&lassify…")),
                                      self.tr("Classify: pick control-list entries"))
        self.chips.tab_after = self.status_buttons[AssessmentStatus.CATCH_ALL]
        self.chips.tab_before = self.classify_button
        entries_row = QHBoxLayout()
        entries_row.addWidget(self.chips_scroll, stretch=1)
        entries_row.addWidget(self.classify_button)
        self.category_combo = _named(QComboBox(), self.tr("MTCR category"))
        self.category_combo.addItem(self.tr("— choose —"), None)
        self.category_combo.addItem(self.tr("Category I"), "I")
        self.category_combo.addItem(self.tr("Category II"), "II")
        self.category_label = _named(QLabel(), self.tr("MTCR category of the item"))
        category_row = QHBoxLayout()
        category_row.addWidget(self.category_combo)
        category_row.addWidget(self.category_label, stretch=1)
        self.rationale = _text_edit(self.tr("Assessment rationale"), lines=4)
        self.rationale.setMaximumHeight(16_777_215)  # takes the room the panel has
        self.assessed_label = _plain(_named(QLabel(), self.tr("Assessed by")))
        self.assessed_label.setStyleSheet("color:#7b8494")
        self.assessed_label.setWordWrap(True)
        self.record_button = _named(QPushButton(self.tr("&Record assessment")),
                                    self.tr("Record the assessment"))
        self.revert_button = _named(QPushButton(self.tr("Re&vert")),
                                    self.tr("Discard changes to the assessment"))
        form = QFormLayout(self.assessment_box)
        form.addRow(self.item_label)
        form.addRow(self.tr("Finding:"), status_row)
        form.addRow(self.tr("Entries:"), entries_row)
        form.addRow(self.tr("Category:"), category_row)
        form.addRow(self.tr("Rationale:"), self.rationale)
        buttons = QHBoxLayout()
        buttons.addWidget(self.assessed_label, stretch=1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.record_button)
        form.addRow(buttons)

        # Precedents for the selected item.
        self.precedents_box = QGroupBox(self.tr("Precedents"))
        self.precedents = _table(PRECEDENT_COLUMNS, self.tr("Precedents"))
        self.precedents.setWordWrap(False)
        self.precedents.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.precedents.verticalHeader().setDefaultSectionSize(row_height)
        pheader = self.precedents.horizontalHeader()
        pheader.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        pheader.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        pheader.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        pheader.resizeSection(2, 140)
        self.precedent_detail = _rich(_selectable(_named(QLabel(),
                                                          self.tr("Precedent detail"))))
        self.precedent_detail.setWordWrap(True)
        self.precedent_detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.precedent_detail.setSizePolicy(QSizePolicy.Policy.Preferred,
                                            QSizePolicy.Policy.Minimum)
        self.apply_button = _named(QPushButton(self.tr("A&pply precedent")),
                                   self.tr("Apply the selected precedent to the item"))
        precedents_layout = QVBoxLayout(self.precedents_box)
        precedents_layout.addWidget(self.precedents, stretch=1)
        precedents_layout.addWidget(self.precedent_detail)
        apply_row = QHBoxLayout()
        apply_row.addStretch(1)
        apply_row.addWidget(self.apply_button)
        precedents_layout.addLayout(apply_row)

        lower = QWidget()
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.assessment_box, stretch=1)
        lower_layout.addWidget(self.precedents_box, stretch=1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([self.table.minimumHeight() + row_height, 10_000])
        self.splitter.setChildrenCollapsible(False)
        remember_splitter(self.splitter, "case_workspace/items_splitter")
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)


class FactorRow:
    """The widgets of one factor on the evaluation page."""

    def __init__(self, factor: Factor, parent: QWidget):
        tr = parent.tr
        self.factor = factor
        self.letter = QLabel(f"<b>({factor.value})</b>")
        self.description = QLabel(_tr(FACTOR_DESCRIPTIONS[factor]))
        self.description.setWordWrap(True)
        self.finding = _named(QComboBox(), tr("Finding on factor %1").replace("%1", factor.value))
        self.finding.addItem(tr("— not recorded —"), None)
        for finding in Finding:
            self.finding.addItem(_tr(finding.value), finding)
        self.note = _text_edit(tr("Note on factor %1").replace("%1", factor.value), lines=2)
        self.note.setPlaceholderText(tr("Why (optional)"))
        self.record_button = _named(QPushButton(tr("Record")),
                                    tr("Record factor %1").replace("%1", factor.value))
        self.recorded_label = _named(QLabel(), tr("Factor %1 recorded by").replace(
            "%1", factor.value))
        self.recorded_label.setStyleSheet("color:#7b8494")
        self.recorded_label.setWordWrap(True)


class EvaluationPage(QWidget):
    """The six MTCR factors, each with a finding, a note and its own Record button."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 4)
        grid.setVerticalSpacing(8)
        for column, title in enumerate(("", "Factor", "Finding", "Note", "", "Recorded")):
            if title:
                grid.addWidget(QLabel(f"<b>{self.tr(title)}</b>"), 0, column)
        self.rows: dict[Factor, FactorRow] = {}
        for index, factor in enumerate(Factor, start=1):
            row = FactorRow(factor, self)
            self.rows[factor] = row
            grid.addWidget(row.letter, index, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row.description, index, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row.finding, index, 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row.note, index, 3)
            grid.addWidget(row.record_button, index, 4, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row.recorded_label, index, 5, Qt.AlignmentFlag.AlignTop)
        grid.setColumnMinimumWidth(5, 120)
        grid.setRowStretch(len(Factor) + 1, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(inner)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)


class DecisionPage(QWidget):
    """The decision form, countersignature and the live checklist of the drafting rules."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.current_label = _rich(_selectable(_named(QLabel(), self.tr("Current decision"))))
        self.current_label.setWordWrap(True)
        self.current_label.setStyleSheet(NOTICE_STYLE)

        self.form_box = QGroupBox(self.tr("Decision"))
        form = QFormLayout(self.form_box)
        self.outcome = _named(QComboBox(), self.tr("Outcome"))
        for outcome in Outcome:
            self.outcome.addItem(_tr(outcome.value), outcome)
        self.conditions = _named(QListWidget(), self.tr("Conditions"))
        self.conditions.setMaximumHeight(84)
        self.condition_edit = _named(QLineEdit(), self.tr("New condition"))
        self.condition_edit.setPlaceholderText(self.tr("Type a condition, then Add"))
        self.add_condition = _named(QPushButton(self.tr("&Add")), self.tr("Add the condition"))
        self.remove_condition = _named(QPushButton(self.tr("Re&move")),
                                       self.tr("Remove the selected condition"))
        condition_row = QHBoxLayout()
        condition_row.addWidget(self.condition_edit, stretch=1)
        condition_row.addWidget(self.add_condition)
        condition_row.addWidget(self.remove_condition)
        conditions_layout = QVBoxLayout()
        conditions_layout.addWidget(self.conditions)
        conditions_layout.addLayout(condition_row)
        self.rationale = _text_edit(self.tr("Decision rationale"), lines=8)
        self.presumption = _named(QCheckBox(self.tr(
            "I acknowledge the strong presumption of denial for Category I transfers")),
            self.tr("Acknowledge the presumption of denial"))
        self.acknowledge_flags = _named(QCheckBox(self.tr(
            "I have seen the destination flags (acknowledged when drafting)")),
            self.tr("Acknowledge the destination flags"))
        self.draft_button = _named(QPushButton(self.tr("&Draft decision…")),
                                   self.tr("Draft the decision"))
        draft_note = QLabel(self.tr("Drafting asks for your password again and cannot be "
                                    "undone: the decision then waits for a second officer."))
        draft_note.setWordWrap(True)
        draft_note.setStyleSheet("color:#7b8494")
        draft_row = QHBoxLayout()
        draft_row.addWidget(draft_note, stretch=1)
        draft_row.addWidget(self.draft_button, alignment=Qt.AlignmentFlag.AlignTop)
        draft_note.setMinimumHeight(draft_note.fontMetrics().lineSpacing() * 2 + 4)
        form.addRow(self.tr("Outcome:"), self.outcome)
        form.addRow(self.tr("Conditions:"), conditions_layout)
        form.addRow(self.tr("Rationale:"), self.rationale)
        form.addRow(self.presumption)
        form.addRow(self.acknowledge_flags)
        form.addRow(draft_row)

        self.countersign_box = QGroupBox(self.tr("Countersignature"))
        self.return_comment = _named(QLineEdit(), self.tr("Comment for the drafter"))
        self.return_comment.setPlaceholderText(
            self.tr("Why the decision goes back (needed to return it)"))
        self.agree_button = _named(QPushButton(self.tr("Counter&sign (agree)…")),
                                   self.tr("Countersign the decision"))
        self.return_button = _named(QPushButton(self.tr("&Return to drafter…")),
                                    self.tr("Return the decision to its drafter"))
        countersign_note = QLabel(self.tr("Countersigning asks for your password again and "
                                          "cannot be undone."))
        countersign_note.setWordWrap(True)
        countersign_note.setStyleSheet("color:#7b8494")
        countersign = QGridLayout(self.countersign_box)
        countersign.addWidget(self.return_comment, 0, 0, 1, 3)
        countersign.addWidget(countersign_note, 1, 0)
        countersign.addWidget(self.return_button, 1, 1)
        countersign.addWidget(self.agree_button, 1, 2)
        countersign.setColumnStretch(0, 1)

        left = QVBoxLayout()
        left.addWidget(self.current_label)
        left.addWidget(self.form_box)
        left.addWidget(self.countersign_box)
        left.addStretch(1)

        self.checklist_box = QGroupBox(self.tr("Rules for drafting"))
        self.checklist_summary = _named(QLabel(), self.tr("Checklist summary"))
        self.checklist_summary.setWordWrap(True)
        self.checklist = _named(QListWidget(), self.tr("Checklist of the drafting rules"))
        self.checklist.setWordWrap(True)
        self.checklist.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.checklist.setSpacing(3)
        checklist_layout = QVBoxLayout(self.checklist_box)
        checklist_layout.addWidget(self.checklist_summary)
        checklist_layout.addWidget(self.checklist, stretch=1)

        layout = QHBoxLayout(self)
        layout.addLayout(left, stretch=3)
        layout.addWidget(self.checklist_box, stretch=2)


class NotesPage(QWidget):
    """The case timeline, and a box to add a note (notes are permanent)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.timeline = _named(QTextBrowser(), self.tr("Notes timeline"))
        self.timeline.setOpenLinks(False)
        self.new_note = _text_edit(self.tr("New note"), lines=3)
        self.new_note.setPlaceholderText(self.tr("Write a note for the case file"))
        self.add_button = _named(QPushButton(self.tr("&Add note")),
                                 self.tr("Add the note to the case"))
        hint = QLabel(self.tr("Notes are permanent: adding one cannot be undone."))
        hint.setStyleSheet("color:#7b8494")
        row = QHBoxLayout()
        row.addWidget(hint, stretch=1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.timeline, stretch=1)
        layout.addWidget(self.new_note)
        layout.addLayout(row)


class HistoryPage(QWidget):
    """This case's audit rows, readable."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = _named(QLabel(), self.tr("History summary"))
        self.table = _table(HISTORY_COLUMNS, self.tr("Case history"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(HISTORY_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, stretch=1)


class ReasonDialog(QDialog):
    """Ask for a reason (amending a case)."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.reason = _text_edit(self.tr("Reason"), lines=3)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName(self.tr("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)


def ask_reason(parent: QWidget | None, title: str, prompt: str) -> str | None:
    """Return the reason typed, or None when the user cancels."""
    dialog = ReasonDialog(title, prompt, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason.toPlainText()


# --- the controller --------------------------------------------------------------------


class CaseWorkspace(QWidget):
    """One open case: pages, undo stack and the calls to the services."""

    #: Emitted with the reference after any successful change made here.
    case_changed = Signal(str)
    #: Emitted with :meth:`title` whenever it changes (the modified marker).
    title_changed = Signal(str)
    #: Emitted with a reference the main window should open (an amendment, a linked case).
    open_case_requested = Signal(str)

    def __init__(self, context: AppContext, reference: str, *,
                 pick_entries: Callable[[str], list[str] | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.reference = reference.strip().upper()
        self._pick_entries = pick_entries
        self.case: Case | None = None
        self._flags: DestinationFlags | None = None
        self._edition_has_categories = True
        self._refusals = 0
        self._history_stale = True
        self._memo_stale = True
        self._line: int | None = None  # the item whose assessment the panel shows
        self._assessment_baseline: tuple | None = None
        #: Unsaved assessment forms by line (kept while another item is selected).
        self._assessment_drafts: dict[int, tuple] = {}
        self._details_baseline: tuple | None = None
        self._factor_baselines: dict[Factor, tuple] = {}
        self._precedents: list = []
        #: What the precedents shown were searched for (see _load_precedents).
        self._precedents_searched_for: tuple | None = None
        self._decision_prefilled_for: object = ()
        self._category: Category | None = None
        self._item_categories: dict[int, Category | None] = {}
        self._edition_text = ""
        self.setAccessibleName(self.tr("Case workspace %1").replace("%1", self.reference))

        self.undo_stack = QUndoStack(self)
        self.undo_action = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.redo_action = self.undo_stack.createRedoAction(self, self.tr("&Redo"))

        self.header = HeaderView()
        self.overview = OverviewPage()
        self.parties = PartiesPage()
        self.items = ItemsPage()
        self.evaluation = EvaluationPage()
        self.decision = DecisionPage()
        self.notes = NotesPage()
        self.memo = MemoPage(context)
        self.history = HistoryPage()
        self.pages = QTabWidget()
        self.pages.setAccessibleName(self.tr("Case pages"))
        self.pages.tabBar().setAccessibleName(self.tr("Case pages"))
        self.pages.setDocumentMode(True)
        self.page_widgets: dict[str, QWidget] = {}
        for key, title, page in zip(PAGE_KEYS, PAGE_TITLES,
                                    (self.overview, self.parties, self.items, self.evaluation,
                                     self.decision, self.memo, self.notes, self.history),
                                    strict=True):
            page.setObjectName(key)
            page.setAccessibleName(self.tr(title))
            self.pages.addTab(page, self.tr(title))
            self.page_widgets[key] = page

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(self.pages, stretch=1)

        self._connect()
        self.reload()
        self.autosaver: TextAutosaver | None = None
        if context.may_write and context.user is not None:
            self._start_autosave()

    # --- autosave of text being typed ---------------------------------------------------

    def _start_autosave(self) -> None:
        """Save rationales, factor notes and the new note as drafts every 10 s.

        After a crash or power cut the next opening of the case offers them back.
        """
        self._drafts = DraftStore(self.context.database_path, self.context.user.username)
        saver = TextAutosaver(self._drafts, self.reference, self)
        saver.watch(lambda: None if self._line is None else f"item-{self._line}-rationale",
                    self.items.rationale,
                    committed=lambda: (self._assessment_baseline or ("",) * 4)[3])
        for factor, row in self.evaluation.rows.items():
            saver.watch(f"factor-{factor.value}-note", row.note,
                        committed=lambda f=factor: self._factor_baselines.get(f, (None, ""))[1])
        saver.watch("decision-rationale", self.decision.rationale)
        saver.watch("new-note", self.notes.new_note)
        self.autosaver = saver
        QTimer.singleShot(0, self._offer_drafts)

    def _offer_drafts(self) -> None:
        if not self.may_edit:
            self._hand_back_drafts()
            return
        widgets: dict = {"decision-rationale": self.decision.rationale,
                         "new-note": self.notes.new_note}
        labels = {"decision-rationale": self.tr("decision rationale"),
                  "new-note": self.tr("new note")}
        for factor, row in self.evaluation.rows.items():
            widgets[f"factor-{factor.value}-note"] = row.note
            labels[f"factor-{factor.value}-note"] = self.tr("note on factor %1").replace(
                "%1", factor.value)
        for item in (self.case.items if self.case else ()):
            field = f"item-{item.line}-rationale"
            labels[field] = self.tr("rationale of line %1").replace("%1", str(item.line))
            widgets[field] = lambda text, line=item.line: (
                self.select_item(line), self.items.rationale.setPlainText(text))
        offer_recovered_drafts(self, self._drafts, self.reference, widgets, labels=labels)

    def _hand_back_drafts(self) -> None:
        """Drafts of a case that can no longer be changed: shown for copying, then dropped.

        Put back into the read-only boxes they would pass for the record; kept, they
        would be offered again on every opening.
        """
        drafts = self._drafts.list(self.reference)
        if not drafts:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("Unsaved text recovered"))
        box.setText(self.tr(
            "Text typed on %1 was not recorded before the application closed, and the case "
            "can no longer be changed here (%2). The text is under Show Details for you to "
            "copy; it is then discarded.").replace("%1", self.reference).replace(
            "%2", self.case.status.value if self.case else ""))
        box.setDetailedText("\n\n".join(f"[{draft.field}, {draft.saved_at}]\n{draft.text}"
                                         for draft in drafts))
        box.exec()
        self._drafts.discard_case(self.reference)

    def _draft_committed(self, field: str) -> None:
        if self.autosaver is not None:
            self.autosaver.committed(field)

    # --- public API -------------------------------------------------------------------

    def title(self) -> str:
        """The tab title: the reference, with '*' while there are edits to undo."""
        return self.reference + ("" if self.undo_stack.isClean() else "*")

    def reload(self) -> None:
        """Read the case again from the database and show it."""
        try:
            case = self.context.cases.get(self.reference)
        except MtcrDeskError as error:
            show_refusal(self, error)
            return
        self._show(case)

    def show_page(self, key: str) -> None:
        """Switch to a page by key (``overview`` … ``history``)."""
        self.pages.setCurrentWidget(self.page_widgets[key])

    def select_item(self, line: int) -> None:
        """Select an item on the items page by line number."""
        for row in range(self.items.table.rowCount()):
            if self.items.table.item(row, COL_LINE).data(Qt.ItemDataRole.UserRole) == line:
                self.items.table.selectRow(row)
                return

    @property
    def may_edit(self) -> bool:
        """True when the signed-in user may change the case now (undoable edits)."""
        return (self._case_worker and self.case is not None
                and not self.case.status.is_final
                and self.case.status is not CaseStatus.AWAITING_COUNTERSIGNATURE)

    # --- wiring -----------------------------------------------------------------------

    def _connect(self) -> None:
        header = self.header
        # The buttons keep short texts; their tips say what would be undone or redone.
        header.undo_button.setText(self.tr("↶ Undo"))
        header.redo_button.setText(self.tr("↷ Redo"))
        header.undo_button.clicked.connect(self.undo_action.trigger)
        header.redo_button.clicked.connect(self.redo_action.trigger)
        self.undo_stack.canUndoChanged.connect(header.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(header.redo_button.setEnabled)
        header.undo_button.setEnabled(False)
        header.redo_button.setEnabled(False)
        header.amend_button.clicked.connect(self.amend)
        header.notice_label.linkActivated.connect(self.open_case_requested.emit)
        self.overview.facts["amends"].linkActivated.connect(self.open_case_requested.emit)
        self.overview.facts["amended_by"].linkActivated.connect(self.open_case_requested.emit)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.undo_stack.undoTextChanged.connect(self._update_undo_tips)
        self.undo_stack.redoTextChanged.connect(self._update_undo_tips)
        self.pages.currentChanged.connect(self._page_changed)

        overview = self.overview
        overview.save_button.clicked.connect(self.save_details)
        overview.revert_button.clicked.connect(self._revert_details)
        overview.end_use.textChanged.connect(self._details_edited)
        overview.end_user_statement.textChanged.connect(self._details_edited)
        for box in overview.assurances.values():
            box.toggled.connect(self._details_edited)

        items = self.items
        items.table.itemSelectionChanged.connect(self._item_selected)
        items.classify_button.clicked.connect(self.classify)
        items.chips.removed.connect(self._remove_entry)
        items.status_group.buttonToggled.connect(self._assessment_edited)
        items.category_combo.currentIndexChanged.connect(self._assessment_edited)
        items.rationale.textChanged.connect(self._assessment_edited)
        items.record_button.clicked.connect(self.record_assessment)
        items.revert_button.clicked.connect(self._revert_assessment)
        items.precedents.itemSelectionChanged.connect(self._precedent_selected)
        items.apply_button.clicked.connect(self.apply_selected_precedent)

        for factor, row in self.evaluation.rows.items():
            row.finding.currentIndexChanged.connect(
                lambda _i, f=factor: self._factor_edited(f))
            row.note.textChanged.connect(lambda f=factor: self._factor_edited(f))
            row.record_button.clicked.connect(lambda _c=False, f=factor: self.record_factor(f))

        decision = self.decision
        decision.outcome.currentIndexChanged.connect(self._decision_edited)
        decision.rationale.textChanged.connect(self._decision_edited)
        decision.presumption.toggled.connect(self._decision_edited)
        decision.acknowledge_flags.toggled.connect(self._decision_edited)
        decision.add_condition.clicked.connect(self._add_condition)
        decision.condition_edit.returnPressed.connect(self._add_condition)
        decision.remove_condition.clicked.connect(self._remove_condition)
        decision.conditions.itemSelectionChanged.connect(self._update_condition_buttons)
        decision.draft_button.clicked.connect(self.draft)
        decision.agree_button.clicked.connect(lambda: self.countersign(agree=True))
        decision.return_button.clicked.connect(lambda: self.countersign(agree=False))

        self.notes.add_button.clicked.connect(self.add_note)
        self.notes.new_note.textChanged.connect(self._update_notes_enabled)

    # --- running edits ----------------------------------------------------------------

    @property
    def _case_worker(self) -> bool:
        user = self.context.user
        return bool(self.context.may_write and user is not None and user.role in (
            Role.OFFICER, Role.SENIOR_OFFICER, Role.TRAINER))

    def _command_callbacks(self) -> dict:
        return {"on_changed": self._changed, "on_refused": self._refused}

    def _push(self, command: QUndoCommand) -> bool:
        """Run an edit through the undo stack; return False when it was refused."""
        refusals = self._refusals
        self.undo_stack.push(command)  # runs redo(); a refused command is dropped
        return self._refusals == refusals

    def _changed(self, case: Case) -> None:
        self._show(case)
        self.case_changed.emit(self.reference)

    def _refused(self, error: Exception) -> None:
        self._refusals += 1
        show_refusal(self, error)
        self.reload()  # the record may have moved on meanwhile

    def _clean_changed(self, clean: bool) -> None:
        # Computed from the argument: the stack also signals while it is being destroyed.
        self.title_changed.emit(self.reference + ("" if clean else "*"))

    def _update_undo_tips(self, *_args) -> None:
        try:
            pairs = ((self.header.undo_button, self.undo_action),
                     (self.header.redo_button, self.redo_action))
            for button, action in pairs:
                text = action.text().replace("&", "")
                button.setToolTip(text)
                button.setAccessibleDescription(text)
        except RuntimeError:  # the stack clears itself while the workspace is destroyed
            return

    # --- showing a case ---------------------------------------------------------------

    def _show(self, case: Case) -> None:
        self.case = case
        cases = self.context.cases
        try:
            self._flags = reference_data.destination_flags(self.context.store,
                                                           case.destination)
        except MtcrDeskError:
            self._flags = None
        try:
            edition = self.context.control_list.edition(case.edition_id)
            self._edition_has_categories = edition.has_mtcr_categories
            self._edition_text = edition.title + (
                self.tr(" (structure only)") if edition.limitations else "")
        except MtcrDeskError:
            self._edition_has_categories = True
            self._edition_text = case.edition_id
        self._item_categories = {item.line: cases.item_category(case, item)
                                 for item in case.items}
        self._category = cases.category(case)
        self._show_header(case)
        self._show_overview(case)
        self._show_parties(case)
        self._show_items(case)
        self._show_evaluation(case)
        self._show_decision(case)
        self._show_notes(case)
        self._history_stale = True
        if self.pages.currentWidget() is self.history:
            self._show_history()
        self._memo_stale = True
        if self.pages.currentWidget() is self.memo:
            self._show_memo()

    def _show_header(self, case: Case) -> None:
        header = self.header
        header.reference_label.setText(case.reference + (
            self.tr("  (training)") if case.training else ""))
        header.status_badge.set_badge(_tr(case.status.value).capitalize(),
                                      STATUS_COLOURS[case.status])
        category = self._category
        header.category_badge.set_badge(
            self.tr("Category %1").replace("%1", category.value) if category
            else self.tr("No MTCR category"), CATEGORY_COLOURS[category])
        header.category_badge.setToolTip(self.tr(
            "The highest category of the items assessed as controlled"))
        due = case.due_on
        overdue = bool(due and not case.status.is_final
                       and due < datetime.date.today().isoformat())
        header.due_label.setText(self.tr("Due %1").replace("%1", due) + (
            self.tr(" (overdue)") if overdue else "") if due else self.tr("No due date"))
        header.due_label.setStyleSheet("color:#b91c1c;font-weight:bold" if overdue else "")
        header.edition_label.setText(self.tr("Edition: ") + case.edition_id)
        header.edition_label.setToolTip(self._edition_text)

        flags = self._flags
        if flags is None:
            header.flags_label.setText(self.tr("Destination %1: not in the reference data")
                                       .replace("%1", case.destination))
            header.flags_label.setStyleSheet(WARNING_STYLE)
        elif flags.raised:
            state = (self.tr("acknowledged by %1 on %2").replace(
                "%1", case.flags_acknowledged_by).replace("%2", _time(case.flags_acknowledged_at))
                if case.flags_acknowledged_by else self.tr("not yet acknowledged"))
            header.flags_label.setText("⚑ " + "; ".join(flags.raised) + " — " + state)
            header.flags_label.setStyleSheet(WARNING_STYLE if not case.flags_acknowledged_by
                                             else NOTICE_STYLE)
        else:
            status = {"partner": self.tr("MTCR partner"),
                      "adherent": self.tr("MTCR adherent")}.get(flags.mtcr_status or "", "")
            header.flags_label.setText(self.tr("Destination: %1 (%2), %3 — no flags").replace(
                "%1", flags.country_name).replace("%2", flags.country).replace("%3", status))
            header.flags_label.setStyleSheet("color:#7b8494")

        notice = ""
        amended_by = self.context.cases.amended_by(case.reference)
        if case.status.is_final:
            notice = self.tr("This case is %1 and final: it is read-only.").replace(
                "%1", _tr(case.status.value))
            if case.status is CaseStatus.DECIDED:
                notice += " " + self.tr("Amend it to change anything (a new, linked version).")
            if amended_by:
                notice += " " + self.tr("Amended by %1.").replace("%1", ", ".join(
                    f"<a href='{ref}'>{ref}</a>" for ref in amended_by))
        elif case.status is CaseStatus.AWAITING_COUNTERSIGNATURE:
            notice = self.tr("The decision awaits countersignature: the record stands still "
                             "until a second officer countersigns or returns it.")
        elif case.status is CaseStatus.RETURNED and case.current_decision:
            notice = self.tr("Returned by %1 for redrafting: see the comment on the Decision "
                             "page.").replace("%1", case.current_decision.countersigned_by or "?")
        if not self.context.may_write:
            notice = (notice + " " if notice else "") + self.tr(
                "This window is read-only.")
        elif not self._case_worker:
            notice = (notice + " " if notice else "") + self.tr(
                "Your role reads cases; officers change them.")
        header.notice_label.setText(notice)
        header.notice_label.setVisible(bool(notice))
        header.notice_label.setStyleSheet(NOTICE_STYLE)
        header.amend_button.setVisible(case.status.is_final)
        header.amend_button.setEnabled(case.status is CaseStatus.DECIDED and self._case_worker)
        header.amend_button.setToolTip(
            self.tr("Open a new version of this decided case, linked to it (not undoable)")
            if case.status is CaseStatus.DECIDED
            else self.tr("Only a decided case is amended"))
        self._update_undo_tips()

    def _show_overview(self, case: Case) -> None:
        facts = self.overview.facts
        facts["applicant"].setText(_escape(case.applicant))
        flags = self._flags
        facts["destination"].setText(
            f"{_escape(flags.country_name)} ({case.destination})" if flags else case.destination)
        facts["received"].setText(_escape(case.received_on))
        facts["due"].setText(_escape(case.due_on or self.tr("—")))
        facts["officer"].setText(_escape(case.officer or self.tr("—")))
        facts["edition"].setText(_escape(self._edition_text))
        facts["created"].setText(self.tr("%1 by %2").replace("%1", _time(case.created_at))
                                 .replace("%2", _escape(case.created_by)))
        facts["amends"].setText(f"<a href='{case.amends}'>{case.amends}</a>" if case.amends
                                else self.tr("—"))
        amended_by = self.context.cases.amended_by(case.reference)
        facts["amended_by"].setText(", ".join(f"<a href='{r}'>{r}</a>" for r in amended_by)
                                    if amended_by else self.tr("—"))

        overview = self.overview
        stored = (case.end_use, case.end_user_statement, frozenset(case.assurances))
        if self._details_baseline is None or not self._details_dirty():
            self._set_details(stored)
        self._details_baseline = stored
        editable = self.may_edit
        overview.end_use.setReadOnly(not editable)
        overview.end_user_statement.setReadOnly(not editable)
        for box in overview.assurances.values():
            box.setEnabled(editable)
        self._details_edited()

    def _set_details(self, values: tuple) -> None:
        end_use, statement, assurances = values
        overview = self.overview
        overview.end_use.setPlainText(end_use)
        overview.end_user_statement.setText(statement)
        for assurance, box in overview.assurances.items():
            box.setChecked(assurance in assurances)

    def _details_values(self) -> tuple:
        overview = self.overview
        return (overview.end_use.toPlainText(), overview.end_user_statement.text(),
                frozenset(a for a, box in overview.assurances.items() if box.isChecked()))

    def _details_dirty(self) -> bool:
        return self._details_baseline is not None and \
            self._details_values() != self._details_baseline

    def _details_edited(self, *_args) -> None:
        dirty = self._details_dirty()
        self.overview.save_button.setEnabled(self.may_edit and dirty)
        self.overview.revert_button.setEnabled(self.may_edit and dirty)

    def _revert_details(self) -> None:
        if self._details_baseline is not None:
            self._set_details(self._details_baseline)

    def _show_parties(self, case: Case) -> None:
        table = self.parties.table
        with filling(table):
            table.setRowCount(len(case.parties))
            for row, party in enumerate(case.parties):
                for column, text in enumerate((_tr(party.role.value), party.name, party.address,
                                               party.country)):
                    table.setItem(row, column, _cell(text))
        table.resizeRowsToContents()

    # --- items and assessments --------------------------------------------------------

    def _show_items(self, case: Case) -> None:
        table = self.items.table
        keep = self._line
        table.blockSignals(True)
        with filling(table):
            table.setRowCount(len(case.items))
            for row, item in enumerate(case.items):
                assessment = item.assessment
                category = self._item_categories.get(item.line)
                line_cell = _cell(str(item.line), align_right=True)
                line_cell.setData(Qt.ItemDataRole.UserRole, item.line)
                table.setItem(row, COL_LINE, line_cell)
                details = " · ".join(part for part in (item.manufacturer, item.part_number) if part)
                table.setItem(row, COL_DESCRIPTION, _cell(
                    item.description, tip=item.description + (f"\n{details}" if details else "")))
                table.setItem(row, COL_QUANTITY, _cell(
                    f"{_number(item.quantity)} {item.unit}", align_right=True))
                status_cell = _cell(_tr(assessment.status.value))
                if assessment.status is AssessmentStatus.UNASSESSED:
                    status_cell.setForeground(QColor("#b45309"))
                table.setItem(row, COL_STATUS, status_cell)
                table.setItem(row, COL_ENTRIES, _cell(", ".join(assessment.entry_codes)))
                table.setItem(row, COL_CATEGORY, _cell(category.value if category else ""))
        table.blockSignals(False)
        lines = [item.line for item in case.items]
        target = keep if keep in lines else (lines[0] if lines else None)
        if target is not None:
            self.select_item(target)
            if target == keep:
                self._show_assessment(case.item(target), keep_edits=True)
        else:
            self._line = None
            self._show_assessment(None)
        table.resizeRowsToContents()

    def _item_selected(self) -> None:
        if self.case is None:
            return
        rows = self.items.table.selectionModel().selectedRows()
        if not rows:
            return
        line = self.items.table.item(rows[0].row(), COL_LINE).data(Qt.ItemDataRole.UserRole)
        if line == self._line:
            return
        if self._line is not None and self._assessment_dirty():
            self._assessment_drafts[self._line] = self._assessment_values()
        self._line = line
        self._show_assessment(self.case.item(line), keep_edits=False)

    @staticmethod
    def _assessment_key(assessment: Assessment, has_categories: bool) -> tuple:
        status = None if assessment.status is AssessmentStatus.UNASSESSED \
            else assessment.status
        return (status, tuple(assessment.entry_codes),
                None if has_categories else assessment.category, assessment.rationale)

    def _show_assessment(self, item, *, keep_edits: bool = False) -> None:
        items = self.items
        if item is None:
            items.assessment_box.setTitle(self.tr("Assessment"))
            items.item_label.setText(self.tr("The case has no items."))
            self._assessment_baseline = None
            self._set_assessment_form((None, (), None, ""))
            self._precedents_searched_for = None
            self._show_precedents([])
            self._assessment_edited()
            return
        stored = self._assessment_key(item.assessment, self._edition_has_categories)
        dirty = keep_edits and self._assessment_dirty()
        draft = self._assessment_drafts.get(item.line)
        self._assessment_baseline = stored
        if not dirty:
            if draft is not None and draft != stored:
                self._set_assessment_form(draft)
            else:
                self._assessment_drafts.pop(item.line, None)
                self._set_assessment_form(stored)
        items.assessment_box.setTitle(self.tr("Assessment of line %1").replace(
            "%1", str(item.line)))
        details = " · ".join(part for part in (
            item.manufacturer, item.part_number and self.tr("part ") + item.part_number)
            if part)
        items.item_label.setText(f"<b>{_escape(item.description)}</b>"
                                 + (f"<br>{_escape(details)}" if details else ""))
        assessment = item.assessment
        if assessment.assessed_by:
            text = self.tr("Assessed by %1 on %2").replace("%1", assessment.assessed_by)\
                .replace("%2", _time(assessment.assessed_at))
            if assessment.precedent:
                text += self.tr(" (precedent %1)").replace("%1", assessment.precedent)
        else:
            text = self.tr("Not assessed yet")
        items.assessed_label.setText(text)
        self._load_precedents(item.line)
        self._assessment_edited()

    def _set_assessment_form(self, values: tuple) -> None:
        status, codes, category, rationale = values
        items = self.items
        items.status_group.blockSignals(True)
        items.status_group.setExclusive(False)
        for key, button in items.status_buttons.items():
            button.setChecked(key == status)
        items.status_group.setExclusive(True)
        items.status_group.blockSignals(False)
        items.chips.set_codes(codes)
        index = items.category_combo.findData(category)
        items.category_combo.blockSignals(True)
        items.category_combo.setCurrentIndex(max(index, 0))
        items.category_combo.blockSignals(False)
        items.rationale.blockSignals(True)
        items.rationale.setPlainText(rationale)
        items.rationale.blockSignals(False)

    def _assessment_status(self) -> AssessmentStatus | None:
        for status, button in self.items.status_buttons.items():
            if button.isChecked():
                return status
        return None

    def _assessment_values(self) -> tuple:
        items = self.items
        return (self._assessment_status(), tuple(items.chips.codes()),
                None if self._edition_has_categories else items.category_combo.currentData(),
                items.rationale.toPlainText())

    def _assessment_dirty(self) -> bool:
        return self._assessment_baseline is not None and \
            self._assessment_values() != self._assessment_baseline

    def _assessment_edited(self, *_args) -> None:
        items = self.items
        has_item = self._line is not None and self.case is not None
        editable = self.may_edit and has_item
        status = self._assessment_status()
        controlled = status is AssessmentStatus.CONTROLLED
        for button in items.status_buttons.values():
            button.setEnabled(editable)
        items.classify_button.setEnabled(editable)
        items.chips.set_removable(editable)
        items.rationale.setReadOnly(not editable)
        items.category_combo.setVisible(not self._edition_has_categories)
        items.category_combo.setEnabled(editable and controlled)
        if self._edition_has_categories:
            category = self._item_categories.get(self._line) if has_item else None
            items.category_label.setText(
                self.tr("Category %1, from the entries").replace("%1", category.value)
                if category and controlled and not self._assessment_dirty()
                else self.tr("derived from the entries of the pinned edition"))
        else:
            items.category_label.setText(self.tr(
                "this edition has no MTCR categories: record I or II"))
        dirty = self._assessment_dirty()
        items.record_button.setEnabled(editable and status is not None and (
            dirty or self._assessment_baseline is None or self._assessment_baseline[0] is None))
        items.revert_button.setEnabled(editable and dirty)
        if has_item and not dirty:
            self._assessment_drafts.pop(self._line, None)
        self._update_apply_enabled()

    def _revert_assessment(self) -> None:
        if self._assessment_baseline is not None:
            if self._line is not None:
                self._assessment_drafts.pop(self._line, None)
            self._set_assessment_form(self._assessment_baseline)
            self._assessment_edited()

    def classify(self) -> None:
        """Open the control-list picker and add the entries chosen (item becomes controlled)."""
        if self.case is None or self._line is None or not self.may_edit:
            return
        codes = self._pick_entries(self.case.edition_id)
        if not codes:
            return
        items = self.items
        items.chips.set_codes([*items.chips.codes(), *codes])
        items.status_buttons[AssessmentStatus.CONTROLLED].setChecked(True)
        self._assessment_edited()

    def _remove_entry(self, code: str) -> None:
        chips = self.items.chips
        codes = chips.codes()
        index = codes.index(code) if code in codes else 0
        chips.set_codes([c for c in codes if c != code])
        self._assessment_edited()
        # Keep keyboard focus on the chips (the next one) or on Classify.
        remaining = list(chips.chips.values())
        target = remaining[min(index, len(remaining) - 1)] if remaining \
            else self.items.classify_button
        target.setFocus()

    def record_assessment(self) -> bool:
        """Record the assessment in the panel as an undoable edit; False when refused."""
        if self.case is None or self._line is None:
            return False
        status, codes, category, rationale = self._assessment_values()
        status = status or AssessmentStatus.UNASSESSED
        if status is not AssessmentStatus.CONTROLLED:
            codes, category = (), None  # entries and category belong to controlled items
        line = self._line
        command = AssessItemCommand(
            cases=self.context.cases, reference=self.reference, line=line, status=status,
            entry_codes=codes, category=category, rationale=rationale,
            actor=self.context.user, **self._command_callbacks())
        if not self._push(command):
            return False
        self._assessment_drafts.pop(line, None)
        self._refresh_assessment_form(line)
        self._draft_committed(f"item-{line}-rationale")
        return True

    def _refresh_assessment_form(self, line: int) -> None:
        """Show the stored assessment of a line in the panel (codes as the service stored them)."""
        if self.case is not None and self._line == line and self.case.item(line):
            self._assessment_baseline = None
            self._show_assessment(self.case.item(line), keep_edits=False)

    # --- precedents -------------------------------------------------------------------

    def _load_precedents(self, line: int) -> None:
        # Precedents come from other cases only, so no edit in this workspace changes
        # them: search again only for another item, changed item fields or another
        # pinned edition, and after the workspace was hidden (other cases may have moved
        # on meanwhile). The search reads every assessed item sharing a word with this
        # one: a second on a very large database, too long to repeat after each edit.
        item = self.case.item(line) if self.case is not None else None
        searched_for = None if item is None else (
            line, item.description, item.manufacturer, item.part_number, self.case.edition_id)
        if searched_for is not None and searched_for == self._precedents_searched_for:
            return
        try:
            found = precedent_service.find_precedents(self.context.store, self.reference,
                                                      line=line)
        except MtcrDeskError:
            found = []
            searched_for = None
        self._precedents_searched_for = searched_for
        self._show_precedents(found)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self._precedents_searched_for = None  # other cases may change while hidden

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._precedents_searched_for is None and self._line is not None:
            self._load_precedents(self._line)

    def _show_precedents(self, found: list) -> None:
        self._precedents = found
        table = self.items.precedents
        with filling(table):
            table.setRowCount(len(found))
            for row, precedent in enumerate(found):
                assessed = _tr(precedent.status.value)
                if precedent.entry_codes:
                    assessed += ": " + ", ".join(precedent.entry_codes)
                if precedent.category:
                    assessed += self.tr(" (Cat. %1)").replace("%1", precedent.category)
                values = (precedent.label, precedent.description, assessed,
                          self.tr("yes") if precedent.applicable else self.tr("no"))
                for column, text in enumerate(values):
                    tip = precedent.reason if column == 3 else None
                    table.setItem(row, column, _cell(text, tip=tip))
        self.items.precedent_detail.setText(
            self.tr("No earlier assessment of a similar item.") if not found
            else self.tr("Select a precedent to see why it is offered."))
        if found:
            table.clearSelection()
            table.selectRow(0)  # signals even when row 0 was selected before the reload
        self._update_apply_enabled()

    def _selected_precedent(self):
        rows = self.items.precedents.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._precedents):
            return None
        return self._precedents[rows[0].row()]

    def _precedent_selected(self) -> None:
        precedent = self._selected_precedent()
        if precedent is not None:
            similarity = self.tr("similarity %1").replace("%1", f"{precedent.score:.2f}")
            if precedent.part_number_match:
                similarity += self.tr(", same part number")
            self.items.precedent_detail.setText(
                f"<b>{_escape(precedent.label)}</b> ({similarity}): "
                f"{_escape(precedent.description)}<br>{_escape(precedent.reason)}<br>"
                f"<i>{_escape(precedent.rationale)}</i>")
        self._update_apply_enabled()

    def _update_apply_enabled(self) -> None:
        precedent = self._selected_precedent()
        self.items.apply_button.setEnabled(
            self.may_edit and self._line is not None and precedent is not None
            and precedent.applicable)

    def apply_selected_precedent(self) -> bool:
        """Apply the selected precedent to the selected item (undoable); False when refused."""
        precedent = self._selected_precedent()
        if precedent is None or self._line is None:
            return False
        line = self._line
        command = ApplyPrecedentCommand(
            store=self.context.store, cases=self.context.cases, reference=self.reference,
            line=line, precedent_reference=precedent.case_reference,
            precedent_line=precedent.line, actor=self.context.user,
            **self._command_callbacks())
        if not self._push(command):
            return False
        self._assessment_drafts.pop(line, None)
        self._refresh_assessment_form(line)
        self._draft_committed(f"item-{line}-rationale")
        return True

    # --- evaluation -------------------------------------------------------------------

    @staticmethod
    def _factor_key(finding: FactorFinding | None) -> tuple:
        return (finding.finding, finding.note) if finding else (None, "")

    def _show_evaluation(self, case: Case) -> None:
        for factor, row in self.evaluation.rows.items():
            stored = case.factor(factor)
            key = self._factor_key(stored)
            if factor not in self._factor_baselines or not self._factor_dirty(factor):
                row.finding.blockSignals(True)
                row.finding.setCurrentIndex(max(row.finding.findData(key[0]), 0))
                row.finding.blockSignals(False)
                row.note.blockSignals(True)
                row.note.setPlainText(key[1])
                row.note.blockSignals(False)
            self._factor_baselines[factor] = key
            row.recorded_label.setText(
                self.tr("%1, %2").replace("%1", stored.recorded_by or "?")
                .replace("%2", _time(stored.recorded_at)) if stored else self.tr("not yet"))
            self._factor_edited(factor)

    def _factor_values(self, factor: Factor) -> tuple:
        row = self.evaluation.rows[factor]
        data = row.finding.currentData()  # Qt hands enums back as plain strings
        return (Finding(data) if data else None, row.note.toPlainText())

    def _factor_dirty(self, factor: Factor) -> bool:
        baseline = self._factor_baselines.get(factor)
        return baseline is not None and self._factor_values(factor) != baseline

    def _factor_edited(self, factor: Factor) -> None:
        row = self.evaluation.rows[factor]
        editable = self.may_edit
        row.finding.setEnabled(editable)
        row.note.setReadOnly(not editable)
        dirty = self._factor_dirty(factor)
        finding = row.finding.currentData()
        # Clearing is allowed (choose "not recorded"); a note alone is not a finding.
        row.record_button.setEnabled(editable and dirty and (
            finding is not None or self._factor_baselines.get(factor, (None,))[0] is not None))
        clearing = finding is None
        row.record_button.setText(self.tr("Clear") if clearing else self.tr("Record"))
        row.record_button.setAccessibleName(
            (self.tr("Clear factor %1") if clearing else self.tr("Record factor %1"))
            .replace("%1", factor.value))

    def record_factor(self, factor: Factor) -> bool:
        """Record (or clear) the finding on one factor as an undoable edit."""
        if self.case is None:
            return False
        finding, note = self._factor_values(factor)
        command = RecordFactorCommand(
            cases=self.context.cases, reference=self.reference, factor=factor,
            finding=finding, note=note if finding is not None else "",
            actor=self.context.user, **self._command_callbacks())
        if not self._push(command):
            return False
        self._draft_committed(f"factor-{factor.value}-note")
        return True

    # --- overview details -------------------------------------------------------------

    def save_details(self) -> bool:
        """Save the end use, end-user statement and assurances as one undoable edit."""
        if self.case is None or self._details_baseline is None:
            return False
        end_use, statement, assurances = self._details_values()
        old_use, old_statement, old_assurances = self._details_baseline
        command = EditDetailsCommand(
            cases=self.context.cases, reference=self.reference, actor=self.context.user,
            end_use=end_use if end_use != old_use else None,
            end_user_statement=statement if statement != old_statement else None,
            assurances=assurances if assurances != old_assurances else None,
            **self._command_callbacks())
        return self._push(command)

    # --- decision ---------------------------------------------------------------------

    def _show_decision(self, case: Case) -> None:
        page = self.decision
        current = case.current_decision
        if current is not None:
            lines = [self.tr("<b>Decision drafted by %1 on %2: %3</b>")
                     .replace("%1", current.drafted_by or "?")
                     .replace("%2", _time(current.drafted_at))
                     .replace("%3", _escape(_tr(current.outcome.value)))]
            if current.conditions:
                lines.append(self.tr("Conditions:") + "".join(
                    "<br>&nbsp;• " + _escape(c) for c in current.conditions))
            lines.append(_escape(current.rationale))
            if current.countersignature == "agreed":
                lines.append(self.tr("<b>Countersigned by %1 on %2.</b>")
                             .replace("%1", current.countersigned_by or "?")
                             .replace("%2", _time(current.countersigned_at)))
            elif current.countersignature == "returned":
                lines.append(self.tr("<b>Returned by %1 on %2:</b> %3")
                             .replace("%1", current.countersigned_by or "?")
                             .replace("%2", _time(current.countersigned_at))
                             .replace("%3", _escape(current.return_comment)))
            else:
                lines.append(self.tr("<b>Awaits countersignature by a second officer.</b>"))
            page.current_label.setText("<br>".join(lines))
        page.current_label.setVisible(current is not None)

        # Fill the form once per decision (a returned one comes back for redrafting);
        # otherwise the officer's unsent text stays as typed.
        marker = (current.id if current else None, case.status)
        if marker != self._decision_prefilled_for:
            self._decision_prefilled_for = marker
            if current is not None:
                self._set_decision_form(current)
        draftable = case.status in (CaseStatus.DRAFT, CaseStatus.IN_REVIEW,
                                    CaseStatus.RETURNED)
        page.form_box.setVisible(draftable)
        page.form_box.setEnabled(self._case_worker and draftable)
        page.checklist_box.setVisible(draftable)
        page.countersign_box.setVisible(case.status is CaseStatus.AWAITING_COUNTERSIGNATURE)
        page.countersign_box.setEnabled(self._case_worker)
        flags = self._flags
        page.acknowledge_flags.setVisible(bool(flags and flags.raised
                                               and not case.flags_acknowledged_by))
        self._decision_edited()

    def _set_decision_form(self, decision: Decision) -> None:
        page = self.decision
        for widget in (page.outcome, page.rationale, page.presumption):
            widget.blockSignals(True)
        page.outcome.setCurrentIndex(max(page.outcome.findData(decision.outcome), 0))
        page.conditions.clear()
        for condition in decision.conditions:
            self._append_condition(condition)
        page.rationale.setPlainText(decision.rationale)
        page.presumption.setChecked(decision.presumption_acknowledged)
        for widget in (page.outcome, page.rationale, page.presumption):
            widget.blockSignals(False)

    def _append_condition(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.decision.conditions.addItem(item)

    def _add_condition(self) -> None:
        text = self.decision.condition_edit.text().strip()
        if not text:
            return
        self._append_condition(text)
        self.decision.condition_edit.clear()
        self._decision_edited()

    def _remove_condition(self) -> None:
        row = self.decision.conditions.currentRow()
        if row >= 0:
            self.decision.conditions.takeItem(row)
            self._decision_edited()

    def _update_condition_buttons(self) -> None:
        self.decision.remove_condition.setEnabled(
            self.decision.conditions.currentRow() >= 0)

    def decision_form(self) -> Decision:
        """The decision as the form states it (not yet drafted)."""
        page = self.decision
        conditions = tuple(page.conditions.item(i).text().strip()
                           for i in range(page.conditions.count())
                           if page.conditions.item(i).text().strip())
        return Decision(outcome=Outcome(page.outcome.currentData()),
                        rationale=page.rationale.toPlainText(), conditions=conditions,
                        presumption_acknowledged=page.presumption.isChecked())

    def _decision_edited(self, *_args) -> None:
        page = self.decision
        page.presumption.setVisible(self._category is Category.I
                                    if self.case is not None else False)
        self._update_condition_buttons()
        self._update_checklist()

    def _relevant_rules(self, decision: Decision) -> list[str]:
        """The rule names that apply to this decision on this case (met or not)."""
        case = self.case
        assert case is not None
        outcome = decision.outcome
        relevant = ["case open for drafting", "drafter role", "items", "every item assessed",
                    "every factor found"]
        if self._flags is not None and self._flags.raised:
            relevant.append("destination flags acknowledged")
        relevant.append("decision rationale")
        if outcome is Outcome.APPROVE_WITH_CONDITIONS:
            relevant.append("conditions")
        elif decision.conditions:
            relevant.append("conditions only with conditional approval")
        if outcome is Outcome.DENY:
            relevant.append("denial grounds")
        if outcome.is_approval:
            if any(item.assessment.status in (AssessmentStatus.CONTROLLED,
                                              AssessmentStatus.CATCH_ALL)
                   for item in case.items):
                relevant.append("end-user statement")
            if self._category is Category.I:
                relevant.extend(["government assurances", "presumption of denial"])
            relevant.append("no Category I production facilities")
        return relevant

    def checklist_rows(self) -> list[tuple[str, bool, str]]:
        """``(rule, met, text)`` for every drafting rule that applies, in checklist order."""
        if self.case is None or self.context.user is None:
            return []
        decision = self.decision_form()
        try:
            failures: list[RuleFailure] = self.context.cases.draft_checklist(
                self.reference, decision, drafter=self.context.user)
        except MtcrDeskError:
            return []
        if self.decision.acknowledge_flags.isChecked():
            # Ticked: the flags are acknowledged together with the draft.
            failures = [f for f in failures if f.rule != "destination flags acknowledged"]
        failed = {failure.rule: failure.message for failure in failures}
        labels = dict(CHECKLIST_RULES)
        rows = []
        relevant = self._relevant_rules(decision)
        for rule, _label in CHECKLIST_RULES:
            if rule in failed:
                rows.append((rule, False, failed[rule]))
            elif rule in relevant:
                rows.append((rule, True, ""))
        for failure in failures:  # a rule this list does not know yet still shows
            if failure.rule not in labels:
                rows.append((failure.rule, False, failure.message))
        return rows

    def _update_checklist(self) -> None:
        page = self.decision
        page.checklist.clear()
        case = self.case
        if case is None:
            return
        draftable = case.status in (CaseStatus.DRAFT, CaseStatus.IN_REVIEW,
                                    CaseStatus.RETURNED)
        if not draftable:
            page.checklist_summary.setText(
                self.tr("The decision is drafted; the drafting rules were met then.")
                if case.current_decision else
                self.tr("No decision can be drafted on a %1 case.").replace(
                    "%1", _tr(case.status.value)))
            page.draft_button.setEnabled(False)
            return
        labels = dict(CHECKLIST_RULES)
        rows = self.checklist_rows()
        missing = 0
        for rule, met, message in rows:
            label = _tr(labels.get(rule, rule))
            if met:
                text = "✓ " + self.tr("Met: ") + label
                colour = "#15803d"
            else:
                missing += 1
                text = "✗ " + self.tr("Missing: ") + label + " — " + message
                colour = "#b91c1c"
            item = QListWidgetItem(text)
            item.setForeground(QColor(colour))
            item.setData(Qt.ItemDataRole.UserRole, rule)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            item.setToolTip(message or label)
            page.checklist.addItem(item)
        page.checklist_summary.setText(
            self.tr("Every rule is met: the decision can be drafted.") if not missing else
            self.tr("%1 of %2 rules met; %3 missing.").replace("%1", str(len(rows) - missing))
            .replace("%2", str(len(rows))).replace("%3", str(missing)))
        page.checklist_summary.setStyleSheet("color:#15803d;font-weight:bold" if not missing
                                             else "color:#b91c1c")
        page.draft_button.setEnabled(self._case_worker and draftable)

    def draft(self) -> bool:
        """Draft the decision after asking for the password again (not undoable)."""
        case = self.case
        user = self.context.user
        if case is None or user is None:
            return False
        decision = self.decision_form()
        missing = [RuleFailure(rule, message) for rule, met, message in self.checklist_rows()
                   if not met]
        if missing:  # say what is missing before asking for the password
            show_refusal(self, RulesNotMet(f"draft the decision on {case.reference}", missing))
            return False
        password = ask_password(self, user.username, self.tr(
            "Draft the decision on %1. Drafting cannot be undone: the decision then waits for "
            "a second officer's countersignature, and the edits before it can no longer be "
            "undone.").replace("%1", case.reference))
        if password is None:
            return False
        try:
            updated = self.context.cases.draft_decision(
                case.reference, actor=user, password=password, outcome=decision.outcome,
                rationale=decision.rationale, conditions=decision.conditions,
                presumption_acknowledged=decision.presumption_acknowledged,
                acknowledge_flags=self.decision.acknowledge_flags.isChecked())
        except MtcrDeskError as error:
            show_refusal(self, error)
            return False
        self._draft_committed("decision-rationale")
        self._settled(updated)
        return True

    def countersign(self, *, agree: bool) -> bool:
        """Countersign (agree) or return the decision after the password (not undoable)."""
        case = self.case
        user = self.context.user
        if case is None or user is None:
            return False
        purpose = (self.tr("Countersign the decision on %1. It becomes final and cannot be "
                           "undone.") if agree else
                   self.tr("Return the decision on %1 to its drafter. This cannot be undone."))
        password = ask_password(self, user.username, purpose.replace("%1", case.reference))
        if password is None:
            return False
        try:
            updated = self.context.cases.countersign(
                case.reference, actor=user, password=password, agree=agree,
                comment=self.decision.return_comment.text())
        except MtcrDeskError as error:
            show_refusal(self, error)
            return False
        self.decision.return_comment.clear()
        self._settled(updated)
        return True

    def _settled(self, case: Case) -> None:
        """After a step that cannot be undone, earlier edits cannot be either."""
        self.undo_stack.clear()
        self._changed(case)

    def amend(self) -> str | None:
        """Open a new version of this decided case (not undoable); return its reference."""
        case = self.case
        user = self.context.user
        if case is None or user is None:
            return None
        reason = ask_reason(self, self.tr("Amend %1").replace("%1", case.reference), self.tr(
            "Why is %1 amended? A new version of the case opens, linked to this one; this "
            "case stays as decided. This cannot be undone.").replace("%1", case.reference))
        if reason is None:
            return None
        try:
            new_case = self.context.cases.amend(case.reference, actor=user, reason=reason)
        except MtcrDeskError as error:
            show_refusal(self, error)
            return None
        self.reload()
        self.case_changed.emit(new_case.reference)
        self.open_case_requested.emit(new_case.reference)
        return new_case.reference

    # --- notes ------------------------------------------------------------------------

    def _show_notes(self, case: Case) -> None:
        timeline = self.notes.timeline
        parts = [f"<p><b>{_time(note.created_at)} — {_escape(note.author)}</b><br>"
                 + _escape(note.text).replace("\n", "<br>") + "</p>" for note in case.notes]
        timeline.setHtml("".join(parts) or "<p><i>" + self.tr("No notes yet.") + "</i></p>")
        scroll = timeline.verticalScrollBar()
        scroll.setValue(scroll.maximum())  # newest at the bottom, in view
        self._update_notes_enabled()

    def _update_notes_enabled(self) -> None:
        self.notes.new_note.setReadOnly(not self._case_worker)
        self.notes.add_button.setEnabled(
            self._case_worker and bool(self.notes.new_note.toPlainText().strip()))

    def add_note(self) -> bool:
        """Add the note typed to the case timeline (not undoable: notes are permanent)."""
        text = self.notes.new_note.toPlainText()
        if self.case is None or not text.strip():
            return False
        try:
            case = self.context.cases.add_note(self.reference, text=text,
                                               actor=self.context.user)
        except MtcrDeskError as error:
            show_refusal(self, error)
            return False
        self.notes.new_note.clear()
        self._draft_committed("new-note")
        self._changed(case)
        return True

    # --- history ----------------------------------------------------------------------

    def _page_changed(self, _index: int) -> None:
        if self.pages.currentWidget() is self.history and self._history_stale:
            self._show_history()
        if self.pages.currentWidget() is self.memo and self._memo_stale:
            self._show_memo()

    def _show_memo(self) -> None:
        # Rendered only when the page is in front: most visits to a case print nothing.
        self._memo_stale = False
        self.memo.show_case(self.reference)

    def print_memo(self) -> bool:
        """File > Print: the memo of this case (the Memo page comes to the front)."""
        self.show_page("memo")
        return self.memo.print_memo()

    def _show_history(self) -> None:
        try:
            rows: list[HistoryRow] = case_history(self.context.store, self.reference)
        except MtcrDeskError as error:
            self.history.summary.setText(str(error))
            return
        self._history_stale = False
        table = self.history.table
        with filling(table):
            table.setRowCount(len(rows))
            for row_index, row in enumerate(reversed(rows)):  # newest first
                changes = [self._history_change(str(change)) for change in row.changes]
                what = "\n".join(changes) if changes else _tr(row.kind)
                values = (row.when.removesuffix(" UTC"), row.actor, _tr(row.action),
                          f"{row.subject} ({_tr(row.kind)})", what)
                for column, text in enumerate(values):
                    tip = row.summary.replace("; ", "\n") if column == 4 else None
                    table.setItem(row_index, column, _cell(text, tip=tip))
        table.resizeRowsToContents()
        self.history.summary.setText(self.tr(
            "%1 audited changes on this case and its records, newest first. Times are UTC.")
            .replace("%1", str(len(rows))))

    @staticmethod
    def _history_change(text: str) -> str:
        if len(text) <= HISTORY_VALUE_LIMIT:
            return text
        return text[:HISTORY_VALUE_LIMIT - 1] + "…"
