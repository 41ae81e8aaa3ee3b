"""Benchmark: the case list over 100,000 cases and 500,000 items.

A database is generated first, in a child process (so that its memory does not
count), with :func:`mtcr_desk.storage.case_list.bulk_generate_cases_for_benchmark`
(direct inserts, no audit rows: a throw-away file). Then, in this process, with
a QApplication (offscreen), each measure runs through the service and the Qt
model, interleaved with a baseline on the same file and connection:

* open: :class:`CaseTableModel` built (count and first page) and the text of 40
  rows x 9 columns read, as a view paints them; baseline: bare
  ``SELECT count(*) FROM cases`` and the first 200 rows ``ORDER BY id DESC``.
* keystroke: ``set_filter`` per keystroke while words are typed and filters
  chosen (status, category, destination, officer, overdue; alone and combined),
  plus the 40 visible rows read; baseline: the bare count and first page of
  ``cases`` with ``applicant LIKE '%typed text%'``. Target: p95 <= 50 ms.
* sort: a click on each column header, both ways (``sort()``), same baseline.
* scroll: ``fetchMore`` of 50 pages of 200 rows; baseline: the same pages of
  ``cases`` by ``LIMIT/OFFSET`` in id order.
* memory: peak RSS of this process at the end; baseline: peak RSS after
  QApplication, the open database and the baseline queries. Target: <= 400 MB.

Prints readable lines and one ``RESULT {json}`` line per measure.

    python bench/case_list.py [--cases N] [--items N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_OPEN_MS = 50.0
TARGET_KEYSTROKE_P95_MS = 50.0
TARGET_RSS_MB = 400.0
VISIBLE_ROWS = 40
OFFICERS = (("olga", "Olga Officer"), ("otto", "Otto Officer"), ("sam", "Sam Senior"),
            ("ivan", "Ivan Officer"), ("mia", "Mia Officer"), ("tina", "Tina Trainer"))


def generate(path: Path, cases: int, items: int) -> float:
    """Build the benchmark database at ``path``; return the seconds it took."""
    from mtcr_desk.domain.users import Role
    from mtcr_desk.services import users
    from mtcr_desk.services.database import open_database
    from mtcr_desk.storage.case_list import bulk_generate_cases_for_benchmark

    started = time.perf_counter()
    store = open_database(path)
    admin = users.add_user(store, username="admin", display_name="Admin",
                           role=Role.ADMINISTRATOR, password="benchmark password", actor=None)
    for username, name in OFFICERS:
        users.add_user(store, username=username, display_name=name, role=Role.OFFICER,
                       password="benchmark password", actor=admin)
    bulk_generate_cases_for_benchmark(
        store.connection, cases=cases, items=items, edition_id="mtcr-2024-structure",
        officers=[username for username, _ in OFFICERS])
    store.close()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux: ru_maxrss is in KB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def keystrokes(case_filter_type, statuses_open, destination: str) -> list:
    """The filters of one pass: words typed a key at a time, then the filter widgets."""
    from mtcr_desk.domain.cases import CaseStatus

    make = case_filter_type
    steps = []
    for typed in ("zenith", "aero dyn", "kestrel propulsion", "MTCR-2025-01", "olga", "gmbh",
                  "meridian instruments ag"):
        steps.extend(make(text=typed[:n]) for n in range(1, len(typed) + 1))
        steps.append(make())  # cleared
    steps += [make(statuses=(CaseStatus.DECIDED,)), make(statuses=statuses_open),
              make(category="I"), make(category="II"), make(category="none"),
              make(destination=destination), make(officer="olga"), make(overdue=True),
              make(statuses=statuses_open, category="I", officer="otto", overdue=True),
              make(text="aero", category="II", destination=destination),
              make(text="ab", statuses=statuses_open), make()]
    return steps


def run(args) -> list[dict]:
    from PySide6.QtCore import QModelIndex, Qt

    from mtcr_desk.services.case_list import OPEN_STATUSES, CaseFilter, CaseListService
    from mtcr_desk.services.database import open_database
    from mtcr_desk.ui.app import create_application
    from mtcr_desk.ui.models.case_table_model import CaseTableModel

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case-list-bench.sqlite"
        completed = subprocess.run(
            [sys.executable, __file__, "--generate", str(path), "--cases", str(args.cases),
             "--items", str(args.items)], capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            sys.stderr.write(completed.stderr)
            raise SystemExit("generating the benchmark database failed")
        build_s = float(completed.stdout.strip().splitlines()[-1])
        size_mb = path.stat().st_size / 1e6

        create_application([])
        store = open_database(path)
        connection = store.connection
        service = CaseListService(store)

        def bare(text: str = "") -> None:
            pattern = f"%{text}%"
            connection.execute("SELECT count(*) FROM cases WHERE applicant LIKE ?",
                               [pattern]).fetchone()
            connection.execute(
                "SELECT reference, applicant, status, destination, officer, received_on, "
                "due_on FROM cases WHERE applicant LIKE ? ORDER BY id DESC LIMIT 200",
                [pattern]).fetchall()

        def bare_open() -> None:
            connection.execute("SELECT count(*) FROM cases").fetchone()
            connection.execute(
                "SELECT reference, applicant, status, destination, officer, received_on, "
                "due_on FROM cases ORDER BY id DESC LIMIT 200").fetchall()

        def paint(model) -> None:
            for row in range(min(VISIBLE_ROWS, model.rowCount())):
                for column in range(model.columnCount()):
                    model.index(row, column).data(Qt.ItemDataRole.DisplayRole)

        bare_open()
        bare("a")
        baseline_rss = peak_rss_mb()

        # Open.
        open_ms, open_bare_ms = [], []
        cold_started = time.perf_counter()
        model = CaseTableModel(service)
        paint(model)
        cold_open_ms = (time.perf_counter() - cold_started) * 1000
        for _ in range(args.repeat * 5):
            started = time.perf_counter()
            model = CaseTableModel(service)
            paint(model)
            open_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            bare_open()
            open_bare_ms.append((time.perf_counter() - started) * 1000)
        total = model.total_count()

        # Keystrokes.
        destination = connection.execute(
            "SELECT destination FROM cases GROUP BY destination ORDER BY count(*) DESC "
            "LIMIT 1").fetchone()[0]
        steps = keystrokes(CaseFilter, OPEN_STATUSES, destination)
        key_ms, key_bare_ms = [], []
        for _ in range(args.repeat):
            for case_filter in steps:
                started = time.perf_counter()
                model.set_filter(case_filter)
                paint(model)
                key_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                bare(case_filter.text)
                key_bare_ms.append((time.perf_counter() - started) * 1000)

        # Sorting.
        model.set_filter(CaseFilter())
        sort_ms, sort_bare_ms = [], []
        for _ in range(args.repeat):
            for column in range(model.columnCount()):
                for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                    started = time.perf_counter()
                    model.sort(column, order)
                    paint(model)
                    sort_ms.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    bare_open()
                    sort_bare_ms.append((time.perf_counter() - started) * 1000)

        # Scrolling: pages fetched on demand.
        model = CaseTableModel(service)
        scroll_ms, scroll_bare_ms = [], []
        for page in range(1, 51):
            started = time.perf_counter()
            model.fetchMore(QModelIndex())
            scroll_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            connection.execute(
                "SELECT reference, applicant, status, destination, officer, received_on, "
                "due_on FROM cases ORDER BY id DESC LIMIT 200 OFFSET ?", [page * 200]).fetchall()
            scroll_bare_ms.append((time.perf_counter() - started) * 1000)
        loaded = model.rowCount()
        figure_rss = peak_rss_mb()
        store.close()

    common = {"cases": args.cases, "items": args.items, "build_s": round(build_s, 1),
              "database_mb": round(size_mb, 1), "total": total}

    def timing(name, figures, baselines, statistic, target, meets, **extra):
        figure = statistic(figures)
        baseline = statistic(baselines)
        return {"bench": name, **common, "unit": "ms", "samples": len(figures),
                "figure": round(figure, 3), "baseline": round(baseline, 3),
                "ratio": round(figure / baseline, 2) if baseline else None,
                "target": target, "meets_target": meets(figure), **extra}

    def p95(values):
        return percentile(values, 0.95)

    return [
        timing("case-list-open", open_ms, open_bare_ms, statistics.median,
               f"<= {TARGET_OPEN_MS:g} ms", lambda f: f <= TARGET_OPEN_MS,
               cold_ms=round(cold_open_ms, 3)),
        timing("case-list-keystroke", key_ms, key_bare_ms, p95,
               f"p95 <= {TARGET_KEYSTROKE_P95_MS:g} ms",
               lambda f: f <= TARGET_KEYSTROKE_P95_MS,
               median=round(statistics.median(key_ms), 3), max=round(max(key_ms), 3),
               keystrokes=len(steps), repeat=args.repeat),
        timing("case-list-sort", sort_ms, sort_bare_ms, p95, "(for reference)",
               lambda f: True, max=round(max(sort_ms), 3)),
        timing("case-list-scroll", scroll_ms, scroll_bare_ms, p95, "(for reference)",
               lambda f: True, loaded=loaded),
        {"bench": "case-list-memory", **common, "unit": "MB", "figure": round(figure_rss, 1),
         "baseline": round(baseline_rss, 1), "ratio": round(figure_rss / baseline_rss, 2),
         "target": f"peak RSS <= {TARGET_RSS_MB:g} MB",
         "meets_target": figure_rss <= TARGET_RSS_MB},
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the keystrokes")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print(generate(args.generate, args.cases, args.items))
        return 0
    results = run(args)
    first = results[0]
    print(f"case list over {first['cases']:,} cases and {first['items']:,} items "
          f"(database {first['database_mb']} MB, generated in {first['build_s']} s)")
    for result in results:
        verdict = "met" if result["meets_target"] else "NOT met"
        unit = result["unit"]
        print(f"  {result['bench']:<20} {result['figure']:>9.3f} {unit}  baseline "
              f"{result['baseline']:>8.3f} {unit}  ratio {result['ratio']}x  "
              f"({result['target']}: {verdict})")
    for result in results:
        print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
