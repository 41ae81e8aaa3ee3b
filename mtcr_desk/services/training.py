"""The training sandbox: its own database, trainee attempts, scores and the class overview.

``mtcr-desk --training`` opens a database of its own (never the live one), built on
first use with the training accounts of ``database/training/users.json`` and marked
as a training database: every case opened in it is a training case (watermarked
TRAINING on its memo), and a live database refuses training cases on import.

A trainee *starts* a scenario: its supporting cases and a fresh copy of its case
are imported (the copy is the trainee's to review with the ordinary workspace).
*Submitting* scores the case against the scenario's model answer
(:func:`mtcr_desk.domain.training.score_attempt`) and keeps the score with its
breakdown. A trainer sees every trainee's latest and best score per scenario and
exports the overview as CSV or PDF.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from mtcr_desk import paths
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, RuleViolation
from mtcr_desk.domain.training import Scenario, Score, ScoreLine
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services import training_scenarios
from mtcr_desk.services.database import open_database, utc_now_iso
from mtcr_desk.services.files import write_file_atomically
from mtcr_desk.services.settings import is_training_database
from mtcr_desk.storage import settings as settings_store
from mtcr_desk.storage import training as training_store
from mtcr_desk.storage.database import Store

PURPOSE_KEY = settings_store.PURPOSE_KEY
TRAINING_PURPOSE = settings_store.TRAINING_PURPOSE


def training_database_path() -> Path:
    """The training sandbox's database in the user data folder."""
    return paths.user_data_dir() / paths.TRAINING_DATABASE_NAME


def training_users_file() -> Path:
    return training_scenarios.training_data_dir() / "users.json"


def _fill_training_database(store: Store) -> None:
    """Mark the database as a sandbox and add the training accounts (administrator first)."""
    from mtcr_desk.services import users
    from mtcr_desk.services.demo import read_demo_users

    _notice, accounts = read_demo_users(training_users_file())
    administrators = [a for a in accounts if a.role is Role.ADMINISTRATOR]
    if len(administrators) != 1:
        raise InvalidInputError(f"{training_users_file()}: expected exactly one administrator")
    admin = users.add_user(store, username=administrators[0].username,
                           display_name=administrators[0].display_name, role=Role.ADMINISTRATOR,
                           password=administrators[0].password, actor=None)
    with store.write() as connection:
        settings_store.set_setting(connection, PURPOSE_KEY, TRAINING_PURPOSE,
                                   actor=admin.username)
    for account in accounts:
        if account.role is not Role.ADMINISTRATOR:
            users.add_user(store, username=account.username, display_name=account.display_name,
                           role=account.role, password=account.password, actor=admin)


def open_training_database(path: Path | None = None) -> Store:
    """Open the training sandbox (default :func:`training_database_path`), building it first.

    Refuses the live database's path and any existing database that is not a
    training sandbox: training never happens in a live or demo database.
    """
    from mtcr_desk.services.demo import build_aside, remove_stale_builds

    target = Path(path) if path is not None else training_database_path()
    if target.resolve() == paths.default_database_path().resolve():
        raise InvalidInputError(f"{target} is the live database; training never happens in it")
    if target.parent == paths.user_data_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(target)
    if not target.exists():
        build_aside(target, _fill_training_database, kind="Training")
    store = open_database(target)
    if not is_training_database(store):
        store.close()
        raise InvalidInputError(f"{target} is not a training database; open it without "
                                "--training (nothing was changed)")
    return store


# --- the scenario library ----------------------------------------------------------------


_library_cache: dict[str, tuple[Scenario, ...]] = {}


def scenario_library(store: Store) -> tuple[Scenario, ...]:
    """Every shipped scenario, checked against ``store`` (read once per database file)."""
    key = str(store.path)
    if key not in _library_cache:
        _library_cache[key] = training_scenarios.load_library(store)
    return _library_cache[key]


def scenario(store: Store, scenario_id: str) -> Scenario:
    for candidate in scenario_library(store):
        if candidate.id == scenario_id.strip().upper():
            return candidate
    raise NotFoundError(f"No training scenario {scenario_id!r} (the library has "
                        f"{', '.join(s.id for s in scenario_library(store))})")


# --- attempts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One trainee's attempt at one scenario."""

    id: int
    scenario_id: str
    trainee: str
    reference: str
    started_at: str
    submitted_at: str | None = None
    earned: float | None = None
    possible: float | None = None
    score: Score | None = None

    @property
    def percentage(self) -> float | None:
        return score_percentage(self.earned, self.possible)


def score_percentage(earned: float | None, possible: float | None) -> float | None:
    """Points earned as a percentage of the possible ones (None before submission)."""
    if earned is None or not possible:
        return None
    return round(100.0 * earned / possible, 1)


def _attempt(row: tuple) -> Attempt:
    (attempt_id, scenario_id, trainee, reference, started_at, submitted_at, earned, possible,
     breakdown) = row
    score = None
    if breakdown:
        score = Score(lines=tuple(ScoreLine(**line) for line in json.loads(breakdown)))
    return Attempt(attempt_id, scenario_id, trainee, reference, started_at, submitted_at,
                   earned, possible, score)


def _require_sandbox(store: Store, action: str) -> None:
    if not is_training_database(store):
        raise RuleViolation(f"{action}: training happens only in the training sandbox "
                            "(mtcr-desk --training)")


