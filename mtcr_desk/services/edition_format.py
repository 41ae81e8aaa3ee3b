"""The edition JSON format: strict reading and deterministic writing.

The format is documented in ``docs/edition-format.md``. Reading is strict
because an edition becomes the legal reference of every assessment pinned to
it: unknown keys, wrong types, duplicate codes, dangling parents and oversize
fields are refused with a message that names the field, and nothing is loaded.
Writing is deterministic so that the same edition always gives the same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from mtcr_desk.domain.control_list import Category, Edition, Entry, EntryKind, TextStatus
from mtcr_desk.domain.errors import InvalidInputError
from mtcr_desk.domain.text import text_problem

FORMAT_NAME = "mtcr-desk/edition"
FORMAT_VERSION = 1

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 100_000
MAX_CODE_LENGTH = 64
MAX_TITLE_LENGTH = 2_000
MAX_TEXT_LENGTH = 200_000
MAX_SHORT_FIELD = 4_000
MAX_LONG_FIELD = 20_000

EDITION_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{0,63}")

# key -> (allowed types, required, maximum length for text)
_EDITION_FIELDS: dict[str, tuple[tuple[type, ...], bool, int]] = {
    "id": ((str,), True, 64),
    "regime": ((str,), True, 100),
    "title": ((str,), True, 500),
    "version": ((str,), True, 200),
    "edition_date": ((str, type(None)), False, 10),
    "text_status": ((str,), True, 20),
    "has_mtcr_categories": ((bool,), True, 0),
    "provenance": ((str,), True, MAX_LONG_FIELD),
    "source_file": ((str, type(None)), False, 500),
    "source_sha256": ((str, type(None)), False, 64),
    "licence": ((str, type(None)), False, MAX_LONG_FIELD),
    "acknowledgement": ((str, type(None)), False, MAX_SHORT_FIELD),
}

_ENTRY_FIELDS: dict[str, tuple[tuple[type, ...], bool, int]] = {
    "code": ((str,), True, MAX_CODE_LENGTH),
    "parent": ((str, type(None)), True, MAX_CODE_LENGTH),
    "kind": ((str,), True, 20),
    "item": ((int, type(None)), False, 0),
    "section": ((str, type(None)), False, 1),
    "category": ((str, type(None)), False, 2),
    "title": ((str, type(None)), False, MAX_TITLE_LENGTH),
    "title_status": ((str, type(None)), False, 40),
    "text": ((str, type(None)), False, MAX_TEXT_LENGTH),
    "notes": ((str, type(None)), False, MAX_TEXT_LENGTH),
    "flags": ((list,), False, 0),
    "sources": ((list,), False, 0),
}

_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list",
               type(None): "null", dict: "an object", float: "a number"}


@dataclass(frozen=True)
class EditionFile:
    """A validated edition file: metadata (import fields empty) and its entries."""

    edition: Edition
    entries: tuple[Entry, ...]
    format_version: int


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _check_fields(
    record: dict, spec: dict[str, tuple[tuple[type, ...], bool, int]], where: str
) -> None:
    unknown = sorted(set(record) - set(spec))
    if unknown:
        raise InvalidInputError(f"{where}: unknown field {unknown[0]!r}")
    for key, (types, required, max_length) in spec.items():
        if key not in record:
            if required:
                raise InvalidInputError(f"{where}.{key}: missing")
            continue
        value = record[key]
        # bool is a subclass of int in Python; a JSON true is not an item number.
        if isinstance(value, bool) and bool not in types:
            raise InvalidInputError(f"{where}.{key}: expected {_expected(types)}, got true/false")
        if not isinstance(value, types):
            raise InvalidInputError(
                f"{where}.{key}: expected {_expected(types)}, got {_type_name(value)}"
            )
        if isinstance(value, str):
            if max_length and len(value) > max_length:
                raise InvalidInputError(
                    f"{where}.{key}: too long ({len(value)} characters, at most {max_length})"
                )
            _check_string(value, f"{where}.{key}")


def _check_string(value: str, where: str) -> None:
    """Refuse text that cannot be stored or shown: lone surrogates, control characters."""
    problem = text_problem(value)
    if problem:
        raise InvalidInputError(f"{where}: {problem}")


def _expected(types: tuple[type, ...]) -> str:
    return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)


def _string_list(value: list, where: str) -> tuple[str, ...]:
    for index, element in enumerate(value):
        if not isinstance(element, str):
            raise InvalidInputError(f"{where}[{index}]: expected text, got {_type_name(element)}")
        if len(element) > MAX_SHORT_FIELD:
            raise InvalidInputError(f"{where}[{index}]: too long")
        _check_string(element, f"{where}[{index}]")
    return tuple(value)


def parse_edition_bytes(data: bytes, *, source_name: str) -> EditionFile:
    """Parse and validate an edition file's bytes; raise InvalidInputError naming the problem."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(f"{source_name}: file too large ({len(data)} bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{source_name}: not UTF-8 text (byte {error.start}); not an edition file"
        ) from error
    try:
        document = json.loads(text)
    except RecursionError as error:
        raise InvalidInputError(f"{source_name}: JSON nested too deeply") from error
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{source_name}: not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from error
    return parse_edition_document(document, source_name=source_name)


