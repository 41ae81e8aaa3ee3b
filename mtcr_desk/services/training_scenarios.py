"""The training scenario library: reading, checking, importing and scoring scenarios.

The library ships in ``database/training/scenarios/``, one folder per scenario holding
``scenario.json`` (format ``mtcr-desk/training-scenario``, version 1: briefing,
objectives, difficulty, topics and the model answer), the scenario's case file in the
case format (``"training": true``, unassessed) and any supporting cases (decided cases
the scenario needs: the original an amendment amends, a precedent to apply). The format
is documented in ``docs/training-format.md``.

Reading is strict, like the case format: unknown or repeated keys, wrong types, unknown
topics, entry codes that are not entries of the case's pinned edition, a model answer
that does not match the case's lines, or a scenario case that is not pristine are
refused with an :class:`InvalidInputError` naming the file and the field
(``T03-.../scenario.json: model_answer.items[0].entries[1]: 2.B.9 is not an entry of
edition mtcr-2024-structure``). Case files are read with the case-format reader and
checked against the database, so a scenario that loads also imports.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mtcr_desk import paths
from mtcr_desk.domain.cases import AssessmentStatus, Case, CaseStatus, Factor, Finding, Outcome
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.errors import InvalidInputError
from mtcr_desk.domain.rules import is_category_i_production_facility
from mtcr_desk.domain.training import (
    Difficulty,
    FactorAnswer,
    ItemAlternative,
    ItemAnswer,
    KeyPoint,
    ModelAnswer,
    OutcomeAnswer,
    Scenario,
    Score,
    SupportingCase,
    SupportingRole,
    score_attempt,
)
from mtcr_desk.domain.users import User
from mtcr_desk.services import case_format
from mtcr_desk.services.cases import CaseService
from mtcr_desk.storage import control_lists
from mtcr_desk.storage.database import Store

FORMAT_NAME = "mtcr-desk/training-scenario"
FORMAT_VERSION = 1
SCENARIO_FILE = "scenario.json"
MAX_FILE_BYTES = 1024 * 1024
MAX_TEXT = 20_000
MAX_TITLE = 200
MAX_LIST = 100

#: The topics a scenario may be tagged with, and what each teaches.
TOPICS = {
    "category-i-system": "a Category I complete delivery system (Item 1)",
    "category-i-subsystem": "a Category I complete subsystem (Item 2)",
    "separability": "a system incorporating a Category I item that can be separated, "
                    "removed or duplicated",
    "production-facility": "Category I production facilities, never authorised",
    "category-ii-system": "a Category II complete system (Item 19)",
    "category-ii-equipment": "Category II equipment (section A or B)",
    "category-ii-materials": "Category II materials (section C)",
    "category-ii-software": "Category II software (section D)",
    "category-ii-technology": "Category II technology (section E)",
    "below-threshold": "an item that looks controlled but falls below the thresholds",
    "range-payload": "judging range and payload against 300 km / 500 kg",
    "catch-all": "a non-listed item with a catch-all concern",
    "un-measures": "a destination under UN Security Council measures",
    "non-partner": "a destination that is neither an MTCR partner nor an adherent",
    "partner-assurances": "a partner destination with the government's full assurances",
    "transshipment": "an intermediary or transshipment red flag",
    "public-domain": "information already in the public domain",
    "amendment": "an amendment of a decided case",
    "precedent": "applying (or not) an earlier assessment as a precedent",
}

#: Topics the library must cover (issue 7); the check script and the tests assert it.
REQUIRED_TOPICS = (
    "category-i-system", "category-i-subsystem", "separability", "production-facility",
    "category-ii-equipment", "category-ii-materials", "category-ii-software",
    "category-ii-technology", "below-threshold", "catch-all", "un-measures",
    "partner-assurances", "transshipment", "amendment", "precedent",
)

_SCENARIO_ID = re.compile(r"T\d{2,3}")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.json")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def training_data_dir() -> Path:
    """Return the shipped ``database/training`` folder."""
    return paths.shipped_data_dir() / "training"


def scenario_folders(folder: Path | None = None) -> tuple[Path, ...]:
    """Return the scenario folders of a library (default: shipped), in name order."""
    scenarios = (folder or training_data_dir()) / "scenarios"
    return tuple(sorted((path for path in scenarios.iterdir() if path.is_dir()),
                        key=lambda path: path.name)) if scenarios.is_dir() else ()


# --- strict reading --------------------------------------------------------------------


class _Refusal(Exception):
    """A problem at a field path, turned into an InvalidInputError naming the file."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")


