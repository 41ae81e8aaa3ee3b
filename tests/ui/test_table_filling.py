"""Refilling a table whose columns fit their contents: modes kept, columns fitted once."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from mtcr_desk.ui.table_filling import filling


def test_columns_fit_their_contents_after_the_fill_and_keep_their_modes(qtbot):
    table = QTableWidget(0, 3)
    qtbot.addWidget(table)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.resize(900, 400)
    table.show()
    qtbot.waitExposed(table)
    longest = "MTCR-2026-0001 Kessler Anlagenbau GmbH, Völklingen"
    modes_inside = []
    with filling(table) as filled:
        modes_inside.append(header.sectionResizeMode(0))
        filled.setRowCount(300)
        for row in range(300):
            filled.setItem(row, 0, QTableWidgetItem(longest if row == 299 else str(row)))
            filled.setItem(row, 1, QTableWidgetItem("description"))
            filled.setItem(row, 2, QTableWidgetItem("x"))
    # Measured once, at the end, not for every cell set.
    assert modes_inside == [QHeaderView.ResizeMode.Interactive]
    assert [header.sectionResizeMode(c) for c in range(3)] == [
        QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
        QHeaderView.ResizeMode.ResizeToContents]
    qtbot.wait(10)
    assert header.sectionSize(0) >= table.fontMetrics().horizontalAdvance(longest)
    assert header.sectionSize(2) < header.sectionSize(0)


def test_the_modes_come_back_when_the_fill_fails(qtbot):
    table = QTableWidget(0, 2)
    qtbot.addWidget(table)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    try:
        with filling(table):
            raise ValueError("a record that cannot be shown")
    except ValueError:
        pass
    assert table.horizontalHeader().sectionResizeMode(1) is QHeaderView.ResizeMode.ResizeToContents
