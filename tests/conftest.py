"""Test set-up shared by every test: offscreen Qt, isolated user data, real databases."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile

# Before anything imports Qt: no display here, and Qt aborts without a platform.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")
# Never touch the real user data folder, whatever a test forgets to pass.
_TEST_DATA_DIR = tempfile.mkdtemp(prefix="mtcr-desk-test-data-")
os.environ["MTCR_DESK_DATA_DIR"] = _TEST_DATA_DIR
atexit.register(shutil.rmtree, _TEST_DATA_DIR, ignore_errors=True)
# QSettings (window geometry, splitters) goes under XDG_CONFIG_HOME on Linux: keep it here too.
os.environ["XDG_CONFIG_HOME"] = os.path.join(_TEST_DATA_DIR, "config")

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


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> Path:
    """A database with the shipped editions loaded, built once per test session."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    open_database(path).close()  # closing checkpoints the WAL into the one file
    return path


@pytest.fixture
def ready_database_path(tmp_path: Path, template_database: Path) -> Path:
    """A copy of the template database, ready for use (loading editions takes time)."""
    path = tmp_path / "ready.sqlite"
    shutil.copyfile(template_database, path)
    return path


@pytest.fixture
def store(ready_database_path: Path):
    """An open database with the shipped editions loaded."""
    opened = open_database(ready_database_path)
    yield opened
    opened.close()


@pytest.fixture
def control_list(store) -> ControlListService:
    """The control-list service over :func:`store`."""
    return ControlListService(store)


def edition_document(edition_id: str, entries: list[dict], **edition_fields) -> dict:
    """Return an edition-format document with sensible metadata for tests."""
    edition = {
        "id": edition_id, "regime": "MTCR", "title": f"Test edition {edition_id}",
        "version": "test", "text_status": "full", "has_mtcr_categories": True,
        "provenance": "invented for a test",
    }
    edition.update(edition_fields)
    return {"format": "mtcr-desk/edition", "format_version": 1, "edition": edition,
            "entries": entries}


def edition_node(code, parent, kind="entry", text=None, title=None, category="II", flags=()):
    """One node of a small MTCR-style test edition (``3``, ``3.A``, ``3.A.1``, notes)."""
    return {"code": code, "parent": parent, "kind": kind, "item": int(code.split(".")[0]),
            "category": category, "title": title, "text": text, "flags": list(flags)}


def open_with_editions(folder: Path, *documents: dict, include_shipped: bool = True):
    """Open a new database in ``folder`` holding the given editions (and the shipped ones)."""

    shipped = folder / "shipped-editions"
    shipped.mkdir()
    if include_shipped:
        for path in (PROJECT_ROOT / "database" / "control_lists").glob("*.json"):
            shutil.copy(path, shipped)
    for document in documents:
        path = shipped / f"{document['edition']['id']}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
    return open_database(folder / "editions.sqlite", shipped_folder=shipped)


# --- people and cases ----------------------------------------------------------------

#: Passwords of the test users (scrypt makes each sign-in cost ~50 ms: reuse these).
PASSWORDS = {"admin": "admin-pass-1", "olga": "officer-pass", "otto": "officer-pass-2",
             "sam": "senior-pass", "tina": "trainer-pass"}


@pytest.fixture
def people(store):
    """An administrator, two officers, a senior officer and a trainer, by username."""
    from mtcr_desk.domain.users import Role
    from mtcr_desk.services import users

    admin = users.add_user(store, username="admin", display_name="Ada Admin",
                           role=Role.ADMINISTRATOR, password=PASSWORDS["admin"], actor=None)
    made = {"admin": admin}
    for username, name, role in (("olga", "Olga Officer", Role.OFFICER),
                                 ("otto", "Otto Officer", Role.OFFICER),
                                 ("sam", "Sam Senior", Role.SENIOR_OFFICER),
                                 ("tina", "Tina Trainer", Role.TRAINER)):
        made[username] = users.add_user(store, username=username, display_name=name, role=role,
                                        password=PASSWORDS[username], actor=admin)
    return made


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo database (users and twelve cases), built once per test session."""
    from mtcr_desk.services.demo import open_demo_database

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    open_demo_database(path).close()
    return path


#: The demo case that awaits a countersignature, and the demo senior officer's sign-in.
DEMO_AWAITING = "MTCR-2026-0008"
DEMO_SENIOR, DEMO_SENIOR_PASSWORD = "sam.senior", "demo-senior"


@pytest.fixture
def older_demo_path(tmp_path, demo_template, monkeypatch) -> Path:
    """A demo database whose DEMO_AWAITING decision was made final by a version that kept
    no memo of record (as databases written before memos were kept have)."""
    from mtcr_desk.services import users
    from mtcr_desk.services.cases import CaseService
    from mtcr_desk.services.demo import open_demo_database
    from mtcr_desk.storage import memos as memo_store

    path = tmp_path / "older.sqlite"
    shutil.copyfile(demo_template, path)
    store = open_demo_database(path)
    try:
        with monkeypatch.context() as older_version:
            older_version.setattr(memo_store, "insert_memo", lambda *args, **kwargs: None)
            CaseService(store).countersign(
                DEMO_AWAITING, actor=users.get_user(store, DEMO_SENIOR),
                password=DEMO_SENIOR_PASSWORD, agree=True)
    finally:
        store.close()
    return path


@pytest.fixture
def demo_store(tmp_path, demo_template):
    """A fresh copy of the demo database, open."""
    from mtcr_desk.services.demo import open_demo_database

    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_template, path)
    store = open_demo_database(path)
    yield store
    store.close()


@pytest.fixture(scope="session")
def sandbox_template(tmp_path_factory) -> Path:
    """The training sandbox (training accounts, no cases yet), built once per test session."""
    from mtcr_desk.services.training import open_training_database

    path = tmp_path_factory.mktemp("sandbox") / "training.sqlite"
    open_training_database(path).close()
    return path


@pytest.fixture
def sandbox_path(tmp_path, sandbox_template) -> Path:
    """A fresh copy of the training sandbox, closed."""
    path = tmp_path / "training.sqlite"
    shutil.copyfile(sandbox_template, path)
    return path


@pytest.fixture
def sandbox(sandbox_path):
    """A fresh copy of the training sandbox, open."""
    from mtcr_desk.services.training import open_training_database

    store = open_training_database(sandbox_path)
    yield store
    store.close()
