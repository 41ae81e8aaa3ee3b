"""Tools > Office settings: what every memo prints in its header, paper size, backups.

Administrators change the settings here (the service refuses anyone else, and
audits each change); other users see them read-only. A refused value leaves
every setting as it was.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.users import Role
from mtcr_desk.services.backup import default_backup_folder
from mtcr_desk.services.settings import (
    MAX_BACKUPS_KEPT,
    PAGE_SIZES,
    OfficeSettings,
    load_settings,
    update_settings,
)
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.dialogs.refusal import show_refusal


class OfficeSettingsDialog(QDialog):
    """The office settings as a form; Save writes the changed ones."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Office settings"))
        self.setMinimumWidth(560)
        self.editable = (context.may_write and context.user is not None
                         and context.user.role is Role.ADMINISTRATOR)
        self.current: OfficeSettings = load_settings(context.store)

        self.organisation = QLineEdit(self.current.organisation)
        self.organisation.setAccessibleName(self.tr("Organisation"))
        self.marking = QLineEdit(self.current.security_marking)
        self.marking.setAccessibleName(self.tr("Security marking"))
        self.page_size = QComboBox()
        self.page_size.setAccessibleName(self.tr("Paper size"))
        self.page_size.addItems(PAGE_SIZES)
        self.page_size.setCurrentText(self.current.page_size)
        self.backup_folder = QLineEdit(self.current.backup_folder)
        self.backup_folder.setAccessibleName(self.tr("Backup folder"))
        self.backup_folder.setPlaceholderText(str(default_backup_folder(context.database_path)))
        self.browse_button = QPushButton(self.tr("&Browse…"))
        self.browse_button.setAccessibleName(self.tr("Choose the backup folder"))
        self.browse_button.clicked.connect(self._browse)
        self.backups_kept = QSpinBox()
        self.backups_kept.setAccessibleName(self.tr("Automatic backups kept"))
        self.backups_kept.setRange(1, MAX_BACKUPS_KEPT)
        self.backups_kept.setValue(self.current.backups_kept)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.backup_folder, stretch=1)
        folder_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow(self.tr("&Organisation:"), self.organisation)
        form.addRow(self.tr("Security &marking:"), self.marking)
        form.addRow(self.tr("&Paper size:"), self.page_size)
        # A row holding a layout gets no buddy by itself: without one "&" would show as typed.
        folder_label = QLabel(self.tr("Backup &folder:"))
        folder_label.setBuddy(self.backup_folder)
        form.addRow(folder_label, folder_row)
        form.addRow(self.tr("Automatic backups &kept:"), self.backups_kept)

        note = QLabel(self.tr(
            "The organisation and security marking are printed on every decision memo; a memo "
            "of record keeps what it printed when it was countersigned. One automatic backup "
            "is made a day, when the application closes.") if self.editable else self.tr(
            "Only an administrator changes the office settings."))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
            if self.editable else QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for widget in (self.organisation, self.marking, self.page_size, self.backup_folder,
                       self.browse_button, self.backups_kept):
            widget.setEnabled(self.editable)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Backup folder"),
                                                  self.backup_folder.text())
        if chosen:
            self.backup_folder.setText(chosen)

    def changes(self) -> dict[str, object]:
        """The settings the form changes, by field name."""
        wanted = {"organisation": self.organisation.text(),
                  "security_marking": self.marking.text(),
                  "page_size": self.page_size.currentText(),
                  "backup_folder": self.backup_folder.text().strip(),
                  "backups_kept": self.backups_kept.value()}
        return {name: value for name, value in wanted.items()
                if getattr(self.current, name) != value}

    def save(self) -> bool:
        """Write the changed settings; on a refusal show why and keep the dialog open."""
        changes = self.changes()
        if changes:
            try:
                self.current = update_settings(self.context.store, actor=self.context.user,
                                               **changes)
            except MtcrDeskError as error:
                show_refusal(self, error)
                return False
        self.accept()
        return True
