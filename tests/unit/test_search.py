"""Search: codes in any form go straight to the entry, ranking, filters, hostile input."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtcr_desk.domain.control_list import MATCH_END, MATCH_START
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.database import open_database
from tests.conftest import PROJECT_ROOT, STRUCTURE_EDITION

TEXT_EDITION = "test-fulltext"
EU_EDITION = "eu-2021-821-2025-11"


def _text_edition() -> dict:
    """A small invented full-text edition to test ranking over body text and notes."""
    def entry(code, parent, kind, title=None, text=None, notes=None):
        item = int(code.split(".")[0])
        section = code.split(".")[1] if "." in code else None
        return {"code": code, "parent": parent, "kind": kind, "item": item, "section": section,
                "category": "II", "title": title, "text": text, "notes": notes}

    return {
        "format": "mtcr-desk/edition",
        "format_version": 1,
        "edition": {
            "id": TEXT_EDITION, "regime": "MTCR", "title": "Invented full-text edition",
            "version": "test", "text_status": "full", "has_mtcr_categories": True,
            "provenance": "invented for tests",
        },
        "entries": [
            entry("3", None, "item", title="Widget propulsion"),
            entry("3.A", "3", "section", title="Equipment"),
            entry("3.A.1", "3.A", "entry", title="Sprocket assemblies",
                  text="Assemblies with a gear ratio above 42 to 1."),
            entry("3.A.2", "3.A", "entry", title="Gear housings",
                  text="Housings for sprocket drives made of titanium alloy."),
            entry("3.A.3", "3.A", "entry", title="Valves",
                  text="Valves for cryogenic fluids.",
                  notes="Note: 3.A.3 does not control valves for sprocket lubrication."),
            entry("3.A.4", "3.A", "entry", title="Café equipment (diacritics test)",
                  text="Naïve résumé of equipment."),
        ],
    }


@pytest.fixture
def search_service(tmp_path):
    """A database holding the shipped structure edition and the invented text edition."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for path in (PROJECT_ROOT / "database" / "control_lists").glob("*.json"):
        shutil.copy(path, shipped)
    (shipped / f"{TEXT_EDITION}.json").write_text(json.dumps(_text_edition()), encoding="utf-8")
    store = open_database(tmp_path / "search.sqlite", shipped_folder=shipped)
    yield ControlListService(store)
    store.close()


@pytest.mark.parametrize("typed", ["2.A.1.c", "2a1c", "2A1C", "M2A1c", "2 a 1 c"])
def test_a_code_in_any_form_goes_straight_to_the_entry(control_list, typed):
    hits = control_list.search(typed)
    assert hits[0].code == "2.A.1.c"
    assert hits[0].exact_code_match


@pytest.mark.parametrize(("typed", "code"), [("9.A.1", "9.A.1"), ("9a1", "9.A.1"),
                                             ("Item 3", "3"), ("2.A", "2.A")])
def test_more_code_forms(control_list, typed, code):
    assert control_list.search(typed)[0].code == code


def test_a_code_prefix_lists_the_entry_and_its_sub_entries_in_annex_order(control_list):
    codes = [hit.code for hit in control_list.search("2.A.1", limit=8)]
    assert codes == ["2.A.1", "2.A.1.a", "2.A.1.b", "2.A.1.b.1", "2.A.1.b.2", "2.A.1.b.3",
                     "2.A.1.c", "2.A.1.d"]


def test_words_find_titles_with_highlighted_snippets(control_list):
    hits = control_list.search("production facilities")
    assert {hit.code for hit in hits[:2]} == {"2.B.1", "3.B.1"}
    assert f"{MATCH_START}Production{MATCH_END}" in hits[0].snippet
    assert hits[0].snippet_marked() == '"[Production] [facilities]"'


def test_prefix_matching(control_list):
    codes = [hit.code for hit in control_list.search("propul", edition_id=STRUCTURE_EDITION)]
    assert codes == ["3"]
    assert "2.B.1" in [hit.code for hit in control_list.search("prod fac")]


def test_title_matches_outrank_body_text_and_notes(search_service):
    hits = search_service.search("sprocket", edition_id=TEXT_EDITION)
    assert [hit.code for hit in hits] == ["3.A.1", "3.A.2", "3.A.3"]
    assert hits[1].snippet_marked().count("[sprocket]") == 1
    assert "[sprocket]" in hits[2].snippet_marked()  # found in the note