def parse_edition_document(document: Any, *, source_name: str) -> EditionFile:
    """Validate a decoded edition document and return its domain objects."""
    if not isinstance(document, dict):
        raise InvalidInputError(f"{source_name}: expected a JSON object at the top level")
    if document.get("format") != FORMAT_NAME:
        raise InvalidInputError(f"{source_name}: format is not {FORMAT_NAME!r}")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidInputError(f"{source_name}: format_version must be a whole number")
    if version > FORMAT_VERSION:
        raise InvalidInputError(
            f"{source_name}: edition format version {version} is newer than this version "
            f"of MTCR Desk reads ({FORMAT_VERSION})"
        )
    unknown = sorted(set(document) - {"format", "format_version", "edition", "entries"})
    if unknown:
        raise InvalidInputError(f"{source_name}: unknown field {unknown[0]!r}")

    meta = document.get("edition")
    if not isinstance(meta, dict):
        raise InvalidInputError(f"{source_name}: edition: expected an object")
    _check_fields(meta, _EDITION_FIELDS, "edition")
    if not EDITION_ID_PATTERN.fullmatch(meta["id"]):
        raise InvalidInputError(
            "edition.id: use lower-case letters, digits, '.' and '-' (e.g. mtcr-2024-structure)"
        )
    try:
        text_status = TextStatus(meta["text_status"])
    except ValueError as error:
        raise InvalidInputError("edition.text_status: expected 'structure' or 'full'") from error
    edition_date = meta.get("edition_date")
    if edition_date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", edition_date):
        raise InvalidInputError("edition.edition_date: expected YYYY-MM-DD")
    source_sha256 = meta.get("source_sha256")
    if source_sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", source_sha256):
        raise InvalidInputError("edition.source_sha256: expected 64 lower-case hex digits")

    edition = Edition(
        id=meta["id"],
        regime=meta["regime"],
        title=meta["title"],
        version=meta["version"],
        edition_date=edition_date,
        text_status=text_status,
        has_mtcr_categories=meta["has_mtcr_categories"],
        provenance=meta["provenance"],
        source_file=meta.get("source_file"),
        source_sha256=source_sha256,
        licence=meta.get("licence"),
        acknowledgement=meta.get("acknowledgement"),
        imported_at="",
        imported_by="",
    )

    records = document.get("entries")
    if not isinstance(records, list):
        raise InvalidInputError(f"{source_name}: entries: expected a list")
    if not records:
        raise InvalidInputError(f"{source_name}: entries: the edition has no entries")
    if len(records) > MAX_ENTRIES:
        raise InvalidInputError(f"{source_name}: entries: more than {MAX_ENTRIES} entries")

    entries: list[Entry] = []
    seen: set[str] = set()
    for index, record in enumerate(records):
        where = f"entries[{index}]"
        if not isinstance(record, dict):
            raise InvalidInputError(f"{where}: expected an object, got {_type_name(record)}")
        _check_fields(record, _ENTRY_FIELDS, where)
        code = record["code"].strip()
        if not code:
            raise InvalidInputError(f"{where}.code: empty")
        if code in seen:
            raise InvalidInputError(f"{where}.code: duplicate code {code}")
        parent = record["parent"]
        # Parents come before their children: this also rules out loops in the tree.
        if parent is not None and parent not in seen:
            raise InvalidInputError(
                f"{where}.parent: {code} names parent {parent}, which does not come before it "
                "in the edition")
        seen.add(code)
        item = record.get("item")
        if item is not None and not 0 <= item <= 99:
            raise InvalidInputError(f"{where}.item: expected a number from 0 to 99")
        try:
            kind = EntryKind(record["kind"])
        except ValueError as error:
            kinds = ", ".join(k.value for k in EntryKind)
            raise InvalidInputError(f"{where}.kind: expected one of {kinds}") from error
        category_value = record.get("category")
        try:
            category = Category(category_value) if category_value is not None else None
        except ValueError as error:
            raise InvalidInputError(f"{where}.category: expected 'I', 'II' or null") from error
        if category is not None and not edition.has_mtcr_categories:
            raise InvalidInputError(
                f"{where}.category: this edition carries no MTCR categories"
            )
        section = record.get("section")
        if section is not None and section not in ("A", "B", "C", "D", "E"):
            raise InvalidInputError(f"{where}.section: expected one of A, B, C, D, E")
        entries.append(
            Entry(
                edition_id=edition.id,
                code=code,
                parent_code=record["parent"],
                kind=kind,
                item=record.get("item"),
                section=section,
                category=category,
                title=record.get("title"),
                title_status=record.get("title_status"),
                text=record.get("text"),
                notes=record.get("notes"),
                flags=_string_list(record.get("flags", []), f"{where}.flags"),
                sources=_string_list(record.get("sources", []), f"{where}.sources"),
                sort_key=index,
            )
        )

    return EditionFile(edition=edition, entries=tuple(entries), format_version=version)


def edition_document(edition: Edition, entries: list[Entry]) -> dict:
    """Return the edition-format document for an edition and its entries."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "edition": {
            "id": edition.id,
            "regime": edition.regime,
            "title": edition.title,
            "version": edition.version,
            "edition_date": edition.edition_date,
            "text_status": edition.text_status.value,
            "has_mtcr_categories": edition.has_mtcr_categories,
            "provenance": edition.provenance,
            "source_file": edition.source_file,
            "source_sha256": edition.source_sha256,
            "licence": edition.licence,
            "acknowledgement": edition.acknowledgement,
        },
        "entries": [
            {
                "code": entry.code,
                "parent": entry.parent_code,
                "kind": entry.kind.value,
                "item": entry.item,
                "section": entry.section,
                "category": entry.category.value if entry.category else None,
                "title": entry.title,
                "title_status": entry.title_status,
                "text": entry.text,
                "notes": entry.notes,
                "flags": list(entry.flags),
                "sources": list(entry.sources),
            }
            for entry in entries
        ],
    }


def serialise_edition(document: dict) -> bytes:
    """Return the canonical bytes of an edition document (same input, same bytes)."""
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