def start_attempt(store: Store, scenario_id: str, *, trainee: User) -> Attempt:
    """Import a fresh copy of a scenario for ``trainee`` to review; return the attempt."""
    _require_sandbox(store, "start a scenario")
    if trainee.role not in (Role.OFFICER, Role.SENIOR_OFFICER, Role.TRAINER):
        raise RuleViolation(f"start a scenario: {trainee.username} is an {trainee.role.value}; "
                            "trainees review cases as officers")
    chosen = scenario(store, scenario_id)
    started: list[int] = []

    def record_attempt(connection, reference: str) -> None:
        # In the scenario's import transaction (its supporting cases too): never a
        # trainee's case without its attempt, nor supporting cases without either.
        started.append(training_store.insert_attempt(
            connection, scenario_id=chosen.id, trainee=trainee.username,
            case_reference=reference, started_at=utc_now_iso()))

    training_scenarios.import_scenario(store, chosen, actor=trainee, also=record_attempt)
    return get_attempt(store, started[0])


def get_attempt(store: Store, attempt_id: int) -> Attempt:
    row = training_store.get_attempt(store.connection, attempt_id)
    if row is None:
        raise NotFoundError(f"No training attempt {attempt_id}")
    return _attempt(row)


def attempt_for_case(store: Store, reference: str) -> Attempt | None:
    """The attempt a case belongs to (None for a case that is no attempt)."""
    row = training_store.attempt_for_case(store.connection, reference.strip().upper())
    return _attempt(row) if row else None


def list_attempts(store: Store, *, trainee: str | None = None) -> list[Attempt]:
    return [_attempt(row) for row in training_store.list_attempts(store.connection,
                                                                  trainee=trainee)]


def submit_attempt(store: Store, attempt_id: int, *, actor: User) -> Attempt:
    """Score the attempt's case against the model answer and keep the score (once)."""
    _require_sandbox(store, "submit an attempt")
    attempt = get_attempt(store, attempt_id)
    if actor.username != attempt.trainee and actor.role is not Role.TRAINER:
        raise RuleViolation(f"submit: attempt {attempt_id} is {attempt.trainee}'s; only they "
                            "or a trainer submit it")
    if attempt.submitted_at is not None:
        raise RuleViolation(f"submit: attempt {attempt_id} was submitted at "
                            f"{attempt.submitted_at}; start the scenario again for a new try")
    score = training_scenarios.score_case(store, scenario(store, attempt.scenario_id),
                                          attempt.reference)
    breakdown = json.dumps([line.__dict__ for line in score.lines], ensure_ascii=False)
    with store.write() as connection:
        training_store.record_score(connection, attempt_id, submitted_at=utc_now_iso(),
                                    earned=score.earned, possible=score.possible,
                                    breakdown=breakdown)
    return get_attempt(store, attempt_id)


# --- the class overview ---------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewCell:
    """One trainee on one scenario: how many attempts, the latest and the best score (%)."""

    trainee: str
    scenario_id: str
    attempts: int
    submitted: int
    latest: float | None
    best: float | None


def class_overview(store: Store) -> list[OverviewCell]:
    """Every trainee × scenario with at least one attempt, in trainee then scenario order.

    A trainer's own attempts (the copies a demonstration works on) are not a
    trainee's results and are left out.
    """
    from mtcr_desk.services import users

    trainers = {user.username for user in users.list_users(store) if user.role is Role.TRAINER}
    # Scores only: parsing every attempt's breakdown took most of the time (0.5 s for
    # 9,000 attempts) and the overview shows none of it.
    cells: dict[tuple[str, str], list[float | None]] = {}
    for trainee, scenario_id, earned, possible in training_store.attempt_scores(
            store.connection):
        if trainee in trainers:
            continue
        cells.setdefault((trainee, scenario_id), []).append(
            score_percentage(earned, possible))
    overview = []
    for (trainee, scenario_id), percentages in sorted(cells.items()):
        scored = [percentage for percentage in percentages if percentage is not None]
        overview.append(OverviewCell(trainee, scenario_id, len(percentages), len(scored),
                                     scored[-1] if scored else None,
                                     max(scored) if scored else None))
    return overview


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def overview_csv(store: Store) -> str:
    """The class overview as CSV (one row per trainee and scenario)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["trainee", "scenario", "attempts", "submitted", "latest %", "best %"])
    for cell in class_overview(store):
        writer.writerow([cell.trainee, cell.scenario_id, cell.attempts, cell.submitted,
                         _percent(cell.latest), _percent(cell.best)])
    return buffer.getvalue()


def export_overview(store: Store, destination: Path) -> Path:
    """Write the class overview to ``destination``: CSV, or PDF when it ends in ``.pdf``."""
    destination = Path(destination)
    if destination.suffix.lower() == ".pdf":
        from mtcr_desk.reports.class_report import render_class_report

        titles = {s.id: s.title for s in scenario_library(store)}
        data = render_class_report(class_overview(store), titles)
    elif destination.suffix.lower() == ".csv":
        data = overview_csv(store).encode("utf-8")
    else:
        raise InvalidInputError(f"{destination.name}: export the overview as .csv or .pdf")
    write_file_atomically(destination, data, protected=(store.path,))
    return destination
