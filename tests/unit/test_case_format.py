"""The case file format: export, strict reading that names the field, all-or-nothing import."""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable

import pytest

from mtcr_desk.domain.cases import (
    AssessmentStatus,
    CaseStatus,
    Factor,
    Finding,
    Item,
    Outcome,
    Party,
    PartyRole,
)
from mtcr_desk.domain.errors import InvalidInputError, RuleViolation
from mtcr_desk.domain.users import Role
from mtcr_desk.services import case_format
from mtcr_desk.services.case_format import (
    case_document,
    export_case,
    import_case,
    parse_case_bytes,
    read_case_file,
    serialise_case,
    write_case_file,
)
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.users import add_user
from mtcr_desk.storage import audit
from tests.conftest import PROJECT_ROOT

PASSWORD = "correct horse"
DOCS = PROJECT_ROOT / "docs" / "case-format.md"


def _docs_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"## Example.*?```json\n(.*?)```", text, re.S)
    assert match, "docs/case-format.md has no example"
    return match.group(1)


EXAMPLE = json.loads(_docs_example())


def example() -> dict:
    """A fresh copy of the documented example (awaiting countersignature)."""
    return copy.deepcopy(EXAMPLE)


def decided_example() -> dict:
    document = example()
    document["case"]["status"] = "decided"
    document["decisions"][0].update(countersigned_by="m.okafor",
                                    countersigned_at="2026-01-23T11:05:19Z",
                                    countersignature="agreed")
    return document


def encode(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture
def people(store):
    admin = add_user(store, username="admin", display_name="Administrator",
                     role=Role.ADMINISTRATOR, password=PASSWORD, actor=None)
    officer = add_user(store, username="a.lindqvist", display_name="Astrid Lindqvist",
                       role=Role.OFFICER, password=PASSWORD, actor=admin)
    second = add_user(store, username="m.okafor", display_name="Mary Okafor",
                      role=Role.OFFICER, password=PASSWORD, actor=admin)
    trainer = add_user(store, username="t.rossi", display_name="Tina Rossi",
                       role=Role.TRAINER, password=PASSWORD, actor=admin)
    return {"admin": admin, "officer": officer, "second": second, "trainer": trainer}


@pytest.fixture
def decided_in_app(store, people) -> str:
    """A case taken through the application to a countersigned decision; its reference."""
    service = CaseService(store)
    officer, second = people["officer"], people["second"]
    case = service.create(
        actor=officer, applicant="Nordlicht Raumfahrttechnik GmbH", destination="BR",
        end_use="Sounding-rocket test firings", received_on="2026-02-02",
        due_on="2026-04-01", end_user_statement="EUS-2026-0117",
        parties=[Party(role=PartyRole.APPLICANT, name="Nordlicht", country="DE"),
                 Party(role=PartyRole.END_USER, name="Instituto Serra Azul",
                       address="Cachoeira Paulista", country="BR")],
        items=[Item(line=0, description="Rocket motor case", quantity=2, value=186000.0),
               Item(line=0, description="Oscilloscope", quantity=3, value=7350.5),
               Item(line=0, description="Winding resin", quantity=8, unit="drums")])
    reference = case.reference
    service.assess(reference, line=1, status=AssessmentStatus.CONTROLLED,
                   entry_codes=["3.A.3"], rationale="motor case", actor=officer)
    service.assess(reference, line=2, status=AssessmentStatus.NOT_CONTROLLED,
                   rationale="general purpose", actor=officer)
    service.assess(reference, line=3, status=AssessmentStatus.CATCH_ALL,
                   rationale="suited to winding cases", actor=officer)
    for factor in Factor:
        service.record_factor(reference, factor=factor, actor=officer,
                              finding=Finding.CONCERN if factor is Factor.C
                              else Finding.NO_CONCERN, note=f"factor {factor.value}")
    service.add_note(reference, text="Spare case confirmed by telephone", actor=officer)
    service.draft_decision(reference, actor=officer, password=PASSWORD,
                           outcome=Outcome.APPROVE_WITH_CONDITIONS, rationale="Category II",
                           conditions=["Post-shipment verification"])
    service.countersign(reference, actor=second, password=PASSWORD, agree=True)
    return reference


def snapshot(store) -> tuple:
    """Row counts of every table and the audit head: equal snapshots, unchanged database."""
    connection = store.connection
    tables = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    counts = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
              for table in tables}
    return counts, audit.head(connection)