class _Object(dict):
    """A decoded JSON object that remembers keys given more than once."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        result.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return result


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {str: "text", int: "a whole number", float: "a number", list: "a list",
            type(None): "null"}.get(type(value), "an object")


class _Fields:
    """One JSON object: every key known, every required key present, values typed."""

    def __init__(self, value: Any, where: str, required: tuple[str, ...],
                 optional: tuple[str, ...] = ()):
        if not isinstance(value, dict):
            raise _Refusal(where, f"expected an object, got {_type_name(value)}")
        self.where, self.record = where, value
        for key in getattr(value, "duplicates", ()):
            raise _Refusal(self.path(key), "the key is given more than once")
        for key in value:
            if key not in required and key not in optional:
                raise _Refusal(where, f"unknown field {key!r}")
        for key in required:
            if key not in value:
                raise _Refusal(self.path(key), "missing")

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def text(self, key: str, *, limit: int = MAX_TEXT, default: str | None = None) -> str:
        if key not in self.record and default is not None:
            return default
        return _text(self.record[key], self.path(key), limit=limit)

    def texts(self, key: str, *, limit: int = MAX_TEXT, required: bool = True) -> list[str]:
        values = self.array(key)
        if required and not values:
            raise _Refusal(self.path(key), "must not be empty")
        return [_text(value, f"{self.path(key)}[{index}]", limit=limit)
                for index, value in enumerate(values)]

    def array(self, key: str) -> list:
        value = self.record.get(key, [])
        if not isinstance(value, list):
            raise _Refusal(self.path(key), f"expected a list, got {_type_name(value)}")
        if len(value) > MAX_LIST:
            raise _Refusal(self.path(key), f"too many ({len(value)}, at most {MAX_LIST})")
        return value

    def choice(self, key: str, enum: type) -> Any:
        return _choice(self.record[key], self.path(key), enum)


def _text(value: Any, where: str, *, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise _Refusal(where, f"expected text, got {_type_name(value)}")
    if not value.strip():
        raise _Refusal(where, "must not be empty")
    if len(value) > limit:
        raise _Refusal(where, f"too long ({len(value):,} characters, at most {limit:,})")
    if _CONTROL_CHARACTERS.search(value):
        raise _Refusal(where, "contains a control character")
    return value


def _choice(value: Any, where: str, enum: type) -> Any:
    if not isinstance(value, str):
        raise _Refusal(where, f"expected text, got {_type_name(value)}")
    try:
        return enum(value)
    except ValueError as error:
        choices = ", ".join(repr(member.value) for member in enum)
        raise _Refusal(where, f"{value!r} is not one of {choices}") from error


def _key_points(fields: _Fields, key: str) -> tuple[KeyPoint, ...]:
    points = []
    for index, value in enumerate(fields.array(key)):
        where = f"{fields.path(key)}[{index}]"
        point = _Fields(value, where, ("concepts", "explanation"))
        concepts = []
        raw = point.array("concepts")
        if not raw:
            raise _Refusal(point.path("concepts"), "name at least one concept")
        for number, concept in enumerate(raw):
            concept_where = f"{point.path('concepts')}[{number}]"
            if not isinstance(concept, list) or not concept:
                raise _Refusal(concept_where, "expected a list of one or more phrases")
            concepts.append(tuple(_text(phrase, f"{concept_where}[{position}]", limit=200)
                                  for position, phrase in enumerate(concept)))
        points.append(KeyPoint(concepts=tuple(concepts),
                               explanation=point.text("explanation")))
    return tuple(points)


def _entries(fields: _Fields, key: str) -> tuple[str, ...]:
    codes: list[str] = []
    for index, code in enumerate(fields.array(key)):
        code = _text(code, f"{fields.path(key)}[{index}]", limit=64)
        if code in codes:
            raise _Refusal(f"{fields.path(key)}[{index}]", f"{code} is listed twice")
        codes.append(code)
    return tuple(codes)


def _check_status_entries(status: AssessmentStatus, entries: tuple[str, ...],
                          where: str) -> None:
    if status is AssessmentStatus.UNASSESSED:
        raise _Refusal(f"{where}.status", "a model answer assesses the item")
    if status is AssessmentStatus.CONTROLLED and not entries:
        raise _Refusal(f"{where}.entries", "a controlled item needs at least one entry")
    if status is not AssessmentStatus.CONTROLLED and entries:
        raise _Refusal(f"{where}.entries", f"an item assessed as {status.value} lists no "
                                           "entries")


def _item_answer(value: Any, where: str) -> ItemAnswer:
    fields = _Fields(value, where, ("line", "status", "reasoning"),
                     ("entries", "category", "alternatives", "rationale_points"))
    line = fields.record["line"]
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        raise _Refusal(fields.path("line"), "expected a whole number of 1 or more")
    status = fields.choice("status", AssessmentStatus)
    entries = _entries(fields, "entries")
    _check_status_entries(status, entries, where)
    category = fields.record.get("category")
    if category is not None:
        category = _choice(category, fields.path("category"), Category)
    if status is AssessmentStatus.CONTROLLED and category is None:
        raise _Refusal(fields.path("category"), "give 'I' or 'II' for a controlled item")
    if status is not AssessmentStatus.CONTROLLED and category is not None:
        raise _Refusal(fields.path("category"), "only a controlled item has a category")
    alternatives = []
    for index, alternative in enumerate(fields.array("alternatives")):
        alt_where = f"{fields.path('alternatives')}[{index}]"
        alt = _Fields(alternative, alt_where, ("status",), ("entries",))
        alt_status = alt.choice("status", AssessmentStatus)
        alt_entries = _entries(alt, "entries")
        _check_status_entries(alt_status, alt_entries, alt_where)
        alternatives.append(ItemAlternative(alt_status, alt_entries))
    return ItemAnswer(line=line, status=status, entries=entries, category=category,
                      reasoning=fields.text("reasoning"), alternatives=tuple(alternatives),
                      rationale_points=_key_points(fields, "rationale_points"))


def _factor_answer(value: Any, where: str) -> FactorAnswer:
    fields = _Fields(value, where, ("factor", "finding", "reasoning"), ("alternatives",))
    alternatives = tuple(_choice(finding, f"{fields.path('alternatives')}[{index}]", Finding)
                         for index, finding in enumerate(fields.array("alternatives")))
    return FactorAnswer(factor=fields.choice("factor", Factor),
                        finding=fields.choice("finding", Finding),
                        reasoning=fields.text("reasoning"), alternatives=alternatives)


def _model_answer(value: Any, where: str) -> ModelAnswer:
    fields = _Fields(value, where, ("items", "factors", "outcome"),
                     ("conditions", "rationale_points"))
    items = [_item_answer(item, f"{fields.path('items')}[{index}]")
             for index, item in enumerate(fields.array("items"))]
    if not items:
        raise _Refusal(fields.path("items"), "answer every item of the case")
    factors = [_factor_answer(factor, f"{fields.path('factors')}[{index}]")
               for index, factor in enumerate(fields.array("factors"))]
    seen: list[Factor] = []
    for index, factor in enumerate(factors):
        if factor.factor in seen:
            raise _Refusal(f"{fields.path('factors')}[{index}].factor",
                           f"factor {factor.factor.value} is given twice")
        seen.append(factor.factor)
    missing = [factor.value for factor in Factor if factor not in seen]
    if missing:
        raise _Refusal(fields.path("factors"), f"give all six factors (missing: "
                                               f"{', '.join(missing)})")
    outcome_fields = _Fields(fields.record["outcome"], fields.path("outcome"),
                             ("outcome", "reasoning"), ("alternatives",))
    outcome = OutcomeAnswer(
        outcome=outcome_fields.choice("outcome", Outcome),
        reasoning=outcome_fields.text("reasoning"),
        alternatives=tuple(_choice(o, f"{outcome_fields.path('alternatives')}[{index}]",
                                   Outcome)
                           for index, o in enumerate(outcome_fields.array("alternatives"))))
    conditions = _key_points(fields, "conditions")
    conditional = Outcome.APPROVE_WITH_CONDITIONS in outcome.accepted
    if conditional and not conditions:
        raise _Refusal(fields.path("conditions"), "an approval with conditions names the key "
                                                  "points of its conditions")
    if conditions and not conditional:
        raise _Refusal(fields.path("conditions"), "only an approval with conditions has "
                                                  "conditions")
    return ModelAnswer(items=tuple(items), factors=tuple(factors), outcome=outcome,
                       conditions=conditions,
                       rationale_points=_key_points(fields, "rationale_points"))


@dataclass(frozen=True)
class _ScenarioFile:
    """``scenario.json`` as read, before its cases are."""

    id: str
    title: str
    difficulty: Difficulty
    topics: tuple[str, ...]
    briefing: str
    objectives: tuple[str, ...]
    case_file: str
    supporting: tuple[SupportingCase, ...]
    answer: ModelAnswer


def parse_scenario_document(document: Any) -> _ScenarioFile:
    """Validate a decoded ``scenario.json``; raise InvalidInputError naming the field."""
    try:
        return _parse_scenario(document)
    except _Refusal as refusal:
        raise InvalidInputError(str(refusal)) from None


def _parse_scenario(document: Any) -> _ScenarioFile:
    if not isinstance(document, dict):
        raise _Refusal("(top)", "expected a JSON object")
    if document.get("format") != FORMAT_NAME:
        raise _Refusal("format", f"expected {FORMAT_NAME!r}; not a training scenario")
    version = document.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _Refusal("format_version", "expected a whole number from 1")
    if version > FORMAT_VERSION:
        raise _Refusal("format_version", f"version {version} is newer than this version of "
                                         f"MTCR Desk reads ({FORMAT_VERSION})")
    top = _Fields(document, "", ("format", "format_version", "id", "title", "difficulty",
                                 "topics", "briefing", "objectives", "case_file",
                                 "model_answer"), ("supporting_cases",))
    scenario_id = top.text("id", limit=8)
    if not _SCENARIO_ID.fullmatch(scenario_id):
        raise _Refusal("id", f"expected T and two or three digits (T01), got {scenario_id!r}")
    topics = top.texts("topics", limit=64)
    for index, topic in enumerate(topics):
        if topic not in TOPICS:
            raise _Refusal(f"topics[{index}]", f"{topic!r} is not a known topic (one of "
                                               f"{', '.join(TOPICS)})")
        if topic in topics[:index]:
            raise _Refusal(f"topics[{index}]", f"{topic!r} is listed twice")
    case_file = top.text("case_file", limit=100)
    if not _FILE_NAME.fullmatch(case_file) or case_file == SCENARIO_FILE:
        raise _Refusal("case_file", "a .json file name in the scenario's folder (no folders)")
    supporting = []
    for index, value in enumerate(top.array("supporting_cases")):
        where = f"supporting_cases[{index}]"
        fields = _Fields(value, where, ("file", "role", "purpose"))
        name = fields.text("file", limit=100)
        if not _FILE_NAME.fullmatch(name) or name in (SCENARIO_FILE, case_file) or any(
                s.file == name for s in supporting):
            raise _Refusal(f"{where}.file", "another .json file name in the scenario's folder "
                                            "(no folders, each file once)")
        supporting.append(SupportingCase(file=name, role=fields.choice("role", SupportingRole),
                                         purpose=fields.text("purpose")))
    return _ScenarioFile(
        id=scenario_id, title=top.text("title", limit=MAX_TITLE),
        difficulty=top.choice("difficulty", Difficulty), topics=tuple(topics),
        briefing=top.text("briefing"), objectives=tuple(top.texts("objectives", limit=1000)),
        case_file=case_file, supporting=tuple(supporting),
        answer=_model_answer(top.record["model_answer"], "model_answer"))


# --- reading a scenario folder -----------------------------------------------------------


def _read_json(path: Path, label: str) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInputError(f"{label}: file too large (at most {MAX_FILE_BYTES} bytes)")
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as error:
        raise InvalidInputError(f"{label}: missing") from error
    except OSError as error:
        raise InvalidInputError(f"{label}: cannot read ({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise InvalidInputError(f"{label}: not UTF-8 text") from error
    try:
        return json.loads(text, object_pairs_hook=_pairs)
    except (json.JSONDecodeError, RecursionError, ValueError) as error:
        raise InvalidInputError(f"{label}: not valid JSON ({error})") from error


def _read_case(store: Store, folder: Path, name: str) -> case_format.CaseDocument:
    label = f"{folder.name}/{name}"
    path = folder / name
    if not path.is_file():
        raise InvalidInputError(f"{label}: missing (named in {SCENARIO_FILE})")
    try:
        document = case_format.read_case_file(path, store=store)
    except InvalidInputError as error:
        raise InvalidInputError(f"{label}: {error.message}") from error
    if not document.case.training:
        raise InvalidInputError(f"{label}: case.training: a training case says true")
    return document


def _check_pristine(case: Case, label: str) -> None:
    """The scenario's case is the trainee's starting point: nothing assessed or decided."""
    if case.status not in (CaseStatus.DRAFT, CaseStatus.IN_REVIEW):
        raise InvalidInputError(f"{label}: case.status: a scenario case starts in draft or "
                                f"in review, not {case.status.value}")
    for index, item in enumerate(case.items):
        if item.assessment.status is not AssessmentStatus.UNASSESSED:
            raise InvalidInputError(f"{label}: items[{index}].assessment: the scenario case "
                                    "is given unassessed (the model answer is in "
                                    f"{SCENARIO_FILE})")
    if case.factors:
        raise InvalidInputError(f"{label}: factors: the scenario case has no findings yet")
    if case.flags_acknowledged_by is not None:
        raise InvalidInputError(f"{label}: case.flags_acknowledged_by: the trainee "
                                "acknowledges the destination flags")
    if not case.items:
        raise InvalidInputError(f"{label}: items: a scenario case has items to assess")


def _check_answer(store: Store, answer: ModelAnswer, case: Case, label: str) -> None:
    """The model answer covers exactly the case's lines, with entries of its edition."""
    lines = [item.line for item in case.items]
    answered = [item.line for item in answer.items]
    for index, line in enumerate(answered):
        if line not in lines:
            raise InvalidInputError(f"{label}: model_answer.items[{index}].line: the case has "
                                    f"no line {line}")
        if line in answered[:index]:
            raise InvalidInputError(f"{label}: model_answer.items[{index}].line: line {line} "
                                    "is answered twice")
    unanswered = [str(line) for line in lines if line not in answered]
    if unanswered:
        raise InvalidInputError(f"{label}: model_answer.items: no answer for line(s) "
                                f"{', '.join(unanswered)}")
    service = CaseService(store)
    facilities = False
    for index, item_answer in enumerate(answer.items):
        where = f"model_answer.items[{index}]"
        for number, accepted in enumerate(item_answer.accepted):
            path = where if number == 0 else f"{where}.alternatives[{number - 1}]"
            for position, code in enumerate(accepted.entries):
                entry = control_lists.get_entry(store.connection, case.edition_id, code)
                if entry is None:
                    raise InvalidInputError(f"{label}: {path}.entries[{position}]: {code} is "
                                            f"not an entry of edition {case.edition_id}")
                if entry.kind.value != "entry":
                    raise InvalidInputError(f"{label}: {path}.entries[{position}]: {code} is a "
                                            f"{entry.kind.value}, not an entry")
                facilities = facilities or is_category_i_production_facility(code)
        if item_answer.status is AssessmentStatus.CONTROLLED:
            item = case.item(item_answer.line)
            assert item is not None
            probe = replace(item, assessment=replace(
                item.assessment, status=AssessmentStatus.CONTROLLED,
                entry_codes=item_answer.entries, category=item_answer.category.value))
            derived = service.item_category(case, probe)
            if derived is not item_answer.category:
                raise InvalidInputError(
                    f"{label}: {where}.category: the entries "
                    f"{', '.join(item_answer.entries)} give Category "
                    f"{derived.value if derived else 'none'}, not {item_answer.category.value}")
    if facilities and any(outcome.is_approval for outcome in answer.outcome.accepted):
        raise InvalidInputError(f"{label}: model_answer.outcome: transfers of Category I "
                                "production facilities are never approved")


