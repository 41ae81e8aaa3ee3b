"""Test set-up shared by every test: offscreen Qt, isolated user data, real databases."""

from __future__ import annotations

import os
import tempfile

# Before anything imports Qt: no display here, and Qt aborts without a platform.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")
# Never touch the real user data folder, whatever a test forgets to pass.
os.environ["MTCR_DESK_DATA_DIR"] = tempfile.mkdtemp(prefix="mtcr-desk-test-data-")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from mtcr_desk.services.control_list import ControlListService  # noqa: E402
from mtcr_desk.services.database import open_database  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STRUCTURE_EDITION = "mtcr-2024-structure"


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    """A path for a new database file in a fresh temporary folder."""
    return tmp_path / "desk.sqlite"


@pytest.fixture
def store(database_path: Path):
    """An open database with the shipped editions loaded."""
    opened = open_database(database_path)
    yield opened
    opened.close()


@pytest.fixture
def control_list(store) -> ControlListService:
    """The control-list service over :func:`store`."""
    return ControlListService(store)