# --- export and round trip -------------------------------------------------------------


def test_export_is_deterministic_and_round_trips(store, people, decided_in_app):
    document = export_case(store, decided_in_app)
    data = serialise_case(document)
    assert data == serialise_case(export_case(store, decided_in_app))
    assert data.endswith(b"}\n") and b"\n \"format\": \"mtcr-desk/case\"" in data
    assert document["case"]["status"] == "decided"
    assert document["items"][0]["assessment"]["entries"] == ["3.A.3"]
    assert document["items"][0]["quantity"] == 2 and isinstance(
        document["items"][0]["quantity"], int)

    parsed = parse_case_bytes(data, source_name="case.json", store=store)
    assert case_document(parsed.case, edition_title=parsed.edition_title) == document

    imported = import_case(store, parsed, actor=people["officer"])
    assert imported.reference != decided_in_app
    assert imported.status is CaseStatus.DECIDED
    assert imported.notes[-1].text == (
        f"Imported from case.json: original reference {decided_in_app}")
    assert imported.notes[-1].author == "a.lindqvist"

    again = export_case(store, imported.reference)
    assert again["notes"][:-1] == document["notes"]
    again["case"]["reference"] = document["case"]["reference"]
    again["notes"] = document["notes"]
    assert again == document
    assert audit.verify(store.connection).ok


def test_documented_example_is_canonical_and_imports(store, people):
    parsed = parse_case_bytes(_docs_example().encode("utf-8"), source_name="example.json",
                              store=store)
    # The example in the docs is exactly what export writes.
    assert serialise_case(case_document(parsed.case, edition_title=parsed.edition_title)) \
        == _docs_example().encode("utf-8")
    imported = import_case(store, parsed, actor=people["officer"])
    assert imported.reference == "MTCR-2026-0001"
    assert imported.status is CaseStatus.AWAITING_COUNTERSIGNATURE
    assert [i.assessment.status for i in imported.items] == [
        AssessmentStatus.CONTROLLED, AssessmentStatus.NOT_CONTROLLED, AssessmentStatus.CATCH_ALL]
    assert len(imported.factors) == 6 and len(imported.parties) == 3
    # The imported decision is countersigned in the application like any other.
    decided = CaseService(store).countersign(imported.reference, actor=people["second"],
                                             password=PASSWORD, agree=True)
    assert decided.status is CaseStatus.DECIDED
    assert audit.verify(store.connection).ok


def test_import_numbers_in_order_and_audits_every_row(store, people):
    parsed = parse_case_bytes(encode(decided_example()), source_name="demo.json", store=store)
    first = import_case(store, parsed, actor=people["officer"])
    seq_before, _ = audit.head(store.connection)
    second = import_case(store, parsed, actor=people["officer"])
    assert (first.reference, second.reference) == ("MTCR-2026-0001", "MTCR-2026-0002")

    rows = store.connection.execute(
        "SELECT actor, action, entity FROM audit_log WHERE seq > ?", [seq_before]).fetchall()
    assert {(actor, action) for actor, action, _ in rows} == {("a.lindqvist", "import case")}
    entities = [entity for _, _, entity in rows]
    # One row per record, plus the move of the decided case to its final status.
    assert entities.count("cases") == 2
    assert entities.count("items") == entities.count("assessments") == 3
    assert entities.count("assessment_entries") == 1
    assert entities.count("parties") == 3 and entities.count("factors") == 6
    assert entities.count("decisions") == 1 and entities.count("notes") == 2
    # The imported final decision gets the memo this database issues for it.
    assert entities.count("memo_documents") == 1
    assert len(rows) == 2 + 3 + 3 + 1 + 3 + 6 + 1 + 2 + 1
    assert audit.verify(store.connection).ok