def read_scenario(folder: Path, *, store: Store) -> Scenario:
    """Read and check one scenario folder against ``store``; raise InvalidInputError."""
    folder = Path(folder)
    label = f"{folder.name}/{SCENARIO_FILE}"
    try:
        parsed = _parse_scenario(_read_json(folder / SCENARIO_FILE, label))
    except _Refusal as refusal:
        raise InvalidInputError(f"{label}: {refusal}") from None
    document = _read_case(store, folder, parsed.case_file)
    case = document.case
    _check_pristine(case, f"{folder.name}/{parsed.case_file}")
    supporting: list[SupportingCase] = []
    supporting_cases: list[Case] = []
    for entry in parsed.supporting:
        support = _read_case(store, folder, entry.file).case
        if support.status is not CaseStatus.DECIDED:
            raise InvalidInputError(f"{folder.name}/{entry.file}: case.status: a supporting "
                                    f"case is decided (found {support.status.value})")
        if support.edition_id != case.edition_id:
            raise InvalidInputError(f"{folder.name}/{entry.file}: case.edition.id: a "
                                    "supporting case pins the edition of the scenario's case "
                                    f"({case.edition_id})")
        supporting.append(SupportingCase(file=entry.file, role=entry.role,
                                         purpose=entry.purpose, reference=support.reference))
        supporting_cases.append(support)
    originals = [s for s in supporting if s.role is SupportingRole.ORIGINAL]
    if case.amends is not None:
        if [s.reference for s in originals] != [case.amends]:
            raise InvalidInputError(f"{label}: supporting_cases: the case amends "
                                    f"{case.amends}; ship that decided case once, with role "
                                    "'original'")
        original = supporting_cases[supporting.index(originals[0])]
        if case.version != original.version + 1:
            raise InvalidInputError(f"{folder.name}/{parsed.case_file}: case.version: an "
                                    f"amendment of version {original.version} is version "
                                    f"{original.version + 1}")
    elif originals:
        raise InvalidInputError(f"{label}: supporting_cases: an 'original' ships only with a "
                                "case that amends it (case.amends)")
    if "amendment" in parsed.topics and case.amends is None:
        raise InvalidInputError(f"{label}: topics: an amendment scenario's case amends a case")
    if "precedent" in parsed.topics and not any(
            s.role is SupportingRole.PRECEDENT for s in supporting):
        raise InvalidInputError(f"{label}: supporting_cases: a precedent scenario ships the "
                                "precedent case")
    _check_answer(store, parsed.answer, case, label)
    return Scenario(
        id=parsed.id, title=parsed.title, difficulty=parsed.difficulty, topics=parsed.topics,
        briefing=parsed.briefing, objectives=parsed.objectives, case_file=parsed.case_file,
        case=case, edition_title=document.edition_title, answer=parsed.answer,
        supporting=tuple(supporting), supporting_cases=tuple(supporting_cases),
        folder=folder.name)


