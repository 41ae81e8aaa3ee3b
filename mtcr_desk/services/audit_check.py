"""Verifying the audit chain for the user, with a plain description of the result."""

from __future__ import annotations

from datetime import UTC, datetime

from mtcr_desk.storage import audit
from mtcr_desk.storage.database import Store

VerifyResult = audit.VerifyResult


def verify(store: Store) -> VerifyResult:
    """Recompute the chain and check every record against it."""
    return audit.verify(store.connection)


def describe(result: VerifyResult, *, long: bool = False) -> str:
    """One line for the status bar, or a paragraph for a dialog."""
    at = datetime.now(UTC).strftime("%H:%M UTC")
    if result.ok:
        if long:
            return (f"The audit chain is intact: {result.rows} rows, and every record matches "
                    f"its last audited state.\nHead hash: {result.head_hash}")
        return f"intact ({result.rows} rows, {at})"
    if long:
        return (f"The audit chain is broken: {result.problem.message}.\nThe records cannot be "
                "trusted until an administrator has looked into it.")
    row = f"row {result.problem.seq}" if result.problem.seq else "a record"
    return f"BROKEN at {row} ({at})"