def test_several_case_files_import_together_or_not_at_all(store, people, monkeypatch):
    parsed = parse_case_bytes(encode(decided_example()), source_name="demo.json", store=store)
    real_insert = case_format.case_import.insert_imported_case
    inserted = []

    def fails_on_the_second(connection, case, **kwargs):
        inserted.append(kwargs["reference"])
        if len(inserted) == 2:
            raise RuntimeError("power cut while writing the second case")
        return real_insert(connection, case, **kwargs)

    monkeypatch.setattr(case_format.case_import, "insert_imported_case", fails_on_the_second)
    with pytest.raises(RuntimeError, match="power cut"):
        case_format.import_cases(store, [parsed, parsed], actor=people["officer"])
    assert inserted == ["MTCR-2026-0001", "MTCR-2026-0002"]
    assert CaseService(store).list(training=None) == []  # the first one went too
    monkeypatch.undo()

    recorded = []
    both = case_format.import_cases(store, [parsed, parsed], actor=people["officer"],
                                    also=lambda connection, ref: recorded.append(ref))
    assert [case.reference for case in both] == ["MTCR-2026-0001", "MTCR-2026-0002"]
    assert recorded == ["MTCR-2026-0002"]  # ``also`` goes with the last one
    assert audit.verify(store.connection).ok


def test_imported_decided_case_is_final(store, people):
    parsed = parse_case_bytes(encode(decided_example()), source_name="demo.json", store=store)
    imported = import_case(store, parsed, actor=people["officer"])
    assert imported.decisions[0].countersigned_by == "m.okafor"
    assert imported.decisions[0].is_final
    with pytest.raises(RuleViolation, match="final"):
        CaseService(store).add_item(imported.reference, Item(line=0, description="x",
                                                             quantity=1),
                                    actor=people["officer"])


def _returned(document: dict) -> dict:
    document["case"]["status"] = "returned"
    document["decisions"][0].update(countersigned_by="m.okafor",
                                    countersigned_at="2026-01-23T11:05:19Z",
                                    countersignature="returned",
                                    return_comment="Check the resin quantity")
    return document


def _withdrawn(document: dict) -> dict:
    document["case"]["status"] = "withdrawn"
    return document


def _in_review(document: dict) -> dict:
    document["case"]["status"] = "in review"
    document["decisions"] = []
    return document


def _redrafted(document: dict) -> dict:
    returned = _returned(copy.deepcopy(document))["decisions"][0]
    document["decisions"].insert(0, returned)
    return document


@pytest.mark.parametrize("change, status", [
    (_returned, CaseStatus.RETURNED), (_withdrawn, CaseStatus.WITHDRAWN),
    (_in_review, CaseStatus.IN_REVIEW), (_redrafted, CaseStatus.AWAITING_COUNTERSIGNATURE),
], ids=["returned", "withdrawn", "in-review", "redrafted"])
def test_every_status_imports_as_in_the_file(store, people, change, status):
    parsed = parse_case_bytes(encode(change(example())), source_name="c.json", store=store)
    imported = import_case(store, parsed, actor=people["officer"])
    assert imported.status is status
    assert len(imported.decisions) == len(parsed.case.decisions)
    assert audit.verify(store.connection).ok


def test_import_into_another_database(tmp_path, template_database, store, people,
                                      decided_in_app):
    path = write_case_file(store, decided_in_app, tmp_path / "case.json")
    other_path = tmp_path / "other.sqlite"
    shutil.copyfile(template_database, other_path)
    with open_database(other_path) as other:
        admin = add_user(other, username="admin", display_name="Admin",
                         role=Role.ADMINISTRATOR, password=PASSWORD, actor=None)
        clerk = add_user(other, username="z.new", display_name="Zoe New", role=Role.OFFICER,
                         password=PASSWORD, actor=admin)
        imported = import_case(other, read_case_file(path, store=other), actor=clerk)
        assert imported.reference == "MTCR-2026-0001"
        assert imported.decisions[-1].countersigned_by == "m.okafor"
        assert audit.verify(other.connection).ok


def test_write_case_file_refuses_the_database(store, decided_in_app):
    with pytest.raises(InvalidInputError, match="open database"):
        write_case_file(store, decided_in_app, store.path)


# --- refused input names the field ----------------------------------------------------


def _set(path: str, value) -> Callable[[dict], dict]:
    """Return a change that sets ``value`` at a dotted path (``items.2.quantity``)."""
    def change(document: dict) -> dict:
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value
        return document
    return change


def _delete(path: str) -> Callable[[dict], dict]:
    def change(document: dict) -> dict:
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]
        return document
    return change


def _nest(depth: int):
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def _self_countersigned(document: dict) -> dict:
    document = decided_example()
    document["decisions"][0]["countersigned_by"] = "a.lindqvist"
    return document


def _unsigned_decided(document: dict) -> dict:
    document["case"]["status"] = "decided"
    return document


