"""The minimal main window: the database in use and the loaded editions."""

from __future__ import annotations

from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.ui.main_window import COL_ENTRIES, COL_ID, COL_TEXT, MainWindow
from tests.conftest import STRUCTURE_EDITION


def test_the_window_shows_database_and_editions(qtbot, store, tmp_path):
    window = MainWindow(database_path=store.path, control_list=ControlListService(store))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    assert store.path.name in window.windowTitle()
    assert str(store.path) in window.database_label.text()
    table = window.editions_table
    assert table.rowCount() == 2
    assert table.item(0, COL_ID).text() == STRUCTURE_EDITION
    assert table.item(0, COL_TEXT).text() == "structure only"
    assert table.item(0, COL_ENTRIES).text() == "387"
    assert table.item(1, COL_ID).text() == "eu-2021-821-2025-11"
    assert table.item(1, COL_TEXT).text() == "full"
    # The selected edition's limits and provenance are spelled out below the table.
    text = window.provenance_label.text()
    assert "Structure only" in text
    assert "lite-api" in text
    assert "MIT License" in text

    image = window.grab()
    assert not image.isNull()
    image.save(str(tmp_path / "main-window.png"))
    assert (tmp_path / "main-window.png").stat().st_size > 1000
