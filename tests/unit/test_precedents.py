"""Precedents: finding earlier assessments of similar items, and applying one."""

from __future__ import annotations

import pytest

from mtcr_desk.domain.cases import AssessmentStatus, Item
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, RuleViolation
from mtcr_desk.domain.users import Role
from mtcr_desk.services import precedents, users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.precedents import apply_precedent, find_precedents
from mtcr_desk.storage import audit
from tests.conftest import edition_document, edition_node, open_with_editions

STRUCTURE = "mtcr-2024-structure"
EU = "eu-2021-821-2025-11"
GYRO = "Rate-integrating gyroscope for inertial navigation"


def make_users(store):
    admin = users.add_user(store, username="admin", display_name="Admin",
                           role=Role.ADMINISTRATOR, password="admin-password", actor=None)
    officer = users.add_user(store, username="olga", display_name="Olga Officer",
                             role=Role.OFFICER, password="olga-password", actor=admin)
    trainer = users.add_user(store, username="tom", display_name="Tom Trainer",
                             role=Role.TRAINER, password="tom-password", actor=admin)
    return officer, trainer


def item(description, manufacturer="", part_number=""):
    return Item(line=0, description=description, quantity=1, manufacturer=manufacturer,
                part_number=part_number)


def open_case(service, actor, items, *, edition=STRUCTURE, training=False):
    return service.create(actor=actor, applicant="Applicant Ltd", destination="FR",
                          end_use="test", received_on="2026-03-01", edition_id=edition,
                          items=items, training=training)


@pytest.fixture
def desk(store):
    """A target case and earlier cases whose assessments may serve as precedents."""
    officer, trainer = make_users(store)
    service = CaseService(store)
    target = open_case(service, officer, [
        item(GYRO, "Honeywell Inc.", "GG-1320"),
        item(GYRO, "Honeywell", "GG1320"),  # same case: never its own precedent
    ])
    service.assess(target.reference, line=2, status=AssessmentStatus.CONTROLLED,
                   entry_codes=["9.A.1"], rationale="own line", actor=officer)
    earlier = open_case(service, officer, [
        item("Fibre optic sensor", "Other Corp", "gg 1320"),              # part number
        item("Rate integrating gyroscope", "Honeywell", "X-1"),          # 3/5 words + maker
        item("Gyroscope housing", "Acme"),                               # 1/6 words
        item(GYRO, "Honeywell"),                                         # unassessed
        item("Garden hose", "Acme"),                                     # nothing in common
        item("Rate integrating gyroscope mount", "Honeywell", "M-2"),    # Category I entry
    ])
    ref = earlier.reference
    service.assess(ref, line=1, status=AssessmentStatus.CONTROLLED, entry_codes=["9.A.1"],
                   rationale="sensor of a guidance set", actor=officer)
    service.assess(ref, line=2, status=AssessmentStatus.CONTROLLED, entry_codes=["9.A.2"],
                   rationale="gyro", actor=officer)
    service.assess(ref, line=3, status=AssessmentStatus.NOT_CONTROLLED,
                   rationale="a housing only", actor=officer)
    service.assess(ref, line=5, status=AssessmentStatus.NOT_CONTROLLED,
                   rationale="a hose", actor=officer)
    service.assess(ref, line=6, status=AssessmentStatus.CONTROLLED, entry_codes=["2.A.1.c"],
                   rationale="part of a guidance set", actor=officer)
    eu = open_case(service, officer, [item(GYRO, "Honeywell GmbH", "HG-9")], edition=EU)
    service.assess(eu.reference, line=1, status=AssessmentStatus.CONTROLLED,
                   entry_codes=["7A102"], category="II", rationale="EU gyro",
                   actor=officer)
    training = open_case(service, trainer, [item(GYRO, "Honeywell", "GG-1320")],
                         training=True)
    service.assess(training.reference, line=1, status=AssessmentStatus.CONTROLLED,
                   entry_codes=["9.A.1"], rationale="demo", actor=trainer)
    return {"store": store, "service": service, "officer": officer, "trainer": trainer,
            "target": target.reference, "earlier": ref, "eu": eu.reference,
            "training": training.reference}


def labels(found):
    return [p.label for p in found]


def test_part_number_first_then_word_overlap(desk):
    found = find_precedents(desk["store"], desk["target"], line=1)
    earlier, eu = desk["earlier"], desk["eu"]
    assert labels(found) == [f"{earlier} line 1", f"{eu} line 1", f"{earlier} line 2",
                             f"{earlier} line 6", f"{earlier} line 3"]
    first = found[0]
    assert first.part_number_match and first.score == pytest.approx(1.0)
    # Identical description and maker ("GmbH" is a company form): 0.7 + 0.3.
    assert not found[1].part_number_match and found[1].score == pytest.approx(1.0)
    assert found[2].score == pytest.approx(0.7 * 3 / 5 + 0.3, abs=1e-6)
    assert found[4].score == pytest.approx(0.7 * 1 / 6, abs=1e-6)