def _missing_factor(document: dict) -> dict:
    document["factors"].pop()
    return document


def _duplicate_factor(document: dict) -> dict:
    document["factors"][1]["factor"] = "a"
    return document


def _too_many_items(document: dict) -> dict:
    item = document["items"][1]
    document["items"] = [dict(item, line=line) for line in range(1, 2_002)]
    return document


def _earlier_decision_agreed(document: dict) -> dict:
    document = decided_example()
    document["decisions"].append(copy.deepcopy(example()["decisions"][0]))
    document["case"]["status"] = "awaiting countersignature"
    return document


BAD_DOCUMENTS = [
    ("unknown-key-top", _set("colour", "red"), "unknown field 'colour'"),
    ("unknown-key-item", _set("items.1.colour", "red"), "items[1]: unknown field 'colour'"),
    ("unknown-key-assessment", _set("items.0.assessment.score", 3),
     "items[0].assessment: unknown field 'score'"),
    ("missing-key", _delete("case.applicant"), "case.applicant: missing"),
    ("wrong-type-quantity", _set("items.0.quantity", "2"),
     "items[0].quantity: expected a whole number or a number, got text"),
    ("bool-quantity", _set("items.0.quantity", True), "items[0].quantity: expected"),
    ("wrong-type-parties", _set("parties", {"role": "consignee"}),
     "parties: expected a list, got an object"),
    ("wrong-type-training", _set("case.training", "yes"), "case.training: expected true/false"
     .replace("true/false", "true or false")),
    ("negative-quantity", _set("items.2.quantity", -1),
     "items[2].quantity: must be a positive number"),
    ("zero-quantity", _set("items.1.quantity", 0), "items[1].quantity: must be a positive"),
    ("negative-value", _set("items.0.value", -5), "items[0].value: must be a number of zero"),
    ("bad-currency", _set("items.0.currency", "eur"), "items[0].currency: a three-letter"),
    ("empty-description", _set("items.1.description", "  "),
     "items[1].description: must not be empty"),
    ("unknown-entry-code", _set("items.0.assessment.entries", ["3.A.3", "9.A.99"]),
     "items[0].assessment.entries[1]: 9.A.99 is not an entry of edition mtcr-2024-structure"),
    ("section-not-entry", _set("items.0.assessment.entries", ["3.A"]),
     "items[0].assessment.entries[0]: 3.A is a section, not an entry"),
    ("duplicate-entry", _set("items.0.assessment.entries", ["3.A.3", "3.A.3"]),
     "items[0].assessment.entries[1]: 3.A.3 is listed twice"),
    ("controlled-without-entries", _set("items.0.assessment.entries", []),
     "items[0].assessment.entries: a controlled item needs at least one entry"),
    ("entries-when-not-controlled", _set("items.1.assessment.entries", ["3.A.3"]),
     "items[1].assessment.entries: an item assessed as not controlled lists no entries"),
    ("category-with-mtcr-edition", _set("items.0.assessment.category", "II"),
     "items[0].assessment.category: edition mtcr-2024-structure gives the MTCR category"),
    ("bad-assessment-status", _set("items.2.assessment.status", "maybe"),
     "items[2].assessment.status: 'maybe' is not one of"),
    ("unknown-edition", _set("case.edition.id", "mtcr-2031"),
     "case.edition.id: edition mtcr-2031 is not loaded"),
    ("other-edition-title", _set("case.edition.title", "Some other list"),
     "case.edition.title: 'Some other list' is not the title"),
    ("duplicate-line", _set("items.1.line", 1), "items[1].line: line 1 is given twice"),
    ("line-zero", _set("items.0.line", 0), "items[0].line: expected a whole number from 1"),
    ("bad-date", _set("case.received_on", "2026-02-30"), "case.received_on: 2026-02-30 is not"),
    ("date-format", _set("case.received_on", "12/01/2026"),
     "case.received_on: expected a date YYYY-MM-DD"),
    ("due-before-received", _set("case.due_on", "2025-12-31"),
     "case.due_on: the due date is before the date received"),
    ("bad-time", _set("notes.0.created_at", "yesterday"),
     "notes[0].created_at: expected a UTC time"),
    ("unknown-country", _set("case.destination", "XX"),
     "case.destination: XX is not an ISO 3166 country code"),
    ("party-country-format", _set("parties.1.country", "Brazil"), "parties[1].country: "),
    ("party-unknown-country", _set("parties.2.country", "QQ"),
     "parties[2].country: QQ is not an ISO 3166 country code"),
    ("bad-party-role", _set("parties.1.role", "broker"), "parties[1].role: 'broker' is not"),
    ("oversize-note", _set("notes.0.text", "x" * 20_001),
     "notes[0].text: too long (20,001 characters, at most 20,000)"),
    ("oversize-end-use", _set("case.end_use", "é" * 20_001), "case.end_use: too long"),
    ("oversize-applicant", _set("case.applicant", "A" * 501), "case.applicant: too long"),
    ("too-many-items", _too_many_items, "items: too many (2001, at most 2,000)"),
    ("nested-value", _set("case.end_use", _nest(200)), "case.end_use: expected text, got a list"),
    ("control-character", _set("case.applicant", "Nord\x07licht"),
     "case.applicant: contains a control character"),
    ("not-finite", _set("items.0.value", float("nan")), "items[0].value: must be a finite"),
    ("bad-reference", _set("case.reference", "CASE-42"), "case.reference: expected MTCR-YYYY"),
    ("duplicate-factor", _duplicate_factor, "factors[1].factor: factor a is given twice"),
    ("bad-finding", _set("factors.0.finding", "fine"), "factors[0].finding: 'fine' is not"),
    ("missing-factor", _missing_factor, "factors: a case awaiting countersignature records all "
                                        "six factors (missing: f)"),
    ("bad-outcome", _set("decisions.0.outcome", "maybe"), "decisions[0].outcome: 'maybe'"),
    ("condition-not-text", _set("decisions.0.conditions", [7]),
     "decisions[0].conditions[0]: expected text, got a whole number"),
    ("conditions-on-plain-approval", _set("decisions.0.outcome", "approve"),
     "decisions[0].conditions: a decision to approve carries no conditions"),
    ("display-name-as-signature", _set("decisions.0.drafted_by", "Astrid Lindqvist"),
     "decisions[0].drafted_by: 'Astrid Lindqvist' is not a plain username"),
    ("decided-without-countersignature", _unsigned_decided,
     "decisions[0].countersignature: a decided case needs its latest decision agreed"),
    ("self-countersigned", _self_countersigned,
     "decisions[0].countersigned_by: a.lindqvist drafted the decision; the countersigner is "
     "never the drafter"),
    ("half-countersignature", _set("decisions.0.countersignature", "agreed"),
     "decisions[0].countersigned_by: missing"),
    ("earlier-decision-agreed", _earlier_decision_agreed,
     "decisions[0].countersignature: only the latest decision can be other than returned"),
    ("in-review-with-decision", _set("case.status", "in review"),
     "case.status: a case in review carries no decision"),
    ("unassessed-but-drafted", _set("items.2.assessment", {"status": "unassessed"}),
     "items[2].assessment.status: a case awaiting countersignature has every item assessed"),
    ("bad-status", _set("case.status", "closed"), "case.status: 'closed' is not one of"),
    ("wrong-format", _set("format", "mtcr-desk/edition"), "format: expected 'mtcr-desk/case'"),
    ("newer-version", _set("format_version", 2), "format_version: case format version 2 is "
                                                 "newer"),
]


