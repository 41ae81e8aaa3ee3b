"""The demo database: a database file of its own, filled with fictional users and cases.

``mtcr-desk --demo`` (and ``make run``) opens :func:`open_demo_database` instead of
the live database. On first use the demo database receives the demo users of
``database/demo/users.json`` and the demo cases of ``database/demo/cases/*.json``
(case format version 1, imported in file-name order, so their references are
``MTCR-2026-0001`` onwards and each keeps its status). Every name in them is
fictional and the demo passwords are public: see ``database/demo/README.md``.

Loading is all or nothing. The services write users and cases in one transaction
each, so a new demo database is built under a temporary name in the same folder
and only linked to its real name once complete (and its audit chain verified): a
crash half-way leaves no demo database, and the next start builds it again. Only
an existing database file without users (for example one opened before demo data
existed) is filled in place; should that be interrupted, the next open finds users
but missing cases and refuses with a :class:`StorageError` rather than adding
duplicates. Demo data never goes into the live database file.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mtcr_desk import paths
from mtcr_desk.domain.errors import InvalidInputError, StorageError
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services import users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.files import sync_folder
from mtcr_desk.storage import audit
from mtcr_desk.storage.database import Store

if TYPE_CHECKING:
    from mtcr_desk.services.case_format import CaseDocument

USERS_FORMAT = "mtcr-desk/demo-users"
USERS_FORMAT_VERSION = 1
_USER_KEYS = ("username", "display_name", "role", "password")


@dataclass(frozen=True)
class DemoUser:
    """One demo account as listed in ``users.json`` (its password is public)."""

    username: str
    display_name: str
    role: Role
    password: str


@dataclass(frozen=True)
class DemoData:
    """The demo users and the demo case files, read and checked."""

    notice: str
    users: tuple[DemoUser, ...]
    case_files: tuple[Path, ...]

    @property
    def administrator(self) -> DemoUser:
        return next(u for u in self.users if u.role is Role.ADMINISTRATOR)

    @property
    def officer(self) -> DemoUser:
        """The demo officer, who imports the demo cases."""
        return next(u for u in self.users if u.role is Role.OFFICER)


def _case_format():
    """The case-file module, loaded only when demo cases are read (not on every start)."""
    from mtcr_desk.services import case_format

    return case_format


def demo_data_dir() -> Path:
    """Return the shipped ``database/demo`` folder."""
    return paths.shipped_data_dir() / "demo"


def demo_case_files(folder: Path | None = None) -> tuple[Path, ...]:
    """Return the demo case files in file-name order (the order they are imported in)."""
    cases = (folder or demo_data_dir()) / "cases"
    return tuple(sorted(cases.glob("*.json"), key=lambda path: path.name))


def _fail(where: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"demo users file: {where}: {message}")


def read_demo_users(path: Path) -> tuple[str, tuple[DemoUser, ...]]:
    """Read ``users.json``: return its notice and the users, refusing anything unexpected."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInputError(f"Cannot read {path}: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInputError(f"{path.name}: not valid UTF-8 JSON ({error})") from error
    if not isinstance(document, dict):
        raise _fail("(top)", "expected an object")
    expected = {"format", "format_version", "notice", "users"}
    if set(document) != expected:
        raise _fail("(top)", f"expected exactly the keys {', '.join(sorted(expected))}")
    if document["format"] != USERS_FORMAT or document["format_version"] != USERS_FORMAT_VERSION:
        raise _fail("format", f"expected {USERS_FORMAT} version {USERS_FORMAT_VERSION}")
    notice = document["notice"]
    if not isinstance(notice, str) or not notice.strip():
        raise _fail("notice", "say that these are demo accounts with public passwords")
    records = document["users"]
    if not isinstance(records, list) or not records:
        raise _fail("users", "expected a list of users")
    found: list[DemoUser] = []
    for index, record in enumerate(records):
        where = f"users[{index}]"
        if not isinstance(record, dict) or set(record) != set(_USER_KEYS) or not all(
                isinstance(record[key], str) for key in _USER_KEYS):
            raise _fail(where, f"expected text fields {', '.join(_USER_KEYS)} and nothing else")
        try:
            role = Role(record["role"])
        except ValueError as error:
            raise _fail(f"{where}.role", f"{record['role']!r} is not a role") from error
        if not users.USERNAME_PATTERN.match(record["username"]):
            raise _fail(f"{where}.username", f"{record['username']!r} is not a plain username")
        if len(record["password"]) < users.MIN_PASSWORD_LENGTH:
            raise _fail(f"{where}.password",
                        f"at least {users.MIN_PASSWORD_LENGTH} characters")
        if any(user.username == record["username"] for user in found):
            raise _fail(f"{where}.username", f"{record['username']} is listed twice")
        found.append(DemoUser(record["username"], record["display_name"], role,
                              record["password"]))
    roles = [user.role for user in found]
    if roles.count(Role.ADMINISTRATOR) != 1:
        raise _fail("users", "expected exactly one administrator (the database's first user)")
    if Role.OFFICER not in roles:
        raise _fail("users", "expected an officer (the demo cases are imported by one)")
    return notice, tuple(found)