def test_precedent_carries_the_assessment(desk):
    first = find_precedents(desk["store"], desk["target"], line=1)[0]
    assert first.case_reference == desk["earlier"] and first.line == 1
    assert first.status is AssessmentStatus.CONTROLLED
    assert first.entry_codes == ("9.A.1",)
    assert first.category == "II"  # derived from the pinned edition
    assert first.rationale == "sensor of a guidance set"
    assert first.assessed_by == "olga" and first.assessed_at
    assert first.edition_id == STRUCTURE
    assert (first.description, first.manufacturer, first.part_number) == (
        "Fibre optic sensor", "Other Corp", "gg 1320")


def test_category_is_derived_from_the_precedents_edition(desk):
    found = {p.label: p for p in find_precedents(desk["store"], desk["target"], line=1)}
    assert found[f"{desk['earlier']} line 6"].category == "I"
    assert found[f"{desk['earlier']} line 3"].category is None  # not controlled
    assert found[f"{desk['eu']} line 1"].category == "II"  # recorded with it


def test_limit(desk):
    assert len(find_precedents(desk["store"], desk["target"], line=1, limit=2)) == 2
    with pytest.raises(InvalidInputError, match="limit"):
        find_precedents(desk["store"], desk["target"], line=1, limit=0)


def test_unknown_case_or_line(desk):
    with pytest.raises(NotFoundError, match="no line 9"):
        find_precedents(desk["store"], desk["target"], line=9)
    with pytest.raises(NotFoundError):
        find_precedents(desk["store"], "MTCR-2026-9999", line=1)


def test_training_cases_only_for_training_cases(desk):
    service, trainer = desk["service"], desk["trainer"]
    live = labels(find_precedents(desk["store"], desk["target"], line=1))
    assert f"{desk['training']} line 1" not in live
    sandbox = open_case(service, trainer, [item(GYRO, "Honeywell", "GG-1320")],
                        training=True)
    found = labels(find_precedents(desk["store"], sandbox.reference, line=1))
    assert f"{desk['training']} line 1" in found


def test_applicable_only_when_every_entry_exists_in_the_pinned_edition(desk):
    found = {p.label: p for p in find_precedents(desk["store"], desk["target"], line=1)}
    same = found[f"{desk['earlier']} line 1"]
    assert same.applicable and "same edition" in same.reason
    other = found[f"{desk['eu']} line 1"]
    assert not other.applicable
    assert "7A102" in other.reason and STRUCTURE in other.reason
    not_controlled = found[f"{desk['earlier']} line 3"]
    assert not_controlled.applicable


def test_apply_copies_the_assessment_and_names_the_precedent(desk):
    store, officer = desk["store"], desk["officer"]
    case = apply_precedent(store, desk["target"], line=1, precedent_reference=desk["earlier"],
                           precedent_line=1, actor=officer)
    assessment = case.item(1).assessment
    assert assessment.status is AssessmentStatus.CONTROLLED
    assert assessment.entry_codes == ("9.A.1",)
    assert assessment.precedent == f"{desk['earlier']} line 1"
    assert assessment.rationale == (f"Precedent {desk['earlier']} line 1: "
                                    "sensor of a guidance set")
    assert assessment.assessed_by == "olga"
    assert assessment.category is None  # derived from the edition, never stored
    assert audit.verify(store.connection).ok


def test_apply_a_not_controlled_precedent(desk):
    case = apply_precedent(desk["store"], desk["target"], line=1,
                           precedent_reference=desk["earlier"], precedent_line=3,
                           actor=desk["officer"])
    assessment = case.item(1).assessment
    assert assessment.status is AssessmentStatus.NOT_CONTROLLED
    assert assessment.entry_codes == ()
    assert assessment.precedent == f"{desk['earlier']} line 3"


def test_apply_records_the_category_on_an_edition_without_categories(desk):
    store, service, officer = desk["store"], desk["service"], desk["officer"]
    target = open_case(service, officer, [item(GYRO, "Honeywell")], edition=EU)
    case = apply_precedent(store, target.reference, line=1, precedent_reference=desk["eu"],
                           precedent_line=1, actor=officer)
    assessment = case.item(1).assessment
    assert (assessment.entry_codes, assessment.category) == (("7A102",), "II")
    assert audit.verify(store.connection).ok