def test_diacritics_do_not_matter(search_service):
    assert [hit.code for hit in search_service.search("cafe naive")] == ["3.A.4"]


def test_when_no_entry_has_every_word_any_word_may_match(search_service):
    codes = {hit.code for hit in search_service.search("titanium cryogenic",
                                                        edition_id=TEXT_EDITION)}
    assert codes == {"3.A.2", "3.A.3"}


def test_filters_by_edition_item_and_category(search_service):
    everywhere = {hit.edition_id for hit in search_service.search("3.A.1")}
    assert {STRUCTURE_EDITION, TEXT_EDITION} <= everywhere
    only_text = search_service.search("3.A.1", edition_id=TEXT_EDITION)
    assert {hit.edition_id for hit in only_text} == {TEXT_EDITION}
    by_item = search_service.search("software", item=2)
    assert by_item and all(hit.code.startswith("2.") for hit in by_item)
    cat_one = search_service.search("production", category="I")
    assert cat_one and {hit.category.value for hit in cat_one} == {"I"}
    assert search_service.search("sprocket", category="I") == []
    # The EU list carries no MTCR category: a category filter leaves it out.
    assert all(hit.edition_id != EU_EDITION for hit in cat_one)


def test_the_limit_is_respected(control_list):
    assert len(control_list.search("4.C", limit=5)) == 5


def test_bad_filters_are_reported(control_list):
    with pytest.raises(NotFoundError, match="No edition 'nope'"):
        control_list.search("fuel", edition_id="nope")
    with pytest.raises(InvalidInputError, match="Category"):
        control_list.search("fuel", category="III")
    with pytest.raises(InvalidInputError, match="Limit"):
        control_list.search("fuel", limit=0)
    with pytest.raises(InvalidInputError, match="too long"):
        control_list.search("x" * 501)


HOSTILE_QUERIES = [
    '"', '""', "'", "*", "**", "-", "-fuel", "fuel -", "OR", "AND", "NOT", "fuel OR",
    "OR fuel", "NEAR(", "NEAR(fuel", "NEAR(a b, 2)", "(", ")", "((", "fuel)", "[", "]", "{}",
    "^", "^fuel", ":", "code:2A1", "title:", "a:b:c", "🚀", "🚀 fuel 🛰", "\x00", "\\",
    "'; DROP TABLE entries; --", "%", "_", "2.A.1.c*", "*2A1", "+", "fuel + oxidiser",
    "   ", "", "ﷺ", "Ω≈ç√", "中文", "a" * 500, "9" * 500, "2A" + "1" * 400,
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_input_never_breaks_search(control_list, query):
    hits = control_list.search(query)
    assert isinstance(hits, list)


def test_quotes_and_operators_are_plain_words(search_service):
    # "or" is a word of the title "Liquid or gel propellant tanks", not an operator.
    hits = search_service.search('"liquid OR gel"', edition_id=STRUCTURE_EDITION)
    assert [hit.code for hit in hits] == ["3.A.8"]
    hits = search_service.search("NEAR(titanium", edition_id=TEXT_EDITION)
    assert [hit.code for hit in hits] == ["3.A.2"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(query=st.text(max_size=80))
def test_any_text_is_a_valid_search(control_list, query):
    control_list.search(query)


def test_show_refuses_text_that_is_not_a_code(control_list):
    with pytest.raises(InvalidInputError, match="not a control-list code"):
        control_list.show("fuel tanks")
    with pytest.raises(NotFoundError, match="No entry 9.A.99"):
        control_list.show("9.A.99")


def test_a_code_search_lists_only_that_entry_and_its_tree(control_list):
    codes = [hit.code for hit in control_list.search("3.A.1", limit=50)]
    assert codes == ["3.A.1", "3.A.1.a", "3.A.1.b"]  # not 3.A.10, not EU text mentioning 3A1


def test_a_code_prefix_without_an_entry_matches_codes_only(control_list):
    hits = control_list.search("9A10", limit=50)
    assert hits and all(hit.code.startswith("9A10") for hit in hits)


def test_repeated_words_count_once_and_terms_are_capped():
    from mtcr_desk.services.control_list import MAX_TERMS, fts_query_terms

    terms, _ = fts_query_terms(" ".join(["e"] * 246 + ["zzqx", "E"]))
    assert terms == ["e", "zzqx"]
    many, _ = fts_query_terms(" ".join(f"word{i}" for i in range(40)))
    assert len(many) == MAX_TERMS
