"""Unexpected errors: an apology on screen, the traceback in the log file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from mtcr_desk.ui import errors


def test_an_unexpected_error_is_logged_and_apologised_for(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("MTCR_DESK_LOG_DIR", str(tmp_path))
    for handler in list(errors.logger.handlers):
        errors.logger.removeHandler(handler)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    errors.configure_logging()
    try:
        applicant = "".join(("Acme", " Rocketry"))  # case text, as a record would hold it
        raise RuntimeError(f"boom in a slot: applicant {applicant}")
    except RuntimeError as error:
        errors.handle_unexpected(type(error), error, error.__traceback__)
    for handler in errors.logger.handlers:
        handler.flush()
    log = (tmp_path / errors.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in log and "test_errors.py" in log  # what and where
    # The message may quote case text, so it stays out of the log above debug level.
    assert "Acme Rocketry" not in log
    assert shown and shown[0].startswith("Sorry: something went wrong")
    assert "boom" not in shown[0]  # no technical detail in front of the user
    for handler in list(errors.logger.handlers):
        errors.logger.removeHandler(handler)
        handler.close()


@pytest.fixture
def no_log_handlers():
    """The app logger without handlers before and after the test (closed, not leaked)."""
    def remove_all():
        for handler in list(errors.logger.handlers):
            errors.logger.removeHandler(handler)
            handler.close()

    remove_all()
    yield
    remove_all()


def test_the_log_file_is_opened_by_the_first_record_only(tmp_path, monkeypatch,
                                                         no_log_handlers):
    monkeypatch.setenv("MTCR_DESK_LOG_DIR", str(tmp_path / "logs"))
    errors.configure_logging()
    errors.configure_logging()  # once per process: a second call adds nothing
    assert len(errors.logger.handlers) == 1
    assert not (tmp_path / "logs").exists()  # a session that logs nothing writes nothing
    errors.logger.warning("backup folder missing: %s", "FileNotFoundError")
    errors.logger.handlers[0].flush()
    log = (tmp_path / "logs" / errors.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "WARNING mtcr_desk: backup folder missing: FileNotFoundError" in log
    # A formatter set later reaches the open file too.
    errors.logger.handlers[0].setFormatter(errors.logging.Formatter("later %(message)s"))
    errors.logger.warning("second")
    errors.logger.handlers[0].flush()
    assert (tmp_path / "logs" / errors.LOG_FILE_NAME).read_text(
        encoding="utf-8").endswith("later second\n")


@pytest.mark.parametrize("unusable", ["file-in-the-way", "nul-in-the-path"])
def test_a_log_file_that_cannot_be_opened_leaves_the_app_working(unusable, tmp_path,
                                                                 monkeypatch, capsys,
                                                                 no_log_handlers):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be", encoding="utf-8")
    folder = blocker / "logs" if unusable == "file-in-the-way" else f"{tmp_path}/lo\0gs"
    monkeypatch.setattr(errors.paths, "user_log_dir", lambda: Path(folder))
    errors.configure_logging()
    errors.logger.error("unexpected error: %s", "builtins.RuntimeError")  # raises nothing
    errors.logger.error("and again")
    errors.logger.info("a detail only a log file keeps")
    assert blocker.read_text(encoding="utf-8") == "a file where the log folder should be"
    # Still told somewhere: standard error, as with no handler at all.
    assert capsys.readouterr().err.splitlines() == [
        "unexpected error: builtins.RuntimeError", "and again"]
