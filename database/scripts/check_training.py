#!/usr/bin/env python3
"""Check the training scenario library and print a summary table.

Usage::

    python database/scripts/check_training.py                  # the shipped library
    python database/scripts/check_training.py --library PATH    # another library folder

Loads every scenario into a temporary database with the shipped editions (the same
checks the application makes), then checks that each model answer meets the MTCR
rules and scores 100 % against itself, and that the library covers every required
topic. Prints one row per scenario; exits 1 with the problem named otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mtcr_desk.domain.cases import CaseStatus  # noqa: E402
from mtcr_desk.domain.errors import MtcrDeskError  # noqa: E402
from mtcr_desk.domain.rules import check_draft  # noqa: E402
from mtcr_desk.domain.training import model_attempt, score_attempt  # noqa: E402
from mtcr_desk.domain.users import Role, User  # noqa: E402
from mtcr_desk.services import reference_data  # noqa: E402
from mtcr_desk.services import training_scenarios as library  # noqa: E402
from mtcr_desk.services.cases import CaseService  # noqa: E402
from mtcr_desk.services.database import open_database  # noqa: E402


def check(folder: Path | None) -> int:
    """Check the library; return the exit status."""
    with tempfile.TemporaryDirectory(prefix="mtcr-training-check-") as temporary:
        store = open_database(Path(temporary) / "check.sqlite")
        try:
            scenarios = library.load_library(store, folder)
            service = CaseService(store)
            drafter = User(username="model.answer", display_name="Model", role=Role.OFFICER)
            problems = []
            print(f"{'id':4} {'difficulty':12} {'items':>5} {'points':>6}  outcome / title")
            for scenario in scenarios:
                answered = model_attempt(scenario.answer, scenario.case)
                failures = check_draft(
                    replace(answered, status=CaseStatus.IN_REVIEW, decisions=()),
                    answered.decisions[0], category=service.category(answered),
                    destination=reference_data.destination_flags(store, answered.destination),
                    drafter=drafter)
                problems.extend(f"{scenario.folder}: model answer breaks a rule: {failure}"
                                for failure in failures)
                score = score_attempt(scenario.answer, answered, item_categories={
                    item.line: service.item_category(answered, item) for item in answered.items})
                if score.percentage != 100.0:
                    problems.append(f"{scenario.folder}: the model answer scores "
                                    f"{score.percentage} %")
                print(f"{scenario.id:4} {scenario.difficulty.value:12} "
                      f"{len(scenario.case.items):>5} {score.possible:>6g}  "
                      f"{scenario.answer.outcome.outcome.value} / {scenario.title}")
            covered = {topic for scenario in scenarios for topic in scenario.topics}
            missing = [topic for topic in library.REQUIRED_TOPICS if topic not in covered]
            if missing:
                problems.append(f"required topics not covered: {', '.join(missing)}")
        finally:
            store.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(scenarios)} scenarios, {'OK' if not problems else 'PROBLEMS'}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=None,
                        help="the library folder (holding scenarios/); default: shipped")
    arguments = parser.parse_args(argv)
    try:
        return check(arguments.library)
    except MtcrDeskError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
