"""Long work off the GUI thread, with a progress dialog.

A *job* is a plain function ``job(progress, cancelled) -> result`` that runs on a
worker thread: it calls ``progress(done, total)`` as it goes (``total`` 0 means
"busy, no known length") and may check ``cancelled()`` to stop early. It must
not touch widgets, nor the GUI's database connection: one SQLite connection must
never be used by two threads at once, so a job that reads or writes the
database opens its own with :func:`~mtcr_desk.services.database.open_database`
and closes it when done (as :func:`verify_in_background` does).

:class:`BackgroundTask` is the signal-based building block; :func:`run_in_background`
runs one job behind a window-modal progress dialog and hands back its result,
or raises its exception, on the GUI thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.services import audit_check
from mtcr_desk.services.database import open_database
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.refusal import show_refusal

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]
Job = Callable[[Progress, IsCancelled], Any]

#: At most one progress report per this many seconds reaches the GUI thread (the last
#: one, ``done == total``, always does): a tight loop must not flood the event queue.
PROGRESS_INTERVAL = 0.05
#: A job that ends sooner than this never shows its progress dialog.
DIALOG_DELAY_MS = 400


def _tr(text: str) -> str:
    return QCoreApplication.translate("workers", text)


class JobCancelled(Exception):  # noqa: N818 - reads as a sentence: "job cancelled"
    """The user cancelled the job; whatever it returned is discarded."""


class _Thread(QThread):
    """Runs the job; reports through signals queued to the GUI thread."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, job: Job, cancel_event: threading.Event, parent: QObject | None):
        super().__init__(parent)
        self._job = job
        self._cancel_event = cancel_event
        self._last_report = 0.0

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_report >= PROGRESS_INTERVAL:
            self._last_report = now
            self.progressed.emit(int(done), int(total))

    def run(self) -> None:
        try:
            result = self._job(self._progress, self._cancel_event.is_set)
        except BaseException as error:  # noqa: BLE001 - every failure goes to the GUI thread
            self.failed.emit(error)
        else:
            self.succeeded.emit(result)


class BackgroundTask(QObject):
    """One job on a worker thread; its progress and outcome as signals on the GUI thread.

    Exactly one of :attr:`finished` (with the result), :attr:`failed` (with the
    exception) or :attr:`cancelled` is emitted, after the worker thread has ended.
    """

    #: ``(done, total)``; ``total`` 0 while the length is unknown.
    progressed = Signal(int, int)
    #: The job's return value.
    finished = Signal(object)
    #: The exception the job raised (its traceback is kept).
    failed = Signal(object)
    #: The user cancelled and the job has stopped.
    cancelled = Signal()

    def __init__(self, job: Job, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel_event = threading.Event()
        self._thread = _Thread(job, self._cancel_event, self)
        self._thread.progressed.connect(self.progressed)
        self._thread.succeeded.connect(self._on_succeeded)
        self._thread.failed.connect(self._on_failed)
        self.done = False

    def start(self) -> None:
        """Start the job on its own thread."""
        self._thread.start()

    def cancel(self) -> None:
        """Ask the job to stop: from now on its ``cancelled()`` returns True."""
        self._cancel_event.set()

    def is_cancel_requested(self) -> bool:
        return self._cancel_event.is_set()

    def wait(self, milliseconds: int = -1) -> bool:
        """Block until the worker thread has ended; False on timeout."""
        if milliseconds < 0:
            return self._thread.wait()
        return self._thread.wait(milliseconds)

    def _on_succeeded(self, result: object) -> None:
        self._thread.wait()  # the thread is ending: make it so before anyone reacts
        self.done = True
        if self._cancel_event.is_set():
            self.cancelled.emit()
        else:
            self.finished.emit(result)

    def _on_failed(self, error: BaseException) -> None:
        self._thread.wait()
        self.done = True
        if isinstance(error, JobCancelled):
            self.cancelled.emit()
        else:
            self.failed.emit(error)


class _ProgressDialog(QProgressDialog):
    """A progress dialog that cannot be dismissed unless the job may be cancelled."""

    def __init__(self, title: str, cancellable: bool, parent: QWidget | None):
        super().__init__(parent)
        self._cancellable = cancellable
        self.setWindowTitle(title)
        self.setLabelText(title)
        self.setAccessibleName(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(DIALOG_DELAY_MS)
        self.setRange(0, 0)  # busy until the job reports a length
        if cancellable:
            self.setCancelButtonText(_tr("&Cancel"))
        else:
            self.setCancelButton(None)

    def reject(self) -> None:  # Escape
        if self._cancellable:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._cancellable:
            super().closeEvent(event)
        else:
            event.ignore()

    def show_cancelling(self) -> None:
        """Stay up, window-modal, until the job has actually stopped (Qt hides on cancel)."""
        self.setLabelText(_tr("Cancelling…"))
        self.setRange(0, 0)
        self.show()

    def show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.setRange(0, 0)
            return
        self.setRange(0, total)
        self.setValue(min(done, total))


def run_in_background(parent: QWidget | None, title: str, job: Job, *,
                      cancellable: bool = False) -> Any:
    """Run ``job(progress, cancelled)`` on a worker thread and return its result.

    A window-modal progress dialog titled ``title`` shows while it runs (only
    when it takes longer than :data:`DIALOG_DELAY_MS`); the GUI stays responsive.
    The job's exception is raised again here, on the GUI thread. When the user
    cancels a ``cancellable`` job, :class:`JobCancelled` is raised once the job
    has stopped.
    """
    task = BackgroundTask(job)
    dialog = _ProgressDialog(title, cancellable, parent)
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def finish(key: str, value: Any = None) -> None:
        outcome[key] = value
        loop.quit()

    task.progressed.connect(dialog.show_progress)
    task.finished.connect(lambda result: finish("result", result))
    task.failed.connect(lambda error: finish("error", error))
    task.cancelled.connect(lambda: finish("cancelled"))
    if cancellable:
        dialog.canceled.connect(task.cancel)
        dialog.canceled.connect(dialog.show_cancelling)
    task.start()
    try:
        if not task.done:
            loop.exec()
    finally:
        task.wait()
        dialog.reset()  # stops the timer that would show it after DIALOG_DELAY_MS
        dialog.hide()
        dialog.deleteLater()
        task.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    if "cancelled" in outcome:
        raise JobCancelled(_tr("Cancelled"))
    return outcome.get("result")


def verify_in_background(parent: QWidget | None,
                         context: AppContext) -> audit_check.VerifyResult | None:
    """Recompute the audit chain on a worker thread with its own connection.

    Returns the result, or None when the database could not be read (the
    refusal has then been shown). Other exceptions are raised here.
    """
    path = context.database_path

    def job(progress: Progress, _cancelled: IsCancelled) -> audit_check.VerifyResult:
        progress(0, 0)
        # Its own connection, read-only whatever the session: verifying only reads,
        # and must not load shipped data or migrate as a writable open would.
        store = open_database(path, read_only=True)
        try:
            return audit_check.verify(store)
        finally:
            store.close()

    try:
        return run_in_background(parent, _tr("Verifying the audit chain…"), job)
    except MtcrDeskError as error:
        show_refusal(parent, error)
        return None
