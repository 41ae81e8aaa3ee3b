"""Show a refusal (a service's MtcrDeskError) in text the user can select and copy.

An officer often needs to pass the exact wording on (to a colleague, into a
note), so the message sits in a read-only text box rather than a message box
label, with a Copy button. A RulesNotMet refusal lists every unmet rule, one
per line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.errors import MtcrDeskError, RulesNotMet


def refusal_text(error: BaseException) -> str:
    """Return the refusal as plain text: the action, then one unmet rule per line."""
    if isinstance(error, RulesNotMet):
        count = len(error.failures)
        lines = [f"{error.action}: {count} rule{'s are' if count != 1 else ' is'} not met:"]
        lines.extend(f"• {failure}" for failure in error.failures)
        return "\n".join(lines)
    if isinstance(error, MtcrDeskError):
        return error.message
    return f"Internal error ({type(error).__name__}): {error}"


class RefusalDialog(QDialog):
    """A refusal in a selectable, copyable text box."""

    def __init__(self, error: BaseException, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Refused") if isinstance(error, MtcrDeskError)
                            else self.tr("Error"))
        self.heading = QLabel("<b>" + (self.tr("This was refused; nothing was changed.")
                                       if isinstance(error, MtcrDeskError)
                                       else self.tr("Something went wrong.")) + "</b>")
        self.heading.setAccessibleName(self.tr("Refusal heading"))
        self.text = QPlainTextEdit(refusal_text(error))
        self.text.setReadOnly(True)
        # Read-only text is selectable by mouse only by default; keyboard users copy too.
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(self.tr("Refusal message"))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        self.text.setFont(font)
        self.copy_button = QPushButton(self.tr("&Copy"))
        self.copy_button.setAccessibleName(self.tr("Copy the message"))
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(
            self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, stretch=1)
        layout.addWidget(buttons)
        self.resize(560, 260)
        self.text.setFocus()

    def copy(self) -> None:
        """Put the whole message on the clipboard."""
        QGuiApplication.clipboard().setText(self.text.toPlainText())


def show_refusal(parent: QWidget | None, error: BaseException) -> None:
    """Show the refusal modally until the user closes it."""
    RefusalDialog(error, parent).exec()
