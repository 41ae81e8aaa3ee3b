"""Comparing two editions: added, removed and changed entries with text diffs."""

from __future__ import annotations

import pytest

from mtcr_desk.domain.errors import NotFoundError
from mtcr_desk.services.control_list import ControlListService
from mtcr_desk.services.edition_diff import diff_editions
from tests.conftest import edition_document, edition_node, open_with_editions

node = edition_node


OLD = edition_document("test-old", [
    node("3", None, "item", title="Propulsion"),
    node("3.A", "3", "section", title="Equipment"),
    node("3.A.1", "3.A", text="Widget engines having a thrust above 100 units."),
    node("3.A.2", "3.A", text="Sprocket assemblies."),
    node("3.A.3", "3.A", text="Valves for cryogenic fluids."),
    node("3.A.3 Note", "3.A.3", "note", text="3.A.3 does not control garden valves."),
])
NEW = edition_document("test-new", [
    node("3", None, "item", title="Propulsion"),
    node("3.A", "3", "section", title="Equipment"),
    node("3.A.1", "3.A", text="Widget engines having a thrust above 90 units."),
    node("3.A.3", "3.A", text="Valves for cryogenic fluids.", flags=["text_incomplete"]),
    node("3.A.4", "3.A", text="Gizmo housings."),
    node("3.A.4.a", "3.A.4", text="made of titanium."),
])


@pytest.fixture
def service(tmp_path):
    store = open_with_editions(tmp_path, OLD, NEW, include_shipped=False)
    yield ControlListService(store)
    store.close()


def test_added_removed_changed_and_unchanged(service):
    result = diff_editions(service, "test-old", "test-new")
    assert [entry.code for entry in result.added] == ["3.A.4", "3.A.4.a"]
    assert [entry.code for entry in result.removed] == ["3.A.2", "3.A.3 Note"]
    assert [change.code for change in result.changed] == ["3.A.1", "3.A.3"]
    assert result.unchanged_count == 2


def test_a_changed_text_comes_with_a_line_diff(service):
    change = diff_editions(service, "test-old", "test-new").changed[0]
    [text_change] = change.changes
    assert text_change.field == "text"
    assert "-Widget engines having a thrust above 100 units." in text_change.diff
    assert "+Widget engines having a thrust above 90 units." in text_change.diff


def test_a_new_flag_is_a_change(service):
    change = diff_editions(service, "test-old", "test-new").changed[1]
    assert [(c.field, c.old, c.new) for c in change.changes] == [
        ("flags", [], ["text_incomplete"])]


def test_an_edition_compared_with_itself_has_no_differences(service):
    result = diff_editions(service, "test-new", "test-new")
    assert (result.added, result.removed, result.changed) == ((), (), ())
    assert result.unchanged_count == 6


def test_unknown_editions_are_named(service):
    with pytest.raises(NotFoundError, match="No edition 'test-nope'"):
        diff_editions(service, "test-old", "test-nope")
