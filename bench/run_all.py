"""Run every benchmark in ``bench/`` and write ``bench/RESULTS.md``.

Each benchmark script prints one ``RESULT {json}`` line; this collects them into
one table with the measure, its target, the figure, the baseline measured in the
same run, and their ratio, plus the machine and the date. Figures are ratios
against a baseline from the same process because machines here are shared and
noisy; absolute times are given for reference only.

    python bench/run_all.py
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"


def run_benchmark(script: Path) -> list[dict]:
    """Run one benchmark script; return the RESULT objects it printed."""
    print(f"== {script.name}", flush=True)
    completed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                               check=False)
    sys.stdout.write(completed.stdout)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"{script.name} failed with exit code {completed.returncode}")
    return [json.loads(line[len("RESULT "):]) for line in completed.stdout.splitlines()
            if line.startswith("RESULT ")]


def table_rows(result: dict) -> list[str]:
    """Return the Markdown table rows for one benchmark result."""
    if result["bench"] == "search":
        verdict = "met" if result["meets_target"] else "**not met**"
        return [
            f"| control-list search p95 ({result['queries']} queries x {result['repeat']}, "
            f"editions: {', '.join(result['editions'])}) | p95 <= 10 ms and <= 2x raw FTS5 | "
            f"{result['service_p95_ms']:.3f} ms | {result['raw_p95_ms']:.3f} ms | "
            f"{result['ratio_p95']:.2f}x | {verdict} |",
            f"| control-list search p50 | (for reference) | {result['service_p50_ms']:.3f} ms | "
            f"{result['raw_p50_ms']:.3f} ms | {result['ratio_p50']:.2f}x | |",
        ]
    if result["bench"] == "memo-render":
        verdict = "met" if result["meets_target"] else "**not met**"
        baseline = (f"{result['baseline']:.1f} ms (WeasyPrint, same content as HTML)"
                    if result["baseline"] is not None else "WeasyPrint not installed")
        speedup = f"{result['speedup']:.1f}x faster" if result["speedup"] else ""
        return [f"| decision memo, {result['items']} items ({result['pages']} pages), median of "
                f"{result['repeat']} | median <= 60 ms (CPU time); >= 5x faster than WeasyPrint | "
                f"{result['figure']:.1f} ms wall, {result['cpu_median_ms']:.1f} ms CPU | "
                f"{baseline} | {speedup} | {verdict} |"]
    if result["bench"] == "memo-batch":
        return [f"| decision memos in a batch ({result['memos']:,} x {result['items']} items) | "
                f"(for reference) | {result['figure']:.1f} memos/s | | | |"]
    if result["bench"] in ("write-assessment", "audit-verify"):
        verdict = "met" if result["meets_target"] else "**not met**"
        if result["bench"] == "write-assessment":
            measure = (f"save an assessment with its audit row, median ({result['saves']} "
                       "saves, WAL, synchronous=FULL; baseline: bare BEGIN IMMEDIATE, "
                       "UPDATE one row, COMMIT)")
        else:
            measure = (f"audit.verify() over {result['rows']:,} audit rows, median of "
                       f"{result['repeat']} (baseline: SELECT * FROM audit_log, all rows)")
        unit = result["unit"]
        return [f"| {measure} | {result['target']} | {result['figure']:.3f} {unit} | "
                f"{result['baseline']:.3f} {unit} | {result['ratio']:.2f}x | {verdict} |"]
    if result["bench"] == "precedents":
        return [
            f"| precedents of an item, {result['cases']:,} cases / {result['items']:,} items "
            f"({result['searches']} items; median {result['items_sharing_a_word_median']:,} "
            f"items share a word with one), p95 | (no target yet) | "
            f"{result['service_p95_ms']:.1f} ms (p50 {result['service_p50_ms']:.1f}) | "
            f"{result['raw_p95_ms']:.1f} ms (the word-index query alone) | "
            f"{result['ratio_p95']:.2f}x | |",
        ]
    if result["bench"] == "startup":
        verdict = "met" if result["meets_target"] else "**not met**"
        return [
            f"| start to first painted main window on the demo database, median of "
            f"{result['runs']} runs (offscreen) | <= 1.5x a bare Qt window | "
            f"{result['ours_median_s'] * 1000:.0f} ms | {result['bare_median_s'] * 1000:.0f} ms "
            f"(bare QApplication + QMainWindow) | {result['ratio']:.2f}x | {verdict} |",
            f"| the same widgets in plain PySide, no application code (what Qt alone costs "
            f"for this window) | (for reference) | {result['same_widgets_median_s'] * 1000:.0f} "
            f"ms | {result['bare_median_s'] * 1000:.0f} ms | "
            f"{result['same_widgets_ratio']:.2f}x | |",
            f"| MTCR Desk against that plain-PySide window (what our code adds) | "
            f"(for reference) | {result['ours_median_s'] * 1000:.0f} ms | "
            f"{result['same_widgets_median_s'] * 1000:.0f} ms | "
            f"{result['ours_median_s'] / result['same_widgets_median_s']:.2f}x | |",
        ]
    if result["bench"].startswith("case-list-"):
        return [case_list_row(result)]
    return [f"| {result['bench']} | | {json.dumps(result)} | | | |"]


#: Measure and baseline of each bench/case_list.py result.
CASE_LIST_MEASURES = {
    "case-list-open": ("open the list, median", "bare count + first 200 rows of cases"),
    "case-list-keystroke": ("filter keystroke p95 ({keystrokes} keystrokes x {repeat})",
                            "bare count + first 200 rows, applicant LIKE typed text"),
    "case-list-sort": ("sort by a column p95 (9 columns x 2 orders)",
                       "bare count + first 200 rows of cases"),
    "case-list-scroll": ("fetch the next 200 rows p95 ({loaded:,} rows fetched)",
                         "the same page of cases by LIMIT/OFFSET"),
    "case-list-memory": ("peak RSS", "peak RSS with QApplication, database open, bare queries"),
}


def case_list_row(result: dict) -> str:
    """One table row for a bench/case_list.py result."""
    measure, baseline = CASE_LIST_MEASURES[result["bench"]]
    measure = (f"case list ({result['cases']:,} cases, {result['items']:,} items): "
               + measure.format(**result))
    verdict = "met" if result["meets_target"] else "**not met**"
    if result["target"].startswith("("):
        verdict = ""
    unit = result["unit"]
    precision = 1 if unit == "MB" else 3
    return (f"| {measure} | {result['target']} | {result['figure']:.{precision}f} {unit} | "
            f"{result['baseline']:.{precision}f} {unit} ({baseline}) | "
            f"{result['ratio']:.2f}x | {verdict} |")


def main() -> int:
    scripts = sorted(path for path in BENCH_DIR.glob("*.py") if path.name != "run_all.py")
    results = []
    for script in scripts:
        results.extend(run_benchmark(script))
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
               f"{platform.release()}, Python {platform.python_version()}, "
               f"SQLite {sqlite3.sqlite_version}")
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run_all.py`); do not edit by hand.",
        f"Machine: {machine}. Date: {now}.",
        "",
        "Each baseline is measured in the same process and run, interleaved with the figure;",
        "the ratio is what the targets are about (machines here are shared and noisy).",
        "",
        "| measure | target | figure | baseline (same run) | ratio | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        lines.extend(table_rows(result))
    lines += [
        "",
        "Baselines: *search*: the same FTS5 statements the service runs for each query",
        "(prepared match expression, all-words query plus the any-word fallback when it",
        "applies), executed raw on the same connection.",
        "",
        "*Start-up*: every program runs from compiled bytecode, as an installed app does.",
        "The plain-PySide window shows the same kinds of widgets with no application code",
        "at all; what it costs over the bare window is what these Qt classes cost to load",
        "(PySide builds each class and its enums on first use), whatever the application",
        "does. The second reference row is what our own code (command line, services,",
        "storage, the database opening, the case list) adds on top of that.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
