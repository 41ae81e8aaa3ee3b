"""Importing a control-list edition: the official MTCR Annex (PDF or text) or edition JSON.

The list is revised every year, so this is the path an office takes the day a
new Annex arrives on removable media. The import is in two steps so that
nothing is written before the officer has seen what would be:

1. :func:`prepare_import` reads and validates the file and returns a report:
   entries per Item, notes and definitions, codes missing or extra against
   the structure edition, and anything the parser could not place.
2. :func:`commit_import` loads the prepared edition in one transaction: all of
   it or nothing.

A file is refused, with one line naming the problem and nothing written, when
it is empty, too large, binary or an archive, a damaged or image-only PDF,
text without Annex structure, or JSON that breaks the edition format.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from mtcr_desk.domain.control_list import Edition, EntryKind, TextStatus
from mtcr_desk.domain.errors import InvalidInputError, RuleViolation
from mtcr_desk.services.annex_text import parse_annex_text
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import utc_now_iso
from mtcr_desk.services.edition_format import (
    EDITION_ID_PATTERN,
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    EditionFile,
    parse_edition_bytes,
    parse_edition_document,
)
from mtcr_desk.services.pdf_text import extract_pdf_text
from mtcr_desk.storage import control_lists

#: The edition imported Annexes are checked against, when it is loaded.
STRUCTURE_EDITION_ID = "mtcr-2024-structure"

_DOCUMENT_YEAR = re.compile(r"MTCR/TEM/(\d{4})/Annex")


@dataclass(frozen=True)
class ImportReport:
    """What an import would load, shown before anything is written."""

    source_name: str
    #: "PDF", "text" or "edition JSON".
    source_kind: str
    source_sha256: str
    edition: Edition
    entry_count: int
    #: Entries (kind ``entry``) per MTCR Item, Items in order.
    entries_per_item: tuple[tuple[int, int], ...]
    notes: int
    technical_notes: int
    definitions: int
    #: The edition the codes were compared with (None when none is loaded).
    compared_with: str | None
    missing_codes: tuple[str, ...]
    extra_codes: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PreparedImport:
    """A validated edition ready to load, with its report."""

    edition_file: EditionFile
    report: ImportReport


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise InvalidInputError(f"{path}: no such file") from error
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot read ({error.strerror})") from error
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder, not an Annex file")
    if size > MAX_FILE_BYTES:
        raise InvalidInputError(
            f"{path.name} is {size / 1_000_000:.0f} MB; an Annex file is at most "
            f"{MAX_FILE_BYTES // 1_000_000} MB"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot read ({error.strerror})") from error
    if not data.strip():
        raise InvalidInputError(f"{path.name} is empty")
    return data


def _decode_text(data: bytes, name: str) -> str:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        raise InvalidInputError(
            f"{name} is a zip archive (or an office document), not an Annex PDF, text or "
            "edition JSON"
        )
    if b"\x00" in data[:65536]:
        raise InvalidInputError(f"{name} is a binary file, not an Annex PDF, text or edition JSON")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{name} is not UTF-8 text (byte {error.start}), nor a PDF or edition JSON"
        ) from error


def _annex_edition_document(
    *, entries: list[dict], document_id: str | None, year: int | None, name: str,
    sha256: str, kind: str, edition_id: str | None, title: str | None, imported_by: str,
) -> dict:
    if edition_id is None:
        if year is None:
            raise InvalidInputError(
                f"{name}: cannot tell the Annex year (no 'MTCR/TEM/YYYY/Annex' header); "
                "give the edition id with --id"
            )
        edition_id = f"mtcr-{year}"
    document = document_id or f"MTCR Annex from {name}"
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "edition": {
            "id": edition_id,
            "regime": "MTCR",
            "title": title or f"MTCR Equipment, Software and Technology Annex ({document})",
            "version": document,
            "edition_date": None,
            "text_status": TextStatus.FULL.value,
            "has_mtcr_categories": True,
            "provenance": (
                f"Imported from {name} ({kind}, sha256 {sha256}) by {imported_by} on "
                f"{utc_now_iso()}. Text, hierarchy, notes and definitions were read from the "
                "document by MTCR Desk; the official document remains the reference."
            ),
            "source_file": name,
            "source_sha256": sha256,
            "licence": None,
            "acknowledgement": None,
        },
        "entries": entries,
    }


def _report(
    service: ControlListService, edition_file: EditionFile, *, name: str, kind: str,
    sha256: str, warnings: list[str],
) -> ImportReport:
    entries = edition_file.entries
    per_item = Counter(e.item for e in entries if e.kind is EntryKind.ENTRY and e.item)
    kinds = Counter(e.kind for e in entries)
    compared_with = None
    missing: list[str] = []
    extra: list[str] = []
    structure = control_lists.get_edition(service.connection, STRUCTURE_EDITION_ID)
    if structure is not None and edition_file.edition.regime == "MTCR":
        compared_with = structure.id
        reference = [e.code for e in control_lists.edition_entries(service.connection, structure.id)
                     if e.kind is EntryKind.ENTRY]
        imported = [e.code for e in entries if e.kind is EntryKind.ENTRY]
        imported_set = set(imported)
        reference_set = set(reference)
        missing = [code for code in reference if code not in imported_set]
        extra = [code for code in imported if code not in reference_set]
    return ImportReport(
        source_name=name,
        source_kind=kind,
        source_sha256=sha256,
        edition=edition_file.edition,
        entry_count=len(entries),
        entries_per_item=tuple(sorted(per_item.items())),
        notes=kinds[EntryKind.NOTE],
        technical_notes=kinds[EntryKind.TECHNICAL_NOTE],
        definitions=kinds[EntryKind.DEFINITION],
        compared_with=compared_with,
        missing_codes=tuple(missing),
        extra_codes=tuple(extra),
        warnings=tuple(warnings),
    )


def prepare_import(
    service: ControlListService,
    path: Path,
    *,
    edition_id: str | None = None,
    title: str | None = None,
    imported_by: str,
) -> PreparedImport:
    """Read, parse and validate an edition file; write nothing. Raises InvalidInputError."""
    path = Path(path)
    if edition_id is not None and not EDITION_ID_PATTERN.fullmatch(edition_id):
        raise InvalidInputError(
            f"--id {edition_id!r}: use lower-case letters, digits, '.' and '-' (e.g. mtcr-2025)"
        )
    if title is not None and not 0 < len(title.strip()) <= 500:
        raise InvalidInputError("--title: give a title of 1 to 500 characters")
    data = _read(path)
    name = path.name
    sha256 = hashlib.sha256(data).hexdigest()
    warnings: list[str] = []

    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"%PDF"):
        kind = "PDF"
        parsed = parse_annex_text(extract_pdf_text(data, source_name=name), source_name=name)
    elif stripped.startswith((b"{", b"[")):
        kind = "edition JSON"
        parsed = None
    else:
        kind = "text"
        parsed = parse_annex_text(_decode_text(data, name), source_name=name)

    if parsed is not None:
        warnings.extend(parsed.warnings)
        document = _annex_edition_document(
            entries=parsed.entries, document_id=parsed.document_id, year=parsed.year,
            name=name, sha256=sha256, kind=kind, edition_id=edition_id, title=title,
            imported_by=imported_by,
        )
        edition_file = parse_edition_document(document, source_name=name)
    else:
        edition_file = parse_edition_bytes(data, source_name=name)
        changes = {}
        if edition_id is not None:
            changes["id"] = edition_id
        if title is not None:
            changes["title"] = title
        if changes:
            edition_file = replace(edition_file, edition=replace(edition_file.edition, **changes))

    if control_lists.get_edition(service.connection, edition_file.edition.id) is not None:
        raise RuleViolation(
            f"Edition {edition_file.edition.id} is already loaded and editions never change "
            "once loaded; import under another id with --id"
        )
    report = _report(service, edition_file, name=name, kind=kind, sha256=sha256,
                     warnings=warnings)
    return PreparedImport(edition_file=edition_file, report=report)


def commit_import(service: ControlListService, prepared: PreparedImport, *,
                  imported_by: str) -> Edition:
    """Load a prepared edition in one transaction and return it as stored."""
    edition = replace(prepared.edition_file.edition, imported_at=utc_now_iso(),
                      imported_by=imported_by)
    with service.store.write() as connection:
        if control_lists.get_edition(connection, edition.id) is not None:
            raise RuleViolation(f"Edition {edition.id} is already loaded")
        control_lists.insert_edition(
            connection, edition=edition, entries=prepared.edition_file.entries,
            format_version=prepared.edition_file.format_version,
        )
    return service.edition(edition.id)
