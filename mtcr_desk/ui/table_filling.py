"""Refilling a ``QTableWidget`` whose columns fit their contents, in linear time.

A header section in ``ResizeToContents`` mode measures every row of its column each
time a cell is set, so filling n rows one cell at a time costs n²: 18 seconds for
a trainer's Training page with 600 attempts, 2 seconds per edit on a 200-item case.
:func:`filling` switches those sections to ``Interactive`` while the rows go in,
then back, so that each column is measured once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QHeaderView, QTableWidget


@contextmanager
def filling(table: QTableWidget) -> Iterator[QTableWidget]:
    """Set the rows of ``table`` inside this block; its columns are fitted once after."""
    header = table.horizontalHeader()
    fitted = [column for column in range(header.count())
              if header.sectionResizeMode(column) is QHeaderView.ResizeMode.ResizeToContents]
    for column in fitted:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
    try:
        yield table
    finally:
        for column in fitted:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
