#!/usr/bin/env python3
"""Rebuild the shipped control-list edition files from their sources.

Usage::

    python database/scripts/build_control_lists.py            # from database/sources/
    python database/scripts/build_control_lists.py --source ../shared/data

Reads the source files (copied verbatim into ``database/sources/`` so that a clean
clone can rebuild them; their SHA-256 is recorded in each edition) and writes one
edition file per edition into ``database/control_lists/`` in the edition format
described in ``docs/edition-format.md``. The output is deterministic: running the
script twice gives identical bytes, and a test checks that the committed files
are what the script produces.

Editions built here:

* ``mtcr-2024-structure``: the MTCR Annex entry-code structure (no entry text).
* ``eu-2021-821-2025-11``: the EU dual-use list, Regulation (EU) 2021/821 Annex I, full
  text (built by ``build_eu_annex.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_eu_annex import build_eu_edition, write_edition  # noqa: E402

DATABASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = DATABASE_DIR / "sources"
DEFAULT_OUTPUT_DIR = DATABASE_DIR / "control_lists"

STRUCTURE_SOURCE = "mtcr_annex_structure.json"
LITE_API_LICENCE = "lite-api_LICENSE.txt"

EDITION_FORMAT = "mtcr-desk/edition"
EDITION_FORMAT_VERSION = 1

# The five section headings used by every MTCR Item (they are the same in every
# edition of the Annex; see DESIGN.md section 2 and the official layout sample).
SECTION_TITLES = {
    "A": "Equipment, assemblies and components",
    "B": "Test and production equipment",
    "C": "Materials",
    "D": "Software",
    "E": "Technology",
}

STRUCTURE_PROVENANCE = (
    "Entry codes, hierarchy and categories of the MTCR Equipment, Software and Technology "
    "Annex, merged from: the UK licensing system's MTCR regime data (github.com/uktrade/"
    "lite-api, 264 codes, added 2022-09-22, MIT licence); a third-party code list stating "
    "MTCR/TEM/2024/Annex of 14 March 2024 (179 codes; identifiers only); and the table of "
    "contents of MTCR/TEM/2022/Annex of 21 October 2022 (23 entry headings, the only entry "
    "titles given). 13 parent codes are implied by their listed sub-entries. No entry text: "
    "the official Annex must be imported to classify against its wording. Categories follow "
    "the MTCR Guidelines (Items 1-2 Category I, Items 3-20 Category II)."
)

LITE_API_NOTICE = (
    "Codes derived from uktrade/lite-api: MIT License, Copyright (c) 2019 Department for "
    "International Trade (see lite-api_LICENSE.txt shipped with this file)."
)


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_sort_key(code: str) -> tuple:
    """Sort codes in Annex order: numbers numerically, letters alphabetically."""
    key = []
    for part in code.split("."):
        key.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(key)


def build_structure_edition(source_dir: Path) -> dict:
    """Return the ``mtcr-2024-structure`` edition built from the structure source."""
    source_path = source_dir / STRUCTURE_SOURCE
    source = json.loads(source_path.read_text(encoding="utf-8"))

    nodes: dict[str, dict] = {}

    for item in source["items"]:
        number = item["item"]
        nodes[str(number)] = {
            "code": str(number),
            "parent": None,
            "kind": "item",
            "item": number,
            "section": None,
            "category": item["category"],
            "title": item["title"],
            "title_status": item["title_status"],
            "text": None,
            "notes": None,
            "flags": [],
            "sources": list(item.get("title_sources", [])),
        }

    item_categories = {item["item"]: item["category"] for item in source["items"]}
    for entry in source["entries"]:
        section_code = f"{entry['item']}.{entry['section']}"
        if section_code not in nodes:
            nodes[section_code] = {
                "code": section_code,
                "parent": str(entry["item"]),
                "kind": "section",
                "item": entry["item"],
                "section": entry["section"],
                "category": item_categories[entry["item"]],
                "title": SECTION_TITLES[entry["section"]],
                "title_status": "standard",
                "text": None,
                "notes": None,
                "flags": [],
                "sources": [],
            }

    for entry in source["entries"]:
        flags = ["implied_parent"] if entry.get("implied_parent") else []
        notes = entry.get("title_note")
        nodes[entry["code"]] = {
            "code": entry["code"],
            "parent": entry["parent"],
            "kind": "entry",
            "item": entry["item"],
            "section": entry["section"],
            "category": entry["category"],
            # Only toc-2022 headings are titles; the source leaves the rest null.
            "title": entry["title"],
            "title_status": "verified" if entry["title"] else None,
            "text": None,
            "notes": f"Title note: {notes}" if notes else None,
            "flags": flags,
            "sources": list(entry["sources"]),
        }

    for node in nodes.values():
        parent = node["parent"]
        if parent is not None and parent not in nodes:
            raise SystemExit(f"{STRUCTURE_SOURCE}: {node['code']} has unknown parent {parent}")

    ordered = [nodes[code] for code in sorted(nodes, key=code_sort_key)]
    return {
        "format": EDITION_FORMAT,
        "format_version": EDITION_FORMAT_VERSION,
        "edition": {
            "id": "mtcr-2024-structure",
            "regime": "MTCR",
            "title": "MTCR Annex entry-code structure (2024; no entry text)",
            "version": "2024 structure",
            "edition_date": None,
            "text_status": "structure",
            "has_mtcr_categories": True,
            "provenance": STRUCTURE_PROVENANCE,
            "source_file": STRUCTURE_SOURCE,
            "source_sha256": sha256_of(source_path),
            "licence": LITE_API_NOTICE,
            "acknowledgement": None,
        },
        "entries": ordered,
    }


def build_all(source_dir: Path, output_dir: Path) -> list[Path]:
    """Build every edition from ``source_dir`` into ``output_dir``; return the files."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = [write_edition(build_structure_edition(source_dir), output_dir)]
    # MIT requires the notice to travel with data derived from lite-api.
    licence_copy = output_dir / LITE_API_LICENCE
    shutil.copyfile(source_dir / LITE_API_LICENCE, licence_copy)
    written.append(licence_copy)
    written.append(write_edition(build_eu_edition(source_dir)[0], output_dir))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE_DIR,
                        help="folder with the source files (default: database/sources)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT_DIR,
                        help="folder to write editions to (default: database/control_lists)")
    args = parser.parse_args(argv)
    for path in build_all(args.source, args.output):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