@pytest.mark.parametrize("change, expected", [(c, e) for _, c, e in BAD_DOCUMENTS],
                         ids=[name for name, _, _ in BAD_DOCUMENTS])
def test_bad_document_is_refused_naming_the_field(store, people, change, expected):
    data = json.dumps(change(example()), ensure_ascii=False).encode("utf-8")
    before = snapshot(store)
    with pytest.raises(InvalidInputError) as raised:
        parsed = parse_case_bytes(data, source_name="bad.json", store=store)
        import_case(store, parsed, actor=people["officer"])
    assert expected in str(raised.value)
    assert snapshot(store) == before


def _duplicate_key(data: bytes) -> bytes:
    return data.replace(b'"applicant": ', b'"applicant": "Someone else", "applicant": ', 1)


BAD_BYTES = [
    ("not-json", lambda data: data[:-20], "bad.json: not valid JSON (line"),
    ("not-utf8", lambda data: data.replace("ß".encode(), "ß".encode("latin-1")),
     "bad.json: not UTF-8 text"),
    ("deep-nesting", lambda data: b"[" * 100_000 + b"]" * 100_000,
     "bad.json: JSON nested too deeply"),
    ("too-large", lambda data: data + b" " * (10 * 1024 * 1024),
     "bad.json: file too large"),
    ("top-level-list", lambda data: b"[" + data + b"]",
     "bad.json: expected a JSON object at the top level"),
    ("duplicate-key", _duplicate_key, "case.applicant: the key is given more than once"),
    ("lone-surrogate", lambda data: data.replace(b'"Nordlicht Raumfahrttechnik GmbH"',
                                                 b'"Nordlicht \\ud800"', 1),
     "case.applicant: contains an invalid character"),
    ("huge-integer", lambda data: data.replace(b'"quantity": 2,', b'"quantity": '
                                               + b"9" * 5000 + b",", 1),
     "bad.json: not valid JSON"),
    ("empty", lambda data: b"", "bad.json: not valid JSON"),
]