def test_apply_refuses_entries_missing_from_the_pinned_edition(desk):
    store = desk["store"]
    head = audit.head(store.connection)
    with pytest.raises(RuleViolation, match=r"7A102 is not in edition mtcr-2024-structure.*"
                                            r"re-pin the case"):
        apply_precedent(store, desk["target"], line=1, precedent_reference=desk["eu"],
                        precedent_line=1, actor=desk["officer"])
    assert audit.head(store.connection) == head
    assert desk["service"].get(desk["target"]).item(1).assessment.status is \
        AssessmentStatus.UNASSESSED


@pytest.mark.parametrize("source, line, message", [
    ("target", 2, "another case"),
    ("earlier", 4, "unassessed"),
    ("training", 1, "training case"),
])
def test_apply_refuses_unsuitable_precedents(desk, source, line, message):
    with pytest.raises(RuleViolation, match=message):
        apply_precedent(desk["store"], desk["target"], line=1,
                        precedent_reference=desk[source], precedent_line=line,
                        actor=desk["officer"])


def test_apply_goes_through_the_case_rules(desk):
    store, service = desk["store"], desk["service"]
    service.withdraw(desk["target"], actor=desk["officer"], reason="applicant withdrew")
    with pytest.raises(RuleViolation, match="final"):
        apply_precedent(store, desk["target"], line=1, precedent_reference=desk["earlier"],
                        precedent_line=1, actor=desk["officer"])
    assert audit.verify(store.connection).ok


# --- similarity, on its own ----------------------------------------------------------


def test_words_ignore_case_stop_words_and_company_forms():
    assert precedents.words("Valves FOR the Rocket-Engine") == {"valves", "rocket", "engine"}
    assert precedents.manufacturer_words("Acme Aerospace GmbH & Co. KG") == {"acme",
                                                                             "aerospace"}
    assert precedents.words("TRÄGHEITS-NAVIGATION") == {"trägheits", "navigation"}


def test_part_numbers_compare_without_separators_and_case():
    assert precedents.part_number_key("ABC-12.3/x_y z") == "abc123xyz"
    assert precedents.part_number_key("  ") == ""


def test_jaccard():
    assert precedents.jaccard(frozenset("ab"), frozenset("bc")) == pytest.approx(1 / 3)
    assert precedents.jaccard(frozenset(), frozenset("a")) == 0


def test_non_ascii_items_are_found(store):
    officer, _ = make_users(store)
    service = CaseService(store)
    # Only non-ASCII words in common: SQLite's lower() cannot fold them, the score does.
    earlier = open_case(service, officer, [item("Trägheitsnavigationskreisel", "Müller")])
    service.assess(earlier.reference, line=1, status=AssessmentStatus.CONTROLLED,
                   entry_codes=["9.A.1"], rationale="Kreisel", actor=officer)
    target = open_case(service, officer, [item("TRÄGHEITSNAVIGATIONSKREISEL", "MÜLLER")])
    [found] = find_precedents(store, target.reference, line=1)
    assert found.case_reference == earlier.reference
    assert found.score == pytest.approx(1.0)


# --- across editions -------------------------------------------------------------------


node = edition_node


OLD = edition_document("test-old", [
    node("3", None, "item", title="Propulsion"),
    node("3.A", "3", "section", title="Equipment"),
    node("3.A.1", "3.A", text="Widget engines having a thrust above 100 units."),
    node("3.A.2", "3.A", text="Sprocket assemblies."),
    node("3.A.3", "3.A", text="Valves for cryogenic fluids."),
])
NEW = edition_document("test-new", [
    node("3", None, "item", title="Propulsion"),
    node("3.A", "3", "section", title="Equipment"),
    node("3.A.1", "3.A", text="Widget engines having a thrust above 90 units."),
    node("3.A.3", "3.A", text="Valves for cryogenic fluids."),
])


@pytest.fixture
def two_editions(tmp_path):
    store = open_with_editions(tmp_path, OLD, NEW, include_shipped=False)
    yield store
    store.close()


def test_applicability_across_editions(two_editions):
    store = two_editions
    officer, _ = make_users(store)
    service = CaseService(store)
    earlier = open_case(service, officer, [item("Widget engine"), item("Sprocket assembly"),
                                           item("Cryogenic valve")], edition="test-old")
    for line, code in ((1, "3.A.1"), (2, "3.A.2"), (3, "3.A.3")):
        service.assess(earlier.reference, line=line, status=AssessmentStatus.CONTROLLED,
                       entry_codes=[code], rationale="listed", actor=officer)
    target = open_case(service, officer, [item("Widget engine"), item("Sprocket assembly"),
                                          item("Cryogenic valve")], edition="test-new")

    def only(line):
        [found] = find_precedents(store, target.reference, line=line)
        return found

    assert only(1).applicable and "3.A.1 reads differently" in only(1).reason
    assert not only(2).applicable and "3.A.2 is not in edition test-new" in only(2).reason
    assert only(3).applicable and "unchanged" in only(3).reason
    case = apply_precedent(store, target.reference, line=1,
                           precedent_reference=earlier.reference, precedent_line=1,
                           actor=officer)
    assert case.item(1).assessment.entry_codes == ("3.A.1",)
    with pytest.raises(RuleViolation, match="3.A.2 is not in edition test-new"):
        apply_precedent(store, target.reference, line=2, precedent_reference=earlier.reference,
                        precedent_line=2, actor=officer)
    assert audit.verify(store.connection).ok


