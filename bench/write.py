"""Benchmark: saving an assessment with its audit row, and verifying a long audit chain.

1. ``CaseService.assess`` on a real database file (WAL, ``synchronous=FULL``): the median
   time to save one assessment with its audit row(s), against a bare
   ``BEGIN IMMEDIATE; UPDATE one row; COMMIT`` on the same connection and file,
   interleaved with it. Target: median <= 5 ms.
2. ``audit.verify()`` over 100,000 audit rows (notes added, assessments and factors
   changed, each with its real after-image, appended in one transaction through
   ``storage.audit``), against a plain ``SELECT * FROM audit_log`` fetching every row in
   the same process. Target: <= 1 s.

Prints readable lines and one ``RESULT {json}`` line per measure for ``bench/run_all.py``.

    python bench/write.py [--saves N] [--audit-rows N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mtcr_desk.domain.cases import AssessmentStatus, Item  # noqa: E402
from mtcr_desk.domain.users import Role  # noqa: E402
from mtcr_desk.services import users  # noqa: E402
from mtcr_desk.services.cases import CaseService  # noqa: E402
from mtcr_desk.services.database import open_database, utc_now_iso  # noqa: E402
from mtcr_desk.storage import audit  # noqa: E402

TARGET_SAVE_MS = 5.0
TARGET_VERIFY_S = 1.0
PASSWORD = "benchmark password"


def _setup(folder: Path):
    store = open_database(folder / "bench.sqlite")
    admin = users.add_user(store, username="admin", display_name="Admin",
                           role=Role.ADMINISTRATOR, password=PASSWORD, actor=None)
    officer = users.add_user(store, username="olga", display_name="Olga", role=Role.OFFICER,
                             password=PASSWORD, actor=admin)
    service = CaseService(store)
    case = service.create(actor=officer, applicant="Bench Ltd", destination="DE",
                          items=[Item(line=0, description=f"item {n}", quantity=1)
                                 for n in range(3)])
    return store, service, officer, case.reference


def bench_save(saves: int) -> dict:
    """Median assess (service, audited) against a bare one-row write, interleaved."""
    with tempfile.TemporaryDirectory() as folder:
        store, service, officer, reference = _setup(Path(folder))
        connection = store.connection
        synchronous = connection.execute("PRAGMA synchronous").fetchone()[0]
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
        assert synchronous == 2 and journal == "wal", (synchronous, journal)
        connection.execute("CREATE TABLE bench_scratch (id INTEGER PRIMARY KEY, value TEXT)")
        connection.execute("INSERT INTO bench_scratch (id, value) VALUES (1, '')")
        statuses = [AssessmentStatus.NOT_CONTROLLED, AssessmentStatus.CATCH_ALL]
        service_ms: list[float] = []
        bare_ms: list[float] = []
        for n in range(saves):
            started = time.perf_counter()
            service.assess(reference, line=1 + n % 3, status=statuses[n % 2],
                           rationale=f"rationale {n}", actor=officer)
            service_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE bench_scratch SET value = ? WHERE id = 1", [f"v{n}"])
            connection.execute("COMMIT")
            bare_ms.append((time.perf_counter() - started) * 1000)
        verified = audit.verify(connection)
        assert verified.ok, verified.problem
        store.close()
    figure, baseline = statistics.median(service_ms), statistics.median(bare_ms)
    return {
        "bench": "write-assessment",
        "saves": saves,
        "unit": "ms",
        "figure": round(figure, 4),
        "baseline": round(baseline, 4),
        "ratio": round(figure / baseline, 2),
        "p95": round(sorted(service_ms)[int(0.95 * (len(service_ms) - 1))], 4),
        "target": f"median <= {TARGET_SAVE_MS} ms",
        "meets_target": figure <= TARGET_SAVE_MS,
    }


def _fill_audit(store, officer, reference: str, rows: int) -> None:
    """Append audit rows until the chain has ``rows``, in one transaction, each recording a
    real change: a note added, an assessment or a factor finding changed."""
    (case_id,) = store.connection.execute("SELECT id FROM cases WHERE reference = ?",
                                          [reference]).fetchone()
    item_ids = [i for (i,) in store.connection.execute(
        "SELECT id FROM items WHERE case_id = ? ORDER BY line", [case_id])]
    now = utc_now_iso()
    with store.write() as connection:
        for factor in "abcdef":
            audit.insert(connection, "factors", {
                "case_id": case_id, "factor": factor, "finding": "no concern", "note": "",
                "recorded_by": officer.username, "recorded_at": now},
                actor=officer.username, action="record factor")
        n = 0
        while audit.head(connection)[0] < rows:
            kind = n % 3
            if kind == 0:
                audit.insert(connection, "notes", {
                    "case_id": case_id, "text": f"note {n}", "author": officer.username,
                    "created_at": now}, actor=officer.username, action="add note")
            elif kind == 1:
                audit.update(connection, "assessments", {"item_id": item_ids[n % 3]}, {
                    "status": "not controlled", "rationale": f"rationale {n}",
                    "assessed_by": officer.username, "assessed_at": now},
                    actor=officer.username, action="assess item")
            else:
                audit.update(connection, "factors", {"case_id": case_id,
                                                     "factor": "abcdef"[n % 6]},
                             {"note": f"finding {n}", "recorded_at": now},
                             actor=officer.username, action="record factor")
            n += 1


def bench_verify(audit_rows: int, repeat: int) -> dict:
    """audit.verify() over ``audit_rows`` rows against fetching them all, interleaved."""
    with tempfile.TemporaryDirectory() as folder:
        store, _, officer, reference = _setup(Path(folder))
        started = time.perf_counter()
        _fill_audit(store, officer, reference, audit_rows)
        build_s = time.perf_counter() - started
        connection = store.connection
        verify_s: list[float] = []
        select_s: list[float] = []
        rows = 0
        for _ in range(repeat):
            started = time.perf_counter()
            result = audit.verify(connection)
            verify_s.append(time.perf_counter() - started)
            assert result.ok, result.problem
            rows = result.rows
            started = time.perf_counter()
            fetched = connection.execute("SELECT * FROM audit_log").fetchall()
            select_s.append(time.perf_counter() - started)
            assert len(fetched) == rows
            del fetched
        store.close()
    figure, baseline = statistics.median(verify_s), statistics.median(select_s)
    return {
        "bench": "audit-verify",
        "rows": rows,
        "repeat": repeat,
        "build_s": round(build_s, 2),
        "unit": "s",
        "figure": round(figure, 4),
        "baseline": round(baseline, 4),
        "ratio": round(figure / baseline, 2),
        "target": f"<= {TARGET_VERIFY_S} s for {audit_rows:,} rows",
        "meets_target": figure <= TARGET_VERIFY_S,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300, help="assessments saved")
    parser.add_argument("--audit-rows", type=int, default=100_000, help="audit chain length")
    parser.add_argument("--repeat", type=int, default=5, help="verify() runs")
    args = parser.parse_args()

    save = bench_save(args.saves)
    print(f"save an assessment (CaseService.assess, WAL, synchronous=FULL): {save['saves']} saves")
    print(f"  service  median {save['figure']:.3f} ms  p95 {save['p95']:.3f} ms")
    print(f"  bare     median {save['baseline']:.3f} ms  (BEGIN IMMEDIATE; UPDATE one row; "
          "COMMIT)")
    print(f"  ratio    {save['ratio']:.2f}x   ({save['target']}: "
          f"{'met' if save['meets_target'] else 'NOT met'})")
    print("RESULT " + json.dumps(save))

    check = bench_verify(args.audit_rows, args.repeat)
    print(f"audit.verify() over {check['rows']:,} audit rows (built in {check['build_s']} s), "
          f"median of {check['repeat']}")
    print(f"  verify   {check['figure']:.3f} s")
    print(f"  SELECT * {check['baseline']:.3f} s  (all rows fetched)")
    print(f"  ratio    {check['ratio']:.2f}x   ({check['target']}: "
          f"{'met' if check['meets_target'] else 'NOT met'})")
    print("RESULT " + json.dumps(check))
    return 0


if __name__ == "__main__":
    sys.exit(main())
