"""The shipped EU dual-use list edition (Regulation (EU) 2021/821, Annex I, full text).

The edition is re-split from a faulty third-party split of the EUR-Lex text
(``database/sources/EU_QUALITY.md``); these tests pin what the re-split must get
right: every real entry, no Note filed as an entry, no heading glued to an entry,
the lost text flagged, the MTCR-origin entries flagged, and a reproducible build.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import pytest

from mtcr_desk.domain.control_list import EntryKind, TextStatus
from mtcr_desk.services.edition_format import parse_edition_bytes
from tests.conftest import PROJECT_ROOT

EU_EDITION = "eu-2021-821-2025-11"
SOURCES = PROJECT_ROOT / "database" / "sources"
SOURCE = SOURCES / "eu_annex_i_en_2025-11.json"
QUALITY = SOURCES / "eu_quality.json"
SHIPPED = PROJECT_ROOT / "database" / "control_lists" / f"{EU_EDITION}.json"
SCRIPTS = PROJECT_ROOT / "database" / "scripts"

ENTRY_CODE = re.compile(r"\d[A-E]\d{3}")
SUB_ENTRY_CODE = re.compile(r"\d[A-E]\d{3}(?:\.(?:[a-z]|([a-z])\1|\d{1,2}))+")
NOTE_CODE = re.compile(
    r"(?P<owner>\S+) (?P<label>Note(?: \d+)?|Technical Note(?: \d+)?|N\.B\.)(?: \((?P<n>\d+)\))?"
)


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def document():
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nodes(document):
    return {entry["code"]: entry for entry in document["entries"]}


@pytest.fixture(scope="module")
def source():
    return json.loads(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def quality():
    return json.loads(QUALITY.read_text(encoding="utf-8"))


def entries_of(document) -> list[dict]:
    return [e for e in document["entries"] if e["kind"] == "entry"]


# -- the edition -------------------------------------------------------------


def test_the_edition_metadata(document):
    edition = document["edition"]
    assert document["format"] == "mtcr-desk/edition"
    assert document["format_version"] == 1
    assert edition["id"] == EU_EDITION
    assert edition["regime"] == "EU"
    assert edition["title"] == (
        "EU dual-use list: Regulation (EU) 2021/821, Annex I (consolidated 15.11.2025)")
    assert edition["version"] == (
        "consolidated text of 15.11.2025, incl. Delegated Regulation (EU) 2025/2003")
    assert edition["edition_date"] == "2025-11-15"
    assert edition["text_status"] == "full"
    assert edition["has_mtcr_categories"] is False
    assert edition["source_file"] == "eu_annex_i_en_2025-11.json"
    assert edition["source_sha256"] == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert edition["licence"] is None
    assert edition["acknowledgement"] == (
        "Source: Regulation (EU) 2021/821, Annex I, consolidated text of 15.11.2025, "
        "EUR-Lex, © European Union. Only the Official Journal is authentic.")
    provenance = edition["provenance"]
    for words in ("github.com/dkmcustoms-web/dual-use-v1", "2e697d03", "no licence",
                  "re-split", "Only the Official Journal"):
        assert words in provenance
    incomplete = [e for e in entries_of(document)
                  if "." not in e["code"] and "text_incomplete" in e["flags"]]
    assert f"{len(incomplete)} of the " in provenance


def test_the_shipped_file_passes_the_validator_and_loads(document, control_list):
    parsed = parse_edition_bytes(SHIPPED.read_bytes(), source_name=SHIPPED.name)
    assert len(parsed.entries) == len(document["entries"])
    edition = control_list.edition(EU_EDITION)
    assert edition.text_status is TextStatus.FULL
    assert edition.has_mtcr_categories is False
    assert edition.entry_count == len(document["entries"])
    assert edition.acknowledgement.startswith("Source: Regulation (EU) 2021/821")


def test_codes_are_unique_short_and_every_parent_exists(document, nodes):
    codes = [e["code"] for e in document["entries"]]
    assert len(codes) == len(set(codes))
    assert max(len(code) for code in codes) <= 64
    for entry in document["entries"]:
        assert entry["parent"] is None or entry["parent"] in nodes, entry["code"]
        assert entry["category"] is None
        assert entry["item"] is None


def test_the_build_script_reproduces_the_shipped_file(tmp_path):
    subprocess.run(
        [sys.executable, str(SCRIPTS / "build_eu_annex.py"), "--output", str(tmp_path)],
        check=True, capture_output=True,
    )
    assert (tmp_path / SHIPPED.name).read_bytes() == SHIPPED.read_bytes()


def test_make_data_writes_both_editions(tmp_path):
    subprocess.run(
        [sys.executable, str(SCRIPTS / "build_control_lists.py"), "--output", str(tmp_path)],
        check=True, capture_output=True,
    )
    assert (tmp_path / SHIPPED.name).read_bytes() == SHIPPED.read_bytes()
    structure = SHIPPED.parent / "mtcr-2024-structure.json"
    assert (tmp_path / structure.name).read_bytes() == structure.read_bytes()


# -- the tree ------------------------------------------------------------------


def test_categories_and_subgroups(nodes):
    categories = [code for code, e in nodes.items() if e["kind"] == "item"]
    assert categories == [str(n) for n in range(10)]
    for code in categories:
        node = nodes[code]
        assert node["parent"] is None and node["section"] is None and node["title"]
    assert nodes["0"]["title"] == "Nuclear materials, facilities, and equipment"
    assert nodes["9"]["title"] == "Aerospace and propulsion"
    sections = [e for e in nodes.values() if e["kind"] == "section"]
    for node in sections:
        assert re.fullmatch(r"\d[A-E]\d?", node["code"])
        assert node["parent"] == node["code"][0]
        assert node["section"] == node["code"][1]
        assert node["title"] in ("Systems, Equipment and Components",
                                 "Test, Inspection and Production Equipment",
                                 "Materials", "Software", "Technology")
    codes = {node["code"] for node in sections}
    # Category 5 has two parts; its subgroups are numbered by part, as printed.
    assert {"5A1", "5B1", "5C1", "5D1", "5E1", "5A2", "5B2", "5C2", "5D2", "5E2"} <= codes
    assert "5A" not in codes
    assert nodes["5A002"]["parent"] == "5A2"
    assert nodes["5A001"]["parent"] == "5A1"


def test_every_source_heading_is_an_entry(source, nodes):
    headings = [r for r in source["entries"] if r["depth"] == 0]
    assert len(headings) == 382
    for record in headings:
        node = nodes[record["code"]]
        assert node["kind"] == "entry"
        assert node["title"] == clean(record["label"])
        assert node["section"] == record["subgroup"]
        parent = nodes[node["parent"]]
        assert parent["kind"] == "section" and parent["code"][:2] == record["code"][:2]
        assert node["sources"] == ["eur-lex-2025-11-15"]


def test_sub_entries_sit_under_their_entry(document, nodes):
    for entry in entries_of(document):
        code = entry["code"]
        if "." in code:
            assert SUB_ENTRY_CODE.fullmatch(code), code
            assert entry["parent"] == code.rsplit(".", 1)[0]
            assert entry["title"] is None
            assert entry["section"] == code[1]
        else:
            assert ENTRY_CODE.fullmatch(code), code


def test_no_note_text_is_filed_as_an_entry(document):
    for entry in entries_of(document):
        for words in (entry["title"] or "", entry["text"] or ""):
            assert not words.startswith(
                ("does not control", "includes", "controls only", "applies to")), entry["code"]
            assert not re.match(r"(?:and |to )?\d[A-E]\d{3}\S* (?:does not|do not|include)",
                                words), entry["code"]


def test_notes_are_nodes_owned_by_what_they_belong_to(document, nodes):
    notes = [e for e in document["entries"] if e["kind"] in ("note", "technical note")]
    assert len(notes) > 700
    for note in notes:
        match = NOTE_CODE.fullmatch(note["code"])
        assert match, note["code"]
        assert match["owner"] == note["parent"]
        assert nodes[note["parent"]]["kind"] in ("entry", "item", "section")
        assert (note["kind"] == "technical note") == match["label"].startswith("Technical")
        assert note["title"] is None and note["text"]
        assert "mtcr_origin" not in note["flags"]
        assert not note["text"].startswith(("Note:", "Technical Note:", "N.B."))


def test_no_heading_or_preamble_is_glued_to_an_entry(document):
    glued = re.compile(
        r"PART [IVX]+ Category|CATEGORY \d|Part 2 - \"INFORMATION SECURITY\""
        r"|\b\d[A-E]\d? (?:Systems, Equipment and Components|Test, Inspection and "
        r"Production Equipment)"
        r"|Cryptography Note 5A002|Note to the Cryptography Note"
        r"|Generally available to the public by being sold"
        r"|TECHNICAL NOTE ON|TABLE - DEPOSITION TECHNIQUES|data\.europa\.eu"
    )
    for entry in entries_of(document):
        words = f"{entry['title'] or ''} {entry['text'] or ''}"
        assert not glued.search(words), entry["code"]


# -- flags ---------------------------------------------------------------------


def test_entries_with_lost_text_are_flagged(quality, nodes):
    lost = set(quality["dangling_note_text_apparently_lost"]) | set(
        quality["content_items_missing"])
    assert len(lost) == 75     # 69 + 7, 6A006 in both lists
    for code in lost:
        # Pseudo-entries ("1A002.b.1", a Note fragment) map to their real entry.
        assert "text_incomplete" in nodes[code.split(".")[0]]["flags"], code
    for code in ("1C002", "2B001", "4A003", "6A006", "6A008", "7A003", "9E003",
                 "0C001", "0C002", "9A001"):
        assert "text_incomplete" in nodes[code]["flags"]
    assert nodes["9A101"]["flags"] == ["mtcr_origin"]


def test_sub_entries_created_for_lost_text_are_empty_and_flagged(document, nodes):
    for entry in entries_of(document):
        if "." in entry["code"] and "text_incomplete" in entry["flags"]:
            # Created where the source lost an item's text: empty, and its entry flagged.
            assert entry["text"] is None, entry["code"]
            assert "text_incomplete" in nodes[entry["code"].split(".")[0]]["flags"]
    # "Note: 1C002.c.1.a. includes ..." follows a gap: 1C002.c.1.a exists, empty.
    codes = nodes
    assert codes["1C002.c.1.a"]["text"] is None
    assert {"implied_parent", "text_incomplete"} <= set(codes["1C002.c.1"]["flags"])
    assert codes["1C002.c.1.b"]["text"].startswith("Niobium alloys")


def test_mtcr_origin_exactly_on_the_1xx_entries(document, quality, nodes):
    for entry in document["entries"]:
        number = int(entry["code"][2:5]) if ENTRY_CODE.match(entry["code"]) else None
        expected = entry["kind"] == "entry" and number is not None and 100 <= number <= 199
        assert ("mtcr_origin" in entry["flags"]) == expected, entry["code"]
    real = [e["code"] for e in quality["x1xx_entries"] if e["depth"] == 0]
    assert len(real) == 100
    for code in real:
        assert "mtcr_origin" in nodes[code]["flags"]
    assert "mtcr_origin" in nodes["9A101.a"]["flags"]
    assert "mtcr_origin" in nodes["1C111.a.5"]["flags"]
    assert "mtcr_origin" not in nodes["9A001"]["flags"]


# -- known entries ---------------------------------------------------------------


def test_9a101_and_its_sub_entries(control_list):
    detail = control_list.show("9A101", edition_id=EU_EDITION)[0]
    entry = detail.entry
    assert entry.kind is EntryKind.ENTRY
    assert entry.title == (
        "Turbojet and turbofan engines, other than those specified in 9A001, as follows;")
    assert entry.text is None
    assert entry.section == "A"
    assert entry.category is None
    assert [a.code for a in detail.ancestors] == ["9", "9A"]
    assert [c.code for c in detail.children if c.kind is EntryKind.ENTRY] == [
        "9A101.a", "9A101.b"]
    below = [d.code for d in detail.descendants if d.kind is EntryKind.ENTRY]
    assert below == ["9A101.a", "9A101.a.1", "9A101.a.2", "9A101.a.3", "9A101.a.4", "9A101.b"]
    a = control_list.show("9A101.a", edition_id=EU_EDITION)[0].entry
    assert a.title is None
    assert a.text == "Engines having all of the following characteristics:"
    assert "mtcr_origin" in a.flags
    a1 = control_list.show("9A101.a.1", edition_id=EU_EDITION)[0].entry
    assert a1.text.startswith("'Maximum thrust value' greater than 400 N")
    b = control_list.show("9A101.b", edition_id=EU_EDITION)[0].entry
    assert b.text.startswith('Engines designed or modified for use in "missiles"')
    notes = [d for d in detail.descendants if d.kind is EntryKind.TECHNICAL_NOTE]
    assert notes and all("Technical Note" in n.code for n in notes)
    assert any(n.text.startswith("For the purpose of 9A101.a.1.") for n in notes)


def test_7a102_is_about_gyros(control_list):
    entry = control_list.show("7A102", edition_id=EU_EDITION)[0].entry
    assert "gyros" in entry.title
    assert "mtcr_origin" in entry.flags


def test_the_0a001_i_note_is_attached_under_0a001(control_list):
    detail = control_list.show("0A001", edition_id=EU_EDITION)[0]
    notes = [d for d in detail.descendants if d.kind is EntryKind.NOTE
             and "does not control heat exchangers" in (d.text or "")]
    assert len(notes) == 1
    assert notes[0].code == "0A001.i Note"
    assert notes[0].parent_code == "0A001.i"
    # The items after the Note are 0A001's, not the Note's.
    assert [c.code for c in detail.children if c.kind is EntryKind.ENTRY][-2:] == [
        "0A001.j", "0A001.k"]


def test_5e101_holds_no_cryptography_note(control_list, nodes):
    detail = control_list.show("5E101", edition_id=EU_EDITION)[0]
    words = " ".join(filter(None, [detail.entry.title, detail.entry.text]
                            + [d.text for d in detail.descendants]))
    assert "Cryptography Note" not in words
    assert "INFORMATION SECURITY" not in words
    assert detail.entry.text is None
    # The Category 5 Part 2 preamble is Category 5's.
    crypto = nodes["5 Note 3"]
    assert crypto["parent"] == "5" and crypto["text"].startswith("Cryptography Note")
    assert "Part 2" in nodes["5"]["text"]


def test_the_3a002_d_includes_note_is_owned_by_3a002_d(control_list):
    note = control_list.show("3A002.d Note 1", edition_id=EU_EDITION)[0].entry
    assert note.kind is EntryKind.NOTE
    assert note.parent_code == "3A002.d"
    assert note.text == "3A002.d. includes arbitrary waveform and function generators."


def test_preambles_belong_to_their_heading(nodes):
    assert nodes["2A N.B."]["parent"] == "2A"
    assert nodes["3A Note 1"]["parent"] == "3A"
    assert nodes["1C Technical Note"]["text"].startswith("Metals and alloys")
    assert nodes["2C"]["text"] == "None."
    assert nodes["4 Technical Note"]["text"].startswith('TECHNICAL NOTE ON "ADJUSTED PEAK')
    assert nodes["4D002"]["title"] == "Not used."


def test_the_deposition_table_is_filed_under_2e003_f(nodes):
    assert "Table - Deposition techniques" in nodes["2E003.f"]["text"]
    assert nodes["2E003.f Note 19"]["text"].startswith("Ceramic substrates")
    assert nodes["2E003.f Technical Note"]["text"].startswith("Processes specified in Column 1")
    assert "Table" not in (nodes["2E503.g"]["text"] or "")
