"""Background jobs: off the GUI thread, progress, results, errors, cancel, audit verify."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from mtcr_desk.domain.errors import NotOurDatabaseError, RuleViolation
from mtcr_desk.services import audit_check
from mtcr_desk.ui import workers
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.workers import BackgroundTask, JobCancelled, run_in_background

#: Upper bound for a job that waits to be cancelled, so a broken cancel fails, not hangs.
PATIENCE = 10.0


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_a_job_runs_off_the_gui_thread_and_returns_its_result(qtbot, parent):
    gui_thread = threading.get_ident()
    seen = {}

    def job(progress, cancelled):
        seen["thread"] = threading.get_ident()
        for done in range(1, 4):
            progress(done, 3)
        return "result"

    assert run_in_background(parent, "Working", job) == "result"
    assert seen["thread"] != gui_thread
    assert parent.findChild(QProgressDialog) is None or not parent.findChild(
        QProgressDialog).isVisible()


def test_progress_reaches_the_gui_thread_and_the_last_report_always_does(qtbot):
    gui_thread = threading.get_ident()
    reports, threads = [], set()

    def job(progress, cancelled):
        for done in range(1, 1001):
            progress(done, 1000)  # far faster than reports are passed on
        return 42

    task = BackgroundTask(job)

    def on_progress(done, total):
        reports.append((done, total))
        threads.add(threading.get_ident())

    task.progressed.connect(on_progress)
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        task.start()
    assert blocker.args == [42]
    assert reports and reports[-1] == (1000, 1000)
    assert len(reports) < 1000  # throttled
    assert threads == {gui_thread}


def test_the_progress_dialog_follows_a_slow_job(qtbot, parent, monkeypatch):
    monkeypatch.setattr(workers, "DIALOG_DELAY_MS", 0)
    shown = []

    def job(progress, cancelled):
        for done in range(5):
            progress(done, 4)
            time.sleep(0.08)
        return "done"

    def look():
        dialog = parent.findChild(QProgressDialog)
        if dialog is not None:
            shown.append((dialog.isVisible(), dialog.maximum(), dialog.labelText()))

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(60)
    try:
        assert run_in_background(parent, "Counting items", job) == "done"
    finally:
        timer.stop()
    assert any(visible and maximum == 4 and label == "Counting items"
               for visible, maximum, label in shown)


def test_an_exception_in_the_job_is_raised_on_the_gui_thread(qtbot, parent):
    def job(progress, cancelled):
        raise RuleViolation("reference data: refused for the test")

    with pytest.raises(RuleViolation, match="refused for the test"):
        run_in_background(parent, "Failing", job)

    gui_thread = threading.get_ident()
    caught = {}

    def failing(progress, cancelled):
        raise ValueError("boom")

    task = BackgroundTask(failing)
    task.failed.connect(lambda error: caught.update(error=error,
                                                    thread=threading.get_ident()))
    with qtbot.waitSignal(task.failed, timeout=5000):
        task.start()
    assert isinstance(caught["error"], ValueError)
    assert caught["thread"] == gui_thread
    assert caught["error"].__traceback__ is not None  # where it happened, for the log


def test_cancel_stops_a_cancellable_job(qtbot, parent, monkeypatch):
    monkeypatch.setattr(workers, "DIALOG_DELAY_MS", 0)
    stopped = threading.Event()

    def job(progress, cancelled):
        deadline = time.monotonic() + PATIENCE
        while not cancelled() and time.monotonic() < deadline:
            progress(0, 0)
            time.sleep(0.01)
        if cancelled():
            stopped.set()
        return "finished anyway"

    def press_cancel():
        dialog = parent.findChild(QProgressDialog)
        assert dialog is not None
        dialog.findChild(QPushButton).click()

    QTimer.singleShot(200, press_cancel)
    started = time.monotonic()
    with pytest.raises(JobCancelled):
        run_in_background(parent, "Waiting", job, cancellable=True)
    assert stopped.is_set()
    assert time.monotonic() - started < PATIENCE / 2


def test_a_task_reports_cancelled_when_the_job_raises_job_cancelled(qtbot):
    def job(progress, cancelled):
        deadline = time.monotonic() + PATIENCE
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise JobCancelled("stopped")

    task = BackgroundTask(job)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.start()
        task.cancel()
    assert task.is_cancel_requested() and task.done


def test_a_job_that_cannot_be_cancelled_has_no_cancel_button(qtbot, parent, monkeypatch):
    monkeypatch.setattr(workers, "DIALOG_DELAY_MS", 0)
    buttons = []

    def look():
        dialog = parent.findChild(QProgressDialog)
        if dialog is not None:
            buttons.append(dialog.findChild(QPushButton))
            dialog.reject()  # Escape: ignored

    QTimer.singleShot(100, look)

    def job(progress, cancelled):
        time.sleep(0.3)
        return "kept"

    assert run_in_background(parent, "Busy", job) == "kept"
    assert buttons == [None]


def test_verify_in_background_checks_a_real_database_on_its_own_connection(
        qtbot, store, people, parent, monkeypatch):
    context = AppContext(store=store, database_path=store.path, user=people["admin"])
    real_verify = audit_check.verify
    calls = []

    def spy(on_store):
        calls.append((on_store, threading.get_ident()))
        return real_verify(on_store)

    monkeypatch.setattr(audit_check, "verify", spy)
    result = workers.verify_in_background(parent, context)
    assert result is not None and result.ok
    assert result.rows > len(people)
    assert result.head_hash == real_verify(store).head_hash
    [(used_store, thread)] = calls
    assert used_store is not store and thread != threading.get_ident()
    assert audit_check.describe(result).startswith("intact (")


def test_verify_in_background_shows_a_refusal_when_the_file_cannot_be_opened(
        qtbot, store, parent, tmp_path, monkeypatch):
    not_ours = tmp_path / "notes.sqlite"
    not_ours.write_text("not a database", encoding="utf-8")
    refused = []
    monkeypatch.setattr(workers, "show_refusal", lambda widget, error: refused.append(error))
    context = AppContext(store=store, database_path=not_ours)
    assert workers.verify_in_background(parent, context) is None
    assert len(refused) == 1 and isinstance(refused[0], NotOurDatabaseError)
