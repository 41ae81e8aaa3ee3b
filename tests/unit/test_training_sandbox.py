"""The training sandbox: its own database, attempts scored and kept, the class overview."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from mtcr_desk.domain.cases import AssessmentStatus
from mtcr_desk.domain.errors import InvalidInputError, RuleViolation
from mtcr_desk.services import memos, training, users
from mtcr_desk.services.case_format import (
    export_case,
    import_case,
    parse_case_bytes,
    serialise_case,
)
from mtcr_desk.services.cases import CaseService


def user(store, name):
    return users.get_user(store, name)


def test_the_sandbox_is_marked_and_has_the_training_accounts(sandbox):
    assert training.is_training_database(sandbox)
    assert {u.username for u in users.list_users(sandbox)} >= {
        "tina.trainer", "tom.trainee", "tara.trainee", "sam.senior"}
    assert len(training.scenario_library(sandbox)) >= 15


def test_a_live_database_is_never_opened_as_a_sandbox(store, tmp_path):
    path = store.path
    store.close()
    with pytest.raises(InvalidInputError, match="not a training database"):
        training.open_training_database(path)


def test_attempts_are_refused_outside_the_sandbox(store, people):
    with pytest.raises(RuleViolation, match="only in the training sandbox"):
        training.start_attempt(store, "T04", trainee=people["olga"])


def test_a_trainee_starts_a_fresh_copy_and_submits_it_for_a_score(sandbox):
    tom = user(sandbox, "tom.trainee")
    attempt = training.start_attempt(sandbox, "T04", trainee=tom)
    case = CaseService(sandbox).get(attempt.reference)
    assert case.training
    assert all(i.assessment.status is AssessmentStatus.UNASSESSED for i in case.items)
    untouched = training.submit_attempt(sandbox, attempt.id, actor=tom)
    assert untouched.earned == 0 and untouched.possible > 0
    assert any("not assessed" in line.explanation for line in untouched.score.lines)
    with pytest.raises(RuleViolation, match="was submitted"):
        training.submit_attempt(sandbox, attempt.id, actor=tom)

    # A second try, with the right answer for line 1, scores more and is kept apart.
    scenario = training.scenario(sandbox, "T04")
    second = training.start_attempt(sandbox, "T04", trainee=tom)
    expected = scenario.answer.item(1)
    CaseService(sandbox).assess(second.reference, line=1, status=expected.status,
                                entry_codes=list(expected.entries), rationale=expected.reasoning,
                                actor=tom)
    scored = training.submit_attempt(sandbox, second.id, actor=tom)
    assert scored.earned > 0 and scored.reference != attempt.reference
    assert [a.id for a in training.list_attempts(sandbox, trainee="tom.trainee")] == [
        attempt.id, second.id]


def test_only_the_trainee_or_a_trainer_submits(sandbox):
    attempt = training.start_attempt(sandbox, "T08", trainee=user(sandbox, "tara.trainee"))
    with pytest.raises(RuleViolation, match="tara.trainee's"):
        training.submit_attempt(sandbox, attempt.id, actor=user(sandbox, "tom.trainee"))
    assert training.submit_attempt(sandbox, attempt.id,
                                   actor=user(sandbox, "tina.trainer")).submitted_at


def test_the_class_overview_has_latest_and_best_and_exports(sandbox, tmp_path):
    tom, tara = user(sandbox, "tom.trainee"), user(sandbox, "tara.trainee")
    first = training.start_attempt(sandbox, "T08", trainee=tom)
    scenario = training.scenario(sandbox, "T08")
    for item_answer in scenario.answer.items:
        CaseService(sandbox).assess(first.reference, line=item_answer.line,
                                    status=item_answer.status,
                                    entry_codes=list(item_answer.entries),
                                    rationale=item_answer.reasoning, actor=tom)
    best = training.submit_attempt(sandbox, first.id, actor=tom).percentage
    latest = training.submit_attempt(
        sandbox, training.start_attempt(sandbox, "T08", trainee=tom).id, actor=tom).percentage
    training.start_attempt(sandbox, "T01", trainee=tara)  # started, not submitted
    cells = {(c.trainee, c.scenario_id): c for c in training.class_overview(sandbox)}
    tom_t08 = cells[("tom.trainee", "T08")]
    assert (tom_t08.attempts, tom_t08.submitted) == (2, 2)
    assert tom_t08.best == best > latest == tom_t08.latest
    assert cells[("tara.trainee", "T01")].latest is None

    rows = list(csv.DictReader(io.StringIO(training.overview_csv(sandbox))))
    assert {"trainee": "tom.trainee", "scenario": "T08", "attempts": "2", "submitted": "2",
            "latest %": f"{latest:.1f}", "best %": f"{best:.1f}"} in rows
    pdf = training.export_overview(sandbox, tmp_path / "class.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "TRAINING" in text and "tom.trainee" in text and f"{best:.1f} %" in text
    with pytest.raises(InvalidInputError, match=".csv or .pdf"):
        training.export_overview(sandbox, tmp_path / "class.txt")


def test_cases_opened_in_the_sandbox_are_training_cases_and_stay_out_of_a_live_database(
        sandbox, store, people):
    attempt = training.start_attempt(sandbox, "T04", trainee=user(sandbox, "tom.trainee"))
    memo = memos.memo_document(sandbox, attempt.reference).pdf
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(memo)).pages)
    assert "TRAINING" in text
    exported = serialise_case(export_case(sandbox, attempt.reference))
    document = parse_case_bytes(exported, source_name="attempt.json", store=store)
    with pytest.raises(RuleViolation, match="training case"):
        import_case(store, document, actor=people["olga"])
    assert CaseService(store).list(training=None) == []


def test_a_case_opened_in_the_sandbox_is_a_training_case(sandbox):
    case = CaseService(sandbox).create(actor=user(sandbox, "tina.trainer"),
                                       applicant="Fictional Aero Ltd", destination="FR")
    assert case.training


def test_a_failed_attempt_record_leaves_no_case_behind(sandbox, monkeypatch):
    from mtcr_desk.domain.errors import StorageError
    from mtcr_desk.storage import training as training_store

    before = len(CaseService(sandbox).list(training=None))

    def disk_full(*args, **kwargs):
        raise StorageError("Disk full while writing training.sqlite; nothing was changed")

    monkeypatch.setattr(training_store, "insert_attempt", disk_full)
    with pytest.raises(StorageError, match="Disk full"):
        training.start_attempt(sandbox, "T04", trainee=user(sandbox, "tom.trainee"))
    assert len(CaseService(sandbox).list(training=None)) == before


def test_a_failed_start_leaves_no_supporting_case_behind_either(sandbox, monkeypatch):
    # T13 imports the decided original before the amendment the trainee reviews: if the
    # attempt cannot be recorded, the original must not stay behind on its own.
    from mtcr_desk.domain.errors import StorageError
    from mtcr_desk.storage import training as training_store

    def references() -> list[str]:
        return [row[0] for row in CaseService(sandbox).list(training=None)]

    before = references()

    def disk_full(*args, **kwargs):
        raise StorageError("Disk full while writing training.sqlite; nothing was changed")

    monkeypatch.setattr(training_store, "insert_attempt", disk_full)
    with pytest.raises(StorageError, match="Disk full"):
        training.start_attempt(sandbox, "T13", trainee=user(sandbox, "tom.trainee"))
    assert references() == before
    monkeypatch.undo()
    attempt = training.start_attempt(sandbox, "T13", trainee=user(sandbox, "tom.trainee"))
    after = references()
    assert len(after) == len(before) + 2  # the original and the amendment, together
    assert attempt.reference in after


def test_a_trainers_demonstration_copies_are_not_in_the_class_overview(sandbox):
    training.start_attempt(sandbox, "T04", trainee=user(sandbox, "tina.trainer"))
    training.start_attempt(sandbox, "T04", trainee=user(sandbox, "tom.trainee"))
    assert [(c.trainee, c.scenario_id) for c in training.class_overview(sandbox)] == [
        ("tom.trainee", "T04")]
