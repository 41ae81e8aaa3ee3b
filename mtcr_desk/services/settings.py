"""Office settings: what the memo prints in its header and footer, and how backups rotate.

Settings belong to the office's record, so they live in the database (audited,
changed by an administrator), not in the per-user QSettings that keep only window
geometry. A setting never stored has its default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from mtcr_desk.domain.errors import InvalidInputError, RuleViolation
from mtcr_desk.domain.text import text_problem
from mtcr_desk.domain.users import Role, User
from mtcr_desk.storage import settings as settings_store
from mtcr_desk.storage.database import Store

PAGE_SIZES = ("A4", "Letter")
MAX_BACKUPS_KEPT = 365


@dataclass(frozen=True)
class OfficeSettings:
    """Every office setting, with its default."""

    #: Printed in the memo's header and as the PDF's author.
    organisation: str = "Export Control Office"
    #: Printed at the top and bottom of every memo page.
    security_marking: str = "OFFICIAL-SENSITIVE"
    #: "A4" or "Letter".
    page_size: str = "A4"
    #: Folder for automatic and manual backups; empty means the user data folder's backups/.
    backup_folder: str = ""
    #: How many automatic backups are kept (the oldest go first).
    backups_kept: int = 10


def is_training_database(store: Store) -> bool:
    """True when ``store`` is the training sandbox (every case in it is a training case)."""
    return settings_store.is_training_database(store.connection)


def load_settings(store: Store) -> OfficeSettings:
    """Return the settings of the open database (defaults for anything never stored)."""
    stored = settings_store.all_settings(store.connection)
    values: dict[str, object] = {}
    for setting in fields(OfficeSettings):
        if setting.name not in stored:
            continue
        text = stored[setting.name]
        values[setting.name] = int(text) if setting.type in (int, "int") else text
    return OfficeSettings(**values)


def _validated(settings: OfficeSettings) -> OfficeSettings:
    for name in ("organisation", "security_marking"):
        value = getattr(settings, name).strip()
        label = name.replace("_", " ")
        if not value:
            raise InvalidInputError(f"{label}: must not be empty")
        if len(value) > 120:
            raise InvalidInputError(f"{label}: at most 120 characters")
        problem = text_problem(value) or ("is more than one line" if "\n" in value else None)
        if problem:
            raise InvalidInputError(f"{label}: {problem}")
        settings = replace(settings, **{name: value})
    if settings.page_size not in PAGE_SIZES:
        raise InvalidInputError(f"page size: one of {', '.join(PAGE_SIZES)}")
    problem = text_problem(settings.backup_folder)
    if problem or "\n" in settings.backup_folder:
        raise InvalidInputError(f"backup folder: {problem or 'is more than one line'}")
    folder = settings.backup_folder.strip()
    if folder and not Path(folder).expanduser().is_absolute():
        # A relative folder would depend on where the program happened to be started.
        raise InvalidInputError(f"backup folder: give a full path, not {folder!r}")
    if not 1 <= settings.backups_kept <= MAX_BACKUPS_KEPT:
        raise InvalidInputError(f"backups kept: a number from 1 to {MAX_BACKUPS_KEPT}")
    return settings


def update_settings(store: Store, *, actor: User, **changes: object) -> OfficeSettings:
    """Change settings (administrators only, audited); return the settings now in force."""
    if actor.role is not Role.ADMINISTRATOR:
        raise RuleViolation("settings: only an administrator changes the office settings")
    if not actor.active:
        raise RuleViolation(f"settings: the account {actor.username} is disabled")
    known = {setting.name for setting in fields(OfficeSettings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise InvalidInputError(f"settings: no setting called {unknown[0]}")
    current = load_settings(store)
    try:
        wanted = _validated(replace(current, **changes))
    except TypeError as error:
        raise InvalidInputError(f"settings: {error}") from None
    with store.write() as connection:
        for name in sorted(changes):
            settings_store.set_setting(connection, name, str(getattr(wanted, name)),
                                       actor=actor.username)
    return load_settings(store)
