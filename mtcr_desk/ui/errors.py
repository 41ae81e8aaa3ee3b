"""Unexpected errors in the desktop app: a short apology on screen, the details in a log.

Installed as ``sys.excepthook`` while the window is open. Work already committed
is safe in the database (every change is its own transaction); the traceback
goes to ``mtcr-desk.log`` in the user log folder for whoever supports the app,
never onto the officer's screen.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback

from PySide6.QtWidgets import QApplication, QMessageBox

from mtcr_desk import APP_NAME, paths

LOG_FILE_NAME = "mtcr-desk.log"
logger = logging.getLogger("mtcr_desk")


def configure_logging() -> None:
    """Log to a rotating file in the user log folder (once per process)."""
    if any(isinstance(h, logging.handlers.RotatingFileHandler) for h in logger.handlers):
        return
    folder = paths.user_log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE_NAME, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return  # a read-only profile: the app still works, without a log file
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def handle_unexpected(exc_type, exc_value, exc_traceback) -> None:
    """Log the traceback and show a short apology instead of crashing."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc_value, exc_traceback)
        return
    # Above debug level the log holds where it went wrong, never what was typed: the
    # exception's message can quote case text (an applicant, a rationale), so it is only
    # logged at debug level. The frames (file, line, function) name no case content.
    frames = "".join(traceback.format_tb(exc_traceback))
    logger.error("unexpected error: %s.%s\n%s", exc_type.__module__, exc_type.__qualname__,
                 frames)
    logger.debug("its message: %s", exc_value)
    if QApplication.instance() is not None:
        QMessageBox.critical(
            None, APP_NAME,
            QApplication.translate(
                "errors",
                "Sorry: something went wrong that MTCR Desk did not expect. Work already "
                "saved is safe. The details are in {log} for whoever supports the app.",
            ).format(log=paths.user_log_dir() / LOG_FILE_NAME))


def install() -> None:
    """Route unexpected exceptions to :func:`handle_unexpected`."""
    configure_logging()
    sys.excepthook = handle_unexpected
