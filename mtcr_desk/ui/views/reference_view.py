"""The reference-data page: countries, their MTCR status and UN Security Council measures.

A filterable table (:class:`CountryTableModel` over
:func:`services.reference_listing.list_countries`) and, beside it, the selected
country with the flags it raises on a case. An administrator changes its MTCR
status or UN measures there through :func:`services.reference_data.set_country_status`
(audited); a refusal stays on the panel in the service's words. Everyone else
sees the panel read-only.
"""

from __future__ import annotations

import re

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.rules import DestinationFlags
from mtcr_desk.domain.users import Role
from mtcr_desk.services import reference_data, reference_listing
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.models.list_table_model import ListTableModel
from mtcr_desk.ui.view_state import remember_splitter

COLUMNS = ("Code", "Country", "MTCR status", "UN measures")
COL_CODE, COL_NAME, COL_STATUS, COL_UN = range(len(COLUMNS))

#: The :class:`~mtcr_desk.domain.rules.DestinationFlags` of the row, in every column.
CountryRole = Qt.ItemDataRole.UserRole + 1
#: The ISO code (str), in every column.
CodeRole = Qt.ItemDataRole.UserRole + 2

#: MTCR status choices of the edit panel: (title, service value).
STATUS_CHOICES = (("Partner", "partner"), ("Adherent", "adherent"),
                  ("Neither partner nor adherent", "none"))
#: Status filter choices: (title, reference_listing status filter or None).
FILTER_CHOICES = (("All countries", None), ("MTCR partners", "partner"),
                  ("Adherents", "adherent"), ("Neither", "none"),
                  ("Under UN measures", "un-measures"))
FILTER_DELAY_MS = 150
ERROR_STYLE = "color:#b91c1c"
MUTED_STYLE = "color:#7b8494"  # readable on light and dark palettes
OK_STYLE = "color:#15803d"
FLAG_STYLE = "color:#9a3412;font-weight:bold"
UN_COLOUR = "#b91c1c"


def _tr(text: str) -> str:
    return QCoreApplication.translate("reference_view", text)


def parse_resolutions(text: str) -> list[str]:
    """``"1718, 1874"`` (commas, semicolons or spaces) -> ``["1718", "1874"]``."""
    return [part for part in re.split(r"[,;\s]+", text.strip()) if part]


def status_text(status: str | None) -> str:
    """The table's words for an MTCR status (None: neither partner nor adherent)."""
    if status in ("partner", "adherent"):
        return _tr(status)
    return _tr("neither")


class CountryTableModel(ListTableModel):
    """The countries that match the filter, one per row, by code."""

    columns = COLUMNS
    translation_context = "reference_view"

    def row_key(self, row_object: DestinationFlags) -> str:
        return row_object.country

    def country_at(self, row: int) -> DestinationFlags | None:
        return self.row_at(row)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        country = self.country_at(index.row()) if index.isValid() else None
        if country is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_CODE:
                return country.country
            if column == COL_NAME:
                return country.country_name
            if column == COL_STATUS:
                return status_text(country.mtcr_status)
            if column == COL_UN:
                return ", ".join(country.un_measures)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_UN and country.un_measures:
            return _tr("UN Security Council resolutions ") + ", ".join(country.un_measures)
        if role == Qt.ItemDataRole.ForegroundRole:
            # Only UN measures stand out: most of the world is "neither", and colouring
            # it all would drown the few rows that matter.
            if column == COL_UN and country.un_measures:
                return QColor(UN_COLOUR)
        if role == CountryRole:
            return country
        if role == CodeRole:
            return country.country
        return None


