"""The shipped training scenario library: it loads, imports, covers the syllabus, and is strict."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from mtcr_desk.domain.cases import AssessmentStatus, CaseStatus, Factor, Outcome
from mtcr_desk.domain.errors import InvalidInputError, RuleViolation
from mtcr_desk.domain.rules import check_draft
from mtcr_desk.domain.training import Difficulty, SupportingRole, model_attempt, score_attempt
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services import case_format, reference_data
from mtcr_desk.services import training_scenarios as library
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.precedents import find_precedents
from mtcr_desk.storage import control_lists
from tests.conftest import PASSWORDS

TRAINING_FOLDER = Path(__file__).resolve().parents[2] / "database" / "training"


@pytest.fixture
def scenarios(store):
    return library.load_library(store)


def _by_topic(scenarios, topic):
    return [scenario for scenario in scenarios if topic in scenario.topics]


def test_the_shipped_library_is_found_and_documented():
    assert library.training_data_dir().resolve() == TRAINING_FOLDER.resolve()
    readme = (TRAINING_FOLDER / "README.md").read_text(encoding="utf-8")
    assert "fictional" in readme.lower()
    for folder in library.scenario_folders():
        assert f"`{folder.name}`" in readme, folder.name


def test_every_scenario_loads_and_the_syllabus_is_covered(scenarios):
    assert len(scenarios) >= 15
    assert len({s.id for s in scenarios}) == len(scenarios)
    topics = {topic for scenario in scenarios for topic in scenario.topics}
    missing = [topic for topic in library.REQUIRED_TOPICS if topic not in topics]
    assert missing == []
    assert {s.difficulty for s in scenarios} == set(Difficulty)
    for scenario in scenarios:
        assert scenario.case.training
        assert scenario.briefing and scenario.objectives and scenario.title


def test_the_coverage_means_what_the_topics_say(scenarios):
    service_categories = {"category-i-system": "1.A.", "category-i-subsystem": "2.",
                          "production-facility": "2.B.", "un-measures": None}
    for topic, prefix in service_categories.items():
        found = _by_topic(scenarios, topic)
        assert found, topic
        if prefix:
            assert any(code.startswith(prefix) for s in found for a in s.answer.items
                       for code in a.entries), topic
    facility = _by_topic(scenarios, "production-facility")[0]
    assert facility.answer.outcome.accepted == (Outcome.DENY,)
    assert any(s.case.destination == "KP" for s in _by_topic(scenarios, "un-measures"))
    assert any(a.status is AssessmentStatus.CATCH_ALL
               for s in _by_topic(scenarios, "catch-all") for a in s.answer.items)
    below = _by_topic(scenarios, "below-threshold")
    assert any(all(a.status is AssessmentStatus.NOT_CONTROLLED for a in s.answer.items)
               for s in below)
    assert any(p.role == "intermediate consignee"
               for s in _by_topic(scenarios, "transshipment") for p in s.case.parties)
    assurances = _by_topic(scenarios, "partner-assurances")
    assert any(len(s.case.assurances) == 3 and s.answer.outcome.outcome.is_approval
               for s in assurances)
    sections = {code.split(".")[1] for s in scenarios for a in s.answer.items
                for code in a.entries if a.category and a.category.value == "II"}
    assert sections >= {"A", "C", "D", "E"}


def test_every_model_answer_code_is_an_entry_of_the_pinned_edition(store, scenarios):
    for scenario in scenarios:
        for answer in scenario.answer.items:
            for accepted in answer.accepted:
                for code in accepted.entries:
                    entry = control_lists.get_entry(store.connection,
                                                    scenario.case.edition_id, code)
                    assert entry is not None and entry.kind.value == "entry", (scenario.id,
                                                                               code)


def test_every_model_answer_meets_the_mtcr_rules_and_scores_full_marks(store, scenarios):
    service = CaseService(store)
    drafter = User(username="model.answer", display_name="Model", role=Role.OFFICER)
    for scenario in scenarios:
        answered = model_attempt(scenario.answer, scenario.case)
        before = replace(answered, status=CaseStatus.IN_REVIEW, decisions=())
        failures = check_draft(
            before, answered.decisions[0], category=service.category(answered),
            destination=reference_data.destination_flags(store, answered.destination),
            drafter=drafter)
        assert failures == [], (scenario.id, failures)
        categories = {item.line: service.item_category(answered, item)
                      for item in answered.items}
        score = score_attempt(scenario.answer, answered, item_categories=categories)
        assert score.percentage == 100.0, scenario.id
        for answer in scenario.answer.items:
            item = answered.item(answer.line)
            assert service.item_category(answered, item) is answer.category, (scenario.id,
                                                                                answer.line)


def test_scenario_case_files_are_canonical_and_pristine():
    for folder in library.scenario_folders():
        for path in sorted(folder.glob("*.json")):
            if path.name == library.SCENARIO_FILE:
                continue
            data = path.read_bytes()
            document = case_format.parse_case_bytes(data, source_name=path.name)
            assert document.case.training, path
            assert case_format.serialise_case(json.loads(data)) == data, path
        scenario = json.loads((folder / library.SCENARIO_FILE).read_text(encoding="utf-8"))
        case = json.loads((folder / scenario["case_file"]).read_text(encoding="utf-8"))
        assert not case.get("factors") and not case.get("decisions")
        assert all(item["assessment"]["status"] == "unassessed" for item in case["items"])


def test_every_scenario_imports_into_a_training_database(store, people, scenarios):
    service = CaseService(store)
    for scenario in scenarios:
        imported = library.import_scenario(store, scenario, actor=people["tina"])
        case = service.get(imported.reference)
        assert case.training and case.status is scenario.case.status
        assert [item.line for item in case.items] == [a.line for a in scenario.answer.items]
        assert all(item.assessment.status is AssessmentStatus.UNASSESSED for item in case.items)
        assert len(imported.supporting_references) == len(scenario.supporting)
        for reference in imported.supporting_references:
            support = service.get(reference)
            assert support.training and support.status is CaseStatus.DECIDED
    assert len(service.list(training=True)) == len(scenarios) + sum(
        len(s.supporting) for s in scenarios)
    assert service.list(training=False) == []


def test_a_live_import_of_a_scenario_case_is_refused(store, people, scenarios):
    scenario = scenarios[0]
    document = case_format.CaseDocument(case=scenario.case, edition_title=scenario.edition_title,
                                        source_name="case.json")
    with pytest.raises(RuleViolation, match="training case"):
        case_format.import_case(store, document, actor=people["olga"])


def test_the_amendment_scenario_ships_the_decided_original(scenarios):
    (scenario,) = [s for s in scenarios if "amendment" in s.topics]
    (original,) = [case for entry, case in zip(scenario.supporting, scenario.supporting_cases,
                                               strict=True)
                   if entry.role is SupportingRole.ORIGINAL]
    assert scenario.case.amends == original.reference
    assert scenario.case.version == original.version + 1
    assert original.status is CaseStatus.DECIDED
    # The unchanged line is answered as the original assessed it.
    assert scenario.answer.item(1).entries == original.items[0].assessment.entry_codes


def test_the_precedent_scenario_offers_its_precedent_after_import(store, people, scenarios):
    (scenario,) = [s for s in scenarios if s.id == "T14"]
    imported = library.import_scenario(store, scenario, actor=people["tina"])
    (precedent_reference,) = imported.supporting_references
    found = find_precedents(store, imported.reference, line=1)
    assert found[0].case_reference == precedent_reference and found[0].part_number_match
    assert found[0].applicable
    assert list(found[0].entry_codes) == list(scenario.answer.item(1).entries)
    assert scenario.answer.item(2).status is AssessmentStatus.NOT_CONTROLLED


def test_a_trainee_working_through_the_services_is_scored(store, people, scenarios):
    """The scenario worked in the application: right on line 1, half right on line 2."""
    (scenario,) = [s for s in scenarios if s.id == "T04"]
    imported = library.import_scenario(store, scenario, actor=people["tina"])
    service, olga = CaseService(store), people["olga"]
    reference = imported.reference
    service.assess(reference, line=1, status=AssessmentStatus.CONTROLLED, entry_codes=["3A1a"],
                   rationale="Thrust 1,250 N above 400 N; SFC 0.125, at most 0.15.", actor=olga)
    service.assess(reference, line=2, status=AssessmentStatus.CATCH_ALL,
                   rationale="Goes with the engines.", actor=olga)
    for answer in scenario.answer.factors:
        service.record_factor(reference, factor=answer.factor, finding=answer.finding,
                              note="", actor=olga)
    service.draft_decision(reference, actor=olga, password=PASSWORDS["olga"],
                           outcome=Outcome.APPROVE_WITH_CONDITIONS,
                           rationale="Category II engines for a partner.",
                           conditions=["No re-export without consent.",
                                       "Used only in the target drones."])
    score = library.score_case(store, scenario, reference)
    assert score.line("line 1 classification").earned == 3
    assert score.line("line 2 status").earned == 0
    assert "ground equipment that no entry of the Annex lists" in \
        score.line("line 2 status").explanation
    assert score.line("outcome").earned == 6
    assert score.earned == score.possible - 5 - 2  # line 2, and its rationale point
    assert 0 < score.percentage < 100


# --- refusals -----------------------------------------------------------------------------


@pytest.fixture
def library_copy(tmp_path):
    target = tmp_path / "training"
    shutil.copytree(TRAINING_FOLDER, target)
    return target


def _edit(folder: Path, name: str, change) -> None:
    path = folder / name
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def _first(library_copy: Path) -> Path:
    return library.scenario_folders(library_copy)[0]


def test_an_unknown_key_is_refused_with_its_path(store, library_copy):
    folder = _first(library_copy)
    _edit(folder, "scenario.json",
          lambda d: d["model_answer"]["items"][0].update({"weight": 3}))
    expected = rf"^{folder.name}/scenario\.json: model_answer\.items\[0\]: unknown field 'weight'"
    with pytest.raises(InvalidInputError, match=expected):
        library.load_library(store, library_copy)


def test_an_unknown_code_is_refused_with_its_path(store, library_copy):
    folder = _first(library_copy)
    _edit(folder, "scenario.json",
          lambda d: d["model_answer"]["items"][0].update({"entries": ["9.A.99"]}))
    with pytest.raises(InvalidInputError, match=r"model_answer\.items\[0\]\.entries\[0\]: "
                                                r"9\.A\.99 is not an entry of edition "
                                                r"mtcr-2024-structure"):
        library.load_library(store, library_copy)


def test_an_unknown_alternative_code_is_refused(store, library_copy):
    folder = _first(library_copy)
    _edit(folder, "scenario.json", lambda d: d["model_answer"]["items"][0].update(
        {"alternatives": [{"status": "controlled", "entries": ["2.A"]}]}))
    with pytest.raises(InvalidInputError, match=r"items\[0\]\.alternatives\[0\]\.entries\[0\]: "
                                                r"2\.A is a section, not an entry"):
        library.load_library(store, library_copy)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update({"topics": ["category-iii"]}), r"topics\[0\]: 'category-iii' is not"),
    (lambda d: d.update({"difficulty": "easy"}), r"difficulty: 'easy' is not one of"),
    (lambda d: d["model_answer"]["factors"].pop(), r"model_answer\.factors: give all six"),
    (lambda d: d["model_answer"]["items"][0].update({"category": "II"}),
     r"model_answer\.items\[0\]\.category: the entries 1\.A\.1 give Category I, not II"),
    (lambda d: d["model_answer"]["items"].pop(), r"model_answer\.items: no answer for line"),
    (lambda d: d["model_answer"]["outcome"].update({"outcome": "maybe"}),
     r"model_answer\.outcome\.outcome: 'maybe' is not one of"),
    (lambda d: d["model_answer"]["factors"][0].update({"finding": 2}),
     r"model_answer\.factors\[0\]\.finding: expected text"),
    (lambda d: d.update({"case_file": "../other.json"}), r"case_file: a \.json file name"),
])
def test_broken_scenario_files_are_refused_naming_the_field(store, library_copy, change,
                                                            message):
    folder = _first(library_copy)
    _edit(folder, "scenario.json", change)
    with pytest.raises(InvalidInputError, match=message):
        library.load_library(store, library_copy)


def test_an_assessed_scenario_case_is_refused(store, library_copy):
    folder = _first(library_copy)

    def assess(document):
        document["items"][0]["assessment"] = {
            "status": "controlled", "entries": ["1.A.1"], "rationale": "given away",
            "assessed_by": "tina.trainer", "assessed_at": "2026-02-02T10:00:00Z"}

    _edit(folder, "case.json", assess)
    with pytest.raises(InvalidInputError, match=rf"{folder.name}/case\.json: "
                                                r"items\[0\]\.assessment: .* unassessed"):
        library.load_library(store, library_copy)


def test_a_broken_case_file_is_refused_naming_file_and_field(store, library_copy):
    folder = _first(library_copy)
    _edit(folder, "case.json", lambda d: d["items"][0].update({"colour": "red"}))
    with pytest.raises(InvalidInputError, match=rf"{folder.name}/case\.json: items\[0\]: "
                                                r"unknown field 'colour'"):
        library.load_library(store, library_copy)


def test_a_live_scenario_case_is_refused(store, library_copy):
    folder = _first(library_copy)
    _edit(folder, "case.json", lambda d: d["case"].update({"training": False}))
    with pytest.raises(InvalidInputError, match=r"case\.training"):
        library.load_library(store, library_copy)


def test_an_amendment_without_its_original_is_refused(store, library_copy):
    (folder,) = [f for f in library.scenario_folders(library_copy) if "amendment" in f.name]
    _edit(folder, "scenario.json", lambda d: d.update({"supporting_cases": []}))
    with pytest.raises(InvalidInputError, match=r"supporting_cases: the case amends"):
        library.load_library(store, library_copy)


def test_a_production_facility_approval_is_refused(store, library_copy):
    (folder,) = [f for f in library.scenario_folders(library_copy)
                 if "production-facility" in f.name]
    _edit(folder, "scenario.json", lambda d: d["model_answer"]["outcome"].update(
        {"alternatives": ["approve"]}))
    with pytest.raises(InvalidInputError, match=r"production facilities are never approved"):
        library.load_library(store, library_copy)


def test_two_scenarios_with_one_id_are_refused(store, library_copy):
    folders = library.scenario_folders(library_copy)
    _edit(folders[1], "scenario.json", lambda d: d.update({"id": "T01"}))
    with pytest.raises(InvalidInputError, match=r"id: T01 is also the id of"):
        library.load_library(store, library_copy)


def test_every_factor_of_every_answer_is_explained(scenarios):
    for scenario in scenarios:
        assert {a.factor for a in scenario.answer.factors} == set(Factor)
        assert all(a.reasoning.strip() for a in scenario.answer.factors)
        assert all(a.reasoning.strip() for a in scenario.answer.items)
