"""Drafts of typed text: saved atomically per user, database, case and field; discarded."""

from __future__ import annotations

import json
import os

import pytest

from mtcr_desk import paths
from mtcr_desk.domain.errors import InvalidInputError, StorageError
from mtcr_desk.services.autosave import DraftStore


def test_a_draft_round_trip(tmp_path):
    drafts = DraftStore(tmp_path / "desk.sqlite", "olga", root=tmp_path / "autosave")
    saved = drafts.save("mtcr-2026-0001", "decision-rationale", "First line\nsecond line")
    assert saved.reference == "MTCR-2026-0001"
    path = drafts.folder / "MTCR-2026-0001__decision-rationale.json"
    assert drafts.folder.parent.parent == tmp_path / "autosave"
    assert drafts.folder.parent.name.startswith("desk-") and drafts.folder.name == "olga"
    assert drafts.path("MTCR-2026-0001", "decision-rationale") == path
    assert json.loads(path.read_text(encoding="utf-8"))["text"] == "First line\nsecond line"
    loaded = drafts.load("MTCR-2026-0001", "decision-rationale")
    assert loaded == saved and loaded.first_line == "First line"
    drafts.save("MTCR-2026-0001", "new-note", "  \n  Ünïcödé note")
    drafts.save("MTCR-2026-0002", "new-note", "another case")
    assert [d.field for d in drafts.list("MTCR-2026-0001")] == ["decision-rationale",
                                                                 "new-note"]
    assert drafts.list("MTCR-2026-0001")[1].first_line == "Ünïcödé note"
    assert len(drafts.list()) == 3
    drafts.discard("MTCR-2026-0001", "decision-rationale")
    assert drafts.load("MTCR-2026-0001", "decision-rationale") is None
    drafts.discard("MTCR-2026-0001", "decision-rationale")  # twice is fine
    drafts.discard_case("MTCR-2026-0001")
    assert [d.reference for d in drafts.list()] == ["MTCR-2026-0002"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["MTCR-2026-0002__new-note.json"]


def test_drafts_are_kept_per_user_and_database_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MTCR_DESK_DATA_DIR", str(tmp_path))
    olga = DraftStore(tmp_path / "mtcr-desk.sqlite", "olga")
    otto = DraftStore(tmp_path / "mtcr-desk.sqlite", "otto")
    demo = DraftStore(tmp_path / "mtcr-desk-demo.sqlite", "olga")
    copy_elsewhere = DraftStore(tmp_path / "copy" / "mtcr-desk.sqlite", "olga")
    olga.save("MTCR-2026-0001", "new-note", "Olga's words")
    assert otto.list() == [] and demo.list() == [] and copy_elsewhere.list() == []
    assert olga.folder.parent.parent == paths.user_data_dir() / "autosave"
    assert olga.folder.parent.name.startswith("mtcr-desk-") and olga.folder.name == "olga"
    assert oct(olga.path("MTCR-2026-0001", "new-note").stat().st_mode & 0o777) == "0o600"


def test_blank_text_removes_the_draft(tmp_path):
    drafts = DraftStore(tmp_path / "d.sqlite", "olga", root=tmp_path)
    drafts.save("MTCR-2026-0001", "new-note", "something")
    assert drafts.save("MTCR-2026-0001", "new-note", "  \n ") is None
    assert drafts.list() == []


@pytest.mark.parametrize("reference, field", [("../etc", "note"), ("MTCR-1", "a/b"),
                                              ("MTCR-1", "a__b"), ("", "note"),
                                              ("MTCR-1", ".hidden")])
def test_names_that_could_escape_the_folder_are_refused(tmp_path, reference, field):
    drafts = DraftStore(tmp_path / "d.sqlite", "olga", root=tmp_path)
    with pytest.raises(InvalidInputError):
        drafts.save(reference, field, "text")
    assert list(tmp_path.iterdir()) == []


def test_unreadable_or_renamed_draft_files_are_ignored(tmp_path):
    drafts = DraftStore(tmp_path / "d.sqlite", "olga", root=tmp_path)
    drafts.save("MTCR-2026-0001", "new-note", "good")
    (drafts.folder / "MTCR-2026-0001__bad.json").write_text("{half a file")
    good = drafts.path("MTCR-2026-0001", "new-note")
    (drafts.folder / "MTCR-2026-0009__new-note.json").write_bytes(good.read_bytes())
    assert [d.text for d in drafts.list()] == ["good"]


def test_a_full_disk_keeps_the_previous_draft_whole(tmp_path, monkeypatch):
    drafts = DraftStore(tmp_path / "d.sqlite", "olga", root=tmp_path)
    drafts.save("MTCR-2026-0001", "new-note", "the earlier text")

    def no_space(_descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StorageError, match="No space left"):
        drafts.save("MTCR-2026-0001", "new-note", "the newer text")
    monkeypatch.undo()
    assert drafts.load("MTCR-2026-0001", "new-note").text == "the earlier text"
    assert sorted(p.name for p in drafts.folder.iterdir()) == [
        "MTCR-2026-0001__new-note.json"]


def test_every_username_the_user_service_accepts_keeps_drafts(tmp_path):
    for username in (".ada", "_olga", "-otto", "a__b"):
        drafts = DraftStore(tmp_path / "desk.sqlite", username, root=tmp_path / "autosave")
        drafts.save("MTCR-2026-0001", "new-note", f"{username}'s words")
        assert drafts.load("MTCR-2026-0001", "new-note").text == f"{username}'s words"
    for unsafe in (".", "..", "../x", "Ada"):
        with pytest.raises(InvalidInputError, match="cannot name a draft folder"):
            DraftStore(tmp_path / "desk.sqlite", unsafe, root=tmp_path / "autosave")
