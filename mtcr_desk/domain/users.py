"""Local user accounts and their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    """What a user may do."""

    OFFICER = "officer"
    SENIOR_OFFICER = "senior officer"
    TRAINER = "trainer"
    ADMINISTRATOR = "administrator"

    @property
    def may_countersign(self) -> bool:
        return self in (Role.OFFICER, Role.SENIOR_OFFICER)


@dataclass(frozen=True)
class User:
    """A local account (the password hash never leaves storage)."""

    username: str
    display_name: str
    role: Role
    active: bool = True
    locked_until: str | None = None
    id: int | None = None
