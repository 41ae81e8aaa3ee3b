"""Import of the official MTCR Annex: PDF text extraction and the Annex text parser.

The round trip runs on a synthetic Annex (``tests/fixtures/synthetic_annex.py``, invented
words only): the generator knows the intended entries, lays the document out like the
official Annex as a PDF and as text, and the parser must give back exactly those entries.
"""

from __future__ import annotations

import io
import logging
import os
import re
import time
import warnings
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from mtcr_desk.domain.errors import InvalidInputError
from mtcr_desk.services.annex_text import AnnexText, parse_annex_text
from mtcr_desk.services.edition_format import parse_edition_document
from mtcr_desk.services.pdf_text import extract_pdf_text
from tests.conftest import PROJECT_ROOT
from tests.fixtures.synthetic_annex import (
    DOCUMENT_ID,
    PREAMBLE_START,
    YEAR,
    intended_entries,
    page_count,
    synthetic_annex_pdf,
    synthetic_annex_text,
)

SAMPLE = PROJECT_ROOT / "database" / "sources" / "sample_official_layout.txt"
KEYS = ["code", "parent", "kind", "item", "section", "category", "title", "title_status",
        "text", "notes", "flags", "sources"]


def _edition(entries: list[dict]) -> dict:
    return {
        "format": "mtcr-desk/edition",
        "format_version": 1,
        "edition": {
            "id": "mtcr-2099-test", "regime": "MTCR", "title": "Synthetic Annex",
            "version": "MTCR/TEM/2099/Annex", "edition_date": None, "text_status": "full",
            "has_mtcr_categories": True, "provenance": "synthetic test document",
            "source_file": "synthetic.pdf", "source_sha256": None, "licence": None,
            "acknowledgement": None,
        },
        "entries": entries,
    }


def _diff(got: list[dict], expected: list[dict]) -> list[str]:
    """Readable differences, entry for entry (for assertion messages)."""
    problems = []
    got_codes = [entry["code"] for entry in got]
    expected_codes = [entry["code"] for entry in expected]
    if got_codes != expected_codes:
        problems.append(f"codes differ: missing {sorted(set(expected_codes) - set(got_codes))}, "
                        f"extra {sorted(set(got_codes) - set(expected_codes))}")
    for mine, theirs in zip(got, expected, strict=False):
        for key in KEYS:
            if mine.get(key) != theirs.get(key):
                problems.append(f"{theirs['code']}.{key}: {mine.get(key)!r} != {theirs[key]!r}")
    return problems


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return synthetic_annex_pdf()


@pytest.fixture(scope="module")
def pdf_text(pdf_bytes) -> str:
    return extract_pdf_text(pdf_bytes, source_name="synthetic.pdf")


# ------------------------------------------------------------------ round trip


def _check_synthetic(result: AnnexText) -> None:
    expected = intended_entries()
    assert result.entries == expected, "\n".join(_diff(result.entries, expected))
    assert result.document_id == DOCUMENT_ID
    assert result.year == YEAR
    # Only the title page text before DEFINITIONS is outside the structure, and it is reported.
    assert len(result.warnings) == 1, result.warnings
    assert PREAMBLE_START in result.warnings[0]
    assert "not imported" in result.warnings[0]


def test_pdf_round_trip_gives_the_intended_entries(pdf_text):
    _check_synthetic(parse_annex_text(pdf_text, source_name="synthetic.pdf"))


def test_text_round_trip_gives_the_intended_entries():
    _check_synthetic(parse_annex_text(synthetic_annex_text(), source_name="synthetic.txt"))


