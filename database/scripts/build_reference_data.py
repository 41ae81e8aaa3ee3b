#!/usr/bin/env python3
"""Rebuild the shipped reference data for cases: countries, MTCR status, UN measures.

Usage::

    python database/scripts/build_reference_data.py            # from database/sources/
    python database/scripts/build_reference_data.py --output /tmp/out

Reads three source files from ``database/sources/`` (see ``README-reference.md``
there):

* ``iso3166-1.json``: the ISO 3166-1 country list, copied from pycountry's data;
* ``mtcr_partners.json``: the 35 MTCR partners and the unilateral adherents;
* ``un_measures.json``: destinations under UN Security Council measures relevant
  to missiles.

and writes one file, ``database/reference/countries.json``: every ISO 3166-1
country, sorted by alpha-2 code, with its MTCR status and UN measures. Only
ISO 3166-1 codes are used (no Kosovo, no user-assigned codes). The script checks
that every partner, adherent and UN destination is an ISO 3166-1 code and that
there are exactly 35 partners and 2 adherents, and stops with an error otherwise.

The output is deterministic: running the script twice gives identical bytes, and a
test checks that the committed file is what the script produces.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

DATABASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = DATABASE_DIR / "sources"
DEFAULT_OUTPUT_DIR = DATABASE_DIR / "reference"
OUTPUT_NAME = "countries.json"

ISO_SOURCE = "iso3166-1.json"
MTCR_SOURCE = "mtcr_partners.json"
UN_SOURCE = "un_measures.json"

REFERENCE_FORMAT = "mtcr-desk/reference"
REFERENCE_FORMAT_VERSION = 1

EXPECTED_COUNTS = {"partner": 35, "adherent": 2}
CODE_PATTERN = re.compile(r"[A-Z]{2}")
RESOLUTION_PATTERN = re.compile(r"[1-9][0-9]*")


class SourceError(Exception):
    """A source file is inconsistent; the message says which file and why."""


def load_json(path: Path) -> dict:
    """Return the parsed JSON of a source file."""
    return json.loads(path.read_text(encoding="utf-8"))


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_unique(codes: list[str], source: str) -> None:
    """Fail if a code is listed twice in one source."""
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise SourceError(f"{source}: {code} is listed twice")
        seen.add(code)


def check_known(codes: list[str], iso_codes: set[str], source: str) -> None:
    """Fail if a code is not an ISO 3166-1 alpha-2 code."""
    unknown = sorted(code for code in codes if code not in iso_codes)
    if unknown:
        raise SourceError(f"{source}: not ISO 3166-1 alpha-2 codes: {', '.join(unknown)}")


def read_iso(source_dir: Path) -> list[dict]:
    """Return the ISO 3166-1 countries, checked: well-formed, unique codes and names."""
    countries = load_json(source_dir / ISO_SOURCE)["countries"]
    for country in countries:
        if not CODE_PATTERN.fullmatch(country["alpha_2"]):
            raise SourceError(f"{ISO_SOURCE}: bad alpha-2 code {country['alpha_2']!r}")
        if not re.fullmatch(r"[A-Z]{3}", country["alpha_3"]):
            raise SourceError(f"{ISO_SOURCE}: bad alpha-3 code for {country['alpha_2']}")
        if not country["name"].strip():
            raise SourceError(f"{ISO_SOURCE}: {country['alpha_2']} has no name")
    check_unique([country["alpha_2"] for country in countries], ISO_SOURCE)
    check_unique([country["alpha_3"] for country in countries], ISO_SOURCE)
    return countries


def check_member(member: dict) -> None:
    """Fail if one MTCR member record has an unknown status or an impossible year."""
    status, joined = member["status"], member["joined"]
    if status not in EXPECTED_COUNTS:
        raise SourceError(f"{MTCR_SOURCE}: {member['code']} has unknown status {status!r}")
    if joined is not None and (status != "partner" or not 1987 <= joined <= 2100):
        raise SourceError(f"{MTCR_SOURCE}: {member['code']} has an impossible year {joined!r}")


def read_mtcr(source_dir: Path, iso_codes: set[str]) -> dict[str, dict]:
    """Return the MTCR partners and adherents by code, checked against ISO and the counts."""
    members = load_json(source_dir / MTCR_SOURCE)["members"]
    codes = [member["code"] for member in members]
    check_unique(codes, MTCR_SOURCE)
    check_known(codes, iso_codes, MTCR_SOURCE)
    for member in members:
        check_member(member)
    for status, expected in EXPECTED_COUNTS.items():
        found = sum(1 for member in members if member["status"] == status)
        if found != expected:
            raise SourceError(f"{MTCR_SOURCE}: {found} with status {status}, expected {expected}")
    return {member["code"]: member for member in members}


def check_resolutions(destination: dict) -> None:
    """Fail if a destination has no resolutions, a malformed one or a duplicate."""
    resolutions = destination["resolutions"]
    if not resolutions:
        raise SourceError(f"{UN_SOURCE}: {destination['code']} lists no resolution")
    for resolution in resolutions:
        if not RESOLUTION_PATTERN.fullmatch(resolution["resolution"]):
            raise SourceError(f"{UN_SOURCE}: bad resolution number {resolution['resolution']!r}")
        if not isinstance(resolution["year"], int) or not 1946 <= resolution["year"] <= 2100:
            raise SourceError(f"{UN_SOURCE}: bad year for resolution {resolution['resolution']}")
    check_unique([resolution["resolution"] for resolution in resolutions], UN_SOURCE)
    if not destination["summary"].strip():
        raise SourceError(f"{UN_SOURCE}: {destination['code']} has no summary")


def read_un(source_dir: Path, iso_codes: set[str]) -> dict[str, dict]:
    """Return the destinations under UN measures by code, checked against ISO."""
    destinations = load_json(source_dir / UN_SOURCE)["destinations"]
    codes = [destination["code"] for destination in destinations]
    check_unique(codes, UN_SOURCE)
    check_known(codes, iso_codes, UN_SOURCE)
    for destination in destinations:
        check_resolutions(destination)
    return {destination["code"]: destination for destination in destinations}


def un_fields(destination: dict | None) -> dict:
    """Return the ``un_measures`` and ``un_measures_summary`` fields of one country."""
    if destination is None:
        return {"un_measures": [], "un_measures_summary": None}
    ordered = sorted(destination["resolutions"],
                     key=lambda resolution: (resolution["year"], int(resolution["resolution"])))
    return {
        "un_measures": [{"resolution": r["resolution"], "year": r["year"]} for r in ordered],
        "un_measures_summary": destination["summary"],
    }


def country_record(country: dict, member: dict | None, destination: dict | None) -> dict:
    """Return the output record of one ISO country."""
    return {
        "code": country["alpha_2"],
        "alpha3": country["alpha_3"],
        "name": country["name"],
        "mtcr_status": member["status"] if member else None,
        "mtcr_partner_since": member["joined"] if member else None,
        **un_fields(destination),
    }


def provenance(source_dir: Path) -> dict:
    """Return the provenance block: each source's file, SHA-256 and own provenance."""
    iso_meta = load_json(source_dir / ISO_SOURCE)["meta"]
    mtcr_meta = load_json(source_dir / MTCR_SOURCE)["meta"]
    un_meta = load_json(source_dir / UN_SOURCE)["meta"]
    return {
        "countries": {
            "source_file": ISO_SOURCE,
            "source_sha256": sha256_of(source_dir / ISO_SOURCE),
            "source": iso_meta["source"],
            "licence": iso_meta["licence"],
        },
        "mtcr": {
            "source_file": MTCR_SOURCE,
            "source_sha256": sha256_of(source_dir / MTCR_SOURCE),
            "as_of": mtcr_meta["as_of"],
            "provenance": mtcr_meta["provenance"],
        },
        "un_measures": {
            "source_file": UN_SOURCE,
            "source_sha256": sha256_of(source_dir / UN_SOURCE),
            "as_of": un_meta["as_of"],
            "provenance": un_meta["provenance"],
        },
    }


