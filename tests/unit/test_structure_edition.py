"""The shipped MTCR structure edition: every code, category and provenance, reproducibly."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest

from mtcr_desk.domain.control_list import Category, EntryKind, TextStatus
from tests.conftest import PROJECT_ROOT, STRUCTURE_EDITION

SOURCE = PROJECT_ROOT / "database" / "sources" / "mtcr_annex_structure.json"
SHIPPED = PROJECT_ROOT / "database" / "control_lists" / f"{STRUCTURE_EDITION}.json"


@pytest.fixture(scope="module")
def source():
    return json.loads(SOURCE.read_text(encoding="utf-8"))


def test_the_structure_edition_is_loaded_on_first_use(control_list):
    editions = control_list.editions()
    # The MTCR edition is loaded first, then the EU list.
    assert [edition.id for edition in editions] == [STRUCTURE_EDITION, "eu-2021-821-2025-11"]
    edition = editions[0]
    assert edition.regime == "MTCR"
    assert edition.text_status is TextStatus.STRUCTURE
    assert edition.limitations and "official" in edition.limitations
    assert "lite-api" in edition.provenance
    assert "MIT" in edition.licence
    assert edition.source_sha256 == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    # 20 items + the sections their entries use + 306 entry codes.
    assert edition.entry_count == 20 + 61 + 306


def test_every_source_code_is_present_with_its_place_and_category(control_list, source):
    by_code = {}
    for entry in source["entries"]:
        details = control_list.show(entry["code"], edition_id=STRUCTURE_EDITION)
        assert len(details) == 1
        shipped = details[0].entry
        by_code[entry["code"]] = shipped
        assert shipped.code == entry["code"]
        assert shipped.parent_code == entry["parent"]
        assert shipped.item == entry["item"]
        assert shipped.section == entry["section"]
        assert shipped.kind is EntryKind.ENTRY
        assert shipped.category is Category(entry["category"])
        # Items 1 and 2 are Category I, the rest Category II.
        assert shipped.category is (Category.I if entry["item"] <= 2 else Category.II)
    assert len(by_code) == 306


def test_titles_only_where_verified_and_items_carry_their_sourcing(control_list, source):
    for entry in source["entries"]:
        shipped = control_list.show(entry["code"])[0].entry
        assert shipped.title == entry["title"]
        assert shipped.title_status == ("verified" if entry["title"] else None)
    for item in source["items"]:
        shipped = control_list.show(f"Item {item['item']}")[0].entry
        assert shipped.kind is EntryKind.ITEM
        assert shipped.title == item["title"]
        assert shipped.title_status == item["title_status"]


def test_implied_parents_are_flagged(control_list):
    assert "implied_parent" in control_list.show("4.C.2")[0].entry.flags
    assert control_list.show("4.C.1")[0].entry.flags == ()


def test_show_gives_the_path_from_the_item_and_the_children(control_list):
    detail = control_list.show("2.A.1")[0]
    assert [a.code for a in detail.ancestors] == ["2", "2.A"]
    assert [c.code for c in detail.children] == [
        "2.A.1.a", "2.A.1.b", "2.A.1.c", "2.A.1.d", "2.A.1.e", "2.A.1.f"]


def test_loaded_editions_cannot_be_changed(store):
    with pytest.raises(sqlite3.IntegrityError, match="read-only"):
        with store.write() as connection:
            connection.execute("UPDATE entries SET category = 'II' WHERE code = '2.A.1.c'")
    with pytest.raises(sqlite3.IntegrityError, match="read-only"):
        with store.write() as connection:
            connection.execute("DELETE FROM editions")
    with pytest.raises(sqlite3.IntegrityError, match="read-only"):
        with store.write() as connection:
            connection.execute(
                "INSERT INTO entries (edition_id, code, code_key, kind, sort_key, search_codes) "
                "VALUES ('mtcr-2024-structure', '2.A.1.z', '2A1Z', 'entry', 999, '2A1z')")
    with pytest.raises(sqlite3.IntegrityError, match="read-only"):
        with store.write() as connection:
            connection.execute("INSERT INTO entry_refs (entry_id, position, to_code) "
                               "SELECT id, 99, '2.A.1' FROM entries LIMIT 1")
    with pytest.raises(sqlite3.IntegrityError, match="read-only"):
        with store.write() as connection:
            connection.execute("DELETE FROM sealed_editions")


def test_the_build_script_reproduces_the_shipped_files(tmp_path):
    subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "database" / "scripts" / "build_control_lists.py"),
         "--output", str(tmp_path)],
        check=True, capture_output=True,
    )
    assert (tmp_path / SHIPPED.name).read_bytes() == SHIPPED.read_bytes()
    licence = PROJECT_ROOT / "database" / "control_lists" / "lite-api_LICENSE.txt"
    assert (tmp_path / licence.name).read_bytes() == licence.read_bytes()
    assert b"MIT License" in licence.read_bytes()
