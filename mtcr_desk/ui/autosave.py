"""Autosave of text boxes in an open case, and the offer to restore it after a crash.

:class:`TextAutosaver` watches named text widgets (QPlainTextEdit, QTextEdit,
QLineEdit) of one case. Changed text is saved as a draft every
:data:`AUTOSAVE_INTERVAL_MS` and when a box loses focus, through
:class:`~mtcr_desk.services.autosave.DraftStore`; text equal to what is
recorded (or blank) removes the draft instead. Call :meth:`TextAutosaver.committed`
when a field's text has been recorded.

:func:`offer_recovered_drafts` runs when a case opens: when drafts were left
(the app was closed or killed with text unrecorded), it asks "Restore / Discard"
and puts restored text back into the boxes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit, QTextEdit, QWidget

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.services.autosave import Draft, DraftStore

AUTOSAVE_INTERVAL_MS = 10_000
TextWidget = QPlainTextEdit | QTextEdit | QLineEdit


def _tr(text: str) -> str:
    return QCoreApplication.translate("autosave", text)


def widget_text(widget: TextWidget) -> str:
    """The text in a watched widget."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    return widget.toPlainText()


def set_widget_text(widget: TextWidget, text: str) -> None:
    """Put text into a watched widget (as if typed: its change signals fire)."""
    if isinstance(widget, QLineEdit):
        widget.setText(text)
    else:
        widget.setPlainText(text)


class _Watched:
    """One watched source of text: how to read it, its draft field name and recorded text."""

    def __init__(self, field: str | Callable[[], str | None], read: Callable[[], str],
                 committed: Callable[[], str] | None, widget: QObject | None = None):
        self.field = field
        self.read = read
        self.committed = committed
        self.widget = widget
        self.dirty = False

    def field_name(self) -> str | None:
        return self.field() if callable(self.field) else self.field


class TextAutosaver(QObject):
    """Saves the text of watched boxes of one case as drafts, every 10 s and on focus-out.

    ``field`` may be a callable for a box whose meaning changes (the assessment
    rationale shows the selected item's): it returns the field name now, or None
    while nothing is to be saved.
    """

    def __init__(self, drafts: DraftStore, reference: str, parent: QObject | None = None, *,
                 interval_ms: int = AUTOSAVE_INTERVAL_MS):
        super().__init__(parent)
        self.drafts = drafts
        self.reference = reference
        self._watched: list[_Watched] = []
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.save_now)
        self._timer.start()
        #: The last error from saving (a full disk); the next save tries again.
        self.last_error: MtcrDeskError | None = None

    def watch(self, field: str | Callable[[], str | None], widget: TextWidget, *,
              committed: Callable[[], str] | None = None) -> None:
        """Watch ``widget`` as draft field ``field``; ``committed`` returns the recorded text."""
        watched = _Watched(field, lambda: widget_text(widget), committed, widget)
        self._watched.append(watched)
        widget.textChanged.connect(lambda *_args, w=watched: self._changed(w))
        widget.installEventFilter(self)

    def watch_source(self, field: str | Callable[[], str | None], changed, read: Callable[[], str],
                     *, committed: Callable[[], str] | None = None) -> None:
        """Watch text that is not in one text box (the list of conditions added so far).

        ``changed`` is a signal (or several, in a tuple) emitted when the text may have
        changed; ``read`` returns the text now.
        """
        watched = _Watched(field, read, committed)
        self._watched.append(watched)
        for signal in changed if isinstance(changed, tuple) else (changed,):
            signal.connect(lambda *_args, w=watched: self._changed(w))

    def _changed(self, watched: _Watched) -> None:
        watched.dirty = True

    def eventFilter(self, watched_object: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusOut:
            for watched in self._watched:
                if watched.widget is watched_object and watched.dirty:
                    self._save(watched)
        return False

    def save_now(self) -> None:
        """Save every box changed since the last save."""
        for watched in self._watched:
            if watched.dirty:
                self._save(watched)

    def _save(self, watched: _Watched) -> None:
        field = watched.field_name()
        watched.dirty = False
        if field is None:
            return
        try:
            text = watched.read()
        except RuntimeError:  # the widget is gone (the workspace is closing)
            return
        recorded = watched.committed() if watched.committed is not None else ""
        try:
            if text == recorded or not text.strip():
                self.drafts.discard(self.reference, field)
            else:
                self.drafts.save(self.reference, field, text)
            self.last_error = None
        except MtcrDeskError as error:
            # A full disk must not interrupt typing; the next change tries again.
            self.last_error = error
            watched.dirty = True

    def committed(self, field: str) -> None:
        """The text of ``field`` was recorded: its draft goes."""
        for watched in self._watched:
            if watched.field_name() == field:
                watched.dirty = False
        self.drafts.discard(self.reference, field)

    def stop(self) -> None:
        """Save what changed and stop the timer (the case is being closed)."""
        self.save_now()
        self._timer.stop()


def _describe(draft: Draft, labels: Mapping[str, str]) -> str:
    line = draft.first_line
    if len(line) > 80:
        line = line[:77] + "…"
    label = labels.get(draft.field, draft.field)
    return f"• {label}, {draft.saved_at.replace('T', ' ').replace('Z', ' UTC')}: {line}"


def ask_restore(parent: QWidget | None, reference: str, drafts: list[Draft],
                labels: Mapping[str, str]) -> bool:
    """Ask whether to restore the drafts found; True for Restore."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_tr("Unsaved text recovered"))
    box.setText(_tr("Unsaved text was recovered for %1:").replace("%1", reference))
    box.setInformativeText("\n".join(_describe(draft, labels) for draft in drafts))
    restore = box.addButton(_tr("&Restore"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_tr("&Discard"), QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def offer_recovered_drafts(parent: QWidget | None, drafts: DraftStore, reference: str,
                           widgets: Mapping[str, TextWidget | Callable[[str], None]], *,
                           labels: Mapping[str, str] | None = None,
                           ask: Callable[[QWidget | None, str, list[Draft], Mapping[str, str]],
                                         bool] = ask_restore) -> list[Draft]:
    """Offer the drafts of a case left by an earlier session; return those restored.

    ``widgets`` maps a field name to its box, or to a function that puts the text
    back (for a box that needs an item selected first). Drafts of fields not in
    ``widgets`` are left alone. Discard removes the drafts offered.
    """
    found = [draft for draft in drafts.list(reference) if draft.field in widgets]
    if not found:
        return []
    if not ask(parent, reference, found, labels or {}):
        for draft in found:
            drafts.discard(draft.reference, draft.field)
        return []
    for draft in found:
        target = widgets[draft.field]
        if not isinstance(target, QWidget):
            target(draft.text)
        else:
            set_widget_text(target, draft.text)
    # The drafts stay on disk until the text is recorded or the boxes are saved again.
    return found
