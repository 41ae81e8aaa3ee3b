"""SQL for reference data: countries, MTCR partner status, UN Security Council measures."""

from __future__ import annotations

import json
import sqlite3

from mtcr_desk.storage import audit


def country_count(connection: sqlite3.Connection) -> int:
    return connection.execute("SELECT count(*) FROM countries").fetchone()[0]


def insert_country(connection: sqlite3.Connection, country: dict, *, actor: str,
                   action: str) -> None:
    """Add one country (audited)."""
    audit.insert(connection, "countries", {
        "code": country["code"], "alpha3": country["alpha3"], "name": country["name"],
        "mtcr_status": country.get("mtcr_status"),
        "mtcr_partner_since": country.get("mtcr_partner_since"),
        "un_measures": json.dumps([m["resolution"] for m in country.get("un_measures", [])]),
        "un_measures_summary": country.get("un_measures_summary"),
    }, actor=actor, action=action)


def update_country(connection: sqlite3.Connection, code: str, changes: dict, *, actor: str) -> None:
    """Change a country's MTCR status or UN measures (audited)."""
    audit.update(connection, "countries", {"code": code}, changes, actor=actor,
                 action="edit reference data")


def get_country(connection: sqlite3.Connection, code: str) -> dict | None:
    row = connection.execute(
        "SELECT code, alpha3, name, mtcr_status, mtcr_partner_since, un_measures, "
        "un_measures_summary FROM countries WHERE code = ?", [code]).fetchone()
    if row is None:
        return None
    return {"code": row[0], "alpha3": row[1], "name": row[2], "mtcr_status": row[3],
            "mtcr_partner_since": row[4], "un_measures": json.loads(row[5]),
            "un_measures_summary": row[6]}


def list_countries(connection: sqlite3.Connection) -> list[dict]:
    codes = [row[0] for row in connection.execute("SELECT code FROM countries ORDER BY code")]
    return [country for code in codes if (country := get_country(connection, code))]
