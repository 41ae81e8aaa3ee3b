"""Demonstrations: the step model, Next / Back / Reset, and the headless rendering."""

from __future__ import annotations

import argparse
import io

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QImage

from mtcr_desk.domain.cases import AssessmentStatus, CaseStatus
from mtcr_desk.services import training, users
from mtcr_desk.ui.context import AppContext
from mtcr_desk.ui.training.demonstration import DemonstrationRun, run_headless_demo
from mtcr_desk.ui.training.demonstration_view import PRESENTATION_SCALE, DemonstrationView


def view_of(qtbot, store, scenario_id) -> DemonstrationView:
    context = AppContext(store=store, database_path=store.path, training=True,
                         user=users.get_user(store, "tina.trainer"))
    view = DemonstrationView(context, training.scenario(store, scenario_id))
    qtbot.addWidget(view)
    view.resize(1400, 850)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_steps_follow_the_review(sandbox):
    scenario = training.scenario(sandbox, "T04")
    run = DemonstrationRun(sandbox, scenario)
    pages = [step.page for step in run.steps]
    assert pages == (["overview", "overview", "parties"] + ["items"] * len(scenario.case.items)
                     + ["evaluation", "decision", "decision", "memo"])
    item_steps = [step for step in run.steps if step.page == "items"]
    assert [step.line for step in item_steps] == [item.line for item in scenario.case.items]
    for step, item in zip(item_steps, scenario.case.items, strict=True):
        assert scenario.answer.item(item.line).reasoning in step.narration
    assert scenario.briefing in run.steps[0].narration


def test_next_performs_each_step_and_back_only_reshows(qtbot, sandbox):
    view = view_of(qtbot, sandbox, "T04")
    reference = view.run.reference
    assert view.index == 0 and "Step 1 of" in view.counter.text()
    assert not view.back_button.isEnabled()
    cases = view.context.cases
    lines = [step.line for step in view.steps if step.line is not None]
    while view.index < len(view.steps) - 1:
        view.next_button.click()
        step = view.steps[view.index]
        assert view.workspace.pages.currentWidget() is view.workspace.page_widgets[step.page]
        assert f"Step {view.index + 1} of {len(view.steps)}" == view.counter.text()
        if step.line == lines[0]:
            assert cases.get(reference).item(lines[0]).assessment.status is not \
                AssessmentStatus.UNASSESSED
    assert not view.next_button.isEnabled()
    case = cases.get(reference)
    assert case.status is CaseStatus.DECIDED
    assert case.current_decision.countersigned_by == "sam.senior"
    view.back_button.click()
    assert view.index == len(view.steps) - 2
    assert view.workspace.pages.currentWidget() is view.workspace.page_widgets["decision"]
    assert cases.get(reference).status is CaseStatus.DECIDED  # nothing was undone
    view.settle()  # the outline goes around the step's control
    assert view.highlight.isVisible()


def test_reset_gives_a_fresh_copy_equal_to_the_pristine_case(qtbot, sandbox):
    view = view_of(qtbot, sandbox, "T04")
    first = view.run.reference
    for _ in range(len(view.steps) - 3):
        view.next()
    assert view.context.cases.get(first).factors
    view.reset_button.click()
    assert view.index == 0
    fresh = view.context.cases.get(view.run.reference)
    assert fresh.reference != first and view.workspace.reference == fresh.reference
    pristine = training.scenario(sandbox, "T04").case
    assert [(i.line, i.description, i.assessment.status) for i in fresh.items] == [
        (i.line, i.description, AssessmentStatus.UNASSESSED) for i in pristine.items]
    assert fresh.factors == () and fresh.current_decision is None
    assert fresh.training


def test_presentation_scale_enlarges_the_fonts(qtbot, sandbox):
    view = view_of(qtbot, sandbox, "T08")
    normal_narration = view.narration.font().pointSizeF()
    normal_body = view.workspace.font().pointSizeF()
    view.scale_toggle.setChecked(True)
    assert view.narration.font().pointSizeF() == pytest.approx(
        normal_narration * PRESENTATION_SCALE)
    assert view.workspace.font().pointSizeF() == pytest.approx(normal_body * PRESENTATION_SCALE)
    view.scale_toggle.setChecked(False)
    assert view.narration.font().pointSizeF() == pytest.approx(normal_narration)


def _non_blank(path) -> bool:
    image = QImage(str(path))
    if image.isNull() or image.width() < 800:
        return False
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
               for y in range(0, image.height(), 29)}
    return len(colours) > 20


def test_the_headless_demo_writes_a_picture_per_step_and_the_memo(sandbox_path, tmp_path):
    out = tmp_path / "demo"
    written = run_headless_demo("T04", out, database=sandbox_path)
    store = training.open_training_database(sandbox_path)
    try:
        steps = DemonstrationRun(store, training.scenario(store, "T04")).steps
        (attempt,) = [a for a in training.list_attempts(store) if a.scenario_id == "T04"]
    finally:
        store.close()
    pictures = [path for path in written if path.suffix == ".png"]
    assert len(pictures) == len(steps)
    assert [p.name for p in pictures] == [f"step-{n:02d}-{s.slug}.png"
                                          for n, s in enumerate(steps, start=1)]
    assert all(_non_blank(path) for path in pictures)
    memo = written[-1]
    assert memo.name == f"memo-{attempt.reference}.pdf"
    text = "".join(page.extract_text() for page in PdfReader(memo).pages)
    assert "TRAINING" in text
    assert sorted(out.iterdir()) == sorted(written)


def test_the_demo_command_uses_a_fresh_sandbox(tmp_path):
    from mtcr_desk.cli_training import cmd_demo

    out = io.StringIO()
    args = argparse.Namespace(scenario="t08", out=tmp_path / "t08", db=None, json=False)
    assert cmd_demo(args, out) == 0
    pictures = sorted((tmp_path / "t08").glob("step-*.png"))
    assert pictures and len(list((tmp_path / "t08").glob("memo-*.pdf"))) == 1
    assert str(pictures[0]) in out.getvalue()


def test_a_presentation_clicker_moves_through_the_steps(qtbot, sandbox):
    from PySide6.QtCore import Qt

    view = view_of(qtbot, sandbox, "T08")
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    view.next_button.setFocus()
    qtbot.keyClick(view.next_button, Qt.Key.Key_PageDown)
    assert view.index == 1
    qtbot.keyClick(view.next_button, Qt.Key.Key_PageUp)
    assert view.index == 0


def test_a_reset_that_fails_is_reported_and_keeps_the_demonstration(qtbot, sandbox, monkeypatch):
    from mtcr_desk.domain.errors import StorageError
    from mtcr_desk.ui.training import demonstration_view

    view = view_of(qtbot, sandbox, "T08")
    reference = view.run.reference
    shown = []
    monkeypatch.setattr(demonstration_view, "show_refusal", lambda parent, e: shown.append(e))

    def disk_full():
        raise StorageError("Disk full while writing training.sqlite; nothing was changed")

    monkeypatch.setattr(view.run, "start", disk_full)
    view.reset()
    assert shown and "Disk full" in str(shown[0])
    assert view.run.reference == reference
