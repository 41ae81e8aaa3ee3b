"""The PDF decision memo: every recorded field is printed, text is safe, marks and bytes right.

Memos are built from hand-made domain objects (no database) and read back with pypdf.
The builders here are shared with the other ``test_memo_*`` modules.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import subprocess
import sys

import pytest
from pypdf import PdfReader

from mtcr_desk.domain.cases import (
    Assessment,
    AssessmentStatus,
    Assurance,
    Case,
    CaseStatus,
    Decision,
    Factor,
    FactorFinding,
    Finding,
    Item,
    Outcome,
    Party,
    PartyRole,
)
from mtcr_desk.domain.control_list import Category, Edition, TextStatus
from mtcr_desk.domain.errors import InvalidInputError
from mtcr_desk.domain.rules import DestinationFlags
from mtcr_desk.reports.memo import MemoInput, MemoRenderer, MemoSettings, render_memo
from tests.conftest import PROJECT_ROOT

PEOPLE = {"olga.officer": "Olga Ivanova", "sam.senior": "Samuel Senior",
          "otto.officer": "Otto Berg"}
AUDIT_HEAD = "5f2c" + "0123456789abcdef" * 3 + "9a8b7c6d5e4f"


# --- builders (used by the other test_memo_* modules too) ----------------------------------


def mtcr_edition(**changes) -> Edition:
    """A structure-only MTCR edition with provenance and no acknowledgement."""
    edition = Edition(
        id="mtcr-2024-structure", regime="MTCR",
        title="MTCR Annex entry-code structure (2024; no entry text)",
        version="2024 structure", edition_date="2024-03-14", text_status=TextStatus.STRUCTURE,
        has_mtcr_categories=True,
        provenance="Entry codes and categories merged from the UK licensing system's data.",
        source_file="mtcr_annex_structure.json", source_sha256="cb76fb59" * 8,
        licence="MIT License", acknowledgement=None, imported_at="2026-01-02T09:00:00Z",
        imported_by="ada.admin")
    return dataclasses.replace(edition, **changes)


def eu_edition() -> Edition:
    """The EU list edition, whose text must be acknowledged."""
    return mtcr_edition(
        id="eu-2021-821-2025-11", regime="EU",
        title="EU dual-use list: Regulation (EU) 2021/821, Annex I (consolidated 15.11.2025)",
        version="consolidated text of 15.11.2025", edition_date="2025-11-15",
        text_status=TextStatus.FULL, has_mtcr_categories=False,
        provenance="Full text of Annex I as published on EUR-Lex.",
        acknowledgement="Source: Regulation (EU) 2021/821, Annex I, EUR-Lex, © European Union. "
                        "Only the Official Journal is authentic.")


def approved_case(**changes) -> Case:
    """A final approval with conditions, Category II, to Norway (an MTCR partner)."""
    items = (
        Item(line=1, description="Filament-wound rocket motor case, 450 mm diameter",
             quantity=2, unit="pieces", manufacturer="Marschner Verbundwerkstoffe GmbH",
             part_number="MVW-MC-450", value=214000, currency="EUR",
             assessment=Assessment(
                 status=AssessmentStatus.CONTROLLED, entry_codes=("3.A.3",),
                 rationale="Rocket motor case usable in complete rocket systems.",
                 assessed_by="olga.officer", assessed_at="2026-09-21T10:02:45Z",
                 precedent="MTCR-2025-0044 line 3")),
        Item(line=2, description="Four-channel digital storage oscilloscope", quantity=3.5,
             unit="units", value=9870.5, currency="NOK",
             assessment=Assessment(
                 status=AssessmentStatus.NOT_CONTROLLED,
                 rationale="General-purpose laboratory instrument; not listed.",
                 assessed_by="olga.officer", assessed_at="2026-09-21T10:09:13Z")),
    )
    factors = tuple(
        FactorFinding(factor=factor,
                      finding=Finding.CONCERN if factor is Factor.C else Finding.NO_CONCERN,
                      note=f"Note on factor {factor.value}: checked against the record.")
        for factor in Factor)
    decision = Decision(
        outcome=Outcome.APPROVE_WITH_CONDITIONS,
        rationale="Category II items for a declared civil research programme.",
        conditions=("Post-shipment verification within six months of delivery.",
                    "The resin is used only to repair the motor cases of line 1."),
        drafted_by="olga.officer", drafted_at="2026-10-02T14:30:00Z",
        countersigned_by="sam.senior", countersigned_at="2026-10-05T09:12:48Z",
        countersignature="agreed", audit_head=AUDIT_HEAD, id=17)
    case = Case(
        reference="MTCR-2026-0009", status=CaseStatus.DECIDED,
        applicant="Marschner Verbundwerkstoffe GmbH", destination="NO",
        end_use="Static test firings of a two-stage sounding rocket.",
        received_on="2026-09-14", due_on="2026-11-13", officer="olga.officer",
        edition_id="mtcr-2024-structure",
        assurances=frozenset({Assurance.USE_AS_STATED, Assurance.NO_RETRANSFER}),
        end_user_statement="EUS-2026-0123, signed by the institute's director.",
        parties=(
            Party(role=PartyRole.END_USER, name="Andøya Rocket Institute",
                  address="Oppskytningsveien 1, 8480 Andenes", country="NO"),
            Party(role=PartyRole.APPLICANT, name="Marschner Verbundwerkstoffe GmbH",
                  address="Hafenstraße 12, 28217 Bremen", country="DE"),
            Party(role=PartyRole.CONSIGNEE, name="Nordic Freight AS",
                  address="Havnegata 3, 0150 Oslo", country="NO"),
        ),
        items=items, factors=factors, decisions=(decision,),
        created_at="2026-09-14T08:00:00Z", created_by="olga.officer")
    return dataclasses.replace(case, **changes)


def denied_category_i_case(**changes) -> Case:
    """A final Category I denial to a destination under UN measures, no assurances."""
    item = Item(line=1, description="Thrust vector control subsystem", quantity=3, unit="sets",
                value=2450000, currency="EUR",
                assessment=Assessment(status=AssessmentStatus.CONTROLLED,
                                      entry_codes=("2.A.1.e",),
                                      rationale="Subsystem of a Category I rocket system.",
                                      assessed_by="otto.officer",
                                      assessed_at="2026-02-01T08:00:00Z"))
    decision = Decision(
        outcome=Outcome.DENY, rationale="Destination under UN measures; end use not credible.",
        presumption_acknowledged=True, drafted_by="otto.officer",
        drafted_at="2026-02-09T11:20:00Z", countersigned_by="sam.senior",
        countersigned_at="2026-02-10T09:12:48Z", countersignature="agreed",
        audit_head="ab" * 32, id=4)
    factors = tuple(FactorFinding(factor=factor, finding=Finding.SERIOUS_CONCERN,
                                  note="Serious concern recorded.") for factor in Factor)
    case = approved_case(
        reference="MTCR-2026-0002", destination="KP", applicant="Weber Maschinenbau GmbH",
        assurances=frozenset(), end_user_statement="", items=(item,), factors=factors,
        decisions=(decision,), flags_acknowledged_by="otto.officer",
        flags_acknowledged_at="2026-02-05T08:31:09Z",
        parties=(Party(role=PartyRole.CONSIGNEE, name="Pyolbit Import Corporation",
                       address="Sungri Street 212, Pyongyang", country="KP"),))
    return dataclasses.replace(case, **changes)


def training_draft_case(**changes) -> Case:
    """A training case whose decision awaits countersignature."""
    base = approved_case()
    decision = dataclasses.replace(base.decisions[0], countersigned_by=None,
                                   countersigned_at=None, countersignature=None,
                                   audit_head=None, id=21)
    case = dataclasses.replace(base, reference="MTCR-2026-0107", training=True,
                               status=CaseStatus.AWAITING_COUNTERSIGNATURE,
                               decisions=(decision,))
    return dataclasses.replace(case, **changes)


def destination_for(case: Case) -> DestinationFlags:
    """Destination flags as the reference data would give them."""
    if case.destination == "KP":
        return DestinationFlags(country="KP",
                                country_name="Korea, Democratic People's Republic of",
                                mtcr_status=None, un_measures=("1718", "2321"))
    return DestinationFlags(country=case.destination, country_name="Norway",
                            mtcr_status="partner")


def memo_input_for(case: Case, **changes) -> MemoInput:
    """A complete memo input for ``case`` with categories derived from its entries."""
    entry_categories = {"3.A.3": Category.II, "2.A.1.e": Category.I}
    item_categories = {}
    for item in case.items:
        codes = item.assessment.entry_codes
        categories = {entry_categories.get(code, Category.II) for code in codes}
        item_categories[item.line] = (Category.I if Category.I in categories
                                      else Category.II if categories else None)
    values = set(item_categories.values())
    case_category = (Category.I if Category.I in values
                     else Category.II if Category.II in values else None)
    memo_input = MemoInput(
        case=case, settings=MemoSettings(organisation="Federal Export Control Office",
                                         security_marking="OFFICIAL-SENSITIVE"),
        edition=mtcr_edition(), destination=destination_for(case),
        case_category=case_category, item_categories=item_categories,
        entry_titles={"3.A.3": "Rocket motor cases, insulation components and nozzles",
                      "2.A.1.e": "Thrust vector control subsystems"},
        people=PEOPLE, country_names={"DE": "Germany", "NO": "Norway"})
    return dataclasses.replace(memo_input, **changes)


# --- reading a memo back -------------------------------------------------------------------


def pages_text(pdf: bytes) -> list[str]:
    """The extracted text of each page, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def memo_text(pdf: bytes) -> str:
    """The extracted text of the whole memo, whitespace collapsed."""
    return " ".join(pages_text(pdf))


