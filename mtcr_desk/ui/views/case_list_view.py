"""The case list: a filter bar over a lazily fetched table of cases.

Filtering and sorting run in SQL through :class:`CaseListService`; the table
shows :class:`CaseTableModel`, which fetches pages as the view scrolls. Typing in
the search field filters after a short pause; the other filters apply at once.
Double-click or Enter on a case emits :attr:`CaseListView.case_opened` with its
reference. Saved filters live in the database, per user.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.cases import CaseStatus
from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.services.case_list import (
    NO_CATEGORY,
    OPEN_STATUSES,
    CaseFilter,
    CaseListService,
)
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.models.case_table_model import (
    COL_APPLICANT,
    COL_CATEGORY,
    COL_DAYS_OPEN,
    COL_DESTINATION,
    COL_DUE,
    COL_OFFICER,
    COL_RECEIVED,
    COL_REFERENCE,
    COL_STATUS,
    BadgeRole,
    CaseTableModel,
    CountryNameRole,
    MarkersRole,
)
from mtcr_desk.ui.view_state import remember_header

#: Pause after the last keystroke in the search field before the list is filtered.
FILTER_DELAY_MS = 150
#: The status choice for every status still being worked on.
OPEN_CHOICE = "open"


def _statuses(choice: str | None) -> tuple[CaseStatus, ...]:
    """The statuses a status-combo choice stands for ("" or None: any)."""
    if choice == OPEN_CHOICE:
        return OPEN_STATUSES
    return tuple(CaseStatus(value) for value in choice.split(",")) if choice else ()


def _status_choice(statuses: tuple[CaseStatus, ...]) -> str:
    """The status-combo choice for a filter's statuses (several: joined by commas)."""
    if not statuses:
        return ""
    if set(statuses) == set(OPEN_STATUSES):
        return OPEN_CHOICE
    return ",".join(status.value for status in statuses)


class BadgeDelegate(QStyledItemDelegate):
    """Draws status and category cells as coloured badges (``BadgeRole``) and the
    destination's flags as small badges after its name (``MarkersRole``)."""

    PADDING = 6
    GAP = 4

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        colour = index.data(BadgeRole)
        markers = index.data(MarkersRole) or ()
        if not isinstance(colour, QColor) and not markers:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        text = item.text
        metrics = QFontMetrics(item.font)
        widths = [metrics.horizontalAdvance(label) + 2 * self.PADDING for label, _ in markers]
        if markers:
            # The name gets what the flags leave; the flags always show in full.
            item.text = index.data(CountryNameRole) or ""
            item.rect = option.rect.adjusted(0, 0, -(sum(widths) + self.GAP * len(widths)), 0)
            self._draw_item(painter, item, option)
            right = option.rect.right() - 3
            for (label, marker_colour), width in zip(reversed(markers), reversed(widths),
                                                     strict=True):
                right -= width
                self._draw_badge(painter, option, QRect(right, 0, width, 0), label,
                                 marker_colour, metrics, item.font)
                right -= self.GAP
            return
        item.text = ""
        self._draw_item(painter, item, option)
        width = min(metrics.horizontalAdvance(text) + 2 * self.PADDING, option.rect.width() - 6)
        self._draw_badge(painter, option, QRect(option.rect.left() + 3, 0, width, 0), text,
                         colour, metrics, item.font)

    @staticmethod
    def _draw_item(painter: QPainter, item: QStyleOptionViewItem,
                   option: QStyleOptionViewItem) -> None:
        widget = item.widget
        style = widget.style() if widget is not None else None
        if style is None:
            return
        if item.rect != option.rect:
            # Selection and alternating background across the whole cell first.
            background = QStyleOptionViewItem(item)
            background.rect = option.rect
            background.text = ""
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, background,
                                painter, widget)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)

    def _draw_badge(self, painter: QPainter, option: QStyleOptionViewItem, where: QRect,
                    text: str, colour: QColor, metrics: QFontMetrics, font) -> None:
        height = min(metrics.height() + 2, option.rect.height() - 4)
        badge = QRect(where.left(), option.rect.center().y() - height // 2 + 1,
                      where.width(), height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(QColor("white"))
        inner = badge.adjusted(self.PADDING // 2, 0, -(self.PADDING // 2), 0)
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignCenter),
                         metrics.elidedText(text, Qt.TextElideMode.ElideRight, inner.width()))
        painter.restore()