class ReferenceView(QWidget):
    """Filter bar, table of countries, and the selected country's edit panel."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        user = context.user
        self.may_edit = (user is not None and user.role is Role.ADMINISTRATOR
                         and not context.read_only)
        self._current: DestinationFlags | None = None

        # --- filter bar
        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName(self.tr("Filter countries"))
        self.search_edit.setPlaceholderText(self.tr("Code or name"))
        self.search_edit.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(self.tr("Status filter"))
        for title, value in FILTER_CHOICES:
            self.status_filter.addItem(self.tr(title), value)
        self.count_label = QLabel()
        self.count_label.setAccessibleName(self.tr("Number of countries"))

        # --- table
        self.model = CountryTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Countries"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        metrics = self.table.fontMetrics()
        header.resizeSection(COL_CODE, metrics.horizontalAdvance("Code") + 32)
        header.resizeSection(COL_STATUS, metrics.horizontalAdvance("MTCR status") + 32)
        header.resizeSection(COL_UN, metrics.horizontalAdvance("1718, 1874, 2087, 2094") + 24)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)

        # --- edit panel
        self.panel = QGroupBox(self.tr("Selected country"))
        self.country_label = QLabel()
        self.country_label.setAccessibleName(self.tr("Selected country"))
        self.country_label.setWordWrap(True)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName(self.tr("MTCR status"))
        for title, value in STATUS_CHOICES:
            self.status_combo.addItem(self.tr(title), value)
        self.un_edit = QLineEdit()
        self.un_edit.setAccessibleName(self.tr("UN Security Council resolutions"))
        self.un_edit.setPlaceholderText(self.tr("none; e.g. 1718, 1874"))
        self.un_edit.setToolTip(self.tr(
            "Resolution numbers of the UN Security Council measures in force, "
            "separated by commas"))
        self.flags_label = QLabel()
        self.flags_label.setAccessibleName(self.tr("Flags raised on a case"))
        self.flags_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setAccessibleName(self.tr("UN measures summary"))
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet(MUTED_STYLE)
        self.summary_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.apply_button = QPushButton(self.tr("A&pply"))
        self.apply_button.setAccessibleName(self.tr("Apply the changes"))
        self.revert_button = QPushButton(self.tr("Re&vert"))
        self.revert_button.setAccessibleName(self.tr("Revert the changes"))
        self.message_label = QLabel()
        self.message_label.setAccessibleName(self.tr("Reference data message"))
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setVisible(False)
        self.note_label = QLabel()
        self.note_label.setAccessibleName(self.tr("Reference data note"))
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(MUTED_STYLE)
        if context.read_only:
            self.note_label.setText(self.tr(
                "Read-only: reference data cannot be changed while another window has "
                "this database open for writing."))
        elif not self.may_edit:
            self.note_label.setText(self.tr("Only an administrator edits reference data."))
        else:
            self.note_label.setText(self.tr(
                "Changes are audited and apply to the flags of every open case to this "
                "destination. They raise flags; they never decide a case."))

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)

        self._build_layout()
        self.search_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.search_edit.returnPressed.connect(self.apply_filter)
        self.status_filter.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_row(current.row()))
        self.status_combo.currentIndexChanged.connect(lambda _index: self._panel_edited())
        self.un_edit.textChanged.connect(lambda _text: self._panel_edited())
        self.un_edit.returnPressed.connect(self.apply_changes)
        self.apply_button.clicked.connect(self.apply_changes)
        self.revert_button.clicked.connect(self.revert)
        self.apply_filter()

    def _labelled(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(self.tr(text))
        label.setBuddy(widget)
        return label

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>" + self.tr("Reference data") + "</b>"))
        top.addSpacing(12)
        top.addWidget(self._labelled("&Filter:", self.search_edit))
        top.addWidget(self.search_edit, stretch=1)
        top.addWidget(self._labelled("&Show:", self.status_filter))
        top.addWidget(self.status_filter)
        top.addSpacing(12)
        top.addWidget(self.count_label)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._labelled("MTCR &status:", self.status_combo), self.status_combo)
        form.addRow(self._labelled("&UN measures:", self.un_edit), self.un_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        panel = QVBoxLayout(self.panel)
        panel.addWidget(self.country_label)
        panel.addLayout(form)
        panel.addLayout(buttons)
        panel.addWidget(self.message_label)
        panel.addSpacing(6)
        self.flags_heading = self._labelled("Flags on a case to this destination:",
                                            self.flags_label)
        panel.addWidget(self.flags_heading)
        panel.addWidget(self.flags_label)
        panel.addWidget(self.summary_label)
        panel.addStretch(1)
        panel.addWidget(self.note_label)
        self.panel.setMinimumWidth(340)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        remember_splitter(splitter, "reference_data/splitter")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(splitter, stretch=1)
        order = (self.search_edit, self.status_filter, self.table, self.status_combo,
                 self.un_edit, self.revert_button, self.apply_button)
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- the table -----------------------------------------------------------------------

    def set_search(self, text: str) -> None:
        """Filter by ``text`` at once (without the typing pause)."""
        self.search_edit.setText(text)
        self.apply_filter()

    def apply_filter(self) -> None:
        """Fetch the countries that match the filter, keeping the selected one if shown."""
        self._filter_timer.stop()
        keep = self._current.country if self._current is not None else None
        try:
            rows = reference_listing.list_countries(
                self.context.store, search=self.search_edit.text(),
                status=self.status_filter.currentData())
        except MtcrDeskError as error:
            self._show_message(error.message, ERROR_STYLE)
            return
        self.model.set_rows(rows)
        count = len(rows)
        self.count_label.setText(self.tr("1 country") if count == 1
                                 else self.tr("%d countries") % count)
        row = self.model.row_of(keep) if keep is not None else None
        self.select_row(row if row is not None else 0)

    def select_country(self, code: str) -> bool:
        """Select a country by ISO code (clearing the filter if it hides it)."""
        code = code.strip().upper()
        if self.model.row_of(code) is None and (self.search_edit.text()
                                                or self.status_filter.currentIndex()):
            self.search_edit.blockSignals(True)
            self.search_edit.clear()
            self.search_edit.blockSignals(False)
            self.status_filter.blockSignals(True)
            self.status_filter.setCurrentIndex(0)
            self.status_filter.blockSignals(False)
            self.apply_filter()
        row = self.model.row_of(code)
        if row is None:
            return False
        self.select_row(row)
        return True

    def select_row(self, row: int) -> None:
        if self.model.country_at(row) is None:
            self._show_row(-1)
            return
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0),
                            QAbstractItemView.ScrollHint.PositionAtCenter)
        self._show_row(row)

    def selected_code(self) -> str | None:
        return self._current.country if self._current is not None else None

    # --- the edit panel ------------------------------------------------------------------

    def _show_row(self, row: int) -> None:
        country = self.model.country_at(row)
        if country is not None and self._current is not None \
                and country == self._current and self._dirty():
            return  # the same country again (after a refresh): keep what is being typed
        self._show_country(country)

    def _show_country(self, country: DestinationFlags | None) -> None:
        self._current = country
        self._show_message("")
        if country is None:
            self.country_label.setText(self.tr("No country selected."))
            self.flags_label.setText("")
            self.summary_label.setText("")
            self.un_edit.clear()
            self._update_buttons()
            return
        self.country_label.setText(f"<b>{country.country_name}</b> ({country.country})")
        self.status_combo.setCurrentIndex(
            self.status_combo.findData(country.mtcr_status or "none"))
        self.un_edit.setText(", ".join(country.un_measures))
        self._update_buttons()

    def _panel_flags(self) -> DestinationFlags | None:
        """The selected country as the panel now shows it (what Apply would store)."""
        country = self._current
        if country is None:
            return None
        status = self.status_combo.currentData()
        return DestinationFlags(country=country.country, country_name=country.country_name,
                                mtcr_status=None if status == "none" else status,
                                # What the service would refuse is left out of the preview.
                                un_measures=tuple(part for part in
                                                  parse_resolutions(self.un_edit.text())
                                                  if part.isdigit()))

    def _show_flags(self) -> None:
        country = self._panel_flags()
        if country is None:
            return
        self.flags_heading.setText(self.tr("Flags on a case to this destination after Apply:")
                                   if self._dirty()
                                   else self.tr("Flags on a case to this destination:"))
        raised = country.raised
        if raised:
            self.flags_label.setText("\n".join(f"• {flag}" for flag in raised))
            self.flags_label.setStyleSheet(FLAG_STYLE)
        else:
            self.flags_label.setText(self.tr("None: an MTCR partner or adherent without "
                                             "UN measures."))
            self.flags_label.setStyleSheet(OK_STYLE)
        summary = ""
        if self._current is not None and self._current.un_measures:
            try:
                summary = reference_data.country(self.context.store,
                                                 country.country)["un_measures_summary"] or ""
            except MtcrDeskError:
                summary = ""
        self.summary_label.setText(summary)
        self.summary_label.setVisible(bool(summary))

    def _dirty(self) -> bool:
        country = self._current
        if country is None:
            return False
        return (self.status_combo.currentData() != (country.mtcr_status or "none")
                or tuple(parse_resolutions(self.un_edit.text())) != country.un_measures)

    def _update_buttons(self) -> None:
        has_country = self._current is not None
        for widget in (self.status_combo, self.un_edit):
            widget.setEnabled(self.may_edit and has_country)
        dirty = self._dirty()
        self.apply_button.setEnabled(self.may_edit and dirty)
        self.revert_button.setEnabled(dirty)
        self._show_flags()

    def _panel_edited(self) -> None:
        self._show_message("")  # a refusal is about what was there before the edit
        self._update_buttons()

    def revert(self) -> None:
        """Show the selected country as stored, dropping what was typed."""
        self._show_country(self._current)

    def apply_changes(self) -> bool:
        """Store the panel's status and UN measures for the selected country.

        Only what differs is sent. A refusal is shown on the panel; returns True
        when the change was stored.
        """
        country = self._current
        user = self.context.user
        if country is None or not self._dirty():
            return False
        if user is None:
            self._show_message(self.tr("Sign in to edit reference data."), ERROR_STYLE)
            return False
        status = self.status_combo.currentData()
        measures = parse_resolutions(self.un_edit.text())
        try:
            updated = reference_data.set_country_status(
                self.context.store, code=country.country, actor=user,
                mtcr_status=status if status != (country.mtcr_status or "none") else None,
                un_measures=measures if tuple(measures) != country.un_measures else None)
        except MtcrDeskError as error:
            self._show_message(error.message, ERROR_STYLE)
            return False
        flags = DestinationFlags(country=updated["code"], country_name=updated["name"],
                                 mtcr_status=updated["mtcr_status"],
                                 un_measures=tuple(updated["un_measures"]))
        self._current = flags
        self.apply_filter()
        if self.model.row_of(flags.country) is None:
            # The new status no longer matches the filter: keep showing the country.
            self.table.clearSelection()
            self._show_country(flags)
        self._show_message(self.tr("Saved: %s is now %s.") % (
            flags.country_name, self._describe(flags)), OK_STYLE)
        return True

    def _describe(self, country: DestinationFlags) -> str:
        status = {"partner": self.tr("an MTCR partner"),
                  "adherent": self.tr("an MTCR adherent")}.get(
            country.mtcr_status or "", self.tr("neither partner nor adherent"))
        if country.un_measures:
            return status + self.tr(", under UN measures ") + ", ".join(country.un_measures)
        return status + self.tr(", without UN measures")

    def _show_message(self, text: str, style: str = "") -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(style)
        self.message_label.setVisible(bool(text))

    def focus_search(self) -> None:
        """Put the cursor in the filter field with its text selected (Ctrl+F)."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()
