"""The benchmark scripts keep working (their figures are read in bench/RESULTS.md)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def bench_result(script: str, *options: str) -> dict:
    """Run ``bench/<script>`` (which must succeed) and return its one RESULT object."""
    completed = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / script), *options],
        capture_output=True, text=True, timeout=300, check=True,
    )
    [line] = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(line[len("RESULT "):])


def test_search_benchmark_runs_and_reports_a_result():
    result = bench_result("search.py", "--repeat", "1")
    assert result["queries"] == 200
    assert result["service_p95_ms"] > 0 and result["raw_p95_ms"] > 0
    assert result["editions"] == ["mtcr-2024-structure", "eu-2021-821-2025-11"]


def test_startup_benchmark_runs_its_three_programs_and_reports_a_result():
    # Every program must really reach its first paint: a crash would fail the run.
    result = bench_result("startup.py", "--runs", "1")
    # One run each: which one is faster is left to `make bench` (noisy machines).
    assert result["ours_median_s"] > 0 and result["bare_median_s"] > 0
    assert result["same_widgets_median_s"] > 0
    assert result["ratio"] == round(result["ours_median_s"] / result["bare_median_s"], 2)


def test_precedents_benchmark_runs_and_reports_a_result():
    result = bench_result("precedents.py", "--cases", "300", "--items", "1500",
                          "--searches", "3")
    assert result["searches"] == 3 and result["items"] == 1500
    assert result["service_p95_ms"] > 0 and result["raw_p95_ms"] > 0
    assert 0 < result["items_sharing_a_word_median"] < 1500
