"""Unexpected errors in the desktop app: a short apology on screen, the details in a log.

Installed as ``sys.excepthook`` while the window is open. Work already committed
is safe in the database (every change is its own transaction); the traceback
goes to ``mtcr-desk.log`` in the user log folder for whoever supports the app,
never onto the officer's screen.
"""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtWidgets import QApplication, QMessageBox

from mtcr_desk import APP_NAME, paths

LOG_FILE_NAME = "mtcr-desk.log"
logger = logging.getLogger("mtcr_desk")


class LogFileOnFirstRecord(logging.Handler):
    """The rotating log file in the user log folder, opened when the first record comes.

    Most sessions log nothing. Opening the file, and importing ``logging.handlers``
    (sockets, pickling, queues), only then keeps both off the start-up path
    (bench/startup.py). A log file that cannot be opened (a read-only profile)
    leaves the app working: records then go to standard error, as Python's logging
    does when no handler is set.
    """

    def __init__(self, path):
        super().__init__()
        self.path = path
        self._file_handler: logging.Handler | None = None
        self._unavailable = False

    def setFormatter(self, fmt: logging.Formatter | None) -> None:  # noqa: N802 - logging's name
        super().setFormatter(fmt)
        if self._file_handler is not None:
            self._file_handler.setFormatter(fmt)

    def emit(self, record: logging.LogRecord) -> None:
        if self._file_handler is None and not self._unavailable:
            self._open_file()
        if self._file_handler is not None:
            self._file_handler.emit(record)
        elif record.levelno >= logging.lastResort.level:
            logging.lastResort.handle(record)  # warnings and errors, as with no handler

    def _open_file(self) -> None:
        from logging.handlers import RotatingFileHandler

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file_handler = RotatingFileHandler(
                self.path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        except (OSError, ValueError):  # ValueError: a path Python cannot use at all
            self._unavailable = True
            return
        self._file_handler.setFormatter(self.formatter)

    def flush(self) -> None:
        if self._file_handler is not None:
            self._file_handler.flush()

    def close(self) -> None:
        if self._file_handler is not None:
            self._file_handler.close()
        super().close()


def configure_logging() -> None:
    """Log to a rotating file in the user log folder (once per process)."""
    if any(isinstance(h, LogFileOnFirstRecord) for h in logger.handlers):
        return
    handler = LogFileOnFirstRecord(paths.user_log_dir() / LOG_FILE_NAME)
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
