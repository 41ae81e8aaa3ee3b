"""Listing the reference countries for the reference-data page, filtered.

The countries are few (ISO 3166: about 250), so they are read whole and
filtered here rather than in SQL. Each comes back as the
:class:`~mtcr_desk.domain.rules.DestinationFlags` it would raise on a case.
"""

from __future__ import annotations

from mtcr_desk.domain.errors import InvalidInputError
from mtcr_desk.domain.rules import DestinationFlags
from mtcr_desk.storage import reference
from mtcr_desk.storage.database import Store

#: Status filter values: MTCR partner, adherent, neither, or under UN measures.
STATUS_FILTERS = ("partner", "adherent", "none", "un-measures")


def _matches(country: dict, words: list[str], status: str | None) -> bool:
    if status == "un-measures" and not country["un_measures"]:
        return False
    if status in ("partner", "adherent") and country["mtcr_status"] != status:
        return False
    if status == "none" and country["mtcr_status"] is not None:
        return False
    haystack = " ".join((country["code"], country["alpha3"] or "", country["name"])).casefold()
    return all(word in haystack for word in words)


def list_countries(store: Store, *, search: str = "",
                   status: str | None = None) -> list[DestinationFlags]:
    """Return the countries, by code, whose code or name holds every word of ``search``.

    ``status`` narrows the list to one of :data:`STATUS_FILTERS` (None: all).
    """
    if status not in (None, *STATUS_FILTERS):
        raise InvalidInputError(f"country status filter: one of {', '.join(STATUS_FILTERS)}")
    words = search.casefold().split()
    return [DestinationFlags(country=found["code"], country_name=found["name"],
                             mtcr_status=found["mtcr_status"],
                             un_measures=tuple(found["un_measures"]))
            for found in reference.list_countries(store.connection)
            if _matches(found, words, status)]
