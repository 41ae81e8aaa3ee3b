"""The main window. For now: which database is open and which editions it holds.

The full workspace (case list, case tabs, control-list browser) arrives with the
GUI issue; this window already shows the officer what matters first: the file
in use and the provenance and limits of each loaded control-list edition.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.control_list import Edition
from mtcr_desk.services.control_list import ControlListService

EDITION_COLUMNS = ("Edition", "Title", "Text", "Entries", "Imported")
COL_ID, COL_TITLE, COL_TEXT, COL_ENTRIES, COL_IMPORTED = range(len(EDITION_COLUMNS))


class MainWindow(QMainWindow):
    """Shows the open database and its control-list editions."""

    def __init__(self, *, database_path: Path, control_list: ControlListService):
        super().__init__()
        self._control_list = control_list
        # Qt appends the application display name ("— MTCR Desk") itself.
        self.setWindowTitle(database_path.name)
        self.resize(1000, 560)

        self.database_label = QLabel(f"Database: {database_path}")
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.editions_table = QTableWidget(0, len(EDITION_COLUMNS))
        self.editions_table.setHorizontalHeaderLabels(EDITION_COLUMNS)
        self.editions_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.editions_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.editions_table.verticalHeader().setVisible(False)
        header = self.editions_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)

        self.provenance_label = QLabel()
        self.provenance_label.setWordWrap(True)
        self.provenance_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.editions_table.itemSelectionChanged.connect(self._show_selected_provenance)

        heading = QLabel("<b>Control-list editions loaded</b>")
        layout = QVBoxLayout()
        layout.addWidget(self.database_label)
        layout.addWidget(heading)
        layout.addWidget(self.editions_table, stretch=1)
        layout.addWidget(self.provenance_label)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)

        self._editions: list[Edition] = []
        self.refresh()
        self.statusBar().showMessage(
            f"{database_path}  ·  {len(self._editions)} edition(s)  ·  "
            "cases, classification and memos arrive in the next releases"
        )

    def refresh(self) -> None:
        """Reload the editions from the database."""
        self._editions = self._control_list.editions()
        self.editions_table.setRowCount(len(self._editions))
        for row, edition in enumerate(self._editions):
            text_status = (
                "structure only" if edition.limitations else edition.text_status.value
            )
            values = {
                COL_ID: edition.id,
                COL_TITLE: edition.title,
                COL_TEXT: text_status,
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
            self.provenance_label.setText("No control-list edition is loaded.")

    def _show_selected_provenance(self) -> None:
        rows = self.editions_table.selectionModel().selectedRows()
        if not rows:
            return
        edition = self._editions[rows[0].row()]
        parts = [f"<b>{_escape(edition.title)}</b>"]
        if edition.limitations:
            parts.append(f"<span style='color:#9a3412'><b>Note:</b> "
                         f"{_escape(edition.limitations)}</span>")
        parts.append(f"<b>Provenance:</b> {_escape(edition.provenance)}")
        if edition.licence:
            parts.append(f"<b>Licence:</b> {_escape(edition.licence)}")
        if edition.acknowledgement:
            parts.append(f"<b>Reuse:</b> {_escape(edition.acknowledgement)}")
        self.provenance_label.setText("<br>".join(parts))

    @property
    def editions(self) -> list[Edition]:
        """The editions shown, in table order."""
        return list(self._editions)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
