"""Sign-in and first-run dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services import users


class SignInDialog(QDialog):
    """Ask for a username and password; accept only when they are right."""

    def __init__(self, store, *, parent=None, hint: str = ""):
        super().__init__(parent)
        self._store = store
        self.user: User | None = None
        self.setWindowTitle(self.tr("Sign in"))
        self.username = QLineEdit()
        self.username.setAccessibleName(self.tr("Username"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.message = QLabel(hint)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Sign-in message"))
        form = QFormLayout()
        form.addRow(self.tr("&Username:"), self.username)
        form.addRow(self.tr("&Password:"), self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    def try_sign_in(self) -> None:
        """Check the password; stay open with the reason when it is refused."""
        try:
            self.user = users.authenticate(self._store, username=self.username.text().strip(),
                                           password=self.password.text())
        except MtcrDeskError as error:
            self.message.setText(error.message)
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()


class FirstRunDialog(QDialog):
    """On a database without users: create its administrator, or open the demo instead."""

    def __init__(self, store, *, parent=None):
        super().__init__(parent)
        self._store = store
        self.user: User | None = None
        self.wants_demo = False
        self.setWindowTitle(self.tr("New database: create its administrator"))
        intro = QLabel(self.tr(
            "This database has no users yet. Create the administrator account, who then "
            "adds the officers. To look around first, open the demo database instead."))
        intro.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setAccessibleName(self.tr("Administrator username"))
        self.display_name = QLineEdit()
        self.display_name.setAccessibleName(self.tr("Full name"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName(self.tr("Password again"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Username:"), self.username)
        form.addRow(self.tr("Full &name:"), self.display_name)
        form.addRow(self.tr("&Password:"), self.password)
        form.addRow(self.tr("&Again:"), self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Create administrator"))
        demo = QPushButton(self.tr("Open the &demo instead"))
        buttons.addButton(demo, QDialogButtonBox.ButtonRole.ActionRole)
        demo.clicked.connect(self._choose_demo)
        buttons.accepted.connect(self.create_administrator)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _choose_demo(self) -> None:
        self.wants_demo = True
        self.accept()

    def create_administrator(self) -> None:
        """Create the first account; stay open with the reason when it is refused."""
        if self.password.text() != self.repeat.text():
            self.message.setText(self.tr("The two passwords differ."))
            return
        try:
            self.user = users.add_user(
                self._store, username=self.username.text().strip(),
                display_name=self.display_name.text().strip(), role=Role.ADMINISTRATOR,
                password=self.password.text(), actor=None)
        except MtcrDeskError as error:
            self.message.setText(error.message)
            return
        self.accept()
