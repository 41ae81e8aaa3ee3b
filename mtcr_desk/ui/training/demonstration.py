"""Demonstrations: a scenario's model answer worked step by step in the ordinary workspace.

A trainer presents a scenario to a class: each *step* shows one page of the case
workspace with a control outlined and a narration (the model answer's reasoning),
and performs its part of the review on the case through :class:`CaseService`,
exactly as an officer would. The steps, built from a :class:`Scenario`:

briefing → overview (destination flags acknowledged, when raised) → parties → one
step per item (assessed with the model answer's status, entries and rationale) →
evaluation (every factor finding recorded) → decision (drafted with the model
outcome, conditions and rationale) → countersignature → memo.

Who does what (the sandbox's public training accounts, ``database/training/users.json``):
the attempt is started and the items and factors are worked by the trainer
(tina.trainer), so no trainee's record is touched; the decision is drafted by an
officer's account (tom.trainee, as drafting needs an officer) and countersigned by
the senior officer (sam.senior, who may countersign Category I decisions too).

Back re-shows an earlier step's page and narration **without undoing** what later
steps did to the case (a review cannot be rewound); *Reset scenario* starts a fresh
pristine copy and returns to step 1. :func:`run_headless_demo` renders every step to
a PNG and writes the memo PDF, without a display (``mtcr-desk demo``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mtcr_desk.domain.cases import AssessmentStatus, Outcome
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.errors import MtcrDeskError, RuleViolation
from mtcr_desk.domain.training import Scenario, model_attempt
from mtcr_desk.services import reference_data, training, users
from mtcr_desk.services.demo import read_demo_users

#: The accounts a demonstration works with (their passwords come from users.json).
PRESENTER = "tina.trainer"
DRAFTER = "tom.trainee"
COUNTERSIGNER = "sam.senior"

#: Size of the window the headless demonstration renders (pixels).
HEADLESS_SIZE = (1600, 960)


@dataclass(frozen=True)
class Step:
    """One step of a demonstration.

    ``page`` is the workspace page key to show, ``highlight`` the name of the control
    to outline (see :func:`highlight_target`), ``line`` the item to select on the
    items page, and ``action`` what the step does to the case (None: it only shows).
    ``action`` returns an optional remark appended to the narration (a refusal, say).
    """

    title: str
    narration: str
    page: str
    highlight: str
    slug: str
    action: Callable[[], str | None] | None = None
    line: int | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "step"


def training_passwords() -> dict[str, str]:
    """The public passwords of the training accounts, by username."""
    _notice, accounts = read_demo_users(training.training_users_file())
    return {account.username: account.password for account in accounts}


class DemonstrationRun:
    """A scenario being demonstrated on one copy of its case in a training database."""

    def __init__(self, store, scenario: Scenario):
        from mtcr_desk.services.cases import CaseService

        self.store = store
        self.scenario = scenario
        self.service = CaseService(store)
        self.passwords = training_passwords()
        self.presenter = users.get_user(store, PRESENTER)
        self.drafter = users.get_user(store, DRAFTER)
        self.countersigner = users.get_user(store, COUNTERSIGNER)
        for username, account in ((PRESENTER, self.presenter), (DRAFTER, self.drafter),
                                  (COUNTERSIGNER, self.countersigner)):
            if account is None or username not in self.passwords:
                raise RuleViolation(
                    f"demonstration: the training account {username} is missing from this "
                    "sandbox (or from database/training/users.json); a demonstration needs it")
        #: The scenario as the model answer leaves it (the values each step records).
        self.answered = model_attempt(scenario.answer, scenario.case)
        self.attempt: training.Attempt | None = None
        self.steps: list[Step] = self._build_steps()

    @property
    def reference(self) -> str:
        assert self.attempt is not None, "start() the demonstration first"
        return self.attempt.reference

    def start(self) -> str:
        """Start a fresh pristine copy of the scenario's case; return its reference."""
        self.attempt = training.start_attempt(self.store, self.scenario.id,
                                              trainee=self.presenter)
        return self.attempt.reference

    # --- the steps ---------------------------------------------------------------------

    def _build_steps(self) -> list[Step]:
        scenario, case = self.scenario, self.scenario.case
        objectives = "\n".join(f"• {objective}" for objective in scenario.objectives)
        steps = [Step(
            title=f"{scenario.id}: {scenario.title}",
            narration=f"{scenario.briefing}\n\nObjectives:\n{objectives}",
            page="overview", highlight="header", slug="briefing")]
        destination = reference_data.destination_flags(self.store, case.destination)
        flags = destination.raised
        end_use = case.end_use.strip().rstrip(".") or "(no end use given)"
        overview = (f"The application: {case.applicant} asks to export to "
                    f"{destination.country_name} ({case.destination}) for: {end_use}.")
        if flags:
            overview += ("\n\nThe destination raises flags: " + "; ".join(flags)
                         + ".\nThey are acknowledged now; the decision must weigh them.")
        else:
            overview += "\n\nThe destination raises no flag."
        steps.append(Step("Overview", overview, "overview", "overview", "overview",
                          action=self._acknowledge_flags if flags else None))
        statement = case.end_user_statement or "none on file"
        parties = "\n".join(f"• {party.role.value}: {party.name}" for party in case.parties)
        steps.append(Step("Parties", f"Who is involved:\n{parties or '(no parties)'}\n\n"
                                     f"End-user statement: {statement}.",
                          "parties", "parties", "parties"))
        for item in case.items:
            answer = scenario.answer.item(item.line)
            if answer is None:
                continue
            if answer.status is AssessmentStatus.CONTROLLED:
                verdict = f"Controlled under {', '.join(answer.entries)}"
                if answer.category is not None:
                    verdict += f" (Category {answer.category.value})"
            else:
                verdict = answer.status.value.capitalize()
            narration = (f"Line {item.line}: {item.description}\n\n{verdict}.\n\n"
                         f"{answer.reasoning}")
            steps.append(Step(f"Classify line {item.line}", narration, "items", "assessment",
                              f"line-{item.line}", action=self._assessor(item.line),
                              line=item.line))
        findings = "\n".join(f"({a.factor.value}) {a.finding.value}: {a.reasoning}"
                             for a in scenario.answer.factors)
        steps.append(Step("Evaluate the six factors", findings, "evaluation", "factors",
                          "evaluation", action=self._record_factors))
        outcome = scenario.answer.outcome
        decision = f"Outcome: {outcome.outcome.value}.\n\n{outcome.reasoning}"
        conditions = self.answered.current_decision.conditions
        if conditions:
            decision += "\n\nConditions:\n" + "\n".join(f"• {c}" for c in conditions)
        steps.append(Step("Draft the decision", decision, "decision", "decision", "decision",
                          action=self._draft))
        steps.append(Step("Countersignature",
                          f"A second officer countersigns: {COUNTERSIGNER}, a senior officer "
                          "(a Category I decision always needs one), checks the draft and "
                          "agrees. Four eyes: the drafter never countersigns.",
                          "decision", "countersign", "countersign", action=self._countersign))
        steps.append(Step("The memo",
                          "The decision memo, generated from the record. Every memo of the "
                          "sandbox is watermarked TRAINING: it is never a licensing record.",
                          "memo", "memo", "memo"))
        return steps

    def _acknowledge_flags(self) -> str | None:
        self.service.acknowledge_flags(self.reference, actor=self.presenter)
        return None

    def _assessor(self, line: int) -> Callable[[], str | None]:
        def assess() -> str | None:
            assessment = self.answered.item(line).assessment
            self.service.assess(self.reference, line=line, status=assessment.status,
                                entry_codes=list(assessment.entry_codes),
                                rationale=assessment.rationale, actor=self.presenter)
            return None
        return assess

    def _record_factors(self) -> str | None:
        for finding in self.answered.factors:
            self.service.record_factor(self.reference, factor=finding.factor,
                                       finding=finding.finding, note=finding.note,
                                       actor=self.presenter)
        return None

    def _draft(self) -> str | None:
        model = self.answered.current_decision
        case = self.service.get(self.reference)
        category = self.service.category(case)
        try:
            self.service.draft_decision(
                self.reference, actor=self.drafter, password=self.passwords[DRAFTER],
                outcome=model.outcome, rationale=model.rationale,
                conditions=list(model.conditions),
                presumption_acknowledged=category is Category.I and model.outcome.is_approval,
                acknowledge_flags=True)
        except MtcrDeskError as error:
            return f"The draft was refused: {error}"
        return f"Drafted by {DRAFTER}."

    def _countersign(self) -> str | None:
        case = self.service.get(self.reference)
        if case.current_decision is None or case.current_decision.countersigned_by:
            return "No draft awaits a countersignature: see the previous step."
        try:
            self.service.countersign(self.reference, actor=self.countersigner,
                                     password=self.passwords[COUNTERSIGNER], agree=True)
        except MtcrDeskError as error:
            return f"The countersignature is still needed: {error}"
        if case.current_decision.outcome is Outcome.DENY:
            return "Countersigned: the denial is final."
        return "Countersigned: the decision is final."


