"""The application context: what every window and view of a session shares.

One object instead of globals (as git-cola does): the open database (opaque to
the GUI, which only hands it to services), the services, the signed-in user and
whether this instance may write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mtcr_desk.domain.users import User
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
    control_list: ControlListService = field(init=False)
    cases: CaseService = field(init=False)
    #: Result of the last audit verification this session, shown in the status bar.
    audit_state: str = "not verified this session"

    def __post_init__(self) -> None:
        self.control_list = ControlListService(self.store)
        self.cases = CaseService(self.store)

    @property
    def may_write(self) -> bool:
        return not self.read_only and self.user is not None
