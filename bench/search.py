"""Benchmark: control-list search through the service against the raw FTS5 query.

Runs 200 varied queries (codes in every common form, code prefixes, words, word
prefixes, several words, hostile input) over every loaded edition, through
:class:`ControlListService.search` and, interleaved in the same process, as the raw
FTS5 statements the service runs for it (match expressions prepared beforehand:
the all-words query, plus the any-word query when no entry has every word and
no code matched, as the service does). Prints
p50/p95 of each and their ratio, and one JSON line for ``bench/run_all.py``.

Target (DESIGN.md section 7): p95 <= 10 ms and <= 2x the raw FTS5 query.

    python bench/search.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mtcr_desk.domain.codes import lookup_key  # noqa: E402
from mtcr_desk.services.control_list import (  # noqa: E402
    ControlListService,
    fts_match_expression,
    fts_query_terms,
)
from mtcr_desk.services.database import open_database  # noqa: E402
from mtcr_desk.storage import control_lists  # noqa: E402

QUERY_COUNT = 200
LIMIT = 20
TARGET_P95_MS = 10.0
TARGET_RATIO = 2.0


def build_queries(service: ControlListService, seed: int = 821) -> list[str]:
    """Return 200 varied queries drawn from the loaded editions' codes and titles."""
    rng = random.Random(seed)
    codes: list[str] = []
    words: set[str] = set()
    for edition in service.editions():
        for entry in control_lists.edition_entries(service._store.connection, edition.id):
            codes.append(entry.code)
            for field in (entry.title, entry.text, entry.notes):
                for word in (field or "").replace('"', " ").split():
                    cleaned = word.strip(".,;:()'").lower()
                    if len(cleaned) >= 4 and cleaned.isalpha():
                        words.add(cleaned)
    entry_codes = [code for code in codes if code.count(".") >= 2]
    word_list = sorted(words)
    hostile = ['"', "NEAR(", "fuel OR", "-x *", "((", "🚀 motor", "'; DROP TABLE entries; --",
               "a:b", "^test", "2.A.1.c*"]

    queries: list[str] = []
    forms = [
        lambda code: code,                                   # 2.A.1.c
        lambda code: code.replace(".", ""),                  # 2A1c
        lambda code: code.replace(".", "").lower(),          # 2a1c
        lambda code: "M" + code.replace(".", ""),            # M2A1c
        lambda code: " ".join(code.split(".")),              # 2 A 1 c
    ]
    for _ in range(60):
        queries.append(rng.choice(forms)(rng.choice(entry_codes)))
    for _ in range(20):
        code = rng.choice(entry_codes)
        queries.append(".".join(code.split(".")[:3]))       # code prefix: 2.A.1
    for _ in range(40):
        queries.append(rng.choice(word_list))                # a whole word
    for _ in range(30):
        word = rng.choice(word_list)
        queries.append(word[: rng.randint(3, max(3, len(word) - 1))])   # a word prefix
    for _ in range(30):
        queries.append(" ".join(rng.sample(word_list, rng.randint(2, 3))))  # several words
    for index in range(QUERY_COUNT - len(queries)):
        queries.append(hostile[index % len(hostile)])
    return queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run(repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        store = open_database(Path(folder) / "bench.sqlite")
        service = ControlListService(store)
        queries = build_queries(service)
        raw_statements = []
        for query in queries:
            terms, only_codes = fts_query_terms(query)
            sql = (control_lists.FTS_SEARCH_ANNEX_ORDER_SQL if only_codes
                   else control_lists.FTS_SEARCH_SQL)
            if not terms:
                raw_statements.append(None)
                continue
            fallback = None
            if len(terms) > 1 and lookup_key(query) is None:
                fallback = fts_match_expression(terms, any_term=True)
            # Code-only queries match the code column (the service lists a matched
            # code's tree with one indexed query; its FTS5 equivalent is this).
            raw_statements.append(
                (sql, fts_match_expression(terms, codes_only=only_codes), fallback))

        service_ms: list[float] = []
        raw_ms: list[float] = []
        connection = store.connection
        for _ in range(repeat):
            for query, raw in zip(queries, raw_statements, strict=True):
                started = time.perf_counter()
                service.search(query, limit=LIMIT)
                service_ms.append((time.perf_counter() - started) * 1000)
                if raw is None:
                    continue  # nothing for FTS to do (emoji only): no baseline
                sql, match, fallback = raw
                parameters = {"match": match, "edition": None, "item": None,
                              "category": None, "limit": LIMIT}
                started = time.perf_counter()
                rows = connection.execute(sql, parameters).fetchall()
                if not rows and fallback is not None:
                    parameters["match"] = fallback
                    connection.execute(sql, parameters).fetchall()
                raw_ms.append((time.perf_counter() - started) * 1000)
        editions = [edition.id for edition in service.editions()]
        store.close()

    service_p50, service_p95 = percentile(service_ms, 0.5), percentile(service_ms, 0.95)
    raw_p50, raw_p95 = percentile(raw_ms, 0.5), percentile(raw_ms, 0.95)
    return {
        "bench": "search",
        "editions": editions,
        "queries": len(queries),
        "repeat": repeat,
        "service_p50_ms": round(service_p50, 4),
        "service_p95_ms": round(service_p95, 4),
        "raw_p50_ms": round(raw_p50, 4),
        "raw_p95_ms": round(raw_p95, 4),
        "ratio_p50": round(service_p50 / raw_p50, 2),
        "ratio_p95": round(service_p95 / raw_p95, 2),
        "mean_service_ms": round(statistics.fmean(service_ms), 4),
        "target": f"p95 <= {TARGET_P95_MS} ms and <= {TARGET_RATIO}x raw FTS5",
        "meets_target": service_p95 <= TARGET_P95_MS and service_p95 / raw_p95 <= TARGET_RATIO,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the 200 queries")
    args = parser.parse_args()
    result = run(args.repeat)
    print(f"search over {', '.join(result['editions'])}: {result['queries']} queries "
          f"x {result['repeat']}")
    print(f"  service  p50 {result['service_p50_ms']:.3f} ms  "
          f"p95 {result['service_p95_ms']:.3f} ms")
    print(f"  raw FTS5 p50 {result['raw_p50_ms']:.3f} ms  p95 {result['raw_p95_ms']:.3f} ms")
    print(f"  ratio    p50 {result['ratio_p50']:.2f}x    p95 {result['ratio_p95']:.2f}x   "
          f"({result['target']}: {'met' if result['meets_target'] else 'NOT met'})")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