def load_library(store: Store, folder: Path | None = None) -> tuple[Scenario, ...]:
    """Read and check every scenario of a library (default: shipped), in folder order."""
    folder = folder or training_data_dir()
    folders = scenario_folders(folder)
    if not folders:
        raise InvalidInputError(f"No training scenarios in {folder / 'scenarios'}")
    scenarios: list[Scenario] = []
    for path in folders:
        scenario = read_scenario(path, store=store)
        for other in scenarios:
            if other.id == scenario.id:
                raise InvalidInputError(f"{path.name}/{SCENARIO_FILE}: id: {scenario.id} is "
                                        f"also the id of {other.folder}")
        scenarios.append(scenario)
    return tuple(scenarios)


# --- using a scenario ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedScenario:
    """Where a scenario's cases went in a training database."""

    scenario_id: str
    #: The trainee's case.
    reference: str
    #: The supporting cases, in the order of the scenario, by their new references.
    supporting_references: tuple[str, ...] = ()


def import_scenario(store: Store, scenario: Scenario, *, actor: User,
                    also=None) -> ImportedScenario:
    """Import a scenario's supporting cases, then its case, as training cases.

    All in one transaction: the supporting cases and the scenario's case, or none of
    them (every file was checked against ``store`` when the scenario was read, and is
    checked again). References are per database: the imported amendment is not linked
    to the imported original; the import note of each case keeps the reference it had
    in its file. ``also(connection, reference)`` writes more in that transaction, with
    the scenario's own case (see ``case_format.import_cases``).
    """
    documents = [
        case_format.CaseDocument(case=support, edition_title=scenario.edition_title,
                                 source_name=f"{scenario.folder}/{entry.file}")
        for entry, support in zip(scenario.supporting, scenario.supporting_cases, strict=True)]
    documents.append(case_format.CaseDocument(
        case=scenario.case, edition_title=scenario.edition_title,
        source_name=f"{scenario.folder}/{scenario.case_file}"))
    *supporting, imported = case_format.import_cases(store, documents, actor=actor,
                                                     allow_training=True, also=also)
    return ImportedScenario(scenario_id=scenario.id, reference=imported.reference,
                            supporting_references=tuple(case.reference
                                                        for case in supporting))


def score_case(store: Store, scenario: Scenario, reference: str) -> Score:
    """Score the trainee's case ``reference`` (a training case) against the scenario."""
    service = CaseService(store)
    attempt = service.get(reference)
    if not attempt.training:
        raise InvalidInputError(f"{attempt.reference} is a live case; only training cases are "
                                "scored")
    categories = {item.line: service.item_category(attempt, item) for item in attempt.items}
    return score_attempt(scenario.answer, attempt, item_categories=categories)
