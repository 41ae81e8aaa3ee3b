"""Where things are: the user's database files and the data shipped with the app.

Works the same from a source checkout, an editable install and a PyInstaller
bundle (where data sits under ``sys._MEIPASS``). Two environment variables
override the defaults, mainly for tests and for offices that keep data on a
separate volume:

* ``MTCR_DESK_DATA_DIR``: the folder holding the user's database files.
* ``MTCR_DESK_SHIPPED_DATA``: the folder holding the shipped ``database/`` tree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from mtcr_desk import APP_SLUG, ORGANISATION

LIVE_DATABASE_NAME = "mtcr-desk.sqlite"
DEMO_DATABASE_NAME = "mtcr-desk-demo.sqlite"
TRAINING_DATABASE_NAME = "mtcr-desk-training.sqlite"


def user_data_dir() -> Path:
    """Return the folder for the user's databases (not created here)."""
    override = os.environ.get("MTCR_DESK_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_SLUG, ORGANISATION))


def default_database_path() -> Path:
    """Return the path of the live database."""
    return user_data_dir() / LIVE_DATABASE_NAME


def demo_database_path() -> Path:
    """Return the path of the demo database, a file of its own."""
    return user_data_dir() / DEMO_DATABASE_NAME


def _application_root() -> Path:
    """Return the folder that holds ``database/`` and ``resources/``."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    # Source checkout or editable install: the package sits in the project root.
    return Path(__file__).resolve().parent.parent


def shipped_data_dir() -> Path:
    """Return the shipped ``database/`` folder (control lists, reference data)."""
    override = os.environ.get("MTCR_DESK_SHIPPED_DATA")
    if override:
        return Path(override)
    return _application_root() / "database"


def shipped_control_lists_dir() -> Path:
    """Return the folder of control-list edition files loaded into new databases."""
    return shipped_data_dir() / "control_lists"


def resources_dir() -> Path:
    """Return the ``resources/`` folder (fonts, icons)."""
    return _application_root() / "resources"


def user_log_dir() -> Path:
    """Return the folder for log files (not created here)."""
    override = os.environ.get("MTCR_DESK_LOG_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_log_dir(APP_SLUG, ORGANISATION))
