"""SQL for edits that take a record back out: clearing a factor's finding.

Undoing the first finding on a factor removes the row again; the delete goes
through :func:`mtcr_desk.storage.audit.delete` so that it leaves one audit row
in the caller's transaction, like every other change.
"""

from __future__ import annotations

import sqlite3

from mtcr_desk.domain.cases import Factor
from mtcr_desk.storage import audit


def delete_factor(connection: sqlite3.Connection, case_row_id: int, factor: Factor, *,
                  actor: str, action: str = "clear factor") -> bool:
    """Delete the finding on one factor (audited); return False when none was recorded."""
    key = {"case_id": case_row_id, "factor": factor.value}
    try:
        audit.delete(connection, "factors", key, actor=actor, action=action)
    except KeyError:
        return False
    return True