class CaseListView(QWidget):
    """Filter bar, saved filters and the table of cases."""

    #: Emitted with the case reference when a case is opened (double-click or Enter).
    case_opened = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.service = CaseListService(context.store)
        self._saved: dict[str, CaseFilter] = {}
        self._applying = False

        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName(self.tr("Search cases"))
        self.search_edit.setPlaceholderText(
            self.tr("Reference, applicant, destination or officer"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip(self.tr(
            "Every word must occur in the reference, applicant, destination or officer "
            "(Ctrl+F; Down moves to the list)"))
        self.status_combo = self._combo("Status")
        self.status_combo.addItem(self.tr("Any status"), "")
        self.status_combo.addItem(self.tr("Open (not final)"), OPEN_CHOICE)
        for status in CaseStatus:
            self.status_combo.addItem(status.value, status.value)
        self.category_combo = self._combo("Category")
        for text, value in (("Any category", None), ("Category I", "I"),
                            ("Category II", "II"), ("No category", NO_CATEGORY)):
            self.category_combo.addItem(self.tr(text), value)
        self.destination_combo = self._combo("Destination")
        self.officer_combo = self._combo("Officer")
        self.overdue_check = QCheckBox(self.tr("&Overdue only"))
        self.overdue_check.setAccessibleName(self.tr("Overdue cases only"))
        self.clear_button = QPushButton(self.tr("Clea&r"))
        self.clear_button.setAccessibleName(self.tr("Clear the filters"))
        self.saved_combo = self._combo("Saved filters")
        self.saved_combo.setMinimumContentsLength(14)
        self.save_button = QPushButton(self.tr("Save &as…"))
        self.save_button.setAccessibleName(self.tr("Save the filter"))
        self.delete_button = QPushButton(self.tr("De&lete"))
        self.delete_button.setAccessibleName(self.tr("Delete the saved filter"))
        self.count_label = QLabel()
        self.count_label.setAccessibleName(self.tr("Number of cases"))
        self.message_label = QLabel()
        self.message_label.setAccessibleName(self.tr("Case list message"))
        self.message_label.setStyleSheet("color:#b91c1c")
        self.message_label.setVisible(False)

        self.model = CaseTableModel(self.service, self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Cases"))
        self.table.setModel(self.model)
        self.table.setItemDelegate(BadgeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table: keyboard users
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSortIndicator(*self.model.sort_column())
        header.setHighlightSections(False)
        self.table.setSortingEnabled(True)
        self._size_columns()
        remember_header(header, "case_list/columns")

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)

        self._build_layout()
        self._reload_choices()
        self._reload_saved_filters()
        self._update_count()
        writable = context.user is not None and not context.read_only
        self.save_button.setEnabled(writable)
        self.delete_button.setEnabled(False)
        self._writable = writable

        self.search_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        for combo in (self.status_combo, self.category_combo, self.destination_combo,
                      self.officer_combo):
            combo.currentIndexChanged.connect(self._filter_widgets_changed)
        self.overdue_check.toggled.connect(self._filter_widgets_changed)
        self.clear_button.clicked.connect(self.clear_filter)
        self.saved_combo.activated.connect(self._saved_filter_chosen)
        self.save_button.clicked.connect(self._ask_save_filter)
        self.delete_button.clicked.connect(self._ask_delete_filter)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.search_edit.installEventFilter(self)
        self.table.installEventFilter(self)

    # --- layout ----------------------------------------------------------------------

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(self.tr(name))
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        return combo

    def _labelled(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(self.tr(text))
        label.setBuddy(widget)
        return label

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self._labelled("&Search:", self.search_edit))
        top.addWidget(self.search_edit, stretch=1)
        top.addSpacing(12)
        top.addWidget(self._labelled("Sa&ved filters:", self.saved_combo))
        top.addWidget(self.saved_combo)
        top.addWidget(self.save_button)
        top.addWidget(self.delete_button)
        filters = QHBoxLayout()
        for text, widget in (("Stat&us:", self.status_combo),
                             ("Categor&y:", self.category_combo),
                             ("&Destination:", self.destination_combo),
                             ("Off&icer:", self.officer_combo)):
            filters.addWidget(self._labelled(text, widget))
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addWidget(self.overdue_check)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, stretch=1)
        order = (self.search_edit, self.saved_combo, self.save_button, self.delete_button,
                 self.status_combo, self.category_combo, self.destination_combo,
                 self.officer_combo, self.overdue_check, self.clear_button, self.table)
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()

        def width(sample: str) -> int:
            return metrics.horizontalAdvance(sample) + 18

        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(40)
        # Sized for 1366 x 768: the applicant takes what the others leave.
        for column, sample in ((COL_REFERENCE, "MTCR-2026-0000"),
                               (COL_DESTINATION, "Singapore  non-partner  "),
                               (COL_STATUS, "awaiting countersignature  "),
                               (COL_CATEGORY, "Category"),
                               (COL_OFFICER, "Olga Officer (demo)"),
                               (COL_RECEIVED, "2026-00-00"),
                               (COL_DUE, "2026-00-00"),
                               (COL_DAYS_OPEN, "Days open")):
            header.resizeSection(column, width(sample))
        header.setSectionResizeMode(COL_APPLICANT, QHeaderView.ResizeMode.Stretch)

    # --- filters ---------------------------------------------------------------------

    def current_filter(self) -> CaseFilter:
        """The filter the widgets describe."""
        return CaseFilter(
            text=self.search_edit.text()[:200],
            statuses=_statuses(self.status_combo.currentData()),
            category=self.category_combo.currentData(),
            destination=self.destination_combo.currentData(),
            officer=self.officer_combo.currentData(),
            overdue=self.overdue_check.isChecked())

    def apply_filter(self) -> None:
        """Show the cases the filter widgets describe (now, without waiting)."""
        self._filter_timer.stop()
        try:
            case_filter = self.current_filter()
            if case_filter != self.model.case_filter:
                self.model.set_filter(case_filter)
            self._show_message("")
        except MtcrDeskError as error:
            self._show_message(str(error))
        self._match_saved_filter()

    def set_filter(self, case_filter: CaseFilter) -> None:
        """Show ``case_filter`` in the widgets and apply it."""
        self._applying = True
        try:
            self.search_edit.setText(case_filter.text)
            choice = _status_choice(case_filter.statuses)
            self._select_data(self.status_combo, choice, missing=choice)
            self._select_data(self.category_combo, case_filter.category)
            self._select_data(self.destination_combo, case_filter.destination,
                              missing=case_filter.destination)
            self._select_data(self.officer_combo, case_filter.officer,
                              missing=case_filter.officer)
            self.overdue_check.setChecked(case_filter.overdue)
        finally:
            self._applying = False
        self.apply_filter()

    def clear_filter(self) -> None:
        """Show every case."""
        self.set_filter(CaseFilter())

    def _filter_widgets_changed(self, *_args) -> None:
        if not self._applying:
            self.apply_filter()

    @staticmethod
    def _select_data(combo: QComboBox, value, *, missing: str | None = None) -> None:
        index = combo.findData(value)
        if index < 0 and missing:
            # A saved value no case has (yet), or statuses the choices do not offer.
            combo.addItem(missing.replace(",", ", "), missing)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    def _reload_choices(self) -> None:
        """Fill the destination and officer choices from the cases there are."""
        self._applying = True
        try:
            destination = self.destination_combo.currentData()
            self.destination_combo.clear()
            self.destination_combo.addItem(self.tr("Any destination"), None)
            for code, name in self.service.destinations():
                self.destination_combo.addItem(f"{name} ({code})", code)
            self._select_data(self.destination_combo, destination, missing=destination)
            officer = self.officer_combo.currentData()
            self.officer_combo.clear()
            self.officer_combo.addItem(self.tr("Any officer"), None)
            user = self.context.user
            if user is not None:
                self.officer_combo.addItem(self.tr("Me (%s)") % user.display_name,
                                           user.username)
            for username, name in self.service.officers():
                if user is None or username != user.username:
                    self.officer_combo.addItem(name, username)
            self._select_data(self.officer_combo, officer, missing=officer)
        finally:
            self._applying = False

    # --- saved filters ---------------------------------------------------------------

    def _reload_saved_filters(self, select: str | None = None) -> None:
        user = self.context.user
        self._saved = self.service.saved_filters(user) if user is not None else {}
        self.saved_combo.blockSignals(True)
        self.saved_combo.clear()
        self.saved_combo.addItem(self.tr("(none)"), None)
        for name in self._saved:
            self.saved_combo.addItem(name, name)
        self.saved_combo.setCurrentIndex(max(self.saved_combo.findData(select), 0))
        self.saved_combo.blockSignals(False)
        self.saved_combo.setEnabled(user is not None)
        self._update_delete_button()

    def saved_filter_names(self) -> list[str]:
        return list(self._saved)

    def _saved_filter_chosen(self, index: int) -> None:
        name = self.saved_combo.itemData(index)
        if name is None:
            self._update_delete_button()
            return
        self.set_filter(self._saved[name])
        self.saved_combo.setCurrentIndex(index)
        self._update_delete_button()

    def _match_saved_filter(self) -> None:
        """Keep the saved-filter choice only while the widgets still show that filter."""
        name = self.saved_combo.currentData()
        if name is not None and self._saved.get(name) != self.model.case_filter:
            self.saved_combo.setCurrentIndex(0)
        self._update_delete_button()

    def _update_delete_button(self) -> None:
        self.delete_button.setEnabled(getattr(self, "_writable", False)
                                      and self.saved_combo.currentData() is not None)

    def save_current_filter(self, name: str) -> bool:
        """Save the filter shown under ``name`` for the signed-in user; False if refused."""
        user = self.context.user
        if user is None:
            return False
        try:
            saved = self.service.save_filter(user, name, self.current_filter())
        except MtcrDeskError as error:
            self._show_message(str(error))
            return False
        self._reload_saved_filters(select=saved)
        self._show_message("")
        return True

    def delete_saved_filter(self, name: str) -> bool:
        """Delete one of the signed-in user's saved filters; False if refused."""
        user = self.context.user
        if user is None:
            return False
        try:
            self.service.delete_filter(user, name)
        except MtcrDeskError as error:
            self._show_message(str(error))
            return False
        self._reload_saved_filters()
        return True

    def _ask_save_filter(self) -> None:
        current = self.saved_combo.currentData() or ""
        name, accepted = QInputDialog.getText(self, self.tr("Save filter"),
                                              self.tr("Name of the filter:"), text=current)
        if accepted and name.strip():
            self.save_current_filter(name)

    def _ask_delete_filter(self) -> None:
        name = self.saved_combo.currentData()
        if name is None:
            return
        answer = QMessageBox.question(self, self.tr("Delete filter"),
                                      self.tr("Delete the saved filter “%s”?") % name)
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_saved_filter(name)

    # --- the table -------------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the list again (after a change), keeping the selection where it can."""
        selected = set(self.selected_references())
        current = self.model.reference_at(self.table.currentIndex().row())
        try:
            self._reload_choices()
            self.model.refresh()
        except MtcrDeskError as error:
            self._show_message(str(error))
            return
        selection = self.table.selectionModel()
        for reference in selected:
            row = self.model.row_of(reference)
            if row is not None:
                selection.select(self.model.index(row, 0),
                                 selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
        if current is not None and (row := self.model.row_of(current)) is not None:
            selection.setCurrentIndex(self.model.index(row, 0),
                                      selection.SelectionFlag.NoUpdate)

    def selected_references(self) -> list[str]:
        """The references of the selected cases, in list order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [reference for row in rows if (reference := self.model.reference_at(row))]

    def focus_search(self) -> None:
        """Put the cursor in the search field with its text selected (Ctrl+F)."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _open_row(self, row: int) -> None:
        reference = self.model.reference_at(row)
        if reference is not None:
            self.case_opened.emit(reference)

    def _focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            current = self.table.currentIndex()
            self.table.selectRow(current.row() if current.isValid() else 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.table.currentIndex()
                if index.isValid():
                    self._open_row(index.row())
                    return True
            if watched is self.search_edit:
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.apply_filter()
                    self._focus_table()
                    return True
                if key == Qt.Key.Key_Down:
                    self.apply_filter()
                    self._focus_table()
                    return True
                if key == Qt.Key.Key_Escape and self.search_edit.text():
                    self.search_edit.clear()
                    self.apply_filter()
                    return True
        return super().eventFilter(watched, event)

    def _update_count(self, *_args) -> None:
        total, shown = self.model.total_count(), self.model.rowCount()
        if total == 0:
            text = (self.tr("No cases yet") if self.model.case_filter.is_empty
                    else self.tr("No case matches the filter"))
        elif total == 1:
            text = self.tr("1 case")
        elif shown < total:
            text = self.tr("%s cases (%s loaded)") % (f"{total:,}", f"{shown:,}")
        else:
            text = self.tr("%s cases") % f"{total:,}"
        self.count_label.setText(text)

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