def read_demo_data(folder: Path | None = None) -> DemoData:
    """Read the demo users and list the demo case files of ``folder`` (default: shipped)."""
    folder = folder or demo_data_dir()
    notice, demo_users = read_demo_users(folder / "users.json")
    files = demo_case_files(folder)
    if not files:
        raise InvalidInputError(f"No demo cases in {folder / 'cases'}")
    return DemoData(notice=notice, users=demo_users, case_files=files)


# --- filling a database ----------------------------------------------------------------


def _read_cases(store: Store, data: DemoData) -> list[CaseDocument]:
    """Validate every demo case against ``store`` before anything is written."""
    documents = []
    for path in data.case_files:
        document = _case_format().read_case_file(path, store=store)
        if document.case.training:
            raise InvalidInputError(f"{path.name}: a demo case is not a training case")
        documents.append(document)
    return documents


def _fill(store: Store, data: DemoData) -> None:
    """Add the demo users (administrator first) and import every demo case."""
    documents = _read_cases(store, data)
    administrator = data.administrator
    admin = users.add_user(store, username=administrator.username,
                           display_name=administrator.display_name, role=administrator.role,
                           password=administrator.password, actor=None)
    added: dict[str, User] = {admin.username: admin}
    for demo_user in data.users:
        if demo_user is administrator:
            continue
        added[demo_user.username] = users.add_user(
            store, username=demo_user.username, display_name=demo_user.display_name,
            role=demo_user.role, password=demo_user.password, actor=admin)
    officer = added[data.officer.username]
    for document in documents:
        _case_format().import_case(store, document, actor=officer)


def _check_complete(store: Store, data: DemoData) -> None:
    """Refuse a demo database that an interrupted first load left half filled."""
    missing = [u.username for u in data.users if users.get_user(store, u.username) is None]
    cases = len(CaseService(store).list(training=None))
    if missing or cases < len(data.case_files):
        found = (f"the demo users {', '.join(missing)} are missing" if missing else
                 f"it has {cases} of the {len(data.case_files)} demo cases")
        raise StorageError(
            f"Demo database {store.path} is incomplete: {found} (an earlier first load was "
            f"interrupted). Delete {store.path.name} and its -wal and -shm files in "
            f"{store.path.parent} to have it rebuilt; nothing was changed")


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def build_aside(target: Path, fill: Callable[[Store], None], *, kind: str = "Demo") -> None:
    """Build a complete database next to ``target`` with ``fill``, then give it ``target``'s name.

    A reader never sees a half-filled database under ``target``. When another
    process created ``target`` meanwhile, its database is kept and ours is discarded.
    The training sandbox is built the same way.
    """
    wal = Path(f"{target}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StorageError(f"{wal} is left over from a deleted database; delete it (and "
                           f"{target.name}-shm) before the demo database is rebuilt")
    building = target.with_name(f".{target.name}.building-{secrets.token_hex(6)}")
    companions = (building, Path(f"{building}-wal"), Path(f"{building}-shm"))
    try:
        store = open_database(building)
        try:
            fill(store)
            result = audit.verify(store.connection)
            if not result.ok:
                raise StorageError(f"{kind} database built in {building} fails its audit check: "
                                   f"{result.problem.message}")
        finally:
            store.close()  # the last connection: the WAL is checkpointed into the file
        if any(path.exists() for path in companions[1:]):
            raise StorageError(f"{kind} database built in {building} kept a write-ahead log "
                               "after closing; it was not used")
        try:
            os.link(building, target)  # atomic, and never replaces an existing file
        except FileExistsError:
            pass  # another process built it first: use theirs
        except OSError:  # a file system without hard links
            if not target.exists():
                os.replace(building, target)
        sync_folder(target.parent)
    finally:
        for path in companions:
            _remove(path)


#: A build left behind for longer than this was interrupted (a build takes seconds).
STALE_BUILD_SECONDS = 600


def remove_stale_builds(target: Path) -> None:
    """Delete half-built databases an interrupted first start left behind."""
    now = time.time()
    for leftover in target.parent.glob(f".{target.name}.building-*"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > STALE_BUILD_SECONDS:
                leftover.unlink()


def open_demo_database(path: Path | None = None, *, data_folder: Path | None = None) -> Store:
    """Open the demo database (default :func:`paths.demo_database_path`), filling it on first use.

    ``data_folder`` replaces the shipped ``database/demo`` folder (tests). Raises
    :class:`StorageError` for a demo database left half filled, and
    :class:`InvalidInputError` for the live database's path or bad demo data.
    """
    target = Path(path) if path is not None else paths.demo_database_path()
    if target.resolve() == paths.default_database_path().resolve():
        raise InvalidInputError(f"{target} is the live database; demo data never goes into it")
    if target.parent == paths.user_data_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(target)
    data = read_demo_data(data_folder)
    if not target.exists():
        build_aside(target, lambda store: _fill(store, data))
    store = open_database(target)
    try:
        if users.has_users(store):
            _check_complete(store, data)
        elif CaseService(store).list(training=None):
            raise StorageError(f"{target} holds cases but no users: it is not a demo database; "
                               "nothing was changed")
        else:
            _fill(store, data)  # an existing database without users: filled in place
    except BaseException:
        store.close()
        raise
    return store


def demo_users(data_folder: Path | None = None) -> tuple[DemoUser, ...]:
    """Return the demo accounts with their public passwords (for help texts and tests)."""
    return read_demo_data(data_folder).users

