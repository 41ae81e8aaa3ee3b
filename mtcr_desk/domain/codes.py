"""Control-list entry codes: recognising and normalising what officers type.

Officers type codes in many forms: ``2.A.1.c``, ``2A1c``, ``2 a 1 c``,
``M2A1c`` (the UK licensing system's form), ``9.A.1`` or ``9a1``, and EU codes
such as ``9A101`` or ``1C111.a``. Every form is reduced to one *code key*:
upper case, no dots, spaces or leading ``M``. Each entry stores its key, so a
lookup by key finds the entry whatever form was typed.

The key is unambiguous within an edition because the parts of a code
alternate between digits and letters (item digits, section letter, entry
digits, sub-entry letter, sub-entry digits, ...): the boundary between two
parts is always a digit/letter change, so removing the dots loses nothing.
"""

from __future__ import annotations

import re

# An item number (1-2 digits), a section letter A-E, an entry number, then any
# run of sub-entry parts. Dots, spaces and hyphens between parts are optional.
_CODE_PATTERN = re.compile(
    r"""^\s*
        [Mm]?                       # UK licensing form: M2A1c
        (?P<item>\d{1,2}) [\s.]*
        (?P<section>[A-Ea-e]) [\s.]*
        (?P<rest>\d{1,3}(?:[\s.]*(?:[A-Za-z]{1,2}(?![A-Za-z])|\d{1,3}(?!\d)))*)
        [\s.]*$""",
    re.VERBOSE,
)

# Sub-entry letters are a-z, occasionally doubled (aa, bb) in long lists.
_PART_PATTERN = re.compile(r"\d+|[A-Za-z]+")


def looks_like_code(text: str) -> bool:
    """Return True when ``text`` could be a control-list code in some common form."""
    return _CODE_PATTERN.match(text) is not None


def code_key(text: str) -> str | None:
    """Return the normalised key of a code typed in any common form, or None.

    >>> code_key("2.A.1.c"), code_key("2a1c"), code_key("M2A1c"), code_key("9A101")
    ('2A1C', '2A1C', '2A1C', '9A101')
    """
    match = _CODE_PATTERN.match(text)
    if match is None:
        return None
    parts = [match["item"].lstrip("0") or "0", match["section"]]
    parts.extend(_PART_PATTERN.findall(match["rest"]))
    return "".join(parts).upper()


def code_parts(code: str) -> list[str]:
    """Split a stored code into its parts (``2.A.1.c`` -> ``['2', 'A', '1', 'c']``)."""
    return _PART_PATTERN.findall(code)


def compact_code(code: str) -> str:
    """Return the compact form of a dotted code (``2.A.1.c`` -> ``2A1c``)."""
    return "".join(code_parts(code))


# "3", "Item 3", "item 12", "2.A", "2 a", "Item 2.A": items and sections.
_ITEM_OR_SECTION_PATTERN = re.compile(
    r"^\s*(?:item\s*)?(?P<item>\d{1,2})(?:[\s.]*(?P<section>[A-Ea-e]))?[\s.]*$",
    re.IGNORECASE,
)


def lookup_key(text: str) -> str | None:
    """Return the key to look up any node by code: entries, sections and items.

    >>> lookup_key("2.a.1.c"), lookup_key("Item 3"), lookup_key("2.A"), lookup_key("fuel")
    ('2A1C', '3', '2A', None)
    """
    key = code_key(text)
    if key is not None:
        return key
    match = _ITEM_OR_SECTION_PATTERN.match(text)
    if match is None:
        return None
    item = match["item"].lstrip("0") or "0"
    return (item + (match["section"] or "")).upper()


_SECTION_CODE_PATTERN = re.compile(r"^\s*[Mm]?(\d{1,2})[\s.]*([A-Ea-e])[\s.]*$")


def code_search_term(chunk: str) -> str | None:
    """Return the compact search term for one typed word that is a code, else None.

    Entry codes and ``item.section`` codes become their compact form, which the
    search index holds for every entry (``2.A.1`` -> ``2A1``, ``2.A`` -> ``2A``);
    a bare number stays an ordinary word.

    >>> [code_search_term(text) for text in ("2.A.1", "2.a", "3", "fuel")]
    ['2A1', '2A', None, None]
    """
    key = code_key(chunk)
    if key is not None:
        return key
    match = _SECTION_CODE_PATTERN.match(chunk)
    if match is None:
        return None
    return (match[1].lstrip("0") or "0") + match[2].upper()


# Cross-references inside control-list text: EU codes (9A104, 1C011.a.) and MTCR
# dotted codes (3.A.1., 2.A.1.c). The trailing full stop of a reference is not part of it.
_REFERENCE_PATTERN = re.compile(
    r"""(?<![\w.])
        (?: \d[A-E]\d{3}                  # EU: 9A104
          | \d{1,2}\.[A-E]\.\d{1,2}       # MTCR: 3.A.1
        )
        (?:\.(?:[a-z]{1,2}|\d{1,2})(?![\w]))*   # sub-entries: .a .1 .aa
    """,
    re.VERBOSE,
)


def find_code_references(text: str) -> list[str]:
    """Return the codes mentioned in ``text``, in order, each once.

    >>> find_code_references("specified in 9A004 or 9A104, see also 1C111.a.5. and 3.A.1.")
    ['9A004', '9A104', '1C111.a.5', '3.A.1']
    """
    found: list[str] = []
    for match in _REFERENCE_PATTERN.finditer(text):
        code = match.group(0)
        if code not in found:
            found.append(code)
    return found


def resolve_reference(code: str, known_codes: set[str] | frozenset[str]) -> str | None:
    """Return the nearest existing code for a reference (``9A112.a.9`` -> ``9A112.a``)."""
    candidate = code
    while candidate:
        if candidate in known_codes:
            return candidate
        if "." not in candidate:
            return None
        candidate = candidate.rsplit(".", 1)[0]
        # Do not climb from an MTCR entry ("3.A.1") to its section ("3.A").
        if re.fullmatch(r"\d{1,2}\.[A-E]", candidate):
            return None
    return None
