"""Checks on text that users and files give us, before it is stored or shown."""

from __future__ import annotations

import math
import re

# Control characters other than tab, newline and carriage return never belong in a record.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str) -> str | None:
    """Return what is wrong with a piece of text (invalid or control character), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"contains an invalid character (position {error.start})"
    match = _CONTROL_CHARACTERS.search(value)
    if match:
        return f"contains a control character (position {match.start()})"
    return None


def is_finite_number(value: object) -> bool:
    """True for an int or float that is not a bool, NaN or infinite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)
