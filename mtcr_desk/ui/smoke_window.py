"""The Qt part of the smoke test: the main window on the demo database, offscreen.

:mod:`mtcr_desk.smoke` imports this module only when it reaches the window step,
so that the rest of the smoke test (and the layering rule that only ``ui``
imports PySide6) does not depend on Qt. Every page is built, one case is opened
in its workspace and the window is grabbed into a PNG file: in a packaged app
that proves the Qt libraries, the platform plugin, the image plugins and the
lazily imported views were all bundled, and that the system has a font.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QFont, QFontInfo, QRawFont
from PySide6.QtWidgets import QApplication

from mtcr_desk import APP_SLUG
from mtcr_desk.domain.users import User
from mtcr_desk.ui.app import create_application
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.main_window import PAGES, MainWindow


def _application() -> QApplication:
    """Return the running QApplication, or create one on the offscreen platform."""
    if QApplication.instance() is not None:
        return QApplication.instance()
    # The smoke test never shows anything on a desktop, display or not.
    return create_application([APP_SLUG, "-platform", "offscreen"])


def default_font_family() -> str:
    """Return the family of the font Qt draws the window's text in, or "" when it has none.

    Qt still starts without any font (for instance without fontconfig's configuration):
    it then offers only the generic names and draws every letter as the same box, which
    the window step alone would not notice.
    """
    _application()
    font = QFont()
    glyphs = QRawFont.fromFont(font).glyphIndexesForString("Ab")
    if len(set(glyphs)) < 2 or 0 in glyphs:
        return ""  # every letter the same glyph: Qt's box font, no real font found
    return QFontInfo(font).family()


def show_main_window(store, database_path: Path, *, user: User, open_case: str | None,
                     screenshot: Path) -> bool:
    """Build and show the main window for ``user``, visit every page, grab it to ``screenshot``.

    ``store`` is the open demo database (only handed on to services). Returns True when
    every page was built and the grabbed image was written; Qt errors propagate.
    """
    application = _application()
    context = AppContext(store=store, database_path=database_path, demo=True, user=user)
    window = MainWindow(context)
    try:
        window.show()
        application.processEvents()
        for key, _title, _admin_only in PAGES:
            window.show_page(key)  # builds the page on first use
            application.processEvents()
        every_page_built = len(window.pages) == window.navigation.count() > 0
        if open_case is not None:
            window.show_page("cases")
            window.page("cases").open_case(open_case)
            application.processEvents()
        image = window.grab()
        written = not image.isNull() and image.save(str(screenshot), "PNG")
        return every_page_built and written
    finally:
        # hide(), not close(): closing would store this window's geometry in the user's
        # settings, and a smoke test leaves no trace.
        window.hide()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
