"""A read-only table model over a list of rows that is replaced whole.

The users and reference-data tables are small (hundreds of rows at most), so
they take the vorta approach: ``set_rows()`` resets the model. Subclasses name
their columns, say how a row is identified, and answer ``data()``.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt


class ListTableModel(QAbstractTableModel):
    """Rows in a Python list; columns from :attr:`columns`."""

    #: Column titles (translated in :attr:`translation_context`).
    columns: tuple[str, ...] = ()
    translation_context = "models"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list = []

    def set_rows(self, rows: list) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        """The row object shown on a table row, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_key(self, row_object) -> str:
        """What identifies a row (a username, a country code)."""
        raise NotImplementedError

    def row_of(self, key: str) -> int | None:
        """The table row of the row object with this key, or None."""
        for row, row_object in enumerate(self._rows):
            if self.row_key(row_object) == key:
                return row
        return None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(self.translation_context, self.columns[section])
        return None
