"""The demo database: its own file, the demo users and cases, loaded once and all or nothing."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from mtcr_desk import paths
from mtcr_desk.domain.cases import AssessmentStatus, CaseStatus, Decision, Outcome
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.errors import InvalidInputError, StorageError
from mtcr_desk.domain.rules import check_countersign, check_draft
from mtcr_desk.domain.users import Role
from mtcr_desk.services import case_format, reference_data, users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.demo import demo_data_dir, demo_users, open_demo_database
from mtcr_desk.storage import audit

DEMO_FOLDER = Path(__file__).resolve().parents[2] / "database" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo database opened the way ``mtcr-desk --demo`` opens it, in a fresh data folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MTCR_DESK_DATA_DIR", str(tmp_path_factory.mktemp("user-data")))
        store = open_demo_database()
        opened = {"store": store, "demo_path": paths.demo_database_path(),
                  "live_path": paths.default_database_path()}
    yield opened
    store.close()


@pytest.fixture(scope="module")
def cases(demo):
    service = CaseService(demo["store"])
    return [service.get(row[0]) for row in service.list(training=None)]


def _section(code: str) -> str:
    """The section letter of an MTCR code (2.A.1.e) or an EU code (7D101)."""
    found = re.match(r"^\d+\.?([A-E])", code)
    assert found, code
    return found.group(1)


def test_the_demo_database_is_its_own_file(demo):
    store = demo["store"]
    assert store.path == demo["demo_path"]
    assert store.path.name == paths.DEMO_DATABASE_NAME
    assert store.path != demo["live_path"]
    assert not demo["live_path"].exists()


def test_the_shipped_demo_data_is_found():
    assert demo_data_dir().resolve() == DEMO_FOLDER.resolve()


def test_demo_users_sign_in_with_their_documented_passwords(demo):
    store = demo["store"]
    accounts = demo_users()
    readme = (DEMO_FOLDER / "README.md").read_text(encoding="utf-8")
    roles = [account.role for account in accounts]
    assert set(roles) == set(Role)
    assert roles.count(Role.OFFICER) >= 2
    for account in accounts:
        signed_in = users.authenticate(store, username=account.username,
                                       password=account.password)
        assert signed_in.role is account.role
        assert len(account.password) >= users.MIN_PASSWORD_LENGTH
        assert f"`{account.username}`" in readme and f"`{account.password}`" in readme
    assert len(users.list_users(store)) == len(accounts)


def test_the_users_file_says_the_passwords_are_public():
    document = json.loads((DEMO_FOLDER / "users.json").read_text(encoding="utf-8"))
    assert "demo" in document["notice"].lower() and "public" in document["notice"].lower()


def test_every_demo_case_is_imported_with_its_status(cases):
    files = sorted((DEMO_FOLDER / "cases").glob("*.json"))
    assert len(cases) == len(files) >= 12
    for case, path in zip(cases, files, strict=True):
        original = json.loads(path.read_text(encoding="utf-8"))["case"]
        assert case.status.value == original["status"]
        assert not case.training
        assert any(f"original reference {original['reference']}" in note.text
                   for note in case.notes)
    assert {case.status for case in cases} == set(CaseStatus)


def test_demo_case_files_are_canonical_case_files():
    for path in sorted((DEMO_FOLDER / "cases").glob("*.json")):
        data = path.read_bytes()
        document = case_format.parse_case_bytes(data, source_name=path.name)
        assert document.case.received_on.startswith("2026-")
        assert case_format.serialise_case(json.loads(data)) == data, path.name


def test_the_cases_cover_what_the_demo_shows(demo, cases):
    store = demo["store"]
    service = CaseService(store)
    assert {service.category(case) for case in cases} >= {Category.I, Category.II}
    codes = [code for case in cases for item in case.items
             for code in item.assessment.entry_codes]
    assert {_section(code) for code in codes} == {"A", "B", "C", "D", "E"}
    statuses = {item.assessment.status for case in cases for item in case.items}
    assert {AssessmentStatus.NOT_CONTROLLED, AssessmentStatus.CATCH_ALL,
            AssessmentStatus.CONTROLLED, AssessmentStatus.UNASSESSED} <= statuses

    flags = {case.destination: reference_data.destination_flags(store, case.destination)
             for case in cases}
    assert any(flag.mtcr_status == "partner" for flag in flags.values())
    assert any(flag.mtcr_status is None and not flag.un_measures for flag in flags.values())
    assert flags["KP"].un_measures

    eu_cases = [case for case in cases if case.edition_id == "eu-2021-821-2025-11"]
    assert eu_cases and all(service.category(case) is not None for case in eu_cases)
    assert all(item.assessment.category in ("I", "II") for case in eu_cases
               for item in case.items if item.assessment.status is AssessmentStatus.CONTROLLED)

    final = {case.current_decision.outcome for case in cases
             if case.status is CaseStatus.DECIDED}
    assert {Outcome.APPROVE_WITH_CONDITIONS, Outcome.DENY} <= final
    returned = [case for case in cases if case.status is CaseStatus.RETURNED]
    assert returned and all(case.current_decision.return_comment.strip() for case in returned)
    category_i = [case for case in cases if service.category(case) is Category.I
                  and case.status is CaseStatus.DECIDED
                  and case.current_decision.outcome.is_approval]
    assert category_i, "a Category I approval shows the assurances and the senior countersigner"


def test_every_demo_decision_meets_the_mtcr_rules(demo, cases):
    store = demo["store"]
    service = CaseService(store)
    accounts = {user.username: user for user in users.list_users(store)}
    for case in cases:
        category = service.category(case)
        destination = reference_data.destination_flags(store, case.destination)
        for index, decision in enumerate(case.decisions):
            before = replace(case, status=CaseStatus.IN_REVIEW, decisions=case.decisions[:index])
            assert check_draft(before, decision, category=category, destination=destination,
                               drafter=accounts[decision.drafted_by]) == [], case.reference
            if decision.countersignature is not None:
                awaiting = replace(case, status=CaseStatus.AWAITING_COUNTERSIGNATURE,
                                   decisions=case.decisions[:index + 1])
                assert check_countersign(
                    awaiting, decision, category=category,
                    countersigner=accounts[decision.countersigned_by],
                    agree=decision.countersignature == "agreed",
                    comment=decision.return_comment) == [], case.reference


def test_a_case_in_review_is_ready_for_a_decision_to_be_drafted(demo, cases):
    service = CaseService(demo["store"])
    officer = users.get_user(demo["store"], "olga.officer")
    ready = [case for case in cases if case.status is CaseStatus.IN_REVIEW
             and service.draft_checklist(case.reference, Decision(
                 outcome=Outcome.APPROVE_WITH_CONDITIONS, rationale="demo",
                 conditions=("Post-shipment verification",)), drafter=officer) == []]
    assert ready


def test_the_audit_chain_of_the_demo_database_verifies(demo):
    assert audit.verify(demo["store"].connection).ok


def test_opening_it_again_adds_nothing(demo):
    store = demo["store"]
    before = audit.verify(store.connection)
    again = open_demo_database(store.path)
    try:
        assert len(CaseService(again).list(training=None)) == len(
            CaseService(store).list(training=None))
        assert len(users.list_users(again)) == len(demo_users())
    finally:
        again.close()
    after = audit.verify(store.connection)
    assert (after.rows, after.head_hash) == (before.rows, before.head_hash)


def test_the_live_database_is_refused():
    live = paths.default_database_path()
    with pytest.raises(InvalidInputError, match="live database"):
        open_demo_database(live)
    assert not live.exists()


def test_a_database_without_users_is_filled_in_place(ready_database_path):
    store = open_demo_database(ready_database_path)
    try:
        assert store.path == ready_database_path
        assert len(CaseService(store).list(training=None)) == len(
            list((DEMO_FOLDER / "cases").glob("*.json")))
        assert audit.verify(store.connection).ok
    finally:
        store.close()


def test_a_half_filled_demo_database_is_refused(ready_database_path):
    store = open_database(ready_database_path)
    accounts = demo_users()
    admin = next(a for a in accounts if a.role is Role.ADMINISTRATOR)
    created = users.add_user(store, username=admin.username, display_name=admin.display_name,
                             role=admin.role, password=admin.password, actor=None)
    for account in accounts:
        if account is not admin:
            users.add_user(store, username=account.username, display_name=account.display_name,
                           role=account.role, password=account.password, actor=created)
    rows = audit.verify(store.connection).rows
    store.close()
    with pytest.raises(StorageError, match="incomplete: it has 0 of the"):
        open_demo_database(ready_database_path)
    store = open_database(ready_database_path)
    try:
        assert audit.verify(store.connection).rows == rows
        assert CaseService(store).list(training=None) == []
    finally:
        store.close()


def test_a_crash_half_way_leaves_no_demo_database(tmp_path, monkeypatch):
    target = tmp_path / "demo.sqlite"
    real_import = case_format.import_case
    calls = []

    def crashing_import(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt("power cut")
        return real_import(*args, **kwargs)

    monkeypatch.setattr(case_format, "import_case", crashing_import)
    with pytest.raises(KeyboardInterrupt):
        open_demo_database(target)
    assert list(tmp_path.iterdir()) == []  # neither the database nor a half-built file

    monkeypatch.setattr(case_format, "import_case", real_import)
    store = open_demo_database(target)
    try:
        assert len(CaseService(store).list(training=None)) >= 12
        assert audit.verify(store.connection).ok
    finally:
        store.close()


def test_bad_demo_users_are_refused_before_anything_is_written(tmp_path):
    folder = tmp_path / "demo-data"
    shutil.copytree(DEMO_FOLDER, folder)
    document = json.loads((folder / "users.json").read_text(encoding="utf-8"))
    document["users"][1]["role"] = "superuser"
    (folder / "users.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"users\[1\]\.role"):
        open_demo_database(tmp_path / "demo.sqlite", data_folder=folder)
    assert not (tmp_path / "demo.sqlite").exists()
