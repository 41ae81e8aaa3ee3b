"""Codes typed in any common form reduce to one key."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtcr_desk.domain.codes import code_key, code_search_term, compact_code, lookup_key
from tests.conftest import PROJECT_ROOT

STRUCTURE_FILE = PROJECT_ROOT / "database" / "control_lists" / "mtcr-2024-structure.json"


@pytest.mark.parametrize(
    "typed",
    ["2.A.1.c", "2A1c", "2a1c", "2.a.1.c", " 2 A 1 c ", "M2A1c", "m2a1c", "2A1.c", "2.A.1.c."],
)
def test_common_forms_of_one_code_share_a_key(typed):
    assert code_key(typed) == "2A1C"


@pytest.mark.parametrize(
    ("typed", "key"),
    [("9.A.1", "9A1"), ("9a1", "9A1"), ("9A101", "9A101"), ("1C111.a", "1C111A"),
     ("3.A.10", "3A10"), ("4.C.2.b.4.k", "4C2B4K"), ("0A001", "0A001"), ("12.A.1", "12A1")],
)
def test_keys_of_mtcr_and_eu_codes(typed, key):
    assert code_key(typed) == key


@pytest.mark.parametrize(
    "text",
    ["fuel", "", "2", "2.A", "A2", "2.F.1", "2A1 propellant", "Item 3", "9A1 accelerometers"],
)
def test_text_that_is_not_an_entry_code_has_no_code_key(text):
    assert code_key(text) is None


@pytest.mark.parametrize(
    ("typed", "key"),
    [("3", "3"), ("Item 3", "3"), ("item 12", "12"), ("2.A", "2A"), ("2 a", "2A"),
     ("2.A.1", "2A1"), ("fuel", None), ("Item", None), ("21x", None)],
)
def test_lookup_key_covers_items_and_sections(typed, key):
    assert lookup_key(typed) == key


def test_code_search_term_keeps_bare_numbers_as_words():
    assert code_search_term("3") is None
    assert code_search_term("2.A") == "2A"
    assert code_search_term("9.a.1") == "9A1"


def test_every_shipped_code_round_trips_through_its_compact_form():
    entries = json.loads(STRUCTURE_FILE.read_text(encoding="utf-8"))["entries"]
    keys = {}
    for entry in entries:
        key = lookup_key(entry["code"])
        assert key is not None, entry["code"]
        assert lookup_key(compact_code(entry["code"])) == key
        # Keys are unique within the edition: no two codes collapse together.
        assert keys.setdefault(key, entry["code"]) == entry["code"]


@given(
    item=st.integers(min_value=1, max_value=20),
    section=st.sampled_from("ABCDE"),
    parts=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=4),
)
def test_dotted_and_compact_forms_agree(item, section, parts):
    # Sub-entry parts alternate number / letter / number ...
    rendered = [str(parts[0])]
    for index, value in enumerate(parts[1:]):
        rendered.append(chr(ord("a") + value % 26) if index % 2 == 0 else str(value))
    dotted = ".".join([str(item), section, *rendered])
    assert code_key(dotted) == code_key(compact_code(dotted)) == code_key(dotted.upper())
