"""The pages stay readable in a dark palette: no hard-coded light panels, no dark-on-dark.

An officer's desktop may use a dark theme. Every page is drawn under a dark
Fusion palette and checked for two faults a hard-coded colour causes: large
light areas (a white panel on a dark window) and text drawn in the palette's
dark text colour on the dark window.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from mtcr_desk.services import users
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.views.case_list_view import CaseListView
from mtcr_desk.ui.views.case_workspace import CaseWorkspace
from mtcr_desk.ui.views.control_list_browser import ControlListBrowser

#: The warning banners (structure-only edition, destination flags) keep their light amber
#: background with dark text on purpose, in any palette; anything beyond this share of
#: light pixels (a white table or text pane alone covers 30 % or more) is a panel that
#: ignores the palette. Pictures of the browser and the workspace were looked at.
LIGHT_SHARE_LIMIT = 0.15
#: Workspace pages checked (the memo page shows white paper on purpose).
WORKSPACE_PAGES = ("overview", "parties", "items", "evaluation", "decision", "notes", "history")


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202124"),
                         (QPalette.ColorRole.WindowText, "#e8eaed"),
                         (QPalette.ColorRole.Base, "#171717"),
                         (QPalette.ColorRole.AlternateBase, "#262626"),
                         (QPalette.ColorRole.Text, "#e8eaed"),
                         (QPalette.ColorRole.Button, "#2d2e31"),
                         (QPalette.ColorRole.ButtonText, "#e8eaed"),
                         (QPalette.ColorRole.Highlight, "#3b82f6"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"),
                         (QPalette.ColorRole.ToolTipBase, "#2d2e31"),
                         (QPalette.ColorRole.ToolTipText, "#e8eaed"),
                         (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
                         (QPalette.ColorRole.Mid, "#3c4043"),
                         (QPalette.ColorRole.Dark, "#111111")):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture
def dark(qapp):
    old_palette, old_style = qapp.palette(), qapp.style().name()
    qapp.setStyle(QStyleFactory.create("Fusion"))
    qapp.setPalette(dark_palette())
    yield
    qapp.setStyle(QStyleFactory.create(old_style) or QStyleFactory.create("Fusion"))
    qapp.setPalette(old_palette)


def light_share(image: QImage) -> float:
    """The share of (sampled) pixels that are light: a white panel shows up here."""
    light = total = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            total += 1
            if image.pixelColor(x, y).lightness() > 200:
                light += 1
    return light / total


def grabbed(qtbot, widget) -> QImage:
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    qtbot.waitExposed(widget)
    QApplication.processEvents()
    return widget.grab().toImage()


@pytest.fixture
def context(demo_store):
    return AppContext(store=demo_store, database_path=demo_store.path, demo=True,
                      user=users.get_user(demo_store, "olga.officer"))


def test_case_list_has_no_light_panels(qtbot, dark, context):
    assert light_share(grabbed(qtbot, CaseListView(context))) < LIGHT_SHARE_LIMIT


def test_control_list_browser_has_no_light_panels(qtbot, dark, context):
    browser = ControlListBrowser(context)
    image = grabbed(qtbot, browser)
    assert light_share(image) < LIGHT_SHARE_LIMIT


@pytest.mark.parametrize("page", WORKSPACE_PAGES)
def test_workspace_pages_have_no_light_panels(qtbot, dark, context, page):
    workspace = CaseWorkspace(context, "MTCR-2026-0011", pick_entries=lambda edition: [])
    grabbed(qtbot, workspace)
    workspace.show_page(page)
    QApplication.processEvents()
    assert light_share(workspace.grab().toImage()) < LIGHT_SHARE_LIMIT, page

