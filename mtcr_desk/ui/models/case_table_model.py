"""The case list as a Qt table model: pages fetched lazily, sorted and filtered in SQL.

The model holds only the rows fetched so far (pages of :data:`PAGE_SIZE`) and the
number of cases that match; a view asks for more with ``fetchMore`` as it
scrolls. Sorting and filtering go back to the service (``ORDER BY`` and
``WHERE`` in SQL) and reset the model, so 100,000 cases cost one page of memory.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from mtcr_desk.domain.cases import CaseStatus
from mtcr_desk.domain.control_list import Category
from mtcr_desk.services.case_list import (
    SORT_KEYS,
    CaseFilter,
    CaseListService,
    CaseRow,
    CaseSort,
)

COLUMNS = ("Reference", "Applicant", "Destination", "Status", "Category", "Officer",
           "Received", "Due", "Days open")
(COL_REFERENCE, COL_APPLICANT, COL_DESTINATION, COL_STATUS, COL_CATEGORY, COL_OFFICER,
 COL_RECEIVED, COL_DUE, COL_DAYS_OPEN) = range(len(COLUMNS))
#: Column -> service sort key (every column sorts).
SORT_KEY_BY_COLUMN = dict(enumerate(SORT_KEYS))
#: Rows fetched at a time.
PAGE_SIZE = 200

_ROOT = QModelIndex()
_USER = Qt.ItemDataRole.UserRole
#: The case reference (str), in every column.
ReferenceRole = _USER + 1
#: The whole :class:`~mtcr_desk.services.case_list.CaseRow`, in every column.
RowRole = _USER + 2
#: The case status, in every column: a :class:`~mtcr_desk.domain.cases.CaseStatus`
#: value (Qt hands it over as the plain string, which compares equal to the enum).
StatusRole = _USER + 3
#: The MTCR category, in every column: a :class:`~mtcr_desk.domain.control_list.Category`
#: value (``"I"`` or ``"II"``, plain string through Qt) or None.
CategoryRole = _USER + 4
#: The destination flags an officer must acknowledge (tuple of str; empty for an MTCR
#: partner or adherent without UN measures), in every column.
FlagsRole = _USER + 5
#: True when the case is past its due date and not final, in every column.
OverdueRole = _USER + 6
#: Badge colour (``QColor``) for the status and category columns; None elsewhere.
BadgeRole = _USER + 7
#: Destination markers as ``((text, QColor), ...)`` for the destination column (empty
#: when no flag is raised); None elsewhere. The display text carries them too.
MarkersRole = _USER + 8
#: The destination's country name alone (str), for the destination column.
CountryNameRole = _USER + 9

#: Badge colours: calm for work in progress, strong for what needs attention.
STATUS_COLOURS = {
    CaseStatus.DRAFT: "#64748b",
    CaseStatus.IN_REVIEW: "#2563eb",
    CaseStatus.RETURNED: "#b45309",
    CaseStatus.AWAITING_COUNTERSIGNATURE: "#7c3aed",
    CaseStatus.DECIDED: "#15803d",
    CaseStatus.WITHDRAWN: "#6b7280",
}
CATEGORY_COLOURS = {Category.I: "#b91c1c", Category.II: "#c2410c"}
OVERDUE_COLOUR = "#b91c1c"
#: Destination markers: UN Security Council measures, neither partner nor adherent.
UN_COLOUR = "#b91c1c"
NON_PARTNER_COLOUR = "#d97706"


def destination_markers(row: CaseRow) -> list[tuple[str, str]]:
    """Return the short markers shown with the destination and their colours:
    ``UN`` (Security Council measures), ``non-partner`` (neither partner nor adherent)."""
    markers = []
    if row.destination.un_measures:
        markers.append(("UN", UN_COLOUR))
    if row.destination.mtcr_status not in ("partner", "adherent"):
        markers.append(("non-partner", NON_PARTNER_COLOUR))
    return markers


class CaseTableModel(QAbstractTableModel):
    """Cases matching a filter, in SQL order, fetched a page at a time."""

    def __init__(self, service: CaseListService, parent=None, *,
                 case_filter: CaseFilter | None = None, sort: CaseSort | None = None,
                 page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self._service = service
        self._filter = case_filter or CaseFilter()
        self._sort = sort or CaseSort()
        self._page_size = page_size
        self._rows: list[CaseRow] = []
        self._total = 0
        self._load()

    # --- what the model shows --------------------------------------------------------

    @property
    def case_filter(self) -> CaseFilter:
        return self._filter

    @property
    def case_sort(self) -> CaseSort:
        return self._sort

    def total_count(self) -> int:
        """How many cases match the filter (fetched or not)."""
        return self._total

    def row_at(self, row: int) -> CaseRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def reference_at(self, row: int) -> str | None:
        found = self.row_at(row)
        return found.reference if found else None

    def row_of(self, reference: str) -> int | None:
        """Return the row of a case among those fetched, or None."""
        for number, row in enumerate(self._rows):
            if row.reference == reference:
                return number
        return None

    def set_filter(self, case_filter: CaseFilter) -> None:
        """Show the cases matching ``case_filter`` (a reset; the first page is fetched)."""
        self._filter = case_filter
        self._reset()

    def set_sort(self, sort: CaseSort) -> None:
        """Order the cases by ``sort`` (a reset)."""
        self._sort = sort
        self._reset()

    def refresh(self) -> None:
        """Fetch again what is shown (after a change), keeping as many rows as were fetched."""
        self._reset(keep=len(self._rows))

    # --- loading ---------------------------------------------------------------------

    def _load(self, keep: int = 0) -> None:
        page = self._service.first_page(self._filter, self._sort,
                                        limit=max(self._page_size, keep))
        self._total, self._rows = page.total, page.rows

    def _reset(self, keep: int = 0) -> None:
        self.beginResetModel()
        try:
            self._load(keep)
        except BaseException:
            self._rows, self._total = [], 0
            raise
        finally:
            self.endResetModel()

    def canFetchMore(self, parent=_ROOT) -> bool:  # noqa: N802 - Qt's name
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=_ROOT) -> None:  # noqa: N802 - Qt's name
        if parent.isValid() or len(self._rows) >= self._total:
            return
        rows = self._service.rows(self._filter, self._sort, offset=len(self._rows),
                                  limit=self._page_size, total=self._total)
        if not rows:
            self._total = len(self._rows)  # the list shrank meanwhile
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    # --- Qt model interface ----------------------------------------------------------

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # never editable

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole and section == COL_DAYS_OPEN:
            return self.tr("Days from receipt to today, or to the decision or withdrawal")
        if role == Qt.ItemDataRole.ToolTipRole and section == COL_CATEGORY:
            return self.tr("Highest MTCR category of the case's controlled items")
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEY_BY_COLUMN.get(column)
        if key is None:
            return
        sort = CaseSort(key, descending=order == Qt.SortOrder.DescendingOrder)
        if sort != self._sort:
            self.set_sort(sort)

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        """The column and order the model is sorted by (for the header's indicator)."""
        column = next(c for c, key in SORT_KEY_BY_COLUMN.items() if key == self._sort.key)
        return column, (Qt.SortOrder.DescendingOrder if self._sort.descending
                        else Qt.SortOrder.AscendingOrder)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column, accessible=role != Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_DAYS_OPEN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_DUE and row.overdue:
            return QColor(OVERDUE_COLOUR)
        if column == COL_DESTINATION and role == MarkersRole:
            return tuple((text, QColor(colour)) for text, colour in destination_markers(row))
        if column == COL_DESTINATION and role == CountryNameRole:
            return row.destination.country_name
        if role == BadgeRole:
            if column == COL_STATUS:
                return QColor(STATUS_COLOURS[row.status])
            if column == COL_CATEGORY and row.category is not None:
                return QColor(CATEGORY_COLOURS[row.category])
            return None
        return self._custom(row, role)

    def _custom(self, row: CaseRow, role: int):
        if role == ReferenceRole:
            return row.reference
        if role == RowRole:
            return row
        if role == StatusRole:
            return row.status
        if role == CategoryRole:
            return row.category
        if role == FlagsRole:
            return row.destination.raised
        if role == OverdueRole:
            return row.overdue
        return None

    def _text(self, row: CaseRow, column: int, *, accessible: bool) -> str:
        if column == COL_REFERENCE:
            return row.reference + (self.tr(" (training)") if row.training else "")
        if column == COL_APPLICANT:
            return row.applicant
        if column == COL_DESTINATION:
            markers = destination_markers(row)
            if accessible:
                return "; ".join((row.destination.country_name, *row.destination.raised))
            return row.destination.country_name + "".join(f" · {m}" for m, _ in markers)
        if column == COL_STATUS:
            return row.status.value
        if column == COL_CATEGORY:
            if row.category is None:
                return self.tr("no category") if accessible else "–"
            return self.tr("Category ") + row.category.value if accessible \
                else row.category.value
        if column == COL_OFFICER:
            return row.officer_name or row.officer or ""
        if column == COL_RECEIVED:
            return row.received_on
        if column == COL_DUE:
            text = row.due_on or ("no due date" if accessible else "–")
            return text + (self.tr(", overdue") if accessible and row.overdue else "")
        if column == COL_DAYS_OPEN:
            return str(row.days_open)
        return ""

    def _tooltip(self, row: CaseRow, column: int) -> str | None:
        if column == COL_DESTINATION:
            flags = row.destination
            lines = [f"{flags.country_name} ({flags.country})"]
            if flags.mtcr_status == "partner":
                lines.append(self.tr("MTCR partner"))
            elif flags.mtcr_status == "adherent":
                lines.append(self.tr("Adheres unilaterally to the MTCR guidelines"))
            lines.extend(flags.raised)
            return "\n".join(lines)
        if column == COL_CATEGORY:
            if row.category is Category.I:
                return self.tr("Category I: strong presumption of denial")
            if row.category is Category.II:
                return self.tr("Category II: case-by-case review")
            return self.tr("No controlled item (or none assessed yet)")
        if column == COL_DUE and row.overdue:
            return self.tr("Overdue: due %s and not decided") % row.due_on
        if column == COL_DAYS_OPEN:
            if row.closed_on:
                return self.tr("Received %s; %s %s") % (row.received_on, row.status.value,
                                                         row.closed_on[:10])
            return self.tr("Received %s; still open") % row.received_on
        if column == COL_OFFICER and row.officer:
            return row.officer
        if column == COL_APPLICANT:
            return row.applicant
        return None