@pytest.mark.parametrize("change, expected", [(c, e) for _, c, e in BAD_BYTES],
                         ids=[name for name, _, _ in BAD_BYTES])
def test_bad_bytes_are_refused(store, change, expected):
    data = change(_docs_example().encode("utf-8"))
    with pytest.raises(InvalidInputError) as raised:
        parse_case_bytes(data, source_name="bad.json", store=store)
    assert expected in str(raised.value)


def test_structure_is_checked_without_a_database():
    # No store: everything but the references into a database is still checked.
    parse_case_bytes(encode(example()), source_name="ok.json")
    with pytest.raises(InvalidInputError, match=r"items\[2\]\.quantity"):
        parse_case_bytes(encode(_set("items.2.quantity", -1)(example())), source_name="x")


# --- all or nothing --------------------------------------------------------------------


def test_failure_while_writing_leaves_the_database_unchanged(store, people, monkeypatch):
    parsed = parse_case_bytes(encode(decided_example()), source_name="demo.json", store=store)
    before = snapshot(store)
    real_insert = case_format.case_import.audit.insert

    def failing_insert(connection, table, values, **kwargs):
        if table == "notes":  # late in the import: the case and most rows are written
            raise RuntimeError("disk on fire")
        return real_insert(connection, table, values, **kwargs)

    monkeypatch.setattr(case_format.case_import.audit, "insert", failing_insert)
    with pytest.raises(RuntimeError):
        import_case(store, parsed, actor=people["officer"])
    monkeypatch.undo()
    assert snapshot(store) == before
    assert audit.verify(store.connection).ok
    # The reference was not used up.
    assert import_case(store, parsed, actor=people["officer"]).reference == "MTCR-2026-0001"


def test_refused_import_leaves_the_database_unchanged(store, people):
    document = decided_example()
    document["items"][2]["assessment"]["status"] = "controlled"
    document["items"][2]["assessment"]["entries"] = ["3.A.8", "99.Z.1"]
    before = snapshot(store)
    with pytest.raises(InvalidInputError, match=r"items\[2\]\.assessment\.entries\[1\]"):
        parsed = parse_case_bytes(encode(document), source_name="bad.json")  # no store
        import_case(store, parsed, actor=people["officer"])  # checks the database itself
    assert snapshot(store) == before


# --- who imports what ------------------------------------------------------------------


def test_training_case_refused_by_a_live_import(store, people):
    document = example()
    document["case"]["training"] = True
    parsed = parse_case_bytes(encode(document), source_name="lesson-1.json", store=store)
    before = snapshot(store)
    with pytest.raises(RuleViolation, match="lesson-1.json: MTCR-2026-0042 is a training case; "
                                            "it can only be imported into a training database"):
        import_case(store, parsed, actor=people["trainer"])
    assert snapshot(store) == before
    imported = import_case(store, parsed, actor=people["trainer"], allow_training=True)
    assert imported.training
    assert export_case(store, imported.reference)["case"]["training"] is True


def test_administrator_does_not_import_cases(store, people):
    parsed = parse_case_bytes(encode(example()), source_name="c.json", store=store)
    with pytest.raises(RuleViolation, match="officers and trainers import cases"):
        import_case(store, parsed, actor=people["admin"])


def test_export_unknown_case(store):
    from mtcr_desk.domain.errors import NotFoundError

    with pytest.raises(NotFoundError, match="No case MTCR-2026-9999"):
        export_case(store, "mtcr-2026-9999")