def build_reference(source_dir: Path) -> dict:
    """Return the reference document built from the three sources in ``source_dir``."""
    countries = read_iso(source_dir)
    iso_codes = {country["alpha_2"] for country in countries}
    members = read_mtcr(source_dir, iso_codes)
    destinations = read_un(source_dir, iso_codes)
    records = [
        country_record(country, members.get(country["alpha_2"]),
                       destinations.get(country["alpha_2"]))
        for country in sorted(countries, key=lambda country: country["alpha_2"])
    ]
    return {
        "format": REFERENCE_FORMAT,
        "format_version": REFERENCE_FORMAT_VERSION,
        "provenance": provenance(source_dir),
        "countries": records,
    }


def write_reference(document: dict, output_dir: Path) -> Path:
    """Write the reference document deterministically and return its path."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / OUTPUT_NAME
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE_DIR,
                        help="folder with the source files (default: database/sources)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT_DIR,
                        help="folder to write countries.json to (default: database/reference)")
    args = parser.parse_args(argv)
    try:
        document = build_reference(args.source)
    except SourceError as error:
        print(f"build_reference_data: {error}", file=sys.stderr)
        return 1
    except KeyError as error:
        print(f"build_reference_data: a source record lacks the field {error}", file=sys.stderr)
        return 1
    print(write_reference(document, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
