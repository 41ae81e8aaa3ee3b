"""MTCR Desk: licence-review desk for missile-relevant export-licence applications.

Version and application constants live here so that the CLI, the GUI and the
PyInstaller spec all read them from one place.
"""

__version__ = "0.1.0"

APP_NAME = "MTCR Desk"
#: Short machine name: data directory, executable, settings organisation.
APP_SLUG = "mtcr-desk"
ORGANISATION = "MTCR Desk"

#: SQLite ``PRAGMA application_id`` stamped into every database we create
#: (the bytes "MTCR"). A file with another id is not ours and is never opened.
SQLITE_APPLICATION_ID = 0x4D544352
