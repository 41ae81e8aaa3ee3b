"""The memo on large cases: long text flows across pages without loss, pages rasterise."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from mtcr_desk.domain.cases import Assessment, AssessmentStatus, Factor, Item
from mtcr_desk.reports.memo import render_memo
from tests.unit.test_memo_render import (
    approved_case,
    denied_category_i_case,
    memo_input_for,
    pages_text,
    training_draft_case,
)


def numbered_words(prefix: str, characters: int) -> str:
    """Text of about ``characters`` characters made of numbered words (w00001 w00002 ...)."""
    words = []
    length = 0
    number = 0
    while length < characters:
        number += 1
        word = f"{prefix}{number:05d}"
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def words_found(text: str, prefix: str) -> list[int]:
    """The numbers of the numbered words found in ``text``, in order."""
    return [int(number) for number in re.findall(rf"\b{prefix}(\d{{5}})\b", text)]


@pytest.fixture(scope="module")
def large_memo() -> tuple[bytes, str, str, str]:
    """A 200-item case with a 10,000-character condition and a 20,000-character factor note."""
    condition = numbered_words("cond", 10_000) + " and these are the final words of the condition"
    note = numbered_words("note", 20_000)
    end_use = numbered_words("use", 20_000)
    items = tuple(
        Item(line=line, description=f"Component number {line} for the test stand", quantity=line,
             unit="pieces", part_number=f"PN-{line:04d}", value=100.0 * line,
             assessment=Assessment(
                 status=AssessmentStatus.CONTROLLED, entry_codes=("3.A.3",),
                 rationale=f"Rationale of line {line}: a rocket motor part.\nSecond paragraph.",
                 assessed_by="olga.officer", assessed_at="2026-09-21T10:02:45Z"))
        for line in range(1, 201))
    base = approved_case()
    factors = tuple(dataclasses.replace(finding, note=note) if finding.factor is Factor.B
                    else finding for finding in base.factors)
    decision = dataclasses.replace(base.decisions[0], conditions=(condition, "Short condition."))
    case = approved_case(items=items, factors=factors, decisions=(decision,), end_use=end_use)
    return render_memo(memo_input_for(case)), condition, note, end_use


def test_large_case_flows_over_pages_with_every_line(large_memo):
    pdf, _, _, _ = large_memo
    pages = pages_text(pdf)
    assert len(pages) > 10
    text = " ".join(pages)
    for line in range(1, 201):
        assert f"Component number {line} for the test stand" in text
        assert f"PN-{line:04d}" in text
        assert f"Line {line}: controlled, Category II" in text
        assert f"Rationale of line {line}: a rocket motor part." in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_items_table_repeats_its_header_on_each_page(large_memo):
    pdf, _, _, _ = large_memo
    pages_with_items = [page for page in pages_text(pdf) if "for the test stand" in page]
    assert len(pages_with_items) > 2
    for page in pages_with_items:
        assert "Line Description Quantity Value Entries Assessment" in page


def test_text_longer_than_a_page_splits_without_loss(large_memo):
    pdf, condition, note, end_use = large_memo
    pages = pages_text(pdf)
    text = " ".join(pages)
    for prefix, source in (("cond", condition), ("note", note), ("use", end_use)):
        expected = words_found(source, prefix)
        assert words_found(text, prefix) == expected, f"{prefix}: words lost or repeated"
        spread = [index for index, page in enumerate(pages) if f"{prefix}00001" in page
                  or f"{prefix}{expected[-1]:05d}" in page]
        assert spread[-1] > spread[0], f"{prefix}: expected to run over more than one page"
    assert "and these are the final words of the condition 2. Short condition." in text


def test_every_page_rasterises_and_is_not_blank(tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed; "
                    "packaging/install-system-libs.sh installs it")
    pdf = render_memo(memo_input_for(training_draft_case()))
    (tmp_path / "memo.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "memo.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)
    page_count = len(PdfReader(io.BytesIO(pdf)).pages)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == page_count > 0
    for path in images:
        with Image.open(path) as image:
            grey = image.convert("L")
            histogram = grey.histogram()
            dark = sum(histogram[:128])
            assert dark > 0.002 * grey.width * grey.height, f"{path.name} looks blank"
            assert grey.getextrema()[0] < 64  # some real ink (text), not only the watermark


def test_every_scenario_renders_and_rasterises(tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    for name, case in (("denial", denied_category_i_case()), ("approval", approved_case())):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(render_memo(memo_input_for(case)))
        completed = subprocess.run(["pdftoppm", "-r", "50", "-png", str(path),
                                    str(tmp_path / name)], capture_output=True, text=True,
                                   timeout=120)
        assert completed.returncode == 0
        # poppler reports font and syntax problems on stderr even when it renders.
        assert completed.stderr == ""


def test_rows_that_fit_a_page_are_never_split(large_memo):
    """A table row moves to the next page whole rather than leaving a sliver behind."""
    pdf, _, _, _ = large_memo
    pages = pages_text(pdf)
    for line in range(1, 201):
        description = f"Component number {line} for the test stand"
        [page] = [page for page in pages if description in page]
        assert f"PN-{line:04d}" in page, f"line {line} was split over two pages"


def test_cells_too_long_for_one_line_wrap_without_loss():
    unit = " ".join(f"carton{number:02d}" for number in range(40))
    item = dataclasses.replace(approved_case().items[0], unit=unit, quantity=1234567,
                               value=98765432.5, currency="CHF")
    pdf = render_memo(memo_input_for(approved_case(items=(item,))))
    text = " ".join(pages_text(pdf))
    assert f"1,234,567 {unit}" in text
    assert "98,765,432.50 CHF" in text
    # Absurd figures still print in full, broken over lines inside their narrow column.
    item = dataclasses.replace(item, quantity=123456789012, value=987654321012345.5)
    text = " ".join(pages_text(render_memo(memo_input_for(approved_case(items=(item,))))))
    digits = "".join(character for character in text if character.isdigit() or character == ",")
    assert "123,456,789,012" in digits
    assert "987,654,321,012,345" in digits
