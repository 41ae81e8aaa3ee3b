"""The application context: what every window and view of a session shares.

One object instead of globals (as git-cola does): the open database (opaque to
the GUI, which only hands it to services), the services, the signed-in user and
whether this instance may write.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from mtcr_desk.domain.users import User

if TYPE_CHECKING:
    from mtcr_desk.services.cases import CaseService
    from mtcr_desk.services.control_list import ControlListService


@dataclass
class AppContext:
    """Everything a view needs to call services for the signed-in user."""

    store: object  # the open database; only ever passed on to services
    database_path: Path
    demo: bool = False
    #: True in the training sandbox (``--training``): fictional cases, watermarked TRAINING.
    training: bool = False
    #: True when another instance holds the write lock: nothing may be changed.
    read_only: bool = False
    user: User | None = None
    #: Result of the last audit verification this session, shown in the status bar.
    audit_state: str = "not verified this session"

    # The services are made on first use: the case list, the first page shown, needs
    # neither, so a window (or the smoke test) does not wait for them to be built.

    @cached_property
    def control_list(self) -> ControlListService:
        from mtcr_desk.services.control_list import ControlListService

        return ControlListService(self.store)

    @cached_property
    def cases(self) -> CaseService:
        from mtcr_desk.services.cases import CaseService

        return CaseService(self.store)

    @property
    def may_write(self) -> bool:
        return not self.read_only and self.user is not None
