"""Cross-references between entries, the entry tree, and the m002 backfill."""

from __future__ import annotations

import json

import pytest

from mtcr_desk import SQLITE_APPLICATION_ID
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import load_shipped_editions
from mtcr_desk.storage import control_lists, migrations
from mtcr_desk.storage.database import open_store
from tests.conftest import edition_document, open_with_editions


def node(code, parent, kind="entry", text=None):
    return {"code": code, "parent": parent, "kind": kind, "item": None, "category": None,
            "text": text}


EU_LIKE = edition_document("test-refs", [
    node("9", None, "item", text="Aerospace"),
    node("9A", "9", "section", text="Systems"),
    node("9A004", "9A", text="Space launch vehicles."),
    node("9A104", "9A", text="Sounding rockets, see also 9A004."),
    node("9A112", "9A", text="UAVs, other than those specified in 9A012, as follows:"),
    node("9A112.a", "9A112", text="UAVs usable in missiles; see 9A104 and 9A112.a.9."),
    node("9A112.a Note", "9A112.a", "note", text="9A112.a. does not control model aircraft."),
    node("9A120", "9A", text="Tanks for propellants specified in 1C111 or 9A104, 9A004 to 9A104."),
], regime="EU", has_mtcr_categories=False)


@pytest.fixture
def service(tmp_path):
    store = open_with_editions(tmp_path, EU_LIKE, include_shipped=False)
    yield ControlListService(store)
    store.close()


def _refs(service, code):
    return service.show(code, edition_id="test-refs")[0].entry.refs


def test_references_to_entries_of_the_same_edition_in_text_order(service):
    assert _refs(service, "9A104") == ("9A004",)
    assert _refs(service, "9A120") == ("9A104", "9A004")  # 1C111 is not in this edition


def test_a_reference_to_a_missing_sub_entry_links_to_the_nearest_entry(service):
    # 9A112.a.9 is not in the edition: the deepest existing entry is 9A112.a itself,
    # which is the entry's own code and so no link; 9A104 remains.
    assert _refs(service, "9A112.a") == ("9A104",)


def test_unknown_codes_and_self_references_are_not_links(service):
    assert _refs(service, "9A112") == ()          # 9A012 is not in the edition
    assert _refs(service, "9A112.a Note") == ()  # names its own entry


def test_search_hits_carry_their_references(service):
    hits = service.search("sounding rockets")
    assert hits[0].code == "9A104"
    assert hits[0].refs == ("9A004",)


def test_show_gives_the_whole_subtree_in_order_with_depths(service):
    detail = service.show("9A112")[0]
    assert [node.code for node in detail.descendants] == ["9A112.a", "9A112.a Note"]
    assert [detail.depth_of(node) for node in detail.descendants] == [1, 2]


def test_m002_backfills_references_of_editions_loaded_before_it(tmp_path, monkeypatch):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "test-refs.json").write_text(json.dumps(EU_LIKE), encoding="utf-8")
    path = tmp_path / "old.sqlite"

    # A database as the first release left it: m001 only, with an edition loaded
    # by code that knew nothing of references.
    monkeypatch.setattr(migrations, "known_migration_names", lambda: ["m001_control_lists"])
    monkeypatch.setattr(migrations, "pending_migrations", lambda db: [])
    monkeypatch.setattr(control_lists, "insert_references", lambda connection, edition_id: 0)
    monkeypatch.setattr(control_lists, "seal_edition", lambda connection, edition_id, at: None)
    store = open_store(path)
    with store.write():
        store.connection.execute(f"PRAGMA application_id = {SQLITE_APPLICATION_ID}")
        migrations.migrations.apply(store.db, stop_before="m002_entry_references")
    load_shipped_editions(store, shipped)
    assert "entry_refs" not in store.db.table_names()
    store.close()
    monkeypatch.undo()

    with open_store(path) as store:
        applied = [row[0] for row in store.connection.execute(
            "SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == migrations.known_migration_names()
        # m004 sealed the edition loaded before it.
        sealed = store.connection.execute("SELECT edition_id FROM sealed_editions").fetchall()
        assert sealed == [("test-refs",)]
        service = ControlListService(store)
        assert service.show("9A120", edition_id="test-refs")[0].entry.refs == ("9A104", "9A004")