def test_the_synthetic_pdf_is_laid_out_like_the_annex(pdf_bytes, pdf_text):
    pages = len(PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert pages == page_count() >= 3
    lines = [line.strip() for line in pdf_text.splitlines()]
    assert lines.count(DOCUMENT_ID) == pages
    assert [line for line in lines if re.fullmatch(r"\d+ of \d+", line)] == [
        f"{n} of {pages}" for n in range(1, pages + 1)
    ]
    # Indentation survives extraction, in one unit for the whole document.
    assert re.search(r"^ {10}a\. {4}Example widget engines", pdf_text, re.M)
    assert re.search(r"^ {22}a\. {4}Less than 0,5", pdf_text, re.M)
    # Both kinds of hyphenated line break are printed.
    assert re.search(r"gizmo com-\n", pdf_text) and re.search(r"pretend-\n", pdf_text)


def test_the_synthetic_annex_covers_the_layout():
    entries = intended_entries()
    assert all(list(entry) == KEYS for entry in entries)
    items = [entry for entry in entries if entry["kind"] == "item"]
    assert sum(entry["category"] == "I" for entry in items) >= 2
    assert sum(entry["category"] == "II" for entry in items) >= 2
    codes = {entry["code"] for entry in entries}
    assert {"3.A.1.a.1", "4.A.1.a.1.a", "3.A.2 N.B.", "2.A.1 Note (2)", "2.A.1 Note 1",
            "3.A.1 Technical Note 2", "3.A.1.a Technical Note", "4.B Note",
            'Definition "Software"', "Definitions"} <= codes
    kinds = {entry["kind"] for entry in entries}
    assert kinds == {"item", "section", "entry", "note", "technical note", "definition"}
    assert any(entry["text"] == "None." and entry["kind"] == "section" for entry in entries)
    texts = " ".join(entry["text"] or "" for entry in entries)
    assert "gizmo components therefor" in texts and "per pretend-hour or less" in texts


def test_the_import_is_a_valid_edition(pdf_text):
    result = parse_annex_text(pdf_text, source_name="synthetic.pdf")
    parsed = parse_edition_document(_edition(result.entries), source_name="synthetic.pdf")
    assert len(parsed.entries) == len(result.entries)
    sample = parse_annex_text(SAMPLE.read_text(encoding="utf-8"), source_name=SAMPLE.name)
    parse_edition_document(_edition(sample.entries), source_name=SAMPLE.name)


def test_no_printed_word_is_lost():
    """Every word printed (bar page furniture and labels) reaches an entry or a warning."""
    for text in (synthetic_annex_text(), SAMPLE.read_text(encoding="utf-8")):
        result = parse_annex_text(text, source_name="t.txt")
        blob = " ".join(
            " ".join(str(entry[key] or "") for key in ("code", "title", "text", "category"))
            for entry in result.entries
        ).lower() + " ".join(result.warnings).lower()
        furniture = {"mtcr", "tem", "annex", "of", "category", "item", "note", "notes",
                     "technical", "n", "b", "definitions", "none"}
        for line in text.splitlines():
            for word in re.findall(r"[A-Za-z]+", line):
                if word.lower() not in furniture:
                    assert word.lower() in blob, f"{word!r} of {line.strip()!r} was dropped"


# ---------------------------------------------------------------- the sample


def _n(code, parent, kind, *, section=None, title=None, text=None) -> dict:
    return {"code": code, "parent": parent, "kind": kind, "item": 3, "section": section,
            "category": "II", "title": title, "title_status": None, "text": text,
            "notes": None, "flags": [], "sources": []}


SAMPLE_TREE = [
    _n("3", None, "item", title="PROPULSION COMPONENTS AND EQUIPMENT"),
    _n("3.A", "3", "section", section="A", title="EQUIPMENT, ASSEMBLIES AND COMPONENTS"),
    _n("3.A.1", "3.A", "entry", section="A",
       text="Example widget engines (placeholder text for parser tests only), as follows:"),
    _n("3.A.1.a", "3.A.1", "entry", section="A",
       text="Example widget engines having all of the following:"),
    _n("3.A.1.a.1", "3.A.1.a", "entry", section="A",
       text='A placeholder "thrust value" greater than 999 example-units; and'),
    _n("3.A.1.a.2", "3.A.1.a", "entry", section="A",
       text="A dummy consumption figure of 0,00 sample-units per pretend-hour or less;"),
    _n("3.A.1.b", "3.A.1", "entry", section="A",
       text='Example widget engines designed or modified for use in "sample systems", '
            "regardless of placeholder thrust."),
    _n("3.A.1 Note", "3.A.1", "note", section="A",
       text="3.A.1.a. does not control example widget engines made only for a fictional "
            "demonstration scenario."),
    _n("3.A.1 Technical Note 1", "3.A.1", "technical note", section="A",
       text="For the purposes of 3.A.1.a.1., 'placeholder thrust' is a made-up quantity "
            "used only to exercise a parser."),
    _n("3.A.1 Technical Note 2", "3.A.1", "technical note", section="A",
       text="'Sample-units' are invented units with no physical meaning."),
    _n("3.A.2", "3.A", "entry", section="A",
       text="Sample sprocket assemblies, and specially designed gizmo components therefor, "
            "having any of the following:"),
    _n("3.A.2.a", "3.A.2", "entry", section="A",
       text="A pretend gear ratio of 42:1 or greater; or"),
    _n("3.A.2.b", "3.A.2", "entry", section="A",
       text="An imaginary resonance above 123 fictional-hertz."),
    _n("3.A.2 N.B.", "3.A.2", "note", section="A",
       text="See also example entry 3.A.9. (placeholder cross-reference)."),
    _n("3.B", "3", "section", section="B", title="TEST AND PRODUCTION EQUIPMENT"),
    _n("3.B.1", "3.B", "entry", section="B",
       text='"Production facilities" specially designed for the example widgets specified '
            "in 3.A.1. (placeholder wording)."),
    _n("3.B.2", "3.B", "entry", section="B",
       text='"Production equipment" specially designed for the sample sprockets specified '
            "in 3.A.2. (placeholder wording)."),
    _n("3.C", "3", "section", section="C", title="MATERIALS", text="None."),
    _n("3.D", "3", "section", section="D", title="SOFTWARE"),
    _n("3.D.1", "3.D", "entry", section="D",
       text='"Software" specially designed for the "use" of the example widget facilities '
            "specified in 3.B.1. (placeholder wording)."),
]


def test_the_sample_official_layout_parses_to_the_expected_tree():
    result = parse_annex_text(SAMPLE.read_text(encoding="utf-8"), source_name=SAMPLE.name)
    assert result.entries == SAMPLE_TREE, "\n".join(_diff(result.entries, SAMPLE_TREE))
    assert result.document_id == "MTCR/TEM/2099/Annex"
    assert result.year == 2099
    assert result.warnings == []


# ------------------------------------------------------------- hyphenation


def _texts(body: str) -> dict[str, str]:
    text = "ITEM 3 SAMPLE WIDGETS\n3.A.   EQUIPMENT\n" + body
    return {entry["code"]: entry["text"] for entry in
            parse_annex_text(text, source_name="t.txt").entries}


def test_a_soft_hyphen_is_dropped_when_the_whole_word_occurs_elsewhere():
    texts = _texts("3.A.1.   gizmo com-\n         ponents.\n3.A.2.   more components.\n")
    assert texts["3.A.1"] == "gizmo components."


def test_a_hyphen_is_kept_when_the_joined_word_occurs_nowhere_else():
    texts = _texts("3.A.1.   per pretend-\n         hour, or com-\n         ponents.\n")
    assert texts["3.A.1"] == "per pretend-hour, or com-ponents."


def test_a_hyphen_before_a_capital_or_digit_is_kept_and_a_unicode_soft_hyphen_dropped():
    texts = _texts("3.A.1.   sample-\n         Units and 3-\n         5 and wid\u00ad\n"
                   "         gets.\n")
    assert texts["3.A.1"] == "sample-Units and 3-5 and widgets."


# ------------------------------------------------------------ parser warnings


def test_unexpected_markers_and_stray_text_are_reported_not_dropped():
    text = (
        "Some stray title text\n"
        "CATEGORY II\n"
        "ITEM 3 SAMPLE WIDGETS\n"
        "3.A.   EQUIPMENT\n"
        "3.A.1.   Widgets, as follows:\n"
        "         a.    first;\n"
        "         c.    third;\n"
        "         1.    a number where a letter belongs;\n"
        "3.A.1.   the same code again.\n"
        "5.B.1.   an entry without its item heading.\n"
    )
    result = parse_annex_text(text, source_name="t.txt")
    codes = [entry["code"] for entry in result.entries]
    assert codes == ["3", "3.A", "3.A.1", "3.A.1.a", "3.A.1.c", "3.A.1.1", "3.A.1 (2)",
                     "5", "5.B", "5.B.1"]
    joined = "\n".join(result.warnings)
    assert "Some stray title text" in joined
    assert "'c.' in 3.A.1 out of sequence" in joined
    assert "unexpected marker '1.'" in joined
    assert "3.A.1 appears more than once" in joined
    assert "no ITEM 5 heading" in joined
    implied = {entry["code"]: entry["flags"] for entry in result.entries}
    assert implied["5"] == ["implied_parent"] and implied["5.B"] == ["implied_parent"]


def test_definitions_take_terms_with_their_meaning():
    text = (
        "DEFINITIONS\n"
        "In this sample the following apply:\n"
        '"Blorf"          means a made-up thing,\n'
        '                 "production" included.\n'
        '"Wibble rate"\n'
        "    Usually measured in pretend units.\n"
        '(3) "Gizmo": a numbered definition.\n'
        "TERMINOLOGY\n"
        "Words here are not definitions.\n"
        "ITEM 3 SAMPLE WIDGETS\n"
    )
    result = parse_annex_text(text, source_name="t.txt")
    by_code = {entry["code"]: entry for entry in result.entries}
    assert list(by_code) == ["Definitions", 'Definition "Blorf"', 'Definition "Wibble rate"',
                             'Definition "Gizmo"', "3"]
    assert by_code['Definition "Gizmo"']["text"] == "a numbered definition."
    assert by_code["Definitions"]["text"] == "In this sample the following apply:"
    assert by_code['Definition "Blorf"']["text"] == 'means a made-up thing, "production" included.'
    assert by_code['Definition "Blorf"']["parent"] == "Definitions"
    assert by_code['Definition "Wibble rate"']["text"] == "Usually measured in pretend units."
    assert any("TERMINOLOGY" in warning for warning in result.warnings)


def test_layout_variants_of_the_real_document():
    text = (
        "Item 1 ........................ 3\n"  # a table-of-contents line
        "CATEGORY II\n"
        "ITEM 3 SAMPLE WIDGETS\n"
        "3.A.\tEquipment, assemblies and components\n"
        "3.A.1.\tWidgets.\n"
        "\tNote:\tA note whose second line\n"
        "\twraps back to its label.\n"
        "3.A.2.\tGadgets, as follows:\n"
        "\ta.\tthe first;\n"
        "\tTechnical Notes:\n"
        "\t1.\tOne,\n"
        "\twrapped without a hanging indent.\n"
        "\t2.\tTwo.\n"
    )
    result = parse_annex_text(text, source_name="t.txt")
    by_code = {entry["code"]: entry for entry in result.entries}
    assert by_code["3.A"]["title"] == "Equipment, assemblies and components"
    assert by_code["3.A.1"]["text"] == "Widgets."
    assert by_code["3.A.1 Note"]["text"] == "A note whose second line wraps back to its label."
    assert by_code["3.A.2 Technical Note 1"]["text"] == "One, wrapped without a hanging indent."
    assert by_code["3.A.2 Technical Note 2"]["text"] == "Two."
    assert len(result.warnings) == 1 and "Item 1 ...." in result.warnings[0]


def test_windows_line_ends_and_tabs_read_like_the_sample():
    sample = SAMPLE.read_text(encoding="utf-8")
    windows = sample.replace("\n", "\r\n").replace(" " * 8, "\t")
    assert parse_annex_text(windows, source_name="t.txt").entries == SAMPLE_TREE


def test_warnings_name_the_page_when_pages_are_numbered():
    text = synthetic_annex_text().replace(
        "          b.    Example widget engines designed",
        "          d.    Example widget engines designed",
    )
    result = parse_annex_text(text, source_name="t.txt")
    assert any(re.match(r"page \d+, line \d+: marker 'd\.' in 3\.A\.1 out of sequence", w)
               for w in result.warnings), result.warnings


# ------------------------------------------------------------------ bad input


def _image_only_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _encrypted_pdf(user_password: str) -> bytes:
    buffer = io.BytesIO()
    encryption = StandardEncryption(user_password, ownerPassword="owner-secret")
    pdf = canvas.Canvas(buffer, encrypt=encryption)
    pdf.drawString(72, 700, "ITEM 3 SAMPLE WIDGETS")
    pdf.drawString(72, 680, "3.A.1.   Placeholder widgets.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("annex.txt", "ITEM 3 SAMPLE WIDGETS\n")
    return buffer.getvalue()


BAD_PDFS = {
    "empty": (lambda: b"", "the file is empty"),
    "truncated": (lambda: synthetic_annex_pdf()[: len(synthetic_annex_pdf()) // 2],
                  "truncated or damaged PDF"),
    "damaged": (lambda: synthetic_annex_pdf()[: len(synthetic_annex_pdf()) // 2] + b"\n%%EOF\n",
                "damaged PDF; it cannot be read"),
    "image-only": (_image_only_pdf, "contains no text; it may be a scanned image — import the "
                                    "text version instead"),
    "random": (lambda: os.urandom(200_000), "not a PDF file"),
    "zip": (_zip_bytes, "not a PDF file (it is a ZIP archive"),
    "huge": (lambda: b"%PDF-1.4\n" + b"\x00" * (50 * 1024 * 1024 + 1), "file too large"),
    "junk": (lambda: b"%PDF-1.4\n" + os.urandom(2_000_000) + b"\n%%EOF\n", "damaged PDF"),
    "encrypted": (lambda: _encrypted_pdf("user-secret"), "encrypted PDF (password-protected)"),
    "text": (lambda: b"ITEM 3 SAMPLE WIDGETS\n", "not a PDF file (it looks like plain text"),
}


@pytest.mark.parametrize("case", sorted(BAD_PDFS))
def test_bad_pdfs_are_refused_with_a_specific_message(case, caplog):
    make, message = BAD_PDFS[case]
    data = make()
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no pypdf warning may escape
        with pytest.raises(InvalidInputError) as raised:
            extract_pdf_text(data, source_name=f"{case}.pdf")
    assert time.monotonic() - started < 5
    assert str(raised.value).startswith(f"{case}.pdf: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]


def test_pypdf_warnings_on_a_repairable_pdf_do_not_escape(caplog, pdf_text):
    # A wrong cross-reference offset: pypdf repairs it and logs warnings, which stay inside.
    data = re.sub(rb"startxref\s+\d+", b"startxref\n12345", synthetic_annex_pdf())
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = extract_pdf_text(data, source_name="repaired.pdf")
    assert text == pdf_text
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]
    assert logging.getLogger("pypdf").level == logging.NOTSET  # restored afterwards


def test_a_pdf_encrypted_without_a_user_password_opens():
    text = extract_pdf_text(_encrypted_pdf(""), source_name="restricted.pdf")
    assert "3.A.1." in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the text is empty"),
        ("   \n\n  ", "the text is empty"),
        ("Minutes of the meeting.\nNothing about items here.\n", "no MTCR Annex structure"),
        ('DEFINITIONS\n"Thing" means a thing.\n', "no MTCR Annex structure"),
    ],
)
def test_text_without_annex_structure_is_refused(text, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_annex_text(text, source_name="notes.txt")


def test_text_only_from_a_pdf_page_header_is_refused():
    with pytest.raises(InvalidInputError, match="no MTCR Annex structure"):
        parse_annex_text(f"{DOCUMENT_ID}\n1 of 1\n", source_name="t.txt")


# ------------------------------------------------------------------ robustness


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_text_never_crashes_the_parser(data):
    lines = synthetic_annex_text().splitlines()
    kept = data.draw(st.lists(st.sampled_from(range(len(lines))), max_size=80))
    noise = data.draw(st.text(max_size=200))
    text = "\n".join(lines[index] for index in sorted(kept)) + "\n" + noise
    try:
        result = parse_annex_text(text, source_name="t.txt")
    except InvalidInputError:
        return
    codes = [entry["code"] for entry in result.entries]
    assert len(codes) == len(set(codes))
    assert all(entry["parent"] is None or entry["parent"] in codes for entry in result.entries)
    assert all(len(code) <= 64 for code in codes)
    parse_edition_document(_edition(result.entries), source_name="t.txt")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1,
                max_size=20))
def test_corrupted_pdf_bytes_give_text_or_a_refusal(flips):
    data = bytearray(synthetic_annex_pdf())
    for position, value in flips:
        data[position % len(data)] = value
    started = time.monotonic()
    try:
        text = extract_pdf_text(bytes(data), source_name="flipped.pdf")
    except InvalidInputError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(text, str)
    assert time.monotonic() - started < 5
