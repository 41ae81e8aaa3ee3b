"""A full disk while writing the database: a clear message, nothing half written, nothing lost."""

from __future__ import annotations

import shutil

import pytest

from mtcr_desk.domain.errors import StorageError
from mtcr_desk.services import users
from mtcr_desk.services.audit_check import verify
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.demo import open_demo_database
from tests.reliability.test_backup import tiny_filesystem

CASE = "MTCR-2026-0011"


def test_a_full_disk_refuses_the_write_and_keeps_every_committed_record(demo_template):
    size = demo_template.stat().st_size
    # Room for the database and a little more: notes fill the rest.
    with tiny_filesystem(f"{(size // 1024) + 600}k") as folder:
        path = folder / "demo.sqlite"
        shutil.copyfile(demo_template, path)
        store = open_demo_database(path)
        officer = users.get_user(store, "olga.officer")
        cases = CaseService(store)
        committed = 0
        with pytest.raises(StorageError, match="Disk full") as refused:
            for number in range(10_000):
                cases.add_note(CASE, text=f"note {number} " + "x" * 4000, actor=officer)
                committed += 1
        assert "nothing was changed" in str(refused.value)
        assert committed > 0
        notes = [n.text for n in cases.get(CASE).notes if n.text.startswith("note ")]
        assert len(notes) == committed  # every committed note is there, the refused one not
        store.close()
        # The file is whole: it opens, and every record matches its audit chain.
        reopened = open_demo_database(path)
        try:
            assert verify(reopened).ok
            assert len([n for n in CaseService(reopened).get(CASE).notes
                        if n.text.startswith("note ")]) == committed
        finally:
            reopened.close()