def diagonal_marks(pdf: bytes) -> list[set[str]]:
    """The rotated (watermark) strings on each page."""
    marks: list[set[str]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: set[str] = set()

        def visit(text, cm, tm, font, size, found=found):
            # Combined text matrix: a non-zero "b" term means the text is rotated.
            b = tm[0] * cm[1] + tm[1] * cm[3]
            if text.strip() and abs(b) > 1e-3:
                found.add(text.strip())

        page.extract_text(visitor_text=visit)
        marks.append(found)
    return marks


def assert_contains_all(text: str, expected: list[str]) -> None:
    missing = [value for value in expected if value not in text]
    assert not missing, f"missing from the memo: {missing}"


# --- content ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def approved_pdf() -> bytes:
    return render_memo(memo_input_for(approved_case()))


def test_header_and_footer_on_every_page_with_page_x_of_y(approved_pdf):
    pages = pages_text(approved_pdf)
    for number, text in enumerate(pages, start=1):
        assert "Federal Export Control Office" in text
        assert "OFFICIAL-SENSITIVE" in text
        assert f"Page {number} of {len(pages)}" in text


def test_title_reference_and_dates(approved_pdf):
    text = memo_text(approved_pdf)
    assert_contains_all(text, [
        "Licence decision memorandum", "MTCR-2026-0009", "Final decision, countersigned",
        "Received 2026-09-14", "Due 2026-11-13", "Case status decided",
        "Decision drafted 2026-10-02 14:30:00 UTC", "Countersigned 2026-10-05 09:12:48 UTC"])
    assert "version" not in text.split("Applicant and parties")[0]  # version 1: not printed


def test_version_and_amended_case_in_title():
    case = approved_case(version=3, amends="MTCR-2025-0042")
    text = memo_text(render_memo(memo_input_for(case)))
    assert "MTCR-2026-0009 · version 3 · amends MTCR-2025-0042" in text


def test_applicant_and_parties_by_role(approved_pdf):
    text = memo_text(approved_pdf)
    assert_contains_all(text, [
        "Applicant: Marschner Verbundwerkstoffe GmbH",
        "Applicant Marschner Verbundwerkstoffe GmbH Hafenstraße 12, 28217 Bremen Germany (DE)",
        "Consignee Nordic Freight AS Havnegata 3, 0150 Oslo Norway (NO)",
        "End user Andøya Rocket Institute Oppskytningsveien 1, 8480 Andenes Norway (NO)"])
    # Parties print in role order, whatever order they were recorded in.
    assert text.index("Consignee Nordic") < text.index("End user Andøya")


def test_destination_end_use_and_assurances(approved_pdf):
    text = memo_text(approved_pdf)
    assert_contains_all(text, [
        "Destination Norway (NO)", "MTCR status MTCR partner",
        "UN Security Council none recorded",
        "End use Static test firings of a two-stage sounding rocket.",
        "End-user statement EUS-2026-0123, signed by the institute's director.",
        Assurance.USE_AS_STATED.value, Assurance.NO_RETRANSFER.value])
    assert Assurance.NO_MODIFICATION.value not in text


def test_items_table_rationales_and_precedent(approved_pdf):
    text = memo_text(approved_pdf)
    assert_contains_all(text, [
        "Case category: Category II",
        "Filament-wound rocket motor case, 450 mm diameter",
        "Manufacturer: Marschner Verbundwerkstoffe GmbH", "Part number: MVW-MC-450",
        "2 pieces", "214,000.00 EUR", "3.A.3 Rocket motor cases, insulation components and "
        "nozzles", "controlled Category II",
        "3.5 units", "9,870.50 NOK", "not controlled",
        "Line 1: controlled, Category II (3.A.3)",
        "Rocket motor case usable in complete rocket systems.",
        "Precedent applied: MTCR-2025-0044 line 3",
        "Assessed by Olga Ivanova (olga.officer), 2026-09-21 10:02:45 UTC",
        "Line 2: not controlled", "General-purpose laboratory instrument; not listed."])


def test_evaluation_factors_with_descriptions_findings_and_notes(approved_pdf):
    text = memo_text(approved_pdf)
    for factor in Factor:
        expected_finding = "concern" if factor is Factor.C else "no concern"
        assert_contains_all(text, [
            f"({factor.value}) {factor.description} {expected_finding} "
            f"Note on factor {factor.value}: checked against the record."])


def test_decision_conditions_edition_and_signatures(approved_pdf):
    text = memo_text(approved_pdf)
    assert_contains_all(text, [
        "Outcome: Approve with conditions",
        "1. Post-shipment verification within six months of delivery.",
        "2. The resin is used only to repair the motor cases of line 1.",
        "Rationale Category II items for a declared civil research programme.",
        "Edition MTCR Annex entry-code structure (2024; no entry text)",
        "Version 2024 structure, 2024-03-14",
        "Provenance Entry codes and categories merged from the UK licensing system's data.",
        "SHA-256 " + "cb76fb59" * 8,
        "Drafter Olga Ivanova (olga.officer) 2026-10-02 14:30:00 UTC drafted",
        "Countersigner Samuel Senior (sam.senior) 2026-10-05 09:12:48 UTC "
        "countersigned — agreed",
        f"Audit chain head at decision: {AUDIT_HEAD}"])
    assert "awaiting countersignature" not in text


def test_metadata_is_fixed():
    metadata = PdfReader(io.BytesIO(render_memo(memo_input_for(approved_case())))).metadata
    assert metadata.title == "Licence decision memorandum MTCR-2026-0009"
    assert metadata.author == "Federal Export Control Office"
    assert metadata.subject == "MTCR-2026-0009 decision 17"
    assert metadata.creator.startswith("MTCR Desk ")


def test_category_i_denial():
    case = denied_category_i_case()
    text = memo_text(render_memo(memo_input_for(case)))
    assert_contains_all(text, [
        "Destination Korea, Democratic People's Republic of (KP)",
        "MTCR status neither an MTCR partner nor an adherent",
        "under UN Security Council measures: resolutions 1718, 2321",
        "acknowledged by Otto Berg (otto.officer), 2026-02-05 08:31:09 UTC",
        "End-user statement none recorded", "Government assurances none recorded",
        "Case category: Category I", "Thrust vector control subsystems", "Category I",
        "(a) " + Factor.A.description + " serious concern",
        "Outcome: Deny", "presumption of denial acknowledged",
        "Audit chain head at decision: " + "ab" * 32])
    assert "Conditions" not in text


def test_eu_edition_prints_its_acknowledgement():
    memo_input = memo_input_for(approved_case(), edition=eu_edition())
    text = memo_text(render_memo(memo_input))
    assert_contains_all(text, [
        "Regulation (EU) 2021/821, Annex I (consolidated 15.11.2025)",
        "Acknowledgement Source: Regulation (EU) 2021/821, Annex I, EUR-Lex, © European Union. "
        "Only the Official Journal is authentic."])


def test_training_draft_awaits_countersignature():
    pdf = render_memo(memo_input_for(training_draft_case()))
    text = memo_text(pdf)
    assert_contains_all(text, [
        "Draft: awaiting countersignature", "Training case",
        "Countersigner — — awaiting countersignature", "Countersigned not yet"])
    assert "Audit chain head" not in text
    assert "countersigned — agreed" not in text
    assert PdfReader(io.BytesIO(pdf)).metadata.subject == "MTCR-2026-0107 decision 21"


def test_returned_decision_prints_the_comment():
    decision = dataclasses.replace(
        training_draft_case().decisions[0], countersigned_by="sam.senior",
        countersigned_at="2026-10-03T08:00:00Z", countersignature="returned",
        return_comment="Factor c needs the test programme attached.")
    case = training_draft_case(decisions=(decision,), status=CaseStatus.RETURNED)
    pdf = render_memo(memo_input_for(case))
    assert "returned: Factor c needs the test programme attached." in memo_text(pdf)
    assert "DRAFT" in diagonal_marks(pdf)[0]


def test_case_without_decision_says_so_and_is_a_draft():
    case = training_draft_case(decisions=(), training=False, status=CaseStatus.IN_REVIEW)
    pdf = render_memo(memo_input_for(case))
    text = memo_text(pdf)
    assert "No decision has been drafted yet." in text
    assert PdfReader(io.BytesIO(pdf)).metadata.subject == "MTCR-2026-0107 decision none"
    assert all(marks == {"DRAFT"} for marks in diagonal_marks(pdf))


def test_unknown_person_falls_back_to_the_username():
    text = memo_text(render_memo(memo_input_for(approved_case(), people={})))
    assert "Drafter olga.officer 2026-10-02 14:30:00 UTC drafted" in text


# --- text safety -----------------------------------------------------------------------------


def test_markup_characters_print_as_typed():
    hostile = "<b>&amp; x > y"
    case = approved_case(
        parties=(Party(role=PartyRole.CONSIGNEE, name=hostile, country="NO"),),
        items=(dataclasses.replace(
            approved_case().items[0],
            assessment=dataclasses.replace(approved_case().items[0].assessment,
                                           rationale=f"first line {hostile}\nsecond line")),))
    decision = dataclasses.replace(case.decisions[0], rationale=f"{hostile} <br/> <font>")
    pdf = render_memo(memo_input_for(dataclasses.replace(case, decisions=(decision,))))
    raw_lines = [line for page in PdfReader(io.BytesIO(pdf)).pages
                 for line in page.extract_text().splitlines()]
    raw_lines = [line.strip() for line in raw_lines]
    text = memo_text(pdf)
    assert f"Consignee {hostile}" in text
    assert f"{hostile} <br/> <font>" in text
    # The newline in the rationale is kept as a line break.
    assert f"first line {hostile}" in raw_lines
    assert "second line" in raw_lines


def test_cyrillic_and_greek_names_render():
    cyrillic = "ООО «Ракетные Технологии» Жуковский"
    greek = "Ελληνική Αεροδιαστημική Βιομηχανία Α.Ε."
    case = approved_case(parties=(
        Party(role=PartyRole.CONSIGNEE, name=cyrillic, country="NO"),
        Party(role=PartyRole.END_USER, name=greek, address="Λεωφόρος Κηφισίας 12, Αθήνα"),
    ))
    text = memo_text(render_memo(memo_input_for(case)))
    assert_contains_all(text, [cyrillic, greek, "Λεωφόρος Κηφισίας 12, Αθήνα"])
    assert "could not be shown" not in text


def test_characters_outside_the_font_are_replaced_visibly_with_a_note():
    case = approved_case(parties=(
        Party(role=PartyRole.CONSIGNEE, name="中文 Trading Ltd", country="NO"),))
    pdf = render_memo(memo_input_for(case))
    text = memo_text(pdf)
    assert "Consignee [U+4E2D][U+6587] Trading Ltd" in text
    assert "some characters could not be shown in the memo font" in text
    assert "U+4E2D, U+6587" in text
    assert "The case record holds the original text." in text
    # The note sits at the top, before the first section.
    assert text.index("could not be shown") < text.index("1 Applicant and parties")


def test_replacement_in_the_page_header_also_gets_the_note():
    memo_input = memo_input_for(approved_case(),
                                settings=MemoSettings(organisation="輸出管理 Office"))
    pages = pages_text(render_memo(memo_input))
    assert all("[U+8F38][U+51FA][U+7BA1][U+7406] Office" in page for page in pages)
    assert "could not be shown in the memo font" in pages[0]


# --- marks -----------------------------------------------------------------------------------


def test_final_memo_has_no_marks(approved_pdf):
    assert all(marks == set() for marks in diagonal_marks(approved_pdf))
    assert "DRAFT" not in memo_text(approved_pdf)


def test_draft_and_training_marks_on_every_page():
    pdf = render_memo(memo_input_for(training_draft_case()))
    assert all(marks == {"DRAFT", "TRAINING"} for marks in diagonal_marks(pdf))


def test_final_training_memo_is_marked_training_only():
    pdf = render_memo(memo_input_for(approved_case(training=True)))
    assert all(marks == {"TRAINING"} for marks in diagonal_marks(pdf))


def test_superseded_decision_is_marked_amended_by():
    pdf = render_memo(memo_input_for(approved_case(), amended_by="MTCR-2026-0120"))
    assert all(marks == {"AMENDED BY MTCR-2026-0120"} for marks in diagonal_marks(pdf))
    assert "Superseded: this decision is amended by MTCR-2026-0120" in memo_text(pdf)


def test_marks_are_drawn_after_the_page_content():
    """The marks come last in each page's content stream, over any table background."""
    pdf = render_memo(memo_input_for(training_draft_case()))
    for page in PdfReader(io.BytesIO(pdf)).pages:
        order: list[str] = []
        page.extract_text(visitor_text=lambda text, *args, order=order: order.append(text))
        drawn = [text.strip() for text in order if text.strip()]
        assert drawn[-2:] == ["DRAFT", "TRAINING"]


# --- determinism -----------------------------------------------------------------------------


def test_same_input_same_bytes_and_different_case_different_bytes():
    first = render_memo(memo_input_for(approved_case()))
    render_memo(memo_input_for(denied_category_i_case()))  # another memo in between
    again = render_memo(memo_input_for(approved_case()))
    assert first == again
    other = render_memo(memo_input_for(approved_case(reference="MTCR-2026-0010")))
    assert other != first
    changed_rationale = approved_case(decisions=(dataclasses.replace(
        approved_case().decisions[0], rationale="Another rationale."),))
    assert render_memo(memo_input_for(changed_rationale)) != first


def test_same_bytes_in_a_fresh_process():
    """The memo hash is checked later, in another process: it must not depend on state."""
    script = ("import hashlib, sys; "
              "from tests.unit.test_memo_render import approved_case, memo_input_for; "
              "from mtcr_desk.reports.memo import render_memo; "
              "sys.stdout.write(hashlib.sha256(render_memo(memo_input_for(approved_case())))"
              ".hexdigest())")
    completed = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=120, check=True)
    expected = hashlib.sha256(render_memo(memo_input_for(approved_case()))).hexdigest()
    assert completed.stdout == expected


