"""The shipped reference data: countries, MTCR partners and adherents, UN measures."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "database" / "scripts" / "build_reference_data.py"
SHIPPED = PROJECT_ROOT / "database" / "reference" / "countries.json"


@pytest.fixture(scope="module")
def reference():
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def by_code(reference):
    return {country["code"]: country for country in reference["countries"]}


def test_the_shipped_file_is_what_the_script_builds(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "countries.json").read_bytes() == SHIPPED.read_bytes()


def test_the_file_has_its_format_and_provenance(reference):
    assert reference["format"] == "mtcr-desk/reference"
    assert reference["format_version"] == 1
    provenance = reference["provenance"]
    assert "pycountry" in provenance["countries"]["source"]
    assert "LGPL" in provenance["countries"]["licence"]
    assert "administrator" in provenance["un_measures"]["provenance"]
    for block in provenance.values():
        assert re.fullmatch(r"[0-9a-f]{64}", block["source_sha256"])


def test_codes_are_unique_iso_alpha2_sorted_and_names_present(reference):
    codes = [country["code"] for country in reference["countries"]]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    assert len(codes) > 240
    for country in reference["countries"]:
        assert re.fullmatch(r"[A-Z]{2}", country["code"])
        assert re.fullmatch(r"[A-Z]{3}", country["alpha3"])
        assert country["name"].strip()
    assert "XK" not in codes  # Kosovo has no ISO 3166-1 code


def test_35_partners_and_the_two_adherents(reference):
    partners = [c["code"] for c in reference["countries"] if c["mtcr_status"] == "partner"]
    adherents = [c["code"] for c in reference["countries"] if c["mtcr_status"] == "adherent"]
    assert len(partners) == 35
    assert adherents == ["EE", "LV"]
    statuses = {country["mtcr_status"] for country in reference["countries"]}
    assert statuses == {"partner", "adherent", None}


def test_only_partners_carry_a_year_and_years_are_plausible(reference):
    for country in reference["countries"]:
        year = country["mtcr_partner_since"]
        if country["mtcr_status"] != "partner":
            assert year is None
        elif year is not None:
            assert 1987 <= year <= 2025


def test_spot_checks_of_mtcr_status(by_code):
    assert by_code["FR"]["mtcr_status"] == "partner"
    assert by_code["FR"]["mtcr_partner_since"] == 1987
    assert by_code["US"]["mtcr_partner_since"] == 1987
    assert by_code["IN"]["mtcr_partner_since"] == 2016
    assert by_code["TR"]["mtcr_status"] == "partner"
    assert by_code["KR"]["mtcr_status"] == "partner"
    # State of 2025: China and Israel are not partners.
    assert by_code["CN"]["mtcr_status"] is None
    assert by_code["IL"]["mtcr_status"] is None
    assert by_code["KP"]["mtcr_status"] is None


def test_north_korea_carries_its_un_resolutions(by_code):
    measures = by_code["KP"]["un_measures"]
    numbers = [measure["resolution"] for measure in measures]
    assert "1718" in numbers and "2321" in numbers
    assert {"resolution": "1718", "year": 2006} in measures
    assert {"resolution": "2321", "year": 2016} in measures
    assert len(numbers) == len(set(numbers))
    assert "ballistic-missile" in by_code["KP"]["un_measures_summary"]


def test_countries_without_measures_have_none(reference):
    for country in reference["countries"]:
        if not country["un_measures"]:
            assert country["un_measures_summary"] is None
        else:
            assert country["un_measures_summary"].strip()
    assert sum(1 for country in reference["countries"] if country["un_measures"]) >= 1


@pytest.mark.parametrize(("code", "complaint"), [
    ("XK", "XK"),  # not an ISO 3166-1 code
    ("CN", "36 with status partner"),  # one partner too many
    ("FR", "FR is listed twice"),
])
def test_the_script_fails_loudly_on_a_bad_source(tmp_path, code, complaint):
    source = PROJECT_ROOT / "database" / "sources"
    for name in ("iso3166-1.json", "un_measures.json"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    mtcr = json.loads((source / "mtcr_partners.json").read_text(encoding="utf-8"))
    mtcr["members"].append({"code": code, "mtcr_name": "test", "status": "partner",
                            "joined": None, "joined_basis": "test"})
    (tmp_path / "mtcr_partners.json").write_text(json.dumps(mtcr), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(tmp_path), "--output", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert complaint in result.stderr
    assert not (tmp_path / "out" / "countries.json").exists()
