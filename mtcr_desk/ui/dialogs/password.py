"""Ask the signed-in user for their password again before drafting or countersigning."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class PasswordDialog(QDialog):
    """Say what the password confirms and ask for it (the service checks it)."""

    def __init__(self, username: str, purpose: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Confirm with your password"))
        self.purpose = QLabel(purpose)
        self.purpose.setWordWrap(True)
        self.purpose.setAccessibleName(self.tr("What the password confirms"))
        self.username = QLineEdit(username)
        self.username.setReadOnly(True)
        self.username.setAccessibleName(self.tr("Username"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        form = QFormLayout()
        form.addRow(self.tr("Username:"), self.username)
        form.addRow(self.tr("&Password:"), self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Confirm"))
        ok.setAccessibleName(self.tr("Confirm with this password"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.purpose)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.password.setFocus()


def ask_password(parent: QWidget | None, username: str, purpose: str) -> str | None:
    """Return the password typed, or None when the user cancels."""
    dialog = PasswordDialog(username, purpose, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.password.text()
