"""The case file format (``mtcr-desk/case``, version 1): export and all-or-nothing import.

A case travels as one UTF-8 JSON file holding the case, its parties, items with
their assessments, the six factors, its decisions and notes, with the pinned
edition's id and title and the entry codes by value. The format is documented
in ``docs/case-format.md``.

Reading is strict: unknown keys, duplicate keys, wrong types, unknown entry
codes, oversize fields and statuses that do not match the decisions are refused
with a message that names the field (``items[2].quantity: must be a positive
number``). An import writes everything in one transaction, every row through
the audit chain, or nothing. Writing is deterministic: the same case always
gives the same bytes.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    Note,
    Outcome,
    Party,
    PartyRole,
)
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, RuleViolation
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services.cases import REFERENCE_PATTERN, validate_item
from mtcr_desk.services.database import utc_now_iso
from mtcr_desk.services.files import write_file_atomically
from mtcr_desk.services.users import USERNAME_PATTERN
from mtcr_desk.storage import case_import, control_lists
from mtcr_desk.storage import cases as case_store
from mtcr_desk.storage import memos as memo_store
from mtcr_desk.storage.database import Store

FORMAT_NAME = "mtcr-desk/case"
FORMAT_VERSION = 1

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TEXT = 20_000
MAX_DESCRIPTION = 2_000
MAX_NAME = 500
MAX_ITEMS = 2_000
MAX_PARTIES = 200
MAX_ENTRIES_PER_ITEM = 100
MAX_DECISIONS = 100
MAX_CONDITIONS = 100
MAX_NOTES = 10_000
MAX_LINE = 99_999
MAX_QUANTITY = 1e12
MAX_VALUE = 1e15
MAX_VERSION = 10_000

IMPORT_ACTION = "import case"

_EDITION_ID = re.compile(r"[a-z0-9][a-z0-9.-]{0,63}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Statuses whose case carries a drafted decision, so every item and factor was assessed.
_DRAFTED_STATUSES = (CaseStatus.AWAITING_COUNTERSIGNATURE, CaseStatus.RETURNED,
                     CaseStatus.DECIDED)


@dataclass(frozen=True)
class CaseDocument:
    """A validated case file: the case as in the file (original reference, no row ids)."""

    case: Case
    edition_title: str
    source_name: str
    format_version: int = FORMAT_VERSION


# --- writing -------------------------------------------------------------------------


def _number(value: float | int | None) -> float | int | None:
    """Whole numbers are written without a decimal point (5, not 5.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def case_document(case: Case, *, edition_title: str) -> dict:
    """Return the case-format document of a case (keys in the documented order)."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "case": {
            "reference": case.reference,
            "status": case.status.value,
            "training": case.training,
            "applicant": case.applicant,
            "destination": case.destination,
            "end_use": case.end_use,
            "received_on": case.received_on,
            "due_on": case.due_on,
            "officer": case.officer,
            "edition": {"id": case.edition_id, "title": edition_title},
            "assurances": sorted(a.value for a in case.assurances),
            "end_user_statement": case.end_user_statement,
            "flags_acknowledged_by": case.flags_acknowledged_by,
            "flags_acknowledged_at": case.flags_acknowledged_at,
            "amends": case.amends,
            "version": case.version,
            "created_at": case.created_at,
            "created_by": case.created_by,
        },
        "parties": [
            {"role": party.role.value, "name": party.name, "address": party.address,
             "country": party.country}
            for party in case.parties
        ],
        "items": [
            {
                "line": item.line,
                "description": item.description,
                "manufacturer": item.manufacturer,
                "part_number": item.part_number,
                "quantity": _number(item.quantity),
                "unit": item.unit,
                "value": _number(item.value),
                "currency": item.currency,
                "assessment": {
                    "status": item.assessment.status.value,
                    "entries": list(item.assessment.entry_codes),
                    "category": item.assessment.category,
                    "rationale": item.assessment.rationale,
                    "assessed_by": item.assessment.assessed_by,
                    "assessed_at": item.assessment.assessed_at,
                    "precedent": item.assessment.precedent,
                },
            }
            for item in case.items
        ],
        "factors": [
            {"factor": finding.factor.value, "finding": finding.finding.value,
             "note": finding.note, "recorded_by": finding.recorded_by,
             "recorded_at": finding.recorded_at}
            for finding in case.factors
        ],
        "decisions": [
            {
                "outcome": decision.outcome.value,
                "rationale": decision.rationale,
                "conditions": list(decision.conditions),
                "presumption_acknowledged": decision.presumption_acknowledged,
                "drafted_by": decision.drafted_by,
                "drafted_at": decision.drafted_at,
                "countersigned_by": decision.countersigned_by,
                "countersigned_at": decision.countersigned_at,
                "countersignature": decision.countersignature,
                "return_comment": decision.return_comment,
                "memo_sha256": decision.memo_sha256,
            }
            for decision in case.decisions
        ],
        "notes": [
            {"text": note.text, "author": note.author, "created_at": note.created_at}
            for note in case.notes
        ],
    }


def export_case(store: Store, reference: str) -> dict:
    """Return the case-format document of a case in the database."""
    reference = reference.strip().upper()
    case = case_store.load_case(store.connection, reference)
    if case is None:
        raise NotFoundError(f"No case {reference}")
    edition = control_lists.get_edition(store.connection, case.edition_id)
    return case_document(case, edition_title=edition.title if edition else "")


def serialise_case(document: dict) -> bytes:
    """Return the canonical bytes of a case document (same input, same bytes)."""
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_case_file(store: Store, reference: str, path: Path) -> Path:
    """Export a case to ``path`` (all or nothing, never over the open database)."""
    path = Path(path)
    write_file_atomically(path, serialise_case(export_case(store, reference)),
                          protected=store.files())
    return path


# --- reading: JSON ---------------------------------------------------------------------


class _JsonObject(dict):
    """A decoded JSON object that remembers keys given more than once."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> _JsonObject:
    result = _JsonObject(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        result.duplicates = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))
    return result


