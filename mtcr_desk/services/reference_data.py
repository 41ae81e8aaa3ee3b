"""Reference data: countries with their MTCR partner status and UN Security Council measures.

Loaded into a new database from ``database/reference/countries.json``; an
administrator may change a country's status later (audited). These raise flags
on a case; they never decide it.
"""

from __future__ import annotations

import json
from pathlib import Path

from mtcr_desk import paths
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, RuleViolation
from mtcr_desk.domain.rules import DestinationFlags
from mtcr_desk.domain.users import Role, User
from mtcr_desk.storage import reference
from mtcr_desk.storage.database import Store

SHIPPED_LOADER = "MTCR Desk (shipped reference data)"
MTCR_STATUSES = ("partner", "adherent")


def shipped_reference_file() -> Path:
    return paths.shipped_data_dir() / "reference" / "countries.json"


def load_shipped_reference(store: Store, path: Path | None = None) -> int:
    """Load the shipped countries into a database that has none; return how many."""
    if reference.country_count(store.connection):
        return 0
    path = path or shipped_reference_file()
    if not path.is_file():
        return 0
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        countries = document["countries"]
    except (OSError, ValueError, KeyError) as error:
        raise InvalidInputError(f"{path.name}: not a reference-data file ({error})") from error
    with store.write() as connection:
        if reference.country_count(connection):
            return 0
        for country in countries:
            reference.insert_country(connection, country, actor=SHIPPED_LOADER,
                                     action="load reference data")
    return len(countries)


def country(store: Store, code: str) -> dict:
    """Return a country by ISO code or raise NotFoundError."""
    found = reference.get_country(store.connection, code.upper())
    if found is None:
        raise NotFoundError(f"No country {code!r} (use an ISO 3166 alpha-2 code such as FR)")
    return found


def destination_flags(store: Store, code: str) -> DestinationFlags:
    """Return the flags the reference data raises for a destination."""
    found = country(store, code)
    return DestinationFlags(country=found["code"], country_name=found["name"],
                            mtcr_status=found["mtcr_status"],
                            un_measures=tuple(found["un_measures"]))


def set_country_status(store: Store, *, code: str, actor: User, mtcr_status: str | None = None,
                       un_measures: list[str] | None = None) -> dict:
    """Change a country's MTCR status and/or UN measures (administrators only, audited)."""
    if actor.role is not Role.ADMINISTRATOR:
        raise RuleViolation("reference data: only an administrator edits reference data")
    if mtcr_status not in (None, "none", *MTCR_STATUSES):
        raise InvalidInputError("mtcr status: partner, adherent or none")
    changes: dict = {}
    if mtcr_status is not None:
        changes["mtcr_status"] = None if mtcr_status == "none" else mtcr_status
    if un_measures is not None:
        if not all(measure.isdigit() for measure in un_measures):
            raise InvalidInputError("un measures: resolution numbers such as 1718")
        changes["un_measures"] = json.dumps(un_measures)
    country(store, code)
    with store.write() as connection:
        reference.update_country(connection, code.upper(), changes, actor=actor.username)
    return country(store, code)
