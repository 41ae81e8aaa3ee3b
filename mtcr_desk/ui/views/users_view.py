"""The users page, for administrators: every account, and adding one.

The table shows :class:`UserTableModel` over :func:`services.users.list_users`;
"Add user…" opens :class:`AddUserDialog`, which calls
:func:`services.users.add_user` as the signed-in administrator and keeps a
refusal on screen, in the service's words, until it is put right.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services import users
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.models.list_table_model import ListTableModel

COLUMNS = ("Username", "Name", "Role", "Active", "Locked until")
COL_USERNAME, COL_NAME, COL_ROLE, COL_ACTIVE, COL_LOCKED = range(len(COLUMNS))

#: The :class:`~mtcr_desk.domain.users.User` of the row, in every column.
UserRole = Qt.ItemDataRole.UserRole + 1

#: Role names as the page shows them.
ROLE_TITLES = {Role.OFFICER: "Officer", Role.SENIOR_OFFICER: "Senior officer",
               Role.TRAINER: "Trainer", Role.ADMINISTRATOR: "Administrator"}
ERROR_STYLE = "color:#b91c1c"
MUTED_STYLE = "color:#7b8494"  # readable on light and dark palettes


def _tr(text: str) -> str:
    return QCoreApplication.translate("users_view", text)


def locked_until_text(user: User, now: datetime | None = None) -> str:
    """``2026-03-01 14:05 UTC`` while the account is locked; empty otherwise."""
    if not user.locked_until:
        return ""
    try:
        until = datetime.fromisoformat(user.locked_until)
    except ValueError:
        return user.locked_until
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if until <= (now or datetime.now(UTC)):
        return ""  # the lock has run out; it is cleared at the next sign-in
    return until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class UserTableModel(ListTableModel):
    """Every account, one per row, in username order."""

    columns = COLUMNS
    translation_context = "users_view"

    def row_key(self, row_object: User) -> str:
        return row_object.username

    def user_at(self, row: int) -> User | None:
        return self.row_at(row)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        user = self.user_at(index.row()) if index.isValid() else None
        if user is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_USERNAME:
                return user.username
            if column == COL_NAME:
                return user.display_name
            if column == COL_ROLE:
                return _tr(ROLE_TITLES[user.role])
            if column == COL_ACTIVE:
                return _tr("yes") if user.active else _tr("disabled")
            if column == COL_LOCKED:
                return locked_until_text(user)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_ACTIVE and not user.active:
                return QColor("#b91c1c")
            if column == COL_LOCKED:
                return QColor("#b91c1c")
        if role == UserRole:
            return user
        return None


class AddUserDialog(QDialog):
    """Username, full name, role and password twice; adds the account when accepted."""

    #: Emitted with the new account once it is stored.
    user_added = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.user: User | None = None
        self.setWindowTitle(self.tr("Add user"))
        self.username = QLineEdit()
        self.username.setAccessibleName(self.tr("Username"))
        self.username.setPlaceholderText(self.tr("lower-case, e.g. olga.officer"))
        self.username.setMaxLength(64)
        self.display_name = QLineEdit()
        self.display_name.setAccessibleName(self.tr("Full name"))
        self.role = QComboBox()
        self.role.setAccessibleName(self.tr("Role"))
        for role in Role:
            self.role.addItem(self.tr(ROLE_TITLES[role]), role.value)
        self.role.setCurrentIndex(self.role.findData(Role.OFFICER.value))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.password.setPlaceholderText(
            self.tr("at least %d characters") % users.MIN_PASSWORD_LENGTH)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName(self.tr("Password again"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Add-user message"))
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)

        form = QFormLayout()
        form.addRow(self.tr("&Username:"), self.username)
        form.addRow(self.tr("Full &name:"), self.display_name)
        form.addRow(self.tr("&Role:"), self.role)
        form.addRow(self.tr("&Password:"), self.password)
        form.addRow(self.tr("&Again:"), self.repeat)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Add user"))
        ok.setAccessibleName(self.tr("Add the user"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            self.tr("Cancel"))
        self.buttons.accepted.connect(self.create_user)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def create_user(self) -> bool:
        """Add the account; on a refusal stay open with the reason. True when added."""
        if self.password.text() != self.repeat.text():
            self._refuse(self.tr("The two passwords differ."), self.repeat)
            return False
        try:
            self.user = users.add_user(
                self.context.store, username=self.username.text().strip(),
                display_name=self.display_name.text().strip(),
                role=Role(self.role.currentData()), password=self.password.text(),
                actor=self.context.user)
        except MtcrDeskError as error:
            field = (self.password if error.message.startswith("password")
                     else self.display_name if error.message.startswith("name")
                     else self.username)
            self._refuse(error.message, field)
            return False
        self.message.setVisible(False)
        self.user_added.emit(self.user)
        self.accept()
        return True

    def _refuse(self, text: str, field: QLineEdit) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        field.selectAll()


class UsersView(QWidget):
    """The table of accounts and the button that adds one."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        user = context.user
        self.may_add = (user is not None and user.role is Role.ADMINISTRATOR
                        and not context.read_only)

        self.title_label = QLabel("<b>" + self.tr("Users") + "</b>")
        self.count_label = QLabel()
        self.count_label.setAccessibleName(self.tr("Number of users"))
        self.add_button = QPushButton(self.tr("&Add user…"))
        self.add_button.setAccessibleName(self.tr("Add a user"))
        self.add_button.setEnabled(self.may_add)
        self.note_label = QLabel()
        self.note_label.setAccessibleName(self.tr("Users page note"))
        self.note_label.setStyleSheet(MUTED_STYLE)
        self.note_label.setWordWrap(True)
        if context.read_only:
            self.note_label.setText(self.tr(
                "Read-only: users cannot be added while another window has this database "
                "open for writing."))
        elif not self.may_add:
            self.note_label.setText(self.tr("Only an administrator adds users."))
        else:
            self.note_label.setText(self.tr(
                "New accounts sign in with the password given here. Five wrong passwords "
                "lock an account for 15 minutes."))
        self.message_label = QLabel()
        self.message_label.setAccessibleName(self.tr("Users page message"))
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setVisible(False)

        self.model = UserTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Users"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        metrics = self.table.fontMetrics()
        for column, sample in ((COL_USERNAME, "olga.officer.long"),
                               (COL_ROLE, "Senior officer"), (COL_ACTIVE, "disabled"),
                               (COL_LOCKED, "2026-12-31 23:59 UTC")):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 32)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)

        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.note_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, stretch=1)
        QWidget.setTabOrder(self.add_button, self.table)

        self.add_button.clicked.connect(self.ask_add_user)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        """Read the accounts again; select ``select`` (a username) when given."""
        try:
            rows = users.list_users(self.context.store)
        except MtcrDeskError as error:
            self.message_label.setText(error.message)
            self.message_label.setVisible(True)
            return
        self.message_label.setVisible(False)
        self.model.set_rows(rows)
        count = len(rows)
        self.count_label.setText(self.tr("1 user") if count == 1
                                 else self.tr("%d users") % count)
        if select is not None and (row := self.model.row_of(select)) is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def usernames(self) -> list[str]:
        """The usernames shown, in table order."""
        return [self.model.index(row, COL_USERNAME).data()
                for row in range(self.model.rowCount())]

    def new_user_dialog(self) -> AddUserDialog:
        """The add-user dialog, wired to refresh this page when it adds someone."""
        dialog = AddUserDialog(self.context, self)
        dialog.user_added.connect(lambda user: self.refresh(select=user.username))
        return dialog

    def ask_add_user(self) -> None:
        """Open the add-user dialog (the Add user… button)."""
        if not self.may_add:
            return
        dialog = self.new_user_dialog()
        dialog.exec()
        dialog.deleteLater()