def read_case_file(path: Path, *, store: Store | None = None) -> CaseDocument:
    """Read and validate a case file (checked against ``store`` when given)."""
    path = Path(path)
    try:
        if not path.is_file():
            raise InvalidInputError(f"{path}: not a file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInputError(f"{path.name}: file too large ({size} bytes, at most "
                                    f"{MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot read ({error.strerror or error})") from error
    return parse_case_bytes(data, source_name=path.name, store=store)


def parse_case_bytes(data: bytes, *, source_name: str,
                     store: Store | None = None) -> CaseDocument:
    """Parse and validate a case file's bytes; raise InvalidInputError naming the field.

    With ``store``, the references the file makes by value are checked against that
    database too (see :func:`check_against_database`); :func:`import_case` always
    does this.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInputError(f"{source_name}: expected the bytes of a file")
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(f"{source_name}: file too large ({len(data)} bytes, at most "
                                f"{MAX_FILE_BYTES})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{source_name}: not UTF-8 text (byte {error.start}); not a case file") from error
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        decoded = json.loads(text, object_pairs_hook=_object_pairs)
    except RecursionError as error:
        raise InvalidInputError(f"{source_name}: JSON nested too deeply") from error
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{source_name}: not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})") from error
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise InvalidInputError(f"{source_name}: not valid JSON ({error})") from error
    document = parse_case_document(decoded, source_name=source_name)
    if store is not None:
        check_against_database(store, document)
    return document


# --- reading: fields -------------------------------------------------------------------

_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "an object", _JsonObject: "an object",
               type(None): "null"}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _fail(where: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"{where}: {message}")


class _Fields:
    """One JSON object being read: every key must be known, every value of its type."""

    def __init__(self, value: Any, where: str, required: tuple[str, ...],
                 optional: tuple[str, ...]):
        if not isinstance(value, dict):
            raise _fail(where, f"expected an object, got {_type_name(value)}")
        self.where = where
        self.record = value
        duplicates = getattr(value, "duplicates", ())
        if duplicates:
            raise _fail(self.path(duplicates[0]), "the key is given more than once")
        known = set(required) | set(optional)
        unknown = [key for key in value if key not in known]
        if unknown:
            raise _fail(where, f"unknown field {unknown[0]!r}")
        for key in required:
            if key not in value:
                raise _fail(self.path(key), "missing")

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        return key in self.record

    def _get(self, key: str, default: Any, types: tuple[type, ...], nullable: bool) -> Any:
        if key not in self.record:
            return default
        value = self.record[key]
        if value is None and nullable:
            return None
        if isinstance(value, bool) and bool not in types:
            expected = " or ".join(_TYPE_NAMES[t] for t in types)
            raise _fail(self.path(key), f"expected {expected}{' or null' if nullable else ''}, "
                                        "got true/false")
        if not isinstance(value, types):
            expected = " or ".join(_TYPE_NAMES[t] for t in types)
            raise _fail(self.path(key), f"expected {expected}{' or null' if nullable else ''}, "
                                        f"got {_type_name(value)}")
        return value

    def text(self, key: str, *, limit: int, default: str | None = "", nullable: bool = False,
             required: bool = False) -> str | None:
        value = self._get(key, default, (str,), nullable)
        if value is None:
            return None
        _check_text(value, self.path(key), limit=limit, required=required)
        return value

    def boolean(self, key: str, *, default: bool = False) -> bool:
        return self._get(key, default, (bool,), False)

    def integer(self, key: str, *, default: int | None = None, minimum: int,
                maximum: int) -> int:
        value = self._get(key, default, (int,), False)
        if not minimum <= value <= maximum:
            raise _fail(self.path(key), f"expected a whole number from {minimum} to {maximum}")
        return value

    def number(self, key: str, *, default: float | None = None,
               nullable: bool = False) -> float | int | None:
        value = self._get(key, default, (int, float), nullable)
        if value is not None and not math.isfinite(value):
            raise _fail(self.path(key), "must be a finite number")
        return value

    def array(self, key: str, *, limit: int) -> list:
        value = self._get(key, [], (list,), False)
        if len(value) > limit:
            raise _fail(self.path(key), f"too many ({len(value)}, at most {limit:,})")
        return value

    def choice(self, key: str, enum: type, *, default: Any = None, nullable: bool = False) -> Any:
        value = self._get(key, default, (str,), nullable)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError as error:
            choices = ", ".join(repr(member.value) for member in enum)
            raise _fail(self.path(key), f"{value!r} is not one of {choices}") from error

    def username(self, key: str, *, nullable: bool = True) -> str | None:
        value = self._get(key, None, (str,), nullable)
        if value is None:
            if not nullable:
                raise _fail(self.path(key), "missing")
            return None
        if not USERNAME_PATTERN.fullmatch(value):
            raise _fail(self.path(key), f"{_shorten(value)!r} is not a plain username "
                                        "(1 to 64 lower-case letters, digits, '.', '_' or '-')")
        return value

    def date(self, key: str, *, nullable: bool = False) -> str | None:
        value = self._get(key, None, (str,), nullable)
        if value is None:
            if not nullable:
                raise _fail(self.path(key), "missing")
            return None
        if not _DATE.fullmatch(value):
            raise _fail(self.path(key), f"expected a date YYYY-MM-DD, got {_shorten(value)!r}")
        try:
            datetime.date.fromisoformat(value)
        except ValueError as error:
            raise _fail(self.path(key), f"{value} is not a date") from error
        return value

    def timestamp(self, key: str, *, nullable: bool = False) -> str | None:
        value = self._get(key, None, (str,), nullable)
        if value is None:
            if not nullable:
                raise _fail(self.path(key), "missing")
            return None
        if not _TIMESTAMP.fullmatch(value):
            raise _fail(self.path(key), "expected a UTC time YYYY-MM-DDTHH:MM:SSZ, got "
                                        f"{_shorten(value)!r}")
        try:
            datetime.datetime.fromisoformat(value[:-1])
        except ValueError as error:
            raise _fail(self.path(key), f"{value} is not a valid time") from error
        return value


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _check_text(value: str, where: str, *, limit: int, required: bool = False) -> None:
    if len(value) > limit:
        raise _fail(where, f"too long ({len(value):,} characters, at most {limit:,})")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise _fail(where, f"contains an invalid character (position {error.start})") from error
    match = _CONTROL_CHARACTERS.search(value)
    if match:
        raise _fail(where, f"contains a control character (position {match.start()})")
    if required and not value.strip():
        raise _fail(where, "must not be empty")


def _list_of(values: list, where: str, read: Callable[[Any, str], Any]) -> list:
    return [read(value, f"{where}[{index}]") for index, value in enumerate(values)]


def _text_element(value: Any, where: str, *, limit: int) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"expected text, got {_type_name(value)}")
    _check_text(value, where, limit=limit, required=True)
    return value


# --- reading: records ------------------------------------------------------------------


def parse_case_document(document: Any, *, source_name: str) -> CaseDocument:
    """Validate a decoded case document and return it as a :class:`CaseDocument`."""
    if not isinstance(document, dict):
        raise InvalidInputError(f"{source_name}: expected a JSON object at the top level, got "
                                f"{_type_name(document)}")
    if document.get("format") != FORMAT_NAME:
        raise InvalidInputError(f"{source_name}: format: expected {FORMAT_NAME!r}; not a case "
                                "file")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidInputError(f"{source_name}: format_version: expected a whole number "
                                "from 1")
    if version > FORMAT_VERSION:
        raise InvalidInputError(
            f"{source_name}: format_version: case format version {version} is newer than this "
            f"version of MTCR Desk reads ({FORMAT_VERSION})")
    top = _Fields(document, "", ("format", "format_version", "case"),
                  ("parties", "items", "factors", "decisions", "notes"))

    meta = _Fields(top.record["case"], "case",
                   ("reference", "status", "applicant", "destination", "received_on",
                    "edition", "created_at", "created_by"),
                   ("training", "end_use", "due_on", "officer", "assurances",
                    "end_user_statement", "flags_acknowledged_by", "flags_acknowledged_at",
                    "amends", "version"))
    reference = meta.text("reference", limit=64)
    if not REFERENCE_PATTERN.fullmatch(reference):
        raise _fail("case.reference", f"expected MTCR-YYYY-NNNN, got {_shorten(reference)!r}")
    amends = meta.text("amends", limit=64, default=None, nullable=True)
    if amends is not None and not REFERENCE_PATTERN.fullmatch(amends):
        raise _fail("case.amends", f"expected MTCR-YYYY-NNNN or null, got {_shorten(amends)!r}")
    status = meta.choice("status", CaseStatus)
    destination = meta.text("destination", limit=2)
    if not _COUNTRY.fullmatch(destination):
        raise _fail("case.destination", f"expected an ISO 3166 alpha-2 code such as FR, got "
                                        f"{destination!r}")
    received_on = meta.date("received_on")
    due_on = meta.date("due_on", nullable=True)
    if due_on is not None and due_on < received_on:
        raise _fail("case.due_on", "the due date is before the date received")
    edition = _Fields(meta.record["edition"], "case.edition", ("id", "title"), ())
    edition_id = edition.text("id", limit=64)
    if not _EDITION_ID.fullmatch(edition_id):
        raise _fail("case.edition.id", "use lower-case letters, digits, '.' and '-' "
                                       "(e.g. mtcr-2024-structure)")
    edition_title = edition.text("title", limit=MAX_NAME, required=True)
    assurances = []
    for index, value in enumerate(meta.array("assurances", limit=len(Assurance))):
        where = f"case.assurances[{index}]"
        if not isinstance(value, str):
            raise _fail(where, f"expected text, got {_type_name(value)}")
        try:
            assurance = Assurance(value)
        except ValueError as error:
            choices = ", ".join(repr(a.value) for a in Assurance)
            raise _fail(where, f"{_shorten(value)!r} is not one of {choices}") from error
        if assurance in assurances:
            raise _fail(where, f"{value!r} is listed twice")
        assurances.append(assurance)
    flags_by = meta.username("flags_acknowledged_by")
    flags_at = meta.timestamp("flags_acknowledged_at", nullable=True)
    if (flags_by is None) != (flags_at is None):
        raise _fail("case.flags_acknowledged_at", "give both flags_acknowledged_by and "
                                                  "flags_acknowledged_at, or neither")

    parties = _list_of(top.array("parties", limit=MAX_PARTIES), "parties", _party)
    items = _list_of(top.array("items", limit=MAX_ITEMS), "items", _item)
    lines: set[int] = set()
    for index, item in enumerate(items):
        if item.line in lines:
            raise _fail(f"items[{index}].line", f"line {item.line} is given twice")
        lines.add(item.line)
    factors = _list_of(top.array("factors", limit=len(Factor)), "factors", _factor)
    seen_factors: set[Factor] = set()
    for index, finding in enumerate(factors):
        if finding.factor in seen_factors:
            raise _fail(f"factors[{index}].factor",
                        f"factor {finding.factor.value} is given twice")
        seen_factors.add(finding.factor)
    decisions = _list_of(top.array("decisions", limit=MAX_DECISIONS), "decisions", _decision)
    notes = _list_of(top.array("notes", limit=MAX_NOTES), "notes", _note)

    case = Case(
        reference=reference, status=status,
        applicant=meta.text("applicant", limit=MAX_NAME, required=True),
        destination=destination, end_use=meta.text("end_use", limit=MAX_TEXT),
        received_on=received_on, due_on=due_on, officer=meta.username("officer"),
        edition_id=edition_id, training=meta.boolean("training"),
        assurances=frozenset(assurances),
        end_user_statement=meta.text("end_user_statement", limit=MAX_DESCRIPTION),
        flags_acknowledged_by=flags_by, flags_acknowledged_at=flags_at, amends=amends,
        parties=tuple(parties), items=tuple(items), factors=tuple(factors),
        decisions=tuple(decisions), notes=tuple(notes),
        created_at=meta.timestamp("created_at"),
        created_by=meta.username("created_by", nullable=False),
        version=meta.integer("version", default=1, minimum=1, maximum=MAX_VERSION),
    )
    _check_status(case)
    return CaseDocument(case=case, edition_title=edition_title, source_name=source_name,
                        format_version=version)


def _party(value: Any, where: str) -> Party:
    fields = _Fields(value, where, ("role", "name"), ("address", "country"))
    country = fields.text("country", limit=2)
    if country and not _COUNTRY.fullmatch(country):
        raise _fail(f"{where}.country", f"expected an ISO 3166 alpha-2 code such as FR or empty, "
                                        f"got {country!r}")
    return Party(role=fields.choice("role", PartyRole),
                 name=fields.text("name", limit=MAX_NAME, required=True),
                 address=fields.text("address", limit=MAX_DESCRIPTION), country=country)


def _item(value: Any, where: str) -> Item:
    fields = _Fields(value, where, ("line", "description", "quantity"),
                     ("manufacturer", "part_number", "unit", "value", "currency",
                      "assessment"))
    quantity = fields.number("quantity")
    if quantity > MAX_QUANTITY:
        raise _fail(f"{where}.quantity", f"must be at most {MAX_QUANTITY:,.0f}")
    item_value = fields.number("value", nullable=True)
    if item_value is not None and item_value > MAX_VALUE:
        raise _fail(f"{where}.value", f"must be at most {MAX_VALUE:,.0f}")
    item = Item(
        line=fields.integer("line", minimum=1, maximum=MAX_LINE),
        description=fields.text("description", limit=MAX_DESCRIPTION, required=True),
        quantity=quantity,
        unit=fields.text("unit", limit=MAX_NAME, default="pieces"),
        manufacturer=fields.text("manufacturer", limit=MAX_NAME),
        part_number=fields.text("part_number", limit=MAX_NAME),
        value=item_value,
        currency=fields.text("currency", limit=3, default="EUR"),
        assessment=(_assessment(fields.record["assessment"], f"{where}.assessment")
                    if fields.has("assessment") else Assessment()),
    )
    validate_item(item, where)  # the same rules as an item typed in the application
    return item


def _assessment(value: Any, where: str) -> Assessment:
    fields = _Fields(value, where, ("status",),
                     ("entries", "category", "rationale", "assessed_by", "assessed_at",
                      "precedent"))
    status = fields.choice("status", AssessmentStatus)
    codes: list[str] = []
    for index, code in enumerate(fields.array("entries", limit=MAX_ENTRIES_PER_ITEM)):
        code = _text_element(code, f"{where}.entries[{index}]", limit=64)
        if code in codes:
            raise _fail(f"{where}.entries[{index}]", f"{code} is listed twice")
        codes.append(code)
    category = fields.text("category", limit=2, default=None, nullable=True)
    if category is not None and category not in ("I", "II"):
        raise _fail(f"{where}.category", "expected 'I', 'II' or null")
    rationale = fields.text("rationale", limit=MAX_TEXT)
    assessed_by = fields.username("assessed_by")
    assessed_at = fields.timestamp("assessed_at", nullable=True)
    precedent = fields.text("precedent", limit=MAX_NAME, default=None, nullable=True)

    if status is AssessmentStatus.CONTROLLED and not codes:
        raise _fail(f"{where}.entries", "a controlled item needs at least one entry")
    if status is not AssessmentStatus.CONTROLLED and codes:
        raise _fail(f"{where}.entries", f"an item assessed as {status.value} lists no entries")
    if status is not AssessmentStatus.CONTROLLED and category is not None:
        raise _fail(f"{where}.category", "only a controlled item has an MTCR category")
    if status is AssessmentStatus.UNASSESSED:
        if assessed_by is not None or assessed_at is not None:
            raise _fail(f"{where}.assessed_by", "an unassessed item has no assessor")
    else:
        if not rationale.strip():
            raise _fail(f"{where}.rationale", f"an item assessed as {status.value} needs its "
                                              "rationale")
        if assessed_by is None:
            raise _fail(f"{where}.assessed_by", "missing: who assessed the item")
        if assessed_at is None:
            raise _fail(f"{where}.assessed_at", "missing: when the item was assessed")
    return Assessment(status=status, entry_codes=tuple(codes), category=category,
                      rationale=rationale, assessed_by=assessed_by, assessed_at=assessed_at,
                      precedent=precedent)


def _factor(value: Any, where: str) -> FactorFinding:
    fields = _Fields(value, where, ("factor", "finding", "recorded_by", "recorded_at"),
                     ("note",))
    return FactorFinding(factor=fields.choice("factor", Factor),
                         finding=fields.choice("finding", Finding),
                         note=fields.text("note", limit=MAX_TEXT),
                         recorded_by=fields.username("recorded_by", nullable=False),
                         recorded_at=fields.timestamp("recorded_at"))


def _decision(value: Any, where: str) -> Decision:
    fields = _Fields(value, where, ("outcome", "rationale", "drafted_by", "drafted_at"),
                     ("conditions", "presumption_acknowledged", "countersigned_by",
                      "countersigned_at", "countersignature", "return_comment",
                      "memo_sha256"))
    outcome = fields.choice("outcome", Outcome)
    conditions = tuple(
        _text_element(condition, f"{where}.conditions[{index}]", limit=MAX_TEXT)
        for index, condition in enumerate(fields.array("conditions", limit=MAX_CONDITIONS)))
    if outcome is Outcome.APPROVE_WITH_CONDITIONS and not conditions:
        raise _fail(f"{where}.conditions", "approval with conditions needs at least one "
                                           "condition")
    if outcome is not Outcome.APPROVE_WITH_CONDITIONS and conditions:
        raise _fail(f"{where}.conditions", f"a decision to {outcome.value} carries no "
                                           "conditions")
    drafted_by = fields.username("drafted_by", nullable=False)
    drafted_at = fields.timestamp("drafted_at")
    countersigned_by = fields.username("countersigned_by")
    countersigned_at = fields.timestamp("countersigned_at", nullable=True)
    countersignature = fields.text("countersignature", limit=20, default=None, nullable=True)
    if countersignature is not None and countersignature not in ("agreed", "returned"):
        raise _fail(f"{where}.countersignature", "expected 'agreed', 'returned' or null")
    signed = (countersigned_by is not None, countersigned_at is not None,
              countersignature is not None)
    if any(signed) and not all(signed):
        missing = [name for name, given in zip(
            ("countersigned_by", "countersigned_at", "countersignature"), signed, strict=True)
            if not given][0]
        raise _fail(f"{where}.{missing}", "missing: a countersignature gives who, when and "
                                          "agreed or returned")
    if countersigned_by is not None and countersigned_by == drafted_by:
        raise _fail(f"{where}.countersigned_by", f"{countersigned_by} drafted the decision; "
                                                 "the countersigner is never the drafter")
    if countersigned_at is not None and countersigned_at < drafted_at:
        raise _fail(f"{where}.countersigned_at", "countersigned before it was drafted")
    return_comment = fields.text("return_comment", limit=MAX_TEXT)
    if countersignature == "returned" and not return_comment.strip():
        raise _fail(f"{where}.return_comment", "a returned decision says why it was returned")
    if countersignature is None and return_comment:
        raise _fail(f"{where}.return_comment", "only a countersigned decision has a comment")
    memo = fields.text("memo_sha256", limit=64, default=None, nullable=True)
    if memo is not None and not _SHA256.fullmatch(memo):
        raise _fail(f"{where}.memo_sha256", "expected 64 lower-case hex digits or null")
    return Decision(outcome=outcome, rationale=fields.text("rationale", limit=MAX_TEXT,
                                                           required=True),
                    conditions=conditions,
                    presumption_acknowledged=fields.boolean("presumption_acknowledged"),
                    drafted_by=drafted_by, drafted_at=drafted_at,
                    countersigned_by=countersigned_by, countersigned_at=countersigned_at,
                    countersignature=countersignature, return_comment=return_comment,
                    memo_sha256=memo)


def _note(value: Any, where: str) -> Note:
    fields = _Fields(value, where, ("text", "author", "created_at"), ())
    return Note(text=fields.text("text", limit=MAX_TEXT, required=True),
                author=fields.username("author", nullable=False),
                created_at=fields.timestamp("created_at"))


def _check_status(case: Case) -> None:
    """Refuse a status that the decisions (or the lack of them) contradict."""
    status = case.status
    decisions = case.decisions
    last = len(decisions) - 1
    for index, decision in enumerate(decisions[:-1]):
        if decision.countersignature != "returned":
            raise _fail(f"decisions[{index}].countersignature",
                        "only the latest decision can be other than returned (a decision is "
                        "redrafted only after it was returned)")
    latest = decisions[-1] if decisions else None
    where = f"decisions[{last}]"
    if status in (CaseStatus.DRAFT, CaseStatus.IN_REVIEW) and decisions:
        raise _fail("case.status", f"a case {status.value} carries no decision; with "
                                   f"{len(decisions)} decision(s) it is awaiting "
                                   "countersignature, returned or decided")
    if status is CaseStatus.AWAITING_COUNTERSIGNATURE:
        if latest is None:
            raise _fail("decisions", "a case awaiting countersignature needs its drafted "
                                     "decision")
        if latest.countersignature is not None:
            raise _fail(f"{where}.countersignature",
                        f"the decision is {latest.countersignature}, so the case is not "
                        "awaiting countersignature")
    if status is CaseStatus.RETURNED:
        if latest is None:
            raise _fail("decisions", "a returned case needs the decision that was returned")
        if latest.countersignature != "returned":
            raise _fail(f"{where}.countersignature",
                        "a returned case's latest decision is countersigned 'returned'")
    if status is CaseStatus.DECIDED:
        if latest is None:
            raise _fail("decisions", "a decided case needs its agreed decision")
        if latest.countersignature != "agreed":
            raise _fail(f"{where}.countersignature",
                        "a decided case needs its latest decision agreed by a second officer "
                        f"(found {latest.countersignature or 'no countersignature'})")
    if status is CaseStatus.WITHDRAWN and latest is not None \
            and latest.countersignature == "agreed":
        raise _fail("case.status", "a case with an agreed decision is decided, not withdrawn")

    if status in _DRAFTED_STATUSES:
        if not case.items:
            raise _fail("items", f"a case {status.value} has the items its decision covers")
        for index, item in enumerate(case.items):
            if item.assessment.status is AssessmentStatus.UNASSESSED:
                raise _fail(f"items[{index}].assessment.status",
                            f"a case {status.value} has every item assessed")
        missing = [factor.value for factor in Factor if case.factor(factor) is None]
        if missing:
            raise _fail("factors", f"a case {status.value} records all six factors "
                                   f"(missing: {', '.join(missing)})")


# --- checks against the database -------------------------------------------------------


def check_against_database(store: Store, document: CaseDocument) -> None:
    """Check what the file names by value against the database: edition, codes, countries."""
    connection = store.connection
    case = document.case
    edition = control_lists.get_edition(connection, case.edition_id)
    if edition is None:
        raise _fail("case.edition.id", f"edition {case.edition_id} is not loaded in this "
                                       "database (see: mtcr-desk list editions)")
    if edition.title != document.edition_title:
        raise _fail("case.edition.title", f"{_shorten(document.edition_title, 80)!r} is not the "
                                          f"title of the loaded edition {edition.id} "
                                          f"({edition.title!r}); not the same edition")
    if case_store.country(connection, case.destination) is None:
        raise _fail("case.destination", f"{case.destination} is not an ISO 3166 country code")
    for index, party in enumerate(case.parties):
        if party.country and case_store.country(connection, party.country) is None:
            raise _fail(f"parties[{index}].country",
                        f"{party.country} is not an ISO 3166 country code")
    for index, item in enumerate(case.items):
        where = f"items[{index}].assessment"
        assessment = item.assessment
        kinds = case_store.entry_kinds(connection, edition.id, assessment.entry_codes)
        for position, code in enumerate(assessment.entry_codes):
            kind = kinds.get(code)
            if kind is None:
                raise _fail(f"{where}.entries[{position}]",
                            f"{code} is not an entry of edition {edition.id}")
            if kind != "entry":
                raise _fail(f"{where}.entries[{position}]",
                            f"{code} is a {kind}, not an entry, of edition {edition.id}")
        if assessment.status is AssessmentStatus.CONTROLLED:
            if edition.has_mtcr_categories and assessment.category is not None:
                raise _fail(f"{where}.category",
                            f"edition {edition.id} gives the MTCR category of its entries; "
                            "leave it null")
            if not edition.has_mtcr_categories and assessment.category is None:
                raise _fail(f"{where}.category",
                            f"edition {edition.id} carries no MTCR category: give 'I' or 'II'")


# --- importing -------------------------------------------------------------------------


def _keep_memo_of_imported_decision(store: Store, connection, reference: str, *,
                                    actor: User) -> None:
    """Give an imported final decision the memo this database issues for it.

    The decision keeps the memo hash its file carries (the memo of its original
    countersigning, wherever that was); the memo rendered here is kept beside it,
    so that exports from this database are recognised by ``verify --memo``.
    """
    # Imported here: services.memos pulls in reportlab, needed only for final decisions.
    from mtcr_desk.services.memos import render_case_memo, sha256_hex

    imported = case_store.load_case(connection, reference)
    decision = imported.current_decision if imported else None
    if decision is None or not decision.is_final or decision.id is None:
        return
    pdf = render_case_memo(store, imported)
    memo_store.insert_memo(connection, decision.id, sha256=sha256_hex(pdf), pdf=pdf,
                           actor=actor.username, action=IMPORT_ACTION)


def import_case(store: Store, document: CaseDocument, *, actor: User,
                allow_training: bool = False,
                also: Callable[[object, str], None] | None = None) -> Case:
    """Import a validated case file as a new case, all or nothing; return the new case.

    The case gets the next reference of the year it was received; the original
    reference is kept in a note. Status, decisions and countersignatures are kept
    as in the file. Every row is written with one audit row (actor: the importing
    user, action "import case"). ``also(connection, reference)``, when given, writes
    more in the same transaction (a trainee's attempt): the case and it, or neither.
    """
    [imported] = import_cases(store, [document], actor=actor, allow_training=allow_training,
                              also=also)
    return imported


def import_cases(store: Store, documents: Sequence[CaseDocument], *, actor: User,
                 allow_training: bool = False,
                 also: Callable[[object, str], None] | None = None) -> list[Case]:
    """Import several case files in one transaction: every one of them, or none.

    As :func:`import_case` for each, in order; ``also(connection, reference)`` is
    called with the last one's new reference (a training scenario's own case, after
    its supporting cases), in the same transaction.
    """
    if actor.role not in (Role.OFFICER, Role.SENIOR_OFFICER, Role.TRAINER):
        raise RuleViolation(f"import case: {actor.username} is an {actor.role.value}; "
                            "officers and trainers import cases")
    if not actor.active:
        raise RuleViolation(f"import case: the account {actor.username} is disabled")
    for document in documents:
        if document.case.training and not allow_training:
            raise RuleViolation(f"{document.source_name}: {document.case.reference} is a "
                                "training case; it can only be imported into a training "
                                "database")
        check_against_database(store, document)
    references: list[str] = []
    with store.write() as connection:
        for document in documents:
            references.append(_insert_imported(store, connection, document, actor=actor))
        if also is not None and references:
            # Written in the same transaction: all, or nothing (a trainee's attempt).
            also(connection, references[-1])
    imported = [case_store.load_case(store.connection, reference) for reference in references]
    assert None not in imported
    return imported


def _insert_imported(store: Store, connection, document: CaseDocument, *, actor: User) -> str:
    """Write one checked case file as a new case in the open transaction; return its reference."""
    case = document.case
    year = int(case.received_on[:4])
    provenance = f"Imported from {document.source_name}: original reference {case.reference}"
    if case.amends:
        provenance += f" (there it amends {case.amends})"
    reference, number = case_store.next_reference(connection, year)
    note = Note(text=_shorten(provenance, MAX_TEXT - 1), author=actor.username,
                created_at=utc_now_iso())
    case_import.insert_imported_case(
        connection, case, reference=reference, year=year, number=number,
        extra_notes=(note,), actor=actor.username, action=IMPORT_ACTION)
    _keep_memo_of_imported_decision(store, connection, reference, actor=actor)
    return reference
