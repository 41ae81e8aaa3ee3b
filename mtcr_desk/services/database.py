"""Opening a database for use: schema up to date and the shipped editions loaded.

On first use of a database file the control-list editions shipped under
``database/control_lists/`` are loaded into it, each in one transaction. An
edition already in the database is never replaced, even when the shipped file
differs: assessments pin editions, so a loaded edition must never change.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mtcr_desk import __version__, paths
from mtcr_desk.domain.errors import InvalidInputError
from mtcr_desk.services.reference_data import load_shipped_reference
from mtcr_desk.storage import control_lists, item_words
from mtcr_desk.storage.database import Store, open_store

if TYPE_CHECKING:
    from mtcr_desk.services.edition_format import EditionFile

SHIPPED_IMPORTER = f"MTCR Desk {__version__} (shipped edition)"


def utc_now_iso() -> str:
    """Return the current UTC time as ISO 8601 with seconds and a Z suffix."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shipped_edition_files(folder: Path | None = None) -> dict[str, Path]:
    """Return ``{edition id: path}`` of the shipped edition files (id = file name stem)."""
    folder = folder or paths.shipped_control_lists_dir()
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.json"))}


def read_edition_file(path: Path) -> EditionFile:
    """Read and validate one edition file."""
    # Imported here: an up-to-date database (every start but the first) parses no edition.
    from mtcr_desk.services.edition_format import parse_edition_bytes

    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"Cannot read {path}: {error.strerror}") from error
    return parse_edition_bytes(data, source_name=path.name)


def load_shipped_editions(store: Store, folder: Path | None = None) -> list[str]:
    """Load shipped editions the database does not have yet; return their ids.

    MTCR editions are loaded before the others, so that lists and results that
    span editions show the MTCR Annex first.
    """
    available = shipped_edition_files(folder)
    loaded = control_lists.edition_source_hashes(store.connection)
    missing: list[EditionFile] = []
    for edition_id, path in available.items():
        if edition_id in loaded:
            continue
        edition_file = read_edition_file(path)
        if edition_file.edition.id != edition_id:
            raise InvalidInputError(
                f"{path.name}: file name does not match edition id {edition_file.edition.id!r}"
            )
        missing.append(edition_file)
    missing.sort(key=lambda f: (f.edition.regime != "MTCR", f.edition.id))

    added: list[str] = []
    for edition_file in missing:
        with store.write() as connection:
            # Another process may have loaded it since we looked.
            if control_lists.get_edition(connection, edition_file.edition.id) is not None:
                continue
            edition = replace(
                edition_file.edition, imported_at=utc_now_iso(), imported_by=SHIPPED_IMPORTER
            )
            control_lists.insert_edition(
                connection, edition=edition, entries=edition_file.entries,
                format_version=edition_file.format_version,
            )
        added.append(edition_file.edition.id)
    return added


def _index_missing_items(store: Store) -> None:
    """Put items written without their words (by a tool, not this app) in the word index
    of precedents; two indexed lookups when there are none, as on every normal opening."""
    if item_words.has_missing_items(store.connection):
        with store.write() as connection:
            item_words.index_missing_items(connection)


def open_database(path: Path, *, shipped_folder: Path | None = None,
                  read_only: bool = False) -> Store:
    """Open the database at ``path`` ready for use; refuse files that are not ours.

    ``read_only`` opens it for reading only (a second desktop instance): any write
    is refused by SQLite itself, so nothing can slip through.
    """
    path = Path(path)
    if read_only:
        store = open_store(path)
        store.make_read_only()
        return store
    if path.parent == paths.user_data_dir():
        # The user data folder is ours to create; any other folder must exist.
        path.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(path)
    try:
        load_shipped_editions(store, shipped_folder)
        load_shipped_reference(store)
        _index_missing_items(store)
    except BaseException:
        store.close()
        raise
    return store

