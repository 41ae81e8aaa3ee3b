"""The loaded control-list editions with their provenance and limits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.control_list import Edition

EDITION_COLUMNS = ("Edition", "Title", "Text", "Entries", "Imported")
COL_ID, COL_TITLE, COL_TEXT, COL_ENTRIES, COL_IMPORTED = range(len(EDITION_COLUMNS))


class EditionsView(QWidget):
    """A table of the loaded editions; the selected one's provenance below it."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self._control_list = context.control_list
        self.database_label = QLabel(self.tr("Database: ") + str(context.database_path))
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editions_table = QTableWidget(0, len(EDITION_COLUMNS))
        self.editions_table.setAccessibleName(self.tr("Control-list editions"))
        self.editions_table.setHorizontalHeaderLabels([self.tr(c) for c in EDITION_COLUMNS])
        self.editions_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.editions_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.editions_table.verticalHeader().setVisible(False)
        header = self.editions_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self.provenance_label = QLabel()
        self.provenance_label.setWordWrap(True)
        self.provenance_label.setAccessibleName(self.tr("Edition provenance"))
        self.provenance_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editions_table.itemSelectionChanged.connect(self._show_selected_provenance)
        layout = QVBoxLayout(self)
        layout.addWidget(self.database_label)
        layout.addWidget(QLabel("<b>" + self.tr("Control-list editions loaded") + "</b>"))
        layout.addWidget(self.editions_table, stretch=1)
        layout.addWidget(self.provenance_label)
        self._editions: list[Edition] = []
        self.refresh()

    def refresh(self) -> None:
        """Reload the editions from the database."""
        self._editions = self._control_list.editions()
        self.editions_table.setRowCount(len(self._editions))
        for row, edition in enumerate(self._editions):
            values = {
                COL_ID: edition.id,
                COL_TITLE: edition.title,
                COL_TEXT: "structure only" if edition.limitations else edition.text_status.value,
                COL_ENTRIES: str(edition.entry_count),
                COL_IMPORTED: f"{edition.imported_at} by {edition.imported_by}",
            }
            for column, value in values.items():
                cell = QTableWidgetItem(value)
                cell.setToolTip(edition.provenance)
                if column == COL_ENTRIES:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.editions_table.setItem(row, column, cell)
        if self._editions:
            self.editions_table.selectRow(0)
        else:
            self.provenance_label.setText(self.tr("No control-list edition is loaded."))

    def _show_selected_provenance(self) -> None:
        rows = self.editions_table.selectionModel().selectedRows()
        if not rows:
            return
        edition = self._editions[rows[0].row()]
        parts = [f"<b>{_escape(edition.title)}</b>"]
        if edition.limitations:
            parts.append(f"<span style='color:#9a3412'><b>{self.tr('Note:')}</b> "
                         f"{_escape(edition.limitations)}</span>")
        parts.append(f"<b>{self.tr('Provenance:')}</b> {_escape(edition.provenance)}")
        if edition.licence:
            parts.append(f"<b>{self.tr('Licence:')}</b> {_escape(edition.licence)}")
        if edition.acknowledgement:
            parts.append(f"<b>{self.tr('Reuse:')}</b> {_escape(edition.acknowledgement)}")
        self.provenance_label.setText("<br>".join(parts))

    @property
    def editions(self) -> list[Edition]:
        """The editions shown, in table order."""
        return list(self._editions)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