# --- settings and fonts ----------------------------------------------------------------------


def test_letter_page_size():
    memo_input = memo_input_for(approved_case(), settings=MemoSettings(page_size="Letter"))
    page = PdfReader(io.BytesIO(render_memo(memo_input))).pages[0]
    assert (math.isclose(float(page.mediabox.width), 612),
            math.isclose(float(page.mediabox.height), 792)) == (True, True)


def test_unknown_page_size_is_refused():
    memo_input = memo_input_for(approved_case(), settings=MemoSettings(page_size="A5"))
    with pytest.raises(InvalidInputError, match="A5"):
        render_memo(memo_input)


def test_fonts_are_embedded_dejavu(approved_pdf):
    reader = PdfReader(io.BytesIO(approved_pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] \
                if "/DescendantFonts" in font else font.get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    assert fonts, "no fonts found"
    assert all(embedded for embedded in fonts.values()), fonts
    assert all("DejaVuSans" in name for name in fonts), fonts


def test_a_subclass_can_change_a_step():
    class ShortMemo(MemoRenderer):
        def story(self, memo_input, text=None):
            return super().story(memo_input, text)[:3]

    text = memo_text(ShortMemo().render(memo_input_for(approved_case())))
    assert "Licence decision memorandum" in text
    assert "Evaluation factors" not in text
