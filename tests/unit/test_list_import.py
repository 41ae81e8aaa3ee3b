"""`mtcr-desk list import` and `list diff` end to end: report, dry run, all or nothing.

Every malformed file is refused with exit 2 and one line naming the problem, and the
database stays byte-for-byte unchanged.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from mtcr_desk.cli import main
from tests.conftest import STRUCTURE_EDITION
from tests.fixtures.synthetic_annex import (
    intended_entries,
    synthetic_annex_pdf,
    synthetic_annex_text,
)

IMPORTED = "mtcr-2099"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file of the database (main file, WAL, shared memory) with its bytes."""
    return {p.name: p.read_bytes() for p in path.parent.glob(path.name + "*")}


@pytest.fixture
def db(ready_database_path) -> Path:
    # Open and close once so that the file is settled before the snapshots.
    assert run("--db", str(ready_database_path), "list", "editions")[0] == 0
    return ready_database_path


@pytest.fixture
def annex_pdf(tmp_path) -> Path:
    path = tmp_path / "MTCR-TEM-2099-Annex.pdf"
    path.write_bytes(synthetic_annex_pdf())
    return path


def test_dry_run_prints_the_validation_report_and_writes_nothing(db, annex_pdf):
    before = snapshot(db)
    code, out = run("--db", str(db), "list", "import", str(annex_pdf), "--dry-run")
    assert code == 0
    assert out.startswith("Validation report for MTCR-TEM-2099-Annex.pdf (PDF, sha256 ")
    assert f"Edition:     {IMPORTED}: MTCR Equipment, Software and Technology Annex" in out
    entries = [e for e in intended_entries() if e["kind"] == "entry"]
    per_item = {}
    for entry in entries:
        per_item[entry["item"]] = per_item.get(entry["item"], 0) + 1
    expected = ", ".join(f"{item}: {count}" for item, count in sorted(per_item.items()))
    assert f"Entries per Item: {expected}" in out
    assert f"Against {STRUCTURE_EDITION}: " in out
    assert "Dry run: nothing was written." in out
    assert snapshot(db) == before


def test_import_creates_a_full_text_edition_that_diff_compares(db, annex_pdf):
    code, out = run("--db", str(db), "list", "import", str(annex_pdf))
    assert code == 0
    assert f"Loaded edition {IMPORTED} ({len(intended_entries())} entries)." in out

    editions = json.loads(run("--db", str(db), "list", "editions", "--json")[1])
    imported = [e for e in editions if e["id"] == IMPORTED][0]
    assert imported["text_status"] == "full"
    assert imported["source_file"] == annex_pdf.name

    code, out = run("--db", str(db), "list", "show", "3.A.1", "--edition", IMPORTED, "--json")
    assert code == 0
    [detail] = json.loads(out)
    intended = {e["code"]: e for e in intended_entries()}
    assert detail["text"] == intended["3.A.1"]["text"]
    assert detail["category"] == intended["3.A.1"]["category"]

    code, out = run("--db", str(db), "list", "diff", STRUCTURE_EDITION, IMPORTED, "--json")
    assert code == 0
    diff = json.loads(out)
    added = {entry["code"] for entry in diff["added"]}
    removed = {entry["code"] for entry in diff["removed"]}
    changed = {change["code"] for change in diff["changed"]}
    both = set(intended) & {e["code"] for e in _structure_entries()}
    assert added == set(intended) - both
    assert changed <= both and removed.isdisjoint(intended)
    # The structure edition has no text: every shared entry with text has changed.
    assert {code for code in both if intended[code]["text"]} <= changed

    code, out = run("--db", str(db), "list", "diff", STRUCTURE_EDITION, IMPORTED)
    assert code == 0
    assert out.startswith(f"{STRUCTURE_EDITION} -> {IMPORTED}: {len(added)} added, ")


def _structure_entries() -> list[dict]:
    from tests.conftest import PROJECT_ROOT

    path = PROJECT_ROOT / "database" / "control_lists" / f"{STRUCTURE_EDITION}.json"
    return json.loads(path.read_text(encoding="utf-8"))["entries"]


def test_the_text_form_imports_too(db, tmp_path):
    path = tmp_path / "annex.txt"
    path.write_text(synthetic_annex_text(), encoding="utf-8")
    code, out = run("--db", str(db), "list", "import", str(path), "--id", "mtcr-2099-text")
    assert code == 0
    assert "(text, sha256" in out


def test_an_edition_is_never_replaced(db, annex_pdf, capsys):
    assert run("--db", str(db), "list", "import", str(annex_pdf))[0] == 0
    before = snapshot(db)
    code, _ = run("--db", str(db), "list", "import", str(annex_pdf))
    err = capsys.readouterr().err
    assert code == 3
    assert f"Edition {IMPORTED} is already loaded" in err
    assert snapshot(db) == before
    assert run("--db", str(db), "list", "import", str(annex_pdf), "--id", "mtcr-2099-b")[0] == 0