def _brute_force(store, reference: str, line: int) -> list[tuple[str, int, float]]:
    """Every assessed item of another case scored with compare(): what the index must give."""
    service = CaseService(store)
    case = service.get(reference)
    item = case.item(line)
    target = precedents.Comparable.of(item.description, item.manufacturer, item.part_number)
    found = []
    for row in service.list(training=None):
        other = service.get(row[0])
        if other.reference == case.reference or (other.training and not case.training):
            continue
        for candidate in other.items:
            if candidate.assessment.status is AssessmentStatus.UNASSESSED:
                continue
            score, _match = precedents.compare(target, precedents.Comparable.of(
                candidate.description, candidate.manufacturer, candidate.part_number))
            if score > 0:
                found.append((other.reference, candidate.line, score))
    return sorted(found)


def test_the_word_index_finds_exactly_what_scoring_every_item_finds(demo_store):
    service = CaseService(demo_store)
    checked = 0
    for row in service.list(training=None):
        case = service.get(row[0])
        for item in case.items:
            found = find_precedents(demo_store, case.reference, line=item.line, limit=1000)
            assert sorted((p.case_reference, p.line, p.score) for p in found) == \
                _brute_force(demo_store, case.reference, item.line)
            checked += 1
    assert checked >= 20


def test_an_older_database_gets_its_word_index_when_opened(demo_template, tmp_path):
    import shutil

    from mtcr_desk.services.demo import open_demo_database
    from mtcr_desk.storage.database import open_store

    path = tmp_path / "older.sqlite"
    shutil.copyfile(demo_template, path)
    store = open_store(path)
    with store.write() as connection:  # as a database written before m011
        connection.execute("DROP TABLE item_words")
        connection.execute("DROP TABLE item_word_counts")
        connection.execute("DROP TRIGGER items_words_fixed")
        connection.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_item_words'")
    store.close()
    reopened = open_demo_database(path)
    try:
        indexed = reopened.connection.execute(
            "SELECT count(*) FROM item_word_counts").fetchone()[0]
        assert indexed == reopened.connection.execute("SELECT count(*) FROM items").fetchone()[0]
        found = find_precedents(reopened, "MTCR-2026-0011", line=1, limit=1000)
        assert sorted((p.case_reference, p.line, p.score) for p in found) == \
            _brute_force(reopened, "MTCR-2026-0011", 1)
        assert found
    finally:
        reopened.close()


def test_the_best_precedents_are_the_best_scores_at_any_limit(demo_store):
    for limit in (1, 3):
        found = find_precedents(demo_store, "MTCR-2026-0011", line=1, limit=limit)
        best = sorted((score for *_key, score in _brute_force(
            demo_store, "MTCR-2026-0011", 1)), reverse=True)[:limit]
        assert [p.score for p in found] == best


def test_items_written_without_their_words_are_indexed_on_opening(demo_template, tmp_path):
    import shutil

    from mtcr_desk.services.demo import open_demo_database

    path = tmp_path / "tool-written.sqlite"
    shutil.copyfile(demo_template, path)
    store = open_demo_database(path)
    with store.write() as connection:  # as a tool that knows nothing of the index would
        last = connection.execute("SELECT max(id) FROM items").fetchone()[0]
        connection.execute("DELETE FROM item_words WHERE item_id = ?", [last])
        connection.execute("DELETE FROM item_word_counts WHERE item_id = ?", [last])
    store.close()
    reopened = open_demo_database(path)
    try:
        assert reopened.connection.execute(
            "SELECT count(*) FROM item_word_counts WHERE item_id = ?", [last]).fetchone()[0] == 1
    finally:
        reopened.close()


def test_an_item_is_never_changed_once_written(demo_store):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError, match="never changed once written"):
        with demo_store.write() as connection:
            connection.execute("UPDATE items SET description = 'something else' WHERE id = 1")


def test_the_part_number_match_uses_its_index(demo_store):
    plan = " | ".join(row[3] for row in demo_store.connection.execute(
        "EXPLAIN QUERY PLAN SELECT item_id FROM item_word_counts "
        "WHERE part_number_key = ? AND part_number_key != ''", ["gg1320"]))
    assert "USING INDEX item_word_counts_part_number" in plan or \
        "USING COVERING INDEX item_word_counts_part_number" in plan
