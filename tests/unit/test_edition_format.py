"""The edition JSON format: strict reading, deterministic writing, export round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from mtcr_desk.domain.errors import InvalidInputError, NotFoundError
from mtcr_desk.services.edition_format import parse_edition_bytes, parse_edition_document
from tests.conftest import PROJECT_ROOT, STRUCTURE_EDITION

SHIPPED = PROJECT_ROOT / "database" / "control_lists" / f"{STRUCTURE_EDITION}.json"


def minimal_document() -> dict:
    return {
        "format": "mtcr-desk/edition",
        "format_version": 1,
        "edition": {
            "id": "test-edition", "regime": "MTCR", "title": "Test edition", "version": "1",
            "edition_date": "2099-01-01", "text_status": "full", "has_mtcr_categories": True,
            "provenance": "made up for a test",
        },
        "entries": [
            {"code": "3", "parent": None, "kind": "item", "item": 3, "category": "II",
             "title": "Propulsion"},
            {"code": "3.A", "parent": "3", "kind": "section", "item": 3, "section": "A",
             "category": "II"},
            {"code": "3.A.1", "parent": "3.A", "kind": "entry", "item": 3, "section": "A",
             "category": "II", "text": "Example engines"},
        ],
    }


def test_a_minimal_document_parses():
    parsed = parse_edition_document(minimal_document(), source_name="t.json")
    assert parsed.edition.id == "test-edition"
    assert [entry.code for entry in parsed.entries] == ["3", "3.A", "3.A.1"]
    assert [entry.sort_key for entry in parsed.entries] == [0, 1, 2]


def _broken(change) -> dict:
    document = copy.deepcopy(minimal_document())
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something-else"), "format is not"),
        (lambda d: d.update(format_version=2), "newer"),
        (lambda d: d.update(format_version="1"), "format_version"),
        (lambda d: d.update(extra=1), "unknown field 'extra'"),
        (lambda d: d["edition"].pop("title"), r"edition\.title: missing"),
        (lambda d: d["edition"].update(id="Bad Id!"), r"edition\.id"),
        (lambda d: d["edition"].update(text_status="partial"), "text_status"),
        (lambda d: d["edition"].update(has_mtcr_categories="yes"), "has_mtcr_categories"),
        (lambda d: d["edition"].update(edition_date="1 Jan 2099"), "YYYY-MM-DD"),
        (lambda d: d.update(entries=[]), "no entries"),
        (lambda d: d.update(entries={"3": {}}), "entries: expected a list"),
        (lambda d: d["entries"].append(d["entries"][2]), "duplicate code 3.A.1"),
        (lambda d: d["entries"][2].update(parent="3.B"), "parent 3.B"),
        (lambda d: d["entries"][1].update(parent="3.A.1"), "does not come before it"),
        (lambda d: d["entries"][0].update(parent="3"), "does not come before it"),
        (lambda d: d["entries"][2].update(item=10**30), r"entries\[2\]\.item: expected a number"),
        (lambda d: d["entries"][2].update(text="bad \ud800 text"), "invalid character"),
        (lambda d: d["entries"][2].update(code="3.A.1\x07"), "control character"),
        (lambda d: d["edition"].update(id="t-nl\n"), r"edition\.id"),
        (lambda d: d["entries"][2].update(item=True), r"entries\[2\]\.item"),
        (lambda d: d["entries"][2].update(item="3"), r"entries\[2\]\.item: expected"),
        (lambda d: d["entries"][2].update(kind="chapter"), r"entries\[2\]\.kind"),
        (lambda d: d["entries"][2].update(category="III"), r"entries\[2\]\.category"),
        (lambda d: d["entries"][2].update(section="F"), r"entries\[2\]\.section"),
        (lambda d: d["entries"][2].update(section=""), r"entries\[2\]\.section"),
        (lambda d: d["entries"][2].update(flags=[1]), r"entries\[2\]\.flags\[0\]"),
        (lambda d: d["entries"][2].update(code=" "), r"entries\[2\]\.code: empty"),
        (lambda d: d["entries"][2].update(text="x" * 200_001), "too long"),
        (lambda d: d["entries"].__setitem__(1, "3.A"), r"entries\[1\]: expected an object"),
        (lambda d: d["entries"][2].update(colour="red"), "unknown field 'colour'"),
    ],
)
def test_malformed_documents_are_refused_with_the_field_named(change, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_edition_document(_broken(change), source_name="t.json")


def test_categories_are_refused_in_an_edition_without_mtcr_categories():
    document = _broken(lambda d: d["edition"].update(has_mtcr_categories=False))
    with pytest.raises(InvalidInputError, match="carries no MTCR categories"):
        parse_edition_document(document, source_name="t.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
        (b"PK\x03\x04" + bytes(range(256)), "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"format": "mtcr-desk/edition"', "not valid JSON"),
        (b"[1, 2, 3]", "top level"),
    ],
)
def test_bad_bytes_are_refused(data, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_edition_bytes(data, source_name="t.json")


@pytest.mark.parametrize("edition_id", [STRUCTURE_EDITION, "eu-2021-821-2025-11"])
def test_export_gives_back_the_shipped_file_byte_for_byte(control_list, tmp_path, edition_id):
    shipped = SHIPPED.parent / f"{edition_id}.json"
    target = tmp_path / "export.json"
    count = control_list.export_edition(edition_id, target)
    assert target.read_bytes() == shipped.read_bytes()
    # ... and the export reads back as the same edition.
    parsed = parse_edition_bytes(target.read_bytes(), source_name=target.name)
    assert parsed.edition.id == edition_id
    assert len(parsed.entries) == count


def test_export_of_an_unknown_edition_names_the_known_ones(control_list, tmp_path):
    with pytest.raises(NotFoundError, match=STRUCTURE_EDITION):
        control_list.export_edition("mtcr-1999", tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_export_into_a_missing_folder_writes_nothing(control_list, tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        control_list.export_edition(STRUCTURE_EDITION, tmp_path / "missing" / "x.json")
    assert not (tmp_path / "missing").exists()


def test_the_shipped_file_is_valid_json_in_the_format():
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    parse_edition_document(document, source_name=SHIPPED.name)


def test_export_never_overwrites_the_open_database_or_a_device(control_list, store, tmp_path):
    before = store.path.read_bytes()
    with pytest.raises(InvalidInputError, match="open database"):
        control_list.export_edition(STRUCTURE_EDITION, store.path)
    assert store.path.read_bytes() == before
    with pytest.raises(InvalidInputError, match="not a regular file"):
        control_list.export_edition(STRUCTURE_EDITION, Path("/dev/null"))
    with pytest.raises(InvalidInputError, match="a folder"):
        control_list.export_edition(STRUCTURE_EDITION, tmp_path)


def test_an_export_gets_ordinary_file_permissions(control_list, tmp_path):
    import os
    import stat

    target = tmp_path / "export.json"
    control_list.export_edition(STRUCTURE_EDITION, target)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