def test_an_exported_edition_imports_under_a_new_id(db, tmp_path):
    exported = tmp_path / "structure.json"
    assert run("--db", str(db), "list", "export", STRUCTURE_EDITION, "-o", str(exported))[0] == 0
    code, out = run("--db", str(db), "list", "import", str(exported), "--id", "mtcr-copy")
    assert code == 0
    assert "(edition JSON, sha256" in out
    code, out = run("--db", str(db), "list", "diff", STRUCTURE_EDITION, "mtcr-copy")
    assert out.startswith(f"{STRUCTURE_EDITION} -> mtcr-copy: 0 added, 0 removed, 0 changed")


def _edition_json(**changes) -> bytes:
    document = {
        "format": "mtcr-desk/edition", "format_version": 1,
        "edition": {"id": "bad-edition", "regime": "MTCR", "title": "t", "version": "1",
                    "text_status": "full", "has_mtcr_categories": True, "provenance": "test"},
        "entries": [{"code": "3", "parent": None, "kind": "item"},
                    {"code": "3.A", "parent": "3", "kind": "section"}],
    }
    for key, value in changes.items():
        document[key] = value
    return json.dumps(document).encode()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("annex.txt", synthetic_annex_text())
    return buffer.getvalue()


def _image_only_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(100, 100, 300, 400, fill=1)
    page.showPage()
    page.save()
    return buffer.getvalue()


BAD_FILES = {
    "empty.pdf": (lambda: b"", "is empty"),
    "blank.txt": (lambda: b"  \n\n ", "is empty"),
    "truncated.pdf": (lambda: synthetic_annex_pdf()[: len(synthetic_annex_pdf()) // 2], "PDF"),
    "scan.pdf": (_image_only_pdf, "no text"),
    "annex.zip.pdf": (_zip_bytes, "zip archive"),
    "program.bin": (lambda: bytes(range(256)) * 64, "binary"),
    "latin1.txt": (lambda: "Annexe r\xe9vis\xe9e".encode("latin-1"), "not UTF-8"),
    "junk.pdf": (lambda: b"%PDF-1.4\n" + b"\x13\x37junk" * 9_000_000, "MB"),
    "nested.json": (lambda: b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    "types.json": (lambda: _edition_json(entries={"3": "x"}), "entries: expected a list"),
    "duplicates.json": (
        lambda: _edition_json(entries=[{"code": "3", "parent": None, "kind": "item"},
                                       {"code": "3", "parent": None, "kind": "item"}]),
        "duplicate code 3"),
    "prose.txt": (lambda: b"Minutes of the meeting.\nNothing about any Annex here.\n",
                  "no MTCR Annex structure"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_refused_with_exit_2_and_change_nothing(db, tmp_path, capsys, name):
    make, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(make())
    before = snapshot(db)
    code, out = run("--db", str(db), "list", "import", str(path))
    err = capsys.readouterr().err
    assert code == 2, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err
    assert "Traceback" not in err
    assert snapshot(db) == before


def test_a_missing_file_and_a_bad_id_are_usage_errors(db, tmp_path, capsys, annex_pdf):
    assert run("--db", str(db), "list", "import", str(tmp_path / "nope.pdf"))[0] == 2
    assert "no such file" in capsys.readouterr().err
    assert run("--db", str(db), "list", "import", str(annex_pdf), "--id", "Bad Id")[0] == 2
    assert "--id 'Bad Id'" in capsys.readouterr().err


def test_items_without_a_category_line_get_the_guidelines_category_with_a_warning(db, tmp_path):
    path = tmp_path / "no-category.txt"
    path.write_text("ITEM 2 COMPLETE SUBSYSTEMS\n\n2.A.      EQUIPMENT\n\n"
                    "2.A.1.    Rocket stages for placeholder tests.\n\n"
                    "ITEM 3 PROPULSION\n\n3.A.      EQUIPMENT\n\n3.A.1.    Widget engines.\n",
                    encoding="utf-8")
    code, out = run("--db", str(db), "list", "import", str(path), "--id", "t-nocat")
    assert code == 0
    assert "no CATEGORY line before Item 2; Category I assumed" in out
    shown = json.loads(run("--db", str(db), "list", "show", "2.A.1", "--edition", "t-nocat",
                           "--json")[1])
    assert shown[0]["category"] == "I"
    shown = json.loads(run("--db", str(db), "list", "show", "3.A.1", "--edition", "t-nocat",
                           "--json")[1])
    assert shown[0]["category"] == "II"