# --- the workspace widgets a step outlines ----------------------------------------------------


def highlight_target(workspace, name: str):
    """The widget of ``workspace`` a step's ``highlight`` names.

    Some controls hide once the case moves on (the decision form once drafted, the
    countersignature box once final): then the next candidate is outlined.
    """
    decision = workspace.decision
    candidates = {
        "header": (workspace.header,),
        "overview": (workspace.overview,),
        "parties": (workspace.parties.table,),
        "items": (workspace.items.table,),
        "assessment": (workspace.items.assessment_box,),
        "factors": (workspace.evaluation.scroll,),
        "outcome": (decision.outcome, decision.current_label),
        "decision": (decision.current_label, decision.outcome),
        "countersign": (decision.countersign_box, decision.current_label),
        "memo": (workspace.memo.scroll,),
    }[name]
    for widget in candidates:
        if widget.isVisible():
            return widget
    return candidates[0]


# --- headless rendering ---------------------------------------------------------------------


def _ensure_platform() -> None:
    # Without a display Qt would abort: render offscreen (set before Qt is imported).
    if not os.environ.get("QT_QPA_PLATFORM") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def run_headless_demo(scenario_id: str, out_dir: Path, *,
                      database: Path | None = None) -> list[Path]:
    """Render every step of a scenario's demonstration to PNG, then write its memo PDF.

    Works in a fresh temporary training database (or in ``database``, a training
    sandbox, which then keeps the demonstrated case). Returns the files written:
    ``step-01-<slug>.png`` … in order, then ``memo-<reference>.pdf``.
    """
    _ensure_platform()
    from PySide6.QtWidgets import QApplication

    from mtcr_desk.services.memos import export_memo
    from mtcr_desk.ui.context import AppContext
    from mtcr_desk.ui.training.demonstration_view import DemonstrationView

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    application = QApplication.instance() or QApplication([])
    scratch = None
    if database is None:
        scratch = Path(tempfile.mkdtemp(prefix="mtcr-demo-"))
        database = scratch / "training.sqlite"
    store = training.open_training_database(database)
    written: list[Path] = []
    try:
        chosen = training.scenario(store, scenario_id)
        context = AppContext(store=store, database_path=Path(database), training=True,
                             user=users.get_user(store, PRESENTER))
        view = DemonstrationView(context, chosen)
        view.resize(*HEADLESS_SIZE)
        view.show()
        for index in range(len(view.run.steps)):
            view.go_to(index)
            view.settle()
            step = view.run.steps[index]
            path = out_dir / f"step-{index + 1:02d}-{step.slug}.png"
            image = view.grab()
            if image.isNull() or not image.save(str(path), "PNG"):
                raise OSError(f"Could not write {path}")
            written.append(path)
        reference = view.run.reference
        written.append(export_memo(store, reference, out_dir / f"memo-{reference}.pdf"))
        view.close()
        view.deleteLater()
        application.processEvents()
    finally:
        store.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return written
