"""Recovery: a killed app leaves no stale lock and loses nothing committed; full disks
give clear messages and no partial files; logs never carry case content."""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from mtcr_desk.domain.cases import AssessmentStatus, Factor, Finding
from mtcr_desk.domain.errors import StorageError
from mtcr_desk.services import backup, users
from mtcr_desk.services.autosave import DraftStore
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import open_database
from mtcr_desk.services.files import write_file_atomically
from mtcr_desk.services.instance_lock import InstanceLock
from mtcr_desk.storage import audit
from tests.conftest import PASSWORDS, PROJECT_ROOT
from tests.processes import child_process, kill_hard
from tests.reliability.test_backup import open_case, tiny_filesystem

LOCK_HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from mtcr_desk.services import users
    from mtcr_desk.services.cases import CaseService
    from mtcr_desk.services.database import open_database
    from mtcr_desk.services.instance_lock import InstanceLock

    path = Path(sys.argv[1])
    lock = InstanceLock(path)
    assert lock.acquire()
    store = open_database(path)
    olga = users.authenticate(store, username="olga", password=sys.argv[2])
    CaseService(store).add_note(sys.argv[3], text="committed before the kill", actor=olga)
    print("COMMITTED", flush=True)
    # Keep a write transaction open, as if killed in the middle of the next save.
    store.connection.execute("BEGIN IMMEDIATE")
    store.connection.execute("DELETE FROM settings")
    print("HOLDING", flush=True)
    time.sleep(120)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_app_leaves_no_stale_lock_and_loses_nothing_committed(store, people,
                                                                       tmp_path):
    reference = open_case(store, people["olga"])
    path = store.path
    store.close()
    script = tmp_path / "hold_lock.py"
    script.write_text(LOCK_HOLDER.format(root=str(PROJECT_ROOT)))
    with child_process([sys.executable, str(script), str(path), PASSWORDS["olga"],
                        reference]) as process:
        assert process.stdout.readline() == b"COMMITTED\n", process.stderr.read()
        assert process.stdout.readline() == b"HOLDING\n"
        # While it lives, it holds the lock: a second instance would open read-only.
        assert not InstanceLock(path).acquire()
        kill_hard(process)
    assert process.returncode == -signal.SIGKILL
    assert Path(f"{path}.lock").exists()  # the file stays; the lock died with the process

    lock = InstanceLock(path)
    assert lock.acquire(), "a lock held by a dead process must not block the next start"
    try:
        assert Path(f"{path}.lock").read_text() == f"{os.getpid()}\n"
        with open_database(path) as reopened:
            case = CaseService(reopened).get(reference)
            assert case.notes[-1].text == "committed before the kill"
            assert audit.verify(reopened.connection).ok
            assert reopened.connection.execute("PRAGMA integrity_check").fetchall() == \
                [("ok",)]
    finally:
        lock.release()


# --- full and read-only disks for exports -------------------------------------------------


def test_an_export_to_a_full_disk_leaves_no_partial_file(tmp_path):
    with tiny_filesystem("256k") as folder:
        (folder / "memo.pdf").write_bytes(b"the old memo")
        with pytest.raises(StorageError, match="No space left on device; nothing was written"):
            write_file_atomically(folder / "memo.pdf", b"x" * (512 * 1024))
        assert [p.name for p in folder.iterdir()] == ["memo.pdf"]
        assert (folder / "memo.pdf").read_bytes() == b"the old memo"


def test_an_export_to_a_read_only_disk_is_refused_clearly(tmp_path):
    with tiny_filesystem("1m", read_only=True) as folder:
        with pytest.raises(StorageError, match="Read-only file system; nothing was written"):
            write_file_atomically(folder / "case.json", b"{}")
        assert [p.name for p in folder.iterdir()] == ["already-here.txt"]


def test_a_failing_write_call_leaves_no_partial_file(tmp_path, monkeypatch):
    """ENOSPC from the write itself, as the operating system reports a full disk."""
    (tmp_path / "case.json").write_bytes(b"old")
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self._handle = handle

        def write(self, data):
            self._handle.write(data[: len(data) // 2])  # half of it got out
            self._handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self._handle.close()

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k)))
    with pytest.raises(StorageError, match="No space left on device; nothing was written"):
        write_file_atomically(tmp_path / "case.json", b"new content" * 1000)
    assert [p.name for p in tmp_path.iterdir()] == ["case.json"]
    assert (tmp_path / "case.json").read_bytes() == b"old"


# --- logs ---------------------------------------------------------------------------------


def test_no_case_content_is_logged_above_debug(store, people, tmp_path, caplog):
    secrets = {
        "applicant": "Qwertzuiop Rocketry Holdings",
        "description": "Xylophonic guidance gyroscope",
        "rationale": "Rationale-Zebra-7731 about the gyroscope",
        "factor note": "Factor-Note-Okapi-2291",
        "note": "Case-Note-Narwhal-5512",
        "draft": "Draft-Text-Quokka-8830",
    }
    caplog.set_level(logging.INFO)  # everything at INFO and above, from every logger
    olga = users.authenticate(store, username="olga", password=PASSWORDS["olga"])
    service = CaseService(store)
    reference = open_case(store, olga, secrets["applicant"], items=1)
    service.update_details(reference, actor=olga, end_use=secrets["description"])
    service.assess(reference, line=1, status=AssessmentStatus.NOT_CONTROLLED,
                   rationale=secrets["rationale"], actor=olga)
    service.record_factor(reference, factor=Factor.A, finding=Finding.NO_CONCERN,
                          note=secrets["factor note"], actor=olga)
    service.add_note(reference, text=secrets["note"], actor=olga)
    DraftStore(store.path, "olga", root=tmp_path / "drafts").save(reference, "new-note",
                                                                  secrets["draft"])
    made = backup.create_backup(store, folder=tmp_path)
    store.close()
    backup.restore(store.path, made.path)
    assert "backup written" in caplog.text  # the capture works: the backup was logged
    logged = "\n".join(record.getMessage() for record in caplog.records
                       if record.levelno > logging.DEBUG)
    for what, text in secrets.items():
        assert text not in logged, f"the {what} was logged"
        assert text not in caplog.text, f"the {what} was logged"
