"""bench/memo.py keeps working, with and without WeasyPrint (a bench-only extra)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench" / "memo.py"


def run_bench(*prefix: str) -> tuple[str, list[dict]]:
    completed = subprocess.run(
        [sys.executable, *prefix, str(BENCH), "--repeat", "2", "--batch", "3"],
        capture_output=True, text=True, timeout=300, check=True, cwd=PROJECT_ROOT)
    results = [json.loads(line[len("RESULT "):]) for line in completed.stdout.splitlines()
               if line.startswith("RESULT ")]
    return completed.stdout, results


def test_memo_benchmark_reports_render_and_batch():
    _, results = run_bench()
    render, batch = results
    assert render["bench"] == "memo-render" and render["items"] == 20
    assert render["figure"] > 0 and render["cpu_median_ms"] > 0 and render["pages"] >= 2
    assert batch["bench"] == "memo-batch" and batch["memos"] == 3 and batch["figure"] > 0


def test_memo_benchmark_says_so_when_weasyprint_is_missing(tmp_path):
    # A module named weasyprint that fails to import, found before the real one.
    (tmp_path / "weasyprint.py").write_text("raise ImportError('hidden for the test')\n")
    stdout, results = run_bench("-c", "import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); "
                                      "sys.argv[0] = sys.argv[1]; del sys.argv[1]; "
                                      "runpy.run_path(sys.argv[0], run_name='__main__')",
                                str(tmp_path))
    render = results[0]
    assert render["baseline"] is None and render["speedup"] is None
    assert "WeasyPrint is not installed" in render["weasyprint_skipped"]
    assert "WeasyPrint        not measured: WeasyPrint is not installed" in stdout
