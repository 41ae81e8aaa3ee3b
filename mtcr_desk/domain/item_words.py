"""The words and part number an item is compared by, to find precedents.

Words are compared case-insensitively and Unicode-normalised (NFKC), ignoring
one-letter words, common English words ("for", "with") and, in a manufacturer's
name, company forms ("GmbH", "Ltd"). A part number is compared without case,
spaces, ``-``, ``.``, ``/`` and ``_``. The same functions fill the word index the
database keeps of every item (:mod:`mtcr_desk.storage.item_words`) and score
precedents (:mod:`mtcr_desk.services.precedents`), so both always agree.
"""

from __future__ import annotations

import re
import unicodedata

#: Words that say nothing about what an item is.
STOP_WORDS = frozenset("""
    a an and are as at be by for from in into is it of on or per the to with without
    incl including used use type model set kit unit units pcs pieces
""".split())
#: Company forms: "Honeywell Inc." and "Honeywell" are one manufacturer.
COMPANY_FORMS = frozenset("""
    ab ag as bv co company corp corporation gmbh inc incorporated kg kk limited llc ltd
    nv oy plc pty sa sarl sas spa srl
""".split())
#: Characters left out of a part number before comparing (``ABC-123`` = ``abc 123``).
PART_NUMBER_SEPARATORS = " -./_"

_WORD = re.compile(r"\w+")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def words(text: str, *, ignore: frozenset[str] = STOP_WORDS) -> frozenset[str]:
    """Return the comparable words of a text (see the module docstring)."""
    return frozenset(word for word in _WORD.findall(_normalise(text).replace("_", " "))
                     if len(word) > 1 and word not in ignore)


def manufacturer_words(text: str) -> frozenset[str]:
    """Return the words of a manufacturer's name without company forms."""
    return words(text, ignore=STOP_WORDS | COMPANY_FORMS)


def part_number_key(text: str) -> str:
    """Return a part number as compared: case-folded, separators removed."""
    folded = _normalise(text).strip()
    return "".join(ch for ch in folded if ch not in PART_NUMBER_SEPARATORS)
