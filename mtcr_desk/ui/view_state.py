"""Window and view state kept between sessions: splitter positions and column layouts.

QSettings holds only this (and the main window's geometry): nothing about cases,
users or the office lives there. Each remembered widget restores its state once
when it is set up and saves it whenever the user moves it, so a crash loses at
most the last drag.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter


def _stored_state(key: str) -> QByteArray | None:
    value = QSettings().value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def remember_splitter(splitter: QSplitter, key: str) -> None:
    """Restore the splitter's sizes saved under ``key`` and save them when it moves."""
    state = _stored_state(key)
    if state is not None:
        # A state saved by another layout of the widget is refused by Qt: keep the defaults.
        splitter.restoreState(state)

    def save(_position: int, _index: int) -> None:
        QSettings().setValue(key, splitter.saveState())

    splitter.splitterMoved.connect(save)


def remember_header(header: QHeaderView, key: str) -> None:
    """Restore column widths and order saved under ``key`` and save them when they change."""
    state = _stored_state(key)
    if state is not None:
        header.restoreState(state)

    def save(*_arguments) -> None:
        QSettings().setValue(key, header.saveState())

    header.sectionResized.connect(save)
    header.sectionMoved.connect(save)
