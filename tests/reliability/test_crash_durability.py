"""Killing the app mid-write loses no acknowledged save and never damages the file.

A writer process (``crash_writer.py``) saves assessments, factor findings and notes through
the services on a real database file, printing ``ACK <n>`` after each committed save; the
test kills it with SIGKILL at random moments (while it starts, opens the file, signs in,
or saves), more than 100 times on the same file, restarting it each time. Then every
acknowledged save must be in the file, ``PRAGMA integrity_check`` must say ok and the
audit chain must verify. The seed is printed; set ``MTCR_CRASH_SEED`` to replay a run.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtcr_desk.domain.cases import Item
from mtcr_desk.domain.users import Role
from mtcr_desk.services import users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import open_database
from mtcr_desk.storage import audit
from tests.reliability.crash_writer import LINES, target

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

WRITER = Path(__file__).resolve().parent / "crash_writer.py"
KILLS = 110
#: Share of kills made blind (any moment from process start), the rest once signed in.
BLIND_SHARE = 0.25
#: Save numbers of one writer run start at a multiple of this (they never collide).
STRIDE = 100_000
CHECK_EVERY = 10
PASSWORD = "correct horse"


def _prepare(path: Path) -> str:
    """Create the users and an open case with three items; return the case reference."""
    store = open_database(path)
    try:
        admin = users.add_user(store, username="admin", display_name="Admin",
                               role=Role.ADMINISTRATOR, password=PASSWORD, actor=None)
        officer = users.add_user(store, username="olga", display_name="Olga",
                                 role=Role.OFFICER, password=PASSWORD, actor=admin)
        case = CaseService(store).create(
            actor=officer, applicant="Crash Test GmbH", destination="DE",
            received_on="2026-06-01",
            items=[Item(line=0, description=f"item {n}", quantity=1) for n in range(LINES)])
        return case.reference
    finally:
        store.close()


def _marker(image: dict) -> int | None:
    for field in ("rationale", "note", "text"):
        value = image.get(field)
        if isinstance(value, str) and value.startswith("save "):
            return int(value[5:])
    return None


def _check(path: Path, acked: set[int]) -> tuple[int, int]:
    """Assert the file is sound and holds every acknowledged save; return (rows, saves)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        result = audit.verify(connection)
        assert result.ok, result.problem
        # History: every acknowledged save has its audit row.
        audited = set()
        for (after,) in connection.execute(
                "SELECT after FROM audit_log WHERE entity IN "
                "('assessments', 'factors', 'notes') AND after IS NOT NULL"):
            marker = _marker(json.loads(after))
            if marker is not None:
                audited.add(marker)
        lost = sorted(acked - audited)
        assert not lost, f"{len(lost)} acknowledged saves lost, first {lost[:10]}"
        # State: every acknowledged note is there; each assessment and factor holds the
        # last acknowledged save on it, or a later one.
        notes = {int(text[5:]) for (text,) in connection.execute(
            "SELECT text FROM notes WHERE text LIKE 'save %'")}
        assert {n for n in acked if target(n)[0] == "note"} <= notes
        current: dict[tuple[str, str], int] = {}
        for line, rationale in connection.execute(
                "SELECT i.line, a.rationale FROM assessments AS a JOIN items AS i "
                "ON i.id = a.item_id"):
            if rationale.startswith("save "):
                current[("assessment", str(line))] = int(rationale[5:])
        for factor, note in connection.execute("SELECT factor, note FROM factors"):
            current[("factor", factor)] = int(note[5:])
        for n in acked:
            kind, which = target(n)
            if kind != "note":
                assert current.get((kind, which), -1) >= n, (n, kind, which, current)
        return result.rows, len(audited)
    finally:
        connection.close()


def _run_writer(path: Path, reference: str, first: int, rng: random.Random,
                stderr_path: Path) -> tuple[list[int], bool]:
    """Start the writer, kill it at a random moment; return (acknowledged saves, blind)."""
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(WRITER), str(path), "olga", PASSWORD, reference, str(first)],
            stdout=subprocess.PIPE, stderr=stderr)
    try:
        blind = rng.random() < BLIND_SHARE
        if blind:
            time.sleep(rng.uniform(0.0, 0.35))
            output = b""
        else:
            output = process.stdout.readline()
            if output != b"READY\n":
                process.wait(timeout=10)
                pytest.fail(f"writer did not start: {output!r} "
                            f"{stderr_path.read_text(errors='replace')}")
            time.sleep(rng.uniform(0.0, 0.04))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        output += process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    if process.returncode != -signal.SIGKILL:
        pytest.fail(f"writer ended by itself (exit {process.returncode}): "
                    f"{stderr_path.read_text(errors='replace')}")
    acks = [int(line[4:]) for line in output.split(b"\n")[:-1] if line.startswith(b"ACK ")]
    return acks, blind


def test_no_acknowledged_save_is_lost_across_sigkills(template_database, tmp_path):
    seed = int(os.environ.get("MTCR_CRASH_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    path = tmp_path / "crash.sqlite"
    shutil.copyfile(template_database, path)
    reference = _prepare(path)

    acked: set[int] = set()
    blind_kills = kills_with_acks = 0
    started = time.monotonic()
    for kill in range(1, KILLS + 1):
        acks, blind = _run_writer(path, reference, kill * STRIDE, rng,
                                  tmp_path / "writer-stderr.txt")
        assert acks == list(range(kill * STRIDE, kill * STRIDE + len(acks)))
        acked.update(acks)
        blind_kills += blind
        kills_with_acks += bool(acks)
        if kill % CHECK_EVERY == 0:
            _check(path, acked)
    rows, saves = _check(path, acked)
    elapsed = time.monotonic() - started
    print(f"\n[crash durability] seed {seed}: {KILLS} SIGKILLs ({blind_kills} blind, "
          f"{kills_with_acks} mid-loop with acks), {len(acked)} acknowledged saves, "
          f"{saves} saves on record (lost 0), audit rows {rows} (max seq {rows}), "
          f"integrity ok, audit verify ok, {elapsed:.1f} s")
    assert len(acked) >= KILLS  # the writer did get to save, many times
    assert kills_with_acks >= KILLS // 2
