"""Unexpected errors: an apology on screen, the traceback in the log file."""

from __future__ import annotations

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


def test_the_log_file_is_opened_by_the_first_record_only(tmp_path, monkeypatch):
    monkeypatch.setenv("MTCR_DESK_LOG_DIR", str(tmp_path / "logs"))
    for handler in list(errors.logger.handlers):
        errors.logger.removeHandler(handler)
    errors.configure_logging()
    errors.configure_logging()  # once per process: a second call adds nothing
    assert len(errors.logger.handlers) == 1
    assert not (tmp_path / "logs").exists()  # a session that logs nothing writes nothing
    errors.logger.warning("memos of record not kept on opening: %s", "OSError")
    errors.logger.handlers[0].flush()
    log = (tmp_path / "logs" / errors.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "WARNING mtcr_desk: memos of record not kept on opening: OSError" in log
    for handler in list(errors.logger.handlers):
        errors.logger.removeHandler(handler)
        handler.close()


def test_a_log_folder_that_cannot_be_made_leaves_the_app_working(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be", encoding="utf-8")
    monkeypatch.setenv("MTCR_DESK_LOG_DIR", str(blocker / "logs"))
    for handler in list(errors.logger.handlers):
        errors.logger.removeHandler(handler)
    errors.configure_logging()
    errors.logger.error("unexpected error: %s", "builtins.RuntimeError")  # no exception
    errors.logger.error("and again")
    assert blocker.read_text(encoding="utf-8") == "a file where the log folder should be"
    for handler in list(errors.logger.handlers):
        errors.logger.removeHandler(handler)
        handler.close()
